#!/usr/bin/env python3
"""84-remote-user: users authenticated by the web server (issue 22 item 3;
oidc.conf(5) login, remote_user_amr, remote_user_claims; the client
metadata member "login"; oidc/remote_user.h; docs/REMOTE-USER.md).

# oidctest: lighttpd

A. Through the harness front end (nginx, then lighttpd), which sets no
   REMOTE_USER: a client with "login": "remote_user" never gets a password
   page but a 403 page, whatever the request claims in headers
   ("Remote-User:", "X-Remote-User:", "Authorization: Basic": nginx's
   $remote_user); prompt=none gets login_required; a password client of
   the same provider still gets its login page.  /register drops "login".

B. nginx phase: a private nginx with TLS and `ssl_verify_client optional`
   against a test CA made here with openssl, the shipped
   deploy/nginx/remote-user.conf maps ($ssl_client_s_dn CN and
   emailAddress, only when $ssl_client_verify is SUCCESS), in front of a
   private authorize.fcgi with `login = remote_user`, `remote_user_amr =
   hwk` and `remote_user_claims = email:SSL_CLIENT_S_DN_EMAIL
   name:SSL_CLIENT_S_DN_CN`:
     - a client certificate CN=<alice> signs in without a password page:
       the user is created (no password, so no password login; its email
       and name claims from the certificate), the code redeems at /token
       into an ID Token with that user's sub, amr ["hwk"] and auth_time;
     - the consent page works as usual for a third-party client;
     - an existing password user signs in by certificate as the same
       user (same sub, claims merged, password kept);
     - a live session is kept; prompt=login and max_age start a new one
       (the web server authenticated this request);
     - no certificate: 403 page (prompt=none: login_required), even with
       the session cookie and with spoofed headers; a certificate of
       another CA: refused by nginx; a disabled user: 403;
     - a location that also sends Debian fastcgi_params' REMOTE_USER
       $remote_user (a REMOTE_USER sent twice) is refused;
     - a posted password form is refused; a client with "login":
       "password" on this provider gets the password page.
D. nginx phase: a private Apache (mod_ssl `SSLVerifyClient optional`,
   `SSLUserName SSL_CLIENT_S_DN_CN`, `SSLOptions +StdEnvVars`,
   mod_proxy_fcgi to another private worker) with the same certificates:
   the certificate signs the user in, Apache's SSL_CLIENT_S_DN_Email
   becomes the email claim; without a certificate (spoofed headers or
   not) the provider answers its 403 page.
C. lighttpd phase: a private lighttpd in front of the same kind of
   worker, on two ports: mod_auth (Basic, a plain user file) on one, the
   web server's password check signs the user in (REMOTE_USER from
   mod_auth) and a wrong password never reaches the provider; mod_openssl
   with ssl.verifyclient.username on the other, a verified client
   certificate signs the user in (SSL_CLIENT_S_DN_EMAILADDRESS becomes the
   email claim), no certificate gets the provider's 403 page whatever the
   headers.
"""
import json
import os
import shutil
import ssl
import http.client
import subprocess
import time
import urllib.parse

from oidctest import *
from tlsfront import *
from hardening import private_dir, private_config, spawn, run_user
import flow
from flow import (Browser, classify, parse_page, parse_response, redeem,
                  verify_id_token, user_sub, make_client, make_user, RP)

FE = env("OIDC_FRONTEND", "nginx")
ROOT = env("OIDC_ROOT", os.getcwd())


def params(client, **extra):
    p = {"client_id": client["client_id"], "redirect_uri": RP,
         "response_type": "code", "scope": "openid email profile",
         "state": unique("st")}
    p.update(extra)
    return p


def is_403_page(r):
    return r.status == 403 and r.content_type() == "text/html" and \
        parse_page(r).login_form() is None and "web server" in r.text


def error_of(r):
    res = parse_response(r, RP)
    return res.get("error") if res else None


# ---- A: the harness front end sets no REMOTE_USER --------------------------

ru_client = make_client(response_types=["code"], first_party=True,
                        login="remote_user")
pw_client = make_client(response_types=["code"], first_party=True)
shown = json.loads(ctl("client", "show", ru_client["client_id"])[1])
check("A: oidcctl stores the client's login member",
      shown.get("login") == "remote_user", shown)

r = Browser().authorize(params(ru_client))
check("A: login=remote_user client, no REMOTE_USER: a 403 page, no "
      "password form", is_403_page(r), r)
