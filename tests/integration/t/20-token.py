#!/usr/bin/env python3
"""20-token: the token endpoint (issue 5).

RFC 6749 2.3, 4.1.3, 4.4, 5, 6; OIDC Core 3.1.3, 9, 10.1, 12; RFC 7636;
RFC 7523.  Authorization codes are written straight into auth_code
(grants.insert_code) so every rule of the token endpoint is tested on its
own; one more section gets a code through the real /authorize login flow
when that endpoint exists.

The race tests run twice: through nginx (one token.fcgi worker, so the
requests queue) and straight over FastCGI to extra token.fcgi workers this
test starts itself, so that several transactions really compete in
PostgreSQL.
"""
import hashlib
import json
import os
import secrets
import signal
import subprocess
import threading
import time
import urllib.parse

from oidctest import *
from grants import *

RURI = "https://rp.example/cb"
RURI2 = "https://rp.example/other"
ALL = "openid profile email offline_access"


# ---- fixtures ---------------------------------------------------------------

USER = unique("tok-alice")
PASSWORD = "pw-" + secrets.token_hex(8)
create_user(USER, PASSWORD, {"name": "Alice Token", "email":
                             "alice@example.com", "email_verified": True})
SUB = user_sub(USER)
rc, u, err = ctl_json("user", "show", USER)
check("fixture: oidcctl user show prints the sub stored in app_user",
      rc == 0 and isinstance(u, dict) and u.get("sub") == SUB, (rc, u, err))


class Client:
    def __init__(self, label, meta, first_party=False):
        m = dict(meta)
        m.setdefault("client_name", label)
        if first_party:
            m["first_party"] = True
        c = create_client(m)
        self.label = label
        self.id = c["client_id"]
        self.secret = c.get("client_secret")
        self.method = m.get("token_endpoint_auth_method",
                            "client_secret_basic")
        self.meta = c

    def auth(self, params):
        """(params, headers) authenticated with the registered method
        (the *_jwt methods build their assertion elsewhere)."""
        p = list(params.items()) if isinstance(params, dict) else \
            list(params)
        h = []
        if self.method == "client_secret_basic":
            h.append(("Authorization", basic_auth_header(self.id,
                                                         self.secret)))
        elif self.method == "client_secret_post":
            p += [("client_id", self.id), ("client_secret", self.secret)]
        elif self.method == "none":
            p.append(("client_id", self.id))
        else:
            raise ValueError("use client_assertion for %s" % self.method)
        return p, h

    def token(self, params):
        p, h = self.auth(params)
        return post_form("/token", p, headers=h)


def code_client(label, **extra):
    m = {"redirect_uris": [RURI, RURI2],
         "grant_types": ["authorization_code", "refresh_token"]}
    m.update(extra)
    return Client(label, m)


CONF = code_client("tok-conf")
CONF2 = code_client("tok-conf2")
POST = code_client("tok-post", token_endpoint_auth_method="client_secret_post")
NOREF = code_client("tok-noref", grant_types=["authorization_code"])
ES = code_client("tok-es", id_token_signed_response_alg="ES256")
HS = code_client("tok-hs", id_token_signed_response_alg="HS256")
PUB = code_client("tok-pub", token_endpoint_auth_method="none")
CC = Client("tok-cc", {"grant_types": ["client_credentials"], "response_types": [],
                       "scope": "api:read api:write"})


def redeem(client, code, ruri=RURI, verifier=None, extra=None):
    p = {"grant_type": "authorization_code", "code": code,
         "redirect_uri": ruri}
    if ruri is None:
        del p["redirect_uri"]
    if verifier is not None:
        p["code_verifier"] = verifier
    if extra:
        p.update(extra)
    return client.token(p)


def refresh(client, rt, scope=None):
    p = {"grant_type": "refresh_token", "refresh_token": rt}
    if scope is not None:
        p["scope"] = scope
    return client.token(p)


def userinfo(at):
    return get("/userinfo", {"Authorization": "Bearer " + at})


def no_store(r):
    return "no-store" in (r.header("Cache-Control") or "").lower() and \
        "no-cache" in (r.header("Pragma") or "").lower()


def expect_error(label, r, status, code):
    """The RFC 6749 5.2 error shape: status, JSON error code, string
    error_description without control characters, no-store."""
    j = r.json() if r is not None else None
    ok = check("%s: %d %s" % (label, status, code),
               r is not None and r.status == status and
               is_json_error(r, code), r)
    if ok:
        d = j.get("error_description")
        check("%s: error_description is a string without control "
              "characters" % label,
              d is None or (isinstance(d, str) and not has_control_chars(d)),
              r)
        check("%s: Cache-Control: no-store, Pragma: no-cache" % label,
              no_store(r), r)
    return ok


def ok200(label, r):
    return check("%s: 200 with an access_token" % label,
                 r.status == 200 and isinstance(r.json(), dict) and
                 isinstance(r.json().get("access_token"), str), r)


# ---- response fields ------------------------------------------------------------

AUTH_TIME = int(time.time()) - 300
nonce = "n-" + secrets.token_hex(6)
code = insert_code(CONF.id, USER, RURI, scope=ALL, nonce=nonce,
                   auth_time_sql="to_timestamp(%d)" % AUTH_TIME,
                   acr="urn:example:loa:1", amr="pwd otp", sid="sid-1")
r = redeem(CONF, code)
ok200("code grant (client_secret_basic)", r)
j = r.json() or {}
check("response: Content-Type application/json",
      r.content_type() == "application/json", r)
check("response: token_type Bearer", j.get("token_type") == "Bearer", j)
check("response: expires_in is the configured 3600",
      j.get("expires_in") == 3600, j)
check("response: id_token present (scope has openid)",
      isinstance(j.get("id_token"), str), j)
check("response: refresh_token present (offline_access, refresh grant)",
      isinstance(j.get("refresh_token"), str), j)
check("response: scope is the granted scope",
      isinstance(j.get("scope"), str) and
      set(j["scope"].split()) == set(ALL.split()), j)
check("response: Cache-Control: no-store and Pragma: no-cache on success",
      no_store(r), r)
AT = j.get("access_token", "")
RT = j.get("refresh_token", "")
IDT = j.get("id_token", "")
check("access token: 256-bit random value, base64url (43 chars)",
      len(AT) == 43 and all(c.isalnum() or c in "-_" for c in AT), AT)
check("refresh token: 256-bit random value, base64url (43 chars)",
      len(RT) == 43 and all(c.isalnum() or c in "-_" for c in RT), RT)
check("tokens: only their SHA-256 is stored",
      psql("SELECT count(*) FROM token WHERE token_hash IN ("
           "sha256(convert_to(%s, 'UTF8')), sha256(convert_to(%s, 'UTF8')))"
           % (sql_str(AT), sql_str(RT))) == "2" and
      AT not in psql("SELECT coalesce(string_agg(row_to_json(t)::text, ''),"
                     " '') FROM token t") and
      RT not in psql("SELECT coalesce(string_agg(row_to_json(t)::text, ''),"
                     " '') FROM token t"))


