#!/bin/sh
# make sim-mutants: the simulator against planted bugs.  Each patch in
# tests/sim/mutants/ is applied to a copy of coord/engine.c and proto/wire.c
# (never to the shipped code), or of the simulator's models of the agent and the
# gate; the simulator must catch every one.  The
# first lines of a patch say which invariant catches it ("# caught by:") and,
# for a rare schedule, how many schedules it may take ("# schedules: N").
# Last line, exactly:
#   mutants: <caught> caught, <survived> survived
set -u
B=${B:-build}
CC=${CC:-cc}
SIM_CFLAGS=${SIM_CFLAGS:--std=gnu11 -O2 -g -Wall -Wextra -Werror -Iinclude -Itests -D_GNU_SOURCE}
SCHEDULES=${MUTANT_SCHEDULES:-20000}
caught=0 survived=0 n=0
for p in tests/sim/mutants/*.patch; do
	name=$(basename "$p" .patch)
	# MUTANTS="a b": only these (a quicker look at a few)
	case " ${MUTANTS:-$name} " in *" $name "*) ;; *) continue ;; esac
	dir=$B/sim/mutants/$name
	n=$((n + 1))
	rm -rf "$dir" && mkdir -p "$dir/coord" "$dir/proto" "$dir/tests/sim"
	cp coord/engine.c "$dir/coord/engine.c"
	cp proto/wire.c proto/*.h "$dir/proto/"
	cp tests/sim/sim.c "$dir/tests/sim/"	# its models of the agent and the gate
	if ! patch -s -d "$dir" -p0 <"$p" ||
	   ! $CC $SIM_CFLAGS -Iproto -o "$dir/sim" "$dir/tests/sim/sim.c" "$dir/proto/wire.c" \
		"$dir/coord/engine.c" tests/harness/cluster.c; then
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
