#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A real NFSv4 client's lock through failover (one bring-up for the group):
# 3 nodes with corosync, pacemaker, a real nfs-ganesha 4.3 each exporting
# one shared directory, coordd and coord's monitor agent, an IPaddr2 VIP
# per node; clients (tests/lab/tools/nfs4_client) in their own namespace on the
# bridge.  Client A holds a byte-range lock through a VIP and must reclaim
# it where the VIP moves; client B tries to take the same lock all along.
#   1. coord, one death: A reclaims through VIP1 on node 2; B never granted.
#   3. cascade: node 2 dies too; A reclaims again on node 3.
#   5. 20 clients across VIP1 and VIP2, one failover: all reclaimed.
#   4. whole-node death (node 1 powered off): A reclaims on a survivor.
#   2. the old method (notify + 5 s sleep), no coord, node 2's ganesha
#      dies, node 3's notify held until B has been granted through VIP2 on
#      node 3: B takes A's lock, A's reclaim is refused: the old method's
#      failure (nothing waits for the notify), whatever the machine's speed.
set -u
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/coord_lab.sh"
. "$(dirname "$0")/../lib/seed_method.sh"
. "$(dirname "$0")/../lib/nfs_lab.sh"
nfs_lab_trap
VIP1=$(vip_of 1) VIP2=$(vip_of 2) VIP3=$(vip_of 3)
FILE=shared-lock

echo "# bringing up 3 nodes: corosync, pacemaker, nfs-ganesha (one shared export), coordd"
if ! nfs_stack_up; then
	not_ok "lab bring-up"
	echo "1..$T"; exit 1
fi
ok "3 nodes up, VIP N on node N, no ganesha in grace"
GW=$LAB_DIR/grace-watch.log

stop_pids() { nfs_client_stop "$@"; }
# B's grants in LOG after T0: "moved" VIP: every grant is a loss; a
# survivor's own VIP (grace start G of that survivor): a grant after G is a
# loss, one before G is in the death-to-grace window (see docs/deploy.md).
grants_after() { awk -v t="$2" '$1 >= t && $3 == "TRY" && /result=GRANTED/' "$1" | wc -l; }
grants_between() { awk -v a="$2" -v b="$3" '$1 >= a && $1 < b && $3 == "TRY" && /result=GRANTED/' "$1" | wc -l; }
check_b_survivor() {	# LOG VIP NODE T0: B through a survivor's own VIP
	local log=$1 vip=$2 n=$3 t0=$4 g w
	g=$(nfs_grace_since "$GW" "$n" "$t0")
	if [ -z "$g" ]; then not_ok "node $n entered grace"; return; fi
	check "B through $vip (node $n) never granted once node $n was in grace ($(ms_since "$t0" "$g") ms)" \
		[ "$(grants_after "$log" "$g")" = 0 ]
	w=$(grants_between "$log" "$t0" "$g")
	[ "$w" = 0 ] || echo "# GAP: B was granted A's lock $w times through $vip before node $n entered grace" \
		"(first at $(ms_since "$t0" "$(nfs_first "$log" TRY "$t0" result=GRANTED)") ms): the dead server's" \
		"locks were gone from the shared filesystem and node $n was not yet in grace (docs/deploy.md)"
	GAP_GRANTS=$(( ${GAP_GRANTS:-0} + w ))
}
last_try() { awk '$3 == "TRY" {r = $NF} END {print r}' "$1"; }
b_answered() {	# TAG T COUNT VIP...: COUNT answers since T through each
	local tag=$1 t=$2 c=$3 v; shift 3
	for v in "$@"; do tries_since "$LAB_DIR/B-$tag-$v.log" "$t" "$c" || return 1; done
}
watched() { [ "$(awk '{print $2}' "$GW" 2>/dev/null | sort -u | wc -l)" -ge 3 ]; }	# every node's first grace sample
granted_in() { grep -h 'TRY .*result=GRANTED' "$@" 2>/dev/null; }

# B tries FILE through each of the given VIPs every 250 ms; prints the pids.
start_b() {	# TAG VIP...
	local tag=$1 v; shift
	for v in "$@"; do
		nfs_client_bg "$LAB_DIR/B-$tag-$v.log" try --server "$v" --id "clientB-$tag-$v" \
			--file "$FILE" --every-ms 250 --for-ms 600000
	done
}

