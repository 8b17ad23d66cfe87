/*
 * crypto.c: CSPRNG, SHA-256, scrypt password hashing (see oidc/crypto.h).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "oidc/arena.h"
#include "oidc/b64url.h"
#include "oidc/crypto.h"

#define SALT_LEN	16
#define HASH_LEN	32
#define SCRYPT_R	8
#define SCRYPT_P	1

int
oidc_fail_openssl_at(struct oidc_error *err, const char *what,
    const char *file, int line)
{
	char		 buf[160];
	unsigned long	 e;

	e = ERR_peek_last_error();
	if (e != 0)
		ERR_error_string_n(e, buf, sizeof(buf));
	else
		buf[0] = '\0';
	ERR_clear_error();	/* never leak into the next request */
	return oidc_error_set(err, OIDC_E_CRYPTO, NULL, file, line, what,
	    "%s: %s", what, buf);
}

void
oidc_wipe(void *p, size_t len)
{
	OPENSSL_cleanse(p, len);
}

int
oidc_random_bytes(void *buf, size_t len, struct oidc_error *err)
{
	if (len > INT32_MAX || RAND_bytes(buf, (int)len) != 1)
		return oidc_fail_openssl(err, "RAND_bytes");
	return 0;
}

char *
oidc_random_token(struct oidc_arena *a, size_t nbytes, struct oidc_error *err)
{
	unsigned char	 raw[64];
	char		*s;

	if (nbytes > sizeof(raw)) {
		oidc_fail(err, OIDC_E_INTERNAL, NULL, "token too long");
		return NULL;
	}
	if (oidc_random_bytes(raw, nbytes, err) == -1)
		return NULL;
	if ((s = oidc_b64url_encode(a, raw, nbytes)) == NULL)
		oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	oidc_wipe(raw, sizeof(raw));
	return s;
}

char *
oidc_random_token_hashed(struct oidc_arena *a, size_t nbytes,
    unsigned char hash[OIDC_SHA256_LEN], struct oidc_error *err)
{
	char	*s;

	if ((s = oidc_random_token(a, nbytes, err)) == NULL ||
	    oidc_sha256(s, strlen(s), hash, err) == -1)
		return NULL;
	return s;
}

int
oidc_sha256(const void *p, size_t len, unsigned char out[OIDC_SHA256_LEN],
    struct oidc_error *err)
{
	unsigned int	 n = 0;

	if (EVP_Digest(p, len, out, &n, EVP_sha256(), NULL) != 1 ||
	    n != OIDC_SHA256_LEN)
		return oidc_fail_openssl(err, "EVP_Digest");
	return 0;
}

int
oidc_hmac_sha1(const void *key, size_t keylen, const void *msg,
    size_t msglen, unsigned char out[OIDC_SHA1_LEN], struct oidc_error *err)
{
	size_t	 n = 0;

	if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA1", NULL, key, keylen, msg,
	    msglen, out, OIDC_SHA1_LEN, &n) == NULL || n != OIDC_SHA1_LEN)
		return oidc_fail_openssl(err, "HMAC-SHA1");
	return 0;
}

static int
scrypt(const char *pw, size_t pwlen, const unsigned char *salt,
    size_t saltlen, unsigned ln, unsigned char *out, size_t outlen,
    struct oidc_error *err)
{
	EVP_KDF		*kdf = NULL;
	EVP_KDF_CTX	*kctx = NULL;
	OSSL_PARAM	 params[6], *p = params;
	uint64_t	 n = (uint64_t)1 << ln;
	uint32_t	 r = SCRYPT_R, par = SCRYPT_P;
	int		 rc = -1;

	if ((kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL)) == NULL ||
	    (kctx = EVP_KDF_CTX_new(kdf)) == NULL) {
		oidc_fail_openssl(err, "EVP_KDF scrypt");
		goto out;
	}
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
	    (void *)(uintptr_t)pw, pwlen);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
	    (void *)(uintptr_t)salt, saltlen);
	*p++ = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
	*p++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r);
	*p++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &par);
	*p = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(kctx, out, outlen, params) != 1) {
		oidc_fail_openssl(err, "EVP_KDF_derive");
		goto out;
	}
	rc = 0;
out:
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	return rc;
}

