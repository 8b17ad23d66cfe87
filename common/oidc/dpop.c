/*
 * dpop.c: DPoP proofs and nonces (see oidc/dpop.h for the rules and
 * limits); the endpoint hooks are in dpop_endpoint.c.
 */
#include <stdio.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/b64url.h"
#include "oidc/crypto.h"
#include "oidc/dpop.h"
#include "oidc/json.h"
#include "oidc/jwk.h"
#include "oidc/jws.h"
#include "oidc/seal.h"
#include "oidc/url.h"

#define BAD_PROOF(err, pub, ...) \
	oidc_fail((err), OIDC_E_INVALID_DPOP_PROOF, (pub), __VA_ARGS__)

/* Members that make a JWK private (RFC 7518 6.2.2, 6.3.2, 6.4). */
static const char *const private_members[] = {
	"d", "p", "q", "dp", "dq", "qi", "oth", "k"
};

static void
free_key(void *k)
{
	oidc_jwk_free(k);
}

/*
 * The header's "jwk", before any signature work: a public key of an
 * asymmetric type, as a key object whose lifetime is the arena's.
 */
static int
header_key(struct oidc_arena *a, const char *buf, size_t len,
    const struct oidc_jwk **out, struct oidc_error *err)
{
	struct oidc_error	 e2 = { 0 };
	struct oidc_json	*h, *jwk;
	struct oidc_str		 typ;
	const char		*dot;
	unsigned char		*raw;
	struct oidc_jwk		*k;
	size_t			 rawlen, i;

	if ((dot = memchr(buf, '.', len)) == NULL || dot == buf ||
	    (size_t)(dot - buf) > OIDC_JWS_MAX_HEADER)
		return BAD_PROOF(err, "malformed DPoP proof", "dpop: header");
	if (oidc_b64url_decode(a, buf, (size_t)(dot - buf), &raw, &rawlen,
	    &e2) == -1 || oidc_json_parse(a, (const char *)raw, rawlen,
	    OIDC_JWS_MAX_HEADER, &h, &e2) == -1)
		return BAD_PROOF(err, "malformed DPoP proof", "dpop: %s",
		    e2.detail);
	if (oidc_json_get_str(h, "typ", &typ, &e2) != 1 ||
	    !oidc_str_eq_cstr(typ, "dpop+jwt"))
		return BAD_PROOF(err, "DPoP proof typ must be dpop+jwt",
		    "dpop: typ");
	if (oidc_json_get_obj(h, "jwk", &jwk, &e2) != 1)
		return BAD_PROOF(err, "DPoP proof needs a jwk header",
		    "dpop: no jwk object");
	for (i = 0; i < OIDC_NELEM(private_members); i++)
		if (oidc_json_has_key(jwk, private_members[i]))
			return BAD_PROOF(err, "DPoP proof jwk must be a public "
			    "key", "dpop: jwk has \"%s\"", private_members[i]);
	if ((k = oidc_jwk_from_json(a, jwk, &e2)) == NULL)
		return BAD_PROOF(err, "DPoP proof jwk is not usable",
		    "dpop: jwk: %s", e2.detail);
	if (oidc_arena_defer(a, free_key, k) == -1) {
		oidc_jwk_free(k);
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	}
	if (oidc_jwk_is_private(k) || oidc_jwk_kty(k) == OIDC_JWK_OCT ||
	    strlen(oidc_jwk_thumbprint(k)) != OIDC_DPOP_JKT_LEN)
		return BAD_PROOF(err, "DPoP proof jwk must be a public key",
		    "dpop: jwk private or symmetric");
	*out = k;
	return 0;
}

/* A string claim of at most max bytes: 1 present, 0 absent, -1 bad. */
static int
claim_str(const struct oidc_json *c, const char *name, size_t max,
    struct oidc_str *v, struct oidc_error *err)
{
	struct oidc_error	 e2 = { 0 };
	int			 r;

	if ((r = oidc_json_get_str(c, name, v, &e2)) == -1 ||
	    (r == 1 && (v->len == 0 || v->len > max)))
		return BAD_PROOF(err, "malformed DPoP proof claims",
		    "dpop: claim %s", name);
	return r;
}

int
oidc_dpop_parse(struct oidc_arena *a, const char *buf, size_t len,
    struct oidc_dpop_proof *out, struct oidc_error *err)
{
	struct oidc_error	 e2 = { 0 };
	struct oidc_dpop_proof	 p;
	const struct oidc_jwk	*key = NULL;
	struct oidc_jws		 jws;
	struct oidc_json	*c;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	if (len > OIDC_DPOP_MAX_LEN)
		return BAD_PROOF(err, "DPoP proof too large", "dpop: %zu bytes",
		    len);
	if (header_key(a, buf, len, &key, err) == -1)
		return -1;
	if (oidc_jws_verify_key(a, key, OIDC_DPOP_ALGS, buf, len, &jws,
	    &e2) == -1)
		return BAD_PROOF(err, e2.code == OIDC_E_INVALID_TOKEN ?
		    e2.public_desc : "malformed DPoP proof", "dpop: %s",
		    e2.detail);
	if (oidc_json_parse(a, (const char *)jws.payload, jws.payload_len, 0,
	    &c, &e2) == -1)
		return BAD_PROOF(err, "malformed DPoP proof claims",
		    "dpop: payload: %s", e2.detail);
	if (claim_str(c, "jti", OIDC_DPOP_MAX_JTI, &p.jti, err) != 1 ||
	    claim_str(c, "htm", 16, &p.htm, err) != 1 ||
	    claim_str(c, "htu", OIDC_URL_MAX_LEN, &p.htu, err) != 1 ||
	    claim_str(c, "ath", 256, &p.ath, err) == -1 ||
	    claim_str(c, "nonce", 256, &p.nonce, err) == -1 ||
	    oidc_json_get_i64(c, "iat", &p.iat, &e2) != 1)
		return BAD_PROOF(err, "DPoP proof needs jti, htm, htu and iat",
		    "dpop: required claim missing or bad");
	memcpy(p.jkt, oidc_jwk_thumbprint(key), OIDC_DPOP_JKT_LEN);
	p.jkt[OIDC_DPOP_JKT_LEN] = '\0';
	p.alg = jws.alg;
	*out = p;
	return 0;
}

