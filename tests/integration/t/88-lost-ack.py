#!/usr/bin/env python3
"""88-lost-ack: a write whose commit acknowledgement is lost (issue 19
item 2, "Idempotent writes across a lost commit acknowledgement").

A small proxy (this file, class LostAck) sits between private workers and
the harness's PostgreSQL (a unix socket in, the cluster's socket out).  It
forwards everything, but once armed with a prepared statement's name it
waits for that statement's Bind and then, at the end of the transaction
that ran it (the server's ReadyForQuery with status 'I': right after the
CommandComplete of COMMIT, or of the statement itself outside a
transaction), forwards the CommandComplete but closes both sides instead
of forwarding the ReadyForQuery.  The server has committed; the worker
sees its connection lost after sending the write: the commit's
acknowledgement is lost.  Each firing is counted, so every case checks
that the fault was really injected.

The worker runs the write again on a new connection with the values it
generated once for the request, and recognises its own earlier commit by
them (common/db/db.c oidc_db_redo; deploy/ha/README.md).  Each case
asserts the outcome a run without the fault gives:

  sealed     (token.fcgi with the harness's key_encryption_key: sealed
             codes) code_redeem_sealed's ack lost: 200 with tokens, which
             work at UserInfo; nothing revoked.  Then refresh_rotate's
             COMMIT ack lost: 200 with new tokens that work, the new
             refresh token refreshes again, the family is not revoked.
  stored     (authorize.fcgi and token.fcgi without a code key: stored
             codes) code_issue's ack lost (the code flow's one autocommit
             statement): the authorization response carries a code, no
             "nonce already used", and the code is stored once; its
             redemption, code_redeem's ack lost: 200, tokens work.
  hybrid     response_type "code id_token", code_issue inside a
             transaction: COMMIT's ack lost: the response carries a code
             and an ID Token, and the code redeems.
  implicit   response_type "id_token token": the nonce and the access
             token in one transaction, COMMIT's ack lost: the response
             carries both tokens and the access token works.
  replay     a genuine replay is still one: the code redeemed again
             (without a fault) answers invalid_grant and revokes the
             tokens of the first redemption; a rotated refresh token used
             again answers invalid_grant and revokes its family.
"""
import glob
import hashlib
import os
import re
import socket
import struct
import threading
import urllib.parse

from oidctest import *
from flow import (RP, Browser, make_client, make_user, parse_response,
                  pkce_pair, run_flow)
from hardening import *

RP_URI = RP
FORM = "application/x-www-form-urlencoded"


# ---- the proxy ---------------------------------------------------------------

class LostAck:
    """A PostgreSQL protocol proxy on a unix socket that loses one commit
    acknowledgement per arm()."""

    def __init__(self, listen_dir, port, upstream):
        self.upstream = upstream
        self.path = os.path.join(listen_dir, ".s.PGSQL.%d" % port)
        self.lock = threading.Lock()
        self.armed = None
        self.fired = 0
        self.seen = {}          # statement name -> Binds seen
        if os.path.exists(self.path):
            os.unlink(self.path)
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(self.path)
        os.chmod(self.path, 0o777)
        self.srv.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()

    def arm(self, stmt):
        with self.lock:
            self.armed = stmt

    def _accept(self):
        while True:
            try:
                c, _ = self.srv.accept()
            except OSError:
                return
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.upstream)
            except OSError:
                c.close()
                continue
            st = {"pending": False, "closed": False}
            threading.Thread(target=self._c2s, args=(c, s, st),
                             daemon=True).start()
            threading.Thread(target=self._s2c, args=(c, s, st),
                             daemon=True).start()

    @staticmethod
    def _recv_exact(sock, n, buf):
        while len(buf) < n:
            d = sock.recv(65536)
            if not d:
                raise EOFError
            buf += d
        return buf

    def _close(self, c, s, st):
        st["closed"] = True
        for x in (c, s):
            try:
                x.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            x.close()

    def _c2s(self, c, s, st):
        buf = b""
        try:
            # The startup packet (no type byte); an SSL/GSS request is
            # refused here (a unix socket: libpq sends none anyway).
            while True:
                buf = self._recv_exact(c, 8, buf)
                n, code = struct.unpack(">II", buf[:8])
                buf = self._recv_exact(c, n, buf)
                msg, buf = buf[:n], buf[n:]
                if code in (80877103, 80877104):
                    c.sendall(b"N")
                    continue
                s.sendall(msg)
                break
            while True:
                buf = self._recv_exact(c, 5, buf)
                n = struct.unpack(">I", buf[1:5])[0]
                buf = self._recv_exact(c, 1 + n, buf)
                msg, buf = buf[:1 + n], buf[1 + n:]
                if msg[:1] == b"B":
                    body = msg[5:]
                    portal_end = body.index(b"\0")
                    name = body[portal_end + 1:
                                body.index(b"\0", portal_end + 1)].decode()
                    with self.lock:
                        self.seen[name] = self.seen.get(name, 0) + 1
                        if self.armed == name:
                            self.armed = None
                            st["pending"] = True
                s.sendall(msg)
        except (EOFError, OSError, ValueError):
            pass
        if not st["closed"]:
            self._close(c, s, st)

    def _s2c(self, c, s, st):
        buf = b""
        try:
            while True:
                buf = self._recv_exact(s, 5, buf)
                n = struct.unpack(">I", buf[1:5])[0]
                buf = self._recv_exact(s, 1 + n, buf)
                msg, buf = buf[:1 + n], buf[1 + n:]
                if msg[:1] == b"Z" and msg[5:6] == b"I" and st["pending"]:
                    # Committed, CommandComplete forwarded: the
                    # acknowledgement that it is over is lost.
                    with self.lock:
                        self.fired += 1
                    self._close(c, s, st)
                    return
                c.sendall(msg)
        except (EOFError, OSError):
            pass
        if not st["closed"]:
            self._close(c, s, st)


