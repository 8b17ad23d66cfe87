/*
 * test_request.c: building struct oidc_request from FastCGI parameters and
 * the body (common/http/request.c).
 *
 * The parameters come from a table (a fake oidc_param_fn), the body from a
 * buffer through one of three fake readers: whole, one byte per call, or
 * one that stops early.  Every reader counts its calls so the tests can
 * assert that an oversized body is refused before a byte of it is read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/request.h"

#include "tap.h"

struct kv {
	const char	*name;
	const char	*value;
};

struct params {
	const struct kv	*v;		/* terminated by { NULL, NULL } */
};

static const char *
get_param(void *arg, const char *name)
{
	const struct params	*p = arg;
	size_t			 i;

	for (i = 0; p->v[i].name != NULL; i++)
		if (strcmp(p->v[i].name, name) == 0)
			return p->v[i].value;
	return NULL;
}

enum rd_mode { RD_WHOLE, RD_BYTE, RD_EOF_EARLY, RD_ERROR };

struct body {
	const char	*p;
	size_t		 len, off;
	enum rd_mode	 mode;
	size_t		 stop;		/* RD_EOF_EARLY: bytes before EOF */
	int		 calls;
};

static long
read_body(void *arg, char *buf, size_t len)
{
	struct body	*b = arg;
	size_t		 n;

	b->calls++;
	if (b->mode == RD_ERROR)
		return -1;
	n = b->len - b->off;
	if (b->mode == RD_EOF_EARLY && b->off + n > b->stop)
		n = b->stop > b->off ? b->stop - b->off : 0;
	if (n > len)
		n = len;
	if (b->mode == RD_BYTE && n > 1)
		n = 1;
	memcpy(buf, b->p + b->off, n);
	b->off += n;
	return (long)n;
}

static int
parse(struct oidc_arena *a, const struct kv *kv, struct body *b,
    size_t max_body, enum oidc_body_kind kind, struct oidc_request *req,
    struct oidc_error *err)
{
	struct params	 p = { kv };

	oidc_error_clear(err);
	return oidc_request_parse(a, get_param, &p, read_body, b, max_body,
	    kind, req, err);
}

#define FORM	"application/x-www-form-urlencoded"

/* POST with a form body and CONTENT_LENGTH `cl`. */
struct cl_case {
	const char		*test;
	const char		*cl;
	const char		*ctype;
	enum oidc_body_kind	 kind;
	enum rd_mode		 mode;
	int			 rc;
	enum oidc_errcode	 code;
	bool			 reader_called;
};

#define BODY	"grant_type=x&code=abc"	/* 21 bytes */

