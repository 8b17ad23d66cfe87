#!/usr/bin/env python3
"""91-hostile-http: hostile input at the HTTP level (issue 10).

Every hostile request below is answered with a 4xx, or cut off by the
shipped nginx configuration (deploy/nginx/oidc.conf.in), never with a 5xx;
after each group a normal request (discovery and a client_credentials
token) still succeeds, so no worker is stuck.

  body_limits      bodies at and one byte over each location's limit
                   (16 KiB, 64 KiB for /register), through nginx; and
                   straight to every worker socket: CONTENT_LENGTH far over
                   the endpoint's max_body with only 1 KiB sent (answered
                   at once, without waiting for the rest), absurd values
  header_limits    a header line of 8 KiB+1, a request line over 8 KiB,
                   headers over 32 KiB in total (nginx: 400/414/494)
  cookies          900 cookies in one header, 3 Cookie headers, the
                   session cookie twice, a 64 KiB Cookie param straight to
                   the worker
  duplicate_params RFC 6749 3.1: each parameter twice, in the query of
                   GET /authorize and the body of POST /authorize (an HTML
                   400 page, or an error redirect to the registered URI),
                   in /token, /revoke, /introspect, /userinfo,
                   /end_session bodies (400 invalid_request)
  bad_bytes        invalid UTF-8 (0xff, truncated, overlong, surrogate) and
                   NUL, percent-encoded in the parameters every endpoint
                   reads, raw in the /register JSON body and in headers
  slow_client      a body trickled then stalled and headers never finished:
                   nginx's client_body_timeout / client_header_timeout
                   (10 s) cut them; token.fcgi never sees the request, and
                   serves others meanwhile
"""
import os
import socket
import threading
import time
import urllib.parse

from oidctest import *

FORM = "application/x-www-form-urlencoded"
RP = "https://rp.example/cb"

# nginx logs what it cuts off (oversized headers/bodies, timeouts).
expect_error_log(r"client intended to send too large body|"
                 r"client sent too long header line|"
                 r"client timed out|timed out .* while reading client "
                 r"request (body|headers)|client sent invalid header")

c = create_client({"redirect_uris": [RP], "client_name": unique("hostile"),
                   "grant_types": ["authorization_code",
                                   "client_credentials"],
                   "token_endpoint_auth_method": "client_secret_basic"})
AUTH = (c["client_id"], c["client_secret"])
AUTH_H = [("Authorization", basic_auth(*AUTH))]
CID = c["client_id"]


def healthy(label):
    """A normal request right after: nothing is stuck."""
    r1 = get("/.well-known/openid-configuration")
    r2 = post_form("/token", {"grant_type": "client_credentials"},
                   auth=AUTH)
    check("%s: afterwards discovery 200 and a token 200 (no worker "
          "stuck)" % label, r1.status == 200 and r2.status == 200 and
          r2.elapsed < 5 * MULT, "%s\n%s" % (r1.describe(), r2.describe()))


def no5xx(name, r, want4xx=True):
    """r (a Response, or None for a connection cut by the front end) is a
    4xx (or, with want4xx False, anything but a 5xx)."""
    if r is None:
        # A cut connection is an allowed answer; the front end must still
        # be up and serving right after it.
        after = try_request(get, "/.well-known/openid-configuration")
        return check(name + ": cut off by the front end, which still "
                     "answers (discovery 200)", after is not None and
                     after.status == 200, after)
    if want4xx:
        return check(name + ": 4xx (got %d)" % r.status,
                     400 <= r.status < 500, r)
    return check(name + ": not 5xx (got %d)" % r.status, r.status < 500, r)


def try_request(fn, *a, **kw):
    """fn(...) or None when the server closed the connection."""
    try:
        return fn(*a, **kw)
    except (ConnectionError, OSError, __import__("http.client").client
            .HTTPException):
        return None


