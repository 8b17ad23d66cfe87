#!/bin/bash
# tests/integration/run.sh: drive the real stack (PostgreSQL, spawn-fcgi
# workers, nginx, then lighttpd) over HTTP.  `make check-integration` runs it
# with OIDC_BUILD=build/release (or build/asan).
#
# The stack is scripts/stack.sh's (docs/STACK.md: layout, options) in a
# throwaway directory ($OIDC_TMP, from mktemp -d): PostgreSQL with fsync
# off, ONE worker per endpoint (spawn-fcgi -n, our child: its exit status
# is checked under valgrind), sockets mode 0666 (tests speak FastCGI to
# run/<name>.sock), nginx then lighttpd.  Added here: keys/pairwise.salt
# (t/46-pairwise.py); oidc.conf with key_reload_interval 1 (key changes
# seen within a second), registration = token, outbound_allow_private,
# jarm, par = yes, totp = optional;
# scope = groups: groups; ui_locales = en fr;
# log/t-<test>.<frontend>.out, each test's output; expected-errors, grep -E
# patterns (one a line) tests append for the level=error / front-end error
# lines they provoke.  Tests stop and start PostgreSQL with
# "$OIDC_PGCTL stop -m fast" / "$OIDC_PGCTL start".  When run as root,
# PostgreSQL, the workers and the front ends' workers run as the
# unprivileged user oidctest; tests themselves run as the invoking user.
#
# Phases:
#   1. nginx (deploy/nginx/oidc.conf.in rendered) on a free 127.0.0.1 port:
#      every tests/integration/t/*.py in name order.
#   2. lighttpd (deploy/lighttpd/oidc.conf.in rendered) on the SAME port,
#      after nginx has stopped, so the issuer in oidc.conf stays right and
#      the workers keep running: the tests whose file name contains "smoke"
#      or that contain the line "# oidctest: lighttpd".
#   3. tests/interop/*.py, standalone, from the repo root.
# Then the workers are stopped (so sanitizer leak reports are flushed) and
# their logs are checked: no "level=error" line that no pattern in
# expected-errors matches, no AddressSanitizer/LeakSanitizer/UBSan report;
# the front-end error logs are checked the same way.
#
# Environment passed to every test: OIDC_ISSUER (base URL), OIDC_FRONTEND
# (nginx|lighttpd), OIDC_CONFIG, OIDC_CTL (absolute oidcctl path), OIDC_TMP,
# OIDC_BUILD (absolute), OIDC_ROOT (repo root), OIDC_PGHOST, OIDC_PGUSER,
# OIDC_PGDATABASE, OIDC_PGBIN, OIDC_PGCTL, OIDC_PGDATA, OIDC_RUNDIR,
# OIDC_KEY_RS256, OIDC_KEY_ES256, OIDC_TEST_TIMEOUT_MULT, PYTHONPATH (lib/),
# OIDC_REG_INITIAL_TOKEN (oidc.conf has registration = token with it).
#
# Knobs:
#   OIDC_TEST_LEAVE=1         keep the temp dir (logs, cluster) afterwards
#   OIDC_TEST_TIMEOUT_MULT=N  per-test timeout is 120*N s (default 1, 3 for
#                             an asan build)
#   OIDC_TEST_ONLY=substr     run only tests whose file name contains substr
#                             (a|b|c: any of them)
#   OIDC_TEST_NGINX=path      nginx binary (default: nginx from PATH/sbin)
#   OIDC_TEST_LIGHTTPD=path   lighttpd binary
#   OIDC_TEST_PGBIN=dir       PostgreSQL bin dir (default: newest
#                             /usr/lib/postgresql/*/bin)
#   OIDC_TEST_NO_LIGHTTPD=1   skip phase 2
#   OIDC_TEST_VALGRIND=1      run every worker under valgrind (start-up
#                             wait up to 120 s; each worker must then exit
#                             0 on SIGTERM: leak check done, no error)
#   OIDC_TEST_USER=name       the unprivileged user when root (oidctest)
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1

