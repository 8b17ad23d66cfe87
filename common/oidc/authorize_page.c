/*
 * authorize_page.c: the login and consent pages of the authorization
 * endpoint (authorize_int.h).  They carry the authorization request
 * through their forms; every value is escaped by the templates
 * (oidc/html.h).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/buf.h"
#include "oidc/client.h"
#include "oidc/config.h"
#include "oidc/crypto.h"
#include "oidc/ctx.h"
#include "oidc/html.h"
#include "oidc/json.h"
#include "oidc/reqobj.h"
#include "oidc/request.h"
#include "oidc/response.h"
#include "oidc/scope.h"
#include "oidc/session.h"
#include "oidc/ui.h"

#include "authorize_int.h"

/* The consent page's words for the standard scopes: their messages. */
static const struct {
	const char	*scope;
	const char	*key;
} scope_keys[] = {
	{ "openid", "scope_openid" },
	{ "profile", "scope_profile" },
	{ "email", "scope_email" },
	{ "address", "scope_address" },
	{ "phone", "scope_phone" },
	{ "offline_access", "scope_offline_access" },
};

/* Every `resource` value (RFC 8707 2: it may repeat), as below. */
static int
carried_resources(const struct authz *ar, bool digest, struct oidc_buf *b,
    struct oidc_error *err)
{
	struct oidc_str	 v[OIDC_RESOURCE_MAX];
	size_t		 n, i;

	n = oidc_params_get_all(ar->p, "resource", v, OIDC_RESOURCE_MAX);
	for (i = 0; i < n && i < OIDC_RESOURCE_MAX; i++) {
		if (digest) {
			if (oidc_buf_puts(b, "resource=", err) == -1 ||
			    oidc_buf_append(b, v[i].p, v[i].len, err) == -1 ||
			    oidc_buf_putc(b, '\0', err) == -1)
				return -1;
		} else if (oidc_html_hidden(b, "resource", v[i].p, err) == -1)
			return -1;
	}
	return 0;
}

/*
 * The authorization parameters and the request object, carried through
 * the login and consent pages, as hidden inputs (with `csrf`), or
 * appended to a digest's input (b != NULL, csrf NULL).
 */
static int
carried_fields(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const struct authz *ar, struct oidc_buf *b,
    struct oidc_error *err)
{
	struct oidc_str	 v;
	const char	*csrf;
	size_t		 i;

	for (i = 0; i <= OIDC_AUTHZ_NPARAMS; i++) {
		const char *name = i < OIDC_AUTHZ_NPARAMS ?
		    oidc_authz_params[i] : "request";

		v = i < OIDC_AUTHZ_NPARAMS ? oidc_params_get(ar->p, name) :
		    ar->request_obj;
		if (v.p == NULL)
			continue;
		if (req == NULL) {
			/* name=value NUL: a value cannot hold a NUL. */
			if (oidc_buf_printf(b, err, "%s=", name) == -1 ||
			    oidc_buf_append(b, v.p, v.len, err) == -1 ||
			    oidc_buf_putc(b, '\0', err) == -1)
				return -1;
		} else if (oidc_html_hidden(b, name, v.p, err) == -1)
			return -1;
	}
	if (carried_resources(ar, req == NULL, b, err) == -1)
		return -1;
	if (req == NULL)
		return 0;
	if ((csrf = oidc_csrf_token(ctx, req, resp, err)) == NULL)
		return -1;
	return oidc_html_hidden(b, "csrf", csrf, err);
}

int
oidc_authz_page_fields(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const struct authz *ar, struct oidc_buf *b,
    struct oidc_error *err)
{
	return carried_fields(ctx, req, resp, ar, b, err);
}

/*
 * SHA-256 of what the pages carry: stored with the session a password
 * login makes, so the consent answer of the same authorization request,
 * and only it, may count that login as fresh (issue 15 item 7).
 */
int
oidc_authz_request_digest(struct oidc_ctx *ctx, const struct authz *ar,
    unsigned char *h, struct oidc_error *err)
{
	struct oidc_buf	 b;
	struct oidc_str	 s;

	oidc_buf_init(&b, ctx->a, 256 * 1024);
	if (carried_fields(ctx, NULL, NULL, ar, &b, err) == -1)
		return -1;
	s = oidc_buf_str(&b);
	return oidc_sha256(s.p, s.len, h, err);
}

/*
 * An https link from the client's metadata (oidc_client_uri_is_link),
 * else absent: never javascript:, even for a client that `oidcctl client
 * create` stored without the registration endpoint's checks.
 */
static struct oidc_str
client_https_uri(const struct authz *ar, const char *member)
{
	struct oidc_error	 ignored = { 0 };
	struct oidc_str		 u = OIDC_STR_NULL;

	if (oidc_json_get_str(ar->client.metadata, member, &u, &ignored) != 1 ||
	    !oidc_client_uri_is_link(u))
		return OIDC_STR_NULL;
	return u;
}

/*
 * The client's logo and its policy and terms links (RFC 7591 2), shown so
 * the user knows who is asking.  Every value is escaped by the template.
 */
