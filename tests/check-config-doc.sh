#!/bin/sh
# check-config-doc.sh: doc-drift check (STYLE.md B13, the mod_auth_openidc
# check_conf_reference.sh idea): every configuration key parsed in
# common/base/config.c (the names in its keydefs[] table) has an entry in
# man/oidc.conf.5 (an ".It Cm KEY" line in the KEYS section) and a row in
# README.md's table (a "| `KEY` |" line under "## Configuration reference"),
# and neither documents a key that config.c does not parse.  The README
# rows follow keydefs[] order, so a new key goes where config.c has it.
#
# Prints each difference and exits 1, or prints "check-config-doc: ok".
# Run from anywhere; it works on the repository root.
set -u

cd "$(dirname "$0")/.." || exit 2

src=common/base/config.c
man=man/oidc.conf.5
readme=README.md
[ -f "$src" ] || { echo "check-config-doc: $src missing" >&2; exit 2; }
[ -f "$man" ] || { echo "check-config-doc: $man missing" >&2; exit 1; }
[ -f "$readme" ] || { echo "check-config-doc: $readme missing" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-config-doc.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

# Keys in config.c: the first string of each entry of keydefs[], from
# "keydefs[] = {" to the closing "};".
awk '
	/keydefs\[\][[:space:]]*=[[:space:]]*\{/ { in_t = 1; next }
	in_t && /^[[:space:]]*\};/ { in_t = 0 }
	in_t && match($0, /\{[[:space:]]*"[^"]+"/) {
		s = substr($0, RSTART, RLENGTH)
		sub(/^\{[[:space:]]*"/, "", s)
		sub(/"$/, "", s)
		print s
	}
' "$src" >"$tmp/code.order"
LC_ALL=C sort -u "$tmp/code.order" >"$tmp/code"

# Keys in the man page: ".It Cm KEY" inside ".Sh KEYS".
awk '
	/^\.Sh / { in_k = ($2 == "KEYS"); next }
	in_k && /^\.It Cm / { print $3 }
' "$man" | LC_ALL=C sort -u >"$tmp/doc"

# Keys in the README: the first cell of each table row under
# "## Configuration reference", in order.
awk '
	/^## / { in_c = ($0 == "## Configuration reference"); next }
	in_c && /^\| `[^`]+` \|/ {
		s = $0
		sub(/^\| `/, "", s)
		sub(/`.*/, "", s)
		print s
	}
' "$readme" >"$tmp/readme.order"

if [ ! -s "$tmp/code" ]; then
	echo "check-config-doc: no keys found in $src (keydefs[] moved?)" >&2
	exit 1
fi

status=0
for k in $(LC_ALL=C comm -23 "$tmp/code" "$tmp/doc"); do
	echo "$man: key \"$k\" (parsed in $src) is not documented"
	status=1
done
for k in $(LC_ALL=C comm -13 "$tmp/code" "$tmp/doc"); do
	echo "$man: documents \"$k\", which $src does not parse"
	status=1
done
if ! cmp -s "$tmp/code.order" "$tmp/readme.order"; then
	echo "$readme: the configuration table's keys differ from keydefs[]" \
	    "in $src (order or set; - config.c, + README):"
	diff "$tmp/code.order" "$tmp/readme.order" | grep '^[<>]' |
	    sed 's/^</-/; s/^>/+/'
	status=1
fi
[ $status = 0 ] && echo "check-config-doc: ok ($(wc -l <"$tmp/code") keys)"
exit $status
