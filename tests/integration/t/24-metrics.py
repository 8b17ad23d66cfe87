#!/usr/bin/env python3
"""24-metrics: Prometheus metrics at /metrics (issue 20 item 12;
common/base/metrics.c, common/oidc/scrape.c, cgi-bin/metrics.c).

Every scrape is parsed with a real exposition parser (Debian's
python3-prometheus-client, prometheus_client.parser), and the counters
are checked by exact deltas between two scrapes:

  1. the document: 200, text/plain; version=0.0.4, every family with its
     type; HEAD answers no body, PUT 405;
  2. requests: 4 probes and 3 wrong methods at userinfo move
     oidc_requests_total{endpoint="userinfo"} by exactly 4 (200) and 3
     (405), and its latency histogram by 7; every histogram is
     consistent (cumulative buckets, +Inf == _count, _sum >= 0);
  3. logins: 3 wrong passwords, then the right one: failed +3, ok +1;
  4. tokens: the code redeemed, refreshed once, 2 client_credentials
     grants: authorization_code +1, refresh_token +1, client_credentials
     +2;
  5. database: PostgreSQL restarted under the token worker, then one
     request: oidc_db_retries_total +1 and errors{kind="unavailable"} +1
     (the dead idle connection, retried once on a fresh one);
  6. key ages: a database key activated now shows as
     oidc_signing_key_age_seconds{kid=...} between 0 and the time since;
  7. access: REMOTE_ADDR 192.0.2.7 gets 403 access_denied (default
     metrics_allow: loopback), ::1 gets 200; a private metrics.fcgi with
     metrics_allow = 192.0.2.0/24 answers 192.0.2.7 and refuses
     127.0.0.1;
  8. pages: in a private metrics_dir, a private jwks.fcgi shows as
     oidc_workers{endpoint="jwks"} 1; once it is stopped its page is
     skipped (oidc_metrics_pages_skipped), and the next worker to start
     removes it; a file that is not a page is skipped;
  9. sandbox = yes: a sandboxed metrics.fcgi still reads the directory
     (getdents64, read-only opens and fcntl locks are allowed).
"""
# oidctest: lighttpd
import os
import secrets
import sys
import time

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    # A pyenv or venv python3 may lack the Debian package: use the system
    # one; without the package the test fails (scripts/deps.sh installs it).
    if sys.executable != "/usr/bin/python3" and os.path.exists(
            "/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    print("not ok - prometheus_client is not installed "
          "(apt install python3-prometheus-client)")
    sys.exit(1)

from oidctest import *
from flow import *
from hardening import private_config, private_dir, spawn, check_log

FE = env("OIDC_FRONTEND", "nginx")


def parse(text):
    """{family name: family} and {(sample name, frozenset labels): value}."""
    fams, samples = {}, {}
    for f in text_string_to_metric_families(text):
        fams[f.name] = f
        for s in f.samples:
            samples[(s.name, frozenset(s.labels.items()))] = s.value
    return fams, samples


def scrape():
    r = get("/metrics")
    if r.status != 200:
        raise RuntimeError("GET /metrics: %d %r" % (r.status, r.body[:300]))
    return parse(r.body.decode())


def val(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0.0)


def delta(a, b, name, **labels):
    return val(b[1], name, **labels) - val(a[1], name, **labels)


# ---- 1. the document ----------------------------------------------------------

r = get("/metrics")
check("[%s] GET /metrics: 200 text/plain; version=0.0.4" % FE,
      r.status == 200 and (r.header("Content-Type") or "").startswith(
          "text/plain; version=0.0.4"), r)
fams, samples = parse(r.body.decode())
want = {"oidc_requests": "counter",
        "oidc_request_duration_seconds": "histogram",
        "oidc_logins": "counter", "oidc_tokens_issued": "counter",
        "oidc_db_errors": "counter", "oidc_db_retries": "counter",
        "oidc_workers": "gauge", "oidc_signing_key_age_seconds": "gauge",
        "oidc_metrics_pages_skipped": "gauge"}