# --- 1. coord, one death ---
echo "# 1. coord: client A holds a lock through VIP1 on node 1; node 1's ganesha is killed"
A=$LAB_DIR/A.log
apid=$(nfs_client_bg "$A" hold --server "$VIP1" --id clientA --file "$FILE" --renew-ms 500)
check "client A holds a write lock through VIP1 on node 1" nfs_wait_event 30 "$A" HOLDING
bpids=$(start_b s1 "$VIP1" "$VIP2" "$VIP3")
nfs_watch "$GW"
# Before the death, B has answered through every VIP and the grace watch
# has its first samples: waited for, not slept.
wait_for 60 b_answered s1 0 1 "$VIP1" "$VIP2" "$VIP3" && wait_for 30 watched ||
	echo "# B or the grace watch did not start within 60 s"
check "before the failover, B is denied through every VIP" \
	[ "$(grep -l 'result=DENIED' "$LAB_DIR"/B-s1-*.log | wc -l)" = 3 ]
t0=$(now_us)
nfs_ganesha_kill 1
if wait_for 60 vip_moved "$VIP1" 1; then
	t_vip=$(now_us); S=$(vip_holder "$VIP1")
	ok "VIP1 moved to node $S, $(ms_since "$t0" "$t_vip") ms after the death"
else
	not_ok "VIP1 moved"; S=
fi
if nfs_wait_event 60 "$A" RECLAIMED "$t0" || nfs_wait_event 1 "$A" LOST "$t0"; then :; fi
t_a=$(nfs_first "$A" RECLAIMED "$t0")
if [ -n "$t_a" ]; then
	S1_RECLAIM_MS=$(ms_since "$t0" "$t_a")
	ok "client A reclaimed its lock through VIP1 on node $S at $S1_RECLAIM_MS ms after the death"
else
	not_ok "client A reclaimed its lock through VIP1" "$(grep -E 'LOST|RECLAIM' "$A" | tail -3)"
fi
for n in 1 2 3; do
	[ "$n" = 1 ] && continue
	check "at the release, node $n's ganesha answered get_grace true" \
		grep -q "node$n get_grace=true" "$LAB_DIR/1/release-probe.log"
	g=$(nfs_grace_since "$GW" $n "$t0")
	echo "# node $n in grace at $(ms_since "$t0" "${g:-$t0}") ms (get_grace poll)"
done
# B keeps trying until both survivors are out of grace and it met A's lock:
# two more answers through every VIP, the second asked once grace was over.
wait_for 40 nfs_no_grace_but 1
t_ng=$(now_us)
wait_for 30 b_answered s1 "$t_ng" 2 "$VIP1" "$VIP2" "$VIP3" ||
	echo "# B did not answer twice through every VIP after grace"
stop_pids $bpids
check "B through VIP1 (moved to node $S) was never granted A's lock" \
	[ "$(grants_after "$LAB_DIR/B-s1-$VIP1.log" "$t0")" = 0 ]
check_b_survivor "$LAB_DIR/B-s1-$VIP2.log" "$VIP2" 2 "$t0"
check_b_survivor "$LAB_DIR/B-s1-$VIP3.log" "$VIP3" 3 "$t0"
for v in "$VIP1" "$VIP2" "$VIP3"; do
	check "after grace, B through $v is denied (A's reclaimed lock holds)" \
		[ "$(last_try "$LAB_DIR/B-s1-$v.log")" = result=DENIED ]
done
echo "# B's answers during the failover: $(cat "$LAB_DIR"/B-s1-*.log | awk -v t="$t0" '$1 >= t && $3 == "TRY" {print $NF}' | sort | uniq -c | tr '\n' ' ')"

# --- 3. cascade: node 2 (now holding VIP1 and A's lock) dies too ---
echo "# 3. cascade: node 2's ganesha is killed; VIP1 and VIP2 go to node 3"
if compgen -G "$(nfs_shared)/recovery/node2/v4recov/node0/*clientA*" >/dev/null; then
	ok "node 2 wrote client A's record in its own recovery directory when A reclaimed"
else
	not_ok "node 2 has client A's record" "$(ls "$(nfs_shared)/recovery/node2/v4recov/node0/")"
fi
bpids=$(start_b s3 "$VIP1" "$VIP3")
t0=$(now_us)
nfs_ganesha_kill 2
both_on_3() { [ "$(vip_holder "$VIP1")" = 3 ] && [ "$(vip_holder "$VIP2")" = 3 ]; }
check "VIP1 and VIP2 moved to node 3" wait_for 60 both_on_3
nfs_wait_event 60 "$A" RECLAIMED "$t0" || nfs_wait_event 1 "$A" LOST "$t0"
t_a=$(nfs_first "$A" RECLAIMED "$t0")
if [ -n "$t_a" ]; then
	S3_RECLAIM_MS=$(ms_since "$t0" "$t_a")
	ok "cascade: client A reclaimed its lock through VIP1 on node 3 at $S3_RECLAIM_MS ms after node 2's death"
