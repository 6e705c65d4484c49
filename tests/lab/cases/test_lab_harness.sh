#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Self-test of the lab harness (tests/lab/lib/lab.sh) and of fake_ganesha:
# one 3-node bring-up, quorum, a private bus per node, grace over D-Bus
# with its record line, the fault modes, a node's corosync stopped and
# restarted under a living anchor, a partition, a real ganesha.nfsd, then
# teardown and a check that nothing of the lab is left; last, a 1-node lab
# whose script dies in the middle must still be cleaned by the trap.
# Needs root.  Prints TAP.  Usage: B=build bash tests/lab/cases/test_lab_harness.sh
set -u
LIB=$(cd "$(dirname "$0")/../lib" && pwd)
. "$LIB/lab.sh"
. "$LIB/coord_lab.sh"
lab_trap

dbus_admin() {	# N METHOD [ARG...]: dbus-send to org.ganesha.nfsd in node N
	local n=$1 m=$2; shift 2
	lab_exec "$n" timeout 10 dbus-send --system --print-reply --reply-timeout=5000 \
		--dest=org.ganesha.nfsd /org/ganesha/nfsd/admin "org.ganesha.nfsd.admin.$m" "$@"
}
members_of() {	# N: node ids in node N's membership, space separated
	lab_exec "$1" timeout 5 corosync-quorumtool -l 2>/dev/null |
		awk '$1 ~ /^[0-9]+$/ && $3 ~ /^node/ {print $1}' | sort -n | tr '\n' ' '
}
wait_members_are() {	# N "ids " SECONDS: bounded
	local i=0 got
	while [ $i -lt $(( $3 * 4 )) ]; do
		got=$(members_of "$1"); [ "$got" = "$2" ] && return 0
		sleep 0.25; i=$((i + 1))
	done
	echo "#   node $1: members are '$got', expected '$2' within $3 s"
	return 1
}
cmap_status() {	# N ID: runtime.members.ID.status as node N's corosync sees it
	lab_exec "$1" timeout 5 corosync-cmapctl -g "runtime.members.$2.status" 2>/dev/null |
		sed -n 's/.*= *//p'
}
last_record() { tail -n 1 "$LAB_DIR/$1/grace.rec" 2>/dev/null; }
wait_answers() {	# N: fake or real ganesha answers get_grace (bounded, 10 s)
	local i=0
	until dbus_admin "$1" get_grace >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -gt 100 ] && return 1; sleep 0.1
	done
}
# Everything of a lab that could be left behind: namespaces, processes
# whose command line names the lab directory, anchors, mounts, the dir.
leftovers() {	# DIR ID PREFIX "ANCHOR PIDS"
	local p
	ip netns list 2>/dev/null | grep -q "^$3$2" && echo "namespace $3$2*"
	pgrep -af -- "$1" | grep -v pgrep | sed 's/^/process /'
	for p in $4; do kill -0 "$p" 2>/dev/null && echo "anchor $p alive"; done
	grep -q -- "$1" /proc/self/mountinfo && echo "mount under $1"
	ls /run/netns 2>/dev/null | grep -q "^$3$2" && echo "/run/netns/$3$2*"
	[ -e "$1" ] && echo "directory $1"
	return 0
}
# libqb names them qb-<server pid>-<client pid>-... (IPC) or
# qb-<name>-<pid>-blackbox-... : a new file that names a process of the
# lab torn down is that lab's leftover.  Files of other labs running on
# the machine at the same time (their coordd killed on purpose, cleaned up
# by their own teardown) are not this lab's to judge.
new_shm() {	# BEFORE-FILE "PIDS OF THE LAB": its qb-* files not listed in BEFORE
	local f p
	for f in $(ls /dev/shm 2>/dev/null | grep '^qb-' | grep -vxF -f "$1"); do
		for p in $(echo "$f" | tr -c '0-9\n' '\n' | grep -x '[0-9][0-9]*'); do
			case " $2 " in *" $p "*) echo "$f"; break ;; esac
		done
	done
}
lab_pids() {	# every process in the lab's node namespaces
	local n
	for n in $(seq 1 "$LAB_N"); do ip netns pids "$(_lab_ns "$n")" 2>/dev/null; done | tr '\n' ' '
}

