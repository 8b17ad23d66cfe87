/*
 * stmt.c: every SQL statement the server and oidcctl can run.  Parameters
 * only; reviewers can read every query here.  Each entry declares its
 * parameter count and its result columns: the *__N member of the column
 * enum in stmt.h that names them in SELECT/RETURNING order (DB_NO_COLUMNS
 * for a command).  stmt.h says how the text and the declarations are kept
 * equal (unit test, a count check per result, `oidcctl db check`).
 */
#include "db_int.h"

/* n, refused at compile time above DB_MAX_PARAMS (the binder's size). */
#define NPARAMS(n)	((n) + 0 * (int)sizeof(char[(n) <= DB_MAX_PARAMS ? \
			    1 : -1]))

/*
 * The throttle of one login_failure key K (SQL text of a parameter) with
 * FREE failures allowed within the window W (seconds): two columns, the
 * failures in the window, and the whole seconds until K may be tried
 * again: 0 below FREE failures, else min(2^(n - FREE), W) seconds after
 * K's last failure (issue 15 item 3: delays that grow, never a lock that
 * an attacker can renew; refused attempts are not recorded, so waiting
 * never grows by hammering, and the longest wait is one window).
 * Shared by login_throttle and client_get_throttled.
 */
#define THROTTLE_ROWS(k, w)						\
	"FROM login_failure f WHERE f.key = " k " "			\
	"AND f.at > now() - make_interval(secs => " w ")"
#define THROTTLE_WAIT(free, w)						\
	"CASE WHEN count(*) < " free " THEN 0 ELSE "			\
	"greatest(0, ceil(extract(epoch FROM max(f.at) + "		\
	"make_interval(secs => least(power(2, least(count(*) - " free	\
	", 30)), " w ")) - now())))::bigint END"
#define THROTTLE(k, free, w)						\
	"(SELECT count(*) " THROTTLE_ROWS(k, w) "), "			\
	"(SELECT " THROTTLE_WAIT(free, w) " " THROTTLE_ROWS(k, w) ")"
/*
 * oidcctl's lock state of the keys of login_failure rows f matching WHERE
 * (parameter $1), with $3 failures free per key within the window $2: the
 * failures of all those keys in the window, and the longest THROTTLE wait
 * among them (0: no key waits).
 */
#define LOCK_STATE(where)						\
	"SELECT coalesce(sum(g.n), 0)::bigint, "			\
	"coalesce(max(g.w), 0)::bigint FROM (SELECT count(*) AS n, "	\
	THROTTLE_WAIT("$3", "$2") " AS w FROM login_failure f "	\
	"WHERE " where " AND f.at > now() - make_interval(secs => $2) " \
	"GROUP BY f.key) g"
/*
 * The (client, source) rows of client $1: "c:ADDR CLIENT_ID" (clientauth.c;
 * an address has no space, so the client id follows the first one).
 */
#define CLIENT_FAILURES	"f.key LIKE 'c:%' AND " \
			"substr(f.key, strpos(f.key, ' ') + 1) = $1"

/* Advisory lock class of the request_uri fetch slots: "oidf" in ASCII. */
#define FETCH_LOCK_KEY	"1868130662"
/* A live login session by hash $1, with its (enabled) user. */
#define SESSION_COLUMNS	"s.user_id, s.sid, " \
			"extract(epoch FROM s.auth_time)::bigint, s.amr, " \
			"u.sub, u.username, s.login_request"
#define SESSION_LIVE	"FROM login_session s " \
			"JOIN app_user u ON u.user_id = s.user_id " \
			"WHERE s.session_hash = $1 AND s.expires_at > now() " \
			"AND u.disabled_at IS NULL"
/* One column of the consent of the session's user for client $2. */
#define CONSENT_OF(col)	"(SELECT k." col " FROM consent k " \
			"WHERE k.user_id = s.user_id AND k.client_id = $2)"

/* client_get's columns (db_client.c reads them from any offset). */
#define CLIENT_COLUMNS	"c.client_id, c.secret_hash, c.secret_plain, " \
			"c.metadata::text, c.first_party, c.approved, " \
			"c.secret_sealed"

