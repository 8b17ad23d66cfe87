/*
 * logout.c: RP-Initiated Logout (see oidc/logout.h).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/backchannel.h"
#include "oidc/buf.h"
#include "oidc/client.h"
#include "oidc/config.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/html.h"
#include "oidc/json.h"
#include "oidc/jwk.h"
#include "oidc/jws.h"
#include "oidc/logout.h"
#include "oidc/request.h"
#include "oidc/response.h"
#include "oidc/session.h"
#include "oidc/subject.h"
#include "oidc/ui.h"

static const char *const carried[] = { "id_token_hint", "logout_hint",
    "client_id", "post_logout_redirect_uri", "state", "ui_locales" };

struct logout {
	const struct oidc_params	*p;
	struct oidc_str			 hint_sub;
	struct oidc_str			*hint_aud;
	size_t				 n_hint_aud;
	struct oidc_str			 client_id;
	struct oidc_str			 post_uri;	/* validated */
	bool				 approved;	/* post_uri's client */
	struct oidc_str			 state;
};

static int
bad(struct oidc_error *err, const char *desc)
{
	return oidc_fail(err, OIDC_E_INVALID_REQUEST, desc, "%s", desc);
}

/* Our own ID Token, signature checked, expiry ignored (section 2). */
static int
read_hint(struct oidc_ctx *ctx, struct logout *lo, struct oidc_str hint,
    struct oidc_error *err)
{
	struct oidc_error	 why = { 0 };
	struct oidc_jws		 jws;
	struct oidc_json	*claims;
	struct oidc_str		 iss;

	if (hint.len > OIDC_JWS_MAX_LEN ||
	    oidc_jws_verify(ctx->a, ctx->keys, OIDC_JWS_ALL &
	    ~(OIDC_JWS_BIT(OIDC_JWS_HS256) | OIDC_JWS_BIT(OIDC_JWS_HS384) |
	    OIDC_JWS_BIT(OIDC_JWS_HS512)), hint.p, hint.len, &jws, &why) == -1 ||
	    oidc_json_parse(ctx->a, (const char *)jws.payload, jws.payload_len,
	    0, &claims, &why) == -1 ||
	    oidc_json_get_str(claims, "iss", &iss, &why) != 1 ||
	    !oidc_str_eq_cstr(iss, ctx->cfg->issuer) ||
	    oidc_json_get_str(claims, "sub", &lo->hint_sub, &why) != 1 ||
	    oidc_json_get_str_list(claims, "aud", true, ctx->a, &lo->hint_aud,
	    &lo->n_hint_aud, &why) != 1)
		return bad(err, "id_token_hint is not a valid ID Token of this "
		    "provider.");
	return 0;
}

static bool
aud_has(const struct logout *lo, struct oidc_str id)
{
	size_t	 i;

	for (i = 0; i < lo->n_hint_aud; i++)
		if (oidc_str_eq(lo->hint_aud[i], id))
			return true;
	return false;
}

static int
validate(struct oidc_ctx *ctx, struct logout *lo, struct oidc_error *err)
{
	struct oidc_client	 c;
	struct oidc_str		 hint = oidc_params_get(lo->p, "id_token_hint");
	struct oidc_str		 uri = oidc_params_get(lo->p,
				    "post_logout_redirect_uri");
	int			 rc;

	lo->state = oidc_params_get(lo->p, "state");
	if (lo->state.p != NULL && (lo->state.len > 2048 ||
	    !oidc_str_is_vschar(lo->state.p, lo->state.len)))
		return bad(err, "state is not printable ASCII.");
	if (hint.p != NULL && read_hint(ctx, lo, hint, err) == -1)
		return -1;
	lo->client_id = oidc_params_get(lo->p, "client_id");
	if (lo->client_id.p != NULL && hint.p != NULL &&
	    !aud_has(lo, lo->client_id))
		return bad(err, "client_id does not match id_token_hint.");
	if (lo->client_id.p == NULL && lo->n_hint_aud == 1)
		lo->client_id = lo->hint_aud[0];
	if (uri.p == NULL)
		return 0;
	/* SECURITY: never redirect to an unregistered URI. */
	if (lo->client_id.p == NULL)
		return bad(err, "post_logout_redirect_uri needs client_id or "
		    "id_token_hint.");
	if ((rc = oidc_client_load(ctx->db, ctx->a, lo->client_id, &c,
	    err)) == -1)
		return -1;
	if (rc == 0 || !oidc_client_post_logout_uri_ok(&c, uri))
		return bad(err, "post_logout_redirect_uri is not registered "
		    "for this client.");
	lo->post_uri = uri;
	lo->approved = c.approved;
	return 0;
}

