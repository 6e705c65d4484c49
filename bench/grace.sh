#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make bench-grace: the grace a failover costs everyone (issue 29, item 3).
# The recommended stack (3 nodes: corosync, pacemaker, a real nfs-ganesha
# 4.3 each, coordd, each VIP a gated group [ganesha_coord_gate, IPaddr2]
# preferring its own node: tests/lab/lib/nfs_lab.sh), one ganesha
# configuration per run:
#   GRACE_NLM=false|true   Enable_NLM (ganesha's default: true)
#   NFS_GRACE, NFS_LEASE   Grace_Period, Lease_Lifetime (s)
#   GRACE_REPS             failovers (3)
#   GRACE_CONFLICT=1       also client B, trying A's own range through VIP3
#                          every 250 ms: its grants after node 3 left grace and
#                          before A reclaimed are the skew's window (docs/deploy.md)
# Per failover: client A holds a write lock through VIP1 (NFSv4.0, the only
# version libnfs 4.0.0's raw layer speaks: no EXCHANGE_ID, CREATE_SESSION,
# SEQUENCE or RECLAIM_COMPLETE in its XDR), and through each VIP a new
# client tries a NEW OPEN+LOCK of a file of its own every 250 ms (no lock
# conflict: what it meets is grace alone).  Node 1's ganesha is killed
# (-9); VIP1 fails over; A reclaims.  Measured from the kill, per survivor:
#   grace     when its ganesha entered grace and left it (vip_watch's
#             get_grace every 10 ms), and ganesha's own log lines (IN GRACE,
#             NOT IN GRACE, recovery events: 1 s resolution);
#   new lock  through each VIP, the first GRANTED after the last refused
#             (GRACE) or unanswered attempt; grants before the survivor's
#             grace are the death-to-grace window (docs/deploy.md).
# Then node 1's ganesha is restarted, VIP1 goes home (a gated failback, a
# grace of its own) and the next failover waits until no ganesha is in
# grace.  Figures are "# ..." lines and one "row" line per failover;
# nothing here asserts a time.  Raw logs: GRACE_KEEP=1 keeps the lab dir.
set -u
COORD_TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$COORD_TOP" || exit 1
GRACE_NLM=${GRACE_NLM:-false}
GRACE_REPS=${GRACE_REPS:-3}
GRACE_CONFLICT=${GRACE_CONFLICT:-0}
NFS_NLM=$GRACE_NLM
NFS_GRACE=${NFS_GRACE:-15}
NFS_LEASE=${NFS_LEASE:-8}
NFS_GATE=1
NFS_WITNESSES=0
LAB_KEEP=${GRACE_KEEP:-0}
. tests/lab/lib/lab.sh
. tests/lab/lib/coord_lab.sh
. tests/lab/lib/nfs_lab.sh
nfs_lab_trap

VIP1=$(vip_of 1)
CONF="nlm=$GRACE_NLM grace=$NFS_GRACE lease=$NFS_LEASE"
load() { cut -d' ' -f1-3 /proc/loadavg; }
# Labs running on the machine (their bridges' namespaces).
labs() { ip netns list 2>/dev/null | awk '{print $1}' | grep -c 'br$'; }
ms() { [ -n "${2:-}" ] && echo $(( ($2 - $1) / 1000 )) || echo -; }	# T0 T

echo "# bench-grace: $CONF, $GRACE_REPS failovers, gated VIPs, NFSv4.0 clients;" \
	"$(date -u +%FT%TZ), tree $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet 2>/dev/null || echo +changes)," \
	"$(nproc) cores, load $(load), $(labs) other lab(s) running"
if ! nfs_stack_up; then
	echo "# lab bring-up failed"; exit 1
fi
echo "# stack up (load $(load))"

