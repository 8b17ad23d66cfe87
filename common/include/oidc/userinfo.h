/*
 * userinfo.h: the UserInfo endpoint (OIDC Core 5.3, RFC 6750).
 *
 * GET or POST.  The access token comes from "Authorization: Bearer" or,
 * for POST, the form field access_token (RFC 6750 2.2) — never both, and
 * never from the query string.  No token: 401 with a bare
 * "WWW-Authenticate: Bearer" challenge; an invalid, expired or revoked
 * token: 401 error="invalid_token"; a token without openid (or without a
 * user): 403 error="insufficient_scope".  The body holds sub and the
 * claims the granted scopes release (OIDC Core 5.4) plus those the claims
 * request parameter named for userinfo (5.5).  With a registered
 * userinfo_signed_response_alg the body is a signed JWT (application/jwt)
 * with iss and aud.  Cross-origin reads are allowed for the origins of the
 * client's registered redirect URIs.
 */
#ifndef OIDC_USERINFO_H
#define OIDC_USERINFO_H

#include "oidc/error.h"

struct oidc_ctx;
struct oidc_request;
struct oidc_response;

int	oidc_userinfo_handle(struct oidc_ctx *, const struct oidc_request *,
	    struct oidc_response *, struct oidc_error *);

#endif /* OIDC_USERINFO_H */
