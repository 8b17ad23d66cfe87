/*
 * db_int.h: internals shared by the files of common/db only.
 */
#ifndef OIDC_DB_INT_H
#define OIDC_DB_INT_H

#include <stdio.h>

#include <libpq-fe.h>

#include "oidc/db.h"

#include "stmt.h"

/*
 * The parameters of one statement, bound in $1..$n order by the db_p_*
 * functions: text is sent NUL-terminated (a NULL pointer is SQL NULL),
 * binary with its length, integers as decimal text in num[].  It lives on
 * the caller's stack, initialised `= { .n = 0 }`; nothing is allocated.
 * A bind past DB_MAX_PARAMS writes nothing and marks the vector bad, and
 * oidc_db_run() refuses a vector whose count is not the statement's
 * nparams, so a missing or extra parameter fails the first time the
 * statement runs, in whatever test reaches it.
 */
struct db_params {
	const char	*v[DB_MAX_PARAMS];
	int		 len[DB_MAX_PARAMS];
	int		 fmt[DB_MAX_PARAMS];
	char		 num[DB_MAX_PARAMS][24];
	int		 n;
};

#define DB_TEXT			0
#define DB_BIN			1
#define DB_PARAMS_OVERFLOW	(DB_MAX_PARAMS + 1)

/* The next slot, or -1 (the vector marked bad) past DB_MAX_PARAMS. */
static inline int
db_p_slot(struct db_params *p)
{
	if (p->n >= DB_MAX_PARAMS) {
		p->n = DB_PARAMS_OVERFLOW;
		return -1;
	}
	return p->n++;
}

static inline void
db_p_raw(struct db_params *p, const char *v, int len, int fmt)
{
	int	 i;

	if ((i = db_p_slot(p)) == -1)
		return;
	p->v[i] = v;
	p->len[i] = len;
	p->fmt[i] = fmt;
}

/* Text (NUL-terminated; s.p NULL is SQL NULL). */
static inline void
db_p_str(struct db_params *p, struct oidc_str s)
{
	db_p_raw(p, s.p, 0, DB_TEXT);
}

static inline void
db_p_cstr(struct db_params *p, const char *s)
{
	db_p_raw(p, s, 0, DB_TEXT);
}

static inline void
db_p_bool(struct db_params *p, bool b)
{
	db_p_raw(p, b ? "true" : "false", 0, DB_TEXT);
}

/* bytea b[0..len) (b NULL is SQL NULL). */
static inline void
db_p_bin(struct db_params *p, const unsigned char *b, size_t len)
{
	db_p_raw(p, (const char *)b, (int)len, DB_BIN);
}

/* b[0..len) when `have`, else SQL NULL. */
static inline void
db_p_bin_if(struct db_params *p, bool have, const unsigned char *b,
    size_t len)
{
	db_p_raw(p, have ? (const char *)b : NULL, have ? (int)len : 0,
	    have ? DB_BIN : DB_TEXT);
}

static inline void
db_p_i64(struct db_params *p, int64_t v)
{
	int	 i;

	if ((i = db_p_slot(p)) == -1)
		return;
	(void)snprintf(p->num[i], sizeof(p->num[i]), "%lld", (long long)v);
	p->v[i] = p->num[i];
	p->len[i] = 0;
	p->fmt[i] = DB_TEXT;
}

/* An id or a time of 0 is SQL NULL. */
static inline void
db_p_i64_or_null(struct db_params *p, int64_t v)
{
	if (v == 0)
		db_p_raw(p, NULL, 0, DB_TEXT);
	else
		db_p_i64(p, v);
}

/*
 * Run a prepared statement with the parameters p (NULL: none).  Refused
 * (OIDC_E_INTERNAL) when p's count is not the statement's nparams, and
 * (OIDC_E_DB) when the result's column count is not its ncols: after that
 * check the readers below may use the statement's column names.  Results
 * are text.  On success *res is a PGRES_TUPLES_OK or PGRES_COMMAND_OK
 * result the caller must PQclear.  -1 with err set (OIDC_E_DB or
 * OIDC_E_DB_DOWN).
 */
int	oidc_db_run(struct oidc_db *, enum oidc_stmt_id,
	    const struct db_params *, PGresult **res, struct oidc_error *);

/*
 * oidc_db_run() of a statement that changes one row: 1 changed, 0 none,
 * -1 with err set.
 */
