/*
 * db.c: connection, lazy prepare, transparent reconnect, transactions (see
 * oidc/db.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "oidc/arena.h"
#include "oidc/log.h"
#include "oidc/metrics.h"
#include "db_int.h"

struct oidc_db {
	PGconn		*conn;
	char		*conninfo;
	int64_t		 timeout_s;
	bool		 prepared[OIDC_STMT__MAX];
	bool		 in_tx;
	bool		 conflict;
	uint64_t	 n_stmts;
	uint64_t	 n_commits;
	/*
	 * The options of the first connection as libpq resolved them
	 * (PQconninfo: service file, environment, password file applied),
	 * used for every later connect: a reconnect inside the sandbox reads
	 * no file (sandbox.h, issue 15 item 12).
	 */
	PQconninfoOption *resolved;
	const char	**r_keys;
	const char	**r_vals;
};

struct oidc_db *
oidc_db_new(const char *conninfo, int64_t timeout_s)
{
	struct oidc_db	*db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	if ((db->conninfo = strdup(conninfo)) == NULL) {
		free(db);
		return NULL;
	}
	db->timeout_s = timeout_s > 0 ? timeout_s : 5;
	return db;
}

void
oidc_db_free(struct oidc_db *db)
{
	PQconninfoOption	*o;

	if (db == NULL)
		return;
	if (db->conn != NULL)
		PQfinish(db->conn);
	free(db->conninfo);
	free(db->r_keys);
	free(db->r_vals);
	if (db->resolved != NULL) {
		/* The resolved password, if any, is a secret. */
		for (o = db->resolved; o->keyword != NULL; o++)
			if (o->val != NULL)
				explicit_bzero(o->val, strlen(o->val));
		PQconninfoFree(db->resolved);
	}
	free(db);
}

/*
 * Keep the options of the live connection for the next connects.  Not
 * kept: "service" (already applied, and naming it again would make libpq
 * read the service file) and empty values (libpq's defaults).  On
 * allocation failure nothing is kept and reconnects resolve again.
 */
static void
keep_resolved(struct oidc_db *db)
{
	PQconninfoOption	*opts, *o;
	size_t			 n = 0;

	if (db->resolved != NULL || (opts = PQconninfo(db->conn)) == NULL)
		return;
	for (o = opts; o->keyword != NULL; o++)
		n++;
	if ((db->r_keys = calloc(n + 1, sizeof(*db->r_keys))) == NULL ||
	    (db->r_vals = calloc(n + 1, sizeof(*db->r_vals))) == NULL) {
		free(db->r_keys);
		db->r_keys = NULL;
		PQconninfoFree(opts);
		return;
	}
	n = 0;
	for (o = opts; o->keyword != NULL; o++) {
		if (o->val == NULL || o->val[0] == '\0' ||
		    strcmp(o->keyword, "service") == 0)
			continue;
		db->r_keys[n] = o->keyword;
		db->r_vals[n++] = o->val;
	}
	db->resolved = opts;
}

bool
oidc_db_unix_only(const struct oidc_db *db)
{
	const char	*host = NULL, *p;
	size_t		 i;

	if (db->resolved == NULL)
		return false;
	for (i = 0; db->r_keys[i] != NULL; i++) {
		if (strcmp(db->r_keys[i], "hostaddr") == 0)
			return false;
		if (strcmp(db->r_keys[i], "host") == 0)
			host = db->r_vals[i];
	}
	if (host == NULL)
		return true;	/* libpq's default: the unix socket */
	/* Every entry of a host list must be a socket directory. */
	for (p = host; *p != '\0'; p += strcspn(p, ",")) {
		if (*p == ',')
			p++;
		if (*p != '/' && *p != '@')
			return false;
	}
	return true;
}

/* Server NOTICEs (e.g. "already exists, skipping") go to the debug log. */
static void
notice(void *arg, const char *msg)
{
	(void)arg;
	oidc_log(OIDC_LOG_DEBUG, "msg=\"postgres notice\" text=\"%.*s\"",
	    (int)strcspn(msg, "\n"), msg);
}

static void
disconnect(struct oidc_db *db)
{
	if (db->conn != NULL)
		PQfinish(db->conn);
	db->conn = NULL;
	db->in_tx = false;
	memset(db->prepared, 0, sizeof(db->prepared));
}

