#!/usr/bin/env python3
"""85-fapi2: the FAPI 2.0 Security Profile switch (issue 21 item 6;
docs/FAPI2.md), per client ("profile": "fapi2" metadata, through nginx)
and provider-wide (profile = fapi2, private workers on a copy of the
configuration).

Per client: metadata that breaks the profile is refused by `oidcctl
client create` and /register; a plain authorization request is refused
(PAR required); PAR needs private_key_jwt (an ES256 assertion; RS256 and
client secrets are refused), PKCE, response_type code, response_mode
query/jwt, a signed request object; the whole flow then ends in a
DPoP-bound token, and /token refuses requests without a DPoP proof; codes
live at most 60 s (code_ttl is 600 in the harness).  Provider-wide:
discovery lists only what the profile allows, and every client is held to
it.  Client assertions and DPoP proofs are signed here with
python3-cryptography (lib/dpop.py)."""
import json
import os
import re
import secrets
import time

from oidctest import *
from flow import *
from grants import client_assertion, rsa_keypair
from hardening import check_log, private_dir, spawn
import dpop

TOKEN_URL = ISSUER + "/token"
PAR_URL = ISSUER + "/par"
ATYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
INITIAL = env("OIDC_REG_INITIAL_TOKEN")

if not have_endpoint("par"):
    check("par.fcgi is built and running", False)
    done()

PW = "fapi " + unique("pw")
U = unique("fapi")
make_user(U, PW)
CKEY = dpop.Key()                       # the client's assertion key
CKID = "fapi-" + secrets.token_hex(4)
RSA_PEM, RSA_JWK = rsa_keypair(kid="rsa-" + secrets.token_hex(4))
JWKS = {"keys": [dict(CKEY.jwk, kid=CKID, alg="ES256", use="sig"),
                 RSA_JWK]}
DKEY = dpop.Key()                       # the DPoP key
NONCE = [None]


def fapi_meta(**kw):
    m = {"redirect_uris": [RP], "response_types": ["code"],
         "grant_types": ["authorization_code", "refresh_token"],
         "token_endpoint_auth_method": "private_key_jwt", "jwks": JWKS,
         "id_token_signed_response_alg": "ES256", "profile": "fapi2",
         "client_name": unique("fapi2"), "first_party": True}
    m.update(kw)
    return {k: v for k, v in m.items() if v is not None}


def err_of(r):
    if r is None or r.content_type() != "application/json":
        return None
    return (r.json() or {}).get("error")


def es256_assertion(cid, aud=ISSUER):
    now = int(time.time())
    claims = {"iss": cid, "sub": cid, "aud": aud, "iat": now,
              "exp": now + 60, "jti": secrets.token_urlsafe(16)}
    return dpop.compact({"alg": "ES256", "typ": "JWT", "kid": CKID}, claims,
                        CKEY)


def with_nonce(fn):
    r = fn(NONCE[0])
    if r is not None and r.header("DPoP-Nonce"):
        NONCE[0] = r.header("DPoP-Nonce")
    if err_of(r) == "use_dpop_nonce":
        r = fn(NONCE[0])
        if r is not None and r.header("DPoP-Nonce"):
            NONCE[0] = r.header("DPoP-Nonce")
    return r


def auth_form(cid, assertion=None):
    return {"client_id": cid, "client_assertion_type": ATYPE,
            "client_assertion": assertion or es256_assertion(cid)}


# ---- metadata --------------------------------------------------------------
F = create_client(fapi_meta())
FID = F["client_id"]
check("oidcctl client create: a conforming fapi2 client",
      bool(FID) and not F.get("client_secret"), F)
for name, meta in (
        ("client_secret_basic", fapi_meta(token_endpoint_auth_method=None,
                                          jwks=None)),
        ("a public client", fapi_meta(token_endpoint_auth_method="none",
                                      jwks=None)),
        ("response_types code id_token", fapi_meta(
            response_types=["code", "code id_token"],
            grant_types=["authorization_code", "implicit"])),
        ("id_token_signed_response_alg RS256",
         fapi_meta(id_token_signed_response_alg="RS256")),
        ("request_object_signing_alg none",
         fapi_meta(request_object_signing_alg="none")),
        ("an unknown profile", fapi_meta(profile="fapi1"))):
    rc, out, errout = ctl("client", "create", stdin=json.dumps(meta))
    check("oidcctl client create refuses fapi2 with %s" % name,
          rc != 0 and ("FAPI 2.0" in errout or "profile" in errout),
          (rc, errout))
