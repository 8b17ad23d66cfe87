/*
 * test_str.c: counted strings, comparison and number parsing
 * (common/base/str.c).
 */
#include <string.h>

#include "oidc/str.h"

#include "tap.h"

#define S(lit)	lit, sizeof(lit) - 1

static void
test_eq(void)
{
	struct oidc_str	 abc = OIDC_STR("abc"), nul = OIDC_STR_NULL;
	struct oidc_str	 empty = OIDC_STR("");

	ok(oidc_str_eq(abc, OIDC_STR("abc")), "eq: equal");
	ok(!oidc_str_eq(abc, OIDC_STR("abd")), "eq: differ");
	ok(!oidc_str_eq(abc, OIDC_STR("ab")), "eq: prefix");
	ok(!oidc_str_eq(abc, OIDC_STR("abcd")), "eq: longer");
	ok(oidc_str_eq(empty, OIDC_STR("")), "eq: empty equals empty");
	/* Fail closed: absent equals nothing, not even absent. */
	ok(!oidc_str_eq(nul, nul), "eq: NULL != NULL");
	ok(!oidc_str_eq(nul, empty), "eq: NULL != empty");
	ok(!oidc_str_eq(empty, nul), "eq: empty != NULL");
	ok(!oidc_str_eq((struct oidc_str){ "a\0b", 3 }, OIDC_STR("a")),
	    "eq: embedded NUL counts");
	ok(oidc_str_eq_cstr(abc, "abc"), "eq_cstr: equal");
	ok(!oidc_str_eq_cstr(abc, NULL), "eq_cstr: NULL");
	ok(!oidc_str_eq_cstr(nul, ""), "eq_cstr: absent vs empty");

	ok(oidc_str_eq_secret(OIDC_STR("s3cr3t"), OIDC_STR("s3cr3t")),
	    "eq_secret: equal");
	ok(!oidc_str_eq_secret(OIDC_STR("s3cr3t"), OIDC_STR("s3cr3T")),
	    "eq_secret: last byte differs");
	ok(!oidc_str_eq_secret(OIDC_STR("s3cr3t"), OIDC_STR("s3cr3")),
	    "eq_secret: length differs");
	ok(!oidc_str_eq_secret(nul, nul), "eq_secret: NULL != NULL");
	ok(!oidc_str_eq_secret(nul, empty), "eq_secret: NULL != empty");
	ok(oidc_str_eq_secret(empty, OIDC_STR("")), "eq_secret: empty");

	ok(oidc_str_eq_nocase(OIDC_STR("BaSiC"), "basic"), "nocase: equal");
	ok(!oidc_str_eq_nocase(OIDC_STR("Basic"), "basi"), "nocase: length");
	ok(!oidc_str_eq_nocase(OIDC_STR("Bas1c"), "basic"), "nocase: differ");
	ok(!oidc_str_eq_nocase(nul, ""), "nocase: NULL");
	ok(!oidc_str_eq_nocase(abc, NULL), "nocase: NULL literal");
	/* ASCII only: '@' (0x40) and '`' (0x60) are not a case pair. */
	ok(!oidc_str_eq_nocase(OIDC_STR("@"), "`"), "nocase: ASCII only");
	ok(!oidc_str_eq_nocase(OIDC_STR("\xc3\x89"), "\xc3\xa9"),
	    "nocase: no Unicode folding");
}

struct u64_case {
	const char	*test;
	const char	*in;
	size_t		 len;
	uint64_t	 min, max;
	int		 rc;
	uint64_t	 want;
};

