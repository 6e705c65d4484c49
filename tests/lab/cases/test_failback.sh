#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every VIP move is gated (issue 19): a real NFSv4 client keeps its lock
# when its VIP moves back home (failback) or is moved by an administrator,
# not only when it fails over.  One bring-up for the group: 3 nodes with
# corosync, pacemaker, a real nfs-ganesha 4.3 each over one shared export,
# coordd and the monitor clone; each VIP a group [ganesha_coord_gate,
# IPaddr2] preferring its own node; a 4th node with corosync, coordd and a
# fake ganesha (a member every barrier waits for, whose answer case d
# holds back by stopping its coordd; no pacemaker there).
#
# Client A holds a write lock through VIP1 with a Linux-like client id
# string that names VIP1 (grace "2:VIP1" releases only such clients);
# client B tries the same range through every VIP every 250 ms for the
# whole case.  Each case asserts that every reclaim of A is granted (never
# LOST), that A still holds the lock at the end, and that B is never
# granted it (a grant through a survivor's own VIP before that survivor
# entered grace after a death is the documented death-to-grace window,
# docs/deploy.md: reported as GAP, not judged).  Cases, in this order:
#   c. a planned move on the fresh cluster: coordctl move VIP1 node2 (here
#      nothing keeps VIP1 on node 2 once the move's constraint is cleared,
#      so pacemaker brings it home at once: two gated moves), A paused
#      (a client that does not renew) across both moves and C_PAUSE_S more;
#   a. failback after a ganesha death: node 1's ganesha killed, VIP1 fails
#      over to node 2, A reclaims there; node 1's ganesha restarted, VIP1
#      goes home, A reclaims on node 1;
#   b. the same after a whole-node loss (node 1 powered off) and its reboot;
#   e. a move there and back with A renewing, then node 1's ganesha
#      killed: node 1's "2:VIP1" kept A as a stale client, whose expiry by
#      node 1's reaper deletes A's record of the same name once A is back
#      (docs/deploy.md, "A VIP that comes back too soon"); the take-over
#      home therefore waits for that expiry, and A's reclaim after node 1's
#      death (on node 2 or 3) is granted.  Without the wait node 2 or 3 had
#      no record of A: NFS4ERR_NO_GRACE (soak seed 2718, moves 36 and 40);
#   d. a death of the giving node's ganesha in the middle of a return:
#      after a failover of VIP1 to node 2, node 1's ganesha comes back; the
#      handover barrier on node 2 is held open by node 4 (its coordd
#      stopped, so it has not answered), and node 2's ganesha is killed
#      meanwhile.
# Per case the timeline (server up -> VIP home -> A reclaimed) as # lines.
#
# GATE=0: plain IPaddr2 VIPs, as before the gate: case a alone, which must
# fail (A's LOCK reclaim DENIED on node 1, B later granted A's lock).
# FAILBACK_CASES="c e a b d": the cases to run, in that order.
set -u
# A dead server's lock is safe only while the survivors are in grace: until
# its client reclaimed it where the VIP went.  A gated failover's move (the
# gate's take-over, then the address) took up to 21 s from the death to
# A's reclaim on a loaded machine, past nfs_lab's 15 s Grace_Period from
# the survivors' grace call (B then took the lock through node 3's VIP);
# and case c's client must reclaim within the take-over grace, started
# before the address comes.  30 s leaves a margin that does not depend on
# pacemaker's speed.
NFS_GRACE=${NFS_GRACE:-30}
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/coord_lab.sh"
. "$(dirname "$0")/../lib/nfs_lab.sh"
nfs_lab_trap
GATE=${GATE:-1}
NFS_GATE=$GATE
NFS_WITNESSES=1
W=4	# the witness node
if [ "$GATE" = 1 ]; then CASES=${FAILBACK_CASES:-c e a b d}; else CASES=${FAILBACK_CASES:-a}; fi
C_PAUSE_S=${C_PAUSE_S:-6}
VIP1=$(vip_of 1) VIP2=$(vip_of 2) VIP3=$(vip_of 3)
# coordctl in node N (coordd's socket is the node's default, /run/coord).
nctl() { local n=$1; shift; lab_exec "$n" "$COORDCTL" "$@"; }
# How many events of REASON node N recorded (of those it keeps).
events_of() {	# N REASON
	nctl "$1" --json events 2>/dev/null | jq --arg r "$2" '[.events[] | select(.reason == $r)] | length'
}

