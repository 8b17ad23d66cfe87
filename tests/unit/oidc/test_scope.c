/*
 * test_scope.c: scope sets and scope-driven claims (common/oidc/scope.c).
 *
 * Security regression: nonstandard_claim_leak (a stored claim that is not
 * an OIDC Core 5.1 standard claim is never released, whatever is asked);
 * claims_outside_consent (issue 15: the claims asked for one by one, which
 * the consent page lists and the consent remembers, are every known claim
 * of both members of the claims request).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/json.h"
#include "oidc/scope.h"

#include "tap.h"

#define S(lit)	lit, sizeof(lit) - 1

struct scope_case {
	const char	*test;
	const char	*in;
	size_t		 len;
	int		 rc;
	size_t		 n;
	const char	*joined;	/* oidc_scope_join of the result */
};

static const struct scope_case cases[] = {
	{ "single", S("openid"), 0, 1, "openid" },
	{ "several", S("openid profile email"), 0, 3, "openid profile email" },
	{ "order kept", S("email openid"), 0, 2, "email openid" },
	{ "duplicates folded", S("openid email openid email"), 0, 2,
	    "openid email" },
	{ "empty", S(""), 0, 0, "" },
	{ "charset edges", S("! # [ ] ~ a:b/c"), 0, 6, "! # [ ] ~ a:b/c" },
	{ "case-sensitive", S("openid OpenID"), 0, 2, "openid OpenID" },
	{ "double space", S("openid  email"), -1, 0, NULL },
	{ "leading space", S(" openid"), -1, 0, NULL },
	{ "trailing space", S("openid "), -1, 0, NULL },
	{ "only a space", S(" "), -1, 0, NULL },
	{ "tab", S("openid\temail"), -1, 0, NULL },
	{ "double quote", S("a\"b"), -1, 0, NULL },
	{ "backslash", S("a\\b"), -1, 0, NULL },
	{ "DEL", S("a\177"), -1, 0, NULL },
	{ "newline", S("openid\n"), -1, 0, NULL },
	{ "NUL", S("open\0id"), -1, 0, NULL },
	{ "non-ASCII", S("\xc3\xa9"), -1, 0, NULL },
	{ "plus is not space", S("openid+email"), 0, 1, "openid+email" },
};

static void
run_cases(struct oidc_arena *a)
{
	struct oidc_scope	 s;
	struct oidc_error	 err;
	const struct scope_case	*c;
	size_t			 i;
	int			 rc;

	for (i = 0; i < OIDC_NELEM(cases); i++) {
		c = &cases[i];
		oidc_error_clear(&err);
		s.n = 99;
		rc = oidc_scope_parse((struct oidc_str){ c->in, c->len }, &s,
		    &err);
		is_int(rc, c->rc, c->test);
		if (rc == -1) {
			is_int(err.code, OIDC_E_INVALID_SCOPE, c->test);
			/* scope_partial_output: "openid  x" kept "openid". */
			is_int(s.n, 0, c->test);
			ok(err.public_desc != NULL, "%s: public description",
			    c->test);
			continue;
		}
		is_int(s.n, c->n, c->test);
		is_str(oidc_scope_join(a, &s), c->joined, c->test);
		oidc_arena_reset(a);
	}
	oidc_error_clear(&err);
	s.n = 99;
	is_int(oidc_scope_parse(OIDC_STR_NULL, &s, &err), 0, "absent");
	is_int(s.n, 0, "absent: empty set");
	/* Only len bytes are read. */
	is_int(oidc_scope_parse((struct oidc_str){ "openid email", 6 }, &s,
	    &err), 0, "respects len");
	is_int(s.n, 1, "respects len: one value");
}

/* "s0 s1 ... s<n-1>", heap-owned. */
static char *
many(size_t n, size_t *len)
{
	char	*s;
	size_t	 i, o = 0;

	s = malloc(n * 6 + 1);
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(s + o, 7, "%ss%zu", i ? " " : "", i);
	*len = o;
	return s;
}

