# SPDX-License-Identifier: GPL-2.0-or-later
# The lab: an N-node corosync cluster on one machine, in network namespaces.
# Sourced by the lab cases (bash).  See ../shared/LAB.md for the facts.
#
#   lab_up N             bring up N nodes (198.18.0.N/24), a private system
#                        bus per node, wait for quorum
#   lab_exec N cmd...    run in node N (its network and mount namespaces,
#                        DBUS_SYSTEM_BUS_ADDRESS set to its bus)
#   lab_bg N LOG cmd...  the same in the background; prints the pid, which
#                        lab_down kills
#   lab_stop_corosync N / lab_start_corosync N
#   lab_link_down N / lab_link_up N    partition a node / heal it
#   lab_stop_dbus N / lab_start_dbus N  take a node's system bus away / back
#   lab_down             kill everything, remove namespaces and files;
#                        idempotent.  lab_trap installs it on EXIT.
#   wait_for SECONDS cmd...  poll a condition (every 50 ms), bounded
#
# Each node has an anchor process (sleep) that owns its namespaces: its
# network namespace and a private mount namespace with /run (tmpfs) and
# /var/lib/corosync of its own.  Everything "in node N" enters the anchor,
# so a node's corosync can stop and start without losing the namespace.

LAB_PREFIX=${LAB_PREFIX:-cl}

lab_log() { echo "# lab: $*" >&2; }

# Runs the command every 50 ms until it succeeds, at most SECONDS * 20
# times: a slow command or a loaded machine stretches the wait, never
# shortens it.  Its counters have names of their own: the command may be a
# shell function with an i of its own.
wait_for() {	# SECONDS command...
	local _wf_n=$(( $1 * 20 )) _wf_i=0; shift
	while [ "$_wf_i" -lt "$_wf_n" ]; do
		"$@" && return 0
		sleep 0.05; _wf_i=$((_wf_i + 1))
	done
	return 1
}

_lab_ns() { echo "${LAB_PREFIX}${LAB_ID}n$1"; }
_lab_br() { echo "${LAB_PREFIX}${LAB_ID}br"; }
_lab_anchor() { cat "$LAB_DIR/$1/anchor.pid"; }

lab_exec() {
	local n=$1; shift
	DBUS_SYSTEM_BUS_ADDRESS="unix:path=$LAB_DIR/$n/bus.sock" \
		nsenter -t "$(_lab_anchor "$n")" -n -m "$@"
}

lab_bg() {
	local n=$1 log=$2; shift 2
	DBUS_SYSTEM_BUS_ADDRESS="unix:path=$LAB_DIR/$n/bus.sock" \
		nsenter -t "$(_lab_anchor "$n")" -n -m "$@" >>"$log" 2>&1 </dev/null &
	echo $! >>"$LAB_DIR/bg.pids"
	echo $!
	disown $! 2>/dev/null	# killing it on purpose is not news
}

