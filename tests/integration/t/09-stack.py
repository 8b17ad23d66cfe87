#!/usr/bin/env python3
"""09-stack: the worker-count rule of scripts/stack.sh (issue 18 item 4),
which make run, make bench and this harness share.

authorize and userinfo get STACK_WORKERS, token STACK_WORKERS_TOKEN
(default STACK_WORKERS), every other endpoint STACK_WORKERS_LIGHT (default
(STACK_WORKERS + 1) / 2); STACK_FORK=0 (this harness) is one worker each.
nginx keep-alive is rendered from the smallest count.  scripts/dev-stack.sh
maps OIDC_WORKERS, OIDC_WORKERS_TOKEN and OIDC_WORKERS_LIGHT onto them and
refuses a count that is not a number >= 1 before it starts anything.
"""
import os
import subprocess

from oidctest import *

ROOT = env("OIDC_ROOT")
LIB = os.path.join(ROOT, "scripts", "stack.sh")


def counts(setup):
    """authorize token userinfo jwks counts and the rendered keepalive."""
    tmpl = os.path.join(ROOT, "deploy", "nginx", "oidc.conf.in")
    script = (
        '. "$1"; B=$2; %s\n'
        'for e in authorize token userinfo jwks; do '
        'printf "%%s " "$(stack_workers_of $e)"; done\n'
        'OIDC_NGINX_WORKERS=1 "$STACK_SRC/scripts/render-conf.sh" "$3" '
        '/dev/stdout 1 /r /p "" "$(stack_min_workers)" | '
        'sed -n "s/^ *keepalive \\([0-9]*\\);.*/ka=\\1/p" | head -1\n' % setup)
    p = subprocess.run(["bash", "-c", script, "t", LIB, env("OIDC_BUILD"),
                       tmpl], capture_output=True, text=True, timeout=60)
    return (p.stdout.split() if p.returncode == 0 else
            ["rc=%d" % p.returncode, p.stderr.strip()])


CASES = [
    ("STACK_WORKERS=4", ["4", "4", "4", "2", "ka=1"]),
    ("STACK_WORKERS=3", ["3", "3", "3", "2", "ka=1"]),
    ("STACK_WORKERS=1", ["1", "1", "1", "1"]),
    ("STACK_WORKERS=4 STACK_WORKERS_TOKEN=8", ["4", "8", "4", "2", "ka=1"]),
    ("STACK_WORKERS=4 STACK_WORKERS_LIGHT=3", ["4", "4", "4", "3", "ka=2"]),
    ("STACK_WORKERS=4 STACK_WORKERS_TOKEN=2 STACK_WORKERS_LIGHT=5",
     ["4", "2", "4", "5", "ka=1"]),
    ("STACK_WORKERS=4 STACK_FORK=0", ["1", "1", "1", "1"]),
]
for setup, want in CASES:
    got = counts(setup)
    check("%s: authorize token userinfo jwks = %s" % (setup, " ".join(want)),
          got == want, got)

# dev-stack.sh: its knobs reach the rule, a bad count stops it at once.
# OIDC_BUILD names no build: were the count let through, it would stop at
# the missing oidcctl (another message) rather than start a stack.
for var, val in [("OIDC_WORKERS", "0"), ("OIDC_WORKERS_TOKEN", "x"),
                 ("OIDC_WORKERS_LIGHT", "0")]:
    e = dict(os.environ, OIDC_BUILD=os.path.join(TMP, "no-such-build"),
             OIDC_PORT="1", OIDC_WORKERS="2")
    e[var] = val
    p = subprocess.run([os.path.join(ROOT, "scripts", "dev-stack.sh"), "run"],
                       env=e, capture_output=True, text=True, timeout=60)
    check("dev-stack.sh run with %s=%s exits 1 naming the counts" % (var, val),
          p.returncode == 1 and "must be numbers >= 1" in p.stderr
          and "%s" % val in p.stderr, (p.returncode, p.stderr[-300:]))
done()
