/*
 * jws.c: JWS compact serialization, JWT claim checks and at_hash/c_hash
 * (see oidc/jws.h for the rules and limits).
 *
 * The cryptography itself is in jwk_sign.c (oidc_jwk_sign/oidc_jwk_verify);
 * this file is the JOSE framing around it and every strictness decision
 * of verification, in the order the header comment lists them.
 */
#include <string.h>

#include <openssl/evp.h>

#include "oidc/arena.h"
#include "oidc/b64url.h"
#include "oidc/crypto.h"
#include "oidc/json.h"
#include "oidc/jwk.h"
#include "oidc/jws.h"

#define BAD_TOKEN(err, pub, ...) \
	oidc_fail((err), OIDC_E_INVALID_TOKEN, (pub), __VA_ARGS__)

/*
 * Sign with a header whose bytes are already final.  `check` parses the
 * header and insists that its "alg" is `alg` (for caller-supplied bytes).
 */
static char *
sign_compact(struct oidc_arena *a, const struct oidc_jwk *key,
    enum oidc_jws_alg alg, const char *hdr, size_t hdrlen, bool check,
    const void *payload, size_t plen, size_t *outlen, struct oidc_error *err)
{
	struct oidc_json	*h;
	struct oidc_str		 s;
	unsigned char		 sig[OIDC_JWS_MAX_SIG];
	size_t			 hb, pb, sb, siglen, total, n;
	char			*out;

	if (check) {
		if (oidc_json_parse(a, hdr, hdrlen, OIDC_JWS_MAX_HEADER, &h,
		    err) == -1)
			return NULL;
		if (oidc_json_get_str(h, "alg", &s, err) != 1 ||
		    !oidc_str_eq_cstr(s, oidc_jws_alg_name(alg))) {
			oidc_fail(err, OIDC_E_INTERNAL, NULL,
			    "jws: header alg is not %s",
			    oidc_jws_alg_name(alg));
			return NULL;
		}
	}
	siglen = oidc_jwk_sig_len(key, alg);
	hb = oidc_b64url_encoded_len(hdrlen);
	pb = oidc_b64url_encoded_len(plen);
	sb = oidc_b64url_encoded_len(siglen);
	if (plen > OIDC_JWS_MAX_LEN || hdrlen > OIDC_JWS_MAX_LEN ||
	    siglen > sizeof(sig) || !oidc_size_add(hb, pb, &total) ||
	    !oidc_size_add(total, sb + 2, &total) ||
	    total > OIDC_JWS_MAX_LEN || hb > OIDC_JWS_MAX_HEADER) {
		oidc_fail(err, OIDC_E_LIMIT, "token too large",
		    "jws: token of %zu+%zu bytes", hdrlen, plen);
		return NULL;
	}
	if ((out = oidc_arena_alloc(a, total + 1)) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
		return NULL;
	}
	/* RFC 7515 5.1 steps 3-8: BASE64URL(header) '.' BASE64URL(payload). */
	n = oidc_b64url_encode_to(out, hdr, hdrlen);
	out[n++] = '.';
	n += oidc_b64url_encode_to(out + n, payload, plen);
	siglen = sizeof(sig);
	if (oidc_jwk_sign(key, alg, out, n, sig, &siglen, err) == -1)
		return NULL;
	out[n++] = '.';
	n += oidc_b64url_encode_to(out + n, sig, siglen);
	out[n] = '\0';
	if (outlen != NULL)
		*outlen = n;
	return out;
}

char *
oidc_jws_sign(struct oidc_arena *a, const struct oidc_jwk *key,
    enum oidc_jws_alg alg, const char *typ, const void *payload, size_t plen,
    size_t *outlen, struct oidc_error *err)
{
	struct oidc_json	*h;
	const char		*hdr;
	size_t			 hdrlen;

	if (oidc_jws_alg_name(alg) == NULL) {
		oidc_fail(err, OIDC_E_INTERNAL, NULL, "jws: bad alg");
		return NULL;
	}
	/* {"alg":...,"kid":...[,"typ":...]}, built, never printed. */
	if ((h = oidc_json_new_object(a)) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
		return NULL;
	}
	if (oidc_json_set_cstr(h, "alg", oidc_jws_alg_name(alg), err) == -1 ||
	    oidc_json_set_cstr(h, "kid", oidc_jwk_kid(key), err) == -1 ||
	    (typ != NULL && oidc_json_set_cstr(h, "typ", typ, err) == -1) ||
	    (hdr = oidc_json_serialize(h, a, &hdrlen, err)) == NULL)
		return NULL;
	return sign_compact(a, key, alg, hdr, hdrlen, false, payload, plen,
	    outlen, err);
}

