#!/usr/bin/env python3
"""84-jarm: JWT Secured Authorization Response Mode (JARM, OpenID
Foundation final; issue 21 item 5).

The harness runs with `jarm = yes`.  Checked, every JWT verified by an
independent implementation (Debian's python3-jwcrypto) against the key
/jwks publishes under the JWT's kid (or the client secret for HS256):

  - discovery lists query.jwt, fragment.jwt, form_post.jwt and jwt, and
    authorization_signing_alg_values_supported (never "none"), and no
    authorization_encryption_* (encryption is not supported);
  - each response type in the .jwt modes: the response is the single
    parameter "response" in the mode asked for ("jwt": query.jwt for code,
    fragment.jwt otherwise; JARM 2.3.4), a JWT signed with the client's
    authorization_signed_response_alg (RS256 when none, ES256, HS256 with
    the client secret) whose claims are iss, aud = client_id, exp at most
    ten minutes ahead, state and the response parameters; the code in it
    redeems at /token, the ID Token in it verifies;
  - errors are JARM responses too: prompt=none without a session
    (login_required), a denied consent (access_denied, form_post.jwt),
    query.jwt with a response type that returns tokens (invalid_request,
    JARM 2.3.1: sent as fragment.jwt), and an unapproved client's error
    page links to the signed response;
  - the plain modes stay unsigned with JARM on;
  - client metadata: authorization_signed_response_alg through /register
    and `oidcctl client create/update` ("none", unknown names, HS* for a
    client without a secret and authorization_encrypted_response_* are
    refused with invalid_client_metadata / exit 2);
  - with JARM off (private authorize and discovery workers whose oidc.conf
    lacks the line), discovery lists the three plain modes only and a .jwt
    mode is refused with invalid_request, unsigned, in the default mode.
"""
# oidctest: lighttpd
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse

try:
    from jwcrypto import jwk, jws
