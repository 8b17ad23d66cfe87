/*
 * db.h: the PostgreSQL data layer (the only place libpq is used).
 *
 * One persistent connection per process.  Statements are named, prepared
 * once per connection on first use (so each binary prepares only what it
 * runs and needs only the grants for that), and executed with parameters
 * only; all SQL text lives in common/db/stmt.c.  Failover (issue 19,
 * deploy/ha/README.md): on a lost connection, a read-only server
 * (25006), a shutdown (57P01..57P03) or a refused connect the connection
 * is dropped and opened again with a backoff for up to db_failover_wait
 * per request (libpq picks the primary of a multi-host conninfo with
 * target_session_attrs=read-write), and what certainly did not run runs
 * again: a statement refused or never sent, a read, or a BEGIN; never a
 * write whose connection died after it was sent, never a COMMIT.  Inside a
 * transaction a fault fails the transaction (503).  After a wait that
 * found no primary, calls fail fast (OIDC_E_DB_DOWN, 503) for a minute.
 * db_connect_timeout bounds each host's connect, db_timeout each
 * statement on the server, db_commit_timeout the wait for any result
 * (a COMMIT waiting for a synchronous standby included).
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

/*
 * The failover settings (seconds): db_connect_timeout, db_failover_wait
 * (0: never wait) and db_commit_timeout.  Without this call: connect
 * timeout timeout_s, no wait, result wait timeout_s + 1.
 */
void		 oidc_db_set_failover(struct oidc_db *,
		    int64_t connect_timeout_s, int64_t failover_wait_s,
		    int64_t commit_timeout_s);

/*
 * database_read: a second handle (oidc_db_new, not connected) that db
 * owns from now on.  The statements that tolerate replica lag (an access
 * token for UserInfo, introspection, the signing keys) run there first,
 * and on the primary when it finds no row or fails.
 */
void		 oidc_db_set_read(struct oidc_db *, struct oidc_db *read);

/* A new request: its own db_failover_wait budget. */
void		 oidc_db_request_start(struct oidc_db *);

/*
 * Connect if not connected.  OIDC_E_DB_DOWN when unreachable.  After the
 * first success every later connect uses the options libpq resolved then
 * (service file, PG* environment, password file applied), so reconnects
 * read no file; a changed service or password file needs a restart.
 */
OIDC_MUST_CHECK int	oidc_db_connect(struct oidc_db *, struct oidc_error *);

/*
 * True when the database was reached once and every host of its resolved
 * options is a unix socket (a directory, or @abstract), with no hostaddr:
 * the worker then never needs an AF_INET/AF_INET6 socket for it.
 */
bool		oidc_db_unix_only(const struct oidc_db *);

/* Transactions: one per endpoint call. */
OIDC_MUST_CHECK int	oidc_db_begin(struct oidc_db *, struct oidc_error *);
OIDC_MUST_CHECK int	oidc_db_commit(struct oidc_db *, struct oidc_error *);
void			oidc_db_rollback(struct oidc_db *);
bool			oidc_db_in_transaction(const struct oidc_db *);

/*
 * After a failure `err` of a write or a transaction: true when the
 * connection was lost once the write may have run (its acknowledgement
 * lost) or before it did, and the request's db_failover_wait allows
 * another try (after a backoff, *delay: start at 0).  The transaction,
 * if open, is abandoned and err cleared: the caller runs the write
 * again with the SAME generated values and recognises its own earlier
 * commit by them (issue 19 item 2).  False: err is the answer.
 */
OIDC_MUST_CHECK bool	oidc_db_redo(struct oidc_db *, int64_t *delay,
			    struct oidc_error *);

/* Statistics for benchmarks: statements executed and commits. */
void	oidc_db_stats(const struct oidc_db *, uint64_t *stmts,
	    uint64_t *commits);

/* True if the last failure was a unique violation (SQLSTATE 23505). */
bool	oidc_db_last_was_conflict(const struct oidc_db *);

/*
 * One round trip (SELECT 1), connecting first if needed, with the retry
 * of a connection that died while idle: the readiness probe
 * (oidc/health.h).  0, or -1 with err set (OIDC_E_DB_DOWN when the
 * server cannot be reached).
 */
OIDC_MUST_CHECK int	oidc_db_ping(struct oidc_db *, struct oidc_error *);

/* Prepare every known statement: the schema drift check.  0 or -1. */
OIDC_MUST_CHECK int	oidc_db_prepare_all(struct oidc_db *,
			    struct oidc_error *);

/*
 * `oidcctl db check`: prepare every statement, then compare the parameter
 * and column counts the server describes (PQdescribePrepared) with those
 * common/db/stmt.c declares; `report` gets one call per difference
 * (`what` is "parameters" or "columns").  The number of differences, or
 * -1 with err set (a statement does not prepare: schema drift).
 */
OIDC_MUST_CHECK int	oidc_db_check(struct oidc_db *,
			    void (*report)(const char *name, const char *what,
			    int declared, int described, void *), void *,
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
	/*
	 * The secret of a client that needs it back (client_secret_jwt,
	 * HS*), sealed under the key_encryption_key with the client_id as
	 * associated data (oidc_client_secret_seal); NULL otherwise.
	 */
	const unsigned char *secret_sealed;
	size_t		 secret_sealed_len;
	/*
	 * Read only: the clear secret of a row written before
	 * 0009_client_secret_sealed.sql and not yet sealed by `oidcctl
	 * client seal-secrets`.  Every write stores NULL here.
	 */
	struct oidc_str	 secret_plain;
	struct oidc_str	 metadata;	/* JSON text */
	/*
	 * Writes only: the JSON array of the redirect URIs' origins
	 * (0014_client_origins.sql); set with metadata by
	 * oidc_client_row_set_metadata.
	 */
	struct oidc_str	 origins;
	bool		 first_party;
	/*
	 * False for a client made through /register until an operator
	 * approves it (0007_client_approved.sql); read-only here: only
	 * oidc_db_client_approve changes it.
	 */
	bool		 approved;
	/* Dynamic registration only (client_register, client_reg_*): */
	unsigned char	 reg_token_hash[32];
	int64_t		 issued_at;	/* created_at, unix seconds */
};

