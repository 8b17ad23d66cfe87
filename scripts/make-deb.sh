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
# path of the .deb on its last line.  When the sources are those of the
# last package that passed lintian (their sha256 in OUTDIR/source.sha256),
# that package is kept (make test builds it once for both of its runs).
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
changes=$out/oidc-fcgi_${version}_$arch.changes
deb=$out/oidc-fcgi_${version}_$arch.deb
src=$out/oidc-fcgi-$version
mkdir -p "$out"
git ls-files -z --cached --others --exclude-standard |
    xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
    tar --null -T - --sort=name --owner=0 --group=0 \
    -cf "$out/source.tar"
# The same sources as the last package that passed lintian: that package.
hash=$(sha256sum <"$out/source.tar" | cut -d' ' -f1)
if [ -f "$deb" ] && [ "$(cat "$out/source.sha256" 2>/dev/null)" = "$hash" ]; then
	rm -f "$out/source.tar"
	echo "make deb: $deb is up to date (built and lintian-clean from these sources)"
	echo "$deb"
	exit 0
fi
rm -rf "$src" "$out/source.sha256"
rm -f "$out"/oidc-fcgi_"$version"* "$out"/oidc-fcgi-dbgsym_"$version"*
mkdir -p "$src"
tar -xf "$out/source.tar" -C "$src"
rm -f "$out/source.tar"
# Not the calling make's variables (make SANITIZE=1 test): the package is
# always the release build.
unset MAKEFLAGS MFLAGS MAKELEVEL SANITIZE
(cd "$src" && dpkg-buildpackage -us -uc -j2 >../build.log 2>&1) || {
	tail -40 "$out/build.log" >&2
	echo "make deb: dpkg-buildpackage failed ($out/build.log)" >&2
	exit 1
}
echo "make deb: lintian $changes"
lintian --fail-on error,warning --info --display-info "$changes" || {
	echo "make deb: lintian reports errors or warnings" >&2
	exit 1
}
rm -rf "$src"
echo "$hash" >"$out/source.sha256"
echo "$deb"
