/*
 * health.h: the liveness and readiness probes every worker answers
 * (issue 20 item 11).
 *
 * app.c asks oidc_health_probe() about each request's path before the
 * endpoint's method check, so every endpoint binary answers, for GET and
 * HEAD:
 *
 *   /healthz, /healthz/<name>   liveness: 200 "ok".  The process accepts
 *                               and answers; no database, no keys (app.c
 *                               skips even the key refresh).
 *   /readyz, /readyz/<name>     readiness: 200 "ok" when one round trip to
 *                               the database succeeds (oidc_db_ping) and,
 *                               in a worker that holds keys, at least one
 *                               algorithm has an active key loaded
 *                               (private in a signing worker); else 503
 *                               "not ready: database" or "not ready:
 *                               keys" with Retry-After.
 *
 * <name> is the endpoint's own name (token, jwks, discovery, ...): the
 * front end routes /readyz/<name> to that endpoint's socket, and a path
 * naming another endpoint is not a probe here (a misrouted location shows
 * as the endpoint's usual 404 or 405, not as a healthy answer from the
 * wrong worker).  Whole-deployment /healthz and /readyz go to one worker
 * of the front end's choice (deploy/nginx/oidc.conf.in: token).
 *
 * Every answer is text/plain with Cache-Control: no-store, and says
 * nothing more than "ok" or the failed resource: the reason's detail goes
 * to the log only.  What this module does NOT do: aggregate endpoints
 * (each worker reports itself), check outbound reachability, or count as
 * an endpoint request for throttling.
 */
#ifndef OIDC_HEALTH_H
#define OIDC_HEALTH_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

struct oidc_ctx;
struct oidc_response;

enum oidc_probe {
	OIDC_PROBE_NONE = 0,	/* an ordinary request */
	OIDC_PROBE_LIVE,	/* /healthz */
	OIDC_PROBE_READY,	/* /readyz */
	OIDC_PROBE__MAX
};

/*
 * Which probe `path` (the request path, without the query) names for the
 * endpoint called `name`: an exact, case-sensitive match of "/healthz",
 * "/healthz/<name>", "/readyz" or "/readyz/<name>".  Anything else,
 * including a trailing slash, another endpoint's name and a NULL path, is
 * OIDC_PROBE_NONE.
 */
enum oidc_probe	oidc_health_probe(struct oidc_str path, const char *name);

/* "healthz", "readyz" (for the log), or "-" for OIDC_PROBE_NONE. */
const char	*oidc_health_probe_name(enum oidc_probe);

/*
 * Build the answer to `probe` (LIVE or READY) in *resp: 200 or 503 as
 * above.  Readiness uses ctx->db and ctx->keystore when set (a worker
 * without them has nothing to check); a failed check is logged at WARN
 * with its detail and is not an error of the request.  0, or -1 with err
 * set only when the response cannot be built (out of memory).
 */
OIDC_MUST_CHECK int	oidc_health_answer(struct oidc_ctx *, enum oidc_probe,
			    struct oidc_response *, struct oidc_error *);

#endif /* OIDC_HEALTH_H */
