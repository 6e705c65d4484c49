#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile CPG peers on a real 3-node cluster (one bring-up): a second CPG
# process on node 3 (tests/lab/tools/hostile_peer.c, not a coordd) joins coordd's
# group and sends malformed and semantically bad messages.  For each kind:
# the specific counter of `coordctl --json status` rises by exactly what
# was sent on every coordd, the warning is in every coordd.log, coordd
# lives; a flood of 1000 writes a bounded number of lines; barriers during
# and after the floods release once, after every coordd survivor's grace:
# confirmed without a hostile member, unconfirmed (at the deadline, naming
# it) with one, whose clean leave while its node lives confirms nothing;
# the hostile process joining, leaving or being killed is no node death.  docs/protocol.md "Hostile peers" lists what each proves.
set -u
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/coord_lab.sh"
lab_trap
HOSTILE=$B/tests/lab/hostile_peer

echo "# bringing up 3 nodes"
if ! lab_up 3; then
	not_ok "lab bring-up"
	exit 1
fi
for n in 1 2 3; do
	# Barriers with the hostile member wait for this deadline: its clean
	# leave, its node alive, is no confirmation.
	coord_config $n release 12000 5000
	fake_start $n >/dev/null
	coord_start $n >/dev/null
done
for n in 1 2 3; do
	check "node $n: coordd sees 3 members" wait_coord_members $n 3
done

hostile() { lab_exec 3 timeout 120 "$HOSTILE" "$@"; }
hostile_bg() { lab_bg 3 "$LAB_DIR/hostile.out" timeout 120 "$HOSTILE" "$@"; }
counter() {	# N PATH (engine.X or wire_errors.X)
	ctl "$1" --json status | jq -r ".daemon.counters.$2"
}
wait_counter() {	# N PATH VALUE: until the counter reaches VALUE (30 s)
	# A flood of 1000 is counted in 2 to 3 s on a loaded machine.
	i=0
	while [ $i -lt 300 ]; do
		[ "$(counter "$1" "$2")" -ge "$3" ] 2>/dev/null && break
		sleep 0.1; i=$((i + 1))
	done
	sleep 0.2	# anything beyond VALUE would be a bug: let it show
	counter "$1" "$2"
}
log_key() {	# PATH -> the name coordd's log line uses
	case $1 in wire_errors.*) echo "wire ${1#wire_errors.}" ;; *) echo "${1#engine.}" ;; esac
}
log_lines() {	# N PATH: warning lines about this counter in node N's log
	grep -c "warning: .*counted as $(log_key "$2") in coordctl status" \
		"$LAB_DIR/$1/coordd.log"
}
events_json() { ctl "$1" --json events; }
all_alive() {
	for n in 1 2 3; do kill -0 "$(coord_pid $n)" 2>/dev/null || return 1; done
}
wait_all_members() {	# COUNT
	for n in 1 2 3; do wait_coord_members $n "$1" || return 1; done
}
grace_count() { wc -l <"$LAB_DIR/$1/grace.rec"; }
event_count() { events_json "$1" | jq '.events | length'; }

# barrier_checks LABEL T0 RC BEFORE SURVIVORS OUTCOME: a death on node 1
# released once more, with OUTCOME, after nodes 2 and 3 entered grace, and
# every node records it released with these survivor node ids.
barrier_checks() {
	label=$1 t0=$2 rc=$3 before=$4 want=$5 outcome=$6
	check "$label: death --wait exits 0 (got $rc)" [ "$rc" = 0 ]
	check "$label: the release ran exactly once more" [ "$(release_count 1)" = $((before + 1)) ]
	check "$label: released $outcome" sh -c "tail -n1 '$LAB_DIR/1/release.log' | grep -q ' $outcome$'"
	id=$(events_json 1 | jq -r '[.events[] | select(.reason == "reported")][-1].id')
	rel=$(last_release 1 | awk '{print $1}')
	for n in 2 3; do
		g=$(grace_time $n 5:198.18.0.101 "$t0")
		if [ -n "$g" ] && [ -n "$rel" ] && [ "$g" -lt "$rel" ]; then
			ok "$label: node $n entered grace $(( (rel - g) / 1000 )) ms before the release"
		else
			not_ok "$label: node $n entered grace before the release" "grace '${g:-never}', release '${rel:-never}'"
		fi
	done
	# death --wait returns when the origin's record ends; the others end
	# theirs when its RELEASE is delivered to them: wait for that, not a time.
	wait_for 20 ended_on "$id" 1 2 3
	sets=""
	for n in 1 2 3; do
		sets="$sets|$(event_json $n "$id" | jq -c '[.state, ([.survivors[].node_id] | sort)]')"
	done
	exp="|[\"released\",$want]|[\"released\",$want]|[\"released\",$want]"
	check "$label: every node records $id released, survivors $want" [ "$sets" = "$exp" ]
	[ "$sets" = "$exp" ] || echo "# got: $sets"
	ctl 1 up >/dev/null
}

