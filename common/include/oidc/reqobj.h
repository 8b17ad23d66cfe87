/*
 * reqobj.h: request objects passed by value (OIDC Core 6.1, RFC 9101).
 *
 * The "request" parameter is a JWT whose members are authorization
 * parameters; they win over the same parameters in the query.  It is
 * verified with the client's own keys only: its registered "jwks" for
 * asymmetric algorithms, its secret for HS*.  If the client registered
 * request_object_signing_alg, that exact algorithm is required; an
 * unsigned object ("alg":"none") is accepted from a client that
 * registered "none" or nothing (OIDC Registration 2), the latter unless
 * the configuration has request_object_require_signed.  When present, iss must
 * be the client, aud must name the issuer, nbf must have come, and
 * client_id and response_type must equal the query's (RFC 9101 5).  A
 * signed object must carry exp, not passed (an unsigned one is checked
 * when it has one); a signed object's jti is used once (the used_jti
 * ledger, until exp), except on the login and consent pages' own posts,
 * which carry the object already accepted (OIDC_REQOBJ_CARRIED).
 *
 * SECURITY: only the authorization request parameters of
 * oidc_authz_params[] are merged (OIDC Core 6.3.3, RFC 9101 4); other
 * members, the pages' own fields (action, csrf, username, password,
 * decision) among them, are ignored (issue 15 item 1).
 * Limit: OIDC_REQOBJ_MAX_LEN bytes.  Errors: OIDC_E_INVALID_REQUEST_OBJECT.
 */
#ifndef OIDC_REQOBJ_H
#define OIDC_REQOBJ_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

#define OIDC_REQOBJ_MAX_LEN	(16 * 1024)

/* oidc_reqobj_merge() flags. */
#define OIDC_REQOBJ_CARRIED	0x1u	/* a page's post: no jti ledger */

/*
 * The authorization request parameters (OIDC Core 3.1.2.1, 5.5, 6):
 * the members a request object may set, and what the login and consent
 * pages carry besides the object itself.
 */
#define OIDC_AUTHZ_NPARAMS	19
extern const char *const oidc_authz_params[OIDC_AUTHZ_NPARAMS];

struct oidc_client;
struct oidc_ctx;
struct oidc_params;

/*
 * Verify `jwt` and merge its authorization parameters over `query` into
 * *out (arena-owned; the query fills in the rest).  `flags`:
 * OIDC_REQOBJ_*.  Needs ctx->db for a signed object's jti unless
 * OIDC_REQOBJ_CARRIED.  0 or -1.
 */
OIDC_MUST_CHECK int	oidc_reqobj_merge(struct oidc_ctx *,
			    const struct oidc_client *, struct oidc_str jwt,
			    const struct oidc_params *query, unsigned flags,
			    struct oidc_params *out, struct oidc_error *);

#endif /* OIDC_REQOBJ_H */
