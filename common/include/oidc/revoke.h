/*
 * revoke.h: token revocation (RFC 7009) and introspection (RFC 7662).
 *
 * Both are POST endpoints with client authentication as at the token
 * endpoint (oidc/clientauth.h).
 * Revocation: the token (access or refresh; token_type_hint is accepted
 * but not trusted: the token is looked up whatever its kind) is revoked
 * only if it belongs to the authenticated client; a refresh token takes
 * every token of its grant with it.  Unknown, foreign and already revoked
 * tokens all answer 200 with an empty body, so the endpoint is no oracle.
 * Introspection: only the token's own client, or a client registered with
 * "resource_server": true, learns about a token; everyone else, and every
 * inactive token, gets {"active": false} and nothing else.
 * A database failure is 503, never a false 200.
 */
#ifndef OIDC_REVOKE_H
#define OIDC_REVOKE_H

#include "oidc/error.h"

struct oidc_ctx;
struct oidc_request;
struct oidc_response;

int	oidc_revoke_handle(struct oidc_ctx *, const struct oidc_request *,
	    struct oidc_response *, struct oidc_error *);
int	oidc_introspect_handle(struct oidc_ctx *, const struct oidc_request *,
	    struct oidc_response *, struct oidc_error *);

#endif /* OIDC_REVOKE_H */
