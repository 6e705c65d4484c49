#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Rolling upgrade: coordd builds of different protocol versions in one
# 3-node group (one bring-up), as docs/protocol.md "Rolling upgrade" says.
#
#   A. nodes 1, 2 at this tree's 1.x and node 3 at 1.x+1 (a build whose
#      messages carry a 4-byte field "appended at 1.x+1"): everything decodes, a death on
#      either version's node is released once, confirmed, after every
#      survivor entered grace.
#   B. node 3 replaced by a 2.0 build: every message between majors is
#      refused and counted (wire_errors.bad_version); the 2.0 node is a CPG
#      member marked incompatible, settled at once and never confirmed, so
#      the origin's policy decides; its ganesha is never put in grace.
#   C. node 3 back at 1.x: barriers confirm again.
#
# The bumped builds go to $B/v1.next and $B/v2.0 (make rebuilds only what is
# out of date).  Facts only: release logs, grace records, coordctl --json,
# coordd's log.
set -u
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/coord_lab.sh"

# The protocol this tree speaks, and the next minor (a build of it).
BASE_MINOR=$(awk '$2 == "COORD_PROTO_MINOR" && $1 == "#define" { print $3 }' \
	"$COORD_TOP/include/coord/wire.h")
NEXT_MINOR=$((BASE_MINOR + 1))
BASE=1.$BASE_MINOR NEW=1.$NEXT_MINOR
V11=$B/v1.next V20=$B/v2.0
build_variant() {	# DIR EXTRA_CFLAGS
	# make sees sources, not flags: other flags, a clean build.
	[ "$(cat "$1/.flags" 2>/dev/null)" = "$2" ] || rm -rf "$1"
	mkdir -p "$1" && echo "$2" >"$1/.flags"
	make -s -C "$COORD_TOP" B="$1" EXTRA_CFLAGS="$2" all >"$B/variant.log" 2>&1 ||
		{ sed 's/^/# /' "$B/variant.log"; return 1; }
}
if ! build_variant "$V11" "-DCOORD_PROTO_MINOR=$NEXT_MINOR -DCOORD_WIRE_TEST_APPEND=4" ||
   ! build_variant "$V20" "-DCOORD_PROTO_MAJOR=2 -DCOORD_PROTO_MINOR=0"; then
	not_ok "build the $NEW and 2.0 variants"
	exit 1
fi
ok "built coordd $NEW ($V11) and 2.0 ($V20)"

lab_trap
echo "# bringing up 3 nodes"
if ! lab_up 3; then
	not_ok "lab bring-up"
	exit 1
fi

start_build() {	# N BUILD-DIR: coordd from that build on node N
	local saved=$COORDD
	COORDD=$2/coordd
	coord_start "$1" >/dev/null
	COORDD=$saved
}
proto_of() { ctl "$1" --json status | jq -r .daemon.protocol_version; }
wire_errors() { ctl "$1" --json status | jq -c '.daemon.counters.wire_errors'; }
bad_version() { ctl "$1" --json status | jq -r '.daemon.counters.wire_errors.bad_version'; }
counted() { [ "$(bad_version "$1")" -ge "$2" ]; }	# N AT-LEAST

# A death on ORIGIN with survivors SURVIVORS ("2 3"): once, confirmed, every
# survivor in grace before the release, the same record on every node.
confirmed_death() {	# LABEL ORIGIN SURVIVORS...
	local label=$1 origin=$2 t0 rc id rel g n sets want before
	shift 2
	before=$(release_count "$origin")
	t0=$(now_us)
	ctl "$origin" death --wait --timeout 20 >/dev/null; rc=$?
	id=$(last_reported "$origin")
	check "$label: death --wait exits 0 (got $rc)" [ "$rc" = 0 ]
	check "$label: the release ran exactly once" [ "$(release_count "$origin")" = $((before + 1)) ]
	check "$label: the release says confirmed" \
		sh -c "tail -n1 '$LAB_DIR/$origin/release.log' | grep -q ' confirmed$'"
	rel=$(last_release "$origin" | awk '{print $1}')
	for n in "$@"; do
		g=$(grace_time "$n" "5:$(vip_of "$origin")" "$t0")
		if [ -n "$g" ] && [ -n "$rel" ] && [ "$g" -lt "$rel" ]; then
			ok "$label: node $n ($(proto_of "$n")) in grace $(( (rel - g) / 1000 )) ms before the release"
		else
			not_ok "$label: node $n in grace before the release" \
				"grace at '${g:-never}', release at '${rel:-never}'"
		fi
	done
	want="[\"released\",[$(echo "$@" | tr ' ' ',')]]"
	# death --wait returns when the origin's record ends; the others end
	# theirs when its RELEASE is delivered to them: wait for that.
	for n in 1 2 3; do wait_for 20 ended_on "$id" "$n"; done
	sets=
	for n in 1 2 3; do
		sets="$sets $(event_json $n "$id" | jq -c '[.state, ([.survivors[].node_id] | sort)]')"
	done
	check "$label: every node records $id as $want" [ "$sets" = " $want $want $want" ]
	[ "$sets" = " $want $want $want" ] || echo "# got:$sets"
	ctl "$origin" up >/dev/null
}

