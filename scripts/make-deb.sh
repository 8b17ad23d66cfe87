#!/bin/sh
# scripts/make-deb.sh: `make deb`.  Builds the Debian package from a copy
# of the tree (the files git tracks or would track, committed or not) in
# OUTDIR/oidc-fcgi-VERSION, so the repository stays clean, then runs
# lintian on the result: any error or warning fails (overrides only in
# debian/oidc-fcgi.lintian-overrides, each with its reason).
#
#   scripts/make-deb.sh OUTDIR      (make deb: build/deb)
#
# The package version is VERSION with "-" as "~" (0.1.0-dev sorts before
# 0.1.0); debian/changelog must name it, or nothing is built.  Prints the
# path of the .deb on its last line.
set -eu
out=${1:?usage: $0 OUTDIR}
cd "$(dirname "$0")/.."
for t in dpkg-buildpackage dh lintian; do
	command -v $t >/dev/null 2>&1 ||
	    { echo "make deb: $t not found (scripts/deps.sh deb installs it)" >&2; exit 1; }
done
version=$(tr '-' '~' < VERSION)
clv=$(dpkg-parsechangelog -S Version)
if [ "$clv" != "$version" ]; then
	echo "make deb: debian/changelog says $clv, VERSION says $(cat VERSION)" \
	    "(want $version): add a changelog entry (dch -v $version)" >&2
	exit 1
fi
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
src=$out/oidc-fcgi-$version
rm -rf "$src"
rm -f "$out"/oidc-fcgi_"$version"*
mkdir -p "$src"
git ls-files -z --cached --others --exclude-standard |
    xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
    tar --null -T - -cf - | tar -xf - -C "$src"
(cd "$src" && dpkg-buildpackage -us -uc -j2 >../build.log 2>&1) || {
	tail -40 "$out/build.log" >&2
	echo "make deb: dpkg-buildpackage failed ($out/build.log)" >&2
	exit 1
}
changes=$out/oidc-fcgi_${version}_$arch.changes
deb=$out/oidc-fcgi_${version}_$arch.deb
echo "make deb: lintian $changes"
lintian --fail-on error,warning --info --display-info "$changes" || {
	echo "make deb: lintian reports errors or warnings" >&2
	exit 1
}
rm -rf "$src"
echo "$deb"