m = fapi_meta(id_token_signed_response_alg=None)
c2 = create_client(m)
st = psql("SELECT metadata->>'id_token_signed_response_alg' FROM client "
          "WHERE client_id = '%s'" % c2["client_id"]).strip()
check("a fapi2 client without id_token_signed_response_alg gets PS256",
      st == "PS256", st)
r = request("POST", "/register", json.dumps(
    fapi_meta(token_endpoint_auth_method="client_secret_basic", jwks=None,
              first_party=None)),
    [("Authorization", "Bearer " + INITIAL),
     ("Content-Type", "application/json")])
check("/register refuses fapi2 with client_secret_basic: 400 "
      "invalid_client_metadata", r.status == 400 and
      err_of(r) == "invalid_client_metadata", r)
r = request("POST", "/register", json.dumps(fapi_meta(first_party=None)),
            [("Authorization", "Bearer " + INITIAL),
             ("Content-Type", "application/json")])
check("/register accepts a conforming fapi2 client: 201",
      r.status == 201 and (r.json() or {}).get("profile") == "fapi2", r)

# ---- discovery without the provider-wide profile --------------------------------
dj = get("/.well-known/openid-configuration").json() or {}
check("per-client profiles leave discovery as it is (client_secret_basic, "
      "hybrid response types, no require_pushed_authorization_requests)",
      "client_secret_basic" in
      (dj.get("token_endpoint_auth_methods_supported") or []) and
      "code id_token" in (dj.get("response_types_supported") or []) and
      "require_pushed_authorization_requests" not in dj, dj)

# ---- authorization requests ---------------------------------------------------
verifier, challenge = pkce_pair()
base = {"response_type": "code", "scope": "openid", "redirect_uri": RP,
        "code_challenge": challenge, "code_challenge_method": "S256",
        "state": "fs"}
r = Browser().authorize(dict(base, client_id=FID))
d = parse_response(r, RP) or {}
check("/authorize without PAR: invalid_request at the redirect_uri "
      "(require_pushed_authorization_requests)",
      d.get("error") == "invalid_request" and not d.get("code") and
      d.get("iss") == ISSUER, d or r)


def push(params, assertion=None, secret=None):
    p = dict(base)
    p.update(params)
    p = {k: v for k, v in p.items() if v is not None}
    if secret is not None:
        return post_form("/par", p, auth=secret)
    p.update(auth_form(FID, assertion))
    return post_form("/par", p)


r = push({})
uri = (r.json() or {}).get("request_uri")
check("PAR with an ES256 private_key_jwt assertion: 201", r.status == 201
      and uri, r)
r = push({}, assertion=client_assertion(FID, alg="RS256", key_pem=RSA_PEM,
                                        aud=ISSUER,
                                        header={"kid": RSA_JWK["kid"]}))
check("PAR with an RS256 assertion: 401 invalid_client (PS256/ES256/EdDSA "
      "only)", r.status == 401 and err_of(r) == "invalid_client", r)
for aud in (PAR_URL, [ISSUER]):
    r = push({}, assertion=es256_assertion(FID, aud=aud))
    check("PAR with an assertion whose aud is %r: 401 invalid_client (the "
          "issuer, as a string, only)" % (aud,), r.status == 401 and
          err_of(r) == "invalid_client", r)
r = push({"code_challenge": None, "code_challenge_method": None})
check("PAR without PKCE: 400 invalid_request", r.status == 400 and
      err_of(r) == "invalid_request", r)
r = push({"response_type": "code id_token", "nonce": "n"})
check("PAR with response_type code id_token: 400 unauthorized_client "
      "(the client may only use code)", r.status == 400 and
      err_of(r) == "unauthorized_client", r)
