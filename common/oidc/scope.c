/*
 * scope.c: scope sets and scope-driven claims (see oidc/scope.h).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/config.h"
#include "oidc/json.h"
#include "oidc/scope.h"

static const char *const oidc_scopes[] = {
	"openid", "profile", "email", "address", "phone", "offline_access"
};

/* OIDC Core 5.4: the claims each scope value requests. */
static const struct {
	const char	*scope;
	const char	*claims[15];
} scope_claims[] = {
	{ "profile", { "name", "family_name", "given_name", "middle_name",
	    "nickname", "preferred_username", "profile", "picture", "website",
	    "gender", "birthdate", "zoneinfo", "locale", "updated_at" } },
	{ "email", { "email", "email_verified" } },
	{ "address", { "address" } },
	{ "phone", { "phone_number", "phone_number_verified" } },
};

/* The 19 standard claims and every custom one fit in one claims set. */
_Static_assert(19 + OIDC_CONFIG_MAX_CLAIMS <= OIDC_SCOPE_MAX_VALUES,
    "a claims set must hold every claim");
_Static_assert(6 + OIDC_CONFIG_MAX_SCOPES <= OIDC_SCOPE_MAX_VALUES,
    "a scope set must hold every scope");

const struct oidc_config_scope *
oidc_scope_custom(const struct oidc_config *cfg, struct oidc_str scope)
{
	size_t	 i;

	for (i = 0; cfg != NULL && i < cfg->nscopes; i++)
		if (oidc_str_eq_cstr(scope, cfg->scopes[i].name))
			return &cfg->scopes[i];
	return NULL;
}

/* The declared custom claim named `claim` (config's own string), or NULL. */
static const char *
custom_claim(const struct oidc_config *cfg, struct oidc_str claim,
    const struct oidc_config_scope **owner)
{
	size_t	 i, k;

	for (i = 0; cfg != NULL && i < cfg->nscopes; i++)
		for (k = 0; k < cfg->scopes[i].nclaims; k++)
			if (oidc_str_eq_cstr(claim, cfg->scopes[i].claims[k])) {
				if (owner != NULL)
					*owner = &cfg->scopes[i];
				return cfg->scopes[i].claims[k];
			}
	return NULL;
}

bool
oidc_claim_is_declared(const struct oidc_config *cfg, const char *claim)
{
	return custom_claim(cfg, (struct oidc_str){ claim, strlen(claim) },
	    NULL) != NULL;
}

static bool
scope_char_ok(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
}

int
oidc_scope_parse(struct oidc_str s, struct oidc_scope *out,
    struct oidc_error *err)
{
	struct oidc_str	 w;
	size_t		 i = 0, start, k;
	const char	*desc, *detail;

	memset(out, 0, sizeof(*out));
	if (s.p == NULL)
		return 0;
	while (i < s.len) {
		start = i;
		while (i < s.len && s.p[i] != ' ') {
			if (!scope_char_ok((unsigned char)s.p[i])) {
				desc = "scope holds an invalid character";
				detail = "scope char";
				goto bad;
			}
			i++;
		}
		w = (struct oidc_str){ s.p + start, i - start };
		if (w.len == 0 || w.len > OIDC_SCOPE_MAX_LEN) {
			desc = "malformed scope";
			detail = "empty or long scope value";
			goto bad;
		}
		if (i < s.len && ++i == s.len) {
			desc = "malformed scope";
			detail = "trailing space";
			goto bad;
		}
		for (k = 0; k < out->n; k++)
			if (oidc_str_eq(out->v[k], w))
				break;
		if (k < out->n)
			continue;
		if (out->n == OIDC_SCOPE_MAX_VALUES) {
			desc = "too many scope values";
			detail = "scope count";
			goto bad;
		}
		out->v[out->n++] = w;
	}
	return 0;
bad:
	/* No partial output: a failed parse is the empty set. */
	memset(out, 0, sizeof(*out));
	return oidc_fail(err, OIDC_E_INVALID_SCOPE, desc, "%s", detail);
}

bool
oidc_scope_has(const struct oidc_scope *s, const char *v)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		if (oidc_str_eq_cstr(s->v[i], v))
			return true;
	return false;
}

