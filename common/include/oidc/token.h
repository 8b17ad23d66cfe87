/*
 * token.h: the token endpoint (RFC 6749 3.2, 4.1.3, 4.4, 5, 6; OIDC Core
 * 3.1.3, 12; RFC 7636 4.5-4.6).
 *
 * POST only, form body at most 16 KiB.  The client authenticates first
 * (oidc/clientauth.h); then grant_type selects authorization_code,
 * refresh_token or client_credentials:
 *   - authorization_code: the code is consumed and the tokens issued in one
 *     autocommit statement (two concurrent redemptions: exactly one wins;
 *     a sealed code's hash goes into used_code); only when that statement
 *     matched nothing does a transaction find out which rule failed.  A code
 *     used twice fails with invalid_grant and revokes every token issued
 *     from it; the code is bound to its client, its redirect_uri and its
 *     PKCE challenge (S256; a verifier without a challenge, or the reverse,
 *     fails).
 *   - refresh_token (one transaction): bound to its client, rotated on
 *     every use; reuse of a rotated token revokes its whole family; scope
 *     may narrow only.
 *   - client_credentials (one transaction): confidential clients, no ID
 *     Token, no refresh.
 * Success: {access_token, token_type "Bearer", expires_in, scope,
 * refresh_token?, id_token?} with Cache-Control: no-store.
 */
#ifndef OIDC_TOKEN_H
#define OIDC_TOKEN_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

struct oidc_code_row;
struct oidc_ctx;
struct oidc_request;
struct oidc_response;

int	oidc_token_handle(struct oidc_ctx *, const struct oidc_request *,
	    struct oidc_response *, struct oidc_error *);

/* RFC 7636 4.1 syntax: 43-128 characters of [A-Za-z0-9-._~]. */
bool	oidc_pkce_verifier_ok(struct oidc_str);

/* S256(verifier) == challenge, compared in constant time (RFC 7636 4.6). */
bool	oidc_pkce_matches(struct oidc_str verifier, struct oidc_str challenge);

/*
 * The redemption rules of a code (RFC 6749 4.1.3, RFC 7636 4.6), the one
 * place they are decided: issued to client_id, not expired, for this
 * redirect_uri (exact), and PKCE with no downgrade either way.  Used on a
 * sealed code's own data, and on a stored code's row when code_redeem
 * (which consumes only a row equal to what these rules accept, a
 * compare-and-set on values this file computes) matched nothing.  0, or
 * -1 with OIDC_E_INVALID_GRANT naming the first rule broken.
 */
OIDC_MUST_CHECK int	oidc_token_check_code(const struct oidc_code_row *,
			    bool expired, struct oidc_str client_id,
			    struct oidc_str redirect_uri, struct oidc_str verifier,
			    struct oidc_error *);

#endif /* OIDC_TOKEN_H */
