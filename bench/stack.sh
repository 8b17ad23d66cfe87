# shellcheck shell=bash
# bench/stack.sh: bring up and tear down a throwaway oidc-fcgi stack for the
# benchmarks.  Sourced by bench/run.sh, bench/profile.sh and
# ../shared/peer-bench (peers/oidc-fcgi-prod: sets ROOT and B, sources this,
# may set PGBIN NGINX CTL AS itself, calls stack_up, reads T NGINX_PID
# PGBIN and all_worker_pids).  The stack is scripts/stack.sh's
# (docs/STACK.md) with these choices:
#
#   - PostgreSQL durable (fsync, synchronous_commit, full_page_writes on),
#     loading pg_stat_statements;
#   - every endpoint under `spawn-fcgi -F $BENCH_WORKERS` (default 2);
#     worker_pids NAME lists its workers, log/NAME.log is their stderr;
#   - $STACK_WRAP (e.g. "valgrind --tool=callgrind ...") wraps the workers
#     named in $STACK_WRAP_ONLY (space-separated endpoint names);
#   - key_encryption_key set (sealed codes, issue 16); BENCH_SEALED=0
#     leaves it out (codes stored in auth_code);
#   - a bench user, three clients (bench-rs: RS256, bench-es: ES256, both
#     with remembered consent; bench-login: first_party), a login session,
#     and an access token are seeded with known secrets.
#
# Variables set for the caller: T (temp dir), PORT, ISSUER, PGBIN, CTL, B,
# NGINX_PID, SESSION, ATOKEN, PASSWORD, SECRET_RS, SECRET_ES, SECRET_LOGIN,
# ENDPOINTS.  stack_down is idempotent; callers install it as the EXIT trap.

BENCH_WORKERS=${BENCH_WORKERS:-2}
REDIRECT=http://127.0.0.1/cb
T=""

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# shellcheck source=scripts/stack.sh
. "$ROOT/scripts/stack.sh"
BUSER=${BENCH_USER:-oidctest}
STACK_USER=$BUSER STACK_TEMP=1 STACK_DURABLE=1 STACK_SOCK_MODE=0666
STACK_WORKERS=$BENCH_WORKERS STACK_WORKERS_TOKEN=$BENCH_WORKERS
STACK_WORKERS_LIGHT=$BENCH_WORKERS STACK_LEAVE=${BENCH_LEAVE:-0}
# Under callgrind (bench/profile.sh) a worker takes seconds to answer.
STACK_READY=60
# callgrind writes its profile at exit: 10 s before SIGKILL, as before.
STACK_MULT=2
STACK_PG_CONF="shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = top
pg_stat_statements.track_utility = on"
# The KEK that sealed codes (issue 16) derive their key from;
# BENCH_SEALED=0 leaves it out: codes stored in auth_code as before.
STACK_KEK=${BENCH_SEALED:-1}
STACK_CONF="log_level = ${BENCH_LOG_LEVEL:-info}"

stack_tools() {
	PGBIN=${BENCH_PGBIN:-${PGBIN:-}}
	NGINX=${BENCH_NGINX:-${NGINX:-}}
	stack_tools_base
	[ -x "$B/bench/load" ] || die "$B/bench/load not built (make bench)"
}

worker_pids() { stack_worker_pids "$1"; }

all_worker_pids() {
	local e
	for e in $ENDPOINTS; do
		stack_worker_pids "$e"
	done
}

psql_q() { stack_psql "$@"; }

rand_token() {
	python3 -c 'import secrets; print(secrets.token_urlsafe(32))'
}

stack_up() {
	[ -n "${CTL:-}" ] || stack_tools_base
	STACK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/oidc-bench.XXXXXX") || die "mktemp failed"
	T=$STACK_DIR
	mkdir -p "$T/prof" && chmod 0777 "$T/prof"
	STACK_PORT=${BENCH_PORT:-$(free_port)} || die "no free port"
	PORT=$STACK_PORT
	say "temp dir $T, port $PORT, build $B, $BENCH_WORKERS worker(s) per endpoint"
	stack_base
	psql_q -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements' ||
		die "pg_stat_statements unavailable"

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

	stack_workers
	stack_frontend nginx || die "nginx did not come up on $ISSUER"
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
