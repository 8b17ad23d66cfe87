/*
 * jwk_pem.c: keys in and out of PEM (PKCS#1, PKCS#8, SEC1,
 * SubjectPublicKeyInfo; see oidc/jwk.h), through OSSL_DECODER and the PEM
 * writers.  Encrypted PEM is refused: no passphrase is ever asked for.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "oidc/arena.h"
#include "oidc/crypto.h"
#include "oidc/jwk.h"

#include "jwk_int.h"

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
	if (oidc_jwk_pkey_is_okp(pkey))
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
	if (oidc_jwk_finish_asym(key, pkey, alg, priv, a, err) == -1) {
		pkey = NULL;	/* owned by key */
		goto out;
	}
	pkey = NULL;
	if (oidc_jwk_set_kid(key, kid, kid != NULL ? strlen(kid) : 0,
	    err) == -1)
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
