/*
 * sandbox.c: the workers' seccomp filter (see oidc/sandbox.h).
 *
 * A classic BPF program written by hand with <linux/filter.h> and
 * <linux/seccomp.h>: no libseccomp, because the whole policy is one list
 * of ~80 numbers and three argument checks, and a library that generates
 * BPF would be the larger thing to audit.
 *
 * The list below was taken from strace(1) of every endpoint after
 * start-up, through the whole integration suite, then grouped; each group
 * says who needs it.  To find a missing call on a new platform, run the
 * worker with `sandbox = no` under `strace -f -e trace=all` or read the
 * audit record ("syscall=N") that a kill leaves in the kernel log.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "oidc/sandbox.h"

#if defined(__x86_64__)
#define SANDBOX_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SANDBOX_ARCH	AUDIT_ARCH_AARCH64
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_ASAN	1
#endif
#endif

#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS	0x80000000U
#endif

#define MAX_INSNS	256

/* Allowed without looking at the arguments. */
static const int allowed[] = {
	/* The accept loop (libfcgi) and the database socket (libpq). */
	__NR_read, __NR_write, __NR_readv, __NR_writev, __NR_close,
	__NR_accept, __NR_accept4, __NR_recvfrom, __NR_sendto,
	__NR_recvmsg, __NR_sendmsg, __NR_shutdown, __NR_ppoll,
	__NR_pselect6, __NR_fcntl,
	/* libpq (re)connects; the resolver for a host name (UDP). */
	__NR_connect, __NR_setsockopt, __NR_getsockopt, __NR_getsockname,
	__NR_getpeername, __NR_sendmmsg, __NR_recvmmsg,
	/*
	 * Reading a file: the resolver configuration and the CA bundle of
	 * the binaries that fetch; fstat of our own descriptors; libpq's
	 * stat of the password file (the open after it may be refused).
	 */
	__NR_newfstatat, __NR_fstat, __NR_lseek, __NR_pread64,
	/* metrics.fcgi lists the metrics directory (oidc/scrape.h). */
	__NR_getdents64,
#ifdef __NR_statx
	__NR_statx,
#endif
	/* Memory (malloc, the request arena, OpenSSL). */
	__NR_brk, __NR_mmap, __NR_munmap, __NR_mremap, __NR_mprotect,
	__NR_madvise,
	/* Time (the vDSO answers most; the fallbacks), sleeping. */
	__NR_clock_gettime, __NR_clock_getres, __NR_gettimeofday,
	__NR_nanosleep, __NR_clock_nanosleep,
	/* Random numbers (OpenSSL's DRBG seeds from getrandom). */
	__NR_getrandom,
	/* Identity queries and locks. */
	__NR_getpid, __NR_gettid, __NR_getuid, __NR_geteuid, __NR_getgid,
	__NR_getegid, __NR_futex, __NR_sched_yield, __NR_uname,
	/*
	 * Threads (not processes: clone needs CLONE_THREAD, below), for a
	 * library that resolves names in a helper thread (libcurl's threaded
	 * resolver, outbound requests) and its wake-up pipe.
	 */
	__NR_set_robust_list, __NR_rseq, __NR_pipe2, __NR_eventfd2,
	__NR_socketpair,
	/* Signals: SIGTERM handler, SIGPIPE ignored, returning from them. */
	__NR_rt_sigaction, __NR_rt_sigprocmask, __NR_rt_sigreturn,
	/* Leaving. */
	__NR_exit, __NR_exit_group,
#if defined(__x86_64__)
	/* Legacy entry points the x86_64 glibc still uses. */
	__NR_poll, __NR_select, __NR_stat, __NR_lstat, __NR_time,
#endif
#ifdef SANDBOX_ASAN
	/* AddressSanitizer/LeakSanitizer at exit (test builds only). */
	__NR_clone, __NR_ptrace, __NR_wait4, __NR_prctl, __NR_sigaltstack,
	__NR_getdents64, __NR_readlinkat, __NR_sched_getaffinity,
	__NR_getppid, __NR_set_robust_list, __NR_prlimit64, __NR_dup,
	__NR_pipe2, __NR_process_vm_readv,
#ifdef __NR_clone3
	__NR_clone3,
#endif
#if defined(__x86_64__)
	__NR_readlink, __NR_arch_prctl, __NR_getrlimit, __NR_pipe,
#endif
#endif
};

