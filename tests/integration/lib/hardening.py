"""hardening: private workers for the issue-10 tests (t/91..t/99).

Some hardening tests need workers the harness does not run: a pool of two
under deploy/spawn-fcgi/oidc-supervise.sh (t/92), an authorize worker with
a short login_window (t/93), workers with `sandbox = yes` (t/94).  They
share the harness's database, keys and build; each gets its own config (a
copy of $OIDC_CONFIG plus a few lines), socket and log under
$OIDC_TMP/<dir>/, and runs as the harness workers' user.

    from hardening import *
    conf = private_config("sbx", ["sandbox = yes"])
    w = spawn("sbx", "token", conf)           # spawn-fcgi -n, one process
    r = w.request(cgi_params("GET", "/token"))  # FastCGI straight to it
    w.stop()
    check_log(w.log)                          # no sanitizer report

Everything started here is stopped by an atexit hook too, so a test that
dies half-way leaves no process behind.
"""

import atexit
import os
import pwd
import re
import signal
import subprocess
import time

from oidctest import MULT, cgi_params, check, diag, env, fcgi_at

__all__ = ["private_dir", "private_config", "spawn", "Worker", "run_user",
           "children", "proc_status", "socket_fds", "check_log",
           "config_with", "ask", "SANITIZER_RE"]

SANITIZER_RE = re.compile(
    r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|"
    r"==[0-9]+== (Invalid|Conditional|Use of|Syscall param|Mismatched)|"
    r"definitely lost in|indirectly lost in")

_started = []


def run_user():
    """The user the harness workers run as (when run.sh runs as root), by
    the owner of the signing key; None when we are not root."""
    if os.getuid() != 0:
        return None
    st = os.stat(env("OIDC_KEY_RS256"))
    if st.st_uid == 0:
        return None
    return pwd.getpwuid(st.st_uid).pw_name


def private_dir(name):
    d = os.path.join(env("OIDC_TMP"), name)
    os.makedirs(d, exist_ok=True)
    os.chmod(d, 0o755)
    return d


def private_config(name, extra_lines):
    """A copy of $OIDC_CONFIG with extra "key = value" lines (keys the
    harness config does not set: repeated keys are errors)."""
    path = os.path.join(private_dir(name), "oidc.conf")
    with open(env("OIDC_CONFIG")) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(text.rstrip("\n") + "\n# added by a hardening test\n" +
                "".join(l + "\n" for l in extra_lines))
    os.chmod(path, 0o644)
    return path


def proc_status(pid):
    """/proc/<pid>/status as a dict (empty if the process is gone)."""
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                out[k] = v.strip()
    except OSError:
        pass
    return out


def children(pid):
    """Pids whose parent is pid."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces.
        fields = st[st.rfind(")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            out.append(int(d))
    return sorted(out)


def socket_fds(pid):
    """Number of socket file descriptors pid holds (None if unreadable)."""
    try:
        fds = os.listdir("/proc/%d/fd" % pid)
    except OSError:
        return None
    n = 0
    for fd in fds:
        try:
            if os.readlink("/proc/%d/fd/%s" % (pid, fd)).startswith(
                    "socket:"):
                n += 1
        except OSError:
            pass
    return n


class Worker:
    """A spawn-fcgi -n process tree on a private socket."""

    def __init__(self, proc, sock, log):
        self.proc = proc
        self.sock = sock
        self.log = log

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def request(self, params, stdin=b"", **kw):
        """fcgi_at() this worker's socket."""
        return fcgi_at(self.sock, params, stdin, **kw)

    def stop(self, timeout=None):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout or 10 * MULT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def spawn(dirname, name, config, argv=None, env_extra=None):
    """Start `spawn-fcgi -n -s $OIDC_TMP/<dirname>/<name>.sock -- argv`
    (argv defaults to the endpoint binary <name>.fcgi of $OIDC_BUILD) with
    OIDC_CONFIG=config, as the harness workers' user; wait for the socket.
    stdout and stderr go to $OIDC_TMP/<dirname>/<name>.log."""
    d = private_dir(dirname)
    sock = os.path.join(d, name + ".sock")
    log = os.path.join(d, name + ".log")
    if os.path.exists(sock):
        os.unlink(sock)
    if argv is None:
        argv = [os.path.join(env("OIDC_BUILD"), "cgi-bin", name + ".fcgi")]
    cmd = ["spawn-fcgi", "-n", "-s", sock, "-M", "0666"]
    u = run_user()
    if u is not None:
        cmd += ["-u", u, "-g", u]
    e = dict(os.environ, OIDC_CONFIG=config)
    e.update(env_extra or {})
    with open(log, "ab") as lf:
        p = subprocess.Popen(cmd + ["--"] + argv, env=e, stdout=lf,
                             stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL)
    w = Worker(p, sock, log)
    _started.append(w)
    end = time.monotonic() + 10 * MULT
    while time.monotonic() < end and p.poll() is None and \
            not os.path.exists(sock):
        time.sleep(0.05)
    # The socket appears before the worker has loaded its keys.
    time.sleep(0.3 * MULT)
    return w


def config_with(name, replace):
    """$OIDC_CONFIG with lines replaced or added: replace maps a key to its
    new line (None: drop the key)."""
    with open(env("OIDC_CONFIG")) as f:
        lines = f.read().splitlines()
    out = []
    for l in lines:
        k = l.split("=", 1)[0].strip()
        if k in replace:
            continue
        out.append(l)
    out += [v for v in replace.values() if v is not None]
    path = os.path.join(private_dir(name), "oidc.conf")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    os.chmod(path, 0o644)
    return path


def ask(w, method, path, query="", body=b"", ctype=None):
    """One FastCGI request straight to a spawn()ed worker."""
    params = cgi_params(method, path, query, ctype,
                        len(body) if method == "POST" else None)
    return w.request(params, body)


def check_log(log, name=None, allow_error=None):
    """Check a private worker's log: no sanitizer or valgrind report and
    no level=error line (unless it matches the regex allow_error)."""
    try:
        with open(log, "rb") as f:
            text = f.read().decode("utf-8", "replace")
    except OSError:
        text = ""
    name = name or os.path.basename(log)
    bad = [l for l in text.splitlines() if SANITIZER_RE.search(l)]
    check("%s: no sanitizer/valgrind report" % name, not bad,
          "\n".join(bad[:10]))
    errs = [l for l in text.splitlines() if "level=error" in l and
            not (allow_error and re.search(allow_error, l))]
    check("%s: no unexpected level=error line" % name, not errs,
          "\n".join(errs[:10]))


@atexit.register
def _cleanup():
    for w in _started:
        try:
            w.stop(timeout=5)
        except Exception as e:  # never mask the test's own result
            diag("cleanup: %s" % e)
