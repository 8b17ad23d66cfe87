#!/usr/bin/env python3
"""35-resource: resource indicators (RFC 8707, issue 21 item 3,
oidc/resource.h): `oidcctl resource`, the `resource` parameter at
/authorize, /par and /token (repeatable), invalid_target for malformed or
unknown resources and for a resource outside the grant, the audience,
scope, format and lifetime a resource gives the access token, checked by
npm's jose (tests/interop/rp_openid_client/at_jwt.js) and introspection."""
import json
import os
import re
import shutil
import subprocess
import urllib.parse

from oidctest import *
from grants import *
from hardening import check_log, private_dir, spawn
import flow

ROOT = env("OIDC_ROOT")
RP = os.path.join(ROOT, "tests", "interop", "rp_openid_client")
RURI = "https://rp.example/cb"
API = "https://api.example/v1"
OTHER = "https://other.example/"
ANY = "urn:example:any"

node = shutil.which("node")
if not node or not os.path.isdir(os.path.join(RP, "node_modules", "jose")):
    check("jose checker: node and tests/interop/rp_openid_client/"
          "node_modules (npm ci)", False)
    done()
JWKS = get("/jwks").body.decode()


def jose_verify(tok, aud):
    e = dict(os.environ, AT_TOKEN=tok, AT_JWKS=JWKS, AT_ISSUER=ISSUER,
             AT_AUDIENCE=aud)
    p = subprocess.run([node, os.path.join(RP, "at_jwt.js")], env=e,
                       cwd=RP, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30 * MULT)
    try:
        return json.loads(p.stdout.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"ok": False, "error": p.stderr.decode()[-300:]}


def err_of(r):
    return (r.json() or {}).get("error") if r.content_type() == \
        "application/json" else None


# ---- oidcctl resource --------------------------------------------------------
rc, _, e = ctl("resource", "create", API, "--scope", "api read",
               "--format", "jwt", "--lifetime", "600")
check("resource create with scope, format and lifetime: exit 0", rc == 0, e)
rc, _, e = ctl("resource", "create", OTHER, "--scope", "other")
check("resource create (opaque by the client's default)", rc == 0, e)
rc, _, e = ctl("resource", "create", ANY)
check("resource create with defaults (a URN is an absolute URI)", rc == 0, e)
rc, _, _ = ctl("resource", "create", API)
check("resource create again: exit 4 (conflict)", rc == 4, rc)
for bad in ("api.example/v1", "https://api.example/#frag", "https://a b/",
            "https:"):
    rc, _, _ = ctl("resource", "create", bad)
    check("resource create %r: exit 2 (not an absolute URI without "
          "fragment)" % bad, rc == 2, rc)
rc, _, _ = ctl("resource", "create", "https://x.example/", "--format",
               "paseto")
check("resource create --format paseto: exit 2", rc == 2, rc)
rc, _, _ = ctl("resource", "create", "https://x.example/", "--lifetime", "0")
check("resource create --lifetime 0: exit 2", rc == 2, rc)
rc, out, _ = ctl("resource", "list")
rows = [json.loads(x) for x in out.splitlines() if x.strip()]
api_row = [x for x in rows if x.get("identifier") == API]
check("resource list shows scope, format and lifetime",
      rc == 0 and api_row and api_row[0].get("scope") == "api read" and
      api_row[0].get("access_token_format") == "jwt" and
      api_row[0].get("access_token_lifetime") == 600, rows)
ctl("resource", "create", "https://gone.example/")
rc, _, _ = ctl("resource", "delete", "https://gone.example/")
rc2, _, _ = ctl("resource", "delete", "https://gone.example/")
check("resource delete: exit 0, then 3 (not found)", rc == 0 and rc2 == 3,
      (rc, rc2))

