#!/usr/bin/env python3
"""97-disk-full: a real disk full under load (issue 10, "Faults": disk
full or a read-only database, a clear 503 and no corruption; the read-only
database is in t/92-faults).

As root, a tmpfs of a few MiB is mounted on $OIDC_TMP/diskfull, owned by
the cluster's OS user (the owner of $OIDC_PGDATA), and made the tablespace
oidc_t97_full; every table a login and a code flow write (TABLES) moves
there with its indexes (ALTER TABLE/INDEX ... SET TABLESPACE, then
VACUUM FULL so that no room is left inside their pages).  THREADS
clients run whole flows (authorize with a login, authorize with the
session, code redemption, userinfo, client_credentials) while a filler
table fills the tablespace until PostgreSQL reports SQLSTATE 53100
(disk_full); it stays full for FULL_SECONDS and until token has answered
a 503 (at most 30 s more), then the filler is dropped.  (A code flow's
/authorize writes nothing with sealed codes, issue 16, so only its
logins can meet the full disk; they are counted, not required.)

Checked:
  - every answer, before, during and after the full period, is a success
    or a 503 with a JSON error temporarily_unavailable or server_error
    (for /authorize: that, or the HTML error page, without Location, as in
    t/90-db-outage), in under 5 s; never another status, never a hang (the
    client times out after 10 s) or a dropped connection;
  - the disk was really full: the probe insert gets 53100, writes were
    refused with 503 while it lasted, and the workers logged 53100;
  - service is back within 2 s of the drop (a token and a code);
  - every code and token handed out works afterwards: each code redeems,
    each access token reaches userinfo, each refresh and client_credentials
    token introspects active (nothing was handed out uncommitted), and
    every token from a code has its code consumed;
  - every table reads in full, and amcheck (verify_heapam, bt_index_check
    with heapallindexed) finds nothing, when the extension is available.

A finally block (also run on the SIGTERM of run.sh's timeout) moves every
relation back to pg_default, drops the tablespace and unmounts the tmpfs,
so later tests are unaffected.  Without root, or when mount fails, the
test is skipped.
"""
import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time

from oidctest import *
from flow import (Browser, RP, classify, make_client, make_user, new_nonce,
                  parse_response, redeem)

# The workers log every refused write at level=error (SQLSTATE 53100).
expect_error_log(r"level=error.*(53100|could not extend|[Nn]o space left)")

TABLES = ["login_session", "consent", "auth_code", "used_code", "token",
          "session_client", "used_nonce", "used_jti", "login_failure",
          "backchannel_delivery"]
SPACE = "oidc_t97_full"
FILLER = "t97_filler"
THREADS = 3
FULL_SECONDS = 5
AFTER_SECONDS = 2
MNT = os.path.join(env("OIDC_TMP"), "diskfull")
PSQL = os.path.join(os.environ.get("OIDC_PGBIN", ""), "psql") \
    if os.environ.get("OIDC_PGBIN") else "psql"


def sql(stmt):
    """Run stmt as the superuser (one transaction unless it holds a
    statement that cannot run in one); (ok, output or error text,
    SQLSTATE of the error or None)."""
    p = subprocess.run([PSQL, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                        "-v", "VERBOSITY=verbose",
                        "-h", env("OIDC_PGHOST"),
                        "-U", env("OIDC_PGUSER", "oidc"),
                        "-d", env("OIDC_PGDATABASE", "oidc"), "-c", stmt],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=dict(os.environ, PGOPTIONS="-c lock_timeout=20s"),
                       timeout=60 * MULT)
    if p.returncode == 0:
        return True, p.stdout.decode().strip(), None
    err = p.stderr.decode(errors="replace").strip()
    m = re.search(r"ERROR:\s+([0-9A-Z]{5}):", err)
    return False, err, m.group(1) if m else None


def cmd(*argv):
    p = subprocess.run(list(argv), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=30 * MULT)
    return p.returncode, p.stdout.decode(errors="replace").strip()


