#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The gate and the address in one agent (issue 29): each VIP one coord_vip
# primitive with gate=true instead of the group [ganesha_coord_gate,
# address].  3 nodes with corosync, pacemaker, a real nfs-ganesha 4.3 each
# over one shared export, coordd and the monitor clone (nfs_lab.sh,
# NFS_GATE=one).  The gate's coordctl is a wrapper that records, on the
# node that runs it, each take-over and give-up with whether the VIP was on
# the node's eth0 before it began and after it returned: the order of the
# take-over and the address is read from those records, not from a race.
#
# First ocf-tester on a gated coord_vip of an address nobody uses.  Then
# client A holds a write lock through VIP1 (a Linux-like client id naming
# VIP1), client B tries the same range through every VIP every 250 ms, and:
#   1. node 1's ganesha is killed: VIP1 fails over, the taker's take-over
#      returned before the address was there, the taker's ganesha was in
#      grace when VIP1 arrived (vip_watch), A reclaims there;
#   2. node 1's ganesha comes back: VIP1 goes home, the giver's give-up
#      began once the address had left, A reclaims at home;
#   3. VIP1's address is deleted under pacemaker on node 1 (what a soak saw
#      the group do: the address restarted with the gate left running):
#      the monitor fails, the recovery is a give-up and a take-over, A
#      reclaims;
#   4. coordctl move VIP1 node2 (the primitive moved as a group of one;
#      nothing keeps it there once the move's constraint is cleared, so it
#      comes home at once: two gated moves), A reclaims.
# A never loses its lock, B is never granted it (but in the documented
# death-to-grace window through a survivor's own VIP, reported as GAP).
# NFS_GATE=1 runs steps 1, 2 and 4 with the group instead, for comparison.
# Step 4 with the single agent lost A's lock (NFS4ERR_NO_GRACE, then B
# granted) in 2 runs of 2 until the take-over waited for ganesha's reaper:
# step 3's in-place recovery is a give-up and a take-over on node 1, whose
# reaper then deleted A's record (docs/deploy.md, "A VIP that comes back
# too soon"); 37 of 37 since.
set -u
# As test_failback.sh: a gated move's take-over grace must outlast the
# move on a loaded machine.
NFS_GRACE=${NFS_GRACE:-30}
GATED_FORM=${NFS_GATE:-one}	# read before nfs_lab.sh gives it its own default
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/coord_lab.sh"
. "$(dirname "$0")/../lib/nfs_lab.sh"
nfs_lab_trap
# NFS_GATE=1: the same steps with the group [ganesha_coord_gate, address]
# (its gate runs the same recording coordctl), for comparison.
NFS_GATE=$GATED_FORM
VIP1=$(vip_of 1) VIP2=$(vip_of 2) VIP3=$(vip_of 3)
OCF_VIP=198.18.0.150	# ocf-tester's address: no node announces it

# ---- the recording coordctl ----
# In the build directory (the resources name it before they run); it
# records in the node's own /run, which goes with the lab.
REC_CTL=$B/tests/lab/coordctl-rec
mkdir -p "${REC_CTL%/*}"
cat >"$REC_CTL" <<SH
#!/bin/bash
# coordctl, with each take-over and give-up recorded in /run/coord-gate.rec
# of the node: "start_us end_us command vip rc vip-before vip-after"
# (vip-* present or absent on this node's eth0).  Written by
# tests/lab/cases/test_gated_vip.sh.
cmd= vip= prev=
for a in "\$@"; do
	case \$a in take-over|give-up) cmd=\$a ;; esac
	[ "\$prev" = --ip ] && vip=\$a
	prev=\$a
done
[ -n "\$cmd" ] || exec $COORDCTL "\$@"
here() { [ -n "\$(ip -o addr show dev eth0 to "\$vip" 2>/dev/null)" ] && echo present || echo absent; }
t0=\${EPOCHREALTIME/./} b=\$(here)
$COORDCTL "\$@"; rc=\$?
echo "\$t0 \${EPOCHREALTIME/./} \$cmd \$vip \$rc \$b \$(here)" >>/run/coord-gate.rec
exit \$rc
SH
chmod 755 "$REC_CTL"
PCMK_GATE_COORDCTL=$REC_CTL
# Node N's first record of COMMAND for VIP since T:
# "start end command vip rc before after".
rec_first() {	# N COMMAND VIP T
	lab_exec "$1" cat /run/coord-gate.rec 2>/dev/null |
		awk -v c="$2" -v v="$3" -v t="$4" '$3 == c && $4 == v && $1 >= t { print; exit }'
}
has_rec() { [ -n "$(rec_first "$@")" ]; }	# N COMMAND VIP T
field() { echo "$1" | awk -v f="$2" '{ print $f }'; }	# RECORD FIELD
ms() { [ -n "${2:-}" ] && echo "$(ms_since "$1" "$2") ms" || echo never; }	# T0 T