static bool
has_str(const struct oidc_scope *s, struct oidc_str v)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		if (oidc_str_eq(s->v[i], v))
			return true;
	return false;
}

bool
oidc_scope_subset(const struct oidc_scope *a, const struct oidc_scope *b)
{
	size_t	 i;

	for (i = 0; i < a->n; i++)
		if (!has_str(b, a->v[i]))
			return false;
	return true;
}

void
oidc_scope_union(struct oidc_scope *a, const struct oidc_scope *b)
{
	size_t	 i;

	for (i = 0; i < b->n && a->n < OIDC_SCOPE_MAX_VALUES; i++)
		if (!has_str(a, b->v[i]))
			a->v[a->n++] = b->v[i];
}

char *
oidc_scope_join(struct oidc_arena *a, const struct oidc_scope *s)
{
	size_t	 len = 0, i;
	char	*out, *p;

	for (i = 0; i < s->n; i++)
		len += s->v[i].len + 1;
	if ((out = oidc_arena_alloc(a, len + 1)) == NULL)
		return NULL;
	p = out;
	for (i = 0; i < s->n; i++) {
		if (i > 0)
			*p++ = ' ';
		memcpy(p, s->v[i].p, s->v[i].len);
		p += s->v[i].len;
	}
	*p = '\0';
	return out;
}

void
oidc_scope_allowed(const struct oidc_config *cfg, struct oidc_scope *s,
    struct oidc_str registered)
{
	struct oidc_error	 ignored = { 0 };
	struct oidc_scope	 reg;
	size_t			 i, k, n = 0;
	bool			 keep;

	if (registered.p != NULL &&
	    oidc_scope_parse(registered, &reg, &ignored) == -1)
		reg.n = 0;
	for (i = 0; i < s->n; i++) {
		keep = false;
		if (registered.p != NULL)
			keep = has_str(&reg, s->v[i]);
		else
			for (k = 0; k < OIDC_NELEM(oidc_scopes); k++)
				if (oidc_str_eq_cstr(s->v[i], oidc_scopes[k]))
					keep = true;
		if (registered.p == NULL &&
		    oidc_scope_custom(cfg, s->v[i]) != NULL)
			keep = true;
		if (keep)
			s->v[n++] = s->v[i];
	}
	s->n = n;
}

bool
oidc_scope_releases(const struct oidc_config *cfg,
    const struct oidc_scope *s, const char *claim)
{
	const struct oidc_config_scope	*owner;
	size_t				 i, k;

	if (custom_claim(cfg, (struct oidc_str){ claim, strlen(claim) },
	    &owner) != NULL)
		return oidc_scope_has(s, owner->name);
	for (i = 0; i < OIDC_NELEM(scope_claims); i++) {
		if (!oidc_scope_has(s, scope_claims[i].scope))
			continue;
		for (k = 0; scope_claims[i].claims[k] != NULL; k++)
			if (strcmp(scope_claims[i].claims[k], claim) == 0)
				return true;
	}
	return false;
}

/* Our own spelling of a standard claim's name, or NULL. */
static const char *
standard_claim(const char *key)
{
	size_t	 i, k;

	for (i = 0; i < OIDC_NELEM(scope_claims); i++)
		for (k = 0; scope_claims[i].claims[k] != NULL; k++)
			if (strcmp(scope_claims[i].claims[k], key) == 0)
				return scope_claims[i].claims[k];
	return NULL;
}

bool
oidc_claim_is_standard(const char *claim)
{
	return standard_claim(claim) != NULL;
}

const char *
oidc_claim_scope(const struct oidc_config *cfg, struct oidc_str claim)
{
	const struct oidc_config_scope	*owner;
	size_t				 i, k;

	if (custom_claim(cfg, claim, &owner) != NULL)
		return owner->name;
	for (i = 0; i < OIDC_NELEM(scope_claims); i++)
		for (k = 0; scope_claims[i].claims[k] != NULL; k++)
			if (oidc_str_eq_cstr(claim, scope_claims[i].claims[k]))
				return scope_claims[i].scope;
	return NULL;
}

struct wanted_arg {
	const struct oidc_config	*cfg;
	struct oidc_scope		*out;
	const struct oidc_scope		*minus;
};

