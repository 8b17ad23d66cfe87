/*
 * test_grant_idtoken.c: the ID Token of common/oidc/grant.c (oidc/grant.h),
 * without a database: which claims it carries and when (auth_time,
 * nonce, acr, amr, sid, at_hash, c_hash), that extra claims never
 * replace the registered ones, the client's algorithm (the provider's
 * key, or the client secret for HS*), and which user claims the scope
 * and the claims request put in it.
 *
 * Security regressions: extra_claim_overrides_iss (a user claim named
 * iss, sub, aud, nonce... is dropped), id_token_alg_ignored (the token is
 * signed with the registered alg, or not at all).
 */
#include <stdio.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/b64url.h"
#include "oidc/client.h"
#include "oidc/config.h"
#include "oidc/ctx.h"
#include "oidc/grant.h"
#include "oidc/json.h"
#include "oidc/jwk.h"
#include "oidc/jws.h"
#include "oidc/scope.h"

#include "tap.h"

#define ISSUER	"https://id.example"
#define NOW	1700000000LL
#define SECRET	"a client secret of thirty-two bytes or more, surely"

static struct oidc_arena	*a;
static struct oidc_config	 cfg;
static struct oidc_ctx		 ctx;

static struct oidc_str
str(const char *s)
{
	return s == NULL ? (struct oidc_str)OIDC_STR_NULL :
	    (struct oidc_str){ s, strlen(s) };
}

/* Verify tok under alg with ks and return its claims (NULL: refused). */
static struct oidc_json *
claims_of(const char *tok, const struct oidc_keyset *ks,
    enum oidc_jws_alg alg)
{
	struct oidc_error	 err = { 0 };
	struct oidc_jws		 jws;
	struct oidc_json	*j;

	if (tok == NULL || oidc_jws_verify(a, ks, OIDC_JWS_BIT(alg), tok,
	    strlen(tok), &jws, &err) == -1 ||
	    oidc_json_parse(a, (const char *)jws.payload, jws.payload_len, 0,
	    &j, &err) == -1) {
		diag("token refused: %s", err.detail);
		return NULL;
	}
	return j;
}

static bool
str_is(const struct oidc_json *j, const char *key, const char *want)
{
	struct oidc_error	 err = { 0 };
	struct oidc_str		 v = OIDC_STR_NULL;

	return oidc_json_get_str(j, key, &v, &err) == 1 &&
	    oidc_str_eq_cstr(v, want);
}

static bool
int_is(const struct oidc_json *j, const char *key, int64_t want)
{
	struct oidc_error	 err = { 0 };
	int64_t			 v;

	return oidc_json_get_i64(j, key, &v, &err) == 1 && v == want;
}