B=${OIDC_BUILD:-build/release}
case $B in /*) ;; *) B=$ROOT/$B ;; esac

MULT=${OIDC_TEST_TIMEOUT_MULT:-}
if [ -z "$MULT" ]; then
	case $B in *asan*) MULT=3 ;; *) MULT=1 ;; esac
fi
if [ "${OIDC_TEST_VALGRIND:-0}" = 1 ] && [ -z "${OIDC_TEST_TIMEOUT_MULT:-}" ]; then
	MULT=10
fi

say() { printf 'integration: %s\n' "$*"; }
die() { printf 'integration: %s\n' "$*" >&2; exit 1; }

# The stack (scripts/stack.sh, docs/STACK.md): throwaway, fsync off, one
# worker per endpoint that is our child, sockets open to the tests.
# shellcheck source=scripts/stack.sh
. "$ROOT/scripts/stack.sh"
PGBIN=${OIDC_TEST_PGBIN:-}
NGINX=${OIDC_TEST_NGINX:-}
LIGHTTPD=${OIDC_TEST_LIGHTTPD:-}
STACK_USER=${OIDC_TEST_USER:-oidctest}
STACK_TEMP=1 STACK_DURABLE=0 STACK_FORK=0 STACK_SOCK_MODE=0666
STACK_LEAVE=${OIDC_TEST_LEAVE:-0} STACK_MULT=$MULT STACK_READY=$((10 * MULT))
if [ "${OIDC_TEST_VALGRIND:-0}" = 1 ]; then
	STACK_READY=120
	STACK_WRAP="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1"
	[ -f "$ROOT/tests/valgrind.supp" ] &&
		STACK_WRAP="$STACK_WRAP --suppressions=$ROOT/tests/valgrind.supp"
	command -v valgrind >/dev/null || die "valgrind not found"
fi
REG_INITIAL_TOKEN=oidc-integration-initial-access-token
STACK_CONF="pairwise_salt_file = @DIR@/keys/pairwise.salt
key_reload_interval = 1
code_ttl = 600
access_token_ttl = 3600
id_token_ttl = 3600
refresh_token_ttl = 2592000
session_ttl = 86400
log_level = info
db_timeout = 5
# A short failover wait (deploy/ha/README.md): t/90-db-outage expects a
# 503 within 5 s of stopping the only server.
db_failover_wait = 2
# Dynamic registration (t/45-register.py), guarded by the initial access
# token \"$REG_INITIAL_TOKEN\".
registration = token
registration_initial_token_hash = $(printf %s "$REG_INITIAL_TOKEN" | sha256sum | cut -d' ' -f1)
# Outbound requests to 127.0.0.1 over http (t/80-backchannel.py receivers).
outbound_allow_private = yes
# JARM response modes (t/84-jarm.py; it runs private workers without it).
jarm = yes
# Pushed Authorization Requests (t/84-par.py, t/60-openid-client.py).
par = yes
# A custom scope and the claim it releases (t/32-custom-claims.py).
scope = groups: groups
# The device authorization grant (RFC 8628; t/61-device.py).
device_grant = yes
# DPoP (t/33-dpop.py), with server nonces (key_encryption_key is set).
dpop = yes
# The pages in English and French (t/54-themes-browser.py, t/55-i18n.py).
ui_locales = en fr
# The TOTP second factor for enrolled users (t/52-totp-browser.py,
# t/53-totp.py; key_encryption_key seals the secrets).
totp = optional
# Resource indicators (t/35-resource.py; it runs a private token worker
# without it).
resource_indicators = yes"
stack_tools
trap stack_down EXIT
trap 'say "interrupted"; exit 130' INT TERM HUP

STACK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/oidc-it.XXXXXX") || die "mktemp failed"
T=$STACK_DIR
STACK_CONF=${STACK_CONF//@DIR@/$T}
STACK_PORT=$(free_port) || die "no free port"
: >"$T/expected-errors"
chmod 0666 "$T/expected-errors"
mkdir -p "$T/keys" && stack_own "$T/keys"
stack_secret "$T/keys/pairwise.salt"
say "temp dir $T, port $STACK_PORT, build $B"
stack_base
# Every statement's parameter and column counts, as the server describes
# them, against common/db/stmt.c's declarations (issue 18): a difference
# stops the run before any test.
"$CTL" db check >"$T/log/db-check.log" 2>&1 ||
	{ cat "$T/log/db-check.log" >&2; die "oidcctl db check failed"; }
if [ -f "$ROOT/sql/fixtures/test_seed.sql" ]; then
	stack_psql -f "$ROOT/sql/fixtures/test_seed.sql" >"$T/log/seed.log" 2>&1 ||
		{ cat "$T/log/seed.log" >&2; die "test_seed.sql failed"; }
fi
stack_workers

# ---- running tests ---------------------------------------------------------

PASSED=0
FAILED=0
SKIPPED=0
RESULTS=()
SKIPS=()

run_test() { # file frontend
	local f=$1 fe=$2 base out rc npass nfail line
	base=$(basename "$f" .py)
	out=$T/log/t-$base.$fe.out
	env OIDC_ISSUER="$ISSUER" OIDC_FRONTEND="$fe" OIDC_CONFIG="$OIDC_CONFIG" \
	    OIDC_CTL="$CTL" OIDC_TMP="$T" OIDC_BUILD="$B" OIDC_ROOT="$ROOT" \
	    OIDC_PGHOST="$T/pg" OIDC_PGUSER=oidc OIDC_PGDATABASE=oidc \
	    OIDC_PGBIN="$PGBIN" OIDC_PGCTL="$T/bin/pgctl" \
	    OIDC_PGDATA="$T/pgdata" OIDC_RUNDIR="$T/run" \
	    OIDC_KEY_RS256="$T/keys/rs256.pem" OIDC_KEY_ES256="$T/keys/es256.pem" \
	    OIDC_TEST_TIMEOUT_MULT="$MULT" \
	    OIDC_REG_INITIAL_TOKEN="$REG_INITIAL_TOKEN" \
	    PYTHONPATH="$ROOT/tests/integration/lib${PYTHONPATH:+:$PYTHONPATH}" \
	    PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
	    timeout -k 5 $((120 * MULT)) python3 "$f" >"$out" 2>&1 </dev/null
	rc=$?
	sed 's/^/    /' "$out"
	# A skip is not a pass: counted apart, each with its reason.
	nskip=$(grep -c '^ok - .* # SKIP ' "$out")
	npass=$(( $(grep -c '^ok - ' "$out") - nskip ))
	nfail=$(grep -c '^not ok - ' "$out")
	while IFS= read -r l; do
		SKIPS+=("SKIP  $fe  $base: ${l#ok - }")
	done < <(grep '^ok - .* # SKIP ' "$out")
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		line="not ok - $base: timed out after $((120 * MULT))s"
		echo "    $line"
		nfail=$((nfail + 1))
	elif [ "$rc" != 0 ] && [ "$nfail" = 0 ]; then
		line="not ok - $base: exited $rc"
		echo "    $line"
		nfail=$((nfail + 1))
	elif [ "$rc" = 0 ] && [ "$npass" = 0 ] && [ "$nfail" = 0 ] &&
	    [ "$nskip" = 0 ]; then
		# A script without TAP lines (e.g. tests/interop) counts once.
		echo "    ok - $base: exited 0"
		npass=1
	fi
	PASSED=$((PASSED + npass))
	FAILED=$((FAILED + nfail))
	SKIPPED=$((SKIPPED + nskip))
	sk=""
	[ "$nskip" = 0 ] || sk=", $nskip skipped"
	if [ "$nfail" = 0 ]; then
		RESULTS+=("PASS  $fe  $base ($npass checks$sk)")
	else
		RESULTS+=("FAIL  $fe  $base ($npass passed, $nfail failed$sk)")
	fi
}

selected() { # file
	local alt
	[ -z "${OIDC_TEST_ONLY:-}" ] && return 0
	IFS='|' read -r -a alt <<<"$OIDC_TEST_ONLY"
	for s in "${alt[@]}"; do
		case $(basename "$1") in *"$s"*) return 0 ;; esac
	done
	return 1
}

check() { # name ok(0/1) [detail lines on stdin]
	if [ "$2" = 0 ]; then
		echo "ok - $1"
		PASSED=$((PASSED + 1))
	else
		echo "not ok - $1"
		FAILED=$((FAILED + 1))
		RESULTS+=("FAIL  $1")
	fi
}

# What the rendered lighttpd template does for an operator (issue 20 item
# 3): "/" answers 200 with no document root at all, a request reaches
# access.log in @LOGDIR@ (lighttpd may buffer it: a bounded wait), and
# when started as root lighttpd runs as the dropped user.
lighttpd_checks() {
	local mark code ok i user
	mark="accesslog-check-$$-$RANDOM"
	code=$(python3 - "$ISSUER" "$mark" <<'EOF'
import sys, urllib.request
for path in ("/", "/healthz?" + sys.argv[2]):
    with urllib.request.urlopen(sys.argv[1] + path, timeout=10) as r:
        print(r.status, end=" ")
EOF
)
	check "lighttpd: GET / answers 200 without $T/lighttpd/htdocs ($code)" \
	    "$([ ! -e "$T/lighttpd/htdocs" ] && [ "$code" = "200 200 " ] &&
	    echo 0 || echo 1)"
	ok=1
	for i in $(seq $((50 * MULT))); do
		if grep -q "GET /healthz?$mark " "$T/lighttpd/log/access.log" \
		    2>/dev/null; then
			ok=0
			break
		fi
		sleep 0.1
	done
	[ $ok = 0 ] || tail -5 "$T/lighttpd/log/access.log" 2>/dev/null
	check "lighttpd: the request is in log/access.log (@LOGDIR@)" $ok
	if [ ${#AS[@]} -gt 0 ]; then
		user=$(ps -o user= -p "$LIGHTTPD_PID" | tr -d ' ')
		check "lighttpd: runs as $STACK_USER after dropping privileges ($user)" \
		    "$([ "$user" = "$STACK_USER" ] && echo 0 || echo 1)"
		user=$(stat -c %U "$T/lighttpd/log/error.log" 2>/dev/null)
		check "lighttpd: created log/error.log as $STACK_USER ($user)" \
		    "$([ "$user" = "$STACK_USER" ] && echo 0 || echo 1)"
	fi
}

# Phases 1 and 2: a front end, its tests, then it stops (same port, same
# workers).
frontend_phase() { # nginx|lighttpd
	local fe=$1 f rc
	stack_frontend "$fe"
	rc=$?
	[ $rc = 2 ] && cat "$T/log/$fe-t.log"
	check "$fe -t accepts the rendered deploy/$fe/oidc.conf.in" \
	    "$([ $rc != 2 ] && echo 0 || echo 1)"
	check "$fe came up on $ISSUER" "$([ $rc = 0 ] && echo 0 || echo 1)"
	if [ $rc = 0 ]; then
		for f in "$ROOT"/tests/integration/t/*.py; do
			selected "$f" || continue
			[ "$fe" = nginx ] || case $(basename "$f") in
			*smoke*) ;;
			*) grep -q '^# oidctest: lighttpd' "$f" || continue ;;
			esac
			echo "# $(basename "$f") [$fe]"
			run_test "$f" "$fe"
		done
		[ "$fe" = nginx ] || lighttpd_checks
	fi
	stack_frontends_stop
}
frontend_phase nginx
if [ "${OIDC_TEST_NO_LIGHTTPD:-0}" != 1 ]; then
	if [ -z "$LIGHTTPD" ]; then
		check "lighttpd installed" 1
	else
		frontend_phase lighttpd
	fi
fi

# Phase 3: standalone interop scripts.
for f in "$ROOT"/tests/interop/*.py; do
	[ -f "$f" ] || continue
	selected "$f" || continue
	echo "# interop/$(basename "$f")"
	run_test "$f" interop
done

# ---- log checks ------------------------------------------------------------

stack_workers_stop

filter_expected() {
	if [ -s "$T/expected-errors" ]; then
		grep -v -E -f "$T/expected-errors"
	else
		cat
	fi
}

for name in $ENDPOINTS; do
	log=$T/log/$name.log
	bad=$(grep -a 'level=error' "$log" | filter_expected)
	if [ -n "$bad" ]; then
		printf '%s\n' "$bad" | head -20 | sed 's/^/    /'
		check "$name.fcgi log: no unexpected level=error lines" 1
	else
		check "$name.fcgi log: no unexpected level=error lines" 0
	fi
	bad=$(grep -a -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|==[0-9]+== (Invalid|Conditional|Use of|Syscall param|Mismatched)|definitely lost in|indirectly lost in' "$log")
	if [ -n "$bad" ]; then
		grep -a -B2 -A30 -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$log" | head -60 | sed 's/^/    /'
		printf '%s\n' "$bad" | head -5 | sed 's/^/    /'
		check "$name.fcgi log: no sanitizer/valgrind report" 1
	else
		check "$name.fcgi log: no sanitizer/valgrind report" 0
	fi
done
if [ -n "${STACK_WRAP:-}" ]; then
	i=0
	for name in "${WORKER_NAMES[@]}"; do
		rc=${STACK_WORKER_RC[$i]:-none}
		[ "$rc" = 0 ] || say "$name.fcgi: exit status $rc"
		check "$name.fcgi under valgrind exited 0 on SIGTERM (leak check done, no error)" \
		    "$([ "$rc" = 0 ] && echo 0 || echo 1)"
		i=$((i + 1))
	done
fi

if [ -f "$T/nginx/error.log" ]; then
	bad=$(grep -a -E '\[(error|crit|alert|emerg)\]' "$T/nginx/error.log" | filter_expected)
	if [ -n "$bad" ]; then
		printf '%s\n' "$bad" | head -20 | sed 's/^/    /'
		check "nginx error.log: no unexpected errors" 1
	else
		check "nginx error.log: no unexpected errors" 0
	fi
fi
if [ -f "$T/lighttpd/log/error.log" ]; then
	bad=$(grep -a -v -E 'server started|server stopped|\[note\]' \
	    "$T/lighttpd/log/error.log" | filter_expected)
	if [ -n "$bad" ]; then
		printf '%s\n' "$bad" | head -20 | sed 's/^/    /'
		check "lighttpd error.log: no unexpected errors" 1
	else
		check "lighttpd error.log: no unexpected errors" 0
	fi
fi

echo
for r in "${RESULTS[@]}"; do
	echo "  $r"
done
for r in ${SKIPS[@]+"${SKIPS[@]}"}; do
	echo "  $r"
done
echo "integration: $PASSED passed, $FAILED failed, $SKIPPED skipped"
if [ "$FAILED" = 0 ]; then
	exit 0
fi
exit 1
