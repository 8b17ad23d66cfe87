/*
 * db.c: connection, lazy prepare, transparent reconnect, transactions (see
 * oidc/db.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "oidc/arena.h"
#include "oidc/log.h"
#include "oidc/metrics.h"
#include "db_int.h"

struct oidc_db {
	PGconn		*conn;
	char		*conninfo;
	int64_t		 timeout_s;
	int64_t		 connect_timeout_s;
	int64_t		 failover_wait_ms;
	int64_t		 result_wait_ms;
	int64_t		 deadline_ms;	/* this request's failover wait, or 0 */
	int64_t		 nowait_until_ms; /* fail fast until then */
	enum db_fault	 fault;		/* of the last failure */
	struct oidc_db	*read;		/* database_read, or NULL (owned) */
	bool		 prepared[OIDC_STMT__MAX];
	bool		 in_tx;
	bool		 conflict;
	bool		 unsure;	/* cancelled after db_commit_timeout */
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
	db->connect_timeout_s = db->timeout_s;
	db->result_wait_ms = (db->timeout_s + 1) * 1000;
	return db;
}

void
oidc_db_set_failover(struct oidc_db *db, int64_t connect_timeout_s,
    int64_t failover_wait_s, int64_t result_wait_s)
{
	db->connect_timeout_s = connect_timeout_s > 0 ? connect_timeout_s : 2;
	db->failover_wait_ms = failover_wait_s > 0 ? failover_wait_s * 1000 :
	    0;
	db->result_wait_ms = result_wait_s > 0 ? result_wait_s * 1000 : 5000;
}

void
oidc_db_request_start(struct oidc_db *db)
{
	db->deadline_ms = 0;
	if (db->read != NULL)
		db->read->deadline_ms = 0;
}

void
oidc_db_set_read(struct oidc_db *db, struct oidc_db *read)
{
	oidc_db_free(db->read);
	db->read = read;
}

bool
oidc_db_stmt_reads_only(enum oidc_stmt_id id)
{
	switch (id) {
	case OIDC_STMT_CLIENT_GET:
	case OIDC_STMT_CLIENT_GET_THROTTLED:
	case OIDC_STMT_CLIENT_LIST:
	case OIDC_STMT_CLIENT_ORIGIN_KNOWN:
	case OIDC_STMT_CLIENT_REG_GET:
	case OIDC_STMT_USER_GET_BY_NAME:
	case OIDC_STMT_USER_GET_BY_SUB:
	case OIDC_STMT_USER_LIST:
	case OIDC_STMT_SIGNING_KEY_GENERATION:
	case OIDC_STMT_SIGNING_KEY_LIST:
	case OIDC_STMT_SIGNING_KEY_LIST_PUBLIC:
	case OIDC_STMT_ACCESS_TOKEN_GET:
	case OIDC_STMT_TOKEN_INTROSPECT:
	case OIDC_STMT_SESSION_GET:
	case OIDC_STMT_SESSION_GET_CONSENT:
	case OIDC_STMT_CLIENT_SESSION_GET:
	case OIDC_STMT_CONSENT_GET:
	case OIDC_STMT_LOGIN_THROTTLE:
	case OIDC_STMT_BACKCHANNEL_TARGETS:
	case OIDC_STMT_DB_PING:
	case OIDC_STMT_AUTHZ_ISSUED:
	case OIDC_STMT_CODE_REDEEMED_BY:
	case OIDC_STMT_CODE_SEALED_REDEEMED_BY:
	case OIDC_STMT_REFRESH_ROTATED_BY:
	case OIDC_STMT_TOTP_GET:
	case OIDC_STMT_RECOVERY_COUNT:
	case OIDC_STMT_PENDING_GET:
		return true;
	default:
		return false;
	}
}

/*
 * The statements that may read a replica (database_read): they tolerate
 * its lag, because a miss there is asked again of the primary (a token
 * used milliseconds after it was issued), and what a lagging replica
 * gets wrong is only a revocation or key change seen late
 * (deploy/ha/README.md).
 */
