/*
 * db_grant.c: codes, tokens, sessions, consents and the replay/throttle
 * ledgers (see oidc/db.h).  Hashes travel as binary bytea parameters;
 * integers as decimal text.
 */
#include <stdio.h>
#include <string.h>

#include "oidc/arena.h"
#include "db_int.h"

#define TEXT	0
#define BIN	1

/* Parameter vectors for one statement. */
struct params {
	const char	*v[20];
	int		 len[20];
	int		 fmt[20];
	char		 num[20][24];
	int		 n;
};

static void
p_str(struct params *p, struct oidc_str s)
{
	p->v[p->n] = s.p;	/* NULL is SQL NULL; text is NUL-terminated */
	p->len[p->n] = 0;
	p->fmt[p->n++] = TEXT;
}

static void
p_cstr(struct params *p, const char *s)
{
	p_str(p, (struct oidc_str){ s, s != NULL ? strlen(s) : 0 });
}

static void
p_bin(struct params *p, const unsigned char *b, size_t len)
{
	p->v[p->n] = (const char *)b;
	p->len[p->n] = (int)len;
	p->fmt[p->n++] = BIN;
}

/* b[0..len) when `have`, else SQL NULL. */
static void
p_bin_if(struct params *p, bool have, const unsigned char *b, size_t len)
{
	if (have)
		p_bin(p, b, len);
	else
		p_str(p, OIDC_STR_NULL);
}

static void
p_i64(struct params *p, int64_t v)
{
	(void)snprintf(p->num[p->n], sizeof(p->num[0]), "%lld", (long long)v);
	p->v[p->n] = p->num[p->n];
	p->len[p->n] = 0;
	p->fmt[p->n++] = TEXT;
}

/* An id of 0 (or a time of 0) is SQL NULL. */
static void
p_i64_or_null(struct params *p, int64_t v)
{
	if (v == 0) {
		p->v[p->n] = NULL;
		p->len[p->n] = 0;
		p->fmt[p->n++] = TEXT;
	} else
		p_i64(p, v);
}

static int
run(struct oidc_db *db, enum oidc_stmt_id id, struct params *p,
    PGresult **res, struct oidc_error *err)
{
	return oidc_db_exec(db, id, p->v, p->len, p->fmt, res, err);
}

/* Run a statement whose result is only "how many rows". */
static int
run_count(struct oidc_db *db, enum oidc_stmt_id id, struct params *p,
    struct oidc_error *err)
{
	PGresult	*res;
	int		 n;

	if (run(db, id, p, &res, err) == -1)
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
	struct params	 p = { .n = 0 };

	*res = NULL;	/* PQclear(NULL) is a no-op for every caller path */
	p_bin(&p, hash, OIDC_HASH_LEN);
	if (client_id != NULL)
		p_str(&p, *client_id);
	if (run(db, id, &p, res, err) == -1) {
		*res = NULL;
		return -1;
	}
	if (PQntuples(*res) == 1)
		return 1;
	PQclear(*res);
	*res = NULL;
	return 0;
}

/* $1..$13 of code_issue: the code's row. */
static void
code_params(struct params *p, const struct oidc_code_row *c)
{
	p_bin(p, c->code_hash, OIDC_HASH_LEN);
	p_str(p, c->client_id);
	p_i64(p, c->user_id);
	p_str(p, c->redirect_uri);
	p_str(p, c->scope);
	p_str(p, c->nonce);
	p_str(p, c->code_challenge);
	p_i64(p, c->auth_time);
	p_str(p, c->acr);
	p_str(p, c->amr);
	p_str(p, c->sid);
	p_str(p, c->claims);
	p_i64(p, c->ttl);
}

