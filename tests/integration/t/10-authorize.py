#!/usr/bin/env python3
"""10-authorize: the authorization endpoint, login and consent (issue 4).

Mirrors the conformance-suite modules of the Basic, Implicit, Hybrid and
Form Post OP plans (see shared/research/op-anchors.md section 2): every
response type in every allowed response mode, nonce rules, PKCE, state and
iss echo, redirect_uri validation (error page, never a redirect), prompt,
max_age, id_token_hint, login_hint, unknown parameters, POST requests,
request/request_uri handling, CSRF, session cookies, consent, throttling.

The failed-login throttling checks run LAST: every request comes from
127.0.0.1, so they also count against the per-address limit; the test
clears the address ledger afterwards so later tests can log in.
"""
import json
import re
import subprocess
import tempfile
import time
import urllib.parse

from oidctest import *
from flow import *

if not have_endpoint("authorize"):
    check("authorize.fcgi is built and listening", False,
          "no %s/authorize.sock" % env("OIDC_RUNDIR"))
    done()

PW = "correct horse battery staple"
U = unique("alice")
V = unique("victor")
make_user(U, PW, {"name": "Alice", "email": "alice@example.com",
                    "email_verified": True})
make_user(V, PW, {"name": "Victor"})
SUB_U = user_sub(U)
SUB_V = user_sub(V)

RP_Q = "https://rp.example/cb?x=1"
C = make_client(redirect_uris=[RP, RP_Q])           # confidential, consent
FP = make_client(first_party=True)                  # skips consent
CODEONLY = make_client(response_types=["code"])
PUB = make_client(response_types=["code"], public=True)

TOKENISH = ("code", "id_token", "access_token", "token_type", "expires_in")


def P(client, **kw):
    """Authorization parameters: client_id, its first redirect_uri, scope
    openid, plus kw (a None value drops the key)."""
    p = {"client_id": client["client_id"],
         "redirect_uri": client["redirect_uris"][0], "scope": "openid"}
    p.update(kw)
    return {k: v for k, v in p.items() if v is not None}


def describe(r):
    if r is None:
        return "None"
    return r.describe() if hasattr(r, "describe") else repr(r)


def is_error_page(r):
    return r is not None and r.status == 400 and \
        r.content_type() == "text/html" and r.header("Location") is None


def expect_error(name, r, error, mode, state=None, redirect_uri=RP,
                 errors=None):
    """The error went to redirect_uri in mode with error (or one of
    errors), error_description, the state and iss, and nothing else."""
    d = parse_response(r, redirect_uri)
    want = errors or (error,)
    ok = d is not None and d.get("error") in want
    check("%s: error %s" % (name, "|".join(want)), ok,
          describe(r) if d is None else d)
    if not ok:
        return d
    base = urllib.parse.urlunsplit(urllib.parse.urlsplit(redirect_uri)[:3] +
                                   ("", ""))
    check("%s: delivered by %s to the redirect_uri" % (name, mode),
          d["_mode"] == mode and d["_base"] == base, d)
    if mode == "query" and "?" in redirect_uri:
        check("%s: the registered query is kept, the response appended "
              "with &" % name, d["_url"].startswith(redirect_uri + "&"), d)
    check("%s: iss = the issuer (RFC 9207)" % name,
          d.get("iss") == ISSUER, d)
    if state is None:
        check("%s: no state when none was sent" % name, "state" not in d, d)
    else:
        check("%s: state echoed untouched" % name, d.get("state") == state,
              d)
    check("%s: error_description present" % name,
          isinstance(d.get("error_description"), str) and
          d["error_description"] != "" and
          not re.search(r"[\r\n\t]", d["error_description"]), d)
    check("%s: no code or token in an error response" % name,
          not any(k in d for k in TOKENISH) and not d.get("_leak") and
          "_duplicates" not in d, d)
    return d


def expect_page(name, r, kind):
    k = classify(r)
    check("%s: the %s page is shown" % (name, kind), k == kind,
          "%s\n%s" % (k, describe(r)))
    if k == kind:
        bad = security_headers_ok(r)
        check("%s: %s page security headers" % (name, kind), not bad,
              "%s\n%s" % (bad, describe(r)))
    return k == kind


def session_browser(user=U, client=FP, scope="openid"):
    """A browser logged in as user (through a first-party client)."""
    b = Browser()
    res = run_flow(client, user, PW, {"response_type": "code",
                                      "scope": scope, "state": "s"},
                   browser=b)
    return b, res


def good_success(name, d, client, rt, mode, state, nonce, sub=SUB_U,
                 redirect_uri=None):
    """Check an authorization success response d (parse_response) for
    response type rt; returns the ID Token claims (or None)."""
    redirect_uri = redirect_uri or client["redirect_uris"][0]
    words = set(rt.split())
    if not check("%s: a success response" % name,
                 d is not None and "error" not in d, d):
        return None
    base = urllib.parse.urlunsplit(urllib.parse.urlsplit(redirect_uri)[:3] +
                                   ("", ""))
    check("%s: delivered by %s to the redirect_uri" % (name, mode),
          d["_mode"] == mode and d["_base"] == base, d)
    check("%s: state echoed" % name, d.get("state") == state, d)
    check("%s: iss = the issuer" % name, d.get("iss") == ISSUER, d)
    check("%s: no parameter twice, nothing outside the response mode"
          % name, "_duplicates" not in d and not d.get("_leak"), d)
    if "code" in words:
        code = d.get("code") or ""
        check("%s: code is base64url with >= 128 bits" % name,
              re.fullmatch(r"[A-Za-z0-9_-]{22,}", code) is not None, d)
    else:
        check("%s: no code" % name, "code" not in d, d)
    if "token" in words:
        ei = d.get("expires_in", "")
        check("%s: access_token, token_type Bearer, expires_in" % name,
              bool(d.get("access_token")) and
              (d.get("token_type") or "").lower() == "bearer" and
              ei.isdigit() and int(ei) > 0, d)
    else:
        check("%s: no access_token" % name, "access_token" not in d, d)
    claims = None
    if "id_token" in words:
        if check("%s: id_token present" % name, bool(d.get("id_token")), d):
            problems, claims, hdr = verify_id_token(
                d["id_token"], client_id=client["client_id"], nonce=nonce,
                code=d.get("code") if "code" in words else None,
                access_token=d.get("access_token")
                if "token" in words else None, sub=sub)
            check("%s: ID Token verifies (RS256 signature, iss, aud, exp, "
                  "iat, auth_time, nonce, sub%s%s)" % (
                      name, ", c_hash" if "code" in words else "",
                      ", at_hash" if "token" in words else ""),
                  not problems, "%s\n%s %s" % (problems, hdr, claims))
            if claims is not None and "code" not in words:
                check("%s: no c_hash without a code" % name,
                      "c_hash" not in claims, claims)
            if claims is not None and "token" not in words:
                check("%s: no at_hash without an access token" % name,
                      "at_hash" not in claims, claims)
    else:
        check("%s: no id_token" % name, "id_token" not in d, d)
    return claims


# The ID Token key is published: a kid that /jwks lists.
n = new_nonce()
_res = run_flow(FP, U, PW, {"response_type": "id_token", "nonce": n,
                            "state": "kid"})
try:
    _hdr = jws_split(_res.get("id_token", ""))[0]
except ValueError:
    _hdr = {}
