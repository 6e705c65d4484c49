# SPDX-License-Identifier: GPL-2.0-or-later
# Real NFSv4 clients on the lab: sourced after lab.sh and coord_lab.sh.
#
#   nfs_ganesha_start N   a real ganesha.nfsd on node N exporting the one
#                         shared directory (same Export_Id and Pseudo on
#                         every node, so file handles are the same), with
#                         the recovery layout of docs/deploy.md
#   nfs_client_up         a client namespace on the lab's bridge (198.18.0.200)
#   nfs_client_bg LOG nfs4_client-args...   a client in it, in the background
#   nfs_client_down       kills the clients, removes the namespace
#   nfs_first LOG EVENT [AFTER_US] [PATTERN]   the time of the first such line
#
# NFS_GRACE / NFS_LEASE: ganesha's Grace_Period and Lease_Lifetime (short,
# so the group runs in minutes).  NFS_NLM: its Enable_NLM (false; ganesha's
# own default is true, and with NLM on no grace ends before Grace_Period).

NFS_CLIENT=$B/tests/lab/nfs4_client
NFS_GRACE=${NFS_GRACE:-15}
NFS_LEASE=${NFS_LEASE:-8}
NFS_NLM=${NFS_NLM:-false}

# The shared storage: the export and every node's RecoveryRoot.
nfs_shared() { echo "$LAB_DIR/shared"; }

# RecoveryRoot of node N: its own records go to v4recov/node0 (Debian's
# 4.3 runs clustered with node id 0); RecoveryRoot/<VIP of M>/v4recov is
# where grace("5:VIP") looks for node M's clients, so it points there.
nfs_recovery_layout() {	# N
	local n=$1 m root s
	s=$(nfs_shared)
	root=$s/recovery/node$n
	mkdir -p "$root/v4recov/node0" "$root/v4old/node0" "$s/export"
	for m in $(seq 1 "$LAB_N"); do
		[ "$m" = "$n" ] && continue
		mkdir -p "$s/recovery/node$m/v4recov/node0" "$root/$(vip_of "$m")" "$root/node$m"
		ln -sfn "$s/recovery/node$m/v4recov/node0" "$root/$(vip_of "$m")/v4recov"
		# The old method sends the node name ("nodeM"): common-ha's
		# shared storage has a directory per host name; give it one.
		ln -sfn "$s/recovery/node$m/v4recov/node0" "$root/node$m/v4recov"
		# A take-over (grace "4:M", EVENT_TAKE_NODEID) reads
		# RecoveryRoot/v4recov/node<M>: node M's records, whichever VIPs
		# its clients used (docs/deploy.md).  Node ids start at 1, so
		# these never clash with the server's own node0.
		ln -sfn "$s/recovery/node$m/v4recov/node0" "$root/v4recov/node$m"
	done
}

# A server epoch unique to this node and this start (the low 32 bits count).
nfs_epoch() { echo $(( ($(date +%s) * 8 + $1) & 0xffffffff )); }

nfs_ganesha_start() {	# N
	local n=$1 d=$LAB_DIR/$1 s i=0
	s=$(nfs_shared)
	nfs_recovery_layout "$n"
	cat >"$d/ganesha.conf" <<CONF
NFS_CORE_PARAM { Protocols = 4; Enable_NLM = $NFS_NLM; Enable_RQUOTA = false; }
NFSV4 { Grace_Period = $NFS_GRACE; Lease_Lifetime = $NFS_LEASE;
	RecoveryRoot = "$s/recovery/node$n"; }
EXPORT { Export_Id = 1; Path = "$s/export"; Pseudo = "/export"; Access_Type = RW;
	 Squash = No_Root_Squash; FSAL { Name = VFS; } }
CONF
	# -E: a clientid is (epoch << 32 | counter), the epoch being the start
	# second; two servers started in the same second would hand out the
	# same clientids, and a client moved from one to the other would get
	# RENEW OK for another client's id and never reclaim (docs/deploy.md).
	# ganesha 4.3 does not truncate its pid file: a shorter pid would
	# leave the old one's tail (as ganesha_start in coord_lab.sh).
	lab_exec "$n" rm -f /run/ganesha.pid
	lab_bg "$n" "$d/ganesha.out" ganesha.nfsd -F -f "$d/ganesha.conf" -L "$d/ganesha.log" \
		-p /run/ganesha.pid -N NIV_EVENT -E "$(nfs_epoch "$n")" >"$d/ganesha.bg.pid"
	# Up in about 2 s on an idle machine; 11 s was seen on a loaded one.
	until get_grace "$n" >/dev/null; do
		i=$((i + 1)); [ $i -gt 600 ] && return 1
		sleep 0.1
	done
}