int
oidc_db_connect(struct oidc_db *db, struct oidc_error *err)
{
	char		 timeout[24], options[128];
	const char	*keys[] = { "dbname", "connect_timeout", "options",
			    "application_name", "keepalives_idle", NULL };
	const char	*vals[6];

	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		return 0;
	disconnect(db);
	(void)snprintf(timeout, sizeof(timeout), "%lld",
	    (long long)db->timeout_s);
	/* Bound every statement so a stuck server cannot hang a worker. */
	(void)snprintf(options, sizeof(options),
	    "-c statement_timeout=%lld -c lock_timeout=%lld "
	    "-c idle_in_transaction_session_timeout=%lld",
	    (long long)db->timeout_s * 1000, (long long)db->timeout_s * 1000,
	    (long long)db->timeout_s * 2000);
	vals[0] = db->conninfo;
	vals[1] = timeout;
	vals[2] = options;
	vals[3] = "oidc-fcgi";
	vals[4] = "30";
	vals[5] = NULL;
	/* expand_dbname: the configured string is a full conninfo. */
	if (db->resolved != NULL)
		db->conn = PQconnectdbParams(db->r_keys, db->r_vals, 0);
	else
		db->conn = PQconnectdbParams(keys, vals, 1);
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		oidc_metrics_inc(OIDC_METRIC_DB_UNAVAILABLE);
		oidc_fail(err, OIDC_E_DB_DOWN, NULL, "connect: %s",
		    db->conn != NULL ? PQerrorMessage(db->conn) : "no memory");
		disconnect(db);
		return -1;
	}
	(void)PQsetNoticeProcessor(db->conn, notice, NULL);
	keep_resolved(db);
	return 0;
}

PGconn *
oidc_db_conn(struct oidc_db *db)
{
	return db->conn;
}

bool
oidc_db_in_transaction(const struct oidc_db *db)
{
	return db->in_tx;
}

bool
oidc_db_last_was_conflict(const struct oidc_db *db)
{
	return db->conflict;
}

void
oidc_db_stats(const struct oidc_db *db, uint64_t *stmts, uint64_t *commits)
{
	*stmts = db->n_stmts;
	*commits = db->n_commits;
}

static int
result_error(struct oidc_db *db, PGresult *res, const char *what,
    struct oidc_error *err)
{
	const char	*state = res != NULL ?
			    PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	char		 msg[160];

	(void)snprintf(msg, sizeof(msg), "%s", PQerrorMessage(db->conn));
	msg[strcspn(msg, "\n")] = '\0';
	db->conflict = state != NULL && strcmp(state, "23505") == 0;
	if (PQstatus(db->conn) != CONNECTION_OK) {
		disconnect(db);
		oidc_metrics_inc(OIDC_METRIC_DB_UNAVAILABLE);
		return oidc_fail(err, OIDC_E_DB_DOWN, NULL, "%s: %s", what,
		    msg);
	}
	/*
	 * 57014 statement timeout, 25006 read-only transaction, 40001/40P01
	 * serialization failure or deadlock: transient, 503, never a 500.
	 */
	if (state != NULL && (strcmp(state, "57014") == 0 ||
	    strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strcmp(state, "25006") == 0 || strncmp(state, "57P", 3) == 0 ||
	    strncmp(state, "53", 2) == 0 || strncmp(state, "08", 2) == 0)) {
		oidc_metrics_inc(OIDC_METRIC_DB_UNAVAILABLE);
		return oidc_fail(err, OIDC_E_DB_DOWN, NULL, "%s: %s %s", what,
		    state, msg);
	}
	oidc_metrics_inc(OIDC_METRIC_DB_ERROR);
	return oidc_fail(err, OIDC_E_DB, NULL, "%s: %s %s", what,
	    state != NULL ? state : "-", msg);
}

static bool
connection_lost(struct oidc_db *db)
{
	return db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK;
}

static int
prepare(struct oidc_db *db, enum oidc_stmt_id id, struct oidc_error *err)
{
	PGresult	*res;
	int		 rc = 0;

	if (db->prepared[id])
		return 0;
	res = PQprepare(db->conn, oidc_stmts[id].name, oidc_stmts[id].sql,
	    oidc_stmts[id].nparams, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = result_error(db, res, oidc_stmts[id].name, err);
	else
		db->prepared[id] = true;
	PQclear(res);
	return rc;
}

static int
exec_once(struct oidc_db *db, enum oidc_stmt_id id, const struct db_params *p,
    PGresult **out, struct oidc_error *err)
{
	PGresult	*res;
	int		 st;

	if (oidc_db_connect(db, err) == -1 || prepare(db, id, err) == -1)
		return -1;
	db->n_stmts++;
	res = PQexecPrepared(db->conn, oidc_stmts[id].name,
	    oidc_stmts[id].nparams, p != NULL ? p->v : NULL,
	    p != NULL ? p->len : NULL, p != NULL ? p->fmt : NULL, 0);
	st = PQresultStatus(res);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		result_error(db, res, oidc_stmts[id].name, err);
		PQclear(res);
		return -1;
	}
	db->conflict = false;
	/* The one column check per result that lets readers use names. */
	if (PQnfields(res) != oidc_stmts[id].ncols) {
		oidc_fail(err, OIDC_E_DB, NULL, "%s: %d columns, %d declared "
		    "(run oidcctl db check)", oidc_stmts[id].name,
		    PQnfields(res), oidc_stmts[id].ncols);
		PQclear(res);
		return -1;
	}
	*out = res;
	return 0;
}