_jwks = get("/jwks").json() or {}
check("ID Token header: alg RS256 and a kid listed in /jwks",
      _hdr.get("alg") == "RS256" and _hdr.get("kid") and
      any(k.get("kid") == _hdr.get("kid") for k in _jwks.get("keys", [])),
      (_hdr, _jwks))

# ---- 1. client_id / redirect_uri: an error page, never a redirect ----------

bad_uris = [
    ("trailing slash", RP + "/"),
    ("path case changed", "https://rp.example/CB"),
    ("host case changed", "https://RP.example/cb"),
    ("scheme case changed", "HTTPS://rp.example/cb"),
    ("extra query", RP + "?a=b"),
    ("empty query", RP + "?"),
    ("fragment", RP + "#frag"),
    ("explicit default port", "https://rp.example:443/cb"),
    ("other port", "https://rp.example:8443/cb"),
    ("http instead of https", "http://rp.example/cb"),
    ("path traversal", "https://rp.example/cb/../evil"),
    ("dot segment", "https://rp.example/./cb"),
    ("encoded path", "https://rp.example/%63b"),
    ("userinfo@host", "https://rp.example@evil.example/cb"),
    ("evil userinfo", "https://evil.example@rp.example/cb"),
    ("suffix host", "https://rp.example.evil.example/cb"),
    ("CR/LF injection", RP + "\r\nLocation: https://evil.example/"),
    ("encoded CR/LF", RP + "%0d%0aSet-Cookie:%20x=1"),
    ("NUL", RP + "\x00"),
    ("leading space", " " + RP),
    ("registered query changed", "https://rp.example/cb?x=2"),
    ("registered query extended", RP_Q + "&y=2"),
    ("registered query dropped", "https://rp.example/cb?"),
    ("another site", "https://evil.example/cb"),
]
for label, uri in bad_uris:
    r = get(authorize_url(P(C, redirect_uri=uri, response_type="code",
                            state="s1")))
    check("redirect_uri %s: 400 HTML error page without Location" % label,
          is_error_page(r), r)

for label, params in (
        ("unknown client_id", P(C, client_id=unique("nobody"),
                                response_type="code")),
        ("missing client_id", P(C, client_id=None, response_type="code")),
        ("empty client_id", P(C, client_id="", response_type="code")),
        ("missing redirect_uri", P(C, redirect_uri=None,
                                   response_type="code")),
        ("missing redirect_uri (client with one URI)",
         P(FP, redirect_uri=None, response_type="code")),
        ("another client's redirect_uri... of a client with another URI",
         P(CODEONLY, redirect_uri="https://evil.example/cb",
           response_type="code")),
        ("bad redirect_uri and a bad response_type (validated first)",
         P(C, redirect_uri="https://evil.example/cb", response_type="foo")),
        ("bad redirect_uri and prompt=none",
         P(C, redirect_uri="https://evil.example/cb", response_type="code",
           prompt="none")),
        ("bad redirect_uri and request object",
         P(C, redirect_uri="https://evil.example/cb", response_type="code",
           request="eyJhbGciOiJub25lIn0.e30.")),
        ("unknown client_id with form_post",
         P(C, client_id=unique("nobody"), response_type="code",
           response_mode="form_post"))):
    r = get(authorize_url(params))
    check("%s: 400 HTML error page without Location" % label,
          is_error_page(r), r)
    check("%s: no form posting anywhere" % label,
          parse_response(r) is None, r)
    r2 = post_form("/authorize", params)
    check("%s (POST): 400 HTML error page without Location" % label,
          is_error_page(r2), r2)

r = get(authorize_url(P(C, client_id=unique("nobody"), response_type="code")))
bad = security_headers_ok(r)
check("error page: security headers (CSP frame-ancestors 'none', XFO DENY, "
      "no-store, Referrer-Policy)", not bad, "%s\n%s" % (bad, describe(r)))
xss = 'https://evil.example/"><script>alert(1)</script>'
r = get(authorize_url(P(C, redirect_uri=xss, response_type="code",
                        state='<script>alert(2)</script>')))
check("error page escapes the request's values",
      is_error_page(r) and b"<script>alert(" not in r.body, r)
r = get(authorize_url(P(C, client_id='<img src=x onerror=alert(3)>',
                        response_type="code")))
check("error page escapes an unknown client_id",
      is_error_page(r) and b"<img src=x" not in r.body, r)

# ---- 2. the login page ------------------------------------------------------

b = Browser()
ST = "st-login-1"
N1 = new_nonce()
params = P(C, response_type="code id_token", state=ST, nonce=N1,
           login_hint=U, ui_locales="en", display="page")
r = b.authorize(params)
if expect_page("login page", r, "login"):
    check("login page: 200 text/html", r.status == 200 and
          r.content_type() == "text/html", r)
    page = parse_page(r)
    f = page.login_form()
    check("login page: one form, method post, action /authorize",
          f.method == "post" and f.action in ("/authorize",
                                               ISSUER + "/authorize"), f)
    h = f.hidden_dict()
    for k in ("client_id", "redirect_uri", "response_type", "state", "nonce",
              "scope"):
        check("login page: hidden %s carries the request value" % k,
              h.get(k) == params[k], h)
    ui = f.input("username")
    pw = f.input("password")
    check("login page: text input username", ui is not None and
          ui.get("type") in ("text", "email"), f)
    check("login page: password input password", pw is not None and
          pw.get("type") == "password", f)
    check("login page: the password field has no value",
          pw is not None and not pw.get("value"), f)
    check("login page: <button name=action value=login>",
          f.button("action", "login") is not None, f)
    check("login page: login_hint prefills username",
          ui is not None and ui.get("value") == U, f)
    csrf = h.get("csrf")
    ck = b.cookie_attrs.get("oidc_csrf")
    check("login page: sets cookie oidc_csrf", "oidc_csrf" in b.cookies,
          b.set_cookies)
    if ck is not None:
        check("oidc_csrf cookie: HttpOnly, SameSite=Lax, Path=/",
              ck.get("httponly") is True and
              str(ck.get("samesite")).lower() == "lax" and
              ck.get("path") == "/", ck)
        check("oidc_csrf cookie: no Secure (the test issuer is http)",
              "secure" not in ck, ck)
    check("login page: hidden csrf equals the oidc_csrf cookie "
          "(double submit)", csrf and csrf == b.cookies.get("oidc_csrf"),
          (csrf, b.cookies))
    check("login page: csrf token has >= 128 bits",
          csrf is not None and len(csrf) >= 22, csrf)
    check("login page: no session cookie yet",
          "oidc_session" not in b.cookies, b.set_cookies)

# login_hint is escaped
b2 = Browser()
hint = '"><script>alert(4)</script>'
r = b2.authorize(P(C, response_type="code", state='x"><b>', login_hint=hint))
if classify(r) == "login":
    f = parse_page(r).login_form()
    check("login page: login_hint round-trips as a value, escaped",
          f.input("username").get("value") == hint and
          b"<script>alert(4)" not in r.body, r)
    check("login page: state round-trips as a hidden value, escaped",
          f.hidden_dict().get("state") == 'x"><b>' and b'"><b>' not in r.body,
          r)
else:
    check("login page with an odd login_hint and state", False, r)

# POST gives the same login page.
b3 = Browser()
r3 = b3.authorize(params, method="POST")
if classify(r3) == "login":
    h3 = parse_page(r3).login_form().hidden_dict()
    check("POST /authorize: the same login page with the same hidden "
          "parameters", all(h3.get(k) == params[k] for k in
                            ("client_id", "redirect_uri", "response_type",
                             "state", "nonce")), h3)
