# tests/ha/patroni.sh: tier 2 of issue 19, sourced by tests/ha/run.sh
# (`tests/ha/run.sh patroni`): one etcd member and three Patroni nodes
# (pg1, pg2, pg3) on loopback ports, synchronous_mode on.  The
# configuration written here is the one deploy/ha/README.md shows
# (deploy/ha/patroni.yml and deploy/ha/etcd.yml are its templates).
#
# Uses from run.sh: T, AS, PGBIN, MULT, P1 P2 P3, say, die, take_ports.
# Sets: PATRONI_REST (r1,r2,r3 ports), ETCD_PORT, and the pids for
# patroni_teardown.

ETCD_BIN=${OIDC_TEST_ETCD:-$(command -v etcd)}
PATRONI_BIN=${OIDC_TEST_PATRONI:-$(command -v patroni)}
PATRONICTL_BIN=$(command -v patronictl)
ETCD_PID=""
ETCD_RUNNER=""
PATRONI_RUNNERS=()

patroni_check() {
	[ -n "$ETCD_BIN" ] && [ -x "$ETCD_BIN" ] ||
		die "etcd not found (scripts/deps.sh installs etcd-server)"
	[ -n "$PATRONI_BIN" ] && [ -x "$PATRONI_BIN" ] &&
	    [ -n "$PATRONICTL_BIN" ] ||
		die "patroni not found (scripts/deps.sh installs patroni)"
}

# A YAML file from deploy/ha's template: @VAR@ replaced.
patroni_render() {
	sed -e "s|@NAME@|$2|g" -e "s|@REST@|$3|g" -e "s|@PORT@|$4|g" \
	    -e "s|@DATA@|$T/$2|g" -e "s|@SOCK@|$5|g" -e "s|@PGBIN@|$PGBIN|g" \
	    -e "s|@ETCD@|127.0.0.1:$ETCD_PORT|g" -e "s|@PGPASS@|$T/pgpass.$2|g" \
	    "$1"
}

# GET a Patroni REST path; prints the body.
patroni_get() {
	curl -s -m 2 "http://127.0.0.1:$1$2"
}

# The cluster is ready: a leader, a sync_standby and the third replica
# streaming (three members running).
patroni_ready() {
	patroni_get "$R1" /cluster | python3 -c '
import json, sys
try:
    m = json.load(sys.stdin)["members"]
except Exception:
    sys.exit(1)
roles = sorted(x["role"] for x in m if x["state"] in ("running", "streaming"))
sys.exit(0 if roles == ["leader", "replica", "sync_standby"] else 1)'
}

patroni_leader_port() {
	patroni_get "$R1" /cluster | python3 -c '
import json, sys
try:
    m = json.load(sys.stdin)["members"]
except Exception:
    sys.exit(1)
for x in m:
    if x["role"] == "leader":
        print(x["port"])'
}

