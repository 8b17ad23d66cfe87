/*
 * response.h: building one HTTP response and serialising it as CGI/FastCGI
 * output ("Status:" line, headers, blank line, body).
 *
 * Header values are refused if they contain CR, LF or NUL (no response
 * splitting).  Every JSON response of a token-bearing endpoint carries
 * Cache-Control: no-store and Pragma: no-cache (RFC 6749 5.1); HTML pages
 * carry Content-Security-Policy (frame-ancestors 'none'), X-Frame-Options,
 * Referrer-Policy and Cache-Control: no-store.  oidc_resp_error() is the one
 * place where a struct oidc_error becomes wire output; internal errors
 * show only "server_error" (or "temporarily_unavailable" when the database
 * is down), never the detail.
 */
#ifndef OIDC_RESPONSE_H
#define OIDC_RESPONSE_H

#include "oidc/buf.h"
#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

#define OIDC_RESP_MAX_HEADERS	(16 * 1024)
#define OIDC_RESP_MAX_BODY	(1024 * 1024)

struct oidc_arena;
struct oidc_json;

/* How errors of an endpoint are shown. */
enum oidc_error_style {
	OIDC_ERRSTYLE_JSON = 0,	/* RFC 6749 5.2 JSON */
	OIDC_ERRSTYLE_BEARER,	/* RFC 6750 3: WWW-Authenticate + JSON */
	OIDC_ERRSTYLE_HTML	/* an error page (authorize, logout) */
};

struct oidc_response {
	struct oidc_arena	*a;
	int			 status;
	struct oidc_buf		 headers;
	struct oidc_buf		 body;
	bool			 basic_auth_tried;	/* 401 + Basic challenge */
	/* Seconds for Retry-After on a 429 (OIDC_E_TOO_MANY_ATTEMPTS). */
	int64_t			 retry_after;
	/*
	 * DPoP (RFC 9449, oidc/dpop.h): a DPoP-Nonce header value that an
	 * error response keeps too (8, 9), and, for the Bearer error
	 * style, the "DPoP" challenge scheme with these algs (7.1) in
	 * place of "Bearer"; DPoP errors then answer 401 (7.1, 9).
	 */
	const char		*dpop_nonce;
	const char		*dpop_algs;	/* NULL: Bearer challenge */
	/*
	 * An Origin allowed to read this response (oidc/cors.h decides):
	 * an error response keeps the CORS headers too, so browser code
	 * can read use_dpop_nonce, invalid_grant and the like.
	 */
	const char		*cors_origin;
	/* The language of its pages: an index of oidc_ui_locale(). */
	int			 ui_lang;
};

void	oidc_resp_init(struct oidc_response *, struct oidc_arena *);

/* Add a header.  -1 (OIDC_E_INTERNAL) on CR/LF/NUL or bad name. */
OIDC_MUST_CHECK int	oidc_resp_header(struct oidc_response *,
			    const char *name, const char *value,
			    struct oidc_error *);

/* The CORS response headers for resp->cors_origin (set, not NULL). */
OIDC_MUST_CHECK int	oidc_resp_cors(struct oidc_response *,
			    struct oidc_error *);

/* Cache-Control: no-store and Pragma: no-cache. */
OIDC_MUST_CHECK int	oidc_resp_no_store(struct oidc_response *,
			    struct oidc_error *);

/* A JSON body with Content-Type application/json. */
OIDC_MUST_CHECK int	oidc_resp_json(struct oidc_response *, int status,
			    const struct oidc_json *, struct oidc_error *);

/* An HTML page with the security headers above. */
OIDC_MUST_CHECK int	oidc_resp_html(struct oidc_response *, int status,
			    struct oidc_str html, struct oidc_error *);

/* As oidc_resp_html with a page-specific Content-Security-Policy. */
OIDC_MUST_CHECK int	oidc_resp_html_csp(struct oidc_response *, int status,
			    struct oidc_str html, const char *csp,
			    struct oidc_error *);

/*
 * The pages' Content-Security-Policy, with form-action also allowing the
 * origin of `target` (a validated redirect URI): browsers apply
 * form-action to the redirect that follows a form submission, so the
 * login and consent forms must be allowed to end up at the client.  A
 * target whose origin cannot be expressed safely adds nothing.
 * Arena-owned; NULL when out of memory.
 */
const char	*oidc_resp_page_csp(struct oidc_arena *, struct oidc_str target);

/* 302 Found with Location (the caller validated the URI). */
OIDC_MUST_CHECK int	oidc_resp_redirect(struct oidc_response *,
			    struct oidc_str location, struct oidc_error *);

/*
 * Replace whatever was built with the error response for `e` in the given
 * style (JSON/Bearer/HTML error page).  Cannot fail: on internal trouble it
 * falls back to a fixed 500 body.
 */
void	oidc_resp_error(struct oidc_response *, const struct oidc_error *e,
	    enum oidc_error_style);

/* The HTTP reason phrase for a status. */
const char	*oidc_http_reason(int status);

/*
 * The whole CGI output in one arena buffer.  -1 only when the arena is
 * exhausted.
 */
OIDC_MUST_CHECK int	oidc_resp_serialize(struct oidc_response *,
			    struct oidc_str *out, struct oidc_error *);

#endif /* OIDC_RESPONSE_H */
