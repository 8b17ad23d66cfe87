/*
 * db_resource.c: registered resources for resource indicators (RFC 8707,
 * see oidc/db.h, oidc/resource.h and sql/migrations/0022_resource.sql).
 */
#include <string.h>

#include "oidc/arena.h"
#include "db_int.h"

static int
read_resource(struct oidc_arena *a, PGresult *res, int r,
    struct oidc_resource_row *out, struct oidc_error *err)
{
	out->lifetime = oidc_db_i64(res, r, RS_LIFETIME);
	if (oidc_db_copy(a, res, r, RS_ID, &out->identifier, err) == -1 ||
	    oidc_db_copy(a, res, r, RS_SCOPE, &out->scope, err) == -1 ||
	    oidc_db_copy(a, res, r, RS_FORMAT, &out->format, err) == -1)
		return -1;
	return 0;
}

int
oidc_db_resource_get(struct oidc_db *db, struct oidc_arena *a,
    struct oidc_str identifier, struct oidc_resource_row *out,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;
	int			 rc;

	memset(out, 0, sizeof(*out));
	db_p_str(&p, identifier);
	if (oidc_db_run(db, OIDC_STMT_RESOURCE_GET, &p, &res, err) == -1)
		return -1;
	rc = PQntuples(res) == 1;
	if (rc == 1 && read_resource(a, res, 0, out, err) == -1)
		rc = -1;
	PQclear(res);
	return rc;
}

int
oidc_db_resource_insert(struct oidc_db *db,
    const struct oidc_resource_row *r, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;
	int			 rc;

	db_p_str(&p, r->identifier);
	db_p_str(&p, r->scope);
	db_p_str(&p, r->format);
	db_p_i64(&p, r->lifetime);
	if (oidc_db_run(db, OIDC_STMT_RESOURCE_INSERT, &p, &res, err) == -1)
		return -1;
	rc = PQntuples(res) == 1;
	PQclear(res);
	return rc;
}

int
oidc_db_resource_list(struct oidc_db *db, struct oidc_arena *a,
    struct oidc_resource_row **rows, size_t *n, struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;
	int			 i, nt, rc = 0;

	*rows = NULL;
	*n = 0;
	if (oidc_db_run(db, OIDC_STMT_RESOURCE_LIST, &p, &res, err) == -1)
		return -1;
	nt = PQntuples(res);
	if (nt > 0 && (*rows = oidc_arena_calloc(a, (size_t)nt,
	    sizeof(**rows))) == NULL)
		rc = oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	for (i = 0; rc == 0 && i < nt; i++)
		if (read_resource(a, res, i, &(*rows)[i], err) == -1)
			rc = -1;
	if (rc == 0)
		*n = (size_t)nt;
	PQclear(res);
	return rc;
}

int
oidc_db_resource_delete(struct oidc_db *db, struct oidc_str identifier,
    struct oidc_error *err)
{
	struct db_params	 p = { .n = 0 };
	PGresult		*res;
	int			 rc;

	db_p_str(&p, identifier);
	if (oidc_db_run(db, OIDC_STMT_RESOURCE_DELETE, &p, &res, err) == -1)
		return -1;
	rc = strcmp(PQcmdTuples(res), "1") == 0;
	PQclear(res);
	return rc;
}
