/*
 * test_url.c: the URL parser and rules (common/base/url.c).
 *
 * One table of URLs, hostile ones named after the attack they carry, with
 * what the parser says and which rules accept them.  Limits are tested at
 * max and max + 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/url.h"

#include "tap.h"

#define S(lit)	lit, sizeof(lit) - 1

/* Which rules accept a URL. */
#define R_REDIRECT	0x01	/* oidc_url_is_redirect_uri(u, false) */
#define R_NATIVE	0x02	/* oidc_url_is_redirect_uri(u, true) */
#define R_FETCH		0x04	/* oidc_url_is_fetchable(u, false) */
#define R_FETCH_HTTP	0x08	/* oidc_url_is_fetchable(u, true) */
#define R_LINK		0x10	/* oidc_url_is_https_link */
#define R_ISSUER	0x20	/* oidc_url_is_issuer */
#define R_LOOPBACK	0x40	/* oidc_url_is_loopback_host */
#define R_HTTPS		0x80	/* oidc_url_is_https */
#define R_WEB	(R_REDIRECT | R_NATIVE | R_FETCH | R_FETCH_HTTP | R_LINK | \
		 R_HTTPS)

struct url_case {
	const char	*test;
	const char	*in;
	size_t		 len;
	int		 rc;
	unsigned	 rules;
};

