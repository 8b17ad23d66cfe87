/*
 * db_client.c: the client table (see oidc/db.h).
 */
#include <string.h>

#include "oidc/arena.h"
#include "db_int.h"

int
oidc_db_client_row_read(struct oidc_arena *a, PGresult *res, int r, int c0,
    struct oidc_client_row *out, struct oidc_error *err)
{
	memset(out, 0, sizeof(*out));
	if (oidc_db_copy(a, res, r, c0 + C_ID, &out->client_id, err) == -1 ||
	    oidc_db_copy(a, res, r, c0 + C_SECRET_PLAIN, &out->secret_plain,
	    err) == -1 ||
	    oidc_db_copy(a, res, r, c0 + C_METADATA, &out->metadata,
	    err) == -1 ||
	    oidc_db_copy_bytea(a, res, r, c0 + C_SECRET_SEALED,
	    DB_MAX_SEALED_SECRET, &out->secret_sealed,
	    &out->secret_sealed_len, err) == -1)
		return -1;
	out->has_secret_hash = oidc_db_bytea(res, r, c0 + C_SECRET_HASH,
	    out->secret_hash, sizeof(out->secret_hash)) == 0;
	out->first_party = oidc_db_bool(res, r, c0 + C_FIRST_PARTY);
	out->approved = oidc_db_bool(res, r, c0 + C_APPROVED);
	return 0;
}

int
oidc_db_client_get(struct oidc_db *db, struct oidc_arena *a,
    struct oidc_str client_id, struct oidc_client_row *out,
    struct oidc_error *err)
{
	return oidc_db_client_get_throttled(db, a, client_id, NULL, out, err);
}

int
oidc_db_client_get_throttled(struct oidc_db *db, struct oidc_arena *a,
    struct oidc_str client_id, struct oidc_auth_failures *f,
    struct oidc_client_row *out, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;
	int			 rc;

	if (client_id.p == NULL || client_id.len > 128)
		return 0;
	db_p_str(&p, client_id);
	if (f != NULL) {
		db_p_cstr(&p, f->key);
		db_p_i64(&p, f->window_s);
		db_p_i64(&p, f->free_key);
		db_p_cstr(&p, f->addr_key);
		db_p_i64(&p, f->free_addr);
	}
	if (oidc_db_run(db, f != NULL ? OIDC_STMT_CLIENT_GET_THROTTLED :
	    OIDC_STMT_CLIENT_GET, &p, &res, err) == -1)
		return -1;
	rc = PQntuples(res) == 1 && !PQgetisnull(res, 0, C_ID) ? 1 : 0;
	if (rc == 1 && oidc_db_client_row_read(a, res, 0, 0, out, err) == -1)
		rc = -1;
	if (rc != -1 && f != NULL && PQntuples(res) == 1) {
		f->pair.n = oidc_db_i64(res, 0, CT_PAIR_N);
		f->pair.wait = oidc_db_i64(res, 0, CT_PAIR_WAIT);
		f->addr.n = oidc_db_i64(res, 0, CT_ADDR_N);
		f->addr.wait = oidc_db_i64(res, 0, CT_ADDR_WAIT);
	}
	PQclear(res);
	return rc;
}

/*
 * $1..$4 of every client write: id, secret hash and sealed secret (both
 * binary), metadata.  Each write binds the origins (client.h) as $6.
 */
static void
client_params(struct db_params *p, const struct oidc_client_row *row)
{
	db_p_str(p, row->client_id);
	db_p_bin_if(p, row->has_secret_hash, row->secret_hash,
	    sizeof(row->secret_hash));
	db_p_bin(p, row->secret_sealed, row->secret_sealed_len);
	db_p_str(p, row->metadata);
}

static int
write_client(struct oidc_db *db, enum oidc_stmt_id id,
    const struct oidc_client_row *row, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;
	int			 rc;

	client_params(&p, row);
	db_p_bool(&p, row->first_party);
	db_p_str(&p, row->origins);
	if (oidc_db_run(db, id, &p, &res, err) == -1)
		return -1;
	rc = id == OIDC_STMT_CLIENT_INSERT ? PQntuples(res) == 1 :
	    strcmp(PQcmdTuples(res), "1") == 0;
	PQclear(res);
	return rc;
}

int
oidc_db_client_insert(struct oidc_db *db, const struct oidc_client_row *row,
    struct oidc_error *err)
{
	return write_client(db, OIDC_STMT_CLIENT_INSERT, row, err);
}

int
oidc_db_client_update(struct oidc_db *db, const struct oidc_client_row *row,
    struct oidc_error *err)
{
	return write_client(db, OIDC_STMT_CLIENT_UPDATE, row, err);
}

/* A statement keyed by the client id $1 alone. */
static int
by_id(struct oidc_db *db, enum oidc_stmt_id id, struct oidc_str client_id,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	db_p_str(&p, client_id);
	return oidc_db_run_one(db, id, &p, err);
}

