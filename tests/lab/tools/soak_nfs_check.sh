#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The client-history soak's checker (tests/lab/soak_nfs.sh): judges a run
# from its records alone, in DIR: moves.log (the driver's timeline),
# clients.map and clients/*.log (each client's history), vip-V.log
# (vip_watch: where VIP V was, what each ganesha answered get_grace) and
# events-N.json (coordd's records, summarised).  It starts nothing and can
# be run again on kept records.
#
# Fails on:
#   conflict   a client granted a range while another held it (a contender
#              or a cycler while a holder or the other cycler held it; a
#              cycler holds from its LOCK's answer to its UNLOCKING), from
#              the histories, outside the death-to-grace window
#   lost       a holder's reclaim refused (LOST: NO_GRACE, DENIED...)
#   unreclaimed a holder or cycler still recovering when the move's window closed,
#              or whose VIP moved in the window and that did not reclaim
#              after the VIP's last arrival (a VIP back on the node it
#              left, whose ganesha did not die meanwhile, did not move: its
#              clients' state is still there, nothing to reclaim)
#   ahead      a VIP arriving on a node whose ganesha was not in grace
#              (its last answer before the arrival)
#   twice      a VIP seen on two nodes at once
#   late       a holder's reclaim more than REACH_MS (30000) after its
#              VIP's last arrival in the window
#   ended      a holder whose history ends without its release (it died)
#   event      a coordd event not ended (waiting, held...) in events-N.json
# Counted and printed apart, not judged: GAP, a contender's grant through
# a survivor's own VIP after a ganesha's death, before that survivor was
# in grace (the death-to-grace window, docs/deploy.md).
#
# Prints per move: kind, from the death (or the move's start) to the VIP
# answering elsewhere and to each holder's reclaim; from the failback's
# start (restart, power-on, clear, resume) to the VIP home and to the
# reclaims there; its GAP grants; its failures.  Then a table by kind:
# count, median and p99 of each interval, failures.  Exit 1 on a failure.
set -u
DIR=${1:?usage: soak_nfs_check.sh DIR}
REACH_MS=${REACH_MS:-30000}
for f in moves.log clients.map vip-1.log; do
	[ -s "$DIR/$f" ] || { echo "soak_nfs_check: $DIR/$f missing or empty" >&2; exit 2; }
done

