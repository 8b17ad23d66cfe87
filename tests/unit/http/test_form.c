/*
 * test_form.c: application/x-www-form-urlencoded parsing (common/http/form.c).
 *
 * Each security regression is named after the attack it stops; every limit
 * of form.h is tested at max and max + 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/form.h"

#include "tap.h"

#define S(lit)	lit, sizeof(lit) - 1

struct pair {
	const char	*name;
	const char	*value;
};

struct form_case {
	const char	*test;
	const char	*in;
	size_t		 len;
	int		 rc;
	enum oidc_errcode code;
	size_t		 n;
	struct pair	 want[3];
};

static const struct form_case cases[] = {
	{ "simple", S("a=1&b=2"), 0, OIDC_E_NONE, 2,
	    { { "a", "1" }, { "b", "2" } } },
	{ "empty input", S(""), 0, OIDC_E_NONE, 0, { { NULL, NULL } } },
	{ "only separators", S("&&&"), 0, OIDC_E_NONE, 0, { { NULL, NULL } } },
	{ "empty segments skipped", S("a=1&&b=2&"), 0, OIDC_E_NONE, 2,
	    { { "a", "1" }, { "b", "2" } } },
	{ "percent decoding", S("redirect_uri=https%3A%2F%2Fc.example%2Fcb"),
	    0, OIDC_E_NONE, 1,
	    { { "redirect_uri", "https://c.example/cb" } } },
	{ "lower-case hex", S("x=%2f%2F"), 0, OIDC_E_NONE, 1,
	    { { "x", "//" } } },
	/* plus_is_space: '+' is SP in urlencoded data; "%2B" is '+'. */
	{ "plus_is_space", S("scope=openid+email&p=%2B"), 0, OIDC_E_NONE, 2,
	    { { "scope", "openid email" }, { "p", "+" } } },
	{ "first '=' splits", S("a==b"), 0, OIDC_E_NONE, 1,
	    { { "a", "=b" } } },
	/* empty_value_is_omitted: RFC 6749 3.1. */
	{ "empty_value_is_omitted", S("a=&b=2"), 0, OIDC_E_NONE, 1,
	    { { "b", "2" } } },
	{ "no '=' is an empty value", S("a&b=2"), 0, OIDC_E_NONE, 1,
	    { { "b", "2" } } },
	{ "valid UTF-8", S("n=%C3%A9t%C3%A9"), 0, OIDC_E_NONE, 1,
	    { { "n", "\xc3\xa9t\xc3\xa9" } } },
	/* duplicate_param: RFC 6749 3.1; the winner is parser-dependent. */
	{ "duplicate_param", S("a=1&b=2&a=3"), -1, OIDC_E_INVALID_REQUEST, 0,
	    { { NULL, NULL } } },
	{ "duplicate_param encoded name", S("a=1&%61=2"), -1,
	    OIDC_E_INVALID_REQUEST, 0, { { NULL, NULL } } },
	{ "duplicate_param with empty value", S("a=&a=1"), -1,
	    OIDC_E_INVALID_REQUEST, 0, { { NULL, NULL } } },
	{ "duplicate_param both empty", S("a&a"), -1, OIDC_E_INVALID_REQUEST,
	    0, { { NULL, NULL } } },
	/* RFC 8707 2: resource alone may repeat (oidc/resource.h). */
	{ "duplicate_param: Resource is not resource", S("Resource=1&"
	    "Resource=2"), -1, OIDC_E_INVALID_REQUEST, 0, { { NULL, NULL } } },
	/* nul_in_param: a decoded NUL truncates C consumers. */
	{ "nul_in_param value", S("a=x%00y"), -1, OIDC_E_INVALID_REQUEST, 0,
	    { { NULL, NULL } } },
	{ "nul_in_param name", S("a%00b=1"), -1, OIDC_E_INVALID_REQUEST, 0,
	    { { NULL, NULL } } },
	{ "nul_in_param raw", S("a=x\0y"), -1, OIDC_E_INVALID_REQUEST, 0,
	    { { NULL, NULL } } },
	/* bad_percent_escape: rejected, never passed on literally. */
	{ "bad_percent_escape short", S("a=%4"), -1, OIDC_E_INVALID_REQUEST,
	    0, { { NULL, NULL } } },
	{ "bad_percent_escape bare", S("a=%"), -1, OIDC_E_INVALID_REQUEST, 0,
	    { { NULL, NULL } } },
	{ "bad_percent_escape non-hex", S("a=%zz"), -1,
	    OIDC_E_INVALID_REQUEST, 0, { { NULL, NULL } } },
	{ "bad_percent_escape half", S("a=%4g"), -1, OIDC_E_INVALID_REQUEST,
	    0, { { NULL, NULL } } },
	{ "bad_percent_escape in name", S("%x1=1"), -1,
	    OIDC_E_INVALID_REQUEST, 0, { { NULL, NULL } } },
	/* invalid_utf8: lone continuation, overlong, surrogate, raw 0xff. */
	{ "invalid_utf8 continuation", S("a=%80"), -1, OIDC_E_INVALID_REQUEST,
	    0, { { NULL, NULL } } },
	{ "invalid_utf8 overlong slash", S("a=%C0%AF"), -1,
	    OIDC_E_INVALID_REQUEST, 0, { { NULL, NULL } } },
	{ "invalid_utf8 surrogate", S("a=%ED%A0%80"), -1,
	    OIDC_E_INVALID_REQUEST, 0, { { NULL, NULL } } },
	{ "invalid_utf8 raw byte", S("a=\xff"), -1, OIDC_E_INVALID_REQUEST, 0,
	    { { NULL, NULL } } },
	{ "invalid_utf8 in name", S("%FF=1"), -1, OIDC_E_INVALID_REQUEST, 0,
	    { { NULL, NULL } } },
	{ "empty name", S("=1"), -1, OIDC_E_INVALID_REQUEST, 0,
	    { { NULL, NULL } } },
};

