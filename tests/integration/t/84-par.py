#!/usr/bin/env python3
"""84-par: Pushed Authorization Requests, RFC 9126 (issue 21 item 1).

par.fcgi at /par: client authentication as at /token; the parameters (or a
request object) checked up front with /authorize's rules, refused as JSON
400 with /authorize's errors; a one-time request_uri
(urn:ietf:params:oauth:request_uri:..., expires_in 60) that /authorize
redeems once, for the same client, using the pushed parameters only.  Then
require_pushed_authorization_requests per client and provider-wide
(par_required), and par = no.  The harness config (run.sh) has par = yes.
"""
# oidctest: lighttpd
import json
import os
import re
import threading

from oidctest import *
from flow import *
from hardening import ask, check_log, config_with, spawn

URN = "urn:ietf:params:oauth:request_uri:"
URI_RE = re.compile(r"^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$")

if not have_endpoint("par"):
    check("par.fcgi is built and running", False)
    done()

PW = "par " + unique("pw")
U = unique("par")
make_user(U, PW)
C = make_client(response_types=["code", "id_token", "code id_token"])
C2 = make_client()
PUB = make_client(public=True, response_types=["code"], first_party=True)
NONE_OBJ = make_client(first_party=True, response_types=["code"])
REQ = make_client(first_party=True, response_types=["code"],
                  require_pushed_authorization_requests=True)


def push(c, params, auth=True, **kw):
    """POST /par: client_secret_basic for a client with a secret (auth),
    else client_id in the body."""
    p = {"response_type": "code", "scope": "openid",
         "redirect_uri": c["redirect_uris"][0]}
    p.update(params)
    p = {k: v for k, v in p.items() if v is not None}
    if auth and c.get("client_secret"):
        return post_form("/par", p, auth=(c["client_id"],
                                          c["client_secret"]), **kw)
    p.setdefault("client_id", c["client_id"])
    return post_form("/par", p, **kw)


def pushed_uri(r):
    j = r.json() if r is not None else None
    return j.get("request_uri") if isinstance(j, dict) else None


def is_error_page(r, code):
    return r is not None and r.status == 400 and \
        r.content_type() == "text/html" and r.header("Location") is None \
        and code in r.text


def through(b, r, consent="allow"):
    """Login and consent pages until the authorization response."""
    for _ in range(4):
        kind = classify(r)
        if kind == "login":
            r = b.login(r, U, PW)
        elif kind == "consent":
            r = b.consent(r, consent)
        else:
            break
    return r


def ref_of(uri):
    return uri[len(URN):]


def rows_of(uri):
    """(rows keyed by SHA-256 of the reference, rows holding it in clear)."""
    q = ref_of(uri).replace("'", "''")
    return (int(psql("SELECT count(*) FROM pushed_request WHERE uri_hash = "
                     "sha256(convert_to('%s', 'UTF8'))" % q)),
            int(psql("SELECT count(*) FROM pushed_request p WHERE "
                     "strpos(row_to_json(p)::text, '%s') > 0" % q)))


# ---- discovery ---------------------------------------------------------------

disco = get("/.well-known/openid-configuration").json() or {}
check("discovery: pushed_authorization_request_endpoint is /par",
      disco.get("pushed_authorization_request_endpoint") == ISSUER + "/par",
      disco)
check("discovery: no require_pushed_authorization_requests without "
      "par_required", "require_pushed_authorization_requests" not in disco,
      disco)

# ---- accepted: push, redeem once, the pushed parameters only ----------------

verifier, challenge = pkce_pair()
nonce = new_nonce()
r = push(C, {"state": "pushed-state", "nonce": nonce, "scope": "openid email",
             "code_challenge": challenge, "code_challenge_method": "S256"})
uri = pushed_uri(r)
check("push: 201 with a request_uri urn:ietf:params:oauth:request_uri:<43>",
      r.status == 201 and uri is not None and URI_RE.match(uri) is not None,
      r)
