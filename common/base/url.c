/*
 * url.c: the one URL parser and the URL rules (see oidc/url.h for the
 * grammar, the rules and the limits).
 *
 * The parser walks the input once, left to right: scheme, then the
 * authority when "//" follows, then path, query and fragment.  Each part
 * is checked against its RFC 3986 character set as it is split off, so a
 * byte can never be judged by one rule and used under another (the
 * mistake behind "https://good.example\@evil.example": one reader's
 * path is another one's userinfo).  Nothing is copied or decoded; the
 * only copy is the bounded one oidc_netaddr_parse() makes of an address.
 */
#include <string.h>

#include "oidc/netaddr.h"
#include "oidc/url.h"

/* Where a character may stand (RFC 3986 2.2, 2.3, 3.2.1, 3.3, 3.4). */
#define C_UNRESERVED	0x01	/* ALPHA DIGIT - . _ ~ */
#define C_SUBDELIM	0x02	/* ! $ & ' ( ) * + , ; = */
#define C_PCHAR_EXTRA	0x04	/* : @ (pchar beyond the two above) */
#define C_QUERY_EXTRA	0x08	/* / ? (query and fragment beyond pchar) */
#define C_PART		(C_UNRESERVED | C_SUBDELIM | C_PCHAR_EXTRA | \
			 C_QUERY_EXTRA)	/* path, query, fragment */

static unsigned
char_class(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~')
		return C_UNRESERVED;
	if (c != '\0' && strchr("!$&'()*+,;=", c) != NULL)
		return C_SUBDELIM;
	if (c == ':' || c == '@')
		return C_PCHAR_EXTRA;
	if (c == '/' || c == '?')
		return C_QUERY_EXTRA;
	return 0;
}

static bool
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
bad(struct oidc_error *err, const char *why)
{
	return oidc_fail(err, OIDC_E_INVALID_REQUEST, "The URI is malformed.",
	    "url: %s", why);
}

/*
 * True if p[0..len) is made only of characters in `allowed` and
 * well-formed percent escapes.
 */
static bool
span_ok(const char *p, size_t len, unsigned allowed)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (p[i] == '%') {
			if (len - i < 3 || !is_hex(p[i + 1]) ||
			    !is_hex(p[i + 2]))
				return false;
			i += 2;
		} else if ((char_class(p[i]) & allowed) == 0)
			return false;
	}
	return true;
}

/* The first of stop1, stop2 in s[0..end), or end. */
static const char *
part_end(const char *s, const char *end, char stop1, char stop2)
{
	while (s < end && *s != stop1 && *s != stop2)
		s++;
	return s;
}

/* Case-insensitive equality of the scheme with a lower-case literal. */
static bool
scheme_is(struct oidc_str s, const char *lit)
{
	return oidc_str_eq_nocase(s, lit);
}

/*
 * A DNS name as http(s) hosts are written: letters, digits, '-' and '.',
 * not starting with '.' or '-', not ending with '-', no empty label (one
 * trailing '.', the root, is allowed).
 */
static bool
is_dns_name(const char *h, size_t len)
{
	size_t	 i;

	if (len == 0 || h[0] == '.' || h[0] == '-' || h[len - 1] == '-')
		return false;
	for (i = 0; i < len; i++) {
		if (!(is_alpha(h[i]) || is_digit(h[i]) || h[i] == '-' ||
		    h[i] == '.'))
			return false;
		if (h[i] == '.' && i + 1 < len && h[i + 1] == '.')
			return false;
	}
	return true;
}

/*
 * SECURITY: the WHATWG URL standard, and so every browser, reads a host
 * whose last label is a number ("127.1", "0x7f.0.0.1", "2130706433",
 * "127.0.0.1.") as an IPv4 address in some shorthand, while a careful
 * resolver sees a name.  Such hosts are refused unless they are a plain
 * dotted quad, so a host means the same to us and to every other reader.
 */
static bool
ends_in_number(const char *h, size_t len)
{
	size_t	 start, i;

	if (len > 0 && h[len - 1] == '.')
		len--;
	for (start = len; start > 0 && h[start - 1] != '.'; start--)
		;
	if (start == len)
		return false;
	if (len - start >= 2 && h[start] == '0' && (h[start + 1] == 'x' ||
	    h[start + 1] == 'X')) {
		for (i = start + 2; i < len; i++)
			if (!is_hex(h[i]))
				return false;
		return true;
	}
	for (i = start; i < len; i++)
		if (!is_digit(h[i]))
			return false;
	return true;
}

/*
 * The authority a[0..len) (RFC 3986 3.2), for a scheme known or not:
 * [ userinfo "@" ] host [ ":" port ].
 */
