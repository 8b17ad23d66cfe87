/*
 * test_ui.c: page templates and languages (common/http/ui*.c, oidc/ui.h):
 * the built-in pages in English and French, choosing the language from
 * ui_locales and Accept-Language, checking an operator's templates at
 * load, and messages files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oidc/arena.h"
#include "oidc/buf.h"
#include "oidc/html.h"
#include "oidc/response.h"
#include "oidc/ui.h"

#include "tap.h"

#define S(lit)	lit, sizeof(lit) - 1

static struct oidc_arena	*a;
static char			 dir[] = "/tmp/test_ui.XXXXXX";

static bool
has(struct oidc_str s, const char *needle)
{
	return memmem(s.p, s.len, needle, strlen(needle)) != NULL;
}

static void
put(const char *name, const char *text)
{
	char	 path[256];
	FILE	*f;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF) {
		ok(0, "write %s", path);
		exit(1);
	}
	fclose(f);
}

static void
rm(const char *name)
{
	char	 path[256];

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	(void)unlink(path);
}

/* The login page as resp would send it, in language lang. */
static struct oidc_str
login(struct oidc_response *resp, int lang, const char *client)
{
	struct oidc_error		 err = { 0 };
	const struct oidc_html_var	 v[] = {
		{ "client", { client, strlen(client) } },
		{ "action", { S("https://op.example/authorize") } },
		{ "fields", { S("<input type=\"hidden\" name=\"x\">") } },
	};

	oidc_resp_init(resp, a);
	resp->ui_lang = lang;
	if (oidc_ui_respond(resp, 200, NULL, OIDC_UI_LOGIN, v, OIDC_NELEM(v),
	    &err) == -1) {
		ok(0, "respond: %s", err.detail);
		return (struct oidc_str){ "", 0 };
	}
	return oidc_buf_str(&resp->body);
}

static void
test_builtin(void)
{
	struct oidc_response	 resp;
	struct oidc_error	 err = { 0 };
	struct oidc_str		 s;

	oidc_ui_reset();
	is_int((long long)oidc_ui_nlocales(), 1, "default: one language");
	is_str(oidc_ui_locale(0), "en", "default: en");
	s = login(&resp, 0, "<b>Shop</b>");
	ok(has(s, "<html lang=\"en\">"), "en: html lang");
	ok(has(s, "<title>Sign in</title>"), "en: title");
	ok(has(s, "<label for=\"username\">Username</label>"), "en: label");
	ok(has(s, "&lt;b&gt;Shop&lt;/b&gt;") && !has(s, "<b>Shop"),
	    "en: variables escaped");
	ok(has(s, "<input type=\"hidden\" name=\"x\">"), "en: fragment raw");

	is_int(oidc_ui_load(NULL, "fr en", &err), 0, "load fr en");
	is_str(oidc_ui_locale(0), "fr", "first is fr");
	s = login(&resp, 0, "Shop");
	ok(has(s, "<html lang=\"fr\">"), "fr: html lang");
	ok(has(s, "<title>Connexion</title>"), "fr: title");
	ok(has(s, "Mot de passe</label>"), "fr: password label");
	ok(has(s, "Se connecter</button>"), "fr: submit");
	s = login(&resp, 1, "Shop");
	ok(has(s, "<html lang=\"en\">") && has(s, "Password</label>"),
	    "second language: en");
	is_str(oidc_ui_msg(0, "error_title"), "Erreur", "msg fr");
	is_str(oidc_ui_msg(1, "error_title"), "Error", "msg en");
	is_str(oidc_ui_msg(0, "not a key"), "not a key",
	    "msg: a caller's own text passes");
	is_int(oidc_ui_load(NULL, "de", &err), -1,
	    "a language without messages is refused");
	ok(strstr(err.detail, "messages.de") != NULL, "... naming the file: %s",
	    err.detail);
	oidc_error_clear(&err);
	is_int(oidc_ui_load(NULL, "fr-CA", &err), 0, "fr-CA: French texts");
	is_str(oidc_ui_msg(0, "consent_deny"), "Refuser", "fr-CA is French");
	is_int(oidc_ui_load(NULL, "en en", &err), -1, "twice refused");
	oidc_error_clear(&err);
	is_int(oidc_ui_load(NULL, "e<n", &err), -1, "bad tag refused");
	oidc_error_clear(&err);
	is_int(oidc_ui_load(NULL, "  ", &err), -1, "empty refused");
	oidc_error_clear(&err);
	is_int(oidc_ui_load(NULL, "a b c d e f g h i", &err), -1,
	    "more than 8 refused");
	oidc_ui_reset();
}

