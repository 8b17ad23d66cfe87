/*
 * userinfo.c: the UserInfo endpoint (see oidc/userinfo.h).
 */
#include <string.h>

#include "oidc/access_token.h"
#include "oidc/arena.h"
#include "oidc/authz_header.h"
#include "oidc/client.h"
#include "oidc/config.h"
#include "oidc/cors.h"
#include "oidc/crypto.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/dpop.h"
#include "oidc/grant.h"
#include "oidc/json.h"
#include "oidc/mtls.h"
#include "oidc/request.h"
#include "oidc/resource.h"
#include "oidc/response.h"
#include "oidc/scope.h"
#include "oidc/subject.h"
#include "oidc/userinfo.h"

/*
 * RFC 6750 3: a request without any token gets a bare challenge; with
 * DPoP on, a DPoP one too (RFC 9449 7.1), so a client learns both schemes
 * and the proof algorithms.
 */
static int
no_token(struct oidc_ctx *ctx, struct oidc_response *resp,
    struct oidc_error *err)
{
	char	*chal, *dchal = NULL;

	if ((chal = oidc_arena_printf(ctx->a, "Bearer realm=\"%s\"",
	    ctx->cfg->issuer)) == NULL || (ctx->cfg->dpop &&
	    (dchal = oidc_arena_printf(ctx->a, "DPoP algs=\"%s\"",
	    oidc_dpop_algs())) == NULL))
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	resp->status = 401;
	if (oidc_resp_header(resp, "WWW-Authenticate", chal, err) == -1 ||
	    (dchal != NULL && oidc_resp_header(resp, "WWW-Authenticate",
	    dchal, err) == -1) ||
	    oidc_resp_no_store(resp, err) == -1)
		return -1;
	return 0;
}

/*
 * RFC 8707, RFC 9068 4: a token for resource indicators is for UserInfo
 * only when one of them is this endpoint's URL (register it with
 * `oidcctl resource create ISSUER/userinfo`); a token without any is.
 */
static bool
for_userinfo(struct oidc_ctx *ctx, struct oidc_str resource)
{
	struct oidc_error	 ignored = { 0 };
	struct oidc_resources	 r;
	const char		*ui;
	size_t			 i;

	if (resource.p == NULL)
		return true;
	if (oidc_resources_split(resource, &r, &ignored) == -1 ||
	    (ui = oidc_arena_printf(ctx->a, "%s/userinfo",
	    ctx->cfg->issuer)) == NULL)
		return false;
	for (i = 0; i < r.n; i++)
		if (oidc_str_eq_cstr(r.v[i], ui))
			return true;
	return false;
}

/*
 * The access token's row, from the Authorization header or (POST) the
 * form, never both (RFC 6750 2): 1 with *t and *scope set, an active
 * token that grants openid; 0 when there is none (resp is the 401); -1
 * with err set.
 */
static int
active_token(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct oidc_token_row *t,
    struct oidc_scope *scope, struct oidc_error *err)
{
	struct oidc_str		 header_tok = OIDC_STR_NULL, form_tok, tok;
	unsigned char		 h[OIDC_SHA256_LEN];
	bool			 dpop;
	int			 rc;

	/* Bearer (RFC 6750 2.1) or DPoP (RFC 9449 7.1, oidc/dpop.h). */
	if (oidc_dpop_resource_token(req, &header_tok, &dpop, err) == -1)
		return -1;
	form_tok = req->method == OIDC_METHOD_POST ?
	    oidc_params_get(&req->form, "access_token") : OIDC_STR_NULL;
	if (header_tok.p != NULL && form_tok.p != NULL)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST,
		    "send the access token in one place only", "two tokens");
	tok = header_tok.p != NULL ? header_tok : form_tok;
	if (tok.p == NULL)
		return no_token(ctx, resp, err) == -1 ? -1 : 0;
	if (tok.len > OIDC_AT_MAX_LEN)
		return oidc_fail(err, OIDC_E_INVALID_TOKEN,
		    "the access token is invalid", "token too long");
	/* Opaque, or a JWT of ours (its jti): the row decides. */
	if (oidc_at_presented_hash(ctx, tok, h, err) == -1)
		return -1;
	if ((rc = oidc_db_access_token_get(ctx->db, ctx->a, h, t, err)) == -1)
		return -1;
	if (rc == 0)
		return oidc_fail(err, OIDC_E_INVALID_TOKEN,
		    "the access token is invalid, expired or revoked",
		    "token not active");
	if (!for_userinfo(ctx, t->resource))
		return oidc_fail(err, OIDC_E_INVALID_TOKEN,
		    "the access token is for another resource", "audience");
	if (oidc_dpop_resource_check(ctx, req, resp, "/userinfo", dpop, tok,
	    t->dpop_jkt, err) == -1 ||
	    /* RFC 8705 3: a certificate-bound token needs its certificate. */
	    oidc_mtls_resource_check(ctx->a, req, t->x5t, err) == -1 ||
	    oidc_scope_parse(t->scope, scope, err) == -1)
		return -1;
	if (t->user_id == 0 || !oidc_scope_has(scope, "openid"))
		return oidc_fail(err, OIDC_E_INSUFFICIENT_SCOPE,
		    "the access token does not grant openid", "no openid");
	return 1;
}

