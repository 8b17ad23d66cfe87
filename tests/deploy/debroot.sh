#!/bin/sh
# tests/deploy/debroot.sh: print the path of a cached Debian 12 root
# (a tarball made by mmdebstrap --variant=minbase) with the packages the
# deploy walk-through needs, building it on first use.
#
#   tests/deploy/debroot.sh CACHEDIR PACKAGE...
#
# The tarball is CACHEDIR/debian12-<hash of the package list>.tar: a new
# list builds a new root once; the same list reuses it (a few seconds to
# unpack instead of minutes to build).  The mirror is the Debian archive
# (bookworm, bookworm-updates, bookworm-security); OIDC_DEBIAN_MIRROR
# overrides the first.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 CACHEDIR PACKAGE..." >&2; exit 2; }
cache=$1
shift
command -v mmdebstrap >/dev/null 2>&1 ||
	{ echo "$0: mmdebstrap not found (scripts/deps.sh installs it)" >&2; exit 1; }
mirror=${OIDC_DEBIAN_MIRROR:-http://deb.debian.org/debian}
pkgs=$(printf '%s\n' "$@" | sort -u | tr '\n' ',' | sed 's/,$//')
hash=$(printf '%s %s\n' "$mirror" "$pkgs" | sha256sum | cut -c1-16)
tar=$cache/debian12-$hash.tar
if [ ! -s "$tar" ]; then
	mkdir -p "$cache"
	echo "debroot: building $tar ($pkgs)" >&2
	mmdebstrap --variant=minbase --mode=root --format=tar --include="$pkgs" \
	    --skip=cleanup/apt/lists \
	    bookworm "$tar.tmp" \
	    "deb $mirror bookworm main" \
	    "deb $mirror bookworm-updates main" \
	    "deb http://deb.debian.org/debian-security bookworm-security main" \
	    >&2
	mv "$tar.tmp" "$tar"
fi
echo "$tar"
