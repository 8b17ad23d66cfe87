#!/usr/bin/env python3
"""93-throttle: failed-login throttling under a bounded brute force
(issue 10, "Abuse"; issue 15 item 3; common/oidc/session.c
oidc_login_check).

The harness config keeps the defaults (login_max_failures 10,
login_window 900 s), and waiting 15 minutes is no test.  So this test
starts its own authorize.fcgi with a copy of the config plus
`login_window = W` (W = 120 s x OIDC_TEST_TIMEOUT_MULT: no failure of
the test may leave the window while it runs, however slow the machine) and
`login_max_failures_per_address = 15` on a private socket and speaks
FastCGI to it, which also lets it choose REMOTE_ADDR: the attacker comes
from 192.0.2.66, the real user from 198.51.100.7, a sprayer from
203.0.113.9.

  1. 30 wrong passwords for one account from the attacker: the first 10
     are ordinary failures (200, the login page again), every later one is
     429 (an HTML page); exactly 10 failures are recorded for (account,
     attacker) (a throttled attempt is not checked and not recorded: no
     password oracle, no extension of the delay).
  2. The real user, right password, other address, meanwhile: gets in
     (issue 15: it used to be locked out from everywhere).
  3. The attacker's delay grows: its checked attempts come 2 s, then 4 s
     apart (1, 2, 4, ... seconds after the last failure, at most W).
  4. From the attacker's address even the right password is delayed (the
     throttle is per source); `oidcctl user unlock USER` clears the
     account's failures and the user gets in from there at once.
  5. Per address: 15 failures for 15 different accounts from the sprayer
     throttle the sprayer's address for everyone, not the accounts.
  6. The ledger rows of this test are removed at the end.
"""
import time
import urllib.parse

from oidctest import *
from flow import Browser, RP, classify, make_client, make_user, \
    parse_page, parse_response
from hardening import *

W = 120 * MULT
MAX_FAIL = 10                   # login_max_failures default (config.c)
MAX_ADDR = 15
ATTACKER, REAL, SPRAY = "192.0.2.66", "198.51.100.7", "203.0.113.9"

conf = private_config("thr", ["login_window = %d" % W,
                              "login_max_failures_per_address = %d"
                              % MAX_ADDR])
w = spawn("thr", "authorize", conf)
check("a private authorize.fcgi with login_window = %d runs" % W,
      w.alive(), open(w.log).read()[-1500:])

c = make_client(response_types=["code"], first_party=True)
user, pw = unique("victim"), "the-right-password-1"
make_user(user, pw)
PAIR = "u:%s %s" % (ATTACKER, user)
KEYS = "('a:%s', 'a:%s', 'a:%s')" % (ATTACKER, REAL, SPRAY)
CLEAN = ("DELETE FROM login_failure WHERE key LIKE 'u:%%%s' OR key IN %s"
         % (user, KEYS))
psql(CLEAN)


def recorded(key):
    return int(psql("SELECT count(*) FROM login_failure WHERE key = '%s'"
                    % key))


class AddrBrowser(Browser):
    """flow.Browser speaking FastCGI to the private worker from addr."""

    def __init__(self, addr):
        Browser.__init__(self)
        self.addr = addr

    def _send(self, method, path, body, headers):
        u = urllib.parse.urlsplit(path)
        extra = {"REMOTE_ADDR": self.addr}
        ctype = None
        for k, v in headers:
            if k.lower() == "content-type":
                ctype = v
            else:
                extra["HTTP_" + k.upper().replace("-", "_")] = v
        r = w.request(cgi_params(method, u.path, u.query, content_type=ctype,
                                 content_length=None if body is None
                                 else len(body), extra=extra),
                      body or b"", timeout=20 * MULT)
        if r is None:
            raise RuntimeError("no answer from the private authorize.fcgi")
        return self.absorb(r)

    def get(self, path, headers=None):
        return self._send("GET", path, None, self._cookie_header() +
                          list((headers or {}).items()))

    def post(self, path, params, headers=None):
        return self._send("POST", path, form_encode(params).encode(),
                          self._cookie_header() +
                          [("Content-Type", FORM)] +
                          list((headers or {}).items()))


FORM = "application/x-www-form-urlencoded"


def attempt(addr, password):
    """One login from addr: (response, got a session cookie)."""
    br = AddrBrowser(addr)
    r0 = br.authorize({"client_id": c["client_id"], "redirect_uri": RP,
                       "response_type": "code", "scope": "openid",
                       "state": "t", "nonce": "n"})
    if classify(r0) != "login":
        return r0, False
    since = len(br.history)
    r = br.login(r0, user, password)
    return r, "oidc_session" in br.new_cookies(since)


# 1. the brute force
statuses, ends = [], []
for i in range(30):
    r, sess = attempt(ATTACKER, "guess-%d" % i)
    statuses.append(r.status)
    ends.append(time.monotonic())
    if sess:
        break
check("brute force: the first %d wrong passwords are ordinary failures "
      "(200)" % MAX_FAIL, statuses[:MAX_FAIL] == [200] * MAX_FAIL, statuses)
