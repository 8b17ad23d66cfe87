#!/bin/sh
# scripts/render-conf.sh: render a front-end template (deploy/nginx/oidc.conf.in
# or deploy/lighttpd/oidc.conf.in) for a given number of FastCGI workers per
# endpoint.  Used by make run (scripts/dev-stack.sh), the integration tests
# and make bench, so all three run the same rule.
#
#   scripts/render-conf.sh TEMPLATE OUTPUT PORT RUNDIR PREFIX USER WORKERS \
#       [LOGDIR]
#
#   USER      the user the front end's workers run as; empty: every
#             non-comment line naming @USER@ is dropped (not root)
#   WORKERS   worker processes per endpoint socket (the smallest number
#             when endpoints differ: keep-alive must suit every upstream)
#   LOGDIR    what @LOGDIR@ becomes (the lighttpd template's error.log and
#             access.log); default PREFIX
#
# Environment: OIDC_NGINX_WORKERS (nginx worker_processes; default the
# number of CPUs, at most 4), OIDC_NGINX_KEEPALIVE (override the derived
# keepalive; 0 turns keep-alive off).
#
# Keep-alive rule (see the comment in deploy/nginx/oidc.conf.in): a worker
# serves one connection at a time and waits on a kept connection, so nginx
# may park at most WORKERS - 1 idle connections per endpoint in all, i.e.
#
#	keepalive = (WORKERS - 1) / worker_processes	(integer division)
#
# and at least one worker of every endpoint is always free to accept.  When
# that is 0, the lines naming @KEEPALIVE@ are dropped and @KEEP_CONN@ is
# "off": one connection per request, as before.
set -eu
[ $# -eq 7 ] || [ $# -eq 8 ] ||
	{ echo "usage: $0 TEMPLATE OUTPUT PORT RUNDIR PREFIX USER WORKERS [LOGDIR]" >&2; exit 2; }
tmpl=$1 out=$2 port=$3 rundir=$4 prefix=$5 user=$6 workers=$7
logdir=${8:-$prefix}
case $workers in '' | *[!0-9]*) echo "$0: WORKERS must be a number" >&2; exit 2 ;; esac
nw=${OIDC_NGINX_WORKERS:-}
if [ -z "$nw" ]; then
	nw=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
	[ "$nw" -gt 4 ] && nw=4
fi
case $nw in '' | *[!0-9]* | 0) echo "$0: bad OIDC_NGINX_WORKERS" >&2; exit 2 ;; esac
ka=${OIDC_NGINX_KEEPALIVE:-}
[ -n "$ka" ] || ka=$(( workers > 0 ? (workers - 1) / nw : 0 ))
if [ "$ka" -gt 0 ]; then
	kaexpr="s|@KEEPALIVE@|$ka|g"
	keep=on
else
	kaexpr='/^[[:space:]]*[^#[:space:]].*@KEEPALIVE@/d'
	keep=off
fi
if [ -n "$user" ]; then
	userexpr="s|@USER@|$user|g"
else
	userexpr='/^[[:space:]]*[^#[:space:]].*@USER@/d'
fi
sed -e "$userexpr" -e "$kaexpr" -e "s|@KEEP_CONN@|$keep|g" \
    -e "s|@NGINX_WORKERS@|$nw|g" -e "s|@PORT@|$port|g" \
    -e "s|@RUNDIR@|$rundir|g" -e "s|@PREFIX@|$prefix|g" \
    -e "s|@LOGDIR@|$logdir|g" "$tmpl" >"$out"
