/*
 * jwk_sign.c: the raw JWS signature primitives of RFC 7518 3 over the keys
 * of jwk.c (see oidc/jwk.h): HMAC, RSASSA-PKCS1-v1_5, RSASSA-PSS, ECDSA
 * (R || S) and EdDSA (Ed25519, Ed448), each from a ready context template.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "oidc/arena.h"
#include "oidc/crypto.h"
#include "oidc/json.h"
#include "oidc/jwk.h"
#include "jwk_int.h"

size_t
oidc_jwk_sig_len(const struct oidc_jwk *key, enum oidc_jws_alg alg)
{
	switch (key->kty) {
	case OIDC_JWK_OCT:
		return oidc_jwk_algs[alg].hlen;
	case OIDC_JWK_RSA:
		return key->sig_len;
	case OIDC_JWK_EC:
		return 2 * key->coord;
	case OIDC_JWK_OKP:
		return 2 * key->coord;	/* RFC 8032: 64 or 114 bytes */
	default:
		return 0;
	}
}

/* Start a DigestSign/DigestVerify operation for key and alg. */
int
oidc_jwk_sig_init_fresh(const struct oidc_jwk *key, enum oidc_jws_alg alg,
    bool sign, EVP_MD_CTX *md, struct oidc_error *err)
{
	EVP_PKEY_CTX	*pctx = NULL;
	const EVP_MD	*type;
	int		 ok;

	/* EdDSA signs the message itself: no separate digest. */
	type = key->kty == OIDC_JWK_OKP ? NULL : key->md[oidc_jwk_algs[alg].h];
	ok = sign ? EVP_DigestSignInit(md, &pctx, type, NULL, key->pkey) :
	    EVP_DigestVerifyInit(md, &pctx, type, NULL, key->pkey);
	if (ok != 1)
		return oidc_fail_openssl(err, "EVP_DigestInit");
	/*
	 * RFC 7518 3.5: RSASSA-PSS with MGF1 over the same hash and a salt
	 * as long as the hash (RSA_PSS_SALTLEN_DIGEST); verification also
	 * insists on that salt length.
	 */
	if (oidc_jwk_is_ps(alg) && (EVP_PKEY_CTX_set_rsa_padding(pctx,
	    RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
	    RSA_PSS_SALTLEN_DIGEST) != 1))
		return oidc_fail_openssl(err, "RSA-PSS parameters");
	return 0;
}

/* Start an operation from the key's template, or afresh. */
static int
sig_init(const struct oidc_jwk *key, enum oidc_jws_alg alg, bool sign,
    EVP_MD_CTX *md, struct oidc_error *err)
{
	const EVP_MD_CTX	*t = key->tmpl[sign ? 1 : 0][alg];

	if (t != NULL && EVP_MD_CTX_copy_ex(md, t) == 1)
		return 0;
	ERR_clear_error();
	return oidc_jwk_sig_init_fresh(key, alg, sign, md, err);
}

/* HMAC: reinitialise with the stored key (no key schedule redone). */
static int
hmac_sign(const struct oidc_jwk *key, enum oidc_jws_alg alg,
    const void *msg, size_t len, unsigned char *sig, size_t *siglen,
    size_t want, struct oidc_error *err)
{
	EVP_MAC_CTX	*mac = key->mac[oidc_jwk_algs[alg].h];
	size_t		 n;

	if (EVP_MAC_init(mac, NULL, 0, NULL) != 1 ||
	    EVP_MAC_update(mac, msg, len) != 1 ||
	    EVP_MAC_final(mac, sig, &n, *siglen) != 1 || n != want)
		return oidc_fail_openssl(err, "HMAC");
	*siglen = n;
	return 0;
}

/*
 * RFC 7518 3.4: ECDSA signatures are R || S, each left-padded to the
 * coordinate size, never the DER der[0..n) that OpenSSL produces.
 */
static int
ecdsa_to_jose(const struct oidc_jwk *key, const unsigned char *der,
    size_t n, unsigned char *sig, struct oidc_error *err)
{
	ECDSA_SIG		*esig;
	const BIGNUM		*r, *s;
	const unsigned char	*p = der;
	int			 rc = 0;

	if ((esig = d2i_ECDSA_SIG(NULL, &p, (long)n)) == NULL)
		return oidc_fail_openssl(err, "d2i_ECDSA_SIG");
	ECDSA_SIG_get0(esig, &r, &s);
	if (BN_bn2binpad(r, sig, (int)key->coord) != (int)key->coord ||
	    BN_bn2binpad(s, sig + key->coord, (int)key->coord) !=
	    (int)key->coord)
		rc = oidc_fail_openssl(err, "BN_bn2binpad");
	ECDSA_SIG_free(esig);
	return rc;
}

