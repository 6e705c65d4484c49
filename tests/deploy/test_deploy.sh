#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The deployment lab (issue 25): coord as an administrator deploys it.
# Three Debian 12 nodes boot their own systemd (systemd-nspawn,
# tests/deploy/deploy_lab.sh); on them only what docs/install.md says,
# taken out of the file and run as written (the marker convention is
# described above doc_extract in deploy_lab.sh): Debian's corosync,
# pacemaker, pcs and nfs-ganesha with their own units and default paths,
# the coord .deb installed with apt, coordd under coordd.service, the
# monitor clone and one gated VIP per node with default agent parameters.
# Nothing is substituted: the guide's example values are the lab's.
#
# Then a real NFSv4 client (tests/lab/tools/nfs4_client, on the clients' side of
# the lab's bridge) holds a lock through VIP1 while, case by case:
#   a. node1's ganesha is killed (systemctl kill -s KILL nfs-ganesha):
#      VIP1 fails over, A reclaims on the survivor;
#   b. node1's ganesha is started again (systemctl start nfs-ganesha):
#      VIP1 comes home, A reclaims on node1;
#   c. coordctl move VIP1 node2 (and pacemaker's way back home), A paused;
#   d. systemctl restart coordd on node1;
#   e. systemctl reload coordd on node1, then SIGHUP (what logrotate sends);
#   f. pcs cluster stop node1, then pcs cluster start node1;
#   g. node1 crashes (kill -9 of its PID 1) and boots again;
#   h. coord removed from node3 as the guide says (standby, apt purge):
#      nothing of it is left on the node or in the cluster.
# Judged where it matters, as tests/lab/cases/test_failback.sh does: the VIP on
# the nodes' interfaces and each real ganesha's own get_grace answer
# (tests/lab/tools/vip_watch, every 10 ms), A's reclaims (every one granted,
# never LOST), and client B trying A's range through every VIP every
# 250 ms (never granted; a grant through a survivor's own VIP between a
# death and that survivor's grace is the documented death-to-grace
# window, docs/deploy.md: reported as GAP, not judged).
#
# Each case starts from its own state (every VIP home, no grace; case b:
# VIP1 failed over; case h: every VIP served), restoring it first, so a
# case left broken by a bug does not take the next ones with it; what the
# restoring had to do is reported (# reset: ...).
#
# DEPLOY_SHORT=1 (make check): bring-up, case a (the failover, not the
# failback), case h from there.  DEPLOY_CASES="a b ...": the cases to
# run, in that order (none: the bring-up alone).
# DEPLOY_KEEP=DIR: the logs and each node's journal are copied there.
# TAP.  Needs root, systemd-nspawn and debootstrap (tests/deps.sh) and,
# the first time, the Debian mirror (debootstrap, the node packages).
set -u
cd "$(dirname "$0")/../.." || exit 1
DL_TOP=$(pwd)
B=${B:-build}
. tests/deploy/deploy_lab.sh

T=0 FAILED=0
ok() { T=$((T + 1)); echo "ok $T - $1"; }
not_ok() { T=$((T + 1)); FAILED=$((FAILED + 1)); echo "not ok $T - $1"; shift; for l in "$@"; do echo "#   $l"; done; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }	# DESCRIPTION command...
# Conditions for check (one command: "check d [ a ] && [ b ]" would check [ a ] alone).
both() { [ -n "$1" ] && [ -n "$2" ]; }
same_pid() { [ -n "$1" ] && [ "$1" != 0 ] && [ "$1" = "$2" ]; }
both_zero() { [ "$1" = 0 ] && [ "$2" = 0 ]; }
finish() { echo "1..$T"; exit $(( FAILED > 0 )); }

DEPLOY_SHORT=${DEPLOY_SHORT:-0}
if [ "$DEPLOY_SHORT" = 1 ]; then CASES=${DEPLOY_CASES:-a h}; else CASES=${DEPLOY_CASES:-a b c d e f g h}; fi
C_PAUSE_S=${C_PAUSE_S:-6}
N=3
VIP1=198.18.1.101 VIP2=198.18.1.102 VIP3=198.18.1.103
vip_of() { echo "198.18.1.$((100 + $1))"; }
CLIENT=$B/tests/lab/nfs4_client
WATCH=$B/tests/lab/vip_watch

if [ "$(id -u)" != 0 ]; then
	not_ok "the deployment lab needs root (nspawn, namespaces, cgroups)"; finish
fi
for p in systemd-nspawn debootstrap; do
	command -v "$p" >/dev/null || { not_ok "$p is installed (tests/deps.sh)"; finish; }
done
for p in "$CLIENT" "$WATCH"; do
	[ -x "$p" ] || { not_ok "$p is built (make $p)"; finish; }
done