struct prog {
	struct sock_filter	 insn[MAX_INSNS];
	size_t			 n;
	bool			 overflow;
};

static void
emit(struct prog *p, struct sock_filter f)
{
	if (p->n == MAX_INSNS) {
		p->overflow = true;
		return;
	}
	p->insn[p->n++] = f;
}

#define STMT(code, k)		((struct sock_filter)BPF_STMT((code), (k)))
#define JUMP(code, k, t, f)	((struct sock_filter)BPF_JUMP((code), (k), \
				    (t), (f)))
#define LD_NR	STMT(BPF_LD | BPF_W | BPF_ABS, \
		    offsetof(struct seccomp_data, nr))
/* The low 32 bits of argument i (little-endian: x86_64, aarch64). */
#define LD_ARG(i) STMT(BPF_LD | BPF_W | BPF_ABS, \
		    offsetof(struct seccomp_data, args[i]))
#define RET(v)	STMT(BPF_RET | BPF_K, (v))

/* if (nr == N) return ALLOW; */
static void
allow(struct prog *p, int nr)
{
	emit(p, JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, 1));
	emit(p, RET(SECCOMP_RET_ALLOW));
}

#define RET_EACCES	(SECCOMP_RET_ERRNO | (EACCES & SECCOMP_RET_DATA))

/* if (nr == N) return (arg[i] & mask) ? KILL : ret; (nr reloaded after) */
static void
without_bits(struct prog *p, int nr, unsigned i, uint32_t mask, uint32_t ret)
{
	emit(p, JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, 4));
	emit(p, LD_ARG(i));
	emit(p, JUMP(BPF_JMP | BPF_JSET | BPF_K, mask, 0, 1));
	emit(p, RET(SECCOMP_RET_KILL_PROCESS));
	emit(p, RET(ret));
}

/*
 * if (nr == N) return arg[i] in ok[] ? ALLOW : arg[i] in refused[] ?
 * EACCES : KILL;
 * Layout: JEQ nr, LD, the ok JEQs, the refused JEQs, KILL, EACCES, ALLOW.
 */
static void
if_arg(struct prog *p, int nr, unsigned i, const uint32_t *ok, size_t nok,
    const uint32_t *refused, size_t nref)
{
	size_t	 k;

	emit(p, JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0,
	    (uint8_t)(nok + nref + 4)));
	emit(p, LD_ARG(i));
	for (k = 0; k < nok; k++)
		emit(p, JUMP(BPF_JMP | BPF_JEQ | BPF_K, ok[k],
		    (uint8_t)(nok - 1 - k + nref + 2), 0));
	for (k = 0; k < nref; k++)
		emit(p, JUMP(BPF_JMP | BPF_JEQ | BPF_K, refused[k],
		    (uint8_t)(nref - k), 0));
	emit(p, RET(SECCOMP_RET_KILL_PROCESS));
	emit(p, RET(RET_EACCES));
	emit(p, RET(SECCOMP_RET_ALLOW));
}

bool
oidc_sandbox_supported(void)
{
#ifdef SANDBOX_ARCH
	return true;
#else
	return false;
#endif
}

#ifdef SANDBOX_ARCH
/* A foreign ABI has other numbers: kill before looking at nr; load nr. */
static void
check_arch(struct prog *p)
{
	emit(p, STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, arch)));
	emit(p, JUMP(BPF_JMP | BPF_JEQ | BPF_K, SANDBOX_ARCH, 1, 0));
	emit(p, RET(SECCOMP_RET_KILL_PROCESS));
	emit(p, LD_NR);
