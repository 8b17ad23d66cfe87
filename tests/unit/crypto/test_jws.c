/*
 * test_jws.c: JWS compact sign/verify, JWT claim checks and at_hash/c_hash
 * (common/crypto/jws.c, with the signatures of common/crypto/jwk.c).
 *
 * Vectors (tests/vectors/jose/, see its README): RFC 7515 appendix A.1-A.4
 * and RFC 7520 4.1-4.4; OIDC Core 1.0 appendix A.4 (c_hash); RFC 9864
 * "Ed25519" and "Ed448" tokens signed by python3-cryptography.
 * Every strictness rule of jws.h has a named negative test below; each says
 * which attack it stands for.  Tests run from the repository root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/b64url.h"
#include "oidc/json.h"
#include "oidc/jwk.h"
#include "oidc/jws.h"

#include "tap.h"

#define VEC	"tests/vectors/jose/"

static struct oidc_arena	*a;

/* A compact JWS from a vector file, without its final newline. */
static char *
slurp(const char *path, size_t *len)
{
	char	*buf;

	if ((buf = tap_slurp(path, len)) == NULL)
		return NULL;
	while (*len > 0 && (buf[*len - 1] == '\n' || buf[*len - 1] == '\r'))
		buf[--*len] = '\0';
	return buf;
}

static struct oidc_keyset *
keys(const char *path, enum oidc_jws_alg alg)
{
	struct oidc_error	 err = { 0 };
	struct oidc_keyset	*ks;

	ks = oidc_keyset_load(a, path, alg, NULL, &err);
	if (ks == NULL)
		diag("%s: %s", path, err.detail);
	return ks;
}

/* A keyset holding just `key` (public half only unless `priv`). */
static struct oidc_keyset *
keyset_of(const struct oidc_jwk *key, bool priv)
{
	struct oidc_error	 err = { 0 };
	struct oidc_keyset	*ks;
	struct oidc_jwk		*k;
	struct oidc_json	*j;
	const char		*s;
	size_t			 len;

	j = priv || oidc_jwk_kty(key) == OIDC_JWK_OCT ?
	    oidc_jwk_private_json(key, a, &err) :
	    oidc_jwk_public_json(key, a, &err);
	s = oidc_json_serialize(j, a, &len, &err);
	k = oidc_jwk_parse_json(a, s, len, &err);
	ks = oidc_keyset_new(&err);
	if (oidc_keyset_add(ks, k, &err) == -1)
		oidc_jwk_free(k);
	return ks;
}

/* Base64url-decode one segment of a compact token into the arena. */
static unsigned char *
segment(const char *tok, int n, size_t *len)
{
	struct oidc_error	 err = { 0 };
	const char		*p = tok, *q;
	unsigned char		*out;

	while (n-- > 0)
		p = strchr(p, '.') + 1;
	q = strchr(p, '.');
	if (q == NULL)
		q = p + strlen(p);
	if (oidc_b64url_decode(a, p, (size_t)(q - p), &out, len, &err) == -1)
		return NULL;
	return out;
}

/* Sign the vector's header and payload again; compare byte for byte. */
static void
vector_exact(const char *name, enum oidc_jws_alg alg)
{
	struct oidc_error	 err = { 0 };
	struct oidc_keyset	*ks;
	unsigned char		*hdr, *pl;
	size_t			 tlen, hlen, plen, olen = 0;
	char			 path[256], *tok, *out = NULL;

	(void)snprintf(path, sizeof(path), VEC "%s.jws", name);
	tok = slurp(path, &tlen);
	(void)snprintf(path, sizeof(path), VEC "%s.jwk", name);
	ks = keys(path, OIDC_JWS_ALG_ANY);
	if (tok != NULL && ks != NULL) {
		hdr = segment(tok, 0, &hlen);
		pl = segment(tok, 1, &plen);
		out = oidc_jws_sign_header(a, oidc_keyset_get(ks, 0), alg,
		    (const char *)hdr, hlen, pl, plen, &olen, &err);
	}
	ok(out != NULL && olen == tlen && memcmp(out, tok, tlen) == 0,
	    "%s: signature byte-exact (%s)", name, err.detail);
	oidc_keyset_free(ks);
	free(tok);
	oidc_arena_reset(a);
}

/* Verify the vector with its key, allowing only its alg. */
static void
vector_verify(const char *name, enum oidc_jws_alg alg, const char *want)
{
	struct oidc_error	 err = { 0 };
	struct oidc_keyset	*ks;
	struct oidc_jws		 jws;
	size_t			 tlen;
	char			 path[256], *tok;
	int			 rc = -1;

	(void)snprintf(path, sizeof(path), VEC "%s.jws", name);
	tok = slurp(path, &tlen);
	(void)snprintf(path, sizeof(path), VEC "%s.jwk", name);
	ks = keys(path, OIDC_JWS_ALG_ANY);
	if (tok != NULL && ks != NULL)
		rc = oidc_jws_verify(a, ks, OIDC_JWS_BIT(alg), tok, tlen, &jws,
		    &err);
	ok(rc == 0 && jws.alg == alg, "%s: verifies (%s)", name, err.detail);
	ok(rc == 0 && jws.payload_len >= strlen(want) &&
	    memcmp(jws.payload, want, strlen(want)) == 0,
	    "%s: payload", name);
	/* The same vector with its last signature character changed. */
	if (tok != NULL && ks != NULL) {
		tok[tlen - 2] = tok[tlen - 2] == 'A' ? 'B' : 'A';
		memset(&err, 0, sizeof(err));
		rc = oidc_jws_verify(a, ks, OIDC_JWS_BIT(alg), tok, tlen, &jws,
		    &err);
		ok(rc == -1 && err.code == OIDC_E_INVALID_TOKEN,
		    "%s: tampered signature refused", name);
	}
	oidc_keyset_free(ks);
	free(tok);
	oidc_arena_reset(a);
}

