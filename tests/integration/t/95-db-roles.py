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
import pwd
import re
import shlex
import shutil
import subprocess

from oidctest import *
from hardening import *
from privflow import flows
from cluster import PrivateCluster

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

# ---- deploy/systemd/oidc-fcgi@.service, as systemd would run it ----------
#
# Its ExecStart picks $OIDC_CONFIG_DIR/<instance>.conf, else oidc.conf
# (deploy/README.md section 2a).  systemd-analyze verify must accept every
# unit without a warning; then the instance command line runs for every
# endpoint, with the unit's paths moved into the test directory (the
# config directory through OIDC_CONFIG_DIR, as a drop-in would), so each
# worker reads the configuration the unit chooses for it.

UNITS = os.path.join(ROOT, "deploy", "systemd")
ud = private_dir("roles-units")
for f in os.listdir(UNITS):
    with open(os.path.join(UNITS, f)) as src:
        text = src.read().replace("/usr/local/sbin/oidcctl", env("OIDC_CTL"))
    # An instance file: systemd-analyze resolves %i from its name.
    dst = "oidc-fcgi@token.service" if f == "oidc-fcgi@.service" else f
    with open(os.path.join(ud, dst), "w") as out:
        out.write(text)
units = sorted(os.path.join(ud, f) for f in os.listdir(ud))
p = subprocess.run(["systemd-analyze", "verify"] + units,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                   timeout=60 * MULT)
check("systemd-analyze verify deploy/systemd/*: no error, no warning",
      p.returncode == 0 and p.stderr.strip() == b"" and
      p.stdout.strip() == b"", (p.returncode, p.stdout, p.stderr))

with open(os.path.join(UNITS, "oidc-fcgi@.service")) as f:
    unit = f.read()
m = re.search(r"^ExecStart=(.*)$", unit, re.M)
check("oidc-fcgi@.service has an ExecStart", m is not None)
argv = shlex.split(m.group(1))
check("... /bin/sh -c SCRIPT", argv[:2] == ["/bin/sh", "-c"], argv)
u = run_user()
unit_script = argv[2].replace("$$", "$")
unit_script = unit_script.replace(
    "-M 0660 -U oidc -G www-data -u oidc -g oidc",
    "-M 0666" + (" -u %s -g %s" % (u, u) if u else ""))
check("... the unit runs the documented spawn-fcgi line",
      unit_script != argv[2].replace("$$", "$"), argv[2])
etc = private_dir("roles-etc")           # stands for /etc/oidc-fcgi
sockdir = private_dir("roles")           # stands for /run/oidc-fcgi
shutil.copy(env("OIDC_CONFIG"), os.path.join(etc, "oidc.conf"))
os.chmod(os.path.join(etc, "oidc.conf"), 0o644)


def start_instance(name):
    """oidc-fcgi@<name>: the unit's command line, %i = name."""
    script = unit_script.replace("%i", name) \
        .replace("/run/oidc-fcgi/", sockdir + "/") \
        .replace("/usr/local/lib/oidc-fcgi/",
                 os.path.join(env("OIDC_BUILD"), "cgi-bin") + "/")
    sock = os.path.join(sockdir, name + ".sock")
    log = os.path.join(sockdir, name + ".log")
    if os.path.exists(sock):
        os.unlink(sock)
    e = dict(os.environ, OIDC_CONFIG_DIR=etc)
    e.pop("OIDC_CONFIG", None)
    with open(log, "ab") as lf:
        proc = subprocess.Popen(["/bin/sh", "-c", script], env=e, stdout=lf,
                                stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    w = Worker(proc, sock, log)
    wait_until(lambda: os.path.exists(sock) or proc.poll() is not None,
               10 * MULT)
    return w


# Per-endpoint configs as documented: oidc.conf with the endpoint's own
# login role in its database line.  discovery gets none: the unit falls
# back to oidc.conf (the owner role), which must work as well.
workers = {}
own = set()
for name in endpoints():
    login = "t95_%s" % name
    psql("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname "
         "= '%s') THEN CREATE ROLE %s LOGIN IN ROLE oidc_%s; END IF; END "
         "$$" % (login, login, name))
    if name != "discovery":
        conf = os.path.join(etc, name + ".conf")
        with open(conf, "w") as f:
            f.write(re.sub(r"^database\s*=.*$", "database = %s user=%s"
                           % (conninfo, login), base, flags=re.M))
            if name == "metrics":
                # The socket dir is not the workers' to write; the run dir is.
                f.write("metrics_dir = %s\n" % env("OIDC_RUNDIR"))
        os.chmod(conf, 0o644)
        own.add(login)
    workers[name] = start_instance(name)

for name, w in sorted(workers.items()):
    check("%s: worker under role oidc_%s is running" % (name, name),
          w.alive(), open(w.log).read()[-1500:])

bad = flows(workers, "least-privilege roles")
check("the whole flow works under the per-endpoint roles", bad == 0, bad)
seen = set(psql("SELECT DISTINCT usename FROM pg_stat_activity WHERE "
                "usename LIKE 't95_%'").split())
check("each endpoint with a <endpoint>.conf connected as its own role "
      "(the unit chose that config)", own <= seen, (own, seen))
check("discovery, without one, used oidc.conf (not a t95_ role)",
      "t95_discovery" not in seen, seen)

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
    # login = remote_user writes users, but no password nor disabled mark.
    ("oidc_authorize", "UPDATE app_user SET password_hash = 'x'"),
    ("oidc_authorize", "UPDATE app_user SET disabled_at = NULL"),
    ("oidc_authorize", "INSERT INTO app_user (username, sub, "
                       "password_hash) VALUES ('x', 'x', 'x')"),
    ("oidc_authorize", "DELETE FROM app_user"),
]
for role, sql in FORBIDDEN:
    check("%s may not: %s" % (role, sql), refused(role, sql))

