#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The client-history soak's settle (soak_clients_settled in
# tests/lab/lib/soak_nfs_lab.sh: when the next move may begin) on records
# written here, from seed 153's move 3 (make soak-nfs MOVES=6 SEED=153
# SOAK_SETTLE_GRACE=0, a full make check on a loaded machine): the
# ganeshas of nodes 2 and 3 killed at once, VIP3 to node 1 and its
# clients reclaimed there, node 3's ganesha restarted, VIP3 home at
# 754445865.  The driver ended the move at 755512693 on its holders'
# latest line, still the failover's RECLAIMED; h6 reclaimed at home 2 ms
# after the next move began, and the checker failed move 3 with "h6 still
# recovering when the window closed".  No lab, no root.  TAP.
# make check runs it with sh; the library it tests is bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lab/lib/soak_nfs_lab.sh
tmp=$(mktemp -d /tmp/coord-soaksettle.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; failed=1; }

T0=1796659743617967	# move 3's MOVE line
# The run's lines (times in us), trimmed to VIP1 and VIP3 and to the
# clients' state lines; "<file> <line>", cut at CUT (us) and edited by SED.
records() {	# DIR CUT [SED-SCRIPT]
	mkdir -p "$1/clients"
	printf '%s\n' 'h1 hold file=f1 vip=1' 'h3 hold file=f3 vip=3' 'h6 hold file=f6 vip=3' \
		'c2b cycle file=g2 vip=3' 'c3a cycle file=g3 vip=3' >"$1/clients.map"
	sed -e "${3:-}" <<'EOF' | awk -v d="$1" -v cut="$2" '$2 <= cut {f = $1; $1 = ""; sub(/^ /, ""); print > (d "/" f)}'
moves.log 1796659743617967 MOVE 3 kind=double node=2 other=3
moves.log 1796659743638218 DEATH 3 node=2
moves.log 1796659743710882 DEATH 3 node=3
vip-1.log 1796659711724427 vip holder=1
vip-3.log 1796659711795165 vip holder=3
clients/h1.log 1796659711848645 h1 HOLDING server=198.18.0.101 files=1
clients/h3.log 1796659711952391 h3 HOLDING server=198.18.0.103 files=1
clients/h6.log 1796659712215596 h6 HOLDING server=198.18.0.103 files=1
clients/c2b.log 1796659712776403 c2b OPEN server=198.18.0.103 file=g2 status=NFS4_OK
clients/c3a.log 1796659712790000 c3a OPEN server=198.18.0.103 file=g3 status=NFS4_OK
vip-3.log 1796659745299639 vip holder=none
vip-3.log 1796659747668203 vip holder=1
clients/h3.log 1796659748348916 h3 RECOVER server=198.18.0.103 reason=NFS4ERR_STALE_CLIENTID
clients/h3.log 1796659748353767 h3 RECLAIMED server=198.18.0.103 files=1
clients/c3a.log 1796659748413312 c3a RECOVER server=198.18.0.103 reason=NFS4ERR_STALE_STATEID
clients/h6.log 1796659748415241 h6 RECOVER server=198.18.0.103 reason=NFS4ERR_STALE_CLIENTID
clients/c3a.log 1796659748416999 c3a RECLAIMED server=198.18.0.103 files=1
clients/h6.log 1796659748417187 h6 RECLAIMED server=198.18.0.103 files=1
clients/c2b.log 1796659749501675 c2b RECOVER server=198.18.0.103 reason=NFS4ERR_STALE_CLIENTID
clients/c2b.log 1796659749504034 c2b RECLAIMED server=198.18.0.103 files=1
vip-3.log 1796659752368129 vip holder=none
vip-3.log 1796659754445865 vip holder=3
clients/h3.log 1796659755518202 h3 RECOVER server=198.18.0.103 reason=NFS4ERR_STALE_CLIENTID
clients/h3.log 1796659755536279 h3 RECLAIMED server=198.18.0.103 files=1
clients/c3a.log 1796659755548659 c3a RECOVER server=198.18.0.103 reason=NFS4ERR_STALE_CLIENTID
clients/c3a.log 1796659755550805 c3a RECLAIMED server=198.18.0.103 files=1
clients/h6.log 1796659755553242 h6 RECOVER server=198.18.0.103 reason=NFS4ERR_STALE_CLIENTID
clients/h6.log 1796659755557673 h6 RECLAIMED server=198.18.0.103 files=1
clients/c2b.log 1796659755600000 c2b RECOVER server=198.18.0.103 reason=NFS4ERR_STALE_STATEID
clients/c2b.log 1796659755610000 c2b RECLAIMED server=198.18.0.103 files=1
EOF
}

