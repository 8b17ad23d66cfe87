#!/usr/bin/env python3
"""02-http-errors: the foundation's HTTP error behaviour (issue 2, STYLE.md
B7/B9): unsupported methods, oversized and malformed bodies, wrong content
types, Bearer challenges, and the /authorize error page that must never
redirect to an unregistered URI.

Tests named after the attack (STYLE.md B12): oversize_body,
content_length_mismatch, duplicate_param, nul_in_param,
redirect_uri_variants.
"""
import time
import urllib.parse

from oidctest import *


def no_store(r):
    cc = (r.header("Cache-Control") or "").lower()
    return "no-store" in cc and "no-cache" in (r.header("Pragma") or "").lower()


def json_error(name, r, status, code="invalid_request"):
    """The standard checks for a JSON error from /token or /userinfo."""
    check(name + ": status %d" % status, r is not None and r.status == status,
          r)
    check(name + ": JSON body with error=%s" % code,
          r is not None and is_json_error(r, code), r)
    check(name + ": Cache-Control no-store and Pragma no-cache",
          r is not None and no_store(r), r)


FORM = "application/x-www-form-urlencoded"

# A confidential client, so /token requests can get past client
# authentication where the order of checks would otherwise matter.
try:
    cc = create_client({"redirect_uris": ["https://rp.example/cb"],
                        "client_name": unique("errors"),
                        "grant_types": ["authorization_code",
                                        "client_credentials"],
                        "token_endpoint_auth_method": "client_secret_basic"})
    AUTH = [("Authorization", basic_auth(cc["client_id"],
                                         cc["client_secret"]))]
except (RuntimeError, ValueError, KeyError) as e:
    check("oidcctl client create (client_credentials client)", False, e)
    cc = None
    AUTH = [("Authorization", basic_auth("no-such-client", "x"))]

# ---- unsupported methods --------------------------------------------------

for name in endpoints():
    path = ENDPOINT_PATHS.get(name)
    if path is None:
        continue
    for method in ("PUT", "DELETE", "PATCH"):
        r = request(method, path)
        allow = r.header("Allow") or ""
        check("%s %s: 405 with Allow and JSON invalid_request"
              % (method, path),
              r.status == 405 and allow != "" and
              method not in [m.strip() for m in allow.split(",")] and
              is_json_error(r, "invalid_request"), r)

# ---- oversize_body ------------------------------------------------------------

expect_error_log("client intended to send too large body")

r = send_partial("POST", "/token",
                 [("Content-Type", FORM), ("Content-Length", "20000")],
                 "grant_type=client_credentials&x=", timeout=5)
check("oversize_body: POST /token with Content-Length 20000 is answered "
      "before the body is sent", r is not None and r.elapsed < 3,
      r if r is not None else "no answer within 5 s")
if r is not None:
    check("oversize_body: 413 JSON error", r.status == 413 and
          is_json_error(r), r)

r = post_raw("/token", b"grant_type=client_credentials&x=" + b"a" * 17000,
             FORM)
check("oversize_body: a complete 17 KiB body to /token is 413 JSON",
      r.status == 413 and is_json_error(r), r)

# 16 KiB exactly is within the limit: whatever the answer, not 413.
pad = "grant_type=foo"
i = 0
while len(pad) < 16384 - 4100:
    pad += "&p%d=%s" % (i, "b" * 4000)
    i += 1
pad += "&z=" + "c" * (16384 - len(pad) - 3)
assert len(pad) == 16384
r = post_raw("/token", pad, FORM, AUTH)
check("oversize_body: a body of exactly 16384 bytes is not refused as too "
      "large", r.status != 413, r)

