#!/usr/bin/env python3
"""soak.py: the soak driver (issue 10).  Run by tests/integration/t/99-soak.py
inside the integration stack (tests/soak/soak.sh sets that up); not part of
`make test`.

Sends OIDC_SOAK_REQUESTS (default 100000) requests through nginx from
OIDC_SOAK_THREADS (default 8) keep-alive connections, in cycles of ten:

  GET discovery, GET jwks, POST /token client_credentials,
  GET /userinfo (valid token), GET /authorize with a session (302 + code),
  POST /token redeeming that code (ID Token signed), and four errors:
  /userinfo with a bad token (401), /token with a bad grant (400),
  /authorize with a duplicated parameter (400), an unknown path (404).

Samples VmRSS of every worker process (/proc/<pid>/status; the binaries of
$OIDC_BUILD/cgi-bin) before, after the warm-up (the first 10 %), at every
10 % and at the end, and prints one row per worker.  "Flat" means the RSS
at the end is at most max(1 MiB, 2 %) above the RSS after warm-up.
Prints "ok - ..." / "not ok - ..." lines (TAP, read by run.sh).
"""
import http.client
import os
import sys
import threading
import time
import urllib.parse

from oidctest import *
from flow import RP, make_client, make_user, run_flow, parse_response

N = int(os.environ.get("OIDC_SOAK_REQUESTS", "100000"))
THREADS = int(os.environ.get("OIDC_SOAK_THREADS", "8"))
BUILD = env("OIDC_BUILD")


def workers():
    out = {}
    cgi = os.path.join(BUILD, "cgi-bin")
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            cmd = open("/proc/%s/cmdline" % d, "rb").read().split(b"\0")
        except OSError:
            continue
        try:
            envb = open("/proc/%s/environ" % d, "rb").read().split(b"\0")
        except OSError:
            continue
        # Only this stack's workers (other stacks may share the build).
        if ("OIDC_CONFIG=" + env("OIDC_CONFIG")).encode() not in envb:
            continue
        for a in cmd:
            a = a.decode(errors="replace")
            if a.startswith(cgi + "/") and a.endswith(".fcgi"):
                out[int(d)] = os.path.basename(a)[:-5]
                break
    return out


def rss_kib(pid):
    try:
        for line in open("/proc/%d/status" % pid):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


c = make_client(response_types=["code"], first_party=True,
                grant_types=["authorization_code", "client_credentials"])
AUTH = basic_auth(c["client_id"], c["client_secret"])
user, pw = unique("soak"), "soak-password-1"
make_user(user, pw, {"email": user + "@example.org"})
res = run_flow(c, user, pw, {"response_type": "code", "state": "s",
                             "nonce": "n"})
br = res["_browser"]
SESSION = "; ".join("%s=%s" % kv for kv in br.cookies.items())
r = post_form("/token", {"grant_type": "authorization_code",
                         "code": res["code"], "redirect_uri": RP},
              auth=(c["client_id"], c["client_secret"]))
AT = (r.json() or {}).get("access_token", "x")
AUTHZ = "/authorize?" + urllib.parse.urlencode(
    {"client_id": c["client_id"], "redirect_uri": RP,
     "response_type": "code", "scope": "openid email", "state": "s",
     "nonce": "n"})
FORM = "application/x-www-form-urlencoded"

PIDS = workers()
samples = []            # (requests done, {pid: rss})


def sample(done_):
    samples.append((done_, {p: rss_kib(p) for p in PIDS}))


