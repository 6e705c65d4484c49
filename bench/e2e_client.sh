#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make bench-client: what a client waits for after kill -9 of ganesha.nfsd,
# in the configuration docs/migration.md recommends (each VIP a group
# [ganesha_coord_gate, address], step 3) beside the plain address, with
# heartbeat's IPaddr2 and with coord's coord_vip as the address's agent.
# 3 nodes, each with corosync, pacemaker, a real nfs-ganesha 4.3 (the
# shared recovery layout of docs/deploy.md) and coordd at its defaults
# (detect = bus, the release attrd_updater -D); ganesha_coord_mon cloned
# as step 2 has it (monitor 10 s).
#
# VIP N lives on node N (location scores 200/100/0, as tests/lab/lib/
# nfs_lab.sh) and is run as the Nth word of CLIENT_CONFIGS, each
# "plain:AGENT" or "gated:AGENT" (AGENT IPaddr2 or coord_vip), or
# "one:coord_vip": coord_vip with gate=true, the gate's work and the
# address's in one agent run per node (its runs are the "address" stages,
# it has no gate stages).  A round
# kills the ganesha of each node in turn, so the configurations are
# interleaved and the machine's noise falls on all of them alike.  Per
# failover, from the kill -9 (timestamps taken where they happen):
#   null       the moved VIP answering an NFS NULL call (bench/vip_connect,
#              from the client's namespace);
#   reclaim    the client that held a lock through the VIP (nfs4_client
#              hold) has it reclaimed on the new node;
#   new_moved  a new client's OPEN+LOCK granted through the moved VIP;
#   new_surv   the same through each survivor's own VIP (two a failover);
# and the stages between: the release (coordd's release command, a
# timestamping wrapper of attrd_updater -D), then each agent action
# (timestamping wrappers of the real agents, provider "bench"): address
# stop and gate stop on the old node, gate start and address start on
# the new one.  The new clients start once the VIP answers NULL.
#
# CLIENT_LEVERS: pacemaker settings, cycled one state per round so that
# each lever runs beside its baseline: base, record-pending (op_defaults
# record-pending=false), pe-history (pe-input/-warn/-error-series-max=0).
# CLIENT_RUNS failovers per configuration and lever state.  CLIENT_NFS=0:
# NULL and the stages only (no clients, no wait for grace between runs).
# CLIENT_OLD_RUNS: then the old method (GlusterFS common-ha, as bench/e2e.sh's
# "old": ganesha_mon every 10 s, notify grace, 5 s sleep) on the first plain
# VIP, in the same lab.  A run stops early after CLIENT_BUDGET_S seconds;
# the counts actually run are reported.  Not part of make check or make bench.
# Raw samples: $B/bench-run/client/; summary: CLIENT_OUT.
set -u
COORD_TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$COORD_TOP" || exit 1
. tests/lab/lib/lab.sh
. tests/lab/lib/coord_lab.sh
. tests/lab/lib/nfs_lab.sh
nfs_lab_trap

CLIENT_CONFIGS=${CLIENT_CONFIGS:-"plain:IPaddr2 gated:IPaddr2 gated:coord_vip"}
CLIENT_LEVERS=${CLIENT_LEVERS:-base}
CLIENT_RUNS=${CLIENT_RUNS:-20}
CLIENT_NFS=${CLIENT_NFS:-1}
CLIENT_OLD_RUNS=${CLIENT_OLD_RUNS:-10}
CLIENT_BUDGET_S=${CLIENT_BUDGET_S:-3000}
CLIENT_OUT=${CLIENT_OUT:-$COORD_TOP/bench/results-client.json}
OLD_INTERVAL=10 OLD_DELAY=5	# ganesha_mon's monitor interval and grace_delay
RUN=$B/bench-run/client
STATS=$COORD_TOP/bench/stats.awk
VIPCONNECT=$B/bench/vip_connect
rm -rf "$RUN" && mkdir -p "$RUN"

