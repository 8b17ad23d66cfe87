#!/usr/bin/env python3
"""81-request-uri: request objects by reference (OIDC Core 6.2, issue 8).

The request object is served by a tiny http.server on 127.0.0.1 (run.sh
sets outbound_allow_private = yes; without it only https to public
addresses is fetched, see oidc/outbound.h).  Covered: discovery
advertises request_uri_parameter_supported and that request_uris must
be registered (issue 15 item 4, tested in 82-authz-interaction); an
unsigned object from a client that registered
request_object_signing_alg "none" is fetched and its members win over
the query; an object that fails verification, a 404, an oversized body,
and request together with request_uri are refused and never redirect.
"""

import time

from oidctest import ISSUER, check, done, get, unique
from flow import (Browser, ObjectServer, make_client, make_user,
                  parse_response, run_flow, unsigned_jwt)

srv = ObjectServer()
OBJECTS = srv.objects
base = srv.base


def is_error_page(r):
    return r is not None and r.status == 400 and \
        r.content_type() == "text/html" and r.header("Location") is None


disco = get("/.well-known/openid-configuration").json()
check("discovery: request_uri_parameter_supported",
      disco.get("request_uri_parameter_supported") is True)
check("discovery: require_request_uri_registration true",
      disco.get("require_request_uri_registration") is True)

user, pw = unique("ru"), "correct horse battery staple"
make_user(user, pw)
c = make_client(["code"], first_party=True,
                request_object_signing_alg="none",
                request_uris=[base + p for p in ("/good.jwt", "/bad.jwt",
                                                 "/missing.jwt", "/big.jwt")])
now = int(time.time())
obj = {"iss": c["client_id"], "aud": ISSUER, "client_id": c["client_id"],
       "response_type": "code", "redirect_uri": c["redirect_uris"][0],
       "scope": "openid", "state": "from-object", "exp": now + 300,
       "iat": now}
OBJECTS["/good.jwt"] = (unsigned_jwt(obj) + "\n").encode()
OBJECTS["/bad.jwt"] = unsigned_jwt(dict(obj, aud="https://other.example")
                                   ).encode()
OBJECTS["/big.jwt"] = b"x" * (64 * 1024)

b = Browser()
res = run_flow(c, user, pw, {"response_type": "code", "state": "from-query",
                             "request_uri": base + "/good.jwt"}, browser=b)
check("request_uri fetched and honoured: a code, the object's state wins",
      bool(res.get("code")) and res.get("state") == "from-object", res)

for name, path in (("an object that fails verification", "/bad.jwt"),
                   ("a 404", "/missing.jwt"),
                   ("a body over the size cap", "/big.jwt")):
    r = b.authorize({"client_id": c["client_id"], "response_type": "code",
                     "redirect_uri": c["redirect_uris"][0],
                     "scope": "openid", "state": "x",
                     "request_uri": base + path})
    d = parse_response(r, c["redirect_uris"][0])
    check("request_uri with %s is refused, never a code" % name,
          is_error_page(r) or (d is not None and d.get("error") in (
              "invalid_request_uri", "invalid_request_object")), d or r)

r = b.authorize({"client_id": c["client_id"], "response_type": "code",
                 "redirect_uri": c["redirect_uris"][0], "scope": "openid",
                 "request": unsigned_jwt(obj),
                 "request_uri": base + "/good.jwt"})
d = parse_response(r, c["redirect_uris"][0]) or {}
check("request and request_uri together are refused (invalid_request to "
      "the registered redirect_uri)", d.get("error") == "invalid_request" and
      "code" not in d, d or r)

srv.stop()
done()
