#!/usr/bin/env python3
"""53-totp: the TOTP second factor (RFC 6238; issue 22 item 2; oidc.conf(5)
totp; oidcctl(8) user totp; common/oidc/authorize_totp.c, totp.c).

# oidctest: lighttpd

The harness config has `totp = optional`.

 1. Discovery lists acr_values_supported (the two acr values).
 2. `oidcctl user totp enroll` prints an otpauth:// URI and 10 recovery
    codes; status says enrolled with 10 left; enrolling again is refused
    (exit 4); the secret is stored sealed (not in clear) and the recovery
    codes hashed; an unknown user is exit 3.
 3. A user without TOTP signs in with the password alone: ID Token amr
    ["pwd"], acr urn:oidc-fcgi:acr:pwd.
 4. An enrolled user gets the code page after the password and no session
    yet; a wrong code shows it again (no session); the right code gives
    the response; the ID Token has amr ["pwd", "otp"] and acr
    urn:oidc-fcgi:acr:mfa.
 5. Replay: the code just used is refused in a new login; a code of the
    next step is accepted; a recovery code signs in once and is refused
    the second time (9, then 8 left...).
 6. A forged or unknown ticket gets the login page ("expired"), never a
    session; the ticket of another authorization request too.
 7. acr: with an essential acr claim for mfa, a user without TOTP gets
    unmet_authentication_requirements; with acr_values (voluntary) mfa,
    the lower acr pwd; an essential acr of values we do not know:
    unmet_authentication_requirements.  Step-up: a password-only session
    of a user enrolled later, asked for acr_values mfa, gets the login
    page again (prompt=none: login_required), then the code page, then
    acr mfa; such a session does not count even when no acr is asked
    for.  The /device page asks for the second step too: after an
    enrolled user's password the code page (wrong code: again; replay
    refused; a ticket of another user code refused; a recovery code once),
    then the confirmation; the polled ID Token has amr ["pwd", "otp"] and
    acr mfa.
 8. Throttling: after login_max_failures wrong codes the page answers
    429 even to the right code; `oidcctl user unlock` clears it.
 9. `oidcctl user totp disable`: the password alone signs in again.
    The audit lines totp.ok, totp.failed, totp.throttled are written;
    no secret or recovery code is in the log.
11. With totp on and no key_encryption_key, authorize.fcgi refuses to
    start.
12. totp = off (a private worker): an essential acr with values (mfa,
    pwd or unknown) is unmet_authentication_requirements (no acr is
    issued then); acr_values, a voluntary acr claim and an essential acr
    without values are not.
10. totp = required (a private authorize worker over FastCGI): a user
    without TOTP gets the enrolment page with an otpauth URI after the
    password; a wrong code shows it again; the right code stores the
    authenticator and shows 10 recovery codes once, with a session; its
    Continue button gives the authorization response; status says
    enrolled; the next login asks for a code.  The device page refuses
    the password of a user without an authenticator (enrolment is on the
    sign-in page only), saying so.
"""
import base64
import hashlib
import hmac
import json
import os
import re
import struct
import time
import urllib.parse

from oidctest import *
from flow import Browser, RP, classify, make_client, make_user, new_nonce, \
    parse_page, parse_response, redeem, user_sub, verify_id_token
from hardening import *

ACR_PWD = "urn:oidc-fcgi:acr:pwd"
ACR_MFA = "urn:oidc-fcgi:acr:mfa"


def hotp(secret, counter):
    mac = hmac.new(secret, struct.pack(">Q", counter), hashlib.sha1).digest()
    off = mac[-1] & 15
    v = struct.unpack(">I", mac[off:off + 4])[0] & 0x7fffffff
    return "%06d" % (v % 1000000)


def secret_of(uri):
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(uri).query)
    s = q["secret"][0]
    return base64.b32decode(s + "=" * (-len(s) % 8))


def step():
    return int(time.time()) // 30


def enroll(user):
    rc, out, err = ctl("user", "totp", "enroll", user)
    lines = out.strip().split("\n") if rc == 0 else []
    return rc, lines, err


def status(user):
    rc, out, err = ctl("user", "totp", "status", user)
    try:
        return json.loads(out)
    except ValueError:
        return {"rc": rc, "err": err}


