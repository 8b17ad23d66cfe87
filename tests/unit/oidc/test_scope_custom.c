/*
 * test_scope_custom.c: declared custom scopes and claims (oidc.conf
 * `scope`, common/oidc/scope.c).
 *
 * A declared scope is allowed and releases its claims as a standard scope
 * does, by scope or by name in the claims request; the values pass
 * through unchanged (arrays, objects, numbers, booleans); a stored claim
 * that is not declared (any more) is never released, whatever is asked;
 * introspection's set holds the custom claims only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/config.h"
#include "oidc/json.h"
#include "oidc/scope.h"

#include "tap.h"

#define CONF	"issuer = https://op.example\ndatabase = x\n" \
		"scope = groups: groups\n" \
		"scope = org: department cost_center\n"

#define USER	"{\"email\":\"u@example.org\"," \
		"\"groups\":[\"admins\",\"ops\"]," \
		"\"department\":{\"id\":7,\"name\":\"R&D\"}," \
		"\"cost_center\":42,\"stale\":true}"

static struct oidc_scope
sc(const char *v)
{
	struct oidc_error	 err = { 0 };
	struct oidc_scope	 s;

	if (oidc_scope_parse((struct oidc_str){ v, strlen(v) }, &s, &err) ==
	    -1)
		s.n = 0;
	return s;
}

static const char *
join(struct oidc_arena *a, struct oidc_scope s)
{
	return oidc_scope_join(a, &s);
}

/* The claims `scope` (and the claims request member `req`) release. */
static const char *
released(struct oidc_arena *a, const struct oidc_config *cfg,
    const char *scope, const char *req, bool custom_only)
{
	struct oidc_error	 err = { 0 };
	struct oidc_scope	 s = sc(scope);
	struct oidc_json	*out = oidc_json_new_object(a);
	struct oidc_json	*r = req != NULL ? tap_json(a, req) : NULL;
	size_t			 len;
	int			 rc;

	if (custom_only)
		rc = oidc_scope_custom_claims(cfg, out, tap_json(a, USER), &s,
		    r, &err);
	else
		rc = oidc_scope_claims(cfg, out, tap_json(a, USER), &s, r, 0,
		    &err);
	if (rc == -1)
		return "(error)";
	return oidc_json_serialize(out, a, &len, &err);
}

static void
test_allowed(struct oidc_arena *a, const struct oidc_config *cfg)
{
	struct oidc_scope	 s;

	s = sc("openid groups org other");
	oidc_scope_allowed(cfg, &s, OIDC_STR_NULL);
	is_str(join(a, s), "openid groups org", "allowed: declared kept");
	s = sc("openid groups");
	oidc_scope_allowed(NULL, &s, OIDC_STR_NULL);
	is_str(join(a, s), "openid", "allowed: undeclared dropped");
	s = sc("openid groups org");
	oidc_scope_allowed(cfg, &s, OIDC_STR("openid org"));
	is_str(join(a, s), "openid org", "allowed: registered list rules");
	ok(oidc_scope_custom(cfg, OIDC_STR("org")) == &cfg->scopes[1],
	    "custom: found");
	ok(oidc_scope_custom(cfg, OIDC_STR("email")) == NULL,
	    "custom: standard scope is not custom");
	ok(oidc_scope_custom(NULL, OIDC_STR("org")) == NULL,
	    "custom: none without configuration");
}

static void
test_names(const struct oidc_config *cfg)
{
	struct oidc_scope	 s = sc("openid groups");

	ok(oidc_scope_releases(cfg, &s, "groups"), "releases: groups");
	ok(!oidc_scope_releases(cfg, &s, "department"),
	    "releases: not another scope's claim");
	ok(!oidc_scope_releases(NULL, &s, "groups"),
	    "releases: not undeclared");
	s = sc("openid");
	ok(!oidc_scope_releases(cfg, &s, "groups"), "releases: not w/o scope");
	ok(oidc_claim_is_declared(cfg, "cost_center"), "declared");
	ok(!oidc_claim_is_declared(cfg, "stale"), "not declared");
	ok(!oidc_claim_is_declared(cfg, "email"), "standard is not declared");
	is_str(oidc_claim_scope(cfg, OIDC_STR("department")), "org",
	    "claim scope: custom");
	is_str(oidc_claim_scope(cfg, OIDC_STR("email")), "email",
	    "claim scope: standard");
	ok(oidc_claim_scope(cfg, OIDC_STR("stale")) == NULL,
	    "claim scope: unknown");
}

