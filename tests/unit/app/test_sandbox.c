/*
 * test_sandbox.c: the seccomp filter of common/app/sandbox.c.
 *
 * Each case forks; the child enters the sandbox and does one thing; the
 * parent checks how the child ended: exit 0 for what the accept loop needs,
 * death by SIGSYS for what it must never do (execve, a file opened for
 * writing, a foreign socket family, a signal to another process, setuid,
 * unlink).  With OIDC_SANDBOX_NO_OPEN | OIDC_SANDBOX_UNIX_ONLY a
 * read-only open and an AF_INET/AF_INET6/AF_NETLINK socket fail with
 * EACCES (the process lives on) while AF_UNIX still works.  The
 * integration test t/94-sandbox.py runs real workers with `sandbox = yes`.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "oidc/arena.h"
#include "oidc/config.h"
#include "oidc/sandbox.h"
#include "tap.h"

enum act {
	ACT_NORMAL, ACT_EXECVE, ACT_OPEN_WRITE, ACT_SOCKET_PACKET,
	ACT_KILL_OTHER, ACT_SETUID, ACT_UNLINK, ACT_ABORT, ACT_THREAD,
	ACT_FORK, ACT_FORK_EXECVE,
	/* With OIDC_SANDBOX_NO_OPEN | OIDC_SANDBOX_UNIX_ONLY (issue 15). */
	ACT_STRICT_NORMAL, ACT_STRICT_OPEN_WRITE, ACT_STRICT_PACKET
};

static void *
thread_main(void *arg)
{
	return arg;
}

static void
child(enum act act, pid_t parent)
{
	struct oidc_error	 err = { 0 };
	struct rlimit		 rl = { 0, 0 };
	char			*argv[] = { (char *)"/bin/true", NULL };
	unsigned char		 rnd[32];
	struct timespec		 ts;
	char			 buf[64];
	void			*big;
	int			 fd, sv[2];

	(void)setrlimit(RLIMIT_CORE, &rl);	/* no core files from SIGSYS */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		_exit(90);
	if (oidc_sandbox_enter(act >= ACT_STRICT_NORMAL ?
	    OIDC_SANDBOX_NO_OPEN | OIDC_SANDBOX_UNIX_ONLY : 0, &err) == -1) {
		fprintf(stderr, "%s\n", err.detail);
		_exit(91);
	}
	switch (act) {
	case ACT_NORMAL:
		/* What a request does: memory, I/O, time, randomness. */
		if ((big = malloc(8 << 20)) == NULL)
			_exit(92);
		memset(big, 1, 8 << 20);
		free(big);
		if (write(sv[0], "ping", 4) != 4 || read(sv[1], buf, 4) != 4)
			_exit(93);
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			_exit(94);
		if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
			_exit(95);
		if ((fd = open("/etc/hosts", O_RDONLY | O_CLOEXEC)) != -1)
			close(fd);
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
			_exit(96);
		close(fd);
		(void)kill(getpid(), 0);
		_exit(0);
	case ACT_EXECVE:
		execve(argv[0], argv, NULL);
		_exit(97);
	case ACT_OPEN_WRITE:
		fd = open("/tmp/oidc-sandbox-test", O_WRONLY | O_CREAT, 0600);
		_exit(97);
	case ACT_SOCKET_PACKET:
		fd = socket(AF_PACKET, SOCK_RAW, 0);
		_exit(97);
	case ACT_KILL_OTHER:
		(void)kill(parent, 0);
		_exit(97);
	case ACT_SETUID:
		(void)!setuid(0);
		_exit(97);
	case ACT_UNLINK:
		(void)unlink("/nonexistent/oidc-sandbox-test");
		_exit(97);
	case ACT_ABORT:
		abort();	/* tgkill to itself: still dies by SIGABRT */
	case ACT_THREAD: {
		pthread_t	 t;
		void		*res = NULL;

		if (pthread_create(&t, NULL, thread_main, buf) != 0 ||
		    pthread_join(t, &res) != 0 || res != buf)
			_exit(96);
		_exit(0);
	}
	case ACT_FORK:
		if (fork() == 0)
			_exit(0);
		_exit(97);
	case ACT_FORK_EXECVE: {
		/* The filter is inherited: the forked child is sandboxed. */
		pid_t	 pid;
		int	 cst;

		if ((pid = fork()) == -1)
			_exit(95);
		if (pid == 0) {
			execve(argv[0], argv, NULL);
			_exit(97);
		}
		if (waitpid(pid, &cst, 0) != pid)
			_exit(94);
		_exit(WIFSIGNALED(cst) && WTERMSIG(cst) == SIGSYS ? 0 : 93);
	}
	case ACT_STRICT_NORMAL:
		errno = 0;
		if ((fd = open("/etc/hosts", O_RDONLY | O_CLOEXEC)) != -1 ||
		    errno != EACCES)
			_exit(80);
		errno = 0;
		if ((fd = openat(AT_FDCWD, "/", O_RDONLY | O_DIRECTORY)) !=
		    -1 || errno != EACCES)
			_exit(81);
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) != -1 ||
		    errno != EACCES)
			_exit(82);
		if ((fd = socket(AF_INET6, SOCK_DGRAM, 0)) != -1 ||
		    errno != EACCES)
			_exit(83);
		if ((fd = socket(AF_NETLINK, SOCK_RAW, 0)) != -1 ||
		    errno != EACCES)
			_exit(84);
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
			_exit(85);
		close(fd);
		if (write(sv[0], "ping", 4) != 4 || read(sv[1], buf, 4) != 4)
			_exit(86);
		_exit(0);
	case ACT_STRICT_OPEN_WRITE:
		fd = open("/tmp/oidc-sandbox-test", O_WRONLY | O_CREAT, 0600);
		_exit(97);
	case ACT_STRICT_PACKET:
		fd = socket(AF_PACKET, SOCK_RAW, 0);
		_exit(97);
	}
	_exit(98);
}