else
	not_ok "cascade: client A reclaimed its lock on node 3" "$(grep -E 'LOST|RECLAIM' "$A" | tail -3)"
fi
grep -q "recovery event 5 .*ip $VIP2" "$LAB_DIR/3/ganesha.log" &&
	echo "# node 3's ganesha: takeover of $VIP2 (node 2's records, A's among them)"
wait_for 40 nfs_no_grace_but 1 2
sleep 1.5
stop_pids $bpids
check "cascade: B through VIP1 (moved to node 3) was never granted A's lock" \
	[ "$(grants_after "$LAB_DIR/B-s3-$VIP1.log" "$t0")" = 0 ]
check_b_survivor "$LAB_DIR/B-s3-$VIP3.log" "$VIP3" 3 "$t0"
nfs_unwatch
stop_pids "$apid"

# Dead ganeshas back, every VIP home, no server in grace.
reset_stack() {	# DEAD...
	local n
	for n in "$@"; do nfs_ganesha_start "$n" || return 1; done
	if ! wait_for 90 nfs_vips_home; then
		echo "# VIPs not home: ganesha-active on nodes $(active_nodes); VIP1 on $(vip_holder "$VIP1")"
		for n in "$@"; do
			echo "# node $n: get_grace $(get_grace "$n"), coordd: $(lab_exec "$n" "$COORDCTL" status 2>&1 | head -3 | tr '\n' ' ')"
		done
		return 1
	fi
	wait_for 60 nfs_no_grace
}
check "node 1's and node 2's ganesha back, every VIP home" reset_stack 1 2

# --- 5. 20 clients across VIP1 and VIP2, one failover ---
echo "# 5. 20 clients (odd through VIP1, even through VIP2), 2 locks each; node 1's ganesha is killed"
M=20 mpids='' tpids=
for i in $(seq 1 $M); do
	v=$VIP2; [ $((i % 2)) = 1 ] && v=$VIP1
	mpids="$mpids $(nfs_client_bg "$LAB_DIR/m$i.log" hold --server "$v" --id "client-m$i" \
		--file "m$i-a" --file "m$i-b" --renew-ms 500)"
done
all_holding() { local i; for i in $(seq 1 $M); do grep -q ' HOLDING ' "$LAB_DIR/m$i.log" || return 1; done; }
check "$M clients hold 2 locks each" wait_for 60 all_holding
for i in $(seq 1 $M); do
	v=$VIP2; [ $((i % 2)) = 1 ] && v=$VIP1
	tpids="$tpids $(nfs_client_bg "$LAB_DIR/t$i.log" try --server "$v" --id "thief-m$i" \
		--file "m$i-a" --every-ms 400 --for-ms 600000)"
done
nfs_watch "$GW"
sleep 1
t0=$(now_us)
nfs_ganesha_kill 1
check "VIP1 moved" wait_for 60 vip_moved "$VIP1" 1
S=$(vip_holder "$VIP1")
vip1_reclaimed() {
	local i
	for i in $(seq 1 2 $M); do [ -n "$(nfs_first "$LAB_DIR/m$i.log" RECLAIMED "$t0")" ] || return 1; done
}
wait_for 60 vip1_reclaimed
echo "# reclaim latency from node 1's death (VIP1 to node $S):"
echo "#   client        VIP            reclaimed at"
lost=0 reclaimed=0 lat=
for i in $(seq 1 2 $M); do
	t=$(nfs_first "$LAB_DIR/m$i.log" RECLAIMED "$t0")
	if [ -n "$t" ]; then
		reclaimed=$((reclaimed + 1)); lat="$lat $(ms_since "$t0" "$t")"
		printf '#   client-m%-4s %s  %6d ms\n' "$i" "$VIP1" "$(ms_since "$t0" "$t")"
	else
		lost=$((lost + 1))
		printf '#   client-m%-4s %s  NOT reclaimed: %s\n' "$i" "$VIP1" "$(tail -1 "$LAB_DIR/m$i.log")"
	fi
done
check "every VIP1 client reclaimed both its locks ($reclaimed of $((M / 2)))" [ "$lost" = 0 ]
[ -n "$lat" ] && echo "# reclaim ms: $(echo $lat | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {printf "min %d, median %d, max %d", a[1], a[int((NR+1)/2)], a[NR]}')"
S5_LAT=$lat
kept=0
for i in $(seq 2 2 $M); do
	[ -z "$(nfs_first "$LAB_DIR/m$i.log" RECOVER "$t0")" ] && kill -0 "$(echo $mpids | cut -d' ' -f$i)" 2>/dev/null &&
		kept=$((kept + 1))