# Introspection names each kind (token_introspect's kind column: issue 18
# found it read a NULL column, so refresh tokens came back "Bearer").
for tok, want in ((AT, "Bearer"), (RT, "refresh_token")):
    p, h = CONF.auth({"token": tok})
    ri = post_form("/introspect", p, headers=h)
    ji = ri.json() or {}
    check("introspect: active, token_type %s" % want,
          ri.status == 200 and ji.get("active") is True and
          ji.get("token_type") == want, (ri.status, ji))

# ---- the ID Token -----------------------------------------------------------

def check_id_token(label, idt, alg, client, access_token, nonce=None,
                   auth_time=None, secret=None, key=None):
    v = verify_jws(idt, alg, secret=secret, key_pem=key)
    if not check("%s: %s signature verifies" % (label, alg), v is not None,
                 idt):
        try:
            diag(jwt_parts(idt)[:2])
        except (ValueError, TypeError):
            pass
        return {}
    hdr, c = v
    now = time.time()
    check("%s: iss is the issuer" % label, c.get("iss") == ISSUER, c)
    check("%s: sub is the user's sub (oidcctl user show)" % label,
          c.get("sub") == SUB, c)
    aud = c.get("aud")
    check("%s: aud is the client_id" % label,
          aud == client.id or (isinstance(aud, list) and client.id in aud),
          c)
    if isinstance(aud, list) and len(aud) > 1:
        check("%s: azp with several audiences" % label,
              c.get("azp") == client.id, c)
    check("%s: iat is now" % label, isinstance(c.get("iat"), int) and
          abs(c["iat"] - now) < 60, c)
    check("%s: exp is iat + id_token_ttl (3600)" % label,
          isinstance(c.get("exp"), int) and isinstance(c.get("iat"), int) and
          c["exp"] - c["iat"] == 3600, c)
    if auth_time is not None:
        check("%s: auth_time from the code" % label,
              c.get("auth_time") == auth_time, c)
    if nonce is not None:
        check("%s: nonce from the code" % label, c.get("nonce") == nonce, c)
    check("%s: at_hash of the access token" % label,
          c.get("at_hash") == at_hash(access_token, alg), c)
    return c


claims = check_id_token("ID Token RS256", IDT, "RS256", CONF, AT, nonce,
                        AUTH_TIME)
check("ID Token: acr, amr (array) and sid from the code",
      claims.get("acr") == "urn:example:loa:1" and
      claims.get("amr") == ["pwd", "otp"] and claims.get("sid") == "sid-1",
      claims)
check("ID Token: header alg RS256 (the default), typ not at+jwt",
      bool(IDT) and jwt_parts(IDT)[0].get("alg") == "RS256" and
      jwt_parts(IDT)[0].get("typ") != "at+jwt", IDT)
if IDT:
    h, p, _, _ = jwt_parts(IDT)
    p2 = dict(p, sub="someone-else")
    forged = IDT.split(".")[0] + "." + \
        b64url(json.dumps(p2, separators=(",", ":"))) + "." + \
        IDT.split(".")[2]
    check("self-test: verify_jws rejects a tampered ID Token",
          verify_jws(forged, "RS256") is None)
ID_IAT = claims.get("iat", 0)

n2 = "n-" + secrets.token_hex(6)
r = redeem(ES, insert_code(ES.id, USER, RURI, scope="openid", nonce=n2,
                           auth_time_sql="to_timestamp(%d)" % AUTH_TIME))
if ok200("code grant, client with id_token_signed_response_alg ES256", r):
    check_id_token("ID Token ES256", r.json().get("id_token", ""), "ES256",
                   ES, r.json()["access_token"], n2, AUTH_TIME)
    check("ID Token ES256: not RS256-signed",
          verify_jws(r.json().get("id_token", ""), "RS256") is None)

r = redeem(HS, insert_code(HS.id, USER, RURI, scope="openid", nonce=n2))
if ok200("code grant, client with id_token_signed_response_alg HS256", r):
    check_id_token("ID Token HS256 (key: the client secret, Core 10.1)",
                   r.json().get("id_token", ""), "HS256", HS,
                   r.json()["access_token"], n2, secret=HS.secret)

r = redeem(CONF, insert_code(CONF.id, USER, RURI, scope="openid"))
ok200("code without a nonce", r)
if r.status == 200:
    c = (verify_jws(r.json().get("id_token", ""), "RS256") or ({}, {}))[1]
    check("ID Token without a nonce in the code has no nonce claim",
          c and "nonce" not in c, c)
    check("response: no refresh_token without offline_access",
          "refresh_token" not in r.json(), r.json())

# Whether a code yields a refresh token is C's decision (oidc/grant.h):
# /authorize sets a stored code's offline flag, code_redeem only obeys it
# and never reads the scope text (issue 18 item 2).
r = redeem(CONF, insert_code(CONF.id, USER, RURI, scope=ALL, offline=False))
ok200("stored code whose offline flag is false", r)
if r.status == 200:
    check("response: no refresh_token when /authorize did not grant "
          "offline access (the code's offline flag), whatever the scope "
          "text says", "refresh_token" not in r.json(), r.json())

r = redeem(NOREF, insert_code(NOREF.id, USER, RURI, scope=ALL))
ok200("code grant, client without the refresh_token grant type", r)
if r.status == 200:
    check("response: no refresh_token for a client without the "
          "refresh_token grant type, even with offline_access",
          "refresh_token" not in r.json(), r.json())

r = redeem(CONF, insert_code(CONF.id, USER, RURI, scope="profile email"))
ok200("code grant without openid (plain OAuth)", r)
if r.status == 200:
    check("response: no id_token without openid",
          "id_token" not in r.json(), r.json())


# ---- code: single use, revocation on replay ---------------------------------

check("before the replay: the access token works at /userinfo",
      userinfo(AT).status == 200, userinfo(AT))
r = redeem(CONF, code)
expect_error("the same code a second time", r, 400, "invalid_grant")
r = userinfo(AT)
check("after the replay: the access token from the first use is rejected "
      "by /userinfo with 401", r.status == 401 and
      'invalid_token' in (r.header("WWW-Authenticate") or ""), r)
r = refresh(CONF, RT)
expect_error("after the replay: the refresh token from the first use", r,
             400, "invalid_grant")

# Tokens derived by refreshing are "issued from that code" too.
code = insert_code(CONF.id, USER, RURI, scope=ALL)
r = redeem(CONF, code)
ok200("code for the replay-after-refresh case", r)
r2 = refresh(CONF, (r.json() or {}).get("refresh_token", "x"))
ok200("refresh before the code replay", r2)
AT2 = (r2.json() or {}).get("access_token", "x")
RT2 = (r2.json() or {}).get("refresh_token", "x")
expect_error("code replayed after a refresh", redeem(CONF, code), 400,
             "invalid_grant")
