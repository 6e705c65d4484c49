#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The target set on the real stack (issue 13): when the VIP moves, the node
# it lands on has its real ganesha in grace, whatever happens to the
# survivors' coordd meanwhile.  One bring-up: 3 nodes with corosync,
# pacemaker, a private bus, a real nfs-ganesha 4.3, coordd (policy
# release) and the monitor agent as a clone; one IPaddr2 VIP with the
# ganesha-active rule, sticky, and a movable preference that says where
# pacemaker should put it next (the node the case is about, S; the third is U).
#
# Each case kills ganesha.nfsd on the VIP's node H while tests/lab/tools/vip_watch
# samples, every 5 ms, which node has the VIP on its interface and what
# that node's ganesha answers to get_grace.  The VIP may sit only on H or
# on a node whose ganesha answers true; anything else must be recorded
# `unconfirmed` (policy release) by an event that names the node.
#   a  survivor S's ganesha stopped (SIGSTOP) before the death, S's coordd
#      SIGKILLed 0.5 s into the barrier, the ganesha resumed 6 s later
#      (longer than a release and pacemaker's move take on a loaded machine)
#   b  node 3's agent started (at bring-up) while its coordd is not running
#   c  S's ganesha stopped, S's coordd killed mid-barrier and started again
#      1 s later, the ganesha resumed 4 s after that
#   e  the VIP's node H's coordd killed and started again once its agent
#      saw it gone, its ganesha running: the VIP stays on H, its attribute
#      set (the agent's restart_wait)
#   d  node R rebooted (pacemaker, coordd, ganesha, bus, corosync) while the
#      event waits for U's stopped ganesha
# (Run in the order b, a, c, e, d: node 3 is brought up without coordd.)
# Each ganesha has one client record for the VIP to recover, so a takeover
# grace lasts Grace_Period (a server with nothing to reclaim lifts grace
# within seconds, which would read as "out of grace" here).
set -u
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/coord_lab.sh"
lab_trap
VIP=198.18.0.100
WATCH=$B/tests/lab/vip_watch
DEADLINE_MS=${TS_DEADLINE_MS:-25000}	# case a waits for it; case d has its own
export GANESHA_GRACE_PERIOD=${TS_GRACE_PERIOD:-35} GANESHA_LEASE=4

coord_conf() {	# N [POLICY]: release by default; no socket key (the agent's default)
	coordd_conf "$1" "vip=$VIP" grace_call_timeout_ms=60000 "barrier_deadline_ms=$DEADLINE_MS" \
		"deadline_policy=${2:-release}" "lease_lifetime_ms=$(( GANESHA_LEASE * 1000 ))" \
		"release_command=attrd_updater -D -n ganesha-active; rc=\$?; echo \"\$(date +%s%6N) \$COORD_EVENT \$COORD_OUTCOME rc=\$rc\" >>$LAB_DIR/$1/release.log; exit \$rc"
}
ganesha_up() {	# N: a real ganesha with a client of the VIP to recover
	mkdir -p "$LAB_DIR/$1/recovery/$VIP/v4recov/198.18.0.50-(9:tsclient1)"
	ganesha_start "$1"
}
coordctl_on() { n=$1; shift; lab_exec "$n" timeout 10 "$COORDCTL" "$@"; }
coordd_running() { p=$(coord_pid "$1") && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
out_of_grace() {	# N...: each answers get_grace false
	for n in "$@"; do [ "$(get_grace "$n")" = false ] || return 1; done
}
prefer() {	# N: pacemaker's next choice for the VIP (stickiness keeps it put)
	lab_exec 1 cibadmin -R -o constraints -X \
		"<rsc_location id=\"vip-prefer\" rsc=\"vip\" node=\"node$1\" score=\"100\"/>"
}
event_ids() { coordctl_on "$1" --json events | jq -c '[.events[].id]'; }
# The case's events of origin H (new since BEFORE), one line each.
case_events() {	# H BEFORE
	coordctl_on "$1" --json events | jq -c --argjson old "$2" --argjson h "$1" \
		'.events[] | select(.origin == $h and (.id as $i | $old | index($i) | not)) |
		 {id, reason, state, release_outcome,
		  survivors: [.survivors[] | "\(.node_id):\(.state)/\(.result // .leave_reason // "-")"],
		  answered_by: [.survivors[] | select(.state == "answered") | "\(.node_id)@\(.incarnation)"]}'
}
new_events() {	# H BEFORE: how many events H recorded since BEFORE (any origin)
	coordctl_on "$1" --json events | jq --argjson old "$2" \
		'[.events[] | select(.id as $i | $old | index($i) | not)] | length'
}
incarnation() { coordctl_on "$1" --json status | jq -r .daemon.incarnation; }
event_waiting() {	# H BEFORE: a new event of origin H still waits
	case_events "$1" "$2" | jq -e -s 'map(select(.state == "waiting")) | length > 0' >/dev/null
}
# The exemption: an event of the case released unconfirmed whose record
# names node V as not (answered, in grace).
names_unconfirmed() {	# EVENTS V
	echo "$1" | jq -e -s --arg v "$2" 'map(select(.release_outcome == "unconfirmed" and
		any(.survivors[]; startswith($v + ":") and (. != ($v + ":answered/in-grace"))))) |
		length > 0' >/dev/null
}