static void
test_limits(void)
{
	struct oidc_scope	 s;
	struct oidc_error	 err;
	char			*p, buf[OIDC_SCOPE_MAX_LEN + 8];
	size_t			 len;

	p = many(OIDC_SCOPE_MAX_VALUES, &len);
	oidc_error_clear(&err);
	is_int(oidc_scope_parse((struct oidc_str){ p, len }, &s, &err), 0,
	    "too_many_scopes max");
	is_int(s.n, OIDC_SCOPE_MAX_VALUES, "too_many_scopes max: all kept");
	free(p);
	p = many(OIDC_SCOPE_MAX_VALUES + 1, &len);
	oidc_error_clear(&err);
	is_int(oidc_scope_parse((struct oidc_str){ p, len }, &s, &err), -1,
	    "too_many_scopes +1");
	is_int(err.code, OIDC_E_INVALID_SCOPE, "too_many_scopes +1: code");
	is_int(s.n, 0, "scope_partial_output: too_many_scopes");
	free(p);
	/* 33 values with one duplicate are 32 distinct: fine. */
	p = many(OIDC_SCOPE_MAX_VALUES + 1, &len);
	memcpy(p + len - 3, "s10", 3);	/* "... s31 s32" -> "... s31 s10" */
	oidc_error_clear(&err);
	is_int(oidc_scope_parse((struct oidc_str){ p, len }, &s, &err), 0,
	    "too_many_scopes counts distinct values");
	is_int(s.n, OIDC_SCOPE_MAX_VALUES, "duplicates not counted");
	free(p);

	memset(buf, 'x', sizeof(buf));
	oidc_error_clear(&err);
	is_int(oidc_scope_parse((struct oidc_str){ buf, OIDC_SCOPE_MAX_LEN },
	    &s, &err), 0, "long_scope max");
	is_int(s.v[0].len, OIDC_SCOPE_MAX_LEN, "long_scope max: length");
	oidc_error_clear(&err);
	is_int(oidc_scope_parse((struct oidc_str){ buf, OIDC_SCOPE_MAX_LEN + 1 },
	    &s, &err), -1, "long_scope +1");
	is_int(err.code, OIDC_E_INVALID_SCOPE, "long_scope +1: code");
	buf[0] = 'a';
	buf[1] = ' ';
	oidc_error_clear(&err);
	is_int(oidc_scope_parse((struct oidc_str){ buf, OIDC_SCOPE_MAX_LEN + 2 },
	    &s, &err), 0, "long_scope max as second value");
	oidc_error_clear(&err);
	is_int(oidc_scope_parse((struct oidc_str){ buf, OIDC_SCOPE_MAX_LEN + 3 },
	    &s, &err), -1, "long_scope +1 as second value");
}

static struct oidc_scope
sc(const char *s)
{
	struct oidc_scope	 out;
	struct oidc_error	 err = { 0 };

	if (oidc_scope_parse((struct oidc_str){ s, strlen(s) }, &out, &err)
	    == -1)
		diag("bad test scope %s", s);
	return out;
}

static void
test_sets(struct oidc_arena *a)
{
	struct oidc_scope	 x, y, big;
	char			*p;
	size_t			 len;

	x = sc("openid email");
	y = sc("email profile openid");
	ok(oidc_scope_has(&x, "email"), "has");
	ok(!oidc_scope_has(&x, "emai"), "has: exact");
	ok(!oidc_scope_has(&x, "profile"), "has: absent");
	ok(oidc_scope_subset(&x, &y), "subset");
	ok(!oidc_scope_subset(&y, &x), "not subset");
	ok(oidc_scope_subset(&x, &x), "subset of itself");
	{
		struct oidc_scope	 e = sc("");

		ok(oidc_scope_subset(&e, &x), "empty is a subset");
		ok(!oidc_scope_subset(&x, &e), "nothing is a subset of empty");
	}
	oidc_scope_union(&x, &y);
	is_str(oidc_scope_join(a, &x), "openid email profile",
	    "union: order, no duplicates");
	x = sc("");
	is_str(oidc_scope_join(a, &x), "", "join empty");
	oidc_arena_reset(a);

	/* union stops at the limit */
	p = many(OIDC_SCOPE_MAX_VALUES, &len);
	big = sc(p);
	free(p);
	x = sc("extra openid");
	oidc_scope_union(&big, &x);
	is_int(big.n, OIDC_SCOPE_MAX_VALUES, "union: capped at the limit");
	ok(!oidc_scope_has(&big, "extra"), "union: extra dropped");
}

