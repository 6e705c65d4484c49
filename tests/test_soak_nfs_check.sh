#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The client-history soak's checker (tests/lab/tools/soak_nfs_check.sh) on
# records written here: a clean failover and failback passes, the
# death-to-grace window is counted apart, and each kind of failure it
# names fails it.  No lab, no root.  TAP.
set -u
cd "$(dirname "$0")/.." || exit 1
CHECK=${SOAK_NFS_CHECK:-tests/lab/tools/soak_nfs_check.sh}
tmp=$(mktemp -d /tmp/coord-soakcheck.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; failed=1; }

# One move: node 1's ganesha killed at 2.0 s, VIP1 on node 2 (in grace since
# 2.5 s) at 3.5 s, holder h1 reclaims there; node 1's ganesha restarted at
# 4.0 s (in grace), VIP1 home at 4.2 s, h1 reclaims there.  Contender t1
# tries h1's file through VIP2 (node 2).  SED edits the timeline first.
records() {	# DIR [SED-SCRIPT]
	d=$1
	mkdir -p "$d/clients"
	printf 'h1 hold file=f1 vip=1\nt1 try file=f1 vip=2\n' >"$d/clients.map"
	sed -e "${2:-}" >"$d/all" <<'EOF'
1000000 V1 vip holder=1
1000000 V1 grace node=1 state=false
1000000 V1 grace node=2 state=false
1000000 V2 vip holder=2
1000000 V2 grace node=1 state=false
1000000 V2 grace node=2 state=false
1100000 h1 h1 HOLDING server=198.18.0.101 files=1
1200000 t1 t1 TRY server=198.18.0.102 n=1 result=DENIED
2000000 M MOVE 1 kind=kill node=1
2000100 M DEATH 1 node=1
2500000 V1 grace node=2 state=true
2500000 V2 grace node=2 state=true
3000000 V1 vip holder=none
3500000 V1 vip holder=2
3600000 h1 h1 RECOVER server=198.18.0.101 reason=NFS4ERR_STALE_CLIENTID
3700000 h1 h1 RECLAIMED server=198.18.0.101 files=1
4000000 M PHASE 1 restart node=1
4000000 V1 grace node=1 state=true
4100000 V1 vip holder=none
4200000 V1 vip holder=1
4300000 h1 h1 RECOVER server=198.18.0.101 reason=NFS4ERR_STALE_CLIENTID
4400000 h1 h1 RECLAIMED server=198.18.0.101 files=1
9000000 M END 1 settled=1
9500000 h1 h1 RELEASED server=198.18.0.101 files=1 ok=1
EOF
	awk '$2 == "M" {$2 = ""; sub("  ", " "); print > (d "/moves.log")}
	     $2 ~ /^V/ {f = d "/vip-" substr($2, 2) ".log"; $2 = ""; sub("  ", " "); print > f}
	     $2 ~ /^[ht][0-9]/ {f = d "/clients/" $2 ".log"; $2 = ""; sub("  ", " "); print > f}' \
		d="$d" "$d/all"
}

# DESCRIPTION WANT(pass|fail) PATTERN SED: the verdict, and PATTERN in the output.
case_() {
	d=$tmp/$n
	records "$d" "$4"
	out=$(bash "$CHECK" "$d" 2>&1); rc=$?
	if { [ "$2" = pass ] && [ "$rc" = 0 ]; } || { [ "$2" = fail ] && [ "$rc" = 1 ]; }; then
		if printf '%s\n' "$out" | grep -q -- "$3"; then ok "$1"; return; fi
	fi
	printf '%s\n' "$out" | sed 's/^/# /'
	not_ok "$1 (exit $rc)"
}

case_ "a clean failover and failback passes, with its timeline" pass \
	'move 1 kill node=1: death -> VIP answering 1499 ms, reclaims (ms): h1=1699; restart -> VIP home 200 ms, reclaims (ms): h1=400' ''
