#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make demo: a local 3-node lab (real corosync in network namespaces, a
# private D-Bus and a fake ganesha per node), one failover with coord and
# the same failover with the old fixed-sleep method, each as a timeline.
# Twice: with healthy survivors, then with node 3's ganesha slow (6 s).
set -u
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/coord_lab.sh"
. "$(dirname "$0")/../lib/seed_method.sh"
lab_trap

ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%8.1f ms", (b - a) / 1000 }'; }

# Prints the timeline of the failover that started at T0 on ORIGIN.
timeline() {	# T0 T_REPORT ORIGIN ARG-SUBSTRING
	local t0=$1 trep=$2 origin=$3 arg=$4 n g rel
	rel=$(tail -n 1 "$LAB_DIR/$origin/release.log" | awk '{print $1}')
	{
		echo "$t0 node $origin: ganesha.nfsd killed"
		[ -n "$trep" ] && echo "$trep node $origin: death reported (coordctl death)"
		for n in 1 2 3; do
			[ "$n" = "$origin" ] && continue
			g=$(awk -v t="$t0" -v a="$arg" '$1 > t && index($3, a) && $4 == "true" {print $1; exit}' \
				"$LAB_DIR/$n/grace.rec")
			if [ -n "$g" ]; then
				echo "$g node $n: ganesha in grace"
			else
				echo "9999999999999999 node $n: ganesha NOT in grace"
			fi
		done
		echo "$rel node $origin: ganesha-active deleted: the VIP moves"
	} | sort -n | while read -r t rest; do
		if [ "$t" = 9999999999999999 ]; then
			printf '  %11s  %s\n' "never" "$rest"
		else
			printf '  %s  %s\n' "$(ms "$t0" "$t")" "$rest"
		fi
	done
	for n in 1 2 3; do
		[ "$n" = "$origin" ] && continue
		g=$(awk -v t="$t0" -v a="$arg" '$1 > t && index($3, a) && $4 == "true" {print $1; exit}' \
			"$LAB_DIR/$n/grace.rec")
		if [ -z "$g" ] || [ "$g" -gt "$rel" ]; then
			echo "  !! node $n was NOT in grace when the VIP moved: its clients' reclaims can fail"
		fi
	done
}

coord_failover() {	# ORIGIN
	local origin=$1 t0 trep
	t0=$(now_us)
	kill "$(cat "$LAB_DIR/$origin/fake.pid")"
	trep=$(now_us)
	ctl "$origin" death --wait --timeout 30 >/dev/null
	echo "coord (confirmed barrier):"
	timeline "$t0" "$trep" "$origin" "198.18.0.10$origin"
	ctl "$origin" events --last 1 | sed 's/^/    /'
}

# Every survivor's ganesha answered grace(ARG) after T0 (in its record).
all_answered() {	# ORIGIN T0 ARG
	local n
	for n in 1 2 3; do
		[ "$n" = "$1" ] && continue
		awk -v t="$2" -v a="$3" '$1 > t && index($3, a) { f = 1 } END { exit !f }' \
			"$LAB_DIR/$n/grace.rec" || return 1
	done
}

seed_run() {	# ORIGIN
	local origin=$1 t0 i=0
	t0=$(now_us)
	kill "$(cat "$LAB_DIR/$origin/fake.pid")"
	seed_failover "$origin"
	# A slow survivor answers after the fixed sleep: wait for its answer
	# (bounded), to show when it came.
	until all_answered "$origin" "$t0" "node$origin" || [ $i -ge 300 ]; do sleep 0.1; i=$((i + 1)); done
	echo "old method (notify + fixed ${SEED_GRACE_DELAY} s sleep):"
	timeline "$t0" "" "$origin" "node$origin"
}

restart_fake() {	# N
	lab_bg "$1" "$LAB_DIR/$1/fake_ganesha.out" "$FAKE_GANESHA" \
		--fault-file "$LAB_DIR/$1/fault" --record "$LAB_DIR/$1/grace.rec" \
		>"$LAB_DIR/$1/fake.pid"
	local i=0
	until get_grace "$1" >/dev/null || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
	# At bring-up coordd is not started yet (it starts with its server up).
	[ -S "$LAB_DIR/$1/coordd.sock" ] && ctl "$1" up >/dev/null
}

echo "== bringing up a 3-node lab (corosync, D-Bus, fake ganesha, coordd per node)"
lab_up 3 || exit 1
for n in 1 2 3; do
	coord_config $n release 15000 10000
	# Only coordctl death reports here: coordd's own watch would also see
	# the old method's kill, run its barrier and release (a line in the
	# release log the old method's timeline would read as its own).
	echo "detect = off" >>"$LAB_DIR/$n/coordd.conf"
	: >"$LAB_DIR/$n/grace.rec"
	echo ok >"$LAB_DIR/$n/fault"
	restart_fake $n
	coord_start $n >/dev/null
done
for n in 1 2 3; do wait_coord_members $n 3 || exit 1; done
ctl 1 status | sed 's/^/    /'

echo
echo "== 1. healthy survivors: node 2's ganesha dies"
coord_failover 2
restart_fake 2
echo
seed_run 2
restart_fake 2

echo
echo "== 2. node 3's ganesha takes 6 s to enter grace: node 2's ganesha dies"
fault 3 "delay 6000"
coord_failover 2
restart_fake 2
echo
seed_run 2
fault 3 ok
echo
echo "== tearing the lab down"