struct allowed_case {
	const char	*test;
	const char	*in;
	const char	*registered;	/* NULL: none registered */
	const char	*want;
};

static const struct allowed_case allowed_cases[] = {
	{ "allowed: OpenID scopes", "openid profile email address phone "
	    "offline_access", NULL,
	    "openid profile email address phone offline_access" },
	{ "allowed: unknown dropped", "openid admin email write:all", NULL,
	    "openid email" },
	{ "allowed: case-sensitive", "OpenID openid", NULL, "openid" },
	{ "allowed: registered list", "openid api:read email admin",
	    "openid api:read", "openid api:read" },
	{ "allowed: registered replaces the defaults", "openid email",
	    "api:read", "" },
	{ "allowed: registered empty", "openid", "", "" },
	{ "allowed: registered malformed", "openid", "openid  email", "" },
	{ "allowed: empty request", "", "openid", "" },
};

static void
test_allowed(struct oidc_arena *a)
{
	const struct allowed_case	*c;
	struct oidc_scope		 s;
	size_t				 i;

	for (i = 0; i < OIDC_NELEM(allowed_cases); i++) {
		c = &allowed_cases[i];
		s = sc(c->in);
		oidc_scope_allowed(NULL, &s, c->registered != NULL ?
		    (struct oidc_str){ c->registered, strlen(c->registered) } :
		    OIDC_STR_NULL);
		is_str(oidc_scope_join(a, &s), c->want, c->test);
		oidc_arena_reset(a);
	}
}

struct rel_case {
	const char	*scope;
	const char	*claim;
	bool		 want;
};

static const struct rel_case rel_cases[] = {
	{ "profile", "name", true }, { "profile", "family_name", true },
	{ "profile", "given_name", true }, { "profile", "middle_name", true },
	{ "profile", "nickname", true },
	{ "profile", "preferred_username", true },
	{ "profile", "profile", true }, { "profile", "picture", true },
	{ "profile", "website", true }, { "profile", "gender", true },
	{ "profile", "birthdate", true }, { "profile", "zoneinfo", true },
	{ "profile", "locale", true }, { "profile", "updated_at", true },
	{ "profile", "email", false }, { "profile", "address", false },
	{ "email", "email", true }, { "email", "email_verified", true },
	{ "email", "name", false },
	{ "address", "address", true }, { "address", "phone_number", false },
	{ "phone", "phone_number", true },
	{ "phone", "phone_number_verified", true },
	{ "phone", "email", false },
	{ "openid", "name", false }, { "openid", "email", false },
	{ "openid", "sub", false },
	{ "offline_access", "email", false },
	{ "openid profile email address phone", "role", false },
	{ "openid profile email address phone", "", false },
	{ "", "email", false },
};

static void
test_releases(void)
{
	struct oidc_scope	 s;
	size_t			 i;

	for (i = 0; i < OIDC_NELEM(rel_cases); i++) {
		s = sc(rel_cases[i].scope);
		ok(oidc_scope_releases(NULL, &s, rel_cases[i].claim) ==
		    rel_cases[i].want, "releases \"%s\" -> %s: %s",
		    rel_cases[i].scope, rel_cases[i].claim,
		    rel_cases[i].want ? "yes" : "no");
	}
	ok(oidc_claim_is_standard("email_verified"), "standard: email_verified");
	ok(oidc_claim_is_standard("updated_at"), "standard: updated_at");
	ok(!oidc_claim_is_standard("role"), "standard: role is not");
	ok(!oidc_claim_is_standard("Email"), "standard: case-sensitive");
	ok(!oidc_claim_is_standard("password_hash"),
	    "standard: password_hash is not");
}