for name, hdrs in (("Remote-User", {"Remote-User": "admin"}),
                   ("X-Remote-User", {"X-Remote-User": "admin"}),
                   ("Remote_User", {"Remote_User": "admin"}),
                   ("Authorization: Basic",
                    {"Authorization": basic_auth("admin", "x")})):
    r = Browser().get(flow.authorize_url(params(ru_client)), headers=hdrs)
    check("A: a client-sent %s header is ignored (403)" % name,
          is_403_page(r), r)
r = Browser().authorize(params(ru_client, prompt="none"))
check("A: prompt=none without REMOTE_USER: login_required to the client",
      error_of(r) == "login_required", r)
r = Browser().authorize(params(pw_client))
check("A: a password client of the same provider gets the login page",
      classify(r) == "login", r)

# Dynamic registration: "login" is the operator's (oidcctl) alone.
if have_endpoint("register"):
    INITIAL = env("OIDC_REG_INITIAL_TOKEN")
    meta = {"redirect_uris": [RP], "client_name": unique("ru-reg"),
            "login": "remote_user"}
    r = request("POST", "/register", json.dumps(meta),
                [("Authorization", "Bearer " + INITIAL),
                 ("Content-Type", "application/json")])
    reg = r.json() or {}
    check("A: /register drops a client's own \"login\"", r.status == 201 and
          "login" not in reg, r)
    if r.status == 201:
        cid = reg["client_id"]
        upd = json.loads(ctl("client", "show", cid)[1])
        for k in ("client_id", "approved", "first_party",
                  "failed_authentications", "locked"):
            upd.pop(k, None)
        upd["login"] = "remote_user"
        rc = ctl("client", "update", cid, stdin=json.dumps(upd))[0]
        put = dict((k, v) for k, v in reg.items() if k not in (
            "registration_access_token", "registration_client_uri",
            "client_secret_expires_at", "client_id_issued_at", "login"))
        r = request("PUT", "/register/" + cid, json.dumps(put),
                    [("Authorization", "Bearer " +
                      reg["registration_access_token"]),
                     ("Content-Type", "application/json")])
        shown = json.loads(ctl("client", "show", cid)[1])
        check("A: the operator's \"login\" outlives the registrant's RFC 7592 "
              "update", rc == 0 and r.status == 200 and
              shown.get("login") == "remote_user", (rc, r, shown))
# A password form posted for the remote_user client, CSRF and all.
b = Browser()
page = b.authorize(params(pw_client))
form = parse_page(page).login_form()
csrf = form.input("csrf").get("value") if form is not None else ""
r = b.post("/authorize", dict(params(ru_client), action="login", csrf=csrf,
                                username="admin", password="x"))
check("A: a password form posted for a remote_user client is refused",
      r.status in (400, 403) and "code=" not in (r.header("Location") or ""),
      r)


# ---- certificates ------------------------------------------------------------


def tls_request(port, cadir, cert, method, path, body=None, headers=None):
    hl = list(headers.items()) if isinstance(headers, dict) \
        else list(headers or [])
    return Front(port, cadir).request(cert, method, path, body, hl)


class TLSBrowser(Browser):
    """A Browser whose requests go to our private TLS front end, with or
    without a client certificate."""

    def __init__(self, port, cadir, cert):
        Browser.__init__(self)
        self.port, self.cadir, self.cert = port, cadir, cert

    def get(self, path, headers=None):
        return self.absorb(tls_request(
            self.port, self.cadir, self.cert, "GET", flow._path_of(path),
            None, self._cookie_header() + list((headers or {}).items())))

    def post(self, path, params, headers=None):
        h = self._cookie_header() + [
            ("Content-Type", "application/x-www-form-urlencoded")] + \
            list((headers or {}).items())
        return self.absorb(tls_request(
            self.port, self.cadir, self.cert, "POST", flow._path_of(path),
            form_encode(params), h))


def sign_in(b, client, **extra):
    """An authorization request through b; the consent page is allowed
    when shown.  (response dict or None, pages seen, last response)."""
    pages = []
    r = b.authorize(params(client, **extra))
    for _ in range(3):
        k = classify(r)
        if k == "consent":
            pages.append("consent")
            r = b.consent(r)
        elif k == "login":
            pages.append("login")
            break
        else:
            break
    return parse_response(r, RP), pages, r


LAST_ID_TOKEN = []