def authz_refused(name, r):
    """/authorize answers a broken request with a 400 HTML page (no
    Location), or, when client and redirect URI were valid, an error
    redirect to exactly that URI; never a login page or a code."""
    if r is None:
        return check(name + ": answered", False)
    if r.status in (302, 303):
        loc = r.header("Location") or ""
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)
        return check(name + ": error redirect to the registered URI",
                     loc.startswith(RP + "?") and "error" in q and
                     "code" not in q, r)
    return check(name + ": 400 HTML error page without Location",
                 r.status == 400 and r.content_type() == "text/html" and
                 r.header("Location") is None, r)


AUTHZ = [("client_id", CID), ("redirect_uri", RP), ("response_type", "code"),
         ("scope", "openid"), ("state", "st"), ("nonce", "nn"),
         ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
         ("code_challenge_method", "S256")]
POST_PATHS = [p for n, p in sorted(ENDPOINT_PATHS.items())
              if n in ("token", "authorize", "userinfo", "revoke",
                       "introspect", "end_session") and have_endpoint(n)]

# ---- body_limits ------------------------------------------------------------


def padded(prefix, n):
    """A form body of exactly n bytes starting with prefix."""
    b = prefix + "&pad="
    return (b + "a" * (n - len(b))).encode()


for path in POST_PATHS:
    base = "grant_type=client_credentials" if path == "/token" else \
        "token=x" if path in ("/revoke", "/introspect") else "state=x"
    # /authorize: 64 KiB, its pages carry a request object (16 KiB).
    limit = 65536 if path == "/authorize" else 16384
    r = post_raw(path, padded(base, limit), FORM,
                 headers=AUTH_H if path != "/authorize" else None)
    no5xx("body_limits: POST %s with a body of exactly %d bytes"
          % (path, limit), r, want4xx=False)
    check("body_limits: POST %s with %d bytes is not refused by nginx"
          % (path, limit), r.status != 413 or path == "/userinfo", r)
    r = post_raw(path, padded(base, limit + 1), FORM)
    check("body_limits: POST %s with %d bytes: 413 JSON"
          % (path, limit + 1),
          r.status == 413 and is_json_error(r, "invalid_request"), r)
if have_endpoint("register"):
    body = b'{"redirect_uris":["https://rp.example/r"],"client_name":"'
    body += b"a" * (65536 - len(body) - 2) + b'"}'
    r = post_raw("/register", body, "application/json",
                 headers=[("Authorization",
                           "Bearer " + env("OIDC_REG_INITIAL_TOKEN"))])
    no5xx("body_limits: POST /register with 65536 bytes (64 KiB)", r,
          want4xx=False)
    r = post_raw("/register", body + b" ", "application/json")
    check("body_limits: POST /register with 65537 bytes: 413 JSON",
          r.status == 413 and is_json_error(r), r)

# Straight to each worker: a huge CONTENT_LENGTH with 1 KiB sent and the
# stream left open: the worker must answer from CONTENT_LENGTH alone.
for name in endpoints():
    path = ENDPOINT_PATHS.get(name)
    if path is None:
        continue
    for cl in ("10485760", "99999999999999999999999", "-1", "1e3", " 12"):
        r = fcgi_request(name, cgi_params("POST", path, content_type=FORM,
                                          content_length=cl),
                         stdin=b"a=" + b"b" * 1022, close_stdin=False,
                         timeout=5 * MULT)
        check("body_limits: %s.fcgi CONTENT_LENGTH=%r with 1 KiB sent: "
              "answered at once with a 4xx" % (name, cl),
              r is not None and 400 <= r.status < 500,
              r if r is not None else "no answer within %d s" % (5 * MULT))
healthy("body_limits")

# ---- header_limits ------------------------------------------------------------

# large_client_header_buffers 4 8k: a line must fit one 8 KiB buffer.
line = "X-Junk: "
r = try_request(get, "/.well-known/openid-configuration",
                [("X-Junk", "a" * (8192 + 1 - len(line)))])
no5xx("header_limits: one header line of 8 KiB+1", r)
r = try_request(get, "/.well-known/openid-configuration",
                [("X-Junk", "a" * (4000 - len(line)))])
check("header_limits: a 4000-byte header line is served (200)",
      r is not None and r.status == 200, r)
