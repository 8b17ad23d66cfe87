#!/bin/sh
# tests/soak/soak.sh: 100,000 mixed requests through nginx against the
# integration stack, with every worker's RSS sampled (tests/soak/soak.py).
# Needs a build (make, or make SANITIZE=1 with OIDC_BUILD=build/asan); no
# make needed to run it.  Knobs: OIDC_SOAK_REQUESTS (100000),
# OIDC_SOAK_THREADS (8), OIDC_BUILD (build/release), OIDC_TEST_LEAVE=1.
# Prints the per-worker RSS table and exits non-zero on any failure.
cd "$(dirname "$0")/../.." || exit 1
OIDC_SOAK=1 OIDC_TEST_ONLY=99-soak OIDC_TEST_NO_LIGHTTPD=1 \
    OIDC_TEST_TIMEOUT_MULT=${OIDC_TEST_TIMEOUT_MULT:-15} \
    exec tests/integration/run.sh
