/*
 * app.c: FastCGI start-up and accept loop (see oidc/app.h).
 *
 * libfcgi owns the FastCGI framing (records, params, stdin/stdout streams,
 * FCGI_KEEP_CONN); we never touch raw records.  Under spawn-fcgi the
 * listening socket is file descriptor 0.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "oidc/app.h"
#include "oidc/arena.h"
#include "oidc/config.h"
#include "oidc/crypto.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/form.h"
#include "oidc/health.h"
#include "oidc/jwk.h"
#include "oidc/keystore.h"
#include "oidc/log.h"
#include "oidc/metrics.h"
#include "oidc/sandbox.h"
#include "oidc/seal.h"
#include "oidc/subject.h"
#include "oidc/ui.h"

#define EXIT_CONFIG	78	/* sysexits.h EX_CONFIG */
#define HEALTH_METHODS	(OIDC_METHOD_GET | OIDC_METHOD_HEAD)	/* probes */
#define ARENA_CHUNK	(16 * 1024)
#define ARENA_CAP	(4 * 1024 * 1024)

static volatile sig_atomic_t	stop_requested;
static volatile sig_atomic_t	in_request;

static void
on_stop(int sig)
{
	(void)sig;
	/* Idle: leave now.  Busy: finish the request first. */
	if (!in_request)
		_exit(0);
	stop_requested = 1;
	FCGX_ShutdownPending();
}

static void
usage(const struct oidc_endpoint *ep)
{
	printf("usage: %s.fcgi [--check-config | --version]\n\n"
	    "The %s endpoint of oidc-fcgi, a FastCGI program.  Run it under\n"
	    "spawn-fcgi (or any FastCGI process manager) with OIDC_CONFIG\n"
	    "naming the configuration file (default /etc/oidc-fcgi/oidc.conf\n"
	    "when it exists, else ./var/oidc.conf).\n\n"
	    "  --check-config  load the configuration and keys, then exit\n"
	    "                  (0 ok, 78 bad configuration)\n"
	    "  --version       print \"oidc-fcgi %s VERSION\" and exit 0\n\n"
	    "GET or HEAD of /healthz and /healthz/%s (liveness), /readyz\n"
	    "and /readyz/%s (readiness) are health checks.\n", ep->name,
	    ep->name, ep->name, ep->name, ep->name);
}

/*
 * A start-up failure: on standard error (what --check-config and a
 * foreground run show) and, once `log` or `log_file` sends the log
 * elsewhere, there too, because under spawn-fcgi a worker's standard error
 * is /dev/null (issue 20 item 4).  A failure before the configuration is
 * read can only go to standard error: oidc-spawn.sh runs --check-config
 * in the foreground first for that reason.
 */
static void
startup_error(const struct oidc_endpoint *ep, struct oidc_arena *a,
    const char *what, const char *detail)
{
	fprintf(stderr, "%s: %s: %s\n", ep->name, what, detail);
	if (oidc_log_is_redirected())
		oidc_log(OIDC_LOG_ERROR, "msg=\"%s\" detail=\"%s\"", what,
		    oidc_log_safe(a, detail, strlen(detail)));
}

/*
 * Bring the keys up to date for this request (oidc/keystore.h): at most one
 * cheap query per key_reload_interval.  On database trouble the previous
 * keys stay in use.
 */
static void
refresh_keys(struct oidc_ctx *ctx)
{
	struct oidc_error	 err = { 0 };

	if (oidc_keystore_refresh(ctx->keystore, ctx->db, ctx->now, false,
	    &err) == -1)
		oidc_log_error(OIDC_LOG_WARN, &err, "signing keys not "
		    "refreshed; keeping the previous ones");
	ctx->keys = oidc_keystore_keyset(ctx->keystore);
}

static const char *
get_param(void *arg, const char *name)
{
	return FCGX_GetParam(name, ((FCGX_Request *)arg)->envp);
}

/*
 * req.env (oidc_request_env, oidc/remote_user.h): what the web server
 * alone sets, and a parameter it sent twice counts as absent.  SECURITY:
 * Debian's fastcgi_params sets REMOTE_USER $remote_user, nginx's
 * unverified user name of any "Authorization: Basic" header; a location
 * that includes it and then sets REMOTE_USER from a real authentication
 * sends both, and get_param() would return the client's one (the first).
 */