# What login = remote_user does (db/stmt.c user_remote_upsert), twice: the
# insert, then the update of the same row.
UPSERT = ("INSERT INTO app_user AS u (username, sub, claims) VALUES "
          "('ru-role', 'ru-role-sub', '{\"email\":\"a@b\"}') ON CONFLICT "
          "(username) DO UPDATE SET claims = u.claims || EXCLUDED.claims, "
          "updated_at = now() RETURNING user_id")
try:
    psql("BEGIN; SET LOCAL ROLE oidc_authorize; %s; %s; ROLLBACK;"
         % (UPSERT, UPSERT))
    ok_upsert = True
except RuntimeError as e:
    ok_upsert = str(e)
check("oidc_authorize may create and update a remote_user user",
      ok_upsert is True, ok_upsert)

for name, w in sorted(workers.items()):
    rc = w.stop()
    check("%s: clean exit" % name, rc == 0, open(w.log).read()[-1500:])
    check_log(w.log, "role-restricted %s" % name)


# ---- deploy/README.md section 2a: pg_ident.conf and pg_hba.conf ----------
#
# A cluster of its own (initdb as the workers' user, which stands for the
# system user "oidc"), with the README's map and hba lines taken from the
# README itself: that user reaches database oidc as the owner and as every
# <endpoint>_worker role, and as nothing else; another system user (root)
# does not; no other database is reached through the line.

with open(os.path.join(ROOT, "deploy", "README.md")) as f:
    readme = f.read()
ident = [l.strip() for l in readme.splitlines()
         if re.match(r"^\s+oidc-fcgi\s+oidc\s+\S+\s*$", l)]
hba = [l.strip() for l in readme.splitlines()
       if re.match(r"^\s+local\s+oidc\s+all\s+peer map=oidc-fcgi\s*$", l)]
roles = ["%s_worker" % e for e in ("authorize", "token", "userinfo", "jwks",
                                   "discovery", "revoke", "introspect",
                                   "end_session", "register", "par",
                                   "device")]
check("README 2a: a map line for the owner and each endpoint role",
      sorted(l.split()[2] for l in ident) == sorted(roles + ["oidc"]),
      ident)
check("README 2a: one pg_hba line", len(hba) == 1, hba)
sysuser = u or pwd.getpwuid(os.getuid()).pw_name
pc = PrivateCluster("roles-hba")
sock, data = pc.sock, pc.data


def q(role, db="oidc", as_user=True):
    return pc.run(["psql", "-X", "-At", "-h", sock, "-U", role, "-d", db,
                   "-c", "SELECT current_user"], as_user=as_user)


try:
    pc.run(["createdb", "-h", sock, "-U", "oidc", "oidc"], "createdb oidc")
    for r_ in roles + ["stranger"]:
        pc.run(["psql", "-X", "-q", "-h", sock, "-U", "oidc", "-d", "oidc",
                "-c", "CREATE ROLE %s LOGIN" % r_], "CREATE ROLE %s" % r_)
    # The README's lines, "oidc" the system user being the workers' user.
    with open(os.path.join(data, "pg_ident.conf"), "w") as f:
        f.write("".join(re.sub(r"^(oidc-fcgi\s+)oidc(\s)",
                               r"\g<1>%s\2" % sysuser, l) + "\n"
                        for l in ident))
    with open(os.path.join(data, "pg_hba.conf"), "w") as f:
        f.write("\n".join(hba) + "\n")
    pc.run(["pg_ctl", "-D", data, "reload"],
           "pg_ctl reload with the README's pg_hba and pg_ident lines")
    # A reload is asynchronous: wait until peer auth is in force.
    wait_until(lambda: q("stranger").returncode != 0, 10 * MULT)
    for r_ in roles + ["oidc"]:
        p = q(r_)
        check("system user %s logs in to oidc as %s" % (sysuser, r_),
              p.returncode == 0 and p.stdout.decode().strip() == r_,
              p.stderr)
    p = q("stranger")
    check("... but not as a role outside the map", p.returncode != 0 and
          b"authentication failed" in p.stderr, p.stderr)
    p = q("token_worker", db="postgres")
    check("... and no other database through the line",
          p.returncode != 0, p.stderr)
    if u is not None:
        p = q("token_worker", as_user=False)
        check("another system user (root) cannot log in as token_worker",
              p.returncode != 0 and b"authentication failed" in p.stderr,
              p.stderr)
finally:
    pc.stop()

done()