say() { echo "# bench-client: $*" >&2; }
now() { echo "${EPOCHREALTIME/./}"; }
config_of() { echo "$CLIENT_CONFIGS" | awk -v v="$1" '{ print $v }'; }	# V
rsc_of() { case $(config_of "$1") in gated:*) echo "vip$1-group" ;; *) echo "vip$1" ;; esac; }
case " $CLIENT_CONFIGS " in *" one:IPaddr2 "*) say "one:IPaddr2: only coord_vip has gate=true"; exit 2 ;; esac
ganesha_of() { pgrep -f "^ganesha.nfsd -F -f $LAB_DIR/$1/ganesha.conf"; }	# N: its pid
null_answer() {	# VIP LIMIT_MS: prints when it answered an NFS NULL call
	ip netns exec "$(_nfs_client_ns)" "$VIPCONNECT" "$1" 2049 "$2"
}
all_home() { nfs_vips_home; }
rand_sleep() { sleep "$(awk -v r=$RANDOM -v s="$1" 'BEGIN { printf "%.3f", r / 32768 * s }')"; }

# ---- the resources, as docs/migration.md builds them ----
# An address (IPaddr2 or coord_vip) through its timestamping wrapper;
# GATED=1: coord_vip's gate=true, with the gate's parameters and timeouts.
addr_xml() {	# V AGENT [GATED]
	local gate= ops=
	if [ "${3:-0}" = 1 ]; then
		gate="
    <nvpair id=\"vip$1-gate\" name=\"gate\" value=\"true\"/>
    <nvpair id=\"vip$1-ctl\" name=\"coordctl\" value=\"$COORDCTL\"/>
    <nvpair id=\"vip$1-pid\" name=\"pid_file\" value=\"/run/ganesha.pid\"/>"
		ops="
    <op id=\"vip$1-start\" name=\"start\" interval=\"0\" timeout=\"60s\"/>
    <op id=\"vip$1-stop\" name=\"stop\" interval=\"0\" timeout=\"60s\"/>"
	fi
	cat <<XML
<primitive id="vip$1" class="ocf" provider="bench" type="$2">
  <instance_attributes id="vip$1-ia">
    <nvpair id="vip$1-ip" name="ip" value="$(vip_of "$1")"/>
    <nvpair id="vip$1-mask" name="cidr_netmask" value="24"/>
    <nvpair id="vip$1-nic" name="nic" value="eth0"/>$gate
  </instance_attributes>
  <operations>$ops<op id="vip$1-mon" name="monitor" interval="10s"/></operations>
</primitive>
XML
}
# Step 3: the gate (start and stop timeouts 60 s, monitor 10 s), then the
# address, in a group; the lab's gate needs coordctl's and the pid file's
# places (the package's are the defaults).
vip_xml() {	# V
	local c
	c=$(config_of "$1")
	case $c in
	plain:*) addr_xml "$1" "${c#*:}" ;;
	one:*) addr_xml "$1" "${c#*:}" 1 ;;
	gated:*) cat <<XML
<group id="vip$1-group">
<primitive id="vip$1-gate" class="ocf" provider="bench" type="ganesha_coord_gate">
  <instance_attributes id="vip$1-gate-ia">
    <nvpair id="vip$1-gate-vip" name="vip" value="$(vip_of "$1")"/>
    <nvpair id="vip$1-gate-ctl" name="coordctl" value="$COORDCTL"/>
    <nvpair id="vip$1-gate-pid" name="pid_file" value="/run/ganesha.pid"/>
  </instance_attributes>
  <operations>
    <op id="vip$1-gate-start" name="start" interval="0" timeout="60s"/>
    <op id="vip$1-gate-stop" name="stop" interval="0" timeout="60s"/>
    <op id="vip$1-gate-mon" name="monitor" interval="10s"/>
  </operations>
