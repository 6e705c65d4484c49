# SPDX-License-Identifier: GPL-2.0-or-later
# The client-history soak's pieces (tests/lab/soak_nfs.sh), sourced after
# lab.sh, coord_lab.sh and nfs_lab.sh, with OUT (the records' directory),
# SOAK_FILES, SOAK_CYCLERS, SOAK_TRY_MS, SOAK_WATCH_MS and SOAK_SETTLE_GRACE set.
#
#   soak_watch_start      a vip_watch per VIP: OUT/vip-V.log
#   soak_clients_start    the holders and contenders; waits for every hold
#   soak_move I KIND      one move of that kind (targets drawn from RANDOM),
#                         then the settle; its timeline in OUT/moves.log
#   soak_collect          coordd's event records and the servers' logs to OUT
#   soak_old_start        METHOD=old: coordd and its monitor stopped, a
#                         ganesha_mon poll per node (seed_method.sh)
#
# moves.log, one line each, times in CLOCK_REALTIME us:
#   <us> MOVE <i> kind=<k> node=<n> [other=<m>] [to=<m>] [vip=<v>]   the fault begins
#   <us> DEATH <i> node=<n>         a ganesha's process died (killed or powered off)
#   <us> PHASE <i> <what> node=<n>  a later step (restart, resume, clear, heal...)
#   <us> END <i> settled=<0|1> [why=...]   the stack settled (or the bound passed)

soak_log() { echo "$(now_us) $*" >>"$OUT/moves.log"; }

# wait_for with a bound in seconds of the clock: the soak's conditions fork
# a dozen processes each (get_grace on three nodes, the holders' logs),
# which a loaded machine stretches to a second a try, and wait_for's
# bound counts tries (90 s of them became many minutes).
soak_until() {	# SECONDS command...
	local _su_end=$(( $(date +%s) + $1 )); shift
	until "$@"; do
		[ "$(date +%s)" -ge "$_su_end" ] && return 1
		sleep 0.2
	done
}

soak_watch_start() {
	local v n args
	for v in 1 2 3; do
		args=
		for n in 1 2 3; do args="$args $n:/run/netns/$(_lab_ns $n):$LAB_DIR/$n/bus.sock"; done
		# shellcheck disable=SC2086
		"$B/tests/lab/vip_watch" --vip "$(vip_of $v)" --interval-ms "$SOAK_WATCH_MS" $args \
			>"$OUT/vip-$v.log" 2>&1 &
		NFS_WATCHERS="${NFS_WATCHERS:-} $!"
	done
}

# Holder hK on file fK through VIP ((K-1) % 3 + 1); contender tK on the same
# file and range through the next VIP.
soak_holder_vip() { echo $(( ($1 - 1) % 3 + 1 )); }	# K
soak_contender_vip() { echo $(( $1 % 3 + 1 )); }	# K

soak_holder_start() {	# K
	local k=$1
	nfs_client_bg "$OUT/clients/h$k.log" hold --server "$(vip_of "$(soak_holder_vip "$k")")" \
		--id "h$k" --linux-id --file "f$k" --renew-ms 500 >"$OUT/clients/h$k.pid"
}

# Cyclers cKa and cKb (SOAK_CYCLERS pairs) on file gK through two VIPs,
# each taking the lock, holding it 2 s, releasing it and retaking it: the
# lock changes hands between servers while the moves go on.
soak_cycler_vip() {	# K a|b
	if [ "$2" = a ]; then soak_holder_vip "$1"; else soak_contender_vip "$1"; fi
}
soak_cycler_start() {	# K a|b
	nfs_client_bg "$OUT/clients/c$1$2.log" cycle --server "$(vip_of "$(soak_cycler_vip "$1" "$2")")" \
		--id "c$1$2" --linux-id --file "g$1" --renew-ms 500 --hold-ms 2000 --gap-ms 700 \
		>"$OUT/clients/c$1$2.pid"
}
soak_cyclers() { local k; for k in $(seq 1 "$SOAK_CYCLERS"); do printf '%s a\n%s b\n' "$k" "$k"; done; }
soak_cycler_alive() { grep -qa nfs4_client "/proc/$(cat "$OUT/clients/c$1$2.pid")/cmdline" 2>/dev/null; }