static void
run_cases(struct oidc_arena *a)
{
	struct oidc_error	 err;
	struct oidc_params	 p;
	struct oidc_str		 v;
	const struct form_case	*c;
	size_t			 i, k;
	int			 rc;

	for (i = 0; i < OIDC_NELEM(cases); i++) {
		c = &cases[i];
		oidc_error_clear(&err);
		p.v = (void *)&p;	/* must be reset on failure */
		p.n = 99;
		rc = oidc_form_parse(a, c->in, c->len, &p, &err);
		is_int(rc, c->rc, c->test);
		is_int(err.code, c->code, c->test);
		is_int(p.n, c->n, c->test);
		if (rc == -1) {
			ok(p.v == NULL, "%s: no partial output", c->test);
			continue;
		}
		for (k = 0; k < c->n; k++) {
			is_str(p.v[k].name.p, c->want[k].name, c->test);
			v = oidc_params_get(&p, c->want[k].name);
			is_mem(v.p, v.len, c->want[k].value,
			    strlen(c->want[k].value), c->test);
			ok(v.p[v.len] == '\0', "%s: NUL-terminated", c->test);
		}
		oidc_arena_reset(a);
	}
}

/* Build "p0=v&p1=v&..." with n pairs into a heap buffer. */
static char *
many_params(size_t n, size_t *len)
{
	char	*s;
	size_t	 i, o = 0;

	s = malloc(n * 8 + 1);
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(s + o, 9, "%sp%zu=v", i ? "&" : "", i);
	*len = o;
	return s;
}