/*
 * The token's client, read from its metadata by the same parser as every
 * endpoint's (client.c), not by the statement.
 */
static int
token_client(struct oidc_ctx *ctx, const struct oidc_token_row *t,
    struct oidc_client *c, struct oidc_error *err)
{
	struct oidc_client_row	 crow;

	memset(&crow, 0, sizeof(crow));
	crow.client_id = t->client_id;
	crow.metadata = t->client_metadata;
	crow.secret_sealed = t->client_secret_sealed;
	crow.secret_sealed_len = t->client_secret_sealed_len;
	crow.secret_plain = t->client_secret_plain;
	return oidc_client_from_row(ctx->a, &crow, c, err);
}

/*
 * The claims the token grants: sub as the client sees the user (public
 * or pairwise, subject.h), then what the scope and the claims request's
 * "userinfo" member ask for.
 */
static struct oidc_json *
user_claims(struct oidc_ctx *ctx, const struct oidc_token_row *t,
    const struct oidc_client *c, const struct oidc_scope *scope,
    struct oidc_error *err)
{
	struct oidc_json	*out, *uc, *creq = NULL, *ureq = NULL;
	struct oidc_str		 sub;

	if ((out = oidc_json_new_object(ctx->a)) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
		return NULL;
	}
	if (oidc_subject_for_client(ctx, c, t->sub, &sub, err) == -1)
		return NULL;
	if (oidc_json_set_str(out, "sub", sub.p, sub.len, err) == -1 ||
	    oidc_json_parse(ctx->a, t->user_claims.p, t->user_claims.len, 0,
	    &uc, err) == -1)
		return NULL;
	if (t->claims.p != NULL &&
	    (oidc_json_parse(ctx->a, t->claims.p, t->claims.len, 0, &creq,
	    err) == -1 ||
	    oidc_json_get_obj(creq, "userinfo", &ureq, err) == -1))
		return NULL;
	if (oidc_scope_claims(ctx->cfg, out, uc, scope, ureq,
	    t->user_updated_at, err) == -1)
		return NULL;
	return out;
}

/* Signed UserInfo (OIDC Core 5.3.2): out with iss and aud, as a JWT. */
static int
signed_response(struct oidc_ctx *ctx, const struct oidc_client *c,
    struct oidc_json *out, struct oidc_response *resp,
    struct oidc_error *err)
{
	const char		*jwt;

	if (oidc_json_set_cstr(out, "iss", ctx->cfg->issuer, err) == -1 ||
	    oidc_json_set_str(out, "aud", c->client_id.p, c->client_id.len,
	    err) == -1)
		return -1;
	if ((jwt = oidc_grant_sign_for_client(ctx, c->userinfo_alg,
	    c->client_id, &c->secret, out, NULL, err)) == NULL)
		return -1;
	resp->status = 200;
	if (oidc_resp_header(resp, "Content-Type", "application/jwt",
	    err) == -1)
		return -1;
	return oidc_buf_puts(&resp->body, jwt, err);
}

int
oidc_userinfo_handle(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct oidc_error *err)
{
	struct oidc_token_row	 t;
	struct oidc_client	 c;
	struct oidc_scope	 scope;
	struct oidc_json	*out;
	int			 rc;

	if (req->method == OIDC_METHOD_OPTIONS)
		return oidc_cors_preflight(ctx, req, resp, "GET, POST", err);
	if ((rc = active_token(ctx, req, resp, &t, &scope, err)) != 1)
		return rc;
	if (token_client(ctx, &t, &c, err) == -1 ||
	    (out = user_claims(ctx, &t, &c, &scope, err)) == NULL)
		return -1;
	if (oidc_cors_allow(ctx, resp, req->origin, c.redirect_uris,
	    c.n_redirect_uris, err) == -1 ||
	    oidc_resp_no_store(resp, err) == -1)
		return -1;
	if (c.userinfo_alg.p == NULL)
		return oidc_resp_json(resp, 200, out, err);
	return signed_response(ctx, &c, out, resp, err);
}