int	oidc_db_run_one(struct oidc_db *, enum oidc_stmt_id,
	    const struct db_params *, struct oidc_error *);

/*
 * A row reader: row r of res into *row (arena copies).  0, or -1 with err
 * set.
 */
typedef int	(*db_row_reader)(struct oidc_arena *, PGresult *, int r,
		    void *row, struct oidc_error *);

/*
 * oidc_db_run(), then each row read by `read` into an arena array of
 * `size`-byte rows (and one zeroed past the end): *rows, *n.  0, or -1
 * with err set (*rows NULL, *n 0).  The one loop of every list.
 */
int	oidc_db_rows(struct oidc_db *, enum oidc_stmt_id,
	    const struct db_params *, struct oidc_arena *, size_t size,
	    db_row_reader read, void **rows, size_t *n, struct oidc_error *);

/*
 * oidc_db_run() of a lookup of at most one row, read by `read` into *row:
 * 1, 0 no row, or -1 with err set.
 */
int	oidc_db_row(struct oidc_db *, enum oidc_stmt_id,
	    const struct db_params *, struct oidc_arena *, db_row_reader read,
	    void *row, struct oidc_error *);

/*
 * What a failure means for running the statement again (db.c):
 * NOT_RUN: the server certainly did not run it (it could not be sent, or
 * was refused: 25006 read-only, 57P03 cannot connect now); LOST: the
 * connection is gone or the session was terminated (57P01, 57P02, 08xxx,
 * or no answer within db_commit_timeout), so a statement already sent
 * may have committed; NONE: an answer (a constraint, a timeout, a bug).
 * After NOT_RUN and LOST the connection is dropped so that libpq picks
 * the (new) primary of a multi-host conninfo on the next connect.
 */
enum db_fault { DB_FAULT_NONE, DB_FAULT_NOT_RUN, DB_FAULT_LOST };

/* The fault of a SQLSTATE (NULL: none) on a connection ok or not. */
enum db_fault	oidc_db_fault(const char *sqlstate, bool connection_ok);

/*
 * True for a statement that only reads (a SELECT that takes no lock and
 * calls nothing that writes): outside a transaction it runs again after
 * a lost connection, whatever the moment of the loss.
 * tests/unit/db/test_db.c checks each against its SQL text.
 */
bool	oidc_db_stmt_reads_only(enum oidc_stmt_id);

/* The reconnect backoff after prev_ms (0 first): 50, 100, ... 1000 ms. */
int64_t	oidc_db_backoff_ms(int64_t prev_ms);

/*
 * After a failover wait that found no primary, a worker does not wait
 * again for this long (ms), unless a COMMIT succeeds first: a long
 * outage answers 503 fast instead of holding every request.
 */
#define DB_NOWAIT_MS	60000

/* The raw connection (connected), for migrate.c only. */
PGconn	*oidc_db_conn(struct oidc_db *);

/*
 * The client_get columns of row r, starting at column c0, into *out
 * (arena copies).  0, or -1 with err set.
 */
int	oidc_db_client_row_read(struct oidc_arena *, PGresult *, int r, int c0,
	    struct oidc_client_row *, struct oidc_error *);
/* Copy column c of row r into the arena (absent when NULL). */
int	oidc_db_copy(struct oidc_arena *, PGresult *, int r, int c,
	    struct oidc_str *, struct oidc_error *);
/* Column as a boolean ("t"). */
bool	oidc_db_bool(PGresult *, int r, int c);
/* Column as int64 (0 when NULL or malformed). */
int64_t	oidc_db_i64(PGresult *, int r, int c);
/* A decimal string as int64 (0 when malformed). */
int64_t	oidc_db_i64_text(const char *);
/* bytea column in text (hex "\x..") form into out[len]; 0 or -1. */
int	oidc_db_bytea(PGresult *, int r, int c, unsigned char *out,
	    size_t len);
/* A bound on one sealed client secret (oidc/seal.h caps the plaintext). */
#define DB_MAX_SEALED_SECRET	(65 * 1024)
/*
 * bytea column of at most max bytes into an arena copy (*out NULL, *outlen
 * 0 when NULL).  0, or -1 with OIDC_E_DB (malformed, too long) or
 * OIDC_E_NOMEM.
 */
int	oidc_db_copy_bytea(struct oidc_arena *, PGresult *, int r, int c,
	    size_t max, const unsigned char **out, size_t *outlen,
	    struct oidc_error *);

#endif
