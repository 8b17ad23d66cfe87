/*
 * ui.c: the page templates and the languages they are shown in (see
 * oidc/ui.h): the built-in templates, loading and checking the
 * operator's, and rendering a page.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oidc/buf.h"
#include "oidc/html.h"
#include "oidc/response.h"
#include "oidc/ui.h"
#include "ui_int.h"

static const char layout_html[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"{{lang}}\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, "
    "initial-scale=1\">\n"
    "<title>{{title}}</title>\n<style>\n"
    "body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;"
    "color:#1d2330}\n"
    "main{max-width:26rem;margin:3rem auto;background:#fff;padding:2rem;"
    "border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.12)}\n"
    "h1{font-size:1.4rem;margin-top:0}\n"
    "label{display:block;margin:.8rem 0 .2rem;font-weight:600}\n"
    "input[type=text],input[type=password]{width:100%;box-sizing:border-box;"
    "padding:.5rem;border:1px solid #8a93a6;border-radius:4px;font:inherit}\n"
    "button{margin-top:1.2rem;padding:.55rem 1.2rem;border:0;"
    "border-radius:4px;background:#1f5fbf;color:#fff;font:inherit;"
    "cursor:pointer}\n"
    "button.secondary{background:#5b6476}\n"
    ":focus-visible{outline:3px solid #1f5fbf;outline-offset:2px}\n"
    ".error{color:#a1161b;background:#fdecec;padding:.6rem;"
    "border-radius:4px}\n"
    "ul{padding-left:1.2rem}\n"
    "</style>\n</head>\n<body>\n<main>\n{{{body}}}\n</main>\n</body>\n"
    "</html>\n";

static const char login_html[] =
    "{{{logo}}}<h1>{{msg.login_heading}}</h1>\n<p>{{msg.login_to}} "
    "<strong>{{client}}</strong></p>\n{{{error}}}"
    "<form method=\"post\" action=\"{{action}}\">\n{{{fields}}}"
    "<label for=\"username\">{{msg.login_username}}</label>\n"
    "<input type=\"text\" id=\"username\" name=\"username\" "
    "value=\"{{hint}}\" autocomplete=\"username\" autocapitalize=\"none\" "
    "required autofocus>\n"
    "<label for=\"password\">{{msg.login_password}}</label>\n"
    "<input type=\"password\" id=\"password\" name=\"password\" "
    "autocomplete=\"current-password\" required>\n"
    "<button type=\"submit\" name=\"action\" value=\"login\">"
    "{{msg.login_submit}}</button>\n</form>\n{{{links}}}";

static const char consent_html[] =
    "{{{logo}}}<h1>{{msg.consent_heading}}</h1>\n<p><strong>{{client}}"
    "</strong> {{msg.consent_asks}}</p>\n"
    "<ul>\n{{{items}}}</ul>\n<p>{{msg.consent_signed_in_as}} <strong>"
    "{{user}}</strong>.</p>\n"
    "<form method=\"post\" action=\"{{action}}\">\n{{{fields}}}"
    "<input type=\"hidden\" name=\"action\" value=\"consent\">\n"
    "<button type=\"submit\" name=\"decision\" value=\"allow\">"
    "{{msg.consent_allow}}</button>\n"
    "<button type=\"submit\" name=\"decision\" value=\"deny\" "
    "class=\"secondary\">{{msg.consent_deny}}</button>\n</form>\n"
    "{{{links}}}";

static const char logout_html[] =
    "<h1>{{msg.logout_heading}}</h1>\n<p>{{msg.logout_question}} <strong>"
    "{{issuer}}</strong>?</p>\n<form method=\"post\" action=\"{{action}}\">"
    "\n{{{fields}}}<button type=\"submit\" name=\"action\" value=\"logout\">"
    "{{msg.logout_submit}}</button>\n</form>\n";

static const char logged_out_html[] =
    "<h1>{{msg.logged_out_title}}</h1>\n<p>{{msg.logged_out_text}} <strong>"
    "{{issuer}}</strong>. {{msg.logged_out_close}}</p>\n";

static const char error_html[] =
    "<h1>{{heading}}</h1>\n<p class=\"error\" role=\"alert\">{{message}}</p>"
    "\n<p>{{msg.error_code}} <code>{{code}}</code></p>\n";

static const char device_code_html[] =
    "<h1>{{msg.device_code_title}}</h1>\n<p>{{msg.device_code_text}}</p>\n"
    "{{{error}}}<form method=\"post\" action=\"{{action}}\">\n{{{fields}}}"
    "<label for=\"user_code\">{{msg.device_code_label}}</label>\n"
    "<input type=\"text\" id=\"user_code\" name=\"user_code\" "
    "value=\"{{code}}\" autocomplete=\"off\" autocapitalize=\"characters\" "
    "spellcheck=\"false\" maxlength=\"64\" placeholder=\"XXXX-XXXX\" "
    "required autofocus>\n"
    "<button type=\"submit\" name=\"action\" value=\"code\">"
    "{{msg.device_code_submit}}</button>\n</form>\n";

static const char device_login_html[] =
    "<h1>{{msg.login_heading}}</h1>\n<p>{{msg.device_login_to}} <strong>"
    "{{client}}</strong></p>\n{{{error}}}"
    "<form method=\"post\" action=\"{{action}}\">\n{{{fields}}}"
    "<label for=\"username\">{{msg.login_username}}</label>\n"
    "<input type=\"text\" id=\"username\" name=\"username\" "
    "autocomplete=\"username\" autocapitalize=\"none\" required autofocus>\n"
    "<label for=\"password\">{{msg.login_password}}</label>\n"
    "<input type=\"password\" id=\"password\" name=\"password\" "
    "autocomplete=\"current-password\" required>\n"
    "<button type=\"submit\" name=\"action\" value=\"login\">"
    "{{msg.login_submit}}</button>\n</form>\n";

static const char device_confirm_html[] =
    "<h1>{{msg.consent_heading}}</h1>\n<p>{{msg.device_confirm_code}} "
    "<strong>{{code}}</strong> {{msg.device_confirm_wants}} <strong>"
    "{{client}}</strong> {{msg.device_confirm_warning}}</p>\n"
    "<p>{{msg.device_confirm_asks}} <strong>{{scope}}</strong></p>\n"
    "<p>{{msg.consent_signed_in_as}} <strong>{{user}}</strong>.</p>\n"
    "<form method=\"post\" action=\"{{action}}\">\n{{{fields}}}"
    "<input type=\"hidden\" name=\"action\" value=\"confirm\">\n"
    "<button type=\"submit\" name=\"decision\" value=\"allow\">"
    "{{msg.consent_allow}}</button>\n"
    "<button type=\"submit\" name=\"decision\" value=\"deny\" "
    "class=\"secondary\">{{msg.consent_deny}}</button>\n</form>\n";

static const char device_done_html[] =
    "<h1>{{title}}</h1>\n<p role=\"status\">{{text}}</p>\n";

static const char totp_html[] =
    "<h1>{{msg.totp_title}}</h1>\n<p>{{msg.login_to}} <strong>{{client}}"
    "</strong></p>\n{{{error}}}"
    "<form method=\"post\" action=\"{{action}}\">\n{{{fields}}}"
    "<label for=\"code\">{{msg.totp_code_label}}</label>\n"
    "<p id=\"code-help\"><small>{{msg.totp_code_help}}</small></p>\n"
    "<input type=\"text\" id=\"code\" name=\"code\" "
    "autocomplete=\"one-time-code\" autocapitalize=\"none\" "
    "spellcheck=\"false\" aria-describedby=\"code-help\" maxlength=\"64\" "
    "required autofocus>\n"
    "<button type=\"submit\" name=\"action\" value=\"totp\">"
    "{{msg.totp_submit}}</button>\n</form>\n";

static const char totp_enrol_html[] =
    "<h1>{{msg.totp_enrol_title}}</h1>\n<p>{{msg.totp_enrol_text}}</p>\n"
    "{{{error}}}"
    "<p>{{msg.totp_enrol_uri}} <a id=\"totp-uri\" href=\"{{uri}}\">{{uri}}"
    "</a></p>\n"
    "<p>{{msg.totp_enrol_secret}} <code id=\"totp-secret\">{{secret}}</code>"
    "</p>\n"
    "<form method=\"post\" action=\"{{action}}\">\n{{{fields}}}"
    "<label for=\"code\">{{msg.totp_enrol_code_label}}</label>\n"
    "<input type=\"text\" id=\"code\" name=\"code\" inputmode=\"numeric\" "
    "autocomplete=\"one-time-code\" maxlength=\"64\" required autofocus>\n"
    "<button type=\"submit\" name=\"action\" value=\"totp\">"
    "{{msg.totp_enrol_submit}}</button>\n</form>\n";

static const char totp_recovery_html[] =
    "<h1>{{msg.totp_recovery_title}}</h1>\n<p>{{msg.totp_recovery_text}}"
    "</p>\n<ul id=\"recovery-codes\" aria-label=\""
    "{{msg.totp_recovery_list}}\">\n{{{items}}}</ul>\n"
    "<form method=\"post\" action=\"{{action}}\">\n{{{fields}}}"
    "<button type=\"submit\" name=\"action\" value=\"continue\">"
    "{{msg.device_code_submit}}</button>\n</form>\n";

static const char leaving_html[] =
    "<h1>{{msg.leaving_heading}}</h1>\n<p>{{msg.leaving_to}} <strong>"
    "{{host}}</strong>. {{msg.leaving_trust}} <strong>{{host}}</strong>."
    "</p>\n<p><code>{{url}}</code></p>\n{{{action}}}";

static const char form_post_html[] =
    "<h1>{{msg.form_post_title}}</h1>\n<form method=\"post\" "
    "action=\"{{action}}\">\n{{{fields}}}<noscript><p>"
    "{{msg.form_post_noscript}}</p><button type=\"submit\">"
    "{{msg.form_post_submit}}</button></noscript>\n</form>\n";

/*
 * Each page: its file, the message of its title, the names it offers
 * escaped and raw (space-separated; docs/THEMES.md), its built-in text.
 */
