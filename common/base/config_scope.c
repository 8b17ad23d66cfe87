/*
 * config_scope.c: the `scope` key of oidc.conf, custom scopes and the
 * custom claims they release (see oidc/config.h, oidc/scope.h).
 *
 * "NAME: CLAIM [CLAIM ...]".  Every rule is checked here, at load, so
 * that a worker never starts with a declaration it would have to
 * second-guess: a custom claim never shadows a standard or registered
 * claim (an ID Token's "nonce" or an introspection response's "active"
 * cannot come from a user's stored claims), and each claim belongs to
 * exactly one scope, as each standard claim does (OIDC Core 5.4).
 */
#include <stdio.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/config.h"
#include "config_int.h"

/*
 * Names no custom claim may take.  OIDC Core 5.1 standard claims (keep
 * in step with scope.c's scope_claims), then the registered names of RFC
 * 7519 4.1, OIDC Core 2 and 5.6.2, Back-Channel Logout 2.4, RFC 7800,
 * RFC 8693 4 and the introspection response members of RFC 7662 2.2.
 */
static const char *const reserved[] = {
	"sub", "name", "given_name", "family_name", "middle_name", "nickname",
	"preferred_username", "profile", "picture", "website", "email",
	"email_verified", "gender", "birthdate", "zoneinfo", "locale",
	"phone_number", "phone_number_verified", "address", "updated_at",
	"iss", "aud", "exp", "nbf", "iat", "jti",
	"auth_time", "nonce", "acr", "amr", "azp", "at_hash", "c_hash",
	"s_hash", "sid", "sub_jwk", "_claim_names", "_claim_sources",
	"events", "cnf", "act", "may_act", "client_id",
	"active", "scope", "token_type", "username",
};

/* OIDC Core 5.4 and 11: the standard scope values. */
static const char *const std_scopes[] = {
	"openid", "profile", "email", "address", "phone", "offline_access"
};

static int
bad(struct oidc_error *err, const char *name, size_t line, const char *msg)
{
	return oidc_fail(err, OIDC_E_CONFIG, NULL, "%s:%zu: scope: %s", name,
	    line, msg);
}

static bool
in_list(const char *const *l, size_t n, const char *w, size_t len)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strlen(l[i]) == len && memcmp(l[i], w, len) == 0)
			return true;
	return false;
}

bool
oidc_config_claim_reserved(const char *w, size_t len)
{
	return in_list(reserved, OIDC_NELEM(reserved), w, len);
}

/* 1..OIDC_CONFIG_MAX_NAME of [A-Za-z0-9_.-], and for claims also ':' '/'. */
static bool
good_name(const char *w, size_t len, bool claim)
{
	size_t	 i;
	char	 c;

	if (len == 0 || len > OIDC_CONFIG_MAX_NAME)
		return false;
	for (i = 0; i < len; i++) {
		c = w[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')
			continue;
		if (claim && (c == ':' || c == '/'))
			continue;
		return false;
	}
	return true;
}

/* The scope declaring claim w, or NULL. */
static const char *
claim_owner(const struct oidc_config *cfg, const char *w, size_t len)
{
	size_t	 i;

	for (i = 0; i < cfg->nscopes; i++)
		if (in_list(cfg->scopes[i].claims, cfg->scopes[i].nclaims, w,
		    len))
			return cfg->scopes[i].name;
	return NULL;
}

/* One claim name [w, w+len) of the scope being added, sc. */
static int
add_claim(struct oidc_arena *a, struct oidc_config *cfg,
    struct oidc_config_scope *sc, const char *w, size_t len,
    const char *name, size_t line, struct oidc_error *err)
{
	const char	*owner;
	char		 msg[256];

	if (!good_name(w, len, true))
		return bad(err, name, line, "bad claim name (1-64 of "
		    "A-Z a-z 0-9 _ . - : /)");
	if (oidc_config_claim_reserved(w, len)) {
		(void)snprintf(msg, sizeof(msg), "\"%.*s\" is a standard "
		    "claim or a registered JWT/OIDC claim name", (int)len, w);
		return bad(err, name, line, msg);
	}
	if ((owner = claim_owner(cfg, w, len)) != NULL ||
	    in_list(sc->claims, sc->nclaims, w, len)) {
		(void)snprintf(msg, sizeof(msg), "claim \"%.*s\" already "
		    "released by scope \"%s\"", (int)len, w,
		    owner != NULL ? owner : sc->name);
		return bad(err, name, line, msg);
	}
	if (cfg->nclaims == OIDC_CONFIG_MAX_CLAIMS)
		return bad(err, name, line, "too many claims (at most 32 "
		    "custom claims in all)");
	if ((sc->claims[sc->nclaims] = oidc_arena_strndup(a, w, len)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	sc->nclaims++;
	cfg->nclaims++;
	return 0;
}

/* The NAME before the colon: checked and copied into sc->name. */
static int
scope_name(struct oidc_arena *a, const struct oidc_config *cfg,
    struct oidc_config_scope *sc, const char *w, size_t len,
    const char *name, size_t line, struct oidc_error *err)
{
	char	 msg[160];
	size_t	 i;

	if (!good_name(w, len, false))
		return bad(err, name, line, "bad scope name (1-64 of "
		    "A-Z a-z 0-9 _ . -)");
	if (in_list(std_scopes, OIDC_NELEM(std_scopes), w, len)) {
		(void)snprintf(msg, sizeof(msg), "\"%.*s\" is a standard "
		    "scope", (int)len, w);
		return bad(err, name, line, msg);
	}
	for (i = 0; i < cfg->nscopes; i++)
		if (strlen(cfg->scopes[i].name) == len &&
		    memcmp(cfg->scopes[i].name, w, len) == 0) {
			(void)snprintf(msg, sizeof(msg), "scope \"%.*s\" "
			    "declared twice", (int)len, w);
			return bad(err, name, line, msg);
		}
	if ((sc->name = oidc_arena_strndup(a, w, len)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	return 0;
}

int
oidc_config_add_scope(struct oidc_arena *a, struct oidc_config *cfg,
    const char *v, size_t vlen, const char *name, size_t line,
    struct oidc_error *err)
{
	struct oidc_config_scope	*sc;
	const char			*colon, *p, *end = v + vlen, *w;
	char				 msg[160];

	if ((colon = memchr(v, ':', vlen)) == NULL || colon == v)
		return bad(err, name, line,
		    "must be `NAME: CLAIM [CLAIM ...]`");
	if (cfg->nscopes == OIDC_CONFIG_MAX_SCOPES)
		return bad(err, name, line, "too many scopes (at most 16)");
	sc = &cfg->scopes[cfg->nscopes];
	memset(sc, 0, sizeof(*sc));
	if (scope_name(a, cfg, sc, v, (size_t)(colon - v), name, line,
	    err) == -1)
		return -1;
	for (p = colon + 1;;) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			break;
		for (w = p; p < end && *p != ' ' && *p != '\t'; p++)
			;
		if (add_claim(a, cfg, sc, w, (size_t)(p - w), name, line,
		    err) == -1)
			return -1;
	}
	if (sc->nclaims == 0) {
		(void)snprintf(msg, sizeof(msg), "\"%s\" declares no claims",
		    sc->name);
		return bad(err, name, line, msg);
	}
	cfg->nscopes++;
	return 0;
}