static int
parse_authority(const char *a, size_t len, bool web, struct oidc_url *u,
    struct oidc_error *err)
{
	struct oidc_netaddr	 addr;
	const char		*at, *h, *end = a + len, *he;
	uint64_t		 port;

	/* userinfo has no '@' of its own: the first '@' ends it. */
	if ((at = memchr(a, '@', len)) != NULL) {
		if (memchr(at + 1, '@', (size_t)(end - at - 1)) != NULL)
			return bad(err, "two '@' in the authority");
		if (!span_ok(a, (size_t)(at - a), C_UNRESERVED | C_SUBDELIM |
		    C_PCHAR_EXTRA))
			return bad(err, "userinfo character");
		u->has_userinfo = true;
		h = at + 1;
	} else
		h = a;

	if (h < end && *h == '[') {
		/* IP-literal: IPv6 only (no IPvFuture, no RFC 6874 zone). */
		if ((he = memchr(h, ']', (size_t)(end - h))) == NULL)
			return bad(err, "unterminated IPv6 literal");
		if (memchr(h + 1, ':', (size_t)(he - h - 1)) == NULL ||
		    oidc_netaddr_parse(h + 1, (size_t)(he - h - 1),
		    &addr) == -1)
			return bad(err, "IPv6 literal");
		he++;
		u->host_kind = OIDC_URL_HOST_IPV6;
	} else {
		for (he = h; he < end && *he != ':'; he++)
			;
		if (web) {
			if (!is_dns_name(h, (size_t)(he - h)))
				return bad(err, "host");
			if (oidc_netaddr_parse(h, (size_t)(he - h),
			    &addr) == 0)
				u->host_kind = OIDC_URL_HOST_IPV4;
			else if (ends_in_number(h, (size_t)(he - h)))
				return bad(err, "numeric host that is not a "
				    "dotted quad");
			else
				u->host_kind = OIDC_URL_HOST_NAME;
		} else {
			if (!span_ok(h, (size_t)(he - h),
			    C_UNRESERVED | C_SUBDELIM))
				return bad(err, "host character");
			u->host_kind = OIDC_URL_HOST_NAME;
		}
	}
	u->host = (struct oidc_str){ h, (size_t)(he - h) };
	if (web && (u->host.len == 0 || u->host.len > OIDC_URL_MAX_HOST))
		return bad(err, "host length");

	if (he < end) {
		if (*he != ':')
			return bad(err, "junk after the host");
		if (oidc_parse_u64(he + 1, (size_t)(end - he - 1), 1, 65535,
		    &port) == -1)
			return bad(err, "port");
		u->port = (struct oidc_str){ he + 1, (size_t)(end - he - 1) };
		u->port_num = (unsigned)port;
	}
	return 0;
}

int
oidc_url_parse(const char *p, size_t len, struct oidc_url *out,
    struct oidc_error *err)
{
	struct oidc_url	 u;
	const char	*end = p + len, *s, *e;
	size_t		 i;
	bool		 web;

	memset(out, 0, sizeof(*out));
	memset(&u, 0, sizeof(u));
	if (p == NULL || len == 0)
		return bad(err, "empty");
	if (len > OIDC_URL_MAX_LEN)
		return bad(err, "too long");
	u.uri = (struct oidc_str){ p, len };

	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
	if (!is_alpha(p[0]))
		return bad(err, "no scheme");
	u.scheme_lower = true;
	for (i = 0; i < len && p[i] != ':'; i++) {
		if (!is_alpha(p[i]) && !is_digit(p[i]) && p[i] != '+' &&
		    p[i] != '-' && p[i] != '.')
			return bad(err, "scheme character");
		if (p[i] >= 'A' && p[i] <= 'Z')
			u.scheme_lower = false;
	}
	if (i == len)
		return bad(err, "no scheme");
	u.scheme = (struct oidc_str){ p, i };
	if (scheme_is(u.scheme, "https"))
		u.scheme_kind = OIDC_URL_SCHEME_HTTPS;
	else if (scheme_is(u.scheme, "http"))
		u.scheme_kind = OIDC_URL_SCHEME_HTTP;
	web = u.scheme_kind != OIDC_URL_SCHEME_OTHER;
	s = p + i + 1;

	/* "//" authority, ending at the first '/', '?' or '#'. */
	if (end - s >= 2 && s[0] == '/' && s[1] == '/') {
		s += 2;
		for (e = s; e < end && *e != '/' && *e != '?' && *e != '#';
		    e++)
			;
		if (parse_authority(s, (size_t)(e - s), web, &u, err) == -1)
			return -1;
		s = e;
	} else if (web)
		return bad(err, "http(s) without an authority");

