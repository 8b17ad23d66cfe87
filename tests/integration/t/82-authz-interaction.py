#!/usr/bin/env python3
"""82-authz-interaction: what may steer the login and consent pages
(issue 15, items 1, 4, 6, 7 and the request-object part of 12).

Item 1: a request object's members are authorization parameters only
(OIDC Core 6.3.3, RFC 9101 from an allow-list); before the fix they were
merged over everything, so {"decision":"allow"} turned the user's Deny
into a code and {"username","password"} logged the victim in as the
attacker (login CSRF).  Item 7: only a password check satisfies
prompt=login or max_age; posting the login page's hidden fields with
action=consent&decision=allow used to count as a fresh login.  Items 4
and 6: request_uri is fetched only when registered in the client's
request_uris, after the client and a query redirect_uri are checked, and
once per authorization request (the pages carry the object by value).
Item 12: a signed request object needs exp, nbf is honoured, a jti is
used once; offline_access yields a refresh token only for a first-party
client or after the user approved a consent page listing it.
"""
import hashlib
import hmac
import json
import os
import subprocess
import time

from oidctest import *
from flow import *

PW = "interaction " + unique("pw")
VICTIM, MALLORY = unique("victim"), unique("mallory")
make_user(VICTIM, PW)
MPW = "mallory " + unique("pw")
make_user(MALLORY, MPW)
VICTIM_SUB, MALLORY_SUB = user_sub(VICTIM), user_sub(MALLORY)

SRV = ObjectServer()
HITS, OBJECTS, BASE = SRV.hits, SRV.objects, SRV.base


def hs256_jwt(claims, secret):
    si = b64url(json.dumps({"alg": "HS256", "typ": "JWT"})) + "." + \
        b64url(json.dumps(claims))
    mac = hmac.new(secret.encode(), si.encode(), hashlib.sha256).digest()
    return si + "." + b64url(mac)


def base_obj(c, **kw):
    o = {"iss": c["client_id"], "aud": ISSUER, "client_id": c["client_id"],
         "response_type": "code", "redirect_uri": c["redirect_uris"][0],
         "scope": "openid", "state": "st", "nonce": unique("n")}
    o.update(kw)
    return o


def query(c, **kw):
    p = {"client_id": c["client_id"], "response_type": "code",
         "scope": "openid", "redirect_uri": c["redirect_uris"][0]}
    p.update(kw)
    return {k: v for k, v in p.items() if v is not None}


def sub_of(c, res):
    if not res or not res.get("code"):
        return None
    r = redeem(c, res["code"])
    if r.status != 200:
        return None
    return jws_claims(r.json()["id_token"]).get("sub")


def jws_claims(tok):
    return json.loads(b64url_decode(tok.split(".")[1]))


def is_error_page(r):
    return r is not None and r.status == 400 and \
        r.content_type() == "text/html" and r.header("Location") is None


def why(r):
    """What a page says (for the diagnostics of a failed check)."""
    try:
        return (r.status, parse_page(r).visible_text()[-400:])
    except Exception:
        return r


