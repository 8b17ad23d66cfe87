#!/usr/bin/env python3
"""48-leaving: issue 15 item 8, open redirect through open registration.

Anyone holding the initial access token (or anyone at all with
`registration = open`) can register a client whose redirect_uri and
post_logout_redirect_uri point anywhere on the web; an /authorize error
or a logout then sends the user's browser there from our origin.  RFC 9700
4.11.2: an authorization server that allows dynamic registration should
not redirect automatically to an unvetted client.  A client made through
/register is "unapproved" until an operator runs `oidcctl client approve
ID`; for it, the error response of /authorize (in every response mode) and
the post-logout redirect of /end_session are an HTML page (200) that says
where the user is going, with a link or a button to the exact URL.
Successful authorization responses are unchanged (the user consented).

Covered: registered client, error in query, fragment and form_post mode
-> interstitial (no Location, no auto-submitting script, the host named,
the exact URL as the link, the CSP); logout -> interstitial with the URL
and state; a successful code response of that client is still a 302;
`oidcctl client approve` (unknown id: exit 3; show prints "approved");
after approval the same error and logout are a 302; a client made with
oidcctl is approved from the start.
"""

import json
import urllib.parse

from oidctest import (ISSUER, check, ctl, ctl_json, done, env, get, request,
                      unique)
from flow import make_client, make_user, parse_page, run_flow

INITIAL = env("OIDC_REG_INITIAL_TOKEN")
HOST = "leave-%s.example" % unique("h").replace("_", "-").lower()
RP = "https://%s/cb?x=1" % HOST
OUT = "https://%s/bye" % HOST


def register(meta):
    r = request("POST", "/register", json.dumps(meta),
                [("Authorization", "Bearer " + INITIAL),
                 ("Content-Type", "application/json")])
    check("dynamic registration succeeds (201)", r.status == 201, r)
    return r.json() or {}


def authz(client_id, **extra):
    q = {"client_id": client_id, "redirect_uri": RP, "scope": "openid",
         "response_type": "no_such_type", "state": "st-1"}
    q.update(extra)
    return get("/authorize?" + urllib.parse.urlencode(q))


def links(r):
    """(href of every <a>, action of every form) on an HTML page."""
    import html.parser

    class P(html.parser.HTMLParser):
        def __init__(self):
            super().__init__()
            self.a, self.forms, self.scripts = [], [], 0

        def handle_starttag(self, tag, attrs):
            d = dict(attrs)
            if tag == "a":
                self.a.append(d.get("href"))
            elif tag == "form":
                self.forms.append((d.get("method"), d.get("action")))
            elif tag == "script":
                self.scripts += 1
    p = P()
    p.feed(r.text if r.body else "")
    return p


def is_interstitial(r, label):
    """A 200 HTML page naming HOST, no Location, no script."""
    p = links(r)
    ok = (r.status == 200 and r.header("Location") is None and
          (r.content_type() or "").startswith("text/html") and
          HOST in r.text and p.scripts == 0 and
          "frame-ancestors 'none'" in (r.header(
              "Content-Security-Policy") or ""))
    check("%s: an interstitial page (200, names %s, no Location, no "
          "script, CSP)" % (label, HOST), ok, r)
    return p


def error_url(mode):
    sep = "#" if mode == "fragment" else "&"
    return RP + sep + urllib.parse.urlencode(
        {"error": "unsupported_response_type"})


meta = {"redirect_uris": [RP], "post_logout_redirect_uris": [OUT],
        "client_name": "Leaving RP", "token_endpoint_auth_method": "none",
        "response_types": ["code"], "grant_types": ["authorization_code"]}
dyn = register(meta)
cid = dyn.get("client_id", "none")

# ---- errors of /authorize ----------------------------------------------------

r = authz(cid)
p = is_interstitial(r, "dynamic client, error in query mode")
hrefs = [h for h in p.a if h and h.startswith(RP)]
check("query mode: the link is the exact error redirect (error, state, "
      "iss)", len(hrefs) == 1 and
      hrefs[0].startswith(RP + "&error=unsupported_response_type") and
      "state=st-1" in hrefs[0] and
      "iss=" + urllib.parse.quote(ISSUER, safe="") in hrefs[0], p.a)

