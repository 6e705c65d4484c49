#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The OCF agents (agents/coordd, agents/ganesha_coord_mon,
# agents/ganesha_coord_gate): meta-data
# against the OCF DTD, ocf-tester inside a 1-node lab (corosync up, no
# pacemaker), and the coordd agent's failures: each must come back with
# its OCF code and a reason, within the action's timeout.  Then
# docs/migration.md's pcs commands, run offline (pcs -f) on a CIB file.
set -u
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/coord_lab.sh"

DTD_DIR=/usr/share/resource-agents	# holds ra-api-1.dtd
for a in coordd ganesha_coord_mon ganesha_coord_gate coord_vip; do
	check "$a: meta-data is valid against ra-api-1.dtd" sh -c \
		"COORD_FUNCTIONS_DIR='$COORD_TOP/agents/lib' sh '$COORD_TOP/agents/$a' meta-data | (cd $DTD_DIR && xmllint --noout --valid -)"
done

lab_trap
echo "# bringing up 1 node"
if ! lab_up 1; then
	not_ok "lab bring-up"
	exit 1
fi
coord_config 1 release
fake_start 1 >"$LAB_DIR/1/fake_ganesha.pid"
CONF=$LAB_DIR/1/coordd.conf
AGENT=$COORD_TOP/agents/coordd

agent() {	# ACTION [VAR=VALUE...]: the coordd agent in node 1; sets OUT
	local action=$1; shift
	OUT=$(lab_exec 1 env OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=coordd \
		OCF_RESKEY_binary="$COORDD" OCF_RESKEY_coordctl="$COORDCTL" \
		OCF_RESKEY_config="$CONF" "$@" "$AGENT" "$action" 2>&1)
}

# --- ocf-tester: the whole OCF contract, socket read from the config ---
out=$(lab_exec 1 ocf-tester -n coordd -o binary="$COORDD" -o coordctl="$COORDCTL" \
	-o config="$CONF" "$AGENT" 2>&1); rc=$?
check "ocf-tester coordd: exit 0 (got $rc)" [ "$rc" = 0 ]
check "ocf-tester coordd: '$AGENT passed all tests'" \
	grep -qx "$AGENT passed all tests" <<<"$out"
[ "$rc" = 0 ] || echo "$out" | sed 's/^/# /'
ctl 1 ping >/dev/null 2>&1; rc=$?
check "ocf-tester left no coordd answering (coordctl ping exits 3, got $rc)" [ "$rc" = 3 ]

# --- what used to hang or pass silently ---
agent validate-all OCF_RESKEY_socket=/run/coord/other.sock; rc=$?
check "socket parameter unlike the config's: validate-all exits 6 (got $rc)" [ "$rc" = 6 ]
check "  ... and says why" grep -q "socket=/run/coord/other.sock but $CONF says $LAB_DIR/1/coordd.sock" <<<"$OUT"
agent start OCF_RESKEY_socket=/run/coord/other.sock; rc=$?
check "socket parameter unlike the config's: start exits 6 at once (got $rc)" [ "$rc" = 6 ]
agent validate-all OCF_RESKEY_socket="$LAB_DIR/1/coordd.sock"; rc=$?
check "socket parameter equal to the config's: validate-all exits 0 (got $rc)" [ "$rc" = 0 ]

CONF=$LAB_DIR/1/missing.conf
agent validate-all; rc=$?
check "missing configuration: validate-all exits 5 (got $rc)" [ "$rc" = 5 ]
check "  ... and names it" grep -q "configuration $CONF not found" <<<"$OUT"

CONF=$LAB_DIR/1/bad.conf
printf 'group = g\nno_such_key = 1\n' >"$CONF"
agent validate-all; rc=$?
check "configuration coordd -t refuses: validate-all exits 6 (got $rc)" [ "$rc" = 6 ]
check "  ... with coordd's message" grep -q "bad.conf:2: unknown key 'no_such_key'" <<<"$OUT"

# coordd passes -t but cannot create its socket: start reports its exit.
CONF=$LAB_DIR/1/nosocket.conf
sed "s|^socket = .*|socket = /proc/coord-none/coordd.sock|" "$LAB_DIR/1/coordd.conf" >"$CONF"
agent start; rc=$?
check "coordd exits during start: start exits 1 (got $rc)" [ "$rc" = 1 ]
check "  ... with coordd's exit status" grep -q "coordd exited with status 1 during start" <<<"$OUT"

