#!/usr/bin/env python3
"""61-device: the Device Authorization Grant (RFC 8628, issue 21 item 4).

device.fcgi at /device_authorization (3.1, 3.2), the /device verification
page of authorize.fcgi (3.3: code, sign-in, confirmation), and polling at
/token (3.4, 3.5): authorization_pending, slow_down (the interval grows by
5 s), expired_token, access_denied, then the tokens exactly once;
invalid_grant for a used code, another client's code and an unknown one;
user codes entered in any case with dashes and spaces; wrong codes
throttled per address.  The stack runs with device_grant = yes
(tests/integration/run.sh).  Plain HTTP: no independent client library is
needed to speak this protocol (t/60-openid-client.py covers openid-client).
"""
import hashlib
import json
import re
import secrets

from oidctest import *
from flow import *
from hardening import ask, check_log, config_with, spawn

GT = "urn:ietf:params:oauth:grant-type:device_code"
UC_RE = re.compile(r"^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$")

USER = unique("dev-alice")
PASSWORD = "pw-" + secrets.token_hex(8)
create_user(USER, PASSWORD, {"name": "Alice Device"})
SUB = user_sub(USER)


def client(meta):
    m = {"grant_types": [GT, "refresh_token"], "response_types": [],
         "client_name": unique("Device TV")}
    m.update(meta)
    c = create_client(m)
    return c["client_id"], c.get("client_secret")


DEV, DEV_SECRET = client({})
OTHER, OTHER_SECRET = client({})
PUB, _ = client({"token_endpoint_auth_method": "none"})
NODEV, NODEV_SECRET = client({"grant_types": ["client_credentials"]})


def authorize_device(cid, secret, scope="openid profile offline_access"):
    if secret is None:
        return post_form("/device_authorization", {"client_id": cid,
                                                   "scope": scope})
    return post_form("/device_authorization", {"scope": scope},
                     auth=(cid, secret))


def poll(cid, secret, device_code):
    p = {"grant_type": GT, "device_code": device_code}
    if secret is None:
        p["client_id"] = cid
        return post_form("/token", p)
    return post_form("/token", p, auth=(cid, secret))


def err_of(r):
    try:
        return r.json().get("error")
    except Exception:
        return None


def new_code(cid=DEV, secret=DEV_SECRET, scope="openid profile "
             "offline_access"):
    r = authorize_device(cid, secret, scope)
    check("device_authorization answers 200 for %s" % cid, r.status == 200,
          r)
    return r.json()


def row(device_code, cols):
    h = hashlib.sha256(device_code.encode()).hexdigest()
    return psql("SELECT %s FROM device_code WHERE code_hash = "
                "'\\x%s'::bytea" % (cols, h))


# ---- discovery ---------------------------------------------------------------

d = get("/.well-known/openid-configuration").json()
check("discovery: device_authorization_endpoint (RFC 8628 4)",
      d.get("device_authorization_endpoint") ==
      ISSUER + "/device_authorization", d)
check("discovery: the device_code grant type is supported",
      GT in d.get("grant_types_supported", []), d)

# ---- the device authorization request (3.1, 3.2) -----------------------------

r = post_form("/device_authorization", {"scope": "openid"})
check("no client authentication: 401 invalid_client",
      r.status == 401 and err_of(r) == "invalid_client", r)
r = post_form("/device_authorization", {"scope": "openid"},
              auth=(DEV, "wrong-" + DEV_SECRET))
check("wrong secret: 401 invalid_client",
      r.status == 401 and err_of(r) == "invalid_client", r)
r = post_form("/device_authorization", {"scope": "openid"},
              auth=(NODEV, NODEV_SECRET))
check("a client without the device_code grant type: 400 "
      "unauthorized_client", r.status == 400 and
      err_of(r) == "unauthorized_client", r)
r = get("/device_authorization")
check("GET /device_authorization: 405", r.status == 405, r)