WATCH_PID=
watch_start() {	# CASE H
	local args="" n
	for n in 1 2 3; do args="$args $n:/run/netns/$(_lab_ns $n):$LAB_DIR/$n/bus.sock"; done
	# shellcheck disable=SC2086
	"$WATCH" --vip $VIP --origin "$2" --interval-ms 5 $args >"$LAB_DIR/watch.$1" 2>&1 &
	WATCH_PID=$!
	echo "$WATCH_PID" >>"$LAB_DIR/bg.pids"
	# Sampling once its first line (where the VIP is) is out: the case
	# starts then, not after a time the watcher may need more than.
	wait_for 20 grep -qs ' vip holder=' "$LAB_DIR/watch.$1" ||
		echo "# case $1: the watcher has not sampled within 20 s"
}
watch_stop() { kill -TERM "$WATCH_PID" 2>/dev/null; wait "$WATCH_PID" 2>/dev/null; WATCH_PID=; }

# What a case's records must say (jq over its events, one per line).
expect_record() {	# CASE DESCRIPTION JQ-FILTER
	if echo "$EVENTS" | jq -e -s "$3" >/dev/null 2>&1; then
		ok "case $1: record: $2"
	else
		not_ok "case $1: record: $2" "$(echo "$EVENTS" | tr '\n' ' ')"
	fi
}
last_released='map(select(.state == "released")) | last'

# The verdict of one case: the watcher's timeline and the records.
judge() {	# CASE DESCRIPTION EVENTS
	local c=$1 w=$LAB_DIR/watch.$1 v bad=
	sed "s/^/# [$c] watch: /" "$w"
	echo "$3" | sed "s/^/# [$c] record: /"
	coordctl_on "$H" events --last "$(new_events "$H" "$BEFORE")" | grep -v '^ *$' |
		sed "s/^/# [$c] coordctl events: /"
	v=$(sed -n 's/^verdict=.* violators=//p' "$w")
	check "case $c: the watcher ran to its verdict" grep -q '^verdict=' "$w"
	for n in $(echo "$v" | tr , ' '); do
		names_unconfirmed "$3" "$n" || bad="$bad $n"
	done
	if [ -z "$bad" ]; then
		ok "case $c: $2: the VIP was never on a node out of grace${v:+ except node $v, named by an unconfirmed release}"
	else
		not_ok "case $c: $2: the VIP was on node(s)$bad out of grace, and no unconfirmed release names them" \
			"$(grep -E '^violation|^[0-9]+ bad' "$w" | tr '\n' ';')"
	fi
	takeover_logged "$c" "$3"
}

