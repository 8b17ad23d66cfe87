/*
 * tlsauth.h: client authentication by TLS certificate (RFC 8705 2), with
 * mtls_client_auth on.  The client sends its client_id in the body and
 * no other credential; the web server terminates TLS and passes, as
 * FastCGI parameters only (a request header never counts, a parameter
 * given twice counts as absent: oidc_request_env):
 *
 *   SSL_CLIENT_CERT    the certificate (oidc/x5t.h, oidc/mtls.h)
 *   SSL_CLIENT_VERIFY  "SUCCESS" when the web server verified its chain
 *                      against its client CAs (nginx $ssl_client_verify)
 *   SSL_CLIENT_S_DN    its subject DN in RFC 4514 form (nginx
 *                      $ssl_client_s_dn), at most OIDC_TLSAUTH_MAX_DN
 *
 * tls_client_auth (2.1, PKI): SSL_CLIENT_VERIFY is SUCCESS, and the
 * client's one tls_client_auth_* member matches: subject_dn equals
 * SSL_CLIENT_S_DN byte for byte (no RFC 4517 DN matching: register the
 * DN as the web server writes it); san_dns (without case), san_uri,
 * san_email (exactly) or san_ip (the address) is one of the
 * certificate's subjectAltName entries of that kind (oidc_x5t_san_match).
 *
 * self_signed_tls_client_auth (2.2): the certificate's x5t#S256 is that
 * of the x5c[0] of a key of the registered "jwks" (by value; jwks_uri is
 * not supported for this method).  No chain check.
 *
 * Any failure is OIDC_E_INVALID_CLIENT.
 */
#ifndef OIDC_TLSAUTH_H
#define OIDC_TLSAUTH_H

#include "oidc/cdefs.h"
#include "oidc/error.h"

#define OIDC_TLSAUTH_VERIFY_PARAM	"SSL_CLIENT_VERIFY"
#define OIDC_TLSAUTH_DN_PARAM		"SSL_CLIENT_S_DN"
#define OIDC_TLSAUTH_MAX_DN		1024
/* At most this many keys of a self-signed client's jwks are tried. */
#define OIDC_TLSAUTH_MAX_KEYS		16

struct oidc_client;
struct oidc_ctx;
struct oidc_json;
struct oidc_request;

/*
 * Authenticate client c, registered with one of the two methods, by the
 * request's certificate.  0, or -1 with err.
 */
OIDC_MUST_CHECK int	oidc_tlsauth_check(struct oidc_ctx *,
			    const struct oidc_request *,
			    const struct oidc_client *, struct oidc_error *);

/*
 * Registration rules (oidc_client_normalize): tls_client_auth needs
 * exactly one tls_client_auth_* member, a string of
 * 1..OIDC_TLSAUTH_MAX_DN bytes;
 * self_signed_tls_client_auth needs "jwks" with a key holding an x5c
 * whose every first certificate parses (oidc_x5c_s256).  0, or -1 with
 * err OIDC_E_INVALID_CLIENT_METADATA.
 */
OIDC_MUST_CHECK int	oidc_tlsauth_normalize(const struct oidc_json *,
			    struct oidc_error *);

#endif
