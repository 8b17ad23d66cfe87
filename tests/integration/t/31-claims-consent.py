#!/usr/bin/env python3
"""31-claims-consent: claims asked for one by one need consent (issue 15,
item 2).

OIDC Core 5.5 lets a client ask for single claims with the `claims`
parameter, outside any scope.  Before the fix, scope=openid with
claims={"userinfo":{"email":null,"name":null}} showed a consent page for
"openid" only, yet UserInfo and the ID Token carried email and name, and
the remembered consent ignored `claims`, so prompt=none got them silently
later.  Now each known claim asked for individually is an item of the
consent page, the consent is remembered per claim (consent.claims), and a
request whose claims the stored consent does not cover shows the page
again (prompt=none: consent_required).  Unknown claims are ignored (never
shown, never released); first-party clients skip consent as before.
"""
import json
import time

from oidctest import *
from flow import *

if not have_endpoint("authorize"):
    check("authorize.fcgi is built and listening", False,
          "no %s/authorize.sock" % env("OIDC_RUNDIR"))
    done()

PW = "claims consent " + unique("pw")
U = unique("clara")
make_user(U, PW, {"name": "Clara Claims", "email": "clara@example.com",
                    "email_verified": True, "phone_number": "+1 555 0100"})
# A claim stored before set-claims refused undeclared names: never released.
store_claims_sql(U, {"name": "Clara Claims", "email": "clara@example.com",
                     "email_verified": True, "phone_number": "+1 555 0100",
                     "favourite_colour": "octarine"})
SUB = user_sub(U)

C = make_client()                       # confidential, shows consent
FP = make_client(first_party=True)      # skips consent


def cl(userinfo=None, id_token=None):
    d = {}
    if userinfo is not None:
        d["userinfo"] = {k: None for k in userinfo}
    if id_token is not None:
        d["id_token"] = {k: None for k in id_token}
    return json.dumps(d)



def P(client, **kw):
    p = {"client_id": client["client_id"],
         "redirect_uri": client["redirect_uris"][0], "scope": "openid",
         "response_type": "code"}
    p.update(kw)
    return {k: v for k, v in p.items() if v is not None}


def items(r):
    """The consent page's list items, lower-cased."""
    page = parse_page(r)
    txt = page.visible_text().lower()
    return txt


def tokens_for(client, code):
    t = redeem(client, code)
    j = t.json() or {}
    if not check("token endpoint redeems the code", t.status == 200 and
                 j.get("access_token"), t):
        return {}, {}
    ui = get("/userinfo", {"Authorization": "Bearer " + j["access_token"]})
    check("userinfo answers 200", ui.status == 200, ui)
    idc = {}
    if j.get("id_token"):
        problems, idc, _ = verify_id_token(j["id_token"], client["client_id"],
                                           sub=SUB)
        check("the ID Token verifies", not problems, problems)
    return ui.json() or {}, idc or {}


def consent_row(client):
    """'scope | claims' of the stored consent ('' if none)."""
    try:
        return psql("SELECT c.scope || ' | ' || c.claims FROM consent c "
                    "JOIN app_user u USING (user_id) WHERE u.username = '%s' "
                    "AND c.client_id = '%s'" % (U, client["client_id"]))
    except RuntimeError as e:         # no consent.claims column
        return str(e)


# ---- (a) the consent page lists a claim asked for individually ------------

b = Browser()
r = b.authorize(P(C, state="a", claims=cl(userinfo=["email"])))
if classify(r) == "login":
    r = b.login(r, U, PW)
check("(a) scope=openid + claims.userinfo.email: the consent page is shown",
      classify(r) == "consent", r)
txt = items(r)
check("(a) the consent page lists the email claim", "(email)" in txt and
      "email address" in txt, txt)
check("(a) the consent page does not list claims nobody asked for",
      "(name)" not in txt and "(phone_number)" not in txt, txt)

