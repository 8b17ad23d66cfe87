#!/usr/bin/env python3
"""47-register-flows: dynamically registered clients (RFC 7591) complete the
code, implicit and hybrid flows with private_key_jwt client authentication
and signed request objects (issue 8).

Each client registers at /register with its public RSA key in jwks,
token_endpoint_auth_method private_key_jwt and request_object_signing_alg
RS256.  Every authorization request carries its parameters only inside a
request object signed with that key (the query repeats just client_id,
response_type, scope and redirect_uri); the code is redeemed with a
signed client assertion; every ID Token is verified with the provider's
public key (openssl) including nonce, at_hash and c_hash.  A tampered
request object and one signed with another key are refused.
"""
import base64
import json
import os
import secrets
import subprocess
import tempfile
import time

from oidctest import (ISSUER, check, create_user, done, env, post_form,
                      request, unique)
from flow import FlowError, pkce_pair, run_flow, verify_id_token

INITIAL = env("OIDC_REG_INITIAL_TOKEN")
RP = "https://rp.example/registered/cb"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TMP = tempfile.mkdtemp(prefix="regflows-", dir=os.environ.get("OIDC_TMP"))


def b64url(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def rsa_key(name):
    path = os.path.join(TMP, name + ".pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                    "rsa_keygen_bits:2048", "-out", path], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    mod = subprocess.run(["openssl", "rsa", "-in", path, "-noout",
                          "-modulus"], check=True, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL).stdout.decode()
    n = int(mod.strip().split("=", 1)[1], 16)
    jwk = {"kty": "RSA", "kid": name, "use": "sig", "alg": "RS256",
           "e": "AQAB", "n": b64url(n.to_bytes((n.bit_length() + 7) // 8,
                                               "big"))}
    return path, jwk


def sign(path, kid, claims):
    head = b64url(json.dumps({"alg": "RS256", "kid": kid}))
    body = b64url(json.dumps(claims))
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", path],
                         input=("%s.%s" % (head, body)).encode(),
                         check=True, stdout=subprocess.PIPE).stdout
    return "%s.%s.%s" % (head, body, b64url(sig))


def register(jwk):
    r = request("POST", "/register", json.dumps({
        "redirect_uris": [RP], "client_name": "registered flows",
        "response_types": ["code", "id_token", "id_token token",
                           "code id_token", "code token",
                           "code id_token token"],
        "grant_types": ["authorization_code", "implicit"],
        "token_endpoint_auth_method": "private_key_jwt",
        "request_object_signing_alg": "RS256",
        "jwks": {"keys": [jwk]}, "scope": "openid email"}),
        [("Authorization", "Bearer " + INITIAL),
         ("Content-Type", "application/json")])
    return r, (r.json() or {})


key, jwk = rsa_key("rp-flows")
other, _ = rsa_key("not-registered")
r, client = register(jwk)
check("a private_key_jwt client with request_object_signing_alg RS256 "
      "registers", r.status == 201 and "client_secret" not in client, r)
cid = client.get("client_id", "")
user, pw = unique("regflow"), "regflow-password-1"
create_user(user, pw, {"email": "rf@example.com", "email_verified": True})


def request_object(rt, nonce, state, extra=None, signer=key, kid="rp-flows"):
    now = int(time.time())
    claims = {"iss": cid, "aud": ISSUER, "client_id": cid,
              "response_type": rt, "redirect_uri": RP, "scope": "openid email",
              "state": state, "nonce": nonce, "iat": now, "exp": now + 300,
              "jti": secrets.token_hex(8)}
    claims.update(extra or {})
    return sign(signer, kid, claims)


def assertion():
    now = int(time.time())
    return sign(key, "rp-flows", {"iss": cid, "sub": cid,
                                  "aud": ISSUER + "/token", "iat": now,
                                  "exp": now + 120,
                                  "jti": secrets.token_hex(16)})


def flow(rt, mode=None):
    nonce, state = secrets.token_urlsafe(12), secrets.token_urlsafe(8)
    verifier, challenge = pkce_pair()
    extra = {"code_challenge": challenge, "code_challenge_method": "S256"}
    if mode is not None:
        extra["response_mode"] = mode
    ro = request_object(rt, nonce, state, extra)
    res = run_flow({"client_id": cid, "redirect_uris": [RP]}, user, pw,
                   {"response_type": rt, "scope": "openid email",
                    "request": ro})
    return res, nonce, state, verifier


for rt, mode in (("code", None), ("id_token", None),
                 ("id_token token", None), ("code id_token", None),
                 ("code token", "form_post"),
                 ("code id_token token", "form_post")):
    label = rt + (" (%s)" % mode if mode else "")
    try:
        res, nonce, state, verifier = flow(rt, mode)
    except FlowError as e:
        check("%s: the flow reaches the redirect_uri" % label, False, str(e))
        continue
    check("%s: state from the request object is echoed, iss is ours"
          % label, res.get("state") == state and res.get("iss") == ISSUER,
          res)
    if "id_token" in rt.split():
        probs, claims, _ = verify_id_token(
            res.get("id_token", ""), client_id=cid, nonce=nonce,
            code=res.get("code") if "code" in rt.split() else None,
            access_token=res.get("access_token")
            if "token" in rt.split() else None)
        check("%s: front-channel ID Token valid (signature, nonce, "
              "c_hash/at_hash)" % label, probs == [], probs)
    if "code" in rt.split():
        r = post_form("/token", {"grant_type": "authorization_code",
                                 "code": res.get("code", ""),
                                 "redirect_uri": RP,
                                 "code_verifier": verifier,
                                 "client_assertion_type": ASSERTION_TYPE,
                                 "client_assertion": assertion()})
        j = r.json() or {}
        check("%s: code redeemed with private_key_jwt" % label,
              r.status == 200 and isinstance(j.get("access_token"), str),
              r)
        probs, claims, _ = verify_id_token(
            j.get("id_token", ""), client_id=cid, nonce=nonce,
            access_token=j.get("access_token"))
        check("%s: token-endpoint ID Token valid" % label, probs == [],
              probs)

# Tampered and foreign-key request objects never pass.
ro = request_object("code", "n-t", "s-t")
h, b, s = ro.split(".")
evil = json.loads(base64.urlsafe_b64decode(b + "==").decode())
evil["redirect_uri"] = "https://evil.example/cb"
tampered = "%s.%s.%s" % (h, b64url(json.dumps(evil)), s)
r = request("GET", "/authorize?" + __import__("urllib.parse").parse
            .urlencode({"client_id": cid, "response_type": "code",
                        "scope": "openid", "request": tampered}))
check("a tampered request object is refused with a page, never a redirect",
      r.status == 400 and r.header("Location") is None, r)
foreign = request_object("code", "n-f", "s-f", signer=other, kid="rp-flows")
r = request("GET", "/authorize?" + __import__("urllib.parse").parse
            .urlencode({"client_id": cid, "response_type": "code",
                        "scope": "openid", "request": foreign}))
check("a request object signed with an unregistered key is refused",
      r.status == 400 and r.header("Location") is None, r)

done()
