#!/usr/bin/env python3
"""41-all-algs: every signing algorithm the provider holds a key for works
end to end (issue 17 items 3 and 4; RFC 9864 "Ed25519" and "Ed448").

`oidcctl key generate --activate-now` adds a database key for every
asymmetric JWS algorithm (RS*, PS*, ES*, EdDSA, Ed25519, Ed448).  Then, per
algorithm, a client registered at /register (RFC 7591) with
id_token_signed_response_alg, userinfo_signed_response_alg,
request_object_signing_alg and token_endpoint_auth_signing_alg all set to
it, private_key_jwt and its own key of that algorithm:

  - sends its authorization request as a request object signed by
    python3-jwcrypto (we verify their signature);
  - logs a user in, consents, redeems the code with a client assertion
    signed by jwcrypto (we verify again);
  - gets an ID Token whose alg is the client's, whose kid names a /jwks key
    published with that alg, and which jwcrypto verifies with that
    published key (nonce, aud, at_hash with the alg's hash);
  - gets signed UserInfo (application/jwt) in the same alg, verified the
    same way.

Discovery lists an algorithm for ID Tokens and UserInfo only while a key
for it is active, and always for what we verify (client assertions,
request objects).  jwcrypto 1.1.0 (Debian 12) predates RFC 9864:
lib/jwcrypto_rfc9864.py registers the two names over its own EdDSA code.

The test deletes its keys at the end and waits until every worker dropped
them, so later tests see the harness's file keys only.
"""
import json
import os
import secrets
import subprocess
import sys
import time

try:
    from jwcrypto import jwk, jws
    import jwcrypto_rfc9864  # noqa: F401 - registers Ed25519 / Ed448
except ImportError:
    # A pyenv or venv python3 may lack Debian's package: use the system one
    # (the environment, PYTHONPATH included, goes along).
    if sys.executable != "/usr/bin/python3" and os.path.exists(
            "/usr/bin/python3") and subprocess.run(
            ["/usr/bin/python3", "-c", "import jwcrypto"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL).returncode == 0:
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    jwk = None

from oidctest import (ISSUER, MULT, check, create_client, create_user,
                      ctl_json, done, env, get, post_form, psql, request,
                      unique, wait_until)
from flow import (FlowError, b64url_decode, half_hash, pkce_pair,
                  run_flow)
from grants import insert_code

ALGS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
        "ES256", "ES384", "ES512", "EdDSA", "Ed25519", "Ed448"]
CRV = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521",
       "EdDSA": "Ed25519", "Ed25519": "Ed25519", "Ed448": "Ed448"}
INITIAL = env("OIDC_REG_INITIAL_TOKEN")
RP = "https://rp.example/all-algs/cb"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
WAIT = 10 * MULT

if not check("every algorithm end to end: python3-jwcrypto importable "
             "(apt-get install python3-jwcrypto)", jwk is not None):
    done()


def client_key(alg, kid):
    """A fresh jwcrypto key for alg: (private JWK object, public JWK dict
    pinned to alg)."""
    if alg[:2] in ("RS", "PS"):
        k = jwk.JWK.generate(kty="RSA", size=2048)
    elif alg.startswith("ES"):
        k = jwk.JWK.generate(kty="EC", crv=CRV[alg])
    else:
        k = jwk.JWK.generate(kty="OKP", crv=CRV[alg])
    pub = json.loads(k.export(private_key=False))
    pub.update({"kid": kid, "alg": alg, "use": "sig"})
    return k, pub


def jwc_sign(key, alg, kid, claims):
    s = jws.JWS(json.dumps(claims).encode())
    s.add_signature(key, None, json.dumps({"alg": alg, "kid": kid}))
    return s.serialize(compact=True)


def jwc_verify(token, alg, published):
    """Verify token with jwcrypto against the /jwks key its kid names;
    (claims or None, why)."""
    try:
        hdr = json.loads(b64url_decode(token.split(".")[0]))
    except (ValueError, IndexError) as e:
        return None, "malformed: %r" % e
    if hdr.get("alg") != alg:
        return None, "header alg %r, want %s" % (hdr.get("alg"), alg)
    k = next((k for k in published if k.get("kid") == hdr.get("kid")), None)
    if k is None:
        return None, "kid %r not in /jwks" % hdr.get("kid")
    if k.get("alg") != alg:
        return None, "/jwks key %s has alg %r" % (k.get("kid"), k.get("alg"))
    try:
        s = jws.JWS()
        s.deserialize(token)
        s.verify(jwk.JWK(**k), alg=alg)
        return json.loads(s.payload), "ok"
    except Exception as e:  # noqa: BLE001 - report any verifier failure
        return None, "jwcrypto: %r" % e


