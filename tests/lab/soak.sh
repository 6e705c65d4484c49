#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The randomised soak: SOAK_FAILOVERS failovers (default 200) on a 5-node lab
# (coordd and a fake ganesha per node), each with random faults on the
# survivors: slow, failing, erroring or hung grace calls, a survivor's coordd
# stopped (SIGSTOP, sometimes past the deadline) or killed mid-barrier.
# After every event, the invariant is checked on recorded facts:
#   - exactly one release per released event, none for any other;
#   - a release recorded `confirmed`: every survivor that did not leave
#     answered in-grace (or self-down), and its ganesha's own record shows
#     grace entered for the dead node's VIP between the death and the
#     release command's start;
#   - a release recorded `unconfirmed`: only under policy `release`, and
#     every survivor the record calls in-grace really was before the
#     release; the others are named in the record;
#   - policy `hold` never releases unconfirmed.
# Usage: bash tests/lab/soak.sh   (SOAK_FAILOVERS=N SOAK_SEED=S; B=build dir)
# Prints TAP, one line per failover, and a summary line.
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/coord_lab.sh"
lab_trap

N=5
FAILOVERS=${SOAK_FAILOVERS:-200}
SEED=${SOAK_SEED:-$$}
RANDOM=$SEED
DEADLINE=1500 GRACE_TIMEOUT=1000
echo "# soak: $FAILOVERS failovers on $N nodes, seed $SEED (SOAK_SEED=$SEED to replay the choices)"

if ! lab_up $N; then
	not_ok "lab bring-up"
	exit 1
fi
policy_of() { [ "$1" -ge 4 ] && echo hold || echo release; }
for n in $(seq 1 $N); do
	coord_config "$n" "$(policy_of "$n")" $DEADLINE $GRACE_TIMEOUT
	sed -i 's/^log_level = debug$/log_level = info/' "$LAB_DIR/$n/coordd.conf"
	fake_start "$n" >/dev/null
	coord_start "$n" >/dev/null
done
for n in $(seq 1 $N); do
	wait_coord_members "$n" $N 60 || { not_ok "node $n sees $N members"; exit 1; }
done

release_time() { awk -v id="$2" '$2 == id { print $1; exit }' "$LAB_DIR/$1/release.log" 2>/dev/null; }
grace_between() {	# N ARG FROM TO: node N's ganesha answered true to ARG in (FROM, TO)
	awk -v a="$2" -v f="$3" -v t="$4" \
		'$3 == a && $4 == "true" && $1 > f && $1 < t { ok = 1 } END { exit !ok }' \
		"$LAB_DIR/$1/grace.rec"
}