# Origins: node 1 policy release, node 2 hold, node 3 release.  A short
# deadline: phase B waits for it on purpose.
for n in 1 2 3; do
	policy=release; [ $n = 2 ] && policy=hold
	coord_config $n $policy 3000 2000
	fake_start $n >/dev/null
done
start_build 1 "$B"
start_build 2 "$B"
start_build 3 "$V11"
for n in 1 2 3; do
	check "A: node $n: coordd sees 3 members" wait_coord_members $n 3
done

# --- A. the current minor and the next minor together ---
check "A: nodes 1, 2 speak $BASE, node 3 speaks $NEW" \
	[ "$(proto_of 1) $(proto_of 2) $(proto_of 3)" = "$BASE $BASE $NEW" ]
# A HELLO follows its sender's join: wait for it (3 members are seen first).
hellos() { h=$(ctl "$1" --json status | jq -c '[.members[] | select(.hello_seen) | .node_id] | sort'); [ "$h" = "[1,2,3]" ]; }
for n in 1 2 3; do
	wait_for 20 hellos $n
	check "A: node $n decoded every member's HELLO (got $h)" [ "$h" = "[1,2,3]" ]
done
confirmed_death "A: death on node 1 ($BASE)" 1 2 3
confirmed_death "A: death on node 3 ($NEW)" 3 1 2
for n in 1 2 3; do
	w=$(wire_errors $n)
	check "A: node $n refused no message (wire_errors $w)" \
		[ "$(echo "$w" | jq '[.[]] | add')" = 0 ]
done

# --- B. node 3 replaced by a 2.0 build ---
coord_stop 3
start_build 3 "$V20"
for n in 3 1 2; do
	check "B: node $n: the group still has 3 CPG members" wait_coord_members $n 3
done
check "B: node 3 speaks 2.0" [ "$(proto_of 3)" = 2.0 ]
# The joiner's HELLO and the members' answers cross the major boundary.
i=0
while [ $i -lt 50 ]; do
	[ "$(bad_version 1)" -gt 0 ] && [ "$(bad_version 2)" -gt 0 ] &&
		[ "$(bad_version 3)" -gt 0 ] && break
	sleep 0.1; i=$((i + 1))
done
for n in 1 2 3; do
	check "B: node $n counts refused HELLOs as bad_version ($(bad_version $n))" \
		[ "$(bad_version $n)" -gt 0 ]
done
m3=$(ctl 1 --json status | jq -c '.members[] | select(.node_id == 3) | [.hello_seen, .incarnation, (.vips | length), .incompatible]')
check "B: node 1 lists node 3 as incompatible: no HELLO seen, incarnation 0, no VIPs (got $m3)" \
	[ "$m3" = "[false,0,0,true]" ]
check "B: node 1 is still a VIP target (node 3 is exempt from the HELLO rule)" \
	[ "$(ctl 1 --json status | jq -r .daemon.vip_target)" = yes ]
check "B: node 1's log names the refused version" \
	grep -q 'dropped a .*CPG message from node 3 .*unsupported major protocol version; counted as wire bad_version' "$LAB_DIR/1/coordd.log"
echo "# what an administrator sees on node 1 (coordctl status):"
ctl 1 status | sed 's/^/#   /'

# B1. death on node 1 (the current minor, policy release): node 3 is settled at once as
# incompatible; the release is unconfirmed, naming node 3, without waiting
# for the deadline (3000 ms).
bv1=$(bad_version 3)
before=$(release_count 1)
t0=$(now_us)
ctl 1 death --wait --timeout 30 >/dev/null; rc=$?
id=$(last_reported 1)
ev=$(event_json 1 "$id")
check "B1: death on node 1: exits 0 (got $rc)" [ "$rc" = 0 ]
check "B1: released exactly once" [ "$(release_count 1)" = $((before + 1)) ]
check "B1: released unconfirmed (policy release)" \
	sh -c "tail -n1 '$LAB_DIR/1/release.log' | grep -q ' unconfirmed$'"
