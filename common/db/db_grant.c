/*
 * db_grant.c: codes, tokens, sessions, consents and the replay/throttle
 * ledgers (see oidc/db.h).  Hashes travel as binary bytea parameters;
 * integers as decimal text.
 */
#include <stdio.h>
#include <string.h>

#include "oidc/arena.h"
#include "db_int.h"

/* Run a statement whose result is only "how many rows". */
static int
run_count(struct oidc_db *db, enum oidc_stmt_id id, struct db_params *p,
    struct oidc_error *err)
{
	PGresult	*res;
	int		 n;

	if (oidc_db_run(db, id, p, &res, err) == -1)
		return -1;
	n = PQresultStatus(res) == PGRES_TUPLES_OK ? PQntuples(res) :
	    (int)oidc_db_i64_text(PQcmdTuples(res));
	PQclear(res);
	return n;
}

/*
 * Run a lookup keyed by a hash (and optionally a client id): 1 with *res
 * holding the single row (the caller PQclears it), 0 no row, -1 error.
 */
static int
one_by_hash(struct oidc_db *db, enum oidc_stmt_id id,
    const unsigned char *hash, const struct oidc_str *client_id,
    PGresult **res, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	*res = NULL;	/* PQclear(NULL) is a no-op for every caller path */
	db_p_bin(&p, hash, OIDC_HASH_LEN);
	if (client_id != NULL)
		db_p_str(&p, *client_id);
	if (oidc_db_run(db, id, &p, res, err) == -1) {
		*res = NULL;
		return -1;
	}
	if (PQntuples(*res) == 1)
		return 1;
	PQclear(*res);
	*res = NULL;
	return 0;
}

/* $1..$13 and $16 of code_issue: the code's row. */
static void
code_params(struct db_params *p, const struct oidc_code_row *c)
{
	db_p_bin(p, c->code_hash, OIDC_HASH_LEN);
	db_p_str(p, c->client_id);
	db_p_i64(p, c->user_id);
	db_p_str(p, c->redirect_uri);
	db_p_str(p, c->scope);
	db_p_str(p, c->nonce);
	db_p_str(p, c->code_challenge);
	db_p_i64(p, c->auth_time);
	db_p_str(p, c->acr);
	db_p_str(p, c->amr);
	db_p_str(p, c->sid);
	db_p_str(p, c->claims);
	db_p_i64(p, c->ttl);
}

/* One row of code_consume's columns (code_redeem has the same first). */
static int
read_code(struct oidc_arena *a, PGresult *res, const unsigned char *hash,
    struct oidc_code_row *c, struct oidc_error *err)
{
	memcpy(c->code_hash, hash, OIDC_HASH_LEN);
	c->user_id = oidc_db_i64(res, 0, CC_USER);
	c->auth_time = oidc_db_i64(res, 0, CC_AUTH_TIME);
	c->user_updated_at = oidc_db_i64(res, 0, CC_UUPDATED);
	c->expired = oidc_db_bool(res, 0, CC_EXPIRED);
	if (oidc_db_copy(a, res, 0, CC_CLIENT, &c->client_id, err) ||
	    oidc_db_copy(a, res, 0, CC_REDIRECT, &c->redirect_uri, err) ||
	    oidc_db_copy(a, res, 0, CC_SCOPE, &c->scope, err) ||
	    oidc_db_copy(a, res, 0, CC_NONCE, &c->nonce, err) ||
	    oidc_db_copy(a, res, 0, CC_CHALLENGE, &c->code_challenge, err) ||
	    oidc_db_copy(a, res, 0, CC_ACR, &c->acr, err) ||
	    oidc_db_copy(a, res, 0, CC_AMR, &c->amr, err) ||
	    oidc_db_copy(a, res, 0, CC_SID, &c->sid, err) ||
	    oidc_db_copy(a, res, 0, CC_CLAIMS, &c->claims, err) ||
	    oidc_db_copy(a, res, 0, CC_SUB, &c->sub, err) ||
	    oidc_db_copy(a, res, 0, CC_UCLAIMS, &c->user_claims, err) ||
	    oidc_db_copy(a, res, 0, CC_RESOURCE, &c->resource, err) ||
	    oidc_db_copy(a, res, 0, CC_DPOP_JKT, &c->dpop_jkt, err))
		return -1;
	return 0;
}

int
oidc_db_code_consume(struct oidc_db *db, struct oidc_arena *a,
    const unsigned char *hash, struct oidc_code_row *c,
    struct oidc_error *err)
{
	PGresult	*res;
	int		 rc;

	memset(c, 0, sizeof(*c));
	if ((rc = one_by_hash(db, OIDC_STMT_CODE_CONSUME, hash, NULL, &res,
	    err)) == 1 && read_code(a, res, hash, c, err) == -1)
		rc = -1;
	PQclear(res);
	return rc;
}