static void
test_limits(struct oidc_arena *a)
{
	struct oidc_error	 err;
	struct oidc_params	 p;
	char			*s;
	size_t			 len;

	/* too_many_params: 64 pairs pass, 65 are OIDC_E_LIMIT. */
	s = many_params(OIDC_FORM_MAX_PARAMS, &len);
	oidc_error_clear(&err);
	is_int(oidc_form_parse(a, s, len, &p, &err), 0, "too_many_params max");
	is_int(p.n, OIDC_FORM_MAX_PARAMS, "too_many_params max: all kept");
	free(s);
	oidc_arena_reset(a);
	s = many_params(OIDC_FORM_MAX_PARAMS + 1, &len);
	oidc_error_clear(&err);
	is_int(oidc_form_parse(a, s, len, &p, &err), -1, "too_many_params +1");
	is_int(err.code, OIDC_E_LIMIT, "too_many_params +1: LIMIT");
	free(s);
	oidc_arena_reset(a);
	/* Empty values still count as pairs. */
	s = many_params(OIDC_FORM_MAX_PARAMS, &len);
	s[len] = '&';
	s[len + 1] = 'x';
	oidc_error_clear(&err);
	is_int(oidc_form_parse(a, s, len + 2, &p, &err), -1,
	    "too_many_params counts empty values");
	free(s);
	oidc_arena_reset(a);

	/* long_name: 64 decoded bytes pass, 65 fail; escapes count once. */
	s = malloc(OIDC_FORM_MAX_VALUE * 3 + 16);
	memset(s, 'n', OIDC_FORM_MAX_NAME);
	memcpy(s + OIDC_FORM_MAX_NAME, "=1", 2);
	oidc_error_clear(&err);
	is_int(oidc_form_parse(a, s, OIDC_FORM_MAX_NAME + 2, &p, &err), 0,
	    "long_name max");
	is_int(p.v[0].name.len, OIDC_FORM_MAX_NAME, "long_name max: length");
	oidc_arena_reset(a);
	memset(s, 'n', OIDC_FORM_MAX_NAME + 1);
	memcpy(s + OIDC_FORM_MAX_NAME + 1, "=1", 2);
	oidc_error_clear(&err);
	is_int(oidc_form_parse(a, s, OIDC_FORM_MAX_NAME + 3, &p, &err), -1,
	    "long_name +1");
	is_int(err.code, OIDC_E_LIMIT, "long_name +1: LIMIT");
	oidc_arena_reset(a);
	for (len = 0; len < OIDC_FORM_MAX_NAME * 3; len += 3)
		memcpy(s + len, "%41", 3);
	memcpy(s + len, "=1", 2);
	oidc_error_clear(&err);
	is_int(oidc_form_parse(a, s, len + 2, &p, &err), 0,
	    "long_name max, all escaped");
	oidc_arena_reset(a);

	/* long_value: 16 KiB decoded pass, one more fails. */
	memcpy(s, "v=", 2);
	memset(s + 2, 'x', OIDC_FORM_MAX_VALUE + 1);
	oidc_error_clear(&err);
	is_int(oidc_form_parse(a, s, OIDC_FORM_MAX_VALUE + 2, &p, &err), 0,
	    "long_value max");
	is_int(p.v[0].value.len, OIDC_FORM_MAX_VALUE, "long_value max: len");
	oidc_arena_reset(a);
	oidc_error_clear(&err);
	is_int(oidc_form_parse(a, s, OIDC_FORM_MAX_VALUE + 3, &p, &err), -1,
	    "long_value +1");
	is_int(err.code, OIDC_E_LIMIT, "long_value +1: LIMIT");
	oidc_arena_reset(a);
	/* 16 KiB of "%41" is 48 KiB of input but 16 KiB decoded: fine. */
	memcpy(s, "v=", 2);
	for (len = 2; len < 2 + OIDC_FORM_MAX_VALUE * 3; len += 3)
		memcpy(s + len, "%41", 3);
	oidc_error_clear(&err);
	is_int(oidc_form_parse(a, s, len, &p, &err), 0,
	    "long_value max, all escaped");
	oidc_arena_reset(a);
	free(s);

	/* Whole input: OIDC_FORM_MAX_LEN passes, one more byte fails. */
	s = malloc(OIDC_FORM_MAX_LEN + 1);
	memset(s, '&', OIDC_FORM_MAX_LEN + 1);
	memcpy(s, "a=1", 3);
	oidc_error_clear(&err);
	is_int(oidc_form_parse(a, s, OIDC_FORM_MAX_LEN, &p, &err), 0,
	    "input length max");
	oidc_arena_reset(a);
	oidc_error_clear(&err);
	is_int(oidc_form_parse(a, s, OIDC_FORM_MAX_LEN + 1, &p, &err), -1,
	    "input length +1");
	is_int(err.code, OIDC_E_LIMIT, "input length +1: LIMIT");
	oidc_arena_reset(a);
	free(s);
}