else:
    check("POST /authorize: the same login page", False, r3)

# ---- 3. CSRF on the login form ---------------------------------------------


def no_session_set(br, since):
    return "oidc_session" not in br.new_cookies(since)


def csrf_refused(name, br, resp, **kw):
    since = len(br.history)
    try:
        r = br.login(resp, U, PW, **kw)
    except FlowError as e:
        check(name, False, str(e))
        return
    kind = classify(r)
    check(name + ": refused (400 page or the login page again)",
          is_error_page(r) or kind == "login" or
          (r.status == 400 and r.header("Location") is None), r)
    check(name + ": no session cookie", no_session_set(br, since),
          br.set_cookies[-3:])
    check(name + ": no authorization response",
          parse_response(r, RP) is None, r)


ba = Browser()
ra = ba.authorize(P(C, response_type="code", state="csrf"))
if classify(ra) == "login":
    csrf_refused("login with a wrong csrf", ba, ra, csrf="x" * 43)
    csrf_refused("login without the csrf field", ba, ra, drop=("csrf",))
    bb = Browser()
    rb = bb.authorize(P(C, response_type="code", state="csrf"))
    other = parse_page(rb).login_form().hidden_dict().get("csrf")
    csrf_refused("login with another browser's csrf", ba, ra, csrf=other)
    saved = dict(ba.cookies)
    ba.cookies.pop("oidc_csrf", None)
    csrf_refused("login without the oidc_csrf cookie", ba, ra)
    ba.cookies = saved
    ba.cookies["oidc_csrf"] = "y" * 43
    csrf_refused("login with a forged oidc_csrf cookie", ba, ra)
    ba.cookies = saved
else:
    check("login page for the CSRF checks", False, ra)

# ---- 4. wrong password / unknown user --------------------------------------


def failed_login(user, pw):
    br = Browser()
    r0 = br.authorize(P(C, response_type="code", state="wp"))
    since = len(br.history)
    t0 = time.monotonic()
    r = br.login(r0, user, pw)
    dt = time.monotonic() - t0
    return br, r, since, dt


def normal(br, r, user):
    t = r.body.decode("utf-8", "replace")
    for v in set(list(br.cookies.values()) +
                 [x for _, x, _ in br.set_cookies]):
        if v:
            t = t.replace(v, "X")
    t = re.sub(r'name="csrf"[^>]*', "CSRF", t)
    return t.replace(user, "USER")


bw, rw, sw, tw = failed_login(U, PW + "x")
check("wrong password: 200 login page again", rw.status == 200 and
      classify(rw) == "login", rw)
check("wrong password: no session cookie", no_session_set(bw, sw),
      bw.set_cookies)
check("wrong password: an error message on the page",
      parse_page(rw).visible_text() != parse_page(bw.history[0])
      .visible_text(), rw)
ghost = unique("ghost")
bu, ru, su, tu = failed_login(ghost, PW)
check("unknown user: 200 login page again", ru.status == 200 and
      classify(ru) == "login", ru)
check("unknown user: no session cookie", no_session_set(bu, su),
      bu.set_cookies)
check("unknown user and wrong password: same status, same page, same "
      "cookies", rw.status == ru.status and
      normal(bw, rw, U) == normal(bu, ru, ghost) and
      sorted(set_cookie_names(rw)) == sorted(set_cookie_names(ru)),
      "%s\n----\n%s" % (normal(bw, rw, U)[:1500], normal(bu, ru, ghost)[:1500]))
# Timing: the unknown user pays for a dummy KDF (loose bound).  Load only
# ever adds time, so the fastest of several interleaved tries is compared.
tws, tus = [tw], [tu]
for i in range(3):
    tws.append(failed_login(U, "nope-%d" % i)[3])
    tus.append(failed_login(unique("ghost"), PW)[3])
check("unknown user costs about as much time as a wrong password "
      "(fastest %.3fs vs %.3fs)" % (min(tus), min(tws)),
      min(tus) >= 0.5 * min(tws) and min(tws) >= 0.5 * min(tus),
      (sorted(tus), sorted(tws)))
# A disabled user cannot log in.
D = unique("disabled")
make_user(D, PW)
retry_exec(ctl, "user", "disable", D)
bd, rd, sd, _ = failed_login(D, PW)
check("disabled user: no session", no_session_set(bd, sd) and
      parse_response(rd, RP) is None, rd)

# ---- 5. login, session cookie, consent page --------------------------------

b = Browser()
ST = "consent-1"
N1 = new_nonce()
params = P(C, response_type="code", state=ST, nonce=N1, scope="openid email")
r = b.authorize(params)
since = len(b.history)
r = b.login(r, U, PW)
ck = b.cookie_attrs.get("oidc_session")
check("login: sets cookie oidc_session", "oidc_session" in b.cookies,
      b.set_cookies)
SESSION1 = b.cookies.get("oidc_session")
if ck is not None:
    check("oidc_session cookie: HttpOnly, SameSite=Lax, Path=/",
          ck.get("httponly") is True and
          str(ck.get("samesite")).lower() == "lax" and ck.get("path") == "/",
          ck)
    check("oidc_session cookie: no Secure on the http test issuer",
          "secure" not in ck, ck)
    check("oidc_session: >= 256 bits (43+ base64url characters)",
          re.fullmatch(r"[A-Za-z0-9_-]{43,}", SESSION1 or "") is not None,
          SESSION1)
    try:
        raw = b64url_decode(SESSION1)
    except Exception:
        raw = b""
    cands = [sha256_hex(SESSION1)] + ([sha256_hex(raw)] if raw else [])
    n = int(psql("SELECT count(*) FROM login_session WHERE encode("
                 "session_hash, 'hex') IN (%s)"
                 % ",".join("'%s'" % c for c in cands)))
    check("session id stored only as its SHA-256", n == 1, n)
    n = int(psql("SELECT count(*) FROM login_session s WHERE strpos("
                 "row_to_json(s)::text, '%s') > 0" % SESSION1))
    check("session id not stored in clear", n == 0, n)