check("[%s] the parser finds every family with its type" % FE,
      all(n in fams and fams[n].type == t for n, t in want.items()),
      {n: getattr(fams.get(n), "type", None) for n in want})
live = {dict(l)["endpoint"] for (n, l) in samples if n == "oidc_workers"}


def live_endpoints():
    """The endpoints /metrics counts live workers of, once every harness
    endpoint is there (a worker another test restarted writes its page
    when it starts: wait for that, bounded)."""
    r = get("/metrics")
    if r.status != 200:
        return None
    got = {dict(l)["endpoint"] for (n, l) in parse(r.body.decode())[1]
           if n == "oidc_workers"}
    return got if set(endpoints()) <= got else None


live = wait_until(live_endpoints, 10 * MULT) or live
check("[%s] oidc_workers lists every harness endpoint" % FE,
      set(endpoints()) <= live, (sorted(live), endpoints()))
r = request("HEAD", "/metrics")
check("[%s] HEAD /metrics: 200 without a body" % FE,
      r.status == 200 and r.body == b"", r)
r = request("PUT", "/metrics")
check("[%s] PUT /metrics: 405 JSON" % FE, r.status == 405 and
      is_json_error(r, "invalid_request"), r)

# ---- 2. requests and latency --------------------------------------------------

m0 = scrape()
for i in range(4):
    get("/healthz/userinfo")
for i in range(3):
    request("PUT", "/userinfo")
m1 = scrape()
d200 = delta(m0, m1, "oidc_requests_total", endpoint="userinfo", code="200")
d405 = delta(m0, m1, "oidc_requests_total", endpoint="userinfo", code="405")
check("[%s] 4 probes, 3 wrong methods: userinfo 200 +4, 405 +3" % FE,
      (d200, d405) == (4, 3), (d200, d405))
dc = delta(m0, m1, "oidc_request_duration_seconds_count",
           endpoint="userinfo")
dinf = delta(m0, m1, "oidc_request_duration_seconds_bucket",
             endpoint="userinfo", le="+Inf")
check("[%s] userinfo latency histogram: _count +7, +Inf bucket +7" % FE,
      (dc, dinf) == (7, 7), (dc, dinf))


def histograms_consistent(m):
    bad = []
    fam = m[0]["oidc_request_duration_seconds"]
    by_ep = {}
    for s in fam.samples:
        by_ep.setdefault(s.labels["endpoint"], []).append(s)
    for ep, ss in by_ep.items():
        buckets = sorted(((float(s.labels["le"]), s.value) for s in ss
                          if s.name.endswith("_bucket")))
        count = [s.value for s in ss if s.name.endswith("_count")]
        total = [s.value for s in ss if s.name.endswith("_sum")]
        vals = [v for _, v in buckets]
        if vals != sorted(vals) or buckets[-1][0] != float("inf") or \
                count != [buckets[-1][1]] or not total or total[0] < 0:
            bad.append((ep, buckets, count, total))
    return bad, sorted(by_ep)


bad, eps = histograms_consistent(m1)
check("[%s] every histogram is cumulative, +Inf == _count, _sum >= 0 "
      "(%s)" % (FE, " ".join(eps)), not bad and "userinfo" in eps, bad)

# ---- 3. logins ----------------------------------------------------------------

USER = unique("met-user")
PW = "pw-" + secrets.token_hex(8)
make_user(USER, PW)
client = make_client(response_types=["code"],
                     grant_types=["authorization_code", "refresh_token",
                                  "client_credentials"],
                     scope="openid offline_access api")
verifier, challenge = pkce_pair()
m0 = scrape()
b = Browser()
r = b.authorize({"client_id": client["client_id"],
                 "redirect_uri": client["redirect_uris"][0],
                 "response_type": "code",
                 "scope": "openid offline_access", "prompt": "consent",
                 "code_challenge": challenge,
                 "code_challenge_method": "S256", "state": "s1"})
for i in range(3):
    r = b.login(r, USER, "wrong-" + secrets.token_hex(4))
r = b.login(r, USER, PW)
for _ in range(3):
    if classify(r) != "consent":
        break
    r = b.consent(r, "allow")
