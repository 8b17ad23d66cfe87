#!/bin/sh
# tests/deploy/run.sh: `make check-deploy` (part of `make test`): the
# deploy walk-through with the Debian package, then with make install
# (tests/deploy/walkthrough.sh).  Ends with "N passed, N failed"; exit 1
# if any check failed or a variant failed.
cd "$(dirname "$0")/../.." || exit 1
out=$(mktemp)
trap 'rm -f "$out" "$out.v"' EXIT
rc=0
for v in deb source; do
	tests/deploy/walkthrough.sh "$v" >"$out.v" 2>&1 || rc=1
	cat "$out.v"
	cat "$out.v" >>"$out"
done
pass=$(grep -c '^ok ' "$out")
fail=$(grep -c '^not ok ' "$out")
echo "deploy: $pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ] || rc=1
exit $rc