static const char *
get_env_once(void *arg, const char *name)
{
	char		**e = ((FCGX_Request *)arg)->envp;
	const char	*found = NULL;
	size_t		 len = strlen(name);

	for (; e != NULL && *e != NULL; e++) {
		if (strncmp(*e, name, len) != 0 || (*e)[len] != '=')
			continue;
		if (found != NULL) {
			oidc_log(OIDC_LOG_WARN, "msg=\"FastCGI parameter given "
			    "twice: ignored (Debian's fastcgi_params sets "
			    "REMOTE_USER $remote_user, docs/REMOTE-USER.md)\" "
			    "param=%s", name);
			return NULL;
		}
		found = *e + len + 1;
	}
	return found;
}

static long
read_in(void *arg, char *buf, size_t len)
{
	int	 n;

	if (len > INT32_MAX)
		len = INT32_MAX;
	n = FCGX_GetStr(buf, (int)len, ((FCGX_Request *)arg)->in);
	return n < 0 ? -1 : n;
}

/*
 * A request id for the log lines of one request: a random 64-bit value
 * drawn once per process, plus one per request.  Unique enough to
 * correlate log lines (it is no secret and no token), and no RAND_bytes
 * per request.
 */
static void
new_reqid(struct oidc_ctx *ctx)
{
	static const char	 hex[] = "0123456789abcdef";
	uint64_t		 v = ctx->reqid_next++;
	int			 i;

	for (i = 15; i >= 0; i--) {
		ctx->reqid[i] = hex[v & 15];
		v >>= 4;
	}
	ctx->reqid[16] = '\0';
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec	 t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Log a failed request and turn err into its response. */
static void
render_error(const struct oidc_endpoint *ep, struct oidc_response *resp,
    const struct oidc_error *err, unsigned methods)
{
	struct oidc_error	 err2 = { 0 };

	oidc_log_error(oidc_error_is_internal(err->code) ?
	    OIDC_LOG_ERROR : OIDC_LOG_INFO, err, "request failed");
	/* A wrong method is a client bug: JSON even for pages. */
	oidc_resp_error(resp, err, err->code == OIDC_E_METHOD_NOT_ALLOWED ?
	    OIDC_ERRSTYLE_JSON : ep->errstyle);
	if (err->code == OIDC_E_METHOD_NOT_ALLOWED)
		(void)!oidc_resp_header(resp, "Allow",
		    oidc_method_allow(methods), &err2);
}

/*
 * The language of the request's pages (oidc/ui.h): its ui_locales
 * parameter (query, else form), else Accept-Language.  The authorization
 * endpoint refines it with the request object's (authorize_page.c).
 */
static int
page_lang(const struct oidc_request *req, FCGX_Request *fr)
{
	const char	*al = get_param(fr, "HTTP_ACCEPT_LANGUAGE");
	struct oidc_str	 l = oidc_params_get(&req->query, "ui_locales");
	int		 lang;

	lang = al != NULL ? oidc_ui_pick_accept(al, strlen(al)) : 0;
	if (l.p == NULL)
		l = oidc_params_get(&req->form, "ui_locales");
	return l.p != NULL ? oidc_ui_pick_locales(l.p, l.len, lang) : lang;
}

/* Serialise resp to the server (a fixed 500 if that fails); HEAD: no body. */
static void
write_response(FCGX_Request *fr, enum oidc_method method,
    struct oidc_response *resp, struct oidc_error *err)
{
	static const char	 fail[] = "Status: 500 Internal Server "
	    "Error\r\nContent-Type: application/json\r\n\r\n"
	    "{\"error\":\"server_error\"}";
	struct oidc_str		 out;
	const char		*end;

	if (oidc_resp_serialize(resp, &out, err) == -1)
		out = OIDC_STR(fail);
	if (method != OIDC_METHOD_HEAD)
		(void)FCGX_PutStr(out.p, (int)out.len, fr->out);
	else {
		end = memmem(out.p, out.len, "\r\n\r\n", 4);
		(void)FCGX_PutStr(out.p, end != NULL ?
		    (int)(end - out.p) + 4 : (int)out.len, fr->out);
	}
}

static void
handle_one(const struct oidc_endpoint *ep, struct oidc_ctx *ctx,
    FCGX_Request *fr)
{
	struct oidc_request	 req;
	struct oidc_response	 resp;
	struct oidc_error	 err = { 0 };
	struct timespec		 t0;
	double			 ms;
	enum oidc_probe		 probe = OIDC_PROBE_NONE;
	uint64_t		 stmts0 = 0, stmts1 = 0, commits;
	unsigned		 methods = ep->methods;
	int			 rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ctx->now = time(NULL);
	new_reqid(ctx);
	oidc_log_set_request(ctx->reqid);
	if (ctx->db != NULL)
		oidc_db_request_start(ctx->db);
	oidc_resp_init(&resp, ctx->a);

	/* Parsing reads no key and no table. */
	rc = oidc_request_parse(ctx->a, get_param, fr, read_in, fr,
	    ep->max_body, ep->body, &req, &err);
	req.env = get_env_once;
	/*
	 * /healthz and /readyz (oidc/health.h) are answered by every
	 * endpoint, whatever its methods.  Liveness touches neither the
	 * database nor the keys, so not even the key refresh runs for it.
	 */
	if (rc == 0 && (probe = oidc_health_probe(req.path, ep->name)) !=
	    OIDC_PROBE_NONE)
		methods = HEALTH_METHODS;
	if (ctx->keystore != NULL && probe != OIDC_PROBE_LIVE)
		refresh_keys(ctx);
	/* db= counts the request's own statements, not the key refresh. */
	if (ctx->db != NULL)
		oidc_db_stats(ctx->db, &stmts0, &commits);
	/* A wrong method wins over whatever else is wrong with the request. */
	if (!(req.method & methods)) {
		oidc_error_clear(&err);
		rc = oidc_fail(&err, OIDC_E_METHOD_NOT_ALLOWED,
		    "method not allowed", "method not allowed");
	}
	if (rc == 0)
		resp.ui_lang = page_lang(&req, fr);
	if (rc == 0 && probe != OIDC_PROBE_NONE)
		rc = oidc_health_answer(ctx, probe, &resp, &err);
	else if (rc == 0) {
		oidc_request_client_addr(&req, ctx->cfg->trusted_proxies);
		rc = ep->handle(ctx, &req, &resp, &err);
	}
	if (ctx->db != NULL && oidc_db_in_transaction(ctx->db))
		oidc_db_rollback(ctx->db);	/* an error writes nothing */
	if (rc == -1)
		render_error(ep, &resp, &err, methods);
	write_response(fr, req.method, &resp, &err);
	if (ctx->db != NULL)
		oidc_db_stats(ctx->db, &stmts1, &commits);
	ms = ms_since(&t0);
	oidc_metrics_request(resp.status, (uint64_t)(ms * 1e3));
	oidc_log(OIDC_LOG_INFO, "msg=request ep=%s method=%s status=%d "
	    "ms=%.2f db=%llu%s%s%s%s", ep->name,
	    get_param(fr, "REQUEST_METHOD") != NULL ?
	    oidc_log_safe(ctx->a, get_param(fr, "REQUEST_METHOD"),
	    strlen(get_param(fr, "REQUEST_METHOD"))) : "-", resp.status,
	    ms, (unsigned long long)(stmts1 - stmts0),
	    rc == -1 ? " error=" : "",
	    rc == -1 ? oidc_error_name(err.code) : "",
	    probe != OIDC_PROBE_NONE ? " probe=" : "",
	    probe != OIDC_PROBE_NONE ? oidc_health_probe_name(probe) : "");
	oidc_log_set_request(NULL);
	oidc_arena_reset(ctx->a);
}

/* -1: go on; else the exit status (--help, --version, a bad option). */
static int
parse_options(const struct oidc_endpoint *ep, int argc, char *argv[],
    bool *check_only)
{
	int	 i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(ep);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("oidc-fcgi %s %s\n", ep->name, OIDC_VERSION);
			return 0;
		} else if (strcmp(argv[i], "--check-config") == 0)
			*check_only = true;
		else {
			fprintf(stderr, "%s: unknown option %s (try --help)\n",
			    ep->name, argv[i]);
			return 2;
		}
	}
	return -1;
}

