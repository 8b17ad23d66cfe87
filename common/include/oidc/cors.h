/*
 * cors.h: cross-origin reads of the token and UserInfo endpoints by
 * browser-based clients (Fetch standard CORS).
 *
 * An Origin is allowed when it is exactly the origin (scheme://host[:port])
 * of one of the client's registered redirect URIs.  Preflights (OPTIONS)
 * carry no credentials, so they are answered for any origin that some
 * registered client uses; the real request is then checked against its
 * own client.  Credentials (cookies) are never allowed cross-origin.
 */
#ifndef OIDC_CORS_H
#define OIDC_CORS_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

struct oidc_ctx;
struct oidc_request;
struct oidc_response;

/* Add Access-Control-Allow-Origin when origin matches one of the URIs. */
OIDC_MUST_CHECK int	oidc_cors_allow(struct oidc_ctx *,
			    struct oidc_response *, struct oidc_str origin,
			    const struct oidc_str *uris, size_t n,
			    struct oidc_error *);

/* The same with the URIs as a JSON array text (as stored). */
OIDC_MUST_CHECK int	oidc_cors_allow_json(struct oidc_ctx *,
			    struct oidc_response *, struct oidc_str origin,
			    struct oidc_str uris_json, struct oidc_error *);

/* Answer an OPTIONS preflight: 204, with the CORS headers if allowed. */
OIDC_MUST_CHECK int	oidc_cors_preflight(struct oidc_ctx *,
			    const struct oidc_request *, struct oidc_response *,
			    const char *methods, struct oidc_error *);

#endif /* OIDC_CORS_H */