# ---- what the logs say, from T0 on ----
# vip_watch: the first time after T that node N answered STATE.
watch_at() {	# LOG N STATE T
	awk -v n="node=$2" -v s="state=$3" -v t="$4" \
		'$1 >= t && $2 == "grace" && $3 == n && $4 == s {print $1; exit}' "$1"
}
vip_at() {	# LOG N T
	awk -v h="holder=$2" -v t="$3" '$1 >= t && $2 == "vip" && $3 == h {print $1; exit}' "$1"
}
# The try client's answers after T: the first GRANTED after the last
# answer that was not one (GRACE, ERROR), and the grants before the first
# GRACE (the death-to-grace window).
new_lock_at() {	# LOG T
	awk -v t="$2" '$1 >= t && $3 == "TRY" {
		if ($NF == "result=GRANTED") { if (!ok) ok = $1 } else { ok = 0 }
	} END {print ok ? ok : ""}' "$1"
}
early_grants() {	# LOG T
	awk -v t="$2" '$1 >= t && $3 == "TRY" {
		if ($NF == "result=GRACE") exit; if ($NF == "result=GRANTED") g++
	} END {print g + 0}' "$1"
}
graces_seen() {	# LOG T: GRACE answers after T
	awk -v t="$2" '$1 >= t && $3 == "TRY" && $NF == "result=GRACE"' "$1" | wc -l
}
# ganesha's log (dd/mm/yyyy hh:mm:ss at the start of a line) after T (s):
# "+S:what" for its grace lines and recovery events.
ganesha_story() {	# N T_S
	awk -v t="$2" '
	/NFS Server Now IN GRACE|NFS Server Now NOT IN GRACE|recovery event/ {
		split($1, d, "/"); split($2, h, ":")
		s = mktime(d[3] " " d[2] " " d[1] " " h[1] " " h[2] " " h[3])
		if (s < t) next
		w = $0; sub(/.*:EVENT :/, "", w)
		sub(/NFS Server Now /, "", w); sub(/NFS Server recovery /, "", w)
		sub(/, duration.*/, "", w); sub(/ nodeid -?[0-9]+/, "", w)
		printf "%s+%ds:%s", sep, s - t, w; sep = "; "
	}' "$LAB_DIR/$1/ganesha.log"
}

# B's grants of A's range through VIP3 in [FROM, TO).
grants_between() {	# LOG FROM TO
	awk -v a="$2" -v b="${3:-99999999999999999}" '$1 >= a && $1 < b && $3 == "TRY" && $NF == "result=GRANTED"' "$1" | wc -l
}
conflict_report() {	# REP DIR T0 RECLAIMED
	local g1
	g1=$(watch_at "$2/watch.log" 3 false "$(watch_at "$2/watch.log" 3 true "$3")")
	echo "# rep $1: B (A's range through VIP3): $(grants_between "$2/conflict.log" "$3" "$4") grant(s) between" \
		"the kill and A's reclaim, of which $(grants_between "$2/conflict.log" "${g1:-99999999999999999}" "$4")" \
		"after node 3 left grace ($(ms "$3" "$g1") ms; A reclaimed at $(ms "$3" "$4") ms)"
}

