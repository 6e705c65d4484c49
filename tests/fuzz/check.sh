#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Replays every fuzz target over its committed corpus, built with clang,
# libFuzzer, ASan and UBSan: tests/fuzz/fuzz_NAME.c over
# tests/fuzz/corpus/NAME/*.  One TAP line per target.
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
tmp=$(mktemp -d /tmp/coord-fuzz.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
log=$tmp/log

n=0
if ! make -s B="$B" fuzz-build >"$log" 2>&1; then
	cat "$log"
	echo "not ok 1 - fuzz targets build with clang -fsanitize=fuzzer,address,undefined"
	echo "1..1"
	exit 1
fi

rc=0
for src in tests/fuzz/fuzz_*.c; do
	[ -f "$src" ] || continue
	target=$(basename "$src" .c)
	name=${target#fuzz_}
	n=$((n + 1))
	set -- tests/fuzz/corpus/"$name"/*
	if [ ! -f "$1" ]; then
		# Without inputs libFuzzer would start fuzzing, not replay.
		echo "not ok $n - $target corpus: no inputs in tests/fuzz/corpus/$name/"
		rc=1
		continue
	fi
	# Crash files go to $tmp, not into the source tree.
	if "$B/fuzz/$target" -runs=0 -artifact_prefix="$tmp/" "$@" \
	    >"$log" 2>&1; then
		echo "ok $n - $target corpus ($# inputs)"
	else
		sed 's/^/# /' "$log"
		echo "not ok $n - $target corpus ($# inputs): an input crashed or broke a property"
		rc=1
	fi
done
echo "1..$n"
exit $rc
