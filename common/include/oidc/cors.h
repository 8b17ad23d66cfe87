/*
 * cors.h: cross-origin reads of the token and UserInfo endpoints by
 * browser-based clients (Fetch standard CORS).
 *
 * An Origin is allowed when it is exactly the origin (scheme://host[:port])
 * of one of the client's registered redirect URIs.  Preflights (OPTIONS)
 * carry no credentials, so they are answered for any origin that some
 * registered client uses; the real request is then checked against its
 * own client.  Credentials (cookies) are never allowed cross-origin.
 * An allowed Origin is kept in the response (cors_origin), so an error
 * raised after the check carries the same headers (response.c).
 *
 * Which origins are allowed is decided here: oidc_cors_origin_of() of the
 * client's redirect URIs (from its metadata, parsed by client.c), compared
 * with an Origin that oidc_cors_origin_ok() accepts.  The preflight has
 * no client: it looks the accepted origin up in the origins each client
 * write stored (oidc_client_row_set_metadata, from the same function;
 * stmt.c, client_origin_known).
 *
 * Limits: OIDC_CORS_MAX_ORIGIN bytes of Origin.
 */
#ifndef OIDC_CORS_H
#define OIDC_CORS_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

#define OIDC_CORS_MAX_ORIGIN	512

struct oidc_ctx;
struct oidc_request;
struct oidc_response;

/*
 * The origin part of an absolute URI: scheme "://" and what follows up to
 * the first '/', '?' or '#'.  NULL when uri has no "://".
 */
struct oidc_str	oidc_cors_origin_of(struct oidc_str uri);

/*
 * An Origin header that may be allowed: printable ASCII, at most
 * OIDC_CORS_MAX_ORIGIN bytes, and a serialized origin (RFC 6454 6.2:
 * scheme "://" host [":" port], nothing after).
 */
bool		oidc_cors_origin_ok(struct oidc_str origin);

/* Add Access-Control-Allow-Origin when origin matches one of the URIs. */
OIDC_MUST_CHECK int	oidc_cors_allow(struct oidc_ctx *,
			    struct oidc_response *, struct oidc_str origin,
			    const struct oidc_str *uris, size_t n,
			    struct oidc_error *);

/* Answer an OPTIONS preflight: 204, with the CORS headers if allowed. */
OIDC_MUST_CHECK int	oidc_cors_preflight(struct oidc_ctx *,
			    const struct oidc_request *, struct oidc_response *,
			    const char *methods, struct oidc_error *);

#endif /* OIDC_CORS_H */
