#!/usr/bin/env python3
"""43-keyless-hosts: the multi-host topology of deploy/README.md section 6
holds (issue 20 item 6): whatever signs on one host is in the JWKS that
another host serves, and userinfo never answers 500 for signed UserInfo.

Two configurations on the one stack (same database and issuer) stand for
two hosts, in both ways the README documents:

1. File keys.  The signing host (the harness: signing_key = the private
   PEM files) signs an ID Token; the publishing host's configuration names
   the public halves (`openssl pkey -pubout`) instead and has no
   key_encryption_key.  Its jwks worker publishes exactly the kids the
   signing host publishes, and the ID Token verifies with it.  userinfo
   refuses to start with only public halves (exit 78, the file named):
   it signs, so it belongs on a signing host.
2. Database keys.  A key made with `oidcctl key generate` (PS384, an
   algorithm the harness files do not use).  Signing host: no signing_key
   lines, the key_encryption_key; publishing host: neither.  An ID Token
   and a signed UserInfo response from the signing host's workers verify
   with the JWKS of the publishing host's jwks worker.  A userinfo worker
   on the publishing host (misplaced: no key to sign with) answers signed
   UserInfo with 503 temporarily_unavailable and Retry-After, never 500,
   and its /readyz says `not ready: keys`.
"""
import json
import os
import re
import subprocess

from oidctest import *
from hardening import *
from flow import make_client, make_user, run_flow, RP
from privflow import PrivateBrowser, fcgi
from cluster import verify_with_jwks as verify

d = private_dir("keyless")
u = run_user()
with open(env("OIDC_CONFIG")) as f:
    base = f.read()
WAIT = 15 * MULT
FORM = [("Content-Type", "application/x-www-form-urlencoded")]


def config(name, signing_keys, kek):
    """The harness config with these signing_key lines and with or
    without the key_encryption_key."""
    text = re.sub(r"^(signing_key|key_encryption_key)\s*=.*\n", "", base,
                  flags=re.M)
    text += "".join("signing_key = %s\n" % k for k in signing_keys)
    if kek:
        m = re.search(r"^key_encryption_key\s*=.*\n", base, re.M)
        text += m.group(0)
    path = os.path.join(d, name + ".conf")
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)
    return path


def kids(doc):
    return sorted(k.get("kid") for k in (doc or {}).get("keys", []))


def header(token):
    return json.loads(b64url_decode(token.split(".")[0]))


def get_json(w, path):
    r = w.request(cgi_params("GET", path), timeout=10 * MULT)
    return r, (r.json() if r.status == 200 else None)


user, pw = unique("kl-user"), "keyless-pass-1"
make_user(user, pw, {"email": user + "@example.org"})

# ---- 1. file keys: private on the signing host, public halves elsewhere --

pubs = []
for var in ("OIDC_KEY_RS256", "OIDC_KEY_ES256"):
    pub = os.path.join(d, os.path.basename(env(var)) + ".pub")
    p = subprocess.run(["openssl", "pkey", "-in", env(var), "-pubout",
                        "-out", pub], stderr=subprocess.PIPE)
    check("openssl pkey -pubout %s" % var, p.returncode == 0, p.stderr)
    os.chmod(pub, 0o644)
    pubs.append(pub)
pub_conf = config("pub-files", pubs, False)
jw = spawn("keyless", "jwks", pub_conf)
check("publishing host (public halves, no KEK): jwks runs", jw.alive(),
      open(jw.log).read()[-1500:])
r, doc_b = get_json(jw, "/jwks")
ra = get("/jwks")
doc_a = ra.json() if ra.status == 200 else None
check("publishing host's JWKS holds every kid of the signing host's",
      doc_b is not None and doc_a is not None and
      set(kids(doc_a)) <= set(kids(doc_b)), (kids(doc_a), kids(doc_b)))
check("... and no private member", doc_b is not None and
      not any("d" in k for k in doc_b.get("keys", [])), doc_b)

c = make_client(response_types=["code"], first_party=True,
                grant_types=["authorization_code"])
res = run_flow(c, user, pw, {"response_type": "code", "scope": "openid",
                             "state": "s", "nonce": "n-files"})
r = post_form("/token", {"grant_type": "authorization_code",
                         "code": res.get("code", ""), "redirect_uri": RP},
              auth=(c["client_id"], c["client_secret"]))
idt = (r.json() or {}).get("id_token") if r.status == 200 else None
check("signing host (harness) issues an ID Token", idt is not None, r)
if idt and doc_b:
    pl = verify(idt, doc_b, header(idt).get("alg", "RS256"))
    check("file-key ID Token verifies with the publishing host's JWKS",
          pl is not None and pl.get("nonce") == "n-files", pl)
