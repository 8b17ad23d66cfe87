#!/bin/sh
# checksrc.sh: source checks from STYLE.md B14 and the layer rule of B2,
# over common/, cgi-bin/ and tools/ (curl's checksrc idea).
#
#   - banned functions, matched as calls with a word boundary, outside
#     comments and string literals;
#   - <openssl/...> only in common/crypto/ (plus common/base/str.c and
#     common/base/arena.c, for CRYPTO_memcmp and OPENSSL_cleanse);
#   - <libpq-fe.h> only in common/db/; <json-c/...> only in
#     common/codec/json.c; <curl/...> only in common/http/outbound.c;
#   - PQexec( only with a string literal; PQescape* nowhere;
#     ERR_error_string(..., NULL) nowhere;
#   - SQL text (a string literal that starts with SELECT, INSERT, UPDATE,
#     DELETE, WITH, BEGIN, COMMIT or ROLLBACK and a space) only in
#     common/db/stmt.c, plus common/db/migrate.c (its own bookkeeping) and
#     the transaction words in common/db/db.c;
#   - layers: a file may include "oidc/<module>.h" only from its own layer or
#     a lower one.  base < (http, codec) < (crypto, db) < oidc < app <
#     (cgi-bin, tools).  A header belongs to the layer whose folder holds
#     common/<layer>/<module>.c; headers without a module (cdefs.h ...) are
#     free for all.  Peers (http and codec, crypto and db) may include each
#     other here, although B2 would keep them apart: authz_header.c decodes
#     Basic credentials with codec/b64url.
#
# Prints "file:line: message" per violation and exits 1, or prints
# "checksrc: ok".  Run from anywhere; it works on the repository root.
set -u

cd "$(dirname "$0")/.." || exit 2

BANNED='sprintf|vsprintf|strcpy|strcat|strncpy|strncat|gets|atoi|atol|atof|strtok|strtok_r|sscanf|rand|random|srand|alloca|system|popen'

files=$(find common cgi-bin tools -type f \( -name '*.c' -o -name '*.h' \) \
    2>/dev/null | LC_ALL=C sort)

# Header-to-layer map, from the module files that exist.
layermap=$(for l in base http codec crypto db oidc app; do
	for c in common/$l/*.c; do
		[ -f "$c" ] || continue
		m=${c##*/}
		printf '%s %s\n' "${m%.c}" "$l"
	done
done)

# strip MODE FILE: print FILE with comments blanked (MODE=keep keeps string
# literals, MODE=code blanks them too), one output line per input line so
# line numbers stay right.
strip() {
	awk -v mode="$1" '
	BEGIN { inc = 0 }
	{
		out = ""; n = length($0); i = 1; ins = 0; q = ""
		while (i <= n) {
			c = substr($0, i, 1); d = substr($0, i, 2)
			if (inc) {
				if (d == "*/") { inc = 0; out = out "  "; i += 2 }
				else { out = out " "; i++ }
				continue
			}
			if (ins) {
				if (c == "\\") {
					out = out (mode == "keep" ? d : "  ")
					i += 2; continue
				}
				if (c == q) { ins = 0; out = out c; i++; continue }
				out = out (mode == "keep" ? c : " "); i++
				continue
			}
			if (d == "/*") { inc = 1; out = out "  "; i += 2; continue }
			if (d == "//") break
			if (c == "\"" || c == "\047") { ins = 1; q = c }
			out = out c; i++
		}
		print out
	}' "$2"
}

# Reviewed exceptions, "file|extended regex on the line", each with its
# reason.  Keep this list short; prefer fixing the code.
#   migrate.c applies sql/migrations/*.sql, multi-statement scripts that
#   only PQexec can run (PQexecParams takes one command); the files are
#   installed by root, not request data.
#   db.c simple() is a static wrapper whose callers pass literals only
#   (BEGIN/COMMIT/ROLLBACK).
ALLOW='common/db/migrate.c|PQexec\(conn, sql\)
common/db/db.c|PQexec\(db->conn, sql\)'

allowed() {
	printf '%s\n' "$ALLOW" | while IFS='|' read -r af are; do
		if [ "$af" = "$1" ] && printf '%s\n' "$2" | grep -qE "$are"; then
			echo yes
			break
		fi
	done
}