# ---- what an answer may be -------------------------------------------------

def verdict(ep, r):
    """None if r is an acceptable answer of endpoint ep, else why not."""
    if r.status == 503:
        if ep == "authorize":
            ok = (is_json_error(r, "temporarily_unavailable") or
                  is_json_error(r, "server_error") or
                  r.content_type() == "text/html") and \
                r.header("Location") is None
        else:
            ok = is_json_error(r, "temporarily_unavailable") or \
                is_json_error(r, "server_error")
        if not ok:
            return "a 503 without the expected error body"
        if r.elapsed >= 5 * MULT:
            return "a 503 after %.1f s" % r.elapsed
        return None
    if ep == "authorize":
        if r.status == 200 and r.content_type() == "text/html":
            return None                 # the login page
        if r.status in (302, 303):
            loc = r.header("Location") or ""
            if loc.startswith("/") or loc.startswith(ISSUER + "/"):
                return None             # to the login page and back
            res = parse_response(r, RP)
            if res is not None and res.get("code") and "error" not in res:
                return None
            return "a redirect to the client without a code"
        return "HTTP %d" % r.status
    if r.status != 200:
        return "HTTP %d" % r.status
    if ep == "token" and not (r.json() or {}).get("access_token"):
        return "a 200 without access_token"
    return None


class Traffic:
    """Every answer, and every code and token handed out."""

    def __init__(self):
        self.lock = threading.Lock()
        self.answers = []       # (start, endpoint, status or None, why)
        self.codes = {}         # code -> True once redeemed
        self.tokens = []        # (kind, value)
        self.stop = threading.Event()

    def note(self, ep, r, start=None):
        if start is None:
            start = time.monotonic() - r.elapsed
        with self.lock:
            self.answers.append((start, ep, r.status, verdict(ep, r),
                                 r.describe()))

    def note_exc(self, ep, start, e):
        with self.lock:
            self.answers.append((start, ep, None, "no answer after %.1f s: "
                                 "%s: %s" % (time.monotonic() - start,
                                             type(e).__name__, e), ""))

    def call(self, ep, fn, *args):
        """fn(*args) -> Response, noted; None on no answer."""
        t0 = time.monotonic()
        try:
            r = fn(*args)
        except (OSError, http.client.HTTPException) as e:
            self.note_exc(ep, t0, e)
            return None
        self.note(ep, r, t0)
        return r

    def front(self, b, user, pw):
        """One authorization request in browser b (with a login when the
        login page comes); the code handed out, or None."""
        n = len(b.history)
        t0 = time.monotonic()
        try:
            r = b.authorize({"client_id": c["client_id"], "redirect_uri": RP,
                             "response_type": "code", "scope": "openid",
                             "state": "s", "nonce": new_nonce()})
            if classify(r) == "login":
                r = b.login(r, user, pw)
        except (OSError, http.client.HTTPException) as e:
            for x in b.history[n:]:
                self.note("authorize", x)
            self.note_exc("authorize", t0, e)
            return None
        for x in b.history[n:]:
            self.note("authorize", x)
        res = parse_response(r, RP)
        code = res.get("code") if res is not None else None
        if code:
            with self.lock:
                self.codes[code] = False
        return code

    def back(self, code):
        """Redeem code; userinfo with its access token."""
        r = self.call("token", redeem, c, code)
        if r is None or r.status != 200:
            return
        j = r.json() or {}
        with self.lock:
            self.codes[code] = True
            self.tokens.append(("access", j.get("access_token")))
            if j.get("refresh_token"):
                self.tokens.append(("refresh", j["refresh_token"]))
        self.call("userinfo", get, "/userinfo",
                  [("Authorization", "Bearer %s" % j.get("access_token"))])

    def cc(self):
        r = self.call("token", post_form, "/token",
                      {"grant_type": "client_credentials"}, None, AUTH)
        if r is not None and r.status == 200:
            with self.lock:
                self.tokens.append(("cc", (r.json() or {})["access_token"]))
        return r

    def client(self, user, pw):
        while not self.stop.is_set():
            t0 = time.monotonic()
            try:
                b = Browser()
                code = self.front(b, user, pw)         # login + code
                if code:
                    self.back(code)
                if "oidc_session" in b.cookies:
                    code = self.front(b, user, pw)     # the session: a code
                    if code:
                        self.back(code)
                self.cc()
            except Exception as e:      # a failure too, not a dead thread
                with self.lock:
                    self.answers.append((t0, "client", None, "%s: %s" % (
                        type(e).__name__, e), ""))
                time.sleep(0.1)


