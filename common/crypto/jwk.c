/*
 * jwk.c: JWK/PEM key parsing, RFC 7638 thumbprints, key generation and
 * output (see oidc/jwk.h); the signature primitives are in jwk_sign.c,
 * key sets in jwk_set.c, what they share in jwk_int.h.
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

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

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
static const struct {
	const char		*crv;		/* JWK name */
	const char		*group;		/* OpenSSL group name */
	size_t			 coord;
	enum oidc_jws_alg	 alg;
} curves[] = {
	{ "P-256", "prime256v1", 32, OIDC_JWS_ES256 },
	{ "P-384", "secp384r1", 48, OIDC_JWS_ES384 },
	{ "P-521", "secp521r1", 66, OIDC_JWS_ES512 },
};

/*
 * The EdDSA curves of RFC 8037 2.  `fixed` is the alg a key of the curve
 * is pinned to when it names none, OIDC_JWS_ALG_ANY when it may serve
 * several names (Ed25519: "EdDSA" and "Ed25519", RFC 9864 2.2).
 */
static const struct {
	const char		*crv;		/* JWK name */
	const char		*type;		/* OpenSSL key type */
	size_t			 len;		/* public and private key bytes */
	enum oidc_jws_alg	 fixed;
} okp_curves[] = {
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

/* Is crv[0..len) one of okp_curves[]?  *ix is its index when it is. */
static bool
okp_find(const char *crv, size_t len, size_t *ix)
{
	size_t	 i;

	for (i = 0; i < OIDC_NELEM(okp_curves); i++)
		if (strlen(okp_curves[i].crv) == len &&
		    memcmp(okp_curves[i].crv, crv, len) == 0) {
			*ix = i;
			return true;
		}
	return false;
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

/* The base64url of a BIGNUM parameter of pkey (see bn_b64). */
static char *
param_b64(struct oidc_arena *a, const EVP_PKEY *pkey, const char *name,
    size_t pad)
{
	BIGNUM	*bn = NULL;
	char	*s;

	if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1)
		return NULL;
	s = bn_b64(a, bn, pad);
	BN_clear_free(bn);
	return s;
}

/* Decode a base64url JWK member; 1 present, 0 absent, -1 error. */
static int
get_b64(struct oidc_arena *a, const struct oidc_json *o, const char *name,
    unsigned char **out, size_t *outlen, struct oidc_error *err)
{
	struct oidc_str	 s;
	int		 rc;

	if ((rc = oidc_json_get_str(o, name, &s, err)) != 1)
		return rc;
	if (oidc_b64url_decode(a, s.p, s.len, out, outlen, err) == -1)
		return -1;
	return 1;
}

static BIGNUM *
get_bn(struct oidc_arena *a, const struct oidc_json *o, const char *name,
    bool required, bool *present, struct oidc_error *err)
{
	unsigned char	*p;
	size_t		 len;
	BIGNUM		*bn;
	int		 rc;

	*present = false;
	if ((rc = get_b64(a, o, name, &p, &len, err)) == -1)
		return NULL;
	if (rc == 0 || len == 0) {
		if (required || rc == 1)
			oidc_fail(err, OIDC_E_CONFIG, "malformed key",
			    "jwk: member %s missing or empty", name);
		return NULL;
	}
	*present = true;
	if ((bn = BN_bin2bn(p, (int)len, NULL)) == NULL)
		oidc_fail_openssl(err, "BN_bin2bn");
	oidc_wipe(p, len);
	return bn;
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

/* Set the kid: the given one (validated) or the thumbprint. */
static int
set_kid(struct oidc_jwk *key, const char *kid, size_t len,
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
			    oidc_jwk_sig_init_fresh(key, (enum oidc_jws_alg)i, op == 1,
			    key->tmpl[op][i], &e2) == -1) {
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

/*
 * Classify an EVP_PKEY, check it against the (optional) pinned alg, cache
 * the public members, fetch digests, and compute the thumbprint.  The key
 * takes ownership of pkey whatever the outcome.
 */
static int
finish_asym(struct oidc_jwk *key, EVP_PKEY *pkey, enum oidc_jws_alg alg,
    bool priv, struct oidc_arena *a, struct oidc_error *err)
{
	unsigned char	 raw[OKP_MAX_LEN];
	char		 group[64];
	size_t		 i, len = sizeof(raw);

	key->pkey = pkey;
	key->priv = priv;
	key->alg = alg;
	if (EVP_PKEY_is_a(pkey, "RSA")) {
		key->kty = OIDC_JWK_RSA;
		key->bits = EVP_PKEY_get_bits(pkey);
		key->sig_len = (size_t)EVP_PKEY_get_size(pkey);
		if (key->bits < OIDC_JWK_RSA_LOAD_BITS ||
		    key->bits > OIDC_JWK_RSA_MAX_BITS)
			return oidc_fail(err, OIDC_E_CONFIG,
			    "unsupported key", "jwk: RSA key of %d bits",
			    key->bits);
		if ((key->pub[0] = param_b64(NULL, pkey, OSSL_PKEY_PARAM_RSA_N,
		    0)) == NULL || (key->pub[1] = param_b64(NULL, pkey,
		    OSSL_PKEY_PARAM_RSA_E, 0)) == NULL)
			return oidc_fail_openssl(err, "RSA public params");
	} else if (EVP_PKEY_is_a(pkey, "EC")) {
		key->kty = OIDC_JWK_EC;
		if (EVP_PKEY_get_utf8_string_param(pkey,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
		    NULL) != 1)
			return oidc_fail_openssl(err, "EC group");
		for (i = 0; i < OIDC_NELEM(curves); i++)
			if (strcmp(group, curves[i].group) == 0)
				break;
		if (i == OIDC_NELEM(curves))
			return oidc_fail(err, OIDC_E_CONFIG, "unsupported key",
			    "jwk: EC curve %s", group);
		if (alg != OIDC_JWS_ALG_ANY && alg != curves[i].alg)
			return oidc_fail(err, OIDC_E_CONFIG,
			    "key does not fit alg", "jwk: %s on %s",
			    oidc_jwk_algs[alg].name, curves[i].crv);
		key->alg = curves[i].alg;
		key->crv = curves[i].crv;
		key->coord = curves[i].coord;
		if ((key->pub[0] = param_b64(NULL, pkey,
		    OSSL_PKEY_PARAM_EC_PUB_X, key->coord)) == NULL ||
		    (key->pub[1] = param_b64(NULL, pkey,
		    OSSL_PKEY_PARAM_EC_PUB_Y, key->coord)) == NULL)
			return oidc_fail_openssl(err, "EC public params");
	} else if ((i = okp_index(pkey)) < OIDC_NELEM(okp_curves)) {
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
		if (EVP_PKEY_get_raw_public_key(pkey, raw, &len) != 1 ||
		    len != key->coord)
			return oidc_fail_openssl(err, "OKP public key");
		if ((key->pub[0] = b64_dup(raw, len)) == NULL)
			return oidc_fail(err, OIDC_E_NOMEM, NULL, "b64");
	} else
		return oidc_fail(err, OIDC_E_CONFIG, "unsupported key",
		    "jwk: key type %s", EVP_PKEY_get0_type_name(pkey));
	if (alg != OIDC_JWS_ALG_ANY && oidc_jwk_algs[alg].kty != key->kty)
		return oidc_fail(err, OIDC_E_CONFIG, "key does not fit alg",
		    "jwk: %s with a %s key", oidc_jwk_algs[alg].name,
		    kty_names[key->kty]);
	if (fetch_mds(key, err) == -1)
		return -1;
	make_templates(key);
	return compute_thumbprint(key, a, err);
}

/* Set up the oct key: copy the secret and key one HMAC context per hash. */
static int
finish_oct(struct oidc_jwk *key, const unsigned char *k, size_t klen,
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
		if ((key->mac[oidc_jwk_algs[i].h] = EVP_MAC_CTX_new(mac)) == NULL ||
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

/* ------------------------------------------------------------------ */
/* JWK JSON                                                              */

/* Build an EVP_PKEY from OSSL_PARAMs.  NULL with err set. */
static EVP_PKEY *
from_params(const char *type, OSSL_PARAM_BLD *bld, bool priv,
    struct oidc_error *err)
{
	EVP_PKEY_CTX	*pctx = NULL, *cctx = NULL;
	OSSL_PARAM	*params = NULL;
	EVP_PKEY	*pkey = NULL;
	int		 ok;

	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (pctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(pctx) != 1 ||
	    EVP_PKEY_fromdata(pctx, &pkey, priv ? EVP_PKEY_KEYPAIR :
	    EVP_PKEY_PUBLIC_KEY, params) != 1) {
		oidc_fail(err, OIDC_E_CONFIG, "malformed key",
		    "jwk: %s key rejected by OpenSSL", type);
		ERR_clear_error();
		goto out;
	}
	/*
	 * SECURITY: a private key whose parts do not belong together (or an
	 * EC point off the curve) is refused here rather than producing bad
	 * signatures or leaking the key through faults later.
	 */
	if ((cctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL) {
		oidc_fail_openssl(err, "EVP_PKEY_CTX_new_from_pkey");
		goto fail;
	}
	ok = priv ? EVP_PKEY_pairwise_check(cctx) :
	    EVP_PKEY_public_check(cctx);
	if (ok != 1) {
		oidc_fail(err, OIDC_E_CONFIG, "malformed key",
		    "jwk: %s key fails its consistency check", type);
		ERR_clear_error();
		goto fail;
	}
	goto out;
fail:
	EVP_PKEY_free(pkey);
	pkey = NULL;
out:
	EVP_PKEY_CTX_free(cctx);
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	return pkey;
}

/*
 * The members of an RSA JWK (RFC 7518 6.3) and their OpenSSL parameters:
 * the public ones first, then the private ones.
 */
struct rsa_part {
	const char	*jwk;
	const char	*param;
};

static const struct rsa_part	rsa_parts[] = {
	{ "n", OSSL_PKEY_PARAM_RSA_N },
	{ "e", OSSL_PKEY_PARAM_RSA_E },
	{ "d", OSSL_PKEY_PARAM_RSA_D },
	{ "p", OSSL_PKEY_PARAM_RSA_FACTOR1 },
	{ "q", OSSL_PKEY_PARAM_RSA_FACTOR2 },
	{ "dp", OSSL_PKEY_PARAM_RSA_EXPONENT1 },
	{ "dq", OSSL_PKEY_PARAM_RSA_EXPONENT2 },
	{ "qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1 },
};
#define RSA_PUBLIC_PARTS	2	/* n, e */

static EVP_PKEY *
rsa_from_json(struct oidc_arena *a, const struct oidc_json *o, bool *priv,
    struct oidc_error *err)
{
	BIGNUM		*bn[OIDC_NELEM(rsa_parts)] = { NULL };
	OSSL_PARAM_BLD	*bld = NULL;
	EVP_PKEY	*pkey = NULL;
	bool		 present;
	size_t		 i, n;

	if (oidc_json_has(o, "oth")) {
		oidc_fail(err, OIDC_E_CONFIG, "unsupported key",
		    "jwk: multi-prime RSA (oth)");
		goto out;
	}
	*priv = oidc_json_has(o, "d");
	n = *priv ? OIDC_NELEM(rsa_parts) : RSA_PUBLIC_PARTS;
	for (i = 0; i < n; i++) {
		bn[i] = get_bn(a, o, rsa_parts[i].jwk, true, &present, err);
		if (bn[i] == NULL)
			goto out;
	}
	if ((bld = OSSL_PARAM_BLD_new()) == NULL) {
		oidc_fail_openssl(err, "OSSL_PARAM_BLD_new");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (OSSL_PARAM_BLD_push_BN(bld, rsa_parts[i].param,
		    bn[i]) != 1) {
			oidc_fail_openssl(err, "OSSL_PARAM_BLD_push_BN");
			goto out;
		}
	pkey = from_params("RSA", bld, *priv, err);
out:
	OSSL_PARAM_BLD_free(bld);
	for (i = 0; i < OIDC_NELEM(rsa_parts); i++)
		BN_clear_free(bn[i]);
	return pkey;
}

static EVP_PKEY *
ec_from_json(struct oidc_arena *a, const struct oidc_json *o, bool *priv,
    struct oidc_error *err)
{
	struct oidc_str	 crv;
	unsigned char	*x, *y, *d = NULL, pt[1 + 2 * 66];
	size_t		 xlen, ylen, dlen = 0, i;
	OSSL_PARAM_BLD	*bld = NULL;
	EVP_PKEY	*pkey = NULL;
	BIGNUM		*bn = NULL;
	int		 rc;

	if (oidc_json_get_str(o, "crv", &crv, err) != 1) {
		oidc_fail(err, OIDC_E_CONFIG, "malformed key",
		    "jwk: EC key without crv");
		goto out;
	}
	for (i = 0; i < OIDC_NELEM(curves); i++)
		if (oidc_str_eq_cstr(crv, curves[i].crv))
			break;
	if (i == OIDC_NELEM(curves)) {
		oidc_fail(err, OIDC_E_CONFIG, "unsupported key",
		    "jwk: unsupported EC curve");
		goto out;
	}
	/* RFC 7518 6.2.1.2/6.2.2.1: x, y and d are full-length octets. */
	if (get_b64(a, o, "x", &x, &xlen, err) != 1 ||
	    get_b64(a, o, "y", &y, &ylen, err) != 1 ||
	    (rc = get_b64(a, o, "d", &d, &dlen, err)) == -1 ||
	    xlen != curves[i].coord || ylen != curves[i].coord ||
	    (rc == 1 && dlen != curves[i].coord)) {
		oidc_fail(err, OIDC_E_CONFIG, "malformed key",
		    "jwk: EC x/y/d missing or not %zu bytes", curves[i].coord);
		goto out;
	}
	*priv = rc == 1;
	pt[0] = 0x04;	/* uncompressed point, SEC 1 2.3.3 */
	memcpy(pt + 1, x, xlen);
	memcpy(pt + 1 + xlen, y, ylen);
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    curves[i].group, 0) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    pt, 1 + xlen + ylen) != 1) {
		oidc_fail_openssl(err, "OSSL_PARAM_BLD");
		goto out;
	}
	if (*priv && ((bn = BN_secure_new()) == NULL ||
	    BN_bin2bn(d, (int)dlen, bn) == NULL ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bn) != 1)) {
		oidc_fail_openssl(err, "EC private key");
		goto out;
	}
	pkey = from_params("EC", bld, *priv, err);
out:
	if (d != NULL)
		oidc_wipe(d, dlen);
	BN_clear_free(bn);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

static EVP_PKEY *
okp_from_json(struct oidc_arena *a, const struct oidc_json *o, bool *priv,
    struct oidc_error *err)
{
	struct oidc_str	 crv;
	unsigned char	*x, *d = NULL, pub[OKP_MAX_LEN];
	size_t		 xlen, dlen = 0, plen = sizeof(pub), i;
	EVP_PKEY	*pkey = NULL;
	int		 rc;

	if (oidc_json_get_str(o, "crv", &crv, err) != 1 ||
	    !okp_find(crv.p, crv.len, &i)) {
		oidc_fail(err, OIDC_E_CONFIG, "unsupported key",
		    "jwk: OKP key that is not Ed25519 or Ed448");
		goto out;
	}
	/* RFC 8037 2: x and d are the raw keys, 32 or 57 bytes. */
	if (get_b64(a, o, "x", &x, &xlen, err) != 1 ||
	    (rc = get_b64(a, o, "d", &d, &dlen, err)) == -1 ||
	    xlen != okp_curves[i].len ||
	    (rc == 1 && dlen != okp_curves[i].len)) {
		oidc_fail(err, OIDC_E_CONFIG, "malformed key",
		    "jwk: %s x/d missing or not %zu bytes", okp_curves[i].crv,
		    okp_curves[i].len);
		goto out;
	}
	*priv = rc == 1;
	pkey = *priv ? EVP_PKEY_new_raw_private_key_ex(NULL,
	    okp_curves[i].type, NULL, d, dlen) :
	    EVP_PKEY_new_raw_public_key_ex(NULL, okp_curves[i].type, NULL, x,
	    xlen);
	if (pkey == NULL) {
		oidc_fail_openssl(err, "EVP_PKEY_new_raw_key");
		goto out;
	}
	/* SECURITY: the public key must be the one d derives. */
	if (*priv && (EVP_PKEY_get_raw_public_key(pkey, pub, &plen) != 1 ||
	    plen != xlen || CRYPTO_memcmp(pub, x, xlen) != 0)) {
		oidc_fail(err, OIDC_E_CONFIG, "malformed key",
		    "jwk: %s x does not match d", okp_curves[i].crv);
		EVP_PKEY_free(pkey);
		pkey = NULL;
		ERR_clear_error();
	}
out:
	if (d != NULL)
		oidc_wipe(d, dlen);
	return pkey;
}

/*
 * Parse one JWK object.  1 with *out set; 0 when the key is of a kind we
 * do not support (*why says which; err untouched, so a JWKS can skip it);
 * -1 malformed or internal error (err set).
 */
int
oidc_jwk_from_json_why(struct oidc_arena *a, const struct oidc_json *o,
    struct oidc_jwk **out, const char **why, struct oidc_error *err)
{
	struct oidc_jwk		*key = NULL;
	struct oidc_str		 kty, s, kid = OIDC_STR_NULL;
	enum oidc_jws_alg	 alg = OIDC_JWS_ALG_ANY;
	EVP_PKEY		*pkey = NULL;
	unsigned char		*k;
	size_t			 klen;
	bool			 priv = false;
	int			 rc = -1, r;

	*out = NULL;
	if (oidc_json_get_str(o, "kty", &kty, err) != 1) {
		oidc_fail(err, OIDC_E_CONFIG, "malformed key",
		    "jwk: no kty");
		goto out;
	}
	if ((r = oidc_json_get_str(o, "use", &s, err)) == -1)
		goto out;
	if (r == 1 && !oidc_str_eq_cstr(s, "sig")) {
		*why = "use is not sig";
		rc = 0;
		goto out;
	}
	if ((r = oidc_json_get_str(o, "alg", &s, err)) == -1)
		goto out;
	if (r == 1 && oidc_jws_alg_from_name(s.p, s.len, &alg) != 1) {
		*why = "alg is not a JWS alg we support";
		rc = 0;
		goto out;
	}
	if ((r = oidc_json_get_str(o, "kid", &kid, err)) == -1)
		goto out;
	if ((key = calloc(1, sizeof(*key))) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "calloc");
		goto out;
	}
	if (oidc_str_eq_cstr(kty, "oct")) {
		if (get_b64(a, o, "k", &k, &klen, err) != 1) {
			oidc_fail(err, OIDC_E_CONFIG, "malformed key",
			    "jwk: oct key without k");
			goto out;
		}
		r = finish_oct(key, k, klen, alg, a, err);
		oidc_wipe(k, klen);
		if (r == -1)
			goto out;
	} else {
		if (oidc_str_eq_cstr(kty, "RSA"))
			pkey = rsa_from_json(a, o, &priv, err);
		else if (oidc_str_eq_cstr(kty, "EC")) {
			if (oidc_json_get_str(o, "crv", &s, err) == 1 &&
			    !oidc_str_eq_cstr(s, "P-256") &&
			    !oidc_str_eq_cstr(s, "P-384") &&
			    !oidc_str_eq_cstr(s, "P-521")) {
				*why = "unsupported EC curve";
				rc = 0;
				goto out;
			}
			pkey = ec_from_json(a, o, &priv, err);
		} else if (oidc_str_eq_cstr(kty, "OKP")) {
			size_t	 ix;

			if (oidc_json_get_str(o, "crv", &s, err) == 1 &&
			    !okp_find(s.p, s.len, &ix)) {
				*why = "unsupported OKP curve";
				rc = 0;
				goto out;
			}
			pkey = okp_from_json(a, o, &priv, err);
		} else {
			*why = "unsupported kty";
			rc = 0;
			goto out;
		}
		if (pkey == NULL)
			goto out;
		if (finish_asym(key, pkey, alg, priv, a, err) == -1)
			goto out;
	}
	if (set_kid(key, kid.p, kid.len, err) == -1)
		goto out;
	*out = key;
	key = NULL;
	rc = 1;
out:
	oidc_jwk_free(key);
	return rc;
}

struct oidc_jwk *
oidc_jwk_from_json(struct oidc_arena *a, const struct oidc_json *o,
    struct oidc_error *err)
{
	struct oidc_jwk	*key = NULL;
	const char	*why = NULL;

	if (oidc_jwk_from_json_why(a, o, &key, &why, err) == 0)
		oidc_fail(err, OIDC_E_CONFIG, "unsupported key", "jwk: %s",
		    why);
	return key;
}

struct oidc_jwk *
oidc_jwk_parse_json(struct oidc_arena *a, const char *buf, size_t len,
    struct oidc_error *err)
{
	struct oidc_json	*o;

	if (oidc_json_parse(a, buf, len, OIDC_JWK_MAX_LEN, &o, err) == -1)
		return NULL;
	return oidc_jwk_from_json(a, o, err);
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
	if (finish_asym(key, k->pkey, k->alg, true, a, err) == -1 ||
	    set_kid(key, k->kid, strlen(k->kid), err) == -1) {
		oidc_jwk_free(key);
		return NULL;
	}
	return key;
}

/* ------------------------------------------------------------------ */
/* PEM                                                                   */

/* Refuse to prompt for (or guess) a passphrase: encrypted PEM fails. */
static int
no_passphrase(char *pass, size_t size, size_t *len, const OSSL_PARAM p[],
    void *arg)
{
	(void)pass;
	(void)size;
	(void)len;
	(void)p;
	(void)arg;
	return 0;
}

struct oidc_jwk *
oidc_jwk_parse_pem(struct oidc_arena *a, const char *buf, size_t len,
    enum oidc_jws_alg alg, const char *kid, struct oidc_error *err)
{
	OSSL_DECODER_CTX	*dctx = NULL;
	EVP_PKEY		*pkey = NULL;
	struct oidc_jwk		*key = NULL, *ret = NULL;
	const unsigned char	*p = (const unsigned char *)buf;
	unsigned char		 raw[OKP_MAX_LEN];
	size_t			 left = len, rlen = sizeof(raw);
	BIGNUM			*bn = NULL;
	bool			 priv;

	if (len > OIDC_JWK_MAX_LEN) {
		oidc_fail(err, OIDC_E_LIMIT, "key too long", "pem: %zu", len);
		goto out;
	}
	if ((unsigned)alg > OIDC_JWS_ALG_ANY) {
		oidc_fail(err, OIDC_E_INTERNAL, NULL, "pem: bad alg");
		goto out;
	}
	if ((dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", NULL, NULL,
	    0, NULL, NULL)) == NULL ||
	    OSSL_DECODER_CTX_set_passphrase_cb(dctx, no_passphrase,
	    NULL) != 1) {
		oidc_fail_openssl(err, "OSSL_DECODER_CTX_new_for_pkey");
		goto out;
	}
	if (OSSL_DECODER_from_data(dctx, &p, &left) != 1 || pkey == NULL) {
		oidc_fail(err, OIDC_E_CONFIG, "malformed key",
		    "pem: no (unencrypted) key found");
		ERR_clear_error();
		goto out;
	}
	/* Does the key hold its private half? */
	if (okp_index(pkey) < OIDC_NELEM(okp_curves))
		priv = EVP_PKEY_get_raw_private_key(pkey, raw, &rlen) == 1;
	else if (EVP_PKEY_is_a(pkey, "RSA"))
		priv = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_D,
		    &bn) == 1;
	else
		priv = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY,
		    &bn) == 1;
	oidc_wipe(raw, sizeof(raw));
	ERR_clear_error();
	if ((key = calloc(1, sizeof(*key))) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "calloc");
		goto out;
	}
	if (finish_asym(key, pkey, alg, priv, a, err) == -1) {
		pkey = NULL;	/* owned by key */
		goto out;
	}
	pkey = NULL;
	if (set_kid(key, kid, kid != NULL ? strlen(kid) : 0, err) == -1)
		goto out;
	ret = key;
	key = NULL;
out:
	BN_clear_free(bn);
	oidc_jwk_free(key);
	EVP_PKEY_free(pkey);
	OSSL_DECODER_CTX_free(dctx);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Generation and output                                                 */

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
	if (oidc_jwk_algs[alg].kty == OIDC_JWK_RSA && (bits < OIDC_JWK_RSA_MIN_BITS ||
	    bits > OIDC_JWK_RSA_MAX_BITS)) {
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
		    finish_oct(key, k, oidc_jwk_algs[alg].hlen, alg, a, err) == -1)
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
		if (finish_asym(key, pkey, alg, true, a, err) == -1)
			goto out;
	}
	if (set_kid(key, NULL, 0, err) == -1)
		goto out;
	ret = key;
	key = NULL;