static void
test_id_token(struct oidc_keyset *ks)
{
	struct oidc_error	 err = { 0 };
	struct oidc_client	 c;
	struct oidc_idtoken	 t;
	struct oidc_json	*j, *extra;
	struct oidc_str		*amr = NULL;
	const char		*tok, *extra_json;
	char			*h;
	size_t			 n = 0;

	memset(&c, 0, sizeof(c));
	c.client_id = str("rp1");
	c.id_token_alg = str("ES256");
	extra_json = "{\"email\":\"a@example.com\",\"iss\":\"https://evil\","
	    "\"sub\":\"mallory\",\"aud\":\"rp2\",\"nonce\":\"n-evil\","
	    "\"exp\":1,\"at_hash\":\"x\",\"azp\":\"rp2\",\"sid\":\"s-evil\"}";
	if (oidc_json_parse(a, extra_json, strlen(extra_json), 0, &extra,
	    &err) == -1) {
		ok(0, "extra claims parse");
		return;
	}
	memset(&t, 0, sizeof(t));
	t.client = &c;
	t.sub = str("alice");
	t.nonce = str("n-1");
	t.acr = str("urn:acr:pwd");
	t.amr = str("pwd otp");
	t.sid = str("sid-1");
	t.auth_time = NOW - 30;
	t.access_token = "at-value";
	t.code = "code-value";
	t.claims = extra;
	tok = oidc_grant_id_token(&ctx, &t, &err);
	j = claims_of(tok, ks, OIDC_JWS_ES256);
	if (!ok(j != NULL, "ES256 client: signed with the provider's ES256 "
	    "key")) {
		diag("%s", err.detail);
		return;
	}
	ok(str_is(j, "iss", ISSUER) && str_is(j, "sub", "alice") &&
	    str_is(j, "aud", "rp1"), "iss, sub, aud");
	ok(int_is(j, "iat", NOW) && int_is(j, "exp", NOW +
	    cfg.id_token_ttl), "iat now, exp now + id_token_ttl");
	ok(int_is(j, "auth_time", NOW - 30), "auth_time");
	ok(str_is(j, "nonce", "n-1") && str_is(j, "acr", "urn:acr:pwd") &&
	    str_is(j, "sid", "sid-1"), "nonce, acr, sid");
	ok(oidc_json_get_str_list(j, "amr", false, a, &amr, &n, &err) == 1 &&
	    n == 2 && oidc_str_eq_cstr(amr[0], "pwd") &&
	    oidc_str_eq_cstr(amr[1], "otp"), "amr: a list of its values");
	h = oidc_jws_half_hash(a, OIDC_JWS_ES256, "at-value", 8, &err);
	ok(h != NULL && str_is(j, "at_hash", h),
	    "at_hash: the left half of SHA-256 of the access token");
	h = oidc_jws_half_hash(a, OIDC_JWS_ES256, "code-value", 10, &err);
	ok(h != NULL && str_is(j, "c_hash", h),
	    "c_hash: the left half of SHA-256 of the code");
	ok(str_is(j, "email", "a@example.com"), "an extra claim is added");
	ok(!oidc_json_has(j, "azp"), "extra_claim_overrides_iss: no azp "
	    "from the extra claims");

	/* Optional members left out when empty or absent. */
	t.nonce = str("");
	t.acr = OIDC_STR_NULL;
	t.amr = OIDC_STR_NULL;
	t.sid = OIDC_STR_NULL;
	t.auth_time = 0;
	t.access_token = NULL;
	t.code = NULL;
	t.claims = NULL;
	j = claims_of(oidc_grant_id_token(&ctx, &t, &err), ks,
	    OIDC_JWS_ES256);
	ok(j != NULL && !oidc_json_has(j, "nonce") && !oidc_json_has(j,
	    "acr") && !oidc_json_has(j, "amr") && !oidc_json_has(j, "sid") &&
	    !oidc_json_has(j, "auth_time") && !oidc_json_has(j, "at_hash") &&
	    !oidc_json_has(j, "c_hash"),
	    "absent or empty: no nonce, acr, amr, sid, auth_time, hashes");

	/* id_token_alg_ignored: RS256 (the default) without an RS256 key. */
	c.id_token_alg = OIDC_STR_NULL;
	err = (struct oidc_error){ 0 };
	ok(oidc_grant_id_token(&ctx, &t, &err) == NULL &&
	    err.code == OIDC_E_NO_KEY,
	    "id_token_alg_ignored: no alg registered means RS256; without "
	    "an RS256 key, no token (never another key)");
	c.id_token_alg = str("ES384");
	err = (struct oidc_error){ 0 };
	ok(oidc_grant_id_token(&ctx, &t, &err) == NULL &&
	    err.code == OIDC_E_NO_KEY,
	    "id_token_alg_ignored: ES384 registered, only an ES256 key: none");
}

/* HS256: the client's own secret signs. */
static void
test_hs256(void)
{
	struct oidc_error	 err = { 0 };
	struct oidc_keyset	*ks = NULL;
	struct oidc_client	 c;
	struct oidc_idtoken	 t;
	struct oidc_jwk		*k;
	struct oidc_json	*j;
	char			 doc[256];
	int			 n;

	memset(&c, 0, sizeof(c));
	c.client_id = str("rp1");
	c.id_token_alg = str("HS256");
	c.secret.legacy = str(SECRET);
	memset(&t, 0, sizeof(t));
	t.client = &c;
	t.sub = str("alice");
	n = snprintf(doc, sizeof(doc), "{\"kty\":\"oct\",\"k\":\"%s\"}",
	    oidc_b64url_encode(a, SECRET, strlen(SECRET)));
	if ((k = oidc_jwk_parse_json(a, doc, (size_t)n, &err)) == NULL ||
	    (ks = oidc_keyset_new(&err)) == NULL ||
	    oidc_keyset_add(ks, k, &err) == -1) {
		ok(0, "oct key: %s", err.detail);
		oidc_keyset_free(ks);
		return;
	}
	j = claims_of(oidc_grant_id_token(&ctx, &t, &err), ks,
	    OIDC_JWS_HS256);
	ok(j != NULL && str_is(j, "sub", "alice"),
	    "HS256 client: signed with its own secret");
	c.secret.legacy = OIDC_STR_NULL;
	err = (struct oidc_error){ 0 };
	ok(oidc_grant_id_token(&ctx, &t, &err) == NULL,
	    "HS256 client without a secret: no token");
	oidc_keyset_free(ks);
}

