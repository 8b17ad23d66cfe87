"""grants: helpers for the token and UserInfo endpoint tests (issues 5, 6).

Python 3 stdlib plus the openssl CLI.  Used with oidctest:

    from oidctest import *
    from grants import *
    code = insert_code(cid, "alice", "https://rp.example/cb", nonce="n-1")
    r = token_request({"grant_type": "authorization_code", "code": code,
                       "redirect_uri": "https://rp.example/cb"},
                      auth=(cid, secret))
    hdr, claims = verify_jws(r.json()["id_token"], "RS256")

- insert_code(): an authorization code written straight into auth_code
  (the token endpoint's rules tested without the authorization endpoint).
- pkce_pair() / s256(): RFC 7636 verifier and S256 challenge.
- basic_auth_header(): client_secret_basic, each half form-urlencoded
  before base64 (RFC 6749 2.3.1).
- verify_jws(): RS256 / ES256 with the provider's keys through
  `openssl dgst -verify` (ES256: raw R||S converted to DER first), HS256
  with a secret through hmac.
- at_hash(): OIDC Core 3.1.3.6.
- client_assertion(): RFC 7523 JWTs for client_secret_jwt (HS256, hmac)
  and private_key_jwt (RS256, `openssl dgst -sign`); rsa_keypair() makes
  a key and its public JWK.
- authorize_code(): a code through the real /authorize login (and consent)
  HTML forms.
"""

import base64
import hashlib
import hmac
import html.parser
import json
import os
import re
import secrets
import subprocess
import tempfile
import time
import urllib.parse

from oidctest import (ISSUER, TMP, b64url, b64url_decode, env, fcgi_at, get,
                      post_form, psql, request, form_encode)

__all__ = [
    "b64url", "b64url_decode", "sql_str", "insert_code", "pkce_pair", "s256",
    "basic_auth_header", "token_request", "jwt_parts", "verify_jws",
    "at_hash", "public_pem", "client_assertion", "rsa_keypair",
    "ASSERTION_TYPE", "token_sha256_hex", "user_sub", "authorize_code",
    "AuthorizeError", "CookieJar", "parse_forms", "workdir",
    "has_control_chars", "fcgi_at",
]

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def sql_str(v):
    """A SQL literal: 'text' with quotes doubled, or NULL for None."""
    if v is None:
        return "NULL"
    return "'" + str(v).replace("'", "''") + "'"


def token_sha256_hex(tok):
    return hashlib.sha256(tok.encode()).hexdigest()


def has_control_chars(s):
    return any(ord(c) < 0x20 or ord(c) == 0x7f for c in s)


_workdir = None


def workdir():
    """A private scratch directory under $OIDC_TMP (keys, signatures)."""
    global _workdir
    if _workdir is None:
        base = TMP if TMP and os.path.isdir(TMP) else None
        _workdir = tempfile.mkdtemp(prefix="grants.", dir=base)
    return _workdir


# ---- codes and PKCE --------------------------------------------------------

def s256(verifier):
    return b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def pkce_pair():
    """(verifier, S256 challenge); the verifier is 43+ unreserved chars."""
    v = secrets.token_urlsafe(48)
    return v, s256(v)


def user_sub(username):
    return psql("SELECT sub FROM app_user WHERE username = %s"
                % sql_str(username))


def insert_code(client_id, username, redirect_uri,
                scope="openid profile email offline_access", nonce=None,
                challenge=None, expires="10 minutes", claims=None, acr=None,
                amr=None, sid=None, auth_time_sql="now()", code=None,
                offline=None):
    """INSERT an authorization code and return its value.  expires: an SQL
    interval added to now() (e.g. "-1 minute" for an expired code).
    claims: dict (the claims request parameter) or None.  offline: the
    code's offline flag, by default what /authorize writes
    (oidc_grant_offline: offline_access in the scope)."""
    if code is None:
        code = secrets.token_urlsafe(32)
    if offline is None:
        offline = "offline_access" in scope.split(" ")
    cl = "NULL" if claims is None else sql_str(json.dumps(claims)) + "::jsonb"
    psql("INSERT INTO auth_code (code_hash, client_id, user_id, redirect_uri,"
         " scope, nonce, code_challenge, auth_time, acr, amr, sid, claims,"
         " expires_at, offline) VALUES (sha256(convert_to(%s, 'UTF8')), %s,"
         " (SELECT user_id FROM app_user WHERE username = %s), %s, %s, %s,"
         " %s, %s, %s, %s, %s, %s, now() + interval %s, %s)"
         % (sql_str(code), sql_str(client_id), sql_str(username),
            sql_str(redirect_uri), sql_str(scope), sql_str(nonce),
            sql_str(challenge), auth_time_sql, sql_str(acr), sql_str(amr),
            sql_str(sid), cl, sql_str(expires),
            "true" if offline else "false"))
    return code