r = authz(cid, response_mode="fragment")
p = is_interstitial(r, "dynamic client, error in fragment mode")
check("fragment mode: the link carries the error in the fragment",
      any(h and h.startswith(RP + "#error=unsupported_response_type")
          for h in p.a), p.a)

r = authz(cid, response_mode="form_post")
p = is_interstitial(r, "dynamic client, error in form_post mode")
check("form_post mode: a form posting to the redirect_uri, submitted by "
      "the user (no auto-submit)",
      p.forms == [("post", RP)] and p.scripts == 0 and
      'name="error" value="unsupported_response_type"' in r.text and
      'name="state" value="st-1"' in r.text, (p.forms, r))

# An unregistered redirect_uri is still our own error page, no link out.
r = authz(cid, redirect_uri="https://%s/other" % HOST)
check("an unregistered redirect_uri: 400 page, no link to it",
      r.status == 400 and "/other" not in r.text, r)

# ---- success is unchanged ----------------------------------------------------

user, pw = unique("leave"), "pw-" + unique("p")
make_user(user, pw)
try:
    res = run_flow({"client_id": cid, "redirect_uris": [RP]}, user, pw,
                   {"response_type": "code", "code_challenge":
                    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                    "code_challenge_method": "S256", "state": "ok"})
    check("dynamic client: a successful code response is still a "
          "redirect with the code", "code" in res and
          res.get("state") == "ok", res)
except Exception as e:      # FlowError: where the flow stopped
    check("dynamic client: a successful code response is still a "
          "redirect with the code", False, e)

# ---- logout ----------------------------------------------------------------


def logout(client_id):
    return get("/end_session?" + urllib.parse.urlencode(
        {"client_id": client_id, "post_logout_redirect_uri": OUT,
         "state": "bye-1"}))


r = logout(cid)
p = is_interstitial(r, "dynamic client, post-logout redirect")
check("logout: the link is post_logout_redirect_uri with the state",
      OUT + "?state=bye-1" in p.a, p.a)

# ---- oidcctl client approve ------------------------------------------------

rc, out, err = ctl("client", "approve", "no-such-client-" + unique("x"))
check("oidcctl client approve of an unknown client: exit 3", rc == 3,
      (rc, out, err))
rc, obj, err = ctl_json("client", "show", cid)
check("oidcctl client show: a registered client is not approved",
      rc == 0 and obj is not None and obj.get("approved") is False,
      (rc, obj, err))
rc, out, err = ctl("client", "approve", cid)
check("oidcctl client approve ID: exit 0", rc == 0, (rc, out, err))
rc, obj, err = ctl_json("client", "show", cid)
check("oidcctl client show: approved after approve",
      rc == 0 and obj is not None and obj.get("approved") is True,
      (rc, obj, err))

r = authz(cid)
check("approved client: error in query mode is a 302 to the redirect_uri",
      r.status == 302 and (r.header("Location") or "").startswith(
          RP + "&error=unsupported_response_type"), r)
r = authz(cid, response_mode="form_post")
check("approved client: form_post error auto-submits as before",
      r.status == 200 and "<script>" in r.text and HOST in r.text, r)
r = logout(cid)
check("approved client: logout is a 302 to post_logout_redirect_uri",
      r.status == 302 and r.header("Location") == OUT + "?state=bye-1", r)

# ---- a client made by oidcctl is approved ------------------------------------

c = make_client(redirect_uris=[RP], post_logout_redirect_uris=[OUT])
r = authz(c["client_id"])
check("oidcctl client: error in query mode is a 302", r.status == 302 and
      (r.header("Location") or "").startswith(RP + "&error="), r)
r = logout(c["client_id"])
check("oidcctl client: logout is a 302", r.status == 302, r)
rc, obj, err = ctl_json("client", "show", c["client_id"])
check("oidcctl client show: a client made by oidcctl is approved",
      rc == 0 and obj is not None and obj.get("approved") is True,
      (rc, obj, err))

done()