[ "$(id -u)" = 0 ] || { echo "not ok 1 - the lab needs root"; exit 1; }
[ -x "$FAKE_GANESHA" ] || { echo "not ok 1 - $FAKE_GANESHA not built (make B=$B $FAKE_GANESHA)"; exit 1; }
SHM0=$(mktemp); ls /dev/shm 2>/dev/null | grep '^qb-' >"$SHM0"

t0=$(date +%s%N)
if ! lab_up 3; then
	not_ok "3-node lab up and quorate" "lab_up failed; see messages above"
	exit 1
fi
UP_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
ok "3-node lab up and quorate in every node (${UP_MS} ms)"
echo "# bring-up: ${UP_MS} ms, LAB_DIR=$LAB_DIR"

for n in 1 2 3; do
	q=$(lab_exec $n timeout 5 corosync-quorumtool -s 2>&1)
	if echo "$q" | grep -q 'Quorate: *Yes' && echo "$q" | grep -q '^Nodes: *3$' &&
	   [ "$(members_of $n)" = "1 2 3 " ]; then
		ok "node $n: corosync-quorumtool shows 3 members, quorate"
	else
		not_ok "node $n: corosync-quorumtool shows 3 members, quorate" \
			"members: '$(members_of $n)'" "$(echo "$q" | grep -E 'Nodes|Quorate')"
	fi
done

addrs=$(for n in 1 2 3; do lab_exec $n ip -4 -o addr show | awk '$2 != "lo" {print $4}'; done | tr '\n' ' ')
check "node addresses are 198.18.0.1-3/24 and nothing else (got: $addrs)" \
	[ "$addrs" = "198.18.0.1/24 198.18.0.2/24 198.18.0.3/24 " ]
lab_exec 1 touch /run/labh-probe
check "/run is private: a file in node 1's /run is not in node 2's nor the host's" \
	eval 'lab_exec 1 test -e /run/labh-probe && ! lab_exec 2 test -e /run/labh-probe && [ ! -e /run/labh-probe ]'
check "the host's /var/lib/corosync is not the node's" \
	[ "$(stat -c %i /var/lib/corosync)" != "$(lab_exec 1 stat -c %i /var/lib/corosync)" ]

# --- fake_ganesha on each node's private bus ---
for n in 1 2 3; do fake_start $n >/dev/null; done
for n in 1 2 3; do check "node $n: fake_ganesha answers get_grace" wait_answers $n; done
intro=$(lab_exec 1 timeout 5 dbus-send --system --print-reply --dest=org.ganesha.nfsd \
	/org/ganesha/nfsd/admin org.freedesktop.DBus.Introspectable.Introspect 2>&1)
check "introspection lists grace and get_grace" \
	eval 'echo "$intro" | grep -q "name=.grace." && echo "$intro" | grep -q "name=.get_grace."'

g0=$(now_us)
r=$(dbus_admin 1 grace string:5:198.18.0.102 2>&1)
g1=$(now_us)
if echo "$r" | grep -q 'boolean true' && echo "$r" | grep -q '"Started grace period"'; then
	ok "grace(5:198.18.0.102) in node 1 answers (true, \"Started grace period\") in $(( (g1 - g0) / 1000 )) ms"
else
	not_ok "grace(5:198.18.0.102) in node 1 answers (true, \"Started grace period\")" "reply: $r"
fi
rec=$(last_record 1)
set -- $rec
if [ "$(wc -l <"$LAB_DIR/1/grace.rec")" = 1 ] && [ "${2:-}" = grace ] &&
   [ "${3:-}" = 5:198.18.0.102 ] && [ "${4:-}" = true ] &&
   [ "${1:-0}" -ge "$g0" ] && [ "${1:-0}" -le "$g1" ]; then
	ok "node 1 recorded the call at the moment it replied: $rec"
else
	not_ok "node 1 recorded the call at the moment it replied" \
		"record: '$rec' ($(wc -l <"$LAB_DIR/1/grace.rec") lines), call between $g0 and $g1"