# A coordd that runs but never answers: start gives up within its timeout.
STUB=$LAB_DIR/mute-coordd
cat >"$STUB" <<'EOF'
#!/bin/sh
# a coordd that passes -t, writes its pid file and never answers
[ "$1" = -t ] && exit 0
while [ $# -gt 0 ]; do [ "$1" = -p ] && echo $$ >"$2"; shift; done
exec sleep 120
EOF
chmod +x "$STUB"
CONF=$LAB_DIR/1/coordd.conf
saved=$COORDD COORDD=$STUB
agent start OCF_RESKEY_CRM_meta_timeout=7000; rc=$?
check "coordd mute: start exits 1 (got $rc)" [ "$rc" = 1 ]
check "  ... after the timeout less 5 s" \
	grep -q "did not answer on $LAB_DIR/1/coordd.sock within 2s" <<<"$OUT"
agent monitor; rc=$?
check "coordd mute: monitor exits 1, runs but does not answer (got $rc)" [ "$rc" = 1 ]
mute=$(lab_exec 1 cat /run/coord/coordd.pid)
agent stop; rc=$?
check "coordd mute: stop exits 0 (got $rc)" [ "$rc" = 0 ]
check "coordd mute: stop ended it (pid ${mute:-none})" sh -c "[ -n '$mute' ] && ! kill -0 '$mute' 2>/dev/null"
COORDD=$saved

# --- ganesha_coord_mon under ocf-tester, with coordd and a fake ganesha ---
# No pacemaker in this group: attrd_updater fails quietly, so this checks
# the OCF contract (start, monitor, stop, probes), not the attribute.
agent start; rc=$?
check "coordd started by its agent for the monitor's test (got $rc)" [ "$rc" = 0 ]
out=$(lab_exec 1 ocf-tester -n ganesha_coord_mon -o coordctl="$COORDCTL" \
	-o socket="$LAB_DIR/1/coordd.sock" -o pid_file="$LAB_DIR/1/fake_ganesha.pid" \
	"$COORD_TOP/agents/ganesha_coord_mon" 2>&1); rc=$?
check "ocf-tester ganesha_coord_mon: exit 0 (got $rc)" [ "$rc" = 0 ]
check "ocf-tester ganesha_coord_mon: 'passed all tests'" \
	grep -qx "$COORD_TOP/agents/ganesha_coord_mon passed all tests" <<<"$out"
[ "$rc" = 0 ] || echo "$out" | sed 's/^/# /'

# --- ganesha_coord_gate under ocf-tester, with coordd and a fake ganesha ---
# One member: the handover of its stop has no one else to wait for.
GATE_VIP=198.18.0.150
: >"$LAB_DIR/1/grace.rec"
out=$(lab_exec 1 ocf-tester -n gate -o vip="$GATE_VIP" -o coordctl="$COORDCTL" \
	-o socket="$LAB_DIR/1/coordd.sock" -o pid_file="$LAB_DIR/1/fake_ganesha.pid" \
	-o wait_timeout=10 "$COORD_TOP/agents/ganesha_coord_gate" 2>&1); rc=$?
check "ocf-tester ganesha_coord_gate: exit 0 (got $rc)" [ "$rc" = 0 ]
check "ocf-tester ganesha_coord_gate: 'passed all tests'" \
	grep -qx "$COORD_TOP/agents/ganesha_coord_gate passed all tests" <<<"$out"
[ "$rc" = 0 ] || echo "$out" | sed 's/^/# /'
# ocf-tester starts it twice and stops it twice: one take-over and one
# drop each time it really starts and stops (twice each).
check "the gate's starts were take-overs (grace 3:, $(grep -c ' grace 3: ' "$LAB_DIR/1/grace.rec") calls)" \
	[ "$(grep -c ' grace 3: ' "$LAB_DIR/1/grace.rec")" -ge 2 ]
check "the gate's stops dropped the VIP's state (grace 2:$GATE_VIP, $(grep -c " grace 2:$GATE_VIP " "$LAB_DIR/1/grace.rec") calls)" \
	[ "$(grep -c " grace 2:$GATE_VIP " "$LAB_DIR/1/grace.rec")" = 2 ]

# The monitor agent learns from coordd whether ganesha runs (coordd
# watches the bus name and the owner's process); the pid file is read only
# when coordd cannot say.  No pacemaker here: a stand-in attrd_updater says
# the attribute is set, so an agent that took a running server for dead
# would report its death.
mkdir -p "$LAB_DIR/stub"
cat >"$LAB_DIR/stub/attrd_updater" <<'STUB'
#!/bin/sh
echo "$*" >>"${STUB_LOG:-/dev/null}"
case " $* " in *" -Q "*) echo 'name="ganesha-active" host="node1" value="1"' ;; esac
exit 0
STUB
chmod +x "$LAB_DIR/stub/attrd_updater"
mon() {	# ACTION [VAR=VALUE...]: the monitor agent in node 1; sets OUT
	local action=$1; shift
	OUT=$(lab_exec 1 env PATH="$LAB_DIR/stub:$PATH" STUB_LOG="$LAB_DIR/stub/calls" \
		OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=mon \
		HA_RSCTMP="$LAB_DIR/1" OCF_RESKEY_coordctl="$COORDCTL" \
		OCF_RESKEY_socket="$LAB_DIR/1/coordd.sock" OCF_RESKEY_dbus_timeout_ms=500 \
		OCF_RESKEY_fallback_delay=0 "$@" "$COORD_TOP/agents/ganesha_coord_mon" "$action" 2>&1)
}
local_state() { ctl 1 --json status | jq -r .daemon.local_server.state; }
local_state_is() { [ "$(local_state)" = "$1" ]; }	# STATE
wait_local_state() { wait_for 10 local_state_is "$1"; }	# STATE: until coordd on node 1 sees its ganesha so
events() { ctl 1 --json events | jq '.events | length'; }
lacks() { ! grep -q "$1" <<<"$2"; }	# TEXT OUTPUT
fpid=$(head -n 1 "$LAB_DIR/1/fake_ganesha.pid")
check "coordd sees the fake ganesha up (local_server.state $(local_state))" wait_local_state up
mon start
events0=$(events)
# coordd logs a reported death before it answers coordctl death: a count
# read after the agent returned has every death it reported (the event
# record comes later, when the DEATH is back through CPG).
reports() { grep -c "local server reported dead" "$LAB_DIR/1/coordd.log"; }
reports0=$(reports)
# The default pid_file (Debian's) does not exist in this node, nor does
# the old default /var/run/ganesha.pid: coordd's word is what counts.
mon monitor; rc=$?
check "monitor, default pid_file absent, ganesha running: exit 0 (got $rc)" [ "$rc" = 0 ]
check "  ... it does not take the server for dead (reported: $reports0 -> $(reports), events $events0 -> $(events))" \
	[ "$(reports)/$(events)" = "$reports0/$events0" ]
