/*
 * fuzz_authz_header.c: Basic and Bearer Authorization headers
 * (common/http/authz_header.c), fed the same buffer without copy or NUL.
 */
#include <stdint.h>
#include <stdlib.h>

#include "oidc/arena.h"
#include "oidc/authz_header.h"

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
	const char		*hdr = (const char *)data;
	struct oidc_error	 err = { 0 };
	struct oidc_str		 id, secret, tok;
	int			 basic, bearer;

	basic = oidc_authz_parse_basic(fa, hdr, size, &id, &secret, &err);
	if (basic == 1 && (id.len == 0 || id.p[id.len] != '\0' ||
	    secret.p[secret.len] != '\0'))
		abort();
	oidc_error_clear(&err);
	bearer = oidc_authz_parse_bearer(hdr, size, &tok, &err);
	if (bearer == 1 && (tok.len == 0 || tok.p < hdr ||
	    tok.p + tok.len != hdr + size))
		abort();
	/* One header cannot be both schemes. */
	if (basic != 0 && bearer != 0 && size <= OIDC_AUTHZ_MAX_LEN)
		abort();
	oidc_arena_reset(fa);
	return 0;
}
