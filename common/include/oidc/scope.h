/*
 * scope.h: scope values (RFC 6749 3.3) and the claims each OpenID scope
 * releases (OIDC Core 5.4).
 *
 * A scope is a set: order is kept, duplicates are folded.  Each value is
 * 1*( %x21 / %x23-5B / %x5D-7E ); values are separated by exactly one
 * space.  Limits: OIDC_SCOPE_MAX_VALUES values of at most
 * OIDC_SCOPE_MAX_LEN bytes.  Which values a client may have is policy
 * (oidc_scope_allowed), not parsing.
 */
#ifndef OIDC_SCOPE_H
#define OIDC_SCOPE_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

#define OIDC_SCOPE_MAX_VALUES	32
#define OIDC_SCOPE_MAX_LEN	128

struct oidc_arena;
struct oidc_json;

struct oidc_scope {
	struct oidc_str	 v[OIDC_SCOPE_MAX_VALUES];
	size_t		 n;
};

/* Parse; an absent or empty string gives the empty set.  INVALID_SCOPE. */
OIDC_MUST_CHECK int	oidc_scope_parse(struct oidc_str, struct oidc_scope *,
			    struct oidc_error *);
bool	oidc_scope_has(const struct oidc_scope *, const char *);
/* Every value of a is in b. */
bool	oidc_scope_subset(const struct oidc_scope *a,
	    const struct oidc_scope *b);
/* Add the values of b to a (up to the limit). */
void	oidc_scope_union(struct oidc_scope *a, const struct oidc_scope *b);
/* Space-joined, arena-owned ("" for the empty set); NULL when out of memory. */
char	*oidc_scope_join(struct oidc_arena *, const struct oidc_scope *);

/*
 * Keep only the values the client may receive: the OpenID scopes (openid,
 * profile, email, address, phone, offline_access) and, when the client
 * registered a "scope" list, exactly that list instead.  Unknown values
 * are dropped (RFC 6749 3.3 lets the server ignore them).
 */
void	oidc_scope_allowed(struct oidc_scope *, struct oidc_str registered);

/* True for a standard claim that `scope` releases (OIDC Core 5.4). */
bool	oidc_scope_releases(const struct oidc_scope *, const char *claim);

/* True if `claim` is one of the OIDC Core 5.1 standard claims. */
bool	oidc_claim_is_standard(const char *claim);

/*
 * The scope value whose claims include `claim` (OIDC Core 5.4: "profile",
 * "email", "address", "phone"), or NULL for a claim that is not standard.
 */
const char	*oidc_claim_scope(struct oidc_str claim);

/*
 * The claims asked for one by one (OIDC Core 5.5): the member names of
 * the claims request's "userinfo" and "id_token" objects that are
 * standard claims, as a set (the claims the provider knows; any other name
 * is ignored, as it is never released), leaving out those that `minus`
 * (a scope; may be NULL) releases anyway.  The set's strings are static.
 * An absent request gives the empty set.  The request must have passed
 * the authorization endpoint's check; 0 or -1 (malformed: empty set).
 */
OIDC_MUST_CHECK int	oidc_claims_wanted(struct oidc_arena *,
			    struct oidc_str claims_request,
			    const struct oidc_scope *minus, struct oidc_scope *out,
			    struct oidc_error *);

/*
 * Copy into `out` the user's stored claims that the scope releases, plus
 * the names listed in `requested` (a claims-parameter member object such as
 * claims.userinfo; may be NULL).  updated_at falls back to `updated_at`.
 * 0 or -1.
 */
OIDC_MUST_CHECK int	oidc_scope_claims(struct oidc_json *out,
			    const struct oidc_json *user_claims,
			    const struct oidc_scope *,
			    const struct oidc_json *requested,
			    int64_t updated_at, struct oidc_error *);

#endif /* OIDC_SCOPE_H */
