#!/usr/bin/env python3
"""96-client-throttle: guessing a client's secret at the token endpoint is
throttled per (client, source address) and per source address, never per
client alone (issue 10; issue 15 item 3: "anyone who knows a client_id can
lock the client out of /token").

A private token.fcgi runs with a short login_window W,
client_auth_max_failures = 10 and client_auth_max_failures_per_address =
20; the test speaks FastCGI to it, so it chooses REMOTE_ADDR: the attacker
is 192.0.2.66, the real client 198.51.100.7, a sprayer 203.0.113.9.

  1. 10 wrong secrets for the victim from the attacker: 401 each; then the
     attacker's address is throttled for that client: even the right secret
     from there gets 429 invalid_client with a Retry-After (credentials are
     not checked), and hammering is not recorded.
  2. The real client, right secret, from its own address: 200 (the issue:
     it used to get 429 for a whole window, renewable forever).
  3. The throttle of the attacker is a delay that grows (1 s, 2 s, ...
     after the last failure), never a lock: the gaps between its checked
     attempts grow, and after the delay the right secret from the attacker's
     address works again.
  4. Per source: 20 failures for unknown client_ids from the sprayer
     throttle the sprayer's address for every client; the victim still
     works from elsewhere.
  5. `oidcctl client show` (with the worker's configuration) reports a
     client's failures and whether a source must wait; `oidcctl client
     unlock` forgets them, and the right secret works again at once.
"""
import time

from oidctest import *
from hardening import *

W = 10 * MULT
MAX_FAIL, MAX_ADDR = 10, 20
ATTACKER, REAL, SPRAY = "192.0.2.66", "198.51.100.7", "203.0.113.9"
conf = private_config("cthr", ["login_window = %d" % W,
                               "client_auth_max_failures = %d" % MAX_FAIL,
                               "client_auth_max_failures_per_address = %d"
                               % MAX_ADDR])
w = spawn("cthr", "token", conf)
check("a private token.fcgi with login_window = %d runs" % W, w.alive(),
      open(w.log).read()[-1500:])


def client():
    return create_client({"redirect_uris": ["https://rp.example/cb"],
                          "client_name": unique("cthr"),
                          "grant_types": ["client_credentials"],
                          "response_types": [], "scope": "api"})


def cc(c, secret, addr, client_id=None):
    body = form_encode({"grant_type": "client_credentials"})
    r = w.request(cgi_params("POST", "/token", "",
                             content_type="application/"
                             "x-www-form-urlencoded",
                             content_length=len(body),
                             extra={"REMOTE_ADDR": addr,
                                    "HTTP_AUTHORIZATION": basic_auth(
                                        client_id or c["client_id"],
                                        secret)}),
                  body.encode(), timeout=10 * MULT)
    if r is None:
        raise RuntimeError("no answer from the private token.fcgi")
    return r


def recorded(key):
    return int(psql("SELECT count(*) FROM login_failure WHERE key = '%s'"
                    % key.replace("'", "''")))


def wrong(i):
    return "wrong-secret-%s-xxxxxxxxxxxxxxxxxxxxxxxx" % i


victim, other = client(), client()
VKEY = "c:%s %s" % (ATTACKER, victim["client_id"])
psql("DELETE FROM login_failure WHERE key LIKE '%%%s%%' OR key IN "
     "('ca:%s', 'ca:%s', 'ca:%s')" % (victim["client_id"], ATTACKER, REAL,
                                      SPRAY))
r = cc(victim, victim["client_secret"], REAL)
check("the right secret works before any failure", r.status == 200, r)

# 1. the guessing
codes = [cc(victim, wrong(i), ATTACKER).status for i in range(MAX_FAIL)]
check("%d wrong secrets from the attacker: 401 each" % MAX_FAIL,
      codes == [401] * MAX_FAIL, codes)
r = cc(victim, victim["client_secret"], ATTACKER)
check("throttled: the right secret from the attacker's address is refused "
      "with 429 invalid_client", r.status == 429 and
      is_json_error(r, "invalid_client"), r)
check("throttled: the 429 says when to retry (Retry-After)",
      r.header("Retry-After") is not None and
      r.header("Retry-After").isdigit(), r)
for i in range(5):
    cc(victim, "hammer-%d-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" % i, ATTACKER)
check("attempts during the delay are not recorded",
      recorded(VKEY) == MAX_FAIL, recorded(VKEY))

# 2. the real client from its own address
r = cc(victim, victim["client_secret"], REAL)
check("the real client from another address is NOT refused (200)",
      r.status == 200, r)
r = cc(other, other["client_secret"], ATTACKER)
check("another client from the attacker's address is not affected",
      r.status == 200, r)

