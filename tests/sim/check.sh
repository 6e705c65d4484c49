#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make check's share of the simulator: a short run and the mutants (TAP).
set -u
B=${B:-build}
cd "$(dirname "$0")/../.."
make -s B="$B" "$B/sim/sim" >/dev/null || { echo "not ok 1 - sim build"; exit 1; }
out=$("$B/sim/sim" -n "${SIM_CHECK_SCHEDULES:-3000}")
rc=$?
last=$(echo "$out" | tail -n 1)
echo "$out" | grep -v '^sim:' | head -n 60 | sed 's/^/# /'
if [ $rc = 0 ]; then echo "ok - $last"; else echo "not ok - $last"; fi
MUTANT_SCHEDULES=${MUTANT_SCHEDULES:-5000} make -s B="$B" sim-mutants | sed 's/^\(not \)\{0,1\}ok [0-9]* /&/'