def hold_fetch_slot():
    """A psql session holding request_uri fetch slot 0 (the advisory lock
    of stmt.c's fetch_slot_take) until its stdin is closed."""
    pgbin = os.environ.get("OIDC_PGBIN")
    p = subprocess.Popen(
        [os.path.join(pgbin, "psql") if pgbin else "psql", "-X", "-q",
         "-At", "-h", env("OIDC_PGHOST"), "-U", env("OIDC_PGUSER", "oidc"),
         "-d", env("OIDC_PGDATABASE", "oidc")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    p.stdin.write("SELECT pg_advisory_lock(1868130662, 0), 'held';\n")
    p.stdin.flush()
    line = p.stdout.readline()          # bounded by psql's own connect
    check("item 4: setup: a session holds fetch slot 0", "held" in line,
          line)
    return p


def release_fetch_slot(p):
    """Unlock and wait for the answer: a closed connection's backend may
    still hold the lock for a moment after psql has exited."""
    p.stdin.write("SELECT pg_advisory_unlock(1868130662, 0), 'released';\n")
    p.stdin.flush()
    line = p.stdout.readline()
    check("item 4: teardown: fetch slot 0 released", "released" in line, line)
    p.stdin.close()
    p.wait(timeout=30)


def says(r, d):
    """The error description: of the error redirect, else of the page."""
    return (d or {}).get("error_description") or str(why(r))


def refused(r, c):
    d = parse_response(r, c["redirect_uris"][0])
    return is_error_page(r) or (d is not None and "error" in d and
                                "code" not in d)


CODE = {"response_type": "code"}
OFFLINE = dict(CODE, scope="openid offline_access")
C3 = make_client(["code"], request_object_signing_alg="none")   # consent
FP = make_client(["code"], first_party=True,
                 request_object_signing_alg="none")


# ---- item 1: object members never reach the page's own fields -------------

def section_1():
    b = Browser()
    obj = base_obj(C3, decision="allow")
    r = b.authorize(query(C3, request=unsigned_jwt(obj)))
    r = b.login(r, VICTIM, PW) if classify(r) == "login" else r
    check("item 1: the consent page is shown", classify(r) == "consent", r)
    r = b.consent(r, "deny")
    d = parse_response(r, C3["redirect_uris"][0]) or {}
    check("item 1: {\"decision\":\"allow\"} in the object does not turn Deny "
          "into a code", d.get("error") == "access_denied" and "code" not in d,
          d or r)

    obj = base_obj(FP, username=MALLORY, password=MPW, action="login")
    b = Browser()
    r = b.authorize(query(FP, request=unsigned_jwt(obj)))
    check("item 1: login page for a fresh browser", classify(r) == "login", r)
    r = b.login(r, VICTIM, PW)
    res = parse_response(r, FP["redirect_uris"][0]) or {}
    check("item 1: username/password in the object do not log the victim in "
          "as the attacker (login CSRF)", sub_of(FP, res) == VICTIM_SUB,
          (res, VICTIM_SUB))

    b = Browser()
    r = b.authorize(query(FP, request=unsigned_jwt(obj)))
    r = b.login(r, VICTIM, "wrong " + PW)
    check("item 1: a wrong password stays wrong whatever the object says",
          classify(r) == "login", r)


# ---- item 7: only a password check satisfies prompt=login / max_age -------

def section_2():
    b = Browser()
    res = run_flow(C3, VICTIM, PW, CODE, browser=b)
    check("item 7: setup: signed in, consent remembered",
          bool(res.get("code")), res)
    for name, extra in (("prompt=login", {"prompt": "login"}),
                        ("max_age=0", {"max_age": "0"})):
        r = b.authorize(query(C3, **extra))
        check("item 7: %s shows the login page" % name,
              classify(r) == "login", r)
        form = parse_page(r).login_form()
        if form is None:
            continue
        r2 = b.submit(form, extra=[("action", "consent"),
                                   ("decision", "allow")],
                      drop=("username", "password", "action"))
        d = parse_response(r2, C3["redirect_uris"][0]) or {}
        check("item 7: %s: action=consent&decision=allow with the login "
              "page's fields is no login (no code: the login page or an "
              "error page)" % name, "code" not in d and (
                  classify(r2) == "login" or is_error_page(r2)), d or why(r2))
        r3 = b.login(r, VICTIM, PW)
        for _ in range(2):
            if classify(r3) == "consent":
                r3 = b.consent(r3, "allow")
        d = parse_response(r3, C3["redirect_uris"][0]) or {}
        check("item 7: %s: a password login then the consent page gives a "
              "code (no loop)" % name, bool(d.get("code")), d or r3)

    # A consent page after a forced login: that login counts.
    C4 = make_client(["code"])
    b = Browser()
    run_flow(C3, VICTIM, PW, CODE, browser=b)
    r = b.authorize(query(C4, prompt="login"))
    r = b.login(r, VICTIM, PW)
    check("item 7: a new client after prompt=login: consent page",
          classify(r) == "consent", r)
    r = b.consent(r, "allow")
    d = parse_response(r, C4["redirect_uris"][0]) or {}
    check("item 7: ... and then a code", bool(d.get("code")), d or r)


# ---- items 4 and 6: request_uri registration, order, fetched once --------

def section_3():
    disco = get("/.well-known/openid-configuration").json()
    check("item 4: discovery: require_request_uri_registration true",
          disco.get("require_request_uri_registration") is True, disco)

    RU = BASE + "/reg.jwt"
    CR = make_client(["code"], request_object_signing_alg="none",
                     request_uris=[RU + "#v1"])
    OBJECTS["/reg.jwt"] = unsigned_jwt(base_obj(CR)).encode()
    OBJECTS["/unreg.jwt"] = OBJECTS["/reg.jwt"]

    r = Browser().authorize(query(CR, request_uri=BASE + "/unreg.jwt"))
    check("item 4: an unregistered request_uri is refused",
          refused(r, CR), r)
    check("item 4: ... and never fetched", HITS.get("/unreg.jwt", 0) == 0,
          HITS)


    r = Browser().authorize({"client_id": "no-such-" + unique("c"),
                             "response_type": "code", "request_uri": RU})
    check("item 4: an unknown client: error page, no fetch",
          is_error_page(r) and HITS.get("/reg.jwt", 0) == 0, (r, HITS))

    # Every fetch slot taken (request_uri_fetches = 1: slot 0 held by
    # another connection, as a worker stuck on a slow host would hold it).
    holder = hold_fetch_slot()
    try:
        r = Browser().authorize(query(CR, request_uri=RU))
        d = parse_response(r, CR["redirect_uris"][0]) or {}
        check("item 4: no free fetch slot: temporarily_unavailable at once "
              "(to the registered redirect_uri of the query)",
              d.get("error") == "temporarily_unavailable", d or why(r))
        r = Browser().authorize(query(CR, request_uri=RU,
                                      redirect_uri=None))
        check("item 4: ... without a redirect_uri in the query: a 503 "
              "page with Retry-After", r.status == 503 and
              "temporarily_unavailable" in r.text and
              r.header("Retry-After") is not None, why(r))
        check("item 4: ... and no fetch", HITS.get("/reg.jwt", 0) == 0,
              HITS)
    finally:
        release_fetch_slot(holder)

    b = Browser()
    r = b.authorize(query(CR, request_uri=RU + "#v2", scope=None,
                          redirect_uri=None))
    check("item 4: a registered request_uri (fragment aside) is fetched: "
          "login page", classify(r) == "login", why(r))
    page = parse_page(r).login_form()
    hidden = page.hidden_dict() if page else {}
    check("item 6: the login page carries the object, not request_uri",
          "request" in hidden and "request_uri" not in hidden, hidden)
    # The object changes behind the pages: nothing of it may count.
    OBJECTS["/reg.jwt"] = unsigned_jwt(base_obj(
        CR, scope="openid email profile")).encode()
    r = b.login(r, VICTIM, PW)
    check("item 6: consent page after login", classify(r) == "consent", r)
    text = parse_page(r).visible_text() if r is not None else ""
    check("item 6: the consent page lists what was fetched first (no email)",
          "email" not in text, text)
    r = b.consent(r, "allow")
    d = parse_response(r, CR["redirect_uris"][0]) or {}
    check("item 6: a code", bool(d.get("code")), d or r)
    check("item 6: the request_uri was fetched once for the whole "
          "authorization request", HITS.get("/reg.jwt", 0) == 1, HITS)
    if d.get("code"):
        tr = redeem(CR, d["code"])
        check("item 6: the token's scope is the first object's",
              tr.status == 200 and "email" not in tr.json().get("scope", ""),
              tr)


# ---- item 12: signed objects need exp; nbf; jti once ------------------------

def section_4():
    CS = make_client(["code"], first_party=True,
                     request_object_signing_alg="HS256")
    SECRET = CS["client_secret"]
    now = int(time.time())
    b = Browser()
    run_flow(FP, VICTIM, PW, CODE, browser=b)          # a session

    o = base_obj(CS, iat=now)
    r = b.authorize(query(CS, request=hs256_jwt(o, SECRET)))
    d = parse_response(r, CS["redirect_uris"][0]) or {}
    check("item 12: a signed object without exp is refused",
          refused(r, CS) and "exp" in says(r, d), d or why(r))

    o = base_obj(CS, iat=now, exp=now + 300, nbf=now + 600)
    r = b.authorize(query(CS, request=hs256_jwt(o, SECRET)))
    d = parse_response(r, CS["redirect_uris"][0]) or {}
    check("item 12: a signed object before its nbf is refused",
          refused(r, CS) and "nbf" in says(r, d), d or why(r))

    o = base_obj(CS, iat=now, exp=now + 300, jti=unique("jti"))
    jwt = hs256_jwt(o, SECRET)
    r = b.authorize(query(CS, request=jwt))
    d = parse_response(r, CS["redirect_uris"][0]) or {}
    check("item 12: a signed object with exp and a jti: a code",
          bool(d.get("code")), d or r)
    r = b.authorize(query(CS, request=jwt))
    d = parse_response(r, CS["redirect_uris"][0]) or {}
    check("item 12: the same jti again is refused",
          refused(r, CS) and "jti" in says(r, d), d or why(r))

    # A jti object that goes through the login page is not a replay of itself.
    o = base_obj(CS, iat=now, exp=now + 300, jti=unique("jti"))
    b2 = Browser()
    res = run_flow(CS, VICTIM, PW,
                   dict(CODE, request=hs256_jwt(o, SECRET)),
                   browser=b2)
    check("item 12: a jti object through the login page: a code",
          bool(res.get("code")) and res["_pages"] == ["login"], res)


# ---- item 12: offline_access ------------------------------------------------

def section_5():
    CO = make_client(["code"], grant_types=["authorization_code",
                                            "refresh_token"])
    b = Browser()
    run_flow(FP, VICTIM, PW, CODE, browser=b)
    res = run_flow(CO, VICTIM, PW, OFFLINE,
                   browser=b)
    tr = redeem(CO, res["code"]) if res.get("code") else None
    check("item 12: offline_access approved on the consent page: a refresh "
          "token", res["_pages"] == ["consent"] and tr is not None and
          tr.status == 200 and "refresh_token" in tr.json(), (res, tr))
    res = run_flow(CO, VICTIM, PW, OFFLINE,
                   browser=b)
    tr = redeem(CO, res["code"]) if res.get("code") else None
    check("item 12: offline_access from a remembered consent, no page: no "
          "refresh token", res["_pages"] == [] and tr is not None and
          tr.status == 200 and "refresh_token" not in tr.json(), (res, tr))
    res = run_flow(CO, VICTIM, PW, dict(OFFLINE, prompt="consent"), browser=b)
    tr = redeem(CO, res["code"]) if res.get("code") else None
    check("item 12: offline_access with prompt=consent: a refresh token",
          res["_pages"] == ["consent"] and tr is not None and
          tr.status == 200 and "refresh_token" in tr.json(), (res, tr))
    CF = make_client(["code"], first_party=True,
                     grant_types=["authorization_code", "refresh_token"])
    res = run_flow(CF, VICTIM, PW, OFFLINE,
                   browser=b)
    tr = redeem(CF, res["code"]) if res.get("code") else None
    check("item 12: a first-party client: a refresh token without a page",
          tr is not None and tr.status == 200 and "refresh_token" in tr.json(),
          (res, tr))


for fn in (section_1, section_2, section_3, section_4, section_5):
    try:
        fn()
    except FlowError as e:
        check("%s: the flow went as expected" % fn.__name__, False, e)

SRV.stop()
done()
