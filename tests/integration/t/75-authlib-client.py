#!/usr/bin/env python3
"""75-authlib-client: Authlib's OAuth 2.0 / OpenID Connect client (Debian's
python3-authlib, with python3-requests) against the provider, unchanged.

- Code flow, client_secret_post (+ PKCE S256, as Authlib sends it): Authlib
  builds the authorization URL from discovery, our login and consent pages
  are filled in by flow.Browser, Authlib parses the redirect (state check)
  and redeems the code; the ID Token is validated by authlib.jose against
  the keys fetched from /jwks (jwks_uri) with authlib.oidc.core.CodeIDToken
  (iss, aud, exp, iat, nonce, at_hash); UserInfo is read with the access
  token; the refresh token (scope offline_access) is used once.  Once
  with RS256 ID Tokens, once with ES256.
- Implicit flow, response_type "id_token token": Authlib parses the
  fragment (token_from_fragment, state check) and ImplicitIDToken validates
  the ID Token, including at_hash (required there) and nonce.

Any exception raised by Authlib fails the check it happens in, with the
exception printed.  Debian's modules live under /usr/bin/python3; when the
python3 on PATH cannot import authlib, this script re-executes itself with
/usr/bin/python3.

Prerequisites (Debian): python3-authlib, python3-requests.
"""
import os
import sys

try:
    import authlib  # noqa: F401
    import requests  # noqa: F401
except ImportError:
    if sys.executable != "/usr/bin/python3" and \
            os.path.exists("/usr/bin/python3") and \
            not os.environ.get("OIDC_T75_REEXEC"):
        os.environ["OIDC_T75_REEXEC"] = "1"
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    print("not ok - prerequisites: python3-authlib and python3-requests "
          "importable (apt-get install -y --no-install-recommends "
          "python3-authlib python3-requests)")
    sys.exit(1)

import time
import traceback
import urllib.parse

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.jose.errors import JoseError
from authlib.oidc.core import CodeIDToken, ImplicitIDToken, UserInfo

from oidctest import *
from flow import Browser, FlowError, classify, user_sub

# Authlib refuses plain http except for "http://localhost:"; the issuer
# here is http://127.0.0.1:PORT (loopback only).
os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"

RP = "https://rp.example/authlib/cb"
diag("authlib %s and requests (%s)" % (authlib.__version__, sys.executable))

DISCO = requests.get(ISSUER + "/.well-known/openid-configuration",
                     timeout=10 * MULT).json()
JWKS = requests.get(DISCO["jwks_uri"], timeout=10 * MULT).json()
KEYS = JsonWebKey.import_key_set(JWKS)


def through_login(url, username, password):
    """Open the authorization URL Authlib made, fill in our login and consent
    pages; return (the redirect's Location, pages seen)."""
    if not url.startswith(ISSUER + "/"):
        raise FlowError("authorization URL %r is not on the issuer" % url)
    b = Browser()
    r = b.get(url)
    r = b.follow(r)
    pages = []
    for _ in range(6):
        kind = classify(r)
        if kind == "login":
            pages.append("login")
            r = b.login(r, username, password)
        elif kind == "consent":
            pages.append("consent")
            r = b.consent(r, "allow")
        else:
            break
    loc = r.header("Location") or ""
    if r.status not in (302, 303) or not loc.startswith(RP):
        raise FlowError("no redirect to the client (pages: %s)" % pages, r)
    return loc, pages


def new_user(tag):
    username = unique("authlib")
    password = "pw-" + generate_token(16)
    claims = {"email": username + "@authlib.example", "email_verified": True,
              "name": "Authlib " + tag}
    create_user(username, password, claims)
    return username, password, claims, user_sub(username)


def attempt(name, fn):
    """Run fn(); a raised exception fails check name with its traceback."""
    try:
        return fn()
    except Exception as e:      # Authlib's errors, requests', ours
        check(name, False, "%s: %s\n%s" % (type(e).__name__, e,
                                          traceback.format_exc()))
        return None


# ---- code flow, client_secret_post -----------------------------------------

