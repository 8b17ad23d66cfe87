/*
 * error.c: filling and naming struct oidc_error (see oidc/error.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "oidc/error.h"

int
oidc_error_set(struct oidc_error *err, enum oidc_errcode code,
    const char *pub, const char *file, int line, const char *func,
    const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || err->code != OIDC_E_NONE)
		return -1;	/* first writer wins */
	err->code = code;
	err->public_desc = pub;
	err->file = file;
	err->line = line;
	err->func = func;
	va_start(ap, fmt);
	(void)vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
	return -1;
}

void
oidc_error_clear(struct oidc_error *err)
{
	memset(err, 0, sizeof(*err));
}

static const char *const names[OIDC_E__MAX] = {
	[OIDC_E_NONE] = "none",
	[OIDC_E_INVALID_REQUEST] = "invalid_request",
	[OIDC_E_INVALID_CLIENT] = "invalid_client",
	[OIDC_E_INVALID_GRANT] = "invalid_grant",
	[OIDC_E_UNAUTHORIZED_CLIENT] = "unauthorized_client",
	[OIDC_E_UNSUPPORTED_GRANT_TYPE] = "unsupported_grant_type",
	[OIDC_E_UNSUPPORTED_RESPONSE_TYPE] = "unsupported_response_type",
	[OIDC_E_INVALID_SCOPE] = "invalid_scope",
	[OIDC_E_ACCESS_DENIED] = "access_denied",
	[OIDC_E_LOGIN_REQUIRED] = "login_required",
	[OIDC_E_CONSENT_REQUIRED] = "consent_required",
	[OIDC_E_INVALID_REQUEST_OBJECT] = "invalid_request_object",
	[OIDC_E_INVALID_REQUEST_URI] = "invalid_request_uri",
	[OIDC_E_INVALID_TOKEN] = "invalid_token",
	[OIDC_E_TOO_MANY_ATTEMPTS] = "invalid_client",
	[OIDC_E_INSUFFICIENT_SCOPE] = "insufficient_scope",
	[OIDC_E_METHOD_NOT_ALLOWED] = "invalid_request",
	[OIDC_E_NOT_FOUND] = "invalid_request",
	[OIDC_E_INVALID_CLIENT_METADATA] = "invalid_client_metadata",
	[OIDC_E_INVALID_REDIRECT_URI] = "invalid_redirect_uri",
	[OIDC_E_AUTHORIZATION_PENDING] = "authorization_pending",
	[OIDC_E_SLOW_DOWN] = "slow_down",
	[OIDC_E_EXPIRED_TOKEN] = "expired_token",
	[OIDC_E_DEVICE_DENIED] = "access_denied",
	[OIDC_E_INVALID_DPOP_PROOF] = "invalid_dpop_proof",
	[OIDC_E_USE_DPOP_NONCE] = "use_dpop_nonce",
	[OIDC_E_UNMET_AUTHN_REQUIREMENTS] =
	    "unmet_authentication_requirements",
	[OIDC_E_INVALID_TARGET] = "invalid_target",
	[OIDC_E_LIMIT] = "invalid_request",
	[OIDC_E_BODY_TOO_LARGE] = "invalid_request",
	[OIDC_E_DB_DOWN] = "temporarily_unavailable",
	[OIDC_E_BUSY] = "temporarily_unavailable",
	[OIDC_E_NO_KEY] = "temporarily_unavailable",
};

const char *
oidc_error_name(enum oidc_errcode code)
{
	if (code < 0 || code >= OIDC_E__MAX || names[code] == NULL)
		return "server_error";
	return names[code];
}

int
oidc_error_http_status(enum oidc_errcode code)
{
	switch (code) {
	case OIDC_E_NONE:
		return 200;
	case OIDC_E_INVALID_CLIENT:
	case OIDC_E_INVALID_TOKEN:
		return 401;
	case OIDC_E_INSUFFICIENT_SCOPE:
	case OIDC_E_ACCESS_DENIED:
		return 403;
	case OIDC_E_NOT_FOUND:
		return 404;
	case OIDC_E_TOO_MANY_ATTEMPTS:
		return 429;
	case OIDC_E_METHOD_NOT_ALLOWED:
		return 405;
	case OIDC_E_BODY_TOO_LARGE:
		return 413;
	case OIDC_E_DB_DOWN:
	case OIDC_E_NO_KEY:
	case OIDC_E_BUSY:
		return 503;
	case OIDC_E_NOMEM:
	case OIDC_E_DB:
	case OIDC_E_CRYPTO:
	case OIDC_E_IO:
	case OIDC_E_CONFIG:
	case OIDC_E_INTERNAL:
	case OIDC_E__MAX:
		return 500;
	default:
		return 400;
	}
}

bool
oidc_error_is_internal(enum oidc_errcode code)
{
	/* A busy service is no fault: its description is public. */
	return oidc_error_http_status(code) >= 500 && code != OIDC_E_BUSY;
}
