/*
 * db_client.c: the client table (see oidc/db.h).
 */
#include <stdio.h>
#include <string.h>

#include "oidc/arena.h"
#include "db_int.h"

/* Columns of client_get / client_list. */
enum { C_ID, C_SECRET_HASH, C_SECRET_PLAIN, C_METADATA, C_FIRST_PARTY,
    C_APPROVED, C_SECRET_SEALED };


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
	const char	*vals[6] = { client_id.p };
	int		 lens[6] = { (int)client_id.len }, rc;
	char		 num[3][24];
	PGresult	*res;

	if (client_id.p == NULL || client_id.len > 128)
		return 0;
	if (f != NULL) {
		(void)snprintf(num[0], sizeof(num[0]), "%lld",
		    (long long)f->window_s);
		(void)snprintf(num[1], sizeof(num[1]), "%lld",
		    (long long)f->free_key);
		(void)snprintf(num[2], sizeof(num[2]), "%lld",
		    (long long)f->free_addr);
		vals[1] = f->key;
		vals[2] = num[0];
		vals[3] = num[1];
		vals[4] = f->addr_key;
		vals[5] = num[2];
		for (rc = 1; rc < 6; rc++)
			lens[rc] = (int)strlen(vals[rc]);
	}
	if (oidc_db_exec(db, f != NULL ? OIDC_STMT_CLIENT_GET_THROTTLED :
	    OIDC_STMT_CLIENT_GET, vals, lens, NULL, &res, err) == -1)
		return -1;
	rc = PQntuples(res) == 1 && !PQgetisnull(res, 0, C_ID) ? 1 : 0;
	if (rc == 1 && oidc_db_client_row_read(a, res, 0, 0, out, err) == -1)
		rc = -1;
	if (rc != -1 && f != NULL && PQntuples(res) == 1) {
		f->pair.n = oidc_db_i64(res, 0, C_SECRET_SEALED + 1);
		f->pair.wait = oidc_db_i64(res, 0, C_SECRET_SEALED + 2);
		f->addr.n = oidc_db_i64(res, 0, C_SECRET_SEALED + 3);
		f->addr.wait = oidc_db_i64(res, 0, C_SECRET_SEALED + 4);
	}
	PQclear(res);
	return rc;
}

/* $1..$4 of every client write: id, secret hash and sealed secret (both
   binary), metadata. */
static void
client_params(const struct oidc_client_row *row, const char **vals, int *lens)
{
	vals[0] = row->client_id.p;
	lens[0] = (int)row->client_id.len;
	vals[1] = row->has_secret_hash ? (const char *)row->secret_hash : NULL;
	lens[1] = sizeof(row->secret_hash);
	vals[2] = (const char *)row->secret_sealed;
	lens[2] = (int)row->secret_sealed_len;
	vals[3] = row->metadata.p;
	lens[3] = (int)row->metadata.len;
}

static int
write_client(struct oidc_db *db, enum oidc_stmt_id id,
    const struct oidc_client_row *row, struct oidc_error *err)
{
	const char	*vals[5];
	int		 lens[5], fmts[5] = { 0, 1, 1, 0, 0 }, rc;
	PGresult	*res;

	client_params(row, vals, lens);
	vals[4] = row->first_party ? "true" : "false";
	lens[4] = 0;
	if (oidc_db_exec(db, id, vals, lens, fmts, &res, err) == -1)
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

int
oidc_db_client_delete(struct oidc_db *db, struct oidc_str client_id,
    struct oidc_error *err)
{
	const char	*vals[1] = { client_id.p };
	int		 lens[1] = { (int)client_id.len };

	return oidc_db_exec_one(db, OIDC_STMT_CLIENT_DELETE, vals, lens,
	    NULL, err);
}

int
oidc_db_client_approve(struct oidc_db *db, struct oidc_str client_id,
    struct oidc_error *err)
{
	const char	*vals[1] = { client_id.p };
	int		 lens[1] = { (int)client_id.len };

	return oidc_db_exec_one(db, OIDC_STMT_CLIENT_APPROVE, vals, lens,
	    NULL, err);
}

static int
list_rows(struct oidc_db *db, enum oidc_stmt_id id, struct oidc_arena *a,
    struct oidc_client_row **rows, size_t *n, struct oidc_error *err)
{
	PGresult	*res;
	int		 i, rc = 0, nt;

	if (oidc_db_exec(db, id, NULL, NULL, NULL, &res, err) == -1)
		return -1;
	nt = PQntuples(res);
	if ((*rows = oidc_arena_calloc(a, (size_t)nt + 1, sizeof(**rows))) ==
	    NULL)
		rc = oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	for (i = 0; rc == 0 && i < nt; i++)
		rc = oidc_db_client_row_read(a, res, i, 0, &(*rows)[i], err);
	*n = (size_t)nt;
	PQclear(res);
	return rc;
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
	const char	*vals[2];
	int		 lens[2], fmts[2] = { 0, 1 };

	if (row->secret_sealed == NULL)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL, "client "
		    "seal_secret without a sealed secret");
	vals[0] = row->client_id.p;
	lens[0] = (int)row->client_id.len;
	vals[1] = (const char *)row->secret_sealed;
	lens[1] = (int)row->secret_sealed_len;
	return oidc_db_exec_one(db, OIDC_STMT_CLIENT_SEAL_SECRET, vals, lens,
	    fmts, err);
}