echo "# bringing up 3 nodes (corosync, pacemaker, nfs-ganesha, coordd); each VIP one coord_vip, gate=true"
if ! nfs_stack_up; then
	not_ok "lab bring-up"
	echo "1..$T"; exit 1
fi
ok "3 nodes up, VIP N on node N, no ganesha in grace"
one_primitive() {
	local rsc
	rsc=$(lab_exec 1 cibadmin -Q -o resources 2>/dev/null)
	grep -q '<primitive id="vip1" class="ocf" provider="coord" type="coord_vip"' <<<"$rsc" &&
		grep -q 'id="vip1-gate" name="gate" value="true"' <<<"$rsc" && ! grep -q '<group' <<<"$rsc"
}
[ "$NFS_GATE" = one ] &&
	check "VIP1 is one primitive, ocf:coord:coord_vip with gate=true, and no group exists" one_primitive
for v in 1 2 3; do
	r=$(rec_first "$v" take-over "$(vip_of $v)" 0)
	check "node $v's first start of VIP$v: a take-over (exit $(field "$r" 5)) that returned before the address was there ($(field "$r" 7))" \
		[ "$(field "$r" 5)/$(field "$r" 7)" = 0/absent ]
done

# ---- ocf-tester: a gated coord_vip of an address nobody announces ----
t=$(now_us)
out=$(lab_exec 3 env OCF_ROOT=/usr/lib/ocf ocf-tester -n ocfvip -o ip="$OCF_VIP" -o cidr_netmask=24 \
	-o nic=eth0 -o gate=true -o coordctl="$REC_CTL" -o pid_file=/run/ganesha.pid -o wait_timeout=40 \
	/usr/lib/ocf/resource.d/coord/coord_vip 2>&1); rc=$?
passed() { [ "$rc" = 0 ] && grep -q 'passed all tests' <<<"$out"; }
passed || echo "$out" | tail -n 15 | sed 's/^/#   /'
check "ocf-tester coord_vip gate=true: exit 0, passed all tests (got $rc)" passed
r=$(rec_first 3 take-over "$OCF_VIP" "$t")
check "  ... its start took $OCF_VIP over before adding it ($r)" [ "$(field "$r" 5)/$(field "$r" 7)" = 0/absent ]
r=$(rec_first 3 give-up "$OCF_VIP" "$t")
check "  ... its stop gave it up after deleting it ($r)" [ "$(field "$r" 5)/$(field "$r" 6)" = 0/absent ]
nothing_left() {
	[ -z "$(ip -n "$(_lab_ns 3)" -o addr show to "$OCF_VIP")" ] &&
		lab_exec 3 test ! -e /run/resource-agents/coord_vip-ocfvip.state
}
check "  ... and left no address and no take-over behind" nothing_left
wait_for 90 nfs_no_grace || echo "# some ganesha still in grace 90 s after ocf-tester's give-up"

# ---- A holds, B tries, the watches ----
A=$LAB_DIR/A.log GW=$LAB_DIR/grace.log FILE=lock-one
apid=$(nfs_client_bg "$A" hold --server "$VIP1" --id clientA-one --linux-id --file "$FILE" --renew-ms 500)
check "client A holds a write lock through VIP1 on node $(vip_holder "$VIP1")" nfs_wait_event 30 "$A" HOLDING
bpids=
for v in "$VIP1" "$VIP2" "$VIP3"; do
	bpids="$bpids $(nfs_client_bg "$LAB_DIR/B-$v.log" try --server "$v" --id clientB-one --linux-id \
		--file "$FILE" --every-ms 250 --for-ms 900000)"