case_ "a grant through a survivor's own VIP before its grace is GAP, not judged" pass \
	'GAP (death-to-grace window, docs/deploy.md, not judged): 1 grant' \
	'/^2500000 V2/i 2200000 t1 t1 TRY server=198.18.0.102 n=2 result=GRANTED'
case_ "a contender granted the held range outside that window fails" fail 'conflict: t1 granted f1' \
	'/^3600000/i 3550000 t1 t1 TRY server=198.18.0.102 n=2 result=GRANTED'
case_ "a refused reclaim fails" fail 'lost: h1 f1 NFS4ERR_NO_GRACE' \
	's/^3700000 h1 h1 RECLAIMED .*/3700000 h1 h1 LOST server=198.18.0.101 file=f1 status=NFS4ERR_NO_GRACE/'
case_ "a VIP arriving on a node out of grace fails" fail 'ahead: VIP1 arrived on node 2' \
	's/^2500000 V1 grace/2600000 V1 grace/; s/^3500000 V1 vip holder=2/2550000 V1 vip holder=2/'
case_ "a holder that does not reclaim after its VIP's last arrival fails" fail 'unreclaimed: h1' \
	'/^4300000/d; /^4400000/d'
case_ "a holder still recovering when the move's window closes fails" fail 'unreclaimed: h1 still recovering' \
	'/^4400000/d'
# VIP1 stopped and started again on node 1, whose ganesha did not die: its
# holder's state is still there (seed 153 move 4, loaded: VIP2 so, after
# node 2's coordd was killed); after a death there, a reclaim is due.
case_ "a VIP back in place on a node whose ganesha lived on needs no reclaim" pass \
	'back in place: VIP1 on node 1 2200 ms; settled=1; ok' \
	's/kind=kill/kind=stop/; /DEATH/d; /^3500000/,/^3700000/d; /^4300000/,/^4400000/d'
case_ "a VIP back on the node it left after a death there, not reclaimed, fails" fail \
	'unreclaimed: h1 (VIP1) did not reclaim after VIP1s last arrival' \
	'/^3500000/,/^3700000/d; /^4300000/,/^4400000/d'
case_ "a reclaim later than the bound after the VIP's arrival fails" fail 'late: h1 reclaimed 30200 ms' \
	's/^4400000 /34400000 /; s/^9000000 /40000000 /; s/^9500000 /41000000 /'
case_ "a VIP on two nodes at once fails" fail 'twice: VIP1 on nodes 1,2' \
	's/^3000000 V1 vip holder=none/3000000 V1 vip holder=1,2/'
case_ "a holder whose history ends without its release fails" fail 'ended: h1' '/RELEASED/d'
# Two cyclers on one file through two VIPs, no move: taking it after the
# other's UNLOCKING passes; before it, a conflict.
cyclers() {	# DIR B-LOCK-TIME
	mkdir -p "$1/clients"
	printf 'c1a cycle file=g1 vip=1\nc1b cycle file=g1 vip=2\n' >"$1/clients.map"
	printf '1000000 MOVE 1 kind=stop node=3\n1500000 END 1 settled=1\n' >"$1/moves.log"
	printf '900000 vip holder=1\n900000 grace node=1 state=false\n' >"$1/vip-1.log"
	printf '900000 vip holder=2\n900000 grace node=2 state=false\n' >"$1/vip-2.log"
	printf '%s\n' "1100000 c1a LOCK server=198.18.0.101 file=g1 status=NFS4_OK" \
		"2000000 c1a UNLOCKING server=198.18.0.101 file=g1" \
		"2000500 c1a UNLOCK server=198.18.0.101 file=g1 status=NFS4_OK" \
		"3000000 c1a RELEASED server=198.18.0.101 files=1 ok=1" >"$1/clients/c1a.log"
	printf '%s\n' "1200000 c1b LOCK server=198.18.0.102 file=g1 status=NFS4ERR_DENIED" \
		"$2 c1b LOCK server=198.18.0.102 file=g1 status=NFS4_OK" \
		"3000000 c1b RELEASED server=198.18.0.102 files=1 ok=1" >"$1/clients/c1b.log"
}
cyclers "$tmp/cyc-ok" 2100000
if bash "$CHECK" "$tmp/cyc-ok" >/dev/null 2>&1; then ok "a cycler taking the lock after the other's UNLOCKING passes"
else not_ok "a cycler taking the lock after the other's UNLOCKING passes"; fi
cyclers "$tmp/cyc-bad" 1900000
if ! out=$(bash "$CHECK" "$tmp/cyc-bad" 2>&1) && printf '%s\n' "$out" | grep -q 'conflict: c1b granted g1 through VIP2 (node 2) while c1a held it'; then
	ok "a cycler granted the lock while the other held it fails"
