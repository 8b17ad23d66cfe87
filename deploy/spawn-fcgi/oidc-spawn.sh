#!/bin/sh
# deploy/spawn-fcgi/oidc-spawn.sh: start oidc-fcgi endpoint workers with
# spawn-fcgi, for hosts without systemd (with systemd, prefer the
# oidc-fcgi@.service template unit).
#
#   oidc-spawn.sh [endpoint ...]      default: every installed *.fcgi
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
#
# spawn-fcgi forks the workers and exits; its pids are written to
# <socket dir>/<name>.pid (one pid per line).  Stop with
#   xargs kill < /run/oidc-fcgi/<name>.pid
# The workers finish the request in progress on SIGTERM.
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
[ -r "$OIDC_CONFIG" ] || { echo "$OIDC_CONFIG: not readable" >&2; exit 1; }
command -v spawn-fcgi >/dev/null || { echo "spawn-fcgi not installed" >&2; exit 1; }

if [ $# -eq 0 ]; then
	for f in "$OIDC_LIBEXEC"/*.fcgi; do
		[ -x "$f" ] && set -- "$@" "$(basename "$f" .fcgi)"
	done
	[ $# -gt 0 ] || { echo "no *.fcgi in $OIDC_LIBEXEC" >&2; exit 1; }
fi

install -d -m 0750 -o "$OIDC_USER" -g "$OIDC_WEB_GROUP" "$OIDC_SOCKDIR"

rc=0
for name in "$@"; do
	case $name in */* | .* | '') echo "bad endpoint name: $name" >&2; rc=2; continue ;; esac
	bin=$OIDC_LIBEXEC/$name.fcgi
	sock=$OIDC_SOCKDIR/$name.sock
	if [ ! -x "$bin" ]; then
		echo "$bin: not installed" >&2
		rc=1
		continue
	fi
	rm -f "$sock"
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
