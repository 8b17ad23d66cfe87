/*
 * authorize.h: the authorization endpoint with its login and consent
 * pages (OIDC Core 3.1.2, 3.2.2, 3.3.2; RFC 6749 4.1, 4.2; RFC 7636;
 * OAuth 2.0 Multiple Response Types and Form Post Response Mode; RFC 9207;
 * JARM with `jarm = yes`, oidc/jarm.h).
 *
 * Validation order: client_id must name a registered client and
 * redirect_uri must equal one of its registered URIs byte for byte; until
 * both hold, every error is an HTML page and nothing is redirected.  After
 * that, errors go to the redirect_uri with error, error_description, state
 * and iss in the request's response mode (signed into one JWT, the
 * "response" parameter, in a JARM mode).
 * The login and consent forms post back to this endpoint and carry the
 * authorization parameters as hidden fields (no server-side pending state),
 * plus a CSRF token and an "action" (login or consent).
 * Login: the password page, or with login = remote_user (the provider's
 * or the client's) the web server's REMOTE_USER and no page at all
 * (oidc/remote_user.h, authorize_remote.c).
 * Consent: the page lists every scope value and every known claim asked
 * for one by one in the claims parameter (OIDC Core 5.5); the answer is
 * remembered per user and client as both sets (table consent), and a
 * stored consent covers a request only if it holds all of them.  The
 * consent form also carries what it listed ("consent_items"): an answer
 * to a request that asks for anything else (a request_uri object fetched
 * again) is refused.  First-party clients skip consent.
 * Codes are 256-bit random values stored as SHA-256, living code_ttl
 * seconds.  The nonce is stored with the code and a nonce the client used
 * before is refused.
 */
#ifndef OIDC_AUTHORIZE_H
#define OIDC_AUTHORIZE_H

#include "oidc/error.h"

struct oidc_ctx;
struct oidc_request;
struct oidc_response;

int	oidc_authorize_handle(struct oidc_ctx *, const struct oidc_request *,
	    struct oidc_response *, struct oidc_error *);
/*
 * Start-up (after the key_encryption_key is read): with `totp` on, the
 * key must be there, it seals the TOTP secrets (oidc/totp.h).  0, or -1
 * with OIDC_E_CONFIG.
 */
int	oidc_authorize_init(struct oidc_ctx *, struct oidc_error *);

#endif /* OIDC_AUTHORIZE_H */