static void
test_vectors(void)
{
	static const char joe[] = "{\"iss\":\"joe\",\r\n \"exp\":1300819380";
	static const char frodo[] = "It\xe2\x80\x99s a dangerous business";

	vector_exact("rfc7515_a1_hs256", OIDC_JWS_HS256);
	vector_verify("rfc7515_a1_hs256", OIDC_JWS_HS256, joe);
	vector_exact("rfc7515_a2_rs256", OIDC_JWS_RS256);
	vector_verify("rfc7515_a2_rs256", OIDC_JWS_RS256, joe);
	vector_verify("rfc7515_a3_es256", OIDC_JWS_ES256, joe);
	vector_verify("rfc7515_a4_es512", OIDC_JWS_ES512, "Payload");
	vector_exact("rfc7520_4_1_rs256", OIDC_JWS_RS256);
	vector_verify("rfc7520_4_1_rs256", OIDC_JWS_RS256, frodo);
	vector_verify("rfc7520_4_2_ps384", OIDC_JWS_PS384, frodo);
	vector_verify("rfc7520_4_3_es512", OIDC_JWS_ES512, frodo);
	vector_exact("rfc7520_4_4_hs256", OIDC_JWS_HS256);
	vector_verify("rfc7520_4_4_hs256", OIDC_JWS_HS256, frodo);
}

/* Sign and verify with a fresh key of every algorithm. */
static void
test_round_trip(void)
{
	static const char claims[] = "{\"sub\":\"alice\",\"n\":1}";
	struct oidc_error	 err;
	struct oidc_keyset	*ks;
	struct oidc_jwk		*k;
	struct oidc_jws		 jws;
	const char		*name;
	char			*tok;
	size_t			 len;
	unsigned		 i;
	int			 rc;

	for (i = 0; i < OIDC_JWS__MAX; i++) {
		name = oidc_jws_alg_name((enum oidc_jws_alg)i);
		memset(&err, 0, sizeof(err));
		k = oidc_jwk_generate((enum oidc_jws_alg)i, 0, &err);
		tok = k != NULL ? oidc_jws_sign(a, k, (enum oidc_jws_alg)i,
		    "JWT", claims, sizeof(claims) - 1, &len, &err) : NULL;
		ok(tok != NULL, "%s: sign (%s)", name, err.detail);
		ks = k != NULL ? keyset_of(k, false) : NULL;
		rc = tok != NULL && ks != NULL ? oidc_jws_verify(a, ks,
		    OIDC_JWS_BIT(i), tok, len, &jws, &err) : -1;
		ok(rc == 0 && jws.alg == (enum oidc_jws_alg)i &&
		    jws.payload_len == sizeof(claims) - 1 &&
		    memcmp(jws.payload, claims, jws.payload_len) == 0 &&
		    oidc_str_eq_cstr(jws.typ, "JWT") &&
		    strcmp(oidc_jwk_kid(jws.key), oidc_jwk_kid(k)) == 0,
		    "%s: round trip (%s)", name, err.detail);
		if (tok != NULL) {
			/* One payload bit flipped: "alice" -> "alicf". */
			char *p = strstr(tok, ".") + 1;

			p[10] = p[10] == 'A' ? 'Q' : 'A';
			memset(&err, 0, sizeof(err));
			ok(oidc_jws_verify(a, ks, OIDC_JWS_BIT(i), tok, len,
			    &jws, &err) == -1, "%s: tampered payload refused",
			    name);
		}
		oidc_keyset_free(ks);
		oidc_jwk_free(k);
		oidc_arena_reset(a);
	}
}

/* Build an unsigned-but-framed token: b64(hdr).b64(payload).sig_b64. */
static char *
forge(const char *hdr, const char *payload, const char *sig)
{
	return oidc_arena_printf(a, "%s.%s.%s",
	    oidc_b64url_encode(a, hdr, strlen(hdr)),
	    oidc_b64url_encode(a, payload, strlen(payload)), sig);
}

static int
verify_str(const struct oidc_keyset *ks, unsigned allowed, const char *tok,
    struct oidc_jws *jws, struct oidc_error *err)
{
	memset(err, 0, sizeof(*err));
	return oidc_jws_verify(a, ks, allowed, tok, strlen(tok), jws, err);
}

/*
 * A set of attacks and malformed tokens against one HS256 key ("hs", the
 * RFC 7520 3.5 key) and one RSA key ("bilbo...", RFC 7520 3.4).
 */
