#!/bin/bash
# tests/integration/run.sh: drive the real stack (PostgreSQL, spawn-fcgi
# workers, nginx, then lighttpd) over HTTP.  `make check-integration` runs it
# with OIDC_BUILD=build/release (or build/asan).
#
# Layout of the throwaway directory ($OIDC_TMP, from mktemp -d):
#
#   pgdata/            the PostgreSQL cluster (initdb --auth=trust -U oidc)
#   pg/                its unix socket directory (listen_addresses = '')
#   bin/pgctl          wrapper: pg_ctl -D pgdata -l log/postgres.log "$@",
#                      run as the right user; tests stop/start PostgreSQL
#                      with "$OIDC_PGCTL stop -m fast" / "$OIDC_PGCTL start"
#   keys/rs256.pem     RSA 2048 signing key (PEM, PKCS#8)
#   keys/es256.pem     P-256 signing key
#   keys/pairwise.salt pairwise_salt_file (pairwise subjects, t/46-pairwise.py)
#   keys/kek.hex       key_encryption_key for database keys (oidcctl key) and sealed client secrets;
#                      key_reload_interval is 1 so tests see key changes
#                      within a second
#   oidc.conf          the config every binary and oidcctl reads
#   run/<name>.sock    one spawn-fcgi socket per cgi-bin/<name>.fcgi
#   log/<name>.log     each worker's stderr; log/postgres.log;
#                      log/t-<test>.<frontend>.out each test's output
#   nginx/, lighttpd/  front-end prefixes (rendered config, error.log, pid);
#                      lighttpd/log/ holds lighttpd's error.log and
#                      access.log (@LOGDIR@), lighttpd/ has no htdocs/
#   expected-errors    grep -E patterns (one a line) tests append for
#                      level=error / front-end error lines they provoke
#
# Database: superuser role "oidc", database "oidc", trust auth on the socket
# only: conninfo "host=$OIDC_TMP/pg dbname=oidc user=oidc".  When run as
# root, PostgreSQL, the workers and the nginx/lighttpd workers run as the
# unprivileged system user "oidctest" (created with useradd if missing);
# tests themselves run as the invoking user.
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
PATH=$PATH:/usr/sbin:/sbin
export PATH

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1