_lab_corosync_conf() {
	local n=$1 i
	cat <<EOF
totem {
	version: 2
	cluster_name: coordlab
	transport: knet
	crypto_cipher: none
	crypto_hash: none
	token: 1000
}
quorum {
	provider: corosync_votequorum
EOF
	[ "$LAB_N" = 2 ] && printf '\ttwo_node: 1\n'
	cat <<EOF
}
logging {
	to_logfile: yes
	logfile: $LAB_DIR/$n/corosync.log
	to_syslog: no
	to_stderr: no
	timestamp: on
}
nodelist {
EOF
	for i in $(seq 1 "$LAB_N"); do
		cat <<EOF
	node {
		name: node$i
		nodeid: $i
		ring0_addr: 198.18.0.$i
	}
EOF
	done
	echo "}"
}

_lab_bus_conf() {
	cat <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$LAB_DIR/$1/bus.sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
EOF
}

lab_start_corosync() {
	local n=$1 pid
	pid=$(lab_bg "$n" "$LAB_DIR/$n/corosync.out" corosync -f -c "$LAB_DIR/$n/corosync.conf")
	echo "$pid" >"$LAB_DIR/$n/corosync.pid"
}

lab_stop_corosync() {
	local n=$1 pid i=0
	pid=$(cat "$LAB_DIR/$n/corosync.pid" 2>/dev/null) || return 0
	kill -TERM "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	kill -KILL "$pid" 2>/dev/null
	rm -f "$LAB_DIR/$n/corosync.pid"
}

# Quorate with COUNT members as seen from node N (bounded wait).
lab_wait_members() {
	local n=$1 count=$2 limit=${3:-40} i=0 out
	while [ $i -lt $((limit * 4)) ]; do
		out=$(timeout 5 nsenter -t "$(_lab_anchor "$n")" -n -m corosync-quorumtool -s 2>/dev/null)
		if echo "$out" | grep -q 'Quorate: *Yes' &&
		   [ "$(echo "$out" | awk '/^Nodes:/ {print $2}')" = "$count" ]; then
			return 0
		fi
		sleep 0.25; i=$((i + 1))
	done
	lab_log "node $n: not quorate with $count members after ${limit}s"
	echo "$out" | sed 's/^/# /' >&2
	return 1
}

lab_start_pacemaker() {	# N
	local pid
	pid=$(lab_bg "$1" "$LAB_DIR/$1/pacemakerd.out" env \
		PCMK_logfile=/var/log/pacemaker/pacemaker.log pacemakerd)
	echo "$pid" >"$LAB_DIR/$1/pacemakerd.pid"
}

lab_stop_pacemaker() {	# N
	local pid i=0
	pid=$(cat "$LAB_DIR/$1/pacemakerd.pid" 2>/dev/null) || return 0
	kill -TERM "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	rm -f "$LAB_DIR/$1/pacemakerd.pid"
}

# Every node Online in crm_mon, as seen from node N (bounded wait).
lab_wait_pacemaker() {	# N COUNT [SECONDS]
	local i=0 limit=${3:-60} on
	while [ $i -lt $((limit * 2)) ]; do
		on=$(lab_exec "$1" timeout 5 crm_mon -1 2>/dev/null | sed -n 's/.*Online: \[\(.*\)\].*/\1/p' | wc -w)
		[ "$on" = "$2" ] && return 0
		sleep 0.5; i=$((i + 1))
	done
	lab_log "node $1: pacemaker shows $on of $2 nodes online after ${limit}s"
	return 1
}

lab_link_down() { ip -n "$(_lab_ns "$1")" link set dev eth0 down; }
lab_link_up() { ip -n "$(_lab_ns "$1")" link set dev eth0 up; }

lab_up() {
	local n i ns br
	LAB_N=$1
	LAB_ID=$(printf '%04x' $((RANDOM % 65536)))
	LAB_DIR=$(mktemp -d /tmp/coord-lab.XXXXXX)
	export LAB_DIR LAB_N LAB_ID
	ls /dev/shm >"$LAB_DIR/shm.before" 2>/dev/null
	: >"$LAB_DIR/bg.pids"
	br=$(_lab_br)
	cp -a /usr/lib/ocf/resource.d "$LAB_DIR/ocf"
	mkdir -p "$LAB_DIR/ocf/coord"
	find "$(dirname "${BASH_SOURCE[0]}")"/../../../agents -maxdepth 1 -type f \
		-exec cp {} "$LAB_DIR/ocf/coord/" \;
	# The agents' shared code where make install puts it (OCF_ROOT/lib/coord).
	cp -a /usr/lib/ocf/lib "$LAB_DIR/ocflib"
	mkdir -p "$LAB_DIR/ocflib/coord"
	cp "$(dirname "${BASH_SOURCE[0]}")"/../../../agents/lib/* "$LAB_DIR/ocflib/coord/"
	ip netns add "$br" || return 1
	ip -n "$br" link add br0 type bridge
	ip -n "$br" link set br0 up
	ip -n "$br" link set lo up
	for n in $(seq 1 "$LAB_N"); do
		ns=$(_lab_ns "$n")
		mkdir -p "$LAB_DIR/$n/lib"
		ip netns add "$ns" || return 1
		ip link add "v${LAB_ID}n$n" type veth peer name "p${LAB_ID}n$n"
		ip link set "v${LAB_ID}n$n" netns "$ns"
		ip link set "p${LAB_ID}n$n" netns "$br"
		ip -n "$ns" link set "v${LAB_ID}n$n" name eth0
		ip -n "$ns" addr add "198.18.0.$n/24" dev eth0
		ip -n "$ns" link set eth0 up
		ip -n "$ns" link set lo up
		ip -n "$br" link set "p${LAB_ID}n$n" master br0
		ip -n "$br" link set "p${LAB_ID}n$n" up
		mkdir -p "$LAB_DIR/$n/pcmk/lib/cib" "$LAB_DIR/$n/pcmk/lib/pengine" \
			"$LAB_DIR/$n/pcmk/lib/blackbox" "$LAB_DIR/$n/pcmk/lib/cores" \
			"$LAB_DIR/$n/pcmk/log"
		chown -R hacluster:haclient "$LAB_DIR/$n/pcmk" 2>/dev/null
		# Private per node: corosync's and pacemaker's state, /run (so
		# the system bus socket, pid files and coordd's default socket
		# are the node's own), and the OCF agents and their shared code
		# (with coord's).
		ip netns exec "$ns" unshare -m --propagation private sh -c \
			"mount --bind $LAB_DIR/$n/lib /var/lib/corosync &&
			 mount --bind $LAB_DIR/$n/pcmk/lib /var/lib/pacemaker &&
			 mount --bind $LAB_DIR/$n/pcmk/log /var/log/pacemaker &&
			 mount --bind $LAB_DIR/ocf /usr/lib/ocf/resource.d &&
			 mount --bind $LAB_DIR/ocflib /usr/lib/ocf/lib &&
			 mount -t tmpfs tmpfs /run && mkdir -p /run/lock /run/dbus &&
			 ln -s $LAB_DIR/$n/bus.sock /run/dbus/system_bus_socket &&
			 exec sleep 100000" </dev/null >/dev/null 2>&1 &
		echo $! >"$LAB_DIR/$n/anchor.pid"
	done
	for n in $(seq 1 "$LAB_N"); do
		# The anchor is ready once its /run is the private tmpfs.
		i=0
		until nsenter -t "$(_lab_anchor "$n")" -m findmnt -n /run >/dev/null 2>&1; do
			i=$((i + 1)); [ $i -gt 50 ] && { lab_log "anchor $n not ready"; return 1; }
			sleep 0.1
		done
		_lab_corosync_conf "$n" >"$LAB_DIR/$n/corosync.conf"
		_lab_bus_conf "$n" >"$LAB_DIR/$n/bus.conf"
		lab_start_corosync "$n"
		lab_start_dbus "$n" || {
			lab_log "node $n: dbus-daemon did not start: $(cat "$LAB_DIR/$n/dbus.err")"
			return 1
		}
	done
	for n in $(seq 1 "$LAB_N"); do
		lab_wait_members "$n" "$LAB_N" || return 1
	done
}

# The pids, of those given, that still run in one of this lab's nodes: a
# recorded pid whose process ended may name another lab's process by now
# (pids wrap in minutes on a busy machine).
_lab_ours() {	# pids...
	local p ns
	for p in "$@"; do
		ns=$(ip netns identify "$p" 2>/dev/null)
		case $ns in "${LAB_PREFIX}${LAB_ID}n"*) echo "$p" ;; esac
	done
}

_lab_gone() {	# pids...: none still runs (a zombie counts as gone)
	local p st
	for p in "$@"; do
		st=$(sed -n 's/^[0-9]* (.*) \([A-Z]\) .*/\1/p' "/proc/$p/stat" 2>/dev/null)
		[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ] && return 1
	done
	return 0
}

# TERM, wait up to 5 s, KILL, and wait until they are gone: what is cleaned
# up next (their /dev/shm files) must not find them still dying.
_lab_kill_wait() {	# pids...
	local p i=0
	for p in "$@"; do kill -TERM "$p" 2>/dev/null; done
	while [ $i -lt 50 ]; do
		_lab_gone "$@" && return 0
		sleep 0.1; i=$((i + 1))
	done
	for p in "$@"; do kill -KILL "$p" 2>/dev/null; done
	i=0
	until _lab_gone "$@" || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
}

_lab_shm_in_use() {	# NAME: does a process named in it still run (not a zombie)?
	local p st
	for p in $(echo "$1" | tr -c '0-9\n' ' '); do
		[ ${#p} -ge 3 ] || continue
		st=$(sed -n 's/^[0-9]* (.*) \([A-Z]\) .*/\1/p' "/proc/$p/stat" 2>/dev/null)
		[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ] && return 0
	done
	return 1
}

# A node's system bus: stop it (its clients see the bus vanish), start it.
lab_stop_dbus() {
	local p
	p=$(cat "$LAB_DIR/$1/dbus.pid" 2>/dev/null)
	[ -n "$p" ] && _lab_kill_wait "$p"
	rm -f "$LAB_DIR/$1/dbus.pid" "$LAB_DIR/$1/bus.sock"
}
lab_start_dbus() {
	lab_exec "$1" dbus-daemon --config-file="$LAB_DIR/$1/bus.conf" \
		--fork --print-pid >"$LAB_DIR/$1/dbus.pid" 2>"$LAB_DIR/$1/dbus.err"
}

lab_down() {
	local n pids f
	[ -n "${LAB_DIR:-}" ] && [ -d "$LAB_DIR" ] || return 0
	# Daemons first (coordd, ganesha, pacemaker...), then buses and
	# corosync, then the anchors that hold the namespaces.
	pids=$(cat "$LAB_DIR/bg.pids" 2>/dev/null)
	for n in $(seq 1 "$LAB_N"); do
		for f in "$LAB_DIR/$n"/*.pid; do
			case $f in */anchor.pid|*/corosync.pid|*/dbus.pid) continue ;; esac
			[ -f "$f" ] && pids="$pids $(cat "$f")"
		done
	done
	# shellcheck disable=SC2086
	_lab_kill_wait $(_lab_ours $pids)
	pids=
	for n in $(seq 1 "$LAB_N"); do
		pids="$pids $(cat "$LAB_DIR/$n/dbus.pid" 2>/dev/null) $(cat "$LAB_DIR/$n/corosync.pid" 2>/dev/null)"
	done
	# shellcheck disable=SC2086
	_lab_kill_wait $(_lab_ours $pids)
	# Whatever else still runs in a node (pacemaker's children, agents).
	pids=
	for n in $(seq 1 "$LAB_N"); do
		pids="$pids $(ip netns pids "$(_lab_ns "$n")" 2>/dev/null | tr '\n' ' ')"
	done
	# shellcheck disable=SC2086
	_lab_kill_wait $pids
	for n in $(seq 1 "$LAB_N"); do
		ip netns del "$(_lab_ns "$n")" 2>/dev/null
	done
	ip netns del "$(_lab_br)" 2>/dev/null
	# libqb's IPC buffers and blackboxes live in /dev/shm, named after the
	# pids that use them (qb-SERVER-CLIENT-..., qb-coordd-PID-blackbox-...).
	# Remove the new ones whose processes are all gone: another lab may be
	# running at the same time, and its files are in use.
	ls /dev/shm 2>/dev/null | grep '^qb-' | while read -r f; do
		grep -qx "$f" "$LAB_DIR/shm.before" && continue
		_lab_shm_in_use "$f" || rm -rf "/dev/shm/$f"
	done
	if [ "${LAB_KEEP:-0}" = 1 ]; then
		lab_log "kept $LAB_DIR"
	else
		rm -rf "$LAB_DIR"
	fi
	LAB_DIR=
}

lab_trap() {
	trap 'lab_down' EXIT
	trap 'exit 130' INT TERM
}