def code_form(resp):
    return parse_page(resp).form_with(lambda f: f.input("code") is not None)


def start(b, c, extra=None):
    p = {"client_id": c["client_id"], "redirect_uri": RP,
         "response_type": "code", "scope": "openid", "state": "s",
         "nonce": new_nonce()}
    p.update(extra or {})
    return b.authorize(p)


def send_code(b, resp, code):
    f = code_form(resp)
    if f is None:
        return None
    return b.submit(f, extra=[("action", "totp")], override={"code": code})


def id_claims(c, d):
    r = redeem(c, d.get("code", ""))
    tok = (r.json() or {}) if r.status == 200 else {}
    problems, claims, _ = verify_id_token(tok.get("id_token", ""),
                                          c["client_id"], nonce=False)
    return problems, claims or {}


c = make_client(response_types=["code"], first_party=True)

# 1. discovery
r = get("/.well-known/openid-configuration")
doc = r.json() or {}
check("discovery: acr_values_supported with totp on",
      doc.get("acr_values_supported") == [ACR_PWD, ACR_MFA], doc)

# 2. oidcctl
alice, pw = unique("totpa"), "alice-password-1"
make_user(alice, pw)
rc, lines, err = enroll(alice)
uri = lines[0] if lines else ""
check("enroll: exit 0, an otpauth:// URI first",
      rc == 0 and re.fullmatch(r"otpauth://totp/[^?]+:%s\?secret=[A-Z2-7]{32}"
                               r"&issuer=[^&]+&algorithm=SHA1&digits=6"
                               r"&period=30" % re.escape(alice), uri)
      is not None, (rc, lines, err))
codes = lines[1:]
check("enroll: then 10 recovery codes xxxxx-xxxxx",
      len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{5}-[a-z2-7]{5}", x)
                               for x in codes) and len(set(codes)) == 10,
      codes)
secret = secret_of(uri) if uri else b""
st = status(alice)
check("status: enrolled, 10 recovery codes left",
      st.get("enrolled") is True and st.get("recovery_codes_left") == 10, st)
rc2, lines2, err2 = enroll(alice)
check("enroll again: exit 4", rc2 == 4, (rc2, err2))
sealed = psql("SELECT encode(t.secret_sealed, 'hex') FROM user_totp t "
              "JOIN app_user u USING (user_id) WHERE u.username = '%s'"
              % alice)
check("the secret is stored sealed, not in clear",
      len(sealed) > 2 * 29 and secret.hex() not in sealed and
      base64.b32encode(secret).decode().lower() not in sealed, sealed)
stored = psql("SELECT string_agg(encode(code_hash, 'hex'), ' ') FROM "
              "user_recovery_code r JOIN app_user u USING (user_id) "
              "WHERE u.username = '%s'" % alice)
check("recovery codes are stored hashed (32 bytes, no clear text)",
      len(stored.split()) == 10 and
      all(len(h) == 64 for h in stored.split()) and
      not any(x.replace("-", "").encode().hex() in stored for x in codes),
      stored)
rc3, _, _ = ctl("user", "totp", "status", unique("nobody"))
check("status of an unknown user: exit 3", rc3 == 3, rc3)

# 3. a user without TOTP
bob, bpw = unique("totpb"), "bob-password-1"
make_user(bob, bpw)
b = Browser()
r = b.login(start(b, c), bob, bpw)
d = parse_response(r, RP) or {}
problems, claims = id_claims(c, d)
check("no TOTP: the password alone; amr pwd, acr pwd",
      "code" in d and not problems and claims.get("amr") == ["pwd"] and
      claims.get("acr") == ACR_PWD, (d, problems, claims))

# 4. an enrolled user
b = Browser()
r0 = start(b, c)
since = len(b.history)
r = b.login(r0, alice, pw)
f = code_form(r)
check("enrolled: the code page after the password, no session yet",
      r.status == 200 and f is not None and f.input("ticket") is not None
      and "oidc_session" not in b.new_cookies(since) and
      "Two-step verification" in parse_page(r).visible_text(), r)
r = send_code(b, r, "000000" if hotp(secret, step()) != "000000"
              else "111111")
check("a wrong code: the page again with an error, no session",
      r is not None and r.status == 200 and code_form(r) is not None and
      "incorrect" in parse_page(r).visible_text() and
      "oidc_session" not in b.new_cookies(since), r)
