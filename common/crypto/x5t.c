/*
 * x5t.c: the x5t#S256 of a forwarded client certificate (see
 * oidc/x5t.h).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

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

/* The one PEM certificate in pem[0..len) into *out. */
static int
read_pem(const char *pem, size_t len, X509 **out, struct oidc_error *err)
{
	BIO	*b;
	X509	*x;
	long	 rest;
	char	*tail;
	int	 rc = -1;

	*out = NULL;
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
		X509_free(x);
		goto out;
	}
	*out = x;
	rc = 0;
out:
	ERR_clear_error();
	BIO_free(b);
	return rc;
}

/*
 * The forwarded certificate in buf[0..len) (PEM or URL-encoded PEM, the
 * limits of oidc/x5t.h) into *out, freed by the caller.
 */
static int
read_cert(const char *buf, size_t len, X509 **out, struct oidc_error *err)
{
	char	 pem[OIDC_X5T_MAX_INPUT];
	long	 n;

	*out = NULL;
	if (len == 0 || len > OIDC_X5T_MAX_INPUT)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST, "the client "
		    "certificate is empty or too long", "x5t: length %zu",
		    len);
	if (memchr(buf, '\0', len) != NULL ||
	    (n = unescape(buf, len, pem)) < 0 ||
	    memchr(pem, '\0', (size_t)n) != NULL)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST, "the client "
		    "certificate is badly escaped", "x5t: escape");
	return read_pem(pem, (size_t)n, out, err);
}

int
oidc_x5t_s256(const char *buf, size_t len, char out[OIDC_X5T_LEN + 1],
    struct oidc_error *err)
{
	unsigned char	 h[OIDC_SHA256_LEN];
	unsigned char	*der = NULL;
	X509		*x;
	int		 n, rc;

	out[0] = '\0';
	if (read_cert(buf, len, &x, err) == -1)
		return -1;
	if ((n = i2d_X509(x, &der)) <= 0) {
		ERR_clear_error();
		X509_free(x);
		return oidc_fail(err, OIDC_E_INVALID_REQUEST, "the client "
		    "certificate cannot be encoded", "x5t: DER");
	}
	rc = oidc_sha256(der, (size_t)n, h, err);
	OPENSSL_free(der);
	X509_free(x);
	if (rc == -1)
		return -1;
	oidc_b64url_encode_to(out, h, sizeof(h));
	return 0;
}

/* One subjectAltName entry against want. */
static bool
san_eq(const GENERAL_NAME *g, enum oidc_san kind, const char *want,
    size_t wlen)
{
	unsigned char	 ip[16];
	const unsigned char *p;
	char		 tmp[64];
	int		 n, type;

	type = kind == OIDC_SAN_DNS ? GEN_DNS : kind == OIDC_SAN_EMAIL ?
	    GEN_EMAIL : kind == OIDC_SAN_URI ? GEN_URI : GEN_IPADD;
	if (g->type != type)
		return false;
	p = ASN1_STRING_get0_data(g->d.ia5);
	n = ASN1_STRING_length(g->d.ia5);
	if (n < 0)
		return false;
	if (kind == OIDC_SAN_IP) {
		if (wlen >= sizeof(tmp))
			return false;
		memcpy(tmp, want, wlen);
		tmp[wlen] = '\0';
		if (n == 4 && inet_pton(AF_INET, tmp, ip) == 1)
			return memcmp(ip, p, 4) == 0;
		if (n == 16 && inet_pton(AF_INET6, tmp, ip) == 1)
			return memcmp(ip, p, 16) == 0;
		return false;
	}
	if ((size_t)n != wlen || memchr(p, '\0', (size_t)n) != NULL)
		return false;
	/* DNS names compare without case (RFC 4343); the others exactly. */
	if (kind == OIDC_SAN_DNS)
		return strncasecmp((const char *)p, want, wlen) == 0;
	return memcmp(p, want, wlen) == 0;
}

int
oidc_x5t_san_match(const char *buf, size_t len, enum oidc_san kind,
    const char *want, size_t wlen, struct oidc_error *err)
{
	GENERAL_NAMES	*names;
	X509		*x;
	int		 i, found = 0;

	if (read_cert(buf, len, &x, err) == -1)
		return -1;
	names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (i = 0; names != NULL && i < sk_GENERAL_NAME_num(names); i++)
		if (san_eq(sk_GENERAL_NAME_value(names, i), kind, want, wlen))
			found = 1;
	GENERAL_NAMES_free(names);
	X509_free(x);
	ERR_clear_error();
	return found;
}
