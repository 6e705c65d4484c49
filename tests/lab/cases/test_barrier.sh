#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The confirmed barrier on a real 3-node corosync cluster (one bring-up for
# the group): coordd and a fake ganesha (fault injection) on every node.
# Every assertion is on recorded facts: the release log each node's release
# command writes, the grace records of each node's ganesha, and
# `coordctl --json`.  Origins: node 1 and 3 use policy release, node 2 hold.
set -u
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/coord_lab.sh"
lab_trap

echo "# bringing up 3 nodes"
if ! lab_up 3; then
	not_ok "lab bring-up"
	exit 1
fi
for n in 1 2 3; do
	policy=release; [ $n = 2 ] && policy=hold
	coord_config $n $policy 8000 5000
	fake_start $n >/dev/null
	coord_start $n >/dev/null
done
for n in 1 2 3; do
	check "node $n: coordd sees 3 members" wait_coord_members $n 3
done

# --- 1. a death on node 2: survivors in grace before the release, once ---
t0=$(now_us)
out=$(ctl 2 --json death --wait --timeout 20); rc=$?
id=$(echo "$out" | jq -r '.events[-1].id // .event.id // empty' 2>/dev/null)
[ -n "$id" ] || id=$(ctl 2 --json events | jq -r '.events[-1].id')
check "death on node 2: coordctl death --wait exits 0 (got $rc)" [ "$rc" = 0 ]
check "death on node 2: the release ran exactly once" [ "$(release_count 2)" = 1 ]
rel=$(last_release 2 | awk '{print $1}')
for n in 1 3; do
	g=$(grace_time $n 5:198.18.0.102 "$t0")
	if [ -n "$g" ] && [ -n "$rel" ] && [ "$g" -lt "$rel" ]; then
		ok "node $n entered grace for 198.18.0.102 ($(( (rel - g) / 1000 )) ms before the release)"
	else
		not_ok "node $n entered grace before the release" "grace at '${g:-never}', release at '${rel:-never}'"
	fi
done
check "the release says confirmed" sh -c "last_release() { :; }; tail -n1 '$LAB_DIR/2/release.log' | grep -q ' confirmed$'"
# The origin's death --wait returns when its own record ends; the others
# end theirs when its RELEASE (or CANCEL) is delivered to them, a moment
# later: wait for that delivery, not for a time.
wait_for 20 ended_on "$id" 1 2 3
sets=""
for n in 1 2 3; do
	sets="$sets|$(event_json $n "$id" | jq -c '[.state, ([.survivors[].node_id] | sort)]')"
done
check "every node records event $id as released with survivors [1,3]" \
	[ "$sets" = '|["released",[1,3]]|["released",[1,3]]|["released",[1,3]]' ]
[ "$sets" = '|["released",[1,3]]|["released",[1,3]]|["released",[1,3]]' ] || echo "# got: $sets"
ctl 2 up >/dev/null

# --- 2. a slow survivor: the release waits for it ---
fault 3 "delay 2500"
t0=$(now_us)
ctl 1 death --wait --timeout 20 >/dev/null; rc=$?
rel=$(last_release 1 | awk '{print $1}')
g=$(grace_time 3 5:198.18.0.101 "$t0")
check "slow survivor: death exits 0 (got $rc)" [ "$rc" = 0 ]
if [ -n "$g" ] && [ -n "$rel" ] && [ "$g" -lt "$rel" ] && [ $((g - t0)) -gt 2000000 ]; then
	ok "slow survivor: the release waited $(( (rel - t0) / 1000 )) ms, until node 3 answered"
else
	not_ok "slow survivor: the release waited for node 3" "t0 $t0, node 3 grace '${g:-never}', release '${rel:-never}'"
fi
check "slow survivor: released confirmed" sh -c "tail -n1 '$LAB_DIR/1/release.log' | grep -q ' confirmed$'"
fault 3 ok
ctl 1 up >/dev/null

# --- 3a. a hung survivor under policy release (origin node 1) ---
fault 3 hang
before=$(release_count 1)
ctl 1 death --wait --timeout 30 >/dev/null; rc=$?
check "hung survivor, policy release: death exits 0 (got $rc)" [ "$rc" = 0 ]
check "hung survivor, policy release: released once more" [ "$(release_count 1)" = $((before + 1)) ]
check "hung survivor, policy release: released unconfirmed" \
	sh -c "tail -n1 '$LAB_DIR/1/release.log' | grep -q ' unconfirmed$'"
# Node 3's answer comes after its grace call's 5 s timeout, the release at
# the 8 s deadline at the latest: recorded in time or late, it is recorded.
node3_answered() {
	r3=$(ctl 1 --json events | jq -r '.events[-1].survivors[] | select(.node_id == 3) | .result // empty')
	[ -n "$r3" ]
}
wait_for 20 node3_answered
check "hung survivor: node 3's answer is recorded as timeout (got $r3)" [ "$r3" = timeout ]
ctl 1 up >/dev/null

