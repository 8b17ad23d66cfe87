#!/bin/sh
# deploy/spawn-fcgi/oidc-spawn.sh: start oidc-fcgi endpoint workers with
# spawn-fcgi, for hosts without systemd (with systemd, prefer the
# oidc-fcgi@.service template unit).
#
#   oidc-spawn.sh [endpoint ...]          (re)start: default every *.fcgi
#   oidc-spawn.sh --stop [endpoint ...]   stop
#
# Each endpoint gets its own socket <socket dir>/<name>.sock (the names the
# nginx and lighttpd configs use) and its own pool of processes.  Settings,
# from the environment:
#
#   OIDC_CONFIG     config file (default /etc/oidc-fcgi/oidc.conf)
#   OIDC_LIBEXEC    where the binaries are (default /usr/local/lib/oidc-fcgi)
#   OIDC_SOCKDIR    socket directory (default /run/oidc-fcgi)
#   OIDC_USER       user the workers run as (default oidc)
#   OIDC_GROUP      their group (default oidc)
#   OIDC_WEB_GROUP  group owning the sockets, i.e. the web server's
#                   (default www-data); sockets are mode 0660
#   OIDC_WORKERS    processes per endpoint (spawn-fcgi -F; default 2).  Each
#                   process is single-threaded and serves one request at a
#                   time with one database connection: size it to the
#                   expected concurrency per endpoint and keep the total
#                   below PostgreSQL's max_connections.
#   OIDC_STOP_WAIT  seconds to wait for old workers to exit after SIGTERM
#                   before SIGKILL (default 10)
#
# Before anything is started or stopped, every named endpoint runs
# `<name>.fcgi --check-config` in the foreground, as OIDC_USER when run as
# root (setpriv), so a configuration error is printed here, on standard
# error (spawn-fcgi's workers have /dev/null as standard error: set
# `log_file` or `log = syslog` in oidc.conf for what they log later).  If
# any check fails nothing is touched (running workers keep running) and
# the script exits 78.
#
# spawn-fcgi forks the workers and exits; their pids are written to
# <socket dir>/<name>.pid (one pid per line).  Running the script again
# first stops the workers of that pid file (SIGTERM: each finishes the
# request in progress), so it never leaves a second set running; --stop
# only stops them.  A pid is signalled only while it still runs that
# endpoint's binary (a recycled pid is left alone).
set -eu

OIDC_CONFIG=${OIDC_CONFIG:-/etc/oidc-fcgi/oidc.conf}
OIDC_LIBEXEC=${OIDC_LIBEXEC:-/usr/local/lib/oidc-fcgi}
OIDC_SOCKDIR=${OIDC_SOCKDIR:-/run/oidc-fcgi}
OIDC_USER=${OIDC_USER:-oidc}
OIDC_GROUP=${OIDC_GROUP:-oidc}
OIDC_WEB_GROUP=${OIDC_WEB_GROUP:-www-data}
OIDC_WORKERS=${OIDC_WORKERS:-2}
export OIDC_CONFIG

case $OIDC_WORKERS in '' | *[!0-9]*) echo "OIDC_WORKERS: not a number" >&2; exit 2 ;; esac
OIDC_STOP_WAIT=${OIDC_STOP_WAIT:-10}
case $OIDC_STOP_WAIT in '' | *[!0-9]*) echo "OIDC_STOP_WAIT: not a number" >&2; exit 2 ;; esac

action=start
if [ "${1:-}" = --stop ]; then
	action=stop
	shift
fi

if [ $# -eq 0 ]; then
	for f in "$OIDC_LIBEXEC"/*.fcgi; do
		[ -x "$f" ] && set -- "$@" "$(basename "$f" .fcgi)"
	done
	[ $# -gt 0 ] || { echo "no *.fcgi in $OIDC_LIBEXEC" >&2; exit 1; }
fi
for name in "$@"; do
	case $name in */* | .* | -* | '') echo "bad endpoint name: $name" >&2; exit 2 ;; esac