</primitive>
$(addr_xml "$1" "${c#*:}")
</group>
XML
	;;
	esac
}
rules_xml() {	# V: the ganesha-active rule, and home, next, last
	local v=$1 r n2 n3
	r=$(rsc_of "$v") n2=$(( v % 3 + 1 )) n3=$(( (v + 1) % 3 + 1 ))
	pcmk_vip_rule_xml "$r"
	echo "<rsc_location id=\"$r-home\" rsc=\"$r\" node=\"node$v\" score=\"200\"/>"
	echo "<rsc_location id=\"$r-next\" rsc=\"$r\" node=\"node$n2\" score=\"100\"/>"
	echo "<rsc_location id=\"$r-last\" rsc=\"$r\" node=\"node$n3\" score=\"0\"/>"
}

# A timestamping wrapper of agent REAL: "start end resource action rc" a line
# in LAB_DIR/nodeN.agents.log, per node.
wrap_agent() {	# NAME REAL
	cat >"$LAB_DIR/ocf/bench/$1" <<SH
#!/bin/bash
t=\${EPOCHREALTIME/./}
$2 "\$@"; rc=\$?
echo "\$t \${EPOCHREALTIME/./} \$OCF_RESOURCE_INSTANCE \$1 \$rc" >>$LAB_DIR/\${OCF_RESKEY_CRM_meta_on_node:-unknown}.agents.log
exit \$rc
SH
	chmod 755 "$LAB_DIR/ocf/bench/$1"
}

# ---- bring-up ----
say "configurations (VIP 1..3): $CLIENT_CONFIGS; levers: $CLIENT_LEVERS; load $(cut -d' ' -f1-3 /proc/loadavg)"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
lab_up 3 || { say "lab bring-up failed"; exit 1; }
nfs_client_up || { say "no client namespace"; exit 1; }
mkdir -p "$LAB_DIR/ocf/bench"
wrap_agent IPaddr2 /usr/lib/ocf/resource.d/heartbeat/IPaddr2
wrap_agent coord_vip /usr/lib/ocf/resource.d/coord/coord_vip
wrap_agent ganesha_coord_gate /usr/lib/ocf/resource.d/coord/ganesha_coord_gate
for n in 1 2 3; do
	nfs_ganesha_start "$n" || { say "node $n: ganesha did not start"; exit 1; }
	cat >"$LAB_DIR/$n/release.sh" <<SH
#!/bin/sh
# coordd's default release (and the old method's last step), timestamped
t=\$(date +%s%6N)
attrd_updater -D -n ganesha-active; rc=\$?
echo "\$t \$(date +%s%6N) \${COORD_EVENT:-old} \$rc" >>$LAB_DIR/$n/release.log
exit \$rc
SH
	cat >"$LAB_DIR/$n/old_mon.sh" <<SH
#!/bin/bash
# GlusterFS ganesha_mon, as bench/e2e.sh's old method
while sleep $OLD_INTERVAL; do
	pid=\$(cat /run/ganesha.pid 2>/dev/null)
	[ -n "\$pid" ] && kill -0 "\$pid" 2>/dev/null && continue
	attrd_updater -Q -n ganesha-active 2>/dev/null | grep -q 'value="1"' || continue
	for i in 1 2 3; do
		[ \$i = $n ] && continue
		DBUS_SYSTEM_BUS_ADDRESS=unix:path=$LAB_DIR/\$i/bus.sock dbus-send --system \
			--print-reply --reply-timeout=30000 --dest=org.ganesha.nfsd \
			/org/ganesha/nfsd/admin org.ganesha.nfsd.admin.grace string:node$n \
			>/dev/null 2>&1 &
	done
	sleep $OLD_DELAY
	$LAB_DIR/$n/release.sh
done
SH
	chmod 755 "$LAB_DIR/$n/release.sh" "$LAB_DIR/$n/old_mon.sh"
	coordd_conf "$n" "vip=$(vip_of "$n")" "release_command=$LAB_DIR/$n/release.sh" \
		"lease_lifetime_ms=$(( NFS_LEASE * 1000 ))"
	sed -i "s/^log_level = .*/log_level = notice/" "$LAB_DIR/$n/coordd.conf"
	coord_start "$n" >/dev/null
	lab_start_pacemaker "$n"