def jwks():
    r = get("/jwks")
    return (r.json() or {}).get("keys", []) if r.status == 200 else []


def disco():
    return get("/.well-known/openid-configuration").json() or {}


def register(alg, pub):
    r = request("POST", "/register", json.dumps({
        "redirect_uris": [RP], "client_name": "all algs " + alg,
        "response_types": ["code"], "grant_types": ["authorization_code"],
        "token_endpoint_auth_method": "private_key_jwt",
        "token_endpoint_auth_signing_alg": alg,
        "request_object_signing_alg": alg,
        "id_token_signed_response_alg": alg,
        "userinfo_signed_response_alg": alg,
        "jwks": {"keys": [pub]}, "scope": "openid email"}),
        [("Authorization", "Bearer " + INITIAL),
         ("Content-Type", "application/json")])
    return r, (r.json() or {})


# ---- before: discovery lists what we verify, and signs with what we hold ----

d = disco()
for member in ("token_endpoint_auth_signing_alg_values_supported",
               "request_object_signing_alg_values_supported"):
    check("discovery %s lists Ed25519 and Ed448 (we verify them with no "
          "key of ours)" % member,
          {"Ed25519", "Ed448"} <= set(d.get(member) or []), d.get(member))
for member in ("id_token_signing_alg_values_supported",
               "userinfo_signing_alg_values_supported"):
    check("before: discovery %s has no EdDSA, Ed25519 or Ed448 (no key)"
          % member, not ({"EdDSA", "Ed25519", "Ed448"} &
                         set(d.get(member) or [])), d.get(member))

# ---- a key for every algorithm ---------------------------------------------

ours = {}
for alg in ALGS:
    rc, k, err = ctl_json("key", "generate", "--alg", alg, "--activate-now")
    ok = rc == 0 and isinstance(k, dict) and k.get("alg") == alg and \
        k.get("state") == "active"
    check("oidcctl key generate --alg %s --activate-now" % alg, ok,
          (rc, k, err))
    if ok:
        ours[alg] = k["kid"]

check("every new kid is in /jwks with its alg",
      wait_until(lambda: all(
          any(j.get("kid") == kid and j.get("alg") == alg for j in jwks())
          for alg, kid in ours.items()), WAIT), jwks())
published = jwks()
for alg in ("EdDSA", "Ed25519", "Ed448"):
    j = next((j for j in published if j.get("kid") == ours.get(alg)), {})
    check("/jwks %s key: kty OKP, crv %s, alg %s, no d" % (alg, CRV[alg],
                                                           alg),
          j.get("kty") == "OKP" and j.get("crv") == CRV[alg] and
          j.get("alg") == alg and "d" not in j, j)
for member in ("id_token_signing_alg_values_supported",
               "userinfo_signing_alg_values_supported"):
    check("discovery %s lists every algorithm once its key is active"
          % member, wait_until(lambda: set(ALGS) <= set(
              disco().get(member) or []), WAIT), disco().get(member))

# ---- one registered client per algorithm, the whole loop --------------------

user, pw = unique("allalgs"), "all-algs-password-1"
create_user(user, pw, {"email": "aa@example.com", "email_verified": True})
sub = psql("SELECT sub FROM app_user WHERE username = '%s'" % user)


