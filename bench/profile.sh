#!/bin/bash
# bench/profile.sh: where the instructions of one full flow go.
#
#   OIDC_BUILD=build/release bench/profile.sh [flows]
#
# Brings up the bench stack (bench/stack.sh) with ONE worker per endpoint,
# the authorize, token and userinfo workers under
# `valgrind --tool=callgrind`, runs `flows` full flows (default 300, RS256,
# 2 connections; the first requests' lazy PQprepare is included), stops the
# workers (callgrind writes its profile at exit) and prints, per endpoint,
# the instructions per request and the inclusive cost of the top functions.
# Instruction counts do not depend on the machine's load; times do not
# come from here (see bench/README.md for how they are combined).
# Output also goes to bench/results/profile.txt; the raw callgrind.out.*
# files are kept in bench/results/callgrind/ for callgrind_annotate.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
B=${OIDC_BUILD:-build/release}
case $B in /*) ;; *) B=$ROOT/$B ;; esac
N=${1:-300}
OUTDIR=$ROOT/bench/results
command -v valgrind >/dev/null || { echo "profile: valgrind not installed" >&2; exit 1; }

BENCH_WORKERS=1
STACK_WRAP_ONLY="authorize token userinfo"
# @NAME@ is replaced per endpoint by stack.sh; $T is known only after
# mktemp, so the profile goes to a fixed world-writable dir first.
PROF=$(mktemp -d "${TMPDIR:-/tmp}/oidc-prof.XXXXXX")
chmod 0777 "$PROF"
# Everything is counted (handle_one is inlined into oidc_app_main, so it
# cannot be toggled); the per-request figures below are inclusive costs of
# functions that only run per request, divided by the request count.
STACK_WRAP="valgrind --tool=callgrind --callgrind-out-file=$PROF/callgrind.out.@NAME@"
# shellcheck source=bench/stack.sh
. "$ROOT/bench/stack.sh"
stack_tools
trap 'stack_down; rm -rf "$PROF"' EXIT
trap 'exit 130' INT TERM HUP
stack_up
sleep 2	# valgrind start-up

L=$B/bench/load
"$L" -p "$PORT" -m full_flow -C bench-rs -S "$SECRET_RS" -k "$SESSION" \
    -c 2 -n "$N" -d 600 | head -4
stack_down	# callgrind writes its profile when the workers exit
PROFILE_FUNCS='^(oidc_app_main|FCGX_Accept_r|FCGX_Finish_r|oidc_request_parse|oidc_(authorize|token|userinfo)_handle|oidc_client_load|oidc_client_from_row|oidc_client_authenticate|oidc_session_current|oidc_db_[a-z_]+|PQexecPrepared|PQexec|PQgetResult|oidc_jws_sign|oidc_jwk_sign|oidc_grant_[a-z_]+|oidc_json_parse|oidc_json_serialize|json_tokener_parse_ex|oidc_scope_claims|oidc_resp_[a-z_]+|oidc_log|oidc_random_token|oidc_random_bytes|oidc_sha256|EVP_DigestSign|EVP_DigestSignFinal|BN_mod_exp_mont_consttime|ossl_ec_[a-z_]+|malloc|free|__libc_write|write|send|recv|poll|read)$'
mkdir -p "$OUTDIR/callgrind"
{
echo "callgrind, $N full_flow RS256 flows (one worker per endpoint), $(date '+%Y-%m-%d %H:%M %Z')"
for e in authorize token userinfo; do
	f=$PROF/callgrind.out.$e
	[ -f "$f" ] || { echo "$e: no profile"; continue; }
	cp "$f" "$OUTDIR/callgrind/callgrind.out.$e"
	echo
	echo "== $e.fcgi: inclusive instructions per request ($N requests)"
	callgrind_annotate --inclusive=yes --threshold=100 "$f" 2>/dev/null |
	    awk -v n="$N" -v pat="$PROFILE_FUNCS" '
	    /^ *[0-9,]+ / {
		ir = $1; gsub(",", "", ir)
		fn = $0; sub(/^ *[0-9,]+ +(\([^)]*\) +)?/, "", fn)
		sub(/ \[.*$/, "", fn)
		name = fn; sub(/^.*:/, "", name)
		if (name ~ pat && !(name in seen)) {
			seen[name] = 1
			printf "  %12.0f  %s\n", ir / n, fn
		}
	    }' | head -40
done
} | tee "$OUTDIR/profile.txt"
