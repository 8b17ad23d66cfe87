/*
 * x5t.h: the X.509 certificate thumbprint of RFC 8705 3.1 (x5t#S256) of
 * a client certificate forwarded by the web server.
 *
 * The input is untrusted bytes (a FastCGI parameter): PEM ("-----BEGIN
 * CERTIFICATE-----", lighttpd's SSL_CLIENT_CERT) or the same PEM URL-
 * encoded (nginx's $ssl_client_escaped_cert: %XX escapes; PEM itself
 * never holds '%').  At most OIDC_X5T_MAX_INPUT bytes; one certificate
 * (the first PEM block: text before it is skipped, as OpenSSL's PEM
 * reader does), nothing but whitespace after it.  No chain or PKI check:
 * RFC 8705 certificate-bound tokens bind to the certificate itself.
 */
#ifndef OIDC_X5T_H
#define OIDC_X5T_H

#include <stddef.h>

#include "oidc/cdefs.h"
#include "oidc/error.h"

#define OIDC_X5T_MAX_INPUT	16384
/* base64url of a SHA-256 (43 characters) and a NUL. */
#define OIDC_X5T_LEN		43

/*
 * The base64url SHA-256 of the certificate's DER into out (NUL-
 * terminated).  0, or -1 with err OIDC_E_INVALID_REQUEST (not one
 * certificate, over the limit, bad escape) or OIDC_E_NOMEM/CRYPTO.
 */
OIDC_MUST_CHECK int	oidc_x5t_s256(const char *, size_t,
			    char out[OIDC_X5T_LEN + 1], struct oidc_error *);

/* The subjectAltName kinds of RFC 8705 2.1.2. */
enum oidc_san {
	OIDC_SAN_DNS,
	OIDC_SAN_URI,
	OIDC_SAN_IP,
	OIDC_SAN_EMAIL
};

/*
 * RFC 8705 2.1.2 (tls_client_auth): whether the forwarded certificate
 * (as oidc_x5t_s256 reads it) has a subjectAltName entry of `kind` equal
 * to want[0..wlen): dNSName without case, uniformResourceIdentifier and
 * rfc822Name exactly, iPAddress as the address want names (IPv4 dotted
 * or IPv6 text).  1 yes, 0 no, -1 with err (not one certificate).
 */
OIDC_MUST_CHECK int	oidc_x5t_san_match(const char *, size_t,
			    enum oidc_san kind, const char *want, size_t wlen,
			    struct oidc_error *);

/*
 * RFC 8705 2.2 (self_signed_tls_client_auth): the x5t#S256 of a
 * registered JWK's x5c[0], strict standard base64 of one DER
 * certificate (untrusted: client metadata), at most OIDC_X5C_MAX_INPUT
 * characters; the DER must be exactly one certificate.  0, or -1 with
 * err OIDC_E_INVALID_CLIENT_METADATA.
 */
#define OIDC_X5C_MAX_INPUT	16384
OIDC_MUST_CHECK int	oidc_x5c_s256(const char *, size_t,
			    char out[OIDC_X5T_LEN + 1], struct oidc_error *);

#endif