fi
check "nodes 2 and 3 received no grace call (private buses)" \
	[ ! -s "$LAB_DIR/2/grace.rec" -a ! -s "$LAB_DIR/3/grace.rec" ]
check "get_grace in node 1 says in grace" eval '[ "$(get_grace 1)" = true ]'
check "get_grace in node 2 says not in grace" eval '[ "$(get_grace 2)" = false ]'

# delay 1500: the grace reply waits, other calls do not.
fault 2 "delay 1500"
g0=$(now_us)
dbus_admin 2 grace string:5:198.18.0.101 >"$LAB_DIR/delayed.out" 2>&1 &
dpid=$!
sleep 0.3
q0=$(now_us); qg=$(get_grace 2); q1=$(now_us)
wait $dpid; g1=$(now_us)
# false: answered before the delayed reply, which puts the fake in grace
# (a get_grace queued behind it would say true).  How long it took is a
# figure: on a loaded machine a dbus-send may take a while to start.
check "delay 1500: get_grace answered false while the grace reply was pending ($(( (q1 - q0) / 1000 )) ms)" \
	[ "$qg" = false ]
set -- $(last_record 2)
d=$(( (${1:-0} - g0) / 1000 )) outcome=${4:-none}
# At least the delay after the call was sent; how much more is the
# machine's speed (the caller's own start), reported.
check "delay 1500: grace answered true no sooner than the delay (after ${d} ms, recorded $outcome), caller waited $(( (g1 - g0) / 1000 )) ms" \
	eval 'grep -q "boolean true" "$LAB_DIR/delayed.out" && [ "$outcome" = true ] && [ $d -ge 1450 ]'
fault 2 false
r=$(dbus_admin 2 grace string:5:198.18.0.101 2>&1)
check "false: status false, error \"injected\", recorded false" \
	eval 'echo "$r" | grep -q "boolean false" && echo "$r" | grep -q "\"injected\"" && [ "$(last_record 2 | cut -d" " -f4)" = false ]'
fault 2 error
r=$(dbus_admin 2 grace string:5:198.18.0.101 2>&1)
check "error: a D-Bus error reply, recorded error" \
	eval 'echo "$r" | grep -q "^Error org.ganesha.nfsd.Error" && [ "$(last_record 2 | cut -d" " -f4)" = error ]'
fault 2 hang
r=$(lab_exec 2 timeout 5 dbus-send --system --print-reply --reply-timeout=700 --dest=org.ganesha.nfsd \
	/org/ganesha/nfsd/admin org.ganesha.nfsd.admin.grace string:5:198.18.0.101 2>&1)
check "hang: no reply (the caller times out), recorded hang" \
	eval 'echo "$r" | grep -q NoReply && [ "$(last_record 2 | cut -d" " -f4)" = hang ]'
rm -f "$LAB_DIR/2/fault"
r=$(dbus_admin 2 grace string:5:198.18.0.101 2>&1)
check "no fault file: ok again without a restart" eval 'echo "$r" | grep -q "boolean true"'

# --- node 3's corosync stopped and restarted; the anchor keeps the node ---
t0=$(date +%s%N)
lab_stop_corosync 3
check "node 3 stopped: node 1 sees members 1 2" wait_members_are 1 "1 2 " 20
check "node 3 stopped: node 2 sees members 1 2" wait_members_are 2 "1 2 " 20
s=$(cmap_status 1 3)
check "node 1's cmap says node 3 left (got '$s')" [ "$s" = left ]
echo "# node 3 seen gone in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
check "node 3's namespaces outlive its corosync: fake_ganesha still answers in node 3" \
	eval 'dbus_admin 3 get_grace >/dev/null 2>&1'
check "nothing in node 3 reaches corosync now" eval '! lab_exec 3 timeout 5 corosync-quorumtool -s >/dev/null 2>&1'
t0=$(date +%s%N)
lab_start_corosync 3
for n in 1 2 3; do check "node 3 restarted: node $n sees 3 members, quorate" lab_wait_members $n 3 30; done
s=$(cmap_status 1 3)
check "node 1's cmap says node 3 joined (got '$s')" [ "$s" = joined ]
echo "# node 3 rejoined in $(( ($(date +%s%N) - t0) / 1000000 )) ms"