# --- 3b. a hung survivor under policy hold (origin node 2) ---
before=$(release_count 2)
ctl 2 death --wait --timeout 30 >/dev/null; rc=$?
id=$(ctl 2 --json events | jq -r '.events[-1].id')
st=$(event_json 2 "$id" | jq -r .state)
check "hung survivor, policy hold: death --wait reports failure (exit 1, got $rc)" [ "$rc" = 1 ]
check "hung survivor, policy hold: the event is held (got $st)" [ "$st" = held ]
check "hung survivor, policy hold: no release" [ "$(release_count 2)" = "$before" ]
ctl 2 cancel "$id" >/dev/null; rc=$?
wait_for 20 ended_on "$id" 1 2 3
states=$(for n in 1 2 3; do event_json $n "$id" | jq -r .state; done | tr '\n' ' ')
check "cancel of the held event (exit $rc): cancelled on every node ($states)" \
	[ "$states" = "cancelled cancelled cancelled " ]
fault 3 ok
ctl 2 up >/dev/null

# --- 4. a survivor's coordd killed mid-barrier, its node alive: not confirmed;
#        the event waits; restarted, it rejoins, the origin re-runs the death,
#        and the re-run is released confirmed once node 3 is in grace ---
fault 3 hang
before=$(release_count 2) prev=$id
t4=$(now_us)
ctl 2 --json death --wait --timeout 40 >"$LAB_DIR/death4.json" & dpid=$!
# Killed mid-barrier: once node 2 recorded the event and node 3's coordd
# is in its (hung) grace call for it, not after a time.
mid_barrier() {
	id=$(ctl 2 --json events | jq -r '[.events[] | select(.reason == "reported")][-1].id')
	[ "$id" != "$prev" ] &&
	awk -v t="$t4" '$1 > t && $3 == "5:198.18.0.102" && $4 == "hang" { f = 1 } END { exit !f }' \
		"$LAB_DIR/3/grace.rec"
}
wait_for 20 mid_barrier || echo "# no event of node 2 with node 3 in its grace call"
coord_stop 3 KILL
s3_settled() {
	s3=$(event_json 2 "$id" | jq -r '.survivors[] | select(.node_id == 3) | .state + " " + .leave_reason')
	[ -n "$s3" ] && [ "${s3%% *}" != waiting ]
}
wait_for 20 s3_settled
check "survivor killed: node 3 recorded as left by procdown (got $s3)" [ "$s3" = "left procdown" ]
check "survivor killed, its node alive: no release" [ "$(release_count 2)" = "$before" ]
node1_graced() { grep -q ' 5:198.18.0.103 true' "$LAB_DIR/1/grace.rec"; }
check "survivor killed: node 1 entered grace for node 3's VIP" wait_for 20 node1_graced
fault 3 ok
coord_start 3 >/dev/null
check "node 3's coordd restarted and rejoined" wait_coord_members 1 3
wait $dpid; rc=$?
new=$(ctl 2 --json events | jq -r '[.events[] | select(.reason == "reported")][-1].id')
check "restarted survivor: death --wait follows the re-run and exits 0 (got $rc)" [ "$rc" = 0 ]
check "restarted survivor: the first event is withdrawn on every node" \
	[ "$(for n in 1 2 3; do event_json $n "$id" | jq -r .state; done | tr '\n' ' ')" = \
	  "cancelled cancelled " ]
check "restarted survivor: the re-run $new was released once" \
	[ "$(release_count 2)" = $((before + 1)) ]
check "restarted survivor: the release says confirmed" \
	sh -c "tail -n1 '$LAB_DIR/2/release.log' | grep -q ' confirmed$'"
g3=$(grace_time 3 5:198.18.0.102 "$t4")
rel=$(last_release 2 | awk '{print $1}')
check "restarted survivor: node 3 entered grace (${g3:-never}) before the release (${rel:-never})" \
	sh -c "[ -n '$g3' ] && [ -n '$rel' ] && [ '${g3:-0}' -lt '${rel:-0}' ]"
ctl 2 up >/dev/null

# --- 5. a whole node's corosync stopped: survivors enter grace for its VIPs ---
n1=$(grep -c ' 5:198.18.0.103 true' "$LAB_DIR/1/grace.rec")
n2=$(grep -c ' 5:198.18.0.103 true' "$LAB_DIR/2/grace.rec")
lab_stop_corosync 3
i=0
while [ $i -lt 100 ]; do
	[ "$(grep -c ' 5:198.18.0.103 true' "$LAB_DIR/1/grace.rec")" -gt "$n1" ] &&
	[ "$(grep -c ' 5:198.18.0.103 true' "$LAB_DIR/2/grace.rec")" -gt "$n2" ] && break
	sleep 0.1; i=$((i + 1))
done
check "node 3 down: nodes 1 and 2 entered grace for 198.18.0.103" [ $i -lt 100 ]
lab_start_corosync 3
check "corosync back on node 3: its coordd reconnected without a restart" \
	wait_coord_members 3 3 40
check "node 3's coordd kept its process" kill -0 "$(coord_pid 3)"

echo "1..$T"
[ "$FAILED" = 0 ]
