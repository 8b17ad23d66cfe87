/*
 * db_totp.c: the TOTP second factor's rows (see oidc/db.h and
 * sql/migrations/0023_totp.sql).  Hashes and sealed secrets travel as
 * binary bytea parameters; integers as decimal text.
 */
#include <string.h>

#include "oidc/arena.h"
#include "db_int.h"

/* Rows of a command (or of its RETURNING): n, or -1. */
static int
count(struct oidc_db *db, enum oidc_stmt_id id, struct db_params *p,
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

int
oidc_db_totp_get(struct oidc_db *db, struct oidc_arena *a, int64_t user_id,
    struct oidc_totp_row *out, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;
	int			 rc = 0;

	memset(out, 0, sizeof(*out));
	db_p_i64(&p, user_id);
	if (oidc_db_run(db, OIDC_STMT_TOTP_GET, &p, &res, err) == -1)
		return -1;
	if (PQntuples(res) == 1) {
		out->last_step = oidc_db_i64(res, 0, TP_LAST_STEP);
		rc = oidc_db_copy_bytea(a, res, 0, TP_SECRET,
		    DB_MAX_SEALED_SECRET, &out->secret_sealed,
		    &out->secret_sealed_len, err) == -1 ? -1 : 1;
	}
	PQclear(res);
	return rc;
}

int
oidc_db_totp_use_step(struct oidc_db *db, int64_t user_id, int64_t step,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	db_p_i64(&p, user_id);
	db_p_i64(&p, step);
	return count(db, OIDC_STMT_TOTP_USE_STEP, &p, err);
}

int
oidc_db_totp_enrol(struct oidc_db *db, int64_t user_id,
    const unsigned char *sealed, size_t len, int64_t last_step,
    const unsigned char (*recovery)[OIDC_HASH_LEN], size_t nrecovery,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	size_t			 i;

	db_p_i64(&p, user_id);
	db_p_bin(&p, sealed, len);
	db_p_i64(&p, last_step);
	if (count(db, OIDC_STMT_TOTP_ENROL, &p, err) == -1)
		return -1;
	for (i = 0; i < nrecovery; i++) {
		p.n = 0;
		db_p_i64(&p, user_id);
		db_p_bin(&p, recovery[i], OIDC_HASH_LEN);
		if (count(db, OIDC_STMT_RECOVERY_INSERT, &p, err) == -1)
			return -1;
	}
	return 0;
}

int
oidc_db_totp_delete(struct oidc_db *db, int64_t user_id,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	db_p_i64(&p, user_id);
	return count(db, OIDC_STMT_TOTP_DELETE, &p, err);
}

int
oidc_db_recovery_use(struct oidc_db *db, int64_t user_id,
    const unsigned char *hash, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	db_p_i64(&p, user_id);
	db_p_bin(&p, hash, OIDC_HASH_LEN);
	return count(db, OIDC_STMT_RECOVERY_USE, &p, err);
}

int
oidc_db_recovery_count(struct oidc_db *db, int64_t user_id, int64_t *n,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;

	db_p_i64(&p, user_id);
	if (oidc_db_run(db, OIDC_STMT_RECOVERY_COUNT, &p, &res, err) == -1)
		return -1;
	*n = PQntuples(res) == 1 ? oidc_db_i64(res, 0, V_VALUE) : 0;
	PQclear(res);
	return 0;
}

int
oidc_db_pending_insert(struct oidc_db *db, const unsigned char *ticket_hash,
    int64_t user_id, const unsigned char *login_request,
    const unsigned char *sealed, size_t sealed_len, int64_t ttl,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	db_p_bin(&p, ticket_hash, OIDC_HASH_LEN);
	db_p_i64(&p, user_id);
	db_p_bin(&p, login_request, OIDC_HASH_LEN);
	db_p_bin_if(&p, sealed != NULL, sealed, sealed_len);
	db_p_i64(&p, ttl);
	return count(db, OIDC_STMT_PENDING_INSERT, &p, err) == -1 ? -1 : 0;
}

int
oidc_db_pending_get(struct oidc_db *db, struct oidc_arena *a,
    const unsigned char *ticket_hash, struct oidc_pending_row *out,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;
	int			 rc = 0;

	memset(out, 0, sizeof(*out));
	db_p_bin(&p, ticket_hash, OIDC_HASH_LEN);
	if (oidc_db_run(db, OIDC_STMT_PENDING_GET, &p, &res, err) == -1)
		return -1;
	if (PQntuples(res) == 1) {
		out->user_id = oidc_db_i64(res, 0, PD_USER);
		rc = oidc_db_copy(a, res, 0, PD_SUB, &out->sub, err) == -1 ||
		    oidc_db_copy(a, res, 0, PD_NAME, &out->username,
		    err) == -1 ||
		    oidc_db_bytea(res, 0, PD_REQUEST, out->login_request,
		    OIDC_HASH_LEN) == -1 ||
		    oidc_db_copy_bytea(a, res, 0, PD_SECRET,
		    DB_MAX_SEALED_SECRET, &out->secret_sealed,
		    &out->secret_sealed_len, err) == -1 ? -1 : 1;
		if (rc == -1 && err->code == OIDC_E_NONE)
			oidc_fail(err, OIDC_E_DB, NULL, "pending row");
	}
	PQclear(res);
	return rc;
}

int
oidc_db_pending_delete(struct oidc_db *db, const unsigned char *ticket_hash,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	db_p_bin(&p, ticket_hash, OIDC_HASH_LEN);
	return count(db, OIDC_STMT_PENDING_DELETE, &p, err);
}

int
oidc_db_totp_end_sessions(struct oidc_db *db, int64_t user_id,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	db_p_i64(&p, user_id);
	return count(db, OIDC_STMT_TOTP_END_SESSIONS, &p, err);
}
