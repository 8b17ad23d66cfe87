/*
 * device_page.c: the verification page of the Device Authorization Grant
 * (RFC 8628 3.3; oidc/device.h), served by authorize.fcgi at /device with
 * the login session, CSRF token and sign-in throttling of the
 * authorization endpoint's pages (oidc/session.h), in their layout
 * (oidc/html.h).
 *
 * Steps, each a form posting back to /device with the user code and the
 * CSRF token: the code (action=code), the sign-in when there is no
 * session (action=login), the confirmation naming the client and what it
 * asks for (action=confirm, decision=allow|deny), then the outcome.  Every
 * POST checks the code again; a code that is malformed, unknown, expired
 * or already decided counts as a failure under "d:ADDR" (login_failure);
 * past login_max_failures within login_window the address waits, as a
 * sign-in does, and its entries are refused unchecked (429).
 *
 * The sign-in of a user whose second step is due (oidc/totp.h) asks for
 * it as the authorization endpoint does (oidc/totp_step.h): after the
 * password a code page (totp.html) posting action=totp with the user
 * code, the CSRF token and a pending login's ticket bound to the user
 * code; a good code or recovery code starts the session with amr
 * "pwd otp", then the confirmation.  With totp = required a user without
 * an authenticator is refused here: enrolment is on the authorization
 * endpoint's pages only.
 *
 * A client whose users sign in through the web server (login =
 * remote_user, oidc/remote_user.h) gets no password form: the request's
 * REMOTE_USER is the user (a session of another user is replaced), and
 * without one the page is a 403, as at the authorization endpoint.
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/audit.h"
#include "oidc/client.h"
#include "oidc/config.h"
#include "oidc/crypto.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/device.h"
#include "oidc/html.h"
#include "oidc/remote_user.h"
#include "oidc/request.h"
#include "oidc/response.h"
#include "oidc/scope.h"
#include "oidc/session.h"
#include "oidc/totp.h"
#include "oidc/totp_step.h"
#include "oidc/ui.h"

/* What one POST is about: the code, its row and client. */
struct dev {
	char			 code[OIDC_DEVICE_USER_CODE_LEN + 1];
	unsigned char		 hash[OIDC_SHA256_LEN];
	struct oidc_device_row	 row;
	struct oidc_client	 client;
};

static struct oidc_str
cs(const char *s)
{
	return s == NULL ? OIDC_STR_NULL : (struct oidc_str){ s, strlen(s) };
}

/*
 * One of the page's forms (oidc/ui.h): rendered with vars plus action,
 * fields (the CSRF token, the user code when known) and error (a message
 * key of oidc/ui.h, in the page's language).
 */
static int
page(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, int status, enum oidc_ui_page which,
    const struct dev *d, const char *error,
    const struct oidc_html_var *extra, size_t nextra, const char *ticket,
    struct oidc_error *err)
{
	struct oidc_html_var	 vars[9];
	struct oidc_buf		 fields, ebuf;
	const char		*csrf, *action, *shown = NULL;
	size_t			 n = 0, i;

