#!/usr/bin/env python3
"""33-dpop: DPoP (RFC 9449, issue 21 item 2) against proofs built by an
independent implementation (lib/dpop.py, python3-cryptography).

The stack runs with dpop = yes, key_encryption_key set and the default
dpop_nonce_lifetime (300): every proof needs a server nonce.  Codes are
written straight into auth_code (grants.insert_code)."""
import hashlib
import json
import os
import subprocess
import time

from oidctest import *
from grants import *
import dpop

RURI = "https://rp.example/cb"
TOKEN_URL = ISSUER + "/token"
UI_URL = ISSUER + "/userinfo"

USER = unique("dp-user")
create_user(USER, "pw-" + unique("x"), {"name": "D. Pop"})


def new_client(label, public=False):
    m = {"client_name": label, "redirect_uris": [RURI],
         "grant_types": ["authorization_code", "refresh_token"]}
    if public:
        m["token_endpoint_auth_method"] = "none"
    c = create_client(m)
    return c["client_id"], c.get("client_secret")


CONF = new_client("dp-conf")
PUB = new_client("dp-pub", public=True)
KEY = dpop.Key()
NONCE = [None]


def err_of(r):
    return (r.json() or {}).get("error") if r.content_type() == \
        "application/json" else None


def token_call(params, client, proof):
    cid, sec = client
    h = {"DPoP": proof} if proof is not None else {}
    if sec is None:
        params = dict(params, client_id=cid)
        return token_request(params, headers=h)
    return token_request(params, auth=(cid, sec), headers=h)


def code_params(client):
    code = insert_code(client[0], USER, RURI,
                       scope="openid profile offline_access")
    return {"grant_type": "authorization_code", "code": code,
            "redirect_uri": RURI}


def with_nonce(fn):
    """Call fn(nonce); on use_dpop_nonce, once more with the new nonce."""
    r = fn(NONCE[0])
    if r.header("DPoP-Nonce"):
        NONCE[0] = r.header("DPoP-Nonce")
    if err_of(r) == "use_dpop_nonce":
        r = fn(NONCE[0])
        if r.header("DPoP-Nonce"):
            NONCE[0] = r.header("DPoP-Nonce")
    return r


# ---- discovery ------------------------------------------------------------
d = get("/.well-known/openid-configuration").json() or {}
algs = d.get("dpop_signing_alg_values_supported") or []
check("discovery advertises dpop_signing_alg_values_supported, asymmetric "
      "only", "ES256" in algs and "EdDSA" in algs and
      not any(a.startswith("HS") for a in algs) and "none" not in algs, algs)

# ---- nonce ----------------------------------------------------------------
r = token_call(code_params(CONF), CONF, dpop.proof(KEY, "POST", TOKEN_URL))
check("a proof without a nonce: 400 use_dpop_nonce with a DPoP-Nonce header",
      r.status == 400 and err_of(r) == "use_dpop_nonce" and
      len(r.header("DPoP-Nonce") or "") > 0, r)
NONCE[0] = r.header("DPoP-Nonce")
r = token_call(code_params(CONF), CONF, dpop.proof(
    KEY, "POST", TOKEN_URL, nonce="AAAAAAAAAAAAAAAAAAAAAA"))
check("a forged nonce: use_dpop_nonce", err_of(r) == "use_dpop_nonce", r)

# ---- confidential client: bound access token -------------------------------
r = with_nonce(lambda n: token_call(code_params(CONF), CONF, dpop.proof(
    KEY, "POST", TOKEN_URL, nonce=n)))
j = r.json() or {}
check("code grant with a proof: 200, token_type DPoP",
      r.status == 200 and j.get("token_type") == "DPoP", r)
AT = j.get("access_token", "x")
RT = j.get("refresh_token")
jkt = psql("SELECT dpop_jkt FROM token WHERE token_hash = "
           "decode('%s', 'hex')" % token_sha256_hex(AT)).strip()
check("the access token row holds the proof key's RFC 7638 thumbprint",
      jkt == KEY.thumbprint(), (jkt, KEY.thumbprint()))
if RT:
    rj = psql("SELECT coalesce(dpop_jkt, 'NULL') FROM token WHERE "
              "token_hash = decode('%s', 'hex')" % token_sha256_hex(RT))
    check("a confidential client's refresh token is not bound",
          rj.strip() == "NULL", rj)