# One stream in time order: "<us> M ...", "<us> V<v> holder=X",
# "<us> G<v> node=N state=S", "<us> C <client> <EVENT> ...".
{
	awk '{$2 = "M " $2; print}' "$DIR/moves.log"
	for f in "$DIR"/vip-*.log; do
		v=${f##*/vip-}; v=${v%.log}
		awk -v v="$v" '$2 == "vip" {print $1, "V" v, $3} $2 == "grace" {print $1, "G" v, $3, $4}' "$f"
	done
	for f in "$DIR"/clients/*.log; do
		awk '$1 ~ /^[0-9]+$/ {$2 = "C " $2; print}' "$f"
	done
} | sort -s -n -k1,1 | awk -v reach="$REACH_MS" -v map="$DIR/clients.map" '
function kv(s, k,   i, a, n) {
	n = split(s, a, " ")
	for (i = 1; i <= n; i++) if (index(a[i], k "=") == 1) return substr(a[i], length(k) + 2)
	return ""
}
function fail(what, text) {
	nfail++; mfail[cur]++; kfail[kind[cur]]++
	printf "FAIL move %s (%s): %s: %s\n", cur, kind[cur], what, text
	failkind[what]++
}
function ms(a, b) { return int((b - a) / 1000) }
function add(k, name, v,   n) { n = ++cnt[k, name]; val[k, name, n] = v }
function pct(k, name, p,   n, i, j, t, a) {
	n = cnt[k, name]
	if (!n) return "-"
	for (i = 1; i <= n; i++) a[i] = val[k, name, i]
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	i = int((p * n + 99) / 100); if (i < 1) i = 1; if (i > n) i = n
	return a[i]
}
# Closes move m: its reclaim and reach checks, its line.
function close_move(m,   k, v, line, r) {
	if (m == 0) return
	for (k in role) {
		if (role[k] == "try") continue
		v = cvip[k]
		if (recovering[k]) fail("unreclaimed", k " still recovering (since " ms(t0, rec_since[k]) " ms) when the window closed")
		else if (role[k] != "hold") continue
		else if (moved[v] && kept(k, v)) continue
		else if (moved[v] && last_rec[k] < last_arr[v])
			fail("unreclaimed", k " (VIP" v ") did not reclaim after VIP" v "s last arrival (" ms(t0, last_arr[v]) " ms)")
		else if (moved[v] && last_rec[k] - last_arr[v] > reach * 1000)
			fail("late", k " reclaimed " ms(last_arr[v], last_rec[k]) " ms after VIP" v "s last arrival")
	}
	line = sprintf("move %s %s %s:", m, kind[m], what[m])
	if (t_vip) { line = line sprintf(" %s -> VIP answering %d ms", from, ms(t0, t_vip)); add(kind[m], "vip", ms(t0, t_vip)) }
	r = ""
	for (v in first_arr) if (first_arr[v] != t_vip) r = r sprintf(" VIP%s %d ms", v, ms(t0, first_arr[v]))
	if (r != "") line = line " (then" r ")"
	if (!t1 && t_arr > t_vip) line = line sprintf(" (last arrival %d ms)", ms(t0, t_arr))
	r = ""
	for (k in first_rec) { r = r " " k "=" ms(t0, first_rec[k]); add(kind[m], "reclaim", ms(t0, first_rec[k])) }
	if (r != "") line = line ", reclaims (ms):" r
	if (t1 && !t_vip) line = line sprintf(" %s at %d ms, no VIP moved", phase, ms(t0, t1))
	if (t1 && t_vip) {
		line = line sprintf("; %s -> VIP home %s", phase, t_home ? ms(t1, t_home) " ms" : "never")
		if (t_home) add(kind[m], "home", ms(t1, t_home))
		r = ""
		for (k in back_rec) { r = r " " k "=" ms(t1, back_rec[k]); add(kind[m], "back", ms(t1, back_rec[k])) }
		if (r != "") line = line ", reclaims (ms):" r
	}
	if (bounced != "") line = line "; back in place:" bounced
	if (gapm) line = line sprintf("; GAP %d", gapm)
	line = line sprintf("; settled=%s; %s", settled, mfail[m] ? mfail[m] " failure(s)" : "ok")
	print line
	moves[kind[m]]++
	gaps[kind[m]] += gapm
}
# Holder k kept its state on its server: VIP v last arrived on the node k
# held through before that arrival, whose ganesha did not die since (the
# VIP left and came back: nothing to reclaim).
function kept(k, v,   n) {
	n = held_on[k]
	return n != "" && n == arr_node[v] && held_at[k] > died[n] + 0 && held_at[k] < last_arr[v]
}
# Client c was granted its file: a conflict with every other client
# holding it, unless c asked through a survivor not yet in grace after a
# death, serving a VIP that stayed where it was: the documented window.
function granted(c,   k, v, s) {
	for (k in role) {
		if (k == c || role[k] == "try" || !holds[k] || cfile[k] != cfile[c]) continue
		v = cvip[c]; s = at[v]
		if ((s in gapopen) && !(s in dead) && at_death[v] == s) { gapm++; gaptotal++; continue }
		fail("conflict", c " granted " cfile[c] " through VIP" v " (node " s ") while " k " held it")
	}
}
BEGIN {
	while ((getline l < map) > 0) {
		split(l, a, " ")
		role[a[1]] = a[2]; cvip[a[1]] = kv(l, "vip"); cfile[a[1]] = kv(l, "file")
		if (a[2] == "hold") hvip[a[1]] = cvip[a[1]]
	}
	cur = 0
}
$2 == "M" && $3 == "MOVE" {
	close_move(cur)
	cur = $4; kind[cur] = kv($0, "kind"); t0 = $1; from = "start"
	what[cur] = ""
	if (kv($0, "node") != "") what[cur] = "node=" kv($0, "node")
	if (kv($0, "other") != "") what[cur] = what[cur] " other=" kv($0, "other")
	if (kv($0, "to") != "") what[cur] = "vip=" kv($0, "vip") " to=" kv($0, "to")
	t_vip = t1 = t_home = t_arr = 0; gapm = 0; settled = "?"; phase = ""; bounced = ""
	delete first_rec; delete back_rec; delete first_arr; delete moved; delete last_arr; delete last_rec; delete dead; delete gapopen
	next
}
$2 == "M" && $3 == "DEATH" {
	d = kv($0, "node")
	if (!(cur in deathseen)) { deathseen[cur] = 1; t0 = $1; from = "death" }
	dead[d] = 1; died[d] = $1
	# The death-to-grace window opens on every other node not in grace.
	for (n = 1; n <= 3; n++) if (n != d && gr[1, n] != "true") gapopen[n] = 1
	for (v in at) at_death[v] = at[v]
	next
}
$2 == "M" && $3 == "PHASE" {
	if (!t1 && $4 == cur && $5 ~ /^(restart|power-on|clear|resume|heal)$/) { t1 = $1; phase = $5 }
	next
}
$2 == "M" && $3 == "END" { settled = kv($0, "settled"); next }
$2 ~ /^G/ {
	v = substr($2, 2); n = kv($0, "node"); s = kv($0, "state")
	gr[v, n] = s
	if (v == 1 && s == "true") delete gapopen[n]
	next
}
$2 ~ /^V/ {
	v = substr($2, 2); h = kv($0, "holder")
	if (h == at[v]) next
	at[v] = h
	if (h == "none") next
	# Back on the node it left, whose ganesha did not die since it came
	# there: pacemaker stopped and started it in place (seed 153 move 4 on
	# a loaded machine: the coordd of node 2 killed, its monitor deleted
	# ganesha-active, VIP2 was stopped, then started there again).
	bounce = h == on[v] && !(died[h] >= on_since[v])
	on[v] = h; on_since[v] = $1
	if (cur == 0) next
	if (index(h, ",")) { fail("twice", "VIP" v " on nodes " h); next }
	if (gr[v, h] != "true") fail("ahead", "VIP" v " arrived on node " h " whose ganesha answered " (gr[v, h] == "" ? "nothing" : gr[v, h]))
	if (bounce) { bounced = bounced sprintf(" VIP%s on node %s %d ms", v, h, ms(t0, $1)); next }
	moved[v] = 1; last_arr[v] = $1; t_arr = $1; arr_node[v] = h
	if (!t_vip) t_vip = $1
	if (!(v in first_arr)) first_arr[v] = $1
	if (t1 && !t_home && $1 >= t1) t_home = $1
	next
}
$2 == "C" {
	c = $3; e = $4
	if (role[c] == "try") {
		if (e == "TRY" && kv($0, "result") == "GRANTED") granted(c)
		next
	}
	if (e == "HOLDING" || e == "RECLAIMED") { held_on[c] = at[cvip[c]]; held_at[c] = $1 }
	if (e == "HOLDING" || (e == "LOCK" && role[c] == "cycle" && kv($0, "status") == "NFS4_OK")) {
		granted(c); holds[c] = 1; ended[c] = 0
	}
	else if (e == "UNLOCKING") holds[c] = 0
	else if (e == "RECOVER") { if (!recovering[c]) rec_since[c] = $1; recovering[c] = 1 }
	else if (e == "RECLAIMED") {
		recovering[c] = 0; last_rec[c] = $1
		if (role[c] == "hold" && cur && !(c in first_rec)) first_rec[c] = $1
		if (role[c] == "hold" && t1 && $1 >= t1 && !(c in back_rec)) back_rec[c] = $1
	}
	else if (e == "LOST") { fail("lost", c " " kv($0, "file") " " kv($0, "status")); holds[c] = 0; recovering[c] = 0 }
	else if (e == "RELEASED") { holds[c] = 0; ended[c] = 1 }
}
END {
	close_move(cur)
	for (k in role) if (role[k] != "try" && !ended[k]) { cur = "end"; kind[cur] = "end"; fail("ended", k " history ends without its release") }
	printf "\n%-7s %5s %11s %11s %11s %11s %11s %11s %11s %11s %5s %5s\n", "kind", "moves", \
		"vip_med", "vip_p99", "recl_med", "recl_p99", "home_med", "home_p99", "back_med", "back_p99", "GAP", "fail"
	for (k in moves)
		printf "%-7s %5d %11s %11s %11s %11s %11s %11s %11s %11s %5d %5d\n", k, moves[k], \
			pct(k, "vip", 50), pct(k, "vip", 99), pct(k, "reclaim", 50), pct(k, "reclaim", 99), \
			pct(k, "home", 50), pct(k, "home", 99), pct(k, "back", 50), pct(k, "back", 99), gaps[k], kfail[k]
	printf "(ms; vip: death or start -> the VIP answering elsewhere; recl: -> each holder reclaimed; home: failback start -> VIP home; back: -> reclaimed there)\n"
	printf "GAP (death-to-grace window, docs/deploy.md, not judged): %d grant(s)\n", gaptotal
	r = ""; for (w in failkind) r = r " " w "=" failkind[w]
	printf "verdict: %s (%d failure(s)%s)\n", nfail ? "FAIL" : "PASS", nfail, r
	exit nfail ? 1 : 0
}'
rc=$?
# coordd's records, per node: how many events of each reason ended how;
# one not ended once the last move settled (waiting, held, ...) fails.
for f in "$DIR"/events-*.json; do
	[ -s "$f" ] || continue
	echo "coordd ${f##*/}: $(jq -r '[.events[] | "\(.reason)/\(.state)"] | group_by(.) |
		map("\(.[0])=\(length)") | join(" ")' "$f" 2>/dev/null)"
	open=$(jq -r '[.events[] | select(.state | IN("released", "release-failed", "abandoned",
		"cancelled", "done") | not) | "\(.id) \(.reason) \(.state)"] | join(", ")' "$f" 2>/dev/null)
	if [ -n "$open" ]; then
		echo "FAIL ${f##*/}: event not ended after the last move: $open"
		rc=1
	fi
done
exit $rc