struct pick_case {
	const char	*hdr;
	int		 want;
};

static void
test_pick(void)
{
	static const struct pick_case accept[] = {
		{ "fr", 1 }, { "fr-FR,fr;q=0.9,en;q=0.8", 1 },
		{ "en-US,en;q=0.9", 0 }, { "de, fr;q=0.5", 2 }, { "da, fr;q=0.5", 1 },
		{ "fr;q=0.4, en;q=0.5", 0 }, { "fr;q=0", 0 },
		{ "FR-ca", 1 }, { "*", 0 }, { "", 0 }, { ",,,;;;=", 0 },
		{ "fr;q=2", 0 }, { "fr;q=1.001", 0 }, { "fr;q=0.0001", 0 },
		{ "fr;q=abc, nl-BE-x-y;q=1, de-AT;q=0.3", 2 },
		{ " \tfr ; q=0.7 ", 1 }, { "x-fr", 0 }, { "f", 0 },
		{ "en;q=0.5, fr;q=0.5", 0 }, { "fr;level=1;q=0.8", 1 },
	};
	struct oidc_error	 err = { 0 };
	char			 big[OIDC_UI_MAX_ACCEPT + 8];
	size_t			 i;

	is_int(oidc_ui_load(NULL, "en fr de", &err) == -1, 1,
	    "de needs a file");
	oidc_error_clear(&err);
	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	put("messages.de", "# Deutsch\nlogin_title = Anmelden\n");
	is_int(oidc_ui_load(dir, "en fr de", &err), 0, "en fr de");
	is_str(oidc_ui_msg(2, "login_title"), "Anmelden", "de from its file");
	is_str(oidc_ui_msg(2, "login_heading"), "Sign in",
	    "de: missing keys are English");
	for (i = 0; i < OIDC_NELEM(accept); i++)
		is_int(oidc_ui_pick_accept(accept[i].hdr,
		    strlen(accept[i].hdr)), accept[i].want, accept[i].hdr);
	/* nl-BE-x-y matched nothing; de-AT got de (2). */
	is_int(oidc_ui_pick_locales(S("de fr"), 0), 2, "ui_locales: first wins");
	is_int(oidc_ui_pick_locales(S("xx fr-CA"), 0), 1,
	    "ui_locales: unsupported skipped, prefix match");
	is_int(oidc_ui_pick_locales(S("xx yy"), 1), 1,
	    "ui_locales: none offered: fallback");
	is_int(oidc_ui_pick_locales(S(""), 2), 2, "ui_locales: empty");
	memset(big, ' ', sizeof(big));
	memcpy(big + sizeof(big) - 2, "fr", 2);
	is_int(oidc_ui_pick_accept(big, sizeof(big)), 0,
	    "Accept-Language over the limit: ignored");
	is_int(oidc_ui_pick_locales(big, sizeof(big), 0), 0,
	    "ui_locales over the limit: ignored");
	rm("messages.de");
	oidc_ui_reset();
}

struct tmpl_case {
	const char	*file;
	const char	*text;
	const char	*problem;	/* NULL: accepted */
};

