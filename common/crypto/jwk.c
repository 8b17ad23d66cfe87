/*
 * jwk.c: keys (see oidc/jwk.h): the algorithm and curve tables, what
 * every key is made of once parsed (public members, digests, HMAC
 * contexts, signature templates, the RFC 7638 thumbprint and kid),
 * accessors, copies and generation.  JWK JSON in and out is in
 * jwk_json.c, PEM in and out in jwk_pem.c, the signature primitives in
 * jwk_sign.c, key sets in jwk_set.c, what they share in jwk_int.h.
 *
 * Every key becomes an EVP_PKEY built through the OpenSSL 3 provider
 * interfaces (EVP_PKEY_fromdata, OSSL_DECODER, EVP_PKEY_Q_keygen), or an
 * HMAC secret with one ready EVP_MAC_CTX per usable hash, so nothing is
 * re-parsed or re-fetched per signature.  The public members (n, e / x, y /
 * x) are derived from the EVP_PKEY once, in canonical minimal form, and
 * cached as base64url: the thumbprint and every JWKS output use them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "oidc/arena.h"
#include "oidc/b64url.h"
#include "oidc/crypto.h"
#include "oidc/json.h"
#include "oidc/jwk.h"

#include "jwk_int.h"

const struct oidc_jwk_alg oidc_jwk_algs[OIDC_JWS__MAX] = {
	[OIDC_JWS_HS256] = { "HS256", OIDC_JWK_OCT, H256, 32 },
	[OIDC_JWS_HS384] = { "HS384", OIDC_JWK_OCT, H384, 48 },
	[OIDC_JWS_HS512] = { "HS512", OIDC_JWK_OCT, H512, 64 },
	[OIDC_JWS_RS256] = { "RS256", OIDC_JWK_RSA, H256, 32 },
	[OIDC_JWS_RS384] = { "RS384", OIDC_JWK_RSA, H384, 48 },
	[OIDC_JWS_RS512] = { "RS512", OIDC_JWK_RSA, H512, 64 },
	[OIDC_JWS_ES256] = { "ES256", OIDC_JWK_EC, H256, 32 },
	[OIDC_JWS_ES384] = { "ES384", OIDC_JWK_EC, H384, 48 },
	[OIDC_JWS_ES512] = { "ES512", OIDC_JWK_EC, H512, 64 },
	[OIDC_JWS_PS256] = { "PS256", OIDC_JWK_RSA, H256, 32 },
	[OIDC_JWS_PS384] = { "PS384", OIDC_JWK_RSA, H384, 48 },
	[OIDC_JWS_PS512] = { "PS512", OIDC_JWK_RSA, H512, 64 },
	/*
	 * Ed25519 hashes internally with SHA-512 (RFC 8032 5.1), Ed448 with
	 * SHAKE256 (5.2); neither takes a digest from us, so h and hlen are
	 * unused for OKP (oidc_jws_half_hash picks the at_hash function).
	 */
	[OIDC_JWS_EDDSA] = { "EdDSA", OIDC_JWK_OKP, H512, 64 },
	[OIDC_JWS_ED25519] = { "Ed25519", OIDC_JWK_OKP, H512, 64 },
	[OIDC_JWS_ED448] = { "Ed448", OIDC_JWK_OKP, H512, 64 },
};

static const char *const hash_names[H__MAX] = { "SHA256", "SHA384", "SHA512" };

/* The NIST curves of RFC 7518 6.2.1.1, each bound to its one ES alg. */
static const struct oidc_jwk_ec_curve curves[] = {
	{ "P-256", "prime256v1", 32, OIDC_JWS_ES256 },
	{ "P-384", "secp384r1", 48, OIDC_JWS_ES384 },
	{ "P-521", "secp521r1", 66, OIDC_JWS_ES512 },
};

/* The EdDSA curves of RFC 8037 2 (see struct oidc_jwk_okp_curve). */
static const struct oidc_jwk_okp_curve okp_curves[] = {
	{ "Ed25519", "ED25519", ED25519_LEN, OIDC_JWS_ALG_ANY },
	{ "Ed448", "ED448", ED448_LEN, OIDC_JWS_ED448 },
};