int
oidc_db_code_issue(struct oidc_db *db, const struct oidc_code_row *c,
    const unsigned char *nonce_hash, int64_t nonce_ttl,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;
	int			 rc;

	code_params(&p, c);
	db_p_bin_if(&p, nonce_hash != NULL, nonce_hash, OIDC_HASH_LEN);
	db_p_i64(&p, nonce_ttl);
	db_p_bool(&p, c->offline);
	db_p_str(&p, c->resource);
	db_p_str(&p, c->dpop_jkt);
	if (oidc_db_run(db, OIDC_STMT_CODE_ISSUE, &p, &res, err) == -1)
		return -1;
	rc = PQntuples(res) == 1 && oidc_db_bool(res, 0, V_VALUE) ? 1 : 0;
	PQclear(res);
	return rc;
}

int
oidc_db_code_redeem(struct oidc_db *db, struct oidc_arena *a,
    const struct oidc_code_redeem *in, struct oidc_code_row *out,
    bool *refreshed, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;
	int			 rc = 0;

	memset(out, 0, sizeof(*out));
	*refreshed = false;
	db_p_bin(&p, in->code_hash, OIDC_HASH_LEN);
	db_p_str(&p, in->client_id);
	db_p_str(&p, in->redirect_uri);
	db_p_str(&p, in->challenge);
	db_p_bin(&p, in->access_hash, OIDC_HASH_LEN);
	db_p_bin(&p, in->family_id, OIDC_FAMILY_LEN);
	db_p_i64(&p, in->access_ttl);
	db_p_bin_if(&p, in->may_refresh, in->refresh_hash, OIDC_HASH_LEN);
	db_p_i64(&p, in->refresh_ttl);
	db_p_str(&p, in->access_jkt);
	db_p_str(&p, in->refresh_jkt);
	db_p_str(&p, in->resource);
	db_p_str(&p, in->access_x5t);
	db_p_str(&p, in->refresh_x5t);
	if (oidc_db_run(db, OIDC_STMT_CODE_REDEEM, &p, &res, err) == -1)
		return -1;
	if (PQntuples(res) == 1) {
		rc = read_code(a, res, in->code_hash, out, err) == -1 ? -1 : 1;
		*refreshed = oidc_db_bool(res, 0, CC_REFRESHED);
	}
	PQclear(res);
	return rc;
}

static int
revoke_by_code(struct oidc_db *db, enum oidc_stmt_id id,
    const unsigned char *hash, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	db_p_bin(&p, hash, OIDC_HASH_LEN);
	return run_count(db, id, &p, err) < 0 ? -1 : 0;
}

int
oidc_db_code_revoke_tokens(struct oidc_db *db, const unsigned char *hash,
    struct oidc_error *err)
{
	return revoke_by_code(db, OIDC_STMT_CODE_REVOKE_TOKENS, hash, err);
}

int
oidc_db_code_sealed_revoke_tokens(struct oidc_db *db,
    const unsigned char *hash, struct oidc_error *err)
{
	return revoke_by_code(db, OIDC_STMT_CODE_SEALED_REVOKE_TOKENS, hash,
	    err);
}

