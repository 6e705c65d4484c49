#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Faults on a real 3-node lab (one bring-up for the group): the D-Bus daemon
# gone on a survivor, a survivor's coordd stopped past the deadline (both
# policies), the release command failing and hanging, the origin's coordd
# killed mid-event, and partitions with the origin on either side.  Node 2's
# coordd runs under Valgrind for the whole group; its report is checked at
# the end.  Policies: node 1 and 3 `release`, node 2 `hold`; deadline 3 s.
# Every assertion is on recorded facts: release logs, grace records,
# `coordctl --json`, the Valgrind log.
set -u
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/coord_lab.sh"
lab_trap

DEADLINE=3000 GRACE_TIMEOUT=2000
VALGRIND=${VALGRIND:-1}
command -v valgrind >/dev/null || VALGRIND=0

echo "# bringing up 3 nodes"
if ! lab_up 3; then
	not_ok "lab bring-up"
	exit 1
fi

# node_config N [KEY=VALUE...]: the lab config, with some keys replaced
node_config() {
	n=$1; shift
	policy=release; [ "$n" = 2 ] && policy=hold
	coord_config "$n" "$policy" "$DEADLINE" "$GRACE_TIMEOUT"
	for kv in "$@"; do
		key=${kv%%=*}
		grep -v "^$key = " "$LAB_DIR/$n/coordd.conf" >"$LAB_DIR/$n/coordd.conf.new"
		echo "$key = ${kv#*=}" >>"$LAB_DIR/$n/coordd.conf.new"
		mv "$LAB_DIR/$n/coordd.conf.new" "$LAB_DIR/$n/coordd.conf"
	done
}

start_node2_valgrind() {
	rm -f "$LAB_DIR/2/coordd.pid"
	lab_bg 2 "$LAB_DIR/2/coordd.out" valgrind --leak-check=full \
		--errors-for-leak-kinds=definite --show-leak-kinds=definite \
		--track-fds=no --log-file="$LAB_DIR/2/valgrind.log" \
		"$COORDD" -f -c "$LAB_DIR/2/coordd.conf" -p "$LAB_DIR/2/coordd.pid" >/dev/null
}

for n in 1 2 3; do
	node_config $n
	fake_start $n >/dev/null
	if [ $n = 2 ] && [ "$VALGRIND" = 1 ]; then
		start_node2_valgrind
	else
		coord_start $n >/dev/null
	fi
done
for n in 1 2 3; do
	check "node $n: coordd sees 3 members" wait_coord_members $n 3 60
done

ev() { event_json "$1" "$2" | jq -r "$3"; }	# N ID JQ-EXPR
# A death without --wait: its id from coordd's answer (the record itself
# exists only once the DEATH comes back through CPG).
death_id() { ctl "$1" --json death | jq -r '.event.id // empty'; }
state_is() { [ "$(ev "$1" "$2" .state)" = "$3" ]; }
grace_true_after() {	# N ARG T0: a true answer for ARG recorded after T0
	awk -v a="$2" -v t="$3" '$3 == a && $4 == "true" && $1 > t { f = 1 } END { exit !f }' \
		"$LAB_DIR/$1/grace.rec"
}
in_hung_call() {	# N ARG T0: node N's coordd called grace(ARG) after T0, which hangs
	awk -v a="$2" -v t="$3" '$3 == a && $4 == "hang" && $1 > t { f = 1 } END { exit !f }' \
		"$LAB_DIR/$1/grace.rec"
}
fake_answers() { get_grace "$1" >/dev/null; }	# N: its fake ganesha is on the bus

# --- 0. what coordd leaves on disk, and its umask ---
sock=$(stat -c '%a %U:%G %F' "$LAB_DIR/1/coordd.sock")
check "hardening: the control socket is 0660 root:root (socket_group root) (got $sock)" \
	[ "$sock" = "660 root:root socket" ]
ww=$(find "$LAB_DIR/1/coordd.sock" "$LAB_DIR/1/coordd.pid" "$LAB_DIR/1/coordd.log" -perm /o+w 2>/dev/null)
check "hardening: no file coordd wrote is world-writable (${ww:-none})" [ -z "$ww" ]
um=$(awk '/^Umask:/ { print $2 }' "/proc/$(coord_pid 1)/status")
check "hardening: coordd runs with umask 0077 (got $um)" [ "$um" = 0077 ]

