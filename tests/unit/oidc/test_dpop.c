/*
 * test_dpop.c: DPoP proofs (common/oidc/dpop.c, RFC 9449 4.2, 4.3) and
 * the stateless nonces (8, 9).  Proofs are signed here with keys
 * generated per run; each negative test names the attack it stands for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/b64url.h"
#include "oidc/crypto.h"
#include "oidc/dpop.h"
#include "oidc/json.h"
#include "oidc/jwk.h"
#include "oidc/jws.h"

#include "tap.h"

#define HTU	"https://op.example/token"
#define NOW	1700000000

static struct oidc_arena	*a;
static struct oidc_jwk		*es, *rs, *other, *hs;

/* The public (or, with priv, private) JWK of k as JSON text. */
static const char *
jwk_text(const struct oidc_jwk *k, bool priv)
{
	struct oidc_error	 err = { 0 };
	struct oidc_json	*j;

	j = priv ? oidc_jwk_private_json(k, a, &err) :
	    oidc_jwk_public_json(k, a, &err);
	return j == NULL ? "{}" : oidc_json_serialize(j, a, NULL, &err);
}

/* A proof signed by `signer` under `alg` with the given header and body. */
static char *
proof(const struct oidc_jwk *signer, enum oidc_jws_alg alg, const char *hdr,
    const char *body)
{
	struct oidc_error	 err = { 0 };
	char			*t;

	t = oidc_jws_sign_header(a, signer, alg, hdr, strlen(hdr), body,
	    strlen(body), NULL, &err);
	if (t == NULL)
		diag("sign: %s", err.detail);
	return t;
}

static char *
hdr_for(const char *typ, const char *alg, const char *jwk)
{
	return oidc_arena_printf(a, "{\"typ\":\"%s\",\"alg\":\"%s\",\"jwk\":%s}",
	    typ, alg, jwk);
}

static char *
body_for(const char *htm, const char *htu, long long iat, const char *extra)
{
	return oidc_arena_printf(a, "{\"jti\":\"j-%lld\",\"htm\":\"%s\","
	    "\"htu\":\"%s\",\"iat\":%lld%s}", iat, htm, htu, iat, extra);
}

static char *
good(void)
{
	return proof(es, OIDC_JWS_ES256, hdr_for("dpop+jwt", "ES256",
	    jwk_text(es, false)), body_for("POST", HTU, NOW, ""));
}

/* Parse and check against POST HTU at NOW (60 s window), token if any. */
static int
verify(const char *t, const char *htu, const char *token,
    struct oidc_dpop_proof *p, struct oidc_error *err)
{
	struct oidc_dpop_expect	 x = { "POST", htu, NOW, 60, OIDC_STR_NULL };

	if (token != NULL)
		x.access_token = (struct oidc_str){ token, strlen(token) };
	if (t == NULL)
		return -2;
	if (oidc_dpop_parse(a, t, strlen(t), p, err) == -1)
		return -1;
	return oidc_dpop_check(p, &x, err);
}

static void
expect_bad(const char *t, const char *htu, const char *token,
    const char *name)
{
	struct oidc_error	 err = { 0 };
	struct oidc_dpop_proof	 p;
	int			 rc = verify(t, htu, token, &p, &err);

	ok(rc == -1 && err.code == OIDC_E_INVALID_DPOP_PROOF, "%s: refused "
	    "as invalid_dpop_proof (%s)", name, err.detail);
}

static void
test_valid(void)
{
	struct oidc_error	 err = { 0 };
	struct oidc_dpop_proof	 p;
	char			*t;

	ok(verify(good(), HTU, NULL, &p, &err) == 0, "ES256 proof accepted "
	    "(%s)", err.detail);
	is_str(p.jkt, oidc_jwk_thumbprint(es), "jkt is the RFC 7638 "
	    "thumbprint of the header jwk");
	ok(p.alg == OIDC_JWS_ES256 && oidc_str_eq_cstr(p.htm, "POST") &&
	    p.iat == NOW, "claims returned");
	t = proof(rs, OIDC_JWS_PS256, hdr_for("dpop+jwt", "PS256",
	    jwk_text(rs, false)), body_for("POST", HTU, NOW, ""));
	memset(&err, 0, sizeof(err));
	ok(verify(t, HTU, NULL, &p, &err) == 0, "PS256 proof with an RSA jwk "
	    "accepted (%s)", err.detail);
	/* RFC 9449 4.3 step 9: query and fragment ignored, case, port. */
	t = proof(es, OIDC_JWS_ES256, hdr_for("dpop+jwt", "ES256",
	    jwk_text(es, false)), body_for("POST",
	    "HTTPS://OP.example:443/token?x=1#f", NOW, ""));
	memset(&err, 0, sizeof(err));
	ok(verify(t, HTU, NULL, &p, &err) == 0, "htu normalised: scheme and "
	    "host case, default port, no query/fragment (%s)", err.detail);
	/* The iat window is inclusive both ways. */
	t = proof(es, OIDC_JWS_ES256, hdr_for("dpop+jwt", "ES256",
	    jwk_text(es, false)), body_for("POST", HTU, NOW - 60, ""));
	memset(&err, 0, sizeof(err));
	ok(verify(t, HTU, NULL, &p, &err) == 0, "iat at the window's edge "
	    "accepted");
}