echo "# bringing up 3 nodes (corosync, pacemaker, nfs-ganesha, coordd) and a witness member;" \
	"VIPs $( [ "$GATE" = 1 ] && echo "gated: [ganesha_coord_gate, IPaddr2] groups" || echo "plain IPaddr2 (GATE=0)")"
if ! nfs_stack_up; then
	not_ok "lab bring-up"
	echo "1..$T"; exit 1
fi
ok "3 nodes and a witness up, VIP N on node N, no ganesha in grace"

# ---- per case: A holds, B tries, watches (vip1_watch: nfs_lab.sh) ----
vip1_at() { watch_vip1_at "$LAB_DIR/$CASE-vip.log" "$@"; }	# N T
grace_at() { watch_grace_at "$LAB_DIR/$CASE-vip.log" "$@"; }	# N T
# Checks that node N's ganesha was in grace when VIP1 arrived there at T.
check_arrival() {	# N T WHAT
	local g=
	[ -n "${2:-}" ] && g=$(grace_at "$1" "$2")
	check "$CASE: node $1's ganesha was in grace when VIP1 arrived there ($3; it answered ${g:-nothing})" \
		[ "$g" = true ]
}

# A's and B's outcome is judged unless the case found it decided by an
# ordinary lease expiry (case c: CASE_JUDGED=0); then it is reported.
judge() {	# DESCRIPTION command...
	if [ "$CASE_JUDGED" = 1 ]; then check "$@"; return; fi
	local d=$1; shift
	if "$@"; then echo "# $CASE, not judged: $d (holds)"; else echo "# $CASE, not judged: $d (does not hold)"; fi
}

case_begin() {	# TAG
	CASE=$1 CASE_DOWN= CASE_JUDGED=1
	A=$LAB_DIR/$CASE-A.log GW=$LAB_DIR/$CASE-grace.log
	FILE=lock-$CASE
	apid=$(nfs_client_bg "$A" hold --server "$VIP1" --id "clientA-$CASE" --linux-id \
		--file "$FILE" --renew-ms 500)
	check "$CASE: client A holds a write lock through VIP1 on node $(vip_holder "$VIP1")" \
		nfs_wait_event 30 "$A" HOLDING
	bpids=
	for v in "$VIP1" "$VIP2" "$VIP3"; do
		bpids="$bpids $(nfs_client_bg "$LAB_DIR/$CASE-B-$v.log" try --server "$v" \
			--id "clientB-$CASE" --linux-id --file "$FILE" --every-ms 250 --for-ms 900000)"
	done
	nfs_watch "$GW"
	NFS_WATCHERS="$NFS_WATCHERS $(vip1_watch "$LAB_DIR/$CASE-vip.log")"
	# Nothing moves before B has answered through every VIP and the watches
	# have their first samples: waited for, not slept.
	wait_for 60 case_watched ||
		echo "# $CASE: B or a watch did not start within 60 s"
	check "$CASE: before anything moves, B is denied through every VIP" \
		[ "$(grep -l 'result=DENIED' "$LAB_DIR/$CASE"-B-*.log | wc -l)" = 3 ]
	T0=$(now_us)
}

case_watched() {
	local v
	for v in "$VIP1" "$VIP2" "$VIP3"; do tries_since "$LAB_DIR/$CASE-B-$v.log" 0 1 || return 1; done
	grep -q ' vip holder=' "$LAB_DIR/$CASE-vip.log" 2>/dev/null &&
		[ "$(awk '{print $2}' "$GW" 2>/dev/null | sort -u | wc -l)" -ge "$LAB_N" ]
}
grants() {	# LOG FROM [TO]: B's grants in [FROM, TO)
	awk -v a="$2" -v b="${3:-99999999999999999}" \
		'$1 >= a && $1 < b && $3 == "TRY" && /result=GRANTED/' "$1" | wc -l
}
answers() {	# LOG FROM
	awk -v t="$2" '$1 >= t && $3 == "TRY" {print $NF}' "$1" | sort | uniq -c | tr -s ' \n' ' '
}