static const struct u64_case u64_cases[] = {
	{ "zero", S("0"), 0, UINT64_MAX, 0, 0 },
	{ "plain", S("3600"), 0, UINT64_MAX, 0, 3600 },
	{ "leading zeros", S("007"), 0, UINT64_MAX, 0, 7 },
	{ "max u64", S("18446744073709551615"), 0, UINT64_MAX, 0,
	    UINT64_MAX },
	{ "overflow", S("18446744073709551616"), 0, UINT64_MAX, -1, 0 },
	{ "overflow big", S("99999999999999999999"), 0, UINT64_MAX, -1, 0 },
	{ "21 digits", S("000000000000000000001"), 0, UINT64_MAX, -1, 0 },
	{ "empty", S(""), 0, UINT64_MAX, -1, 0 },
	{ "leading +", S("+1"), 0, UINT64_MAX, -1, 0 },
	{ "leading -", S("-1"), 0, UINT64_MAX, -1, 0 },
	{ "leading space", S(" 1"), 0, UINT64_MAX, -1, 0 },
	{ "trailing space", S("1 "), 0, UINT64_MAX, -1, 0 },
	{ "trailing newline", S("1\n"), 0, UINT64_MAX, -1, 0 },
	{ "tab", S("\t1"), 0, UINT64_MAX, -1, 0 },
	{ "hex", S("0x10"), 0, UINT64_MAX, -1, 0 },
	{ "embedded NUL", S("1\0002"), 0, UINT64_MAX, -1, 0 },
	{ "decimal point", S("1.0"), 0, UINT64_MAX, -1, 0 },
	{ "exponent", S("1e3"), 0, UINT64_MAX, -1, 0 },
	{ "below min", S("4"), 5, 10, -1, 0 },
	{ "at min", S("5"), 5, 10, 0, 5 },
	{ "at max", S("10"), 5, 10, 0, 10 },
	{ "above max", S("11"), 5, 10, -1, 0 },
};

static void
test_parse_u64(void)
{
	const struct u64_case	*c;
	uint64_t		 v;
	size_t			 i;

	for (i = 0; i < OIDC_NELEM(u64_cases); i++) {
		c = &u64_cases[i];
		v = 12345;
		is_int(oidc_parse_u64(c->in, c->len, c->min, c->max, &v), c->rc,
		    c->test);
		if (c->rc == 0)
			ok(v == c->want, "%s: value", c->test);
		else
			ok(v == 12345, "%s: output untouched", c->test);
	}
	/* Only len bytes are read: "12" of "123". */
	ok(oidc_parse_u64("123", 2, 0, 100, &v) == 0 && v == 12,
	    "parse_u64: respects len");
	ok(oidc_parse_u64(NULL, 0, 0, 1, &v) == -1, "parse_u64: NULL");
}

struct utf8_case {
	const char	*test;
	const char	*in;
	size_t		 len;
	bool		 want;
};

static const struct utf8_case utf8_cases[] = {
	{ "empty", S(""), true },
	{ "ascii", S("hello"), true },
	{ "2-byte", S("\xc3\xa9"), true },
	{ "3-byte", S("\xe2\x82\xac"), true },
	{ "4-byte", S("\xf0\x9f\x98\x80"), true },
	{ "U+10FFFF", S("\xf4\x8f\xbf\xbf"), true },
	{ "U+D7FF", S("\xed\x9f\xbf"), true },
	{ "U+E000", S("\xee\x80\x80"), true },
	{ "NUL", S("a\0b"), false },
	{ "lone continuation", S("\x80"), false },
	{ "overlong 2-byte C0", S("\xc0\xaf"), false },
	{ "overlong 2-byte C1", S("\xc1\xbf"), false },
	{ "overlong 3-byte", S("\xe0\x80\xaf"), false },
	{ "overlong 3-byte max", S("\xe0\x9f\xbf"), false },
	{ "overlong 4-byte", S("\xf0\x80\x80\xaf"), false },
	{ "overlong 4-byte max", S("\xf0\x8f\xbf\xbf"), false },
	{ "overlong NUL", S("\xc0\x80"), false },
	{ "surrogate D800", S("\xed\xa0\x80"), false },
	{ "surrogate DFFF", S("\xed\xbf\xbf"), false },
	{ "above U+10FFFF", S("\xf4\x90\x80\x80"), false },
	{ "F5 lead", S("\xf5\x80\x80\x80"), false },
	{ "FF", S("\xff"), false },
	{ "truncated 2-byte", S("\xc3"), false },
	{ "truncated 3-byte", S("\xe2\x82"), false },
	{ "truncated 4-byte", S("\xf0\x9f\x98"), false },
	{ "bad continuation", S("\xc3\x28"), false },
};

static void
test_utf8(void)
{
	size_t	 i;

	for (i = 0; i < OIDC_NELEM(utf8_cases); i++)
		ok(oidc_str_is_utf8(utf8_cases[i].in, utf8_cases[i].len) ==
		    utf8_cases[i].want, "utf8: %s", utf8_cases[i].test);
	/* Only len bytes are read: a cut multi-byte sequence is invalid. */
	ok(!oidc_str_is_utf8("\xc3\xa9", 1), "utf8: respects len");

	ok(oidc_str_is_vschar(S(" ~az")), "vschar: printable");
	ok(!oidc_str_is_vschar(S("a\tb")), "vschar: tab");
	ok(!oidc_str_is_vschar(S("a\x7f")), "vschar: DEL");
	ok(!oidc_str_is_vschar(S("\xc3\xa9")), "vschar: 8-bit");
}