nfs_ganesha_kill() {	# N: SIGKILL, as a crash
	kill -9 "$(lab_exec "$1" cat /run/ganesha.pid)" 2>/dev/null
}

_nfs_client_ns() { echo "${LAB_PREFIX}${LAB_ID}c"; }

nfs_client_up() {
	local ns br
	ns=$(_nfs_client_ns) br=$(_lab_br)
	ip netns add "$ns" || return 1
	ip link add "v${LAB_ID}c" type veth peer name "p${LAB_ID}c"
	ip link set "v${LAB_ID}c" netns "$ns"
	ip link set "p${LAB_ID}c" netns "$br"
	ip -n "$ns" link set "v${LAB_ID}c" name eth0
	ip -n "$ns" addr add 198.18.0.200/24 dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" link set lo up
	ip -n "$br" link set "p${LAB_ID}c" master br0
	ip -n "$br" link set "p${LAB_ID}c" up
	: >"$LAB_DIR/clients.pids"
}

nfs_client_bg() {	# LOG args...: prints the pid
	local log=$1; shift
	ip netns exec "$(_nfs_client_ns)" "$NFS_CLIENT" "$@" >>"$log" 2>&1 </dev/null &
	echo $! >>"$LAB_DIR/clients.pids"
	echo $!
	disown $! 2>/dev/null
}

nfs_client_run() {	# args...: in the foreground
	ip netns exec "$(_nfs_client_ns)" "$NFS_CLIENT" "$@"
}

nfs_client_down() {
	local ns p pids=
	[ -n "${LAB_DIR:-}" ] && [ -d "$LAB_DIR" ] || return 0
	ns=$(_nfs_client_ns)
	# The clients still running (a recorded pid may be another's by now),
	# and whatever else runs in the client namespace.
	for p in $(cat "$LAB_DIR/clients.pids" 2>/dev/null); do
		grep -qa nfs4_client "/proc/$p/cmdline" 2>/dev/null && pids="$pids $p"
	done
	pids="$pids $(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')"
	# shellcheck disable=SC2086
	_lab_kill_wait $pids
	ip netns del "$ns" 2>/dev/null
}

# lab_trap's teardown with the client namespace first.
nfs_lab_trap() {
	trap 'nfs_unwatch; nfs_client_down; lab_down' EXIT
	trap 'exit 130' INT TERM
}

nfs_first() {	# LOG EVENT [AFTER_US] [PATTERN]: time (us) of the first such line
	awk -v e="$2" -v t="${3:-0}" -v p="${4:-}" \
		'$3 == e && $1 >= t && index($0, p) {print $1; exit}' "$1" 2>/dev/null
}

