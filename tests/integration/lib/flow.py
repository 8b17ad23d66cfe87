"""flow: a small browser-like client for the authorization endpoint
(Python 3 stdlib only; tests/integration/t/10-authorize.py and friends).

    from oidctest import *
    from flow import *

    c = make_client()                       # all six response types
    create_user(u, pw)
    res = run_flow(c, u, pw, {"response_type": "code id_token",
                              "nonce": new_nonce(), "state": "s"})
    res["code"], res["id_token"], res["_mode"]   # "query"/"fragment"/"form_post"
    claims = verify_id_token(res["id_token"])    # openssl-verified RS256
    tok = redeem(c, res["code"], c["redirect_uris"][0])

A Browser keeps a cookie jar (Set-Cookie parsed by hand, attributes kept
for inspection), follows redirects that stay on the issuer (as a browser
would) and stops at the first response that leaves it: a redirect to the
client's redirect_uri, a page (login, consent, form_post, error).

The page parser understands the forms of the contract in issue 4: every
<form> with its action, method, <input>s (hidden, text, password, ...) and
<button>s (name, value).
"""

import atexit
import errno
import hashlib
import html.parser
import http.server
import json as _json
import os
import secrets
import subprocess
import tempfile
import threading
import time
import urllib.parse

import oidctest
from oidctest import (ISSUER, b64url, b64url_decode, create_client, env,
                      psql, post_form, request)

__all__ = [
    "Browser", "Page", "parse_page", "parse_set_cookie", "authorize",
    "login", "consent", "run_flow", "redeem", "parse_response",
    "b64url", "b64url_decode", "pkce_pair", "half_hash", "jws_split",
    "verify_jws", "verify_id_token", "new_nonce", "make_client",
    "user_sub", "sha256_hex", "code_stored_hashed", "security_headers_ok",
    "ALL_RESPONSE_TYPES", "TOKEN_RESPONSE_TYPES", "RP",
    "authorize_url", "classify", "FlowError", "set_cookie_names",
    "retry_exec", "make_user", "unsigned_jwt", "ObjectServer",
]

RP = "https://rp.example/cb"

ALL_RESPONSE_TYPES = ["code", "id_token", "id_token token", "code id_token",
                      "code token", "code id_token token"]
# Response types that return tokens from the authorization endpoint.
TOKEN_RESPONSE_TYPES = [rt for rt in ALL_RESPONSE_TYPES if rt != "code"]


class FlowError(Exception):
    """A flow step found something it did not expect (page missing...)."""

    def __init__(self, msg, resp=None):
        Exception.__init__(self, msg)
        self.resp = resp

    def __str__(self):
        s = Exception.__str__(self)
        if self.resp is not None:
            s += "\n" + self.resp.describe()
        return s


# ---- encodings and hashes --------------------------------------------------

def sha256_hex(s):
    if isinstance(s, str):
        s = s.encode()
    return hashlib.sha256(s).hexdigest()


def pkce_pair(length=64):
    """(code_verifier, S256 code_challenge) per RFC 7636 4.1/4.2."""
    verifier = secrets.token_urlsafe(96)[:length]
    return verifier, b64url(hashlib.sha256(verifier.encode()).digest())