# --- a partition: node 2's link down, then up ---
lab_link_down 2
check "node 2's link down: node 1 sees members 1 3" wait_members_are 1 "1 3 " 20
# Node 2 notices the partition on its own token timeout, not when node 1
# does: wait for it (bounded).
inquorate_2() { ! lab_exec 2 timeout 5 corosync-quorumtool -s | grep -q "Quorate: *Yes"; }
wait_inquorate_2() {
	local i=0
	until inquorate_2; do i=$((i + 1)); [ $i -ge 80 ] && return 1; sleep 0.25; done
}
check "node 2's link down: node 2 alone is not quorate" wait_inquorate_2
lab_link_up 2
for n in 1 2 3; do check "node 2's link up: node $n sees 3 members" lab_wait_members $n 3 30; done

# --- a real nfs-ganesha 4.3 in node 3, in place of the fake ---
fp=$(pgrep -f "fake_ganesha.*$LAB_DIR/3/fault")
kill -TERM $fp 2>/dev/null
# Gone, and its bus name with it: else the fake would answer for ganesha.
i=0
while { { [ -n "$fp" ] && kill -0 $fp 2>/dev/null; } || get_grace 3 >/dev/null; } && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
# A client of 198.18.0.101 to reclaim: the takeover grace below lasts its
# Grace_Period instead of ending at ganesha's next reaper run.
ganesha_vip_client 3 198.18.0.101
if ganesha_start 3; then
	ok "node 3: real ganesha.nfsd up and answering get_grace"
	r=$(dbus_admin 3 grace string:5:198.18.0.101 2>&1)
	check "real ganesha: grace(5:198.18.0.101) -> true" eval 'echo "$r" | grep -q "boolean true"'
	check "real ganesha: get_grace says in grace" eval '[ "$(get_grace 3)" = true ]'
else
	not_ok "node 3: real ganesha.nfsd up and answering get_grace" \
		"$(tail -n 5 "$LAB_DIR/3/ganesha.log" "$LAB_DIR/3/ganesha.out" 2>/dev/null | tr '\n' '|')"
fi

# --- teardown, and what is left of the lab ---
D=$LAB_DIR ID=$LAB_ID ANCH=$(cat "$LAB_DIR"/*/anchor.pid | tr '\n' ' ')
PIDS=$(lab_pids)
t0=$(date +%s%N)
lab_down
DOWN_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "# teardown: ${DOWN_MS} ms"
left=$(leftovers "$D" "$ID" "$LAB_PREFIX" "$ANCH"; new_shm "$SHM0" "$PIDS" | sed 's/^/shm /')
check "teardown in ${DOWN_MS} ms leaves nothing of the lab" eval '[ -z "$left" ] || { echo "$left" | sed "s/^/#   left: /"; false; }'
check "lab_down a second time is harmless" lab_down

# --- a script that dies in the middle: the trap cleans up ---
OUT=$(mktemp)
timeout 120 bash -c '
	. "$1/lab.sh"; lab_trap
	lab_up 1 || exit 1
	lab_bg 1 /dev/null sleep 1000 >/dev/null
	echo "$LAB_DIR $LAB_ID $(cat $LAB_DIR/1/anchor.pid) $(ip netns pids "$(_lab_ns 1)" | tr "\n" " ")"
	kill -TERM $$; sleep 30' _ "$LIB" >"$OUT" 2>/dev/null
read -r D2 ID2 A2 PIDS2 <"$OUT"
rm -f "$OUT"
if [ -z "${D2:-}" ]; then
	not_ok "a lab killed by SIGTERM in the middle is torn down by its trap" "the 1-node lab did not come up"
else
	left=$(leftovers "$D2" "$ID2" "$LAB_PREFIX" "$A2"; new_shm "$SHM0" "$PIDS2" | sed 's/^/shm /')
	check "a lab killed by SIGTERM in the middle is torn down by its trap" \
		eval '[ -z "$left" ] || { echo "$left" | sed "s/^/#   left: /"; false; }'
fi
rm -f "$SHM0"
echo "1..$T"
[ "$FAILED" = 0 ]
