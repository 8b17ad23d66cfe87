#!/usr/bin/env python3
"""70-mod-auth-openidc: Apache with mod_auth_openidc (Debian's apache2 and
libapache2-mod-auth-openidc) protects a page with this provider, unchanged.

A private Apache is rendered into $OIDC_TMP/apache-<alg>/ (its own ServerRoot,
PidFile, ErrorLog, mutex and runtime dirs, modules loaded explicitly) and
listens on a free 127.0.0.1 port.  It protects /protected/ with
AuthType openid-connect configured by discovery (OIDCProviderMetadataURL),
client_secret_basic, PKCE S256 and scope "openid email profile"; a tiny
shell CGI at /protected/claims prints the OIDC_* variables mod_auth_openidc
passes on (environment and headers).

A real browser (Debian's chromium, headless, driven by playwright-core from
tests/interop/mod_auth_openidc/drive.mjs) opens the page, is sent to our
login page, logs in, consents and must end on the CGI output with the
user's claims.  Run twice: the client's id_token_signed_response_alg RS256,
then ES256.  mod_auth_openidc validates the ID Token (signature against our
/jwks, iss, aud, exp, iat, nonce) and the token response itself: any
rejection shows up as an error page and an [auth_openidc:error] line in
Apache's error log, and fails this test (the log lines mentioning oidc are
printed).  When discovery advertises end_session_endpoint, logging out
through mod_auth_openidc's redirect_uri?logout= must end both sessions.

Prerequisites (Debian): apache2, libapache2-mod-auth-openidc, chromium,
nodejs + npm; the npm package playwright-core is installed from
tests/interop/mod_auth_openidc/package-lock.json with `npm ci` when its
node_modules is missing.
"""
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

from oidctest import *
from flow import b64url_decode, user_sub

ROOT = env("OIDC_ROOT", os.getcwd())
DRIVER_DIR = os.path.join(ROOT, "tests", "interop", "mod_auth_openidc")
APACHE = shutil.which("apache2") or "/usr/sbin/apache2"
MODDIR = "/usr/lib/apache2/modules"
CHROMIUM = os.environ.get("OIDC_TEST_CHROMIUM", "/usr/bin/chromium")
APT = ("apt-get install -y --no-install-recommends apache2 "
       "libapache2-mod-auth-openidc chromium nodejs npm")


# ---- prerequisites ---------------------------------------------------------

def prerequisites():
    missing = []
    if not os.access(APACHE, os.X_OK):
        missing.append("apache2 (%s)" % APACHE)
    for m in ("mod_auth_openidc.so", "mod_mpm_prefork.so", "mod_cgi.so"):
        if not os.path.exists(os.path.join(MODDIR, m)):
            missing.append(os.path.join(MODDIR, m))
    if not os.access(CHROMIUM, os.X_OK):
        missing.append("chromium (%s)" % CHROMIUM)
    if not shutil.which("node"):
        missing.append("node")
    if missing:
        return missing
    pw = os.path.join(DRIVER_DIR, "node_modules", "playwright-core")
    if not os.path.isdir(pw):
        npm = shutil.which("npm")
        if not npm:
            return ["npm (to install playwright-core)"]
        p = subprocess.run([npm, "ci", "--no-audit", "--no-fund",
                            "--loglevel=error"], cwd=DRIVER_DIR,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=100 * MULT)
        if p.returncode != 0 or not os.path.isdir(pw):
            diag(p.stdout.decode("utf-8", "replace")[-2000:])
            return ["playwright-core (npm ci in %s failed)" % DRIVER_DIR]
    return []


missing = prerequisites()
if not check("prerequisites: apache2, mod_auth_openidc, chromium, node, "
             "playwright-core", not missing,
             "missing: %s\ninstall: %s" % (", ".join(missing), APT)):
    done()


# ---- the provider side -----------------------------------------------------

def discovery():
    r = get("/.well-known/openid-configuration")
    if r.status != 200 or not isinstance(r.json(), dict):
        raise RuntimeError("discovery: %s" % r.describe())
    return r.json()


DISCO = discovery()
LOGOUT = bool(DISCO.get("end_session_endpoint"))


# ---- Apache ----------------------------------------------------------------

CGI = """#!/bin/sh
# Echo what mod_auth_openidc passed on (rendered by 70-mod-auth-openidc.py).
printf 'Content-Type: text/plain; charset=utf-8\\r\\n\\r\\n'
printf 'protected page\\n'
env | grep -E '^(OIDC_|HTTP_OIDC_|REMOTE_USER=)' | LC_ALL=C sort
"""