static void
test_urldecode(struct oidc_arena *a)
{
	struct oidc_error	 err;
	struct oidc_str		 out;

	oidc_error_clear(&err);
	is_int(oidc_form_urldecode(a, S("a+b%20c"), false, 16, &out, &err), 0,
	    "urldecode: plus kept when !plus_is_space");
	is_mem(out.p, out.len, "a+b c", 5, "urldecode: value");
	oidc_error_clear(&err);
	is_int(oidc_form_urldecode(a, S("a+b"), true, 16, &out, &err), 0,
	    "urldecode: plus_is_space");
	is_str(out.p, "a b", "urldecode: plus to space");
	oidc_error_clear(&err);
	is_int(oidc_form_urldecode(a, S("abc"), true, 3, &out, &err), 0,
	    "urldecode: max_len");
	oidc_error_clear(&err);
	is_int(oidc_form_urldecode(a, S("abcd"), true, 3, &out, &err), -1,
	    "urldecode: max_len + 1");
	is_int(err.code, OIDC_E_LIMIT, "urldecode: LIMIT");
	oidc_error_clear(&err);
	is_int(oidc_form_urldecode(a, NULL, 0, true, 3, &out, &err), 0,
	    "urldecode: empty");
	is_int(out.len, 0, "urldecode: empty length");
	ok(out.p != NULL && out.p[0] == '\0', "urldecode: empty is \"\"");
	/* The input is read up to len only: "%4" cut from "%41" is bad. */
	oidc_error_clear(&err);
	is_int(oidc_form_urldecode(a, "%41", 2, true, 3, &out, &err), -1,
	    "urldecode: respects len");
	oidc_arena_reset(a);
}

static void
test_get(void)
{
	struct oidc_param	 v[1] = { { OIDC_STR("a"), OIDC_STR("1") } };
	struct oidc_params	 p = { v, 1 };
	struct oidc_params	 none = { NULL, 0 };

	ok(oidc_params_get(&p, "a").p != NULL, "get: present");
	ok(oidc_params_get(&p, "b").p == NULL, "get: absent");
	ok(oidc_params_get(&p, "A").p == NULL, "get: case-sensitive");
	ok(oidc_params_get(&none, "a").p == NULL, "get: empty set");
	ok(oidc_params_get(NULL, "a").p == NULL, "get: NULL set");
}

/* RFC 8707 2: resource alone may repeat; get_all sees every value. */
static void
test_resource_repeats(struct oidc_arena *a)
{
	static const char	 in[] = "resource=https%3A%2F%2Fa&b=1&resource=x";
	struct oidc_error	 err = { 0 };
	struct oidc_params	 p;
	struct oidc_str		 out[4];

	is_int(oidc_form_parse(a, in, sizeof(in) - 1, &p, &err), 0,
	    "resource repeated: parsed");
	is_int(oidc_params_get_all(&p, "resource", out, 4), 2,
	    "resource repeated: two values");
	ok(oidc_str_eq_cstr(out[0], "https://a") &&
	    oidc_str_eq_cstr(out[1], "x"), "resource repeated: in order");
	ok(oidc_str_eq_cstr(oidc_params_get(&p, "resource"), "https://a"),
	    "resource repeated: get sees the first");
	oidc_arena_reset(a);
}

static void
test_get_all(void)
{
	struct oidc_param	 v[3] = { { OIDC_STR("r"), OIDC_STR("1") },
				    { OIDC_STR("x"), OIDC_STR("2") },
				    { OIDC_STR("r"), OIDC_STR("3") } };
	struct oidc_params	 p = { v, 3 };
	struct oidc_str		 out[2];

	is_int(oidc_params_get_all(&p, "r", out, 2), 2, "get_all: two");
	ok(oidc_str_eq_cstr(out[0], "1") && oidc_str_eq_cstr(out[1], "3"),
	    "get_all: in input order");
	is_int(oidc_params_get_all(&p, "r", out, 1), 2,
	    "get_all: the count beyond max");
	is_int(oidc_params_get_all(&p, "y", out, 2), 0, "get_all: absent");
	is_int(oidc_params_get_all(NULL, "r", out, 2), 0, "get_all: NULL");
}

/* The parser never writes to its input. */
static void
test_input_untouched(struct oidc_arena *a)
{
	static const char	 in[] = "a=%41+b&c=d";
	char			 copy[sizeof(in)];
	struct oidc_error	 err = { 0 };
	struct oidc_params	 p;

	memcpy(copy, in, sizeof(in));
	is_int(oidc_form_parse(a, copy, sizeof(in) - 1, &p, &err), 0,
	    "input untouched: parse");
	is_mem(copy, sizeof(in), in, sizeof(in), "input untouched");
	oidc_arena_reset(a);
}

int
main(void)
{
	struct oidc_arena	*a;

	a = oidc_arena_new(4096, 4 << 20);
	run_cases(a);
	test_limits(a);
	test_urldecode(a);
	test_get();
	test_get_all();
	test_resource_repeats(a);
	test_input_untouched(a);
	oidc_arena_free(a);
	return done_testing();
}
