/*
 * fuzz_access_token.c: a presented access token (common/oidc/
 * access_token.c, oidc/access_token.h): the whole buffer is the token,
 * passed without copy or NUL, turned into the token hash its row is
 * looked up by: SHA-256 of an opaque value, the jti of a JWT access token
 * verified against a fixed keyset (one RS256 public key, kid fuzz-at),
 * zeroes for anything else.  The corpus (corpus/access_token/README)
 * holds JWTs signed by that key, so the success path is reached.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/access_token.h"
#include "oidc/arena.h"
#include "oidc/config.h"
#include "oidc/crypto.h"
#include "oidc/ctx.h"
#include "oidc/jwk.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char jwks[] =
    "{\"keys\":["
    "{\"kty\":\"RSA\",\"kid\":\"fuzz-at\",\"alg\":\"RS256\",\"n\""
    ":\"wNC1jPvNh-HjehyEgwymgL4LyQVx5VhJqtUvUGz9oMf9W8F4yG-N_icXL"
    "StgXL1umVSZqaQAeCB89cquIbrEXaAAls7OqLoYObapyE7bEhhtEs7EAuql3"
    "HWXIECfEHtBo02xIjeHhQVbYjtmUhDSGox-WFu9EHC3YcKcXF6dg6Ec0eUMD"
    "88cyw8J0qYZyI5nhXez4PnDEWaN7Agt4QTuupFk8QJ-nXzdhu71V0kgaBFh2"
    "OB-aLgRdLqWRDyvPNt0_SZFxlETP7vtEwVooXvsAIrBVkgTHjtZIERBqt0pP"
    "8Qo8aIzGEkN3x24ubK6toFbXY3x0mx0MTO9i_oP9kBTEQ\",\"e\":\"AQAB"
    "\"}"
    "]}";

static struct oidc_arena	*fa;
static struct oidc_config	 fcfg;
static struct oidc_ctx		 fctx;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct oidc_error	 err = { 0 };

	(void)argc;
	(void)argv;
	if ((fa = oidc_arena_new(4096, 4 << 20)) == NULL)
		abort();
	fcfg.issuer = "https://op.example";
	fctx.cfg = &fcfg;
	fctx.a = fa;
	fctx.now = 1700000100;
	fctx.keys = oidc_keyset_parse(fa, jwks, sizeof(jwks) - 1,
	    OIDC_JWS_ALG_ANY, NULL, &err);
	oidc_arena_reset(fa);
	return fctx.keys == NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oidc_error	 err = { 0 };
	struct oidc_str		 tok = { (const char *)data, size };
	unsigned char		 h[OIDC_SHA256_LEN];

	if (oidc_at_presented_hash(&fctx, tok, h, &err) == -1 &&
	    err.code != OIDC_E_NOMEM && err.code != OIDC_E_CRYPTO)
		abort();
	oidc_arena_reset(fa);
	return 0;
}