static const struct page {
	const char	*file;
	const char	*title_key;
	const char	*vars;
	const char	*raw;
	const char	*builtin;
} pages[OIDC_UI__NPAGES] = {
	{ "layout.html", NULL, "title", "body", layout_html },
	{ "login.html", "login_title", "client action hint",
	    "fields error logo links", login_html },
	{ "consent.html", "consent_title", "client action user",
	    "fields items logo links", consent_html },
	{ "logout.html", "logout_title", "issuer action", "fields",
	    logout_html },
	{ "logged_out.html", "logged_out_title", "issuer", "", logged_out_html },
	{ "error.html", "error_title", "heading message code", "", error_html },
	{ "device_code.html", "device_code_title", "action code",
	    "fields error", device_code_html },
	{ "device_login.html", "login_title", "action client code",
	    "fields error", device_login_html },
	{ "device_confirm.html", "consent_title",
	    "action client code scope user", "fields error",
	    device_confirm_html },
	{ "device_done.html", NULL, "title text", "", device_done_html },
	{ "totp.html", "totp_title", "client action", "fields error",
	    totp_html },
	{ "totp_enrol.html", "totp_enrol_title", "uri secret action",
	    "fields error", totp_enrol_html },
	{ "totp_recovery.html", "totp_recovery_title", "action",
	    "fields items", totp_recovery_html },
	{ "leaving.html", "leaving_title", "url host", "action",
	    leaving_html },
	{ "form_post.html", "form_post_title", "action", "fields",
	    form_post_html },
};

