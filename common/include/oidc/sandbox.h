/*
 * sandbox.h: a seccomp system-call filter for the FastCGI workers
 * (issue 10, least privilege; `sandbox = yes` in oidc.conf(5)).
 *
 * oidc_sandbox_enter() is called once by app.c after start-up: the
 * configuration is read, the keys are loaded, the database was tried once
 * and libfcgi is initialised.  From then on the process may make only the
 * system calls the accept loop needs (the list is in sandbox.c, with the
 * reason for each group); any other call kills the whole process with
 * SIGSYS (SECCOMP_RET_KILL_PROCESS) before the kernel runs it.  The kernel
 * records the victim's system-call number in the audit log
 * ("type=SECCOMP ... syscall=N"); spawn-fcgi's supervisor or systemd then
 * starts a fresh worker.
 *
 * Arguments are checked where that is cheap and closes a door:
 *   openat(2) / open(2)   opening for writing (O_WRONLY, O_RDWR, O_CREAT,
 *                         O_TRUNC, O_APPEND) kills; with
 *                         OIDC_SANDBOX_NO_OPEN every other open fails with
 *                         EACCES, else read-only opens are allowed (the
 *                         CA bundle and resolver files of the binaries
 *                         that fetch; libpq's SSL files over TCP)
 *   socket(2)             AF_UNIX, AF_INET, AF_INET6 and AF_NETLINK (the
 *                         resolver's interface query) only; with
 *                         OIDC_SANDBOX_UNIX_ONLY the last three fail with
 *                         EACCES
 *   kill(2), tgkill(2)    only to this process (abort(3), raise(3))
 *   clone(2)              threads only (CLONE_THREAD): no fork, no spawn;
 *                         clone3(2) answers ENOSYS (its flags are out of
 *                         BPF's reach), so glibc uses clone
 * Calls of a foreign ABI (x32, i386 on x86_64) are killed as well.
 *
 * app.c passes both flags (issue 15 item 12) to the workers that never
 * make an outbound request (discovery, jwks, userinfo, end_session) when
 * the database was reached at start-up over a unix socket (metrics.fcgi,
 * which reads the metrics directory per request, gets
 * OIDC_SANDBOX_UNIX_ONLY alone, and getdents(2) is allowed for it): OpenSSL's
 * configuration is loaded before the filter and libpq reconnects with the
 * options it resolved then (oidc_db_connect), so after start-up such a
 * worker opens no file and creates no IP socket.  Not filtered: which
 * files the other workers read (a compromised worker could read what its
 * user may read; the keys are in its memory anyway), and which address a
 * socket connects to (seccomp cannot read a sockaddr).
 *
 * Builds with AddressSanitizer (make SANITIZE=1) also allow what the
 * sanitizer runtime needs to write its leak report at exit (clone, ptrace,
 * wait4, prctl, ...); those builds are for tests only.
 *
 * Limits: Linux 3.17+ (seccomp, SECCOMP_RET_KILL_PROCESS needs 4.14;
 * older kernels fall back to killing the thread, which for these
 * single-threaded workers is the same), x86_64 and aarch64.  Elsewhere
 * oidc_sandbox_supported() is false and oidc_sandbox_enter() fails.
 */
#ifndef OIDC_SANDBOX_H
#define OIDC_SANDBOX_H

#include "oidc/cdefs.h"
#include "oidc/error.h"

/* True when this build can install the filter on this architecture. */
bool			oidc_sandbox_supported(void);

#define OIDC_SANDBOX_NO_OPEN	0x1u	/* open/openat: EACCES */
#define OIDC_SANDBOX_UNIX_ONLY	0x2u	/* socket: AF_UNIX only (EACCES) */

/*
 * Set no_new_privs and install the filter for this process (and any child
 * it could still create).  `flags`: OIDC_SANDBOX_* (above).  Irreversible.
 * OIDC_E_INTERNAL when the kernel refuses (the caller fails closed: the
 * operator asked for a sandbox).
 */
OIDC_MUST_CHECK int	oidc_sandbox_enter(unsigned flags,
			    struct oidc_error *);

#endif /* OIDC_SANDBOX_H */
