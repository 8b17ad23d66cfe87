/*
 * form.c: application/x-www-form-urlencoded parsing (see oidc/form.h).
 *
 * Query strings and POST bodies of the OAuth endpoints go through here.
 * The parser is a cursor over (buf, len): it never reads past len, never
 * relies on a NUL and never writes to the input.  Every name and value is
 * decoded into the arena as a NUL-terminated copy with its length, so later
 * code (libpq, json-c, comparisons) never needs strlen on request data.
 *
 * It does not interpret parameters: which names are required, allowed or
 * secret is the endpoint's business (RFC 6749 3.1, 3.2, 4.1.1, 4.1.3).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/form.h"
#include "oidc/str.h"

/*
 * Validate buf[0..len) as one percent-encoded component and return its
 * decoded length in *dlen.  Decoding is done in a second pass only once the
 * whole component is known to be good, so a failure writes nothing.
 */
static int
measure(const char *buf, size_t len, size_t max_len, size_t *dlen,
    struct oidc_error *err)
{
	const unsigned char	*s = (const unsigned char *)buf;
	size_t			 i = 0, n = 0;
	int			 hi, lo;

	while (i < len) {
		if (s[i] == '%') {
			/*
			 * SECURITY: "%4" or "%zz" is refused, not passed on
			 * literally: two layers that repair differently is
			 * how parameter smuggling starts.
			 */
			if (len - i < 3 || (hi = oidc_hex_value(s[i + 1])) < 0 ||
			    (lo = oidc_hex_value(s[i + 2])) < 0)
				return oidc_fail(err, OIDC_E_INVALID_REQUEST,
				    "malformed percent-encoding",
				    "form: bad escape at offset %zu", i);
			/*
			 * SECURITY: a decoded NUL would truncate the value
			 * for any C consumer downstream (libpq, logs).
			 */
			if (hi == 0 && lo == 0)
				return oidc_fail(err, OIDC_E_INVALID_REQUEST,
				    "NUL byte in parameter",
				    "form: %%00 at offset %zu", i);
			i += 3;
		} else if (s[i] == '\0') {
			return oidc_fail(err, OIDC_E_INVALID_REQUEST,
			    "NUL byte in parameter",
			    "form: raw NUL at offset %zu", i);
		} else
			i++;
		n++;
		if (n > max_len)
			return oidc_fail(err, OIDC_E_LIMIT,
			    "parameter too long",
			    "form: component longer than %zu bytes", max_len);
	}
	*dlen = n;
	return 0;
}

int
oidc_form_urldecode(struct oidc_arena *a, const char *buf, size_t len,
    bool plus_is_space, size_t max_len, struct oidc_str *out,
    struct oidc_error *err)
{
	const unsigned char	*s = (const unsigned char *)buf;
	size_t			 i, o = 0, dlen = 0, alen;
	char			*dst;

	if (measure(buf, len, max_len, &dlen, err) == -1)
		return -1;
	if (!oidc_size_add(dlen, 1, &alen) ||
	    (dst = oidc_arena_alloc(a, alen)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "form: arena full");
	for (i = 0; i < len; o++) {
		if (s[i] == '%') {
			/* measure() proved both digits valid. */
			dst[o] = (char)(oidc_hex_value(s[i + 1]) << 4 |
			    oidc_hex_value(s[i + 2]));
			i += 3;
		} else {
			dst[o] = (plus_is_space && s[i] == '+') ? ' ' :
			    (char)s[i];
			i++;
		}
	}
	dst[o] = '\0';
	out->p = dst;
	out->len = o;
	return 0;
}

/* Decode one name or value and require UTF-8 of the result. */
static int
decode_part(struct oidc_arena *a, const char *buf, size_t len,
    size_t max_len, struct oidc_str *out, struct oidc_error *err)
{
	if (oidc_form_urldecode(a, buf, len, true, max_len, out, err) == -1)
		return -1;
	if (!oidc_str_is_utf8(out->p, out->len))
		return oidc_fail(err, OIDC_E_INVALID_REQUEST,
		    "parameter is not valid UTF-8", "form: bad UTF-8");
	return 0;
}

int
oidc_form_parse(struct oidc_arena *a, const char *buf, size_t len,
    struct oidc_params *out, struct oidc_error *err)
{
	struct oidc_str		 names[OIDC_FORM_MAX_PARAMS];
	struct oidc_param	*v;
	struct oidc_str		 name, value;
	const char		*seg, *eq, *end;
	size_t			 pos = 0, seglen, nseen = 0, nkept = 0, k;

