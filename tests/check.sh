#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs every test suite and prints one summary line: "N passed, N failed".
# Each suite speaks TAP ("ok N - name" / "not ok N - name"); cmocka does
# when CMOCKA_MESSAGE_OUTPUT=TAP.  A suite that exits non-zero without a
# "not ok" line still counts as one failure, so a crash is never silent.
set -u
B=${B:-build}
export B
export CMOCKA_MESSAGE_OUTPUT=TAP
log=$(mktemp -d /tmp/coord-check.XXXXXX)
trap 'rm -rf "$log"' EXIT
pass=0 fail=0

run_suite() {	# name command...
	name=$1; shift
	out="$log/$(echo "$name" | tr '/ ' '__').out"
	printf '== %s\n' "$name"
	"$@" >"$out" 2>&1
	rc=$?
	cat "$out"
	p=$(grep -c '^ok ' "$out")
	f=$(grep -c '^not ok ' "$out")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "not ok - $name exited with status $rc"
		f=1
	fi
	if [ "$p" = 0 ] && [ "$f" = 0 ]; then
		echo "not ok - $name ran no test"
		f=1
	fi
	pass=$((pass + p)); fail=$((fail + f))
}

for t in "$B"/tests/test_*; do
	[ -x "$t" ] && run_suite "unit $(basename "$t")" "$t"
done
# The same unit tests built with AddressSanitizer and UBSan.
if make -s B="$B/asan" CC=clang \
	EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	LDFLAGS="-fsanitize=address,undefined" unit >"$log/asan-build" 2>&1; then
	for t in "$B"/asan/tests/test_*; do
		[ -x "$t" ] && run_suite "asan $(basename "$t")" "$t"
	done
else
	cat "$log/asan-build"; echo "not ok - sanitizer build failed"; fail=$((fail + 1))
fi
for s in tests/test_build.sh tests/test_licence.sh tests/test_install.sh tests/test_vip_agent.sh tests/test_docs.sh tests/test_monitoring.sh tests/test_soak_nfs_check.sh tests/test_soak_nfs_settle.sh tests/test_daemon.sh tests/test_move.sh tests/fuzz/check.sh tests/sim/check.sh tests/lab/check.sh; do
	[ -f "$s" ] && run_suite "$s" sh "$s"
done
# The Debian package: built, linted, installed, run, purged (bash, root).
[ -f tests/test_deb.sh ] && run_suite tests/test_deb.sh bash tests/test_deb.sh
# The deployment lab's short form (after test_deb.sh, whose package it
# installs): docs/install.md run as written on three Debian 12 nodes
# booting their own systemd, one failover with a client's lock, the
# removal.  The full lab: make deploy-test.
[ -f tests/deploy/check.sh ] && run_suite tests/deploy/check.sh sh tests/deploy/check.sh
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
