#!/usr/bin/env python3
"""46-pairwise: pairwise subject identifiers (OpenID Connect Core 1.0 8.1)
and sector_identifier_uri validation (OpenID Connect Dynamic Client
Registration 1.0 5), through the running stack.

run.sh sets pairwise_salt_file and outbound_allow_private (the sector
documents are served by a local http.server on 127.0.0.1).  Covered:
discovery advertises pairwise; two pairwise clients of different sectors
see different subs for one user, each the same at the ID Token, UserInfo
and introspection (which then names no username); two registered clients
sharing a sector_identifier_uri see one sub; a sector document that does
not list a redirect_uri, a missing document and a pairwise client with
redirect_uris on two hosts are 400 invalid_client_metadata; public
clients still see the local sub; an id_token_hint from a pairwise client
works with prompt=none and at end_session.
"""

import http.server
import json
import threading

from flow import (FlowError, make_client, make_user, parse_page, pkce_pair,
                  redeem, run_flow, user_sub, verify_id_token)
from oidctest import (check, done, get, is_json_error, post_form, request,
                      unique)
import oidctest

INITIAL = oidctest.env("OIDC_REG_INITIAL_TOKEN")

d = get("/.well-known/openid-configuration").json() or {}
check("discovery advertises public and pairwise subjects",
      sorted(d.get("subject_types_supported") or []) ==
      ["pairwise", "public"], d.get("subject_types_supported"))

user, pw = unique("pw"), "pairwise-password-1"
make_user(user, pw, {"email": user + "@example.com"})
LOCAL = user_sub(user)


def tokens(client, browser=None, extra=None):
    """Code flow with PKCE: (id_token claims, token response, browser)."""
    v, ch = pkce_pair()
    p = {"response_type": "code", "code_challenge": ch,
         "code_challenge_method": "S256", "scope": "openid email"}
    p.update(extra or {})
    res = run_flow(client, user, pw, p, browser=browser)
    if "code" not in res:
        raise FlowError("no code: %r" % res, res.get("_resp"))
    r = redeem(client, res["code"], verifier=v)
    tr = r.json() or {}
    problems, claims, _ = verify_id_token(tr.get("id_token", ""),
                                          client["client_id"], nonce=False)
    if problems:
        raise FlowError("ID Token: %s" % problems, r)
    return claims, tr, res["_browser"]


def userinfo_sub(tr):
    r = request("GET", "/userinfo", None,
                [("Authorization", "Bearer " + tr["access_token"])])
    return (r.json() or {}).get("sub")


def introspect(client, tr):
    r = post_form("/introspect", {"token": tr["access_token"]},
                  auth=(client["client_id"], client["client_secret"]))
    return r.json() or {}


def reg(body):
    return request("POST", "/register", json.dumps(body),
                   [("Authorization", "Bearer " + INITIAL),
                    ("Content-Type", "application/json")])


# ---- operator-made clients (oidcctl: no fetch, the host rule) ---------------

A = make_client(["code"], ["https://a.example/cb"], subject_type="pairwise")
B = make_client(["code"], ["https://b.example/cb", "https://b.example/x"],
                subject_type="pairwise")
P = make_client(["code"], ["https://p.example/cb"])

ca, ta, browser = tokens(A)
cb, tb, _ = tokens(B, browser)
cp, tp, _ = tokens(P, browser)
check("public client: the ID Token sub is the local sub",
      cp["sub"] == LOCAL, cp)
check("public client: UserInfo and introspection too",
      userinfo_sub(tp) == LOCAL and introspect(P, tp).get("sub") == LOCAL
      and introspect(P, tp).get("username") == user)
check("pairwise client: the sub is not the local sub",
      ca["sub"] != LOCAL and len(ca["sub"]) == 43, ca)
check("two pairwise clients of different sectors: different subs",
      ca["sub"] != cb["sub"] and cb["sub"] != LOCAL, (ca, cb))
check("pairwise: UserInfo sub equals the ID Token sub",
      userinfo_sub(ta) == ca["sub"] and userinfo_sub(tb) == cb["sub"])
ia = introspect(A, ta)
check("pairwise: introspection sub equals the ID Token sub, no username",
      ia.get("active") is True and ia.get("sub") == ca["sub"] and
      "username" not in ia, ia)
ca2, _, _ = tokens(A, browser)
check("pairwise sub is stable across grants", ca2["sub"] == ca["sub"])

# refresh: the new ID Token keeps the pairwise sub
if ta.get("refresh_token"):
    r = post_form("/token", {"grant_type": "refresh_token",
                             "refresh_token": ta["refresh_token"]},
                  auth=(A["client_id"], A["client_secret"]))
    rt = r.json() or {}
    _, rc, _ = verify_id_token(rt.get("id_token", ""), A["client_id"],
                               nonce=False)
    check("refresh: the ID Token keeps the pairwise sub",
          rc is not None and rc.get("sub") == ca["sub"], r)

