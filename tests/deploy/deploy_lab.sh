# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# The deployment lab: Debian 12 nodes that boot their own systemd, in
# systemd-nspawn containers, on a bridge of the lab's own.  Sourced (bash)
# by tests/deploy/test_deploy.sh.  Facts and pitfalls of this machine:
# /work/shared/DEPLOY-LAB.md; why nspawn: a node must run Debian's units
# (corosync, pacemaker, pcsd, nfs-ganesha, coordd) under a real systemd as
# PID 1, which a network namespace alone (tests/lab) cannot give.
#
#   dl_template DEB     the cached node tree for this package: DL_TMPL
#   dl_up N DEB         a bridge, N nodes booted one after another
#   dl_boot N           boot node N (again, after a crash) and wait for it
#                       (dl_start N: its PID 1 and bus exist; dl_wait_booted N)
#   dl_exec N cmd...    run in node N as its administrator would (root shell)
#   dl_crash N          kill -9 of node N's PID 1: every process of it dies
#   dl_down             stop everything, remove what the lab made; idempotent
#   dl_leftovers        what dl_down left (nothing, or one line each)
#   doc_extract DOC DIR the guide's command blocks and where to run them
#                       (the marker convention: above doc_extract)
#
# The cache (DEPLOY_CACHE, /var/cache/coord-deploy by default) survives runs:
#   base-KEY/   debootstrap --variant=minbase of bookworm (KEY: suite, mirror,
#               included packages)
#   pkgs-KEY/   the base with the guide's package block run in it, as
#               written, with the machine's network (KEY: the base, the block)
#   tmpl-KEY/   that, with the .deb's missing dependencies downloaded into
#               apt's cache (the nodes have no network: apt installs them from
#               there when the guide installs the .deb) and the node settings
#               of _dl_template_finish (KEY: the packages' tree, the .deb's
#               Depends and Recommends).
# A tree is built under a temporary name and renamed once complete, under an
# exclusive flock of the cache; a lab holds a shared flock of its template
# while its nodes run, and old trees are removed only when nobody holds one.
#
# Each node: the template as the lower layer of an overlay whose upper
# directory (its "disk") is the lab's, so a crashed node boots again with
# what it wrote; a cgroup of its own in the named systemd and the unified
# hierarchies (several nspawns would otherwise share one); a veth on the
# bridge br0, which lives in a network namespace of the lab: a node's
# address vanishes with the node.  The shared storage is a directory of
# this machine's ext4 bound at the same place in every node (ganesha's VFS
# cannot export the overlay).  nspawn's seccomp filter refuses
# open_by_handle_at (EPERM), which ganesha's VFS needs for every file
# handle (an OPEN fails, its log says "Forbidden action"): the nodes are
# allowed it, as they are CAP_NET_ADMIN and CAP_IPC_LOCK (IPaddr2, corosync).

DEPLOY_CACHE=${DEPLOY_CACHE:-/var/cache/coord-deploy}
DL_SUITE=bookworm
DL_BASE_INCLUDE=systemd,systemd-sysv,dbus,iproute2,netbase
DL_NET=198.18.1		# the nodes are DL_NET.N/24; the clients' side .200
DL_CLIENT_IP=$DL_NET.200
DL_SHARED_AT=/srv/ganesha	# where the guide expects the shared storage
# Bump when what the lab does to the trees (_dl_packages, dl_template,
# _dl_template_finish) changes.
DL_PACKAGES_VERSION=1
DL_TEMPLATE_VERSION=2
DL_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

dl_log() { echo "# deploy: $*" >&2; }
dl_now_us() { echo "${EPOCHREALTIME/./}"; }
# Waits are bounded by the clock, not by a count of polls: on a loaded
# machine one poll (an nsenter, a D-Bus call) can take a second.
dl_deadline() { echo $(( ${EPOCHREALTIME/./} + $1 * 1000000 )); }	# SECONDS
dl_before() { [ "${EPOCHREALTIME/./}" -lt "$1" ]; }	# DEADLINE

