#!/bin/sh
# check-makeflags.sh: a builder's CFLAGS or LDFLAGS on the make command line
# replaces the optimisation and debug flags only, never the include path,
# the defines, the warnings or the hardening (Makefile: OIDC_CFLAGS and
# OIDC_LDFLAGS).  Reads "make -n -B" output for both variants; builds
# nothing.
#
# Prints each compile or link line that lost a flag and exits 1, or prints
# "check-makeflags: ok".  Run from anywhere; it works on the repository root.
set -u

cd "$(dirname "$0")/.." || exit 2

MAKE=${MAKE:-make}
rc=0

# check VARIANT-ARGS: every cc line must hold the builder's flags and ours.
check() {
	out=$(env -u MAKEFLAGS -u MFLAGS -u CFLAGS -u LDFLAGS "$MAKE" -n -B \
	    CFLAGS=-O0 LDFLAGS=-Wl,-O1 "$@" all check-unit check-fuzz 2>&1) || {
		echo "check-makeflags: make -n $* failed:"
		printf '%s\n' "$out" | tail -5
		return 1
	}
	printf '%s\n' "$out" | awk -v variant="${*:-release}" '
	$1 != "cc" && $1 !~ /(^|\/)(gcc|clang|cc)$/ { next }
	{
		n++
		need = ""
		# Compiles a C file: our compile flags and CFLAGS.
		if ($0 ~ /\.c( |$)/)
			need = "-std=c11 -Icommon/include -Werror -Wall " \
			    "-D_GNU_SOURCE -DOPENSSL_NO_DEPRECATED " \
			    "-fstack-protector-strong -fPIE -O0"
		# Links: our link flags and LDFLAGS.
		if ($0 !~ / -c /)
			need = need " -pie -Wl,-z,relro,-z,now -Wl,-O1"
		if (variant ~ /SANITIZE=1/)
			need = need " -fsanitize=address,undefined"
		k = split(need, f, " ")
		for (i = 1; i <= k; i++)
			if (index(" " $0 " ", " " f[i] " ") == 0) {
				printf "check-makeflags: %s: %s missing: %s\n",
				    variant, f[i], substr($0, 1, 120)
				bad = 1
				break
			}
	}
	END {
		if (n == 0) {
			print "check-makeflags: no compiler lines in make -n"
			bad = 1
		}
		exit bad
	}' || return 1
}

check || rc=1
check SANITIZE=1 || rc=1
[ $rc -eq 0 ] && echo "check-makeflags: ok"
exit $rc