# The worker itself refuses from CONTENT_LENGTH before reading (bypassing
# the front end, which would refuse first).
if have_endpoint("token"):
    r = fcgi_request("token", cgi_params("POST", "/token", content_type=FORM,
                                         content_length=20000),
                     b"grant_type=client_credentials", close_stdin=False,
                     timeout=3)
    check("oversize_body: token.fcgi answers CONTENT_LENGTH=20000 with 413 "
          "JSON without waiting for the body",
          r is not None and r.status == 413 and is_json_error(r),
          r if r is not None else "no answer within 3 s")

    # content_length_mismatch: fewer bytes than announced, then EOF.
    r = fcgi_request("token", cgi_params("POST", "/token", content_type=FORM,
                                         content_length=50),
                     b"grant_type=foo", timeout=3)
    check("content_length_mismatch: token.fcgi answers a short body with "
          "400 JSON invalid_request",
          r is not None and r.status == 400 and
          is_json_error(r, "invalid_request"),
          r if r is not None else "no answer within 3 s")

    for bad in ("12abc", "-1", "+14", " 14", "0x10",
                "99999999999999999999999"):
        r = fcgi_request("token", cgi_params("POST", "/token",
                                             content_type=FORM,
                                             content_length=bad),
                         b"grant_type=foo", timeout=3)
        check("token.fcgi refuses CONTENT_LENGTH=%r with 400 or 413 JSON"
              % bad, r is not None and r.status in (400, 413) and
              is_json_error(r), r if r is not None else "no answer")

# ---- content type -------------------------------------------------------------

for ctype, body in (("application/json",
                     b'{"grant_type":"client_credentials"}'),
                    ("text/plain", b"grant_type=client_credentials"),
                    ("multipart/form-data; boundary=x",
                     b"--x\r\nContent-Disposition: form-data; "
                     b"name=\"grant_type\"\r\n\r\nclient_credentials\r\n--x--"),
                    (None, b"grant_type=client_credentials")):
    r = post_raw("/token", body, ctype, AUTH)
    json_error("POST /token with Content-Type %s" % ctype, r, 400)

# Media type parameters and case are allowed (RFC 9110 §8.3.1).
for ctype in (FORM + "; charset=UTF-8", "Application/X-WWW-Form-URLEncoded"):
    r = post_raw("/token", "grant_type=foo", ctype, AUTH)
    check("POST /token with Content-Type %r is parsed as a form "
          "(unsupported_grant_type, not invalid_request)" % ctype,
          is_json_error(r, "unsupported_grant_type") or
          is_json_error(r, "invalid_client"), r)

# ---- malformed forms ----------------------------------------------------------

for label, body in (
        ("bad percent escape a=%zz", b"grant_type=foo&a=%zz"),
        ("truncated percent escape", b"grant_type=foo&a=%4"),
        ("nul_in_param %00", b"grant_type=client_credentials&scope=a%00b"),
        ("nul_in_param raw NUL", b"grant_type=client_credentials\x00&x=1"),
        ("duplicate_param grant_type=x&grant_type=y",
         b"grant_type=x&grant_type=y"),
        ("duplicate_param grant_type twice, same value",
         b"grant_type=client_credentials&grant_type=client_credentials"),
        ("invalid UTF-8 (percent-encoded)", b"grant_type=foo&x=%ff%fe"),
        ("invalid UTF-8 (raw bytes)", b"grant_type=foo&x=\xc3\x28"),
        ("overlong UTF-8 encoding", b"grant_type=foo&x=%c0%af"),
        ("parameter name too long", b"grant_type=foo&" + b"n" * 200 + b"=1"),
        ("too many parameters",
         b"grant_type=foo&" + b"&".join(b"p%d=1" % i for i in range(100)))):
    r = post_raw("/token", body, FORM, AUTH)
    json_error("POST /token malformed form: " + label, r, 400)
    if r is not None:
        check("POST /token malformed form: %s: Content-Type "
              "application/json" % label,
              r.content_type() == "application/json", r)

# ---- grant types --------------------------------------------------------------

r = post_form("/token", {"grant_type": "foo"})
check("POST /token grant_type=foo unauthenticated: 400 "
      "unsupported_grant_type or 401 invalid_client",
      (r.status == 400 and is_json_error(r, "unsupported_grant_type")) or
      (r.status == 401 and is_json_error(r, "invalid_client")), r)
check("POST /token grant_type=foo unauthenticated: no-store, no-cache",
      no_store(r), r)
if cc is not None:
    r = post_form("/token", {"grant_type": "foo"}, headers=AUTH)
    json_error("POST /token grant_type=foo with valid client credentials",
               r, 400, "unsupported_grant_type")
r = post_form("/token", {"grant_type": "client_credentials"},
              headers=[("Authorization", basic_auth("no-such-client", "x"))])
json_error("POST /token with Basic credentials of an unknown client", r, 401,
           "invalid_client")
if r is not None:
    check("401 invalid_client after an Authorization header attempt carries "
          "WWW-Authenticate (RFC 6749 §5.2)",
          (r.header("WWW-Authenticate") or "").lower().startswith("basic"),
          r)

