/*
 * cookie.h: reading one cookie from a Cookie request header (RFC 6265 5.4
 * syntax: "name=value; name2=value2").
 *
 * Limits: the header at most OIDC_COOKIE_MAX_HEADER bytes and at most
 * OIDC_COOKIE_MAX_COUNT cookies; longer or more is OIDC_E_LIMIT.  Values are
 * returned raw (no decoding; ours are base64url), with optional surrounding
 * DQUOTEs removed.  SECURITY: the same cookie name twice is refused
 * (OIDC_E_INVALID_REQUEST), since a second copy is how cookie tossing from a
 * sibling domain plants a session.  Malformed pairs of OTHER cookies are
 * skipped: browsers send whatever other sites on the host set.
 */
#ifndef OIDC_COOKIE_H
#define OIDC_COOKIE_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

#define OIDC_COOKIE_MAX_HEADER	8192
#define OIDC_COOKIE_MAX_COUNT	64

/*
 * Find cookie `name` in hdr[0..len).  1 found (*out points into hdr),
 * 0 absent, -1 error (limit or duplicate).
 */
OIDC_MUST_CHECK int	oidc_cookie_find(const char *hdr, size_t len,
			    const char *name, struct oidc_str *out,
			    struct oidc_error *);

#endif /* OIDC_COOKIE_H */
