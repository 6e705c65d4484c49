#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make bench, end to end on the real stack: from kill -9 of ganesha.nfsd on
# the node holding the VIP to the VIP answering a client (a TCP connect to
# port 2049 from the bridge's namespace, timestamped there), 3 nodes, each
# with corosync, pacemaker, a real nfs-ganesha 4.3 and coordd; the VIP is
# IPaddr2 (through a wrapper that timestamps its start), placed by the
# ganesha-active rule.  Three ways of finding the death:
#   bus    coordd's watch of the bus name (detect = bus), the agent besides;
#   agent  coord's monitor agent only (detect = off), every E2E_AGENT_INTERVAL s;
#   old    GlusterFS common-ha: ganesha_mon every E2E_OLD_INTERVAL s, notify
#          grace, a fixed 5 s sleep, delete ganesha-active (tests/lab/lib/seed_method.sh).
# Each run waits a random part of the polling interval first, so the kill
# falls anywhere in the monitor's period.  E2E_RUNS runs per method, but a
# method stops early once E2E_BUDGET_S seconds have passed in all (the
# polling methods cost ~10 s a run); the counts actually run are reported.
# Raw samples: $B/bench-run/e2e/; summary: bench/results-e2e.json.
set -u
COORD_TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$COORD_TOP" || exit 1
. tests/lab/lib/lab.sh
. tests/lab/lib/coord_lab.sh
lab_trap

E2E_METHODS=${E2E_METHODS:-"bus agent old"}
E2E_RUNS=${E2E_RUNS:-50}
E2E_BUDGET_S=${E2E_BUDGET_S:-3000}
E2E_AGENT_INTERVAL=${E2E_AGENT_INTERVAL:-10}	# the agent's default monitor interval
E2E_OLD_INTERVAL=${E2E_OLD_INTERVAL:-10}	# ganesha_mon's
E2E_OLD_DELAY=${E2E_OLD_DELAY:-5}		# ganesha_mon's grace_delay
E2E_OUT=${E2E_OUT:-$COORD_TOP/bench/results-e2e.json}
VIP=198.18.0.100
CLIENT=198.18.0.250
RUN=$B/bench-run/e2e
STATS=$COORD_TOP/bench/stats.awk
rm -rf "$RUN" && mkdir -p "$RUN"

say() { echo "# e2e: $*" >&2; }
now() { echo "${EPOCHREALTIME/./}"; }
vip_answers() { ip netns exec "$(_lab_br)" "$B/bench/vip_connect" $VIP 2049 "$1" >/dev/null; }
ganesha_of() { pgrep -f "^ganesha.nfsd -F -f $LAB_DIR/$1/ganesha.conf"; }	# N: its pid
rand_sleep() { sleep "$(awk -v r=$RANDOM -v s="$1" 'BEGIN { printf "%.3f", r / 32768 * s }')"; }

# ---- bring-up ----
say "bringing up 3 nodes: corosync, pacemaker, nfs-ganesha, coordd"
lab_up 3 || { say "lab bring-up failed"; exit 1; }
ip -n "$(_lab_br)" addr add $CLIENT/24 dev br0
mkdir -p "$LAB_DIR/ocf/bench"
cat >"$LAB_DIR/ocf/bench/IPaddr2" <<SH
#!/bin/sh
# IPaddr2, timestamped: start and end of each action, per node
t=\$(date +%s%6N)
/usr/lib/ocf/resource.d/heartbeat/IPaddr2 "\$@"; rc=\$?
echo "\$t \$(date +%s%6N) \$1 \$rc" >>$LAB_DIR/\${OCF_RESKEY_CRM_meta_on_node:-unknown}.ipaddr.log
exit \$rc
SH
chmod 755 "$LAB_DIR/ocf/bench/IPaddr2"
for n in 1 2 3; do
	ganesha_start $n || { say "node $n: ganesha did not start"; exit 1; }
	cat >"$LAB_DIR/$n/release.sh" <<SH