# ---- client_credentials ------------------------------------------------------
USER = unique("rs-user")
PW = "pw-" + unique("x")
create_user(USER, PW, {"name": "R. Source"})
C = create_client({"client_name": "rs", "redirect_uris": [RURI],
                   "grant_types": ["authorization_code", "refresh_token",
                                   "client_credentials"],
                   "response_types": ["code"],
                   "scope": "openid profile offline_access api read other"})
CA = (C["client_id"], C["client_secret"])


def cc(pairs):
    return token_request([("grant_type", "client_credentials")] + pairs,
                         auth=CA)


r = cc([("scope", "api read"), ("resource", API)])
j = r.json() or {}
v = jose_verify(j.get("access_token", ""), API)
check("client_credentials for a jwt resource: a JWT whose aud is the "
      "resource, expires_in its lifetime", r.status == 200 and v.get("ok")
      and v["payload"].get("aud") == API and j.get("expires_in") == 600 and
      v["payload"]["exp"] - v["payload"]["iat"] == 600, (r, v))
check("jose refuses that token for another audience",
      not jose_verify(j.get("access_token", ""), OTHER).get("ok"))
for name, res in (("unknown", "https://unknown.example/"),
                  ("relative", "/api"), ("with a fragment", API + "#x")):
    r = cc([("scope", "api"), ("resource", res)])
    check("resource %s at /token: 400 invalid_target" % name,
          r.status == 400 and err_of(r) == "invalid_target", r)
r = cc([("scope", "api"), ("resource", API), ("resource", API)])
check("the same resource twice: invalid_target",
      r.status == 400 and err_of(r) == "invalid_target", r)
r = cc([("scope", "api read other"), ("resource", API), ("resource", ANY)])
j = r.json() or {}
v = jose_verify(j.get("access_token", ""), ANY)
check("two resources (repeated parameter): aud has both, the scope is "
      "what one of them allows", r.status == 200 and v.get("ok") and
      sorted(v["payload"].get("aud") or []) == sorted([API, ANY]) and
      j.get("scope") == "api read other", (r, v))
r = cc([("scope", "api"), ("resource", OTHER)])
check("a resource that allows none of the scopes: invalid_scope",
      r.status == 400 and err_of(r) == "invalid_scope", r)
r = cc([("scope", "other api"), ("resource", OTHER)])
j = r.json() or {}
tok = j.get("access_token", "")
ij = post_form("/introspect", {"token": tok}, auth=CA).json() or {}
check("an opaque token for a resource: the scope narrowed to it, "
      "introspection aud is the resource", r.status == 200 and
      "." not in tok and j.get("scope") == "other" and
      ij.get("aud") == [OTHER] and ij.get("scope") == "other", (r, ij))
# RFC 9068 4: UserInfo takes a token for resources only when one of
# them is its own URL.
UI = ISSUER + "/userinfo"
rc, _, e = ctl("resource", "create", UI, "--scope", "openid profile")


def ui_with(resources):
    code = insert_code(C["client_id"], USER, RURI, scope="openid profile")
    r = token_request([("grant_type", "authorization_code"), ("code", code),
                       ("redirect_uri", RURI)] +
                      [("resource", x) for x in resources], auth=CA)
    tok = (r.json() or {}).get("access_token", "")
    return get("/userinfo", {"Authorization": "Bearer " + tok})


r = ui_with([ANY])
check("UserInfo refuses a token for another resource (openid granted): "
      "401 invalid_token", r.status == 401 and err_of(r) ==
      "invalid_token", r)
r = ui_with([UI, API])
check("UserInfo takes a token whose resources include its URL",
      rc == 0 and r.status == 200 and (r.json() or {}).get("sub") ==
      user_sub(USER), (rc, e, r))
r = ui_with([])
check("UserInfo takes a token without resources (as before)",
      r.status == 200, r)

r = cc([("scope", "api")])
ij = post_form("/introspect", {"token": (r.json() or {}).get(
    "access_token", "")}, auth=CA).json() or {}
check("without resource: introspection aud is the client (as before)",
      ij.get("aud") == C["client_id"], ij)

