#!/usr/bin/env python3
"""92-faults: a worker killed mid-request, a read-only database, clock skew
(issue 10, "Faults").  (PostgreSQL stopped and restarted: t/90-db-outage.)

  sigkill     The harness runs one worker per endpoint, so this test starts
              its own pool: spawn-fcgi -n running
              deploy/spawn-fcgi/oidc-supervise.sh -n 2 -- token.fcgi on a
              private socket.  One worker is held mid-request (FastCGI
              stdin left open), then killed with SIGKILL while 4 clients
              keep sending token requests: only the held request fails,
              every other one is served, and the supervisor starts a new
              worker within 3 s.
  read_only   ALTER DATABASE oidc SET default_transaction_read_only = on,
              and every worker's session killed so they reconnect into it:
              token and login writes answer 503 temporarily_unavailable
              (JSON; an HTML 503 page for the login form), nothing is
              written (row counts unchanged; a code issued before is still
              redeemable after), reads still work; after RESET everything
              works again.
  clock_skew  an ID Token checked by an independent verifier
              (python3-jwcrypto) whose clock is 5 s behind the OP's (iat 5 s
              in the future) is accepted with the usual 60 s leeway, and
              refused when the skew (300 s) exceeds it.

Restores everything it changes (the database setting, the workers'
connections, its own processes).
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

from oidctest import *
from flow import (Browser, RP, make_client, make_user, parse_response,
                  run_flow, redeem)
from hardening import *

# Killed sessions and the read-only database show up in the workers' logs.
expect_error_log(r"level=error.*(read-only|25006|terminat|server closed|"
                 r"connection|DB_DOWN|temporarily)")

c = make_client(response_types=["code"], first_party=True,
                grant_types=["authorization_code", "client_credentials"])
AUTH = (c["client_id"], c["client_secret"])
HDR_AUTH = {"HTTP_AUTHORIZATION": basic_auth(*AUTH)}
FORM = "application/x-www-form-urlencoded"
CC_BODY = b"grant_type=client_credentials"

# ---- sigkill ---------------------------------------------------------------

# A copy in the temp dir: the checkout may not be reachable for the
# unprivileged user the workers run as (run.sh copies the binaries too).
script = os.path.join(private_dir("sup"), "oidc-supervise.sh")
shutil.copyfile(os.path.join(env("OIDC_ROOT"), "deploy", "spawn-fcgi",
                             "oidc-supervise.sh"), script)
os.chmod(script, 0o755)
token_bin = os.path.join(env("OIDC_BUILD"), "cgi-bin", "token.fcgi")
pool = spawn("sup", "token", env("OIDC_CONFIG"),
             argv=["/bin/bash", script, "-n", "2", "--", token_bin])


def cc_params(content_length=len(CC_BODY)):
    return cgi_params("POST", "/token", content_type=FORM,
                      content_length=content_length, extra=HDR_AUTH)


def pool_request():
    return pool.request(cc_params(), CC_BODY, timeout=10 * MULT)


kids = wait_until(lambda: (lambda k: k if len(k) == 2 else None)(
    children(pool.pid)), 5 * MULT) or children(pool.pid)
check("sigkill: the supervisor runs 2 token workers", len(kids) == 2,
      "children: %r; log:\n%s" % (kids, open(pool.log).read()[-1500:]))
rs = [pool_request() for _ in range(6)]
check("sigkill: the pool serves client_credentials (6 of 6)",
      all(r is not None and r.status == 200 for r in rs),
      [r.status if r else None for r in rs])

# A worker may still be closing the connection of the request it answered
# last: the idle count is the smallest seen over a second.
idle_fds = {p: None for p in kids}
for _ in range(10):
    for p in kids:
        n = socket_fds(p)
        if n is not None and (idle_fds[p] is None or n < idle_fds[p]):
            idle_fds[p] = n
    time.sleep(0.1)
held = {}


def hold():
    # CONTENT_LENGTH 100, 29 bytes sent, stdin left open: the worker that
    # accepts this waits for the rest of the body.
    held["r"] = pool.request(cc_params(100), CC_BODY, close_stdin=False,
                             timeout=30 * MULT)


th = threading.Thread(target=hold)
th.start()
busy = wait_until(lambda: [p for p in kids
                           if (socket_fds(p) or 0) > (idle_fds[p] or 0)],
                  5 * MULT)
check("sigkill: one worker is held mid-request", busy and len(busy) == 1,
      (idle_fds, {p: socket_fds(p) for p in kids}))

load = {"ok": 0, "bad": []}
stop_load = threading.Event()


def client():
    while not stop_load.is_set():
        r = pool_request()
        if r is not None and r.status == 200:
            load["ok"] += 1
        else:
            load["bad"].append(r.status if r is not None else None)
        time.sleep(0.02)


clients = [threading.Thread(target=client) for _ in range(4)]
for t in clients:
    t.start()
time.sleep(0.5)
if busy:
    os.kill(busy[0], signal.SIGKILL)
th.join(10 * MULT)
check("sigkill: the held (in-flight) request fails: connection closed "
      "without a response", "r" in held and held["r"] is None,
      held.get("r"))
t0 = time.monotonic()
new = wait_until(lambda: (lambda k: k if len(k) == 2 and busy and
                          busy[0] not in k else None)(children(pool.pid)),
                 3 * MULT)
check("sigkill: the supervisor started a replacement within %d s"
      % (3 * MULT), bool(new), "children now: %r" % children(pool.pid))
time.sleep(1.0)          # the load keeps running on the new pair
stop_load.set()
for t in clients:
    t.join(20 * MULT)
check("sigkill: every other request during the kill was served "
      "(%d ok, %d failed)" % (load["ok"], len(load["bad"])),
      load["ok"] > 0 and not load["bad"], load["bad"][:20])
with open(pool.log, errors="replace") as f:
    log = f.read()
check("sigkill: the supervisor logged the exit and the restart",
      "exited (signal KILL); restarting" in log, log[-1500:])
if new:
    rs = [pool_request() for _ in range(4)]
    check("sigkill: after the restart both workers serve",
          all(r is not None and r.status == 200 for r in rs),
          [r.status if r else None for r in rs])
rc = pool.stop()
check("sigkill: SIGTERM stops the supervisor (exit 0) and its workers",
      rc == 0 and wait_until(lambda: not any(
          os.path.exists("/proc/%d" % p) for p in (new or kids)), 5 * MULT),
      "rc=%r" % rc)
check_log(pool.log, "sigkill: pool log", allow_error=r"terminat|connection")

# ---- read_only ---------------------------------------------------------------

TABLES = ["auth_code", "used_code", "token", "login_session", "consent",
          "login_failure", "client", "app_user"]


def counts():
    return psql("SELECT " + ", ".join(
        "(SELECT count(*) FROM %s)" % t for t in TABLES))


def reconnect_workers():
    """Kill every worker's database session; each reconnects (and picks
    up the database's settings) on its next request."""
    psql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
         "WHERE application_name = 'oidc-fcgi'")


