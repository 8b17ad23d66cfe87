#!/usr/bin/env python3
"""42-kek: `oidcctl kek create` makes a key-encryption key the workers can
read, and a running worker picks a new key_encryption_key up only when
restarted, as oidc.conf(5) and deploy/README.md say (issue 20 item 5).

1. In a directory like /etc/oidc-fcgi/keys (owner root, group of the
   workers' user, 0750), `oidcctl kek create FILE`, run as root as an
   operator would under sudo, writes 64 hex digits with owner root, the
   directory's group and mode 0640; `--group` names another group; an
   existing file is never replaced (exit 4, content unchanged).
2. A register worker running as the workers' user, with a configuration
   without key_encryption_key, refuses a client_secret_jwt client (it has
   nothing to seal the secret with).  The configuration then gains the
   new KEK: the running worker still refuses (it read its configuration
   at start-up); after a restart it registers the client, so it could
   read the root-owned file through its group.
"""
import grp
import json
import os
import pwd
import re
import stat

from oidctest import *
from hardening import *

d = private_dir("kek")
keys = os.path.join(d, "keys")
os.makedirs(keys, exist_ok=True)
u = run_user()
gid = pwd.getpwnam(u).pw_gid if u is not None else os.getgid()
os.chown(keys, 0 if os.getuid() == 0 else os.getuid(), gid)
os.chmod(keys, 0o750)
kek = os.path.join(keys, "kek.hex")
if os.path.exists(kek):
    os.unlink(kek)

rc, out, err = ctl("kek", "create", kek)
check("kek create: exit 0", rc == 0, (rc, out, err))
st = os.stat(kek)
check("kek create: owner the invoking user", st.st_uid == os.geteuid(), st)
check("kek create: group of the directory (the workers' group)",
      st.st_gid == gid, st)
check("kek create: mode 0640", stat.S_IMODE(st.st_mode) == 0o640,
      oct(st.st_mode))
with open(kek) as f:
    text = f.read()
check("kek create: 64 hex digits and a newline",
      re.fullmatch(r"[0-9a-f]{64}\n", text) is not None, repr(text))
rc, out2, err = ctl("kek", "create", kek)
with open(kek) as f:
    again = f.read()
check("kek create on an existing file: exit 4, file unchanged",
      rc == 4 and again == text, (rc, out2, err))
rc, out2, err = ctl("kek", "create", os.path.join(keys, "other.hex"))
check("a second key is a different key", rc == 0 and
      open(os.path.join(keys, "other.hex")).read() != text, (rc, err))
if os.getuid() == 0:
    other = grp.getgrnam("daemon").gr_gid
    k2 = os.path.join(keys, "grp.hex")
    rc, out2, err = ctl("kek", "create", "--group", "daemon", k2)
    check("kek create --group daemon: that group", rc == 0 and
          os.stat(k2).st_gid == other, (rc, err))
rc, out2, err = ctl("kek", "create", "--group", "no-such-group-t42",
                    os.path.join(keys, "x.hex"))
check("kek create --group unknown: exit 3, no file", rc == 3 and
      not os.path.exists(os.path.join(keys, "x.hex")), (rc, err))
rc, out2, err = ctl("kek", "create")
check("kek create without FILE: exit 2", rc == 2, (rc, err))

# ---- a running worker and a new key_encryption_key ------------------------

with open(env("OIDC_CONFIG")) as f:
    base = f.read()
conf = os.path.join(d, "oidc.conf")


def write_conf(with_kek):
    text = re.sub(r"^key_encryption_key\s*=.*\n", "", base, flags=re.M)
    if with_kek:
        text += "key_encryption_key = %s\n" % kek
    with open(conf, "w") as f:
        f.write(text)
    os.chmod(conf, 0o644)


def register_jwt(w):
    body = json.dumps({"redirect_uris": ["https://rp.example/kek"],
                       "token_endpoint_auth_method": "client_secret_jwt"}
                      ).encode()
    return w.request(cgi_params(
        "POST", "/register", content_type="application/json",
        content_length=len(body),
        extra={"HTTP_AUTHORIZATION": "Bearer " +
               env("OIDC_REG_INITIAL_TOKEN")}), body, timeout=10 * MULT)


if have_endpoint("register"):
    write_conf(False)
    w = spawn("kek", "register", conf)
    r = register_jwt(w)
    check("without a KEK: client_secret_jwt refused (400 "
          "invalid_client_metadata)", r.status == 400 and
          (r.json() or {}).get("error") == "invalid_client_metadata", r)
    write_conf(True)
    r = register_jwt(w)
    check("KEK added to the config: the running worker still refuses "
          "(restart needed, as documented)", r.status == 400, r)
    check("clean exit", w.stop() == 0, open(w.log).read()[-1500:])
    w = spawn("kek", "register", conf)
    check("restarted worker reads the root-owned 0640 KEK: running",
          w.alive(), open(w.log).read()[-1500:])
    r = register_jwt(w)
    check("after the restart: client_secret_jwt registered (201)",
          r.status == 201 and "client_secret" in (r.json() or {}), r)
    check("clean exit", w.stop() == 0, open(w.log).read()[-1500:])
    check_log(w.log, "kek register worker")
else:
    check("register.fcgi is built", False, "no register endpoint")

done()
