#!/usr/bin/env python3
"""98-trusted-proxy: the client address behind a local TLS terminator
(issue 15 item 9; oidc.conf(5) trusted_proxies; common/base/netaddr.c).

Behind a proxy every request has the proxy's REMOTE_ADDR, so throttling
keyed on REMOTE_ADDR puts every user in one bucket.  A private token.fcgi
runs with `trusted_proxies = 127.0.0.1 10.0.0.0/8` and
client_auth_max_failures = 5; the test speaks FastCGI to it and sets
REMOTE_ADDR and X-Forwarded-For (HTTP_X_FORWARDED_FOR) itself.

  1. 5 wrong secrets "through the proxy" from 192.0.2.66 (X-Forwarded-For)
     throttle that source for the client (429) ...
  2. ... but not the same client through the same proxy from 198.51.100.7,
     nor with a chain that ends in another trusted proxy (10.1.2.3).
  3. The header is walked right to left: a forged left part
     ("198.51.100.7, 192.0.2.66") does not escape the throttle.
  4. X-Forwarded-For from an untrusted REMOTE_ADDR is ignored: 192.0.2.66
     claiming to be 198.51.100.7 stays throttled.
  5. A malformed header from the trusted proxy falls back to REMOTE_ADDR
     (127.0.0.1, not throttled).
  6. Without trusted_proxies (the harness config) the header is ignored.
"""
from oidctest import *
from hardening import *

MAX_FAIL = 5
ATTACKER, REAL = "192.0.2.66", "198.51.100.7"
conf = private_config("tprox", ["trusted_proxies = 127.0.0.1 10.0.0.0/8",
                                "client_auth_max_failures = %d" % MAX_FAIL])
w = spawn("tprox", "token", conf)
check("a private token.fcgi with trusted_proxies runs", w.alive(),
      open(w.log).read()[-1500:])
w2 = spawn("tprox2", "token", private_config(
    "tprox2", ["client_auth_max_failures = %d" % MAX_FAIL]))
check("a private token.fcgi without trusted_proxies runs", w2.alive(),
      open(w2.log).read()[-1500:])

c = create_client({"redirect_uris": ["https://rp.example/cb"],
                   "client_name": unique("tprox"),
                   "grant_types": ["client_credentials"],
                   "response_types": [], "scope": "api"})
CLEAN = ("DELETE FROM login_failure WHERE key LIKE '%%%s' OR key LIKE 'ca:%%'"
         % c["client_id"])
psql(CLEAN)


def cc(secret, remote, xff=None, worker=None):
    body = form_encode({"grant_type": "client_credentials"})
    extra = {"REMOTE_ADDR": remote,
             "HTTP_AUTHORIZATION": basic_auth(c["client_id"], secret)}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    r = (worker or w).request(cgi_params("POST", "/token", "",
                                         content_type="application/"
                                         "x-www-form-urlencoded",
                                         content_length=len(body),
                                         extra=extra),
                              body.encode(), timeout=10 * MULT)
    if r is None:
        raise RuntimeError("no answer from the private token.fcgi")
    return r


def recorded(addr):
    return int(psql("SELECT count(*) FROM login_failure WHERE key = "
                    "'c:%s %s'" % (addr, c["client_id"])))


GOOD = c["client_secret"]
BAD = "wrong-secret-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

# 1.
codes = [cc(BAD, "127.0.0.1", ATTACKER).status for i in range(MAX_FAIL)]
check("%d wrong secrets through the proxy: 401 each" % MAX_FAIL,
      codes == [401] * MAX_FAIL, codes)
check("the failures are recorded for the forwarded address, not the "
      "proxy's", recorded(ATTACKER) == MAX_FAIL and
      recorded("127.0.0.1") == 0, (recorded(ATTACKER),
                                   recorded("127.0.0.1")))
r = cc(GOOD, "127.0.0.1", ATTACKER)
check("that source is throttled through the proxy (429)", r.status == 429,
      r)
# 2.
r = cc(GOOD, "127.0.0.1", REAL)
check("another source through the same proxy is not (200)",
      r.status == 200, r)
r = cc(GOOD, "127.0.0.1", " %s ,10.1.2.3" % REAL)
check("trusted hops at the right end are skipped (200)", r.status == 200,
      r)
# 3.
r = cc(GOOD, "127.0.0.1", "%s, %s" % (REAL, ATTACKER))
check("a forged left part does not escape: right to left, the first "
      "untrusted address wins (429)", r.status == 429, r)
r = cc(GOOD, "127.0.0.1", "%s, %s, 10.0.0.1" % (REAL, ATTACKER))
check("... also behind a second trusted proxy (429)", r.status == 429, r)
# 4.
r = cc(GOOD, ATTACKER, REAL)
check("X-Forwarded-For from an untrusted address is ignored (429)",
      r.status == 429, r)
# 5.
for bad in ["", "garbage", "%s, 1.2.3" % ATTACKER, "::ffff:zz",
            "192.0.2.66:443", "[::1]", "a" * 5000, ",,,",
            "192.0.2.66%00", "fe80::1%eth0"]:
    r = cc(GOOD, "127.0.0.1", bad)
    check("malformed X-Forwarded-For %r from the proxy: the proxy's "
          "address is used (200)" % bad[:40], r.status == 200, r)
check("nothing was recorded for the proxy", recorded("127.0.0.1") == 0,
      recorded("127.0.0.1"))
# 6.
for i in range(MAX_FAIL):
    cc(BAD, "127.0.0.1", ATTACKER, worker=w2)
r = cc(GOOD, "127.0.0.1", REAL, worker=w2)
check("without trusted_proxies the header is ignored: REMOTE_ADDR is the "
      "source (429 for every 'forwarded' client)", r.status == 429, r)

psql(CLEAN)
for x, name in ((w, "tprox"), (w2, "tprox2")):
    rc = x.stop()
    check("the private token.fcgi (%s) stops cleanly" % name, rc == 0, rc)
    check_log(x.log, "private token.fcgi")
done()
