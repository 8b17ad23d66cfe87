#!/bin/bash
# bench/run.sh: `make bench` (issue 9).  Brings up its own stack (see
# bench/stack.sh), measures every scenario with bench/load, the ceilings
# (static nginx, openssl speed) in the same run, and writes the table to
# bench/results/latest.txt.  Always tears everything down.  Not a test: it
# never fails on speed, only when the stack or a scenario does not work.
#
# Knobs (environment):
#   BENCH_SECONDS=10     measured seconds per run
#   BENCH_REPEAT=3       runs per scenario (best and spread are reported)
#   BENCH_WARMUP=1       unmeasured seconds before each run
#   BENCH_CONNS=32       concurrent connections (login: BENCH_LOGIN_CONNS=4)
#   BENCH_WORKERS=2      spawn-fcgi -F children per endpoint
#   BENCH_ONLY=a,b       only these scenarios (static always runs)
#   BENCH_HALF=1         also run each scenario at half its best rate (p99)
#   BENCH_LOG_LEVEL=info the workers' log_level (info logs every request)
#   BENCH_OUT=path       result file (default bench/results/latest.txt)
#   BENCH_LEAVE=1        keep the temp dir
#   BENCH_JOSE=1         also run bench/jose_bench.sh (JOSE vs openssl speed)
#   BENCH_SEALED=1       key_encryption_key set: sealed codes (issue 16);
#                        0: codes stored in auth_code
# Scenarios: static discovery jwks userinfo token_rs token_es full_rs
# full_es login.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
B=${OIDC_BUILD:-build/release}
case $B in /*) ;; *) B=$ROOT/$B ;; esac
SECS=${BENCH_SECONDS:-10}
REPEAT=${BENCH_REPEAT:-3}
WARM=${BENCH_WARMUP:-1}
CONNS=${BENCH_CONNS:-32}
LOGIN_CONNS=${BENCH_LOGIN_CONNS:-4}
OUT=${BENCH_OUT:-$ROOT/bench/results/latest.txt}
SCENARIOS="static discovery jwks userinfo token_rs token_es full_rs full_es login"
if [ -n "${BENCH_ONLY:-}" ]; then
	SCENARIOS="static $(echo "$BENCH_ONLY" | tr ',' ' ')"
fi

# shellcheck source=bench/stack.sh
. "$ROOT/bench/stack.sh"
stack_tools
L=$B/bench/load
trap stack_down EXIT
trap 'say "interrupted"; exit 130' INT TERM HUP

CLK_TCK=$(getconf CLK_TCK)
NCPU=$(nproc)

say "openssl speed -seconds 3 rsa2048 ecdsap256 (the signing ceiling)"
OSSL=$(openssl speed -mr -seconds 3 rsa2048 ecdsap256 2>/dev/null | grep '^+F')

stack_up
R=$T/r
mkdir -p "$R"

# ---- measurements ------------------------------------------------------

children() { pgrep -P "$1" 2>/dev/null; }

ticks() { # [cum] pid...: utime+stime (cum: + reaped children's)
	local cum=0 p
	[ "$1" = cum ] && { cum=1; shift; }
	for p in "$@"; do cat "/proc/$p/stat" 2>/dev/null; done |
	    awk -v cum=$cum '{ sub(/^.*\) /, ""); s += $12 + $13;
	        if (cum) s += $14 + $15 } END { print s + 0 }'
}

pg_pid() { head -1 "$T/pgdata/postmaster.pid"; }

cpu_snap() { # file
	local e pp
	pp=$(pg_pid)
	{
		echo "t $(date +%s.%N)"
		echo "nginx $(( $(ticks cum "$NGINX_PID") + $(ticks $(children "$NGINX_PID")) ))"
		echo "pg $(( $(ticks cum "$pp") + $(ticks $(children "$pp")) ))"
		for e in $ENDPOINTS; do
			# shellcheck disable=SC2046
			echo "w_$e $(ticks $(worker_pids "$e"))"
		done
		awk '/^cpu / { print "busy", $2+$3+$4+$7+$8+$9; print "idle", $5+$6 }' /proc/stat
	} >"$1"
}

# file: endpoint pid rss_kb anon_kb pss_kb private_kb.  RSS counts every
# page of the shared libraries a worker touched; Pss splits shared pages
# between the processes that map them; private (Private_Clean+Dirty) is
# what one more worker costs.
rss_snap() {
	local e p
	for e in $ENDPOINTS; do
		for p in $(worker_pids "$e"); do
			echo "$e $p $(awk '/^VmRSS/ { r = $2 } /^RssAnon/ { a = $2 }
			    END { printf "%s %s", r, a }' "/proc/$p/status" 2>/dev/null) $(awk '
			    /^Pss:/ { pss = $2 } /^Private_(Clean|Dirty):/ { pr += $2 }
			    END { printf "%s %s", pss, pr }' "/proc/$p/smaps_rollup" 2>/dev/null)"
		done
	done >"$1"
}

log_snap() { # file: endpoint line-count
	local e
	for e in $ENDPOINTS; do
		echo "$e $(wc -l <"$T/log/$e.log")"
	done >"$1"
}

pg_snap() { # file
	psql_q -At -F ' ' -c "SELECT 'xact', xact_commit, xact_rollback FROM pg_stat_database WHERE datname = 'oidc'" \
	    -c "SELECT 'wal', wal_sync, wal_records FROM pg_stat_wal" >"$1" 2>&1
}

pgss_reset() { psql_q -At -c 'SELECT pg_stat_statements_reset()' >/dev/null 2>&1; }

pgss_dump() { # file: calls <tab> query
	psql_q -At -F "$(printf '\t')" -c "SELECT calls, regexp_replace(query, '\s+', ' ', 'g') FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = 'oidc' AND query NOT LIKE '%pg_stat%' ORDER BY calls DESC" >"$1" 2>&1
}

args_for() { # scenario
	case $1 in
	static) echo "-m static" ;;
	discovery) echo "-m discovery" ;;
	jwks) echo "-m jwks" ;;
	userinfo) echo "-m userinfo -t $ATOKEN" ;;
	token_rs) echo "-m token_only -C bench-rs -S $SECRET_RS" ;;
	token_es) echo "-m token_only -C bench-es -S $SECRET_ES" ;;
	full_rs) echo "-m full_flow -C bench-rs -S $SECRET_RS -k $SESSION" ;;
	full_es) echo "-m full_flow -C bench-es -S $SECRET_ES -k $SESSION" ;;
	login) echo "-m login -C bench-login -S $SECRET_LOGIN -u bench -P $PASSWORD" ;;
	*) die "unknown scenario $1" ;;
	esac
}

client_of() {
	case $1 in token_rs) echo bench-rs ;; token_es) echo bench-es ;; esac
}

run_one() { # scenario tag [rate] [conns] [secs]
	local s=$1 tag=$2 rate=${3:-0} conns=${4:-$CONNS} secs=${5:-$SECS}
	local d=$R/$s.$tag codes=() wcodes=() args n nw
	mkdir -p "$d"
	[ "$s" = login ] && [ -z "${4:-}" ] && conns=$LOGIN_CONNS
	# shellcheck disable=SC2207
	args=($(args_for "$s"))
	case $s in
	token_*)
		n=${BENCH_CODES:-$(awk -v s="$secs" 'BEGIN { printf "%d", 4000 * s + 100 }')}
		nw=$(awk -v s="$WARM" 'BEGIN { printf "%d", 4000 * s + 100 }')
		insert_codes "$(client_of "$s")" "$s-$tag-w-" "$nw" &&
		    insert_codes "$(client_of "$s")" "$s-$tag-m-" "$n" ||
			die "inserting codes failed (see $T/log/seed.log)"
		wcodes=(-x "$s-$tag-w-" -N "$nw")
		codes=(-x "$s-$tag-m-" -N "$n")
		;;
	esac
	"$L" -p "$PORT" "${args[@]}" -c "$conns" -d "$WARM" "${wcodes[@]}" \
	    >"$d/warmup.out" 2>&1
	[ "$rate" != 0 ] && args+=(-r "$rate")
	sleep 1.5	# PostgreSQL flushes backend statistics about once a second
	pg_snap "$d/pg0"
	pgss_reset
	log_snap "$d/log0"
	rss_snap "$d/rss0"
	cpu_snap "$d/cpu0"
	"$L" -p "$PORT" "${args[@]}" -c "$conns" -d "$secs" "${codes[@]}" \
	    >"$d/load.out" 2>"$d/load.err"
	echo "rc $?" >"$d/rc"
	cpu_snap "$d/cpu1"
	rss_snap "$d/rss1"
	log_snap "$d/log1"
	sleep 1.5
	pg_snap "$d/pg1"
	pgss_dump "$d/pgss"
	echo "$s $tag rate=$rate conns=$conns secs=$secs" >"$d/meta"
	printf 'bench: %-10s %-5s %s\n' "$s" "$tag" \
	    "$(head -1 "$d/load.out" | sed 's/^load: //')" >&2
	grep -v '^load: ' "$d/load.err" | head -3 >&2
}

best_fps() { # scenario
	grep -h '^RESULT' "$R/$1".[0-9]*/load.out 2>/dev/null |
	    sed 's/.* fps=\([^ ]*\).*/\1/' | sort -g | tail -1
}