# ---- set-up ----------------------------------------------------------------

# Not a skip: a run that cannot fill a disk fails (run.sh as root).
if not check("disk_full: the harness runs as root (it mounts a tmpfs)",
             os.geteuid() == 0, os.geteuid()):
    done()

c = make_client(response_types=["code"], first_party=True,
                grant_types=["authorization_code", "refresh_token",
                             "client_credentials"])
AUTH = (c["client_id"], c["client_secret"])
user, pw = unique("full-user"), "disk-full-pass-1"
make_user(user, pw)
tr = Traffic()
threads = []
st = os.stat(env("OIDC_PGDATA"))
LOGS = [os.path.join(env("OIDC_TMP"), "log", n + ".log")
        for n in ("authorize", "token")]
log_at = {f: os.path.getsize(f) if os.path.exists(f) else 0 for f in LOGS}
state = {"mounted": False, "space": False, "amcheck": False}


def on_term(signum, frame):
    sys.exit(128 + signum)     # run the finally block


signal.signal(signal.SIGTERM, on_term)


def cleanup():
    """Stop the clients, put every relation back on pg_default, drop the
    tablespace, unmount.  Each step is tried whatever the others did."""
    tr.stop.set()
    for t in threads:
        t.join(30 * MULT)
    if state["space"]:
        sql("DROP TABLE IF EXISTS %s" % FILLER)
        ok1, out1, _ = sql("ALTER TABLE ALL IN TABLESPACE %s SET "
                           "TABLESPACE pg_default" % SPACE)
        ok2, out2, _ = sql("ALTER INDEX ALL IN TABLESPACE %s SET "
                           "TABLESPACE pg_default" % SPACE)
        check("clean-up: every table and index is back on pg_default",
              ok1 and ok2, out1 + "\n" + out2)
        if state["amcheck"]:
            sql("DROP EXTENSION IF EXISTS amcheck")
        ok, out, _ = sql("DROP TABLESPACE %s" % SPACE)
        check("clean-up: DROP TABLESPACE %s" % SPACE, ok, out)
    if state["mounted"]:
        # The tablespace's last files close when PostgreSQL's processes
        # take the barrier DROP TABLESPACE sends; give them a moment.
        rc, out = 1, ""
        for _ in range(50):
            rc, out = cmd("umount", MNT)
            if rc == 0:
                break
            time.sleep(0.1)
        if rc != 0:
            diag("umount %s: %s; detaching it lazily" % (MNT, out))
            rc, out = cmd("umount", "-l", MNT)
        check("clean-up: the tmpfs is unmounted", rc == 0, out)
    try:
        os.rmdir(MNT)
    except OSError:
        pass


