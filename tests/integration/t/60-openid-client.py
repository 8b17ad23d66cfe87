#!/usr/bin/env python3
"""60-openid-client: an independent relying party, npm's openid-client
(pinned in tests/interop/rp_openid_client/package-lock.json), completes the
code flow with PKCE through the login form, redeems the code with
client.callback() so that the library validates the ID Token itself
(signature, iss, aud, exp, nonce, at_hash, the iss response parameter),
refreshes and calls UserInfo (issue 5, last item); then (issue 11)
introspection (own client, a stranger, a "resource_server": true client),
revocation (access token; refresh token taking its grant's access tokens),
private_key_jwt with RS256 and ES256 keys made in node, client_secret_jwt,
the hybrid flow (code id_token) in fragment and form_post response modes,
JARM (issue 21 item 5: query.jwt, fragment.jwt, form_post.jwt signed ES256
and an error, each verified by callback() with checks.jarm) and
RP-Initiated Logout through endSessionUrl().  rp.js registers the
clients it needs beyond the first with `oidcctl client create` (OIDC_CTL,
OIDC_CONFIG), since it makes their keys.

Needs node and npm; the packages are installed with `npm ci` on first use
(registry access), else the test is skipped.
"""
import os
import shutil
import subprocess
import secrets

from oidctest import *
from grants import user_sub

ROOT = env("OIDC_ROOT")
RP = os.path.join(ROOT, "tests", "interop", "rp_openid_client")
RURI = "http://127.0.0.1:9/rp/cb"
LOGOUT_URI = "http://127.0.0.1:9/rp/logged-out"

node = shutil.which("node")
npm = shutil.which("npm")
if not node or not npm:
    check("openid-client relying party: node and npm installed "
          "(make deps)", False)
    done()

if not os.path.isdir(os.path.join(RP, "node_modules", "openid-client")):
    p = subprocess.run([npm, "ci", "--prefix", RP, "--no-audit", "--no-fund"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=90 * MULT)
    if p.returncode != 0:
        check("openid-client relying party: npm ci", False,
              p.stdout.decode("utf-8", "replace").strip().splitlines()[-1:])
        done()

if not have_endpoint("authorize"):
    check("openid-client relying party: authorize.fcgi is built", False)
    done()

user = unique("rp-user")
pw = "pw-" + secrets.token_hex(8)
create_user(user, pw, {"email": "rp@example.com", "email_verified": True,
                       "name": "RP User"})
c = create_client({"client_name": "openid-client RP",
                   "redirect_uris": [RURI],
                   "post_logout_redirect_uris": [LOGOUT_URI],
                   "grant_types": ["authorization_code", "refresh_token"],
                   "token_endpoint_auth_method": "client_secret_basic"})

e = dict(os.environ)
e.update({"RP_CLIENT_ID": c["client_id"], "RP_CLIENT_SECRET":
          c["client_secret"], "RP_REDIRECT_URI": RURI,
          "RP_POST_LOGOUT_URI": LOGOUT_URI, "RP_USERNAME": user,
          "RP_PASSWORD": pw, "RP_EXPECT_SUB": user_sub(user)})
p = subprocess.run([node, os.path.join(RP, "rp.js")], env=e, cwd=RP,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                   timeout=100 * MULT)
out = p.stdout.decode("utf-8", "replace")
lines = out.splitlines()
for idx, ln in enumerate(lines):
    if ln.startswith("ok - ") or ln.startswith("not ok - "):
        ok = ln.startswith("ok - ")
        name = ln.split(" - ", 1)[1]
        # Gather the "#   " detail lines that follow a failure.
        detail = []
        for nxt in lines[idx + 1:]:
            if not nxt.startswith("#   "):
                break
            detail.append(nxt[4:])
        check("openid-client: " + name, ok, "\n".join(detail) or None)
    elif ln.startswith("note:") or ln.startswith("# rp.js: "):
        diag(ln)
check("openid-client: rp.js exited 0", p.returncode == 0,
      "exit %d\n%s\n%s" % (p.returncode, out[-2000:],
                            p.stderr.decode("utf-8", "replace")[-2000:]))
check("openid-client: rp.js printed checks",
      any(ln.startswith("ok - ") for ln in lines), out[-1000:])
done()
