#!/usr/bin/env python3
"""32-custom-claims: declared custom scopes and claims (issue 22 item 1).

The stack's oidc.conf declares `scope = groups: groups` (run.sh).  Before,
`oidcctl user set-claims` stored {"groups": [...]} and every token dropped
it.  Now:
  - discovery lists the scope in scopes_supported and the claim in
    claims_supported;
  - set-claims refuses names neither standard nor declared, naming them,
    and stores nothing;
  - scope `openid groups` releases groups, as the stored JSON array, where
    a standard scope releases its claims: UserInfo; the ID Token only with
    response_type=id_token (no access token) or when the claims parameter
    names it (OIDC Core 5.4, 5.5); and introspection of the access token;
  - without the scope (and not asked by name) it is absent everywhere;
  - the consent page lists the scope, and a stored consent without it asks
    again (prompt=none: consent_required);
  - a client whose registered scope list lacks it never gets it;
  - a stored claim that is not declared (any more) is never released,
    even when the claims parameter names it.
The ID Tokens are verified with python3-jwcrypto against /jwks.
"""
# oidctest: lighttpd
import json
import os
import subprocess
import sys

try:
    from jwcrypto import jwk, jws
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

from oidctest import *
from flow import *

if not check("python3-jwcrypto importable (apt-get install "
             "python3-jwcrypto)", jwk is not None):
    done()

GROUPS = ["admins", "ops"]
PW = "custom claims " + unique("pw")
U = unique("gina")
STD = {"name": "Gina Groups", "email": "gina@example.com"}


def jwc_claims(token):
    """The ID Token's claims once jwcrypto verified it with the /jwks key
    its kid names, else None (and a failed check)."""
    try:
        hdr = json.loads(b64url_decode(token.split(".")[0]))
        keys = (get("/jwks").json() or {}).get("keys", [])
        k = next(k for k in keys if k.get("kid") == hdr.get("kid"))
        s = jws.JWS()
        s.deserialize(token)
        s.verify(jwk.JWK(**k), alg=hdr["alg"])
        claims = json.loads(s.payload)
    except Exception as e:  # noqa: BLE001 - report any verifier failure
        check("jwcrypto verifies the ID Token", False, repr(e))
        return None
    check("jwcrypto verifies the ID Token", True)
    return claims


def stored_claims():
    return json.loads(psql("SELECT claims::text FROM app_user WHERE "
                           "username = '%s'" % U))


# ---- discovery -------------------------------------------------------------

d = get("/.well-known/openid-configuration").json() or {}
check("discovery: scopes_supported lists the declared scope groups",
      "groups" in d.get("scopes_supported", []) and
      "openid" in d.get("scopes_supported", []), d.get("scopes_supported"))
check("discovery: claims_supported lists the declared claim groups",
      "groups" in d.get("claims_supported", []) and
      "email" in d.get("claims_supported", []), d.get("claims_supported"))

# ---- set-claims: declared yes, undeclared refused -------------------------

make_user(U, PW, STD)
SUB = user_sub(U)
rc, out, err = ctl("user", "set-claims", U, stdin=json.dumps(
    dict(STD, groups=GROUPS, shoe_size=42, favourite_colour="octarine")))
check("set-claims with undeclared claims: exit 2", rc == 2, (rc, out, err))
check("set-claims names the undeclared claims, not the declared one",
      "shoe_size" in err and "favourite_colour" in err and
      "groups" not in err.split(":")[-1], err)
check("set-claims refused: nothing stored", stored_claims() == STD,
      stored_claims())
rc, out, err = ctl("user", "set-claims", U,
                   stdin=json.dumps(dict(STD, groups=GROUPS)))
check("set-claims with the declared groups: exit 0", rc == 0, (rc, out, err))
check("groups stored as the array given",
      stored_claims().get("groups") == GROUPS, stored_claims())

# ---- scope openid groups: code flow ----------------------------------------

C = make_client()


