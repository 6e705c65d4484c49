#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make bench: coord's barrier against its floor, the old method and its cost,
# on the netns lab (real corosync, a private bus and a fake ganesha per node).
# See docs/performance.md for what each figure means.
#
#   1. latency: BENCH_ROUNDS failovers per node count (BENCH_NODES), origin
#      rotating, each followed by one round of the bare CPG probe
#      (bench/cpg_probe.c) and one of the probe with the D-Bus grace call
#      (cpg_probe -d) from the same origin, interleaved so that noise falls
#      on all alike;
#   2. the old method (notify + fixed sleep, tests/lab/lib/seed_method.sh) and
#      coord with one survivor's grace call slowed by BENCH_SLOW_MS, on 3 nodes;
#   3. cost, on 3 nodes: coordd's memory idle and after >= 1000 events, CPU
#      time per failover, and BENCH_PENDING events pending at once.
#
# Raw samples go to $B/bench-run/, the summary to bench/results.json.
set -u
COORD_TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$COORD_TOP" || exit 1
. tests/lab/lib/lab.sh
. tests/lab/lib/coord_lab.sh
. tests/lab/lib/seed_method.sh
lab_trap

BENCH_NODES=${BENCH_NODES:-"3 5 8 16 32"}
BENCH_ROUNDS=${BENCH_ROUNDS:-200}
BENCH_WARMUP=${BENCH_WARMUP:-5}
BENCH_SLOW_RUNS=${BENCH_SLOW_RUNS:-10}
BENCH_SLOW_MS=${BENCH_SLOW_MS:-6000}
BENCH_EVENTS=${BENCH_EVENTS:-1000}
BENCH_PENDING=${BENCH_PENDING:-100}
BENCH_LOG_LEVEL=${BENCH_LOG_LEVEL:-notice}
BENCH_OUT=${BENCH_OUT:-$COORD_TOP/bench/results.json}
PROBE=$B/bench/cpg_probe
PROBE_TRIGGER=$B/bench/probe_trigger
RUN=${BENCH_RUN:-$B/bench-run}
STATS=$COORD_TOP/bench/stats.awk
rm -rf "$RUN" && mkdir -p "$RUN"
EVENTS_SEEN=0	# failovers driven on the 3-node lab

say() { echo "# bench: $*" >&2; }
now() { echo "${EPOCHREALTIME/./}"; }	# CLOCK_REALTIME µs, no fork
stats() { awk -v col="$2" -v minus="${3:-0}" -f "$STATS" "$1"; }	# FILE COLUMN [MINUS-COLUMN]
jget() { jq -r "$2" "$1"; }

# coord_lab.sh's coord_config, with the log level of the bench (notice:
# coordd's default) and nothing else changed.
bench_config() {	# N POLICY DEADLINE_MS GRACE_TIMEOUT_MS
	coord_config "$1" "$2" "$3" "$4"
	sed -i "s/^log_level = .*/log_level = $BENCH_LOG_LEVEL/" "$LAB_DIR/$1/coordd.conf"
}

# KIND probe: the bare exchange; KIND probe-dbus: the same plus one grace
# call per survivor (cpg_probe -d).  Each kind in its own CPG group.
probe_start() {	# N KIND: the same release command shape as coord_config's
	local d=$LAB_DIR/$1 opt=
	[ "$2" = probe-dbus ] && opt=-d
	lab_bg "$1" "$d/$2.out" "$PROBE" serve -g "coord-bench-$2" -s "$d/$2.sock" $opt \
		-r "echo \"\$(date +%s%6N) \$COORD_EVENT \$COORD_OUTCOME\" >> $d/$2-release.log" \
		>/dev/null
}

sock() { echo "$LAB_DIR/$1/coordd.sock"; }

# One failover with coord: t0 is taken right before coordctl is started.
coord_round() {	# ORIGIN RAW-PREFIX
	local o=$1 t0 rc
	t0=$(now)
	"$COORDCTL" -s "$(sock "$o")" --json death --wait --timeout 30 >>"$2.json"; rc=$?
	echo "$t0 $rc $o" >>"$2.t0"
	"$COORDCTL" -s "$(sock "$o")" up >/dev/null
}

