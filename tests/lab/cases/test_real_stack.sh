#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The real stack, end to end (one bring-up for the group): 3 nodes, each
# with corosync, pacemaker, a private system bus, a real nfs-ganesha 4.3
# and coordd; an IPaddr2 VIP whose location rule needs ganesha-active=1;
# coord's monitor agent as a pacemaker clone.  ganesha.nfsd is killed on
# the node holding the VIP; the VIP must move only after every surviving
# ganesha is in grace, which the release command itself records
# (tests/lab/tools/release_probe.sh).  Then a whole node is stopped.  Last, the
# same failover with the old notify + fixed-sleep method, for the timings.
set -u
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/coord_lab.sh"
. "$(dirname "$0")/../lib/seed_method.sh"
lab_trap
VIP=198.18.0.100

echo "# bringing up 3 nodes with pacemaker and nfs-ganesha"
lab_up 3 || { not_ok "lab bring-up"; exit 1; }
for n in 1 2 3; do
	# A client of the VIP to reclaim: a survivor's takeover grace then
	# lasts Grace_Period, and the release probe's get_grace does not race
	# ganesha lifting an empty grace at its next reaper run.
	ganesha_vip_client $n $VIP
	check "node $n: real ganesha.nfsd answers on D-Bus" ganesha_start $n
	coord_probe_config $n $VIP
	# The agent's path (its monitor reports the death); coordd's own watch is
	# tests/lab/cases/test_detect.sh's, and would release the old method's run below.
	echo "detect = off" >>"$LAB_DIR/$n/coordd.conf"
	coord_start $n >/dev/null
	lab_start_pacemaker $n
done
check "pacemaker: 3 nodes online" lab_wait_pacemaker 1 3 90
lab_exec 1 crm_attribute -t crm_config -n stonith-enabled -v false
lab_exec 1 cibadmin -C -o resources -X "$(pcmk_mon_clone_xml 2s)"
lab_exec 1 cibadmin -C -o resources -X "$(pcmk_vip_xml vip "$VIP")"
lab_exec 1 cibadmin -C -o constraints -X "$(pcmk_vip_rule_xml vip)"

check "the monitor agent set ganesha-active=1 on every node" wait_for 60 all_active
# (the redirect inside: on the check it would hide the check's own line)
vip_runs() { vip_holder $VIP >/dev/null; }
check "the VIP runs on a node" wait_for 60 vip_runs
H=$(vip_holder $VIP)
echo "# VIP on node $H"

# --- 1. ganesha.nfsd killed on the VIP's node ---
t0=$(now_us)
kill -9 "$(lab_exec "$H" cat /run/ganesha.pid)"
S=
if wait_for 60 vip_moved $VIP "$H"; then
	t_vip=$(now_us)
	S=$(vip_holder $VIP)
	ok "the VIP moved from node $H to node $S, $(( (t_vip - t0) / 1000 )) ms after ganesha's death"
else
	not_ok "the VIP moved to a survivor" "still on $(vip_holder $VIP)"
	echo "1..$T"; exit 1
fi
probe=$(cat "$LAB_DIR/$H/release-probe.log" 2>/dev/null)
echo "$probe" | sed 's/^/# release probe: /'
for n in 1 2 3; do
	[ "$n" = "$H" ] && continue
	check "at the release, node $n's ganesha answered get_grace true" \
		grep -q "node$n get_grace=true" "$LAB_DIR/$H/release-probe.log"
	check "node $n's ganesha log shows the takeover (event 5, ip $VIP)" \
		grep -q "recovery event 5 .*ip $VIP" "$LAB_DIR/$n/ganesha.log"
done
id=$(lab_exec "$H" "$COORDCTL" --json events | jq -r '[.events[] | select(.reason == "reported")][-1].id')
views=$(for n in 1 2 3; do
	lab_exec $n "$COORDCTL" --json events | jq -c --arg id "$id" \
		'.events[] | select(.id == $id) | [.state, [.survivors[] | [.node_id, .result]]]'
done | sort -u)
others=$(for n in 1 2 3; do [ $n != "$H" ] && printf '[%d,"in-grace"],' $n; done)
check "every node records event $id: released, survivors in grace" \
	[ "$views" = "[\"released\",[${others%,}]]" ]