const struct oidc_stmt oidc_stmts[OIDC_STMT__MAX] = {
	[OIDC_STMT_CLIENT_GET] = { "client_get",
	    "SELECT " CLIENT_COLUMNS " FROM client c WHERE c.client_id = $1",
	    NPARAMS(1), C__N },
	/*
	 * client_get (NULL columns for an unknown client), then the
	 * THROTTLE of the (client, source) key $2 (free $4) and of the
	 * source key $5 (free $6), window $3: one row always.
	 */
	[OIDC_STMT_CLIENT_GET_THROTTLED] = { "client_get_throttled",
	    "SELECT " CLIENT_COLUMNS ", t.n, t.w, t.an, t.aw "
	    "FROM (SELECT " THROTTLE("$2", "$4", "$3") ", "
	    THROTTLE("$5", "$6", "$3") ") t(n, w, an, aw) "
	    "LEFT JOIN client c ON c.client_id = $1", NPARAMS(6), CT__N },
	[OIDC_STMT_CLIENT_INSERT] = { "client_insert",
	    "INSERT INTO client (client_id, secret_hash, secret_sealed, "
	    "metadata, first_party, origins) VALUES ($1, $2, $3, $4::jsonb, "
	    "$5, $6::jsonb) "
	    "ON CONFLICT (client_id) DO NOTHING RETURNING client_id",
	    NPARAMS(6), V__N },
	[OIDC_STMT_CLIENT_UPDATE] = { "client_update",
	    "UPDATE client SET secret_hash = $2, secret_sealed = $3, "
	    "secret_plain = NULL, metadata = $4::jsonb, first_party = $5, "
	    "origins = $6::jsonb, updated_at = now() "
	    "WHERE client_id = $1", NPARAMS(6), DB_NO_COLUMNS },
	[OIDC_STMT_CLIENT_DELETE] = { "client_delete",
	    "DELETE FROM client WHERE client_id = $1",
	    NPARAMS(1), DB_NO_COLUMNS },
	[OIDC_STMT_CLIENT_LIST] = { "client_list",
	    "SELECT client_id, NULL, NULL, metadata::text, first_party, "
	    "approved, NULL FROM client ORDER BY client_id", NPARAMS(0), C__N },
	/*
	 * oidcctl client seal-secrets (0009_client_secret_sealed.sql): the
	 * rows that still hold a clear secret, locked until the transaction
	 * that seals them ends; then one row at a time.
	 */
	[OIDC_STMT_CLIENT_LIST_UNSEALED] = { "client_list_unsealed",
	    "SELECT client_id, NULL, secret_plain, metadata::text, "
	    "first_party, approved, secret_sealed FROM client "
	    "WHERE secret_plain IS NOT NULL ORDER BY client_id FOR UPDATE",
	    NPARAMS(0), C__N },
	[OIDC_STMT_CLIENT_SEAL_SECRET] = { "client_seal_secret",
	    "UPDATE client SET secret_sealed = $2, secret_plain = NULL, "
	    "updated_at = now() WHERE client_id = $1 "
	    "AND secret_plain IS NOT NULL", NPARAMS(2), DB_NO_COLUMNS },
	/* oidcctl client approve (0007_client_approved.sql). */
	[OIDC_STMT_CLIENT_APPROVE] = { "client_approve",
	    "UPDATE client SET approved = true, updated_at = now() "
	    "WHERE client_id = $1", NPARAMS(1), DB_NO_COLUMNS },
	/*
	 * The CORS preflight (no client yet): is $1 one of the origins C
	 * stored with some client (0014_client_origins.sql)?
	 */
	[OIDC_STMT_CLIENT_ORIGIN_KNOWN] = { "client_origin_known",
	    "SELECT 1 FROM client WHERE origins @> jsonb_build_array($1::text) "
	    "LIMIT 1", NPARAMS(1), V__N },
	/*
	 * Dynamic registration (RFC 7591/7592): only rows with a
	 * registration_token_hash are reachable, and update and delete
	 * repeat the hash the caller checked, so a concurrent change of the
	 * token cannot be overtaken.
	 */
	[OIDC_STMT_CLIENT_REGISTER] = { "client_register",
	    "INSERT INTO client (client_id, secret_hash, secret_sealed, "
	    "metadata, first_party, approved, registration_token_hash, "
	    "origins) VALUES ($1, $2, $3, $4::jsonb, false, false, $5, "
	    "$6::jsonb) ON CONFLICT (client_id) DO NOTHING "
	    "RETURNING extract(epoch FROM created_at)::bigint",
	    NPARAMS(6), V__N },
	[OIDC_STMT_CLIENT_REG_GET] = { "client_reg_get",
	    "SELECT client_id, secret_hash, secret_plain, metadata::text, "
	    "first_party, approved, secret_sealed, registration_token_hash, "
	    "extract(epoch FROM created_at)::bigint FROM client "
	    "WHERE client_id = $1 AND registration_token_hash IS NOT NULL",
	    NPARAMS(1), CR__N },
	[OIDC_STMT_CLIENT_REG_UPDATE] = { "client_reg_update",
	    "UPDATE client SET secret_hash = $2, secret_sealed = $3, "
	    "secret_plain = NULL, metadata = $4::jsonb, origins = $6::jsonb, "
	    "updated_at = now() "
	    "WHERE client_id = $1 AND registration_token_hash = $5",
	    NPARAMS(6), DB_NO_COLUMNS },
	[OIDC_STMT_CLIENT_REG_DELETE] = { "client_reg_delete",
	    "DELETE FROM client WHERE client_id = $1 "
	    "AND registration_token_hash = $2", NPARAMS(2), DB_NO_COLUMNS },
	[OIDC_STMT_USER_GET_BY_NAME] = { "user_get_by_name",
	    "SELECT user_id, username, sub, password_hash, claims::text, "
	    "disabled_at IS NOT NULL, extract(epoch FROM updated_at)::bigint "
	    "FROM app_user WHERE username = $1", NPARAMS(1), U__N },
	[OIDC_STMT_USER_GET_BY_SUB] = { "user_get_by_sub",
	    "SELECT user_id, username, sub, password_hash, claims::text, "
	    "disabled_at IS NOT NULL, extract(epoch FROM updated_at)::bigint "
	    "FROM app_user WHERE sub = $1", NPARAMS(1), U__N },
	[OIDC_STMT_USER_INSERT] = { "user_insert",
	    "INSERT INTO app_user (username, sub, password_hash, claims) "
	    "VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (username) DO NOTHING "
	    "RETURNING user_id", NPARAMS(4), V__N },
	/*
	 * A remote_user login (oidc/remote_user.h): the user named $1 is
	 * created with sub $2 and claims $3 (no password: no password
	 * login), or its claims get $3's members; updated_at moves only when
	 * a claim changes.  The row as user_get_by_name reads it.
	 */
	[OIDC_STMT_USER_REMOTE_UPSERT] = { "user_remote_upsert",
	    "INSERT INTO app_user AS u (username, sub, claims) "
	    "VALUES ($1, $2, $3::jsonb) ON CONFLICT (username) DO UPDATE "
	    "SET claims = u.claims || EXCLUDED.claims, updated_at = CASE "
	    "WHEN u.claims @> EXCLUDED.claims THEN u.updated_at ELSE now() "
	    "END RETURNING user_id, username, sub, NULL, claims::text, "
	    "disabled_at IS NOT NULL, extract(epoch FROM updated_at)::bigint",
	    NPARAMS(3), U__N },
	[OIDC_STMT_USER_SET_CLAIMS] = { "user_set_claims",
	    "UPDATE app_user SET claims = $2::jsonb, updated_at = now() "
	    "WHERE username = $1", NPARAMS(2), DB_NO_COLUMNS },
	[OIDC_STMT_USER_SET_PASSWORD] = { "user_set_password",
	    "UPDATE app_user SET password_hash = $2, updated_at = now() "
	    "WHERE username = $1", NPARAMS(2), DB_NO_COLUMNS },
	[OIDC_STMT_USER_SET_DISABLED] = { "user_set_disabled",
	    "UPDATE app_user SET disabled_at = CASE WHEN $2::boolean "
	    "THEN coalesce(disabled_at, now()) END, updated_at = now() "
	    "WHERE username = $1", NPARAMS(2), DB_NO_COLUMNS },
	[OIDC_STMT_USER_DELETE] = { "user_delete",
	    "DELETE FROM app_user WHERE username = $1",
	    NPARAMS(1), DB_NO_COLUMNS },
	[OIDC_STMT_USER_LIST] = { "user_list",
	    "SELECT user_id, username, sub, NULL, claims::text, "
	    "disabled_at IS NOT NULL, extract(epoch FROM updated_at)::bigint "
	    "FROM app_user ORDER BY username", NPARAMS(0), U__N },
	/*
	 * Signing keys (sql/migrations/0003_signing_keys.sql).  The
	 * generation is the one cheap query every worker polls; the lock
	 * serialises `oidcctl key` writers.  _list_public never reads
	 * private_key, so jwks.fcgi and discovery.fcgi need no grant on it.
	 * Times are unix seconds; NULL retire_at/expire_at read as NULL.
	 */
	/* The newest migration applied (oidcctl db check prints it). */
	[OIDC_STMT_SCHEMA_LATEST] = { "schema_latest",
	    "SELECT max(name) FROM schema_migration", NPARAMS(0), V__N },
	[OIDC_STMT_SIGNING_KEY_GENERATION] = { "signing_key_generation",
	    "SELECT generation FROM signing_key_generation", NPARAMS(0), V__N },
	[OIDC_STMT_SIGNING_KEY_LOCK] = { "signing_key_lock",
	    "SELECT generation FROM signing_key_generation FOR UPDATE",
	    NPARAMS(0), V__N },
	[OIDC_STMT_SIGNING_KEY_LIST] = { "signing_key_list",
	    "SELECT kid, alg, public_jwk::text, private_key, "
	    "extract(epoch FROM created_at)::bigint, "
	    "extract(epoch FROM publish_at)::bigint, "
	    "extract(epoch FROM activate_at)::bigint, "
	    "extract(epoch FROM retire_at)::bigint, "
	    "extract(epoch FROM expire_at)::bigint FROM signing_key "
	    "WHERE $1::boolean OR expire_at IS NULL OR expire_at > now() "
	    "ORDER BY alg, activate_at DESC, kid", NPARAMS(1), K__N },
	[OIDC_STMT_SIGNING_KEY_LIST_PUBLIC] = { "signing_key_list_public",
	    "SELECT kid, alg, public_jwk::text, NULL, "
	    "extract(epoch FROM created_at)::bigint, "
	    "extract(epoch FROM publish_at)::bigint, "
	    "extract(epoch FROM activate_at)::bigint, "
	    "extract(epoch FROM retire_at)::bigint, "
	    "extract(epoch FROM expire_at)::bigint FROM signing_key "
	    "WHERE $1::boolean OR expire_at IS NULL OR expire_at > now() "
	    "ORDER BY alg, activate_at DESC, kid", NPARAMS(1), K__N },
	[OIDC_STMT_SIGNING_KEY_INSERT] = { "signing_key_insert",
	    "INSERT INTO signing_key (kid, alg, public_jwk, private_key, "
	    "publish_at, activate_at, retire_at, expire_at) "
	    "VALUES ($1, $2, $3::jsonb, $4, to_timestamp($5), "
	    "to_timestamp($6), to_timestamp($7), to_timestamp($8)) "
	    "ON CONFLICT (kid) DO NOTHING RETURNING kid", NPARAMS(8), V__N },
	/* Stop signing at $2 (now, or a successor's activation). */
	[OIDC_STMT_SIGNING_KEY_RETIRE] = { "signing_key_retire",
	    "UPDATE signing_key SET "
	    "publish_at = least(publish_at, to_timestamp($2)), "
	    "activate_at = least(activate_at, to_timestamp($2)), "
	    "retire_at = to_timestamp($2), expire_at = to_timestamp($3), "
	    "updated_at = now() WHERE kid = $1 "
	    "AND (retire_at IS NULL OR retire_at > to_timestamp($2)) "
	    "RETURNING kid", NPARAMS(3), V__N },
	/* Cancel a retirement scheduled for $2 (its successor was retired). */
	[OIDC_STMT_SIGNING_KEY_UNRETIRE] = { "signing_key_unretire",
	    "UPDATE signing_key SET retire_at = NULL, expire_at = NULL, "
	    "updated_at = now() WHERE alg = $1 "
	    "AND retire_at = to_timestamp($2) AND retire_at > now() "
	    "RETURNING kid", NPARAMS(2), V__N },
	/* Consumed even when expired, so an expired code is never reused. */
	[OIDC_STMT_CODE_CONSUME] = { "code_consume",
	    "UPDATE auth_code c SET consumed_at = now() FROM app_user u "
	    "WHERE c.code_hash = $1 AND c.consumed_at IS NULL "
	    "AND u.user_id = c.user_id "
	    "RETURNING c.client_id, c.user_id, c.redirect_uri, c.scope, "
	    "c.nonce, c.code_challenge, extract(epoch FROM c.auth_time)::bigint, "
	    "c.acr, c.amr, c.sid, c.claims::text, u.sub, u.claims::text, "
	    "extract(epoch FROM u.updated_at)::bigint, "
	    "c.expires_at <= now() OR u.disabled_at IS NOT NULL, c.resource, "
	    "c.dpop_jkt",
	    NPARAMS(1), CC__N },
	/*
	 * The code flow's whole write at the authorization endpoint in one
	 * statement (no BEGIN/COMMIT round trips): record the nonce ($14,
	 * NULL: none) and, only if it was fresh, the session's client (for
	 * back-channel logout; $11 sid, NULL: none) and the code ($16 its
	 * offline flag, oidc/grant.h; $17 its resources, oidc/resource.h;
	 * $18 its DPoP key, RFC 9449 10).  Returns whether the nonce was
	 * fresh, i.e. whether anything was written.  A code hash already there (the
	 * same request's write run again after a lost acknowledgement,
	 * authorize.c) is no error: nothing more is written.
	 */
	[OIDC_STMT_CODE_ISSUE] = { "code_issue",
	    "WITH n AS (INSERT INTO used_nonce (client_id, nonce_hash, "
	    "expires_at) SELECT $2, $14, now() + make_interval(secs => $15) "
	    "WHERE $14::bytea IS NOT NULL ON CONFLICT DO NOTHING RETURNING 1), "
	    "ok AS (SELECT $14::bytea IS NULL OR EXISTS (SELECT 1 FROM n) "
	    "AS fresh), "
	    "sc AS (INSERT INTO session_client (sid, client_id) "
	    "SELECT $11, $2 FROM ok WHERE ok.fresh AND EXISTS "
	    "(SELECT 1 FROM login_session WHERE sid = $11) "
	    "ON CONFLICT DO NOTHING), "
	    "c AS (INSERT INTO auth_code (code_hash, client_id, user_id, "
	    "redirect_uri, scope, nonce, code_challenge, auth_time, acr, amr, "
	    "sid, claims, expires_at, offline, resource, dpop_jkt) SELECT $1, "
	    "$2, $3, $4, $5, $6, $7, to_timestamp($8), $9, $10, $11, $12::jsonb, "
	    "now() + make_interval(secs => $13), $16, $17, $18 FROM ok "
	    "WHERE ok.fresh ON CONFLICT DO NOTHING) "
	    "SELECT fresh FROM ok", NPARAMS(18), V__N },
	/*
	 * A stored code's redemption in one statement, a compare-and-set:
	 * the code is consumed only if it is live, unconsumed, of an enabled
	 * user and its row equals what token.c computed from the request:
	 * client $2, redirect_uri $3, challenge $4 (the S256 of a well-formed
	 * verifier, NULL: none).  The rules are token.c's
	 * (oidc_token_check_code); this is the write they permit, so the
	 * usual case needs no read first.  Then the access token ($5, family
	 * $6, ttl $7) and, when $8 is given (oidc_grant_may_refresh) and the
	 * code's offline flag is set (oidc_grant_offline at /authorize), the
	 * refresh token ($8, ttl $9) are inserted, each bound to its DPoP
	 * key thumbprint ($10 access, $11 refresh; NULL: unbound, token.c
	 * decides, oidc/dpop.h).  $10 is the request's proof key: a code
	 * bound to a key (dpop_jkt, RFC 9449 10) needs that one.  The
	 * columns are code_consume's, then "refresh inserted".  No row: nothing was
	 * written; token.c then reads the row to name the rule broken.
	 * Resource indicators (oidc/resource.h) are token.c's: a request
	 * with some ($12, space-separated, NULL: none) or a code granted
	 * some never matches here; token.c redeems those in a transaction.
	 * $13 and $14: the certificate thumbprints (RFC 8705 3.1, x5t#S256)
	 * the access and refresh tokens are bound to (NULL: unbound).
	 */
	[OIDC_STMT_CODE_REDEEM] = { "code_redeem",
	    "WITH c AS (UPDATE auth_code c SET consumed_at = now() "
	    "FROM app_user u WHERE c.code_hash = $1 AND c.consumed_at IS NULL "
	    "AND u.user_id = c.user_id AND c.client_id = $2 "
	    "AND c.redirect_uri = $3 AND c.code_challenge IS NOT DISTINCT FROM "
	    "$4::text AND c.expires_at > now() AND u.disabled_at IS NULL "
	    "AND $12::text IS NULL AND c.resource IS NULL "
	    "AND (c.dpop_jkt IS NULL OR c.dpop_jkt = $10) "
	    "RETURNING c.*, u.sub, u.claims AS user_claims, "
	    "u.updated_at AS user_updated_at), "
	    "a AS (INSERT INTO token (token_hash, kind, client_id, user_id, "
	    "scope, auth_code_hash, family_id, auth_time, acr, amr, sid, claims, "
	    "expires_at, dpop_jkt, resource, x5t_s256) SELECT $5, 'access', "
	    "client_id, user_id, scope, $1, $6, auth_time, acr, amr, sid, "
	    "claims, now() + make_interval(secs => $7), $10, resource, $13 "
	    "FROM c), "
	    "r AS (INSERT INTO token (token_hash, kind, client_id, user_id, "
	    "scope, auth_code_hash, family_id, auth_time, acr, amr, sid, claims, "
	    "expires_at, dpop_jkt, resource, x5t_s256) SELECT $8, 'refresh', "
	    "client_id, user_id, scope, $1, $6, auth_time, acr, amr, sid, "
	    "claims, now() + make_interval(secs => $9), $11, resource, $14 "
	    "FROM c "
	    "WHERE $8::bytea IS NOT NULL AND c.offline RETURNING 1) "
	    "SELECT client_id, user_id, redirect_uri, scope, nonce, "
	    "code_challenge, extract(epoch FROM auth_time)::bigint, acr, amr, "
	    "sid, claims::text, sub, user_claims::text, "
	    "extract(epoch FROM user_updated_at)::bigint, false, resource, "
	    "dpop_jkt, EXISTS (SELECT 1 FROM r) FROM c", NPARAMS(14), CCR__N },
	/* The code's row is locked first, as above, against deadlocks. */
	[OIDC_STMT_CODE_REVOKE_TOKENS] = { "code_revoke_tokens",
	    "WITH c AS (SELECT 1 FROM auth_code WHERE code_hash = $1 "
	    "FOR UPDATE) "
	    "UPDATE token SET revoked_at = now() WHERE auth_code_hash = $1 "
	    "AND revoked_at IS NULL AND EXISTS (SELECT 1 FROM c)",
	    NPARAMS(1), DB_NO_COLUMNS },
	/*
	 * A sealed code's redemption (oidc/code.h), the whole write of the
	 * code flow in one statement: the code's hash $1 goes into used_code
	 * (single use: a second redemption, even a concurrent one, finds it
	 * there) only if its user $3 is enabled; then the nonce $15 (NULL:
	 * none) into used_nonce for $16 seconds; only if both were fresh,
	 * the session's client (sid $6, for back-channel logout) and the
	 * access ($7, family $8, ttl $10) and refresh ($9, ttl $11; NULL:
	 * none, token.c decided, oidc/grant.h) tokens.  Both ledgers are
	 * written or neither row counts: a used code or nonce writes no
	 * token.  One row always: code fresh, nonce fresh, the user's sub,
	 * claims, updated_at (NULL: no enabled user), refresh inserted.
	 * $5 auth_time, $12 acr, $13 amr, $14 claims, $17 when purge may
	 * forget the code (its expiry and a margin, token.c), $18 and $19
	 * the DPoP key thumbprints of the access and refresh tokens (NULL:
	 * unbound); $4 the refresh token's (the grant's) scope and $22 its
	 * resources, $20 the access token's scope and $21 its resources
	 * (oidc/resource.h narrows them; NULL resources: none); $23 and $24
	 * the certificate thumbprints of the access and refresh tokens (RFC
	 * 8705 3.1; NULL: unbound).
	 */
	[OIDC_STMT_CODE_REDEEM_SEALED] = { "code_redeem_sealed",
	    "WITH u AS (SELECT user_id, sub, claims, updated_at FROM app_user "
	    "WHERE user_id = $3 AND disabled_at IS NULL), "
	    "k AS (INSERT INTO used_code (code_hash, expires_at) "
	    "SELECT $1, to_timestamp($17) FROM u ON CONFLICT DO NOTHING "
	    "RETURNING 1), "
	    "n AS (INSERT INTO used_nonce (client_id, nonce_hash, expires_at) "
	    "SELECT $2, $15, now() + make_interval(secs => $16) FROM k "
	    "WHERE $15::bytea IS NOT NULL ON CONFLICT DO NOTHING RETURNING 1), "
	    "ok AS (SELECT EXISTS (SELECT 1 FROM k) AS code_fresh, "
	    "$15::bytea IS NULL OR EXISTS (SELECT 1 FROM n) AS nonce_fresh), "
	    "g AS (SELECT u.user_id FROM u, ok "
	    "WHERE ok.code_fresh AND ok.nonce_fresh), "
	    "sc AS (INSERT INTO session_client (sid, client_id) "
	    "SELECT $6, $2 FROM g WHERE $6::text IS NOT NULL AND EXISTS "
	    "(SELECT 1 FROM login_session WHERE sid = $6) "
	    "ON CONFLICT DO NOTHING), "
	    "a AS (INSERT INTO token (token_hash, kind, client_id, user_id, "
	    "scope, auth_code_hash, family_id, auth_time, acr, amr, sid, claims, "
	    "expires_at, dpop_jkt, resource, x5t_s256) SELECT $7, 'access', $2, "
	    "user_id, $20, $1, $8, to_timestamp($5), $12, $13, $6, $14::jsonb, "
	    "now() + make_interval(secs => $10), $18, $21, $23 FROM g), "
	    "r AS (INSERT INTO token (token_hash, kind, client_id, user_id, "
	    "scope, auth_code_hash, family_id, auth_time, acr, amr, sid, claims, "
	    "expires_at, dpop_jkt, resource, x5t_s256) SELECT $9, 'refresh', $2, "
	    "user_id, $4, $1, $8, to_timestamp($5), $12, $13, $6, $14::jsonb, "
	    "now() + make_interval(secs => $11), $19, $22, $24 FROM g "
	    "WHERE $9::bytea IS NOT NULL RETURNING 1) "
	    "SELECT ok.code_fresh, ok.nonce_fresh, u.sub, u.claims::text, "
	    "extract(epoch FROM u.updated_at)::bigint, "
	    "EXISTS (SELECT 1 FROM r) FROM ok LEFT JOIN u ON true",
	    NPARAMS(24), CS__N },
	/*
	 * A sealed code presented again: revoke what it yielded (RFC 6749
	 * 4.1.2).  Run after code_redeem_sealed found it used, in a new
	 * snapshot, so the tokens of a concurrent winner are seen.
	 */
	[OIDC_STMT_CODE_SEALED_REVOKE_TOKENS] = { "code_sealed_revoke_tokens",
	    "UPDATE token SET revoked_at = now() WHERE auth_code_hash = $1 "
	    "AND revoked_at IS NULL", NPARAMS(1), DB_NO_COLUMNS },
	/*
	 * The lost-acknowledgement checks (issue 19 item 2): run only when a
	 * write is run again after its connection was lost, to tell its own
	 * earlier commit (recognised by the secret hashes this request
	 * generated: the code $1, the access token $2, the refresh token $3)
	 * from someone else's use.  An authorization response's code $1 or
	 * access token $2 (NULL: none) is stored:
	 */
	[OIDC_STMT_AUTHZ_ISSUED] = { "authz_issued",
	    "SELECT EXISTS (SELECT 1 FROM auth_code WHERE code_hash = $1) "
	    "OR EXISTS (SELECT 1 FROM token WHERE token_hash = $2)",
	    NPARAMS(2), V__N },
	/* code_redeem's columns, if this request's access token $2 is there. */
	[OIDC_STMT_CODE_REDEEMED_BY] = { "code_redeemed_by",
	    "SELECT c.client_id, c.user_id, c.redirect_uri, c.scope, c.nonce, "
	    "c.code_challenge, extract(epoch FROM c.auth_time)::bigint, c.acr, "
	    "c.amr, c.sid, c.claims::text, u.sub, u.claims::text, "
	    "extract(epoch FROM u.updated_at)::bigint, false, c.resource, "
	    "c.dpop_jkt, "
	    "EXISTS (SELECT 1 FROM token WHERE token_hash = $3 "
	    "AND auth_code_hash = $1 AND kind = 'refresh') "
	    "FROM auth_code c JOIN app_user u ON u.user_id = c.user_id "
	    "WHERE c.code_hash = $1 AND c.consumed_at IS NOT NULL "
	    "AND EXISTS (SELECT 1 FROM token WHERE token_hash = $2 "
	    "AND auth_code_hash = $1 AND kind = 'access' "
	    "AND revoked_at IS NULL)", NPARAMS(3), CCR__N },
	/* code_redeem_sealed's columns, likewise. */
	[OIDC_STMT_CODE_SEALED_REDEEMED_BY] = { "code_sealed_redeemed_by",
	    "SELECT true, true, u.sub, u.claims::text, "
	    "extract(epoch FROM u.updated_at)::bigint, "
	    "EXISTS (SELECT 1 FROM token WHERE token_hash = $3 "
	    "AND auth_code_hash = $1 AND kind = 'refresh') "
	    "FROM token t JOIN app_user u ON u.user_id = t.user_id "
	    "WHERE t.token_hash = $2 AND t.auth_code_hash = $1 "
	    "AND t.kind = 'access' AND t.revoked_at IS NULL "
	    "AND u.disabled_at IS NULL", NPARAMS(3), CS__N },
	/*
	 * refresh_rotate's columns for the rotated token $1 of client $2, if
	 * this request's access token $3 is in its family.
	 */
	[OIDC_STMT_REFRESH_ROTATED_BY] = { "refresh_rotated_by",
	    "SELECT t.client_id, t.user_id, t.scope, "
	    "extract(epoch FROM t.auth_time)::bigint, t.acr, t.amr, t.sid, "
	    "t.claims::text, extract(epoch FROM t.expires_at)::bigint, "
	    "extract(epoch FROM t.created_at)::bigint, u.sub, u.username, "
	    "u.claims::text, extract(epoch FROM u.updated_at)::bigint, "
	    "t.dpop_jkt, t.resource, t.x5t_s256, t.auth_code_hash, t.family_id "
	    "FROM token t JOIN app_user u ON u.user_id = t.user_id "
	    "WHERE t.token_hash = $1 AND t.kind = 'refresh' "
	    "AND t.client_id = $2 AND t.rotated_at IS NOT NULL "
	    "AND t.revoked_at IS NULL AND u.disabled_at IS NULL "
	    "AND EXISTS (SELECT 1 FROM token n WHERE n.token_hash = $3 "
	    "AND n.family_id = t.family_id AND n.kind = 'access' "
	    "AND n.revoked_at IS NULL)", NPARAMS(3), TR__N },
	[OIDC_STMT_TOKEN_INSERT] = { "token_insert",
	    "INSERT INTO token (token_hash, kind, client_id, user_id, scope, "
	    "auth_code_hash, family_id, auth_time, acr, amr, sid, claims, "
	    "expires_at, dpop_jkt, resource, x5t_s256) VALUES ($1, $2, $3, $4, "
	    "$5, $6, $7, to_timestamp($8), $9, $10, $11, $12::jsonb, "
	    "now() + make_interval(secs => $13), $14, $15, $16)",
	    NPARAMS(16), DB_NO_COLUMNS },
	[OIDC_STMT_ACCESS_TOKEN_GET] = { "access_token_get",
	    "SELECT t.client_id, coalesce(t.user_id, 0), t.scope, "
	    "extract(epoch FROM t.auth_time)::bigint, t.acr, t.amr, t.sid, "
	    "t.claims::text, extract(epoch FROM t.expires_at)::bigint, "
	    "extract(epoch FROM t.created_at)::bigint, u.sub, u.username, "
	    "u.claims::text, extract(epoch FROM u.updated_at)::bigint, "
	    "t.dpop_jkt, t.resource, t.x5t_s256, c.secret_plain, "
	    "c.metadata::text, "
	    "c.secret_sealed "
	    "FROM token t JOIN client c ON c.client_id = t.client_id "
	    "LEFT JOIN app_user u ON u.user_id = t.user_id "
	    "WHERE t.token_hash = $1 AND t.kind = 'access' "
	    "AND t.revoked_at IS NULL AND t.expires_at > now() "
	    "AND (t.user_id IS NULL OR u.disabled_at IS NULL)",
	    NPARAMS(1), TA__N },
	[OIDC_STMT_REFRESH_ROTATE] = { "refresh_rotate",
	    "UPDATE token t SET rotated_at = now() FROM app_user u "
	    "WHERE t.token_hash = $1 AND t.kind = 'refresh' AND t.client_id = $2 "
	    "AND t.rotated_at IS NULL AND t.revoked_at IS NULL "
	    "AND t.expires_at > now() AND u.user_id = t.user_id "
	    "AND u.disabled_at IS NULL "
	    "RETURNING t.client_id, t.user_id, t.scope, "
	    "extract(epoch FROM t.auth_time)::bigint, t.acr, t.amr, t.sid, "
	    "t.claims::text, extract(epoch FROM t.expires_at)::bigint, "
	    "extract(epoch FROM t.created_at)::bigint, u.sub, u.username, "
	    "u.claims::text, extract(epoch FROM u.updated_at)::bigint, "
	    "t.dpop_jkt, t.resource, t.x5t_s256, t.auth_code_hash, t.family_id",
	    NPARAMS(2), TR__N },
	/*
	 * A refresh without rotation (FAPI 2.0 5.3.2.1, oidc/fapi.h): the
	 * live refresh token $1 of client $2, locked, refresh_rotate's
	 * columns; nothing written.
	 */
	[OIDC_STMT_REFRESH_USE] = { "refresh_use",
	    "SELECT t.client_id, t.user_id, t.scope, "
	    "extract(epoch FROM t.auth_time)::bigint, t.acr, t.amr, t.sid, "
	    "t.claims::text, extract(epoch FROM t.expires_at)::bigint, "
	    "extract(epoch FROM t.created_at)::bigint, u.sub, u.username, "
	    "u.claims::text, extract(epoch FROM u.updated_at)::bigint, "
	    "t.dpop_jkt, t.resource, t.x5t_s256, t.auth_code_hash, "
	    "t.family_id "
	    "FROM token t JOIN app_user u ON u.user_id = t.user_id "
	    "WHERE t.token_hash = $1 AND t.kind = 'refresh' "
	    "AND t.client_id = $2 AND t.rotated_at IS NULL "
	    "AND t.revoked_at IS NULL AND t.expires_at > now() "
	    "AND u.disabled_at IS NULL "
	    "FOR UPDATE OF t", NPARAMS(2), TR__N },
	/* refresh_use's row if this request's access token $3 is in its family. */
	[OIDC_STMT_REFRESH_USED_BY] = { "refresh_used_by",
	    "SELECT t.client_id, t.user_id, t.scope, "
	    "extract(epoch FROM t.auth_time)::bigint, t.acr, t.amr, t.sid, "
	    "t.claims::text, extract(epoch FROM t.expires_at)::bigint, "
	    "extract(epoch FROM t.created_at)::bigint, u.sub, u.username, "
	    "u.claims::text, extract(epoch FROM u.updated_at)::bigint, "
	    "t.dpop_jkt, t.resource, t.x5t_s256, t.auth_code_hash, "
	    "t.family_id "
	    "FROM token t JOIN app_user u ON u.user_id = t.user_id "
	    "WHERE t.token_hash = $1 AND t.kind = 'refresh' "
	    "AND t.client_id = $2 AND t.rotated_at IS NULL "
	    "AND t.revoked_at IS NULL AND t.expires_at > now() "
	    "AND u.disabled_at IS NULL "
	    "AND EXISTS (SELECT 1 FROM token n WHERE n.token_hash = $3 "
	    "AND n.family_id = t.family_id AND n.kind = 'access' "
	    "AND n.revoked_at IS NULL)", NPARAMS(3), TR__N },
	/*
	 * Lock the presented token's row before touching its family, so that
	 * concurrent reuses queue on that one row instead of deadlocking on
	 * the family's rows (a lock order: presented row, then family).
	 */
	[OIDC_STMT_REFRESH_REUSE_REVOKE] = { "refresh_reuse_revoke",
	    "WITH r AS (SELECT family_id FROM token WHERE token_hash = $1 "
	    "AND kind = 'refresh' AND client_id = $2 "
	    "AND rotated_at IS NOT NULL FOR UPDATE) "
	    "UPDATE token SET revoked_at = now() WHERE revoked_at IS NULL "
	    "AND family_id = (SELECT family_id FROM r)",
	    NPARAMS(2), DB_NO_COLUMNS },
	[OIDC_STMT_TOKEN_REVOKE] = { "token_revoke",
	    "WITH r AS (SELECT family_id, kind FROM token WHERE token_hash = $1 "
	    "AND client_id = $2 FOR UPDATE) "
	    "UPDATE token SET revoked_at = now() WHERE revoked_at IS NULL "
	    "AND ((token_hash = $1 AND client_id = $2) OR family_id = "
	    "(SELECT family_id FROM r WHERE kind = 'refresh'))",
	    NPARAMS(2), DB_NO_COLUMNS },
	[OIDC_STMT_TOKEN_INTROSPECT] = { "token_introspect",
	    "SELECT t.client_id, coalesce(t.user_id, 0), t.scope, "
	    "extract(epoch FROM t.auth_time)::bigint, t.acr, t.amr, t.sid, "
	    "t.claims::text, extract(epoch FROM t.expires_at)::bigint, "
	    "extract(epoch FROM t.created_at)::bigint, u.sub, u.username, "
	    "u.claims::text, NULL, t.dpop_jkt, t.resource, t.x5t_s256, "
	    "t.kind "
	    "FROM token t LEFT JOIN app_user u ON u.user_id = t.user_id "
	    "WHERE t.token_hash = $1 AND t.revoked_at IS NULL "
	    "AND t.expires_at > now() "
	    "AND (t.kind = 'access' OR t.rotated_at IS NULL) "
	    "AND (t.user_id IS NULL OR u.disabled_at IS NULL)",
	    NPARAMS(1), TI__N },
	[OIDC_STMT_NONCE_USE] = { "nonce_use",
	    "INSERT INTO used_nonce (client_id, nonce_hash, expires_at) "
	    "VALUES ($1, $2, now() + make_interval(secs => $3)) "
	    "ON CONFLICT DO NOTHING RETURNING 1", NPARAMS(3), V__N },
	[OIDC_STMT_JTI_USE] = { "jti_use",
	    "INSERT INTO used_jti (client_id, jti_hash, expires_at) "
	    "VALUES ($1, $2, to_timestamp($3)) ON CONFLICT DO NOTHING "
	    "RETURNING 1", NPARAMS(3), V__N },
	/*
	 * One of $1 request_uri fetch slots (issue 15 item 4): session
	 * advisory locks, so a worker that dies frees its slot with its
	 * connection.  The scan stops at the first lock taken.
	 */
	/*
	 * A DPoP proof seen (RFC 9449 11.1): 1 row when $1 (the SHA-256 of
	 * its key thumbprint and jti) is new, kept until $2 (epoch); a few
	 * expired rows go on the way, so the table stays bounded between
	 * purges.
	 */
	[OIDC_STMT_DPOP_JTI_USE] = { "dpop_jti_use",
	    "WITH d AS (DELETE FROM dpop_jti WHERE ctid = ANY(ARRAY("
	    "SELECT ctid FROM dpop_jti WHERE expires_at < now() LIMIT 8 "
	    "FOR UPDATE SKIP LOCKED))) "
	    "INSERT INTO dpop_jti (jti_hash, expires_at) "
	    "VALUES ($1, to_timestamp($2)) ON CONFLICT DO NOTHING "
	    "RETURNING 1", NPARAMS(2), V__N },
	[OIDC_STMT_FETCH_SLOT_TAKE] = { "fetch_slot_take",
	    "SELECT s FROM generate_series(0, $1::int - 1) s "
	    "WHERE pg_try_advisory_lock(" FETCH_LOCK_KEY ", s) LIMIT 1",
	    NPARAMS(1), V__N },
	[OIDC_STMT_FETCH_SLOT_GIVE] = { "fetch_slot_give",
	    "SELECT pg_advisory_unlock(" FETCH_LOCK_KEY ", $1::int)",
	    NPARAMS(1), V__N },
	[OIDC_STMT_SESSION_INSERT] = { "session_insert",
	    "INSERT INTO login_session (session_hash, user_id, sid, auth_time, "
	    "amr, expires_at, login_request) VALUES ($1, $2, $3, "
	    "to_timestamp($4), $5, now() + make_interval(secs => $6), $7)",
	    NPARAMS(7), DB_NO_COLUMNS },
	[OIDC_STMT_SESSION_GET] = { "session_get",
	    "SELECT " SESSION_COLUMNS " " SESSION_LIVE, NPARAMS(1), S__N },
	/*
	 * session_get, with the consent (scope, claims) of user and client $2
	 * (NULL, NULL: none).  Two primary-key lookups of the same row keep
	 * the session part shared with session_get.
	 */
	[OIDC_STMT_SESSION_GET_CONSENT] = { "session_get_consent",
	    "SELECT " SESSION_COLUMNS ", " CONSENT_OF("scope") ", "
	    CONSENT_OF("claims") " " SESSION_LIVE, NPARAMS(2), SC__N },
	/*
	 * The authorization endpoint's first round trip (issue 16):
	 * session_get_consent's columns for the session $1 (all NULL: no
	 * live session) and client_get's, from column 9, of client $2.  No
	 * row: no such client.  The join repeats SESSION_LIVE's conditions
	 * (a LEFT JOIN cannot take its FROM ... WHERE form).
	 */
	[OIDC_STMT_CLIENT_SESSION_GET] = { "client_session_get",
	    "SELECT " SESSION_COLUMNS ", " CONSENT_OF("scope") ", "
	    CONSENT_OF("claims") ", " CLIENT_COLUMNS " FROM client c "
	    "LEFT JOIN (login_session s JOIN app_user u "
	    "ON u.user_id = s.user_id AND u.disabled_at IS NULL) "
	    "ON s.session_hash = $1 AND s.expires_at > now() "
	    "WHERE c.client_id = $2", NPARAMS(2), CSG__N },
	[OIDC_STMT_SESSION_DELETE] = { "session_delete",
	    "DELETE FROM login_session WHERE session_hash = $1",
	    NPARAMS(1), DB_NO_COLUMNS },
	[OIDC_STMT_CONSENT_GET] = { "consent_get",
	    "SELECT scope, claims FROM consent WHERE user_id = $1 AND "
	    "client_id = $2", NPARAMS(2), CO__N },
	[OIDC_STMT_CONSENT_PUT] = { "consent_put",
	    "INSERT INTO consent (user_id, client_id, scope, claims) "
	    "VALUES ($1, $2, $3, $4) "
	    "ON CONFLICT (user_id, client_id) DO UPDATE SET scope = $3, "
	    "claims = $4, granted_at = now()", NPARAMS(4), DB_NO_COLUMNS },
	/*
	 * One login attempt per (account, address) key at a time (a
	 * transaction lock), so concurrent attempts cannot all slip under
	 * the limit.
	 */
	[OIDC_STMT_LOGIN_LOCK] = { "login_lock",
	    "SELECT pg_advisory_xact_lock(hashtext($1))", NPARAMS(1), V__N },
	/*
	 * THROTTLE of the keys $1 (free $4) and $2 (free $5), window $3:
	 * n1, wait1, n2, wait2.
	 */
	[OIDC_STMT_LOGIN_THROTTLE] = { "login_throttle",
	    "SELECT " THROTTLE("$1", "$4", "$3") ", "
	    THROTTLE("$2", "$5", "$3"), NPARAMS(5), LT__N },
	/* One failure under $1 (if not NULL; for account $3) and $2. */
	[OIDC_STMT_LOGIN_FAILURE_ADD] = { "login_failure_add",
	    "INSERT INTO login_failure (key, account) "
	    "SELECT k, a FROM (VALUES ($1::text, $3::text), "
	    "($2::text, NULL::text)) v(k, a) WHERE k IS NOT NULL",
	    NPARAMS(3), DB_NO_COLUMNS },
	/*
	 * oidcctl user unlock: every failure of the account $1, and the
	 * per-account rows written before 0006_throttle_account.sql.
	 */
	[OIDC_STMT_LOGIN_UNLOCK] = { "login_unlock",
	    "DELETE FROM login_failure WHERE account = $1 "
	    "OR key IN ('u:' || $1, 'L:u:' || $1)", NPARAMS(1), DB_NO_COLUMNS },
	/* oidcctl client unlock: the failures of client $1, all sources. */
	[OIDC_STMT_CLIENT_UNLOCK] = { "client_unlock",
	    "DELETE FROM login_failure f WHERE " CLIENT_FAILURES,
	    NPARAMS(1), DB_NO_COLUMNS },
	/* oidcctl user show: LOCK_STATE of the account $1's pairs. */
	[OIDC_STMT_LOGIN_STATE] = { "login_state",
	    LOCK_STATE("f.account = $1"), NPARAMS(3), LS__N },
	/* oidcctl client show: LOCK_STATE of the client $1's pairs. */
	[OIDC_STMT_CLIENT_AUTH_STATE] = { "client_auth_state",
	    LOCK_STATE(CLIENT_FAILURES), NPARAMS(3), LS__N },
	/* One batch over every ledger; run until it deletes nothing. */
	[OIDC_STMT_PURGE] = { "purge",
	    "WITH c AS (DELETE FROM auth_code WHERE ctid = ANY(ARRAY("
	    "SELECT ctid FROM auth_code WHERE expires_at < now() LIMIT $1)) "
	    "RETURNING 1), "
	    "k AS (DELETE FROM used_code WHERE ctid = ANY(ARRAY("
	    "SELECT ctid FROM used_code WHERE expires_at < now() LIMIT $1)) "
	    "RETURNING 1), "
	    "t AS (DELETE FROM token WHERE ctid = ANY(ARRAY("
	    "SELECT ctid FROM token WHERE expires_at < now() LIMIT $1)) "
	    "RETURNING 1), "
	    "s AS (DELETE FROM login_session WHERE ctid = ANY(ARRAY("
	    "SELECT ctid FROM login_session WHERE expires_at < now() LIMIT $1)) "
	    "RETURNING 1), "
	    "n AS (DELETE FROM used_nonce WHERE ctid = ANY(ARRAY("
	    "SELECT ctid FROM used_nonce WHERE expires_at < now() LIMIT $1)) "
	    "RETURNING 1), "
	    "j AS (DELETE FROM used_jti WHERE ctid = ANY(ARRAY("
	    "SELECT ctid FROM used_jti WHERE expires_at < now() LIMIT $1)) "
	    "RETURNING 1), "
	    "d AS (DELETE FROM dpop_jti WHERE ctid = ANY(ARRAY("
	    "SELECT ctid FROM dpop_jti WHERE expires_at < now() LIMIT $1)) "
	    "RETURNING 1), "
	    "f AS (DELETE FROM login_failure WHERE ctid = ANY(ARRAY("
	    "SELECT ctid FROM login_failure WHERE at < now() - "
	    "make_interval(secs => $2) LIMIT $1)) RETURNING 1), "
	    "v AS (DELETE FROM device_code WHERE ctid = ANY(ARRAY("
	    "SELECT ctid FROM device_code WHERE expires_at < now() LIMIT $1)) "
	    "RETURNING 1), "
	    "p AS (DELETE FROM pushed_request WHERE ctid = ANY(ARRAY("
	    "SELECT ctid FROM pushed_request WHERE expires_at < now() "
	    "LIMIT $1)) RETURNING 1) "
	    "SELECT (SELECT count(*) FROM c) + (SELECT count(*) FROM k) + "
	    "(SELECT count(*) FROM v) + (SELECT count(*) FROM p) + "
	    "(SELECT count(*) FROM t) + "
	    "(SELECT count(*) FROM s) + (SELECT count(*) FROM n) + "
	    "(SELECT count(*) FROM j) + (SELECT count(*) FROM d) + "
	    "(SELECT count(*) FROM f)",
	    NPARAMS(2), V__N },
	/*
	 * Back-Channel Logout (sql/migrations/0005_backchannel.sql).  A
	 * claim takes due rows and pushes their next attempt out by $2
	 * seconds in the same statement (the lease, and the retry backoff
	 * when the delivery fails), so concurrent senders never take the
	 * same row and a crashed sender's rows come back by themselves.
	 */
	[OIDC_STMT_SESSION_CLIENT_ADD] = { "session_client_add",
	    "INSERT INTO session_client (sid, client_id) "
	    "SELECT $1, $2 WHERE EXISTS "
	    "(SELECT 1 FROM login_session WHERE sid = $1) "
	    "ON CONFLICT DO NOTHING", NPARAMS(2), DB_NO_COLUMNS },
	[OIDC_STMT_BACKCHANNEL_TARGETS] = { "backchannel_targets",
	    "SELECT c.client_id, c.metadata::text "
	    "FROM session_client sc JOIN client c ON c.client_id = sc.client_id "
	    "WHERE sc.sid = $1 ORDER BY c.client_id", NPARAMS(1), BT__N },
	[OIDC_STMT_BACKCHANNEL_ENQUEUE] = { "backchannel_enqueue",
	    "INSERT INTO backchannel_delivery (client_id, uri, token, "
	    "expires_at) VALUES ($1, $2, $3, to_timestamp($4))",
	    NPARAMS(4), DB_NO_COLUMNS },
	[OIDC_STMT_BACKCHANNEL_CLAIM] = { "backchannel_claim",
	    "UPDATE backchannel_delivery d SET attempts = d.attempts + 1, "
	    "next_attempt_at = now() + make_interval(secs => $2 * "
	    "least(power(2, d.attempts), 12)) "
	    "WHERE d.delivery_id IN (SELECT delivery_id "
	    "FROM backchannel_delivery WHERE next_attempt_at <= now() "
	    "ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) "
	    "RETURNING d.delivery_id, d.client_id, d.uri, d.token, "
	    "d.attempts, d.expires_at <= now()", NPARAMS(2), BC__N },
	[OIDC_STMT_BACKCHANNEL_DELETE] = { "backchannel_delete",
	    "DELETE FROM backchannel_delivery WHERE delivery_id = $1",
	    NPARAMS(1), DB_NO_COLUMNS },
	/* The readiness probe's round trip (oidc/health.h): no table. */
	[OIDC_STMT_DB_PING] = { "db_ping", "SELECT 1", NPARAMS(0), V__N },
	/*
	 * Pushed authorization requests (RFC 9126, 0016_pushed_request.sql):
	 * $1 the request_uri's hash, $2 its client, $3 the parameters, $4
	 * seconds to live.  Each insert also deletes a few expired rows.
	 */
	[OIDC_STMT_PAR_INSERT] = { "par_insert",
	    "WITH x AS (DELETE FROM pushed_request WHERE ctid = ANY(ARRAY("
	    "SELECT ctid FROM pushed_request WHERE expires_at < now() "
	    "LIMIT 16))) "
	    "INSERT INTO pushed_request (uri_hash, client_id, params, "
	    "expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))",
	    NPARAMS(4), DB_NO_COLUMNS },
	/*
	 * Redeem once: only a live, unused row of the hash $1 pushed by the
	 * client $2; a second, late or foreign attempt matches nothing.
	 */
	[OIDC_STMT_PAR_REDEEM] = { "par_redeem",
	    "UPDATE pushed_request SET used = true WHERE uri_hash = $1 "
	    "AND client_id = $2 AND NOT used AND expires_at > now() "
	    "RETURNING params", NPARAMS(2), V__N },
	/*
	 * The Device Authorization Grant (RFC 8628,
	 * sql/migrations/0017_device_code.sql).  A new device code: nothing
	 * inserted (no row returned) when the user code hash $2 is taken.
	 */
	[OIDC_STMT_DEVICE_CODE_INSERT] = { "device_code_insert",
	    "INSERT INTO device_code (code_hash, user_code_hash, client_id, "
	    "scope, poll_interval, expires_at) VALUES ($1, $2, $3, $4, $5, "
	    "now() + make_interval(secs => $6)) ON CONFLICT DO NOTHING "
	    "RETURNING 1", NPARAMS(6), V__N },
	/* The /device page: a pending, live user code. */
	[OIDC_STMT_DEVICE_CODE_GET] = { "device_code_get",
	    "SELECT client_id, scope FROM device_code WHERE user_code_hash = $1 "
	    "AND status = 'pending' AND expires_at > now()",
	    NPARAMS(1), DG__N },
	/* The user's decision $2 ('approved', 'denied') on a pending code. */
	[OIDC_STMT_DEVICE_CODE_DECIDE] = { "device_code_decide",
	    "UPDATE device_code SET status = $2, user_id = $3, "
	    "auth_time = to_timestamp($4), amr = $5, sid = $6 "
	    "WHERE user_code_hash = $1 AND status = 'pending' "
	    "AND expires_at > now() AND client_id = $7",
	    NPARAMS(7), DB_NO_COLUMNS },
	/*
	 * A poll by the client $2 with the device code $1, in one statement:
	 * the row is locked, the poll recorded, a pending code polled before
	 * its interval passed gets 5 seconds more (slow_down, RFC 8628 3.5),
	 * and an approved live code of an enabled user becomes used, so its
	 * tokens are issued once.  The caller reads what it was.
	 */
	[OIDC_STMT_DEVICE_POLL] = { "device_poll",
	    "UPDATE device_code d SET last_poll = now(), "
	    "poll_interval = CASE WHEN o.fast "
	    "THEN least(d.poll_interval + 5, 3600) ELSE d.poll_interval END, "
	    "status = CASE WHEN o.status = 'approved' AND NOT o.expired "
	    "AND o.user_ok THEN 'used' ELSE d.status END "
	    "FROM (SELECT x.code_hash, x.status, x.expires_at <= now() "
	    "AS expired, x.status = 'pending' AND x.last_poll IS NOT NULL AND "
	    "now() < x.last_poll + make_interval(secs => x.poll_interval) "
	    "AS fast, u.user_id IS NOT NULL AND u.disabled_at IS NULL "
	    "AS user_ok, u.sub, u.claims, u.updated_at "
	    "FROM device_code x LEFT JOIN app_user u ON u.user_id = x.user_id "
	    "WHERE x.code_hash = $1 AND x.client_id = $2 FOR UPDATE OF x) o "
	    "WHERE d.code_hash = o.code_hash "
	    "RETURNING o.status, o.expired, o.fast, d.poll_interval, "
	    "coalesce(d.user_id, 0), d.scope, "
	    "extract(epoch FROM d.auth_time)::bigint, d.amr, d.sid, o.sub, "
	    "o.claims::text, extract(epoch FROM o.updated_at)::bigint, "
	    "o.user_ok", NPARAMS(2), DP__N },
	/*
	 * The TOTP second factor (0023_totp.sql, oidc/totp.h).  totp_use_step
	 * records step $2 only if it is later than the last one: 1 row
	 * accepted, 0 a replay (or an older code).
	 */
	[OIDC_STMT_TOTP_GET] = { "totp_get",
	    "SELECT secret_sealed, last_step FROM user_totp WHERE user_id = $1",
	    NPARAMS(1), TP__N },
	[OIDC_STMT_TOTP_USE_STEP] = { "totp_use_step",
	    "UPDATE user_totp SET last_step = $2 "
	    "WHERE user_id = $1 AND last_step < $2 RETURNING 1",
	    NPARAMS(2), V__N },
	/* Enrol (again): a new secret, and no recovery code of the old. */
	[OIDC_STMT_TOTP_ENROL] = { "totp_enrol",
	    "WITH d AS (DELETE FROM user_recovery_code WHERE user_id = $1) "
	    "INSERT INTO user_totp (user_id, secret_sealed, last_step) "
	    "VALUES ($1, $2, $3) ON CONFLICT (user_id) DO UPDATE SET "
	    "secret_sealed = EXCLUDED.secret_sealed, "
	    "last_step = EXCLUDED.last_step, created_at = now()",
	    NPARAMS(3), DB_NO_COLUMNS },
	[OIDC_STMT_TOTP_DELETE] = { "totp_delete",
	    "WITH d AS (DELETE FROM user_recovery_code WHERE user_id = $1) "
	    "DELETE FROM user_totp WHERE user_id = $1 RETURNING 1",
	    NPARAMS(1), V__N },
	[OIDC_STMT_RECOVERY_INSERT] = { "recovery_insert",
	    "INSERT INTO user_recovery_code (user_id, code_hash) "
	    "VALUES ($1, $2) ON CONFLICT DO NOTHING",
	    NPARAMS(2), DB_NO_COLUMNS },
	[OIDC_STMT_RECOVERY_USE] = { "recovery_use",
	    "DELETE FROM user_recovery_code WHERE user_id = $1 AND "
	    "code_hash = $2 RETURNING 1", NPARAMS(2), V__N },
	[OIDC_STMT_RECOVERY_COUNT] = { "recovery_count",
	    "SELECT count(*) FROM user_recovery_code WHERE user_id = $1",
	    NPARAMS(1), V__N },
	/* $5: seconds the ticket lives; a few expired rows go on the way. */
	[OIDC_STMT_PENDING_INSERT] = { "pending_insert",
	    "WITH d AS (DELETE FROM login_pending WHERE ctid = ANY(ARRAY("
	    "SELECT ctid FROM login_pending WHERE expires_at < now() LIMIT 8 "
	    "FOR UPDATE SKIP LOCKED))) "
	    "INSERT INTO login_pending (ticket_hash, user_id, login_request, "
	    "secret_sealed, expires_at) VALUES ($1, $2, $3, $4, "
	    "now() + make_interval(secs => $5))", NPARAMS(5), DB_NO_COLUMNS },
	[OIDC_STMT_PENDING_GET] = { "pending_get",
	    "SELECT p.user_id, u.sub, u.username, p.login_request, "
	    "p.secret_sealed FROM login_pending p "
	    "JOIN app_user u ON u.user_id = p.user_id "
	    "WHERE p.ticket_hash = $1 AND p.expires_at > now() AND "
	    "u.disabled_at IS NULL", NPARAMS(1), PD__N },
	[OIDC_STMT_PENDING_DELETE] = { "pending_delete",
	    "DELETE FROM login_pending WHERE ticket_hash = $1 RETURNING 1",
	    NPARAMS(1), V__N },
	/* `oidcctl user totp enroll`: the user's sessions end. */
	[OIDC_STMT_TOTP_END_SESSIONS] = { "totp_end_sessions",
	    "DELETE FROM login_session WHERE user_id = $1",
	    NPARAMS(1), DB_NO_COLUMNS },
	/* Resource indicators (RFC 8707, oidc/resource.h). */
	[OIDC_STMT_RESOURCE_GET] = { "resource_get",
	    "SELECT identifier, scope, access_token_format, "
	    "coalesce(access_token_lifetime, 0) FROM resource "
	    "WHERE identifier = $1", NPARAMS(1), RS__N },
	[OIDC_STMT_RESOURCE_INSERT] = { "resource_insert",
	    "INSERT INTO resource (identifier, scope, access_token_format, "
	    "access_token_lifetime) VALUES ($1, $2, $3, "
	    "nullif($4::integer, 0)) ON CONFLICT DO NOTHING RETURNING 1",
	    NPARAMS(4), V__N },
	[OIDC_STMT_RESOURCE_LIST] = { "resource_list",
	    "SELECT identifier, scope, access_token_format, "
	    "coalesce(access_token_lifetime, 0) FROM resource "
	    "ORDER BY identifier", NPARAMS(0), RS__N },
	[OIDC_STMT_RESOURCE_DELETE] = { "resource_delete",
	    "DELETE FROM resource WHERE identifier = $1", NPARAMS(1),
	    DB_NO_COLUMNS },
};

int
oidc_stmt_compare(const struct oidc_stmt *s, int nparams, int nfields,
    void (*report)(const char *, const char *, int, int, void *), void *arg)
{
	int	 n = 0;

	if (nparams != s->nparams) {
		report(s->name, "parameters", s->nparams, nparams, arg);
		n++;
	}
	if (nfields != s->ncols) {
		report(s->name, "columns", s->ncols, nfields, arg);
		n++;
	}
	return n;
}