check "  ... nor say so" lacks "is dead" "$OUT"
check "  ... nor read the pid file (no fallback warning)" lacks "pid_file" "$OUT"
# A ganesha that runs but does not answer (SIGSTOP) is hung, not dead: no
# death is reported while it may hold locks.  coordd names its pid.
kill -STOP "$fpid"
mon monitor; rc=$?
kill -CONT "$fpid"
check "monitor of a stopped ganesha: exit 0 (got $rc)" [ "$rc" = 0 ]
check "  ... says it is hung, names its pid (coordd's)" \
	grep -q "ganesha.nfsd (pid $fpid) runs but does not answer" <<<"$OUT"
check "  ... and reports no death (reported: $reports0 -> $(reports))" \
	[ "$(reports)/$(events)" = "$reports0/$events0" ]

# A ganesha gone: coordd says down, the agent reports the death.
kill -KILL "$fpid"
check "coordd sees the killed fake ganesha down ($(local_state))" wait_local_state down
mon monitor OCF_RESKEY_pid_file="$LAB_DIR/1/fake_ganesha.pid"
check "monitor of a killed ganesha reports its death to coordd" \
	grep -q "ganesha.nfsd is dead: death reported to coordd" <<<"$OUT"
fake_start 1 >"$LAB_DIR/1/fake_ganesha.pid"
fpid=$(head -n 1 "$LAB_DIR/1/fake_ganesha.pid")
check "coordd sees the restarted fake ganesha up ($(local_state))" wait_local_state up