def half_hash(value, alg="RS256"):
    """at_hash / c_hash: base64url of the left half of the hash of the
    ASCII value, the hash being that of the JWS alg (OIDC Core 3.1.3.6):
    SHA-512 for EdDSA and Ed25519, SHAKE256 with 114 bytes for Ed448."""
    v = value.encode("ascii")
    if alg == "Ed448":
        h = hashlib.shake_256(v).digest(114)
    else:
        bits = alg[-3:] if alg[-3:] in ("256", "384", "512") else \
            ("512" if alg in ("EdDSA", "Ed25519") else "256")
        h = {"256": hashlib.sha256, "384": hashlib.sha384,
             "512": hashlib.sha512}[bits](v).digest()
    return b64url(h[:len(h) // 2])


def new_nonce():
    return "n-" + secrets.token_urlsafe(16)


# ---- JWS (RS256 via the openssl command line) ------------------------------

def jws_split(jws):
    """(header dict, claims dict, signing input bytes, signature bytes);
    raises ValueError if it is not a JWS compact serialization of JSON."""
    parts = jws.split(".")
    if len(parts) != 3:
        raise ValueError("not three parts")
    header = _json.loads(b64url_decode(parts[0]))
    claims = _json.loads(b64url_decode(parts[1]))
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise ValueError("header or claims not a JSON object")
    return (header, claims, (parts[0] + "." + parts[1]).encode("ascii"),
            b64url_decode(parts[2]))


_pubkeys = {}


@atexit.register
def _rm_pubkeys():
    for f in _pubkeys.values():
        try:
            os.unlink(f)
        except OSError:
            pass


def _pubkey(pem_path):
    if pem_path not in _pubkeys:
        fd, out = tempfile.mkstemp(prefix="flow-pub-", suffix=".pem")
        os.close(fd)
        p = subprocess.run(["openssl", "pkey", "-in", pem_path, "-pubout",
                            "-out", out], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        if p.returncode != 0:
            raise RuntimeError("openssl pkey -pubout: %s"
                               % p.stderr.decode().strip())
        _pubkeys[pem_path] = out
    return _pubkeys[pem_path]


def verify_jws(jws, pem_path=None, alg="RS256"):
    """Verify an RS256 JWS against the public half of the PEM private key
    (default $OIDC_KEY_RS256) with `openssl dgst -sha256 -verify`.
    Returns (ok, header, claims, why)."""
    try:
        header, claims, signing_input, sig = jws_split(jws)
    except (ValueError, UnicodeDecodeError) as e:
        return False, None, None, "malformed JWS: %s" % e
    if header.get("alg") != alg:
        return False, header, claims, "alg is %r, not %s" % (
            header.get("alg"), alg)
    pub = _pubkey(pem_path or env("OIDC_KEY_RS256"))
    with tempfile.TemporaryDirectory(prefix="flow-jws-") as d:
        si, sg = os.path.join(d, "in"), os.path.join(d, "sig")
        with open(si, "wb") as f:
            f.write(signing_input)
        with open(sg, "wb") as f:
            f.write(sig)
        p = subprocess.run(["openssl", "dgst", "-sha256", "-verify", pub,
                            "-signature", sg, si], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    if p.returncode != 0:
        return False, header, claims, "openssl: %s %s" % (
            p.stdout.decode().strip(), p.stderr.decode().strip())
    return True, header, claims, "Verified OK"


def verify_id_token(id_token, client_id=None, nonce=None, code=None,
                    access_token=None, sub=None, now=None, pem_path=None):
    """Verify signature and the ID Token rules of OIDC Core 3.1.3.7, 3.2.2.11
    and 3.3.2.12.  Returns (problems list, claims dict or None, header);
    an empty list means valid.  nonce/code/access_token: when given, the
    nonce must match and c_hash / at_hash must be present and right; when
    None, nonce must be absent (if nonce is False it is not checked)."""
    ok, header, claims, why = verify_jws(id_token, pem_path)
    problems = []
    if not ok:
        problems.append("signature: " + why)
    if claims is None:
        return problems, None, header
    now = now or time.time()
    if claims.get("iss") != ISSUER:
        problems.append("iss %r != %r" % (claims.get("iss"), ISSUER))
    aud = claims.get("aud")
    if client_id is not None:
        if not (aud == client_id or (isinstance(aud, list) and
                                     client_id in aud)):
            problems.append("aud %r does not hold %r" % (aud, client_id))
        if isinstance(aud, list) and len(aud) > 1 and \
                claims.get("azp") != client_id:
            problems.append("several audiences but azp != client_id")
    if not isinstance(claims.get("sub"), str) or not claims.get("sub"):
        problems.append("sub missing")
    elif sub is not None and claims["sub"] != sub:
        problems.append("sub %r != %r" % (claims["sub"], sub))
    for k in ("exp", "iat", "auth_time"):
        if not isinstance(claims.get(k), int) or isinstance(claims.get(k),
                                                             bool):
            problems.append("%s missing or not an integer" % k)
    if isinstance(claims.get("exp"), int) and claims["exp"] <= now - 5:
        problems.append("expired (exp %d, now %d)" % (claims["exp"], now))
    if isinstance(claims.get("iat"), int) and \
            abs(claims["iat"] - now) > 300:
        problems.append("iat %d far from now %d" % (claims["iat"], now))
    if isinstance(claims.get("auth_time"), int) and \
            claims["auth_time"] > now + 5:
        problems.append("auth_time in the future")
    if "acr" in claims and (not isinstance(claims["acr"], str) or
                            claims["acr"] == ""):
        problems.append("acr present but empty")
    if nonce is not False:
        if nonce is None and "nonce" in claims:
            problems.append("nonce %r present, none was sent"
                            % claims["nonce"])
        elif nonce is not None and claims.get("nonce") != nonce:
            problems.append("nonce %r != %r" % (claims.get("nonce"), nonce))
    alg = (header or {}).get("alg", "RS256")
    if code is not None:
        if claims.get("c_hash") != half_hash(code, alg):
            problems.append("c_hash %r != %r" % (claims.get("c_hash"),
                                                 half_hash(code, alg)))
    if access_token is not None:
        if claims.get("at_hash") != half_hash(access_token, alg):
            problems.append("at_hash %r != %r" % (
                claims.get("at_hash"), half_hash(access_token, alg)))
    return problems, claims, header


# ---- cookies ---------------------------------------------------------------

def parse_set_cookie(value):
    """One Set-Cookie header value -> (name, value, attrs dict with lower
    case keys; flags map to True)."""
    parts = value.split(";")
    name, _, val = parts[0].strip().partition("=")
    attrs = {}
    for a in parts[1:]:
        k, eq, v = a.strip().partition("=")
        if not k:
            continue
        attrs[k.strip().lower()] = v.strip() if eq else True
    return name.strip(), val.strip(), attrs


def set_cookie_names(resp):
    return [parse_set_cookie(v)[0] for v in
            (resp.headers.get_all("Set-Cookie") or [])]


# ---- HTML ------------------------------------------------------------------

class Form:
    def __init__(self, attrs):
        self.action = attrs.get("action")
        self.method = (attrs.get("method") or "get").lower()
        self.attrs = attrs
        self.inputs = []        # dicts of attributes (type lower-cased)
        self.buttons = []       # dicts: name, value, type
        self.textareas = []

    def hidden(self):
        """Hidden inputs as an ordered list of (name, value)."""
        return [(i.get("name"), i.get("value") or "") for i in self.inputs
                if i.get("type") == "hidden" and i.get("name") is not None]

    def hidden_dict(self):
        d = {}
        for k, v in self.hidden():
            d.setdefault(k, v)
        return d

    def input(self, name):
        for i in self.inputs:
            if i.get("name") == name:
                return i
        return None

    def button(self, name, value=None):
        for b in self.buttons:
            if b.get("name") == name and (value is None or
                                          b.get("value") == value):
                return b
        return None

    def __repr__(self):
        return "<Form %s %r inputs=%r buttons=%r>" % (
            self.method, self.action, self.inputs, self.buttons)


class Page(html.parser.HTMLParser):
    """Forms, title, visible text and <script>/<meta refresh> presence."""

    def __init__(self):
        html.parser.HTMLParser.__init__(self, convert_charrefs=True)
        self.forms = []
        self.title = ""
        self.text = []
        self.scripts = []
        self._in = []
        self._form = None

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(a)
            self.forms.append(self._form)
        elif tag == "input":
            a["type"] = (a.get("type") or "text").lower()
            if self._form is not None:
                self._form.inputs.append(a)
        elif tag == "button":
            b = {"name": a.get("name"), "value": a.get("value", ""),
                 "type": (a.get("type") or "submit").lower()}
            if self._form is not None:
                self._form.buttons.append(b)
        elif tag == "textarea":
            if self._form is not None:
                self._form.textareas.append(a)
        elif tag == "script":
            self.scripts.append(a)
        self._in.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        while self._in:
            t = self._in.pop()
            if t == tag:
                break

    def handle_data(self, data):
        if self._in and self._in[-1] == "title":
            self.title += data
        if self._in and self._in[-1] in ("script", "style"):
            return
        if data.strip():
            self.text.append(data.strip())

    def visible_text(self):
        return " ".join(self.text)

    def form_with(self, pred):
        for f in self.forms:
            if pred(f):
                return f
        return None

    def login_form(self):
        return self.form_with(lambda f: f.input("password") is not None or
                              any(i.get("type") == "password"
                                  for i in f.inputs))

    def consent_form(self):
        return self.form_with(lambda f: f.button("decision") is not None)


def parse_page(resp_or_text):
    t = resp_or_text
    if not isinstance(t, str):
        t = resp_or_text.body.decode("utf-8", "replace")
    p = Page()
    try:
        p.feed(t)
        p.close()
    except Exception:           # html.parser is lenient; be safe anyway
        pass
    return p


def security_headers_ok(resp):
    """The page headers of the contract: [] when all are right, else the
    list of what is wrong."""
    bad = []
    csp = resp.header("Content-Security-Policy") or ""
    if not csp:
        bad.append("no Content-Security-Policy")
    elif "frame-ancestors 'none'" not in csp:
        bad.append("CSP without frame-ancestors 'none': %r" % csp)
    if (resp.header("X-Frame-Options") or "").upper() != "DENY":
        bad.append("X-Frame-Options %r" % resp.header("X-Frame-Options"))
    if "no-store" not in (resp.header("Cache-Control") or "").lower():
        bad.append("Cache-Control %r" % resp.header("Cache-Control"))
    if not resp.header("Referrer-Policy"):
        bad.append("no Referrer-Policy")
    return bad


# ---- the authorization response --------------------------------------------

def _pairs_to_dict(pairs):
    d = {}
    dup = []
    for k, v in pairs:
        if k in d:
            dup.append(k)
        else:
            d[k] = v
    if dup:
        d["_duplicates"] = dup
    return d


def parse_response(resp, redirect_uri=None):
    """The authorization response in resp, as a dict of its parameters plus
    "_mode" ("query", "fragment" or "form_post"), "_base" (the URL it went
    to, without query/fragment; for query the registered query stays in
    "_url"), "_url", "_query" and "_fragment" (raw).  None if resp is no
    authorization response (a page, an error page...)."""
    if resp is None:
        return None
    if resp.status in (301, 302, 303, 307, 308):
        loc = resp.header("Location")
        if not loc:
            return None
        u = urllib.parse.urlsplit(loc)
        base = urllib.parse.urlunsplit((u.scheme, u.netloc, u.path, "", ""))
        q = urllib.parse.parse_qsl(u.query, keep_blank_values=True)
        f = urllib.parse.parse_qsl(u.fragment, keep_blank_values=True)
        # The registered URI's own query parameters are not the response.
        reg = []
        if redirect_uri:
            reg = urllib.parse.parse_qsl(
                urllib.parse.urlsplit(redirect_uri).query,
                keep_blank_values=True)
        q_resp = [p for p in q if p not in reg]
        if u.fragment != "":
            d = _pairs_to_dict(f)
            d["_mode"] = "fragment"
            d["_leak"] = [k for k, _ in q_resp]
        else:
            d = _pairs_to_dict(q_resp)
            d["_mode"] = "query"
            d["_leak"] = []
        d.update({"_base": base, "_url": loc, "_query": u.query,
                  "_fragment": u.fragment, "_status": resp.status})
        return d
    if resp.status == 200:
        page = parse_page(resp)
        for f in page.forms:
            if f.method != "post" or not f.action:
                continue
            a = f.action
            if a.endswith("/authorize") or a.startswith("/"):
                continue
            d = _pairs_to_dict(f.hidden())
            u = urllib.parse.urlsplit(a)
            d.update({"_mode": "form_post", "_action": a, "_url": a,
                      "_base": urllib.parse.urlunsplit(
                          (u.scheme, u.netloc, u.path, "", "")),
                      "_query": u.query, "_fragment": u.fragment,
                      "_status": 200, "_leak": [],
                      "_visible_inputs": [i for i in f.inputs
                                          if i.get("type") != "hidden"]})
            return d
    return None


def classify(resp):
    """'login', 'consent', 'form_post', 'redirect', 'error_page', 'other'."""
    if resp is None:
        return "other"
    if resp.status in (301, 302, 303, 307, 308):
        return "redirect"
    ct = resp.content_type()
    if resp.status == 200 and ct == "text/html":
        page = parse_page(resp)
        if page.login_form() is not None:
            return "login"
        if page.consent_form() is not None:
            return "consent"
        if parse_response(resp) is not None:
            return "form_post"
        return "other"
    if resp.status >= 400 and ct == "text/html":
        return "error_page"
    return "other"


# ---- the browser -----------------------------------------------------------

def _is_internal(url):
    return url.startswith("/") and not url.startswith("//") or \
        url == ISSUER or url.startswith(ISSUER + "/")


def _path_of(url):
    if url.startswith(ISSUER):
        url = url[len(ISSUER):] or "/"
    return url


class Browser:
    """Cookie jar + requests to the issuer.  .cookies: name -> value;
    .cookie_attrs: name -> attrs of the last Set-Cookie; .history: every
    Response in order; .set_cookies: every (name, value, attrs) seen."""

    def __init__(self, name="browser"):
        self.name = name
        self.cookies = {}
        self.cookie_attrs = {}
        self.set_cookies = []
        self.history = []
        self.last = None

    def _cookie_header(self):
        if not self.cookies:
            return []
        return [("Cookie", "; ".join("%s=%s" % kv
                                     for kv in self.cookies.items()))]

    def absorb(self, resp):
        for v in resp.headers.get_all("Set-Cookie") or []:
            name, val, attrs = parse_set_cookie(v)
            self.set_cookies.append((name, val, attrs))
            expired = False
            if "max-age" in attrs:
                try:
                    expired = int(attrs["max-age"]) <= 0
                except ValueError:
                    pass
            if val == "" or expired:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = val
                self.cookie_attrs[name] = attrs
        self.history.append(resp)
        self.last = resp
        return resp

    def new_cookies(self, since):
        """Names set (with a value) in responses after history[since]."""
        out = {}
        n = 0
        for r in self.history[since:]:
            for v in r.headers.get_all("Set-Cookie") or []:
                name, val, attrs = parse_set_cookie(v)
                out[name] = (val, attrs)
            n += 1
        return out

    def get(self, path, headers=None):
        return self.absorb(request("GET", _path_of(path), None,
                                   self._cookie_header() +
                                   list((headers or {}).items())))

    def post(self, path, params, headers=None):
        h = self._cookie_header() + [
            ("Content-Type", "application/x-www-form-urlencoded")] + \
            list((headers or {}).items())
        return self.absorb(request("POST", _path_of(path),
                                   oidctest.form_encode(params), h))

    def follow(self, resp, limit=10):
        """Follow redirects that stay on the issuer (GET, as browsers do
        after a 302/303 to a page); stop at the first one leaving it."""
        n = 0
        while resp.status in (301, 302, 303, 307, 308) and n < limit:
            loc = resp.header("Location") or ""
            if not _is_internal(loc):
                break
            resp = self.get(loc)
            n += 1
        return resp

    # -- steps --

    def authorize(self, params, method="GET", follow=True):
        if method.upper() == "GET":
            r = self.get(authorize_url(params))
        else:
            r = self.post("/authorize", params)
        return self.follow(r) if follow else r

    def submit(self, form, extra=None, drop=(), override=None):
        """Submit form with its hidden inputs (+ non-hidden inputs with
        their value) and extra pairs; the action is resolved against the
        issuer."""
        pairs = []
        for i in form.inputs:
            n = i.get("name")
            if not n or n in drop:
                continue
            t = i.get("type")
            if t in ("submit", "button", "image", "reset"):
                continue
            if t in ("checkbox", "radio") and "checked" not in i:
                continue
            if override and n in override:
                continue
            pairs.append((n, i.get("value") or ""))
        for k, v in (override or {}).items():
            pairs.append((k, v))
        pairs += list(extra or [])
        action = form.action or "/authorize"
        if not _is_internal(action):
            raise FlowError("form action %r is not on the issuer" % action)
        if form.method == "post":
            r = self.post(action, pairs)
        else:
            sep = "&" if "?" in action else "?"
            r = self.get(action + sep + urllib.parse.urlencode(pairs))
        return self.follow(r)

    def login(self, resp, username, password, csrf=None, drop=()):
        page = parse_page(resp)
        form = page.login_form()
        if form is None:
            raise FlowError("no login form", resp)
        override = {"username": username, "password": password}
        if csrf is not None:
            override["csrf"] = csrf
        b = form.button("action", "login")
        extra = [("action", "login")] if b is not None or \
            form.input("action") is None else []
        return self.submit(form, extra=extra, drop=drop, override=override)

    def consent(self, resp, decision="allow", csrf=None, drop=()):
        page = parse_page(resp)
        form = page.consent_form()
        if form is None:
            raise FlowError("no consent form", resp)
        override = {}
        if csrf is not None:
            override["csrf"] = csrf
        extra = [("decision", decision)]
        if form.input("action") is None:
            b = form.button("action")
            extra.insert(0, ("action", b.get("value") if b else "consent"))
        # A button named "action" next to the decision buttons is not sent
        # along with another button (only the clicked one is).
        return self.submit(form, extra=extra, drop=drop, override=override)


def authorize_url(params):
    if isinstance(params, dict):
        params = list(params.items())
    return "/authorize?" + urllib.parse.urlencode(params,
                                                  quote_via=urllib.parse.quote)


def authorize(params, method="GET", browser=None):
    """One authorization request in browser (a new one by default); the
    response after internal redirects (browser at .browser)."""
    b = browser or Browser()
    r = b.authorize(params, method)
    r.browser = b
    return r


def login(resp, username, password, browser=None, **kw):
    b = browser or getattr(resp, "browser", None) or Browser()
    r = b.login(resp, username, password, **kw)
    r.browser = b
    return r


def consent(resp, decision="allow", browser=None, **kw):
    b = browser or getattr(resp, "browser", None) or Browser()
    r = b.consent(resp, decision, **kw)
    r.browser = b
    return r


def run_flow(client, user, password, params, consent="allow", method="GET",
             browser=None, pages=None):
    """A whole front-channel flow: authorization request, login page (when
    shown), consent page (when shown: consent="allow"/"deny"), and return
    the authorization response as a dict (parse_response) with "_pages"
    (the kinds of pages seen: "login", "consent") and "_browser".  client:
    the create_client() dict (client_id, redirect_uris); params: the
    request parameters without client_id/redirect_uri (defaults: the first
    registered URI, scope openid).  Raises FlowError when the flow stops
    anywhere else."""
    b = browser or Browser()
    p = {"client_id": client["client_id"],
         "redirect_uri": client["redirect_uris"][0], "scope": "openid"}
    p.update(params)
    p = {k: v for k, v in p.items() if v is not None}
    seen = [] if pages is None else pages
    r = b.authorize(p, method)
    for _ in range(6):
        kind = classify(r)
        if kind == "login":
            seen.append("login")
            r = b.login(r, user, password)
        elif kind == "consent":
            seen.append("consent")
            r = b.consent(r, consent)
        else:
            break
    res = parse_response(r, p["redirect_uri"])
    if res is None:
        raise FlowError("flow ended without an authorization response "
                        "(pages: %s)" % seen, r)
    res["_pages"] = seen
    res["_browser"] = b
    res["_resp"] = r
    return res


def redeem(client, code, redirect_uri=None, verifier=None, extra=None):
    """POST /token grant_type=authorization_code: client_secret_basic when
    the client has a secret, else client_id in the body (public client)."""
    form = {"grant_type": "authorization_code", "code": code,
            "redirect_uri": redirect_uri or client["redirect_uris"][0]}
    if verifier is not None:
        form["code_verifier"] = verifier
    if extra:
        form.update(extra)
    if client.get("client_secret"):
        return post_form("/token", form, auth=(client["client_id"],
                                               client["client_secret"]))
    form["client_id"] = client["client_id"]
    return post_form("/token", form)


# ---- fixtures --------------------------------------------------------------

def retry_exec(fn, *args, **kw):
    """fn(*args) again while the oidcctl binary cannot be executed because
    a concurrent `make` in the same checkout is relinking it (ETXTBSY,
    EACCES, ENOENT); at most ~10 s."""
    for i in range(50):
        try:
            return fn(*args, **kw)
        except OSError as e:
            if e.errno not in (errno.ETXTBSY, errno.EACCES, errno.ENOENT) \
                    or i == 49:
                raise
            time.sleep(0.2)


def make_user(username, password, claims=None):
    return retry_exec(oidctest.create_user, username, password, claims)


def make_client(response_types=None, redirect_uris=None, first_party=False,
                public=False, **meta):
    """oidcctl client create with every response type by default."""
    m = {"redirect_uris": redirect_uris or [RP],
         "response_types": response_types or list(ALL_RESPONSE_TYPES),
         "client_name": oidctest.unique("flow")}
    if public:
        m["token_endpoint_auth_method"] = "none"
    if first_party:
        m["first_party"] = True
    m.update(meta)
    c = retry_exec(create_client, m)
    c.setdefault("redirect_uris", m["redirect_uris"])
    return c


def user_sub(username):
    return psql("SELECT sub FROM app_user WHERE username = '%s'"
                % username.replace("'", "''"))


def code_stored_hashed(code):
    """(rows whose code_hash is SHA-256(code), rows holding the code in
    clear anywhere)."""
    q = code.replace("'", "''")
    n_hash = int(psql("SELECT count(*) FROM auth_code WHERE code_hash = "
                      "sha256(convert_to('%s', 'UTF8'))" % q))
    n_clear = int(psql("SELECT count(*) FROM auth_code a WHERE "
                       "strpos(row_to_json(a)::text, '%s') > 0" % q))
    return n_hash, n_clear


# ---- request objects (OIDC Core 6) ------------------------------------------

def unsigned_jwt(claims):
    """An unsigned ("alg":"none") request object: header.payload. (empty
    signature)."""
    return (b64url(_json.dumps({"alg": "none"})) + "." +
            b64url(_json.dumps(claims)) + ".")


class ObjectServer:
    """Request objects served over http on 127.0.0.1 (run.sh sets
    outbound_allow_private): .objects maps a path to its body (absent:
    404), .hits counts the GETs of each path, .base is the URL prefix."""

    def __init__(self):
        objects, hits = {}, {}

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                hits[self.path] = hits.get(self.path, 0) + 1
                body = objects.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type",
                                 "application/oauth-authz-req+jwt")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, fmt, *args):
                pass

        self.objects, self.hits = objects, hits
        self._srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._srv.serve_forever, daemon=True).start()
        self.base = "http://127.0.0.1:%d" % self._srv.server_address[1]

    def stop(self):
        self._srv.shutdown()