tries_since() {	# LOG T COUNT: at least COUNT of a trying client's answers in LOG since T
	[ "$(awk -v t="$2" '$1 >= t && $3 == "TRY"' "$1" 2>/dev/null | wc -l)" -ge "$3" ]
}
# Two answers since T in each of a trying client's logs PREFIX<VIP>.log,
# one per VIP: the second was asked after T.
tried_everywhere_since() {	# PREFIX T
	local v
	for v in "$VIP1" "$VIP2" "$VIP3"; do tries_since "$1$v.log" "$2" 2 || return 1; done
}
# A holding client's log LOG says RECLAIMED after T (0) or LOST (1), within
# SECONDS (1).
nfs_await_reclaim() {	# LOG T SECONDS
	local i=0
	while [ $i -lt $(( $3 * 10 )) ]; do
		[ -n "$(nfs_first "$1" RECLAIMED "$2")" ] && return 0
		[ -n "$(nfs_first "$1" LOST "$2")" ] && return 1
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# Waits (bounded) for such a line.
nfs_wait_event() {	# SECONDS LOG EVENT [AFTER_US] [PATTERN]
	local limit=$(( $1 * 10 )) i=0
	while [ $i -lt $limit ]; do
		[ -n "$(nfs_first "$2" "$3" "${4:-0}" "${5:-}")" ] && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# ---- the whole stack: 3 nodes, real pacemaker, an IPaddr2 VIP per node ----
# VIP N (vip_of N) lives on node N; when node N has no ganesha-active it
# goes to node N+1 (then N+2): rsc_location scores 200, 100, 0.  coordd on
# node N announces VIP N (its vip key); its release command is
# release_probe.sh (get_grace of every other node at the release, then
# ganesha-active deleted).  The coord monitor agent runs as a clone, with
# a 10 s D-Bus probe timeout: a real ganesha 4.3 answering a grace call
# can block its D-Bus thread for seconds ("Unable to start grace, grace
# status 0x6 ... Retry grace": 4.7 s seen), longer than the default 2 s
# probe (docs/deploy.md).

# NFS_GATE=1: each VIP is a group vipN-group [vipN-gate, vipN] (the gate
# agent, issue 19), and the rules name the group; one: each VIP one
# coord_vip primitive vipN with gate=true (issue 29); 0 (the default): the
# plain IPaddr2 primitive vipN, as before the gate.
NFS_GATE=${NFS_GATE:-0}
nfs_vip_rsc() {	# V: the resource the VIP's rules name (and crm_resource moves)
	if [ "$NFS_GATE" = 1 ]; then echo "vip$1-group"; else echo "vip$1"; fi
}

_nfs_vip_xml() {	# V
	if [ "$NFS_GATE" = 1 ]; then
		pcmk_vip_group_xml "vip$1-group" "vip$1" "$(vip_of "$1")"
	elif [ "$NFS_GATE" = one ]; then
		pcmk_vip_one_xml "vip$1" "$(vip_of "$1")"
	else
		pcmk_vip_xml "vip$1" "$(vip_of "$1")"
	fi
}

_nfs_vip_rules_xml() {	# V
	local v=$1 n2 n3 r
	n2=$(( v % 3 + 1 )) n3=$(( (v + 1) % 3 + 1 )) r=$(nfs_vip_rsc "$1")
	pcmk_vip_rule_xml "$r"
	echo "<rsc_location id=\"$r-home\" rsc=\"$r\" node=\"node$v\" score=\"200\"/>"
	echo "<rsc_location id=\"$r-next\" rsc=\"$r\" node=\"node$n2\" score=\"100\"/>"
	echo "<rsc_location id=\"$r-last\" rsc=\"$r\" node=\"node$n3\" score=\"0\"/>"
}

nfs_coordd_config() { coord_probe_config "$1" "$(vip_of "$1")"; }	# N

nfs_vips_home() {	# every VIP on its own node
	local v
	for v in 1 2 3; do [ "$(vip_holder "$(vip_of $v)")" = "$v" ] || return 1; done
}

nfs_no_grace() {	# no node's ganesha in grace
	local n
	for n in 1 2 3; do [ "$(get_grace $n)" = false ] || return 1; done
}

nfs_no_grace_but() {	# DEAD...: every other node's ganesha out of grace
	local n
	for n in 1 2 3; do
		case " $* " in *" $n "*) continue ;; esac
		[ "$(get_grace $n)" = false ] || return 1
	done
}

# NFS_WITNESSES=K adds K nodes (4, 5...) with corosync, coordd and a fake
# ganesha only: members every barrier waits for, whose grace answer a case
# can delay (fault N "delay MS"); no pacemaker there, so no VIP.
NFS_WITNESSES=${NFS_WITNESSES:-0}

nfs_stack_up() {
	local n v
	lab_up $((3 + NFS_WITNESSES)) || return 1
	nfs_client_up || return 1
	for n in 1 2 3; do
		nfs_ganesha_start "$n" || { lab_log "node $n: ganesha did not start"; return 1; }
		nfs_coordd_config "$n"
		coord_start "$n" >/dev/null
		lab_start_pacemaker "$n"
	done
	for n in $(seq 4 $((3 + NFS_WITNESSES))); do
		nfs_recovery_layout "$n"
		fake_start "$n" >"$LAB_DIR/$n/fake_ganesha.pid"
		nfs_coordd_config "$n"
		coord_start "$n" >/dev/null
	done
	lab_wait_pacemaker 1 3 90 || return 1
	lab_exec 1 crm_attribute -t crm_config -n stonith-enabled -v false
	lab_exec 1 cibadmin -C -o resources -X "$(pcmk_mon_clone_xml 2s 10000)" || return 1
	for v in 1 2 3; do
		lab_exec 1 cibadmin -C -o resources -X "$(_nfs_vip_xml $v)" || return 1
	done
	lab_exec 1 cibadmin --replace -o constraints -X \
		"<constraints>$(for v in 1 2 3; do _nfs_vip_rules_xml $v; done)</constraints>" || return 1
	wait_for 60 nfs_vips_home || { lab_log "VIPs not at home"; return 1; }
	# What runs the addresses, as pacemaker's CIB says (LAB_VIP_AGENT).
	echo "# VIP agent: $(lab_exec 1 cibadmin -Q -o resources |
		sed -n 's/.*<primitive id="vip1" class="ocf" provider="\([^"]*\)" type="\([^"]*\)".*/ocf:\1:\2/p')"
	wait_for 60 nfs_no_grace
}