# --- 1. the D-Bus daemon gone on survivor 3 ---
lab_stop_dbus 3
ctl 1 --json death --wait --timeout 20 >/dev/null; rc=$?
id=$(last_reported 1)
check "no bus on node 3: death --wait exits 0 under policy release (got $rc)" [ "$rc" = 0 ]
r3=$(ev 1 "$id" '.survivors[] | select(.node_id == 3) | .result')
check "no bus on node 3: it answered no-bus (got $r3)" [ "$r3" = no-bus ]
out=$(ev 1 "$id" '[.state, .release_outcome, .overdue] | @tsv')
check "no bus on node 3: released unconfirmed before the deadline (got $out)" \
	[ "$out" = "$(printf 'released\tunconfirmed\tfalse')" ]
check "no bus on node 3: the release ran once" [ "$(releases_of 1 "$id")" = 1 ]
ctl 1 up >/dev/null
pid3=$(coord_pid 3)
lab_start_dbus 3
fake_start 3 >/dev/null
# Node 3's coordd reconnects at its next call: the fake must own its bus
# name by then (it starts in the background).
wait_for 20 fake_answers 3
ctl 1 --json death --wait --timeout 20 >/dev/null; rc=$?
id=$(last_reported 1)
r3=$(ev 1 "$id" '.survivors[] | select(.node_id == 3) | .result')
check "bus back on node 3: the next death is confirmed with node 3 in grace (exit $rc, $r3)" \
	[ "$rc/$r3/$(ev 1 "$id" .release_outcome)" = "0/in-grace/confirmed" ]
check "bus back on node 3: same coordd process, no restart" [ "$(coord_pid 3)" = "$pid3" ]
ctl 1 up >/dev/null

# --- 2. survivor 3's coordd stopped past the deadline, policy release ---
kill -STOP "$(coord_pid 3)"
ctl 1 --json death --wait --timeout 20 >/dev/null; rc=$?
id=$(last_reported 1)
rel=$(awk -v id="$id" '$2 == id { print $1 }' "$LAB_DIR/1/release.log")
out=$(ev 1 "$id" '[.state, .release_outcome, .overdue, (.waiting_for | tostring)] | @tsv')
check "stopped survivor, policy release: released unconfirmed at the deadline, waiting for 3 (exit $rc, $out)" \
	[ "$rc/$out" = "0/$(printf 'released\tunconfirmed\ttrue\t[3]')" ]
kill -CONT "$(coord_pid 3)"
late() { [ "$(ev 1 "$id" '.survivors[] | select(.node_id == 3) | [.result, .late] | @tsv')" = "$(printf 'in-grace\ttrue')" ]; }
check "stopped survivor resumed: its answer is recorded on node 1 as late" wait_for 10 late
check "stopped survivor resumed: node 3 entered grace only after the release" \
	grace_true_after 3 5:198.18.0.101 "${rel:-0}"
check "stopped survivor resumed: still exactly one release" [ "$(releases_of 1 "$id")" = 1 ]
late2() { [ "$(ev 2 "$id" '.survivors[] | select(.node_id == 3) | .late')" = true ]; }
check "stopped survivor resumed: node 2 records it late too" wait_for 10 late2
ctl 1 up >/dev/null

# --- 3. survivor 3's coordd stopped past the deadline, policy hold ---
kill -STOP "$(coord_pid 3)"
id=$(death_id 2)
check "stopped survivor, policy hold: held at the deadline" wait_for 15 state_is 2 "$id" held
check "stopped survivor, policy hold: no release" [ "$(releases_of 2 "$id")" = 0 ]
kill -CONT "$(coord_pid 3)"
check "stopped survivor resumed: the late confirmation releases" wait_for 15 state_is 2 "$id" released
check "policy hold: released confirmed, once" \
	[ "$(ev 2 "$id" .release_outcome)/$(releases_of 2 "$id")" = confirmed/1 ]
ctl 2 up >/dev/null

# --- 4. the release command fails twice, then succeeds ---
coord_stop 1
node_config 1 "release_command=n=\$(cat $LAB_DIR/1/tries 2>/dev/null || echo 0); echo \$((n + 1)) >$LAB_DIR/1/tries; [ \$n -ge 2 ] || exit 3; echo \"\$(date +%s%6N) \$COORD_EVENT \$COORD_OUTCOME\" >>$LAB_DIR/1/release.log" \
	release_retry_ms=100 release_max_attempts=4
