#!/usr/bin/env python3
"""03-oidcctl: the admin command against the test database (issue 2 item 6).

Exit codes: 0 ok, 1 failure, 2 usage/invalid input, 3 not found,
4 conflict.
"""
import json
import os
import re

from oidctest import *

# ---- clients ----------------------------------------------------------------

name = unique("ctl")
meta = {"redirect_uris": ["https://rp.example/cb"], "client_name": name}
rc, c, err = ctl_json("client", "create", stdin=json.dumps(meta))
check("client create: exit 0", rc == 0, err)
check("client create: prints JSON with client_id and client_secret",
      isinstance(c, dict) and isinstance(c.get("client_id"), str) and
      isinstance(c.get("client_secret"), str) and len(c["client_secret"]) >= 32,
      c)
cid = c.get("client_id") if isinstance(c, dict) else None
secret = c.get("client_secret") if isinstance(c, dict) else None
if isinstance(c, dict):
    check("client create: echoes redirect_uris and client_name",
          c.get("redirect_uris") == meta["redirect_uris"] and
          c.get("client_name") == name, c)

if cid:
    rc, s, err = ctl_json("client", "show", cid)
    check("client show: exit 0, JSON with the client_id", rc == 0 and
          isinstance(s, dict) and s.get("client_id") == cid, (rc, s, err))
    rc, out, err = ctl("client", "show", cid)
    check("client show: the secret is not printed again",
          "client_secret\"" not in out and (secret or "x") not in out, out)
    check("client show: no secret hash either",
          "secret_hash" not in out and "hash" not in out.lower(), out)

    rc, out, err = ctl("client", "list")
    check("client list: exit 0 and includes the new client",
          rc == 0 and cid in out, (rc, out, err))
    check("client list: no secrets", (secret or "x") not in out, out)

    # A secret is stored hashed (STYLE.md B10): never in clear in the DB.
    try:
        dump = psql("SELECT row_to_json(c)::text FROM client c "
                    "WHERE client_id = '%s'" % cid.replace("'", "''"))
        check("the client secret is not stored in clear",
              secret not in dump, dump)
    except RuntimeError as e:
        check("the client secret is not stored in clear", False, str(e))

    rc, out, err = ctl("client", "delete", cid)
    check("client delete: exit 0", rc == 0, err)
    rc, out, err = ctl("client", "show", cid)
    check("client show after delete: exit 3 (not found)", rc == 3,
          (rc, out, err))
    rc, out, err = ctl("client", "delete", cid)
    check("client delete again: exit 3 (not found)", rc == 3, (rc, out, err))

# Chosen client_id; a second create with the same id is a conflict.
fixed = unique("fixed")
rc, c2, err = ctl_json("client", "create", stdin=json.dumps(
    {"client_id": fixed, "redirect_uris": ["https://rp.example/cb"]}))
check("client create with a chosen client_id: exit 0 and that id",
      rc == 0 and isinstance(c2, dict) and c2.get("client_id") == fixed,
      (rc, c2, err))
rc, out, err = ctl("client", "create", stdin=json.dumps(
    {"client_id": fixed, "redirect_uris": ["https://rp.example/cb"]}))
check("client create with an existing client_id: exit 4 (conflict)",
      rc == 4, (rc, out, err))

rc, out, err = ctl("client", "create", stdin=b"{not json")
check("client create with invalid JSON: exit 2 (or 1)", rc in (1, 2),
      (rc, out, err))
check("client create with invalid JSON: one-line message on stderr",
      len(err.strip().splitlines()) == 1, err)
check("client create with invalid JSON: nothing on stdout", out == "", out)

for label, bad in (
        ("a fragment", {"redirect_uris": ["https://a.example/cb#x"]}),
        ("no redirect_uris", {"client_name": "x"}),
        ("an empty redirect_uris", {"redirect_uris": []}),
        ("a relative URI", {"redirect_uris": ["/cb"]}),
        ("redirect_uris not an array", {"redirect_uris":
                                        "https://a.example/cb"}),
        ("a non-string redirect_uri", {"redirect_uris": [42]}),
        ("a JSON array at top level", ["https://a.example/cb"]),
        ("trailing garbage", None)):
    stdin = json.dumps(bad) if bad is not None else \
        '{"redirect_uris":["https://a.example/cb"]} x'
    rc, out, err = ctl("client", "create", stdin=stdin)
    check("client create with %s: refused (exit 1 or 2)" % label,
          rc in (1, 2), (rc, out, err))