# Background get_grace poll of node N (every 100 ms, while a failover is
# watched: each poll forks a few processes, and the machine's pids wrap):
# one line per change, "<us> nodeN grace=V".
nfs_grace_watch() {	# N OUT
	local n=$1 out=$2
	(
		last=
		while :; do
			g=$(get_grace "$n" 2>/dev/null); g=${g:-none}
			[ "$g" != "$last" ] && echo "$(now_us) node$n grace=$g" >>"$out"
			last=$g
			sleep 0.1
		done
	) >/dev/null 2>&1 &
	echo $!
}

# The first time (us) after T0 that node N was seen in grace (in OUT).
nfs_grace_since() {	# OUT N T0
	awk -v n="node$2" -v t="$3" '$1 >= t && $2 == n && $3 == "grace=true" {print $1; exit}' "$1"
}

ms_since() { echo $(( ($2 - $1) / 1000 )); }	# T0 T

# Watches every node's grace into OUT; nfs_unwatch stops them.
nfs_watch() {	# OUT
	local n
	NFS_WATCHERS=
	for n in $(seq 1 "$LAB_N"); do NFS_WATCHERS="$NFS_WATCHERS $(nfs_grace_watch "$n" "$1")"; done
}
nfs_unwatch() {
	# shellcheck disable=SC2086
	[ -n "${NFS_WATCHERS:-}" ] && kill $NFS_WATCHERS 2>/dev/null
	NFS_WATCHERS=
}