for mode in ("form_post", "fragment"):
    r = push({"response_mode": mode})
    check("PAR with response_mode %s: 400 invalid_request" % mode,
          r.status == 400 and err_of(r) == "invalid_request", r)
r = push({"response_mode": "query.jwt"})
check("PAR with response_mode query.jwt (JARM): 201", r.status == 201, r)
r = push({"request": unsigned_jwt(dict(base, client_id=FID))})
check("PAR with an unsigned request object: 400 invalid_request_object",
      r.status == 400 and err_of(r) == "invalid_request_object", r)


def token(form, key=DKEY, cid=FID):
    f = dict(form)
    f.update(auth_form(cid))
    if key is None:
        return post_form("/token", f)
    return with_nonce(lambda n: post_form(
        "/token", dict(f, client_assertion=es256_assertion(cid)),
        headers={"DPoP": dpop.proof(key, "POST", TOKEN_URL, nonce=n)}))


def fapi_code(extra=None):
    v, c = pkce_pair()
    r = push(dict({"code_challenge": c}, **(extra or {})))
    u = (r.json() or {}).get("request_uri")
    if not u:
        return None, v, r
    d = run_flow({"client_id": FID, "redirect_uris": [RP]}, U, PW,
                 {"request_uri": u})
    return d, v, r


d, v, r = fapi_code({"scope": "openid offline_access",
                     "prompt": "consent"})
code = (d or {}).get("code")
check("a pushed request: a code with iss (RFC 9207)", bool(code) and
      d.get("iss") == ISSUER and d.get("state") == "fs", d or r)
cform = {"grant_type": "authorization_code", "code": code or "x",
         "redirect_uri": RP, "code_verifier": v}
r = token(cform, key=None)
check("/token without a DPoP proof: 400 invalid_dpop_proof",
      r.status == 400 and err_of(r) == "invalid_dpop_proof", r)
r = token(cform)
j = r.json() or {}
check("/token with private_key_jwt and a DPoP proof: 200, token_type DPoP",
      r.status == 200 and j.get("token_type") == "DPoP", r)
idt = j.get("id_token", "")
try:
    hdr = json.loads(b64url_decode(idt.split(".")[0]))
except (ValueError, IndexError):
    hdr = {}
check("the ID Token is signed ES256 (as registered)",
      hdr.get("alg") == "ES256", hdr)
rt = j.get("refresh_token")
if rt:
    rform = {"grant_type": "refresh_token", "refresh_token": rt}
    r = token(rform, key=None)
    check("refresh without a DPoP proof: 400 invalid_dpop_proof",
          r.status == 400 and err_of(r) == "invalid_dpop_proof", r)
    r = token(rform)
    j2 = r.json() or {}
    check("refresh with a DPoP proof: 200 DPoP, no new refresh token (FAPI "
          "2.0 5.3.2.1: no rotation)", r.status == 200 and
          j2.get("token_type") == "DPoP" and "refresh_token" not in j2, r)
    r = token(rform)
    j3 = r.json() or {}
    check("the same refresh token serves again", r.status == 200 and
          j3.get("access_token") not in (None, j2.get("access_token")), r)
    n = psql("SELECT count(*) FROM token WHERE kind = 'refresh' AND "
             "client_id = '%s' AND rotated_at IS NOT NULL" % FID).strip()
    check("... and is never marked rotated", n == "0", n)
else:
    check("a refresh token was issued", False, j)
at = j.get("access_token", "x")
r = get("/userinfo", {"Authorization": "Bearer " + at})
check("the access token is sender-constrained: Bearer use refused (401)",
      r.status == 401, r)

# The code lifetime: at most 60 s for a fapi2 client (code_ttl is 600).
d, v, r = fapi_code()
code = (d or {}).get("code")


def expired_yet():
    r = token({"grant_type": "authorization_code", "code": code or "x",
               "redirect_uri": RP, "code_verifier": "w" * 43})
    desc = (r.json() or {}).get("error_description") or ""
    return "expired" in desc, desc


