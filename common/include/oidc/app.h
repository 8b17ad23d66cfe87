/*
 * app.h: the FastCGI process: start-up, the accept loop, dispatch.
 *
 * Each cgi-bin/<name>.c declares one struct oidc_endpoint and calls
 * oidc_app_main().  Start-up reads the configuration (OIDC_CONFIG) once and
 * stops with one line naming the key and the problem if it is bad (exit
 * 78), connects to PostgreSQL (a failure is logged, not fatal: requests
 * answer 503 until the database is back), loads the keys (oidc/keystore.h).
 * Then, per request: parse (method, size limits, form), refresh the keys
 * when key_reload_interval has passed or a key's activation time has come
 * (not for /healthz), call the handler, turn an
 * error into the endpoint's error style, write the response, roll back any
 * transaction the handler left open, reset the arena.  SIGTERM/SIGINT:
 * finish the current request and exit 0.  Every endpoint also answers the
 * /healthz and /readyz probes (oidc/health.h) before its method check.
 * Options: --help, --check-config (load everything, exit 0/78), --version
 * ("oidc-fcgi <name> <version>" from the VERSION file, exit 0).
 */
#ifndef OIDC_APP_H
#define OIDC_APP_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/request.h"
#include "oidc/response.h"

struct oidc_ctx;

enum oidc_need {
	OIDC_NEED_DB = 1 << 0,
	OIDC_NEED_SIGNING_KEYS = 1 << 1,
	/* Older name for OIDC_NEED_PUBLIC_KEYS. */
	OIDC_NEED_KEYS_AT_START = 1 << 2,
	/*
	 * Public keys only (jwks, discovery): public copies of the file keys
	 * and the published database keys; the process keeps no secret.
	 */
	OIDC_NEED_PUBLIC_KEYS = 1 << 3,
	/*
	 * Shows clients subject identifiers: reads pairwise_salt_file (when
	 * configured) at start-up into ctx->pairwise_salt (oidc/subject.h).
	 */
	OIDC_NEED_SUBJECTS = 1 << 4,
	/*
	 * May make outbound requests (http/outbound.c: request_uri, client
	 * jwks_uri, sector_identifier_uri).  Without it, and with the
	 * database on a unix socket, `sandbox = yes` also refuses every
	 * open and every IP socket after start-up (sandbox.h).
	 */
	OIDC_NEED_OUTBOUND = 1 << 5,
	/*
	 * Reads or writes the secrets of client_secret_jwt and HS* clients:
	 * reads the key_encryption_key (when configured) at start-up into
	 * ctx->kek, which seals and opens them (oidc/client.h).
	 */
	OIDC_NEED_CLIENT_SECRETS = 1 << 6,
	/*
	 * Opens files while serving (metrics.fcgi reads the metrics
	 * directory, oidc/scrape.h): `sandbox = yes` keeps read-only opens
	 * allowed for it.
	 */
	OIDC_NEED_FILES = 1 << 7
};

/* 0 with *resp built, or -1 with err set (the app renders the error). */
typedef int (*oidc_handler_fn)(struct oidc_ctx *, const struct oidc_request *,
    struct oidc_response *, struct oidc_error *);

struct oidc_endpoint {
	const char		*name;
	unsigned		 methods;	/* OIDC_METHOD_* mask */
	unsigned		 needs;		/* OIDC_NEED_* mask */
	size_t			 max_body;
	enum oidc_body_kind	 body;
	enum oidc_error_style	 errstyle;
	oidc_handler_fn		 handle;
	/* Optional, once after config and keys: may set ctx->ep_state. */
	int			(*init)(struct oidc_ctx *, struct oidc_error *);
	void			(*fini)(struct oidc_ctx *);
};

int	oidc_app_main(const struct oidc_endpoint *, int argc, char *argv[]);

#endif /* OIDC_APP_H */
