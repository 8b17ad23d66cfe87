/*
 * x5t.c: the x5t#S256 of a forwarded client certificate (see
 * oidc/x5t.h).
 */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "oidc/b64url.h"
#include "oidc/crypto.h"
#include "oidc/x5t.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode in into out (as long as in); length or -1. */
static long
unescape(const char *in, size_t len, char *out)
{
	size_t	 i, n = 0;
	int	 h, l;

	for (i = 0; i < len; i++) {
		if (in[i] != '%') {
			out[n++] = in[i];
			continue;
		}
		if (len - i < 3 || (h = hexval(in[i + 1])) < 0 ||
		    (l = hexval(in[i + 2])) < 0)
			return -1;
		out[n++] = (char)(h << 4 | l);
		i += 2;
	}
	return (long)n;
}

static bool
only_space(const char *p, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (strchr(" \t\r\n", p[i]) == NULL || p[i] == '\0')
			return false;
	return true;
}

/* The DER's SHA-256 of the one PEM certificate in pem[0..len). */
static int
der_hash(const char *pem, size_t len, unsigned char h[OIDC_SHA256_LEN],
    struct oidc_error *err)
{
	BIO		*b;
	X509		*x = NULL;
	unsigned char	*der = NULL;
	int		 n, rc = -1;
	long		 rest;
	char		*tail;

	if ((b = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "BIO_new_mem_buf");
	if ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) == NULL) {
		oidc_fail(err, OIDC_E_INVALID_REQUEST, "the client "
		    "certificate is not a PEM certificate", "x5t: PEM");
		goto out;
	}
	rest = BIO_get_mem_data(b, &tail);
	if (rest < 0 || !only_space(tail, (size_t)rest)) {
		oidc_fail(err, OIDC_E_INVALID_REQUEST, "the client "
		    "certificate is followed by other data", "x5t: trailer");
		goto out;
	}
	if ((n = i2d_X509(x, &der)) <= 0) {
		oidc_fail(err, OIDC_E_INVALID_REQUEST, "the client "
		    "certificate cannot be encoded", "x5t: DER");
		goto out;
	}
	rc = oidc_sha256(der, (size_t)n, h, err);
out:
	ERR_clear_error();
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(b);
	return rc;
}

int
oidc_x5t_s256(const char *buf, size_t len, char out[OIDC_X5T_LEN + 1],
    struct oidc_error *err)
{
	char		 pem[OIDC_X5T_MAX_INPUT];
	unsigned char	 h[OIDC_SHA256_LEN];
	long		 n;

	out[0] = '\0';
	if (len == 0 || len > OIDC_X5T_MAX_INPUT)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST, "the client "
		    "certificate is empty or too long", "x5t: length %zu",
		    len);
	if (memchr(buf, '\0', len) != NULL ||
	    (n = unescape(buf, len, pem)) < 0 ||
	    memchr(pem, '\0', (size_t)n) != NULL)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST, "the client "
		    "certificate is badly escaped", "x5t: escape");
	if (der_hash(pem, (size_t)n, h, err) == -1)
		return -1;
	oidc_b64url_encode_to(out, h, sizeof(h));
	return 0;
}
