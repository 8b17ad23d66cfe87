/*
 * db.h: the PostgreSQL data layer (the only place libpq is used).
 *
 * One persistent connection per process.  Statements are named, prepared
 * once per connection on first use (so each binary prepares only what it
 * runs and needs only the grants for that), and executed with parameters
 * only; all SQL text lives in common/db/stmt.c.  A lost connection is
 * re-opened transparently: a statement outside a transaction is retried
 * once; inside one, the transaction fails.  While the server is
 * unreachable every call fails fast with OIDC_E_DB_DOWN (clients see 503).
 * db_timeout bounds connecting and every statement.
 *
 * The row types below are plain copies in the caller's arena.
 */
#ifndef OIDC_DB_H
#define OIDC_DB_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

struct oidc_arena;
struct oidc_db;

/* Does not connect yet.  NULL on allocation failure. */
struct oidc_db	*oidc_db_new(const char *conninfo, int64_t timeout_s);
void		 oidc_db_free(struct oidc_db *);

/* Connect if not connected.  OIDC_E_DB_DOWN when unreachable. */
OIDC_MUST_CHECK int	oidc_db_connect(struct oidc_db *, struct oidc_error *);

/* Transactions: one per endpoint call. */
OIDC_MUST_CHECK int	oidc_db_begin(struct oidc_db *, struct oidc_error *);
OIDC_MUST_CHECK int	oidc_db_commit(struct oidc_db *, struct oidc_error *);
void			oidc_db_rollback(struct oidc_db *);
bool			oidc_db_in_transaction(const struct oidc_db *);

/* Statistics for benchmarks: statements executed and commits. */
void	oidc_db_stats(const struct oidc_db *, uint64_t *stmts,
	    uint64_t *commits);

/* True if the last failure was a unique violation (SQLSTATE 23505). */
bool	oidc_db_last_was_conflict(const struct oidc_db *);

/* Prepare every known statement: the schema drift check.  0 or -1. */
OIDC_MUST_CHECK int	oidc_db_prepare_all(struct oidc_db *,
			    struct oidc_error *);

/*
 * Apply every *.sql file of `dir` not yet recorded in schema_migration, in
 * name order, each in its own transaction, under an advisory lock.  The
 * names applied are reported through `cb`.  0 or -1.
 */
OIDC_MUST_CHECK int	oidc_db_migrate(struct oidc_db *, const char *dir,
			    void (*cb)(const char *name), struct oidc_error *);

/* ---- clients ---- */

struct oidc_client_row {
	struct oidc_str	 client_id;
	unsigned char	 secret_hash[32];
	bool		 has_secret_hash;
	struct oidc_str	 secret_plain;	/* absent unless needed */
	struct oidc_str	 metadata;	/* JSON text */
	bool		 first_party;
};

/* 1 found, 0 not found, -1 error. */
OIDC_MUST_CHECK int	oidc_db_client_get(struct oidc_db *, struct oidc_arena *,
			    struct oidc_str client_id, struct oidc_client_row *,
			    struct oidc_error *);
/* 1 inserted, 0 the client_id exists, -1 error. */
OIDC_MUST_CHECK int	oidc_db_client_insert(struct oidc_db *,
			    const struct oidc_client_row *,
			    struct oidc_error *);
/* 1 updated, 0 not found, -1 error (metadata, secret columns, first_party). */
OIDC_MUST_CHECK int	oidc_db_client_update(struct oidc_db *,
			    const struct oidc_client_row *,
			    struct oidc_error *);
/* 1 deleted, 0 not found, -1 error. */
OIDC_MUST_CHECK int	oidc_db_client_delete(struct oidc_db *,
			    struct oidc_str client_id, struct oidc_error *);
/* All clients (id, metadata, first_party); *rows arena-owned. */
OIDC_MUST_CHECK int	oidc_db_client_list(struct oidc_db *,
			    struct oidc_arena *, struct oidc_client_row **rows,
			    size_t *n, struct oidc_error *);

/* ---- users ---- */

struct oidc_user_row {
	int64_t		 user_id;
	struct oidc_str	 username;
	struct oidc_str	 sub;
	struct oidc_str	 password_hash;	/* absent: no password login */
	struct oidc_str	 claims;	/* JSON text */
	bool		 disabled;
	int64_t		 updated_at;	/* unix seconds */
};

/* 1 found, 0 not found, -1 error. */
OIDC_MUST_CHECK int	oidc_db_user_get_by_name(struct oidc_db *,
			    struct oidc_arena *, struct oidc_str username,
			    struct oidc_user_row *, struct oidc_error *);
OIDC_MUST_CHECK int	oidc_db_user_get_by_sub(struct oidc_db *,
			    struct oidc_arena *, struct oidc_str sub,
			    struct oidc_user_row *, struct oidc_error *);
/* 1 inserted, 0 username exists, -1 error.  Sets row->user_id. */
OIDC_MUST_CHECK int	oidc_db_user_insert(struct oidc_db *,
			    struct oidc_user_row *, struct oidc_error *);
/* 1 updated, 0 not found, -1 error. */
OIDC_MUST_CHECK int	oidc_db_user_set_claims(struct oidc_db *,
			    struct oidc_str username, struct oidc_str claims,
			    struct oidc_error *);
OIDC_MUST_CHECK int	oidc_db_user_set_password(struct oidc_db *,
			    struct oidc_str username, struct oidc_str hash,
			    struct oidc_error *);
OIDC_MUST_CHECK int	oidc_db_user_set_disabled(struct oidc_db *,
			    struct oidc_str username, bool disabled,
			    struct oidc_error *);
OIDC_MUST_CHECK int	oidc_db_user_delete(struct oidc_db *,
			    struct oidc_str username, struct oidc_error *);
OIDC_MUST_CHECK int	oidc_db_user_list(struct oidc_db *,
			    struct oidc_arena *, struct oidc_user_row **rows,
			    size_t *n, struct oidc_error *);

#endif /* OIDC_DB_H */