struct ui_locale {
	char		 tag[OIDC_UI_MAX_TAG + 1];
	const char	*text[UI_NKEYS];
	char		*own[UI_NKEYS];		/* from a messages file */
};

/* What oidc_ui_load loaded; nothing (nloc 0): built-in, English. */
static struct {
	char			*tmpl[OIDC_UI__NPAGES];	/* NULL: built-in */
	size_t			 tmpl_len[OIDC_UI__NPAGES];
	struct ui_locale	 loc[OIDC_UI_MAX_LOCALES];
	size_t			 nloc;
} ui;

size_t
oidc_ui_nlocales(void)
{
	return ui.nloc > 0 ? ui.nloc : 1;
}

const char *
oidc_ui_locale(size_t i)
{
	if (ui.nloc == 0)
		return i == 0 ? "en" : NULL;
	return i < ui.nloc ? ui.loc[i].tag : NULL;
}

const char *
oidc_ui_msg(int lang, const char *key)
{
	int	 k = ui_key_index(key, strlen(key));

	if (k == -1)
		return key;	/* a caller's own text */
	if (lang < 0 || (size_t)lang >= ui.nloc)
		return ui_english((size_t)k);
	return ui.loc[lang].text[k];
}

/* Is name (len bytes) one of the space-separated words of list? */
static bool
in_list(const char *list, const char *name, size_t len)
{
	const char	*w = list, *e;

	while (*w != '\0') {
		if ((e = strchr(w, ' ')) == NULL)
			e = w + strlen(w);
		if ((size_t)(e - w) == len && memcmp(w, name, len) == 0)
			return true;
		w = *e == ' ' ? e + 1 : e;
	}
	return false;
}

