/*
 * error.h: the one error type of the code base.
 *
 * A function that can fail returns 0/-1 (or 1/0/-1 for lookups) and fills a
 * struct oidc_error.  The first writer wins: later oidc_fail() calls on an
 * error that is already set keep the original.  `code` names an OAuth "error"
 * value for protocol errors, not 1:1: OIDC_E_LIMIT, OIDC_E_NOT_FOUND ... are
 * all invalid_request on the wire, some with their own HTTP status, and
 * OIDC_E_TOO_MANY_ATTEMPTS is invalid_client with 429 (base/error.c);
 * internal codes are shown to clients only as server_error (or
 * temporarily_unavailable for OIDC_E_DB_DOWN, OIDC_E_NO_KEY and OIDC_E_BUSY).
 * `public_desc` is a static string safe for error_description; `detail` is for
 * the log only and is never sent.
 */
#ifndef OIDC_ERROR_H
#define OIDC_ERROR_H

#include "oidc/cdefs.h"

enum oidc_errcode {
	OIDC_E_NONE = 0,
	/* protocol errors: RFC 6749 4.1.2.1 and 5.2, OIDC Core 3.1.2.6 */
	OIDC_E_INVALID_REQUEST,
	OIDC_E_INVALID_CLIENT,
	OIDC_E_INVALID_GRANT,
	OIDC_E_UNAUTHORIZED_CLIENT,
	OIDC_E_UNSUPPORTED_GRANT_TYPE,
	OIDC_E_UNSUPPORTED_RESPONSE_TYPE,
	OIDC_E_INVALID_SCOPE,
	OIDC_E_ACCESS_DENIED,
	OIDC_E_LOGIN_REQUIRED,
	OIDC_E_CONSENT_REQUIRED,
	OIDC_E_INVALID_REQUEST_OBJECT,	/* OIDC Core 3.1.2.6 */
	OIDC_E_INVALID_REQUEST_URI,	/* OIDC Core 3.1.2.6 */
	OIDC_E_INVALID_TOKEN,		/* RFC 6750 3.1 */
	OIDC_E_TOO_MANY_ATTEMPTS,	/* 429: client authentication throttled */
	OIDC_E_INSUFFICIENT_SCOPE,	/* RFC 6750 3.1 */
	OIDC_E_METHOD_NOT_ALLOWED,	/* HTTP 405, "invalid_request" */
	OIDC_E_NOT_FOUND,		/* HTTP 404, "invalid_request" */
	OIDC_E_INVALID_CLIENT_METADATA,	/* RFC 7591 3.2.2 */
	OIDC_E_INVALID_REDIRECT_URI,	/* RFC 7591 3.2.2 */
	/* RFC 8628 3.5, the device grant at /token: 400 */
	OIDC_E_AUTHORIZATION_PENDING,
	OIDC_E_SLOW_DOWN,
	OIDC_E_EXPIRED_TOKEN,
	OIDC_E_DEVICE_DENIED,		/* "access_denied", 400 */
	OIDC_E_INVALID_DPOP_PROOF,	/* RFC 9449 5, 7.1: 400, 401 at RS */
	OIDC_E_USE_DPOP_NONCE,		/* RFC 9449 8, 9: 400, 401 at RS */
	/* OIDC Core Unmet Authentication Requirements 1.0: an essential
	   acr that cannot be met (oidc/totp.h) */
	OIDC_E_UNMET_AUTHN_REQUIREMENTS,
	OIDC_E_INVALID_TARGET,		/* RFC 8707 2: 400 */
	/* input and internal errors */
	OIDC_E_LIMIT,			/* an input exceeded a documented limit */
	OIDC_E_BODY_TOO_LARGE,		/* HTTP 413 before the body is read */
	OIDC_E_NOMEM,
	OIDC_E_DB,
	OIDC_E_DB_DOWN,			/* database unreachable: 503 */
	OIDC_E_BUSY,			/* 503 temporarily_unavailable, public */
	OIDC_E_NO_KEY,			/* no key to sign or open with: 503 */
	OIDC_E_CRYPTO,
	OIDC_E_IO,
	OIDC_E_CONFIG,
	OIDC_E_INTERNAL,
	OIDC_E__MAX
};

struct oidc_error {
	enum oidc_errcode	 code;
	const char		*public_desc;
	char			 detail[256];
	const char		*file;
	const char		*func;
	int			 line;
};

/* Record the first failure and return -1: "return oidc_fail(err, ...);". */
#define oidc_fail(err, code, pub, ...) \
	oidc_error_set((err), (code), (pub), __FILE__, __LINE__, __func__, \
	    __VA_ARGS__)

int	oidc_error_set(struct oidc_error *, enum oidc_errcode, const char *,
	    const char *, int, const char *, const char *, ...)
	    OIDC_PRINTF(7, 8);

/* Reset to OIDC_E_NONE. */
void	oidc_error_clear(struct oidc_error *);

/* The OAuth "error" value for a code; internal codes give "server_error". */
const char	*oidc_error_name(enum oidc_errcode);

/* The HTTP status a JSON endpoint answers with for this code. */
int	oidc_error_http_status(enum oidc_errcode);

/* True for codes that are the server's fault (logged at error level). */
bool	oidc_error_is_internal(enum oidc_errcode);

#endif /* OIDC_ERROR_H */
