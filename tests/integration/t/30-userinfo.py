#!/usr/bin/env python3
"""30-userinfo: the UserInfo endpoint (issue 6).

OIDC Core 5.1-5.5, RFC 6750.  Access tokens come from the token endpoint
for codes written straight into auth_code (grants.insert_code); the claims
request parameter is stored with the code as auth_code.claims, as the
authorization endpoint would.
"""
import json
import secrets
import time

from oidctest import *
from grants import *

RURI = "https://rp.example/cb"
RURI_LOOP = "http://127.0.0.1:9/app/cb"

PROFILE = {
    "name": "Zoë Q. Userinfo", "family_name": "Userinfo",
    "given_name": "Zoë", "middle_name": "Quintessa", "nickname": "zq",
    "preferred_username": "zoe.u", "profile": "https://zoe.example/",
    "picture": "https://zoe.example/me.png",
    "website": "https://blog.zoe.example/", "gender": "female",
    "birthdate": "1990-02-28", "zoneinfo": "Europe/Paris",
    "locale": "fr-FR",
}
EMAIL = {"email": "zoe@example.com", "email_verified": True}
ADDRESS = {"address": {"formatted": "1 Rue X\n75001 Paris\nFrance",
                       "street_address": "1 Rue X", "locality": "Paris",
                       "region": "IDF", "postal_code": "75001",
                       "country": "FR"}}
PHONE = {"phone_number": "+33 1 23 45 67 89",
         "phone_number_verified": False}
PRIVATE = {"favourite_colour": "octarine", "teams": ["admin"],
           "password": "not-a-claim"}
STD = {}
for d in (PROFILE, EMAIL, ADDRESS, PHONE):
    STD.update(d)
CLAIMS = dict(STD, **PRIVATE)

USER = unique("ui-zoe")
create_user(USER, "pw-" + secrets.token_hex(8), STD)
# set-claims refuses undeclared names (t/32-custom-claims): PRIVATE stands
# for claims stored before that, which are never released.
store_claims_sql(USER, CLAIMS)
SUB = user_sub(USER)


def user_updated_at():
    return int(psql("SELECT extract(epoch FROM updated_at)::bigint FROM "
                    "app_user WHERE username = %s" % sql_str(USER)))


UPDATED_AT = user_updated_at()


def new_client(label, **extra):
    m = {"client_name": label, "redirect_uris": [RURI, RURI_LOOP],
         "grant_types": ["authorization_code", "refresh_token"]}
    m.update(extra)
    c = create_client(m)
    return c["client_id"], c.get("client_secret")


CID, CSECRET = new_client("ui-plain")
SIGNED_RS = new_client("ui-signed-rs", userinfo_signed_response_alg="RS256")
SIGNED_ES = new_client("ui-signed-es", userinfo_signed_response_alg="ES256")
SIGNED_HS = new_client("ui-signed-hs", userinfo_signed_response_alg="HS256")


def tokens(scope, claims=None, client=(None, None), user=None):
    """(access token, ID Token payload or {}, full token response)."""
    cid, sec = client if client[0] else (CID, CSECRET)
    code = insert_code(cid, user or USER, RURI, scope=scope, claims=claims)
    r = token_request({"grant_type": "authorization_code", "code": code,
                       "redirect_uri": RURI}, auth=(cid, sec))
    if r.status != 200:
        check("token for scope %r: 200" % scope, False, r)
        return "invalid", {}, {}
    j = r.json()
    idc = {}
    if "id_token" in j:
        idc = jwt_parts(j["id_token"])[1]
    return j["access_token"], idc, j


def bearer(at):
    return {"Authorization": "Bearer " + at}


def challenge(r):
    return r.header("WWW-Authenticate") or ""


def userinfo_json(at):
    r = get("/userinfo", bearer(at))
    return r, (r.json() if r.status == 200 else None)


# ---- token transport --------------------------------------------------------

AT, IDC, _ = tokens("openid")
r = get("/userinfo", bearer(AT))
check("GET with Authorization: Bearer: 200 JSON",
      r.status == 200 and r.content_type() == "application/json", r)