char *
oidc_jws_sign_header(struct oidc_arena *a, const struct oidc_jwk *key,
    enum oidc_jws_alg alg, const char *hdr, size_t hdrlen,
    const void *payload, size_t plen, size_t *outlen, struct oidc_error *err)
{
	if (oidc_jws_alg_name(alg) == NULL) {
		oidc_fail(err, OIDC_E_INTERNAL, NULL, "jws: bad alg");
		return NULL;
	}
	return sign_compact(a, key, alg, hdr, hdrlen, true, payload, plen,
	    outlen, err);
}

/*
 * Select the key for alg from OUR keyset: by kid when the header has one,
 * else the only key that supports alg.
 */
static int
select_key(const struct oidc_keyset *ks, const struct oidc_json *h,
    enum oidc_jws_alg alg, const struct oidc_jwk **out,
    struct oidc_error *err)
{
	struct oidc_error	 e2 = { 0 };
	const struct oidc_jwk	*k, *found = NULL;
	struct oidc_str		 kid;
	size_t			 i, n = 0;
	int			 r;

	if ((r = oidc_json_get_str(h, "kid", &kid, &e2)) == -1)
		return BAD_TOKEN(err, "malformed token header",
		    "jws: kid is not a string");
	if (r == 1) {
		if (kid.len > OIDC_JWK_MAX_KID ||
		    oidc_keyset_find_kid(ks, kid.p, kid.len, out) != 1)
			return BAD_TOKEN(err, "unknown signing key",
			    "jws: kid not in our keyset");
		return 0;
	}
	/*
	 * No kid: only an unambiguous choice is safe.  Trying every key in
	 * turn would let the token pick among them.
	 */
	for (i = 0; (k = oidc_keyset_get(ks, i)) != NULL; i++)
		if (oidc_jwk_supports(k, alg)) {
			found = k;
			n++;
		}
	if (n != 1)
		return BAD_TOKEN(err, "unknown signing key",
		    "jws: no kid and %zu keys support %s", n,
		    oidc_jws_alg_name(alg));
	*out = found;
	return 0;
}

/*
 * Sizes and shape, before a single byte is decoded: three segments,
 * separated at *d1 and *d2, with a header of bounded, non-zero size.
 */
static int
split_segments(const char *buf, size_t len, const char **d1,
    const char **d2, struct oidc_error *err)
{
	const char	*end = buf + len;

	if (len > OIDC_JWS_MAX_LEN)
		return oidc_fail(err, OIDC_E_LIMIT, "token too large",
		    "jws: %zu bytes", len);
	if ((*d1 = memchr(buf, '.', len)) == NULL ||
	    (*d2 = memchr(*d1 + 1, '.', (size_t)(end - *d1 - 1))) == NULL ||
	    memchr(*d2 + 1, '.', (size_t)(end - *d2 - 1)) != NULL)
		return BAD_TOKEN(err, "malformed token",
		    "jws: not three segments");
	if ((size_t)(*d1 - buf) > OIDC_JWS_MAX_HEADER)
		return oidc_fail(err, OIDC_E_LIMIT, "token header too large",
		    "jws: header of %td bytes", *d1 - buf);
	if (*d1 == buf)
		return BAD_TOKEN(err, "malformed token", "jws: empty header");
	return 0;
}

/*
 * The protected header buf[0..hlen): strict base64url, then a JSON object
 * whose alg is one the caller allows, with no crit or zip; its typ, if
 * any, into *typ.
 */
static int
check_header(struct oidc_arena *a, const char *buf, size_t hlen,
    unsigned allowed, struct oidc_json **h, enum oidc_jws_alg *alg,
    struct oidc_str *typ, struct oidc_error *err)
{
	struct oidc_error	 e2 = { 0 };
	struct oidc_str		 s;
	unsigned char		*hdr;
	size_t			 hdrlen;