/*
 * The configuration and where the log goes: 0, or the exit status with
 * the error on standard error.
 */
static int
load_config(const struct oidc_endpoint *ep, struct oidc_arena *cfg_arena,
    const char *path, bool check_only, struct oidc_config *cfg)
{
	struct oidc_error	 err = { 0 };

	if (oidc_config_load(cfg_arena, path, cfg, &err) == -1) {
		fprintf(stderr, "%s: configuration error: %s\n", ep->name,
		    err.detail);
		return EXIT_CONFIG;
	}
	oidc_log_setup(ep->name, cfg->log_level);
	/* Templates and messages (oidc/ui.h): now, no file opens later. */
	if (oidc_ui_load(cfg->ui_templates, cfg->ui_locales, &err) == -1) {
		fprintf(stderr, "%s: configuration error: %s\n", ep->name,
		    err.detail);
		return EXIT_CONFIG;
	}
	/*
	 * The log destination, now, before any sandbox (which refuses
	 * open(2)).  --check-config only tests that the log file could be
	 * opened: it may run as another user than the workers (root, from
	 * oidc-spawn.sh), and must not leave a file they cannot write.
	 */
	if (cfg->log_file != NULL &&
	    oidc_log_to_file(cfg->log_file, !check_only, &err) == -1) {
		fprintf(stderr, "%s: configuration error: %s\n", ep->name,
		    err.detail);
		return EXIT_CONFIG;
	}
	if (cfg->log == OIDC_LOG_SINK_SYSLOG && !check_only)
		oidc_log_to_syslog();
	return 0;
}