# ---- stored codes ---------------------------------------------------------------
SCOPE = "openid profile offline_access api"


def code_with(resource=None):
    code = insert_code(C["client_id"], USER, RURI, scope=SCOPE)
    if resource is not None:
        psql("UPDATE auth_code SET resource = %s WHERE code_hash = "
             "sha256(convert_to(%s, 'UTF8'))" % (sql_str(resource),
                                                 sql_str(code)))
    return code


def redeem(code, pairs=()):
    return token_request([("grant_type", "authorization_code"),
                          ("code", code), ("redirect_uri", RURI)] +
                         list(pairs), auth=CA)


r = redeem(code_with(), [("resource", API)])
j = r.json() or {}
v = jose_verify(j.get("access_token", ""), API)
RT1 = j.get("refresh_token")
check("a code without resources, resource at /token: a JWT for it, scope "
      "narrowed to it, an ID Token and a refresh token",
      r.status == 200 and v.get("ok") and j.get("scope") == "api" and
      v["payload"].get("sub") == user_sub(USER) and j.get("id_token") and
      RT1, (r, v))
r = token_request({"grant_type": "refresh_token", "refresh_token": RT1 or
                   "x", "resource": ANY}, auth=CA)
j = r.json() or {}
ij = post_form("/introspect", {"token": j.get("access_token", "")},
               auth=CA).json() or {}
RT1 = j.get("refresh_token") or RT1
check("its refresh (a grant without resources) may ask for any registered "
      "one", r.status == 200 and ij.get("aud") == [ANY], (r, ij))

code = code_with(API)
r = redeem(code, [("resource", OTHER)])
check("a code granted for one resource, another at /token: invalid_target",
      r.status == 400 and err_of(r) == "invalid_target", r)
r = redeem(code)
j = r.json() or {}
v = jose_verify(j.get("access_token", ""), API)
RT2 = j.get("refresh_token")
check("... which left the code unused: redeemed without resource, for the "
      "granted one", r.status == 200 and v.get("ok") and
      j.get("scope") == "api" and j.get("expires_in") == 600, (r, v))
r = token_request({"grant_type": "refresh_token", "refresh_token": RT2 or
                   "x", "resource": OTHER}, auth=CA)
check("refresh of a grant for one resource asking another: invalid_target",
      r.status == 400 and err_of(r) == "invalid_target", r)
r = token_request({"grant_type": "refresh_token", "refresh_token": RT2 or
                   "x", "resource": API}, auth=CA)
v = jose_verify((r.json() or {}).get("access_token", ""), API)
check("refresh asking the granted resource: 200, aud kept",
      r.status == 200 and v.get("ok"), (r, v))
r = redeem(code)
check("... and the code only once", r.status == 400 and
      err_of(r) == "invalid_grant", r)

# ---- /authorize and /par ------------------------------------------------------------
r = get(flow.authorize_url({"client_id": C["client_id"],
                            "redirect_uri": RURI, "response_type": "code",
                            "scope": "openid", "state": "s1",
                            "resource": "https://unknown.example/"}))
q = urllib.parse.parse_qs(urllib.parse.urlsplit(
    r.header("Location") or "").query)
check("/authorize with an unknown resource: redirected error "
      "invalid_target", r.status in (302, 303) and
      q.get("error") == ["invalid_target"] and q.get("state") == ["s1"],
      (r, q))
r = get(flow.authorize_url([("client_id", C["client_id"]),
                            ("redirect_uri", RURI),
                            ("response_type", "code"), ("scope", "openid"),
                            ("resource", "no-scheme")]))
q = urllib.parse.parse_qs(urllib.parse.urlsplit(
    r.header("Location") or "").query)
check("/authorize with a malformed resource: invalid_target",
      q.get("error") == ["invalid_target"], (r, q))

res = flow.run_flow(C, USER, PW, {"response_type": "code",
                                  "scope": "openid api",
                                  "resource": API})
