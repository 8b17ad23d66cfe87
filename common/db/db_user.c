/*
 * db_user.c: the app_user table (see oidc/db.h).
 */
#include <string.h>

#include "oidc/arena.h"
#include "db_int.h"

/* Columns of user_get_by_* / user_list. */
enum { U_ID, U_NAME, U_SUB, U_PWHASH, U_CLAIMS, U_DISABLED, U_UPDATED };

static int
read_row(struct oidc_arena *a, PGresult *res, int r, struct oidc_user_row *out,
    struct oidc_error *err)
{
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
	const char	*vals[1] = { key.p };
	int		 lens[1] = { (int)key.len }, rc;
	PGresult	*res;

	if (key.p == NULL || key.len > 255)
		return 0;
	if (oidc_db_exec(db, id, vals, lens, NULL, &res, err) == -1)
		return -1;
	rc = PQntuples(res) == 1 ? 1 : 0;
	if (rc == 1 && read_row(a, res, 0, out, err) == -1)
		rc = -1;
	PQclear(res);
	return rc;
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
	const char	*vals[4] = { row->username.p, row->sub.p,
			    row->password_hash.p, row->claims.p };
	PGresult	*res;
	int		 rc;

	if (oidc_db_exec(db, OIDC_STMT_USER_INSERT, vals, NULL, NULL, &res,
	    err) == -1)
		return -1;
	rc = PQntuples(res) == 1;
	if (rc)
		row->user_id = oidc_db_i64(res, 0, 0);
	PQclear(res);
	return rc;
}

/* UPDATE/DELETE by username with up to one more text parameter. */
static int
by_name(struct oidc_db *db, enum oidc_stmt_id id, struct oidc_str username,
    const char *arg, struct oidc_error *err)
{
	const char	*vals[2] = { username.p, arg };

	return oidc_db_exec_one(db, id, vals, NULL, NULL, err);
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
	return by_name(db, OIDC_STMT_USER_DELETE, username, NULL, err);
}

int
oidc_db_user_list(struct oidc_db *db, struct oidc_arena *a,
    struct oidc_user_row **rows, size_t *n, struct oidc_error *err)
{
	PGresult	*res;
	int		 i, rc = 0, nt;

	if (oidc_db_exec(db, OIDC_STMT_USER_LIST, NULL, NULL, NULL, &res,
	    err) == -1)
		return -1;
	nt = PQntuples(res);
	if ((*rows = oidc_arena_calloc(a, (size_t)nt + 1, sizeof(**rows))) ==
	    NULL)
		rc = oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	for (i = 0; rc == 0 && i < nt; i++)
		rc = read_row(a, res, i, &(*rows)[i], err);
	*n = (size_t)nt;
	PQclear(res);
	return rc;
}