def id_token_of(client, res):
    t = redeem(client, res.get("code", ""))
    body = t.json() or {}
    if "id_token" not in body:
        return None, t
    LAST_ID_TOKEN[:] = [body["id_token"]]
    problems, claims, _ = verify_id_token(body["id_token"],
                                          client["client_id"], nonce=False)
    return (claims if not problems else None), (problems, t)


FCGI_PARAMS = """
        fastcgi_param REQUEST_METHOD  $request_method;
        fastcgi_param QUERY_STRING    $query_string;
        fastcgi_param CONTENT_TYPE    $content_type;
        fastcgi_param CONTENT_LENGTH  $content_length;
        fastcgi_param DOCUMENT_URI    /authorize;
        fastcgi_param REMOTE_ADDR     $remote_addr;
        fastcgi_param HTTPS           $https if_not_empty;
        fastcgi_param HTTP_PROXY      "";
"""


def nginx_conf(d, port, sock):
    u = run_user()
    return """{user}worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{ worker_connections 64; }}
http {{
    access_log {d}/access.log;
    client_body_temp_path {d}/tmp/client_body;
    fastcgi_temp_path {d}/tmp/fastcgi;
    proxy_temp_path {d}/tmp/proxy;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
    include {root}/deploy/nginx/remote-user.conf;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {d}/server.pem;
        ssl_certificate_key {d}/server.key;
        ssl_client_certificate {d}/ca.pem;
        ssl_verify_client optional;
        ssl_verify_depth 2;
        location = /authorize {{
            client_max_body_size 64k;{params}
            fastcgi_param REMOTE_USER           $oidc_remote_user;
            fastcgi_param SSL_CLIENT_S_DN_EMAIL $oidc_remote_email;
            fastcgi_param SSL_CLIENT_S_DN_CN    $oidc_remote_user;
            fastcgi_pass unix:{sock};
        }}
        location = /device {{{dparams}
            fastcgi_param REMOTE_USER           $oidc_remote_user;
            fastcgi_pass unix:{sock};
        }}
        # The pitfall: Debian's fastcgi_params line, then ours.
        location = /dup/authorize {{{params}
            fastcgi_param REMOTE_USER           $remote_user;
            fastcgi_param REMOTE_USER           $oidc_remote_user;
            fastcgi_pass unix:{sock};
        }}
    }}
}}
""".format(user="user %s;\n" % u if u else "", d=d, port=port, sock=sock,
           root=ROOT, params=FCGI_PARAMS,
           dparams=FCGI_PARAMS.replace("DOCUMENT_URI    /authorize",
                                       "DOCUMENT_URI    /device"))


DEVICE_GT = "urn:ietf:params:oauth:grant-type:device_code"


def part_b_device(d, port, alice, bob):
    """The /device page (RFC 8628) of a login = remote_user provider: the
    certificate's user, never a password form."""
    dc = create_client({"grant_types": [DEVICE_GT], "response_types": [],
                        "token_endpoint_auth_method": "none"})["client_id"]

    def new_code():
        return post_form("/device_authorization", {
            "client_id": dc, "scope": "openid"}).json() or {}

    def enter(b, code):
        r = b.get("/device")
        f = parse_page(r).form_with(lambda f: f.input("user_code") is not None)
        if f is None:
            return r
        return b.submit(f, extra=[("action", "code")],
                        override={"user_code": code})

    a = new_code()
    b = TLSBrowser(port, d, alice)
    r = enter(b, a.get("user_code", ""))
    page = parse_page(r)
    check("B-device: a certificate and a user code lead to the confirmation "
          "(no password form), naming the user", r.status == 200 and
          page.login_form() is None and page.consent_form() is not None and
          alice in page.visible_text(), r)
    r = b.consent(r, "allow")
    check("B-device: allowed: 'Device connected'", r.status == 200 and
          "Device connected" in parse_page(r).visible_text(), r)
    t = post_form("/token", {"grant_type": DEVICE_GT, "client_id": dc,
                             "device_code": a.get("device_code", "")})
    tj = t.json() or {}
    probs, claims, _ = verify_id_token(tj.get("id_token", ""),
                                       client_id=dc, nonce=False)
    check("B-device: the poll gets an ID Token for the certificate's user, "
          "amr [\"hwk\"]", not probs and claims and
          claims.get("sub") == user_sub(alice) and
          claims.get("amr") == ["hwk"], (t, probs, claims))

    # Another certificate on the same browser: its own user, not the
    # session's; a password posted along is never looked at.
    a = new_code()
    b.cert = bob
    r = b.get("/device")
    f = parse_page(r).form_with(lambda f: f.input("user_code") is not None)
    r = b.submit(f, extra=[("action", "login"), ("username", alice),
                           ("password", "x")],
                 override={"user_code": a.get("user_code", "")}) \
        if f is not None else r
    page = parse_page(r)
    check("B-device: another certificate on the same browser: that user "
          "(a posted password form is ignored)", r.status == 200 and
          page.consent_form() is not None and bob in page.visible_text() and
          alice not in page.visible_text(), r)

    # No certificate: the 403 page, whatever the session and headers say.
    a = new_code()
    b.cert = None
    r = enter(b, a.get("user_code", ""))
    check("B-device: no certificate (session cookie, spoofed headers "
          "aside): the 403 page, no password form", is_403_page(r), r)
    nb = TLSBrowser(port, d, None)
    r = nb.get("/device")
    f = parse_page(r).form_with(lambda f: f.input("user_code") is not None)
    if f is not None:
        csrf = [i.get("value") for i in f.inputs if i.get("name") == "csrf"]
        r = nb.post("/device", [("csrf", (csrf or [""])[0]),
                                ("user_code", a.get("user_code", "")),
                                ("action", "code")],
                    headers={"Remote-User": alice, "X-Remote-User": alice})
    check("B-device: spoofed Remote-User headers without a certificate: 403",
          is_403_page(r), r)
    check("B-device: the code is still pending after the refusals",
          psql("SELECT status FROM device_code WHERE user_code_hash = "
               "sha256(convert_to('%s', 'UTF8'))" %
               a.get("user_code", "").replace("-", "")) == "pending")


