#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make demo-failback: a VIP moving back home (failback) on the real stack
# (3 nodes, corosync, pacemaker, nfs-ganesha 4.3 over one shared export,
# coordd, real NFSv4 clients from tests/lab/tools/nfs4_client).  Client A holds a
# write lock through VIP1; client B tries the same range through every VIP
# every 250 ms.  Node 1's ganesha dies: VIP1 fails over to node 2 and A
# reclaims there.  Then node 1's ganesha comes back and pacemaker brings
# VIP1 home: once through the gate (VIP1 a group [ganesha_coord_gate,
# IPaddr2]), once as a plain IPaddr2 VIP as before the gate.  One timeline
# each, from the server's restart.  In the plain run node 2's ganesha is
# paused from VIP1's leaving until A's reclaim on node 1 is answered (see
# hold_lease).
set -u
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/coord_lab.sh"
. "$(dirname "$0")/../lib/nfs_lab.sh"
nfs_lab_trap
NFS_GATE=1
VIP1=$(vip_of 1) VIP2=$(vip_of 2) VIP3=$(vip_of 3)

# The time (us) of the first line of node N's pacemaker log at or after T
# that contains TEXT (its timestamps have milliseconds).
pcmk_at() {	# N T TEXT
	local line
	line=$(grep -F -- "$3" "$LAB_DIR/$1/pcmk/log/pacemaker.log" 2>/dev/null | while read -r mon day hms _; do
		t=$(date -d "$mon $day $hms" +%s%6N 2>/dev/null) || continue
		[ "$t" -ge "$2" ] && { echo "$t"; break; }
	done)
	echo "$line"
}

# Prints the return's timeline since T0 (node 1's ganesha restarted).
timeline() {	# TAG T0 T_UP
	local tag=$1 t0=$2 tup=$3 A=$LAB_DIR/A-$1.log t h v
	{
		echo "$t0 node 1: ganesha.nfsd restarted"
		echo "$tup node 1: ganesha answers on D-Bus (in its start-up grace)"
		t=$(pcmk_at 1 "$t0" "Setting ganesha-active[node1]: (unset) -> 1")
		[ -n "$t" ] && echo "$t node 1: coordd vouches, ganesha-active=1: pacemaker moves VIP1 home"
		t=$(pcmk_at 2 "$t0" "Result of stop operation for vip1 on node2")
		[ -n "$t" ] && echo "$t node 2: VIP1's address removed"
		# The handover's record on node 2 (times after its delivery).
		h=$(lab_exec 2 "$COORDCTL" --json events 2>/dev/null | jq -r --argjson now "$(now_us)" \
			'[.events[] | select(.reason == "handover")] | min_by(.age_ms) // empty |
			 ($now - .age_ms * 1000) as $d |
			 "\($d + .complete_ms * 1000 | floor) \($d + .ended_ms * 1000 | floor) \(.survivors | map(.node_id | tostring) | join(","))"')
		if [ -n "$h" ]; then
			read -r tc te who <<<"$h"
			[ "$tc" -ge "$t0" ] && {
				echo "$tc node 2: handover barrier: nodes $who confirmed grace"
				echo "$te node 2: its ganesha dropped VIP1's clients' state (grace 2:$VIP1)"
			}
		fi
		t=$(pcmk_at 2 "$t0" "Result of stop operation for vip1-gate on node2")
		[ -n "$t" ] && echo "$t node 2: gate stopped (give-up done)"
		t=$(pcmk_at 1 "$t0" "Result of start operation for vip1-gate on node1")
		[ -n "$t" ] && echo "$t node 1: gate started (take-over: in grace with every node's client records)"
		t=$(awk -v t="$t0" '$1 >= t && $2 == "vip" && $3 == "holder=1" {print $1; exit}' "$LAB_DIR/vip-$tag.log")
		[ -n "$t" ] && echo "$t VIP1 up on node 1 (its ganesha in grace: $(awk -v t="$t" \
			'$1 <= t && $2 == "grace" && $3 == "node=1" {s = $4} END {sub("state=", "", s); print s}' \
			"$LAB_DIR/vip-$tag.log"))"
		awk -v t="$t0" '$1 >= t && ($3 == "RECLAIM_OPEN" || $3 == "RECLAIM") {
			print $1, "client A: " ($3 == "RECLAIM" ? "LOCK" : "OPEN") " reclaim " $NF }' "$A" | sed 's/status=//'
		t=$(nfs_first "$A" RECLAIMED "$t0")
		[ -n "$t" ] && echo "$t client A reclaimed its lock on node 1"
		cat "$LAB_DIR/pause-$tag.log" 2>/dev/null
		for v in "$VIP1" "$VIP2" "$VIP3"; do
			t=$(nfs_first "$LAB_DIR/B-$tag-$v.log" TRY "$t0" result=GRANTED)
			[ -n "$t" ] && echo "$t client B took client A's lock through $v"
		done
	} | sort -n | while read -r t rest; do
		printf '  %6d ms  %s\n' "$(ms_since "$t0" "$t")" "$rest"
	done
}

