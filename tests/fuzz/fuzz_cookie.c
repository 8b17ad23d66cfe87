/*
 * fuzz_cookie.c: Cookie header lookup (common/http/cookie.c).  The result
 * points into the fuzzer's buffer, which is passed without a copy or NUL.
 */
#include <stdint.h>
#include <stdlib.h>

#include "oidc/arena.h"
#include "oidc/cookie.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct oidc_arena	*fa;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* cookie.c allocates nothing; the arena keeps the pattern uniform. */
	if ((fa = oidc_arena_new(4096, 1 << 20)) == NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "sid", "__Host-oidc_session",
	    "a" };
	const char		*hdr = (const char *)data;
	struct oidc_error	 err;
	struct oidc_str		 v;
	size_t			 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		oidc_error_clear(&err);
		if (oidc_cookie_find(hdr, size, names[i], &v, &err) == 1 &&
		    (v.p < hdr || v.p + v.len > hdr + size))
			abort();
	}
	oidc_arena_reset(fa);
	return 0;
}