done
lab_wait_pacemaker 1 3 120 || { say "pacemaker did not come up"; exit 1; }
lab_exec 1 crm_attribute -t crm_config -n stonith-enabled -v false
lab_exec 1 cibadmin -C -o resources -X "$(pcmk_mon_clone_xml 10s 10000)" || exit 1
for v in 1 2 3; do lab_exec 1 cibadmin -C -o resources -X "$(vip_xml $v)" || exit 1; done
lab_exec 1 cibadmin --replace -o constraints -X \
	"<constraints>$(for v in 1 2 3; do rules_xml $v; done)</constraints>" || exit 1
wait_for 90 all_active || { say "ganesha-active not set on every node"; exit 1; }
wait_for 90 all_home || { say "the VIPs are not at home"; exit 1; }
wait_for 60 nfs_no_grace
for v in 1 2 3; do null_answer "$(vip_of $v)" 30000 >/dev/null || { say "VIP $v does not answer"; exit 1; }; done
say "up: $(lab_exec 1 crm_mon -1 2>/dev/null | grep -c Started) resources started"

# ---- the clients that hold a lock through each VIP ----
# A plain VIP's failback moves the address without a give-up: the old
# node's ganesha still holds the lock, the reclaim at home is refused and
# the client exits (LOST, docs/migration.md step 3); its successor takes a
# lock on a new file, the old one's being held until its lease runs out.
HOLD_PID=() HOLD_GEN=()
hold_start() {	# V AFTER
	HOLD_GEN[$1]=$(( ${HOLD_GEN[$1]:-0} + 1 ))
	HOLD_PID[$1]=$(nfs_client_bg "$RUN/hold$1.log" hold --server "$(vip_of "$1")" \
		--id "hold$1" --linux-id --file "hold$1.${HOLD_GEN[$1]}" --renew-ms 200 --timeout-ms 500)
	nfs_wait_event 60 "$RUN/hold$1.log" HOLDING "$2"
}
hold_alive() { grep -qa nfs4_client "/proc/${HOLD_PID[$1]}/cmdline" 2>/dev/null; }
reclaims_since() { awk -v t="$2" '$1 >= t && $3 == "RECLAIMED"' "$RUN/hold$1.log" | wc -l; }
if [ "$CLIENT_NFS" = 1 ]; then
	for v in 1 2 3; do hold_start $v 0 || { say "hold client $v is not holding"; exit 1; }; done
fi

# ---- levers ----
lever() {	# STATE
	local o
	for o in pe-input-series-max pe-warn-series-max pe-error-series-max; do
		lab_exec 1 crm_attribute -t crm_config -n $o -D >/dev/null 2>&1
	done
	# crm_attribute 2.1.5 has no op_defaults type: the section itself.
	lab_exec 1 cibadmin -C -o configuration -X '<op_defaults/>' >/dev/null 2>&1
	lab_exec 1 cibadmin --replace -o op_defaults -X '<op_defaults/>'
	case $1 in
	base) ;;
	record-pending)
		lab_exec 1 cibadmin --replace -o op_defaults -X '<op_defaults><meta_attributes id="op-options"><nvpair id="op-options-record-pending" name="record-pending" value="false"/></meta_attributes></op_defaults>' ;;
	pe-history)
		for o in pe-input-series-max pe-warn-series-max pe-error-series-max; do
			lab_exec 1 crm_attribute -t crm_config -n $o -v 0
		done ;;
	*) say "unknown lever $1"; return 1 ;;
	esac
	sleep 1
	wait_for 60 all_home
}

