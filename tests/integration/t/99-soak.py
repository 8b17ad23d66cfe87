#!/usr/bin/env python3
"""99-soak: the soak test (tests/soak/soak.py) when OIDC_SOAK=1, else a
skip.  tests/soak/soak.sh runs the integration stack with only this test;
`make test` skips it."""
import os
import runpy
import sys

from oidctest import skip

if os.environ.get("OIDC_SOAK") != "1":
    skip("soak", "set OIDC_SOAK=1 (tests/soak/soak.sh)")
    sys.exit(0)
sys.argv = [os.path.join(os.environ["OIDC_ROOT"], "tests", "soak",
                         "soak.py")]
runpy.run_path(sys.argv[0], run_name="__main__")
