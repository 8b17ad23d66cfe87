# shellcheck shell=bash
# scripts/stack.sh: bring up and tear down one oidc-fcgi stack: a private
# PostgreSQL cluster, the config and keys, spawn-fcgi workers per endpoint,
# nginx or lighttpd from the deploy/ templates.  A bash library, sourced by
# its three users, which add only what is theirs:
#
#   tests/integration/run.sh  (make check-integration) throwaway, fsync off,
#                             one worker per endpoint, our own child
#   scripts/dev-stack.sh      (make run / make stop) durable, in ./var
#   bench/stack.sh            (make bench, ../shared/peer-bench) throwaway,
#                             durable, -F N workers, pg_stat_statements
#
# Options (shell variables, set before the calls; docs/STACK.md):
#   STACK_DIR              where everything lives (required, absolute)
#   STACK_TEMP=0           1: STACK_DIR is removed by stack_down
#   B                      the build directory (absolute); CTL=$B/oidcctl
#   STACK_PORT             the front end's port on 127.0.0.1
#   STACK_DURABLE=1        0: fsync, synchronous_commit, full_page_writes off
#                          (tests); 1 keeps PostgreSQL's durable defaults
#   STACK_PG_CONF          more postgresql.conf lines, written at initdb
#   STACK_PG_SHARED_BUFFERS  -c shared_buffers= at every start (empty:
#                          PostgreSQL's default)
#   STACK_USER=oidctest    when run as root: PostgreSQL, the workers and
#                          the front end's workers run as this user
#                          (created if missing)
#   STACK_WORKERS=1        worker processes of authorize and userinfo
#   STACK_WORKERS_TOKEN    of token (default STACK_WORKERS)
#   STACK_WORKERS_LIGHT    of every other endpoint (default
#                          (STACK_WORKERS + 1) / 2)
#   STACK_FORK=1           spawn-fcgi -F N: the workers are spawn-fcgi's
#                          children; 0: spawn-fcgi -n, ONE worker per
#                          endpoint that is our own child, so that its exit
#                          status is known (valgrind's leak check)
#   STACK_WRAP             command put before each worker binary (valgrind,
#                          env VAR=...); @NAME@ becomes the endpoint name
#   STACK_WRAP_ONLY        space-separated endpoints STACK_WRAP applies to
#                          (default all)
#   STACK_SOCK_MODE        worker socket mode; default 0600, or 0660 owned
#                          by STACK_USER when root (tests: 0666, they
#                          speak FastCGI to the sockets themselves)
#   STACK_KEK=1            0: no key_encryption_key (bench BENCH_SEALED=0)
#   STACK_CONF             more oidc.conf lines, for a new oidc.conf
#   STACK_READY=10         seconds the workers get to answer a first request
#   STACK_MULT=1           multiplies the front-end and stop waits (slow
#                          builds: asan, valgrind)
#   STACK_LEAVE=0          1: stack_down keeps a STACK_TEMP directory
#   PGBIN, NGINX, LIGHTTPD the tools; looked up when empty
#
# Layout of STACK_DIR: pgdata/ (cluster), pg/ (its unix socket; no TCP),
# bin/pgctl (pg_ctl for this cluster as the right user, with the socket
# and shared_buffers options: "$STACK_DIR/bin/pgctl stop -m fast"),
# keys/{rs256,es256}.pem, keys/kek.hex, oidc.conf, run/<name>.sock and
# run/<name>.pids, log/<name>.log (each worker's stderr), log/postgres.log,
# nginx/ and lighttpd/ (rendered config, logs).
#
# Endpoints: every executable $B/cgi-bin/*.fcgi, so a new binary needs no
# change here; stack_workers_of is where its worker count is chosen.
#
# Calls, in order: stack_tools; stack_base (directories, PostgreSQL,
# database, keys, config, migrations); the caller's seeding; stack_workers;
# stack_frontend nginx|lighttpd; ... stack_down (idempotent: the EXIT trap).
# Results: CTL, AS (the runuser prefix, empty when not root), PGBIN, NGINX,
# LIGHTTPD, ISSUER, OIDC_CONFIG (exported), ENDPOINTS, WORKER_PIDS and
# WORKER_NAMES (parallel arrays), NGINX_PID, LIGHTTPD_PID, STACK_WORKER_RC
# (after stack_down with STACK_FORK=0: exit statuses in WORKER_PIDS order).

