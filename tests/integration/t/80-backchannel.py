#!/usr/bin/env python3
"""80-backchannel: OpenID Connect Back-Channel Logout 1.0 (issue 8).

Three first-party clients register a backchannel_logout_uri on a tiny
receiver (http.server on 127.0.0.1, in a thread; run.sh sets
outbound_allow_private = yes): one answers 200, one answers 500, one never
answers.  One browser signs in through /authorize and gets tokens for
each; /end_session with the first client's id_token_hint ends the session
at once (and quickly: nothing is sent during the request).  Then
`oidcctl backchannel deliver`: the 200 client received a logout token
whose RS256 signature `openssl dgst -verify` accepts against
OIDC_KEY_RS256, with typ logout+jwt, iss, aud, iat, exp, jti, events,
sub and sid (the ID Token's) and no nonce; the 500 client is retried, and
given up after backchannel_max_attempts (5) attempts; the silent one
costs the sender a timeout, never the user.  Also: discovery advertises
back-channel logout; registration refuses a plain-http URI on a
non-loopback host.
"""

import http.server
import json
import socket
import threading
import time
import urllib.parse

from oidctest import (ISSUER, check, ctl, ctl_json, done, get, psql,
                      unique)
from flow import (Browser, make_client, make_user, redeem, retry_exec,
                  run_flow, user_sub, verify_jws)

EVENT = "http://schemas.openid.net/event/backchannel-logout"
MAX_ATTEMPTS = 5        # the backchannel_max_attempts default


class Receiver(http.server.BaseHTTPRequestHandler):
    """POST /ok -> 200, POST /fail -> 500; every request is recorded."""
    got = []
    lock = threading.Lock()

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        with Receiver.lock:
            Receiver.got.append((self.path, self.headers.get(
                "Content-Type"), body))
        status = 200 if self.path == "/ok" else 500
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, fmt, *args):
        pass


def received(path):
    with Receiver.lock:
        return [g for g in Receiver.got if g[0] == path]


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=srv.serve_forever, daemon=True).start()
base = "http://127.0.0.1:%d" % srv.server_address[1]

# A socket that accepts connections (kernel backlog) but never answers.
silent = socket.socket()
silent.bind(("127.0.0.1", 0))
silent.listen(8)
silent_uri = "http://127.0.0.1:%d/never" % silent.getsockname()[1]

# ---- discovery and registration ---------------------------------------------

disco = get("/.well-known/openid-configuration").json()
check("discovery: backchannel_logout_supported",
      disco.get("backchannel_logout_supported") is True)
check("discovery: backchannel_logout_session_supported",
      disco.get("backchannel_logout_session_supported") is True)

rc, out, err = retry_exec(ctl, "client", "create", stdin=json.dumps({
    "redirect_uris": ["https://rp.example/cb"],
    "backchannel_logout_uri": "http://rp.example/bc"}))
check("plain-http backchannel_logout_uri off loopback is refused",
      rc == 2 and "backchannel_logout_uri" in err, "rc %d: %s" % (rc, err))

# ---- one session, three clients ---------------------------------------------

user, pw = unique("bc"), "correct horse battery staple"
make_user(user, pw)
ok_c = make_client(["code"], first_party=True,
                   backchannel_logout_uri=base + "/ok",
                   backchannel_logout_session_required=True)
fail_c = make_client(["code"], first_party=True,
                     backchannel_logout_uri=base + "/fail")
silent_c = make_client(["code"], first_party=True,
                       backchannel_logout_uri=silent_uri)
plain_c = make_client(["code"], first_party=True)    # no URI: not told

b = Browser()
tokens = {}
for c in (ok_c, fail_c, silent_c, plain_c):
    res = run_flow(c, user, pw, {"response_type": "code", "nonce": unique(
        "n")}, browser=b)
    r = redeem(c, res["code"])
    check("%s: code redeemed" % c["client_id"], r.status == 200,
          r.describe())
    tokens[c["client_id"]] = r.json()

id_token = tokens[ok_c["client_id"]]["id_token"]
good, hdr, idt, why = verify_jws(id_token)
sid = idt.get("sid") if idt else None
check("the ID Token carries sid", bool(sid), why)
rows = psql("SELECT count(*) FROM session_client WHERE sid = '%s'"
            % (sid or "").replace("'", "''"))
check("session_client recorded the four clients", rows == "4", rows)

t0 = time.monotonic()
r = b.get("/end_session?" + urllib.parse.urlencode(
    {"id_token_hint": id_token}))