static const char *const kty_names[OIDC_JWK__MAX] = {
	"RSA", "EC", "OKP", "oct"
};

const char *
oidc_jws_alg_name(enum oidc_jws_alg alg)
{
	if ((unsigned)alg >= OIDC_JWS__MAX)
		return NULL;
	return oidc_jwk_algs[alg].name;
}

int
oidc_jws_alg_from_name(const char *s, size_t len, enum oidc_jws_alg *out)
{
	size_t	 i;

	for (i = 0; i < OIDC_JWS__MAX; i++)
		if (strlen(oidc_jwk_algs[i].name) == len &&
		    memcmp(oidc_jwk_algs[i].name, s, len) == 0) {
			*out = (enum oidc_jws_alg)i;
			return 1;
		}
	return 0;
}

enum oidc_jwk_kty
oidc_jws_alg_kty(enum oidc_jws_alg alg)
{
	if ((unsigned)alg >= OIDC_JWS__MAX)
		return OIDC_JWK__MAX;
	return oidc_jwk_algs[alg].kty;
}

bool
oidc_jws_alg_name_is_hs(struct oidc_str s)
{
	enum oidc_jws_alg	 alg;

	return oidc_jws_alg_from_name(s.p, s.len, &alg) == 1 &&
	    oidc_jws_alg_kty(alg) == OIDC_JWK_OCT;
}

const char *
oidc_jwk_kty_name(enum oidc_jwk_kty kty)
{
	if ((unsigned)kty >= OIDC_JWK__MAX)
		return NULL;
	return kty_names[kty];
}

/* The OKP curve an EdDSA alg needs: Ed448 for "Ed448", else Ed25519. */
static const char *
okp_crv_of(enum oidc_jws_alg alg)
{
	return alg == OIDC_JWS_ED448 ? "Ed448" : "Ed25519";
}

const struct oidc_jwk_ec_curve *
oidc_jwk_ec_curve(struct oidc_str crv)
{
	size_t	 i;

	for (i = 0; i < OIDC_NELEM(curves); i++)
		if (oidc_str_eq_cstr(crv, curves[i].crv))
			return &curves[i];
	return NULL;
}

const struct oidc_jwk_okp_curve *
oidc_jwk_okp_curve(struct oidc_str crv)
{
	size_t	 i;

	for (i = 0; i < OIDC_NELEM(okp_curves); i++)
		if (oidc_str_eq_cstr(crv, okp_curves[i].crv))
			return &okp_curves[i];
	return NULL;
}

bool
oidc_jwk_is_ps(enum oidc_jws_alg alg)
{
	return alg == OIDC_JWS_PS256 || alg == OIDC_JWS_PS384 ||
	    alg == OIDC_JWS_PS512;
}

/* ------------------------------------------------------------------ */
/* Lifecycle and accessors                                              */

void
oidc_jwk_free(struct oidc_jwk *key)
{
	size_t	 i;

	if (key == NULL)
		return;
	for (i = 0; i < OIDC_JWS__MAX; i++) {
		EVP_MD_CTX_free(key->tmpl[0][i]);
		EVP_MD_CTX_free(key->tmpl[1][i]);
	}
	for (i = 0; i < H__MAX; i++) {
		EVP_MAC_CTX_free(key->mac[i]);
		EVP_MD_free(key->md[i]);
	}
	EVP_PKEY_free(key->pkey);
	if (key->k != NULL) {
		oidc_wipe(key->k, key->klen);
		free(key->k);
	}
	free(key->pub[0]);
	free(key->pub[1]);
	free(key->kid);
	free(key);
}

const char *
oidc_jwk_kid(const struct oidc_jwk *key)
{
	return key->kid;
}

const char *
oidc_jwk_thumbprint(const struct oidc_jwk *key)
{
	return key->thumb;
}

enum oidc_jwk_kty
oidc_jwk_kty(const struct oidc_jwk *key)
{
	return key->kty;
}