rows=
failover() {	# REP
	local r=$1 d=$LAB_DIR/rep$1 a v n p t0 ts g0 g1 lk e pids watch apid taker rec role
	mkdir -p "$d"
	a=$d/A.log
	apid=$(nfs_client_bg "$a" hold --server "$VIP1" --id "A-$r" --linux-id \
		--file "a-$r" --renew-ms 1000)
	if ! nfs_wait_event 60 "$a" HOLDING; then
		echo "# rep $r: client A did not get its lock"; return 1
	fi
	pids=
	for v in 1 2 3; do
		pids="$pids $(nfs_client_bg "$d/try-$v.log" try --server "$(vip_of $v)" \
			--id "new-$v-$r" --linux-id --file "new-$v-$r" --every-ms 250 --for-ms 900000)"
	done
	[ "$GRACE_CONFLICT" = 1 ] && pids="$pids $(nfs_client_bg "$d/conflict.log" try --server "$(vip_of 3)" \
		--id "B-$r" --linux-id --file "a-$r" --every-ms 250 --for-ms 900000)"
	watch=$(vip1_watch "$d/watch.log")
	NFS_WATCHERS="$watch"
	tried() { local v; for v in 1 2 3; do tries_since "$d/try-$v.log" 0 1 || return 1; done; }
	wait_for 60 tried || echo "# rep $r: a try client did not answer within 60 s"
	wait_for 30 grep -q ' vip holder=1' "$d/watch.log"
	echo "# rep $r: before the kill, load $(load)"
	t0=$(now_us); ts=$(date +%s)
	nfs_ganesha_kill 1
	wait_for 60 vip_moved "$VIP1" 1
	taker=$(vip_holder "$VIP1")
	a_done() { [ -n "$(nfs_first "$a" RECLAIMED "$t0")$(nfs_first "$a" LOST "$t0")" ]; }
	wait_for 90 a_done
	rec=$(nfs_first "$a" RECLAIMED "$t0")
	[ -n "$(nfs_first "$a" LOST "$t0")" ] && echo "# rep $r: A LOST its lock: $(grep ' LOST ' "$a" | tail -1)"
	wait_for $(( NFS_GRACE * 4 + 60 )) nfs_no_grace_but 1 ||
		echo "# rep $r: a survivor still in grace $(( NFS_GRACE * 4 + 60 )) s after the kill"
	# Each survivor's VIP answers GRANTED twice after that, waited for.
	p=$(now_us)
	settled() { local v; for v in 2 3; do
		[ "$(awk -v t="$p" '$1 >= t && /result=GRANTED/' "$d/try-$v.log" | wc -l)" -ge 2 ] || return 1
	done; [ "$(awk -v t="$p" '$1 >= t && /result=GRANTED/' "$d/try-1.log" | wc -l)" -ge 2 ]; }
	wait_for 60 settled || echo "# rep $r: not every VIP granted a new lock twice after grace"
	# shellcheck disable=SC2086	# a list of pids
	nfs_client_stop $pids
	nfs_unwatch
	echo "# rep $r: VIP1 on node ${taker:-?} at $(ms "$t0" "$(vip_at "$d/watch.log" "${taker:-x}" "$t0")") ms," \
		"A reclaimed at $(ms "$t0" "$rec") ms; load $(load)"
	for n in 2 3; do
		g0=$(watch_at "$d/watch.log" "$n" true "$t0")
		g1=
		[ -n "$g0" ] && g1=$(watch_at "$d/watch.log" "$n" false "$g0")
		v=$(vip_of $n)
		lk=$(new_lock_at "$d/try-$n.log" "$t0")
		e=$(early_grants "$d/try-$n.log" "$t0")
		role=other; [ "$n" = "$taker" ] && role=taker
		echo "# rep $r node $n ($role): in grace $(ms "$t0" "$g0") ms -> out $(ms "$t0" "$g1") ms" \
			"(grace $(ms "${g0:-0}" "$g1") ms); new OPEN+LOCK through its own VIP $v at $(ms "$t0" "$lk") ms" \
			"($(graces_seen "$d/try-$n.log" "$t0") GRACE answers, $e grant(s) before its grace)"
		echo "#   node $n's log: $(ganesha_story "$n" "$ts")"
		rows="$rows
row $CONF rep=$r node=$n role=$role grace_in_ms=$(ms "$t0" "$g0") grace_out_ms=$(ms "$t0" "$g1") new_lock_own_vip_ms=$(ms "$t0" "$lk") early_grants=$e"
	done
	[ "$GRACE_CONFLICT" = 1 ] && conflict_report "$r" "$d" "$t0" "$rec"
	lk=$(new_lock_at "$d/try-1.log" "$t0")
	echo "# rep $r: new OPEN+LOCK through the moved VIP1 (on node ${taker:-?}) at $(ms "$t0" "$lk") ms"
	rows="$rows
row $CONF rep=$r vip=1 taker=${taker:-?} vip_moved_ms=$(ms "$t0" "$(vip_at "$d/watch.log" "${taker:-x}" "$t0")") reclaim_ms=$(ms "$t0" "$rec") new_lock_moved_vip_ms=$(ms "$t0" "$lk")"
	nfs_client_stop "$apid"
	# Back to the start: node 1's ganesha, VIP1 home, nobody in grace.
	nfs_ganesha_start 1 || { echo "# rep $r: node 1's ganesha did not restart"; return 1; }
	wait_for 120 nfs_vips_home || { echo "# rep $r: VIPs not home"; return 1; }
	wait_for $(( NFS_GRACE * 4 + 60 )) nfs_no_grace || { echo "# rep $r: grace did not end after the failback"; return 1; }
}

for r in $(seq 1 "$GRACE_REPS"); do
	failover "$r" || break
done
echo "# results ($CONF; load $(load) at the end):$rows"
