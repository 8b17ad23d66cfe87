#!/usr/bin/env python3
"""21-sealed-code: self-contained authorization codes (issue 16).

The harness configures key_encryption_key, so /authorize hands out codes
sealed with AES-256-GCM (common/include/oidc/code.h) for response_type=code
and writes nothing; /token records the code's hash in used_code in the same
statement that inserts the tokens.  The rules of the stored codes
(t/20-token.py) must hold all the same:

- no auth_code row for a code flow; the code is base64url and < 1 KiB;
- a code with one bit changed is refused (invalid_grant) and writes nothing;
- a code redeemed by another client is refused and stays redeemable by its
  own client (an error writes nothing);
- redirect_uri and PKCE are checked against what the code carries;
- the code is single-use: a second redemption is refused and revokes the
  access and refresh tokens issued from it (RFC 6749 4.1.2), also when
  the redemptions race;
- the nonce rule: two codes with the same nonce for one client yield one
  ID Token; the second redemption is refused and issues nothing;
- a disabled user's code is refused;
- an expired code is refused (an authorize worker of this test with
  code_ttl = 1);
- oidcctl purge forgets used codes only after they expired.
"""
import os
import secrets
import threading
import time
import urllib.parse

from oidctest import *
from grants import *
from hardening import private_dir, spawn, check_log

RURI = "https://rp.example/cb"
RURI2 = "https://rp.example/other"

USER = unique("seal-u")
PASSWORD = "pw-" + secrets.token_hex(8)
create_user(USER, PASSWORD, {"name": "Sealed", "email": "s@example.com"})


def client(first_party=True):
    m = {"client_name": "sealed", "redirect_uris": [RURI, RURI2],
         "grant_types": ["authorization_code", "refresh_token"]}
    if first_party:
        m["first_party"] = True
    c = create_client(m)
    return c["client_id"], c["client_secret"]


A = client()
B = client()
JAR = CookieJar()


def new_code(cl=A, nonce=None, challenge=None, scope="openid offline_access",
             ruri=RURI):
    """A code from the real /authorize (the first call logs in)."""
    code, _, _ = authorize_code(cl[0], ruri, USER, PASSWORD, scope=scope,
                                nonce=nonce, challenge=challenge,
                                consent=False, jar=JAR)
    return code


def redeem(cl, code, ruri=RURI, verifier=None):
    p = {"grant_type": "authorization_code", "code": code,
         "redirect_uri": ruri}
    if verifier is not None:
        p["code_verifier"] = verifier
    return token_request(p, auth=cl)


def refused(label, r, desc=None):
    j = r.json() or {}
    check("%s: 400 invalid_grant" % label, r.status == 400 and
          j.get("error") == "invalid_grant" and
          (desc is None or desc in j.get("error_description", "")),
          r.describe())


def granted(label, r):
    ok = r.status == 200 and "access_token" in (r.json() or {})
    check("%s: 200 with an access_token" % label, ok, r.describe())
    return r.json() if ok else {}


def rows(table, code):
    return psql("SELECT count(*) FROM %s WHERE code_hash = "
                "sha256(convert_to(%s, 'UTF8'))" % (table, sql_str(code)))


def active(at):
    return get("/userinfo", [("Authorization", "Bearer " + at)]).status == 200


# ---- the code itself -----------------------------------------------------------

v, ch = pkce_pair()
code = new_code(nonce="n-" + secrets.token_hex(6), challenge=ch)
check("the code is base64url and shorter than 1 KiB",
      0 < len(code) < 1024 and all(c.isalnum() or c in "-_" for c in code),
      code)
check("a code flow writes no auth_code row at /authorize",
      rows("auth_code", code) == "0", rows("auth_code", code))
check("...and nothing in used_code before /token",
      rows("used_code", code) == "0")

# ---- errors write nothing --------------------------------------------------------