faults=0 violations=0 confirmed=0 unconfirmed=0 held=0 other=0
declare -A kinds
for f in $(seq 1 "$FAILOVERS"); do
	o=$((RANDOM % N + 1))
	vip=$(vip_of "$o")
	stopped="" killed="" plan=""
	for n in $(seq 1 $N); do
		[ "$n" = "$o" ] && continue
		r=$((RANDOM % 100))
		if [ $r -lt 55 ]; then k=ok; fault "$n" ok
		elif [ $r -lt 75 ]; then k=delay; fault "$n" "delay $((RANDOM % 800))"
		elif [ $r -lt 80 ]; then k=false; fault "$n" false
		elif [ $r -lt 85 ]; then k=error; fault "$n" error
		elif [ $r -lt 90 ]; then k=hang; fault "$n" hang
		elif [ $r -lt 96 ]; then k=stop; fault "$n" ok; stopped="$stopped $n"
		else k=kill; fault "$n" ok; killed="$killed $n"
		fi
		plan="$plan $n:$k"
		[ $k = ok ] || { faults=$((faults + 1)); kinds[$k]=$(( ${kinds[$k]:-0} + 1 )); }
	done
	for n in $stopped; do kill -STOP "$(coord_pid "$n")"; done
	t0=$(now_us)
	ctl "$o" --json death --wait --timeout 20 >/dev/null &
	dpid=$!
	if [ -n "$killed" ]; then
		sleep 0.0$((RANDOM % 10))
		for n in $killed; do coord_stop "$n" KILL; done
	fi
	if [ -n "$stopped" ]; then
		sleep "$((RANDOM % 3)).$((RANDOM % 10))"
		for n in $stopped; do kill -CONT "$(coord_pid "$n")"; done
	fi
	wait $dpid
	id=$(last_reported "$o")
	ej=$(event_json "$o" "$id")
	state=$(echo "$ej" | jq -r .state)
	if [ "$state" = held ]; then	# policy hold: an operator would cancel
		ctl "$o" cancel "$id" >/dev/null
		sleep 0.2
		ej=$(event_json "$o" "$id")
		state=$(echo "$ej" | jq -r .state)
		held=$((held + 1))
	fi
	outcome=$(echo "$ej" | jq -r '.release_outcome // "none"')
	nrel=$(releases_of "$o" "$id")
	rel=$(release_time "$o" "$id")
	bad=""
	case $state in
	released)
		[ "$nrel" = 1 ] || bad="$bad; $nrel releases"
		[ "$outcome" = unconfirmed ] && [ "$(policy_of "$o")" = hold ] &&
			bad="$bad; policy hold released unconfirmed"
		# shellcheck disable=SC2046
		for sv in $(echo "$ej" | jq -r '.survivors[] | "\(.node_id):\(.state):\(.result):\(.late)"'); do
			IFS=: read -r sn sst sres slate <<<"$sv"
			# Only coordd is killed here, never a node: a survivor
			# that left still had its ganesha and could take the VIP.
			if [ "$sst" = left ]; then
				[ "$outcome" = confirmed ] &&
					bad="$bad; confirmed although survivor $sn left with its node up"
				continue
			fi
			[ "$sres" = self-down ] && continue
			if [ "$sres" = in-grace ] && [ "$slate" = false ]; then
				grace_between "$sn" "5:$vip" "$t0" "$rel" ||
					bad="$bad; survivor $sn recorded in-grace but its ganesha has no grace before the release"
			elif [ "$outcome" = confirmed ]; then
				bad="$bad; confirmed although survivor $sn is $sst/$sres"
			fi
		done
		[ "$outcome" = confirmed ] && confirmed=$((confirmed + 1)) || unconfirmed=$((unconfirmed + 1))
		;;
	*)
		[ "$nrel" = 0 ] || bad="$bad; $nrel releases for a $state event"
		other=$((other + 1))
		;;
	esac
	if [ -z "$bad" ]; then
		ok "failover $f: origin $o,$plan: $state ${outcome}"
	else
		violations=$((violations + 1))
		not_ok "failover $f: origin $o,$plan: $state $outcome" "${bad#; }" "event: $ej"
	fi
	# Back to a healthy cluster for the next one.
	for n in $killed; do coord_start "$n" >/dev/null; done
	for n in $(seq 1 $N); do fault "$n" ok; done
	ctl "$o" up >/dev/null
	if [ -n "$killed" ]; then
		for n in $(seq 1 $N); do wait_coord_members "$n" $N 30 >/dev/null || break; done
	fi
	# A stopped survivor's late answer must not start anything: let it land.
	[ -n "$stopped" ] && sleep 0.3
done

summary="$FAILOVERS failovers, $faults faults injected ("
for k in delay false error hang stop kill; do summary="$summary$k ${kinds[$k]:-0}, "; done
summary="${summary%, }), released $confirmed confirmed + $unconfirmed unconfirmed, $other not released ($held of them held under policy hold, then cancelled); $violations invariant violations"
echo "# soak: $summary"
check "soak: 0 invariant violations in $FAILOVERS failovers" [ "$violations" = 0 ]
for n in $(seq 1 $N); do
	check "soak: node $n's coordd is still running" kill -0 "$(coord_pid "$n")"
done
echo "1..$T"
[ "$FAILED" = 0 ]
