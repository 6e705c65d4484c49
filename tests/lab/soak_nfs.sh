#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make soak-nfs [MOVES=N] [SEED=S]: a client-history soak on the real stack
# of tests/lab/cases/test_failback.sh (3 nodes: corosync, pacemaker, a real
# nfs-ganesha 4.3 each over one shared export, coordd, the monitor clone,
# each VIP a gated [ganesha_coord_gate, IPaddr2] group preferring its node).
#
# Clients (tests/lab/tools/nfs4_client, in the lab's client namespace): per
# file fK of SOAK_FILES (6), a holder hK holding a write lock on it through
# VIP ((K-1) % 3 + 1), renewing, recovering and reclaiming after a move as a
# real client does, and a contender tK trying the same range through the
# next VIP every SOAK_TRY_MS (a new client each try, its grant released at
# once); and per file gK of SOAK_CYCLERS (3), two cyclers cKa and cKb
# through two VIPs, each taking the lock, holding it 2 s, releasing it and
# retaking it (the lock changes hands between servers): 18 clients on 3
# VIPs, each writing its history (what it asked and what it was answered,
# timestamped) to OUT/clients/.
#
# Moves: MOVES of them, each kind drawn from SEED (bash's RANDOM, seeded:
# the same seed replays the same kinds, nodes and delays; printed first):
#   kill    a ganesha killed (-9), restarted later: failover, then failback
#   stop    a ganesha stopped (SIGSTOP) 2 s to half the lease, then resumed
#           or killed (and restarted)
#   move    coordctl move of a VIP to another node (pacemaker brings it
#           home once the move's constraint is cleared: two gated moves)
#   crm     crm_resource --move of a VIP group to another node, cleared
#           2-6 s after it arrived (the way home is a gated move too)
#   power   a node powered off (nfs_power_off), powered on later
#   coordd  a ganesha killed and, at once, another node's coordd killed
#           mid-barrier, restarted 1-4 s later; the dead ganesha restarted
#   double  two ganeshas killed at once, restarted later
#   cut     a node's link cut (out of the corosync ring) 4-9 s, healed;
#           not drawn unless SOAK_KINDS names it: without fencing, the cut
#           node's ganesha keeps its locks, outside coord's promise
# SOAK_KINDS chooses the kinds drawn.  After each move the soak waits
# (bounded) until the stack settled: every VIP home, every holder holding
# (HOLDING or RECLAIMED its latest state), every holder and cycler whose
# VIP moved reclaimed after the VIP's last arrival (as the checker judges
# the move's window, which the next move closes) and, unless SOAK_SETTLE_GRACE=0,
# every ganesha out of grace (NFSv4.0 clients send no RECLAIM_COMPLETE:
# a grace lasts NFS_GRACE, most of a move's time).
#
# Records, in OUT (SOAK_OUT, default $B/soak-nfs): moves.log (the driver's
# timeline), clients/*.log and clients.map, vip-V.log (vip_watch: where
# VIP V is and what each ganesha answers get_grace, sampled every
# SOAK_WATCH_MS), events-N.json (coordctl --json events per node), the
# ganesha and coordd logs.  tests/lab/tools/soak_nfs_check.sh judges them
# (it reads nothing else) and prints the per-move lines and the table.
#
# GATE=0: plain IPaddr2 VIPs, as before the gate: the checker must fail.
# METHOD=old: the design coord replaces (GlusterFS common-ha,
# tests/lab/lib/seed_method.sh) on the same stack and clients, judged by
# the same checker: no coordd and no monitor clone; per node a ganesha_mon
# poll every SOAK_OLD_INTERVAL (10) s sets ganesha-active while ganesha
# runs and, once it is gone, notifies grace to the others, sleeps 5 s and
# deletes ganesha-active; plain IPaddr2 VIPs (GATE=0).  Its kinds are
# those without coordd (no move, no coordd).
# SOAK_BUDGET_S: no new move once that many seconds passed since the
# first (0: none); the moves drawn are the same, a run cut short is a
# prefix of the full one.
# NODES: 3 (5 is not built yet: nfs_lab.sh's stack is 3 ganesha nodes).
set -u
MOVES=${MOVES:-20}
SEED=${SEED:-$(( $(date +%s) % 32768 ))}
NODES=${NODES:-3}
METHOD=${METHOD:-coord}
case $METHOD in
coord) GATE=${GATE:-1} SOAK_KINDS=${SOAK_KINDS:-kill stop move crm power coordd double} ;;
old) GATE=${GATE:-0} SOAK_KINDS=${SOAK_KINDS:-kill stop crm power double} ;;
*) echo "soak_nfs: METHOD must be coord or old: $METHOD" >&2; exit 2 ;;
esac
NFS_GRACE=${NFS_GRACE:-30}	# as test_failback.sh: a loaded machine's gated move took 21 s
SOAK_FILES=${SOAK_FILES:-6}
SOAK_CYCLERS=${SOAK_CYCLERS:-3}
SOAK_TRY_MS=${SOAK_TRY_MS:-500}
SOAK_WATCH_MS=${SOAK_WATCH_MS:-20}
SOAK_SETTLE_GRACE=${SOAK_SETTLE_GRACE:-1}
SOAK_BUDGET_S=${SOAK_BUDGET_S:-0}
SOAK_OLD_INTERVAL=${SOAK_OLD_INTERVAL:-10}	# ganesha_mon's monitor interval
if [ "$METHOD" = old ]; then
	[ "$GATE" = 0 ] || { echo "soak_nfs: METHOD=old has no gate (GATE=0)" >&2; exit 2; }
	case " $SOAK_KINDS " in *" move "*|*" coordd "*)
		echo "soak_nfs: METHOD=old has no coordd: no kind move or coordd ($SOAK_KINDS)" >&2; exit 2 ;;
	esac