def db_socket():
    """(directory, port) of the harness's cluster from $OIDC_CONFIG."""
    with open(env("OIDC_CONFIG")) as f:
        line = next(l for l in f if re.match(r"\s*database\s*=", l))
    m = re.search(r"host=(\S+)", line)
    d = m.group(1)
    m = re.search(r"port=(\d+)", line)
    if m:
        return d, int(m.group(1))
    socks = [p for p in glob.glob(os.path.join(d, ".s.PGSQL.*"))
             if not p.endswith(".lock")]
    return d, int(socks[0].rsplit(".", 1)[1])


def proxied_config(name, pdir, port, keep_kek):
    """$OIDC_CONFIG with the database behind the proxy (and without the
    key_encryption_key when not keep_kek: codes are stored; nor totp,
    which needs it)."""
    path = os.path.join(private_dir(name), "oidc.conf")
    out = []
    with open(env("OIDC_CONFIG")) as f:
        for l in f:
            if re.match(r"\s*database\s*=", l):
                l = re.sub(r"host=\S+", "host=" + pdir, l)
                l = re.sub(r"\s*port=\d+", "", l).rstrip("\n") + \
                    " port=%d\n" % port
            elif not keep_kek and re.match(r"\s*(key_encryption_key|totp)"
                                           r"\s*=", l):
                continue
            out.append(l)
    with open(path, "w") as f:
        f.write("".join(out))
    os.chmod(path, 0o644)
    return path


pg_dir, pg_port = db_socket()
pdir = private_dir("lostack-pg")
proxy = LostAck(pdir, pg_port, os.path.join(pg_dir, ".s.PGSQL.%d" % pg_port))
conf_sealed = proxied_config("lostack-sealed", pdir, pg_port, True)
conf_stored = proxied_config("lostack-stored", pdir, pg_port, False)
tok_sealed = spawn("lostack-sealed", "token", conf_sealed)
authz_stored = spawn("lostack-stored", "authorize", conf_stored)
tok_stored = spawn("lostack-stored", "token", conf_stored)
for w, label in ((tok_sealed, "token (sealed codes)"),
                 (authz_stored, "authorize (stored codes)"),
                 (tok_stored, "token (stored codes)")):
    check("a private %s worker behind the proxy runs" % label, w.alive(),
          open(w.log).read()[-1500:])

c = make_client(response_types=["code", "code id_token", "id_token token"],
                first_party=True,
                public=True,
                grant_types=["authorization_code", "refresh_token",
                             "implicit"])
user, pw = unique("lostack"), "pw-lost-ack-1"
make_user(user, pw)
CID = c["client_id"]


def token_at(worker, form):
    body = form_encode(form).encode()
    r = worker.request(cgi_params("POST", "/token", content_type=FORM,
                                  content_length=len(body)), body,
                       timeout=30 * MULT)
    if r is None:
        raise RuntimeError("no answer from the private token.fcgi")
    return r


def redeem_at(worker, code, verifier):
    return token_at(worker, {"grant_type": "authorization_code",
                             "code": code, "redirect_uri": RP_URI,
                             "code_verifier": verifier, "client_id": CID})


def refresh_at(worker, rt):
    return token_at(worker, {"grant_type": "refresh_token",
                             "refresh_token": rt, "client_id": CID})


