#!/usr/bin/env python3
"""23-health: liveness and readiness probes (issue 20 item 11).

Every worker answers GET/HEAD /healthz (liveness: no database) and
/readyz (readiness: a database round trip, and keys loaded in a worker
that holds keys), bare or followed by its own endpoint name
(common/include/oidc/health.h).  The front end sends the bare paths to
the token worker and /healthz/<name>, /readyz/<name> to <name>'s worker,
never through the micro-cache of /jwks and discovery.

Checked, through the front end (nginx, then lighttpd):
  - /healthz, /readyz and every deployed endpoint's /healthz/<name> and
    /readyz/<name> answer 200 "ok", text/plain, Cache-Control: no-store;
    HEAD too; a POST is 405 with Allow: GET, HEAD;
  - every /readyz request reaches the worker (its log gains one
    probe=readyz line per request: nothing answers from a cache);
  - /healthz runs no statement (db=0 in the worker's log line), /readyz
    one (db=1);
  - with PostgreSQL stopped: /healthz stays 200, /readyz answers 503 "not
    ready: database" with Retry-After and no-store, twice in a row (no
    stale 200 from a cache), and so do /readyz/jwks and
    /readyz/discovery, the workers behind the micro-cache; once it is
    started again, /readyz is 200 within a bounded wait.
Straight to private token workers over FastCGI:
  - one whose database is a socket directory that does not exist:
    /healthz 200, /readyz 503 "not ready: database", the body naming
    nothing else;
  - one without signing keys (no signing_key file, no key-encryption
    key to open database keys): /readyz 503 "not ready: keys";
  - a path naming another endpoint (/readyz/jwks at the token worker) is
    not a probe.

PostgreSQL is stopped and started again through $OIDC_PGCTL (as
t/90-db-outage); a finally block starts it again if a check dies.
"""
import os
import re
import time

from oidctest import *
from hardening import spawn, check_log, private_dir

# oidctest: lighttpd

FE = env("OIDC_FRONTEND", "nginx")
# Other workers may log the lost connection when the database stops.
expect_error_log(r"level=error.*([Dd][Bb]|[Dd]atabase|[Pp]ostgre|PQ|"
                 r"connect|connection|server closed|terminating|socket)")


def no_store(r):
    return "no-store" in (r.header("Cache-Control") or "").lower()


def is_ok(r):
    return r is not None and r.status == 200 and r.body == b"ok\n" and \
        r.content_type() == "text/plain" and no_store(r)


def not_ready(r, what):
    return r is not None and r.status == 503 and \
        r.body == ("not ready: %s\n" % what).encode() and \
        r.content_type() == "text/plain" and no_store(r) and \
        (r.header("Retry-After") or "").isdigit()


def probe_lines(name, probe):
    """The msg=request lines of a harness worker's log for one probe."""
    path = os.path.join(env("OIDC_TMP"), "log", name + ".log")
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    return [l for l in text.splitlines()
            if "msg=request" in l and "probe=%s" % probe in l]


# ---- the database is up ----------------------------------------------------

for path in ("/healthz", "/readyz"):
    r = get(path)
    check("[%s] GET %s is 200 ok, text/plain, no-store" % (FE, path),
          is_ok(r), r)
    r = request("HEAD", path)
    check("[%s] HEAD %s is 200 with no body" % (FE, path),
          r.status == 200 and r.body == b"" and no_store(r), r)
r = post_form("/readyz", {"x": "1"})
check("[%s] POST /readyz is 405 with Allow: GET, HEAD" % FE,
      r.status == 405 and r.header("Allow") == "GET, HEAD", r)

for name in endpoints():
    for probe in ("healthz", "readyz"):
        r = get("/%s/%s" % (probe, name))
        check("[%s] GET /%s/%s is 200 ok from %s.fcgi" % (FE, probe, name,
                                                          name), is_ok(r), r)
r = get("/readyz/nosuch")
check("[%s] /readyz/<unknown endpoint> is not a probe (404)" % FE,
      r.status == 404, r)

# Each /readyz reaches the token worker, and only /readyz asks the
# database: its log line says db=1, /healthz's db=0.
for probe, path, db in (("readyz", "/readyz", "1"),
                        ("healthz", "/healthz", "0")):
    before = len(probe_lines("token", probe))
    rs = [get(path) for _ in range(3)]
    got = []

    def logged():
        got[:] = probe_lines("token", probe)[before:]
        return len(got) >= 3
    wait_until(logged, 5 * MULT)
    check("[%s] three GET %s in a row: three answers, three probe=%s lines "
          "in token.log (nothing cached)" % (FE, path, probe),
          all(is_ok(r) for r in rs) and len(got) == 3, "\n".join(got))
    check("[%s] %s makes %s database statement(s) (db=%s)"
          % (FE, path, db, db),
          got and all(re.search(r" db=%s( |$)" % db, l) for l in got),
          "\n".join(got))

