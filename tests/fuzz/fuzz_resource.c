/*
 * fuzz_resource.c: resource indicators (common/oidc/resource.c,
 * oidc/resource.h): the whole buffer is a form body whose `resource`
 * values are taken (oidc_resources_from_params), and, as a stored set,
 * split on spaces (oidc_resources_split); every accepted value must pass
 * oidc_resource_syntax_ok and a joined set must split back the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/form.h"
#include "oidc/resource.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct oidc_arena	*fa;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if ((fa = oidc_arena_new(4096, 4 << 20)) == NULL)
		abort();
	return 0;
}

static void
check_set(const struct oidc_resources *r)
{
	struct oidc_error	 err = { 0 };
	struct oidc_resources	 back;
	size_t			 i;

	for (i = 0; i < r->n; i++)
		if (!oidc_resource_syntax_ok(r->v[i]))
			abort();
	if (oidc_resources_split(oidc_resources_join(fa, r), &back,
	    &err) == -1 || back.n != r->n ||
	    !oidc_resources_subset(r, &back))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oidc_error	 err = { 0 };
	struct oidc_params	 p;
	struct oidc_resources	 r;

	if (oidc_form_parse(fa, (const char *)data, size, &p, &err) == 0 &&
	    oidc_resources_from_params(&p, &r, &err) == 0)
		check_set(&r);
	memset(&err, 0, sizeof(err));
	if (oidc_resources_split((struct oidc_str){ (const char *)data,
	    size }, &r, &err) == 0)
		check_set(&r);
	else if (err.code != OIDC_E_INVALID_TARGET)
		abort();
	oidc_arena_reset(fa);
	return 0;
}