raw = bytearray(b64url_decode(code))
raw[len(raw) // 2] ^= 0x01
refused("one bit flipped", redeem(A, b64url(bytes(raw)), verifier=v))
refused("the last character changed",
        redeem(A, code[:-1] + ("A" if code[-1] != "A" else "B"),
               verifier=v))
refused("the code truncated", redeem(A, code[:-8], verifier=v))
refused("redeemed by another client", redeem(B, code, verifier=v),
        "another client")
refused("another redirect_uri", redeem(A, code, ruri=RURI2, verifier=v),
        "redirect_uri")
refused("without the PKCE verifier", redeem(A, code), "code_verifier")
refused("with a wrong PKCE verifier",
        redeem(A, code, verifier=pkce_pair()[0]), "code_verifier")
check("the refused attempts wrote nothing to used_code",
      rows("used_code", code) == "0")

# ---- single use and replay -------------------------------------------------------

j = granted("the code with its verifier after every refusal",
            redeem(A, code, verifier=v))
check("its hash is in used_code now", rows("used_code", code) == "1")
left = psql("SELECT extract(epoch FROM expires_at - now())::int FROM "
            "used_code WHERE code_hash = sha256(convert_to(%s, 'UTF8'))"
            % sql_str(code))
check("...kept for the code's life (code_ttl 600) plus the 300 s clock "
      "margin, no longer", left.lstrip("-").isdigit() and
      800 < int(left) <= 900, left)
check("the tokens are stored hashed, bound to the code's hash",
      psql("SELECT count(*) FROM token WHERE auth_code_hash = "
           "sha256(convert_to(%s, 'UTF8')) AND token_hash IN ("
           "sha256(convert_to(%s, 'UTF8')), sha256(convert_to(%s, 'UTF8')))"
           % (sql_str(code), sql_str(j.get("access_token", "")),
              sql_str(j.get("refresh_token", "")))) == "2", j)
check("the access token works", j and active(j["access_token"]))
refused("the code a second time", redeem(A, code, verifier=v))
check("...revoked the access token from the first redemption",
      j and not active(j["access_token"]))
r = token_request({"grant_type": "refresh_token",
                   "refresh_token": j.get("refresh_token", "x")}, auth=A)
refused("...and its refresh token", r)
refused("the code a second time by another client",
        redeem(B, code, verifier=v))

# Concurrent redemptions of one code: exactly one wins.
code = new_code()
res = [None] * 6


def race(i):
    res[i] = redeem(A, code)


ts = [threading.Thread(target=race, args=(i,)) for i in range(len(res))]
for t in ts:
    t.start()
for t in ts:
    t.join()
st = sorted(r.status for r in res)
check("six concurrent redemptions of one code: one 200, five 400", st ==
      [200] + [400] * 5, st)
win = [r.json() for r in res if r.status == 200]
check("...and the winner's access token is revoked by the losers",
      win and not active(win[0]["access_token"]))

# ---- the nonce rule ----------------------------------------------------------------

n = "n-" + secrets.token_hex(8)
c1 = new_code(nonce=n)
c2 = new_code(nonce=n)
j = granted("first of two codes with one nonce", redeem(A, c1))
check("...its ID Token carries the nonce",
      j and jwt_parts(j["id_token"])[1].get("nonce") == n)
refused("second code with the same nonce", redeem(A, c2), "nonce")
check("...issued no token", psql(
    "SELECT count(*) FROM token WHERE auth_code_hash = "
    "sha256(convert_to(%s, 'UTF8'))" % sql_str(c2)) == "0")
check("...and left the first grant alone", active(j["access_token"]))
c3 = new_code(cl=B, nonce=n)
granted("the same nonce at another client", redeem(B, c3))

# ---- a disabled user ---------------------------------------------------------------

code = new_code()
rc, out, err = ctl("user", "disable", USER)
check("oidcctl user disable", rc == 0, (rc, out, err))
refused("a disabled user's code", redeem(A, code))
rc, out, err = ctl("user", "enable", USER)
check("oidcctl user enable", rc == 0, (rc, out, err))
granted("...redeemable again once the user is enabled", redeem(A, code))

# ---- expiry: an authorize worker with code_ttl = 1 ------------------------------

with open(env("OIDC_CONFIG")) as f:
    text = f.read()
conf = os.path.join(private_dir("seal"), "oidc.conf")
with open(conf, "w") as f:
    f.write("\n".join("code_ttl = 1" if ln.startswith("code_ttl") else ln
                      for ln in text.splitlines()) + "\n")
os.chmod(conf, 0o644)
w = spawn("seal", "authorize", conf)
q = urllib.parse.urlencode({"response_type": "code", "client_id": A[0],
                            "redirect_uri": RURI, "scope": "openid",
                            "state": "exp"})
r = w.request(cgi_params("GET", "/authorize", q,
                         extra={"HTTP_COOKIE": JAR.header()}))
loc = r.header("Location") or "" if r is not None else ""
qs = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(loc).query))
check("code_ttl = 1: /authorize answers with a code", "code" in qs,
      r.describe() if r is not None else None)
time.sleep(2.5)
refused("a code past its code_ttl", redeem(A, qs.get("code", "x")),
        "expired")
w.stop()
check_log(w.log, "authorize (code_ttl = 1)")

# ---- purge -------------------------------------------------------------------------

psql("INSERT INTO used_code VALUES (sha256('old'), now() - interval '1 s'), "
     "(sha256('live'), now() + interval '1 hour')")
rc, out, err = ctl("purge")
check("oidcctl purge removes an expired used_code row, keeps a live one",
      rc == 0 and psql("SELECT string_agg(encode(code_hash, 'hex'), ',') "
                       "FROM used_code WHERE code_hash IN (sha256('old'), "
                       "sha256('live'))") ==
      psql("SELECT encode(sha256('live'), 'hex')"), (rc, out, err))

done()