# ---- the package: build/deb/coord_*.deb, built again when older than the tree ----
# (coord-dbgsym_* is not coord_*.)
deb_file() { local d; for d in "$B"/deb/coord_*_*.deb; do [ -f "$d" ] && echo "$d" && return; done; }
deb_stale() {
	local d
	d=$(deb_file)
	[ -z "$d" ] && return 0
	[ -n "$(find Makefile coord include proto agents debian docs/coordd.conf.example \
		-newer "$d" -type f -print -quit)" ]
}
if deb_stale; then
	t0=$(date +%s)
	if make -s B="$B" deb >"/tmp/coord-deploy-deb.$$.log" 2>&1; then
		echo "# TIME make deb $(( $(date +%s) - t0 )) s"
	else
		tail -n 20 "/tmp/coord-deploy-deb.$$.log" | sed 's/^/#   /'
		rm -f "/tmp/coord-deploy-deb.$$.log"
		not_ok "make deb"; finish
	fi
	rm -f "/tmp/coord-deploy-deb.$$.log"
fi
DEB=$(realpath "$(deb_file)")
echo "# package: $DEB ($(dpkg-deb -f "$DEB" Version))"

# ---- tear-down, whatever happens ----
keep_logs() {
	local n
	[ -n "${DEPLOY_KEEP:-}" ] && [ -n "${DL_DIR:-}" ] && [ -d "$DL_DIR" ] || return 0
	mkdir -p "$DEPLOY_KEEP"
	for n in $(seq 1 "$N"); do
		dl_alive "$n" && dl_exec "$n" journalctl --no-pager -o short-precise \
			>"$DEPLOY_KEEP/node$n.journal" 2>&1
		cp "$(dl_dir "$n")/console.log" "$DEPLOY_KEEP/node$n.console" 2>/dev/null
	done
	cp "$DL_DIR"/*.log "$DEPLOY_KEEP/" 2>/dev/null
	cp -r "$DL_DIR/doc" "$DEPLOY_KEEP/" 2>/dev/null
	for n in $(seq 1 "$N"); do
		cp "$(dl_dir "$n")/upper/var/log/pacemaker/pacemaker.log" "$DEPLOY_KEEP/node$n.pacemaker.log" 2>/dev/null
		cp "$(dl_dir "$n")/upper/var/log/ganesha/ganesha.log" "$DEPLOY_KEEP/node$n.ganesha.log" 2>/dev/null
	done
}
WATCHERS=
stop_watch() {	# our watches only (a pid whose process is gone may be another's by now)
	local p
	for p in $WATCHERS; do
		grep -qa vip_watch "/proc/$p/cmdline" 2>/dev/null && kill "$p"
	done
	WATCHERS=
}
teardown() {
	stop_watch
	keep_logs
	dl_down
}
trap teardown EXIT
trap 'exit 130' INT TERM

# ---- in the nodes, as their administrator would see them ----
unit_active() { dl_exec "$1" systemctl is-active --quiet "$2"; }	# N UNIT
main_pid() { dl_exec "$1" systemctl show -p MainPID --value "$2"; }	# N UNIT

# What node N's own ganesha answers get_grace (true/false); fails when
# it does not answer.  Its system bus, reached through /proc.
get_grace() {	# N
	local g
	dl_alive "$1" || return 1
	g=$(DBUS_SYSTEM_BUS_ADDRESS="unix:path=$(dl_bus "$1")" timeout 5 dbus-send --system \
		--print-reply --dest=org.ganesha.nfsd /org/ganesha/nfsd/admin \
		org.ganesha.nfsd.admin.get_grace 2>/dev/null | awk '/boolean/ {print $2; exit}')
	[ -n "$g" ] && echo "$g"
}

# The nodes whose interfaces carry VIP ("1", "1 2": two holders).
vip_holders() {	# VIP
	local n h=
	for n in $(seq 1 "$N"); do
		dl_alive "$n" || continue
		nsenter -t "$(dl_pid1 "$n")" -n ip -o -4 addr show 2>/dev/null | grep -q " inet $1/" &&
			h="$h $n"
	done
	echo "${h# }"
}
vip_holder() {	# VIP: the one node holding it, or fails
	local h
	h=$(vip_holders "$1")
	[ -n "$h" ] && [ "${h#* }" = "$h" ] && echo "$h"
}

wait_for() {	# SECONDS command...: polls every 200 ms
	local end; end=$(dl_deadline "$1"); shift
	while :; do "$@" && return 0; dl_before "$end" || return 1; sleep 0.2; done
}
vips_home() { local v; for v in 1 2 3; do [ "$(vip_holder "$(vip_of $v)")" = "$v" ] || return 1; done; }
no_grace_but() {	# DEAD...: every other running ganesha out of grace
	local n g
	for n in $(seq 1 "$N"); do
		case " $* " in *" $n "*) continue ;; esac
		dl_alive "$n" || continue
		g=$(get_grace "$n")
		# A stopped ganesha is in no grace; a running one must answer.
		[ -z "$g" ] && ! unit_active "$n" nfs-ganesha && continue
		[ "$g" = false ] || return 1
	done
}
active_nodes() {	# nodes with ganesha-active=1, as node 1 sees them
	dl_exec 1 attrd_updater -Q -A -n ganesha-active 2>/dev/null |
		sed -n 's/.*host="node\([0-9]*\)".*value="1".*/\1/p' | sort | tr '\n' ' '
}
where_is() { echo "VIP1 on [$(vip_holders $VIP1)], VIP2 on [$(vip_holders $VIP2)], VIP3 on [$(vip_holders $VIP3)], ganesha-active on [$(active_nodes)]"; }

