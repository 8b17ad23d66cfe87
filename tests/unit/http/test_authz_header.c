/*
 * test_authz_header.c: Basic and Bearer Authorization headers
 * (common/http/authz_header.c).
 */
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/authz_header.h"
#include "oidc/b64url.h"

#include "tap.h"

#define S(lit)	lit, sizeof(lit) - 1

struct basic_case {
	const char	*test;
	const char	*hdr;
	size_t		 len;
	int		 rc;
	enum oidc_errcode code;
	const char	*id;
	const char	*secret;
	size_t		 secretlen;
};

static const struct basic_case basic_cases[] = {
	/* "client:secret" */
	{ "basic", S("Basic Y2xpZW50OnNlY3JldA=="), 1, OIDC_E_NONE, "client",
	    S("secret") },
	/* basic_case_insensitive_scheme: RFC 7235 2.1. */
	{ "basic_case_insensitive_scheme lower",
	    S("basic Y2xpZW50OnNlY3JldA=="), 1, OIDC_E_NONE, "client",
	    S("secret") },
	{ "basic_case_insensitive_scheme upper",
	    S("BASIC Y2xpZW50OnNlY3JldA=="), 1, OIDC_E_NONE, "client",
	    S("secret") },
	{ "basic_case_insensitive_scheme mixed",
	    S("bAsIc Y2xpZW50OnNlY3JldA=="), 1, OIDC_E_NONE, "client",
	    S("secret") },
	/* basic_colon_in_secret: "client:se:cr:et", split at the FIRST ':'. */
	{ "basic_colon_in_secret", S("Basic Y2xpZW50OnNlOmNyOmV0"), 1,
	    OIDC_E_NONE, "client", S("se:cr:et") },
	/* basic_urlencoded_credentials: "a%3Ab:pw", RFC 6749 2.3.1. */
	{ "basic_urlencoded_credentials", S("Basic YSUzQWI6cHc="), 1,
	    OIDC_E_NONE, "a:b", S("pw") },
	/* "my+client:p%40ss+word": '+' is SP, "%40" is '@'. */
	{ "basic_urlencoded_credentials plus and at",
	    S("Basic bXkrY2xpZW50OnAlNDBzcyt3b3Jk"), 1, OIDC_E_NONE,
	    "my client", S("p@ss word") },
	/* "client:" : an empty secret is for the caller to judge. */
	{ "basic empty secret", S("Basic Y2xpZW50Og=="), 1, OIDC_E_NONE,
	    "client", S("") },
	{ "not basic: bearer", S("Bearer abc"), 0, OIDC_E_NONE, NULL,
	    NULL, 0 },
	{ "not basic: empty", S(""), 0, OIDC_E_NONE, NULL, NULL, 0 },
	{ "not basic: prefix", S("Basicx Y2xpZW50OnNlY3JldA=="), 0,
	    OIDC_E_NONE, NULL, NULL, 0 },
	{ "not basic: digest", S("Digest username=x"), 0, OIDC_E_NONE, NULL,
	    NULL, 0 },
	/* ":secret": empty client id. */
	{ "basic empty id", S("Basic OnNlY3JldA=="), -1, OIDC_E_INVALID_CLIENT,
	    NULL, NULL, 0 },
	{ "basic no colon", S("Basic bm9jb2xvbg=="), -1,
	    OIDC_E_INVALID_CLIENT, NULL, NULL, 0 },
	{ "basic no credentials", S("Basic"), -1, OIDC_E_INVALID_CLIENT,
	    NULL, NULL, 0 },
	{ "basic only SP", S("Basic "), -1, OIDC_E_INVALID_CLIENT, NULL,
	    NULL, 0 },
	{ "basic two SP", S("Basic  Y2xpZW50OnNlY3JldA=="), -1,
	    OIDC_E_INVALID_CLIENT, NULL, NULL, 0 },
	{ "basic tab", S("Basic\tY2xpZW50OnNlY3JldA=="), -1,
	    OIDC_E_INVALID_CLIENT, NULL, NULL, 0 },
	/* basic_bad_base64: strict RFC 4648 section 4 only. */
	{ "basic_bad_base64 missing padding", S("Basic Y2xpZW50OnNlY3JldA"),
	    -1, OIDC_E_INVALID_CLIENT, NULL, NULL, 0 },
	{ "basic_bad_base64 trailing space", S("Basic Y2xpZW50OnNlY3JldA== "),
	    -1, OIDC_E_INVALID_CLIENT, NULL, NULL, 0 },
	{ "basic_bad_base64 inner space", S("Basic Y2xp ZW50OnNlY3JldA=="),
	    -1, OIDC_E_INVALID_CLIENT, NULL, NULL, 0 },
	{ "basic_bad_base64 url alphabet", S("Basic YQBiOng-"), -1,
	    OIDC_E_INVALID_CLIENT, NULL, NULL, 0 },
	{ "basic_bad_base64 trailing bits", S("Basic Yzp="), -1,
	    OIDC_E_INVALID_CLIENT, NULL, NULL, 0 },
	{ "basic_bad_base64 padding inside", S("Basic Yz==Yzpz"), -1,
	    OIDC_E_INVALID_CLIENT, NULL, NULL, 0 },
	{ "basic_bad_base64 too much padding", S("Basic Y==="), -1,
	    OIDC_E_INVALID_CLIENT, NULL, NULL, 0 },
	/* "a%zz:x": a bad escape after base64. */
	{ "basic bad escape", S("Basic YSV6ejp4"), -1, OIDC_E_INVALID_CLIENT,
	    NULL, NULL, 0 },
	/* "a:x%00" and "a\0b:x": NUL in either half. */
	{ "basic nul_in_param encoded", S("Basic YTp4JTAw"), -1,
	    OIDC_E_INVALID_CLIENT, NULL, NULL, 0 },
	{ "basic nul_in_param raw", S("Basic YQBiOng="), -1,
	    OIDC_E_INVALID_CLIENT, NULL, NULL, 0 },
};