static bool
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
	    c == '.';
}

/* What a render needs besides the template. */
struct render {
	const struct page		*pg;
	const char			*file;	/* for messages */
	int				 lang;
	const char			*tag;
	const struct oidc_html_var	*vars;
	size_t				 nvars;
};

static int
bad_tmpl(const struct render *r, const char *t, const char *at,
    const char *problem, const char *name, size_t len, struct oidc_error *err)
{
	size_t	 line = 1;

	for (; t < at; t++)
		line += *t == '\n';
	return oidc_fail(err, OIDC_E_CONFIG, NULL, "%s:%zu: %s%.*s%s",
	    r->file, line, problem, (int)(len > 40 ? 40 : len), name,
	    len > 0 ? "\"" : "");
}

/* Check one placeholder name; with b, append its value. */
static int
substitute(const struct render *r, struct oidc_buf *b, const char *tmpl,
    const char *name, size_t len, bool raw, struct oidc_error *err)
{
	struct oidc_str	 v = OIDC_STR_NULL;
	size_t		 i;
	int		 k;

	if (!raw && len == 4 && memcmp(name, "lang", 4) == 0)
		v = (struct oidc_str){ r->tag, strlen(r->tag) };
	else if (!raw && len > 4 && memcmp(name, "msg.", 4) == 0) {
		if ((k = ui_key_index(name + 4, len - 4)) == -1)
			return bad_tmpl(r, tmpl, name, "unknown message key \"",
			    name + 4, len - 4, err);
		v.p = oidc_ui_msg(r->lang, oidc_ui_key((size_t)k));
		v.len = strlen(v.p);
	} else if (raw ? !in_list(r->pg->raw, name, len) :
	    !in_list(r->pg->vars, name, len))
		return bad_tmpl(r, tmpl, name, raw ? in_list(r->pg->vars,
		    name, len) ? "not a fragment, write {{name}} not "
		    "{{{name}}}: \"" : "unknown raw placeholder \"" :
		    in_list(r->pg->raw, name, len) ? "a fragment, write "
		    "{{{name}}}: \"" : "unknown placeholder \"", name, len,
		    err);
	else
		for (i = 0; i < r->nvars; i++)
			if (strlen(r->vars[i].name) == len &&
			    memcmp(r->vars[i].name, name, len) == 0)
				v = r->vars[i].value;
	if (b == NULL || v.p == NULL)
		return 0;
	return raw ? oidc_buf_append(b, v.p, v.len, err) :
	    oidc_buf_htmlescape(b, v.p, v.len, err);
}

/* Check the template (b NULL) or render it into b. */
static int
walk(const struct render *r, const char *t, size_t len, struct oidc_buf *b,
    struct oidc_error *err)
{
	const char	*p = t, *end = t + len, *open, *name, *q;
	bool		 raw;

	while ((open = memmem(p, (size_t)(end - p), "{{", 2)) != NULL) {
		if (b != NULL && oidc_buf_append(b, p, (size_t)(open - p),
		    err) == -1)
			return -1;
		raw = open + 2 < end && open[2] == '{';
		name = open + (raw ? 3 : 2);
		for (q = name; q < end && name_char(*q); q++)
			;
		if (q == name || (size_t)(end - q) < (raw ? 3u : 2u) ||
		    memcmp(q, "}}}", raw ? 3 : 2) != 0)
			return bad_tmpl(r, t, open, "unterminated or malformed "
			    "placeholder", "", 0, err);
		if (substitute(r, b, t, name, (size_t)(q - name), raw,
		    err) == -1)
			return -1;
		p = q + (raw ? 3 : 2);
	}
	if (memchr(t, '\0', len) != NULL)
		return bad_tmpl(r, t, t, "a NUL byte", "", 0, err);
	return b == NULL ? 0 : oidc_buf_append(b, p, (size_t)(end - p), err);
}

int
oidc_ui_check(enum oidc_ui_page page, const char *name, const char *tmpl,
    size_t len, struct oidc_error *err)
{
	const struct render	 r = { &pages[page], name, 0, "en", NULL, 0 };

	return walk(&r, tmpl, len, NULL, err);
}

