"""haload: what tier 1 (ha_test.py) and tier 2 (patroni_test.py) of the
HA tests share: the HTTP plumbing, a first-party client and a logged-in
user, the flow (authorize on host 1, token and userinfo on host 2), the
load loops and the assertions on a failover under load.

Importing it registers the client and the user and logs in once (a
check), like the test scripts did before it was shared.

under_load(name, fault) runs 3 loops of flows, calls fault() after 3 s
(it returns the time of the fault and the time the new primary accepted
writes), lets the loops run on, then asserts: every failed request is a
503 with Retry-After inside [fault, promotion + 2 s] (never a 500, a
timeout, or an invalid_grant for a code redeemed once); a worker waited
for the new primary (its log: "database reconnected"); flows succeeded
before the fault and after the promotion; every access token answered
2xx still works at userinfo afterwards; a code whose redemption answered
503 redeemed again gives 200 or invalid_grant, never a second token set;
a refresh token issued before the fault refreshes afterwards.  It reports
the windows measured (diag): promotion after the fault, the requests
that failed, the longest time without any successful answer.
"""
import http.client as httpc
import json
import os
import signal
import subprocess
import threading
import time
import urllib.parse

import oidctest
from oidctest import check, diag, env, unique
from flow import make_client, make_user, run_flow

T = env("OIDC_TMP")
PGBIN = env("OIDC_PGBIN")
PORTS = [int(p) for p in env("OIDC_HA_PORTS").split(",")]
H1 = urllib.parse.urlsplit(env("OIDC_ISSUER"))
H2 = urllib.parse.urlsplit(env("OIDC_HA_HOST2"))
MULT = int(os.environ.get("OIDC_TEST_TIMEOUT_MULT", "1") or "1")
RP = "https://rp.example/cb"


# ---- plumbing -----------------------------------------------------------

class R:
    def __init__(self, status, headers, body, t0, t1):
        self.status, self.headers, self.body = status, headers, body
        self.t0, self.t1 = t0, t1

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def header(self, name):
        return self.headers.get(name) if self.headers is not None else None

    def __repr__(self):
        return "%s %s" % (self.status, self.body[:200])


def http(host, method, path, body=None, headers=None, timeout=40):
    t0 = time.monotonic()
    c = httpc.HTTPConnection(host.hostname, host.port, timeout=timeout)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read().decode("utf-8", "replace")
        return R(r.status, r.headers, data, t0, time.monotonic())
    except (OSError, httpc.HTTPException) as e:
        return R(None, None, "exception: %r" % e, t0, time.monotonic())
    finally:
        c.close()


def psql(port, sql, db="oidc"):
    p = subprocess.run([os.path.join(PGBIN, "psql"), "-X", "-q", "-At",
                        "-h", "127.0.0.1", "-p", str(port), "-U", "oidc",
                        "-d", db, "-c", sql], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=20)
    return p.returncode, p.stdout.decode().strip(), p.stderr.decode()


def pgctl(n, *args):
    p = subprocess.run([os.path.join(T, "bin", "pgctl%d" % n)] +
                       list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=90)
    return p.returncode, p.stdout.decode()


def wait_until(fn, seconds):
    end = time.monotonic() + seconds * MULT
    while True:
        v = fn()
        if v or time.monotonic() > end:
            return v
        time.sleep(0.2)


def append_conf(n, line):
    """A setting for node n (pg<n>/postgresql.auto.conf: the last line
    wins), then a reload."""
    with open(os.path.join(T, "pg%d" % n, "postgresql.auto.conf"), "a") as f:
        f.write(line + "\n")
    return pgctl(n, "reload")[0] == 0


def kill_postmaster(n):
    with open(os.path.join(T, "pg%d" % n, "postmaster.pid")) as f:
        pid = int(f.readline())
    os.kill(pid, signal.SIGKILL)
    return pid


def streaming(primary_port, names):
    rc, out, _ = psql(primary_port, "SELECT application_name, state FROM "
                      "pg_stat_replication", db="postgres")
    rows = dict(l.split("|") for l in out.splitlines() if "|" in l)
    return rc == 0 and all(rows.get(n) == "streaming" for n in names)


def port_of(n):
    return PORTS[n - 1]


# ---- the flow -----------------------------------------------------------

c = make_client(response_types=["code"], redirect_uris=[RP],
                first_party=True,
                grant_types=["authorization_code", "refresh_token"])
AUTH = oidctest.basic_auth(c["client_id"], c["client_secret"])
USER = unique("ha")
make_user(USER, "ha-password-1")


