/*
 * jarm.c: the signed authorization response of JARM (see oidc/jarm.h).
 */
#include "oidc/client.h"
#include "oidc/config.h"
#include "oidc/ctx.h"
#include "oidc/fapi.h"
#include "oidc/grant.h"
#include "oidc/jarm.h"
#include "oidc/json.h"

char *
oidc_jarm_sign(struct oidc_ctx *ctx, const struct oidc_client *c,
    struct oidc_json *params, struct oidc_error *err)
{
	struct oidc_str	 alg = c->authz_alg;

	/*
	 * JARM 3: RS256 unless the client registered another; PS256 under
	 * FAPI 2.0 (5.4.1, oidc/fapi.h).
	 */
	if (alg.p == NULL)
		alg = oidc_fapi2(ctx->cfg, c) ? OIDC_STR("PS256") :
		    OIDC_STR("RS256");
	/* Set last: no response parameter may stand in for them. */
	if (oidc_json_set_cstr(params, "iss", ctx->cfg->issuer, err) == -1 ||
	    oidc_json_set_str(params, "aud", c->client_id.p,
	    c->client_id.len, err) == -1 ||
	    oidc_json_set_i64(params, "exp", (int64_t)ctx->now +
	    OIDC_JARM_TTL, err) == -1)
		return NULL;
	return oidc_grant_sign_for_client(ctx, alg, c->client_id, &c->secret,
	    params, NULL, err);
}
