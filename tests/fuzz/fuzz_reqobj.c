/*
 * fuzz_reqobj.c: request objects by value (common/oidc/reqobj.c): the
 * header peek, the unsigned ("alg":"none") decoder, JWS verification with
 * a client's registered jwks, the claim checks and the merge over the
 * query.  No database: the clients are built in memory.  The first byte
 * picks the client: 'U' one registered with request_object_signing_alg
 * "none", anything else one with RS256 and a fixed public key (the seed
 * corpus/reqobj/signed-rs256 was signed with its private half).  The rest
 * of the buffer is the request object, passed as is: no copy, no NUL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/client.h"
#include "oidc/config.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/form.h"
#include "oidc/reqobj.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char unsigned_meta[] =
    "{\"redirect_uris\":[\"https://rp.example/cb\"],"
    "\"request_object_signing_alg\":\"none\","
    "\"token_endpoint_auth_method\":\"client_secret_basic\"}";
static const char *const signed_jwk = "{\"e\": \"AQAB\", \"kid\": \"fz\", \"kty\": \"RSA\", \"n\": \"5BLU-aLIAie10m736tE-fHUdvpgIbAqFSRfFNstNeB8m7GZcnmYe-YKHKLvLS2DbJv-m2Uwl7jBlMKOilvjFz2o8Zxe_QQejpzE2eksLNUKXpZpzOIKjtzrlKajjmW8aI8TIdCt4hPu8vy_NdHA6U-SsqraUdATkqcZ1v0Bg08byZA8o8L6Q4BwK1ZytCtem1jJ8Gj4c_NNW4pIQFlCvdVBkRrM1pVm2oH8zHksbtPoa5IoqJEl6_SZ8kWcypxVfWim4I3PcCEzNrmpSE6ADlQ1ol2d3Ad3Bd21E6L7AA4ORbb2DMKaXoVYPhepAEgxWCArcZj9HbQa2MRvdxntDEQ\"}";

static struct oidc_arena	*fa;
static struct oidc_config	 cfg;

static int
make_client(struct oidc_ctx *ctx, const char *meta, struct oidc_client *c)
{
	struct oidc_error	 err = { 0 };
	struct oidc_client_row	 row;

	memset(&row, 0, sizeof(row));
	row.client_id = OIDC_STR("fz");
	row.metadata = (struct oidc_str){ meta, strlen(meta) };
	return oidc_client_from_row(ctx->a, &row, c, &err);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if ((fa = oidc_arena_new(4096, 4 << 20)) == NULL)
		abort();
	cfg.issuer = "https://op.example";
	cfg.issuer_len = strlen(cfg.issuer);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oidc_error	 err = { 0 };
	struct oidc_ctx		 ctx;
	struct oidc_client	 c;
	struct oidc_param	 qv[2] = {
		{ OIDC_STR("client_id"), OIDC_STR("fz") },
		{ OIDC_STR("response_type"), OIDC_STR("code") },
	};
	struct oidc_params	 query = { qv, 2 }, out;
	char			*meta;

	if (size < 1)
		return 0;
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = &cfg;
	ctx.a = fa;
	ctx.now = 1700000000;
	if (data[0] == 'U')
		meta = (char *)(uintptr_t)unsigned_meta;
	else if ((meta = oidc_arena_printf(fa, "{\"redirect_uris\":"
	    "[\"https://rp.example/cb\"],\"request_object_signing_alg\":"
	    "\"RS256\",\"token_endpoint_auth_method\":\"private_key_jwt\","
	    "\"jwks\":{\"keys\":[%s]}}", signed_jwk)) == NULL)
		abort();
	if (make_client(&ctx, meta, &c) == -1)
		abort();	/* the fixed metadata must load */
	/*
	 * A merged request always keeps the query's client_id and never
	 * gains a page's own field (issue 15 item 1).  CARRIED: no
	 * database for the jti ledger here.
	 */
	if (oidc_reqobj_merge(&ctx, &c, (struct oidc_str){
	    (const char *)data + 1, size - 1 }, &query, OIDC_REQOBJ_CARRIED,
	    &out, &err) == 0 &&
	    (oidc_params_get(&out, "client_id").p == NULL ||
	    oidc_params_get(&out, "decision").p != NULL ||
	    oidc_params_get(&out, "password").p != NULL))
		abort();
	oidc_arena_reset(fa);
	return 0;
}
