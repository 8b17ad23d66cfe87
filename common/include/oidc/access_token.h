/*
 * access_token.h: what an access token looks like (access_token_format):
 * an opaque random value, or a JWT (RFC 9068, typ "at+jwt").
 *
 * Both kinds have one row in the token table, keyed by a SHA-256 token
 * hash H, and every endpoint that takes an access token (UserInfo,
 * introspection, revocation) finds that row: revoking a token, or its
 * grant, marks it, whatever its format.
 *   - opaque: the value is random, H = SHA-256(value);
 *   - jwt: the row's random value is never sent; H is made the same way
 *     and the JWT's "jti" is base64url(H) (43 characters).  A JWT
 *     presented back is verified first (signature by one of our keys,
 *     typ at+jwt, iss, exp), then its jti names the row: the row is the
 *     deny-list entry keyed by jti that revocation marks.  A jti alone,
 *     or a JWT not signed by us, matches nothing.
 * Third-party resource servers that verify the JWT themselves cannot see
 * a revocation: for them the token stays valid until its exp (keep
 * access_token_ttl short, or have them introspect).
 *
 * The JWT (RFC 9068 2.2): iss, sub (the user's subject as the client sees
 * it; the client_id for client_credentials), aud (the resource
 * indicators, oidc/resource.h; without any, the provider's UserInfo URL:
 * our only resource server), client_id, scope, jti, exp,
 * iat, auth_time (user grants), cnf.jkt when DPoP-bound (RFC 9449 6.1),
 * cnf.x5t#S256 when certificate-bound (RFC 8705 3.1).
 * Signed RS256 (RFC 9068 4 makes RS256 the one resource servers must
 * support) with the provider's signing key, header typ "at+jwt".
 *
 * Limits: a presented token is at most OIDC_AT_MAX_LEN bytes (longer:
 * matches nothing).
 */
#ifndef OIDC_ACCESS_TOKEN_H
#define OIDC_ACCESS_TOKEN_H

#include <stdbool.h>
#include <stdint.h>

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

#define OIDC_AT_MAX_LEN		4096
#define OIDC_AT_JTI_LEN		43

struct oidc_client;
struct oidc_config;
struct oidc_ctx;
struct oidc_resources;

/* A JWT access token's contents, beyond the provider's own. */
struct oidc_at_claims {
	const struct oidc_client *client;
	struct oidc_str		 sub;		/* local sub; NULL: no user */
	struct oidc_str		 scope;
	int64_t			 auth_time;	/* 0: none */
	struct oidc_str		 jkt;		/* DPoP thumbprint or NULL */
	struct oidc_str		 x5t;		/* RFC 8705 x5t#S256 or NULL */
	const unsigned char	*hash;		/* the row's token hash */
	/* Resource indicators (oidc/resource.h, loaded) or NULL. */
	const struct oidc_resources *res;
	int64_t			 ttl;		/* 0: access_token_ttl */
};

/*
 * True when the client's access tokens are JWTs: its "access_token_format"
 * metadata member, else the configuration's access_token_format.
 */
bool	oidc_at_is_jwt(const struct oidc_config *,
	    const struct oidc_client *);

/* The same for a token for resources res (NULL: none): theirs first. */
bool	oidc_at_is_jwt_for(const struct oidc_config *,
	    const struct oidc_client *, const struct oidc_resources *res);

/*
 * The value to hand out for the access token whose row has `in->hash`:
 * unchanged (*token, the opaque value) for an opaque client, else the
 * signed JWT.  0, or -1 with err set (OIDC_E_NO_KEY without an RS256
 * key).
 */
OIDC_MUST_CHECK int	oidc_at_finish(struct oidc_ctx *,
			    const struct oidc_at_claims *in, const char **token,
			    struct oidc_error *);

/*
 * The token hash of a presented access token tok (see above): SHA-256 of
 * an opaque value, the jti of a JWT that verifies; all zeroes (matches
 * nothing) for a JWT that does not, or a token over OIDC_AT_MAX_LEN.
 * 0, or -1 with err set (internal trouble only).
 */
OIDC_MUST_CHECK int	oidc_at_presented_hash(struct oidc_ctx *,
			    struct oidc_str tok, unsigned char *h,
			    struct oidc_error *);

#endif /* OIDC_ACCESS_TOKEN_H */
