/*
 * test_response.c: response building, serialisation, the error-to-wire
 * mapping (common/http/response.c) and the HTML templates
 * (common/http/html.c).
 *
 * Security regressions: response_splitting (CR/LF in a header value),
 * detail_not_leaked (internal error details never reach the client),
 * html_injection (every substitution is escaped, quotes included).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/buf.h"
#include "oidc/html.h"
#include "oidc/json.h"
#include "oidc/response.h"

#include "tap.h"

#define S(lit)	lit, sizeof(lit) - 1

static bool
has(struct oidc_str s, const char *needle)
{
	return s.p != NULL && strstr(s.p, needle) != NULL;
}

static bool
hdr_has(const struct oidc_response *r, const char *needle)
{
	return r->headers.p != NULL && strstr(r->headers.p, needle) != NULL;
}

/* Parse the JSON error body; return the "error" member or NULL. */
static const char *
json_member(struct oidc_arena *a, const struct oidc_response *r,
    const char *key)
{
	struct oidc_error	 err = { 0 };
	struct oidc_json	*j;
	struct oidc_str		 s;

	if (oidc_json_parse(a, r->body.p, r->body.len, 0, &j, &err) == -1 ||
	    oidc_json_get_str(j, key, &s, &err) != 1)
		return NULL;
	return s.p;
}

struct hdr_case {
	const char	*test;
	const char	*name;
	const char	*value;
	int		 rc;
};

static const struct hdr_case hdr_cases[] = {
	{ "header ok", "X-Test", "a value; with=params", 0 },
	{ "header empty value", "X-Test", "", 0 },
	{ "response_splitting LF", "Location", "https://a\nSet-Cookie: x=1",
	    -1 },
	{ "response_splitting CR", "Location", "https://a\rSet-Cookie: x=1",
	    -1 },
	{ "response_splitting CRLF", "X-Test", "a\r\n\r\n<html>", -1 },
	{ "response_splitting trailing LF", "X-Test", "a\n", -1 },
	{ "header name with colon", "X-A:B", "v", -1 },
	{ "header name with space", "X A", "v", -1 },
	{ "header name with LF", "X\nA", "v", -1 },
	{ "header name with DEL", "X\177", "v", -1 },
	{ "header name high byte", "X\xc3\xa9", "v", -1 },
	/* empty_header_name: ": value" is not a header line. */
	{ "empty_header_name", "", "v", -1 },
};

static void
test_headers(struct oidc_arena *a)
{
	struct oidc_response	 r;
	struct oidc_error	 err;
	const struct hdr_case	*c;
	size_t			 i;

	for (i = 0; i < OIDC_NELEM(hdr_cases); i++) {
		c = &hdr_cases[i];
		oidc_resp_init(&r, a);
		oidc_error_clear(&err);
		is_int(oidc_resp_header(&r, c->name, c->value, &err), c->rc,
		    c->test);
		if (c->rc == -1) {
			is_int(err.code, OIDC_E_INTERNAL, c->test);
			is_int(r.headers.len, 0, c->test);
		} else
			ok(hdr_has(&r, c->value), "%s: written", c->test);
		oidc_arena_reset(a);
	}
	/* A refused header leaves earlier ones intact. */
	oidc_resp_init(&r, a);
	oidc_error_clear(&err);
	is_int(oidc_resp_header(&r, "A", "1", &err), 0, "header A");
	is_int(oidc_resp_header(&r, "B", "x\ny", &err), -1, "header B refused");
	is_str(r.headers.p, "A: 1\r\n", "refused header not appended");
	oidc_arena_reset(a);
}

