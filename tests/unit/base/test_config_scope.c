/*
 * test_config_scope.c: the `scope` key of oidc.conf (custom scopes and
 * the claims they release, common/base/config.c).
 *
 * Syntax "NAME: CLAIM [CLAIM ...]", repeatable; duplicates, standard and
 * registered names, bad characters and the size limits are refused with
 * a one-line message naming the line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/config.h"

#include "tap.h"

#define BASE	"issuer = https://op.example\ndatabase = dbname=oidc\n"

struct scope_case {
	const char	*test;
	const char	*in;
	const char	*msg;	/* err.detail prefix; NULL: ok */
};

static const struct scope_case cases[] = {
	{ "one scope", BASE "scope = groups: groups\n", NULL },
	{ "several claims, extra spaces",
	    BASE "scope = org:  department   cost_center\n", NULL },
	{ "no space after colon", BASE "scope = org:department\n", NULL },
	{ "URI-like claim name",
	    BASE "scope = roles: https://op.example/roles\n", NULL },
	{ "no colon", BASE "scope = groups groups\n",
	    "t.conf:3: scope: must be `NAME: CLAIM [CLAIM ...]`" },
	{ "no claims", BASE "scope = groups:\n",
	    "t.conf:3: scope: \"groups\" declares no claims" },
	{ "no name", BASE "scope = : groups\n",
	    "t.conf:3: scope: must be `NAME: CLAIM [CLAIM ...]`" },
	{ "bad scope char", BASE "scope = gr\"oups: groups\n",
	    "t.conf:3: scope: bad scope name" },
	{ "bad claim char", BASE "scope = groups: gro\\ups\n",
	    "t.conf:3: scope: bad claim name" },
	{ "duplicate scope",
	    BASE "scope = groups: groups\nscope = groups: roles\n",
	    "t.conf:4: scope: scope \"groups\" declared twice" },
	{ "claim in two scopes",
	    BASE "scope = groups: groups\nscope = admin: roles groups\n",
	    "t.conf:4: scope: claim \"groups\" already released by scope "
	    "\"groups\"" },
	{ "claim twice in one scope", BASE "scope = groups: groups groups\n",
	    "t.conf:3: scope: claim \"groups\" already released by scope "
	    "\"groups\"" },
	{ "standard scope", BASE "scope = email: work_email\n",
	    "t.conf:3: scope: \"email\" is a standard scope" },
	{ "openid", BASE "scope = openid: x\n",
	    "t.conf:3: scope: \"openid\" is a standard scope" },
	{ "offline_access", BASE "scope = offline_access: x\n",
	    "t.conf:3: scope: \"offline_access\" is a standard scope" },
	{ "standard claim", BASE "scope = contact: email\n",
	    "t.conf:3: scope: \"email\" is a standard claim or a registered "
	    "JWT/OIDC claim name" },
	{ "standard claim updated_at", BASE "scope = x: updated_at\n",
	    "t.conf:3: scope: \"updated_at\" is a standard claim" },
	{ "registered iss", BASE "scope = x: iss\n",
	    "t.conf:3: scope: \"iss\" is a standard claim" },
	{ "registered sub", BASE "scope = x: a sub\n",
	    "t.conf:3: scope: \"sub\" is a standard claim" },
	{ "registered aud", BASE "scope = x: aud\n",
	    "t.conf:3: scope: \"aud\" is a standard claim" },
	{ "registered exp", BASE "scope = x: exp\n",
	    "t.conf:3: scope: \"exp\" is a standard claim" },
	{ "registered iat", BASE "scope = x: iat\n",
	    "t.conf:3: scope: \"iat\" is a standard claim" },
	{ "registered nonce", BASE "scope = x: nonce\n",
	    "t.conf:3: scope: \"nonce\" is a standard claim" },
	{ "registered at_hash", BASE "scope = x: at_hash\n",
	    "t.conf:3: scope: \"at_hash\" is a standard claim" },
	{ "registered sid", BASE "scope = x: sid\n",
	    "t.conf:3: scope: \"sid\" is a standard claim" },
	{ "introspection active", BASE "scope = x: active\n",
	    "t.conf:3: scope: \"active\" is a standard claim" },
	{ "introspection client_id", BASE "scope = x: client_id\n",
	    "t.conf:3: scope: \"client_id\" is a standard claim" },
	{ "introspection scope", BASE "scope = x: scope\n",
	    "t.conf:3: scope: \"scope\" is a standard claim" },
	{ "introspection username", BASE "scope = x: username\n",
	    "t.conf:3: scope: \"username\" is a standard claim" },
	{ "registered _claim_names", BASE "scope = x: _claim_names\n",
	    "t.conf:3: scope: \"_claim_names\" is a standard claim" },
	{ "registered cnf", BASE "scope = x: cnf\n",
	    "t.conf:3: scope: \"cnf\" is a standard claim" },
	{ "case matters: ISS is not iss", BASE "scope = x: ISS\n", NULL },
};

static int
parse(struct oidc_arena *a, const char *in, struct oidc_config *cfg,
    struct oidc_error *err)
{
	oidc_error_clear(err);
	return oidc_config_parse(a, "t.conf", in, strlen(in), cfg, err);
}