static int
client_decor(struct oidc_ctx *ctx, const struct authz *ar, int lang,
    struct oidc_buf *logo, struct oidc_buf *links, struct oidc_error *err)
{
	struct oidc_str	 l = client_https_uri(ar, "logo_uri");
	struct oidc_str	 pol = client_https_uri(ar, "policy_uri");
	struct oidc_str	 tos = client_https_uri(ar, "tos_uri");

	oidc_buf_init(logo, ctx->a, 4096);
	oidc_buf_init(links, ctx->a, 8192);
	if (l.p != NULL) {
		const struct oidc_html_var v[] = { { "u", l } };
		if (oidc_html_render(logo, "<img src=\"{{u}}\" alt=\"\" "
		    "height=\"48\" referrerpolicy=\"no-referrer\">\n", v, 1,
		    err) == -1)
			return -1;
	}
	if (pol.p != NULL || tos.p != NULL) {
		const char *pw = oidc_ui_msg(lang, "client_privacy");
		const char *tw = oidc_ui_msg(lang, "client_terms");
		const struct oidc_html_var v[] = { { "p", pol }, { "t", tos },
		    { "pw", { pw, strlen(pw) } }, { "tw", { tw, strlen(tw) } } };
		if (oidc_html_render(links, pol.p != NULL && tos.p != NULL ?
		    "<p><small><a href=\"{{p}}\">{{pw}}</a> &middot; "
		    "<a href=\"{{t}}\">{{tw}}</a></small></p>\n" :
		    pol.p != NULL ? "<p><small><a href=\"{{p}}\">{{pw}}</a>"
		    "</small></p>\n" : "<p><small><a href=\"{{t}}\">{{tw}}</a>"
		    "</small></p>\n", v, 4, err) == -1)
			return -1;
	}
	return 0;
}

static struct oidc_str
client_label(const struct authz *ar)
{
	return ar->client.client_name.p != NULL ? ar->client.client_name :
	    ar->client.client_id;
}

/*
 * The language of the login and consent pages: the request's ui_locales
 * (OIDC Core 3.1.2.1; carried through the pages, or in the request
 * object) when we offer one of them, else what handle_one chose (the
 * query's or form's ui_locales, else Accept-Language).
 */
void
oidc_authz_page_lang(struct oidc_response *resp, const struct authz *ar)
{
	struct oidc_str	 l = oidc_params_get(ar->p, "ui_locales");

	if (l.p != NULL)
		resp->ui_lang = oidc_ui_pick_locales(l.p, l.len, resp->ui_lang);
}