# ---- one failover ----
MODE=coord
restore() {	# H [T0]: its ganesha back, active, every VIP home, the clients settled
	local h=$1 t0=$2 v
	ganesha_of "$h" >/dev/null || nfs_ganesha_start "$h" >/dev/null ||
		say "node $h: ganesha did not restart"
	# What the monitor agent does at its next run (up to 10 s away), at once:
	# active again once coordd vouches for the node (coordctl up).
	# Never active with its ganesha still down: the old method's monitor
	# would notify the survivors and release again (run of 2026-12-07).
	if ! ganesha_of "$h" >/dev/null; then
		say "node $h: no ganesha, not marked active"
	elif [ "$MODE" = old ]; then
		lab_exec "$h" attrd_updater -n ganesha-active -U 1
	else
		wait_for 30 lab_exec "$h" "$COORDCTL" up >/dev/null &&
			lab_exec "$h" attrd_updater -n ganesha-active -U 1
	fi
	wait_for 60 all_active || say "not every node active after restoring node $h"
	wait_for 90 all_home || say "the VIPs did not come home after restoring node $h"
	null_answer "$(vip_of "$h")" 30000 >/dev/null || say "VIP $h does not answer after restoring"
	[ "$CLIENT_NFS" = 1 ] && [ -n "$t0" ] || return 0
	# The failback moved the held lock back home: its second reclaim.
	wait_for 60 eval '[ "$(reclaims_since '"$h $t0"')" -ge 2 ] || ! hold_alive '"$h"
	for v in 1 2 3; do
		hold_alive $v && continue
		say "hold client $v gone ($(tail -n 1 "$RUN/hold$v.log")): restarted"
		hold_start $v "$(now)" || say "hold client $v is not holding"
	done
	wait_for 60 nfs_no_grace || say "grace not over after restoring node $h"
}

# The first line of wrapper log LOG for RESOURCE ACTION that began after T0: "start end"
agent_run() {	# NODE RESOURCE ACTION T0
	awk -v r="$2" -v a="$3" -v t="$4" '$3 == r && $4 == a && $1 >= t { print $1, $2; f = 1; exit }
		END { if (!f) print 0, 0 }' "$LAB_DIR/node$1.agents.log" 2>/dev/null || echo 0 0
}
first_grant() {	# LOG T0
	local t
	t=$(nfs_first "$1" TRY "$2" result=GRANTED)
	echo "${t:-0}"
}

