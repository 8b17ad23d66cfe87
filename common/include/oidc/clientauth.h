/*
 * clientauth.h: client authentication at the token endpoint (and later at
 * revocation and introspection): RFC 6749 2.3, OIDC Core 9, RFC 7523.
 *
 * Exactly one method per request: HTTP Basic (client_secret_basic), form
 * client_id + client_secret (client_secret_post), a client_assertion JWT
 * (client_secret_jwt with HS*, private_key_jwt with the client's registered
 * "jwks"), or a bare client_id for public clients (none) and for the
 * certificate methods tls_client_auth and self_signed_tls_client_auth
 * (RFC 8705 2, oidc/tlsauth.h).  The method used
 * must be the one the client registered.  Secrets are compared as SHA-256
 * digests in constant time; an unknown client costs the same work as a
 * wrong secret.  Assertions: iss = sub = client_id, aud is the token
 * endpoint or the issuer, exp required (and not more than an hour ahead),
 * jti required and used once (remembered until exp), at most
 * OIDC_ASSERTION_MAX_LEN bytes, keys only from the client's registration,
 * never from the token.  Failures are OIDC_E_INVALID_CLIENT (401, with a
 * Basic challenge when Basic was tried); a malformed mix is
 * OIDC_E_INVALID_REQUEST.
 */
#ifndef OIDC_CLIENTAUTH_H
#define OIDC_CLIENTAUTH_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

#define OIDC_ASSERTION_MAX_LEN	(8 * 1024)
#define OIDC_ASSERTION_MAX_AHEAD	3600	/* exp at most an hour ahead */
#define OIDC_ASSERTION_MAX_JTI	256

struct oidc_client;
struct oidc_ctx;
struct oidc_request;
struct oidc_response;

/*
 * Authenticate the client of a token-endpoint style request.  `endpoint`
 * is this endpoint's URL (an accepted assertion audience).  0 with *client
 * filled, or -1.  Sets resp->basic_auth_tried when Basic was used.
 */
OIDC_MUST_CHECK int	oidc_client_authenticate(struct oidc_ctx *,
			    const struct oidc_request *, struct oidc_response *,
			    const char *endpoint, struct oidc_client *,
			    struct oidc_error *);

struct oidc_json;
struct oidc_keyset;

/*
 * The claims rules of a verified client assertion (clientauth_rules.c):
 * iss = sub = client_id; aud names `endpoint` or the issuer; exp present
 * and at most OIDC_ASSERTION_MAX_AHEAD seconds ahead (expiry itself is
 * the verifier's); jti of 1..OIDC_ASSERTION_MAX_JTI bytes.  NULL with
 * *exp and *jti set, or what is wrong.  The jti ledger is the caller's.
 */
const char	*oidc_clientauth_assertion_claims(struct oidc_ctx *,
		    struct oidc_str client_id, const struct oidc_json *claims,
		    const char *endpoint, int64_t *exp, struct oidc_str *jti);

/*
 * The client's own verification keys: its secret as an oct key when
 * `symmetric`, else its registered "jwks" (never keys named in a token).
 * Freed with the request arena.  NULL with err (OIDC_E_INVALID_CLIENT when
 * the client has none).
 */
struct oidc_keyset	*oidc_client_keys(struct oidc_ctx *,
			    const struct oidc_client *, bool symmetric,
			    struct oidc_error *);

#endif /* OIDC_CLIENTAUTH_H */