jw.stop()

p = subprocess.run([os.path.join(env("OIDC_BUILD"), "cgi-bin",
                                 "userinfo.fcgi"), "--check-config"],
                   env=dict(os.environ, OIDC_CONFIG=pub_conf),
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                   timeout=30 * MULT)
check("userinfo with public halves only: refused at start (exit 78, "
      "the file named)", p.returncode == 78 and
      b"a public key" in p.stderr and
      os.path.basename(pubs[0]).encode() in p.stderr,
      (p.returncode, p.stderr))

# ---- 2. database keys: the KEK on signing hosts, nothing elsewhere -------

rc, k, err = ctl_json("key", "generate", "--alg", "PS384", "--activate-now")
check("oidcctl key generate --alg PS384 --activate-now", rc == 0 and
      isinstance(k, dict) and k.get("kid"), (rc, k, err))
kid = k.get("kid") if isinstance(k, dict) else None
sign_conf = config("db-sign", [], True)
pub_db_conf = config("db-pub", [], False)

signers = {n: spawn("keyless-a", n, sign_conf)
           for n in ("authorize", "token", "userinfo")}
publishers = {n: spawn("keyless-b", n, pub_db_conf)
              for n in ("jwks", "userinfo")}
for n, w in list(signers.items()) + list(publishers.items()):
    check("%s worker running" % n, w.alive(), open(w.log).read()[-1500:])

r, doc_b = get_json(publishers["jwks"], "/jwks")
check("publishing host (no key files, no KEK) publishes the database key",
      kid is not None and kid in kids(doc_b), (kid, kids(doc_b)))

c = make_client(response_types=["code"], first_party=True,
                grant_types=["authorization_code"],
                id_token_signed_response_alg="PS384",
                userinfo_signed_response_alg="PS384")
auth = [("Authorization", basic_auth(c["client_id"], c["client_secret"]))]
tok = {}
try:
    res = run_flow(c, user, pw, {"response_type": "code",
                                 "scope": "openid email", "state": "s",
                                 "nonce": "n-db"},
                   browser=PrivateBrowser(signers, "keyless"))
    r = fcgi(signers, "POST", "/token", form_encode(
        {"grant_type": "authorization_code", "code": res["code"],
         "redirect_uri": RP}), FORM + auth)
    tok = (r.json() or {}) if r is not None and r.status == 200 else {}
    check("signing host (KEK, no key files) issues an ID Token",
          "id_token" in tok, r)
except Exception as e:  # FlowError, KeyError: report, go on
    check("login and code at the signing host", False, e)
if "id_token" in tok:
    check("... signed with the database key",
          header(tok["id_token"]).get("kid") == kid, header(tok["id_token"]))
    pl = verify(tok["id_token"], doc_b, "PS384")
    check("database-key ID Token verifies with the publishing host's JWKS",
          pl is not None and pl.get("nonce") == "n-db", pl)
if "access_token" in tok:
    bearer = [("Authorization", "Bearer " + tok["access_token"])]
    r = fcgi(signers, "GET", "/userinfo", None, bearer)
    ok = r is not None and r.status == 200 and \
        r.content_type() == "application/jwt"
    check("userinfo on the signing host: signed UserInfo (200 "
          "application/jwt)", ok, r)
    if ok:
        pl = verify(r.text, doc_b, "PS384")
        check("signed UserInfo verifies with the publishing host's JWKS",
              pl is not None and pl.get("email") == user + "@example.org",
              pl)
    r = fcgi(publishers, "GET", "/userinfo", None, bearer)
    check("userinfo misplaced on the publishing host: 503 "
          "temporarily_unavailable with Retry-After, not 500",
          r is not None and r.status == 503 and
          (r.json() or {}).get("error") == "temporarily_unavailable" and
          r.header("Retry-After") == "2", r)
    r = publishers["userinfo"].request(cgi_params("GET", "/readyz"),
                                       timeout=10 * MULT)
    check("... and its /readyz says not ready: keys", r.status == 503 and
          "keys" in r.text, r)

for n, w in list(signers.items()) + list(publishers.items()):
    check("%s: clean exit" % n, w.stop() == 0, open(w.log).read()[-1500:])
    check_log(w.log, "keyless %s" % n,
              allow_error=r"no signing key for PS384|signing_key cannot "
              r"sign: no key_encryption_key" if w is
              publishers["userinfo"] else None)

if kid:
    psql("DELETE FROM signing_key WHERE kid = '%s'" % kid.replace("'", "''"))
    check("the test's key leaves the harness's /jwks", wait_until(
        lambda: kid not in kids(get("/jwks").json()), WAIT))

done()