done
check "every VIP2 client kept its locks without recovery ($kept of $((M / 2)))" [ "$kept" = $((M / 2)) ]
wait_for 40 nfs_no_grace_but 1
sleep 1
stop_pids $tpids
sleep 0.5
conflicts=$(cat "$LAB_DIR"/t*.log | awk -v t="$t0" '$1 >= t && $3 == "TRY" && /result=GRANTED/' | wc -l)
check "0 conflicting grants to $M thieves during the failover" [ "$conflicts" = 0 ]
echo "# thieves' answers: $(cat "$LAB_DIR"/t*.log | awk -v t="$t0" '$1 >= t && $3 == "TRY" {print $NF}' | sort | uniq -c | tr '\n' ' ')"
stop_pids $mpids
nfs_unwatch
check "node 1's ganesha back, every VIP home" reset_stack 1

# --- 4. whole-node death: node 1 powered off ---
echo "# 4. node 1 powered off (its link down, every process in it killed)"
A4=$LAB_DIR/A4.log
apid=$(nfs_client_bg "$A4" hold --server "$VIP1" --id clientA4 --file "$FILE" --renew-ms 500)
check "client A holds the lock through VIP1 on node 1" nfs_wait_event 30 "$A4" HOLDING
bpids=$(start_b s4 "$VIP1" "$VIP2" "$VIP3")
nfs_watch "$GW"
sleep 1
t0=$(now_us)
nfs_power_off 1
t_vip=
wait_for 60 vip_moved "$VIP1" 1 && t_vip=$(now_us) &&
	echo "# VIP1 on node $(vip_holder "$VIP1") at $(ms_since "$t0" "$t_vip") ms"
S=$(vip_holder "$VIP1")
reclaimed=0 window=0
nfs_wait_event 60 "$A4" RECLAIMED "$t0" && reclaimed=1
for n in 2 3; do
	g=$(nfs_grace_since "$GW" $n "$t0")
	echo "# node $n in grace at $(ms_since "$t0" "${g:-$t0}") ms"
done
# No release gates a dead node's VIPs: pacemaker moves them on the
# membership change, coordd calls grace on the same change.  When the VIP
# wins that race (ganesha's grace call can take seconds), A's reclaim is
# refused: the window docs/design.md names ("What coord does not protect
# against").  Then the reclaim is not judged, and the run says so.
g=$(nfs_grace_since "$GW" "$S" "$t0")
if [ -n "$g" ] && [ -n "${t_vip:-}" ] && [ "$g" -lt "$t_vip" ]; then
	ok "node $S was in grace ($(ms_since "$t0" "$g") ms) before VIP1 arrived ($(ms_since "$t0" "$t_vip") ms)"
	if [ $reclaimed = 1 ]; then
		S4_RECLAIM_MS=$(ms_since "$t0" "$(nfs_first "$A4" RECLAIMED "$t0")")
		ok "client A reclaimed its lock through VIP1 on node $S at $S4_RECLAIM_MS ms after node 1 went down"
	else
		not_ok "client A reclaimed its lock after node 1 went down" "VIP1 on node $S" \
			"$(grep -E 'LOST|RECLAIM' "$A4" | tail -3)"
	fi
elif [ -n "$g" ] && [ -n "${t_vip:-}" ]; then
	window=1
	ok "node $S in grace before VIP1 arrived # SKIP the whole-node window: VIP1 at $(ms_since "$t0" "$t_vip") ms, grace at $(ms_since "$t0" "$g") ms (docs/design.md)"
	ok "client A reclaimed its lock after node 1 went down # SKIP the whole-node window (reclaimed: $reclaimed)"
else
	not_ok "node $S in grace, and VIP1 moved" "grace ${g:-never}, VIP ${t_vip:-never}"
fi
grep -q "recovery event 5 .*ip $VIP1" "$LAB_DIR/2/ganesha.log" &&
	echo "# node 2's ganesha log: takeover of $VIP1"
wait_for 40 nfs_no_grace_but 1
sleep 1.5
stop_pids $bpids
if [ $window = 0 ]; then
	check "B through VIP1 (moved to node $S) was never granted A's lock" \
		[ "$(grants_after "$LAB_DIR/B-s4-$VIP1.log" "$t0")" = 0 ]
else
	ok "B through VIP1 never granted A's lock # SKIP the whole-node window ($(grants_after "$LAB_DIR/B-s4-$VIP1.log" "$t0") grant(s))"
