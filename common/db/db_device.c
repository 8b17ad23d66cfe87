/*
 * db_device.c: the Device Authorization Grant's rows (RFC 8628, see
 * oidc/db.h and sql/migrations/0017_device_code.sql).  Hashes travel as
 * binary bytea parameters; integers as decimal text.
 */
#include <string.h>

#include "oidc/arena.h"
#include "db_int.h"

int
oidc_db_device_code_insert(struct oidc_db *db,
    const struct oidc_device_row *d, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;
	int			 n;

	db_p_bin(&p, d->code_hash, OIDC_HASH_LEN);
	db_p_bin(&p, d->user_code_hash, OIDC_HASH_LEN);
	db_p_str(&p, d->client_id);
	db_p_str(&p, d->scope);
	db_p_i64(&p, d->interval);
	db_p_i64(&p, d->ttl);
	if (oidc_db_run(db, OIDC_STMT_DEVICE_CODE_INSERT, &p, &res, err) == -1)
		return -1;
	n = PQntuples(res) == 1;
	PQclear(res);
	return n;
}

int
oidc_db_device_code_get(struct oidc_db *db, struct oidc_arena *a,
    const unsigned char *user_hash, struct oidc_device_row *d,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;
	int			 rc;

	memset(d, 0, sizeof(*d));
	db_p_bin(&p, user_hash, OIDC_HASH_LEN);
	if (oidc_db_run(db, OIDC_STMT_DEVICE_CODE_GET, &p, &res, err) == -1)
		return -1;
	rc = PQntuples(res) == 1;
	if (rc == 1) {
		memcpy(d->user_code_hash, user_hash, OIDC_HASH_LEN);
		if (oidc_db_copy(a, res, 0, DG_CLIENT, &d->client_id,
		    err) == -1 || oidc_db_copy(a, res, 0, DG_SCOPE, &d->scope,
		    err) == -1)
			rc = -1;
	}
	PQclear(res);
	return rc;
}

int
oidc_db_device_code_decide(struct oidc_db *db, const unsigned char *user_hash,
    struct oidc_str client_id, bool approve,
    const struct oidc_session_row *s, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	db_p_bin(&p, user_hash, OIDC_HASH_LEN);
	db_p_cstr(&p, approve ? "approved" : "denied");
	db_p_i64(&p, s->user_id);
	db_p_i64(&p, s->auth_time);
	db_p_str(&p, s->amr);
	db_p_str(&p, s->sid);
	db_p_str(&p, client_id);
	return oidc_db_run_one(db, OIDC_STMT_DEVICE_CODE_DECIDE, &p, err);
}

static enum oidc_device_status
status_of(const char *v)
{
	if (strcmp(v, "approved") == 0)
		return OIDC_DEVICE_APPROVED;
	if (strcmp(v, "denied") == 0)
		return OIDC_DEVICE_DENIED;
	if (strcmp(v, "used") == 0)
		return OIDC_DEVICE_USED;
	return OIDC_DEVICE_PENDING;
}

static int
read_poll(struct oidc_arena *a, PGresult *res, struct oidc_str client_id,
    struct oidc_device_poll *out, struct oidc_error *err)
{
	struct oidc_token_row	*g = &out->grant;

	out->status = status_of(PQgetvalue(res, 0, DP_STATUS));
	out->expired = oidc_db_bool(res, 0, DP_EXPIRED);
	out->too_fast = oidc_db_bool(res, 0, DP_FAST);
	out->user_ok = oidc_db_bool(res, 0, DP_USER_OK);
	out->interval = oidc_db_i64(res, 0, DP_INTERVAL);
	g->client_id = client_id;
	g->user_id = oidc_db_i64(res, 0, DP_USER);
	g->auth_time = oidc_db_i64(res, 0, DP_AUTH_TIME);
	g->user_updated_at = oidc_db_i64(res, 0, DP_UUPDATED);
	if (oidc_db_copy(a, res, 0, DP_SCOPE, &g->scope, err) == -1 ||
	    oidc_db_copy(a, res, 0, DP_AMR, &g->amr, err) == -1 ||
	    oidc_db_copy(a, res, 0, DP_SID, &g->sid, err) == -1 ||
	    oidc_db_copy(a, res, 0, DP_SUB, &g->sub, err) == -1 ||
	    oidc_db_copy(a, res, 0, DP_UCLAIMS, &g->user_claims, err) == -1)
		return -1;
	return 0;
}

int
oidc_db_device_poll(struct oidc_db *db, struct oidc_arena *a,
    const unsigned char *hash, struct oidc_str client_id,
    struct oidc_device_poll *out, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;
	int			 rc;

	memset(out, 0, sizeof(*out));
	db_p_bin(&p, hash, OIDC_HASH_LEN);
	db_p_str(&p, client_id);
	if (oidc_db_run(db, OIDC_STMT_DEVICE_POLL, &p, &res, err) == -1)
		return -1;
	rc = PQntuples(res) == 1;
	if (rc == 1 && read_poll(a, res, client_id, out, err) == -1)
		rc = -1;
	PQclear(res);
	return rc;
}
