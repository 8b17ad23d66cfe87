/*
 * test_grant.c: when a grant yields a refresh token (oidc/grant.h:
 * oidc_grant_offline, oidc_grant_may_refresh, oidc_grant_wants_refresh),
 * the only place that decides it: the statements insert what they are
 * sent (docs/RULES.md).
 *
 * Security regressions: refresh_without_offline_access,
 * refresh_without_grant_type, refresh_disabled_by_ttl.
 */
#include <string.h>

#include "oidc/client.h"
#include "oidc/config.h"
#include "oidc/grant.h"
#include "oidc/scope.h"

#include "tap.h"

static struct oidc_scope
scope_of(const char *s)
{
	struct oidc_scope	 sc;
	struct oidc_error	 err;

	memset(&err, 0, sizeof(err));
	if (oidc_scope_parse((struct oidc_str){ s, strlen(s) }, &sc,
	    &err) == -1)
		sc.n = 0;
	return sc;
}

struct refresh_case {
	const char	*test;
	const char	*scope;
	unsigned	 grant_types;
	int64_t		 ttl;
	bool		 offline, may, wants;
};

static const struct refresh_case cases[] = {
	{ "offline_access, refresh grant type, ttl: refresh",
	    "openid offline_access",
	    OIDC_GT_AUTHORIZATION_CODE | OIDC_GT_REFRESH_TOKEN, 3600,
	    true, true, true },
	{ "refresh_without_offline_access", "openid profile",
	    OIDC_GT_AUTHORIZATION_CODE | OIDC_GT_REFRESH_TOKEN, 3600,
	    false, true, false },
	{ "refresh_without_grant_type", "openid offline_access",
	    OIDC_GT_AUTHORIZATION_CODE, 3600, true, false, false },
	{ "refresh_disabled_by_ttl", "openid offline_access",
	    OIDC_GT_AUTHORIZATION_CODE | OIDC_GT_REFRESH_TOKEN, 0,
	    true, false, false },
	{ "offline_access alone (no openid)", "offline_access",
	    OIDC_GT_REFRESH_TOKEN, 60, true, true, true },
	{ "a value that only contains offline_access", "offline_accessx",
	    OIDC_GT_REFRESH_TOKEN, 60, false, true, false },
	{ "empty scope", "", OIDC_GT_REFRESH_TOKEN, 60, false, true, false },
};

static void
test_refresh(void)
{
	const struct refresh_case	*c;
	struct oidc_config		 cfg;
	struct oidc_client		 cl;
	struct oidc_scope		 sc;
	size_t				 i;

	for (i = 0; i < OIDC_NELEM(cases); i++) {
		c = &cases[i];
		memset(&cfg, 0, sizeof(cfg));
		memset(&cl, 0, sizeof(cl));
		cfg.refresh_token_ttl = c->ttl;
		cl.grant_types = c->grant_types;
		sc = scope_of(c->scope);
		ok(oidc_grant_offline(&sc) == c->offline, "%s: offline",
		    c->test);
		ok(oidc_grant_may_refresh(&cfg, &cl) == c->may,
		    "%s: may refresh", c->test);
		ok(oidc_grant_wants_refresh(&cfg, &cl, &sc) == c->wants,
		    "%s: refresh token", c->test);
	}
}

int
main(void)
{
	test_refresh();
	return done_testing();
}