static void
test_header_rules(void)
{
	const char	*pub = jwk_text(es, false);

	expect_bad(proof(es, OIDC_JWS_ES256, hdr_for("JWT", "ES256", pub),
	    body_for("POST", HTU, NOW, "")), HTU, NULL, "typ_not_dpop_jwt");
	expect_bad(proof(es, OIDC_JWS_ES256,
	    oidc_arena_printf(a, "{\"alg\":\"ES256\",\"jwk\":%s}", pub),
	    body_for("POST", HTU, NOW, "")), HTU, NULL, "typ_missing");
	expect_bad(proof(es, OIDC_JWS_ES256,
	    "{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\"}",
	    body_for("POST", HTU, NOW, "")), HTU, NULL, "jwk_missing");
	expect_bad(proof(es, OIDC_JWS_ES256, hdr_for("dpop+jwt", "ES256",
	    jwk_text(es, true)), body_for("POST", HTU, NOW, "")), HTU, NULL,
	    "jwk_with_private_key");
	/* HS256 with the secret in the header: symmetric, and private. */
	expect_bad(proof(hs, OIDC_JWS_HS256, hdr_for("dpop+jwt", "HS256",
	    jwk_text(hs, true)), body_for("POST", HTU, NOW, "")), HTU, NULL,
	    "alg_hs256");
	/* HS256 over an EC public key: algorithm confusion. */
	expect_bad(proof(hs, OIDC_JWS_HS256, hdr_for("dpop+jwt", "HS256",
	    pub), body_for("POST", HTU, NOW, "")), HTU, NULL,
	    "alg_hs256_public_jwk");
	expect_bad(oidc_arena_printf(a, "%s.%s.", oidc_b64url_encode(a,
	    hdr_for("dpop+jwt", "none", pub), strlen(hdr_for("dpop+jwt",
	    "none", pub))), oidc_b64url_encode(a, "{}", 2)), HTU, NULL,
	    "alg_none");
	/* Signed by another key than the one in the header. */
	expect_bad(proof(other, OIDC_JWS_ES256, hdr_for("dpop+jwt", "ES256",
	    pub), body_for("POST", HTU, NOW, "")), HTU, NULL,
	    "signature_by_other_key");
	expect_bad(proof(es, OIDC_JWS_ES256, oidc_arena_printf(a,
	    "{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":%s,"
	    "\"crit\":[\"x\"],\"x\":1}", pub), body_for("POST", HTU, NOW,
	    "")), HTU, NULL, "crit_header");
}

