#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Two deaths at once on a 5-node cluster: both events complete, each with
# its own single release, and the three healthy nodes enter grace for both
# VIPs before the respective release.  The two dead nodes do not hold each
# other's barrier.
set -u
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/coord_lab.sh"
lab_trap

echo "# bringing up 5 nodes"
if ! lab_up 5; then
	not_ok "lab bring-up"
	exit 1
fi
for n in 1 2 3 4 5; do
	coord_config $n hold 8000 5000
	fake_start $n >/dev/null
	coord_start $n >/dev/null
done
for n in 1 2 3 4 5; do
	check "node $n: coordd sees 5 members" wait_coord_members $n 5
done

t0=$(now_us)
ctl 2 death --wait --timeout 30 >/dev/null & p2=$!
ctl 4 death --wait --timeout 30 >/dev/null & p4=$!
wait $p2; rc2=$?
wait $p4; rc4=$?
check "node 2's death --wait exits 0 (got $rc2)" [ "$rc2" = 0 ]
check "node 4's death --wait exits 0 (got $rc4)" [ "$rc4" = 0 ]
for o in 2 4; do
	check "node $o released exactly once" [ "$(release_count $o)" = 1 ]
	rel=$(awk '{print $1; exit}' "$LAB_DIR/$o/release.log" 2>/dev/null)
	for n in 1 3 5; do
		g=$(awk -v a="5:198.18.0.10$o" -v t="$t0" '$3 == a && $4 == "true" && $1 > t {print $1; exit}' \
			"$LAB_DIR/$n/grace.rec")
		if [ -n "$g" ] && [ -n "$rel" ] && [ "$g" -lt "$rel" ]; then
			ok "node $n in grace for 198.18.0.10$o before node $o's release"
		else
			not_ok "node $n in grace for 198.18.0.10$o before node $o's release" \
				"grace '${g:-never}', release '${rel:-never}'"
		fi
	done
done
# Each origin's death --wait returns when its own record ends; the others
# end theirs when its RELEASE is delivered to them, a moment later: wait
# for that delivery on every node, not for a time.
both_ended() {	# N: node N records two reported events, both ended
	[ "$(ctl "$1" --json events | jq '[.events[] | select(.reason == "reported" and
		(.state | IN("released", "release-failed", "abandoned", "cancelled", "done")))] | length')" = 2 ]
}
all_ended() { local n; for n in 1 2 3 4 5; do both_ended $n || return 1; done; }
wait_for 20 all_ended
agree=$(for n in 1 2 3 4 5; do
	ctl $n --json events | jq -c '[.events[] | select(.reason == "reported") | [.id, .state, ([.survivors[].node_id] | sort)]] | sort'
done | sort -u | wc -l)
check "all 5 nodes hold the same two events, states and survivor sets" [ "$agree" = 1 ]

echo "1..$T"
[ "$FAILED" = 0 ]
