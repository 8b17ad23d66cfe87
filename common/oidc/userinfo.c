/*
 * userinfo.c: the UserInfo endpoint (see oidc/userinfo.h).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/authz_header.h"
#include "oidc/config.h"
#include "oidc/crypto.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/grant.h"
#include "oidc/json.h"
#include "oidc/request.h"
#include "oidc/response.h"
#include "oidc/scope.h"
#include "oidc/userinfo.h"

#define MAX_TOKEN_LEN	512

/* The origin part of an absolute URI: up to the first '/' after "//". */
static struct oidc_str
origin_of(struct oidc_str uri)
{
	const char	*p, *end = uri.p + uri.len;

	if (uri.p == NULL || (p = memchr(uri.p, ':', uri.len)) == NULL ||
	    end - p < 3 || p[1] != '/' || p[2] != '/')
		return OIDC_STR_NULL;
	for (p += 3; p < end && *p != '/' && *p != '?' && *p != '#'; p++)
		;
	return (struct oidc_str){ uri.p, (size_t)(p - uri.p) };
}

int
oidc_cors_allow(struct oidc_ctx *ctx, struct oidc_response *resp,
    struct oidc_str origin, struct oidc_str uris_json, struct oidc_error *err)
{
	struct oidc_json	*doc, *arr;
	struct oidc_str		 u;
	char			*wrapped, *o;
	size_t			 i;

	if (origin.p == NULL || uris_json.p == NULL)
		return 0;
	/* The stored array is wrapped so the strict parser accepts it. */
	if ((wrapped = oidc_arena_printf(ctx->a, "{\"u\":%.*s}",
	    (int)uris_json.len, uris_json.p)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	if (oidc_json_parse(ctx->a, wrapped, strlen(wrapped), 0, &doc,
	    err) == -1 || oidc_json_get_array(doc, "u", &arr, err) != 1)
		return -1;
	for (i = 0; i < oidc_json_array_len(arr); i++) {
		if (oidc_json_as_str(oidc_json_array_get(arr, i), &u) == -1 ||
		    !oidc_str_eq(origin_of(u), origin))
			continue;
		if ((o = oidc_arena_strndup(ctx->a, origin.p, origin.len)) ==
		    NULL)
			return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
		if (oidc_resp_header(resp, "Access-Control-Allow-Origin", o,
		    err) == -1 ||
		    oidc_resp_header(resp, "Vary", "Origin", err) == -1)
			return -1;
		return 0;
	}
	return 0;
}

/* RFC 6750 3: a request without any token gets a bare challenge. */
static int
no_token(struct oidc_ctx *ctx, struct oidc_response *resp,
    struct oidc_error *err)
{
	char	*chal;

	if ((chal = oidc_arena_printf(ctx->a, "Bearer realm=\"%s\"",
	    ctx->cfg->issuer)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	resp->status = 401;
	if (oidc_resp_header(resp, "WWW-Authenticate", chal, err) == -1 ||
	    oidc_resp_no_store(resp, err) == -1)
		return -1;
	return 0;
}

int
oidc_userinfo_handle(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct oidc_error *err)
{
	struct oidc_str		 header_tok = OIDC_STR_NULL, form_tok, tok;
	struct oidc_token_row	 t;
	struct oidc_scope	 scope;
	struct oidc_json	*out, *uc, *creq = NULL, *ureq = NULL;
	unsigned char		 h[OIDC_SHA256_LEN];
	const char		*jwt;
	int			 rc;

	if (req->authorization.p != NULL &&
	    (rc = oidc_authz_parse_bearer(req->authorization.p,
	    req->authorization.len, &header_tok, err)) == -1)
		return -1;
	form_tok = req->method == OIDC_METHOD_POST ?
	    oidc_params_get(&req->form, "access_token") : OIDC_STR_NULL;
	if (header_tok.p != NULL && form_tok.p != NULL)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST,
		    "send the access token in one place only", "two tokens");
	tok = header_tok.p != NULL ? header_tok : form_tok;
	if (tok.p == NULL)
		return no_token(ctx, resp, err);
	if (tok.len > MAX_TOKEN_LEN)
		return oidc_fail(err, OIDC_E_INVALID_TOKEN,
		    "the access token is invalid", "token too long");
	if (oidc_sha256(tok.p, tok.len, h, err) == -1)
		return -1;
	if ((rc = oidc_db_access_token_get(ctx->db, ctx->a, h, &t, err)) == -1)
		return -1;
	if (rc == 0)
		return oidc_fail(err, OIDC_E_INVALID_TOKEN,
		    "the access token is invalid, expired or revoked",
		    "token not active");
	if (oidc_scope_parse(t.scope, &scope, err) == -1)
		return -1;
	if (t.user_id == 0 || !oidc_scope_has(&scope, "openid"))
		return oidc_fail(err, OIDC_E_INSUFFICIENT_SCOPE,
		    "the access token does not grant openid", "no openid");

	if ((out = oidc_json_new_object(ctx->a)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
	if (oidc_json_set_str(out, "sub", t.sub.p, t.sub.len, err) == -1 ||
	    oidc_json_parse(ctx->a, t.user_claims.p, t.user_claims.len, 0, &uc,
	    err) == -1)
		return -1;
	if (t.claims.p != NULL &&
	    (oidc_json_parse(ctx->a, t.claims.p, t.claims.len, 0, &creq,
	    err) == -1 ||
	    oidc_json_get_obj(creq, "userinfo", &ureq, err) == -1))
		return -1;
	if (oidc_scope_claims(out, uc, &scope, ureq, t.user_updated_at,
	    err) == -1)
		return -1;
	if (oidc_cors_allow(ctx, resp, req->origin, t.client_redirect_uris,
	    err) == -1 || oidc_resp_no_store(resp, err) == -1)
		return -1;
	if (t.userinfo_alg.p == NULL)
		return oidc_resp_json(resp, 200, out, err);

	/* Signed UserInfo (OIDC Core 5.3.2): add iss and aud. */
	if (oidc_json_set_cstr(out, "iss", ctx->cfg->issuer, err) == -1 ||
	    oidc_json_set_str(out, "aud", t.client_id.p, t.client_id.len,
	    err) == -1)
		return -1;
	if ((jwt = oidc_grant_sign_for_client(ctx, t.userinfo_alg,
	    t.client_secret_plain, out, NULL, err)) == NULL)
		return -1;
	resp->status = 200;
	if (oidc_resp_header(resp, "Content-Type", "application/jwt",
	    err) == -1)
		return -1;
	return oidc_buf_puts(&resp->body, jwt, err);
}