used = hotp(secret, step())
r = send_code(b, r, used)
d = parse_response(r, RP) or {}
problems, claims = id_claims(c, d)
check("the right code: the response; amr [pwd, otp], acr mfa",
      "code" in d and "oidc_session" in b.cookies and not problems and
      claims.get("amr") == ["pwd", "otp"] and claims.get("acr") == ACR_MFA,
      (d, problems, claims, r))

# 5. replay, recovery codes
b2 = Browser()
r = send_code(b2, b2.login(start(b2, c), alice, pw), used)
check("replay: the code already used is refused",
      r is not None and code_form(r) is not None and
      "oidc_session" not in b2.cookies, r)
r = send_code(b2, r, hotp(secret, step() + 1))
d = parse_response(r, RP) or {}
check("a code of the next step (within the allowed skew) is accepted",
      "code" in d, r)
b3 = Browser()
r = send_code(b3, b3.login(start(b3, c), alice, pw), codes[0].upper())
d = parse_response(r, RP) or {}
problems, claims = id_claims(c, d)
check("a recovery code (any case) signs in: amr [pwd, otp]",
      "code" in d and claims.get("amr") == ["pwd", "otp"], (d, claims))
check("9 recovery codes left", status(alice).get("recovery_codes_left") == 9)
b4 = Browser()
r = send_code(b4, b4.login(start(b4, c), alice, pw), codes[0])
check("the same recovery code again: refused",
      r is not None and code_form(r) is not None and
      "oidc_session" not in b4.cookies, r)

# The code page is a template in the request's language (ui_locales).
bf = Browser()
r = bf.login(start(bf, c, {"ui_locales": "fr"}), alice, pw)
check("ui_locales=fr: the code page in French (lang fr, its heading)",
      r.status == 200 and code_form(r) is not None and
      '<html lang="fr"' in r.text and "Validation en deux \u00e9tapes" in
      parse_page(r).visible_text(), r)
r = send_code(bf, r, "000000" if hotp(secret, step()) != "000000"
              else "111111")
check("... and its error in French",
      r is not None and "Le code est incorrect" in
      parse_page(r).visible_text(), r)

# A third-party client with prompt=login: password, code, then consent,
# and the consent counts the login as fresh (no second login page).
c3 = make_client(response_types=["code"])
b = Browser()
r = b.login(start(b, c3, {"prompt": "login"}), alice, pw)
r = send_code(b, r, codes[2])
kind = classify(r)
r = b.consent(r) if kind == "consent" else r
d = parse_response(r, RP) or {}
check("third-party client, prompt=login: code page, consent, response",
      kind == "consent" and "code" in d, (kind, d or r))

# 6. tickets
b5 = Browser()
r = b5.login(start(b5, c), alice, pw)
f = code_form(r)
r = b5.submit(f, extra=[("action", "totp")],
              override={"code": hotp(secret, step() + 1),
                        "ticket": "forged-ticket"})
check("a forged ticket: the login page, no session",
      classify(r) == "login" and "oidc_session" not in b5.cookies and
      "expired" in parse_page(r).visible_text(), r)
r = b5.login(start(b5, c, {"state": "other"}), alice, pw)
f_other = code_form(r)
r = b5.submit(f_other, extra=[("action", "totp")],
              override={"code": hotp(secret, step() + 1),
                        "ticket": f.input("ticket").get("value"),
                        "state": "s"})
check("the ticket of another authorization request: the login page",
      classify(r) == "login" and "oidc_session" not in b5.cookies, r)

# 7. acr
essential = json.dumps({"id_token": {"acr": {"essential": True,
                                             "values": [ACR_MFA]}}})
b = Browser()
r = b.login(start(b, c, {"claims": essential}), bob, bpw)
d = parse_response(r, RP) or {}
check("essential acr mfa, user without TOTP: "
      "unmet_authentication_requirements",
      d.get("error") == "unmet_authentication_requirements" and
      d.get("state") == "s", d or r)
b = Browser()
r = b.login(start(b, c, {"acr_values": ACR_MFA}), bob, bpw)
d = parse_response(r, RP) or {}
problems, claims = id_claims(c, d)
check("acr_values mfa (voluntary), user without TOTP: the lower acr pwd",
      "code" in d and claims.get("acr") == ACR_PWD, (d, claims))