coord_start 1 >/dev/null
check "node 1 restarted with a failing release command" wait_coord_members 1 3
ctl 1 --json death --wait --timeout 20 >/dev/null; rc=$?
id=$(last_reported 1)
out=$(ev 1 "$id" '[.state, .release_attempts, .release_status] | @tsv')
check "failing release: retried, released at attempt 3 (exit $rc, $out)" \
	[ "$rc/$out" = "0/$(printf 'released\t3\t0')" ]
check "failing release: the command succeeded exactly once" [ "$(releases_of 1 "$id")" = 1 ]
check "failing release: each failure logged with its back-off" \
	[ "$(grep -c "event $id: release attempt [12] failed (status 3): retrying" "$LAB_DIR/1/coordd.log")" = 2 ]
shows_attempts() { ctl 1 events | grep -q "release: confirmed, 3 attempt(s), last status 0"; }
check "failing release: coordctl events shows the 3 attempts" shows_attempts
ctl 1 up >/dev/null

# --- 5. the release command hangs: killed at its timeout, bounded retries ---
coord_stop 1
node_config 1 "release_command=sleep 30" release_timeout_ms=300 release_retry_ms=100 \
	release_max_attempts=3
coord_start 1 >/dev/null
check "node 1 restarted with a hanging release command" wait_coord_members 1 3
ctl 1 --json death --wait --timeout 30 >/dev/null; rc=$?
id=$(last_reported 1)
out=$(ev 1 "$id" '[.state, .release_attempts, .release_status, .release_outcome] | @tsv')
check "hanging release: killed and retried 3 times, then release-failed, death exits 1 (exit $rc, $out)" \
	[ "$rc/$out" = "1/$(printf 'release-failed\t3\t137\tfailed')" ]
# Node 1's RELEASE reaches nodes 2 and 3 a moment after death --wait returned.
failed_23() { [ "$(ev 2 "$id" .state)/$(ev 3 "$id" .state)" = release-failed/release-failed ]; }
check "hanging release: every node records release-failed" wait_for 10 failed_23
check "hanging release: no 'sleep 30' left running in node 1" \
	sh -c "! ip netns pids '$(_lab_ns 1)' | xargs -r ps -o args= -p | grep -qx 'sleep 30'"
ctl 1 up >/dev/null
coord_stop 1
# Policy hold for case 6: node 3's hung call times out (2 s) and under
# release node 1 would release at once, racing the kill below; under hold
# the event stays pending until the kill, whenever that comes.
node_config 1 deadline_policy=hold
coord_start 1 >/dev/null
wait_coord_members 1 3 >/dev/null

# --- 6. the origin's coordd killed after broadcasting the death ---
fault 3 hang
id=$(death_id 1)
check "origin killed: the event is pending on node 2 first" wait_for 5 state_is 2 "$id" waiting
t0=$(now_us)
coord_stop 1 KILL
check "origin killed: node 2 records the event abandoned" wait_for 10 state_is 2 "$id" abandoned
check "origin killed: node 3 records the event abandoned" wait_for 10 state_is 3 "$id" abandoned
check "origin killed: node 2 entered grace for node 1's VIP (node-left)" \
	wait_for 10 grace_true_after 2 5:198.18.0.101 "$t0"
check "origin killed: no release ran for the abandoned event" [ "$(releases_of 1 "$id")" = 0 ]
fault 3 ok
coord_start 1 >/dev/null
check "origin restarted: rejoined" wait_coord_members 1 3
ctl 1 --json death --wait --timeout 20 >/dev/null; rc=$?
id2=$(last_reported 1)
check "origin restarted: the agent's report makes a new event, released confirmed once (exit $rc)" \
	[ "$rc/$(ev 1 "$id2" .release_outcome)/$(releases_of 1 "$id2")" = 0/confirmed/1 ]
check "origin restarted: a different event from the abandoned one" [ "$id2" != "$id" ]
ctl 1 up >/dev/null

# --- 7a. partition, origin on the majority side ---
# A partition takes corosync seconds to notice: nodes 1 and 3 now wait
# (deadline and grace call) far longer than that, so what ends each
# barrier below is the membership change, not a timeout.
DEADLINE=30000 GRACE_TIMEOUT=30000
for n in 1 3; do
	coord_stop $n
	node_config $n
	coord_start $n >/dev/null
done
for n in 1 3; do
	check "node $n restarted with a 30 s deadline and grace timeout" wait_coord_members $n 3