# get_grace true is not enough: a server in its own start-up grace does not
# know the VIP's clients.  The new holder's ganesha must have logged the
# takeover grace for the VIP (recovery event 5) since the case began, no
# later than the second the VIP arrived (its log has 1 s resolution).
takeover_logged() {	# CASE EVENTS
	local c=$1 w=$LAB_DIR/watch.$1 h t_vip line t_log
	h=$(sed -n 's/^verdict=.* holder=\([0-9]*\) .*/\1/p' "$w")
	[ -n "$h" ] && [ "$h" != "$H" ] || return 0
	names_unconfirmed "$2" "$h" && return 0
	t_vip=$(awk -v h="$h" '$2 == "vip" && $3 == "holder=" h {t = $1} END {print int(t / 1000000)}' "$w")
	line=$(grep "recovery event 5 .*ip $VIP" "$LAB_DIR/$h/ganesha.log" | tail -n +$(( GL[h] + 1 )) | head -1)
	t_log=
	[ -n "$line" ] && t_log=$(date -u -d "$(echo "$line" |
		awk '{split($1, d, "/"); print d[3] "-" d[2] "-" d[1] " " $2}')" +%s 2>/dev/null)
	if [ -n "$t_log" ] && [ "$t_log" -le "$t_vip" ]; then
		ok "case $c: node $h's ganesha logged the takeover grace for $VIP before the VIP came ($(echo "$line" | cut -c12-19))"
	else
		not_ok "case $c: node $h's ganesha logged the takeover grace for $VIP before the VIP came" \
			"VIP at $(date -u -d @"$t_vip" +%T), first takeover line since the case: ${line:-none}"
	fi
}

# Back to three serving nodes with coordd, each a target.
restore() {
	for n in 1 2 3; do
		p=$(ganesha_pid $n) && kill -CONT "$p" 2>/dev/null
		get_grace $n >/dev/null || ganesha_up $n
		coordd_running $n || coord_start $n >/dev/null
	done
	must "restored: every node's ganesha, coordd and ganesha-active" wait_for 60 all_active
}
# A case whose setup is not there would test nothing: stop the group.
must() {	# DESCRIPTION command...
	check "$@" && return 0
	echo "1..$T"
	exit 1
}
coord_members() { [ "$(coordctl_on "$1" --json status | jq '.members | length')" = "$2" ]; }
vouch_all() { local n; for n in 1 2 3; do coordctl_on $n up >/dev/null 2>&1 || return 1; done; }
# Every coordd restarted (coord_conf N POLICY, with DEADLINE_MS as it is
# now), the monitor clone in maintenance meanwhile: a monitor in a
# restart's gap finds coordd unreachable and deletes its node's
# ganesha-active, and the VIP would move on its own, maybe after the case
# chose its nodes.  Out of maintenance once every coordd vouches for its
# node (coordctl up, the monitor's own question).
restart_coordds() {	# [POLICY]
	local n
	lab_exec 1 crm_resource --resource mon-clone --meta --set-parameter maintenance \
		--parameter-value true >/dev/null 2>&1
	lab_exec 1 crm_resource --wait -T 60s >/dev/null 2>&1
	for n in 1 2 3; do coord_conf $n "${1:-release}"; coord_stop $n; coord_start $n >/dev/null; done
	wait_for 60 vouch_all || echo "# some coordd does not vouch for its node 60 s after its restart"
	lab_exec 1 crm_resource --resource mon-clone --meta --set-parameter maintenance \
		--parameter-value false >/dev/null 2>&1
	wait_for 90 all_active
}
# Picks H (the VIP's node), S (preferred next) and U; waits until S and U
# are out of grace, so that any "true" the watcher sees is this case's.
case_setup() {	# CASE [S [MEMBERS]]
	H=$(vip_holder $VIP)
	S=${2:-$(( H % 3 + 1 ))}
	U=$(( 6 - H - S ))
	[ "$H" != "$S" ] || { not_ok "case $1: the VIP is on node $S, the case's node"; echo "1..$T"; exit 1; }
	prefer "$S"
	echo "# case $1: VIP on node $H; S=$S U=$U"
	must "case $1: node $H's coordd sees ${3:-3} members" wait_for 30 coord_members "$H" "${3:-3}"
	wait_for $(( GANESHA_GRACE_PERIOD + 15 )) out_of_grace "$S" "$U" ||
		echo "# case $1: grace still on at start: S $(get_grace "$S") U $(get_grace "$U")"
	BEFORE=$(event_ids "$H")
	for n in 1 2 3; do GL[n]=$(grep -c "recovery event 5 .*ip $VIP" "$LAB_DIR/$n/ganesha.log"); done
}
case_tail() {	# CASE: wait for the VIP to leave H, watch 2 s more, stop the watcher
	wait_for $(( DEADLINE_MS / 1000 + 30 )) vip_moved $VIP "$H" || echo "# case $1: the VIP stayed on node $H"
	sleep 2
	watch_stop
	EVENTS=$(case_events "$H" "$BEFORE")
}

