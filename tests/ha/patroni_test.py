#!/usr/bin/env python3
"""patroni_test: the scenarios of HA tier 2 (issue 19), run by
`tests/ha/run.sh patroni` against one etcd member and three Patroni nodes
(pg1..pg3, deploy/ha/patroni.yml: synchronous_mode, ttl 10, loop_wait 1,
retry_timeout 3), two hosts of workers behind two nginx ports on the
multi-host conninfo (target_session_attrs=read-write), db_failover_wait
15.  The flow and the assertions under load are tier 1's
(tests/ha/haload.py, under_load()).

  sync         the leader has a synchronous standby
               (synchronous_standby_names names it, pg_stat_replication
               says sync), so an acknowledged commit is on two nodes.
  switchover   `patronictl switchover --leader L --candidate S --force`
               (S the synchronous standby) under load: the under_load
               assertions; S is the new leader; the old leader rejoins as
               a replica and the cluster has a synchronous standby again.
  crash        the leader's Patroni and postmaster SIGKILLed together
               under load: the under_load assertions; Patroni promotes
               the synchronous standby (and no other) once the leader key
               expired; the third node follows it and becomes its
               synchronous standby.

The windows measured (promotion after the fault, failed requests, the
longest time without a successful answer) are printed as diag lines and
summed up at the end; deploy/ha/README.md reports them.
"""
import json
import os
import signal
import subprocess
import time
import urllib.request

from oidctest import check, diag, done, env
from haload import T, kill_postmaster, psql, under_load, wait_until

REST = [int(p) for p in env("OIDC_PATRONI_REST").split(",")]
MULT = int(os.environ.get("OIDC_TEST_TIMEOUT_MULT", "1") or "1")


def cluster():
    """Patroni's view: {name: member} from the first REST port that
    answers, {} if none does."""
    for port in REST:
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/cluster" % port,
                                        timeout=2) as r:
                return {m["name"]: m for m in json.load(r)["members"]}
        except (OSError, ValueError, KeyError):
            continue
    return {}


def role(r):
    m = cluster()
    return next((n for n, x in m.items() if x.get("role") == r and
                 x.get("state") in ("running", "streaming")), None)


def node_port(name):
    """The PostgreSQL port of a member, None when Patroni does not say."""
    m = cluster().get(name) or {}
    return int(m["port"]) if "port" in m else None


def primary(port):
    rc, out, _ = psql(port, "SELECT pg_is_in_recovery()", "postgres")
    return rc == 0 and out == "f"


def healthy():
    """A leader, a sync_standby and a replica, all running."""
    m = cluster()
    return sorted(x.get("role") for x in m.values()
                  if x.get("state") in ("running", "streaming")) == \
        ["leader", "replica", "sync_standby"]


def sync_on(leader, standby):
    """The leader waits for `standby` at commit: it is named in
    synchronous_standby_names and pg_stat_replication says sync."""
    port = node_port(leader)
    if port is None:
        return False
    rc, names, _ = psql(port, "SHOW synchronous_standby_names", "postgres")
    rc2, state, _ = psql(port, "SELECT sync_state FROM pg_stat_replication "
                         "WHERE application_name = '%s'" % standby,
                         "postgres")
    return rc == 0 and rc2 == 0 and standby in names and state == "sync"


def wait_primary(port):
    """Poll until `port` accepts writes; the time it did, or None."""
    end = time.monotonic() + 60 * MULT
    while time.monotonic() < end:
        if primary(port):
            return time.monotonic()
        time.sleep(0.1)
    return None


windows = {}

# ---- sync ---------------------------------------------------------------

check("sync: the cluster has a leader, a sync_standby and a replica",
      wait_until(healthy, 60), cluster())
L0, S0 = role("leader"), role("sync_standby")
check("sync: the leader %s waits for its synchronous standby %s at commit"
      % (L0, S0), L0 and S0 and wait_until(lambda: sync_on(L0, S0), 20))

# ---- switchover ---------------------------------------------------------


def switchover():
    t0 = time.monotonic()
    p = subprocess.Popen([os.path.join(T, "bin", "patronictl"),
                          "switchover", "--leader", L0, "--candidate", S0,
                          "--force"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    t_prom = wait_primary(node_port(S0))
    try:
        out = p.communicate(timeout=60 * MULT)[0].decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        p.kill()
        out = p.communicate()[0].decode("utf-8", "replace")
    check("switchover: patronictl switchover %s -> %s" % (L0, S0),
          p.returncode == 0 and t_prom is not None, out)
    return t0, t_prom


windows["switchover"] = under_load("switchover", switchover)
check("switchover: %s is the leader" % S0,
      wait_until(lambda: role("leader") == S0, 30), cluster())
check("switchover: %s rejoined as a replica and the cluster has a "
      "synchronous standby again" % L0,
      wait_until(healthy, 60), cluster())

# ---- crash --------------------------------------------------------------

L1, S1 = role("leader"), role("sync_standby")
R1 = next((n for n in cluster() if n not in (L1, S1)), None)
check("crash: leader %s, synchronous standby %s, replica %s"
      % (L1, S1, R1), L1 and S1 and R1 and
      wait_until(lambda: sync_on(L1, S1), 20))


def crash():
    n = int(L1[2:])
    with open(os.path.join(T, "patroni%d.pid" % n)) as f:
        ppid = int(f.read())
    sport, rport = node_port(S1), node_port(R1)
    t0 = time.monotonic()
    os.kill(ppid, signal.SIGKILL)
    kill_postmaster(n)
    end = time.monotonic() + 60 * MULT
    t_prom = None
    while time.monotonic() < end and t_prom is None:
        for port in (sport, rport):
            if primary(port):
                t_prom = time.monotonic()
                break
        time.sleep(0.1)
    check("crash: a new primary within 60 s", t_prom is not None)
    check("crash: the promoted node is the synchronous standby %s" % S1,
          t_prom is not None and primary(sport) and not primary(rport))
    return t0, t_prom


windows["crash"] = under_load("crash", crash)
check("crash: Patroni names %s the leader" % S1,
      wait_until(lambda: role("leader") == S1, 30), cluster())
check("crash: %s follows %s and is its synchronous standby (commits on "
      "two nodes again)" % (R1, S1),
      wait_until(lambda: role("sync_standby") == R1 and sync_on(S1, R1),
                 60), cluster())

for name, w in windows.items():
    diag("window %s: promotion %.2fs after the fault, %d failed requests, "
         "no successful answer for %.2fs at most"
         % (name, w["promotion"], w["failed"], w["gap"]))
done()