# ---- private token workers --------------------------------------------------


def config(dirname, drop, extra):
    """$OIDC_CONFIG without the keys in drop, plus extra lines."""
    with open(env("OIDC_CONFIG")) as f:
        lines = [l for l in f.read().splitlines()
                 if l.split("=", 1)[0].strip() not in drop]
    path = os.path.join(private_dir(dirname), "oidc.conf")
    with open(path, "w") as f:
        f.write("\n".join(lines + extra) + "\n")
    os.chmod(path, 0o644)
    return path


d = "health-" + FE
nodb = spawn(d + "-nodb", "token", config(
    d + "-nodb", ("database",),
    ["database = host=%s dbname=oidc user=oidc connect_timeout=2"
     % os.path.join(env("OIDC_TMP"), "no-such-dir")]))
r = nodb.request(cgi_params("GET", "/healthz"))
check("[%s] worker without a database: /healthz is 200 ok" % FE,
      is_ok(r), r)
for path in ("/readyz", "/readyz/token"):
    r = nodb.request(cgi_params("GET", path))
    check("[%s] worker without a database: %s is 503 \"not ready: "
          "database\", Retry-After, no-store, no detail" % (FE, path),
          not_ready(r, "database"), r)
r = nodb.request(cgi_params("GET", "/readyz/jwks"))
check("[%s] /readyz/jwks at the token worker is not a probe (token's 405)"
      % FE, r is not None and r.status == 405 and
      is_json_error(r, "invalid_request"), r)
nodb.stop()
check_log(nodb.log, "[%s] private worker without a database" % FE)

nokeys = spawn(d + "-nokeys", "token", config(
    d + "-nokeys", ("signing_key", "key_encryption_key"), []))
r = nokeys.request(cgi_params("GET", "/readyz"))
check("[%s] worker without signing keys: /readyz is 503 \"not ready: "
      "keys\"" % FE, not_ready(r, "keys"), r)
r = nokeys.request(cgi_params("GET", "/healthz"))
check("[%s] worker without signing keys: /healthz is 200 ok" % FE,
      is_ok(r), r)
nokeys.stop()
check_log(nokeys.log, "[%s] private worker without keys" % FE)

# ---- the database goes down -------------------------------------------------

CACHED = [n for n in ("jwks", "discovery") if have_endpoint(n)]
# Warm: a 200 that a cache could keep.
for path in ["/readyz"] + ["/readyz/" + n for n in CACHED]:
    r = get(path)
    check("[%s] before the outage: %s is 200" % (FE, path), is_ok(r), r)

rc, out = pg_stop("fast")
check("[%s] pg_ctl stop -m fast" % FE, rc == 0, out)
try:
    for attempt in (1, 2):
        r = get("/readyz", timeout=15 * MULT)
        check("[%s] database down (request %d): /readyz is 503 \"not "
              "ready: database\" with Retry-After and no-store"
              % (FE, attempt), not_ready(r, "database"), r)
        check("[%s] database down (request %d): no cache status header"
              % (FE, attempt), r.header("X-Cache-Status") is None, r)
        for n in CACHED:
            r = get("/readyz/" + n, timeout=15 * MULT)
            check("[%s] database down (request %d): /readyz/%s is 503, "
                  "not a cached 200" % (FE, attempt, n),
                  not_ready(r, "database"), r)
        r = get("/healthz", timeout=15 * MULT)
        check("[%s] database down (request %d): /healthz is still 200 "
              "ok, at once" % (FE, attempt),
              is_ok(r) and r.elapsed < 2 * MULT,
              "%.2fs\n%s" % (r.elapsed, r.describe()))
finally:
    rc, out = pg_start()
check("[%s] pg_ctl start" % FE, rc == 0, out)

t0 = time.monotonic()
r = wait_until(lambda: (lambda x: x if is_ok(x) else None)(get("/readyz")),
               5 * MULT)
check("[%s] database back: /readyz is 200 again within 5 s, without a "
      "worker restart" % FE, r is not None,
      "after %.1fs still not ready" % (time.monotonic() - t0))
# Every worker reconnected before the next test.
for name in endpoints():
    r = wait_until(lambda: (lambda x: x if is_ok(x) else None)(
        get("/readyz/" + name)), 5 * MULT)
    check("[%s] database back: /readyz/%s is 200" % (FE, name),
          r is not None)
done()
