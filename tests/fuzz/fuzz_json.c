/*
 * fuzz_json.c: strict JSON parsing and typed getters (common/codec/json.c).
 * Whatever parses must serialise to text that parses again.
 */
#include <stdint.h>
#include <stdlib.h>

#include "oidc/arena.h"
#include "oidc/json.h"

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
	struct oidc_json	*j, *back, *o;
	struct oidc_str		 s, *items;
	const char		*txt;
	size_t			 n, len;
	int64_t			 v;
	bool			 b;
	int			 rc;

	if (oidc_json_parse(fa, (const char *)data, size, 0, &j, &err) != 0)
		goto out;
	/* Each getter answers 1, 0 or -1; none may crash on any type. */
	rc = oidc_json_get_str(j, "iss", &s, &err);
	oidc_error_clear(&err);
	rc |= oidc_json_get_i64(j, "exp", &v, &err);
	oidc_error_clear(&err);
	rc |= oidc_json_get_bool(j, "b", &b, &err);
	oidc_error_clear(&err);
	rc |= oidc_json_get_obj(j, "o", &o, &err);
	oidc_error_clear(&err);
	rc |= oidc_json_get_str_list(j, "aud", true, fa, &items, &n, &err);
	oidc_error_clear(&err);
	if (rc < -1 || rc > 1)
		abort();
	if ((txt = oidc_json_serialize(j, fa, &len, &err)) == NULL)
		abort();
	if (oidc_json_parse(fa, txt, len, (size_t)-1, &back, &err) != 0)
		abort();
out:
	oidc_arena_reset(fa);
	return 0;
}