/* Columns of code_consume; code_redeem adds "refresh inserted". */
enum { CC_CLIENT, CC_USER, CC_REDIRECT, CC_SCOPE, CC_NONCE, CC_CHALLENGE,
    CC_AUTH_TIME, CC_ACR, CC_AMR, CC_SID, CC_CLAIMS, CC_SUB, CC_UCLAIMS,
    CC_UUPDATED, CC_EXPIRED, CC_REFRESHED };

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
	    oidc_db_copy(a, res, 0, CC_UCLAIMS, &c->user_claims, err))
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
	struct params	 p = { .n = 0 };
	PGresult	*res;
	int		 rc;

	code_params(&p, c);
	p_bin_if(&p, nonce_hash != NULL, nonce_hash, OIDC_HASH_LEN);
	p_i64(&p, nonce_ttl);
	if (run(db, OIDC_STMT_CODE_ISSUE, &p, &res, err) == -1)
		return -1;
	rc = PQntuples(res) == 1 && oidc_db_bool(res, 0, 0) ? 1 : 0;
	PQclear(res);
	return rc;
}

int
oidc_db_code_redeem(struct oidc_db *db, struct oidc_arena *a,
    const struct oidc_code_redeem *in, struct oidc_code_row *out,
    bool *refreshed, struct oidc_error *err)
{
	struct params	 p = { .n = 0 };
	PGresult	*res;
	int		 rc = 0;

	memset(out, 0, sizeof(*out));
	*refreshed = false;
	p_bin(&p, in->code_hash, OIDC_HASH_LEN);
	p_str(&p, in->client_id);
	p_str(&p, in->redirect_uri);
	p_str(&p, in->challenge);
	p_bin(&p, in->access_hash, OIDC_HASH_LEN);
	p_bin(&p, in->family_id, OIDC_FAMILY_LEN);
	p_i64(&p, in->access_ttl);
	p_bin_if(&p, in->may_refresh, in->refresh_hash, OIDC_HASH_LEN);
	p_i64(&p, in->refresh_ttl);
	if (run(db, OIDC_STMT_CODE_REDEEM, &p, &res, err) == -1)
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
	struct params	 p = { .n = 0 };

	p_bin(&p, hash, OIDC_HASH_LEN);
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

/* Columns of code_redeem_sealed. */
enum { CS_CODE_FRESH, CS_NONCE_FRESH, CS_SUB, CS_UCLAIMS, CS_UUPDATED,
    CS_REFRESHED };

int
oidc_db_code_redeem_sealed(struct oidc_db *db, struct oidc_arena *a,
    const struct oidc_code_redeem *in, const struct oidc_code_sealed *sealed,
    enum oidc_sealed_outcome *outcome, struct oidc_code_row *out,
    bool *refreshed, struct oidc_error *err)
{
	const struct oidc_code_row	*c = sealed->code;
	struct params			 p = { .n = 0 };
	PGresult			*res;
	int				 rc = -1;

	memset(out, 0, sizeof(*out));
	*refreshed = false;
	*outcome = OIDC_SEALED_NO_USER;
	p_bin(&p, in->code_hash, OIDC_HASH_LEN);
	p_str(&p, in->client_id);
	p_i64(&p, c->user_id);
	p_str(&p, c->scope);
	p_i64(&p, c->auth_time);
	p_str(&p, c->sid);
	p_bin(&p, in->access_hash, OIDC_HASH_LEN);
	p_bin(&p, in->family_id, OIDC_FAMILY_LEN);
	p_bin_if(&p, in->may_refresh, in->refresh_hash, OIDC_HASH_LEN);
	p_i64(&p, in->access_ttl);
	p_i64(&p, in->refresh_ttl);
	p_str(&p, c->acr);
	p_str(&p, c->amr);
	p_str(&p, c->claims);
	p_bin_if(&p, sealed->has_nonce, sealed->nonce_hash, OIDC_HASH_LEN);
	p_i64(&p, sealed->nonce_ttl);
	p_i64(&p, sealed->keep_until);
	if (run(db, OIDC_STMT_CODE_REDEEM_SEALED, &p, &res, err) == -1)
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

int
oidc_db_token_insert(struct oidc_db *db, const struct oidc_token_row *t,
    struct oidc_error *err)
{
	struct params	 p = { .n = 0 };

	p_bin(&p, t->token_hash, OIDC_HASH_LEN);
	p_cstr(&p, t->kind);
	p_str(&p, t->client_id);
	p_i64_or_null(&p, t->user_id);
	p_str(&p, t->scope);
	p_bin_if(&p, t->has_code, t->code_hash, OIDC_HASH_LEN);
	p_bin_if(&p, t->has_family, t->family_id, OIDC_FAMILY_LEN);
	p_i64_or_null(&p, t->auth_time);
	p_str(&p, t->acr);
	p_str(&p, t->amr);
	p_str(&p, t->sid);
	p_str(&p, t->claims);
	p_i64(&p, t->ttl);
	return run_count(db, OIDC_STMT_TOKEN_INSERT, &p, err) == 1 ? 0 : -1;
}

/* Columns shared by access_token_get and refresh_rotate. */
enum { T_CLIENT, T_USER, T_SCOPE, T_AUTH_TIME, T_ACR, T_AMR, T_SID, T_CLAIMS,
    T_EXPIRES, T_CREATED, T_SUB, T_USERNAME, T_UCLAIMS, T_UUPDATED,
    T_CODE_HASH, T_FAMILY, T_UI_ALG, T_SECRET_PLAIN, T_REDIRECT_URIS,
    T_CLIENT_META, T_SECRET_SEALED };

/* token_introspect puts the kind where refresh_rotate has code_hash. */
#define T_KIND	T_CODE_HASH

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
	    oidc_db_copy(a, res, 0, T_UCLAIMS, &t->user_claims, err))
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
		    oidc_db_copy(a, res, 0, T_UI_ALG, &t->userinfo_alg, err) ||
		    oidc_db_copy(a, res, 0, T_SECRET_PLAIN,
		    &t->client_secret_plain, err) ||
		    oidc_db_copy(a, res, 0, T_REDIRECT_URIS,
		    &t->client_redirect_uris, err) ||
		    oidc_db_copy(a, res, 0, T_CLIENT_META,
		    &t->client_metadata, err) ||
		    oidc_db_copy_bytea(a, res, 0, T_SECRET_SEALED,
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
	if ((rc = one_by_hash(db, OIDC_STMT_REFRESH_ROTATE, hash, &client_id, &res,
	    err)) == 1) {
		t->kind = "refresh";
		memcpy(t->token_hash, hash, OIDC_HASH_LEN);
		if (read_token(a, res, t, err) == -1)
			rc = -1;
		t->has_code = oidc_db_bytea(res, 0, T_CODE_HASH, t->code_hash,
		    OIDC_HASH_LEN) == 0;
		t->has_family = oidc_db_bytea(res, 0, T_FAMILY, t->family_id,
		    OIDC_FAMILY_LEN) == 0;
	}
	PQclear(res);
	return rc;
}

int
oidc_db_refresh_reuse_revoke(struct oidc_db *db, const unsigned char *hash,
    struct oidc_str client_id, struct oidc_error *err)
{
	struct params	 p = { .n = 0 };
	int		 n;

	p_bin(&p, hash, OIDC_HASH_LEN);
	p_str(&p, client_id);
	if ((n = run_count(db, OIDC_STMT_REFRESH_REUSE_REVOKE, &p, err)) < 0)
		return -1;
	return n > 0;
}

int
oidc_db_token_revoke(struct oidc_db *db, const unsigned char *hash,
    struct oidc_str client_id, struct oidc_error *err)
{
	struct params	 p = { .n = 0 };

	p_bin(&p, hash, OIDC_HASH_LEN);
	p_str(&p, client_id);
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
		t->kind = strcmp(PQgetvalue(res, 0, T_KIND), "refresh") == 0 ?
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
	struct params	 p = { .n = 0 };

	p_str(&p, client_id);
	p_bin(&p, hash, OIDC_HASH_LEN);
	p_i64(&p, ttl);
	return run_count(db, OIDC_STMT_NONCE_USE, &p, err);
}

int
oidc_db_jti_use(struct oidc_db *db, struct oidc_str client_id,
    const unsigned char *hash, int64_t expires_at, struct oidc_error *err)
{
	struct params	 p = { .n = 0 };

	p_str(&p, client_id);
	p_bin(&p, hash, OIDC_HASH_LEN);
	p_i64(&p, expires_at);
	return run_count(db, OIDC_STMT_JTI_USE, &p, err);
}

int
oidc_db_fetch_slot_take(struct oidc_db *db, int64_t slots, int64_t *slot,
    struct oidc_error *err)
{
	struct params	 p = { .n = 0 };
	PGresult	*res;
	int		 rc;

	p_i64(&p, slots);
	if (run(db, OIDC_STMT_FETCH_SLOT_TAKE, &p, &res, err) == -1)
		return -1;
	if ((rc = PQntuples(res) == 1) != 0)
		*slot = oidc_db_i64(res, 0, 0);
	PQclear(res);
	return rc;
}

int
oidc_db_fetch_slot_give(struct oidc_db *db, int64_t slot,
    struct oidc_error *err)
{
	struct params	 p = { .n = 0 };

	p_i64(&p, slot);
	return run_count(db, OIDC_STMT_FETCH_SLOT_GIVE, &p, err) == 1 ? 0 : -1;
}

int
oidc_db_session_insert(struct oidc_db *db, const struct oidc_session_row *s,
    int64_t ttl, struct oidc_error *err)
{
	struct params	 p = { .n = 0 };

	p_bin(&p, s->session_hash, OIDC_HASH_LEN);
	p_i64(&p, s->user_id);
	p_str(&p, s->sid);
	p_i64(&p, s->auth_time);
	p_str(&p, s->amr);
	p_i64(&p, ttl);
	p_bin(&p, s->has_login_request ? s->login_request : NULL,
	    OIDC_HASH_LEN);
	return run_count(db, OIDC_STMT_SESSION_INSERT, &p, err) == 1 ? 0 : -1;
}

static int
read_session(struct oidc_arena *a, PGresult *res, const unsigned char *hash,
    struct oidc_session_row *s, struct oidc_error *err)
{
	memcpy(s->session_hash, hash, OIDC_HASH_LEN);
	s->user_id = oidc_db_i64(res, 0, 0);
	s->auth_time = oidc_db_i64(res, 0, 2);
	if (oidc_db_copy(a, res, 0, 1, &s->sid, err) ||
	    oidc_db_copy(a, res, 0, 3, &s->amr, err) ||
	    oidc_db_copy(a, res, 0, 4, &s->sub, err) ||
	    oidc_db_copy(a, res, 0, 5, &s->username, err))
		return -1;
	s->has_login_request = oidc_db_bytea(res, 0, 6, s->login_request,
	    OIDC_HASH_LEN) == 0;
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
		*has_consent = !PQgetisnull(res, 0, 7);
		if (read_session(a, res, hash, s, err) == -1 ||
		    oidc_db_copy(a, res, 0, 7, &consent->scope, err) == -1 ||
		    oidc_db_copy(a, res, 0, 8, &consent->claims, err) == -1)
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
	/* Columns 0-8 are session_get_consent's, NULL without a session. */
	*has_session = !PQgetisnull(res, 0, 0);
	*has_consent = *has_session && !PQgetisnull(res, 0, 7);
	if (oidc_db_client_row_read(a, res, 0, 9, c, err) == -1 ||
	    (*has_session && (read_session(a, res, hash, s, err) == -1 ||
	    oidc_db_copy(a, res, 0, 7, &consent->scope, err) == -1 ||
	    oidc_db_copy(a, res, 0, 8, &consent->claims, err) == -1)))
		rc = -1;
	PQclear(res);
	return rc;
}

int
oidc_db_session_delete(struct oidc_db *db, const unsigned char *hash,
    struct oidc_error *err)
{
	struct params	 p = { .n = 0 };

	p_bin(&p, hash, OIDC_HASH_LEN);
	return run_count(db, OIDC_STMT_SESSION_DELETE, &p, err) < 0 ? -1 : 0;
}

int
oidc_db_consent_get(struct oidc_db *db, struct oidc_arena *a, int64_t user_id,
    struct oidc_str client_id, struct oidc_consent_row *consent,
    struct oidc_error *err)
{
	struct params	 p = { .n = 0 };
	PGresult	*res;
	int		 rc;

	p_i64(&p, user_id);
	p_str(&p, client_id);
	if (run(db, OIDC_STMT_CONSENT_GET, &p, &res, err) == -1)
		return -1;
	rc = PQntuples(res) == 1;
	if (rc == 1 && (oidc_db_copy(a, res, 0, 0, &consent->scope,
	    err) == -1 || oidc_db_copy(a, res, 0, 1, &consent->claims,
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
	struct params	 p = { .n = 0 };

	p_i64(&p, user_id);
	p_str(&p, client_id);
	p_str(&p, consent->scope);
	p_str(&p, consent->claims);
	return run_count(db, OIDC_STMT_CONSENT_PUT, &p, err) == 1 ? 0 : -1;
}

int
oidc_db_login_throttle(struct oidc_db *db, const char *k1, const char *k2,
    int64_t window_s, int64_t free1, int64_t free2, bool serialize,
    struct oidc_throttle *t1, struct oidc_throttle *t2,
    struct oidc_error *err)
{
	struct params	 p = { .n = 0 };
	PGresult	*res;

	p_cstr(&p, k1);
	if (serialize) {
		if (run(db, OIDC_STMT_LOGIN_LOCK, &p, &res, err) == -1)
			return -1;
		PQclear(res);
	}
	p_cstr(&p, k2);
	p_i64(&p, window_s);
	p_i64(&p, free1);
	p_i64(&p, free2);
	if (run(db, OIDC_STMT_LOGIN_THROTTLE, &p, &res, err) == -1)
		return -1;
	t1->n = oidc_db_i64(res, 0, 0);
	t1->wait = oidc_db_i64(res, 0, 1);
	t2->n = oidc_db_i64(res, 0, 2);
	t2->wait = oidc_db_i64(res, 0, 3);
	PQclear(res);
	return 0;
}

int
oidc_db_login_failure_add(struct oidc_db *db, const char *k1, const char *k2,
    const char *account, struct oidc_error *err)
{
	struct params	 p = { .n = 0 };

	p_cstr(&p, k1);
	p_cstr(&p, k2);
	p_cstr(&p, account);
	return run_count(db, OIDC_STMT_LOGIN_FAILURE_ADD, &p, err) < 0 ? -1 : 0;
}

int
oidc_db_login_unlock(struct oidc_db *db, struct oidc_str username,
    int64_t *deleted, struct oidc_error *err)
{
	struct params	 p = { .n = 0 };
	int		 n;

	p_str(&p, username);
	if ((n = run_count(db, OIDC_STMT_LOGIN_UNLOCK, &p, err)) < 0)
		return -1;
	*deleted = n;
	return 0;
}

int
oidc_db_purge(struct oidc_db *db, int64_t batch, int64_t keep_s,
    int64_t *deleted, struct oidc_error *err)
{
	struct params	 p = { .n = 0 };
	PGresult	*res;
	int64_t		 n;

	*deleted = 0;
	p_i64(&p, batch);
	p_i64(&p, keep_s);
	do {
		if (run(db, OIDC_STMT_PURGE, &p, &res, err) == -1)
			return -1;
		n = oidc_db_i64(res, 0, 0);
		PQclear(res);
		*deleted += n;
	} while (n > 0);
	return 0;
}

int
oidc_db_session_client_add(struct oidc_db *db, struct oidc_str sid,
    struct oidc_str client_id, struct oidc_error *err)
{
	struct params	 p = { .n = 0 };

	p_str(&p, sid);
	p_str(&p, client_id);
	return run_count(db, OIDC_STMT_SESSION_CLIENT_ADD, &p, err) < 0 ?
	    -1 : 0;
}

int
oidc_db_backchannel_targets(struct oidc_db *db, struct oidc_arena *a,
    struct oidc_str sid, struct oidc_backchannel_target **rows, size_t *n,
    struct oidc_error *err)
{
	struct oidc_backchannel_target	*t;
	struct params			 p = { .n = 0 };
	PGresult			*res;
	int				 i, nt, rc = -1;

	*rows = NULL;
	*n = 0;
	p_str(&p, sid);
	if (run(db, OIDC_STMT_BACKCHANNEL_TARGETS, &p, &res, err) == -1)
		return -1;
	nt = PQntuples(res);
	if ((t = oidc_arena_calloc(a, (size_t)nt + 1, sizeof(*t))) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
		goto out;
	}
	for (i = 0; i < nt; i++)
		if (oidc_db_copy(a, res, i, 0, &t[i].client_id, err) == -1 ||
		    oidc_db_copy(a, res, i, 1, &t[i].uri, err) == -1 ||
		    oidc_db_copy(a, res, i, 2, &t[i].id_token_alg, err) == -1 ||
		    oidc_db_copy(a, res, i, 3, &t[i].metadata, err) == -1)
			goto out;
	*rows = t;
	*n = (size_t)nt;
	rc = 0;
out:
	PQclear(res);
	return rc;
}

int
oidc_db_backchannel_enqueue(struct oidc_db *db, struct oidc_str client_id,
    struct oidc_str uri, const char *token, int64_t expires_at,
    struct oidc_error *err)
{
	struct params	 p = { .n = 0 };

	p_str(&p, client_id);
	p_str(&p, uri);
	p_cstr(&p, token);
	p_i64(&p, expires_at);
	return run_count(db, OIDC_STMT_BACKCHANNEL_ENQUEUE, &p, err) == 1 ?
	    0 : -1;
}

/* Columns of backchannel_claim. */
enum { BC_ID, BC_CLIENT, BC_URI, BC_TOKEN, BC_ATTEMPTS, BC_EXPIRED };

int
oidc_db_backchannel_claim(struct oidc_db *db, struct oidc_arena *a,
    int64_t batch, int64_t base_s, struct oidc_backchannel_delivery **rows,
    size_t *n, struct oidc_error *err)
{
	struct oidc_backchannel_delivery	*d;
	struct params				 p = { .n = 0 };
	PGresult				*res;
	int					 i, nd, rc = -1;

	*rows = NULL;
	*n = 0;
	p_i64(&p, batch);
	p_i64(&p, base_s);
	if (run(db, OIDC_STMT_BACKCHANNEL_CLAIM, &p, &res, err) == -1)
		return -1;
	nd = PQntuples(res);
	if ((d = oidc_arena_calloc(a, (size_t)nd + 1, sizeof(*d))) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
		goto out;
	}
	for (i = 0; i < nd; i++) {
		d[i].delivery_id = oidc_db_i64(res, i, BC_ID);
		d[i].attempts = oidc_db_i64(res, i, BC_ATTEMPTS);
		d[i].expired = oidc_db_bool(res, i, BC_EXPIRED);
		if (oidc_db_copy(a, res, i, BC_CLIENT, &d[i].client_id,
		    err) == -1 ||
		    oidc_db_copy(a, res, i, BC_URI, &d[i].uri, err) == -1 ||
		    oidc_db_copy(a, res, i, BC_TOKEN, &d[i].token, err) == -1)
			goto out;
	}
	*rows = d;
	*n = (size_t)nd;
	rc = 0;
out:
	PQclear(res);
	return rc;
}

int
oidc_db_backchannel_delete(struct oidc_db *db, int64_t delivery_id,
    struct oidc_error *err)
{
	struct params	 p = { .n = 0 };

	p_i64(&p, delivery_id);
	return run_count(db, OIDC_STMT_BACKCHANNEL_DELETE, &p, err) < 0 ?
	    -1 : 0;
}
