/*
 * stmt.h: what every SQL statement of stmt.c declares: its id, its
 * parameter count and its result columns.  common/db only.
 *
 * A statement has one entry in oidc_stmts[] (stmt.c): name, SQL text,
 * nparams and ncols.  Its result columns are named by the enum below
 * that the entry's comment points to, in SELECT/RETURNING order, ending
 * in a *__N member that is the entry's ncols; the readers in db_*.c use
 * these names, never bare positions.  The compiler cannot see into the
 * SQL text, so three checks keep the text and these declarations equal:
 *
 *   - tests/unit/db/test_stmt.c (no database): the highest $N of the
 *     text equals nparams, and every $1..$N appears;
 *   - oidc_db_run() (db_int.h) refuses a parameter vector whose count
 *     differs from nparams and a result whose PQnfields() differs from
 *     ncols: two integer comparisons per statement;
 *   - `oidcctl db check` (run by tests/integration/run.sh, so by `make
 *     test`) prepares each statement and compares PQdescribePrepared()'s
 *     parameter and column counts with nparams and ncols.
 */
#ifndef OIDC_DB_STMT_H
#define OIDC_DB_STMT_H

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
	OIDC_STMT_USER_REMOTE_UPSERT,
	OIDC_STMT_SCHEMA_LATEST,
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
	OIDC_STMT_AUTHZ_ISSUED,
	OIDC_STMT_CODE_REDEEMED_BY,
	OIDC_STMT_CODE_SEALED_REDEEMED_BY,
	OIDC_STMT_REFRESH_ROTATED_BY,
	OIDC_STMT_TOKEN_INSERT,
	OIDC_STMT_ACCESS_TOKEN_GET,
	OIDC_STMT_REFRESH_ROTATE,
	OIDC_STMT_REFRESH_USE,
	OIDC_STMT_REFRESH_USED_BY,
	OIDC_STMT_REFRESH_REUSE_REVOKE,
	OIDC_STMT_TOKEN_REVOKE,
	OIDC_STMT_TOKEN_INTROSPECT,
	OIDC_STMT_NONCE_USE,
	OIDC_STMT_JTI_USE,
	OIDC_STMT_DPOP_JTI_USE,
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
	OIDC_STMT_CLIENT_UNLOCK,
	OIDC_STMT_LOGIN_STATE,
	OIDC_STMT_CLIENT_AUTH_STATE,
	OIDC_STMT_PURGE,
	OIDC_STMT_SESSION_CLIENT_ADD,
	OIDC_STMT_BACKCHANNEL_TARGETS,
	OIDC_STMT_BACKCHANNEL_ENQUEUE,
	OIDC_STMT_BACKCHANNEL_CLAIM,
	OIDC_STMT_BACKCHANNEL_DELETE,
	OIDC_STMT_DB_PING,
	OIDC_STMT_PAR_INSERT,
	OIDC_STMT_PAR_REDEEM,
	OIDC_STMT_DEVICE_CODE_INSERT,
	OIDC_STMT_DEVICE_CODE_GET,
	OIDC_STMT_DEVICE_CODE_DECIDE,
	OIDC_STMT_DEVICE_POLL,
	OIDC_STMT_TOTP_GET,
	OIDC_STMT_TOTP_USE_STEP,
	OIDC_STMT_TOTP_ENROL,
	OIDC_STMT_TOTP_DELETE,
	OIDC_STMT_RECOVERY_INSERT,
	OIDC_STMT_RECOVERY_USE,
	OIDC_STMT_RECOVERY_COUNT,
	OIDC_STMT_PENDING_INSERT,
	OIDC_STMT_PENDING_GET,
	OIDC_STMT_PENDING_DELETE,
	OIDC_STMT_TOTP_END_SESSIONS,
	OIDC_STMT_RESOURCE_GET,
	OIDC_STMT_RESOURCE_INSERT,
	OIDC_STMT_RESOURCE_LIST,
	OIDC_STMT_RESOURCE_DELETE,
	OIDC_STMT__MAX
};

/*
 * The most parameters of any statement (code_redeem_sealed: 24): the size
 * of struct oidc_db_params.  stmt.c refuses to compile a larger nparams.
 */
#define DB_MAX_PARAMS	24

struct oidc_stmt {
	const char	*name;
	const char	*sql;
	int		 nparams;
	int		 ncols;	/* 0: a command without RETURNING */
};

extern const struct oidc_stmt oidc_stmts[OIDC_STMT__MAX];

/*
 * Compare a statement's declaration with what the server describes
 * (PQnparams, PQnfields of PQdescribePrepared); `report` gets one call per
 * difference.  The number of differences.
 */
int	oidc_stmt_compare(const struct oidc_stmt *, int nparams, int nfields,
	    void (*report)(const char *name, const char *what, int declared,
	    int described, void *), void *);

/* ---- result columns, by statement ---- */

/* No result columns: a command without RETURNING. */
#define DB_NO_COLUMNS	0

