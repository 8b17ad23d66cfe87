/*
 * html.c: template rendering with escaping (see oidc/html.h).
 */
#include <string.h>

#include "oidc/buf.h"
#include "oidc/html.h"
#include "oidc/response.h"
#include "oidc/ui.h"
#include "oidc/url.h"

int
oidc_html_render(struct oidc_buf *b, const char *tmpl,
    const struct oidc_html_var *vars, size_t nvars, struct oidc_error *err)
{
	const char	*p = tmpl, *open, *close, *name;
	size_t		 namelen, i;
	bool		 raw;

	while ((open = strstr(p, "{{")) != NULL) {
		if (oidc_buf_append(b, p, (size_t)(open - p), err) == -1)
			return -1;
		raw = open[2] == '{';
		name = open + (raw ? 3 : 2);
		if ((close = strstr(name, raw ? "}}}" : "}}")) == NULL)
			return oidc_fail(err, OIDC_E_INTERNAL, NULL,
			    "unterminated placeholder");
		namelen = (size_t)(close - name);
		for (i = 0; i < nvars; i++) {
			if (strlen(vars[i].name) != namelen ||
			    memcmp(vars[i].name, name, namelen) != 0 ||
			    vars[i].value.p == NULL)
				continue;
			if ((raw ? oidc_buf_append(b, vars[i].value.p,
			    vars[i].value.len, err) :
			    oidc_buf_htmlescape(b, vars[i].value.p,
			    vars[i].value.len, err)) == -1)
				return -1;
			break;
		}
		p = close + (raw ? 3 : 2);
	}
	return oidc_buf_puts(b, p, err);
}

int
oidc_html_page(struct oidc_buf *b, const char *title, struct oidc_str body,
    struct oidc_error *err)
{
	/* A page not translated yet: English, whatever was asked. */
	return oidc_ui_layout(b, -1, "en", title, body, err);
}

int
oidc_html_hidden(struct oidc_buf *b, const char *name, const char *value,
    struct oidc_error *err)
{
	const struct oidc_html_var	 vars[] = {
		{ "n", { name, strlen(name) } },
		{ "v", { value, strlen(value) } },
	};

	return oidc_html_render(b, "<input type=\"hidden\" name=\"{{n}}\" "
	    "value=\"{{v}}\">\n", vars, OIDC_NELEM(vars), err);
}

int
oidc_html_respond(struct oidc_response *resp, int status, const char *csp,
    const char *title, const char *tmpl, const struct oidc_html_var *vars, size_t n,
    struct oidc_error *err)
{
	struct oidc_buf	 body, page;

	oidc_buf_init(&body, resp->a, 96 * 1024);
	oidc_buf_init(&page, resp->a, 128 * 1024);
	if (oidc_html_render(&body, tmpl, vars, n, err) == -1 ||
	    oidc_ui_layout(&page, -1, "en", title,
	    oidc_buf_str(&body), err) == -1)
		return -1;
	if (csp != NULL)
		return oidc_resp_html_csp(resp, status, oidc_buf_str(&page),
		    csp, err);
	return oidc_resp_html(resp, status, oidc_buf_str(&page), err);
}

/* The way on, in the page's language ({{c}}: "Continue to"). */
static const char leaving_link[] =
    "<p><a href=\"{{url}}\" rel=\"noreferrer\">{{c}} {{host}}</a></p>\n";

static const char leaving_form[] =
    "<form method=\"post\" action=\"{{url}}\">\n{{{fields}}}"
    "<button type=\"submit\">{{c}} {{host}}</button>\n</form>\n";

/*
 * The host (and port) of scheme://[userinfo@]host[:port]/..., or for a
 * private-use scheme (com.example.app:/cb) the scheme with its colon:
 * what the user needs to recognise the destination.  The URL is one the
 * client registered (oidc/url.h rules) with our parameters added; should
 * it not parse, the user is shown all of it.
 * SECURITY: https://trusted.example@evil.example/ is evil.example, as the
 * parser splits it.
 */
static struct oidc_str
url_host(struct oidc_str u)
{
	struct oidc_error	 tmp = { 0 };
	struct oidc_url		 url;
	const char		*end;
	size_t			 n;

	/*
	 * Only what comes before the query is parsed: the parameters we
	 * appended (a long state) may take the whole past OIDC_URL_MAX_LEN.
	 */
	for (n = 0; n < u.len && u.p[n] != '?' && u.p[n] != '#'; n++)
		;
	if (oidc_url_parse(u.p, n, &url, &tmp) == -1)
		return u;
	if (url.host_kind == OIDC_URL_HOST_NONE)
		return (struct oidc_str){ u.p, url.scheme.len + 1 };
	end = url.port.p != NULL ? url.port.p + url.port.len :
	    url.host.p + url.host.len;
	return (struct oidc_str){ url.host.p, (size_t)(end - url.host.p) };
}

int
oidc_html_leaving(struct oidc_response *resp, struct oidc_str url,
    struct oidc_str fields_html, struct oidc_error *err)
{
	struct oidc_buf	 action;
	struct oidc_str	 host = url_host(url);
	const char	*c = oidc_ui_msg(resp->ui_lang, "leaving_continue");
	const struct oidc_html_var	 vars[] = {
		{ "url", url },
		{ "host", host },
		{ "fields", fields_html },
		{ "c", { c, strlen(c) } },
	};
	struct oidc_html_var	 page_vars[3];

	oidc_buf_init(&action, resp->a, 96 * 1024);
	if (oidc_html_render(&action, fields_html.p != NULL ? leaving_form :
	    leaving_link, vars, OIDC_NELEM(vars), err) == -1)
		return -1;
	page_vars[0] = vars[0];
	page_vars[1] = vars[1];
	page_vars[2] = (struct oidc_html_var){ "action",
	    oidc_buf_str(&action) };
	/* The page's security headers include Referrer-Policy: no-referrer. */
	return oidc_ui_respond(resp, 200, oidc_resp_page_csp(resp->a, url),
	    OIDC_UI_LEAVING, page_vars, OIDC_NELEM(page_vars), err);
}