/*
 * What the endpoint needs besides the configuration (ep->needs): the
 * database handle, the keys, the pairwise salt (*salt, to be wiped), the
 * key-encryption key (kek), then its own init.  0, or the exit status
 * with the error reported.
 */
static int
load_needs(const struct oidc_endpoint *ep, struct oidc_ctx *ctx,
    struct oidc_arena *cfg_arena, bool check_only, unsigned char **salt,
    unsigned char *kek)
{
	const struct oidc_config	*cfg = ctx->cfg;
	struct oidc_error		 err = { 0 };

	if ((ep->needs & OIDC_NEED_DB) &&
	    (ctx->db = oidc_db_new(cfg->database, cfg->db_timeout)) == NULL) {
		fprintf(stderr, "%s: out of memory\n", ep->name);
		return 1;
	}
	/* Start-up does not wait for a primary (start_serving). */
	if (ctx->db != NULL)
		oidc_db_set_failover(ctx->db, cfg->db_connect_timeout, 0,
		    cfg->db_commit_timeout);
	if (ctx->db != NULL && cfg->database_read != NULL) {
		struct oidc_db	*rd;

		if ((rd = oidc_db_new(cfg->database_read, cfg->db_timeout)) ==
		    NULL) {
			fprintf(stderr, "%s: out of memory\n", ep->name);
			return 1;
		}
		/* A replica is never waited for: the primary is asked. */
		oidc_db_set_failover(rd, cfg->db_connect_timeout, 0,
		    cfg->db_commit_timeout);
		oidc_db_set_read(ctx->db, rd);
	}

	/*
	 * Keys: a signing binary holds private keys (files, and database
	 * keys opened with the key_encryption_key); jwks and discovery hold
	 * public copies only.  Database keys are read now when the database
	 * answers, else on a later request.
	 */
	if (ep->needs & (OIDC_NEED_SIGNING_KEYS | OIDC_NEED_PUBLIC_KEYS |
	    OIDC_NEED_KEYS_AT_START)) {
		if ((ctx->keystore = oidc_keystore_new(cfg,
		    (ep->needs & OIDC_NEED_SIGNING_KEYS) != 0, &err)) == NULL) {
			startup_error(ep, ctx->a, "configuration error",
			    err.detail);
			return EXIT_CONFIG;
		}
		if (!check_only && ctx->db != NULL &&
		    oidc_keystore_refresh(ctx->keystore, ctx->db, time(NULL),
		    true, &err) == -1) {
			oidc_log_error(OIDC_LOG_WARN, &err, "signing keys from "
			    "the database not loaded at start-up; will retry");
			oidc_error_clear(&err);
		}
		ctx->keys = oidc_keystore_keyset(ctx->keystore);
	}
	if ((ep->needs & OIDC_NEED_SUBJECTS) &&
	    cfg->pairwise_salt_file != NULL) {
		if (oidc_subject_salt_load(cfg_arena, cfg->pairwise_salt_file,
		    salt, &ctx->pairwise_salt_len, &err) == -1) {
			startup_error(ep, ctx->a, "configuration error",
			    err.detail);
			return EXIT_CONFIG;
		}
		ctx->pairwise_salt = *salt;
	}
	if ((ep->needs & OIDC_NEED_CLIENT_SECRETS) &&
	    cfg->key_encryption_key != NULL) {
		if (oidc_seal_key_load(cfg->key_encryption_key, kek,
		    &err) == -1) {
			startup_error(ep, ctx->a, "configuration error",
			    err.detail);
			return EXIT_CONFIG;
		}
		ctx->kek = kek;
	}
	if (ep->init != NULL && ep->init(ctx, &err) == -1) {
		startup_error(ep, ctx->a, "start-up failed", err.detail);
		return EXIT_CONFIG;
	}
	oidc_arena_reset(ctx->a);	/* init's temporaries */
	return 0;
}