check("code replay revokes the access token obtained by refreshing",
      userinfo(AT2).status == 401, userinfo(AT2))
expect_error("code replay revokes the rotated refresh token",
             refresh(CONF, RT2), 400, "invalid_grant")

expect_error("an unknown code", redeem(CONF, secrets.token_urlsafe(32)),
             400, "invalid_grant")
expect_error("no code parameter",
             CONF.token({"grant_type": "authorization_code",
                         "redirect_uri": RURI}), 400, "invalid_request")


# ---- code: binding to client, redirect_uri, expiry ------------------------------

code = insert_code(CONF.id, USER, RURI, scope="openid")
expect_error("code of client A redeemed by client B", redeem(CONF2, code),
             400, "invalid_grant")
expect_error("redirect_uri differs (another registered URI)",
             redeem(CONF, code, RURI2), 400, "invalid_grant")
expect_error("redirect_uri differs by a trailing slash",
             redeem(CONF, code, RURI + "/"), 400, "invalid_grant")
expect_error("redirect_uri missing though the code has one",
             redeem(CONF, code, None), 400, "invalid_grant")
ok200("an error writes nothing: after those failures the code still "
      "works for its client and redirect_uri", redeem(CONF, code))

code = insert_code(CONF.id, USER, RURI, scope="openid", expires="-1 second")
expect_error("an expired code", redeem(CONF, code), 400, "invalid_grant")
code = insert_code(CONF.id, USER, RURI, scope="openid",
                   expires="-11 minutes")
expect_error("a code expired 11 minutes ago", redeem(CONF, code), 400,
             "invalid_grant")


# ---- PKCE -------------------------------------------------------------------

v, ch = pkce_pair()
code = insert_code(CONF.id, USER, RURI, scope="openid", challenge=ch)
expect_error("PKCE: wrong verifier", redeem(CONF, code, verifier=pkce_pair()[0]),
             400, "invalid_grant")
expect_error("PKCE: verifier too short (42 chars)",
             redeem(CONF, code, verifier=v[:42]), 400, "invalid_grant")
expect_error("PKCE: challenge stored, no verifier sent",
             redeem(CONF, code), 400, "invalid_grant")
expect_error("PKCE: the challenge itself sent as the verifier (plain "
             "downgrade)", redeem(CONF, code, verifier=ch), 400,
             "invalid_grant")
ok200("PKCE: the right verifier works after failed attempts (an error "
      "writes nothing)", redeem(CONF, code, verifier=v))

code = insert_code(CONF.id, USER, RURI, scope="openid")
expect_error("PKCE: verifier sent for a code issued without a challenge",
             redeem(CONF, code, verifier=v), 400, "invalid_grant")
ok200("PKCE: that code still works without a verifier", redeem(CONF, code))

# Public client: "none" authentication, PKCE.
v, ch = pkce_pair()
code = insert_code(PUB.id, USER, RURI, scope=ALL, challenge=ch)
r = redeem(PUB, code, verifier=v)
ok200("public client (none): client_id only, with PKCE", r)
PUB_RT = (r.json() or {}).get("refresh_token")
if PUB_RT:
    ok200("public client: refresh with client_id only", refresh(PUB, PUB_RT))
code = insert_code(CONF.id, USER, RURI, scope="openid")
r = post_form("/token", {"grant_type": "authorization_code", "code": code,
                         "redirect_uri": RURI, "client_id": CONF.id})
expect_error("confidential client with client_id only (none)", r, 401,
             "invalid_client")
ok200("...and its code was not consumed by the failed authentication",
      redeem(CONF, code))

# Only an allow-list of request fields is stored: never a secret or a
# verifier.
v, ch = pkce_pair()
code = insert_code(POST.id, USER, RURI, scope=ALL, challenge=ch)
r = redeem(POST, code, verifier=v, extra={"junk_field": "junk-" + v[:10]})
ok200("client_secret_post with PKCE", r)
dump = psql("SELECT coalesce(string_agg(x, ' '), '') FROM ("
            "SELECT row_to_json(t)::text x FROM token t UNION ALL "
            "SELECT row_to_json(c)::text FROM auth_code c UNION ALL "
            "SELECT row_to_json(j)::text FROM used_jti j) s")
check("nothing stored holds the client secret, the verifier or an unknown "
      "request field", POST.secret not in dump and v not in dump and
      "junk-" not in dump)


# ---- code race --------------------------------------------------------------

def parallel(fns):
    out = [None] * len(fns)

    def run(i):
        try:
            out[i] = fns[i]()
        except Exception as e:      # a dropped connection is a result too
            out[i] = e
    ts = [threading.Thread(target=run, args=(i,)) for i in range(len(fns))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out


def statuses(rs):
    return [r.status if hasattr(r, "status") else repr(r) for r in rs]


code = insert_code(CONF.id, USER, RURI, scope=ALL)
rs = parallel([lambda: redeem(CONF, code) for _ in range(10)])
st = statuses(rs)
check("10 simultaneous redemptions of one code (nginx): exactly one 200",
      st.count(200) == 1, st)
check("...the others 400 invalid_grant, no 5xx",
      all(r.status == 400 and is_json_error(r, "invalid_grant")
          for r in rs if hasattr(r, "status") and r.status != 200), st)

# Extra token.fcgi workers, so that transactions overlap in PostgreSQL.
EXTRA = []


def start_extra_workers(n):
    b = env("OIDC_BUILD")
    d = workdir()
    for i in range(n):
        sock = os.path.join(d, "token-x%d.sock" % i)
        log = open(os.path.join(d, "token-x%d.log" % i), "ab")
        cmd = ["spawn-fcgi", "-n", "-s", sock, "-M", "0666"]
        if os.geteuid() == 0:
            u = os.environ.get("OIDC_TEST_USER", "oidctest")
            cmd += ["-u", u, "-g", u]
        cmd += ["--", os.path.join(b, "cgi-bin", "token.fcgi")]
        p = subprocess.Popen(cmd, stdout=log, stderr=log,
                             env=dict(os.environ))
        EXTRA.append((p, sock, log))
    for p, sock, _ in EXTRA:
        wait_until(lambda: os.path.exists(sock) or p.poll() is not None, 5)
    return [s for p, s, _ in EXTRA if p.poll() is None and
            os.path.exists(s)]


def stop_extra_workers():
    for p, _, log in EXTRA:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p, _, log in EXTRA:
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        log.close()


def raw_fcgi(sock, client, params):
    """POST /token straight to the worker listening on sock."""
    p, h = client.auth(params)
    body = form_encode(p).encode()
    extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in h}
    cp = cgi_params("POST", "/token",
                    content_type="application/x-www-form-urlencoded",
                    content_length=len(body), extra=extra)
    return fcgi_at(sock, cp, body, timeout=15 * MULT)