check("push: expires_in 60 (par_ttl), Cache-Control no-store",
      (r.json() or {}).get("expires_in") == 60 and
      "no-store" in (r.header("Cache-Control") or ""), r)
if uri is None:
    done()
n_hash, n_clear = rows_of(uri)
check("push: stored under SHA-256 of the reference, never in clear",
      n_hash == 1 and n_clear == 0, (n_hash, n_clear))

b = Browser()
query = {"client_id": C["client_id"], "request_uri": uri,
         "state": "query-state", "scope": "openid profile",
         "redirect_uri": "https://evil.example/cb"}
r = b.authorize(query)
check("authorize: the login page (the query's unregistered redirect_uri is "
      "ignored)", classify(r) == "login", r)
r = through(b, r)
d = parse_response(r, C["redirect_uris"][0]) or {}
check("authorize: a code at the pushed redirect_uri with the pushed state",
      bool(d.get("code")) and d.get("state") == "pushed-state" and
      d.get("_base") == C["redirect_uris"][0], d or r)
if d.get("code"):
    t = redeem(C, d["code"], verifier=verifier)
    tj = t.json() or {}
    probs, claims, _ = verify_id_token(tj.get("id_token", ""), C["client_id"],
                                       nonce=nonce)
    check("token: the code redeems with the pushed code_challenge; the ID "
          "Token carries the pushed nonce", t.status == 200 and not probs,
          (t, probs))
    check("token: the pushed scope (not the query's)",
          set((tj.get("scope") or "").split()) == {"openid", "email"}, tj)

r = b.authorize(query)
check("authorize: the same request_uri again: invalid_request_uri page",
      is_error_page(r, "invalid_request_uri"), r)

# Expired (the row's expiry moved into the past, as after 60 s).
r = push(C, {"state": "s"})
uri = pushed_uri(r)
psql("UPDATE pushed_request SET expires_at = now() - interval '1 second' "
     "WHERE uri_hash = sha256(convert_to('%s', 'UTF8'))" % ref_of(uri))
r = Browser().authorize({"client_id": C["client_id"], "request_uri": uri})
check("authorize: an expired request_uri: invalid_request_uri page",
      is_error_page(r, "invalid_request_uri"), r)

# oidcctl purge deletes expired rows (no new push needed), keeps live ones.
live = ref_of(pushed_uri(push(C, {"state": "live"})))
rc, out, errout = ctl("purge")
left = psql("SELECT count(*) FILTER (WHERE expires_at < now()), "
            "count(*) FILTER (WHERE uri_hash = sha256(convert_to('%s', "
            "'UTF8'))) FROM pushed_request" % live).strip()
check("oidcctl purge deletes expired pushed requests, keeps a live one",
      rc == 0 and left == "0|1", (rc, out, errout, left))

# Another client's request_uri: refused, and not spent for its owner.
uri = pushed_uri(push(C, {"state": "owner"}))
r = Browser().authorize({"client_id": C2["client_id"], "request_uri": uri})
check("authorize: another client's request_uri: invalid_request_uri page",
      is_error_page(r, "invalid_request_uri"), r)
b = Browser()
r = through(b, b.authorize({"client_id": C["client_id"], "request_uri": uri}))
d = parse_response(r, C["redirect_uris"][0]) or {}
check("authorize: ... and its owner can still redeem it",
      d.get("state") == "owner" and bool(d.get("code")), d or r)

for name, bad in (("unknown", URN + "A" * 43),
                  ("malformed", URN + "short"),
                  ("non-base64url", URN + "A" * 42 + "+")):
    r = Browser().authorize({"client_id": C["client_id"], "request_uri": bad})
    check("authorize: an %s pushed request_uri: invalid_request_uri page" %
          name, is_error_page(r, "invalid_request_uri"), r)

# Redeemed exactly once under concurrency: one login page, the rest refused.
uri = pushed_uri(push(C, {"state": "race"}))
results = []


def race():
    results.append(Browser().authorize({"client_id": C["client_id"],
                                        "request_uri": uri}))


threads = [threading.Thread(target=race) for _ in range(6)]
for t in threads:
    t.start()