soak_clients_start() {
	local k x
	: >"$OUT/clients.map"
	for k in $(seq 1 "$SOAK_FILES"); do
		echo "h$k hold file=f$k vip=$(soak_holder_vip "$k")" >>"$OUT/clients.map"
		echo "t$k try file=f$k vip=$(soak_contender_vip "$k")" >>"$OUT/clients.map"
		soak_holder_start "$k"
	done
	for k in $(seq 1 "$SOAK_FILES"); do
		soak_until 60 nfs_wait_event 1 "$OUT/clients/h$k.log" HOLDING || return 1
	done
	# The contenders once every lock is held: a contender's grant before
	# its holder's is no conflict, and would make the holder give up.
	for k in $(seq 1 "$SOAK_FILES"); do
		nfs_client_bg "$OUT/clients/t$k.log" try --server "$(vip_of "$(soak_contender_vip "$k")")" \
			--id "t$k" --linux-id --file "f$k" --every-ms "$SOAK_TRY_MS" --for-ms 86400000 \
			>"$OUT/clients/t$k.pid"
	done
	while read -r k x; do
		[ -n "$k" ] || continue
		echo "c$k$x cycle file=g$k vip=$(soak_cycler_vip "$k" "$x")" >>"$OUT/clients.map"
		soak_cycler_start "$k" "$x"
	done <<<"$(soak_cyclers)"
}

soak_stop_clients() {
	local k
	for k in $(seq 1 "$SOAK_FILES"); do
		nfs_client_stop "$(cat "$OUT/clients/t$k.pid")" "$(cat "$OUT/clients/h$k.pid")"
	done
	for k in $(seq 1 "$SOAK_CYCLERS"); do
		nfs_client_stop "$(cat "$OUT/clients/c${k}a.pid")" "$(cat "$OUT/clients/c${k}b.pid")"
	done
	sleep 1
}

# A holder's latest state: HOLDING, RECOVER, RECLAIMED, LOST... (none: nothing yet).
soak_holder_state() {	# K
	awk '$3 ~ /^(HOLDING|RECOVER|RECLAIMED|LOST|RELEASED)$/ {s = $3} END {print s}' \
		"$OUT/clients/h$1.log" 2>/dev/null
}
soak_holder_alive() { grep -qa nfs4_client "/proc/$(cat "$OUT/clients/h$1.pid")/cmdline" 2>/dev/null; }

soak_clients_alive() {
	local k x
	for k in $(seq 1 "$SOAK_FILES"); do soak_holder_alive "$k" || return 1; done
	while read -r k x; do
		[ -n "$k" ] || continue
		soak_cycler_alive "$k" "$x" || return 1
	done <<<"$(soak_cyclers)"
}

# The move that began at T0 (us) is over for the clients, judged from the
# records alone (OUT's clients.map, moves.log, vip-V.log, clients/*.log) as the checker
# will judge them, in one pass: every holder holding (HOLDING or RECLAIMED
# its latest state), no cycler recovering (its last RECOVER answered) or
# lost, and every holder and cycler whose VIP arrived somewhere since T0
# reclaimed after its last arrival, with vip_watch seeing it home (an
# arrival back on the node the VIP left, whose ganesha did not die since
# it came there, is no move: the clients' state is still there).  Its
# latest state alone is not enough: after a failback it is still the
# failover's RECLAIMED until the client notices the VIP came home (a
# RENEW timing out, a reconnect's SYN retried: a second and more on a
# loaded machine), and a move begun meanwhile closes the checker's window
# on a client still recovering (seed 153, move 3: the next move began
# 1.1 s after VIP3 came home, 2 ms before h6's reclaim there).
soak_clients_settled() {	# T0
	awk -v t0="$1" '
	function died(n, from, to,   i, k, t) {	# a DEATH of node n in [from, to]
		k = split(deaths[n], t, " ")
		for (i = 1; i <= k; i++) if (t[i] + 0 >= from && t[i] + 0 <= to + 0) return 1
		return 0
	}
	FILENAME ~ /clients\.map$/ {
		if ($2 != "try") { role[$1] = $2; vip[$1] = substr($4, 5) }
		next
	}
	FILENAME ~ /moves\.log$/ {
		if ($2 == "DEATH") deaths[substr($4, 6)] = deaths[substr($4, 6)] " " $1
		next
	}
	FILENAME ~ /\/vip-[0-9]+\.log$/ {
		if ($2 != "vip") next
		v = FILENAME; sub(/.*\/vip-/, "", v); sub(/\.log$/, "", v)
		h = substr($3, 8)
		if (h == at[v]) next
		at[v] = h
		if (h == "none") next
		if (h != on[v] || died(h, on_since[v], $1)) arr[v] = $1 + 0
		on[v] = h; on_since[v] = $1 + 0
		next
	}
	$3 ~ /^(HOLDING|RECOVER|RECLAIMED|LOST|RELEASED)$/ {
		st[$2] = $3
		if ($3 == "RECLAIMED") rec[$2] = $1 + 0
	}
	# A cycler that lost its lock goes on cycling: a new lock granted
	# ends its LOST, on the server it now reaches (seed 2718, move 22).
	$3 == "LOCK" && role[$2] != "hold" && / reclaim=0 status=NFS4_OK/ {
		st[$2] = "LOCK"; rec[$2] = $1 + 0
	}
	END {
		for (c in role) {
			v = vip[c]
			if (role[c] == "hold" && st[c] != "HOLDING" && st[c] != "RECLAIMED") exit 1
			if (st[c] == "RECOVER" || st[c] == "LOST") exit 1
			if (arr[v] >= t0 + 0 && (at[v] != v || rec[c] + 0 < arr[v])) exit 1
		}
	}' "$OUT/clients.map" "$OUT/moves.log" "$OUT"/vip-*.log "$OUT"/clients/*.log 2>/dev/null
}