# ---- client authentication ------------------------------------------------

def basic_auth_header(client_id, secret):
    """client_secret_basic: application/x-www-form-urlencoded id and secret
    joined by ':' and base64-encoded (RFC 6749 2.3.1)."""
    raw = "%s:%s" % (urllib.parse.quote_plus(client_id, safe=""),
                     urllib.parse.quote_plus(secret, safe=""))
    return "Basic " + base64.b64encode(raw.encode("utf-8")).decode()


def token_request(params, auth=None, headers=None, **kw):
    """POST /token.  auth=(client_id, secret) adds client_secret_basic."""
    hl = list(headers.items()) if isinstance(headers, dict) else \
        list(headers or [])
    if auth is not None:
        hl.append(("Authorization", basic_auth_header(*auth)))
    return post_form("/token", params, headers=hl, **kw)


# ---- JWS -------------------------------------------------------------------

def jwt_parts(tok):
    """(header dict, payload dict, signing input bytes, signature bytes);
    raises ValueError when malformed."""
    parts = tok.split(".")
    if len(parts) != 3:
        raise ValueError("not a compact JWS: %d parts" % len(parts))
    hdr = json.loads(b64url_decode(parts[0]))
    payload = json.loads(b64url_decode(parts[1]))
    return hdr, payload, (parts[0] + "." + parts[1]).encode(), \
        b64url_decode(parts[2])


_pub_cache = {}


def public_pem(private_pem_path):
    """Path of the public key (PEM) of a private key file."""
    if private_pem_path in _pub_cache:
        return _pub_cache[private_pem_path]
    out = os.path.join(workdir(), "pub-%d.pem" % len(_pub_cache))
    subprocess.run(["openssl", "pkey", "-in", private_pem_path, "-pubout",
                    "-out", out], check=True, stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE)
    _pub_cache[private_pem_path] = out
    return out


def _der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def _der_int(b):
    b = b.lstrip(b"\0") or b"\0"
    if b[0] & 0x80:
        b = b"\0" + b
    return b"\x02" + _der_len(len(b)) + b


def raw_to_der(sig):
    """JWS ECDSA signature R||S -> DER ECDSA-Sig-Value."""
    half = len(sig) // 2
    body = _der_int(sig[:half]) + _der_int(sig[half:])
    return b"\x30" + _der_len(len(body)) + body


def der_to_raw(der, size=32):
    """DER ECDSA-Sig-Value -> R||S (for signing assertions with EC keys)."""
    def read_int(b, i):
        assert b[i] == 2
        ln = b[i + 1]
        v = b[i + 2:i + 2 + ln]
        return v.lstrip(b"\0").rjust(size, b"\0"), i + 2 + ln
    i = 2 if der[1] < 0x80 else 2 + (der[1] & 0x7f)
    r, i = read_int(der, i)
    s, _ = read_int(der, i)
    return r + s