one_run() {	# V LEVER INDEX
	local v=$1 lv=$2 i=$3 h=$1 s gp t0 tn tr=0 tm=0 ta=0 tb=0 rel rep=0 ev w a b pids=
	local vip
	vip=$(vip_of "$v")
	[ "$(vip_holder "$vip")" = "$h" ] || restore "$h" ""
	[ "$MODE" = old ] && rand_sleep $OLD_INTERVAL || rand_sleep 1
	gp=$(ganesha_of "$h") || { say "run $i: no ganesha on node $h"; restore "$h" ""; return 1; }
	t0=$(now)
	kill -9 "$gp"
	tn=$(null_answer "$vip" 60000) || { say "run $i: VIP $v did not answer within 60 s"; restore "$h" "$t0"; return 1; }
	s=$(vip_holder "$vip")
	if [ "$CLIENT_NFS" = 1 ]; then
		a=$(( h % 3 + 1 )) b=$(( (h + 1) % 3 + 1 ))
		for w in "$v" "$a" "$b"; do
			pids="$pids $(nfs_client_bg "$RUN/try.$i.$w.log" try --server "$(vip_of "$w")" \
				--id "new$w-$MODE-$lv-$i" --file "new$w" --every-ms 100 --for-ms 60000 \
				--timeout-ms 500)"
		done
		nfs_wait_event 60 "$RUN/hold$v.log" RECLAIMED "$t0"
		for w in "$v" "$a" "$b"; do nfs_wait_event 60 "$RUN/try.$i.$w.log" TRY "$t0" result=GRANTED; done
		# shellcheck disable=SC2086
		nfs_client_stop $pids
		tr=$(nfs_first "$RUN/hold$v.log" RECLAIMED "$t0"); tr=${tr:-0}
		tm=$(first_grant "$RUN/try.$i.$v.log" "$t0")
		ta=$(first_grant "$RUN/try.$i.$a.log" "$t0")
		tb=$(first_grant "$RUN/try.$i.$b.log" "$t0")
	fi
	sleep 0.3
	rel=$(awk -v t="$t0" '$1 >= t { print $1, $2; exit }' "$LAB_DIR/$h/release.log" 2>/dev/null)
	[ -n "$rel" ] || rel="0 0"
	if [ "$MODE" = coord ]; then
		ev=$(lab_exec "$h" "$COORDCTL" --json events | jq -r --argjson o "$h" \
			'[.events[] | select(.reason == "reported" and .origin == $o)][-1] |
			 ((.report_to_delivery_ms + .release_ms) * 1000 | round)' 2>/dev/null)
		case $ev in ''|null) ;; *) rep=$(( ${rel% *} - ev )) ;; esac
	fi
	# 1 t0, 2 h, 3 s, 4 null, 5 reclaim, 6 new_moved, 7 new_surv_a, 8 new_surv_b,
	# 9 release start, 10 end, 11 12 address stop, 13 14 gate stop (old node),
	# 15 16 gate start, 17 18 address start (new node), 19 report
	echo "$t0 $h $s $tn $tr $tm $ta $tb $rel $(agent_run "$h" "vip$v" stop "$t0")" \
		"$(agent_run "$h" "vip$v-gate" stop "$t0") $(agent_run "$s" "vip$v-gate" start "$t0")" \
		"$(agent_run "$s" "vip$v" start "$t0") $rep" >>"$RUN/$(config_of "$v").$lv.txt"
	restore "$h" "$t0"
}

START=$(now)
over_budget() { [ $(( ($(now) - START) / 1000000 )) -ge "$CLIENT_BUDGET_S" ]; }
NLEV=$(echo "$CLIENT_LEVERS" | wc -w)
ROUNDS=$(( CLIENT_RUNS * NLEV ))
for r in $(seq 1 "$ROUNDS"); do
	over_budget && { say "time budget of ${CLIENT_BUDGET_S}s spent after $((r - 1)) rounds"; break; }
	lv=$(echo "$CLIENT_LEVERS" | awk -v i=$(( (r - 1) % NLEV + 1 )) '{ print $i }')
	[ "$NLEV" -gt 1 ] && { lever "$lv" || exit 1; }
	for v in 1 2 3; do
		[ -n "$(config_of $v)" ] && one_run "$v" "$lv" "$r.$v"
	done
	say "round $r/$ROUNDS ($lv) done, $(( ($(now) - START) / 1000000 )) s"
done
[ "$NLEV" -gt 1 ] && lever base

