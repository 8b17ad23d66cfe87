/*
 * reqobj.h: request objects passed by value (OIDC Core 6.1, RFC 9101).
 *
 * The "request" parameter is a JWT whose members are authorization
 * parameters; they win over the same parameters in the query.  It is
 * verified with the client's own keys only: its registered "jwks" for
 * asymmetric algorithms, its secret for HS*.  If the client registered
 * request_object_signing_alg, that exact algorithm is required; an
 * unsigned object ("alg":"none") is accepted only from a client that
 * registered request_object_signing_alg "none".  When present, iss must
 * be the client, aud must name the issuer, exp must not have passed, and
 * client_id and response_type must equal the query's (RFC 9101 5).
 * Limit: OIDC_REQOBJ_MAX_LEN bytes.  Errors: OIDC_E_INVALID_REQUEST_OBJECT.
 */
#ifndef OIDC_REQOBJ_H
#define OIDC_REQOBJ_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

#define OIDC_REQOBJ_MAX_LEN	(16 * 1024)

struct oidc_client;
struct oidc_ctx;
struct oidc_params;

/*
 * Verify `jwt` and merge its members over `query` into *out (arena-owned;
 * "request" itself is kept so the login and consent pages carry it).
 * 0 or -1.
 */
OIDC_MUST_CHECK int	oidc_reqobj_merge(struct oidc_ctx *,
			    const struct oidc_client *, struct oidc_str jwt,
			    const struct oidc_params *query,
			    struct oidc_params *out, struct oidc_error *);

#endif /* OIDC_REQOBJ_H */