rss_snap "$T/rss.start"
for s in $SCENARIOS; do
	for i in $(seq "$REPEAT"); do
		run_one "$s" "$i"
	done
	if [ "${BENCH_HALF:-1}" = 1 ] && [ "$s" != static ]; then
		b=$(best_fps "$s")
		h=$(awk -v b="${b:-0}" 'BEGIN { printf "%.0f", b / 2 }')
		[ "$h" -gt 0 ] && run_one "$s" half "$h"
	fi
done
# Unloaded latency: one connection, one flow at a time.
case " $SCENARIOS " in *" full_rs "*) run_one full_rs c1 0 1 ;; esac
# The ceiling again at the end: the noise between start and end shows.
run_one static end
rss_snap "$T/rss.end"

# ---- report ------------------------------------------------------------

mkdir -p "$(dirname "$OUT")"
python3 - "$T" "$CLK_TCK" "$NCPU" "$OSSL" "$B" <<'EOF' >"$OUT.new" || die "report failed"
import os, re, sys, glob, statistics, platform, datetime, subprocess
T, tck, ncpu, ossl, B = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
R = os.path.join(T, "r")

def kv(line):
    return dict(x.split("=", 1) for x in line.split()[1:] if "=" in x)

def snap(path):
    d = {}
    for l in open(path):
        p = l.split()
        if len(p) == 2:
            d[p[0]] = float(p[1])
    return d