/* 1 found, 0 not found, -1 error. */
OIDC_MUST_CHECK int	oidc_db_client_get(struct oidc_db *, struct oidc_arena *,
			    struct oidc_str client_id, struct oidc_client_row *,
			    struct oidc_error *);
/*
 * The throttle of one failure key (common/db/stmt.c, THROTTLE): the
 * failures within the window, and the whole seconds until the key may be
 * tried again (0: now).
 */
struct oidc_throttle {
	int64_t		 n;
	int64_t		 wait;
};

/*
 * A client's authentication failures: the (client, source) key `key` and
 * the source key `addr_key`, each with the failures it may have for free
 * within window_s seconds.
 */
struct oidc_auth_failures {
	const char		*key;
	const char		*addr_key;
	int64_t			 window_s;
	int64_t			 free_key;
	int64_t			 free_addr;
	struct oidc_throttle	 pair;		/* out */
	struct oidc_throttle	 addr;		/* out */
};

/*
 * oidc_db_client_get with *f filled in the same round trip; *f is filled
 * for an unknown client too (0 returned).
 */
OIDC_MUST_CHECK int	oidc_db_client_get_throttled(struct oidc_db *,
			    struct oidc_arena *, struct oidc_str client_id,
			    struct oidc_auth_failures *f,
			    struct oidc_client_row *, struct oidc_error *);
/* 1 inserted, 0 the client_id exists, -1 error. */
OIDC_MUST_CHECK int	oidc_db_client_insert(struct oidc_db *,
			    const struct oidc_client_row *,
			    struct oidc_error *);
/* 1 updated, 0 not found, -1 error (metadata, secret columns, first_party). */
OIDC_MUST_CHECK int	oidc_db_client_update(struct oidc_db *,
			    const struct oidc_client_row *,
			    struct oidc_error *);
/* Mark a client approved: 1 done (also when it was), 0 not found, -1. */
OIDC_MUST_CHECK int	oidc_db_client_approve(struct oidc_db *,
			    struct oidc_str client_id, struct oidc_error *);
/* 1 deleted, 0 not found, -1 error. */
OIDC_MUST_CHECK int	oidc_db_client_delete(struct oidc_db *,
			    struct oidc_str client_id, struct oidc_error *);
/*
 * 1 if some client registered a redirect URI with this exact origin
 * (scheme://host[:port]), 0 if none, -1 error.  For CORS preflights.
 */
OIDC_MUST_CHECK int	oidc_db_origin_known(struct oidc_db *,
			    struct oidc_str origin, struct oidc_error *);
/*
 * Dynamic registration (RFC 7591, RFC 7592).  A registered client has
 * reg_token_hash set; first_party is always false.
 * register: 1 inserted (row->issued_at set), 0 the client_id exists, -1.
 * reg_get: 1 found (a registered client: reg_token_hash and issued_at
 * set), 0 unknown or not registered dynamically, -1 error.  The caller
 * compares the presented token's hash with reg_token_hash.
 * reg_update (metadata and secret columns) and reg_delete: 1 done, 0 no
 * client with this id AND this registration token hash, -1 error.
 */
OIDC_MUST_CHECK int	oidc_db_client_register(struct oidc_db *,
			    struct oidc_client_row *, struct oidc_error *);
OIDC_MUST_CHECK int	oidc_db_client_reg_get(struct oidc_db *,
			    struct oidc_arena *, struct oidc_str client_id,
			    struct oidc_client_row *, struct oidc_error *);
OIDC_MUST_CHECK int	oidc_db_client_reg_update(struct oidc_db *,
			    const struct oidc_client_row *,
			    struct oidc_error *);
OIDC_MUST_CHECK int	oidc_db_client_reg_delete(struct oidc_db *,
			    struct oidc_str client_id,
			    const unsigned char *reg_token_hash,
			    struct oidc_error *);
/* All clients (id, metadata, first_party); *rows arena-owned. */
OIDC_MUST_CHECK int	oidc_db_client_list(struct oidc_db *,
			    struct oidc_arena *, struct oidc_client_row **rows,
			    size_t *n, struct oidc_error *);
/*
 * The rows that still hold a clear secret_plain, with their other
 * columns, locked FOR UPDATE: call inside oidc_db_begin/commit.
 */
OIDC_MUST_CHECK int	oidc_db_client_list_unsealed(struct oidc_db *,
			    struct oidc_arena *, struct oidc_client_row **rows,
			    size_t *n, struct oidc_error *);
/*
 * Store row->secret_sealed for row->client_id and clear its secret_plain.
 * 1 done, 0 no such row with a clear secret, -1 error.
 */
OIDC_MUST_CHECK int	oidc_db_client_seal_secret(struct oidc_db *,
			    const struct oidc_client_row *,
			    struct oidc_error *);

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
/*
 * A remote_user login (oidc/remote_user.h): create the user `username`
 * with sub new_sub, no password and the claims object `claims` (JSON
 * text), or merge `claims` into the existing user's; *out is the row
 * afterwards (password_hash absent).  0 or -1.
 */
