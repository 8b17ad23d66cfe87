#!/bin/sh
# scripts/deps.sh: make sure every Debian package the build, `make run` and
# `make test` need is installed.  Called first by `make test` and `make run`
# (and `make deps`).
#
# - Fast no-op (a few dpkg-query calls) when everything is present.
# - As root: installs what is missing with apt-get (running `apt-get update`
#   only when the first install attempt fails), then stops the system
#   nginx/lighttpd/postgresql/etcd/patroni services Debian starts on install:
#   this project runs its own private instances on loopback and never uses
#   them, and they could otherwise hold port 80, 5432 or 2379.
# - As another user: prints the exact `sudo apt-get install` line, exits 1.
#
# Set OIDC_DEPS_SKIP=1 to skip the check entirely (e.g. non-Debian hosts
# where the tools come from elsewhere).
set -u

if [ "${OIDC_DEPS_SKIP:-0}" = 1 ]; then
	exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps: dpkg-query not found: not a Debian system; install by hand:" >&2
	echo "deps:   libfcgi, OpenSSL 3, json-c, libpq, libcurl, PostgreSQL server," \
	    "nginx, lighttpd, spawn-fcgi, python3 (+jwcrypto), clang" >&2
	exit 0
fi

# One requirement per line: "package[|alternative...]".  The first name is
# the one installed when none of the alternatives is present.
# (valgrind is optional: only `make check-valgrind` uses it.)
# `deps.sh run` (make run) needs the build and runtime set; `deps.sh test`
# (make test, the default) adds what the tests drive: lighttpd, clang for
# libFuzzer, lighttpd-mod-openssl (t/84-remote-user's client certificates),
# and the independent checkers (jwcrypto, Authlib, Apache with
# mod_auth_openidc, Chromium and Node.js for the browser tests) and what
# make deb and the deploy walk-through need (debhelper, which brings
# dpkg-dev, lintian, mmdebstrap), and HA tier 2 (make test-ha: patroni,
# etcd-server).
MODE=${1:-test}
REQS='gcc
make
pkg-config
libfcgi-dev
libssl-dev
libjson-c-dev
libpq-dev
libcurl4-openssl-dev
nginx-light|nginx|nginx-core|nginx-full|nginx-extras
spawn-fcgi
openssl
postgresql-client|postgresql-client-15|postgresql-client-16|postgresql-client-17
python3'
if [ "$MODE" != run ]; then
	REQS="$REQS
lighttpd
lighttpd-mod-openssl
systemd
python3-jwcrypto
python3-authlib
python3-requests
python3-prometheus-client
clang
libclang-rt-14-dev
apache2-bin|apache2
libapache2-mod-auth-openidc
chromium
debhelper
lintian
mmdebstrap
patroni
etcd-server"
fi

installed() {
	s=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
	[ "$s" = "install ok installed" ]
}

missing=""
for req in $REQS; do
	found=0
	for p in $(echo "$req" | tr '|' ' '); do
		if installed "$p"; then
			found=1
			break
		fi
	done
	if [ $found = 0 ]; then
		missing="$missing ${req%%|*}"
	fi
done

# Node.js and npm may come from Debian or from elsewhere (a NodeSource
# nodejs bundles npm and conflicts with Debian's): the commands decide.
if [ "$MODE" != run ] && { ! command -v node >/dev/null 2>&1 ||
    ! command -v npm >/dev/null 2>&1; }; then
	missing="$missing nodejs npm"
fi

# The PostgreSQL server: any installed major version with initdb will do
# (Debian keeps them in /usr/lib/postgresql/<major>/bin).
have_initdb=0
for d in /usr/lib/postgresql/*/bin; do
	if [ -x "$d/initdb" ] && [ -x "$d/postgres" ]; then
		have_initdb=1
		break
	fi
done
if [ $have_initdb = 0 ]; then
	missing="$missing postgresql"
fi

if [ -z "$missing" ]; then
	exit 0
fi

missing=${missing# }
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages: $missing" >&2
	echo "deps: install them with:" >&2
	echo "  sudo apt-get install -y --no-install-recommends $missing" >&2
	exit 1
fi

echo "deps: installing: $missing"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! apt-get install -y --no-install-recommends $missing; then
	echo "deps: install failed; running apt-get update and retrying"
	apt-get update || exit 1
	# shellcheck disable=SC2086
	apt-get install -y --no-install-recommends $missing || {
		echo "deps: apt-get install failed" >&2
		exit 1
	}
fi

# Debian starts the system services on install.  We never use them: the
# dev stack and the tests run private instances on loopback.
for pkg in $missing; do
	case $pkg in
	nginx*) svc=nginx ;;
	lighttpd) svc=lighttpd ;;
	apache2*|libapache2*) svc=apache2 ;;
	postgresql) svc=postgresql ;;
	etcd-server) svc=etcd ;;
	patroni) svc=patroni ;;
	*) continue ;;
	esac
	if command -v service >/dev/null 2>&1; then
		service "$svc" stop >/dev/null 2>&1 || true
	fi
	if command -v systemctl >/dev/null 2>&1; then
		systemctl stop "$svc" >/dev/null 2>&1 || true
	fi
	echo "deps: stopped the system $svc service (this project runs its own" \
	    "private instance; it is not needed)"
done
exit 0