static const char *
claims(struct oidc_arena *a, const char *scope, const char *requested,
    int64_t updated_at)
{
	static const char	 user[] = "{"
	    "\"name\":\"Ann Smith\",\"given_name\":\"Ann\","
	    "\"email\":\"ann@example.org\",\"email_verified\":true,"
	    "\"phone_number\":\"+1 555\",\"address\":{\"country\":\"NZ\"},"
	    "\"nickname\":\"an\","
	    "\"role\":\"admin\",\"password_hash\":\"$argon2id$x\","
	    "\"sub\":\"forged\",\"groups\":[\"a\"]}";
	struct oidc_error	 err = { 0 };
	struct oidc_scope	 s = sc(scope);
	struct oidc_json	*out, *req = NULL;
	size_t			 len;

	out = oidc_json_new_object(a);
	if (requested != NULL)
		req = tap_json(a, requested);
	if (oidc_scope_claims(NULL, out, tap_json(a, user), &s, req,
	    updated_at, &err) == -1)
		return "(error)";
	return oidc_json_serialize(out, a, &len, &err);
}

static void
test_claims(struct oidc_arena *a)
{
	is_str(claims(a, "openid", NULL, 0), "{}", "claims: openid only");
	is_str(claims(a, "openid email", NULL, 0),
	    "{\"email\":\"ann@example.org\",\"email_verified\":true}",
	    "claims: email");
	is_str(claims(a, "openid profile", NULL, 0),
	    "{\"name\":\"Ann Smith\",\"given_name\":\"Ann\","
	    "\"nickname\":\"an\"}", "claims: profile, no updated_at");
	is_str(claims(a, "openid profile", NULL, 1700000000),
	    "{\"name\":\"Ann Smith\",\"given_name\":\"Ann\","
	    "\"nickname\":\"an\",\"updated_at\":1700000000}",
	    "claims: updated_at fallback");
	is_str(claims(a, "openid email", NULL, 1700000000),
	    "{\"email\":\"ann@example.org\",\"email_verified\":true}",
	    "claims: no updated_at without profile");
	is_str(claims(a, "openid phone address", NULL, 0),
	    "{\"phone_number\":\"+1 555\",\"address\":{\"country\":\"NZ\"}}",
	    "claims: phone and address");
	/* Requested claims (claims parameter) without their scope. */
	is_str(claims(a, "openid", "{\"email\":null}", 0),
	    "{\"email\":\"ann@example.org\"}",
	    "claims: requested with JSON null");
	is_str(claims(a, "openid", "{\"nickname\":{\"essential\":true},"
	    "\"updated_at\":null}", 42),
	    "{\"nickname\":\"an\",\"updated_at\":42}",
	    "claims: requested object and updated_at");
	is_str(claims(a, "openid", "{\"email_verified\":null,"
	    "\"picture\":null}", 0), "{\"email_verified\":true}",
	    "claims: requested but not stored");
	/* nonstandard_claim_leak */
	is_str(claims(a, "openid profile email address phone",
	    "{\"role\":null,\"password_hash\":{\"essential\":true},"
	    "\"sub\":null,\"groups\":null}", 0),
	    "{\"name\":\"Ann Smith\",\"given_name\":\"Ann\","
	    "\"email\":\"ann@example.org\",\"email_verified\":true,"
	    "\"phone_number\":\"+1 555\",\"address\":{\"country\":\"NZ\"},"
	    "\"nickname\":\"an\"}",
	    "nonstandard_claim_leak: only standard claims");
	is_str(claims(a, "openid role password_hash groups", NULL, 0), "{}",
	    "nonstandard_claim_leak: a scope named after the claim");
	oidc_arena_reset(a);

	/* A stored updated_at wins over the fallback. */
	{
		struct oidc_error	 err = { 0 };
		struct oidc_scope	 s = sc("openid profile");
		struct oidc_json	*out = oidc_json_new_object(a);
		int64_t			 v = 0;

		is_int(oidc_scope_claims(NULL, out,
		    tap_json(a, "{\"updated_at\":5}"), &s, NULL, 99, &err), 0,
		    "claims: stored updated_at");
		is_int(oidc_json_get_i64(out, "updated_at", &v, &err), 1,
		    "claims: stored updated_at: present");
		is_int(v, 5, "claims: stored updated_at wins");
		out = oidc_json_new_object(a);
		is_int(oidc_scope_claims(NULL, out, tap_json(a, "{}"), &s,
		    NULL, -1, &err), 0, "claims: no updated_at");
		ok(!oidc_json_has(out, "updated_at"),
		    "claims: updated_at <= 0 not set");
	}
	oidc_arena_reset(a);
}