static const struct cl_case cl_cases[] = {
	{ "content_length exact", "21", FORM, OIDC_BODY_FORM, RD_WHOLE, 0,
	    OIDC_E_NONE, true },
	{ "content_length short reads loop", "21", FORM, OIDC_BODY_FORM,
	    RD_BYTE, 0, OIDC_E_NONE, true },
	{ "content_length empty: no body", "", FORM, OIDC_BODY_FORM, RD_WHOLE,
	    0, OIDC_E_NONE, false },
	{ "content_length absent: no body", NULL, FORM, OIDC_BODY_FORM,
	    RD_WHOLE, 0, OIDC_E_NONE, false },
	{ "content_length 0", "0", FORM, OIDC_BODY_FORM, RD_WHOLE, 0,
	    OIDC_E_NONE, false },
	{ "content_length plus", "+21", FORM, OIDC_BODY_FORM, RD_WHOLE, -1,
	    OIDC_E_INVALID_REQUEST, false },
	{ "content_length leading space", " 21", FORM, OIDC_BODY_FORM,
	    RD_WHOLE, -1, OIDC_E_INVALID_REQUEST, false },
	{ "content_length trailing junk", "21a", FORM, OIDC_BODY_FORM,
	    RD_WHOLE, -1, OIDC_E_INVALID_REQUEST, false },
	{ "content_length negative", "-1", FORM, OIDC_BODY_FORM, RD_WHOLE, -1,
	    OIDC_E_INVALID_REQUEST, false },
	{ "content_length hex", "0x15", FORM, OIDC_BODY_FORM, RD_WHOLE, -1,
	    OIDC_E_INVALID_REQUEST, false },
	{ "content_length overflow", "99999999999999999999", FORM,
	    OIDC_BODY_FORM, RD_WHOLE, -1, OIDC_E_INVALID_REQUEST, false },
	/*
	 * content_length_mismatch: a body shorter than announced is refused,
	 * never padded or parsed in part.
	 */
	{ "content_length_mismatch EOF early", "21", FORM, OIDC_BODY_FORM,
	    RD_EOF_EARLY, -1, OIDC_E_INVALID_REQUEST, true },
	{ "content_length_mismatch read error", "21", FORM, OIDC_BODY_FORM,
	    RD_ERROR, -1, OIDC_E_INVALID_REQUEST, true },
	{ "content_length_mismatch announced more", "22", FORM,
	    OIDC_BODY_FORM, RD_WHOLE, -1, OIDC_E_INVALID_REQUEST, true },
	/* oversize_body: refused with 413 before the reader is called. */
	{ "oversize_body max+1", "33", FORM, OIDC_BODY_FORM, RD_WHOLE, -1,
	    OIDC_E_BODY_TOO_LARGE, false },
	{ "oversize_body huge", "18446744073709551615", FORM, OIDC_BODY_FORM,
	    RD_WHOLE, -1, OIDC_E_BODY_TOO_LARGE, false },
	{ "oversize_body wrong content type too", "33", "text/plain",
	    OIDC_BODY_FORM, RD_WHOLE, -1, OIDC_E_BODY_TOO_LARGE, false },
	/* Content-Type. */
	{ "content type with charset", "21", FORM "; charset=UTF-8",
	    OIDC_BODY_FORM, RD_WHOLE, 0, OIDC_E_NONE, true },
	{ "content type case-insensitive",
	    "21", "Application/X-WWW-Form-URLEncoded", OIDC_BODY_FORM,
	    RD_WHOLE, 0, OIDC_E_NONE, true },
	{ "content type wrong", "21", "text/plain", OIDC_BODY_FORM, RD_WHOLE,
	    -1, OIDC_E_INVALID_REQUEST, false },
	{ "content type json for form", "21", "application/json",
	    OIDC_BODY_FORM, RD_WHOLE, -1, OIDC_E_INVALID_REQUEST, false },
	{ "content type absent", "21", NULL, OIDC_BODY_FORM, RD_WHOLE, -1,
	    OIDC_E_INVALID_REQUEST, false },
	{ "content type prefix only", "21", "application/x-www-form",
	    OIDC_BODY_FORM, RD_WHOLE, -1, OIDC_E_INVALID_REQUEST, false },
	{ "content type with suffix", "21", FORM "x", OIDC_BODY_FORM,
	    RD_WHOLE, -1, OIDC_E_INVALID_REQUEST, false },
	{ "json kind", "21", "application/json; charset=utf-8",
	    OIDC_BODY_JSON, RD_WHOLE, 0, OIDC_E_NONE, true },
	{ "json kind wrong type", "21", FORM, OIDC_BODY_JSON, RD_WHOLE, -1,
	    OIDC_E_INVALID_REQUEST, false },
};

static void
run_cl_cases(struct oidc_arena *a)
{
	struct oidc_request	 req;
	struct oidc_error	 err;
	struct body		 b;
	struct kv		 kv[4];
	const struct cl_case	*c;
	size_t			 i, n;
	int			 rc;

	for (i = 0; i < OIDC_NELEM(cl_cases); i++) {
		c = &cl_cases[i];
		n = 0;
		kv[n++] = (struct kv){ "REQUEST_METHOD", "POST" };
		if (c->cl != NULL)
			kv[n++] = (struct kv){ "CONTENT_LENGTH", c->cl };
		if (c->ctype != NULL)
			kv[n++] = (struct kv){ "CONTENT_TYPE", c->ctype };
		kv[n] = (struct kv){ NULL, NULL };
		b = (struct body){ BODY, sizeof(BODY) - 1, 0, c->mode, 5, 0 };
		rc = parse(a, kv, &b, 32, c->kind, &req, &err);
		is_int(rc, c->rc, c->test);
		is_int(err.code, c->code, c->test);
		is_int(req.method, OIDC_METHOD_POST, c->test);
		ok((b.calls > 0) == c->reader_called, "%s: reader %s", c->test,
		    c->reader_called ? "called" : "never called");
		if (c->mode == RD_BYTE && rc == 0)
			ok(b.calls >= 21, "%s: one byte per call", c->test);
		if (rc == 0 && c->reader_called) {
			ok(req.has_body, "%s: has_body", c->test);
			is_mem(req.body.p, req.body.len, BODY, sizeof(BODY) - 1,
			    c->test);
			ok(req.body.p[req.body.len] == '\0',
			    "%s: body NUL-terminated", c->test);
			if (c->kind == OIDC_BODY_FORM) {
				is_int(req.form.n, 2, c->test);
				is_str(oidc_request_param(&req, "code").p,
				    "abc", c->test);
			} else
				is_int(req.form.n, 0,
				    "json kind: body not parsed as a form");
		}
		if (rc == 0 && !c->reader_called)
			ok(!req.has_body && req.form.n == 0, "%s: no body",
			    c->test);
		oidc_arena_reset(a);
	}
}