static void
test_serialize(struct oidc_arena *a)
{
	static const char	 want[] =
	    "Status: 200 OK\r\n"
	    "X-A: 1\r\n"
	    "Content-Length: 5\r\n"
	    "\r\n"
	    "hello";
	struct oidc_response	 r;
	struct oidc_error	 err = { 0 };
	struct oidc_str		 out;
	struct oidc_json	*j;

	oidc_resp_init(&r, a);
	is_int(r.status, 200, "init: status 200");
	is_int(oidc_resp_header(&r, "X-A", "1", &err), 0, "serialize: header");
	is_int(oidc_buf_append(&r.body, "hello", 5, &err), 0,
	    "serialize: body");
	is_int(oidc_resp_serialize(&r, &out, &err), 0, "serialize");
	is_mem(out.p, out.len, want, sizeof(want) - 1, "serialize: format");
	oidc_arena_reset(a);

	/* No body: no Content-Length; the blank line is still there. */
	oidc_resp_init(&r, a);
	r.status = 304;
	is_int(oidc_resp_serialize(&r, &out, &err), 0, "serialize empty");
	is_str(out.p, "Status: 304 Not Modified\r\n\r\n",
	    "serialize empty: format");
	oidc_arena_reset(a);

	/* JSON body. */
	oidc_resp_init(&r, a);
	j = oidc_json_new_object(a);
	is_int(oidc_json_set_cstr(j, "a", "b", &err), 0, "json: build");
	is_int(oidc_resp_json(&r, 201, j, &err), 0, "json");
	is_int(oidc_resp_serialize(&r, &out, &err), 0, "json: serialize");
	is_str(out.p, "Status: 201 Created\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 9\r\n\r\n{\"a\":\"b\"}", "json: format");
	oidc_arena_reset(a);

	/* Redirect: Location, no-store, Referrer-Policy. */
	oidc_resp_init(&r, a);
	is_int(oidc_resp_redirect(&r, (struct oidc_str){ S("https://rp/cb?"
	    "code=1&state=x") }, &err), 0, "redirect");
	is_int(r.status, 302, "redirect: 302");
	ok(hdr_has(&r, "Location: https://rp/cb?code=1&state=x\r\n"),
	    "redirect: Location");
	ok(hdr_has(&r, "Cache-Control: no-store\r\n"), "redirect: no-store");
	ok(hdr_has(&r, "Referrer-Policy: no-referrer\r\n"),
	    "redirect: Referrer-Policy");
	oidc_arena_reset(a);
	oidc_resp_init(&r, a);
	oidc_error_clear(&err);
	is_int(oidc_resp_redirect(&r, (struct oidc_str){ S("https://rp/\r\n"
	    "Set-Cookie: a=b") }, &err), -1, "response_splitting redirect");
	oidc_arena_reset(a);

	/* HTML page: the security headers. */
	oidc_resp_init(&r, a);
	oidc_error_clear(&err);
	is_int(oidc_resp_html(&r, 200, (struct oidc_str){ S("<p>hi</p>") },
	    &err), 0, "html");
	ok(hdr_has(&r, "Content-Type: text/html; charset=utf-8\r\n"),
	    "html: Content-Type");
	ok(hdr_has(&r, "frame-ancestors 'none'"), "html: CSP frame-ancestors");
	ok(hdr_has(&r, "default-src 'none'"), "html: CSP default-src");
	ok(hdr_has(&r, "X-Frame-Options: DENY\r\n"), "html: X-Frame-Options");
	ok(hdr_has(&r, "X-Content-Type-Options: nosniff\r\n"), "html: nosniff");
	ok(hdr_has(&r, "Referrer-Policy: no-referrer\r\n"),
	    "html: Referrer-Policy");
	ok(hdr_has(&r, "Cache-Control: no-store\r\n"), "html: no-store");
	is_str(r.body.p, "<p>hi</p>", "html: body");
	oidc_arena_reset(a);
	oidc_resp_init(&r, a);
	is_int(oidc_resp_html_csp(&r, 200, (struct oidc_str){ S("x") },
	    "script-src 'sha256-abc'", &err), 0, "html_csp");
	ok(hdr_has(&r, "Content-Security-Policy: script-src 'sha256-abc'\r\n"),
	    "html_csp: page CSP");
	ok(hdr_has(&r, "X-Frame-Options: DENY"), "html_csp: XFO still set");
	oidc_arena_reset(a);

	is_str(oidc_http_reason(200), "OK", "reason 200");
	is_str(oidc_http_reason(413), "Payload Too Large", "reason 413");
	is_str(oidc_http_reason(503), "Service Unavailable", "reason 503");
	is_str(oidc_http_reason(502), "Internal Server Error", "reason 5xx");
	is_str(oidc_http_reason(418), "Error", "reason unknown 4xx");
}