int
oidc_db_run(struct oidc_db *db, enum oidc_stmt_id id,
    const struct db_params *p, PGresult **out, struct oidc_error *err)
{
	struct oidc_error	 first = { 0 };
	bool			 was_connected = !connection_lost(db);

	if ((p != NULL ? p->n : 0) != oidc_stmts[id].nparams)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL, "%s: %d "
		    "parameters bound, %d declared", oidc_stmts[id].name,
		    p != NULL ? p->n : 0, oidc_stmts[id].nparams);
	if (db->in_tx)
		return exec_once(db, id, p, out, err);
	if (exec_once(db, id, p, out, &first) == 0)
		return 0;
	/*
	 * A connection that died while idle (server restart) is retried once
	 * on a fresh connection; outside a transaction that is safe.  An
	 * error on a live connection (disk full, read-only, a timeout) is
	 * the answer: running the statement again would only double it.
	 */
	if (first.code == OIDC_E_DB_DOWN && was_connected &&
	    connection_lost(db)) {
		oidc_log(OIDC_LOG_WARN, "msg=\"database connection lost, "
		    "reconnecting\"");
		oidc_metrics_inc(OIDC_METRIC_DB_RETRY);
		return exec_once(db, id, p, out, err);
	}
	*err = first;
	return -1;
}

static int
simple(struct oidc_db *db, const char *sql, struct oidc_error *err)
{
	PGresult	*res;
	int		 rc = 0;

	res = PQexec(db->conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = result_error(db, res, sql, err);
	PQclear(res);
	return rc;
}

int
oidc_db_begin(struct oidc_db *db, struct oidc_error *err)
{
	struct oidc_error	 first = { 0 };
	bool			 was_connected = !connection_lost(db);

	if (db->in_tx)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL, "nested BEGIN");
	if (oidc_db_connect(db, err) == -1)
		return -1;
	db->n_stmts++;
	if (simple(db, "BEGIN", &first) == -1) {
		if (first.code != OIDC_E_DB_DOWN || !was_connected ||
		    !connection_lost(db)) {
			*err = first;
			return -1;
		}
		/* The idle connection was dead: one fresh attempt. */
		oidc_metrics_inc(OIDC_METRIC_DB_RETRY);
		if (oidc_db_connect(db, err) == -1 ||
		    simple(db, "BEGIN", err) == -1)
			return -1;
	}
	db->in_tx = true;
	return 0;
}

int
oidc_db_commit(struct oidc_db *db, struct oidc_error *err)
{
	if (!db->in_tx)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL, "COMMIT outside "
		    "a transaction");
	db->in_tx = false;
	db->n_stmts++;
	db->n_commits++;
	return simple(db, "COMMIT", err);
}

void
oidc_db_rollback(struct oidc_db *db)
{
	struct oidc_error	 ignored = { 0 };

	if (!db->in_tx)
		return;
	db->in_tx = false;
	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		(void)simple(db, "ROLLBACK", &ignored);
}

int
oidc_db_ping(struct oidc_db *db, struct oidc_error *err)
{
	PGresult	*res;

	if (oidc_db_run(db, OIDC_STMT_DB_PING, NULL, &res, err) == -1)
		return -1;
	PQclear(res);
	return 0;
}

int
oidc_db_prepare_all(struct oidc_db *db, struct oidc_error *err)
{
	int	 i;

	if (oidc_db_connect(db, err) == -1)
		return -1;
	for (i = 0; i < OIDC_STMT__MAX; i++)
		if (prepare(db, (enum oidc_stmt_id)i, err) == -1)
			return -1;
	return 0;
}

int
oidc_db_check(struct oidc_db *db, void (*report)(const char *name,
    const char *what, int declared, int described, void *), void *arg,
    struct oidc_error *err)
{
	PGresult	*res;
	int		 i, n = 0;

	if (oidc_db_prepare_all(db, err) == -1)
		return -1;
	for (i = 0; i < OIDC_STMT__MAX; i++) {
		res = PQdescribePrepared(db->conn, oidc_stmts[i].name);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			(void)result_error(db, res, oidc_stmts[i].name, err);
			PQclear(res);
			return -1;
		}
		n += oidc_stmt_compare(&oidc_stmts[i], PQnparams(res),
		    PQnfields(res), report, arg);
		PQclear(res);
	}
	return n;
}

