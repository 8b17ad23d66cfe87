#!/usr/bin/env python3
"""08-endpoints: `endpoints` (oidc.conf(5)) keeps discovery truthful in a
split deployment (issue 20 item 10).

The harness runs every endpoint with the default (all ten), so its
discovery document is the reference.  A private discovery worker with
`endpoints = authorize token jwks userinfo discovery` must leave out
exactly the URLs and metadata of revoke, introspect, end_session,
register and par, and keep every other member unchanged; one with
`endpoints = authorize token jwks revoke` must leave out userinfo's two
members (and par's) and keep revocation's.  An unknown endpoint name is a configuration error:
--check-config and a worker under spawn-fcgi both exit 78 with the line
`<file>:<line>: endpoints: unknown endpoint "..."` on standard error.
"""
import os
import subprocess

from oidctest import *
from hardening import *

DISCO = ENDPOINT_PATHS["discovery"]
GROUPS = {
    "userinfo": {"userinfo_endpoint",
                 "userinfo_signing_alg_values_supported"},
    "revoke": {"revocation_endpoint",
               "revocation_endpoint_auth_methods_supported"},
    "introspect": {"introspection_endpoint",
                   "introspection_endpoint_auth_methods_supported"},
    "end_session": {"end_session_endpoint", "backchannel_logout_supported",
                    "backchannel_logout_session_supported"},
    "register": {"registration_endpoint"},
    # par = yes in the harness (t/84-par.py).
    "par": {"pushed_authorization_request_endpoint"},
    # RFC 8628 (device_grant = yes in the harness): with device.fcgi only;
    # grant_types_supported then also loses the device_code grant type.
    "device": {"device_authorization_endpoint"},
}
DEVICE_GT = "urn:ietf:params:oauth:grant-type:device_code"

r = get(DISCO)
full = r.json() if r.status == 200 else None
check("harness discovery (all endpoints): 200 JSON", isinstance(full, dict),
      r)
full = full or {}
for ep, keys in sorted(GROUPS.items()):
    check("harness discovery advertises %s: %s" % (ep, " ".join(
          sorted(keys))), keys <= set(full), sorted(keys - set(full)))


def private_doc(tag, listed):
    conf = private_config(tag, ["endpoints = " + listed])
    w = spawn(tag, "discovery", conf)
    r = w.request(cgi_params("GET", DISCO))
    doc = r.json() if r is not None and r.status == 200 else None
    check("%s: private discovery worker answers 200 JSON" % tag,
          isinstance(doc, dict), r if r is not None else
          open(w.log).read()[-1500:])
    rc = w.stop()
    check("%s: worker exits 0 on SIGTERM" % tag, rc == 0, rc)
    check_log(w.log, tag)
    return doc or {}


def compare(tag, doc, omitted):
    gone = set()
    for ep in omitted:
        gone |= GROUPS[ep]
    check("%s: exactly the members of %s are missing" % (tag,
          " ".join(omitted)), set(full) - set(doc) == gone,
          "missing %s, expected %s" % (sorted(set(full) - set(doc)),
                                       sorted(gone)))
    check("%s: nothing added" % tag, set(doc) <= set(full),
          sorted(set(doc) - set(full)))
    changed = [k for k in doc if k in full and doc[k] != full[k] and not
               (k == "grant_types_supported" and "device" in omitted and
                doc[k] == [g for g in full[k] if g != DEVICE_GT])]
    check("%s: every member kept is unchanged" % tag, not changed, changed)


doc = private_doc("eps1", "authorize token jwks userinfo discovery")
compare("eps1", doc, ["revoke", "introspect", "end_session", "register",
                     "par", "device"])
check("eps1: without device, no device_code grant type",
      DEVICE_GT not in doc.get("grant_types_supported", []), doc)
for k in ("authorization_endpoint", "token_endpoint", "jwks_uri",
          "userinfo_endpoint"):
    check("eps1: keeps %s" % k, k in doc, sorted(doc))

doc = private_doc("eps2", "authorize token jwks revoke")
compare("eps2", doc, ["userinfo", "introspect", "end_session", "register",
                     "par", "device"])

doc = private_doc("eps4", "authorize token jwks device")
compare("eps4", doc, ["userinfo", "revoke", "introspect", "end_session",
                      "register", "par"])
check("eps4: with device, the device_code grant type",
      DEVICE_GT in doc.get("grant_types_supported", []), doc)

# ---- an unknown name is a configuration error ------------------------------

conf = private_config("eps3", ["endpoints = authorize token jwks revocation"])
with open(conf) as f:
    lineno = f.read().rstrip("\n").count("\n") + 1
binary = os.path.join(env("OIDC_BUILD"), "cgi-bin", "discovery.fcgi")
p = subprocess.run([binary, "--check-config"], env=dict(
    os.environ, OIDC_CONFIG=conf), stdout=subprocess.PIPE,
    stderr=subprocess.PIPE, timeout=30 * MULT)
want = '%s:%d: endpoints: unknown endpoint "revocation"' % (conf, lineno)
err = p.stderr.decode("utf-8", "replace")
check("unknown endpoint: --check-config exits 78", p.returncode == 78,
      (p.returncode, err))
check("unknown endpoint: the error line names file, line and key", want
      in err, err)

w = spawn("eps3", "discovery", conf)
wait_until(lambda: w.proc.poll() is not None, 10 * MULT)
rc = w.proc.poll()
check("unknown endpoint: a worker under spawn-fcgi exits 78", rc == 78, rc)
with open(w.log, errors="replace") as f:
    text = f.read()
check("unknown endpoint: the worker's stderr has the line", want in text,
      text[-1000:])

done()
