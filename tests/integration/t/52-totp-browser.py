#!/usr/bin/env python3
"""52-totp-browser: a real headless browser through the TOTP pages of the
password login (issue 22 item 2): tests/browser/totp.test.mjs, run by
t/50-browser.py's installer and relay (chromium, npm ci of
playwright-core) with OIDC_BROWSER_SCRIPT.  Nothing skips: a missing tool
is a "not ok", as in t/50.

The harness runs `totp = optional` (the code page).  For the enrolment
page of `totp = required` this test starts a private authorize.fcgi with
that setting and its own issuer, http://127.0.0.1:PORT, served by a small
HTTP-to-FastCGI relay here on PORT (OIDC_TOTP_REQUIRED_ISSUER for the
script); the relay passes requests and responses through unchanged.
"""
import http.server
import os
import re
import subprocess
import sys
import threading
import urllib.parse

from oidctest import *
from hardening import check_log, private_config, spawn

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


port = free_port()
req_issuer = "http://127.0.0.1:%d" % port
conf = private_config("totp-browser", [])
with open(conf) as f:
    text = f.read()
text = re.sub(r"^totp = optional$", "totp = required", text, flags=re.M)
text = re.sub(r"^issuer\s*=.*$", "issuer = " + req_issuer, text, flags=re.M)
with open(conf, "w") as f:
    f.write(text)
w = spawn("totp-browser", "authorize", conf)
check("a private authorize.fcgi with totp = required runs", w.alive(),
      open(w.log).read()[-1500:])


class Relay(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def relay(self):
        u = urllib.parse.urlsplit(self.path)
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        extra = {"HTTP_HOST": "127.0.0.1:%d" % port,
                 "SERVER_PORT": str(port)}
        for k, v in self.headers.items():
            if k.lower() not in ("content-type", "content-length", "host"):
                extra["HTTP_" + k.upper().replace("-", "_")] = v
        r = w.request(cgi_params(self.command, u.path, u.query,
                                 content_type=self.headers.get(
                                     "Content-Type"),
                                 content_length=n if n else None,
                                 extra=extra), body, timeout=20 * MULT)
        if r is None:
            self.send_error(502)
            return
        self.send_response(r.status)
        for k, v in r.headers.items():
            if k.lower() not in ("status", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(r.body)))
        self.end_headers()
        self.wfile.write(r.body)

    do_GET = relay
    do_POST = relay


srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Relay)
threading.Thread(target=srv.serve_forever, daemon=True).start()
try:
    e = dict(os.environ, OIDC_BROWSER_SCRIPT="totp.test.mjs",
             OIDC_TOTP_REQUIRED_ISSUER=req_issuer)
    rc = subprocess.call([sys.executable, os.path.join(HERE,
                                                       "50-browser.py")],
                         env=e)
finally:
    srv.shutdown()
    w.stop()
check("the browser script passed", rc == 0, rc)
check_log(w.log, "authorize with totp = required")
done()