patroni_setup() {
	local n port rest i
	patroni_check
	take_ports ETCD_PORT ETCD_PEER R1 R2 R3 || die "no free port"
	[ "$(printf '%s\n' "$P1" "$P2" "$P3" "$H1" "$H2" "$ETCD_PORT" \
	    "$ETCD_PEER" "$R1" "$R2" "$R3" | sort -u | wc -l)" = 10 ] ||
		die "port collision, run again"
	PATRONI_REST=$R1,$R2,$R3
	mkdir -p "$T/etcd"
	chmod 0700 "$T/etcd"
	[ ${#AS[@]} -gt 0 ] && chown "$TUSER:" "$T/etcd"
	# One etcd member (deploy/ha/README.md: three in production).
	sed -e "s|@DATA@|$T/etcd|g" -e "s|@CLIENT@|127.0.0.1:$ETCD_PORT|g" \
	    -e "s|@PEER@|127.0.0.1:$ETCD_PEER|g" "$ROOT/deploy/ha/etcd.yml" \
	    >"$T/etcd.yml" || die "cannot write etcd.yml"
	chmod 0644 "$T/etcd.yml"
	cat >"$T/bin/etcd" <<EOF
#!/bin/sh
cd "$T" || exit 1
echo \$\$ >"$T/etcd.pid"
exec "$ETCD_BIN" --config-file "$T/etcd.yml"
EOF
	chmod 0755 "$T/bin/etcd"
	"${AS[@]}" "$T/bin/etcd" >"$T/log/etcd.log" 2>&1 &
	ETCD_RUNNER=$!
	for i in $(seq $((100 * MULT))); do
		curl -s -m 1 "http://127.0.0.1:$ETCD_PORT/health" 2>/dev/null |
		    grep -q '"health":"true"' && break
		sleep 0.1
	done
	[ "$i" -lt $((100 * MULT)) ] ||
		{ cat "$T/log/etcd.log" >&2; die "etcd did not start"; }
	ETCD_PID=$(cat "$T/etcd.pid")

	for n in 1 2 3; do
		port=$(eval echo "\$P$n")
		rest=$(eval echo "\$R$n")
		patroni_render "$ROOT/deploy/ha/patroni.yml" "pg$n" "$rest" \
		    "$port" "$T/sock$n" >"$T/patroni$n.yml" ||
			die "cannot write patroni$n.yml"
		chmod 0644 "$T/patroni$n.yml"
		cat >"$T/bin/patroni$n" <<EOF
#!/bin/sh
cd "$T" || exit 1
echo \$\$ >"$T/patroni$n.pid"
exec "$PATRONI_BIN" "$T/patroni$n.yml"
EOF
		chmod 0755 "$T/bin/patroni$n"
		cat >"$T/bin/patronictl" <<EOF
#!/bin/sh
cd "$T" || exit 1
exec "$PATRONICTL_BIN" -c "$T/patroni1.yml" "\$@"
EOF
		chmod 0755 "$T/bin/patronictl"
		"${AS[@]}" "$T/bin/patroni$n" >>"$T/log/patroni$n.log" 2>&1 &
		PATRONI_RUNNERS+=($!)
		# pg1 bootstraps; the others clone it once it is the leader.
		if [ "$n" = 1 ]; then
			for i in $(seq $((300 * MULT))); do
				[ "$(patroni_leader_port)" = "$P1" ] && break
				sleep 0.1
			done
			[ "$(patroni_leader_port)" = "$P1" ] ||
				{ cat "$T/log/patroni1.log" >&2
				  die "Patroni pg1 did not become the leader"; }
		fi
	done
	for i in $(seq $((600 * MULT))); do
		patroni_ready && break
		sleep 0.1
	done
	patroni_ready || { tail -20 "$T"/log/patroni*.log >&2
		die "the Patroni cluster is not ready (leader, sync_standby, replica)"; }
	"$PGBIN/createdb" -h 127.0.0.1 -p "$P1" -U oidc oidc ||
		die "createdb failed"
	say "Patroni: leader pg1, REST $PATRONI_REST, etcd $ETCD_PORT"
}

# Patroni stops its PostgreSQL on SIGTERM; then etcd.  Leftover
# postmasters (a node whose Patroni was killed) run.sh's teardown stops.
patroni_teardown() {
	local n p pids=()
	for n in 1 2 3; do
		[ -f "$T/patroni$n.pid" ] || continue
		p=$(cat "$T/patroni$n.pid")
		kill -TERM "$p" 2>/dev/null && pids+=("$p")
	done
	for p in "${pids[@]}"; do
		for _ in $(seq 100); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null
	done
	for p in "${PATRONI_RUNNERS[@]}"; do
		wait "$p" 2>/dev/null
	done
	PATRONI_RUNNERS=()
	[ -z "$ETCD_PID" ] && [ -f "$T/etcd.pid" ] && ETCD_PID=$(cat "$T/etcd.pid")
	if [ -n "$ETCD_PID" ]; then
		kill -TERM "$ETCD_PID" 2>/dev/null
		for _ in $(seq 50); do
			kill -0 "$ETCD_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$ETCD_PID" 2>/dev/null
		ETCD_PID=""
	fi
	[ -n "$ETCD_RUNNER" ] && wait "$ETCD_RUNNER" 2>/dev/null
	ETCD_RUNNER=""
}