# The gate's stop whose give-up fails (the local server cannot drop the
# VIP's state), while ganesha runs and no pid file exists: coordd says it
# runs, so the stop fails (its clients' locks may still be held here).
gate() {	# ACTION PID_FILE [VAR=VALUE...]: the gate agent in node 1; sets OUT
	local action=$1 pid_file=$2; shift 2
	OUT=$(lab_exec 1 env OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=gate HA_RSCTMP="$LAB_DIR/1" \
		OCF_RESKEY_vip="$GATE_VIP" OCF_RESKEY_coordctl="$COORDCTL" \
		OCF_RESKEY_socket="$LAB_DIR/1/coordd.sock" OCF_RESKEY_pid_file="$pid_file" \
		OCF_RESKEY_wait_timeout=2 "$@" "$COORD_TOP/agents/ganesha_coord_gate" "$action" 2>&1)
}
fault 1 false
touch "$LAB_DIR/1/ganesha_coord_gate-gate.state"	# as if started
gate stop "$LAB_DIR/1/none.pid"; rc=$?
check "gate stop, give-up failing, ganesha running, no pid file: exit 1 (got $rc)" [ "$rc" = 1 ]
check "  ... coordd said it runs" grep -q "ganesha.nfsd runs (coordd says up)" <<<"$OUT"
fault 1 ok
rm -f "$LAB_DIR/1/ganesha_coord_gate-gate.state"

# A stop is a stop whatever the parameters say now: the gate gives up the
# VIP its start took over (its state file names it).
gate start "$LAB_DIR/1/fake_ganesha.pid"; rc=$?
check "gate start: exit 0 (got $rc)" [ "$rc" = 0 ]
drops0=$(grep -c " grace 2:$GATE_VIP " "$LAB_DIR/1/grace.rec")
gate stop "$LAB_DIR/1/fake_ganesha.pid" OCF_RESKEY_vip= OCF_RESKEY_wait_timeout=soon; rc=$?
check "gate stop with the vip parameter emptied and a bad wait_timeout: exit 0 (got $rc)" [ "$rc" = 0 ]
check "  ... it gave up the VIP its start took over (grace 2:$GATE_VIP, $drops0 -> $(grep -c " grace 2:$GATE_VIP " "$LAB_DIR/1/grace.rec"))" \
	[ "$(grep -c " grace 2:$GATE_VIP " "$LAB_DIR/1/grace.rec")" -gt "$drops0" ]

mon stop
agent stop; rc=$?
check "coordd stopped by its agent (got $rc)" [ "$rc" = 0 ]

# coordd gone, ganesha answering: the monitor keeps ganesha-active for
# restart_wait (a coordd restart must not move a live server's VIPs),
# counted from its first monitor without coordd, and deletes it after.
deletes() { grep -c -- '-D' "$LAB_DIR/stub/calls" 2>/dev/null; }
: >"$LAB_DIR/stub/calls"
mon start OCF_RESKEY_pid_file="$LAB_DIR/1/fake_ganesha.pid"
check "without coordd, ganesha answering: the monitor keeps ganesha-active for restart_wait" \
	grep -q "keeping ganesha-active up to restart_wait=10s" <<<"$OUT"
check "  ... it deleted nothing (attrd_updater -D: $(deletes))" [ "$(deletes)" = 0 ]
check "  ... it noted when it found coordd gone" [ -s "$LAB_DIR/1/ganesha_coord_mon-mon.absent" ]
echo 1 >"$LAB_DIR/1/ganesha_coord_mon-mon.absent"	# found gone 1 s after boot
mon monitor OCF_RESKEY_pid_file="$LAB_DIR/1/fake_ganesha.pid"
check "coordd gone for longer than restart_wait: the monitor deletes ganesha-active" \
	grep -q "deleting ganesha-active, no VIP may come here" <<<"$OUT"
