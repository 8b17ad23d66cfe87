/*
 * totp_page.c: the pages of the TOTP second factor (oidc/totp.h): the
 * code entry after the password, the enrolment (totp = required) and the
 * recovery codes shown once after it.  All their markup is here, in the
 * three templates below, so it can move to operator templates; every
 * value is escaped by the templates (oidc/html.h).  They carry the
 * authorization request as the login page does (authorize_page.c).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/buf.h"
#include "oidc/config.h"
#include "oidc/ctx.h"
#include "oidc/html.h"
#include "oidc/response.h"
#include "oidc/totp.h"

#include "authorize_int.h"

static const char verify_body[] =
    "<h1>Two-step verification</h1>\n<p>to continue to <strong>{{client}}"
    "</strong></p>\n{{{error}}}"
    "<form method=\"post\" action=\"{{action}}\">\n{{{fields}}}"
    "<label for=\"code\">Authentication code</label>\n"
    "<p id=\"code-help\"><small>The 6-digit code from your authenticator "
    "app, or one of your recovery codes.</small></p>\n"
    "<input type=\"text\" id=\"code\" name=\"code\" "
    "autocomplete=\"one-time-code\" autocapitalize=\"none\" "
    "spellcheck=\"false\" aria-describedby=\"code-help\" maxlength=\"64\" "
    "required autofocus>\n"
    "<button type=\"submit\" name=\"action\" value=\"totp\">Verify"
    "</button>\n</form>\n";

static const char enrol_body[] =
    "<h1>Set up two-step verification</h1>\n<p>This site asks for a code "
    "from an authenticator app at every sign-in. Add this account to your "
    "app, then enter the code it shows.</p>\n{{{error}}}"
    "<p>Key URI (for a QR code or a link): <a id=\"totp-uri\" "
    "href=\"{{uri}}\">{{uri}}</a></p>\n"
    "<p>Or type the key: <code id=\"totp-secret\">{{secret}}</code></p>\n"
    "<form method=\"post\" action=\"{{action}}\">\n{{{fields}}}"
    "<label for=\"code\">Code from your app</label>\n"
    "<input type=\"text\" id=\"code\" name=\"code\" inputmode=\"numeric\" "
    "autocomplete=\"one-time-code\" maxlength=\"64\" required autofocus>\n"
    "<button type=\"submit\" name=\"action\" value=\"totp\">Turn on"
    "</button>\n</form>\n";

static const char recovery_body[] =
    "<h1>Save your recovery codes</h1>\n<p>Two-step verification is on. "
    "If you lose your authenticator app, each of these codes signs you in "
    "once instead of a code. They are shown only now.</p>\n"
    "<ul id=\"recovery-codes\" aria-label=\"Recovery codes\">\n{{{items}}}"
    "</ul>\n"
    "<form method=\"post\" action=\"{{action}}\">\n{{{fields}}}"
    "<button type=\"submit\" name=\"action\" value=\"continue\">Continue"
    "</button>\n</form>\n";

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

static int
error_html(struct oidc_ctx *ctx, const char *error, struct oidc_buf *b,
    struct oidc_error *err)
{
	const struct oidc_html_var ev[] = { { "e", cs(error) } };

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
	    error_html(ctx, error, &e, err) == -1)
		return -1;
	const struct oidc_html_var vars[] = {
		{ "client", ar->client.client_name.p != NULL ?
		    ar->client.client_name : ar->client.client_id },
		{ "action", cs(action) },
		{ "fields", oidc_buf_str(&f) },
		{ "error", oidc_buf_str(&e) },
	};
	return oidc_html_respond(resp, status,
	    oidc_resp_page_csp(ctx->a, ar->redirect_uri),
	    "Two-step verification", verify_body, vars, OIDC_NELEM(vars), err);
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
	    error_html(ctx, error, &e, err) == -1)
		return -1;
	const struct oidc_html_var vars[] = {
		{ "uri", cs(uri) },
		{ "secret", cs(secret) },
		{ "action", cs(action) },
		{ "fields", oidc_buf_str(&f) },
		{ "error", oidc_buf_str(&e) },
	};
	return oidc_html_respond(resp, status,
	    oidc_resp_page_csp(ctx->a, ar->redirect_uri),
	    "Set up two-step verification", enrol_body, vars,
	    OIDC_NELEM(vars), err);
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
	return oidc_html_respond(resp, 200,
	    oidc_resp_page_csp(ctx->a, ar->redirect_uri),
	    "Save your recovery codes", recovery_body, vars,
	    OIDC_NELEM(vars), err);
}
