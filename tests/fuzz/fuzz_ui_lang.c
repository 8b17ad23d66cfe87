/*
 * fuzz_ui_lang.c: choosing a page language (common/http/ui_lang.c) from
 * an Accept-Language header and a ui_locales parameter, both the input,
 * passed without a copy or NUL.
 */
#include <stdint.h>
#include <stdlib.h>

#include "oidc/arena.h"
#include "oidc/ui.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct oidc_arena	*fa;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct oidc_error	 err = { 0 };

	(void)argc;
	(void)argv;
	/* ui_lang.c allocates nothing; the arena keeps the pattern uniform. */
	if ((fa = oidc_arena_new(4096, 1 << 20)) == NULL ||
	    oidc_ui_load(NULL, "en fr fr-CA en-GB", &err) == -1)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data;
	int		 n = (int)oidc_ui_nlocales(), a, l;

	a = oidc_ui_pick_accept(s, size);
	l = oidc_ui_pick_locales(s, size, 3);
	/* Always an offered language; over the limit, the defaults. */
	if (a < 0 || a >= n || l < 0 || l >= n)
		abort();
	if (size > OIDC_UI_MAX_ACCEPT && (a != 0 || l != 3))
		abort();
	oidc_arena_reset(fa);
	return 0;
}