OIDC_MUST_CHECK int	oidc_db_user_remote_upsert(struct oidc_db *,
			    struct oidc_arena *, struct oidc_str username,
			    struct oidc_str new_sub, struct oidc_str claims,
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

/* ---- signing keys (oidc/keystore.h has the life cycle) ---- */

struct oidc_signing_key_row {
	struct oidc_str	 kid;
	struct oidc_str	 alg;
	struct oidc_str	 public_jwk;		/* JSON text */
	/* Sealed PKCS#8 PEM (oidc/seal.h); NULL from the _public list. */
	const unsigned char	*private_key;
	size_t		 private_key_len;
	int64_t		 created_at;		/* unix seconds */
	int64_t		 publish_at;
	int64_t		 activate_at;
	int64_t		 retire_at;		/* 0: not set */
	int64_t		 expire_at;		/* 0: not set */
};

/* The newest migration applied (its file name), NULL if none.  0/-1. */
OIDC_MUST_CHECK int	oidc_db_schema_latest(struct oidc_db *,
			    struct oidc_arena *, struct oidc_str *name,
			    struct oidc_error *);
/* The generation counter bumped by every change to signing_key.  0/-1. */
OIDC_MUST_CHECK int	oidc_db_signing_key_generation(struct oidc_db *,
			    int64_t *generation, struct oidc_error *);
/* Inside a transaction: serialise key writers (row lock).  0 or -1. */
OIDC_MUST_CHECK int	oidc_db_signing_key_lock(struct oidc_db *,
			    struct oidc_error *);
/*
 * The keys, by alg then newest activation first; expired keys only when
 * `include_expired`.  `with_private` reads the sealed private keys too
 * (only binaries that sign, and oidcctl).  *rows arena-owned.  0 or -1.
 */
OIDC_MUST_CHECK int	oidc_db_signing_key_list(struct oidc_db *,
			    struct oidc_arena *, bool with_private,
			    bool include_expired,
			    struct oidc_signing_key_row **rows, size_t *n,
			    struct oidc_error *);
/*
 * 1 inserted, 0 the kid exists, -1 error (an overlapping active interval
 * for the alg is a conflict: oidc_db_last_was_conflict()).
 */
OIDC_MUST_CHECK int	oidc_db_signing_key_insert(struct oidc_db *,
			    const struct oidc_signing_key_row *,
			    struct oidc_error *);
/*
 * Make key `kid` stop signing at retire_at and leave the JWKS at
 * expire_at (a pending key never signs).  1 done, 0 unknown kid or
 * already retired by then, -1 error.
 */
OIDC_MUST_CHECK int	oidc_db_signing_key_retire(struct oidc_db *,
			    struct oidc_str kid, int64_t retire_at,
			    int64_t expire_at, struct oidc_error *);
/*
 * The key of `alg` whose retirement is scheduled for the future instant
 * `retire_at` keeps signing (its successor was retired before it
 * activated).  1 done, 0 none, -1 error.
 */
OIDC_MUST_CHECK int	oidc_db_signing_key_unretire(struct oidc_db *,
			    struct oidc_str alg, int64_t retire_at,
			    struct oidc_error *);

/* ---- grants: codes, tokens, sessions, consents, ledgers ---- */

#define OIDC_HASH_LEN		32
#define OIDC_FAMILY_LEN		16

/* An authorization code (issue input; consume and redeem output). */
struct oidc_code_row {
	unsigned char	 code_hash[OIDC_HASH_LEN];
	struct oidc_str	 client_id;
	int64_t		 user_id;
	struct oidc_str	 redirect_uri;
	struct oidc_str	 scope;
	struct oidc_str	 nonce;
	struct oidc_str	 code_challenge;
	int64_t		 auth_time;
	struct oidc_str	 acr, amr, sid;
	struct oidc_str	 claims;	/* claims request JSON or absent */
	/* Resource indicators granted (oidc/resource.h), space-separated. */
	struct oidc_str	 resource;
	struct oidc_str	 dpop_jkt;	/* RFC 9449 10: bound key, or absent */
	int64_t		 ttl;		/* insert: lifetime in seconds */
	bool		 offline;	/* insert: oidc_grant_offline() */
	/* consume output: */
	struct oidc_str	 sub;
	struct oidc_str	 user_claims;
	int64_t		 user_updated_at;
	bool		 expired;
};

/*
 * Mark the code consumed in one statement (two concurrent redemptions
 * cannot both succeed) and return its row.  1 consumed now (check
 * out->expired), 0 unknown or already consumed, -1 error.
 */
OIDC_MUST_CHECK int	oidc_db_code_consume(struct oidc_db *,
			    struct oidc_arena *, const unsigned char *hash,
			    struct oidc_code_row *, struct oidc_error *);
/*
 * The code flow's write at the authorization endpoint in one statement:
 * the nonce's hash (NULL: no nonce) is recorded for nonce_ttl seconds
 * and, only if it was fresh, the session's client (c->sid set) and the
 * code.  1 written, 0 the nonce was used before (nothing written), -1.
 */
OIDC_MUST_CHECK int	oidc_db_code_issue(struct oidc_db *,
			    const struct oidc_code_row *,
			    const unsigned char *nonce_hash, int64_t nonce_ttl,
			    struct oidc_error *);

/* What a valid redemption must match, and the tokens it then inserts. */
struct oidc_code_redeem {
	unsigned char	 code_hash[OIDC_HASH_LEN];
	struct oidc_str	 client_id;
	struct oidc_str	 redirect_uri;
	struct oidc_str	 challenge;	/* S256 of the verifier, or NULL */
	unsigned char	 access_hash[OIDC_HASH_LEN];
	unsigned char	 family_id[OIDC_FAMILY_LEN];
	int64_t		 access_ttl;
	bool		 may_refresh;	/* refresh_hash is set (grant.h) */
	unsigned char	 refresh_hash[OIDC_HASH_LEN];
	int64_t		 refresh_ttl;
	/* DPoP key thumbprints the tokens are bound to (NULL: Bearer). */
	struct oidc_str	 access_jkt;
	struct oidc_str	 refresh_jkt;
	/* Certificate thumbprints (RFC 8705 3.1, oidc/mtls.h; NULL: none). */
	struct oidc_str	 access_x5t;
	struct oidc_str	 refresh_x5t;
	/*
	 * The token request's resource indicators (oidc/resource.h), space-
	 * separated (NULL: none).  code_redeem matches only without them;
	 * code_redeem_sealed takes the access token's scope and resources
	 * (access_scope, access_resource) and the grant's (refresh_resource)
	 * as token.c narrowed them.
	 */
	struct oidc_str	 resource;
	struct oidc_str	 access_scope;
	struct oidc_str	 access_resource;
	struct oidc_str	 refresh_resource;
};

/*
 * Consume a code and insert its tokens in one statement, if and only if
 * everything in `in` matches a live code of an enabled user.  1 done
 * (*out is the code's row; *refreshed says whether the refresh token was
 * inserted: in->may_refresh and the code's offline flag), 0
 * nothing matched and nothing was written, -1 error.
 */
OIDC_MUST_CHECK int	oidc_db_code_redeem(struct oidc_db *,
			    struct oidc_arena *, const struct oidc_code_redeem *in,
			    struct oidc_code_row *out, bool *refreshed,
			    struct oidc_error *);
/*
 * The lost-acknowledgement checks (issue 19 item 2), run when a write is
 * run again after its connection was lost (oidc_db_redo) and found its
 * code or token used: was it this request's own earlier commit?  Each
 * recognises it by the secret hashes this request generated.
 * oidc_db_authz_issued: an authorization response's code or access token
 * hash (NULL: none) is stored.
 * oidc_db_code_redeemed_by / oidc_db_code_sealed_redeemed_by: the code was
 * redeemed into in->access_hash (still live); *out and *refreshed as
 * oidc_db_code_redeem / oidc_db_code_redeem_sealed would have set them.
 * oidc_db_refresh_rotated_by: the refresh token `hash` was rotated and
 * access_hash is in its family; *t as oidc_db_refresh_rotate's
 * (declared below).
 * 1 yes, 0 no (someone else's use), -1 error.
 */
OIDC_MUST_CHECK int	oidc_db_authz_issued(struct oidc_db *,
			    const unsigned char *code_hash,
			    const unsigned char *token_hash, struct oidc_error *);
OIDC_MUST_CHECK int	oidc_db_code_redeemed_by(struct oidc_db *,
			    struct oidc_arena *, const struct oidc_code_redeem *in,
			    struct oidc_code_row *out, bool *refreshed,
			    struct oidc_error *);
OIDC_MUST_CHECK int	oidc_db_code_sealed_redeemed_by(struct oidc_db *,
			    struct oidc_arena *, const struct oidc_code_redeem *in,
			    struct oidc_code_row *out, bool *refreshed,
			    struct oidc_error *);
/* Revoke every token issued from the code (replay, RFC 6749 4.1.2). */
OIDC_MUST_CHECK int	oidc_db_code_revoke_tokens(struct oidc_db *,
			    const unsigned char *hash, struct oidc_error *);

/*
 * A sealed code's redemption (oidc/code.h): `in` as for
 * oidc_db_code_redeem (client_id, the token hashes, family and ttls; its
 * redirect_uri and challenge are not used: token.c checked them against
 * the code), `code` the opened code, its hash in in->code_hash.
 */
struct oidc_code_sealed {
	const struct oidc_code_row	*code;
	int64_t				 keep_until;	/* used_code row */
	bool				 has_nonce;
	unsigned char			 nonce_hash[OIDC_HASH_LEN];
	int64_t				 nonce_ttl;
};

enum oidc_sealed_outcome {
	OIDC_SEALED_REDEEMED,		/* tokens inserted */
	OIDC_SEALED_NO_USER,		/* user disabled or deleted */
	OIDC_SEALED_CODE_USED,		/* a replay */
	OIDC_SEALED_NONCE_USED,		/* the nonce already has a token */
	OIDC_SEALED__MAX
};

/*
 * Record the code as used, its nonce as used, the session's client, and
 * insert its tokens, all in one statement (code_redeem_sealed): either
 * everything or, on any outcome but OIDC_SEALED_REDEEMED, no token
 * (OIDC_SEALED_NONCE_USED still marks the code used).  0 with *outcome
 * set and, when redeemed, out->sub, user_claims, user_updated_at and
 * *refreshed; -1 error.
 */
OIDC_MUST_CHECK int	oidc_db_code_redeem_sealed(struct oidc_db *,
			    struct oidc_arena *, const struct oidc_code_redeem *in,
			    const struct oidc_code_sealed *sealed,
			    enum oidc_sealed_outcome *outcome,
			    struct oidc_code_row *out, bool *refreshed,
			    struct oidc_error *);
/* Revoke every token issued from a sealed code (its replay). */
OIDC_MUST_CHECK int	oidc_db_code_sealed_revoke_tokens(struct oidc_db *,
			    const unsigned char *hash, struct oidc_error *);

struct oidc_token_row {
	unsigned char	 token_hash[OIDC_HASH_LEN];
	const char	*kind;		/* "access" or "refresh" */
	struct oidc_str	 client_id;
	int64_t		 user_id;	/* 0: no user (client_credentials) */
	struct oidc_str	 scope;
	bool		 has_code;
	unsigned char	 code_hash[OIDC_HASH_LEN];
	bool		 has_family;
	unsigned char	 family_id[OIDC_FAMILY_LEN];
	int64_t		 auth_time;
	struct oidc_str	 acr, amr, sid;
	struct oidc_str	 claims;
	int64_t		 ttl;		/* insert: lifetime in seconds */
	/* Insert and lookup: the DPoP key thumbprint (NULL: Bearer). */
	struct oidc_str	 dpop_jkt;
	/*
	 * Insert and lookup: the client certificate's x5t#S256 (RFC 8705
	 * 3.1, oidc/mtls.h; NULL: not certificate-bound).
	 */
	struct oidc_str	 x5t;
	/*
	 * Insert and lookup: the resource indicators (oidc/resource.h) an
	 * access token is for, a refresh token's grant (NULL: none).
	 */
	struct oidc_str	 resource;
	/* lookup output: */
	int64_t		 expires_at;
	int64_t		 created_at;
	struct oidc_str	 sub;
	struct oidc_str	 username;
	struct oidc_str	 user_claims;
	int64_t		 user_updated_at;
	/*
	 * access_token_get only: the client's stored columns userinfo needs;
	 * the metadata is read by oidc_client_from_row (client.c), never in
	 * SQL.
	 */
	const unsigned char *client_secret_sealed;	/* see client_row */
	size_t		 client_secret_sealed_len;
	struct oidc_str	 client_secret_plain;	/* legacy, see client_row */
	struct oidc_str	 client_metadata;	/* JSON object text */
};

OIDC_MUST_CHECK int	oidc_db_token_insert(struct oidc_db *,
			    const struct oidc_token_row *, struct oidc_error *);
/* An active access token with its user.  1 found, 0 not active, -1. */
OIDC_MUST_CHECK int	oidc_db_access_token_get(struct oidc_db *,
			    struct oidc_arena *, const unsigned char *hash,
			    struct oidc_token_row *, struct oidc_error *);
/*
 * Rotate an active refresh token of `client_id` in one statement.
 * 1 rotated (row with sub and user claims), 0 not active, -1 error.
 */
OIDC_MUST_CHECK int	oidc_db_refresh_rotate(struct oidc_db *,
			    struct oidc_arena *, const unsigned char *hash,
			    struct oidc_str client_id, struct oidc_token_row *,
			    struct oidc_error *);
/*
 * A refresh without rotation (FAPI 2.0, oidc/fapi.h): the active refresh
 * token of client_id, its row locked, nothing written; and the
 * lost-acknowledgement check of such a use (access_hash in its family).
 * 1 found (*t as oidc_db_refresh_rotate's), 0 not, -1 error.
 */
OIDC_MUST_CHECK int	oidc_db_refresh_use(struct oidc_db *,
			    struct oidc_arena *, const unsigned char *hash,
			    struct oidc_str client_id, struct oidc_token_row *,
			    struct oidc_error *);
OIDC_MUST_CHECK int	oidc_db_refresh_used_by(struct oidc_db *,
			    struct oidc_arena *, const unsigned char *hash,
			    struct oidc_str client_id,
			    const unsigned char *access_hash,
			    struct oidc_token_row *, struct oidc_error *);
/* The lost-acknowledgement check of a rotation (above). */
OIDC_MUST_CHECK int	oidc_db_refresh_rotated_by(struct oidc_db *,
			    struct oidc_arena *, const unsigned char *hash,
			    struct oidc_str client_id,
			    const unsigned char *access_hash,
			    struct oidc_token_row *, struct oidc_error *);
/*
 * If `hash` is a refresh token of client_id that was already rotated,
 * revoke its whole family.  1 revoked something, 0 nothing, -1 error.
 */
OIDC_MUST_CHECK int	oidc_db_refresh_reuse_revoke(struct oidc_db *,
			    const unsigned char *hash, struct oidc_str client_id,
			    struct oidc_error *);

/*
 * Revoke a token of client_id (RFC 7009 2.1): an access token alone; a
 * refresh token together with every token of its grant.  Unknown tokens
 * and other clients' tokens are left alone.  0 or -1.
 */
OIDC_MUST_CHECK int	oidc_db_token_revoke(struct oidc_db *,
			    const unsigned char *hash, struct oidc_str client_id,
			    struct oidc_error *);
/*
 * An active token (access, or refresh not yet rotated) for introspection
 * (RFC 7662 2.2): 1 found (kind, client, scope, times, sub, username),
 * 0 inactive, -1 error.
 */
OIDC_MUST_CHECK int	oidc_db_token_introspect(struct oidc_db *,
			    struct oidc_arena *, const unsigned char *hash,
			    struct oidc_token_row *, struct oidc_error *);

/*
 * A registered resource (RFC 8707, 0022_resource.sql, oidc/resource.h):
 * scope NULL: any; format NULL: the client's; lifetime 0: the
 * configuration's access_token_ttl.
 */
struct oidc_resource_row {
	struct oidc_str	 identifier;
	struct oidc_str	 scope;
	struct oidc_str	 format;
	int64_t		 lifetime;
};

/* 1 found, 0 unknown, -1 error. */
OIDC_MUST_CHECK int	oidc_db_resource_get(struct oidc_db *,
			    struct oidc_arena *, struct oidc_str identifier,
			    struct oidc_resource_row *, struct oidc_error *);
/* oidcctl: 1 created, 0 already there, -1 error. */
OIDC_MUST_CHECK int	oidc_db_resource_insert(struct oidc_db *,
			    const struct oidc_resource_row *,
			    struct oidc_error *);
/* oidcctl: every row into *rows (arena), *n of them.  0 or -1. */
OIDC_MUST_CHECK int	oidc_db_resource_list(struct oidc_db *,
			    struct oidc_arena *, struct oidc_resource_row **rows,
			    size_t *n, struct oidc_error *);
/* oidcctl: 1 deleted, 0 unknown, -1 error. */
OIDC_MUST_CHECK int	oidc_db_resource_delete(struct oidc_db *,
			    struct oidc_str identifier, struct oidc_error *);

/* 1 the nonce is fresh (now recorded), 0 already used, -1 error. */
OIDC_MUST_CHECK int	oidc_db_nonce_use(struct oidc_db *,
			    struct oidc_str client_id, const unsigned char *hash,
			    int64_t ttl, struct oidc_error *);
/*
 * Take one of `slots` request_uri fetch slots, shared by every worker
 * (a session advisory lock): 1 taken (*slot), 0 all busy, -1 error.
 * Give it back after the fetch, whatever its outcome.
 */
OIDC_MUST_CHECK int	oidc_db_fetch_slot_take(struct oidc_db *,
			    int64_t slots, int64_t *slot, struct oidc_error *);
OIDC_MUST_CHECK int	oidc_db_fetch_slot_give(struct oidc_db *,
			    int64_t slot, struct oidc_error *);
/*
 * Pushed authorization requests (oidc/par.h): store the parameters
 * `params` of client_id under the request_uri's hash for ttl seconds
 * (autocommit; also deletes a few expired rows).  0 or -1.
 */
OIDC_MUST_CHECK int	oidc_db_par_insert(struct oidc_db *,
			    const unsigned char *hash, struct oidc_str client_id,
			    struct oidc_str params, int64_t ttl,
			    struct oidc_error *);
/*
 * Redeem the live, unused pushed request of hash and client_id, once
 * (one UPDATE): 1 with *params (arena copy), 0 none (unknown, used,
 * expired or another client's), -1 error.
 */
OIDC_MUST_CHECK int	oidc_db_par_redeem(struct oidc_db *,
			    struct oidc_arena *, const unsigned char *hash,
			    struct oidc_str client_id, struct oidc_str *params,
			    struct oidc_error *);
/* 1 fresh (recorded until expires_at), 0 replayed, -1 error. */
/*
 * A DPoP proof seen (oidc/dpop.h): `hash` the SHA-256 of its key
 * thumbprint and jti, kept until expires_at.  1 new, 0 a replay, -1.
 */
OIDC_MUST_CHECK int	oidc_db_dpop_jti_use(struct oidc_db *,
			    const unsigned char *hash, int64_t expires_at,
			    struct oidc_error *);
OIDC_MUST_CHECK int	oidc_db_jti_use(struct oidc_db *,
			    struct oidc_str client_id, const unsigned char *hash,
			    int64_t expires_at, struct oidc_error *);

struct oidc_session_row {
	unsigned char	 session_hash[OIDC_HASH_LEN];
	int64_t		 user_id;
	struct oidc_str	 sid;
	int64_t		 auth_time;
	struct oidc_str	 amr;
	/*
	 * The digest of the authorization request whose login page made
	 * this session (authorize.c): that request's consent step may count
	 * the login as fresh for prompt=login and max_age (issue 15 item 7).
	 */
	bool		 has_login_request;
	unsigned char	 login_request[OIDC_HASH_LEN];
	/* lookup output: */
	struct oidc_str	 sub;
	struct oidc_str	 username;
};

OIDC_MUST_CHECK int	oidc_db_session_insert(struct oidc_db *,
			    const struct oidc_session_row *, int64_t ttl,
			    struct oidc_error *);
/* 1 found and live (user enabled), 0 not, -1 error. */
OIDC_MUST_CHECK int	oidc_db_session_get(struct oidc_db *,
			    struct oidc_arena *, const unsigned char *hash,
			    struct oidc_session_row *, struct oidc_error *);
/*
 * A remembered consent of one user for one client: the scope values and
 * the claims asked for one by one (OIDC Core 5.5) that the user allowed,
 * each a space-separated set (a claim name is a valid scope token, so
 * oidc_scope_parse reads both).  claims is "" when none was allowed.
 */
struct oidc_consent_row {
	struct oidc_str	 scope;
	struct oidc_str	 claims;
};

/*
 * oidc_db_session_get and, in the same round trip, the consent the user
 * gave client_id: *has_consent, *consent.
 */
OIDC_MUST_CHECK int	oidc_db_session_get_consent(struct oidc_db *,
			    struct oidc_arena *, const unsigned char *hash,
			    struct oidc_str client_id, struct oidc_session_row *,
			    bool *has_consent, struct oidc_consent_row *consent,
			    struct oidc_error *);
/*
 * oidc_db_client_get of client_id and oidc_db_session_get_consent of the
 * session hash in one round trip (the authorization endpoint, issue 16):
 * 1 with *c set and *has_session (then *s, *has_consent, *consent), 0 no
 * such client, -1 error.
 */
OIDC_MUST_CHECK int	oidc_db_client_session_get(struct oidc_db *,
			    struct oidc_arena *, struct oidc_str client_id,
			    const unsigned char *hash, struct oidc_client_row *,
			    bool *has_session, struct oidc_session_row *,
			    bool *has_consent, struct oidc_consent_row *consent,
			    struct oidc_error *);
OIDC_MUST_CHECK int	oidc_db_session_delete(struct oidc_db *,
			    const unsigned char *hash, struct oidc_error *);

/* 1 with *consent set, 0 no consent, -1 error. */
OIDC_MUST_CHECK int	oidc_db_consent_get(struct oidc_db *,
			    struct oidc_arena *, int64_t user_id,
			    struct oidc_str client_id,
			    struct oidc_consent_row *consent, struct oidc_error *);
/* Insert or replace (both sets) the consent of user_id for client_id. */
OIDC_MUST_CHECK int	oidc_db_consent_put(struct oidc_db *, int64_t user_id,
			    struct oidc_str client_id,
			    const struct oidc_consent_row *consent,
			    struct oidc_error *);

/*
 * Throttling state (struct oidc_throttle) of two keys: key1 with free1
 * and key2 with free2 failures free within window_s.  With `serialize`,
 * takes a transaction-scoped lock on key1 first (call inside the
 * transaction that records the outcome), so attempts under one key run
 * one at a time; without it one round trip fewer, for hot paths where a
 * few racing extra attempts are acceptable.
 */
OIDC_MUST_CHECK int	oidc_db_login_throttle(struct oidc_db *,
			    const char *key1, const char *key2, int64_t window_s,
			    int64_t free1, int64_t free2, bool serialize,
			    struct oidc_throttle *t1, struct oidc_throttle *t2,
			    struct oidc_error *);
/*
 * Record one failure under key1 (skipped when NULL; `account`, or NULL,
 * names the account it belongs to, for oidc_db_login_unlock) and key2.
 */
OIDC_MUST_CHECK int	oidc_db_login_failure_add(struct oidc_db *,
			    const char *key1, const char *key2,
			    const char *account, struct oidc_error *);
/*
 * Forget every recorded login failure of the account `username` (oidcctl
 * user unlock).  0 with *deleted set, or -1.
 */
OIDC_MUST_CHECK int	oidc_db_login_unlock(struct oidc_db *,
			    struct oidc_str username, int64_t *deleted,
			    struct oidc_error *);
/*
 * Forget every recorded authentication failure of the client `client_id`,
 * from all source addresses (oidcctl client unlock).  The per-address
 * records stay.  0 with *deleted set, or -1.
 */
OIDC_MUST_CHECK int	oidc_db_client_unlock(struct oidc_db *,
			    struct oidc_str client_id, int64_t *deleted,
			    struct oidc_error *);
/*
 * Lock state of the account `username` (oidc_db_login_state) or of the
 * client `client_id` (oidc_db_client_auth_state), for oidcctl: t->n, the
 * failures of all its (account or client, source) keys within window_s;
 * t->wait, the longest wait among those keys with free_per_key failures
 * free (0: no source waits).  0, or -1.
 */
OIDC_MUST_CHECK int	oidc_db_login_state(struct oidc_db *,
			    struct oidc_str username, int64_t window_s,
			    int64_t free_per_key, struct oidc_throttle *t,
			    struct oidc_error *);
OIDC_MUST_CHECK int	oidc_db_client_auth_state(struct oidc_db *,
			    struct oidc_str client_id, int64_t window_s,
			    int64_t free_per_key, struct oidc_throttle *t,
			    struct oidc_error *);

/* ---- back-channel logout (sql/migrations/0005_backchannel.sql) ---- */

/*
 * Record that `client_id` received a code or tokens in the session `sid`
 * (nothing when the session is gone, or the pair is known).  0 or -1.
 */
OIDC_MUST_CHECK int	oidc_db_session_client_add(struct oidc_db *,
			    struct oidc_str sid, struct oidc_str client_id,
			    struct oidc_error *);

/* A client of a session with a backchannel_logout_uri. */
struct oidc_backchannel_target {
	struct oidc_str	 client_id;
	struct oidc_str	 metadata;	/* the client's, JSON text */
};

/*
 * The clients of the session, by client_id, with their metadata (which
 * backchannel.c reads for backchannel_logout_uri: no SQL does).
 */
OIDC_MUST_CHECK int	oidc_db_backchannel_targets(struct oidc_db *,
			    struct oidc_arena *, struct oidc_str sid,
			    struct oidc_backchannel_target **rows, size_t *n,
			    struct oidc_error *);

/* Queue one logout token for delivery until expires_at.  0 or -1. */
OIDC_MUST_CHECK int	oidc_db_backchannel_enqueue(struct oidc_db *,
			    struct oidc_str client_id, struct oidc_str uri,
			    const char *token, int64_t expires_at,
			    struct oidc_error *);

struct oidc_backchannel_delivery {
	int64_t		 delivery_id;
	struct oidc_str	 client_id;
	struct oidc_str	 uri;
	struct oidc_str	 token;
	int64_t		 attempts;	/* including this one */
	bool		 expired;
};

/*
 * Claim up to `batch` due deliveries: each one's attempts is counted and
 * its next attempt pushed out by base_s * min(2^(attempts-1), 12)
 * seconds, in one statement (other senders skip claimed rows).  *rows
 * arena-owned.  0 or -1.
 */
OIDC_MUST_CHECK int	oidc_db_backchannel_claim(struct oidc_db *,
			    struct oidc_arena *, int64_t batch, int64_t base_s,
			    struct oidc_backchannel_delivery **rows, size_t *n,
			    struct oidc_error *);

/* Remove a delivery (done, or given up).  0 or -1. */
OIDC_MUST_CHECK int	oidc_db_backchannel_delete(struct oidc_db *,
			    int64_t delivery_id, struct oidc_error *);

/*
 * Delete expired rows (codes, tokens, sessions, nonces, jtis, failures
 * older than `keep_s`) in batches of `batch`; *deleted counts them.
 */
OIDC_MUST_CHECK int	oidc_db_purge(struct oidc_db *, int64_t batch,
			    int64_t keep_s, int64_t *deleted,
			    struct oidc_error *);

/*
 * The Device Authorization Grant (RFC 8628, oidc/device.h).  Codes and
 * user codes travel as their SHA-256 only.
 */
struct oidc_device_row {
	unsigned char	 code_hash[OIDC_HASH_LEN];
	unsigned char	 user_code_hash[OIDC_HASH_LEN];
	struct oidc_str	 client_id;
	struct oidc_str	 scope;
	int64_t		 interval;	/* seconds between polls */
	int64_t		 ttl;		/* insert: lifetime in seconds */
};

/* 1 inserted, 0 the user code is taken (try another), -1 error. */
OIDC_MUST_CHECK int	oidc_db_device_code_insert(struct oidc_db *,
			    const struct oidc_device_row *, struct oidc_error *);
/*
 * The pending, live code of a user code hash: client_id and scope.  1,
 * 0 none, -1 error.
 */
OIDC_MUST_CHECK int	oidc_db_device_code_get(struct oidc_db *,
			    struct oidc_arena *, const unsigned char *user_hash,
			    struct oidc_device_row *, struct oidc_error *);
/*
 * The user's decision on the pending, live code of user_hash issued to
 * client_id: approved (with the session's user_id, auth_time, amr, sid)
 * or denied.  1 decided, 0 no such pending code, -1 error.
 */
OIDC_MUST_CHECK int	oidc_db_device_code_decide(struct oidc_db *,
			    const unsigned char *user_hash,
			    struct oidc_str client_id, bool approve,
			    const struct oidc_session_row *,
			    struct oidc_error *);

enum oidc_device_status {
	OIDC_DEVICE_PENDING,
	OIDC_DEVICE_APPROVED,
	OIDC_DEVICE_DENIED,
	OIDC_DEVICE_USED
};

/* What a poll found (the row as it was before the poll). */
struct oidc_device_poll {
	enum oidc_device_status	 status;
	bool			 expired;
	bool			 too_fast;	/* slow_down: interval grew */
	bool			 user_ok;	/* approved by an enabled user */
	int64_t			 interval;	/* now */
	struct oidc_token_row	 grant;		/* user, scope, auth data */
};

/*
 * One poll of client_id with the device code hash (stmt.c, device_poll):
 * 1 with *out, 0 no such code of that client, -1 error.  An approved, live
 * code of an enabled user is marked used by this very statement.
 */
OIDC_MUST_CHECK int	oidc_db_device_poll(struct oidc_db *,
			    struct oidc_arena *, const unsigned char *hash,
			    struct oidc_str client_id, struct oidc_device_poll *,
			    struct oidc_error *);

/* ---- the TOTP second factor (0023_totp.sql, oidc/totp.h) ---- */

struct oidc_totp_row {
	const unsigned char	*secret_sealed;	/* oidc_totp_secret_seal */
	size_t			 secret_sealed_len;
	int64_t			 last_step;	/* last step accepted */
};

/* A password login waiting for its second step (login_pending). */
struct oidc_pending_row {
	int64_t			 user_id;
	struct oidc_str		 sub;
	struct oidc_str		 username;
	unsigned char		 login_request[OIDC_HASH_LEN];
	/* With totp = required: the secret being enrolled; else NULL. */
	const unsigned char	*secret_sealed;
	size_t			 secret_sealed_len;
};

/* The user's authenticator: 1 enrolled (*out), 0 not, -1. */
OIDC_MUST_CHECK int	oidc_db_totp_get(struct oidc_db *, struct oidc_arena *,
			    int64_t user_id, struct oidc_totp_row *,
			    struct oidc_error *);
/*
 * Record step as used if it is later than the last one: 1 recorded, 0 a
 * replay (or an older step), -1.
 */
OIDC_MUST_CHECK int	oidc_db_totp_use_step(struct oidc_db *,
			    int64_t user_id, int64_t step, struct oidc_error *);
/*
 * Enrol (or enrol again) with a sealed secret, last_step the step already
 * used (0: none), replacing every recovery code by the nrecovery hashes.
 * Several statements: the caller holds a transaction.  0 or -1.
 */
OIDC_MUST_CHECK int	oidc_db_totp_enrol(struct oidc_db *, int64_t user_id,
			    const unsigned char *sealed, size_t len,
			    int64_t last_step,
			    const unsigned char (*recovery)[OIDC_HASH_LEN],
			    size_t nrecovery, struct oidc_error *);
/* Remove the authenticator and recovery codes: 1 removed, 0 none, -1. */
OIDC_MUST_CHECK int	oidc_db_totp_delete(struct oidc_db *, int64_t user_id,
			    struct oidc_error *);
/* Spend a recovery code (its hash): 1 spent, 0 unknown or spent, -1. */
OIDC_MUST_CHECK int	oidc_db_recovery_use(struct oidc_db *, int64_t user_id,
			    const unsigned char *hash, struct oidc_error *);
/* How many recovery codes are left.  0 or -1. */
OIDC_MUST_CHECK int	oidc_db_recovery_count(struct oidc_db *,
			    int64_t user_id, int64_t *n, struct oidc_error *);
/* A pending login (sealed: NULL unless enrolling), ttl seconds.  0/-1. */
OIDC_MUST_CHECK int	oidc_db_pending_insert(struct oidc_db *,
			    const unsigned char *ticket_hash, int64_t user_id,
			    const unsigned char *login_request,
			    const unsigned char *sealed, size_t sealed_len,
			    int64_t ttl, struct oidc_error *);
/* A live pending login of an enabled user: 1 (*out), 0, -1. */
OIDC_MUST_CHECK int	oidc_db_pending_get(struct oidc_db *,
			    struct oidc_arena *,
			    const unsigned char *ticket_hash,
			    struct oidc_pending_row *, struct oidc_error *);
/*
 * End every session of the user (`oidcctl user totp enroll`: a session
 * made with the password alone must not outlive the enrolment).  The
 * number ended, or -1.
 */
OIDC_MUST_CHECK int	oidc_db_totp_end_sessions(struct oidc_db *,
			    int64_t user_id, struct oidc_error *);
/* Remove it: 1 removed (this request won it), 0 already gone, -1. */
OIDC_MUST_CHECK int	oidc_db_pending_delete(struct oidc_db *,
			    const unsigned char *ticket_hash,
			    struct oidc_error *);

#endif /* OIDC_DB_H */