# --- 1. the hostile process joining and leaving is no node death ---
for n in 1 2 3; do ev0[$n]=$(event_count $n); gr0[$n]=$(grace_count $n); done
hostile_bg -H "$LAB_DIR/leave.1" listen >/dev/null
check "a second process on node 3 joins: every coordd sees 4 members" wait_all_members 4
touch "$LAB_DIR/leave.1"
check "it leaves (cpg_leave): every coordd sees 3 members" wait_all_members 3
hpid=$(lab_bg 3 "$LAB_DIR/hostile.out" "$HOSTILE" listen)	# its own pid: no timeout(1)
check "it joins again" wait_all_members 4
kill -KILL "$hpid"
check "it is killed (procdown): every coordd sees 3 members" wait_all_members 3
sleep 0.5
for n in 1 2 3; do
	check "node $n: no event and no grace from its joins, leave and death" \
		[ "$(event_count $n) $(grace_count $n)" = "${ev0[$n]} ${gr0[$n]}" ]
	check "node $n: logs the killed process as no death" \
		grep -q "member 3 (pid $hpid) left (procdown) without having announced itself: no grace" \
		"$LAB_DIR/$n/coordd.log"
done

# --- 2. a barrier while the hostile process is a member: it is a survivor
# like any member; its clean leave (after it captured node 2's ACK), its
# node alive, is no confirmation: released at the deadline, unconfirmed,
# naming it ---
hostile_bg -o 2 -c "$LAB_DIR/ack2.bin" capture-ack >/dev/null
check "capture client joined" wait_all_members 4
before=$(release_count 1); t0=$(now_us)
ctl 1 death --wait --timeout 30 >/dev/null; rc=$?
barrier_checks "barrier with the hostile member" "$t0" "$rc" "$before" "[2,3,3]" unconfirmed
hs=$(event_json 1 "$id" | jq -r '.survivors[] | select(.node_id == 3 and .state != "answered") | "\(.state) \(.leave_reason)"')
check "the hostile member is recorded as left by cpg_leave (got '$hs')" [ "$hs" = "left leave" ]
check "node 1's log names it as not confirmed, its node alive" \
	grep -q "event $id: deadline passed, releasing by policy; not confirmed in grace: 3 (left (leave), node alive)" \
	"$LAB_DIR/1/coordd.log"
check "node 2's ACK was captured" test -s "$LAB_DIR/ack2.bin"
wait_all_members 3 >/dev/null

# --- 3. each kind of bad message, 5 times ---
# A replay of node 2's ACK is from an older incarnation: restart coordd 2.
coord_stop 2
coord_start 2 >/dev/null
check "coordd 2 restarted with a new incarnation" wait_all_members 3
inc1=$(ctl 1 --json status | jq -r .daemon.incarnation)
inc3=$(ctl 3 --json status | jq -r .daemon.incarnation)

send_kind() {	# KIND COUNTER-PATH [hostile_peer options]
	kind=$1 path=$2; shift 2
	for n in 1 2 3; do c0[$n]=$(counter $n "$path"); done
	out=$(hostile -n 5 "$@" "$kind"); hrc=$?
	got="" want=""
	for n in 1 2 3; do
		got="$got $(wait_counter $n "$path" $((c0[n] + 5)))"
		want="$want $((c0[n] + 5))"
	done
	check "$kind: sent (exit $hrc: $out)" [ "$hrc" = 0 ]
	check "$kind: $path +5 on every coordd (got$got, want$want)" [ "$got" = "$want" ]
	for n in 1 2 3; do
		check "$kind: node $n logged a warning for $(log_key "$path")" \
			[ "$(log_lines $n "$path")" -ge 1 ]
	done
	check "$kind: every coordd alive" all_alive
}
send_kind short			wire_errors.truncated
send_kind truncated		wire_errors.truncated
send_kind bad-magic		wire_errors.bad_magic
send_kind bad-version		wire_errors.bad_version
send_kind bad-type		wire_errors.bad_type
send_kind length-mismatch	wire_errors.length_mismatch
send_kind bound			wire_errors.bound
send_kind oversized		wire_errors.trailing
send_kind bad-field		wire_errors.bad_field
send_kind reserved		wire_errors.reserved
send_kind death-other-origin	wire_errors.bad_field -o 1
send_kind unknown-ack		engine.unknown_event
send_kind death-other-sender	engine.rejected_sender -o 1 -I "$inc1"
send_kind death-borrowed	engine.rejected_incarnation -I "$inc3"
send_kind replay-ack		engine.rejected_sender -r "$LAB_DIR/ack2.bin"
send_kind replay-ack-stale	engine.rejected_incarnation -r "$LAB_DIR/ack2.bin"