elapsed = time.monotonic() - t0
check("end_session with id_token_hint signs out at once",
      r.status == 200 and b"Signed out" in r.body, r.describe())
check("end_session does not wait for any relying party (%.2fs)" % elapsed,
      elapsed < 1.5)
check("nothing is sent during the user's request", not Receiver.got)
queued = psql("SELECT count(*) FROM backchannel_delivery WHERE client_id "
              "IN ('%s', '%s', '%s')" % (ok_c["client_id"],
                                         fail_c["client_id"],
                                         silent_c["client_id"]))
check("three logout tokens queued (not for the client without a URI)",
      queued == "3", queued)
check("the session's session_client rows went with it",
      psql("SELECT count(*) FROM session_client WHERE sid = '%s'"
           % sid.replace("'", "''")) == "0")

# ---- the sender -------------------------------------------------------------

t0 = time.monotonic()
rc, st, err = retry_exec(ctl_json, "backchannel", "deliver")
check("oidcctl backchannel deliver exits 0", rc == 0, err)
check("first run: one delivered, two to retry",
      st == {"delivered": 1, "retried": 2, "dropped": 0}, "%r %s" % (st, err))
check("the silent client cost the sender at most the outbound timeout "
      "(%.1fs)" % (time.monotonic() - t0), time.monotonic() - t0 < 15)

got = received("/ok")
check("the receiver got one POST", len(got) == 1, repr(got))
if got:
    path, ctype, body = got[0]
    check("as application/x-www-form-urlencoded",
          (ctype or "").startswith("application/x-www-form-urlencoded"),
          ctype)
    form = urllib.parse.parse_qs(body.decode())
    token = (form.get("logout_token") or [""])[0]
    good, hdr, claims, why = verify_jws(token)
    check("logout token signature verifies (openssl, OIDC_KEY_RS256)",
          good, why)
    claims = claims or {}
    hdr = hdr or {}
    check("header typ logout+jwt", hdr.get("typ") == "logout+jwt", hdr)
    check("iss is the issuer", claims.get("iss") == ISSUER, claims)
    check("aud is the client", claims.get("aud") == ok_c["client_id"],
          claims)
    now = time.time()
    check("iat is now", abs(claims.get("iat", 0) - now) < 60, claims)
    check("exp is after iat and short",
          claims.get("iat", 0) < claims.get("exp", 0) <
          claims.get("iat", 0) + 3600, claims)
    check("jti present", isinstance(claims.get("jti"), str) and
          len(claims["jti"]) >= 16, claims)
    check("events holds the back-channel logout event as {}",
          claims.get("events") == {EVENT: {}}, claims)
    check("sub is the user's", claims.get("sub") == user_sub(user), claims)
    check("sid is the ID Token's", claims.get("sid") == sid, claims)
    check("no nonce", "nonce" not in claims, claims)
check("the delivered token left the queue",
      psql("SELECT count(*) FROM backchannel_delivery WHERE client_id = "
           "'%s'" % ok_c["client_id"]) == "0")

# The silent endpoint has had its turn; keep the rest of the test fast.
psql("DELETE FROM backchannel_delivery WHERE client_id = '%s'"
     % silent_c["client_id"])

# Retries of the 500 client: make its row due again and run the sender
# until it gives up.
runs = 1
while runs < MAX_ATTEMPTS + 3:
    left = psql("SELECT count(*) FROM backchannel_delivery WHERE client_id "
                "= '%s'" % fail_c["client_id"])
    if left == "0":
        break
    psql("UPDATE backchannel_delivery SET next_attempt_at = now() "
         "WHERE client_id = '%s'" % fail_c["client_id"])
    rc, st, err = retry_exec(ctl_json, "backchannel", "deliver")
    runs += 1
    if rc != 0:
        check("oidcctl backchannel deliver (retry) exits 0", False, err)
        break
check("the failing client was tried exactly %d times" % MAX_ATTEMPTS,
      len(received("/fail")) == MAX_ATTEMPTS, len(received("/fail")))
check("then given up (the last run reports it dropped)",
      st is not None and st.get("dropped") == 1, repr(st))
check("and removed from the queue",
      psql("SELECT count(*) FROM backchannel_delivery WHERE client_id = "
           "'%s'" % fail_c["client_id"]) == "0")
check("the give-up is logged", "given up" in err, err)

# Nothing due: a run is a no-op.
rc, st, err = retry_exec(ctl_json, "backchannel", "deliver")
check("an empty queue delivers nothing",
      rc == 0 and st == {"delivered": 0, "retried": 0, "dropped": 0},
      repr(st))

srv.shutdown()
silent.close()
done()
