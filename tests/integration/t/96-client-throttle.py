#!/usr/bin/env python3
"""96-client-throttle: guessing a client's secret at the token endpoint is
throttled per client (issue 10), like password logins.

A private token.fcgi runs with a short login_window and
client_auth_max_failures = 10 (the default is 100).  10 wrong secrets for one client are answered 401 invalid_client; then a
lock of one window starts: even the right secret gets 429 (the
credentials are not checked), another client is unaffected, attempts
during the lock are not recorded (so hammering cannot lengthen it), and
after the window the right secret works again.
"""
import time

from oidctest import *
from hardening import *

W = 10 * MULT
MAX_FAIL = 10
conf = private_config("cthr", ["login_window = %d" % W,
                               "client_auth_max_failures = %d" % MAX_FAIL])
w = spawn("cthr", "token", conf)
check("a private token.fcgi with login_window = %d runs" % W, w.alive(),
      open(w.log).read()[-1500:])


def client():
    return create_client({"redirect_uris": ["https://rp.example/cb"],
                          "client_name": unique("cthr"),
                          "grant_types": ["client_credentials"],
                          "response_types": [], "scope": "api"})


def cc(c, secret):
    body = form_encode({"grant_type": "client_credentials"})
    return w.request(cgi_params("POST", "/token", "",
                                content_type="application/"
                                "x-www-form-urlencoded",
                                content_length=len(body),
                                extra={"HTTP_AUTHORIZATION": basic_auth(
                                    c["client_id"], secret)}),
                     body.encode(), timeout=10 * MULT)


def recorded(c):
    return int(psql("SELECT count(*) FROM login_failure WHERE key = 'c:%s'"
                    % c["client_id"].replace("'", "''")))


victim, other = client(), client()
r = cc(victim, victim["client_secret"])
check("the right secret works before any failure", r.status == 200, r)
codes = [cc(victim, "wrong-secret-%d-xxxxxxxxxxxxxxxxxxxxxxxx" % i).status
         for i in range(MAX_FAIL)]
check("%d wrong secrets: 401 each" % MAX_FAIL,
      codes == [401] * MAX_FAIL, codes)
t_lock = time.monotonic()
r = cc(victim, victim["client_secret"])
check("locked: the right secret is refused with 429 invalid_client",
      r.status == 429 and is_json_error(r, "invalid_client"), r)
r = cc(other, other["client_secret"])
check("another client is not affected", r.status == 200, r)
for i in range(5):
    cc(victim, "hammer-%d-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" % i)
check("attempts during the lock are not recorded",
      recorded(victim) == MAX_FAIL, recorded(victim))
ok = None
while time.monotonic() < t_lock + W + 3 * MULT:
    r = cc(victim, victim["client_secret"])
    if r.status == 200:
        ok = time.monotonic() - t_lock
        break
    time.sleep(0.5)
check("after the window the right secret works again (%s s; window %d s)"
      % (None if ok is None else round(ok, 1), W),
      ok is not None and ok >= W - 1, r)
psql("DELETE FROM login_failure WHERE key IN ('c:%s', 'L:c:%s')" %
     (victim["client_id"], victim["client_id"]))
rc = w.stop()
check("the private token.fcgi stops cleanly", rc == 0, rc)
check_log(w.log, "private token.fcgi")
done()
