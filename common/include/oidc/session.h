/*
 * session.h: the end-user's login session, CSRF protection and password
 * login with throttling, for the pages of the authorization endpoint.
 *
 * Session: a random 256-bit id in the cookie "oidc_session"
 * ("__Host-oidc_session" plus Secure under an https issuer), HttpOnly,
 * SameSite=Lax, Path=/; only its SHA-256 is stored; a new id at every login
 * (no fixation); the server-side expiry (session_ttl) is authoritative.
 * CSRF: a double-submit token, the cookie "oidc_csrf" (same attributes)
 * whose value every form repeats in the hidden field "csrf"; compared in
 * constant time.  Login: scrypt hashes; an unknown user costs the same as
 * a wrong password; failures are counted per (account, client address)
 * and per client address within login_window, never per account alone;
 * past the limit a pair or address waits 1, 2, 4, ... seconds (at most a
 * window) after its last failure, and attempts while it waits are refused
 * (OIDC_LOGIN_THROTTLED) without checking the password and without being
 * recorded.  The client address is req->client_addr (trusted_proxies).
 */
#ifndef OIDC_SESSION_H
#define OIDC_SESSION_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

struct oidc_ctx;
struct oidc_request;
struct oidc_response;
struct oidc_session_row;
struct oidc_consent_row;
struct oidc_client_row;

/* The live session of this browser: 1 found, 0 none, -1 error. */
OIDC_MUST_CHECK int	oidc_session_current(struct oidc_ctx *,
			    const struct oidc_request *,
			    struct oidc_session_row *, struct oidc_error *);

/*
 * oidc_session_current and, in the same database round trip, the consent
 * (scope and claims) the user gave client_id (*has_consent false: none).
 */
OIDC_MUST_CHECK int	oidc_session_current_consent(struct oidc_ctx *,
			    const struct oidc_request *, struct oidc_str client_id,
			    struct oidc_session_row *, bool *has_consent,
			    struct oidc_consent_row *consent, struct oidc_error *);

/*
 * The client client_id (*c, from its stored row) and, in the same round
 * trip, what oidc_session_current_consent reads (*has_session false: no
 * live session): the authorization endpoint's first read (issue 16).
 * 1, 0 no such client, -1 error.
 */
OIDC_MUST_CHECK int	oidc_session_client_consent(struct oidc_ctx *,
			    const struct oidc_request *, struct oidc_str client_id,
			    struct oidc_client_row *c, bool *has_session,
			    struct oidc_session_row *, bool *has_consent,
			    struct oidc_consent_row *consent, struct oidc_error *);

/*
 * Start a new session for the user and set its cookie; amr: the session's
 * amr values (RFC 8176) separated by spaces ("pwd"; "": none);
 * login_request: the digest of the authorization request that asked for
 * the login (NULL: none, see oidc_session_row).  0 or -1.
 */
OIDC_MUST_CHECK int	oidc_session_start(struct oidc_ctx *,
			    struct oidc_response *, int64_t user_id,
			    struct oidc_str sub, const char *amr,
			    const unsigned char *login_request,
			    struct oidc_session_row *, struct oidc_error *);

/* End this browser's session: delete it and expire the cookie.  0 or -1. */
OIDC_MUST_CHECK int	oidc_session_end(struct oidc_ctx *,
			    const struct oidc_request *, struct oidc_response *,
			    struct oidc_error *);

/*
 * The CSRF token of this browser; issues one (Set-Cookie) when absent.
 * Arena-owned.  NULL with err.
 */
const char	*oidc_csrf_token(struct oidc_ctx *, const struct oidc_request *,
		    struct oidc_response *, struct oidc_error *);

/* True if the form's csrf field equals the cookie (constant time). */
bool	oidc_csrf_ok(struct oidc_ctx *, const struct oidc_request *,
	    struct oidc_str form_value);

enum oidc_login_result {
	OIDC_LOGIN_OK,
	OIDC_LOGIN_BAD_CREDENTIALS,
	OIDC_LOGIN_THROTTLED
};

/*
 * Check username/password.  On OIDC_LOGIN_OK *user_id and *sub are set.
 * Failures are recorded (in the caller's transaction: commit it).  -1 on
 * internal errors.
 */
OIDC_MUST_CHECK int	oidc_login_check(struct oidc_ctx *,
			    const struct oidc_request *, struct oidc_str username,
			    struct oidc_str password, enum oidc_login_result *,
			    int64_t *user_id, struct oidc_str *sub,
			    struct oidc_error *);

#endif /* OIDC_SESSION_H */