done

# The pids in <name>.pid that still run <name>.fcgi.
running_pids() {
	[ -f "$OIDC_SOCKDIR/$1.pid" ] || return 0
	# Words, not lines: spawn-fcgi ends the last pid without a newline.
	# shellcheck disable=SC2013
	for pid in $(cat "$OIDC_SOCKDIR/$1.pid"); do
		case $pid in '' | *[!0-9]*) continue ;; esac
		case $(ps -p "$pid" -o args= 2>/dev/null) in
		"$OIDC_LIBEXEC/$1.fcgi"*) echo "$pid" ;;
		esac
	done
}

# Stop the workers of one endpoint's pid file; wait, bounded, for them.
stop_endpoint() {
	pids=$(running_pids "$1")
	if [ -n "$pids" ]; then
		# shellcheck disable=SC2086 # one pid per word
		kill -TERM $pids 2>/dev/null || :
		waited=0
		while [ -n "$(running_pids "$1")" ] &&
		    [ $waited -lt $((OIDC_STOP_WAIT * 10)) ]; do
			sleep 0.1 2>/dev/null || sleep 1
			waited=$((waited + 1))
		done
		pids=$(running_pids "$1")
		if [ -n "$pids" ]; then
			echo "$1: workers $pids still running after ${OIDC_STOP_WAIT}s; SIGKILL" >&2
			# shellcheck disable=SC2086
			kill -KILL $pids 2>/dev/null || :
		fi
		echo "stopped $1"
	fi
	rm -f "$OIDC_SOCKDIR/$1.pid" "$OIDC_SOCKDIR/$1.sock"
}

if [ $action = stop ]; then
	for name in "$@"; do
		stop_endpoint "$name"
	done
	exit 0
fi

[ -r "$OIDC_CONFIG" ] || { echo "$OIDC_CONFIG: not readable" >&2; exit 1; }
command -v spawn-fcgi >/dev/null || { echo "spawn-fcgi not installed" >&2; exit 1; }

# Check every endpoint's configuration in the foreground, as the workers'
# user, before anything is stopped or started.
as_worker=
if [ "$(id -u)" = 0 ] && [ "$OIDC_USER" != root ] &&
    command -v setpriv >/dev/null; then
	as_worker="setpriv --reuid=$OIDC_USER --regid=$OIDC_GROUP --init-groups --"
fi
rc=0
for name in "$@"; do
	bin=$OIDC_LIBEXEC/$name.fcgi
	if [ ! -x "$bin" ]; then
		echo "$bin: not installed" >&2
		rc=1
		continue
	fi
	st=0
	$as_worker "$bin" --check-config >/dev/null || st=$?
	if [ $st -ne 0 ]; then
		echo "$name: configuration check failed (exit $st): nothing started or stopped" >&2
		if [ $st -eq 78 ]; then
			rc=78
		elif [ $rc -eq 0 ]; then
			rc=1
		fi
	fi
done
[ $rc -eq 0 ] || exit $rc

install -d -m 0750 -o "$OIDC_USER" -g "$OIDC_WEB_GROUP" "$OIDC_SOCKDIR"

for name in "$@"; do
	bin=$OIDC_LIBEXEC/$name.fcgi
	sock=$OIDC_SOCKDIR/$name.sock
	stop_endpoint "$name"
	if spawn-fcgi -s "$sock" -M 0660 -U "$OIDC_USER" -G "$OIDC_WEB_GROUP" \
	    -u "$OIDC_USER" -g "$OIDC_GROUP" -F "$OIDC_WORKERS" \
	    -P "$OIDC_SOCKDIR/$name.pid" -- "$bin"; then
		echo "started $name: $OIDC_WORKERS worker(s) on $sock"
	else
		echo "$name: spawn-fcgi failed" >&2
		rc=1
	fi
done
exit $rc