static bool
replica_ok(enum oidc_stmt_id id)
{
	switch (id) {
	case OIDC_STMT_ACCESS_TOKEN_GET:
	case OIDC_STMT_TOKEN_INTROSPECT:
	case OIDC_STMT_SIGNING_KEY_GENERATION:
	case OIDC_STMT_SIGNING_KEY_LIST:
	case OIDC_STMT_SIGNING_KEY_LIST_PUBLIC:
		return true;
	default:
		return false;
	}
}

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(int64_t ms)
{
	struct timespec	 ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

enum db_fault
oidc_db_fault(const char *state, bool connection_ok)
{
	if (!connection_ok)
		return DB_FAULT_LOST;
	if (state == NULL)
		return DB_FAULT_NONE;
	if (strcmp(state, "25006") == 0 || strcmp(state, "57P03") == 0)
		return DB_FAULT_NOT_RUN;
	if (strcmp(state, "57P01") == 0 || strcmp(state, "57P02") == 0 ||
	    strncmp(state, "08", 2) == 0)
		return DB_FAULT_LOST;
	return DB_FAULT_NONE;
}

int64_t
oidc_db_backoff_ms(int64_t prev_ms)
{
	if (prev_ms < 50)
		return 50;
	return prev_ms >= 500 ? 1000 : prev_ms * 2;
}

void
oidc_db_free(struct oidc_db *db)
{
	PQconninfoOption	*o;

	if (db == NULL)
		return;
	oidc_db_free(db->read);
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

	if (db->resolved == NULL ||
	    (db->read != NULL && !oidc_db_unix_only(db->read)))
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
	/* in_tx stays: a lost transaction fails until its rollback. */
	memset(db->prepared, 0, sizeof(db->prepared));
}

static int
connect_once(struct oidc_db *db, struct oidc_error *err)
{
	char		 timeout[24], options[128];
	const char	*keys[] = { "dbname", "connect_timeout", "options",
			    "application_name", "keepalives_idle", NULL };
	const char	*vals[6];

	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		return 0;
	disconnect(db);
	(void)snprintf(timeout, sizeof(timeout), "%lld",
	    (long long)db->connect_timeout_s);
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

/*
 * Is the idle connection still there?  A server that shut down or died
 * (its postmaster killed: the backends exit) has closed the socket, maybe
 * after a FATAL message: both are readable now, before anything is sent,
 * so the statement can go to a fresh connection without any doubt about
 * whether it ran.  Never inside a transaction (nothing is pending then
 * either, but a transaction cannot move to another connection).
 */
static bool
idle_alive(struct oidc_db *db)
{
	struct pollfd	 pfd;
	int		 i;

	for (i = 0; i < 4; i++) {
		if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK)
			return false;
		pfd.fd = PQsocket(db->conn);
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, 0) != 1)
			return true;
		if (PQconsumeInput(db->conn) == 0)
			return false;
	}
	return PQstatus(db->conn) == CONNECTION_OK;
}

/*
 * Connect, after a failover-class fault or a refused connect: drop what
 * is left of the connection and try again with a backoff until this
 * request's db_failover_wait is used up (libpq walks the host list each
 * time, so a target_session_attrs=read-write list finds the new
 * primary).  When waiting is off, or a wait in the last minute found no
 * primary (an outage, not a failover), one attempt only: fail fast.
 */
static int
reconnect_wait(struct oidc_db *db, struct oidc_error *err)
{
	struct oidc_error	 e;
	int64_t			 now = now_ms(), delay = 0, t0 = now;
	int			 tries = 0;

	disconnect(db);
	if (db->failover_wait_ms == 0 || now < db->nowait_until_ms)
		return connect_once(db, err);
	if (db->deadline_ms == 0)
		db->deadline_ms = now + db->failover_wait_ms;
	for (;;) {
		memset(&e, 0, sizeof(e));
		tries++;
		if (connect_once(db, &e) == 0) {
			if (tries > 1)
				oidc_log(OIDC_LOG_WARN, "msg=\"database "
				    "reconnected\" tries=%d ms=%lld", tries,
				    (long long)(now_ms() - t0));
			return 0;
		}
		delay = oidc_db_backoff_ms(delay);
		now = now_ms();
		if (now + delay > db->deadline_ms) {
			db->nowait_until_ms = now + DB_NOWAIT_MS;
			oidc_log(OIDC_LOG_WARN, "msg=\"no database primary "
			    "within db_failover_wait\" tries=%d ms=%lld",
			    tries, (long long)(now - t0));
			*err = e;
			return -1;
		}
		sleep_ms(delay);
	}
}

/*
 * Before a fault's retry: false (and err set from `first`) when this
 * request's wait is used up or waiting is off; else after a backoff.
 */