# One probe round from the same origin, measured the same way.
probe_round() {	# ORIGIN RAW-PREFIX KIND
	local o=$1 t0
	t0=$(now)
	"$PROBE_TRIGGER" "$LAB_DIR/$o/$3.sock" >>"$2.out"
	echo "$t0 $o" >>"$2.t0"
}

# The probe's samples: t0 origin round answers expected done_us status
# e2e_us delivery_us; the JSON summary on stdout.
probe_table() {	# RAW-PREFIX KIND NODES
	local raw=$1 s=$(($3 - 1)) bad
	release_lines "$2-release.log" >"$raw.rel"
	paste -d ' ' "$raw.t0" "$raw.out" |
		awk 'NR == FNR { rel[$1] = $2; next }
		     { id = "probe." $2 "." $4; print $1, $2, $4, $6, $8, $12, $14,
		       (rel[id] ? rel[id] - $1 : -1), $10 }' "$raw.rel" - >"$raw.txt"
	bad=$(awk -v s=$s '$4 != s || $5 != s || $7 != 0 || $8 < 0' "$raw.txt" | wc -l)
	[ "$bad" = 0 ] || say "$3 nodes: $bad $2 round(s) without all $s answers"
	jq -n --argjson i "$(stats "$raw.txt" 6)" --argjson e "$(stats "$raw.txt" 8)" \
		--argjson p1 "$(stats "$raw.txt" 9)" --argjson p2 "$(stats "$raw.txt" 6 9)" \
		--argjson ok "$(awk -v s=$s '$4 == s && $7 == 0' "$raw.txt" | wc -l)" '
		{ all_answers: $ok, internal_ms: $i, end_to_end_ms: $e,
		  stages_ms: { request_to_delivery: $p1, delivery_to_all_answers: $p2 } }'
}

# Every release line of this lab: "timestamp event-id".
release_lines() {	# FILE-NAME
	local n
	for n in $(seq 1 "$LAB_N"); do
		[ -f "$LAB_DIR/$n/$1" ] && awk '{print $2, $1}' "$LAB_DIR/$n/$1"
	done
}

start_lab() {	# N POLICY DEADLINE_MS GRACE_TIMEOUT_MS
	local n
	say "bringing up $1 nodes"
	lab_up "$1" || { say "lab bring-up failed"; exit 1; }
	for n in $(seq 1 "$1"); do
		bench_config "$n" "$2" "$3" "$4"
		fake_start "$n" >/dev/null
		coord_start "$n" >/dev/null
		probe_start "$n" probe
		probe_start "$n" probe-dbus
	done
	for n in $(seq 1 "$1"); do
		wait_coord_members "$n" "$1" 30 || exit 1
	done
}

