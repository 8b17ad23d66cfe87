#!/usr/bin/env python3
"""34-jwt-access-token: RFC 9068 JWT access tokens (issue 21 item 3,
oidc/access_token.h), checked by an independent implementation (npm's
jose, tests/interop/rp_openid_client/at_jwt.js).

The test stack keeps access_token_format = opaque (the default); clients
choose jwt with their "access_token_format" metadata member.  Our own
endpoints (UserInfo, introspection, revocation) take a JWT access token,
verify it and find its row by jti: a revoked one is refused there, while
a third-party verifier still accepts it until exp (the documented
limit)."""
import json
import os
import shutil
import subprocess

from oidctest import *
from grants import *
import dpop
import flow

ROOT = env("OIDC_ROOT")
RP = os.path.join(ROOT, "tests", "interop", "rp_openid_client")
RURI = "https://rp.example/cb"
TOKEN_URL = ISSUER + "/token"
UI_URL = ISSUER + "/userinfo"
AUD = ISSUER + "/userinfo"

node = shutil.which("node")
if not node:
    check("jose checker: node installed (make deps)", False)
    done()
if not os.path.isdir(os.path.join(RP, "node_modules", "jose")):
    p = subprocess.run(["npm", "ci", "--prefix", RP, "--no-audit",
                        "--no-fund"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=90 * MULT)
    if p.returncode != 0:
        check("jose checker: npm ci", False, p.stdout[-300:])
        done()

JWKS = get("/jwks").body.decode()


def jose_verify(tok, aud=AUD):
    e = dict(os.environ, AT_TOKEN=tok, AT_JWKS=JWKS, AT_ISSUER=ISSUER,
             AT_AUDIENCE=aud)
    p = subprocess.run([node, os.path.join(RP, "at_jwt.js")], env=e,
                       cwd=RP, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30 * MULT)
    try:
        return json.loads(p.stdout.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"ok": False, "error": p.stderr.decode()[-300:]}


USER = unique("at-user")
create_user(USER, "pw-" + unique("x"), {"name": "A. T. Jwt"})
SUB = user_sub(USER)


def new_client(label, fmt=None, grants=None):
    m = {"client_name": label, "redirect_uris": [RURI],
         "grant_types": grants or ["authorization_code", "refresh_token"],
         "scope": "openid profile offline_access api"}
    if fmt is not None:
        m["access_token_format"] = fmt
    c = create_client(m)
    return c["client_id"], c["client_secret"]


JWTC = new_client("at-jwt", "jwt", ["authorization_code", "refresh_token",
                                    "client_credentials"])
OPQ = new_client("at-opaque", "opaque")
DEF = new_client("at-default")


def redeem(client, scope="openid profile offline_access", headers=None):
    code = insert_code(client[0], USER, RURI, scope=scope)
    return token_request({"grant_type": "authorization_code", "code": code,
                          "redirect_uri": RURI}, auth=client,
                         headers=headers)


def userinfo(tok, scheme="Bearer"):
    return get("/userinfo", {"Authorization": scheme + " " + tok})


def introspect(tok, client=JWTC):
    return post_form("/introspect", {"token": tok},
                     headers=[("Authorization",
                               basic_auth_header(*client))]).json() or {}


def err_of(r):
    return (r.json() or {}).get("error") if r.content_type() == \
        "application/json" else None


# ---- metadata --------------------------------------------------------------
rc, out, err = ctl("client", "create", stdin=json.dumps(
    {"redirect_uris": [RURI], "access_token_format": "paseto"}))
check("client metadata access_token_format other than opaque|jwt: refused",
      rc != 0 and "access_token_format" in err, (rc, err))

# ---- opaque stays opaque -----------------------------------------------------
for name, c in (("default", DEF), ("opaque", OPQ)):
    r = redeem(c)
    at = (r.json() or {}).get("access_token", "")
    check("a client with %s format gets an opaque access token" % name,
          r.status == 200 and "." not in at and len(at) > 20, r)

# ---- code grant: a JWT that jose accepts --------------------------------------
r = redeem(JWTC)
j = r.json() or {}
AT = j.get("access_token", "")
RT = j.get("refresh_token")
check("code grant, jwt client: 200 with a compact JWS access token",
      r.status == 200 and AT.count(".") == 2 and
      j.get("token_type") == "Bearer", r)
v = jose_verify(AT)
check("jose verifies the signature, typ at+jwt, iss, aud, RS256",
      v.get("ok") and v["header"].get("typ") == "at+jwt" and
      v["header"].get("alg") == "RS256" and v["header"].get("kid"), v)
p = v.get("payload", {})
check("claims: sub, client_id, scope, jti, exp - iat = expires_in, "
      "auth_time", p.get("sub") == SUB and p.get("client_id") == JWTC[0] and
      p.get("scope") == "openid profile offline_access" and
      len(p.get("jti", "")) == 43 and
      p.get("exp", 0) - p.get("iat", 0) == j.get("expires_in") and
      isinstance(p.get("auth_time"), int) and "cnf" not in p, p)
check("jose refuses another audience", not jose_verify(
    AT, aud="https://other.example/api").get("ok"))
idt = j.get("id_token")
if idt:
    _, idp, _, _ = jwt_parts(idt)
    check("the ID Token's at_hash is over the JWT handed out",
          idp.get("at_hash") == at_hash(AT), idp)
else:
    check("the ID Token's at_hash is over the JWT handed out", False, j)

# ---- our own endpoints take it ------------------------------------------------
r = userinfo(AT)
check("UserInfo with the JWT access token: 200, its sub",
      r.status == 200 and (r.json() or {}).get("sub") == SUB, r)
ij = introspect(AT)
check("introspection of the JWT: active, same scope and client",
      ij.get("active") is True and ij.get("client_id") == JWTC[0] and
      ij.get("scope") == "openid profile offline_access", ij)

# ---- forgeries ------------------------------------------------------------------
h, pl, sig = AT.split(".")
bad_sig = h + "." + pl + "." + ("A" if sig[0] != "A" else "B") + sig[1:]
r = userinfo(bad_sig)
check("alg_confusion/tamper: a JWT with a broken signature: 401 "
      "invalid_token", r.status == 401 and err_of(r) == "invalid_token", r)
check("introspection of the broken JWT: active false",
      introspect(bad_sig).get("active") is False)
none_hdr = b64url(json.dumps({"alg": "none", "typ": "at+jwt"}).encode())
r = userinfo(none_hdr + "." + pl + ".")
check("alg_none: an unsigned copy of the claims: 401 invalid_token",
      r.status == 401 and err_of(r) == "invalid_token", r)
r = userinfo(p.get("jti", "x"))
check("the jti alone as a bearer token: 401 invalid_token",
      r.status == 401 and err_of(r) == "invalid_token", r)
# An ID Token (typ absent) is signed by the same key: never an access token.
if idt:
    r = userinfo(idt)
    check("token_confusion: an ID Token as access token: 401",
          r.status == 401 and err_of(r) == "invalid_token", r)

# ---- refresh and client_credentials ------------------------------------------------
r = token_request({"grant_type": "refresh_token", "refresh_token": RT or "x"},
                  auth=JWTC)
AT2 = (r.json() or {}).get("access_token", "")
v2 = jose_verify(AT2)
check("refresh: a new JWT access token with a new jti",
      r.status == 200 and v2.get("ok") and
      v2["payload"].get("jti") != p.get("jti") and
      v2["payload"].get("sub") == SUB, (r, v2))
r = token_request({"grant_type": "client_credentials", "scope": "api"},
                  auth=JWTC)
ATC = (r.json() or {}).get("access_token", "")
vc = jose_verify(ATC)
check("client_credentials: a JWT whose sub is the client_id, no auth_time",
      r.status == 200 and vc.get("ok") and
      vc["payload"].get("sub") == JWTC[0] and
      vc["payload"].get("scope") == "api" and
      "auth_time" not in vc["payload"], (r, vc))
check("introspection of the client_credentials JWT: active",
      introspect(ATC).get("active") is True)

# ---- revocation: the deny-list by jti ------------------------------------------------
r = post_form("/revoke", {"token": AT2, "token_type_hint": "access_token"},
              headers=[("Authorization", basic_auth_header(*JWTC))])
check("revoking the JWT access token: 200", r.status == 200, r)
r = userinfo(AT2)
check("a revoked JWT access token at UserInfo: 401 invalid_token",
      r.status == 401 and err_of(r) == "invalid_token", r)
check("a revoked JWT access token at introspection: active false",
      introspect(AT2).get("active") is False)
check("a third-party verifier (jose) still accepts the revoked JWT until "
      "exp (the documented limit)", jose_verify(AT2).get("ok") is True)

# ---- implicit / hybrid: the fragment's access token -------------------------
PW = "pw-" + unique("y")
IUSER = unique("at-imp")
create_user(IUSER, PW, {"name": "I. Mplicit"})
IC = flow.make_client(response_types=["id_token token", "code id_token token"],
                      access_token_format="jwt", first_party=True)
for rt in ("id_token token", "code id_token token"):
    nonce = flow.new_nonce()
    d = flow.run_flow(IC, IUSER, PW, {"response_type": rt,
                                      "scope": "openid profile",
                                      "nonce": nonce})
    at = d.get("access_token", "")
    vi = jose_verify(at)
    _, idp, _, _ = jwt_parts(d.get("id_token", "x.e30.x")) \
        if d.get("id_token") else ({}, {}, b"", b"")
    check("%s: the fragment's access token is a JWT (jose), the ID "
          "Token's at_hash is over it" % rt, vi.get("ok") and
          vi["payload"].get("client_id") == IC["client_id"] and
          vi["payload"].get("sub") == user_sub(IUSER) and
          idp.get("at_hash") == at_hash(at), (d, vi))
    r = userinfo(at)
    check("%s: UserInfo with it: 200" % rt, r.status == 200, r)

# ---- DPoP-bound: cnf.jkt ------------------------------------------------------------
KEY = dpop.Key()
NONCE = [None]


def with_nonce(fn):
    r = fn(NONCE[0])
    if r.header("DPoP-Nonce"):
        NONCE[0] = r.header("DPoP-Nonce")
    if err_of(r) == "use_dpop_nonce":
        r = fn(NONCE[0])
    return r


r = with_nonce(lambda n: redeem(JWTC, headers={"DPoP": dpop.proof(
    KEY, "POST", TOKEN_URL, nonce=n)}))
j = r.json() or {}
ATD = j.get("access_token", "")
vd = jose_verify(ATD)
check("DPoP-bound: token_type DPoP, cnf.jkt is the proof key's thumbprint",
      r.status == 200 and j.get("token_type") == "DPoP" and vd.get("ok") and
      (vd["payload"].get("cnf") or {}).get("jkt") == KEY.thumbprint(),
      (r, vd))
r = with_nonce(lambda n: get("/userinfo", {
    "Authorization": "DPoP " + ATD,
    "DPoP": dpop.proof(KEY, "GET", UI_URL, token=ATD, nonce=n)}))
check("UserInfo with the bound JWT under DPoP (ath over the JWT): 200",
      r.status == 200, r)
r = userinfo(ATD)
check("the bound JWT under Bearer: 401", r.status == 401, r)

done()