#!/bin/sh
# coordd's release (and the old method's last step), timestamped
t=\$(date +%s%6N)
attrd_updater -D -n ganesha-active; rc=\$?
echo "\$t \$(date +%s%6N) \${COORD_EVENT:-old} \$rc" >>$LAB_DIR/$n/release.log
exit \$rc
SH
	cat >"$LAB_DIR/$n/old_mon.sh" <<SH
#!/bin/bash
# GlusterFS ganesha_mon, its monitor every $E2E_OLD_INTERVAL s: when ganesha.nfsd
# is gone, notify grace to the survivors, sleep grace_delay, delete ganesha-active.
while sleep $E2E_OLD_INTERVAL; do
	pid=\$(cat /run/ganesha.pid 2>/dev/null)
	[ -n "\$pid" ] && kill -0 "\$pid" 2>/dev/null && continue
	attrd_updater -Q -n ganesha-active 2>/dev/null | grep -q 'value="1"' || continue
	echo "\$(date +%s%6N) detected" >>$LAB_DIR/$n/old_mon.log
	for i in 1 2 3; do
		[ \$i = $n ] && continue
		DBUS_SYSTEM_BUS_ADDRESS=unix:path=$LAB_DIR/\$i/bus.sock dbus-send --system \
			--print-reply --reply-timeout=30000 --dest=org.ganesha.nfsd \
			/org/ganesha/nfsd/admin org.ganesha.nfsd.admin.grace string:node$n \
			>/dev/null 2>&1 &
	done
	sleep $E2E_OLD_DELAY
	$LAB_DIR/$n/release.sh
done
SH
	chmod 755 "$LAB_DIR/$n/release.sh" "$LAB_DIR/$n/old_mon.sh"
	coord_config $n release 10000 5000
	sed -i -e "s|^vip = .*|vip = $VIP|" -e "s|^release_command = .*|release_command = $LAB_DIR/$n/release.sh|" \
		-e "s|^log_level = .*|log_level = notice|" "$LAB_DIR/$n/coordd.conf"
	echo "detect = bus" >>"$LAB_DIR/$n/coordd.conf"
	# The agent finds coordd at its default socket, in the node's own /run.
	lab_exec $n mkdir -p /run/coord
	lab_exec $n ln -sf "$LAB_DIR/$n/coordd.sock" /run/coord/coordd.sock
	coord_start $n >/dev/null
	lab_start_pacemaker $n
done
lab_wait_pacemaker 1 3 120 || { say "pacemaker did not come up"; exit 1; }
lab_exec 1 crm_attribute -t crm_config -n stonith-enabled -v false
lab_exec 1 crm_attribute -t rsc_defaults -n resource-stickiness -v 100
lab_exec 1 cibadmin -C -o resources -X "$(pcmk_mon_clone_xml "${E2E_AGENT_INTERVAL}s")"
lab_exec 1 cibadmin -C -o resources -X "$(pcmk_vip_xml vip "$VIP" 10s bench)"
lab_exec 1 cibadmin -C -o constraints -X "$(pcmk_vip_rule_xml vip)"
wait_for 90 all_active || { say "ganesha-active not set on every node"; exit 1; }
wait_for 60 vip_holder $VIP >/dev/null || { say "the VIP did not start"; exit 1; }
vip_answers 30000 || { say "the VIP does not answer"; exit 1; }
say "up: VIP on node $(vip_holder $VIP)"