unknown = json.dumps({"id_token": {"acr": {"essential": True,
                                           "value": "urn:x:loa:4"}}})
r = start(b, c, {"claims": unknown})
d = parse_response(r, RP) or {}
check("essential acr of an unknown value: "
      "unmet_authentication_requirements",
      d.get("error") == "unmet_authentication_requirements", d or r)
r = start(b, c, {"claims": json.dumps({"id_token": {"acr": {
    "essential": True, "values": ["urn:x:loa:4", ACR_PWD]}}})})
d = parse_response(r, RP) or {}
problems, claims = id_claims(c, d)
check("essential acr naming pwd (totp on), password session: met, "
      "acr pwd", "code" in d and claims.get("acr") == ACR_PWD, (d, claims))
# Step-up: bob (password session in b) enrols.
rc, blines, _ = enroll(bob)
bsecret = secret_of(blines[0]) if rc == 0 else b""
r = start(b, c, {"prompt": "none"})
d = parse_response(r, RP) or {}
check("enroll ends the user's password-only session, "
      "even unasked (prompt=none: login_required)",
      d.get("error") == "login_required", d or r)
r = start(b, c, {"acr_values": ACR_MFA, "prompt": "none"})
d = parse_response(r, RP) or {}
check("step-up with prompt=none: login_required",
      d.get("error") == "login_required", d or r)
r = start(b, c, {"acr_values": ACR_MFA})
check("step-up: a password-only session gets the login page again",
      classify(r) == "login", r)
r = send_code(b, b.login(r, bob, bpw), hotp(bsecret, step()))
d = parse_response(r, RP) or {}
problems, claims = id_claims(c, d)
check("step-up: then the code; acr mfa",
      "code" in d and claims.get("acr") == ACR_MFA, (d, claims))
r = start(b, c, {"claims": essential})
d = parse_response(r, RP) or {}
check("the mfa session meets an essential acr mfa without a page",
      "code" in d, d or r)

# The device page asks for the second step too (device_page.c): after the
# password of an enrolled user, the code page bound to the user code.
GT = "urn:ietf:params:oauth:grant-type:device_code"
dc = create_client({"client_name": unique("totpdev"), "grant_types": [GT],
                    "response_types": [],
                    "token_endpoint_auth_method": "none"})
erin, epw = unique("totpe"), "erin-password-1"
make_user(erin, epw)
rc, elines, _ = enroll(erin)
esec = secret_of(elines[0]) if rc == 0 else b""
brec = elines[1:]


def device_login():
    r = post_form("/device_authorization", {"client_id": dc["client_id"],
                                            "scope": "openid"})
    da = r.json() or {}
    bd = Browser()
    r = bd.get(da.get("verification_uri_complete", "/device"))
    f = parse_page(r).form_with(
        lambda f: f.button("action", "code") is not None)
    r = bd.submit(f, extra=[("action", "code")]) if f else r
    r = bd.login(r, erin, epw) if classify(r) == "login" else r
    return bd, da, r


def device_poll(da):
    r = post_form("/token", {"grant_type": GT, "client_id": dc["client_id"],
                             "device_code": da.get("device_code", "")})
    tok = (r.json() or {}) if r.status == 200 else {}
    problems, claims, _ = verify_id_token(tok.get("id_token", ""),
                                          dc["client_id"], nonce=False)
    return r, problems, claims or {}


bd, da, r = device_login()
f = code_form(r)
check("device page: an enrolled user's password gives the code page "
      "(ticket, user code), no session yet",
      r.status == 200 and f is not None and f.input("ticket") is not None
      and f.input("user_code") is not None and
      "Two-step verification" in parse_page(r).visible_text() and
      "oidc_session" not in bd.cookies, r)
devcode = hotp(esec, step())
r = send_code(bd, r, "000000" if devcode != "000000" else "111111")
check("device page: a wrong code shows the code page again with the "
      "error, no session",
      r is not None and r.status == 200 and code_form(r) is not None and
      "incorrect" in parse_page(r).visible_text() and
      "oidc_session" not in bd.cookies, r)