soak_clients_hold() { soak_clients_alive && soak_clients_settled "$1"; }	# T0

soak_ganeshas_up() {
	local n
	for n in 1 2 3; do get_grace "$n" >/dev/null || return 1; done
}

# Bounded waits, each named in END's why= when it did not hold.
soak_settle() {	# I T0
	local i=$1 why=
	soak_until 120 nfs_vips_home || why="${why}vips-not-home,"
	soak_until 60 soak_clients_hold "$2" || why="${why}clients-not-reclaimed,"
	[ "$SOAK_SETTLE_GRACE" = 0 ] || soak_until 90 nfs_no_grace || why="${why}grace-not-over,"
	if [ -z "$why" ]; then soak_log "END $i settled=1"; return 0; fi
	soak_log "END $i settled=0 why=${why%,}"
	echo "# move $i: not settled: ${why%,} (VIPs on $(vip_holder "$(vip_of 1)")," \
		"$(vip_holder "$(vip_of 2)"), $(vip_holder "$(vip_of 3)"); holders:" \
		"$(for k in $(seq 1 "$SOAK_FILES"); do printf '%s ' "$(soak_holder_state "$k")"; done))"
	soak_repair
	return 1
}

# After a move that did not settle, what the next move needs: every
# ganesha and coordd running, every VIP home, a dead holder started again
# (its history goes on in the same file: the checker has seen its end).
soak_repair() {
	local r_n k x
	for r_n in 1 2 3; do
		if [ "$METHOD" != old ] && { [ -z "$(coord_pid "$r_n")" ] || ! kill -0 "$(coord_pid "$r_n")" 2>/dev/null; }; then
			coord_start "$r_n" >/dev/null
		fi
		get_grace "$r_n" >/dev/null || { kill -CONT "$(ganesha_pid "$r_n")" 2>/dev/null; sleep 1; }
		get_grace "$r_n" >/dev/null || { nfs_ganesha_kill "$r_n"; nfs_ganesha_start "$r_n"; }
	done
	for k in $(seq 1 "$SOAK_FILES"); do
		soak_holder_alive "$k" || soak_holder_start "$k"
	done
	while read -r k x; do
		[ -n "$k" ] || continue
		soak_cycler_alive "$k" "$x" || soak_cycler_start "$k" "$x"
	done <<<"$(soak_cyclers)"
	soak_until 120 nfs_vips_home
	soak_until 90 nfs_no_grace
}


# DEATH is logged before the fault: the checker opens the death-to-grace
# window there, and a grant after the real death but before a later line
# was judged a conflict (seed 9001 move 20: the power cut took 1.3 s to
# log, two survivors' grants fell in between).
soak_kill() {	# I N
	soak_log "DEATH $1 node=$2"
	nfs_ganesha_kill "$2"
}
soak_restart() {	# I N
	nfs_ganesha_start "$2"
	soak_log "PHASE $1 restart node=$2"
}
# Every holder through VIP V reclaimed (or lost) since T.
soak_reclaimed_since() {	# V T
	local k
	for k in $(seq 1 "$SOAK_FILES"); do
		[ "$(soak_holder_vip "$k")" = "$1" ] || continue
		[ -n "$(nfs_first "$OUT/clients/h$k.log" RECLAIMED "$2")$(nfs_first "$OUT/clients/h$k.log" LOST "$2")" ] ||
			return 1
	done
}
# Waits (bounded) for VIP V off node N, then for its holders' reclaims
# since T: the failover over, before the failback begins.
soak_await_failover() {	# V N T
	soak_until 60 vip_moved "$(vip_of "$1")" "$2"
	soak_until 60 soak_reclaimed_since "$1" "$3"
}