static void
test_oversize_exact(struct oidc_arena *a)
{
	const struct kv		 kv[] = {
		{ "REQUEST_METHOD", "POST" }, { "CONTENT_LENGTH", "21" },
		{ "CONTENT_TYPE", FORM }, { NULL, NULL }
	};
	struct oidc_request	 req;
	struct oidc_error	 err;
	struct body		 b = { BODY, sizeof(BODY) - 1, 0, RD_WHOLE, 0, 0 };

	/* max_body = Content-Length passes; one less is 413. */
	is_int(parse(a, kv, &b, 21, OIDC_BODY_FORM, &req, &err), 0,
	    "oversize_body at max");
	oidc_arena_reset(a);
	b = (struct body){ BODY, sizeof(BODY) - 1, 0, RD_WHOLE, 0, 0 };
	is_int(parse(a, kv, &b, 20, OIDC_BODY_FORM, &req, &err), -1,
	    "oversize_body max+1");
	is_int(err.code, OIDC_E_BODY_TOO_LARGE, "oversize_body max+1: 413");
	is_int(b.calls, 0, "oversize_body max+1: reader never called");
	oidc_arena_reset(a);
}

struct method_case {
	const char		*in;
	enum oidc_method	 m;
};

static const struct method_case method_cases[] = {
	{ "GET", OIDC_METHOD_GET }, { "POST", OIDC_METHOD_POST },
	{ "OPTIONS", OIDC_METHOD_OPTIONS }, { "HEAD", OIDC_METHOD_HEAD },
	{ "PUT", OIDC_METHOD_PUT }, { "DELETE", OIDC_METHOD_DELETE },
	{ "PATCH", OIDC_METHOD_OTHER }, { "get", OIDC_METHOD_OTHER },
	{ "GETX", OIDC_METHOD_OTHER }, { "GE", OIDC_METHOD_OTHER },
	{ "", OIDC_METHOD_OTHER }, { NULL, OIDC_METHOD_OTHER },
};

static void
test_methods(struct oidc_arena *a)
{
	struct oidc_request	 req;
	struct oidc_error	 err;
	struct body		 b = { "", 0, 0, RD_WHOLE, 0, 0 };
	struct kv		 kv[2];
	size_t			 i;
	char			 name[64];

	for (i = 0; i < OIDC_NELEM(method_cases); i++) {
		kv[0] = (struct kv){ method_cases[i].in != NULL ?
		    "REQUEST_METHOD" : "X", method_cases[i].in };
		kv[1] = (struct kv){ NULL, NULL };
		(void)snprintf(name, sizeof(name), "method \"%s\"",
		    method_cases[i].in != NULL ? method_cases[i].in : "(absent)");
		is_int(parse(a, kv, &b, 16, OIDC_BODY_FORM, &req, &err), 0,
		    name);
		is_int(req.method, method_cases[i].m, name);
		oidc_arena_reset(a);
	}
	is_int(b.calls, 0, "methods: no body read without CONTENT_LENGTH");

	/* PUT reads a body too; GET with CONTENT_LENGTH does not. */
	{
		const struct kv	 put[] = {
			{ "REQUEST_METHOD", "PUT" }, { "CONTENT_LENGTH", "3" },
			{ "CONTENT_TYPE", "application/json" }, { NULL, NULL }
		};
		const struct kv	 get[] = {
			{ "REQUEST_METHOD", "GET" }, { "CONTENT_LENGTH", "3" },
			{ "CONTENT_TYPE", "text/plain" }, { NULL, NULL }
		};

		b = (struct body){ "{}x", 3, 0, RD_WHOLE, 0, 0 };
		is_int(parse(a, put, &b, 16, OIDC_BODY_JSON, &req, &err), 0,
		    "PUT body");
		is_mem(req.body.p, req.body.len, "{}x", 3, "PUT body: raw");
		oidc_arena_reset(a);
		b = (struct body){ "a=b", 3, 0, RD_WHOLE, 0, 0 };
		is_int(parse(a, get, &b, 1, OIDC_BODY_FORM, &req, &err), 0,
		    "GET body ignored");
		is_int(b.calls, 0, "GET body: reader never called");
		ok(!req.has_body, "GET body: has_body false");
		oidc_arena_reset(a);
	}
}