# ---- the clients: on the clients' side of the bridge ----
client_bg() {	# LOG args...: prints the pid
	local log=$1; shift
	ip netns exec "$DL_NS" "$CLIENT" "$@" >>"$log" 2>&1 </dev/null &
	echo $!
	disown $! 2>/dev/null
}
client_stop() {	# PID...: TERM to our clients only (a pid may be another's by now)
	local p
	for p in "$@"; do
		grep -qa nfs4_client "/proc/$p/cmdline" 2>/dev/null && kill -TERM "$p"
	done
}
first_event() {	# LOG EVENT [AFTER_US]: the time of the first such line
	awk -v e="$2" -v t="${3:-0}" '$3 == e && $1 >= t {print $1; exit}' "$1" 2>/dev/null
}
has_event() { [ -n "$(first_event "$@")" ]; }	# LOG EVENT [AFTER_US]
wait_event() { local s=$1; shift; wait_for "$s" has_event "$@"; }	# SECONDS LOG EVENT [AFTER_US]
ms() { [ -n "${2:-}" ] && echo "$(( ($2 - $1) / 1000 )) ms" || echo never; }	# T0 T

# tests/lab/tools/vip_watch over the running nodes: "<us> vip holder=N" and
# "<us> grace node=N state=..." per change, appended to the case's log.
watch_start() {
	local n args=
	for n in $(seq 1 "$N"); do
		dl_alive "$n" && args="$args $n:$(dl_netns "$n"):$(dl_bus "$n")"
	done
	# shellcheck disable=SC2086
	"$WATCH" --vip "$VIP1" --interval-ms 10 $args >>"$VLOG" 2>&1 &
	WATCHERS="$WATCHERS $!"
	disown $! 2>/dev/null
}
# The first time (us) after T the watch saw VIP1 on node N alone; it may
# log a change a moment after a check saw it.
vip1_seen() { awk -v n="holder=$1" -v t="$2" '$1 >= t && $2 == "vip" && $3 == n {print $1; exit}' "$VLOG"; }
vip1_at() {	# N T
	local end t
	end=$(dl_deadline 3)
	until t=$(vip1_seen "$1" "$2"); [ -n "$t" ] || ! dl_before "$end"; do sleep 0.1; done
	echo "$t"
}
grace_at() {	# N T: what node N's ganesha last answered before T
	awk -v n="node=$1" -v t="$2" '$1 <= t && $2 == "grace" && $3 == n {s = $4} END {sub("state=", "", s); print s}' "$VLOG"
}
grace_since() {	# N T: the first time after T node N's ganesha was in grace
	awk -v n="node=$1" -v t="$2" '$1 >= t && $2 == "grace" && $3 == n && $4 == "state=true" {print $1; exit}' "$VLOG"
}
check_arrival() {	# N T WHAT
	local g=
	[ -n "${2:-}" ] && g=$(grace_at "$1" "$2")
	check "$CASE: node$1's ganesha was in grace when VIP1 arrived there ($3; it answered ${g:-nothing})" \
		[ "$g" = true ]
}

# ---- the guide, run ----
DOC_DIR=
doc_run_block() {	# ID TARGET: runs block ID where TARGET says; logs in DOC_DIR
	local id=$1 target=$2 nodes n log rc=0
	case $target in
	all) nodes=$(seq 1 "$N") ;;
	node*) nodes=${target#node} ;;
	esac
	for n in $nodes; do
		log=$DOC_DIR/$id-node$n.log
		dl_exec "$n" bash -e -x -c "cd /root; $(cat "$DOC_DIR/$id.sh")" >"$log" 2>&1 </dev/null || {
			rc=$?
			echo "#   on node$n, exit $rc:"
			tail -n 15 "$log" | sed 's/^/#     /'
			return 1
		}
	done
}
# Runs the blocks of STAGE in order, one TAP line each; stops at the first
# that fails (the next ones need it).
doc_run_stage() {	# STAGE
	local id line target stage reason out t0
	while read -r id line target stage reason; do
		[ "$stage" = "$1" ] || [ "$target" = skip ] || continue
		case $target in
		skip) echo "# $DL_DOC:$line: not run: $reason"; continue ;;
		template) [ "$1" = setup ] &&
			ok "$DL_DOC:$line (template): run as written in the cached node template $(basename "$DL_TMPL")"
			continue ;;
		esac
		t0=$(dl_now_us)
		if out=$(doc_run_block "$id" "$target"); then
			ok "$DL_DOC:$line ($target): ran as written ($(ms "$t0" "$(dl_now_us)"))"
		else
			not_ok "$DL_DOC:$line ($target): ran as written" "$out"
			return 1
		fi
	done <"$DOC_DIR/index"
}