code = res.get("code")
r = redeem(code or "x", [("resource", OTHER)])
check("a code from /authorize for one resource: another at /token is "
      "invalid_target", r.status == 400 and
      err_of(r) == "invalid_target", r)
r = redeem(code or "x")
j = r.json() or {}
v = jose_verify(j.get("access_token", ""), API)
check("... redeemed without resource: a JWT for the granted resource",
      r.status == 200 and v.get("ok") and j.get("scope") == "api", (r, v))

r = post_form("/par", {"response_type": "code", "scope": "openid",
                       "redirect_uri": RURI,
                       "resource": "https://unknown.example/"}, auth=CA)
check("/par with an unknown resource: 400 invalid_target",
      r.status == 400 and err_of(r) == "invalid_target", r)
r = post_form("/par", [("response_type", "code"), ("scope", "openid api"),
                       ("redirect_uri", RURI), ("resource", API),
                       ("resource", ANY)], auth=CA)
check("/par with two registered resources: 201",
      r.status == 201 and (r.json() or {}).get("request_uri"), r)
b = flow.Browser()
r = b.authorize({"client_id": C["client_id"],
                 "request_uri": (r.json() or {}).get("request_uri", "x")})
for _ in range(4):
    kind = flow.classify(r)
    if kind == "login":
        r = b.login(r, USER, PW)
    elif kind == "consent":
        r = b.consent(r, "allow")
    else:
        break
d = flow.parse_response(r, RURI) or {}
r = redeem(d.get("code", "x"), [("resource", ANY)])
j = r.json() or {}
ij = post_form("/introspect", {"token": j.get("access_token", "")},
               auth=CA).json() or {}
RT3 = j.get("refresh_token")
check("a code through /par for two resources (carried through the login "
      "page): one of them at /token, aud that one", r.status == 200 and
      ij.get("aud") == [ANY], (d, r, ij))

# ---- resource_indicators off: private workers without the line ---------------
with open(env("OIDC_CONFIG")) as f:
    text = f.read()
check("the harness config has resource_indicators = yes",
      re.search(r"^resource_indicators = yes$", text, re.M) is not None)
off_conf = os.path.join(private_dir("rs-off"), "oidc.conf")
with open(off_conf, "w") as f:
    f.write(re.sub(r"^resource_indicators = yes\n", "", text, flags=re.M))
os.chmod(off_conf, 0o644)
wt = spawn("rs-off", "token", off_conf)
wa = spawn("rs-off", "authorize", off_conf)
try:
    body = urllib.parse.urlencode([("grant_type", "client_credentials"),
                                   ("scope", "api"),
                                   ("resource", "https://unknown.example/"),
                                   ("resource", "not a uri")]).encode()
    r = wt.request(cgi_params("POST", "/token", "",
                              "application/x-www-form-urlencoded",
                              len(body), {"HTTP_AUTHORIZATION":
                                          basic_auth(*CA)}), body)
    j = (r.json() or {}) if r is not None else {}
    ij = post_form("/introspect", {"token": j.get("access_token", "")},
                   auth=CA).json() or {}
    check("resource_indicators off: /token ignores resource (200, scope "
          "as asked, introspection aud the client)",
          r is not None and r.status == 200 and j.get("scope") == "api" and
          ij.get("aud") == C["client_id"], (r, ij))
    qs = urllib.parse.urlencode({"client_id": C["client_id"],
                                 "redirect_uri": RURI,
                                 "response_type": "code", "scope": "openid",
                                 "resource": "https://unknown.example/"})
    r = wa.request(cgi_params("GET", "/authorize", qs))
    check("resource_indicators off: /authorize ignores resource (the login "
          "page, no invalid_target)", r is not None and r.status == 200 and
          "invalid_target" not in (r.header("Location") or ""), r)
finally:
    wt.stop()
    wa.stop()
check_log(wt.log, "token without resource_indicators")
check_log(wa.log, "authorize without resource_indicators")

done()