fi
if [ "$NODES" != 3 ]; then
	echo "soak_nfs: NODES=$NODES: only 3 is built (nfs_lab.sh brings up 3 ganesha nodes)" >&2
	exit 2
fi
case $MOVES in ''|*[!0-9]*) echo "soak_nfs: MOVES must be a number: $MOVES" >&2; exit 2 ;; esac
case $SEED in ''|*[!0-9]*) echo "soak_nfs: SEED must be a number: $SEED" >&2; exit 2 ;; esac
case $SOAK_BUDGET_S in ''|*[!0-9]*) echo "soak_nfs: SOAK_BUDGET_S must be a number: $SOAK_BUDGET_S" >&2; exit 2 ;; esac
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/coord_lab.sh"
. "$(dirname "$0")/lib/nfs_lab.sh"
. "$(dirname "$0")/lib/seed_method.sh"
. "$(dirname "$0")/lib/soak_nfs_lab.sh"
NFS_GATE=$GATE
OUT=${SOAK_OUT:-$B/soak-nfs}
rm -rf "$OUT" && mkdir -p "$OUT/clients" || exit 1
OUT=$(cd "$OUT" && pwd)
trap 'soak_collect; nfs_unwatch; nfs_client_down; lab_down' EXIT
trap 'exit 130' INT TERM

echo "# soak-nfs: seed $SEED, $MOVES moves, kinds: $SOAK_KINDS; method $METHOD; $( [ "$GATE" = 1 ] &&
	echo "gated VIPs" || echo "plain IPaddr2 VIPs (GATE=0)"); Grace_Period $NFS_GRACE s, Lease_Lifetime $NFS_LEASE s; records in $OUT"
echo "# replay: SOAK_KINDS='$SOAK_KINDS' SOAK_SETTLE_GRACE=$SOAK_SETTLE_GRACE NFS_GRACE=$NFS_GRACE NFS_LEASE=$NFS_LEASE" \
	"make soak-nfs MOVES=$MOVES SEED=$SEED GATE=$GATE METHOD=$METHOD"
t_up=$(now_us)
if ! nfs_stack_up; then
	not_ok "lab bring-up"
	echo "1..$T"; exit 1
fi
ok "3 nodes up, VIP N on node N, no ganesha in grace ($(( ($(now_us) - t_up) / 1000000 )) s; lab $LAB_ID in $LAB_DIR)"
# Seeded after the bring-up, which draws the lab's id from RANDOM: two
# runs with one seed must not share namespace names.
RANDOM=$SEED
if [ "$METHOD" = old ]; then
	check "the old method: coordd and its monitor stopped, a ganesha_mon poll per node" soak_old_start
fi
soak_watch_start
check "$((SOAK_FILES * 2 + SOAK_CYCLERS * 2)) clients: every holder holds its lock" soak_clients_start

read -r -a KINDS <<<"$SOAK_KINDS"
t_moves=$(date +%s) done_moves=0
for i in $(seq 1 "$MOVES"); do
	if [ "$SOAK_BUDGET_S" -gt 0 ] && [ $(( $(date +%s) - t_moves )) -ge "$SOAK_BUDGET_S" ]; then
		echo "# time budget of $SOAK_BUDGET_S s spent after $done_moves of $MOVES moves"
		break
	fi
	soak_move "$i" "${KINDS[RANDOM % ${#KINDS[@]}]}"
	done_moves=$i
done
soak_stop_clients
ok "$done_moves moves done ($(( $(date +%s) - t_moves )) s)"
soak_collect
if bash "$(dirname "$0")/tools/soak_nfs_check.sh" "$OUT"; then
	ok "checker: no conflicting grant, no lost or refused reclaim, no VIP ahead of grace, every client back in bound (seed $SEED)"
else
	not_ok "checker: the histories show a failure (seed $SEED; records in $OUT)"
fi
echo "1..$T"
[ "$FAILED" = 0 ]
