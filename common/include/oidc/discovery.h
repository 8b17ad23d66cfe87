/*
 * discovery.h: the provider metadata (OpenID Connect Discovery 1.0 3,
 * RFC 8414 2) and the JWKS document (RFC 7517 5).
 *
 * Both documents are rendered at start-up from the configuration and the
 * public keys (these binaries hold no private key: OIDC_NEED_PUBLIC_KEYS)
 * and rendered again whenever the keystore's view changes (a key
 * published, activated, retired or expired: oidc/keystore.h), so the JWKS
 * and *_signing_alg_values_supported follow rotations without a restart.
 * Served with an ETag (a hash of the body) and Cache-Control max-age;
 * If-None-Match gives 304.  The metadata advertises only what the code
 * implements.
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
