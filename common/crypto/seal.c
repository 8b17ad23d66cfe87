/*
 * seal.c: AES-256-GCM sealing of secrets at rest and the KEK file (see
 * oidc/seal.h).
 */

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "oidc/arena.h"
#include "oidc/crypto.h"
#include "oidc/seal.h"
#include "oidc/secretfile.h"
#include "oidc/str.h"

/* The hex KEK file is 64 digits plus a little white space. */
#define KEY_FILE_MAX	256

/*
 * Authenticate the header (the version byte) and the caller's associated
 * data: with in-place AAD a version change or a blob moved to another row
 * fails the tag check.
 */
static int
add_aad(EVP_CIPHER_CTX *c, bool enc, const unsigned char *ver,
    const void *aad, size_t aadlen)
{
	int	 n;

	if (enc) {
		if (EVP_EncryptUpdate(c, NULL, &n, ver, 1) != 1)
			return -1;
		if (aadlen > 0 && EVP_EncryptUpdate(c, NULL, &n, aad,
		    (int)aadlen) != 1)
			return -1;
		return 0;
	}
	if (EVP_DecryptUpdate(c, NULL, &n, ver, 1) != 1)
		return -1;
	if (aadlen > 0 && EVP_DecryptUpdate(c, NULL, &n, aad, (int)aadlen) !=
	    1)
		return -1;
	return 0;
}

