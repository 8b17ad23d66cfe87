/*
 * grant.c: tokens and ID Tokens (see oidc/grant.h).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/b64url.h"
#include "oidc/client.h"
#include "oidc/config.h"
#include "oidc/crypto.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/grant.h"
#include "oidc/totp.h"
#include "oidc/json.h"
#include "oidc/jwk.h"
#include "oidc/jws.h"
#include "oidc/scope.h"

bool
oidc_grant_offline(const struct oidc_scope *scope)
{
	return oidc_scope_has(scope, "offline_access");
}

bool
oidc_grant_may_refresh(const struct oidc_config *cfg,
    const struct oidc_client *c)
{
	return cfg->refresh_token_ttl > 0 &&
	    (c->grant_types & OIDC_GT_REFRESH_TOKEN) != 0;
}

bool
oidc_grant_wants_refresh(const struct oidc_config *cfg,
    const struct oidc_client *c, const struct oidc_scope *scope)
{
	return oidc_grant_may_refresh(cfg, c) && oidc_grant_offline(scope);
}

int
oidc_grant_issue_token(struct oidc_ctx *ctx, struct oidc_token_row *row,
    const char **token, struct oidc_error *err)
{
	const char	*t;

	if ((t = oidc_random_token_hashed(ctx->a, OIDC_TOKEN_BYTES,
	    row->token_hash, err)) == NULL ||
	    oidc_db_token_insert(ctx->db, row, err) == -1)
		return -1;
	*token = t;
	return 0;
}

/* An oct key from the client secret for HS* (OIDC Core 10.1). */
static struct oidc_jwk *
secret_key(struct oidc_ctx *ctx, struct oidc_str client_id,
    const struct oidc_client_secret *sealed, enum oidc_jws_alg alg,
    struct oidc_error *err)
{
	struct oidc_json	*j;
	struct oidc_str		 secret = OIDC_STR_NULL;
	const char		*k;
	char			*doc;
	size_t			 len;

	if (sealed != NULL && oidc_client_secret_open(ctx->a, ctx->kek,
	    client_id, sealed, &secret, err) == -1)
		return NULL;
	if (secret.p == NULL) {
		oidc_fail(err, OIDC_E_INTERNAL, NULL,
		    "HS* signing needs the stored client secret");
		return NULL;
	}
	if ((k = oidc_b64url_encode(ctx->a, secret.p, secret.len)) == NULL ||
	    (j = oidc_json_new_object(ctx->a)) == NULL ||
	    oidc_json_set_cstr(j, "k", k, err) == -1 ||
	    oidc_json_set_cstr(j, "kty", "oct", err) == -1 ||
	    oidc_json_set_cstr(j, "alg", oidc_jws_alg_name(alg), err) == -1 ||
	    (doc = (char *)(uintptr_t)oidc_json_serialize(j, ctx->a, &len,
	    err)) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "secret key");
		return NULL;
	}
	return oidc_jwk_parse_json(ctx->a, doc, len, err);
}

char *
oidc_grant_sign_for_client(struct oidc_ctx *ctx, struct oidc_str alg_name,
    struct oidc_str client_id, const struct oidc_client_secret *secret,
    const struct oidc_json *payload, const char *typ, struct oidc_error *err)
{
	const struct oidc_jwk	*key = NULL;
	struct oidc_jwk		*hkey = NULL;
	enum oidc_jws_alg	 alg;
	const char		*body;
	char			*jws = NULL;
	size_t			 len;

	if (alg_name.p == NULL)
		alg_name = OIDC_STR("RS256");
	if (oidc_jws_alg_from_name(alg_name.p, alg_name.len, &alg) == -1) {
		oidc_fail(err, OIDC_E_INTERNAL, NULL, "unknown alg %.*s",
		    (int)alg_name.len, alg_name.p);
		return NULL;
	}
	if ((body = oidc_json_serialize(payload, ctx->a, &len, err)) == NULL)
		return NULL;
	if (oidc_jws_alg_kty(alg) == OIDC_JWK_OCT) {
		if ((hkey = secret_key(ctx, client_id, secret, alg,
		    err)) == NULL)
			return NULL;
		key = hkey;
	} else if (ctx->keys == NULL ||
	    oidc_keyset_find_alg(ctx->keys, alg, true, &key) != 1) {
		/*
		 * 503, not 500: a worker whose database keys are not loaded
		 * yet, or a userinfo worker placed on a host without keys
		 * (deploy/README.md section 6), is not ready to sign.
		 */
		oidc_fail(err, OIDC_E_NO_KEY, NULL, "no signing key for %s "
		    "here (signing_key files, or database keys with "
		    "key_encryption_key)",
		    oidc_jws_alg_name(alg));
		return NULL;
	}
	jws = oidc_jws_sign(ctx->a, key, alg, typ, body, len, NULL, err);
	oidc_jwk_free(hkey);
	return jws;
}

struct merge_arg {
	struct oidc_json	*dst;
	struct oidc_error	*err;
};