MODULES = ["mpm_prefork", "authz_core", "authn_core", "authz_user",
           "alias", "cgi", "headers", "auth_openidc"]

CONF = """# Apache + mod_auth_openidc for 70-mod-auth-openidc.py (generated)
ServerRoot "{d}"
Listen 127.0.0.1:{port}
ServerName 127.0.0.1:{port}
PidFile "{d}/httpd.pid"
ErrorLog "{d}/error.log"
LogLevel warn auth_openidc:info
LogFormat "%h \\"%r\\" %>s %b" short
CustomLog "{d}/access.log" short
DefaultRuntimeDir "{d}/run"
Mutex file:{d}/run default
{modules}
{user}
StartServers 1
MinSpareServers 1
MaxSpareServers 3
MaxRequestWorkers 8
DocumentRoot "{d}/htdocs"
<Directory />
    Require all denied
    AllowOverride None
</Directory>
<Directory "{d}/htdocs">
    Require all granted
</Directory>
<Directory "{d}/cgi">
    Require all granted
</Directory>

{oidc}

ScriptAlias /protected/claims "{d}/cgi/claims.sh"
<Location /protected/>
    AuthType openid-connect
    Require valid-user
    # Apache hides request headers with "_" from CGIs: echo the claim
    # header mod_auth_openidc added in a response header instead.
    Header always set X-Echo-Claim-Email "expr=%{{req:OIDC_CLAIM_email}}"
</Location>
"""

OIDC = """OIDCProviderMetadataURL {issuer}/.well-known/openid-configuration
OIDCClientID {client_id}
OIDCClientSecret {client_secret}
OIDCRedirectURI http://127.0.0.1:{port}/protected/redirect_uri
OIDCProviderTokenEndpointAuth client_secret_basic
OIDCResponseType code
OIDCPKCEMethod S256
OIDCScope "openid email profile"
OIDCCryptoPassphrase {passphrase}
OIDCPassClaimsAs both
OIDCPassIDTokenAs claims serialized
OIDCDefaultLoggedOutURL http://127.0.0.1:{port}/loggedout.html"""


class Apache:
    def __init__(self, name, port, client):
        self.d = os.path.join(env("OIDC_TMP"), "apache-" + name)
        self.port = port
        self.base = "http://127.0.0.1:%d" % port
        self.proc = None
        for sub in ("run", "htdocs", "cgi"):
            os.makedirs(os.path.join(self.d, sub), exist_ok=True)
        os.chmod(self.d, 0o755)
        with open(os.path.join(self.d, "htdocs", "loggedout.html"), "w") as f:
            f.write("<!doctype html><title>logged out</title>"
                    "<p>logged out of Apache</p>\n")
        cgi = os.path.join(self.d, "cgi", "claims.sh")
        with open(cgi, "w") as f:
            f.write(CGI)
        os.chmod(cgi, 0o755)
        user = ""
        if os.geteuid() == 0:
            # Apache refuses to serve as root; the children become www-data.
            user = "User www-data\nGroup www-data"
            shutil.chown(os.path.join(self.d, "run"), "www-data", "www-data")
        self.oidc = OIDC.format(issuer=ISSUER, port=port,
                                client_id=client["client_id"],
                                client_secret=client["client_secret"],
                                passphrase=secrets.token_hex(24))
        self.conf = os.path.join(self.d, "httpd.conf")
        with open(self.conf, "w") as f:
            f.write(CONF.format(
                d=self.d, port=port, user=user, oidc=self.oidc,
                modules="\n".join("LoadModule %s_module %s/mod_%s.so"
                                  % (m, MODDIR, m) for m in MODULES)))
        self.log = os.path.join(self.d, "error.log")

    def configtest(self):
        p = subprocess.run([APACHE, "-t", "-d", self.d, "-f", self.conf],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=30 * MULT)
        return p.returncode == 0, p.stdout.decode("utf-8", "replace")

    def start(self):
        self.out = open(os.path.join(self.d, "apache.out"), "wb")
        self.proc = subprocess.Popen(
            [APACHE, "-d", self.d, "-f", self.conf, "-DFOREGROUND"],
            stdout=self.out, stderr=subprocess.STDOUT,
            start_new_session=True)

        def up():
            if self.proc.poll() is not None:
                return True
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.5).close()
                return True
            except OSError:
                return False
        wait_until(up, 15 * MULT)
        return self.proc.poll() is None and up()

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10 * MULT)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.out.close()

    def log_lines(self):
        try:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                return f.read().splitlines()
        except OSError:
            return []

    def oidc_lines(self):
        return [line for line in self.log_lines() if "oidc" in line.lower()]

    def errors(self):
        """[error] and worse lines, mod_auth_openidc's among them."""
        return [line for line in self.log_lines()
                if re.search(r"\[[a-z_]*:?(error|crit|alert|emerg)\]", line)]


