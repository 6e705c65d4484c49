#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The real-cluster cases, grouped so that each group (tests/lab/cases/test_*.sh,
# in name order) brings its lab up once.  Needs root (network namespaces);
# prints TAP.  LAB_ONLY=pattern runs only the groups whose name matches.
#
# The lab's house: lib/ the sourced harness (lab.sh: namespaces, corosync,
# buses; coord_lab.sh: coordd and ganesha; nfs_lab.sh: the real stack with
# NFSv4 clients; seed_method.sh: the old method), tools/ the helpers the
# cases run (built to $B/tests/lab/), cases/ the groups, demos/ make demo*,
# soak.sh make soak (its short form: cases/test_soak.sh), soak_nfs.sh make
# soak-nfs (cases/test_soak_nfs.sh).
set -u
cd "$(dirname "$0")/../.."
if [ "$(id -u)" != 0 ]; then
	echo "not ok - lab cases need root (network namespaces)"
	exit 1
fi
rc=0
for t in tests/lab/cases/test_*.sh; do
	case $t in *${LAB_ONLY:-}*) ;; *) continue ;; esac
	echo "# $t"
	# A bound for a group that hangs, not a speed limit: test_failback took
	# 544 s on a loaded 2-core machine.
	timeout 1800 bash "$t" || rc=1
done
exit $rc