def tokens(res, client):
    """(token response JSON, UserInfo JSON, introspection JSON)."""
    t = redeem(client, res["code"])
    j = t.json() or {}
    if not check("the code redeems", t.status == 200 and
                 j.get("access_token"), t):
        return j, {}, {}
    ui = get("/userinfo", {"Authorization": "Bearer " + j["access_token"]})
    check("userinfo: 200", ui.status == 200, ui)
    it = post_form("/introspect", {"token": j["access_token"]},
                   auth=(client["client_id"], client["client_secret"]))
    check("introspect: 200", it.status == 200, it)
    return j, ui.json() or {}, it.json() or {}


pages = []
res = run_flow(C, U, PW, {"response_type": "code", "scope": "openid groups",
                          "state": "g1"}, consent="allow", pages=pages)
check("scope openid groups: the consent page was shown",
      "consent" in pages, pages)
tok, ui, it = tokens(res, C)
check("token response: scope holds groups",
      "groups" in tok.get("scope", "").split(), tok.get("scope"))
check("UserInfo: groups is the stored array", ui.get("groups") == GROUPS, ui)
check("UserInfo: no standard claim without its scope",
      "email" not in ui and "name" not in ui, ui)
check("introspection: active, groups is the stored array",
      it.get("active") is True and it.get("groups") == GROUPS, it)
check("introspection: no standard claim", "email" not in it, it)
idc = jwc_claims(tok.get("id_token", "")) or {}
check("code flow ID Token (an access token issued): no groups, as for "
      "standard scope claims (OIDC Core 5.4)", "groups" not in idc and
      idc.get("sub") == SUB, idc)

# The claims parameter puts it in the ID Token.
res = run_flow(C, U, PW, {"response_type": "code", "scope": "openid groups",
                          "state": "g2", "claims": json.dumps(
                              {"id_token": {"groups": None}})})
tok, ui, it = tokens(res, C)
idc = jwc_claims(tok.get("id_token", "")) or {}
check("claims {id_token: {groups}}: the ID Token carries groups as an "
      "array", idc.get("groups") == GROUPS, idc)

# response_type=id_token: no access token, the scope's claims in the token.
n = new_nonce()
res = run_flow(C, U, PW, {"response_type": "id_token", "nonce": n,
                          "scope": "openid groups", "state": "g3"})
idc = jwc_claims(res.get("id_token", "")) or {}
check("response_type=id_token, scope openid groups: groups in the ID Token",
      idc.get("groups") == GROUPS and idc.get("nonce") == n, idc)

# ---- without the scope: absent everywhere ----------------------------------

res = run_flow(C, U, PW, {"response_type": "code", "scope": "openid email",
                          "state": "n1"})
tok, ui, it = tokens(res, C)
idc = jwc_claims(tok.get("id_token", "")) or {}
check("scope openid email: UserInfo has email, no groups",
      ui.get("email") == STD["email"] and "groups" not in ui, ui)
check("scope openid email: introspection has no groups",
      it.get("active") is True and "groups" not in it, it)
check("scope openid email: ID Token has no groups", "groups" not in idc, idc)
n = new_nonce()
res = run_flow(C, U, PW, {"response_type": "id_token", "nonce": n,
                          "scope": "openid email", "state": "n2"})
idc = jwc_claims(res.get("id_token", "")) or {}
check("response_type=id_token without groups: none in the ID Token",
      "groups" not in idc and idc.get("email") == STD["email"], idc)

# ---- consent: a consent without the scope asks again -----------------------

C2 = make_client()
b = Browser()
res = run_flow(C2, U, PW, {"response_type": "code", "scope": "openid",
                           "state": "c1"}, browser=b)
check("consent for scope openid: a code", res.get("code"), res)
r = b.authorize({"client_id": C2["client_id"], "response_type": "code",
                 "redirect_uri": C2["redirect_uris"][0], "state": "c2",
                 "scope": "openid groups", "prompt": "none"})
