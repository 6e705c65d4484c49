#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# agents/coord_vip, the lean VIP agent, in a network namespace of its own
# with a peer across a veth pair: ocf-tester, IPv4 and IPv6 start, monitor
# and stop with the interface and prefix taken from the route, the
# parameters overriding them, a clear error without a route, the peer's
# neighbour entry updated by the gratuitous ARPs, and the announcer gone
# after a stop.  Needs root (namespaces).  TAP.
set -u
cd "$(dirname "$0")/.."
AGENT=$PWD/agents/coord_vip
LIB=$PWD/agents/lib	# its shared code (installed in OCF_ROOT/lib/coord)
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; failed=1; }
t() { d=$1; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else no "$d"; fi; }
if [ "$(id -u)" != 0 ]; then
	echo "not ok 1 - the VIP agent's test needs root (network namespaces)"
	exit 1
fi
ns=coordvip$$ peer=coordvipp$$
tmp=$(mktemp -d /tmp/coord-vip.XXXXXX)
cleanup() { ip netns del "$ns" 2>/dev/null; ip netns del "$peer" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM
ip netns add "$ns" && ip netns add "$peer" &&
	ip -n "$ns" link add eth0 type veth peer name p0 netns "$peer" &&
	ip -n "$ns" addr add 10.9.0.1/24 dev eth0 &&
	ip -n "$ns" addr add fd00:9::1/64 dev eth0 nodad &&
	ip -n "$peer" addr add 10.9.0.2/24 dev p0 &&
	ip -n "$ns" link set eth0 up && ip -n "$ns" link set lo up &&
	ip -n "$peer" link set p0 up || { echo "not ok 1 - namespaces"; exit 1; }

# agent IP ACTION [NAME=VALUE...]: exit status, stderr in $tmp/err
agent() {
	a_ip=$1 a_act=$2; shift 2
	ip netns exec "$ns" env OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=vip \
		COORD_FUNCTIONS_DIR="$LIB" HA_RSCTMP="$tmp" OCF_RESKEY_ip="$a_ip" "$@" "$AGENT" "$a_act" >/dev/null 2>"$tmp/err"
}
rc_is() { d=$1 want=$2; shift 2; agent "$@"; got=$?; if [ "$got" = "$want" ]; then ok "$d"; else no "$d (exit $got, want $want: $(cat "$tmp/err"))"; fi; }
on_eth0() { ip -n "$ns" -o addr show dev eth0 to "$1" | grep -q " $1/$2 "; }
wait_for() { w=$1; shift; i=0; while [ $i -lt $((w * 20)) ]; do "$@" && return 0; sleep 0.05; i=$((i + 1)); done; return 1; }

out=$(ip netns exec "$ns" env OCF_ROOT=/usr/lib/ocf COORD_FUNCTIONS_DIR="$LIB" HA_RSCTMP="$tmp" ocf-tester -n vip \
	-o ip=10.9.0.101 "$AGENT" 2>&1)
case $out in *"passed all tests"*) ok "ocf-tester: coord_vip passed all tests" ;;
*) no "ocf-tester: $out" ;; esac

for fam in "10.9.0.100 24" "fd00:9::100 64"; do
	set -- $fam
	rc_is "$1: monitor before the start: not running (7)" 7 "$1" monitor
	rc_is "$1: start" 0 "$1" start
	t "$1: on eth0 as $1/$2, the interface and prefix of its route" on_eth0 "$1" "$2"
	rc_is "$1: monitor: running (0)" 0 "$1" monitor
	rc_is "$1: a second start succeeds" 0 "$1" start
	rc_is "$1: stop" 0 "$1" stop
	t "$1: gone from eth0" sh -c "! ip -n $ns -o addr show to $1 | grep -q ."
	rc_is "$1: monitor after the stop: not running (7)" 7 "$1" monitor
	rc_is "$1: a second stop succeeds" 0 "$1" stop
done

rc_is "cidr_netmask overrides the route's prefix" 0 10.9.0.102 start OCF_RESKEY_cidr_netmask=32
t "10.9.0.102 on eth0 as /32" on_eth0 10.9.0.102 32
rc_is "a stop deletes the address as it is (/32), whatever the parameters say now" 0 10.9.0.102 stop
t "10.9.0.102 gone" sh -c "! ip -n $ns -o addr show to 10.9.0.102 | grep -q ."

