/*
 * test_jarm.c: the signed authorization response of JARM
 * (common/oidc/jarm.c, oidc/jarm.h), without a database: iss, aud and
 * exp (ten minutes), the response parameters as claims, the client's
 * authorization_signed_response_alg (RS256 when absent; HS* with the
 * client secret).
 *
 * Security regressions: jarm_param_overrides_iss (a response parameter
 * named iss, aud or exp never replaces ours), jarm_alg_ignored (signed
 * with the registered alg, or not at all).
 */
#include <stdio.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/b64url.h"
#include "oidc/client.h"
#include "oidc/config.h"
#include "oidc/ctx.h"
#include "oidc/jarm.h"
#include "oidc/json.h"
#include "oidc/jwk.h"
#include "oidc/jws.h"

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

/* The response parameters of a code response, plus forged iss/aud/exp. */
static struct oidc_json *
params(bool forged)
{
	struct oidc_error	 err = { 0 };
	struct oidc_json	*p;

	if ((p = oidc_json_new_object(a)) == NULL ||
	    oidc_json_set_cstr(p, "code", "code-value", &err) == -1 ||
	    oidc_json_set_cstr(p, "state", "st-1", &err) == -1)
		return NULL;
	if (forged && (oidc_json_set_cstr(p, "iss", "https://evil",
	    &err) == -1 || oidc_json_set_cstr(p, "aud", "rp2", &err) == -1 ||
	    oidc_json_set_cstr(p, "exp", "99999999999", &err) == -1))
		return NULL;
	return p;
}

static void
test_signed(struct oidc_keyset *ks)
{
	struct oidc_error	 err = { 0 };
	struct oidc_client	 c;
	struct oidc_json	*j;

	memset(&c, 0, sizeof(c));
	c.client_id = str("rp1");
	c.authz_alg = str("ES256");
	j = claims_of(oidc_jarm_sign(&ctx, &c, params(false), &err), ks,
	    OIDC_JWS_ES256);
	if (!ok(j != NULL, "ES256 client: signed with the provider's ES256 "
	    "key")) {
		diag("%s", err.detail);
		return;
	}
	ok(str_is(j, "iss", ISSUER) && str_is(j, "aud", "rp1"),
	    "iss the issuer, aud the client_id (JARM 2.1)");
	ok(int_is(j, "exp", NOW + 600), "exp: ten minutes from now");
	ok(str_is(j, "code", "code-value") && str_is(j, "state", "st-1"),
	    "the response parameters as claims");
	j = claims_of(oidc_jarm_sign(&ctx, &c, params(true), &err), ks,
	    OIDC_JWS_ES256);
	ok(j != NULL && str_is(j, "iss", ISSUER) && str_is(j, "aud", "rp1") &&
	    int_is(j, "exp", NOW + 600),
	    "jarm_param_overrides_iss: iss, aud, exp are always ours");

	/* jarm_alg_ignored: RS256 (the default) without an RS256 key. */
	c.authz_alg = OIDC_STR_NULL;
	c.id_token_alg = str("ES256");
	err = (struct oidc_error){ 0 };
	ok(oidc_jarm_sign(&ctx, &c, params(false), &err) == NULL &&
	    err.code == OIDC_E_NO_KEY,
	    "jarm_alg_ignored: none registered means RS256 (not the ID Token "
	    "alg); without an RS256 key, no response");
	c.authz_alg = str("ES384");
	err = (struct oidc_error){ 0 };
	ok(oidc_jarm_sign(&ctx, &c, params(false), &err) == NULL &&
	    err.code == OIDC_E_NO_KEY,
	    "jarm_alg_ignored: ES384 registered, only an ES256 key: none");
}

/* HS256: the client's own secret signs. */
static void
test_hs256(void)
{
	struct oidc_error	 err = { 0 };
	struct oidc_keyset	*ks = NULL;
	struct oidc_client	 c;
	struct oidc_jwk		*k;
	struct oidc_json	*j;
	char			 doc[256];
	int			 n;

	memset(&c, 0, sizeof(c));
	c.client_id = str("rp1");
	c.authz_alg = str("HS256");
	c.secret.legacy = str(SECRET);
	n = snprintf(doc, sizeof(doc), "{\"kty\":\"oct\",\"k\":\"%s\"}",
	    oidc_b64url_encode(a, SECRET, strlen(SECRET)));
	if ((k = oidc_jwk_parse_json(a, doc, (size_t)n, &err)) == NULL ||
	    (ks = oidc_keyset_new(&err)) == NULL ||
	    oidc_keyset_add(ks, k, &err) == -1) {
		ok(0, "oct key: %s", err.detail);
		oidc_keyset_free(ks);
		return;
	}
	j = claims_of(oidc_jarm_sign(&ctx, &c, params(false), &err), ks,
	    OIDC_JWS_HS256);
	ok(j != NULL && str_is(j, "code", "code-value"),
	    "HS256 client: signed with its own secret");
	c.secret.legacy = OIDC_STR_NULL;
	err = (struct oidc_error){ 0 };
	ok(oidc_jarm_sign(&ctx, &c, params(false), &err) == NULL,
	    "HS256 client without a secret: no response");
	oidc_keyset_free(ks);
}

int
main(void)
{
	static const char	 conf[] = "issuer = " ISSUER "\n"
	    "database = dbname=x\njarm = yes\n";
	struct oidc_error	 err = { 0 };
	struct oidc_keyset	*ks;
	struct oidc_jwk		*k;

	if ((a = oidc_arena_new(8192, 8 << 20)) == NULL)
		return 1;
	if (oidc_config_parse(a, "t", conf, sizeof(conf) - 1, &cfg,
	    &err) == -1)
		return 1;
	ok(cfg.jarm, "jarm = yes parsed");
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
	test_signed(ks);
	ctx.keys = NULL;
	test_hs256();
	oidc_keyset_free(ks);
	oidc_arena_free(a);
	return done_testing();
}