if expect_page("consent page", r, "consent"):
    page = parse_page(r)
    f = page.consent_form()
    txt = page.visible_text()
    check("consent page: lists the requested scopes (openid, email)",
          "email" in txt.lower() and ("openid" in txt.lower() or
                                      "sign" in txt.lower() or
                                      "identity" in txt.lower()), txt)
    if "signed in as" in txt.lower():
        check("consent page (right after login): 'Signed in as' names the "
              "user",
              re.search(r"signed in as\W*%s" % re.escape(U), txt,
                        re.I) is not None, txt)
    check("consent page: form posting to /authorize",
          f.method == "post" and f.action in ("/authorize",
                                               ISSUER + "/authorize"), f)
    h = f.hidden_dict()
    check("consent page: hidden csrf", bool(h.get("csrf")), h)
    check("consent page: action=consent carried",
          h.get("action") == "consent" or f.button("action", "consent"), f)
    check("consent page: buttons decision=allow and decision=deny",
          f.button("decision", "allow") is not None and
          f.button("decision", "deny") is not None, f)
    for k in ("client_id", "redirect_uri", "response_type", "state"):
        check("consent page: hidden %s" % k, h.get(k) == params[k], h)
    # CSRF on the consent form.
    since = len(b.history)
    rc = b.consent(r, "allow", csrf="z" * 43)
    check("consent with a wrong csrf: refused, no authorization response",
          parse_response(rc, RP) is None and rc.status in (200, 400, 403),
          rc)
    rc = b.consent(r, "allow", drop=("csrf",))
    check("consent without csrf: refused, no authorization response",
          parse_response(rc, RP) is None and rc.status in (200, 400, 403),
          rc)
    # allow
    r = b.consent(r, "allow")
    d = parse_response(r, RP)
    good_success("consent allow (code)", d, C, "code", "query", ST, N1)
    CODE1 = (d or {}).get("code")
    if CODE1:
        nh, nc = code_stored_hashed(CODE1)
        # The harness sets key_encryption_key: a code flow's code is sealed
        # and /authorize stores nothing (issue 16, t/21-sealed-code.py).
        check("code flow: the code is sealed, no auth_code row", nh == 0,
              nh)
        check("code not stored in clear", nc == 0, nc)
        t = redeem(C, CODE1, RP)
        j = t.json() or {}
        check("token endpoint redeems the code (client_secret_basic)",
              t.status == 200 and j.get("access_token") and
              (j.get("token_type") or "").lower() == "bearer", t)
        if j.get("id_token"):
            problems, cl, _ = verify_id_token(j["id_token"], C["client_id"],
                                              nonce=N1, sub=SUB_U)
            check("token endpoint ID Token carries the nonce of the "
                  "authorization request", not problems, (problems, cl))
        else:
            check("token endpoint returns an id_token for scope openid",
                  False, t)
        if j.get("access_token"):
            ui = get("/userinfo", {"Authorization":
                                   "Bearer " + j["access_token"]})
            check("userinfo with the code flow token: sub",
                  ui.status == 200 and (ui.json() or {}).get("sub") == SUB_U,
                  ui)
        t2 = redeem(C, CODE1, RP)
        check("a code redeemed twice: 400 invalid_grant",
              t2.status == 400 and is_json_error(t2, "invalid_grant"), t2)

# Remembered consent: the same browser goes straight through.
pages = []
res = run_flow(C, U, PW, {"response_type": "code", "state": "again",
                          "scope": "openid email"}, browser=b, pages=pages)
check("remembered consent and session: no page at all the second time",
      pages == [] and res.get("code"), (pages, res))
# Consent covers a subset too, but a new scope asks again.
pages = []
res = run_flow(C, U, PW, {"response_type": "code", "state": "subset"},
               browser=b, pages=pages)
check("remembered consent: a subset of the scope goes straight through",
      pages == [] and res.get("code"), (pages, res))
r = b.authorize(P(C, response_type="code", scope="openid email profile",
                  state="more"))
check("a new scope asks for consent again", classify(r) == "consent", r)
# prompt=consent always shows the page.
r = b.authorize(P(C, response_type="code", state="pc", prompt="consent"))
check("prompt=consent shows the consent page though consent is remembered",
      classify(r) == "consent", r)
_txt = parse_page(r).visible_text()
if "signed in as" in _txt.lower():
    check("consent page (existing session): 'Signed in as' names the user",
          re.search(r"signed in as\W*%s" % re.escape(U), _txt, re.I)
          is not None, _txt)
# prompt=none now succeeds silently.
r = b.authorize(P(C, response_type="code", state="pn", prompt="none"))
d = parse_response(r, RP)
good_success("prompt=none with session and consent", d, C, "code", "query",
             "pn", None)
# Consent is per client: another non-first-party client asks.
C2 = make_client()
r = b.authorize(P(C2, response_type="code", state="c2"))
check("consent is per client: another client shows the consent page",
      classify(r) == "consent", r)
r = b.authorize(P(C2, response_type="code", state="c2n", prompt="none"))
expect_error("prompt=none, session, no consent", r, "consent_required",
             "query", "c2n")
r = b.authorize(P(C2, response_type="id_token", state="c2f", prompt="none",
                  nonce=new_nonce(), response_mode="form_post"))
expect_error("prompt=none, no consent, form_post", r, "consent_required",
             "form_post", "c2f")

# deny
for rt, mode, rm in (("code", "query", None),
                     ("id_token token", "fragment", None),
                     ("code id_token", "form_post", "form_post")):
    br = Browser()
    r = br.authorize(P(C2, response_type=rt, state="deny&%s" % mode,
                       nonce=new_nonce(), response_mode=rm))
    if classify(r) == "login":
        r = br.login(r, U, PW)
    if classify(r) != "consent":
        check("deny (%s): consent page" % rt, False, r)
        continue
    r = br.consent(r, "deny")
    expect_error("consent deny (%s, %s)" % (rt, mode), r, "access_denied",
                 mode, "deny&%s" % mode)
r = b.authorize(P(C2, response_type="code", state="after-deny"))
check("deny is not remembered as consent", classify(r) == "consent", r)

# first_party skips consent
pages = []
res = run_flow(FP, U, PW, {"response_type": "code id_token token",
                           "nonce": new_nonce(), "state": "fp"},
               browser=Browser(), pages=pages)
check("first_party client: login, no consent page", pages == ["login"],
      pages)

# A stored (hybrid) code carries /authorize's offline decision
# (oidc_grant_offline, auth_code.offline); /token's code_redeem obeys it
# and never reads the scope (issue 18 item 2).  First party: OIDC Core 11
# keeps offline_access without a consent page.
FPR = make_client(first_party=True, grant_types=["authorization_code",
                                                 "implicit", "refresh_token"])
for scope, want in (("openid offline_access", True), ("openid", False)):
    res = run_flow(FPR, U, PW, {"response_type": "code id_token",
                                "nonce": new_nonce(), "scope": scope},
                   browser=Browser())
    t = redeem(FPR, res["code"]) if res.get("code") else None
    check("hybrid (stored) code, scope %s: %s" % (
          scope, "a refresh token" if want else "no refresh token"),
          t is not None and t.status == 200 and
          ("refresh_token" in (t.json() or {})) == want,
          (res, t and t.json()))

# ---- 6. session rotation and fixation --------------------------------------

bf = Browser()
bf.cookies["oidc_session"] = "A" * 43            # planted by an attacker
pages = []
res = run_flow(FP, U, PW, {"response_type": "code", "state": "fix"},
               browser=bf, pages=pages)
check("a planted session cookie does not log in", pages == ["login"], pages)
S1 = bf.cookies.get("oidc_session")
check("login replaces a planted session id", S1 and S1 != "A" * 43, S1)
pages = []
res = run_flow(FP, U, PW, {"response_type": "code", "state": "rot",
                           "prompt": "login"}, browser=bf, pages=pages)
S2 = bf.cookies.get("oidc_session")
check("prompt=login shows the login page despite the session",
      pages == ["login"], pages)
check("a new session id at every login", S2 and S1 and S2 != S1, (S1, S2))

# ---- 7. response types x response modes ------------------------------------

MODES = {"code": ["query", "fragment", "form_post"]}
for rt in TOKEN_RESPONSE_TYPES:
    MODES[rt] = ["fragment", "form_post"]
DEFAULT = {rt: ("query" if rt == "code" else "fragment")
           for rt in ALL_RESPONSE_TYPES}