int
oidc_db_client_delete(struct oidc_db *db, struct oidc_str client_id,
    struct oidc_error *err)
{
	return by_id(db, OIDC_STMT_CLIENT_DELETE, client_id, err);
}

int
oidc_db_client_approve(struct oidc_db *db, struct oidc_str client_id,
    struct oidc_error *err)
{
	return by_id(db, OIDC_STMT_CLIENT_APPROVE, client_id, err);
}

/* One row of client_list / client_list_unsealed (C_* columns). */
static int
read_row(struct oidc_arena *a, PGresult *res, int r, void *row,
    struct oidc_error *err)
{
	return oidc_db_client_row_read(a, res, r, 0, row, err);
}

static int
list_rows(struct oidc_db *db, enum oidc_stmt_id id, struct oidc_arena *a,
    struct oidc_client_row **rows, size_t *n, struct oidc_error *err)
{
	void	*v;

	if (oidc_db_rows(db, id, NULL, a, sizeof(**rows), read_row, &v, n,
	    err) == -1)
		return -1;
	*rows = v;
	return 0;
}

int
oidc_db_client_list(struct oidc_db *db, struct oidc_arena *a,
    struct oidc_client_row **rows, size_t *n, struct oidc_error *err)
{
	return list_rows(db, OIDC_STMT_CLIENT_LIST, a, rows, n, err);
}

int
oidc_db_client_list_unsealed(struct oidc_db *db, struct oidc_arena *a,
    struct oidc_client_row **rows, size_t *n, struct oidc_error *err)
{
	return list_rows(db, OIDC_STMT_CLIENT_LIST_UNSEALED, a, rows, n, err);
}

int
oidc_db_client_seal_secret(struct oidc_db *db,
    const struct oidc_client_row *row, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	if (row->secret_sealed == NULL)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL, "client "
		    "seal_secret without a sealed secret");
	db_p_str(&p, row->client_id);
	db_p_bin(&p, row->secret_sealed, row->secret_sealed_len);
	return oidc_db_run_one(db, OIDC_STMT_CLIENT_SEAL_SECRET, &p, err);
}

int
oidc_db_origin_known(struct oidc_db *db, struct oidc_str origin,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;
	int			 rc;

	db_p_str(&p, origin);
	if (oidc_db_run(db, OIDC_STMT_CLIENT_ORIGIN_KNOWN, &p, &res,
	    err) == -1)
		return -1;
	rc = PQntuples(res) > 0;
	PQclear(res);
	return rc;
}

/* ---- dynamic registration (RFC 7591, RFC 7592) ---- */

int
oidc_db_client_register(struct oidc_db *db, struct oidc_client_row *row,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;
	int			 rc;

	client_params(&p, row);
	db_p_bin(&p, row->reg_token_hash, sizeof(row->reg_token_hash));
	db_p_str(&p, row->origins);
	if (oidc_db_run(db, OIDC_STMT_CLIENT_REGISTER, &p, &res, err) == -1)
		return -1;
	rc = PQntuples(res) == 1;
	if (rc == 1)
		row->issued_at = oidc_db_i64(res, 0, V_VALUE);
	PQclear(res);
	return rc;
}

/* client_reg_get's row: client_get's columns, then CR_* (stmt.h). */
static int
read_reg_row(struct oidc_arena *a, PGresult *res, int r, void *row,
    struct oidc_error *err)
{
	struct oidc_client_row	*out = row;

	if (oidc_db_client_row_read(a, res, r, 0, out, err) == -1)
		return -1;
	if (oidc_db_bytea(res, r, CR_REG_HASH, out->reg_token_hash,
	    sizeof(out->reg_token_hash)) == -1)
		return oidc_fail(err, OIDC_E_DB, NULL,
		    "registration_token_hash malformed");
	out->issued_at = oidc_db_i64(res, r, CR_ISSUED_AT);
	return 0;
}

int
oidc_db_client_reg_get(struct oidc_db *db, struct oidc_arena *a,
    struct oidc_str client_id, struct oidc_client_row *out,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	if (client_id.p == NULL || client_id.len > 128)
		return 0;
	db_p_str(&p, client_id);
	return oidc_db_row(db, OIDC_STMT_CLIENT_REG_GET, &p, a, read_reg_row,
	    out, err);
}

int
oidc_db_client_reg_update(struct oidc_db *db, const struct oidc_client_row *row,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	client_params(&p, row);
	db_p_bin(&p, row->reg_token_hash, sizeof(row->reg_token_hash));
	db_p_str(&p, row->origins);
	return oidc_db_run_one(db, OIDC_STMT_CLIENT_REG_UPDATE, &p, err);
}

int
oidc_db_client_reg_delete(struct oidc_db *db, struct oidc_str client_id,
    const unsigned char *reg_token_hash, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	db_p_str(&p, client_id);
	db_p_bin(&p, reg_token_hash, 32);
	return oidc_db_run_one(db, OIDC_STMT_CLIENT_REG_DELETE, &p, err);
}