enum oidc_jws_alg
oidc_jwk_alg(const struct oidc_jwk *key)
{
	return key->alg;
}

bool
oidc_jwk_is_private(const struct oidc_jwk *key)
{
	return key->priv;
}

bool
oidc_jwk_supports(const struct oidc_jwk *key, enum oidc_jws_alg alg)
{
	if ((unsigned)alg >= OIDC_JWS__MAX)
		return false;
	/*
	 * SECURITY: the key type must be the alg's (an RSA public key is
	 * never an HMAC secret: algorithm confusion), and a pinned key
	 * serves exactly its alg (no RS512 -> RS256 downgrade).
	 */
	if (oidc_jwk_algs[alg].kty != key->kty)
		return false;
	if (key->alg != OIDC_JWS_ALG_ANY && key->alg != alg)
		return false;
	switch (key->kty) {
	case OIDC_JWK_RSA:
		return key->bits >= OIDC_JWK_RSA_MIN_BITS;
	case OIDC_JWK_OCT:
		/* RFC 7518 3.2: a key at least as long as the hash. */
		return key->klen >= oidc_jwk_algs[alg].hlen &&
		    key->mac[oidc_jwk_algs[alg].h] != NULL;
	case OIDC_JWK_EC:
		return key->alg == alg;	/* always pinned by the curve */
	case OIDC_JWK_OKP:
		/* "EdDSA" and "Ed25519" need Ed25519, "Ed448" Ed448. */
		return strcmp(key->crv, okp_crv_of(alg)) == 0;
	default:
		return false;
	}
}

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

/* malloc'd base64url of bytes. */
static char *
b64_dup(const unsigned char *p, size_t len)
{
	char	*s;

	if ((s = malloc(oidc_b64url_encoded_len(len) + 1)) == NULL)
		return NULL;
	(void)oidc_b64url_encode_to(s, p, len);
	return s;
}

/*
 * Base64url of a BIGNUM (minimal big-endian, or left-padded to `pad`
 * bytes when pad > 0) into the arena, or malloc'd when a is NULL.  Private
 * values are wiped from the temporary buffer.
 */
static char *
bn_b64(struct oidc_arena *a, const BIGNUM *bn, size_t pad)
{
	unsigned char	*buf;
	size_t		 n;
	char		*s = NULL;

	n = pad > 0 ? pad : (size_t)BN_num_bytes(bn);
	if (n == 0)
		n = 1;
	if ((buf = malloc(n)) == NULL)
		return NULL;
	if (BN_bn2binpad(bn, buf, (int)n) == (int)n)
		s = a != NULL ? oidc_b64url_encode(a, buf, n) : b64_dup(buf, n);
	oidc_wipe(buf, n);
	free(buf);
	return s;
}

char *
oidc_jwk_param_b64(struct oidc_arena *a, const EVP_PKEY *pkey,
    const char *name, size_t pad)
{
	BIGNUM	*bn = NULL;
	char	*s;

	if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1)
		return NULL;
	s = bn_b64(a, bn, pad);
	BN_clear_free(bn);
	return s;
}

/* Fetch the digests once per key so signing never looks them up. */
static int
fetch_mds(struct oidc_jwk *key, struct oidc_error *err)
{
	size_t	 i;

	for (i = 0; i < H__MAX; i++)
		if ((key->md[i] = EVP_MD_fetch(NULL, hash_names[i],
		    NULL)) == NULL)
			return oidc_fail_openssl(err, "EVP_MD_fetch");
	return 0;
}

/*
 * The RFC 7638 thumbprint: SHA-256 over the required members in
 * lexicographic order with no whitespace (3.2, 3.3), base64url.  Our JSON
 * serializer keeps insertion order, so inserting sorted is canonical.
 */
static int
compute_thumbprint(struct oidc_jwk *key, struct oidc_arena *a,
    struct oidc_error *err)
{
	struct oidc_json	*o;
	const char		*s;
	unsigned char		 h[OIDC_SHA256_LEN];
	char			*k = NULL;
	size_t			 len;
	int			 rc = -1;

