/*
 * response.c: response building and the error-to-wire mapping (see
 * oidc/response.h).
 */
#include <stdio.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/html.h"
#include "oidc/ui.h"
#include "oidc/json.h"
#include "oidc/response.h"

void
oidc_resp_init(struct oidc_response *resp, struct oidc_arena *a)
{
	memset(resp, 0, sizeof(*resp));
	resp->a = a;
	resp->status = 200;
	oidc_buf_init(&resp->headers, a, OIDC_RESP_MAX_HEADERS);
	oidc_buf_init(&resp->body, a, OIDC_RESP_MAX_BODY);
}

int
oidc_resp_header(struct oidc_response *resp, const char *name,
    const char *value, struct oidc_error *err)
{
	size_t	 i;

	if (name[0] == '\0')
		return oidc_fail(err, OIDC_E_INTERNAL, NULL,
		    "empty header name");
	for (i = 0; name[i] != '\0'; i++)
		if (name[i] <= ' ' || name[i] == ':' || name[i] > '~')
			return oidc_fail(err, OIDC_E_INTERNAL, NULL,
			    "bad header name");
	/* SECURITY: CR/LF in a value would split the response. */
	for (i = 0; value[i] != '\0'; i++)
		if (value[i] == '\r' || value[i] == '\n')
			return oidc_fail(err, OIDC_E_INTERNAL, NULL,
			    "CR/LF in header %s", name);
	return oidc_buf_printf(&resp->headers, err, "%s: %s\r\n", name, value);
}

int
oidc_resp_cors(struct oidc_response *resp, struct oidc_error *err)
{
	if (oidc_resp_header(resp, "Access-Control-Allow-Origin",
	    resp->cors_origin, err) == -1 ||
	    oidc_resp_header(resp, "Vary", "Origin", err) == -1 ||
	    /* RFC 9449 8: the new nonce must be readable by browser code. */
	    oidc_resp_header(resp, "Access-Control-Expose-Headers",
	    "DPoP-Nonce, WWW-Authenticate", err) == -1)
		return -1;
	return 0;
}

int
oidc_resp_no_store(struct oidc_response *resp, struct oidc_error *err)
{
	if (oidc_resp_header(resp, "Cache-Control", "no-store", err) == -1 ||
	    oidc_resp_header(resp, "Pragma", "no-cache", err) == -1)
		return -1;
	return 0;
}

int
oidc_resp_json(struct oidc_response *resp, int status,
    const struct oidc_json *j, struct oidc_error *err)
{
	const char	*s;
	size_t		 len;

	if ((s = oidc_json_serialize(j, resp->a, &len, err)) == NULL)
		return -1;
	resp->status = status;
	if (oidc_resp_header(resp, "Content-Type", "application/json",
	    err) == -1)
		return -1;
	return oidc_buf_append(&resp->body, s, len, err);
}

#define DEFAULT_CSP \
	"default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; " \
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

static int
security_headers(struct oidc_response *resp, const char *csp,
    struct oidc_error *err)
{
	if (oidc_resp_header(resp, "Content-Security-Policy", csp, err) == -1 ||
	    oidc_resp_header(resp, "X-Frame-Options", "DENY", err) == -1 ||
	    oidc_resp_header(resp, "X-Content-Type-Options", "nosniff",
	    err) == -1 ||
	    oidc_resp_header(resp, "Referrer-Policy", "no-referrer", err) == -1)
		return -1;
	return oidc_resp_no_store(resp, err);
}

int
oidc_resp_html_csp(struct oidc_response *resp, int status,
    struct oidc_str html, const char *csp, struct oidc_error *err)
{
	resp->status = status;
	if (oidc_resp_header(resp, "Content-Type", "text/html; charset=utf-8",
	    err) == -1 || security_headers(resp, csp, err) == -1)
		return -1;
	return oidc_buf_append(&resp->body, html.p, html.len, err);
}

/* scheme://host[:port] or, for a private-use scheme, "scheme:". */
static struct oidc_str
csp_source(struct oidc_str u)
{
	const char	*p, *end = u.p + u.len;
	size_t		 i;

	if (u.p == NULL || (p = memchr(u.p, ':', u.len)) == NULL || p == u.p)
		return OIDC_STR_NULL;
	for (i = 0; i < u.len; i++)
		if (u.p[i] == ';' || u.p[i] == ',' || u.p[i] == '\'' ||
		    u.p[i] == ' ' || u.p[i] == '*' || (unsigned char)u.p[i] < 0x21 ||
		    (unsigned char)u.p[i] > 0x7e)
			return OIDC_STR_NULL;
	if (end - p >= 3 && p[1] == '/' && p[2] == '/') {
		for (p += 3; p < end && *p != '/' && *p != '?' && *p != '#';
		    p++)
			;
		return (struct oidc_str){ u.p, (size_t)(p - u.p) };
	}
	return (struct oidc_str){ u.p, (size_t)(p - u.p) + 1 };
}