def ui(scheme, token, proof):
    h = {"Authorization": scheme + " " + token}
    if proof is not None:
        h["DPoP"] = proof
    return get("/userinfo", h)


r = with_nonce(lambda n: ui("DPoP", AT, dpop.proof(
    KEY, "GET", UI_URL, token=AT, nonce=n)))
check("UserInfo with the DPoP scheme, ath and the bound key: 200",
      r.status == 200 and (r.json() or {}).get("sub"), r)

r = ui("Bearer", AT, None)
check("bound token under the Bearer scheme: 401 invalid_token, DPoP "
      "challenge", r.status == 401 and err_of(r) == "invalid_token" and
      (r.header("WWW-Authenticate") or "").startswith("DPoP "), r)


def ui_bad(name, proof_fn, want="invalid_dpop_proof"):
    r = with_nonce(lambda n: ui("DPoP", AT, proof_fn(n)))
    check("%s: 401 %s with a DPoP challenge" % (name, want),
          r.status == 401 and err_of(r) == want and
          ('error="%s"' % want) in (r.header("WWW-Authenticate") or "") and
          (r.header("WWW-Authenticate") or "").startswith("DPoP "), r)


ui_bad("no proof", lambda n: None)
ui_bad("ath mismatch", lambda n: dpop.proof(KEY, "GET", UI_URL,
                                            token="other", nonce=n))
ui_bad("ath missing", lambda n: dpop.proof(KEY, "GET", UI_URL, nonce=n))
ui_bad("proof key is not the bound key", lambda n: dpop.proof(
    dpop.Key(), "GET", UI_URL, token=AT, nonce=n))
ui_bad("wrong htm", lambda n: dpop.proof(KEY, "POST", UI_URL, token=AT,
                                         nonce=n))
ui_bad("wrong htu", lambda n: dpop.proof(KEY, "GET", TOKEN_URL, token=AT,
                                         nonce=n))
p = dpop.proof(KEY, "GET", UI_URL, token=AT, nonce=NONCE[0])
r1 = ui("DPoP", AT, p)
r2 = ui("DPoP", AT, p)
check("replayed proof at UserInfo: first 200, then 401 invalid_dpop_proof",
      r1.status == 200 and r2.status == 401 and
      err_of(r2) == "invalid_dpop_proof", (r1, r2))


# ---- proof rules at /token ----------------------------------------------------
def token_bad(name, proof_fn, want="invalid_dpop_proof"):
    r = with_nonce(lambda n: token_call(code_params(CONF), CONF,
                                        proof_fn(n)))
    check("/token %s: 400 %s" % (name, want),
          r.status == 400 and err_of(r) == want, r)


token_bad("wrong htm", lambda n: dpop.proof(KEY, "GET", TOKEN_URL, nonce=n))
token_bad("wrong htu", lambda n: dpop.proof(KEY, "POST", ISSUER + "/other",
                                            nonce=n))
token_bad("iat too old", lambda n: dpop.proof(
    KEY, "POST", TOKEN_URL, nonce=n, iat=int(time.time()) - 3600))
token_bad("iat in the future", lambda n: dpop.proof(
    KEY, "POST", TOKEN_URL, nonce=n, iat=int(time.time()) + 3600))
token_bad("typ not dpop+jwt", lambda n: dpop.proof(
    KEY, "POST", TOKEN_URL, nonce=n, header={"typ": "JWT"}))
token_bad("alg none", lambda n: dpop.compact(
    {"typ": "dpop+jwt", "alg": "none", "jwk": KEY.jwk},
    {"jti": unique("j"), "htm": "POST", "htu": TOKEN_URL,
     "iat": int(time.time()), "nonce": n}, None))
token_bad("alg HS256", lambda n: dpop.proof(
    KEY, "POST", TOKEN_URL, nonce=n, header={"alg": "HS256"}))
token_bad("jwk missing", lambda n: dpop.proof(
    KEY, "POST", TOKEN_URL, nonce=n, header={"jwk": None}))
token_bad("jwk with its private part", lambda n: dpop.proof(
    KEY, "POST", TOKEN_URL, nonce=n, header={"jwk": KEY.private_jwk()}))