# One browser for the whole matrix: the first flow logs in and consents,
# every later one goes straight through (session + remembered consent);
# the pages of every response type are walked by t/50-browser.py.
Mx = make_client(redirect_uris=[RP, RP_Q])
bmx = Browser()
first = True
for rt in ALL_RESPONSE_TYPES:
    for mode in [None] + MODES[rt]:
        for ruri in ([RP, RP_Q] if mode in (None, "query") else [RP]):
            n = new_nonce()
            st = "st %s/%s &=#+%%?" % (rt, mode)
            label = "%s, response_mode=%s%s" % (
                rt, mode or "(default)", ", redirect_uri with query"
                if ruri == RP_Q else "")
            pages = []
            try:
                d = run_flow(Mx, U, PW, {"response_type": rt, "nonce": n,
                                         "state": st, "redirect_uri": ruri,
                                         "response_mode": mode},
                             browser=bmx, pages=pages)
            except FlowError as e:
                check("%s: flow reaches the redirect_uri" % label, False,
                      str(e))
                continue
            want = ["login", "consent"] if first else []
            check("%s: pages %s" % (label, "+".join(want) or "none"),
                  pages == want, pages)
            first = False
            m = mode or DEFAULT[rt]
            claims = good_success(label, d, Mx, rt, m, st, n,
                                  redirect_uri=ruri)
            if m == "form_post":
                resp = d["_resp"]
                bad = security_headers_ok(resp)
                check("%s: form_post page security headers" % label,
                      not bad, bad)
                check("%s: form_post page auto-submits" % label,
                      b"submit()" in resp.body or b".submit(" in resp.body or
                      b"onload" in resp.body, resp)
                check("%s: form_post page has no Location" % label,
                      resp.header("Location") is None, resp)
                check("%s: form_post action is the redirect_uri exactly"
                      % label, d["_action"] == ruri, d)
            if "code" in rt.split() and d.get("code"):
                nh, nc = code_stored_hashed(d["code"])
                # code: sealed, not stored (issue 16); hybrid: stored.
                sealed = rt == "code"
                check("%s: code %s" % (label, "sealed, not stored"
                                       if sealed else "stored hashed only"),
                      nh == (0 if sealed else 1) and nc == 0, (nh, nc))
                t = redeem(Mx, d["code"], ruri)
                j = t.json() or {}
                check("%s: code redeemed at /token" % label,
                      t.status == 200 and bool(j.get("access_token")), t)
                if j.get("id_token"):
                    problems, tc, _ = verify_id_token(
                        j["id_token"], Mx["client_id"], nonce=n, sub=SUB_U)
                    check("%s: token endpoint ID Token valid, same nonce"
                          % label, not problems, problems)
                    if claims:
                        check("%s: token endpoint ID Token: same iss, sub, "
                              "aud, auth_time" % label,
                              all(tc.get(k) == claims.get(k) for k in
                                  ("iss", "sub", "aud", "auth_time")),
                              (tc, claims))
            if d.get("access_token"):
                ui = get("/userinfo", {"Authorization":
                                       "Bearer " + d["access_token"]})
                check("%s: the access token works at /userinfo" % label,
                      ui.status == 200 and
                      (ui.json() or {}).get("sub") == SUB_U, ui)

# Query refused for every token-returning type.
bs, _ = session_browser()
for rt in TOKEN_RESPONSE_TYPES:
    r = bs.authorize(P(FP, response_type=rt, nonce=new_nonce(),
                       state="q", response_mode="query"))
    d = parse_response(r, RP)
    check("%s with response_mode=query: invalid_request" % rt,
          d is not None and d.get("error") == "invalid_request", r)
    check("%s with response_mode=query: no code or token anywhere" % rt,
          d is not None and not any(k in d for k in TOKENISH) and
          not d.get("_leak") and not re.search(
              r"(code|id_token|access_token)=", d.get("_url", "")), d)
    if d is not None and d.get("error"):
        check("%s with response_mode=query: state and iss" % rt,
              d.get("state") == "q" and d.get("iss") == ISSUER, d)

r = bs.authorize(P(FP, response_type="code", state="rm",
                   response_mode="bogus"))
expect_error("unknown response_mode", r, "invalid_request", "query", "rm")

# response_type is order-insensitive
for rt, canon in (("id_token code", "code id_token"),
                  ("token id_token", "id_token token"),
                  ("token code id_token", "code id_token token"),
                  ("token code", "code token")):
    n = new_nonce()
    r = bs.authorize(P(FP, response_type=rt, nonce=n, state="ord"))
    good_success("response_type %r (order)" % rt, parse_response(r, RP),
                 FP, canon, "fragment", "ord", n)

# POST gives the same as GET
for rt in ("code", "code id_token token"):
    n1, n2 = new_nonce(), new_nonce()
    rg = bs.authorize(P(FP, response_type=rt, nonce=n1, state="m"))
    rp = bs.authorize(P(FP, response_type=rt, nonce=n2, state="m"),
                      method="POST")
    dg, dp = parse_response(rg, RP), parse_response(rp, RP)
    good_success("POST %s" % rt, dp, FP, rt, DEFAULT[rt], "m", n2)
    check("POST and GET %s: same response shape" % rt,
          dg is not None and dp is not None and rg.status == rp.status and
          sorted(k for k in dg if not k.startswith("_")) ==
          sorted(k for k in dp if not k.startswith("_")), (dg, dp))
r = post_form("/authorize", P(FP, response_type="id_token", state="pe"))
expect_error("POST without nonce", r, "invalid_request", "fragment", "pe")

# ---- 8. state ---------------------------------------------------------------

odd_states = ["a b", "x&y=z", "#frag?q", "100%25 literal %zz", "plus+sign",
              "quote'\"<>", "unicode \u00e9\u2603", "slash/back\\slash",
              "=", "s" * 512]
for st in odd_states:
    for rt, mode in (("code", None), ("id_token", None),
                     ("code", "form_post")):
        n = new_nonce()
        r = bs.authorize(P(FP, response_type=rt, nonce=n, state=st,
                           response_mode=mode))
        d = parse_response(r, RP)
        # RFC 6749 A.5: state is 1*VSCHAR (%x20-7E); outside that an
        # invalid_request is right too, but the state still comes back.
        vschar = all(0x20 <= ord(ch) <= 0x7e for ch in st)
        check("state %r echoed exactly (%s, %s)%s" % (
            st[:20], rt, mode or "default",
            "" if vschar else " (or invalid_request: not VSCHAR)"),
              d is not None and d.get("state") == st and
              ("error" not in d or
               (not vschar and d.get("error") == "invalid_request")),
              d or r)
r = bs.authorize(P(FP, response_type="code", state=None))
d = parse_response(r, RP)
check("no state sent: none returned", d is not None and d.get("code") and
      "state" not in d, d)

# ---- 9. nonce ---------------------------------------------------------------

for rt in ("code", "code token"):
    r = bs.authorize(P(FP, response_type=rt, state="nn"))
    d = parse_response(r, RP)
    good_success("%s without nonce succeeds" % rt, d, FP, rt,
                 DEFAULT[rt], "nn", None)
    if d and d.get("code"):
        t = redeem(FP, d["code"], RP)
        j = t.json() or {}
        problems, cl, _ = verify_id_token(j.get("id_token", ""),
                                          FP["client_id"], nonce=None)
        check("%s without nonce: token ID Token has no nonce" % rt,
              t.status == 200 and not problems, (problems, t))
for rt in ("id_token", "id_token token", "code id_token",
           "code id_token token"):
    r = bs.authorize(P(FP, response_type=rt, state="nn"))
    expect_error("%s without nonce" % rt, r, "invalid_request", "fragment",
                 "nn")
    r = bs.authorize(P(FP, response_type=rt, state="nnf",
                       response_mode="form_post"))
    expect_error("%s without nonce, form_post" % rt, r, "invalid_request",
                 "form_post", "nnf")