socks = []
try:
    socks = start_extra_workers(4)
except OSError as e:
    diag("cannot start extra workers: %s" % e)
if len(socks) >= 2:
    main_sock = os.path.join(env("OIDC_RUNDIR"), "token.sock")
    targets = socks + [main_sock]
    for rnd in range(3):
        code = insert_code(CONF.id, USER, RURI, scope=ALL)
        rs = parallel([lambda i=i: raw_fcgi(targets[i % len(targets)], CONF,
                                            {"grant_type":
                                             "authorization_code",
                                             "code": code,
                                             "redirect_uri": RURI})
                       for i in range(10)])
        st = statuses(rs)
        check("code race over %d workers, round %d: exactly one 200, the "
              "others 400, no 5xx" % (len(targets), rnd + 1),
              st.count(200) == 1 and st.count(400) == 9, st)
else:
    check("code race over several token.fcgi workers: extra workers "
          "started", False)


# ---- refresh ----------------------------------------------------------------

AUTH_TIME2 = int(time.time()) - 120
code = insert_code(CONF.id, USER, RURI, scope=ALL, nonce="n-r",
                   auth_time_sql="to_timestamp(%d)" % AUTH_TIME2)
r = redeem(CONF, code)
ok200("code for the refresh tests", r)
j0 = r.json() or {}
c0 = (verify_jws(j0.get("id_token", ""), "RS256") or ({}, {}))[1]
RT1 = j0.get("refresh_token", "x")
time.sleep(1.1)
r = refresh(CONF, RT1)
ok200("refresh", r)
j1 = r.json() or {}
RT2 = j1.get("refresh_token")
check("refresh: a new refresh token (rotation)",
      isinstance(RT2, str) and RT2 != RT1, j1)
check("refresh: a new access token",
      isinstance(j1.get("access_token"), str) and
      j1.get("access_token") != j0.get("access_token"), j1)
check("refresh: Cache-Control: no-store", no_store(r), r)
if isinstance(j1.get("id_token"), str):
    c1 = check_id_token("refreshed ID Token", j1["id_token"], "RS256", CONF,
                        j1["access_token"], auth_time=AUTH_TIME2)
    check("refreshed ID Token: same sub and auth_time as the first",
          c1.get("sub") == c0.get("sub") and
          c1.get("auth_time") == c0.get("auth_time") == AUTH_TIME2,
          (c0, c1))
    check("refreshed ID Token: a new iat",
          isinstance(c1.get("iat"), int) and c1["iat"] > c0.get("iat", 0),
          (c0, c1))
else:
    diag("the refresh response carries no id_token (allowed: 'may')")
AT_R2 = j1.get("access_token", "x")
check("refreshed access token works at /userinfo",
      userinfo(AT_R2).status == 200, userinfo(AT_R2))

expect_error("refresh: the rotated (old) refresh token again",
             refresh(CONF, RT1), 400, "invalid_grant")
expect_error("refresh: reuse of a rotated token revoked the family, the new "
             "refresh token too", refresh(CONF, RT2 or "x"), 400,
             "invalid_grant")
check("refresh: reuse of a rotated token revoked the family's access token",
      userinfo(AT_R2).status == 401, userinfo(AT_R2))

# Narrowing and widening.
r = redeem(CONF, insert_code(CONF.id, USER, RURI, scope=ALL))
RTn = (r.json() or {}).get("refresh_token", "x")
expect_error("refresh: widening the scope (address)",
             refresh(CONF, RTn, "openid profile email address"), 400,
             "invalid_scope")
expect_error("refresh: a scope the client never had (api:read)",
             refresh(CONF, RTn, "openid api:read"), 400, "invalid_scope")
r = refresh(CONF, RTn, "openid email")
ok200("refresh: narrowing the scope works (and the invalid_scope "
      "attempts wrote nothing)", r)
jn = r.json() or {}
sc = set((jn.get("scope") or "").split())
check("refresh: narrowed scope answered: openid email, no profile",
      {"openid", "email"} <= sc and "profile" not in sc, jn)
if r.status == 200:
    u = userinfo(jn["access_token"]).json() or {}
    check("refresh: the narrowed access token releases email but not "
          "profile claims", "email" in u and "name" not in u, u)
    RTn2 = jn.get("refresh_token")
    check("refresh: still a refresh token after narrowing",
          isinstance(RTn2, str), jn)

# Bound to the client.
r = redeem(CONF, insert_code(CONF.id, USER, RURI, scope=ALL))
RTa = (r.json() or {}).get("refresh_token", "x")
expect_error("refresh token of client A used by client B",
             refresh(CONF2, RTa), 400, "invalid_grant")
ok200("...and client A's refresh token still works (an error writes "
      "nothing)", refresh(CONF, RTa))
expect_error("refresh: an unknown refresh token",
             refresh(CONF, secrets.token_urlsafe(32)), 400, "invalid_grant")
r = redeem(NOREF, insert_code(NOREF.id, USER, RURI, scope=ALL))
expect_error("refresh_token grant by a client without that grant type",
             refresh(NOREF, RTa), 400, "unauthorized_client")

# Concurrent refreshes of one token.
r = redeem(CONF, insert_code(CONF.id, USER, RURI, scope=ALL))
RTc = (r.json() or {}).get("refresh_token", "x")
rs = parallel([lambda: refresh(CONF, RTc) for _ in range(10)])
st = statuses(rs)
check("10 concurrent refreshes of one token (nginx): no 5xx, at most one 200",
      all(isinstance(s, int) and s < 500 for s in st) and st.count(200) <= 1,
      st)
check("...the others are 400 invalid_grant",
      all(r.status == 400 and is_json_error(r, "invalid_grant")
          for r in rs if hasattr(r, "status") and r.status != 200), st)
if len(socks) >= 2:
    for rnd in range(3):
        r = redeem(CONF, insert_code(CONF.id, USER, RURI, scope=ALL))
        RTc = (r.json() or {}).get("refresh_token", "x")
        rs = parallel([lambda i=i: raw_fcgi(targets[i % len(targets)], CONF,
                                            {"grant_type": "refresh_token",
                                             "refresh_token": RTc})
                       for i in range(10)])
        st = statuses(rs)
        check("refresh race over %d workers, round %d: no 5xx, at most one "
              "200" % (len(targets), rnd + 1),
              all(isinstance(s, int) and s < 500 for s in st) and
              st.count(200) <= 1, st)


# ---- CORS on the token endpoint ----------------------------------------------

code = insert_code(CONF.id, USER, RURI, scope="openid")
p, h = CONF.auth({"grant_type": "authorization_code", "code": code,
                  "redirect_uri": RURI})