# Without the gate nothing drops A's state on node 2 when VIP1 leaves it:
# node 2's ganesha keeps A's lock until A's lease there ends, 8 s (the
# lab's Lease_Lifetime; ganesha's default is 60 s) after A's last renewal
# through VIP1.  A's reclaim on node 1 is refused (DENIED: node 2 holds the
# lock), the loss this run shows, if it comes before that end; after it,
# node 1 (in its start-up grace, with A's record) grants it.  How long
# pacemaker takes to move VIP1 (4 s to spare seen on a loaded machine)
# would decide which.  So
# node 2's ganesha is paused from VIP1's leaving node 2 until A's reclaim
# is answered: the lease cannot end first, whatever the machine's speed.
hold_lease() {	# TAG T0
	local alog=$LAB_DIR/A-$1.log vlog=$LAB_DIR/vip-$1.log since=$2 g2
	# As the watch (every 10 ms) saw it: a poll of each node's interfaces
	# lagged 1.6 s behind on a loaded machine.
	vip1_left_2() {
		awk -v t="$since" '$1 >= t && $2 == "vip" && $3 != "holder=2" { f = 1 } END { exit !f }' "$vlog"
	}
	a_answered() { [ -n "$(nfs_first "$alog" RECLAIMED "$since")$(nfs_first "$alog" LOST "$since")" ]; }
	wait_for 120 vip1_left_2 || return 0
	g2=$(lab_exec 2 cat /run/ganesha.pid)
	kill -STOP "$g2"
	echo "$(now_us) node 2: its ganesha paused (A's lease there cannot end now)" >"$LAB_DIR/pause-$1.log"
	wait_for 90 a_answered
	kill -CONT "$g2"
	echo "$(now_us) node 2: its ganesha resumed (A's reclaim answered)" >>"$LAB_DIR/pause-$1.log"
}