for t in threads:
    t.join()
kinds = [classify(x) for x in results]
check("authorize: six concurrent redemptions: exactly one login page, five "
      "invalid_request_uri", kinds.count("login") == 1 and
      sum(is_error_page(x, "invalid_request_uri") for x in results) == 5,
      kinds)

# Consent page of a pushed request: the pages carry the pushed parameters.
b = Browser()
uri = pushed_uri(push(C2, {"state": "consent", "scope": "openid phone"}))
r = b.authorize({"client_id": C2["client_id"], "request_uri": uri})
kinds = []
for _ in range(4):
    k = classify(r)
    kinds.append(k)
    if k == "login":
        r = b.login(r, U, PW)
    elif k == "consent":
        r = b.consent(r, "allow")
    else:
        break
d = parse_response(r, C2["redirect_uris"][0]) or {}
check("authorize: login and consent pages of a pushed request end in its "
      "code and state", "consent" in kinds and bool(d.get("code")) and
      d.get("state") == "consent", (kinds, d or r))

# A public client: client_id in the body, PKCE required as at /authorize.
r = push(PUB, {"state": "pub"})
check("push: a public client without PKCE: 400 invalid_request (as "
      "/authorize)", r.status == 400 and is_json_error(r, "invalid_request"),
      r)
v2, c2 = pkce_pair()
r = push(PUB, {"state": "pub", "code_challenge": c2,
               "code_challenge_method": "S256"})
uri = pushed_uri(r)
check("push: a public client with PKCE: 201", r.status == 201 and
      uri is not None, r)
if uri:
    b = Browser()
    r = through(b, b.authorize({"client_id": PUB["client_id"],
                                "request_uri": uri}))
    d = parse_response(r, PUB["redirect_uris"][0]) or {}
    t = redeem(PUB, d.get("code", ""), verifier=v2)
    check("public client: the pushed request's code redeems",
          t.status == 200, (d, t))

# A request object pushed (unsigned: the client registered no alg).
o = {"iss": NONE_OBJ["client_id"], "aud": ISSUER,
     "client_id": NONE_OBJ["client_id"], "response_type": "code",
     "redirect_uri": NONE_OBJ["redirect_uris"][0], "scope": "openid",
     "state": "from-object"}
r = push(NONE_OBJ, {"request": unsigned_jwt(o), "state": "from-form",
                    "redirect_uri": None, "scope": None})
uri = pushed_uri(r)
check("push: a request object: 201", r.status == 201 and uri is not None, r)
if uri:
    b = Browser()
    r = through(b, b.authorize({"client_id": NONE_OBJ["client_id"],
                                "request_uri": uri}))
    d = parse_response(r, NONE_OBJ["redirect_uris"][0]) or {}
    check("authorize: the pushed object's members won (its state)",
          bool(d.get("code")) and d.get("state") == "from-object", d or r)
# RFC 9126 3 / RFC 9101 5: only the object's members are used.
o3 = {k: v for k, v in o.items() if k != "state"}
r = push(NONE_OBJ, {"request": unsigned_jwt(o3), "state": "from-form",
                    "redirect_uri": None, "scope": None})
uri = pushed_uri(r)
b = Browser()
r = through(b, b.authorize({"client_id": NONE_OBJ["client_id"],
                            "request_uri": uri or ""}))
d = parse_response(r, NONE_OBJ["redirect_uris"][0]) or {}
check("authorize: a form parameter outside the pushed object is ignored "
      "(no state)", bool(d.get("code")) and "state" not in d, d or r)
o2 = dict(o, client_id="someone-else")
r = push(NONE_OBJ, {"request": unsigned_jwt(o2)})
check("push: a request object naming another client_id: 400 "
      "invalid_request_object", is_json_error(r, "invalid_request_object")
      and r.status == 400, r)

# ---- refused at /par ---------------------------------------------------------

r = push(C, {"request_uri": URN + "A" * 43})
check("push: a request_uri parameter: 400 invalid_request",
      r.status == 400 and is_json_error(r, "invalid_request"), r)
