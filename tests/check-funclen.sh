#!/bin/sh
# check-funclen.sh: C functions longer than a limit (issue 18 item 8).
#
#   tests/check-funclen.sh            check: every function in common/,
#                                     cgi-bin/ and tools/ has at most
#                                     LIMIT lines, or is on the allow-list
#                                     below; exits 1 otherwise
#   tests/check-funclen.sh -l [N] [FILE...]
#                                     list the functions over N lines
#                                     (default LIMIT), longest first
#
# A function is counted the way STYLE.md B5 writes it: from the line that
# starts with its name ("^name(", the return type is on the line above) to
# the "}" in column 0 that closes it, both included.
set -u

cd "$(dirname "$0")/.." || exit 2

LIMIT=80

# Functions that read better whole: one "file name" a line, each with its
# reason in a comment here.  None today; prefer named steps.
ALLOW=''

# measure FILE...: "lines file:line name" for every function definition.
measure() {
	awk '
	FNR == 1 { cand = ""; body = 0 }
	body {
		if ($0 ~ /^}/) {
			printf "%d %s:%d %s\n", FNR - start + 1, FILENAME,
			    start, cand
			body = 0; cand = ""
		}
		next
	}
	/^[A-Za-z_][A-Za-z0-9_]*\(/ {
		cand = $0; sub(/\(.*/, "", cand); start = FNR
	}
	cand != "" && /^{/ { body = 1; next }
	cand != "" && /;[[:space:]]*$/ { cand = "" }
	' "$@"
}

files() {
	find common cgi-bin tools -type f -name '*.c' | LC_ALL=C sort
}

if [ "${1:-}" = -l ]; then
	shift
	n=$LIMIT
	case ${1:-} in
	''|*[!0-9]*) ;;
	*) n=$1; shift ;;
	esac
	[ $# -gt 0 ] || set -- $(files)
	measure "$@" | awk -v n="$n" '$1 > n' | sort -rn
	exit 0
fi

out=$(measure $(files) | awk -v n="$LIMIT" '$1 > n' |
    while read -r len where name; do
	f=${where%%:*}
	if printf '%s\n' "$ALLOW" | grep -qxF "$f $name"; then
		continue
	fi
	echo "$where: $name() has $len lines (limit $LIMIT; STYLE.md B1)"
done)
if [ -n "$out" ]; then
	printf '%s\n' "$out"
	echo "check-funclen: $(printf '%s\n' "$out" | wc -l) function(s) too long"
	exit 1
fi
echo "check-funclen: ok"
exit 0