[ "$views" = "[\"released\",[${others%,}]]" ] || echo "# got: $views"
check "node $H's ganesha-active is gone, the others' remain" \
	[ "$(active_nodes)" = "$(for n in 1 2 3; do [ $n != "$H" ] && printf '%d ' $n; done)" ]
t_rel=$(awk 'NR == 1 {print $1}' "$LAB_DIR/$H/release.log")
t_rep=$(grep -m1 'local server reported dead' "$LAB_DIR/$H/coordd.log" >/dev/null && echo 1)
echo "# coord: death -> release $(( (t_rel - t0) / 1000 )) ms (includes the 2 s monitor interval), release -> VIP on node $S $(( (t_vip - t_rel) / 1000 )) ms"
COORD_DEATH_TO_VIP_MS=$(( (t_vip - t0) / 1000 ))

# --- 2. a whole node stopped: the survivors enter grace for its VIP ---
X=$S
Y=$(for n in 1 2 3; do [ $n != "$X" ] && [ $n != "$H" ] && echo $n; done)
before=$(grep -c "recovery event 5 .*ip $VIP" "$LAB_DIR/$Y/ganesha.log")
lab_stop_pacemaker "$X"
lab_stop_corosync "$X"
regrace() { [ "$(grep -c "recovery event 5 .*ip $VIP" "$LAB_DIR/$Y/ganesha.log")" -gt "$before" ]; }
check "node $X stopped: node $Y's ganesha entered grace again for $VIP" wait_for 30 regrace
# A real server with no client to reclaim may lift grace within seconds:
# what counts is the answer at the call, as coordd recorded it.
nl=$(lab_exec "$Y" "$COORDCTL" --json events | jq -r --arg y "$Y" \
	'[.events[] | select(.reason == "node-left" and .origin == '"$X"')][-1].survivors[] |
	 select(.node_id == ($y | tonumber)) | .result')
check "node $Y's coordd recorded its real ganesha's answer to the node-left grace: $nl" \
	[ "$nl" = in-grace ]

# --- 3. the old method on the same lab, for comparison ---
# Node H's ganesha comes back; the coord monitor is stopped; the seed's
# attribute dance runs by hand (notify grace to survivors, fixed sleep).
lab_start_corosync "$X"
lab_start_pacemaker "$X"
ganesha_start "$H" >/dev/null
check "pacemaker: 3 nodes online again" lab_wait_pacemaker 1 3 90
check "every node active again" wait_for 60 all_active
lab_exec 1 crm_resource --resource mon-clone --meta --set-parameter target-role --parameter-value Stopped >/dev/null 2>&1
wait_for 30 vip_holder $VIP >/dev/null
H2=$(vip_holder $VIP)
t0=$(now_us)
kill -9 "$(lab_exec "$H2" cat /run/ganesha.pid)"
lab_exec "$H2" attrd_updater -D -n grace-active >/dev/null 2>&1
SEED_GRACE_DELAY=5 seed_failover "$H2"
lab_exec "$H2" attrd_updater -D -n ganesha-active
if wait_for 60 vip_moved $VIP "$H2"; then
	SEED_DEATH_TO_VIP_MS=$(( ($(now_us) - t0) / 1000 ))
	ok "old method: the VIP moved $SEED_DEATH_TO_VIP_MS ms after ganesha's death (death detected at once)"
else
	not_ok "old method: the VIP moved"
fi
echo "# death -> VIP answering on a survivor: coord ${COORD_DEATH_TO_VIP_MS} ms (monitor every 2 s), fixed sleep ${SEED_DEATH_TO_VIP_MS:-?} ms (detection not counted)"

echo "1..$T"
[ "$FAILED" = 0 ]