except ImportError:
    # A pyenv or venv python3 may lack Debian's package: use the system one.
    if sys.executable != "/usr/bin/python3" and os.path.exists(
            "/usr/bin/python3") and subprocess.run(
            ["/usr/bin/python3", "-c", "import jwcrypto"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL).returncode == 0:
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    jwk = None

from oidctest import *
from flow import *
from hardening import check_log, private_dir, spawn

if not check("JARM: python3-jwcrypto importable (apt-get install "
             "python3-jwcrypto)", jwk is not None):
    done()

INITIAL = env("OIDC_REG_INITIAL_TOKEN")
PW = "jarm " + unique("pw")
U = unique("jarm")
make_user(U, PW)
RS = make_client(first_party=True)                  # no alg: RS256
ES = make_client(first_party=True, authorization_signed_response_alg="ES256")
HS = make_client(first_party=True, authorization_signed_response_alg="HS256")
NFP = make_client()                                 # consent page
b = Browser()
run_flow(RS, U, PW, {"response_type": "code", "state": "login"}, browser=b)


def jwks():
    r = get("/jwks")
    return (r.json() or {}).get("keys", []) if r.status == 200 else []


PUBLISHED = jwks()


def verify(token, alg, secret=None):
    """(claims or None, why): token verified by jwcrypto under alg with
    the /jwks key its kid names, or the client secret for HS*."""
    try:
        hdr = json.loads(b64url_decode(token.split(".")[0]))
    except (ValueError, IndexError, AttributeError) as e:
        return None, "malformed: %r" % e
    if hdr.get("alg") != alg:
        return None, "header alg %r, want %s" % (hdr.get("alg"), alg)
    if secret is not None:
        key = jwk.JWK(kty="oct", k=b64url(secret.encode()))
    else:
        k = next((k for k in PUBLISHED if k.get("kid") == hdr.get("kid")),
                 None)
        if k is None:
            return None, "kid %r not in /jwks" % hdr.get("kid")
        key = jwk.JWK(**k)
    try:
        s = jws.JWS()
        s.deserialize(token)
        s.verify(key, alg=alg)
        return json.loads(s.payload), "ok"
    except Exception as e:  # noqa: BLE001 - report any verifier failure
        return None, "jwcrypto: %r" % e


def jarm(name, d, client, mode, alg="RS256", secret=None):
    """The claims of the JARM response d (parse_response), checked: the
    mode, "response" alone, the signature, iss, aud, exp."""
    if not check("%s: an authorization response" % name, d is not None, d):
        return {}
    params = sorted(k for k in d if not k.startswith("_"))
    check("%s: delivered by %s" % (name, mode), d["_mode"] == mode, d)
    check("%s: the one parameter \"response\" (JARM 2.3)" % name,
          params == ["response"] and not d.get("_leak"), params)
    claims, why = verify(d.get("response", ""), alg, secret)
    if not check("%s: a JWT signed with %s, verified by jwcrypto" %
                 (name, alg), claims is not None, why):
        return {}
    now = time.time()
    check("%s: iss the issuer, aud the client_id" % name,
          claims.get("iss") == ISSUER and
          claims.get("aud") == client["client_id"], claims)
    check("%s: exp ahead, at most ten minutes (JARM 2.1)" % name,
          isinstance(claims.get("exp"), int) and
          now < claims["exp"] <= now + 600 + 5, claims)
    return claims


# ---- discovery -------------------------------------------------------------

disco = get("/.well-known/openid-configuration").json() or {}
modes = disco.get("response_modes_supported", [])
check("discovery: the JARM modes listed",
      all(m in modes for m in ("query", "fragment", "form_post", "query.jwt",
                               "fragment.jwt", "form_post.jwt", "jwt")),
      modes)
algs = disco.get("authorization_signing_alg_values_supported")
check("discovery: authorization_signing_alg_values_supported has RS256, "
      "ES256 and HS256, not none", isinstance(algs, list) and
      all(a in algs for a in ("RS256", "ES256", "HS256")) and
      "none" not in algs, algs)
check("discovery: no authorization_encryption_* (not supported)",
      not any(k.startswith("authorization_encryption") for k in disco),
      sorted(disco))

# ---- success responses, every response type --------------------------------

CASES = [("code", "jwt", "query"), ("code", "query.jwt", "query"),
         ("code", "fragment.jwt", "fragment"),
         ("code", "form_post.jwt", "form_post"),
         ("id_token", "jwt", "fragment"),
         ("id_token", "fragment.jwt", "fragment"),
         ("id_token", "form_post.jwt", "form_post"),
         ("id_token token", "jwt", "fragment"),
         ("code id_token", "jwt", "fragment"),
         ("code token", "form_post.jwt", "form_post"),
         ("code id_token token", "fragment.jwt", "fragment")]

for rt, rm, mode in CASES:
    name = "%s, response_mode=%s" % (rt, rm)
    state, nonce = unique("st"), new_nonce()
    try:
        d = run_flow(RS, U, PW, {"response_type": rt, "response_mode": rm,
                                 "state": state, "nonce": nonce}, browser=b)
    except FlowError as e:
        check("%s: flow" % name, False, e)
        continue
    c = jarm(name, d, RS, mode)
    words = set(rt.split())
    check("%s: state in the JWT" % name, c.get("state") == state, c)
    check("%s: code, access_token and id_token as the response type says"
          % name, ("code" in c) == ("code" in words) and
          ("access_token" in c) == ("token" in words) and
          ("id_token" in c) == ("id_token" in words) and "error" not in c,
          c)
    if "token" in words:
        check("%s: token_type Bearer, expires_in" % name,
              c.get("token_type") == "Bearer" and
              str(c.get("expires_in", "")).isdigit(), c)
    if "id_token" in c:
        idc, why = verify(c["id_token"], "RS256")
        check("%s: the ID Token in it verifies, with the nonce" % name,
              idc is not None and idc.get("nonce") == nonce and
              idc.get("aud") == RS["client_id"], why)
    if "code" in c:
        r = redeem(RS, c["code"])
        check("%s: the code in the JWT redeems at /token" % name,
              r.status == 200 and "access_token" in (r.json() or {}), r)

# ---- the client's algorithm ------------------------------------------------

for client, alg, secret in ((ES, "ES256", None),
                            (HS, "HS256", HS.get("client_secret"))):
    name = "client with authorization_signed_response_alg %s" % alg
    state = unique("st")
    d = run_flow(client, U, PW, {"response_type": "code",
                                 "response_mode": "jwt", "state": state},
                 browser=b)
    c = jarm(name, d, client, "query", alg, secret)
    check("%s: code and state" % name,
          "code" in c and c.get("state") == state, c)
    wrong, _ = verify(d.get("response", ""), "RS256")
    check("%s: not verifiable as RS256" % name, wrong is None)

# ---- the plain modes stay plain --------------------------------------------

d = run_flow(RS, U, PW, {"response_type": "code", "response_mode": "query",
                         "state": "plain"}, browser=b)
check("JARM on, response_mode=query: a plain code response",
      d.get("_mode") == "query" and "code" in d and "response" not in d and
      d.get("state") == "plain" and d.get("iss") == ISSUER, d)

# ---- errors as JARM responses ----------------------------------------------

r = Browser().authorize({"client_id": RS["client_id"],
                         "redirect_uri": RS["redirect_uris"][0],
                         "scope": "openid", "response_type": "code",
                         "response_mode": "jwt", "prompt": "none",
                         "state": "e1"})
c = jarm("prompt=none without a session", parse_response(
    r, RS["redirect_uris"][0]), RS, "query")
check("prompt=none without a session: login_required, state, "
      "error_description in the JWT",
      c.get("error") == "login_required" and c.get("state") == "e1" and
      c.get("error_description") and "code" not in c, c)

r = b.authorize({"client_id": RS["client_id"],
                 "redirect_uri": RS["redirect_uris"][0], "scope": "openid",
                 "response_type": "id_token", "nonce": new_nonce(),
                 "response_mode": "query.jwt", "state": "e2"})
c = jarm("token_in_query: id_token with query.jwt", parse_response(
    r, RS["redirect_uris"][0]), RS, "fragment")
check("token_in_query: id_token with query.jwt refused (JARM 2.3.1): "
      "invalid_request, no ID Token",
      c.get("error") == "invalid_request" and c.get("state") == "e2" and
      "id_token" not in c and "query.jwt" in c.get("error_description", ""),
      c)

d = run_flow(NFP, U, PW, {"response_type": "code",
                          "response_mode": "form_post.jwt", "state": "e3"},
             consent="deny", browser=b)
check("consent denied: the consent page was shown",
      "consent" in d.get("_pages", []), d.get("_pages"))
c = jarm("consent denied, form_post.jwt", d, NFP, "form_post")
check("consent denied: access_denied in the JWT",
      c.get("error") == "access_denied" and c.get("state") == "e3", c)

# An unapproved (dynamically registered) client: its error is a page that
# links to the redirect_uri with the signed response (issue 15 item 8).
LEAVE = "https://jarm-%s.example/cb" % unique("h").replace("_", "-").lower()
r = request("POST", "/register", json.dumps(
    {"redirect_uris": [LEAVE], "authorization_signed_response_alg": "ES256"}),
    [("Authorization", "Bearer " + INITIAL),
     ("Content-Type", "application/json")])
reg = r.json() or {}
check("/register with authorization_signed_response_alg ES256: 201, "
      "echoed", r.status == 201 and
      reg.get("authorization_signed_response_alg") == "ES256", r)
if reg.get("client_id"):
    r = get("/authorize?" + urllib.parse.urlencode(
        {"client_id": reg["client_id"], "redirect_uri": LEAVE,
         "scope": "openid", "response_type": "no_such_type",
         "response_mode": "query.jwt", "state": "e4"}))
    m = re.search(r'href="([^"]*)"', r.text if r.body else "")
    href = m.group(1).replace("&amp;", "&") if m else ""
    u = urllib.parse.urlsplit(href)
    q = dict(urllib.parse.parse_qsl(u.query))
    check("unapproved client: the error is a page (200, no Location) "
          "linking to the redirect_uri",
          r.status == 200 and r.header("Location") is None and
          href.startswith(LEAVE + "?"), r)
    c, why = verify(q.get("response", ""), "ES256")
    check("unapproved client: the link carries the ES256 JARM response "
          "(unsupported_response_type, state)", c is not None and
          c.get("error") == "unsupported_response_type" and
          c.get("state") == "e4" and c.get("aud") == reg["client_id"] and
          sorted(q) == ["response"], why if c is None else c)

# ---- client metadata -------------------------------------------------------


def register(meta):
    return request("POST", "/register", json.dumps(meta),
                   [("Authorization", "Bearer " + INITIAL),
                    ("Content-Type", "application/json")])


for label, extra in (
        ("alg_none: authorization_signed_response_alg none",
         {"authorization_signed_response_alg": "none"}),
        ("an unknown authorization_signed_response_alg",
         {"authorization_signed_response_alg": "RS1"}),
        ("authorization_signed_response_alg not a string",
         {"authorization_signed_response_alg": ["RS256"]}),
        ("HS256 for a client without a secret",
         {"authorization_signed_response_alg": "HS256",
          "token_endpoint_auth_method": "none"}),
        ("authorization_encrypted_response_alg (not supported)",
         {"authorization_encrypted_response_alg": "RSA-OAEP-256"}),
        ("authorization_encrypted_response_enc (not supported)",
         {"authorization_encrypted_response_enc": "A128GCM"})):
    m = {"redirect_uris": [RP]}
    m.update(extra)
    r = register(m)
    check("/register refuses %s: 400 invalid_client_metadata" % label,
          is_json_error(r, "invalid_client_metadata"), r)

rc, out, err = ctl("client", "create", stdin=json.dumps(
    {"redirect_uris": [RP], "authorization_signed_response_alg": "none"}))
check("oidcctl client create refuses authorization_signed_response_alg "
      "none (exit 2)", rc == 2, (rc, out, err))
rc, out, err = ctl("client", "create", stdin=json.dumps(
    {"redirect_uris": [RP],
     "authorization_encrypted_response_alg": "RSA-OAEP-256"}))
check("oidcctl client create refuses authorization_encrypted_response_alg "
      "(exit 2)", rc == 2, (rc, out, err))
rc, out, err = ctl("client", "update", RS["client_id"], stdin=json.dumps(
    {"redirect_uris": RS["redirect_uris"], "response_types":
     list(ALL_RESPONSE_TYPES), "grant_types": ["authorization_code",
                                               "implicit"],
     "authorization_signed_response_alg": "ES256"}))
check("oidcctl client update sets authorization_signed_response_alg",
      rc == 0, (rc, out, err))
rc, shown, err = ctl_json("client", "show", RS["client_id"])
check("oidcctl client show prints it",
      (shown or {}).get("authorization_signed_response_alg") == "ES256",
      shown)
d = run_flow(RS, U, PW, {"response_type": "code", "response_mode": "jwt",
                         "state": "upd"}, browser=b)
c = jarm("after oidcctl client update to ES256", d, RS, "query", "ES256")
check("after update: code and state", "code" in c and
      c.get("state") == "upd", c)

# ---- JARM off: private workers without the line ----------------------------

with open(env("OIDC_CONFIG")) as f:
    text = f.read()
check("the harness config has jarm = yes",
      re.search(r"^jarm = yes$", text, re.M) is not None)
off_conf = os.path.join(private_dir("jarm-off"), "oidc.conf")
with open(off_conf, "w") as f:
    f.write(re.sub(r"^jarm = yes\n", "", text, flags=re.M))
os.chmod(off_conf, 0o644)
wa = spawn("jarm-off", "authorize", off_conf)
wd = spawn("jarm-off", "discovery", off_conf)
try:
    r = wd.request(cgi_params("GET", "/.well-known/openid-configuration"))
    doc = (r.json() or {}) if r is not None else {}
    check("JARM off: discovery lists the plain modes only",
          doc.get("response_modes_supported") ==
          ["query", "fragment", "form_post"], doc)
    check("JARM off: no authorization_signing_alg_values_supported",
          r is not None and r.status == 200 and
          "authorization_signing_alg_values_supported" not in doc, doc)
    for rt, rm, mode in (("code", "query.jwt", "query"),
                         ("code", "jwt", "query"),
                         ("id_token", "fragment.jwt", "fragment"),
                         ("code", "form_post.jwt", "query")):
        qs = urllib.parse.urlencode(
            {"client_id": RS["client_id"],
             "redirect_uri": RS["redirect_uris"][0], "scope": "openid",
             "response_type": rt, "nonce": new_nonce(),
             "response_mode": rm, "state": "off"})
        r = wa.request(cgi_params("GET", "/authorize", qs))
        d = parse_response(r, RS["redirect_uris"][0]) or {}
        check("jarm_when_off: %s, response_mode=%s: invalid_request "
              "(unsupported response_mode), unsigned, in %s" % (rt, rm, mode),
              d.get("error") == "invalid_request" and
              d.get("error_description") == "unsupported response_mode" and
              d.get("state") == "off" and d.get("_mode") == mode and
              "response" not in d, d or r)
finally:
    wa.stop()
    wd.stop()
check_log(wa.log, "authorize without jarm")
check_log(wd.log, "discovery without jarm")

done()
