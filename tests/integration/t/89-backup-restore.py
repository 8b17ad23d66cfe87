#!/usr/bin/env python3
"""89-backup-restore: the restore drill of docs/BACKUP.md (issue 20 item
16).

Before the backup, on the harness stack: a database signing key (PS512,
sealed with the key-encryption key), a client whose ID Tokens it signs, a
client_secret_jwt client (its secret sealed with the KEK), and an access
token, a refresh token and an ID Token for a user.

Backup as documented: `pg_dump -Fc` of the database (the KEK, the
pairwise salt, the key files and oidc.conf are files, copied as they
are).  Restore into a fresh cluster (initdb on a private socket, as the
workers' user), `pg_restore`, `psql -f sql/roles.sql`, `oidcctl db
check`, then workers whose configuration differs from the harness's only
in its `database` line.  There:

- the access token introspects active and works at userinfo;
- the refresh token refreshes, and the new ID Token is signed with the
  restored database key;
- the ID Token issued before the backup verifies with the JWKS the
  restored jwks worker serves;
- the client_secret_jwt client authenticates (its sealed secret opens).

Then the same restore without the key-encryption key (the line removed,
as after losing the file): the jwks worker still publishes the database
key, but what needs the KEK is refused with 503 temporarily_unavailable,
never 500: a refresh for the client whose tokens the database key signs,
and the client_secret_jwt client.
"""
import json
import os
import re
import shutil
import subprocess

from oidctest import *
from hardening import *
from grants import client_assertion, insert_code
from flow import make_client, make_user, RP
from cluster import PrivateCluster, verify_with_jwks as verify

ROOT = env("OIDC_ROOT", os.getcwd())
d = private_dir("restore-files")
ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
FORM = [("Content-Type", "application/x-www-form-urlencoded")]


def kids(doc):
    return {k.get("kid") for k in (doc or {}).get("keys", [])}


def header(token):
    return json.loads(b64url_decode(token.split(".")[0]))


def secret_jwt_client_credentials(w):
    """client_credentials for the client_secret_jwt client at w."""
    return call(w, "POST", "/token", form_encode(
        {"grant_type": "client_credentials",
         "client_assertion_type": ASSERTION,
         "client_assertion": client_assertion(
             sj["client_id"], "HS256", secret=sj["client_secret"])}), FORM)


def call(w, method, path, body=None, headers=()):
    ctype = None
    extra = {}
    for k, v in headers:
        if k.lower() == "content-type":
            ctype = v
        else:
            extra["HTTP_" + k.upper().replace("-", "_")] = v
    body = body.encode() if isinstance(body, str) else body
    return w.request(cgi_params(method, path, content_type=ctype,
                                content_length=None if body is None
                                else len(body), extra=extra),
                     body or b"", timeout=10 * MULT)


# ---- before the backup ----------------------------------------------------

rc, k, err = ctl_json("key", "generate", "--alg", "PS512", "--activate-now")
check("a database key (PS512) sealed with the KEK", rc == 0 and
      isinstance(k, dict) and k.get("kid"), (rc, k, err))
kid = k.get("kid") if isinstance(k, dict) else "none"
user = unique("bk-user")
make_user(user, "backup-pass-1", {"email": user + "@example.org"})
c = make_client(response_types=["code"], first_party=True,
                grant_types=["authorization_code", "refresh_token"],
                id_token_signed_response_alg="PS512")
auth = [("Authorization", basic_auth(c["client_id"], c["client_secret"]))]
sj = make_client(response_types=["code"], first_party=True,
                 grant_types=["authorization_code", "client_credentials"],
                 token_endpoint_auth_method="client_secret_jwt")

tok = {}


def issue_signed_by_db_key():
    """A code flow's tokens (code written to the database, redeemed at
    the harness's /token); True once the ID Token is the database key's."""
    global tok
    code = insert_code(c["client_id"], user, RP, nonce="n-backup")
    r = post_form("/token", {"grant_type": "authorization_code",
                             "code": code, "redirect_uri": RP},
                  auth=(c["client_id"], c["client_secret"]))
    tok = (r.json() or {}) if r.status == 200 else {}
    return "id_token" in tok and header(tok["id_token"]).get("kid") == kid


# The harness's token worker picks the key up within key_reload_interval;
# until then it answers this client 503 and logs the missing key.
expect_error_log("no signing key for PS512")
check("the harness's token worker signs with the database key",
      wait_until(issue_signed_by_db_key, 15 * MULT), tok)
check("tokens issued: access, refresh, ID Token", all(
    x in tok for x in ("access_token", "refresh_token", "id_token")), tok)

# ---- backup: pg_dump ------------------------------------------------------

dump = os.path.join(d, "oidc.dump")
if os.path.exists(dump):
    os.unlink(dump)
p = subprocess.run([os.path.join(env("OIDC_PGBIN"), "pg_dump"), "-h",
                    env("OIDC_PGHOST"), "-U", "oidc", "-Fc", "-f", dump,
                    "oidc"], stderr=subprocess.PIPE, timeout=120 * MULT)
check("pg_dump -Fc of the database", p.returncode == 0, p.stderr)
os.chmod(dump, 0o644)

