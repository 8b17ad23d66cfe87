#!/bin/bash
# deploy/spawn-fcgi/oidc-supervise.sh: keep N workers of one endpoint
# running on one socket, restarting any that exits (crash, SIGKILL, OOM).
#
#   spawn-fcgi -n -s /run/oidc-fcgi/token.sock -M 0660 -U oidc -G www-data \
#       -u oidc -g oidc -- /usr/local/share/oidc-fcgi/deploy/spawn-fcgi/oidc-supervise.sh \
#       -n 2 -- /usr/local/lib/oidc-fcgi/token.fcgi
#
# spawn-fcgi creates the listening socket, drops privileges and execs this
# script with the socket on standard input (fd 0), the FastCGI convention.
# The script keeps the socket open and starts N copies of the worker, each
# with that socket as fd 0; they all accept() on it, so while one is dead
# or restarting the others take the queued connections and only the
# request the dead worker was serving is lost.  (spawn-fcgi -F N forks N
# workers but does not restart them; systemd's oidc-fcgi@.service restarts
# its single worker.)  Works as a systemd ExecStart too (Restart=always on
# top restarts the supervisor itself).
#
# Options:
#   -n N      workers (default $OIDC_WORKERS, else 2)
#   -d SECS   pause before restarting a worker that lived less than 1 s
#             (a crash loop, e.g. a broken config: exit 78), default 1
#
# Signals: SIGTERM / SIGINT / SIGHUP stop every worker (SIGTERM: each
# finishes its request in progress) and exit 0.  Log lines go to stderr:
#   oidc-supervise: worker 1234 exited (signal KILL); restarting
set -u

n=${OIDC_WORKERS:-2}
delay=1
while getopts n:d: opt; do
	case $opt in
	n) n=$OPTARG ;;
	d) delay=$OPTARG ;;
	*) echo "usage: oidc-supervise.sh [-n N] [-d SECS] -- worker [args]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = -- ] && shift
[ $# -gt 0 ] || { echo "oidc-supervise: no worker command" >&2; exit 2; }
case $n in '' | *[!0-9]* | 0) echo "oidc-supervise: -n: not a positive number" >&2; exit 2 ;; esac
[ -S /dev/stdin ] || { echo "oidc-supervise: standard input is not the FastCGI socket (run under spawn-fcgi -n)" >&2; exit 2; }

say() { printf 'oidc-supervise: %s\n' "$*" >&2; }

# The listening socket, kept on fd 3 so that background jobs (which get
# /dev/null as stdin in a non-interactive shell) can be handed it
# explicitly.
exec 3<&0

declare -A born=()
stopping=0

start_one() {
	"$@" 0<&3 3<&- &
	born[$!]=$SECONDS
}

stop_all() {
	stopping=1
	local p
	for p in "${!born[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	wait
	say "stopped"
	exit 0
}
trap stop_all TERM INT HUP

for _ in $(seq "$n"); do
	start_one "$@"
done
say "started $n x $1 (pids ${!born[*]})"

while :; do
	# wait -n returns when any child exits (bash 5.1+: -p names it), or
	# early when a trapped signal arrives.
	pid=
	wait -n -p pid
	st=$?
	[ $stopping = 1 ] && break
	[ -n "$pid" ] || continue
	lived=$((SECONDS - ${born[$pid]:-0}))
	unset "born[$pid]"
	if [ $st -gt 128 ]; then
		how="signal $(kill -l $((st - 128)) 2>/dev/null || echo $((st - 128)))"
	else
		how="status $st"
	fi
	say "worker $pid exited ($how); restarting"
	[ $lived -lt 1 ] && sleep "$delay"
	start_one "$@"
done