/*
 * The metrics page (oidc/metrics.h), in metrics_dir or else in the
 * directory of the FastCGI socket on descriptor 0.  A failure is a
 * warning: a provider without metrics still signs people in.
 */
static void
open_metrics(const struct oidc_endpoint *ep, const struct oidc_config *cfg)
{
	struct oidc_error	 err = { 0 };
	struct sockaddr_un	 sun;
	socklen_t		 len = sizeof(sun);
	char			 dir[sizeof(sun.sun_path) + 1], *slash;

	if (cfg->metrics_dir != NULL)
		(void)snprintf(dir, sizeof(dir), "%s", cfg->metrics_dir);
	else {
		memset(&sun, 0, sizeof(sun));
		if (getsockname(0, (struct sockaddr *)&sun, &len) == -1 ||
		    sun.sun_family != AF_UNIX || sun.sun_path[0] == '\0') {
			oidc_log(OIDC_LOG_WARN, "msg=\"no metrics: the FastCGI "
			    "socket is not a named unix socket; set "
			    "metrics_dir\"");
			return;
		}
		(void)snprintf(dir, sizeof(dir), "%.*s", (int)(len -
		    offsetof(struct sockaddr_un, sun_path)), sun.sun_path);
		if ((slash = strrchr(dir, '/')) == NULL)
			(void)snprintf(dir, sizeof(dir), ".");
		else if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	if (oidc_metrics_open(dir, ep->name, &err) == -1)
		oidc_log_error(OIDC_LOG_WARN, &err, "no metrics");
}

/*
 * From a loaded configuration to the first accept: the database
 * connection (a failure is retried per request), signals, FastCGI, the
 * request id seed and the sandbox.  0, or the exit status.
 */
static int
start_serving(const struct oidc_endpoint *ep, struct oidc_ctx *ctx,
    FCGX_Request *fr)
{
	const struct oidc_config	*cfg = ctx->cfg;
	struct oidc_error		 err = { 0 };
	struct sigaction		 sa;
	unsigned char			 raw[8];
	unsigned			 sbx_flags = 0;
	size_t				 k;

	if (ctx->db != NULL && oidc_db_connect(ctx->db, &err) == -1) {
		oidc_log_error(OIDC_LOG_WARN, &err,
		    "database unreachable at start-up; will retry per request");
		oidc_error_clear(&err);
	}
	/*
	 * From now on, not before: start-up (this connect, the keys read in
	 * load_needs) fails fast; requests wait for a primary.
	 */
	if (ctx->db != NULL)
		oidc_db_set_failover(ctx->db, cfg->db_connect_timeout,
		    cfg->db_failover_wait, cfg->db_commit_timeout);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if (FCGX_IsCGI()) {
		fprintf(stderr, "%s: standard input is not a FastCGI socket; "
		    "run under spawn-fcgi (see --help)\n", ep->name);
		return 2;
	}
	if (FCGX_Init() != 0 || FCGX_InitRequest(fr, 0, 0) != 0) {
		startup_error(ep, ctx->a, "start-up failed",
		    "FastCGI initialisation failed");
		return 1;
	}
	/*
	 * A worker that never fetches, with its database on a unix socket,
	 * needs no file and no IP socket after this point (issue 15 item
	 * 12): OpenSSL's files are read now, libpq reconnects with the
	 * options it resolved at the first connect.  A database not reached
	 * yet leaves both allowed (the first connect may need them).
	 */
	if (cfg->sandbox && !(ep->needs & OIDC_NEED_OUTBOUND) &&
	    (ctx->db == NULL || oidc_db_unix_only(ctx->db)))
		sbx_flags = (ep->needs & OIDC_NEED_FILES) ?
		    OIDC_SANDBOX_UNIX_ONLY :
		    OIDC_SANDBOX_NO_OPEN | OIDC_SANDBOX_UNIX_ONLY;
	if (sbx_flags != 0 && oidc_crypto_preload(&err) == -1) {
		startup_error(ep, ctx->a, "start-up failed", err.detail);
		return 1;
	}
	open_metrics(ep, cfg);
	/* Request ids: a random start, then + 1 per request. */
	if (oidc_random_bytes(raw, sizeof(raw), &err) == -1) {
		oidc_error_clear(&err);
		memset(raw, 0, sizeof(raw));
	}
	for (k = 0; k < sizeof(raw); k++)
		ctx->reqid_next = ctx->reqid_next << 8 | raw[k];
	/* From here on only the accept loop's system calls (sandbox.h). */
	if (cfg->sandbox && oidc_sandbox_enter(sbx_flags, &err) == -1) {
		startup_error(ep, ctx->a, "sandbox", err.detail);
		return 1;
	}
	oidc_log(OIDC_LOG_INFO, "msg=started pid=%ld%s%s%s", (long)getpid(),
	    cfg->sandbox ? " sandbox=yes" : "",
	    (sbx_flags & OIDC_SANDBOX_NO_OPEN) ? " open=refused" : "",
	    (sbx_flags & OIDC_SANDBOX_UNIX_ONLY) ? " socket=unix" : "");
	return 0;
}

int
oidc_app_main(const struct oidc_endpoint *ep, int argc, char *argv[])
{
	struct oidc_config	 cfg;
	struct oidc_ctx		 ctx;
	struct oidc_arena	*cfg_arena = NULL;
	unsigned char		*salt = NULL;	/* pairwise salt */
	unsigned char		 kek[OIDC_SEAL_KEY_LEN];
	FCGX_Request		 fr;
	const char		*path;
	bool			 check_only = false;
	int			 status;

	if ((status = parse_options(ep, argc, argv, &check_only)) != -1)
		return status;
	status = 1;
	memset(&ctx, 0, sizeof(ctx));
	oidc_log_setup(ep->name, OIDC_LOG_INFO);
	path = oidc_config_default_path();
	if ((cfg_arena = oidc_arena_new(4096, 1 << 20)) == NULL ||
	    (ctx.a = oidc_arena_new(ARENA_CHUNK, ARENA_CAP)) == NULL) {
		fprintf(stderr, "%s: out of memory\n", ep->name);
		goto out;
	}
	if ((status = load_config(ep, cfg_arena, path, check_only,
	    &cfg)) != 0)
		goto out;
	ctx.cfg = &cfg;
	if ((status = load_needs(ep, &ctx, cfg_arena, check_only, &salt,
	    kek)) != 0)
		goto out;
	if (check_only) {
		printf("%s: configuration ok\n", path);
		goto out;
	}
	if ((status = start_serving(ep, &ctx, &fr)) != 0)
		goto out;
	while (!stop_requested) {
		if (FCGX_Accept_r(&fr) < 0) {
			if (errno == EINTR && !stop_requested)
				continue;
			break;
		}
		in_request = 1;
		handle_one(ep, &ctx, &fr);
		FCGX_Finish_r(&fr);
		in_request = 0;
	}
	FCGX_Free(&fr, 1);
	oidc_log(OIDC_LOG_INFO, "msg=stopping");
out:
	if (ep->fini != NULL)
		ep->fini(&ctx);
	oidc_db_free(ctx.db);
	oidc_keystore_free(ctx.keystore);
	oidc_arena_free(ctx.a);
	if (salt != NULL)
		oidc_wipe(salt, ctx.pairwise_salt_len);
	oidc_wipe(kek, sizeof(kek));
	oidc_arena_free(cfg_arena);
	return status;
}
