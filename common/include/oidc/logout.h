/*
 * logout.h: RP-Initiated Logout 1.0 (the end_session_endpoint).
 *
 * GET or POST with id_token_hint, logout_hint, client_id,
 * post_logout_redirect_uri, state, ui_locales.  The id_token_hint must be
 * an ID Token we signed (expired ones are fine, section 2); its aud must
 * contain client_id when both are given.  post_logout_redirect_uri must
 * equal one of the client's registered post_logout_redirect_uris byte for
 * byte, and needs client_id or id_token_hint to name the client; otherwise
 * an HTML error page, never a redirect.  When the hint's sub is the
 * signed-in user, the session ends at once; when the request cannot be tied
 * to the session, a confirmation page asks first (CSRF-protected).  Then
 * the user lands on post_logout_redirect_uri (with state) or on a "signed
 * out" page.
 */
#ifndef OIDC_LOGOUT_H
#define OIDC_LOGOUT_H

#include "oidc/error.h"

struct oidc_ctx;
struct oidc_request;
struct oidc_response;

int	oidc_logout_handle(struct oidc_ctx *, const struct oidc_request *,
	    struct oidc_response *, struct oidc_error *);

#endif /* OIDC_LOGOUT_H */