check "  ... attrd_updater -D ran once ($(deletes))" [ "$(deletes)" = 1 ]
: >"$LAB_DIR/stub/calls"
mon monitor OCF_RESKEY_pid_file="$LAB_DIR/1/fake_ganesha.pid" OCF_RESKEY_restart_wait=0
check "restart_wait=0: the monitor deletes at once ($(deletes))" [ "$(deletes)" = 1 ]
mon monitor OCF_RESKEY_CRM_meta_interval=10000 OCF_RESKEY_restart_wait=soon; rc=$?
check "restart_wait=soon: a recurring monitor exits 6, configured (got $rc)" [ "$rc" = 6 ]
mon stop
check "stop forgets when coordd was found gone" [ ! -e "$LAB_DIR/1/ganesha_coord_mon-mon.absent" ]

# coordd cannot say: the pid file's first line alone counts (ganesha 4.3
# leaves an old longer pid's tail behind).
printf '%s\n99\n' "$fpid" >"$LAB_DIR/1/mon.pid"
mon start OCF_RESKEY_pid_file="$LAB_DIR/1/mon.pid"
kill -STOP "$fpid"
mon monitor OCF_RESKEY_pid_file="$LAB_DIR/1/mon.pid"; rc=$?
kill -CONT "$fpid"
check "without coordd, monitor of a stopped ganesha: exit 0 (got $rc)" [ "$rc" = 0 ]
check "  ... says it is hung, names its pid from the pid file's first line" \
	grep -q "ganesha.nfsd (pid $fpid) runs but does not answer" <<<"$OUT"
# ... and a pid file that cannot be read is logged.
mon monitor OCF_RESKEY_pid_file="$LAB_DIR/1/none.pid"
check "without coordd, a missing pid file is logged" \
	grep -q "pid_file $LAB_DIR/1/none.pid is missing or unreadable" <<<"$OUT"
mon stop

# The gate without coordd: its start fails (pacemaker tries another node);
# its stop fails while ganesha runs (its locks cannot be released safely)
# and succeeds when no ganesha runs (a dead server holds none).
gate start "$LAB_DIR/1/fake_ganesha.pid"; rc=$?
check "gate start without coordd: exit 1, generic error (got $rc)" [ "$rc" = 1 ]
touch "$LAB_DIR/1/ganesha_coord_gate-gate.state"	# as if started
t=$(date +%s)
gate stop "$LAB_DIR/1/fake_ganesha.pid"; rc=$?
check "gate stop without coordd, ganesha running: exit 1 after asking for wait_timeout (got $rc, $(( $(date +%s) - t )) s)" \
	[ "$rc" = 1 ]
check "  ... the reason says coordd is unreachable and the server may hold locks" \
	grep -q "coordd is unreachable.*may still hold the VIP's locks" <<<"$OUT"
gate monitor "$LAB_DIR/1/fake_ganesha.pid"; rc=$?
check "  ... and the gate still counts as running (monitor 0, got $rc)" [ "$rc" = 0 ]
# No pid file either: a ganesha.nfsd process in the node's network
# namespace counts (a stand-in of that name).
mkdir -p "$LAB_DIR/bin" && cp "$(command -v sleep)" "$LAB_DIR/bin/ganesha.nfsd"
standin=$(lab_bg 1 /dev/null "$LAB_DIR/bin/ganesha.nfsd" 120)
i=0	# until nsenter has become it
while [ "$(cat "/proc/$standin/comm" 2>/dev/null)" != ganesha.nfsd ] && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
gate stop "$LAB_DIR/1/none.pid"; rc=$?
kill "$standin"
check "gate stop without coordd or pid file, a ganesha.nfsd running: exit 1 (got $rc)" [ "$rc" = 1 ]
check "  ... the missing pid file is logged" grep -q "pid_file $LAB_DIR/1/none.pid is missing or unreadable" <<<"$OUT"
gate stop "$LAB_DIR/1/none.pid"; rc=$?
check "gate stop without coordd, no ganesha running: exit 0 (got $rc)" [ "$rc" = 0 ]
gate monitor "$LAB_DIR/1/none.pid"; rc=$?
check "  ... then monitor says not running (7, got $rc)" [ "$rc" = 7 ]