PATH=$PATH:/usr/sbin:/sbin
export PATH
STACK_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STACK_USER=${STACK_USER:-oidctest}
NGINX_PID=""
LIGHTTPD_PID=""
WORKER_PIDS=()
WORKER_NAMES=()
STACK_WORKER_RC=()
ENDPOINTS=""
STACK_PG_STARTED=0
declare -F say >/dev/null || say() { printf 'stack: %s\n' "$*"; }
declare -F die >/dev/null || die() { printf 'stack: %s\n' "$*" >&2; exit 1; }

# Tools, and AS: the prefix that runs a command as STACK_USER when root.
stack_tools() { stack_tools_base; }
stack_tools_base() {
	local d
	if [ -z "${PGBIN:-}" ]; then
		for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
			[ -x "$d/initdb" ] && PGBIN=$d
		done
	fi
	[ -n "${PGBIN:-}" ] && [ -x "$PGBIN/initdb" ] ||
		die "PostgreSQL server binaries not found (run scripts/deps.sh)"
	NGINX=${NGINX:-$(command -v nginx)}
	LIGHTTPD=${LIGHTTPD:-$(command -v lighttpd)}
	[ -n "$NGINX" ] || die "nginx not found (run scripts/deps.sh)"
	for d in spawn-fcgi openssl python3; do
		command -v $d >/dev/null || die "$d not found (run scripts/deps.sh)"
	done
	CTL=$B/oidcctl
	[ -x "$CTL" ] || die "$CTL not built (run make)"
	AS=()
	if [ "$(id -u)" = 0 ]; then
		if ! id "$STACK_USER" >/dev/null 2>&1; then
			useradd --system --user-group --no-create-home \
			    --home-dir /nonexistent --shell /usr/sbin/nologin \
			    "$STACK_USER" || die "cannot create user $STACK_USER"
		fi
		AS=(runuser -u "$STACK_USER" --)
	fi
}