# Waits for grace to end everywhere (B's last tries then meet A's lock),
# stops B and the watches, and judges.  With DEATH_T and DEAD: B's grants
# through a survivor's own VIP between that death and the survivor's
# grace are the death-to-grace window (GAP), not judged.
case_end() {	# [DEATH_T DEAD]
	local death=${1:-} dead=${2:-} v n log g gap bad t_ng
	wait_for 90 nfs_no_grace_but $CASE_DOWN ||
		echo "# $CASE: some ganesha still in grace after 90 s"
	# B's last answers are the ones after grace: two more through every
	# VIP (the second asked once grace was over), waited for, not slept.
	t_ng=$(now_us)
	wait_for 30 tried_everywhere_since "$LAB_DIR/$CASE-B-" "$t_ng" || echo "# $CASE: B did not answer twice through every VIP after grace"
	nfs_client_stop $bpids
	nfs_unwatch
	sleep 0.3
	grep -E ' (LOST|RECLAIM|RECLAIM_OPEN) ' "$A" | tail -3 | sed 's/^/#   A: /'
	judge "$CASE: client A never lost its lock ($(grep -c ' RECLAIMED ' "$A") recoveries, every reclaim granted)" \
		sh -c "! grep -q ' LOST ' '$A'"
	judge "$CASE: client A still holds it at the end" kill -0 "$apid"
	for n in 1 2 3; do
		v=$(vip_of $n) log=$LAB_DIR/$CASE-B-$v.log gap=0
		if [ -n "$death" ] && [ "$n" != "$dead" ]; then
			g=$(nfs_grace_since "$GW" "$n" "$death")
			gap=$(grants "$log" "$death" "${g:-99999999999999999}")
			[ "$gap" = 0 ] || echo "# GAP: B granted $gap time(s) through $v after the death, before node $n" \
				"entered grace ($( [ -n "$g" ] && echo "$(ms_since "$death" "$g") ms" || echo never)):" \
				"the death-to-grace window (docs/deploy.md), not the move"
		fi
		bad=$(( $(grants "$log" "$T0") - gap ))
		judge "$CASE: B through $v never granted A's range ($(answers "$log" "$T0"))" [ "$bad" = 0 ]
	done
	judge "$CASE: after grace, B through VIP1 is denied (A's lock holds)" \
		[ "$(awk '$3 == "TRY" {r = $NF} END {print r}' "$LAB_DIR/$CASE-B-$VIP1.log")" = result=DENIED ]
	nfs_client_stop "$apid"
}

# Dead ganeshas back, every VIP home, no server in grace.
reset_stack() {	# DEAD...
	local n
	for n in "$@"; do nfs_ganesha_start "$n" || return 1; done
	wait_for 90 nfs_vips_home || {
		echo "# VIPs not home: ganesha-active on nodes $(active_nodes); VIP1 on $(vip_holder "$VIP1")," \
			"VIP2 on $(vip_holder "$VIP2"), VIP3 on $(vip_holder "$VIP3")"
		return 1
	}
	wait_for 90 nfs_no_grace
}

vip1_on() { [ "$(vip_holder "$VIP1")" = "$1" ]; }
reclaimed_after() { nfs_first "$A" RECLAIMED "$1"; }
await_reclaim() { nfs_await_reclaim "$A" "$@"; }	# T SECONDS
ms() { [ -n "${2:-}" ] && echo "$(ms_since "$1" "$2") ms" || echo never; }	# T0 T

# A failover of VIP1 after node 1's death at DEATH_T: A reclaims on the taker.
failover_part() {	# DEATH_T WHAT
	local t=$1 s r
	if wait_for 60 vip_moved "$VIP1" 1; then s=$(vip_holder "$VIP1"); else s=; fi
	check "$CASE: VIP1 failed over to node ${s:-?} after $2" [ -n "$s" ]
	[ -n "$s" ] && check_arrival "$s" "$(vip1_at "$s" "$t")" "the failover"
	await_reclaim "$t" 60
	r=$(reclaimed_after "$t")
	check "$CASE: client A reclaimed its lock on node ${s:-?} ($(ms "$t" "$r") after $2)" [ -n "$r" ]
	echo "# $CASE: failover: VIP1 on node ${s:-?} at $(ms "$t" "$(vip1_at "${s:-x}" "$t")"), A reclaimed at $(ms "$t" "$r")"
	wait_for 90 nfs_no_grace_but 1
}