out:
	oidc_wipe(k, sizeof(k));
	oidc_jwk_free(key);
	oidc_arena_free(a);
	return ret;
}

/* kty, kid, use, alg: the members every output JWK starts with. */
static struct oidc_json *
json_head(const struct oidc_jwk *key, struct oidc_arena *a,
    struct oidc_error *err)
{
	struct oidc_json	*o;

	if ((o = oidc_json_new_object(a)) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "json object");
		return NULL;
	}
	if (oidc_json_set_cstr(o, "kty", kty_names[key->kty], err) == -1 ||
	    oidc_json_set_cstr(o, "kid", key->kid, err) == -1 ||
	    oidc_json_set_cstr(o, "use", "sig", err) == -1 ||
	    (key->alg != OIDC_JWS_ALG_ANY && oidc_json_set_cstr(o, "alg",
	    oidc_jwk_algs[key->alg].name, err) == -1))
		return NULL;
	if (key->crv != NULL &&
	    oidc_json_set_cstr(o, "crv", key->crv, err) == -1)
		return NULL;
	switch (key->kty) {
	case OIDC_JWK_RSA:
		if (oidc_json_set_cstr(o, "n", key->pub[0], err) == -1 ||
		    oidc_json_set_cstr(o, "e", key->pub[1], err) == -1)
			return NULL;
		break;
	case OIDC_JWK_EC:
		if (oidc_json_set_cstr(o, "x", key->pub[0], err) == -1 ||
		    oidc_json_set_cstr(o, "y", key->pub[1], err) == -1)
			return NULL;
		break;
	case OIDC_JWK_OKP:
		if (oidc_json_set_cstr(o, "x", key->pub[0], err) == -1)
			return NULL;
		break;
	default:
		break;
	}
	return o;
}

