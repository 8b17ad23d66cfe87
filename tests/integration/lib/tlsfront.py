"""tlsfront: a private TLS front end for tests that need client
certificates (t/84-remote-user, t/87-mtls, t/87-mtls-auth): a test CA and
certificates made with the openssl command, waiting for a server's port,
stopping it, and a client that talks TLS to it with or without a client
certificate."""
import base64
import hashlib
import http.client
import os
import shutil
import signal
import socket
import ssl
import subprocess
import time

from oidctest import MULT, Response, basic_auth, form_encode

__all__ = ["NGINX", "LIGHTTPD", "openssl", "make_self_signed", "make_cert",
           "thumbprint", "wait_port", "stop", "Front"]

NGINX = os.environ.get("OIDC_TEST_NGINX") or shutil.which("nginx") or \
    "/usr/sbin/nginx"
LIGHTTPD = os.environ.get("OIDC_TEST_LIGHTTPD") or \
    shutil.which("lighttpd") or "/usr/sbin/lighttpd"


def openssl(*args, cwd, input=None):
    p = subprocess.run(["openssl"] + list(args), cwd=cwd, input=input,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise RuntimeError("openssl %s: %s" % (" ".join(args),
                                              p.stderr.decode()[-800:]))
    return p.stdout


def make_self_signed(d, name):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key",
            "-out", name + ".pem", "-days", "2", "-subj",
            "/O=oidc-fcgi test/CN=%s" % name, cwd=d)


def make_cert(d, ca, name, subj, ext):
    with open(os.path.join(d, name + ".ext"), "w") as f:
        f.write(ext + "\n")
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
            "-subj", subj, cwd=d)
    openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem",
            "-CAkey", ca + ".key", "-CAcreateserial", "-days", "2",
            "-out", name + ".pem", "-extfile", name + ".ext", cwd=d)


def thumbprint(d, name):
    """x5t#S256 of <name>.pem: the SHA-256 of its DER, base64url."""
    der = openssl("x509", "-in", name + ".pem", "-outform", "DER", cwd=d)
    return base64.urlsafe_b64encode(
        hashlib.sha256(der).digest()).decode().rstrip("=")


def wait_port(port, proc):
    end = time.monotonic() + 10 * MULT
    while time.monotonic() < end and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10 * MULT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Front:
    """HTTPS to 127.0.0.1:port, trusting <d>/ca.pem; cert: a name in d
    (<cert>.pem and .key) or None."""

    def __init__(self, port, d):
        self.port, self.d = port, d

    def request(self, cert, method, path, body=None, headers=None):
        ctx = ssl.create_default_context(
            cafile=os.path.join(self.d, "ca.pem"))
        if cert is not None:
            ctx.load_cert_chain(os.path.join(self.d, cert + ".pem"),
                                os.path.join(self.d, cert + ".key"))
        conn = http.client.HTTPSConnection("127.0.0.1", self.port,
                                           context=ctx, timeout=10 * MULT)
        try:
            if isinstance(body, str):
                body = body.encode()
            conn.putrequest(method, path, skip_accept_encoding=True)
            for k, v in (headers or []):
                conn.putheader(k, v)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            r = conn.getresponse()
            return Response(r.status, r.reason, r.headers, r.read())
        finally:
            conn.close()

    def token(self, cert, params, client, headers=None, path="/token"):
        cid, sec = client
        h = [("Content-Type", "application/x-www-form-urlencoded")] + \
            list(headers or [])
        if sec is None:
            params = dict(params, client_id=cid)
        else:
            h.append(("Authorization", basic_auth(cid, sec)))
        return self.request(cert, "POST", path, form_encode(params), h)

    def introspect(self, token, client):
        return self.request(None, "POST", "/introspect",
                            form_encode({"token": token}),
                            [("Content-Type",
                              "application/x-www-form-urlencoded"),
                             ("Authorization", basic_auth(*client))])

    def userinfo(self, cert, token):
        return self.request(cert, "GET", "/userinfo", None,
                            [("Authorization", "Bearer " + token)])