B=${OIDC_BUILD:-build/release}
case $B in /*) ;; *) B=$ROOT/$B ;; esac
CTL=$B/oidcctl
TUSER=${OIDC_TEST_USER:-oidctest}

MULT=${OIDC_TEST_TIMEOUT_MULT:-}
if [ -z "$MULT" ]; then
	case $B in *asan*) MULT=3 ;; *) MULT=1 ;; esac
fi
if [ "${OIDC_TEST_VALGRIND:-0}" = 1 ] && [ -z "${OIDC_TEST_TIMEOUT_MULT:-}" ]; then
	MULT=10
fi

say() { printf 'integration: %s\n' "$*"; }
die() { printf 'integration: %s\n' "$*" >&2; exit 1; }

# ---- tools -----------------------------------------------------------------

PGBIN=${OIDC_TEST_PGBIN:-}
if [ -z "$PGBIN" ]; then
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
		[ -x "$d/initdb" ] && PGBIN=$d
	done
fi
[ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] ||
	die "PostgreSQL server binaries not found (set OIDC_TEST_PGBIN; run scripts/deps.sh)"
NGINX=${OIDC_TEST_NGINX:-$(command -v nginx)}
LIGHTTPD=${OIDC_TEST_LIGHTTPD:-$(command -v lighttpd)}
[ -n "$NGINX" ] || die "nginx not found (run scripts/deps.sh)"
command -v spawn-fcgi >/dev/null || die "spawn-fcgi not found (run scripts/deps.sh)"
command -v openssl >/dev/null || die "openssl not found"
command -v python3 >/dev/null || die "python3 not found"
[ -x "$CTL" ] || die "$CTL not built (make first)"

AS=()
if [ "$(id -u)" = 0 ]; then
	if ! id "$TUSER" >/dev/null 2>&1; then
		useradd --system --user-group --no-create-home \
		    --home-dir /nonexistent --shell /usr/sbin/nologin "$TUSER" ||
			die "cannot create user $TUSER"
	fi
	AS=(runuser -u "$TUSER" --)
fi

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# ---- teardown (idempotent; also the EXIT trap) -----------------------------

T=""
NGINX_PID=""
LIGHTTPD_PID=""
WORKER_PIDS=()
WORKER_RC=()
PG_STARTED=0

stop_frontends() {
	local p
	for p in $NGINX_PID $LIGHTTPD_PID; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $NGINX_PID $LIGHTTPD_PID; do
		for _ in $(seq 50); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	NGINX_PID=""
	LIGHTTPD_PID=""
}

stop_workers() {
	local p alive
	[ ${#WORKER_PIDS[@]} -gt 0 ] || return 0
	kill -TERM "${WORKER_PIDS[@]}" 2>/dev/null
	# Give sanitizer builds time to write their leak reports.
	for _ in $(seq $((50 * MULT))); do
		alive=0
		for p in "${WORKER_PIDS[@]}"; do
			kill -0 "$p" 2>/dev/null && alive=1
		done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	kill -KILL "${WORKER_PIDS[@]}" 2>/dev/null
	# Exit statuses, in NAMES order: under valgrind 0 means its leak
	# check ran (a worker SIGKILLed above never gets one) and found
	# nothing (--error-exitcode=1).
	WORKER_RC=()
	for p in "${WORKER_PIDS[@]}"; do
		wait "$p" 2>/dev/null
		WORKER_RC+=($?)
	done
	WORKER_PIDS=()
}

stop_pg() {
	[ $PG_STARTED = 1 ] || return 0
	# Whatever the tests did (stop, restart), pg_ctl finds the postmaster
	# through pgdata/postmaster.pid; "not running" is fine.
	"${AS[@]}" "$PGBIN/pg_ctl" -D "$T/pgdata" -m immediate -w stop \
	    >/dev/null 2>&1
	PG_STARTED=0
}

teardown() {
	stop_frontends
	stop_workers
	stop_pg
	if [ -n "$T" ] && [ -d "$T" ]; then
		if [ "${OIDC_TEST_LEAVE:-0}" = 1 ]; then
			say "left $T"
		else
			rm -rf "$T"
		fi
	fi
}

trap teardown EXIT
trap 'say "interrupted"; exit 130' INT TERM HUP

# ---- set up ----------------------------------------------------------------

T=$(mktemp -d "${TMPDIR:-/tmp}/oidc-it.XXXXXX") || die "mktemp failed"
chmod 0755 "$T"
mkdir -p "$T/pgdata" "$T/pg" "$T/bin" "$T/keys" "$T/run" "$T/log" \
    "$T/nginx/tmp" "$T/lighttpd/tmp" "$T/lighttpd/log"
chmod 0700 "$T/pgdata"
: >"$T/expected-errors"
chmod 0666 "$T/expected-errors"
if [ ${#AS[@]} -gt 0 ]; then
	chown "$TUSER:" "$T/pgdata" "$T/pg" "$T/log" "$T/keys" "$T/run"
	# As deploy/README.md section 5 has it: lighttpd opens its logs
	# after dropping privileges, and buffers large request bodies in
	# tmp/; the prefix itself (pid file, written as root) stays root's.
	chown "$TUSER:" "$T/lighttpd/log" "$T/lighttpd/tmp"
fi

# The workers run as $TUSER: when the checkout is not reachable for it
# (a clone inside a 0700 directory such as one from mktemp -d), run copies
# of the binaries from the temp dir instead.
if [ ${#AS[@]} -gt 0 ] && ! "${AS[@]}" test -x "$B/cgi-bin/token.fcgi"; then
	mkdir -p "$T/build/cgi-bin"
	cp "$B"/cgi-bin/*.fcgi "$T/build/cgi-bin/" &&
	    cp "$B/oidcctl" "$T/build/" || die "cannot copy the binaries"
	chmod -R a+rX "$T/build"
	say "the build is not reachable for $TUSER: using copies in $T/build"
	B=$T/build
	CTL=$B/oidcctl
fi

PORT=$(free_port) || die "no free port"
ISSUER=http://127.0.0.1:$PORT
say "temp dir $T, port $PORT, build $B"

# PostgreSQL: a private cluster on a unix socket only.
"${AS[@]}" "$PGBIN/initdb" -D "$T/pgdata" -U oidc --auth=trust --no-sync \
    -E UTF8 --locale=C >"$T/log/initdb.log" 2>&1 ||
	{ cat "$T/log/initdb.log" >&2; die "initdb failed"; }
cat >>"$T/pgdata/postgresql.conf" <<EOF

# oidc-fcgi integration tests
listen_addresses = ''
unix_socket_directories = '$T/pg'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
log_min_messages = warning
EOF
cat >"$T/bin/pgctl" <<EOF
#!/bin/sh
# pg_ctl for the integration cluster (generated by tests/integration/run.sh)
exec ${AS[*]} "$PGBIN/pg_ctl" -D "$T/pgdata" -l "$T/log/postgres.log" "\$@"
EOF
chmod 0755 "$T/bin/pgctl"
"$T/bin/pgctl" -w -t 60 start >/dev/null ||
	{ cat "$T/log/postgres.log" >&2; die "PostgreSQL did not start"; }
PG_STARTED=1
"$PGBIN/createdb" -h "$T/pg" -U oidc oidc || die "createdb failed"

# Signing keys, readable only by the workers' user.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out "$T/keys/rs256.pem" 2>/dev/null || die "RSA key generation failed"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$T/keys/es256.pem" 2>/dev/null || die "EC key generation failed"
# The key-encryption key for database signing keys (oidcctl key) and the
# sealed secrets of client_secret_jwt and HS* clients.
openssl rand -hex 32 >"$T/keys/kek.hex" || die "openssl rand failed"
# The salt of pairwise subject identifiers (t/46-pairwise.py).
openssl rand -hex 32 >"$T/keys/pairwise.salt" || die "openssl rand failed"
chmod 0600 "$T/keys/"*.pem "$T/keys/kek.hex" "$T/keys/pairwise.salt"
if [ ${#AS[@]} -gt 0 ]; then
	chown "$TUSER:" "$T/keys/"*.pem "$T/keys/kek.hex" \
	    "$T/keys/pairwise.salt"
fi

REG_INITIAL_TOKEN=oidc-integration-initial-access-token
cat >"$T/oidc.conf" <<EOF
# oidc-fcgi integration test configuration (generated by run.sh)
issuer = $ISSUER
database = host=$T/pg dbname=oidc user=oidc connect_timeout=3
signing_key = $T/keys/rs256.pem
signing_key = $T/keys/es256.pem
key_encryption_key = $T/keys/kek.hex
pairwise_salt_file = $T/keys/pairwise.salt
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
# token "$REG_INITIAL_TOKEN".
registration = token
registration_initial_token_hash = $(printf %s "$REG_INITIAL_TOKEN" | sha256sum | cut -d' ' -f1)
# Outbound requests to 127.0.0.1 over http (t/80-backchannel.py receivers).
outbound_allow_private = yes
EOF
chmod 0644 "$T/oidc.conf"
export OIDC_CONFIG=$T/oidc.conf

(cd "$ROOT" && "$CTL" migrate) >"$T/log/migrate.log" 2>&1 ||
	{ cat "$T/log/migrate.log" >&2; die "oidcctl migrate failed"; }
# Every statement's parameter and column counts, as the server describes
# them, against common/db/stmt.c's declarations (issue 18): a difference
# stops the run before any test.
"$CTL" db check >"$T/log/db-check.log" 2>&1 ||
	{ cat "$T/log/db-check.log" >&2; die "oidcctl db check failed"; }
if [ -f "$ROOT/sql/fixtures/test_seed.sql" ]; then
	"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$T/pg" -U oidc -d oidc \
	    -f "$ROOT/sql/fixtures/test_seed.sql" >"$T/log/seed.log" 2>&1 ||
		{ cat "$T/log/seed.log" >&2; die "test_seed.sql failed"; }
fi

# Workers: one spawn-fcgi (one process) per endpoint binary.
SPAWN_USER=()
if [ ${#AS[@]} -gt 0 ]; then
	SPAWN_USER=(-u "$TUSER" -g "$TUSER")
fi
VG=()
if [ "${OIDC_TEST_VALGRIND:-0}" = 1 ]; then
	# spawn-fcgi execs without a PATH search: an absolute path.
	VG=("$(command -v valgrind)" -q --leak-check=full --errors-for-leak-kinds=definite,indirect
	    --error-exitcode=1)
	[ -f "$ROOT/tests/valgrind.supp" ] &&
		VG+=(--suppressions="$ROOT/tests/valgrind.supp")
fi
NAMES=()
for bin in "$B"/cgi-bin/*.fcgi; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin" .fcgi)
	NAMES+=("$name")
	spawn-fcgi -n -s "$T/run/$name.sock" -M 0666 "${SPAWN_USER[@]}" -- \
	    "${VG[@]}" "$bin" >>"$T/log/$name.log" 2>&1 &
	WORKER_PIDS+=($!)
done
[ ${#NAMES[@]} -gt 0 ] || say "warning: no $B/cgi-bin/*.fcgi binaries"
for name in "${NAMES[@]}"; do
	for _ in $(seq 100); do
		[ -S "$T/run/$name.sock" ] && break
		sleep 0.05
	done
	[ -S "$T/run/$name.sock" ] || die "$name.sock did not appear"
done

# A worker's socket appears as soon as spawn-fcgi has bound it, before the
# worker has read its config and keys; under valgrind that takes tens of
# seconds on two CPUs, and a front end meanwhile answers 504.  So wait
# until every worker answers one request straight on its socket (PUT,
# refused with 405 before any database work): well under a second
# normally, up to 120 s under valgrind.  A worker that exits ends the wait.
wait_workers() { # seconds name:pid...
	OIDC_RUNDIR=$T/run PYTHONPATH=$ROOT/tests/integration/lib \
	    PYTHONDONTWRITEBYTECODE=1 python3 - "$@" <<'EOF'
import sys, threading, time
from oidctest import ENDPOINT_PATHS, cgi_params, fcgi_request
end = time.monotonic() + float(sys.argv[1])
late = []

def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False

def probe(name, pid):
    path = ENDPOINT_PATHS.get(name, "/" + name)
    while True:
        left = end - time.monotonic()
        if not alive(pid):
            late.append("%s(exited)" % name)
            return
        if left <= 0:
            late.append(name)
            return
        # One request at a time, waited for as long as it takes: a
        # request given up on would stay queued in the worker.
        if fcgi_request(name, cgi_params("PUT", path), timeout=left):
            return
        time.sleep(0.05)

ts = []
for arg in sys.argv[2:]:
    name, pid = arg.rsplit(":", 1)
    ts.append(threading.Thread(target=probe, args=(name, int(pid))))
    ts[-1].start()
for t in ts:
    t.join()
print(" ".join(sorted(late)))
sys.exit(1 if late else 0)
EOF
}
READY_SECONDS=$((10 * MULT))
[ ${#VG[@]} -gt 0 ] && READY_SECONDS=120
pairs=()
i=0
for p in "${WORKER_PIDS[@]}"; do
	pairs+=("${NAMES[$i]}:$p")
	i=$((i + 1))
done
t0=$(date +%s%N)
late=$(wait_workers "$READY_SECONDS" "${pairs[@]}")
rc=$?
i=0
for p in "${WORKER_PIDS[@]}"; do
	if ! kill -0 "$p" 2>/dev/null; then
		say "worker ${NAMES[$i]} exited at start-up:"
		sed 's/^/    /' "$T/log/${NAMES[$i]}.log"
		die "worker ${NAMES[$i]} failed to start"
	fi
	i=$((i + 1))
done
if [ $rc != 0 ]; then
	for name in $late; do
		say "$name.log (last lines):"
		tail -20 "$T/log/$name.log" 2>/dev/null | sed 's/^/    /'
	done
	die "workers not answering after ${READY_SECONDS}s: ${late:-?}"
fi
say "workers: ${NAMES[*]} (all answering after $((($(date +%s%N) - t0) / 1000000)) ms)"

# Render a front-end template.  Non-comment lines naming @USER@ are dropped
# unless we are root (then the front end's workers run as $TUSER).
render() { # template output prefix [logdir]
	local user=
	[ ${#AS[@]} -gt 0 ] && user=$TUSER
	# One worker per endpoint: keep-alive off (scripts/render-conf.sh).
	"$ROOT/scripts/render-conf.sh" "$1" "$2" "$PORT" "$T/run" "$3" \
	    "$user" 1 "${4:-$3}"
}

wait_ready() { # url pid
	local i
	for i in $(seq $((100 * MULT))); do
		kill -0 "$2" 2>/dev/null || return 1
		if python3 - "$1" <<'EOF' 2>/dev/null; then return 0; fi
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=1).read()
EOF
		sleep 0.1
	done
	return 1
}

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
	[ -z "${OIDC_TEST_ONLY:-}" ] && return 0
	case $(basename "$1") in *"$OIDC_TEST_ONLY"*) return 0 ;; esac
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
		check "lighttpd: runs as $TUSER after dropping privileges ($user)" \
		    "$([ "$user" = "$TUSER" ] && echo 0 || echo 1)"
		user=$(stat -c %U "$T/lighttpd/log/error.log" 2>/dev/null)
		check "lighttpd: created log/error.log as $TUSER ($user)" \
		    "$([ "$user" = "$TUSER" ] && echo 0 || echo 1)"
	fi
}

# Phase 1: nginx.
render "$ROOT/deploy/nginx/oidc.conf.in" "$T/nginx/nginx.conf" "$T/nginx"
if "$NGINX" -t -q -p "$T/nginx" -e "$T/nginx/error.log" \
    -c "$T/nginx/nginx.conf" >"$T/log/nginx-t.log" 2>&1; then
	check "nginx -t accepts the rendered deploy/nginx/oidc.conf.in" 0
else
	cat "$T/log/nginx-t.log"
	check "nginx -t accepts the rendered deploy/nginx/oidc.conf.in" 1
fi
"$NGINX" -p "$T/nginx" -e "$T/nginx/error.log" -c "$T/nginx/nginx.conf" \
    -g 'daemon off;' >>"$T/log/nginx.out" 2>&1 &
NGINX_PID=$!
if ! wait_ready "$ISSUER/" "$NGINX_PID"; then
	cat "$T/log/nginx.out" "$T/nginx/error.log" 2>/dev/null
	die "nginx did not come up on $ISSUER"
fi
say "nginx ready on $ISSUER"
for f in "$ROOT"/tests/integration/t/*.py; do
	[ -f "$f" ] || continue
	selected "$f" || continue
	echo "# $(basename "$f") [nginx]"
	run_test "$f" nginx
done
stop_frontends

# Phase 2: lighttpd on the same port, same workers.
if [ "${OIDC_TEST_NO_LIGHTTPD:-0}" != 1 ]; then
	if [ -z "$LIGHTTPD" ]; then
		check "lighttpd installed" 1
	else
		render "$ROOT/deploy/lighttpd/oidc.conf.in" \
		    "$T/lighttpd/lighttpd.conf" "$T/lighttpd" \
		    "$T/lighttpd/log"
		if "$LIGHTTPD" -tt -f "$T/lighttpd/lighttpd.conf" \
		    >"$T/log/lighttpd-t.log" 2>&1; then
			check "lighttpd -tt accepts the rendered deploy/lighttpd/oidc.conf.in" 0
		else
			cat "$T/log/lighttpd-t.log"
			check "lighttpd -tt accepts the rendered deploy/lighttpd/oidc.conf.in" 1
		fi
		"$LIGHTTPD" -D -f "$T/lighttpd/lighttpd.conf" \
		    >>"$T/log/lighttpd.out" 2>&1 &
		LIGHTTPD_PID=$!
		if wait_ready "$ISSUER/" "$LIGHTTPD_PID"; then
			say "lighttpd ready on $ISSUER"
			for f in "$ROOT"/tests/integration/t/*.py; do
				[ -f "$f" ] || continue
				selected "$f" || continue
				case $(basename "$f") in
				*smoke*) ;;
				*) grep -q '^# oidctest: lighttpd' "$f" || continue ;;
				esac
				echo "# $(basename "$f") [lighttpd]"
				run_test "$f" lighttpd
			done
			lighttpd_checks
		else
			cat "$T/log/lighttpd.out" "$T/lighttpd/log/error.log" \
			    2>/dev/null
			check "lighttpd came up on $ISSUER" 1
		fi
		stop_frontends
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

stop_workers

filter_expected() {
	if [ -s "$T/expected-errors" ]; then
		grep -v -E -f "$T/expected-errors"
	else
		cat
	fi
}

for name in "${NAMES[@]}"; do
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
if [ ${#VG[@]} -gt 0 ]; then
	i=0
	for name in "${NAMES[@]}"; do
		rc=${WORKER_RC[$i]:-none}
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