runs = {}
for d in sorted(glob.glob(os.path.join(R, "*.*"))):
    s, tag = os.path.basename(d).split(".", 1)
    try:
        out = open(os.path.join(d, "load.out")).read().splitlines()
    except OSError:
        continue
    res = [kv(l) for l in out if l.startswith("RESULT")]
    if not res:
        continue
    r = res[0]
    steps = [kv(l) for l in out if l.startswith("STEP")]
    c0, c1 = snap(os.path.join(d, "cpu0")), snap(os.path.join(d, "cpu1"))
    dt = lambda k: (c1.get(k, 0) - c0.get(k, 0)) / tck
    flows = int(r["flows"])
    # server-side totals cover every request sent, drain included
    fl_eq = int(r.get("sent", flows)) / max(1, int(r.get("steps", 1)))
    cpu = {"nginx": dt("nginx"), "pg": dt("pg"),
           "workers": sum(dt(k) for k in c1 if k.startswith("w_")),
           "driver": float(r["cpu"])}
    per_ep = {k[2:]: dt(k) for k in c1 if k.startswith("w_")}
    busy = dt("busy")
    wall = c1["t"] - c0["t"]
    cpu["others"] = max(0.0, busy - sum(cpu.values()))
    pg0 = {l.split()[0]: l.split()[1:] for l in open(os.path.join(d, "pg0")) if l.strip()}
    pg1 = {l.split()[0]: l.split()[1:] for l in open(os.path.join(d, "pg1")) if l.strip()}
    def pgd(k, i):
        try: return int(pg1[k][i]) - int(pg0[k][i])
        except Exception: return 0
    stmts = []
    for l in open(os.path.join(d, "pgss")):
        p = l.rstrip("\n").split("\t", 1)
        if len(p) == 2 and p[0].isdigit():
            stmts.append((int(p[0]), p[1]))
    rss = {}
    for f in ("rss0", "rss1"):
        for l in open(os.path.join(d, f)):
            p = l.split()
            if len(p) == 3:
                rss.setdefault(p[0], {})[f] = max(rss.get(p[0], {}).get(f, 0), int(p[2]))
    # in-worker handling time from the workers' per-request log lines
    l0 = dict((l.split()[0], int(l.split()[1])) for l in open(os.path.join(d, "log0")))
    l1 = dict((l.split()[0], int(l.split()[1])) for l in open(os.path.join(d, "log1")))
    handle = {}
    for ep in l1:
        try:
            lines = open(os.path.join(T, "log", ep + ".log"), errors="replace").read().splitlines()[l0.get(ep, 0):l1[ep]]
        except OSError:
            continue
        ms = [float(m.group(1)) for m in (re.search(r"msg=request .* ms=([0-9.]+)", x) for x in lines) if m]
        if ms:
            ms.sort()
            handle[ep] = (len(ms), ms[len(ms) // 2], ms[min(len(ms) - 1, int(len(ms) * .99))])
    runs.setdefault(s, {})[tag] = dict(r=r, steps=steps, cpu=cpu, per_ep=per_ep,
        flows=flows, fl_eq=fl_eq, wall=wall, busy=busy, xact=pgd("xact", 0), rb=pgd("xact", 1),
        walsync=pgd("wal", 0), walrec=pgd("wal", 1), stmts=stmts, rss=rss, handle=handle)

# openssl speed (ops/s, one core)
sign = {}
for l in ossl.split("\n"):
    f = l.split(":")
    if l.startswith("+F2:") and f[2] == "2048":
        sign["RS256"] = (float(f[3]), float(f[4]))
    if l.startswith("+F4:") and f[2] == "256":
        sign["ES256"] = (float(f[3]), float(f[4]))

names = {"static": "static nginx", "discovery": "discovery", "jwks": "jwks",
         "userinfo": "userinfo", "token_rs": "token_only RS256",
         "token_es": "token_only ES256", "full_rs": "full_flow RS256",
         "full_es": "full_flow ES256", "login": "login (scrypt) RS256"}
alg = {"token_rs": "RS256", "token_es": "ES256", "full_rs": "RS256",
       "full_es": "ES256", "login": "RS256"}
order = ["static", "discovery", "jwks", "userinfo", "token_rs", "token_es",
         "full_rs", "full_es", "login"]

def measured(s):
    return [v for k, v in runs.get(s, {}).items() if k.isdigit()]

def best(s):
    m = measured(s)
    return max(m, key=lambda v: float(v["r"]["fps"])) if m else None

static_best = max([float(v["r"]["rps"]) for k, v in runs.get("static", {}).items()] or [0])
o = []
p = o.append
now = datetime.datetime.now().astimezone()
cpu_model = ""
for l in open("/proc/cpuinfo"):
    if l.startswith("model name"):
        cpu_model = l.split(":", 1)[1].strip(); break
mem = open("/proc/meminfo").readline().split()[1]
p(f"oidc-fcgi benchmark  {now:%Y-%m-%d %H:%M %Z}")
p(f"machine: {ncpu} CPU ({cpu_model}), {int(mem)//1024} MiB, {platform.system()} {platform.release()}")
try:
    head = subprocess.run(["git", "-C", os.path.dirname(B.rstrip('/')), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
except Exception:
    head = "?"
p(f"build: {B}  commit {head or '?'}   {subprocess.run(['openssl','version'],capture_output=True,text=True).stdout.strip()}")
anyrun = next(iter(next(iter(runs.values())).values()))
secs = float(anyrun["r"]["secs"])
p(f"runs: {len(measured('static'))} x {secs:.0f} s per scenario, best reported with (min-max); "
  "the load driver shares the 2 cores; PostgreSQL fsync=on synchronous_commit=on")
p("")
p("ceilings (same run):")
p(f"  static nginx (GET /static-200): {static_best:,.0f} req/s (best of all static runs, start and end)")
for a, (sg, vf) in sorted(sign.items()):
    p(f"  openssl speed {a}: {sg:,.0f} sign/s, {vf:,.0f} verify/s on one core; x{ncpu} cores = {sg*ncpu:,.0f} sign/s")
p("")
hdr = f"{'scenario':22} {'flows/s best':>12} {'(min-max)':>15} {'req/s':>8} {'/static':>7} {'/sign':>6} {'err':>4}"
p(hdr)
p("-" * len(hdr))
for s in order:
    b = best(s)
    if b is None:
        continue
    f = [float(v["r"]["fps"]) for v in measured(s)]
    errs = sum(int(v["r"]["errors"]) for v in measured(s))
    rps = float(b["r"]["rps"])
    ceil = sign.get(alg.get(s, ""), (0, 0))[0] * ncpu
    ratio_sign = f"{float(b['r']['fps'])/ceil:.3f}" if ceil else "-"
    p(f"{names[s]:22} {float(b['r']['fps']):12,.0f} {f'({min(f):,.0f}-{max(f):,.0f})':>15} {rps:8,.0f} "
      f"{rps/static_best if static_best else 0:7.3f} {ratio_sign:>6} {errs:4d}")
p("")
p("latency per step, ms (best run at full load | at half of the best rate):")
p(f"{'scenario':22} {'step':11} {'p50':>7} {'p99':>8} {'| half p50':>10} {'p99':>7}  {'conns':>5}")
for s in order:
    b = best(s)
    if b is None:
        continue
    h = runs.get(s, {}).get("half")
    conns = b["r"]["conns"]
    for st in b["steps"]:
        hs = next((x for x in (h or {"steps": []})["steps"] if x["step"] == st["step"]), None)
        hp = f"{int(hs['p50_us'])/1e3:10.2f} {int(hs['p99_us'])/1e3:7.2f}" if hs else f"{'-':>10} {'-':>7}"
        p(f"{names[s]:22} {st['step']:11} {int(st['p50_us'])/1e3:7.2f} {int(st['p99_us'])/1e3:8.2f} {hp}  {conns:>5}")
c1 = runs.get("full_rs", {}).get("c1")
if c1:
    p("full_flow RS256, one connection (unloaded latency): " + ", ".join(
        f"{st['step']} p50 {int(st['p50_us'])/1e3:.2f} ms p99 {int(st['p99_us'])/1e3:.2f} ms" for st in c1["steps"])
      + f"; {float(c1['r']['fps']):,.0f} flows/s")
p("")
p("CPU ms per 1,000 flows (best run) and what the database did per flow:")
p(f"{'scenario':22} {'nginx':>7} {'workers':>8} {'postgres':>8} {'driver':>7} {'others':>7} {'est.cap/s':>9} {'stmts':>6} {'commits':>7} {'walsync':>7}")
for s in order:
    b = best(s)
    if b is None or b["flows"] == 0:
        continue
    n = b["fl_eq"]
    c = b["cpu"]
    per = {k: c[k] / n * 1e6 for k in c}   # ms per 1000 flows
    ours = (c["nginx"] + c["workers"] + c["pg"] + c["driver"]) / n
    cap = ncpu / ours if ours > 0 else 0
    st = sum(x[0] for x in b["stmts"]) / n
    p(f"{names[s]:22} {per['nginx']:7.0f} {per['workers']:8.0f} {per['pg']:8.0f} {per['driver']:7.0f} "
      f"{c['others']/b['wall']*100:6.0f}% {cap:9,.0f} {st:6.2f} {b['xact']/n:7.2f} {b['walsync']/n:7.2f}")
p("  others: CPU used by other processes on the machine during the run, as % of one core.")
p("  est.cap/s: flows/s if nginx+workers+PostgreSQL+driver had both cores to themselves")
p("  (cores / CPU seconds per flow); an estimate that ignores waits, not a measurement.")
p("  stmts: statements per flow from pg_stat_statements (each is one client-server round trip;")
p("  BEGIN and COMMIT included); commits: pg_stat_database xact_commit (read-only autocommit")
p("  statements count too); walsync: WAL fsyncs (pg_stat_wal.wal_sync, group commit shares them).")
p("")
b = best("full_rs") or best("full_es")
if b:
    p(f"statements of one full_flow (best {'RS256' if best('full_rs') else 'ES256'} run), calls per flow:")
    for calls, q in b["stmts"]:
        p(f"  {calls / b['fl_eq']:5.2f}  {q[:110]}")
    p("")
p("in-worker handling time per request (from the workers' ms= log lines, best run), ms p50 / p99:")
for s in order:
    b = best(s)
    if b is None or not b["handle"]:
        continue
    p(f"  {names[s]:22} " + "; ".join(f"{ep} {v[1]:.2f} / {v[2]:.2f}" for ep, v in sorted(b["handle"].items())))
p("")
p("worker RSS, KiB (max over an endpoint's workers): at start -> at end of the whole run;")
p("at the end also RssAnon, Pss and private (Private_Clean+Private_Dirty: what one more worker costs)")
def rssfile(f, col=2):
    d = {}
    for l in open(os.path.join(T, f)):
        x = l.split()
        if len(x) > col and x[col].isdigit():
            d[x[0]] = max(d.get(x[0], 0), int(x[col]))
    return d
r0, r1 = rssfile("rss.start"), rssfile("rss.end")
anon, pss, priv = (rssfile("rss.end", c) for c in (3, 4, 5))
served = {}
for s in runs:
    for v in runs[s].values():
        for ep, h in v["handle"].items():
            served[ep] = served.get(ep, 0) + h[0]
for ep in sorted(r1):
    p(f"  {ep:12} {r0.get(ep, 0):7d} -> {r1[ep]:7d}   anon {anon.get(ep, 0):5d}  pss {pss.get(ep, 0):5d}"
      f"  private {priv.get(ep, 0):5d}   ({served.get(ep, 0):,} measured requests)")
p("")
p("the load driver against the ceiling: static runs measured "
  + ", ".join(f"{float(v['r']['rps']):,.0f}" for k, v in sorted(runs.get("static", {}).items()))
  + " req/s; the driver spent "
  + ", ".join(f"{float(v['r']['cpu_us_per_req']):.1f}" for k, v in sorted(runs.get("static", {}).items()))
  + " us CPU per request there, i.e. it alone could issue about "
  + f"{1e6/min(float(v['r']['cpu_us_per_req']) for v in runs.get('static', {}).values()):,.0f} req/s on one core.")
print("\n".join(o))
EOF
mv "$OUT.new" "$OUT"
cat "$OUT"
if [ "${BENCH_JOSE:-1}" = 1 ] && [ -x "$B/bench/jose_bench" ]; then
	{
		echo
		echo "JOSE primitives vs openssl speed (bench/jose_bench.sh 1):"
		OIDC_BUILD=$B sh "$ROOT/bench/jose_bench.sh" 1 2>&1
	} | tee -a "$OUT"
fi
say "wrote $OUT"