static const char *
wanted(struct oidc_arena *a, const char *request, const char *minus)
{
	struct oidc_error	 err = { 0 };
	struct oidc_scope	 m, out;

	if (minus != NULL)
		m = sc(minus);
	if (oidc_claims_wanted(NULL, a, request == NULL ? OIDC_STR_NULL :
	    (struct oidc_str){ request, strlen(request) },
	    minus != NULL ? &m : NULL, &out, &err) == -1)
		return "(error)";
	return oidc_scope_join(a, &out);
}

/* claims_outside_consent */
static void
test_wanted(struct oidc_arena *a)
{
	is_str(wanted(a, NULL, NULL), "", "wanted: no claims request");
	is_str(wanted(a, "{}", NULL), "", "wanted: empty request");
	is_str(wanted(a, "{\"userinfo\":{\"email\":null,\"name\":null}}",
	    NULL), "email name", "wanted: userinfo members");
	is_str(wanted(a, "{\"id_token\":{\"phone_number\":"
	    "{\"essential\":true}}}", NULL), "phone_number",
	    "wanted: id_token members");
	is_str(wanted(a, "{\"userinfo\":{\"email\":null},\"id_token\":"
	    "{\"email\":null,\"address\":null}}", NULL), "email address",
	    "wanted: both members, a set");
	is_str(wanted(a, "{\"userinfo\":{\"role\":null,\"sub\":null,"
	    "\"Email\":null,\"groups\":null,\"nickname\":null}}", NULL),
	    "nickname", "wanted: unknown names ignored");
	is_str(wanted(a, "{\"userinfo\":{\"email\":null,\"name\":null,"
	    "\"email_verified\":null}}", "openid email"), "name",
	    "wanted: claims a scope releases left out");
	is_str(wanted(a, "{\"userinfo\":{\"email\":null},\"other\":"
	    "{\"name\":null}}", NULL), "email",
	    "wanted: other members ignored");
	is_str(wanted(a, "{\"userinfo\":[\"email\"]}", NULL), "(error)",
	    "wanted: a member that is not an object fails");
	is_str(wanted(a, "{\"userinfo\":", NULL), "(error)",
	    "wanted: malformed JSON fails");
	is_str(oidc_claim_scope(NULL, OIDC_STR("email_verified")), "email",
	    "claim scope: email_verified -> email");
	is_str(oidc_claim_scope(NULL, OIDC_STR("updated_at")), "profile",
	    "claim scope: updated_at -> profile");
	ok(oidc_claim_scope(NULL, OIDC_STR("role")) == NULL,
	    "claim scope: role -> none");
	oidc_arena_reset(a);
}

int
main(void)
{
	struct oidc_arena	*a;

	a = oidc_arena_new(4096, 4 << 20);
	run_cases(a);
	test_limits();
	test_sets(a);
	test_allowed(a);
	test_releases();
	test_claims(a);
	test_wanted(a);
	oidc_arena_free(a);
	return done_testing();
}
