# SPDX-License-Identifier: GPL-2.0-or-later
#
# coord's gate of one VIP's moves, shared by the agents that gate a VIP:
# ganesha_coord_gate (the gate alone, in a group before the address) and
# coord_vip with gate=true (the gate and the address in one agent run per
# node).  Sourced after ocf-shellfuncs, from ${OCF_ROOT}/lib/coord/ where
# make install puts it (COORD_FUNCTIONS_DIR overrides that, as
# OCF_FUNCTIONS_DIR does for ocf-shellfuncs).
#
# On every move of the VIP from node H to node R:
#   1. the address leaves H;
#   2. the gate stops on H: coordctl give-up --ip VIP --wait.  Every other
#      node enters grace and confirms, then H's ganesha drops the VIP's
#      state (grace "2:VIP").  Only now may anyone take its clients' locks:
#      and nobody can, every server is in grace;
#   3. the gate starts on R: coordctl take-over --ip VIP.  R's ganesha
#      enters grace with every other node's client records loaded;
#   4. the address comes up on R, and the VIP's clients reclaim there.
# The order matters: if H dropped the VIP's state while the address was
# still on H, a client renewing through it would reclaim its lock on H
# again, and its reclaim on R would be refused (docs/deploy.md).
#
# A stop fails when H's ganesha runs and its state could not be dropped
# (coordd unreachable, the handover held or timed out): its clients' locks
# are still held on H, and the VIP must not come up elsewhere.  A stop
# succeeds when H's ganesha is not running: a dead server holds no locks
# (and its death's barrier put the others in grace).  A start fails when
# R's ganesha could not load the records: pacemaker tries another node.
#
# Whether H's ganesha runs is coordd's word (it watches the bus name
# org.ganesha.nfsd and holds a pidfd of its owner); the pid file is read
# only when coordd cannot say, and the node's network namespace is
# searched for a ganesha.nfsd process when the pid file cannot be read
# either.
#
# The agent sets gate_vip (the VIP its parameters name), gate_vip_param
# (that parameter's name) and gate_agent (its own name: the state file's)
# before calling these functions.

OCF_RESKEY_coordctl_default=/usr/sbin/coordctl
: ${OCF_RESKEY_coordctl=${OCF_RESKEY_coordctl_default}}
OCF_RESKEY_socket_default=/run/coord/coordd.sock
: ${OCF_RESKEY_socket=${OCF_RESKEY_socket_default}}
OCF_RESKEY_pid_file_default=/var/run/ganesha/ganesha.pid
: ${OCF_RESKEY_pid_file=${OCF_RESKEY_pid_file_default}}
OCF_RESKEY_wait_timeout_default=90
: ${OCF_RESKEY_wait_timeout=${OCF_RESKEY_wait_timeout_default}}

COORDD_TIMEOUT_S=5	# for coordctl status

# The gate's own parameters, for the agent's meta-data.
gate_meta_parameters() {
	cat <<END
<parameter name="coordctl" unique="0" required="0">
<longdesc lang="en">Path of the coordctl program.</longdesc>
<shortdesc lang="en">coordctl path</shortdesc>
<content type="string" default="${OCF_RESKEY_coordctl_default}"/>
</parameter>
<parameter name="socket" unique="0" required="0">
<longdesc lang="en">coordd's control socket.</longdesc>
<shortdesc lang="en">coordd socket</shortdesc>
<content type="string" default="${OCF_RESKEY_socket_default}"/>
</parameter>
<parameter name="pid_file" unique="0" required="0">
<longdesc lang="en">A stop whose give-up failed succeeds only when no
ganesha.nfsd runs here. Whether one runs is coordd's word (it watches the bus
name org.ganesha.nfsd and the process that owns it); this pid file (its first
line) is read only when coordd cannot say: coordd unreachable, not watching
the bus (detect = off, or no bus yet). When it is missing or unreadable then
(logged), a ganesha.nfsd process in this node's network namespace counts. The
default is where Debian's nfs-ganesha writes it.</longdesc>
<shortdesc lang="en">ganesha.nfsd pid file (fallback)</shortdesc>
<content type="string" default="${OCF_RESKEY_pid_file_default}"/>
</parameter>
<parameter name="wait_timeout" unique="0" required="0">
<longdesc lang="en">Seconds coordctl may wait for the handover (stop) or the
take-over (start); keep the operations' timeouts longer.  A take-over of a
VIP this node gave up less than coordd's lease_lifetime_ms + 12 s ago waits
until then (coordd.conf(5)): 72 s with ganesha's default lease.</longdesc>
<shortdesc lang="en">wait timeout (s)</shortdesc>
<content type="integer" default="${OCF_RESKEY_wait_timeout_default}"/>
</parameter>
END
}