a = new_code()
check("response: device_code, user_code, verification URIs, expires_in 600, "
      "interval 5", isinstance(a.get("device_code"), str) and
      len(a["device_code"]) >= 43 and UC_RE.match(a.get("user_code", ""))
      and a.get("verification_uri") == ISSUER + "/device" and
      a.get("verification_uri_complete") == ISSUER +
      "/device?user_code=" + a.get("user_code", "") and
      a.get("expires_in") == 600 and a.get("interval") == 5, a)
check("the device code is stored as its SHA-256 only",
      row(a["device_code"], "status") == "pending" and
      psql("SELECT count(*) FROM device_code WHERE encode(code_hash, "
           "'escape') = '%s'" % a["device_code"]) == "0")
check("the user code is stored hashed", psql(
    "SELECT count(*) FROM device_code WHERE user_code_hash = "
    "sha256('%s'::bytea)" % a["user_code"].replace("-", "")) == "1")
codes = {new_code()["user_code"] for _ in range(5)}
check("user codes differ", len(codes) == 5, codes)

# ---- polling before the user acts (3.5) ---------------------------------------

r = poll(DEV, DEV_SECRET, a["device_code"])
check("first poll: 400 authorization_pending",
      r.status == 400 and err_of(r) == "authorization_pending", r)
check("... as JSON (RFC 6749 5.2)", (r.header("Content-Type") or
                                    "").startswith("application/json"), r)
r = poll(DEV, DEV_SECRET, a["device_code"])
check("polled again at once: 400 slow_down",
      r.status == 400 and err_of(r) == "slow_down", r)
check("... the interval grew by 5 s (RFC 8628 3.5)",
      row(a["device_code"], "poll_interval") == "10")
r = poll(DEV, DEV_SECRET, a["device_code"])
check("and again: slow_down, interval 15", err_of(r) == "slow_down" and
      row(a["device_code"], "poll_interval") == "15", r)
# Let the interval pass without waiting for it.
psql("UPDATE device_code SET last_poll = now() - interval '1 hour'")
r = poll(DEV, DEV_SECRET, a["device_code"])
check("after the interval: authorization_pending again",
      err_of(r) == "authorization_pending", r)
r = poll(OTHER, OTHER_SECRET, a["device_code"])
check("another client's device code: 400 invalid_grant",
      r.status == 400 and err_of(r) == "invalid_grant", r)
r = poll(DEV, DEV_SECRET, "x" + a["device_code"])
check("an unknown device code: 400 invalid_grant",
      r.status == 400 and err_of(r) == "invalid_grant", r)
r = post_form("/token", {"grant_type": GT}, auth=(DEV, DEV_SECRET))
check("no device_code: 400 invalid_request",
      r.status == 400 and err_of(r) == "invalid_request", r)
r = post_form("/token", {"grant_type": GT, "device_code":
                         a["device_code"]}, auth=(NODEV, NODEV_SECRET))
check("a client without the grant type: 400 unauthorized_client",
      err_of(r) == "unauthorized_client", r)

# ---- the /device page (3.3) ----------------------------------------------------

b = Browser("device")
r = b.get("/device")
p = parse_page(r)
f = p.form_with(lambda f: f.input("user_code") is not None)
check("GET /device: the code form, posting to /device, with a CSRF field",
      r.status == 200 and f is not None and f.method == "post" and
      f.action == ISSUER + "/device" and "csrf" in f.hidden_dict(), r)
check("... the pages' security headers", security_headers_ok(r) == [],
      security_headers_ok(r))
r = b.get("/device?user_code=" + a["user_code"])
f = parse_page(r).form_with(lambda f: f.input("user_code") is not None)
check("GET /device?user_code=...: the code is filled in (3.3.1)",
      f is not None and f.input("user_code").get("value") == a["user_code"],
      r)


def enter(browser, code, csrf=None):
    r = browser.get("/device")
    f = parse_page(r).form_with(lambda f: f.input("user_code") is not None)
    ov = {"user_code": code}
    if csrf is not None:
        ov["csrf"] = csrf
    return browser.submit(f, extra=[("action", "code")], override=ov)


