# bench/stack.sh: bring up and tear down a throwaway oidc-fcgi stack for the
# benchmarks.  Sourced by bench/run.sh and bench/profile.sh; the same
# approach as tests/integration/run.sh (private PostgreSQL cluster in a temp
# dir on a unix socket, config, keys, migrations, spawn-fcgi per endpoint,
# nginx from deploy/nginx/oidc.conf.in), with these differences:
#
#   - PostgreSQL keeps fsync, synchronous_commit and full_page_writes ON
#     (the defaults), and loads pg_stat_statements;
#   - each endpoint runs under `spawn-fcgi -F $BENCH_WORKERS` (default 2):
#     the children share one listening socket; their pids are read from
#     spawn-fcgi's own report in log/<endpoint>.log;
#   - $STACK_WRAP (e.g. "valgrind --tool=callgrind ...") wraps the workers
#     named in $STACK_WRAP_ONLY (space-separated endpoint names);
#   - key_encryption_key is set (a fresh KEK), so the code flow's codes
#     are sealed (issue 16); BENCH_SEALED=0 leaves it out (stored codes);
#   - a bench user, three clients (bench-rs: RS256, bench-es: ES256, both
#     with remembered consent; bench-login: first_party), a login session,
#     and an access token are seeded with known secrets.
#
# Variables set for the caller: T (temp dir), PORT, ISSUER, PGBIN, CTL, B,
# PSQL (array), NGINX_PID, SESSION, ATOKEN, PASSWORD, SECRET_RS, SECRET_ES,
# SECRET_LOGIN, ENDPOINTS; worker_pids NAME lists an endpoint's workers.
# stack_down is idempotent; callers install it as the EXIT trap.

PATH=$PATH:/usr/sbin:/sbin
BUSER=${BENCH_USER:-oidctest}
BENCH_WORKERS=${BENCH_WORKERS:-2}
REDIRECT=http://127.0.0.1/cb
T=""
NGINX_PID=""
PG_STARTED=0
ENDPOINTS=""
AS=()

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

stack_tools() {
	PGBIN=${BENCH_PGBIN:-}
	if [ -z "$PGBIN" ]; then
		for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
			[ -x "$d/initdb" ] && PGBIN=$d
		done
	fi
	[ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] ||
		die "PostgreSQL server binaries not found (set BENCH_PGBIN; run scripts/deps.sh)"
	NGINX=${BENCH_NGINX:-$(command -v nginx)}
	[ -n "$NGINX" ] || die "nginx not found (run scripts/deps.sh)"
	command -v spawn-fcgi >/dev/null || die "spawn-fcgi not found"
	command -v openssl >/dev/null || die "openssl not found"
	command -v python3 >/dev/null || die "python3 not found"
	CTL=$B/oidcctl
	[ -x "$CTL" ] || die "$CTL not built (make first)"
	[ -x "$B/bench/load" ] || die "$B/bench/load not built (make bench)"
	if [ "$(id -u)" = 0 ]; then
		if ! id "$BUSER" >/dev/null 2>&1; then
			useradd --system --user-group --no-create-home \
			    --home-dir /nonexistent --shell /usr/sbin/nologin \
			    "$BUSER" || die "cannot create user $BUSER"
		fi
		AS=(runuser -u "$BUSER" --)
	fi
}

