#!/usr/bin/env python3
"""25-audit: the audit log (issue 20 item 13; common/base/audit.c,
docs/AUDIT.md).

Drives the security events through nginx and oidcctl and reads the
level=audit lines the workers wrote to their logs ($OIDC_TMP/log/) and
oidcctl to its standard error (the harness config has no log_file):

  1. login.failed (3 wrong passwords, with client_id, ip and the user
     name), login.ok (with sub), consent.granted and consent.denied;
  2. token.issued (grant authorization_code, client_credentials),
     token.refreshed, token.revoked, code.replay (the code redeemed twice),
     refresh.replay (a rotated refresh token used again);
  3. oidcctl: client.created, client.updated, client.deleted, key.added,
     key.retired, each with "by";
  4. no_secrets: the password, the client secret, the code and every
     token of the flow appear in no log line of any worker, nor in
     oidcctl's output lines that are audit lines;
  5. log_injection: a user name carrying a quote, a newline and a forged
     "event=login.ok" stays one line with one event= field (escaped);
  6. audit lines are written whatever log_level says: a private
     token.fcgi with log_level = error still writes them.
"""
import json
import os
import re
import secrets
import time

from oidctest import *
from flow import *
from hardening import private_config, spawn, check_log

LOGDIR = os.path.join(env("OIDC_TMP"), "log")
# The line's own level field (not "level=audit" quoted inside a value).
IS_AUDIT = re.compile(r'^(?:ts=\S+ )?level=audit ')
AUDIT_RE = re.compile(r'^(?:ts=\S+ )?level=audit prog=(\w+)(?: req=\w+)? '
                      r'event=([\w.]+)((?: \w+="[^"]*")*)$')
FIELD_RE = re.compile(r' (\w+)="([^"]*)"')