static struct oidc_error
mkerr(enum oidc_errcode code, const char *pub, const char *detail)
{
	struct oidc_error	 e = { 0 };

	(void)oidc_fail(&e, code, pub, "%s", detail);
	return e;
}

#define SECRET	"SELECT secret FROM clients; password=hunter2"

struct err_case {
	const char		*test;
	enum oidc_errcode	 code;
	const char		*pub;
	enum oidc_error_style	 style;
	int			 status;
	const char		*error;		/* JSON "error" or HTML code */
	const char		*desc;		/* error_description, or NULL */
	const char		*www;		/* WWW-Authenticate, or NULL */
};

static const struct err_case err_cases[] = {
	{ "json invalid_request", OIDC_E_INVALID_REQUEST, "code is missing",
	    OIDC_ERRSTYLE_JSON, 400, "invalid_request", "code is missing",
	    NULL },
	{ "json invalid_grant", OIDC_E_INVALID_GRANT, "expired",
	    OIDC_ERRSTYLE_JSON, 400, "invalid_grant", "expired", NULL },
	{ "json invalid_client", OIDC_E_INVALID_CLIENT, NULL,
	    OIDC_ERRSTYLE_JSON, 401, "invalid_client", NULL, NULL },
	{ "json no public desc", OIDC_E_UNSUPPORTED_GRANT_TYPE, NULL,
	    OIDC_ERRSTYLE_JSON, 400, "unsupported_grant_type", NULL, NULL },
	{ "json 405", OIDC_E_METHOD_NOT_ALLOWED, NULL, OIDC_ERRSTYLE_JSON,
	    405, "invalid_request", "method not allowed", NULL },
	{ "json 404", OIDC_E_NOT_FOUND, NULL, OIDC_ERRSTYLE_JSON, 404,
	    "invalid_request", NULL, NULL },
	{ "json 413", OIDC_E_BODY_TOO_LARGE, "request body too large",
	    OIDC_ERRSTYLE_JSON, 413, "invalid_request",
	    "request body too large", NULL },
	/* detail_not_leaked: internal errors say server_error only. */
	{ "detail_not_leaked json db", OIDC_E_DB, "relation missing",
	    OIDC_ERRSTYLE_JSON, 500, "server_error", "internal error", NULL },
	{ "detail_not_leaked json crypto", OIDC_E_CRYPTO, NULL,
	    OIDC_ERRSTYLE_JSON, 500, "server_error", "internal error", NULL },
	{ "detail_not_leaked json nomem", OIDC_E_NOMEM, NULL,
	    OIDC_ERRSTYLE_JSON, 500, "server_error", "internal error", NULL },
	{ "detail_not_leaked json internal", OIDC_E_INTERNAL, NULL,
	    OIDC_ERRSTYLE_JSON, 500, "server_error", "internal error", NULL },
	{ "detail_not_leaked bearer", OIDC_E_DB, NULL, OIDC_ERRSTYLE_BEARER,
	    500, "server_error", "internal error", NULL },
	{ "db_down json", OIDC_E_DB_DOWN, NULL, OIDC_ERRSTYLE_JSON, 503,
	    "temporarily_unavailable",
	    "the service is temporarily unavailable", NULL },
	{ "bearer invalid_token", OIDC_E_INVALID_TOKEN, "token expired",
	    OIDC_ERRSTYLE_BEARER, 401, "invalid_token", "token expired",
	    "WWW-Authenticate: Bearer error=\"invalid_token\", "
	    "error_description=\"token expired\"\r\n" },
	{ "bearer invalid_token no desc", OIDC_E_INVALID_TOKEN, NULL,
	    OIDC_ERRSTYLE_BEARER, 401, "invalid_token", NULL,
	    "WWW-Authenticate: Bearer error=\"invalid_token\"\r\n" },
	{ "bearer insufficient_scope", OIDC_E_INSUFFICIENT_SCOPE, NULL,
	    OIDC_ERRSTYLE_BEARER, 403, "insufficient_scope", NULL,
	    "WWW-Authenticate: Bearer error=\"insufficient_scope\"\r\n" },
	{ "bearer invalid_request", OIDC_E_INVALID_REQUEST, "two tokens",
	    OIDC_ERRSTYLE_BEARER, 400, "invalid_request", "two tokens",
	    "WWW-Authenticate: Bearer error=\"invalid_request\", "
	    "error_description=\"two tokens\"\r\n" },
	/* bearer_desc_quote: a '"' would end the quoted-string early. */
	{ "bearer_desc_quote", OIDC_E_INVALID_TOKEN, "bad \"kid\"",
	    OIDC_ERRSTYLE_BEARER, 401, "invalid_token", "bad \"kid\"",
	    "WWW-Authenticate: Bearer error=\"invalid_token\"\r\n" },
	{ "bearer_desc_quote backslash", OIDC_E_INVALID_TOKEN, "a\\",
	    OIDC_ERRSTYLE_BEARER, 401, "invalid_token", "a\\",
	    "WWW-Authenticate: Bearer error=\"invalid_token\"\r\n" },
	{ "json invalid_token: no challenge", OIDC_E_INVALID_TOKEN, NULL,
	    OIDC_ERRSTYLE_JSON, 401, "invalid_token", NULL, NULL },
	{ "html invalid_request", OIDC_E_INVALID_REQUEST, "redirect_uri is "
	    "not registered", OIDC_ERRSTYLE_HTML, 400, "invalid_request",
	    "redirect_uri is not registered", NULL },
	{ "html no desc", OIDC_E_INVALID_REQUEST, NULL, OIDC_ERRSTYLE_HTML,
	    400, "invalid_request", "The request is not valid.", NULL },
	{ "detail_not_leaked html", OIDC_E_DB, "relation missing",
	    OIDC_ERRSTYLE_HTML, 500, "server_error", "internal error", NULL },
	{ "db_down html", OIDC_E_DB_DOWN, NULL, OIDC_ERRSTYLE_HTML, 503,
	    "temporarily_unavailable",
	    "the service is temporarily unavailable", NULL },
	/* no_key: a signing worker without a key for the alg (issue 20). */
	{ "no_key json", OIDC_E_NO_KEY, NULL, OIDC_ERRSTYLE_JSON, 503,
	    "temporarily_unavailable",
	    "the service is temporarily unavailable", NULL },
	/* busy: a 503 whose description is public, not an internal error. */
	{ "busy html", OIDC_E_BUSY, "Too many fetches.", OIDC_ERRSTYLE_HTML,
	    503, "temporarily_unavailable", "Too many fetches.", NULL },
};

