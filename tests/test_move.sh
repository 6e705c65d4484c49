#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# coordctl move against stand-in cibadmin and crm_resource (first in
# PATH) that model a [gate, ip] group moving from node1 to node2 and log
# every call with a sequence number: the order of coordctl's calls is
# what is judged here; the real stack is the labs' (tests/lab/
# test_failback.sh and tests/deploy/ case c).
#
# The model, as pacemaker 2.1 answers: after --move, the gate's
# --locate says node2 at once (its start, the take-over, is in flight
# and counts as running), and so does the group's; the ip member is not
# running for its first K --locate answers, then runs on node2.
# crm_resource --wait returns when the transition's actions have ended.
# A --clear before then lets pacemaker recompute without the move's
# constraint: the home preference sends the group back to node1 and the
# ip never starts on node2 (what the deployment lab saw).  TAP.
set -u
cd "$(dirname "$0")/.." || exit 1
B=${B:-build}
COORDCTL=$B/coordctl
VIP=198.18.1.101
dir=$(mktemp -d /tmp/coord-move.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$dir"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; failed=1; }
t() {	# DESCRIPTION command...
	d=$1; shift
	if "$@" >/dev/null 2>&1; then ok "$d"; else not_ok "$d"; fi
}
if ! make -s B="$B" "$COORDCTL" >"$dir/make.out" 2>&1; then
	sed 's/^/# /' "$dir/make.out"
	not_ok "coordctl builds"
	exit 1
fi

mkdir "$dir/bin"
# The group as `pcs resource create ... --group vip1` writes it (class
# before id), as cibadmin --xpath prints the gate's parent.
cat >"$dir/bin/cibadmin" <<'EOF'
#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
. "$MODEL/lib.sh"
case "$MODEL_CASE" in
nocib)	# pacemaker not running here, as cibadmin 2.1 says it
	call "cibadmin $*" "exit 102"
	echo "Could not connect to the CIB: Transport endpoint is not connected" >&2
	exit 102 ;;
cut)	# an answer cut short: the group's start, no end
	call "cibadmin $*" "half a group"
	printf '<group id="vip1">\n  <primitive class="ocf" id="vip1-gate" provider="coord" type="ganesha_coord_gate">\n'
	exit 0 ;;
one)	# no group: one coord_vip primitive with gate=true (docs/deploy.md)
	case "$*" in
	*"type='coord_vip'"*"@value='$MODEL_VIP'"*) call "cibadmin $*" "the primitive"; cat <<XML
<primitive class="ocf" id="vip1" provider="coord" type="coord_vip">
  <instance_attributes id="vip1-instance_attributes">
    <nvpair id="vip1-instance_attributes-ip" name="ip" value="$MODEL_VIP"/>
    <nvpair id="vip1-instance_attributes-gate" name="gate" value="true"/>
  </instance_attributes>
</primitive>
XML
		exit 0 ;;
	esac
	call "cibadmin $*" "no such object"; echo "Call cib_query failed (-6): No such device or address" >&2; exit 105 ;;
esac
case "$*" in
*"@value='$MODEL_VIP'"*) call "cibadmin $*" "the group"; cat <<XML
<group id="vip1">
  <primitive class="ocf" id="vip1-gate" provider="coord" type="ganesha_coord_gate">
    <instance_attributes id="vip1-gate-instance_attributes">
      <nvpair id="vip1-gate-instance_attributes-vip" name="vip" value="$MODEL_VIP"/>
    </instance_attributes>
    <operations>
      <op id="vip1-gate-monitor-interval-10s" interval="10s" name="monitor" timeout="20s"/>
    </operations>
  </primitive>
  <primitive class="ocf" id="vip1-ip" provider="heartbeat" type="IPaddr2">
    <instance_attributes id="vip1-ip-instance_attributes">
      <nvpair id="vip1-ip-instance_attributes-ip" name="ip" value="$MODEL_VIP"/>
      <nvpair id="vip1-ip-instance_attributes-cidr_netmask" name="cidr_netmask" value="24"/>
    </instance_attributes>
  </primitive>
  <meta_attributes id="vip1-meta_attributes"/>
</group>
XML
	;;