token_bad("signed by another key", lambda n: dpop.proof(
    KEY, "POST", TOKEN_URL, nonce=n, signer=dpop.Key()))
p = dpop.proof(KEY, "POST", TOKEN_URL, nonce=NONCE[0])
r1 = token_call(code_params(CONF), CONF, p)
r2 = token_call(code_params(CONF), CONF, p)
check("replayed proof at /token: 200 then 400 invalid_dpop_proof",
      r1.status == 200 and r2.status == 400 and
      err_of(r2) == "invalid_dpop_proof", (r1, r2))

# ---- introspection shows cnf.jkt ------------------------------------------
r = post_form("/introspect", {"token": AT}, auth=CONF)
j = r.json() or {}
check("introspection of the bound token: active, token_type DPoP, "
      "cnf.jkt", j.get("active") is True and j.get("token_type") == "DPoP"
      and (j.get("cnf") or {}).get("jkt") == KEY.thumbprint(), r)

# ---- public client: refresh token bound -------------------------------------
ED = dpop.Key("Ed25519")
r = with_nonce(lambda n: token_call(code_params(PUB), PUB, dpop.proof(
    ED, "POST", TOKEN_URL, nonce=n)))
j = r.json() or {}
check("public client, EdDSA proof: 200 DPoP with a refresh token",
      r.status == 200 and j.get("token_type") == "DPoP" and
      j.get("refresh_token"), r)
PRT = j.get("refresh_token", "x")
rj = psql("SELECT coalesce(dpop_jkt, 'NULL') FROM token WHERE "
          "token_hash = decode('%s', 'hex')" % token_sha256_hex(PRT))
check("the public client's refresh token is bound to the key",
      rj.strip() == ED.thumbprint(), rj)
rparams = {"grant_type": "refresh_token", "refresh_token": PRT}
r = token_call(rparams, PUB, None)
check("bound refresh token without a proof: 400 invalid_grant",
      r.status == 400 and err_of(r) == "invalid_grant", r)
r = with_nonce(lambda n: token_call(rparams, PUB, dpop.proof(
    dpop.Key(), "POST", TOKEN_URL, nonce=n)))
check("bound refresh token with another key's proof: 400 "
      "invalid_dpop_proof", r.status == 400 and
      err_of(r) == "invalid_dpop_proof", r)
r = with_nonce(lambda n: token_call(rparams, PUB, dpop.proof(
    ED, "POST", TOKEN_URL, nonce=n)))
j = r.json() or {}
check("bound refresh token with its key's proof: 200 DPoP, still usable "
      "after the refused attempts", r.status == 200 and
      j.get("token_type") == "DPoP", r)

# ---- without a proof: Bearer, unchanged ---------------------------------------
r = token_call(code_params(CONF), CONF, None)
j = r.json() or {}
check("no DPoP header: token_type Bearer", r.status == 200 and
      j.get("token_type") == "Bearer", r)
BT = j.get("access_token", "x")
r = with_nonce(lambda n: ui("DPoP", BT, dpop.proof(
    KEY, "GET", UI_URL, token=BT, nonce=n)))
check("a Bearer token under the DPoP scheme: 401 invalid_token",
      r.status == 401 and err_of(r) == "invalid_token", r)
r = ui("Bearer", BT, None)
check("a Bearer token under Bearer: 200", r.status == 200, r)

# RFC 9449 7.1: no token at all: a Bearer and a DPoP challenge (with algs).
r = get("/userinfo")
chals = r.headers.get_all("WWW-Authenticate") or []
check("UserInfo without a token: 401 with a Bearer and a DPoP algs "
      "challenge", r.status == 401 and
      any(c.startswith("Bearer realm=") for c in chals) and
      any(c.startswith('DPoP algs="') and "ES256" in c for c in chals),
      (r, chals))

# ---- browser clients: CORS ---------------------------------------------------
r = request("OPTIONS", "/token", None, {
    "Origin": "https://rp.example",
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "dpop, content-type"})
check("CORS preflight allows the DPoP request header",
      "dpop" in (r.header("Access-Control-Allow-Headers") or "").lower(), r)
