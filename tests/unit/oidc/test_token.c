/*
 * test_token.c: the redemption rules of a code (oidc_token_check_code,
 * common/oidc/token.c), the one function both the sealed and the stored
 * path run (docs/RULES.md).
 *
 * Security regressions: code_other_client, code_expired,
 * redirect_uri_prefix, pkce_downgrade_no_verifier,
 * pkce_downgrade_verifier_without_challenge, pkce_wrong_verifier.
 */
#include <string.h>

#include "oidc/db.h"
#include "oidc/token.h"

#include "tap.h"

#define RFC_VERIFIER	"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define RFC_CHALLENGE	"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
#define RURI		"https://rp.example/cb"

static struct oidc_str
str(const char *s)
{
	return s == NULL ? OIDC_STR_NULL : (struct oidc_str){ s, strlen(s) };
}

struct code_case {
	const char	*test;
	const char	*challenge;	/* the code's */
	bool		 expired;
	const char	*client;	/* the request's */
	const char	*ruri;
	const char	*verifier;
	const char	*desc;		/* NULL: accepted */
};

static const struct code_case cases[] = {
	{ "code accepted with PKCE", RFC_CHALLENGE, false, "A", RURI,
	    RFC_VERIFIER, NULL },
	{ "code accepted without PKCE", NULL, false, "A", RURI, NULL, NULL },
	{ "code_other_client", NULL, false, "B", RURI, NULL,
	    "the code was issued to another client" },
	{ "code_other_client is checked before expiry", NULL, true, "B", RURI,
	    NULL, "the code was issued to another client" },
	{ "code_expired", RFC_CHALLENGE, true, "A", RURI, RFC_VERIFIER,
	    "the code has expired" },
	{ "redirect_uri_prefix", NULL, false, "A", RURI "/x", NULL,
	    "redirect_uri does not match the authorization request" },
	{ "redirect_uri absent", NULL, false, "A", NULL, NULL,
	    "redirect_uri does not match the authorization request" },
	{ "pkce_downgrade_no_verifier", RFC_CHALLENGE, false, "A", RURI, NULL,
	    "code_verifier is required" },
	{ "pkce_wrong_verifier", RFC_CHALLENGE, false, "A", RURI,
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "code_verifier does not match" },
	{ "pkce_plain_rejected (the challenge as verifier)", RFC_CHALLENGE,
	    false, "A", RURI, RFC_CHALLENGE, "code_verifier does not match" },
	{ "pkce_downgrade_verifier_without_challenge", NULL, false, "A", RURI,
	    RFC_VERIFIER,
	    "code_verifier sent for a code issued without code_challenge" },
};

static void
test_check_code(void)
{
	const struct code_case	*c;
	struct oidc_code_row	 row;
	struct oidc_error	 err;
	size_t			 i;
	int			 rc;

	for (i = 0; i < OIDC_NELEM(cases); i++) {
		c = &cases[i];
		memset(&row, 0, sizeof(row));
		memset(&err, 0, sizeof(err));
		row.client_id = str("A");
		row.redirect_uri = str(RURI);
		row.code_challenge = str(c->challenge);
		rc = oidc_token_check_code(&row, c->expired, str(c->client),
		    str(c->ruri), str(c->verifier), &err);
		if (c->desc == NULL) {
			is_int(rc, 0, c->test);
			continue;
		}
		ok(rc == -1 && err.code == OIDC_E_INVALID_GRANT &&
		    err.public_desc != NULL &&
		    strcmp(err.public_desc, c->desc) == 0, "%s: %s", c->test,
		    err.public_desc != NULL ? err.public_desc : "(none)");
	}
}

int
main(void)
{
	test_check_code();
	return done_testing();
}
