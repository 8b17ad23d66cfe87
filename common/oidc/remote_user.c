/*
 * remote_user.c: users authenticated by the web server (see
 * oidc/remote_user.h).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/client.h"
#include "oidc/config.h"
#include "oidc/crypto.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/json.h"
#include "oidc/log.h"
#include "oidc/remote_user.h"
#include "oidc/request.h"

/* UTF-8 without C0 controls or DEL. */
static bool
is_text(struct oidc_str s)
{
	size_t	 i;

	for (i = 0; i < s.len; i++)
		if ((unsigned char)s.p[i] < 0x20 || s.p[i] == 0x7f)
			return false;
	return oidc_str_is_utf8(s.p, s.len);
}

enum oidc_login_mode
oidc_login_mode_of(const struct oidc_config *cfg,
    const struct oidc_client *client)
{
	switch (client->login) {
	case OIDC_CLIENT_LOGIN_PASSWORD:
		return OIDC_LOGIN_PASSWORD;
	case OIDC_CLIENT_LOGIN_REMOTE_USER:
		return OIDC_LOGIN_REMOTE_USER;
	default:
		return cfg->login;
	}
}

enum oidc_remote_user
oidc_remote_user_name(const struct oidc_request *req, struct oidc_str *name)
{
	int	 rc;

	rc = oidc_request_env(req, "REMOTE_USER", OIDC_REMOTE_USER_MAX_NAME,
	    name);
	if (rc == 0)
		return OIDC_REMOTE_USER_ABSENT;
	if (rc == -1 || !is_text(*name))
		return OIDC_REMOTE_USER_REFUSED;
	return OIDC_REMOTE_USER_OK;
}

const char *
oidc_remote_user_claims(struct oidc_arena *a, const struct oidc_config *cfg,
    const struct oidc_request *req, struct oidc_error *err)
{
	struct oidc_json	*j;
	struct oidc_str		 v;
	size_t			 i;
	int			 rc;

	if ((j = oidc_json_new_object(a)) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "json");
		return NULL;
	}
	for (i = 0; i < cfg->n_remote_user_claims; i++) {
		rc = oidc_request_env(req, cfg->remote_user_claims[i].var,
		    OIDC_REMOTE_USER_MAX_VALUE, &v);
		if (rc == 0)
			continue;
		if (rc == -1 || !is_text(v)) {
			oidc_log(OIDC_LOG_WARN, "msg=\"remote_user_claims: "
			    "variable ignored (over %d bytes, or not text)\" "
			    "var=%s", OIDC_REMOTE_USER_MAX_VALUE,
			    cfg->remote_user_claims[i].var);
			continue;
		}
		if (oidc_json_set_str(j, cfg->remote_user_claims[i].claim, v.p,
		    v.len, err) == -1)
			return NULL;
	}
	return oidc_json_serialize(j, a, NULL, err);
}

int
oidc_remote_user_login(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_str name, enum oidc_remote_user *result,
    struct oidc_user_row *u, struct oidc_error *err)
{
	const char	*claims, *sub;

	*result = OIDC_REMOTE_USER_REFUSED;
	/* The sub of a new user; an existing one keeps its own. */
	if ((claims = oidc_remote_user_claims(ctx->a, ctx->cfg, req,
	    err)) == NULL ||
	    (sub = oidc_random_token(ctx->a, 16, err)) == NULL)
		return -1;
	if (oidc_db_user_remote_upsert(ctx->db, ctx->a, name,
	    (struct oidc_str){ sub, strlen(sub) },
	    (struct oidc_str){ claims, strlen(claims) }, u, err) == -1)
		return -1;
	if (u->disabled) {
		oidc_log(OIDC_LOG_INFO, "msg=\"remote_user login refused: "
		    "user disabled\" user=\"%s\"",
		    oidc_log_safe(ctx->a, name.p, name.len));
		return 0;
	}
	*result = OIDC_REMOTE_USER_OK;
	return 0;
}
