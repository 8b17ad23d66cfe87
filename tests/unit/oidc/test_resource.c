/*
 * test_resource.c: resource indicators (common/oidc/resource.c, RFC
 * 8707): the identifier syntax (absolute URI, no fragment), the
 * repeatable parameter and its limits, the stored form, the subset rule
 * and the scope a set of resources allows.  The database half
 * (oidc_resources_load) is tests/integration/t/35-resource.py.
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/form.h"
#include "oidc/resource.h"

#include "tap.h"

static struct oidc_str
str(const char *s)
{
	return (struct oidc_str){ s, s == NULL ? 0 : strlen(s) };
}

static void
test_syntax(void)
{
	static const char *const good[] = { "https://api.example/v1",
	    "urn:example:thing", "http://127.0.0.1:8080/x?y=1", "a+b.c-d:x" };
	static const char *const bad[] = { "", "api.example", "/relative",
	    "https:", "1http://x", "https://a/#f", "https://a b/",
	    "https://a/\x7f", ":x", "ht*tp://x" };
	char	 big[OIDC_RESOURCE_MAX_LEN + 2];
	size_t	 i;

	for (i = 0; i < OIDC_NELEM(good); i++)
		ok(oidc_resource_syntax_ok(str(good[i])), "syntax: %s ok",
		    good[i]);
	for (i = 0; i < OIDC_NELEM(bad); i++)
		ok(!oidc_resource_syntax_ok(str(bad[i])), "syntax: [%s] "
		    "refused", bad[i]);
	ok(!oidc_resource_syntax_ok(OIDC_STR_NULL), "syntax: NULL refused");
	memset(big, 'a', sizeof(big));
	memcpy(big, "urn:", 4);
	ok(oidc_resource_syntax_ok((struct oidc_str){ big,
	    OIDC_RESOURCE_MAX_LEN }), "syntax: at the length limit");
	ok(!oidc_resource_syntax_ok((struct oidc_str){ big,
	    OIDC_RESOURCE_MAX_LEN + 1 }), "syntax: over the limit");
}

static int
from_form(struct oidc_arena *a, const char *form, struct oidc_resources *r,
    struct oidc_error *err)
{
	struct oidc_params	 p;

	if (oidc_form_parse(a, form, strlen(form), &p, err) == -1)
		return -2;
	return oidc_resources_from_params(&p, r, err);
}

static void
test_params(struct oidc_arena *a)
{
	struct oidc_error	 err = { 0 };
	struct oidc_resources	 r;
	struct oidc_str		 j;

	ok(from_form(a, "scope=x", &r, &err) == 0 && r.n == 0,
	    "params: none");
	ok(from_form(a, "resource=urn%3Aa&resource=https%3A%2F%2Fb%2F", &r,
	    &err) == 0 && r.n == 2 && oidc_str_eq_cstr(r.v[0], "urn:a") &&
	    oidc_str_eq_cstr(r.v[1], "https://b/"), "params: two, in order");
	j = oidc_resources_join(a, &r);
	ok(oidc_str_eq_cstr(j, "urn:a https://b/"), "join: space-separated");
	ok(oidc_resources_split(j, &r, &err) == 0 && r.n == 2 &&
	    oidc_str_eq_cstr(r.v[1], "https://b/"), "split: back");
	ok(oidc_resources_split(OIDC_STR_NULL, &r, &err) == 0 && r.n == 0 &&
	    oidc_resources_join(a, &r).p == NULL, "split/join: none");
	memset(&err, 0, sizeof(err));
	ok(from_form(a, "resource=urn%3Aa&resource=urn%3Aa", &r, &err) ==
	    -1 && err.code == OIDC_E_INVALID_TARGET, "params: a repeat is "
	    "invalid_target");
	memset(&err, 0, sizeof(err));
	ok(from_form(a, "resource=nope", &r, &err) == -1 &&
	    err.code == OIDC_E_INVALID_TARGET, "params: malformed is "
	    "invalid_target");
	memset(&err, 0, sizeof(err));
	ok(from_form(a, "resource=urn:1&resource=urn:2&resource=urn:3&"
	    "resource=urn:4&resource=urn:5&resource=urn:6&resource=urn:7&"
	    "resource=urn:8&resource=urn:9", &r, &err) == -1 &&
	    err.code == OIDC_E_INVALID_TARGET, "params: more than %d is "
	    "invalid_target", OIDC_RESOURCE_MAX);
	oidc_arena_reset(a);
}

static void
test_subset_scope(struct oidc_arena *a)
{
	struct oidc_error	 err = { 0 };
	struct oidc_resources	 x, y;
	struct oidc_str		 out;

	if (oidc_resources_split(str("urn:a"), &x, &err) == -1 ||
	    oidc_resources_split(str("urn:b urn:a"), &y, &err) == -1)
		ok(0, "split");
	ok(oidc_resources_subset(&x, &y), "subset: a within {b, a}");
	ok(!oidc_resources_subset(&y, &x), "subset: {b, a} not within a");
	y.any_scope = false;
	y.allowed.n = 2;
	y.allowed.v[0] = str("api");
	y.allowed.v[1] = str("read");
	ok(oidc_resources_scope(a, &y, str("openid api write read"), &out,
	    &err) == 0 && oidc_str_eq_cstr(out, "api read"),
	    "scope: narrowed to the allowed values, in granted order");
	memset(&err, 0, sizeof(err));
	ok(oidc_resources_scope(a, &y, str("openid write"), &out, &err) ==
	    -1 && err.code == OIDC_E_INVALID_SCOPE,
	    "scope: nothing left is invalid_scope");
	y.any_scope = true;
	ok(oidc_resources_scope(a, &y, str("openid write"), &out, &err) ==
	    0 && oidc_str_eq_cstr(out, "openid write"),
	    "scope: a resource allowing any keeps all");
	y.n = 0;
	y.any_scope = false;
	ok(oidc_resources_scope(a, &y, str("openid"), &out, &err) == 0 &&
	    oidc_str_eq_cstr(out, "openid"), "scope: no resources, no change");
	ok(oidc_resources_ttl(&y, 3600) == 3600, "ttl: none, the default");
	y.n = 1;
	y.lifetime = 600;
	ok(oidc_resources_ttl(&y, 3600) == 600, "ttl: the resource's");
	oidc_arena_reset(a);
}

int
main(void)
{
	struct oidc_arena	*a = oidc_arena_new(4096, 1 << 20);

	test_syntax();
	test_params(a);
	test_subset_scope(a);
	oidc_arena_free(a);
	return done_testing();
}