r = send_code(bd, r, devcode)
check("device page: the right code, then the confirmation and a session",
      r is not None and parse_page(r).consent_form() is not None and
      "oidc_session" in bd.cookies, r)
r = bd.consent(r, "allow") if r is not None else r
r, problems, claims = device_poll(da)
check("device page: the poll gets an ID Token with amr [pwd, otp], "
      "acr mfa",
      r.status == 200 and not problems and
      claims.get("amr") == ["pwd", "otp"] and claims.get("acr") == ACR_MFA,
      (r, problems, claims))
bd, da, r = device_login()
r = send_code(bd, r, devcode)
check("device page: the code just used is refused (replay)",
      r is not None and code_form(r) is not None and
      parse_page(r).consent_form() is None and
      "oidc_session" not in bd.cookies, r)
f = code_form(r)
bd2, da2, r2 = device_login()
r2 = bd2.submit(code_form(r2), extra=[("action", "totp")],
                override={"code": brec[0],
                          "ticket": f.input("ticket").get("value")}) \
    if f is not None and code_form(r2) is not None else None
check("device page: the ticket of another user code is refused "
      "(the sign-in page, 'expired'), the recovery code not spent",
      r2 is not None and parse_page(r2).login_form() is not None and
      "expired" in parse_page(r2).visible_text() and
      "oidc_session" not in bd2.cookies, r2)
n_before = status(erin).get("recovery_codes_left")
r = send_code(bd, r, brec[0])
check("device page: a recovery code signs in (the confirmation)",
      r is not None and parse_page(r).consent_form() is not None and
      "oidc_session" in bd.cookies, r)
check("... and is spent", status(erin).get("recovery_codes_left") ==
      n_before - 1, (n_before, status(erin)))
r = bd.consent(r, "allow") if r is not None else r
r, problems, claims = device_poll(da)
check("... its ID Token: amr [pwd, otp], acr mfa",
      r.status == 200 and claims.get("amr") == ["pwd", "otp"] and
      claims.get("acr") == ACR_MFA, (r, claims))
bd, da, r = device_login()
r = send_code(bd, r, brec[0])
check("device page: the same recovery code again is refused",
      r is not None and code_form(r) is not None and
      "oidc_session" not in bd.cookies, r)

# 8. throttling
b = Browser()
r = b.login(start(b, c), bob, bpw)
statuses = []
for i in range(10):
    r = send_code(b, r, "%06d" % ((int(hotp(bsecret, step())) + 500000 + i)
                                 % 1000000))
    statuses.append(r.status if r is not None else None)
check("10 wrong codes: ordinary failures (200)", statuses == [200] * 10,
      statuses)
r = send_code(b, r, hotp(bsecret, step() + 1))
check("then even the right code: 429, no session",
      r is not None and r.status == 429 and "oidc_session" not in b.cookies
      and "Too many" in parse_page(r).visible_text(), r)
rc, out, err = ctl("user", "unlock", bob)
check("oidcctl user unlock: exit 0", rc == 0, (rc, err))
b = Browser()
r = send_code(b, b.login(start(b, c), bob, bpw), hotp(bsecret, step() + 1))
check("after unlock the right code signs in",
      "code" in (parse_response(r, RP) or {}), r)

# 9. disable
rc, out, err = ctl("user", "totp", "disable", alice)
check("disable: exit 0; status not enrolled, no recovery code",
      rc == 0 and status(alice) == {"username": alice, "enrolled": False,
                                    "recovery_codes_left": 0},
      (rc, out, err, status(alice)))
rc, out, err = ctl("user", "totp", "disable", alice)
check("disable again: exit 3", rc == 3, (rc, err))
b = Browser()
r = b.login(start(b, c), alice, pw)
check("disabled: the password alone signs in again",
      "code" in (parse_response(r, RP) or {}), r)

# Audit lines (docs/AUDIT.md), and no secret in the logs.
alog = os.path.join(env("OIDC_TMP"), "log", "authorize.log")
asub = user_sub(alice)
wait_until(lambda: 'event=totp.ok' in open(alog).read(), 10 * MULT)
atext = open(alog).read()
check("audit: totp.ok and totp.failed lines with the sub",
      re.search(r'event=totp\.ok .*sub="%s"' % re.escape(asub), atext)
      is not None and
      re.search(r'event=totp\.failed .*sub="%s"' % re.escape(asub), atext)
      is not None and 'event=totp.throttled' in atext)
