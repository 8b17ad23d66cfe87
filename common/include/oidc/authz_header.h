/*
 * authz_header.h: the Authorization request header.
 *
 * Basic (RFC 7617 with RFC 6749 2.3.1): the scheme is matched without case,
 * exactly one SP follows, the credentials are strict base64 (RFC 4648 4),
 * split at the FIRST ':', and each half is form-urldecoded (RFC 6749 2.3.1
 * says client_id and secret are application/x-www-form-urlencoded before
 * base64).  An empty client id is malformed.
 * Bearer (RFC 6750 2.1): "Bearer" without case, one SP, a b64token
 * (1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=").
 * DPoP (RFC 9449 7.1): "DPoP" without case, then as Bearer.
 * Limit: OIDC_AUTHZ_MAX_LEN bytes of header.
 */
#ifndef OIDC_AUTHZ_HEADER_H
#define OIDC_AUTHZ_HEADER_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

#define OIDC_AUTHZ_MAX_LEN	4096

struct oidc_arena;

/*
 * 1 Basic credentials parsed (id and secret arena-owned, decoded),
 * 0 the scheme is not Basic, -1 malformed Basic (OIDC_E_INVALID_CLIENT) or
 * too long (OIDC_E_LIMIT).
 */
OIDC_MUST_CHECK int	oidc_authz_parse_basic(struct oidc_arena *,
			    const char *hdr, size_t len, struct oidc_str *id,
			    struct oidc_str *secret, struct oidc_error *);

/*
 * 1 a Bearer token (*token points into hdr), 0 the scheme is not Bearer,
 * -1 malformed or too long (OIDC_E_INVALID_REQUEST / OIDC_E_LIMIT).
 */
OIDC_MUST_CHECK int	oidc_authz_parse_bearer(const char *hdr, size_t len,
			    struct oidc_str *token, struct oidc_error *);

/* The same for the DPoP scheme (RFC 9449 7.1). */
OIDC_MUST_CHECK int	oidc_authz_parse_dpop(const char *hdr, size_t len,
			    struct oidc_str *token, struct oidc_error *err);

#endif /* OIDC_AUTHZ_HEADER_H */