static int
render(struct oidc_buf *b, enum oidc_ui_page page, int lang,
    const char *tag, const struct oidc_html_var *vars, size_t n,
    struct oidc_error *err)
{
	const struct render	 r = { &pages[page], pages[page].file, lang,
	    tag != NULL ? tag : oidc_ui_locale((size_t)lang) != NULL ?
	    oidc_ui_locale((size_t)lang) : "en", vars, n };

	if (ui.tmpl[page] != NULL)
		return walk(&r, ui.tmpl[page], ui.tmpl_len[page], b, err);
	return walk(&r, pages[page].builtin, strlen(pages[page].builtin), b,
	    err);
}

int
oidc_ui_layout(struct oidc_buf *b, int lang, const char *lang_tag,
    const char *title, struct oidc_str body, struct oidc_error *err)
{
	const struct oidc_html_var	 vars[] = {
		{ "title", { title, strlen(title) } },
		{ "body", body },
	};

	return render(b, OIDC_UI_LAYOUT, lang, lang_tag, vars,
	    OIDC_NELEM(vars), err);
}

int
oidc_ui_respond(struct oidc_response *resp, int status, const char *csp,
    enum oidc_ui_page page, const struct oidc_html_var *vars, size_t n,
    struct oidc_error *err)
{
	return oidc_ui_respond_tail(resp, status, csp, page, vars, n, NULL,
	    err);
}

int
oidc_ui_respond_tail(struct oidc_response *resp, int status,
    const char *csp, enum oidc_ui_page page, const struct oidc_html_var *vars,
    size_t n, const char *tail, struct oidc_error *err)
{
	struct oidc_buf	 body, out;
	const char	*title = "";
	size_t		 i;

	if (pages[page].title_key != NULL)
		title = oidc_ui_msg(resp->ui_lang, pages[page].title_key);
	for (i = 0; i < n && pages[page].title_key == NULL; i++)
		if (strcmp(vars[i].name, "title") == 0 && vars[i].value.p != NULL)
			title = vars[i].value.p;	/* NUL-terminated */
	oidc_buf_init(&body, resp->a, 96 * 1024);
	oidc_buf_init(&out, resp->a, 128 * 1024);
	if (render(&body, page, resp->ui_lang, NULL, vars, n, err) == -1 ||
	    (tail != NULL && oidc_buf_append(&body, tail, strlen(tail),
	    err) == -1) ||
	    oidc_ui_layout(&out, resp->ui_lang, NULL, title,
	    oidc_buf_str(&body), err) == -1)
		return -1;
	if (csp != NULL)
		return oidc_resp_html_csp(resp, status, oidc_buf_str(&out), csp,
		    err);
	return oidc_resp_html(resp, status, oidc_buf_str(&out), err);
}

/*
 * Read dir/file whole (at most max bytes) into a malloc'd, NUL-terminated
 * *out: 1, 0 when there is no such file, -1 on an error.
 */
static int
read_file(const char *dir, const char *file, size_t max, char **out,
    size_t *outlen, struct oidc_error *err)
{
	char		 path[4096];
	struct stat	 st;
	ssize_t		 n;
	size_t		 got = 0;
	int		 fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >=
	    sizeof(path))
		return oidc_fail(err, OIDC_E_CONFIG, NULL, "ui_templates: path "
		    "too long");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 0;
		return oidc_fail(err, OIDC_E_CONFIG, NULL, "%s: %s", path,
		    strerror(errno));
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size > max ||
	    (*out = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return oidc_fail(err, OIDC_E_CONFIG, NULL, "%s: not a regular "
		    "file of at most %zu bytes", path, max);
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, *out + got, (size_t)st.st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got != (size_t)st.st_size) {
		free(*out);
		return oidc_fail(err, OIDC_E_CONFIG, NULL, "%s: read failed",
		    path);
	}
	(*out)[got] = '\0';
	*outlen = got;
	return 1;
}

void
oidc_ui_reset(void)
{
	size_t	 i, k;

	for (i = 0; i < OIDC_UI__NPAGES; i++)
		free(ui.tmpl[i]);
	for (i = 0; i < ui.nloc; i++)
		for (k = 0; k < UI_NKEYS; k++)
			free(ui.loc[i].own[k]);
	memset(&ui, 0, sizeof(ui));
}