static void
test_errors(struct oidc_arena *a)
{
	struct oidc_response	 r;
	struct oidc_error	 e, err;
	struct oidc_str		 out;
	const struct err_case	*c;
	const char		*v;
	char			 want[128];
	size_t			 i;

	for (i = 0; i < OIDC_NELEM(err_cases); i++) {
		c = &err_cases[i];
		e = mkerr(c->code, c->pub, SECRET);
		oidc_resp_init(&r, a);
		/* Something half-built that must not survive. */
		oidc_error_clear(&err);
		ok(oidc_resp_header(&r, "Set-Cookie", "half=built", &err) ==
		    0 && oidc_buf_puts(&r.body, "partial", &err) == 0,
		    "%s: half-built", c->test);
		oidc_resp_error(&r, &e, c->style);
		is_int(r.status, c->status, c->test);
		ok(!hdr_has(&r, "half=built") &&
		    strstr(r.body.p, "partial") == NULL,
		    "%s: half-built response dropped", c->test);
		ok(strstr(r.body.p, "hunter2") == NULL &&
		    !hdr_has(&r, "hunter2"), "%s: detail not in output",
		    c->test);
		if (c->pub != NULL && oidc_error_is_internal(c->code))
			ok(strstr(r.body.p, c->pub) == NULL,
			    "%s: public_desc of an internal error not shown",
			    c->test);
		ok(hdr_has(&r, "Cache-Control: no-store\r\n"),
		    "%s: no-store", c->test);
		if (c->code == OIDC_E_DB_DOWN || c->code == OIDC_E_BUSY ||
		    c->code == OIDC_E_NO_KEY)
			ok(hdr_has(&r, "Retry-After: 2\r\n"),
			    "%s: Retry-After", c->test);
		else
			ok(!hdr_has(&r, "Retry-After"), "%s: no Retry-After",
			    c->test);
		if (c->www != NULL)
			ok(hdr_has(&r, c->www), "%s: challenge", c->test);
		else
			ok(!hdr_has(&r, "WWW-Authenticate"),
			    "%s: no challenge", c->test);
		if (c->style == OIDC_ERRSTYLE_HTML) {
			ok(hdr_has(&r, "Content-Type: text/html"),
			    "%s: text/html", c->test);
			ok(hdr_has(&r, "frame-ancestors 'none'"),
			    "%s: CSP frame-ancestors", c->test);
			ok(hdr_has(&r, "X-Frame-Options: DENY"),
			    "%s: X-Frame-Options", c->test);
			(void)snprintf(want, sizeof(want), "<code>%s</code>",
			    c->error);
			ok(strstr(r.body.p, want) != NULL, "%s: code shown",
			    c->test);
			ok(strstr(r.body.p, c->desc) != NULL,
			    "%s: message shown", c->test);
			ok(strncmp(r.body.p, "<!DOCTYPE html>", 15) == 0,
			    "%s: full page", c->test);
		} else {
			ok(hdr_has(&r, "Content-Type: application/json\r\n"),
			    "%s: application/json", c->test);
			ok(hdr_has(&r, "Pragma: no-cache\r\n"),
			    "%s: Pragma", c->test);
			is_str(json_member(a, &r, "error"), c->error, c->test);
			v = json_member(a, &r, "error_description");
			if (c->desc == NULL)
				ok(v == NULL, "%s: no error_description",
				    c->test);
			else
				is_str(v, c->desc, c->test);
		}
		oidc_error_clear(&err);
		is_int(oidc_resp_serialize(&r, &out, &err), 0, c->test);
		(void)snprintf(want, sizeof(want), "Status: %d ", c->status);
		ok(strncmp(out.p, want, strlen(want)) == 0, "%s: status line",
		    c->test);
		oidc_arena_reset(a);
	}
}

