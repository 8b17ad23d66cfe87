#!/usr/bin/env python3
"""86-dpop-jkt: authorization codes bound to a DPoP key (RFC 9449 10,
10.1; issue 21 item 2).

dpop_jkt at /authorize (sealed codes) and in auth_code (stored codes), at
PAR as a parameter and as the PAR request's own DPoP proof, and both at
once; the token endpoint redeems a bound code only with a proof of that
key (invalid_grant otherwise).  Proofs come from lib/dpop.py
(python3-cryptography) and, for one whole flow, from openid-client and
jose (npm), which compute the thumbprint and sign the token request's
proofs themselves.  The harness config has dpop = yes, par = yes and
key_encryption_key (sealed codes, server nonces)."""
import json
import os
import subprocess

from oidctest import *
from flow import *
from grants import insert_code
import dpop

TOKEN_URL = ISSUER + "/token"
PAR_URL = ISSUER + "/par"
PW = "jkt " + unique("pw")
U = unique("jkt")
make_user(U, PW)
C = make_client(response_types=["code"], first_party=True)
KEY = dpop.Key()
OTHER = dpop.Key()
NONCE = [None]


def err_of(r):
    j = r.json() if r.content_type() == "application/json" else None
    return (j or {}).get("error")


def with_nonce(fn):
    """fn(nonce); once more with the server's nonce on use_dpop_nonce."""
    r = fn(NONCE[0])
    if r.header("DPoP-Nonce"):
        NONCE[0] = r.header("DPoP-Nonce")
    if err_of(r) == "use_dpop_nonce":
        r = fn(NONCE[0])
        if r.header("DPoP-Nonce"):
            NONCE[0] = r.header("DPoP-Nonce")
    return r


def token(code, key, verifier=None):
    """Redeem code with a proof of key (None: no DPoP header)."""
    form = {"grant_type": "authorization_code", "code": code,
            "redirect_uri": C["redirect_uris"][0]}
    if verifier:
        form["code_verifier"] = verifier
    if key is None:
        return post_form("/token", form, auth=(C["client_id"],
                                               C["client_secret"]))
    return with_nonce(lambda n: post_form(
        "/token", form, auth=(C["client_id"], C["client_secret"]),
        headers={"DPoP": dpop.proof(key, "POST", TOKEN_URL, nonce=n)}))


def code_via_authorize(params):
    d = run_flow(C, U, PW, dict(params, response_type="code"))
    return d.get("code"), d


def push(params, key=None, htu=PAR_URL):
    p = {"response_type": "code", "scope": "openid",
         "redirect_uri": C["redirect_uris"][0]}
    p.update(params)
    if key is None:
        return post_form("/par", p, auth=(C["client_id"],
                                          C["client_secret"]))
    return with_nonce(lambda n: post_form(
        "/par", p, auth=(C["client_id"], C["client_secret"]),
        headers={"DPoP": dpop.proof(key, "POST", htu, nonce=n)}))


def code_via_par(r):
    uri = (r.json() or {}).get("request_uri") if r.status == 201 else None
    if uri is None:
        return None
    d = run_flow(C, U, PW, {"request_uri": uri})
    return d.get("code")


def bound_rules(label, code, key):
    """A code bound to key: refused without a proof and with another
    key's, both leaving it redeemable; then redeemed with key's."""
    r = token(code, None)
    check("%s: no DPoP proof: 400 invalid_grant" % label,
          r.status == 400 and err_of(r) == "invalid_grant", r)
    r = token(code, OTHER)
    check("%s: another key's proof: 400 invalid_grant" % label,
          r.status == 400 and err_of(r) == "invalid_grant", r)
    r = token(code, key)
    j = r.json() or {}
    check("%s: the bound key's proof: 200, token_type DPoP" % label,
          r.status == 200 and j.get("token_type") == "DPoP", r)
    return j.get("access_token")


# ---- /authorize (sealed code) -----------------------------------------------
code, d = code_via_authorize({"dpop_jkt": KEY.thumbprint()})
check("authorize with dpop_jkt: a code", bool(code), d)
if code:
    bound_rules("authorize dpop_jkt (sealed code)", code, KEY)

code, d = code_via_authorize({"dpop_jkt": KEY.thumbprint()})
r = token(code or "x", KEY)
check("a bound code redeemed by its key at once: 200",
      r.status == 200, r)

code, d = code_via_authorize({})
r = token(code or "x", None)
check("a code without dpop_jkt still redeems without a proof (Bearer)",
      r.status == 200 and (r.json() or {}).get("token_type") == "Bearer", r)

tp = KEY.thumbprint()
for name, bad in (("42 characters", tp[:42]),
                  ("44 characters", tp + "A"),
                  ("a character outside base64url", "+" + tp[1:]),
                  ("stray bits in the last character",
                   tp[:42] + ("B" if tp[42] != "B" else "C")),
                  ("padded", tp + "=")):
    try:
        d = run_flow(C, U, PW, {"dpop_jkt": bad, "state": "s1",
                                "response_type": "code"})
    except FlowError as e:
        d = {"_flow_error": str(e)}
    check("authorize: malformed dpop_jkt (%s): invalid_request to the "
          "redirect_uri" % name, d.get("error") == "invalid_request" and
          "dpop_jkt" in (d.get("error_description") or "") and
          d.get("state") == "s1", d)