# ---- bring-up ----
t_up=$(dl_now_us)
echo "# bringing up $N Debian 12 nodes (systemd-nspawn) and running $DL_DOC"
if ! dl_up "$N" "$DEB"; then
	not_ok "$N nodes booted (template, boot)"; finish
fi
ok "$N nodes booted with systemd as PID 1 (template $(basename "$DL_TMPL"))"
DOC_DIR=$DL_DIR/doc
if doc_extract "$DL_DOC" "$DOC_DIR" 2>"$DL_DIR/doc-extract.err"; then
	ok "$DL_DOC: every sh block has a deploy-lab marker ($(wc -l <"$DOC_DIR/index") blocks)"
else
	not_ok "$DL_DOC: every sh block has a deploy-lab marker" "$(cat "$DL_DIR/doc-extract.err")"
fi
if ! doc_run_stage setup; then
	echo "# the guide's set-up failed: no case can run"
	finish
fi
echo "# TIME guide's set-up (boot included) $(( ($(dl_now_us) - t_up) / 1000000 )) s"

for n in $(seq 1 "$N"); do
	bad=
	for u in corosync pacemaker pcsd nfs-ganesha coordd; do unit_active "$n" "$u" || bad="$bad $u"; done
	check "node$n: corosync, pacemaker, pcsd, nfs-ganesha and coordd active${bad:+ (not:$bad)}" [ -z "$bad" ]
done
s=$(dl_exec 1 systemctl show -p Type -p WatchdogUSec coordd | tr '\n' ' ')
check "coordd runs under coordd.service, Type=notify with a watchdog ($s)" \
	sh -c "echo '$s' | grep -q 'Type=notify' && ! echo '$s' | grep -q 'WatchdogUSec=0 '"
gp=$(dl_exec 1 cat /run/ganesha/ganesha.pid 2>/dev/null | tr -d ' \n')
check "ganesha runs under nfs-ganesha.service, its pid in Debian's /run/ganesha/ganesha.pid ($gp)" \
	same_pid "$gp" "$(main_pid 1 nfs-ganesha)"
UP=yes
if wait_for 180 vips_home; then
	ok "every VIP on its own node ($(ms "$t_up" "$(dl_now_us)") after the bring-up began)"
else
	not_ok "every VIP on its own node" "$(where_is)" \
		"$(dl_exec 1 pcs status 2>&1 | sed -n '/Full List of Resources/,/Daemon Status/p' | tr '\n' ';')"
	UP=no
fi
check "no ganesha in grace" wait_for 90 no_grace_but
# The guide's epochs (start second * 8 + node number): distinct, and each
# node's own number in the low bits, so EPOCH_EXEC took effect.
epochs=
for n in $(seq 1 "$N"); do
	e=$(dl_exec "$n" tail -n 1 /var/log/ganesha/ganesha.log | sed -n 's/.* : epoch \([0-9a-f]*\) : .*/\1/p')
	epochs="$epochs ${e:-none}"
	[ -n "$e" ] && [ $(( 0x$e % 8 )) = "$n" ] || epochs="$epochs(not node$n's)"
done
check "each node's ganesha runs with an epoch of its own (docs/deploy.md):$epochs" \
	sh -c 'echo "$1" | grep -qv "none\|not" && [ "$(echo $1 | tr " " "\n" | sort -u | wc -l)" = 3 ]' _ "$epochs"
# Gates created disabled and enabled once their rules exist: each VIP
# started once, at home; nothing handed over.
handovers_on() {	# N: how many handover events node N records, or "?"
	local c
	c=$(dl_exec "$1" coordctl --json events 2>/dev/null |
		jq '[.events[] | select(.reason == "handover")] | length' 2>/dev/null)
	echo "${c:-?}"
}
handovers=$(for n in $(seq 1 "$N"); do handovers_on "$n"; done | tr '\n' ' ')
check "the set-up moved no VIP: no handover recorded on any node (per node: $handovers)" \
	[ "$handovers" = "0 0 0 " ]
echo "# TIME bring-up $(( ($(dl_now_us) - t_up) / 1000000 )) s"

# ---- the cases ----