r = post_form("/par", {"response_type": "code", "scope": "openid",
                       "redirect_uri": C["redirect_uris"][0]},
              auth=(C["client_id"], "wrong-secret"))
check("push: a wrong client secret: 401 invalid_client",
      r.status == 401 and is_json_error(r, "invalid_client"), r)
r = post_form("/par", {"response_type": "code", "scope": "openid",
                       "client_id": C["client_id"],
                       "redirect_uri": C["redirect_uris"][0]})
check("push: a confidential client without its secret: 401 invalid_client",
      r.status == 401 and is_json_error(r, "invalid_client"), r)
r = post_form("/par", {"response_type": "code", "scope": "openid",
                       "client_id": "no-such-client",
                       "redirect_uri": C["redirect_uris"][0]})
check("push: an unknown client: 401 invalid_client",
      r.status == 401 and is_json_error(r, "invalid_client"), r)

_, ch = pkce_pair()
for name, params, code in (
        ("no redirect_uri", {"redirect_uri": None}, "invalid_request"),
        ("an unregistered redirect_uri",
         {"redirect_uri": "https://evil.example/cb"}, "invalid_request"),
        ("another client_id", {"client_id": C2["client_id"]},
         "invalid_request"),
        ("response_type token", {"response_type": "token"},
         "unsupported_response_type"),
        ("no response_type", {"response_type": None}, "invalid_request"),
        ("an unregistered response_type", {"response_type": "code token"},
         "unauthorized_client"),
        ("id_token without openid", {"response_type": "id_token",
                                     "scope": "email", "nonce": "n"},
         "invalid_scope"),
        ("id_token without nonce", {"response_type": "id_token"},
         "invalid_request"),
        ("code_challenge_method plain", {"code_challenge": ch,
                                         "code_challenge_method": "plain"},
         "invalid_request"),
        ("prompt none with login", {"prompt": "none login"},
         "invalid_request"),
        ("a malformed claims", {"claims": "{"}, "invalid_request"),
        ("unsupported response_mode", {"response_mode": "web_message"},
         "invalid_request")):
    r = push(C, params)
    check("push: %s: 400 %s (as /authorize, in JSON)" % (name, code),
          r.status == 400 and is_json_error(r, code), r)

r = get("/par")
check("GET /par: 405", r.status == 405, r)
expect_error_log("client intended to send too large body|"
                 "request-size too long")
r = post_raw("/par", b"x=" + b"a" * (70 * 1024),
             "application/x-www-form-urlencoded")
check("push: a body over 64 KiB: 413", r.status == 413, r)

# The audit line of a push (docs/AUDIT.md): the client, never the URI.
with open(os.path.join(env("OIDC_TMP"), "log", "par.log"), "rb") as f:
    plog = f.read().decode("utf-8", "replace")
pushes = [l for l in plog.splitlines() if "event=par.pushed" in l]
check("audit: par.pushed lines name the client_id and never a request_uri",
      any('client_id="%s"' % C["client_id"] in l for l in pushes) and
      URN not in plog, pushes[:3])

# ---- require_pushed_authorization_requests -----------------------------------

# RFC 7591 registration metadata (run.sh: registration = token).
hdrs = [("Authorization", "Bearer " + env("OIDC_REG_INITIAL_TOKEN")),
        ("Content-Type", "application/json")]
meta = {"redirect_uris": ["https://rp.example/cb"]}
r = request("POST", "/register", json.dumps(dict(
    meta, require_pushed_authorization_requests=True)), hdrs)
check("register: require_pushed_authorization_requests true is kept",
      r.status == 201 and (r.json() or {}).get(
          "require_pushed_authorization_requests") is True, r)
r = request("POST", "/register", json.dumps(dict(
    meta, require_pushed_authorization_requests="yes")), hdrs)
check("register: require_pushed_authorization_requests not a boolean: 400 "
      "invalid_client_metadata", r.status == 400 and
      is_json_error(r, "invalid_client_metadata"), r)