done
fault 3 hang
t0=$(now_us)
id=$(death_id 1)
# Partitioned once node 3 has the DEATH (its coordd is in the hung call).
wait_for 20 in_hung_call 3 5:198.18.0.101 "$t0"
wait_for 5 state_is 1 "$id" waiting
lab_link_down 3
check "partition (origin 1 in the majority): released" wait_for 20 state_is 1 "$id" released
out=$(ev 1 "$id" '[.release_outcome, (.survivors[] | "\(.node_id):\(.state)")] | join(" ")')
check "partition: released confirmed, node 3 recorded as left (got $out)" \
	[ "$out" = "confirmed 2:answered 3:left" ]
check "partition: node 3 records the event abandoned" wait_for 10 state_is 3 "$id" abandoned
q3=$(ctl 3 --json status | jq -r '.daemon.quorate')
check "partition: node 3 is inquorate (got $q3)" [ "$q3" = false ]
nl3=$(ctl 3 --json events | jq -r '[.events[] | select(.reason == "node-left") | .origin] | unique | map(tostring) | join(",")')
check "partition: node 3 entered grace for nodes 1 and 2 (node-left events: $nl3)" \
	sh -c "echo '$nl3' | grep -q 1 && echo '$nl3' | grep -q 2"
fault 3 ok
lab_link_up 3
for n in 1 2 3; do
	check "partition healed: node $n sees 3 members" wait_coord_members $n 3 60
done
ctl 1 up >/dev/null

# --- 7b. partition, origin on the minority side ---
fault 1 hang; fault 2 hang
before=$(release_count 3)
t0=$(now_us)
id=$(death_id 3)
# Partitioned once nodes 1 and 2 have the DEATH (in their hung calls).
wait_for 20 in_hung_call 1 5:198.18.0.103 "$t0"
wait_for 20 in_hung_call 2 5:198.18.0.103 "$t0"
wait_for 5 state_is 3 "$id" waiting
lab_link_down 3
check "partition (origin 3 alone): it waits for quorum, no release" \
	wait_for 20 state_is 3 "$id" quorum-wait
both_abandoned() { state_is 1 "$id" abandoned && state_is 2 "$id" abandoned; }
check "partition: nodes 1 and 2 abandon node 3's event" wait_for 10 both_abandoned
fault 1 ok; fault 2 ok
t0=$(now_us)
lab_link_up 3
newest() { id2=$(last_reported 3); [ -n "$id2" ] && [ "$id2" != "$id" ] && state_is 3 "$id2" released; }
check "partition healed: node 3 reports the death again and the new event is released" \
	wait_for 60 newest
check "partition healed: the old event is cancelled at the origin (not released)" \
	[ "$(ev 3 "$id" .state)" = cancelled ]
out=$(ev 3 "$id2" '[.release_outcome, (.survivors[] | "\(.node_id):\(.result)")] | join(" ")')
check "partition healed: the new event waited for both survivors, confirmed (got $out)" \
	[ "$out" = "confirmed 1:in-grace 2:in-grace" ]
check "partition healed: exactly one release on node 3, for the new event" \
	[ "$(release_count 3)/$(releases_of 3 "$id2")" = "$((before + 1))/1" ]
for n in 1 2; do
	check "partition healed: node $n entered grace for 198.18.0.103 before that release" \
		sh -c "awk -v t0=$t0 -v rel=\$(awk -v id='$id2' '\$2 == id { print \$1 }' '$LAB_DIR/3/release.log') \
			'\$3 == \"5:198.18.0.103\" && \$4 == \"true\" && \$1 > t0 && \$1 < rel { f = 1 } END { exit !f }' \
			'$LAB_DIR/$n/grace.rec'"
done
ctl 3 up >/dev/null

# --- 8. Valgrind: node 2's coordd, through every case above ---
if [ "$VALGRIND" = 1 ]; then
	vpid=$(coord_pid 2)
	kill -TERM "$vpid"
	wait_for 60 sh -c "! kill -0 $vpid 2>/dev/null"
	vlog=$LAB_DIR/2/valgrind.log
	errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$vlog" | tail -n1)
	lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$vlog" | tail -n1)
	check "valgrind: coordd on node 2 exited, no invalid access (errors: ${errs:-none})" [ "$errs" = 0 ]
	check "valgrind: no leak (definitely lost: ${lost:-0} bytes)" [ "${lost:-0}" = 0 ]
	[ "$errs" = 0 ] || sed -n '1,80p' "$vlog" | sed 's/^/# /'
else
	not_ok "valgrind is not installed"
fi

echo "1..$T"
[ "$FAILED" = 0 ]
