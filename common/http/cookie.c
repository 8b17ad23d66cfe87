/*
 * cookie.c: find one cookie in a Cookie request header (see oidc/cookie.h).
 *
 * The header is "cookie-pair *( ";" SP cookie-pair )" (RFC 6265 4.2.1,
 * 5.4).  We scan it with a cursor, never write to it and never read past
 * len.  The whole header is always scanned, even after a match, so that a
 * second cookie with our name is detected wherever it appears.
 *
 * Only the requested cookie is validated strictly (token name, cookie-octet
 * value, balanced quotes); other pairs are counted and skipped, because the
 * browser sends whatever any site on the host set and one odd cookie from a
 * neighbour must not lock users out.  Values are not decoded.
 */
#include <string.h>

#include "oidc/cookie.h"

static bool
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * RFC 6265 4.1.1 cookie-octet: US-ASCII except CTLs, SP, DQUOTE, comma,
 * semicolon and backslash.
 */
static bool
is_cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2b) ||
	    (c >= 0x2d && c <= 0x3a) || (c >= 0x3c && c <= 0x5b) ||
	    (c >= 0x5d && c <= 0x7e);
}

int
oidc_cookie_find(const char *hdr, size_t len, const char *name,
    struct oidc_str *out, struct oidc_error *err)
{
	struct oidc_str	 found = OIDC_STR_NULL;
	const char	*seg, *semi, *eq, *val;
	size_t		 pos = 0, seglen, namelen, vlen, count = 0, i;

	if (len > OIDC_COOKIE_MAX_HEADER)
		return oidc_fail(err, OIDC_E_LIMIT, "header too large",
		    "cookie: header %zu bytes", len);
	/* An empty name matches nothing (it would match "=x"). */
	if ((namelen = strlen(name)) == 0)
		return 0;

	while (pos < len) {
		seg = hdr + pos;
		semi = memchr(seg, ';', len - pos);
		seglen = semi != NULL ? (size_t)(semi - seg) : len - pos;
		pos += seglen + (semi != NULL ? 1 : 0);

		/* Trim optional whitespace on both sides of the pair. */
		while (seglen > 0 && is_ows(seg[0])) {
			seg++;
			seglen--;
		}
		while (seglen > 0 && is_ows(seg[seglen - 1]))
			seglen--;
		if (seglen == 0)
			continue;

		if (++count > OIDC_COOKIE_MAX_COUNT)
			return oidc_fail(err, OIDC_E_LIMIT, "too many cookies",
			    "cookie: more than %d", OIDC_COOKIE_MAX_COUNT);

		/* A pair without '=' is malformed; it cannot be ours. */
		if ((eq = memchr(seg, '=', seglen)) == NULL)
			continue;
		if ((size_t)(eq - seg) != namelen ||
		    memcmp(seg, name, namelen) != 0)
			continue;

		/*
		 * SECURITY: a second cookie with our name comes from cookie
		 * tossing (a sibling domain or an insecure origin setting a
		 * cookie with a wider Domain or Path).  The order browsers
		 * send them in is not something to trust, so refuse both.
		 */
		if (found.p != NULL)
			return oidc_fail(err, OIDC_E_INVALID_REQUEST,
			    "duplicate cookie", "cookie: %s sent twice", name);

		val = eq + 1;
		vlen = seglen - namelen - 1;
		/* RFC 6265 4.1.1: cookie-value may be wrapped in DQUOTEs. */
		if (vlen > 0 && val[0] == '"') {
			if (vlen < 2 || val[vlen - 1] != '"')
				return oidc_fail(err, OIDC_E_INVALID_REQUEST,
				    "malformed cookie",
				    "cookie: %s: unbalanced quote", name);
			val++;
			vlen -= 2;
		}
		for (i = 0; i < vlen; i++)
			if (!is_cookie_octet((unsigned char)val[i]))
				return oidc_fail(err, OIDC_E_INVALID_REQUEST,
				    "malformed cookie",
				    "cookie: %s: bad octet at %zu", name, i);
		found.p = val;
		found.len = vlen;
	}
	if (found.p == NULL)
		return 0;
	*out = found;
	return 1;
}
