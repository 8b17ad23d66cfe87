/*
 * test_b64url.c: strict base64url and base64 (common/codec/b64url.c).
 * Vectors: RFC 4648 section 10.
 */
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/b64url.h"

#include "tap.h"

#define S(lit)	lit, sizeof(lit) - 1

struct vec {
	const char	*plain;
	size_t		 plainlen;
	const char	*b64;		/* RFC 4648 4, padded */
	const char	*b64url;	/* RFC 4648 5, unpadded (RFC 7515 2) */
};

static const struct vec vectors[] = {
	/* RFC 4648 section 10. */
	{ S(""), "", "" },
	{ S("f"), "Zg==", "Zg" },
	{ S("fo"), "Zm8=", "Zm8" },
	{ S("foo"), "Zm9v", "Zm9v" },
	{ S("foob"), "Zm9vYg==", "Zm9vYg" },
	{ S("fooba"), "Zm9vYmE=", "Zm9vYmE" },
	{ S("foobar"), "Zm9vYmFy", "Zm9vYmFy" },
	/* The two characters where the alphabets differ (62 and 63). */
	{ S("\xfb\xff"), "+/8=", "-_8" },
	{ S("\xff\xff\xff"), "////", "____" },
	{ S("\0\0\0"), "AAAA", "AAAA" },
};

static void
test_vectors(struct oidc_arena *a)
{
	const struct vec	*v;
	struct oidc_error	 err;
	unsigned char		*out;
	size_t			 i, outlen;
	char			*enc;

	for (i = 0; i < OIDC_NELEM(vectors); i++) {
		v = &vectors[i];
		is_int(oidc_b64url_encoded_len(v->plainlen), strlen(v->b64url),
		    "encoded_len");
		enc = oidc_b64url_encode(a, v->plain, v->plainlen);
		is_str(enc, v->b64url, "b64url encode");
		oidc_error_clear(&err);
		out = NULL;
		is_int(oidc_b64url_decode(a, v->b64url, strlen(v->b64url),
		    &out, &outlen, &err), 0, "b64url decode");
		is_mem(out, outlen, v->plain, v->plainlen, v->b64url);
		ok(out != NULL && out[outlen] == '\0', "b64url: NUL after");
		oidc_error_clear(&err);
		out = NULL;
		is_int(oidc_b64_decode(a, v->b64, strlen(v->b64), &out,
		    &outlen, &err), 0, "b64 decode");
		is_mem(out, outlen, v->plain, v->plainlen, v->b64);
	}
	oidc_arena_reset(a);
}

struct bad {
	const char	*test;
	const char	*in;
	size_t		 len;
};

/* base64url: padding, whitespace, foreign characters, trailing bits. */
static const struct bad bad_url[] = {
	{ "padding ==", S("Zg==") },
	{ "padding =", S("Zm8=") },
	{ "padding full quantum", S("Zm9v====") },
	{ "lone =", S("=") },
	{ "standard '+'", S("-_8+") },
	{ "standard '/'", S("Zm9/") },
	{ "foreign '*'", S("Zm*v") },
	{ "foreign '.'", S("Zm.v") },
	{ "8-bit", S("Zm\xc3\xa9") },
	{ "NUL", S("Zm\0v") },
	{ "leading space", S(" Zm9v") },
	{ "trailing newline", S("Zm9v\n") },
	{ "inner CRLF", S("Zm9v\r\nYg") },
	{ "tab", S("Zm9v\tYg") },
	{ "trailing bits 2 chars", S("Zh") },
	{ "trailing bits 3 chars", S("Zm9") },
	{ "impossible length 1", S("Z") },
	{ "impossible length 5", S("Zm9vY") },
};

static const struct bad bad_std[] = {
	{ "missing padding ==", S("Zg") },
	{ "missing padding =", S("Zm8") },
	{ "short padding", S("Zg=") },
	{ "too much padding", S("Zg===") },
	{ "three =", S("Z===") },
	{ "all padding", S("====") },
	{ "padding inside", S("Zg==Zm9v") },
	{ "'=' then data", S("Zm=v") },
	{ "url '-'", S("-_8=") },
	{ "url '_'", S("Zm9_") },
	{ "whitespace", S("Zm9v Zm9v") },
	{ "trailing newline", S("Zm9v\n") },
	{ "NUL", S("Zm\0v") },
	{ "trailing bits ==", S("Zh==") },
	{ "trailing bits =", S("Zm9=") },
	{ "impossible length", S("Zm9vY") },
};

static void
test_strict(struct oidc_arena *a)
{
	struct oidc_error	 err;
	unsigned char		*out;
	size_t			 i, outlen;

	for (i = 0; i < OIDC_NELEM(bad_url); i++) {
		oidc_error_clear(&err);
		out = NULL;
		is_int(oidc_b64url_decode(a, bad_url[i].in, bad_url[i].len,
		    &out, &outlen, &err), -1, bad_url[i].test);
		ok(err.code == OIDC_E_INVALID_REQUEST && out == NULL,
		    "b64url %s: invalid_request, no output", bad_url[i].test);
	}
	for (i = 0; i < OIDC_NELEM(bad_std); i++) {
		oidc_error_clear(&err);
		out = NULL;
		is_int(oidc_b64_decode(a, bad_std[i].in, bad_std[i].len,
		    &out, &outlen, &err), -1, bad_std[i].test);
		ok(err.code == OIDC_E_INVALID_REQUEST && out == NULL,
		    "b64 %s: invalid_request, no output", bad_std[i].test);
	}
	/* Only len bytes are read: "Zg==" cut to "Zg" is "f". */
	oidc_error_clear(&err);
	ok(oidc_b64url_decode(a, "Zg==", 2, &out, &outlen, &err) == 0 &&
	    outlen == 1 && out[0] == 'f', "b64url: respects len");
	oidc_arena_reset(a);
}

static void
test_limit(struct oidc_arena *a)
{
	struct oidc_error	 err;
	unsigned char		*out;
	size_t			 outlen;
	char			*in;

	in = malloc(OIDC_B64_MAX_LEN + 4);
	memset(in, 'A', OIDC_B64_MAX_LEN + 4);
	oidc_error_clear(&err);
	is_int(oidc_b64url_decode(a, in, OIDC_B64_MAX_LEN, &out, &outlen,
	    &err), 0, "b64url: max length");
	is_int(outlen, OIDC_B64_MAX_LEN / 4 * 3, "b64url: max length output");
	oidc_arena_reset(a);
	oidc_error_clear(&err);
	is_int(oidc_b64url_decode(a, in, OIDC_B64_MAX_LEN + 1, &out, &outlen,
	    &err), -1, "b64url: max + 1");
	is_int(err.code, OIDC_E_LIMIT, "b64url: max + 1 is LIMIT");
	oidc_error_clear(&err);
	is_int(oidc_b64_decode(a, in, OIDC_B64_MAX_LEN, &out, &outlen, &err),
	    0, "b64: max length");
	oidc_arena_reset(a);
	oidc_error_clear(&err);
	is_int(oidc_b64_decode(a, in, OIDC_B64_MAX_LEN + 4, &out, &outlen,
	    &err), -1, "b64: past max");
	is_int(err.code, OIDC_E_LIMIT, "b64: past max is LIMIT");
	oidc_arena_reset(a);
	free(in);
}

int
main(void)
{
	struct oidc_arena	*a;

	a = oidc_arena_new(4096, 4 << 20);
	test_vectors(a);
	test_strict(a);
	test_limit(a);
	oidc_arena_free(a);
	return done_testing();
}