	if ((o = oidc_json_new_object(a)) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "json object");
		goto out;
	}
	switch (key->kty) {
	case OIDC_JWK_RSA:
		if (oidc_json_set_cstr(o, "e", key->pub[1], err) == -1 ||
		    oidc_json_set_cstr(o, "kty", "RSA", err) == -1 ||
		    oidc_json_set_cstr(o, "n", key->pub[0], err) == -1)
			goto out;
		break;
	case OIDC_JWK_EC:
		if (oidc_json_set_cstr(o, "crv", key->crv, err) == -1 ||
		    oidc_json_set_cstr(o, "kty", "EC", err) == -1 ||
		    oidc_json_set_cstr(o, "x", key->pub[0], err) == -1 ||
		    oidc_json_set_cstr(o, "y", key->pub[1], err) == -1)
			goto out;
		break;
	case OIDC_JWK_OKP:
		if (oidc_json_set_cstr(o, "crv", key->crv, err) == -1 ||
		    oidc_json_set_cstr(o, "kty", "OKP", err) == -1 ||
		    oidc_json_set_cstr(o, "x", key->pub[0], err) == -1)
			goto out;
		break;
	case OIDC_JWK_OCT:
		if ((k = b64_dup(key->k, key->klen)) == NULL) {
			oidc_fail(err, OIDC_E_NOMEM, NULL, "b64");
			goto out;
		}
		if (oidc_json_set_cstr(o, "k", k, err) == -1 ||
		    oidc_json_set_cstr(o, "kty", "oct", err) == -1)
			goto out;
		break;
	default:
		oidc_fail(err, OIDC_E_INTERNAL, NULL, "kty");
		goto out;
	}
	if ((s = oidc_json_serialize(o, a, &len, err)) == NULL ||
	    oidc_sha256(s, len, h, err) == -1)
		goto out;
	(void)oidc_b64url_encode_to(key->thumb, h, sizeof(h));
	rc = 0;
out:
	if (k != NULL) {
		oidc_wipe(k, strlen(k));
		free(k);
	}
	return rc;
}

