# SPDX-License-Identifier: GPL-2.0-or-later
# coord on the lab: sourced after tests/lab/lib/lab.sh.  Starts coordd and a
# fake (or real) ganesha per node, and gives the cases small helpers that
# read recorded facts (release logs, grace records, coordctl --json).
#
# Needs: B (build dir), LAB_DIR (set by lab_up).

# The tree's top, from this file's place (tests/lab/lib/), whatever sources it.
COORD_TOP=${COORD_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
B=${B:-build}
case $B in /*) ;; *) B=$COORD_TOP/$B ;; esac
COORDD=$B/coordd
COORDCTL=$B/coordctl
FAKE_GANESHA=$B/tests/lab/fake_ganesha

vip_of() { echo "198.18.0.$((100 + $1))"; }

# now in CLOCK_REALTIME microseconds, as fake_ganesha and the release log write it
now_us() { date +%s%6N; }

# Node N's coordd.conf: the keys given, in that order, then what every
# coordd of the lab has (its log in the node's directory, at debug; its
# control socket for root).  A key left out keeps coordd's default.
coordd_conf() {	# N KEY=VALUE...
	local _cn=$1 _kv; shift
	{
		echo "# lab node $_cn"
		for _kv in "$@"; do echo "${_kv%%=*} = ${_kv#*=}"; done
		echo "log_target = $LAB_DIR/$_cn/coordd.log"
		echo "log_level = debug"
		echo "socket_group = root"
	} >"$LAB_DIR/$_cn/coordd.conf"
}

# The fake-ganesha lab's: each node its own VIP, socket and bus named in the
# file, the release a line in the node's release log.
coord_config() {	# N POLICY [DEADLINE_MS] [GRACE_TIMEOUT_MS]
	n=$1 policy=$2 deadline=${3:-6000} gtimeout=${4:-2000}
	d=$LAB_DIR/$n
	coordd_conf "$n" group=ganesha-grace "socket=$d/coordd.sock" "vip=$(vip_of "$n")" \
		"dbus_address=unix:path=$d/bus.sock" "grace_call_timeout_ms=$gtimeout" \
		"barrier_deadline_ms=$deadline" "deadline_policy=$policy" \
		"release_command=echo \"\$(date +%s%6N) \$COORD_EVENT \$COORD_OUTCOME\" >> $d/release.log" \
		release_retry_ms=200 lease_lifetime_ms=0
}

# The real stack's (pacemaker, a real ganesha): the socket and the bus at
# their defaults, where the agents look; policy hold; the release is
# release_probe.sh (every other node's get_grace at that moment, then
# ganesha-active deleted); the lease of the lab's ganesha (nfs_lab.sh's or
# ganesha_start's), unless COORD_LEASE_MS says otherwise (0: a take-over
# never waits for the reaper, to show what that wait prevents).
coord_probe_config() {	# N VIP
	coordd_conf "$1" "vip=$2" grace_call_timeout_ms=5000 barrier_deadline_ms=10000 \
		deadline_policy=hold "lease_lifetime_ms=${COORD_LEASE_MS:-$(( ${NFS_LEASE:-${GANESHA_LEASE:-10}} * 1000 ))}" \
		"release_command=$COORD_TOP/tests/lab/tools/release_probe.sh $LAB_DIR $1 3"
}

coord_start() {	# N
	n=$1
	rm -f "$LAB_DIR/$n/coordd.pid"
	lab_bg "$n" "$LAB_DIR/$n/coordd.out" "$COORDD" -f -c "$LAB_DIR/$n/coordd.conf" \
		-p "$LAB_DIR/$n/coordd.pid"
}

coord_pid() { cat "$LAB_DIR/$1/coordd.pid" 2>/dev/null; }

coord_stop() {	# N [SIGNAL]
	pid=$(coord_pid "$1")
	[ -n "$pid" ] || return 0
	kill -"${2:-TERM}" "$pid" 2>/dev/null
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	rm -f "$LAB_DIR/$1/coordd.pid"
}

ctl() {	# N coordctl-args...
	n=$1; shift
	lab_exec "$n" "$COORDCTL" -s "$LAB_DIR/$n/coordd.sock" "$@"
}

fake_start() {	# N
	n=$1
	: >"$LAB_DIR/$n/grace.rec"
	echo ok >"$LAB_DIR/$n/fault"
	lab_bg "$n" "$LAB_DIR/$n/fake_ganesha.out" "$FAKE_GANESHA" \
		--fault-file "$LAB_DIR/$n/fault" --record "$LAB_DIR/$n/grace.rec"
}

fault() { echo "$2" >"$LAB_DIR/$1/fault"; }	# N MODE

# Waits (bounded) until coordctl status on node N shows COUNT members.
wait_coord_members() {	# N COUNT [SECONDS]
	i=0 limit=$(( ${3:-20} * 10 ))
	while [ $i -lt $limit ]; do
		c=$(ctl "$1" --json status 2>/dev/null | jq -r '.members | length' 2>/dev/null)
		[ "$c" = "$2" ] && return 0
		sleep 0.1; i=$((i + 1))
	done
	echo "# node $1: coordctl status did not show $2 members (last: ${c:-none})"
	return 1
}

release_count() { [ -f "$LAB_DIR/$1/release.log" ] && wc -l <"$LAB_DIR/$1/release.log" || echo 0; }

# The recorded facts a case judges: node N's release log (coord_config's
# release_command: "<us> EVENT-ID OUTCOME" a line), its fake ganesha's
# grace record (fake_start: "<us> grace ARG ANSWER" an answer) and its coordd's
# event records (coordctl --json events).
last_release() { tail -n 1 "$LAB_DIR/$1/release.log" 2>/dev/null; }	# N
releases_of() {	# N EVENT-ID: how many releases node N ran for the event
	awk -v id="$2" '$2 == id { c++ } END { print c + 0 }' "$LAB_DIR/$1/release.log" 2>/dev/null || echo 0
}
grace_time() {	# N ARG [AFTER]: when (us) node N's ganesha first answered true to ARG after AFTER
	awk -v a="$2" -v after="${3:-0}" '$3 == a && $4 == "true" && $1 > after { print $1; exit }' \
		"$LAB_DIR/$1/grace.rec"
}
event_json() {	# N EVENT-ID: node N's record of the event, one line of JSON (nothing if none)
	ctl "$1" --json events | jq -c --arg id "$2" '.events[] | select(.id == $id)'
}
last_reported() {	# N: the newest id of node N's records of reported deaths (nothing if none)
	ctl "$1" --json events | jq -r '[.events[] | select(.reason == "reported")][-1].id // empty'
}
ended_on() {	# EVENT-ID NODE...: every one of them records the event ended
	local id=$1 n; shift
	for n in "$@"; do
		case $(event_json "$n" "$id" | jq -r .state) in
		released|release-failed|abandoned|cancelled|done) ;;
		*) return 1 ;;
		esac
	done
}

# TAP helpers
T=0 FAILED=0
ok() { T=$((T + 1)); echo "ok $T - $1"; }
not_ok() { T=$((T + 1)); FAILED=$((FAILED + 1)); echo "not ok $T - $1"; shift; for l in "$@"; do echo "#   $l"; done; }
check() {	# DESCRIPTION command...: ok when the command succeeds
	desc=$1; shift
	if "$@"; then ok "$desc"; else not_ok "$desc" "failed: $*"; fi
}

# ---- the real stack: nfs-ganesha 4.3 and pacemaker ----

# The monitor agent, cloned on every node: it sets ganesha-active.
pcmk_mon_clone_xml() {	# [MONITOR-INTERVAL [DBUS-TIMEOUT-MS [MONITOR-TIMEOUT]]]
	dbus_timeout=
	[ -n "${2:-}" ] && dbus_timeout="
    <nvpair id=\"mon-dbus\" name=\"dbus_timeout_ms\" value=\"$2\"/>"
	cat <<XML
<clone id="mon-clone"><primitive id="mon" class="ocf" provider="coord" type="ganesha_coord_mon">
  <instance_attributes id="mon-ia">
    <nvpair id="mon-pid" name="pid_file" value="/run/ganesha.pid"/>
    <nvpair id="mon-ctl" name="coordctl" value="$COORDCTL"/>$dbus_timeout
  </instance_attributes>
  <operations><op id="mon-mon" name="monitor" interval="${1:-2s}" timeout="${3:-20s}"/></operations>
</primitive></clone>
XML
}

# A VIP as the HA stack runs it: an IPaddr2 primitive on eth0 (PROVIDER:
# heartbeat's agent, or a wrapper of it), and the location rule that keeps
# it off every node whose ganesha-active is not 1.  LAB_VIP_AGENT=coord_vip:
# coord's lean agent (agents/coord_vip, the same parameters) instead of
# heartbeat's IPaddr2.
pcmk_vip_xml() {	# ID IP [MONITOR-INTERVAL [PROVIDER]]
	local provider=${4:-heartbeat} type=IPaddr2
	if [ -z "${4:-}" ] && [ "${LAB_VIP_AGENT:-IPaddr2}" = coord_vip ]; then
		provider=coord type=coord_vip
	fi
	cat <<XML
<primitive id="$1" class="ocf" provider="$provider" type="$type">
  <instance_attributes id="$1-ia">
    <nvpair id="$1-ip" name="ip" value="$2"/>
    <nvpair id="$1-mask" name="cidr_netmask" value="24"/>
    <nvpair id="$1-nic" name="nic" value="eth0"/>
  </instance_attributes>
  <operations><op id="$1-mon" name="monitor" interval="${3:-2s}"/></operations>
</primitive>
XML
}
# The gate's parameters and operations, both forms (ids PREFIX-ctl...):
# PCMK_GATE_COORDCTL is the coordctl the gate runs (a recording wrapper).
pcmk_gate_xml() {	# PREFIX MONITOR-INTERVAL
	cat <<XML
    <nvpair id="$1-ctl" name="coordctl" value="${PCMK_GATE_COORDCTL:-$COORDCTL}"/>
    <nvpair id="$1-pid" name="pid_file" value="/run/ganesha.pid"/>
    <nvpair id="$1-wait" name="wait_timeout" value="${PCMK_GATE_WAIT:-40}"/>
  </instance_attributes>
  <operations>
    <op id="$1-start" name="start" interval="0" timeout="60s"/>
    <op id="$1-stop" name="stop" interval="0" timeout="60s"/>
    <op id="$1-mon" name="monitor" interval="$2" timeout="20s"/>
  </operations>
XML
}
# The gated form (issue 19): a group GROUP [gate, IPaddr2 ID]; pacemaker
# starts the gate (coordctl take-over) before the address and stops it
# (coordctl give-up --wait) after, so every move of the VIP is gated.
# The location rules then name the group (pcmk_vip_rule_xml GROUP).
pcmk_vip_group_xml() {	# GROUP ID IP [MONITOR-INTERVAL]
	cat <<XML
<group id="$1">
<primitive id="$2-gate" class="ocf" provider="coord" type="ganesha_coord_gate">
  <instance_attributes id="$2-gate-ia">
    <nvpair id="$2-gate-vip" name="vip" value="$3"/>
$(pcmk_gate_xml "$2-gate" 10s)
</primitive>
$(pcmk_vip_xml "$2" "$3" "${4:-2s}")
</group>
XML
}
# The single gated form (issue 29): one coord_vip primitive ID with
# gate=true, the gate's parameters as the group's gate has them; its start
# is the take-over then the address, its stop the address gone then the
# give-up.  The location rules name ID.  PCMK_GATE_COORDCTL: the coordctl
# the gate runs (a recording wrapper), both forms.
pcmk_vip_one_xml() {	# ID IP [MONITOR-INTERVAL]
	cat <<XML
<primitive id="$1" class="ocf" provider="coord" type="coord_vip">
  <instance_attributes id="$1-ia">
    <nvpair id="$1-ip" name="ip" value="$2"/>
    <nvpair id="$1-mask" name="cidr_netmask" value="24"/>
    <nvpair id="$1-nic" name="nic" value="eth0"/>
    <nvpair id="$1-gate" name="gate" value="true"/>
$(pcmk_gate_xml "$1" "${3:-2s}")
</primitive>
XML
}
pcmk_vip_rule_xml() {	# ID
	cat <<XML
<rsc_location id="$1-needs-ganesha" rsc="$1">
  <rule id="$1-rule" score="-INFINITY" boolean-op="or">
    <expression id="$1-e1" attribute="ganesha-active" operation="not_defined"/>
    <expression id="$1-e2" attribute="ganesha-active" operation="ne" value="1"/>
  </rule>
</rsc_location>
XML
}

# GANESHA_GRACE_PERIOD and GANESHA_LEASE (seconds) override the defaults.
ganesha_start() {	# N: a real ganesha.nfsd, pid file /run/ganesha.pid in the node
	n=$1 d=$LAB_DIR/$1
	mkdir -p "$d/export" "$d/recovery"
	cat >"$d/ganesha.conf" <<CONF
NFS_CORE_PARAM { Protocols = 4; Enable_NLM = false; Enable_RQUOTA = false; }
NFSV4 { Grace_Period = ${GANESHA_GRACE_PERIOD:-20}; Lease_Lifetime = ${GANESHA_LEASE:-10}; RecoveryRoot = "$d/recovery"; }
EXPORT { Export_Id = 1; Path = "$d/export"; Pseudo = "/export"; Access_Type = RW;
	 Squash = No_Root_Squash; FSAL { Name = VFS; } }
CONF
	# ganesha 4.3 writes its pid file without truncating it: a restart with
	# a shorter pid would leave the old pid's tail behind.
	lab_exec "$n" rm -f /run/ganesha.pid
	lab_bg "$n" "$d/ganesha.out" ganesha.nfsd -F -f "$d/ganesha.conf" -L "$d/ganesha.log" \
		-p /run/ganesha.pid -N NIV_EVENT >"$d/ganesha.bg.pid"
	# Up in about 2 s on an idle machine; 11 s was seen on a loaded one.
	i=0
	until get_grace "$n" >/dev/null; do
		i=$((i + 1)); [ $i -gt 600 ] && return 1
		sleep 0.1
	done
}

# A client record of VIP in node N's recovery directory (ganesha_start's
# RecoveryRoot): a takeover of VIP (grace "5:VIP") then has a client to
# wait for and lasts Grace_Period.  With nothing to reclaim, ganesha 4.3
# lifts that grace at its next reaper run, anywhere from 0 to
# Lease_Lifetime / 2 s after the call (docs/grace.md): a get_grace asked
# a moment later would race that run.
ganesha_vip_client() {	# N VIP
	mkdir -p "$LAB_DIR/$1/recovery/$2/v4recov/198.18.0.50-(9:labclient)"
}

get_grace() {	# N: prints true/false, fails when ganesha does not answer
	g=$(lab_exec "$1" timeout 5 dbus-send --system --print-reply --dest=org.ganesha.nfsd \
		/org/ganesha/nfsd/admin org.ganesha.nfsd.admin.get_grace 2>/dev/null |
		awk '/boolean/ {print $2; exit}')
	[ -n "$g" ] && echo "$g"
}

vip_holder() {	# prints the node whose eth0 has VIP, or nothing
	for n in $(seq 1 "$LAB_N"); do
		ip -n "$(_lab_ns "$n")" -4 addr show dev eth0 2>/dev/null | grep -q "inet $1/" &&
			{ echo "$n"; return 0; }
	done
	return 1
}

vip_moved() {	# VIP FROM: VIP is up, on a node other than FROM
	local s
	s=$(vip_holder "$1") && [ "$s" != "$2" ]
}

ganesha_pid() { lab_exec "$1" cat /run/ganesha.pid 2>/dev/null; }	# N: its real ganesha's

active_nodes() {	# [N]: the nodes with ganesha-active=1, as node N's attrd sees them (node 1)
	lab_exec "${1:-1}" attrd_updater -Q -A -n ganesha-active 2>/dev/null |
		sed -n 's/.*host="node\([0-9]*\)".*value="1".*/\1/p' | sort | tr '\n' ' '
}
all_active() { [ "$(active_nodes 1)" = "1 2 3 " ]; }
