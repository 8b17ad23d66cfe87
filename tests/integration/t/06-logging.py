#!/usr/bin/env python3
"""06-logging: where a worker's log lines go (issue 20 item 4).

log_file: a private discovery worker with `log_file = <dir>/workers.log`
writes its start-up line and its request line to that file (appended,
whole lines) and not to its standard error.  A start-up error found after
the configuration is read (a signing key file that does not exist, for
token.fcgi) reaches the log file too, and the worker exits 78.  A log file
that cannot be opened is a configuration error: exit 78 with a line naming
log_file and the path on standard error, from --check-config and from a
worker.

log = syslog: glibc's syslog(3) always writes to /dev/log, which this
machine may lack and which the test must not create for everyone.  As
root the test runs the worker in a private mount namespace (unshare -m)
whose /dev is a fresh tmpfs holding the real null/zero/random/urandom and,
as /dev/log, a datagram socket the test itself reads.  The lines must
arrive with facility daemon (<30> = daemon.info), the ident
"discovery[<pid>]", no ts= field, and the request line, from a worker
with `sandbox = yes` (the socket is connected before the filter).  Skipped (and said
so) without root or unshare.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import time

from oidctest import *
from hardening import *

DISCO = ENDPOINT_PATHS["discovery"]
BUILD = env("OIDC_BUILD")


def check_config(conf):
    """Run discovery.fcgi --check-config with OIDC_CONFIG=conf:
    (exit status, stderr)."""
    p = subprocess.run([os.path.join(BUILD, "cgi-bin", "discovery.fcgi"),
                        "--check-config"],
                       env=dict(os.environ, OIDC_CONFIG=conf),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30 * MULT)
    return p.returncode, p.stderr.decode("utf-8", "replace")


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


# ---- log_file ---------------------------------------------------------------

# Not a private_dir(): that one is chmod 0755 again on every use, and the
# worker's user must be able to create files here.
d = os.path.join(env("OIDC_TMP"), "logfiles")
os.makedirs(d, exist_ok=True)
os.chmod(d, 0o777)
logf = os.path.join(d, "workers.log")
with open(logf, "w") as f:
    f.write("a line from before\n")
os.chmod(logf, 0o666)
conf = private_config("logf", ["log_file = " + logf])
w = spawn("logf", "discovery", conf)
r = w.request(cgi_params("GET", DISCO))
check("log_file: the worker answers", r is not None and r.status == 200, r)
want = re.compile(r"^ts=\S+ level=info prog=discovery req=[0-9a-f]{16} "
                  r"msg=request ep=discovery method=GET status=200 ",
                  re.M)
check("log_file: the request line is in the file (bounded wait)",
      wait_until(lambda: want.search(read(logf)), 5 * MULT), read(logf))
text = read(logf)
check("log_file: the start-up line is in the file",
      re.search(r"level=info prog=discovery msg=started pid=%d" % w.pid,
                text) is not None or "msg=started" in text, text)
check("log_file: appended (the earlier line kept, first)",
      text.startswith("a line from before\n"), text[:200])
check("log_file: every line ends with a newline", text.endswith("\n"),
      text[-200:])
check("log_file: nothing on the worker's standard error",
      "msg=request" not in read(w.log) and "msg=started" not in
      read(w.log), read(w.log))
rc = w.stop()
check("log_file: SIGTERM: exit 0", rc == 0, rc)
check_log(w.log, "log_file worker")

# A start-up error after the configuration was read reaches the file too.
logf2 = os.path.join(d, "token.log")
conf = private_config("logf2", ["log_file = " + logf2,
                                "signing_key = /nonexistent/key.pem"])
w = spawn("logf2", "token", conf)
wait_until(lambda: w.proc.poll() is not None, 10 * MULT)
check("start-up error: token.fcgi exits 78", w.proc.poll() == 78,
      (w.proc.poll(), read(w.log)))
# The detail names the config key and the path (issue 20).
STARTUP_ERR = (r"configuration error.*signing_key /nonexistent/key\.pem: "
               r"No such file or directory")
check("start-up error: a level=error line with the error is in log_file",
      re.search(r"level=error prog=token msg=\"configuration error\" "
                r"detail=\"signing_key /nonexistent/key\.pem: No such file "
                r"or directory\"", read(logf2)),
      read(logf2))
check("start-up error: and on standard error",
      re.search(STARTUP_ERR, read(w.log)), read(w.log))
expect_error_log(STARTUP_ERR)

# A log file that cannot be opened.
bad = "/nonexistent-dir/oidc/workers.log"
conf = private_config("logf3", ["log_file = " + bad])
rc, err = check_config(conf)
check("unopenable log_file: --check-config exits 78", rc == 78, (rc, err))
check("unopenable log_file: the line names log_file and the path",
      "configuration error: log_file: " + bad in err, err)
w = spawn("logf3", "discovery", conf)
wait_until(lambda: w.proc.poll() is not None, 10 * MULT)
check("unopenable log_file: a worker exits 78 with the line",
      w.proc.poll() == 78 and "log_file: " + bad in read(w.log),
      (w.proc.poll(), read(w.log)))

# --check-config creates no file (it may run as another user).
absent = os.path.join(d, "absent.log")
conf = private_config("logf4", ["log_file = " + absent])
rc, err = check_config(conf)
check("--check-config with an absent log_file in a writable directory: "
      "exit 0, no file created", rc == 0 and not os.path.exists(absent),
      (rc, err))

# ---- log = syslog -----------------------------------------------------------

UNSHARE = shutil.which("unshare")
# Not a skip: without root and unshare(1) the check fails.
if check("log = syslog: root and unshare(1) for a private /dev/log "
         "(run.sh as root; util-linux)",
         os.getuid() == 0 and UNSHARE is not None, (os.getuid(), UNSHARE)):
    d = private_dir("syslog")
    devlog = os.path.join(d, "devlog.sock")
    if os.path.exists(devlog):
        os.unlink(devlog)
    rx = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    rx.bind(devlog)
    os.chmod(devlog, 0o666)
    rx.settimeout(1)
    olddev = os.path.join(d, "olddev")
    os.makedirs(olddev, exist_ok=True)
    # With the sandbox: /dev/log is connected before the filter.
    conf = private_config("syslog", ["log = syslog", "sandbox = yes"])
    sock = os.path.join(d, "discovery.sock")
    if os.path.exists(sock):
        os.unlink(sock)
    u = run_user()
    spawn_cmd = "exec spawn-fcgi -n -s '%s' -M 0666 %s -- '%s'" % (
        sock, "-u %s -g %s" % (u, u) if u else "",
        os.path.join(BUILD, "cgi-bin", "discovery.fcgi"))
    script = """set -e
