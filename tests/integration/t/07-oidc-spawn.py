#!/usr/bin/env python3
"""07-oidc-spawn: deploy/spawn-fcgi/oidc-spawn.sh (issue 20 items 4, 9).

The script runs as root here (the harness does), on a private socket
directory, with the discovery and jwks binaries of this build, two
workers each, and `log_file` set (spawn-fcgi gives its workers /dev/null
as standard error).

- Run once: exactly 2 + 2 workers run with our config, their pids are the
  pid files' pids, and both answer; the log file has their lines.
- Run again: still exactly 2 + 2 (the old ones were stopped first, not
  left running outside the pid files), all with new pids.
- Run with a bad configuration: exit 78, the configuration error line
  (file:line: key: problem) on the script's standard error, and the
  running workers untouched.
- --stop: no worker of ours left, pid files and sockets gone.
Workers are counted in /proc by their OIDC_CONFIG, so a leftover set
would be seen even outside the pid files.
"""
import grp
import os
import pwd
import signal
import subprocess

from oidctest import *
from hardening import *

SCRIPT = os.path.join(env("OIDC_ROOT"), "deploy", "spawn-fcgi",
                      "oidc-spawn.sh")
LIBEXEC = os.path.join(env("OIDC_BUILD"), "cgi-bin")
NAMES = ["discovery", "jwks"]

# Not a skip: a run that cannot test the script fails (run.sh as root).
if not check("oidc-spawn.sh: the harness runs as root (the script chowns "
             "the socket directory)", os.getuid() == 0, os.getuid()):
    done()

user = run_user() or "root"
group = grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name
files = os.path.join(env("OIDC_TMP"), "spawnsh-files")
os.makedirs(files, exist_ok=True)
os.chmod(files, 0o777)
logf = os.path.join(files, "workers.log")
conf = private_config("spawnsh", ["log_file = " + logf])
sockdir = os.path.join(private_dir("spawnsh"), "run")
ENV = dict(os.environ, OIDC_CONFIG=conf, OIDC_LIBEXEC=LIBEXEC,
           OIDC_SOCKDIR=sockdir, OIDC_USER=user, OIDC_GROUP=group,
           OIDC_WEB_GROUP=group, OIDC_WORKERS="2", OIDC_STOP_WAIT="10")


def run(*args, config=None):
    e = dict(ENV)
    if config:
        e["OIDC_CONFIG"] = config
    p = subprocess.run(["sh", SCRIPT] + list(args), env=e,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60 * MULT)
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"))


def ours():
    """{endpoint: set of pids} of the live processes started with our
    OIDC_CONFIG and running one of our binaries."""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/environ" % d, "rb") as f:
                envs = f.read().split(b"\0")
            exe = os.readlink("/proc/%s/exe" % d)
            with open("/proc/%s/stat" % d) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state == "Z" or ("OIDC_CONFIG=" + conf).encode() not in envs:
            continue
        for n in NAMES:
            if os.path.basename(exe) == n + ".fcgi":
                out.setdefault(n, set()).add(int(d))
    return out


def pidfile(n):
    try:
        with open(os.path.join(sockdir, n + ".pid")) as f:
            return {int(x) for x in f.read().split()}
    except OSError:
        return set()


def answers(n):
    path = os.path.join(sockdir, n + ".sock")
    r = fcgi_request(path[:-len(".sock")],
                     cgi_params("GET", ENDPOINT_PATHS[n]))
    return r is not None and r.status == 200


try:
    rc, out, err = run(*NAMES)
    check("first run: exit 0", rc == 0, (rc, out, err))
    first = ours()
    for n in NAMES:
        check("first run: exactly 2 %s workers, the pid file's" % n,
              len(first.get(n, ())) == 2 and first.get(n) == pidfile(n),
              (first, pidfile(n)))
        check("first run: %s answers on its socket" % n,
              wait_until(lambda: answers(n), 5 * MULT))
    check("first run: workers log to log_file",
          wait_until(lambda: "msg=request ep=jwks" in open(logf).read(),
                     5 * MULT), open(logf).read()[-800:])

    rc, out, err = run(*NAMES)
    check("second run: exit 0", rc == 0, (rc, out, err))
    check("second run: says it stopped the old workers",
          all("stopped %s" % n in out for n in NAMES), out)
    second = ours()
    for n in NAMES:
        check("second run: exactly 2 %s workers (none left over)" % n,
              len(second.get(n, ())) == 2, (first, second))
        check("second run: %s workers are new, and the pid file's" % n,
              not (second.get(n, set()) & first.get(n, set())) and
              second.get(n) == pidfile(n), (first, second, pidfile(n)))
        check("second run: %s answers" % n,
              wait_until(lambda: answers(n), 5 * MULT))

    # A bad configuration: the error line reaches the operator, and the
    # running workers are left alone.
    badconf = private_config("spawnsh-bad", ["log_file = " + logf,
                                             "log = journald"])
    with open(badconf) as f:
        lineno = f.read().rstrip("\n").count("\n") + 1
    rc, out, err = run(*NAMES, config=badconf)
    check("bad config: exit 78", rc == 78, (rc, out, err))
    check("bad config: the configuration error line is on the script's "
          "stderr", "%s:%d: log: must be stderr or syslog"
          % (badconf, lineno) in err, err)
    check("bad config: the script says nothing was started or stopped",
          "nothing started or stopped" in err, err)
    check("bad config: the running workers are untouched",
          ours() == second, (second, ours()))

    rc, out, err = run("--stop", *NAMES)
    check("--stop: exit 0", rc == 0, (rc, out, err))
    check("--stop: no worker of ours left (bounded wait)",
          wait_until(lambda: not ours(), 10 * MULT), ours())
    check("--stop: pid files and sockets removed",
          not any(os.path.exists(os.path.join(sockdir, n + ext))
                  for n in NAMES for ext in (".pid", ".sock")),
          os.listdir(sockdir))
    text = open(logf).read()
    check("log_file: no level=error line", "level=error" not in text,
          "\n".join(l for l in text.splitlines() if "level=error" in l))
finally:
    if ours():
        run("--stop", *NAMES)
    # Whatever the script failed to stop (a broken script leaves workers
    # outside its pid files): ours, found by OIDC_CONFIG.
    for pids in ours().values():
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

done()
