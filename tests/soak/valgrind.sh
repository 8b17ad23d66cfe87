#!/bin/sh
# tests/soak/valgrind.sh: the integration smoke tests (and, with
# OIDC_SOAK_REQUESTS set, a short soak: OIDC_VG_ONLY=99-soak) with every
# worker under valgrind --leak-check=full (run.sh's OIDC_TEST_VALGRIND=1,
# tests/valgrind.supp).  run.sh fails on any "Invalid read/write",
# "Conditional jump", "definitely/indirectly lost" in a worker log and on
# any worker not exiting 0 on SIGTERM (valgrind --error-exitcode=1; a
# worker that had to be killed never ran its leak check).  run.sh waits up
# to 120 s for the workers to answer before the first test.  This script
# then prints the count of valgrind lines per worker log, and the time.
cd "$(dirname "$0")/../.." || exit 1
command -v valgrind >/dev/null || { echo "valgrind: apt-get install valgrind" >&2; exit 2; }
only=${OIDC_VG_ONLY:-smoke}
out=$(mktemp)
start=$(date +%s)
OIDC_TEST_VALGRIND=1 OIDC_TEST_ONLY=$only OIDC_TEST_NO_LIGHTTPD=1 \
    OIDC_TEST_LEAVE=1 OIDC_SOAK=1 tests/integration/run.sh >"$out" 2>&1
rc=$?
cat "$out"
dir=$(sed -n 's/^integration: left //p' "$out")
if [ -n "$dir" ] && [ -d "$dir/log" ]; then
	echo "valgrind error lines per worker log ($dir/log):"
	for f in "$dir"/log/*.log; do
		case $f in */t-*|*/postgres.log|*/initdb.log|*/seed.log|*/migrate.log|*/nginx*) continue ;; esac
		n=$(grep -c -E '^==[0-9]+== ' "$f")
		printf '  %-20s %s\n' "$(basename "$f")" "$n"
	done
	[ "${OIDC_TEST_LEAVE:-0}" = 1 ] || rm -rf "$dir"
fi
rm -f "$out"
echo "valgrind run: $(($(date +%s) - start)) s, exit $rc"
exit $rc
