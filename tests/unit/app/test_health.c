/*
 * test_health.c: the /healthz and /readyz probes (common/app/health.c).
 *
 * The path rule is a table: only the exact probe paths, bare or with this
 * endpoint's own name, are probes; a trailing slash, another endpoint's
 * name, a prefix, a longer name, a case change or an embedded NUL is an
 * ordinary request.  Then the answers: liveness and an unchecked
 * readiness are 200 "ok" with no-store; readiness with a database that
 * cannot be reached (a socket directory that does not exist) is 503 "not
 * ready: database" with Retry-After and no-store, and says nothing more.
 * The integration test t/23-health.py runs the probes through nginx with
 * the database down.
 */
#include <stdio.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/health.h"
#include "oidc/log.h"
#include "oidc/response.h"

#include "tap.h"

#define S(lit)	{ lit, sizeof(lit) - 1 }

struct probe_case {
	const char	*test;
	struct oidc_str	 path;
	enum oidc_probe	 want;
};

static const struct probe_case cases[] = {
	{ "liveness", S("/healthz"), OIDC_PROBE_LIVE },
	{ "readiness", S("/readyz"), OIDC_PROBE_READY },
	{ "own liveness", S("/healthz/token"), OIDC_PROBE_LIVE },
	{ "own readiness", S("/readyz/token"), OIDC_PROBE_READY },
	{ "another endpoint's", S("/readyz/jwks"), OIDC_PROBE_NONE },
	{ "same length, other name", S("/readyz/nekot"), OIDC_PROBE_NONE },
	{ "longer name", S("/readyz/tokenx"), OIDC_PROBE_NONE },
	{ "shorter name", S("/readyz/toke"), OIDC_PROBE_NONE },
	{ "trailing slash", S("/readyz/"), OIDC_PROBE_NONE },
	{ "name and slash", S("/readyz/token/"), OIDC_PROBE_NONE },
	{ "no separator", S("/readyztoken"), OIDC_PROBE_NONE },
	{ "other separator", S("/readyz-token"), OIDC_PROBE_NONE },
	{ "prefix only", S("/ready"), OIDC_PROBE_NONE },
	{ "longer word", S("/healthzz"), OIDC_PROBE_NONE },
	{ "under a path", S("/token/readyz"), OIDC_PROBE_NONE },
	{ "mounted elsewhere", S("/oidc/healthz"), OIDC_PROBE_NONE },
	{ "case", S("/HEALTHZ"), OIDC_PROBE_NONE },
	{ "relative", S("healthz"), OIDC_PROBE_NONE },
	{ "empty", S(""), OIDC_PROBE_NONE },
	{ "root", S("/"), OIDC_PROBE_NONE },
	{ "the endpoint", S("/token"), OIDC_PROBE_NONE },
	{ "NUL after", S("/healthz\0"), OIDC_PROBE_NONE },
	{ "NUL in name", S("/readyz/tok\0n"), OIDC_PROBE_NONE },
	{ "query kept", S("/readyz?x=1"), OIDC_PROBE_NONE },
};

static void
test_paths(void)
{
	size_t	 i;

	for (i = 0; i < OIDC_NELEM(cases); i++)
		is_int(oidc_health_probe(cases[i].path, "token"),
		    cases[i].want, cases[i].test);
	is_int(oidc_health_probe(OIDC_STR_NULL, "token"), OIDC_PROBE_NONE,
	    "NULL path");
	is_int(oidc_health_probe((struct oidc_str)S("/readyz/"), ""),
	    OIDC_PROBE_NONE, "empty name: no bare slash");
	is_int(oidc_health_probe((struct oidc_str)
	    S("/readyz/end_session"), "end_session"), OIDC_PROBE_READY,
	    "name with an underscore");
	is_str(oidc_health_probe_name(OIDC_PROBE_LIVE), "healthz", "name live");
	is_str(oidc_health_probe_name(OIDC_PROBE_READY), "readyz",
	    "name ready");
	is_str(oidc_health_probe_name(OIDC_PROBE_NONE), "-", "name none");
}

/* The serialised response, NUL-terminated in the arena. */
static const char *
wire(struct oidc_response *resp)
{
	struct oidc_error	 err = { 0 };
	struct oidc_str		 out;

	if (oidc_resp_serialize(resp, &out, &err) == -1)
		return "";
	return oidc_arena_strndup(resp->a, out.p, out.len);
}

static void
test_answers(struct oidc_arena *a)
{
	struct oidc_ctx		 ctx;
	struct oidc_response	 resp;
	struct oidc_error	 err = { 0 };
	const char		*w;

	memset(&ctx, 0, sizeof(ctx));
	ctx.a = a;

	oidc_resp_init(&resp, a);
	is_int(oidc_health_answer(&ctx, OIDC_PROBE_LIVE, &resp, &err), 0,
	    "live: built");
	w = wire(&resp);
	ok(strncmp(w, "Status: 200", 11) == 0, "live: 200");
	ok(strstr(w, "Cache-Control: no-store\r\n") != NULL, "live: no-store");
	ok(strstr(w, "Content-Type: text/plain") != NULL, "live: text");
	ok(strstr(w, "\r\n\r\nok\n") != NULL, "live: body ok");

	/* Nothing to check (no database, no keys): ready. */
	oidc_resp_init(&resp, a);
	is_int(oidc_health_answer(&ctx, OIDC_PROBE_READY, &resp, &err), 0,
	    "ready, nothing held: built");
	ok(strncmp(wire(&resp), "Status: 200", 11) == 0,
	    "ready, nothing held: 200");

	/* A database that cannot be reached. */
	ctx.db = oidc_db_new("host=/nonexistent/oidc-test dbname=x", 1);
	ok(ctx.db != NULL, "db handle");
	oidc_resp_init(&resp, a);
	is_int(oidc_health_answer(&ctx, OIDC_PROBE_READY, &resp, &err), 0,
	    "ready, database down: built (not a request error)");
	is_int(err.code, OIDC_E_NONE, "ready, database down: err untouched");
	w = wire(&resp);
	ok(strncmp(w, "Status: 503", 11) == 0, "ready, database down: 503");
	ok(strstr(w, "Retry-After: ") != NULL,
	    "ready, database down: Retry-After");
	ok(strstr(w, "Cache-Control: no-store\r\n") != NULL,
	    "ready, database down: no-store");
	ok(strstr(w, "\r\n\r\nnot ready: database\n") != NULL &&
	    strstr(w, "nonexistent") == NULL,
	    "ready, database down: the reason, no detail");

	/* Liveness never asks the database. */
	oidc_resp_init(&resp, a);
	is_int(oidc_health_answer(&ctx, OIDC_PROBE_LIVE, &resp, &err), 0,
	    "live, database down: built");
	ok(strncmp(wire(&resp), "Status: 200", 11) == 0,
	    "live, database down: 200");
	oidc_db_free(ctx.db);
}

int
main(void)
{
	struct oidc_arena	*a;

	/* The failed readiness check logs a WARN line; keep stderr quiet. */
	oidc_log_setup("test_health", OIDC_LOG_ERROR);
	test_paths();
	if ((a = oidc_arena_new(4096, 1 << 20)) == NULL)
		return 1;
	test_answers(a);
	oidc_arena_free(a);
	return done_testing();
}