def tokens(r):
    try:
        j = r.json()
    except Exception:
        return None
    return j if r.status == 200 and isinstance(j, dict) and \
        isinstance(j.get("access_token"), str) else None


def userinfo_status(at):
    r = get("/userinfo", headers={"Authorization": "Bearer " + at})
    return r.status if r is not None else None


def h(v):
    return hashlib.sha256(v.encode()).hexdigest()


def revoked_of_code(code):
    return int(psql("SELECT count(*) FROM token WHERE auth_code_hash = "
                    "'\\x%s'::bytea AND revoked_at IS NOT NULL" % h(code)))


def revoked_of_family(rt):
    return int(psql("SELECT count(*) FROM token WHERE family_id = (SELECT "
                    "family_id FROM token WHERE token_hash = '\\x%s'::bytea) "
                    "AND revoked_at IS NOT NULL" % h(rt)))


def fault(stmt, fn, *args):
    """fn(*args) with one lost acknowledgement armed for stmt: (result,
    whether the proxy fired)."""
    before = proxy.fired
    proxy.arm(stmt)
    try:
        r = fn(*args)
    except Exception as e:      # a flow that stopped (e.g. on a 503)
        r = {"error": repr(e)}
    fired = proxy.fired == before + 1
    proxy.arm(None)
    return r, fired


class FcgiBrowser(Browser):
    """flow.Browser speaking FastCGI to the private authorize.fcgi."""

    def _send(self, method, path, body, headers):
        u = urllib.parse.urlsplit(path)
        extra, ctype = {}, None
        for k, v in headers:
            if k.lower() == "content-type":
                ctype = v
            else:
                extra["HTTP_" + k.upper().replace("-", "_")] = v
        r = authz_stored.request(
            cgi_params(method, u.path, u.query, content_type=ctype,
                       content_length=None if body is None else len(body),
                       extra=extra), body or b"", timeout=30 * MULT)
        if r is None:
            raise RuntimeError("no answer from the private authorize.fcgi")
        return self.absorb(r)

    def get(self, path, headers=None):
        return self._send("GET", path, None, self._cookie_header() +
                          list((headers or {}).items()))

    def post(self, path, params, headers=None):
        return self._send("POST", path, form_encode(params).encode(),
                          self._cookie_header() + [("Content-Type", FORM)] +
                          list((headers or {}).items()))


# ---- sealed: code_redeem_sealed, then refresh_rotate -------------------------

verifier, challenge = pkce_pair()
res = run_flow(c, user, pw, {"response_type": "code",
                             "scope": "openid offline_access",
                             "nonce": unique("n"), "state": "s",
                             "code_challenge": challenge,
                             "code_challenge_method": "S256"})
code = res.get("code")
check("sealed: the harness's /authorize gave a code", bool(code), res)
code = code or "x"
r, fired = fault("code_redeem_sealed", redeem_at, tok_sealed, code, verifier)
check("sealed: the proxy lost code_redeem_sealed's acknowledgement", fired,
      proxy.seen)
t1 = tokens(r)
check("sealed: the redemption whose acknowledgement was lost answers 200 "
      "with access, refresh and ID Token (as without the fault)",
      t1 is not None and isinstance(t1.get("refresh_token"), str) and
      isinstance(t1.get("id_token"), str), r)
t1 = t1 or {"access_token": "x", "refresh_token": "x"}
check("sealed: its access token works at UserInfo",
      userinfo_status(t1["access_token"]) == 200)
check("sealed: nothing of the code was revoked (not taken for a replay)",
      revoked_of_code(code) == 0)

r, fired = fault("refresh_rotate", refresh_at, tok_sealed,
                 t1["refresh_token"])
check("refresh: the proxy lost the rotation's COMMIT acknowledgement", fired,
      proxy.seen)
t2 = tokens(r)
check("refresh: the rotation whose acknowledgement was lost answers 200 "
      "with new tokens (as without the fault)",
      t2 is not None and isinstance(t2.get("refresh_token"), str) and
      t2["refresh_token"] != t1["refresh_token"], r)
t2 = t2 or {"access_token": "x", "refresh_token": "x"}
check("refresh: the new access token works at UserInfo",
      userinfo_status(t2["access_token"]) == 200)
check("refresh: the family was not revoked (not taken for reuse)",
      revoked_of_family(t1["refresh_token"]) == 0)
r = refresh_at(tok_sealed, t2["refresh_token"])
t3 = tokens(r)
check("refresh: the new refresh token refreshes again (no fault): 200",
      t3 is not None, r)
t3 = t3 or {"access_token": "x", "refresh_token": "x"}

