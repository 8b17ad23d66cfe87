#!/usr/bin/env python3
"""90-db-outage: with PostgreSQL down the workers answer 503
temporarily_unavailable quickly (no hang, no crash), and once it is back
they reconnect by themselves (issue 2 item 5: transparent reconnect, clean
503 while the database is unreachable).

Runs last (90-): it stops and restarts the cluster through $OIDC_PGCTL
(pg_ctl -D $OIDC_TMP/pgdata, as the cluster's user).  If it dies half-way,
run.sh's teardown stops whatever postmaster pgdata/postmaster.pid names.
"""
import time

from oidctest import *

# The workers are expected to log the lost connection at level=error.
expect_error_log(r"level=error.*([Dd][Bb]|[Dd]atabase|[Pp]ostgre|PQ|"
                 r"connect|connection|server closed|terminating|socket)")

c = create_client({"redirect_uris": ["https://rp.example/cb"],
                   "client_name": unique("outage"),
                   "grant_types": ["authorization_code", "client_credentials"],
                   "token_endpoint_auth_method": "client_secret_basic"})
AUTH = (c["client_id"], c["client_secret"])
AUTHZ = "/authorize?" + form_encode([
    ("client_id", c["client_id"]), ("redirect_uri", "https://rp.example/cb"),
    ("response_type", "code"), ("scope", "openid"), ("state", "s"),
    ("nonce", "n"),
    ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
    ("code_challenge_method", "S256")])


def token():
    return post_form("/token", {"grant_type": "client_credentials"},
                     auth=AUTH, timeout=15 * MULT)


def authz():
    return get(AUTHZ, timeout=15 * MULT)


HAVE_AUTHZ = have_endpoint("authorize")
if not HAVE_AUTHZ:
    check("authorize.fcgi is built (the /authorize outage checks need it)",
          False)


def up(r):
    """The worker answered from a working database."""
    return r is not None and r.status not in (500, 502, 503, 504)


# Baseline: the database is up and the worker's connection is warm.
r = token()
check("before the outage: /token is served (not 5xx)", up(r), r)
if HAVE_AUTHZ:
    r = authz()
    check("before the outage: /authorize is served (not 5xx)", up(r), r)

rc, out = pg_stop("fast")
check("pg_ctl stop -m fast", rc == 0, out)

for attempt in (1, 2):
    r = token()
    check("database down (request %d): /token answers 503 within 5 s"
          % attempt, r.status == 503 and r.elapsed < 5 * MULT,
          "%.2fs\n%s" % (r.elapsed, r.describe()))
    check("database down (request %d): /token body is JSON "
          "temporarily_unavailable" % attempt,
          is_json_error(r, "temporarily_unavailable"), r)
    check("database down (request %d): /token 503 carries no-store"
          % attempt,
          "no-store" in (r.header("Cache-Control") or "").lower(), r)
    # Issue 8: revocation and introspection answer 503, never a false 200.
    for ep in ("revoke", "introspect"):
        if have_endpoint(ep):
            r = post_form("/" + ep, {"token": "some-token"}, auth=AUTH,
                          timeout=15 * MULT)
            check("database down (request %d): /%s answers 503 "
                  "temporarily_unavailable, never a false 200"
                  % (attempt, ep), r.status == 503 and
                  is_json_error(r, "temporarily_unavailable"), r)
    if HAVE_AUTHZ:
        r = authz()
        check("database down (request %d): /authorize answers 503 within 5 s"
              % attempt, r.status == 503 and r.elapsed < 5 * MULT,
              "%.2fs\n%s" % (r.elapsed, r.describe()))
        check("database down (request %d): /authorize 503 is JSON "
              "temporarily_unavailable or an HTML page, without Location"
              % attempt,
              (is_json_error(r, "temporarily_unavailable") or
               r.content_type() == "text/html") and
              r.header("Location") is None, r)


rc, out = pg_start()
check("pg_ctl start", rc == 0, out)
t0 = time.monotonic()
r = wait_until(lambda: (lambda x: x if up(x) else None)(token()), 3 * MULT)
check("database back: /token is served again within 3 s, without a "
      "worker restart", r is not None,
      "after %.1fs still failing" % (time.monotonic() - t0))
if HAVE_AUTHZ:
    r = authz()
    check("database back: /authorize is served again", up(r), r)

# The same worker processes must still be there (spawn-fcgi -n does not
# restart a dead worker: a crash would show up as 502 here).
r = token()
check("database back: a second /token request is served", up(r), r)

done()