def code_flow(alg):
    tag = "[code %s]" % alg
    client = create_client({
        "redirect_uris": [RP], "client_name": unique("authlib-code"),
        "token_endpoint_auth_method": "client_secret_post",
        "id_token_signed_response_alg": alg,
        "response_types": ["code"],
        "grant_types": ["authorization_code", "refresh_token"]})
    username, password, claims, sub = new_user(alg)
    sent = []
    sess = OAuth2Session(client["client_id"], client["client_secret"],
                         token_endpoint_auth_method="client_secret_post",
                         scope="openid email profile offline_access",
                         redirect_uri=RP, code_challenge_method="S256")
    sess.hooks["response"].append(lambda r, *a, **k: sent.append(r.request))
    nonce = generate_token(24)
    verifier = generate_token(64)
    url, state = sess.create_authorization_url(
        DISCO["authorization_endpoint"], nonce=nonce, code_verifier=verifier)

    got = attempt("%s login and consent lead back to the client" % tag,
                  lambda: through_login(url, username, password))
    if got is None:
        return
    loc, pages = got
    check("%s login and consent lead back to the client (pages %s)"
          % (tag, pages), "login" in pages, loc)
    token = attempt("%s Authlib fetch_token accepts the authorization "
                    "response and the token response" % tag,
                    lambda: sess.fetch_token(
                        DISCO["token_endpoint"], authorization_response=loc,
                        code_verifier=verifier))
    if token is None:
        return
    check("%s Authlib fetch_token accepts the authorization response and "
          "the token response" % tag,
          token.get("token_type", "").lower() == "bearer" and
          token.get("access_token") and token.get("id_token"), token)
    treq = [r for r in sent if r.url == DISCO["token_endpoint"]]
    body = (treq[-1].body or "") if treq else ""
    if isinstance(body, bytes):
        body = body.decode()
    form = dict(urllib.parse.parse_qsl(body))
    check("%s Authlib authenticated with client_secret_post (secret in the "
          "body, no Authorization header)" % tag,
          treq and form.get("client_secret") == client["client_secret"] and
          form.get("client_id") == client["client_id"] and
          "Authorization" not in treq[-1].headers, body)

    def validate():
        c = jwt.decode(token["id_token"], KEYS, claims_cls=CodeIDToken,
                       claims_options={"iss": {"essential": True,
                                               "value": ISSUER}},
                       claims_params={"nonce": nonce,
                                      "client_id": client["client_id"],
                                      "access_token": token["access_token"]})
        c.validate(now=int(time.time()), leeway=5)
        return c
    c = attempt("%s CodeIDToken validates the ID Token against /jwks" % tag,
                validate)
    if c is None:
        return
    check("%s CodeIDToken validates the ID Token against /jwks (alg %s, "
          "sub, nonce, at_hash)" % (tag, c.header.get("alg")),
          c.header.get("alg") == alg and c["sub"] == sub and
          c["nonce"] == nonce, dict(c))

    # The same validation must reject a wrong nonce: Authlib really checks.
    def wrong_nonce():
        c2 = jwt.decode(token["id_token"], KEYS, claims_cls=CodeIDToken,
                        claims_params={"nonce": "other",
                                       "client_id": client["client_id"]})
        try:
            c2.validate(leeway=5)
        except JoseError:
            return True
        return False
    check("%s (control) CodeIDToken rejects the ID Token for another nonce"
          % tag, attempt("%s (control) wrong nonce" % tag, wrong_nonce))

    def userinfo():
        r = sess.get(DISCO["userinfo_endpoint"], timeout=10 * MULT)
        r.raise_for_status()
        return UserInfo(r.json())
    ui = attempt("%s UserInfo with the access token" % tag, userinfo)
    if ui is not None:
        check("%s UserInfo with the access token: same sub, email, name"
              % tag, ui.get("sub") == sub and
              ui.get("email") == claims["email"] and
              ui.get("name") == claims["name"], dict(ui))

    if token.get("refresh_token"):
        t2 = attempt("%s Authlib refresh_token (client_secret_post)" % tag,
                     lambda: sess.refresh_token(DISCO["token_endpoint"]))
        if t2 is not None:
            check("%s Authlib refresh_token (client_secret_post) gives a "
                  "new access token" % tag,
                  t2.get("access_token") and
                  t2["access_token"] != token["access_token"], t2)
    else:
        check("%s a refresh_token is issued for scope offline_access" % tag,
              False, token)


# ---- implicit flow: id_token token ------------------------------------------

def implicit_flow(alg):
    tag = "[implicit %s]" % alg
    client = create_client({
        "redirect_uris": [RP], "client_name": unique("authlib-implicit"),
        "id_token_signed_response_alg": alg,
        "response_types": ["id_token token", "id_token"],
        "grant_types": ["implicit"]})
    username, password, claims, sub = new_user(alg + " implicit")
    sess = OAuth2Session(client["client_id"], scope="openid email",
                         redirect_uri=RP)
    nonce = generate_token(24)
    url, state = sess.create_authorization_url(
        DISCO["authorization_endpoint"], response_type="id_token token",
        nonce=nonce)
    got = attempt("%s login and consent lead back to the client" % tag,
                  lambda: through_login(url, username, password))
    if got is None:
        return
    loc, pages = got
    check("%s the response comes back in the fragment" % tag,
          urllib.parse.urlsplit(loc).fragment != "" and
          "access_token" not in urllib.parse.urlsplit(loc).query, loc)
    token = attempt("%s Authlib token_from_fragment" % tag,
                    lambda: sess.token_from_fragment(loc, state=state))
    if token is None:
        return
    check("%s Authlib token_from_fragment (state checked) yields "
          "access_token and id_token" % tag,
          token.get("access_token") and token.get("id_token"), token)

    def validate(access_token, nonce_value):
        c = jwt.decode(token["id_token"], KEYS, claims_cls=ImplicitIDToken,
                       claims_options={"iss": {"essential": True,
                                               "value": ISSUER}},
                       claims_params={"nonce": nonce_value,
                                      "client_id": client["client_id"],
                                      "access_token": access_token})
        c.validate(now=int(time.time()), leeway=5)
        return c
    c = attempt("%s ImplicitIDToken validates the ID Token" % tag,
                lambda: validate(token["access_token"], nonce))
    if c is None:
        return
    check("%s ImplicitIDToken validates the ID Token (alg %s, at_hash, "
          "nonce, sub)" % (tag, c.header.get("alg")),
          c.header.get("alg") == alg and "at_hash" in c and
          c["sub"] == sub, dict(c))

    def rejects(access_token, nonce_value):
        try:
            validate(access_token, nonce_value)
        except JoseError:
            return True
        return False
    check("%s (control) ImplicitIDToken rejects another access token "
          "(at_hash)" % tag, rejects(token["access_token"] + "x", nonce))
    check("%s (control) ImplicitIDToken rejects another nonce" % tag,
          rejects(token["access_token"], nonce + "x"))


for a in ("RS256", "ES256"):
    code_flow(a)
for a in ("RS256", "ES256"):
    implicit_flow(a)
done()