static void
test_list_has(void)
{
	struct oidc_str	 l = OIDC_STR("openid  email profile");

	ok(oidc_str_list_has(l, "openid"), "list_has: first");
	ok(oidc_str_list_has(l, "email"), "list_has: after double space");
	ok(oidc_str_list_has(l, "profile"), "list_has: last");
	ok(!oidc_str_list_has(l, "open"), "list_has: prefix");
	ok(!oidc_str_list_has(l, "mail"), "list_has: suffix");
	ok(!oidc_str_list_has(l, "email profile"), "list_has: two tokens");
	ok(!oidc_str_list_has(l, ""), "list_has: empty token");
	ok(!oidc_str_list_has(OIDC_STR(""), "openid"), "list_has: empty list");
	ok(!oidc_str_list_has(OIDC_STR_NULL, "openid"), "list_has: NULL list");
	ok(!oidc_str_list_has(l, NULL), "list_has: NULL token");
	ok(!oidc_str_list_has(OIDC_STR("OpenID"), "openid"),
	    "list_has: case-sensitive");
	/* Only len bytes: "openid" cut to "open". */
	ok(!oidc_str_list_has((struct oidc_str){ "openid", 4 }, "openid"),
	    "list_has: respects len");
}

static void
test_hex(void)
{
	unsigned char	 out[4];
	unsigned char	 keep[4] = { 0xee, 0xee, 0xee, 0xee };
	int		 c, n;

	/* oidc_hex_value: exactly the 22 digits, nothing else. */
	for (c = 0, n = 0; c < 256; c++)
		if (oidc_hex_value(c) >= 0)
			n++;
	is_int(n, 22, "hex_value: 22 digits of 256 bytes");
	is_int(oidc_hex_value('0'), 0, "hex_value: 0");
	is_int(oidc_hex_value('9'), 9, "hex_value: 9");
	is_int(oidc_hex_value('a'), 10, "hex_value: a");
	is_int(oidc_hex_value('F'), 15, "hex_value: F");
	is_int(oidc_hex_value('g'), -1, "hex_value: g");
	is_int(oidc_hex_value('/'), -1, "hex_value: before 0");
	is_int(oidc_hex_value(':'), -1, "hex_value: after 9");
	is_int(oidc_hex_value('@'), -1, "hex_value: before A");
	is_int(oidc_hex_value('`'), -1, "hex_value: before a");
	is_int(oidc_hex_value(0xe0), -1, "hex_value: 8-bit");

	ok(oidc_hex_decode(S("00fFa5C3"), out, 4) == 0 && out[0] == 0x00 &&
	    out[1] == 0xff && out[2] == 0xa5 && out[3] == 0xc3,
	    "hex_decode: mixed case");
	ok(oidc_hex_decode(S(""), out, 0) == 0, "hex_decode: empty");

	memcpy(out, keep, sizeof(out));
	ok(oidc_hex_decode(S("00ff00f"), out, 4) == -1, "hex_decode: short");
	ok(oidc_hex_decode(S("00ff00ff00"), out, 4) == -1,
	    "hex_decode: long");
	ok(oidc_hex_decode(S("00ff00fg"), out, 4) == -1,
	    "hex_decode: bad digit last");
	ok(oidc_hex_decode(S("00f 00ff"), out, 3) == -1, "hex_decode: space");
	ok(oidc_hex_decode("00\0""0", 4, out, 2) == -1, "hex_decode: NUL");
	ok(oidc_hex_decode(S("0x00"), out, 2) == -1, "hex_decode: 0x prefix");
	ok(memcmp(out, keep, sizeof(out)) == 0,
	    "hex_decode: a failure writes nothing");
	/* Only inlen bytes are read. */
	ok(oidc_hex_decode("abcdzz", 4, out, 2) == 0 && out[0] == 0xab &&
	    out[1] == 0xcd, "hex_decode: respects len");
}

int
main(void)
{
	test_eq();
	test_parse_u64();
	test_utf8();
	test_list_has();
	test_hex();
	return done_testing();
}