static void
test_headers(struct oidc_arena *a)
{
	struct oidc_request	 req;
	struct oidc_error	 err;
	struct body		 b = { "", 0, 0, RD_WHOLE, 0, 0 };
	static const char *const names[] = {
		"REQUEST_METHOD", "DOCUMENT_URI", "CONTENT_TYPE",
		"HTTP_AUTHORIZATION", "HTTP_COOKIE", "HTTP_ORIGIN",
		"HTTP_IF_NONE_MATCH", "REMOTE_ADDR", "CONTENT_LENGTH"
	};
	const struct kv		 all[] = {
		{ "REQUEST_METHOD", "GET" }, { "DOCUMENT_URI", "/token" },
		{ "CONTENT_TYPE", "text/plain" },
		{ "HTTP_AUTHORIZATION", "Bearer x" },
		{ "HTTP_COOKIE", "sid=1" }, { "HTTP_ORIGIN", "https://rp" },
		{ "HTTP_IF_NONE_MATCH", "\"e1\"" },
		{ "REMOTE_ADDR", "192.0.2.1" }, { "HTTP_HOST", "evil" },
		{ NULL, NULL }
	};
	struct kv		 kv[3];
	char			*big, name[96];
	size_t			 i;

	is_int(parse(a, all, &b, 16, OIDC_BODY_FORM, &req, &err), 0,
	    "headers");
	is_mem(req.path.p, req.path.len, "/token", 6, "headers: path");
	is_mem(req.content_type.p, req.content_type.len, "text/plain", 10,
	    "headers: content_type");
	is_mem(req.authorization.p, req.authorization.len, "Bearer x", 8,
	    "headers: authorization");
	is_mem(req.cookie.p, req.cookie.len, "sid=1", 5, "headers: cookie");
	is_mem(req.origin.p, req.origin.len, "https://rp", 10,
	    "headers: origin");
	is_mem(req.if_none_match.p, req.if_none_match.len, "\"e1\"", 4,
	    "headers: if_none_match");
	is_mem(req.remote_addr.p, req.remote_addr.len, "192.0.2.1", 9,
	    "headers: remote_addr");
	oidc_arena_reset(a);
	is_int(parse(a, (const struct kv[]){ { NULL, NULL } }, &b, 16,
	    OIDC_BODY_FORM, &req, &err), 0, "headers: none at all");
	ok(req.authorization.p == NULL && req.cookie.p == NULL &&
	    req.path.p == NULL, "headers: absent is OIDC_STR_NULL");
	oidc_arena_reset(a);

	/* long_header: 8192 bytes pass, 8193 are OIDC_E_LIMIT, per header. */
	big = malloc(OIDC_REQUEST_MAX_HEADER + 2);
	memset(big, 'a', OIDC_REQUEST_MAX_HEADER + 1);
	for (i = 0; i < OIDC_NELEM(names); i++) {
		big[OIDC_REQUEST_MAX_HEADER] = '\0';
		kv[0] = (struct kv){ names[i], big };
		kv[1] = (struct kv){ NULL, NULL };
		(void)snprintf(name, sizeof(name), "long_header %s max",
		    names[i]);
		if (strcmp(names[i], "CONTENT_LENGTH") == 0) {
			/* Too long to be a number, but not a LIMIT. */
			kv[1] = (struct kv){ "REQUEST_METHOD", "POST" };
			kv[2] = (struct kv){ NULL, NULL };
			is_int(parse(a, kv, &b, 16, OIDC_BODY_FORM, &req, &err),
			    -1, name);
			is_int(err.code, OIDC_E_INVALID_REQUEST, name);
		} else
			is_int(parse(a, kv, &b, 16, OIDC_BODY_FORM, &req, &err),
			    0, name);
		oidc_arena_reset(a);
		big[OIDC_REQUEST_MAX_HEADER] = 'a';
		big[OIDC_REQUEST_MAX_HEADER + 1] = '\0';
		(void)snprintf(name, sizeof(name), "long_header %s +1",
		    names[i]);
		is_int(parse(a, kv, &b, 16, OIDC_BODY_FORM, &req, &err), -1,
		    name);
		is_int(err.code, OIDC_E_LIMIT, name);
		oidc_arena_reset(a);
	}
	free(big);
	is_int(b.calls, 0, "long_header: reader never called");
}

