/*
 * test_cors.c: which origins CORS may allow (oidc/cors.h:
 * oidc_cors_origin_of, oidc_cors_origin_ok), decided in C only; the
 * preflight's lookup (stmt.c, client_origin_known) is sent only origins
 * oidc_cors_origin_ok accepts.
 *
 * Security regressions: origin_with_path, origin_crlf, origin_null.
 */
#include <string.h>

#include "oidc/cors.h"

#include "tap.h"

static struct oidc_str
str(const char *s)
{
	return (struct oidc_str){ s, strlen(s) };
}

static void
test_origin_of(void)
{
	static const struct { const char *uri, *want; } cases[] = {
		{ "https://rp.example/cb", "https://rp.example" },
		{ "https://rp.example:8443/cb?x=1", "https://rp.example:8443" },
		{ "https://rp.example?x=1", "https://rp.example" },
		{ "https://rp.example#f", "https://rp.example" },
		{ "https://rp.example", "https://rp.example" },
		{ "com.example.app:/cb", NULL },
		{ "rp.example/cb", NULL },
	};
	struct oidc_str	 o;
	size_t		 i;

	for (i = 0; i < OIDC_NELEM(cases); i++) {
		o = oidc_cors_origin_of(str(cases[i].uri));
		if (cases[i].want == NULL)
			ok(o.p == NULL, "origin_of %s: none", cases[i].uri);
		else
			ok(o.p != NULL && o.len == strlen(cases[i].want) &&
			    memcmp(o.p, cases[i].want, o.len) == 0,
			    "origin_of %s", cases[i].uri);
	}
}

static void
test_origin_ok(void)
{
	static const struct { const char *origin; bool want; } cases[] = {
		{ "https://rp.example", true },
		{ "http://localhost:8080", true },
		{ "origin_with_path https://rp.example/cb", false },
		{ "https://rp.example/cb", false },
		{ "https://rp.example/", false },
		{ "https://rp.example?x", false },
		{ "https://rp.example#x", false },
		{ "https://", false },
		{ "null", false },
		{ "", false },
		{ "https://rp.example\r\nX-Evil: 1", false },
	};
	char		 big[OIDC_CORS_MAX_ORIGIN + 2];
	size_t		 i;

	for (i = 0; i < OIDC_NELEM(cases); i++)
		ok(oidc_cors_origin_ok(str(cases[i].origin)) == cases[i].want,
		    "origin_ok \"%s\": %s", cases[i].origin,
		    cases[i].want ? "yes" : "no");
	ok(!oidc_cors_origin_ok(OIDC_STR_NULL), "origin_ok NULL: no");
	memset(big, 'a', sizeof(big));
	memcpy(big, "https://", 8);
	ok(oidc_cors_origin_ok((struct oidc_str){ big, OIDC_CORS_MAX_ORIGIN }),
	    "origin_ok at the limit");
	ok(!oidc_cors_origin_ok((struct oidc_str){ big,
	    OIDC_CORS_MAX_ORIGIN + 1 }), "origin_ok above the limit");
}

int
main(void)
{
	test_origin_of();
	test_origin_ok();
	return done_testing();
}