static void
test_negative(void)
{
	static const char rsa_path[] = VEC "rfc7520_4_1_rs256.jwk";
	struct oidc_error	 err;
	struct oidc_keyset	*ks, *rsa_pub, *hs;
	struct oidc_jwk		*k, *atk, *rsa_priv;
	struct oidc_jws		 jws;
	const struct oidc_jwk	*rk;
	struct oidc_json	*j;
	const char		*s, *pub;
	char			*tok, *t2, *pem, *big;
	unsigned char		 sigbuf[OIDC_JWS_MAX_SIG];
	size_t			 len, n;

	/* Our keys: the RFC 7520 3.4 RSA key (private copy, public set). */
	{
		struct oidc_keyset *tmp = keys(rsa_path, OIDC_JWS_ALG_ANY);

		memset(&err, 0, sizeof(err));
		j = oidc_jwk_private_json(oidc_keyset_get(tmp, 0), a, &err);
		s = oidc_json_serialize(j, a, &len, &err);
		rsa_priv = oidc_jwk_parse_json(a, s, len, &err);
		oidc_keyset_free(tmp);
	}
	rsa_pub = keyset_of(rsa_priv, false);
	rk = oidc_keyset_get(rsa_pub, 0);
	hs = keys(VEC "rfc7520_4_4_hs256.jwk", OIDC_JWS_ALG_ANY);

	/*
	 * alg_none: the unsecured JWS (RFC 7515 A.5) must never verify,
	 * whatever the caller allows.
	 */
	tok = forge("{\"alg\":\"none\"}", "{\"sub\":\"admin\"}", "");
	ok(verify_str(rsa_pub, OIDC_JWS_ALL, tok, &jws, &err) == -1 &&
	    err.code == OIDC_E_INVALID_TOKEN, "alg_none");
	tok = forge("{\"alg\":\"None\"}", "{}", "");
	ok(verify_str(hs, OIDC_JWS_ALL, tok, &jws, &err) == -1,
	    "alg_none: other spellings");

	/*
	 * alg_confusion_rs_hs: the attacker HMACs with our PUBLIC key bytes
	 * as the secret and names our RSA key by kid.
	 */
	pub = oidc_jwk_public_pem(rk, a, &err);
	s = oidc_arena_printf(a, "{\"kty\":\"oct\",\"k\":\"%s\"}",
	    oidc_b64url_encode(a, pub, strlen(pub)));
	atk = oidc_jwk_parse_json(a, s, strlen(s), &err);
	s = "{\"alg\":\"HS256\",\"kid\":\"bilbo.baggins@hobbiton.example\"}";
	tok = oidc_jws_sign_header(a, atk, OIDC_JWS_HS256, s, strlen(s),
	    "{}", 2, &len, &err);
	ok(tok != NULL && verify_str(rsa_pub, OIDC_JWS_ALL, tok, &jws,
	    &err) == -1 && jws.payload == NULL, "alg_confusion_rs_hs");
	oidc_jwk_free(atk);

	/*
	 * alg_same_family_downgrade: a key pinned to RS512 must not accept an
	 * RS256 (or PS512) signature made with the same private key.
	 */
	pem = oidc_jwk_private_pem(rsa_priv, a, &err);
	k = oidc_jwk_parse_pem(a, pem, strlen(pem), OIDC_JWS_RS512, "pin",
	    &err);
	ks = keyset_of(k, false);
	oidc_jwk_free(k);
	k = oidc_jwk_parse_pem(a, pem, strlen(pem), OIDC_JWS_ALG_ANY, "pin",
	    &err);
	tok = oidc_jws_sign(a, k, OIDC_JWS_RS256, NULL, "{}", 2, &len, &err);
	ok(tok != NULL && verify_str(ks, OIDC_JWS_ALL, tok, &jws, &err) == -1,
	    "alg_same_family_downgrade RS512 -> RS256");
	tok = oidc_jws_sign(a, k, OIDC_JWS_PS512, NULL, "{}", 2, &len, &err);
	ok(tok != NULL && verify_str(ks, OIDC_JWS_ALL, tok, &jws, &err) == -1,
	    "alg_same_family_downgrade RS512 -> PS512");
	tok = oidc_jws_sign(a, k, OIDC_JWS_RS512, NULL, "{}", 2, &len, &err);
	ok(tok != NULL && verify_str(ks, OIDC_JWS_ALL, tok, &jws, &err) == 0,
	    "pinned RS512 key accepts RS512");
	ok(verify_str(ks, OIDC_JWS_BIT(OIDC_JWS_RS256), tok, &jws, &err) ==
	    -1, "alg outside the caller's allowed mask refused");
	oidc_jwk_free(k);
	oidc_keyset_free(ks);

	/*
	 * embedded_jwk_ignored: the attacker signs with his own key and puts
	 * it in the "jwk" header (and a jku/x5u for good measure).  It must
	 * never be used.
	 */
	atk = oidc_jwk_generate(OIDC_JWS_RS256, 0, &err);
	j = oidc_jwk_public_json(atk, a, &err);
	s = oidc_json_serialize(j, a, &len, &err);
	s = oidc_arena_printf(a, "{\"alg\":\"RS256\",\"jwk\":%s,"
	    "\"jku\":\"https://evil.example/jwks\","
	    "\"x5u\":\"https://evil.example/cert\"}", s);
	tok = oidc_jws_sign_header(a, atk, OIDC_JWS_RS256, s, strlen(s), "{}",
	    2, &len, &err);
	ok(tok != NULL && verify_str(rsa_pub, OIDC_JWS_ALL, tok, &jws,
	    &err) == -1 && err.code == OIDC_E_INVALID_TOKEN,
	    "embedded_jwk_ignored (no kid)");
	s = oidc_arena_printf(a, "{\"alg\":\"RS256\",\"kid\":\"%s\","
	    "\"jwk\":%s}", oidc_jwk_kid(atk),
	    oidc_json_serialize(j, a, NULL, &err));
	tok = oidc_jws_sign_header(a, atk, OIDC_JWS_RS256, s, strlen(s), "{}",
	    2, &len, &err);
	ok(tok != NULL && verify_str(rsa_pub, OIDC_JWS_ALL, tok, &jws,
	    &err) == -1, "embedded_jwk_ignored (kid of the embedded key)");
	s = "{\"alg\":\"RS256\",\"kid\":\"bilbo.baggins@hobbiton.example\"}";
	tok = oidc_jws_sign_header(a, atk, OIDC_JWS_RS256, s, strlen(s), "{}",
	    2, &len, &err);
	ok(tok != NULL && verify_str(rsa_pub, OIDC_JWS_ALL, tok, &jws,
	    &err) == -1, "attacker key with our kid refused");
	oidc_jwk_free(atk);

	/* kid_unknown: a kid that is not in our set is never "close enough". */
	s = "{\"alg\":\"HS256\",\"kid\":\"someone-else\"}";
	tok = oidc_jws_sign_header(a, oidc_keyset_get(hs, 0), OIDC_JWS_HS256,
	    s, strlen(s), "{}", 2, &len, &err);
	ok(tok != NULL && verify_str(hs, OIDC_JWS_ALL, tok, &jws, &err) ==
	    -1 && strstr(err.detail, "kid") != NULL, "kid_unknown");
	s = "{\"alg\":\"HS256\",\"kid\":7}";
	tok = oidc_jws_sign_header(a, oidc_keyset_get(hs, 0), OIDC_JWS_HS256,
	    s, strlen(s), "{}", 2, &len, &err);
	ok(tok != NULL && verify_str(hs, OIDC_JWS_ALL, tok, &jws, &err) == -1,
	    "kid that is not a string refused");

	/*
	 * No kid and two keys that could verify: ambiguous, refused, so the
	 * token cannot make us try keys until one fits.
	 */
	{
		struct oidc_keyset *two = keys(VEC "rfc7520_4_4_hs256.jwk",
		    OIDC_JWS_ALG_ANY);

		k = oidc_jwk_generate(OIDC_JWS_HS256, 0, &err);
		s = "{\"alg\":\"HS256\"}";
		tok = oidc_jws_sign_header(a, k, OIDC_JWS_HS256, s,
		    strlen(s), "{}", 2, &len, &err);
		if (oidc_keyset_add(two, k, &err) == -1)
			oidc_jwk_free(k);
		ok(tok != NULL && verify_str(two, OIDC_JWS_ALL, tok, &jws,
		    &err) == -1, "no kid with two candidate keys refused");
		oidc_keyset_free(two);
	}

	/*
	 * es256_wrong_sig_len: R || S must be exactly 64 bytes; a DER
	 * signature, a truncated one or one with an extra byte is refused.
	 */
	{
		struct oidc_keyset *es = keys(VEC "rfc7515_a3_es256.jwk",
		    OIDC_JWS_ALG_ANY);
		unsigned char *sig;

		tok = slurp(VEC "rfc7515_a3_es256.jws", &len);
		ok(verify_str(es, OIDC_JWS_BIT(OIDC_JWS_ES256), tok, &jws,
		    &err) == 0, "ES256 vector verifies as is");
		sig = segment(tok, 2, &n);
		t2 = strrchr(tok, '.');
		*t2 = '\0';
		memcpy(sigbuf, sig, n);
		sigbuf[n] = 0;
		s = oidc_arena_printf(a, "%s.%s", tok,
		    oidc_b64url_encode(a, sigbuf, 63));
		ok(verify_str(es, OIDC_JWS_ALL, s, &jws, &err) == -1,
		    "es256_wrong_sig_len 63");
		s = oidc_arena_printf(a, "%s.%s", tok,
		    oidc_b64url_encode(a, sigbuf, 65));
		ok(verify_str(es, OIDC_JWS_ALL, s, &jws, &err) == -1,
		    "es256_wrong_sig_len 65");
		/* The same signature in DER: 30 len 02 20 R 02 20|21 S. */
		memset(sigbuf, 0, sizeof(sigbuf));
		sigbuf[0] = 0x30;
		sigbuf[2] = 0x02;
		sigbuf[3] = 32;
		memcpy(sigbuf + 4, sig, 32);
		sigbuf[36] = 0x02;
		sigbuf[37] = 32;
		memcpy(sigbuf + 38, sig + 32, 32);
		sigbuf[1] = 68;
		s = oidc_arena_printf(a, "%s.%s", tok,
		    oidc_b64url_encode(a, sigbuf, 70));
		ok(verify_str(es, OIDC_JWS_ALL, s, &jws, &err) == -1 &&
		    jws.payload == NULL, "es256_wrong_sig_len DER form");
		free(tok);
		oidc_keyset_free(es);
	}

	/* crit_unknown: we understand no extension, so any crit fails. */
	s = "{\"alg\":\"HS256\",\"crit\":[\"exp\"],\"exp\":1363284000}";
	tok = oidc_jws_sign_header(a, oidc_keyset_get(hs, 0), OIDC_JWS_HS256,
	    s, strlen(s), "{}", 2, &len, &err);
	ok(tok != NULL && verify_str(hs, OIDC_JWS_ALL, tok, &jws, &err) == -1,
	    "crit_unknown");
	s = "{\"alg\":\"HS256\",\"crit\":[\"b64\"],\"b64\":false}";
	tok = oidc_jws_sign_header(a, oidc_keyset_get(hs, 0), OIDC_JWS_HS256,
	    s, strlen(s), "{}", 2, &len, &err);
	ok(tok != NULL && verify_str(hs, OIDC_JWS_ALL, tok, &jws, &err) == -1,
	    "crit_unknown: b64 (RFC 7797) refused");

	/* zip_refused: compression is for JWE only (RFC 7516 4.1.3). */
	s = "{\"alg\":\"HS256\",\"zip\":\"DEF\"}";
	tok = oidc_jws_sign_header(a, oidc_keyset_get(hs, 0), OIDC_JWS_HS256,
	    s, strlen(s), "{}", 2, &len, &err);
	ok(tok != NULL && verify_str(hs, OIDC_JWS_ALL, tok, &jws, &err) == -1,
	    "zip_refused");

	/* oversize_token: refused on length alone, before any decoding. */
	big = malloc(OIDC_JWS_MAX_LEN + 2);
	memset(big, 'A', OIDC_JWS_MAX_LEN + 1);
	big[100] = '.';
	big[200] = '.';
	memset(&err, 0, sizeof(err));
	ok(oidc_jws_verify(a, hs, OIDC_JWS_ALL, big, OIDC_JWS_MAX_LEN + 1,
	    &jws, &err) == -1 && err.code == OIDC_E_LIMIT,
	    "oversize_token (max + 1)");
	memset(&err, 0, sizeof(err));
	ok(oidc_jws_verify(a, hs, OIDC_JWS_ALL, big, OIDC_JWS_MAX_LEN, &jws,
	    &err) == -1 && err.code == OIDC_E_INVALID_TOKEN,
	    "token of exactly max is parsed (then refused as garbage)");
	big[100] = big[200] = 'A';
	big[OIDC_JWS_MAX_HEADER + 1] = '.';
	big[3000] = '.';
	memset(&err, 0, sizeof(err));
	ok(oidc_jws_verify(a, hs, OIDC_JWS_ALL, big, 4000, &jws, &err) ==
	    -1 && err.code == OIDC_E_LIMIT, "oversize_token: header max + 1");
	free(big);
	k = oidc_jwk_generate(OIDC_JWS_HS256, 0, &err);
	big = calloc(1, OIDC_JWS_MAX_LEN);
	memset(big, 'x', OIDC_JWS_MAX_LEN - 1);
	memset(&err, 0, sizeof(err));
	ok(oidc_jws_sign(a, k, OIDC_JWS_HS256, NULL, big, 13000, &len,
	    &err) == NULL && err.code == OIDC_E_LIMIT,
	    "signing refuses a token over the limit");
	free(big);
	oidc_jwk_free(k);

	/* two_segments and friends: exactly three segments. */
	ok(verify_str(hs, OIDC_JWS_ALL, "eyJhbGciOiJIUzI1NiJ9.e30", &jws,
	    &err) == -1, "two_segments");
	ok(verify_str(hs, OIDC_JWS_ALL, "eyJhbGciOiJIUzI1NiJ9", &jws,
	    &err) == -1, "one segment");
	ok(verify_str(hs, OIDC_JWS_ALL, "a.b.c.d", &jws, &err) == -1,
	    "four segments");
	ok(verify_str(hs, OIDC_JWS_ALL, "a.b.c.d.e", &jws, &err) == -1,
	    "five segments (JWE) refused");
	ok(verify_str(hs, OIDC_JWS_ALL, "", &jws, &err) == -1, "empty token");
	ok(verify_str(hs, OIDC_JWS_ALL, "..", &jws, &err) == -1,
	    "empty segments");

	/* bad_b64: padding, the standard alphabet, whitespace. */
	tok = oidc_jws_sign(a, oidc_keyset_get(hs, 0), OIDC_JWS_HS256, NULL,
	    "{}", 2, &len, &err);
	ok(verify_str(hs, OIDC_JWS_ALL, tok, &jws, &err) == 0,
	    "control token verifies");
	t2 = oidc_arena_printf(a, "%s=", tok);
	ok(verify_str(hs, OIDC_JWS_ALL, t2, &jws, &err) == -1,
	    "bad_b64: padded signature");
	t2 = oidc_arena_strdup(a, tok);
	t2[3] = '+';
	ok(verify_str(hs, OIDC_JWS_ALL, t2, &jws, &err) == -1,
	    "bad_b64: '+' in header");
	t2 = oidc_arena_printf(a, " %s", tok);
	ok(verify_str(hs, OIDC_JWS_ALL, t2, &jws, &err) == -1,
	    "bad_b64: leading space");
	ok(verify_str(hs, OIDC_JWS_ALL, forge("[\"alg\"]", "{}", "AA"), &jws,
	    &err) == -1, "header that is not an object");
	ok(verify_str(hs, OIDC_JWS_ALL, forge("{\"alg\":7}", "{}", "AA"),
	    &jws, &err) == -1, "alg that is not a string");

	/*
	 * payload_not_returned_on_failure: a token with a bad signature
	 * leaves no payload (and no key or header) behind.
	 */
	t2 = oidc_arena_strdup(a, tok);
	t2[len - 1] = t2[len - 1] == 'A' ? 'B' : 'A';
	memset(&jws, 0x5a, sizeof(jws));
	ok(verify_str(hs, OIDC_JWS_ALL, t2, &jws, &err) == -1 &&
	    jws.payload == NULL && jws.payload_len == 0 && jws.key == NULL &&
	    jws.header == NULL, "payload_not_returned_on_failure");

	/*
	 * rsa_1024_refused_for_signing (and for verifying: a 1024-bit
	 * modulus is factorable by a motivated attacker).
	 */
	memset(&err, 0, sizeof(err));
	ks = keys(VEC "rsa1024_pkcs8.pem", OIDC_JWS_RS256);
	ok(ks != NULL, "1024-bit key parses");
	memset(&err, 0, sizeof(err));
	ok(ks != NULL && oidc_jws_sign(a, oidc_keyset_get(ks, 0),
	    OIDC_JWS_RS256, NULL, "{}", 2, &len, &err) == NULL &&
	    err.code == OIDC_E_CONFIG, "rsa_1024_refused_for_signing");
	ok(ks != NULL && !oidc_jwk_supports(oidc_keyset_get(ks, 0),
	    OIDC_JWS_RS256), "1024-bit key supports nothing");
	oidc_keyset_free(ks);

	/* A public key cannot sign. */
	memset(&err, 0, sizeof(err));
	ok(oidc_jws_sign(a, oidc_keyset_get(rsa_pub, 0), OIDC_JWS_RS256,
	    NULL, "{}", 2, &len, &err) == NULL, "public key cannot sign");

	oidc_jwk_free(rsa_priv);
	oidc_keyset_free(rsa_pub);
	oidc_keyset_free(hs);
	oidc_arena_reset(a);
}

