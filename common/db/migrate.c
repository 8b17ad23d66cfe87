/*
 * migrate.c: applying sql/migrations/NNNN_*.sql in order (see oidc/db.h).
 *
 * Migration files are the operator's own trusted files, so they are the one
 * place where SQL text is sent with PQexec rather than as a prepared
 * statement (a migration holds many statements).  tests/checksrc.sh allows
 * it in this file only.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "db_int.h"

#define MAX_MIGRATIONS	512
#define MAX_FILE	(1024 * 1024)
/* pg_advisory_lock key: "oidc" in ASCII. */
#define LOCK_SQL	"SELECT pg_advisory_lock(1868129635)"
#define UNLOCK_SQL	"SELECT pg_advisory_unlock(1868129635)"

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
is_migration_name(const char *n)
{
	size_t	 len = strlen(n), i;

	if (len < 9 || strcmp(n + len - 4, ".sql") != 0)
		return false;
	for (i = 0; i < 4; i++)
		if (n[i] < '0' || n[i] > '9')
			return false;
	return n[4] == '_';
}

static char *
slurp(const char *path, struct oidc_error *err)
{
	FILE	*f;
	char	*buf;
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL) {
		oidc_fail(err, OIDC_E_IO, NULL, "%s: %s", path,
		    strerror(errno));
		return NULL;
	}
	if ((buf = malloc(MAX_FILE + 1)) == NULL) {
		fclose(f);
		oidc_fail(err, OIDC_E_NOMEM, NULL, "malloc");
		return NULL;
	}
	n = fread(buf, 1, MAX_FILE + 1, f);
	fclose(f);
	if (n > MAX_FILE) {
		free(buf);
		oidc_fail(err, OIDC_E_LIMIT, NULL, "%s: too large", path);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

static int
run(PGconn *conn, const char *sql, ExecStatusType want, const char *what,
    struct oidc_error *err)
{
	PGresult	*res = PQexec(conn, sql);
	int		 rc = 0;

	if (PQresultStatus(res) != want)
		rc = oidc_fail(err, OIDC_E_DB, NULL, "%s: %s", what,
		    PQerrorMessage(conn));
	PQclear(res);
	return rc;
}

static int
applied(PGconn *conn, const char *name, struct oidc_error *err)
{
	const char	*vals[1] = { name };
	PGresult	*res;
	int		 rc;

	res = PQexecParams(conn,
	    "SELECT 1 FROM schema_migration WHERE name = $1", 1, NULL, vals,
	    NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = oidc_fail(err, OIDC_E_DB, NULL, "schema_migration: %s",
		    PQerrorMessage(conn));
	else
		rc = PQntuples(res) == 1;
	PQclear(res);
	return rc;
}

static int
apply(PGconn *conn, const char *dir, const char *name,
    struct oidc_error *err)
{
	const char	*vals[1] = { name };
	PGresult	*res;
	char		 path[4096], *sql;
	int		 rc = -1;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((sql = slurp(path, err)) == NULL)
		return -1;
	if (run(conn, "BEGIN", PGRES_COMMAND_OK, "BEGIN", err) == -1)
		goto out;
	res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK) {
		oidc_fail(err, OIDC_E_DB, NULL, "%s: %s", name,
		    PQerrorMessage(conn));
		PQclear(res);
		(void)PQclear(PQexec(conn, "ROLLBACK"));
		goto out;
	}
	PQclear(res);
	res = PQexecParams(conn, "INSERT INTO schema_migration (name) "
	    "VALUES ($1)", 1, NULL, vals, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		oidc_fail(err, OIDC_E_DB, NULL, "record %s: %s", name,
		    PQerrorMessage(conn));
		PQclear(res);
		(void)PQclear(PQexec(conn, "ROLLBACK"));
		goto out;
	}
	PQclear(res);
	rc = run(conn, "COMMIT", PGRES_COMMAND_OK, "COMMIT", err);
out:
	free(sql);
	return rc;
}

int
oidc_db_migrate(struct oidc_db *db, const char *dir,
    void (*cb)(const char *), struct oidc_error *err)
{
	struct dirent	*de;
	DIR		*d = NULL;
	PGconn		*conn;
	char		*names[MAX_MIGRATIONS];
	size_t		 n = 0, i;
	int		 rc = -1, done;
	bool		 locked = false;

	if (oidc_db_connect(db, err) == -1)
		return -1;
	conn = oidc_db_conn(db);
	if ((d = opendir(dir)) == NULL) {
		oidc_fail(err, OIDC_E_IO, NULL, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!is_migration_name(de->d_name))
			continue;
		if (n == MAX_MIGRATIONS ||
		    (names[n] = strdup(de->d_name)) == NULL) {
			oidc_fail(err, OIDC_E_LIMIT, NULL, "too many files");
			goto out;
		}
		n++;
	}
	qsort(names, n, sizeof(names[0]), cmp_names);
	/* Two concurrent `oidcctl migrate` runs must not interleave. */
	if (run(conn, LOCK_SQL, PGRES_TUPLES_OK, "lock", err) == -1)
		goto out;
	locked = true;
	if (run(conn, "CREATE TABLE IF NOT EXISTS schema_migration ("
	    "name text PRIMARY KEY, applied_at timestamptz NOT NULL "
	    "DEFAULT now())", PGRES_COMMAND_OK, "schema_migration", err) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		if ((done = applied(conn, names[i], err)) == -1)
			goto out;
		if (done)
			continue;
		if (apply(conn, dir, names[i], err) == -1)
			goto out;
		if (cb != NULL)
			cb(names[i]);
	}
	rc = 0;
out:
	if (locked)
		(void)PQclear(PQexec(conn, UNLOCK_SQL));
	for (i = 0; i < n; i++)
		free(names[i]);
	if (d != NULL)
		closedir(d);
	return rc;
}