static void
test_templates(void)
{
	static const struct tmpl_case cases[] = {
		{ "login.html", "<p>{{msg.login_to}} {{client}}</p>{{{fields}}}"
		    "<i>{{lang}}</i>", NULL },
		{ "login.html", "a\n{{client", "login.html:2: unterminated" },
		{ "login.html", "{{{fields}}", "unterminated" },
		{ "login.html", "{{nope}}", "unknown placeholder \"nope\"" },
		{ "login.html", "{{fields}}", "a fragment" },
		{ "login.html", "{{{client}}}", "not a fragment" },
		{ "login.html", "{{{msg.login_to}}}", "unknown raw" },
		{ "login.html", "{{msg.nope}}", "unknown message key" },
		{ "login.html", "{{ client }}", "malformed" },
		{ "consent.html", "{{hint}}", "unknown placeholder" },
		{ "error.html", "{{{body}}}", "unknown raw" },
		{ "layout.html", "<html lang=\"{{lang}}\">{{title}}{{{body}}}",
		    NULL },
	};
	struct oidc_response	 resp;
	struct oidc_error	 err;
	struct oidc_str		 s;
	size_t			 i;

	for (i = 0; i < OIDC_NELEM(cases); i++) {
		oidc_error_clear(&err);
		put(cases[i].file, cases[i].text);
		if (cases[i].problem == NULL)
			is_int(oidc_ui_load(dir, "en", &err), 0,
			    cases[i].text);
		else
			ok(oidc_ui_load(dir, "en", &err) == -1 &&
			    strstr(err.detail, cases[i].problem) != NULL,
			    "template %zu refused: %s", i, err.detail);
		rm(cases[i].file);
	}
	oidc_error_clear(&err);
	put("login.html", "<section class=\"brand\">{{msg.login_to}} "
	    "{{client}}</section>{{{fields}}}");
	put("layout.html", "<!DOCTYPE html><html lang=\"{{lang}}\"><title>"
	    "{{title}}</title>{{{body}}}</html>");
	put("messages.fr", "login_to = pour aller chez\n"
	    "login_heading = <script>x</script> & co\n");
	is_int(oidc_ui_load(dir, "en fr", &err), 0, "theme loads");
	s = login(&resp, 1, "<x>");
	ok(has(s, "<!DOCTYPE html><html lang=\"fr\"><title>Connexion</title>"
	    "<section class=\"brand\">pour aller chez &lt;x&gt;</section>"),
	    "theme: the operator's layout and login, messages file, escaping");
	s = login(&resp, 1, "x");
	ok(!has(s, "<script>"), "a messages file cannot insert markup");
	const struct oidc_html_var hv[] = { { "client", { S("c") } } };
	oidc_resp_init(&resp, a);
	resp.ui_lang = 1;
	put("login.html", "<h1>{{msg.login_heading}}</h1>");
	is_int(oidc_ui_load(dir, "en fr", &err), 0, "theme reloads");
	is_int(oidc_ui_respond(&resp, 200, NULL, OIDC_UI_LOGIN, hv, 1, &err),
	    0, "login");
	ok(has(oidc_buf_str(&resp.body), "<h1>&lt;script&gt;x&lt;/script&gt; "
	    "&amp; co</h1>"), "message texts are escaped");
	/* A page the theme does not replace is the built-in one. */
	oidc_error_clear(&err);
	const struct oidc_html_var v[] = { { "issuer", { S("I") } } };
	oidc_resp_init(&resp, a);
	is_int(oidc_ui_respond(&resp, 200, NULL, OIDC_UI_LOGGED_OUT, v, 1,
	    &err), 0, "logged out");
	ok(has(oidc_buf_str(&resp.body), "<h1>Signed out</h1>"),
	    "missing file: the built-in page");
	rm("login.html");
	rm("layout.html");
	rm("messages.fr");
	oidc_ui_reset();
	(void)rmdir(dir);
}

struct msg_case {
	const char	*text;
	const char	*problem;
};

static void
test_messages(void)
{
	static const struct msg_case cases[] = {
		{ "# c\n\n  login_title =  Hello  \r\nerror_title=E", NULL },
		{ "login_title", "expected" },
		{ "nope = x", "unknown message key" },
		{ "login_title = a\nlogin_title = b", "given twice" },
		{ "login_title =   ", "empty" },
		{ "login_title = a\tb", "control" },
	};
	const char		*texts[OIDC_UI_NKEYS] = { NULL };
	struct oidc_error	 err;
	char			*big;
	size_t			 i, k;

	ok(oidc_ui_nkeys() == OIDC_NELEM(texts), "keys fit");
	for (i = 0; i < OIDC_NELEM(cases); i++) {
		oidc_error_clear(&err);
		if (cases[i].problem == NULL) {
			is_int(oidc_ui_messages_parse("m", cases[i].text,
			    strlen(cases[i].text), texts, &err), 0,
			    "messages accepted");
			continue;
		}
		ok(oidc_ui_messages_parse("m", cases[i].text,
		    strlen(cases[i].text), texts, &err) == -1 &&
		    strstr(err.detail, cases[i].problem) != NULL,
		    "refused: %s", err.detail);
	}
	for (k = 0; k < oidc_ui_nkeys(); k++)
		if (strcmp(oidc_ui_key(k), "login_title") == 0)
			is_str(texts[k], "Hello", "text trimmed");
		else if (strcmp(oidc_ui_key(k), "error_title") == 0)
			is_str(texts[k], "E", "no space around =");
	for (k = 0; k < oidc_ui_nkeys(); k++)
		free((char *)texts[k]);
	big = calloc(1, OIDC_UI_MAX_MESSAGES + 2);
	memset(big, '#', OIDC_UI_MAX_MESSAGES + 1);
	oidc_error_clear(&err);
	is_int(oidc_ui_messages_parse("m", big, OIDC_UI_MAX_MESSAGES + 1,
	    texts, &err), -1, "over the limit refused");
	free(big);
}