j = r.json() or {}
check("sub is the ID Token's sub", j.get("sub") == IDC.get("sub") == SUB,
      (j, IDC))

r = post_form("/userinfo", {}, headers=bearer(AT))
check("POST with Authorization: Bearer (empty form): 200",
      r.status == 200 and (r.json() or {}).get("sub") == SUB, r)
r = post_form("/userinfo", {"access_token": AT})
check("POST with the form field access_token: 200",
      r.status == 200 and (r.json() or {}).get("sub") == SUB, r)
r = get("/userinfo", {"Authorization": "bearer " + AT})
check("the auth scheme is case-insensitive (bearer): 200", r.status == 200, r)

r = post_form("/userinfo", {"access_token": AT}, headers=bearer(AT))
check("token in the header AND the form: 400 invalid_request",
      r.status == 400 and is_json_error(r, "invalid_request"), r)

r = get("/userinfo?access_token=" + AT)
check("GET with access_token in the query string is ignored: 401",
      r.status == 401, r)
check("...with a bare challenge (no error=)",
      challenge(r).startswith("Bearer") and "error=" not in challenge(r), r)
r = post_form("/userinfo?access_token=" + AT, {})
check("POST with access_token only in the query string: 401 bare "
      "challenge", r.status == 401 and "error=" not in challenge(r), r)

r = get("/userinfo")
check("no token: 401", r.status == 401, r)
check("no token: WWW-Authenticate: Bearer realm=\"%s\", no error" % ISSUER,
      challenge(r) == 'Bearer realm="%s"' % ISSUER, challenge(r))
r = post_form("/userinfo", {})
check("POST without a token: 401 bare challenge",
      r.status == 401 and challenge(r).startswith("Bearer") and
      "error=" not in challenge(r), r)


def invalid_token(label, r):
    check("%s: 401 error=\"invalid_token\"" % label,
          r.status == 401 and challenge(r).startswith("Bearer") and
          'error="invalid_token"' in challenge(r), r)


invalid_token("an unknown token",
              get("/userinfo", bearer(secrets.token_urlsafe(32))))
invalid_token("a malformed token (700 chars)",
              get("/userinfo", bearer("A" * 700)))

at_exp, _, _ = tokens("openid")
psql("UPDATE token SET expires_at = now() - interval '1 second' WHERE "
     "token_hash = sha256(convert_to(%s, 'UTF8'))" % sql_str(at_exp))
invalid_token("an expired token", get("/userinfo", bearer(at_exp)))
at_rev, _, _ = tokens("openid")
psql("UPDATE token SET revoked_at = now() WHERE "
     "token_hash = sha256(convert_to(%s, 'UTF8'))" % sql_str(at_rev))
invalid_token("a revoked token", get("/userinfo", bearer(at_rev)))

_, _, full = tokens("openid offline_access")
if "refresh_token" in full:
    invalid_token("a refresh token used as an access token",
                  get("/userinfo", bearer(full["refresh_token"])))

U2 = unique("ui-disabled")
create_user(U2, "pw-" + secrets.token_hex(8), {"email": "d@example.com"})
at_dis, _, _ = tokens("openid", user=U2)
check("token of a user about to be disabled works", 
      get("/userinfo", bearer(at_dis)).status == 200)
rc, out, err = ctl("user", "disable", U2)
if rc == 0:
    invalid_token("token of a disabled user", get("/userinfo",
                                                   bearer(at_dis)))
else:
    check("token of a disabled user: oidcctl user disable", False, err)

# A token without openid.
CC = create_client({"client_name": "ui-cc",
                    "grant_types": ["client_credentials"], "response_types": [],
                    "scope": "api:read"})
r = token_request({"grant_type": "client_credentials"},
                  auth=(CC["client_id"], CC["client_secret"]))
check("client_credentials token for the 403 case", r.status == 200, r)
cc_at = (r.json() or {}).get("access_token", "x")
r = get("/userinfo", bearer(cc_at))
check("client_credentials token (no openid, no user): 403 "
      "insufficient_scope",
      r.status == 403 and 'error="insufficient_scope"' in challenge(r), r)