# ---- restore into a fresh cluster -----------------------------------------

pc = PrivateCluster("restore")
sock = pc.sock
try:
    pc.run(["createdb", "-h", sock, "-U", "oidc", "oidc"], "createdb",
           as_user=False)
    pc.run(["pg_restore", "-h", sock, "-U", "oidc", "-d", "oidc",
         "--no-owner", "--no-privileges", "--exit-on-error", dump],
        "pg_restore into the fresh cluster", as_user=False)
    pc.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", sock,
         "-U", "oidc", "-d", "oidc", "-f",
         os.path.join(ROOT, "sql", "roles.sql")],
        "psql -f sql/roles.sql on the restored database",
           as_user=False)

    with open(env("OIDC_CONFIG")) as f:
        base = f.read()
    base = re.sub(r"^database\s*=.*$", "database = host=%s dbname=oidc "
                  "user=oidc" % sock, base, flags=re.M)
    conf = os.path.join(d, "restored.conf")
    nokek = os.path.join(d, "restored-nokek.conf")
    with open(conf, "w") as f:
        f.write(base)
    with open(nokek, "w") as f:
        f.write(re.sub(r"^key_encryption_key\s*=.*\n", "", base, flags=re.M))
    os.chmod(conf, 0o644)
    os.chmod(nokek, 0o644)
    rc, out, err = ctl("db", "check", config=conf)
    check("oidcctl db check on the restored database", rc == 0,
          (rc, out, err))

    # -- with the key-encryption key -----------------------------------
    w = {n: spawn("restore", n, conf)
         for n in ("token", "userinfo", "introspect", "jwks")}
    for n, x in w.items():
        check("restored %s worker running" % n, x.alive(),
              open(x.log).read()[-1500:])
    if "access_token" in tok:
        r = call(w["introspect"], "POST", "/introspect",
                 form_encode({"token": tok["access_token"]}), FORM + auth)
        check("restored: the access token introspects active",
              r.status == 200 and (r.json() or {}).get("active") is True,
              r)
        r = call(w["userinfo"], "GET", "/userinfo", None,
                 [("Authorization", "Bearer " + tok["access_token"])])
        check("restored: the access token works at userinfo",
              r.status == 200 and (r.json() or {}).get("email") ==
              user + "@example.org", r)
    r = call(w["jwks"], "GET", "/jwks")
    jw = r.json() if r.status == 200 else None
    check("restored JWKS publishes the database key", kid in kids(jw), jw)
    if "id_token" in tok and jw:
        pl = verify(tok["id_token"], jw, "PS512")
        check("restored: the ID Token issued before verifies with the "
              "restored JWKS", pl is not None and
              pl.get("nonce") == "n-backup", pl)
    ref = None
    if "refresh_token" in tok:
        r = call(w["token"], "POST", "/token", form_encode(
            {"grant_type": "refresh_token",
             "refresh_token": tok["refresh_token"]}), FORM + auth)
        t2 = (r.json() or {}) if r.status == 200 else {}
        check("restored: the refresh token refreshes", "access_token" in t2,
              r)
        ref = t2.get("refresh_token", tok["refresh_token"])
        if "id_token" in t2:
            check("... the new ID Token signed by the restored database "
                  "key (opened with the KEK)",
                  header(t2["id_token"]).get("kid") == kid and
                  verify(t2["id_token"], jw, "PS512") is not None, t2)
    r = secret_jwt_client_credentials(w["token"])
    check("restored: the client_secret_jwt client authenticates (sealed "
          "secret opens)", r.status == 200, r)
    for n, x in w.items():
        check("restored %s: clean exit" % n, x.stop() == 0)
        check_log(x.log, "restored %s" % n)

    # -- without the key-encryption key --------------------------------
    w = {n: spawn("restore-nokek", n, nokek) for n in ("token", "jwks")}
    r = call(w["jwks"], "GET", "/jwks")
    check("without the KEK: the database key is still published",
          r.status == 200 and kid in kids(r.json()), r)
    if ref:
        r = call(w["token"], "POST", "/token", form_encode(
            {"grant_type": "refresh_token", "refresh_token": ref}),
            FORM + auth)
        check("without the KEK: a refresh that the database key must sign "
              "is 503 temporarily_unavailable, not 500", r.status == 503
              and (r.json() or {}).get("error") ==
              "temporarily_unavailable", r)
    r = secret_jwt_client_credentials(w["token"])
    check("without the KEK: the client_secret_jwt client gets 503 "
          "temporarily_unavailable, not 500", r.status == 503 and
          (r.json() or {}).get("error") == "temporarily_unavailable", r)
    for n, x in w.items():
        check("no-KEK %s: clean exit" % n, x.stop() == 0)
        check_log(x.log, "no-KEK %s" % n, allow_error=r"no signing key|"
                  r"no key_encryption_key|client secret")
finally:
    pc.stop()

psql("DELETE FROM signing_key WHERE kid = '%s'" % kid.replace("'", "''"))
check("the test's key leaves the harness's /jwks", wait_until(
    lambda: kid not in kids(get("/jwks").json()), 15 * MULT))

done()