const char *
oidc_resp_page_csp(struct oidc_arena *a, struct oidc_str target)
{
	struct oidc_str	 src = csp_source(target);

	if (src.p == NULL)
		return DEFAULT_CSP;
	/* img-src https: shows the client's registered logo_uri. */
	return oidc_arena_printf(a, "default-src 'none'; style-src "
	    "'unsafe-inline'; img-src 'self' https:; form-action 'self' %.*s; "
	    "frame-ancestors 'none'; base-uri 'none'", (int)src.len, src.p);
}

int
oidc_resp_html(struct oidc_response *resp, int status, struct oidc_str html,
    struct oidc_error *err)
{
	return oidc_resp_html_csp(resp, status, html, DEFAULT_CSP, err);
}

int
oidc_resp_redirect(struct oidc_response *resp, struct oidc_str location,
    struct oidc_error *err)
{
	char	*loc;

	if ((loc = oidc_arena_strndup(resp->a, location.p, location.len)) ==
	    NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	resp->status = 302;
	if (oidc_resp_header(resp, "Location", loc, err) == -1 ||
	    oidc_resp_no_store(resp, err) == -1 ||
	    oidc_resp_header(resp, "Referrer-Policy", "no-referrer", err) == -1)
		return -1;
	return 0;
}

const char *
oidc_http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default: return status >= 500 ? "Internal Server Error" : "Error";
	}
}

static const char fallback[] =
    "{\"error\":\"server_error\"}";

static int
error_html(struct oidc_response *resp, int status, const char *name,
    const char *desc, struct oidc_error *err)
{
	const char	*heading = oidc_ui_msg(resp->ui_lang, status >= 500 ?
	    "error_heading_unavailable" : "error_heading");
	const struct oidc_html_var	 vars[] = {
		{ "heading", { heading, strlen(heading) } },
		{ "message", { desc, strlen(desc) } },
		{ "code", { name, strlen(name) } },
	};

	return oidc_ui_respond(resp, status, NULL, OIDC_UI_ERROR, vars,
	    OIDC_NELEM(vars), err);
}

