#!/usr/bin/env python3
"""ha_test: the scenarios of HA tier 1 (issue 19), run by tests/ha/run.sh
against a primary (pg1) and two standbys (pg2 = s1, pg3 = s2), two hosts
of workers behind two nginx ports, the workers on a multi-host conninfo
with target_session_attrs=read-write.  A flow is authorize on host 1
(session cookie, first-party client: a 302 with a sealed code), token on
host 2 (the code redeemed once) and userinfo on host 2.

  read_dsn     database_read is the standbys: with their WAL replay
               paused, a token issued now works at userinfo at once (the
               replica misses, the primary answers), and a token revoked
               on the primary still works until replay resumes, then not
               (the reads do go to the replica: the revocation delay).
  commit_wait  synchronous_standby_names 'ANY 1 (s1,s2)' and both standbys
               stopped: a token request (whose code_redeem_sealed waits for
               a standby) answers 503 temporarily_unavailable with
               Retry-After after db_commit_timeout, never hangs the worker;
               the log says the commit may be local only.  Standbys back:
               flows work again.
  failover     3 loops of flows; SIGKILL of the primary's postmaster; after
               1 s the standby with the highest received LSN is promoted
               (pg_ctl promote -w), the other re-pointed to it.  Asserted:
               every failed request is a 503 inside [kill, promotion + 2 s]
               (never a 500, a timeout, or an invalid_grant for a code
               redeemed once); flows succeeded before the kill and after
               the promotion; a worker waited for the new primary (its
               log: "database reconnected"); every access token answered
               2xx still works at userinfo afterwards (the synchronous
               standby had it); a code whose redemption answered 503
               redeemed again gives 200 or invalid_grant, never a second
               token set; a refresh token issued before the kill refreshes
               after the failover.
  async_loss   the new primary has no synchronous standby; the re-pointed
               standby's WAL receiver is stopped (primary_conninfo ''),
               flows succeed (acknowledged, asynchronous), the primary is
               killed and the lagging standby promoted: the same token
               check must find every token issued after the receiver
               stopped lost, and none issued before (the check can fail).
"""
import http.client as httpc
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse

import oidctest
from oidctest import check, diag, done, env, unique
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


# ---- read_dsn -----------------------------------------------------------


def wal_lsn(port, fn):
    rc, out, _ = psql(port, "SELECT pg_wal_lsn_diff(%s(), '0/0')::bigint"
                      % fn)
    return int(out) if rc == 0 and out.lstrip("-").isdigit() else -1


def caught_up(primary, standbys):
    cur = wal_lsn(primary, "pg_current_wal_lsn")
    return cur > 0 and all(wal_lsn(p, "pg_last_wal_replay_lsn") >= cur
                           for p in standbys)


def replay(standbys, what):
    """pg_wal_replay_pause or pg_wal_replay_resume on each standby, and
    wait until the state says so."""
    want = "paused" if what == "pause" else "not paused"
    for p in standbys:
        if psql(p, "SELECT pg_wal_replay_%s()" % what)[0] != 0:
            return False
    return wait_until(lambda: all(
        psql(p, "SELECT pg_get_wal_replay_pause_state()")[1] == want
        for p in standbys), 20)


RL = Ledger()
check("read_dsn: a flow before the pause", RL.flow())
check("read_dsn: both standbys replayed it",
      wait_until(lambda: caught_up(PORTS[0], PORTS[1:]), 30))
check("read_dsn: WAL replay paused on both standbys",
      replay(PORTS[1:], "pause"))
RB = Ledger()
check("read_dsn: a token issued while the replicas lag works at userinfo "
      "at once (the replica misses, the primary answers)", RB.flow())
old_at = RL.tokens[0][0] if RL.tokens else ""
rv = record(http(H2, "POST", "/revoke", urllib.parse.urlencode(
    {"token": old_at, "token_type_hint": "access_token"}),
    {"Authorization": AUTH,
     "Content-Type": "application/x-www-form-urlencoded"}), "revoke")
check("read_dsn: the older token revoked on the primary", rv.status == 200,
      rv)
r = userinfo(old_at, "probe")
check("read_dsn: until the replica replays the revocation, userinfo "
      "still accepts it (reads go to database_read: the revocation "
      "delay)", r.status == 200, r)
check("read_dsn: WAL replay resumed", replay(PORTS[1:], "resume"))
check("read_dsn: once replayed, the revoked token is refused (401)",
      wait_until(lambda: userinfo(old_at, "probe").status == 401, 20))