stack_own() { # path...: STACK_USER's when root
	[ ${#AS[@]} -eq 0 ] || chown "$STACK_USER:" "$@"
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# ---- PostgreSQL, keys, config, migrations ---------------------------------

stack_pg_up() {
	local D=$STACK_DIR
	if [ ! -f "$D/pgdata/PG_VERSION" ]; then
		mkdir -p "$D/pgdata" && chmod 0700 "$D/pgdata" && stack_own "$D/pgdata"
		local nosync=--no-sync
		[ "${STACK_DURABLE:-1}" = 1 ] && [ "${STACK_TEMP:-0}" = 0 ] && nosync=
		"${AS[@]}" "$PGBIN/initdb" -D "$D/pgdata" -U oidc --auth=trust \
		    $nosync -E UTF8 --locale=C >"$D/log/initdb.log" 2>&1 ||
			{ cat "$D/log/initdb.log" >&2; die "initdb failed"; }
		{
			echo
			echo "# oidc-fcgi stack (scripts/stack.sh): unix socket only,"
			echo "# its directory given with -k by bin/pgctl"
			echo "listen_addresses = ''"
			echo "max_connections = 100"
			echo "log_min_messages = warning"
			[ "${STACK_DURABLE:-1}" = 1 ] || printf '%s\n' \
			    "fsync = off" "synchronous_commit = off" \
			    "full_page_writes = off"
			[ -z "${STACK_PG_CONF:-}" ] || printf '%s\n' "$STACK_PG_CONF"
		} >>"$D/pgdata/postgresql.conf"
	fi
	local opts="-k $D/pg"
	[ -z "${STACK_PG_SHARED_BUFFERS:-}" ] ||
		opts="$opts -c shared_buffers=$STACK_PG_SHARED_BUFFERS"
	cat >"$D/bin/pgctl" <<-EOF
	#!/bin/sh
	# pg_ctl for the cluster in $D (written by scripts/stack.sh)
	exec ${AS[*]} "$PGBIN/pg_ctl" -D "$D/pgdata" -l "$D/log/postgres.log" -o "$opts" "\$@"
	EOF
	chmod 0755 "$D/bin/pgctl"
	if "$D/bin/pgctl" status >/dev/null 2>&1; then
		say "PostgreSQL is already running on $D/pgdata (left over); using it"
	else
		rm -f "$D/pg/.s.PGSQL."*
		"$D/bin/pgctl" -w -t 60 start >/dev/null ||
			{ tail -20 "$D/log/postgres.log" >&2; die "PostgreSQL did not start"; }
	fi
	STACK_PG_STARTED=1
	if [ "$("$PGBIN/psql" -X -h "$D/pg" -U oidc -d postgres -Atc \
	    "SELECT 1 FROM pg_database WHERE datname = 'oidc'")" != 1 ]; then
		"$PGBIN/createdb" -h "$D/pg" -U oidc oidc || die "createdb failed"
	fi
}

stack_psql() { # psql options...: on the oidc database
	"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$STACK_DIR/pg" -U oidc -d oidc "$@"
}

stack_secret() { # file: 32 random bytes in hex, made once, mode 0600
	[ -f "$1" ] && return 0
	(umask 077 && openssl rand -hex 32 >"$1") || die "openssl rand failed"
	stack_own "$1"
}

stack_keys() {
	local alg k=$STACK_DIR/keys
	for alg in rs256 es256; do
		[ -f "$k/$alg.pem" ] && continue
		if [ $alg = rs256 ]; then
			set -- -algorithm RSA -pkeyopt rsa_keygen_bits:2048
		else
			set -- -algorithm EC -pkeyopt ec_paramgen_curve:P-256
		fi
		(umask 077 && openssl genpkey "$@" -out "$k/$alg.pem" 2>/dev/null) ||
			die "$alg key generation failed"
		stack_own "$k/$alg.pem"
	done
	# Sealed client secrets, sealed codes, `oidcctl key generate`.
	[ "${STACK_KEK:-1}" = 0 ] || stack_secret "$k/kek.hex"
}

# A new oidc.conf, or an existing one's issuer set to this port.
stack_config() {
	local c=$STACK_DIR/oidc.conf
	ISSUER=http://127.0.0.1:$STACK_PORT
	if [ ! -f "$c" ]; then
		{
			echo "# oidc-fcgi configuration (written by scripts/stack.sh;"
			echo "# the issuer line follows the port).  Reference:"
			echo "# deploy/oidc.conf.example."
			echo "issuer = $ISSUER"
			echo "database = host=$STACK_DIR/pg dbname=oidc user=oidc connect_timeout=3"
			echo "signing_key = $STACK_DIR/keys/rs256.pem"
			echo "signing_key = $STACK_DIR/keys/es256.pem"
			[ "${STACK_KEK:-1}" = 0 ] ||
				echo "key_encryption_key = $STACK_DIR/keys/kek.hex"
			[ -z "${STACK_CONF:-}" ] || printf '%s\n' "$STACK_CONF"
		} >"$c"
		chmod 0644 "$c"
	elif ! grep -qx "issuer = $ISSUER" "$c"; then
		say "port changed: issuer is now $ISSUER"
		sed -i "s|^[[:space:]]*issuer[[:space:]]*=.*|issuer = $ISSUER|" "$c"
	fi
	export OIDC_CONFIG=$c
}

# Everything up to a migrated database with keys and config.
stack_base() {
	local D=$STACK_DIR
	mkdir -p "$D/pg" "$D/bin" "$D/keys" "$D/run" "$D/log" "$D/nginx/tmp" ||
		die "cannot create $D"
	chmod 0755 "$D" "$D/run"
	# run/ too: every worker writes its metrics page there (metrics_dir).
	stack_own "$D/pg" "$D/log" "$D/keys" "$D/run"
	# The workers run as STACK_USER: when the build is not reachable for
	# it (a checkout inside a 0700 directory), they run copies.
	if [ ${#AS[@]} -gt 0 ] && ! "${AS[@]}" test -x "$B/oidcctl"; then
		mkdir -p "$D/build/cgi-bin"
		cp "$B"/cgi-bin/*.fcgi "$D/build/cgi-bin/" &&
			cp "$B/oidcctl" "$D/build/" || die "cannot copy the binaries"
		chmod -R a+rX "$D/build"
		say "the build is not reachable for $STACK_USER: using copies in $D/build"
		B=$D/build
		CTL=$B/oidcctl
	fi
	stack_pg_up
	stack_keys
	stack_config
	(cd "$STACK_SRC" && "$CTL" migrate) >"$D/log/migrate.log" 2>&1 ||
		{ cat "$D/log/migrate.log" >&2; die "oidcctl migrate failed"; }
}

# ---- workers ----------------------------------------------------------------

# The worker count of one endpoint: authorize and userinfo carry the
# interactive traffic, token waits on a WAL flush per request, the others
# are rare or cached by nginx (and each worker costs a PostgreSQL backend).
stack_workers_of() { # name
	local w=${STACK_WORKERS:-1}
	[ "${STACK_FORK:-1}" = 1 ] || w=0
	case $w:$1 in
	0:*) echo 1 ;;
	*:authorize | *:userinfo) echo "$w" ;;
	*:token) echo "${STACK_WORKERS_TOKEN:-$w}" ;;
	*) echo "${STACK_WORKERS_LIGHT:-$(((w + 1) / 2))}" ;;
	esac
}

stack_check_counts() {
	local v
	for v in "${STACK_WORKERS:-1}" "${STACK_WORKERS_TOKEN:-1}" "${STACK_WORKERS_LIGHT:-1}"; do
		case $v in 0 | *[!0-9]*) die "worker counts must be numbers >= 1 (authorize and userinfo: ${STACK_WORKERS:-1}, token: ${STACK_WORKERS_TOKEN:-default}, others: ${STACK_WORKERS_LIGHT:-default})" ;; esac
	done
}

# The smallest count: nginx keep-alive must suit every upstream.
stack_min_workers() {
	local m="" n bin
	for bin in "$B"/cgi-bin/*.fcgi; do
		n=$(stack_workers_of "$(basename "$bin" .fcgi)")
		[ -z "$m" ] || [ "$n" -lt "$m" ] && m=$n
	done
	echo "${m:-1}"
}

stack_workers() {
	local D=$STACK_DIR bin name n wrap out p sock=() fork
	stack_check_counts
	if [ -n "${STACK_SOCK_MODE:-}" ]; then
		sock=(-M "$STACK_SOCK_MODE")
	elif [ ${#AS[@]} -gt 0 ]; then
		sock=(-M 0660 -U "$STACK_USER" -G "$STACK_USER")
	else
		sock=(-M 0600)
	fi
	[ ${#AS[@]} -eq 0 ] || sock+=(-u "$STACK_USER" -g "$STACK_USER")
	for bin in "$B"/cgi-bin/*.fcgi; do
		[ -x "$bin" ] || continue
		name=$(basename "$bin" .fcgi)
		ENDPOINTS="${ENDPOINTS:+$ENDPOINTS }$name"
		wrap=()
		if [ -n "${STACK_WRAP:-}" ]; then
			# shellcheck disable=SC2206
			case " ${STACK_WRAP_ONLY:-$name} " in
			*" $name "*) wrap=(${STACK_WRAP//@NAME@/$name}) ;;
			esac
		fi
		rm -f "$D/run/$name.sock" "$D/run/$name.pids"
		touch "$D/log/$name.log" && stack_own "$D/log/$name.log"
		# Forked spawn-fcgi children lose stderr: each worker re-opens
		# its log (sh execs the binary: same pid, fd 0 kept).
		set -- -s "$D/run/$name.sock" "${sock[@]}" -- /bin/sh -c \
		    'exec "$@" 2>>"$0"' "$D/log/$name.log" "${wrap[@]}" "$bin"
		if [ "${STACK_FORK:-1}" = 0 ]; then
			spawn-fcgi -n "$@" >>"$D/log/$name.log" 2>&1 &
			echo $! >"$D/run/$name.pids"
		else
			n=$(stack_workers_of "$name")
			out=$(spawn-fcgi -F "$n" "$@" 2>&1) ||
				{ printf '%s\n' "$out" >&2; die "spawn-fcgi $name failed"; }
			printf '%s\n' "$out" | sed -n \
			    's/^spawn-fcgi: child spawned successfully: PID: \([0-9]*\).*/\1/p' \
			    >"$D/run/$name.pids"
		fi
		for p in $(cat "$D/run/$name.pids"); do
			WORKER_PIDS+=("$p")
			WORKER_NAMES+=("$name")
		done
	done
	[ -n "$ENDPOINTS" ] || say "warning: no $B/cgi-bin/*.fcgi binaries"
	stack_workers_ready
}

stack_worker_pids() { # name: its workers' pids, one a line
	cat "$STACK_DIR/run/$1.pids" 2>/dev/null
}

# A worker's socket exists before the worker has read its config and keys
# (tens of seconds under valgrind on two CPUs; meanwhile a front end
# answers 504): wait until every endpoint answers one request straight on
# its socket (PUT: 405 before any database work), up to STACK_READY
# seconds (default 10).  A worker that exits ends the wait and the run.
stack_workers_ready() {
	local pairs=() i=0 late rc t0
	t0=$(date +%s%N)
	for i in "${!WORKER_PIDS[@]}"; do
		pairs+=("${WORKER_NAMES[$i]}:${WORKER_PIDS[$i]}")
	done
	[ ${#pairs[@]} -gt 0 ] || return 0
	late=$(OIDC_RUNDIR=$STACK_DIR/run PYTHONDONTWRITEBYTECODE=1 \
	    PYTHONPATH=$STACK_SRC/tests/integration/lib \
	    python3 - "${STACK_READY:-10}" "${pairs[@]}" <<-'EOF'
	import sys, threading, time
	from oidctest import ENDPOINT_PATHS, cgi_params, fcgi_request
	end = time.monotonic() + float(sys.argv[1])
	late, pids = [], {}
	for arg in sys.argv[2:]:
	    name, pid = arg.rsplit(":", 1)
	    pids.setdefault(name, []).append(int(pid))

	def alive(pid):
	    try:
	        with open("/proc/%d/stat" % pid) as f:
	            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
	    except (OSError, IndexError):
	        return False

	def probe(name):
	    path = ENDPOINT_PATHS.get(name, "/" + name)
	    while True:
	        left = end - time.monotonic()
	        if not all(alive(p) for p in pids[name]):
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

	ts = [threading.Thread(target=probe, args=(n,)) for n in pids]
	for t in ts:
	    t.start()
	for t in ts:
	    t.join()
	print(" ".join(sorted(late)))
	sys.exit(1 if late else 0)
	EOF
	)
	rc=$?
	for i in "${!WORKER_PIDS[@]}"; do
		kill -0 "${WORKER_PIDS[$i]}" 2>/dev/null && continue
		say "worker ${WORKER_NAMES[$i]} exited at start-up:"
		tail -20 "$STACK_DIR/log/${WORKER_NAMES[$i]}.log" | sed 's/^/    /'
		die "worker ${WORKER_NAMES[$i]} failed to start ($STACK_DIR/log/${WORKER_NAMES[$i]}.log)"
	done
	if [ $rc != 0 ]; then
		for i in $late; do
			say "$i.log (last lines):"
			tail -20 "$STACK_DIR/log/$i.log" 2>/dev/null | sed 's/^/    /'
		done
		die "workers not answering after ${STACK_READY:-10}s: ${late:-?}"
	fi
	say "workers: $ENDPOINTS (${#WORKER_PIDS[@]} processes, all answering after $((($(date +%s%N) - t0) / 1000000)) ms)"
}

# ---- front ends -------------------------------------------------------------

stack_url_up() { # url pid: wait until url answers while pid lives
	local i
	for i in $(seq $((100 * ${STACK_MULT:-1}))); do
		kill -0 "$2" 2>/dev/null || return 1
		python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1).read()' \
		    "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# Render deploy/<kind>/oidc.conf.in into STACK_DIR/<kind>/, check it (-t)
# and start it in the foreground as our child.  Returns 2 when the check
# fails (output in log/<kind>-t.log), 1 when it does not come up.
stack_frontend() { # nginx|lighttpd
	local kind=$1 P=$STACK_DIR/$1 user='' logdir pid
	[ ${#AS[@]} -eq 0 ] || user=$STACK_USER
	logdir=$P
	if [ "$kind" = lighttpd ]; then
		[ -n "$LIGHTTPD" ] || die "lighttpd not found (run scripts/deps.sh)"
		logdir=$P/log
		# deploy/README.md section 5: lighttpd opens its logs after
		# dropping privileges, and buffers request bodies in tmp/.
		mkdir -p "$logdir" "$P/tmp" && stack_own "$logdir" "$P/tmp"
	fi
	# nginx's micro-cache serves a stale entry once (use_stale updating):
	# not one from an earlier start, with perhaps another issuer.
	rm -rf "$P/cache"
	mkdir -p "$P/tmp"
	"$STACK_SRC/scripts/render-conf.sh" "$STACK_SRC/deploy/$kind/oidc.conf.in" \
	    "$P/$kind.conf" "$STACK_PORT" "$STACK_DIR/run" "$P" "$user" \
	    "$(stack_min_workers)" "$logdir" || die "rendering $P/$kind.conf failed"
	if [ "$kind" = nginx ]; then
		set -- "$NGINX" -p "$P" -e "$P/error.log" -c "$P/nginx.conf"
		"$@" -t -q >"$STACK_DIR/log/nginx-t.log" 2>&1 || return 2
		"$@" -g 'daemon off;' >>"$STACK_DIR/log/nginx.out" 2>&1 &
		NGINX_PID=$!
		pid=$NGINX_PID
	else
		"$LIGHTTPD" -tt -f "$P/lighttpd.conf" \
		    >"$STACK_DIR/log/lighttpd-t.log" 2>&1 || return 2
		"$LIGHTTPD" -D -f "$P/lighttpd.conf" \
		    >>"$STACK_DIR/log/lighttpd.out" 2>&1 &
		LIGHTTPD_PID=$!
		pid=$LIGHTTPD_PID
	fi
	stack_url_up "$ISSUER/" "$pid" && return 0
	cat "$STACK_DIR/log/$kind.out" "$logdir/error.log" >&2 2>/dev/null
	return 1
}

# ---- teardown ---------------------------------------------------------------

stack_wait_gone() { # tenths pid...: until all are gone, then SIGKILL
	local n=$1 p alive
	shift
	for _ in $(seq "$n"); do
		alive=0
		for p in "$@"; do
			kill -0 "$p" 2>/dev/null && alive=1
		done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	kill -KILL "$@" 2>/dev/null
}

stack_frontends_stop() {
	local p
	for p in $NGINX_PID $LIGHTTPD_PID; do
		kill -TERM "$p" 2>/dev/null
		stack_wait_gone 100 "$p"
		wait "$p" 2>/dev/null
	done
	NGINX_PID=""
	LIGHTTPD_PID=""
}

stack_workers_stop() {
	local p
	[ ${#WORKER_PIDS[@]} -gt 0 ] || return 0
	kill -TERM "${WORKER_PIDS[@]}" 2>/dev/null
	# Time for sanitizer leak reports and valgrind's leak check.
	stack_wait_gone $((50 * ${STACK_MULT:-1})) "${WORKER_PIDS[@]}"
	# Exit statuses (our children with STACK_FORK=0 only): under
	# valgrind 0 means its leak check ran and found nothing.
	STACK_WORKER_RC=()
	for p in "${WORKER_PIDS[@]}"; do
		wait "$p" 2>/dev/null
		STACK_WORKER_RC+=($?)
	done
	WORKER_PIDS=()
}

stack_pg_stop() {
	[ "$STACK_PG_STARTED" = 1 ] || return 0
	STACK_PG_STARTED=0
	# Whatever the tests did (stop, restart), pg_ctl finds the postmaster
	# through pgdata/postmaster.pid; "not running" is fine.
	"$STACK_DIR/bin/pgctl" status >/dev/null 2>&1 || return 0
	if [ "${STACK_TEMP:-0}" = 1 ]; then
		"$STACK_DIR/bin/pgctl" -m immediate -w stop >/dev/null 2>&1
	else
		"$STACK_DIR/bin/pgctl" -m fast -w stop >/dev/null 2>&1 ||
			say "warning: pg_ctl stop failed"
	fi
}

stack_down() {
	stack_frontends_stop
	stack_workers_stop
	stack_pg_stop
	if [ "${STACK_TEMP:-0}" = 1 ] && [ -n "${STACK_DIR:-}" ] && [ -d "$STACK_DIR" ]; then
		if [ "${STACK_LEAVE:-0}" = 1 ]; then
			say "left $STACK_DIR"
		else
			rm -rf "$STACK_DIR"
		fi
	fi
}