struct oidc_json *
oidc_jwk_public_json(const struct oidc_jwk *key, struct oidc_arena *a,
    struct oidc_error *err)
{
	if (key->kty == OIDC_JWK_OCT) {
		oidc_fail(err, OIDC_E_INTERNAL, NULL,
		    "jwk: an oct key has no public form");
		return NULL;
	}
	return json_head(key, a, err);
}

struct oidc_json *
oidc_jwk_private_json(const struct oidc_jwk *key, struct oidc_arena *a,
    struct oidc_error *err)
{
	struct oidc_json	*o;
	unsigned char		 raw[OKP_MAX_LEN];
	size_t			 i, rlen = sizeof(raw);
	char			*s;

	if (!key->priv) {
		oidc_fail(err, OIDC_E_INTERNAL, NULL, "jwk: not a private key");
		return NULL;
	}
	if ((o = json_head(key, a, err)) == NULL)
		return NULL;
	switch (key->kty) {
	case OIDC_JWK_RSA:
		for (i = RSA_PUBLIC_PARTS; i < OIDC_NELEM(rsa_parts); i++) {
			if ((s = param_b64(a, key->pkey, rsa_parts[i].param,
			    0)) == NULL) {
				oidc_fail_openssl(err, "RSA private params");
				return NULL;
			}
			if (oidc_json_set_cstr(o, rsa_parts[i].jwk, s,
			    err) == -1)
				return NULL;
		}
		break;
	case OIDC_JWK_EC:
		if ((s = param_b64(a, key->pkey, OSSL_PKEY_PARAM_PRIV_KEY,
		    key->coord)) == NULL) {
			oidc_fail_openssl(err, "EC private key");
			return NULL;
		}
		if (oidc_json_set_cstr(o, "d", s, err) == -1)
			return NULL;
		break;
	case OIDC_JWK_OKP:
		if (EVP_PKEY_get_raw_private_key(key->pkey, raw, &rlen) != 1) {
			oidc_fail_openssl(err, "OKP private key");
			return NULL;
		}
		s = oidc_b64url_encode(a, raw, rlen);
		oidc_wipe(raw, sizeof(raw));
		if (s == NULL || oidc_json_set_cstr(o, "d", s, err) == -1) {
			oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
			return NULL;
		}
		break;
	case OIDC_JWK_OCT:
		if ((s = oidc_b64url_encode(a, key->k, key->klen)) == NULL ||
		    oidc_json_set_cstr(o, "k", s, err) == -1) {
			oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
			return NULL;
		}
		break;
	default:
		return NULL;
	}
	return o;
}