static void
run_basic(struct oidc_arena *a)
{
	const struct basic_case	*c;
	struct oidc_error	 err;
	struct oidc_str		 id, secret;
	size_t			 i;
	int			 rc;

	for (i = 0; i < OIDC_NELEM(basic_cases); i++) {
		c = &basic_cases[i];
		oidc_error_clear(&err);
		id = secret = OIDC_STR_NULL;
		rc = oidc_authz_parse_basic(a, c->hdr, c->len, &id, &secret,
		    &err);
		is_int(rc, c->rc, c->test);
		is_int(err.code, c->code, c->test);
		if (rc == 1) {
			is_mem(id.p, id.len, c->id, strlen(c->id), c->test);
			is_mem(secret.p, secret.len, c->secret, c->secretlen,
			    c->test);
			ok(id.p[id.len] == '\0' && secret.p[secret.len] ==
			    '\0', "%s: NUL-terminated", c->test);
		} else
			ok(id.p == NULL && secret.p == NULL,
			    "%s: outputs untouched", c->test);
		oidc_arena_reset(a);
	}
}

struct bearer_case {
	const char	*test;
	const char	*hdr;
	size_t		 len;
	int		 rc;
	enum oidc_errcode code;
	const char	*token;
};

static const struct bearer_case bearer_cases[] = {
	{ "bearer", S("Bearer mF_9.B5f-4.1JqM"), 1, OIDC_E_NONE,
	    "mF_9.B5f-4.1JqM" },
	{ "bearer scheme case", S("bEARER abc"), 1, OIDC_E_NONE, "abc" },
	/* bearer_b64token_charset: RFC 6750 2.1. */
	{ "bearer_b64token_charset all", S("Bearer AZaz09-._~+/=="), 1,
	    OIDC_E_NONE, "AZaz09-._~+/==" },
	{ "bearer_b64token_charset padding only at end", S("Bearer ab=c"),
	    -1, OIDC_E_INVALID_REQUEST, NULL },
	{ "bearer_b64token_charset only padding", S("Bearer =="), -1,
	    OIDC_E_INVALID_REQUEST, NULL },
	{ "bearer_b64token_charset comma", S("Bearer a,b"), -1,
	    OIDC_E_INVALID_REQUEST, NULL },
	{ "bearer_b64token_charset space", S("Bearer a b"), -1,
	    OIDC_E_INVALID_REQUEST, NULL },
	{ "bearer_b64token_charset trailing space", S("Bearer ab "), -1,
	    OIDC_E_INVALID_REQUEST, NULL },
	{ "bearer_b64token_charset quote", S("Bearer \"ab\""), -1,
	    OIDC_E_INVALID_REQUEST, NULL },
	{ "bearer_b64token_charset NUL", S("Bearer ab\0cd"), -1,
	    OIDC_E_INVALID_REQUEST, NULL },
	{ "bearer_b64token_charset CRLF", S("Bearer ab\r\nX: y"), -1,
	    OIDC_E_INVALID_REQUEST, NULL },
	/* bearer_missing_token: RFC 6750 3.1 invalid_request. */
	{ "bearer_missing_token", S("Bearer"), -1, OIDC_E_INVALID_REQUEST,
	    NULL },
	{ "bearer_missing_token SP", S("Bearer "), -1, OIDC_E_INVALID_REQUEST,
	    NULL },
	{ "bearer two SP", S("Bearer  abc"), -1, OIDC_E_INVALID_REQUEST,
	    NULL },
	{ "not bearer: basic", S("Basic Y2xpZW50OnNlY3JldA=="), 0,
	    OIDC_E_NONE, NULL },
	{ "not bearer: empty", S(""), 0, OIDC_E_NONE, NULL },
	{ "not bearer: prefix", S("Bearerx abc"), 0, OIDC_E_NONE, NULL },
	{ "not bearer: DPoP", S("DPoP abc"), 0, OIDC_E_NONE, NULL },
};

