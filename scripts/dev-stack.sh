#!/bin/bash
# scripts/dev-stack.sh: the embedded provider for development.
#
#   scripts/dev-stack.sh run    (make run)   start everything, stay in the
#                                            foreground; Ctrl-C stops it
#   scripts/dev-stack.sh stop   (make stop)  stop a running `run`
#
# Environment: OIDC_BUILD (default build/release), OIDC_PORT (8080),
# OIDC_WORKERS (worker processes for each of the busy endpoints authorize,
# token and userinfo; default: the number of CPUs), OIDC_WORKERS_TOKEN
# (the token endpoint's alone, default OIDC_WORKERS: each of its requests
# waits for a WAL fsync, so more of them in flight share one), OIDC_WORKERS_LIGHT
# (worker processes for each other endpoint; default (OIDC_WORKERS + 1) / 2:
# their traffic is rare or answered by nginx's micro-cache, and every worker
# costs a PostgreSQL backend too; nginx keep-alive to the workers follows
# from the smaller count, see scripts/render-conf.sh),
# OIDC_PG_SHARED_BUFFERS (the embedded cluster's shared_buffers, default
# 16MB: the data of a small provider fits, and untouched buffers cost
# nothing but touched ones stay resident), OIDC_DEV_USER (the unprivileged user PostgreSQL, the workers and the nginx
# workers run as when started as root; default oidctest, created if
# missing, the same as the integration tests).
#
# Everything lives in ./var and survives restarts:
#
#   var/pgdata           PostgreSQL cluster (initdb --auth=trust -U oidc;
#                        unix socket only, in var/pg; listen_addresses = '')
#   var/keys/*.pem       RS256 and ES256 signing keys (mode 0600)
#   var/keys/kek.hex     the key_encryption_key, so that `oidcctl key` can
#                        add database keys for the other algorithms
#   var/oidc.conf        config (issuer http://127.0.0.1:$OIDC_PORT)
#   var/demo-client.json the demo client as printed by oidcctl, with its
#                        secret (mode 0600)
#   var/demo-user.txt    the demo user's name and password (mode 0600)
#   var/run/             worker sockets and dev-stack.pid
#   var/log/             postgres.log and one <name>.log per worker
#   var/nginx/           the rendered deploy/nginx/oidc.conf.in, its logs
#
# oidcctl run from the checkout uses this stack with
# OIDC_CONFIG=var/oidc.conf.
set -u
PATH=$PATH:/usr/sbin:/sbin
export PATH

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
VAR=$ROOT/var
PIDFILE=$VAR/run/dev-stack.pid
PORT=${OIDC_PORT:-8080}
B=${OIDC_BUILD:-build/release}
case $B in /*) ;; *) B=$ROOT/$B ;; esac
CTL=$B/oidcctl
DUSER=${OIDC_DEV_USER:-oidctest}
WORKERS=${OIDC_WORKERS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)}
LIGHT_WORKERS=${OIDC_WORKERS_LIGHT:-}
TOKEN_WORKERS=${OIDC_WORKERS_TOKEN:-}
PG_SHARED_BUFFERS=${OIDC_PG_SHARED_BUFFERS:-16MB}

say() { printf 'dev-stack: %s\n' "$*"; }
min_of() {
	local m=$1 n
	for n in "$@"; do [ "$n" -lt "$m" ] && m=$n; done
	echo "$m"
}
die() { printf 'dev-stack: %s\n' "$*" >&2; exit 1; }

running_pid() {
	local pid
	[ -f "$PIDFILE" ] || return 1
	pid=$(cat "$PIDFILE" 2>/dev/null)
	case $pid in '' | *[!0-9]*) return 1 ;; esac
	kill -0 "$pid" 2>/dev/null || return 1
	# A recycled pid that is not ours does not count.
	grep -q 'dev-stack' "/proc/$pid/cmdline" 2>/dev/null || return 1
	echo "$pid"
}

cmd_stop() {
	local pid
	if ! pid=$(running_pid); then
		rm -f "$PIDFILE"
		echo "not running"
		return 0
	fi
	kill -TERM "$pid"
	for _ in $(seq 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		die "pid $pid did not stop within 30 s"
	fi
	echo "stopped"
}

# ---- run -------------------------------------------------------------------

NGINX_PID=""
WORKER_PIDS=()
PG_STARTED=0
PGBIN=""

cleanup() {
	local p
	trap - EXIT INT TERM HUP
	if [ -n "$NGINX_PID" ]; then
		kill -QUIT "$NGINX_PID" 2>/dev/null
		for _ in $(seq 100); do
			kill -0 "$NGINX_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$NGINX_PID" 2>/dev/null
		wait "$NGINX_PID" 2>/dev/null
	fi
	if [ ${#WORKER_PIDS[@]} -gt 0 ]; then
		kill -TERM "${WORKER_PIDS[@]}" 2>/dev/null
		for _ in $(seq 50); do
			alive=0
			for p in "${WORKER_PIDS[@]}"; do
				kill -0 "$p" 2>/dev/null && alive=1
			done
			[ $alive = 0 ] && break
			sleep 0.1
		done
		kill -KILL "${WORKER_PIDS[@]}" 2>/dev/null
		for p in "${WORKER_PIDS[@]}"; do
			wait "$p" 2>/dev/null
		done
	fi
	if [ $PG_STARTED = 1 ]; then
		if "${AS[@]}" "$PGBIN/pg_ctl" -D "$VAR/pgdata" status \
		    >/dev/null 2>&1; then
			"${AS[@]}" "$PGBIN/pg_ctl" -D "$VAR/pgdata" -m fast -w \
			    stop >/dev/null 2>&1 || say "warning: pg_ctl stop failed"
		fi
	fi
	rm -f "$PIDFILE"
	say "stopped"
}

random_token() { # bytes
	python3 -c 'import secrets,sys; print(secrets.token_urlsafe(int(sys.argv[1])))' "$1"
}

cmd_run() {
	local pid name bin

	if pid=$(running_pid); then
		die "a dev stack is already running (pid $pid); use it, or stop it first with: make stop"
	fi

	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
		[ -x "$d/initdb" ] && PGBIN=$d
	done
	[ -n "$PGBIN" ] || die "PostgreSQL server binaries not found (run scripts/deps.sh)"
	NGINX=$(command -v nginx) || die "nginx not found (run scripts/deps.sh)"
	command -v spawn-fcgi >/dev/null || die "spawn-fcgi not found (run scripts/deps.sh)"
	[ -x "$CTL" ] || die "$CTL not built (run make)"
	case $PORT in '' | *[!0-9]*) die "OIDC_PORT must be a number" ;; esac
	case $WORKERS in '' | 0 | *[!0-9]*) die "OIDC_WORKERS must be a number >= 1" ;; esac
	[ -n "$LIGHT_WORKERS" ] || LIGHT_WORKERS=$(( (WORKERS + 1) / 2 ))
	case $LIGHT_WORKERS in 0 | *[!0-9]*) die "OIDC_WORKERS_LIGHT must be a number >= 1" ;; esac
	[ -n "$TOKEN_WORKERS" ] || TOKEN_WORKERS=$WORKERS
	case $TOKEN_WORKERS in 0 | *[!0-9]*) die "OIDC_WORKERS_TOKEN must be a number >= 1" ;; esac

	AS=()
	if [ "$(id -u)" = 0 ]; then
		if ! id "$DUSER" >/dev/null 2>&1; then
			useradd --system --user-group --no-create-home \
			    --home-dir /nonexistent --shell /usr/sbin/nologin \
			    "$DUSER" || die "cannot create user $DUSER"
		fi
		AS=(runuser -u "$DUSER" --)
		"${AS[@]}" test -x "$ROOT" ||
			die "$DUSER cannot reach $ROOT; run make run from a checkout other users can traverse (or as a normal user)"
	fi

	mkdir -p "$VAR/run" "$VAR/log" "$VAR/pg" "$VAR/keys" "$VAR/nginx/tmp" ||
		die "cannot create $VAR"
	echo $$ >"$PIDFILE"
	trap cleanup EXIT
	trap 'exit 130' INT TERM HUP

	if [ ${#AS[@]} -gt 0 ]; then
		chown "$DUSER:" "$VAR/pg" "$VAR/log" "$VAR/keys" "$VAR/run"
		chmod 0755 "$VAR" "$VAR/run"
	fi

	# First run: the cluster, the keys and the config.
	if [ ! -f "$VAR/pgdata/PG_VERSION" ]; then
		say "first run: creating the PostgreSQL cluster in var/pgdata"
		mkdir -p "$VAR/pgdata"
		chmod 0700 "$VAR/pgdata"
		[ ${#AS[@]} -gt 0 ] && chown "$DUSER:" "$VAR/pgdata"
		"${AS[@]}" "$PGBIN/initdb" -D "$VAR/pgdata" -U oidc --auth=trust \
		    -E UTF8 --locale=C >"$VAR/log/initdb.log" 2>&1 ||
			{ cat "$VAR/log/initdb.log" >&2; die "initdb failed"; }
		cat >>"$VAR/pgdata/postgresql.conf" <<-'EOF'

		# oidc-fcgi dev stack: unix socket only (the directory is given
		# with -k at start-up, see scripts/dev-stack.sh).
		listen_addresses = ''
		EOF
	fi
	for alg in rs256 es256; do
		[ -f "$VAR/keys/$alg.pem" ] && continue
		say "generating the $alg signing key in var/keys"
		if [ $alg = rs256 ]; then
			openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
			    -out "$VAR/keys/$alg.pem" 2>/dev/null
		else
			openssl genpkey -algorithm EC \
			    -pkeyopt ec_paramgen_curve:P-256 \
			    -out "$VAR/keys/$alg.pem" 2>/dev/null
		fi || die "key generation failed"
		chmod 0600 "$VAR/keys/$alg.pem"
		[ ${#AS[@]} -gt 0 ] && chown "$DUSER:" "$VAR/keys/$alg.pem"
	done
	# No signing key comes from it: it only lets `oidcctl key generate`
	# seal keys for the other algorithms (README, "Every algorithm").
	if [ ! -f "$VAR/keys/kek.hex" ]; then
		say "generating the key-encryption key in var/keys"
		(umask 077 && openssl rand -hex 32 >"$VAR/keys/kek.hex") ||
			die "key-encryption key generation failed"
		[ ${#AS[@]} -gt 0 ] && chown "$DUSER:" "$VAR/keys/kek.hex"
	fi
	ISSUER=http://127.0.0.1:$PORT
	if [ ! -f "$VAR/oidc.conf" ]; then
		cat >"$VAR/oidc.conf" <<-EOF
		# oidc-fcgi dev stack configuration (created by scripts/dev-stack.sh;
		# the issuer line is rewritten when OIDC_PORT changes).
		# Reference: deploy/oidc.conf.example.
		issuer = $ISSUER
		database = host=$VAR/pg dbname=oidc user=oidc connect_timeout=3
		signing_key = $VAR/keys/rs256.pem
		signing_key = $VAR/keys/es256.pem
		key_encryption_key = $VAR/keys/kek.hex
		code_ttl = 600
		access_token_ttl = 3600
		id_token_ttl = 3600
		refresh_token_ttl = 2592000
		session_ttl = 86400
		log_level = info
		db_timeout = 5
		EOF
		chmod 0644 "$VAR/oidc.conf"
	elif ! grep -qx "issuer = $ISSUER" "$VAR/oidc.conf"; then
		say "port changed: issuer is now $ISSUER"
		sed -i "s|^[[:space:]]*issuer[[:space:]]*=.*|issuer = $ISSUER|" \
		    "$VAR/oidc.conf"
	fi
	# A stack made before var/keys/kek.hex existed gets it too.
	grep -q '^[[:space:]]*key_encryption_key' "$VAR/oidc.conf" ||
		echo "key_encryption_key = $VAR/keys/kek.hex" >>"$VAR/oidc.conf"
	export OIDC_CONFIG=$VAR/oidc.conf

	# PostgreSQL.
	if "${AS[@]}" "$PGBIN/pg_ctl" -D "$VAR/pgdata" status >/dev/null 2>&1; then
		say "PostgreSQL is already running on var/pgdata (left over); using it"
	else
		rm -f "$VAR/pg/.s.PGSQL."*
		"${AS[@]}" "$PGBIN/pg_ctl" -D "$VAR/pgdata" \
		    -l "$VAR/log/postgres.log" -o "-k $VAR/pg -c shared_buffers=$PG_SHARED_BUFFERS" -w -t 60 start \
		    >/dev/null ||
			{ tail -20 "$VAR/log/postgres.log" >&2; die "PostgreSQL did not start"; }
	fi
	PG_STARTED=1
	if [ "$("$PGBIN/psql" -X -h "$VAR/pg" -U oidc -d postgres -Atc \
	    "SELECT 1 FROM pg_database WHERE datname = 'oidc'")" != 1 ]; then
		"$PGBIN/createdb" -h "$VAR/pg" -U oidc oidc || die "createdb failed"
	fi
	"$CTL" migrate >"$VAR/log/migrate.log" 2>&1 ||
		{ cat "$VAR/log/migrate.log" >&2; die "oidcctl migrate failed"; }

	# The demo client, registered for this port's callback.
	local cb=http://127.0.0.1:$PORT/demo/callback
	if [ -f "$VAR/demo-client.json" ] && ! grep -qF "\"$cb\"" "$VAR/demo-client.json"; then
		say "port changed: re-registering the demo client for $cb"
		"$CTL" client delete demo >/dev/null 2>&1
		rm -f "$VAR/demo-client.json"
	fi
	if [ ! -f "$VAR/demo-client.json" ]; then
		"$CTL" client delete demo >/dev/null 2>&1
		umask 077
		printf '{"client_id":"demo","client_name":"oidc-fcgi demo","redirect_uris":["%s"],"grant_types":["authorization_code","refresh_token"],"response_types":["code"],"token_endpoint_auth_method":"client_secret_basic","scope":"openid profile email offline_access"}' "$cb" |
			"$CTL" client create >"$VAR/demo-client.json.new" ||
			die "seeding the demo client failed"
		mv "$VAR/demo-client.json.new" "$VAR/demo-client.json"
		umask 022
		say "seeded the demo client (var/demo-client.json)"
	fi
	if [ ! -f "$VAR/demo-user.txt" ]; then
		local pw
		pw=$(random_token 12)
		"$CTL" user delete demo >/dev/null 2>&1
		printf '%s' "$pw" | "$CTL" user create demo >/dev/null ||
			die "seeding the demo user failed"
		printf '{"name":"Demo User","given_name":"Demo","family_name":"User","preferred_username":"demo","email":"demo@example.com","email_verified":true,"locale":"en"}' |
			"$CTL" user set-claims demo >/dev/null || die "setting the demo user's claims failed"
		umask 077
		printf 'username: demo\npassword: %s\n' "$pw" >"$VAR/demo-user.txt"
		umask 022
		say "seeded the demo user (var/demo-user.txt)"
	fi

	# Workers: spawn-fcgi -F n per endpoint binary (n: $WORKERS for the
	# busy endpoints, $LIGHT_WORKERS for the others); the children
	# share one listening socket.  Forked spawn-fcgi children lose stderr,
	# so each re-opens its log (sh execs the binary: same pid, fd 0
	# kept); the pids come from spawn-fcgi's own report.
	local spawnopts=(-M 0600)
	if [ ${#AS[@]} -gt 0 ]; then
		spawnopts=(-M 0660 -u "$DUSER" -g "$DUSER" -U "$DUSER" -G "$DUSER")
	fi
	local names=() out p n
	for bin in "$B"/cgi-bin/*.fcgi; do
		[ -x "$bin" ] || continue
		name=$(basename "$bin" .fcgi)
		rm -f "$VAR/run/$name.sock"
		touch "$VAR/log/$name.log"
		[ ${#AS[@]} -gt 0 ] && chown "$DUSER:" "$VAR/log/$name.log"
		case $name in
		token) n=$TOKEN_WORKERS ;;
		authorize | userinfo) n=$WORKERS ;;
		*) n=$LIGHT_WORKERS ;;
		esac
		out=$(spawn-fcgi -s "$VAR/run/$name.sock" -F "$n" \
		    "${spawnopts[@]}" -- /bin/sh -c 'exec "$@" 2>>"$0"' \
		    "$VAR/log/$name.log" "$bin" 2>&1) ||
			{ printf '%s\n' "$out" >&2; die "spawn-fcgi $name failed"; }
		for p in $(printf '%s\n' "$out" |
		    sed -n 's/^spawn-fcgi: child spawned successfully: PID: \([0-9]*\).*/\1/p'); do
			WORKER_PIDS+=("$p")
			names+=("$name")
		done
	done
	[ ${#names[@]} -gt 0 ] || say "warning: no endpoint binaries in $B/cgi-bin"
	sleep 0.3
	local i=0
	for pid in "${WORKER_PIDS[@]}"; do
		kill -0 "$pid" 2>/dev/null ||
			{ tail -5 "$VAR/log/${names[$i]}.log" >&2; die "${names[$i]}.fcgi exited at start-up (var/log/${names[$i]}.log)"; }
		i=$((i + 1))
	done

	# nginx, from the shipped template.
	local user=
	[ ${#AS[@]} -gt 0 ] && user=$DUSER
	"$ROOT/scripts/render-conf.sh" "$ROOT/deploy/nginx/oidc.conf.in" \
	    "$VAR/nginx/nginx.conf" "$PORT" "$VAR/run" "$VAR/nginx" "$user" \
	    "$(min_of "$WORKERS" "$LIGHT_WORKERS" "$TOKEN_WORKERS")" ||
		die "rendering var/nginx/nginx.conf failed"
	"$NGINX" -t -q -p "$VAR/nginx" -e "$VAR/nginx/error.log" \
	    -c "$VAR/nginx/nginx.conf" || die "nginx -t failed on var/nginx/nginx.conf"
	"$NGINX" -p "$VAR/nginx" -e "$VAR/nginx/error.log" \
	    -c "$VAR/nginx/nginx.conf" -g 'daemon off;' &
	NGINX_PID=$!
	local up=0
	for _ in $(seq 100); do
		kill -0 "$NGINX_PID" 2>/dev/null || break
		if python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
		    "$ISSUER/" 2>/dev/null; then
			up=1
			break
		fi
		sleep 0.1
	done
	[ $up = 1 ] || die "nginx did not come up on 127.0.0.1:$PORT (port in use? see var/nginx/error.log)"

	# What to open.
	local secret verifier challenge state nonce q
	secret=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("client_secret",""))' "$VAR/demo-client.json")
	verifier=$(random_token 48)
	challenge=$(printf '%s' "$verifier" | openssl dgst -sha256 -binary |
	    openssl base64 -A | tr '+/' '-_' | tr -d '=')
	state=$(random_token 12)
	nonce=$(random_token 12)
	q="response_type=code&client_id=demo&redirect_uri=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$cb")"
	q="$q&scope=openid%20profile%20email&state=$state&nonce=$nonce"
	q="$q&code_challenge=$challenge&code_challenge_method=S256"
	cat <<-EOF

	  oidc-fcgi is running ($WORKERS worker(s) for authorize and userinfo, $TOKEN_WORKERS for token, $LIGHT_WORKERS for the others: $(printf '%s\n' "${names[@]}" | uniq | tr '\n' ' '))
	  issuer          $ISSUER
	  discovery       $ISSUER/.well-known/openid-configuration
	  metrics         $ISSUER/metrics
	  demo client     client_id=demo client_secret=$secret
	  demo user       $(sed -n 's/^username: //p' "$VAR/demo-user.txt") / $(sed -n 's/^password: //p' "$VAR/demo-user.txt")

	  Open:
	    $ISSUER/authorize?$q
	  then exchange the code from the callback URL:
	    curl -u demo:$secret -d grant_type=authorization_code \\
	      --data-urlencode redirect_uri=$cb \\
	      -d code_verifier=$verifier -d code=CODE $ISSUER/token
	  (code_verifier: $verifier)

	  Logs in var/log/ and var/nginx/.  Ctrl-C or 'make stop' stops everything.
	EOF

	# Stay in the foreground until a signal or until a server process
	# dies (the workers are not our children: poll them).
	while kill -0 "$NGINX_PID" 2>/dev/null; do
		for pid in "${WORKER_PIDS[@]}"; do
			kill -0 "$pid" 2>/dev/null || break 2
		done
		sleep 1 &
		wait $!
	done
	say "a server process exited unexpectedly (see var/log/, var/nginx/error.log); stopping"
	exit 1
}

case ${1:-} in
run) cmd_run ;;
stop) cmd_stop ;;
*)
	echo "usage: $0 run|stop" >&2
	exit 2
	;;
esac