static bool
may_retry(struct oidc_db *db, const struct oidc_error *first,
    int64_t *delay, struct oidc_error *err)
{
	int64_t	 now = now_ms();

	*delay = oidc_db_backoff_ms(*delay);
	if (db->failover_wait_ms == 0 || now < db->nowait_until_ms ||
	    (db->deadline_ms != 0 && now + *delay > db->deadline_ms)) {
		*err = *first;
		return false;
	}
	if (db->deadline_ms == 0)
		db->deadline_ms = now + db->failover_wait_ms;
	sleep_ms(*delay);
	return true;
}

/* Connected, with the idle connection checked: 0, or -1 with err set. */
static int
ready(struct oidc_db *db, struct oidc_error *err)
{
	if (db->conn != NULL && (db->in_tx || idle_alive(db)))
		return 0;
	if (db->conn != NULL) {
		/* The server went away; the statement moves to a new one. */
		oidc_metrics_inc(OIDC_METRIC_DB_UNAVAILABLE);
		oidc_metrics_inc(OIDC_METRIC_DB_RETRY);
		oidc_log(OIDC_LOG_WARN, "msg=\"database connection lost "
		    "while idle, reconnecting\"");
	}
	return reconnect_wait(db, err);
}

int
oidc_db_connect(struct oidc_db *db, struct oidc_error *err)
{
	struct oidc_error	 ignored = { 0 };

	/* The read DSN too, once (its options resolved for the sandbox). */
	if (db->read != NULL && db->read->conn == NULL &&
	    connect_once(db->read, &ignored) == -1)
		oidc_log_error(OIDC_LOG_WARN, &ignored, "database_read "
		    "unreachable; reads go to the primary until it answers");
	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		return 0;
	return reconnect_wait(db, err);
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
	db->fault = oidc_db_fault(state, PQstatus(db->conn) == CONNECTION_OK);
	if (db->fault != DB_FAULT_NONE) {
		/* libpq picks the (new) primary on the next connect. */
		disconnect(db);
		oidc_metrics_inc(OIDC_METRIC_DB_UNAVAILABLE);
		return oidc_fail(err, OIDC_E_DB_DOWN, NULL, "%s: %s %s", what,
		    state != NULL ? state : "-", msg);
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

/*
 * The result of the query just sent, waited for at most result_wait_ms
 * (db_commit_timeout).  statement_timeout bounds a statement on the
 * server, but not a COMMIT waiting for a synchronous standby, nor a
 * server that stopped answering: past the bound the query is cancelled
 * (PQcancel), and given one more second to answer.  *cancelled tells the
 * caller to treat any answer as a failure: a COMMIT cancelled in its
 * wait for a standby answers success with a WARNING, yet it is committed
 * locally only.  NULL when even the cancel got no answer (the caller
 * drops the connection).
 */
static PGresult *
wait_result(struct oidc_db *db, bool *cancelled)
{
	PGresult	*res, *last = NULL;
	PGcancel	*pc;
	struct pollfd	 pfd;
	char		 ebuf[128];
	int64_t		 end = now_ms() + db->result_wait_ms, left;

	*cancelled = false;
	while (PQisBusy(db->conn)) {
		if ((left = end - now_ms()) <= 0) {
			if (*cancelled)
				return NULL;
			*cancelled = true;
			if ((pc = PQgetCancel(db->conn)) == NULL ||
			    !PQcancel(pc, ebuf, sizeof(ebuf)))
				oidc_log(OIDC_LOG_WARN, "msg=\"database cancel "
				    "failed\"");
			PQfreeCancel(pc);
			end = now_ms() + 1000;
			continue;
		}
		pfd.fd = PQsocket(db->conn);
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)left) == -1 && errno != EINTR)
			break;
		if (PQconsumeInput(db->conn) == 0)
			break;	/* PQgetResult reports the lost connection */
	}
	while ((res = PQgetResult(db->conn)) != NULL) {
		PQclear(last);
		last = res;
	}
	return last;
}

/*
 * Send (sql, or the prepared statement id when sql is NULL) and wait:
 * 0 with *out, or -1 with err set (db->fault says whether the query may
 * have run).  A query that could not be sent did not run.
 */
static int
roundtrip(struct oidc_db *db, const char *sql, enum oidc_stmt_id id,
    const struct db_params *p, bool prep, PGresult **out,
    struct oidc_error *err)
{
	const char	*what = sql != NULL ? sql : oidc_stmts[id].name;
	PGresult	*res;
	bool		 cancelled;
	int		 sent, st;

