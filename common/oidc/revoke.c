/*
 * revoke.c: revocation and introspection (see oidc/revoke.h).
 */
#include <string.h>

#include "oidc/access_token.h"
#include "oidc/arena.h"
#include "oidc/audit.h"
#include "oidc/client.h"
#include "oidc/clientauth.h"
#include "oidc/config.h"
#include "oidc/crypto.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/dpop.h"
#include "oidc/json.h"
#include "oidc/mtls.h"
#include "oidc/request.h"
#include "oidc/resource.h"
#include "oidc/response.h"
#include "oidc/revoke.h"
#include "oidc/scope.h"
#include "oidc/subject.h"

/* Authenticate and fetch the "token" parameter's row hash. */
static int
prologue(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const char *path, struct oidc_client *c,
    unsigned char *h, struct oidc_error *err)
{
	struct oidc_str	 tok = oidc_params_get(&req->form, "token");
	const char	*endpoint;

	if ((endpoint = oidc_arena_printf(ctx->a, "%s%s", ctx->cfg->issuer,
	    path)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	if (oidc_client_authenticate(ctx, req, resp, endpoint, c, err) == -1)
		return -1;
	if (tok.p == NULL)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST,
		    "token is required", "no token");
	/*
	 * An opaque token, or a JWT access token of ours (its jti names its
	 * row); anything else, or too long, matches nothing.
	 */
	return oidc_at_presented_hash(ctx, tok, h, err);
}

int
oidc_revoke_handle(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct oidc_error *err)
{
	struct oidc_client	 c;
	struct oidc_audit_kv	 kv[3];
	unsigned char		 h[OIDC_SHA256_LEN];

	if (prologue(ctx, req, resp, "/revoke", &c, h, err) == -1)
		return -1;
	if (oidc_db_begin(ctx->db, err) == -1 ||
	    oidc_db_token_revoke(ctx->db, h, c.client_id, err) == -1 ||
	    oidc_db_commit(ctx->db, err) == -1)
		return -1;
	/* Whether the token was known is not told (RFC 7009 2.2). */
	kv[0] = (struct oidc_audit_kv){ "client_id", c.client_id };
	kv[1] = (struct oidc_audit_kv){ "ip",
	    oidc_audit_cstr(req->client_addr) };
	kv[2] = (struct oidc_audit_kv){ "hint",
	    oidc_params_get(&req->form, "token_type_hint") };
	oidc_audit("token.revoked", kv, 3);
	resp->status = 200;
	return oidc_resp_no_store(resp, err);
}

static int
inactive(struct oidc_ctx *ctx, struct oidc_response *resp,
    struct oidc_error *err)
{
	struct oidc_json	*j;

	if ((j = oidc_json_new_object(ctx->a)) == NULL ||
	    oidc_json_set_bool(j, "active", false, err) == -1 ||
	    oidc_resp_no_store(resp, err) == -1)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
	return oidc_resp_json(resp, 200, j, err);
}

/*
 * The declared custom claims the token releases (oidc/scope.h), as
 * UserInfo would: those of its custom scopes and those its claims request
 * named in "userinfo".  Standard claims stay at UserInfo.
 */
static int
custom_claims(struct oidc_ctx *ctx, const struct oidc_token_row *t,
    struct oidc_json *j, struct oidc_error *err)
{
	struct oidc_json	*uc, *creq, *ureq = NULL;
	struct oidc_scope	 scope;

	if (ctx->cfg->nscopes == 0 || t->user_claims.p == NULL)
		return 0;
	if (oidc_scope_parse(t->scope, &scope, err) == -1 ||
	    oidc_json_parse(ctx->a, t->user_claims.p, t->user_claims.len, 0,
	    &uc, err) == -1)
		return -1;
	if (t->claims.p != NULL &&
	    (oidc_json_parse(ctx->a, t->claims.p, t->claims.len, 0, &creq,
	    err) == -1 ||
	    oidc_json_get_obj(creq, "userinfo", &ureq, err) == -1))
		return -1;
	return oidc_scope_custom_claims(ctx->cfg, j, uc, &scope, ureq, err);
}

/*
 * aud (RFC 7662 2.2): the token's resource indicators (oidc/resource.h),
 * else its client.
 */
static int
set_aud(struct oidc_ctx *ctx, struct oidc_json *j,
    const struct oidc_token_row *t, struct oidc_error *err)
{
	struct oidc_resources	 r;
	struct oidc_json	*arr;
	size_t			 i;

	if (oidc_resources_split(t->resource, &r, err) == -1)
		return -1;
	if (r.n == 0)
		return oidc_json_set_str(j, "aud", t->client_id.p,
		    t->client_id.len, err);
	if ((arr = oidc_json_new_array(ctx->a)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
	for (i = 0; i < r.n; i++)
		if (oidc_json_array_add_str(arr, r.v[i].p, r.v[i].len,
		    err) == -1)
			return -1;
	return oidc_json_set_obj(j, "aud", arr, err);
}

int
oidc_introspect_handle(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct oidc_error *err)
{
	struct oidc_client	 c, owner;
	struct oidc_token_row	 t;
	struct oidc_json	*j;
	struct oidc_str		 sub = OIDC_STR_NULL;
	unsigned char		 h[OIDC_SHA256_LEN];
	bool			 rs = false;
	int			 rc;

	if (prologue(ctx, req, resp, "/introspect", &c, h, err) == -1)
		return -1;
	if ((rc = oidc_db_token_introspect(ctx->db, ctx->a, h, &t, err)) == -1)
		return -1;
	if (oidc_json_get_bool(c.metadata, "resource_server", &rs, err) == -1)
		return -1;
	/* SECURITY: other clients learn nothing, not even that it exists. */
	if (rc == 0 || (!rs && !oidc_str_eq(t.client_id, c.client_id)))
		return inactive(ctx, resp, err);
	/* sub as the token's own client sees it (public or pairwise). */
	if (t.sub.p != NULL) {
		if (oidc_str_eq(t.client_id, c.client_id))
			owner = c;
		else if ((rc = oidc_client_load(ctx->db, ctx->a, t.client_id,
		    &owner, err)) != 1)
			return rc == 0 ? inactive(ctx, resp, err) : -1;
		if (oidc_subject_for_client(ctx, &owner, t.sub, &sub, err) ==
		    -1)
			return -1;
	}
	if ((j = oidc_json_new_object(ctx->a)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
	if (oidc_json_set_bool(j, "active", true, err) ||
	    oidc_json_set_str(j, "scope", t.scope.p, t.scope.len, err) ||
	    oidc_json_set_str(j, "client_id", t.client_id.p, t.client_id.len,
	    err) ||
	    oidc_json_set_cstr(j, "token_type", strcmp(t.kind, "refresh") == 0 ?
	    "refresh_token" : "Bearer", err) ||
	    oidc_json_set_i64(j, "exp", t.expires_at, err) ||
	    oidc_json_set_i64(j, "iat", t.created_at, err) ||
	    oidc_json_set_cstr(j, "iss", ctx->cfg->issuer, err) ||
	    set_aud(ctx, j, &t, err) == -1 ||
	    (t.sub.p != NULL && oidc_json_set_str(j, "sub", sub.p, sub.len,
	    err)) ||
	    /* SECURITY: a pairwise client is not told the account name. */
	    (t.sub.p != NULL && sub.p == t.sub.p && oidc_json_set_str(j,
	    "username", t.username.p, t.username.len, err)) ||
	    custom_claims(ctx, &t, j, err) == -1 ||
	    /* RFC 9449 6.2: the key a DPoP-bound token is bound to. */
	    oidc_dpop_introspect(ctx->a, j, t.dpop_jkt,
	    strcmp(t.kind, "access") == 0, err) ||
	    /* RFC 8705 3.2: the certificate a bound token is bound to. */
	    oidc_mtls_introspect(ctx->a, j, t.x5t, err) ||
	    oidc_resp_no_store(resp, err) == -1)
		return -1;
	return oidc_resp_json(resp, 200, j, err);
}
