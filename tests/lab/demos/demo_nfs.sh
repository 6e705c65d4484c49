#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make demo-nfs: the real stack (3 nodes, corosync, pacemaker, IPaddr2, a
# real nfs-ganesha 4.3 per node over one shared export, coordd) and real
# NFSv4 clients (tests/lab/tools/nfs4_client).  Client A holds a write lock
# through VIP1 on node 1; client B wants the same lock.  Node 1's ganesha
# dies twice: once with coord, once with the old method (notify + fixed
# 5 s sleep) while node 2's notify is held until client B has been granted
# the lock there (nothing in the old method waits for it, so the loss is the
# design's, not the machine's speed).  One timeline each.
set -u
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/coord_lab.sh"
. "$(dirname "$0")/../lib/seed_method.sh"
. "$(dirname "$0")/../lib/nfs_lab.sh"
nfs_lab_trap
VIP1=$(vip_of 1)
FILE=demo-lock

# Background watch of VIP1's holder: one line per change, "<us> vip node=N".
vip_watch() {	# OUT
	(
		last=
		while :; do
			h=$(vip_holder "$VIP1"); h=${h:-none}
			[ "$h" != "$last" ] && echo "$(now_us) vip node=$h" >>"$1"
			last=$h
			sleep 0.05
		done
	) >/dev/null 2>&1 &
	echo $!
}

# Prints the timeline since T0 from the watches and the clients' logs.
timeline() {	# T0 TAG
	local t0=$1 tag=$2 t n
	{
		echo "$t0 node 1: ganesha.nfsd killed"
		for n in 2 3; do
			t=$(nfs_grace_since "$LAB_DIR/grace-$tag.log" $n "$t0")
			echo "${t:-9999999999999999} node $n: ganesha in grace (get_grace true)"
		done
		awk -v t="$t0" '$1 >= t && $2 == "vip" && $3 != "node=1" && $3 != "node=none" {
			sub("node=", "", $3); print $1, "VIP1 up on node " $3; exit }' "$LAB_DIR/vip-$tag.log"
		t=$(nfs_first "$LAB_DIR/A-$tag.log" RECLAIMED "$t0")
		[ -n "$t" ] && echo "$t client A reclaimed its lock on node $(vip_holder "$VIP1")"
		t=$(nfs_first "$LAB_DIR/A-$tag.log" LOST "$t0")
		[ -n "$t" ] && echo "$t client A's reclaim refused: $(awk '$3 == "LOST" {print $NF; exit}' "$LAB_DIR/A-$tag.log")"
		t=$(nfs_first "$LAB_DIR/B-$tag.log" TRY "$t0" result=GRANTED)
		[ -n "$t" ] && echo "$t client B took client A's lock"
	} | sort -n | while read -r t rest; do
		if [ "$t" = 9999999999999999 ]; then
			printf '  %9s  %s\n' never "$rest"
		else
			printf '  %6d ms  %s\n' "$(ms_since "$t0" "$t")" "$rest"
		fi
	done
}

run() {	# TAG: A holds, B tries through VIP1 every 100 ms; prints T0 after the death
	local tag=$1
	nfs_watch "$LAB_DIR/grace-$tag.log"
	NFS_WATCHERS="$NFS_WATCHERS $(vip_watch "$LAB_DIR/vip-$tag.log")"
	apid=$(nfs_client_bg "$LAB_DIR/A-$tag.log" hold --server "$VIP1" --id "clientA-$tag" \
		--file "$FILE" --renew-ms 500)
	nfs_wait_event 30 "$LAB_DIR/A-$tag.log" HOLDING || { echo "client A could not lock"; exit 1; }
	bpid=$(nfs_client_bg "$LAB_DIR/B-$tag.log" try --server "$VIP1" --id "clientB-$tag" \
		--file "$FILE" --every-ms 100 --timeout-ms 300 --for-ms 600000 --keep)
	sleep 1
}

echo "== bringing up 3 nodes: corosync, pacemaker, IPaddr2 VIPs, nfs-ganesha (one shared export), coordd"
nfs_stack_up || { echo "bring-up failed"; exit 1; }
echo "   VIP N on node N; clients in their own namespace (198.18.0.200)"

echo
echo "== coord: client A holds a write lock through VIP1 on node 1; node 1's ganesha is killed"
run coord
t0=$(now_us)
nfs_ganesha_kill 1
nfs_wait_event 30 "$LAB_DIR/A-coord.log" RECLAIMED "$t0" || nfs_wait_event 1 "$LAB_DIR/A-coord.log" LOST "$t0"
sleep 1
timeline "$t0" coord
t=$(nfs_first "$LAB_DIR/A-coord.log" RECLAIMED "$t0")
[ -n "$t" ] && echo "client A reclaimed its lock on node $(vip_holder "$VIP1") at $(ms_since "$t0" "$t") ms;" \
	"client B: $(awk -v t="$t0" '$1 >= t && $3 == "TRY" {print $NF}' "$LAB_DIR/B-coord.log" | sort | uniq -c | tr '\n' ' ')"
nfs_client_stop "$apid" "$bpid"; nfs_unwatch

echo
echo "== resetting: node 1's ganesha back, VIP1 home, grace over"
nfs_ganesha_start 1 && wait_for 90 nfs_vips_home && wait_for 60 nfs_no_grace ||
	{ echo "reset failed"; exit 1; }
# No coord: its monitor clone stopped (the attributes stay), coordd stopped.
lab_exec 1 crm_resource --resource mon-clone --meta --set-parameter target-role \
	--parameter-value Stopped >/dev/null 2>&1
for n in 1 2 3; do coord_stop $n; done
sleep 2

echo
echo "== old method (notify + ${SEED_GRACE_DELAY} s sleep, no coordd); node 2's notify held until B is granted"
run old
t0=$(now_us)
b_granted() { [ -n "$(nfs_first "$LAB_DIR/B-old.log" TRY "$t0" result=GRANTED)" ]; }
old_method_failover 1 2 b_granted
nfs_wait_event 30 "$LAB_DIR/A-old.log" LOST "$t0" || nfs_wait_event 1 "$LAB_DIR/A-old.log" RECLAIMED "$t0"
node2_grace() { [ -n "$(nfs_grace_since "$LAB_DIR/grace-old.log" 2 "$t0")" ]; }
wait_for 70 node2_grace	# the late notify, to show when it landed
sleep 1
timeline "$t0" old
tb=$(nfs_first "$LAB_DIR/B-old.log" TRY "$t0" result=GRANTED)
tl=$(nfs_first "$LAB_DIR/A-old.log" LOST "$t0")
if [ -n "$tb" ] && [ -n "$tl" ]; then
	echo "client B took client A's lock at $(ms_since "$t0" "$tb") ms; A's reclaim refused ($(ms_since "$t0" "$tl") ms)"
else
	echo "this time the old method did not lose the lock (B granted: ${tb:+yes}, A refused: ${tl:+yes})"
fi
nfs_client_stop "$apid" "$bpid"; nfs_unwatch
echo
echo "== tearing the lab down"