first = expired_yet()
check("a fresh fapi2 code is live (refused only for its verifier)",
      not first[0] and "code_verifier" in first[1], first)
t0 = time.monotonic()
ok_exp = wait_until(lambda: expired_yet()[0], 120, interval=3)
check("the fapi2 code expires within 120 s although code_ttl is 600 "
      "(FAPI 2.0: at most 60 s)", ok_exp, time.monotonic() - t0)
r = token({"grant_type": "authorization_code", "code": code or "x",
           "redirect_uri": RP, "code_verifier": v})
check("... and its right verifier no longer redeems it: invalid_grant",
      err_of(r) == "invalid_grant", r)

# A client without the profile is not affected.
C = make_client(response_types=["code"], first_party=True)
d = run_flow(C, U, PW, {"response_type": "code"})
r = redeem(C, d.get("code", "x"))
check("a default-profile client: plain request, client_secret_basic, "
      "Bearer token", r.status == 200 and
      (r.json() or {}).get("token_type") == "Bearer", r)


# ---- provider-wide -------------------------------------------------------------
def config_with(name, replace):
    with open(env("OIDC_CONFIG")) as f:
        lines = f.read().splitlines()
    out = [l for l in lines if l.split("=", 1)[0].strip() not in replace]
    out += [v for v in replace.values() if v is not None]
    path = os.path.join(private_dir(name), "oidc.conf")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    os.chmod(path, 0o644)
    return path


def ask(w, method, path, query="", form=None, headers=None):
    body = form_encode(form).encode() if form is not None else b""
    extra = {"HTTP_" + k.upper().replace("-", "_"): v
             for k, v in (headers or {}).items()}
    params = cgi_params(method, path, query,
                        "application/x-www-form-urlencoded"
                        if method == "POST" else None,
                        len(body) if method == "POST" else None, extra)
    return w.request(params, body)


# The dev stack (`make run`, scripts/dev-stack.sh) can register a fapi2
# client: its oidc.conf lines over the harness configuration.
with open(os.path.join(env("OIDC_ROOT"), "scripts", "dev-stack.sh")) as f:
    m = re.search(r'^STACK_CONF="(.*?)"$', f.read(), re.S | re.M)
dev = {}
for l in (m.group(1) if m else "").replace('\\"', '"').splitlines():
    if "=" in l and not l.lstrip().startswith("#"):
        dev[l.split("=", 1)[0].strip()] = l
dev_cfg = config_with("fapi2-dev", dev)
rc, out, errout = ctl("client", "create", stdin=json.dumps(fapi_meta()),
                      config=dev_cfg)
check("the dev stack's configuration registers a fapi2 client (par, dpop)",
      bool(dev) and "dpop" in dev and rc == 0, (rc, errout, dev))
nodpop_cfg = config_with("fapi2-client-nodpop", {"dpop": "dpop = no"})
rc, out, errout = ctl("client", "create", stdin=json.dumps(fapi_meta()),
                      config=nodpop_cfg)
check("without dpop a client cannot opt into fapi2",
      rc != 0 and "PAR and DPoP" in errout, (rc, errout))

bad_cfg = config_with("fapi2-nodpop", {"profile": "profile = fapi2",
                                       "dpop": "dpop = no"})
rc, out, errout = ctl("purge", config=bad_cfg)
check("profile = fapi2 with dpop = no: the configuration is refused",
      rc != 0 and "fapi2 needs" in errout, (rc, errout))

cfg = config_with("fapi2-wide", {"profile": "profile = fapi2"})
wd = spawn("fapi2-wide", "discovery", cfg)
wa = spawn("fapi2-wide", "authorize", cfg)
wp = spawn("fapi2-wide", "par", cfg)
wt = spawn("fapi2-wide", "token", cfg)
r = ask(wd, "GET", "/.well-known/openid-configuration")
dj = (r.json() if r is not None else None) or {}
check("provider-wide discovery: response_types_supported [code]",
      dj.get("response_types_supported") == ["code"], dj)