# ---- (b) after allowing, UserInfo carries email (and only that) -----------

r = b.consent(r, "allow")
d = parse_response(r, RP) or {}
check("(b) allow: a code", d.get("code") and "error" not in d, d)
if d.get("code"):
    ui, idc = tokens_for(C, d["code"])
    check("(b) userinfo carries the consented email claim",
          ui.get("email") == "clara@example.com", ui)
    check("(b) userinfo carries nothing else of the user's",
          not any(k in ui for k in ("name", "phone_number",
                                    "favourite_colour", "email_verified")),
          ui)
    check("(b) the ID Token carries no user claim (none asked for it)",
          not any(k in idc for k in ("email", "name")), idc)
check("(b) the consent is stored per claim (consent.claims holds email)",
      consent_row(C) == "openid | email", consent_row(C))

# ---- (c) prompt=none asking for a claim not consented ----------------------

for label, c in (("userinfo.name", cl(userinfo=["name"])),
                 ("id_token.name", cl(id_token=["name"])),
                 ("userinfo.email + userinfo.name",
                  cl(userinfo=["email", "name"])),
                 ("userinfo.email + id_token.phone_number",
                  cl(userinfo=["email"], id_token=["phone_number"]))):
    r = b.authorize(P(C, state="c", prompt="none", claims=c))
    d = parse_response(r, RP) or {}
    check("(c) prompt=none, claims %s not consented: consent_required"
          % label, d.get("error") == "consent_required" and
          "code" not in d, d)
r = b.authorize(P(C, state="c2", claims=cl(userinfo=["name"])))
check("(c) without prompt=none, a claim not consented shows the page again",
      classify(r) == "consent" and "(name)" in items(r), r)

# ---- (d) prompt=none with consented claims only ----------------------------

for label, c in (("userinfo.email", cl(userinfo=["email"])),
                 ("id_token.email", cl(id_token=["email"])),
                 ("an unknown claim (ignored)",
                  cl(userinfo=["favourite_colour", "email"])),
                 ("none", None)):
    r = b.authorize(P(C, state="d", prompt="none", claims=c))
    d = parse_response(r, RP) or {}
    check("(d) prompt=none, claims %s: a code, no page" % label,
          d.get("code") and "error" not in d, (classify(r), d))
r = b.authorize(P(C, state="d2", prompt="none", claims=cl(
    userinfo=["favourite_colour"], id_token=["email"])))
d = parse_response(r, RP) or {}
if check("(d) prompt=none, id_token.email + unknown claim: a code",
         d.get("code"), d):
    ui, idc = tokens_for(C, d["code"])
    check("(d) the ID Token carries the consented email",
          idc.get("email") == "clara@example.com", idc)
    check("(d) an unknown claim is never released",
          "favourite_colour" not in ui and "favourite_colour" not in idc,
          (ui, idc))

# A second consent adds to the first: name joins email.
r = b.authorize(P(C, state="e1", claims=cl(userinfo=["name"],
                                            id_token=["email"])))
if check("a new claim shows the page again", classify(r) == "consent", r):
    t = items(r)
    check("the page names the new claim (and the one asked in id_token)",
          "(name)" in t and "(email)" in t, t)
    r = b.consent(r, "allow")
    check("allow: a code", (parse_response(r, RP) or {}).get("code"), r)
check("the stored consent is the union (email name)",
      consent_row(C) == "openid | email name", consent_row(C))
r = b.authorize(P(C, state="e2", prompt="none",
                  claims=cl(userinfo=["name", "email"])))
check("prompt=none with both consented claims: a code",
      (parse_response(r, RP) or {}).get("code"), r)

# Claims within a consented scope need no item of their own.
C3 = make_client()
b3 = Browser()
res = run_flow(C3, U, PW, {"response_type": "code", "scope": "openid email",
                           "state": "s"}, browser=b3)
