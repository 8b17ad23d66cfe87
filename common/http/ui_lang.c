/*
 * ui_lang.c: which offered language a request asks for (see oidc/ui.h):
 * the ui_locales parameter and the Accept-Language header, both
 * untrusted, parsed from (buf, len) with limits (fuzz_ui_lang).
 */
#include <string.h>
#include <strings.h>

#include "oidc/ui.h"

/*
 * The offered language for one tag (len bytes): equal to it, else to a
 * prefix of it cut before a '-' (RFC 4647 3.4), longest first; or -1.
 */
static int
match(const char *tag, size_t len)
{
	const char	*t;
	size_t		 i;

	while (len > 0) {
		for (i = 0; (t = oidc_ui_locale(i)) != NULL; i++)
			if (strlen(t) == len && strncasecmp(t, tag, len) == 0)
				return (int)i;
		while (len > 0 && tag[len - 1] != '-')
			len--;
		if (len > 0)
			len--;	/* the '-' */
	}
	return -1;
}

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t';
}

int
oidc_ui_pick_locales(const char *buf, size_t len, int fallback)
{
	const char	*p = buf, *end = buf + len, *w;
	int		 n = 0, m;

	if (buf == NULL || len > OIDC_UI_MAX_ACCEPT)
		return fallback;
	while (p < end && n++ < OIDC_UI_MAX_RANGES) {
		while (p < end && is_ws(*p))
			p++;
		for (w = p; p < end && !is_ws(*p); p++)
			;
		if (p > w && (m = match(w, (size_t)(p - w))) != -1)
			return m;
	}
	return fallback;
}

/*
 * An Accept-Language weight (RFC 9110 12.4.2: "0" ["." 0*3DIGIT] or "1"
 * ["." 0*3("0")]) in thousandths, or -1 when malformed.
 */
static int
qvalue(const char *p, size_t len)
{
	int	 q;
	size_t	 i;

	if (len == 0 || (p[0] != '0' && p[0] != '1') || len > 5 ||
	    (len > 1 && p[1] != '.'))
		return -1;
	q = p[0] == '1' ? 1000 : 0;
	for (i = 2; i < len; i++) {
		if (p[i] < '0' || p[i] > '9' || (q == 1000 && p[i] != '0'))
			return -1;
		q += (p[i] - '0') * (i == 2 ? 100 : i == 3 ? 10 : 1);
	}
	return q;
}

/*
 * One element "range [;q=x] [;other]": its weight (1000 without q; -1
 * malformed), range in *tag.
 */
static int
element(const char *p, const char *end, const char **tag, size_t *tlen)
{
	const char	*s;
	int		 q = 1000;

	while (p < end && is_ws(*p))
		p++;
	for (s = p; p < end && *p != ';' && !is_ws(*p); p++)
		;
	*tag = s;
	*tlen = (size_t)(p - s);
	while (p < end) {
		while (p < end && (is_ws(*p) || *p == ';'))
			p++;
		if (end - p >= 2 && (p[0] == 'q' || p[0] == 'Q') &&
		    p[1] == '=') {
			for (s = p + 2; p < end && *p != ';' && !is_ws(*p); p++)
				;
			q = qvalue(s, (size_t)(p - s));
		} else
			while (p < end && *p != ';')
				p++;
	}
	return q;
}

int
oidc_ui_pick_accept(const char *buf, size_t len)
{
	const char	*p = buf, *end = buf + len, *comma, *tag;
	size_t		 tlen;
	int		 n = 0, q, best = 0, bestq = 0, m;

	if (buf == NULL || len > OIDC_UI_MAX_ACCEPT)
		return 0;
	while (p < end && n++ < OIDC_UI_MAX_RANGES) {
		if ((comma = memchr(p, ',', (size_t)(end - p))) == NULL)
			comma = end;
		q = element(p, comma, &tag, &tlen);
		/* '*' is "any": the default, which 0 already is. */
		if (q > bestq && tlen > 0 && !(tlen == 1 && *tag == '*') &&
		    (m = match(tag, tlen)) != -1) {
			best = m;
			bestq = q;
		}
		p = comma + 1;
	}
	return best;
}