# --- OCF conventions (resource-agents developer guide) ---
# A probe (monitor, interval 0) of a misconfigured resource says not
# running, a stop of one that cannot be running succeeds (a failed stop
# fences the node; OCF_ERR_CONFIGURED from a probe bans the resource);
# validate-all and start say what is wrong, missing programs included.
PROBE=OCF_RESKEY_CRM_meta_interval=0 RECUR=OCF_RESKEY_CRM_meta_interval=10000
mon monitor "$PROBE" OCF_RESKEY_on_coordd_unreachable=bogus; rc=$?
check "monitor agent, bad parameter: probe exits 7 (got $rc)" [ "$rc" = 7 ]
mon monitor "$PROBE" OCF_RESKEY_coordctl=/nonexistent/coordctl; rc=$?
check "monitor agent, coordctl missing: probe exits 7 (got $rc)" [ "$rc" = 7 ]
mon stop OCF_RESKEY_dbus_timeout_ms=; rc=$?
check "monitor agent, bad parameter: stop exits 0 (got $rc)" [ "$rc" = 0 ]
mon validate-all OCF_RESKEY_dbus_timeout_ms=; rc=$?
check "monitor agent, empty dbus_timeout_ms: validate-all exits 6 (got $rc)" [ "$rc" = 6 ]
mon validate-all OCF_RESKEY_coordctl=/nonexistent/coordctl; rc=$?
check "monitor agent, coordctl missing: validate-all exits 5 (got $rc)" [ "$rc" = 5 ]
check "  ... and names it" grep -q "couldn't find command: /nonexistent/coordctl" <<<"$OUT"
mon start OCF_RESKEY_on_coordd_unreachable=bogus; rc=$?
check "monitor agent, bad parameter: start exits 6 (got $rc)" [ "$rc" = 6 ]
check "  ... and left no state file" sh -c "[ ! -e '$LAB_DIR/1/ganesha_coord_mon-mon.state' ]"
mon start OCF_RESKEY_pid_file="$LAB_DIR/1/fake_ganesha.pid"
mon monitor "$RECUR" OCF_RESKEY_on_coordd_unreachable=bogus; rc=$?
check "monitor agent started, parameter gone bad: recurring monitor exits 6 (got $rc)" [ "$rc" = 6 ]
mon monitor "$PROBE" OCF_RESKEY_on_coordd_unreachable=bogus; rc=$?
check "  ... a probe exits 7 (got $rc)" [ "$rc" = 7 ]
mon stop

gate monitor "$LAB_DIR/1/none.pid" "$PROBE" OCF_RESKEY_vip=; rc=$?
check "gate without vip: probe exits 7 (got $rc)" [ "$rc" = 7 ]
gate stop "$LAB_DIR/1/none.pid" OCF_RESKEY_vip=; rc=$?
check "gate without vip, not started: stop exits 0 (got $rc)" [ "$rc" = 0 ]
gate validate-all "$LAB_DIR/1/none.pid" OCF_RESKEY_coordctl=/nonexistent/coordctl; rc=$?
check "gate, coordctl missing: validate-all exits 5 (got $rc)" [ "$rc" = 5 ]
gate start "$LAB_DIR/1/none.pid" OCF_RESKEY_wait_timeout=soon; rc=$?
check "gate, bad wait_timeout: start exits 6 (got $rc)" [ "$rc" = 6 ]
echo "$GATE_VIP" >"$LAB_DIR/1/ganesha_coord_gate-gate.state"	# as if started
gate monitor "$LAB_DIR/1/none.pid" "$PROBE" OCF_RESKEY_vip=; rc=$?
check "gate started, vip emptied since: a probe says running (0, got $rc)" [ "$rc" = 0 ]
gate stop "$LAB_DIR/1/none.pid" OCF_RESKEY_vip= OCF_RESKEY_wait_timeout=soon; rc=$?
check "  ... its stop, without coordd or ganesha, exits 0 (got $rc)" [ "$rc" = 0 ]

CONF=$LAB_DIR/1/missing.conf
agent monitor "$PROBE"; rc=$?
check "coordd agent, configuration missing: probe exits 7 (got $rc)" [ "$rc" = 7 ]
agent stop; rc=$?
check "coordd agent, configuration missing: stop exits 0 (got $rc)" [ "$rc" = 0 ]
CONF=$LAB_DIR/1/coordd.conf