static void
run_bearer(void)
{
	const struct bearer_case	*c;
	struct oidc_error		 err;
	struct oidc_str			 tok;
	size_t				 i;
	int				 rc;

	for (i = 0; i < OIDC_NELEM(bearer_cases); i++) {
		c = &bearer_cases[i];
		oidc_error_clear(&err);
		tok = OIDC_STR_NULL;
		rc = oidc_authz_parse_bearer(c->hdr, c->len, &tok, &err);
		is_int(rc, c->rc, c->test);
		is_int(err.code, c->code, c->test);
		if (rc == 1) {
			is_mem(tok.p, tok.len, c->token, strlen(c->token),
			    c->test);
			ok(tok.p > c->hdr && tok.p + tok.len == c->hdr +
			    c->len, "%s: points into the header", c->test);
		} else
			ok(tok.p == NULL, "%s: output untouched", c->test);
	}
}

static void
test_limits(struct oidc_arena *a)
{
	struct oidc_error	 err;
	struct oidc_str		 id, secret, tok;
	unsigned char		*raw;
	char			*h, *enc;
	size_t			 i, rawlen;

	h = malloc(OIDC_AUTHZ_MAX_LEN + 1);

	/* Bearer: a 4096-byte header passes, 4097 is OIDC_E_LIMIT. */
	memcpy(h, "Bearer ", 7);
	memset(h + 7, 'A', OIDC_AUTHZ_MAX_LEN + 1 - 7);
	oidc_error_clear(&err);
	is_int(oidc_authz_parse_bearer(h, OIDC_AUTHZ_MAX_LEN, &tok, &err), 1,
	    "bearer header max");
	is_int(tok.len, OIDC_AUTHZ_MAX_LEN - 7, "bearer header max: length");
	oidc_error_clear(&err);
	is_int(oidc_authz_parse_bearer(h, OIDC_AUTHZ_MAX_LEN + 1, &tok, &err),
	    -1, "bearer header +1");
	is_int(err.code, OIDC_E_LIMIT, "bearer header +1: LIMIT");

	/*
	 * Basic: "Basic " + 4088 base64 characters (3066 bytes: "c:" and
	 * 3064 'x') is the longest well-formed header below the limit, since
	 * base64 comes in quanta of 4.
	 */
	rawlen = 3066;
	raw = malloc(rawlen);
	memcpy(raw, "c:", 2);
	memset(raw + 2, 'x', rawlen - 2);
	enc = oidc_b64url_encode(a, raw, rawlen);
	for (i = 0; enc[i] != '\0'; i++)	/* to the standard alphabet */
		if (enc[i] == '-')
			enc[i] = '+';
		else if (enc[i] == '_')
			enc[i] = '/';
	memcpy(h, "Basic ", 6);
	memcpy(h + 6, enc, 4088);
	oidc_error_clear(&err);
	is_int(oidc_authz_parse_basic(a, h, 6 + 4088, &id, &secret, &err), 1,
	    "basic longest valid header");
	is_int(secret.len, 3064, "basic longest valid header: secret");
	/* At exactly 4096 the limit is not what fails. */
	memcpy(h + 6 + 4088, "AA", 2);
	oidc_error_clear(&err);
	is_int(oidc_authz_parse_basic(a, h, OIDC_AUTHZ_MAX_LEN, &id, &secret,
	    &err), -1, "basic header max");
	is_int(err.code, OIDC_E_INVALID_CLIENT, "basic header max: not LIMIT");
	h[OIDC_AUTHZ_MAX_LEN] = 'A';
	oidc_error_clear(&err);
	is_int(oidc_authz_parse_basic(a, h, OIDC_AUTHZ_MAX_LEN + 1, &id,
	    &secret, &err), -1, "basic header +1");
	is_int(err.code, OIDC_E_LIMIT, "basic header +1: LIMIT");
	oidc_arena_reset(a);
	free(raw);
	free(h);
}

int
main(void)
{
	struct oidc_arena	*a;

	a = oidc_arena_new(4096, 1 << 20);
	run_basic(a);
	run_bearer();
	test_limits(a);
	oidc_arena_free(a);
	return done_testing();
}
