#!/usr/bin/env python3
"""94-sandbox: every endpoint worker runs with `sandbox = yes` (the seccomp
filter of common/app/sandbox.c, issue 10 "least privilege").

The harness workers keep the default (sandbox = no).  This test starts a
second, private worker of every endpoint with a copy of the config plus
`sandbox = yes`, on its own sockets, and drives a whole flow through them
over FastCGI: discovery, jwks, the login page, a login (scrypt, session),
the code exchange (ID Token signing), userinfo, introspection, revocation,
client_credentials, end_session, dynamic registration.  Then it kills the
workers' database connections so that libpq reconnects inside the
sandbox, and stops them with SIGTERM (a clean exit, under ASan with its
leak check).  Each worker must show "Seccomp: 2" (filter mode) and
"NoNewPrivs: 1" in /proc/<pid>/status, and never die.

That a forbidden call (execve, open for writing, a foreign socket family,
setuid, unlink, kill of another process) kills a process with SIGSYS is
shown by the unit test tests/unit/app/test_sandbox.c.
"""
import json
import urllib.parse

from oidctest import *
from flow import (Browser, RP, make_client, make_user, parse_response,
                  run_flow)
from hardening import *

# Our own workers' connections are killed on purpose below.
CONN_LOST = r"(terminat|server closed|connection|reconnect|DB_DOWN)"

conf = private_config("sbx", ["sandbox = yes"])
PATH_OF = dict(ENDPOINT_PATHS)
workers = {}
# Our workers' database sessions are the ones that start after this
# (db.c names every session "oidc-fcgi"; the harness workers connected
# long before).
T_SPAWN = psql("SELECT now()")
for name in endpoints():
    workers[name] = spawn("sbx", name, conf)

for name, w in sorted(workers.items()):
    st = proc_status(w.pid)
    check("%s: sandboxed worker is running" % name, w.alive(),
          open(w.log).read()[-2000:])
    check("%s: /proc status Seccomp: 2 (filter) and NoNewPrivs: 1" % name,
          st.get("Seccomp") == "2" and st.get("NoNewPrivs") == "1",
          "Seccomp=%r NoNewPrivs=%r" % (st.get("Seccomp"),
                                       st.get("NoNewPrivs")))
    with open(w.log, errors="replace") as f:
        check("%s: logs msg=started ... sandbox=yes" % name,
              "sandbox=yes" in f.read())


def endpoint_of(path):
    for n, p in PATH_OF.items():
        if path == p or (n == "register" and path.startswith(p + "/")):
            return n
    return None


def fcgi(method, path, body=None, headers=None):
    """An HTTP-like request to the sandboxed worker for path."""
    u = urllib.parse.urlsplit(path)
    name = endpoint_of(u.path)
    if name not in workers:
        return None
    extra = {}
    ctype = None
    for k, v in (headers or []):
        if k.lower() == "content-type":
            ctype = v
        else:
            extra["HTTP_" + k.upper().replace("-", "_")] = v
    if isinstance(body, str):
        body = body.encode()
    return workers[name].request(
        cgi_params(method, u.path, u.query, content_type=ctype,
                   content_length=len(body) if body is not None else None,
                   extra=extra),
        body or b"", timeout=10 * MULT)


class SandboxBrowser(Browser):
    """flow.Browser, but every request goes to the sandboxed workers."""

    def get(self, path, headers=None):
        r = fcgi("GET", path, None, self._cookie_header() +
                 list((headers or {}).items()))
        if r is None:
            raise RuntimeError("no answer from the sandboxed worker")
        return self.absorb(r)

    def post(self, path, params, headers=None):
        h = self._cookie_header() + [
            ("Content-Type", "application/x-www-form-urlencoded")] + \
            list((headers or {}).items())
        r = fcgi("POST", path, form_encode(params), h)
        if r is None:
            raise RuntimeError("no answer from the sandboxed worker")
        return self.absorb(r)


FORM = [("Content-Type", "application/x-www-form-urlencoded")]