# ---- the old method, on the first plain VIP ----
OLD_V=$(for v in 1 2 3; do case $(config_of $v) in plain:*) echo $v; break ;; esac; done)
if [ "$CLIENT_OLD_RUNS" -gt 0 ] && [ -n "$OLD_V" ] && ! over_budget; then
	say "old method on VIP $OLD_V: $CLIENT_OLD_RUNS runs"
	MODE=old
	lab_exec 1 crm_resource --resource mon-clone --meta --set-parameter target-role \
		--parameter-value Stopped >/dev/null 2>&1
	for n in 1 2 3; do
		coord_stop "$n"
		echo "detect = off" >>"$LAB_DIR/$n/coordd.conf"
		coord_start "$n" >/dev/null
		lab_bg "$n" "$LAB_DIR/$n/old_mon.out" "$LAB_DIR/$n/old_mon.sh" >/dev/null
	done
	sleep 3
	for i in $(seq 1 "$CLIENT_OLD_RUNS"); do
		over_budget && { say "time budget spent after $((i - 1)) old runs"; break; }
		one_run "$OLD_V" old "old.$i"
	done
	mv "$RUN/$(config_of "$OLD_V").old.txt" "$RUN/old.old.txt" 2>/dev/null
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- summary ----
st() {	# FILE A B [FILTER-COLUMN]: stats of column A - column B over the runs where both were seen
	awk -v a="$2" -v b="$3" -v f="${4:-0}" '$a > 0 && $b > 0 && (!f || $f > 0) { print $a - $b }' "$1" |
		awk -v col=1 -f "$STATS"
}
st2() {	# FILE: the survivors' new OPEN+LOCK, both of each run
	awk '$7 > 0 { print $7 - $1 } $8 > 0 { print $8 - $1 }' "$1" | awk -v col=1 -f "$STATS"
}
for f in "$RUN"/*.txt; do
	[ -s "$f" ] || continue
	name=$(basename "$f" .txt)
	jq -n --arg config "${name%.*}" --arg lever "${name##*.}" --argjson runs "$(wc -l <"$f")" \
		--argjson null "$(st "$f" 4 1)" --argjson reclaim "$(st "$f" 5 1)" \
		--argjson new_moved "$(st "$f" 6 1)" --argjson new_surv "$(st2 "$f")" \
		--argjson detect "$(st "$f" 19 1)" --argjson barrier "$(st "$f" 9 19)" \
		--argjson to_release "$(st "$f" 9 1)" --argjson release "$(st "$f" 10 9)" \
		--argjson to_stop "$(st "$f" 11 10)" --argjson addr_stop "$(st "$f" 12 11)" \
		--argjson to_gate_stop "$(st "$f" 13 12)" --argjson gate_stop "$(st "$f" 14 13)" \
		--argjson gate_gap "$(st "$f" 15 14)" --argjson gate_start "$(st "$f" 16 15)" \
		--argjson to_addr_start "$(st "$f" 17 16)" --argjson plain_gap "$(st "$f" 17 12)" \
		--argjson addr_start "$(st "$f" 18 17)" --argjson to_null "$(st "$f" 4 18)" '
		{ config: $config, lever: $lever, runs: $runs,
		  from_death_ms: { null_answered: $null, reclaim_granted: $reclaim,
				   new_lock_moved_vip: $new_moved, new_lock_survivor_vips: $new_surv },
		  stages_ms: { detection: $detect, barrier: $barrier, death_to_release: $to_release,
			       release_attrd: $release, release_end_to_addr_stop: $to_stop,
			       addr_stop: $addr_stop, addr_stop_end_to_gate_stop: $to_gate_stop,
			       gate_stop: $gate_stop, gate_stop_end_to_gate_start: $gate_gap,
			       gate_start: $gate_start, gate_start_end_to_addr_start: $to_addr_start,
			       addr_stop_end_to_addr_start: $plain_gap, addr_start: $addr_start,
			       addr_start_end_to_null: $to_null } }' >"$RUN/$name.json"
done
jq -n --arg date "$(date -u +%FT%TZ)" --arg commit "$(git rev-parse --short HEAD 2>/dev/null)" \
	--argjson secs $(( ($(now) - START) / 1000000 )) --arg configs "$CLIENT_CONFIGS" \
	--arg levers "$CLIENT_LEVERS" --argjson nfs "$CLIENT_NFS" --arg load "$LOAD_BEFORE / $LOAD_AFTER" \
	--argjson grace "$NFS_GRACE" --argjson lease "$NFS_LEASE" \
	--slurpfile r <(cat "$RUN"/*.json 2>/dev/null) '
	{ date: $date, commit: $commit, seconds: $secs, nodes: 3, configs: $configs, levers: $levers,
	  clients: ($nfs == 1), load_before_after: $load, cpus: 2,
	  ganesha: { grace_period_s: $grace, lease_lifetime_s: $lease, nlm: false },
	  results: $r }' >"$CLIENT_OUT" || exit 1
bash bench/report_client.sh "$CLIENT_OUT"