static int
confirm_page(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const struct logout *lo,
    struct oidc_error *err)
{
	struct oidc_buf	 fields;
	struct oidc_str	 v;
	const char	*csrf, *action;
	size_t		 i;

	oidc_buf_init(&fields, ctx->a, 32 * 1024);
	for (i = 0; i < OIDC_NELEM(carried); i++) {
		v = oidc_params_get(lo->p, carried[i]);
		if (v.p != NULL &&
		    oidc_html_hidden(&fields, carried[i], v.p, err) == -1)
			return -1;
	}
	if ((csrf = oidc_csrf_token(ctx, req, resp, err)) == NULL ||
	    oidc_html_hidden(&fields, "csrf", csrf, err) == -1)
		return -1;
	if ((action = oidc_arena_printf(ctx->a, "%s/end_session",
	    ctx->cfg->issuer)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	const struct oidc_html_var vars[] = {
		{ "issuer", { ctx->cfg->issuer, ctx->cfg->issuer_len } },
		{ "action", { action, strlen(action) } },
		{ "fields", oidc_buf_str(&fields) },
	};
	return oidc_ui_respond(resp, 200,
	    oidc_resp_page_csp(ctx->a, lo->post_uri), OIDC_UI_LOGOUT, vars,
	    OIDC_NELEM(vars), err);
}

static int
finish(struct oidc_ctx *ctx, struct oidc_response *resp,
    const struct logout *lo, struct oidc_error *err)
{
	struct oidc_buf	 b;

	if (lo->post_uri.p == NULL) {
		const struct oidc_html_var vars[] = {
			{ "issuer", { ctx->cfg->issuer, ctx->cfg->issuer_len } },
		};
		return oidc_ui_respond(resp, 200, NULL, OIDC_UI_LOGGED_OUT,
		    vars, 1, err);
	}
	oidc_buf_init(&b, ctx->a, 8192);
	if (oidc_buf_append(&b, lo->post_uri.p, lo->post_uri.len, err) == -1)
		return -1;
	if (lo->state.p != NULL &&
	    (oidc_buf_putc(&b, memchr(lo->post_uri.p, '?', lo->post_uri.len) ?
	    '&' : '?', err) == -1 ||
	    oidc_buf_puts(&b, "state=", err) == -1 ||
	    oidc_buf_urlencode(&b, lo->state.p, lo->state.len, err) == -1))
		return -1;
	/* SECURITY: no open redirect through registration (authorize.c). */
	if (!lo->approved)
		return oidc_html_leaving(resp, oidc_buf_str(&b), OIDC_STR_NULL,
		    err);
	return oidc_resp_redirect(resp, oidc_buf_str(&b), err);
}

int
oidc_logout_handle(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct oidc_error *err)
{
	struct oidc_session_row	 s;
	struct logout		 lo;
	struct oidc_str		 action;
	bool			 confirmed = false;
	int			 rc, hint_ok = 0;

	memset(&lo, 0, sizeof(lo));
	lo.p = req->method == OIDC_METHOD_POST ? &req->form : &req->query;
	if (validate(ctx, &lo, err) == -1)
		return -1;
	action = oidc_params_get(lo.p, "action");
	if (req->method == OIDC_METHOD_POST &&
	    oidc_str_eq_cstr(action, "logout")) {
		if (!oidc_csrf_ok(ctx, req, oidc_params_get(lo.p, "csrf")))
			return bad(err, "The form has expired or did not come "
			    "from this site.");
		confirmed = true;
	}
	if ((rc = oidc_session_current(ctx, req, &s, err)) == -1)
		return -1;
	/* The hint's sub is its audience's view of the user (subject.h). */
	if (rc == 1 && !confirmed && lo.hint_sub.p != NULL &&
	    (hint_ok = oidc_subject_hint_matches(ctx, NULL, lo.hint_aud,
	    lo.n_hint_aud, lo.hint_sub, s.sub, err)) == -1)
		return -1;
	if (rc == 1 && !confirmed && hint_ok != 1)
		return confirm_page(ctx, req, resp, &lo, err);
	/*
	 * Back-channel logout tokens are only queued here, in the same
	 * transaction; `oidcctl backchannel deliver` sends them, so no
	 * relying party can delay this response.
	 */
	if (rc == 1 && (oidc_db_begin(ctx->db, err) == -1 ||
	    oidc_backchannel_session_ended(ctx, s.sid, s.sub, err) == -1 ||
	    oidc_session_end(ctx, req, resp, err) == -1 ||
	    oidc_db_commit(ctx->db, err) == -1))
		return -1;
	return finish(ctx, resp, &lo, err);
}
