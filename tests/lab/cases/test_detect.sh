#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# coordd watching its local ganesha.nfsd on D-Bus (coord/daemon/detect.c), end to
# end with a real nfs-ganesha 4.3 per node and no agent at all: nothing
# but coordd reports a death here.
#   1. every coordd sees its server up (name owned, get_grace answered)
#      and its heartbeat;
#   2. kill -9 of ganesha on node 1: node 1's coordd reports the death
#      itself; the release runs once both survivors' real ganesha are in
#      grace; node 1's server comes back: up again, seen by the others;
#   3. ganesha on node 1 hung (SIGSTOP), on_hung = report: reported hung,
#      no death, the process left alone; SIGCONT: up again;
#   4. ganesha on node 2 hung, on_hung = kill: stopped by coordd, and its
#      death reported once it is gone;
#   5. node 3 rides out a restart (detect_restart_wait_ms): no event.
set -u
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/coord_lab.sh"
lab_trap
HB_MS=2000

local_is() {	# N STATE [HOW]: coordctl status's local server on node N
	local got
	got=$(ctl "$1" --json status 2>/dev/null | jq -r '.daemon.local_server | "\(.state) \(.detected_by)"')
	[ "${got% *}" = "$2" ] && { [ -z "${3:-}" ] || [ "${got#* }" = "$3" ]; }
}
local_json() { ctl "$1" --json status | jq -c ".daemon.local_server | $2"; }
reported_events() {	# N ORIGIN: events with reason reported from ORIGIN
	ctl "$1" --json events | jq --argjson o "$2" '[.events[] | select(.reason == "reported" and .origin == $o)] | length'
}
member_server() {	# N OF: node N's view of node OF's server
	ctl "$1" --json status | jq -r --argjson o "$2" '.members[] | select(.node_id == $o) | .server'
}
released() { [ "$(release_count "$1")" -ge "$2" ]; }

echo "# bringing up 3 nodes with a real nfs-ganesha each"
lab_up 3 || { not_ok "lab bring-up"; exit 1; }
for n in 1 2 3; do
	# A client of each other node's VIP to reclaim: a survivor's takeover
	# grace then lasts Grace_Period, and the release probe's get_grace
	# does not race ganesha lifting an empty grace at its next reaper run.
	for m in 1 2 3; do [ $m = $n ] || ganesha_vip_client $n "$(vip_of $m)"; done
	check "node $n: real ganesha.nfsd answers on D-Bus" ganesha_start $n
	coord_config $n release 10000 5000
	# At the release, what every survivor's real ganesha says of grace.
	cat >"$LAB_DIR/$n/release.sh" <<SH
#!/bin/sh
t=\$(date +%s%6N)
for i in 1 2 3; do
	[ \$i = $n ] && continue
	g=\$(DBUS_SYSTEM_BUS_ADDRESS=unix:path=$LAB_DIR/\$i/bus.sock timeout 5 dbus-send --system \
		--print-reply --dest=org.ganesha.nfsd /org/ganesha/nfsd/admin \
		org.ganesha.nfsd.admin.get_grace 2>/dev/null | awk '/boolean/ {print \$2; exit}')
	echo "\$t \$COORD_EVENT node\$i get_grace=\${g:-no-answer}" >>$LAB_DIR/$n/release-probe.log
done
echo "\$t \$COORD_EVENT \$COORD_OUTCOME" >>$LAB_DIR/$n/release.log
SH
	chmod 755 "$LAB_DIR/$n/release.sh"
	sed -i "s|^release_command = .*|release_command = $LAB_DIR/$n/release.sh|" "$LAB_DIR/$n/coordd.conf"
	echo "heartbeat_timeout_ms = $HB_MS" >>"$LAB_DIR/$n/coordd.conf"
done
echo "on_hung = kill" >>"$LAB_DIR/2/coordd.conf"
echo "detect_restart_wait_ms = 60000" >>"$LAB_DIR/3/coordd.conf"
for n in 1 2 3; do coord_start $n >/dev/null; done
for n in 1 2 3; do wait_coord_members $n 3 30 || { not_ok "coordd members"; exit 1; }; done

# --- 1. up, by bus name, with a heartbeat ---
for n in 1 2 3; do
	check "node $n: coordd sees its ganesha up (bus-name)" wait_for 20 local_is $n up bus-name
	hb() { [ "$(local_json "$1" '.heartbeat_age_ms != null and .heartbeat_age_ms < '"$HB_MS")" = true ]; }
	check "node $n: a heartbeat from the real ganesha, younger than ${HB_MS} ms" wait_for 10 hb $n
	check "node $n: coordd knows ganesha's pid" \
		[ "$(local_json $n .pid)" = "$(ganesha_pid $n)" ]
done

