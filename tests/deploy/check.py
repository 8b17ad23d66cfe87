#!/usr/bin/env python3
"""tests/deploy/check.py: what deploy/README.md's walk-through must have
achieved, checked inside the walk-through's root after its last block
(tests/deploy/walkthrough.sh runs it; the HTTP and flow helpers are
tests/integration/lib's, against OIDC_ISSUER, the nginx of section 4).

- discovery is served through nginx, with the issuer the walk-through set;
- user alice (the walk-through's) signs in to the client it registered
  (oidcctl client create printed the client_id and secret): login page,
  consent page, code, /token (an ID token for that user and nonce, an
  access token), /userinfo with that access token;
- every endpoint binary installed runs OIDC_WORKERS=2 processes and its
  pid file in /run/oidc-fcgi holds exactly those (oidc-spawn.sh);
- the systemd units' ExecStart and Documentation name installed files.
"""
import glob
import json
import os
import shlex

from oidctest import ISSUER, check, diag, done, get
from flow import FlowError, jws_split, new_nonce, redeem, run_flow

USER, PASSWORD = "alice", "correct horse battery staple"
REDIRECT = "https://app.example.com/callback"
LIBEXEC = os.environ["OIDC_WALK_LIBEXEC"]
WORKERS = 2

r = get("/.well-known/openid-configuration")
disc = r.json() if r.status == 200 else {}
check("discovery served through nginx", r.status == 200, r)
check("discovery names the walk-through's issuer",
      disc.get("issuer") == ISSUER, disc.get("issuer"))

client = None
for f in sorted(glob.glob("/walk/out/*.txt")):
    text = open(f).read()
    start = text.find("{")
    if start == -1:
        continue
    try:
        obj = json.JSONDecoder().raw_decode(text[start:])[0]
    except ValueError:
        continue
    if isinstance(obj, dict) and "client_secret" in obj:
        client = obj
check("oidcctl client create printed the client (client_id, secret)",
      client is not None and "client_id" in client)
if client is None:
    done()
client.setdefault("redirect_uris", [REDIRECT])

nonce = new_nonce()
res = None
try:
    res = run_flow(client, USER, PASSWORD,
                   {"response_type": "code", "nonce": nonce,
                    "state": "walk"})
except FlowError as e:
    diag(str(e))
check("code flow: login and consent pages, then a code",
      res is not None and res.get("code") and res.get("state") == "walk"
      and res["_pages"] == ["login", "consent"],
      res and {k: v for k, v in res.items() if not k.startswith("_")})
tok = {}
if res and res.get("code"):
    r = redeem(client, res["code"])
    tok = r.json() if r.status == 200 else {}
    check("/token redeems the code", r.status == 200, r)
claims = {}
if tok.get("id_token"):
    claims = jws_split(tok["id_token"])[1]
check("ID token for the client and the nonce, from the issuer",
      claims.get("iss") == ISSUER and claims.get("aud") in
      (client["client_id"], [client["client_id"]])
      and claims.get("nonce") == nonce, claims)
r = get("/userinfo", headers={"Authorization": "Bearer %s"
                              % tok.get("access_token", "")})
ui = r.json() if r.status == 200 else {}
check("/userinfo answers the access token with the ID token's sub",
      r.status == 200 and ui.get("sub") and ui.get("sub") == claims.get("sub"),
      r)

names = sorted(os.path.basename(b)[:-len(".fcgi")]
               for b in glob.glob(os.path.join(LIBEXEC, "*.fcgi")))
check("endpoint binaries installed in " + LIBEXEC, len(names) >= 9, names)
running = {}
for d in os.listdir("/proc"):
    if not d.isdigit():
        continue
    try:
        exe = os.path.basename(os.readlink("/proc/%s/exe" % d))
        with open("/proc/%s/stat" % d) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        continue
    if exe.endswith(".fcgi") and state != "Z":
        running.setdefault(exe[:-len(".fcgi")], set()).add(int(d))
for n in names:
    try:
        with open("/run/oidc-fcgi/%s.pid" % n) as f:
            pids = {int(x) for x in f.read().split()}
    except OSError as e:
        pids = e
    check("%s: the pid file holds the %d running workers" % (n, WORKERS),
          pids == running.get(n) and len(pids) == WORKERS,
          (pids, running.get(n)))

# The systemd units (not runnable here: no systemd in the root) name only
# files the walk-through installed: make install renders them for PREFIX;
# the package also puts them in /lib/systemd/system.
prefix = os.path.dirname(os.path.dirname(LIBEXEC))
units = glob.glob(os.path.join(prefix, "share/oidc-fcgi/deploy/systemd/*"))
if prefix == "/usr":
    units += glob.glob("/lib/systemd/system/oidc-*")
check("systemd units installed", len(units) >= 4, units)
for u in sorted(units):
    paths = []
    for line in open(u):
        k, _, v = line.strip().partition("=")
        if k == "ExecStart":
            # Words as the shell sees them, also inside "/bin/sh -c SCRIPT"
            # (oidc-fcgi@.service picks the instance's config there).
            argv = shlex.split(v)
            if argv[:2] == ["/bin/sh", "-c"] and len(argv) > 2:
                argv = argv[:2] + shlex.split(argv[2].replace("$$", "$"))
            paths += [w.replace("%i", "token") for w in argv
                      if w.startswith("/")]
        elif k == "Documentation" and v.startswith("file:"):
            paths.append(v[len("file:"):])
    missing = [p for p in paths if not os.path.exists(p)]
    check("%s names only installed files" % u,
          (paths or u.endswith(".timer")) and not missing,
          missing or "no ExecStart")
done()
