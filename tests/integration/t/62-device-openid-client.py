#!/usr/bin/env python3
"""62-device-openid-client: the Device Authorization Grant (RFC 8628) with
an independent client, npm's openid-client (tests/interop/rp_openid_client,
pinned as for t/60): deviceAuthorization(), the user's part at /device over
HTTP, then handle.poll(), which waits the interval and validates the ID
Token itself; userinfo; a denied request rejects with access_denied.
Needs node and npm (npm ci on first use, as t/60).
"""
import os
import shutil
import subprocess
import secrets

from oidctest import *
from grants import user_sub

ROOT = env("OIDC_ROOT")
RP = os.path.join(ROOT, "tests", "interop", "rp_openid_client")
node = shutil.which("node")
npm = shutil.which("npm")
if not node or not npm:
    check("openid-client: node and npm installed (make deps)", False)
    done()
if not os.path.isdir(os.path.join(RP, "node_modules", "openid-client")):
    p = subprocess.run([npm, "ci", "--prefix", RP, "--no-audit", "--no-fund"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=90 * MULT)
    if p.returncode != 0:
        check("openid-client: npm ci", False,
              p.stdout.decode("utf-8", "replace").strip().splitlines()[-1:])
        done()

user = unique("devrp")
pw = "pw-" + secrets.token_hex(8)
create_user(user, pw, {"name": "Device RP"})
c = create_client({"client_name": "openid-client device",
                   "grant_types": ["urn:ietf:params:oauth:grant-type:"
                                   "device_code", "refresh_token"],
                   "response_types": []})
e = dict(os.environ, DEV_CLIENT_ID=c["client_id"],
         DEV_CLIENT_SECRET=c["client_secret"], DEV_USERNAME=user,
         DEV_PASSWORD=pw, DEV_EXPECT_SUB=user_sub(user))
p = subprocess.run([node, os.path.join(RP, "device.js")], env=e, cwd=RP,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                   timeout=120 * MULT)
lines = p.stdout.decode("utf-8", "replace").splitlines()
for i, ln in enumerate(lines):
    if ln.startswith("ok - ") or ln.startswith("not ok - "):
        detail = [x[4:] for x in lines[i + 1:i + 2] if x.startswith("#   ")]
        check("openid-client: " + ln.split(" - ", 1)[1],
              ln.startswith("ok - "), "\n".join(detail) or None)
check("openid-client: device.js exited 0", p.returncode == 0,
      "exit %d\n%s" % (p.returncode,
                       p.stderr.decode("utf-8", "replace")[-2000:]))
check("openid-client: device.js printed checks",
      any(ln.startswith("ok - ") for ln in lines), lines[-20:])
done()
