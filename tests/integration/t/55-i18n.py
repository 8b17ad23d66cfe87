#!/usr/bin/env python3
"""55-i18n: the pages' languages and themes (issue 22 item 4, oidc/ui.h).

The harness offers `ui_locales = en fr`.  Over HTTP: discovery lists
ui_locales_supported; the login page is French for ui_locales=fr and for
Accept-Language: fr (English for en, unsupported tags and no header),
with <html lang>; ui_locales wins over Accept-Language; ui_locales is
carried through the login (the failed-login message and the consent page
stay French); the error, logout and device pages follow Accept-Language
and ui_locales; values stay escaped in French; the form_post page and
the "leaving this site" page (of a dynamically registered client) are
French for ui_locales=fr, English by default, the form_post script and
its CSP hash unchanged.

A private authorize worker with `ui_templates` (and `sandbox = yes`, so
that a template read after start-up would kill it): its login.html and
messages.fr replace the built-in ones, its missing consent.html falls back
to the built-in one; its form_post.html is used, the auto-submit script
still after it.  A broken template, an unknown message key and an
unsupported language without messages are start-up errors (exit 78) with
the file and line, from --check-config.

Run behind lighttpd too (Accept-Language and the query reach the workers
the same way).
"""
# oidctest: lighttpd
import base64
import hashlib
import json
import os
import re
import subprocess

from oidctest import *
from flow import RP, Browser, authorize_url, make_client, make_user, \
    parse_page
from hardening import *
from privflow import PrivateBrowser

BUILD = env("OIDC_BUILD")


def lang_of(r):
    m = re.search(r'<html lang="([^"]*)"', r.text)
    return m.group(1) if m else None


def params(c, **extra):
    p = {"response_type": "code", "client_id": c["client_id"],
         "redirect_uri": RP, "scope": "openid email", "state": "s1",
         "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
         "code_challenge_method": "S256"}
    p.update(extra)
    return p


# ---- discovery ---------------------------------------------------------------
d = get("/.well-known/openid-configuration").json()
check("discovery: ui_locales_supported is the configured list",
      d.get("ui_locales_supported") == ["en", "fr"],
      d.get("ui_locales_supported"))

c = make_client(client_name="<b>Caf\u00e9 & Co</b>")
user = unique("i18n")
pw = "pw-" + unique("p")
make_user(user, pw)

# ---- the login page: ui_locales, Accept-Language ----------------------------
b = Browser()
r = b.authorize(params(c, ui_locales="fr"))
t = r.text
check("ui_locales=fr: 200 login page", r.status == 200, r.describe())
check("ui_locales=fr: <html lang=fr>", lang_of(r) == "fr", lang_of(r))
check("ui_locales=fr: French title, labels and button",
      "<title>Connexion</title>" in t and "Mot de passe</label>" in t and
      "Se connecter</button>" in t, t[:1500])
check("ui_locales=fr: the client name stays escaped",
      "&lt;b&gt;Caf\u00e9 &amp; Co&lt;/b&gt;" in t and "<b>Caf" not in t)
check("ui_locales=fr: ui_locales carried as a hidden field",
      (parse_page(r).login_form().hidden_dict() or {}).get("ui_locales") ==
      "fr")

