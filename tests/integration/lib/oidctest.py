"""oidctest: helpers for tests/integration/t/*.py (Python 3 stdlib only).

run.sh starts the stack and runs each t/*.py with the environment described
at the top of tests/integration/run.sh (OIDC_ISSUER, OIDC_CTL, OIDC_TMP,
OIDC_PGHOST, OIDC_PGCTL, ...).  A test prints one line per check,
"ok - name" or "not ok - name" (TAP-ish; run.sh counts them), through
check(), and ends with done(), which exits 1 if any check failed.

    from oidctest import *
    r = get("/userinfo")
    check("userinfo without token is 401", r.status == 401, r)
    done()

The HTTP client never follows redirects and never "fixes" a request: the
test controls the method, path, every header (duplicates included), the
body and Content-Length.  Responses are Response objects: .status, .headers
(case-insensitive .get(), .get_all()), .body (bytes), .json(), .text.
"""

import base64
import email.parser
import http.client
import json as _json
import os
import secrets
import socket
import struct
import subprocess
import sys
import time
import urllib.parse

__all__ = [
    "env", "ISSUER", "TMP", "MULT", "Response", "request", "get", "post_form",
    "post_raw", "raw_request", "send_partial", "basic_auth", "form_encode",
    "check", "skip", "diag", "done", "failures", "ctl", "ctl_json", "psql",
    "create_client", "create_user", "store_claims_sql", "expect_error_log", "pg_stop", "pg_start",
    "fcgi_request", "fcgi_at", "cgi_params", "ENDPOINT_PATHS", "have_endpoint",
    "endpoints", "unique", "is_json_error",
    "wait_until", "b64url", "b64url_decode", "free_port",
]


_ports_given = set()


def free_port():
    """A free loopback port for a server this test starts: below the
    kernel's ephemeral range (32768-60999), so no outgoing connection takes
    it before the server binds it, and never one handed out before."""
    import random
    for _ in range(1000):
        p = random.randrange(20000, 30000)
        if p in _ports_given:
            continue
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", p))
        except OSError:
            continue
        finally:
            s.close()
        _ports_given.add(p)
        return p
    raise RuntimeError("no free port")


# ---- environment -----------------------------------------------------------

def env(name, default=None):
    """Return environment variable name; without a default it must be set."""
    v = os.environ.get(name)
    if v is None or v == "":
        if default is None:
            sys.stderr.write("oidctest: %s is not set (run via "
                             "tests/integration/run.sh)\n" % name)
            sys.exit(2)
        return default
    return v


ISSUER = env("OIDC_ISSUER", "http://127.0.0.1:8080").rstrip("/")
TMP = os.environ.get("OIDC_TMP", "")
MULT = int(os.environ.get("OIDC_TEST_TIMEOUT_MULT", "1") or "1")
_url = urllib.parse.urlsplit(ISSUER)
HOST = _url.hostname or "127.0.0.1"
PORT = _url.port or 80
TIMEOUT = 10 * MULT


def unique(prefix="t"):
    """A name that differs between runs and between the two front ends."""
    return "%s-%s" % (prefix, secrets.token_hex(4))


# ---- checks ----------------------------------------------------------------

_failed = []
_count = 0


def diag(msg):
    """Print a diagnostic line (TAP comment)."""
    for line in str(msg).splitlines() or [""]:
        print("#   " + line)


def check(name, cond, detail=None):
    """Print "ok - name" or "not ok - name" (with detail); return cond."""
    global _count
    _count += 1
    name = " ".join(str(name).split())
    if cond:
        print("ok - " + name)
    else:
        print("not ok - " + name)
        _failed.append(name)
        if detail is not None:
            diag(detail if not isinstance(detail, Response)
                 else detail.describe())
    sys.stdout.flush()
    return bool(cond)


def skip(name, reason):
    """Report a check that is not run, with its reason: run.sh counts it
    apart from passes and lists it with the reason.  Only for an opt-in
    test not asked for (99-soak without OIDC_SOAK=1); a missing binary,
    tool, privilege or feature fails its check instead."""
    print("ok - %s # SKIP %s" % (" ".join(str(name).split()), reason))
    sys.stdout.flush()