/* The port a URL names, or its scheme's default. */
static unsigned
effective_port(const struct oidc_url *u)
{
	if (u->port_num != 0)
		return u->port_num;
	return u->scheme_kind == OIDC_URL_SCHEME_HTTPS ? 443 : 80;
}

static bool
same_nocase(struct oidc_str x, struct oidc_str y)
{
	size_t	 i;
	int	 cx, cy;

	if (x.len != y.len)
		return false;
	for (i = 0; i < x.len; i++) {
		cx = (unsigned char)x.p[i];
		cy = (unsigned char)y.p[i];
		if (cx >= 'A' && cx <= 'Z')
			cx += 'a' - 'A';
		if (cy >= 'A' && cy <= 'Z')
			cy += 'a' - 'A';
		if (cx != cy)
			return false;
	}
	return true;
}

/*
 * RFC 9449 4.3 step 9: htu against the endpoint URL, without query and
 * fragment, scheme and host compared without case and a default port
 * made explicit (RFC 3986 6.2.2.1, 6.2.3).
 */
static bool
htu_matches(struct oidc_str htu, const char *want)
{
	struct oidc_error	 e2 = { 0 };
	struct oidc_url		 a, b;

	if (oidc_url_parse(htu.p, htu.len, &a, &e2) == -1 ||
	    oidc_url_parse(want, strlen(want), &b, &e2) == -1)
		return false;
	return a.scheme_kind != OIDC_URL_SCHEME_OTHER &&
	    a.scheme_kind == b.scheme_kind && !a.has_userinfo &&
	    same_nocase(a.host, b.host) &&
	    effective_port(&a) == effective_port(&b) &&
	    oidc_str_eq(a.path, b.path);
}

int
oidc_dpop_check(const struct oidc_dpop_proof *p,
    const struct oidc_dpop_expect *x, struct oidc_error *err)
{
	struct oidc_error	 e2 = { 0 };
	unsigned char		 h[OIDC_SHA256_LEN];
	char			 ath[64];
	size_t			 n;

	if (!oidc_str_eq_cstr(p->htm, x->htm))
		return BAD_PROOF(err, "DPoP proof htm does not match",
		    "dpop: htm");
	if (!htu_matches(p->htu, x->htu))
		return BAD_PROOF(err, "DPoP proof htu does not match",
		    "dpop: htu");
	if (p->iat > x->now + x->window || p->iat < x->now - x->window)
		return BAD_PROOF(err, "DPoP proof iat is outside the "
		    "acceptable window", "dpop: iat %lld, now %lld",
		    (long long)p->iat, (long long)x->now);
	if (x->access_token.p == NULL)
		return 0;
	/* RFC 9449 4.3 step 12, 7: ath = BASE64URL(SHA-256(token)). */
	if (oidc_sha256(x->access_token.p, x->access_token.len, h, &e2) ==
	    -1)
		return oidc_fail(err, e2.code, NULL, "%s", e2.detail);
	n = oidc_b64url_encode_to(ath, h, sizeof(h));
	if (p->ath.p == NULL || !oidc_str_eq(p->ath,
	    (struct oidc_str){ ath, n }))
		return BAD_PROOF(err, "DPoP proof ath does not match the "
		    "access token", "dpop: ath");
	return 0;
}

/* The nonce of one slot: 16 bytes of HKDF(key, "dpop nonce <slot>"). */
static int
slot_nonce(const unsigned char *key, int64_t slot, char *out,
    struct oidc_error *err)
{
	unsigned char	 v[OIDC_SEAL_KEY_LEN];
	char		 label[48];

	(void)snprintf(label, sizeof(label), "oidc-fcgi dpop nonce %lld",
	    (long long)slot);
	if (oidc_seal_key_derive(key, label, v, err) == -1)
		return -1;
	out[oidc_b64url_encode_to(out, v, 16)] = '\0';
	oidc_wipe(v, sizeof(v));
	return 0;
}

int
oidc_dpop_nonce_make(const unsigned char *key, int64_t lifetime,
    int64_t now, char *out, struct oidc_error *err)
{
	return slot_nonce(key, now / lifetime, out, err);
}

bool
oidc_dpop_nonce_ok(const unsigned char *key, int64_t lifetime, int64_t now,
    struct oidc_str nonce)
{
	struct oidc_error	 e2 = { 0 };
	char			 v[OIDC_DPOP_NONCE_LEN + 1];
	int64_t			 slot = now / lifetime;

	if (nonce.p == NULL || nonce.len != OIDC_DPOP_NONCE_LEN)
		return false;
	if (slot_nonce(key, slot, v, &e2) == 0 && oidc_str_eq_secret(nonce,
	    (struct oidc_str){ v, OIDC_DPOP_NONCE_LEN }))
		return true;
	return slot_nonce(key, slot - 1, v, &e2) == 0 &&
	    oidc_str_eq_secret(nonce, (struct oidc_str){ v,
	    OIDC_DPOP_NONCE_LEN });
}

const char *
oidc_dpop_algs(void)
{
	return "ES256 ES384 ES512 RS256 RS384 RS512 PS256 PS384 PS512 "
	    "EdDSA Ed25519 Ed448";
}
