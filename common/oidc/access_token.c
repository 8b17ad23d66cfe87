/*
 * access_token.c: opaque and JWT access tokens (see oidc/access_token.h).
 */
#include <string.h>

#include "oidc/access_token.h"
#include "oidc/arena.h"
#include "oidc/b64url.h"
#include "oidc/client.h"
#include "oidc/config.h"
#include "oidc/crypto.h"
#include "oidc/ctx.h"
#include "oidc/grant.h"
#include "oidc/json.h"
#include "oidc/jws.h"
#include "oidc/resource.h"
#include "oidc/subject.h"

bool
oidc_at_is_jwt(const struct oidc_config *cfg, const struct oidc_client *c)
{
	struct oidc_error	 ignored = { 0 };
	struct oidc_str		 s;

	if (c != NULL && c->metadata != NULL &&
	    oidc_json_get_str(c->metadata, "access_token_format", &s,
	    &ignored) == 1)
		return oidc_str_eq_cstr(s, "jwt");
	return cfg->access_token_format == OIDC_AT_JWT;
}

bool
oidc_at_is_jwt_for(const struct oidc_config *cfg,
    const struct oidc_client *c, const struct oidc_resources *res)
{
	if (res != NULL && res->n > 0 && res->format != -1)
		return res->format == OIDC_AT_JWT;
	return oidc_at_is_jwt(cfg, c);
}