/*
 * One member name of claims.userinfo or claims.id_token.  The set keeps
 * our own spelling of the name (static, or the configuration's), so it
 * outlives the parsed JSON.  A name neither standard nor declared is
 * left out: it is never released.
 */
static int
add_wanted(void *arg, const char *key, struct oidc_json *val)
{
	struct wanted_arg	*w = arg;
	const char		*name;
	struct oidc_str		 s;

	(void)val;
	if ((name = standard_claim(key)) == NULL &&
	    (name = custom_claim(w->cfg, (struct oidc_str){ key, strlen(key) },
	    NULL)) == NULL)
		return 0;
	s = (struct oidc_str){ name, strlen(name) };
	if (has_str(w->out, s) || (w->minus != NULL &&
	    oidc_scope_releases(w->cfg, w->minus, name)))
		return 0;
	/* Every known claim fits (the _Static_assert above). */
	if (w->out->n < OIDC_SCOPE_MAX_VALUES)
		w->out->v[w->out->n++] = s;
	return 0;
}

int
oidc_claims_wanted(const struct oidc_config *cfg, struct oidc_arena *a,
    struct oidc_str claims_request, const struct oidc_scope *minus,
    struct oidc_scope *out, struct oidc_error *err)
{
	static const char *const members[] = { "userinfo", "id_token" };
	struct wanted_arg	 w = { cfg, out, minus };
	struct oidc_json	*req, *m;
	size_t			 i;

	memset(out, 0, sizeof(*out));
	if (claims_request.p == NULL)
		return 0;
	if (oidc_json_parse(a, claims_request.p, claims_request.len, 0, &req,
	    err) == -1)
		return -1;
	for (i = 0; i < OIDC_NELEM(members); i++) {
		m = NULL;
		if (oidc_json_get_obj(req, members[i], &m, err) == -1) {
			memset(out, 0, sizeof(*out));
			return -1;
		}
		if (m != NULL)
			(void)oidc_json_foreach(m, add_wanted, &w);
	}
	return 0;
}

struct copy_arg {
	const struct oidc_config	*cfg;
	struct oidc_json		*out;
	const struct oidc_scope		*scope;
	const struct oidc_json		*requested;
	bool				 custom_only;
	struct oidc_error		*err;
};

static int
copy_claim(void *arg, const char *key, struct oidc_json *val)
{
	struct copy_arg	*c = arg;

	/*
	 * Only standard and declared claims leave the provider, and only
	 * when asked: a claim stored before its declaration was removed
	 * stays in the database and is never released.
	 */
	if (!oidc_claim_is_declared(c->cfg, key) &&
	    (c->custom_only || !oidc_claim_is_standard(key)))
		return 0;
	if (!oidc_scope_releases(c->cfg, c->scope, key) &&
	    !(c->requested != NULL && oidc_json_has_key(c->requested, key)))
		return 0;
	return oidc_json_set_obj(c->out, key, val, c->err);
}

int
oidc_scope_claims(const struct oidc_config *cfg, struct oidc_json *out,
    const struct oidc_json *user_claims, const struct oidc_scope *scope,
    const struct oidc_json *requested, int64_t updated_at,
    struct oidc_error *err)
{
	struct copy_arg	 c = { cfg, out, scope, requested, false, err };
	bool		 want_updated;

	if (oidc_json_foreach(user_claims, copy_claim, &c) != 0)
		return -1;
	want_updated = oidc_scope_releases(cfg, scope, "updated_at") ||
	    (requested != NULL && oidc_json_has_key(requested, "updated_at"));
	if (want_updated && !oidc_json_has(out, "updated_at") &&
	    updated_at > 0 &&
	    oidc_json_set_i64(out, "updated_at", updated_at, err) == -1)
		return -1;
	return 0;
}

int
oidc_scope_custom_claims(const struct oidc_config *cfg,
    struct oidc_json *out, const struct oidc_json *user_claims,
    const struct oidc_scope *scope, const struct oidc_json *requested,
    struct oidc_error *err)
{
	struct copy_arg	 c = { cfg, out, scope, requested, true, err };

	if (cfg == NULL || cfg->nscopes == 0)
		return 0;
	return oidc_json_foreach(user_claims, copy_claim, &c) != 0 ? -1 : 0;
}