static const struct url_case cases[] = {
	/* accepted */
	{ "https path", S("https://rp.example/cb"), 0, R_WEB | R_ISSUER },
	{ "https query", S("https://rp.example:8443/a/b?x=1&y=%2F"), 0,
	    R_WEB },
	{ "https no path", S("https://rp.example"), 0, R_WEB | R_ISSUER },
	{ "https trailing slash", S("https://rp.example/"), 0, R_WEB },
	{ "https empty query", S("https://rp.example/cb?"), 0, R_WEB },
	{ "https root label", S("https://rp.example./"), 0, R_WEB },
	{ "https IPv4", S("https://192.0.2.1/x"), 0, R_WEB | R_ISSUER },
	{ "https IPv6", S("https://[2001:db8::1]:443/x"), 0,
	    R_WEB | R_ISSUER },
	{ "https pchar", S("https://rp.example/a:b@c!$&'()*+,;=-._~"), 0,
	    R_WEB | R_ISSUER },
	{ "loopback 127.0.0.1", S("http://127.0.0.1:8080/cb"), 0,
	    R_REDIRECT | R_NATIVE | R_FETCH_HTTP | R_ISSUER | R_LOOPBACK },
	{ "loopback [::1]", S("http://[::1]:8080/cb"), 0,
	    R_REDIRECT | R_NATIVE | R_FETCH_HTTP | R_ISSUER | R_LOOPBACK },
	{ "loopback localhost", S("http://localhost:3000/"), 0,
	    R_REDIRECT | R_NATIVE | R_FETCH_HTTP | R_LOOPBACK },
	{ "loopback no path", S("http://localhost"), 0,
	    R_REDIRECT | R_NATIVE | R_FETCH_HTTP | R_ISSUER | R_LOOPBACK },
	{ "https loopback", S("https://127.0.0.1/cb"), 0,
	    R_WEB | R_ISSUER | R_LOOPBACK },
	{ "http remote", S("http://rp.example/cb"), 0, R_FETCH_HTTP },
	{ "private-use scheme", S("com.example.app:/cb"), 0, R_NATIVE },
	{ "private-use scheme authority", S("com.example.app://cb/x"), 0,
	    R_NATIVE },
	{ "private-use scheme empty path", S("com.example.app:"), 0,
	    R_NATIVE },
	{ "private-use scheme without dot", S("myapp:/cb"), 0, 0 },
	{ "private-use scheme upper case", S("Com.Example.App:/cb"), 0, 0 },
	{ "javascript", S("javascript:alert(1)"), 0, 0 },
	{ "data", S("data:text/html,x"), 0, 0 },
	{ "mailto", S("mailto:a@example.com"), 0, 0 },
	{ "fragment", S("https://rp.example/cb#x"), 0, R_LINK | R_HTTPS },
	{ "empty fragment", S("https://rp.example/cb#"), 0, R_LINK | R_HTTPS },
	{ "fragment with '?' and '/'", S("https://rp.example/r#a/b?c"), 0,
	    R_LINK | R_HTTPS },
	/* upper_case_scheme: parsed (RFC 3986 3.1) but never accepted. */
	{ "upper_case_scheme", S("HTTPS://rp.example/cb"), 0, 0 },
	{ "upper_case_scheme http", S("Http://127.0.0.1/cb"), 0, R_LOOPBACK },
	/* userinfo: parsed, refused by every rule that takes a host. */
	{ "userinfo", S("https://a@b.example/cb"), 0, R_HTTPS },
	{ "userinfo password", S("https://user:pw@rp.example/"), 0,
	    R_HTTPS },
	{ "loopback_userinfo", S("http://127.0.0.1:80@evil.example/cb"), 0,
	    0 },
	{ "loopback_userinfo localhost", S("http://localhost:x@evil.example"),
	    0, 0 },
	{ "userinfo good host", S("https://rp.example@evil.example/"), 0,
	    R_HTTPS },
	/* not loopback: names that resolve where their owner wants */
	{ "localhost_suffix", S("http://localhost.evil.example/cb"), 0,
	    R_FETCH_HTTP },
	{ "loopback_ip_suffix", S("http://127.0.0.1.nip.io/cb"), 0,
	    R_FETCH_HTTP },
	{ "other loopback address", S("http://127.0.0.2/cb"), 0,
	    R_FETCH_HTTP },
	{ "upper-case localhost", S("http://LOCALHOST/cb"), 0,
	    R_FETCH_HTTP },
	{ "long form ::1", S("http://[0:0:0:0:0:0:0:1]/cb"), 0,
	    R_FETCH_HTTP },
	{ "mapped loopback", S("http://[::ffff:127.0.0.1]/cb"), 0,
	    R_FETCH_HTTP },

	/* refused by the parser */
	{ "empty", S(""), -1, 0 },
	{ "relative", S("/cb"), -1, 0 },
	{ "scheme-relative", S("//rp.example/cb"), -1, 0 },
	{ "no scheme", S("rp.example"), -1, 0 },
	{ "scheme starts with digit", S("1.example.app:/cb"), -1, 0 },
	{ "scheme character", S("com_example.app:/cb"), -1, 0 },
	{ "colon first", S(":/cb"), -1, 0 },
	{ "https without authority", S("https:rp.example/cb"), -1, 0 },
	{ "https empty host", S("https:///cb"), -1, 0 },
	{ "https nothing", S("https://"), -1, 0 },
	{ "https port only", S("https://:443/cb"), -1, 0 },
	{ "second fragment", S("https://rp.example/cb#a#b"), -1, 0 },
	/* backslash_userinfo: some readers see host good.com, others evil. */
	{ "backslash_userinfo", S("https://evil.com\\@good.com/"), -1, 0 },
	{ "backslash path", S("https://rp.example/a\\b"), -1, 0 },
	{ "backslash host", S("https://rp.example\\evil.example/"), -1, 0 },
	{ "two at signs", S("https://a@b@rp.example/"), -1, 0 },
	{ "crlf", S("https://rp.example/cb\r\nSet-Cookie:x"), -1, 0 },
	{ "lf", S("https://rp.example/\n"), -1, 0 },
	{ "tab", S("https://rp.example/\t"), -1, 0 },
	{ "nul_inside", "https://rp.example/\0x", 21, -1, 0 },
	{ "nul in host", "https://rp.example\0.evil/", 25, -1, 0 },
	{ "space", S("https://rp.example/a b"), -1, 0 },
	{ "space in host", S("https://rp example/"), -1, 0 },
	{ "lt", S("https://rp.example/<script>"), -1, 0 },
	{ "gt", S("https://rp.example/a>"), -1, 0 },
	{ "dquote", S("https://rp.example/\"onmouseover=x"), -1, 0 },
	{ "brace", S("https://rp.example/{x}"), -1, 0 },
	{ "pipe", S("https://rp.example/a|b"), -1, 0 },
	{ "caret", S("https://rp.example/a^b"), -1, 0 },
	{ "backquote", S("https://rp.example/`x`"), -1, 0 },
	{ "bracket in path", S("https://rp.example/a[0]"), -1, 0 },
	{ "bracket in query", S("https://rp.example/a?b[]=1"), -1, 0 },
	{ "non-ASCII", S("https://r\xc3\xa9p.example/"), -1, 0 },
	{ "non-ASCII path", S("https://rp.example/\xc3\xa9"), -1, 0 },
	{ "DEL", S("https://rp.example/\x7f"), -1, 0 },
	{ "bad escape zz", S("https://rp.example/%zz"), -1, 0 },
	{ "short escape", S("https://rp.example/%0"), -1, 0 },
	{ "lone percent", S("https://rp.example/%"), -1, 0 },
	{ "bad escape in query", S("https://rp.example/?a=%g0"), -1, 0 },
	{ "bad escape in fragment", S("https://rp.example/#%2"), -1, 0 },
	{ "escape in host", S("https://rp%2eexample/"), -1, 0 },
	{ "port 0", S("https://rp.example:0/"), -1, 0 },
	{ "port 65536", S("https://rp.example:65536/"), -1, 0 },
	{ "port overflow", S("https://rp.example:99999999999/"), -1, 0 },
	{ "port 2^64", S("https://rp.example:18446744073709551616/"), -1, 0 },
	{ "port empty", S("https://rp.example:/"), -1, 0 },
	{ "port non-digit", S("https://rp.example:12a/"), -1, 0 },
	{ "port sign", S("https://rp.example:+443/"), -1, 0 },
	{ "port twice", S("https://rp.example:1:2/"), -1, 0 },
	{ "loopback bad port", S("http://localhost:abc/cb"), -1, 0 },
	{ "host underscore", S("https://rp_example.com/"), -1, 0 },
	{ "host empty label", S("https://rp..example/"), -1, 0 },
	{ "host leading dot", S("https://.rp.example/"), -1, 0 },
	{ "host leading dash", S("https://-rp.example/"), -1, 0 },
	{ "host trailing dash", S("https://rp.example-/"), -1, 0 },
	/* numeric_host: what browsers read as an IPv4 address */
	{ "numeric_host short", S("http://127.1/cb"), -1, 0 },
	{ "numeric_host decimal", S("http://2130706433/cb"), -1, 0 },
	{ "numeric_host hex", S("http://0x7f.0.0.1/cb"), -1, 0 },
	{ "numeric_host octal", S("http://0177.0.0.1/cb"), -1, 0 },
	{ "numeric_host trailing dot", S("http://127.0.0.1./cb"), -1, 0 },
	{ "numeric_host last label", S("https://rp.example.123/"), -1, 0 },
	{ "IPv6 empty", S("https://[]/"), -1, 0 },
	{ "IPv6 unterminated", S("https://[::1/"), -1, 0 },
	{ "IPv6 junk after", S("https://[::1]x/"), -1, 0 },
	{ "IPv6 bad", S("https://[::g]/"), -1, 0 },
	{ "IPv6 three colons", S("https://[1:::2]/"), -1, 0 },
	{ "IPv6 zone", S("https://[fe80::1%25eth0]/"), -1, 0 },
	{ "IPvFuture", S("https://[v1.x]/"), -1, 0 },
	{ "IPv4 in brackets", S("https://[127.0.0.1]/"), -1, 0 },
	{ "bracket in reg-name", S("https://rp[.example/"), -1, 0 },
};

