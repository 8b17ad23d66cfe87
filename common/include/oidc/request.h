/*
 * request.h: one HTTP request as the endpoint handlers see it.
 *
 * Built from the FastCGI parameters the web server sets (REQUEST_METHOD,
 * QUERY_STRING, CONTENT_TYPE, CONTENT_LENGTH, HTTP_*, REMOTE_ADDR, HTTPS)
 * and the body.  The body length is checked against the endpoint's limit
 * from CONTENT_LENGTH (a strict decimal) BEFORE a byte of it is read, and
 * exactly that many bytes must then arrive.  Query strings and form bodies
 * go through oidc_form_parse (duplicates, bad escapes, NUL and bad UTF-8
 * refused).  URLs the provider builds never come from Host or SERVER_NAME:
 * they come from the configured issuer.
 * Limits: OIDC_REQUEST_MAX_HEADER bytes for any header we read.
 */
#ifndef OIDC_REQUEST_H
#define OIDC_REQUEST_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/form.h"
#include "oidc/str.h"

#define OIDC_REQUEST_MAX_HEADER	8192

struct oidc_arena;

enum oidc_method {
	OIDC_METHOD_GET = 1 << 0,
	OIDC_METHOD_POST = 1 << 1,
	OIDC_METHOD_OPTIONS = 1 << 2,
	OIDC_METHOD_HEAD = 1 << 3,
	OIDC_METHOD_PUT = 1 << 4,
	OIDC_METHOD_DELETE = 1 << 5,
	OIDC_METHOD_OTHER = 1 << 6
};

/* What an endpoint accepts as a request body. */
enum oidc_body_kind {
	OIDC_BODY_FORM = 0,	/* application/x-www-form-urlencoded */
	OIDC_BODY_JSON,		/* application/json, kept raw */
	/*
	 * Any media type, kept raw: the handler checks Content-Type itself,
	 * after deciding what the method means for the path (a 405 must win
	 * over a wrong body: /register and /register/<id>).
	 */
	OIDC_BODY_RAW
};

struct oidc_request {
	enum oidc_method	 method;
	struct oidc_params	 query;
	struct oidc_params	 form;		/* parsed form body */
	struct oidc_str		 body;		/* raw body (JSON kind) */
	struct oidc_str		 path;		/* DOCUMENT_URI, else
						   SCRIPT_NAME PATH_INFO */
	struct oidc_str		 content_type;
	struct oidc_str		 authorization;
	struct oidc_str		 dpop;		/* DPoP header (RFC 9449) */
	struct oidc_str		 cookie;
	struct oidc_str		 origin;
	struct oidc_str		 if_none_match;
	struct oidc_str		 remote_addr;
	/* HTTP_X_FORWARDED_FOR as sent (absent when over the limit). */
	struct oidc_str		 forwarded_for;
	/*
	 * The client address (oidc/netaddr.h), canonical text: REMOTE_ADDR,
	 * or X-Forwarded-For when REMOTE_ADDR is a trusted proxy; set by
	 * oidc_request_client_addr(), "unknown" before.  Throttling keys on
	 * it; never on remote_addr.
	 */
	char			 client_addr[46];
	bool			 has_body;
	/*
	 * The FastCGI parameters themselves, for what the web server alone
	 * sets (REMOTE_USER and the variables of remote_user_claims,
	 * oidc/remote_user.h): oidc_request_env().  Valid for the request.
	 */
	const char		*(*env)(void *arg, const char *name);
	void			*env_arg;
};

/* Looks a FastCGI parameter up; returns NULL when absent. */
typedef const char *(*oidc_param_fn)(void *arg, const char *name);
/* Reads up to len body bytes; returns bytes read, 0 at EOF, -1 on error. */
typedef long (*oidc_read_fn)(void *arg, char *buf, size_t len);

/*
 * Fill *req from the parameters; reads the body through `rd` only when the
 * method is POST/PUT and CONTENT_LENGTH <= max_body.
 * Errors: OIDC_E_BODY_TOO_LARGE (413: body over max_body), OIDC_E_LIMIT
 * (400: a header over OIDC_REQUEST_MAX_HEADER),
 * OIDC_E_INVALID_REQUEST (bad CONTENT_LENGTH, short body, wrong
 * Content-Type, malformed query or form).
 * The method is set in *req even when parsing fails afterwards.
 */
OIDC_MUST_CHECK int	oidc_request_parse(struct oidc_arena *,
			    oidc_param_fn, void *parg, oidc_read_fn, void *rarg,
			    size_t max_body, enum oidc_body_kind,
			    struct oidc_request *, struct oidc_error *);

/*
 * The FastCGI parameter `name` as the web server set it, at most max
 * bytes: 1 with *out, 0 absent or empty, -1 longer than max (*out
 * unset).  Never a request header: a client's "Remote-User:" header
 * arrives as HTTP_REMOTE_USER, not REMOTE_USER.
 */
int	oidc_request_env(const struct oidc_request *, const char *name,
	    size_t max, struct oidc_str *out);

/* A request parameter: the form body for POST, else the query string. */
struct oidc_str	oidc_request_param(const struct oidc_request *,
		    const char *name);

/* The method's name for Allow headers: "GET, POST". Static storage. */
const char	*oidc_method_allow(unsigned methods);

struct oidc_netaddr_list;

/*
 * Set req->client_addr from remote_addr and forwarded_for, believing
 * X-Forwarded-For only from `trusted` (NULL: nobody).  Cannot fail: a
 * malformed header means REMOTE_ADDR (oidc/netaddr.h).
 */
void	oidc_request_client_addr(struct oidc_request *,
	    const struct oidc_netaddr_list *trusted);

#endif /* OIDC_REQUEST_H */