# A holds a write lock through VIP1; B tries it through every VIP.
case_begin() {	# TAG
	local v
	CASE=$1
	A=$DL_DIR/$CASE-A.log VLOG=$DL_DIR/$CASE-vip.log
	: >"$VLOG"
	FILE=lock-$CASE
	apid=$(client_bg "$A" hold --server "$VIP1" --id "clientA-$CASE" --linux-id \
		--file "$FILE" --renew-ms 500)
	check "$CASE: client A holds a write lock through VIP1 on node$(vip_holder "$VIP1")" \
		wait_event 30 "$A" HOLDING
	bpids=
	for v in "$VIP1" "$VIP2" "$VIP3"; do
		bpids="$bpids $(client_bg "$DL_DIR/$CASE-B-$v.log" try --server "$v" \
			--id "clientB-$CASE" --linux-id --file "$FILE" --every-ms 250 --for-ms 900000)"
	done
	watch_start
	sleep 1.5
	check "$CASE: before anything moves, B is denied through every VIP" \
		[ "$(grep -l 'result=DENIED' "$DL_DIR/$CASE"-B-*.log | wc -l)" = 3 ]
	T0=$(dl_now_us)
}
grants() {	# LOG FROM [TO]: B's grants in [FROM, TO)
	awk -v a="$2" -v b="${3:-99999999999999999}" \
		'$1 >= a && $1 < b && $3 == "TRY" && /result=GRANTED/' "$1" | wc -l
}
answers() {	# LOG FROM
	awk -v t="$2" '$1 >= t && $3 == "TRY" {print $NF}' "$1" | sort | uniq -c | tr -s ' \n' ' '
}
# Grace over on the running nodes, B and the watch stopped; then judged.
# DEATH_T DEAD: B's grants through a survivor's own VIP between that death
# and the survivor's grace are the death-to-grace window (GAP).
case_end() {	# [DEATH_T DEAD]
	local death=${1:-} dead=${2:-} n v log g gap bad
	wait_for 90 no_grace_but $CASE_DOWN || echo "# $CASE: some ganesha still in grace after 90 s"
	sleep 1.5
	# shellcheck disable=SC2086
	client_stop $bpids
	stop_watch
	sleep 0.3
	if ! grep -q ' HOLDING ' "$A"; then
		not_ok "$CASE: client A never lost its lock (it never held it: $(tail -n 2 "$A" | cut -d' ' -f3- | tr '\n' ';'))"
	elif grep -q ' LOST ' "$A"; then
		not_ok "$CASE: client A never lost its lock" "$(grep -E ' (LOST|RECOVER|RECLAIMED) ' "$A" | tail -3)"
	else
		ok "$CASE: client A never lost its lock ($(grep -c ' RECLAIMED ' "$A") recoveries, every reclaim granted)"
	fi
	check "$CASE: client A still holds it at the end" alive "$apid"
	for n in 1 2 3; do
		v=$(vip_of $n) log=$DL_DIR/$CASE-B-$v.log gap=0
		if [ -n "$death" ] && [ "$n" != "$dead" ]; then
			g=$(grace_since "$n" "$death")
			gap=$(grants "$log" "$death" "${g:-99999999999999999}")
			[ "$gap" = 0 ] || echo "# GAP: B granted $gap time(s) through $v after the death, before node$n" \
				"entered grace ($(ms "$death" "$g")): the death-to-grace window (docs/deploy.md)"
		fi
		bad=$(( $(grants "$log" "$T0") - gap ))
		check "$CASE: B through $v never granted A's range ($(answers "$log" "$T0"))" [ "$bad" = 0 ]
	done
	check "$CASE: after grace, B through VIP1 is denied (A's lock holds)" \
		[ "$(awk '$3 == "TRY" {r = $NF} END {print r}' "$DL_DIR/$CASE-B-$VIP1.log")" = result=DENIED ]
	client_stop "$apid"
}

alive() { kill -0 "$1" 2>/dev/null; }
vip1_on() { [ "$(vip_holder "$VIP1")" = "$1" ]; }
vip1_moved() { local s; s=$(vip_holder "$VIP1") && [ "$s" != "$1" ]; }
reclaimed_after() { first_event "$A" RECLAIMED "$1"; }
reclaimed_or_lost() { has_event "$A" RECLAIMED "$1" || has_event "$A" LOST "$1"; }
await_reclaim() { wait_for "$2" reclaimed_or_lost "$1"; }	# T SECONDS

