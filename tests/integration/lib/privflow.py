"""privflow: drive a whole flow through a set of private FastCGI workers
(started with hardening.spawn), bypassing the web server: discovery,
jwks, login page, login, code exchange, userinfo, introspection, refresh,
revocation, client_credentials, end_session, dynamic registration.  Used by
94-sandbox (seccomp) and 95-db-roles (least-privilege database roles)."""
import json
import urllib.parse

from oidctest import *
from flow import (Browser, RP, make_client, make_user, parse_response,
                  run_flow)


PATH_OF = dict(ENDPOINT_PATHS)
FORM = [("Content-Type", "application/x-www-form-urlencoded")]


def endpoint_of(path):
    for n, p in PATH_OF.items():
        if path == p or (n == "register" and path.startswith(p + "/")):
            return n
    return None


def fcgi(workers, method, path, body=None, headers=None):
    """An HTTP-like request to the private worker for path (None when
    there is no such worker)."""
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


class PrivateBrowser(Browser):
    """flow.Browser, but every request goes to the private workers."""

    def __init__(self, workers, name="private"):
        super().__init__(name)
        self.workers = workers

    def get(self, path, headers=None):
        r = fcgi(self.workers, "GET", path, None, self._cookie_header() +
                 list((headers or {}).items()))
        if r is None:
            raise RuntimeError("no answer from the private worker")
        return self.absorb(r)

    def post(self, path, params, headers=None):
        h = self._cookie_header() + [
            ("Content-Type", "application/x-www-form-urlencoded")] + \
            list((headers or {}).items())
        r = fcgi(self.workers, "POST", path, form_encode(params), h)
        if r is None:
            raise RuntimeError("no answer from the private worker")
        return self.absorb(r)


def flows(workers, label):
    """The whole set of requests; returns the number that failed."""
    bad = 0

    def ok(name, cond, detail=None):
        nonlocal bad
        if not check("%s: %s" % (label, name), cond, detail):
            bad += 1

    r = fcgi(workers, "GET", "/.well-known/openid-configuration")
    ok("discovery 200 JSON", r is not None and r.status == 200 and
       (r.json() or {}).get("issuer") == ISSUER, r)
    r = fcgi(workers, "GET", "/jwks")
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
                       browser=PrivateBrowser(workers))
    except Exception as e:  # FlowError, RuntimeError: report, go on
        res = None
        ok("login and code via the sandboxed authorize worker", False, e)
    if res is not None:
        ok("login page, scrypt check, session and code", "code" in res and
           "login" in res["_pages"], res)
        r = fcgi(workers, "POST", "/token", form_encode(
            {"grant_type": "authorization_code", "code": res["code"],
             "redirect_uri": RP}), FORM + auth)
        tok = (r.json() or {}) if r is not None else {}
        ok("code exchange: access token and ID Token", r is not None and
           r.status == 200 and "id_token" in tok and
           "access_token" in tok, r)
        if "access_token" in tok:
            r = fcgi(workers, "GET", "/userinfo", None,
                     [("Authorization", "Bearer " + tok["access_token"])])
            ok("userinfo 200 with the email claim", r is not None and
               r.status == 200 and (r.json() or {}).get("email") ==
               user + "@example.org", r)
            r = fcgi(workers, "POST", "/introspect", form_encode(
                {"token": tok["access_token"]}), FORM + auth)
            ok("introspection says active", r is not None and
               r.status == 200 and (r.json() or {}).get("active") is True,
               r)
        if "refresh_token" in tok:
            r = fcgi(workers, "POST", "/token", form_encode(
                {"grant_type": "refresh_token",
                 "refresh_token": tok["refresh_token"]}), FORM + auth)
            ok("refresh_token grant 200", r is not None and
               r.status == 200, r)
            r = fcgi(workers, "POST", "/revoke", form_encode(
                {"token": tok["refresh_token"]}), FORM + auth)
            ok("revocation 200", r is not None and r.status == 200, r)
        if "id_token" in tok and "end_session" in workers:
            r = fcgi(workers, "GET", "/end_session?" + form_encode(
                {"id_token_hint": tok["id_token"]}))
            ok("end_session answers (not 5xx)", r is not None and
               r.status < 500, r)
    r = fcgi(workers, "POST", "/token", "grant_type=client_credentials",
             FORM + auth)
    ok("client_credentials 200", r is not None and r.status == 200, r)
    r = fcgi(workers, "POST", "/token", "grant_type=client_credentials&x=%ff%00",
             FORM + auth)
    ok("a hostile body is a 400, not a crash", r is not None and
       r.status == 400, r)
    if "register" in workers:
        r = fcgi(workers, "POST", "/register", json.dumps(
            {"redirect_uris": ["https://rp.example/sbx"]}),
            [("Content-Type", "application/json"),
             ("Authorization", "Bearer " + env("OIDC_REG_INITIAL_TOKEN"))])
        ok("dynamic registration 201", r is not None and r.status == 201, r)
    return bad