# A holds, B tries; node 1's ganesha dies (failover), then comes back.
run() {	# TAG
	local tag=$1 apid t t0 tup grants
	nfs_watch "$LAB_DIR/grace-$tag.log"
	NFS_WATCHERS="$NFS_WATCHERS $(vip1_watch "$LAB_DIR/vip-$tag.log")"
	apid=$(nfs_client_bg "$LAB_DIR/A-$tag.log" hold --server "$VIP1" --id "clientA-$tag" --linux-id \
		--file "lock-$tag" --renew-ms 500)
	nfs_wait_event 30 "$LAB_DIR/A-$tag.log" HOLDING || { echo "client A could not lock"; exit 1; }
	bpids=
	for v in "$VIP1" "$VIP2" "$VIP3"; do
		bpids="$bpids $(nfs_client_bg "$LAB_DIR/B-$tag-$v.log" try --server "$v" --id "clientB-$tag" \
			--linux-id --file "lock-$tag" --every-ms 250 --for-ms 600000)"
	done
	sleep 1
	t=$(now_us)
	nfs_ganesha_kill 1
	nfs_wait_event 30 "$LAB_DIR/A-$tag.log" RECLAIMED "$t"
	echo "   failover: node 1's ganesha killed; VIP1 on node $(vip_holder "$VIP1"), client A reclaimed" \
		"there at $(ms_since "$t" "$(nfs_first "$LAB_DIR/A-$tag.log" RECLAIMED "$t")") ms"
	wait_for 60 nfs_no_grace_but 1
	echo "   the failover's grace is over; node 1's ganesha restarts:"
	t0=$(now_us)
	nfs_ganesha_start 1
	tup=$(now_us)
	[ "$tag" = plain ] && hold_lease "$tag" "$t0"
	wait_for 60 nfs_vips_home
	nfs_wait_event 30 "$LAB_DIR/A-$tag.log" RECLAIMED "$t0" || nfs_wait_event 1 "$LAB_DIR/A-$tag.log" LOST "$t0"
	wait_for 60 nfs_no_grace
	sleep 2		# B's tries once every grace is over
	nfs_client_stop $bpids
	nfs_unwatch
	timeline "$tag" "$t0" "$tup"
	grants=$(cat "$LAB_DIR"/B-"$tag"-*.log | awk -v t="$t0" '$1 >= t && $3 == "TRY" && /result=GRANTED/' | wc -l)
	if [ -n "$(nfs_first "$LAB_DIR/A-$tag.log" RECLAIMED "$t0")" ] && [ "$grants" = 0 ]; then
		echo "client A kept its lock; client B's $(cat "$LAB_DIR"/B-"$tag"-*.log |
			awk -v t="$t0" '$1 >= t && $3 == "TRY"' | wc -l) tries since the restart: none granted"
	else
		echo "client A lost its lock ($(awk '$3 == "LOST" {print $NF; exit}' "$LAB_DIR/A-$tag.log"));" \
			"client B was granted it $grants time(s) since the restart"
	fi
	nfs_client_stop "$apid"
}

echo "== bringing up 3 nodes: corosync, pacemaker, nfs-ganesha (one shared export), coordd;"
echo "   each VIP a group [ganesha_coord_gate, IPaddr2] preferring its own node"
nfs_stack_up || { echo "bring-up failed"; exit 1; }

echo
echo "== with the gate: client A holds a write lock through VIP1 on node 1"
run gate

echo
echo "== VIP1 made a plain IPaddr2 resource, as before the gate"
lab_exec 1 crm_resource --resource vip1-group --meta --set-parameter target-role \
	--parameter-value Stopped >/dev/null 2>&1
vip1_gone() { [ -z "$(vip_holder "$VIP1")" ] && ! lab_exec 1 crm_resource --resource vip1-group --locate 2>/dev/null |
	grep -q 'is running'; }
wait_for 60 vip1_gone
# The group's rules go, then the group; the primitive comes stopped (a
# constraint may only name a resource that exists), gets its rules, starts.
cib() { lab_exec 1 cibadmin "$@" >"$LAB_DIR/cibadmin.out" 2>&1 || { cat "$LAB_DIR/cibadmin.out"; return 1; }; }
cib --replace -o constraints -X "<constraints>$(for v in 2 3; do _nfs_vip_rules_xml $v; done)</constraints>" &&
cib --delete --xpath "//group[@id='vip1-group']" &&
cib -C -o resources -X "$(pcmk_vip_xml vip1 "$VIP1" | sed 's|</primitive>|<meta_attributes id="vip1-meta"><nvpair id="vip1-role" name="target-role" value="Stopped"/></meta_attributes></primitive>|')" &&
cib --replace -o constraints -X "<constraints>$(NFS_GATE=0 _nfs_vip_rules_xml 1
	for v in 2 3; do _nfs_vip_rules_xml $v; done)</constraints>" &&
lab_exec 1 crm_resource --resource vip1 --meta --set-parameter target-role --parameter-value Started \
	>/dev/null 2>&1 || { echo "could not make VIP1 a plain IPaddr2 resource"; exit 1; }
wait_for 60 nfs_vips_home && wait_for 60 nfs_no_grace || { echo "VIP1 not home"; exit 1; }

echo
echo "== without the gate: client A holds a write lock through VIP1 on node 1"
run plain
echo
echo "== tearing the lab down"