int
oidc_jwk_set_kid(struct oidc_jwk *key, const char *kid, size_t len,
    struct oidc_error *err)
{
	if (kid == NULL) {
		kid = key->thumb;
		len = strlen(kid);
	}
	if (len == 0 || len > OIDC_JWK_MAX_KID || memchr(kid, '\0', len))
		return oidc_fail(err, OIDC_E_CONFIG, "malformed key",
		    "jwk: kid empty or longer than %d", OIDC_JWK_MAX_KID);
	if ((key->kid = strndup(kid, len)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "strndup");
	return 0;
}

/*
 * Initialise one DigestSign/DigestVerify context per (operation, alg) the
 * key can do, once.  Each signature then copies its template instead of
 * fetching the signature and digest implementations again: that set-up
 * costs as much as an RSA verification.  A template that cannot be made
 * is simply absent (sig_init falls back to a fresh initialisation).
 */
static void
make_templates(struct oidc_jwk *key)
{
	struct oidc_error	 e2;
	unsigned		 i, op;

	for (i = 0; i < OIDC_JWS__MAX; i++) {
		if (!oidc_jwk_supports(key, (enum oidc_jws_alg)i))
			continue;
		for (op = 0; op < 2; op++) {
			if (op == 1 && !key->priv)
				continue;
			memset(&e2, 0, sizeof(e2));
			if ((key->tmpl[op][i] = EVP_MD_CTX_new()) == NULL ||
			    oidc_jwk_sig_init_fresh(key, (enum oidc_jws_alg)i,
			    op == 1, key->tmpl[op][i], &e2) == -1) {
				EVP_MD_CTX_free(key->tmpl[op][i]);
				key->tmpl[op][i] = NULL;
			}
		}
	}
	ERR_clear_error();
}

/* The okp_curves[] index of an EdDSA key; OIDC_NELEM(okp_curves) if none. */
static size_t
okp_index(const EVP_PKEY *pkey)
{
	size_t	 i;

	for (i = 0; i < OIDC_NELEM(okp_curves); i++)
		if (EVP_PKEY_is_a(pkey, okp_curves[i].type))
			break;
	return i;
}

bool
oidc_jwk_pkey_is_okp(const EVP_PKEY *pkey)
{
	return okp_index(pkey) < OIDC_NELEM(okp_curves);
}

/* An RSA key: its size within our limits, n and e cached. */
static int
finish_rsa(struct oidc_jwk *key, struct oidc_error *err)
{
	key->kty = OIDC_JWK_RSA;
	key->bits = EVP_PKEY_get_bits(key->pkey);
	key->sig_len = (size_t)EVP_PKEY_get_size(key->pkey);
	if (key->bits < OIDC_JWK_RSA_LOAD_BITS ||
	    key->bits > OIDC_JWK_RSA_MAX_BITS)
		return oidc_fail(err, OIDC_E_CONFIG,
		    "unsupported key", "jwk: RSA key of %d bits",
		    key->bits);
	if ((key->pub[0] = oidc_jwk_param_b64(NULL, key->pkey,
	    OSSL_PKEY_PARAM_RSA_N, 0)) == NULL ||
	    (key->pub[1] = oidc_jwk_param_b64(NULL, key->pkey,
	    OSSL_PKEY_PARAM_RSA_E, 0)) == NULL)
		return oidc_fail_openssl(err, "RSA public params");
	return 0;
}

/* An EC key: one of our curves, which pins its alg; x and y cached. */
static int
finish_ec(struct oidc_jwk *key, struct oidc_error *err)
{
	char	 group[64];
	size_t	 i;

	key->kty = OIDC_JWK_EC;
	if (EVP_PKEY_get_utf8_string_param(key->pkey,
	    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
	    NULL) != 1)
		return oidc_fail_openssl(err, "EC group");
	for (i = 0; i < OIDC_NELEM(curves); i++)
		if (strcmp(group, curves[i].group) == 0)
			break;
	if (i == OIDC_NELEM(curves))
		return oidc_fail(err, OIDC_E_CONFIG, "unsupported key",
		    "jwk: EC curve %s", group);
	if (key->alg != OIDC_JWS_ALG_ANY && key->alg != curves[i].alg)
		return oidc_fail(err, OIDC_E_CONFIG,
		    "key does not fit alg", "jwk: %s on %s",
		    oidc_jwk_algs[key->alg].name, curves[i].crv);
	key->alg = curves[i].alg;
	key->crv = curves[i].crv;
	key->coord = curves[i].coord;
	if ((key->pub[0] = oidc_jwk_param_b64(NULL, key->pkey,
	    OSSL_PKEY_PARAM_EC_PUB_X, key->coord)) == NULL ||
	    (key->pub[1] = oidc_jwk_param_b64(NULL, key->pkey,
	    OSSL_PKEY_PARAM_EC_PUB_Y, key->coord)) == NULL)
		return oidc_fail_openssl(err, "EC public params");
	return 0;
}

/* An EdDSA key of okp_curves[i]: its alg fits the curve; x cached. */
static int
finish_okp(struct oidc_jwk *key, size_t i, struct oidc_error *err)
{
	unsigned char	 raw[OKP_MAX_LEN];
	size_t		 len = sizeof(raw);
	enum oidc_jws_alg alg = key->alg;

	key->kty = OIDC_JWK_OKP;
	key->crv = okp_curves[i].crv;
	key->coord = okp_curves[i].len;
	if (alg != OIDC_JWS_ALG_ANY && (oidc_jwk_algs[alg].kty !=
	    OIDC_JWK_OKP || strcmp(okp_crv_of(alg), key->crv) != 0))
		return oidc_fail(err, OIDC_E_CONFIG,
		    "key does not fit alg", "jwk: %s on %s",
		    oidc_jwk_algs[alg].name, key->crv);
	if (alg == OIDC_JWS_ALG_ANY)
		key->alg = okp_curves[i].fixed;
	if (EVP_PKEY_get_raw_public_key(key->pkey, raw, &len) != 1 ||
	    len != key->coord)
		return oidc_fail_openssl(err, "OKP public key");
	if ((key->pub[0] = b64_dup(raw, len)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "b64");
	return 0;
}

int
oidc_jwk_finish_asym(struct oidc_jwk *key, EVP_PKEY *pkey,
    enum oidc_jws_alg alg, bool priv, struct oidc_arena *a,
    struct oidc_error *err)
{
	size_t	 i;
	int	 rc;

	key->pkey = pkey;
	key->priv = priv;
	key->alg = alg;
	if (EVP_PKEY_is_a(pkey, "RSA"))
		rc = finish_rsa(key, err);
	else if (EVP_PKEY_is_a(pkey, "EC"))
		rc = finish_ec(key, err);
	else if ((i = okp_index(pkey)) < OIDC_NELEM(okp_curves))
		rc = finish_okp(key, i, err);
	else
		return oidc_fail(err, OIDC_E_CONFIG, "unsupported key",
		    "jwk: key type %s", EVP_PKEY_get0_type_name(pkey));
	if (rc == -1)
		return -1;
	if (alg != OIDC_JWS_ALG_ANY && oidc_jwk_algs[alg].kty != key->kty)
		return oidc_fail(err, OIDC_E_CONFIG, "key does not fit alg",
		    "jwk: %s with a %s key", oidc_jwk_algs[alg].name,
		    kty_names[key->kty]);
	if (fetch_mds(key, err) == -1)
		return -1;
	make_templates(key);
	return compute_thumbprint(key, a, err);
}

int
oidc_jwk_finish_oct(struct oidc_jwk *key, const unsigned char *k, size_t klen,
    enum oidc_jws_alg alg, struct oidc_arena *a, struct oidc_error *err)
{
	EVP_MAC		*mac = NULL;
	OSSL_PARAM	 params[2];
	size_t		 i;
	int		 rc = -1;

	key->kty = OIDC_JWK_OCT;
	key->alg = alg;
	key->priv = true;
	if (alg != OIDC_JWS_ALG_ANY && oidc_jwk_algs[alg].kty != OIDC_JWK_OCT) {
		oidc_fail(err, OIDC_E_CONFIG, "key does not fit alg",
		    "jwk: %s with an oct key", oidc_jwk_algs[alg].name);
		goto out;
	}
	if (klen > OIDC_JWK_OCT_MAX_LEN) {
		oidc_fail(err, OIDC_E_LIMIT, "key too long",
		    "jwk: oct key of %zu bytes", klen);
		goto out;
	}
	/* RFC 7518 3.2: never shorter than the hash output. */
	if (klen < (alg == OIDC_JWS_ALG_ANY ? 32 : oidc_jwk_algs[alg].hlen)) {
		oidc_fail(err, OIDC_E_CONFIG, "key too short",
		    "jwk: oct key of %zu bytes", klen);
		goto out;
	}
	if ((key->k = malloc(klen)) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "malloc");
		goto out;
	}
	memcpy(key->k, k, klen);
	key->klen = klen;
	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL) {
		oidc_fail_openssl(err, "EVP_MAC_fetch");
		goto out;
	}
	for (i = OIDC_JWS_HS256; i <= OIDC_JWS_HS512; i++) {
		if (klen < oidc_jwk_algs[i].hlen ||
		    (alg != OIDC_JWS_ALG_ANY && alg != (enum oidc_jws_alg)i))
			continue;
		params[0] = OSSL_PARAM_construct_utf8_string(
		    OSSL_MAC_PARAM_DIGEST, (char *)(uintptr_t)
		    hash_names[oidc_jwk_algs[i].h], 0);
		params[1] = OSSL_PARAM_construct_end();
		if ((key->mac[oidc_jwk_algs[i].h] =
		    EVP_MAC_CTX_new(mac)) == NULL ||
		    EVP_MAC_init(key->mac[oidc_jwk_algs[i].h], key->k, klen,
		    params) != 1) {
			oidc_fail_openssl(err, "EVP_MAC_init");
			goto out;
		}
	}
	if (compute_thumbprint(key, a, err) == -1)
		goto out;
	rc = 0;
out:
	EVP_MAC_free(mac);
	return rc;
}