static bool
tag_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-';
}

/* One language of ui_locales: its built-in texts, then messages.TAG. */
static int
add_locale(const char *dir, const char *tag, size_t len,
    struct oidc_error *err)
{
	struct ui_locale	*l = &ui.loc[ui.nloc];
	char			 file[sizeof(l->tag) + 16], lower[sizeof(l->tag)];
	char			*buf;
	size_t			 i, blen;
	int			 found, rc;

	if (len == 0 || len > OIDC_UI_MAX_TAG || !tag_char(tag[0]) ||
	    tag[0] == '-' || tag[len - 1] == '-')
		return oidc_fail(err, OIDC_E_CONFIG, NULL, "ui_locales: bad "
		    "language tag \"%.*s\"", (int)(len > 40 ? 40 : len), tag);
	for (i = 0; i < len; i++) {
		if (!tag_char(tag[i]))
			return oidc_fail(err, OIDC_E_CONFIG, NULL, "ui_locales:"
			    " bad language tag \"%.*s\"", (int)len, tag);
		lower[i] = (char)(tag[i] >= 'A' && tag[i] <= 'Z' ?
		    tag[i] + 32 : tag[i]);
	}
	lower[len] = '\0';
	for (i = 0; i < ui.nloc; i++)
		if (strcasecmp(ui.loc[i].tag, lower) == 0)
			return oidc_fail(err, OIDC_E_CONFIG, NULL, "ui_locales:"
			    " \"%s\" listed twice", lower);
	if (ui.nloc == OIDC_UI_MAX_LOCALES)
		return oidc_fail(err, OIDC_E_CONFIG, NULL, "ui_locales: more "
		    "than %d languages", OIDC_UI_MAX_LOCALES);
	memcpy(l->tag, tag, len);
	(void)ui_builtin("en", l->text);
	found = ui_builtin(lower, l->text);
	if (!found && strchr(lower, '-') != NULL) {
		*strchr(lower, '-') = '\0';	/* fr-CA: French */
		found = ui_builtin(lower, l->text);
	}
	rc = 0;
	if (dir != NULL) {
		(void)snprintf(file, sizeof(file), "messages.%s", l->tag);
		if ((rc = read_file(dir, file, OIDC_UI_MAX_MESSAGES, &buf, &blen,
		    err)) == -1)
			return -1;
		if (rc == 1) {
			const char *before[UI_NKEYS];

			memcpy(before, l->text, sizeof(before));
			rc = oidc_ui_messages_parse(file, buf, blen, l->text,
			    err);
			free(buf);
			if (rc == -1)
				return -1;
			for (i = 0; i < UI_NKEYS; i++)
				if (l->text[i] != before[i])
					l->own[i] = (char *)l->text[i];
			rc = 1;
		}
	}
	if (!found && rc == 0)
		return oidc_fail(err, OIDC_E_CONFIG, NULL, "ui_locales: no "
		    "messages for \"%s\" (built in: en fr; else put "
		    "messages.%s in ui_templates)", l->tag, l->tag);
	ui.nloc++;
	return 0;
}

static int
load_locales(const char *dir, const char *locales, struct oidc_error *err)
{
	const char	*p = locales != NULL ? locales : "en", *w;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		for (w = p; *p != '\0' && *p != ' ' && *p != '\t'; p++)
			;
		if (add_locale(dir, w, (size_t)(p - w), err) == -1)
			return -1;
	}
	if (ui.nloc == 0)
		return oidc_fail(err, OIDC_E_CONFIG, NULL, "ui_locales: empty");
	return 0;
}

int
oidc_ui_load(const char *dir, const char *locales, struct oidc_error *err)
{
	size_t	 i;
	int	 rc;

	oidc_ui_reset();
	for (i = 0; dir != NULL && i < OIDC_UI__NPAGES; i++) {
		if ((rc = read_file(dir, pages[i].file, OIDC_UI_MAX_TEMPLATE,
		    &ui.tmpl[i], &ui.tmpl_len[i], err)) == -1)
			goto fail;
		if (rc == 1 && oidc_ui_check(i, pages[i].file, ui.tmpl[i],
		    ui.tmpl_len[i], err) == -1)
			goto fail;
	}
	if (load_locales(dir, locales, err) == -1)
		goto fail;
	return 0;
fail:
	oidc_ui_reset();
	return -1;
}