rand_token() {
	python3 -c 'import secrets; print(secrets.token_urlsafe(32))'
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Worker pids of one endpoint, as spawn-fcgi reported them at start-up
# (its -P file concatenates the pids without separators).
worker_pids() {
	sed -n 's/^spawn-fcgi: child spawned successfully: PID: \([0-9]*\).*/\1/p' \
	    "$T/log/$1.log" 2>/dev/null
}

all_worker_pids() {
	local e
	for e in $ENDPOINTS; do
		worker_pids "$e"
	done
}

stack_down() {
	local p pids
	if [ -n "$NGINX_PID" ]; then
		kill -TERM "$NGINX_PID" 2>/dev/null
		for _ in $(seq 50); do
			kill -0 "$NGINX_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$NGINX_PID" 2>/dev/null
		wait "$NGINX_PID" 2>/dev/null
		NGINX_PID=""
	fi
	if [ -n "$T" ] && [ -d "$T/run" ]; then
		pids=$(all_worker_pids)
		if [ -n "$pids" ]; then
			# shellcheck disable=SC2086
			kill -TERM $pids 2>/dev/null
			for _ in $(seq 100); do
				alive=0
				for p in $pids; do
					kill -0 "$p" 2>/dev/null && alive=1
				done
				[ $alive = 0 ] && break
				sleep 0.1
			done
			# shellcheck disable=SC2086
			kill -KILL $pids 2>/dev/null
		fi
	fi
	if [ $PG_STARTED = 1 ]; then
		"${AS[@]}" "$PGBIN/pg_ctl" -D "$T/pgdata" -m immediate -w stop \
		    >/dev/null 2>&1
		PG_STARTED=0
	fi
	if [ -n "$T" ] && [ -d "$T" ]; then
		if [ "${BENCH_LEAVE:-0}" = 1 ]; then
			say "left $T"
		else
			rm -rf "$T"
		fi
	fi
	T=""
}

psql_q() { # sql...
	"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$T/pg" -U oidc -d oidc "$@"
}

stack_up() {
	local name bin
	T=$(mktemp -d "${TMPDIR:-/tmp}/oidc-bench.XXXXXX") || die "mktemp failed"
	chmod 0755 "$T"
	mkdir -p "$T/pgdata" "$T/pg" "$T/keys" "$T/run" "$T/log" "$T/nginx/tmp" \
	    "$T/prof"
	chmod 0700 "$T/pgdata"
	chmod 0777 "$T/prof"
	if [ ${#AS[@]} -gt 0 ]; then
		chown "$BUSER:" "$T/pgdata" "$T/pg" "$T/log" "$T/keys" "$T/run"
	fi
	PORT=${BENCH_PORT:-$(free_port)} || die "no free port"
	ISSUER=http://127.0.0.1:$PORT
	say "temp dir $T, port $PORT, build $B, $BENCH_WORKERS worker(s) per endpoint"

	"${AS[@]}" "$PGBIN/initdb" -D "$T/pgdata" -U oidc --auth=trust \
	    --no-sync -E UTF8 --locale=C >"$T/log/initdb.log" 2>&1 ||
		{ cat "$T/log/initdb.log" >&2; die "initdb failed"; }
	cat >>"$T/pgdata/postgresql.conf" <<-EOF

	# oidc-fcgi benchmark: durable commits, as in production.
	listen_addresses = ''
	unix_socket_directories = '$T/pg'
	fsync = on
	synchronous_commit = on
	full_page_writes = on
	max_connections = 100
	log_min_messages = warning
	shared_preload_libraries = 'pg_stat_statements'
	pg_stat_statements.track = top
	pg_stat_statements.track_utility = on
	EOF
	"${AS[@]}" "$PGBIN/pg_ctl" -D "$T/pgdata" -l "$T/log/postgres.log" \
	    -w -t 60 start >/dev/null ||
		{ cat "$T/log/postgres.log" >&2; die "PostgreSQL did not start"; }
	PG_STARTED=1
	"$PGBIN/createdb" -h "$T/pg" -U oidc oidc || die "createdb failed"
	psql_q -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements' ||
		die "pg_stat_statements unavailable"

	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out "$T/keys/rs256.pem" 2>/dev/null || die "RSA keygen failed"
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$T/keys/es256.pem" 2>/dev/null || die "EC keygen failed"
	# The KEK that sealed codes (issue 16) derive their key from;
	# BENCH_SEALED=0 leaves it out: codes stored in auth_code as before.
	KEKLINE=""
	if [ "${BENCH_SEALED:-1}" != 0 ]; then
		openssl rand -hex 32 >"$T/keys/kek.hex" || die "openssl rand failed"
		chmod 0600 "$T/keys/kek.hex"
		KEKLINE="key_encryption_key = $T/keys/kek.hex"
	fi
	chmod 0600 "$T/keys/"*.pem
	[ ${#AS[@]} -gt 0 ] && chown "$BUSER:" "$T/keys/"*

	cat >"$T/oidc.conf" <<-EOF
	# oidc-fcgi benchmark configuration (generated by bench/stack.sh)
	issuer = $ISSUER
	database = host=$T/pg dbname=oidc user=oidc connect_timeout=3
	signing_key = $T/keys/rs256.pem
	signing_key = $T/keys/es256.pem
	log_level = ${BENCH_LOG_LEVEL:-info}
	$KEKLINE
	EOF
	chmod 0644 "$T/oidc.conf"
	export OIDC_CONFIG=$T/oidc.conf
	(cd "$ROOT" && "$CTL" migrate) >"$T/log/migrate.log" 2>&1 ||
		{ cat "$T/log/migrate.log" >&2; die "oidcctl migrate failed"; }

	# Seed: user, clients, session, consent, one access token.
	PASSWORD=$(rand_token)
	SESSION=$(rand_token)
	ATOKEN=$(rand_token)
	printf '%s' "$PASSWORD" | "$CTL" user create bench >/dev/null ||
		die "user create failed"
	printf '{"name":"Bench User","given_name":"Bench","family_name":"User","preferred_username":"bench","email":"bench@example.com","email_verified":true,"locale":"en"}' |
		"$CTL" user set-claims bench >/dev/null || die "set-claims failed"
	local base='"redirect_uris":["'$REDIRECT'"],"grant_types":["authorization_code","refresh_token"],"response_types":["code"],"token_endpoint_auth_method":"client_secret_basic","scope":"openid profile email offline_access"'
	printf '{"client_id":"bench-rs","client_name":"bench RS256",%s}' "$base" |
		"$CTL" client create >"$T/client-rs.json" || die "client create failed"
	printf '{"client_id":"bench-es","client_name":"bench ES256","id_token_signed_response_alg":"ES256",%s}' "$base" |
		"$CTL" client create >"$T/client-es.json" || die "client create failed"
	printf '{"client_id":"bench-login","client_name":"bench login","first_party":true,%s}' "$base" |
		"$CTL" client create >"$T/client-login.json" || die "client create failed"
	secret() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["client_secret"])' "$1"; }
	SECRET_RS=$(secret "$T/client-rs.json")
	SECRET_ES=$(secret "$T/client-es.json")
	SECRET_LOGIN=$(secret "$T/client-login.json")
	psql_q -v sess="$SESSION" -v tok="$ATOKEN" >"$T/log/seed.log" 2>&1 <<-'EOF' ||
	INSERT INTO login_session (session_hash, user_id, sid, auth_time, amr,
	    expires_at)
	SELECT sha256(convert_to(:'sess', 'UTF8')), user_id, 'bench-sid', now(),
	    'pwd', now() + interval '1 day' FROM app_user WHERE username = 'bench';
	INSERT INTO consent (user_id, client_id, scope)
	SELECT user_id, c, 'openid profile email' FROM app_user,
	    unnest(ARRAY['bench-rs', 'bench-es']) c WHERE username = 'bench';
	INSERT INTO token (token_hash, kind, client_id, user_id, scope,
	    auth_time, amr, sid, expires_at)
	SELECT sha256(convert_to(:'tok', 'UTF8')), 'access', 'bench-rs', user_id,
	    'openid profile email', now(), 'pwd', 'bench-sid',
	    now() + interval '1 day' FROM app_user WHERE username = 'bench';
	EOF
		{ cat "$T/log/seed.log" >&2; die "seeding failed"; }

	# Workers: spawn-fcgi -F N forks N children sharing one socket.
	local spawn_user=() wrap
	[ ${#AS[@]} -gt 0 ] && spawn_user=(-u "$BUSER" -g "$BUSER")
	for bin in "$B"/cgi-bin/*.fcgi; do
		[ -x "$bin" ] || continue
		name=$(basename "$bin" .fcgi)
		ENDPOINTS="$ENDPOINTS $name"
		wrap=()
		if [ -n "${STACK_WRAP:-}" ]; then
			case " ${STACK_WRAP_ONLY:-$name} " in
			*" $name "*)
				# shellcheck disable=SC2206
				wrap=(${STACK_WRAP//@NAME@/$name})
				;;
			esac
		fi
		# Forked spawn-fcgi children lose stderr: each worker
		# re-opens its log (sh execs the binary: same pid, fd 0 kept).
		: >"$T/log/$name.worker.log"
		[ ${#AS[@]} -gt 0 ] && chown "$BUSER:" "$T/log/$name.worker.log"
		spawn-fcgi -s "$T/run/$name.sock" -M 0666 -F "$BENCH_WORKERS" \
		    "${spawn_user[@]}" -- /bin/sh -c 'exec "$@" 2>>"$0"' \
		    "$T/log/$name.worker.log" "${wrap[@]}" "$bin" \
		    >>"$T/log/$name.log" 2>&1 ||
			{ cat "$T/log/$name.log" >&2; die "spawn-fcgi $name failed"; }
	done
	ENDPOINTS=${ENDPOINTS# }
	sleep 0.5
	for name in $ENDPOINTS; do
		for p in $(worker_pids "$name"); do
			kill -0 "$p" 2>/dev/null ||
				{ tail -5 "$T/log/$name.log" "$T/log/$name.worker.log" >&2; die "$name worker $p exited at start-up"; }
		done
	done

	local user=
	[ ${#AS[@]} -gt 0 ] && user=$BUSER
	"$ROOT/scripts/render-conf.sh" "$ROOT/deploy/nginx/oidc.conf.in" \
	    "$T/nginx/nginx.conf" "$PORT" "$T/run" "$T/nginx" "$user" \
	    "$BENCH_WORKERS" || die "rendering the nginx configuration failed"
	"$NGINX" -p "$T/nginx" -e "$T/nginx/error.log" -c "$T/nginx/nginx.conf" \
	    -g 'daemon off;' >>"$T/log/nginx.out" 2>&1 &
	NGINX_PID=$!
	for _ in $(seq 100); do
		kill -0 "$NGINX_PID" 2>/dev/null || break
		python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
		    "$ISSUER/" 2>/dev/null && return 0
		sleep 0.1
	done
	cat "$T/log/nginx.out" "$T/nginx/error.log" >&2 2>/dev/null
	die "nginx did not come up on $ISSUER"
}

# Insert `n` authorization codes "<prefix><i>" for `client` (token_only).
insert_codes() { # client prefix n
	psql_q -v client="$1" -v prefix="$2" -v n="$3" >>"$T/log/seed.log" 2>&1 <<-'EOF'
	INSERT INTO auth_code (code_hash, client_id, user_id, redirect_uri, scope,
	    nonce, auth_time, amr, sid, expires_at)
	SELECT sha256(convert_to(:'prefix' || g, 'UTF8')), :'client', u.user_id,
	    'http://127.0.0.1/cb', 'openid profile email', 'n' || g, now(), 'pwd',
	    'bench-sid', now() + interval '10 minutes'
	FROM app_user u, generate_series(0, :n - 1) g WHERE u.username = 'bench';
	EOF
}
