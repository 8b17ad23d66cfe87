#!/usr/bin/env python3
"""83-request-objects: request objects as the specifications say, and
authorization errors returned to the client (issue 17 items 1 and 2).

Item 1: a client that registered no request_object_signing_alg may send
an unsigned ("alg":"none") object, by value and by reference (OIDC
Registration 2: the default is any algorithm both support), for every
response type and response mode; its members win over the query, a
redirect_uri in it must be registered; a client that registered another
algorithm is refused; `request_object_require_signed = yes` refuses them
all and drops "none" from discovery.

Item 2: once the client is known and the query's redirect_uri is one it
registered, a failing request object or request_uri goes back to that
URI (error, state, iss, in the asked response mode); the HTML page stays
for an unknown client, a missing or unregistered redirect_uri, and a
redirect_uri taken from an object that failed.  The table of every error
is docs/AUTHORIZE-ERRORS.md.
"""
import time

from oidctest import *
from flow import *
from hardening import private_config, spawn

SRV = ObjectServer()
OBJECTS, BASE = SRV.objects, SRV.base


def is_error_page(r):
    return r is not None and r.status == 400 and \
        r.content_type() == "text/html" and r.header("Location") is None


PW = "objects " + unique("pw")
U = unique("ro")
make_user(U, PW)
RU = BASE + "/obj.jwt"
# No request_object_signing_alg registered; first-party: no consent page.
C = make_client(first_party=True, request_uris=[RU])
RS = make_client(first_party=True, request_object_signing_alg="RS256",
                 request_uris=[RU])
b = Browser()
run_flow(C, U, PW, {"response_type": "code"}, browser=b)


def obj_for(c, rt, **kw):
    o = {"iss": c["client_id"], "aud": ISSUER, "client_id": c["client_id"],
         "response_type": rt, "redirect_uri": c["redirect_uris"][0],
         "scope": "openid", "nonce": unique("n"), "state": "from-object"}
    o.update(kw)
    return {k: v for k, v in o.items() if v is not None}


def query(c, rt, **kw):
    p = {"client_id": c["client_id"], "response_type": rt,
         "scope": "openid", "state": "from-query",
         "redirect_uri": c["redirect_uris"][0]}
    p.update(kw)
    return {k: v for k, v in p.items() if v is not None}


# ---- item 1: unsigned objects from a client that registered no alg --------

disco = get("/.well-known/openid-configuration").json()
check("item 1: discovery lists none in "
      "request_object_signing_alg_values_supported",
      "none" in disco.get("request_object_signing_alg_values_supported",
                          []), disco)

for rt in ALL_RESPONSE_TYPES:
    for mode in (None, "form_post"):
        for how in ("request", "request_uri"):
            o = obj_for(C, rt, response_mode=mode)
            if how == "request":
                p = query(C, rt, request=unsigned_jwt(o))
            else:
                OBJECTS["/obj.jwt"] = unsigned_jwt(o).encode()
                p = query(C, rt, request_uri=RU)
            r = b.authorize(p)
            d = parse_response(r, C["redirect_uris"][0]) or {}
            parts = rt.split()
            want = [k for k, w in (("code", "code"), ("id_token", "id_token"),
                                   ("access_token", "token")) if w in parts]
            got = all(d.get(k) for k in want) and "error" not in d
            # The default mode: query for code, fragment otherwise.
            want_mode = mode or ("query" if rt == "code" else "fragment")
            check("item 1: unsigned by %s, %s, %s: a response in %s, the "
                  "object's state" % (how, rt, mode or "default mode",
                                      want_mode),
                  got and d.get("state") == "from-object" and
                  d.get("_mode") == want_mode and not d.get("_leak"),
                  (want, d) if d else r)

# The object's redirect_uri wins over an unregistered one in the query.
for how in ("request", "request_uri"):
    o = obj_for(C, "code")
    bad_q = "https://evil.example/cb"
    if how == "request":
        p = query(C, "code", redirect_uri=bad_q, request=unsigned_jwt(o))
    else:
        OBJECTS["/obj.jwt"] = unsigned_jwt(o).encode()
        p = query(C, "code", redirect_uri=bad_q, request_uri=RU)
    r = b.authorize(p)
    d = parse_response(r, C["redirect_uris"][0]) or {}
    check("item 1: by %s, the object's registered redirect_uri wins over "
          "the query's unregistered one" % how,
          bool(d.get("code")) and d.get("state") == "from-object",
          d or r)

# A redirect_uri in the object must still be registered.
r = b.authorize(query(C, "code", request=unsigned_jwt(
    obj_for(C, "code", redirect_uri="https://evil.example/cb"))))
check("item 1: an object's unregistered redirect_uri: an error page, never "
      "a redirect", is_error_page(r), r)
# client_id must match.
r = b.authorize(query(C, "code", request=unsigned_jwt(
    obj_for(C, "code", client_id="someone-else"))))
d = parse_response(r, C["redirect_uris"][0]) or {}
check("item 1: an object naming another client_id: invalid_request_object",
      d.get("error") == "invalid_request_object" and "code" not in d,
      d or r)