char *
oidc_password_hash(struct oidc_arena *a, const char *pw, size_t pwlen,
    unsigned ln, struct oidc_error *err)
{
	unsigned char	 salt[SALT_LEN], hash[HASH_LEN];
	char		 s_salt[32], s_hash[48], *out = NULL;

	if (ln == 0)
		ln = OIDC_SCRYPT_LN_DEFAULT;
	if (ln < 10 || ln > 20 || pwlen > OIDC_PASSWORD_MAX_LEN) {
		oidc_fail(err, OIDC_E_INVALID_REQUEST, "password too long",
		    "scrypt ln %u or password length %zu", ln, pwlen);
		return NULL;
	}
	if (oidc_random_bytes(salt, sizeof(salt), err) == -1 ||
	    scrypt(pw, pwlen, salt, sizeof(salt), ln, hash, sizeof(hash),
	    err) == -1)
		goto out;
	(void)oidc_b64url_encode_to(s_salt, salt, sizeof(salt));
	(void)oidc_b64url_encode_to(s_hash, hash, sizeof(hash));
	out = oidc_arena_printf(a, "$scrypt$ln=%u,r=%d,p=%d$%s$%s", ln,
	    SCRYPT_R, SCRYPT_P, s_salt, s_hash);
	if (out == NULL)
		oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
out:
	oidc_wipe(hash, sizeof(hash));
	return out;
}

/* Parse "$scrypt$ln=N,r=8,p=1$salt$hash" without sscanf. */
static int
parse_encoded(const char *enc, unsigned *ln, const char **salt,
    size_t *saltlen, const char **hash, size_t *hashlen)
{
	static const char	 prefix[] = "$scrypt$ln=";
	const char		*p, *q;
	uint64_t		 v;

	if (strncmp(enc, prefix, sizeof(prefix) - 1) != 0)
		return -1;
	p = enc + sizeof(prefix) - 1;
	if ((q = strchr(p, ',')) == NULL ||
	    oidc_parse_u64(p, (size_t)(q - p), 10, 20, &v) == -1)
		return -1;
	*ln = (unsigned)v;
	if (strncmp(q, ",r=8,p=1$", 9) != 0)
		return -1;
	*salt = q + 9;
	if ((q = strchr(*salt, '$')) == NULL)
		return -1;
	*saltlen = (size_t)(q - *salt);
	*hash = q + 1;
	*hashlen = strlen(*hash);
	return 0;
}

int
oidc_password_verify(const char *pw, size_t pwlen, const char *encoded,
    struct oidc_error *err)
{
	/* A fixed decoy so unknown users cost the same as real ones. */
	static const char decoy[] = "$scrypt$ln=15,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA"
	    "$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	struct oidc_arena	*a = NULL;
	const char		*s_salt, *s_hash;
	size_t			 saltlen, hashlen, rawlen, hlen;
	unsigned char		*salt, *want, got[HASH_LEN];
	unsigned		 ln;
	int			 rc = -1;

	if (pwlen > OIDC_PASSWORD_MAX_LEN)
		pwlen = OIDC_PASSWORD_MAX_LEN;	/* still burn the time */
	if ((a = oidc_arena_new(512, 4096)) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
		goto out;
	}
	if (parse_encoded(encoded != NULL ? encoded : decoy, &ln, &s_salt,
	    &saltlen, &s_hash, &hashlen) == -1 ||
	    oidc_b64url_decode(a, s_salt, saltlen, &salt, &rawlen, err) == -1 ||
	    oidc_b64url_decode(a, s_hash, hashlen, &want, &hlen, err) == -1 ||
	    hlen != HASH_LEN) {
		oidc_fail(err, OIDC_E_INTERNAL, NULL, "malformed password hash");
		goto out;
	}
	if (scrypt(pw, pwlen, salt, rawlen, ln, got, sizeof(got), err) == -1)
		goto out;
	/* SECURITY: constant-time compare of the derived keys. */
	rc = CRYPTO_memcmp(got, want, HASH_LEN) == 0 && encoded != NULL;
out:
	oidc_wipe(got, sizeof(got));
	oidc_arena_free(a);
	return rc;
}

int
oidc_crypto_preload(struct oidc_error *err)
{
	unsigned char	 b[16];
	EVP_MD		*md;

	if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1)
		return oidc_fail_openssl(err, "OPENSSL_init_crypto");
	if ((md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		return oidc_fail_openssl(err, "EVP_MD_fetch");
	EVP_MD_free(md);
	/* TOTP (oidc/totp.h): HMAC-SHA1. */
	if ((md = EVP_MD_fetch(NULL, "SHA1", NULL)) == NULL)
		return oidc_fail_openssl(err, "EVP_MD_fetch");
	EVP_MD_free(md);
	if (RAND_bytes(b, sizeof(b)) != 1)
		return oidc_fail_openssl(err, "RAND_bytes");
	oidc_wipe(b, sizeof(b));
	return 0;
}