*) call "cibadmin $*" "no such object"; echo "Call cib_query failed (-6): No such device or address" >&2; exit 105 ;;
esac
EOF
cat >"$dir/bin/crm_resource" <<'EOF'
#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
. "$MODEL/lib.sh"
# Where R runs: a node, or "" (not running).
where() {
	if [ "$MODEL_CASE" = here ]; then echo node2; return; fi
	if [ "$MODEL_CASE" = hang ]; then is moved && echo node2 || echo node1; return; fi
	if ! is moved || is home; then echo node1; return; fi
	case $1 in
	vip1|vip1-gate) echo node2 ;;
	vip1-ip)
		[ "$MODEL_CASE" = stuck ] && return
		bump ip_polls
		[ "$(get ip_polls)" -le "$MODEL_K" ] && ! is settled && return
		[ "$MODEL_CASE" = fails ] && is settled && return
		echo node2 ;;
	esac
}
case "$*" in
"--resource "*" --move --node "*) set_ moved; call "crm_resource $*" moved ;;
"--resource "*" --clear")
	is moved && ! is settled && set_ home
	call "crm_resource $*" "cleared$(is home && echo ', the group goes home')" ;;
"--resource "*" --locate")
	w=$(where "$2")
	if [ -n "$w" ]; then a="resource $2 is running on: $w"; else a="resource $2 is NOT running"; fi
	call "crm_resource $*" "$a"; echo "$a" ;;
"--wait --timeout="*)
	if [ "$MODEL_CASE" = stuck ]; then call "crm_resource $*" "exit 124"; exit 124; fi
	# Pacemaker's wait that outlasts the test unless coordctl stops it.
	if [ "$MODEL_CASE" = hang ]; then
		echo $$ >"$MODEL/state/wait_pid"; call "crm_resource $*" "waits"; exec sleep 30
	fi
	set_ settled; call "crm_resource $*" "exit 0" ;;
*) call "crm_resource $*" "not modelled"; exit 64 ;;
esac
EOF
cat >"$dir/lib.sh" <<'EOF'
# SPDX-License-Identifier: GPL-2.0-or-later
# The model's state: a file per fact in $MODEL/state; every call logged.
get() { cat "$MODEL/state/$1" 2>/dev/null || echo 0; }
bump() { echo $(($(get "$1") + 1)) >"$MODEL/state/$1"; }
set_() { echo 1 >"$MODEL/state/$1"; }
is() { [ "$(get "$1")" = 1 ]; }
call() {	# WHAT ANSWER: "SEQ WHAT -> ANSWER" in $MODEL/calls
	bump seq
	echo "$(get seq) $1 -> $2" >>"$MODEL/calls"
}
EOF
chmod +x "$dir/bin/cibadmin" "$dir/bin/crm_resource"

# CASE K TIMEOUT VIP NODE: runs coordctl move in the model; $rc, $out,
# $err, $elapsed_ms; the calls in $dir/CASE/calls.
move() {
	m=$dir/$1
	mkdir -p "$m/state"
	cp "$dir/lib.sh" "$m/"
	: >"$m/calls"
	t0=$(date +%s%N)
	MODEL=$m MODEL_CASE=$1 MODEL_K=$2 MODEL_VIP=$VIP PATH="$dir/bin:$PATH" \
		"$COORDCTL" -t "$3" move "$4" "$5" >"$m/out" 2>"$m/err"
	rc=$?
	elapsed_ms=$((($(date +%s%N) - t0) / 1000000))
	out=$(cat "$m/out") err=$(cat "$m/err")
	calls=$m/calls
}
# CASE SIGNAL: coordctl -t 60 move in the model, sent SIGNAL once it
# has asked for the move; $rc, $out, $err, $elapsed_ms (from the signal).
interrupt() {
	m=$dir/$1
	mkdir -p "$m/state"
	cp "$dir/lib.sh" "$m/"
	: >"$m/calls"
	MODEL=$m MODEL_CASE=$1 MODEL_K=0 MODEL_VIP=$VIP PATH="$dir/bin:$PATH" \
		"$COORDCTL" -t 60 move "$VIP" node2 >"$m/out" 2>"$m/err" &
	pid=$!
	want=" --move "
	[ "$1" = hang ] && want=" --wait "
	i=0
	while ! grep -q -- "$want" "$m/calls" && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	t0=$(date +%s%N)
	kill -s "$2" "$pid"
	wait "$pid"
	rc=$?
	elapsed_ms=$((($(date +%s%N) - t0) / 1000000))
	# A stand-in's sleep that coordctl did not stop: ours to end.
	[ -f "$m/state/wait_pid" ] && kill "$(cat "$m/state/wait_pid")" 2>/dev/null
	out=$(cat "$m/out") err=$(cat "$m/err")
	calls=$m/calls
}
# The calls, for a failure's diagnosis.
show() {
	sed 's/^/#   /' "$calls"
	printf 'stdout:\n%s\nstderr:\n%s\n' "$out" "$err" | sed 's/^/#   /'
}
says() { printf '%s\n' "$1" | grep -qF -- "$2"; }
seq_of() { grep -F -- "$1" "$calls" | cut -d' ' -f1; }	# TEXT: the calls' numbers
first() { head -n 1; }
last() { tail -n 1; }
clear_seq() { seq_of " --clear ->" | first; }