static void
test_basic_challenge(struct oidc_arena *a)
{
	struct oidc_response	 r;
	struct oidc_error	 e;

	e = mkerr(OIDC_E_INVALID_CLIENT, "client authentication failed", "x");
	oidc_resp_init(&r, a);
	r.basic_auth_tried = true;
	oidc_resp_error(&r, &e, OIDC_ERRSTYLE_JSON);
	is_int(r.status, 401, "invalid_client after Basic: 401");
	ok(hdr_has(&r, "WWW-Authenticate: Basic realm=\"oidc\""),
	    "invalid_client after Basic: Basic challenge");
	is_str(json_member(a, &r, "error"), "invalid_client",
	    "invalid_client after Basic: error");
	oidc_arena_reset(a);

	oidc_resp_init(&r, a);
	oidc_resp_error(&r, &e, OIDC_ERRSTYLE_JSON);
	ok(!hdr_has(&r, "WWW-Authenticate"),
	    "invalid_client without Basic: no challenge");
	oidc_arena_reset(a);

	/* Only invalid_client gets the Basic challenge. */
	e = mkerr(OIDC_E_INVALID_GRANT, NULL, "x");
	oidc_resp_init(&r, a);
	r.basic_auth_tried = true;
	oidc_resp_error(&r, &e, OIDC_ERRSTYLE_JSON);
	ok(!hdr_has(&r, "WWW-Authenticate"),
	    "invalid_grant after Basic: no challenge");
	oidc_arena_reset(a);
}

