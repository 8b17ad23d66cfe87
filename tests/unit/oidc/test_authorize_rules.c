/*
 * test_authorize_rules.c: the session and consent decisions of the
 * authorization endpoint (common/oidc/authorize_rules.c, authorize_int.h):
 * when the user must sign in again (no session, prompt=login or
 * select_account, max_age, a fresh login, id_token_hint), and when a
 * stored consent covers a request.  No database.
 *
 * Security regressions: max_age_ignored, prompt_login_ignored,
 * hint_other_user (a session of another user than id_token_hint's),
 * consent_widened (a scope or single claim never granted).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/client.h"
#include "oidc/config.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/error.h"
#include "oidc/scope.h"

#include "../../../common/oidc/authorize_int.h"

#include "tap.h"

#define NOW	1700000000LL

static struct oidc_arena	*a;
static struct oidc_config	 cfg;
static struct oidc_ctx		 ctx;

static struct oidc_str
str(const char *s)
{
	return s == NULL ? (struct oidc_str)OIDC_STR_NULL :
	    (struct oidc_str){ s, strlen(s) };
}

struct login_case {
	const char	*test;
	bool		 has_session;
	bool		 fresh;		/* this request's login page */
	const char	*prompt;	/* login, select_account, none */
	long long	 max_age;	/* -1: none */
	long long	 age;		/* now - auth_time */
	const char	*hint_sub;	/* NULL: no id_token_hint */
	int		 want;
	bool		 want_mismatch;
};

static const struct login_case lcases[] = {
	{ "no session: sign in", false, false, NULL, -1, 0, NULL, 1, false },
	{ "a session, nothing asked: no sign-in", true, false, NULL, -1, 5000,
	    NULL, 0, false },
	{ "prompt_login_ignored: prompt=login", true, false, "login", -1, 1,
	    NULL, 1, false },
	{ "prompt=login after this request's own login page: no sign-in",
	    true, true, "login", -1, 1, NULL, 0, false },
	{ "prompt=select_account", true, false, "select_account", -1, 1, NULL,
	    1, false },
	{ "prompt=none with a session: no sign-in", true, false, "none", -1,
	    1, NULL, 0, false },
	{ "max_age_ignored: max_age 300, signed in 300 s ago", true, false,
	    NULL, 300, 300, NULL, 1, false },
	{ "max_age 300, signed in 299 s ago: no sign-in", true, false, NULL,
	    300, 299, NULL, 0, false },
	{ "max_age 0: always sign in", true, false, NULL, 0, 0, NULL, 1,
	    false },
	{ "max_age 0 after this request's own login page: no sign-in", true,
	    true, NULL, 0, 0, NULL, 0, false },
	{ "no session, max_age 0 and a fresh login: sign in", false, true,
	    NULL, 0, 0, NULL, 1, false },
	{ "id_token_hint of the session's user: no sign-in", true, false,
	    NULL, -1, 1, "alice-sub", 0, false },
	{ "hint_other_user: id_token_hint of another user", true, false,
	    NULL, -1, 1, "bob-sub", 1, true },
	{ "hint_other_user even after a fresh login", true, true, NULL, -1, 1,
	    "bob-sub", 1, true },
	{ "no session and a hint: sign in, no mismatch reported", false,
	    false, NULL, -1, 1, "bob-sub", 1, false },
};

static void
test_must_login(void)
{
	const struct login_case	*c;
	struct oidc_session_row	 s;
	struct oidc_error	 err;
	struct authz		 ar;
	struct oidc_str		 aud = str("rp1");
	bool			 mismatch;
	size_t			 i;
	int			 rc;

	for (i = 0; i < OIDC_NELEM(lcases); i++) {
		c = &lcases[i];
		memset(&ar, 0, sizeof(ar));
		memset(&s, 0, sizeof(s));
		memset(&err, 0, sizeof(err));
		ar.client.client_id = str("rp1");
		ar.p_login = c->prompt != NULL &&
		    strcmp(c->prompt, "login") == 0;
		ar.p_select = c->prompt != NULL &&
		    strcmp(c->prompt, "select_account") == 0;
		ar.p_none = c->prompt != NULL && strcmp(c->prompt, "none") == 0;
		ar.has_max_age = c->max_age >= 0;
		ar.max_age = c->max_age;
		if (c->hint_sub != NULL) {
			ar.hint_sub = str(c->hint_sub);
			ar.hint_aud = &aud;
			ar.n_hint_aud = 1;
		}
		s.sub = str("alice-sub");
		s.auth_time = NOW - c->age;
		mismatch = !c->want_mismatch;
		rc = oidc_authz_must_login(&ctx, &ar, &s, c->has_session,
		    c->fresh, &mismatch, &err);
		if (!ok(rc == c->want && mismatch == c->want_mismatch, "%s",
		    c->test))
			diag("rc %d mismatch %d: %s", rc, mismatch, err.detail);
	}
}

struct consent_case {
	const char	*test;
	const char	*scope;		/* requested */
	const char	*claims;	/* requested claims parameter */
	const char	*granted;	/* stored scope */
	const char	*granted_claims;
	bool		 want;
};

static const struct consent_case ccases[] = {
	{ "the same scope: covered", "openid email", NULL, "openid email",
	    "", true },
	{ "less than granted: covered", "openid", NULL, "openid email", "",
	    true },
	{ "consent_widened: a scope value never granted", "openid email "
	    "profile", NULL, "openid email", "", false },
	{ "nothing stored", "openid", NULL, NULL, NULL, false },
	{ "a single claim granted by name: covered", "openid",
	    "{\"userinfo\":{\"phone_number\":null}}", "openid",
	    "phone_number", true },
	{ "a single claim that comes with a granted scope: covered", "openid",
	    "{\"userinfo\":{\"phone_number\":null}}", "openid phone", "",
	    true },
	{ "consent_widened: a single claim never granted", "openid",
	    "{\"id_token\":{\"email\":{\"essential\":true}}}", "openid",
	    "phone_number", false },
	{ "an unreadable stored scope: not covered", "openid", NULL,
	    "openid  email", "", false },
};

static void
test_consent(void)
{
	const struct consent_case	*c;
	struct oidc_error		 err;
	struct oidc_consent_row		 stored;
	struct authz			 ar;
	size_t				 i;

	for (i = 0; i < OIDC_NELEM(ccases); i++) {
		c = &ccases[i];
		memset(&ar, 0, sizeof(ar));
		memset(&err, 0, sizeof(err));
		if (oidc_scope_parse(str(c->scope), &ar.scope, &err) == -1) {
			ok(0, "%s: scope parses", c->test);
			continue;
		}
		ar.claims = str(c->claims);
		stored.scope = str(c->granted);
		stored.claims = str(c->granted_claims);
		ok(oidc_authz_consent_covers(&ctx, &ar, stored) == c->want,
		    "%s", c->test);
	}
}

int
main(void)
{
	static const char	 conf[] = "issuer = https://id.example\n"
	    "database = dbname=x\n";
	struct oidc_error	 err = { 0 };

	if ((a = oidc_arena_new(8192, 8 << 20)) == NULL)
		return 1;
	if (oidc_config_parse(a, "t", conf, sizeof(conf) - 1, &cfg,
	    &err) == -1)
		return 1;
	ctx.a = a;
	ctx.cfg = &cfg;
	ctx.now = (time_t)NOW;
	test_must_login();
	test_consent();
	oidc_arena_free(a);
	return done_testing();
}
