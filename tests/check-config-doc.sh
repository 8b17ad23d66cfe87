#!/bin/sh
# check-config-doc.sh: doc-drift check (STYLE.md B13, the mod_auth_openidc
# check_conf_reference.sh idea): every configuration key parsed in
# common/base/config.c (the names in its keydefs[] table) has an entry in
# man/oidc.conf.5 (an ".It Cm KEY" line in the KEYS section), and the man
# page documents no key that config.c does not parse.
#
# Prints each difference and exits 1, or prints "check-config-doc: ok".
# Run from anywhere; it works on the repository root.
set -u

cd "$(dirname "$0")/.." || exit 2

src=common/base/config.c
man=man/oidc.conf.5
[ -f "$src" ] || { echo "check-config-doc: $src missing" >&2; exit 2; }
[ -f "$man" ] || { echo "check-config-doc: $man missing" >&2; exit 1; }

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
' "$src" | LC_ALL=C sort -u >"$tmp/code"

# Keys in the man page: ".It Cm KEY" inside ".Sh KEYS".
awk '
	/^\.Sh / { in_k = ($2 == "KEYS"); next }
	in_k && /^\.It Cm / { print $3 }
' "$man" | LC_ALL=C sort -u >"$tmp/doc"

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
[ $status = 0 ] && echo "check-config-doc: ok ($(wc -l <"$tmp/code") keys)"
exit $status