	out->v = NULL;
	out->n = 0;
	if (len > OIDC_FORM_MAX_LEN)
		return oidc_fail(err, OIDC_E_LIMIT, "request too large",
		    "form: %zu bytes > %d", len, OIDC_FORM_MAX_LEN);
	if ((v = oidc_arena_calloc(a, OIDC_FORM_MAX_PARAMS, sizeof(*v))) ==
	    NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "form: arena full");

	while (pos < len) {
		/* One segment: buf[pos .. next '&' or len). */
		seg = buf + pos;
		end = memchr(seg, '&', len - pos);
		seglen = end != NULL ? (size_t)(end - seg) : len - pos;
		pos += seglen + (end != NULL ? 1 : 0);
		if (seglen == 0)
			continue;	/* "a=1&&b=2", trailing '&' */

		if (nseen == OIDC_FORM_MAX_PARAMS)
			return oidc_fail(err, OIDC_E_LIMIT,
			    "too many parameters",
			    "form: more than %d pairs", OIDC_FORM_MAX_PARAMS);

		/* The name ends at the first '='; "a" alone is "a=". */
		eq = memchr(seg, '=', seglen);
		if (decode_part(a, seg, eq != NULL ? (size_t)(eq - seg) :
		    seglen, OIDC_FORM_MAX_NAME, &name, err) == -1)
			return -1;
		if (eq != NULL) {
			if (decode_part(a, eq + 1, seglen - (size_t)(eq - seg) -
			    1, OIDC_FORM_MAX_VALUE, &value, err) == -1)
				return -1;
		} else
			value = (struct oidc_str){ name.p + name.len, 0 };
		if (name.len == 0)
			return oidc_fail(err, OIDC_E_INVALID_REQUEST,
			    "malformed parameter", "form: empty name");

		/*
		 * SECURITY: RFC 6749 3.1 forbids repeating a parameter.  Which
		 * copy "wins" differs between parsers (and between us and a
		 * proxy), so a repeat is refused outright.  Names are compared
		 * decoded, so "a" and "%61" are the same parameter, and an
		 * omitted (empty) value still takes its name.
		 */
		for (k = 0; k < nseen; k++)
			if (oidc_str_eq(names[k], name) &&
			    !oidc_str_eq_cstr(name, OIDC_FORM_REPEATABLE))
				return oidc_fail(err, OIDC_E_INVALID_REQUEST,
				    "repeated parameter",
				    "form: duplicate parameter");
		names[nseen++] = name;

		/* RFC 6749 3.1: an empty value is the same as omitted. */
		if (value.len == 0)
			continue;
		v[nkept].name = name;
		v[nkept].value = value;
		nkept++;
	}
	out->v = v;
	out->n = nkept;
	return 0;
}

size_t
oidc_params_get_all(const struct oidc_params *p, const char *name,
    struct oidc_str *out, size_t max)
{
	size_t	 i, n = 0;

	if (p == NULL || name == NULL)
		return 0;
	for (i = 0; i < p->n; i++)
		if (oidc_str_eq_cstr(p->v[i].name, name)) {
			if (n < max)
				out[n] = p->v[i].value;
			n++;
		}
	return n;
}

struct oidc_str
oidc_params_get(const struct oidc_params *p, const char *name)
{
	size_t	 i;

	if (p == NULL || name == NULL)
		return OIDC_STR_NULL;
	for (i = 0; i < p->n; i++)
		if (oidc_str_eq_cstr(p->v[i].name, name))
			return p->v[i].value;
	return OIDC_STR_NULL;
}