# The move's order, in the model's calls: an answer "vip1-ip runs on
# node2", then a --wait that returned 0, then each member found on node2
# again, then the one --clear, the last call.
settled_before_clear() {
	c=$(clear_seq)
	[ -n "$c" ] || { echo "no --clear"; return; }
	[ "$(seq_of " --clear" | wc -l)" = 1 ] || { echo "more than one --clear"; return; }
	[ "$c" = "$(seq_of ' ' | last)" ] || { echo "calls after the --clear"; return; }
	ip=$(seq_of "--resource vip1-ip --locate -> resource vip1-ip is running on: node2" | first)
	if ! before "$ip" "$c"; then
		echo "--clear (call $c) before vip1-ip was located on node2 (call ${ip:-none})"; return
	fi
	w=$(seq_of "--wait --timeout=" | last)
	if ! before "$ip" "$w" || ! before "$w" "$c" || ! says "$(grep "^$w " "$calls")" "-> exit 0"; then
		echo "no --wait returning 0 between vip1-ip on node2 (call $ip) and the --clear (call $c)"; return
	fi
	for r in vip1-gate vip1-ip; do
		a=$(seq_of "--resource $r --locate -> resource $r is running on: node2" | last)
		if ! before "$w" "$a" || ! before "$a" "$c"; then
			echo "$r not located on node2 between the last --wait (call $w) and the --clear (call $c)"; return
		fi
	done
}
before() { [ -n "$1" ] && [ -n "$2" ] && [ "$1" -lt "$2" ]; }	# CALL CALL: in that order
verdict() {	# DESCRIPTION WHY
	if [ -z "$2" ]; then ok "$1"; else echo "# $2"; show; not_ok "$1"; fi
}

# --- the take-over outlasts the first polls: the ip member comes late ---
move complete 3 10 "$VIP" node2
verdict "complete: exit 0 (got $rc), saying $VIP runs on node2" \
	"$([ "$rc" = 0 ] && says "$out" "$VIP runs on node2" || echo "exit $rc")"
verdict "complete: --clear only once vip1-ip was on node2 and a --wait returned after it, each member checked again" \
	"$(settled_before_clear)"
t "complete: the --wait is bounded by the time left (--timeout=Ns, N <= 10)" \
	sh -c "grep -o -- '--timeout=[0-9]*s' '$calls' | sed 's/[^0-9]//g' | awk '\$1 < 1 || \$1 > 10 { bad = 1 } END { exit bad || NR == 0 }'"
t "complete: the group stayed on node2 until the move was done (the model never sent it home)" \
	[ ! -e "$dir/complete/state/home" ]

# --- the ip member's start fails on node2 when the transition ends ---
move fails 0 2 "$VIP" node2
verdict "fails: exit 4 (got $rc), the move not done" \
	"$([ "$rc" = 4 ] && says "$err" "did not reach node2 in time" || echo "exit $rc")"
t "fails: the move's constraint cleared anyway, the last call" \
	sh -c "[ \"\$(grep -c -- ' --clear ->' '$calls')\" = 1 ] && tail -n 1 '$calls' | grep -q -- ' --clear ->'"
# Whether the --wait came before the deadline is the machine's speed.
if grep -q -- "--wait .*-> exit 0" "$calls"; then
	echo "# fails: vip1-ip on node2, a --wait, vip1-ip gone; coordctl -t 2 took $elapsed_ms ms"
else
	echo "# fails: the deadline came before the --wait (a loaded machine): the case shows less"
fi

# --- the group never completes (the take-over held): timeout ---
move stuck 0 1 "$VIP" node2
verdict "stuck: exit 4 (CTL_EXIT_TIMEOUT, got $rc) saying it did not reach node2" \
	"$([ "$rc" = 4 ] && says "$err" "did not reach node2 in time" || echo "exit $rc")"
t "stuck: the move's constraint cleared anyway, the last call" \
	sh -c "[ \"\$(grep -c -- ' --clear ->' '$calls')\" = 1 ] && tail -n 1 '$calls' | grep -q -- ' --clear ->'"
