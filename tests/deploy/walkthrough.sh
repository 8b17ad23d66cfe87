#!/bin/sh
# tests/deploy/walkthrough.sh: deploy/README.md's walk-through, run as
# written in a fresh Debian 12 root (issue 20: "the docs cannot drift").
#
#   tests/deploy/walkthrough.sh deb [PACKAGE.deb]   the Debian package
#                                                    (default: make deb)
#   tests/deploy/walkthrough.sh source              make install
#
# 1. A Debian 12 root (mmdebstrap --variant=minbase, tests/deploy/debroot.sh)
#    with the package's dependencies and what the walk-through uses
#    (PostgreSQL, nginx, sudo, openssl; python3 for the checks) is built
#    once into var/cache/ and unpacked afresh into
#    var/walkthrough/VARIANT/root on every run.
# 2. tests/deploy/extract.py takes the marked blocks of deploy/README.md
#    for the variant, with its documented substitutions (SUBST there; the
#    list is also in deploy/README.md, "The walk-through as a test").
# 3. Into the root go the package (deb) or `make install DESTDIR=<root>
#    PREFIX=/usr/local` (source: the root has no compiler), the blocks,
#    tests/integration/lib and tests/deploy/check.py.
# 4. Inside new PID, mount and network namespaces (only loopback; nothing
#    of the host's is touched, every process ends with the namespace),
#    chroot into the root: start its PostgreSQL cluster, run the blocks in
#    one bash (set -e; a failing block prints its output and fails the
#    run), then check.py: discovery, a whole code flow for the user and
#    client the walk-through registered, and the spawn-fcgi pid files.
#
# Prints "ok - ..." / "not ok - ..." lines; exit 0 only if all passed.
# OIDC_WALK_TIMEOUT (seconds, default 900) bounds the chroot part.
set -eu
variant=${1:-}
case $variant in deb | source) ;; *)
	echo "usage: $0 deb [PACKAGE.deb] | source" >&2; exit 2 ;; esac
cd "$(dirname "$0")/../.."
top=$(pwd)
[ "$(id -u)" = 0 ] || { echo "not ok - walk-through ($variant): needs root (chroot, namespaces)"; exit 1; }
for t in unshare chroot ip mmdebstrap; do
	command -v $t >/dev/null 2>&1 ||
	    { echo "not ok - walk-through ($variant): $t not found (scripts/deps.sh)"; exit 1; }
done

# The root's packages: the package's run-time dependencies (debian/control
# and its shlibs) and the walk-through's tools.  tests/deploy/check.py
# fails the deb run if the package depends on anything not listed here
# (apt-get would need the network, which the namespace does not have).
PKGS="adduser spawn-fcgi libfcgi0ldbl libpq5 libjson-c5 libssl3 libcurl4
postgresql nginx-light sudo python3 openssl procps"

work=$top/var/walkthrough/$variant
root=$work/root
log=$work/walk.log

deb=
if [ "$variant" = deb ]; then
	deb=${2:-}
	if [ -z "$deb" ]; then
		echo "# make deb (DEB_BUILD_OPTIONS=nocheck: make test runs the unit tests)"
		mkdir -p "$top/build"
		DEB_BUILD_OPTIONS=nocheck scripts/make-deb.sh build/deb \
		    >"$top/build/deb.log" 2>&1 || {
			sed 's/^/#   /' "$top/build/deb.log" | tail -n 40
			echo "not ok - make deb (build and lintian: no errors, no warnings)"
			exit 1
		}
		deb=$(tail -n 1 "$top/build/deb.log")
		echo "ok - make deb (build and lintian: no errors, no warnings)"
	fi
	[ -f "$deb" ] || { echo "not ok - walk-through (deb): no package $deb"; exit 1; }
	echo "ok - walk-through (deb): package $deb"
	for d in $(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/[ (].*//; s/^ *//'); do
		case " $(echo $PKGS) " in *" $d "*) ;; *)
			echo "not ok - walk-through (deb): the package depends on $d," \
			    "which is not in the root (add it to PKGS in $0)"
			exit 1 ;;
		esac
	done
fi

tar=$(tests/deploy/debroot.sh "$top/var/cache" $PKGS)
rm -rf "$work"
mkdir -p "$root"
tar -C "$root" -xf "$tar"
# A real host resolves its own name (sudo asks).
printf '127.0.1.1\t%s\n' "$(hostname)" >>"$root/etc/hosts"
mkdir -p "$root/walk/out" "$root/walk/lib"
python3 tests/deploy/extract.py deploy/README.md "$variant" >"$root/walk/blocks.sh"
cp tests/integration/lib/*.py "$root/walk/lib/"
cp tests/deploy/check.py "$root/walk/"
if [ "$variant" = deb ]; then
	cp "$deb" "$root/walk/"
	libexec=/usr/lib/oidc-fcgi
else
	# The release build whatever the calling make's variables
	# (make SANITIZE=1 test): the root has no sanitizer run-time.
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u SANITIZE make --no-print-directory \
	    install DESTDIR="$root" PREFIX=/usr/local \
	    >"$work/make-install.log" 2>&1 ||
	    { tail -20 "$work/make-install.log"; echo "not ok - walk-through (source): make install"; exit 1; }
	libexec=/usr/local/lib/oidc-fcgi
fi
cat >"$root/walk/run.sh" <<RUN
set -eu
trap 'rc=\$?; if [ "\$walk_block" != done ]; then
	echo "# block \$walk_block (deploy/README.md line \$walk_line) failed, exit \$rc:"
	sed "s/^/#   /" /walk/out/\$walk_block.txt 2>/dev/null
	echo "not ok - walk-through ($variant): block \$walk_block (deploy/README.md line \$walk_line)"
fi' EXIT
walk_block=prelude walk_line=0
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LANG=C.UTF-8 HOME=/root
# Debian's postgresql package starts the cluster on a real host.
pg_ctlcluster 15 main start
cd /walk
. /walk/blocks.sh
echo "ok - walk-through ($variant): every block of deploy/README.md ran"
cd /walk
OIDC_ISSUER=http://127.0.0.1:8080 OIDC_WALK_LIBEXEC=$libexec \
    PYTHONPATH=/walk/lib python3 /walk/check.py
RUN

echo "# walk-through ($variant) in $root (log: $log)"
rc=0
timeout -k 10 "${OIDC_WALK_TIMEOUT:-900}" \
    unshare --pid --kill-child --mount --net --propagation private \
    sh -c 'set -e
	ip link set lo up
	mount --rbind /dev "$1/dev"
	mount -t proc proc "$1/proc"
	mount -t tmpfs -o mode=0755 tmpfs "$1/run"
	exec chroot "$1" /bin/bash /walk/run.sh' sh "$root" >"$log" 2>&1 || rc=$?
grep -E '^(not )?ok ' "$log" || true
if [ $rc != 0 ]; then
	echo "# the walk-through's output (last 60 lines of $log):"
	tail -n 60 "$log" | sed 's/^/#   /'
	grep -q '^not ok ' "$log" || echo "not ok - walk-through ($variant): exit $rc"
	exit 1
fi
! grep -q '^not ok ' "$log"
