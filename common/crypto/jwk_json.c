/*
 * jwk_json.c: keys in and out of their JWK JSON form (RFC 7517 4, RFC
 * 7518 6, RFC 8037 2; see oidc/jwk.h).  Each member is decoded into an
 * EVP_PKEY built with EVP_PKEY_fromdata, whose parts are checked to
 * belong together (a pairwise or public check) before jwk.c finishes the
 * key.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "oidc/arena.h"
#include "oidc/b64url.h"
#include "oidc/crypto.h"
#include "oidc/json.h"
#include "oidc/jwk.h"

#include "jwk_int.h"

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
	const struct oidc_jwk_ec_curve	*c;
	struct oidc_str	 crv;
	unsigned char	*x, *y, *d = NULL, pt[1 + 2 * 66];
	size_t		 xlen, ylen, dlen = 0;
	OSSL_PARAM_BLD	*bld = NULL;
	EVP_PKEY	*pkey = NULL;
	BIGNUM		*bn = NULL;
	int		 rc;

	if (oidc_json_get_str(o, "crv", &crv, err) != 1) {
		oidc_fail(err, OIDC_E_CONFIG, "malformed key",
		    "jwk: EC key without crv");
		goto out;
	}
	if ((c = oidc_jwk_ec_curve(crv)) == NULL) {
		oidc_fail(err, OIDC_E_CONFIG, "unsupported key",
		    "jwk: unsupported EC curve");
		goto out;
	}
	/* RFC 7518 6.2.1.2/6.2.2.1: x, y and d are full-length octets. */
	if (get_b64(a, o, "x", &x, &xlen, err) != 1 ||
	    get_b64(a, o, "y", &y, &ylen, err) != 1 ||
	    (rc = get_b64(a, o, "d", &d, &dlen, err)) == -1 ||
	    xlen != c->coord || ylen != c->coord ||
	    (rc == 1 && dlen != c->coord)) {
		oidc_fail(err, OIDC_E_CONFIG, "malformed key",
		    "jwk: EC x/y/d missing or not %zu bytes", c->coord);
		goto out;
	}
	*priv = rc == 1;
	pt[0] = 0x04;	/* uncompressed point, SEC 1 2.3.3 */
	memcpy(pt + 1, x, xlen);
	memcpy(pt + 1 + xlen, y, ylen);
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    c->group, 0) != 1 ||
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
	const struct oidc_jwk_okp_curve	*c = NULL;
	struct oidc_str	 crv;
	unsigned char	*x, *d = NULL, pub[OKP_MAX_LEN];
	size_t		 xlen, dlen = 0, plen = sizeof(pub);
	EVP_PKEY	*pkey = NULL;
	int		 rc;

	if (oidc_json_get_str(o, "crv", &crv, err) != 1 ||
	    (c = oidc_jwk_okp_curve(crv)) == NULL) {
		oidc_fail(err, OIDC_E_CONFIG, "unsupported key",
		    "jwk: OKP key that is not Ed25519 or Ed448");
		goto out;
	}
	/* RFC 8037 2: x and d are the raw keys, 32 or 57 bytes. */
	if (get_b64(a, o, "x", &x, &xlen, err) != 1 ||
	    (rc = get_b64(a, o, "d", &d, &dlen, err)) == -1 ||
	    xlen != c->len || (rc == 1 && dlen != c->len)) {
		oidc_fail(err, OIDC_E_CONFIG, "malformed key",
		    "jwk: %s x/d missing or not %zu bytes", c->crv, c->len);
		goto out;
	}
	*priv = rc == 1;
	pkey = *priv ?
	    EVP_PKEY_new_raw_private_key_ex(NULL, c->type, NULL, d, dlen) :
	    EVP_PKEY_new_raw_public_key_ex(NULL, c->type, NULL, x, xlen);
	if (pkey == NULL) {
		oidc_fail_openssl(err, "EVP_PKEY_new_raw_key");
		goto out;
	}
	/* SECURITY: the public key must be the one d derives. */
	if (*priv && (EVP_PKEY_get_raw_public_key(pkey, pub, &plen) != 1 ||
	    plen != xlen || CRYPTO_memcmp(pub, x, xlen) != 0)) {
		oidc_fail(err, OIDC_E_CONFIG, "malformed key",
		    "jwk: %s x does not match d", c->crv);
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
 * The members every JWK may have: kty (required), use, alg and kid.  1
 * with them set; 0 when use or alg rule the key out (*why says which); -1
 * with err set.
 */
static int
jwk_head(const struct oidc_json *o, struct oidc_str *kty,
    enum oidc_jws_alg *alg, struct oidc_str *kid, const char **why,
    struct oidc_error *err)
{
	struct oidc_str	 s;
	int		 r;

	if (oidc_json_get_str(o, "kty", kty, err) != 1)
		return oidc_fail(err, OIDC_E_CONFIG, "malformed key",
		    "jwk: no kty");
	if ((r = oidc_json_get_str(o, "use", &s, err)) == -1)
		return -1;
	if (r == 1 && !oidc_str_eq_cstr(s, "sig")) {
		*why = "use is not sig";
		return 0;
	}
	if ((r = oidc_json_get_str(o, "alg", &s, err)) == -1)
		return -1;
	if (r == 1 && oidc_jws_alg_from_name(s.p, s.len, alg) != 1) {
		*why = "alg is not a JWS alg we support";
		return 0;
	}
	if (oidc_json_get_str(o, "kid", kid, err) == -1)
		return -1;
	return 1;
}

/* An oct key from its k member: 1, or -1 with err set. */
static int
oct_from_json(struct oidc_arena *a, const struct oidc_json *o,
    struct oidc_jwk *key, enum oidc_jws_alg alg, struct oidc_error *err)
{
	unsigned char	*k;
	size_t		 klen;
	int		 r;

	if (get_b64(a, o, "k", &k, &klen, err) != 1)
		return oidc_fail(err, OIDC_E_CONFIG, "malformed key",
		    "jwk: oct key without k");
	r = oidc_jwk_finish_oct(key, k, klen, alg, a, err);
	oidc_wipe(k, klen);
	return r == -1 ? -1 : 1;
}

/*
 * An RSA, EC or OKP key into key: 1; 0 when its kty or curve is not one
 * of ours (*why says which); -1 with err set.
 */
static int
asym_from_json(struct oidc_arena *a, const struct oidc_json *o,
    struct oidc_str kty, struct oidc_jwk *key, enum oidc_jws_alg alg,
    const char **why, struct oidc_error *err)
{
	struct oidc_str	 s;
	EVP_PKEY	*pkey;
	bool		 priv = false;

	if (oidc_str_eq_cstr(kty, "RSA"))
		pkey = rsa_from_json(a, o, &priv, err);
	else if (oidc_str_eq_cstr(kty, "EC")) {
		if (oidc_json_get_str(o, "crv", &s, err) == 1 &&
		    oidc_jwk_ec_curve(s) == NULL) {
			*why = "unsupported EC curve";
			return 0;
		}
		pkey = ec_from_json(a, o, &priv, err);
	} else if (oidc_str_eq_cstr(kty, "OKP")) {
		if (oidc_json_get_str(o, "crv", &s, err) == 1 &&
		    oidc_jwk_okp_curve(s) == NULL) {
			*why = "unsupported OKP curve";
			return 0;
		}
		pkey = okp_from_json(a, o, &priv, err);
	} else {
		*why = "unsupported kty";
		return 0;
	}
	if (pkey == NULL ||
	    oidc_jwk_finish_asym(key, pkey, alg, priv, a, err) == -1)
		return -1;
	return 1;
}

int
oidc_jwk_from_json_why(struct oidc_arena *a, const struct oidc_json *o,
    struct oidc_jwk **out, const char **why, struct oidc_error *err)
{
	struct oidc_jwk		*key;
	struct oidc_str		 kty, kid = OIDC_STR_NULL;
	enum oidc_jws_alg	 alg = OIDC_JWS_ALG_ANY;
	int			 rc;

	*out = NULL;
	if ((rc = jwk_head(o, &kty, &alg, &kid, why, err)) != 1)
		return rc;
	if ((key = calloc(1, sizeof(*key))) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "calloc");
	if (oidc_str_eq_cstr(kty, "oct"))
		rc = oct_from_json(a, o, key, alg, err);
	else
		rc = asym_from_json(a, o, kty, key, alg, why, err);
	if (rc == 1 && oidc_jwk_set_kid(key, kid.p, kid.len, err) == -1)
		rc = -1;
	if (rc != 1) {
		oidc_jwk_free(key);
		return rc;
	}
	*out = key;
	return 1;
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
	if (oidc_json_set_cstr(o, "kty", oidc_jwk_kty_name(key->kty),
	    err) == -1 ||
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
			if ((s = oidc_jwk_param_b64(a, key->pkey,
			    rsa_parts[i].param, 0)) == NULL) {
				oidc_fail_openssl(err, "RSA private params");
				return NULL;
			}
			if (oidc_json_set_cstr(o, rsa_parts[i].jwk, s,
			    err) == -1)
				return NULL;
		}
		break;
	case OIDC_JWK_EC:
		if ((s = oidc_jwk_param_b64(a, key->pkey,
		    OSSL_PKEY_PARAM_PRIV_KEY, key->coord)) == NULL) {
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
