/*
 * discovery.h: the provider metadata (OpenID Connect Discovery 1.0 3,
 * RFC 8414 2) and the JWKS document (RFC 7517 5).
 *
 * Both documents are rendered once at start-up from the configuration and
 * the signing keys (the binaries then drop the keys: they hold no secret)
 * and served with an ETag and Cache-Control max-age; If-None-Match gives
 * 304.  The metadata advertises only what the code implements.
 */
#ifndef OIDC_DISCOVERY_H
#define OIDC_DISCOVERY_H

#include "oidc/error.h"

struct oidc_ctx;
struct oidc_request;
struct oidc_response;

#define OIDC_DISCOVERY_MAX_AGE	300

int	oidc_discovery_init(struct oidc_ctx *, struct oidc_error *);
int	oidc_jwks_init(struct oidc_ctx *, struct oidc_error *);
void	oidc_static_doc_fini(struct oidc_ctx *);
/* Serve the document rendered by the init function. */
int	oidc_static_doc_handle(struct oidc_ctx *, const struct oidc_request *,
	    struct oidc_response *, struct oidc_error *);

#endif /* OIDC_DISCOVERY_H */
