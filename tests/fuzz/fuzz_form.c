/*
 * fuzz_form.c: application/x-www-form-urlencoded parser (common/http/form.c).
 * The fuzzer's buffer is passed as is: no copy, no NUL, so ASan catches
 * any read past len.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/form.h"

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
	struct oidc_params	 p;
	struct oidc_str		 v;
	size_t			 i;

	if (oidc_form_parse(fa, (const char *)data, size, &p, &err) == 0) {
		/* Every output is non-empty, NUL-terminated and unique. */
		for (i = 0; i < p.n; i++) {
			if (p.v[i].name.len == 0 || p.v[i].value.len == 0 ||
			    p.v[i].name.p[p.v[i].name.len] != '\0' ||
			    p.v[i].value.p[p.v[i].value.len] != '\0' ||
			    memchr(p.v[i].value.p, '\0',
			    p.v[i].value.len) != NULL)
				abort();
			v = oidc_params_get(&p, p.v[i].name.p);
			if (v.p != p.v[i].value.p)
				abort();
		}
		(void)oidc_params_get(&p, "client_id");
	} else if (p.v != NULL || p.n != 0)
		abort();
	oidc_error_clear(&err);
	if (oidc_form_urldecode(fa, (const char *)data, size, false, 256, &v,
	    &err) == 0 && (v.len > 256 || v.p[v.len] != '\0'))
		abort();
	oidc_arena_reset(fa);
	return 0;
}