user, pw = unique("ro-user"), "read-only-pass-1"
make_user(user, pw)
res = run_flow(c, user, pw, {"response_type": "code", "state": "r1",
                             "nonce": "n1"})
code_before = res.get("code")
r = redeem(c, run_flow(c, user, pw, {"response_type": "code", "state": "r2",
                                     "nonce": "n2"})["code"])
at_before = (r.json() or {}).get("access_token")
check("read_only: set-up: a code to redeem later and an access token",
      code_before and at_before, r)

psql("ALTER DATABASE oidc SET default_transaction_read_only = on")
try:
    reconnect_workers()
    n0 = counts()

    def until_503(fn):
        # The first request after the kill may meet the dead session.
        r = None
        for _ in range(3):
            r = fn()
            if r is not None and r.status == 503:
                break
        return r

    r = until_503(lambda: post_form("/token",
                                    {"grant_type": "client_credentials"},
                                    auth=AUTH))
    check("read_only: client_credentials: 503 temporarily_unavailable JSON, "
          "no-store", r.status == 503 and
          is_json_error(r, "temporarily_unavailable") and
          "no-store" in (r.header("Cache-Control") or ""), r)
    r = redeem(c, code_before)
    check("read_only: redeeming a code: 503 temporarily_unavailable",
          r.status == 503 and is_json_error(r, "temporarily_unavailable"),
          r)
    br = Browser()
    r0 = br.authorize({"client_id": c["client_id"], "redirect_uri": RP,
                       "response_type": "code", "scope": "openid",
                       "state": "r3", "nonce": "n3"})
    if r0.status == 200:
        r = br.login(r0, user, pw)
        check("read_only: a login (session write): 503, an HTML page or "
              "JSON temporarily_unavailable, no Location, no session",
              r.status == 503 and r.header("Location") is None and
              (r.content_type() == "text/html" or
               is_json_error(r, "temporarily_unavailable")) and
              "oidc_session" not in br.cookies, r)
    else:
        check("read_only: the login page itself: 503 HTML or JSON, no "
              "Location", r0.status == 503 and
              r0.header("Location") is None, r0)
    r = get("/userinfo", [("Authorization", "Bearer " + str(at_before))])
    check("read_only: userinfo (a read) still answers 200, or 503; never "
          "500", r.status in (200, 503), r)
    r = get("/.well-known/openid-configuration")
    check("read_only: discovery still 200", r.status == 200, r)
    check("read_only: nothing was written (row counts of %s unchanged)"
          % ", ".join(TABLES), counts() == n0, (n0, counts()))