# --- docs/migration.md's pcs commands, offline (pcs -f) on a common-ha CIB ---
# pcs reads agents' meta-data from /usr/lib/ocf/resource.d: node 1's copy
# has coord's agents; common-ha's two get stand-ins (not in Debian).
for a in ganesha_mon ganesha_grace; do
	[ -e "$LAB_DIR/ocf/heartbeat/$a" ] && continue
	cat >"$LAB_DIR/ocf/heartbeat/$a" <<STUB
#!/bin/sh
# stand-in for common-ha's $a: meta-data only
[ "\$1" = meta-data ] || exit 3
cat <<XML
<?xml version="1.0"?>
<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">
<resource-agent name="$a"><version>1.0</version>
<longdesc lang="en">stand-in</longdesc><shortdesc lang="en">stand-in</shortdesc>
<parameters/>
<actions><action name="start" timeout="20s"/><action name="stop" timeout="20s"/>
<action name="monitor" timeout="20s" interval="10s"/><action name="notify" timeout="10s"/>
<action name="meta-data" timeout="5s"/></actions>
</resource-agent>
XML
STUB
	chmod 755 "$LAB_DIR/ocf/heartbeat/$a"
done
CIB=$LAB_DIR/cib.xml
cibadmin --empty >"$CIB"
pcs_f() { lab_exec 1 pcs -f "$CIB" "$@" >>"$LAB_DIR/pcs.out" 2>&1; }
cib_count() { xmllint --xpath "count($1)" "$CIB"; }
VIPS="node1-cluster_ip-1 node2-cluster_ip-1"
# What ganesha-ha.sh builds (its pcs calls, in pcs 0.11 syntax).
setup_ok=1
pcs_f property set stonith-enabled=false || setup_ok=0
pcs_f resource create nfs-mon ocf:heartbeat:ganesha_mon clone || setup_ok=0
pcs_f resource create nfs-grace ocf:heartbeat:ganesha_grace clone meta notify=true || setup_ok=0
pcs_f constraint location nfs-grace-clone rule score=-INFINITY grace-active ne 1 || setup_ok=0
i=1
for v in $VIPS; do
	pcs_f resource create "$v" ocf:heartbeat:IPaddr ip=198.18.0.10$i cidr_netmask=32 \
		op monitor interval=15s || setup_ok=0
	pcs_f constraint order nfs-grace-clone then "$v" || setup_ok=0
	pcs_f constraint location "$v" rule score=-INFINITY ganesha-active ne 1 || setup_ok=0
	i=$((i + 1))
done
check "pcs -f: a common-ha CIB built" [ "$setup_ok" = 1 ]