def log_text(name):
    try:
        with open(os.path.join(LOGDIR, name + ".log"), "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def audit_lines(text):
    """[(prog, event, {field: value}, line)] of the level=audit lines."""
    out = []
    for line in text.splitlines():
        if not IS_AUDIT.match(line):
            continue
        m = AUDIT_RE.match(line)
        if m is None:
            out.append((None, None, {}, line))
            continue
        out.append((m.group(1), m.group(2),
                    dict(FIELD_RE.findall(m.group(3))), line))
    return out


def events(name, since=0):
    return audit_lines(log_text(name)[since:])


def offsets():
    return {n: len(log_text(n)) for n in ("authorize", "token", "revoke")}


def find(evs, event, **fields):
    return [e for e in evs if e[1] == event and
            all(e[2].get(k) == v for k, v in fields.items())]


def wait_for(name, since, event, n=1, **fields):
    """A bounded wait: workers write their line right after answering."""
    wait_until(lambda: len(find(events(name, since), event, **fields)) >= n,
               10 * MULT)
    return find(events(name, since), event, **fields)


USER = unique("aud-user")
PW = "pw-" + secrets.token_hex(12)
make_user(USER, PW)
client = make_client(response_types=["code"],
                     grant_types=["authorization_code", "refresh_token",
                                  "client_credentials"],
                     scope="openid offline_access api")
CID, SECRET = client["client_id"], client["client_secret"]
SUB = user_sub(USER)
AUTH = (CID, SECRET)
secrets_seen = [PW, SECRET]
verifier, challenge = pkce_pair()


def start(b, prompt="consent"):
    return b.authorize({"client_id": CID,
                        "redirect_uri": client["redirect_uris"][0],
                        "response_type": "code",
                        "scope": "openid offline_access", "prompt": prompt,
                        "code_challenge": challenge,
                        "code_challenge_method": "S256", "state": "s"})


# ---- 1. logins and consent ----------------------------------------------------

off = offsets()
b = Browser()
r = start(b)
wrong = ["wrong-" + secrets.token_hex(6) for i in range(3)]
secrets_seen += wrong
for w in wrong:
    r = b.login(r, USER, w)
r = b.login(r, USER, PW)
r = b.consent(r, "allow")
res = parse_response(r, client["redirect_uris"][0]) or {}
fails = wait_for("authorize", off["authorize"], "login.failed", 3,
                 client_id=CID, user=USER)
check("3 wrong passwords: 3 login.failed lines with client_id, ip, user "
      "and reason", len(fails) == 3 and all(
          f[2].get("ip") == "127.0.0.1" and
          f[2].get("reason") == "bad_credentials" for f in fails), fails)
oks = find(events("authorize", off["authorize"]), "login.ok",
           client_id=CID, sub=SUB, ip="127.0.0.1")
check("the right password: one login.ok with client_id, sub and ip",
      len(oks) == 1, events("authorize", off["authorize"]))
gr = find(events("authorize", off["authorize"]), "consent.granted",
          client_id=CID, sub=SUB)
check("consent allowed: consent.granted with client_id, sub, scope",
      len(gr) == 1 and gr[0][2].get("scope") == "openid offline_access",
      gr)
# The same browser (its session) asked again, this time denying.
r2 = start(b)
r2 = b.consent(r2, "deny")
dn = wait_for("authorize", off["authorize"], "consent.denied",
              client_id=CID, sub=SUB)
check("consent denied: consent.denied with client_id and sub",
      len(dn) == 1, events("authorize", off["authorize"]))

# ---- 2. tokens ----------------------------------------------------------------

code = res.get("code", "none")
secrets_seen.append(code)
t = redeem(client, code, verifier=verifier)
tj = t.json() or {}
secrets_seen += [tj.get(k) for k in ("access_token", "refresh_token",
                                     "id_token") if tj.get(k)]
rt = tj.get("refresh_token", "none")
t2 = post_form("/token", {"grant_type": "refresh_token",
                          "refresh_token": rt}, auth=AUTH)
t2j = t2.json() or {}
secrets_seen += [t2j.get(k) for k in ("access_token", "refresh_token",
                                      "id_token") if t2j.get(k)]
t3 = post_form("/token", {"grant_type": "refresh_token",
                          "refresh_token": rt}, auth=AUTH)
# Last of the grant's steps: a replayed code revokes what it yielded.
t_replay = redeem(client, code, verifier=verifier)
cc = post_form("/token", {"grant_type": "client_credentials",
                          "scope": "api"}, auth=AUTH)
ccj = cc.json() or {}
if ccj.get("access_token"):
    secrets_seen.append(ccj["access_token"])
rv = post_form("/revoke", {"token": t2j.get("refresh_token", "none"),
                           "token_type_hint": "refresh_token"}, auth=AUTH)
check("the flow ran: code 200, replay 400, refresh 200, reuse 400, "
      "client_credentials 200, revoke 200",
      [x.status for x in (t, t_replay, t2, t3, cc, rv)] ==
      [200, 400, 200, 400, 200, 200],
      [(x.status, x.body[:200]) for x in (t, t_replay, t2, t3, cc, rv)])
tk = wait_for("token", off["token"], "token.issued", 2, client_id=CID)
check("token.issued for authorization_code and client_credentials, with "
      "client_id and ip", sorted(e[2].get("grant") for e in tk) ==
      ["authorization_code", "client_credentials"] and
      all(e[2].get("ip") == "127.0.0.1" for e in tk), tk)
ev = events("token", off["token"])
check("token.refreshed once, grant refresh_token",
      len(find(ev, "token.refreshed", client_id=CID,
               grant="refresh_token")) == 1, ev)
check("code.replay: the code redeemed twice",
      len(find(ev, "code.replay", client_id=CID)) == 1, ev)
check("refresh.replay: a rotated refresh token used again",
      len(find(ev, "refresh.replay", client_id=CID)) == 1, ev)
rvl = wait_for("revoke", off["revoke"], "token.revoked", client_id=CID)
check("token.revoked with client_id, ip and the hint",
      len(rvl) == 1 and rvl[0][2].get("hint") == "refresh_token" and
      rvl[0][2].get("ip") == "127.0.0.1", rvl)

# ---- 3. oidcctl ---------------------------------------------------------------

ctl_err = []
meta = {"redirect_uris": ["https://rp.example/cb"],
        "client_name": unique("aud-ctl")}
rc, c2, err = ctl_json("client", "create", stdin=json.dumps(meta))
ctl_err.append(err)
c2id = c2.get("client_id") if isinstance(c2, dict) else None
if isinstance(c2, dict) and c2.get("client_secret"):
    secrets_seen.append(c2["client_secret"])
meta["client_name"] += "-2"
rc2, out, err2 = ctl("client", "update", c2id or "none",
                     stdin=json.dumps(meta))
ctl_err.append(err2)
rc3, out, err3 = ctl("client", "delete", c2id or "none")
ctl_err.append(err3)
rc4, k, err4 = ctl_json("key", "generate", "--alg", "ES256",
                        "--activate-now")
ctl_err.append(err4)
kid = k.get("kid") if isinstance(k, dict) else "none"
rc5, out, err5 = ctl("key", "retire", kid)
ctl_err.append(err5)
psql("DELETE FROM signing_key WHERE kid = '%s'" % kid)
ce = audit_lines("\n".join(ctl_err))
want = [("client.created", "client_id", c2id),
        ("client.updated", "client_id", c2id),
        ("client.deleted", "client_id", c2id),
        ("key.added", "kid", kid), ("key.retired", "kid", kid)]
got = [(e[1], e[2]) for e in ce if e[0] == "oidcctl"]
check("oidcctl: client created/updated/deleted, key added/retired, each "
      "with by=", [rc, rc2, rc3, rc4, rc5] == [0] * 5 and
      all(any(g[0] == w[0] and g[1].get(w[1]) == w[2] and g[1].get("by")
              for g in got) for w in want), (got, ctl_err))
check("oidcctl: key.added names the alg",
      any(g[0] == "key.added" and g[1].get("alg") == "ES256" for g in got),
      got)

# ---- 5. log injection ---------------------------------------------------------

off = offsets()
evil = 'mallory" event=login.ok sub="admin\nts=x level=audit event=forged'
b3 = Browser()
r = start(b3)
r = b3.login(r, evil, "x-" + secrets.token_hex(4))
lines = wait_for("authorize", off["authorize"], "login.failed",
                 client_id=CID)
text = log_text("authorize")[off["authorize"]:]
LINE_RE = re.compile(r'^ts=\S+ level=(error|warn|info|debug|audit) '
                     r'prog=authorize ')
evs = events("authorize", off["authorize"])
check("log_injection: a user name with a quote, a newline and a forged "
      "event stays one line, one event= of its own, escaped",
      len(lines) == 1 and
      re.findall(r' event=\S+', lines[0][3]) == [" event=login.failed"] and
      lines[0][2].get("user", "").startswith(
          "mallory\\x22 event\\x3dlogin.ok") and
      "\\x0a" in lines[0][3] and
      all(LINE_RE.match(l) for l in text.splitlines()) and
      [e[1] for e in evs] == ["login.failed"], text[-2000:])

# ---- 4. no secrets ------------------------------------------------------------

logs = {n: log_text(n) for n in endpoints()}
logs["oidcctl"] = "\n".join(ctl_err)
leaks = [(n, s[:12]) for n, text in logs.items() for s in secrets_seen
         if s and len(s) >= 8 and s in text]
check("no_secrets: no password, client secret, code or token of this "
      "test in any worker log or oidcctl's audit lines (%d values)"
      % len(secrets_seen), not leaks and len(secrets_seen) >= 9, leaks)
bad = [e[3] for n in endpoints() for e in audit_lines(logs[n])
       if e[1] is None]
check("every audit line has the documented shape", not bad, bad[:5])

# ---- 6. whatever log_level says -----------------------------------------------

conf = private_config("audlevel", [])
with open(conf) as f:
    ctext = f.read()
with open(conf, "w") as f:
    f.write(re.sub(r"(?m)^log_level = \w+$", "log_level = error", ctext))
w = spawn("audlevel", "token", conf)
body = form_encode({"grant_type": "client_credentials", "scope": "api"})
r = w.request(cgi_params("POST", "/token", content_type="application/"
                         "x-www-form-urlencoded", content_length=len(body),
                         extra={"HTTP_AUTHORIZATION": basic_auth(*AUTH)}),
              body.encode(), timeout=10 * MULT)
w.stop()
with open(w.log, "rb") as f:
    wl = f.read().decode("utf-8", "replace")
check("log_level = error: no info line, the token.issued audit line all "
      "the same", r is not None and r.status == 200 and
      "level=info" not in wl and
      len(find(audit_lines(wl), "token.issued", client_id=CID)) == 1, wl)
check_log(w.log, "private token.fcgi (log_level = error)")

done()