	if (oidc_b64url_decode(a, buf, hlen, &hdr, &hdrlen, &e2) == -1 ||
	    oidc_json_parse(a, (const char *)hdr, hdrlen,
	    OIDC_JWS_MAX_HEADER, h, &e2) == -1)
		return BAD_TOKEN(err, "malformed token header", "jws: %s",
		    e2.detail);
	/* SECURITY: the alg is checked against the caller's list, ... */
	if (oidc_json_get_str(*h, "alg", &s, &e2) != 1)
		return BAD_TOKEN(err, "malformed token header",
		    "jws: alg missing or not a string");
	if (oidc_jws_alg_from_name(s.p, s.len, alg) != 1)
		return BAD_TOKEN(err, "token algorithm not allowed",
		    "jws: unknown alg (\"none\" is never accepted)");
	if ((allowed & OIDC_JWS_BIT(*alg)) == 0)
		return BAD_TOKEN(err, "token algorithm not allowed",
		    "jws: alg %s not allowed here", oidc_jws_alg_name(*alg));
	/* ... we understand no "crit" extension and no compression. */
	if (oidc_json_has(*h, "crit"))
		return BAD_TOKEN(err, "unsupported token header",
		    "jws: crit present; no extension is understood");
	if (oidc_json_has(*h, "zip"))
		return BAD_TOKEN(err, "unsupported token header",
		    "jws: zip is not allowed in a JWS");
	if (oidc_json_get_str(*h, "typ", typ, &e2) == -1)
		return BAD_TOKEN(err, "malformed token header",
		    "jws: typ is not a string");
	return 0;
}

/*
 * The key for header h and alg, and its signature sig64[0..sig64len)
 * over msg[0..mlen), the ASCII "header.payload" (RFC 7515 5.2 8).
 */
static int
check_signature(struct oidc_arena *a, const struct oidc_keyset *ks,
    const struct oidc_json *h, enum oidc_jws_alg alg, const char *msg,
    size_t mlen, const char *sig64, size_t sig64len,
    const struct oidc_jwk **key, struct oidc_error *err)
{
	struct oidc_error	 e2 = { 0 };
	unsigned char		*sig;
	size_t			 siglen;
	int			 r;

	/*
	 * SECURITY: the key comes from our keyset, selected by kid; "jwk",
	 * "jku", "x5u", "x5c" in the header are never looked at.
	 */
	if (select_key(ks, h, alg, key, err) == -1)
		return -1;
	/* SECURITY: algorithm confusion and same-family downgrade. */
	if (!oidc_jwk_supports(*key, alg))
		return BAD_TOKEN(err, "token algorithm not allowed",
		    "jws: key %s (%s, pinned %s) does not do %s",
		    oidc_jwk_kid(*key), oidc_jwk_kty_name(oidc_jwk_kty(*key)),
		    oidc_jwk_alg(*key) == OIDC_JWS_ALG_ANY ? "-" :
		    oidc_jws_alg_name(oidc_jwk_alg(*key)),
		    oidc_jws_alg_name(alg));
	if (oidc_b64url_decode(a, sig64, sig64len, &sig, &siglen, &e2) == -1)
		return BAD_TOKEN(err, "malformed token", "jws: signature: %s",
		    e2.detail);
	r = oidc_jwk_verify(*key, alg, msg, mlen, sig, siglen, err);
	if (r == -1)
		return -1;
	if (r == 0)
		return BAD_TOKEN(err, "token signature invalid",
		    "jws: bad signature (%zu bytes) for kid %s", siglen,
		    oidc_jwk_kid(*key));
	return 0;
}

int
oidc_jws_verify(struct oidc_arena *a, const struct oidc_keyset *ks,
    unsigned allowed, const char *buf, size_t len, struct oidc_jws *out,
    struct oidc_error *err)
{
	struct oidc_error	 e2 = { 0 };
	struct oidc_json	*h;
	struct oidc_str		 typ = OIDC_STR_NULL;
	const struct oidc_jwk	*key = NULL;
	enum oidc_jws_alg	 alg;
	const char		*d1 = NULL, *d2 = NULL, *end = buf + len;
	unsigned char		*payload;
	size_t			 plen;

	memset(out, 0, sizeof(*out));
	if (split_segments(buf, len, &d1, &d2, err) == -1 ||
	    check_header(a, buf, (size_t)(d1 - buf), allowed, &h, &alg, &typ,
	    err) == -1 ||
	    check_signature(a, ks, h, alg, buf, (size_t)(d2 - buf), d2 + 1,
	    (size_t)(end - d2 - 1), &key, err) == -1)
		return -1;
	/* Only a verified payload is ever decoded. */
	if (oidc_b64url_decode(a, d1 + 1, (size_t)(d2 - d1 - 1), &payload,
	    &plen, &e2) == -1)
		return BAD_TOKEN(err, "malformed token", "jws: payload: %s",
		    e2.detail);
	out->alg = alg;
	out->key = key;
	out->header = h;
	out->typ = typ;
	out->payload = payload;
	out->payload_len = plen;
	return 0;
}