r = post_form("/token", p, headers=h + [("Origin", "https://rp.example")])
check("CORS: token response for Origin https://rp.example (the client's "
      "redirect URI origin) has Access-Control-Allow-Origin",
      r.status == 200 and
      r.header("Access-Control-Allow-Origin") == "https://rp.example", r)
check("CORS: never Access-Control-Allow-Credentials: true",
      (r.header("Access-Control-Allow-Credentials") or "").lower() != "true",
      r)
code = insert_code(CONF.id, USER, RURI, scope="openid")
p, h = CONF.auth({"grant_type": "authorization_code", "code": code,
                  "redirect_uri": RURI})
r = post_form("/token", p, headers=h + [("Origin", "https://evil.example")])
check("CORS: token response for another origin: 200 without "
      "Access-Control-Allow-Origin",
      r.status == 200 and r.header("Access-Control-Allow-Origin") is None, r)
r = request("OPTIONS", "/token", None, {
    "Origin": "https://rp.example",
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type"})
check("CORS preflight for a registered origin: 2xx with Allow-Origin, "
      "POST in Allow-Methods, Authorization in Allow-Headers",
      r.status in (200, 204) and
      r.header("Access-Control-Allow-Origin") == "https://rp.example" and
      "POST" in (r.header("Access-Control-Allow-Methods") or "") and
      "authorization" in (r.header("Access-Control-Allow-Headers") or "")
      .lower(), r)
r = request("OPTIONS", "/token", None, {
    "Origin": "https://evil.example",
    "Access-Control-Request-Method": "POST"})
check("CORS preflight for an unknown origin: no Access-Control-Allow-Origin",
      r.status < 500 and r.header("Access-Control-Allow-Origin") is None, r)
# The origins CORS allows are decided in C (cors.c, issue 18 item 2); the
# preflight's lookup over all clients only gets a serialized origin.  The
# lookup alone took a registered redirect URI for an origin and echoed it.
# Each client write stores its redirect URIs' origins, computed in C
# (oidc_client_row_set_metadata); the preflight only looks them up.
def preflight_allows(origin):
    r = request("OPTIONS", "/token", None, {
        "Origin": origin, "Access-Control-Request-Method": "POST"})
    return r.status < 500 and \
        r.header("Access-Control-Allow-Origin") == origin


O1, O2 = "https://%s.example" % unique("co1"), \
    "https://%s.example:8443" % unique("co2")
cm = {"client_name": "cors origins", "redirect_uris": [O1 + "/cb"]}
co = create_client(cm)
check("CORS preflight: a new client's origin is allowed (stored by "
      "oidcctl client create)", preflight_allows(O1))
cm["redirect_uris"] = [O2 + "/cb?x=1"]
rc, out, err = ctl("client", "update", co["client_id"],
                   stdin=json.dumps(cm))
check("CORS preflight: after oidcctl client update, the new origin is "
      "allowed and the old one no longer", rc == 0 and
      preflight_allows(O2) and not preflight_allows(O1), (rc, err))
rc, out, err = ctl("client", "rotate-secret", co["client_id"])
check("CORS preflight: rotate-secret keeps the stored origins",
      rc == 0 and preflight_allows(O2), (rc, err))
for o in (RURI, "https://rp.example/", RURI + "?x=1"):
    r = request("OPTIONS", "/token", None, {
        "Origin": o, "Access-Control-Request-Method": "POST"})
    check("CORS preflight origin_with_path (%s, not an origin): no "
          "Access-Control-Allow-Origin" % o,
          r.status < 500 and r.header("Access-Control-Allow-Origin") is None,
          r)


# ---- client_credentials -----------------------------------------------------

r = CC.token({"grant_type": "client_credentials"})
ok200("client_credentials (confidential client)", r)
j = r.json() or {}
check("client_credentials: token_type Bearer, expires_in",
      j.get("token_type") == "Bearer" and j.get("expires_in") == 3600, j)
check("client_credentials: no id_token and no refresh_token",
      "id_token" not in j and "refresh_token" not in j, j)
check("client_credentials without scope: the registered scope",
      set((j.get("scope") or "").split()) == {"api:read", "api:write"}, j)
check("client_credentials: Cache-Control: no-store", no_store(r), r)
r = CC.token({"grant_type": "client_credentials", "scope": "api:read"})
ok200("client_credentials with scope api:read", r)
check("client_credentials: the narrower scope answered",
      (r.json() or {}).get("scope") == "api:read", r)
expect_error("client_credentials: scope outside its registration",
             CC.token({"grant_type": "client_credentials",
                       "scope": "api:read api:admin"}), 400, "invalid_scope")
expect_error("client_credentials: scope openid",
             CC.token({"grant_type": "client_credentials",
                       "scope": "openid"}), 400, "invalid_scope")
CCO = Client("tok-cc-openid", {"grant_types": ["client_credentials"], "response_types": [],
                               "scope": "openid api:read"})
r = CCO.token({"grant_type": "client_credentials"})
check("client_credentials without scope for a client registered with "
      "'openid api:read': 200 without openid in the granted scope (no user)",
      r.status == 200 and
      "openid" not in ((r.json() or {}).get("scope") or "").split(), r)
PUBCC = Client("tok-pubcc", {"grant_types": ["client_credentials"], "response_types": [],
                             "token_endpoint_auth_method": "none"})
expect_error("client_credentials by a public client",
             PUBCC.token({"grant_type": "client_credentials"}), 400,
             "unauthorized_client")
expect_error("client_credentials by a client without that grant type",
             CONF.token({"grant_type": "client_credentials"}), 400,
             "unauthorized_client")
expect_error("authorization_code by a client_credentials-only client",
             redeem(CC, "x"), 400, "unauthorized_client")


# ---- client authentication: secrets ----------------------------------------

expect_error("no grant_type", CONF.token({}), 400, "invalid_request")
expect_error("grant_type password", CONF.token({"grant_type": "password",
                                                "username": USER,
                                                "password": PASSWORD}),
             400, "unsupported_grant_type")

# Characters that need form-urlencoding in both halves.
SPECIAL_ID = "a:b%c+" + secrets.token_hex(3)
SPECIAL_SECRET = ("+x:y%z/" + secrets.token_hex(20))[:40]
rc, sp, err = ctl_json("client", "create", stdin=json.dumps(
    {"client_id": SPECIAL_ID, "client_secret": SPECIAL_SECRET,
     "grant_types": ["client_credentials"], "response_types": [], "scope": "api:read"}))
check("oidcctl client create accepts client_id %r and a 40-char secret "
      "with '+', ':', '%%', '/'" % SPECIAL_ID,
      rc == 0 and isinstance(sp, dict) and sp.get("client_id") == SPECIAL_ID,
      (rc, sp, err))
if rc == 0:
    r = token_request({"grant_type": "client_credentials"},
                      auth=(SPECIAL_ID, SPECIAL_SECRET))
    ok200("client_secret_basic with id and secret form-urlencoded "
          "(RFC 6749 2.3.1)", r)
    raw = "Basic " + __import__("base64").b64encode(
        ("%s:%s" % (urllib.parse.quote(SPECIAL_ID, safe=""),
                    SPECIAL_SECRET.replace("%", "%25").replace(":", "%3A")))
        .encode()).decode()
    r = post_form("/token", {"grant_type": "client_credentials"},
                  headers={"Authorization": raw})
    expect_error("Basic with '+' left un-encoded in the secret (decodes to "
                 "a space: wrong secret)", r, 401, "invalid_client")

r = post_form("/token", {"grant_type": "client_credentials"},
              headers={"Authorization": basic_auth_header(CC.id, "x" * 43)})
expect_error("client_secret_basic, wrong secret", r, 401, "invalid_client")
check("wrong secret with Basic: WWW-Authenticate: Basic",
      (r.header("WWW-Authenticate") or "").lower().startswith("basic"), r)
r = post_form("/token", {"grant_type": "client_credentials"},
              headers={"Authorization":
                       basic_auth_header("nobody-" + unique(), "x" * 43)})
expect_error("client_secret_basic, unknown client", r, 401, "invalid_client")
check("unknown client with Basic: WWW-Authenticate: Basic",
      (r.header("WWW-Authenticate") or "").lower().startswith("basic"), r)
r = post_form("/token", {"grant_type": "client_credentials",
                         "client_id": "nobody-" + unique(),
                         "client_secret": "x" * 43})
expect_error("client_secret_post, unknown client", r, 401, "invalid_client")
r = post_form("/token", {"grant_type": "client_credentials"},
              headers={"Authorization": "Basic !!!not-base64"})
check("malformed Basic header: 400 invalid_request or 401 invalid_client",
      (r.status == 400 and is_json_error(r, "invalid_request")) or
      (r.status == 401 and is_json_error(r, "invalid_client")), r)
r = post_form("/token", {"grant_type": "client_credentials"})
expect_error("no client authentication at all", r, 401, "invalid_client")

code = insert_code(POST.id, USER, RURI, scope="openid")
r = post_form("/token", {"grant_type": "authorization_code", "code": code,
                         "redirect_uri": RURI, "client_id": POST.id,
                         "client_secret": POST.secret + "x"})
expect_error("client_secret_post, wrong secret", r, 401, "invalid_client")
r = token_request({"grant_type": "authorization_code", "code": code,
                   "redirect_uri": RURI}, auth=(POST.id, POST.secret))
expect_error("registered method enforced: client_secret_post client using "
             "Basic", r, 401, "invalid_client")
check("...with WWW-Authenticate: Basic",
      (r.header("WWW-Authenticate") or "").lower().startswith("basic"), r)
code2 = insert_code(CONF.id, USER, RURI, scope="openid")
r = post_form("/token", {"grant_type": "authorization_code", "code": code2,
                         "redirect_uri": RURI, "client_id": CONF.id,
                         "client_secret": CONF.secret})
expect_error("registered method enforced: client_secret_basic client using "
             "the form", r, 401, "invalid_client")
r = token_request({"grant_type": "authorization_code", "code": code2,
                   "redirect_uri": RURI, "client_id": CONF.id,
                   "client_secret": CONF.secret}, auth=(CONF.id, CONF.secret))
expect_error("two methods in one request (Basic and client_secret)", r, 400,
             "invalid_request")
r = token_request({"grant_type": "authorization_code", "code": code2,
                   "redirect_uri": RURI, "client_id": CONF2.id},
                  auth=(CONF.id, CONF.secret))
expect_error("client_id in the form differs from the Basic one", r, 400,
             "invalid_request")
ok200("the codes used in failed authentications are still redeemable",
      redeem(POST, code))
ok200("...(the basic client's too)", redeem(CONF, code2))


# ---- client authentication: JWT assertions (RFC 7523) ----------------------

SJ = code_client("tok-secret-jwt",
                 token_endpoint_auth_method="client_secret_jwt")
KEY, JWK = rsa_keypair()
PK = code_client("tok-pk-jwt", token_endpoint_auth_method="private_key_jwt",
                 jwks={"keys": [JWK]})
check("fixture: the private_key_jwt client has no generated secret",
      PK.secret is None, PK.meta)


def assert_redeem(client, assertion, with_client_id=False):
    code = insert_code(client.id, USER, RURI, scope="openid")
    p = {"grant_type": "authorization_code", "code": code,
         "redirect_uri": RURI, "client_assertion_type": ASSERTION_TYPE,
         "client_assertion": assertion}
    if with_client_id:
        p["client_id"] = client.id
    return post_form("/token", p), code


def sj(**kw):
    return client_assertion(SJ.id, "HS256", secret=SJ.secret, **kw)


def pk(**kw):
    kw.setdefault("header", {"kid": JWK["kid"]})
    return client_assertion(PK.id, "RS256", key_pem=KEY, **kw)


r, _ = assert_redeem(SJ, sj())
ok200("client_secret_jwt: HS256 assertion with the client secret", r)
if r.status == 200:
    check_id_token("ID Token for the client_secret_jwt client",
                   r.json().get("id_token", ""), "RS256", SJ,
                   r.json()["access_token"])
ok200("client_secret_jwt: aud = the issuer",
      assert_redeem(SJ, sj(aud=ISSUER))[0])
ok200("client_secret_jwt: aud an array holding the token endpoint",
      assert_redeem(SJ, sj(aud=["https://other.example",
                                ISSUER + "/token"]))[0])
ok200("client_secret_jwt: with a matching client_id form field",
      assert_redeem(SJ, sj(), with_client_id=True)[0])
a = sj()
ok200("client_secret_jwt: first use of a jti", assert_redeem(SJ, a)[0])
r, code = assert_redeem(SJ, a)
expect_error("client_secret_jwt: the same assertion again (jti replay)", r,
             401, "invalid_client")
ok200("...and the code of that failed attempt was not consumed",
      post_form("/token", {"grant_type": "authorization_code", "code": code,
                           "redirect_uri": RURI,
                           "client_assertion_type": ASSERTION_TYPE,
                           "client_assertion": sj()}))
expect_error("client_secret_jwt: wrong aud",
             assert_redeem(SJ, sj(aud="https://other.example/token"))[0],
             401, "invalid_client")
expect_error("client_secret_jwt: expired (exp 5 minutes ago)",
             assert_redeem(SJ, sj(exp_in=-300))[0], 401, "invalid_client")
expect_error("client_secret_jwt: exp more than an hour ahead",
             assert_redeem(SJ, sj(exp_in=7200))[0], 401, "invalid_client")
expect_error("client_secret_jwt: no exp",
             assert_redeem(SJ, sj(drop=("exp",)))[0], 401, "invalid_client")
expect_error("client_secret_jwt: no jti",
             assert_redeem(SJ, sj(drop=("jti",)))[0], 401, "invalid_client")
expect_error("client_secret_jwt: sub is not the client_id",
             assert_redeem(SJ, sj(sub="someone"))[0], 401, "invalid_client")
expect_error("client_secret_jwt: signed with another secret",
             assert_redeem(SJ, client_assertion(SJ.id, "HS256",
                                                secret="y" * 43))[0],
             401, "invalid_client")
unsigned = b64url('{"alg":"none","typ":"JWT"}') + "." + \
    sj().split(".")[1] + "."
expect_error("client_secret_jwt: alg none",
             assert_redeem(SJ, unsigned)[0], 401, "invalid_client")
r = post_form("/token", {"grant_type": "authorization_code", "code": "x",
                         "redirect_uri": RURI,
                         "client_assertion_type": "urn:bogus",
                         "client_assertion": sj()})
expect_error("client_secret_jwt: wrong client_assertion_type", r, 400,
             "invalid_request")
r, _ = assert_redeem(SJ, "x" * 9000)
expect_error("an assertion over 8 KiB", r, 401, "invalid_client")
code = insert_code(SJ.id, USER, RURI, scope="openid")
r = token_request({"grant_type": "authorization_code", "code": code,
                   "redirect_uri": RURI,
                   "client_assertion_type": ASSERTION_TYPE,
                   "client_assertion": sj()}, auth=(SJ.id, SJ.secret))
expect_error("two methods in one request (Basic and client_assertion)", r,
             400, "invalid_request")
r = post_form("/token", {"grant_type": "authorization_code", "code": code,
                         "redirect_uri": RURI, "client_id": SJ.id,
                         "client_secret": SJ.secret})
expect_error("client_secret_jwt client using client_secret_post", r, 401,
             "invalid_client")


# ---- issue 15 item 10: recoverable secrets are sealed, never in clear -------
# The HS256 ID Token and client_secret_jwt flows above ran on sealed
# secrets; here the table itself is checked.


def sql_or_none(q):
    try:
        return psql(q)
    except Exception as e:  # a missing column is a failure, not a crash
        return "error: %s" % e


check("issue15_sealed: no client row holds a clear secret (secret_plain)",
      sql_or_none("SELECT count(*) FROM client "
                  "WHERE secret_plain IS NOT NULL") == "0")
for c in (HS, SJ):
    hexsecret = c.secret.encode().hex()
    check("issue15_sealed: %s: secret_sealed set and free of the secret"
          % c.label,
          sql_or_none("SELECT secret_sealed IS NOT NULL AND "
                      "length(secret_sealed) = %d AND position("
                      "decode('%s', 'hex') IN secret_sealed) = 0 "
                      "FROM client WHERE client_id = '%s'"
                      % (len(c.secret) + 29, hexsecret, c.id)) == "t")
# AAD = client_id: a sealed secret copied onto another client opens for
# nobody, so that client cannot authenticate with the copied secret.  The
# worker logs it as an error: a tampered row is the operator's business.
expect_error_log(r"level=error.*its sealed secret does not open")
SJ2 = code_client("tok-secret-jwt2",
                  token_endpoint_auth_method="client_secret_jwt")
moved = sql_or_none("UPDATE client SET secret_sealed = (SELECT "
                    "secret_sealed FROM client WHERE client_id = '%s'), "
                    "secret_hash = (SELECT secret_hash FROM client "
                    "WHERE client_id = '%s') WHERE client_id = '%s'"
                    % (SJ.id, SJ.id, SJ2.id))
check("issue15_sealed: fixture: sealed secret copied to another client",
      not moved.startswith("error"), moved)
expect_error("issue15_sealed: a sealed secret moved to another client does "
             "not authenticate it",
             assert_redeem(SJ2, client_assertion(SJ2.id, "HS256",
                                                 secret=SJ.secret))[0],
             401, "invalid_client")
# Without a key-encryption key, a client that needs a recoverable secret
# cannot be created.
nokek = os.path.join(env("OIDC_TMP"), "oidc-nokek.conf")
with open(env("OIDC_CONFIG")) as f, open(nokek, "w") as g:
    g.write("".join(l for l in f
                    if not l.startswith("key_encryption_key")))
saved_conf = os.environ["OIDC_CONFIG"]
os.environ["OIDC_CONFIG"] = nokek
try:
    rc, out, err = ctl("client", "create", stdin=json.dumps(
        {"redirect_uris": [RURI],
         "token_endpoint_auth_method": "client_secret_jwt"}))
    check("issue15_sealed: oidcctl client create of a client_secret_jwt "
          "client without key_encryption_key is refused",
          rc != 0 and "key_encryption_key" in err, (rc, out, err))
    rc, out, err = ctl("client", "create", stdin=json.dumps(
        {"redirect_uris": [RURI], "id_token_signed_response_alg": "HS256"}))
    check("issue15_sealed: ... and of an HS256 client",
          rc != 0 and "key_encryption_key" in err, (rc, out, err))
    rc, out, err = ctl("client", "create", stdin=json.dumps(
        {"redirect_uris": [RURI]}))
    check("issue15_sealed: ... but a client_secret_basic client is fine",
          rc == 0, (rc, out, err))
finally:
    os.environ["OIDC_CONFIG"] = saved_conf
# Rows written before migration 0009 hold the clear secret: they keep
# working, and `oidcctl client seal-secrets` seals them.
LEG_ID, LEG_SECRET = unique("tok-legacy"), "L" * 43
legacy = sql_or_none(
    "INSERT INTO client (client_id, secret_hash, secret_plain, metadata) "
    "VALUES ('%s', sha256('%s'::bytea), '%s', '{\"redirect_uris\": "
    "[\"%s\"], \"response_types\": [\"code\"], \"grant_types\": "
    "[\"authorization_code\"], \"token_endpoint_auth_method\": "
    "\"client_secret_jwt\"}')" % (LEG_ID, LEG_SECRET, LEG_SECRET, RURI))
check("issue15_sealed: fixture: a legacy row with a clear secret",
      not legacy.startswith("error"), legacy)


class Legacy:
    id, secret, label = LEG_ID, LEG_SECRET, "legacy"


ok200("issue15_sealed: a legacy clear secret still authenticates",
      assert_redeem(Legacy, client_assertion(LEG_ID, "HS256",
                                             secret=LEG_SECRET))[0])
rc, out, err = ctl("client", "seal-secrets")
check("issue15_sealed: oidcctl client seal-secrets succeeds",
      rc == 0 and "sealed" in out, (rc, out, err))
check("issue15_sealed: ... and leaves no clear secret in the table",
      sql_or_none("SELECT count(*) FROM client "
                  "WHERE secret_plain IS NOT NULL") == "0")
ok200("issue15_sealed: the sealed legacy secret still authenticates",
      assert_redeem(Legacy, client_assertion(LEG_ID, "HS256",
                                             secret=LEG_SECRET))[0])

r, _ = assert_redeem(PK, pk())
ok200("private_key_jwt: RS256 assertion, key from the registered jwks", r)
a = pk()
ok200("private_key_jwt: first use of a jti", assert_redeem(PK, a)[0])
expect_error("private_key_jwt: jti replay", assert_redeem(PK, a)[0], 401,
             "invalid_client")
expect_error("private_key_jwt: wrong aud",
             assert_redeem(PK, pk(aud=ISSUER + "/userinfo"))[0], 401,
             "invalid_client")
expect_error("private_key_jwt: expired",
             assert_redeem(PK, pk(exp_in=-300))[0], 401, "invalid_client")
KEY2, JWK2 = rsa_keypair()
jwk2_pub = {k: JWK2[k] for k in ("kty", "n", "e")}
expect_error("private_key_jwt: signed by another key named in the JWS "
             "'jwk' header (keys never come from the token)",
             assert_redeem(PK, client_assertion(
                 PK.id, "RS256", key_pem=KEY2,
                 header={"jwk": jwk2_pub}))[0], 401, "invalid_client")
expect_error("private_key_jwt: signed by another key with the registered "
             "kid", assert_redeem(PK, client_assertion(
                 PK.id, "RS256", key_pem=KEY2,
                 header={"kid": JWK["kid"]}))[0], 401, "invalid_client")
expect_error("private_key_jwt: an HS256 assertion (key confusion)",
             assert_redeem(PK, client_assertion(PK.id, "HS256",
                                                secret=JWK["n"]))[0],
             401, "invalid_client")
expect_error("private_key_jwt: an assertion naming another client (iss)",
             assert_redeem(PK, client_assertion(
                 SJ.id, "RS256", key_pem=KEY, sub=PK.id,
                 header={"kid": JWK["kid"]}))[0], 401, "invalid_client")
expect_error("an assertion for a client_secret_basic client",
             assert_redeem(CONF, client_assertion(
                 CONF.id, "HS256", secret=CONF.secret))[0], 401,
             "invalid_client")


# ---- oidcctl purge (housekeeping) --------------------------------------------

rc, out, err = ctl("purge")
check("oidcctl purge: exit 0", rc == 0, (rc, out, err))
old = insert_code(CONF.id, USER, RURI, expires="-2 days")
live = insert_code(CONF.id, USER, RURI)
rc, out, err = ctl("purge")
left = psql("SELECT count(*) FROM auth_code WHERE code_hash IN ("
            "sha256(convert_to(%s,'UTF8')), sha256(convert_to(%s,"
            "'UTF8')))" % (sql_str(old), sql_str(live)))
check("oidcctl purge removes an expired code and keeps a live one",
      rc == 0 and left == "1" and
      psql("SELECT count(*) FROM auth_code WHERE code_hash = "
           "sha256(convert_to(%s,'UTF8'))" % sql_str(live)) == "1",
      (rc, out, err, left))


# ---- a code from the real authorization endpoint ----------------------------

if not have_endpoint("authorize"):
    check("code from the /authorize login flow: authorize.fcgi is built",
          False)
else:
    FP = Client("tok-first-party", {"redirect_uris": [RURI],
                                    "grant_types": ["authorization_code",
                                                    "refresh_token"]},
                first_party=True)
    TP = Client("tok-third-party", {"redirect_uris": [RURI],
                                    "grant_types": ["authorization_code",
                                                    "refresh_token"]})
    for cl, consent in ((FP, False), (TP, True)):
        lab = "/authorize (%s)" % ("first party, no consent" if not consent
                                   else "consent page")
        v, ch = pkce_pair()
        nonce = "n-" + secrets.token_hex(8)
        state = "s-" + secrets.token_hex(8)
        trace = []
        try:
            code, params, jar = authorize_code(
                cl.id, RURI, USER, PASSWORD, scope="openid email",
                state=state, nonce=nonce, challenge=ch, consent=consent,
                trace=trace)
        except AuthorizeError as e:
            check("%s: login flow ends in a redirect with a code" % lab,
                  False, "%s\n%s" % (e, e.response.describe()
                                     if e.response is not None else ""))
            for m, pth, rr in trace:
                diag("%s %s -> %d" % (m, pth[:120], rr.status))
            continue
        shown = any(any(n == "decision" for f in parse_forms(rr.text)
                        for n, _ in f["buttons"])
                    for _, _, rr in trace if rr.status == 200)
        check("%s: the consent page %s" % (lab, "was shown" if consent
                                          else "was skipped"),
              shown == consent, [(m, pth[:80], rr.status)
                                 for m, pth, rr in trace])
        check("%s: redirect carries the state and iss" % lab,
              params.get("state") == state and params.get("iss") == ISSUER,
              params)
        # The harness has key_encryption_key: the code is sealed (issue
        # 16, t/21-sealed-code.py checks its expiry) and nothing is stored.
        n = psql("SELECT count(*) FROM auth_code WHERE code_hash = "
                 "sha256(convert_to(%s, 'UTF8'))" % sql_str(code))
        check("%s: the code is sealed: no auth_code row, < 1 KiB" % lab,
              n == "0" and len(code) < 1024, (n, len(code)))
        expect_error("%s: redeeming without the verifier" % lab,
                     redeem(cl, code), 400, "invalid_grant")
        r = redeem(cl, code, verifier=v)
        if ok200("%s: code redeemed with its PKCE verifier" % lab, r):
            j = r.json()
            c = check_id_token("%s: ID Token" % lab, j.get("id_token", ""),
                               "RS256", cl, j["access_token"], nonce)
            check("%s: ID Token auth_time is recent" % lab,
                  isinstance(c.get("auth_time"), int) and
                  abs(c["auth_time"] - time.time()) < 120, c)
            expect_error("%s: the code a second time" % lab,
                         redeem(cl, code, verifier=v), 400, "invalid_grant")
            check("%s: ...and its access token is revoked" % lab,
                  userinfo(j["access_token"]).status == 401)


stop_extra_workers()
for _, sock, _ in EXTRA:
    logf = sock[:-5] + ".log"
    try:
        with open(logf, "rb") as f:
            txt = f.read().decode("utf-8", "replace")
    except OSError:
        txt = ""
    bad = [ln for ln in txt.splitlines() if "level=error" in ln or
           "Sanitizer" in ln or "runtime error:" in ln]
    check("extra worker %s: no error or sanitizer lines in its log"
          % os.path.basename(sock), not bad, "\n".join(bad[:10]))
done()
