#!/bin/sh
# check-release: the version in VERSION, CHANGELOG.md and debian/changelog
# agree, and every release has an upgrade note (issue 20 item 15).
#   VERSION X.Y.Z-dev  CHANGELOG's first section is "## Unreleased"
#   VERSION X.Y.Z      CHANGELOG's first section is "## X.Y.Z (date)"
#   every "## X.Y.Z" section has a "### Upgrading to X.Y.Z" subsection
#   debian/changelog's newest entry is VERSION with "~" for "-"
cd "$(dirname "$0")/.." || exit 2
fail=0
bad() { echo "check-release: $*" >&2; fail=1; }

v=$(cat VERSION)
first=$(grep -m1 '^## ' CHANGELOG.md)
case $v in
*-dev) [ "$first" = "## Unreleased" ] ||
	bad "VERSION $v is a development version: CHANGELOG.md must start with \"## Unreleased\", not \"$first\"" ;;
*) case $first in
	"## $v ("*")") ;;
	*) bad "VERSION $v is a release: CHANGELOG.md must start with \"## $v (DATE)\", not \"$first\"" ;;
	esac ;;
esac
for r in $(sed -n 's/^## \([0-9][0-9.]*\) (.*/\1/p' CHANGELOG.md); do
	grep -qx "### Upgrading to $r" CHANGELOG.md ||
		bad "release $r has no \"### Upgrading to $r\" note in CHANGELOG.md"
done
deb=$(sed -n '1s/^oidc-fcgi (\([^)]*\)).*/\1/p' debian/changelog)
[ "$deb" = "$(printf %s "$v" | tr - '~')" ] ||
	bad "debian/changelog's newest version is $deb, VERSION is $v"
[ $fail = 0 ] && echo "check-release: ok ($v)"
exit $fail
