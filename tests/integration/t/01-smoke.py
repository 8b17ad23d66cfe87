#!/usr/bin/env python3
"""01-smoke: every endpoint is reachable through the front end and answers
with the foundation's basic behaviour.

Runs twice: behind nginx and behind lighttpd (file name contains "smoke"),
so both shipped front-end configs map every endpoint to its worker with
working FastCGI parameters.  Names are unique per run because the database
is shared by both passes.
"""
from oidctest import *

FE = env("OIDC_FRONTEND", "nginx")


def no_store(r):
    cc = (r.header("Cache-Control") or "").lower()
    return "no-store" in cc and "no-cache" in (r.header("Pragma") or "").lower()


# The front end itself.
r = get("/")
check("[%s] GET / answers 200" % FE, r.status == 200, r)
# nginx's static ceiling for benchmarks; the lighttpd template has none
# (it serves no files: "/" is the token worker's liveness probe).
if FE == "nginx":
    r = get("/static-200")
    check("[%s] GET /static-200 answers 200 ok" % FE,
          r.status == 200 and r.body.strip() == b"ok", r)

# The foundation's three endpoints must exist; later ones are checked when
# their binary has been built.
for name in ("authorize", "token", "userinfo"):
    check("[%s] %s.fcgi is built and its worker is listening" % (FE, name),
          have_endpoint(name))

# Every worker is reached through its location and answers an unsupported
# method with 405 + Allow + a JSON error.
for name in endpoints():
    path = ENDPOINT_PATHS.get(name)
    if path is None:
        check("[%s] %s has a path in ENDPOINT_PATHS" % (FE, name), False)
        continue
    r = request("PUT", path, b"x=1",
                {"Content-Type": "application/x-www-form-urlencoded"})
    check("[%s] PUT %s reaches %s.fcgi (not 502/503/504 from the front end)"
          % (FE, path, name), r.status not in (502, 503, 504), r)
    check("[%s] PUT %s is 405 with Allow and a JSON invalid_request"
          % (FE, path),
          r.status == 405 and r.header("Allow") and
          is_json_error(r, "invalid_request"), r)

# /token: an unknown grant type, unauthenticated.  Client authentication may
# be checked first, so 401 invalid_client is acceptable too.
r = post_form("/token", {"grant_type": "foo"})
check("[%s] POST /token grant_type=foo is 400 unsupported_grant_type or "
      "401 invalid_client" % FE,
      (r.status == 400 and is_json_error(r, "unsupported_grant_type")) or
      (r.status == 401 and is_json_error(r, "invalid_client")), r)
check("[%s] /token error carries Cache-Control: no-store, Pragma: no-cache"
      % FE, no_store(r), r)

# /userinfo without a token: a bare Bearer challenge.
r = get("/userinfo")
www = r.header("WWW-Authenticate") or ""
check("[%s] GET /userinfo without a token is 401 with WWW-Authenticate: "
      "Bearer and no error code" % FE,
      r.status == 401 and www.lower().startswith("bearer") and
      "error=" not in www, r)

if have_endpoint("authorize"):
    # /authorize with an unknown client: an HTML error page, never a redirect.
    r = get("/authorize?client_id=unknown-%s&redirect_uri=https%%3A%%2F%%2Fevil."
            "example%%2Fcb&response_type=code&scope=openid" % unique("c"))
    check("[%s] GET /authorize with an unknown client is 400 HTML without "
          "Location" % FE,
          r.status == 400 and r.content_type() == "text/html" and
          r.header("Location") is None, r)

    # A registered client is found through the front end (the worker reads the
    # database): the exact redirect_uri is not refused with the 400 page.
    try:
        c = create_client({"redirect_uris": ["https://rp.example/cb"],
                           "client_name": unique("smoke")})
        q = form_encode([("client_id", c["client_id"]),
                         ("redirect_uri", "https://rp.example/cb"),
                         ("response_type", "code"), ("scope", "openid"),
                         ("state", "s1"), ("nonce", "n1"),
                         ("code_challenge",
                          "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
                         ("code_challenge_method", "S256")])
        r = get("/authorize?" + q)
        loc = r.header("Location") or ""
        check("[%s] GET /authorize for a registered client with its exact "
              "redirect_uri is not the 400 error page" % FE,
              r.status in (200, 302, 303) and
              (not loc or loc.startswith("https://rp.example/cb?") or
               loc.startswith("/") or loc.startswith(ISSUER)), r)
    except (RuntimeError, ValueError, KeyError) as e:
        check("[%s] oidcctl client create works for the smoke test" % FE,
              False, e)

# Endpoints that come later: checked once built.
if have_endpoint("discovery"):
    r = get("/.well-known/openid-configuration")
    j = r.json() if r.status == 200 else None
    check("[%s] discovery answers 200 JSON with our issuer" % FE,
          isinstance(j, dict) and j.get("issuer") == ISSUER, r)
else:
    check("[%s] discovery.fcgi is built" % FE, False)
if have_endpoint("jwks"):
    r = get("/jwks")
    j = r.json() if r.status == 200 else None
    check("[%s] /jwks answers 200 JSON with a keys array" % FE,
          isinstance(j, dict) and isinstance(j.get("keys"), list), r)
else:
    check("[%s] jwks.fcgi is built" % FE, False)

done()
