/*
 * resource.c: resource indicators, RFC 8707 (see oidc/resource.h).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/config.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/form.h"
#include "oidc/resource.h"

static int
bad_target(struct oidc_error *err, const char *desc)
{
	return oidc_fail(err, OIDC_E_INVALID_TARGET, desc, "%s", desc);
}

bool
oidc_resource_syntax_ok(struct oidc_str s)
{
	size_t	 i;
	char	 c;

	if (s.p == NULL || s.len == 0 || s.len > OIDC_RESOURCE_MAX_LEN)
		return false;
	/* RFC 3986 3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
	c = s.p[0];
	if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		return false;
	for (i = 1; i < s.len && s.p[i] != ':'; i++) {
		c = s.p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '-' ||
		    c == '.'))
			return false;
	}
	if (i + 1 >= s.len)		/* no ':' or nothing after it */
		return false;
	for (i = 0; i < s.len; i++)
		if (s.p[i] <= ' ' || s.p[i] > '~' || s.p[i] == '#')
			return false;
	return true;
}

/* Add s to r: invalid_target when malformed, repeated or too many. */
static int
add(struct oidc_resources *r, struct oidc_str s, struct oidc_error *err)
{
	size_t	 i;

	if (!oidc_resource_syntax_ok(s))
		return bad_target(err, "resource must be an absolute URI "
		    "without a fragment");
	for (i = 0; i < r->n; i++)
		if (oidc_str_eq(r->v[i], s))
			return bad_target(err, "resource is repeated");
	if (r->n == OIDC_RESOURCE_MAX)
		return bad_target(err, "too many resource values");
	r->v[r->n++] = s;
	return 0;
}

int
oidc_resources_from_params(const struct oidc_params *p,
    struct oidc_resources *r, struct oidc_error *err)
{
	struct oidc_str	 v[OIDC_RESOURCE_MAX + 1];
	size_t		 n, i;

	memset(r, 0, sizeof(*r));
	r->format = -1;
	n = oidc_params_get_all(p, "resource", v, OIDC_RESOURCE_MAX + 1);
	if (n > OIDC_RESOURCE_MAX)
		return bad_target(err, "too many resource values");
	for (i = 0; i < n; i++)
		if (add(r, v[i], err) == -1)
			return -1;
	return 0;
}

int
oidc_resources_split(struct oidc_str joined, struct oidc_resources *r,
    struct oidc_error *err)
{
	size_t	 i = 0, start;

	memset(r, 0, sizeof(*r));
	r->format = -1;
	while (joined.p != NULL && i < joined.len) {
		start = i;
		while (i < joined.len && joined.p[i] != ' ')
			i++;
		if (i > start && add(r, (struct oidc_str){ joined.p + start,
		    i - start }, err) == -1)
			return -1;
		i++;
	}
	return 0;
}

struct oidc_str
oidc_resources_join(struct oidc_arena *a, const struct oidc_resources *r)
{
	char	*s, *p;
	size_t	 i, len = 0;

	if (r->n == 0)
		return OIDC_STR_NULL;
	for (i = 0; i < r->n; i++)
		len += r->v[i].len + 1;
	if ((s = p = oidc_arena_alloc(a, len)) == NULL)
		return OIDC_STR_NULL;
	for (i = 0; i < r->n; i++) {
		if (i > 0)
			*p++ = ' ';
		memcpy(p, r->v[i].p, r->v[i].len);
		p += r->v[i].len;
	}
	*p = '\0';
	return (struct oidc_str){ s, (size_t)(p - s) };
}

bool
oidc_resources_subset(const struct oidc_resources *a,
    const struct oidc_resources *b)
{
	size_t	 i, k;

	for (i = 0; i < a->n; i++) {
		for (k = 0; k < b->n; k++)
			if (oidc_str_eq(a->v[i], b->v[k]))
				break;
		if (k == b->n)
			return false;
	}
	return true;
}

/* One registered row's policy into r. */
static int
merge(struct oidc_resources *r, const struct oidc_resource_row *row,
    struct oidc_error *err)
{
	struct oidc_scope	 s;

	if (row->scope.p == NULL)
		r->any_scope = true;
	else {
		if (oidc_scope_parse(row->scope, &s, err) == -1)
			return -1;
		oidc_scope_union(&r->allowed, &s);
	}
	if (oidc_str_eq_cstr(row->format, "jwt"))
		r->format = OIDC_AT_JWT;
	else if (oidc_str_eq_cstr(row->format, "opaque") && r->format == -1)
		r->format = OIDC_AT_OPAQUE;
	if (row->lifetime > 0 && (r->lifetime == 0 ||
	    row->lifetime < r->lifetime))
		r->lifetime = row->lifetime;
	return 0;
}

int
oidc_resources_load(struct oidc_ctx *ctx, struct oidc_resources *r,
    struct oidc_error *err)
{
	struct oidc_resource_row	 row;
	bool				 opaque_all = true;
	size_t				 i;
	int				 rc;

	r->any_scope = false;
	r->allowed.n = 0;
	r->format = -1;
	r->lifetime = 0;
	for (i = 0; i < r->n; i++) {
		if ((rc = oidc_db_resource_get(ctx->db, ctx->a, r->v[i], &row,
		    err)) == -1)
			return -1;
		if (rc == 0)
			return bad_target(err, "unknown resource");
		if (!oidc_str_eq_cstr(row.format, "opaque"))
			opaque_all = false;
		if (merge(r, &row, err) == -1)
			return -1;
	}
	/* Opaque only when every one says so; jwt when one does. */
	if (r->format == OIDC_AT_OPAQUE && !opaque_all)
		r->format = -1;
	r->loaded = true;
	return 0;
}

int
oidc_resources_scope(struct oidc_arena *a, const struct oidc_resources *r,
    struct oidc_str granted, struct oidc_str *out, struct oidc_error *err)
{
	struct oidc_scope	 g, keep;
	size_t			 i, k;
	char			*s;

	*out = granted;
	if (r->n == 0 || r->any_scope)
		return 0;
	if (oidc_scope_parse(granted, &g, err) == -1)
		return -1;
	keep.n = 0;
	for (i = 0; i < g.n; i++)
		for (k = 0; k < r->allowed.n; k++)
			if (oidc_str_eq(g.v[i], r->allowed.v[k])) {
				keep.v[keep.n++] = g.v[i];
				break;
			}
	if (keep.n == 0)
		return oidc_fail(err, OIDC_E_INVALID_SCOPE, "the resource "
		    "allows none of the granted scopes", "resource scope");
	if ((s = oidc_scope_join(a, &keep)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	*out = (struct oidc_str){ s, strlen(s) };
	return 0;
}

int64_t
oidc_resources_ttl(const struct oidc_resources *r, int64_t dflt)
{
	return r->n > 0 && r->lifetime > 0 ? r->lifetime : dflt;
}