else
	printf '%s\n' "$out" | sed 's/^/# /'; not_ok "a cycler granted the lock while the other held it fails"
fi

# A VIP that leaves its node and comes back to it while that node's
# ganesha kept its state (seed 2718 move 3: node 2's coordd killed, its
# monitor deleted ganesha-active, pacemaker stopped VIP2 there to move it,
# coordd back, VIP2 started again on node 2): its holders have nothing to
# reclaim.  After that node's ganesha died, they must reclaim.
back_home() {	# DIR [DEATH-NODE]
	mkdir -p "$1/clients"
	printf 'h1 hold file=f1 vip=1\n' >"$1/clients.map"
	printf '1000000 MOVE 1 kind=coordd node=%s other=1\n1000100 DEATH 1 node=%s\n5000000 END 1 settled=1\n' \
		"${2:-3}" "${2:-3}" >"$1/moves.log"
	printf '%s\n' "900000 vip holder=1" "900000 grace node=1 state=false" \
		"1100000 grace node=1 state=true" "2000000 vip holder=none" "2500000 vip holder=1" >"$1/vip-1.log"
	printf '%s\n' "950000 h1 HOLDING server=198.18.0.101 files=1" \
		"6000000 h1 RELEASED server=198.18.0.101 files=1 ok=1" >"$1/clients/h1.log"
}
back_home "$tmp/home-kept"
if out=$(bash "$CHECK" "$tmp/home-kept" 2>&1); then
	ok "a VIP back on its node, whose ganesha kept its state, needs no reclaim"
else
	printf '%s\n' "$out" | sed 's/^/# /'; not_ok "a VIP back on its node, whose ganesha kept its state, needs no reclaim"
fi
back_home "$tmp/home-died" 1
if ! out=$(bash "$CHECK" "$tmp/home-died" 2>&1) && printf '%s\n' "$out" | grep -q 'unreclaimed: h1 (VIP1)'; then
	ok "a VIP back on its node after its ganesha died needs the reclaim"
else
	printf '%s\n' "$out" | sed 's/^/# /'; not_ok "a VIP back on its node after its ganesha died needs the reclaim"
fi


d=$tmp/events
records "$d"
echo '{"events":[{"id":"2.1.1","reason":"reported","state":"released"}]}' >"$d/events-1.json"
if bash "$CHECK" "$d" >/dev/null 2>&1; then ok "coordd's ended events pass"; else not_ok "coordd's ended events pass"; fi
echo '{"events":[{"id":"2.1.2","reason":"reported","state":"waiting"}]}' >"$d/events-2.json"
if ! out=$(bash "$CHECK" "$d" 2>&1) && printf '%s\n' "$out" | grep -q 'events-2.json: event not ended.*2.1.2 reported waiting'; then
	ok "a coordd event not ended fails"
else
	printf '%s\n' "$out" | sed 's/^/# /'; not_ok "a coordd event not ended fails"
fi
echo "1..$n"
exit $failed
