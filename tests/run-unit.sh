#!/bin/sh
# Run each unit test binary, print its TAP, and a summary line
# "unit: N passed, M failed, K skipped" with each skip and its reason.
# A skip ("ok N - name # SKIP reason") is counted apart, never as a pass.
passed=0 failed=0 skipped=0 bad="" skips=""
nl='
'
for t in "$@"; do
	out=$("$t" 2>&1); rc=$?
	s=$(printf '%s\n' "$out" | grep -c '^ok .* # SKIP')
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok ')
	passed=$((passed + p - s)); failed=$((failed + f))
	skipped=$((skipped + s))
	[ "$s" -eq 0 ] || skips="$skips$(printf '%s\n' "$out" |
	    sed -n "s|^ok [0-9]* *-* *\(.* # SKIP.*\)|  SKIP  ${t##*/}: \1|p")$nl"
	if [ $rc -ne 0 ]; then
		printf '%s\n' "$out"
		bad="$bad ${t##*/}"
		[ "$f" -eq 0 ] && failed=$((failed + 1))
	fi
done
[ -z "$skips" ] || printf '%s' "$skips"
echo "unit: $passed passed, $failed failed, $skipped skipped"
[ -z "$bad" ] || { echo "failing unit tests:$bad"; exit 1; }
