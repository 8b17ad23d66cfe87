/*
 * db_key.c: the signing_key table and its generation counter (see
 * oidc/db.h and sql/migrations/0003_signing_keys.sql).  The sealed
 * private key travels as a binary bytea parameter and comes back in
 * bytea hex text form; integers travel as decimal text.
 */
#include <stdio.h>
#include <string.h>

#include "oidc/arena.h"
#include "db_int.h"

#define TEXT	0
#define BIN	1

/* Columns of signing_key_list / signing_key_list_public. */
enum { K_KID, K_ALG, K_JWK, K_PRIV, K_CREATED, K_PUBLISH, K_ACTIVATE,
    K_RETIRE, K_EXPIRE };

/* A generous bound on one sealed key (seal.h caps the plaintext at 64K). */
#define MAX_SEALED	(80 * 1024)

static int
read_row(struct oidc_arena *a, PGresult *res, int r,
    struct oidc_signing_key_row *out, struct oidc_error *err)
{
	memset(out, 0, sizeof(*out));
	if (oidc_db_copy(a, res, r, K_KID, &out->kid, err) == -1 ||
	    oidc_db_copy(a, res, r, K_ALG, &out->alg, err) == -1 ||
	    oidc_db_copy(a, res, r, K_JWK, &out->public_jwk, err) == -1 ||
	    oidc_db_copy_bytea(a, res, r, K_PRIV, MAX_SEALED,
	    &out->private_key, &out->private_key_len, err) == -1)
		return -1;
	out->created_at = oidc_db_i64(res, r, K_CREATED);
	out->publish_at = oidc_db_i64(res, r, K_PUBLISH);
	out->activate_at = oidc_db_i64(res, r, K_ACTIVATE);
	out->retire_at = oidc_db_i64(res, r, K_RETIRE);
	out->expire_at = oidc_db_i64(res, r, K_EXPIRE);
	return 0;
}

static int
one_i64(struct oidc_db *db, enum oidc_stmt_id id, int64_t *v,
    struct oidc_error *err)
{
	PGresult	*res;
	int		 rc = 0;

	if (oidc_db_exec(db, id, NULL, NULL, NULL, &res, err) == -1)
		return -1;
	if (PQntuples(res) != 1)
		rc = oidc_fail(err, OIDC_E_DB, NULL, "signing_key_generation: "
		    "expected one row (run oidcctl migrate)");
	else
		*v = oidc_db_i64(res, 0, 0);
	PQclear(res);
	return rc;
}

int
oidc_db_signing_key_generation(struct oidc_db *db, int64_t *generation,
    struct oidc_error *err)
{
	return one_i64(db, OIDC_STMT_SIGNING_KEY_GENERATION, generation, err);
}

int
oidc_db_signing_key_lock(struct oidc_db *db, struct oidc_error *err)
{
	int64_t	 ignored;

	if (!oidc_db_in_transaction(db))
		return oidc_fail(err, OIDC_E_INTERNAL, NULL, "signing_key_lock "
		    "outside a transaction");
	return one_i64(db, OIDC_STMT_SIGNING_KEY_LOCK, &ignored, err);
}

int
oidc_db_signing_key_list(struct oidc_db *db, struct oidc_arena *a,
    bool with_private, bool include_expired,
    struct oidc_signing_key_row **rows, size_t *n, struct oidc_error *err)
{
	const char	*vals[1] = { include_expired ? "true" : "false" };
	PGresult	*res;
	int		 i, rc = 0, nt;

	*rows = NULL;
	*n = 0;
	if (oidc_db_exec(db, with_private ? OIDC_STMT_SIGNING_KEY_LIST :
	    OIDC_STMT_SIGNING_KEY_LIST_PUBLIC, vals, NULL, NULL, &res,
	    err) == -1)
		return -1;
	nt = PQntuples(res);
	if ((*rows = oidc_arena_calloc(a, (size_t)nt + 1, sizeof(**rows))) ==
	    NULL)
		rc = oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	for (i = 0; rc == 0 && i < nt; i++)
		rc = read_row(a, res, i, &(*rows)[i], err);
	if (rc == 0)
		*n = (size_t)nt;
	PQclear(res);
	return rc;
}

/* A time parameter: 0 is SQL NULL (to_timestamp(NULL) is NULL). */
static const char *
time_param(char *buf, size_t len, int64_t t)
{
	if (t == 0)
		return NULL;
	(void)snprintf(buf, len, "%lld", (long long)t);
	return buf;
}

int
oidc_db_signing_key_insert(struct oidc_db *db,
    const struct oidc_signing_key_row *row, struct oidc_error *err)
{
	const char	*vals[8];
	int		 lens[8] = { 0 }, fmts[8] = { 0 }, rc;
	char		 t[4][24];
	PGresult	*res;

	if (row->private_key == NULL || row->private_key_len > MAX_SEALED)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL, "signing_key "
		    "insert without a sealed private key");
	vals[0] = row->kid.p;
	vals[1] = row->alg.p;
	vals[2] = row->public_jwk.p;
	vals[3] = (const char *)row->private_key;
	lens[3] = (int)row->private_key_len;
	fmts[3] = BIN;
	vals[4] = time_param(t[0], sizeof(t[0]), row->publish_at);
	vals[5] = time_param(t[1], sizeof(t[1]), row->activate_at);
	vals[6] = time_param(t[2], sizeof(t[2]), row->retire_at);
	vals[7] = time_param(t[3], sizeof(t[3]), row->expire_at);
	if (vals[4] == NULL || vals[5] == NULL)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL, "signing_key "
		    "insert without publish_at/activate_at");
	if (oidc_db_exec(db, OIDC_STMT_SIGNING_KEY_INSERT, vals, lens, fmts,
	    &res, err) == -1)
		return -1;
	rc = PQntuples(res) == 1;
	PQclear(res);
	return rc;
}

int
oidc_db_signing_key_retire(struct oidc_db *db, struct oidc_str kid,
    int64_t retire_at, int64_t expire_at, struct oidc_error *err)
{
	const char	*vals[3];
	char		 t[2][24];
	PGresult	*res;
	int		 rc;

	if (kid.p == NULL || kid.len > 128)
		return 0;
	vals[0] = kid.p;
	vals[1] = time_param(t[0], sizeof(t[0]), retire_at);
	vals[2] = time_param(t[1], sizeof(t[1]), expire_at);
	if (vals[1] == NULL || vals[2] == NULL)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL, "signing_key "
		    "retire without times");
	if (oidc_db_exec(db, OIDC_STMT_SIGNING_KEY_RETIRE, vals, NULL, NULL,
	    &res, err) == -1)
		return -1;
	rc = PQntuples(res) == 1;
	PQclear(res);
	return rc;
}

int
oidc_db_signing_key_unretire(struct oidc_db *db, struct oidc_str alg,
    int64_t retire_at, struct oidc_error *err)
{
	const char	*vals[2];
	char		 t[24];
	PGresult	*res;
	int		 rc;

	vals[0] = alg.p;
	if ((vals[1] = time_param(t, sizeof(t), retire_at)) == NULL)
		return 0;
	if (oidc_db_exec(db, OIDC_STMT_SIGNING_KEY_UNRETIRE, vals, NULL, NULL,
	    &res, err) == -1)
		return -1;
	rc = PQntuples(res) >= 1;
	PQclear(res);
	return rc;
}