# ---- methods ----
OLD_PIDS=
set_method() {	# bus | agent | old
	local n p
	for p in $OLD_PIDS; do kill "$p" 2>/dev/null; done
	OLD_PIDS=
	for n in 1 2 3; do
		coord_stop $n
		sed -i "s/^detect = .*/detect = $([ "$1" = bus ] && echo bus || echo off)/" \
			"$LAB_DIR/$n/coordd.conf"
		coord_start $n >/dev/null
	done
	for n in 1 2 3; do wait_coord_members $n 3 30 || return 1; done
	if [ "$1" = old ]; then
		lab_exec 1 crm_resource --resource mon-clone --meta --set-parameter target-role \
			--parameter-value Stopped >/dev/null 2>&1
		for n in 1 2 3; do
			OLD_PIDS="$OLD_PIDS $(lab_bg $n "$LAB_DIR/$n/old_mon.out" "$LAB_DIR/$n/old_mon.sh")"
		done
	else
		lab_exec 1 crm_resource --resource mon-clone --meta --set-parameter target-role \
			--parameter-value Started >/dev/null 2>&1
	fi
	sleep 2
}

restore() {	# H: its ganesha back, active again, the VIP answering
	local h=$1
	# Never a second ganesha beside a live one: it would overwrite the pid
	# file the agent reads, then exit.
	ganesha_of "$h" >/dev/null || ganesha_start "$h" >/dev/null ||
		say "node $h: ganesha did not restart"
	lab_exec "$h" attrd_updater -n ganesha-active -U 1
	[ "$M" != old ] && ctl "$h" up >/dev/null
	wait_for 30 all_active || say "not every node active after restoring node $h"
	wait_for 30 vip_holder $VIP >/dev/null
	vip_answers 30000 || say "the VIP does not answer after restoring node $h"
}

one_run() {	# METHOD INDEX
	local m=$1 i=$2 h s gp t0 tv ev rel ip stop rep
	h=$(vip_holder $VIP) || { say "no VIP holder"; return 1; }
	case $m in
	bus) rand_sleep 1 ;;
	agent) rand_sleep "$E2E_AGENT_INTERVAL" ;;
	old) rand_sleep "$E2E_OLD_INTERVAL" ;;
	esac
	gp=$(ganesha_of "$h") || { say "$m run $i: no ganesha on node $h"; restore "$h"; return 1; }
	: >"$LAB_DIR/$h/release.log.new"
	t0=$(now)
	kill -9 "$gp"
	tv=$(ip netns exec "$(_lab_br)" "$B/bench/vip_connect" $VIP 2049 60000) ||
		{ say "$m run $i: the VIP did not answer within 60 s"; restore "$h"; return 1; }
	s=$(vip_holder $VIP)
	sleep 0.3
	rel=$(tail -n 1 "$LAB_DIR/$h/release.log" | awk '{print $1, $2}')
	ip=$(awk '$3 == "start" && $4 == 0' "$LAB_DIR/node$s.ipaddr.log" 2>/dev/null | tail -n 1 |
	     awk '{print $1, $2}')
	stop=$(awk '$3 == "stop"' "$LAB_DIR/node$h.ipaddr.log" 2>/dev/null | tail -n 1 |
	       awk '{print $1, $2}')
	rep=-1
	if [ "$m" != old ]; then
		ev=$(ctl "$h" --json events | jq -r --argjson o "$h" \
			'[.events[] | select(.reason == "reported" and .origin == $o)][-1] |
			 ((.report_to_delivery_ms + .release_ms) * 1000 | round)')
		rep=$(( ${rel% *} - ev ))
	fi
	# t0 h s t_vip t_report t_release_start t_release_end t_ip_start t_ip_end
	# t_stop_start t_stop_end (IPaddr2 stop on the old holder)
	echo "$t0 $h $s $tv $rep $rel $ip $stop" >>"$RUN/$m.txt"
	restore "$h"
}

stats() { awk -v col="$2" -v minus="${3:-0}" -f "$STATS" "$1"; }