def wait_hosts():
    for h in (H1, H2):
        if not wait_until(lambda: http(h, "GET", "/jwks", timeout=5).status
                          == 200, 30):
            return False
    return True


check("both hosts answer /jwks", wait_hosts())
# The login, once, on host 1 (oidctest's issuer): the session cookie.
first = run_flow(c, USER, "ha-password-1",
                 {"response_type": "code", "nonce": unique("n")})
COOKIE = "; ".join("%s=%s" % kv for kv in first["_browser"].cookies.items())
check("logged in on host 1 (a session cookie)", bool(COOKIE) and
      "code" in first, first)

events = []		# every request of every flow: (R, what)
ev_lock = threading.Lock()


def record(r, what):
    with ev_lock:
        events.append((r, what))
    return r


def authorize():
    q = urllib.parse.urlencode({
        "client_id": c["client_id"], "redirect_uri": RP,
        "response_type": "code", "scope": "openid offline_access",
        "state": unique("s"), "nonce": unique("n")})
    r = record(http(H1, "GET", "/authorize?" + q, headers={"Cookie": COOKIE}),
               "authorize")
    loc = r.header("Location") or ""
    if r.status != 302 or not loc.startswith(RP):
        return r, None
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query).get(
        "code", [None])[0]
    return r, code


def token(form, what="token"):
    return record(http(H2, "POST", "/token", urllib.parse.urlencode(form),
                       {"Authorization": AUTH, "Content-Type":
                        "application/x-www-form-urlencoded"}), what)


def redeem(code, what="token"):
    return token({"grant_type": "authorization_code", "code": code,
                  "redirect_uri": RP}, what)


def userinfo(at, what="userinfo"):
    return record(http(H2, "GET", "/userinfo",
                       headers={"Authorization": "Bearer " + at}), what)


class Ledger:
    """What the flows got: codes redeemed (code -> token statuses),
    access tokens answered 2xx (with the time), refresh tokens."""

    def __init__(self):
        self.lock = threading.Lock()
        self.codes = {}
        self.tokens = []	# (access_token, time answered)
        self.refresh = []
        self.ok_flows = []	# end time of each complete flow

    def flow(self):
        r, code = authorize()
        if code is None:
            return False
        rt = redeem(code)
        with self.lock:
            self.codes.setdefault(code, []).append(rt.status)
        j = rt.json() if rt.status == 200 else None
        if j is None or "access_token" not in j:
            return False
        with self.lock:
            self.tokens.append((j["access_token"], rt.t1))
            if "refresh_token" in j:
                self.refresh.append((j["refresh_token"], rt.t1))
        ru = userinfo(j["access_token"])
        if ru.status != 200:
            return False
        with self.lock:
            self.ok_flows.append(ru.t1)
        return True


def lost_tokens(tokens):
    """The access tokens answered 2xx that userinfo no longer knows: the
    harness's loss check."""
    lost = []
    for at, _ in tokens:
        r = http(H2, "GET", "/userinfo", headers={"Authorization":
                                                  "Bearer " + at})
        if r.status != 200:
            lost.append((at[:8], r.status))
    return lost


def failures(since=0):
    with ev_lock:
        evs = events[since:]
    bad = []
    for r, what in evs:
        good = (what == "authorize" and r.status == 302) or \
            (what in ("token", "userinfo", "refresh") and r.status == 200)
        if not good:
            bad.append((r, what))
    return bad



def reconnected():
    """How many times the workers logged a reconnect after waiting for a
    primary (the log line exists only after more than one attempt)."""
    n = 0
    for f in os.listdir(os.path.join(T, "log")):
        if f.endswith((".1.log", ".2.log")):
            with open(os.path.join(T, "log", f), errors="replace") as fh:
                n += fh.read().count('msg="database reconnected" tries=')
    return n


def longest_gap(since, t_from, t_to):
    """The longest time inside [t_from, t_to] in which no request of the
    load answered successfully: the unavailability a client saw."""
    with ev_lock:
        evs = events[since:]
    ends = sorted(r.t1 for r, what in evs
                  if (what == "authorize" and r.status == 302) or
                  (what in ("token", "userinfo") and r.status == 200))
    ends = [t_from] + [t for t in ends if t_from < t < t_to] + [t_to]
    return max(b - a for a, b in zip(ends, ends[1:]))