# ---- commit_wait ------------------------------------------------------

L0 = Ledger()
check("commit_wait: a flow works with both standbys up", L0.flow())
rc1, _ = pgctl(2, "stop", "-m", "fast", "-w", "-t", "30")
rc2, _ = pgctl(3, "stop", "-m", "fast", "-w", "-t", "30")
check("commit_wait: both standbys stopped", rc1 == 0 and rc2 == 0)
ra, code = authorize()
check("commit_wait: authorize (a read) still answers 302 with a code",
      code is not None, ra)
rt = redeem(code) if code else None
check("commit_wait: the token request whose commit waits for a missing "
      "synchronous standby answers 503 temporarily_unavailable with "
      "Retry-After (not a hang, not 504)",
      rt is not None and rt.status == 503 and
      (rt.json() or {}).get("error") == "temporarily_unavailable" and
      rt.header("Retry-After") is not None, rt)
if rt is not None:
    diag("commit_wait: 503 after %.2fs (db_commit_timeout = 2)"
         % (rt.t1 - rt.t0))


def log_has(text):
    try:
        with open(os.path.join(T, "log", "token.2.log"),
                  errors="replace") as f:
            return text in f.read()
    except OSError:
        return False


check("commit_wait: token.2.log says the statement was cancelled after "
      "db_commit_timeout and may be committed locally",
      wait_until(lambda: log_has("may be committed locally"), 10))
rc1, _ = pgctl(2, "start", "-w", "-t", "60")
rc2, _ = pgctl(3, "start", "-w", "-t", "60")
check("commit_wait: standbys started again and streaming",
      rc1 == 0 and rc2 == 0 and
      wait_until(lambda: streaming(PORTS[0], ("s1", "s2")), 30))
if code:
    # The cancelled commit stayed on the primary (committed locally, not
    # replicated when it was cancelled): the code is used.  Item 2 (lost
    # acknowledgements) may change this answer; never a 500.
    r2 = redeem(code, "probe")
    diag("commit_wait: the same code again: %s" % r2)
    check("commit_wait: the code of the cancelled commit, redeemed again, "
          "answers 200 or invalid_grant (never 5xx)",
          r2.status == 200 or (r2.status == 400 and
                               (r2.json() or {}).get("error") ==
                               "invalid_grant"), r2)
check("commit_wait: flows work again once a standby is back", L0.flow())

# ---- failover -----------------------------------------------------------

L = Ledger()
pre = Ledger()
check("failover: a flow before the load (its refresh token kept)",
      pre.flow() and len(pre.refresh) == 1)
n_events0 = len(events)
stop = threading.Event()


def loop():
    while not stop.is_set():
        L.flow()


threads = [threading.Thread(target=loop) for _ in range(3)]
for t in threads:
    t.start()
time.sleep(3)
t_kill = time.monotonic()
kill_postmaster(1)
time.sleep(1)
lsn = {}
for n in (2, 3):
    rc, out, _ = psql(port_of(n), "SELECT pg_wal_lsn_diff("
                      "pg_last_wal_receive_lsn(), '0/0')::bigint")
    lsn[n] = int(out) if rc == 0 and out.isdigit() else -1
new = max(lsn, key=lambda n: lsn[n])
other = 5 - new
rc, out = pgctl(new, "promote", "-w", "-t", "60")
t_prom = time.monotonic()
check("failover: pg_ctl promote of pg%d (received LSN %s, the other %s)"
      % (new, lsn[new], lsn[other]), rc == 0, out)
check("failover: pg%d re-pointed to the new primary" % other,
      append_conf(other, "primary_conninfo = 'host=127.0.0.1 port=%d "
                  "user=oidc application_name=s%d'"
                  % (port_of(new), other - 1)))
time.sleep(5)
stop.set()
for t in threads:
    t.join(60 * MULT)
check("failover: the load loops ended", not any(t.is_alive()
                                                 for t in threads))
diag("failover: promotion %.2fs after the kill" % (t_prom - t_kill))

bad = failures(n_events0)
outside = [(r, w) for r, w in bad
           if r.status != 503 or r.t1 < t_kill or r.t0 > t_prom + 2]
if bad:
    diag("failover: %d failed requests, first ended %.2fs and last "
         "started %.2fs after the kill" %
         (len(bad), min(r.t1 for r, _ in bad) - t_kill,
          max(r.t0 for r, _ in bad) - t_kill))
