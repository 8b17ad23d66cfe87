#!/usr/bin/env python3
"""52-totp-browser: a real headless browser through the TOTP second step
of the password login (issue 22 item 2): tests/browser/totp.test.mjs, run
by t/50-browser.py's installer and relay (chromium, npm ci of
playwright-core) with OIDC_BROWSER_SCRIPT.  Nothing skips: a missing tool
is a "not ok", as in t/50.
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
e = dict(os.environ, OIDC_BROWSER_SCRIPT="totp.test.mjs")
sys.exit(subprocess.call([sys.executable, os.path.join(HERE,
                                                      "50-browser.py")],
                         env=e))
