#!/usr/bin/env python3
"""94-sandbox: every endpoint worker runs with `sandbox = yes` (the seccomp
filter of common/app/sandbox.c, issue 10 "least privilege").

The harness workers keep the default (sandbox = no).  This test starts a
second, private worker of every endpoint with a copy of the config plus
`sandbox = yes`, on its own sockets, and drives a whole flow through them
over FastCGI: discovery, jwks, the login page, a login (scrypt, session),
the code exchange (ID Token signing), userinfo, introspection, revocation,
client_credentials, end_session, dynamic registration.  Then it kills the
workers' database connections so that libpq reconnects inside the
sandbox, and stops them with SIGTERM (a clean exit, under ASan with its
leak check).  Each worker must show "Seccomp: 2" (filter mode) and
"NoNewPrivs: 1" in /proc/<pid>/status, and never die.

That a forbidden call (execve, open for writing, a foreign socket family,
setuid, unlink, kill of another process) kills a process with SIGSYS is
shown by the unit test tests/unit/app/test_sandbox.c.

Issue 15 item 12 (files and sockets after start-up): a second set of the
workers that never fetch (discovery, jwks, userinfo, end_session) runs
under strace(1) with the database named through a pg service
file (`database = service=...`, PGSERVICEFILE), the thing libpq reads
again at every connect.  Through requests, a reconnect after their
backends died, and more requests, no open(2)/openat(2) after
"msg=started" may succeed: OpenSSL's configuration is loaded before the
filter and libpq reconnects with the options it resolved at the first
connect, and the filter answers any open with EACCES.  The workers still
answer and reconnect.  (Skipped without strace.)
"""
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.parse

from oidctest import *
from flow import (Browser, RP, make_client, make_user, parse_response,
                  run_flow)
from hardening import *
from privflow import FORM, PATH_OF, fcgi, flows

# Our own workers' connections are killed on purpose below.
CONN_LOST = r"(terminat|server closed|connection|reconnect|DB_DOWN)"

conf = private_config("sbx", ["sandbox = yes"])
workers = {}
# Our workers' database sessions are the ones that start after this
# (db.c names every session "oidc-fcgi"; the harness workers connected
# long before).
T_SPAWN = psql("SELECT now()")
for name in endpoints():
    workers[name] = spawn("sbx", name, conf)

for name, w in sorted(workers.items()):
    st = proc_status(w.pid)
    check("%s: sandboxed worker is running" % name, w.alive(),
          open(w.log).read()[-2000:])
    check("%s: /proc status Seccomp: 2 (filter) and NoNewPrivs: 1" % name,
          st.get("Seccomp") == "2" and st.get("NoNewPrivs") == "1",
          "Seccomp=%r NoNewPrivs=%r" % (st.get("Seccomp"),
                                       st.get("NoNewPrivs")))
    with open(w.log, errors="replace") as f:
        check("%s: logs msg=started ... sandbox=yes" % name,
              "sandbox=yes" in f.read())


flows(workers, "sandboxed")

# libpq reconnects inside the sandbox: kill our workers' backends.
n = psql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
         "WHERE application_name = 'oidc-fcgi' AND backend_start >= '%s'"
         % T_SPAWN)
diag("terminated %s backend(s) of the sandboxed workers" % n)
check("the sandboxed workers had database connections", int(n or 0) > 0, n)
ok1 = False
for _ in range(3):      # the first request may meet the dead connection
    r = fcgi(workers, "POST", "/token", "grant_type=client_credentials",
             FORM +
             [("Authorization", "Basic Og==")])
    if r is not None and r.status == 401:
        ok1 = True
        break
check("after the backends died: token.fcgi reconnects (401 for a bad "
      "client, not 5xx) within 3 requests", ok1, r)
flows(workers, "after reconnect")

for name, w in sorted(workers.items()):
    check("%s: still alive after the flows (no SIGSYS)" % name, w.alive(),
          "exit %r; log tail:\n%s" % (w.proc.poll(),
                                      open(w.log).read()[-1500:]))
for name, w in sorted(workers.items()):
    rc = w.stop()
    check("%s: SIGTERM: clean exit 0 inside the sandbox (status %r)"
          % (name, rc), rc == 0, open(w.log).read()[-1500:])
    check_log(w.log, "sandboxed %s" % name, allow_error=CONN_LOST)

# ---- issue 15 item 12: no file opened after start-up -------------------------