static void
check_case(const struct url_case *c)
{
	struct oidc_error	 err = { 0 };
	struct oidc_url		 u;
	unsigned		 got = 0;
	int			 rc;

	rc = oidc_url_parse(c->in, c->len, &u, &err);
	is_int(rc, c->rc, c->test);
	if (rc == -1) {
		is_int(err.code, OIDC_E_INVALID_REQUEST, c->test);
		ok(u.scheme.p == NULL && u.host.p == NULL, "%s: zeroed",
		    c->test);
		return;
	}
	if (oidc_url_is_redirect_uri(&u, false))
		got |= R_REDIRECT;
	if (oidc_url_is_redirect_uri(&u, true))
		got |= R_NATIVE;
	if (oidc_url_is_fetchable(&u, false))
		got |= R_FETCH;
	if (oidc_url_is_fetchable(&u, true))
		got |= R_FETCH_HTTP;
	if (oidc_url_is_https_link(&u))
		got |= R_LINK;
	if (oidc_url_is_issuer(&u))
		got |= R_ISSUER;
	if (oidc_url_is_loopback_host(&u))
		got |= R_LOOPBACK;
	if (oidc_url_is_https(&u))
		got |= R_HTTPS;
	is_int(got, c->rules, c->test);
}

static void
check_spans(void)
{
	struct oidc_error	 err = { 0 };
	struct oidc_url		 u;
	static const char	 in[] = "https://u:p@RP.example:8443/a/b?x=1#f";

	is_int(oidc_url_parse(in, sizeof(in) - 1, &u, &err), 0, "spans: parse");
	is_mem(u.scheme.p, u.scheme.len, "https", 5, "spans: scheme");
	ok(u.scheme_kind == OIDC_URL_SCHEME_HTTPS && u.scheme_lower,
	    "spans: scheme kind");
	ok(u.has_userinfo, "spans: userinfo");
	is_int(u.host_kind, OIDC_URL_HOST_NAME, "spans: host kind");
	is_mem(u.host.p, u.host.len, "RP.example", 10, "spans: host");
	is_mem(u.port.p, u.port.len, "8443", 4, "spans: port");
	is_int(u.port_num, 8443, "spans: port number");
	is_mem(u.path.p, u.path.len, "/a/b", 4, "spans: path");
	is_mem(u.query.p, u.query.len, "x=1", 3, "spans: query");
	is_mem(u.fragment.p, u.fragment.len, "f", 1, "spans: fragment");
	is_int(oidc_url_len_without_fragment(&u), sizeof(in) - 3,
	    "spans: length without fragment");

	memset(&err, 0, sizeof(err));
	is_int(oidc_url_parse(S("com.example.app:/cb"), &u, &err), 0,
	    "spans: private-use");
	is_int(u.host_kind, OIDC_URL_HOST_NONE, "spans: no authority");
	ok(u.host.p == NULL && u.query.p == NULL && u.fragment.p == NULL,
	    "spans: absent parts");
	is_int(oidc_url_len_without_fragment(&u), 19,
	    "spans: length without a fragment");

	memset(&err, 0, sizeof(err));
	is_int(oidc_url_parse(S("http://[::1]/"), &u, &err), 0,
	    "spans: IPv6");
	is_mem(u.host.p, u.host.len, "[::1]", 5, "spans: IPv6 brackets kept");
	ok(u.port.p == NULL && u.port_num == 0, "spans: no port");

	memset(&err, 0, sizeof(err));
	is_int(oidc_url_parse(S("https://192.0.2.1/"), &u, &err), 0,
	    "spans: IPv4");
	is_int(u.host_kind, OIDC_URL_HOST_IPV4, "spans: IPv4 kind");

	memset(&err, 0, sizeof(err));
	is_int(oidc_url_parse(S("https://rp.example:65535/"), &u, &err), 0,
	    "spans: port 65535");
	is_int(u.port_num, 65535, "spans: port 65535 number");

	memset(&err, 0, sizeof(err));
	is_int(oidc_url_parse(NULL, 0, &u, &err), -1, "spans: NULL");
}