	*out = NULL;
	if (db->conn == NULL) {
		db->fault = DB_FAULT_LOST;
		return oidc_fail(err, OIDC_E_DB_DOWN, NULL, "%s: the "
		    "connection of this transaction was lost", what);
	}
	if (sql != NULL)
		sent = PQsendQuery(db->conn, sql);
	else if (prep)
		sent = PQsendPrepare(db->conn, oidc_stmts[id].name,
		    oidc_stmts[id].sql, oidc_stmts[id].nparams, NULL);
	else
		sent = PQsendQueryPrepared(db->conn, oidc_stmts[id].name,
		    oidc_stmts[id].nparams, p != NULL ? p->v : NULL,
		    p != NULL ? p->len : NULL, p != NULL ? p->fmt : NULL, 0);
	if (!sent) {
		/* Not sent, so not run, whatever the connection's state. */
		oidc_fail(err, OIDC_E_DB_DOWN, NULL, "%s: not sent: %.*s",
		    what, (int)strcspn(PQerrorMessage(db->conn), "\n"),
		    PQerrorMessage(db->conn));
		disconnect(db);
		db->fault = DB_FAULT_NOT_RUN;
		return -1;
	}
	if ((res = wait_result(db, &cancelled)) == NULL) {
		db->fault = DB_FAULT_LOST;
		db->unsure = true;
		disconnect(db);
		oidc_log(OIDC_LOG_WARN, "msg=\"database statement not "
		    "answered within db_commit_timeout, even after a "
		    "cancel\" what=%s", what);
		return oidc_fail(err, OIDC_E_DB_DOWN, NULL, "%s: no answer "
		    "within db_commit_timeout", what);
	}
	st = PQresultStatus(res);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		(void)result_error(db, res, what, err);
		PQclear(res);
		return -1;
	}
	if (cancelled) {
		/*
		 * Answered after the cancel: a COMMIT (or an autocommit
		 * write) whose wait for a synchronous standby was cut short
		 * is committed on this server only.  The client is told 503;
		 * what that means is in deploy/ha/README.md.
		 */
		PQclear(res);
		db->fault = DB_FAULT_LOST;
		db->unsure = true;
		oidc_log(OIDC_LOG_WARN, "msg=\"database statement cancelled "
		    "after db_commit_timeout; it may be committed locally "
		    "without a synchronous standby\" what=%s", what);
		return oidc_fail(err, OIDC_E_DB_DOWN, NULL, "%s: cancelled "
		    "after db_commit_timeout", what);
	}
	*out = res;
	return 0;
}

static int
prepare(struct oidc_db *db, enum oidc_stmt_id id, struct oidc_error *err)
{
	PGresult	*res;

	if (db->prepared[id])
		return 0;
	if (roundtrip(db, NULL, id, NULL, true, &res, err) == -1) {
		/* A statement that failed to prepare did not run. */
		if (db->fault == DB_FAULT_LOST)
			db->fault = DB_FAULT_NOT_RUN;
		return -1;
	}
	db->prepared[id] = true;
	PQclear(res);
	return 0;
}