soak_move() {	# I KIND
	local mv_i=$1 mv_kind=$2 mv_n mv_m mv_s mv_t mv_d mv_t0
	# Drawn here, not in a $(...): a subshell reseeds RANDOM, and the
	# seed would no longer replay the run.
	mv_n=$(( RANDOM % 3 + 1 ))
	mv_m=$(( (mv_n + RANDOM % 2) % 3 + 1 ))	# another node
	mv_t0=$(now_us)	# before its MOVE line: a VIP arriving since moved in it
	case $mv_kind in
	kill)
		soak_log "MOVE $mv_i kind=kill node=$mv_n"
		mv_d=$(now_us)
		soak_kill "$mv_i" "$mv_n"
		soak_await_failover "$mv_n" "$mv_n" "$mv_d"
		soak_restart "$mv_i" "$mv_n" ;;
	stop)
		# A hang within half the lease: ganesha expires a lease it could
		# not renew while stopped as soon as it resumes (a 7 s stop with
		# an 8 s lease on a loaded machine: a holder EXPIRED, its reclaim
		# NO_GRACE, seed 7 move 2), which is the lease, not a move.
		mv_s=$(( RANDOM % (NFS_LEASE / 2 - 1) + 2 )) mv_t=$(( RANDOM % 2 ))
		soak_log "MOVE $mv_i kind=stop node=$mv_n hold=${mv_s}s then=$([ $mv_t = 0 ] && echo resume || echo kill)"
		kill -STOP "$(ganesha_pid "$mv_n")"
		sleep "$mv_s"
		if [ "$mv_t" = 0 ]; then
			kill -CONT "$(ganesha_pid "$mv_n")"
			soak_log "PHASE $mv_i resume node=$mv_n"
		else
			mv_d=$(now_us)
			soak_kill "$mv_i" "$mv_n"
			soak_await_failover "$mv_n" "$mv_n" "$mv_d"
			soak_restart "$mv_i" "$mv_n"
		fi ;;
	move)
		soak_log "MOVE $mv_i kind=move vip=$mv_n to=$mv_m node=$mv_n"
		lab_exec "$mv_n" "$COORDCTL" move "$(vip_of "$mv_n")" "node$mv_m" >>"$OUT/coordctl-move.log" 2>&1 ||
			soak_log "PHASE $mv_i move-failed node=$mv_n rc=$?" ;;
	crm)
		mv_s=$(( RANDOM % 5 + 2 ))
		soak_log "MOVE $mv_i kind=crm vip=$mv_n to=$mv_m node=$mv_n"
		lab_exec 1 crm_resource --move -r "$(nfs_vip_rsc "$mv_n")" -N "node$mv_m" >/dev/null 2>&1
		soak_await_failover "$mv_n" "$mv_n" "$mv_t0"
		sleep "$mv_s"
		lab_exec 1 crm_resource --clear -r "$(nfs_vip_rsc "$mv_n")" >/dev/null 2>&1
		soak_log "PHASE $mv_i clear node=$mv_n" ;;
	power)
		soak_log "MOVE $mv_i kind=power node=$mv_n"
		mv_d=$(now_us)
		soak_log "DEATH $mv_i node=$mv_n"
		nfs_power_off "$mv_n"
		# The old method: pacemaker's ganesha_grace notify on the
		# survivors, at once (seed_method.sh's generous model).
		if [ "$METHOD" = old ]; then seed_failover "$mv_n" >/dev/null 2>&1 & fi
		soak_await_failover "$mv_n" "$mv_n" "$mv_d"
		nfs_power_on "$mv_n" || echo "# move $mv_i: node $mv_n did not power on"
		[ "$METHOD" = old ] && coord_stop "$mv_n"	# its boot starts one
		soak_log "PHASE $mv_i power-on node=$mv_n" ;;
	coordd)
		mv_s=$(( RANDOM % 4 + 1 ))
		soak_log "MOVE $mv_i kind=coordd node=$mv_n other=$mv_m"
		mv_d=$(now_us)
		soak_kill "$mv_i" "$mv_n"
		coord_stop "$mv_m" KILL
		soak_log "PHASE $mv_i coordd-killed node=$mv_m"
		sleep "$mv_s"
		coord_start "$mv_m" >/dev/null
		soak_log "PHASE $mv_i coordd-started node=$mv_m"
		soak_await_failover "$mv_n" "$mv_n" "$mv_d"
		soak_restart "$mv_i" "$mv_n" ;;
	double)
		soak_log "MOVE $mv_i kind=double node=$mv_n other=$mv_m"
		mv_d=$(now_us)
		soak_kill "$mv_i" "$mv_n"
		soak_kill "$mv_i" "$mv_m"
		soak_await_failover "$mv_n" "$mv_n" "$mv_d"
		soak_await_failover "$mv_m" "$mv_m" "$mv_d"
		soak_restart "$mv_i" "$mv_n"
		soak_restart "$mv_i" "$mv_m" ;;
	cut)
		mv_s=$(( RANDOM % 6 + 4 ))
		soak_log "MOVE $mv_i kind=cut node=$mv_n"
		lab_link_down "$mv_n"
		sleep "$mv_s"
		lab_link_up "$mv_n"
		soak_log "PHASE $mv_i heal node=$mv_n" ;;
	*)
		echo "soak_nfs: unknown kind $mv_kind" >&2; return 1 ;;
	esac
	soak_settle "$mv_i" "$mv_t0"
	echo "# move $mv_i: $mv_kind ($(tail -n 1 "$OUT/moves.log" | cut -d' ' -f4-))"
}

