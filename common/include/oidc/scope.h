/*
 * scope.h: scope values (RFC 6749 3.3) and the claims each OpenID scope
 * releases (OIDC Core 5.4).
 *
 * A scope is a set: order is kept, duplicates are folded.  Each value is
 * 1*( %x21 / %x23-5B / %x5D-7E ); values are separated by exactly one
 * space.  Limits: OIDC_SCOPE_MAX_VALUES values of at most
 * OIDC_SCOPE_MAX_LEN bytes.  Which values a client may have is policy
 * (oidc_scope_allowed), not parsing.
 *
 * Besides the standard scopes, the configuration may declare custom ones
 * (`scope = NAME: CLAIM ...`, oidc/config.h), each releasing its custom
 * claims exactly as a standard scope releases its own: the functions
 * below that take the configuration treat a declared scope and claim as
 * standard ones (a NULL configuration declares none).  Custom claim
 * values are the user's stored JSON values, passed through unchanged.
 */
#ifndef OIDC_SCOPE_H
#define OIDC_SCOPE_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

#define OIDC_SCOPE_MAX_VALUES	64
#define OIDC_SCOPE_MAX_LEN	128

struct oidc_arena;
struct oidc_config;
struct oidc_config_scope;
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
 * profile, email, address, phone, offline_access) and the declared custom
 * scopes, or, when the client registered a "scope" list, exactly that
 * list instead.  Unknown values are dropped (RFC 6749 3.3 lets the server
 * ignore them).
 */
void	oidc_scope_allowed(const struct oidc_config *, struct oidc_scope *,
	    struct oidc_str registered);

/* The declared custom scope named `scope`, or NULL. */
const struct oidc_config_scope *oidc_scope_custom(const struct oidc_config *,
	    struct oidc_str scope);

/*
 * True for a standard claim that `scope` releases (OIDC Core 5.4), or a
 * declared custom claim whose custom scope is in `scope`.
 */
bool	oidc_scope_releases(const struct oidc_config *,
	    const struct oidc_scope *, const char *claim);

/* True if `claim` is one of the OIDC Core 5.1 standard claims. */
bool	oidc_claim_is_standard(const char *claim);

/* True if `claim` is a custom claim the configuration declares. */
bool	oidc_claim_is_declared(const struct oidc_config *,
	    const char *claim);

/*
 * The scope value whose claims include `claim` (OIDC Core 5.4: "profile",
 * "email", "address", "phone", or the declared custom scope of a custom
 * claim), or NULL for a claim that is neither standard nor declared.
 */
const char	*oidc_claim_scope(const struct oidc_config *,
		    struct oidc_str claim);

/*
 * The claims asked for one by one (OIDC Core 5.5): the member names of
 * the claims request's "userinfo" and "id_token" objects that are
 * standard or declared claims, as a set (the claims the provider knows;
 * any other name is ignored, as it is never released), leaving out those
 * that `minus` (a scope; may be NULL) releases anyway.  The set's strings
 * are static or the configuration's.  An absent request gives the empty
 * set.  The request must have passed the authorization endpoint's check;
 * 0 or -1 (malformed: empty set).
 */
OIDC_MUST_CHECK int	oidc_claims_wanted(const struct oidc_config *,
			    struct oidc_arena *, struct oidc_str claims_request,
			    const struct oidc_scope *minus, struct oidc_scope *out,
			    struct oidc_error *);

/*
 * Copy into `out` the user's stored claims, standard or declared, that
 * the scope releases, plus those named in `requested` (a claims-parameter
 * member object such as claims.userinfo; may be NULL).  A stored claim
 * that is neither (declared once, then no longer) is never copied.
 * updated_at falls back to `updated_at`.  0 or -1.
 */
OIDC_MUST_CHECK int	oidc_scope_claims(const struct oidc_config *,
			    struct oidc_json *out,
			    const struct oidc_json *user_claims,
			    const struct oidc_scope *,
			    const struct oidc_json *requested,
			    int64_t updated_at, struct oidc_error *);

/*
 * The same, for the declared custom claims only (token introspection,
 * oidc/revoke.h).  0 or -1.
 */
OIDC_MUST_CHECK int	oidc_scope_custom_claims(const struct oidc_config *,
			    struct oidc_json *out,
			    const struct oidc_json *user_claims,
			    const struct oidc_scope *,
			    const struct oidc_json *requested,
			    struct oidc_error *);

#endif /* OIDC_SCOPE_H */