r = enter(b, a["user_code"], csrf="forged")
check("a forged CSRF token: 400, no sign-in form",
      r.status == 400 and parse_page(r).login_form() is None, r)
bad = "BBBB-BBBB" if a["user_code"] != "BBBB-BBBB" else "CCCC-CCCC"
r = enter(b, bad)
check("an unknown user code: 400 with a message, the form again",
      r.status == 400 and "not valid" in parse_page(r).visible_text() and
      parse_page(r).login_form() is None, r)
r = enter(b, "AEIOU123")
check("letters outside the alphabet: 400", r.status == 400, r)

# Entered in lower case, without the dash, with spaces.
typed = " " + a["user_code"].lower().replace("-", " ") + " "
r = enter(b, typed)
check("the code in lower case with spaces: the sign-in form",
      r.status == 200 and parse_page(r).login_form() is not None, r)
r = b.login(r, USER, "wrong")
check("wrong password: the sign-in form again",
      parse_page(r).login_form() is not None and
      "incorrect" in parse_page(r).visible_text(), r)
r = b.login(r, USER, PASSWORD)
page = parse_page(r)
check("signed in: the confirmation names the code and the scope",
      page.consent_form() is not None and a["user_code"] in
      page.visible_text() and "offline_access" in page.visible_text(), r)
check("... and a session cookie", "oidc_session" in b.cookies, b.cookies)
r = b.consent(r, "allow")
check("allowed: 'Device connected'", r.status == 200 and
      "Device connected" in parse_page(r).visible_text(), r)
check("... the row is approved for the user", row(
    a["device_code"], "status || ' ' || (user_id IS NOT NULL)") ==
    "approved true")

# ---- the tokens, once (3.4, 3.5) -------------------------------------------------

r = poll(DEV, DEV_SECRET, a["device_code"])
t = r.json() if r.status == 200 else {}
check("poll after approval (even at once): 200 with access, refresh and ID "
      "token", r.status == 200 and t.get("token_type") == "Bearer" and
      t.get("access_token") and t.get("refresh_token") and
      t.get("id_token") and t.get("scope") ==
      "openid profile offline_access", r)
check("... Cache-Control: no-store", "no-store" in
      (r.header("Cache-Control") or ""), r)
probs, claims, _ = verify_id_token(t.get("id_token", ""), client_id=DEV,
                                   nonce=False, sub=SUB)
check("... the ID Token is valid for the client and user, with auth_time",
      not probs and claims and isinstance(claims.get("auth_time"), int),
      (probs, claims))
r = get("/userinfo", headers={"Authorization": "Bearer " +
                              t.get("access_token", "")})
check("... the access token works at /userinfo", r.status == 200 and
      r.json().get("sub") == SUB and r.json().get("name") ==
      "Alice Device", r)
r = post_form("/token", {"grant_type": "refresh_token", "refresh_token":
                         t.get("refresh_token", "")}, auth=(DEV, DEV_SECRET))
check("... the refresh token refreshes", r.status == 200, r)
r = poll(DEV, DEV_SECRET, a["device_code"])
check("the device code used again: 400 invalid_grant",
      r.status == 400 and err_of(r) == "invalid_grant", r)
r = enter(b, a["user_code"])
check("its user code at the page: no longer valid", r.status == 400, r)

# A public client, a scope without openid: no ID Token, no refresh token.
pa = new_code(PUB, None, "profile")
r = enter(b, pa["user_code"])
page = parse_page(r)
check("signed in already: the code leads straight to the confirmation",
      page.consent_form() is not None and page.login_form() is None, r)
b.consent(r, "allow")
r = poll(PUB, None, pa["device_code"])
t = r.json() if r.status == 200 else {}
check("public client: access token only (no openid, no offline_access)",
      r.status == 200 and t.get("access_token") and "id_token" not in t and
      "refresh_token" not in t, r)