/* The fallback: a fixed 500 when even the error cannot be built. */
static void
test_fallback(void)
{
	struct oidc_arena	*tiny;
	struct oidc_response	 r;
	struct oidc_error	 e, err = { 0 };
	struct oidc_str		 out;

	tiny = oidc_arena_new(256, 1024);
	e = mkerr(OIDC_E_INVALID_REQUEST, "desc", SECRET);
	oidc_resp_init(&r, tiny);
	oidc_resp_error(&r, &e, OIDC_ERRSTYLE_HTML);
	is_int(r.status, 500, "fallback: 500");
	is_str(r.body.p, "{\"error\":\"server_error\"}", "fallback: body");
	ok(hdr_has(&r, "Cache-Control: no-store"), "fallback: no-store");
	oidc_arena_free(tiny);
	/* The fallback serialises with a roomy arena. */
	tiny = oidc_arena_new(4096, 1 << 20);
	oidc_resp_init(&r, tiny);
	r.status = 500;
	r.headers.p = (char *)(uintptr_t)"Content-Type: application/json\r\n";
	r.headers.len = strlen(r.headers.p);
	is_int(oidc_resp_serialize(&r, &out, &err), 0, "fallback: serialize");
	oidc_arena_free(tiny);
}

static void
render(struct oidc_arena *a, const char *tmpl,
    const struct oidc_html_var *v, size_t n, const char *want,
    const char *test)
{
	struct oidc_buf		 b;
	struct oidc_error	 err = { 0 };

	oidc_buf_init(&b, a, 65536);
	is_int(oidc_html_render(&b, tmpl, v, n, &err), 0, test);
	is_str(oidc_buf_str(&b).p, want, test);
	oidc_arena_reset(a);
}