def one_alg(alg):
    ckey, pub = client_key(alg, "rp-" + alg)
    r, c = register(alg, pub)
    if not check("%s: a private_key_jwt client registers with every *_alg "
                 "%s" % (alg, alg), r.status == 201 and
                 c.get("id_token_signed_response_alg") == alg and
                 c.get("userinfo_signed_response_alg") == alg, r):
        return
    cid = c["client_id"]
    now = int(time.time())
    nonce, state = secrets.token_urlsafe(12), secrets.token_urlsafe(8)
    verifier, challenge = pkce_pair()
    ro = jwc_sign(ckey, alg, pub["kid"], {
        "iss": cid, "aud": ISSUER, "client_id": cid,
        "response_type": "code", "redirect_uri": RP,
        "scope": "openid email", "state": state, "nonce": nonce,
        "code_challenge": challenge, "code_challenge_method": "S256",
        "iat": now, "exp": now + 300, "jti": secrets.token_hex(8)})
    try:
        res = run_flow({"client_id": cid, "redirect_uris": [RP]}, user, pw,
                       {"response_type": "code", "scope": "openid email",
                        "request": ro})
    except FlowError as e:
        check("%s: the request object (signed by jwcrypto) is accepted and "
              "the flow reaches the redirect_uri" % alg, False, str(e))
        return
    check("%s: the request object (signed by jwcrypto) is accepted and the "
          "flow reaches the redirect_uri with its state" % alg,
          res.get("state") == state and res.get("code"), res)
    assertion = jwc_sign(ckey, alg, pub["kid"], {
        "iss": cid, "sub": cid, "aud": ISSUER + "/token", "iat": now,
        "exp": now + 120, "jti": secrets.token_hex(16)})
    r = post_form("/token", {"grant_type": "authorization_code",
                             "code": res.get("code", ""),
                             "redirect_uri": RP, "code_verifier": verifier,
                             "client_assertion_type": ASSERTION_TYPE,
                             "client_assertion": assertion})
    j = r.json() or {}
    if not check("%s: code redeemed with a client assertion signed by "
                 "jwcrypto" % alg, r.status == 200 and
                 isinstance(j.get("id_token"), str), r):
        return
    claims, why = jwc_verify(j["id_token"], alg, published)
    check("%s: the ID Token is signed with %s by the new key and jwcrypto "
          "verifies it with the /jwks key (%s)" % (alg, alg, why),
          claims is not None and json.loads(b64url_decode(
              j["id_token"].split(".")[0])).get("kid") == ours.get(alg))
    if claims is not None:
        check("%s: ID Token claims: iss, aud, sub, nonce, at_hash with "
              "the alg's hash" % alg,
              claims.get("iss") == ISSUER and claims.get("aud") in
              (cid, [cid]) and claims.get("sub") == sub and
              claims.get("nonce") == nonce and claims.get("at_hash") ==
              half_hash(j.get("access_token", ""), alg), claims)
    r = get("/userinfo", {"Authorization": "Bearer " +
                          j.get("access_token", "")})
    check("%s: UserInfo is a JWT (application/jwt)" % alg,
          r.status == 200 and r.content_type() == "application/jwt", r)
    ui, why = jwc_verify(r.text.strip(), alg, published)
    check("%s: signed UserInfo verifies in jwcrypto with the /jwks key "
          "(%s); sub, iss, aud, email" % (alg, why),
          ui is not None and ui.get("sub") == sub and
          ui.get("iss") == ISSUER and ui.get("aud") in (cid, [cid]) and
          ui.get("email") == "aa@example.com", ui)


for alg in ALGS:
    if alg in ours:
        one_alg(alg)

# ---- a key pinned to one name is not used under the other -------------------

if "EdDSA" in ours and "Ed25519" in ours:
    tok = None
    ckey, pub = client_key("Ed25519", "rp-pin")
    pub["alg"] = "EdDSA"
    r, c = register("EdDSA", pub)
    if r.status == 201:
        now = int(time.time())
        tok = jwc_sign(ckey, "Ed25519", "rp-pin", {
            "iss": c["client_id"], "sub": c["client_id"],
            "aud": ISSUER + "/token", "iat": now, "exp": now + 120,
            "jti": secrets.token_hex(16)})
        r = post_form("/token", {"grant_type": "authorization_code",
                                 "code": "no-such-code", "redirect_uri": RP,
                                 "client_assertion_type": ASSERTION_TYPE,
                                 "client_assertion": tok})
    check("an assertion signed as Ed25519 with the client's key pinned to "
          "EdDSA: invalid_client", tok is not None and r.status == 401 and
          (r.json() or {}).get("error") == "invalid_client", r)

# ---- clean up: remove our keys, wait until every worker dropped them ----------

if ours:
    kids = list(ours.values())
    psql("DELETE FROM signing_key WHERE kid IN (%s)"
         % ", ".join("'%s'" % k for k in kids))
    check("deleted keys leave /jwks", wait_until(
        lambda: not (set(kids) & {k.get("kid") for k in jwks()}), WAIT),
        jwks())
    check("discovery stops advertising EdDSA, Ed25519 and Ed448 for ID "
          "Tokens", wait_until(lambda: not ({"EdDSA", "Ed25519", "Ed448"} &
                                           set(disco().get(
                                               "id_token_signing_alg_"
                                               "values_supported") or [])),
                               WAIT))
    # The token endpoint reloads on its own clock: wait until it signs
    # with the harness's RS256 file key again.
    fc = create_client({"redirect_uris": [RP], "client_name": "all algs "
                        "cleanup", "id_token_signed_response_alg": "RS256"})

    def file_key_signs():
        code = insert_code(fc["client_id"], user, RP, scope="openid")
        r = post_form("/token", {"grant_type": "authorization_code",
                                 "code": code, "redirect_uri": RP},
                      auth=(fc["client_id"], fc["client_secret"]))
        t = (r.json() or {}).get("id_token") or "x.x.x"
        kid = json.loads(b64url_decode(t.split(".")[0]) or b"{}").get("kid")
        return kid is not None and kid not in kids

    check("RS256 ID Tokens are signed by the harness's file key again",
          wait_until(file_key_signs, WAIT))

done()