# tests/lab/tools/vip_watch samples every 10 ms where VIP1 is (the address
# on each node's interface) and what each node's ganesha answers get_grace:
# "<us> vip holder=N" and "<us> grace node=N state=..." per change.  Prints
# its pid: a case adds it to NFS_WATCHERS, which nfs_unwatch stops.
vip1_watch() {	# OUT
	local args="" n
	for n in 1 2 3; do args="$args $n:/run/netns/$(_lab_ns $n):$LAB_DIR/$n/bus.sock"; done
	# shellcheck disable=SC2086
	"$B/tests/lab/vip_watch" --vip "$(vip_of 1)" --interval-ms 10 $args >"$1" 2>&1 &
	echo $!
}
# The first time (us) after T that a vip1_watch LOG saw VIP1 on node N
# alone (none: nowhere); it may log a change a moment after a check saw
# it, so this looks again for up to 3 s.
watch_vip1_at() {	# LOG N T
	local i=0 t
	while :; do
		t=$(awk -v n="holder=$2" -v t="$3" '$1 >= t && $2 == "vip" && $3 == n {print $1; exit}' "$1")
		[ -n "$t" ] || [ $i -ge 30 ] && break
		sleep 0.1; i=$((i + 1))
	done
	echo "$t"
}
# What node N's ganesha last answered get_grace before T, as a vip1_watch
# LOG saw.
watch_grace_at() {	# LOG N T
	awk -v n="node=$2" -v t="$3" '$1 <= t && $2 == "grace" && $3 == n {s = $4} END {sub("state=", "", s); print s}' "$1"
}

# TERM to our clients only: a pid whose process is gone may be another's by now.
nfs_client_stop() {	# PID...
	local p
	for p in "$@"; do
		grep -qa nfs4_client "/proc/$p/cmdline" 2>/dev/null && kill -TERM "$p"
	done
}

# A power cut: the node's link goes down, then every process in it dies
# at once (corosync, pacemaker, coordd, ganesha, its bus).  The anchor
# that holds its namespaces stays, so the node can be powered on again.
nfs_power_off() {	# N
	local n=$1 anchor p v
	anchor=$(_lab_anchor "$n")
	lab_link_down "$n"
	for p in $(ip netns pids "$(_lab_ns "$n")" 2>/dev/null); do
		[ "$p" = "$anchor" ] || kill -9 "$p" 2>/dev/null
	done
	# What lived in its memory is gone: its VIPs too.
	for v in 1 2 3; do
		ip -n "$(_lab_ns "$n")" addr del "$(vip_of $v)/24" dev eth0 2>/dev/null
	done
	rm -f "$LAB_DIR/$n/corosync.pid" "$LAB_DIR/$n/pacemakerd.pid" "$LAB_DIR/$n/dbus.pid" \
		"$LAB_DIR/$n/bus.sock" "$LAB_DIR/$n/coordd.pid"
}

# The node powered on again after nfs_power_off: what lived in its memory
# is gone (/run: pid files, sockets, the agents' state files; its bus's
# socket link and /run/lock are the anchor's), so it starts as after a
# boot: link, corosync, its bus, ganesha, coordd, pacemaker.  Returns once
# its ganesha answers.
nfs_power_on() {	# N
	local n=$1
	lab_exec "$n" sh -c 'find /run -mindepth 1 -maxdepth 1 ! -name dbus ! -name lock -exec rm -rf {} +'
	lab_link_up "$n"
	lab_start_corosync "$n"
	lab_start_dbus "$n" || return 1
	lab_wait_members "$n" "$LAB_N" 60 || return 1
	nfs_ganesha_start "$n" || return 1
	coord_start "$n" >/dev/null
	lab_start_pacemaker "$n"
}

# The old method (seed_method.sh) for ORIGIN's death, node SLOW's notify
# held until the shell command UNTIL succeeds: pacemaker runs the
# ganesha_grace notify action on each node and nothing waits for it, so a
# loaded node (or a notify stuck behind a busy ganesha) takes grace late
# while its NFS service runs on.  The case says late relative to what (the
# VIP's arrival, a conflicting client's grant), so the loss it shows is the
# design's, not the machine's speed.  Returns when the fixed sleep is over
# and ORIGIN's ganesha-active is deleted (the VIP moves).
old_method_failover() {	# ORIGIN SLOW UNTIL
	local origin=$1
	nfs_ganesha_kill "$origin"
	lab_exec "$origin" attrd_updater -D -n grace-active >/dev/null 2>&1
	SEED_LATE_NODE=$2 SEED_LATE_UNTIL=$3 seed_failover "$origin"
	lab_exec "$origin" attrd_updater -D -n ganesha-active
}