res = parse_response(r, client["redirect_uris"][0]) or {}
m1 = scrape()
dfail = delta(m0, m1, "oidc_logins_total", result="failed")
dok = delta(m0, m1, "oidc_logins_total", result="ok")
check("[%s] 3 wrong passwords, then the right one: logins failed +3, "
      "ok +1" % FE, (dfail, dok) == (3, 1), (dfail, dok, res))

# ---- 4. tokens ----------------------------------------------------------------

m0 = scrape()
t = redeem(client, res.get("code", "none"), verifier=verifier)
tj = t.json() or {}
t2 = post_form("/token", {"grant_type": "refresh_token",
                          "refresh_token": tj.get("refresh_token", "x")},
               auth=(client["client_id"], client["client_secret"]))
cc = [post_form("/token", {"grant_type": "client_credentials",
                           "scope": "api"},
                auth=(client["client_id"], client["client_secret"])).status
      for i in range(2)]
m1 = scrape()
d = tuple(delta(m0, m1, "oidc_tokens_issued_total", grant=g) for g in
          ("authorization_code", "refresh_token", "client_credentials",
           "implicit"))
check("[%s] code, refresh, 2 client_credentials: tokens by grant "
      "+1 +1 +2, implicit +0" % FE, d == (1, 1, 2, 0) and
      t.status == 200 and t2.status == 200 and cc == [200, 200],
      (d, t.status, t2.status, cc))

# ---- 5. database errors and retries -------------------------------------------

if FE == "nginx":
    post_form("/token", {"grant_type": "client_credentials", "scope": "api"},
              auth=(client["client_id"], client["client_secret"]))
    m0 = scrape()
    rc1, out1 = pg_stop()
    rc2, out2 = pg_start()
    r = post_form("/token", {"grant_type": "client_credentials",
                             "scope": "api"},
                  auth=(client["client_id"], client["client_secret"]))
    m1 = scrape()
    dr = delta(m0, m1, "oidc_db_retries_total")
    du = delta(m0, m1, "oidc_db_errors_total", kind="unavailable")
    de = delta(m0, m1, "oidc_db_errors_total", kind="error")
    check("PostgreSQL restarted, one token request: 200, retries +1, "
          "unavailable +1, error +0", rc1 == 0 and rc2 == 0 and
          r.status == 200 and (dr, du, de) == (1, 1, 0),
          (rc1, out1, rc2, out2, r.status, dr, du, de))

# ---- 6. key ages --------------------------------------------------------------

if FE == "nginx":
    t0 = time.time()
    rc, k, err = ctl_json("key", "generate", "--alg", "ES256",
                          "--activate-now")
    kid = k.get("kid") if rc == 0 and isinstance(k, dict) else None
    m = scrape()
    age = m[1].get(("oidc_signing_key_age_seconds",
                    frozenset({"kid": kid, "alg": "ES256"}.items())))
    check("an active database key: oidc_signing_key_age_seconds{kid,alg} "
          "in 0..time since", kid is not None and age is not None and
          0 <= age <= time.time() - t0 + 2, (rc, k, err, age))
    if kid:
        psql("DELETE FROM signing_key WHERE kid = '%s'" % kid)
        check("the deleted key leaves /jwks", wait_until(
            lambda: kid not in get("/jwks").body.decode(), 10 * MULT))

# ---- 7. access ----------------------------------------------------------------

if FE == "nginx":
    def direct(remote, worker=None):
        p = cgi_params("GET", "/metrics", extra={"REMOTE_ADDR": remote})
        if worker is not None:
            return worker.request(p, timeout=10 * MULT)
        return fcgi_request("metrics", p, timeout=10 * MULT)

    r = direct("192.0.2.7")
    check("REMOTE_ADDR 192.0.2.7 (default metrics_allow): 403 "
          "access_denied, no counters", r is not None and r.status == 403
          and is_json_error(r, "access_denied") and
          b"oidc_requests_total" not in r.body, r)
    r = direct("::1")
    check("REMOTE_ADDR ::1 (default metrics_allow): 200", r is not None
          and r.status == 200 and b"oidc_requests_total" in r.body, r)
    conf = private_config("metallow", [
        "metrics_allow = 192.0.2.0/24",
        "metrics_dir = " + env("OIDC_RUNDIR")])
    w = spawn("metallow", "metrics", conf)
    r1, r2 = direct("192.0.2.7", w), direct("127.0.0.1", w)
    check("metrics_allow = 192.0.2.0/24: 192.0.2.7 200, 127.0.0.1 403",
          r1 is not None and r2 is not None and r1.status == 200 and
          r2.status == 403 and is_json_error(r2, "access_denied"),
          (r1, r2))
    w.stop()
    check_log(w.log, "private metrics.fcgi (metrics_allow)")