/* RFC 9068 2.2 aud: the resources (one: a string), else our UserInfo. */
static int
set_aud(struct oidc_ctx *ctx, struct oidc_json *j,
    const struct oidc_resources *res, struct oidc_error *err)
{
	struct oidc_json	*arr;
	const char		*ui;
	size_t			 i;

	if (res == NULL || res->n == 0) {
		if ((ui = oidc_arena_printf(ctx->a, "%s/userinfo",
		    ctx->cfg->issuer)) == NULL)
			return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
		return oidc_json_set_cstr(j, "aud", ui, err);
	}
	if (res->n == 1)
		return oidc_json_set_str(j, "aud", res->v[0].p, res->v[0].len,
		    err);
	if ((arr = oidc_json_new_array(ctx->a)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
	for (i = 0; i < res->n; i++)
		if (oidc_json_array_add_str(arr, res->v[i].p, res->v[i].len,
		    err) == -1)
			return -1;
	return oidc_json_set_obj(j, "aud", arr, err);
}

/*
 * RFC 9449 6.1: "cnf": {"jkt": thumbprint}; RFC 8705 3.1: "cnf":
 * {"x5t#S256": certificate thumbprint}.
 */
static int
set_cnf(struct oidc_ctx *ctx, struct oidc_json *j, struct oidc_str jkt,
    struct oidc_str x5t, struct oidc_error *err)
{
	struct oidc_json	*cnf;

	if (jkt.p == NULL && x5t.p == NULL)
		return 0;
	if ((cnf = oidc_json_new_object(ctx->a)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
	if ((jkt.p != NULL && oidc_json_set_str(cnf, "jkt", jkt.p, jkt.len,
	    err) == -1) || (x5t.p != NULL && oidc_json_set_str(cnf,
	    "x5t#S256", x5t.p, x5t.len, err) == -1))
		return -1;
	return oidc_json_set_obj(j, "cnf", cnf, err);
}

int
oidc_at_finish(struct oidc_ctx *ctx, const struct oidc_at_claims *in,
    const char **token, struct oidc_error *err)
{
	const struct oidc_client	*c = in->client;
	struct oidc_json		*j;
	struct oidc_str			 sub = c->client_id;
	char				 jti[OIDC_AT_JTI_LEN + 1];
	const char			*jwt;
	int64_t				 ttl = in->ttl > 0 ? in->ttl :
					    ctx->cfg->access_token_ttl;

	if (!oidc_at_is_jwt_for(ctx->cfg, c, in->res))
		return 0;
	oidc_b64url_encode_to(jti, in->hash, OIDC_SHA256_LEN);
	/* RFC 9068 2.2: no resource owner, the client is the subject. */
	if (in->sub.p != NULL && oidc_subject_for_client(ctx, c, in->sub,
	    &sub, err) == -1)
		return -1;
	if ((j = oidc_json_new_object(ctx->a)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
	if (oidc_json_set_cstr(j, "iss", ctx->cfg->issuer, err) == -1 ||
	    oidc_json_set_str(j, "sub", sub.p, sub.len, err) == -1 ||
	    set_aud(ctx, j, in->res, err) == -1 ||
	    oidc_json_set_str(j, "client_id", c->client_id.p,
	    c->client_id.len, err) == -1 ||
	    (in->scope.len > 0 && oidc_json_set_str(j, "scope", in->scope.p,
	    in->scope.len, err) == -1) ||
	    oidc_json_set_cstr(j, "jti", jti, err) == -1 ||
	    oidc_json_set_i64(j, "exp", (int64_t)ctx->now + ttl, err) == -1 ||
	    oidc_json_set_i64(j, "iat", (int64_t)ctx->now, err) == -1 ||
	    (in->auth_time > 0 && oidc_json_set_i64(j, "auth_time",
	    in->auth_time, err) == -1) ||
	    set_cnf(ctx, j, in->jkt, in->x5t, err) == -1)
		return -1;
	if ((jwt = oidc_grant_sign_for_client(ctx, OIDC_STR("RS256"),
	    c->client_id, NULL, j, "at+jwt", err)) == NULL)
		return -1;
	*token = jwt;
	return 0;
}

/* RFC 9068 4: typ "at+jwt", or its media type in full. */
static bool
typ_ok(struct oidc_str typ)
{
	return oidc_str_eq_nocase(typ, "at+jwt") ||
	    oidc_str_eq_nocase(typ, "application/at+jwt");
}

/* A presented JWT's row hash into h: 1 ours and valid, 0 not. */
static int
jwt_hash(struct oidc_ctx *ctx, struct oidc_str tok, unsigned char *h)
{
	struct oidc_error	 ignored = { 0 };
	struct oidc_jwt_rules	 rules;
	struct oidc_jws		 jws;
	struct oidc_json	*claims;
	struct oidc_str		 jti;
	unsigned char		*raw;
	size_t			 rawlen;

	if (ctx->keys == NULL)
		return 0;
	memset(&rules, 0, sizeof(rules));
	rules.now = (int64_t)ctx->now;
	rules.iss = ctx->cfg->issuer;
	rules.require_exp = true;
	if (oidc_jwt_verify(ctx->a, ctx->keys, OIDC_JWS_BIT(OIDC_JWS_RS256),
	    tok.p, tok.len, &rules, &jws, &claims, &ignored) == -1 ||
	    !typ_ok(jws.typ) ||
	    oidc_json_get_str(claims, "jti", &jti, &ignored) != 1 ||
	    jti.len != OIDC_AT_JTI_LEN ||
	    oidc_b64url_decode(ctx->a, jti.p, jti.len, &raw, &rawlen,
	    &ignored) == -1 || rawlen != OIDC_SHA256_LEN)
		return 0;
	memcpy(h, raw, OIDC_SHA256_LEN);
	return 1;
}

int
oidc_at_presented_hash(struct oidc_ctx *ctx, struct oidc_str tok,
    unsigned char *h, struct oidc_error *err)
{
	memset(h, 0, OIDC_SHA256_LEN);		/* matches nothing */
	if (tok.p == NULL || tok.len > OIDC_AT_MAX_LEN)
		return 0;
	/* Our opaque values are base64url: a '.' makes it a JWS. */
	if (memchr(tok.p, '.', tok.len) != NULL) {
		(void)jwt_hash(ctx, tok, h);
		return 0;
	}
	return oidc_sha256(tok.p, tok.len, h, err);
}
