#!/bin/bash
# tests/ha/run.sh [streaming|patroni]: the HA tests of issue 19
# (`make test-ha` runs both; `make test` runs it too).
#
# streaming (tier 1, the default): PostgreSQL streaming replication with
# pg_ctl promote:
#
#   pg1  primary,  127.0.0.1:$P1, synchronous_standby_names 'ANY 1 (s1,s2)'
#   pg2  standby s1 (pg_basebackup -R), 127.0.0.1:$P2
#   pg3  standby s2 (pg_basebackup -R), 127.0.0.1:$P3
#
# Two "hosts", each a set of workers (authorize, token, userinfo; one
# spawn-fcgi each) behind its own nginx (deploy/nginx/oidc.conf.in
# rendered by scripts/render-conf.sh), all with the multi-host conninfo
#
#   host=127.0.0.1,127.0.0.1,127.0.0.1 port=$P1,$P2,$P3 dbname=oidc
#   user=oidc target_session_attrs=read-write
#
# and database_read = the two standbys (target_session_attrs=
# prefer-standby).  tests/ha/ha_test.py then drives the load and the
# faults (its docstring has the assertions): replica reads and their
# fallback, the commit stuck on missing synchronous standbys,
# the primary SIGKILLed under load and a standby promoted, and the
# asynchronous variant whose loss the harness must detect.
#
# patroni (tier 2): one etcd member and three Patroni nodes pg1..pg3
# (tests/ha/patroni.sh, deploy/ha/patroni.yml), synchronous_mode on, the
# same two hosts and conninfo (database_read: all three nodes,
# prefer-standby; db_failover_wait = 15, above Patroni's ttl of 10 s);
# tests/ha/patroni_test.py: a patronictl switchover and a crash of the
# leader (Patroni and postmaster SIGKILLed together) under load.
#
# Like tests/integration/run.sh: a throwaway directory (OIDC_TEST_LEAVE=1
# keeps it), PostgreSQL and the workers run as the unprivileged user
# "oidctest" when started as root, every wait is bounded, teardown on
# exit.  Exit 0 only when every check passed.
set -u
PATH=$PATH:/usr/sbin:/sbin
export PATH

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
TIER=${1:-streaming}
case $TIER in
streaming|patroni) ;;
*) echo "usage: tests/ha/run.sh [streaming|patroni]" >&2; exit 2 ;;
esac
B=${OIDC_BUILD:-build/release}
case $B in /*) ;; *) B=$ROOT/$B ;; esac
CTL=$B/oidcctl
TUSER=${OIDC_TEST_USER:-oidctest}
MULT=${OIDC_TEST_TIMEOUT_MULT:-}
if [ -z "$MULT" ]; then
	case $B in *asan*) MULT=3 ;; *) MULT=1 ;; esac
fi

say() { printf 'ha(%s): %s\n' "$TIER" "$*"; }
die() { printf 'ha(%s): %s\n' "$TIER" "$*" >&2; exit 1; }

PGBIN=${OIDC_TEST_PGBIN:-}
if [ -z "$PGBIN" ]; then
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
		[ -x "$d/initdb" ] && PGBIN=$d
	done
fi
[ -n "$PGBIN" ] && [ -x "$PGBIN/pg_basebackup" ] ||
	die "PostgreSQL server binaries not found (run scripts/deps.sh)"
NGINX=${OIDC_TEST_NGINX:-$(command -v nginx)}
[ -n "$NGINX" ] || die "nginx not found (run scripts/deps.sh)"
command -v spawn-fcgi >/dev/null || die "spawn-fcgi not found"
command -v python3 >/dev/null || die "python3 not found"
[ -x "$CTL" ] || die "$CTL not built (make first)"
if [ "$TIER" = patroni ]; then
	. "$ROOT/tests/ha/patroni.sh"
	patroni_check
	command -v curl >/dev/null || die "curl not found"
fi

AS=()
if [ "$(id -u)" = 0 ]; then
	if ! id "$TUSER" >/dev/null 2>&1; then
		useradd --system --user-group --no-create-home \
		    --home-dir /nonexistent --shell /usr/sbin/nologin "$TUSER" ||
			die "cannot create user $TUSER"
	fi
	AS=(runuser -u "$TUSER" --)
fi

# take_ports NAME...: set each NAME to a free loopback port below the
# kernel's ephemeral range (32768-60999), so no outgoing connection of this
# run takes it before its server binds it, and never to a port this run
# handed out before (PORTS_GIVEN).
PORTS_GIVEN=""
take_ports() {
	local ports n i
	ports=$(python3 -c '
import random, socket, sys
given, want, out = set(map(int, sys.argv[2:])), int(sys.argv[1]), []
for _ in range(100 * want):
    p = random.randrange(20000, 30000)
    if p in given:
        continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    given.add(p)
    out.append(p)
    if len(out) == want:
        print(" ".join(map(str, out)))
        break
' "$#" $PORTS_GIVEN) || return 1
	read -r -a n <<<"$ports"
	[ "${#n[@]}" -eq "$#" ] || return 1
	for ((i = 1; i <= $#; i++)); do
		printf -v "${!i}" '%s' "${n[i-1]}"
	done
	PORTS_GIVEN="$PORTS_GIVEN $ports"
}

T=""
NGINX_PIDS=()
WORKER_PIDS=()

teardown() {
	local p n
	for p in "${NGINX_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	[ ${#WORKER_PIDS[@]} -gt 0 ] && kill -TERM "${WORKER_PIDS[@]}" 2>/dev/null
	for p in "${NGINX_PIDS[@]}" "${WORKER_PIDS[@]}"; do
		for _ in $(seq 50); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	NGINX_PIDS=()
	WORKER_PIDS=()
	if [ -n "$T" ]; then
		[ "$TIER" = patroni ] && patroni_teardown
		for n in 1 2 3; do
			[ -f "$T/pg$n/postmaster.pid" ] &&
				"${AS[@]}" "$PGBIN/pg_ctl" -D "$T/pg$n" -m immediate \
				    -w -t 20 stop >/dev/null 2>&1
		done
		if [ "${OIDC_TEST_LEAVE:-0}" = 1 ]; then
			say "left $T"
		else
			rm -rf "$T"
		fi
	fi
}
trap teardown EXIT
trap 'say "interrupted"; exit 130' INT TERM HUP

T=$(mktemp -d "${TMPDIR:-/tmp}/oidc-ha.XXXXXX") || die "mktemp failed"
chmod 0755 "$T"
mkdir -p "$T/bin" "$T/keys" "$T/log" "$T/sock1" "$T/sock2" "$T/sock3" \
    "$T/run1" "$T/run2" "$T/nginx1/tmp" "$T/nginx2/tmp"
if [ ${#AS[@]} -gt 0 ]; then
	chown "$TUSER:" "$T" "$T/log" "$T/keys" "$T/sock1" "$T/sock2" \
	    "$T/sock3"
	if ! "${AS[@]}" test -x "$B/cgi-bin/token.fcgi"; then
		mkdir -p "$T/build/cgi-bin"
		cp "$B"/cgi-bin/*.fcgi "$T/build/cgi-bin/" &&
		    cp "$B/oidcctl" "$T/build/" || die "cannot copy the binaries"
		chmod -R a+rX "$T/build"
		B=$T/build
		CTL=$B/oidcctl
	fi
fi

take_ports P1 P2 P3 H1 H2 || die "no free port"
[ "$P1" != "$P2" ] && [ "$P2" != "$P3" ] && [ "$P1" != "$P3" ] &&
    [ "$H1" != "$H2" ] || die "port collision, run again"
say "temp dir $T; PostgreSQL $P1 $P2 $P3; nginx $H1 $H2; build $B"

# One pg_ctl wrapper per node, run as the cluster's user.
for n in 1 2 3; do
	cat >"$T/bin/pgctl$n" <<EOF
#!/bin/sh
exec ${AS[*]} "$PGBIN/pg_ctl" -D "$T/pg$n" -l "$T/log/pg$n.log" "\$@"
EOF
	chmod 0755 "$T/bin/pgctl$n"
done

if [ "$TIER" = streaming ]; then
# The primary.
"${AS[@]}" "$PGBIN/initdb" -D "$T/pg1" -U oidc --auth=trust --no-sync \
    -E UTF8 --locale=C >"$T/log/initdb.log" 2>&1 ||
	{ cat "$T/log/initdb.log" >&2; die "initdb failed"; }
cat >>"$T/pg1/postgresql.conf" <<EOF

# oidc-fcgi HA tier 1 (tests/ha/run.sh).  fsync off: the test kills
# processes, not the machine, so the page cache survives.
listen_addresses = '127.0.0.1'
port = $P1
unix_socket_directories = '$T/sock1'
fsync = off
full_page_writes = off
synchronous_commit = on
synchronous_standby_names = 'ANY 1 (s1,s2)'
wal_keep_size = 256MB
max_connections = 60
log_min_messages = warning
EOF
"$T/bin/pgctl1" -w -t 60 start >/dev/null ||
	{ cat "$T/log/pg1.log" >&2; die "the primary did not start"; }
# Nothing waits for a standby until they exist: created, then set up.
"$PGBIN/psql" -X -q -h 127.0.0.1 -p "$P1" -U oidc -d postgres \
    -c "ALTER SYSTEM SET synchronous_standby_names = ''" \
    -c "SELECT pg_reload_conf()" >/dev/null || die "psql failed"
"$PGBIN/createdb" -h 127.0.0.1 -p "$P1" -U oidc oidc || die "createdb failed"

# The standbys: s1 on pg2, s2 on pg3.
for n in 2 3; do
	name=s$((n - 1))
	port=$([ $n = 2 ] && echo "$P2" || echo "$P3")
	"${AS[@]}" "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$P1" -U oidc \
	    -D "$T/pg$n" -R -X stream -c fast --no-sync \
	    >"$T/log/basebackup$n.log" 2>&1 ||
		{ cat "$T/log/basebackup$n.log" >&2; die "pg_basebackup failed"; }
	cat >>"$T/pg$n/postgresql.conf" <<EOF
port = $port
unix_socket_directories = '$T/sock$n'
EOF
	# A promoted standby runs without a synchronous standby until one
	# is added again (deploy/ha/README.md).
	printf "%s\n" "synchronous_standby_names = ''" \
	    "primary_conninfo = 'host=127.0.0.1 port=$P1 user=oidc application_name=$name'" \
	    >>"$T/pg$n/postgresql.auto.conf"
	"$T/bin/pgctl$n" -w -t 60 start >/dev/null ||
		{ cat "$T/log/pg$n.log" >&2; die "standby $name did not start"; }
done
"$PGBIN/psql" -X -q -h 127.0.0.1 -p "$P1" -U oidc -d postgres \
    -c "ALTER SYSTEM RESET synchronous_standby_names" \
    -c "SELECT pg_reload_conf()" >/dev/null || die "psql failed"
READ_DSN="host=127.0.0.1,127.0.0.1 port=$P2,$P3 dbname=oidc user=oidc target_session_attrs=prefer-standby"
FAILOVER_WAIT=8
TEST=ha_test.py
else
patroni_setup
READ_DSN="host=127.0.0.1,127.0.0.1,127.0.0.1 port=$P1,$P2,$P3 dbname=oidc user=oidc target_session_attrs=prefer-standby"
FAILOVER_WAIT=15
TEST=patroni_test.py
fi

# Keys and the configuration every worker reads.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out "$T/keys/rs256.pem" 2>/dev/null || die "RSA key generation failed"
openssl rand -hex 32 >"$T/keys/kek.hex" || die "openssl rand failed"
chmod 0600 "$T/keys/rs256.pem" "$T/keys/kek.hex"
[ ${#AS[@]} -gt 0 ] && chown "$TUSER:" "$T/keys/rs256.pem" "$T/keys/kek.hex"
DSN="host=127.0.0.1,127.0.0.1,127.0.0.1 port=$P1,$P2,$P3 dbname=oidc user=oidc target_session_attrs=read-write"
cat >"$T/oidc.conf" <<EOF
# oidc-fcgi HA $TIER (generated by tests/ha/run.sh)
issuer = http://127.0.0.1:$H1
database = $DSN
database_read = $READ_DSN
signing_key = $T/keys/rs256.pem
key_encryption_key = $T/keys/kek.hex
key_reload_interval = 5
log_level = info
db_timeout = 5
db_connect_timeout = 2
db_failover_wait = $FAILOVER_WAIT
db_commit_timeout = 2
endpoints = authorize token userinfo jwks revoke
EOF
chmod 0644 "$T/oidc.conf"
export OIDC_CONFIG=$T/oidc.conf
"$CTL" migrate >"$T/log/migrate.log" 2>&1 ||
	{ cat "$T/log/migrate.log" >&2; die "oidcctl migrate failed"; }

# Two hosts: a worker per endpoint each, and an nginx each.
SPAWN_USER=()
[ ${#AS[@]} -gt 0 ] && SPAWN_USER=(-u "$TUSER" -g "$TUSER")
for h in 1 2; do
	for name in authorize token userinfo jwks revoke; do
		spawn-fcgi -n -s "$T/run$h/$name.sock" -M 0666 \
		    "${SPAWN_USER[@]}" -- "$B/cgi-bin/$name.fcgi" \
		    >>"$T/log/$name.$h.log" 2>&1 &
		WORKER_PIDS+=($!)
	done
done
for h in 1 2; do
	for name in authorize token userinfo jwks revoke; do
		for _ in $(seq 100); do
			[ -S "$T/run$h/$name.sock" ] && break
			sleep 0.05
		done
		[ -S "$T/run$h/$name.sock" ] || die "run$h/$name.sock missing"
	done
done
user=
[ ${#AS[@]} -gt 0 ] && user=$TUSER
for h in 1 2; do
	port=$([ $h = 1 ] && echo "$H1" || echo "$H2")
	OIDC_NGINX_WORKERS=1 "$ROOT/scripts/render-conf.sh" \
	    "$ROOT/deploy/nginx/oidc.conf.in" "$T/nginx$h/nginx.conf" "$port" \
	    "$T/run$h" "$T/nginx$h" "$user" 1 || die "render failed"
	"$NGINX" -p "$T/nginx$h" -e "$T/nginx$h/error.log" \
	    -c "$T/nginx$h/nginx.conf" -g 'daemon off;' \
	    >>"$T/log/nginx$h.out" 2>&1 &
	NGINX_PIDS+=($!)
done

# The scenarios.
env OIDC_ISSUER="http://127.0.0.1:$H1" OIDC_HA_HOST2="http://127.0.0.1:$H2" \
    OIDC_CONFIG="$T/oidc.conf" OIDC_CTL="$CTL" OIDC_TMP="$T" \
    OIDC_ROOT="$ROOT" OIDC_PGBIN="$PGBIN" OIDC_HA_PORTS="$P1,$P2,$P3" \
    OIDC_TEST_TIMEOUT_MULT="$MULT" OIDC_PATRONI_REST="${PATRONI_REST:-}" \
    PYTHONPATH="$ROOT/tests/ha:$ROOT/tests/integration/lib" PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 timeout -k 5 $((240 * MULT)) \
    python3 "$ROOT/tests/ha/$TEST" 2>&1 | tee "$T/log/ha_test.out"
rc=${PIPESTATUS[0]}

teardown_workers_and_check() {
	local f bad=0
	for f in "$T"/log/*.[12].log; do
		if grep -a -q -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$f"; then
			say "sanitizer report in $f"
			bad=1
		fi
	done
	return $bad
}
kill -TERM "${WORKER_PIDS[@]}" 2>/dev/null
for p in "${WORKER_PIDS[@]}"; do
	for _ in $(seq $((50 * MULT))); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
done
if teardown_workers_and_check; then
	echo "ok - worker logs: no sanitizer report"
else
	echo "not ok - worker logs: no sanitizer report"
	rc=1
fi
if [ "$rc" = 0 ]; then
	say "PASS"
else
	say "FAIL (rc $rc; OIDC_TEST_LEAVE=1 keeps $T)"
fi
exit "$rc"