echo "# bringing up 3 nodes with pacemaker, nfs-ganesha and coordd (deadline ${DEADLINE_MS} ms, grace ${GANESHA_GRACE_PERIOD} s)"
lab_up 3 || { not_ok "lab bring-up"; echo "1..$T"; exit 1; }
for n in 1 2 3; do
	check "node $n: real ganesha.nfsd answers on D-Bus" ganesha_up $n
	coord_conf $n
	[ $n = 3 ] || coord_start $n >/dev/null	# case b: node 3 has no coordd yet
	lab_start_pacemaker $n
done
must "pacemaker: 3 nodes online" lab_wait_pacemaker 1 3 150
lab_exec 1 crm_attribute -t crm_config -n stonith-enabled -v false
lab_exec 1 crm_attribute -t rsc_defaults -n resource-stickiness -v 1000
# dbus_timeout_ms: a stopped (slow) ganesha is not a dead one here.
lab_exec 1 cibadmin -C -o resources -X "$(pcmk_mon_clone_xml 2s 50000 60s)"
lab_exec 1 cibadmin -C -o resources -X "$(pcmk_vip_xml vip "$VIP")"
lab_exec 1 cibadmin -C -o constraints -X "$(pcmk_vip_rule_xml vip)"
lab_exec 1 cibadmin -C -o constraints -X \
	"<rsc_location id=\"vip-prefer\" rsc=\"vip\" node=\"node1\" score=\"100\"/>"
two_active() { case "$(active_nodes)" in "1 2 "*) return 0 ;; esac; return 1; }
check "the monitor agent set ganesha-active=1 on nodes 1 and 2" wait_for 60 two_active
vip_on_1() { [ "$(vip_holder $VIP)" = 1 ]; }
check "the VIP runs on node 1" wait_for 60 vip_on_1
# The instrument can fail: with no origin exempt, the VIP on node 1 (its
# ganesha out of its start-up grace) is a violation it must report.
wait_for 20 out_of_grace 1
watch_start control 0
sleep 0.5
watch_stop
check "the watcher reports the VIP on node 1, out of grace, as a violation" \
	grep -q '^verdict=violation .* violators=1$' "$LAB_DIR/watch.control"