int
oidc_db_code_redeem_sealed(struct oidc_db *db, struct oidc_arena *a,
    const struct oidc_code_redeem *in, const struct oidc_code_sealed *sealed,
    enum oidc_sealed_outcome *outcome, struct oidc_code_row *out,
    bool *refreshed, struct oidc_error *err)
{
	const struct oidc_code_row	*c = sealed->code;
	struct db_params		 p = { .n = 0 };
	PGresult			*res;
	int				 rc = -1;

	memset(out, 0, sizeof(*out));
	*refreshed = false;
	*outcome = OIDC_SEALED_NO_USER;
	db_p_bin(&p, in->code_hash, OIDC_HASH_LEN);
	db_p_str(&p, in->client_id);
	db_p_i64(&p, c->user_id);
	db_p_str(&p, c->scope);
	db_p_i64(&p, c->auth_time);
	db_p_str(&p, c->sid);
	db_p_bin(&p, in->access_hash, OIDC_HASH_LEN);
	db_p_bin(&p, in->family_id, OIDC_FAMILY_LEN);
	db_p_bin_if(&p, in->may_refresh, in->refresh_hash, OIDC_HASH_LEN);
	db_p_i64(&p, in->access_ttl);
	db_p_i64(&p, in->refresh_ttl);
	db_p_str(&p, c->acr);
	db_p_str(&p, c->amr);
	db_p_str(&p, c->claims);
	db_p_bin_if(&p, sealed->has_nonce, sealed->nonce_hash, OIDC_HASH_LEN);
	db_p_i64(&p, sealed->nonce_ttl);
	db_p_i64(&p, sealed->keep_until);
	db_p_str(&p, in->access_jkt);
	db_p_str(&p, in->refresh_jkt);
	db_p_str(&p, in->access_scope);
	db_p_str(&p, in->access_resource);
	db_p_str(&p, in->refresh_resource);
	db_p_str(&p, in->access_x5t);
	db_p_str(&p, in->refresh_x5t);
	if (oidc_db_run(db, OIDC_STMT_CODE_REDEEM_SEALED, &p, &res, err) == -1)
		return -1;
	if (PQntuples(res) != 1) {
		oidc_fail(err, OIDC_E_DB, NULL, "code_redeem_sealed: %d rows",
		    PQntuples(res));
		goto out;
	}
	if (PQgetisnull(res, 0, CS_SUB))
		*outcome = OIDC_SEALED_NO_USER;
	else if (!oidc_db_bool(res, 0, CS_CODE_FRESH))
		*outcome = OIDC_SEALED_CODE_USED;
	else if (!oidc_db_bool(res, 0, CS_NONCE_FRESH))
		*outcome = OIDC_SEALED_NONCE_USED;
	else {
		*outcome = OIDC_SEALED_REDEEMED;
		*refreshed = oidc_db_bool(res, 0, CS_REFRESHED);
		out->user_updated_at = oidc_db_i64(res, 0, CS_UUPDATED);
		if (oidc_db_copy(a, res, 0, CS_SUB, &out->sub, err) == -1 ||
		    oidc_db_copy(a, res, 0, CS_UCLAIMS, &out->user_claims,
		    err) == -1)
			goto out;
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}

/* $1 code, $2 access token, $3 refresh token (NULL: none) hashes. */
static void
redeemed_params(struct db_params *p, const struct oidc_code_redeem *in)
{
	db_p_bin(p, in->code_hash, OIDC_HASH_LEN);
	db_p_bin(p, in->access_hash, OIDC_HASH_LEN);
	db_p_bin_if(p, in->may_refresh, in->refresh_hash, OIDC_HASH_LEN);
}

int
oidc_db_authz_issued(struct oidc_db *db, const unsigned char *code_hash,
    const unsigned char *token_hash, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;
	int			 rc;

	db_p_bin_if(&p, code_hash != NULL, code_hash, OIDC_HASH_LEN);
	db_p_bin_if(&p, token_hash != NULL, token_hash, OIDC_HASH_LEN);
	if (oidc_db_run(db, OIDC_STMT_AUTHZ_ISSUED, &p, &res, err) == -1)
		return -1;
	rc = PQntuples(res) == 1 && oidc_db_bool(res, 0, V_VALUE) ? 1 : 0;
	PQclear(res);
	return rc;
}

int
oidc_db_code_redeemed_by(struct oidc_db *db, struct oidc_arena *a,
    const struct oidc_code_redeem *in, struct oidc_code_row *out,
    bool *refreshed, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;
	int			 rc = 0;

	memset(out, 0, sizeof(*out));
	*refreshed = false;
	redeemed_params(&p, in);
	if (oidc_db_run(db, OIDC_STMT_CODE_REDEEMED_BY, &p, &res, err) == -1)
		return -1;
	if (PQntuples(res) == 1) {
		rc = read_code(a, res, in->code_hash, out, err) == -1 ? -1 : 1;
		*refreshed = oidc_db_bool(res, 0, CC_REFRESHED);
	}
	PQclear(res);
	return rc;
}

int
oidc_db_code_sealed_redeemed_by(struct oidc_db *db, struct oidc_arena *a,
    const struct oidc_code_redeem *in, struct oidc_code_row *out,
    bool *refreshed, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;
	int			 rc = 0;

	memset(out, 0, sizeof(*out));
	*refreshed = false;
	redeemed_params(&p, in);
	if (oidc_db_run(db, OIDC_STMT_CODE_SEALED_REDEEMED_BY, &p, &res,
	    err) == -1)
		return -1;
	if (PQntuples(res) == 1) {
		rc = 1;
		*refreshed = oidc_db_bool(res, 0, CS_REFRESHED);
		out->user_updated_at = oidc_db_i64(res, 0, CS_UUPDATED);
		if (oidc_db_copy(a, res, 0, CS_SUB, &out->sub, err) == -1 ||
		    oidc_db_copy(a, res, 0, CS_UCLAIMS, &out->user_claims,
		    err) == -1)
			rc = -1;
	}
	PQclear(res);
	return rc;
}

int
oidc_db_token_insert(struct oidc_db *db, const struct oidc_token_row *t,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	db_p_bin(&p, t->token_hash, OIDC_HASH_LEN);
	db_p_cstr(&p, t->kind);
	db_p_str(&p, t->client_id);
	db_p_i64_or_null(&p, t->user_id);
	db_p_str(&p, t->scope);
	db_p_bin_if(&p, t->has_code, t->code_hash, OIDC_HASH_LEN);
	db_p_bin_if(&p, t->has_family, t->family_id, OIDC_FAMILY_LEN);
	db_p_i64_or_null(&p, t->auth_time);
	db_p_str(&p, t->acr);
	db_p_str(&p, t->amr);
	db_p_str(&p, t->sid);
	db_p_str(&p, t->claims);
	db_p_i64(&p, t->ttl);
	db_p_str(&p, t->dpop_jkt);
	db_p_str(&p, t->resource);
	db_p_str(&p, t->x5t);
	return run_count(db, OIDC_STMT_TOKEN_INSERT, &p, err) == 1 ? 0 : -1;
}

static int
read_token(struct oidc_arena *a, PGresult *res, struct oidc_token_row *t,
    struct oidc_error *err)
{
	t->user_id = oidc_db_i64(res, 0, T_USER);
	t->auth_time = oidc_db_i64(res, 0, T_AUTH_TIME);
	t->expires_at = oidc_db_i64(res, 0, T_EXPIRES);
	t->created_at = oidc_db_i64(res, 0, T_CREATED);
	t->user_updated_at = oidc_db_i64(res, 0, T_UUPDATED);
	if (oidc_db_copy(a, res, 0, T_CLIENT, &t->client_id, err) ||
	    oidc_db_copy(a, res, 0, T_SCOPE, &t->scope, err) ||
	    oidc_db_copy(a, res, 0, T_ACR, &t->acr, err) ||
	    oidc_db_copy(a, res, 0, T_AMR, &t->amr, err) ||
	    oidc_db_copy(a, res, 0, T_SID, &t->sid, err) ||
	    oidc_db_copy(a, res, 0, T_CLAIMS, &t->claims, err) ||
	    oidc_db_copy(a, res, 0, T_SUB, &t->sub, err) ||
	    oidc_db_copy(a, res, 0, T_USERNAME, &t->username, err) ||
	    oidc_db_copy(a, res, 0, T_UCLAIMS, &t->user_claims, err) ||
	    oidc_db_copy(a, res, 0, T_JKT, &t->dpop_jkt, err) ||
	    oidc_db_copy(a, res, 0, T_RESOURCE, &t->resource, err) ||
	    oidc_db_copy(a, res, 0, T_X5T, &t->x5t, err))
		return -1;
	return 0;
}

int
oidc_db_access_token_get(struct oidc_db *db, struct oidc_arena *a,
    const unsigned char *hash, struct oidc_token_row *t,
    struct oidc_error *err)
{
	PGresult	*res;
	int		 rc;

	memset(t, 0, sizeof(*t));
	if ((rc = one_by_hash(db, OIDC_STMT_ACCESS_TOKEN_GET, hash, NULL, &res,
	    err)) == 1) {
		t->kind = "access";
		memcpy(t->token_hash, hash, OIDC_HASH_LEN);
		if (read_token(a, res, t, err) == -1 ||
		    oidc_db_copy(a, res, 0, TA_SECRET_PLAIN,
		    &t->client_secret_plain, err) ||
		    oidc_db_copy(a, res, 0, TA_CLIENT_META,
		    &t->client_metadata, err) ||
		    oidc_db_copy_bytea(a, res, 0, TA_SECRET_SEALED,
		    DB_MAX_SEALED_SECRET, &t->client_secret_sealed,
		    &t->client_secret_sealed_len, err))
			rc = -1;
	}
	PQclear(res);
	return rc;
}

int
oidc_db_refresh_rotate(struct oidc_db *db, struct oidc_arena *a,
    const unsigned char *hash, struct oidc_str client_id,
    struct oidc_token_row *t, struct oidc_error *err)
{
	PGresult	*res;
	int		 rc;

	memset(t, 0, sizeof(*t));
	if ((rc = one_by_hash(db, OIDC_STMT_REFRESH_ROTATE, hash, &client_id,
	    &res, err)) == 1) {
		t->kind = "refresh";
		memcpy(t->token_hash, hash, OIDC_HASH_LEN);
		if (read_token(a, res, t, err) == -1)
			rc = -1;
		t->has_code = oidc_db_bytea(res, 0, TR_CODE_HASH, t->code_hash,
		    OIDC_HASH_LEN) == 0;
		t->has_family = oidc_db_bytea(res, 0, TR_FAMILY, t->family_id,
		    OIDC_FAMILY_LEN) == 0;
	}
	PQclear(res);
	return rc;
}

int
oidc_db_refresh_rotated_by(struct oidc_db *db, struct oidc_arena *a,
    const unsigned char *hash, struct oidc_str client_id,
    const unsigned char *access_hash, struct oidc_token_row *t,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;
	int			 rc = 0;

	memset(t, 0, sizeof(*t));
	db_p_bin(&p, hash, OIDC_HASH_LEN);
	db_p_str(&p, client_id);
	db_p_bin(&p, access_hash, OIDC_HASH_LEN);
	if (oidc_db_run(db, OIDC_STMT_REFRESH_ROTATED_BY, &p, &res,
	    err) == -1)
		return -1;
	if (PQntuples(res) == 1) {
		rc = 1;
		t->kind = "refresh";
		memcpy(t->token_hash, hash, OIDC_HASH_LEN);
		if (read_token(a, res, t, err) == -1)
			rc = -1;
		t->has_code = oidc_db_bytea(res, 0, TR_CODE_HASH, t->code_hash,
		    OIDC_HASH_LEN) == 0;
		t->has_family = oidc_db_bytea(res, 0, TR_FAMILY, t->family_id,
		    OIDC_FAMILY_LEN) == 0;
	}
	PQclear(res);
	return rc;
}

/* refresh_use or refresh_used_by (access_hash): as refresh_rotate. */
static int
refresh_kept(struct oidc_db *db, struct oidc_arena *a,
    const unsigned char *hash, struct oidc_str client_id,
    const unsigned char *access_hash, struct oidc_token_row *t,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;
	int			 rc = 0;

	memset(t, 0, sizeof(*t));
	db_p_bin(&p, hash, OIDC_HASH_LEN);
	db_p_str(&p, client_id);
	if (access_hash != NULL)
		db_p_bin(&p, access_hash, OIDC_HASH_LEN);
	if (oidc_db_run(db, access_hash != NULL ? OIDC_STMT_REFRESH_USED_BY :
	    OIDC_STMT_REFRESH_USE, &p, &res, err) == -1)
		return -1;
	if (PQntuples(res) == 1) {
		rc = 1;
		t->kind = "refresh";
		memcpy(t->token_hash, hash, OIDC_HASH_LEN);
		if (read_token(a, res, t, err) == -1)
			rc = -1;
		t->has_code = oidc_db_bytea(res, 0, TR_CODE_HASH, t->code_hash,
		    OIDC_HASH_LEN) == 0;
		t->has_family = oidc_db_bytea(res, 0, TR_FAMILY, t->family_id,
		    OIDC_FAMILY_LEN) == 0;
	}
	PQclear(res);
	return rc;
}

int
oidc_db_refresh_use(struct oidc_db *db, struct oidc_arena *a,
    const unsigned char *hash, struct oidc_str client_id,
    struct oidc_token_row *t, struct oidc_error *err)
{
	return refresh_kept(db, a, hash, client_id, NULL, t, err);
}

int
oidc_db_refresh_used_by(struct oidc_db *db, struct oidc_arena *a,
    const unsigned char *hash, struct oidc_str client_id,
    const unsigned char *access_hash, struct oidc_token_row *t,
    struct oidc_error *err)
{
	return refresh_kept(db, a, hash, client_id, access_hash, t, err);
}

int
oidc_db_refresh_reuse_revoke(struct oidc_db *db, const unsigned char *hash,
    struct oidc_str client_id, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	int			 n;

	db_p_bin(&p, hash, OIDC_HASH_LEN);
	db_p_str(&p, client_id);
	if ((n = run_count(db, OIDC_STMT_REFRESH_REUSE_REVOKE, &p, err)) < 0)
		return -1;
	return n > 0;
}

int
oidc_db_token_revoke(struct oidc_db *db, const unsigned char *hash,
    struct oidc_str client_id, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	db_p_bin(&p, hash, OIDC_HASH_LEN);
	db_p_str(&p, client_id);
	return run_count(db, OIDC_STMT_TOKEN_REVOKE, &p, err) < 0 ? -1 : 0;
}

int
oidc_db_token_introspect(struct oidc_db *db, struct oidc_arena *a,
    const unsigned char *hash, struct oidc_token_row *t,
    struct oidc_error *err)
{
	PGresult	*res;
	int		 rc;

	memset(t, 0, sizeof(*t));
	if ((rc = one_by_hash(db, OIDC_STMT_TOKEN_INTROSPECT, hash, NULL, &res,
	    err)) == 1) {
		memcpy(t->token_hash, hash, OIDC_HASH_LEN);
		t->kind = strcmp(PQgetvalue(res, 0, TI_KIND), "refresh") == 0 ?
		    "refresh" : "access";
		if (read_token(a, res, t, err) == -1)
			rc = -1;
	}
	PQclear(res);
	return rc;
}

int
oidc_db_nonce_use(struct oidc_db *db, struct oidc_str client_id,
    const unsigned char *hash, int64_t ttl, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	db_p_str(&p, client_id);
	db_p_bin(&p, hash, OIDC_HASH_LEN);
	db_p_i64(&p, ttl);
	return run_count(db, OIDC_STMT_NONCE_USE, &p, err);
}

int
oidc_db_jti_use(struct oidc_db *db, struct oidc_str client_id,
    const unsigned char *hash, int64_t expires_at, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	db_p_str(&p, client_id);
	db_p_bin(&p, hash, OIDC_HASH_LEN);
	db_p_i64(&p, expires_at);
	return run_count(db, OIDC_STMT_JTI_USE, &p, err);
}

int
oidc_db_par_insert(struct oidc_db *db, const unsigned char *hash,
    struct oidc_str client_id, struct oidc_str params, int64_t ttl,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	db_p_bin(&p, hash, OIDC_HASH_LEN);
	db_p_str(&p, client_id);
	db_p_str(&p, params);
	db_p_i64(&p, ttl);
	return run_count(db, OIDC_STMT_PAR_INSERT, &p, err) < 0 ? -1 : 0;
}

int
oidc_db_par_redeem(struct oidc_db *db, struct oidc_arena *a,
    const unsigned char *hash, struct oidc_str client_id,
    struct oidc_str *params, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;
	int			 rc;

	db_p_bin(&p, hash, OIDC_HASH_LEN);
	db_p_str(&p, client_id);
	if (oidc_db_run(db, OIDC_STMT_PAR_REDEEM, &p, &res, err) == -1)
		return -1;
	rc = PQntuples(res) == 1;
	if (rc == 1 && oidc_db_copy(a, res, 0, V_VALUE, params, err) == -1)
		rc = -1;
	PQclear(res);
	return rc;
}

int
oidc_db_dpop_jti_use(struct oidc_db *db, const unsigned char *hash,
    int64_t expires_at, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	db_p_bin(&p, hash, OIDC_HASH_LEN);
	db_p_i64(&p, expires_at);
	return run_count(db, OIDC_STMT_DPOP_JTI_USE, &p, err);
}

int
oidc_db_fetch_slot_take(struct oidc_db *db, int64_t slots, int64_t *slot,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;
	int			 rc;

	db_p_i64(&p, slots);
	if (oidc_db_run(db, OIDC_STMT_FETCH_SLOT_TAKE, &p, &res, err) == -1)
		return -1;
	if ((rc = PQntuples(res) == 1) != 0)
		*slot = oidc_db_i64(res, 0, V_VALUE);
	PQclear(res);
	return rc;
}

int
oidc_db_fetch_slot_give(struct oidc_db *db, int64_t slot,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	db_p_i64(&p, slot);
	return run_count(db, OIDC_STMT_FETCH_SLOT_GIVE, &p, err) == 1 ? 0 : -1;
}

int
oidc_db_session_insert(struct oidc_db *db, const struct oidc_session_row *s,
    int64_t ttl, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	db_p_bin(&p, s->session_hash, OIDC_HASH_LEN);
	db_p_i64(&p, s->user_id);
	db_p_str(&p, s->sid);
	db_p_i64(&p, s->auth_time);
	db_p_str(&p, s->amr);
	db_p_i64(&p, ttl);
	db_p_bin(&p, s->has_login_request ? s->login_request : NULL,
	    OIDC_HASH_LEN);
	return run_count(db, OIDC_STMT_SESSION_INSERT, &p, err) == 1 ? 0 : -1;
}

static int
read_session(struct oidc_arena *a, PGresult *res, const unsigned char *hash,
    struct oidc_session_row *s, struct oidc_error *err)
{
	memcpy(s->session_hash, hash, OIDC_HASH_LEN);
	s->user_id = oidc_db_i64(res, 0, S_USER);
	s->auth_time = oidc_db_i64(res, 0, S_AUTH_TIME);
	if (oidc_db_copy(a, res, 0, S_SID, &s->sid, err) ||
	    oidc_db_copy(a, res, 0, S_AMR, &s->amr, err) ||
	    oidc_db_copy(a, res, 0, S_SUB, &s->sub, err) ||
	    oidc_db_copy(a, res, 0, S_USERNAME, &s->username, err))
		return -1;
	s->has_login_request = oidc_db_bytea(res, 0, S_LOGIN_REQUEST,
	    s->login_request, OIDC_HASH_LEN) == 0;
	return 0;
}

int
oidc_db_session_get(struct oidc_db *db, struct oidc_arena *a,
    const unsigned char *hash, struct oidc_session_row *s,
    struct oidc_error *err)
{
	PGresult	*res;
	int		 rc;

	memset(s, 0, sizeof(*s));
	if ((rc = one_by_hash(db, OIDC_STMT_SESSION_GET, hash, NULL, &res,
	    err)) == 1 && read_session(a, res, hash, s, err) == -1)
		rc = -1;
	PQclear(res);
	return rc;
}

int
oidc_db_session_get_consent(struct oidc_db *db, struct oidc_arena *a,
    const unsigned char *hash, struct oidc_str client_id,
    struct oidc_session_row *s, bool *has_consent,
    struct oidc_consent_row *consent, struct oidc_error *err)
{
	PGresult	*res;
	int		 rc;

	memset(s, 0, sizeof(*s));
	*has_consent = false;
	consent->scope = consent->claims = OIDC_STR_NULL;
	if ((rc = one_by_hash(db, OIDC_STMT_SESSION_GET_CONSENT, hash,
	    &client_id, &res, err)) == 1) {
		*has_consent = !PQgetisnull(res, 0, SC_SCOPE);
		if (read_session(a, res, hash, s, err) == -1 ||
		    oidc_db_copy(a, res, 0, SC_SCOPE, &consent->scope,
		    err) == -1 || oidc_db_copy(a, res, 0, SC_CLAIMS,
		    &consent->claims, err) == -1)
			rc = -1;
	}
	PQclear(res);
	return rc;
}

int
oidc_db_client_session_get(struct oidc_db *db, struct oidc_arena *a,
    struct oidc_str client_id, const unsigned char *hash,
    struct oidc_client_row *c, bool *has_session, struct oidc_session_row *s,
    bool *has_consent, struct oidc_consent_row *consent,
    struct oidc_error *err)
{
	PGresult	*res;
	int		 rc;

	memset(s, 0, sizeof(*s));
	*has_session = *has_consent = false;
	consent->scope = consent->claims = OIDC_STR_NULL;
	if (client_id.p == NULL || client_id.len > 128)
		return 0;
	if ((rc = one_by_hash(db, OIDC_STMT_CLIENT_SESSION_GET, hash,
	    &client_id, &res, err)) != 1)
		return rc;
	/* session_get_consent's columns come first, NULL without a session. */
	*has_session = !PQgetisnull(res, 0, S_USER);
	*has_consent = *has_session && !PQgetisnull(res, 0, SC_SCOPE);
	if (oidc_db_client_row_read(a, res, 0, CSG_CLIENT, c, err) == -1 ||
	    (*has_session && (read_session(a, res, hash, s, err) == -1 ||
	    oidc_db_copy(a, res, 0, SC_SCOPE, &consent->scope, err) == -1 ||
	    oidc_db_copy(a, res, 0, SC_CLAIMS, &consent->claims, err) == -1)))
		rc = -1;
	PQclear(res);
	return rc;
}

int
oidc_db_session_delete(struct oidc_db *db, const unsigned char *hash,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	db_p_bin(&p, hash, OIDC_HASH_LEN);
	return run_count(db, OIDC_STMT_SESSION_DELETE, &p, err) < 0 ? -1 : 0;
}

int
oidc_db_consent_get(struct oidc_db *db, struct oidc_arena *a, int64_t user_id,
    struct oidc_str client_id, struct oidc_consent_row *consent,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;
	int			 rc;

	db_p_i64(&p, user_id);
	db_p_str(&p, client_id);
	if (oidc_db_run(db, OIDC_STMT_CONSENT_GET, &p, &res, err) == -1)
		return -1;
	rc = PQntuples(res) == 1;
	if (rc == 1 && (oidc_db_copy(a, res, 0, CO_SCOPE, &consent->scope,
	    err) == -1 || oidc_db_copy(a, res, 0, CO_CLAIMS, &consent->claims,
	    err) == -1))
		rc = -1;
	PQclear(res);
	return rc;
}

int
oidc_db_consent_put(struct oidc_db *db, int64_t user_id,
    struct oidc_str client_id, const struct oidc_consent_row *consent,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	db_p_i64(&p, user_id);
	db_p_str(&p, client_id);
	db_p_str(&p, consent->scope);
	db_p_str(&p, consent->claims);
	return run_count(db, OIDC_STMT_CONSENT_PUT, &p, err) == 1 ? 0 : -1;
}

int
oidc_db_login_throttle(struct oidc_db *db, const char *k1, const char *k2,
    int64_t window_s, int64_t free1, int64_t free2, bool serialize,
    struct oidc_throttle *t1, struct oidc_throttle *t2,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;

	db_p_cstr(&p, k1);
	if (serialize) {
		if (oidc_db_run(db, OIDC_STMT_LOGIN_LOCK, &p, &res, err) == -1)
			return -1;
		PQclear(res);
	}
	db_p_cstr(&p, k2);
	db_p_i64(&p, window_s);
	db_p_i64(&p, free1);
	db_p_i64(&p, free2);
	if (oidc_db_run(db, OIDC_STMT_LOGIN_THROTTLE, &p, &res, err) == -1)
		return -1;
	t1->n = oidc_db_i64(res, 0, LT_N1);
	t1->wait = oidc_db_i64(res, 0, LT_WAIT1);
	t2->n = oidc_db_i64(res, 0, LT_N2);
	t2->wait = oidc_db_i64(res, 0, LT_WAIT2);
	PQclear(res);
	return 0;
}

int
oidc_db_login_failure_add(struct oidc_db *db, const char *k1, const char *k2,
    const char *account, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	db_p_cstr(&p, k1);
	db_p_cstr(&p, k2);
	db_p_cstr(&p, account);
	return run_count(db, OIDC_STMT_LOGIN_FAILURE_ADD, &p, err) < 0 ? -1 : 0;
}

/* Delete the failures of `who` by the statement `id`; *deleted, how many. */
static int
unlock(struct oidc_db *db, enum oidc_stmt_id id, struct oidc_str who,
    int64_t *deleted, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	int			 n;

	db_p_str(&p, who);
	if ((n = run_count(db, id, &p, err)) < 0)
		return -1;
	*deleted = n;
	return 0;
}

int
oidc_db_login_unlock(struct oidc_db *db, struct oidc_str username,
    int64_t *deleted, struct oidc_error *err)
{
	return unlock(db, OIDC_STMT_LOGIN_UNLOCK, username, deleted, err);
}

int
oidc_db_client_unlock(struct oidc_db *db, struct oidc_str client_id,
    int64_t *deleted, struct oidc_error *err)
{
	return unlock(db, OIDC_STMT_CLIENT_UNLOCK, client_id, deleted, err);
}

/* LOCK_STATE (stmt.c) of `who` by the statement `id`. */
static int
lock_state(struct oidc_db *db, enum oidc_stmt_id id, struct oidc_str who,
    int64_t window_s, int64_t free_per_key, struct oidc_throttle *t,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;

	db_p_str(&p, who);
	db_p_i64(&p, window_s);
	db_p_i64(&p, free_per_key);
	if (oidc_db_run(db, id, &p, &res, err) == -1)
		return -1;
	t->n = oidc_db_i64(res, 0, LS_N);
	t->wait = oidc_db_i64(res, 0, LS_WAIT);
	PQclear(res);
	return 0;
}

int
oidc_db_login_state(struct oidc_db *db, struct oidc_str username,
    int64_t window_s, int64_t free_per_key, struct oidc_throttle *t,
    struct oidc_error *err)
{
	return lock_state(db, OIDC_STMT_LOGIN_STATE, username, window_s,
	    free_per_key, t, err);
}

int
oidc_db_client_auth_state(struct oidc_db *db, struct oidc_str client_id,
    int64_t window_s, int64_t free_per_key, struct oidc_throttle *t,
    struct oidc_error *err)
{
	return lock_state(db, OIDC_STMT_CLIENT_AUTH_STATE, client_id,
	    window_s, free_per_key, t, err);
}

int
oidc_db_purge(struct oidc_db *db, int64_t batch, int64_t keep_s,
    int64_t *deleted, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;
	int64_t			 n;

	*deleted = 0;
	db_p_i64(&p, batch);
	db_p_i64(&p, keep_s);
	do {
		if (oidc_db_run(db, OIDC_STMT_PURGE, &p, &res, err) == -1)
			return -1;
		n = oidc_db_i64(res, 0, V_VALUE);
		PQclear(res);
		*deleted += n;
	} while (n > 0);
	return 0;
}

int
oidc_db_session_client_add(struct oidc_db *db, struct oidc_str sid,
    struct oidc_str client_id, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	db_p_str(&p, sid);
	db_p_str(&p, client_id);
	return run_count(db, OIDC_STMT_SESSION_CLIENT_ADD, &p, err) < 0 ?
	    -1 : 0;
}

/* One row of backchannel_targets (BT_* columns, stmt.h). */
static int
read_target(struct oidc_arena *a, PGresult *res, int r, void *row,
    struct oidc_error *err)
{
	struct oidc_backchannel_target	*t = row;

	if (oidc_db_copy(a, res, r, BT_CLIENT, &t->client_id, err) == -1 ||
	    oidc_db_copy(a, res, r, BT_META, &t->metadata, err) == -1)
		return -1;
	return 0;
}

int
oidc_db_backchannel_targets(struct oidc_db *db, struct oidc_arena *a,
    struct oidc_str sid, struct oidc_backchannel_target **rows, size_t *n,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	void			*v;

	*rows = NULL;
	db_p_str(&p, sid);
	if (oidc_db_rows(db, OIDC_STMT_BACKCHANNEL_TARGETS, &p, a,
	    sizeof(**rows), read_target, &v, n, err) == -1)
		return -1;
	*rows = v;
	return 0;
}

int
oidc_db_backchannel_enqueue(struct oidc_db *db, struct oidc_str client_id,
    struct oidc_str uri, const char *token, int64_t expires_at,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	db_p_str(&p, client_id);
	db_p_str(&p, uri);
	db_p_cstr(&p, token);
	db_p_i64(&p, expires_at);
	return run_count(db, OIDC_STMT_BACKCHANNEL_ENQUEUE, &p, err) == 1 ?
	    0 : -1;
}

/* One row of backchannel_claim (BC_* columns, stmt.h). */
static int
read_delivery(struct oidc_arena *a, PGresult *res, int r, void *row,
    struct oidc_error *err)
{
	struct oidc_backchannel_delivery	*d = row;

	d->delivery_id = oidc_db_i64(res, r, BC_ID);
	d->attempts = oidc_db_i64(res, r, BC_ATTEMPTS);
	d->expired = oidc_db_bool(res, r, BC_EXPIRED);
	if (oidc_db_copy(a, res, r, BC_CLIENT, &d->client_id, err) == -1 ||
	    oidc_db_copy(a, res, r, BC_URI, &d->uri, err) == -1 ||
	    oidc_db_copy(a, res, r, BC_TOKEN, &d->token, err) == -1)
		return -1;
	return 0;
}

int
oidc_db_backchannel_claim(struct oidc_db *db, struct oidc_arena *a,
    int64_t batch, int64_t base_s, struct oidc_backchannel_delivery **rows,
    size_t *n, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	void			*v;

	*rows = NULL;
	db_p_i64(&p, batch);
	db_p_i64(&p, base_s);
	if (oidc_db_rows(db, OIDC_STMT_BACKCHANNEL_CLAIM, &p, a,
	    sizeof(**rows), read_delivery, &v, n, err) == -1)
		return -1;
	*rows = v;
	return 0;
}

int
oidc_db_backchannel_delete(struct oidc_db *db, int64_t delivery_id,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	db_p_i64(&p, delivery_id);
	return run_count(db, OIDC_STMT_BACKCHANNEL_DELETE, &p, err) < 0 ?
	    -1 : 0;
}