t "stuck: no --clear before coordctl's timeout of 1 s (took $elapsed_ms ms, under 10 s)" \
	sh -c "[ $elapsed_ms -ge 1000 ] && [ $elapsed_ms -lt 10000 ]"

# --- no group: one coord_vip with gate=true, moved as a group of one ---
one_order() {
	m=$(seq_of "--resource vip1 --move --node node2" | first)
	w=$(seq_of "--wait --timeout=" | last)
	a=$(seq_of "--resource vip1 --locate -> resource vip1 is running on: node2" | last)
	c=$(clear_seq)
	before "$m" "$w" && says "$(grep "^$w " "$calls")" "-> exit 0" || { echo "no --move of vip1, then a --wait returning 0"; return; }
	before "$w" "$a" && before "$a" "$c" || { echo "vip1 not located on node2 between the --wait (call $w) and the --clear (call ${c:-none})"; return; }
	[ "$c" = "$(seq_of ' ' | last)" ] || echo "calls after the --clear"
}
move one 0 10 "$VIP" node2
verdict "one: exit 0 (got $rc), saying $VIP runs on node2" \
	"$([ "$rc" = 0 ] && says "$out" "$VIP runs on node2" || echo "exit $rc")"
verdict "one: the primitive vip1 moved, a --wait returned 0, vip1 on node2 after it, then the one --clear" \
	"$(one_order)"

# --- already there: nothing to do ---
move here 0 10 "$VIP" node2
verdict "here: exit 0 (got $rc), already runs on node2, no --move, no --clear" \
	"$([ "$rc" = 0 ] && says "$out" "already runs on node2" &&
	   ! grep -qE -- ' --(move|clear) ' "$calls" || echo "exit $rc")"

# --- no gate holds the VIP ---
move none 0 10 198.18.1.199 node2
verdict "no gate with vip=198.18.1.199: exit 1 (got $rc), no crm_resource run" \
	"$([ "$rc" = 1 ] && says "$err" "no pacemaker group holds a ganesha_coord_gate" &&
	   ! grep -q crm_resource "$calls" || echo "exit $rc")"

# --- pacemaker not running here: the CIB cannot be reached ---
move nocib 0 10 "$VIP" node2
verdict "nocib: exit 6 (got $rc), saying the CIB cannot be read and cibadmin's exit, no crm_resource run" \
	"$([ "$rc" = 6 ] && says "$err" "cannot read pacemaker's CIB" && says "$err" "exited 102" &&
	   ! says "$err" "no pacemaker group" && ! grep -q crm_resource "$calls" || echo "exit $rc")"

# --- cibadmin's answer cut short: not read as "no group" ---
move cut 0 10 "$VIP" node2
verdict "cut: exit 6 (got $rc), saying the answer was cut short, no crm_resource run" \
	"$([ "$rc" = 6 ] && says "$err" "cut short" && ! says "$err" "no pacemaker group" &&
	   ! grep -q crm_resource "$calls" || echo "exit $rc")"

# --- Ctrl-C while the take-over is held: the constraint is removed ---
interrupt stuck INT
verdict "SIGINT while waiting: exit 130 (got $rc), saying it was interrupted" \
	"$([ "$rc" = 130 ] && says "$err" "interrupted (SIGINT)" || echo "exit $rc")"
t "SIGINT while waiting: the move's constraint cleared, once, the last call" \
	sh -c "[ \"\$(grep -c -- ' --clear ->' '$calls')\" = 1 ] && tail -n 1 '$calls' | grep -q -- ' --clear ->'"

# --- SIGTERM during pacemaker's own wait: the wait is stopped, not waited out ---
interrupt hang TERM
verdict "SIGTERM during crm_resource --wait: exit 143 (got $rc), saying it was interrupted" \
	"$([ "$rc" = 143 ] && says "$err" "interrupted (SIGTERM)" || echo "exit $rc")"
t "SIGTERM during crm_resource --wait: the move's constraint cleared, once, the last call" \
	sh -c "[ \"\$(grep -c -- ' --clear ->' '$calls')\" = 1 ] && tail -n 1 '$calls' | grep -q -- ' --clear ->'"
t "SIGTERM during crm_resource --wait: coordctl ended before the stand-in's 30 s wait (took $elapsed_ms ms)" \
	[ "$elapsed_ms" -lt 25000 ]

[ "$failed" = 0 ]