struct claim_case {
	const char	*name;
	const char	*claims;
	int		 rc;
};

/* now = 1000000, leeway = 60, iss "https://op", aud "rp". */
static const struct claim_case claim_cases[] = {
	{ "valid", "{\"iss\":\"https://op\",\"aud\":\"rp\",\"exp\":1000100,"
	    "\"iat\":999990,\"nbf\":999990}", 0 },
	{ "exp in the past, inside leeway", "{\"iss\":\"https://op\","
	    "\"aud\":\"rp\",\"exp\":999941,\"iat\":999000}", 0 },
	{ "exp at now - leeway (expired)", "{\"iss\":\"https://op\","
	    "\"aud\":\"rp\",\"exp\":999940,\"iat\":999000}", -1 },
	{ "exp long past", "{\"iss\":\"https://op\",\"aud\":\"rp\","
	    "\"exp\":1,\"iat\":0}", -1 },
	{ "exp as a string", "{\"iss\":\"https://op\",\"aud\":\"rp\","
	    "\"exp\":\"9999999999\",\"iat\":999000}", -1 },
	{ "exp as a float", "{\"iss\":\"https://op\",\"aud\":\"rp\","
	    "\"exp\":1000100.5,\"iat\":999000}", -1 },
	{ "exp missing but required", "{\"iss\":\"https://op\","
	    "\"aud\":\"rp\",\"iat\":999000}", -1 },
	{ "exp near INT64_MAX", "{\"iss\":\"https://op\",\"aud\":\"rp\","
	    "\"exp\":9223372036854775806,\"iat\":999000}", 0 },
	{ "nbf in the future, inside leeway", "{\"iss\":\"https://op\","
	    "\"aud\":\"rp\",\"exp\":1000100,\"iat\":999000,\"nbf\":1000060}",
	    0 },
	{ "nbf beyond leeway", "{\"iss\":\"https://op\",\"aud\":\"rp\","
	    "\"exp\":1000100,\"iat\":999000,\"nbf\":1000061}", -1 },
	{ "iat in the future, inside leeway", "{\"iss\":\"https://op\","
	    "\"aud\":\"rp\",\"exp\":1000100,\"iat\":1000060}", 0 },
	{ "iat beyond leeway", "{\"iss\":\"https://op\",\"aud\":\"rp\","
	    "\"exp\":1000100,\"iat\":1000061}", -1 },
	{ "iat missing but required", "{\"iss\":\"https://op\","
	    "\"aud\":\"rp\",\"exp\":1000100}", -1 },
	{ "iss differs", "{\"iss\":\"https://op/\",\"aud\":\"rp\","
	    "\"exp\":1000100,\"iat\":999000}", -1 },
	{ "iss missing", "{\"aud\":\"rp\",\"exp\":1000100,\"iat\":999000}",
	    -1 },
	{ "aud array contains", "{\"iss\":\"https://op\",\"aud\":[\"x\","
	    "\"rp\"],\"exp\":1000100,\"iat\":999000}", 0 },
	{ "aud array lacks", "{\"iss\":\"https://op\",\"aud\":[\"x\","
	    "\"rp2\"],\"exp\":1000100,\"iat\":999000}", -1 },
	{ "aud array with a non-string", "{\"iss\":\"https://op\","
	    "\"aud\":[\"rp\",1],\"exp\":1000100,\"iat\":999000}", -1 },
	{ "aud prefix", "{\"iss\":\"https://op\",\"aud\":\"r\","
	    "\"exp\":1000100,\"iat\":999000}", -1 },
	{ "aud missing", "{\"iss\":\"https://op\",\"exp\":1000100,"
	    "\"iat\":999000}", -1 },
};