r = Browser().get(authorize_url(params(c)),
                  headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.8"})
check("Accept-Language fr-FR: French page", lang_of(r) == "fr" and
      "Mot de passe" in r.text, (lang_of(r), r.status))
r = Browser().get(authorize_url(params(c)),
                  headers={"Accept-Language": "de-DE, en;q=0.5, fr;q=0.4"})
check("Accept-Language q-values: en (0.5) over fr (0.4)",
      lang_of(r) == "en" and "Password</label>" in r.text, lang_of(r))
r = Browser().get(authorize_url(params(c)),
                  headers={"Accept-Language": "de, ja"})
check("Accept-Language without an offered language: the first (en)",
      lang_of(r) == "en", lang_of(r))
r = Browser().get(authorize_url(params(c)))
check("no Accept-Language: en", lang_of(r) == "en" and
      "<title>Sign in</title>" in r.text, lang_of(r))
r = Browser().get(authorize_url(params(c, ui_locales="en")),
                  headers={"Accept-Language": "fr"})
check("ui_locales=en wins over Accept-Language: fr", lang_of(r) == "en",
      lang_of(r))
r = Browser().get(authorize_url(params(c, ui_locales="sv fr-CA")),
                  headers={"Accept-Language": "en"})
check("ui_locales 'sv fr-CA': fr (first offered, by prefix)",
      lang_of(r) == "fr", lang_of(r))
r = Browser().get(authorize_url(params(c, ui_locales="sv")),
                  headers={"Accept-Language": "fr"})
check("ui_locales with nothing offered: Accept-Language decides",
      lang_of(r) == "fr", lang_of(r))
r = Browser().get(authorize_url(params(c)),
                  headers={"Accept-Language": "fr;q=" + "9" * 3000})
check("a huge Accept-Language: no error, the default", r.status == 200 and
      lang_of(r) == "en", r.describe())

# ---- the round trip stays French --------------------------------------------
b = Browser()
r = b.authorize(params(c, ui_locales="fr"))
r = b.login(r, user, "wrong-" + pw)
check("failed login: French message, French page",
      lang_of(r) == "fr" and "mot de passe est incorrect" in r.text,
      r.text[:1500])
r = b.login(r, user, pw)
t = r.text
check("consent page after the login: French", lang_of(r) == "fr" and
      "<title>Autoriser l\u2019acc\u00e8s</title>" in t and
      "Refuser</button>" in t and "voir votre adresse e-mail" in t, t[:2000])

# ---- error and logout pages ---------------------------------------------------
r = Browser().get("/authorize?client_id=nope&response_type=code",
                  headers={"Accept-Language": "fr"})
check("error page: 400, French", r.status == 400 and lang_of(r) == "fr" and
      "<title>Erreur</title>" in r.text and "Code d\u2019erreur" in r.text,
      r.describe())
r = Browser().get("/authorize?client_id=nope&response_type=code")
check("error page: English by default", lang_of(r) == "en" and
      "Error code:" in r.text, r.describe())
if have_endpoint("end_session"):
    # b holds the session of the French round trip above.
    r = b.get("/end_session?ui_locales=fr")
    check("logout confirmation: French with ui_locales=fr",
          lang_of(r) == "fr" and "Se d\u00e9connecter</button>" in r.text,
          r.describe())
    r = Browser().get("/end_session", headers={"Accept-Language": "fr"})
    check("signed-out page: French with Accept-Language",
          lang_of(r) == "fr" and "<h1>D\u00e9connect\u00e9</h1>" in r.text,
          r.describe())
else:
    check("end_session endpoint deployed", False)

# ---- the device verification page ---------------------------------------------
r = Browser().get("/device", headers={"Accept-Language": "fr"})
check("device page: French with Accept-Language", r.status == 200 and
      lang_of(r) == "fr" and "<title>Connecter un appareil</title>" in r.text
      and "Continuer</button>" in r.text, r.describe())
r = Browser().post("/device", {"user_code": "BCDF-GHJK", "csrf": "x",
                               "ui_locales": "fr"})
check("device page: French error for a bad form", r.status == 400 and
      lang_of(r) == "fr" and "Le formulaire a expir\u00e9" in r.text,
      r.describe())

# ---- the form_post and "leaving this site" pages -------------------------------
def fp_error(cid, redirect_uri, **extra):
    q = {"client_id": cid, "redirect_uri": redirect_uri, "scope": "openid",
         "response_type": "no_such_type", "state": "st-fp"}
    q.update(extra)
    return Browser().get(authorize_url(q))


SCRIPT = "<script>document.forms[0].submit();</script>"
r = fp_error(c["client_id"], RP, response_mode="form_post", ui_locales="fr")
check("form_post page: French with ui_locales=fr (title, noscript text, "
      "button), the error fields, the auto-submit script",
      r.status == 200 and lang_of(r) == "fr" and
      "<title>Continuer</title>" in r.text and
      "JavaScript est d\u00e9sactiv\u00e9" in r.text and
      "Continuer</button>" in r.text and
      'name="error" value="unsupported_response_type"' in r.text and
      SCRIPT in r.text, r.describe())
SCRIPT_HASH = "'sha256-%s'" % base64.b64encode(hashlib.sha256(
    b"document.forms[0].submit();").digest()).decode()
check("... its CSP still allows exactly that script (its hash)",
      "script-src %s;" % SCRIPT_HASH in
      (r.header("Content-Security-Policy") or ""),
      r.header("Content-Security-Policy"))
r = fp_error(c["client_id"], RP, response_mode="form_post")
check("form_post page: English by default", lang_of(r) == "en" and
      "JavaScript is off" in r.text and SCRIPT in r.text, r.describe())

LHOST = "leave-%s.example" % unique("h").replace("_", "-").lower()
LRP = "https://%s/cb" % LHOST
reg = request("POST", "/register", json.dumps(
    {"redirect_uris": [LRP], "client_name": "Leaving RP",
     "token_endpoint_auth_method": "none", "response_types": ["code"],
     "grant_types": ["authorization_code"]}),
    [("Authorization", "Bearer " + env("OIDC_REG_INITIAL_TOKEN")),
     ("Content-Type", "application/json")])
check("a dynamically registered (unapproved) client", reg.status == 201, reg)
dyn = (reg.json() or {}).get("client_id", "none")
r = fp_error(dyn, LRP, ui_locales="fr")
check("leaving page: French with ui_locales=fr (title, heading, text, "
      "link), the host named",
      r.status == 200 and lang_of(r) == "fr" and
      "<title>Vous quittez ce site</title>" in r.text and
      "<h1>Vous quittez ce site</h1>" in r.text and
      "ne continuez que si vous faites confiance" in r.text and
      ">Continuer vers %s</a>" % LHOST in r.text and
      'href="%s?error=unsupported_response_type' % LRP in r.text,
      r.describe())
r = fp_error(dyn, LRP, response_mode="form_post", ui_locales="fr")
check("leaving page in form_post mode: French button, no script",
      r.status == 200 and lang_of(r) == "fr" and
      ">Continuer vers %s</button>" % LHOST in r.text and
      "<script" not in r.text, r.describe())
r = fp_error(dyn, LRP)
check("leaving page: English by default",
      lang_of(r) == "en" and "<h1>You are leaving this site</h1>" in r.text
      and ">Continue to %s</a>" % LHOST in r.text, r.describe())

# ---- an operator's theme, in a sandboxed private worker ---------------------
theme = private_dir("theme")
with open(os.path.join(theme, "login.html"), "w") as f:
    f.write('<div class="acme-theme"><h1>{{msg.login_heading}}</h1>\n'
            '<p>ACME {{msg.login_to}} {{client}}</p>{{{error}}}\n'
            '<form method="post" action="{{action}}">{{{fields}}}\n'
            '<label for="username">{{msg.login_username}}</label>\n'
            '<input type="text" id="username" name="username" '
            'value="{{hint}}">\n'
            '<label for="password">{{msg.login_password}}</label>\n'
            '<input type="password" id="password" name="password">\n'
            '<button type="submit" name="action" value="login">'
            '{{msg.login_submit}}</button></form></div>\n')
with open(os.path.join(theme, "form_post.html"), "w") as f:
    f.write('<div class="acme-post"><form method="post" '
            'action="{{action}}">{{{fields}}}<button type="submit">'
            'ACME {{msg.form_post_submit}}</button></form></div>\n')
with open(os.path.join(theme, "messages.fr"), "w") as f:
    f.write("# ACME French\nlogin_to = pour acc\u00e9der \u00e0\n")
for n in os.listdir(theme):
    os.chmod(os.path.join(theme, n), 0o644)
conf = private_config("themed", ["ui_templates = " + theme, "sandbox = yes"])
w = spawn("themed", "authorize", conf)
check("themed sandboxed worker runs", w.alive())
pb = PrivateBrowser({"authorize": w})
r = pb.authorize(params(c, ui_locales="fr"))
t = r.text
check("theme: the operator's login.html", r.status == 200 and
      '<div class="acme-theme">' in t, r.describe())
check("theme: messages.fr overrides one text, others built in",
      "ACME pour acc\u00e9der \u00e0 &lt;b&gt;Caf" in t and
      "Mot de passe</label>" in t, t[:1500])
r = pb.authorize(params(c))
check("theme: in English", "ACME to continue to" in r.text, r.text[:800])
r = pb.login(r, user, pw)
check("theme: no consent.html: the built-in consent page",
      "<h1>Allow access?</h1>" in r.text, r.describe())
r = pb.get(authorize_url({"client_id": c["client_id"], "redirect_uri": RP,
                          "scope": "openid", "response_type": "no_such_type",
                          "state": "st-fp", "response_mode": "form_post",
                          "ui_locales": "fr"}))
check("theme: the operator's form_post.html, French, and the auto-submit "
      "script after it", r.status == 200 and '<div class="acme-post">' in
      r.text and "ACME Continuer</button>" in r.text and
      r.text.index('<div class="acme-post">') < r.text.index(SCRIPT) and
      "JavaScript est" not in r.text, r.describe())
check("themed worker still alive (no file opened in the sandbox)",
      w.alive())
w.stop()
check_log(w.log, "themed authorize")


def check_config(extra, files):
    """--check-config of a config with ui_templates = a fresh dir holding
    files (name -> text) and extra lines: (exit status, stderr)."""
    d = private_dir(unique("badtheme"))
    for n, text in files.items():
        with open(os.path.join(d, n), "w") as f:
            f.write(text)
    cf = private_config(os.path.basename(d), ["ui_templates = " + d] +
                        extra)
    p = subprocess.run([os.path.join(BUILD, "cgi-bin", "authorize.fcgi"),
                        "--check-config"],
                       env=dict(os.environ, OIDC_CONFIG=cf),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30 * MULT)
    return p.returncode, p.stderr.decode("utf-8", "replace")


rc, err = check_config([], {"login.html": "<p>\n{{client</p>"})
check("unterminated placeholder: exit 78 naming login.html:2",
      rc == 78 and "login.html:2: unterminated" in err, (rc, err))
rc, err = check_config([], {"consent.html": "{{password}}"})
check("unknown placeholder: exit 78", rc == 78 and
      'consent.html:1: unknown placeholder "password"' in err, (rc, err))
rc, err = check_config([], {"login.html": "{{{client}}}"})
check("raw placeholder for a value: exit 78", rc == 78 and
      "not a fragment" in err, (rc, err))
rc, err = check_config([], {"messages.fr": "login_titel = x\n"})
check("unknown message key: exit 78", rc == 78 and
      'messages.fr:1: unknown message key "login_titel"' in err, (rc, err))
rc, err = check_config([], {"login.html": "<p>{{msg.login_to}}</p>"})
check("a good theme: --check-config ok", rc == 0, (rc, err))
done()
