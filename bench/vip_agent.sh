#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make bench-vip (and make bench): what the VIP's own agent costs a move.
# heartbeat's IPaddr2 against coord's agents/coord_vip, the same address on
# the same interface of a network namespace, VIP_ROUNDS rounds, each round
# both agents' start, monitor and stop, which agent goes first alternating,
# so that the machine's noise falls on both alike.  The ratio (IPaddr2 /
# coord_vip) is the figure; the milliseconds depend on the machine's load,
# which is printed with them.  Summary: bench/results-vip.json.
set -u
COORD_TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$COORD_TOP" || exit 1
VIP_ROUNDS=${VIP_ROUNDS:-30}
VIP_OUT=${VIP_OUT:-$COORD_TOP/bench/results-vip.json}
STATS=$COORD_TOP/bench/stats.awk
IPADDR2=/usr/lib/ocf/resource.d/heartbeat/IPaddr2
LEAN=$COORD_TOP/agents/coord_vip
ns=coordbvip$$
run=$(mktemp -d /tmp/coord-bench-vip.XXXXXX)
cleanup() { ip netns del "$ns" 2>/dev/null; rm -rf "$run"; }
trap cleanup EXIT INT TERM

ip netns add "$ns" && ip -n "$ns" link add eth0 type veth peer name p0 &&
	ip -n "$ns" addr add 10.9.0.1/24 dev eth0 && ip -n "$ns" link set eth0 up &&
	ip -n "$ns" link set p0 up && ip -n "$ns" link set lo up ||
	{ echo "# bench-vip: cannot set up the namespace" >&2; exit 1; }

# One action, timed around the whole agent run as pacemaker's executor
# would see it (its fork and exec included); appends "us rc" to a file.
timed() {	# AGENT-NAME AGENT ACTION
	local t0=${EPOCHREALTIME/./} rc
	ip netns exec "$ns" env OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=bvip \
		COORD_FUNCTIONS_DIR="$COORD_TOP/agents/lib" HA_RSCTMP="$run" OCF_RESKEY_ip=10.9.0.100 OCF_RESKEY_cidr_netmask=24 \
		OCF_RESKEY_nic=eth0 "$2" "$3" >/dev/null 2>&1
	rc=$?
	echo "$(( ${EPOCHREALTIME/./} - t0 )) $rc" >>"$run/$1.$3"
}
round() {	# AGENT-NAME AGENT
	timed "$1" "$2" start; timed "$1" "$2" monitor; timed "$1" "$2" stop
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "# bench-vip: $VIP_ROUNDS rounds, load average $load_before" >&2
for i in $(seq 1 "$VIP_ROUNDS"); do
	if [ $((i % 2)) = 0 ]; then round ipaddr2 "$IPADDR2"; round coord_vip "$LEAN"
	else round coord_vip "$LEAN"; round ipaddr2 "$IPADDR2"; fi
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

fails=$(cat "$run"/*.* | awk '$2 != 0' | wc -l)
stats() { awk -v col=1 -f "$STATS" "$run/$1.$2"; }
median() { awk -v col=1 -f "$STATS" "$run/$1.$2" | sed 's/.*"median":\([0-9.]*\).*/\1/'; }
{
	printf '{"rounds":%d,"load_before_after":"%s","failed_actions":%d' \
		"$VIP_ROUNDS" "$load_before / $load_after" "$fails"
	for a in ipaddr2 coord_vip; do
		printf ',"%s":{' "$a"
		sep=
		for act in start monitor stop; do printf '%s"%s_ms":%s' "$sep" "$act" "$(stats $a $act)"; sep=,; done
		printf '}'
	done
	printf ',"ratio_median":{'
	sep=
	for act in start monitor stop; do
		printf '%s"%s":%s' "$sep" "$act" "$(awk -v a="$(median ipaddr2 $act)" \
			-v b="$(median coord_vip $act)" 'BEGIN { printf "%.2f", a / b }')"
		sep=,
	done
	printf '}}\n'
} >"$VIP_OUT"
echo "VIP agent, per action (ms, median / p99; $VIP_ROUNDS rounds, load before / after: $load_before / $load_after; failed actions: $fails)"
for act in start monitor stop; do
	printf '  %-8s IPaddr2 %s / %s   coord_vip %s / %s   ratio of medians %s\n' "$act" \
		"$(jq -r ".ipaddr2.${act}_ms.median" "$VIP_OUT")" "$(jq -r ".ipaddr2.${act}_ms.p99" "$VIP_OUT")" \
		"$(jq -r ".coord_vip.${act}_ms.median" "$VIP_OUT")" "$(jq -r ".coord_vip.${act}_ms.p99" "$VIP_OUT")" \
		"$(jq -r ".ratio_median.$act" "$VIP_OUT")"
done
[ "$fails" = 0 ]
