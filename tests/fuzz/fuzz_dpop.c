/*
 * fuzz_dpop.c: DPoP proofs (common/oidc/dpop.c, oidc/dpop.h): the whole
 * buffer is one DPoP header value, passed without copy or NUL, parsed,
 * verified with its own jwk and checked against a fixed endpoint, with
 * and without an access token (ath).  The corpus holds valid proofs
 * (ES256, PS256, Ed25519) made as tests/fuzz/corpus/dpop/README says.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/dpop.h"

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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oidc_error	 err = { 0 };
	struct oidc_dpop_proof	 p;
	struct oidc_dpop_expect	 x = { "POST", "https://op.example/token",
				    1700000000, 60, OIDC_STR_NULL };

	if (oidc_dpop_parse(fa, (const char *)data, size, &p, &err) == 0) {
		if (strlen(p.jkt) != OIDC_DPOP_JKT_LEN || p.jti.len == 0 ||
		    p.jti.len > OIDC_DPOP_MAX_JTI || p.htu.p == NULL)
			abort();
		if (oidc_dpop_check(&p, &x, &err) == -1 &&
		    err.code != OIDC_E_INVALID_DPOP_PROOF &&
		    err.code != OIDC_E_NOMEM)
			abort();
		oidc_error_clear(&err);
		x.access_token = OIDC_STR("tok");
		if (oidc_dpop_check(&p, &x, &err) == -1 &&
		    err.code != OIDC_E_INVALID_DPOP_PROOF &&
		    err.code != OIDC_E_NOMEM)
			abort();
	} else if (err.code != OIDC_E_INVALID_DPOP_PROOF &&
	    err.code != OIDC_E_NOMEM)
		abort();
	oidc_arena_reset(fa);
	return 0;
}