# --- 2. kill -9 on node 1: coordd reports the death itself ---
t0=$(now_us)
kill -9 "$(ganesha_pid 1)"
check "node 1: the release ran, with no coordctl death from anyone" wait_for 20 released 1 1
t_rel=$(awk 'NR == 1 {print $1}' "$LAB_DIR/1/release.log")
echo "# kill -9 -> release on node 1: $(( (t_rel - t0) / 1000 )) ms"
check "node 1: coordd logged the death it reported" \
	grep -q "local server's death reported by coordd" "$LAB_DIR/1/coordd.log"
check "node 1: one reported event from node 1" [ "$(reported_events 1 1)" = 1 ]
for s in 2 3; do
	check "at the release, node $s's real ganesha answered get_grace true" \
		grep -q "node$s get_grace=true" "$LAB_DIR/1/release-probe.log"
done
check "node 1: status says down, by bus-name" local_is 1 down bus-name
check "node 2 sees node 1's server down" [ "$(member_server 2 1)" = down ]
hb0=$(local_json 1 .heartbeats)
ganesha_start 1 >/dev/null
check "node 1: ganesha back: up again, by bus-name" wait_for 20 local_is 1 up bus-name
server_up_seen() { [ "$(member_server 2 1)" = up ]; }
check "node 2 sees node 1's server up again (its HELLO)" wait_for 10 server_up_seen

# --- 3. hung, on_hung = report (node 1) ---
events_before=$(reported_events 1 1)
gp=$(ganesha_pid 1)
# A heartbeat from the restarted server arms the watch: wait for one (the
# old server's are counted in hb0), not for a time.
new_heartbeat() { [ "$(local_json 1 .heartbeats)" -gt "$hb0" ] 2>/dev/null; }
wait_for 20 new_heartbeat || echo "# node 1: no heartbeat from the restarted ganesha"
t0=$(now_us)
kill -STOP "$gp"
if wait_for 20 local_is 1 hung heartbeat; then
	ok "node 1: SIGSTOPped ganesha reported hung, by heartbeat, $(( ($(now_us) - t0) / 1000 )) ms after the stop (timeout $HB_MS ms)"
else
	not_ok "node 1: SIGSTOPped ganesha reported hung" "status: $(local_json 1 .)"
fi
check "node 1: coordd logged the missing heartbeat" grep -q "no heartbeat from ganesha.nfsd" "$LAB_DIR/1/coordd.log"
sleep 1
check "node 1: on_hung = report: no death reported, the process is alive" \
	[ "$(reported_events 1 1)/$(kill -0 "$gp" 2>/dev/null && echo alive)" = "$events_before/alive" ]
kill -CONT "$gp"
check "node 1: SIGCONT: up again, by heartbeat" wait_for 10 local_is 1 up heartbeat

# --- 4. hung, on_hung = kill (node 2) ---
gp=$(ganesha_pid 2)
t0=$(now_us)
kill -STOP "$gp"
gone() { ! kill -0 "$gp" 2>/dev/null || grep -q '^State:.*Z' "/proc/$gp/status" 2>/dev/null; }
check "node 2: the hung ganesha was stopped by coordd" wait_for 30 gone
check "node 2: its death was reported and released" wait_for 20 released 2 1
echo "# SIGSTOP -> release on node 2: $(( ($(awk 'NR == 1 {print $1}' "$LAB_DIR/2/release.log") - t0) / 1000 )) ms (heartbeat timeout $HB_MS ms)"
check "node 2: status says down, killed-when-hung" local_is 2 down killed-when-hung
check "node 2: coordd logged the SIGKILL" grep -q "stopped with SIGKILL" "$LAB_DIR/2/coordd.log"
for s in 1 3; do
	check "at node 2's release, node $s's real ganesha answered get_grace true" \
		grep -q "node$s get_grace=true" "$LAB_DIR/2/release-probe.log"
done

# --- 5. a restart ridden out (node 3: detect_restart_wait_ms = 60000) ---
# The wait is the longest coordd takes, so that a loaded machine's slow
# kill, detection and restart all fit in it: the checks wait for each
# state, and a pass costs no more time than the restart.
t5=$(now_us)
kill -9 "$(ganesha_pid 3)"
waiting_restart() { [ "$(local_json 3 .death_waits_for_restart)" = true ]; }
check "node 3: down, its death waiting for a restart" wait_for 30 waiting_restart
ganesha_start 3 >/dev/null
check "node 3: ganesha restarted within the wait: up, restart-ridden-out" \
	wait_for 50 local_is 3 up restart-ridden-out
echo "# node 3: kill -9 to up again: $(( ($(now_us) - t5) / 1000 )) ms (the wait: 60000 ms)"
check "node 3: no death event, no release" \
	[ "$(reported_events 3 3)/$(release_count 3)" = "0/0" ]
check "node 3: coordd logged the restart" grep -q "restarted and answers" "$LAB_DIR/3/coordd.log"

echo "1..$T"
[ "$FAILED" = 0 ]