check("provider-wide discovery: token_endpoint_auth_methods_supported "
      "[private_key_jwt]", dj.get("token_endpoint_auth_methods_supported")
      == ["private_key_jwt"], dj)
check("provider-wide discovery: require_pushed_authorization_requests",
      dj.get("require_pushed_authorization_requests") is True, dj)
fapi_algs = {"PS256", "ES256", "EdDSA", "Ed25519"}
for key in ("id_token_signing_alg_values_supported",
            "request_object_signing_alg_values_supported",
            "token_endpoint_auth_signing_alg_values_supported",
            "dpop_signing_alg_values_supported"):
    v = dj.get(key) or []
    check("provider-wide discovery: %s only PS256/ES256/EdDSA" % key,
          len(v) > 0 and set(v) <= fapi_algs, v)
check("provider-wide discovery: ES256 ID Tokens (the harness has an ES256 "
      "key)", "ES256" in (dj.get("id_token_signing_alg_values_supported")
                          or []), dj)
check("provider-wide discovery: no implicit grant, response modes "
      "query/jwt only", "implicit" not in
      (dj.get("grant_types_supported") or ["implicit"]) and
      set(dj.get("response_modes_supported") or ["x"]) <=
      {"query", "query.jwt", "jwt"}, dj)
q = form_encode({"client_id": C["client_id"], "redirect_uri": RP,
                 "response_type": "code", "scope": "openid", "state": "w"})
r = ask(wa, "GET", "/authorize", q)
d = parse_response(r, RP) or {}
check("provider-wide: a plain request is refused (invalid_request)",
      d.get("error") == "invalid_request" and not d.get("code"), d or r)
sec = basic_auth(C["client_id"], C["client_secret"])
r = ask(wp, "POST", "/par", form=dict(base, client_id=C["client_id"]),
        headers={"Authorization": sec})
check("provider-wide: PAR with client_secret_basic: 401 invalid_client",
      r is not None and r.status == 401 and err_of(r) == "invalid_client",
      r)
r = ask(wt, "POST", "/token", form={"grant_type": "client_credentials"},
        headers={"Authorization": sec})
check("provider-wide: /token with client_secret_basic: 401 invalid_client",
      r is not None and r.status == 401 and err_of(r) == "invalid_client",
      r)
K2 = make_client(response_types=["code"], first_party=True,
                 token_endpoint_auth_method="private_key_jwt", jwks=JWKS)
r = ask(wp, "POST", "/par", form=dict(base, **auth_form(K2["client_id"])))
check("provider-wide: PAR by a private_key_jwt client whose ID Tokens are "
      "RS256: 400 unauthorized_client", r is not None and r.status == 400
      and err_of(r) == "unauthorized_client", r)
r = ask(wp, "POST", "/par", form=dict(base, **auth_form(FID)))
check("provider-wide: PAR by a conforming client: 201",
      r is not None and r.status == 201, r)
wuri = ((r.json() if r is not None else None) or {}).get("request_uri")
r = ask(wa, "GET", "/authorize", form_encode({"client_id": FID,
                                               "request_uri": wuri or "x"}))
check("provider-wide: its pushed request is served (the login page)",
      r is not None and r.status == 200 and classify(r) == "login", r)
r = ask(wt, "POST", "/token", form=dict(
    {"grant_type": "authorization_code", "code": "x", "redirect_uri": RP},
    **auth_form(FID)))
check("provider-wide: /token without a DPoP proof: 400 invalid_dpop_proof",
      r is not None and r.status == 400 and
      err_of(r) == "invalid_dpop_proof", r)
r = with_nonce(lambda n: ask(wt, "POST", "/token", form=dict(
    {"grant_type": "authorization_code", "code": "x", "redirect_uri": RP},
    **auth_form(FID)), headers={"DPoP": dpop.proof(
        DKEY, "POST", TOKEN_URL, nonce=n)}))
check("provider-wide: /token with a proof gets as far as the code "
      "(invalid_grant for a bogus one)", r is not None and
      err_of(r) == "invalid_grant", r)
for w in (wd, wa, wp, wt):
    w.stop()
    check_log(w.log, allow_error=None)

done()