s=$(echo "$ev" | jq -c '[.state, .overdue, [.survivors[] | [.node_id, .state]]]')
check "B1: node 1 records released before the deadline, node 2 answered, node 3 incompatible (got $s)" \
	[ "$s" = '["released",false,[[2,"answered"],[3,"incompatible"]]]' ]
check "B1: node 1's log names node 3 as not confirmed" \
	grep -q "event $id: every survivor answered, releasing by policy; not confirmed in grace: 3 (incompatible: protocol 2.0)" \
	"$LAB_DIR/1/coordd.log"
# Node 3 refuses the RELEASE last, a moment after death --wait returned:
# once it has, what it did with the DEATH is settled too.
wait_for 20 counted 3 $((bv1 + 3))
g=$(grace_time 2 5:198.18.0.101 "$t0")
check "B1: node 2 ($BASE) entered grace" [ -n "$g" ]
check "B1: node 3 (2.0) was never asked to enter grace" \
	[ -z "$(grace_time 3 5:198.18.0.101 "$t0")" ]
check "B1: node 3 has no record of the event" [ -z "$(event_json 3 "$id")" ]
check "B1: node 3 refused the DEATH (and the ACK, RELEASE) as bad_version" \
	[ "$(bad_version 3)" -ge $((bv1 + 3)) ]
ctl 1 up >/dev/null

# B2. death on node 2 (the current minor, policy hold): held at the deadline, no release.
before=$(release_count 2)
ctl 2 death --wait --timeout 30 >/dev/null; rc=$?
id=$(last_reported 2)
check "B2: death on node 2 (policy hold): exit 1 (got $rc)" [ "$rc" = 1 ]
check "B2: the event is held" [ "$(event_json 2 "$id" | jq -r .state)" = held ]
check "B2: no release" [ "$(release_count 2)" = "$before" ]
check "B2: node 2's log names node 3" \
	grep -q "event $id: deadline passed, holding by policy; not confirmed in grace: 3 (incompatible: protocol 2.0)" \
	"$LAB_DIR/2/coordd.log"
ctl 2 cancel "$id" >/dev/null
ctl 2 up >/dev/null

# B3. death on node 3 (2.0, policy release): nodes 1 and 2 refuse its DEATH;
# it releases unconfirmed at its deadline with nobody in grace.
bv1=$(bad_version 1) bv2=$(bad_version 2)
before=$(release_count 3)
t0=$(now_us)
ctl 3 death --wait --timeout 30 >/dev/null; rc=$?
id=$(last_reported 3)
# Nodes 1 and 2 refuse node 3's RELEASE a moment after its death --wait
# returned: once they have, what they did with its DEATH is settled too.
wait_for 20 counted 1 $((bv1 + 2))
wait_for 20 counted 2 $((bv2 + 2))
check "B3: death on node 3 (2.0): exits 0 (got $rc)" [ "$rc" = 0 ]
check "B3: released unconfirmed" \
	sh -c "[ $(release_count 3) = $((before + 1)) ] && tail -n1 '$LAB_DIR/3/release.log' | grep -q ' unconfirmed$'"
check "B3: neither $BASE node entered grace for node 3's VIP" \
	[ -z "$(grace_time 1 5:198.18.0.103 "$t0")$(grace_time 2 5:198.18.0.103 "$t0")" ]
check "B3: nodes 1 and 2 have no record of it" [ -z "$(event_json 1 "$id")$(event_json 2 "$id")" ]
check "B3: node 1 counted node 3's DEATH and RELEASE as bad_version" \
	[ "$(bad_version 1)" -ge $((bv1 + 2)) ]
ctl 3 up >/dev/null

# --- C. node 3 back at the current minor: the barrier confirms again ---
coord_stop 3
start_build 3 "$B"
check "C: node 3 sees 3 members" wait_coord_members 3 3
# Node 1's DEATH must find the new coordd a member: nodes 1 and 2 see it
# (its pid, not the 2.0 one's) joined too.
sees_new3() {
	[ "$(ctl "$1" --json status | jq '.members[] | select(.node_id == 3) | .pid')" = "$(coord_pid 3)" ]
}
for n in 1 2; do wait_for 20 sees_new3 $n; done
check "C: node 3 speaks $BASE" [ "$(proto_of 3)" = $BASE ]
confirmed_death "C: death on node 1" 1 2 3

echo "1..$T"
[ "$FAILED" = 0 ]
