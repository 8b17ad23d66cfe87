/*
 * test_pkce.c: the PKCE helpers of common/oidc/token.c (oidc/token.h).
 *
 * Security regression: pkce_plain_rejected (only S256: the verifier itself
 * sent as the challenge, i.e. the "plain" method, never matches).
 */
#include <string.h>

#include "oidc/str.h"	/* token.h does not include it */
#include "oidc/token.h"

#include "tap.h"

#define RFC_VERIFIER	"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define RFC_CHALLENGE	"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

static struct oidc_str
str(const char *s)
{
	return (struct oidc_str){ s, strlen(s) };
}

struct verifier_case {
	const char	*test;
	size_t		 len;		/* filled with 'a' unless s is set */
	const char	*s;
	bool		 want;
};

static const struct verifier_case vcases[] = {
	{ "verifier 42 chars", 42, NULL, false },
	{ "verifier 43 chars", 43, NULL, true },
	{ "verifier 128 chars", 128, NULL, true },
	{ "verifier 129 chars", 129, NULL, false },
	{ "verifier empty", 0, NULL, false },
	{ "verifier RFC 7636 B", 0, RFC_VERIFIER, true },
	{ "verifier unreserved set", 0,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~",
	    true },
	{ "verifier with +", 0, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa+", false },
	{ "verifier with /", 0, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/", false },
	{ "verifier with =", 0, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=", false },
	{ "verifier with space", 0, "aaaaaaaaaaaaaaaaaaaaa aaaaaaaaaaaaaaaaaaaaa",
	    false },
	{ "verifier with %", 0, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa%41", false },
	{ "verifier with NUL", 0, NULL, false },	/* built below */
	{ "verifier non-ASCII", 0,
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9", false },
};

static void
test_verifier(void)
{
	const struct verifier_case	*c;
	char				 buf[200];
	struct oidc_str			 v;
	size_t				 i;

	for (i = 0; i < OIDC_NELEM(vcases); i++) {
		c = &vcases[i];
		if (c->s != NULL)
			v = str(c->s);
		else if (strcmp(c->test, "verifier with NUL") == 0) {
			memset(buf, 'a', 50);
			buf[20] = '\0';
			v = (struct oidc_str){ buf, 50 };
		} else {
			memset(buf, 'a', c->len);
			buf[c->len] = '\0';
			v = (struct oidc_str){ buf, c->len };
		}
		ok(oidc_pkce_verifier_ok(v) == c->want, "%s", c->test);
	}
	ok(!oidc_pkce_verifier_ok(OIDC_STR_NULL), "verifier absent");
	/* Only len bytes are read: a valid prefix of an invalid string. */
	ok(oidc_pkce_verifier_ok((struct oidc_str){ RFC_VERIFIER "!",
	    sizeof(RFC_VERIFIER) - 1 }), "verifier respects len");
}

static void
test_matches(void)
{
	char	 wrong[] = RFC_VERIFIER;
	char	 chal[] = RFC_CHALLENGE;

	/* RFC 7636 Appendix B. */
	ok(oidc_pkce_matches(str(RFC_VERIFIER), str(RFC_CHALLENGE)),
	    "pkce RFC 7636 appendix B");
	wrong[0] = 'e';
	ok(!oidc_pkce_matches(str(wrong), str(RFC_CHALLENGE)),
	    "pkce wrong verifier");
	chal[42] = 'N';
	ok(!oidc_pkce_matches(str(RFC_VERIFIER), str(chal)),
	    "pkce wrong challenge");
	/* pkce_plain_rejected: challenge == verifier is plain, not S256. */
	ok(!oidc_pkce_matches(str(RFC_VERIFIER), str(RFC_VERIFIER)),
	    "pkce_plain_rejected");
	/* Padding, a prefix, trailing bytes, absent values. */
	ok(!oidc_pkce_matches(str(RFC_VERIFIER), str(RFC_CHALLENGE "=")),
	    "pkce padded challenge");
	ok(!oidc_pkce_matches(str(RFC_VERIFIER), (struct oidc_str){
	    RFC_CHALLENGE, 42 }), "pkce truncated challenge");
	ok(!oidc_pkce_matches(str(RFC_VERIFIER), str("")),
	    "pkce empty challenge");
	ok(!oidc_pkce_matches(str(RFC_VERIFIER), OIDC_STR_NULL),
	    "pkce_missing challenge");
	ok(!oidc_pkce_matches(OIDC_STR_NULL, str(RFC_CHALLENGE)),
	    "pkce_missing verifier");
	/* A malformed verifier never matches, even with its own hash. */
	ok(!oidc_pkce_matches(str("short"),
	    str("+TROF9YAcBnmgEWgSG0BcdhNIN-X7lS2tM3dXhcdmOc")),
	    "pkce short verifier");
	/* Standard base64 of the same hash is not base64url. */
	ok(!oidc_pkce_matches(str(RFC_VERIFIER),
	    str("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM")),
	    "pkce challenge in standard base64");
}

int
main(void)
{
	test_verifier();
	test_matches();
	return done_testing();
}