static void
test_claims(void)
{
	struct oidc_jwt_rules	 rules = {
		.now = 1000000, .leeway = 60, .iss = "https://op",
		.aud = "rp", .require_exp = true, .require_iat = true,
	};
	struct oidc_error	 err;
	struct oidc_json	*c;
	size_t			 i;

	for (i = 0; i < OIDC_NELEM(claim_cases); i++) {
		memset(&err, 0, sizeof(err));
		if (oidc_json_parse(a, claim_cases[i].claims,
		    strlen(claim_cases[i].claims), 0, &c, &err) == -1) {
			ok(0, "claims JSON %s", claim_cases[i].name);
			continue;
		}
		ok(oidc_jwt_check_claims(c, &rules, &err) ==
		    claim_cases[i].rc && (claim_cases[i].rc == 0 ||
		    err.code == OIDC_E_INVALID_TOKEN), "claims: %s",
		    claim_cases[i].name);
	}
	/* Zero leeway: exp == now is already expired (RFC 7519 4.1.4). */
	rules.leeway = 0;
	rules.iss = rules.aud = NULL;
	memset(&err, 0, sizeof(err));
	ok(oidc_json_parse(a, "{\"exp\":1000000,\"iat\":1}", 23, 0, &c,
	    &err) == 0 && oidc_jwt_check_claims(c, &rules, &err) == -1,
	    "claims: exp == now with no leeway is expired");
	oidc_arena_reset(a);
}