rc_, out, err = oidctest.ctl("client", "create", stdin=json.dumps({
    "redirect_uris": ["https://a.example/cb", "https://z.example/cb"],
    "subject_type": "pairwise"}))
check("oidcctl: pairwise with redirect_uris on two hosts is refused",
      rc_ != 0 and "host" in err, err)

# ---- id_token_hint from a pairwise client ------------------------------------

res = run_flow(A, user, pw, {"response_type": "code", "prompt": "none",
                             "id_token_hint": ta["id_token"],
                             "code_challenge": pkce_pair()[1],
                             "code_challenge_method": "S256"},
               browser=browser)
check("prompt=none with a pairwise client's id_token_hint: a code, not "
      "login_required", "code" in res and "error" not in res, res)
res = run_flow(A, user, pw, {"response_type": "code", "prompt": "none",
                             "id_token_hint": tb["id_token"],
                             "code_challenge": pkce_pair()[1],
                             "code_challenge_method": "S256"},
               browser=browser)
check("prompt=none with another client's hint for the same user: a code",
      "code" in res, res)

# ---- sector_identifier_uri (registration fetches it) --------------------------

C1, C2 = "https://c1.example/cb", "https://c2.example/cb"
DOCS = {"/sector.json": [C1, C2], "/partial.json": [C1],
        "/object.json": {"redirect_uris": [C1]}}


class SectorHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        doc = DOCS.get(self.path)
        body = json.dumps(doc).encode() if doc is not None else b"{}"
        self.send_response(200 if doc is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


srv = http.server.HTTPServer(("127.0.0.1", 0), SectorHandler)
threading.Thread(target=srv.serve_forever, daemon=True).start()
BASE = "http://127.0.0.1:%d" % srv.server_address[1]

regd = []
for ruri in (C1, C2):
    r = reg({"redirect_uris": [ruri], "subject_type": "pairwise",
             "sector_identifier_uri": BASE + "/sector.json",
             "scope": "openid email"})
    check("registered a pairwise client with sector_identifier_uri (%s)"
          % ruri, r.status == 201, r)
    c = r.json() or {}
    c["redirect_uris"] = [ruri]
    regd.append(c)
if all(c.get("client_id") for c in regd):
    s1, t1, _ = tokens(regd[0], browser)
    s2, t2, _ = tokens(regd[1], browser)
    check("two clients of one sector_identifier_uri: the same sub",
          s1["sub"] == s2["sub"] and s1["sub"] != LOCAL, (s1, s2))
    check("... and not the sub of another sector",
          s1["sub"] not in (ca["sub"], cb["sub"]))
    check("sector client: UserInfo sub equals the ID Token sub",
          userinfo_sub(t1) == s1["sub"])

bad = [
    ("a sector document not listing a redirect_uri",
     {"redirect_uris": [C1, C2], "subject_type": "pairwise",
      "sector_identifier_uri": BASE + "/partial.json"}),
    ("a sector document that is not an array",
     {"redirect_uris": [C1], "subject_type": "pairwise",
      "sector_identifier_uri": BASE + "/object.json"}),
    ("a sector document that is missing (404)",
     {"redirect_uris": [C1], "subject_type": "pairwise",
      "sector_identifier_uri": BASE + "/none.json"}),
    ("a pairwise client with redirect_uris on two hosts",
     {"redirect_uris": [C1, C2], "subject_type": "pairwise"}),
    ("a subject_type that is neither public nor pairwise",
     {"redirect_uris": [C1], "subject_type": "secret"}),
]
for name, meta in bad:
    r = reg(meta)
    check("register: %s is 400 invalid_client_metadata" % name,
          r.status == 400 and is_json_error(r, "invalid_client_metadata"),
          r)

r = reg({"redirect_uris": [C1], "subject_type": "public"})
check("register: a public client is unchanged (201)", r.status == 201, r)

# update: PUT re-checks the document
if regd and regd[0].get("client_id"):
    c = regd[0]
    body = {"client_id": c["client_id"], "redirect_uris": [C1, C2,
            "https://c3.example/cb"], "subject_type": "pairwise",
            "sector_identifier_uri": BASE + "/sector.json"}
    r = request("PUT", "/register/" + c["client_id"], json.dumps(body),
                [("Authorization", "Bearer " +
                  c["registration_access_token"]),
                 ("Content-Type", "application/json")])
    check("PUT: a redirect_uri missing from the sector document is 400",
          r.status == 400 and is_json_error(r, "invalid_client_metadata"),
          r)

# ---- end_session with a pairwise client's hint --------------------------------

r = browser.get("/end_session?id_token_hint=" + ta["id_token"])
text = parse_page(r).visible_text() if r.status == 200 else ""
check("end_session with a pairwise client's id_token_hint signs out "
      "without the confirmation page",
      r.status == 200 and "Signed out" in text and "Sign out?" not in text,
      r)

done()