# --- b: node 3's agent started (at bring-up) while its coordd is stopped ---
mon_on() { lab_exec 1 crm_resource -r mon-clone -W 2>/dev/null | grep -qw "node$1"; }
must "case b: the monitor agent runs on node 3 (no coordd there)" wait_for 60 mon_on 3
sleep 4	# two more monitors on node 3
case_setup b 3 2
echo "# case b: node $S without coordd; active nodes: $(active_nodes)"
watch_start b "$H"
kill -KILL "$(ganesha_pid "$H")"
case_tail b
judge b "node $S's agent runs without coordd" "$EVENTS"
expect_record b "released confirmed, node $U in grace, node $S no member" \
	"$last_released | .release_outcome == \"confirmed\" and
	 .survivors == [\"$U:answered/in-grace\"]"
restore

# --- a: survivor S's coordd killed mid-barrier, its ganesha slow ---
case_setup a
watch_start a "$H"
SG=$(ganesha_pid "$S")
kill -STOP "$SG"
kill -KILL "$(ganesha_pid "$H")"
wait_for 60 event_waiting "$H" "$BEFORE" || echo "# case a: no waiting event seen on node $H"
sleep 0.5
kill -KILL "$(coord_pid "$S")"
echo "# case a: node $S's coordd killed at $(now_us)"
sleep 6
kill -CONT "$SG"
echo "# case a: node $S's ganesha resumed at $(now_us)"
case_tail a
judge a "survivor $S's coordd killed mid-barrier (ganesha stopped 6.5 s)" "$EVENTS"
expect_record a "released unconfirmed, naming node $S as left (procdown), node $U in grace" \
	"$last_released | .release_outcome == \"unconfirmed\" and
	 (.survivors | index(\"$S:left/procdown\") and index(\"$U:answered/in-grace\"))"
restore

# --- c: survivor S's coordd restarted mid-barrier, its ganesha slow ---
case_setup c
watch_start c "$H"
SG=$(ganesha_pid "$S")
kill -STOP "$SG"
kill -KILL "$(ganesha_pid "$H")"
wait_for 60 event_waiting "$H" "$BEFORE" || echo "# case c: no waiting event seen on node $H"
sleep 0.5
kill -KILL "$(coord_pid "$S")"
sleep 1
coord_start "$S" >/dev/null
echo "# case c: node $S's coordd restarted at $(now_us)"
sleep 4
kill -CONT "$SG"
case_tail c
judge c "survivor $S's coordd restarted mid-barrier" "$EVENTS"
INC=$(incarnation "$S")
expect_record c "released confirmed with nodes $S (its restarted coordd, incarnation $INC) and $U in grace" \
	"$last_released | .release_outcome == \"confirmed\" and
	 (.survivors | index(\"$S:answered/in-grace\") and index(\"$U:answered/in-grace\")) and
	 (.answered_by | index(\"$S@$INC\"))"
restore

# --- e: the VIP's node's coordd restarted, its ganesha running ---
# The agent keeps ganesha-active for restart_wait (10 s) while coordd
# cannot vouch: a coordd restart must not move a live server's clients
# away and back, past their lease (the client-history soak, seed 2718,
# move 22).  Ordered, not timed: coordd starts again once H's agent has
# logged a monitor that found it gone.
H=$(vip_holder $VIP)
mon_saw_it() { [ "$(grep -c 'coordd does not vouch for this node' "$LAB_DIR/$H/pcmk/log/pacemaker.log")" -gt "$1" ]; }
seen0=$(grep -c 'coordd does not vouch for this node' "$LAB_DIR/$H/pcmk/log/pacemaker.log")
watch_start e "$H"
kill -KILL "$(coord_pid "$H")"
echo "# case e: node $H's coordd killed at $(now_us)"
check "case e: node $H's agent ran a monitor without coordd" wait_for 30 mon_saw_it "$seen0"
said=$(grep 'coordd does not vouch for this node' "$LAB_DIR/$H/pcmk/log/pacemaker.log" | tail -n +$(( seen0 + 1 )) | head -1)
echo "# case e: $said"
check "case e: ... it kept ganesha-active, waiting for coordd to come back" \
	grep -q "keeping ganesha-active up to restart_wait=10s" <<<"$said"
h_active() { case " $(active_nodes 1)" in *" $H "*) return 0 ;; esac; return 1; }
check "case e: ... node $H still has ganesha-active=1 ($(active_nodes 1))" h_active
coord_start "$H" >/dev/null
echo "# case e: node $H's coordd started at $(now_us)"
vouch_h() { coordctl_on "$H" up >/dev/null 2>&1; }
check "case e: node $H's new coordd vouches for its node" wait_for 60 vouch_h
sleep 2
watch_stop
sed "s/^/# [e] watch: /" "$LAB_DIR/watch.e"
check "case e: the VIP stayed on node $H all along (the watcher saw no other holder)" \
	sh -c "! grep ' vip holder=' '$LAB_DIR/watch.e' | grep -qv ' vip holder=$H\$'"
check "case e: node $H still has ganesha-active=1" h_active
restore

# --- d: node R rebooted while the event waits for T's stopped ganesha ---
# R's reboot (pacemaker's shutdown, corosync, ganesha, coordd) takes from
# about 10 s to well over the 25 s deadline on a loaded machine; under
# policy release the event would then be released unconfirmed before R is
# back, and R never asked into grace: the outcome would be the machine's
# speed.  For this case every coordd gets a deadline no reboot reaches, so
# the event is held open by U's stopped ganesha alone.
DEADLINE_MS=${TS_D_DEADLINE_MS:-180000}
restart_coordds
must "case d: every coordd restarted with a $DEADLINE_MS ms deadline, every node a target" all_active
case_setup d
R=$S
watch_start d "$H"
TG=$(ganesha_pid "$U")
kill -STOP "$TG"
kill -KILL "$(ganesha_pid "$H")"
wait_for 60 event_waiting "$H" "$BEFORE" || echo "# case d: no waiting event seen on node $H"
t_boot=$(now_us)
lab_stop_pacemaker "$R"
coord_stop "$R" KILL
kill -KILL "$(ganesha_pid "$R")" 2>/dev/null
GL[R]=$(grep -c "recovery event 5 .*ip $VIP" "$LAB_DIR/$R/ganesha.log")	# its next ganesha's
# ganesha copies a taken-over VIP's clients into its own recovery records
# (v4old/node0), so R's next start-up grace would hold the planted client
# and last Grace_Period whatever coord does.  Drop those copies: R's
# start-up grace then lifts at once, and a "true" from R after the reboot
# can only be the takeover grace the event owes it.
rm -rf "$LAB_DIR/$R/recovery/v4old/node0/"* "$LAB_DIR/$R/recovery/v4recov/node0/"*
lab_stop_dbus "$R"
lab_stop_corosync "$R"
lab_exec "$R" sh -c 'rm -rf /run/resource-agents /run/ganesha.pid'
echo "# case d: node $R down $(( ($(now_us) - t_boot) / 1000 )) ms after the reboot began"
lab_start_corosync "$R"
lab_start_dbus "$R"
lab_wait_members "$R" 3 30
ganesha_up "$R"
coord_start "$R" >/dev/null
lab_start_pacemaker "$R"
r_active() { case " $(active_nodes)" in *" $R "*) return 0 ;; esac; return 1; }
wait_for 60 r_active || echo "# case d: node $R did not become a target"
echo "# case d: node $R back and a target $(( ($(now_us) - t_boot) / 1000 )) ms after the reboot began"
kill -CONT "$TG"
case_tail d
judge d "node $R rebooted while the event waited" "$EVENTS"
INC=$(incarnation "$R")
expect_record d "released confirmed with nodes $R (rebooted, incarnation $INC) and $U in grace" \
	"$last_released | .release_outcome == \"confirmed\" and
	 (.survivors | index(\"$R:answered/in-grace\") and index(\"$U:answered/in-grace\")) and
	 (.answered_by | index(\"$R@$INC\"))"

# --- hold (TS_HOLD=1, about 80 s more): case a under policy hold on H ---
# The event must be held past the deadline (the VIP stays on H); S's
# coordd restarted afterwards rejoins, the event is re-run and confirmed.
if [ "${TS_HOLD:-0}" = 1 ]; then
	DEADLINE_MS=${TS_DEADLINE_MS:-25000}
	restore
	# Every coordd under hold (the VIP's node is known only after them).
	restart_coordds hold
	case_setup hold
	watch_start hold "$H"
	SG=$(ganesha_pid "$S")
	kill -STOP "$SG"
	kill -KILL "$(ganesha_pid "$H")"
	wait_for 60 event_waiting "$H" "$BEFORE" || echo "# case hold: no waiting event seen on node $H"
	sleep 0.5
	kill -KILL "$(coord_pid "$S")"
	sleep 3
	kill -CONT "$SG"
	# Held at the deadline: waited for, not slept.
	held_now() { held=$(case_events "$H" "$BEFORE"); echo "$held" | jq -e -s 'last | .state == "held"' >/dev/null; }
	wait_for $(( DEADLINE_MS / 1000 + 30 )) held_now
	held=$(case_events "$H" "$BEFORE")
	echo "$held" | sed 's/^/# [hold] record past the deadline: /'
	check "case hold: past the deadline the VIP is still on node $H" [ "$(vip_holder $VIP)" = "$H" ]
	if echo "$held" | jq -e -s "last | .state == \"held\" and (.survivors | index(\"$S:left/procdown\"))" >/dev/null; then
		ok "case hold: record: held, naming node $S as left (procdown)"
	else
		not_ok "case hold: record: held, naming node $S as left (procdown)"
	fi
	coord_start "$S" >/dev/null
	case_tail hold
	judge hold "policy hold, then survivor $S's coordd back" "$EVENTS"
	INC=$(incarnation "$S")
	expect_record hold "released confirmed with node $S (incarnation $INC) in grace" \
		"$last_released | .release_outcome == \"confirmed\" and (.answered_by | index(\"$S@$INC\"))"
fi

echo "1..$T"
[ "$FAILED" = 0 ]
