"""cluster: a second PostgreSQL cluster, and JWKS checks, for the tests
that stand for another host or a restore (t/89-backup-restore,
t/95-db-roles, t/43-keyless-hosts).

    from cluster import PrivateCluster, verify_with_jwks
    pc = PrivateCluster("restore")     # initdb + start, as the workers' user
    try:
        pc.run(["createdb", "-h", pc.sock, "-U", "oidc", "oidc"], "createdb")
    finally:
        pc.stop()
    payload = verify_with_jwks(id_token, jwks_document, "PS512")

The cluster lives in $OIDC_TMP/<name>/ (pgdata/, pg/ the unix socket
directory, postgres.log), listens on no TCP address, has the superuser
"oidc" and trust authentication until a test writes its own pg_hba.conf.
"""
import json
import os
import shutil
import subprocess

from oidctest import MULT, check, ctl, diag, env, unique
from hardening import private_dir, run_user

__all__ = ["PrivateCluster", "verify_with_jwks"]


class PrivateCluster:

    def __init__(self, name):
        self.dir = private_dir(name)
        self.user = run_user()
        self.as_user = ["runuser", "-u", self.user, "--"] \
            if self.user is not None else []
        self.data = os.path.join(self.dir, "pgdata")
        self.sock = os.path.join(self.dir, "pg")
        self.log = os.path.join(self.dir, "postgres.log")
        for p in (self.data, self.sock):
            shutil.rmtree(p, ignore_errors=True)
            os.makedirs(p)
        os.chmod(self.data, 0o700)
        if self.user is not None:
            for p in (self.dir, self.data, self.sock):
                shutil.chown(p, self.user, self.user)
        self.run(["initdb", "-D", self.data, "-U", "oidc", "--auth=trust",
                  "--no-sync", "-E", "UTF8", "--locale=C"],
                 "initdb a cluster in %s" % name)
        with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
            f.write("\nlisten_addresses = ''\nunix_socket_directories = "
                    "'%s'\nfsync = off\nmax_connections = 30\n" % self.sock)
        self.run(["pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t",
                  "60", "start"], "... it starts")

    def run(self, argv, what=None, as_user=True):
        """A PostgreSQL tool (argv[0] a name in $OIDC_PGBIN), as the
        workers' user unless as_user is False; check() it when `what`."""
        argv = [os.path.join(env("OIDC_PGBIN"), argv[0])] + argv[1:]
        p = subprocess.run((self.as_user if as_user else []) + argv,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=120 * MULT)
        if what is not None:
            check(what, p.returncode == 0,
                  (p.returncode, p.stderr.decode()[-1500:]))
        return p

    def stop(self):
        self.run(["pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"])


def verify_with_jwks(token, jwks_doc, alg):
    """`oidcctl jose verify` of token with a JWKS a worker served: the
    payload, or None."""
    path = os.path.join(env("OIDC_TMP"), "jwks-%s.json" % unique("v"))
    with open(path, "w") as f:
        json.dump(jwks_doc, f)
    rc, out, err = ctl("jose", "verify", "--jwks", path, "--alg", alg,
                       stdin=token)
    if rc != 0:
        diag("jose verify: rc %d %s" % (rc, err.strip()))
        return None
    return json.loads(out)
