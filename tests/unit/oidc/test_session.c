/*
 * test_session.c: the cookie decisions of common/oidc/session.c
 * (oidc/session.h) without a database: which cookie names a session
 * (oidc_session under http, only __Host-oidc_session under https), which
 * values are looked up at all (1..128 bytes, one cookie of that name),
 * the CSRF double submit, and the Set-Cookie attributes.  A usable cookie
 * goes on to the lookup, here a database that cannot be reached
 * (OIDC_E_DB_DOWN); an unusable one is "no session" without a query.
 *
 * Security regressions: host_prefix_dropped (a plain oidc_session cookie
 * under https, settable by a sibling host), csrf_mismatch, csrf_missing,
 * session_cookie_duplicated.
 */
#include <stdio.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/buf.h"
#include "oidc/config.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/request.h"
#include "oidc/response.h"
#include "oidc/session.h"

#include "tap.h"

static struct oidc_arena	*a;
static struct oidc_config	 cfg_http, cfg_https;
static struct oidc_ctx		 ctx;

static struct oidc_str
str(const char *s)
{
	return s == NULL ? (struct oidc_str)OIDC_STR_NULL :
	    (struct oidc_str){ s, strlen(s) };
}

static void
request(struct oidc_request *req, const char *cookie)
{
	memset(req, 0, sizeof(*req));
	req->cookie = str(cookie);
	snprintf(req->client_addr, sizeof(req->client_addr), "192.0.2.1");
}

struct cookie_case {
	const char	*test;
	bool		 https;
	const char	*cookie;
	int		 want;		/* 0 no session, -1 looked up */
};

static char	c128[200], c129[200];

static const struct cookie_case cases[] = {
	{ "no Cookie header: no session", false, NULL, 0 },
	{ "http: oidc_session looked up", false, "oidc_session=abc", -1 },
	{ "http: among other cookies, looked up", false,
	    "a=1; oidc_session=abc; b=2", -1 },
	{ "http: __Host-oidc_session is not ours", false,
	    "__Host-oidc_session=abc", 0 },
	{ "https: __Host-oidc_session looked up", true,
	    "__Host-oidc_session=abc", -1 },
	{ "host_prefix_dropped: https, a plain oidc_session", true,
	    "oidc_session=abc", 0 },
	{ "an empty value: no session", false, "oidc_session=", 0 },
	{ "session_cookie_duplicated: no session", false,
	    "oidc_session=a; oidc_session=b", 0 },
	{ "another cookie only: no session", false, "oidc_sessionx=abc", 0 },
	{ "a value of 128 bytes: looked up", false, c128, -1 },
	{ "a value of 129 bytes: no session", false, c129, 0 },
};

static void
test_current(void)
{
	const struct cookie_case	*c;
	struct oidc_session_row		 s;
	struct oidc_request		 req;
	struct oidc_error		 err;
	size_t				 i;
	int				 rc;

	snprintf(c128, sizeof(c128), "oidc_session=%0128d", 0);
	snprintf(c129, sizeof(c129), "oidc_session=%0129d", 0);
	for (i = 0; i < OIDC_NELEM(cases); i++) {
		c = &cases[i];
		ctx.cfg = c->https ? &cfg_https : &cfg_http;
		request(&req, c->cookie);
		memset(&err, 0, sizeof(err));
		rc = oidc_session_current(&ctx, &req, &s, &err);
		if (!ok(rc == c->want && (rc == 0 ||
		    err.code == OIDC_E_DB_DOWN), "%s", c->test))
			diag("rc %d code %d %s", rc, (int)err.code, err.detail);
	}
	ctx.cfg = &cfg_http;
}