# VIP1 leaves node1 after T (WHAT): on which node, in grace there, A reclaimed.
failover_part() {	# T WHAT
	local t=$1 s='' r
	wait_for 90 vip1_moved 1 && s=$(vip_holder "$VIP1")
	check "$CASE: VIP1 moved from node1 to node${s:-?} after $2 ($(where_is))" [ -n "$s" ]
	[ -n "$s" ] && check_arrival "$s" "$(vip1_at "$s" "$t")" "after $2"
	await_reclaim "$t" 60
	r=$(reclaimed_after "$t")
	check "$CASE: client A reclaimed its lock on node${s:-?} ($(ms "$t" "$r") after $2)" [ -n "$r" ]
	echo "# $CASE: VIP1 on node${s:-?} $(ms "$t" "$(vip1_at "${s:-x}" "$t")") after $2, A reclaimed $(ms "$t" "$r")"
	wait_for 90 no_grace_but 1
}
# VIP1 back on node1 after T (WHAT), in grace there, A reclaimed.
home_part() {	# T WHAT [SECONDS]
	local t=$1 h r
	wait_for "${3:-120}" vip1_on 1
	h=$(vip1_at 1 "$t")
	check "$CASE: VIP1 back on node1 ($(ms "$t" "$h") after $2; $(where_is))" vip1_on 1
	check_arrival 1 "$h" "after $2"
	await_reclaim "$t" 60
	r=$(reclaimed_after "$t")
	check "$CASE: client A reclaimed its lock on node1 ($(ms "$t" "$r") after $2)" [ -n "$r" ]
}

# ---- each case's starting state, restored and reported ----
repair() { echo "# reset: $*"; }
# Every node up with ganesha and coordd, no failed resource, every VIP
# home, no ganesha in grace.
ensure_home() {
	local n fixed=0
	for n in $(seq 1 "$N"); do
		if ! dl_alive "$n"; then repair "booting node$n"; dl_boot "$n" || return 1; fixed=1; fi
		if dl_exec "$n" crm_node -l >/dev/null 2>&1 && ! unit_active "$n" pacemaker; then
			repair "node$n: pcs cluster start"; dl_exec "$n" pcs cluster start >/dev/null 2>&1; fixed=1
		fi
		if ! unit_active "$n" nfs-ganesha; then
			repair "node$n: systemctl start nfs-ganesha"; dl_exec "$n" systemctl start nfs-ganesha; fixed=1
		fi
		if ! unit_active "$n" coordd; then
			repair "node$n: systemctl start coordd ($(dl_exec "$n" systemctl is-active coordd))"
			dl_exec "$n" systemctl start coordd; fixed=1
		fi
	done
	if dl_exec 1 crm_mon -1 2>/dev/null | grep -q 'Failed Resource Actions'; then
		repair "pcs resource cleanup: $(dl_exec 1 crm_mon -1 | sed -n '/Failed Resource Actions/,$p' | tail -n +2 | tr -s ' \n' ' ' | cut -c1-300)"
		dl_exec 1 pcs resource cleanup >/dev/null 2>&1; fixed=1
	fi
	if ! wait_for 180 vips_home; then repair "VIPs not home after 180 s: $(where_is)"; return 1; fi
	wait_for 90 no_grace_but || { repair "a ganesha still in grace"; return 1; }
	[ $fixed = 0 ] || repair "done: every VIP home, no grace"
}
# Every VIP on one node, no ganesha in grace, no failed resource: what
# the removal needs (the short run goes there straight from case a).
vips_served() { local v; for v in "$VIP1" "$VIP2" "$VIP3"; do vip_holder "$v" >/dev/null || return 1; done; }
no_failed_actions() { ! dl_exec 1 crm_mon -1 2>/dev/null | grep -q 'Failed Resource Actions'; }
ensure_served() {
	wait_for 120 vips_served && wait_for 90 no_grace_but && no_failed_actions ||
		{ repair "not served as it should be: $(where_is)"; ensure_home; }
}

# VIP1 failed over: node1's ganesha dead, every grace over (as case a
# leaves it).
ensure_failed_over() {
	if ! unit_active 1 nfs-ganesha && vip1_moved 1 && no_grace_but 1; then return 0; fi
	ensure_home || return 1
	dl_exec 1 systemctl kill -s KILL nfs-ganesha
	wait_for 90 vip1_moved 1 && wait_for 90 no_grace_but 1
}

# ---- a: ganesha killed ----
ganesha_down() { ! unit_active "$1" nfs-ganesha; }
case_a() {
	local t
	echo "# a. node1's ganesha killed (systemctl kill -s KILL nfs-ganesha): VIP1 fails over"
	case_begin a
	t=$(dl_now_us)
	dl_exec 1 systemctl kill -s KILL nfs-ganesha
	CASE_DOWN=1
	failover_part "$t" "the kill"
	check "a: nothing restarted node1's ganesha behind the administrator's back" ganesha_down 1
	case_end "$t" 1
	CASE_DOWN=
}

# ---- b: failback after systemctl start nfs-ganesha ----
case_b() {
	local t
	echo "# b. node1's ganesha started again (systemctl start nfs-ganesha): VIP1 comes home"
	case_begin b
	t=$(dl_now_us)
	dl_exec 1 systemctl start nfs-ganesha
	home_part "$t" "systemctl start nfs-ganesha"
	case_end
}