STRACE = shutil.which("strace")
# The workers that never make an outbound request (sandbox.h).
NOFETCH = [n for n in ("discovery", "jwks", "userinfo", "end_session")
           if n in endpoints()]
if STRACE is None:
    check("no file opened after start-up: strace installed (make deps)",
          False)
else:
    d = private_dir("sbx2")
    with open(env("OIDC_CONFIG")) as f:
        text = f.read()
    m = re.search(r"^database = (.*)$", text, re.M)
    svc = os.path.join(d, "pg_service.conf")
    with open(svc, "w") as f:
        f.write("[oidcsbx]\n" + "".join(
            kv + "\n" for kv in m.group(1).split()))
    os.chmod(svc, 0o644)
    conf2 = os.path.join(d, "oidc.conf")
    with open(conf2, "w") as f:
        f.write(text.replace(m.group(0), "database = service=oidcsbx") +
                "sandbox = yes\n")
    os.chmod(conf2, 0o644)
    trdir = os.path.join(d, "strace")     # written as the workers' user
    os.makedirs(trdir, exist_ok=True)
    os.chmod(trdir, 0o777)
    t2 = psql("SELECT now()")
    w2, tr = {}, {}
    for name in NOFETCH:
        tr[name] = os.path.join(trdir, name + ".strace")
        w2[name] = spawn("sbx2", name, conf2, argv=[
            STRACE, "-f", "-qq", "-s", "256", "-o", tr[name], "-e",
            "trace=open,openat,socket,connect,write",
            os.path.join(env("OIDC_BUILD"), "cgi-bin", name + ".fcgi")],
            env_extra={"PGSERVICEFILE": svc})
    time.sleep(1.0 * MULT)

    def poke(label):
        for name in NOFETCH:
            path = PATH_OF[name]
            if name == "userinfo":
                r = fcgi(w2, "GET", path, None,
                         [("Authorization", "Bearer not-a-token")])
                good = r is not None and r.status == 401
            elif name == "end_session":
                r = fcgi(w2, "GET", path + "?state=x")
                good = r is not None and r.status == 200
            else:
                r = fcgi(w2, "GET", path)
                good = r is not None and r.status == 200
            check("%s: %s answers (%s)" % (label, name,
                  r.status if r is not None else None), good, r)

    poke("no-open workers")
    n = psql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
             " WHERE application_name = 'oidc-fcgi' AND backend_start >= "
             "'%s'" % t2)
    diag("terminated %s backend(s) of the no-open workers" % n)
    for _ in range(2):      # the first request may meet the dead connection
        for name in NOFETCH:
            fcgi(w2, "GET", PATH_OF[name])
    poke("after reconnect (service file resolved at start-up)")
    n2 = psql("SELECT count(*) FROM pg_stat_activity WHERE application_name"
              " = 'oidc-fcgi' AND backend_start >= '%s'" % t2)
    check("a no-open worker reconnected (userinfo looks its token up)",
          int(n2 or 0) >= 1, n2)
    for name, w in sorted(w2.items()):
        # SIGTERM to the worker under strace; strace exits with its status.
        for pid in children(w.pid):
            os.kill(pid, signal.SIGTERM)
        rc = w.stop()
        check("%s (no-open): alive until SIGTERM, clean exit (%r)"
              % (name, rc), rc == 0, open(w.log).read()[-1500:])
        check_log(w.log, "no-open %s" % name, allow_error=CONN_LOST)
        with open(w.log, errors="replace") as f:
            check("%s: logs msg=started ... open=refused socket=unix"
                  % name, "open=refused socket=unix" in f.read())
        with open(tr[name], errors="replace") as f:
            lines = f.read().split("\n")
        start = next((i for i, l in enumerate(lines)
                      if "msg=started" in l), None)
        opened = [l for l in lines[(start or 0) + 1:]
                  if re.search(r"\bopen(at)?\(", l) and
                  re.search(r"= \d+$", l)]
        denied = [l for l in lines[(start or 0) + 1:]
                  if re.search(r"\bopen(at)?\(", l) and "EACCES" in l]
        check("%s: no file opened after msg=started (%d opened, %d "
              "refused with EACCES)" % (name, len(opened), len(denied)),
              start is not None and not opened, "\n".join(opened[:10]))
        inet = [l for l in lines[(start or 0) + 1:]
                if re.search(r"socket\(AF_INET6?,", l) and
                re.search(r"= \d+$", l)]
        check("%s: no AF_INET/AF_INET6 socket after start-up" % name,
              not inet, inet)

done()
