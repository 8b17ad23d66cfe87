/*
 * ui.h: themes and languages of the HTML pages (issue 22 item 4).
 *
 * The login, consent, logout, signed-out, error, device, TOTP, "leaving
 * this site" and form_post pages, and the layout around every page, are
 * templates (oidc/html.h syntax): built-in
 * defaults compiled in, each replaceable by a file of the directory
 * `ui_templates` names (login.html, ...).  Their words come from message
 * catalogues, one per language of `ui_locales`: English and French are
 * compiled in; a file messages.LANG in the templates directory replaces
 * some or all texts of LANG (or supplies a language we do not ship).
 *
 * Everything is read once, at start-up (oidc_ui_load), before any
 * sandbox: a worker opens no file for a page.  A template is checked when
 * loaded: an unterminated placeholder, a name the page does not offer, or
 * a raw {{{name}}} that is not a pre-rendered fragment is a start-up
 * error naming the file and line, never a 500 later.
 *
 * In a template:
 *   {{name}}       a page variable, HTML-escaped (docs/THEMES.md lists
 *                  them per page)
 *   {{{name}}}     a fragment the page renders itself (escaped inside),
 *                  only where docs/THEMES.md says so
 *   {{msg.KEY}}    the text of KEY in the page's language, escaped
 *   {{lang}}       the page's language tag (every page)
 *
 * The language of a response (resp->ui_lang, an index into the offered
 * languages): the `ui_locales` request parameter (OIDC Core 3.1.2.1: space
 * separated, in order of preference; the first we offer wins), else the
 * Accept-Language header (RFC 9110 12.5.4: the highest q > 0 we offer),
 * else the first of `ui_locales`.  A tag matches an offered one equal to
 * it (ASCII case-insensitively) or to one of its prefixes ending before a
 * '-' (RFC 4647 3.4 lookup): fr-CA gets fr.
 */
#ifndef OIDC_UI_H
#define OIDC_UI_H

#include <stdbool.h>

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

#define OIDC_UI_MAX_LOCALES	8	/* languages in ui_locales */
#define OIDC_UI_MAX_TAG		35	/* one language tag (RFC 5646 4.4.1) */
#define OIDC_UI_MAX_TEMPLATE	(32 * 1024)	/* one template file */
#define OIDC_UI_MAX_MESSAGES	(32 * 1024)	/* one messages.LANG file */
#define OIDC_UI_NKEYS		76	/* keys of the message catalogue */
#define OIDC_UI_MAX_MESSAGE	1024	/* one text */
/* Longer Accept-Language headers and ui_locales values are ignored. */
#define OIDC_UI_MAX_ACCEPT	1024
#define OIDC_UI_MAX_RANGES	32	/* entries of one of them looked at */

struct oidc_buf;
struct oidc_html_var;
struct oidc_response;

enum oidc_ui_page {
	OIDC_UI_LAYOUT = 0,	/* layout.html: around every page */
	OIDC_UI_LOGIN,		/* login.html */
	OIDC_UI_CONSENT,	/* consent.html */
	OIDC_UI_LOGOUT,		/* logout.html: "Sign out?" */
	OIDC_UI_LOGGED_OUT,	/* logged_out.html */
	OIDC_UI_ERROR,		/* error.html */
	OIDC_UI_DEVICE_CODE,	/* device_code.html: enter the user code */
	OIDC_UI_DEVICE_LOGIN,	/* device_login.html */
	OIDC_UI_DEVICE_CONFIRM,	/* device_confirm.html */
	OIDC_UI_DEVICE_DONE,	/* device_done.html: allowed or denied */
	OIDC_UI_TOTP,		/* totp.html: the second step's code */
	OIDC_UI_TOTP_ENROL,	/* totp_enrol.html: set up (totp = required) */
	OIDC_UI_TOTP_RECOVERY,	/* totp_recovery.html: the codes, once */
	OIDC_UI_LEAVING,	/* leaving.html: "you are leaving this site" */
	OIDC_UI_FORM_POST,	/* form_post.html: response_mode=form_post */
	OIDC_UI__NPAGES
};

/*
 * Load the templates of `dir` (NULL: built-in only) and the languages of
 * `locales` (space-separated tags; NULL: "en").  Start-up only; replaces
 * what a previous call loaded.  OIDC_E_CONFIG with a message naming the
 * file, line and problem.
 */
OIDC_MUST_CHECK int	oidc_ui_load(const char *dir, const char *locales,
			    struct oidc_error *);
/* Back to the built-in templates and English alone (tests). */
void		oidc_ui_reset(void);

size_t		oidc_ui_nlocales(void);
const char	*oidc_ui_locale(size_t);	/* its tag, or NULL */

/*
 * The offered language a ui_locales value asks for first, else
 * `fallback`.  buf: untrusted, (buf, len); over OIDC_UI_MAX_ACCEPT bytes:
 * fallback.
 */
int		oidc_ui_pick_locales(const char *buf, size_t len, int fallback);
/* The offered language Accept-Language prefers, else 0. */
int		oidc_ui_pick_accept(const char *buf, size_t len);

/* The text of `key` in language `lang` (English when it has none). */
const char	*oidc_ui_msg(int lang, const char *key);

/*
 * Check a template for `page`: 0, or -1 (OIDC_E_CONFIG, "NAME:LINE:
 * problem" with `name` the file's name).
 */
OIDC_MUST_CHECK int	oidc_ui_check(enum oidc_ui_page, const char *name,
			    const char *tmpl, size_t len, struct oidc_error *);

/*
 * Parse a messages file: `key = text` lines, '#' comments, blank lines;
 * every key one of the catalogue's, at most once; texts without control
 * characters, at most OIDC_UI_MAX_MESSAGE bytes; the file at most
 * OIDC_UI_MAX_MESSAGES.  texts[i] (of OIDC_UI_NKEYS, for key i of the
 * catalogue) is set to a malloc'd copy, or left alone for keys the file
 * does not name; on an error every copy made is freed.  The fuzz target is fuzz_ui_messages.
 */
OIDC_MUST_CHECK int	oidc_ui_messages_parse(const char *name,
			    const char *buf, size_t len, const char **texts,
			    struct oidc_error *);
size_t		oidc_ui_nkeys(void);
const char	*oidc_ui_key(size_t);

/*
 * Respond with `page` in resp->ui_lang inside the layout: its title is
 * its title message (docs/THEMES.md), or for device_done.html the value
 * of its variable "title".  csp: as oidc_html_respond.
 */
OIDC_MUST_CHECK int	oidc_ui_respond(struct oidc_response *, int status,
			    const char *csp, enum oidc_ui_page,
			    const struct oidc_html_var *, size_t nvars,
			    struct oidc_error *);
/*
 * The same with tail, the caller's own fixed HTML (NULL: none), after the
 * page's body: a script whose hash the csp names stays as it is whatever
 * the template (form_post.html).
 */
OIDC_MUST_CHECK int	oidc_ui_respond_tail(struct oidc_response *,
			    int status, const char *csp, enum oidc_ui_page,
			    const struct oidc_html_var *, size_t nvars,
			    const char *tail, struct oidc_error *);

/*
 * The layout around a rendered body: `title` escaped, `lang_tag` NULL for
 * the language of `lang` (-1: English texts, for a page not translated).
 */
OIDC_MUST_CHECK int	oidc_ui_layout(struct oidc_buf *, int lang,
			    const char *lang_tag, const char *title,
			    struct oidc_str body_html, struct oidc_error *);

#endif /* OIDC_UI_H */