def drive(apache, username, password, logout_url=None, bypass_csp=False):
    plan = {"protected": apache.base + "/protected/claims",
            "username": username, "password": password,
            "logout": logout_url, "chromium": CHROMIUM,
            "timeout_ms": 20000 * MULT, "bypass_csp": bypass_csp}
    path = os.path.join(apache.d, "plan.json")
    with open(path, "w") as f:
        json.dump(plan, f)
    p = subprocess.run(["node", os.path.join(DRIVER_DIR, "drive.mjs"), path],
                       cwd=DRIVER_DIR, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=90 * MULT)
    out = p.stdout.decode("utf-8", "replace").strip().splitlines()
    try:
        res = json.loads(out[-1])
    except (ValueError, IndexError):
        res = {"error": "driver printed no JSON (exit %d)\n%s\n%s" % (
            p.returncode, p.stdout.decode("utf-8", "replace")[-3000:],
            p.stderr.decode("utf-8", "replace")[-3000:])}
    res["_stderr"] = p.stderr.decode("utf-8", "replace")
    return res


def env_vars(text):
    """The CGI's NAME=value lines as a dict."""
    d = {}
    for line in (text or "").splitlines():
        k, eq, v = line.partition("=")
        if eq and re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", k):
            d[k] = v
    return d


def describe(res, apache):
    lines = []
    if res.get("error"):
        lines.append("driver error: " + res["error"])
    for k in ("first", "again", "logout", "after_logout"):
        s = res.get(k)
        if s:
            lines.append("%s: HTTP %s %s [%s]\n  %s" % (
                k, s.get("status"), s.get("url"), s.get("title"),
                (s.get("text") or "")[:800].replace("\n", "\n  ")))
    lines.append("navigation: " + json.dumps(res.get("responses"))[:3000])
    lines.append("steps: %s" % json.dumps(res.get("steps")))
    if res.get("console"):
        lines.append("browser console:")
        lines += ["  " + m for m in res["console"][-10:]]
    lines.append("Apache error log, lines mentioning oidc:")
    lines += ["  " + line for line in apache.oidc_lines()[-40:]]
    return "\n".join(lines)


# ---- one scenario per ID Token algorithm -----------------------------------

def documented_metadata(app):
    """The client metadata JSON of the registration example in
    deploy/rp/apache-mod_auth_openidc.conf, APP replaced by app: the test
    registers what the document tells an operator to register."""
    path = os.path.join(ROOT, "deploy", "rp", "apache-mod_auth_openidc.conf")
    with open(path) as f:
        text = "".join(line[1:] if line.startswith("#") else ""
                       for line in f)
    m = re.search(r"echo '(\{.*?\})'", text, re.S)
    if m is None:
        raise RuntimeError("no `echo '{...}'` registration example in " + path)
    return json.loads(m.group(1).replace("APP", app))