# ---- c: coordctl move, A paused across it ----
case_c() {
	local t t2 th tc r rc out
	echo "# c. coordctl move $VIP1 node2 (then pacemaker brings it home); client A paused across both moves"
	case_begin c
	kill -STOP "$apid"
	t=$(dl_now_us)
	out=$(dl_exec 1 coordctl move "$VIP1" node2 2>&1); rc=$?
	echo "$out" | sed 's/^/#   coordctl: /'
	check "c: coordctl move $VIP1 node2 exits 0 (VIP1 ran on node2)" [ "$rc" = 0 ]
	t2=$(vip1_at 2 "$t")
	wait_for 120 vip1_on 1
	th=$(vip1_at 1 "$t")
	check "c: VIP1 went to node2 ($(ms "$t" "$t2")) and back home ($(ms "$t" "$th"))" \
		both "$t2" "$th"
	[ -n "$t2" ] && check_arrival 2 "$t2" "the move"
	[ -n "$th" ] && check_arrival 1 "$th" "the way back"
	sleep "$C_PAUSE_S"
	tc=$(dl_now_us)
	kill -CONT "$apid"
	await_reclaim "$t" 40
	r=$(reclaimed_after "$t")
	check "c: client A reclaimed its lock on node1 after its pause ($(ms "$tc" "$r") after it resumed)" [ -n "$r" ]
	case_end
}

# A daemon action on node1's coordd with nothing else to move: VIP1 stays
# (or comes back) home, coordd runs again.
coordd_part() {	# WHAT PID-BEFORE [same]
	local what=$1 p0=$2 p
	sleep 5
	wait_for 60 unit_active 1 coordd
	p=$(main_pid 1 coordd)
	if [ "${3:-}" = same ]; then
		check "$CASE: coordd still runs, the same process (pid $p0 -> ${p:-none}; $(dl_exec 1 systemctl is-active coordd))" \
			same_pid "$p" "$p0"
	else
		check "$CASE: coordd runs again after $what (pid $p0 -> ${p:-none}; $(dl_exec 1 systemctl is-active coordd))" \
			unit_active 1 coordd
	fi
	wait_for 90 vip1_on 1
	check "$CASE: VIP1 on node1 after $what ($(where_is))" vip1_on 1
}

# ---- d: systemctl restart coordd ----
case_d() {
	local p0
	echo "# d. systemctl restart coordd on node1 (VIP1's node)"
	case_begin d
	p0=$(main_pid 1 coordd)
	check "d: systemctl restart coordd exits 0" dl_exec 1 systemctl restart coordd
	coordd_part "systemctl restart coordd" "$p0"
	case_end
}

# ---- e: systemctl reload coordd, SIGHUP ----
case_e() {
	local p0 out rc
	echo "# e. systemctl reload coordd on node1, then SIGHUP to it (logrotate's way)"
	case_begin e
	p0=$(main_pid 1 coordd)
	out=$(dl_exec 1 systemctl reload coordd 2>&1); rc=$?
	check "e: systemctl reload coordd exits 0${out:+ ($out)}" [ "$rc" = 0 ]
	coordd_part "systemctl reload coordd" "$p0" same
	p0=$(main_pid 1 coordd)
	dl_exec 1 systemctl kill -s HUP --kill-whom=main coordd
	coordd_part "SIGHUP" "$p0" same
	case_end
}

# ---- f: pcs cluster stop/start of node1 ----
case_f() {
	local t rc
	echo "# f. pcs cluster stop node1, then pcs cluster start node1 (run on node2)"
	case_begin f
	t=$(dl_now_us)
	dl_exec 2 pcs cluster stop node1 >"$DL_DIR/f-stop.log" 2>&1; rc=$?
	check "f: pcs cluster stop node1 exits 0" [ "$rc" = 0 ]
	failover_part "$t" "pcs cluster stop node1"
	t=$(dl_now_us)
	dl_exec 2 pcs cluster start node1 >"$DL_DIR/f-start.log" 2>&1; rc=$?
	check "f: pcs cluster start node1 exits 0" [ "$rc" = 0 ]
	wait_for 60 unit_active 1 coordd
	check "f: coordd runs on node1 again ($(dl_exec 1 systemctl is-active coordd))" unit_active 1 coordd
	home_part "$t" "pcs cluster start node1"
	case_end
}

# ---- g: node1 crashes and boots again ----
case_g() {
	local t td booted
	echo "# g. node1 crashes (kill -9 of its PID 1), then boots again"
	case_begin g
	td=$(dl_now_us)
	dl_crash 1
	CASE_DOWN=1
	failover_part "$td" "the crash"
	# A new watch (node1's namespace and bus are new) from early in its
	# boot: VIP1 may come home before its systemd says it booted.
	stop_watch
	t=$(dl_now_us)
	booted=no
	if dl_start 1; then
		watch_start
		dl_wait_booted 1 && booted=yes
	fi
	check "g: node1 booted again ($(ms "$t" "$(dl_now_us)"))" [ "$booted" = yes ]
	CASE_DOWN=
	home_part "$t" "the boot" 180
	case_end "$td" 1
}