struct oidc_jwk *
oidc_jwk_dup(const struct oidc_jwk *k, bool priv, struct oidc_arena *a,
    struct oidc_error *err)
{
	struct oidc_json	*j;
	struct oidc_jwk		*key;

	/*
	 * A private asymmetric key shares its EVP_PKEY (reference counted):
	 * the parts were checked when it was loaded, and an RSA pairwise
	 * check costs as much as ~100 signatures.  Everything else goes
	 * through its JWK form (a public check is cheap).
	 */
	if (!priv || !k->priv || k->kty == OIDC_JWK_OCT) {
		j = priv ? oidc_jwk_private_json(k, a, err) :
		    oidc_jwk_public_json(k, a, err);
		return j != NULL ? oidc_jwk_from_json(a, j, err) : NULL;
	}
	if ((key = calloc(1, sizeof(*key))) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "calloc");
		return NULL;
	}
	if (EVP_PKEY_up_ref(k->pkey) != 1) {
		free(key);
		oidc_fail_openssl(err, "EVP_PKEY_up_ref");
		return NULL;
	}
	if (oidc_jwk_finish_asym(key, k->pkey, k->alg, true, a, err) == -1 ||
	    oidc_jwk_set_kid(key, k->kid, strlen(k->kid), err) == -1) {
		oidc_jwk_free(key);
		return NULL;
	}
	return key;
}