def scenario(alg):
    tag = "[%s]" % alg
    port = free_port()
    redirect_uri = "http://127.0.0.1:%d/protected/redirect_uri" % port
    try:
        meta = documented_metadata("http://127.0.0.1:%d" % port)
        meta["client_name"] = unique("apache-" + alg.lower())
        meta["id_token_signed_response_alg"] = alg
        # mod_auth_openidc sends the URL given in ?logout= as the
        # post_logout_redirect_uri: the document must register it.
        check("%s the documented client metadata registers the logged-out "
              "page as a post_logout_redirect_uri" % tag,
              meta.get("post_logout_redirect_uris") ==
              ["http://127.0.0.1:%d/loggedout.html" % port],
              json.dumps(meta))
        check("%s the documented redirect_uri is the one configured" % tag,
              meta.get("redirect_uris") == [redirect_uri], json.dumps(meta))
        client = create_client(meta)
    except RuntimeError as e:
        check("%s oidcctl client create (client_secret_basic, %s)"
              % (tag, alg), False, str(e))
        return
    username = unique("apache")
    password = "pw-" + secrets.token_hex(8)
    email = username + "@apache.example"
    name = "Apache User " + alg
    create_user(username, password, {"email": email, "email_verified": True,
                                     "name": name, "given_name": "Apache",
                                     "family_name": "User " + alg})
    sub = user_sub(username)

    apache = Apache(alg.lower(), port, client)
    ok, out = apache.configtest()
    if not check("%s apache2 -t accepts the rendered configuration" % tag,
                 ok, out):
        return
    if not check("%s Apache with mod_auth_openidc starts on 127.0.0.1:%d"
                 % (tag, port), apache.start(),
                 "\n".join(apache.log_lines()[-30:])):
        apache.stop()
        return
    try:
        logout_url = None
        if LOGOUT:
            logout_url = "%s/protected/redirect_uri?logout=%s" % (
                apache.base, urllib.parse.quote(
                    apache.base + "/loggedout.html", safe=""))
        res = drive(apache, username, password, logout_url)
        detail = describe(res, apache)
        blocked = [m for m in res.get("console", [])
                   if "form-action" in m and "Content Security Policy" in m]
        # Finding csp-form-action-blocks-redirect-to-rp: the login and
        # consent pages say "form-action 'self'"; Chromium applies
        # form-action to the redirects that follow a form submission
        # (CSP3), so the 302 from POST /authorize to a redirect_uri on
        # another origin is blocked (net::ERR_ABORTED) and the user never
        # reaches the relying party.
        check("%s regression csp-form-action-blocks-redirect-to-rp: Chromium "
              "follows the redirect from our consent POST to the RP's "
              "redirect_uri (no CSP form-action violation)" % tag,
              not blocked, detail)
        check("%s the browser session ran without a driver error" % tag,
              not res.get("error"), detail)
        kinds = [s["kind"] for s in res.get("steps", [])]
        check("%s the browser was sent to our login page, then our consent "
              "page" % tag, kinds == ["login", "consent"], detail)
        if blocked:
            # Diagnosis only: everything after the blocked redirect, with
            # the provider's CSP ignored by the browser; the check above
            # keeps the test failing until the provider is fixed.
            diag("%s re-running with the browser ignoring our CSP to check "
                 "the rest of the flow" % tag)
            res = drive(apache, username, password, logout_url,
                        bypass_csp=True)
            detail = describe(res, apache)
            tag += " (CSP bypassed)"
            check("%s the browser session ran without a driver error" % tag,
                  not res.get("error"), detail)
        first = res.get("first") or {}
        v = env_vars(first.get("text"))
        check("%s the browser ends on the protected page (200 at %s)"
              % (tag, apache.base + "/protected/claims"),
              first.get("status") == 200 and
              first.get("url") == apache.base + "/protected/claims" and
              "protected page" in (first.get("text") or ""), detail)
        check("%s OIDC_CLAIM_email is the user's email" % tag,
              v.get("OIDC_CLAIM_email") == email, detail)
        check("%s OIDC_CLAIM_name is the user's name" % tag,
              v.get("OIDC_CLAIM_name") == name, detail)
        check("%s OIDC_CLAIM_sub is the user's sub, OIDC_CLAIM_iss the "
              "issuer" % tag, v.get("OIDC_CLAIM_sub") == sub and
              v.get("OIDC_CLAIM_iss") == ISSUER, detail)
        check("%s claims also passed as request headers (OIDC_CLAIM_email, "
              "echoed by mod_headers)" % tag,
              (first.get("headers") or {}).get("x-echo-claim-email") == email,
              detail)
        idt = v.get("OIDC_id_token", "")
        hdr = {}
        try:
            hdr = json.loads(b64url_decode(idt.split(".")[0]))
        except (ValueError, IndexError):
            pass
        check("%s the ID Token mod_auth_openidc accepted is signed %s"
              % (tag, alg), hdr.get("alg") == alg,
              "header %r\n%s" % (hdr, detail))
        check("%s the access token was passed on (OIDC_access_token)" % tag,
              bool(v.get("OIDC_access_token")), detail)
        again = res.get("again") or {}
        check("%s a second visit is served from the Apache session (no "
              "login page)" % tag,
              again.get("status") == 200 and again.get("kind") is None and
              env_vars(again.get("text")).get("OIDC_CLAIM_email") == email,
              detail)
        if LOGOUT:
            al = res.get("after_logout") or {}
            lo = res.get("logout") or {}
            check("%s logout through end_session lands on the logged-out "
                  "page" % tag, "logged out of Apache" in
                  (lo.get("text") or ""), detail)
            check("%s after logout the protected page needs a login again"
                  % tag, al.get("kind") == "login", detail)
        else:
            check("%s logout through end_session: discovery has an "
                  "end_session_endpoint" % tag, False)
    finally:
        apache.stop()
    errs = apache.errors()
    check("%s Apache's error log has no [error] line (mod_auth_openidc "
          "rejected nothing)" % tag, not errs,
          "\n".join(errs[-20:] + ["-- lines mentioning oidc:"] +
                    apache.oidc_lines()[-40:]))


scenario("RS256")
scenario("ES256")
done()