int
oidc_jws_verify_key(struct oidc_arena *a, const struct oidc_jwk *key,
    unsigned allowed, const char *buf, size_t len, struct oidc_jws *out,
    struct oidc_error *err)
{
	struct oidc_error	 e2 = { 0 };
	struct oidc_json	*h;
	struct oidc_str		 typ = OIDC_STR_NULL;
	enum oidc_jws_alg	 alg;
	const char		*d1 = NULL, *d2 = NULL, *end = buf + len;
	unsigned char		*payload, *sig;
	size_t			 plen, siglen;
	int			 r;

	memset(out, 0, sizeof(*out));
	if (split_segments(buf, len, &d1, &d2, err) == -1 ||
	    check_header(a, buf, (size_t)(d1 - buf), allowed, &h, &alg, &typ,
	    err) == -1)
		return -1;
	/* SECURITY: algorithm confusion and downgrade, as above. */
	if (!oidc_jwk_supports(key, alg))
		return BAD_TOKEN(err, "token algorithm not allowed",
		    "jws: the given key does not do %s",
		    oidc_jws_alg_name(alg));
	if (oidc_b64url_decode(a, d2 + 1, (size_t)(end - d2 - 1), &sig,
	    &siglen, &e2) == -1)
		return BAD_TOKEN(err, "malformed token", "jws: signature: %s",
		    e2.detail);
	if ((r = oidc_jwk_verify(key, alg, buf, (size_t)(d2 - buf), sig,
	    siglen, err)) == -1)
		return -1;
	if (r == 0)
		return BAD_TOKEN(err, "token signature invalid",
		    "jws: bad signature (%zu bytes)", siglen);
	if (oidc_b64url_decode(a, d1 + 1, (size_t)(d2 - d1 - 1), &payload,
	    &plen, &e2) == -1)
		return BAD_TOKEN(err, "malformed token", "jws: payload: %s",
		    e2.detail);
	out->alg = alg;
	out->key = key;
	out->header = h;
	out->typ = typ;
	out->payload = payload;
	out->payload_len = plen;
	return 0;
}

/* An integer time claim; 1 present, 0 absent, -1 wrong type. */
static int
time_claim(const struct oidc_json *c, const char *name, int64_t *v,
    struct oidc_error *err)
{
	struct oidc_error	 e2 = { 0 };
	int			 r;

	if ((r = oidc_json_get_i64(c, name, v, &e2)) == -1)
		return BAD_TOKEN(err, "malformed token claims",
		    "jwt: %s is not an integer", name);
	return r;
}

int
oidc_jwt_check_claims(const struct oidc_json *c,
    const struct oidc_jwt_rules *rules, struct oidc_error *err)
{
	struct oidc_error	 e2 = { 0 };
	struct oidc_json	*arr;
	struct oidc_str		 s;
	int64_t			 v, leeway;
	size_t			 i, n;
	int			 r;
	bool			 found;

	leeway = rules->leeway > 0 ? rules->leeway : 0;
	/*
	 * now and leeway are ours; the claims are the token's.  Compare as
	 * now -/+ leeway against the claim so token values cannot overflow.
	 */
	if ((r = time_claim(c, "exp", &v, err)) == -1)
		return -1;
	if (r == 0 && rules->require_exp)
		return BAD_TOKEN(err, "token has no expiry", "jwt: no exp");
	if (r == 1 && rules->now - leeway >= v)	/* RFC 7519 4.1.4 */
		return BAD_TOKEN(err, "token expired", "jwt: exp %lld, now "
		    "%lld", (long long)v, (long long)rules->now);
	if ((r = time_claim(c, "nbf", &v, err)) == -1)
		return -1;
	if (r == 1 && rules->now + leeway < v)	/* RFC 7519 4.1.5 */
		return BAD_TOKEN(err, "token not yet valid", "jwt: nbf %lld, "
		    "now %lld", (long long)v, (long long)rules->now);
	if ((r = time_claim(c, "iat", &v, err)) == -1)
		return -1;
	if (r == 0 && rules->require_iat)
		return BAD_TOKEN(err, "token has no issue time", "jwt: no iat");
	if (r == 1 && v > rules->now + leeway)
		return BAD_TOKEN(err, "token issued in the future",
		    "jwt: iat %lld, now %lld", (long long)v,
		    (long long)rules->now);
	if (rules->iss != NULL && (oidc_json_get_str(c, "iss", &s,
	    &e2) != 1 || !oidc_str_eq_cstr(s, rules->iss)))
		return BAD_TOKEN(err, "token issuer mismatch", "jwt: iss");
	if (rules->aud == NULL)
		return 0;
	/* aud: one string, or an array of strings (RFC 7519 4.1.3). */
	if ((r = oidc_json_get_str(c, "aud", &s, &e2)) == 1) {
		if (!oidc_str_eq_cstr(s, rules->aud))
			return BAD_TOKEN(err, "token audience mismatch",
			    "jwt: aud");
		return 0;
	}
	memset(&e2, 0, sizeof(e2));
	if (oidc_json_get_array(c, "aud", &arr, &e2) != 1)
		return BAD_TOKEN(err, "token audience mismatch",
		    "jwt: aud missing or malformed");
	n = oidc_json_array_len(arr);
	for (i = 0, found = false; i < n; i++) {
		if (oidc_json_as_str(oidc_json_array_get(arr, i), &s) == -1)
			return BAD_TOKEN(err, "malformed token claims",
			    "jwt: aud member is not a string");
		if (oidc_str_eq_cstr(s, rules->aud))
			found = true;
	}
	if (!found)
		return BAD_TOKEN(err, "token audience mismatch", "jwt: aud");
	return 0;
}