static char *
write_pem(const struct oidc_jwk *key, bool priv, struct oidc_arena *a,
    struct oidc_error *err)
{
	BIO	*bio = NULL;
	char	*data, *s = NULL;
	long	 n;
	int	 ok;

	if (key->pkey == NULL || (priv && !key->priv)) {
		oidc_fail(err, OIDC_E_INTERNAL, NULL,
		    "jwk: no such PEM form for this key");
		return NULL;
	}
	/* The secure-memory BIO wipes the private PEM when freed. */
	if ((bio = BIO_new(priv ? BIO_s_secmem() : BIO_s_mem())) == NULL) {
		oidc_fail_openssl(err, "BIO_new");
		goto out;
	}
	ok = priv ? PEM_write_bio_PrivateKey(bio, key->pkey, NULL, NULL, 0,
	    NULL, NULL) : PEM_write_bio_PUBKEY(bio, key->pkey);
	if (ok != 1 || (n = BIO_get_mem_data(bio, &data)) <= 0) {
		oidc_fail_openssl(err, "PEM_write_bio");
		goto out;
	}
	if ((s = oidc_arena_strndup(a, data, (size_t)n)) == NULL)
		oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
out:
	BIO_free(bio);
	return s;
}

char *
oidc_jwk_private_pem(const struct oidc_jwk *key, struct oidc_arena *a,
    struct oidc_error *err)
{
	return write_pem(key, true, a, err);
}

char *
oidc_jwk_public_pem(const struct oidc_jwk *key, struct oidc_arena *a,
    struct oidc_error *err)
{
	return write_pem(key, false, a, err);
}