static void
test_query(struct oidc_arena *a)
{
	struct oidc_request	 req;
	struct oidc_error	 err;
	struct body		 b;
	struct kv		 kv[5];

	b = (struct body){ "", 0, 0, RD_WHOLE, 0, 0 };
	kv[0] = (struct kv){ "REQUEST_METHOD", "GET" };
	kv[1] = (struct kv){ "QUERY_STRING", "client_id=c1&scope=openid+email" };
	kv[2] = (struct kv){ NULL, NULL };
	is_int(parse(a, kv, &b, 16, OIDC_BODY_FORM, &req, &err), 0, "query");
	is_int(req.query.n, 2, "query: pairs");
	is_str(oidc_request_param(&req, "scope").p, "openid email",
	    "request_param GET: from the query");
	ok(oidc_request_param(&req, "nope").p == NULL,
	    "request_param GET: absent");
	oidc_arena_reset(a);

	/* Query errors propagate; the method is still set. */
	kv[1] = (struct kv){ "QUERY_STRING", "a=1&a=2" };
	is_int(parse(a, kv, &b, 16, OIDC_BODY_FORM, &req, &err), -1,
	    "duplicate_param in query");
	is_int(err.code, OIDC_E_INVALID_REQUEST, "duplicate_param in query: code");
	is_int(req.method, OIDC_METHOD_GET, "duplicate_param: method kept");
	oidc_arena_reset(a);
	kv[1] = (struct kv){ "QUERY_STRING", "a=%zz" };
	is_int(parse(a, kv, &b, 16, OIDC_BODY_FORM, &req, &err), -1,
	    "bad escape in query");
	is_int(err.code, OIDC_E_INVALID_REQUEST, "bad escape in query: code");
	oidc_arena_reset(a);
	kv[1] = (struct kv){ "QUERY_STRING", "a=x%00y" };
	is_int(parse(a, kv, &b, 16, OIDC_BODY_FORM, &req, &err), -1,
	    "nul_in_param in query");
	oidc_arena_reset(a);

	/* POST: parameters come from the form, never from the query. */
	b = (struct body){ "code=form", 9, 0, RD_WHOLE, 0, 0 };
	kv[0] = (struct kv){ "REQUEST_METHOD", "POST" };
	kv[1] = (struct kv){ "QUERY_STRING", "code=query&x=1" };
	kv[2] = (struct kv){ "CONTENT_LENGTH", "9" };
	kv[3] = (struct kv){ "CONTENT_TYPE", FORM };
	kv[4] = (struct kv){ NULL, NULL };
	is_int(parse(a, kv, &b, 16, OIDC_BODY_FORM, &req, &err), 0,
	    "POST with query");
	is_str(oidc_request_param(&req, "code").p, "form",
	    "request_param POST: from the form");
	ok(oidc_request_param(&req, "x").p == NULL,
	    "request_param POST: query ignored");
	is_int(req.query.n, 2, "POST: query still parsed");
	oidc_arena_reset(a);

	/* Form errors in the body propagate (duplicate_param). */
	b = (struct body){ "a=1&a=2", 7, 0, RD_WHOLE, 0, 0 };
	kv[1] = (struct kv){ "QUERY_STRING", "" };
	kv[2] = (struct kv){ "CONTENT_LENGTH", "7" };
	is_int(parse(a, kv, &b, 16, OIDC_BODY_FORM, &req, &err), -1,
	    "duplicate_param in body");
	is_int(err.code, OIDC_E_INVALID_REQUEST,
	    "duplicate_param in body: code");
	oidc_arena_reset(a);
}