# ---- denied, expired ---------------------------------------------------------

dn = new_code()
r = b.consent(enter(b, dn["user_code"]), "deny")
check("denied: 'Access denied' page", "Access denied" in
      parse_page(r).visible_text(), r)
r = poll(DEV, DEV_SECRET, dn["device_code"])
check("poll of a denied code: 400 access_denied",
      r.status == 400 and err_of(r) == "access_denied", r)

ex = new_code()
psql("UPDATE device_code SET expires_at = now() - interval '1 second' "
     "WHERE user_code_hash = sha256('%s'::bytea)"
     % ex["user_code"].replace("-", ""))
r = poll(DEV, DEV_SECRET, ex["device_code"])
check("poll of an expired code: 400 expired_token",
      r.status == 400 and err_of(r) == "expired_token", r)
r = enter(b, ex["user_code"])
check("an expired user code at the page: 400", r.status == 400, r)

# Approved but expired before the poll: expired_token, no tokens.
ae = new_code()
b.consent(enter(b, ae["user_code"]), "allow")
psql("UPDATE device_code SET expires_at = now() - interval '1 second' "
     "WHERE user_code_hash = sha256('%s'::bytea)"
     % ae["user_code"].replace("-", ""))
r = poll(DEV, DEV_SECRET, ae["device_code"])
check("approved, then expired: expired_token", err_of(r) == "expired_token",
      r)

# ---- wrong codes are throttled per address ------------------------------------

psql("DELETE FROM login_failure WHERE key LIKE 'd:%'")
live = new_code()
b2 = Browser("guesser")
statuses = [enter(b2, "%s-BBBB" % ("CDFG", "BCDF")[i % 2]).status
            for i in range(10)]
check("wrong codes within login_max_failures (10): 400 each",
      statuses == [400] * 10, statuses)
check("... each recorded under the address (login_failure 'd:ADDR')",
      psql("SELECT count(*) FROM login_failure WHERE key LIKE 'd:%'") ==
      "10")
# Ten more failures just now: the address waits 2^10 s (at most
# login_window), whatever the speed of this test.
psql("INSERT INTO login_failure (key) SELECT key FROM login_failure "
     "WHERE key LIKE 'd:%'")
r = enter(b2, "DDDD-DDDD")
check("past the limit: 429 with a message",
      r.status == 429 and "Too many" in parse_page(r).visible_text(), r)
check("... a refused entry is not recorded",
      psql("SELECT count(*) FROM login_failure WHERE key LIKE 'd:%'") ==
      "20")
r = enter(b2, live["user_code"])
check("while throttled even a right code is refused unchecked (429)",
      r.status == 429 and "Too many" in parse_page(r).visible_text(), r)
psql("DELETE FROM login_failure WHERE key LIKE 'd:%'")
r = enter(b2, live["user_code"])
check("the throttle lifted: the right code leads on", r.status == 200 and
      parse_page(r).login_form() is not None, r)

# device_code_ttl and device_interval: what the device is told and what
# the row holds.
cfg = config_with("device-times", {"device_code_ttl": "device_code_ttl = 90",
                                   "device_interval": "device_interval = 2"})
w = spawn("device-times", "device", cfg)
body = form_encode({"client_id": PUB, "scope": "openid"}).encode()
r = ask(w, "POST", "/device_authorization", body=body,
        ctype="application/x-www-form-urlencoded")
a = (r.json() if r is not None else None) or {}
check("device_code_ttl = 90, device_interval = 2: expires_in 90, "
      "interval 2", r is not None and r.status == 200 and
      a.get("expires_in") == 90 and a.get("interval") == 2, r)
if a.get("device_code"):
    check("... the row lives 90 s and polls every 2 s",
          row(a["device_code"], "poll_interval") == "2" and
          row(a["device_code"], "round(extract(epoch FROM expires_at - "
              "now()))::int BETWEEN 60 AND 90") == "t")
w.stop()
check_log(w.log)

done()