TIMELINES=
timeline() { echo "# $CASE: $*"; TIMELINES="$TIMELINES
#   $CASE: $*"; }

# ---- c: a planned move (coordctl move), A paused across it ----
case_c() {
	local t_stop t_move t_there t_home t_cont t_g1 r rc out h1 h2
	echo "# c. coordctl move $VIP1 node2 on the fresh cluster; client A paused across it"
	case_begin c
	kill -STOP "$apid"
	t_stop=$(now_us)
	h1=$(events_of 1 handover) h2=$(events_of 2 handover)
	t_move=$(now_us)
	out=$(nctl 1 move "$VIP1" node2 2>&1); rc=$?
	echo "$out" | sed 's/^/#   coordctl: /'
	check "c: coordctl move $VIP1 node2 exits 0 (VIP1 ran on node 2)" [ "$rc" = 0 ]
	wait_for 60 vip1_on 1
	# A's silence ends C_PAUSE_S after VIP1 is seen home, within node 1's
	# take-over grace (Grace_Period from the gate's start): counted from
	# that arrival, not after the checks below, whose duration is the
	# machine's speed (9 s on a loaded one, and A came back after the
	# grace: NFS4ERR_NO_GRACE).  What remains of the grace at the arrival
	# is the machine's speed too (the address comes after the gate), which
	# NFS_GRACE above allows for.
	sleep "$C_PAUSE_S"
	t_cont=$(now_us)
	kill -CONT "$apid"
	t_there=$(vip1_at 2 "$t_move")
	t_home=$(vip1_at 1 "$t_move")
	# A keeps its lock only if node 1 dropped VIP1's state (the grace("3:")
	# before its "2:VIP1" puts A in node 1's reclaim list; node 1 was not
	# in grace before) while A's lease there still ran.  Later, node 1's
	# reaper expires A and deletes its only record (ganesha 4.3 reaps in
	# grace too, and no take-over reads v4old): an ordinary lease expiry,
	# whose winner is the machine's speed.  Judged when the drop came within
	# the lease less 1.5 s (A renews every 500 ms; ganesha's clock counts
	# whole seconds), reported otherwise.
	t_g1=$(awk -v t="$t_move" '$1 >= t && $2 == "grace" && $3 == "node=1" && $4 == "state=true" {print $1; exit}' \
		"$LAB_DIR/$CASE-vip.log")
	echo "# c: node 1 in grace (its drop) $(ms "$t_stop" "$t_g1") after A stopped renewing (lease ${NFS_LEASE} s)"
	if [ -z "$t_g1" ] || [ $(( t_g1 - t_stop )) -ge $(( (NFS_LEASE * 1000 - 1500) * 1000 )) ]; then
		CASE_JUDGED=0
		echo "# c: A's lease on node 1 ran out before node 1 dropped VIP1's state: A's outcome and B's are reported, not judged"
	fi
	check "c: the move's constraint cleared, pacemaker brought VIP1 home (a second gated move)" vip1_on 1
	check_arrival 2 "$t_there" "the move"
	check_arrival 1 "$t_home" "the way back"
	both_handed_over() { [ "$(events_of 1 handover)" -gt "$h1" ] && [ "$(events_of 2 handover)" -gt "$h2" ]; }
	check "c: a handover recorded by node 1 (giving VIP1 to node 2), then by node 2 (giving it back)" \
		both_handed_over
	await_reclaim "$t_move" 30
	r=$(reclaimed_after "$t_move")
	timeline "move asked 0 ms -> VIP1 on node 2 $(ms "$t_move" "$t_there") -> VIP1 home" \
		"$(ms "$t_move" "$t_home") -> A resumed $(ms "$t_move" "$t_cont") -> A reclaimed $(ms "$t_move" "$r")"
	judge "c: client A reclaimed its lock on node 1 after its pause" [ -n "$r" ]
	case_end
}

# ---- a: failback after a ganesha death ----
case_a() {
	local t_death t_up t_home r
	echo "# a. node 1's ganesha killed (VIP1 fails over to node 2), restarted: VIP1 goes home"
	case_begin a
	t_death=$(now_us)
	nfs_ganesha_kill 1
	failover_part "$t_death" "the death"
	nfs_ganesha_start 1
	t_up=$(now_us)
	wait_for 60 vip1_on 1
	t_home=$(vip1_at 1 "$t_up")
	check "a: VIP1 back on node 1 ($(ms "$t_up" "$t_home") after its ganesha answered)" vip1_on 1
	check_arrival 1 "$t_home" "the failback"
	await_reclaim "$t_up" 40
	r=$(reclaimed_after "$t_up")
	check "a: client A reclaimed its lock on node 1 ($(ms "$t_up" "$r") after its ganesha answered)" [ -n "$r" ]
	[ -n "$(nfs_first "$A" LOST "$t_up")" ] &&
		echo "# a: A's reclaim refused: $(grep -E ' (RECLAIM_OPEN|RECLAIM|LOST) ' "$A" | tail -3 | cut -d' ' -f3- | tr '\n' ';')"
	timeline "ganesha up 0 ms -> VIP1 home $(ms "$t_up" "$t_home") -> A reclaimed $(ms "$t_up" "$r")"
	case_end "$t_death" 1
}

# ---- b: failback after a whole-node loss and its reboot ----
case_b() {
	local t_death t_boot t_up t_home r
	echo "# b. node 1 powered off (VIP1 fails over), powered on again: VIP1 goes home"
	case_begin b
	t_death=$(now_us)
	nfs_power_off 1
	failover_part "$t_death" "the power cut"
	t_boot=$(now_us)
	if nfs_power_on 1; then
		t_up=$(now_us)
		ok "b: node 1 powered on, in the membership, its ganesha up ($(ms "$t_boot" "$t_up"))"
	else
		t_up=$(now_us)
		not_ok "b: node 1 powered on"
	fi
	wait_for 120 vip1_on 1
	t_home=$(vip1_at 1 "$t_up")
	check "b: VIP1 back on node 1 ($(ms "$t_up" "$t_home") after its ganesha answered)" vip1_on 1
	check_arrival 1 "$t_home" "the failback"
	await_reclaim "$t_up" 40
	r=$(reclaimed_after "$t_up")
	check "b: client A reclaimed its lock on node 1 ($(ms "$t_up" "$r") after its ganesha answered)" [ -n "$r" ]
	timeline "power on 0 ms -> ganesha up $(ms "$t_boot" "$t_up") -> VIP1 home $(ms "$t_boot" "$t_home")" \
		"-> A reclaimed $(ms "$t_boot" "$r") (server up -> VIP home $(ms "$t_up" "$t_home"), -> A reclaimed $(ms "$t_up" "$r"))"
	case_end "$t_death" 1
}

# ---- e: a move there and back, A renewing; then node 1's ganesha killed ----
case_e() {
	local t_move t_there t_home t_kill r rc out reap_s t_reaped
	echo "# e. coordctl move $VIP1 node2 and home again, A renewing; then node 1's ganesha killed"
	case_begin e
	t_move=$(now_us)
	out=$(nctl 1 move "$VIP1" node2 2>&1); rc=$?
	echo "$out" | sed 's/^/#   coordctl: /'
	check "e: coordctl move $VIP1 node2 exits 0 (VIP1 ran on node 2)" [ "$rc" = 0 ]
	wait_for 90 vip1_on 1
	t_there=$(vip1_at 2 "$t_move")
	t_home=$(vip1_at 1 "$t_move")
	check "e: pacemaker brought VIP1 home after the move" vip1_on 1
	check_arrival 1 "$t_home" "the way back"
	# Node 1's take-over waited for its reaper (coordd.conf's lease).
	grep -h "take-over of 1 VIP(s) waits" "$LAB_DIR/1/coordd.log" | tail -1 | sed 's/^/#   node 1: /'
	await_reclaim "$t_there" 30
	# Past any expiry of the stale A on node 1 (drop < t_home): its lease,
	# its reaper's period (lease / 2 here), whole seconds.
	reap_s=$(( NFS_LEASE + NFS_LEASE / 2 + 3 ))
	t_reaped=$(( t_home + reap_s * 1000000 ))
	while [ "$(now_us)" -lt "$t_reaped" ]; do sleep 0.5; done
	# A survivor still in an earlier grace keeps the clients it loaded
	# then (A's record from before the move): the death must find every
	# grace over, as the soak's move 40 did.
	wait_for 90 nfs_no_grace || echo "# e: some ganesha still in grace after 90 s"
	timeline "move asked 0 ms -> VIP1 on node 2 $(ms "$t_move" "$t_there") -> VIP1 home $(ms "$t_move" "$t_home")" \
		"-> node 1's reaper done (${reap_s} s later) -> no grace anywhere $(ms "$t_move" "$(now_us)")"
	t_kill=$(now_us)
	nfs_ganesha_kill 1
	CASE_DOWN=1
	failover_part "$t_kill" "node 1's death"
	[ -n "$(nfs_first "$A" LOST "$t_kill")" ] &&
		echo "# e: A's reclaim refused: $(grep -E ' (RECLAIM_OPEN|RECLAIM|LOST) ' "$A" | tail -3 | cut -d' ' -f3- | tr '\n' ';')"
	case_end "$t_kill" 1
}

# ---- d: the giving node's ganesha dies in the middle of a return ----
case_d() {
	local t_death t_up t_off t_kill t_home r h i
	echo "# d. VIP1 failed over to node 2; node 1's ganesha back; node 2's ganesha killed" \
		"while its handover waits for the witness (node $W's coordd stopped until then)"
	case_begin d
	t_death=$(now_us)
	nfs_ganesha_kill 1
	failover_part "$t_death" "the death"
	# The witness cannot answer the handover before node 2's ganesha is
	# killed: its coordd is stopped until then (held by that event, not by
	# a delay the machine's speed could outrun).  What bounds the wait is
	# the handover's deadline (10 s, policy hold: a held handover is
	# withdrawn and the gate's stop fails).
	kill -STOP "$(coord_pid "$W")"
	nfs_ganesha_start 1
	t_up=$(now_us)
	# The gate stops on node 2 right after VIP1 left it: its handover
	# starts; nodes 1 and 3 answer, the witness cannot.
	h=
	for i in $(seq 1 600); do
		h=$(nctl 2 --json events 2>/dev/null | jq -r --argjson w "$W" '[.events[] | select(.reason == "handover"
			and .state == "waiting" and
			all(.survivors[]; .node_id == $w or .state == "answered"))] | .[0].id // empty')
		[ -n "$h" ] && break
		sleep 0.1
	done
	t_off=$(now_us)
	check "d: node 2's handover of VIP1 is waiting for the witness ($(ms "$t_up" "$t_off") after node 1's ganesha answered)" [ -n "$h" ]
	nfs_ganesha_kill 2
	t_kill=$(now_us) CASE_DOWN=2
	kill -CONT "$(coord_pid "$W")"
	wait_for 60 vip1_on 1
	t_home=$(vip1_at 1 "$t_up")
	check "d: VIP1 back on node 1 despite node 2's death" vip1_on 1
	check_arrival 1 "$t_home" "the failback"
	await_reclaim "$t_kill" 40
	r=$(reclaimed_after "$t_kill")
	check "d: client A reclaimed its lock on node 1 ($(ms "$t_kill" "$r") after node 2's death)" [ -n "$r" ]
	check "d: VIP2 failed over from dead node 2 (to node $(vip_holder "$VIP2"))" wait_for 60 vip_moved "$VIP2" 2
	handover_state() { nctl 2 --json events 2>/dev/null | jq -r --arg id "$h" '.events[] | select(.id == $id) | .state'; }
	nctl 2 events 2>/dev/null | awk -v id="$h" '$0 ~ "^event " id ":" {p = 1} p && /^$/ {exit} p' | sed 's/^/#   node 2: /'
	check "d: node 2's handover ended released, its server gone (state: $(handover_state))" \
		[ "$(handover_state)" = released ]
	timeline "ganesha up 0 ms -> handover on node 2 waiting $(ms "$t_up" "$t_off") -> node 2's ganesha killed" \
		"$(ms "$t_up" "$t_kill") -> VIP1 home $(ms "$t_up" "$t_home") -> A reclaimed $(ms "$t_up" "$r")"
	# Node 1's death opened the case, as in case a: B's grants through a
	# survivor's own VIP before it entered grace are that window (GAP).
	# Node 2's comes while nodes 1 and 3 are in the handover's grace.
	case_end "$t_death" 1
}

for c in $CASES; do
	t_case=$(now_us)
	case $c in
	c) case_c ;;
	e) case_e ;;
	a) case_a ;;
	b) case_b ;;
	d) case_d ;;
	*) not_ok "unknown case $c"; continue ;;
	esac
	check "after case $c: dead servers back, every VIP home, no ganesha in grace" reset_stack $(
		for n in 1 2 3; do get_grace "$n" >/dev/null || echo "$n"; done)
	echo "# case $c took $(( ($(now_us) - t_case) / 1000000 )) s"
done

echo "# return timelines:$TIMELINES"
echo "1..$T"
[ "$FAILED" = 0 ]