static void
test_claim_rules(void)
{
	const char	*h = hdr_for("dpop+jwt", "ES256", jwk_text(es, false));

	expect_bad(proof(es, OIDC_JWS_ES256, h, "{\"htm\":\"POST\","
	    "\"htu\":\"" HTU "\",\"iat\":1700000000}"), HTU, NULL,
	    "jti_missing");
	expect_bad(proof(es, OIDC_JWS_ES256, h, "{\"jti\":\"a\","
	    "\"htu\":\"" HTU "\",\"iat\":1700000000}"), HTU, NULL,
	    "htm_missing");
	expect_bad(proof(es, OIDC_JWS_ES256, h, "{\"jti\":\"a\","
	    "\"htm\":\"POST\",\"iat\":1700000000}"), HTU, NULL,
	    "htu_missing");
	expect_bad(proof(es, OIDC_JWS_ES256, h, "{\"jti\":\"a\","
	    "\"htm\":\"POST\",\"htu\":\"" HTU "\"}"), HTU, NULL,
	    "iat_missing");
	expect_bad(proof(es, OIDC_JWS_ES256, h, "{\"jti\":\"a\","
	    "\"htm\":\"POST\",\"htu\":\"" HTU "\",\"iat\":\"1700000000\"}"),
	    HTU, NULL, "iat_string");
	expect_bad(proof(es, OIDC_JWS_ES256, h, body_for("GET", HTU, NOW,
	    "")), HTU, NULL, "htm_wrong");
	expect_bad(proof(es, OIDC_JWS_ES256, h, body_for("POST",
	    "https://op.example/userinfo", NOW, "")), HTU, NULL, "htu_wrong");
	expect_bad(proof(es, OIDC_JWS_ES256, h, body_for("POST",
	    "https://evil.example/token", NOW, "")), HTU, NULL,
	    "htu_other_host");
	expect_bad(proof(es, OIDC_JWS_ES256, h, body_for("POST",
	    "http://op.example/token", NOW, "")), HTU, NULL,
	    "htu_other_scheme");
	expect_bad(proof(es, OIDC_JWS_ES256, h, body_for("POST",
	    "https://op.example:8443/token", NOW, "")), HTU, NULL,
	    "htu_other_port");
	expect_bad(proof(es, OIDC_JWS_ES256, h, body_for("POST", HTU,
	    NOW - 61, "")), HTU, NULL, "iat_too_old");
	expect_bad(proof(es, OIDC_JWS_ES256, h, body_for("POST", HTU,
	    NOW + 61, "")), HTU, NULL, "iat_in_future");
}

static void
test_ath(void)
{
	struct oidc_error	 err = { 0 };
	struct oidc_dpop_proof	 p;
	unsigned char		 d[OIDC_SHA256_LEN];
	const char		*h = hdr_for("dpop+jwt", "ES256",
				    jwk_text(es, false));
	char			*extra, *ath;

	ok(oidc_sha256("tok", 3, d, &err) == 0, "sha256");
	ath = oidc_b64url_encode(a, d, sizeof(d));
	extra = oidc_arena_printf(a, ",\"ath\":\"%s\"", ath);
	ok(verify(proof(es, OIDC_JWS_ES256, h, body_for("POST", HTU, NOW,
	    extra)), HTU, "tok", &p, &err) == 0, "ath of the token accepted "
	    "(%s)", err.detail);
	expect_bad(proof(es, OIDC_JWS_ES256, h, body_for("POST", HTU, NOW,
	    extra)), HTU, "other", "ath_mismatch");
	expect_bad(proof(es, OIDC_JWS_ES256, h, body_for("POST", HTU, NOW,
	    "")), HTU, "tok", "ath_missing");
}

static void
test_limits(void)
{
	char	*big;

	big = calloc(1, OIDC_DPOP_MAX_LEN + 2);
	if (big == NULL)
		abort();
	memset(big, 'A', OIDC_DPOP_MAX_LEN + 1);
	expect_bad(big, HTU, NULL, "oversized_proof");
	free(big);
	expect_bad("", HTU, NULL, "empty_proof");
	expect_bad("a.b", HTU, NULL, "two_segments");
	expect_bad(oidc_arena_printf(a, "%s, %s", good(), good()), HTU, NULL,
	    "two_dpop_headers_joined");
}

static void
test_nonce(void)
{
	struct oidc_error	 err = { 0 };
	unsigned char		 key[32];
	char			 n[OIDC_DPOP_NONCE_LEN + 1];

	memset(key, 7, sizeof(key));
	ok(oidc_dpop_nonce_make(key, 300, NOW, n, &err) == 0 &&
	    strlen(n) == OIDC_DPOP_NONCE_LEN, "nonce made");
	ok(oidc_dpop_nonce_ok(key, 300, NOW, (struct oidc_str){ n,
	    strlen(n) }), "nonce of this slot accepted");
	ok(oidc_dpop_nonce_ok(key, 300, NOW + 300, (struct oidc_str){ n,
	    strlen(n) }), "nonce of the previous slot accepted");
	ok(!oidc_dpop_nonce_ok(key, 300, NOW + 600, (struct oidc_str){ n,
	    strlen(n) }), "nonce_expired: two slots later refused");
	key[0] ^= 1;
	ok(!oidc_dpop_nonce_ok(key, 300, NOW, (struct oidc_str){ n,
	    strlen(n) }), "nonce_forged: another key's nonce refused");
	ok(!oidc_dpop_nonce_ok(key, 300, NOW, OIDC_STR_NULL),
	    "nonce_missing refused");
}