mount --make-rprivate /
mount --rbind /dev '{old}'
mount -t tmpfs -o mode=0755 tmpfs /dev
for n in null zero random urandom; do
	touch /dev/$n
	mount --bind '{old}'/$n /dev/$n
done
touch /dev/log
mount --bind '{log}' /dev/log
{spawn}
""".format(old=olddev, log=devlog, spawn=spawn_cmd)
    logfile = os.path.join(d, "discovery.log")
    with open(logfile, "ab") as lf:
        # LeakSanitizer reads /proc/<pid>/task at exit, which the
        # sandbox's refused open(2) forbids: in ASan builds this sandboxed
        # worker exits without the leak check (exit 1 otherwise); the
        # unsandboxed log_file workers above keep it.
        asan = (os.environ.get("ASAN_OPTIONS", "") +
                ":detect_leaks=0").lstrip(":")
        proc = subprocess.Popen([UNSHARE, "-m", "sh", "-c", script],
                                env=dict(os.environ, OIDC_CONFIG=conf,
                                         ASAN_OPTIONS=asan),
                                stdout=lf, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    try:
        wait_until(lambda: os.path.exists(sock) or proc.poll() is not None,
                   10 * MULT)
        time.sleep(0.3 * MULT)
        r = fcgi_request(sock[:-5], cgi_params("GET", DISCO))
        check("syslog: the worker answers", r is not None and
              r.status == 200, (r, proc.poll(), read(logfile)))
        got = []
        end = time.monotonic() + 5 * MULT
        while time.monotonic() < end and \
                not any("msg=request" in g for g in got):
            try:
                got.append(rx.recv(4096).decode("utf-8", "replace"))
            except socket.timeout:
                pass
        req = [g for g in got if "msg=request ep=discovery" in g]
        check("syslog: the request line arrived on /dev/log", req, got)
        if req:
            m = re.match(r"<(\d+)>", req[0])
            check("syslog: facility daemon, severity info (<30>)",
                  m is not None and m.group(1) == "30", req[0])
            check("syslog: ident discovery[pid]",
                  re.search(r"discovery\[\d+\]: ", req[0]) is not None,
                  req[0])
            check("syslog: no ts= field (syslog stamps the time)",
                  "ts=" not in req[0] and "level=info prog=discovery" in
                  req[0], req[0])
        # unshare, sh and spawn-fcgi -n exec: proc.pid is the worker.
        st = proc_status(proc.pid)
        check("syslog: the worker is sandboxed (Seccomp: 2) and alive "
              "after its requests", st.get("Seccomp") == "2" and
              proc.poll() is None, (st.get("Seccomp"), proc.poll()))
        check("syslog: nothing on the worker's standard error",
              "msg=request" not in read(logfile), read(logfile))
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10 * MULT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        rx.close()
    check("syslog: SIGTERM: exit 0", proc.returncode == 0, (proc.returncode, read(logfile)))
    check_log(logfile, "syslog worker")

done()