def under_load(name, fault, after=5):
    """3 loops of flows, fault() after 3 s, the loops for `after` s more
    after it returned; then the assertions (module docstring).  fault()
    returns (time of the fault, time the new primary took writes or
    None).  Returns what it measured, for the report."""
    L = Ledger()
    pre = Ledger()
    check("%s: a flow before the load (its refresh token kept)" % name,
          pre.flow() and len(pre.refresh) == 1)
    n0 = len(events)
    r0 = reconnected()
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            L.flow()

    threads = [threading.Thread(target=loop) for _ in range(3)]
    for t in threads:
        t.start()
    time.sleep(3)
    t_kill, t_prom = fault()
    if t_prom is None:
        t_prom = time.monotonic()
    time.sleep(after)
    stop.set()
    for t in threads:
        t.join(60 * MULT)
    check("%s: the load loops ended" % name,
          not any(t.is_alive() for t in threads))
    gap = longest_gap(n0, t_kill - 1, t_prom + after)
    bad = failures(n0)
    diag("%s: promotion %.2fs after the fault; %d failed requests; no "
         "successful answer for %.2fs at most; %d flows before, %d after"
         % (name, t_prom - t_kill, len(bad), gap,
            len([x for x in L.ok_flows if x < t_kill]),
            len([x for x in L.ok_flows if x > t_prom])))
    assert_failover(name, L, pre, n0, r0, t_kill, t_prom)
    return {"promotion": t_prom - t_kill, "failed": len(bad), "gap": gap}


def assert_failover(name, L, pre, n0, r0, t_kill, t_prom):
    bad = failures(n0)
    outside = [(r, w) for r, w in bad
               if r.status != 503 or r.t1 < t_kill or r.t0 > t_prom + 2]
    if bad:
        diag("%s: %d failed requests, first ended %.2fs and last "
             "started %.2fs after the fault" %
             (name, len(bad), min(r.t1 for r, _ in bad) - t_kill,
              max(r.t0 for r, _ in bad) - t_kill))
    check("%s: every failed request is a 503 inside [fault, promotion "
          "+ 2 s] (%d failed)" % (name, len(bad)), not outside,
          "\n".join("%s %s at %.2fs" % (w, r, r.t0 - t_kill)
                    for r, w in outside[:10]))
    check("%s: every 503 carries Retry-After" % name,
          all(r.header("Retry-After") for r, _ in bad if r.status == 503))
    check("%s: no invalid_grant for a code redeemed once" % name,
          not any(r.status == 400 and "invalid_grant" in r.body
                  for r, w in bad if w == "token"))
    # db_failover_wait at work: a worker whose request found no primary
    # reconnected with a backoff until the promotion, and went on.
    # Client-side timing cannot show it: one worker per endpoint queues
    # the requests.
    nrec = reconnected() - r0
    check("%s: workers waited for the new primary and reconnected "
          "(%d log lines)" % (name, nrec), nrec > 0)
    before = [x for x in L.ok_flows if x < t_kill]
    after = [x for x in L.ok_flows if x > t_prom]
    check("%s: flows succeeded before the fault (%d) and after the "
          "promotion (%d)" % (name, len(before), len(after)),
          len(before) > 0 and len(after) > 0)
    lost = lost_tokens(L.tokens + pre.tokens)
    check("%s: every access token answered 2xx (%d) still works at "
          "userinfo afterwards" % (name, len(L.tokens) + len(pre.tokens)),
          not lost, lost[:10])
    again = {}
    for code, sts in list(L.codes.items()):
        if 503 in sts:
            r = redeem(code, "probe")
            again[code] = r
            sts.append(r.status)
    diag("%s: codes answered 503 and redeemed again: %s" % (name, sorted(
        (r.status, (r.json() or {}).get("error")) for r in again.values())))
    check("%s: a code redeemed again after a 503 answers 200 or "
          "invalid_grant" % name,
          all(r.status == 200 or (r.status == 400 and
                                  "invalid_grant" in r.body)
              for r in again.values()))
    check("%s: no code yielded two token sets" % name,
          all(sts.count(200) <= 1 for sts in L.codes.values()))
    rt = token({"grant_type": "refresh_token",
                "refresh_token": pre.refresh[0][0]}, "refresh") \
        if pre.refresh else None
    ok_refresh = rt is not None and rt.status == 200 and \
        "access_token" in (rt.json() or {})
    check("%s: a refresh token from before the fault refreshes after "
          "it" % name, ok_refresh, rt)
    if ok_refresh:
        check("%s: the refreshed access token works at userinfo" % name,
              userinfo(rt.json()["access_token"]).status == 200)
