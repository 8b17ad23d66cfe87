#!/usr/bin/env python3
"""95-db-roles: every endpoint works under its own least-privilege database
role (sql/roles.sql, issue 10), and the roles cannot do what their binary
never needs.

The harness workers connect as the cluster's owner role.  This test
applies sql/roles.sql (as that superuser, the way an operator would after
`oidcctl migrate`), creates one login role per endpoint that is a member of
the endpoint's group role, starts a private worker of every endpoint whose
configuration names that login role, and drives the whole flow of
privflow.flows through them (login, code, token, userinfo, introspection,
refresh, revocation, client_credentials, end_session, registration).  A
missing grant shows up as a 5xx there and as a "permission denied" in the
worker's log.  Then, for each role, statements outside its grants must be
refused by PostgreSQL itself (SET ROLE inside a transaction that is rolled
back).
"""
import os
import re
import subprocess

from oidctest import *
from hardening import *
from privflow import flows

ROOT = env("OIDC_ROOT", os.getcwd())
pgbin = os.environ.get("OIDC_PGBIN")
exe = os.path.join(pgbin, "psql") if pgbin else "psql"
p = subprocess.run([exe, "-X", "-q", "-v", "ON_ERROR_STOP=1",
                    "-h", env("OIDC_PGHOST"), "-U", env("OIDC_PGUSER", "oidc"),
                    "-d", env("OIDC_PGDATABASE", "oidc"),
                    "-f", os.path.join(ROOT, "sql", "roles.sql")],
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                   timeout=60 * MULT)
check("sql/roles.sql applies (psql -f, as the superuser)", p.returncode == 0,
      p.stderr.decode())
p2 = subprocess.run([exe, "-X", "-q", "-v", "ON_ERROR_STOP=1",
                     "-h", env("OIDC_PGHOST"),
                     "-U", env("OIDC_PGUSER", "oidc"),
                     "-d", env("OIDC_PGDATABASE", "oidc"),
                     "-f", os.path.join(ROOT, "sql", "roles.sql")],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    timeout=60 * MULT)
check("sql/roles.sql is idempotent (a second run succeeds)",
      p2.returncode == 0, p2.stderr.decode())

with open(env("OIDC_CONFIG")) as f:
    base = f.read()
m = re.search(r"^database\s*=\s*(.*)$", base, re.M)
check("the harness config has a database line", m is not None, base)
conninfo = re.sub(r"\buser=\S+", "", m.group(1)).strip()

workers = {}
for name in endpoints():
    login = "t95_%s" % name
    psql("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname "
         "= '%s') THEN CREATE ROLE %s LOGIN IN ROLE oidc_%s; END IF; END "
         "$$" % (login, login, name))
    d = private_dir("roles")
    conf = os.path.join(d, name + ".conf")
    with open(conf, "w") as f:
        f.write(re.sub(r"^database\s*=.*$", "database = %s user=%s"
                       % (conninfo, login), base, flags=re.M))
        if name == "metrics":
            # The private dir is not the workers' to write; the run dir is.
            f.write("metrics_dir = %s\n" % env("OIDC_RUNDIR"))
    os.chmod(conf, 0o644)
    workers[name] = spawn("roles", name, conf)

for name, w in sorted(workers.items()):
    check("%s: worker under role oidc_%s is running" % (name, name),
          w.alive(), open(w.log).read()[-1500:])

bad = flows(workers, "least-privilege roles")
check("the whole flow works under the per-endpoint roles", bad == 0, bad)

if "metrics" in workers:
    # The scrape lists the signing keys (their ages) under oidc_metrics.
    from privflow import fcgi
    r = fcgi(workers, "GET", "/metrics")
    with open(workers["metrics"].log, errors="replace") as f:
        mlog = f.read()
    check("metrics: /metrics under role oidc_metrics: 200 with key ages, "
          "no permission denied", r is not None and r.status == 200 and
          b"oidc_signing_key_age_seconds" in r.body and
          "permission denied" not in mlog and "not listed" not in mlog,
          (r, mlog[-1500:]))


def refused(role, sql):
    """True if PostgreSQL refuses sql for role (permission denied)."""
    try:
        psql("BEGIN; SET LOCAL ROLE %s; %s; ROLLBACK;" % (role, sql))
    except RuntimeError as e:
        return "permission denied" in str(e)
    return False


FORBIDDEN = [
    ("oidc_userinfo", "SELECT password_hash FROM app_user LIMIT 1"),
    ("oidc_userinfo", "INSERT INTO token (token_hash) VALUES "
                      "(sha256('x'::bytea))"),
    ("oidc_token", "SELECT password_hash FROM app_user LIMIT 1"),
    ("oidc_token", "UPDATE client SET first_party = true"),
    ("oidc_token", "DELETE FROM login_session"),
    ("oidc_jwks", "SELECT private_key FROM signing_key LIMIT 1"),
    ("oidc_discovery", "SELECT private_key FROM signing_key LIMIT 1"),
    ("oidc_jwks", "SELECT * FROM token LIMIT 1"),
    ("oidc_metrics", "SELECT private_key FROM signing_key LIMIT 1"),
    ("oidc_metrics", "SELECT * FROM token LIMIT 1"),
    ("oidc_metrics", "SELECT * FROM client LIMIT 1"),
    ("oidc_revoke", "SELECT * FROM app_user LIMIT 1"),
    ("oidc_introspect", "UPDATE token SET revoked_at = now()"),
    ("oidc_register", "SELECT * FROM app_user LIMIT 1"),
    ("oidc_register", "SELECT * FROM token LIMIT 1"),
    ("oidc_end_session", "SELECT password_hash FROM app_user LIMIT 1"),
    ("oidc_authorize", "UPDATE client SET first_party = true"),
    ("oidc_authorize", "UPDATE token SET revoked_at = now()"),
    ("oidc_authorize", "SELECT private_key FROM signing_key LIMIT 1 FOR "
                       "UPDATE"),
]
for role, sql in FORBIDDEN:
    check("%s may not: %s" % (role, sql), refused(role, sql))

for name, w in sorted(workers.items()):
    rc = w.stop()
    check("%s: clean exit" % name, rc == 0, open(w.log).read()[-1500:])
    check_log(w.log, "role-restricted %s" % name)

done()
