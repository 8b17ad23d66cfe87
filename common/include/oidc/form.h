/*
 * form.h: application/x-www-form-urlencoded parsing (query strings and
 * POST bodies), RFC 6749 section 3.1 / 3.2 rules, WHATWG urlencoded syntax.
 *
 * The parser rejects instead of repairing:
 *   - an invalid percent-escape ("%4", "%zz") or a decoded NUL byte;
 *   - names or values that are not valid UTF-8;
 *   - a repeated parameter name (RFC 6749 3.1: "Request and response
 *     parameters MUST NOT be included more than once"), except
 *     OIDC_FORM_REPEATABLE ("resource", which RFC 8707 2 lets a request
 *     repeat; oidc_params_get() sees its first value only);
 *   - more than OIDC_FORM_MAX_PARAMS pairs, a name longer than
 *     OIDC_FORM_MAX_NAME or a value longer than OIDC_FORM_MAX_VALUE bytes
 *     (decoded), input longer than OIDC_FORM_MAX_LEN.
 * '+' decodes to a space.  Empty segments ("a=1&&b=2", a trailing '&') are
 * skipped.  A parameter with an empty value is treated as omitted (RFC 6749
 * 3.1) and does not appear in the result, but still counts for duplicates.
 * A segment without '=' is a name with an empty value; an empty name
 * ("=x") is malformed.
 * Errors: OIDC_E_INVALID_REQUEST (malformed, duplicate) or OIDC_E_LIMIT.
 */
#ifndef OIDC_FORM_H
#define OIDC_FORM_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

#define OIDC_FORM_MAX_LEN	(64 * 1024)
#define OIDC_FORM_MAX_PARAMS	64
#define OIDC_FORM_MAX_NAME	64
#define OIDC_FORM_MAX_VALUE	(16 * 1024)
/* The one parameter that may be repeated (RFC 8707 2, oidc/resource.h). */
#define OIDC_FORM_REPEATABLE	"resource"

struct oidc_arena;

struct oidc_param {
	struct oidc_str	 name;	/* decoded, NUL-terminated, arena-owned */
	struct oidc_str	 value;	/* decoded, NUL-terminated, arena-owned */
};

struct oidc_params {
	struct oidc_param	*v;
	size_t			 n;
};

/*
 * Parse buf[0..len).  On success *out holds arena-owned decoded copies in
 * input order; on failure *out is left empty ({NULL, 0}).
 */
OIDC_MUST_CHECK int	oidc_form_parse(struct oidc_arena *, const char *buf,
			    size_t len, struct oidc_params *out,
			    struct oidc_error *);

/* The value of `name`, or OIDC_STR_NULL when absent. */
struct oidc_str	oidc_params_get(const struct oidc_params *, const char *name);

/*
 * Every value of `name` in input order: the first `max` into out[]; the
 * return is how many there are (more than max: the caller refuses).
 */
size_t	oidc_params_get_all(const struct oidc_params *, const char *name,
	    struct oidc_str *out, size_t max);

/*
 * Percent-decode one component ('+' as space when plus_is_space) into an
 * arena-owned NUL-terminated copy; NUL bytes and bad escapes are refused.
 * At most max_len decoded bytes.
 */
OIDC_MUST_CHECK int	oidc_form_urldecode(struct oidc_arena *,
			    const char *buf, size_t len, bool plus_is_space,
			    size_t max_len, struct oidc_str *out,
			    struct oidc_error *);

#endif /* OIDC_FORM_H */
