#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The short client-history soak make check runs: 10 random moves with a
# fixed seed on the real stack, 12 NFSv4 clients' histories judged
# (`make soak-nfs` runs 200 with a seed of its own).  A move starts once
# the last one's VIPs are home and its holders hold, without waiting for
# grace to end (SOAK_SETTLE_GRACE=0): a grace lasts 30 s, most of a move's
# time.  See tests/lab/soak_nfs.sh.
B=${B:-build}
exec env MOVES="${SOAK_NFS_MOVES:-10}" SEED="${SOAK_NFS_SEED:-2027}" \
	SOAK_SETTLE_GRACE="${SOAK_SETTLE_GRACE:-0}" SOAK_OUT="${SOAK_OUT:-$B/soak-nfs-check}" \
	B="$B" bash "$(dirname "$0")/../soak_nfs.sh"