state_file() {
	echo "${HA_RSCTMP:-/run/resource-agents}/$gate_agent-${OCF_RESOURCE_INSTANCE:-default}.state"
}

coordctl() {	# SECONDS ARGS...
	t=$1; shift
	"$OCF_RESKEY_coordctl" -s "$OCF_RESKEY_socket" -t "$t" "$@"
}

# What coordd saw of the local ganesha.nfsd (coordctl status): sets
# cd_state (up, down, hung or starting).  Fails when coordd cannot say:
# unreachable within COORDD_TIMEOUT_S, not watching the bus (unknown,
# not-watched), or repeating what an agent reported (detected by
# coordctl) instead of what it saw.
coordd_view() {
	cd_state=
	json=$(coordctl "$COORDD_TIMEOUT_S" --json status 2>/dev/null) || return 1
	# The fields in the order coordctl prints them (docs/control.md).
	case $json in *'"local_server":{"state":"'*'","detected_by":"'*) ;;
	*) return 1 ;; esac
	json=${json#*'"local_server":{"state":"'}
	state_seen=${json%%'"'*}
	json=${json#*'"detected_by":"'}
	case ${json%%'"'*} in coordctl|none) return 1 ;; esac
	case $state_seen in up|down|hung|starting) cd_state=$state_seen ;; *) return 1 ;; esac
}

# When coordd cannot say: the pid file's first line (ganesha 4.3 does not
# truncate it), else (logged once per action) a ganesha.nfsd in this
# node's network namespace.  Sets pid, empty when none is found.
fallback_pid() {
	pid=$(head -n 1 "$OCF_RESKEY_pid_file" 2>/dev/null)
	case $pid in ''|*[!0-9]*) ;; *) return ;; esac
	[ -n "${pid_file_logged:-}" ] ||
		ocf_log warn "coordd cannot say whether ganesha.nfsd runs, and pid_file" \
			"$OCF_RESKEY_pid_file is missing or unreadable: looking for a" \
			"ganesha.nfsd process in this node's network namespace"
	pid_file_logged=1
	pid=$(pgrep -n -x --ns $$ --nslist net ganesha.nfsd)
}

# coordd's word, else the fallback's; seen says whose.  A zombie (killed,
# not yet reaped) holds nothing: its files, and so its locks, are closed.
server_running() {
	if coordd_view; then
		seen="coordd says $cd_state"
		[ "$cd_state" != down ]
		return
	fi
	fallback_pid
	seen="no process found"
	case $pid in ''|*[!0-9]*) return 1 ;; esac
	seen="pid $pid"
	st=$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\) .*/\1/p' "/proc/$pid/stat" 2>/dev/null)
	case $st in ''|Z|X|x) return 1 ;; esac
	return 0
}

