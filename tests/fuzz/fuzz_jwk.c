/*
 * fuzz_jwk.c: the key document parser (oidc_keyset_parse: one PEM key,
 * one JWK or a JWKS), then the JWKS and private-JWK outputs of whatever
 * parsed.  The corpus holds the RFC vector keys and PEM keys, all of which
 * parse (success path).
 */
#include <stdint.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/jwk.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct oidc_arena	*fa;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fa = oidc_arena_new(4096, 1 << 20);
	return fa == NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oidc_error	 err = { 0 };
	struct oidc_keyset	*ks;
	const struct oidc_jwk	*k;
	size_t			 len;

	ks = oidc_keyset_parse(fa, (const char *)data, size,
	    OIDC_JWS_ALG_ANY, NULL, &err);
	if (ks != NULL) {
		(void)oidc_keyset_jwks(ks, fa, &len, &err);
		k = oidc_keyset_get(ks, 0);
		if (oidc_jwk_is_private(k))
			(void)oidc_jwk_private_json(k, fa, &err);
	}
	oidc_keyset_free(ks);
	oidc_arena_reset(fa);
	return 0;
}