# ---- stored code (auth_code.dpop_jkt) ---------------------------------------
code = insert_code(C["client_id"], U, C["redirect_uris"][0], scope="openid")
psql("UPDATE auth_code SET dpop_jkt = '%s' WHERE code_hash = "
     "sha256(convert_to('%s', 'UTF8'))" % (KEY.thumbprint(), code))
bound_rules("stored code with dpop_jkt", code, KEY)

# ---- PAR ---------------------------------------------------------------------
r = push({"dpop_jkt": KEY.thumbprint()})
check("PAR with dpop_jkt: 201", r.status == 201, r)
code = code_via_par(r)
check("PAR dpop_jkt: a code", bool(code), r)
if code:
    bound_rules("PAR dpop_jkt", code, KEY)

r = push({}, key=KEY)
check("PAR with a DPoP proof (htu the PAR endpoint): 201", r.status == 201,
      r)
code = code_via_par(r)
if code:
    bound_rules("PAR DPoP header", code, KEY)
else:
    check("PAR DPoP header: a code", False, r)

r = push({"dpop_jkt": KEY.thumbprint()}, key=KEY)
code = code_via_par(r)
check("PAR with dpop_jkt and a proof of the same key: 201 and a code",
      r.status == 201 and bool(code), r)
r = token(code or "x", OTHER)
check("... that code is bound: another key's proof: invalid_grant",
      r.status == 400 and err_of(r) == "invalid_grant", r)

r = push({"dpop_jkt": OTHER.thumbprint()}, key=KEY)
check("PAR with dpop_jkt not the proof's key: 400 invalid_dpop_proof "
      "(RFC 9449 10.1)", r.status == 400 and
      err_of(r) == "invalid_dpop_proof", r)
r = push({"dpop_jkt": tp[:40]})
check("PAR with a malformed dpop_jkt: 400 invalid_request",
      r.status == 400 and err_of(r) == "invalid_request", r)
r = push({}, key=KEY, htu=TOKEN_URL)
check("PAR with a proof for another htu: 400 invalid_dpop_proof",
      r.status == 400 and err_of(r) == "invalid_dpop_proof", r)
r = push({}, key=None)
code = code_via_par(r)
r = token(code or "x", None)
check("PAR without either: the code is not bound (Bearer)",
      r.status == 200 and (r.json() or {}).get("token_type") == "Bearer", r)

# ---- openid-client + jose ------------------------------------------------------
RP = os.path.join(env("OIDC_ROOT"), "tests", "interop", "rp_openid_client")
if not os.path.isdir(os.path.join(RP, "node_modules", "openid-client")):
    p = subprocess.run(["npm", "ci", "--prefix", RP, "--no-audit",
                        "--no-fund"], capture_output=True, text=True,
                       timeout=300)
    check("npm ci in tests/interop/rp_openid_client", p.returncode == 0,
          p.stderr[-2000:])


def node(step, **kw):
    e = dict(os.environ, STEP=step, ISSUER=ISSUER,
             CLIENT_ID=C["client_id"], CLIENT_SECRET=C["client_secret"],
             REDIRECT_URI=C["redirect_uris"][0], **kw)
    p = subprocess.run(["node", os.path.join(RP, "dpop_jkt.js")],
                       capture_output=True, text=True, timeout=120, env=e)
    try:
        return p, json.loads(p.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return p, {}


verifier, challenge = pkce_pair()
p, out = node("push", CHALLENGE=challenge)
check("openid-client pushed a request with dpop_jkt computed by jose",
      p.returncode == 0 and out.get("request_uri") and out.get("jkt"),
      (p.stdout, p.stderr[-2000:]))
code = None
if out.get("request_uri"):
    d = run_flow(C, U, PW, {"request_uri": out["request_uri"]})
    code = d.get("code")
if code:
    other = OTHER.private_jwk()
    p2, o2 = node("redeem", CODE=code, VERIFIER=verifier,
                  KEY_JWK=json.dumps(dict(other, alg="ES256")))
    check("openid-client redeeming that code with another key: refused "
          "(invalid_grant)", p2.returncode != 0 and
          "invalid_grant" in p2.stderr, (p2.stdout, p2.stderr[-2000:]))
    p2, o2 = node("redeem", CODE=code, VERIFIER=verifier,
                  KEY_JWK=json.dumps(out["key"]))
    check("openid-client redeeming it with its key's proofs: token_type "
          "DPoP", p2.returncode == 0 and o2.get("token_type") == "DPoP",
          (p2.stdout, p2.stderr[-2000:]))
    at = o2.get("access_token") or "x"
    r = post_form("/introspect", {"token": at},
                  auth=(C["client_id"], C["client_secret"]))
    check("its access token is bound to jose's thumbprint (cnf.jkt)",
          ((r.json() or {}).get("cnf") or {}).get("jkt") == out["jkt"], r)
else:
    check("openid-client flow: a code for the pushed request", False, out)

done()