# A server killed just before the stop may still be exiting (many
# threads to tear down): give it a moment before calling it alive.
server_still_running() {
	i=0
	while server_running; do
		[ $i -ge 20 ] && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

gate_start() {
	# Started already: a second take-over would restart the server's
	# grace, refusing new locks to every client for another period.
	[ -f "$(state_file)" ] && return $OCF_SUCCESS
	out=$(coordctl "$OCF_RESKEY_wait_timeout" take-over --ip "$gate_vip" 2>&1)
	rc=$?
	if [ $rc != 0 ]; then
		ocf_exit_reason "take-over of $gate_vip failed (coordctl exit $rc): $out"
		return $OCF_ERR_GENERIC
	fi
	ocf_log info "take-over of $gate_vip: $out"
	# The state file names the VIP taken over: the stop gives up that one.
	mkdir -p "$(dirname "$(state_file)")" &&
		echo "$gate_vip" >"$(state_file)"
}

# Sets rc and out: coordctl give-up --wait of VIP, asked again while
# coordd is unreachable: it may be restarting (an upgrade), and its
# absence is itself what moves the VIP away (the monitor agent deletes
# ganesha-active: no coordd, no VIP).  Until WAIT seconds have passed.
give_up() {	# VIP WAIT
	deadline=$(( $(date +%s) + $2 ))
	while :; do
		left=$(( deadline - $(date +%s) ))
		[ $left -ge 1 ] || left=1
		out=$(coordctl "$left" give-up --ip "$1" --wait 2>&1)
		rc=$?
		[ $rc = 3 ] && [ "$(date +%s)" -lt "$deadline" ] && server_running || break
		sleep 1
	done
}

# A stop is a stop whatever the parameters say now (a failed stop fences
# the node): it gives up the VIP its start took over, and waits
# wait_timeout, or the default when that is not a number.  It fails only
# when the give-up failed and ganesha.nfsd runs.
gate_stop() {
	[ -f "$(state_file)" ] || return $OCF_SUCCESS
	vip=$(head -n 1 "$(state_file)")
	[ -n "$vip" ] || vip=$gate_vip	# a state file of an older version
	wait_s=$OCF_RESKEY_wait_timeout
	case $wait_s in ''|*[!0-9]*)
		ocf_log warn "wait_timeout '$wait_s' is not a number of seconds: waiting" \
			"${OCF_RESKEY_wait_timeout_default}s"
		wait_s=$OCF_RESKEY_wait_timeout_default ;;
	esac
	if [ -n "$vip" ]; then
		give_up "$vip" "$wait_s"
	else
		rc= out="the state file names no VIP and the $gate_vip_param parameter is empty"
	fi
	if [ "$rc" = 0 ]; then
		ocf_log info "give-up of $vip: $out"
	elif ! server_still_running; then
		ocf_log warn "give-up of ${vip:-the VIP} failed (coordctl exit ${rc:-none}: $out);" \
			"ganesha.nfsd is not running ($seen): it holds no locks of the VIP"
	else
		case $rc in
		'') why="nothing to give up" ;;
		3) why="coordd is unreachable" ;;
		4) why="timed out after ${wait_s}s" ;;
		*) why="coordctl exit $rc" ;;
		esac
		ocf_exit_reason "give-up of ${vip:-the VIP} failed ($why: $out): ganesha.nfsd runs ($seen) and may still hold the VIP's locks"
		return $OCF_ERR_GENERIC
	fi
	rm -f "$(state_file)"
	return $OCF_SUCCESS
}

# The state file is the whole truth, in a probe too: a gate started here
# is running whatever its parameters say now.  Saying otherwise would let
# its VIP start elsewhere without the give-up of its stop.
gate_monitor() {
	[ -f "$(state_file)" ] && return $OCF_SUCCESS
	return $OCF_NOT_RUNNING
}

# The gate's own parameters (OCF_ERR_CONFIGURED), in the shell alone: a
# recurring monitor checks them too, and on a loaded node pacemaker may
# hold the group's next start until that monitor returned.  The agent
# checks the VIP's parameter.
gate_check_params() {
	case "$OCF_RESKEY_wait_timeout" in
	''|*[!0-9]*) ocf_exit_reason "wait_timeout is an integer (seconds)"
		return $OCF_ERR_CONFIGURED ;;
	esac
	return $OCF_SUCCESS
}

# The programs the gate runs (check_binary exits OCF_ERR_INSTALLED).
gate_check_programs() {
	check_binary "$OCF_RESKEY_coordctl"
	check_binary pgrep
	return $OCF_SUCCESS
}