static void
test_client_consent(void)
{
	struct oidc_session_row	 s;
	struct oidc_client_row	 cr;
	struct oidc_consent_row	 consent;
	struct oidc_request	 req;
	struct oidc_error	 err = { 0 };
	char			 long_id[300];
	bool			 has_s = true, has_c = true;

	request(&req, "oidc_session=abc");
	ok(oidc_session_client_consent(&ctx, &req, str(""), &cr, &has_s, &s,
	    &has_c, &consent, &err) == 0 && !has_s && !has_c,
	    "an empty client_id: no such client, no query");
	memset(long_id, 'c', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	ok(oidc_session_client_consent(&ctx, &req, str(long_id), &cr, &has_s,
	    &s, &has_c, &consent, &err) == 0,
	    "a client_id over the limit: no such client, no query");
	ok(oidc_session_client_consent(&ctx, &req, str("rp1"), &cr, &has_s,
	    &s, &has_c, &consent, &err) == -1 && err.code == OIDC_E_DB_DOWN,
	    "a client_id: looked up");
}

struct csrf_case {
	const char	*test;
	bool		 https;
	const char	*cookie;
	const char	*form;
	bool		 want;
};

static const struct csrf_case csrf_cases[] = {
	{ "the same token: accepted", false, "oidc_csrf=tok123", "tok123",
	    true },
	{ "csrf_mismatch: another token", false, "oidc_csrf=tok123",
	    "tok124", false },
	{ "csrf_mismatch: a prefix", false, "oidc_csrf=tok123", "tok12",
	    false },
	{ "csrf_missing: no form field", false, "oidc_csrf=tok123", NULL,
	    false },
	{ "csrf_missing: no cookie", false, NULL, "tok123", false },
	{ "csrf_missing: an empty cookie and field", false, "oidc_csrf=", "",
	    false },
	{ "https: __Host-oidc_csrf accepted", true, "__Host-oidc_csrf=tok",
	    "tok", true },
	{ "https: a plain oidc_csrf refused", true, "oidc_csrf=tok", "tok",
	    false },
};

static void
test_csrf(void)
{
	const struct csrf_case	*c;
	struct oidc_request	 req;
	size_t			 i;

	for (i = 0; i < OIDC_NELEM(csrf_cases); i++) {
		c = &csrf_cases[i];
		ctx.cfg = c->https ? &cfg_https : &cfg_http;
		request(&req, c->cookie);
		ok(oidc_csrf_ok(&ctx, &req, str(c->form)) == c->want, "%s",
		    c->test);
	}
	ctx.cfg = &cfg_http;
}

/* The Set-Cookie header lines of resp, NUL-terminated. */
static const char *
headers(const struct oidc_response *r)
{
	return r->headers.p != NULL ?
	    oidc_arena_strndup(a, r->headers.p, r->headers.len) : "";
}

static void
test_set_cookie(void)
{
	struct oidc_request	 req;
	struct oidc_response	 resp;
	struct oidc_error	 err = { 0 };
	const char		*t, *h;
	char			 want[256];

	ctx.cfg = &cfg_http;
	request(&req, "oidc_csrf=kept");
	oidc_resp_init(&resp, a);
	t = oidc_csrf_token(&ctx, &req, &resp, &err);
	ok(t != NULL && strcmp(t, "kept") == 0 && resp.headers.len == 0,
	    "csrf token: the cookie's, no Set-Cookie");

	request(&req, NULL);
	oidc_resp_init(&resp, a);
	t = oidc_csrf_token(&ctx, &req, &resp, &err);
	h = headers(&resp);
	snprintf(want, sizeof(want), "Set-Cookie: oidc_csrf=%s; Path=/; "
	    "Max-Age=%lld; HttpOnly; SameSite=Lax\r\n", t != NULL ? t : "",
	    (long long)cfg_http.session_ttl);
	ok(t != NULL && strlen(t) >= 43 && strcmp(h, want) == 0,
	    "csrf token, http: a new 256-bit token, HttpOnly, SameSite=Lax");
	if (t == NULL || strcmp(h, want) != 0)
		diag("got %s\nwant %s", h, want);

	ctx.cfg = &cfg_https;
	oidc_resp_init(&resp, a);
	t = oidc_csrf_token(&ctx, &req, &resp, &err);
	h = headers(&resp);
	snprintf(want, sizeof(want), "Set-Cookie: __Host-oidc_csrf=%s; Path=/; "
	    "Max-Age=%lld; HttpOnly; SameSite=Lax; Secure\r\n",
	    t != NULL ? t : "", (long long)cfg_https.session_ttl);
	ok(t != NULL && strcmp(h, want) == 0,
	    "csrf token, https: __Host- and Secure");
	if (t == NULL || strcmp(h, want) != 0)
		diag("got %s\nwant %s", h, want);

	/* Ending a session without a cookie: no query, the cookie expires. */
	request(&req, NULL);
	oidc_resp_init(&resp, a);
	ok(oidc_session_end(&ctx, &req, &resp, &err) == 0 &&
	    strcmp(headers(&resp), "Set-Cookie: __Host-oidc_session=; Path=/; "
	    "Max-Age=0; HttpOnly; SameSite=Lax; Secure\r\n") == 0,
	    "session end without a session: the cookie expires (Max-Age=0)");
	request(&req, "__Host-oidc_session=abc");
	oidc_resp_init(&resp, a);
	ok(oidc_session_end(&ctx, &req, &resp, &err) == -1 &&
	    err.code == OIDC_E_DB_DOWN,
	    "session end with a session: deleted first (looked up)");
	ctx.cfg = &cfg_http;
}

static int
config(struct oidc_config *c, const char *issuer)
{
	struct oidc_error	 err = { 0 };
	char			 buf[256];
	int			 n;

	n = snprintf(buf, sizeof(buf), "issuer = %s\ndatabase = dbname=x\n",
	    issuer);
	return oidc_config_parse(a, "t", buf, (size_t)n, c, &err);
}

int
main(void)
{
	if ((a = oidc_arena_new(8192, 8 << 20)) == NULL)
		return 1;
	if (config(&cfg_http, "http://127.0.0.1:8080") == -1 ||
	    config(&cfg_https, "https://id.example") == -1)
		return 1;
	ok(!cfg_http.issuer_is_https && cfg_https.issuer_is_https,
	    "issuer_is_https follows the issuer's scheme");
	ctx.a = a;
	ctx.cfg = &cfg_http;
	ctx.now = 1700000000;
	/* A socket directory that does not exist: connecting fails at once. */
	if ((ctx.db = oidc_db_new("host=/nonexistent/oidc-unit-test dbname=x "
	    "connect_timeout=1", 1)) == NULL)
		return 1;
	test_current();
	test_client_consent();
	test_csrf();
	test_set_cookie();
	oidc_db_free(ctx.db);
	oidc_arena_free(a);
	return done_testing();
}