# ---- 8. pages of workers gone -------------------------------------------------

if FE == "nginx":
    d = private_dir("metpages")
    md = os.path.join(d, "pages")
    os.makedirs(md, exist_ok=True)
    os.chmod(md, 0o777)
    conf = private_config("metpages", ["metrics_dir = " + md])
    m = spawn("metpages", "metrics", conf)
    j = spawn("metpages", "jwks", conf)
    # After the workers started (a starting worker removes it).
    with open(os.path.join(md, "junk.metrics"), "w") as f:
        f.write("not a page")

    def pscrape():
        r = m.request(cgi_params("GET", "/metrics"), timeout=10 * MULT)
        if r is None or r.status != 200:
            raise RuntimeError("private /metrics: %r" % (r,))
        return parse(r.body.decode())[1]

    # The page appears once the worker has loaded its configuration and
    # keys (after its socket): a bounded wait.
    jfile = os.path.join(md, "jwks.%d.metrics" % j.pid)
    wait_until(lambda: os.path.exists(jfile), 10 * MULT)
    s = pscrape()
    check("a private jwks.fcgi: its page, oidc_workers{jwks} 1, the junk "
          "file skipped", os.path.exists(jfile) and
          val(s, "oidc_workers", endpoint="jwks") == 1 and
          val(s, "oidc_metrics_pages_skipped") == 1,
          (sorted(os.listdir(md)), s.get(("oidc_workers", frozenset(
              {"endpoint": "jwks"}.items())))))
    j.stop()
    s = pscrape()
    check("the jwks worker stopped: its page is skipped, not counted",
          os.path.exists(jfile) and
          val(s, "oidc_workers", endpoint="jwks") == 0 and
          val(s, "oidc_metrics_pages_skipped") == 2,
          sorted(os.listdir(md)))
    j2 = spawn("metpages", "jwks", conf)
    wait_until(lambda: os.path.exists(os.path.join(
        md, "jwks.%d.metrics" % j2.pid)), 10 * MULT)
    s = pscrape()
    check("the next worker removed the stale pages and counts alone",
          not os.path.exists(jfile) and
          not os.path.exists(os.path.join(md, "junk.metrics")) and
          val(s, "oidc_workers", endpoint="jwks") == 1 and
          val(s, "oidc_metrics_pages_skipped") == 0,
          sorted(os.listdir(md)))
    j2.stop()
    m.stop()
    check_log(m.log, "private metrics.fcgi (pages)")

# ---- 9. inside the sandbox ----------------------------------------------------

if FE == "nginx":
    from hardening import proc_status
    conf = private_config("metsbx", ["sandbox = yes",
                                     "metrics_dir = " + env("OIDC_RUNDIR")])
    w = spawn("metsbx", "metrics", conf)
    r = w.request(cgi_params("GET", "/metrics"), timeout=10 * MULT)
    fams, samples = parse(r.body.decode()) if r is not None and \
        r.status == 200 else ({}, {})
    st = proc_status(w.pid)
    check("sandbox = yes: metrics.fcgi (Seccomp 2) lists, opens and reads "
          "the pages, and lives", st.get("Seccomp") == "2" and
          val(samples, "oidc_workers", endpoint="token") >= 1 and
          w.alive(), (st.get("Seccomp"), r, w.proc.poll()))
    w.stop()
    check_log(w.log, "sandboxed metrics.fcgi")

done()
