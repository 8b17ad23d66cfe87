#!/bin/bash
# bench/ha.sh: `make bench-ha` (issue 19, sizing).  What one primary
# sustains with synchronous replication next to the same primary alone,
# in one run: the full flow (authorize -> token -> userinfo, RS256,
# bench/load -m full_flow) against bench/stack.sh's durable stack (fsync,
# synchronous_commit and full_page_writes on), alternating
#
#   single  the primary alone (the standbys stopped,
#           synchronous_standby_names empty);
#   sync    two standbys streaming from it (pg_basebackup, fsync on as
#           the primary), synchronous_standby_names = 's1': s1
#           synchronous, s2 asynchronous.  That is the replication
#           Patroni's synchronous_mode (synchronous_node_count 1) sets up
#           on the three nodes of deploy/ha/patroni.yml; Patroni itself
#           is not in the commit path, so it is not run here.
#
# The same workers, nginx and primary serve both: the difference is the
# commit waiting for s1's flush (and the WAL senders).  Every node is on
# this machine, so the standbys' CPU competes with the primary's; on
# separate hosts the cost is the network round trip instead.  Not a test:
# it never fails on speed.  Writes bench/results/ha-latest.txt.
#
# Knobs: BENCH_SECONDS (10), BENCH_REPEAT (3 of each, alternating),
# BENCH_WARMUP (1), BENCH_CONNS (32), BENCH_WORKERS (2), BENCH_HA_OUT.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
B=${OIDC_BUILD:-build/release}
case $B in /*) ;; *) B=$ROOT/$B ;; esac
SECS=${BENCH_SECONDS:-10}
REPEAT=${BENCH_REPEAT:-3}
WARM=${BENCH_WARMUP:-1}
CONNS=${BENCH_CONNS:-32}
OUT=${BENCH_HA_OUT:-$ROOT/bench/results/ha-latest.txt}
# The workers' per-request log lines cost CPU the comparison does not need.
BENCH_LOG_LEVEL=${BENCH_LOG_LEVEL:-warn}

# shellcheck source=bench/stack.sh
. "$ROOT/bench/stack.sh"
stack_tools
L=$B/bench/load

standby_teardown() {
	local n
	for n in 1 2; do
		[ -n "$T" ] && [ -f "$T/sb$n/postmaster.pid" ] &&
			"$T/bin/pgctl-s$n" -m immediate -w -t 30 stop >/dev/null 2>&1
	done
}
ha_down() {
	standby_teardown
	stack_down
}
trap ha_down EXIT
trap 'say "interrupted"; exit 130' INT TERM HUP

stack_up
R=$T/r
mkdir -p "$R"

# The standbys s1 and s2: unix sockets only, like the primary.
for n in 1 2; do
	mkdir -p "$T/s$n" "$T/sb$n"
	chmod 0700 "$T/sb$n"
	stack_own "$T/s$n" "$T/sb$n"
	"${AS[@]}" "$PGBIN/pg_basebackup" -h "$T/pg" -U oidc -D "$T/sb$n" -R \
	    -X stream -c fast >"$T/log/basebackup$n.log" 2>&1 ||
		{ cat "$T/log/basebackup$n.log" >&2; die "pg_basebackup failed"; }
	printf "%s\n" "primary_conninfo = 'host=$T/pg user=oidc application_name=s$n'" \
	    >>"$T/sb$n/postgresql.auto.conf"
	cat >"$T/bin/pgctl-s$n" <<EOF
#!/bin/sh
exec ${AS[*]} "$PGBIN/pg_ctl" -D "$T/sb$n" -l "$T/log/standby$n.log" -o "-k $T/s$n" "\$@"
EOF
	chmod 0755 "$T/bin/pgctl-s$n"
done

streaming() { # count of streaming standbys
	psql_q -At -c "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"
}

set_mode() { # single|sync
	local n want=0 names=''
	if [ "$1" = sync ]; then
		want=2
		names=s1
		for n in 1 2; do
			"$T/bin/pgctl-s$n" -w -t 60 start >/dev/null ||
				{ tail -20 "$T/log/standby$n.log" >&2; die "standby s$n did not start"; }
		done
	else
		for n in 1 2; do
			[ -f "$T/sb$n/postmaster.pid" ] &&
				"$T/bin/pgctl-s$n" -m fast -w -t 60 stop >/dev/null
		done
	fi
	psql_q -c "ALTER SYSTEM SET synchronous_standby_names = '$names'" \
	    -c "SELECT pg_reload_conf()" >/dev/null || die "psql failed"
	for _ in $(seq 300); do
		[ "$(streaming)" = "$want" ] && break
		sleep 0.1
	done
	[ "$(streaming)" = "$want" ] || die "$want standbys expected streaming"
	if [ "$1" = sync ]; then
		for _ in $(seq 100); do
			[ "$(psql_q -At -c "SELECT sync_state FROM pg_stat_replication WHERE application_name = 's1'")" = sync ] && break
			sleep 0.1
		done
	fi
	psql_q -At -c "SELECT coalesce(string_agg(application_name || ':' || sync_state, ','), 'none') FROM pg_stat_replication" >"$R/state.$1"
}

run_one() { # mode tag conns secs
	local d=$R/$1.$2
	mkdir -p "$d"
	"$L" -p "$PORT" -m full_flow -C bench-rs -S "$SECRET_RS" -k "$SESSION" \
	    -c "$3" -d "$WARM" >"$d/warmup.out" 2>&1
	"$L" -p "$PORT" -m full_flow -C bench-rs -S "$SECRET_RS" -k "$SESSION" \
	    -c "$3" -d "$4" >"$d/load.out" 2>"$d/load.err"
	cat /proc/loadavg >"$d/loadavg"
	printf 'bench: %-6s %-3s %s\n' "$1" "$2" \
	    "$(head -1 "$d/load.out" | sed 's/^load: //')" >&2
	grep -v '^load: mode' "$d/load.err" | head -3 >&2
}

LOAD0=$(cat /proc/loadavg)
for i in $(seq "$REPEAT"); do
	for m in single sync; do
		set_mode $m
		run_one $m "$i" "$CONNS" "$SECS"
	done
done
# Unloaded latency: one connection, one flow at a time.
for m in single sync; do
	set_mode $m
	run_one $m c1 1 5
done
LOAD1=$(cat /proc/loadavg)

mkdir -p "$(dirname "$OUT")"
python3 - "$R" "$B" "$LOAD0" "$LOAD1" "$(cat "$R/state.sync")" \
    "$(nproc)" <<'EOF' >"$OUT.new" || die "report failed"
import datetime, glob, os, sys
R, B, load0, load1, state, ncpu = sys.argv[1:7]

def kv(line):
    return dict(x.split("=", 1) for x in line.split()[1:] if "=" in x)

runs = {}
for d in sorted(glob.glob(os.path.join(R, "*.*"))):
    if not os.path.isdir(d):
        continue
    m, tag = os.path.basename(d).split(".", 1)
    out = open(os.path.join(d, "load.out")).read().splitlines()
    res = [kv(l) for l in out if l.startswith("RESULT")]
    if res:
        runs.setdefault(m, {})[tag] = dict(
            r=res[0], steps=[kv(l) for l in out if l.startswith("STEP")],
            load=open(os.path.join(d, "loadavg")).read().split()[0])

def ms(us):
    return int(us) / 1e3

o = []
p = o.append
now = datetime.datetime.now().astimezone()
p(f"oidc-fcgi bench-ha  {now:%Y-%m-%d %H:%M %Z}  build {B}")
p(f"{ncpu} CPU; load average before {load0.split()[0]}, after {load1.split()[0]} "
  "(the machine may be shared: indicative numbers)")
p(f"full_flow RS256 (authorize -> token -> userinfo), PostgreSQL fsync=on, "
  f"synchronous_commit=on; sync: {state}")
p("")
hdr = (f"{'':8} {'flows/s best':>12} {'(min-max)':>13} {'err':>4}   "
       f"{'p99 ms: authorize':>17} {'token':>7} {'userinfo':>8}   "
       f"{'1 conn p50/p99 ms: token':>24} {'flow/s':>7}")
p(hdr)
p("-" * len(hdr))
for m in ("single", "sync"):
    rs = {k: v for k, v in runs.get(m, {}).items() if k.isdigit()}
    if not rs:
        continue
    b = max(rs.values(), key=lambda v: float(v["r"]["fps"]))
    f = [float(v["r"]["fps"]) for v in rs.values()]
    err = sum(int(v["r"]["errors"]) for v in rs.values())
    st = {s["step"]: s for s in b["steps"]}
    c1 = runs[m].get("c1")
    c1s = {s["step"]: s for s in c1["steps"]} if c1 else {}
    tok = c1s.get("token")
    p(f"{m:8} {float(b['r']['fps']):12,.0f} {f'({min(f):,.0f}-{max(f):,.0f})':>13} {err:4d}   "
      f"{ms(st['authorize']['p99_us']):17.2f} {ms(st['token']['p99_us']):7.2f} "
      f"{ms(st['userinfo']['p99_us']):8.2f}   "
      + (f"{ms(tok['p50_us']):12.2f} / {ms(tok['p99_us']):9.2f} {float(c1['r']['fps']):7,.0f}"
         if tok else f"{'-':>24} {'-':>7}"))
p("")
p("each measured run (mode, run, flows/s, load average 1 min at its end):")
for m in ("single", "sync"):
    for k, v in sorted(runs.get(m, {}).items()):
        p(f"  {m:6} {k:3} {float(v['r']['fps']):8,.0f} flows/s  conns {v['r']['conns']}  load {v['load']}")
print("\n".join(o))
EOF
mv "$OUT.new" "$OUT"
cat "$OUT"
say "wrote $OUT"