r = with_nonce(lambda n: token_request(
    dict(code_params(PUB), client_id=PUB[0]),
    headers={"DPoP": dpop.proof(ED, "POST", TOKEN_URL, nonce=n),
             "Origin": "https://rp.example"}))
check("a CORS token response exposes DPoP-Nonce",
      r.status == 200 and "DPoP-Nonce" in
      (r.header("Access-Control-Expose-Headers") or ""), r)
# RFC 9449 8: browser code must read the use_dpop_nonce error and its
# DPoP-Nonce, so the error keeps the CORS headers of its (allowed) origin.
r = token_request(dict(code_params(PUB), client_id=PUB[0]),
                  headers={"DPoP": dpop.proof(ED, "POST", TOKEN_URL),
                           "Origin": "https://rp.example"})
check("a CORS use_dpop_nonce error: allowed origin, DPoP-Nonce exposed",
      err_of(r) == "use_dpop_nonce" and r.header("DPoP-Nonce") and
      r.header("Access-Control-Allow-Origin") == "https://rp.example" and
      "DPoP-Nonce" in (r.header("Access-Control-Expose-Headers") or ""), r)
r = token_request({"grant_type": "authorization_code", "code": "nope",
                   "redirect_uri": RURI, "client_id": PUB[0]},
                  headers={"Origin": "https://rp.example"})
check("a CORS invalid_grant error is readable by its origin too",
      err_of(r) == "invalid_grant" and
      r.header("Access-Control-Allow-Origin") == "https://rp.example", r)
r = token_request({"grant_type": "authorization_code", "code": "nope",
                   "redirect_uri": RURI, "client_id": PUB[0]},
                  headers={"Origin": "https://evil.example"})
check("... but not by an origin the client did not register",
      r.header("Access-Control-Allow-Origin") is None, r)

# ---- an independent client: openid-client (npm) ----------------------------
RP = os.path.join(env("OIDC_ROOT"), "tests", "interop", "rp_openid_client")
if not os.path.isdir(os.path.join(RP, "node_modules", "openid-client")):
    p = subprocess.run(["npm", "ci", "--prefix", RP, "--no-audit",
                        "--no-fund"], capture_output=True, text=True,
                       timeout=300)
    check("npm ci in tests/interop/rp_openid_client", p.returncode == 0,
          p.stderr[-2000:])
OC = new_client("dp-openid-client")
p = subprocess.run(["node", os.path.join(RP, "dpop.js")],
                   capture_output=True, text=True, timeout=120,
                   env=dict(os.environ, ISSUER=ISSUER, CLIENT_ID=OC[0],
                            CLIENT_SECRET=OC[1], REDIRECT_URI=RURI,
                            CODE=code_params(OC)["code"]))
try:
    oc = json.loads(p.stdout.strip().splitlines()[-1])
except (ValueError, IndexError):
    oc = {}
check("openid-client: code redeemed with its DPoP proof (nonce retried by "
      "the library): token_type DPoP", p.returncode == 0 and
      oc.get("token_type") == "DPoP", (p.stdout, p.stderr[-2000:]))
check("openid-client: UserInfo with DPoP before and after a DPoP refresh",
      oc.get("sub") and oc.get("sub") == oc.get("sub2") and
      oc.get("refreshed_type") == "DPoP", oc)
if oc.get("jwk"):
    canon = json.dumps({k: oc["jwk"][k] for k in ("crv", "kty", "x", "y")},
                       sort_keys=True, separators=(",", ":"))
    tp = dpop.b64(hashlib.sha256(canon.encode()).digest())
    r = post_form("/introspect", {"token": oc["access_token"]}, auth=OC)
    check("openid-client's token is bound to its key (introspection "
          "cnf.jkt = the RFC 7638 thumbprint computed here)",
          ((r.json() or {}).get("cnf") or {}).get("jkt") == tp, (r, tp))

# ---- the replay table is purged --------------------------------------------
psql("UPDATE dpop_jti SET expires_at = now() - interval '1 minute'")
rc, out, errout = ctl("purge")
n = psql("SELECT count(*) FROM dpop_jti").strip()
check("oidcctl purge empties expired dpop_jti rows", rc == 0 and n == "0",
      (rc, out, errout, n))

done()