static void
test_html(struct oidc_arena *a)
{
	const struct oidc_html_var	 v[] = {
		{ "name", { S("Ann & <b>Bob</b>") } },
		{ "attr", { S("x\" onmouseover=\"alert(1)") } },
		{ "sq", { S("x' onfocus='alert(1)") } },
		{ "frag", { S("<p>safe fragment</p>") } },
		{ "empty", { S("") } },
		{ "null", { NULL, 0 } },
		{ "nul", { "a\0b", 3 } },
	};
	struct oidc_buf		 b;
	struct oidc_error	 err = { 0 };
	struct oidc_str		 s;

	render(a, "no placeholders", v, OIDC_NELEM(v), "no placeholders",
	    "html: literal");
	render(a, "", v, OIDC_NELEM(v), "", "html: empty template");
	/* html_injection: & < > " ' are all escaped. */
	render(a, "<p>{{name}}</p>", v, OIDC_NELEM(v),
	    "<p>Ann &amp; &lt;b&gt;Bob&lt;/b&gt;</p>", "html_injection text");
	render(a, "<input value=\"{{attr}}\">", v, OIDC_NELEM(v),
	    "<input value=\"x&quot; onmouseover=&quot;alert(1)\">",
	    "html_injection double-quoted attribute");
	render(a, "<input value='{{sq}}'>", v, OIDC_NELEM(v),
	    "<input value='x&#39; onfocus=&#39;alert(1)'>",
	    "html_injection single-quoted attribute");
	render(a, "<main>{{{frag}}}</main>", v, OIDC_NELEM(v),
	    "<main><p>safe fragment</p></main>", "html: raw {{{x}}}");
	render(a, "{{frag}}", v, OIDC_NELEM(v),
	    "&lt;p&gt;safe fragment&lt;/p&gt;", "html: {{x}} escapes");
	render(a, "[{{unknown}}][{{{unknown}}}]", v, OIDC_NELEM(v), "[][]",
	    "html: unknown placeholder is empty");
	render(a, "[{{empty}}][{{null}}]", v, OIDC_NELEM(v), "[][]",
	    "html: empty and NULL values");
	render(a, "{{name}}{{name}}", v, 1,
	    "Ann &amp; &lt;b&gt;Bob&lt;/b&gt;Ann &amp; &lt;b&gt;Bob&lt;/b&gt;",
	    "html: repeated placeholder");
	render(a, "{{nam}}{{names}}", v, OIDC_NELEM(v), "",
	    "html: names match exactly");
	render(a, "a } b }} c", v, OIDC_NELEM(v), "a } b }} c",
	    "html: stray braces");
	render(a, "{{name}}", v, 0, "", "html: no vars");

	/* A value with '{{' is data, not a placeholder. */
	{
		const struct oidc_html_var	 w[] = {
			{ "x", { S("{{y}}") } }, { "y", { S("BAD") } }
		};
		render(a, "{{x}}", w, 2, "{{y}}",
		    "html_injection placeholder in value");
	}

	oidc_buf_init(&b, a, 1024);
	is_int(oidc_html_render(&b, "a {{open", v, OIDC_NELEM(v), &err), -1,
	    "html: unterminated placeholder");
	oidc_arena_reset(a);
	oidc_error_clear(&err);
	oidc_buf_init(&b, a, 1024);
	is_int(oidc_html_render(&b, "a {{{open}}", v, OIDC_NELEM(v), &err), -1,
	    "html: unterminated raw placeholder");
	oidc_arena_reset(a);

	/* The layout: title escaped, body raw, no external resources. */
	oidc_error_clear(&err);
	oidc_buf_init(&b, a, 65536);
	is_int(oidc_html_page(&b, "A <t> & \"q\"", (struct oidc_str){
	    S("<p>body</p>") }, &err), 0, "html_page");
	s = oidc_buf_str(&b);
	ok(has(s, "<title>A &lt;t&gt; &amp; &quot;q&quot;</title>"),
	    "html_page: title escaped");
	ok(has(s, "<main>\n<p>body</p>\n</main>"), "html_page: body raw");
	ok(!has(s, "<script") && !has(s, "src=") && !has(s, "<link"),
	    "html_page: no scripts or external resources");
	ok(strncmp(s.p, "<!DOCTYPE html>", 15) == 0, "html_page: doctype");
	oidc_arena_reset(a);

	/* A buffer limit surfaces as an error. */
	oidc_error_clear(&err);
	oidc_buf_init(&b, a, 4);
	is_int(oidc_html_render(&b, "{{name}}", v, 1, &err), -1,
	    "html: buffer limit");
	is_int(err.code, OIDC_E_LIMIT, "html: buffer limit: LIMIT");
	oidc_arena_reset(a);
}

/* html_injection through oidc_resp_error: the message is escaped. */
static void
test_error_page_escaped(struct oidc_arena *a)
{
	struct oidc_response	 r;
	struct oidc_error	 e;

	e = mkerr(OIDC_E_INVALID_REQUEST, "<script>alert(\"x\")</script>", "d");
	oidc_resp_init(&r, a);
	oidc_resp_error(&r, &e, OIDC_ERRSTYLE_HTML);
	ok(strstr(r.body.p, "<script>") == NULL,
	    "html_injection error page: no raw tag");
	ok(strstr(r.body.p, "&lt;script&gt;alert(&quot;x&quot;)") != NULL,
	    "html_injection error page: escaped");
	oidc_arena_reset(a);
}

int
main(void)
{
	struct oidc_arena	*a;

	a = oidc_arena_new(4096, 8 << 20);
	test_headers(a);
	test_serialize(a);
	test_errors(a);
	test_basic_challenge(a);
	test_fallback();
	test_html(a);
	test_error_page_escaped(a);
	oidc_arena_free(a);
	return done_testing();
}
