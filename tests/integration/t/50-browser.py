#!/usr/bin/env python3
"""50-browser: a real headless browser through the login and consent pages
(issue 4): tests/browser/login.test.mjs, Debian's chromium driven by
playwright-core from npm.  This wrapper installs what is missing (chromium
with apt-get when run as root, node_modules with `npm ci`), runs the script
and relays its "ok - browser: ..." / "not ok - browser: ..." lines.

Nothing here skips: node or chromium absent and not installable here (not
root, or apt-get fails), npm ci failing, the browser not starting, a flow
failing: each is a "not ok".  Screenshots of the login, consent and error pages go to
tests/artifacts/ (gitignored; OIDC_ARTIFACTS overrides).
"""
import os
import shutil
import subprocess
import sys
import time

from oidctest import env, MULT

ROOT = env("OIDC_ROOT")
BROWSER_DIR = os.path.join(ROOT, "tests", "browser")
CHROMIUM = os.environ.get("OIDC_CHROMIUM", "/usr/bin/chromium")


def say(line):
    print(line)
    sys.stdout.flush()


def missing(reason):
    """A tool we need is missing: that fails (a skip is not a pass)."""
    say("not ok - browser: %s" % reason)
    sys.exit(1)


def fail(name, detail=""):
    say("not ok - browser: " + name)
    for line in str(detail).splitlines()[-30:]:
        say("#   " + line)
    sys.exit(1)


def apt_install(*pkgs):
    """apt-get install as root; (ok, output)."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return False, "not root or no apt-get"
    e = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    out = ""
    for cmd in (["apt-get", "install", "-y", "-q", "--no-install-recommends"]
                + list(pkgs),
                None):
        if cmd is None:
            break
        p = subprocess.run(cmd, env=e, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=300)
        out += p.stdout.decode("utf-8", "replace")
        if p.returncode == 0:
            return True, out
        # The package lists may be missing or stale: update once, retry.
        subprocess.run(["apt-get", "update", "-q"], env=e,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=300)
        p = subprocess.run(cmd, env=e, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=300)
        out += p.stdout.decode("utf-8", "replace")
        return p.returncode == 0, out
    return False, out


# node and npm
if shutil.which("node") is None or shutil.which("npm") is None:
    ok, out = apt_install("nodejs", "npm")
    if not ok or shutil.which("node") is None or shutil.which("npm") is None:
        missing("node/npm not installed and cannot be installed: %s"
             % out.strip().splitlines()[-1:] if out else "node/npm missing")
    say("# installed nodejs and npm with apt-get")

# chromium
if not os.access(CHROMIUM, os.X_OK):
    t0 = time.monotonic()
    ok, out = apt_install("chromium")
    if not ok or not os.access(CHROMIUM, os.X_OK):
        missing("%s not installed and cannot be installed: %s" % (
            CHROMIUM, (out.strip().splitlines() or ["?"])[-1]))
    say("# installed chromium with apt-get (%.0fs)" % (time.monotonic() - t0))

# playwright-core from the lock file
pw = os.path.join(BROWSER_DIR, "node_modules", "playwright-core",
                  "package.json")
if not os.path.exists(pw):
    e = dict(os.environ, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1")
    p = subprocess.run(["npm", "ci", "--prefix", BROWSER_DIR, "--no-audit",
                        "--no-fund"], env=e, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=300, cwd=ROOT)
    if p.returncode != 0 or not os.path.exists(pw):
        fail("npm ci --prefix tests/browser", p.stdout.decode("utf-8",
                                                               "replace"))
    say("# npm ci --prefix tests/browser: done")

# Run the browser script, relaying its lines as they come.
e = dict(os.environ, OIDC_CHROMIUM=CHROMIUM)
# t/51-device-browser.py runs this installer with another script.
SCRIPT = os.environ.get("OIDC_BROWSER_SCRIPT", "login.test.mjs")
proc = subprocess.Popen(["node", os.path.join(BROWSER_DIR, SCRIPT)],
                        env=e, cwd=ROOT, stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT)
seen_not_ok = False
tail = []
for raw in proc.stdout:
    line = raw.decode("utf-8", "replace").rstrip("\n")
    if line.startswith("not ok - "):
        seen_not_ok = True
    if line.startswith(("ok - ", "not ok - ", "#")):
        say(line)
    else:
        tail.append(line)
        tail = tail[-40:]
        say("# " + line)
rc = proc.wait()
if rc != 0 and not seen_not_ok:
    fail("%s exited %d (its output is above)" % (SCRIPT, rc))
sys.exit(1 if rc != 0 else 0)
