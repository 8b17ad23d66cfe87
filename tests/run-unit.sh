#!/bin/sh
# Run each unit test binary, print its TAP, and a summary line.
passed=0 failed=0 bad=""
for t in "$@"; do
	out=$("$t" 2>&1); rc=$?
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok ')
	passed=$((passed + p)); failed=$((failed + f))
	if [ $rc -ne 0 ]; then
		printf '%s\n' "$out"
		bad="$bad ${t##*/}"
		[ "$f" -eq 0 ] && failed=$((failed + 1))
	fi
done
echo "unit: $passed passed, $failed failed"
[ -z "$bad" ] || { echo "failing unit tests:$bad"; exit 1; }