static void
run_cases(struct oidc_arena *a)
{
	struct oidc_config	 cfg;
	struct oidc_error	 err;
	const struct scope_case	*c;
	size_t			 i;
	int			 rc;

	for (i = 0; i < OIDC_NELEM(cases); i++) {
		c = &cases[i];
		rc = parse(a, c->in, &cfg, &err);
		is_int(rc, c->msg == NULL ? 0 : -1, c->test);
		if (c->msg != NULL) {
			is_int(err.code, OIDC_E_CONFIG, c->test);
			ok(strncmp(err.detail, c->msg, strlen(c->msg)) == 0,
			    "%s: message \"%s\"", c->test, err.detail);
			ok(strchr(err.detail, '\n') == NULL,
			    "%s: one-line message", c->test);
		}
		oidc_arena_reset(a);
	}
}

static void
test_values(struct oidc_arena *a)
{
	struct oidc_config	 cfg;
	struct oidc_error	 err;

	is_int(parse(a, BASE, &cfg, &err), 0, "no scope key");
	is_int((int)cfg.nscopes, 0, "default: no custom scope");
	oidc_arena_reset(a);
	is_int(parse(a, BASE "scope = groups: groups\n"
	    "scope = org:  department   cost_center\n", &cfg, &err), 0,
	    "two scopes");
	is_int((int)cfg.nscopes, 2, "two scopes: count");
	is_str(cfg.scopes[0].name, "groups", "first name");
	is_int((int)cfg.scopes[0].nclaims, 1, "first: one claim");
	is_str(cfg.scopes[0].claims[0], "groups", "first: claim");
	is_str(cfg.scopes[1].name, "org", "second name");
	is_int((int)cfg.scopes[1].nclaims, 2, "second: two claims");
	is_str(cfg.scopes[1].claims[0], "department", "second: claim 1");
	is_str(cfg.scopes[1].claims[1], "cost_center", "second: claim 2");
	oidc_arena_reset(a);
}

/* Appends "scope = sN: cN_0 ... cN_{k-1}\n" to buf. */
static void
add_scope(char *buf, size_t sz, int n, int k)
{
	size_t	 len = strlen(buf);
	int	 i;

	len += (size_t)snprintf(buf + len, sz - len, "scope = s%d:", n);
	for (i = 0; i < k; i++)
		len += (size_t)snprintf(buf + len, sz - len, " c%d_%d", n, i);
	(void)snprintf(buf + len, sz - len, "\n");
}

static void
test_limits(struct oidc_arena *a)
{
	struct oidc_config	 cfg;
	struct oidc_error	 err;
	char			 buf[8192], name[OIDC_CONFIG_MAX_NAME + 2];
	int			 i;

	/* OIDC_CONFIG_MAX_SCOPES scopes are fine, one more is not. */
	(void)snprintf(buf, sizeof(buf), "%s", BASE);
	for (i = 0; i < OIDC_CONFIG_MAX_SCOPES; i++)
		add_scope(buf, sizeof(buf), i, 1);
	is_int(parse(a, buf, &cfg, &err), 0, "max scopes");
	is_int((int)cfg.nscopes, OIDC_CONFIG_MAX_SCOPES, "max scopes: count");
	oidc_arena_reset(a);
	add_scope(buf, sizeof(buf), i, 1);
	is_int(parse(a, buf, &cfg, &err), -1, "max scopes + 1");
	ok(strstr(err.detail, "scope: too many scopes") != NULL,
	    "max scopes + 1: message \"%s\"", err.detail);
	oidc_arena_reset(a);

	/* OIDC_CONFIG_MAX_CLAIMS claims in all, over any scopes. */
	(void)snprintf(buf, sizeof(buf), "%s", BASE);
	add_scope(buf, sizeof(buf), 0, OIDC_CONFIG_MAX_CLAIMS - 1);
	add_scope(buf, sizeof(buf), 1, 1);
	is_int(parse(a, buf, &cfg, &err), 0, "max claims");
	oidc_arena_reset(a);
	(void)snprintf(buf, sizeof(buf), "%s", BASE);
	add_scope(buf, sizeof(buf), 0, OIDC_CONFIG_MAX_CLAIMS);
	add_scope(buf, sizeof(buf), 1, 1);
	is_int(parse(a, buf, &cfg, &err), -1, "max claims + 1");
	ok(strstr(err.detail, ":4: scope: too many claims") != NULL,
	    "max claims + 1: message \"%s\"", err.detail);
	oidc_arena_reset(a);

	/* Names of at most OIDC_CONFIG_MAX_NAME bytes. */
	memset(name, 'n', OIDC_CONFIG_MAX_NAME);
	name[OIDC_CONFIG_MAX_NAME] = '\0';
	(void)snprintf(buf, sizeof(buf), "%sscope = %s: %s\n", BASE, name,
	    name);
	is_int(parse(a, buf, &cfg, &err), 0, "longest names");
	oidc_arena_reset(a);
	name[OIDC_CONFIG_MAX_NAME] = 'n';
	name[OIDC_CONFIG_MAX_NAME + 1] = '\0';
	(void)snprintf(buf, sizeof(buf), "%sscope = %s: c\n", BASE, name);
	is_int(parse(a, buf, &cfg, &err), -1, "scope name too long");
	ok(strstr(err.detail, "scope: bad scope name") != NULL,
	    "scope name too long: message \"%s\"", err.detail);
	oidc_arena_reset(a);
	(void)snprintf(buf, sizeof(buf), "%sscope = s: %s\n", BASE, name);
	is_int(parse(a, buf, &cfg, &err), -1, "claim name too long");
	ok(strstr(err.detail, "scope: bad claim name") != NULL,
	    "claim name too long: message \"%s\"", err.detail);
	oidc_arena_reset(a);
}

int
main(void)
{
	struct oidc_arena	*a;

	a = oidc_arena_new(4096, 4 << 20);
	run_cases(a);
	test_values(a);
	test_limits(a);
	oidc_arena_free(a);
	return done_testing();
}
