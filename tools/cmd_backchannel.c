/*
 * cmd_backchannel.c: `oidcctl backchannel deliver [--loop [--interval N]]`,
 * the sender of Back-Channel Logout tokens (oidc/backchannel.h).
 *
 * Without --loop it delivers what is due and exits (for cron or a timer);
 * with --loop it keeps polling the queue every N seconds (default 1) until
 * SIGTERM or SIGINT (deploy/systemd/oidc-backchannel.service).  Database
 * trouble in the loop is logged and retried at the next poll.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "oidc/arena.h"
#include "oidc/backchannel.h"
#include "oidc/log.h"
#include "oidc/str.h"

#include "oidcctl.h"
#include "oidcctl_int.h"

/* Set by the signal handler only; the one piece of mutable static state. */
static volatile sig_atomic_t	 stopping;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static int
usage(int argc, char *argv[])
{
	printf("usage: oidcctl backchannel deliver [--loop [--interval N]]\n\n"
	    "POST the queued back-channel logout tokens to the clients'\n"
	    "backchannel_logout_uri (OpenID Connect Back-Channel Logout 1.0).\n"
	    "A 2xx answer is done; anything else is retried with backoff,\n"
	    "at most backchannel_max_attempts times, then logged and dropped.\n"
	    "Without --loop: deliver what is due, print {\"delivered\":N,\n"
	    "\"retried\":N,\"dropped\":N} and exit.  With --loop: poll every\n"
	    "N seconds (1..60, default 1) until SIGTERM or SIGINT\n"
	    "(deploy/systemd/oidc-backchannel.service).\n");
	return oidcctl_wants_help(argc, argv) ? OIDCCTL_OK : OIDCCTL_USAGE;
}

int
oidcctl_backchannel(int argc, char *argv[])
{
	struct oidcctl			 o;
	struct oidc_backchannel_stats	 st;
	struct oidc_error		 err;
	struct oidc_arena		*da = NULL;
	struct sigaction		 sa;
	struct timespec			 ts;
	uint64_t			 interval = 1;
	bool				 loop = false;
	int				 i, rc = OIDCCTL_FAIL;

	if (oidcctl_wants_help(argc, argv) || argc < 2 ||
	    strcmp(argv[1], "deliver") != 0)
		return usage(argc, argv);
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--loop") == 0)
			loop = true;
		else if (strcmp(argv[i], "--interval") == 0 && i + 1 < argc &&
		    oidc_parse_u64(argv[i + 1], strlen(argv[i + 1]), 1, 60,
		    &interval) == 0)
			i++;
		else
			return usage(argc, argv);
	}
	if (oidcctl_open(&o) == -1)
		goto out;
	oidc_log_setup("oidcctl-backchannel", o.cfg.log_level);
	/* Deliveries get their own arena: o.a holds the configuration. */
	if ((da = oidc_arena_new(65536, 16 << 20)) == NULL) {
		fprintf(stderr, "oidcctl: out of memory\n");
		goto out;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&st, 0, sizeof(st));
	do {
		memset(&err, 0, sizeof(err));
		if (oidc_backchannel_deliver(o.db, da, &o.cfg, &st,
		    &err) == -1) {
			if (!loop) {
				oidcctl_fail("backchannel deliver", &err);
				goto out;
			}
			oidc_log_error(OIDC_LOG_ERROR, &err,
			    "back-channel delivery");
		}
		if (!loop || stopping)
			break;
		ts.tv_sec = (time_t)interval;
		ts.tv_nsec = 0;
		/* EINTR from a stop signal ends the wait early. */
		(void)nanosleep(&ts, NULL);
	} while (!stopping);
	if (!loop)
		printf("{\"delivered\":%llu,\"retried\":%llu,\"dropped\":%llu}"
		    "\n", (unsigned long long)st.delivered,
		    (unsigned long long)st.retried,
		    (unsigned long long)st.dropped);
	rc = OIDCCTL_OK;
out:
	oidc_arena_free(da);
	oidcctl_close(&o);
	return rc;
}
