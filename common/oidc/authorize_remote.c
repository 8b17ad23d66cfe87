/*
 * authorize_remote.c: the remote_user login of the authorization endpoint
 * (oidc/remote_user.h), for authorize.c decide().  authorize_int.h.
 *
 * With login = remote_user every request to /authorize must carry the
 * web server's REMOTE_USER: the web server authenticates each request
 * (a TLS client certificate, Kerberos, LDAP, an SSO), so a request
 * without one is refused even with a session cookie, and no password page
 * is ever shown.  A live session of that same user is kept (auth_time
 * stays); a new one starts (auth_time now, amr remote_user_amr) when
 * there is none, it belongs to another user, or the request asks for a
 * re-authentication (prompt=login, max_age): the web server
 * authenticated this very request, which is the re-authentication.
 */
#include <string.h>

#include "oidc/audit.h"
#include "oidc/config.h"
#include "oidc/ctx.h"
#include "oidc/log.h"
#include "oidc/metrics.h"
#include "oidc/remote_user.h"

#include "authorize_int.h"

/*
 * No usable REMOTE_USER: login_required to the client for prompt=none,
 * else a 403 page saying why (never the password page).
 */
static int
refuse(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const struct authz *ar, const char *why,
    const char *page, struct oidc_error *err)
{
	struct oidc_audit_kv	 kv[3];

	oidc_metrics_inc(OIDC_METRIC_LOGIN_FAILED);
	kv[0] = (struct oidc_audit_kv){ "client_id", ar->client.client_id };
	kv[1] = (struct oidc_audit_kv){ "ip",
	    oidc_audit_cstr(req->client_addr) };
	kv[2] = (struct oidc_audit_kv){ "reason", oidc_audit_cstr(why) };
	oidc_audit("login.failed", kv, 3);
	if (ar->p_none)
		return oidc_authz_redirect_error(ctx, resp, ar,
		    OIDC_E_LOGIN_REQUIRED, "the web server did not "
		    "authenticate the user", err);
	return oidc_fail(err, OIDC_E_ACCESS_DENIED, page, "remote_user: %s",
	    why);
}

static void
audit_ok(const struct oidc_request *req, const struct authz *ar,
    struct oidc_str sub)
{
	struct oidc_audit_kv	 kv[4];

	oidc_metrics_inc(OIDC_METRIC_LOGIN_OK);
	kv[0] = (struct oidc_audit_kv){ "client_id", ar->client.client_id };
	kv[1] = (struct oidc_audit_kv){ "ip",
	    oidc_audit_cstr(req->client_addr) };
	kv[2] = (struct oidc_audit_kv){ "sub", sub };
	kv[3] = (struct oidc_audit_kv){ "method",
	    oidc_audit_cstr("remote_user") };
	oidc_audit("login.ok", kv, 4);
}

/* Does the live session of `name` still do (see the top)?  1, 0, -1. */
static int
session_will_do(struct oidc_ctx *ctx, const struct authz *ar,
    const struct oidc_session_row *s, const unsigned char *digest,
    bool *fresh_login, struct oidc_error *err)
{
	bool	 mismatch;
	int	 rc;

	/* A form of the page this session's login showed: still fresh. */
	*fresh_login = ar->page_post && s->has_login_request &&
	    memcmp(s->login_request, digest, OIDC_HASH_LEN) == 0;
	if ((rc = oidc_authz_must_login(ctx, ar, s, true, *fresh_login,
	    &mismatch, err)) == -1)
		return -1;
	return rc == 0;
}

int
oidc_authz_remote_user(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const struct authz *ar,
    struct oidc_session_row *s, bool *has_session, bool *fresh_login,
    struct oidc_error *err)
{
	struct oidc_user_row	 u;
	struct oidc_str		 name;
	enum oidc_remote_user	 r;
	unsigned char		 digest[OIDC_HASH_LEN];
	int			 rc;

	if ((r = oidc_remote_user_name(req, &name)) != OIDC_REMOTE_USER_OK) {
		oidc_log(OIDC_LOG_INFO, "msg=\"login = remote_user and %s\"",
		    r == OIDC_REMOTE_USER_ABSENT ? "no REMOTE_USER (is the web "
		    "server set to authenticate /authorize?)" :
		    "REMOTE_USER is malformed");
		return refuse(ctx, req, resp, ar, r == OIDC_REMOTE_USER_ABSENT ?
		    "no_remote_user" : "bad_remote_user", "This site signs "
		    "you in through its web server, which did not "
		    "authenticate you (for example no client certificate was "
		    "presented). Sign in to the web server and try again.",
		    err);
	}
	if (oidc_authz_request_digest(ctx, ar, digest, err) == -1)
		return -1;
	if (*has_session && oidc_str_eq(s->username, name) &&
	    (rc = session_will_do(ctx, ar, s, digest, fresh_login, err)) != 0)
		return rc;
	if (oidc_db_begin(ctx->db, err) == -1 ||
	    oidc_remote_user_login(ctx, req, name, &r, &u, err) == -1)
		return -1;
	if (r != OIDC_REMOTE_USER_OK) {
		oidc_db_rollback(ctx->db);
		return refuse(ctx, req, resp, ar, "disabled", "This account is "
		    "disabled.", err);
	}
	if (oidc_session_start(ctx, resp, u.user_id, u.sub,
	    ctx->cfg->remote_user_amr != NULL ? ctx->cfg->remote_user_amr : "",
	    digest, s, err) == -1 || oidc_db_commit(ctx->db, err) == -1)
		return -1;
	audit_ok(req, ar, u.sub);
	s->username = u.username;
	*has_session = *fresh_login = true;
	return 1;
}