struct claims_case {
	const char	*test;
	const char	*scope;
	const char	*request;	/* the claims parameter */
	bool		 scope_too;	/* response_type id_token */
	const char	*has;		/* space-separated */
	const char	*has_not;
};

static const struct claims_case ccases[] = {
	{ "code flow, scope email: none (UserInfo has them)",
	    "openid email", NULL, false, "", "email email_verified name" },
	{ "id_token only, scope email: the email claims",
	    "openid email", NULL, true, "email email_verified", "name" },
	{ "id_token only, scope profile: name, not email",
	    "openid profile", NULL, true, "name", "email" },
	{ "a claim asked for the ID Token by name",
	    "openid", "{\"id_token\":{\"email\":null}}", false, "email",
	    "name email_verified" },
	{ "a claim asked for UserInfo only: not in the ID Token",
	    "openid", "{\"userinfo\":{\"email\":null}}", false, "",
	    "email name" },
	{ "the scope alone: nothing without scope_claims_too",
	    "openid profile email", "{}", false, "", "email name" },
};

static void
test_claims(void)
{
	static const char	 user[] = "{\"email\":\"a@example.com\","
	    "\"email_verified\":true,\"name\":\"Alice\"}";
	const struct claims_case	*c;
	struct oidc_error		 err;
	struct oidc_json		*j;
	struct oidc_scope		 has, hasnt;
	size_t				 i, k;
	bool				 good;

	for (i = 0; i < OIDC_NELEM(ccases); i++) {
		c = &ccases[i];
		memset(&err, 0, sizeof(err));
		j = oidc_grant_id_token_claims(&ctx, str(user), 0,
		    str(c->scope), str(c->request), c->scope_too, &err);
		good = j != NULL &&
		    oidc_scope_parse(str(c->has), &has, &err) == 0 &&
		    oidc_scope_parse(str(c->has_not), &hasnt, &err) == 0;
		for (k = 0; good && k < has.n; k++)
			good = oidc_json_has(j, oidc_arena_strndup(a,
			    has.v[k].p, has.v[k].len));
		for (k = 0; good && k < hasnt.n; k++)
			good = !oidc_json_has(j, oidc_arena_strndup(a,
			    hasnt.v[k].p, hasnt.v[k].len));
		if (!ok(good, "%s", c->test) && j != NULL)
			diag("got %s", oidc_json_serialize(j, a, &k, &err));
	}
	memset(&err, 0, sizeof(err));
	j = oidc_grant_id_token_claims(&ctx, OIDC_STR_NULL, 0,
	    str("openid email"), OIDC_STR_NULL, true, &err);
	ok(j != NULL && !oidc_json_has(j, "email"),
	    "no user claims: an empty object");
}

int
main(void)
{
	static const char	 conf[] = "issuer = " ISSUER "\n"
	    "database = dbname=x\n";
	struct oidc_error	 err = { 0 };
	struct oidc_keyset	*ks;
	struct oidc_jwk		*k;

	if ((a = oidc_arena_new(8192, 8 << 20)) == NULL)
		return 1;
	if (oidc_config_parse(a, "t", conf, sizeof(conf) - 1, &cfg,
	    &err) == -1)
		return 1;
	ctx.a = a;
	ctx.cfg = &cfg;
	ctx.now = (time_t)NOW;
	if ((k = oidc_jwk_generate(OIDC_JWS_ES256, 0, &err)) == NULL ||
	    (ks = oidc_keyset_new(&err)) == NULL)
		return 1;
	if (oidc_keyset_add(ks, k, &err) == -1) {
		oidc_jwk_free(k);
		oidc_keyset_free(ks);
		return 1;
	}
	ctx.keys = ks;
	test_id_token(ks);
	ctx.keys = NULL;
	test_hs256();
	test_claims();
	oidc_keyset_free(ks);
	oidc_arena_free(a);
	return done_testing();
}