def failures():
    return list(_failed)


def done():
    """Exit: 1 if any check failed, else 0."""
    if _failed:
        print("# %d of %d checks failed" % (len(_failed), _count))
        sys.exit(1)
    sys.exit(0)


# ---- HTTP ------------------------------------------------------------------

class Response:
    """An HTTP response: status (int), headers (http.client.HTTPMessage,
    case-insensitive get/get_all), body (bytes)."""

    def __init__(self, status, reason, headers, body, elapsed=0.0):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.elapsed = elapsed

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        """The body parsed as JSON, or None if it is not JSON."""
        try:
            return _json.loads(self.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None

    def header(self, name, default=None):
        return self.headers.get(name, default)

    def content_type(self):
        """Media type without parameters, lower case ('' if absent)."""
        return (self.headers.get("Content-Type") or "").split(";")[0] \
            .strip().lower()

    def describe(self):
        hdrs = "".join("%s: %s\n" % (k, v) for k, v in self.headers.items())
        body = self.body[:600]
        return "HTTP %d %s\n%s\n%r%s" % (
            self.status, self.reason, hdrs.rstrip("\n"), body,
            "..." if len(self.body) > 600 else "")

    def __repr__(self):
        return self.describe()


def _headers_list(headers):
    if headers is None:
        return []
    if isinstance(headers, dict):
        return list(headers.items())
    return list(headers)


def request(method, path, body=None, headers=None, timeout=None,
            content_length=True):
    """Send one request on a fresh connection and return a Response.

    headers: dict or list of (name, value) pairs; a list may repeat a name.
    body: bytes or str.  Content-Length is set from the body unless
    content_length is False or a Content-Length header is given (then it is
    sent as given, right or wrong).  Redirects are never followed.
    """
    if isinstance(body, str):
        body = body.encode("utf-8")
    hl = _headers_list(headers)
    names = {k.lower() for k, _ in hl}
    conn = http.client.HTTPConnection(HOST, PORT, timeout=timeout or TIMEOUT)
    t0 = time.monotonic()
    try:
        conn.putrequest(method, path, skip_host="host" in names,
                        skip_accept_encoding=True)
        for k, v in hl:
            conn.putheader(k, v)
        if body is not None and content_length and \
                "content-length" not in names:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        r = conn.getresponse()
        data = r.read()
        return Response(r.status, r.reason, r.headers, data,
                        time.monotonic() - t0)
    finally:
        conn.close()


def get(path, headers=None, **kw):
    return request("GET", path, None, headers, **kw)


def form_encode(params):
    """Form-encode a dict, a list of pairs (duplicates kept) or a str."""
    if params is None:
        return ""
    if isinstance(params, (str, bytes)):
        return params
    if isinstance(params, dict):
        params = list(params.items())
    return urllib.parse.urlencode(params)


def basic_auth(client_id, secret):
    """Authorization header value for client_secret_basic: each half is
    form-encoded first (RFC 6749 §2.3.1)."""
    raw = "%s:%s" % (urllib.parse.quote_plus(client_id),
                     urllib.parse.quote_plus(secret))
    return "Basic " + base64.b64encode(raw.encode()).decode()


def post_form(path, params, headers=None, auth=None, **kw):
    """POST an application/x-www-form-urlencoded body.  auth=(id, secret)
    adds HTTP Basic client authentication."""
    hl = _headers_list(headers)
    if not any(k.lower() == "content-type" for k, _ in hl):
        hl.append(("Content-Type", "application/x-www-form-urlencoded"))
    if auth is not None:
        hl.append(("Authorization", basic_auth(*auth)))
    return request("POST", path, form_encode(params), hl, **kw)


def post_raw(path, body, content_type=None, headers=None, **kw):
    """POST arbitrary bytes with an arbitrary (or no) Content-Type."""
    hl = _headers_list(headers)
    if content_type is not None:
        hl.append(("Content-Type", content_type))
    return request("POST", path, body, hl, **kw)


def _read_response(sock, method):
    r = http.client.HTTPResponse(sock, method=method)
    r.begin()
    data = r.read()
    return r, data


def raw_request(data, method="GET", timeout=None):
    """Send raw bytes (a whole hand-made HTTP request) and parse the
    answer."""
    s = socket.create_connection((HOST, PORT), timeout=timeout or TIMEOUT)
    t0 = time.monotonic()
    try:
        s.sendall(data)
        r, body = _read_response(s, method)
        return Response(r.status, r.reason, r.headers, body,
                        time.monotonic() - t0)
    finally:
        s.close()


def send_partial(method, path, headers, partial_body, timeout=5):
    """Send the request line, headers (dict/list, sent verbatim: include
    Content-Length yourself) and only partial_body, then wait for an
    answer without sending the rest.  Returns a Response, or None if no
    answer came within timeout seconds."""
    hl = _headers_list(headers)
    if not any(k.lower() == "host" for k, _ in hl):
        hl.insert(0, ("Host", "%s:%d" % (HOST, PORT)))
    head = "%s %s HTTP/1.1\r\n" % (method, path)
    head += "".join("%s: %s\r\n" % (k, v) for k, v in hl) + "\r\n"
    if isinstance(partial_body, str):
        partial_body = partial_body.encode()
    s = socket.create_connection((HOST, PORT), timeout=timeout)
    t0 = time.monotonic()
    try:
        s.sendall(head.encode("latin-1") + partial_body)
        r, body = _read_response(s, method)
        return Response(r.status, r.reason, r.headers, body,
                        time.monotonic() - t0)
    except (socket.timeout, TimeoutError):
        return None
    except (http.client.HTTPException, ConnectionError):
        return None
    finally:
        s.close()


def is_json_error(r, code=None):
    """True if r is a JSON body (Content-Type application/json) holding a
    string "error" member (equal to code when given)."""
    if r is None or r.content_type() != "application/json":
        return False
    j = r.json()
    if not isinstance(j, dict) or not isinstance(j.get("error"), str):
        return False
    return code is None or j["error"] == code


def wait_until(fn, timeout, interval=0.1):
    """Call fn() until it returns a true value or timeout seconds pass;
    return the last value."""
    end = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() >= end:
            return v
        time.sleep(interval)


# ---- encoding --------------------------------------------------------------

def b64url(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(s):
    if isinstance(s, bytes):
        s = s.decode("ascii")
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


# ---- FastCGI, straight to a worker socket ----------------------------------

def _fcgi_record(rtype, req_id, content):
    out = b""
    # Records carry at most 65535 bytes; split longer content.
    while True:
        chunk, content = content[:65535], content[65535:]
        pad = (8 - len(chunk) % 8) % 8
        out += struct.pack(">BBHHBB", 1, rtype, req_id, len(chunk), pad, 0)
        out += chunk + b"\0" * pad
        if not content:
            return out


def _fcgi_nv(name, value):
    def ln(n):
        return struct.pack(">B", n) if n < 128 else \
            struct.pack(">I", n | 0x80000000)
    name = name.encode() if isinstance(name, str) else name
    value = value.encode() if isinstance(value, str) else value
    return ln(len(name)) + ln(len(value)) + name + value


def fcgi_request(name, params, stdin=b"", close_stdin=True, timeout=5):
    """Speak FastCGI directly to $OIDC_RUNDIR/<name>.sock, bypassing the
    front end.  params: dict of CGI variables.  stdin: body bytes sent
    (close_stdin=False leaves the stream open, to test a worker that must
    answer before reading a whole body).  Returns a Response built from the
    CGI output ("Status:" header), with .stderr holding FCGI_STDERR bytes,
    or None on timeout / connection failure."""
    return fcgi_at(os.path.join(env("OIDC_RUNDIR"), name + ".sock"), params,
                   stdin, close_stdin, timeout)


def fcgi_at(path, params, stdin=b"", close_stdin=True, timeout=5):
    """fcgi_request() to any socket path (e.g. a worker a test started
    itself)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    t0 = time.monotonic()
    try:
        s.connect(path)
        msg = _fcgi_record(1, 1, struct.pack(">HB5x", 1, 0))  # BEGIN, RESPONDER
        p = b"".join(_fcgi_nv(k, v) for k, v in params.items())
        if p:
            msg += _fcgi_record(4, 1, p)
        msg += _fcgi_record(4, 1, b"")
        if isinstance(stdin, str):
            stdin = stdin.encode()
        if stdin:
            msg += _fcgi_record(5, 1, stdin)
        if close_stdin:
            msg += _fcgi_record(5, 1, b"")
        s.sendall(msg)
        out, err, buf = b"", b"", b""
        while True:
            while len(buf) < 8:
                d = s.recv(65536)
                if not d:
                    raise ConnectionError("worker closed before END_REQUEST")
                buf += d
            _, rtype, _, clen, plen, _ = struct.unpack(">BBHHBB", buf[:8])
            while len(buf) < 8 + clen + plen:
                d = s.recv(65536)
                if not d:
                    raise ConnectionError("short FastCGI record")
                buf += d
            content = buf[8:8 + clen]
            buf = buf[8 + clen + plen:]
            if rtype == 6:
                out += content
            elif rtype == 7:
                err += content
            elif rtype == 3:
                break
    except (OSError, ConnectionError):
        return None
    finally:
        s.close()
    sep = b"\r\n\r\n" if b"\r\n\r\n" in out else b"\n\n"
    head, _, body = out.partition(sep)
    msg = email.parser.Parser(_class=http.client.HTTPMessage).parsestr(
        head.decode("latin-1").replace("\r\n", "\n") + "\n\n",
        headersonly=True)
    status = 200
    st = msg.get("Status")
    if st:
        try:
            status = int(st.split()[0])
        except ValueError:
            status = -1
    r = Response(status, st or "", msg, body, time.monotonic() - t0)
    r.stderr = err
    return r


# ---- the stack -------------------------------------------------------------

# Endpoint binary name -> path, as mapped by deploy/nginx/oidc.conf.in and
# deploy/lighttpd/oidc.conf.in.
ENDPOINT_PATHS = {
    "authorize": "/authorize",
    "token": "/token",
    "userinfo": "/userinfo",
    "jwks": "/jwks",
    "revoke": "/revoke",
    "introspect": "/introspect",
    "par": "/par",
    "device": "/device_authorization",
    "end_session": "/end_session",
    "register": "/register",
    "discovery": "/.well-known/openid-configuration",
    "metrics": "/metrics",
}


def cgi_params(method, path, query="", content_type=None,
               content_length=None, extra=None):
    """The FastCGI parameters nginx would send for a request (see
    deploy/nginx/oidc.conf.in), for fcgi_request()."""
    p = {
        "GATEWAY_INTERFACE": "CGI/1.1",
        "REQUEST_METHOD": method,
        "QUERY_STRING": query,
        "CONTENT_TYPE": content_type or "",
        "CONTENT_LENGTH": "" if content_length is None
        else str(content_length),
        "REQUEST_URI": path + ("?" + query if query else ""),
        "DOCUMENT_URI": path,
        "SCRIPT_NAME": path,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REQUEST_SCHEME": "http",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "40000",
        "SERVER_ADDR": "127.0.0.1",
        "SERVER_PORT": str(PORT),
        "SERVER_NAME": "_",
        "HTTP_HOST": "%s:%d" % (HOST, PORT),
    }
    if extra:
        p.update(extra)
    return p


def endpoints():
    """Names of the endpoints the harness started (one socket each in
    $OIDC_RUNDIR; binaries built after start-up do not count)."""
    try:
        return sorted(f[:-5] for f in os.listdir(env("OIDC_RUNDIR"))
                      if f.endswith(".sock"))
    except OSError:
        return []


def have_endpoint(name):
    return os.path.exists(os.path.join(env("OIDC_RUNDIR"), name + ".sock"))


def expect_error_log(pattern):
    """Declare that this test provokes log lines matching the grep -E
    pattern (worker level=error lines, front-end error.log lines), so the
    final log check does not count them."""
    with open(os.path.join(env("OIDC_TMP"), "expected-errors"), "a") as f:
        f.write(pattern + "\n")


def ctl(*args, stdin=None, timeout=None, config=None):
    """Run oidcctl args... with OIDC_CONFIG (or the file `config`), from
    the repo root.  stdin: bytes or str.  Returns (rc, stdout str, stderr
    str)."""
    if isinstance(stdin, str):
        stdin = stdin.encode()
    cenv = None
    if config is not None:
        cenv = dict(os.environ, OIDC_CONFIG=config)
    p = subprocess.run([env("OIDC_CTL")] + [str(a) for a in args],
                       input=stdin if stdin is not None else b"",
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       cwd=env("OIDC_ROOT", os.getcwd()), env=cenv,
                       timeout=timeout or 30 * MULT)
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"))


def ctl_json(*args, stdin=None, config=None):
    """Run oidcctl and parse its stdout as JSON; (rc, obj or None, stderr)."""
    rc, out, err = ctl(*args, stdin=stdin, config=config)
    try:
        obj = _json.loads(out)
    except ValueError:
        obj = None
    return rc, obj, err


def psql(sql):
    """Run SQL against the test database (role oidc, db oidc) and return
    psql -At output, stripped.  Raises on error."""
    pgbin = os.environ.get("OIDC_PGBIN")
    exe = os.path.join(pgbin, "psql") if pgbin else "psql"
    p = subprocess.run([exe, "-X", "-q", "-v", "ON_ERROR_STOP=1",
                        "-h", env("OIDC_PGHOST"),
                        "-U", env("OIDC_PGUSER", "oidc"),
                        "-d", env("OIDC_PGDATABASE", "oidc"),
                        "-At", "-c", sql],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30 * MULT)
    if p.returncode != 0:
        raise RuntimeError("psql failed: %s" % p.stderr.decode().strip())
    return p.stdout.decode().strip()


def create_client(metadata):
    """oidcctl client create with metadata (dict) as JSON on stdin; returns
    the printed JSON (client_id, client_secret, ...).  Raises on failure."""
    rc, out, err = ctl("client", "create", stdin=_json.dumps(metadata))
    if rc != 0:
        raise RuntimeError("oidcctl client create: exit %d: %s"
                           % (rc, err.strip()))
    return _json.loads(out)


def create_user(username, password, claims=None):
    """oidcctl user create (password on stdin), then set-claims if given.
    Raises on failure."""
    rc, out, err = ctl("user", "create", username, stdin=password)
    if rc != 0:
        raise RuntimeError("oidcctl user create: exit %d: %s"
                           % (rc, err.strip()))
    if claims is not None:
        rc, out, err = ctl("user", "set-claims", username,
                           stdin=_json.dumps(claims))
        if rc != 0:
            raise RuntimeError("oidcctl user set-claims: exit %d: %s"
                               % (rc, err.strip()))


def store_claims_sql(username, claims):
    """Replace a user's stored claims with SQL, past oidcctl's check (which
    refuses names neither standard nor declared by a `scope` line): claims
    stored before that check existed, or before their declaration was
    removed.  The provider must never release them."""
    lit = _json.dumps(claims).replace("'", "''")
    name = username.replace("'", "''")
    psql("UPDATE app_user SET claims = '%s'::jsonb, updated_at = now() "
         "WHERE username = '%s'" % (lit, name))


def _pgctl(*args):
    p = subprocess.run([env("OIDC_PGCTL")] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=60 * MULT)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def pg_stop(mode="fast"):
    """Stop the test cluster (pg_ctl stop -m mode -w); (rc, output)."""
    return _pgctl("-m", mode, "-w", "stop")


def pg_start():
    """Start the test cluster again (pg_ctl start -w); (rc, output)."""
    return _pgctl("-w", "-t", str(60 * MULT), "start")
