/*
 * totp_page.c: the pages of the TOTP second factor (oidc/totp.h): the
 * code entry after the password, the enrolment (totp = required) and the
 * recovery codes shown once after it, from the templates totp.html,
 * totp_enrol.html and totp_recovery.html (oidc/ui.h, docs/THEMES.md) in
 * the request's language.  They carry the authorization request as the
 * login page does (authorize_page.c).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/buf.h"
#include "oidc/config.h"
#include "oidc/ctx.h"
#include "oidc/html.h"
#include "oidc/response.h"
#include "oidc/totp.h"
#include "oidc/ui.h"

#include "authorize_int.h"

static struct oidc_str
cs(const char *s)
{
	return s != NULL ? (struct oidc_str){ s, strlen(s) } : OIDC_STR_NULL;
}

/* The pages' form fields: the request, csrf and (ticket) the ticket. */
static int
fields(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const struct authz *ar, const char *ticket,
    struct oidc_buf *f, struct oidc_error *err)
{
	oidc_buf_init(f, ctx->a, 64 * 1024);
	if (oidc_authz_page_fields(ctx, req, resp, ar, f, err) == -1)
		return -1;
	return ticket == NULL ? 0 : oidc_html_hidden(f, "ticket", ticket, err);
}

/* error: a message key (oidc/ui.h) or text, shown in resp's language. */
static int
error_html(struct oidc_ctx *ctx, struct oidc_response *resp,
    const char *error, struct oidc_buf *b, struct oidc_error *err)
{
	const struct oidc_html_var ev[] = { { "e", cs(error == NULL ? NULL :
	    oidc_ui_msg(resp->ui_lang, error)) } };

	oidc_buf_init(b, ctx->a, 1024);
	if (error == NULL)
		return 0;
	return oidc_html_render(b, "<p class=\"error\" role=\"alert\">{{e}}"
	    "</p>\n", ev, 1, err);
}

int
oidc_totp_page_verify(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const struct authz *ar, const char *ticket,
    const char *error, int status, struct oidc_error *err)
{
	struct oidc_buf	 f, e;
	const char	*action;

	if ((action = oidc_arena_printf(ctx->a, "%s/authorize",
	    ctx->cfg->issuer)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	if (fields(ctx, req, resp, ar, ticket, &f, err) == -1 ||
	    error_html(ctx, resp, error, &e, err) == -1)
		return -1;
	const struct oidc_html_var vars[] = {
		{ "client", ar->client.client_name.p != NULL ?
		    ar->client.client_name : ar->client.client_id },
		{ "action", cs(action) },
		{ "fields", oidc_buf_str(&f) },
		{ "error", oidc_buf_str(&e) },
	};
	return oidc_ui_respond(resp, status,
	    oidc_resp_page_csp(ctx->a, ar->redirect_uri), OIDC_UI_TOTP, vars,
	    OIDC_NELEM(vars), err);
}

int
oidc_totp_page_enrol(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const struct authz *ar, const char *ticket,
    const char *uri, const char *secret, const char *error, int status,
    struct oidc_error *err)
{
	struct oidc_buf	 f, e;
	const char	*action;

	if ((action = oidc_arena_printf(ctx->a, "%s/authorize",
	    ctx->cfg->issuer)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	if (fields(ctx, req, resp, ar, ticket, &f, err) == -1 ||
	    error_html(ctx, resp, error, &e, err) == -1)
		return -1;
	const struct oidc_html_var vars[] = {
		{ "uri", cs(uri) },
		{ "secret", cs(secret) },
		{ "action", cs(action) },
		{ "fields", oidc_buf_str(&f) },
		{ "error", oidc_buf_str(&e) },
	};
	return oidc_ui_respond(resp, status,
	    oidc_resp_page_csp(ctx->a, ar->redirect_uri), OIDC_UI_TOTP_ENROL,
	    vars, OIDC_NELEM(vars), err);
}

int
oidc_totp_page_recovery(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const struct authz *ar,
    char (*codes)[OIDC_TOTP_RECOVERY_LEN + 1], size_t n,
    struct oidc_error *err)
{
	struct oidc_buf	 f, items;
	const char	*action, *shown;
	size_t		 i;

	if ((action = oidc_arena_printf(ctx->a, "%s/authorize",
	    ctx->cfg->issuer)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	if (fields(ctx, req, resp, ar, NULL, &f, err) == -1)
		return -1;
	oidc_buf_init(&items, ctx->a, 4096);
	for (i = 0; i < n; i++) {
		/* xxxxx-xxxxx: the dash is ignored on entry. */
		if ((shown = oidc_arena_printf(ctx->a, "%.5s-%s", codes[i],
		    codes[i] + 5)) == NULL)
			return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
		const struct oidc_html_var iv[] = { { "c", cs(shown) } };
		if (oidc_html_render(&items, "<li><code>{{c}}</code></li>\n", iv,
		    1, err) == -1)
			return -1;
	}
	const struct oidc_html_var vars[] = {
		{ "items", oidc_buf_str(&items) },
		{ "action", cs(action) },
		{ "fields", oidc_buf_str(&f) },
	};
	return oidc_ui_respond(resp, 200,
	    oidc_resp_page_csp(ctx->a, ar->redirect_uri),
	    OIDC_UI_TOTP_RECOVERY, vars, OIDC_NELEM(vars), err);
}