lock = threading.Lock()
counts = {"done": 0, "unexpected": 0, "by_status": {}, "errors": []}
marks = [N * k // 10 for k in range(1, 11)]


def one(conn, i, state):
    k = i % 10
    hdr = {"Host": "127.0.0.1"}
    if k == 0:
        conn.request("GET", "/.well-known/openid-configuration", None, hdr)
        want = (200,)
    elif k == 1:
        conn.request("GET", "/jwks", None, hdr)
        want = (200,)
    elif k == 2:
        conn.request("POST", "/token", "grant_type=client_credentials",
                     dict(hdr, Authorization=AUTH, **{"Content-Type": FORM}))
        want = (200,)
    elif k == 3:
        conn.request("GET", "/userinfo", None,
                     dict(hdr, Authorization="Bearer " + AT))
        want = (200,)
    elif k == 4:
        conn.request("GET", AUTHZ, None, dict(hdr, Cookie=SESSION))
        want = (302,)
    elif k == 5:
        body = urllib.parse.urlencode({"grant_type": "authorization_code",
                                       "code": state.get("code", "none"),
                                       "redirect_uri": RP})
        conn.request("POST", "/token", body,
                     dict(hdr, Authorization=AUTH, **{"Content-Type": FORM}))
        want = (200,) if state.get("code") else (400,)
    elif k == 6:
        conn.request("GET", "/userinfo", None,
                     dict(hdr, Authorization="Bearer not-a-token"))
        want = (401,)
    elif k == 7:
        conn.request("POST", "/token", "grant_type=password", dict(
            hdr, Authorization=AUTH, **{"Content-Type": FORM}))
        want = (400,)
    elif k == 8:
        conn.request("GET", AUTHZ + "&state=dup", None, hdr)
        want = (400,)
    else:
        conn.request("GET", "/no-such-path", None, hdr)
        want = (404,)
    resp = conn.getresponse()
    data = resp.read()
    if k == 4:
        loc = resp.getheader("Location") or ""
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)
        state["code"] = q.get("code", [None])[0]
    if k == 5:
        state.pop("code", None)
    return resp.status, resp.status in want, data


def worker(tid):
    conn = http.client.HTTPConnection(
        urllib.parse.urlsplit(ISSUER).hostname,
        urllib.parse.urlsplit(ISSUER).port, timeout=30 * MULT)
    state = {}
    i = tid * 10          # every thread walks whole cycles
    while True:
        with lock:
            if counts["done"] >= N:
                break
            counts["done"] += 1
            n = counts["done"]
        try:
            st, good, data = one(conn, i, state)
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            st, good, data = None, False, repr(e).encode()
        with lock:
            counts["by_status"][st] = counts["by_status"].get(st, 0) + 1
            if not good:
                counts["unexpected"] += 1
                if len(counts["errors"]) < 10:
                    counts["errors"].append((i % 10, st, data[:200]))
            if n in marks:
                sample(n)
        i += 1
    conn.close()


sample(0)
t0 = time.monotonic()
ths = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
for t in ths:
    t.start()
for t in ths:
    t.join()
elapsed = time.monotonic() - t0
time.sleep(1)
sample(-1)

diag("%d requests in %.1f s (%.0f/s), %d threads; statuses %s" % (
    counts["done"], elapsed, counts["done"] / elapsed, THREADS,
    dict(sorted(counts["by_status"].items(), key=lambda kv: str(kv[0])))))
check("soak: %d requests, every answer the expected one (%d unexpected)"
      % (counts["done"], counts["unexpected"]),
      counts["unexpected"] == 0, counts["errors"])
check("soak: no 5xx", not any(s and s >= 500
                              for s in counts["by_status"]),
      counts["by_status"])

# RSS: warm-up = the 10 % mark.
warm = next((s for s in samples if s[0] == marks[0]), samples[0])[1]
end = samples[-1][1]
diag("%-12s %7s %9s %9s %9s %9s  (VmRSS KiB)" % (
    "worker", "pid", "start", "warm-up", "max", "end"))
flat_all = True
for pid, name in sorted(PIDS.items(), key=lambda kv: kv[1]):
    seq = [s[1].get(pid) for s in samples]
    if None in seq:
        check("soak: %s (pid %d) stayed alive" % (name, pid), False, seq)
        flat_all = False
        continue
    growth = end[pid] - warm[pid]
    flat = growth <= max(1024, warm[pid] * 0.02)
    flat_all = flat_all and flat
    diag("%-12s %7d %9d %9d %9d %9d  %+d%s" % (
        name, pid, seq[0], warm[pid], max(seq), end[pid], growth,
        "" if flat else "  GROWING"))
if os.environ.get("OIDC_TEST_VALGRIND") == "1":
    # The RSS is valgrind's: its code cache grows with every new path.
    skip("soak: every worker's RSS flat after warm-up", "under valgrind "
         "(tests/soak/valgrind.sh): the leak check is valgrind's")
else:
    check("soak: every worker's RSS flat after warm-up (end <= warm-up + "
          "max(1 MiB, 2 %))", flat_all)
done()