finally:
    # This session is read-only too: ask for a read-write transaction.
    psql("BEGIN READ WRITE; ALTER DATABASE oidc RESET "
         "default_transaction_read_only; COMMIT")
    reconnect_workers()

ok_again = wait_until(lambda: (lambda r: r if r.status == 200 else None)(
    post_form("/token", {"grant_type": "client_credentials"}, auth=AUTH)),
    5 * MULT)
check("read_only: after RESET, client_credentials 200 again", ok_again)
r = redeem(c, code_before)
check("read_only: after RESET, the code issued before is redeemed (it was "
      "not half-consumed)", r.status == 200 and "id_token" in
      (r.json() or {}), r)
id_token = (r.json() or {}).get("id_token")
res = run_flow(c, user, pw, {"response_type": "code", "state": "r4",
                             "nonce": "n4"})
check("read_only: after RESET, login and a code work", "code" in res, res)
for name in endpoints():
    path = ENDPOINT_PATHS.get(name)
    if name in ("token", "authorize") or path is None:
        continue
    r = request("GET" if name in ("discovery", "jwks", "end_session",
                                  "userinfo", "register") else "POST", path)
    check("read_only: after RESET, %s answers (not 5xx)" % name,
          r.status < 500, r)

# ---- clock_skew ----------------------------------------------------------------

VERIFY = r'''
import json, sys, time
from jwcrypto import jwk, jwt
tok, jwks, iss, aud, skew, leeway = sys.argv[1:7]
skew, leeway = int(skew), int(leeway)
real = time.time
time.time = lambda: real() - skew          # this verifier's clock is behind
keys = jwk.JWKSet.from_json(jwks)
try:
    t = jwt.JWT(algs=["RS256", "ES256", "PS256", "EdDSA"],
                check_claims={"iss": iss, "aud": aud, "exp": None})
    t.leeway = leeway
    t.deserialize(tok, keys)        # signature, iss, aud, exp (+ leeway)
    claims = json.loads(t.claims)
    # jwcrypto checks exp/nbf; iat in the future is checked the usual way.
    if claims["iat"] > time.time() + leeway:
        print("REFUSED iat %d s ahead" % (claims["iat"] - time.time()))
        sys.exit(1)
    print("ACCEPTED iat %.1f s ahead" % (claims["iat"] - time.time()))
except Exception as e:
    print("REFUSED %s: %s" % (type(e).__name__, e))
    sys.exit(1)
'''


def verify(token, skew, leeway=60):
    jwks = get("/jwks").text
    py = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else \
        sys.executable
    p = subprocess.run([py, "-c", VERIFY, token, jwks, ISSUER,
                        c["client_id"], str(skew), str(leeway)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=30 * MULT)
    return p.returncode, p.stdout.decode(errors="replace").strip()


have_jwcrypto = subprocess.run(
    ["/usr/bin/python3", "-c", "import jwcrypto"],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0 \
    if os.path.exists("/usr/bin/python3") else False
if not have_jwcrypto:
    check("clock_skew: independent verifier python3-jwcrypto installed "
          "(make deps)", False)
elif not id_token:
    check("clock_skew: an ID Token to verify", False)
else:
    rc, out = verify(id_token, 0)
    check("clock_skew: jwcrypto accepts the ID Token (no skew): " + out,
          rc == 0, out)
    rc, out = verify(id_token, 5)
    check("clock_skew: iat 5 s in the verifier's future, leeway 60 s: "
          "accepted (" + out + ")", rc == 0, out)
    rc, out = verify(id_token, 300)
    check("clock_skew: iat 300 s in the future, leeway 60 s: refused "
          "(the check is live)", rc != 0, out)

done()