# ---- 1. latency: coord and the probe, interleaved ----
latency() {	# N
	local n=$1 i o raw=$RUN/n$1 bad
	for i in $(seq 1 "$BENCH_WARMUP"); do
		o=$(( (i - 1) % n + 1 ))
		coord_round "$o" "$raw-warm-coord"
		probe_round "$o" "$raw-warm-probe" probe
		probe_round "$o" "$raw-warm-probe-dbus" probe-dbus
	done
	say "$n nodes: $BENCH_ROUNDS failovers, coord and the probes interleaved"
	for i in $(seq 1 "$BENCH_ROUNDS"); do
		o=$(( (i - 1) % n + 1 ))
		coord_round "$o" "$raw-coord"
		probe_round "$o" "$raw-probe" probe
		probe_round "$o" "$raw-probe-dbus" probe-dbus
	done
	EVENTS_SEEN=$((EVENTS_SEEN + BENCH_WARMUP + BENCH_ROUNDS))
	# coord: t0 rc origin | id internal_us outcome in_grace survivors, then
	# the release command's timestamp for that id.
	jq -r '.event | [.id, ((.report_to_delivery_ms + .release_ms) * 1000 | round),
		(.release_outcome // "none"), ([.survivors[] | select(.result == "in-grace")] | length),
		(.survivors | length), (.report_to_delivery_ms * 1000 | round),
		(.complete_ms * 1000 | round), (.release_ms * 1000 | round),
		([.survivors[].grace_latency_ms // 0] | max * 1000 | round)] | @tsv' \
		"$raw-coord.json" >"$raw-coord.ev"
	release_lines release.log >"$raw-coord.rel"
	paste -d ' ' "$raw-coord.t0" "$raw-coord.ev" |
		awk 'NR == FNR { rel[$1] = $2; next }
		     { print $0, (rel[$4] ? rel[$4] - $1 : -1) }' "$raw-coord.rel" - >"$raw-coord.txt"
	# columns: t0 rc origin id internal_us outcome in_grace survivors
	#	report_to_delivery_us complete_us release_us max_grace_call_us e2e_us
	bad=$(awk -v s=$((n - 1)) '$2 != 0 || $6 != "confirmed" || $7 != s || $8 != s || $13 < 0' \
		"$raw-coord.txt" | wc -l)
	[ "$bad" = 0 ] || say "$n nodes: $bad coord failover(s) not confirmed by all $((n - 1)) survivors"
	probe_table "$raw-probe" probe "$n" >"$raw-probe.json"
	probe_table "$raw-probe-dbus" probe-dbus "$n" >"$raw-probe-dbus.json"
	jq -n --argjson nodes "$n" \
		--argjson ci "$(stats "$raw-coord.txt" 5)" --argjson ce "$(stats "$raw-coord.txt" 13)" \
		--argjson c1 "$(stats "$raw-coord.txt" 9)" --argjson c2 "$(stats "$raw-coord.txt" 10)" \
		--argjson c3 "$(stats "$raw-coord.txt" 11 10)" --argjson cg "$(stats "$raw-coord.txt" 12)" \
		--argjson cx "$(stats "$raw-coord.txt" 5 12)" \
		--slurpfile p "$raw-probe.json" --slurpfile pd "$raw-probe-dbus.json" \
		--argjson cok "$(awk -v s=$((n - 1)) '$2 == 0 && $6 == "confirmed" && $7 == s' "$raw-coord.txt" | wc -l)" '
		def ratio(a; b): if b > 0 then (a / b * 100 | round) / 100 else null end;
		{ nodes: $nodes,
		  coord: { confirmed_by_all: $cok, internal_ms: $ci, end_to_end_ms: $ce,
			   stages_ms: { request_to_delivery: $c1, delivery_to_all_answers: $c2,
					all_answers_to_release: $c3, slowest_grace_call: $cg,
					internal_minus_slowest_grace_call: $cx } },
		  probe: $p[0], probe_dbus: $pd[0],
		  ratio: { internal: { median: ratio($ci.median; $p[0].internal_ms.median),
				       p99: ratio($ci.p99; $p[0].internal_ms.p99) },
			   end_to_end: { median: ratio($ce.median; $p[0].end_to_end_ms.median),
					 p99: ratio($ce.p99; $p[0].end_to_end_ms.p99) } },
		  ratio_to_probe_dbus: {
			internal: { median: ratio($ci.median; $pd[0].internal_ms.median),
				    p99: ratio($ci.p99; $pd[0].internal_ms.p99) },
			end_to_end: { median: ratio($ce.median; $pd[0].end_to_end_ms.median),
				      p99: ratio($ce.p99; $pd[0].end_to_end_ms.p99) } } }' \
		>"$RUN/latency-$n.json"
}

# ---- 2. the old method against coord, one survivor slow ----
first_grace() {	# NODE ARG AFTER_US: when NODE's ganesha answered true to ARG
	awk -v a="$2" -v t="$3" '$3 == a && $4 == "true" && $1 > t { print $1; exit }' \
		"$LAB_DIR/$1/grace.rec"
}

# Whether every survivor of ORIGIN was in grace for ARG before RELEASE.
all_in_grace_before() {	# ORIGIN ARG T0 RELEASE_US
	local s g
	for s in $(seq 1 "$LAB_N"); do
		[ "$s" = "$1" ] && continue
		g=$(first_grace "$s" "$2" "$3")
		[ -n "$g" ] && [ "$g" -le "$4" ] || return 1
	done
}

slow_compare() {
	local i o s t0 rel raw=$RUN/slow w
	say "3 nodes: old method and coord, $BENCH_SLOW_RUNS runs each, one survivor ${BENCH_SLOW_MS} ms slow"
	for i in $(seq 1 "$BENCH_SLOW_RUNS"); do
		o=$(( (i - 1) % 3 + 1 )) s=$(( i % 3 + 1 ))
		fault "$s" "delay $BENCH_SLOW_MS"
		# the old method: notify every survivor, sleep, release
		t0=$(now)
		seed_failover "$o"
		rel=$(tail -n 1 "$LAB_DIR/$o/release.log" | awk '{print $1}')
		w=0	# let the slow survivor answer before the next run
		until [ -n "$(first_grace "$s" "node$o" "$t0")" ] || [ $w -ge 150 ]; do
			sleep 0.1; w=$((w + 1))
		done
		if all_in_grace_before "$o" "node$o" "$t0" "$rel"; then ok=1; else ok=0; fi
		echo "$t0 $o $s $((rel - t0)) $ok" >>"$raw-seed.txt"
		# coord: the barrier
		t0=$(now)
		"$COORDCTL" -s "$(sock "$o")" death --wait --timeout 60 >/dev/null
		"$COORDCTL" -s "$(sock "$o")" up >/dev/null
		rel=$(tail -n 1 "$LAB_DIR/$o/release.log" | awk '{print $1}')
		if all_in_grace_before "$o" "5:$(vip_of "$o")" "$t0" "$rel"; then ok=1; else ok=0; fi
		echo "$t0 $o $s $((rel - t0)) $ok" >>"$raw-coord.txt"
		fault "$s" ok
	done
	EVENTS_SEEN=$((EVENTS_SEEN + BENCH_SLOW_RUNS))
	jq -n --argjson runs "$BENCH_SLOW_RUNS" --argjson slow "$BENCH_SLOW_MS" \
		--argjson sleep "$SEED_GRACE_DELAY" \
		--argjson sl "$(stats "$raw-seed.txt" 4)" --argjson cl "$(stats "$raw-coord.txt" 4)" \
		--argjson sbad "$(awk '$5 == 0' "$raw-seed.txt" | wc -l)" \
		--argjson cbad "$(awk '$5 == 0' "$raw-coord.txt" | wc -l)" '
		{ nodes: 3, runs: $runs, slow_survivor_delay_ms: $slow,
		  old_method: { fixed_sleep_s: $sleep, source: "ganesha_mon grace_delay default (GlusterFS common-ha)",
				released_before_all_in_grace: $sbad, release_ms: $sl },
		  coord: { released_before_all_in_grace: $cbad, release_ms: $cl } }' >"$RUN/slow.json"
}

# ---- 3. cost ----
mem_of() {	# PID: {"rss_kib":…, "hwm_kib":…, "anon_kib":…, "file_kib":…, "shmem_kib":…}
	awk '/^VmRSS:/ {r = $2} /^VmHWM:/ {h = $2} /^RssAnon:/ {a = $2} /^RssFile:/ {f = $2}
	     /^RssShmem:/ {s = $2}
	     END {printf "\"rss_kib\":%d,\"hwm_kib\":%d,\"anon_kib\":%d,\"file_kib\":%d,\"shmem_kib\":%d",
		  r, h, a, f, s}' "/proc/$1/status"
	awk '/^Pss:/ {printf ",\"pss_kib\":%d", $2}' "/proc/$1/smaps_rollup"
	# libqb's blackbox (coordd's post-mortem log ring): a shared memory file
	awk '/^[0-9a-f]+-[0-9a-f]+ / {bb = ($6 ~ /blackbox/)} bb && /^Rss:/ {k += $2}
	     END {printf ",\"blackbox_kib\":%d", k}' "/proc/$1/smaps"
}
cpu_ticks() {	# PID: utime + stime
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}
mem_json() {	# label: every coordd of the lab
	local n pids=""
	for n in $(seq 1 "$LAB_N"); do
		pids="$pids{\"node\":$n,$(mem_of "$(coord_pid "$n")")},"
	done
	echo "[${pids%,}]"
}

cost_failovers() {	# COUNT: failovers, origin rotating, no measurement
	local i o
	for i in $(seq 1 "$1"); do
		o=$(( (i - 1) % LAB_N + 1 ))
		"$COORDCTL" -s "$(sock "$o")" death --wait --timeout 30 >/dev/null ||
			say "cost failover $i from node $o did not end well"
		"$COORDCTL" -s "$(sock "$o")" up >/dev/null
	done
}

cpu_and_memory() {	# IDLE-MEMORY-JSON
	local n count t_before=0 t_after=0 hz
	hz=$(getconf CLK_TCK)
	count=$((BENCH_EVENTS - EVENTS_SEEN))
	[ "$count" -lt 200 ] && count=200
	say "3 nodes: $count more failovers for CPU time and memory (events so far: $EVENTS_SEEN)"
	for n in 1 2 3; do t_before=$((t_before + $(cpu_ticks "$(coord_pid "$n")"))); done
	cost_failovers "$count"
	for n in 1 2 3; do t_after=$((t_after + $(cpu_ticks "$(coord_pid "$n")"))); done
	EVENTS_SEEN=$((EVENTS_SEEN + count))
	jq -n --argjson idle "$1" --argjson after "$(mem_json)" --argjson events "$EVENTS_SEEN" \
		--argjson count "$count" --argjson ticks $((t_after - t_before)) --argjson hz "$hz" '
		{ nodes: 3, idle: $idle, after_events: { events: $events, memory: $after },
		  cpu: { failovers: $count, ticks: $ticks, clk_tck: $hz,
			 cluster_ms_per_failover: (($ticks / $hz * 1000 / $count) * 1000 | round / 1000),
			 per_coordd_ms_per_failover: (($ticks / $hz * 1000 / $count / 3) * 1000 | round / 1000) } }' \
		>"$RUN/cost.json"
}

# Median wall time of COUNT runs of a coordctl command on node 1, in ms.
ctl_time() {	# COUNT args...
	local c=$1 i t
	shift
	for i in $(seq 1 "$c"); do
		t=$(now)
		"$COORDCTL" -s "$(sock 1)" "$@" >/dev/null
		echo $(( $(now) - t ))
	done >"$RUN/ctl-time.txt"
	awk -v col=1 -f "$STATS" "$RUN/ctl-time.txt" | jq .median
}

# Node 1 lists node N's current coordd (the one in its pid file) as a member.
rejoined() {	# N
	local i pid
	for i in $(seq 1 300); do
		pid=$(coord_pid "$1")
		[ -n "$pid" ] && "$COORDCTL" -s "$(sock 1)" --json status 2>/dev/null |
			jq -e --argjson n "$1" --argjson p "$pid" \
				'any(.members[]; .node_id == $n and .pid == $p)' >/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# BENCH_PENDING node-left events pending at once on node 1: node 2's coordd
# hung (SIGSTOP: it never answers), node 3's coordd killed and restarted
# BENCH_PENDING times (each kill is a member leaving: an event on 1 and 2).
pending() {
	local n i p pend st ev t0 drained=-1 mem
	say "3 nodes: $BENCH_PENDING events pending at once (node 2's coordd stopped, node 3's crash-looped)"
	for n in 1 2 3; do
		coord_stop "$n"
		bench_config "$n" hold 3600000 600000
		(coord_start "$n" >/dev/null)
	done
	for n in 1 2 3; do wait_coord_members "$n" 3 30 || return 1; done
	kill -STOP "$(coord_pid 2)"
	for i in $(seq 1 "$BENCH_PENDING"); do
		coord_stop 3 KILL
		(coord_start 3 >/dev/null)	# not a job: no "Killed" line per kill
		rejoined 3 || { say "node 3 did not rejoin"; break; }
	done
	sleep 1
	"$COORDCTL" -s "$(sock 1)" --json status >"$RUN/pending-status.json"
	"$COORDCTL" -s "$(sock 1)" status >"$RUN/pending-status.txt"
	"$COORDCTL" -s "$(sock 1)" events --last 2 >"$RUN/pending-events.txt"
	pend=$(jget "$RUN/pending-status.json" .daemon.pending_events)
	st=$(ctl_time 20 status)
	ev=$(ctl_time 20 --json events)
	mem=$(mem_json)
	say "node 1: $pend events pending; coordctl status ${st} ms, events ${ev} ms (medians)"
	sed 's/^/#   /' "$RUN/pending-status.txt" | head -n 12 >&2
	kill -CONT "$(coord_pid 2)"
	t0=$(now)
	for i in $(seq 1 600); do
		p=$("$COORDCTL" -s "$(sock 1)" --json status | jq .daemon.pending_events)
		[ "$p" = 0 ] && { drained=$(( ($(now) - t0) / 1000 )); break; }
		sleep 0.1
	done
	"$COORDCTL" -s "$(sock 1)" --json events >"$RUN/pending-after.json"
	jq -n --argjson asked "$BENCH_PENDING" --argjson pend "$pend" --argjson st "$st" \
		--argjson ev "$ev" --argjson mem "$mem" --argjson drained "$drained" \
		--argjson results "$(jq -c '[.events[] | select(.reason == "node-left") |
			.survivors[] | select(.node_id == 2) | "\(.result // .state): \(.detail)"] |
			group_by(.) | map({key: .[0], value: length}) | from_entries' "$RUN/pending-after.json")" '
		{ nodes: 3, crash_loops: $asked, pending_on_node1: $pend,
		  coordctl_status_ms_median: $st, coordctl_events_json_ms_median: $ev,
		  memory: $mem, drained_ms_after_sigcont: $drained,
		  node2_answers_after_sigcont: $results }' >"$RUN/pending.json"
}

# ---- the run ----
start_time=$(now)
for nodes in $BENCH_NODES; do
	start_lab "$nodes" release 15000 10000
	if [ "$nodes" = 3 ]; then
		sleep 1
		idle_mem=$(mem_json)
	fi
	latency "$nodes"
	if [ "$nodes" = 3 ]; then
		[ "$BENCH_SLOW_RUNS" -gt 0 ] && slow_compare
		cpu_and_memory "$idle_mem"
		pending
	fi
	lab_down
done

jq -n --arg date "$(date -u +%FT%TZ)" --arg commit "$(git rev-parse --short HEAD 2>/dev/null)" \
	--arg kernel "$(uname -r)" --argjson cpus "$(nproc)" \
	--arg cpu "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)" \
	--argjson rounds "$BENCH_ROUNDS" --argjson warmup "$BENCH_WARMUP" --arg log "$BENCH_LOG_LEVEL" \
	--argjson secs $(( ($(now) - start_time) / 1000000 )) \
	--slurpfile lat <(cat "$RUN"/latency-*.json 2>/dev/null) \
	--slurpfile slow <(cat "$RUN/slow.json" 2>/dev/null) \
	--slurpfile cost <(cat "$RUN/cost.json" 2>/dev/null) \
	--slurpfile pend <(cat "$RUN/pending.json" 2>/dev/null) '
	{ date: $date, commit: $commit, seconds: $secs,
	  machine: { cpus: $cpus, cpu: $cpu, kernel: $kernel },
	  settings: { rounds: $rounds, warmup: $warmup, log_level: $log },
	  latency: ($lat | sort_by(.nodes)), old_method: $slow[0], cost: $cost[0],
	  pending: $pend[0] }
	| .targets = {
	    median_within_1_5x: { internal: ([.latency[].ratio.internal.median] | all(. <= 1.5)),
				  end_to_end: ([.latency[].ratio.end_to_end.median] | all(. <= 1.5)) },
	    p99_within_3x: { internal: ([.latency[].ratio.internal.p99] | all(. <= 3)),
			     end_to_end: ([.latency[].ratio.end_to_end.p99] | all(. <= 3)) },
	    idle_rss_under_4_mib: (if .cost then [.cost.idle[].rss_kib] | all(. < 4096) else null end) }' \
	>"$BENCH_OUT" || exit 1
bash "$COORD_TOP/bench/report.sh" "$BENCH_OUT"