r = b3.authorize(P(C3, state="s2", prompt="none",
                   claims=cl(userinfo=["email", "email_verified"])))
check("claims released by a consented scope need no new consent",
      (parse_response(r, RP) or {}).get("code"), r)
r = b3.authorize(P(C3, state="s3", scope="openid email",
                   claims=cl(userinfo=["email", "name"]), prompt="consent"))
t = items(r) if classify(r) == "consent" else ""
check("the page lists a claim outside the requested scope, not one inside "
      "it", "(name)" in t and "(email)" in t and t.count("(email)") == 1, t)

# ---- (e) deny: access_denied, nothing released, nothing remembered --------

C2 = make_client()
b2 = Browser()
r = b2.authorize(P(C2, state="deny", claims=cl(userinfo=["email", "name"])))
if classify(r) == "login":
    r = b2.login(r, U, PW)
if check("(e) the consent page is shown", classify(r) == "consent", r):
    t = items(r)
    check("(e) the page lists both claims", "(email)" in t and "(name)" in t,
          t)
    r = b2.consent(r, "deny")
    d = parse_response(r, RP) or {}
    check("(e) deny: access_denied and no code",
          d.get("error") == "access_denied" and "code" not in d, d)
check("(e) deny stores no consent", consent_row(C2) == "", consent_row(C2))
r = b2.authorize(P(C2, state="deny2", prompt="none",
                   claims=cl(userinfo=["email"])))
d = parse_response(r, RP) or {}
check("(e) after deny, prompt=none: consent_required",
      d.get("error") == "consent_required", d)

# ---- a request_uri that changes behind the consent page -------------------
# The pages carry the fetched object by value (issue 15 item 6), so a
# client that serves more scope or claims once the page is shown gets
# nothing of it: what the user saw is what is issued and remembered.

srv = ObjectServer()
ru = srv.base + "/o.jwt"
RU = make_client(["code"], request_object_signing_alg="none",
                 request_uris=[ru])
now = int(time.time())
obj = {"iss": RU["client_id"], "aud": ISSUER, "client_id": RU["client_id"],
       "response_type": "code", "redirect_uri": RU["redirect_uris"][0],
       "scope": "openid", "state": "ru", "exp": now + 300, "iat": now}
srv.objects["/o.jwt"] = unsigned_jwt(obj).encode()
r = b.authorize({"client_id": RU["client_id"], "response_type": "code",
                 "redirect_uri": RU["redirect_uris"][0], "scope": "openid",
                 "request_uri": ru})
if check("request_uri: the consent page lists openid only",
         classify(r) == "consent" and "(openid)" in items(r) and
         "(email)" not in items(r), r):
    srv.objects["/o.jwt"] = unsigned_jwt(dict(obj, scope="openid phone",
        claims={"userinfo": {"email": None, "name": None}})).encode()
    r = b.consent(r, "allow")
    d = parse_response(r, RP) or {}
    check("request_uri widened behind the page: the code of the page shown",
          bool(d.get("code")), (classify(r), d))
    if d.get("code"):
        ui, _ = tokens_for(RU, d["code"])
        check("request_uri widened behind the page: nothing more released",
              "email" not in ui and "name" not in ui and
              "phone_number" not in ui, ui)
    check("request_uri widened behind the page: only openid remembered",
          consent_row(RU).strip() == "openid |", consent_row(RU))
srv.stop()

# ---- first-party clients skip consent, as before ---------------------------

pages = []
res = run_flow(FP, U, PW, {"response_type": "code", "state": "fp",
                           "claims": cl(userinfo=["email", "name"])},
               browser=b, pages=pages)
check("first party: no consent page for claims", "consent" not in pages,
      pages)
if res.get("code"):
    ui, _ = tokens_for(FP, res["code"])
    check("first party: the claims asked for are released",
          ui.get("email") == "clara@example.com" and
          ui.get("name") == "Clara Claims", ui)

done()