static void
test_jwt_verify(void)
{
	struct oidc_jwt_rules	 rules = {
		.now = 1000000, .leeway = 30, .iss = "https://op",
		.aud = "rp", .require_exp = true,
	};
	struct oidc_error	 err = { 0 };
	struct oidc_keyset	*ks;
	struct oidc_jws		 jws;
	struct oidc_json	*c;
	const char		*p;
	char			*tok;
	size_t			 len;

	ks = keys(VEC "rfc7520_4_4_hs256.jwk", OIDC_JWS_ALG_ANY);
	p = "{\"iss\":\"https://op\",\"aud\":\"rp\",\"exp\":1000010}";
	tok = oidc_jws_sign(a, oidc_keyset_get(ks, 0), OIDC_JWS_HS256, "JWT",
	    p, strlen(p), &len, &err);
	ok(oidc_jwt_verify(a, ks, OIDC_JWS_BIT(OIDC_JWS_HS256), tok, len,
	    &rules, &jws, &c, &err) == 0 && c != NULL, "jwt_verify valid");
	rules.now = 1000040;
	memset(&err, 0, sizeof(err));
	ok(oidc_jwt_verify(a, ks, OIDC_JWS_BIT(OIDC_JWS_HS256), tok, len,
	    &rules, &jws, &c, &err) == -1 && c == NULL && jws.payload == NULL,
	    "jwt_verify expired: no claims, no payload");
	tok = oidc_jws_sign(a, oidc_keyset_get(ks, 0), OIDC_JWS_HS256, NULL,
	    "not json", 8, &len, &err);
	memset(&err, 0, sizeof(err));
	ok(oidc_jwt_verify(a, ks, OIDC_JWS_BIT(OIDC_JWS_HS256), tok, len,
	    &rules, &jws, &c, &err) == -1 && err.code == OIDC_E_INVALID_TOKEN,
	    "jwt_verify: payload not a JSON object");
	oidc_keyset_free(ks);
	oidc_arena_reset(a);
}

