#!/usr/bin/env python3
"""22-round-trips: database round trips of the code flow (issue 16).

Every statement is one client-server round trip and a slice of
PostgreSQL's CPU, so the code flow's hot path has a fixed budget, read
from the `db=` field each worker logs per request (statements it sent):

- a returning user's GET /authorize (session cookie, sealed code): ONE
  statement, the client and the session with its consent together
  (client_session_get), and a 302 with a code;
- the same without a session cookie: one statement, the login page;
- the sealed code's redemption at /token: two (the client with its
  throttle, then code_redeem_sealed);
- /userinfo: one.

The merged read must keep every rule of the separate ones: an unknown
client with a session cookie is refused, an unknown or expired session or
a disabled user gets the login page, and consent given to one client does
not count for another.
"""
import base64
import os
import re
import secrets
import urllib.parse

from oidctest import *
from grants import *
from hardening import spawn, check_log

RURI = "https://rp.example/cb"
USER = unique("rt-u")
PASSWORD = "pw-" + secrets.token_hex(8)
create_user(USER, PASSWORD, {"name": "Round Trip"})


def client(first_party):
    m = {"client_name": "round trips", "redirect_uris": [RURI],
         "grant_types": ["authorization_code"]}
    if first_party:
        m["first_party"] = True
    c = create_client(m)
    return c["client_id"], c["client_secret"]


A = client(True)        # first party: no consent page
B = client(False)       # consent remembered below
C = client(False)       # never consented
JAR = CookieJar()
authorize_code(A[0], RURI, USER, PASSWORD, consent=False, jar=JAR)
authorize_code(B[0], RURI, USER, PASSWORD, consent=True, jar=JAR)

conf = env("OIDC_CONFIG")
AZ = spawn("roundtrips", "authorize", conf)
TK = spawn("roundtrips", "token", conf)
UI = spawn("roundtrips", "userinfo", conf)


def log_lines(w):
    with open(w.log, "rb") as f:
        return [l for l in f.read().decode("utf-8", "replace").splitlines()
                if "msg=request" in l]


def call(w, params, body=b""):
    """One request to a private worker: (Response, db= of its log line)."""
    before = len(log_lines(w))
    r = w.request(params, body)
    got = []

    def logged():
        got[:] = log_lines(w)[before:]
        return got
    wait_until(logged, 5 * MULT)
    m = re.search(r" db=(\d+)", got[0]) if got else None
    return r, int(m.group(1)) if m else None


def authorize(client_id, cookie=None, **extra):
    q = {"response_type": "code", "client_id": client_id,
         "redirect_uri": RURI, "scope": "openid", "state": "s1",
         "nonce": secrets.token_urlsafe(8)}
    q.update(extra)
    hdr = {"HTTP_COOKIE": cookie} if cookie else {}
    return call(AZ, cgi_params("GET", "/authorize", urllib.parse.urlencode(q),
                               extra=hdr))


def location_query(r):
    loc = (r.header("Location") or "") if r is not None else ""
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(loc).query))


def describe(r, db):
    return "db=%s %s" % (db, r.describe() if r is not None else "no answer")


# ---- the budget -------------------------------------------------------------

r, db = authorize(A[0], JAR.header())
code = location_query(r).get("code")
check("returning user: GET /authorize answers 302 with a code",
      r is not None and r.status == 302 and code is not None, describe(r, db))
check("returning user: GET /authorize makes one statement", db == 1,
      describe(r, db))

r, db = authorize(A[0])
check("no session cookie: the login page in one statement",
      r is not None and r.status == 200 and db == 1, describe(r, db))

body = urllib.parse.urlencode({"grant_type": "authorization_code",
                               "code": code or "x",
                               "redirect_uri": RURI}).encode()
r, db = call(TK, cgi_params(
    "POST", "/token", content_type="application/x-www-form-urlencoded",
    content_length=len(body),
    extra={"HTTP_AUTHORIZATION": basic_auth_header(*A)}), body)
tok = (r.json() or {}) if r is not None else {}
check("sealed code redemption: 200 with tokens",
      r is not None and r.status == 200 and "access_token" in tok,
      describe(r, db))
check("sealed code redemption makes two statements", db == 2,
      describe(r, db))

r, db = call(UI, cgi_params("GET", "/userinfo", extra={
    "HTTP_AUTHORIZATION": "Bearer " + tok.get("access_token", "x")}))
check("userinfo: 200 in one statement",
      r is not None and r.status == 200 and db == 1, describe(r, db))

# ---- the merged read keeps the rules ----------------------------------------

r, db = authorize("no-such-" + secrets.token_hex(4), JAR.header())
check("unknown client with a session cookie: 400 page, no redirect",
      r is not None and r.status == 400 and r.header("Location") is None,
      describe(r, db))

r, db = authorize(A[0], "oidc_session=" + secrets.token_urlsafe(32))
check("unknown session cookie: the login page",
      r is not None and r.status == 200 and "password" in r.text,
      describe(r, db))

r, db = authorize(B[0], JAR.header())
check("consent remembered for B: B gets a code at once",
      r is not None and r.status == 302 and "code" in location_query(r),
      describe(r, db))
r, db = authorize(C[0], JAR.header())
check("B's consent does not count for C: C gets the consent page",
      r is not None and r.status == 200 and "consent" in r.text and
      "code" not in location_query(r), describe(r, db))

r, db = authorize(A[0], JAR.header(), max_age="0")
check("max_age=0 still asks for the password (session read merged)",
      r is not None and r.status == 200 and "password" in r.text,
      describe(r, db))

psql("UPDATE app_user SET disabled_at = now() WHERE username = '%s'" % USER)
r, db = authorize(A[0], JAR.header())
check("disabled user: the login page, no code",
      r is not None and r.status == 200 and "code" not in location_query(r),
      describe(r, db))
psql("UPDATE app_user SET disabled_at = NULL WHERE username = '%s'" % USER)

psql("UPDATE login_session SET expires_at = now() - interval '1 s' "
     "WHERE user_id = (SELECT user_id FROM app_user WHERE username = '%s')"
     % USER)
r, db = authorize(A[0], JAR.header())
check("expired session: the login page, no code",
      r is not None and r.status == 200 and "code" not in location_query(r),
      describe(r, db))

for w in (AZ, TK, UI):
    w.stop()
    check_log(w.log, "private %s worker" % os.path.basename(w.log))
done()
