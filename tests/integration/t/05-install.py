#!/usr/bin/env python3
"""05-install: `make install` puts everything deploy/README.md uses where
that document says (issue 20 item 1: sql/roles.sql was missing).

A real `make install` of the release build into a scratch DESTDIR: the
endpoint binaries, oidcctl, the migrations and roles.sql, the deploy
directory and the man pages.
"""
import glob
import os
import subprocess

from oidctest import *

ROOT = env("OIDC_ROOT")
DEST = os.path.join(env("OIDC_TMP"), "install-root")
PREFIX = "/usr/local"
p = subprocess.run(["make", "-C", ROOT, "--no-print-directory", "install",
                    "DESTDIR=" + DEST, "PREFIX=" + PREFIX],
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                   timeout=600 * MULT)
check("make install DESTDIR=... exits 0", p.returncode == 0,
      p.stdout.decode("utf-8", "replace")[-2000:])
top = DEST + PREFIX


def installed(rel):
    return os.path.isfile(os.path.join(top, rel))


for src in sorted(glob.glob(os.path.join(ROOT, "cgi-bin", "*.c"))):
    name = os.path.basename(src)[:-2]
    check("installs lib/oidc-fcgi/%s.fcgi" % name,
          installed("lib/oidc-fcgi/%s.fcgi" % name))
check("installs sbin/oidcctl", installed("sbin/oidcctl"))
migrations = sorted(os.path.basename(m) for m in
                    glob.glob(os.path.join(ROOT, "sql", "migrations", "*.sql")))
check("installs every migration in share/oidc-fcgi/sql/migrations",
      migrations and all(installed("share/oidc-fcgi/sql/migrations/" + m)
                         for m in migrations), " ".join(migrations))
# deploy/README.md: `cd /usr/local/share/oidc-fcgi` then `psql -f sql/roles.sql`
check("installs share/oidc-fcgi/sql/roles.sql (deploy/README.md 2)",
      installed("share/oidc-fcgi/sql/roles.sql"))
for rel in ("deploy/nginx/oidc.conf.in", "deploy/lighttpd/oidc.conf.in",
            "deploy/nginx/remote-user.conf",
            "deploy/spawn-fcgi/oidc-spawn.sh", "deploy/oidc.conf.example",
            "deploy/render-conf.sh", "deploy/systemd/oidc-fcgi@.service"):
    check("installs share/oidc-fcgi/" + rel,
          installed("share/oidc-fcgi/" + rel))
for m in ("man8/oidcctl.8", "man5/oidc.conf.5"):
    check("installs share/man/" + m, installed("share/man/" + m))
done()