r = try_request(get, "/authorize?state=" + "a" * 8200)
no5xx("header_limits: a request line over 8 KiB", r)
r = try_request(get, "/userinfo", [("X-J%d" % i, "a" * 7000)
                                   for i in range(5)])
no5xx("header_limits: 35 KiB of headers in total", r)
r = try_request(raw_request, b"GET /jwks HTTP/1.1\r\nHost: x\r\nX-A: a\0b"
                b"\r\n\r\n")
no5xx("header_limits: a NUL byte inside a header", r)
healthy("header_limits")

# ---- cookies ----------------------------------------------------------------

many = "; ".join("c%d=v%d" % (i, i) for i in range(900))
for path in ("/authorize?" + form_encode(AUTHZ), "/userinfo",
             "/end_session", "/.well-known/openid-configuration"):
    r = try_request(get, path, [("Cookie", many)])
    no5xx("cookies: %d bytes, 900 cookies to %s" % (len(many),
                                                    path.split("?")[0]),
          r, want4xx=False)
r = try_request(get, "/authorize?" + form_encode(AUTHZ),
                [("Cookie", "; ".join("d%d_%d=v" % (j, i)
                                      for i in range(500)))
                 for j in range(3)])
no5xx("cookies: three Cookie headers of 500 cookies to /authorize", r,
      want4xx=False)
r = try_request(get, "/authorize?" + form_encode(AUTHZ),
                [("Cookie", "oidc_session=aaaa; oidc_session=bbbb")])
no5xx("cookies: oidc_session twice to /authorize", r, want4xx=False)
if r is not None:
    check("cookies: oidc_session twice: no code is issued",
          "code=" not in (r.header("Location") or ""), r)
r = try_request(get, "/authorize?" + form_encode(AUTHZ),
                [("Cookie", "oidc_session=\xff\xfe; oidc_csrf=\x01")])
no5xx("cookies: control and non-UTF-8 bytes in cookie values", r,
      want4xx=False)
if have_endpoint("authorize"):
    r = fcgi_request("authorize", cgi_params(
        "GET", "/authorize", form_encode(AUTHZ),
        extra={"HTTP_COOKIE": "x=" + "y" * 65536}), timeout=5 * MULT)
    check("cookies: a 64 KiB HTTP_COOKIE straight to authorize.fcgi: 4xx",
          r is not None and 400 <= r.status < 500, r)
healthy("cookies")

# ---- duplicate_params --------------------------------------------------------

if have_endpoint("authorize"):
    for k, v in AUTHZ:
        q = AUTHZ + [(k, v)]
        r = get("/authorize?" + form_encode(q))
        authz_refused("duplicate_params: GET /authorize with %s twice "
                      "(same value)" % k, r)
        r = post_raw("/authorize", form_encode(AUTHZ + [(k, v + "2")]),
                     FORM)
        authz_refused("duplicate_params: POST /authorize with %s twice"
                      % k, r)

TOKEN_DUPS = [("grant_type", "client_credentials"), ("scope", "openid")]
for k, v in TOKEN_DUPS:
    r = post_form("/token", [("grant_type", "client_credentials"),
                             ("scope", "openid"), (k, v)], auth=AUTH)
    check("duplicate_params: POST /token with %s twice: 400 "
          "invalid_request" % k, r.status == 400 and
          is_json_error(r, "invalid_request"), r)
r = post_form("/token", [("grant_type", "authorization_code"),
                         ("code", "a"), ("code", "b"), ("redirect_uri", RP)],
              auth=AUTH)
check("duplicate_params: POST /token with code twice: 400 invalid_request",
      r.status == 400 and is_json_error(r, "invalid_request"), r)
r = post_form("/token", [("grant_type", "client_credentials"),
                         ("client_id", CID), ("client_id", CID),
                         ("client_secret", c["client_secret"])])
check("duplicate_params: POST /token with client_id twice: 400 "
      "invalid_request (never authenticated)", r.status in (400, 401) and
      is_json_error(r) and "access_token" not in r.text, r)
for name in ("revoke", "introspect"):
    if have_endpoint(name):
        r = post_form(ENDPOINT_PATHS[name], [("token", "a"), ("token", "b")],
                      auth=AUTH)
        check("duplicate_params: POST /%s with token twice: 400 "
              "invalid_request" % name, r.status == 400 and
              is_json_error(r, "invalid_request"), r)
