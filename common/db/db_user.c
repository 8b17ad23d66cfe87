/*
 * db_user.c: the app_user table (see oidc/db.h).
 */
#include <string.h>

#include "oidc/arena.h"
#include "db_int.h"

/* One row of user_get_by_* / user_list (U_* columns, stmt.h). */
static int
read_row(struct oidc_arena *a, PGresult *res, int r, void *row,
    struct oidc_error *err)
{
	struct oidc_user_row	*out = row;

	memset(out, 0, sizeof(*out));
	out->user_id = oidc_db_i64(res, r, U_ID);
	out->disabled = oidc_db_bool(res, r, U_DISABLED);
	out->updated_at = oidc_db_i64(res, r, U_UPDATED);
	if (oidc_db_copy(a, res, r, U_NAME, &out->username, err) == -1 ||
	    oidc_db_copy(a, res, r, U_SUB, &out->sub, err) == -1 ||
	    oidc_db_copy(a, res, r, U_PWHASH, &out->password_hash, err) == -1 ||
	    oidc_db_copy(a, res, r, U_CLAIMS, &out->claims, err) == -1)
		return -1;
	return 0;
}

static int
get_one(struct oidc_db *db, struct oidc_arena *a, enum oidc_stmt_id id,
    struct oidc_str key, struct oidc_user_row *out, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	if (key.p == NULL || key.len > 255)
		return 0;
	db_p_str(&p, key);
	return oidc_db_row(db, id, &p, a, read_row, out, err);
}

int
oidc_db_user_get_by_name(struct oidc_db *db, struct oidc_arena *a,
    struct oidc_str username, struct oidc_user_row *out,
    struct oidc_error *err)
{
	return get_one(db, a, OIDC_STMT_USER_GET_BY_NAME, username, out, err);
}

int
oidc_db_user_get_by_sub(struct oidc_db *db, struct oidc_arena *a,
    struct oidc_str sub, struct oidc_user_row *out, struct oidc_error *err)
{
	return get_one(db, a, OIDC_STMT_USER_GET_BY_SUB, sub, out, err);
}

int
oidc_db_user_insert(struct oidc_db *db, struct oidc_user_row *row,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;
	int			 rc;

	db_p_str(&p, row->username);
	db_p_str(&p, row->sub);
	db_p_str(&p, row->password_hash);
	db_p_str(&p, row->claims);
	if (oidc_db_run(db, OIDC_STMT_USER_INSERT, &p, &res, err) == -1)
		return -1;
	rc = PQntuples(res) == 1;
	if (rc)
		row->user_id = oidc_db_i64(res, 0, V_VALUE);
	PQclear(res);
	return rc;
}

int
oidc_db_user_remote_upsert(struct oidc_db *db, struct oidc_arena *a,
    struct oidc_str username, struct oidc_str new_sub, struct oidc_str claims,
    struct oidc_user_row *out, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	int			 rc;

	db_p_str(&p, username);
	db_p_str(&p, new_sub);
	db_p_str(&p, claims);
	if ((rc = oidc_db_row(db, OIDC_STMT_USER_REMOTE_UPSERT, &p, a,
	    read_row, out, err)) == 0)
		return oidc_fail(err, OIDC_E_DB, NULL, "user_remote_upsert: "
		    "no row");
	return rc == 1 ? 0 : -1;
}

/* UPDATE by username $1 with one more text parameter $2 (NULL: NULL). */
static int
by_name(struct oidc_db *db, enum oidc_stmt_id id, struct oidc_str username,
    const char *arg, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	db_p_str(&p, username);
	db_p_cstr(&p, arg);
	return oidc_db_run_one(db, id, &p, err);
}

int
oidc_db_user_set_claims(struct oidc_db *db, struct oidc_str username,
    struct oidc_str claims, struct oidc_error *err)
{
	return by_name(db, OIDC_STMT_USER_SET_CLAIMS, username, claims.p, err);
}

int
oidc_db_user_set_password(struct oidc_db *db, struct oidc_str username,
    struct oidc_str hash, struct oidc_error *err)
{
	return by_name(db, OIDC_STMT_USER_SET_PASSWORD, username, hash.p, err);
}

int
oidc_db_user_set_disabled(struct oidc_db *db, struct oidc_str username,
    bool disabled, struct oidc_error *err)
{
	return by_name(db, OIDC_STMT_USER_SET_DISABLED, username,
	    disabled ? "true" : "false", err);
}

int
oidc_db_user_delete(struct oidc_db *db, struct oidc_str username,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	db_p_str(&p, username);
	return oidc_db_run_one(db, OIDC_STMT_USER_DELETE, &p, err);
}

int
oidc_db_user_list(struct oidc_db *db, struct oidc_arena *a,
    struct oidc_user_row **rows, size_t *n, struct oidc_error *err)
{
	void	*v;

	if (oidc_db_rows(db, OIDC_STMT_USER_LIST, NULL, a, sizeof(**rows),
	    read_row, &v, n, err) == -1)
		return -1;
	*rows = v;
	return 0;
}