struct allow_case {
	unsigned	 m;
	const char	*want;
};

static const struct allow_case allow_cases[] = {
	{ OIDC_METHOD_GET, "GET" },
	{ OIDC_METHOD_POST, "POST" },
	{ OIDC_METHOD_GET | OIDC_METHOD_POST, "GET, POST" },
	{ OIDC_METHOD_GET | OIDC_METHOD_OPTIONS, "GET, OPTIONS" },
	{ OIDC_METHOD_POST | OIDC_METHOD_OPTIONS, "POST, OPTIONS" },
	{ OIDC_METHOD_GET | OIDC_METHOD_POST | OIDC_METHOD_OPTIONS,
	    "GET, POST, OPTIONS" },
	{ 0, "" },
	{ OIDC_METHOD_OPTIONS, "" },
	{ OIDC_METHOD_DELETE, "" },
};

static void
test_allow(void)
{
	size_t	 i;
	char	 name[64];

	for (i = 0; i < OIDC_NELEM(allow_cases); i++) {
		(void)snprintf(name, sizeof(name), "method_allow 0x%x",
		    allow_cases[i].m);
		is_str(oidc_method_allow(allow_cases[i].m),
		    allow_cases[i].want, name);
	}
}

/*
 * oidc_request_env: only the web server's own parameters, bounded.  A
 * client header "Remote-User:" arrives as HTTP_REMOTE_USER (RFC 3875
 * 4.1.18) and must not be taken for REMOTE_USER.
 */
static void
test_env(struct oidc_arena *a)
{
	static const struct kv	 kv[] = {
		{ "REQUEST_METHOD", "GET" },
		{ "REMOTE_USER", "alice" },
		{ "HTTP_REMOTE_USER", "mallory" },
		{ "HTTP_X_REMOTE_USER", "mallory" },
		{ "EMPTY", "" },
		{ "LONG", "0123456789" },
		{ NULL, NULL }
	};
	static const struct kv	 spoof[] = {
		{ "REQUEST_METHOD", "GET" },
		{ "HTTP_REMOTE_USER", "mallory" },
		{ NULL, NULL }
	};
	struct params		 p = { kv }, ps = { spoof };
	struct body		 b = { "", 0, 0, RD_WHOLE, 0, 0 };
	struct oidc_request	 req;
	struct oidc_error	 err = { 0 };
	struct oidc_str		 v;

	is_int(oidc_request_parse(a, get_param, &p, read_body, &b, 1024,
	    OIDC_BODY_FORM, &req, &err), 0, "env: parsed");
	is_int(oidc_request_env(&req, "REMOTE_USER", 128, &v), 1,
	    "env: REMOTE_USER present");
	ok(oidc_str_eq_cstr(v, "alice"), "env: REMOTE_USER is the web "
	    "server's, not the header's");
	is_int(oidc_request_env(&req, "MISSING", 128, &v), 0, "env: absent");
	is_int(oidc_request_env(&req, "EMPTY", 128, &v), 0,
	    "env: empty counts as absent");
	is_int(oidc_request_env(&req, "LONG", 10, &v), 1, "env: at the limit");
	is_int((int)v.len, 10, "env: length");
	is_int(oidc_request_env(&req, "LONG", 9, &v), -1, "env: over the limit");
	is_int(oidc_request_parse(a, get_param, &ps, read_body, &b, 1024,
	    OIDC_BODY_FORM, &req, &err), 0, "env: spoof parsed");
	is_int(oidc_request_env(&req, "REMOTE_USER", 128, &v), 0,
	    "env: a Remote-User header is not REMOTE_USER");
	memset(&req, 0, sizeof(req));
	is_int(oidc_request_env(&req, "REMOTE_USER", 128, &v), 0,
	    "env: a request built by hand has none");
	oidc_arena_reset(a);
}

int
main(void)
{
	struct oidc_arena	*a;

	a = oidc_arena_new(4096, 4 << 20);
	run_cl_cases(a);
	test_oversize_exact(a);
	test_methods(a);
	test_headers(a);
	test_query(a);
	test_allow();
	test_env(a);
	oidc_arena_free(a);
	return done_testing();
}