int
oidc_jwt_verify(struct oidc_arena *a, const struct oidc_keyset *ks,
    unsigned allowed, const char *buf, size_t len,
    const struct oidc_jwt_rules *rules, struct oidc_jws *out,
    struct oidc_json **claims, struct oidc_error *err)
{
	struct oidc_error	 e2 = { 0 };
	struct oidc_jws		 jws;
	struct oidc_json	*c;

	*claims = NULL;
	memset(out, 0, sizeof(*out));
	if (oidc_jws_verify(a, ks, allowed, buf, len, &jws, err) == -1)
		return -1;
	if (oidc_json_parse(a, (const char *)jws.payload, jws.payload_len,
	    OIDC_JWS_MAX_LEN, &c, &e2) == -1)
		return BAD_TOKEN(err, "malformed token claims", "jwt: %s",
		    e2.detail);
	if (oidc_jwt_check_claims(c, rules, err) == -1)
		return -1;
	*out = jws;
	*claims = c;
	return 0;
}

char *
oidc_jws_half_hash(struct oidc_arena *a, enum oidc_jws_alg alg,
    const char *value, size_t len, struct oidc_error *err)
{
	const EVP_MD	*md;
	EVP_MD_CTX	*ctx;
	unsigned char	 h[2 * 57];	/* Ed448's SHAKE256 output, the longest */
	unsigned int	 n = 0;
	int		 ok;
	char		*s;

	switch (alg) {
	case OIDC_JWS_HS256:
	case OIDC_JWS_RS256:
	case OIDC_JWS_ES256:
	case OIDC_JWS_PS256:
		md = EVP_sha256();
		break;
	case OIDC_JWS_HS384:
	case OIDC_JWS_RS384:
	case OIDC_JWS_ES384:
	case OIDC_JWS_PS384:
		md = EVP_sha384();
		break;
	case OIDC_JWS_HS512:
	case OIDC_JWS_RS512:
	case OIDC_JWS_ES512:
	case OIDC_JWS_PS512:
	case OIDC_JWS_EDDSA:
	case OIDC_JWS_ED25519:
		md = EVP_sha512();
		break;
	case OIDC_JWS_ED448:
		md = EVP_shake256();
		break;
	default:
		oidc_fail(err, OIDC_E_INTERNAL, NULL, "half hash: bad alg");
		return NULL;
	}
	if (alg == OIDC_JWS_ED448) {
		/* An XOF: the output length is ours to ask for (114 bytes). */
		n = sizeof(h);
		ok = (ctx = EVP_MD_CTX_new()) != NULL &&
		    EVP_DigestInit_ex(ctx, md, NULL) == 1 &&
		    EVP_DigestUpdate(ctx, value, len) == 1 &&
		    EVP_DigestFinalXOF(ctx, h, n) == 1;
		EVP_MD_CTX_free(ctx);
	} else
		ok = EVP_Digest(value, len, h, &n, md, NULL) == 1;
	if (!ok) {
		oidc_fail_openssl(err, "EVP_Digest");
		return NULL;
	}
	if ((s = oidc_b64url_encode(a, h, n / 2)) == NULL)
		oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	return s;
}
