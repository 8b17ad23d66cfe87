/*
 * resource.h: resource indicators (RFC 8707): the `resource` parameter of
 * /authorize, /par and /token names the protected resources a token is
 * for, and becomes its audience.
 *
 * Resources are registered by the operator (`oidcctl resource create`,
 * table resource, 0022_resource.sql): an identifier (an absolute URI
 * without a fragment, RFC 8707 2), the scopes a token for it may carry
 * (NULL: any), an access token format (oidc/access_token.h; NULL: the
 * client's) and lifetime (0: access_token_ttl).  A malformed or unknown
 * resource is invalid_target.
 *
 * The rules (token.c, authorize.c):
 *   - /authorize (and /par) checks them; the code or implicit token
 *     keeps the granted set;
 *   - /token: a resource asked for must be within what the grant holds
 *     (the code's, the refresh token's) when it holds some; a grant
 *     without any (and client_credentials) may ask for any registered
 *     resource.  Without `resource` at /token, the grant's apply;
 *   - a token for resources carries only the granted scopes that one of
 *     them allows (none left: invalid_scope), is a JWT when one of them
 *     says jwt (opaque when all say opaque, else the client's format),
 *     and lives the shortest of their lifetimes;
 *   - its aud is the resources (JWT; introspection); a refresh token keeps
 *     the grant's set, so a later refresh may ask for another of them.
 *
 * Limits: at most OIDC_RESOURCE_MAX values of at most
 * OIDC_RESOURCE_MAX_LEN bytes each, printable ASCII without spaces.
 */
#ifndef OIDC_RESOURCE_H
#define OIDC_RESOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/scope.h"
#include "oidc/str.h"

#define OIDC_RESOURCE_MAX	8
#define OIDC_RESOURCE_MAX_LEN	512

struct oidc_arena;
struct oidc_ctx;
struct oidc_params;

struct oidc_resources {
	struct oidc_str	 v[OIDC_RESOURCE_MAX];
	size_t		 n;
	/* Filled by oidc_resources_load(): */
	bool		 loaded;
	bool		 any_scope;	/* one of them allows any scope */
	struct oidc_scope allowed;	/* the union of their scopes */
	int		 format;	/* -1: none, else enum oidc_at_format */
	int64_t		 lifetime;	/* 0: none */
};

/*
 * True when s is a resource identifier: an absolute URI (a scheme, ':',
 * more) without a fragment, printable ASCII without spaces, at most
 * OIDC_RESOURCE_MAX_LEN bytes.
 */
bool	oidc_resource_syntax_ok(struct oidc_str s);

/*
 * The `resource` values of p into *r (n = 0 when none).  0, or -1 with
 * OIDC_E_INVALID_TARGET for a malformed one, too many, or a repeat.
 */
OIDC_MUST_CHECK int	oidc_resources_from_params(const struct oidc_params *p,
			    struct oidc_resources *r, struct oidc_error *);

/* A stored space-separated set into *r (NULL: none).  0 or -1 (limits). */
OIDC_MUST_CHECK int	oidc_resources_split(struct oidc_str joined,
			    struct oidc_resources *r, struct oidc_error *);

/* Space-joined (arena), OIDC_STR_NULL when r has none. */
struct oidc_str	oidc_resources_join(struct oidc_arena *,
		    const struct oidc_resources *r);

/* Every value of a is in b. */
bool	oidc_resources_subset(const struct oidc_resources *a,
	    const struct oidc_resources *b);

/*
 * Read every resource of r (registered or invalid_target) and fill its
 * policy members.  0, or -1 with err set.
 */
OIDC_MUST_CHECK int	oidc_resources_load(struct oidc_ctx *,
			    struct oidc_resources *r, struct oidc_error *);

/*
 * The scope a token for the loaded resources r may carry: the values of
 * `granted` one of them allows (all of them when r has none), into *out
 * (arena).  0, or -1: OIDC_E_INVALID_SCOPE when none is left.
 */
OIDC_MUST_CHECK int	oidc_resources_scope(struct oidc_arena *,
			    const struct oidc_resources *r,
			    struct oidc_str granted, struct oidc_str *out,
			    struct oidc_error *);

/* The access token lifetime for r: the shortest of theirs, else dflt. */
int64_t	oidc_resources_ttl(const struct oidc_resources *r, int64_t dflt);

#endif /* OIDC_RESOURCE_H */