/* overlong: OIDC_URL_MAX_LEN passes, one byte more does not. */
static void
check_limit(void)
{
	struct oidc_error	 err = { 0 };
	struct oidc_url		 u;
	char			*big;

	if ((big = malloc(OIDC_URL_MAX_LEN + 1)) == NULL)
		abort();
	memcpy(big, "https://rp.example/", 19);
	memset(big + 19, 'a', OIDC_URL_MAX_LEN + 1 - 19);
	is_int(oidc_url_parse(big, OIDC_URL_MAX_LEN, &u, &err), 0,
	    "overlong: at the limit");
	memset(&err, 0, sizeof(err));
	is_int(oidc_url_parse(big, OIDC_URL_MAX_LEN + 1, &u, &err), -1,
	    "overlong: limit + 1");

	/* A host of OIDC_URL_MAX_HOST bytes passes, one more does not. */
	memset(big, 'a', OIDC_URL_MAX_LEN);
	memcpy(big, "https://", 8);
	big[8 + OIDC_URL_MAX_HOST] = '/';
	memset(&err, 0, sizeof(err));
	is_int(oidc_url_parse(big, 8 + OIDC_URL_MAX_HOST + 1, &u, &err), 0,
	    "long host: at the limit");
	big[8 + OIDC_URL_MAX_HOST] = 'a';
	big[8 + OIDC_URL_MAX_HOST + 1] = '/';
	memset(&err, 0, sizeof(err));
	is_int(oidc_url_parse(big, 8 + OIDC_URL_MAX_HOST + 2, &u, &err), -1,
	    "long host: limit + 1");
	free(big);
}

int
main(void)
{
	size_t	 i;

	for (i = 0; i < OIDC_NELEM(cases); i++)
		check_case(&cases[i]);
	check_spans();
	check_limit();
	return tap_done();
}
