/*
 * stmt.c: every SQL statement the server and oidcctl can run.  Parameters
 * only; reviewers can read every query here.  Column positions are the
 * order of the SELECT lists below (the callers' comments name them).
 */
#include "db_int.h"

const struct oidc_stmt oidc_stmts[OIDC_STMT__MAX] = {
	[OIDC_STMT_CLIENT_GET] = { "client_get",
	    "SELECT client_id, secret_hash, secret_plain, metadata::text, "
	    "first_party FROM client WHERE client_id = $1", 1 },
	[OIDC_STMT_CLIENT_INSERT] = { "client_insert",
	    "INSERT INTO client (client_id, secret_hash, secret_plain, "
	    "metadata, first_party) VALUES ($1, $2, $3, $4::jsonb, $5) "
	    "ON CONFLICT (client_id) DO NOTHING RETURNING client_id", 5 },
	[OIDC_STMT_CLIENT_UPDATE] = { "client_update",
	    "UPDATE client SET secret_hash = $2, secret_plain = $3, "
	    "metadata = $4::jsonb, first_party = $5, updated_at = now() "
	    "WHERE client_id = $1", 5 },
	[OIDC_STMT_CLIENT_DELETE] = { "client_delete",
	    "DELETE FROM client WHERE client_id = $1", 1 },
	[OIDC_STMT_CLIENT_LIST] = { "client_list",
	    "SELECT client_id, NULL, NULL, metadata::text, first_party "
	    "FROM client ORDER BY client_id", 0 },
	[OIDC_STMT_USER_GET_BY_NAME] = { "user_get_by_name",
	    "SELECT user_id, username, sub, password_hash, claims::text, "
	    "disabled_at IS NOT NULL, extract(epoch FROM updated_at)::bigint "
	    "FROM app_user WHERE username = $1", 1 },
	[OIDC_STMT_USER_GET_BY_SUB] = { "user_get_by_sub",
	    "SELECT user_id, username, sub, password_hash, claims::text, "
	    "disabled_at IS NOT NULL, extract(epoch FROM updated_at)::bigint "
	    "FROM app_user WHERE sub = $1", 1 },
	[OIDC_STMT_USER_INSERT] = { "user_insert",
	    "INSERT INTO app_user (username, sub, password_hash, claims) "
	    "VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (username) DO NOTHING "
	    "RETURNING user_id", 4 },
	[OIDC_STMT_USER_SET_CLAIMS] = { "user_set_claims",
	    "UPDATE app_user SET claims = $2::jsonb, updated_at = now() "
	    "WHERE username = $1", 2 },
	[OIDC_STMT_USER_SET_PASSWORD] = { "user_set_password",
	    "UPDATE app_user SET password_hash = $2, updated_at = now() "
	    "WHERE username = $1", 2 },
	[OIDC_STMT_USER_SET_DISABLED] = { "user_set_disabled",
	    "UPDATE app_user SET disabled_at = CASE WHEN $2::boolean "
	    "THEN coalesce(disabled_at, now()) END, updated_at = now() "
	    "WHERE username = $1", 2 },
	[OIDC_STMT_USER_DELETE] = { "user_delete",
	    "DELETE FROM app_user WHERE username = $1", 1 },
	[OIDC_STMT_USER_LIST] = { "user_list",
	    "SELECT user_id, username, sub, NULL, claims::text, "
	    "disabled_at IS NOT NULL, extract(epoch FROM updated_at)::bigint "
	    "FROM app_user ORDER BY username", 0 },
};