# ---- replay: genuine replays still revoke -------------------------------

r = refresh_at(tok_sealed, t1["refresh_token"])
check("replay: the first, rotated refresh token used again answers "
      "invalid_grant", r.status == 400 and is_json_error(r, "invalid_grant"),
      r)
check("replay: ... and revokes its family (the newest access token stops "
      "working)", userinfo_status(t3["access_token"]) == 401)
r = redeem_at(tok_sealed, code, verifier)
check("replay: the sealed code redeemed again answers invalid_grant",
      r.status == 400 and is_json_error(r, "invalid_grant"), r)

# ---- stored: code_issue (autocommit), code_redeem -------------------------

verifier, challenge = pkce_pair()
nonce = unique("n")


def stored_flow():
    return run_flow(c, user, pw, {
        "response_type": "code", "scope": "openid offline_access",
        "nonce": nonce, "state": "s2", "code_challenge": challenge,
        "code_challenge_method": "S256"}, browser=FcgiBrowser())


res, fired = fault("code_issue", stored_flow)
check("stored: the proxy lost code_issue's acknowledgement", fired,
      proxy.seen)
code = res.get("code")
check("stored: the authorization response whose write's acknowledgement "
      "was lost carries a code (as without the fault; no \"nonce already "
      "used\", no error)", bool(code) and "error" not in res, res)
code = code or "x"
check("stored: the code is stored once",
      int(psql("SELECT count(*) FROM auth_code WHERE code_hash = "
               "'\\x%s'::bytea" % h(code))) == 1)
r, fired = fault("code_redeem", redeem_at, tok_stored, code, verifier)
check("stored: the proxy lost code_redeem's acknowledgement", fired,
      proxy.seen)
t4 = tokens(r)
check("stored: the redemption answers 200 with access, refresh and ID "
      "Token", t4 is not None and isinstance(t4.get("refresh_token"), str)
      and isinstance(t4.get("id_token"), str), r)
t4 = t4 or {"access_token": "x"}
check("stored: its access token works at UserInfo",
      userinfo_status(t4["access_token"]) == 200)
check("stored: nothing of the code was revoked", revoked_of_code(code) == 0)
r = redeem_at(tok_stored, code, verifier)
check("replay: the stored code redeemed again (no fault) answers "
      "invalid_grant", r.status == 400 and is_json_error(r, "invalid_grant"),
      r)
check("replay: ... and revokes the tokens of the first redemption",
      userinfo_status(t4["access_token"]) == 401 and
      revoked_of_code(code) >= 1)

# ---- hybrid: code_issue inside a transaction, COMMIT's ack lost ----------

verifier, challenge = pkce_pair()


def hybrid_flow():
    return run_flow(c, user, pw, {
        "response_type": "code id_token", "scope": "openid",
        "nonce": unique("n"), "state": "s3", "code_challenge": challenge,
        "code_challenge_method": "S256"}, browser=FcgiBrowser())


res, fired = fault("code_issue", hybrid_flow)
check("hybrid: the proxy lost the COMMIT acknowledgement of code_issue's "
      "transaction", fired, proxy.seen)
check("hybrid: the response carries a code and an ID Token",
      bool(res.get("code")) and bool(res.get("id_token")) and
      "error" not in res, res)
r = redeem_at(tok_stored, res.get("code") or "x", verifier)
check("hybrid: the code redeems: 200", tokens(r) is not None, r)

# ---- implicit: the access token's transaction, COMMIT's ack lost --------


def implicit_flow():
    return run_flow(c, user, pw, {
        "response_type": "id_token token", "scope": "openid",
        "nonce": unique("n"), "state": "s4"}, browser=FcgiBrowser())


res, fired = fault("token_insert", implicit_flow)
check("implicit: the proxy lost the COMMIT acknowledgement of the access "
      "token's transaction", fired, proxy.seen)
check("implicit: the response carries an access token and an ID Token "
      "(no \"nonce already used\")",
      bool(res.get("access_token")) and bool(res.get("id_token")) and
      "error" not in res, res)
check("implicit: the access token works at UserInfo",
      userinfo_status(res.get("access_token") or "x") == 200)

# ---- the workers ran the writes again (and nothing worse) ----------------

for w, label in ((tok_sealed, "token (sealed)"),
                 (authz_stored, "authorize (stored)"),
                 (tok_stored, "token (stored)")):
    text = open(w.log, errors="replace").read()
    check("%s: the worker logged running the write again" % label,
          "running it again with the same values" in text, text[-2000:])
    check_log(w.log, label, allow_error=r"(server closed|connection|"
              r"DB_DOWN|terminat)")
done()