rc, out, err = ctl("client", "show", "no-such-client-" + unique())
check("client show of an unknown id: exit 3", rc == 3, (rc, out, err))
rc, out, err = ctl("client")
check("client without a subcommand: exit 2 (usage)", rc == 2, (rc, out, err))
rc, out, err = ctl("no-such-command")
check("unknown command: exit 2 (usage)", rc == 2, (rc, out, err))

# ---- users ------------------------------------------------------------------

user = unique("alice")
pw = "correct horse battery staple"
rc, out, err = ctl("user", "create", user, stdin=pw)
check("user create (password on stdin): exit 0", rc == 0, (rc, out, err))
rc, out, err = ctl("user", "create", user, stdin=pw)
check("user create again: exit 4 (conflict)", rc == 4, (rc, out, err))

claims = {"email": "a@example.com", "email_verified": True, "name": "Alice"}
rc, out, err = ctl("user", "set-claims", user, stdin=json.dumps(claims))
check("user set-claims: exit 0", rc == 0, (rc, out, err))
rc, u, err = ctl_json("user", "show", user)
check("user show: exit 0 and JSON", rc == 0 and isinstance(u, dict),
      (rc, u, err))
if isinstance(u, dict):
    flat = json.dumps(u)
    for k, v in claims.items():
        check("user show: claim %s = %r" % (k, v),
              u.get(k) == v or (isinstance(u.get("claims"), dict) and
                                u["claims"].get(k) == v), u)
    check("user show: no password or hash", pw not in flat and
          "password" not in flat.lower() and "hash" not in flat.lower() and
          "$argon2" not in flat and "$scrypt" not in flat, u)
rc, out, err = ctl("user", "set-claims", user, stdin=b"[1,2]")
check("user set-claims with a non-object: exit 2 (or 1)", rc in (1, 2),
      (rc, out, err))
rc, out, err = ctl("user", "set-claims", "nobody-" + unique(),
                   stdin=json.dumps(claims))
check("user set-claims of an unknown user: exit 3", rc == 3, (rc, out, err))

try:
    dump = psql("SELECT row_to_json(u)::text FROM app_user u")
    check("the password is not stored in clear", pw not in dump
          and "password_hash" in dump, dump[:300])
except RuntimeError as e:
    check("the password is not stored in clear (table app_user)", False, e)

rc, out, err = ctl("user", "list")
check("user list: exit 0 and includes the user", rc == 0 and user in out,
      (rc, out, err))
rc, out, err = ctl("user", "delete", user)
check("user delete: exit 0", rc == 0, (rc, out, err))
rc, out, err = ctl("user", "show", user)
check("user show after delete: exit 3", rc == 3, (rc, out, err))
rc, out, err = ctl("user", "delete", user)
check("user delete again: exit 3", rc == 3, (rc, out, err))

# ---- migrate ------------------------------------------------------------------

rc, out, err = ctl("migrate")
check("migrate a second time: exit 0 (no-op)", rc == 0, (rc, out, err))

# ---- db check -----------------------------------------------------------------
# run.sh already refused to start on a difference; this checks the output.
rc, out, err = ctl("db", "check")
check("db check: exit 0, every statement matches its declaration",
      rc == 0 and "match their declarations" in out and not err.strip(),
      (rc, out, err))
migs = sorted(f for f in os.listdir(os.path.join(env("OIDC_ROOT"), "sql",
                                                   "migrations"))
              if f.endswith(".sql"))


def names_migration(v, fname):
    stem = fname[:-4]
    num = re.match(r"[0-9]+", fname)
    sv = str(v)
    return sv in (fname, stem) or (num is not None and sv.isdigit() and
                                   int(sv) == int(num.group()))


# Issue 20 item 15: db check names the version and the schema it found.
with open(os.path.join(env("OIDC_ROOT"), "VERSION")) as f:
    version = f.read().strip()
m = re.match(r"oidc-fcgi (\S+), schema (\S+)\n", out)
check("db check: first line \"oidc-fcgi %s, schema <newest migration>\" "
      "(%s)" % (version, migs[-1]), m is not None and
      m.group(1) == version and names_migration(m.group(2), migs[-1]),
      out)


try:
    rows = psql("SELECT row_to_json(m)::text FROM schema_migration m")
    rows = [json.loads(x) for x in rows.splitlines() if x]
    for m in migs:
        n = sum(1 for row in rows
                if any(names_migration(v, m) for v in row.values()))
        check("schema_migration lists %s exactly once" % m, n == 1, rows)
    check("schema_migration has one row per sql/migrations file",
          len(rows) == len(migs), rows)
except RuntimeError as e:
    check("table schema_migration exists", False, e)

done()