# The Debian mirror this machine's apt sources name (deb822 or one-line).
dl_mirror() {
	local m
	m=$(grep -h -E '^[[:space:]]*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk '{for (i = 2; i <= NF; i++) print $i}' | grep -E '/debian/?$' | head -n 1)
	[ -n "$m" ] || m=$(grep -h -E '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list \
		/etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}' | grep -E '/debian/?$' | head -n 1)
	echo "${m:-http://deb.debian.org/debian}"
}

dl_key() { sha256sum | cut -c1-16; }

# Keeps the newest tree of a kind: removes the others nobody uses.
_dl_prune() {	# KIND KEEP
	local d
	for d in "$DEPLOY_CACHE/$1"-*; do
		[ -d "$d" ] && [ "$d" != "$2" ] || continue
		(
			flock -n -x 8 || exit 0
			dl_log "removing the unused $d"
			rm -rf "$d"
		) 8>"$d.lock"
		[ -d "$d" ] || rm -f "$d.lock" "$d.log"
	done
}

# The debootstrapped base tree (built once, under the cache lock).
_dl_base() {
	local mirror key dir t0
	mirror=$(dl_mirror)
	key=$(printf '%s\n' "$DL_SUITE" "$mirror" "$DL_BASE_INCLUDE" minbase | dl_key)
	dir=$DEPLOY_CACHE/base-$key
	if [ ! -d "$dir" ]; then
		t0=$(date +%s)
		dl_log "debootstrap $DL_SUITE from $mirror into $dir (once; a few minutes)"
		rm -rf "$dir.tmp"
		debootstrap --variant=minbase --include="$DL_BASE_INCLUDE" "$DL_SUITE" "$dir.tmp" \
			"$mirror" >"$DEPLOY_CACHE/base-$key.log" 2>&1 ||
			{ tail -n 20 "$DEPLOY_CACHE/base-$key.log" >&2; return 1; }
		mv "$dir.tmp" "$dir"
		echo "# TIME debootstrap $(( $(date +%s) - t0 )) s" >&2
		_dl_prune base "$dir"
	fi
	echo "$dir"
}

# Runs a script in a tree with nspawn (no boot), on the machine's network.
_dl_nspawn_run() {	# TREE SCRIPT
	"$DL_TOP/tests/deploy/nspawn_node.sh" "$DL_CGROUP/build" -- \
		--quiet --keep-unit --register=no -M "$DL_CGROUP" -D "$1" --pipe \
		--resolv-conf=copy-host --link-journal=no \
		env -i PATH=$DL_PATH HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
		bash -e -x -c "$2" </dev/null
	local rc=$?
	rmdir "/run/systemd/nspawn/propagate/$DL_CGROUP" 2>/dev/null
	return $rc
}

# What every node needs from the template, beyond the guide's packages:
# an empty machine-id (each node gets its own), no host name (nspawn gives
# the node's), localhost alone in /etc/hosts (the guide adds the nodes),
# systemd-networkd for the node's address, rpc_pipefs masked (not in this
# kernel: the node would boot "degraded"), a persistent journal (what a
# node logged before a crash or a reboot is kept on its disk).
_dl_template_finish() {	# TREE
	local t=$1
	: >"$t/etc/machine-id"
	mkdir -p "$t/var/lib/dbus"
	ln -sfn /etc/machine-id "$t/var/lib/dbus/machine-id"
	rm -f "$t/etc/hostname"
	printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$t/etc/hosts"
	mkdir -p "$t/etc/systemd/system/multi-user.target.wants"
	ln -sfn /lib/systemd/system/systemd-networkd.service \
		"$t/etc/systemd/system/multi-user.target.wants/systemd-networkd.service"
	ln -sfn /dev/null "$t/etc/systemd/system/run-rpc_pipefs.mount"
	ln -sfn /dev/null "$t/etc/systemd/system/rpc-gssd.service"
	mkdir -p "$t/var/log/journal"
}

# The base with the guide's "template" blocks run in it as written, with
# this machine's network: the packages (prints its path; called under the
# cache lock).  Kept apart from the template, so that a package whose
# dependencies changed costs a download, not the whole installation.
_dl_packages() {
	local base script key dir t0
	base=$(_dl_base) || return 1
	script=$(doc_blocks_for template)
	key=$(printf '%s\n' "$base" "$DL_PACKAGES_VERSION" "$script" | dl_key)
	dir=$DEPLOY_CACHE/pkgs-$key
	if [ ! -d "$dir" ]; then
		t0=$(date +%s)
		dl_log "running the guide's package block in $dir (once per block)"
		rm -rf "$dir.tmp"
		cp -a --reflink=auto "$base" "$dir.tmp"
		# dpkg without fsync: the tree is rebuilt, never repaired.
		echo force-unsafe-io >"$dir.tmp/etc/dpkg/dpkg.cfg.d/deploy-lab-unsafe-io"
		_dl_nspawn_run "$dir.tmp" "$script
apt-get clean" >"$dir.log" 2>&1 || { tail -n 30 "$dir.log" >&2; return 1; }
		mv "$dir.tmp" "$dir"
		echo "# TIME packages $(( $(date +%s) - t0 )) s ($(du -sm "$dir" | cut -f1) MB)" >&2
		_dl_prune pkgs "$dir"
	fi
	echo "$dir"
}

# The node template for DEB, built when missing: DL_TMPL.  The guide
# installs the .deb on nodes without network: apt finds whatever it lacks
# in its cache, where the template has it downloaded.  Not in a subshell:
# the shared lock (fd 8) must stay with the lab's shell.
dl_template() {	# DEB
	local deb=$1 pkgs key dir t0 deps
	mkdir -p "$DEPLOY_CACHE"
	exec 9>"$DEPLOY_CACHE/.lock"
	flock -x 9
	pkgs=$(_dl_packages) || { exec 9>&-; return 1; }
	deps=$(dpkg-deb -f "$deb" Depends Recommends)
	key=$(printf '%s\n' "$pkgs" "$DL_TEMPLATE_VERSION" "$deps" | dl_key)
	dir=$DEPLOY_CACHE/tmpl-$key
	if [ ! -d "$dir" ]; then
		t0=$(date +%s)
		dl_log "building the node template $dir (once per package dependencies)"
		rm -rf "$dir.tmp"
		cp -a --reflink=auto "$pkgs" "$dir.tmp"
		cp "$deb" "$dir.tmp/root/"
		_dl_nspawn_run "$dir.tmp" "apt-get install -y --download-only /root/$(basename "$deb")" \
			>"$dir.log" 2>&1 || { tail -n 30 "$dir.log" >&2; exec 9>&-; return 1; }
		rm -f "$dir.tmp/root/$(basename "$deb")"
		_dl_template_finish "$dir.tmp"
		mv "$dir.tmp" "$dir"
		echo "# TIME template $(( $(date +%s) - t0 )) s ($(du -sm "$dir" | cut -f1) MB)" >&2
	fi
	# Ours while the nodes run (fd 8 stays open until the lab's shell exits).
	exec 8>"$dir.lock"
	flock -s 8
	_dl_prune tmpl "$dir"
	exec 9>&-
	DL_TMPL=$dir
}

# ---- the lab ----

dl_dir() { echo "$DL_DIR/node$1"; }
dl_pid1() { cat "$DL_DIR/node$1/pid1" 2>/dev/null; }
dl_alive() { local p; p=$(dl_pid1 "$1") && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

# A node's own files on its disk (the overlay's upper directory): its
# machine-id, its address (before networkd's own 80-container-host0:
# DHCP), the package the guide installs.
_dl_node_disk() {	# N DEB
	local n=$1 u
	u=$(dl_dir "$n")/upper
	mkdir -p "$u/etc/systemd/network" "$u/root"
	tr -d '-' </proc/sys/kernel/random/uuid >"$u/etc/machine-id"
	cat >"$u/etc/systemd/network/10-host0.network" <<EOF
[Match]
Name=host0

[Network]
Address=$DL_NET.$n/24
LinkLocalAddressing=no
IPv6AcceptRA=no
EOF
	cp "$2" "$u/root/"
}

dl_up() {	# N DEB
	local n
	DL_N=$1
	DL_ID=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
	DL_DIR=$(mktemp -d "/var/tmp/coord-deploy.$DL_ID.XXXX") || return 1
	DL_NS=coord-deploy-$DL_ID
	DL_CGROUP=coord-deploy-$DL_ID
	dl_template "$2" || return 1
	mkdir -p "$DL_DIR/shared"
	ip netns add "$DL_NS" || return 1
	ip -n "$DL_NS" link add br0 type bridge || return 1
	ip -n "$DL_NS" link set br0 up
	ip -n "$DL_NS" link set lo up
	# The clients' side of the bridge.
	ip -n "$DL_NS" addr add "$DL_CLIENT_IP/24" dev br0
	for n in $(seq 1 "$DL_N"); do
		mkdir -p "$(dl_dir "$n")"
		_dl_node_disk "$n" "$2"
		dl_boot "$n" || return 1
	done
}

# Starts node N (detached) and returns once its PID 1 runs and its system
# bus's socket exists, early in its boot (a watch of the node can begin
# before pacemaker starts there); records its PID 1.
dl_start() {	# N
	local n=$1 d wpid np p1='' end
	d=$(dl_dir "$n")
	rm -f "$d/pid1"
	setsid nsenter --net="/run/netns/$DL_NS" \
		"$DL_TOP/tests/deploy/nspawn_node.sh" "$DL_CGROUP/node$n" --restart-unless "$d/no-restart" -- \
		--quiet --keep-unit --register=no -M "node$n" -D "$DL_TMPL" \
		--overlay="$DL_TMPL:$d/upper:/" --bind="$DL_DIR/shared:$DL_SHARED_AT" \
		--boot --console=pipe --network-bridge=br0 --resolv-conf=off --link-journal=no \
		--capability=CAP_NET_ADMIN,CAP_IPC_LOCK --system-call-filter=open_by_handle_at \
		</dev/null >>"$d/console.log" 2>&1 &
	wpid=$!
	echo "$wpid" >"$d/wrapper.pid"
	end=$(dl_deadline 120)
	while dl_before "$end" && kill -0 "$wpid" 2>/dev/null; do
		np=$(pgrep -P "$wpid" -x systemd-nspawn | head -n 1)
		[ -n "$np" ] && p1=$(pgrep -P "$np" -x systemd | head -n 1)
		if [ -n "$p1" ] && [ -S "/proc/$p1/root/run/dbus/system_bus_socket" ]; then
			echo "$p1" >"$d/pid1"
			return 0
		fi
		sleep 0.1
	done
	_dl_not_booted "$n" "${p1:+PID 1 $p1, }no system bus"
}

# Waits until node N's systemd says running or degraded.
dl_wait_booted() {	# N
	local n=$1 st='' end
	end=$(dl_deadline 300)
	while dl_before "$end" && dl_alive "$n"; do
		st=$(nsenter -t "$(dl_pid1 "$n")" -a systemctl is-system-running 2>/dev/null)
		case $st in running|degraded) return 0 ;; esac
		sleep 0.2
	done
	_dl_not_booted "$n" "systemd: ${st:-gone}"
}

_dl_not_booted() {	# N WHY
	dl_log "node$1 did not boot ($2); its console:"
	tail -n 20 "$(dl_dir "$1")/console.log" | sed 's/^/#   /' >&2
	return 1
}

dl_boot() {	# N: started and booted
	local t0
	t0=$(dl_now_us)
	dl_start "$1" && dl_wait_booted "$1" || return 1
	echo "# TIME boot node$1 $(( ($(dl_now_us) - t0) / 1000 )) ms" >&2
}

# In node N, with the environment of a root shell (nsenter keeps our
# capabilities and cgroup, not our environment).
dl_exec() {	# N cmd...
	local n=$1; shift
	nsenter -t "$(dl_pid1 "$n")" -a env -i PATH=$DL_PATH HOME=/root LANG=C.UTF-8 TERM=dumb \
		"$@"
}
dl_sh() { local n=$1; shift; dl_exec "$n" bash -c "$*"; }	# N SCRIPT

# The node's system bus, reached from here (dbus-send, vip_watch).
dl_bus() { echo "/proc/$(dl_pid1 "$1")/root/run/dbus/system_bus_socket"; }
dl_netns() { echo "/proc/$(dl_pid1 "$1")/ns/net"; }

# A crash: SIGKILL to the node's init kills every process of its PID
# namespace at once; its veth, so its addresses, go with it.
dl_crash() {	# N
	local n=$1 p w
	p=$(dl_pid1 "$n") w=$(cat "$(dl_dir "$n")/wrapper.pid" 2>/dev/null)
	touch "$(dl_dir "$n")/no-restart"
	[ -n "$p" ] && kill -9 "$p" 2>/dev/null
	_dl_wait_gone "$w" 30
	rm -f "$(dl_dir "$n")/no-restart" "$(dl_dir "$n")/pid1"
}

_dl_wait_gone() {	# PID SECONDS
	local end
	[ -n "$1" ] || return 0
	end=$(dl_deadline "$2")
	while kill -0 "$1" 2>/dev/null && dl_before "$end"; do sleep 0.1; done
	! kill -0 "$1" 2>/dev/null
}

# Everything the lab made, gone: nodes (a crash: their state is thrown
# away with their disks), clients, the bridge's namespace, cgroups, files.
dl_down() {
	local n d w p pids='' cg
	[ -n "${DL_DIR:-}" ] && [ -d "$DL_DIR" ] || return 0
	for n in $(seq 1 "${DL_N:-0}"); do
		d=$(dl_dir "$n")
		[ -d "$d" ] || continue
		touch "$d/no-restart"
		p=$(dl_pid1 "$n")
		[ -n "$p" ] && kill -9 "$p" 2>/dev/null
	done
	for n in $(seq 1 "${DL_N:-0}"); do
		w=$(cat "$(dl_dir "$n")/wrapper.pid" 2>/dev/null)
		[ -n "$w" ] || continue
		# A wrapper not yet past its nspawn's start: kill its group.
		_dl_wait_gone "$w" 20 || kill -9 -- "-$w" 2>/dev/null
		_dl_wait_gone "$w" 5
	done
	if [ -n "${DL_NS:-}" ] && [ -e "/run/netns/$DL_NS" ]; then
		pids=$(ip netns pids "$DL_NS" 2>/dev/null | tr '\n' ' ')
		# shellcheck disable=SC2086
		[ -n "$pids" ] && kill -9 $pids 2>/dev/null
		sleep 0.2
		ip netns del "$DL_NS" 2>/dev/null
	fi
	for cg in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
		[ -d "$cg/$DL_CGROUP" ] && find "$cg/$DL_CGROUP" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	# nspawn leaves these where /run is not a tmpfs (DEPLOY-LAB.md).
	for n in $(seq 1 "${DL_N:-0}"); do
		for d in /run/systemd/nspawn/propagate/node$n /run/systemd/nspawn/unix-export/node$n; do
			[ -d "$d" ] && rmdir "$d" 2>/dev/null
		done
	done
	rm -rf "$DL_DIR"
}

# What tear-down must have left: nothing of ours.
dl_leftovers() {
	local cg
	for cg in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
		[ -d "$cg/$DL_CGROUP" ] && echo "cgroup $cg/$DL_CGROUP"
	done
	[ -e "/run/netns/$DL_NS" ] && echo "netns $DL_NS"
	[ -e "$DL_DIR" ] && echo "directory $DL_DIR"
	findmnt -rn -o TARGET | grep -F -e "$DL_DIR" -e "$DL_TMPL" | sed 's/^/mount /'
	pgrep -af -- "$DL_DIR" | sed 's/^/process /'
	return 0
}

# ---- the guide's commands (docs/install.md) ----
#
# Every ```sh block of the guide is preceded, on the line just before its
# fence, by a marker saying where the lab runs it:
#   <!-- deploy-lab: TARGET [STAGE] -->
# TARGET: template (run once, as written, while the cached node template is
# built, with this machine's network: the packages), all (every node, node1
# first), nodeN (that node), or skip REASON (not run; the reason is
# printed).  STAGE: setup (the default: run in order at bring-up) or a name
# a case runs by (remove).  An unmarked sh block, a marker without its
# block or an unknown target is an error: the guide cannot hold a command
# the lab does not know about.  Blocks run in the node as root, in /root
# (where the lab puts the .deb), under bash -e: the first failing command
# fails the block.

DL_DOC=${DL_DOC:-docs/install.md}

# Extracts the blocks into DIR: DIR/NNN.sh and DIR/index, one line per
# block: "NNN LINE TARGET STAGE [REASON...]".  Errors on stderr, status 1.
doc_extract() {	# DOC DIR
	mkdir -p "$2"
	awk -v dir="$2" '
	function fail(msg) { printf "%s:%d: %s\n", FILENAME, NR, msg > "/dev/stderr"; bad = 1 }
	inblock && /^```/ { inblock = 0; close(file); next }
	inblock { print > file; next }
	/^<!-- deploy-lab:.*-->[[:space:]]*$/ {
		m = $0; sub(/^<!-- deploy-lab:[[:space:]]*/, "", m); sub(/[[:space:]]*-->[[:space:]]*$/, "", m)
		nf = split(m, w, /[[:space:]]+/)
		target = w[1]; stage = (nf >= 2 ? w[2] : "setup")
		if (target == "skip") { stage = "skip"; reason = m; sub(/^skip[[:space:]]*/, "", reason) }
		else reason = ""
		if (target !~ /^(template|all|skip|node[0-9]+)$/) fail("unknown deploy-lab target \"" target "\"")
		if (target != "skip" && nf > 2) fail("deploy-lab marker: TARGET [STAGE] expected")
		marked = NR; next
	}
	/^```sh[[:space:]]*$/ {
		if (marked != NR - 1) { fail("a sh block without a deploy-lab marker on the line before"); target = "skip"; stage = "skip"; reason = "unmarked" }
		n++; file = sprintf("%s/%03d.sh", dir, n); printf "" > file
		printf "%03d %d %s %s %s\n", n, NR, target, stage, reason > (dir "/index")
		inblock = 1; marked = 0; next
	}
	marked && marked == NR - 1 { fail("a deploy-lab marker not followed by a sh block") ; marked = 0 }
	END { if (inblock) fail("an unclosed code block"); exit bad }
	' "$1"
}

# The text of the blocks for TARGET (and STAGE, setup by default), in order.
doc_blocks_for() {	# TARGET [STAGE]
	local d f=$DL_DOC
	case $f in /*) ;; *) f=$DL_TOP/$f ;; esac
	d=$(mktemp -d /tmp/coord-deploy-doc.XXXXXX)
	doc_extract "$f" "$d" >/dev/null 2>&1
	awk -v t="$1" -v s="${2:-setup}" '$3 == t && $4 == s {print $1}' "$d/index" 2>/dev/null |
		while read -r i; do cat "$d/$i.sh"; done
	rm -rf "$d"
}