int
oidc_db_rows(struct oidc_db *db, enum oidc_stmt_id id,
    const struct db_params *p, struct oidc_arena *a, size_t size,
    db_row_reader read, void **rows, size_t *n, struct oidc_error *err)
{
	PGresult	*res;
	unsigned char	*v;
	int		 i, nt, rc = -1;

	*rows = NULL;
	*n = 0;
	if (oidc_db_run(db, id, p, &res, err) == -1)
		return -1;
	nt = PQntuples(res);
	if ((v = oidc_arena_calloc(a, (size_t)nt + 1, size)) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
		goto out;
	}
	for (i = 0; i < nt; i++)
		if (read(a, res, i, v + (size_t)i * size, err) == -1)
			goto out;
	*rows = v;
	*n = (size_t)nt;
	rc = 0;
out:
	PQclear(res);
	return rc;
}

int
oidc_db_row(struct oidc_db *db, enum oidc_stmt_id id,
    const struct db_params *p, struct oidc_arena *a, db_row_reader read,
    void *row, struct oidc_error *err)
{
	PGresult	*res;
	int		 rc;

	if (oidc_db_run(db, id, p, &res, err) == -1)
		return -1;
	rc = PQntuples(res) == 1 ? 1 : 0;
	if (rc == 1 && read(a, res, 0, row, err) == -1)
		rc = -1;
	PQclear(res);
	return rc;
}

int
oidc_db_copy(struct oidc_arena *a, PGresult *res, int r, int c,
    struct oidc_str *out, struct oidc_error *err)
{
	char	*p;
	int	 len;

	if (PQgetisnull(res, r, c)) {
		*out = OIDC_STR_NULL;
		return 0;
	}
	len = PQgetlength(res, r, c);
	if ((p = oidc_arena_strndup(a, PQgetvalue(res, r, c), (size_t)len)) ==
	    NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	*out = (struct oidc_str){ p, (size_t)len };
	return 0;
}

bool
oidc_db_bool(PGresult *res, int r, int c)
{
	return !PQgetisnull(res, r, c) && PQgetvalue(res, r, c)[0] == 't';
}

int64_t
oidc_db_i64(PGresult *res, int r, int c)
{
	if (PQgetisnull(res, r, c))
		return 0;
	return oidc_db_i64_text(PQgetvalue(res, r, c));
}

int64_t
oidc_db_i64_text(const char *v)
{
	uint64_t	 u;
	bool		 neg;

	neg = v[0] == '-';
	if (oidc_parse_u64(v + neg, strlen(v + neg), 0, INT64_MAX, &u) == -1)
		return 0;
	return neg ? -(int64_t)u : (int64_t)u;
}

int
oidc_db_bytea(PGresult *res, int r, int c, unsigned char *out, size_t len)
{
	const char	*v;
	size_t		 vlen;

	if (PQgetisnull(res, r, c))
		return -1;
	v = PQgetvalue(res, r, c);
	vlen = (size_t)PQgetlength(res, r, c);
	if (vlen < 2 || v[0] != '\\' || v[1] != 'x')
		return -1;
	return oidc_hex_decode(v + 2, vlen - 2, out, len);
}

int
oidc_db_copy_bytea(struct oidc_arena *a, PGresult *res, int r, int c,
    size_t max, const unsigned char **out, size_t *outlen,
    struct oidc_error *err)
{
	unsigned char	*b;
	size_t		 len;

	*out = NULL;
	*outlen = 0;
	if (PQgetisnull(res, r, c))
		return 0;
	len = (size_t)PQgetlength(res, r, c);
	if (len < 2 || len % 2 != 0 || (len - 2) / 2 > max)
		return oidc_fail(err, OIDC_E_DB, NULL, "malformed bytea column "
		    "%s", PQfname(res, c));
	if ((b = oidc_arena_alloc(a, (len - 2) / 2 + 1)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	if (oidc_db_bytea(res, r, c, b, (len - 2) / 2) == -1)
		return oidc_fail(err, OIDC_E_DB, NULL, "malformed bytea column "
		    "%s", PQfname(res, c));
	*out = b;
	*outlen = (len - 2) / 2;
	return 0;
}

int
oidc_db_run_one(struct oidc_db *db, enum oidc_stmt_id id,
    const struct db_params *p, struct oidc_error *err)
{
	PGresult	*res;
	int		 rc;

	if (oidc_db_run(db, id, p, &res, err) == -1)
		return -1;
	rc = strcmp(PQcmdTuples(res), "1") == 0;
	PQclear(res);
	return rc;
}
