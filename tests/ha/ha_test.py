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
import os
import time
import urllib.parse

from oidctest import check, diag, done
from haload import (AUTH, H2, PORTS, T, Ledger, append_conf, authorize,
                    http, kill_postmaster, lost_tokens, pgctl,
                    port_of, psql, record, redeem, streaming,
                    under_load, userinfo, wait_until)


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

roles = {}


def fault():
    """SIGKILL of pg1's postmaster; after 1 s the standby with the
    highest received LSN promoted, the other re-pointed to it."""
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
    roles.update(new=new, other=other)
    rc, out = pgctl(new, "promote", "-w", "-t", "60")
    t_prom = time.monotonic()
    check("failover: pg_ctl promote of pg%d (received LSN %s, the other %s)"
          % (new, lsn[new], lsn[other]), rc == 0, out)
    check("failover: pg%d re-pointed to the new primary" % other,
          append_conf(other, "primary_conninfo = 'host=127.0.0.1 port=%d "
                      "user=oidc application_name=s%d'"
                      % (port_of(new), other - 1)))
    return t_kill, t_prom


under_load("failover", fault)
new, other = roles["new"], roles["other"]

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