done
nfs_watch "$GW"
NFS_WATCHERS="$NFS_WATCHERS $(vip1_watch "$LAB_DIR/vip.log")"
watched() {
	local v
	for v in "$VIP1" "$VIP2" "$VIP3"; do tries_since "$LAB_DIR/B-$v.log" 0 1 || return 1; done
	grep -q ' vip holder=' "$LAB_DIR/vip.log" 2>/dev/null
}
wait_for 60 watched || echo "# B or the watch did not start within 60 s"
check "before anything moves, B is denied through every VIP" \
	[ "$(grep -l 'result=DENIED' "$LAB_DIR"/B-*.log | wc -l)" = 3 ]
T0=$(now_us)

vip1_at() { watch_vip1_at "$LAB_DIR/vip.log" "$@"; }	# N T
grace_at() { watch_grace_at "$LAB_DIR/vip.log" "$@"; }	# N T
vip1_on() { [ "$(vip_holder "$VIP1")" = "$1" ]; }
reclaimed() { nfs_await_reclaim "$A" "$@"; }	# T SECONDS
# One gated arrival of VIP1 on node TO after T: the take-over record there
# (granted, the address absent when it returned), then the address, with
# TO's ganesha in grace when it came.
arrival() {	# WHAT TO T
	local what=$1 to=$2 t=$3 r ta
	r=$(rec_first "$to" take-over "$VIP1" "$t")
	check "$what: node $to's take-over of VIP1 granted and returned before the address was there ($(field "$r" 5), $(field "$r" 7))" \
		[ "$(field "$r" 5)/$(field "$r" 7)" = 0/absent ]
	ta=$(vip1_at "$to" "$t")
	check "$what: then VIP1 on node $to, its ganesha in grace when it came (${ta:+$(grace_at "$to" "$ta")})" \
		[ "${ta:+$(grace_at "$to" "$ta")}" = true ]
	echo "# $what: take-over on node $to $(ms "$t" "$(field "$r" 1)") -> $(ms "$t" "$(field "$r" 2)"), VIP1 there $(ms "$t" "$ta")"
}
# One gated departure of VIP1 from node FROM after T: the give-up record
# there began once the address had left (whatever the give-up answered: a
# dead server's give-up may fail, the stop then succeeds).
departure() {	# WHAT FROM T
	local r
	r=$(rec_first "$2" give-up "$VIP1" "$3")
	check "$1: node $2's give-up of VIP1 began once the address had left it ($(field "$r" 6); exit $(field "$r" 5))" \
		[ "$(field "$r" 6)" = absent ]
}

# ---- 1. failover ----
echo "# 1. node 1's ganesha killed: VIP1 fails over"
t_death=$(now_us)
nfs_ganesha_kill 1
wait_for 60 vip_moved "$VIP1" 1
s=$(vip_holder "$VIP1")
check "1: VIP1 failed over to node ${s:-?}" [ "${s:-1}" != 1 ]
wait_for 30 has_rec "${s:-2}" take-over "$VIP1" "$t_death"
arrival 1 "${s:-2}" "$t_death"
wait_for 30 has_rec 1 give-up "$VIP1" "$t_death"
departure 1 1 "$t_death"
reclaimed "$t_death" 60
check "1: client A reclaimed its lock on node ${s:-?} ($(ms "$t_death" "$(nfs_first "$A" RECLAIMED "$t_death")"))" \
	[ -n "$(nfs_first "$A" RECLAIMED "$t_death")" ]
wait_for 90 nfs_no_grace_but 1

# ---- 2. failback ----
echo "# 2. node 1's ganesha back: VIP1 goes home"
nfs_ganesha_start 1
t_up=$(now_us)
wait_for 60 vip1_on 1
check "2: VIP1 back on node 1" vip1_on 1
wait_for 30 has_rec "${s:-2}" give-up "$VIP1" "$t_up"
departure 2 "${s:-2}" "$t_up"
r=$(rec_first "${s:-2}" give-up "$VIP1" "$t_up")
check "2: node ${s:-2}'s give-up succeeded (its ganesha runs: exit $(field "$r" 5))" [ "$(field "$r" 5)" = 0 ]
arrival 2 1 "$t_up"
reclaimed "$t_up" 40
check "2: client A reclaimed its lock on node 1 ($(ms "$t_up" "$(nfs_first "$A" RECLAIMED "$t_up")"))" \
	[ -n "$(nfs_first "$A" RECLAIMED "$t_up")" ]
wait_for 90 nfs_no_grace

