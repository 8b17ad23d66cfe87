#!/usr/bin/env python3
"""04-version: `--version` on every binary (issue 20 item 15).

Every endpoint binary in $OIDC_BUILD/cgi-bin and oidcctl prints one line,
"oidc-fcgi <name> <version>", with the version from the VERSION file at
the top of the tree (the Makefile passes it as OIDC_VERSION), exits 0,
and writes nothing to stderr; it needs no configuration and no
database (OIDC_CONFIG points at a file that does not exist).  --help
lists the option.
"""
import glob
import os
import subprocess

from oidctest import *

with open(os.path.join(env("OIDC_ROOT"), "VERSION")) as f:
    VERSION = f.read().strip()
check("VERSION holds one non-empty line", VERSION and "\n" not in VERSION,
      repr(VERSION))

B = env("OIDC_BUILD")
bins = [(os.path.basename(p)[:-len(".fcgi")], p)
        for p in sorted(glob.glob(os.path.join(B, "cgi-bin", "*.fcgi")))]
check("endpoint binaries are built", len(bins) > 0, B)
bins.append(("oidcctl", os.path.join(B, "oidcctl")))
ENV = dict(os.environ, OIDC_CONFIG=os.path.join(env("OIDC_TMP"),
                                                "no-such.conf"))

for name, path in bins:
    p = subprocess.run([path, "--version"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=ENV, timeout=30 * MULT)
    out = p.stdout.decode("utf-8", "replace")
    check("%s --version prints \"oidc-fcgi %s %s\" and exits 0"
          % (name, name, VERSION),
          p.returncode == 0 and out == "oidc-fcgi %s %s\n" % (name, VERSION)
          and p.stderr == b"",
          "exit %d\nstdout %r\nstderr %r" % (p.returncode, out, p.stderr))
    p = subprocess.run([path, "--help"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=ENV, timeout=30 * MULT)
    check("%s --help mentions --version" % name,
          p.returncode == 0 and b"--version" in p.stdout,
          p.stdout.decode("utf-8", "replace"))
done()