try:
    os.makedirs(MNT, exist_ok=True)
    ok, used, _ = sql("SELECT sum(pg_total_relation_size(t)) FROM "
                      "unnest(ARRAY[%s]::regclass[]) t"
                      % ", ".join("'%s'" % t for t in TABLES))
    used = int(used or 0) if ok else 0
    # Room for the tables twice (VACUUM FULL below), plus 4 MiB for the
    # filler.
    size_mib = (2 * used + (1 << 20) - 1) // (1 << 20) + 4
    rc, out = cmd("mount", "-t", "tmpfs", "-o",
                  "size=%dm,mode=0700,uid=%d,gid=%d"
                  % (size_mib, st.st_uid, st.st_gid), "oidc-t97", MNT)
    if not check("disk_full: mount -t tmpfs on $OIDC_TMP/diskfull", rc == 0,
                 out):
        done()
    state["mounted"] = True
    ok, out, _ = sql("CREATE TABLESPACE %s LOCATION '%s'" % (SPACE, MNT))
    check("a %d MiB tmpfs on $OIDC_TMP/diskfull is the tablespace %s"
          % (size_mib, SPACE), ok, out)
    state["space"] = ok
    ok, idx, _ = sql("SELECT string_agg(indexrelid::regclass::text, ' ') "
                     "FROM pg_index WHERE indrelid = ANY(ARRAY[%s]::"
                     "regclass[])" % ", ".join("'%s'" % t for t in TABLES))
    moves = ["ALTER TABLE %s SET TABLESPACE %s" % (t, SPACE) for t in TABLES]
    moves += ["ALTER INDEX %s SET TABLESPACE %s" % (i, SPACE)
              for i in idx.split()]
    ok, out, _ = sql("; ".join(moves))
    check("%s and their %d indexes moved to %s (%d KiB)"
          % (", ".join(TABLES), len(idx.split()), SPACE, used // 1024),
          ok, out)
    # Compacted, and without a free space map: earlier tests leave room
    # in the tables' pages (and a map of it) where new rows would still
    # fit with the disk full; now a row that does not fit in the last
    # page needs a new page or map page, as on a busy server.
    ok, out, _ = sql("VACUUM FULL " + ", ".join(TABLES))
    check("VACUUM FULL of the moved tables", ok, out)
    ok, out, _ = sql("CREATE TABLE %s (pad text) WITH "
                     "(autovacuum_enabled = off, "
                     "toast.autovacuum_enabled = off) TABLESPACE %s"
                     % (FILLER, SPACE))
    check("the filler table (no autovacuum: it must not shrink)", ok, out)

    # A logged-in browser for the recovery probe; a flow before the fill.
    probe = Browser()
    code = tr.front(probe, user, pw)
    r = redeem(c, code) if code else None
    check("before the fill: login, code and token on the new tablespace",
          r is not None and r.status == 200 and "id_token" in
          (r.json() or {}), r)
    if r is not None and r.status == 200:
        tr.codes[code] = True
        tr.tokens.append(("access", r.json()["access_token"]))

    for i in range(THREADS):
        t = threading.Thread(target=tr.client, args=(user, pw), daemon=True)
        threads.append(t)
        t.start()
    time.sleep(1.0)

    # Fill: ~480 KiB a statement, each its own transaction (committed
    # chunks stay), until PostgreSQL cannot extend a file any more.
    t0 = time.monotonic()
    state_fill = None
    chunks = 0
    while time.monotonic() - t0 < 60 * MULT:
        ok, out, state_fill = sql(
            "INSERT INTO %s SELECT repeat(md5(g::text), 16) FROM "
            "generate_series(1, 960) g" % FILLER)
        if not ok:
            break
        chunks += 1
    check("the filler fills the tablespace until PostgreSQL answers "
          "SQLSTATE 53100 disk_full (after %d chunks)" % chunks,
          state_fill == "53100", out)
    ok, out, probe_state = sql("BEGIN; CREATE TABLE t97_probe (x int) "
                               "TABLESPACE %s; INSERT INTO t97_probe "
                               "VALUES (1); ROLLBACK" % SPACE)
    check("full: a new row in the tablespace gets 53100",
          not ok and probe_state == "53100", out)
    vfs = os.statvfs(MNT)
    diag("full: %d KiB left on the tmpfs" %
         (vfs.f_bavail * vfs.f_frsize // 1024))
    t_full = time.monotonic()

    # Full for FULL_SECONDS at least, and until token (the code flow's
    # one write, issue 16) has met the full disk (a write that still fits
    # in a page does not; on a slow machine fewer requests run in
    # FULL_SECONDS): bounded.
    def token_refused():
        with tr.lock:
            eps = {a[1] for a in tr.answers
                   if a[0] >= t_full and a[2] == 503}
        return time.monotonic() >= t_full + FULL_SECONDS and "token" in eps
    wait_until(token_refused, FULL_SECONDS + 30 * MULT, 0.2)

    ok, out, _ = sql("DROP TABLE %s" % FILLER)
    t_free = time.monotonic()
    check("the filler is dropped", ok, out)

    # Recovery: a client_credentials token and a code (with the session).
    def served():
        r = tr.cc()
        if r is None or r.status != 200:
            return None
        code = tr.front(probe, user, pw)
        if code:
            tr.back(code)
        return code

    back_ok = wait_until(served, 2 * MULT, 0.05)
    t_back = time.monotonic()
    check("space freed: a token and a code are served again within 2 s "
          "(%.2f s)" % (t_back - t_free), back_ok, "still failing after "
          "%.1f s" % (t_back - t_free))
    time.sleep(AFTER_SECONDS)
    tr.stop.set()
    for t in threads:
        t.join(30 * MULT)
    check("the client threads stopped", not any(t.is_alive()
                                                 for t in threads))

    # ---- the answers ----
    ans = list(tr.answers)
    bad = [a for a in ans if a[3] is not None]
    during = [a for a in ans if t_full <= a[0] < t_free]
    n503 = sum(1 for a in during if a[2] == 503)
    nok = sum(1 for a in during if a[2] is not None and a[2] < 400)
    diag("%d answers: %d while full (%d 503, %d successes); %d codes, "
         "%d tokens handed out" % (len(ans), len(during), n503, nok,
                                   len(tr.codes), len(tr.tokens)))
    check("every answer (%d) is a success or a clean 503 JSON "
          "temporarily_unavailable/server_error (HTML or JSON without "
          "Location for /authorize), in under 5 s, none missing"
          % len(ans), ans and not bad,
          "\n".join("%s: %s\n%s" % (a[1], a[3], a[4][:400])
                    for a in bad[:5]))
    # A code flow's only write is at /token now (sealed codes, issue 16);
    # /authorize writes just the login session, a small row that may
    # still find room in a page, so its 503s are counted, not required.
    n = sum(1 for a in during if a[1] == "authorize" and a[2] == 503)
    diag("while full, authorize answered 503 %d times" % n)
    n = sum(1 for a in during if a[1] == "token" and a[2] == 503)
    check("while full, token refused writes with 503 (%d)" % n, n > 0,
          "no 503 from token while the disk was full")
    text = ""
    for f in LOGS:
        try:
            with open(f, "rb") as fh:
                fh.seek(log_at[f])
                text += fh.read().decode("utf-8", "replace")
        except OSError:
            pass
    check("the workers logged PostgreSQL's 53100 (a real disk full)",
          "53100" in text, text[-1500:])
    # An error on a live connection is the answer: it is not retried as
    # if the connection had died (db.c: oidc_db_exec).
    check("a disk-full error is not retried as a lost connection",
          "reconnecting" not in text,
          [l for l in text.splitlines() if "reconnecting" in l][:3])

    # ---- nothing handed out uncommitted ----
    for code, done_ in list(tr.codes.items()):
        if not done_:
            tr.back(code)
    left = [k for k, v in tr.codes.items() if not v]
    check("every code handed out (%d) is redeemed after the space is freed"
          % len(tr.codes), not left, "%d codes not redeemed" % len(left))
    failed = []
    for kind, tok in tr.tokens:
        if kind == "access":
            r = get("/userinfo", [("Authorization", "Bearer %s" % tok)])
            good = r.status == 200 and (r.json() or {}).get("sub")
        else:
            r = post_form("/introspect", {"token": tok}, auth=AUTH)
            good = r.status == 200 and (r.json() or {}).get("active") is True
        if not good:
            failed.append((kind, r.describe()[:300]))
    check("every token handed out (%d) works: access tokens at userinfo, "
          "refresh and client_credentials tokens introspect active"
          % len(tr.tokens), tr.tokens and not failed,
          "%d failed; first: %r" % (len(failed), failed[:3]))
    # A stored code is consumed in auth_code, a sealed one (issue 16) is
    # recorded in used_code.
    ok, out, _ = sql("SELECT count(*) FROM token t LEFT JOIN auth_code a "
                     "ON a.code_hash = t.auth_code_hash WHERE "
                     "t.client_id = '%s' AND t.auth_code_hash IS NOT NULL "
                     "AND (a.code_hash IS NULL OR a.consumed_at IS NULL) "
                     "AND NOT EXISTS (SELECT 1 FROM used_code u "
                     "WHERE u.code_hash = t.auth_code_hash)"
                     % c["client_id"])
    check("every token from a code has its code consumed", ok and
          out == "0", out)

    # ---- no corruption ----
    ok, tables, _ = sql("SELECT string_agg(tablename, ' ') FROM pg_tables "
                        "WHERE schemaname = 'public'")
    ok, out, _ = sql(" UNION ALL ".join(
        "SELECT '%s', count(*) FROM %s" % (t, t) for t in tables.split()))
    check("every table (%d) reads in full (SELECT count(*))"
          % len(tables.split()), ok, out)
    ok, have, _ = sql("SELECT count(*) FROM pg_available_extensions WHERE "
                      "name = 'amcheck'")
    if check("the amcheck extension is available (postgresql contrib)",
             have == "1", have):
        ok, out, _ = sql("SELECT count(*) FROM pg_extension WHERE "
                         "extname = 'amcheck'")
        if out == "0":
            ok, out, _ = sql("CREATE EXTENSION amcheck")
            state["amcheck"] = ok
        arr = "ARRAY[%s]::regclass[]" % ", ".join("'%s'" % t for t in TABLES)
        ok, out, _ = sql("SELECT count(*) FROM unnest(%s) t, "
                         "verify_heapam(t) v" % arr)
        check("amcheck: verify_heapam finds no corruption in %s"
              % ", ".join(TABLES), ok and out == "0", out)
        ok, out, _ = sql("SELECT count(bt_index_check(i.indexrelid, true)) "
                         "FROM pg_index i JOIN pg_class c ON c.oid = "
                         "i.indexrelid JOIN pg_am am ON am.oid = c.relam "
                         "WHERE am.amname = 'btree' AND i.indrelid = "
                         "ANY(%s)" % arr)
        check("amcheck: bt_index_check (heapallindexed) passes on their %s "
              "indexes" % out, ok, out)
finally:
    cleanup()

ok, out, _ = sql("SELECT count(*) FROM pg_tablespace WHERE spcname = '%s'"
                 % SPACE)
check("afterwards: no tablespace %s is left" % SPACE, ok and out == "0",
      out)
r = post_form("/token", {"grant_type": "client_credentials"}, auth=AUTH)
check("afterwards: client_credentials 200 (tables back on pg_default)",
      r.status == 200, r)
b = Browser()
code = tr.front(b, user, pw)
r = redeem(c, code) if code else None
check("afterwards: a login, a code and its redemption work",
      r is not None and r.status == 200, r)
for name in endpoints():
    path = ENDPOINT_PATHS.get(name)
    if path is None:
        continue
    r = request("GET" if name in ("discovery", "jwks", "end_session",
                                  "userinfo", "register") else "POST", path)
    check("afterwards: %s answers (not 5xx)" % name, r.status < 500, r)

done()
