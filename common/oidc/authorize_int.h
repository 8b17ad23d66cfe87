/*
 * authorize_int.h: what authorize.c (the request, the decision, the
 * response) and authorize_page.c (the login and consent pages) share.
 * Not a public header: common/oidc/ only.
 */
#ifndef OIDC_AUTHORIZE_INT_H
#define OIDC_AUTHORIZE_INT_H

#include "oidc/buf.h"
#include "oidc/client.h"
#include "oidc/config.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/error.h"
#include "oidc/request.h"
#include "oidc/resource.h"
#include "oidc/response.h"
#include "oidc/scope.h"
#include "oidc/session.h"
#include "oidc/totp.h"

enum mode { MODE_QUERY, MODE_FRAGMENT, MODE_FORM_POST };

struct authz {
	const struct oidc_params	*p;
	/*
	 * The request object, by value or as fetched from request_uri: the
	 * pages carry it so a request_uri is fetched once per authorization
	 * request (issue 15 items 4, 6).
	 */
	struct oidc_str			 request_obj;
	bool				 page_post;	/* a page's own form */
	/* check_client failed after the query's redirect_uri was known good. */
	bool				 error_to_client;
	struct oidc_client		 client;
	struct oidc_str			 redirect_uri;
	struct oidc_str			 state;
	struct oidc_str			 nonce;
	struct oidc_str			 challenge;
	struct oidc_str			 login_hint;
	struct oidc_str			 claims;
	/* Resource indicators (RFC 8707, oidc/resource.h), loaded. */
	struct oidc_resources		 res;
	/* RFC 9449 10: the code's DPoP key thumbprint, or absent. */
	struct oidc_str			 dpop_jkt;
	unsigned			 rt;
	enum mode			 mode;
	/* JARM (oidc/jarm.h): the response is one signed JWT in mode. */
	bool				 jwt;
	struct oidc_scope		 scope;
	const char			*scope_str;
	bool				 p_none, p_login, p_consent, p_select;
	bool				 has_max_age;
	int64_t				 max_age;
	struct oidc_str			 hint_sub;
	struct oidc_str			*hint_aud;
	size_t				 n_hint_aud;
	/*
	 * The session and its consent, read by check_client in the client's
	 * round trip (issue 16); decide() reads them itself when not.
	 */
	bool				 session_read;
	bool				 has_session;
	bool				 has_consent;
	struct oidc_session_row		 session;
	struct oidc_consent_row		 consent;
};

static inline bool
oidc_rt_has_code(unsigned rt)
{
	return (rt & (OIDC_RT_CODE | OIDC_RT_CODE_ID_TOKEN |
	    OIDC_RT_CODE_TOKEN | OIDC_RT_CODE_ID_TOKEN_TOKEN)) != 0;
}

static inline bool
oidc_rt_has_id_token(unsigned rt)
{
	return (rt & (OIDC_RT_ID_TOKEN | OIDC_RT_ID_TOKEN_TOKEN |
	    OIDC_RT_CODE_ID_TOKEN | OIDC_RT_CODE_ID_TOKEN_TOKEN)) != 0;
}

static inline bool
oidc_rt_has_token(unsigned rt)
{
	return (rt & (OIDC_RT_ID_TOKEN_TOKEN | OIDC_RT_CODE_TOKEN |
	    OIDC_RT_CODE_ID_TOKEN_TOKEN)) != 0;
}

/* A request refused with a page (invalid_request, desc shown). */
static inline int
oidc_authz_bad_page(struct oidc_error *err, const char *desc)
{
	return oidc_fail(err, OIDC_E_INVALID_REQUEST, desc, "%s", desc);
}

/* authorize.c: an error sent back to the (validated) redirect_uri; 0. */
int		 oidc_authz_redirect_error(struct oidc_ctx *,
		    struct oidc_response *, const struct authz *,
		    enum oidc_errcode, const char *desc, struct oidc_error *);

/*
 * authorize_check.c.  Steps 1-2, client_id and redirect_uri: 0, or -1
 * (an HTML page, or ar->error_to_client).  Step 3, the rest: 0 valid, 1
 * an error response built (redirected), -1 internal failure.
 */
int		 oidc_authz_check_client(struct oidc_ctx *,
		    const struct oidc_request *, struct authz *,
		    struct oidc_error *);
int		 oidc_authz_check_request(struct oidc_ctx *,
		    struct oidc_response *, struct authz *, struct oidc_error *);
/*
 * Step 3's rules (response_type and mode, scope, nonce, PKCE, prompt,
 * max_age, hints, claims) on ar->p, filling ar: NULL when valid, else the
 * error_description, with *code set unless it is invalid_request.
 * ar->scope_str is left to oidc_authz_check_request.
 */
const char	*oidc_authz_check_params(struct oidc_ctx *,
		    struct authz *, enum oidc_errcode *code);
/*
 * state, response_type and response_mode (the .jwt modes of JARM only
 * with the configuration's jarm): NULL, or what is wrong.
 */
const char	*oidc_authz_parse_mode(const struct oidc_ctx *, struct authz *);
/*
 * fapi.c: the FAPI 2.0 rules of an authorization request (oidc/fapi.h),
 * for a client under the profile: NULL, or the error_description with
 * *code set unless it is invalid_request.
 */
