/*
 * fuzz_b64url.c: strict base64url and base64 decoding
 * (common/codec/b64url.c).  Strictness means one encoding per value, so a
 * successful base64url decode must re-encode to exactly the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/b64url.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct oidc_arena	*fa;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if ((fa = oidc_arena_new(4096, 1 << 20)) == NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oidc_error	 err = { 0 };
	unsigned char		*out;
	size_t			 outlen;
	char			*enc;

	if (oidc_b64url_decode(fa, (const char *)data, size, &out, &outlen,
	    &err) == 0) {
		if ((enc = oidc_b64url_encode(fa, out, outlen)) == NULL ||
		    strlen(enc) != size || memcmp(enc, data, size) != 0)
			abort();
	}
	oidc_error_clear(&err);
	if (oidc_b64_decode(fa, (const char *)data, size, &out, &outlen,
	    &err) == 0 && outlen > size)
		abort();
	oidc_arena_reset(fa);
	return 0;
}