	/*
	 * path, query and fragment share one character set (pchar, '/'
	 * and '?'); where each ends keeps '?' out of the path and '#' out
	 * of all three, since '#' is in no set.
	 */
	e = part_end(s, end, '?', '#');
	if (!span_ok(s, (size_t)(e - s), C_PART))
		return bad(err, "path character");
	u.path = (struct oidc_str){ s, (size_t)(e - s) };
	if (e < end && *e == '?') {
		s = e + 1;
		e = part_end(s, end, '#', '#');
		if (!span_ok(s, (size_t)(e - s), C_PART))
			return bad(err, "query character");
		u.query = (struct oidc_str){ s, (size_t)(e - s) };
	}
	if (e < end && *e == '#') {
		s = e + 1;
		if (!span_ok(s, (size_t)(end - s), C_PART))
			return bad(err, "fragment character");
		u.fragment = (struct oidc_str){ s, (size_t)(end - s) };
	}
	*out = u;
	return 0;
}

size_t
oidc_url_len_without_fragment(const struct oidc_url *u)
{
	if (u->fragment.p == NULL)
		return u->uri.len;
	return (size_t)(u->fragment.p - u->uri.p) - 1;
}

bool
oidc_url_is_https(const struct oidc_url *u)
{
	return u->scheme_kind == OIDC_URL_SCHEME_HTTPS && u->scheme_lower &&
	    u->host.len > 0;
}

/*
 * SECURITY: the loopback names are compared as written, in lower case:
 * "localhost.evil.example" and "127.0.0.1.nip.io" are names that resolve
 * wherever their owner likes.  Only 127.0.0.1 of 127.0.0.0/8, as RFC
 * 8252 8.3 recommends, and only the short form of ::1.
 */
bool
oidc_url_is_loopback_host(const struct oidc_url *u)
{
	return (u->host_kind == OIDC_URL_HOST_IPV4 &&
	    oidc_str_eq_cstr(u->host, "127.0.0.1")) ||
	    (u->host_kind == OIDC_URL_HOST_IPV6 &&
	    oidc_str_eq_cstr(u->host, "[::1]")) ||
	    (u->host_kind == OIDC_URL_HOST_NAME &&
	    oidc_str_eq_cstr(u->host, "localhost"));
}

bool
oidc_url_is_loopback_http(const struct oidc_url *u)
{
	return u->scheme_kind == OIDC_URL_SCHEME_HTTP && u->scheme_lower &&
	    oidc_url_is_loopback_host(u);
}

bool
oidc_url_is_https_or_loopback_http(const struct oidc_url *u)
{
	return oidc_url_is_https(u) || oidc_url_is_loopback_http(u);
}

/*
 * RFC 8252 7.1: a private-use scheme is a reverse domain name the app
 * controls ("com.example.app"), so it holds a '.'; a bare "myapp" could
 * be claimed by any other app on the device.
 */
bool
oidc_url_is_private_use_scheme(const struct oidc_url *u)
{
	return u->scheme_kind == OIDC_URL_SCHEME_OTHER && u->scheme_lower &&
	    u->scheme.len > 0 && memchr(u->scheme.p, '.', u->scheme.len) !=
	    NULL;
}

/*
 * OIDC Core 3.1.2.1 and Registration 2: no fragment (the response's
 * parameters would be lost or mixed with the client's); RFC 8252 7.3
 * and 8.3: http only to a loopback address; no userinfo, which makes
 * "http://127.0.0.1:80@evil.example/cb" look loopback to a reader that
 * stops at the ':'.
 */
bool
oidc_url_is_redirect_uri(const struct oidc_url *u, bool native)
{
	if (u->fragment.p != NULL || u->has_userinfo)
		return false;
	return oidc_url_is_https_or_loopback_http(u) ||
	    (native && oidc_url_is_private_use_scheme(u));
}

bool
oidc_url_is_fetchable(const struct oidc_url *u, bool allow_http)
{
	if (u->fragment.p != NULL || u->has_userinfo || !u->scheme_lower)
		return false;
	return u->scheme_kind == OIDC_URL_SCHEME_HTTPS ||
	    (allow_http && u->scheme_kind == OIDC_URL_SCHEME_HTTP);
}

bool
oidc_url_is_https_link(const struct oidc_url *u)
{
	return oidc_url_is_https(u) && !u->has_userinfo;
}

/*
 * OIDC Discovery 3: the issuer has scheme, host, optional port and path,
 * and no query or fragment.  It is compared byte for byte with the "iss"
 * the RP expects, and "/.well-known/openid-configuration" is appended
 * to it, so a trailing '/' is refused rather than doubled.
 */
bool
oidc_url_is_issuer(const struct oidc_url *u)
{
	return oidc_url_is_https_or_loopback_http(u) && !u->has_userinfo &&
	    u->query.p == NULL && u->fragment.p == NULL &&
	    (u->path.len == 0 || u->path.p[u->path.len - 1] != '/');
}