#if defined(__x86_64__)
	/* x32 system calls share the ABI tag: bit 30 of nr. */
	emit(p, JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000U, 0, 1));
	emit(p, RET(SECCOMP_RET_KILL_PROCESS));
#endif
}

/* A thread, never a process (fork, vfork, posix_spawn). */
static void
thread_only(struct prog *p)
{
	emit(p, JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 4));
	emit(p, LD_ARG(0));
	emit(p, JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_THREAD, 1, 0));
	emit(p, RET(SECCOMP_RET_KILL_PROCESS));
	emit(p, RET(SECCOMP_RET_ALLOW));
#ifdef __NR_clone3
	/* clone3 passes its flags in memory BPF cannot read: glibc falls
	 * back to clone on ENOSYS. */
	emit(p, JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1));
	emit(p, RET(SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)));
#endif
}

/* The filter for flags (OIDC_SANDBOX_*); p->overflow if it did not fit. */
static void
build_filter(struct prog *p, unsigned flags)
{
	static const uint32_t	 families[] = {
		AF_UNIX, AF_INET, AF_INET6, AF_NETLINK
	};
	bool			 unix_only = flags & OIDC_SANDBOX_UNIX_ONLY;
	uint32_t		 open_ret = flags & OIDC_SANDBOX_NO_OPEN ?
	    RET_EACCES : SECCOMP_RET_ALLOW;
	const uint32_t		 write_bits = O_WRONLY | O_RDWR | O_CREAT |
	    O_TRUNC | O_APPEND;
	uint32_t		 self = (uint32_t)getpid();
	size_t			 i;

	check_arch(p);
	for (i = 0; i < OIDC_NELEM(allowed); i++)
		allow(p, allowed[i]);
	/*
	 * Each of these loads an argument, so nr is reloaded after it.
	 * Opening for writing kills; with OIDC_SANDBOX_NO_OPEN any other
	 * open fails with EACCES (libpq and the resolver take that as "no
	 * such file" and go on) instead of killing the worker.
	 */
	without_bits(p, __NR_openat, 2, write_bits, open_ret);
	emit(p, LD_NR);
#if defined(__x86_64__)
	without_bits(p, __NR_open, 1, write_bits, open_ret);
	emit(p, LD_NR);
#endif
	/* With OIDC_SANDBOX_UNIX_ONLY: AF_UNIX only, the IP families EACCES. */
	if_arg(p, __NR_socket, 0, families, unix_only ? 1 : 4,
	    families + 1, unix_only ? 3 : 0);
	emit(p, LD_NR);
	if_arg(p, __NR_tgkill, 0, &self, 1, NULL, 0);
	emit(p, LD_NR);
	if_arg(p, __NR_kill, 0, &self, 1, NULL, 0);
	emit(p, LD_NR);
	thread_only(p);
	emit(p, RET(SECCOMP_RET_KILL_PROCESS));
}
#endif

int
oidc_sandbox_enter(unsigned flags, struct oidc_error *err)
{
#ifdef SANDBOX_ARCH
	struct prog		 p;
	struct sock_fprog	 fprog;

	memset(&p, 0, sizeof(p));
	build_filter(&p, flags);
	if (p.overflow)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL,
		    "sandbox: filter longer than %d instructions", MAX_INSNS);

	fprog.len = (unsigned short)p.n;
	fprog.filter = p.insn;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL,
		    "sandbox: prctl(PR_SET_NO_NEW_PRIVS): %s", strerror(errno));
	if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) == -1 &&
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) == -1)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL,
		    "sandbox: installing the seccomp filter: %s",
		    strerror(errno));
	return 0;
#else
	(void)flags;
	return oidc_fail(err, OIDC_E_INTERNAL, NULL,
	    "sandbox: not supported on this architecture");
#endif
}