layer_of_file() {
	case $1 in
	common/base/*) echo base ;;
	common/http/*) echo http ;;
	common/codec/*) echo codec ;;
	common/crypto/*) echo crypto ;;
	common/db/*) echo db ;;
	common/oidc/*) echo oidc ;;
	common/app/*) echo app ;;
	*) echo top ;;
	esac
}

rank() {
	case $1 in
	base) echo 0 ;;
	http|codec) echo 1 ;;
	crypto|db) echo 2 ;;
	oidc) echo 3 ;;
	app) echo 4 ;;
	*) echo 5 ;;
	esac
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/checksrc.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

for f in $files; do
	strip code "$f" > "$tmp/code"
	strip keep "$f" > "$tmp/keep"

	# Banned functions: an identifier boundary, the name, "(".  -o gives
	# one hit per call, so two on one line are both reported.
	grep -noE "(^|[^A-Za-z0-9_.>])($BANNED)[[:space:]]*\\(" "$tmp/code" |
	while IFS= read -r hit; do
		fn=$(printf '%s\n' "${hit#*:}" |
		    sed -E 's/^[^A-Za-z_]//; s/[[:space:]]*\($//')
		echo "$f:${hit%%:*}: banned function $fn() (STYLE B14)"
	done >> "$tmp/out"

	grep -nE 'PQescape' "$tmp/code" | while IFS= read -r hit; do
		echo "$f:${hit%%:*}: PQescape* is banned: use parameters (B11)"
	done >> "$tmp/out"
	grep -nE 'ERR_error_string[[:space:]]*\([^)]*NULL' "$tmp/code" |
	while IFS= read -r hit; do
		echo "$f:${hit%%:*}: ERR_error_string(..., NULL): use _n (B14)"
	done >> "$tmp/out"
	# PQexec(conn, "LITERAL") only, or a capitalised macro constant
	# (UNLOCK_SQL).  Each call is checked on its own; a call whose query
	# is not on the same line is reported (fail closed).
	grep -noE '(^|[^A-Za-z0-9_])PQexec[[:space:]]*\([^,;]*(,[[:space:]]*("|[A-Za-z0-9_>-]*[[:space:]]*\)?))?' \
	    "$tmp/keep" | while IFS= read -r hit; do
		if printf '%s\n' "${hit#*:}" | grep -qE \
		    ',[[:space:]]*("|[A-Z][A-Z0-9_]*[[:space:]]*\)$)'; then
			continue
		fi
		line=${hit%%:*}
		text=$(sed -n "${line}p" "$tmp/keep")
		[ -n "$(allowed "$f" "$text")" ] && continue
		echo "$f:$line: PQexec() with a non-literal query (B11)"
	done >> "$tmp/out"

	# SQL text: a literal whose first word is a statement keyword.
	case $f in
	common/db/stmt.c|common/db/migrate.c) ;;
	*)
		grep -nE '"[[:space:]]*(SELECT|INSERT|UPDATE|DELETE|WITH|BEGIN|COMMIT|ROLLBACK)[[:space:]]' \
		    "$tmp/keep" | while IFS= read -r hit; do
			if [ "$f" = common/db/db.c ] && printf '%s\n' \
			    "${hit#*:}" | grep -qE \
			    '"(BEGIN|COMMIT|ROLLBACK)[" ]'; then
				continue
			fi
			echo "$f:${hit%%:*}: SQL text outside common/db/stmt.c (B11)"
		done >> "$tmp/out" ;;
	esac

	# Includes (on the comment-stripped text with strings kept).
	grep -nE '^[[:space:]]*#[[:space:]]*include' "$tmp/keep" |
	while IFS= read -r hit; do
		line=${hit%%:*}
		inc=${hit#*:}
		case $inc in
		*'<openssl/'*)
			case $f in
			common/crypto/*|common/base/str.c|common/base/arena.c) ;;
			*) echo "$f:$line: <openssl/...> outside common/crypto/ (B2)" ;;
			esac ;;
		*'<libpq-fe.h>'*)
			case $f in
			common/db/*) ;;
			*) echo "$f:$line: <libpq-fe.h> outside common/db/ (B2)" ;;
			esac ;;
		*'<curl/'*)
			case $f in
			common/http/outbound.c) ;;
			*) echo "$f:$line: <curl/...> outside common/http/outbound.c (B2)" ;;
			esac ;;
		*'<json-c/'*|*'<json.h>'*)
			case $f in
			common/codec/json.c) ;;
			*) echo "$f:$line: json-c outside common/codec/json.c (B2)" ;;
			esac ;;
		*'"oidc/'*)
			mod=$(printf '%s\n' "$inc" |
			    sed -nE 's/.*"oidc\/([A-Za-z0-9_]+)\.h".*/\1/p')
			[ -n "$mod" ] || continue
			hl=$(printf '%s\n' "$layermap" |
			    awk -v m="$mod" '$1 == m { print $2; exit }')
			[ -n "$hl" ] || continue
			fl=$(layer_of_file "$f")
			if [ "$(rank "$hl")" -gt "$(rank "$fl")" ]; then
				echo "$f:$line: layer $fl includes oidc/$mod.h from layer $hl (B2)"
			fi ;;
		esac
	done >> "$tmp/out"
done

if [ -s "$tmp/out" ]; then
	cat "$tmp/out"
	n=$(wc -l < "$tmp/out")
	echo "checksrc: $n violation(s)"
	exit 1
fi
echo "checksrc: ok"
exit 0