def flows(label):
    """The whole set of requests; returns the number that failed."""
    bad = 0

    def ok(name, cond, detail=None):
        nonlocal bad
        if not check("%s: %s" % (label, name), cond, detail):
            bad += 1

    r = fcgi("GET", "/.well-known/openid-configuration")
    ok("discovery 200 JSON", r is not None and r.status == 200 and
       (r.json() or {}).get("issuer") == ISSUER, r)
    r = fcgi("GET", "/jwks")
    ok("jwks 200 with keys", r is not None and r.status == 200 and
       len((r.json() or {}).get("keys", [])) > 0, r)

    user, pw = unique("sbx-user"), "sandbox-pass-1"
    make_user(user, pw, {"email": user + "@example.org"})
    c = make_client(response_types=["code"], first_party=True,
                    grant_types=["authorization_code", "refresh_token",
                                 "client_credentials"])
    auth = [("Authorization", basic_auth(c["client_id"],
                                         c["client_secret"]))]
    try:
        res = run_flow(c, user, pw, {"response_type": "code",
                                     "scope": "openid email "
                                              "offline_access",
                                     "state": "s1", "nonce": "n1"},
                       browser=SandboxBrowser())
    except Exception as e:  # FlowError, RuntimeError: report, go on
        res = None
        ok("login and code via the sandboxed authorize worker", False, e)
    if res is not None:
        ok("login page, scrypt check, session and code", "code" in res and
           "login" in res["_pages"], res)
        r = fcgi("POST", "/token", form_encode(
            {"grant_type": "authorization_code", "code": res["code"],
             "redirect_uri": RP}), FORM + auth)
        tok = (r.json() or {}) if r is not None else {}
        ok("code exchange: access token and ID Token", r is not None and
           r.status == 200 and "id_token" in tok and
           "access_token" in tok, r)
        if "access_token" in tok:
            r = fcgi("GET", "/userinfo", None,
                     [("Authorization", "Bearer " + tok["access_token"])])
            ok("userinfo 200 with the email claim", r is not None and
               r.status == 200 and (r.json() or {}).get("email") ==
               user + "@example.org", r)
            r = fcgi("POST", "/introspect", form_encode(
                {"token": tok["access_token"]}), FORM + auth)
            ok("introspection says active", r is not None and
               r.status == 200 and (r.json() or {}).get("active") is True,
               r)
        if "refresh_token" in tok:
            r = fcgi("POST", "/token", form_encode(
                {"grant_type": "refresh_token",
                 "refresh_token": tok["refresh_token"]}), FORM + auth)
            ok("refresh_token grant 200", r is not None and
               r.status == 200, r)
            r = fcgi("POST", "/revoke", form_encode(
                {"token": tok["refresh_token"]}), FORM + auth)
            ok("revocation 200", r is not None and r.status == 200, r)
        if "id_token" in tok and "end_session" in workers:
            r = fcgi("GET", "/end_session?" + form_encode(
                {"id_token_hint": tok["id_token"]}))
            ok("end_session answers (not 5xx)", r is not None and
               r.status < 500, r)
    r = fcgi("POST", "/token", "grant_type=client_credentials",
             FORM + auth)
    ok("client_credentials 200", r is not None and r.status == 200, r)
    r = fcgi("POST", "/token", "grant_type=client_credentials&x=%ff%00",
             FORM + auth)
    ok("a hostile body is a 400, not a crash", r is not None and
       r.status == 400, r)
    if "register" in workers:
        r = fcgi("POST", "/register", json.dumps(
            {"redirect_uris": ["https://rp.example/sbx"]}),
            [("Content-Type", "application/json"),
             ("Authorization", "Bearer " + env("OIDC_REG_INITIAL_TOKEN"))])
        ok("dynamic registration 201", r is not None and r.status == 201, r)
    return bad


flows("sandboxed")

# libpq reconnects inside the sandbox: kill our workers' backends.
n = psql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
         "WHERE application_name = 'oidc-fcgi' AND backend_start >= '%s'"
         % T_SPAWN)
diag("terminated %s backend(s) of the sandboxed workers" % n)
check("the sandboxed workers had database connections", int(n or 0) > 0, n)
ok1 = False
for _ in range(3):      # the first request may meet the dead connection
    r = fcgi("POST", "/token", "grant_type=client_credentials", FORM +
             [("Authorization", "Basic Og==")])
    if r is not None and r.status == 401:
        ok1 = True
        break
check("after the backends died: token.fcgi reconnects (401 for a bad "
      "client, not 5xx) within 3 requests", ok1, r)
flows("after reconnect")

for name, w in sorted(workers.items()):
    check("%s: still alive after the flows (no SIGSYS)" % name, w.alive(),
          "exit %r; log tail:\n%s" % (w.proc.poll(),
                                      open(w.log).read()[-1500:]))
for name, w in sorted(workers.items()):
    rc = w.stop()
    check("%s: SIGTERM: clean exit 0 inside the sandbox (status %r)"
          % (name, rc), rc == 0, open(w.log).read()[-1500:])
    check_log(w.log, "sandboxed %s" % name, allow_error=CONN_LOST)

done()