	oidc_buf_init(&fields, ctx->a, 4096);
	oidc_buf_init(&ebuf, ctx->a, 1024);
	if ((csrf = oidc_csrf_token(ctx, req, resp, err)) == NULL ||
	    oidc_html_hidden(&fields, "csrf", csrf, err) == -1)
		return -1;
	if (d != NULL && ((shown = oidc_device_user_code_show(ctx,
	    d->code)) == NULL || oidc_html_hidden(&fields, "user_code", shown,
	    err) == -1))
		return -1;
	if (ticket != NULL && oidc_html_hidden(&fields, "ticket", ticket,
	    err) == -1)
		return -1;
	if (error != NULL) {
		const struct oidc_html_var ev[] = {
			{ "e", cs(oidc_ui_msg(resp->ui_lang, error)) } };
		if (oidc_html_render(&ebuf, "<p class=\"error\" role=\"alert\">"
		    "{{e}}</p>\n", ev, 1, err) == -1)
			return -1;
	}
	if ((action = oidc_arena_printf(ctx->a, "%s/device",
	    ctx->cfg->issuer)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	vars[n++] = (struct oidc_html_var){ "action", cs(action) };
	vars[n++] = (struct oidc_html_var){ "fields", oidc_buf_str(&fields) };
	vars[n++] = (struct oidc_html_var){ "error", oidc_buf_str(&ebuf) };
	if (d != NULL) {
		vars[n++] = (struct oidc_html_var){ "client",
		    d->client.client_name.p != NULL ? d->client.client_name :
		    d->client.client_id };
		vars[n++] = (struct oidc_html_var){ "code", cs(shown) };
	}
	for (i = 0; i < nextra && n < OIDC_NELEM(vars); i++)
		vars[n++] = extra[i];
	return oidc_ui_respond(resp, status, NULL, which, vars, n, err);
}

/* The code entry form, with the code as typed (query or form). */
static int
code_page(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, int status, const char *error,
    struct oidc_error *err)
{
	const struct oidc_html_var v[] = {
		{ "code", oidc_request_param(req, "user_code") } };

	return page(ctx, req, resp, status, OIDC_UI_DEVICE_CODE, NULL, error,
	    v, 1, NULL, err);
}

/* The outcome: title and text are message keys. */
static int
outcome_page(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const char *title, const char *text,
    struct oidc_error *err)
{
	const struct oidc_html_var v[] = {
		{ "title", cs(oidc_ui_msg(resp->ui_lang, title)) },
		{ "text", cs(oidc_ui_msg(resp->ui_lang, text)) } };

	return page(ctx, req, resp, 200, OIDC_UI_DEVICE_DONE, NULL, NULL, v,
	    2, NULL, err);
}

static void
audit_device(const struct oidc_request *req, const char *event,
    struct oidc_str client_id, struct oidc_str sub)
{
	struct oidc_audit_kv	 kv[3];

	kv[0] = (struct oidc_audit_kv){ "client_id", client_id };
	kv[1] = (struct oidc_audit_kv){ "ip",
	    oidc_audit_cstr(req->client_addr) };
	kv[2] = (struct oidc_audit_kv){ "sub", sub };
	oidc_audit(event, kv, sub.p != NULL ? 3 : 2);
}

/*
 * The user code of the form, checked under the throttle: 1 with *d
 * filled, 0 with the code page built (throttled, or a bad code, which is
 * recorded), -1.
 */
static int
find_code(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct dev *d, struct oidc_error *err)
{
	struct oidc_str		 typed = oidc_params_get(&req->form,
				    "user_code");
	struct oidc_throttle	 t1, t2;
	const char		*key;
	int			 rc = 0;

	if ((key = oidc_arena_printf(ctx->a, "d:%s", req->client_addr)) ==
	    NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	if (oidc_db_login_throttle(ctx->db, key, key, ctx->cfg->login_window,
	    ctx->cfg->login_max_failures, ctx->cfg->login_max_failures, false,
	    &t1, &t2, err) == -1)
		return -1;
	if (t1.wait > 0) {
		audit_device(req, "device.throttled", OIDC_STR_NULL,
		    OIDC_STR_NULL);
		return code_page(ctx, req, resp, 429, "device_code_throttled",
		    err);
	}
	if (oidc_device_user_code_norm(typed.p, typed.len, d->code) == 0 &&
	    (oidc_sha256(d->code, OIDC_DEVICE_USER_CODE_LEN, d->hash,
	    err) == -1 || (rc = oidc_db_device_code_get(ctx->db, ctx->a,
	    d->hash, &d->row, err)) == -1))
		return -1;
	if (rc == 1 && (rc = oidc_client_load(ctx->db, ctx->a,
	    d->row.client_id, &d->client, err)) == -1)
		return -1;
	if (rc == 1)
		return 1;
	if (oidc_db_login_failure_add(ctx->db, NULL, key, NULL, err) == -1)
		return -1;
	return code_page(ctx, req, resp, 400, "device_code_bad", err);
}

static int
confirm_page(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const struct dev *d, struct oidc_str user,
    struct oidc_error *err)
{
	const struct oidc_html_var v[] = {
		{ "scope", d->row.scope.len > 0 ? d->row.scope :
		    cs(oidc_ui_msg(resp->ui_lang, "device_scope_none")) },
		{ "user", user } };

	return page(ctx, req, resp, 200, OIDC_UI_DEVICE_CONFIRM, d, NULL, v,
	    2, NULL, err);
}

static int
login_page(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const struct dev *d, const char *error,
    int status, struct oidc_error *err)
{
	return page(ctx, req, resp, status, OIDC_UI_DEVICE_LOGIN, d, error,
	    NULL, 0, NULL, err);
}

/* The second step's code page (totp.html), carrying the ticket. */
static int
totp_page(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const struct dev *d, const char *ticket,
    const char *error, int status, struct oidc_error *err)
{
	return page(ctx, req, resp, status, OIDC_UI_TOTP, d, error, NULL, 0,
	    ticket, err);
}

/*
 * What a pending login of this page is bound to (oidc/totp_step.h): the
 * SHA-256 of "device" NUL user code, never an authorization request's
 * digest.
 */
static int
bind_of(const struct dev *d, unsigned char out[OIDC_HASH_LEN],
    struct oidc_error *err)
{
	char	 b[sizeof("device") + OIDC_DEVICE_USER_CODE_LEN];

	memcpy(b, "device", sizeof("device"));
	memcpy(b + sizeof("device"), d->code, OIDC_DEVICE_USER_CODE_LEN);
	return oidc_sha256(b, sizeof(b), out, err);
}

/* A message key (oidc/ui.h). */
static const char TOTP_FIRST[] = "device_totp_first";

/*
 * A good password of a user whose second step is due, in the sign-in's
 * transaction: the code page with a new pending login, or (totp =
 * required, no authenticator: enrolment is the authorization endpoint's)
 * the sign-in page saying so.  0 or -1.
 */
static int
second_step(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const struct dev *d, int64_t user_id,
    struct oidc_str sub, struct oidc_error *err)
{
	struct oidc_totp_row	 t;
	unsigned char		 bind[OIDC_HASH_LEN];
	const char		*ticket;
	int			 rc;

	if ((rc = oidc_db_totp_get(ctx->db, ctx->a, user_id, &t, err)) == -1)
		return -1;
	if (rc == 0) {
		oidc_db_rollback(ctx->db);
		return login_page(ctx, req, resp, d, TOTP_FIRST, 200, err);
	}
	if (bind_of(d, bind, err) == -1 || oidc_totp_pending_new(ctx,
	    user_id, bind, NULL, 0, &ticket, err) == -1 ||
	    oidc_db_commit(ctx->db, err) == -1)
		return -1;
	/* As at the authorization endpoint: the password step passed. */
	audit_device(req, "login.ok", d->client.client_id, sub);
	return totp_page(ctx, req, resp, d, ticket, NULL, 200, err);
}

/* action=login: 1 signed in (*s), 0 the login page again, -1. */
static int
sign_in(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const struct dev *d,
    struct oidc_session_row *s, struct oidc_error *err)
{
	struct oidc_str		 sub = OIDC_STR_NULL;
	enum oidc_login_result	 lr;
	int64_t			 user_id;
	int			 rc;

	if (oidc_db_begin(ctx->db, err) == -1 || oidc_login_check(ctx, req,
	    oidc_params_get(&req->form, "username"), oidc_params_get(&req->form,
	    "password"), &lr, &user_id, &sub, err) == -1)
		return -1;
	if (lr != OIDC_LOGIN_OK) {
		if (oidc_db_commit(ctx->db, err) == -1)
			return -1;
		audit_device(req, "login.failed", d->client.client_id,
		    OIDC_STR_NULL);
		return login_page(ctx, req, resp, d, lr == OIDC_LOGIN_THROTTLED ?
		    "login_throttled" : "login_failed",
		    lr == OIDC_LOGIN_THROTTLED ? 429 : 200, err);
	}
	if ((rc = oidc_totp_due(ctx, user_id, err)) != 0)
		return rc == -1 ? -1 : second_step(ctx, req, resp, d, user_id,
		    sub, err);
	if (oidc_session_start(ctx, resp, user_id, sub, "pwd", NULL, s,
	    err) == -1 ||
	    oidc_db_commit(ctx->db, err) == -1)
		return -1;
	audit_device(req, "login.ok", d->client.client_id, sub);
	s->username = oidc_params_get(&req->form, "username");
	return 1;
}

/*
 * login = remote_user: the web server's user, never a password.  1 signed
 * in (*s: the live session when it is that user's), -1 (a 403 page).
 */
static int
remote_sign_in(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const struct dev *d, bool has,
    struct oidc_session_row *s, struct oidc_error *err)
{
	struct oidc_user_row	 u;
	struct oidc_str		 name;
	enum oidc_remote_user	 r;

	if (oidc_remote_user_name(req, &name) != OIDC_REMOTE_USER_OK) {
		audit_device(req, "login.failed", d->client.client_id,
		    OIDC_STR_NULL);
		return oidc_fail(err, OIDC_E_ACCESS_DENIED, "This site signs "
		    "you in through its web server, which did not "
		    "authenticate you. Sign in to the web server and try "
		    "again.", "remote_user: none at /device");
	}
	if (has && oidc_str_eq(s->username, name))
		return 1;
	if (oidc_db_begin(ctx->db, err) == -1 ||
	    oidc_remote_user_login(ctx, req, name, &r, &u, err) == -1)
		return -1;
	if (r != OIDC_REMOTE_USER_OK) {
		oidc_db_rollback(ctx->db);
		audit_device(req, "login.failed", d->client.client_id,
		    OIDC_STR_NULL);
		return oidc_fail(err, OIDC_E_ACCESS_DENIED, "This account is "
		    "disabled.", "remote_user: disabled at /device");
	}
	if (oidc_session_start(ctx, resp, u.user_id, u.sub,
	    ctx->cfg->remote_user_amr != NULL ? ctx->cfg->remote_user_amr : "",
	    NULL, s, err) == -1 || oidc_db_commit(ctx->db, err) == -1)
		return -1;
	audit_device(req, "login.ok", d->client.client_id, u.sub);
	s->username = u.username;
	return 1;
}

/*
 * action=totp: the code page's answer.  1 signed in (*s), 0 a page, -1.
 */
static int
totp_posted(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const struct dev *d,
    struct oidc_session_row *s, struct oidc_error *err)
{
	struct oidc_totp_try	 tt;
	enum oidc_totp_answer	 ans;
	unsigned char		 bind[OIDC_HASH_LEN];
	int64_t			 step;

	if (bind_of(d, bind, err) == -1 || oidc_totp_answer(ctx, req, bind,
	    d->client.client_id, &tt, &step, &ans, err) == -1)
		return -1;
	switch (ans) {
	case OIDC_TOTP_EXPIRED:
		return login_page(ctx, req, resp, d, "login_expired", 200, err);
	case OIDC_TOTP_THROTTLED:
		return totp_page(ctx, req, resp, d, tt.ticket,
		    "login_throttled", 429, err);
	case OIDC_TOTP_WRONG:
		return totp_page(ctx, req, resp, d, tt.ticket, "totp_failed",
		    200, err);
	case OIDC_TOTP_GOOD:
		break;
	}
	if (tt.p.secret_sealed != NULL) {
		/* Not this page's (it starts no enrolment). */
		oidc_db_rollback(ctx->db);
		return login_page(ctx, req, resp, d, "login_expired", 200, err);
	}
	if (oidc_session_start(ctx, resp, tt.p.user_id, tt.p.sub, "pwd otp",
	    NULL, s, err) == -1 || oidc_db_commit(ctx->db, err) == -1)
		return -1;
	oidc_totp_audit(req, d->client.client_id, &tt, "totp.ok");
	s->username = tt.p.username;
	return 1;
}

/* action=confirm with a session: record the decision, show the outcome. */
static int
decide(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const struct dev *d,
    const struct oidc_session_row *s, struct oidc_error *err)
{
	bool	 allow = oidc_str_eq_cstr(oidc_params_get(&req->form,
		    "decision"), "allow");
	int	 rc;

	if ((rc = oidc_db_device_code_decide(ctx->db, d->hash,
	    d->client.client_id, allow, s, err)) == -1)
		return -1;
	if (rc == 0)
		return code_page(ctx, req, resp, 400, "device_code_used", err);
	audit_device(req, allow ? "device.approved" : "device.denied",
	    d->client.client_id, s->sub);
	if (!allow)
		return outcome_page(ctx, req, resp, "device_denied_title",
		    "device_denied_text", err);
	return outcome_page(ctx, req, resp, "device_allowed_title",
	    "device_allowed_text", err);
}

static int
posted(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct oidc_error *err)
{
	struct oidc_str		 action = oidc_params_get(&req->form,
				    "action");
	struct oidc_session_row	 s;
	struct dev		 d;
	int			 rc, has;

	/* SECURITY: our own forms only (double-submit CSRF token). */
	if (!oidc_csrf_ok(ctx, req, oidc_params_get(&req->form, "csrf")))
		return code_page(ctx, req, resp, 400, "form_expired", err);
	memset(&d, 0, sizeof(d));
	if ((rc = find_code(ctx, req, resp, &d, err)) != 1)
		return rc;
	if ((has = oidc_session_current(ctx, req, &s, err)) == -1)
		return -1;
	if (oidc_login_mode_of(ctx->cfg, &d.client) ==
	    OIDC_LOGIN_REMOTE_USER) {
		if (remote_sign_in(ctx, req, resp, &d, has == 1, &s, err) == -1)
			return -1;
		has = 1;
	} else {
		/* A password session lacking a due second step does not count. */
		if (has == 1 && (has = oidc_totp_session_ok(ctx, &s,
		    err)) == -1)
			return -1;
		if (oidc_str_eq_cstr(action, "login") ||
		    (oidc_str_eq_cstr(action, "totp") &&
		    ctx->cfg->totp != OIDC_TOTP_OFF)) {
			rc = oidc_str_eq_cstr(action, "login") ?
			    sign_in(ctx, req, resp, &d, &s, err) :
			    totp_posted(ctx, req, resp, &d, &s, err);
			if (rc != 1)
				return rc;
			return confirm_page(ctx, req, resp, &d, s.username,
			    err);
		}
	}
	if (has == 0)
		return login_page(ctx, req, resp, &d, NULL, 200, err);
	if (oidc_str_eq_cstr(action, "confirm"))
		return decide(ctx, req, resp, &d, &s, err);
	return confirm_page(ctx, req, resp, &d, s.username, err);
}

int
oidc_device_page(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct oidc_error *err)
{
	if (!ctx->cfg->device_grant)
		return oidc_fail(err, OIDC_E_NOT_FOUND, "Not found.",
		    "device grant off");
	if (req->method == OIDC_METHOD_POST)
		return posted(ctx, req, resp, err);
	return code_page(ctx, req, resp, 200, NULL, err);
}