int
oidc_authz_login_page(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const struct authz *ar, const char *error,
    int status, struct oidc_error *err)
{
	struct oidc_buf	 fields, ebuf, logo, links;
	const char	*action;

	oidc_buf_init(&fields, ctx->a, 64 * 1024);
	oidc_buf_init(&ebuf, ctx->a, 1024);
	if ((action = oidc_arena_printf(ctx->a, "%s/authorize",
	    ctx->cfg->issuer)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	if (carried_fields(ctx, req, resp, ar, &fields, err) == -1)
		return -1;
	oidc_authz_page_lang(resp, ar);
	if (error != NULL) {
		/* A message key (login_failed, ...) or a caller's text. */
		const char *e = oidc_ui_msg(resp->ui_lang, error);
		const struct oidc_html_var ev[] = {
			{ "e", { e, strlen(e) } } };
		if (oidc_html_render(&ebuf, "<p class=\"error\" role=\"alert\">"
		    "{{e}}</p>\n", ev, 1, err) == -1)
			return -1;
	}
	if (client_decor(ctx, ar, resp->ui_lang, &logo, &links, err) == -1)
		return -1;
	const struct oidc_html_var vars[] = {
		{ "client", client_label(ar) },
		{ "action", { action, strlen(action) } },
		{ "fields", oidc_buf_str(&fields) },
		{ "hint", ar->login_hint },
		{ "error", oidc_buf_str(&ebuf) },
		{ "logo", oidc_buf_str(&logo) },
		{ "links", oidc_buf_str(&links) },
	};
	return oidc_ui_respond(resp, status,
	    oidc_resp_page_csp(ctx->a, ar->redirect_uri), OIDC_UI_LOGIN, vars,
	    OIDC_NELEM(vars), err);
}

/* The consent page's words for a scope value, or NULL. */
static const char *
scope_words(int lang, struct oidc_str scope)
{
	size_t	 k;

	for (k = 0; k < OIDC_NELEM(scope_keys); k++)
		if (oidc_str_eq_cstr(scope, scope_keys[k].scope))
			return oidc_ui_msg(lang, scope_keys[k].key);
	return NULL;
}

/*
 * The consent page's words for a declared custom scope (oidc/scope.h):
 * "share your C1, C2" (message consent_share) with its claims' names; NULL for any other scope
 * (or out of memory: the page then shows the scope value alone).
 */
static const char *
custom_words(struct oidc_ctx *ctx, int lang, struct oidc_str scope)
{
	const struct oidc_config_scope	*cs;
	const char			*t;
	size_t				 k;

	if ((cs = oidc_scope_custom(ctx->cfg, scope)) == NULL)
		return NULL;
	t = oidc_arena_printf(ctx->a, "%s %s", oidc_ui_msg(lang,
	    "consent_share"), cs->claims[0]);
	for (k = 1; t != NULL && k < cs->nclaims; k++)
		t = oidc_arena_printf(ctx->a, "%s, %s", t, cs->claims[k]);
	return t;
}

/*
 * The claims asked for one by one (OIDC Core 5.5) are items of their own:
 * in the words of the standard scope they belong to ("see your email
 * address (email)"), else "share your <claim>" (consent_share).  Only claims we know and
 * would release are listed (oidc_claims_wanted), and none that the
 * requested scope releases anyway.  remember_consent stores exactly
 * these, and consent_covers asks for them again.
 */
static int
claim_items(struct oidc_ctx *ctx, const struct authz *ar, int lang,
    struct oidc_buf *items, struct oidc_error *err)
{
	struct oidc_scope	 wanted;
	const char		*owner, *text, *share;
	size_t			 i;

	if (oidc_claims_wanted(ctx->cfg, ctx->a, ar->claims, &ar->scope,
	    &wanted, err) == -1)
		return -1;
	for (i = 0; i < wanted.n; i++) {
		owner = oidc_claim_scope(ctx->cfg, wanted.v[i]);
		text = owner != NULL ? scope_words(lang, (struct oidc_str){
		    owner, strlen(owner) }) : NULL;
		share = oidc_ui_msg(lang, "consent_share");
		const struct oidc_html_var iv[] = {
			{ "t", text != NULL ? (struct oidc_str){ text,
			    strlen(text) } : OIDC_STR_NULL },
			{ "c", wanted.v[i] },
			{ "s", { share, strlen(share) } },
		};
		if (oidc_html_render(items, text != NULL ?
		    "<li>{{t}} <small>({{c}})</small></li>\n" :
		    "<li>{{s}} {{c}} <small>({{c}})</small></li>\n", iv, 3,
		    err) == -1)
			return -1;
	}
	return 0;
}

/*
 * What the consent page asks for, as "<scope>|<claims>" (both sets
 * space-joined; the claims those of claim_items).  The page carries it in
 * a hidden field, and remember_consent refuses an answer whose request no
 * longer asks for exactly that (the pages carry the request object by
 * value, so this is defence in depth against a changed form).
 */
const char *
oidc_authz_consent_summary(struct oidc_ctx *ctx, const struct authz *ar,
    struct oidc_error *err)
{
	struct oidc_scope	 wanted;
	const char		*claims, *s;

	if (oidc_claims_wanted(ctx->cfg, ctx->a, ar->claims, &ar->scope,
	    &wanted, err) == -1)
		return NULL;
	if ((claims = oidc_scope_join(ctx->a, &wanted)) == NULL ||
	    (s = oidc_arena_printf(ctx->a, "%s|%s", ar->scope_str,
	    claims)) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
		return NULL;
	}
	return s;
}

int
oidc_authz_consent_page(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, const struct authz *ar,
    struct oidc_str username, struct oidc_error *err)
{
	struct oidc_buf	 fields, items, logo, links;
	const char	*action, *text, *summary;
	size_t		 i;

	oidc_buf_init(&fields, ctx->a, 64 * 1024);
	oidc_buf_init(&items, ctx->a, 16 * 1024);
	if ((action = oidc_arena_printf(ctx->a, "%s/authorize",
	    ctx->cfg->issuer)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	if (carried_fields(ctx, req, resp, ar, &fields, err) == -1 ||
	    (summary = oidc_authz_consent_summary(ctx, ar, err)) == NULL ||
	    oidc_html_hidden(&fields, "consent_items", summary, err) == -1)
		return -1;
	oidc_authz_page_lang(resp, ar);
	for (i = 0; i < ar->scope.n; i++) {
		if ((text = scope_words(resp->ui_lang, ar->scope.v[i])) == NULL)
			text = custom_words(ctx, resp->ui_lang, ar->scope.v[i]);
		const struct oidc_html_var iv[] = {
			{ "t", text != NULL ? (struct oidc_str){ text,
			    strlen(text) } : ar->scope.v[i] },
			{ "s", ar->scope.v[i] },
		};
		if (oidc_html_render(&items, "<li>{{t}} <small>({{s}})</small>"
		    "</li>\n", iv, 2, err) == -1)
			return -1;
	}
	if (claim_items(ctx, ar, resp->ui_lang, &items, err) == -1 ||
	    client_decor(ctx, ar, resp->ui_lang, &logo, &links, err) == -1)
		return -1;
	const struct oidc_html_var vars[] = {
		{ "client", client_label(ar) },
		{ "action", { action, strlen(action) } },
		{ "fields", oidc_buf_str(&fields) },
		{ "items", oidc_buf_str(&items) },
		{ "user", username },
		{ "logo", oidc_buf_str(&logo) },
		{ "links", oidc_buf_str(&links) },
	};
	return oidc_ui_respond(resp, 200,
	    oidc_resp_page_csp(ctx->a, ar->redirect_uri), OIDC_UI_CONSENT, vars,
	    OIDC_NELEM(vars), err);
}
