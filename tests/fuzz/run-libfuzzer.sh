#!/bin/sh
# run-libfuzzer.sh: build every tests/fuzz/fuzz_<name>.c (or only $FUZZ)
# with clang -fsanitize=fuzzer,address,undefined against the library
# sources and run each for $FUZZ_SECONDS (default 60) on a copy of its seed
# corpus, with tests/fuzz/dict/<name>.dict when present.
#
# Prints, per target, the executions run and the final coverage ("cov:"
# from libFuzzer).  Exits non-zero if any target crashed; the crashing input
# is saved under tests/fuzz/crashes/<name>/ (add it to corpus/<name>/ once
# fixed, so `make check-fuzz` replays it forever).
#
#   FUZZ=form FUZZ_SECONDS=20 tests/fuzz/run-libfuzzer.sh
set -u

cd "$(dirname "$0")/../.." || exit 1

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
CLANG=${CLANG:-clang}
OUT=build/fuzz
PKGS="openssl libpq json-c libcurl"

if ! command -v "$CLANG" >/dev/null 2>&1; then
	echo "run-libfuzzer: $CLANG not found; apt-get install clang" >&2
	exit 2
fi

# libFuzzer's runtime comes from Debian's libclang-rt-<major>-dev.
mkdir -p "$OUT"
probe="$OUT/probe.c"
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
    '{ (void)d; (void)n; return 0; }' > "$probe"
if ! "$CLANG" -fsanitize=fuzzer,address,undefined -o "$OUT/probe" \
    "$probe" >/dev/null 2>&1; then
	major=$("$CLANG" -dumpversion | cut -d. -f1)
	echo "run-libfuzzer: clang cannot link -fsanitize=fuzzer." >&2
	echo "run-libfuzzer: install the runtime with:" >&2
	echo "    sudo apt-get install libclang-rt-${major}-dev" >&2
	exit 2
fi

PKG_CFLAGS=$(pkg-config --cflags $PKGS) || exit 2
PKG_LIBS=$(pkg-config --libs $PKGS) || exit 2
# The defines the Makefile gives every object (app.c and oidcctl need them).
CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -Icommon/include $PKG_CFLAGS"
CFLAGS="$CFLAGS -DOIDC_PREFIX=\"/usr/local\" -DOIDC_VERSION=\"$(cat VERSION)\""
SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"

# The library, compiled once with coverage instrumentation.
LIBDIR="$OUT/lib"
rm -rf "$LIBDIR"
mkdir -p "$LIBDIR"
objs=""
for src in common/*/*.c; do
	obj="$LIBDIR/$(echo "$src" | tr / _).o"
	# shellcheck disable=SC2086
	"$CLANG" $CFLAGS $SAN -c -o "$obj" "$src" || exit 1
	objs="$objs $obj"
done

if [ -n "${FUZZ:-}" ]; then
	targets="tests/fuzz/fuzz_${FUZZ}.c"
	[ -f "$targets" ] || { echo "run-libfuzzer: no $targets" >&2; exit 2; }
else
	targets=$(ls tests/fuzz/fuzz_*.c)
fi

status=0
printf '%-16s %8s %12s %8s %s\n' target seconds execs cov result
for t in $targets; do
	name=${t##*/fuzz_}
	name=${name%.c}
	bin="$OUT/fuzz_$name"
	# shellcheck disable=SC2086
	if ! "$CLANG" $CFLAGS -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=undefined -o "$bin" "$t" $objs \
	    $PKG_LIBS -lfcgi; then
		echo "run-libfuzzer: build of $t failed" >&2
		status=1
		continue
	fi
	work="$OUT/corpus-$name"
	rm -rf "$work"
	mkdir -p "$work" "tests/fuzz/crashes/$name"
	[ -d "tests/fuzz/corpus/$name" ] && cp -R "tests/fuzz/corpus/$name/." "$work/"
	dict=""
	[ -f "tests/fuzz/dict/$name.dict" ] && dict="-dict=tests/fuzz/dict/$name.dict"
	log="$OUT/fuzz_$name.log"
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 \
	    -artifact_prefix="tests/fuzz/crashes/$name/" $dict "$work" \
	    >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | sed 's/cov: //')
	if [ $rc -eq 0 ]; then
		result=ok
		rmdir "tests/fuzz/crashes/$name" 2>/dev/null
	else
		result="CRASH (rc $rc, see $log)"
		status=1
	fi
	printf '%-16s %8s %12s %8s %s\n' "$name" "$FUZZ_SECONDS" \
	    "${execs:-?}" "${cov:-?}" "$result"
done
rmdir tests/fuzz/crashes 2>/dev/null
exit $status
