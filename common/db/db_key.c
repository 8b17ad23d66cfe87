/*
 * db_key.c: the signing_key table and its generation counter (see
 * oidc/db.h and sql/migrations/0003_signing_keys.sql).  The sealed
 * private key travels as a binary bytea parameter and comes back in
 * bytea hex text form; integers travel as decimal text.
 */
#include <string.h>

#include "oidc/arena.h"
#include "db_int.h"

/* A generous bound on one sealed key (seal.h caps the plaintext at 64K). */
#define MAX_SEALED	(80 * 1024)

/* One row of signing_key_list / _list_public (K_* columns, stmt.h). */
static int
read_row(struct oidc_arena *a, PGresult *res, int r, void *row,
    struct oidc_error *err)
{
	struct oidc_signing_key_row	*out = row;

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

	if (oidc_db_run(db, id, NULL, &res, err) == -1)
		return -1;
	if (PQntuples(res) != 1)
		rc = oidc_fail(err, OIDC_E_DB, NULL, "signing_key_generation: "
		    "expected one row (run oidcctl migrate)");
	else
		*v = oidc_db_i64(res, 0, V_VALUE);
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
oidc_db_schema_latest(struct oidc_db *db, struct oidc_arena *a,
    struct oidc_str *name, struct oidc_error *err)
{
	PGresult	*res;
	int		 rc;

	if (oidc_db_run(db, OIDC_STMT_SCHEMA_LATEST, NULL, &res, err) == -1)
		return -1;
	rc = PQntuples(res) == 1 ? oidc_db_copy(a, res, 0, V_VALUE, name, err) :
	    oidc_fail(err, OIDC_E_DB, NULL, "schema_latest: no row");
	PQclear(res);
	return rc;
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
	struct db_params	 p = { .n = 0 };
	void			*v;

	*rows = NULL;
	db_p_bool(&p, include_expired);
	if (oidc_db_rows(db, with_private ? OIDC_STMT_SIGNING_KEY_LIST :
	    OIDC_STMT_SIGNING_KEY_LIST_PUBLIC, &p, a, sizeof(**rows), read_row,
	    &v, n, err) == -1)
		return -1;
	*rows = v;
	return 0;
}

int
oidc_db_signing_key_insert(struct oidc_db *db,
    const struct oidc_signing_key_row *row, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	if (row->private_key == NULL || row->private_key_len > MAX_SEALED)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL, "signing_key "
		    "insert without a sealed private key");
	if (row->publish_at == 0 || row->activate_at == 0)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL, "signing_key "
		    "insert without publish_at/activate_at");
	db_p_str(&p, row->kid);
	db_p_str(&p, row->alg);
	db_p_str(&p, row->public_jwk);
	db_p_bin(&p, row->private_key, row->private_key_len);
	/* Times: 0 is SQL NULL (to_timestamp(NULL) is NULL). */
	db_p_i64_or_null(&p, row->publish_at);
	db_p_i64_or_null(&p, row->activate_at);
	db_p_i64_or_null(&p, row->retire_at);
	db_p_i64_or_null(&p, row->expire_at);
	/* kid is the key: ON CONFLICT DO NOTHING changes one row or none. */
	return oidc_db_run_one(db, OIDC_STMT_SIGNING_KEY_INSERT, &p, err);
}

int
oidc_db_signing_key_retire(struct oidc_db *db, struct oidc_str kid,
    int64_t retire_at, int64_t expire_at, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };

	if (kid.p == NULL || kid.len > 128)
		return 0;
	if (retire_at == 0 || expire_at == 0)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL, "signing_key "
		    "retire without times");
	db_p_str(&p, kid);
	db_p_i64(&p, retire_at);
	db_p_i64(&p, expire_at);
	return oidc_db_run_one(db, OIDC_STMT_SIGNING_KEY_RETIRE, &p, err);
}

int
oidc_db_signing_key_unretire(struct oidc_db *db, struct oidc_str alg,
    int64_t retire_at, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;
	int			 rc;

	if (retire_at == 0)
		return 0;
	db_p_str(&p, alg);
	db_p_i64(&p, retire_at);
	if (oidc_db_run(db, OIDC_STMT_SIGNING_KEY_UNRETIRE, &p, &res,
	    err) == -1)
		return -1;
	rc = PQntuples(res) >= 1;
	PQclear(res);
	return rc;
}
