#!/bin/sh
# The real-cluster cases, grouped so that each group brings its lab up once.
# Needs root (network namespaces); prints TAP.
set -u
cd "$(dirname "$0")/../.."
if [ "$(id -u)" != 0 ]; then
	echo "not ok - lab cases need root (network namespaces)"
	exit 1
fi
rc=0
for t in tests/lab/test_lab_harness.sh tests/lab/test_barrier.sh tests/lab/test_concurrent.sh tests/lab/test_real_stack.sh; do
	echo "# $t"
	timeout 600 bash "$t" || rc=1
done
exit $rc