fi
# In the window A's reclaim may be refused: its lock is then free once the
# survivors' grace is over, and B's grants through their VIPs follow from
# that, not from a survivor out of grace.
if [ $window = 0 ] || [ $reclaimed = 1 ]; then
	check_b_survivor "$LAB_DIR/B-s4-$VIP2.log" "$VIP2" 2 "$t0"
	check_b_survivor "$LAB_DIR/B-s4-$VIP3.log" "$VIP3" 3 "$t0"
else
	for n in 2 3; do
		ok "B through $(vip_of $n) (node $n) never granted once node $n was in grace # SKIP the whole-node window, A's lock lost ($(grants_after "$LAB_DIR/B-s4-$(vip_of $n).log" "$t0") grant(s))"
	done
fi
stop_pids "$apid"
nfs_unwatch

# --- 2. the old method, node 3 late into grace ---
# Node 1 is off; node 2's ganesha dies under the old method: its VIPs go
# to node 3, whose grace notify is held until client B has been granted
# through VIP2 there.  Nothing in the old method waits for that notify, so
# this order is one it allows; how far the VIP gets in 5 s on a loaded
# machine is not what the case shows.  No coord at all: its monitor clone
# stopped (the attributes stay), every coordd stopped.
echo "# 2. the old method (notify + ${SEED_GRACE_DELAY} s sleep), no coord; node 3's notify held until B is granted"
lab_exec 2 crm_resource --resource mon-clone --meta --set-parameter target-role \
	--parameter-value Stopped >/dev/null 2>&1
for n in 2 3; do coord_stop $n; done
sleep 2
check "VIP2 still on node 2 with coord stopped" [ "$(vip_holder "$VIP2")" = 2 ]
A2=$LAB_DIR/A2.log B2=$LAB_DIR/B2.log
apid=$(nfs_client_bg "$A2" hold --server "$VIP2" --id clientA2 --file old-lock --renew-ms 500)
check "client A holds the lock through VIP2 on node 2" nfs_wait_event 30 "$A2" HOLDING
bpid=$(nfs_client_bg "$B2" try --server "$VIP2" --id clientB2 --file old-lock --every-ms 50 \
	--timeout-ms 200 --for-ms 600000 --keep)
nfs_watch "$GW"
sleep 1
t0=$(now_us)
b2_granted() { [ -n "$(nfs_first "$B2" TRY "$t0" result=GRANTED)" ]; }
old_method_failover 2 3 b2_granted
if wait_for 30 vip_moved "$VIP2" 2; then
	echo "# VIP2 seen on node $(vip_holder "$VIP2") by $(ms_since "$t0" "$(now_us)") ms"
fi
nfs_wait_event 60 "$B2" TRY "$t0" result=GRANTED
nfs_wait_event 30 "$A2" LOST "$t0"
node3_grace() { [ -n "$(nfs_grace_since "$GW" 3 "$t0")" ]; }
wait_for 30 node3_grace
t_b=$(nfs_first "$B2" TRY "$t0" result=GRANTED)
t_l=$(nfs_first "$A2" LOST "$t0")
g=$(nfs_grace_since "$GW" 3 "$t0")
echo "# node 3 in grace at $( [ -n "$g" ] && ms_since "$t0" "$g" || echo never) ms (its notify held until B's grant)"
if [ -n "$t_b" ]; then
	ok "old method: client B took client A's lock through VIP2 on node $(vip_holder "$VIP2") at $(ms_since "$t0" "$t_b") ms, node 3 not yet in grace"
else
	not_ok "old method: B took A's lock through VIP2 while node 3 was not in grace" \
		"B granted never; B's answers: $(awk -v t="$t0" '$1 >= t && $3 == "TRY" {print $NF}' "$B2" | sort | uniq -c | tr '\n' ' ')"
fi
check "old method: node 3 entered grace once its notify ran" [ -n "$g" ]
if [ -n "$t_l" ]; then
	ok "old method: client A's reclaim refused at $(ms_since "$t0" "$t_l") ms ($(awk '$3 == "LOST" {print $NF; exit}' "$A2")): the lock is lost"
else
	not_ok "old method: A's reclaim refused" "$(tail -2 "$A2")"
fi
stop_pids "$apid" "$bpid"
nfs_unwatch

echo "# reclaim from the death: one death ${S1_RECLAIM_MS:-?} ms, cascade ${S3_RECLAIM_MS:-?} ms, node off ${S4_RECLAIM_MS:-?} ms, 10 clients:${S5_LAT:- ?} ms"
echo "# B granted before a survivor entered grace (death-to-grace window): ${GAP_GRANTS:-0} times"
echo "1..$T"
[ "$FAILED" = 0 ]