# A client that registered RS256 may not send none.
r = b.authorize(query(RS, "code", request=unsigned_jwt(obj_for(RS, "code"))))
d = parse_response(r, RS["redirect_uris"][0]) or {}
check("item 1: unsigned from a client that registered RS256: "
      "invalid_request_object", d.get("error") == "invalid_request_object",
      d or r)

# request_object_require_signed = yes: a private authorize and discovery.
conf = private_config("signed-only", ["request_object_require_signed = yes"])
wa = spawn("signed-only", "authorize", conf)
wd = spawn("signed-only", "discovery", conf)
try:
    r = wd.request(cgi_params("GET", "/.well-known/openid-configuration"))
    algs = ((r.json() or {}) if r is not None else {}).get(
        "request_object_signing_alg_values_supported", [])
    check("item 1: require signed: discovery leaves none out",
          r is not None and r.status == 200 and "RS256" in algs and
          "none" not in algs, r)
    qs = form_encode(query(C, "code",
                           request=unsigned_jwt(obj_for(C, "code"))))
    r = wa.request(cgi_params("GET", "/authorize", qs))
    loc = (r.header("Location") or "") if r is not None else ""
    check("item 1: require signed: an unsigned object is refused "
          "(invalid_request_object to the registered redirect_uri)",
          r is not None and r.status in (302, 303) and
          "error=invalid_request_object" in loc and
          loc.startswith(C["redirect_uris"][0]), r)
finally:
    wa.stop()
    wd.stop()

# ---- item 2: errors go back to the client when that is safe ---------------

state = "st-" + unique("e")


def to_client(name, r, c, code, mode="query"):
    d = parse_response(r, c["redirect_uris"][0]) or {}
    check("item 2: %s: %s to the registered redirect_uri with state and "
          "iss (%s)" % (name, code, mode),
          d.get("error") == code and d.get("state") == state and
          d.get("iss") == ISSUER and d.get("_mode") == mode, d or r)


r = b.authorize(query(C, "code", state=state, request=unsigned_jwt(
    obj_for(C, "code", aud="https://other.example"))))
to_client("an object for another audience", r, C, "invalid_request_object")
r = b.authorize(query(RS, "code", state=state,
                      request="eyJhbGciOiJSUzI1NiJ9.e30.AAAA"))
to_client("an unverifiable signature", r, RS, "invalid_request_object")
r = b.authorize(query(C, "code", state=state, request="not.a.jwt"))
to_client("a malformed object", r, C, "invalid_request_object")
r = b.authorize(query(C, "code", state=state, request_uri=RU + "x"))
to_client("an unregistered request_uri", r, C, "invalid_request_uri")
C404 = make_client(first_party=True, request_uris=[BASE + "/gone.jwt"])
r = b.authorize(query(C404, "code", state=state,
                      request_uri=BASE + "/gone.jwt"))
to_client("a request_uri answering 404", r, C404, "invalid_request_uri")
r = b.authorize(query(C, "code", state=state, request="a.b.",
                      request_uri=RU))
to_client("request and request_uri together", r, C, "invalid_request")
r = b.authorize(query(C, "code", state=state, response_mode="form_post",
                      request="not.a.jwt"))
to_client("a malformed object, form_post", r, C, "invalid_request_object",
          "form_post")
r = b.authorize(query(C, "id_token", state=state, nonce="n",
                      request="not.a.jwt"))
to_client("a malformed object, id_token", r, C, "invalid_request_object",
          "fragment")
for name, extra, code in (
        ("a bad prompt", {"prompt": "sometimes"}, "invalid_request"),
        ("a bad max_age", {"max_age": "-1"}, "invalid_request"),
        ("a bad claims value", {"claims": "{"}, "invalid_request"),
        # "jwt" is a mode with `jarm = yes` (t/84-jarm.py).
        ("an unsupported response_mode", {"response_mode": "post.jwt"},
         "invalid_request"),
        ("a scope without openid for id_token",
         {"response_type": "id_token", "nonce": "n", "scope": "email",
          "response_mode": "query"}, "invalid_request")):
    p = query(C, "code", state=state)
    p.update(extra)
    r = b.authorize(p)
    d = parse_response(r, C["redirect_uris"][0]) or {}
    check("item 2: %s: %s to the registered redirect_uri with state "
          "and iss" % (name, code), d.get("error") == code and
          d.get("state") == state and d.get("iss") == ISSUER and
          "code" not in d, d or r)

# The page rows: no trustworthy redirect_uri.
for name, p in (
        ("an unknown client", {"client_id": "nobody-" + unique("c"),
                               "response_type": "code",
                               "redirect_uri": C["redirect_uris"][0],
                               "request": "not.a.jwt"}),
        ("no redirect_uri, a malformed object",
         query(C, "code", redirect_uri=None, request="not.a.jwt")),
        ("an unregistered redirect_uri, a malformed object",
         query(C, "code", redirect_uri="https://evil.example/cb",
               request="not.a.jwt")),
        ("a redirect_uri only inside an object that fails",
         query(C, "code", redirect_uri=None, request=unsigned_jwt(
             obj_for(C, "code", aud="https://other.example"))))):
    r = b.authorize(p)
    check("item 2: %s: an HTML error page, no redirect" % name,
          is_error_page(r), r)

SRV.stop()
done()