START=$(now)
for M in $E2E_METHODS; do
	say "method $M: up to $E2E_RUNS runs"
	set_method "$M" || { say "method $M: coordd did not come back"; continue; }
	restore "$(vip_holder $VIP || echo 1)"
	: >"$RUN/$M.txt"
	for i in $(seq 1 "$E2E_RUNS"); do
		if [ $(( ($(now) - START) / 1000000 )) -ge "$E2E_BUDGET_S" ]; then
			say "method $M: time budget of ${E2E_BUDGET_S}s spent after $((i - 1)) runs"
			break
		fi
		one_run "$M" "$i"
	done
	f=$RUN/$M.txt
	# columns: 1 t0, 2 h, 3 s, 4 t_vip, 5 t_report, 6 rel_start, 7 rel_end, 8 ip_start,
	# 9 ip_end, 10 stop_start, 11 stop_end
	jq -n --arg m "$M" --argjson runs "$(wc -l <"$f")" \
		--argjson total "$(stats "$f" 4 1)" \
		--argjson detect "$(awk '$5 > 0' "$f" | stats /dev/stdin 5 1)" \
		--argjson barrier "$(awk '$5 > 0' "$f" | stats /dev/stdin 6 5)" \
		--argjson to_release "$(stats "$f" 6 1)" \
		--argjson release_cmd "$(stats "$f" 7 6)" \
		--argjson pacemaker "$(awk 'NF >= 9' "$f" | stats /dev/stdin 8 7)" \
		--argjson to_stop "$(awk 'NF == 11' "$f" | stats /dev/stdin 10 7)" \
		--argjson stop "$(awk 'NF == 11' "$f" | stats /dev/stdin 11 10)" \
		--argjson stop_to_start "$(awk 'NF == 11' "$f" | stats /dev/stdin 8 11)" \
		--argjson ipaddr2 "$(awk 'NF >= 9' "$f" | stats /dev/stdin 9 8)" \
		--argjson client "$(awk 'NF >= 9' "$f" | stats /dev/stdin 4 9)" '
		{ method: $m, runs: $runs, death_to_vip_answering_ms: $total,
		  stages_ms: { detection: $detect, barrier: $barrier, death_to_release: $to_release,
			       release_command_attrd: $release_cmd,
			       release_end_to_ipaddr2_start: $pacemaker,
			       release_end_to_ipaddr2_stop: $to_stop, ipaddr2_stop: $stop,
			       ipaddr2_stop_end_to_start: $stop_to_start, ipaddr2_start: $ipaddr2,
			       ipaddr2_end_to_client_connect: $client } }' >"$RUN/$M.json"
done
for p in $OLD_PIDS; do kill "$p" 2>/dev/null; done

jq -n --arg date "$(date -u +%FT%TZ)" --arg commit "$(git rev-parse --short HEAD 2>/dev/null)" \
	--argjson secs $(( ($(now) - START) / 1000000 )) --argjson asked "$E2E_RUNS" \
	--argjson ai "$E2E_AGENT_INTERVAL" --argjson oi "$E2E_OLD_INTERVAL" --argjson od "$E2E_OLD_DELAY" \
	--slurpfile r <(cat "$RUN"/*.json 2>/dev/null) '
	{ date: $date, commit: $commit, seconds: $secs, nodes: 3, runs_asked: $asked,
	  settings: { agent_interval_s: $ai, old_interval_s: $oi, old_grace_delay_s: $od },
	  methods: $r }' >"$E2E_OUT" || exit 1
jq -r '.methods[] | "\(.method): \(.runs) runs; death -> VIP answering median \(.death_to_vip_answering_ms.median) ms, p99 \(.death_to_vip_answering_ms.p99) ms\n  stage medians (ms): detection \(.stages_ms.detection.median // "-"), barrier \(.stages_ms.barrier.median // "-"), release command (attrd_updater -D) \(.stages_ms.release_command_attrd.median), release end -> IPaddr2 start \(.stages_ms.release_end_to_ipaddr2_start.median) (of which: -> stop on the old holder \(.stages_ms.release_end_to_ipaddr2_stop.median // "-"), the stop \(.stages_ms.ipaddr2_stop.median // "-"), stop end -> start \(.stages_ms.ipaddr2_stop_end_to_start.median // "-")), IPaddr2 start \(.stages_ms.ipaddr2_start.median), -> client connect \(.stages_ms.ipaddr2_end_to_client_connect.median)"' "$E2E_OUT"