/* RFC 9449 10, 10.1: dpop_jkt syntax and the code binding rules. */
static void
test_code_binding(void)
{
	struct oidc_error	 err = { 0 };
	const char		*tp = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
	const char		*tp2 = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";
	struct oidc_str		 a1 = { tp, 43 }, a2 = { tp2, 43 }, out;

	ok(oidc_dpop_jkt_ok(a1) && oidc_dpop_jkt_ok(a2),
	    "jkt: 43 base64url characters of 32 bytes");
	ok(!oidc_dpop_jkt_ok((struct oidc_str){ tp, 42 }) &&
	    !oidc_dpop_jkt_ok(OIDC_STR_NULL), "jkt_short: refused");
	ok(!oidc_dpop_jkt_ok((struct oidc_str){
	    "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4J", 43 }),
	    "jkt_stray_bits: a last character with low bits set refused");
	ok(!oidc_dpop_jkt_ok((struct oidc_str){
	    "0ZcOCORZNYy+DWpqq30jZyJGHTN0d2HglBV3uiguA4I", 43 }),
	    "jkt_base64: '+' (not base64url) refused");
	ok(!oidc_dpop_jkt_ok((struct oidc_str){
	    "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I=", 44 }),
	    "jkt_padded: refused");

	ok(oidc_dpop_par_jkt(a1, OIDC_STR_NULL, &out, &err) == 0 &&
	    oidc_str_eq(out, a1), "par: the parameter alone binds");
	ok(oidc_dpop_par_jkt(OIDC_STR_NULL, a2, &out, &err) == 0 &&
	    oidc_str_eq(out, a2), "par: the proof alone binds");
	ok(oidc_dpop_par_jkt(a1, a1, &out, &err) == 0 &&
	    oidc_str_eq(out, a1), "par: both, the same key");
	ok(oidc_dpop_par_jkt(OIDC_STR_NULL, OIDC_STR_NULL, &out, &err) == 0 &&
	    out.p == NULL, "par: neither, not bound");
	ok(oidc_dpop_par_jkt(a1, a2, &out, &err) == -1 &&
	    err.code == OIDC_E_INVALID_DPOP_PROOF,
	    "par_mismatch: dpop_jkt and proof key differ: invalid_dpop_proof");

	ok(oidc_dpop_code_ok(OIDC_STR_NULL, OIDC_STR_NULL, &err) == 0 &&
	    oidc_dpop_code_ok(OIDC_STR_NULL, a1, &err) == 0,
	    "code: an unbound code takes any request");
	ok(oidc_dpop_code_ok(a1, a1, &err) == 0, "code: the bound key");
	memset(&err, 0, sizeof(err));
	ok(oidc_dpop_code_ok(a1, OIDC_STR_NULL, &err) == -1 &&
	    err.code == OIDC_E_INVALID_GRANT,
	    "code_no_proof: a bound code without a proof: invalid_grant");
	memset(&err, 0, sizeof(err));
	ok(oidc_dpop_code_ok(a1, a2, &err) == -1 &&
	    err.code == OIDC_E_INVALID_GRANT,
	    "code_other_key: another key's proof: invalid_grant");
}

int
main(void)
{
	struct oidc_error	 err = { 0 };

	if ((a = oidc_arena_new(65536, 16 << 20)) == NULL ||
	    (es = oidc_jwk_generate(OIDC_JWS_ES256, 0, &err)) == NULL ||
	    (other = oidc_jwk_generate(OIDC_JWS_ES256, 0, &err)) == NULL ||
	    (rs = oidc_jwk_generate(OIDC_JWS_PS256, 2048, &err)) == NULL ||
	    (hs = oidc_jwk_generate(OIDC_JWS_HS256, 0, &err)) == NULL) {
		diag("setup: %s", err.detail);
		return 1;
	}
	test_valid();
	test_header_rules();
	test_claim_rules();
	test_ath();
	test_limits();
	test_nonce();
	test_code_binding();
	oidc_jwk_free(es);
	oidc_jwk_free(other);
	oidc_jwk_free(rs);
	oidc_jwk_free(hs);
	oidc_arena_free(a);
	return done_testing();
}
