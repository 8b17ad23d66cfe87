/*
 * db_int.h: internals shared by the files of common/db only.
 */
#ifndef OIDC_DB_INT_H
#define OIDC_DB_INT_H

#include <libpq-fe.h>

#include "oidc/db.h"

enum oidc_stmt_id {
	OIDC_STMT_CLIENT_GET,
	OIDC_STMT_CLIENT_GET_THROTTLED,
	OIDC_STMT_CLIENT_INSERT,
	OIDC_STMT_CLIENT_UPDATE,
	OIDC_STMT_CLIENT_DELETE,
	OIDC_STMT_CLIENT_LIST,
	OIDC_STMT_CLIENT_APPROVE,
	OIDC_STMT_CLIENT_LIST_UNSEALED,
	OIDC_STMT_CLIENT_SEAL_SECRET,
	OIDC_STMT_CLIENT_ORIGIN_KNOWN,
	OIDC_STMT_CLIENT_REGISTER,
	OIDC_STMT_CLIENT_REG_GET,
	OIDC_STMT_CLIENT_REG_UPDATE,
	OIDC_STMT_CLIENT_REG_DELETE,
	OIDC_STMT_USER_GET_BY_NAME,
	OIDC_STMT_USER_GET_BY_SUB,
	OIDC_STMT_USER_INSERT,
	OIDC_STMT_USER_SET_CLAIMS,
	OIDC_STMT_USER_SET_PASSWORD,
	OIDC_STMT_USER_SET_DISABLED,
	OIDC_STMT_USER_DELETE,
	OIDC_STMT_USER_LIST,
	OIDC_STMT_SIGNING_KEY_GENERATION,
	OIDC_STMT_SIGNING_KEY_LOCK,
	OIDC_STMT_SIGNING_KEY_LIST,
	OIDC_STMT_SIGNING_KEY_LIST_PUBLIC,
	OIDC_STMT_SIGNING_KEY_INSERT,
	OIDC_STMT_SIGNING_KEY_RETIRE,
	OIDC_STMT_SIGNING_KEY_UNRETIRE,
	OIDC_STMT_CODE_CONSUME,
	OIDC_STMT_CODE_ISSUE,
	OIDC_STMT_CODE_REDEEM,
	OIDC_STMT_CODE_REVOKE_TOKENS,
	OIDC_STMT_CODE_REDEEM_SEALED,
	OIDC_STMT_CODE_SEALED_REVOKE_TOKENS,
	OIDC_STMT_TOKEN_INSERT,
	OIDC_STMT_ACCESS_TOKEN_GET,
	OIDC_STMT_REFRESH_ROTATE,
	OIDC_STMT_REFRESH_REUSE_REVOKE,
	OIDC_STMT_TOKEN_REVOKE,
	OIDC_STMT_TOKEN_INTROSPECT,
	OIDC_STMT_NONCE_USE,
	OIDC_STMT_JTI_USE,
	OIDC_STMT_FETCH_SLOT_TAKE,
	OIDC_STMT_FETCH_SLOT_GIVE,
	OIDC_STMT_SESSION_INSERT,
	OIDC_STMT_SESSION_GET,
	OIDC_STMT_SESSION_GET_CONSENT,
	OIDC_STMT_CLIENT_SESSION_GET,
	OIDC_STMT_SESSION_DELETE,
	OIDC_STMT_CONSENT_GET,
	OIDC_STMT_CONSENT_PUT,
	OIDC_STMT_LOGIN_LOCK,
	OIDC_STMT_LOGIN_THROTTLE,
	OIDC_STMT_LOGIN_FAILURE_ADD,
	OIDC_STMT_LOGIN_UNLOCK,
	OIDC_STMT_PURGE,
	OIDC_STMT_SESSION_CLIENT_ADD,
	OIDC_STMT_BACKCHANNEL_TARGETS,
	OIDC_STMT_BACKCHANNEL_ENQUEUE,
	OIDC_STMT_BACKCHANNEL_CLAIM,
	OIDC_STMT_BACKCHANNEL_DELETE,
	OIDC_STMT_DB_PING,
	OIDC_STMT__MAX
};

struct oidc_stmt {
	const char	*name;
	const char	*sql;
	int		 nparams;
};

extern const struct oidc_stmt oidc_stmts[OIDC_STMT__MAX];

/*
 * Execute a prepared statement.  `fmts` may be NULL (all text); results are
 * text.  On success *res is a PGRES_TUPLES_OK or PGRES_COMMAND_OK result the
 * caller must PQclear.  -1 with err set (OIDC_E_DB or OIDC_E_DB_DOWN).
 */
int	oidc_db_exec(struct oidc_db *, enum oidc_stmt_id, const char *const *vals,
	    const int *lens, const int *fmts, PGresult **res,
	    struct oidc_error *);

/*
 * oidc_db_exec() of a statement that changes one row: 1 changed, 0 none,
 * -1 with err set.
 */
int	oidc_db_exec_one(struct oidc_db *, enum oidc_stmt_id,
	    const char *const *vals, const int *lens, const int *fmts,
	    struct oidc_error *);

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