# Past the limit an attempt is checked only once its wait (1, 2, 4, ... s
# after the last failure) is over: in T seconds after the 10th failure at
# most log2(T + 1) more, however slow the machine; every other one is 429.
late = statuses[MAX_FAIL:]
extra = late.count(200)
spent = ends[-1] - ends[MAX_FAIL - 1]
check("brute force: attempts %d..30 are 429 but for at most log2(T + 1) "
      "checked after their wait (%d checked in %.1f s)"
      % (MAX_FAIL + 1, extra, spent),
      set(late) <= {200, 429} and late.count(429) > 0 and
      2 ** extra - 1 <= spent, statuses)
if r.status == 429:
    check("brute force: the 429 is an HTML page",
          r.content_type() == "text/html" and
          r.header("Location") is None, r)
check("brute force: exactly the %d + %d checked failures recorded for "
      "(account, attacker) (throttled attempts are not recorded)"
      % (MAX_FAIL, extra), recorded(PAIR) == MAX_FAIL + extra,
      recorded(PAIR))
check("brute force: and as many for the attacker's address",
      recorded("a:" + ATTACKER) == MAX_FAIL + extra,
      recorded("a:" + ATTACKER))

# 2. the real user from elsewhere is not locked out
r, sess = attempt(REAL, pw)
check("the right password from another address logs in (no lock-out of "
      "the account)", sess and "code" in (parse_response(r, RP) or {}), r)

# 3. the attacker's delay grows
# The server times a wait from the failure it recorded, somewhere between
# the start and the end of that request; so the next checked attempt ends
# at least the wait after the previous one started, however slow the
# machine (a gap between ends could be shorter by the first's latency).
t0 = time.monotonic()
allowed, refused = [], 0
while time.monotonic() < t0 + 30 * MULT and len(allowed) < 3:
    start = time.monotonic()
    r, sess = attempt(ATTACKER, "poll")
    if r.status == 200:
        allowed.append((start, time.monotonic()))
    elif r.status == 429:
        refused += 1
    time.sleep(0.1)
gaps = [round(b[1] - a[0], 2) for a, b in zip(allowed, allowed[1:])]
# 10 + extra failures so far: the next waits are 2 ** (extra + 1) s, then
# twice that (0.2 s for the database clock's rounding).
wait = 2 ** (extra + 1)
check("growing delay: the attacker's checked attempts come ever further "
      "apart (gaps %s s, want >= %d then %d, %d refused)"
      % (gaps, wait, 2 * wait, refused),
      len(gaps) >= 1 and gaps[0] >= wait - 0.2 and
      (len(gaps) < 2 or gaps[1] >= 2 * wait - 0.2) and refused > 0,
      allowed)

# 4. the same source is throttled for the account; an operator unlocks it
r, sess = attempt(ATTACKER, pw)
check("from the attacker's address the right password waits too (429)",
      r.status == 429 and not sess, r)
n = int(psql("SELECT count(*) FROM login_failure WHERE account = '%s'"
             % user))
rc, shown, err = ctl_json("user", "show", user, config=conf)
check("user show: failed_logins counts the account's failures (%d), and "
      "it is locked" % n, rc == 0 and n >= MAX_FAIL and
      shown.get("failed_logins") == n and shown.get("locked") is True and
      shown.get("username") == user, (rc, shown, err))
rc, out, err = ctl("user", "unlock", user)
check("oidcctl user unlock USER succeeds", rc == 0 and
      out == "%s: %d failed login(s) forgotten\n" % (user, n),
      (rc, out, err))
rc, shown, err = ctl_json("user", "show", user, config=conf)
check("user show after unlock: no failed logins, not locked",
      rc == 0 and shown.get("failed_logins") == 0 and
      shown.get("locked") is False, (rc, shown, err))
check("unlock removed the account's failure records",
      recorded(PAIR) == 0, recorded(PAIR))
r, sess = attempt(ATTACKER, pw)
check("after the unlock the right password logs in from that address",
      sess, r)
rc, out, err = ctl("user", "unlock", unique("nosuchuser"))
check("oidcctl user unlock of an unknown user: not found (exit 3)", rc == 3,
      (rc, out, err))

# 5. per address
statuses = []
for i in range(MAX_ADDR):
    br = AddrBrowser(SPRAY)
    r0 = br.authorize({"client_id": c["client_id"], "redirect_uri": RP,
                       "response_type": "code", "scope": "openid",
                       "state": "t", "nonce": "n"})
    statuses.append(br.login(r0, unique("nobody"), "x").status
                    if classify(r0) == "login" else r0.status)
check("%d failures for %d different accounts from one address: 200 each"
      % (MAX_ADDR, MAX_ADDR), statuses == [200] * MAX_ADDR, statuses)
r, sess = attempt(SPRAY, pw)
check("the address is then throttled: even a right password from it is "
      "refused (429)", r.status == 429 and not sess, r)
r, sess = attempt(REAL, pw)
check("the account still logs in from another address", sess, r)

# 6. clean up
psql(CLEAN)
rc = w.stop()
check("the private authorize.fcgi stops cleanly (exit 0)", rc == 0, rc)
check_log(w.log, "private authorize.fcgi")

done()