# ---- h: coord removed from node3 as the guide says ----
vip3_away() { local s; s=$(vip_holder "$VIP3") && [ "$s" != 3 ]; }
no_coordd() { ! dl_exec "$1" pgrep -x coordd >/dev/null; }
no_coord_pkg() { ! dl_exec "$1" dpkg-query -W coord >/dev/null 2>&1; }
not_active() { ! echo " $(active_nodes) " | grep -q " $1 "; }
case_h() {
	local f files out left t crashes
	echo "# h. coord removed from node3 as $DL_DOC says (its \"remove\" blocks)"
	case_begin h
	files=$(dl_exec 3 dpkg-query -L coord 2>/dev/null)
	t=$(date +%s)
	doc_run_stage remove
	wait_for 90 vip3_away
	check "h: VIP3 moved off node3 ($(where_is))" vip3_away
	case_end
	# How coordd ended is in the journals, whenever it ended: a daemon left
	# running by the removal is killed by systemd's watchdog some seconds
	# later (its unit gone, its notifications refused).
	crashes=$(dl_exec 1 journalctl -u coordd --since "@$t" -o cat 2>/dev/null | grep -c 'member 3 left (procdown)')
	killed=$(dl_exec 3 journalctl -u coordd --since "@$t" -o cat 2>/dev/null |
		grep -E 'Watchdog timeout|Killing process|Main process exited, code=killed' | tr '\n' ';')
	check "h: the removal stopped node3's coordd, which left its group cleanly (node1 saw it crash $crashes time(s)${killed:+; node3: $killed})" \
		both_zero "$crashes" "${killed:-0}"
	check "h: no coordd process left on node3 ($(dl_exec 3 pgrep -a coordd | tr '\n' ' '))" no_coordd 3
	check "h: dpkg knows no coord, not even its conffiles ($(dl_exec 3 dpkg-query -W -f='${Status}' coord 2>&1))" \
		no_coord_pkg 3
	left=$(cd "$(dl_dir 3)/upper" && find . -iname '*coord*' ! -path './root/coord_*.deb' ! -type c |
		sed 's|^\.||' | tr '\n' ' ')
	check "h: nothing named coord on node3's disk (the lab's copy of the .deb aside)${left:+: $left}" [ -z "$left" ]
	left=
	for f in $files /run/coord /var/lib/coord /etc/coord; do
		[ "$f" = /. ] && continue
		# Directories other packages own too.
		[ -d "/proc/$(dl_pid1 3)/root$f" ] && dl_exec 3 dpkg-query -S "$f" >/dev/null 2>&1 && continue
		dl_exec 3 test -e "$f" && left="$left $f"
	done
	check "h: none of the package's files, nor /run/coord, /var/lib/coord, /etc/coord, left on node3${left:+:$left}" \
		[ -z "$left" ]
	check "h: no ganesha-active attribute left for node3 (ganesha-active on [$(active_nodes)])" not_active 3
	out=$(dl_exec 1 crm_mon -1 2>&1 | sed -n '/Failed Resource Actions/,$p' | tr -s ' \n' ' ')
	check "h: no failed resource action in the cluster${out:+: $out}" [ -z "$out" ]
}

t_cases=$(dl_now_us)
for c in $CASES; do
	[ "$c" = none ] && continue
	# No VIP served after the guide's set-up: no case can be judged.
	[ "$UP" = yes ] || { not_ok "case $c: not run, the guide's set-up serves no VIP"; continue; }
	t_case=$(dl_now_us)
	CASE=$c CASE_DOWN=
	if [ "$c" = b ]; then
		check "before case b: VIP1 failed over (node1's ganesha killed), no grace" ensure_failed_over
	elif [ "$c" = h ]; then
		check "before case h: every VIP served, no ganesha in grace, no failed resource" ensure_served
	elif [ "$c" = a ] && [ "$DEPLOY_SHORT" = 1 ]; then
		:	# straight after the bring-up
	else
		check "before case $c: every node up, every VIP home, no ganesha in grace" ensure_home
	fi
	case $c in
	a|b|c|d|e|f|g|h) "case_$c" ;;
	*) not_ok "unknown case $c" ;;
	esac
	echo "# TIME case $c $(( ($(dl_now_us) - t_case) / 1000000 )) s"
done
echo "# TIME cases $(( ($(dl_now_us) - t_cases) / 1000000 )) s"

# ---- tear-down, judged ----
t=$(dl_now_us)
trap - EXIT
teardown
echo "# TIME tear-down $(( ($(dl_now_us) - t) / 1000 )) ms"
left=$(dl_leftovers)
check "tear-down left nothing (nodes, processes, cgroups, namespace, mounts, files)${left:+: $left}" [ -z "$left" ]
echo "# TIME total $(( ($(dl_now_us) - t_up) / 1000000 )) s"
finish