static void
test_half_hash(void)
{
	struct oidc_error	 err = { 0 };
	static const char code[] =
	    "Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk";
	char			*s;

	/* OIDC Core 1.0 appendix A.4: c_hash of this code under RS256. */
	s = oidc_jws_half_hash(a, OIDC_JWS_RS256, code, sizeof(code) - 1,
	    &err);
	is_str(s, "LDktKdoQak3Pk0cnXxCltA", "c_hash OIDC Core A.4");
	/* Values computed with python3 hashlib. */
	s = oidc_jws_half_hash(a, OIDC_JWS_ES384, "abc", 3, &err);
	is_str(s, "ywB1P0WjXou1oD1pmsZQBycsMqsO3tFj", "half hash SHA-384");
	s = oidc_jws_half_hash(a, OIDC_JWS_PS512, "abc", 3, &err);
	is_str(s, "3a81oZNherrMQXNJriBBMRLm-k6JqX6iCp7u5ktV05o",
	    "half hash SHA-512");
	s = oidc_jws_half_hash(a, OIDC_JWS_EDDSA, "abc", 3, &err);
	is_str(s, "3a81oZNherrMQXNJriBBMRLm-k6JqX6iCp7u5ktV05o",
	    "half hash EdDSA uses SHA-512");
	s = oidc_jws_half_hash(a, OIDC_JWS_ED25519, "abc", 3, &err);
	is_str(s, "3a81oZNherrMQXNJriBBMRLm-k6JqX6iCp7u5ktV05o",
	    "half hash Ed25519 uses SHA-512");
	/* Ed448's own hash: SHAKE256 with 114 bytes of output (RFC 8032 5.2). */
	memset(&err, 0, sizeof(err));
	s = oidc_jws_half_hash(a, OIDC_JWS_ED448, "abc", 3, &err);
	is_str(s, "SDNmYBNgqHccaGMIDMQRTY20RTD48eHuT5TqN-eLVznVoVvvGGpThsdXRMBSf"
	    "h-qn4cm5GKhKk_r", "half hash Ed448 uses SHAKE256/114");
	memset(&err, 0, sizeof(err));
	ok(oidc_jws_half_hash(a, OIDC_JWS__MAX, "abc", 3, &err) == NULL,
	    "half hash: bad alg");
	oidc_arena_reset(a);
}

