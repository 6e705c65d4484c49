#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The short client-history soak make check runs: 6 random moves with a
# fixed seed on the real stack, 18 NFSv4 clients' histories judged
# (`make soak-nfs` runs 200 with a seed of its own).  A move starts once
# the last one's VIPs are home and every client whose VIP moved reclaimed
# after its last arrival, without waiting for grace to end
# (SOAK_SETTLE_GRACE=0): a grace lasts 30 s, most of a move's time.
# Seed 153 draws one of each kind but stop (crm, power, double, coordd,
# move, kill); it found the settle's and the checker's two false failures
# (docs/design.md, "The client-history soak").  Its time: 169 s on a
# quiet 2-core machine, 506-698 s at load 25-45.
# See tests/lab/soak_nfs.sh.
B=${B:-build}
exec env MOVES="${SOAK_NFS_MOVES:-6}" SEED="${SOAK_NFS_SEED:-153}" \
	SOAK_SETTLE_GRACE="${SOAK_SETTLE_GRACE:-0}" SOAK_OUT="${SOAK_OUT:-$B/soak-nfs-check}" \
	B="$B" bash "$(dirname "$0")/../soak_nfs.sh"
