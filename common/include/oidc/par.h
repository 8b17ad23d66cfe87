/*
 * par.h: Pushed Authorization Requests (RFC 9126), par.fcgi at /par.
 *
 * The client authenticates as at /token (oidc/clientauth.h, the endpoint
 * URL /par or the issuer as an assertion audience) and posts the
 * authorization parameters, or a request object in "request"; they go
 * through /authorize's own rules (authorize_check.c: a request object
 * verified and merged by oidc/reqobj.h, a registered redirect_uri, then
 * oidc_authz_check_params()), and every failure is a JSON 400 with the
 * error /authorize would have given (401 invalid_client for the client
 * authentication).  A "request_uri" parameter is refused (RFC 9126 2.1).
 * With a request object only its members count (RFC 9126 3, RFC 9101 5):
 * the form's other parameters are ignored, unlike /authorize's merge.
 * The accepted parameters (the authorization parameters of
 * oidc_authz_params[], request object members merged in, client_id the
 * authenticated client's) are stored, form-encoded, under SHA-256 of a
 * 256-bit random reference; the answer is 201 with
 * {"request_uri": OIDC_PAR_URN "<reference>", "expires_in": par_ttl}.
 *
 * /authorize redeems such a request_uri exactly once (oidc_par_redeem:
 * one UPDATE, any worker on any host), for the client_id of its query,
 * and then uses the pushed parameters only (RFC 9126 4): the query's other
 * parameters are ignored.  An unknown, used, expired or other client's
 * request_uri is invalid_request_uri.  With `par_required`, or a client's
 * require_pushed_authorization_requests, /authorize refuses a request that
 * was not pushed (invalid_request), except the login and consent pages'
 * own posts, which carry the pushed parameters (with their CSRF token).
 *
 * Limits: the request body at most 64 KiB (par.fcgi max_body); the encoded
 * parameters at most OIDC_FORM_MAX_LEN; a request_uri is OIDC_PAR_URN and
 * OIDC_PAR_REF_LEN base64url characters.
 */
#ifndef OIDC_PAR_H
#define OIDC_PAR_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

#define OIDC_PAR_URN		"urn:ietf:params:oauth:request_uri:"
#define OIDC_PAR_REF_LEN	43	/* base64url of 32 random bytes */

struct oidc_ctx;
struct oidc_params;
struct oidc_request;
struct oidc_response;

/* Does buf[0..len) begin with OIDC_PAR_URN (a pushed request's URI)? */
bool	oidc_par_is_urn(const char *buf, size_t len);

/*
 * Parse a request_uri of ours, buf[0..len) (untrusted, any bytes):
 * OIDC_PAR_URN then exactly OIDC_PAR_REF_LEN base64url characters.  0 with
 * *ref pointing at the reference inside buf, or -1 with
 * OIDC_E_INVALID_REQUEST_URI.
 */
OIDC_MUST_CHECK int	oidc_par_uri_parse(const char *buf, size_t len,
			    struct oidc_str *ref, struct oidc_error *);

/*
 * Redeem the pushed request `uri` of client_id, once: 0 with *out the
 * pushed parameters (arena-owned), or -1 (OIDC_E_INVALID_REQUEST_URI
 * when it is malformed, unknown, used, expired or another client's).
 */
OIDC_MUST_CHECK int	oidc_par_redeem(struct oidc_ctx *,
			    struct oidc_str client_id, struct oidc_str uri,
			    struct oidc_params *out, struct oidc_error *);

/* The pushed authorization request endpoint (POST /par). */
int	oidc_par_handle(struct oidc_ctx *, const struct oidc_request *,
	    struct oidc_response *, struct oidc_error *);

#endif /* OIDC_PAR_H */