static void
test_wanted(struct oidc_arena *a, const struct oidc_config *cfg)
{
	struct oidc_error	 err = { 0 };
	struct oidc_scope	 w, minus = sc("openid groups");
	struct oidc_str		 req = OIDC_STR("{\"userinfo\":"
	    "{\"groups\":null,\"stale\":null},\"id_token\":{\"cost_center\":"
	    "{\"essential\":true},\"email\":null}}");

	is_int(oidc_claims_wanted(cfg, a, req, NULL, &w, &err), 0, "wanted");
	is_str(join(a, w), "groups cost_center email",
	    "wanted: declared and standard, never undeclared");
	is_int(oidc_claims_wanted(cfg, a, req, &minus, &w, &err), 0,
	    "wanted minus");
	is_str(join(a, w), "cost_center email",
	    "wanted: minus what the scope releases");
	is_int(oidc_claims_wanted(NULL, a, req, NULL, &w, &err), 0,
	    "wanted, nothing declared");
	is_str(join(a, w), "email", "wanted: undeclared are ignored");
}

static void
test_release(struct oidc_arena *a, const struct oidc_config *cfg)
{
	is_str(released(a, cfg, "openid groups", NULL, false),
	    "{\"groups\":[\"admins\",\"ops\"]}", "scope groups: the array");
	is_str(released(a, cfg, "openid org", NULL, false),
	    "{\"department\":{\"id\":7,\"name\":\"R&D\"},\"cost_center\":42}",
	    "scope org: object and number as stored");
	is_str(released(a, cfg, "openid", NULL, false), "{}",
	    "no custom scope: nothing");
	is_str(released(a, cfg, "openid email groups", NULL, false),
	    "{\"email\":\"u@example.org\",\"groups\":[\"admins\",\"ops\"]}",
	    "standard and custom together");
	is_str(released(a, cfg, "openid", "{\"groups\":null}", false),
	    "{\"groups\":[\"admins\",\"ops\"]}", "requested by name");
	is_str(released(a, cfg, "openid groups org",
	    "{\"stale\":null}", false),
	    "{\"groups\":[\"admins\",\"ops\"],\"department\":{\"id\":7,"
	    "\"name\":\"R&D\"},\"cost_center\":42}",
	    "stale claim never released, even asked for");
	is_str(released(a, NULL, "openid groups", "{\"groups\":null}", false),
	    "{}", "declaration removed: stored claim not released");
	is_str(released(a, cfg, "openid email groups", "{\"name\":null}",
	    true), "{\"groups\":[\"admins\",\"ops\"]}",
	    "introspection: custom claims only");
	is_str(released(a, cfg, "openid", "{\"cost_center\":null}", true),
	    "{\"cost_center\":42}", "introspection: requested by name");
	is_str(released(a, NULL, "openid groups", NULL, true), "{}",
	    "introspection: nothing declared");
}

/*
 * The standard claims (OIDC Core 5.1, scope.c) are all reserved names for
 * the configuration (config_scope.c): the two lists stay in step.
 */
static void
test_reserved(void)
{
	static const char *const std[] = { "sub", "name", "given_name",
	    "family_name", "middle_name", "nickname", "preferred_username",
	    "profile", "picture", "website", "email", "email_verified",
	    "gender", "birthdate", "zoneinfo", "locale", "phone_number",
	    "phone_number_verified", "address", "updated_at" };
	size_t	 i;

	for (i = 0; i < OIDC_NELEM(std); i++) {
		ok(oidc_config_claim_reserved(std[i], strlen(std[i])),
		    "reserved for the configuration: %s", std[i]);
		ok(strcmp(std[i], "sub") == 0 || oidc_claim_is_standard(std[i]),
		    "standard for scope.c: %s", std[i]);
	}
	ok(!oidc_config_claim_reserved("groups", 6), "groups not reserved");
	ok(!oidc_config_claim_reserved("iss", 2), "a prefix is not a name");
}

int
main(void)
{
	struct oidc_arena	*a, *ca;
	struct oidc_config	 cfg;
	struct oidc_error	 err = { 0 };

	a = oidc_arena_new(4096, 4 << 20);
	ca = oidc_arena_new(4096, 1 << 20);
	if (!ok(oidc_config_parse(ca, "t.conf", CONF, strlen(CONF), &cfg,
	    &err) == 0, "config: %s", err.detail))
		return done_testing();
	test_allowed(a, &cfg);
	test_names(&cfg);
	test_wanted(a, &cfg);
	test_release(a, &cfg);
	test_reserved();
	oidc_arena_free(a);
	oidc_arena_free(ca);
	return done_testing();
}