def part_b():
    d = private_dir("remoteuser-nginx")
    for sub in ("tmp",):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    alice, bob, carol = unique("alice"), unique("bob"), unique("carol")
    make_certs(d, [alice, bob, carol])

    conf = private_config("remoteuser-nginx", [
        "login = remote_user", "remote_user_amr = hwk",
        "remote_user_claims = email:SSL_CLIENT_S_DN_EMAIL "
        "name:SSL_CLIENT_S_DN_CN"])
    w = spawn("remoteuser-nginx", "authorize", conf)
    check("B: a private authorize.fcgi with login = remote_user runs",
          w.alive(), open(w.log).read()[-1500:])
    port = free_port()
    path = os.path.join(d, "nginx.conf")
    with open(path, "w") as f:
        f.write(nginx_conf(d, port, w.sock))
    t = subprocess.run([NGINX, "-p", d, "-e", d + "/error.log", "-c", path,
                        "-t", "-q"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    check("B: the TLS nginx config with deploy/nginx/remote-user.conf is "
          "valid", t.returncode == 0, t.stdout.decode()[-1500:])
    ng = subprocess.Popen([NGINX, "-p", d, "-e", d + "/error.log", "-c", path,
                           "-g", "daemon off;"], stdin=subprocess.DEVNULL)
    try:
        up = wait_port(port, ng)
        check("B: the TLS nginx listens", up,
              open(d + "/error.log").read()[-1500:])
        if up:
            part_b_flows(d, port, alice, bob, carol, w)
            part_b_device(d, port, alice, bob)
    finally:
        stop(ng)
        w.stop()
    part_d(d)


def part_b_flows(d, port, alice, bob, carol, w):
    fp = make_client(response_types=["code"], first_party=True)
    tp = make_client(response_types=["code"])
    pwc = make_client(response_types=["code"], first_party=True,
                      login="password")

    # 1. A certificate signs alice in, no password page.
    b = TLSBrowser(port, d, alice)
    res, pages, r = sign_in(b, fp)
    check("B1: a client certificate signs in without a password page",
          res is not None and "code" in res and pages == [], r)
    row = psql("SELECT password_hash IS NULL, claims->>'email', "
               "claims->>'name' FROM app_user WHERE username = '%s'" % alice)
    check("B1: the user is created without a password, with the mapped "
          "claims", row == "t|%s@example.org|%s" % (alice, alice), row)
    claims, why = id_token_of(fp, res or {})
    check("B1: the code redeems into an ID Token for that user, amr "
          "[\"hwk\"], auth_time", claims is not None and
          claims.get("sub") == user_sub(alice) and
          claims.get("amr") == ["hwk"] and
          abs(claims.get("auth_time", 0) - time.time()) < 300, (claims, why))
    # The remote_user user cannot sign in with a password elsewhere.
    for pw in ("", "x"):
        pb = Browser()
        page = pb.authorize(params(pwc))
        r = pb.login(page, alice, pw) if classify(page) == "login" else page
        check("B1: %s cannot sign in with the password %r on the plain "
              "front end" % (alice, pw), parse_response(r, RP) is None, r)

    # 2. The session is kept; prompt=login and max_age start new ones.
    sid0 = b.cookies.copy()
    res, pages, r = sign_in(b, fp)
    check("B2: a live session of the same user is kept (no new cookie)",
          res is not None and "code" in res and
          b.cookies.get("oidc_session") == sid0.get("oidc_session"), r)
    res, pages, r = sign_in(b, fp, prompt="login")
    check("B2: prompt=login: signed in again by the web server, a new "
          "session", res is not None and "code" in res and
          b.cookies.get("oidc_session") != sid0.get("oidc_session"), r)
    psql("UPDATE login_session SET auth_time = auth_time - interval "
         "'1 hour' WHERE user_id = (SELECT user_id FROM app_user WHERE "
         "username = '%s')" % alice)
    res, pages, r = sign_in(b, fp, max_age="60")
    claims, why = id_token_of(fp, res or {})
    check("B2: max_age passed: a new login, auth_time now",
          claims is not None and
          abs(claims.get("auth_time", 0) - time.time()) < 60, (claims, why))
    res, pages, r = sign_in(b, fp, prompt="none")
    check("B2: prompt=none with a certificate: a code", res is not None and
          "code" in res, r)

    # 3. The consent page of a third-party client works as usual.
    res, pages, r = sign_in(TLSBrowser(port, d, alice), tp)
    check("B3: a third-party client: the consent page, then a code",
          res is not None and "code" in res and pages == ["consent"],
          (pages, r))

    # 4. No certificate: refused, whatever the cookies and headers say.
    nb = TLSBrowser(port, d, None)
    nb.cookies = dict(b.cookies)
    r = nb.authorize(params(fp))
    check("B4: no certificate, alice's session cookie: 403 page",
          is_403_page(r), r)
    for hdrs in ({"Remote-User": alice}, {"X-Remote-User": alice},
                 {"Authorization": basic_auth(alice, "x")},
                 {"SSL-Client-S-DN-CN": alice}):
        r = nb.get(flow.authorize_url(params(fp)), headers=hdrs)
        check("B4: no certificate, spoofed %s: 403 page" % list(hdrs)[0],
              is_403_page(r), r)
    r = nb.authorize(params(fp, prompt="none"))
    check("B4: no certificate, prompt=none: login_required",
          error_of(r) == "login_required", r)
    try:
        r = TLSBrowser(port, d, "mallory").authorize(params(fp))
        got = (r.status, parse_response(r, RP))
        refused = r.status == 400 and got[1] is None
    except (ssl.SSLError, ConnectionError) as e:
        got, refused = repr(e), True
    check("B4: a certificate of another CA (CN=%s) is refused by nginx"
          % alice, refused, got)

    # 5. A REMOTE_USER sent twice (fastcgi_params' $remote_user first).
    r = TLSBrowser(port, d, None).get(
        "/dup/authorize?" + urllib.parse.urlencode(params(fp)),
        headers={"Authorization": basic_auth(alice, "x")})
    check("B5: REMOTE_USER twice ($remote_user from a Basic header, then "
          "the certificate's): refused", is_403_page(r), r)
    r = TLSBrowser(port, d, alice).get(
        "/dup/authorize?" + urllib.parse.urlencode(params(fp)),
        headers={"Authorization": basic_auth(bob, "x")})
    check("B5: ... even with a certificate", is_403_page(r), r)
    check("B5: the worker logs the REMOTE_USER sent twice",
          "FastCGI parameter given twice" in open(w.log).read())

    # 6. An existing password user signs in by certificate as itself.
    make_user(bob, "bob-password-123", {"email": "old@example.org",
                                        "locale": "fr"})
    sub = user_sub(bob)
    res, pages, r = sign_in(TLSBrowser(port, d, bob), fp)
    row = psql("SELECT sub, password_hash IS NOT NULL, claims->>'email', "
               "claims->>'locale' FROM app_user WHERE username = '%s'" % bob)
    check("B6: an existing user signs in by certificate: same sub, "
          "claims merged, password kept", res is not None and
          "code" in res and row == "%s|t|%s@example.org|fr" % (sub, bob),
          (row, r))
    pb = Browser()
    r = pb.login(pb.authorize(params(pwc)), bob, "bob-password-123")
    check("B6: ... and still signs in with the password",
          (parse_response(r, RP) or {}).get("code") is not None, r)
    claims, why = id_token_of(fp, res or {})
    check("B6: the certificate login's ID Token is bob's",
          claims is not None and claims.get("sub") == sub, (claims, why))
    hint = LAST_ID_TOKEN[0] if LAST_ID_TOKEN else ""
    res, pages, r = sign_in(TLSBrowser(port, d, alice), fp,
                            id_token_hint=hint)
    check("B6: alice's certificate with bob's id_token_hint: "
          "login_required", error_of(r) == "login_required", r)
    res, pages, r = sign_in(TLSBrowser(port, d, bob), fp,
                            id_token_hint=hint, prompt="none")
    check("B6: bob's certificate with bob's id_token_hint, prompt=none: "
          "a code", res is not None and "code" in res, r)

    # 7. A disabled user is refused.
    res, pages, r = sign_in(TLSBrowser(port, d, carol), fp)
    ctl("user", "disable", carol)
    res, pages, r = sign_in(TLSBrowser(port, d, carol), fp)
    check("B7: a disabled user's certificate: 403 page",
          r.status == 403 and res is None, r)

    # 8. Posted password forms; a client with login = password.
    b8 = TLSBrowser(port, d, alice)
    page = b8.authorize(params(pwc))
    check("B8: a client with \"login\": \"password\" gets the password page "
          "on a remote_user provider", classify(page) == "login", page)
    form = parse_page(page).login_form()
    csrf = form.input("csrf").get("value") if form is not None else ""
    r = b8.post("/authorize", dict(params(fp), action="login", csrf=csrf,
                                   username=bob,
                                   password="bob-password-123"))
    check("B8: a password form posted for a remote_user client is refused "
          "(400)", r.status == 400 and parse_response(r, RP) is None, r)


APACHE = shutil.which("apache2") or "/usr/sbin/apache2"
APACHE_MODULES = ["mpm_prefork", "authz_core", "ssl", "socache_shmcb",
                  "proxy", "proxy_fcgi"]


def apache_conf(d, port, sock, cd):
    mods = "\n".join("LoadModule %s_module /usr/lib/apache2/modules/mod_%s.so"
                     % (m, m) for m in APACHE_MODULES)
    user = "User www-data\nGroup www-data" if os.geteuid() == 0 else ""
    return """ServerRoot "{d}"
Listen 127.0.0.1:{port}
ServerName 127.0.0.1:{port}
PidFile "{d}/httpd.pid"
ErrorLog "{d}/error.log"
LogLevel warn
DefaultRuntimeDir "{d}/run"
Mutex file:{d}/run default
{mods}
{user}
StartServers 1
MinSpareServers 1
MaxSpareServers 2
MaxRequestWorkers 4
DocumentRoot "{d}/htdocs"
SSLEngine on
SSLCertificateFile "{cd}/server.pem"
SSLCertificateKeyFile "{cd}/server.key"
SSLCACertificateFile "{cd}/ca.pem"
SSLSessionCache none
# In the virtual host: in <Location> TLS 1.3 needs post-handshake auth.
SSLVerifyClient optional
SSLVerifyDepth 2
<Location "/authorize">
    Require all granted
    SSLUserName SSL_CLIENT_S_DN_CN
    SSLOptions +StdEnvVars
    ProxyPass "unix:{sock}|fcgi://localhost/authorize"
</Location>
""".format(d=d, port=port, mods=mods, user=user, sock=sock,
           cd=cd)


def part_d(cd):
    d = private_dir("remoteuser-apache")
    for sub in ("run", "htdocs"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(os.path.join(d, "run"), "www-data", "www-data")
    eve = unique("eve")
    make_cert(cd, "ca", eve, "/O=Example/CN=%s/emailAddress=%s@example.org"
              % (eve, eve), "extendedKeyUsage=clientAuth")
    for f in os.listdir(cd):
        os.chmod(os.path.join(cd, f), 0o644)
    conf = private_config("remoteuser-apache", [
        "login = remote_user",
        "remote_user_claims = email:SSL_CLIENT_S_DN_Email "
        "name:SSL_CLIENT_S_DN_CN"])
    w = spawn("remoteuser-apache", "authorize", conf)
    port = free_port()
    path = os.path.join(d, "httpd.conf")
    with open(path, "w") as f:
        f.write(apache_conf(d, port, w.sock, cd))
    t = subprocess.run([APACHE, "-t", "-d", d, "-f", path],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    check("D: the Apache mod_ssl + mod_proxy_fcgi config is valid",
          t.returncode == 0, t.stdout.decode()[-1500:])
    ap = subprocess.Popen([APACHE, "-d", d, "-f", path, "-DFOREGROUND"],
                          stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        up = wait_port(port, ap)
        check("D: Apache listens", up, open(d + "/error.log").read()[-1500:]
              if os.path.exists(d + "/error.log") else "")
        if not up:
            return
        fp = make_client(response_types=["code"], first_party=True)
        res, pages, r = sign_in(TLSBrowser(port, cd, eve), fp)
        check("D: Apache SSLUserName's user signs in, no password page",
              res is not None and "code" in res and pages == [], r)
        row = psql("SELECT password_hash IS NULL, claims->>'email' FROM "
                   "app_user WHERE username = '%s'" % eve)
        check("D: created without a password, email from Apache's "
              "SSL_CLIENT_S_DN_Email", row == "t|%s@example.org" % eve, row)
        claims, why = id_token_of(fp, res or {})
        check("D: the code redeems for that user", claims is not None and
              claims.get("sub") == user_sub(eve), (claims, why))
        for hdrs in ({}, {"Remote-User": eve},
                     {"Authorization": basic_auth(eve, "x")}):
            r = TLSBrowser(port, cd, None).get(
                flow.authorize_url(params(fp)), headers=hdrs)
            check("D: no certificate%s: the provider's 403 page"
                  % (", " + list(hdrs)[0] if hdrs else ""),
                  is_403_page(r), r)
    finally:
        stop(ap)
        w.stop()


def lighttpd_conf(d, port, tport, sock, cd):
    u = run_user()
    return """server.modules = ("mod_openssl", "mod_auth", "mod_authn_file",
                  "mod_fastcgi")
server.document-root = "{d}/htdocs"
server.bind = "127.0.0.1"
server.port = {port}
server.pid-file = "{d}/log/lighttpd.pid"
server.errorlog = "{d}/log/error.log"
{user}fastcgi.server = ( "/authorize" => (( "socket" => "{sock}",
    "check-local" => "disable" )) )
# Plain port: mod_auth checks a password (a file here, LDAP in production).
$SERVER["socket"] == "127.0.0.1:{port}" {{
    auth.backend = "plain"
    auth.backend.plain.userfile = "{d}/users"
    auth.require = ( "/authorize" => ( "method" => "basic",
        "realm" => "oidc test", "require" => "valid-user" ) )
}}
# TLS port: mod_openssl's verified client certificate (docs/REMOTE-USER.md).
$SERVER["socket"] == "127.0.0.1:{tport}" {{
    ssl.engine = "enable"
    ssl.pemfile = "{cd}/server.pem"
    ssl.privkey = "{cd}/server.key"
    ssl.verifyclient.ca-file = "{cd}/ca.pem"
    ssl.verifyclient.activate = "enable"
    ssl.verifyclient.enforce = "disable"
    ssl.verifyclient.depth = 2
    ssl.verifyclient.username = "SSL_CLIENT_S_DN_CN"
}}
""".format(d=d, port=port, tport=tport, sock=sock, cd=cd,
           user='server.username = "%s"\nserver.groupname = "%s"\n' % (u, u)
           if u else "")


def make_certs(d, users):
    """A CA, a server certificate for 127.0.0.1, a client certificate per
    user (CN and emailAddress), and "mallory": CN=users[0] from another
    CA.  Every file readable (the front ends drop privileges)."""
    make_self_signed(d, "ca")
    make_self_signed(d, "rogue")
    make_cert(d, "ca", "server", "/CN=127.0.0.1",
              "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth")
    cl_ext = "extendedKeyUsage=clientAuth"
    for n in users:
        make_cert(d, "ca", n, "/O=Example/CN=%s/emailAddress=%s@example.org"
                  % (n, n), cl_ext)
    make_cert(d, "rogue", "mallory", "/O=Example/CN=%s" % users[0], cl_ext)
    for f in os.listdir(d):
        os.chmod(os.path.join(d, f), 0o644)


def part_c():
    d = private_dir("remoteuser-lighttpd")
    os.makedirs(os.path.join(d, "htdocs"), exist_ok=True)
    # lighttpd opens its error log after dropping privileges.
    os.makedirs(os.path.join(d, "log"), exist_ok=True)
    if run_user():
        shutil.chown(os.path.join(d, "log"), run_user(), run_user())
    dave, frank = unique("dave"), unique("frank")
    cd = private_dir("remoteuser-lighttpd-certs")
    make_certs(cd, [frank])
    with open(os.path.join(d, "users"), "w") as f:
        f.write("%s:dave-web-password\n" % dave)
    os.chmod(os.path.join(d, "users"), 0o644)
    conf = private_config("remoteuser-lighttpd", [
        "login = remote_user", "remote_user_claims = "
        "email:SSL_CLIENT_S_DN_EMAILADDRESS name:SSL_CLIENT_S_DN_CN"])
    w = spawn("remoteuser-lighttpd", "authorize", conf)
    check("C: a private authorize.fcgi with login = remote_user runs",
          w.alive(), open(w.log).read()[-1500:])
    port, tport = free_port(), free_port()
    path = os.path.join(d, "lighttpd.conf")
    with open(path, "w") as f:
        f.write(lighttpd_conf(d, port, tport, w.sock, cd))
    t = subprocess.run([LIGHTTPD, "-tt", "-f", path], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    check("C: the lighttpd mod_auth + mod_openssl config is valid",
          t.returncode == 0, t.stdout.decode()[-1500:])
    lt = subprocess.Popen([LIGHTTPD, "-D", "-f", path],
                          stdin=subprocess.DEVNULL)
    fp = make_client(response_types=["code"], first_party=True)
    url = flow.authorize_url(params(fp))
    try:
        up = wait_port(port, lt) and wait_port(tport, lt)
        check("C: lighttpd listens", up,
              open(d + "/log/error.log").read()[-1500:]
              if os.path.exists(d + "/log/error.log") else "")
        if not up:
            return
        part_c_flows(port, tport, cd, fp, url, dave, frank)
    finally:
        stop(lt)
        w.stop()


def part_c_flows(port, tport, cd, fp, url, dave, frank):
    def req(headers):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10 * MULT)
        try:
            c.request("GET", url, headers=headers)
            x = c.getresponse()
            return Response(x.status, x.reason, x.headers, x.read())
        finally:
            c.close()
    r = req({"Authorization": basic_auth(dave, "dave-web-password")})
    res = parse_response(r, RP)
    check("C: lighttpd mod_auth's user signs in (REMOTE_USER), no "
          "password page", res is not None and "code" in res, r)
    row = psql("SELECT password_hash IS NULL FROM app_user WHERE "
               "username = '%s'" % dave)
    check("C: the user is created without a password", row == "t", row)
    claims, why = id_token_of(fp, res or {})
    check("C: the code redeems for that user, no amr by default",
          claims is not None and claims.get("sub") == user_sub(dave)
          and "amr" not in claims, (claims, why))
    r = req({"Authorization": basic_auth(dave, "wrong"),
             "Remote-User": dave})
    check("C: a wrong web password stops at lighttpd (401)",
          r.status == 401 and parse_response(r, RP) is None, r)

    # mod_openssl: ssl.verifyclient.username
    res, pages, r = sign_in(TLSBrowser(tport, cd, frank), fp)
    check("C: lighttpd mod_openssl's verified certificate signs in "
          "(ssl.verifyclient.username)", res is not None and "code" in res
          and pages == [], r)
    row = psql("SELECT password_hash IS NULL, claims->>'email' FROM app_user "
               "WHERE username = '%s'" % frank)
    check("C: email from lighttpd's SSL_CLIENT_S_DN_EMAILADDRESS",
          row == "t|%s@example.org" % frank, row)
    for hdrs in ({}, {"Remote-User": frank}, {"Remote_User": frank},
                 {"Authorization": basic_auth(frank, "x")}):
        r = TLSBrowser(tport, cd, None).get(flow.authorize_url(params(fp)),
                                            headers=hdrs)
        check("C: TLS without a certificate%s: the provider's 403 page"
              % (", " + list(hdrs)[0] if hdrs else ""), is_403_page(r), r)
    try:
        r = TLSBrowser(tport, cd, "mallory").authorize(params(fp))
        got = (r.status, parse_response(r, RP))
        refused = got[1] is None
    except (ssl.SSLError, ConnectionError) as e:
        got, refused = repr(e), True
    check("C: a certificate of another CA gets no code", refused, got)


if FE == "nginx":
    part_b()
else:
    part_c()
done()
