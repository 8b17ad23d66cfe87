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
# nothing but touched ones stay resident), OIDC_DEV_USER (the
# unprivileged user PostgreSQL, the workers and the nginx workers run as
# when started as root; default oidctest, created if missing, the same as
# the integration tests).
#
# Everything lives in ./var and survives restarts: the layout of
# scripts/stack.sh (docs/STACK.md; a durable cluster, the workers spawn-fcgi
# -F N), plus var/demo-client.json (the demo client with its secret) and
# var/demo-user.txt (the demo user's password), both mode 0600, and
# var/run/dev-stack.pid.
#
# oidcctl run from the checkout uses this stack with
# OIDC_CONFIG=var/oidc.conf.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
VAR=$ROOT/var
PIDFILE=$VAR/run/dev-stack.pid
B=${OIDC_BUILD:-build/release}
case $B in /*) ;; *) B=$ROOT/$B ;; esac

say() { printf 'dev-stack: %s\n' "$*"; }
die() { printf 'dev-stack: %s\n' "$*" >&2; exit 1; }

# The stack (scripts/stack.sh, docs/STACK.md): durable, in ./var.
# shellcheck source=scripts/stack.sh
. "$ROOT/scripts/stack.sh"
STACK_DIR=$VAR STACK_PORT=${OIDC_PORT:-8080} STACK_USER=${OIDC_DEV_USER:-oidctest}
STACK_WORKERS=${OIDC_WORKERS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)}
STACK_WORKERS_TOKEN=${OIDC_WORKERS_TOKEN:-}
STACK_WORKERS_LIGHT=${OIDC_WORKERS_LIGHT:-}
STACK_PG_SHARED_BUFFERS=${OIDC_PG_SHARED_BUFFERS:-16MB}
STACK_CONF="code_ttl = 600
access_token_ttl = 3600
id_token_ttl = 3600
refresh_token_ttl = 2592000
session_ttl = 86400
log_level = info
db_timeout = 5
# JARM response modes (query.jwt, fragment.jwt, form_post.jwt, jwt) for
# relying parties under development.
jarm = yes
par = yes
# DPoP (RFC 9449): tokens are bound only for requests with a proof; with
# par it also lets a client opt into the FAPI 2.0 profile (metadata
# member profile = fapi2, docs/FAPI2.md).
dpop = yes"

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

cleanup() {
	trap - EXIT INT TERM HUP
	stack_down
	rm -f "$PIDFILE"
	say "stopped"
}

random_token() { # bytes
	python3 -c 'import secrets,sys; print(secrets.token_urlsafe(int(sys.argv[1])))' "$1"
}

cmd_run() {
	local pid

	if pid=$(running_pid); then
		die "a dev stack is already running (pid $pid); use it, or stop it first with: make stop"
	fi
	case $STACK_PORT in '' | *[!0-9]*) die "OIDC_PORT must be a number" ;; esac
	stack_check_counts
	stack_tools
	if [ ${#AS[@]} -gt 0 ]; then
		"${AS[@]}" test -x "$ROOT" ||
			die "$STACK_USER cannot reach $ROOT; run make run from a checkout other users can traverse (or as a normal user)"
	fi
	mkdir -p "$VAR/run" || die "cannot create $VAR"
	echo $$ >"$PIDFILE"
	trap cleanup EXIT
	trap 'exit 130' INT TERM HUP
	[ -f "$VAR/pgdata/PG_VERSION" ] ||
		say "first run: creating the PostgreSQL cluster, keys and config in var/"
	stack_base
	local PORT=$STACK_PORT
	# A stack made before var/keys/kek.hex existed gets it too.
	grep -q '^[[:space:]]*key_encryption_key' "$VAR/oidc.conf" ||
		echo "key_encryption_key = $VAR/keys/kek.hex" >>"$VAR/oidc.conf"
	# Pushed Authorization Requests (RFC 9126) on, for older stacks too.
	grep -q '^[[:space:]]*par[[:space:]]*=' "$VAR/oidc.conf" ||
		echo "par = yes" >>"$VAR/oidc.conf"
	# The device authorization grant (RFC 8628), on in development.
	grep -q '^[[:space:]]*device_grant' "$VAR/oidc.conf" ||
		echo "device_grant = yes" >>"$VAR/oidc.conf"
	# DPoP (RFC 9449) on in development, for stacks made before it too.
	grep -q '^[[:space:]]*dpop[[:space:]]*=' "$VAR/oidc.conf" ||
		echo "dpop = yes" >>"$VAR/oidc.conf"
	# RFC 9068 JWT access tokens stay a client's choice here (metadata
	# "access_token_format": "jwt"): provider-wide they would change every
	# client's tokens and add a signature to each token request.
	# Resource indicators (RFC 8707) in development, for older stacks too.
	grep -q '^[[:space:]]*resource_indicators' "$VAR/oidc.conf" ||
		echo "resource_indicators = yes" >>"$VAR/oidc.conf"
	# The pages in English and French (docs/THEMES.md), for older stacks too.
	grep -q '^[[:space:]]*ui_locales' "$VAR/oidc.conf" ||
		echo "ui_locales = en fr" >>"$VAR/oidc.conf"
	# The TOTP second step for users enrolled with `oidcctl user totp
	# enroll` (others sign in with the password alone).
	grep -q '^[[:space:]]*totp[[:space:]]*=' "$VAR/oidc.conf" ||
		echo "totp = optional" >>"$VAR/oidc.conf"

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

	stack_workers
	stack_frontend nginx || {
		cat "$VAR/log/nginx-t.log" >&2
		die "nginx did not come up on 127.0.0.1:$PORT (port in use? see var/nginx/error.log)"
	}

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

	  oidc-fcgi is running ($(stack_workers_of authorize) worker(s) for authorize and userinfo, $(stack_workers_of token) for token, $(stack_workers_of other) for the others: $ENDPOINTS)
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