# ---- /userinfo -------------------------------------------------------------

r = get("/userinfo")
www = r.header("WWW-Authenticate") or ""
check("GET /userinfo without a token: 401", r.status == 401, r)
check("GET /userinfo without a token: bare WWW-Authenticate: Bearer "
      "(realm allowed, no error code, RFC 6750 §3.1)",
      www.lower().startswith("bearer") and "error" not in www.lower(), r)
check("GET /userinfo without a token: no-store, no-cache", no_store(r), r)

r = get("/userinfo", {"Authorization": "Bearer invalidtoken"})
www = r.header("WWW-Authenticate") or ""
check("GET /userinfo with an invalid token: 401", r.status == 401, r)
check("GET /userinfo with an invalid token: WWW-Authenticate error="
      "\"invalid_token\"",
      www.lower().startswith("bearer") and 'error="invalid_token"' in www, r)
check("GET /userinfo with an invalid token: no-store, no-cache",
      no_store(r), r)
if r.body and r.content_type() == "application/json":
    check("GET /userinfo with an invalid token: JSON body, if any, says "
          "invalid_token", is_json_error(r, "invalid_token"), r)

# ---- /authorize: the error page, never a redirect ------------------------


def html_error_page(name, r):
    check(name + ": 400", r.status == 400, r)
    check(name + ": text/html", r.content_type() == "text/html", r)
    check(name + ": no Location header", r.header("Location") is None, r)
    csp = (r.header("Content-Security-Policy") or "").lower()
    check(name + ": Content-Security-Policy frame-ancestors 'none'",
          "frame-ancestors 'none'" in csp, r)
    xfo = r.header("X-Frame-Options")
    check(name + ": X-Frame-Options DENY (or absent, CSP alone)",
          xfo is None or xfo.strip().upper() == "DENY", r)
    check(name + ": Cache-Control no-store",
          "no-store" in (r.header("Cache-Control") or "").lower(), r)


def authorize(client_id, redirect_uri):
    q = form_encode([("client_id", client_id),
                     ("redirect_uri", redirect_uri),
                     ("response_type", "code"), ("scope", "openid"),
                     ("state", "st"), ("nonce", "nn"),
                     ("code_challenge",
                      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
                     ("code_challenge_method", "S256")])
    return get("/authorize?" + q)


if not have_endpoint("authorize"):
    check("authorize.fcgi is built (the /authorize checks need it)", False)
    done()

html_error_page("GET /authorize unknown client",
                authorize("unknown", "https://evil.example/cb"))

if cc is not None:
    # redirect_uri_variants: exact byte match only (STYLE.md B7).
    for uri in ("https://rp.example/cb/", "https://RP.example/cb",
                "https://rp.example/cb?x=1", "https://rp.example/CB",
                "https://rp.example/cb#x", "https://rp.example:443/cb",
                "http://rp.example/cb", "https://rp.example/cb/../cb",
                "https://rp.example/cb%2f", "https://rp.example/cb ",
                "https://rp.example.evil.example/cb",
                "https://user@rp.example/cb", "//rp.example/cb",
                "https://evil.example/cb", "https://rp.example/c",
                "https://rp.example/cbx", "https://rp.example/cb\r\nX: y"):
        r = authorize(cc["client_id"], uri)
        check("redirect_uri_variants: %r is refused with a 400 page, no "
              "Location" % uri,
              r.status == 400 and r.content_type() == "text/html" and
              r.header("Location") is None, r)
    # No redirect_uri at all: OIDC Core §3.1.2.1 makes it required.
    q = form_encode([("client_id", cc["client_id"]),
                     ("response_type", "code"), ("scope", "openid")])
    r = get("/authorize?" + q)
    check("GET /authorize without redirect_uri: 400 HTML, no Location",
          r.status == 400 and r.content_type() == "text/html" and
          r.header("Location") is None, r)
    # Duplicate redirect_uri: malformed, so no redirect either.
    q = form_encode([("client_id", cc["client_id"]),
                     ("redirect_uri", "https://rp.example/cb"),
                     ("redirect_uri", "https://evil.example/cb"),
                     ("response_type", "code"), ("scope", "openid")])
    r = get("/authorize?" + q)
    check("duplicate_param: two redirect_uri values: 400 HTML, no Location",
          r.status == 400 and r.header("Location") is None, r)

done()
