#!/usr/bin/env python3
"""54-themes-browser: languages, a theme and accessibility of the pages in a
real headless browser (issue 22 item 4): tests/browser/themes.test.mjs, run
by t/50-browser.py's installer and relay (chromium, npm ci of
playwright-core) with OIDC_BROWSER_SCRIPT.  Nothing skips.

The theme: a private authorize worker (hardening.spawn) with `ui_templates`
naming a directory whose login.html replaces the built-in one; its French
login page, fetched here over FastCGI, goes to the browser script in
OIDC_THEMED_PAGE (the harness's nginx only fronts the harness workers).
"""
import os
import subprocess
import sys

from oidctest import *
from flow import RP, make_client
from hardening import *
from privflow import PrivateBrowser

HERE = os.path.dirname(os.path.abspath(__file__))

theme = private_dir("theme54")
with open(os.path.join(theme, "login.html"), "w") as f:
    f.write(
        '<div class="acme-theme">\n'
        '<p style="background:#0b2e59;color:#fff;padding:.5rem">ACME</p>\n'
        '<h1>{{msg.login_heading}}</h1>\n'
        '<p>{{msg.login_to}} <strong>{{client}}</strong></p>\n{{{error}}}'
        '<form method="post" action="{{action}}">\n{{{fields}}}'
        '<label for="username">{{msg.login_username}}</label>\n'
        '<input type="text" id="username" name="username" '
        'value="{{hint}}" autocomplete="username" required>\n'
        '<label for="password">{{msg.login_password}}</label>\n'
        '<input type="password" id="password" name="password" '
        'autocomplete="current-password" required>\n'
        '<button type="submit" name="action" value="login">'
        '{{msg.login_submit}}</button>\n</form>\n</div>\n')
os.chmod(os.path.join(theme, "login.html"), 0o644)
conf = private_config("theme54", ["ui_templates = " + theme])
w = spawn("theme54", "authorize", conf)
c = make_client(client_name="ACME <shop>")
r = PrivateBrowser({"authorize": w}).authorize({
    "response_type": "code", "client_id": c["client_id"],
    "redirect_uri": RP, "scope": "openid", "state": "t",
    "ui_locales": "fr",
    "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    "code_challenge_method": "S256"})
ok = check("themed worker: the themed French login page", r.status == 200
           and 'class="acme-theme"' in r.text and 'lang="fr"' in r.text,
           r.describe())
w.stop()
check_log(w.log, "theme54 authorize")
page = os.path.join(private_dir("theme54"), "themed-login.html")
with open(page, "wb") as f:
    f.write(r.body)
if not ok:
    done()

e = dict(os.environ, OIDC_BROWSER_SCRIPT="themes.test.mjs",
         OIDC_THEMED_PAGE=page)
rc = subprocess.call([sys.executable, os.path.join(HERE, "50-browser.py")],
                     env=e)
check("themes.test.mjs passed", rc == 0, rc)
done()
