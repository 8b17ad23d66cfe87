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
"""
import json
import urllib.parse

from oidctest import *
from flow import (Browser, RP, make_client, make_user, parse_response,
                  run_flow)
from hardening import *
from privflow import FORM, fcgi, flows

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

done()