r = post_form("/userinfo", [("access_token", "a"), ("access_token", "a")])
check("duplicate_params: POST /userinfo with access_token twice: 400 "
      "or 401, error invalid_request", r.status in (400, 401) and
      "invalid_request" in (r.header("WWW-Authenticate") or "") + r.text, r)
if have_endpoint("end_session"):
    r = get("/end_session?state=a&state=b")
    check("duplicate_params: GET /end_session with state twice: 400",
          r.status == 400, r)
healthy("duplicate_params")

# ---- bad_bytes ----------------------------------------------------------------

BAD = {"0xff": "%FF", "truncated UTF-8": "%C3", "overlong '/'": "%C0%AF",
       "UTF-16 surrogate": "%ED%A0%80", "NUL": "a%00b",
       "NUL at the end": "a%00", "bad escape": "%G1", "lone %": "%"}
for label, bad in sorted(BAD.items()):
    if have_endpoint("authorize"):
        q = form_encode([(k, v) for k, v in AUTHZ if k != "state"]) + \
            "&state=" + bad
        authz_refused("bad_bytes: GET /authorize state=%s (%s)"
                      % (bad, label), get("/authorize?" + q))
        q = "client_id=" + bad + "&" + form_encode(
            [(k, v) for k, v in AUTHZ if k != "client_id"])
        r = get("/authorize?" + q)
        check("bad_bytes: GET /authorize client_id=%s (%s): 400 HTML, no "
              "Location" % (bad, label), r.status == 400 and
              r.header("Location") is None, r)
    r = post_raw("/token", "grant_type=client_credentials&scope=openid" +
                 bad, FORM, headers=AUTH_H)
    check("bad_bytes: POST /token scope=openid%s (%s): 400 invalid_request"
          % (bad, label), r.status == 400 and
          is_json_error(r, "invalid_request"), r)
    r = post_raw("/token", "grant_type=client_credentials&x" + bad + "=1",
                 FORM, headers=AUTH_H)
    check("bad_bytes: POST /token with %s (%s) in a parameter name: 400"
          % (bad, label), r.status == 400, r)
    for name, body in (("revoke", "token=" + bad),
                       ("introspect", "token=" + bad),
                       ("userinfo", "access_token=" + bad)):
        if have_endpoint(name):
            r = post_raw(ENDPOINT_PATHS[name], body, FORM,
                         headers=AUTH_H if name != "userinfo" else None)
            check("bad_bytes: POST /%s %s (%s): 400 or 401" % (
                name, body, label), r.status in (400, 401), r)
    if have_endpoint("end_session"):
        r = get("/end_session?id_token_hint=" + bad)
        check("bad_bytes: GET /end_session id_token_hint=%s (%s): 400"
              % (bad, label), r.status == 400, r)
    for path in ("/.well-known/openid-configuration", "/jwks"):
        r = get(path + "?x=" + bad)
        no5xx("bad_bytes: GET %s?x=%s (%s)" % (path, bad, label), r,
              want4xx=False)
if have_endpoint("register"):
    regauth = [("Authorization", "Bearer " + env("OIDC_REG_INITIAL_TOKEN"))]
    for label, body in (
            ("raw 0xff", b'{"redirect_uris":["https://rp.example/\xff"]}'),
            ("overlong", b'{"redirect_uris":["https://rp.example/\xc0\xaf"]'
                         b'}'),
            ("raw NUL", b'{"redirect_uris":["https://rp.example/a\x00"]}'),
            ("\\u0000", b'{"redirect_uris":["https://rp.example/a"],'
                        b'"client_name":"a\\u0000b"}'),
            ):
        r = post_raw("/register", body, "application/json", headers=regauth)
        check("bad_bytes: POST /register JSON with %s: 400" % label,
              r.status == 400 and is_json_error(r), r)
    # json-c decodes a lone surrogate escape to U+FFFD: accepted, but what
    # is stored and echoed must be valid UTF-8 (or the request refused).
    r = post_raw("/register", b'{"redirect_uris":["https://rp.example/a"],'
                 b'"client_name":"\\ud800"}', "application/json",
                 headers=regauth)
    echoed = r.json() or {}
    check("bad_bytes: POST /register with a lone surrogate \\ud800: 400, "
          "or 201 with valid UTF-8 (U+FFFD) stored",
          (r.status == 400 and is_json_error(r)) or
          (r.status == 201 and echoed.get("client_name") == "\ufffd"), r)
