/*
 * fuzz_client_metadata_register.c: dynamic registration input
 * (common/oidc/register.c): the metadata rules (oidc_register_metadata on
 * top of oidc_client_normalize and the JWK Set parser) and the
 * /register/<client_id> path parser, on the same bytes.  Whatever is
 * accepted must serialise, parse again and be accepted again (the stored
 * metadata is what a later PUT echoes).
 */
#include <stdint.h>
#include <stdlib.h>

#include "oidc/arena.h"
#include "oidc/json.h"
#include "oidc/register.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct oidc_arena	*fa;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if ((fa = oidc_arena_new(8192, 4 << 20)) == NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oidc_error	 err = { 0 };
	struct oidc_json	*in, *out, *back, *again;
	struct oidc_str		 id;
	const char		*txt;
	size_t			 len;
	int			 rc;

	rc = oidc_register_parse_path((struct oidc_str){ (const char *)data,
	    size }, &id);
	if (rc == 1 && (id.p < (const char *)data ||
	    id.p + id.len != (const char *)data + size || id.len == 0))
		abort();
	if (rc != 1 && id.p != NULL)
		abort();
	if (oidc_json_parse(fa, (const char *)data, size, 0, &in, &err) != 0)
		goto out;
	if (oidc_register_metadata(fa, in, 0, &out, &err) != 0) {
		if (err.code == OIDC_E_NONE)
			abort();
		goto out;
	}
	if ((txt = oidc_json_serialize(out, fa, &len, &err)) == NULL ||
	    oidc_json_parse(fa, txt, len, (size_t)-1, &back, &err) != 0 ||
	    oidc_register_metadata(fa, back, 0, &again, &err) != 0)
		abort();
out:
	oidc_arena_reset(fa);
	return 0;
}