esub = user_sub(erin)
check("audit: the device page's second step too (totp.ok, totp.failed "
      "with the device client and the sub; login.ok before)",
      re.search(r'event=login\.ok .*client_id="%s".*sub="%s"' % (
          re.escape(dc["client_id"]), re.escape(esub)), atext) is not None
      and all(re.search(r'event=totp\.%s .*client_id="%s".*sub="%s"' % (
          e, re.escape(dc["client_id"]), re.escape(esub)), atext)
          is not None for e in ("ok", "failed")), esub)
check("no TOTP secret or recovery code in the authorize log",
      base64.b32encode(secret).decode().rstrip("=") not in atext and
      not any(x in atext or x.replace("-", "") in atext for x in codes))

# 10. totp = required, a private worker
conf = private_config("totp-req", [])
with open(conf) as fh:
    text = fh.read()
with open(conf, "w") as fh:
    fh.write(re.sub(r"^totp = optional$", "totp = required", text,
                    flags=re.M))
w = spawn("totp-req", "authorize", conf)
check("a private authorize.fcgi with totp = required runs", w.alive(),
      open(w.log).read()[-1500:])
FORM = "application/x-www-form-urlencoded"


class FcgiBrowser(Browser):
    def _send(self, method, path, body, headers):
        u = urllib.parse.urlsplit(path)
        extra, ctype = {}, None
        for k, v in headers:
            if k.lower() == "content-type":
                ctype = v
            else:
                extra["HTTP_" + k.upper().replace("-", "_")] = v
        r = w.request(cgi_params(method, u.path, u.query, content_type=ctype,
                                 content_length=None if body is None
                                 else len(body), extra=extra),
                      body or b"", timeout=20 * MULT)
        if r is None:
            raise RuntimeError("no answer from the private authorize.fcgi")
        return self.absorb(r)

    def get(self, path, headers=None):
        return self._send("GET", path, None, self._cookie_header() +
                          list((headers or {}).items()))

    def post(self, path, params, headers=None):
        return self._send("POST", path, form_encode(params).encode(),
                          self._cookie_header() + [("Content-Type", FORM)] +
                          list((headers or {}).items()))


try:
    carol, cpw = unique("totpc"), "carol-password-1"
    make_user(carol, cpw)
    fb = FcgiBrowser()
    since = len(fb.history)
    r = fb.login(start(fb, c), carol, cpw)
    page = parse_page(r)
    link = re.search(r'href="(otpauth://[^"]+)"', r.text or "")
    euri = link.group(1).replace("&amp;", "&") if link else ""
    check("required: the enrolment page after the password, with an "
          "otpauth URI and the key, no session yet",
          r.status == 200 and code_form(r) is not None and
          euri.startswith("otpauth://totp/") and
          "oidc_session" not in fb.new_cookies(since) and
          "Set up two-step verification" in page.visible_text(), r)
    esecret = secret_of(euri) if euri else b""
    r = send_code(fb, r, "%06d" % ((int(hotp(esecret, step())) + 1)
                                   % 1000000))
    link2 = re.search(r'href="(otpauth://[^"]+)"', r.text or "")
    check("required: a wrong code shows the same enrolment again",
          r.status == 200 and link2 is not None and
          link2.group(1).replace("&amp;", "&") == euri and
          "oidc_session" not in fb.cookies, r)
    r = send_code(fb, r, hotp(esecret, step()))
    shown = re.findall(r"<code>([a-z2-7]{5}-[a-z2-7]{5})</code>",
                       r.text or "")
    check("required: the right code shows 10 recovery codes, with a "
          "session", r.status == 200 and len(set(shown)) == 10 and
          "oidc_session" in fb.cookies, r)
    st = status(carol)
    check("required: enrolled with 10 recovery codes",
          st.get("enrolled") is True and st.get("recovery_codes_left") == 10,
          st)
    cont = parse_page(r).form_with(lambda f: f.button("action", "continue")
                                   is not None)
    r = fb.submit(cont, extra=[("action", "continue")]) if cont else r
    d = parse_response(r, RP) or {}
    check("required: Continue gives the authorization response",
          "code" in d and d.get("state") == "s", d or r)
    fb2 = FcgiBrowser()
    r = fb2.login(start(fb2, c), carol, cpw)
    check("required: the next login asks for a code (not an enrolment)",
          code_form(r) is not None and "otpauth" not in (r.text or ""), r)
    r = send_code(fb2, r, shown[1] if len(shown) > 1 else "")
    check("required: a recovery code shown at enrolment signs in",
          "code" in (parse_response(r, RP) or {}), r)
    # The device page enrols nobody: a user without an authenticator is
    # refused there with the reason (sign in on the sign-in page first).
    dave, dpw = unique("totpd"), "dave-password-1"
    make_user(dave, dpw)
    r = post_form("/device_authorization", {"client_id": dc["client_id"],
                                            "scope": "openid"})
    da = r.json() or {}
    fd = FcgiBrowser()
    r = fd.get("/device?user_code=" + da.get("user_code", ""))
    f = parse_page(r).form_with(
        lambda f: f.button("action", "code") is not None)
    r = fd.submit(f, extra=[("action", "code")]) if f else r
    r = fd.login(r, dave, dpw) if classify(r) == "login" else r
    check("required: the device page refuses the password of a user "
          "without an authenticator, with the reason, no session",
          r.status == 200 and parse_page(r).login_form() is not None and
          "set up two-step verification" in parse_page(r).visible_text()
          and code_form(r) is None and "oidc_session" not in fd.cookies, r)