/* The RFC 8037 A.1 public key, its JWK not yet closed. */
#define ED_JWK	"{\"kty\":\"OKP\",\"crv\":\"Ed25519\"," \
	"\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\""

/*
 * RFC 9864: "Ed25519" and "Ed448" are fully-specified names, "EdDSA" the
 * polymorphic one.  Ed25519 under either name is the same signature, but a
 * key pinned to one name is never used under the other, and "EdDSA" never
 * selects Ed448 here (EdDSA stays Ed25519-only).
 */
static void
test_rfc9864(void)
{
	enum oidc_jws_alg	 ed25519 = OIDC_JWS_ED25519;
	enum oidc_jws_alg	 ed448 = OIDC_JWS_ED448, byname;
	struct oidc_error	 err;
	struct oidc_keyset	*ks;
	struct oidc_jws		 jws;
	char			*tok, *t2;
	size_t			 len;

	ok(oidc_jws_alg_from_name("Ed25519", 7, &byname) == 1 &&
	    byname == ed25519 && oidc_jws_alg_from_name("Ed448", 5,
	    &byname) == 1 && byname == ed448, "Ed25519 and Ed448 are JWS algs");
	vector_exact("rfc9864_ed25519", ed25519);
	vector_verify("rfc9864_ed25519", ed25519, "Example of Ed25519");
	vector_exact("rfc9864_ed448", ed448);
	vector_verify("rfc9864_ed448", ed448, "Example of Ed448");

	tok = slurp(VEC "rfc9864_ed25519.jws", &len);
	memset(&err, 0, sizeof(err));
	/* eddsa_pinned_refuses_ed25519: the key's alg is the only alg. */
	ks = oidc_keyset_parse(a, ED_JWK ",\"alg\":\"EdDSA\"}",
	    sizeof(ED_JWK ",\"alg\":\"EdDSA\"}") - 1, OIDC_JWS_ALG_ANY,
	    NULL, &err);
	ok(tok != NULL && ks != NULL && verify_str(ks, OIDC_JWS_ALL, tok,
	    &jws, &err) == -1, "eddsa_pinned_refuses_ed25519");
	oidc_keyset_free(ks);
	/* ... and the reverse: an Ed25519-pinned key, an EdDSA token. */
	memset(&err, 0, sizeof(err));
	ks = oidc_keyset_parse(a, ED_JWK ",\"alg\":\"Ed25519\"}",
	    sizeof(ED_JWK ",\"alg\":\"Ed25519\"}") - 1, OIDC_JWS_ALG_ANY,
	    NULL, &err);
	t2 = tok != NULL ? forge("{\"alg\":\"EdDSA\"}", "x",
	    strrchr(tok, '.') + 1) : NULL;
	ok(t2 != NULL && ks != NULL && verify_str(ks, OIDC_JWS_ALL, t2, &jws,
	    &err) == -1, "ed25519_pinned_refuses_eddsa");
	/* The caller's mask decides too: Ed25519 not allowed, refused. */
	ok(tok != NULL && ks != NULL && verify_str(ks,
	    OIDC_JWS_BIT(OIDC_JWS_EDDSA), tok, &jws, &err) == -1,
	    "ed25519_not_in_allowed_mask");
	oidc_keyset_free(ks);
	free(tok);
	/* ed448_key_not_eddsa: "EdDSA" never selects an Ed448 key. */
	tok = slurp(VEC "rfc9864_ed448.jws", &len);
	ks = keys(VEC "rfc9864_ed448.jwk", OIDC_JWS_ALG_ANY);
	t2 = tok != NULL ? forge("{\"alg\":\"EdDSA\"}",
	    "Example of Ed448 signing", strrchr(tok, '.') + 1) : NULL;
	ok(t2 != NULL && ks != NULL && verify_str(ks, OIDC_JWS_ALL, t2, &jws,
	    &err) == -1, "ed448_key_not_eddsa");
	/* ed448_sig_as_ed25519: a 114-byte signature under Ed25519. */
	t2 = tok != NULL ? forge("{\"alg\":\"Ed25519\"}",
	    "Example of Ed448 signing", strrchr(tok, '.') + 1) : NULL;
	ok(t2 != NULL && ks != NULL && verify_str(ks, OIDC_JWS_ALL, t2, &jws,
	    &err) == -1, "ed448_sig_as_ed25519");
	oidc_keyset_free(ks);
	free(tok);
	oidc_arena_reset(a);
}

int
main(void)
{
	a = oidc_arena_new(8192, 4 << 20);
	test_vectors();
	test_round_trip();
	test_negative();
	test_claims();
	test_jwt_verify();
	test_half_hash();
	test_rfc9864();
	oidc_arena_free(a);
	return done_testing();
}