int
oidc_seal(struct oidc_arena *a, const unsigned char key[OIDC_SEAL_KEY_LEN],
    const void *aad, size_t aadlen, const void *pt, size_t ptlen,
    unsigned char **out, size_t *outlen, struct oidc_error *err)
{
	EVP_CIPHER_CTX	*c = NULL;
	unsigned char	*buf, *nonce, *ct, *tag;
	int		 n, fin, rc = -1;

	*out = NULL;
	*outlen = 0;
	if (ptlen > OIDC_SEAL_MAX_LEN || aadlen > OIDC_SEAL_MAX_AAD)
		return oidc_fail(err, OIDC_E_LIMIT, NULL, "seal: input too "
		    "large");
	if ((buf = oidc_arena_alloc(a, ptlen + OIDC_SEAL_OVERHEAD)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	buf[0] = OIDC_SEAL_VERSION;
	nonce = buf + 1;
	ct = nonce + OIDC_SEAL_NONCE_LEN;
	tag = ct + ptlen;
	if (oidc_random_bytes(nonce, OIDC_SEAL_NONCE_LEN, err) == -1)
		return -1;
	if ((c = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, OIDC_SEAL_NONCE_LEN,
	    NULL) != 1 ||
	    EVP_EncryptInit_ex(c, NULL, NULL, key, nonce) != 1 ||
	    add_aad(c, true, buf, aad, aadlen) == -1 ||
	    EVP_EncryptUpdate(c, ct, &n, pt, (int)ptlen) != 1 ||
	    EVP_EncryptFinal_ex(c, ct + n, &fin) != 1 ||
	    (size_t)n + (size_t)fin != ptlen ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, OIDC_SEAL_TAG_LEN,
	    tag) != 1) {
		oidc_fail_openssl(err, "seal: AES-256-GCM");
		goto out;
	}
	*out = buf;
	*outlen = ptlen + OIDC_SEAL_OVERHEAD;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(c);
	return rc;
}

int
oidc_seal_open(struct oidc_arena *a, const unsigned char key[OIDC_SEAL_KEY_LEN],
    const void *aad, size_t aadlen, const void *in, size_t inlen,
    unsigned char **out, size_t *outlen, struct oidc_error *err)
{
	const unsigned char	*b = in, *nonce, *ct, *tag;
	EVP_CIPHER_CTX		*c = NULL;
	unsigned char		*pt;
	size_t			 ctlen;
	int			 n, fin, rc = -1;

	*out = NULL;
	*outlen = 0;
	if (inlen > OIDC_SEAL_MAX_LEN + OIDC_SEAL_OVERHEAD ||
	    aadlen > OIDC_SEAL_MAX_AAD)
		return oidc_fail(err, OIDC_E_LIMIT, NULL, "seal: input too "
		    "large");
	/* One error for every way a blob can be bad: no oracle. */
	if (inlen < OIDC_SEAL_OVERHEAD || b[0] != OIDC_SEAL_VERSION)
		return oidc_fail(err, OIDC_E_CRYPTO, NULL, "seal: cannot open "
		    "(malformed)");
	nonce = b + 1;
	ct = nonce + OIDC_SEAL_NONCE_LEN;
	ctlen = inlen - OIDC_SEAL_OVERHEAD;
	tag = ct + ctlen;
	if ((pt = oidc_arena_alloc(a, ctlen + 1)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	if ((c = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, OIDC_SEAL_NONCE_LEN,
	    NULL) != 1 ||
	    EVP_DecryptInit_ex(c, NULL, NULL, key, nonce) != 1 ||
	    add_aad(c, false, b, aad, aadlen) == -1 ||
	    EVP_DecryptUpdate(c, pt, &n, ct, (int)ctlen) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, OIDC_SEAL_TAG_LEN,
	    (void *)(uintptr_t)tag) != 1) {
		oidc_fail_openssl(err, "seal: AES-256-GCM");
		goto out;
	}
	/*
	 * SECURITY: the tag is checked by EVP_DecryptFinal_ex; until it
	 * passes, the decrypted bytes are unauthenticated and are wiped
	 * rather than returned.
	 */
	if (EVP_DecryptFinal_ex(c, pt + n, &fin) != 1 ||
	    (size_t)n + (size_t)fin != ctlen) {
		oidc_wipe(pt, ctlen + 1);
		oidc_fail(err, OIDC_E_CRYPTO, NULL, "seal: cannot open "
		    "(wrong key or tampered)");
		goto out;
	}
	pt[ctlen] = '\0';
	*out = pt;
	*outlen = ctlen;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(c);
	return rc;
}

int
oidc_seal_key_parse(const char *buf, size_t len,
    unsigned char key[OIDC_SEAL_KEY_LEN], struct oidc_error *err)
{
	size_t	 i;

	if (len < 2 * OIDC_SEAL_KEY_LEN || oidc_hex_decode(buf,
	    2 * OIDC_SEAL_KEY_LEN, key, OIDC_SEAL_KEY_LEN) == -1)
		goto bad;
	for (i = 2 * OIDC_SEAL_KEY_LEN; i < len; i++)
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n' &&
		    buf[i] != '\r')
			goto bad;
	return 0;
bad:
	oidc_wipe(key, OIDC_SEAL_KEY_LEN);
	return oidc_fail(err, OIDC_E_CONFIG, NULL, "key_encryption_key: "
	    "must hold exactly 64 hexadecimal digits (openssl rand -hex 32)");
}

int
oidc_seal_key_load(const char *path, unsigned char key[OIDC_SEAL_KEY_LEN],
    struct oidc_error *err)
{
	char	 buf[KEY_FILE_MAX];
	size_t	 got;
	int	 rc;

	if (oidc_secret_file_read("key_encryption_key", path, buf, sizeof(buf),
	    &got, err) == -1)
		return -1;
	rc = oidc_seal_key_parse(buf, got, key, err);
	oidc_wipe(buf, sizeof(buf));
	return rc;
}

int
oidc_seal_key_derive(const unsigned char kek[OIDC_SEAL_KEY_LEN],
    const char *label, unsigned char out[OIDC_SEAL_KEY_LEN],
    struct oidc_error *err)
{
	EVP_KDF		*kdf = NULL;
	EVP_KDF_CTX	*kc = NULL;
	OSSL_PARAM	 params[4];
	int		 rc = -1;

	/*
	 * HKDF-SHA256 (RFC 5869) with no salt and the label as "info": one
	 * KEK, independent keys per purpose, none of them the KEK itself.
	 */
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)(uintptr_t)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (void *)(uintptr_t)kek, OIDC_SEAL_KEY_LEN);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
	    (void *)(uintptr_t)label, strlen(label));
	params[3] = OSSL_PARAM_construct_end();
	if ((kdf = EVP_KDF_fetch(NULL, "HKDF", NULL)) == NULL ||
	    (kc = EVP_KDF_CTX_new(kdf)) == NULL ||
	    EVP_KDF_derive(kc, out, OIDC_SEAL_KEY_LEN, params) != 1) {
		oidc_wipe(out, OIDC_SEAL_KEY_LEN);
		oidc_fail_openssl(err, "seal: HKDF");
		goto out;
	}
	rc = 0;
out:
	EVP_KDF_CTX_free(kc);
	EVP_KDF_free(kdf);
	return rc;
}