# 3. growing delays, and the attacker's own throttle ends
t0 = time.monotonic()
allowed = []
refused = 0
while time.monotonic() < t0 + 7.5 and len(allowed) < 3:
    r = cc(victim, wrong("poll"), ATTACKER)
    if r.status == 401:
        allowed.append(time.monotonic())
    elif r.status == 429:
        refused += 1
    time.sleep(0.1)
gaps = [round(b - a, 2) for a, b in zip(allowed, allowed[1:])]
check("growing delay: the attacker's checked attempts come ever further "
      "apart (gaps %s s, %d refused)" % (gaps, refused),
      len(gaps) >= 1 and gaps[0] >= 1.8 and
      (len(gaps) < 2 or gaps[1] >= 3.8) and refused > 0, allowed)
ok = None
t1 = time.monotonic()
while time.monotonic() < t1 + W + 3 * MULT:
    r = cc(victim, victim["client_secret"], ATTACKER)
    if r.status == 200:
        ok = time.monotonic() - t1
        break
    time.sleep(0.25)
check("the delay ends: the right secret from the attacker's address works "
      "again within one window (%s s)" % (None if ok is None
                                          else round(ok, 1)), ok is not None,
      r)

# 4. per source address
codes = [cc(None, wrong(i), SPRAY, client_id=unique("nosuch")).status
         for i in range(MAX_ADDR)]
check("%d failures for unknown clients from one address: 401 each"
      % MAX_ADDR, codes == [401] * MAX_ADDR, codes)
r = cc(other, other["client_secret"], SPRAY)
check("the address is then throttled for every client (429)",
      r.status == 429 and is_json_error(r, "invalid_client"), r)
r = cc(other, other["client_secret"], REAL)
check("the same client from another address works", r.status == 200, r)

# 5. the operator's view (issue 20 item 17): `oidcctl client show` with
# the worker's configuration reports the failures and the lock; `client
# unlock` forgets them and the right secret works again at once.  From an
# address of its own, so that its per-address count stays low.
LOCKED, v2 = "192.0.2.77", client()
psql("DELETE FROM login_failure WHERE key = 'ca:%s'" % LOCKED)
rc, shown, err = ctl_json("client", "show", v2["client_id"], config=conf)
check("client show: no failed authentications, not locked",
      rc == 0 and shown.get("failed_authentications") == 0 and
      shown.get("locked") is False, (rc, shown, err))
codes = [cc(v2, wrong(i), LOCKED).status for i in range(MAX_FAIL)]
check("%d wrong secrets (basic auth): 401 each" % MAX_FAIL,
      codes == [401] * MAX_FAIL, codes)
# Two more once their waits (1 s, 2 s) are over: the wait is then 4 s, time
# enough for oidcctl to see it however slow the machine.
t0 = time.monotonic()
while (time.monotonic() < t0 + 10 * MULT and
       recorded("c:%s %s" % (LOCKED, v2["client_id"])) < MAX_FAIL + 2):
    cc(v2, wrong("more"), LOCKED)
    time.sleep(0.2)
n = recorded("c:%s %s" % (LOCKED, v2["client_id"]))
r = cc(v2, v2["client_secret"], LOCKED)
check("then the right secret from there is throttled (429)",
      r.status == 429, r)
rc, shown, err = ctl_json("client", "show", v2["client_id"], config=conf)
check("client show: failed_authentications %d, locked" % n,
      rc == 0 and n == MAX_FAIL + 2 and
      shown.get("failed_authentications") == n and
      shown.get("locked") is True and
      shown.get("client_id") == v2["client_id"], (rc, shown, err))
rc, out, err = ctl("client", "unlock", v2["client_id"], config=conf)
check("client unlock: says how many it forgot",
      rc == 0 and out == "%s: %d failed authentication(s) forgotten\n"
      % (v2["client_id"], n), (rc, out, err))
rc, shown, err = ctl_json("client", "show", v2["client_id"], config=conf)
check("client show after unlock: 0 failed authentications, not locked",
      rc == 0 and shown.get("failed_authentications") == 0 and
      shown.get("locked") is False, (rc, shown, err))
r = cc(v2, v2["client_secret"], LOCKED)
check("after the unlock the right secret works at once (200)",
      r.status == 200, r)
check("the unlock left the address's own records",
      recorded("ca:" + LOCKED) == n, recorded("ca:" + LOCKED))
rc, out, err = ctl("client", "unlock", unique("nosuch"), config=conf)
check("client unlock of an unknown client: not found (exit 3)", rc == 3,
      (rc, out, err))

psql("DELETE FROM login_failure WHERE key LIKE '%%%s%%' OR key IN "
     "('ca:%s', 'ca:%s', 'ca:%s', 'ca:%s')" % (victim["client_id"], ATTACKER,
                                              REAL, SPRAY, LOCKED))
rc = w.stop()
check("the private token.fcgi stops cleanly", rc == 0, rc)
check_log(w.log, "private token.fcgi")
done()
