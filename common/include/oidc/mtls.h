/*
 * mtls.h: certificate-bound access and refresh tokens (RFC 8705 3, 4).
 *
 * The web server terminates TLS and forwards the client certificate as
 * the FastCGI parameter SSL_CLIENT_CERT (PEM, or URL-encoded PEM:
 * oidc/x5t.h); a request header never counts (it arrives as
 * HTTP_SSL_CLIENT_CERT), and a parameter given twice counts as absent
 * (oidc_request_env).  No PKI: the binding is to the certificate itself
 * (nginx ssl_verify_client optional_no_ca).
 *
 * With mtls_bound_tokens on, a token request with a certificate and no
 * DPoP proof gets its access token bound to the certificate's x5t#S256
 * (token_type stays Bearer), and a public client's refresh token too
 * (RFC 8705 4); with a DPoP proof, the tokens are DPoP-bound only.  A
 * client registered with tls_client_certificate_bound_access_tokens
 * must present a certificate at the token endpoint (invalid_request).
 * A bound token is then taken by UserInfo, and a bound refresh token by
 * the token endpoint, only with the same certificate.
 */
#ifndef OIDC_MTLS_H
#define OIDC_MTLS_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"
#include "oidc/x5t.h"

struct oidc_arena;
struct oidc_ctx;
struct oidc_json;
struct oidc_request;

#define OIDC_MTLS_PARAM	"SSL_CLIENT_CERT"

/*
 * The presented certificate's x5t#S256 into *x5t (arena-owned): 1,
 * 0 none (*x5t NULL), -1 with err invalid_request (not a certificate).
 */
OIDC_MUST_CHECK int	oidc_mtls_cert(struct oidc_arena *,
			    const struct oidc_request *, struct oidc_str *x5t,
			    struct oidc_error *);

/*
 * UserInfo: a token bound to `bound` (NULL: unbound, 0) needs the same
 * certificate presented: else -1 with err invalid_token.
 */
OIDC_MUST_CHECK int	oidc_mtls_resource_check(struct oidc_arena *,
			    const struct oidc_request *, struct oidc_str bound,
			    struct oidc_error *);

/*
 * A refresh token bound to `bound` needs the certificate `presented`
 * (NULL: none) to be the same: else -1 with err invalid_grant.
 */
OIDC_MUST_CHECK int	oidc_mtls_refresh_ok(struct oidc_str bound,
			    struct oidc_str presented, struct oidc_error *);

/* Introspection: cnf {"x5t#S256": ...} when bound.  0 or -1. */
OIDC_MUST_CHECK int	oidc_mtls_introspect(struct oidc_arena *,
			    struct oidc_json *, struct oidc_str x5t,
			    struct oidc_error *);

#endif