# Coordd's event records (coordctl --json events), the servers' logs and
# pacemaker's (where a VIP's placement took its time), into OUT: what the
# checker and a reader need once the lab is gone.
soak_collect() {
	local n
	[ -n "${LAB_DIR:-}" ] && [ -d "$LAB_DIR" ] || return 0
	for n in 1 2 3; do
		lab_exec "$n" "$COORDCTL" --json events >"$OUT/events-$n.json" 2>/dev/null
		cp "$LAB_DIR/$n/ganesha.log" "$OUT/ganesha-$n.log" 2>/dev/null
		cp "$LAB_DIR/$n/coordd.log" "$OUT/coordd-$n.log" 2>/dev/null
		cp "$LAB_DIR/$n/pcmk/log/pacemaker.log" "$OUT/pacemaker-$n.log" 2>/dev/null
	done
}

# ---- METHOD=old: GlusterFS common-ha's ganesha_mon, per node ----
# Its monitor every SOAK_OLD_INTERVAL s (the driver's shell, in the
# background: seed_failover is a function): while ganesha runs it sets
# ganesha-active; once ganesha is gone and the attribute set, it notifies
# grace to the others, sleeps the fixed delay and deletes the attribute
# (the VIP moves).  A powered-off node's monitor is dead with it: no bus
# socket, no poll (the survivors' notify is the power move's).
soak_old_ganesha_runs() {	# N
	local p
	p=$(lab_exec "$1" cat /run/ganesha.pid 2>/dev/null)
	[ -n "$p" ] && kill -0 "$p" 2>/dev/null
}
# -N: from outside pacemaker's agents (no OCF_RESKEY_CRM_meta_on_node)
# attrd_updater -Q answers every node's value.
soak_old_active() {	# N
	lab_exec "$1" attrd_updater -Q -N "node$1" -n ganesha-active 2>/dev/null | grep -q 'value="1"'
}
soak_old_mon() {	# N
	local n=$1
	while sleep "$SOAK_OLD_INTERVAL"; do
		[ -S "$LAB_DIR/$n/bus.sock" ] || continue
		if soak_old_ganesha_runs "$n"; then
			soak_old_active "$n" || lab_exec "$n" attrd_updater -n ganesha-active -U 1 >/dev/null 2>&1
		elif soak_old_active "$n"; then
			echo "$(now_us) node$n ganesha gone: notify grace, ${SEED_GRACE_DELAY} s" >>"$OUT/old-mon.log"
			seed_failover "$n"
			lab_exec "$n" attrd_updater -D -n ganesha-active >/dev/null 2>&1
			echo "$(now_us) node$n ganesha-active deleted" >>"$OUT/old-mon.log"
		fi
	done
}
soak_old_start() {
	local n
	# The monitor clone stopped keeps the attributes (test_nfs_client.sh's
	# old-method case); then no coordd anywhere.
	lab_exec 1 crm_resource --resource mon-clone --meta --set-parameter target-role \
		--parameter-value Stopped >/dev/null 2>&1 || return 1
	for n in 1 2 3; do coord_stop "$n"; done
	for n in 1 2 3; do
		soak_old_mon "$n" >/dev/null 2>&1 &
		NFS_WATCHERS="${NFS_WATCHERS:-} $!"
	done
	sleep 2
	nfs_vips_home
}