# replay
for rt, mode in (("id_token", "fragment"), ("code id_token", "fragment")):
    n = new_nonce()
    r = bs.authorize(P(FP, response_type=rt, nonce=n, state="r1"))
    d = parse_response(r, RP)
    check("nonce %s first use succeeds" % rt, d is not None and
          "error" not in d, d or r)
    r = bs.authorize(P(FP, response_type=rt, nonce=n, state="r2"))
    expect_error("nonce replayed (%s)" % rt, r, "invalid_request", mode, "r2")
# A sealed code's nonce is spent with its tokens (issue 16): both codes
# are handed out, only the first redeems; no second ID Token.
n = new_nonce()
d1 = parse_response(bs.authorize(P(FP, response_type="code", nonce=n,
                                   state="r1")), RP) or {}
d2 = parse_response(bs.authorize(P(FP, response_type="code", nonce=n,
                                   state="r2")), RP) or {}
check("nonce code: both authorizations answer with a code",
      d1.get("code") and d2.get("code"), (d1, d2))
t1 = redeem(FP, d1.get("code", "x"), RP)
t2 = redeem(FP, d2.get("code", "x"), RP)
check("nonce replayed (code): the first code redeems, the second is "
      "invalid_grant", t1.status == 200 and t2.status == 400 and
      (t2.json() or {}).get("error") == "invalid_grant", (t1, t2))
FP2 = make_client(first_party=True)
n = new_nonce()
r = bs.authorize(P(FP, response_type="id_token", nonce=n, state="x1"))
r = bs.authorize(P(FP2, response_type="id_token", nonce=n, state="x2"))
d = parse_response(r, RP)
check("the same nonce at another client is fine", d is not None and
      d.get("id_token") and "error" not in d, d or r)

# ---- 10. response type and scope errors ------------------------------------

r = bs.authorize(P(FP, response_type=None, state="rtm"))
expect_error("response_type missing", r, None, "query", "rtm",
             errors=("unsupported_response_type", "invalid_request"))
for rt in ("foo", "token", "code code", "none code", "code  id_token"):
    r = bs.authorize(P(FP, response_type=rt, state="rtu",
                       nonce=new_nonce()))
    expect_error("response_type %r" % rt, r, "unsupported_response_type",
                 "query", "rtu")
bco, _ = session_browser()
for rt, mode in (("id_token", "fragment"), ("code id_token", "fragment"),
                 ("code token", "fragment"), ("id_token token", "form_post")):
    r = bco.authorize(P(CODEONLY, response_type=rt, nonce=new_nonce(),
                        state="uc", response_mode=None if
                        mode == "fragment" else mode))
    expect_error("%s at a code-only client" % rt, r, "unauthorized_client",
                 mode, "uc")
for rt, mode in (("id_token", "fragment"), ("code id_token", "fragment")):
    r = bs.authorize(P(FP, response_type=rt, nonce=new_nonce(), state="sc",
                       scope="profile"))
    expect_error("%s without openid in scope" % rt, r, None, mode, "sc",
                 errors=("invalid_scope", "invalid_request"))

# plain OAuth code request without openid
r = bs.authorize(P(FP, response_type="code", scope="profile", state="oa"))
d = parse_response(r, RP)
check("plain OAuth code request (no openid): a code", d is not None and
      d.get("code") and "error" not in d and d.get("iss") == ISSUER,
      d or r)
if d and d.get("code"):
    t = redeem(FP, d["code"], RP)
    j = t.json() or {}
    check("plain OAuth code: access token and no ID Token",
          t.status == 200 and j.get("access_token") and
          "id_token" not in j, t)

# ---- 11. request objects, prompt, unknown and optional parameters ----------

# Request objects: the brief's contract said request -> request_not_supported
# (issue 4: "until request objects are implemented"); commit 940e316 then
# implemented them by value (OIDC Core 6.1).  Either way a request object is
# never ignored: refused with request_not_supported, or honoured (its
# members win), or, when it cannot be verified, refused (error page or
# invalid_request_object).



def never_ignored(name, r, redirect_uri=RP):
    d = parse_response(r, redirect_uri)
    check("%s: not ignored (request_not_supported, invalid_request_object "
          "or an error page; never a success)" % name,
          is_error_page(r) or (d is not None and d.get("error") in (
              "request_not_supported", "invalid_request_object",
              "invalid_request")), d or r)
    return d


# OIDC Registration 2: no request_object_signing_alg registered means any
# algorithm both support, "none" included (issue 17 item 1).
ro = unsigned_jwt({"state": "from-object"})
r = bs.authorize(P(FP, response_type="code", state="ro", request=ro))
d = parse_response(r, RP) or {}
check("unsigned request object from a client that registered no "
      "request_object_signing_alg: honoured, its state wins",
      bool(d.get("code")) and d.get("state") == "from-object", d or r)
r = bs.authorize(P(FP, response_type="id_token", nonce=new_nonce(),
                   state="ro2", request=ro))
d = parse_response(r, RP) or {}
check("unsigned request object (id_token): honoured, its state wins",
      bool(d.get("id_token")) and d.get("state") == "from-object", d or r)
r = bs.authorize(P(FP, response_type="code", state="ro3",
                   request="not.a.jwt"))
never_ignored("malformed request object", r)
RO = make_client(first_party=True, request_object_signing_alg="none")
now = int(time.time())
obj = {"iss": RO["client_id"], "aud": ISSUER, "client_id": RO["client_id"],
       "response_type": "code", "redirect_uri": RP, "scope": "openid",
       "state": "from-object", "exp": now + 300, "iat": now}
br_ro, _ = session_browser(client=RO)
r = br_ro.authorize(P(RO, response_type="code", state="from-query",
                      request=unsigned_jwt(obj)))
d = parse_response(r, RP)
check("request object (alg none registered): honoured, its state wins, or "
      "request_not_supported", d is not None and (
          (d.get("code") and d.get("state") == "from-object") or
          d.get("error") == "request_not_supported"), d or r)
bad_obj = dict(obj, redirect_uri="https://evil.example/cb")
r = br_ro.authorize(P(RO, response_type="code", state="ro-ru",
                      request=unsigned_jwt(bad_obj)))
check("request object with an unregistered redirect_uri: an error page, "
      "never a redirect (oidcc-ensure-request-object-with-redirect-uri)",
      is_error_page(r) or (parse_response(r, RP) or {}).get("error") ==
      "request_not_supported", r)
r = bs.authorize(P(FP, response_type="code", state="ru",
                   request_uri="https://rp.example/request.jwt"))
d = parse_response(r, RP)
check("request_uri that cannot be fetched: refused (error page, "
      "invalid_request_uri or request_uri_not_supported), never ignored",
      is_error_page(r) or (d is not None and d.get("error") in (
          "invalid_request_uri", "request_uri_not_supported")), d or r)

for pr in ("none login", "login none", "none consent", "none select_account",
           "bogus"):
    r = bs.authorize(P(FP, response_type="code", state="pr", prompt=pr))
    expect_error("prompt=%s" % pr, r, "invalid_request", "query", "pr")