check("failover: every failed request is a 503 inside [kill, promotion "
      "+ 2 s] (%d failed)" % len(bad), not outside,
      "\n".join("%s %s at %.2fs" % (w, r, r.t0 - t_kill)
                for r, w in outside[:10]))
check("failover: every 503 carries Retry-After",
      all(r.header("Retry-After") for r, _ in bad if r.status == 503))
check("failover: no invalid_grant for a code redeemed once",
      not any(r.status == 400 and "invalid_grant" in r.body
              for r, w in bad if w == "token"))
# db_failover_wait at work: a worker whose request found no primary
# reconnected with a backoff until the promotion, and went on (the log
# line exists only after more than one attempt).  Client-side timing
# cannot show it: one worker per endpoint queues the requests.


def reconnected():
    n = 0
    for f in os.listdir(os.path.join(T, "log")):
        if f.endswith((".1.log", ".2.log")):
            with open(os.path.join(T, "log", f), errors="replace") as fh:
                n += fh.read().count('msg="database reconnected" tries=')
    return n


check("failover: workers waited for the new primary and reconnected "
      "(%d log lines)" % reconnected(), reconnected() > 0)
before = [x for x in L.ok_flows if x < t_kill]
after = [x for x in L.ok_flows if x > t_prom]
check("failover: flows succeeded before the kill (%d) and after the "
      "promotion (%d)" % (len(before), len(after)),
      len(before) > 0 and len(after) > 0)
lost = lost_tokens(L.tokens + pre.tokens)
check("failover: every access token answered 2xx (%d) still works at "
      "userinfo after the failover" % (len(L.tokens) + len(pre.tokens)),
      not lost, lost[:10])
# A code whose redemption failed with 503, redeemed again.
again = {}
for code, sts in list(L.codes.items()):
    if 503 in sts:
        r = redeem(code, "probe")
        again[code] = r
        sts.append(r.status)
diag("failover: codes answered 503 and redeemed again: %s" %
     sorted((r.status, (r.json() or {}).get("error")) for r in
            again.values()))
check("failover: a code redeemed again after a 503 answers 200 or "
      "invalid_grant", all(r.status == 200 or (r.status == 400 and
                                               "invalid_grant" in r.body)
                           for r in again.values()))
check("failover: no code yielded two token sets",
      all(sts.count(200) <= 1 for sts in L.codes.values()))
rt = token({"grant_type": "refresh_token",
            "refresh_token": pre.refresh[0][0]}, "refresh") \
    if pre.refresh else None
ok_refresh = rt is not None and rt.status == 200 and \
    "access_token" in (rt.json() or {})
check("failover: a refresh token from before the kill refreshes after "
      "the failover", ok_refresh, rt)
if ok_refresh:
    check("failover: the refreshed access token works at userinfo",
          userinfo(rt.json()["access_token"]).status == 200)

# ---- async_loss ---------------------------------------------------------

A = Ledger()
Bl = Ledger()
check("async_loss: pg%d streams from the new primary pg%d" % (other, new),
      wait_until(lambda: streaming(port_of(new), ("s%d" % (other - 1),)),
                 30))
check("async_loss: flows before the receiver stops",
      all(A.flow() for _ in range(3)))


check("async_loss: the standby replayed them",
      wait_until(lambda: caught_up(port_of(new), [port_of(other)]), 30))
check("async_loss: the standby's WAL receiver stopped (primary_conninfo "
      "'')", append_conf(other, "primary_conninfo = ''") and
      wait_until(lambda: psql(port_of(new), "SELECT count(*) FROM "
                              "pg_stat_replication", "postgres")[1] == "0",
                 30))
check("async_loss: flows succeed without a standby (asynchronous)",
      all(Bl.flow() for _ in range(3)))
kill_postmaster(new)
rc, out = pgctl(other, "promote", "-w", "-t", "60")
check("async_loss: the lagging standby pg%d promoted" % other, rc == 0, out)
check("async_loss: flows work on it",
      wait_until(lambda: Ledger().flow(), 20))
lostA = lost_tokens(A.tokens)
lostB = lost_tokens(Bl.tokens)
check("async_loss: tokens from before the receiver stopped survive",
      not lostA, lostA)
diag("async_loss: the loss check finds %d of %d later tokens lost: %s"
     % (len(lostB), len(Bl.tokens), lostB))
check("async_loss: the harness's loss check detects every token the "
      "asynchronous failover lost (so it can fail)",
      len(Bl.tokens) == 3 and len(lostB) == len(Bl.tokens))
done()