const char	*oidc_fapi2_authz_problem(struct oidc_ctx *,
		    const struct authz *, enum oidc_errcode *code);
/* offline_access out of the scope (OIDC Core 11 conditions unmet). */
void		 oidc_authz_drop_offline_access(struct authz *);

/*
 * authorize_rules.c.  Must the user (re-)authenticate?  No session; or,
 * unless the login is fresh (this request's own login page), prompt=login
 * or select_account, or max_age passed since s->auth_time; or a session
 * user other than id_token_hint's (*hint_mismatch).  1 yes, 0 no, -1.
 */
int		 oidc_authz_must_login(struct oidc_ctx *, const struct authz *,
		    const struct oidc_session_row *, bool has_session,
		    bool fresh_login, bool *hint_mismatch,
		    struct oidc_error *);
/* Does the stored consent cover ar's scope and single claims? */
bool		 oidc_authz_consent_covers(struct oidc_ctx *,
		    const struct authz *, struct oidc_consent_row stored);

/*
 * authorize_remote.c.  The remote_user login (oidc/remote_user.h; the
 * client's mode is oidc_login_mode_of), before a posted form is handled:
 * 1 go on with *s, *has_session and *fresh_login set, 0 a response was
 * built, -1.
 */
int		 oidc_authz_remote_user(struct oidc_ctx *,
		    const struct oidc_request *, struct oidc_response *,
		    const struct authz *, struct oidc_session_row *,
		    bool *has_session, bool *fresh_login, struct oidc_error *);

/*
 * authorize_page.c.  The sign-in page for ar (status 200, or 401 after a
 * failed login); error: a message key of oidc/ui.h (login_failed, ...)
 * or a text of its own, or NULL.
 */
/* Set resp->ui_lang from ar's ui_locales (oidc/ui.h). */
void		 oidc_authz_page_lang(struct oidc_response *,
		    const struct authz *);
int		 oidc_authz_login_page(struct oidc_ctx *,
		    const struct oidc_request *, struct oidc_response *,
		    const struct authz *, const char *error, int status,
		    struct oidc_error *);
/* The consent page for ar, for the signed-in username. */
int		 oidc_authz_consent_page(struct oidc_ctx *,
		    const struct oidc_request *, struct oidc_response *,
		    const struct authz *, struct oidc_str username,
		    struct oidc_error *);
/* SHA-256 (32 bytes at h) of the parameters the pages carry. */
int		 oidc_authz_request_digest(struct oidc_ctx *,
		    const struct authz *, unsigned char *h, struct oidc_error *);
/* The request and csrf as the pages' hidden fields, appended to b. */
int		 oidc_authz_page_fields(struct oidc_ctx *,
		    const struct oidc_request *, struct oidc_response *,
		    const struct authz *, struct oidc_buf *,
		    struct oidc_error *);
/* "<scope>|<claims>": what the consent page asks for. */
const char	*oidc_authz_consent_summary(struct oidc_ctx *,
		    const struct authz *, struct oidc_error *);

/*
 * totp_page.c: the second factor's pages (oidc/totp.h), carrying the
 * request and the pending login's ticket.  The code entry; the enrolment
 * (the otpauth URI and the base32 secret); the recovery codes, once.
 */
int		 oidc_totp_page_verify(struct oidc_ctx *,
		    const struct oidc_request *, struct oidc_response *,
		    const struct authz *, const char *ticket,
		    const char *error, int status, struct oidc_error *);
int		 oidc_totp_page_enrol(struct oidc_ctx *,
		    const struct oidc_request *, struct oidc_response *,
		    const struct authz *, const char *ticket, const char *uri,
		    const char *secret, const char *error, int status,
		    struct oidc_error *);
int		 oidc_totp_page_recovery(struct oidc_ctx *,
		    const struct oidc_request *, struct oidc_response *,
		    const struct authz *,
		    char (*codes)[OIDC_TOTP_RECOVERY_LEN + 1], size_t n,
		    struct oidc_error *);

/*
 * authorize_totp.c: the second step of a password login (oidc/totp.h).
 * After a good password (inside its transaction): 1 no second step (the
 * caller starts the session), 0 the code or enrolment page was built
 * (the caller commits), -1.  The page's answer (action totp): 1 go on
 * with the session started (*s, *has_session, *fresh_login), 0 a page
 * was built, -1.  Does the request's acr (acr_values, an essential acr
 * claim) need more than session s?  0 no, 1 the user must sign in again
 * (with the second step), 2 it cannot be met
 * (unmet_authentication_requirements; with totp off every essential acr
 * with values, as no acr is issued then), -1.
 */
int		 oidc_authz_totp_after_password(struct oidc_ctx *,
		    const struct oidc_request *, struct oidc_response *,
		    const struct authz *, int64_t user_id,
		    struct oidc_str username, const unsigned char *digest,
		    struct oidc_error *);
int		 oidc_authz_totp_posted(struct oidc_ctx *,
		    const struct oidc_request *, struct oidc_response *,
		    const struct authz *, const unsigned char *digest,
		    struct oidc_session_row *, bool *has_session,
		    bool *fresh_login, struct oidc_error *);
int		 oidc_authz_acr_check(struct oidc_ctx *, const struct authz *,
		    const struct oidc_session_row *, bool remote,
		    struct oidc_error *);

#endif /* OIDC_AUTHORIZE_INT_H */