static int
run(enum act act)
{
	pid_t	 pid, parent = getpid();
	int	 st;

	fflush(stdout);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0)
		child(act, parent);
	if (waitpid(pid, &st, 0) == -1)
		return -1;
	return st;
}

static bool
killed_by(int st, int sig)
{
	return st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == sig;
}

static void
config_key(void)
{
	static const char	 base[] = "issuer = https://op.example\n"
	    "database = dbname=oidc\n";
	struct oidc_arena	*a = oidc_arena_new(4096, 1 << 20);
	struct oidc_config	 cfg;
	struct oidc_error	 err = { 0 };
	char			 buf[256];
	int			 n;

	ok(oidc_config_parse(a, "t", base, sizeof(base) - 1, &cfg, &err) == 0 &&
	    !cfg.sandbox, "config: sandbox defaults to no");
	n = snprintf(buf, sizeof(buf), "%ssandbox = yes\n", base);
	ok(oidc_config_parse(a, "t", buf, (size_t)n, &cfg, &err) == 0 &&
	    cfg.sandbox && !cfg.require_nonce,
	    "config: sandbox = yes sets sandbox (and nothing else)");
	n = snprintf(buf, sizeof(buf), "%ssandbox = maybe\n", base);
	oidc_error_clear(&err);
	ok(oidc_config_parse(a, "t", buf, (size_t)n, &cfg, &err) == -1 &&
	    err.code == OIDC_E_CONFIG, "config: sandbox = maybe is refused");
	oidc_arena_free(a);
}

int
main(void)
{
	int	 st;

	config_key();
	if (!oidc_sandbox_supported()) {
		struct oidc_error	 err = { 0 };

		/* Elsewhere the sandbox refuses to start (sandbox.h). */
		ok(oidc_sandbox_enter(0, &err) == -1 && err.code != OIDC_E_NONE,
		    "an unsupported platform: oidc_sandbox_enter fails");
		return done_testing();
	}
	st = run(ACT_NORMAL);
	ok(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "sandboxed: memory, socketpair I/O, getrandom, clock, read-only "
	    "open, AF_UNIX socket work (status %#x)", st);
	ok(killed_by(run(ACT_EXECVE), SIGSYS), "sandboxed: execve dies by "
	    "SIGSYS");
	ok(killed_by(run(ACT_OPEN_WRITE), SIGSYS), "sandboxed: open for "
	    "writing dies by SIGSYS");
	ok(killed_by(run(ACT_SOCKET_PACKET), SIGSYS), "sandboxed: an "
	    "AF_PACKET socket dies by SIGSYS");
	ok(killed_by(run(ACT_KILL_OTHER), SIGSYS), "sandboxed: kill() of "
	    "another process dies by SIGSYS");
	ok(killed_by(run(ACT_SETUID), SIGSYS), "sandboxed: setuid dies by "
	    "SIGSYS");
	ok(killed_by(run(ACT_UNLINK), SIGSYS), "sandboxed: unlink dies by "
	    "SIGSYS");
	ok(killed_by(run(ACT_ABORT), SIGABRT), "sandboxed: abort() still "
	    "dies by SIGABRT (tgkill to itself is allowed)");
	st = run(ACT_THREAD);
	ok(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "sandboxed: a thread can be created and joined (status %#x)", st);
#if defined(__SANITIZE_ADDRESS__)
	/* ASan builds allow clone for LeakSanitizer (sandbox.c). */
	st = run(ACT_FORK_EXECVE);
	ok(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "sandboxed, "
	    "ASan build: fork is allowed (LSan) and the forked child is still "
	    "sandboxed: its execve dies by SIGSYS (status %#x)", st);
#else
	ok(killed_by(run(ACT_FORK), SIGSYS), "sandboxed: fork dies by "
	    "SIGSYS");
#endif
	st = run(ACT_STRICT_NORMAL);
	ok(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "no-open, unix-only: read-only open and openat fail with EACCES, "
	    "AF_INET, AF_INET6, AF_NETLINK sockets fail with EACCES, AF_UNIX "
	    "and I/O work (status %#x)", st);
	ok(killed_by(run(ACT_STRICT_OPEN_WRITE), SIGSYS), "no-open: open for "
	    "writing still dies by SIGSYS");
	ok(killed_by(run(ACT_STRICT_PACKET), SIGSYS), "unix-only: an "
	    "AF_PACKET socket still dies by SIGSYS");
	return done_testing();
}