/* ------------------------------------------------------------------ */
/* Generation                                                            */

struct oidc_jwk *
oidc_jwk_generate(enum oidc_jws_alg alg, unsigned bits,
    struct oidc_error *err)
{
	struct oidc_arena	*a = NULL;
	struct oidc_jwk		*key = NULL, *ret = NULL;
	EVP_PKEY		*pkey = NULL;
	unsigned char		 k[64];

	if ((unsigned)alg >= OIDC_JWS__MAX) {
		oidc_fail(err, OIDC_E_INTERNAL, NULL, "keygen: bad alg");
		goto out;
	}
	if (bits == 0)
		bits = OIDC_JWK_RSA_MIN_BITS;
	if (oidc_jwk_algs[alg].kty == OIDC_JWK_RSA &&
	    (bits < OIDC_JWK_RSA_MIN_BITS || bits > OIDC_JWK_RSA_MAX_BITS)) {
		oidc_fail(err, OIDC_E_CONFIG, "unsupported key size",
		    "keygen: RSA %u bits", bits);
		goto out;
	}
	if ((a = oidc_arena_new(4096, 1 << 20)) == NULL ||
	    (key = calloc(1, sizeof(*key))) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "keygen");
		goto out;
	}
	switch (oidc_jwk_algs[alg].kty) {
	case OIDC_JWK_OCT:
		if (oidc_random_bytes(k, oidc_jwk_algs[alg].hlen, err) == -1 ||
		    oidc_jwk_finish_oct(key, k, oidc_jwk_algs[alg].hlen, alg, a,
		    err) == -1)
			goto out;
		break;
	case OIDC_JWK_RSA:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
		break;
	case OIDC_JWK_EC:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
		    curves[alg - OIDC_JWS_ES256].group);
		break;
	default:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, alg == OIDC_JWS_ED448 ?
		    "ED448" : "ED25519");
		break;
	}
	if (oidc_jwk_algs[alg].kty != OIDC_JWK_OCT) {
		if (pkey == NULL) {
			oidc_fail_openssl(err, "EVP_PKEY_Q_keygen");
			goto out;
		}
		if (oidc_jwk_finish_asym(key, pkey, alg, true, a, err) == -1)
			goto out;
	}
	if (oidc_jwk_set_kid(key, NULL, 0, err) == -1)
		goto out;
	ret = key;
	key = NULL;
out:
	oidc_wipe(k, sizeof(k));
	oidc_jwk_free(key);
	oidc_arena_free(a);
	return ret;
}