def _openssl_verify(pub_pem, data, sig):
    d = workdir()
    name = secrets.token_hex(6)
    dp, sp = os.path.join(d, name + ".in"), os.path.join(d, name + ".sig")
    with open(dp, "wb") as f:
        f.write(data)
    with open(sp, "wb") as f:
        f.write(sig)
    try:
        p = subprocess.run(["openssl", "dgst", "-sha256", "-verify", pub_pem,
                            "-signature", sp, dp], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        return p.returncode == 0 and b"Verified OK" in p.stdout
    finally:
        os.unlink(dp)
        os.unlink(sp)


def verify_jws(tok, alg, key_pem=None, secret=None):
    """Verify a compact JWS.  alg is the expected algorithm (the header must
    say the same); RS256 uses key_pem or $OIDC_KEY_RS256, ES256 key_pem or
    $OIDC_KEY_ES256 (private or public PEM), HS256 the secret.  Returns
    (header, payload) when the signature is valid, else None."""
    try:
        hdr, payload, data, sig = jwt_parts(tok)
    except (ValueError, TypeError):
        return None
    if hdr.get("alg") != alg:
        return None
    if alg == "HS256":
        if secret is None:
            return None
        mac = hmac.new(secret.encode() if isinstance(secret, str) else secret,
                       data, hashlib.sha256).digest()
        return (hdr, payload) if hmac.compare_digest(mac, sig) else None
    if alg == "RS256":
        pem = key_pem or env("OIDC_KEY_RS256")
    elif alg == "ES256":
        pem = key_pem or env("OIDC_KEY_ES256")
        if len(sig) != 64:
            return None
        sig = raw_to_der(sig)
    else:
        raise ValueError("verify_jws: unsupported alg %s" % alg)
    with open(pem, "rb") as f:
        is_pub = b"PUBLIC KEY" in f.read()
    pub = pem if is_pub else public_pem(pem)
    return (hdr, payload) if _openssl_verify(pub, data, sig) else None


def at_hash(access_token, alg="RS256"):
    """OIDC Core 3.1.3.6: left half of the hash of the ASCII token."""
    h = {"256": hashlib.sha256, "384": hashlib.sha384,
         "512": hashlib.sha512}[alg[-3:]]
    d = h(access_token.encode("ascii")).digest()
    return b64url(d[:len(d) // 2])


# ---- client assertions (RFC 7523) ------------------------------------------

def rsa_keypair(bits=2048, kid=None):
    """Generate an RSA key with openssl: (private PEM path, public JWK dict
    with kty, n, e, kid, alg RS256, use sig)."""
    d = workdir()
    path = os.path.join(d, "rsa-%s.pem" % secrets.token_hex(4))
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                    "rsa_keygen_bits:%d" % bits, "-out", path], check=True,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p = subprocess.run(["openssl", "rsa", "-in", path, "-noout", "-modulus"],
                       check=True, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    mod = p.stdout.decode().strip().split("=", 1)[1]
    n = bytes.fromhex(mod)
    p = subprocess.run(["openssl", "rsa", "-in", path, "-noout", "-text"],
                       check=True, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    m = re.search(r"publicExponent:\s*(\d+)", p.stdout.decode())
    e = int(m.group(1))
    jwk = {"kty": "RSA", "n": b64url(n),
           "e": b64url(e.to_bytes((e.bit_length() + 7) // 8, "big")),
           "alg": "RS256", "use": "sig",
           "kid": kid or "k-" + secrets.token_hex(4)}
    return path, jwk


def _openssl_sign(key_pem, data):
    d = workdir()
    name = secrets.token_hex(6)
    dp = os.path.join(d, name + ".in")
    with open(dp, "wb") as f:
        f.write(data)
    try:
        p = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key_pem,
                            dp], check=True, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        return p.stdout
    finally:
        os.unlink(dp)


def sign_jwt(payload, alg, secret=None, key_pem=None, header=None):
    """Compact JWS of payload (dict).  alg HS256 (secret), RS256 or ES256
    (key_pem, private)."""
    hdr = {"alg": alg, "typ": "JWT"}
    if header:
        hdr.update(header)
    data = (b64url(json.dumps(hdr, separators=(",", ":"))) + "." +
            b64url(json.dumps(payload, separators=(",", ":")))).encode()
    if alg == "HS256":
        key = secret.encode() if isinstance(secret, str) else secret
        sig = hmac.new(key, data, hashlib.sha256).digest()
    elif alg == "RS256":
        sig = _openssl_sign(key_pem, data)
    elif alg == "ES256":
        sig = der_to_raw(_openssl_sign(key_pem, data))
    else:
        raise ValueError("sign_jwt: unsupported alg %s" % alg)
    return data.decode() + "." + b64url(sig)


__all__.append("sign_jwt")


def client_assertion(client_id, alg="HS256", secret=None, key_pem=None,
                     aud=None, exp_in=120, jti=None, iss=None, sub=None,
                     header=None, extra=None, drop=()):
    """An RFC 7523 client authentication JWT: iss = sub = client_id, aud =
    the token endpoint (default), exp = now + exp_in, a fresh jti, iat.
    Any claim can be overridden; names in drop are left out."""
    now = int(time.time())
    c = {"iss": iss if iss is not None else client_id,
         "sub": sub if sub is not None else client_id,
         "aud": aud if aud is not None else ISSUER + "/token",
         "exp": now + exp_in, "iat": now,
         "jti": jti if jti is not None else secrets.token_urlsafe(16)}
    if extra:
        c.update(extra)
    for k in drop:
        c.pop(k, None)
    return sign_jwt(c, alg, secret=secret, key_pem=key_pem, header=header)


# ---- the authorization endpoint (login and consent forms) ------------------

class AuthorizeError(Exception):
    """The /authorize flow did not end in a redirect with a code; .response
    is the last Response."""

    def __init__(self, msg, response=None):
        Exception.__init__(self, msg)
        self.response = response


class CookieJar:
    """Just enough of a cookie jar for one host: name -> value."""

    def __init__(self):
        self.cookies = {}

    def update(self, r):
        for v in r.headers.get_all("Set-Cookie") or []:
            nv = v.split(";", 1)[0]
            if "=" not in nv:
                continue
            name, val = nv.split("=", 1)
            name = name.strip()
            low = v.lower()
            if "max-age=0" in low or "expires=thu, 01 jan 1970" in low:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = val.strip()

    def header(self):
        return "; ".join("%s=%s" % kv for kv in self.cookies.items())


class _FormParser(html.parser.HTMLParser):
    def __init__(self):
        html.parser.HTMLParser.__init__(self, convert_charrefs=True)
        self.forms = []
        self._cur = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._cur = {"action": a.get("action"),
                         "method": (a.get("method") or "get").lower(),
                         "inputs": [], "buttons": []}
            self.forms.append(self._cur)
        elif self._cur is not None and tag == "input":
            self._cur["inputs"].append(
                ((a.get("type") or "text").lower(), a.get("name"),
                 a.get("value") or ""))
        elif self._cur is not None and tag == "button":
            self._cur["buttons"].append((a.get("name"), a.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._cur = None


def parse_forms(text):
    """[{action, method, inputs: [(type, name, value)], buttons: [(name,
    value)]}] for every form on the page."""
    p = _FormParser()
    p.feed(text)
    return p.forms


def _path_of(url):
    u = urllib.parse.urlsplit(urllib.parse.urljoin(ISSUER + "/authorize",
                                                   url))
    return u.path + ("?" + u.query if u.query else "")


def authorize_code(client_id, redirect_uri, username, password,
                   scope="openid", state=None, nonce=None, challenge=None,
                   extra=None, consent=True, jar=None, trace=None):
    """Run GET /authorize, the login form and (unless skipped for a
    first-party client) the consent form; return (code, params of the final
    redirect as a dict, jar).  Raises AuthorizeError.  trace: a list that
    collects each (method, path, Response)."""
    jar = jar or CookieJar()
    q = {"response_type": "code", "client_id": client_id,
         "redirect_uri": redirect_uri, "scope": scope,
         "state": state or secrets.token_urlsafe(8)}
    if nonce is not None:
        q["nonce"] = nonce
    if challenge is not None:
        q["code_challenge"] = challenge
        q["code_challenge_method"] = "S256"
    if extra:
        q.update(extra)
    method, path, body = "GET", "/authorize?" + urllib.parse.urlencode(q), \
        None
    for _ in range(10):
        hdrs = [("Cookie", jar.header())] if jar.cookies else []
        if body is not None:
            hdrs.append(("Content-Type",
                         "application/x-www-form-urlencoded"))
        r = request(method, path, body, hdrs)
        if trace is not None:
            trace.append((method, path, r))
        jar.update(r)
        if r.status in (301, 302, 303, 307):
            loc = r.header("Location") or ""
            if loc.startswith(redirect_uri):
                qs = urllib.parse.urlsplit(loc).query
                params = dict(urllib.parse.parse_qsl(qs,
                                                     keep_blank_values=True))
                if "code" not in params:
                    raise AuthorizeError("redirect without a code: %s" % loc,
                                         r)
                return params["code"], params, jar
            if not (loc.startswith("/") or loc.startswith(ISSUER)):
                raise AuthorizeError("redirect elsewhere: %s" % loc, r)
            method, path, body = "GET", _path_of(loc), None
            continue
        if r.status != 200:
            raise AuthorizeError("unexpected status %d" % r.status, r)
        forms = [f for f in parse_forms(r.text) if f["method"] == "post"]
        if not forms:
            raise AuthorizeError("no form on the page", r)
        form = None
        for f in forms:
            names = {n for _, n, _ in f["inputs"]} | \
                {n for n, _ in f["buttons"]}
            if "password" in names or "decision" in names:
                form = f
                break
        if form is None:
            raise AuthorizeError("neither a login nor a consent form", r)
        fields = [(n, v) for t, n, v in form["inputs"]
                  if n and t == "hidden"]
        names = {n for _, n, _ in form["inputs"]}
        if "password" in names:
            fields += [("username", username), ("password", password)]
            btn = [b for b in form["buttons"] if b == ("action", "login")]
            if btn and "action" not in dict(fields):
                fields.append(btn[0])
        else:
            if not consent:
                raise AuthorizeError("consent page shown", r)
            btn = [b for b in form["buttons"] if b == ("decision", "allow")]
            if not btn:
                raise AuthorizeError("no decision=allow button", r)
            fields.append(btn[0])
        method, path = "POST", _path_of(form["action"] or "/authorize")
        body = form_encode(fields)
    raise AuthorizeError("too many steps", r)
