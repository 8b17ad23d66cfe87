/*
 * token.c: the token endpoint (see oidc/token.h).
 */
#include <string.h>

#include "oidc/access_token.h"
#include "oidc/arena.h"
#include "oidc/audit.h"
#include "oidc/b64url.h"
#include "oidc/client.h"
#include "oidc/clientauth.h"
#include "oidc/code.h"
#include "oidc/config.h"
#include "oidc/cors.h"
#include "oidc/crypto.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/device.h"
#include "oidc/dpop.h"
#include "oidc/fapi.h"
#include "oidc/grant.h"
#include "oidc/json.h"
#include "oidc/keystore.h"
#include "oidc/metrics.h"
#include "oidc/mtls.h"
#include "oidc/request.h"
#include "oidc/resource.h"
#include "oidc/response.h"
#include "oidc/scope.h"
#include "oidc/subject.h"
#include "oidc/token.h"

bool
oidc_pkce_verifier_ok(struct oidc_str v)
{
	size_t	 i;
	char	 c;

	if (v.p == NULL || v.len < 43 || v.len > 128)
		return false;
	for (i = 0; i < v.len; i++) {
		c = v.p[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~'))
			return false;
	}
	return true;
}

bool
oidc_pkce_matches(struct oidc_str verifier, struct oidc_str challenge)
{
	struct oidc_error	 ignored = { 0 };
	unsigned char		 h[OIDC_SHA256_LEN];
	char			 enc[64];
	size_t			 n;

	if (!oidc_pkce_verifier_ok(verifier) || challenge.p == NULL ||
	    oidc_sha256(verifier.p, verifier.len, h, &ignored) == -1)
		return false;
	n = oidc_b64url_encode_to(enc, h, sizeof(h));
	/* SECURITY: constant time after the (public) length check. */
	return oidc_str_eq_secret((struct oidc_str){ enc, n }, challenge);
}

/* Seconds used_code keeps a sealed code beyond its expiry (clock skew). */
#define USED_CODE_MARGIN	300

static int
invalid_grant(struct oidc_error *err, const char *desc)
{
	return oidc_fail(err, OIDC_E_INVALID_GRANT, desc, "%s", desc);
}

/* A security event of this endpoint (oidc/audit.h): who, from where. */
static void
audit(const struct oidc_request *req, const char *event,
    struct oidc_str client_id, struct oidc_str grant)
{
	struct oidc_audit_kv	 kv[3];

	kv[0] = (struct oidc_audit_kv){ "grant", grant };
	kv[1] = (struct oidc_audit_kv){ "client_id", client_id };
	kv[2] = (struct oidc_audit_kv){ "ip",
	    oidc_audit_cstr(req->client_addr) };
	oidc_audit(event, kv, 3);
}

/* The JSON success body (RFC 6749 5.1). */
struct issued {
	const char	*access_token;
	const char	*refresh_token;
	const char	*id_token;
	const char	*scope;
	int64_t		 expires_in;
	/*
	 * DPoP (oidc/dpop.h): the proof key's thumbprint the access token
	 * is bound to, and the refresh token's (public clients only, RFC
	 * 9449 5); NULL: Bearer.
	 */
	struct oidc_str	 access_jkt;
	struct oidc_str	 refresh_jkt;
	/*
	 * Certificate binding (oidc/mtls.h): the presented certificate's
	 * x5t#S256 (NULL: none), and the access and refresh tokens' (NULL:
	 * not certificate-bound).
	 */
	struct oidc_str	 cert;
	struct oidc_str	 access_x5t;
	struct oidc_str	 refresh_x5t;
	/*
	 * Resource indicators (oidc/resource.h): the request's (loaded), and
	 * the access token's (the request's, else its grant's).
	 */
	struct oidc_resources req;
	struct oidc_resources ares;
	/* The ID Token's nonce (a code's), or NULL. */
	struct oidc_str	 nonce;
	/* A refresh under FAPI 2.0: the refresh token stays (not rotated). */
	bool		 keep_refresh;
};

static int
respond(struct oidc_ctx *ctx, struct oidc_response *resp,
    const struct issued *is, struct oidc_error *err)
{
	struct oidc_json	*j;

	if ((j = oidc_json_new_object(ctx->a)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
	if (oidc_json_set_cstr(j, "access_token", is->access_token, err) ||
	    oidc_json_set_cstr(j, "token_type", is->access_jkt.p != NULL ?
	    "DPoP" : "Bearer", err) ||
	    oidc_json_set_i64(j, "expires_in", is->expires_in, err) ||
	    oidc_json_set_cstr(j, "scope", is->scope, err) ||
	    (is->refresh_token != NULL && oidc_json_set_cstr(j,
	    "refresh_token", is->refresh_token, err)) ||
	    (is->id_token != NULL && oidc_json_set_cstr(j, "id_token",
	    is->id_token, err)) ||
	    oidc_resp_no_store(resp, err) == -1)
		return -1;
	return oidc_resp_json(resp, 200, j, err);
}

/* The ID Token of a user grant, when its scope has openid. */
static int
id_token_if_openid(struct oidc_ctx *ctx, const struct oidc_client *c,
    const struct oidc_token_row *base, const struct oidc_scope *scope,
    struct oidc_str sub, struct oidc_str nonce, struct oidc_str user_claims,
    int64_t updated_at, struct issued *is, struct oidc_error *err)
{
	struct oidc_idtoken	 idt;

	if (!oidc_scope_has(scope, "openid"))
		return 0;
	memset(&idt, 0, sizeof(idt));
	idt.client = c;
	if (oidc_subject_for_client(ctx, c, sub, &idt.sub, err) == -1)
		return -1;
	idt.nonce = nonce;
	idt.acr = base->acr;
	idt.amr = base->amr;
	idt.sid = base->sid;
	idt.auth_time = base->auth_time;
	idt.access_token = is->access_token;
	if ((idt.claims = oidc_grant_id_token_claims(ctx, user_claims,
	    updated_at, base->scope, base->claims, false, err)) == NULL)
		return -1;
	if ((is->id_token = oidc_grant_id_token(ctx, &idt, err)) == NULL)
		return -1;
	return 0;
}

/*
 * The access token to hand out for the row of `hash` (oidc/access_token.h):
 * is->access_token stays the opaque value, or becomes the JWT.
 */
static int
finish_access(struct oidc_ctx *ctx, const struct oidc_client *c,
    const unsigned char *hash, struct oidc_str sub, struct oidc_str scope,
    int64_t auth_time, struct issued *is, struct oidc_error *err)
{
	struct oidc_at_claims	 in;

	memset(&in, 0, sizeof(in));
	in.client = c;
	in.sub = sub;
	in.scope = scope;
	in.auth_time = auth_time;
	in.jkt = is->access_jkt;
	in.x5t = is->access_x5t;
	in.hash = hash;
	in.res = &is->ares;
	in.ttl = is->expires_in;
	return oidc_at_finish(ctx, &in, &is->access_token, err);
}

/*
 * The access token's resources (is->ares) and lifetime (is->expires_in)
 * for a grant holding `granted` (space-separated, NULL: none) and
 * `scope` (RFC 8707, oidc/resource.h): the request's resources, which must
 * be within the grant's when it holds some, else the grant's.  *ascope:
 * the scope narrowed to what they allow.
 */
static int
access_for(struct oidc_ctx *ctx, struct oidc_str granted,
    struct oidc_str scope, struct oidc_str *ascope, struct issued *is,
    struct oidc_error *err)
{
	struct oidc_resources	 g;

	if (oidc_resources_split(granted, &g, err) == -1)
		return -1;
	if (is->req.n > 0) {
		if (g.n > 0 && !oidc_resources_subset(&is->req, &g))
			return oidc_fail(err, OIDC_E_INVALID_TARGET,
			    "resource was not granted", "resource widened");
		is->ares = is->req;
	} else {
		is->ares = g;
		if (g.n > 0 && oidc_resources_load(ctx, &is->ares, err) == -1)
			return -1;
	}
	if (oidc_resources_scope(ctx->a, &is->ares, scope, ascope, err) == -1)
		return -1;
	is->expires_in = oidc_resources_ttl(&is->ares,
	    ctx->cfg->access_token_ttl);
	return 0;
}

/*
 * A user grant's new token values, made once per request before its
 * transaction: a transaction run again after a lost connection
 * (oidc_db_redo) inserts the same values, and recognises them when its
 * first run had committed (issue 19 item 2).
 */
struct fresh {
	const char	*access;
	unsigned char	 access_hash[OIDC_HASH_LEN];
	const char	*refresh;
	unsigned char	 refresh_hash[OIDC_HASH_LEN];
};

static int
fresh_tokens(struct oidc_ctx *ctx, struct fresh *f, struct oidc_error *err)
{
	if ((f->access = oidc_random_token_hashed(ctx->a, OIDC_TOKEN_BYTES,
	    f->access_hash, err)) == NULL ||
	    (f->refresh = oidc_random_token_hashed(ctx->a, OIDC_TOKEN_BYTES,
	    f->refresh_hash, err)) == NULL)
		return -1;
	return 0;
}

/*
 * Issue access (+ refresh) (+ ID Token) for a user grant, the values of
 * `f`; `insert` false when they were committed already (recognised after
 * a lost acknowledgement): the answer only.  `base` carries client, user,
 * scope, code/family and auth data; the nonce only goes into the ID
 * Token.
 */
static int
issue_user_tokens(struct oidc_ctx *ctx, const struct oidc_client *c,
    struct oidc_token_row *base, const struct fresh *f, bool insert,
    struct oidc_str sub, struct oidc_str user_claims, int64_t updated_at,
    struct issued *is, struct oidc_error *err)
{
	struct oidc_token_row	 row;
	struct oidc_scope	 scope;

	if (oidc_scope_parse(base->scope, &scope, err) == -1)
		return -1;
	/*
	 * Every token of one grant shares a family id, so revoking the
	 * refresh token also revokes its access tokens (RFC 7009 2.1).
	 */
	if (!base->has_family) {
		if (oidc_random_bytes(base->family_id, OIDC_FAMILY_LEN, err) ==
		    -1)
			return -1;
		base->has_family = true;
	}
	row = *base;
	row.kind = "access";
	if (access_for(ctx, base->resource, base->scope, &row.scope, is,
	    err) == -1)
		return -1;
	row.resource = oidc_resources_join(ctx->a, &is->ares);
	row.ttl = is->expires_in;
	memcpy(row.token_hash, f->access_hash, OIDC_HASH_LEN);
	row.dpop_jkt = is->access_jkt;
	row.x5t = is->access_x5t;
	if (insert && oidc_db_token_insert(ctx->db, &row, err) == -1)
		return -1;
	is->access_token = f->access;
	if (finish_access(ctx, c, f->access_hash, sub, row.scope,
	    base->auth_time, is, err) == -1)
		return -1;
	is->scope = oidc_arena_strndup(ctx->a, row.scope.p, row.scope.len);
	if (!is->keep_refresh && oidc_grant_wants_refresh(ctx->cfg, c,
	    &scope)) {
		row = *base;
		row.kind = "refresh";
		row.ttl = ctx->cfg->refresh_token_ttl;
		memcpy(row.token_hash, f->refresh_hash, OIDC_HASH_LEN);
		row.dpop_jkt = is->refresh_jkt;
		row.x5t = is->refresh_x5t;
		if (insert && oidc_db_token_insert(ctx->db, &row, err) == -1)
			return -1;
		is->refresh_token = f->refresh;
	}
	return id_token_if_openid(ctx, c, base, &scope, sub, is->nonce,
	    user_claims, updated_at, is, err);
}

/*
 * Fresh access (and, when `refresh_ok`, refresh) token values and a family
 * id for a code redemption into `in` (hashes) and `is` / *refresh
 * (values).  0, or -1 with err set.
 */
static int
new_code_tokens(struct oidc_ctx *ctx, bool refresh_ok,
    struct oidc_code_redeem *in, const char **refresh, struct issued *is,
    struct oidc_error *err)
{
	*refresh = NULL;
	if ((is->access_token = oidc_random_token_hashed(ctx->a,
	    OIDC_TOKEN_BYTES, in->access_hash, err)) == NULL ||
	    oidc_random_bytes(in->family_id, OIDC_FAMILY_LEN, err) == -1)
		return -1;
	in->access_ttl = is->expires_in > 0 ? is->expires_in :
	    ctx->cfg->access_token_ttl;
	in->may_refresh = refresh_ok;
	in->refresh_ttl = ctx->cfg->refresh_token_ttl;
	in->access_jkt = is->access_jkt;
	in->refresh_jkt = is->refresh_jkt;
	in->access_x5t = is->access_x5t;
	in->refresh_x5t = is->refresh_x5t;
	if (in->may_refresh && (*refresh = oidc_random_token_hashed(ctx->a,
	    OIDC_TOKEN_BYTES, in->refresh_hash, err)) == NULL)
		return -1;
	return 0;
}

/*
 * The answer to a redemption whose tokens were committed: `row` is the
 * code's data with its user's sub and claims; the ID Token is signed now,
 * outside any transaction.  0, or -1 with err set.
 */
static int
code_answer(struct oidc_ctx *ctx, const struct oidc_client *c,
    const struct oidc_code_row *row, const unsigned char *access_hash,
    const char *refresh, bool refreshed, struct issued *is,
    struct oidc_error *err)
{
	struct oidc_token_row	 base;
	struct oidc_scope	 scope;

	/* Set before the write when resources narrowed them (sealed). */
	if (is->expires_in == 0)
		is->expires_in = ctx->cfg->access_token_ttl;
	if (is->scope == NULL)
		is->scope = oidc_arena_strndup(ctx->a, row->scope.p,
		    row->scope.len);
	if (finish_access(ctx, c, access_hash, row->sub,
	    (struct oidc_str){ is->scope, strlen(is->scope) },
	    row->auth_time, is, err) == -1)
		return -1;
	is->refresh_token = refreshed ? refresh : NULL;
	memset(&base, 0, sizeof(base));
	base.scope = row->scope;
	base.auth_time = row->auth_time;
	base.acr = row->acr;
	base.amr = row->amr;
	base.sid = row->sid;
	base.claims = row->claims;
	if (oidc_scope_parse(row->scope, &scope, err) == -1)
		return -1;
	return id_token_if_openid(ctx, c, &base, &scope, row->sub, row->nonce,
	    row->user_claims, row->user_updated_at, is, err);
}

int
oidc_token_check_code(const struct oidc_code_row *code, bool expired,
    struct oidc_str client_id, struct oidc_str redirect_uri,
    struct oidc_str verifier, struct oidc_error *err)
{
	if (!oidc_str_eq(code->client_id, client_id))
		return invalid_grant(err, "the code was issued to another "
		    "client");
	if (expired)
		return invalid_grant(err, "the code has expired");
	if (!oidc_str_eq(code->redirect_uri, redirect_uri))
		return invalid_grant(err, "redirect_uri does not match the "
		    "authorization request");
	/* PKCE, with no downgrade in either direction (RFC 7636 4.6). */
	if (code->code_challenge.p != NULL) {
		if (verifier.p == NULL)
			return invalid_grant(err, "code_verifier is required");
		if (!oidc_pkce_matches(verifier, code->code_challenge))
			return invalid_grant(err, "code_verifier does not "
			    "match");
	} else if (verifier.p != NULL)
		return invalid_grant(err, "code_verifier sent for a code "
		    "issued without code_challenge");
	return 0;
}

/*
 * oidc_db_code_redeem, run again with the same token hashes after a lost
 * connection (oidc_db_redo).  When the run again matches nothing, its
 * first run may have committed: the code redeemed into this request's
 * own access token is answered with those tokens, which the client never
 * saw (issue 19 item 2), never taken for a replay.  As
 * oidc_db_code_redeem: 1, 0, -1.
 */
static int
redeem_write(struct oidc_ctx *ctx, const struct oidc_code_redeem *in,
    struct oidc_code_row *row, bool *refreshed, struct oidc_error *err)
{
	int64_t		 delay = 0;
	bool		 redo;
	int		 rc;

	for (redo = false;; redo = true) {
		if ((rc = oidc_db_code_redeem(ctx->db, ctx->a, in, row,
		    refreshed, err)) != -1)
			break;
		if (!oidc_db_redo(ctx->db, &delay, err))
			return -1;
	}
	if (rc == 0 && redo)
		rc = oidc_db_code_redeemed_by(ctx->db, ctx->a, in, row,
		    refreshed, err);
	return rc;
}

/*
 * oidc_db_code_redeem_sealed, run again likewise: a code found used on a
 * run again is first checked for this request's own redemption.
 */
static int
redeem_sealed_write(struct oidc_ctx *ctx, const struct oidc_code_redeem *in,
    const struct oidc_code_sealed *sealed, enum oidc_sealed_outcome *outcome,
    struct oidc_code_row *user, bool *refreshed, struct oidc_error *err)
{
	int64_t		 delay = 0;
	bool		 redo;
	int		 rc;

	for (redo = false;; redo = true) {
		if (oidc_db_code_redeem_sealed(ctx->db, ctx->a, in, sealed,
		    outcome, user, refreshed, err) == 0)
			break;
		if (!oidc_db_redo(ctx->db, &delay, err))
			return -1;
	}
	if (*outcome != OIDC_SEALED_CODE_USED || !redo)
		return 0;
	if ((rc = oidc_db_code_sealed_redeemed_by(ctx->db, ctx->a, in, user,
	    refreshed, err)) == -1)
		return -1;
	if (rc == 1)
		*outcome = OIDC_SEALED_REDEEMED;
	return 0;
}

/*
 * The usual redemption in one statement and one round trip
 * (oidc_db_code_redeem): the code, its client, redirect_uri and PKCE
 * challenge must all match, and only then is anything written.  The ID
 * Token is signed after that statement committed, outside any
 * transaction.  1 done, 0 something did not match and nothing was
 * written (grant_code's transaction finds out what), -1 error.
 */
static int
redeem_at_once(struct oidc_ctx *ctx, const struct oidc_client *c,
    const unsigned char *h, struct oidc_str ruri, struct oidc_str verifier,
    struct issued *is, struct oidc_error *err)
{
	struct oidc_code_redeem	 in;
	struct oidc_code_row	 row;
	unsigned char		 vh[OIDC_SHA256_LEN];
	char			 challenge[64];
	const char		*refresh;
	bool			 refreshed;
	int			 rc;

	memset(&in, 0, sizeof(in));
	memcpy(in.code_hash, h, OIDC_HASH_LEN);
	in.client_id = c->client_id;
	in.redirect_uri = ruri;
	/* With resources, no match: grant_code's transaction redeems it. */
	in.resource = oidc_resources_join(ctx->a, &is->req);
	/*
	 * SECURITY: SQL compares the S256 of the verifier, not the verifier:
	 * its timing tells nothing usable about the secret.
	 */
	if (verifier.p != NULL) {
		if (!oidc_pkce_verifier_ok(verifier))
			return 0;
		if (oidc_sha256(verifier.p, verifier.len, vh, err) == -1)
			return -1;
		in.challenge.p = challenge;
		in.challenge.len = oidc_b64url_encode_to(challenge, vh,
		    sizeof(vh));
	}
	/*
	 * The client half of the refresh rule; the code's offline flag
	 * (oidc_grant_offline at /authorize) is the other, applied by the
	 * statement to the row it consumes.
	 */
	if (new_code_tokens(ctx, oidc_grant_may_refresh(ctx->cfg, c), &in,
	    &refresh, is, err) == -1)
		return -1;
	if ((rc = redeem_write(ctx, &in, &row, &refreshed, err)) != 1) {
		is->access_token = NULL;
		return rc;
	}
	return code_answer(ctx, c, &row, in.access_hash, refresh, refreshed,
	    is, err) == -1 ? -1 : 1;
}

/*
 * A sealed code's resources (oidc/resource.h): the access token's scope
 * and resources into `in` (and is->scope, is->expires_in), the grant's
 * for its refresh token.
 */
static int
sealed_resources(struct oidc_ctx *ctx, const struct oidc_code_row *code,
    struct oidc_code_redeem *in, struct issued *is, struct oidc_error *err)
{
	if (access_for(ctx, code->resource, code->scope, &in->access_scope,
	    is, err) == -1)
		return -1;
	in->access_resource = oidc_resources_join(ctx->a, &is->ares);
	in->refresh_resource = code->resource;
	is->scope = in->access_scope.p;
	return 0;
}

/*
 * A sealed code (oidc/code.h): every rule of the stored path is checked
 * here on the code's own data before anything is written, then one
 * statement (oidc_db_code_redeem_sealed) makes it single-use, spends its
 * nonce and inserts the tokens.  That statement is the code flow's only
 * durable write.  0, or -1 with err set.
 */
static int
redeem_sealed(struct oidc_ctx *ctx, const struct oidc_request *req,
    const struct oidc_client *c, const unsigned char *h, const struct oidc_code_row *code,
    int64_t expires_at, struct oidc_str ruri, struct oidc_str verifier,
    struct issued *is, struct oidc_error *err)
{
	struct oidc_code_redeem		 in;
	struct oidc_code_sealed		 sealed;
	struct oidc_code_row		 user;
	enum oidc_sealed_outcome	 outcome;
	struct oidc_code_row		 row;
	struct oidc_scope		 scope;
	const char			*refresh;
	bool				 refreshed;

	if (oidc_token_check_code(code, expires_at <= (int64_t)ctx->now,
	    c->client_id, ruri, verifier, err) == -1 ||
	    oidc_dpop_code_ok(code->dpop_jkt, is->access_jkt, err) == -1 ||
	    oidc_scope_parse(code->scope, &scope, err) == -1)
		return -1;

	memset(&in, 0, sizeof(in));
	memcpy(in.code_hash, h, OIDC_HASH_LEN);
	in.client_id = c->client_id;
	memset(&sealed, 0, sizeof(sealed));
	sealed.code = code;
	/*
	 * SECURITY: purge may forget the used code once this passes; the
	 * margin covers a worker clock behind the database's, which would
	 * otherwise still take the code for live after its row was purged.
	 */
	sealed.keep_until = expires_at + USED_CODE_MARGIN;
	/*
	 * The seed's exists_nonce: no two ID Tokens of one client carry the
	 * same nonce.  A stored code spends its nonce at /authorize; a sealed
	 * one here, with its tokens, for as long as the stored path keeps it.
	 */
	sealed.has_nonce = code->nonce.p != NULL;
	if (sealed.has_nonce && oidc_sha256(code->nonce.p, code->nonce.len,
	    sealed.nonce_hash, err) == -1)
		return -1;
	sealed.nonce_ttl = ctx->cfg->code_ttl + ctx->cfg->id_token_ttl;
	if (sealed_resources(ctx, code, &in, is, err) == -1 ||
	    new_code_tokens(ctx, oidc_grant_wants_refresh(ctx->cfg, c,
	    &scope), &in, &refresh, is, err) == -1 ||
	    redeem_sealed_write(ctx, &in, &sealed, &outcome, &user,
	    &refreshed, err) == -1)
		return -1;
	switch (outcome) {
	case OIDC_SEALED_REDEEMED:
		break;
	case OIDC_SEALED_CODE_USED:
		/*
		 * RFC 6749 4.1.2: a reused code revokes what it yielded (an
		 * autocommit statement: the revocation stays).
		 */
		if (oidc_db_code_sealed_revoke_tokens(ctx->db, h, err) == -1)
			return -1;
		audit(req, "code.replay", c->client_id,
		    OIDC_STR("authorization_code"));
		return invalid_grant(err, "the code is invalid or was used");
	case OIDC_SEALED_NONCE_USED:
		return invalid_grant(err, "nonce was already used");
	default:
		/* As the stored path: a disabled user's code has expired. */
		return invalid_grant(err, "the code has expired");
	}
	row = *code;
	row.sub = user.sub;
	row.user_claims = user.user_claims;
	row.user_updated_at = user.user_updated_at;
	return code_answer(ctx, c, &row, in.access_hash, refresh, refreshed,
	    is, err);
}

/*
 * A stored code with resource indicators (code_redeem leaves those to
 * C), consumed by grant_code's open transaction and checked: its tokens
 * as a refresh would issue them (issue_user_tokens: the resources, the
 * narrowed scope), then the commit.  Not run again after a lost
 * acknowledgement (issue 19 item 2): the client sees a 503 then.
 */
static int
redeem_with_resources(struct oidc_ctx *ctx, const struct oidc_client *c,
    const unsigned char *h, const struct oidc_code_row *code,
    struct issued *is, struct oidc_error *err)
{
	struct oidc_token_row	 base;
	struct fresh		 f;

	memset(&base, 0, sizeof(base));
	base.client_id = c->client_id;
	base.user_id = code->user_id;
	base.scope = code->scope;
	base.has_code = true;
	memcpy(base.code_hash, h, OIDC_HASH_LEN);
	base.auth_time = code->auth_time;
	base.acr = code->acr;
	base.amr = code->amr;
	base.sid = code->sid;
	base.claims = code->claims;
	base.resource = code->resource;
	is->nonce = code->nonce;
	if (fresh_tokens(ctx, &f, err) == -1 ||
	    issue_user_tokens(ctx, c, &base, &f, true, code->sub,
	    code->user_claims, code->user_updated_at, is, err) == -1)
		return -1;
	return oidc_db_commit(ctx->db, err);
}

static int
grant_code(struct oidc_ctx *ctx, const struct oidc_request *req,
    const struct oidc_client *c, struct issued *is, struct oidc_error *err)
{
	struct oidc_str		 code = oidc_params_get(&req->form, "code");
	struct oidc_str		 ruri = oidc_params_get(&req->form,
				    "redirect_uri");
	struct oidc_str		 verifier = oidc_params_get(&req->form,
				    "code_verifier");
	const unsigned char	*key;
	struct oidc_code_row	 row;
	unsigned char		 h[OIDC_SHA256_LEN];
	int64_t			 expires_at;
	int			 rc;

	if (!(c->grant_types & OIDC_GT_AUTHORIZATION_CODE))
		return oidc_fail(err, OIDC_E_UNAUTHORIZED_CLIENT,
		    "the client may not use this grant type", "grant type");
	if (code.p == NULL || code.len > OIDC_CODE_MAX_LEN)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST,
		    "code is required", "no code");
	if (oidc_sha256(code.p, code.len, h, err) == -1)
		return -1;
	/*
	 * A code that opens under our code key is sealed; any other value
	 * (a stored code, or garbage) takes the stored path below.
	 */
	if ((key = oidc_keystore_code_key(ctx->keystore)) != NULL &&
	    (rc = oidc_code_open(ctx->a, key, code, &row, &expires_at,
	    err)) != 0)
		return rc == -1 ? -1 : redeem_sealed(ctx, req, c, h, &row,
		    expires_at, ruri, verifier, is, err);
	if ((rc = redeem_at_once(ctx, c, h, ruri, verifier, is, err)) != 0)
		return rc == 1 ? 0 : -1;
	if (oidc_db_begin(ctx->db, err) == -1)
		return -1;
	if ((rc = oidc_db_code_consume(ctx->db, ctx->a, h, &row, err)) == -1)
		return -1;
	if (rc == 0) {
		/*
		 * Unknown or already used.  RFC 6749 4.1.2: a reused code
		 * revokes what it yielded.  This write must survive the error.
		 */
		if (oidc_db_code_revoke_tokens(ctx->db, h, err) == -1 ||
		    oidc_db_commit(ctx->db, err) == -1)
			return -1;
		/* Unknown and used codes look alike here. */
		audit(req, "code.rejected", c->client_id,
		    OIDC_STR("authorization_code"));
		return invalid_grant(err, "the code is invalid or was used");
	}
	/*
	 * The rules name what code_redeem refused; the transaction is rolled
	 * back, so the code stays unconsumed.  Should they accept it, the
	 * statement and oidc_token_check_code disagree: a bug, never tokens.
	 */
	if (oidc_token_check_code(&row, row.expired, c->client_id, ruri,
	    verifier, err) == -1 ||
	    oidc_dpop_code_ok(row.dpop_jkt, is->access_jkt, err) == -1)
		return -1;
	if (is->req.n > 0 || row.resource.p != NULL)
		return redeem_with_resources(ctx, c, h, &row, is, err);
	return oidc_fail(err, OIDC_E_INTERNAL, NULL, "code_redeem refused a "
	    "code that oidc_token_check_code accepts");
}

/* A narrower scope asked for at refresh into row->scope (RFC 6749 6). */
static int
narrow_scope(struct oidc_ctx *ctx, struct oidc_str want,
    struct oidc_scope asked, struct oidc_token_row *row,
    struct oidc_error *err)
{
	struct oidc_scope	 granted;

	if (want.p == NULL)
		return 0;
	if (oidc_scope_parse(row->scope, &granted, err) == -1)
		return -1;
	if (!oidc_scope_subset(&asked, &granted))
		return oidc_fail(err, OIDC_E_INVALID_SCOPE,
		    "scope may only be narrowed", "scope widened");
	/* The family keeps offline_access whatever the new scope. */
	if (oidc_scope_has(&granted, "offline_access") &&
	    !oidc_scope_has(&asked, "offline_access"))
		asked.v[asked.n++] = OIDC_STR("offline_access");
	if ((row->scope.p = oidc_scope_join(ctx->a, &asked)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	row->scope.len = strlen(row->scope.p);
	return 0;
}

/*
 * The presented refresh token's row: rotated now (1), or, under FAPI 2.0
 * (5.3.2.1: no rotation; oidc/fapi.h), used and kept (1, is->keep_refresh
 * set); on a run again (`redo`) first this request's own earlier commit
 * (1, *own set).  0 not active (or rotated before), -1 error.
 */
static int
refresh_find(struct oidc_ctx *ctx, const struct oidc_client *c,
    const unsigned char *h, const struct fresh *f, bool redo,
    struct oidc_token_row *row, bool *own, struct issued *is,
    struct oidc_error *err)
{
	int	 rc;

	*own = false;
	if ((is->keep_refresh = oidc_fapi2(ctx->cfg, c))) {
		rc = redo ? oidc_db_refresh_used_by(ctx->db, ctx->a, h,
		    c->client_id, f->access_hash, row, err) : 0;
		if (rc == 1)
			*own = true;
		else if (rc == 0)
			rc = oidc_db_refresh_use(ctx->db, ctx->a, h,
			    c->client_id, row, err);
		return rc;
	}
	if ((rc = oidc_db_refresh_rotate(ctx->db, ctx->a, h, c->client_id,
	    row, err)) == 0 && redo) {
		if ((rc = oidc_db_refresh_rotated_by(ctx->db, ctx->a, h,
		    c->client_id, f->access_hash, row, err)) == 1)
			*own = true;
	}
	return rc;
}

/*
 * One run of the rotation's transaction.  `redo`: a run after a lost
 * connection; a token found rotated already is then first checked for
 * this request's own rotation (its access token in the family): that
 * is answered with the same tokens, not taken for reuse.
 */
static int
refresh_once(struct oidc_ctx *ctx, const struct oidc_request *req,
    const struct oidc_client *c, const unsigned char *h,
    const struct fresh *f, bool redo, struct issued *is,
    struct oidc_error *err)
{
	struct oidc_str		 want = oidc_params_get(&req->form, "scope");
	struct oidc_token_row	 row;
	struct oidc_scope	 asked;
	bool			 own;
	int			 rc;

	if (oidc_scope_parse(want, &asked, err) == -1 ||
	    oidc_db_begin(ctx->db, err) == -1)
		return -1;
	rc = refresh_find(ctx, c, h, f, redo, &row, &own, is, err);
	if (rc == -1)
		return -1;
	if (rc == 0) {
		/* Reuse of a rotated token: revoke the family, keep that. */
		if ((rc = oidc_db_refresh_reuse_revoke(ctx->db, h,
		    c->client_id, err)) == -1 ||
		    oidc_db_commit(ctx->db, err) == -1)
			return -1;
		if (rc == 1)
			audit(req, "refresh.replay", c->client_id,
			    OIDC_STR("refresh_token"));
		return invalid_grant(err, "the refresh token is invalid");
	}
	if (oidc_dpop_refresh_ok(row.dpop_jkt, is->access_jkt, err) == -1 ||
	    oidc_mtls_refresh_ok(row.x5t, is->cert, err) == -1 ||
	    narrow_scope(ctx, want, asked, &row, err) == -1 ||
	    issue_user_tokens(ctx, c, &row, f, !own, row.sub, row.user_claims,
	    row.user_updated_at, is, err) == -1)
		return -1;
	return oidc_db_commit(ctx->db, err);
}

static int
grant_refresh(struct oidc_ctx *ctx, const struct oidc_request *req,
    const struct oidc_client *c, struct issued *is, struct oidc_error *err)
{
	struct oidc_str		 rt = oidc_params_get(&req->form,
				    "refresh_token");
	struct fresh		 f;
	unsigned char		 h[OIDC_SHA256_LEN];
	int64_t			 delay = 0;
	bool			 redo;

	if (!(c->grant_types & OIDC_GT_REFRESH_TOKEN))
		return oidc_fail(err, OIDC_E_UNAUTHORIZED_CLIENT,
		    "the client may not use this grant type", "grant type");
	if (rt.p == NULL || rt.len > 512)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST,
		    "refresh_token is required", "no refresh_token");
	if (oidc_sha256(rt.p, rt.len, h, err) == -1 ||
	    fresh_tokens(ctx, &f, err) == -1)
		return -1;
	for (redo = false;; redo = true) {
		/* A fresh answer each run, bound to the same DPoP key. */
		struct issued	 keep = *is;

		memset(is, 0, sizeof(*is));
		is->access_jkt = keep.access_jkt;
		is->refresh_jkt = keep.refresh_jkt;
		is->cert = keep.cert;
		is->access_x5t = keep.access_x5t;
		is->refresh_x5t = keep.refresh_x5t;
		is->req = keep.req;
		if (refresh_once(ctx, req, c, h, &f, redo, is, err) == 0)
			return 0;
		if (!oidc_db_redo(ctx->db, &delay, err))
			return -1;
	}
}

static int
grant_client_credentials(struct oidc_ctx *ctx, const struct oidc_request *req,
    const struct oidc_client *c, struct issued *is, struct oidc_error *err)
{
	struct oidc_str		 want = oidc_params_get(&req->form, "scope");
	struct oidc_scope	 asked, allowed;
	struct oidc_token_row	 row;

	if (c->auth_method == OIDC_AUTH_NONE ||
	    !(c->grant_types & OIDC_GT_CLIENT_CREDENTIALS))
		return oidc_fail(err, OIDC_E_UNAUTHORIZED_CLIENT,
		    "the client may not use this grant type", "grant type");
	if (oidc_scope_parse(want, &asked, err) == -1 ||
	    oidc_scope_parse(c->scope, &allowed, err) == -1)
		return -1;
	/* No user: the OpenID scopes make no sense here. */
	if (oidc_scope_has(&asked, "openid") ||
	    oidc_scope_has(&asked, "offline_access") ||
	    !oidc_scope_subset(&asked, &allowed))
		return oidc_fail(err, OIDC_E_INVALID_SCOPE,
		    "the client may not request this scope", "scope");
	if (want.p == NULL) {
		/* The registered scope, minus the values that need a user. */
		size_t	 i;

		asked.n = 0;
		for (i = 0; i < allowed.n; i++)
			if (!oidc_str_eq_cstr(allowed.v[i], "openid") &&
			    !oidc_str_eq_cstr(allowed.v[i], "offline_access"))
				asked.v[asked.n++] = allowed.v[i];
	}
	memset(&row, 0, sizeof(row));
	row.kind = "access";
	row.client_id = c->client_id;
	row.dpop_jkt = is->access_jkt;
	row.x5t = is->access_x5t;
	if ((row.scope.p = oidc_scope_join(ctx->a, &asked)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	row.scope.len = strlen(row.scope.p);
	/* RFC 8707: any registered resource; the scope it allows. */
	if (access_for(ctx, OIDC_STR_NULL, row.scope, &row.scope, is,
	    err) == -1)
		return -1;
	row.resource = oidc_resources_join(ctx->a, &is->ares);
	row.ttl = is->expires_in;
	if (oidc_db_begin(ctx->db, err) == -1 ||
	    oidc_grant_issue_token(ctx, &row, &is->access_token, err) == -1 ||
	    finish_access(ctx, c, row.token_hash, OIDC_STR_NULL, row.scope, 0,
	    is, err) == -1)
		return -1;
	is->scope = row.scope.p;
	return oidc_db_commit(ctx->db, err);
}

/* The answer to a poll whose code is not (or no longer) approved. */
static int
device_not_yet(const struct oidc_device_poll *d, struct oidc_error *err)
{
	if (d->status == OIDC_DEVICE_USED)
		return invalid_grant(err, "the device code was used");
	if (d->expired)
		return oidc_fail(err, OIDC_E_EXPIRED_TOKEN,
		    "the device code has expired", "expired");
	if (d->status == OIDC_DEVICE_DENIED ||
	    (d->status == OIDC_DEVICE_APPROVED && !d->user_ok))
		return oidc_fail(err, OIDC_E_DEVICE_DENIED,
		    "the user denied the request", "denied");
	if (d->too_fast)
		return oidc_fail(err, OIDC_E_SLOW_DOWN,
		    "polling too fast: wait 5 seconds more between requests",
		    "slow_down");
	return oidc_fail(err, OIDC_E_AUTHORIZATION_PENDING,
	    "the user has not yet approved the request", "pending");
}

/*
 * RFC 8628 3.4, 3.5: one poll, one transaction.  device_poll (one
 * statement) records the poll, grows the interval of a device polling too
 * fast and marks an approved code used; the tokens are inserted in the
 * same transaction, so a failure leaves the code approved.  Every other
 * answer commits the poll and is an error.
 */
static int
grant_device(struct oidc_ctx *ctx, const struct oidc_request *req,
    const struct oidc_client *c, struct issued *is, struct oidc_error *err)
{
	struct oidc_str		 code = oidc_params_get(&req->form,
				    "device_code");
	struct oidc_device_poll	 d;
	struct fresh		 f;
	unsigned char		 h[OIDC_SHA256_LEN];
	int			 rc;

	if (!ctx->cfg->device_grant)
		return oidc_fail(err, OIDC_E_UNSUPPORTED_GRANT_TYPE,
		    "unsupported grant_type", "device grant off");
	if (!(c->grant_types & OIDC_GT_DEVICE_CODE))
		return oidc_fail(err, OIDC_E_UNAUTHORIZED_CLIENT,
		    "the client may not use this grant type", "grant type");
	if (code.p == NULL || code.len > 512)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST,
		    "device_code is required", "no device_code");
	if (oidc_sha256(code.p, code.len, h, err) == -1 ||
	    oidc_db_begin(ctx->db, err) == -1)
		return -1;
	if ((rc = oidc_db_device_poll(ctx->db, ctx->a, h, c->client_id, &d,
	    err)) == -1)
		return -1;
	if (rc == 0) {
		oidc_db_rollback(ctx->db);
		return invalid_grant(err, "the device code is invalid");
	}
	if (d.status != OIDC_DEVICE_APPROVED || d.expired || !d.user_ok) {
		if (oidc_db_commit(ctx->db, err) == -1)
			return -1;
		return device_not_yet(&d, err);
	}
	if (fresh_tokens(ctx, &f, err) == -1 ||
	    issue_user_tokens(ctx, c, &d.grant, &f, true, d.grant.sub,
	    d.grant.user_claims, d.grant.user_updated_at, is, err) == -1)
		return -1;
	return oidc_db_commit(ctx->db, err);
}

/*
 * RFC 8705 3, 4 (oidc/mtls.h): with mtls_bound_tokens on, the presented
 * certificate (is->cert) binds the access token, and a public client's
 * refresh token, unless a DPoP proof binds them (`dpop`).  A client
 * registered with tls_client_certificate_bound_access_tokens must
 * present one.
 */
static int
bind_cert(struct oidc_ctx *ctx, const struct oidc_request *req,
    const struct oidc_client *c, bool dpop, struct issued *is,
    struct oidc_error *err)
{
	if (!ctx->cfg->mtls_bound_tokens)
		return 0;
	if (oidc_mtls_cert(ctx->a, req, &is->cert, err) == -1)
		return -1;
	if (is->cert.p == NULL) {
		if (c->mtls_bound)
			return oidc_fail(err, OIDC_E_INVALID_REQUEST, "this "
			    "client's tokens are certificate-bound: present "
			    "a client certificate", "mtls: no certificate");
		return 0;
	}
	if (dpop)
		return 0;
	is->access_x5t = is->cert;
	if (c->auth_method == OIDC_AUTH_NONE)
		is->refresh_x5t = is->cert;
	return 0;
}

int
oidc_token_handle(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct oidc_error *err)
{
	struct oidc_client	 client;
	struct oidc_str		 gt = oidc_params_get(&req->form, "grant_type");
	struct oidc_dpop_proof	 proof;
	struct issued		 is;
	const char		*endpoint;
	int			 rc;

	memset(&is, 0, sizeof(is));
	if (req->method == OIDC_METHOD_OPTIONS)
		return oidc_cors_preflight(ctx, req, resp, "POST", err);
	if ((endpoint = oidc_arena_printf(ctx->a, "%s/token",
	    ctx->cfg->issuer)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	if (oidc_client_authenticate(ctx, req, resp, endpoint, &client,
	    err) == -1)
		return -1;
	if (oidc_cors_allow(ctx, resp, req->origin, client.redirect_uris,
	    client.n_redirect_uris, err) == -1)
		return -1;
	if (gt.p == NULL)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST,
		    "grant_type is required", "no grant_type");
	/* RFC 8707: malformed or unknown resources are invalid_target. */
	if (ctx->cfg->resource_indicators &&
	    (oidc_resources_from_params(&req->form, &is.req, err) == -1 ||
	    (is.req.n > 0 && oidc_resources_load(ctx, &is.req, err) == -1)))
		return -1;
	if ((rc = oidc_dpop_token_proof(ctx, req, resp, &proof, err)) == -1 ||
	    bind_cert(ctx, req, &client, rc == 1, &is, err) == -1 ||
	    oidc_fapi2_token_check(ctx->cfg, &client, rc == 1 ? &proof : NULL,
	    is.access_x5t.p != NULL, err) == -1)
		return -1;
	if (rc == 1)
		oidc_dpop_bind(&proof, client.auth_method == OIDC_AUTH_NONE,
		    &is.access_jkt, &is.refresh_jkt);
	if (oidc_str_eq_cstr(gt, "authorization_code"))
		rc = grant_code(ctx, req, &client, &is, err);
	else if (oidc_str_eq_cstr(gt, "refresh_token"))
		rc = grant_refresh(ctx, req, &client, &is, err);
	else if (oidc_str_eq_cstr(gt, "client_credentials"))
		rc = grant_client_credentials(ctx, req, &client, &is, err);
	else if (oidc_str_eq_cstr(gt, OIDC_DEVICE_GRANT_TYPE))
		rc = grant_device(ctx, req, &client, &is, err);
	else
		return oidc_fail(err, OIDC_E_UNSUPPORTED_GRANT_TYPE,
		    "unsupported grant_type", "grant_type");
	if (rc == -1 || respond(ctx, resp, &is, err) == -1)
		return -1;
	oidc_metrics_inc(oidc_str_eq_cstr(gt, "authorization_code") ?
	    OIDC_METRIC_TOKEN_AUTHORIZATION_CODE :
	    oidc_str_eq_cstr(gt, "refresh_token") ?
	    OIDC_METRIC_TOKEN_REFRESH_TOKEN :
	    oidc_str_eq_cstr(gt, "client_credentials") ?
	    OIDC_METRIC_TOKEN_CLIENT_CREDENTIALS :
	    OIDC_METRIC_TOKEN_DEVICE_CODE);
	audit(req, oidc_str_eq_cstr(gt, "refresh_token") ? "token.refreshed" :
	    "token.issued", client.client_id, gt);
	return 0;
}