r = post_form("/token", {"grant_type": "client_credentials"},
              headers=[("Authorization", "Basic " + __import__("base64")
                        .b64encode(b"\xff\xfe:\x00").decode())])
check("bad_bytes: Basic credentials with invalid UTF-8 and NUL: 400/401",
      r.status in (400, 401) and is_json_error(r), r)
r = try_request(get, "/userinfo", [("Authorization", "Bearer \xff\xfe")])
check("bad_bytes: a Bearer token of raw 0xff 0xfe: 400/401",
      r is not None and r.status in (400, 401), r)
healthy("bad_bytes")

# ---- slow_client ----------------------------------------------------------------

TOKEN_LOG = os.path.join(env("OIDC_TMP"), "log", "token.log")


def token_log_lines():
    with open(TOKEN_LOG, "rb") as f:
        return f.read().count(b"msg=request ep=token")


result = {}


def slow_client(name, send):
    """Connect, send(s) slowly, then read until the server closes;
    result[name] is (seconds taken, the first 200 bytes or the error)."""
    s = socket.create_connection(("127.0.0.1", int(urllib.parse.urlsplit(
        ISSUER).port)), timeout=40 * MULT)
    t0 = time.monotonic()
    try:
        send(s)
        data = b""
        while True:
            d = s.recv(4096)
            if not d:
                break
            data += d
        result[name] = (time.monotonic() - t0, data[:200])
    except (OSError, socket.timeout) as e:
        result[name] = (time.monotonic() - t0, repr(e))
    finally:
        s.close()


def trickle_body():
    """Headers of a 200-byte body, 20 bytes over 4 s, then silence."""
    def send(s):
        s.sendall(("POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\n"
                   "Content-Length: 200\r\n%s\r\n" % (
                       FORM, "".join("%s: %s\r\n" % h for h in AUTH_H)))
                  .encode())
        for ch in "grant_type=client_cr":
            s.sendall(ch.encode())
            time.sleep(0.2)
    slow_client("body", send)


def trickle_headers():
    """A header line that never ends."""
    slow_client("headers", lambda s: s.sendall(
        b"GET /.well-known/openid-configuration HTTP/1.1\r\n"
        b"Host: x\r\nX-Slow: "))


before = token_log_lines()
threads = [threading.Thread(target=trickle_body),
           threading.Thread(target=trickle_headers)]
for t in threads:
    t.start()
time.sleep(1)
served = 0
slow = []
for i in range(5):
    r = post_form("/token", {"grant_type": "client_credentials"}, auth=AUTH)
    if r.status == 200:
        served += 1
    slow.append(round(r.elapsed, 3))
    time.sleep(0.5)
check("slow_client: while a body trickles, /token serves 5 other requests "
      "at once", served == 5 and max(slow) < 2 * MULT, slow)
for t in threads:
    t.join(40 * MULT)
el, data = result.get("body", (None, b""))
check("slow_client: a stalled body is cut by nginx (client_body_timeout "
      "10 s) with 408 or a close, within 20 s",
      el is not None and el < 20 and
      (not isinstance(data, bytes) or data == b"" or b" 408 " in data),
      (el, data))
el, data = result.get("headers", (None, b""))
check("slow_client: unfinished headers are cut by nginx "
      "(client_header_timeout 10 s) within 20 s",
      el is not None and el < 20 and
      (not isinstance(data, bytes) or data == b"" or b" 408 " in data),
      (el, data))
after = token_log_lines()
check("slow_client: token.fcgi never saw the trickled request (its log "
      "has exactly the 5 served requests)", after - before == 5,
      "%d new request lines" % (after - before))
healthy("slow_client")

done()
