/*
 * test_buf.c: bounded buffers (common/base/buf.c).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/buf.h"

#include "tap.h"

#define S(lit)	lit, sizeof(lit) - 1

static void
test_limit(struct oidc_arena *a)
{
	struct oidc_buf		 b;
	struct oidc_error	 err;
	struct oidc_str		 s;
	char			 big[300];

	oidc_buf_init(&b, a, 8);
	s = oidc_buf_str(&b);
	ok(s.p != NULL && s.len == 0 && s.p[0] == '\0', "empty buf is \"\"");
	oidc_error_clear(&err);
	is_int(oidc_buf_append(&b, S("abcd"), &err), 0, "append");
	is_int(oidc_buf_puts(&b, "efg", &err), 0, "puts");
	is_int(oidc_buf_putc(&b, 'h', &err), 0, "putc up to max");
	is_str(b.p, "abcdefgh", "contents at max");
	is_int(oidc_buf_putc(&b, 'i', &err), -1, "max + 1 fails");
	is_int(err.code, OIDC_E_LIMIT, "max + 1: LIMIT");
	is_str(b.p, "abcdefgh", "unchanged after a failed append");
	is_int(b.len, 8, "length unchanged");
	oidc_error_clear(&err);
	is_int(oidc_buf_append(&b, "", 0, &err), 0, "empty append at max");
	is_int(oidc_buf_append(&b, "x", SIZE_MAX, &err), -1,
	    "SIZE_MAX append: overflow-checked");

	/* printf counts against the limit before writing. */
	oidc_buf_init(&b, a, 5);
	oidc_error_clear(&err);
	is_int(oidc_buf_printf(&b, &err, "%d", 12345), 0, "printf at max");
	is_str(b.p, "12345", "printf contents");
	is_int(oidc_buf_printf(&b, &err, "%d", 6), -1, "printf max + 1");
	is_str(b.p, "12345", "printf: unchanged after failure");

	/* Growth across several reallocations keeps the contents. */
	oidc_buf_init(&b, a, sizeof(big));
	memset(big, 'q', sizeof(big));
	oidc_error_clear(&err);
	is_int(oidc_buf_append(&b, big, 100, &err), 0, "grow 1");
	is_int(oidc_buf_append(&b, big, 200, &err), 0, "grow 2");
	ok(b.len == 300 && memcmp(b.p, big, 300) == 0 && b.p[300] == '\0',
	    "grown contents intact and NUL-terminated");
	oidc_arena_reset(a);
}

static void
test_urlencode(struct oidc_arena *a)
{
	struct oidc_buf		 b;
	struct oidc_error	 err = { 0 };

	oidc_buf_init(&b, a, 256);
	is_int(oidc_buf_urlencode(&b, S("AZaz09-._~"), &err), 0,
	    "urlencode unreserved");
	is_str(b.p, "AZaz09-._~", "unreserved kept");
	oidc_buf_init(&b, a, 256);
	is_int(oidc_buf_urlencode(&b, S("a b+c&d=e/f?g#h%\0\xff"), &err),
	    0, "urlencode reserved");
	is_str(b.p, "a%20b%2Bc%26d%3De%2Ff%3Fg%23h%25%00%FF",
	    "reserved, NUL and 8-bit encoded");
	oidc_buf_init(&b, a, 256);
	is_int(oidc_buf_urlencode(&b, S("\r\n"), &err), 0, "urlencode CRLF");
	is_str(b.p, "%0D%0A", "CRLF encoded (no header splitting)");
	/* The limit applies to the encoded length. */
	oidc_buf_init(&b, a, 5);
	is_int(oidc_buf_urlencode(&b, S(" "), &err), 0, "urlencode 3 of 5");
	is_int(oidc_buf_urlencode(&b, S(" "), &err), -1,
	    "urlencode past max");
	is_int(err.code, OIDC_E_LIMIT, "urlencode: LIMIT");
	oidc_arena_reset(a);
}

static void
test_htmlescape(struct oidc_arena *a)
{
	struct oidc_buf		 b;
	struct oidc_error	 err = { 0 };

	oidc_buf_init(&b, a, 256);
	is_int(oidc_buf_htmlescape(&b,
	    S("<script>alert('x')</script> & \"q\""), &err), 0,
	    "htmlescape");
	is_str(b.p, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
	    "&quot;q&quot;", "htmlescape: & < > \" ' escaped");
	oidc_buf_init(&b, a, 256);
	is_int(oidc_buf_htmlescape(&b, S("plain \xc3\xa9"), &err), 0,
	    "htmlescape plain");
	is_str(b.p, "plain \xc3\xa9", "htmlescape: others unchanged");
	oidc_buf_init(&b, a, 4);
	is_int(oidc_buf_htmlescape(&b, S("<"), &err), 0, "htmlescape at max");
	is_int(oidc_buf_htmlescape(&b, S("a"), &err), -1,
	    "htmlescape past max");
	oidc_arena_reset(a);
}

int
main(void)
{
	struct oidc_arena	*a;

	a = oidc_arena_new(4096, 1 << 20);
	test_limit(a);
	test_urlencode(a);
	test_htmlescape(a);
	oidc_arena_free(a);
	return done_testing();
}
