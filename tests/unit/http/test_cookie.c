/*
 * test_cookie.c: finding one cookie in a Cookie header
 * (common/http/cookie.c).
 */
#include <stdlib.h>
#include <string.h>

#include "oidc/cookie.h"

#include "tap.h"

#define S(lit)	lit, sizeof(lit) - 1

struct cookie_case {
	const char	*test;
	const char	*hdr;
	size_t		 len;
	const char	*name;
	int		 rc;
	enum oidc_errcode code;
	const char	*want;
};

static const struct cookie_case cases[] = {
	{ "single", S("sid=abc"), "sid", 1, OIDC_E_NONE, "abc" },
	{ "among others", S("a=1; sid=abc; b=2"), "sid", 1, OIDC_E_NONE,
	    "abc" },
	{ "absent", S("a=1; b=2"), "sid", 0, OIDC_E_NONE, NULL },
	{ "empty header", S(""), "sid", 0, OIDC_E_NONE, NULL },
	{ "name is case-sensitive", S("SID=abc"), "sid", 0, OIDC_E_NONE,
	    NULL },
	{ "prefix is not a match", S("sidx=abc; xsid=d"), "sid", 0,
	    OIDC_E_NONE, NULL },
	{ "no space after ';'", S("a=1;sid=abc"), "sid", 1, OIDC_E_NONE,
	    "abc" },
	{ "surrounding whitespace", S(" \tsid=abc \t;b=1"), "sid", 1,
	    OIDC_E_NONE, "abc" },
	{ "empty value", S("sid="), "sid", 1, OIDC_E_NONE, "" },
	{ "value with '='", S("sid=a=b"), "sid", 1, OIDC_E_NONE, "a=b" },
	{ "base64url value", S("sid=AZaz09-_"), "sid", 1, OIDC_E_NONE,
	    "AZaz09-_" },
	/* cookie_quoted_value: RFC 6265 4.1.1 DQUOTE *cookie-octet DQUOTE. */
	{ "cookie_quoted_value", S("sid=\"abc\""), "sid", 1, OIDC_E_NONE,
	    "abc" },
	{ "cookie_quoted_value empty", S("sid=\"\""), "sid", 1, OIDC_E_NONE,
	    "" },
	{ "cookie_quoted_value unbalanced", S("sid=\"abc"), "sid", -1,
	    OIDC_E_INVALID_REQUEST, NULL },
	{ "cookie_quoted_value lone quote", S("sid=\""), "sid", -1,
	    OIDC_E_INVALID_REQUEST, NULL },
	{ "cookie_quoted_value inner quote", S("sid=\"a\"b\""), "sid", -1,
	    OIDC_E_INVALID_REQUEST, NULL },
	/* cookie_duplicate_refused: cookie tossing from a sibling domain. */
	{ "cookie_duplicate_refused", S("sid=attacker; sid=victim"), "sid",
	    -1, OIDC_E_INVALID_REQUEST, NULL },
	{ "cookie_duplicate_refused same value", S("sid=a; x=1; sid=a"),
	    "sid", -1, OIDC_E_INVALID_REQUEST, NULL },
	{ "cookie_duplicate_refused empty first", S("sid=; sid=a"), "sid",
	    -1, OIDC_E_INVALID_REQUEST, NULL },
	{ "other duplicates are not ours", S("a=1; a=2; sid=x"), "sid", 1,
	    OIDC_E_NONE, "x" },
	{ "malformed others skipped", S("junk; =x; a\x01=\x7f; sid=ok"),
	    "sid", 1, OIDC_E_NONE, "ok" },
	{ "bad octet in ours: space", S("sid=a b"), "sid", -1,
	    OIDC_E_INVALID_REQUEST, NULL },
	{ "bad octet in ours: comma", S("sid=a,b"), "sid", -1,
	    OIDC_E_INVALID_REQUEST, NULL },
	{ "bad octet in ours: backslash", S("sid=a\\b"), "sid", -1,
	    OIDC_E_INVALID_REQUEST, NULL },
	{ "bad octet in ours: NUL", S("sid=a\0b"), "sid", -1,
	    OIDC_E_INVALID_REQUEST, NULL },
	{ "bad octet in ours: 8-bit", S("sid=\xc3\xa9"), "sid", -1,
	    OIDC_E_INVALID_REQUEST, NULL },
	{ "NUL does not end the header", S("a=1\0; sid=x"), "sid", 1,
	    OIDC_E_NONE, "x" },
	{ "empty name never matches", S("=x"), "", 0, OIDC_E_NONE, NULL },
};

static void
run_cases(void)
{
	const struct cookie_case	*c;
	struct oidc_error		 err;
	struct oidc_str			 out;
	size_t				 i;
	int				 rc;

	for (i = 0; i < OIDC_NELEM(cases); i++) {
		c = &cases[i];
		oidc_error_clear(&err);
		out = OIDC_STR("untouched");
		rc = oidc_cookie_find(c->hdr, c->len, c->name, &out, &err);
		is_int(rc, c->rc, c->test);
		is_int(err.code, c->code, c->test);
		if (rc == 1) {
			is_mem(out.p, out.len, c->want, strlen(c->want),
			    c->test);
			ok(out.p >= c->hdr && out.p + out.len <= c->hdr +
			    c->len, "%s: points into the header", c->test);
		} else
			ok(oidc_str_eq_cstr(out, "untouched"),
			    "%s: output untouched", c->test);
	}
}

static void
test_limits(void)
{
	struct oidc_error	 err;
	struct oidc_str		 out;
	char			*h;
	size_t			 i, len;

	/* Header length: OIDC_COOKIE_MAX_HEADER passes, one more fails. */
	h = malloc(OIDC_COOKIE_MAX_HEADER + 1);
	memcpy(h, "sid=", 4);
	memset(h + 4, 'v', OIDC_COOKIE_MAX_HEADER - 3);
	oidc_error_clear(&err);
	is_int(oidc_cookie_find(h, OIDC_COOKIE_MAX_HEADER, "sid", &out, &err),
	    1, "header length max");
	is_int(out.len, OIDC_COOKIE_MAX_HEADER - 4, "header length max: len");
	oidc_error_clear(&err);
	is_int(oidc_cookie_find(h, OIDC_COOKIE_MAX_HEADER + 1, "sid", &out,
	    &err), -1, "header length +1");
	is_int(err.code, OIDC_E_LIMIT, "header length +1: LIMIT");
	free(h);

	/* Cookie count: 64 pairs pass, 65 fail, wherever ours is. */
	h = malloc(OIDC_COOKIE_MAX_COUNT * 4 + 16);
	len = 0;
	memcpy(h, "sid=x", 5);
	len = 5;
	for (i = 1; i < OIDC_COOKIE_MAX_COUNT; i++) {
		memcpy(h + len, "; a=", 4);
		len += 4;
	}
	oidc_error_clear(&err);
	is_int(oidc_cookie_find(h, len, "sid", &out, &err), 1,
	    "cookie count max");
	memcpy(h + len, "; a=", 4);
	oidc_error_clear(&err);
	is_int(oidc_cookie_find(h, len + 4, "sid", &out, &err), -1,
	    "cookie count +1");
	is_int(err.code, OIDC_E_LIMIT, "cookie count +1: LIMIT");
	free(h);
}

int
main(void)
{
	run_cases();
	test_limits();
	return done_testing();
}