int
oidc_jwk_sign(const struct oidc_jwk *key, enum oidc_jws_alg alg,
    const void *msg, size_t len, unsigned char *sig, size_t *siglen,
    struct oidc_error *err)
{
	EVP_MD_CTX		*md = NULL;
	unsigned char		 der[256];
	size_t			 want, n;
	int			 rc = -1;

	if (!key->priv || !oidc_jwk_supports(key, alg))
		return oidc_fail(err, OIDC_E_CONFIG,
		    "key cannot sign with this alg",
		    "jws: key %s cannot sign %s%s", key->kid,
		    oidc_jws_alg_name(alg), key->priv ? "" : " (public key)");
	want = oidc_jwk_sig_len(key, alg);
	if (*siglen < want)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL,
		    "jws: signature buffer");
	if (key->kty == OIDC_JWK_OCT)
		return hmac_sign(key, alg, msg, len, sig, siglen, want, err);
	if ((md = EVP_MD_CTX_new()) == NULL)
		return oidc_fail_openssl(err, "EVP_MD_CTX_new");
	if (sig_init(key, alg, true, md, err) == -1)
		goto out;
	if (key->kty != OIDC_JWK_EC) {
		n = *siglen;
		if (EVP_DigestSign(md, sig, &n, msg, len) != 1 || n != want) {
			oidc_fail_openssl(err, "EVP_DigestSign");
			goto out;
		}
		*siglen = n;
		rc = 0;
		goto out;
	}
	n = sizeof(der);
	if (EVP_DigestSign(md, der, &n, msg, len) != 1) {
		oidc_fail_openssl(err, "EVP_DigestSign");
		goto out;
	}
	if (ecdsa_to_jose(key, der, n, sig, err) == -1)
		goto out;
	*siglen = want;
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

int
oidc_jwk_verify(const struct oidc_jwk *key, enum oidc_jws_alg alg,
    const void *msg, size_t len, const unsigned char *sig, size_t siglen,
    struct oidc_error *err)
{
	EVP_MD_CTX	*md = NULL;
	ECDSA_SIG	*esig = NULL;
	BIGNUM		*r = NULL, *s = NULL;
	unsigned char	*der = NULL, mac[64];
	size_t		 n;
	int		 derlen, rc = -1, v;

	if (!oidc_jwk_supports(key, alg)) {
		oidc_fail(err, OIDC_E_INTERNAL, NULL,
		    "jws: key %s cannot verify %s", key->kid,
		    oidc_jws_alg_name(alg));
		goto out;
	}
	/*
	 * SECURITY: every algorithm has exactly one signature length; a
	 * wrong one (ES256 with 63 or 72 bytes, a DER-encoded ECDSA value, a
	 * truncated HMAC) is invalid before any crypto runs.
	 */
	if (siglen != oidc_jwk_sig_len(key, alg)) {
		rc = 0;
		goto out;
	}
	if (key->kty == OIDC_JWK_OCT) {
		EVP_MAC_CTX *ctx = key->mac[oidc_jwk_algs[alg].h];

		if (EVP_MAC_init(ctx, NULL, 0, NULL) != 1 ||
		    EVP_MAC_update(ctx, msg, len) != 1 ||
		    EVP_MAC_final(ctx, mac, &n, sizeof(mac)) != 1 ||
		    n != siglen) {
			oidc_fail_openssl(err, "HMAC");
			goto out;
		}
		/* SECURITY: constant time, lengths already equal. */
		rc = CRYPTO_memcmp(mac, sig, n) == 0;
		oidc_wipe(mac, sizeof(mac));
		goto out;
	}
	if ((md = EVP_MD_CTX_new()) == NULL) {
		oidc_fail_openssl(err, "EVP_MD_CTX_new");
		goto out;
	}
	if (sig_init(key, alg, false, md, err) == -1)
		goto out;
	if (key->kty == OIDC_JWK_EC) {
		if ((esig = ECDSA_SIG_new()) == NULL ||
		    (r = BN_bin2bn(sig, (int)key->coord, NULL)) == NULL ||
		    (s = BN_bin2bn(sig + key->coord, (int)key->coord,
		    NULL)) == NULL || ECDSA_SIG_set0(esig, r, s) != 1) {
			oidc_fail_openssl(err, "ECDSA_SIG");
			goto out;
		}
		r = s = NULL;	/* owned by esig */
		if ((derlen = i2d_ECDSA_SIG(esig, &der)) <= 0) {
			oidc_fail_openssl(err, "i2d_ECDSA_SIG");
			goto out;
		}
		v = EVP_DigestVerify(md, der, (size_t)derlen, msg, len);
	} else
		v = EVP_DigestVerify(md, sig, siglen, msg, len);
	/* 1 valid; 0 bad signature; < 0 malformed: both are invalid. */
	rc = v == 1;
	ERR_clear_error();
out:
	OPENSSL_free(der);
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(esig);
	EVP_MD_CTX_free(md);
	return rc;
}