# --- 4. floods of 1000: every one counted, a bounded number of log lines
# (at most one per kind per 10 s); a barrier runs during the second ---
flood() {	# KIND COUNTER-PATH [hostile_peer options]
	kind=$1 path=$2; shift 2
	for n in 1 2 3; do c0[$n]=$(counter $n "$path"); l0[$n]=$(log_lines $n "$path"); done
	t_start=$(now_us)
	hostile_bg -n 1000 -H "$LAB_DIR/leave.$kind" "$@" "$kind" >/dev/null
}
flood_checks() {	# KIND COUNTER-PATH
	kind=$1 path=$2
	got="" want=""
	for n in 1 2 3; do
		got="$got $(wait_counter $n "$path" $((c0[n] + 1000)))"
		want="$want $((c0[n] + 1000))"
	done
	t_end=$(now_us)
	bound=$(( (t_end - t_start) / 10000000 + 1 ))
	check "flood $kind: $path +1000 on every coordd (got$got, want$want)" [ "$got" = "$want" ]
	lines=""
	for n in 1 2 3; do lines="$lines $(( $(log_lines $n "$path") - l0[n] ))"; done
	bad=0
	for l in $lines; do [ "$l" -le "$bound" ] || bad=1; done
	check "flood $kind: at most $bound new log line(s) per coordd in $(( (t_end - t_start) / 1000 )) ms (got$lines)" \
		[ "$bad" = 0 ]
	check "flood $kind: every coordd alive" all_alive
}
flood bad-magic wire_errors.bad_magic
flood_checks bad-magic wire_errors.bad_magic
touch "$LAB_DIR/leave.bad-magic"
wait_all_members 3 >/dev/null

flood unknown-ack engine.unknown_event
check "flood client joined" wait_all_members 4
before=$(release_count 1); t0=$(now_us)
ctl 1 death --wait --timeout 60 >"$LAB_DIR/death.flood" & dpid=$!
flood_checks unknown-ack engine.unknown_event
touch "$LAB_DIR/leave.unknown-ack"
wait $dpid; rc=$?
barrier_checks "barrier during the flood" "$t0" "$rc" "$before" "[2,3,3]" unconfirmed
wait_all_members 3 >/dev/null

# --- 5. a barrier after it all, no hostile member ---
before=$(release_count 1); t0=$(now_us)
ctl 1 death --wait --timeout 30 >/dev/null; rc=$?
barrier_checks "barrier after the floods" "$t0" "$rc" "$before" "[2,3]" confirmed

# --- 6. nothing the hostile process sent became an event or a grace ---
for n in 1 2 3; do
	other=$(events_json $n | jq '[.events[] | select(.reason != "reported" or (.id | startswith("1.") | not))] | length')
	check "node $n: every event recorded is one of node 1's reported deaths (others: $other)" [ "$other" = 0 ]
done
check "node 1 (the only origin) never entered grace" [ "$(grace_count 1)" = 0 ]
for n in 2 3; do
	g=$(awk '$3 != "5:198.18.0.101" || $4 != "true"' "$LAB_DIR/$n/grace.rec" | wc -l)
	check "node $n: 3 graces, all for node 1's VIP (got $(grace_count $n), $g other)" \
		[ "$(grace_count $n) $g" = "3 0" ]
done
check "every coordd still alive" all_alive
echo "# node 1's log lines about dropped messages ($(grep -c 'counted as' "$LAB_DIR/1/coordd.log") in all):"
grep 'counted as' "$LAB_DIR/1/coordd.log" | cut -c1-230 | sed 's/^/#   /'

echo "1..$T"
[ "$FAILED" = 0 ]