# prompt=none without a session
st128 = "S" * 64 + "t" * 64
for rt, mode, rm in (("code", "query", None),
                     ("id_token", "fragment", None),
                     ("code id_token token", "form_post", "form_post")):
    r = Browser().authorize(P(FP, response_type=rt, nonce=new_nonce(),
                              state=st128, prompt="none", response_mode=rm))
    expect_error("prompt=none without a session (%s)" % rt, r,
                 "login_required", mode, st128)
r = Browser().authorize(P(C, response_type="code", state="bp",
                          prompt="none", redirect_uri=RP_Q))
expect_error("prompt=none without a session, redirect_uri with query", r,
             "login_required", "query", "bp", redirect_uri=RP_Q)
bx = Browser()
bx.cookies["oidc_session"] = "B" * 43
r = bx.authorize(P(FP, response_type="code", state="bs", prompt="none"))
expect_error("prompt=none with an unknown session cookie", r,
             "login_required", "query", "bs")

# prompt=select_account accepted
r = bs.authorize(P(FP, response_type="code", state="sa",
                   prompt="select_account"))
k = classify(r)
d = parse_response(r, RP)
check("prompt=select_account accepted (success or a page)",
      k in ("login", "consent") or (d is not None and (
          "code" in d or d.get("error") == "account_selection_required")),
      r)

# Unknown and optional parameters
for label, extra in (
        ("unknown parameter", {"extra": "foobar", "x-y": "1"}),
        ("display=page", {"display": "page"}),
        ("display=popup", {"display": "popup"}),
        ("ui_locales", {"ui_locales": "se en"}),
        ("claims_locales", {"claims_locales": "se"}),
        ("acr_values", {"acr_values": "1 2"}),
        ("login_hint", {"login_hint": U}),
        ("claims", {"claims": json.dumps(
            {"id_token": {"name": {"essential": True}},
             "userinfo": {"email": None}})}),
        ("empty optional values", {"ui_locales": "", "display": ""}),
        ("scope order", {"scope": "email openid"})):
    for rt in ("code", "code id_token"):
        n = new_nonce()
        p = P(FP, response_type=rt, nonce=n, state="opt")
        p.update(extra)
        r = bs.authorize(p)
        good_success("%s (%s)" % (label, rt), parse_response(r, RP), FP, rt,
                     DEFAULT[rt], "opt", n)

# ---- 12. PKCE ----------------------------------------------------------------

v, chal = pkce_pair()
bp, _ = session_browser(client=FP)
bpub = Browser()
r = bpub.authorize(P(PUB, response_type="code", state="pk0"))
if classify(r) == "login":
    r = bpub.login(r, U, PW)
if classify(r) == "consent":
    r = bpub.consent(r, "allow")
expect_error("public client without code_challenge", r, "invalid_request",
             "query", "pk0")
r = bpub.authorize(P(PUB, response_type="code", state="pk1",
                     code_challenge=v, code_challenge_method="plain"))
if classify(r) == "consent":
    r = bpub.consent(r, "allow")
expect_error("public client, code_challenge_method=plain", r,
             "invalid_request", "query", "pk1")
r = bpub.authorize(P(PUB, response_type="code", state="pk2",
                     code_challenge=chal, code_challenge_method="S256"))
if classify(r) == "login":
    r = bpub.login(r, U, PW)
if classify(r) == "consent":
    r = bpub.consent(r, "allow")
d = parse_response(r, RP)
check("public client with S256: a code", d is not None and d.get("code"),
      d or r)
if d and d.get("code"):
    t = redeem(PUB, d["code"], RP, verifier=v)
    check("public client: code redeemed with the verifier, no secret",
          t.status == 200 and (t.json() or {}).get("access_token"), t)
r = bp.authorize(P(FP, response_type="code", state="pk3",
                   code_challenge=v, code_challenge_method="plain"))
expect_error("confidential client, code_challenge_method=plain", r,
             "invalid_request", "query", "pk3")
r = bp.authorize(P(FP, response_type="code", state="pk4",
                   code_challenge=chal, code_challenge_method="S512"))
expect_error("unknown code_challenge_method", r, "invalid_request", "query",
             "pk4")
r = bp.authorize(P(FP, response_type="code", state="pk5",
                   code_challenge="tooshort", code_challenge_method="S256"))
expect_error("code_challenge too short (RFC 7636 4.2: 43 characters)", r,
             "invalid_request", "query", "pk5")
r = bp.authorize(P(FP, response_type="code", state="pk6",
                   code_challenge=chal))
d = parse_response(r, RP)
check("code_challenge without method: S256 required, plain refused "
      "(invalid_request)", d is not None and
      d.get("error") == "invalid_request", d or r)
v2, chal2 = pkce_pair()
r = bp.authorize(P(FP, response_type="code id_token", state="pk7",
                   nonce=new_nonce(), code_challenge=chal2,
                   code_challenge_method="S256"))
d = parse_response(r, RP)
if check("confidential client with S256 (hybrid): success",
         d is not None and d.get("code"), d or r):
    t = redeem(FP, d["code"], RP, verifier="W" * 43)
    check("wrong code_verifier: invalid_grant",
          t.status == 400 and is_json_error(t, "invalid_grant"), t)
r = bp.authorize(P(FP, response_type="code", state="pk8",
                   code_challenge=chal2, code_challenge_method="S256"))
d = parse_response(r, RP)
if d and d.get("code"):
    t = redeem(FP, d["code"], RP, verifier=v2)
    check("confidential client: code redeemed with the right verifier",
          t.status == 200, t)
    t = redeem(FP, parse_response(bp.authorize(P(
        FP, response_type="code", state="pk9",
        code_challenge=chal2, code_challenge_method="S256")), RP)
        .get("code", ""), RP)
    check("a code bound to a challenge needs the verifier",
          t.status == 400 and is_json_error(t, "invalid_grant"), t)

# ---- 13. max_age, auth_time, id_token_hint ---------------------------------

bm = Browser()
t_login = int(time.time())
n = new_nonce()
res = run_flow(FP, U, PW, {"response_type": "id_token", "nonce": n,
                           "state": "ma"}, browser=bm)
_, c0, _ = verify_id_token(res.get("id_token", ""), FP["client_id"], n)
AT0 = (c0 or {}).get("auth_time")
check("auth_time is the login time", isinstance(AT0, int) and
      abs(AT0 - t_login) <= 5, c0)
HINT_U = res.get("id_token")
n = new_nonce()
r = bm.authorize(P(FP, response_type="id_token", nonce=n, state="ma1",
                   max_age="100000"))
d = parse_response(r, RP)
c1 = good_success("max_age=100000: no new login", d, FP, "id_token",
                  "fragment", "ma1", n)
check("max_age=100000: same auth_time", c1 is not None and
      c1.get("auth_time") == AT0, c1)
time.sleep(2.2)
for ma in ("1", "0"):
    pages = []
    n = new_nonce()
    t_before = int(time.time())
    res = run_flow(FP, U, PW, {"response_type": "id_token", "nonce": n,
                               "state": "ma" + ma, "max_age": ma},
                   browser=bm, pages=pages)
    check("max_age=%s: a new login is forced" % ma, pages == ["login"],
          pages)
    _, cm, _ = verify_id_token(res.get("id_token", ""), FP["client_id"], n)
    check("max_age=%s: auth_time in the ID Token and fresh" % ma,
          cm is not None and isinstance(cm.get("auth_time"), int) and
          cm["auth_time"] >= t_before - 1 and cm["auth_time"] > AT0, cm)
    if ma == "1":
        time.sleep(2.2)
    AT0 = (cm or {}).get("auth_time", AT0)