static int
error_json(struct oidc_response *resp, int status, const char *name,
    const char *desc, struct oidc_error *err)
{
	struct oidc_json	*j;

	if ((j = oidc_json_new_object(resp->a)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
	if (oidc_json_set_cstr(j, "error", name, err) == -1 ||
	    (desc != NULL &&
	    oidc_json_set_cstr(j, "error_description", desc, err) == -1) ||
	    oidc_resp_no_store(resp, err) == -1)
		return -1;
	return oidc_resp_json(resp, status, j, err);
}

/*
 * RFC 6750 3.1, RFC 9449 7.1: the WWW-Authenticate challenge of a
 * protected resource's error, "DPoP" when resp->dpop_algs is set.  desc
 * is a static string; one with a '"' or '\\' would end the
 * quoted-string early, so it is left out.
 */
static int
challenge(struct oidc_response *resp, enum oidc_errcode code,
    const char *desc, struct oidc_error *err)
{
	const char	*cdesc;
	char		*chal;

	if (code != OIDC_E_INVALID_TOKEN && code != OIDC_E_INSUFFICIENT_SCOPE &&
	    code != OIDC_E_INVALID_REQUEST && code != OIDC_E_INVALID_DPOP_PROOF &&
	    code != OIDC_E_USE_DPOP_NONCE)
		return 0;
	cdesc = desc != NULL && strpbrk(desc, "\"\\") == NULL ? desc : NULL;
	chal = oidc_arena_printf(resp->a, "%s%s%s error=\"%s\"%s%s%s",
	    resp->dpop_algs != NULL ? "DPoP algs=\"" : "Bearer",
	    resp->dpop_algs != NULL ? resp->dpop_algs : "",
	    resp->dpop_algs != NULL ? "\"," : "", oidc_error_name(code),
	    cdesc != NULL ? ", error_description=\"" : "",
	    cdesc != NULL ? cdesc : "", cdesc != NULL ? "\"" : "");
	if (chal == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	return oidc_resp_header(resp, "WWW-Authenticate", chal, err);
}

void
oidc_resp_error(struct oidc_response *resp, const struct oidc_error *e,
    enum oidc_error_style style)
{
	struct oidc_error	 err2 = { 0 };
	const char		*name = oidc_error_name(e->code), *desc;
	int			 status = oidc_error_http_status(e->code);
	bool			 internal = oidc_error_is_internal(e->code);

	/* Start over: nothing half-built may leak out. */
	oidc_buf_init(&resp->headers, resp->a, OIDC_RESP_MAX_HEADERS);
	oidc_buf_init(&resp->body, resp->a, OIDC_RESP_MAX_BODY);
	resp->status = status;
	desc = internal ? (e->code == OIDC_E_DB_DOWN || e->code ==
	    OIDC_E_NO_KEY ? "the service is temporarily unavailable" :
	    "internal error") : e->public_desc;

	if (e->code == OIDC_E_METHOD_NOT_ALLOWED && desc == NULL)
		desc = "method not allowed";
	if ((e->code == OIDC_E_DB_DOWN || e->code == OIDC_E_NO_KEY ||
	    e->code == OIDC_E_BUSY) &&
	    oidc_resp_header(resp, "Retry-After", "2", &err2) == -1)
		goto fallback;
	if (e->code == OIDC_E_TOO_MANY_ATTEMPTS && resp->retry_after > 0) {
		char	 ra[24];

		(void)snprintf(ra, sizeof(ra), "%lld",
		    (long long)resp->retry_after);
		if (oidc_resp_header(resp, "Retry-After", ra, &err2) == -1)
			goto fallback;
	}
	if (style == OIDC_ERRSTYLE_HTML) {
		if (error_html(resp, status, name, desc != NULL ? desc :
		    "The request is not valid.", &err2) == -1)
			goto fallback;
		return;
	}
	if (resp->dpop_nonce != NULL && oidc_resp_header(resp, "DPoP-Nonce",
	    resp->dpop_nonce, &err2) == -1)
		goto fallback;
	if (resp->cors_origin != NULL && oidc_resp_cors(resp, &err2) == -1)
		goto fallback;
	if (style == OIDC_ERRSTYLE_BEARER &&
	    (e->code == OIDC_E_INVALID_DPOP_PROOF ||
	    e->code == OIDC_E_USE_DPOP_NONCE))
		resp->status = status = 401;	/* RFC 9449 7.1, 9 */
	if (style == OIDC_ERRSTYLE_BEARER &&
	    challenge(resp, e->code, desc, &err2) == -1)
		goto fallback;
	if (e->code == OIDC_E_INVALID_CLIENT && resp->basic_auth_tried &&
	    oidc_resp_header(resp, "WWW-Authenticate",
	    "Basic realm=\"oidc\", charset=\"UTF-8\"", &err2) == -1)
		goto fallback;
	if (error_json(resp, status, name, desc, &err2) == -1)
		goto fallback;
	return;
fallback:
	oidc_buf_init(&resp->headers, resp->a, OIDC_RESP_MAX_HEADERS);
	oidc_buf_init(&resp->body, resp->a, OIDC_RESP_MAX_BODY);
	resp->status = 500;
	resp->headers.p = (char *)(uintptr_t)
	    "Content-Type: application/json\r\nCache-Control: no-store\r\n";
	resp->headers.len = strlen(resp->headers.p);
	resp->body.p = (char *)(uintptr_t)fallback;
	resp->body.len = sizeof(fallback) - 1;
}

int
oidc_resp_serialize(struct oidc_response *resp, struct oidc_str *out,
    struct oidc_error *err)
{
	struct oidc_buf	 b;

	oidc_buf_init(&b, resp->a, OIDC_RESP_MAX_HEADERS + OIDC_RESP_MAX_BODY +
	    128);
	if (oidc_buf_printf(&b, err, "Status: %d %s\r\n", resp->status,
	    oidc_http_reason(resp->status)) == -1 ||
	    oidc_buf_append(&b, resp->headers.p, resp->headers.len, err) ==
	    -1 ||
	    (resp->body.len > 0 && oidc_buf_printf(&b, err,
	    "Content-Length: %zu\r\n", resp->body.len) == -1) ||
	    oidc_buf_append(&b, "\r\n", 2, err) == -1 ||
	    oidc_buf_append(&b, resp->body.p, resp->body.len, err) == -1)
		return -1;
	*out = oidc_buf_str(&b);
	return 0;
}