p = {"client_id": REQ["client_id"], "redirect_uri": REQ["redirect_uris"][0],
     "response_type": "code", "scope": "openid", "state": "plain"}
r = Browser().authorize(p)
d = parse_response(r, REQ["redirect_uris"][0]) or {}
check("client require_pushed_authorization_requests: a plain request is "
      "refused with invalid_request at its redirect_uri",
      d.get("error") == "invalid_request" and d.get("state") == "plain" and
      not d.get("code"), d or r)
uri = pushed_uri(push(REQ, {"state": "req"}))
b = Browser()
r = b.authorize({"client_id": REQ["client_id"], "request_uri": uri})
check("client require_pushed_authorization_requests: a pushed request "
      "shows the login page", classify(r) == "login", r)
r = through(b, r)
d = parse_response(r, REQ["redirect_uris"][0]) or {}
check("... whose post (carrying the pushed parameters) ends in a code",
      bool(d.get("code")) and d.get("state") == "req", d or r)
r = through(b, b.authorize(p))
d = parse_response(r, REQ["redirect_uris"][0]) or {}
check("... and a plain request is still refused once signed in",
      d.get("error") == "invalid_request" and not d.get("code"), d or r)


# Provider-wide: par_required.
cfg = config_with("par-required", {"par": "par = yes",
                                   "par_required": "par_required = yes"})
wd = spawn("par-required", "discovery", cfg)
wa = spawn("par-required", "authorize", cfg)
r = ask(wd, "GET", "/.well-known/openid-configuration")
dj = r.json() if r is not None else None
check("par_required: discovery says require_pushed_authorization_requests",
      isinstance(dj, dict) and
      dj.get("require_pushed_authorization_requests") is True and
      dj.get("pushed_authorization_request_endpoint") == ISSUER + "/par",
      r)
q = form_encode({"client_id": C["client_id"],
                 "redirect_uri": C["redirect_uris"][0],
                 "response_type": "code", "scope": "openid", "state": "x"})
r = ask(wa, "GET", "/authorize", q)
d = parse_response(r, C["redirect_uris"][0]) or {}
check("par_required: a plain request is refused with invalid_request",
      d.get("error") == "invalid_request" and not d.get("code"), d or r)
uri = pushed_uri(push(C, {"state": "y"}))
r = ask(wa, "GET", "/authorize", form_encode({"client_id": C["client_id"],
                                               "request_uri": uri}))
check("par_required: a pushed request is served (the login page)",
      r is not None and r.status == 200 and classify(r) == "login", r)
wa.stop()
wd.stop()

# par = no: not advertised, /par 404, a pushed URN is not redeemed.
cfg = config_with("par-off", {"par": "par = no"})
wd = spawn("par-off", "discovery", cfg)
wp = spawn("par-off", "par", cfg)
wa = spawn("par-off", "authorize", cfg)
r = ask(wd, "GET", "/.well-known/openid-configuration")
dj = (r.json() if r is not None else None) or {}
check("par = no: discovery has no pushed_authorization_request_endpoint",
      r is not None and r.status == 200 and
      "pushed_authorization_request_endpoint" not in dj and
      "require_pushed_authorization_requests" not in dj, r)
body = form_encode({"client_id": PUB["client_id"], "response_type": "code",
                    "scope": "openid", "code_challenge": c2,
                    "code_challenge_method": "S256",
                    "redirect_uri": PUB["redirect_uris"][0]}).encode()
r = ask(wp, "POST", "/par", body=body,
        ctype="application/x-www-form-urlencoded")
check("par = no: POST /par answers 404", r is not None and r.status == 404,
      r)
uri = pushed_uri(push(C, {"state": "z"}))
r = ask(wa, "GET", "/authorize", form_encode({"client_id": C["client_id"],
                                               "request_uri": uri}))
check("par = no: /authorize does not redeem a pushed request_uri "
      "(invalid_request_uri)", r is not None and r.status == 400 and
      "invalid_request_uri" in r.text, r)
for w in (wd, wp, wa):
    w.stop()
    check_log(w.log, allow_error=None)

done()