/*
 * One value: client_insert, client_origin_known, client_register
 * (issued_at), user_insert, signing_key_generation, signing_key_lock,
 * signing_key_insert, signing_key_retire, signing_key_unretire, code_issue
 * (fresh), nonce_use, jti_use, fetch_slot_take, fetch_slot_give,
 * login_lock, purge, db_ping, par_redeem (params), device_code_insert.
 */
enum { V_VALUE, V__N };

/* client_get, client_list, client_list_unsealed (CLIENT_COLUMNS). */
enum { C_ID, C_SECRET_HASH, C_SECRET_PLAIN, C_METADATA, C_FIRST_PARTY,
    C_APPROVED, C_SECRET_SEALED, C__N };

/* client_get_throttled: client_get's, then the two throttles. */
enum { CT_PAIR_N = C__N, CT_PAIR_WAIT, CT_ADDR_N, CT_ADDR_WAIT, CT__N };

/* client_reg_get: client_get's, then the registration's. */
enum { CR_REG_HASH = C__N, CR_ISSUED_AT, CR__N };

/* user_get_by_name, user_get_by_sub, user_list. */
enum { U_ID, U_NAME, U_SUB, U_PWHASH, U_CLAIMS, U_DISABLED, U_UPDATED,
    U__N };

/* signing_key_list, signing_key_list_public. */
enum { K_KID, K_ALG, K_JWK, K_PRIV, K_CREATED, K_PUBLISH, K_ACTIVATE,
    K_RETIRE, K_EXPIRE, K__N };

/* code_consume; code_redeem adds "refresh inserted". */
enum { CC_CLIENT, CC_USER, CC_REDIRECT, CC_SCOPE, CC_NONCE, CC_CHALLENGE,
    CC_AUTH_TIME, CC_ACR, CC_AMR, CC_SID, CC_CLAIMS, CC_SUB, CC_UCLAIMS,
    CC_UUPDATED, CC_EXPIRED, CC_RESOURCE, CC_DPOP_JKT, CC__N };
enum { CC_REFRESHED = CC__N, CCR__N };

/* code_redeem_sealed. */
enum { CS_CODE_FRESH, CS_NONCE_FRESH, CS_SUB, CS_UCLAIMS, CS_UUPDATED,
    CS_REFRESHED, CS__N };

/*
 * The first columns of access_token_get, refresh_rotate and
 * token_introspect (db_grant.c's read_token), then each one's own.
 */
enum { T_CLIENT, T_USER, T_SCOPE, T_AUTH_TIME, T_ACR, T_AMR, T_SID,
    T_CLAIMS, T_EXPIRES, T_CREATED, T_SUB, T_USERNAME, T_UCLAIMS,
    T_UUPDATED, T_JKT, T_RESOURCE, T_X5T, T__COMMON };
enum { TA_SECRET_PLAIN = T__COMMON, TA_CLIENT_META, TA_SECRET_SEALED,
    TA__N };
enum { TR_CODE_HASH = T__COMMON, TR_FAMILY, TR__N };
enum { TI_KIND = T__COMMON, TI__N };

/*
 * session_get (SESSION_COLUMNS); session_get_consent adds the consent;
 * client_session_get adds client_get's columns from CSG_CLIENT.
 */
enum { S_USER, S_SID, S_AUTH_TIME, S_AMR, S_SUB, S_USERNAME,
    S_LOGIN_REQUEST, S__N };
enum { SC_SCOPE = S__N, SC_CLAIMS, SC__N };
enum { CSG_CLIENT = SC__N, CSG__N = SC__N + C__N };

/* totp_get. */
enum { TP_SECRET, TP_LAST_STEP, TP__N };

/* pending_get. */
enum { PD_USER, PD_SUB, PD_NAME, PD_REQUEST, PD_SECRET, PD__N };

/* consent_get. */
enum { CO_SCOPE, CO_CLAIMS, CO__N };

/* login_throttle: THROTTLE of the first key, then of the second. */
enum { LT_N1, LT_WAIT1, LT_N2, LT_WAIT2, LT__N };

/* login_state, client_auth_state (LOCK_STATE). */
enum { LS_N, LS_WAIT, LS__N };

/* backchannel_targets. */
enum { BT_CLIENT, BT_META, BT__N };

/* backchannel_claim. */
enum { BC_ID, BC_CLIENT, BC_URI, BC_TOKEN, BC_ATTEMPTS, BC_EXPIRED, BC__N };

/* device_code_get: the pending row of a user code. */
enum { DG_CLIENT, DG_SCOPE, DG__N };

/* resource_get, resource_list (0022_resource.sql). */
enum { RS_ID, RS_SCOPE, RS_FORMAT, RS_LIFETIME, RS__N };
/*
 * device_poll: the row as it was (status, expired, polled too fast), the
 * interval now, and the approval with its user (user_ok: not disabled).
 */
enum { DP_STATUS, DP_EXPIRED, DP_FAST, DP_INTERVAL, DP_USER, DP_SCOPE,
    DP_AUTH_TIME, DP_AMR, DP_SID, DP_SUB, DP_UCLAIMS, DP_UUPDATED,
    DP_USER_OK, DP__N };

#endif