# max_age on a code flow: auth_time goes into the token endpoint ID Token.
time.sleep(1.1)
res = run_flow(FP, U, PW, {"response_type": "code", "state": "mac",
                           "max_age": "0"}, browser=bm)
if res.get("code"):
    j = redeem(FP, res["code"], RP).json() or {}
    _, cc, _ = verify_id_token(j.get("id_token", ""), FP["client_id"], None)
    check("max_age on the code flow: auth_time in the token ID Token",
          cc is not None and isinstance(cc.get("auth_time"), int) and
          cc["auth_time"] > AT0 - 1, cc)

# id_token_hint
bh = Browser()
res = run_flow(FP, U, PW, {"response_type": "id_token", "nonce": new_nonce(),
                           "state": "h"}, browser=bh)
HINT_U = res.get("id_token")
resv = run_flow(FP, V, PW, {"response_type": "id_token",
                            "nonce": new_nonce(), "state": "hv"},
                browser=Browser())
HINT_V = resv.get("id_token")
n = new_nonce()
r = bh.authorize(P(FP, response_type="id_token", nonce=n, state="h1",
                   prompt="none", id_token_hint=HINT_U))
good_success("prompt=none with the session's id_token_hint", parse_response(
    r, RP), FP, "id_token", "fragment", "h1", n)
r = bh.authorize(P(FP, response_type="code", state="h2", prompt="none",
                   id_token_hint=HINT_V))
expect_error("prompt=none with another user's id_token_hint", r,
             "login_required", "query", "h2")
r = bh.authorize(P(FP, response_type="id_token", nonce=new_nonce(),
                   state="h3", prompt="none", id_token_hint=HINT_V,
                   response_mode="form_post"))
expect_error("prompt=none, another user's id_token_hint, form_post", r,
             "login_required", "form_post", "h3")
# A hint issued to another client of ours is still ours.
n = new_nonce()
r = bh.authorize(P(FP2, response_type="id_token", nonce=n, state="h4",
                   prompt="none", id_token_hint=HINT_U))
good_success("id_token_hint issued to another client, same user",
             parse_response(r, RP), FP2, "id_token", "fragment", "h4", n)


def resign(token, **changes):
    """Re-sign token's claims (changed) with the provider's RS256 key."""
    header, claims, _, _ = jws_split(token)
    claims.update(changes)
    si = (b64url(json.dumps(header, separators=(",", ":"))) + "." +
          b64url(json.dumps(claims, separators=(",", ":"))))
    with tempfile.NamedTemporaryFile() as f:
        f.write(si.encode())
        f.flush()
        p = subprocess.run(["openssl", "dgst", "-sha256", "-sign",
                            env("OIDC_KEY_RS256"), f.name],
                           stdout=subprocess.PIPE, check=True)
    return si + "." + b64url(p.stdout)


if HINT_U:
    expired = resign(HINT_U, exp=int(time.time()) - 3600,
                     iat=int(time.time()) - 7200)
    n = new_nonce()
    r = bh.authorize(P(FP, response_type="id_token", nonce=n, state="h5",
                       prompt="none", id_token_hint=expired))
    good_success("an expired id_token_hint we issued is accepted",
                 parse_response(r, RP), FP, "id_token", "fragment", "h5", n)
    h, cl, si, sig = jws_split(HINT_U)
    forged = si.decode() + "." + b64url(b"\x00" * len(sig))
    r = bh.authorize(P(FP, response_type="code", state="h6",
                       prompt="none", id_token_hint=forged))
    d = parse_response(r, RP)
    check("an id_token_hint with a bad signature is not accepted",
          d is not None and d.get("error") in ("invalid_request",
                                               "login_required") and
          d.get("state") == "h6", d or r)

# ---- 14. throttling (LAST: every request comes from 127.0.0.1) -------------

# Start from a clean address ledger (section 4 and the CSRF checks added
# failures for 127.0.0.1).
psql("DELETE FROM login_failure WHERE key LIKE 'a:%'")
TU = unique("throttled")
make_user(TU, PW)
OK_U = unique("bystander")
make_user(OK_U, PW)


def try_login(user, pw, client=FP):
    br = Browser()
    r0 = br.authorize(P(client, response_type="code", state="th"))
    if classify(r0) != "login":
        return br, r0, None
    since = len(br.history)
    r = br.login(r0, user, pw)
    return br, r, since


def throttled(br, r, since):
    txt = parse_page(r).visible_text().lower() if r is not None else ""
    return (r is not None and (r.status == 429 or
                               (classify(r) == "login" and
                                ("too many" in txt or "try again" in txt))) and
            "oidc_session" not in br.new_cookies(since))


for i in range(9):
    try_login(TU, "wrong-%d" % i)
br, r, since = try_login(TU, PW)
check("9 failures: the right password still logs in",
      "oidc_session" in br.new_cookies(since) and
      parse_response(r, RP) is not None, r)
# That success does not reset the window by design or not: push the
# account to 10 fresh failures in any case.
for i in range(10):
    br, r, since = try_login(TU, "wrong-b%d" % i)
br, r, since = try_login(TU, PW)
check("10 failures: the right password is refused (429 or too many "
      "attempts)", throttled(br, r, since), r)
if r is not None and r.status == 429:
    check("429 page: HTML with security headers",
          r.content_type() == "text/html" and not security_headers_ok(r), r)
br, r, since = try_login(OK_U, PW)
check("another account still logs in from the same address",
      "oidc_session" in br.new_cookies(since), r)
# The window passes: age the account's failures (key "u:ADDR NAME",
# common/db/stmt.c THROTTLE) by two hours.
psql("UPDATE login_failure SET at = at - interval '2 hours' "
     "WHERE key LIKE 'u:%%%s%%' OR key LIKE 'L:u:%%%s%%'"
     % (TU.replace("'", "''"), TU.replace("'", "''")))
n_moved = psql("SELECT count(*) FROM login_failure WHERE key LIKE "
               "'u:%%%s%%' AND at < now() - interval '1 hour'" % TU)
br, r, since = try_login(TU, PW)
check("after the window the account logs in again",
      "oidc_session" in br.new_cookies(since), (n_moved, describe(r)))

# Per address: the ledger for 127.0.0.1 is pre-filled to 5 below the
# default limit (100; key "a:ADDR" as sql/migrations/0002_grants.sql says)
# so the test stays fast, then real failed logins of unknown users (at most
# 120 if the pre-fill missed) until the address is throttled; then even a
# right password is refused.
psql("DELETE FROM login_failure")
psql("INSERT INTO login_failure (key, at) SELECT 'a:127.0.0.1', now() "
     "FROM generate_series(1, 95)")
limit_hit = False
for i in range(120):
    br, r, since = try_login(unique("nobody"), "x")
    if r is not None and throttled(br, r, since) and (
            r.status == 429 or "too many" in
            parse_page(r).visible_text().lower()):
        limit_hit = True
        break
check("per-address throttling kicks in (within 120 failures)", limit_hit,
      "last: %s" % describe(r))
if limit_hit:
    br, r, since = try_login(OK_U, PW)
    check("per-address throttling: a right password is refused too",
          throttled(br, r, since), r)
psql("DELETE FROM login_failure")
br, r, since = try_login(OK_U, PW)
check("after the ledger is cleared logins work again",
      "oidc_session" in br.new_cookies(since), r)

done()