agent 10.77.0.1 start; rc=$?
if [ $rc = 6 ] && grep -q "no route without a gateway covers 10.77.0.1: set nic and cidr_netmask" "$tmp/err"; then
	ok "no route covers the address: start exits 6 (not configured), saying why"
else
	no "no route: exit $rc, $(cat "$tmp/err")"
fi
rc_is "without ip: validate-all exits 6" 6 "" validate-all

# The peer knows 10.9.0.100 at a wrong address: the gratuitous ARPs of
# the start correct it (an existing entry is updated by them).
mac=$(ip -n "$ns" -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
ip -n "$peer" neigh replace 10.9.0.100 lladdr 02:00:00:00:00:01 dev p0 nud stale
rc_is "start with 60 announcements, 1 s apart" 0 10.9.0.100 start OCF_RESKEY_arp_count=60 \
	OCF_RESKEY_arp_interval=1000
if wait_for 10 sh -c "ip -n $peer neigh show 10.9.0.100 dev p0 | grep -q 'lladdr $mac'"; then
	ok "the peer's neighbour entry names eth0's address ($mac): the announcement arrived"
else
	no "the peer's neighbour entry: $(ip -n "$peer" neigh show 10.9.0.100 dev p0)"
fi
t "the announcer runs in the background after the start (a minute of announcements)" \
	pgrep -f "[s]end_arp .*10.9.0.100"
rc_is "stop while announcing" 0 10.9.0.100 stop
t "the stop ended the announcer" wait_for 5 sh -c '! pgrep -f "[s]end_arp .*10.9.0.100"'

# gate=true without a coordd (a socket nobody serves) and without a
# ganesha: the take-over comes first, so a refused one adds no address;
# the monitor fails when only one of the two is in place; the stop
# deletes the address and gives up what a start took over (here: no
# server runs, so a give-up coordd cannot answer loses no lock).
G="OCF_RESKEY_gate=true OCF_RESKEY_coordctl=$PWD/${B:-build}/coordctl OCF_RESKEY_socket=$tmp/none.sock
	OCF_RESKEY_pid_file=$tmp/none.pid OCF_RESKEY_wait_timeout=1"
state=$tmp/coord_vip-vip.state
if [ -x "${B:-build}/coordctl" ]; then
	# shellcheck disable=SC2086
	rc_is "gate=true, coordd unreachable: start exits 1 (the take-over failed)" 1 10.9.0.103 start $G
	t "  ... and added no address (the take-over comes first)" sh -c "! ip -n $ns -o addr show to 10.9.0.103 | grep -q ."
	ip -n "$ns" addr add 10.9.0.103/24 dev eth0
	# shellcheck disable=SC2086
	rc_is "gate=true, the address up without a take-over: monitor exits 1 (failed)" 1 10.9.0.103 monitor $G
	t "  ... saying so" grep -q "10.9.0.103 is up without the gate's take-over" "$tmp/err"
	rc_is "gate=false, the same: monitor exits 0 (the plain agent)" 0 10.9.0.103 monitor
	echo 10.9.0.103 >"$state"	# as if a start took it over
	# shellcheck disable=SC2086
	rc_is "gate=true, taken over and up: monitor exits 0" 0 10.9.0.103 monitor $G
	ip -n "$ns" addr del 10.9.0.103/24 dev eth0
	# shellcheck disable=SC2086
	rc_is "gate=true, taken over, the address gone: monitor exits 1 (failed)" 1 10.9.0.103 monitor $G
	rc_is "gate=false since, a take-over still recorded: monitor exits 1 too" 1 10.9.0.103 monitor
	ip -n "$ns" addr add 10.9.0.103/24 dev eth0
	# shellcheck disable=SC2086
	rc_is "stop, coordd unreachable, no ganesha running: exits 0" 0 10.9.0.103 stop $G
	t "  ... the address deleted" sh -c "! ip -n $ns -o addr show to 10.9.0.103 | grep -q ."
	t "  ... the take-over given up (no state left)" test ! -e "$state"
	# shellcheck disable=SC2086
	rc_is "gate=true, a bad wait_timeout: validate-all exits 6" 6 10.9.0.103 validate-all $G \
		OCF_RESKEY_wait_timeout=soon
else
	no "gate=true: no ${B:-build}/coordctl (make all first)"
fi

echo "1..$n"
exit $failed
