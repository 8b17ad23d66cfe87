/*
 * fuzz_ui_messages.c: messages.LANG files (oidc_ui_messages_parse) and
 * page templates (oidc_ui_check), common/http/ui*.c: an operator's files,
 * read at start-up.  The input is passed without a copy or NUL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/ui.h"

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
	const char		*s = (const char *)data;
	const char		*texts[OIDC_UI_NKEYS] = { NULL };
	struct oidc_error	 err = { 0 };
	size_t			 k, n = oidc_ui_nkeys();
	int			 p;

	if (n != OIDC_UI_NKEYS)
		abort();
	if (oidc_ui_messages_parse("fuzz", s, size, texts, &err) == 0) {
		/* Accepted texts: non-empty, no control characters. */
		for (k = 0; k < n; k++) {
			if (texts[k] == NULL)
				continue;
			if (texts[k][0] == '\0' || strlen(texts[k]) >
			    OIDC_UI_MAX_MESSAGE)
				abort();
			free((char *)texts[k]);
		}
	} else if (err.code != OIDC_E_CONFIG && err.code != OIDC_E_NOMEM)
		abort();
	for (p = 0; p < OIDC_UI__NPAGES; p++) {
		oidc_error_clear(&err);
		if (oidc_ui_check(p, "fuzz", s, size, &err) == -1 &&
		    err.code != OIDC_E_CONFIG)
			abort();
	}
	oidc_arena_reset(fa);
	return 0;
}