at_noid, _, _ = tokens("profile email")
r = get("/userinfo", bearer(at_noid))
check("user token without openid: 403 insufficient_scope",
      r.status == 403 and 'error="insufficient_scope"' in challenge(r), r)


# ---- claims per scope (OIDC Core 5.4) ---------------------------------------

def expect_claims(label, got, want):
    if got is None:
        check(label, False, "no JSON body")
        return
    check("%s: exactly %s" % (label, sorted(want)),
          set(got) == set(want), "got %s" % sorted(got))
    for k, v in want.items():
        if k in got and got[k] != v:
            check("%s: %s = %r" % (label, k, v), False,
                  "got %r" % (got[k],))


base = {"sub": SUB}
prof = dict(PROFILE, updated_at=UPDATED_AT)
cases = [
    ("openid", base),
    ("openid email", dict(base, **EMAIL)),
    ("openid profile", dict(base, **prof)),
    ("openid address", dict(base, **ADDRESS)),
    ("openid phone", dict(base, **PHONE)),
    ("openid email phone", dict(base, **dict(EMAIL, **PHONE))),
    ("openid profile email address phone offline_access",
     dict(base, **dict(prof, **dict(EMAIL, **dict(ADDRESS, **PHONE))))),
]
for scope, want in cases:
    at, _, _ = tokens(scope)
    r, got = userinfo_json(at)
    expect_claims("scope %r" % scope, got, want)
    if got is not None:
        check("scope %r: private claims never released" % scope,
              not (set(got) & set(PRIVATE)), got)
r, got = userinfo_json(tokens("openid profile")[0])
check("updated_at is a number (seconds), the user's last update",
      got is not None and isinstance(got.get("updated_at"), int) and
      got["updated_at"] == UPDATED_AT, got)

# Values follow what set-claims stores.
CLAIMS2 = dict(STD, email="zoe2@example.com", email_verified=False)
rc, out, err = ctl("user", "set-claims", USER, stdin=json.dumps(CLAIMS2))
check("set-claims with a new email: exit 0", rc == 0, (rc, out, err))
r, got = userinfo_json(tokens("openid email")[0])
expect_claims("after set-claims", got, {"sub": SUB,
                                        "email": "zoe2@example.com",
                                        "email_verified": False})
at_before, _, _ = tokens("openid email")
time.sleep(1.1)
ctl("user", "set-claims", USER, stdin=json.dumps(STD))
store_claims_sql(USER, CLAIMS)
r, got = userinfo_json(at_before)
check("claims are read at request time (a token issued before set-claims "
      "sees the new values)", got is not None and
      got.get("email") == EMAIL["email"], got)
UPDATED_AT = user_updated_at()
r, got = userinfo_json(tokens("openid profile")[0])
check("updated_at follows set-claims (the user's last update)",
      got is not None and got.get("updated_at") == UPDATED_AT and
      UPDATED_AT > prof["updated_at"], (got, UPDATED_AT))


# ---- the claims request parameter (OIDC Core 5.5) ---------------------------

at, _, _ = tokens("openid", claims={"userinfo": {"email": None}})
expect_claims("claims {userinfo: {email: null}} with scope openid",
              userinfo_json(at)[1], {"sub": SUB, "email": EMAIL["email"]})
at, _, _ = tokens("openid", claims={"userinfo": {
    "email": {"essential": True},
    "phone_number": {"value": "+00 wrong value"},
    "locale": {"values": ["de-DE", "fr-FR"]}}})
expect_claims("claims with essential, value and values members",
              userinfo_json(at)[1],
              {"sub": SUB, "email": EMAIL["email"],
               "phone_number": PHONE["phone_number"],
               "locale": PROFILE["locale"]})
at, _, _ = tokens("openid", claims={"userinfo": {
    "favourite_colour": None, "no_such_claim": None, "password": None}})
expect_claims("claims naming non-standard and unknown claims: ignored",
              userinfo_json(at)[1], {"sub": SUB})
at, _, _ = tokens("openid", claims={"userinfo": {"updated_at": None}})
expect_claims("claims {userinfo: {updated_at: null}}",
              userinfo_json(at)[1], {"sub": SUB, "updated_at": UPDATED_AT})