# The pcs lines of the code blocks under the heading that starts with $1.
doc_pcs() {
	awk -v want="$1" '
		/^## / { sec = substr($0, 4); next }
		/^```/ { code = !code; next }
		code && index(sec, want) == 1 {
			line = cont $0; cont = ""
			if (line ~ /\\$/) { sub(/\\$/, " ", line); cont = line; next }
			if (line ~ /^pcs /) { sub(/[ \t]+#.*$/, "", line); print line }
		}' "$COORD_TOP/docs/migration.md"
}
run_doc_pcs() {	# HEADING: runs its pcs lines, once per VIP where one names node1's
	local line cmd v n=0 failed=0
	set -f
	while IFS= read -r line; do
		for v in $VIPS; do
			case $line in
			*node1-cluster_ip-1*) cmd=${line//node1-cluster_ip-1/$v}
				cmd=${cmd//198.18.0.101/198.18.0.10${v:4:1}} ;;
			*) [ "$v" = node1-cluster_ip-1 ] || continue; cmd=$line ;;
			esac
			n=$((n + 1))
			# shellcheck disable=SC2086
			pcs_f ${cmd#pcs } || { failed=$((failed + 1)); echo "# refused: $cmd"; }
		done
	done < <(doc_pcs "$1")
	set +f
	DOC_RUN=$n DOC_FAILED=$failed
}

run_doc_pcs "1. Install"
check "migration.md section 1: its pcs line accepted ($DOC_RUN run, $DOC_FAILED refused)" \
	[ "$DOC_RUN.$DOC_FAILED" = 1.0 ]
run_doc_pcs "2. Replace"
check "migration.md section 2: its pcs lines accepted ($DOC_RUN run, $DOC_FAILED refused)" \
	[ "$DOC_RUN.$DOC_FAILED" = 5.0 ]
check "after migration: no ganesha_mon or ganesha_grace left" \
	[ "$(cib_count '//primitive[@type="ganesha_mon" or @type="ganesha_grace"]')" = 0 ]
check "after migration: nfs-coord-mon-clone runs ocf:coord:ganesha_coord_mon" \
	[ "$(cib_count '//clone[@id="nfs-coord-mon-clone"]/primitive[@provider="coord" and @type="ganesha_coord_mon"]')" = 1 ]
check "after migration: nfs-coord-mon-clone starts after coordd-clone" \
	[ "$(cib_count '//rsc_order[@first="coordd-clone" and @then="nfs-coord-mon-clone"]')" = 1 ]
check "after migration: the VIPs' order constraints on nfs-grace-clone are gone" \
	[ "$(cib_count '//rsc_order[@first="nfs-grace-clone"]')" = 0 ]
check "after migration: both VIPs keep their ganesha-active rule" \
	[ "$(cib_count '//rsc_location[rule/expression[@attribute="ganesha-active"]]')" = 2 ]
check "after migration: crm_verify accepts the CIB" crm_verify -x "$CIB"

run_doc_pcs "3. Gate"
check "migration.md section 3: its pcs lines accepted ($DOC_RUN run, $DOC_FAILED refused)" \
	[ "$DOC_RUN.$DOC_FAILED" = 6.0 ]
check "after gating: each VIP in a group after its gate" \
	[ "$(cib_count '//group[primitive[1][@type="ganesha_coord_gate"] and primitive[2][@type="IPaddr"]]')" = 2 ]
check "after gating: each gate's vip is its VIP's address" \
	[ "$(cib_count '//group[primitive[1]/instance_attributes/nvpair[@name="vip"]/@value = primitive[2]/instance_attributes/nvpair[@name="ip"]/@value]')" = 2 ]
check "after gating: each group has the ganesha-active rule" \
	[ "$(cib_count '//rsc_location[@rsc = //group/@id][rule/expression[@attribute="ganesha-active"]]')" = 2 ]
check "after gating: crm_verify accepts the CIB" crm_verify -x "$CIB"

run_doc_pcs "Roll back"
check "migration.md roll back: its pcs lines accepted ($DOC_RUN run, $DOC_FAILED refused)" \
	[ "$DOC_RUN.$DOC_FAILED" = 11.0 ]
check "after roll back: no group left, the VIPs are plain resources again" \
	[ "$(cib_count '//group').$(cib_count '//primitive[@type="IPaddr"]')" = 0.2 ]
check "after roll back: nfs-mon-clone and nfs-grace-clone (clone notify=true) are back" \
	[ "$(cib_count '//clone[@id="nfs-mon-clone"]/primitive[@type="ganesha_mon"] | //clone[@id="nfs-grace-clone"][meta_attributes/nvpair[@name="notify" and @value="true"]]/primitive[@type="ganesha_grace"]')" = 2 ]
check "after roll back: nfs-grace-clone's grace-active rule is back" \
	[ "$(cib_count '//rsc_location[@rsc="nfs-grace-clone"]/rule/expression[@attribute="grace-active"]')" = 1 ]
check "after roll back: every VIP starts after nfs-grace-clone again" \
	[ "$(cib_count '//rsc_order[@first="nfs-grace-clone"]')" = 2 ]
check "after roll back: no coord resource left" \
	[ "$(cib_count '//primitive[@provider="coord"]')" = 0 ]
check "after roll back: both VIPs keep their ganesha-active rule" \
	[ "$(cib_count '//rsc_location[rule/expression[@attribute="ganesha-active"]]')" = 2 ]
check "after roll back: crm_verify accepts the CIB" crm_verify -x "$CIB"
[ "$FAILED" = 0 ] || sed 's/^/# pcs: /' "$LAB_DIR/pcs.out"

echo "1..$T"
[ "$FAILED" = 0 ]