finally:
    w.stop()
check_log(w.log, "authorize with totp = required")

# 11. no key_encryption_key: authorize.fcgi refuses to start
nokek = os.path.join(private_dir("totp-nokek"), "oidc.conf")
with open(nokek, "w") as fh:
    fh.write(re.sub(r"^key_encryption_key\s*=.*\n", "", text, flags=re.M))
os.chmod(nokek, 0o644)
wn = spawn("totp-nokek", "authorize", nokek)
wait_until(lambda: not wn.alive(), 10 * MULT)
log = open(wn.log).read()
check("totp without key_encryption_key: authorize.fcgi does not start, "
      "and says why", not wn.alive() and
      "totp needs key_encryption_key" in log, log[-1500:])
wn.stop()

# 12. totp = off (a private worker): no acr is issued, so an essential
# acr with values is unmet (OIDC Core 5.5.1.1), whatever the values;
# acr_values (voluntary) and an essential acr without values are not.
offconf = os.path.join(private_dir("totp-off"), "oidc.conf")
with open(offconf, "w") as fh:
    fh.write(re.sub(r"^totp = optional$", "totp = off", text, flags=re.M))
os.chmod(offconf, 0o644)
w = spawn("totp-off", "authorize", offconf)
check("a private authorize.fcgi with totp = off runs", w.alive(),
      open(w.log).read()[-1500:])
try:
    frank, fpw = unique("totpf"), "frank-password-1"
    make_user(frank, fpw)
    fo = FcgiBrowser()
    for name, extra, want in [
            ("essential acr mfa", {"claims": essential}, "unmet"),
            ("essential acr pwd", {"claims": json.dumps(
                {"id_token": {"acr": {"essential": True,
                                      "value": ACR_PWD}}})}, "unmet"),
            ("essential acr of an unknown value", {"claims": unknown},
             "unmet"),
            ("acr_values mfa (voluntary)", {"acr_values": ACR_MFA}, "code"),
            ("a voluntary acr claim", {"claims": json.dumps(
                {"id_token": {"acr": {"values": [ACR_MFA]}}})}, "code"),
            ("essential acr without values", {"claims": json.dumps(
                {"id_token": {"acr": {"essential": True}}})}, "code")]:
        r = start(fo, c, extra)
        r = fo.login(r, frank, fpw) if classify(r) == "login" else r
        d = parse_response(r, RP) or {}
        got = "unmet" if d.get("error") == \
            "unmet_authentication_requirements" else \
            "code" if "code" in d else None
        check("totp = off, %s: %s" % (name, {
            "unmet": "unmet_authentication_requirements",
            "code": "the response"}[want]),
            got == want and d.get("state") == "s", d or r)
finally:
    w.stop()
check_log(w.log, "authorize with totp = off")

psql("DELETE FROM login_failure WHERE key LIKE 'o%:%'")
done()