static int
merge_one(void *arg, const char *key, struct oidc_json *val)
{
	struct merge_arg	*m = arg;

	/* Registered claims are ours alone; never let extras replace them. */
	static const char *const reserved[] = { "iss", "sub", "aud", "exp",
	    "iat", "auth_time", "nonce", "acr", "amr", "azp", "at_hash",
	    "c_hash", "sid", "nbf", "jti" };
	size_t	 i;

	for (i = 0; i < OIDC_NELEM(reserved); i++)
		if (strcmp(reserved[i], key) == 0)
			return 0;
	return oidc_json_set_obj(m->dst, key, val, m->err);
}

static int
set_opt(struct oidc_json *j, const char *key, struct oidc_str v,
    struct oidc_error *err)
{
	if (v.p == NULL || v.len == 0)
		return 0;
	return oidc_json_set_str(j, key, v.p, v.len, err);
}

static int
set_amr(struct oidc_ctx *ctx, struct oidc_json *j, struct oidc_str amr,
    struct oidc_error *err)
{
	struct oidc_json	*arr;
	size_t			 i = 0, start;

	if (amr.p == NULL || amr.len == 0)
		return 0;
	if ((arr = oidc_json_new_array(ctx->a)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
	while (i < amr.len) {
		start = i;
		while (i < amr.len && amr.p[i] != ' ')
			i++;
		if (i > start && oidc_json_array_add_str(arr, amr.p + start,
		    i - start, err) == -1)
			return -1;
		i++;
	}
	return oidc_json_set_obj(j, "amr", arr, err);
}

static int
set_half_hash(struct oidc_ctx *ctx, struct oidc_json *j, const char *key,
    struct oidc_str alg_name, const char *value, struct oidc_error *err)
{
	enum oidc_jws_alg	 alg;
	char			*h;

	if (value == NULL)
		return 0;
	if (oidc_jws_alg_from_name(alg_name.p, alg_name.len, &alg) == -1)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL, "alg");
	if ((h = oidc_jws_half_hash(ctx->a, alg, value, strlen(value), err)) ==
	    NULL)
		return -1;
	return oidc_json_set_cstr(j, key, h, err);
}

char *
oidc_grant_id_token(struct oidc_ctx *ctx, const struct oidc_idtoken *t,
    struct oidc_error *err)
{
	const struct oidc_client	*c = t->client;
	struct oidc_json		*j;
	struct merge_arg		 m;
	struct oidc_str			 alg = c->id_token_alg;
	struct oidc_str			 acr = t->acr;

	if (alg.p == NULL)
		alg = OIDC_STR("RS256");
	/* With totp on, acr says whether the login had its second step. */
	if (acr.p == NULL && ctx->cfg->totp != OIDC_TOTP_OFF)
		acr = oidc_totp_acr_of(t->amr);
	if ((j = oidc_json_new_object(ctx->a)) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
		return NULL;
	}
	m.dst = j;
	m.err = err;
	if (t->claims != NULL && oidc_json_foreach(t->claims, merge_one, &m))
		return NULL;
	if (oidc_json_set_cstr(j, "iss", ctx->cfg->issuer, err) == -1 ||
	    oidc_json_set_str(j, "sub", t->sub.p, t->sub.len, err) == -1 ||
	    oidc_json_set_str(j, "aud", c->client_id.p, c->client_id.len,
	    err) == -1 ||
	    oidc_json_set_i64(j, "exp", (int64_t)ctx->now +
	    ctx->cfg->id_token_ttl, err) == -1 ||
	    oidc_json_set_i64(j, "iat", (int64_t)ctx->now, err) == -1 ||
	    (t->auth_time > 0 && oidc_json_set_i64(j, "auth_time",
	    t->auth_time, err) == -1) ||
	    set_opt(j, "nonce", t->nonce, err) == -1 ||
	    set_opt(j, "acr", acr, err) == -1 ||
	    set_amr(ctx, j, t->amr, err) == -1 ||
	    set_opt(j, "sid", t->sid, err) == -1 ||
	    set_half_hash(ctx, j, "at_hash", alg, t->access_token, err) == -1 ||
	    set_half_hash(ctx, j, "c_hash", alg, t->code, err) == -1)
		return NULL;
	return oidc_grant_sign_for_client(ctx, alg, c->client_id, &c->secret,
	    j, NULL, err);
}

struct oidc_json *
oidc_grant_id_token_claims(struct oidc_ctx *ctx, struct oidc_str user_claims,
    int64_t updated_at, struct oidc_str scope_str,
    struct oidc_str claims_request, bool scope_claims_too,
    struct oidc_error *err)
{
	struct oidc_json	*uc, *out, *req = NULL, *idreq = NULL;
	struct oidc_scope	 scope, none = { .n = 0 };

	if ((out = oidc_json_new_object(ctx->a)) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
		return NULL;
	}
	if (user_claims.p == NULL)
		return out;
	if (oidc_json_parse(ctx->a, user_claims.p, user_claims.len, 0, &uc,
	    err) == -1 || oidc_scope_parse(scope_str, &scope, err) == -1)
		return NULL;
	if (claims_request.p != NULL &&
	    (oidc_json_parse(ctx->a, claims_request.p, claims_request.len, 0,
	    &req, err) == -1 ||
	    oidc_json_get_obj(req, "id_token", &idreq, err) == -1))
		return NULL;
	if (oidc_scope_claims(ctx->cfg, out, uc,
	    scope_claims_too ? &scope : &none, idreq, updated_at, err) == -1)
		return NULL;
	return out;
}
