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

/* A complete page: the shared layout around a rendered body fragment. */
OIDC_MUST_CHECK int	oidc_html_page(struct oidc_buf *, const char *title,
			    struct oidc_str body_html, struct oidc_error *);

/* Append <input type="hidden" name=".." value=".."> (escaped). */
OIDC_MUST_CHECK int	oidc_html_hidden(struct oidc_buf *, const char *name,
			    const char *value, struct oidc_error *);

struct oidc_response;

/*
 * Render tmpl inside the page layout as the response, with `csp` as the
 * Content-Security-Policy (NULL: the default of oidc_resp_html).
 */
OIDC_MUST_CHECK int	oidc_html_respond(struct oidc_response *, int status,
			    const char *csp, const char *title, const char *tmpl,
			    const struct oidc_html_var *, size_t nvars,
			    struct oidc_error *);

#endif /* OIDC_HTML_H */