# DESCRIPTION WANT(settled|not) CUT [SED]
case_() {
	local d=$tmp/$n got=settled
	records "$d" "$3" "${4:-}"
	OUT=$d soak_clients_settled "$T0" || got=not
	if [ "$got" = "$2" ]; then ok "$1"; else not_ok "$1 (judged $got)"; fi
}

# The run's moment: seed 153, move 3's END.
case_ "at move 3's END (seed 153): VIP3 home, h3, h6, c2b, c3a not yet reclaimed there: not settled" \
	not 1796659755512693
case_ "h3 and c3a reclaimed at home, h6 recovering (the run at its next MOVE): not settled" \
	not 1796659755555748
case_ "h6 reclaimed at home too, c2b not yet (it had not reached node 3): not settled" \
	not 1796659755557673
# c2b's reclaim at home is written here: in the run the next move killed
# node 3 first.
case_ "every client of VIP3 reclaimed after its last arrival, h1 (VIP1 unmoved) holding: settled" \
	settled 1796659755610000
case_ "VIP3 not yet seen home by the watcher (its last line holder=1), its clients reclaimed on node 1: not settled" \
	not 1796659754000000
case_ "a holder whose reclaim was refused (LOST): not settled" \
	not 1796659755610000 's/^\(clients\/h6.log 1796659755557673 h6\) RECLAIMED .*/\1 LOST server=198.18.0.103 file=f6 status=NFS4ERR_NO_GRACE/'
case_ "a holder whose VIP did not move in the move needs no reclaim: settled before the move's first death" \
	settled 1796659743700000
# VIP1 stopped and started again on node 1, whose ganesha lived on (as
# VIP2 in another run of seed 153, move 4 on a loaded machine: node 2's
# coordd killed, its monitor deleted ganesha-active, pacemaker stopped
# VIP2 and, the attribute back, started it there again): h1's state is
# still on that ganesha, nothing to reclaim.
BOUNCE='/^vip-3.log 1796659754445865/a vip-1.log 1796659754500000 vip holder=none\nvip-1.log 1796659757500000 vip holder=1'
case_ "VIP1 back in place on node 1, its ganesha alive, h1 not reclaiming: settled" \
	settled 1796659757600000 "$BOUNCE"
case_ "VIP1 back on node 1 after node 1's ganesha died meanwhile, h1 not reclaiming: not settled" \
	not 1796659757600000 "$BOUNCE
/^moves.log 1796659743710882/a moves.log 1796659754600000 DEATH 3 node=1"
# A cycler whose reclaim was refused goes on cycling (seed 2718, move 22:
# c2b and c3a, NFS4ERR_EXPIRED then NO_GRACE): lost, it is not settled
# until it is granted a new lock; then it is, or every later move waits.
LOST_C2B='s/^\(clients\/c2b.log\) 1796659755610000 c2b RECLAIMED .*/\1 1796659755605000 c2b LOST server=198.18.0.103 file=g2 status=NFS4ERR_NO_GRACE/'
case_ "a cycler whose reclaim was refused (LOST): not settled" \
	not 1796659755610000 "$LOST_C2B"
case_ "a cycler that lost its lock and was granted a new one since: settled" \
	settled 1796659755610000 "$LOST_C2B
/^clients\/c2b.log 1796659755605000/a clients/c2b.log 1796659755609000 c2b LOCK server=198.18.0.103 file=g2 offset=0 length=100 reclaim=0 status=NFS4_OK"
echo "1..$n"
exit $failed