at, idc, full = tokens("openid offline_access",
                       claims={"id_token": {"email": None}})
expect_claims("claims for id_token only: not released at userinfo",
              userinfo_json(at)[1], {"sub": SUB})
check("claims {id_token: {email: null}}: email in the ID Token",
      idc.get("email") == EMAIL["email"] and "email_verified" not in idc,
      idc)
at, _, full = tokens("openid offline_access",
                     claims={"userinfo": {"email": None}})
if "refresh_token" in full:
    r = token_request({"grant_type": "refresh_token",
                       "refresh_token": full["refresh_token"]},
                      auth=(CID, CSECRET))
    check("refresh for the claims case: 200", r.status == 200, r)
    if r.status == 200:
        expect_claims("claims parameter survives a refresh",
                      userinfo_json(r.json()["access_token"])[1],
                      {"sub": SUB, "email": EMAIL["email"]})


# ---- signed UserInfo (OIDC Core 5.3.2) ---------------------------------------

for label, client, alg in (("RS256", SIGNED_RS, "RS256"),
                           ("ES256", SIGNED_ES, "ES256"),
                           ("HS256", SIGNED_HS, "HS256")):
    at, _, _ = tokens("openid email", client=client)
    r = get("/userinfo", bearer(at))
    check("signed UserInfo %s: 200 application/jwt" % label,
          r.status == 200 and r.content_type() == "application/jwt", r)
    v = verify_jws(r.text.strip(), alg,
                   secret=client[1] if alg == "HS256" else None)
    check("signed UserInfo %s: signature verifies" % label, v is not None,
          r.text[:300])
    if v:
        c = v[1]
        check("signed UserInfo %s: iss is the issuer, aud the client"
              % label, c.get("iss") == ISSUER and
              (c.get("aud") == client[0] or
               (isinstance(c.get("aud"), list) and client[0] in c["aud"])),
              c)
        check("signed UserInfo %s: sub and the email scope's claims" % label,
              c.get("sub") == SUB and c.get("email") == EMAIL["email"] and
              c.get("email_verified") is True and "name" not in c, c)


# ---- CORS -------------------------------------------------------------------

at, _, _ = tokens("openid")
for origin in ("https://rp.example", "http://127.0.0.1:9"):
    r = get("/userinfo", dict(bearer(at), Origin=origin))
    check("CORS: Origin %s (a registered redirect URI's origin): "
          "Access-Control-Allow-Origin echoes it" % origin,
          r.status == 200 and
          r.header("Access-Control-Allow-Origin") == origin, r)
for origin in ("https://evil.example", "https://rp.example.evil.example",
               "https://rp.example:444", "http://rp.example", "null",
               "https://rp.example/cb"):
    r = get("/userinfo", dict(bearer(at), Origin=origin))
    check("CORS: Origin %s: no Access-Control-Allow-Origin" % origin,
          r.status == 200 and
          r.header("Access-Control-Allow-Origin") is None, r)
r = request("OPTIONS", "/userinfo", None, {
    "Origin": "https://rp.example", "Access-Control-Request-Method": "GET",
    "Access-Control-Request-Headers": "authorization"})
check("CORS preflight for a registered origin: 2xx with Allow-Origin and "
      "Authorization in Allow-Headers",
      r.status in (200, 204) and
      r.header("Access-Control-Allow-Origin") == "https://rp.example" and
      "authorization" in (r.header("Access-Control-Allow-Headers") or "")
      .lower(), r)
r = request("OPTIONS", "/userinfo", None, {
    "Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
check("CORS preflight for an unknown origin: no Access-Control-Allow-Origin",
      r.status < 500 and r.header("Access-Control-Allow-Origin") is None, r)
r = get("/userinfo", dict(bearer(at), Origin="https://rp.example"))
check("CORS: never Access-Control-Allow-Credentials: true",
      (r.header("Access-Control-Allow-Credentials") or "").lower() != "true",
      r)
r = get("/userinfo", bearer(at))
check("CORS: no Origin: no Access-Control-Allow-Origin",
      r.header("Access-Control-Allow-Origin") is None, r)

done()
