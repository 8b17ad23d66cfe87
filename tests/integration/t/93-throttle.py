#!/usr/bin/env python3
"""93-throttle: failed-login throttling under a bounded brute force
(issue 10, "Abuse"; common/oidc/session.c oidc_login_check).

The harness config keeps the defaults (login_max_failures 10,
login_window 900 s), and waiting 15 minutes is no test.  So this test
starts its own authorize.fcgi with a copy of the config plus
`login_window = W` (W = 10 s x OIDC_TEST_TIMEOUT_MULT) on a private socket
and speaks FastCGI to it, which also lets it choose REMOTE_ADDR: the
attacker comes from 192.0.2.66, the real user from 198.51.100.7.

  1. 30 wrong passwords for one account from the attacker: the first 10
     are ordinary failures (200, the login page again), every later one is
     429 (an HTML page); exactly 10 failures are recorded (a throttled
     attempt is not checked and not recorded: no password oracle, no
     extension of the lock).
  2. The real user, right password, other address, while locked: refused
     (429), no session cookie.
  3. The attacker keeps hammering through the window (one wrong password
     every 0.5 s); the real user polls with the right password: gets in no
     later than W (+ a small margin) after the lock started, and no more
     failures were recorded during the hammering.
  4. The ledger rows of this test are removed at the end.
"""
import time
import urllib.parse

from oidctest import *
from flow import Browser, RP, classify, make_client, make_user, \
    parse_page, parse_response
from hardening import *

W = 10 * MULT
MAX_FAIL = 10                   # login_max_failures default (config.c)
ATTACKER, REAL = "192.0.2.66", "198.51.100.7"

conf = private_config("thr", ["login_window = %d" % W])
w = spawn("thr", "authorize", conf)
check("a private authorize.fcgi with login_window = %d runs" % W,
      w.alive(), open(w.log).read()[-1500:])

c = make_client(response_types=["code"], first_party=True)
user, pw = unique("victim"), "the-right-password-1"
make_user(user, pw)
KEYS = "('u:%s', 'a:%s', 'a:%s')" % (user, ATTACKER, REAL)
psql("DELETE FROM login_failure WHERE key IN " + KEYS)


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
statuses = []
t_lock = None
for i in range(30):
    r, sess = attempt(ATTACKER, "guess-%d" % i)
    statuses.append(r.status)
    if r.status == 429 and t_lock is None:
        t_lock = time.monotonic()
    if sess:
        break
check("brute force: the first %d wrong passwords are ordinary failures "
      "(200)" % MAX_FAIL, statuses[:MAX_FAIL] == [200] * MAX_FAIL, statuses)
check("brute force: attempts %d..30 are all 429" % (MAX_FAIL + 1),
      statuses[MAX_FAIL:] == [429] * (30 - MAX_FAIL), statuses)
if r.status == 429:
    check("brute force: the 429 is an HTML page",
          r.content_type() == "text/html" and
          r.header("Location") is None, r)
n_user = recorded("u:" + user)
check("brute force: exactly %d failures recorded for the account (throttled "
      "attempts are not recorded)" % MAX_FAIL, n_user == MAX_FAIL, n_user)
check("brute force: and %d for the attacker's address" % MAX_FAIL,
      recorded("a:" + ATTACKER) == MAX_FAIL, recorded("a:" + ATTACKER))
t_first = t_lock
if t_lock is None:
    t_lock = time.monotonic()

# 2. the real user while locked
r, sess = attempt(REAL, pw)
check("locked: the right password from another address is refused (429, "
      "no session)", r.status == 429 and not sess, r)

# 3. hammering through the window; the real user gets in after it
hammer = 0
while time.monotonic() < t_lock + W - 1.5:
    attempt(ATTACKER, "hammer-%d" % hammer)
    hammer += 1
    time.sleep(0.5)
check("hammering: %d more wrong passwords during the lock recorded "
      "nothing" % hammer, recorded("u:" + user) == MAX_FAIL,
      recorded("u:" + user))
t_in = None
deadline = t_lock + W + 3 * MULT
while time.monotonic() < deadline:
    r, sess = attempt(REAL, pw)
    if sess:
        t_in = time.monotonic()
        break
    time.sleep(0.25)
check("after the window: the real user gets in (%s s after the lock "
      "started; window %d s)" % (None if t_in is None else
                                 round(t_in - t_lock, 1), W),
      t_in is not None and t_in - t_lock <= W + 3 * MULT, r)
check("after the window: the login ended in an authorization response",
      parse_response(r, RP) is not None and "code" in
      (parse_response(r, RP) or {}), r)

# 4. clean up
psql("DELETE FROM login_failure WHERE key IN " + KEYS)
rc = w.stop()
check("the private authorize.fcgi stops cleanly (exit 0)", rc == 0, rc)
check_log(w.log, "private authorize.fcgi")

done()
