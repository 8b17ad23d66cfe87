/*
 * html.h: the one HTML template function.
 *
 * Templates are compile-time strings with {{name}} placeholders; every
 * substitution is HTML-escaped (& < > " ').  A placeholder written
 * {{{name}}} is inserted raw and may only be fed other rendered fragments,
 * never request data.  Unknown placeholders render as empty.  Pages link
 * no external resources; the small stylesheet is inline (CSP allows
 * 'unsafe-inline' styles only, no scripts except the form_post
 * auto-submit, which gets a hash-based script-src).
 */
#ifndef OIDC_HTML_H
#define OIDC_HTML_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

struct oidc_buf;

struct oidc_html_var {
	const char	*name;
	struct oidc_str	 value;
};

OIDC_MUST_CHECK int	oidc_html_render(struct oidc_buf *, const char *tmpl,
			    const struct oidc_html_var *, size_t nvars,
			    struct oidc_error *);

/*
 * A complete page: the layout (oidc/ui.h, lang "en") around a rendered
 * body fragment.
 */
OIDC_MUST_CHECK int	oidc_html_page(struct oidc_buf *, const char *title,
			    struct oidc_str body_html, struct oidc_error *);

/* Append <input type="hidden" name=".." value=".."> (escaped). */
OIDC_MUST_CHECK int	oidc_html_hidden(struct oidc_buf *, const char *name,
			    const char *value, struct oidc_error *);

struct oidc_response;

/*
 * Render tmpl inside the page layout as the response, with `csp` as the
 * Content-Security-Policy (NULL: the default of oidc_resp_html).  For the
 * pages not themed yet (oidc/ui.h): English, lang="en".
 */
OIDC_MUST_CHECK int	oidc_html_respond(struct oidc_response *, int status,
			    const char *csp, const char *title, const char *tmpl,
			    const struct oidc_html_var *, size_t nvars,
			    struct oidc_error *);

/*
 * The "you are leaving for <host>" page (issue 15 item 8, RFC 9700
 * 4.11.2), sent instead of a redirect to a URI that a client chose and no
 * operator vetted.  `url` is the exact destination (validated by the
 * caller: registered for the client).  With `fields_html` (hidden inputs
 * from oidc_html_hidden) the page holds a form that POSTs them to `url`
 * when the user presses its button (response_mode=form_post); without it
 * (OIDC_STR_NULL) a link to `url`.  200, no script, a CSP whose
 * form-action allows url's origin, Referrer-Policy no-referrer.  The
 * template leaving.html (oidc/ui.h) in resp's language; its {{{action}}}
 * is the link or form, with the text "leaving_continue".
 * OIDC_E_NOMEM or OIDC_E_LIMIT when the page does not fit.
 */
OIDC_MUST_CHECK int	oidc_html_leaving(struct oidc_response *,
			    struct oidc_str url, struct oidc_str fields_html,
			    struct oidc_error *);

#endif /* OIDC_HTML_H */