int
oidc_db_origin_known(struct oidc_db *db, struct oidc_str origin,
    struct oidc_error *err)
{
	const char	*vals[1] = { origin.p };
	PGresult	*res;
	int		 rc;

	if (oidc_db_exec(db, OIDC_STMT_CLIENT_ORIGIN_KNOWN, vals, NULL, NULL,
	    &res, err) == -1)
		return -1;
	rc = PQntuples(res) > 0;
	PQclear(res);
	return rc;
}

/* ---- dynamic registration (RFC 7591, RFC 7592) ---- */

/* Extra columns of client_reg_get, after those of client_get. */
enum { C_REG_HASH = C_SECRET_SEALED + 1, C_ISSUED_AT };

int
oidc_db_client_register(struct oidc_db *db, struct oidc_client_row *row,
    struct oidc_error *err)
{
	const char	*vals[5];
	int		 lens[5], fmts[5] = { 0, 1, 1, 0, 1 }, rc;
	PGresult	*res;

	client_params(row, vals, lens);
	vals[4] = (const char *)row->reg_token_hash;
	lens[4] = sizeof(row->reg_token_hash);
	if (oidc_db_exec(db, OIDC_STMT_CLIENT_REGISTER, vals, lens, fmts, &res,
	    err) == -1)
		return -1;
	rc = PQntuples(res) == 1;
	if (rc == 1)
		row->issued_at = oidc_db_i64(res, 0, 0);
	PQclear(res);
	return rc;
}

int
oidc_db_client_reg_get(struct oidc_db *db, struct oidc_arena *a,
    struct oidc_str client_id, struct oidc_client_row *out,
    struct oidc_error *err)
{
	const char	*vals[1] = { client_id.p };
	int		 lens[1] = { (int)client_id.len }, rc;
	PGresult	*res;

	if (client_id.p == NULL || client_id.len > 128)
		return 0;
	if (oidc_db_exec(db, OIDC_STMT_CLIENT_REG_GET, vals, lens, NULL, &res,
	    err) == -1)
		return -1;
	rc = PQntuples(res) == 1 ? 1 : 0;
	if (rc == 1) {
		if (oidc_db_client_row_read(a, res, 0, 0, out, err) == -1)
			rc = -1;
		else if (oidc_db_bytea(res, 0, C_REG_HASH, out->reg_token_hash,
		    sizeof(out->reg_token_hash)) == -1)
			rc = oidc_fail(err, OIDC_E_DB, NULL,
			    "registration_token_hash malformed");
		else
			out->issued_at = oidc_db_i64(res, 0, C_ISSUED_AT);
	}
	PQclear(res);
	return rc;
}

int
oidc_db_client_reg_update(struct oidc_db *db, const struct oidc_client_row *row,
    struct oidc_error *err)
{
	const char	*vals[5];
	int		 lens[5], fmts[5] = { 0, 1, 1, 0, 1 };

	client_params(row, vals, lens);
	vals[4] = (const char *)row->reg_token_hash;
	lens[4] = sizeof(row->reg_token_hash);
	return oidc_db_exec_one(db, OIDC_STMT_CLIENT_REG_UPDATE, vals, lens,
	    fmts, err);
}

int
oidc_db_client_reg_delete(struct oidc_db *db, struct oidc_str client_id,
    const unsigned char *reg_token_hash, struct oidc_error *err)
{
	const char	*vals[2] = { client_id.p, (const char *)reg_token_hash };
	int		 lens[2] = { (int)client_id.len, 32 };
	int		 fmts[2] = { 0, 1 };

	return oidc_db_exec_one(db, OIDC_STMT_CLIENT_REG_DELETE, vals, lens,
	    fmts, err);
}
