/*
 * health.c: the /healthz and /readyz probes (see oidc/health.h).
 */
#include <string.h>

#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/health.h"
#include "oidc/keystore.h"
#include "oidc/log.h"
#include "oidc/request.h"
#include "oidc/response.h"

/* As the 503 of an endpoint whose database is down (http/response.c). */
#define NOT_READY_RETRY_AFTER	"2"

static const struct {
	const char	*prefix;	/* "/healthz" */
	enum oidc_probe	 probe;
} probes[] = {
	{ "/healthz", OIDC_PROBE_LIVE },
	{ "/readyz", OIDC_PROBE_READY },
};

enum oidc_probe
oidc_health_probe(struct oidc_str path, const char *name)
{
	size_t	 i, plen, nlen = strlen(name);

	if (path.p == NULL)
		return OIDC_PROBE_NONE;
	for (i = 0; i < OIDC_NELEM(probes); i++) {
		plen = strlen(probes[i].prefix);
		if (path.len < plen || memcmp(path.p, probes[i].prefix,
		    plen) != 0)
			continue;
		if (path.len == plen)
			return probes[i].probe;
		/* "/readyz/" + this endpoint's name, and nothing after it. */
		if (nlen > 0 && path.len == plen + 1 + nlen &&
		    path.p[plen] == '/' &&
		    memcmp(path.p + plen + 1, name, nlen) == 0)
			return probes[i].probe;
	}
	return OIDC_PROBE_NONE;
}

const char *
oidc_health_probe_name(enum oidc_probe probe)
{
	switch (probe) {
	case OIDC_PROBE_LIVE:
		return "healthz";
	case OIDC_PROBE_READY:
		return "readyz";
	default:
		return "-";
	}
}

static int
answer(struct oidc_response *resp, int status, const char *text,
    struct oidc_error *err)
{
	resp->status = status;
	/*
	 * no-store: a cache between the load balancer and the worker (the
	 * front end's micro-cache, a CDN) must never replay a 200 while
	 * the database is down, nor a 503 once it is back.
	 */
	if (oidc_resp_header(resp, "Content-Type", "text/plain; charset=utf-8",
	    err) == -1 || oidc_resp_no_store(resp, err) == -1)
		return -1;
	if (status == 503 && oidc_resp_header(resp, "Retry-After",
	    NOT_READY_RETRY_AFTER, err) == -1)
		return -1;
	return oidc_buf_append(&resp->body, text, strlen(text), err);
}

int
oidc_health_answer(struct oidc_ctx *ctx, enum oidc_probe probe,
    struct oidc_response *resp, struct oidc_error *err)
{
	struct oidc_error	 why = { 0 };

	if (probe != OIDC_PROBE_READY)
		return answer(resp, 200, "ok\n", err);
	/*
	 * A real round trip, not the connection's last known state: a
	 * server that went away since the last request shows here.
	 */
	if (ctx->db != NULL && oidc_db_ping(ctx->db, &why) == -1) {
		oidc_log_error(OIDC_LOG_WARN, &why, "not ready: database");
		return answer(resp, 503, "not ready: database\n", err);
	}
	/*
	 * Keys: the worker could sign (or, jwks and discovery, publish an
	 * active key) now.  Database keys not yet loaded (the database was
	 * down at start-up) or only pending and retired keys leave none.
	 */
	if (ctx->keystore != NULL &&
	    oidc_keystore_signing_algs(ctx->keystore) == 0) {
		oidc_log(OIDC_LOG_WARN, "msg=\"not ready: keys\" "
		    "detail=\"no active signing key loaded\"");
		return answer(resp, 503, "not ready: keys\n", err);
	}
	return answer(resp, 200, "ok\n", err);
}