static int
exec_once(struct oidc_db *db, enum oidc_stmt_id id, const struct db_params *p,
    PGresult **out, struct oidc_error *err)
{
	PGresult	*res;

	db->fault = DB_FAULT_NONE;
	db->unsure = false;
	if (prepare(db, id, err) == -1)
		return -1;
	db->n_stmts++;
	if (roundtrip(db, NULL, id, p, false, &res, err) == -1)
		return -1;
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

/*
 * Outside a transaction a statement runs again, on a fresh connection
 * found by reconnect_wait(), only when it certainly did not run: the
 * idle connection was found dead before sending (ready()), it could not
 * be sent or prepared, or the server refused it (25006 read-only: a
 * demoted primary; 57P03), or a read (oidc_db_stmt_reads_only: running
 * it again changes nothing).  A write whose connection was lost after it
 * was sent may have committed (an autocommit write): never run again
 * here, 503, unless its caller recognises its own commit and asks
 * oidc_db_redo().  Inside a transaction nothing is run again: the transaction is
 * lost and every later statement of it fails (503) until the caller's
 * rollback.  An error on a live connection (disk full, a timeout, a
 * constraint) is the answer.
 */
int
oidc_db_run(struct oidc_db *db, enum oidc_stmt_id id,
    const struct db_params *p, PGresult **out, struct oidc_error *err)
{
	struct oidc_error	 first;
	int64_t			 delay = 0;

	*out = NULL;
	if ((p != NULL ? p->n : 0) != oidc_stmts[id].nparams)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL, "%s: %d "
		    "parameters bound, %d declared", oidc_stmts[id].name,
		    p != NULL ? p->n : 0, oidc_stmts[id].nparams);
	if (db->in_tx)
		return exec_once(db, id, p, out, err);
	/* database_read first; the primary on a miss or an error. */
	if (db->read != NULL && replica_ok(id)) {
		memset(&first, 0, sizeof(first));
		if (oidc_db_run(db->read, id, p, out, &first) == 0) {
			if (PQntuples(*out) > 0)
				return 0;
			PQclear(*out);
			*out = NULL;
		} else
			oidc_log_error(OIDC_LOG_WARN, &first, "database_read "
			    "failed; asking the primary");
	}
	for (;;) {
		memset(&first, 0, sizeof(first));
		if (ready(db, err) == -1)
			return -1;
		if (exec_once(db, id, p, out, &first) == 0)
			return 0;
		if ((db->fault != DB_FAULT_NOT_RUN &&
		    !(db->fault == DB_FAULT_LOST &&
		    oidc_db_stmt_reads_only(id))) ||
		    !may_retry(db, &first, &delay, err)) {
			*err = first;
			return -1;
		}
		oidc_log(OIDC_LOG_WARN, "msg=\"database statement refused, "
		    "not sent or a read, retrying on a new connection\" "
		    "what=%s", oidc_stmts[id].name);
		oidc_metrics_inc(OIDC_METRIC_DB_RETRY);
		disconnect(db);
	}
}

static int
simple(struct oidc_db *db, const char *sql, struct oidc_error *err)
{
	PGresult	*res;

	db->fault = DB_FAULT_NONE;
	db->unsure = false;
	if (roundtrip(db, sql, OIDC_STMT__MAX, NULL, false, &res, err) == -1)
		return -1;
	PQclear(res);
	return 0;
}

/*
 * BEGIN is the retry point of a transaction: it writes nothing, so
 * whatever fault it meets, it runs again on a fresh connection within
 * the request's failover wait.
 */
int
oidc_db_begin(struct oidc_db *db, struct oidc_error *err)
{
	struct oidc_error	 first;
	int64_t			 delay = 0;

	if (db->in_tx)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL, "nested BEGIN");
	for (;;) {
		memset(&first, 0, sizeof(first));
		if (ready(db, err) == -1)
			return -1;
		db->n_stmts++;
		if (simple(db, "BEGIN", &first) == 0)
			break;
		if (db->fault == DB_FAULT_NONE ||
		    !may_retry(db, &first, &delay, err)) {
			*err = first;
			return -1;
		}
		oidc_metrics_inc(OIDC_METRIC_DB_RETRY);
		disconnect(db);
	}
	db->in_tx = true;
	return 0;
}

/*
 * Never run again here: after COMMIT was sent its outcome may be
 * unknown.  A caller that recognises its own commit runs its whole
 * transaction again (oidc_db_redo).
 */
int
oidc_db_commit(struct oidc_db *db, struct oidc_error *err)
{
	if (!db->in_tx)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL, "COMMIT outside "
		    "a transaction");
	db->n_stmts++;
	db->n_commits++;
	if (simple(db, "COMMIT", err) == -1) {
		db->in_tx = false;
		return -1;
	}
	db->in_tx = false;
	db->nowait_until_ms = 0;	/* a primary took a write */
	return 0;
}

/*
 * A write (or a COMMIT) that met a lost connection may have committed;
 * only a caller that recognises its own commit runs it again (the
 * lost-acknowledgement rule, deploy/ha/README.md).  Not after a
 * statement cancelled at db_commit_timeout: committed on this server
 * only, it must not be recognised as a durable success.
 */
bool
oidc_db_redo(struct oidc_db *db, int64_t *delay, struct oidc_error *err)
{
	struct oidc_error	 first = *err;

	if (err->code != OIDC_E_DB_DOWN || db->fault == DB_FAULT_NONE ||
	    db->unsure)
		return false;
	oidc_db_rollback(db);
	if (!may_retry(db, &first, delay, err))
		return false;
	oidc_error_clear(err);
	oidc_metrics_inc(OIDC_METRIC_DB_RETRY);
	oidc_log(OIDC_LOG_WARN, "msg=\"database connection lost after a "
	    "write was sent; running it again with the same values\"");
	disconnect(db);
	return true;
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
