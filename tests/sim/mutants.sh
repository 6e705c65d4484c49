#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make sim-mutants: the simulator against planted bugs.  Each patch in
# tests/sim/mutants/ is applied to a copy of the simulator's sources
# (SIM_SRCS, from the Makefile: the engine, the codecs and the simulator's
# own models of the agent and the gate; never to the tree), and the
# simulator built from that copy must catch every one.  The
# first lines of a patch say which invariant catches it ("# caught by:") and,
# for a rare schedule, how many schedules it may take ("# schedules: N").
# Last line, exactly:
#   mutants: <caught> caught, <survived> survived
set -u
: "${SIM_CFLAGS:?run me through make sim-mutants}" "${SIM_SRCS:?run me through make sim-mutants}"
B=${B:-build}
CC=${CC:-cc}
SCHEDULES=${MUTANT_SCHEDULES:-20000}
caught=0 survived=0 n=0
for p in tests/sim/mutants/*.patch; do
	name=$(basename "$p" .patch)
	# MUTANTS="a b": only these (a quicker look at a few)
	case " ${MUTANTS:-$name} " in *" $name "*) ;; *) continue ;; esac
	dir=$B/sim/mutants/$name
	n=$((n + 1))
	rm -rf "$dir" && mkdir -p "$dir"
	copies=
	for f in $SIM_SRCS; do	# each source, and the headers beside it
		d=$(dirname "$f")
		mkdir -p "$dir/$d" && cp "$f" $(ls "$d"/*.h 2>/dev/null) "$dir/$d/"
		copies="$copies $dir/$f"
	done
	if ! patch -s -d "$dir" -p0 <"$p" ||
	   ! $CC $SIM_CFLAGS -o "$dir/sim" $copies; then
		echo "not ok $n - mutant $name: does not apply or build"
		survived=$((survived + 1))
		continue
	fi
	# A rare schedule may need more: "# schedules: N" in the patch.
	n_sched=$(sed -n 's/^# schedules: \([0-9]*\)$/\1/p' "$p")
	[ -n "$n_sched" ] && [ "$n_sched" -gt "$SCHEDULES" ] || n_sched=$SCHEDULES
	line=$("$dir/sim" -x -n "$n_sched" | grep '^seed ' | head -n 1)
	if [ -n "$line" ]; then
		caught=$((caught + 1))
		echo "ok $n - mutant $name caught: $line"
	else
		survived=$((survived + 1))
		echo "not ok $n - mutant $name survived $n_sched schedules"
	fi
done
echo "mutants: $caught caught, $survived survived"
[ "$survived" = 0 ]