/* Every built-in page renders in every built-in language. */
static void
test_all_pages(void)
{
	struct oidc_response	 resp;
	struct oidc_error	 err = { 0 };
	int			 p, l;

	is_int(oidc_ui_load(NULL, "en fr", &err), 0, "en fr");
	for (l = 0; l < 2; l++)
		for (p = OIDC_UI_LOGIN; p < OIDC_UI__NPAGES; p++) {
			oidc_resp_init(&resp, a);
			resp.ui_lang = l;
			ok(oidc_ui_respond(&resp, 200, NULL, p, NULL, 0,
			    &err) == 0 && has(oidc_buf_str(&resp.body),
			    l == 0 ? "lang=\"en\"" : "lang=\"fr\""),
			    "page %d in %d", p, l);
			oidc_arena_reset(a);
		}
	/* device_done.html: the title is its variable, escaped twice over. */
	const struct oidc_html_var dv[] = { { "title", { S("Done <1>") } },
	    { "text", { S("t") } } };
	oidc_resp_init(&resp, a);
	ok(oidc_ui_respond(&resp, 200, NULL, OIDC_UI_DEVICE_DONE, dv, 2,
	    &err) == 0 && has(oidc_buf_str(&resp.body),
	    "<title>Done &lt;1&gt;</title>") && has(oidc_buf_str(&resp.body),
	    "<h1>Done &lt;1&gt;</h1>"), "device_done: its title");
	oidc_arena_reset(a);
	/* form_post.html in French, the caller's script after the page. */
	const struct oidc_html_var fv[] = { { "action", { S("https://rp/cb") } },
	    { "fields", { S("<input type=\"hidden\" name=\"code\" "
	    "value=\"c\">") } } };
	oidc_resp_init(&resp, a);
	resp.ui_lang = 1;
	ok(oidc_ui_respond_tail(&resp, 200, NULL, OIDC_UI_FORM_POST, fv, 2,
	    "<script>s();</script>", &err) == 0 &&
	    has(oidc_buf_str(&resp.body), "<title>Continuer</title>") &&
	    has(oidc_buf_str(&resp.body), "name=\"code\" value=\"c\">") &&
	    has(oidc_buf_str(&resp.body), "</form>\n<script>s();</script>"),
	    "form_post: French, the tail after the form");
	oidc_arena_reset(a);
	/* leaving.html: English and French texts around the host. */
	const struct oidc_html_var lv[] = { { "url", { S("https://x/cb") } },
	    { "host", { S("x<y") } }, { "action", { S("<p>a</p>") } } };
	oidc_resp_init(&resp, a);
	resp.ui_lang = 1;
	ok(oidc_ui_respond(&resp, 200, NULL, OIDC_UI_LEAVING, lv, 3,
	    &err) == 0 && has(oidc_buf_str(&resp.body),
	    "<h1>Vous quittez ce site</h1>") && has(oidc_buf_str(&resp.body),
	    "<strong>x&lt;y</strong>") && has(oidc_buf_str(&resp.body),
	    "<p>a</p>"), "leaving: French, host escaped, action raw");
	oidc_arena_reset(a);
	oidc_ui_reset();
}

int
main(void)
{
	if ((a = oidc_arena_new(4096, 1 << 22)) == NULL)
		return 1;
	test_builtin();
	test_pick();
	test_templates();
	test_messages();
	test_all_pages();
	oidc_arena_free(a);
	return done_testing();
}