d = parse_response(r, C2["redirect_uris"][0]) or {}
check("prompt=none, scope groups not consented: consent_required",
      d.get("error") == "consent_required" and "code" not in d, d)
r = b.authorize({"client_id": C2["client_id"], "response_type": "code",
                 "redirect_uri": C2["redirect_uris"][0], "state": "c3",
                 "scope": "openid groups"})
txt = parse_page(r).visible_text().lower() if classify(r) == "consent" \
    else ""
check("the consent page is shown again and lists the groups scope",
      "share your groups (groups)" in txt, (classify(r), txt))
if txt:
    r = b.consent(r, "allow")
    d = parse_response(r, C2["redirect_uris"][0]) or {}
    check("allow: a code", d.get("code"), d)
    r = b.authorize({"client_id": C2["client_id"], "response_type": "code",
                     "redirect_uri": C2["redirect_uris"][0], "state": "c4",
                     "scope": "openid groups", "prompt": "none"})
    d = parse_response(r, C2["redirect_uris"][0]) or {}
    check("prompt=none after consenting to groups: a code",
          d.get("code") and "error" not in d, d)
    # Asking for groups by name is covered by the consented scope.
    r = b.authorize({"client_id": C2["client_id"], "response_type": "code",
                     "redirect_uri": C2["redirect_uris"][0], "state": "c5",
                     "scope": "openid groups", "prompt": "none",
                     "claims": json.dumps({"userinfo": {"groups": None}})})
    d = parse_response(r, C2["redirect_uris"][0]) or {}
    check("prompt=none, claims.userinfo.groups within the consented scope: "
          "a code", d.get("code") and "error" not in d, d)

# groups asked for by name, without the scope: its own consent item.
C4 = make_client()
b4 = Browser()
r = b4.authorize({"client_id": C4["client_id"], "response_type": "code",
                  "redirect_uri": C4["redirect_uris"][0], "state": "q1",
                  "scope": "openid", "claims": json.dumps(
                      {"userinfo": {"groups": None}})})
if classify(r) == "login":
    r = b4.login(r, U, PW)
txt = parse_page(r).visible_text().lower() if classify(r) == "consent" \
    else ""
check("claims.userinfo.groups without the scope: the consent page lists "
      "it", "(groups)" in txt, (classify(r), txt))
if txt:
    d = parse_response(b4.consent(r, "allow"), C4["redirect_uris"][0]) or {}
    if check("allow: a code", d.get("code"), d):
        tok, ui, it = tokens(d, C4)
        check("claims.userinfo.groups: UserInfo and introspection carry "
              "groups", ui.get("groups") == GROUPS and
              it.get("groups") == GROUPS, (ui, it))

# ---- a client registered without the scope never gets it -------------------

C3 = make_client(scope="openid email")
res = run_flow(C3, U, PW, {"response_type": "code", "scope": "openid groups",
                           "state": "r1"})
tok, ui, it = tokens(res, C3)
check("client registered for openid email: groups dropped from the scope",
      "groups" not in tok.get("scope", "").split(), tok.get("scope"))
check("client registered for openid email: no groups at UserInfo",
      "groups" not in ui, ui)

# ---- claims stored but not declared: never released ------------------------

store_claims_sql(U, dict(STD, groups=GROUPS, department="R&D"))
res = run_flow(C, U, PW, {"response_type": "code", "scope": "openid groups",
                          "state": "u1", "claims": json.dumps(
                              {"userinfo": {"department": None},
                               "id_token": {"department": None}})})
tok, ui, it = tokens(res, C)
idc = jwc_claims(tok.get("id_token", "")) or {}
check("an undeclared stored claim asked for by name: not at UserInfo",
      "department" not in ui and ui.get("groups") == GROUPS, ui)
check("an undeclared stored claim: not in the ID Token or introspection",
      "department" not in idc and "department" not in it, (idc, it))

done()