# ---- 3. the address lost under pacemaker ----
# Not with the group: its recovery restarts the address alone (the soak's
# finding), so no give-up or take-over would come.
if [ "$NFS_GATE" = one ]; then
echo "# 3. VIP1's address deleted on node 1 behind pacemaker's back"
t_del=$(now_us)
ip -n "$(_lab_ns 1)" addr del "$VIP1/24" dev eth0
wait_for 60 has_rec 1 take-over "$VIP1" "$t_del"
wait_for 60 vip1_on 1
r=$(rec_first 1 give-up "$VIP1" "$t_del")
check "3: the monitor's failure was recovered with a give-up on node 1 (exit $(field "$r" 5))" [ "$(field "$r" 5)" = 0 ]
g=$(field "$r" 2)
r=$(rec_first 1 take-over "$VIP1" "$t_del")
after_give_up() { [ "$(field "$r" 5)" = 0 ] && [ -n "$g" ] && [ "$(field "$r" 1)" -ge "$g" ]; }
check "3: ... then a take-over (exit $(field "$r" 5), after the give-up: $(ms "$t_del" "$g") then $(ms "$t_del" "$(field "$r" 1)"))" \
	after_give_up
check "3: VIP1 back on node 1" vip1_on 1
reclaimed "$t_del" 40
check "3: client A reclaimed its lock ($(ms "$t_del" "$(nfs_first "$A" RECLAIMED "$t_del")"))" \
	[ -n "$(nfs_first "$A" RECLAIMED "$t_del")" ]
fi

# ---- 4. a planned move ----
echo "# 4. coordctl move $VIP1 node2 (and home again)"
wait_for 90 nfs_no_grace
t_move=$(now_us)
out=$(lab_exec 1 "$COORDCTL" move "$VIP1" node2 2>&1); rc=$?
echo "$out" | sed 's/^/#   coordctl: /'
check "4: coordctl move $VIP1 node2 exits 0 (the single primitive ran on node 2)" [ "$rc" = 0 ]
wait_for 60 vip1_on 1
wait_for 30 has_rec 2 give-up "$VIP1" "$t_move"
arrival 4 2 "$t_move"
departure 4 2 "$t_move"
check "4: VIP1 home again once the move's constraint was cleared" vip1_on 1
reclaimed "$t_move" 40
check "4: client A reclaimed its lock ($(ms "$t_move" "$(nfs_first "$A" RECLAIMED "$t_move")"))" \
	[ -n "$(nfs_first "$A" RECLAIMED "$t_move")" ]

# ---- the end: grace over everywhere, then A and B judged ----
wait_for 90 nfs_no_grace || echo "# some ganesha still in grace after 90 s"
t_ng=$(now_us)
wait_for 30 tried_everywhere_since "$LAB_DIR/B-" "$t_ng" || echo "# B did not answer twice through every VIP after grace"
# shellcheck disable=SC2086
nfs_client_stop $bpids
nfs_unwatch
sleep 0.3
grants() {	# LOG FROM [TO]: B's grants in [FROM, TO)
	awk -v a="$2" -v b="${3:-99999999999999999}" '$1 >= a && $1 < b && $3 == "TRY" && /result=GRANTED/' "$1" | wc -l
}
grep -aE ' (LOST|RECLAIM|RECLAIMED|RECLAIM_OPEN|ERROR) ' "$A" | tail -n 8 | sed 's/^/#   A: /'
check "client A never lost its lock ($(grep -c ' RECLAIMED ' "$A") recoveries)" sh -c "! grep -q ' LOST ' '$A'"
check "client A still holds it at the end" kill -0 "$apid"
for n in 1 2 3; do
	v=$(vip_of $n) log=$LAB_DIR/B-$(vip_of $n).log gap=0
	if [ "$n" != 1 ]; then
		g=$(nfs_grace_since "$GW" "$n" "$t_death")
		gap=$(grants "$log" "$t_death" "${g:-99999999999999999}")
		[ "$gap" = 0 ] || echo "# GAP: B granted $gap time(s) through $v after the death, before node $n" \
			"entered grace: the death-to-grace window (docs/deploy.md), not the move"
	fi
	check "B through $v never granted A's range" [ $(( $(grants "$log" "$T0") - gap )) = 0 ]
done
nfs_client_stop "$apid"

echo "1..$T"
[ "$FAILED" = 0 ]
