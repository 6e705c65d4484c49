#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Watching coordd the way the HA stack is watched, on a 3-node lab:
# - systemd's notification protocol, with a NOTIFY_SOCKET listener standing
#   in for systemd (READY=1 once joined, STATUS=, WATCHDOG=1 from the loop,
#   none while the loop is stopped, STOPPING=1);
# - the Prometheus metrics: promtool check metrics on every node's scrape,
#   a real Prometheus server (its own config and data dir, in node 1's
#   namespaces, loopback web address) scraping every coordd through one
#   failover, PromQL through its HTTP API, the shipped dashboard's queries
#   (monitoring/coord-dashboard.json) among them;
# - a hostile scraper (connections that never finish their request) costs
#   coordd bounded memory and neither the loop nor Prometheus' scrapes.
set -u
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/coord_lab.sh"
. "$(dirname "$0")/../lib/prom_lab.sh"
lab_trap

NOTIFY_LISTEN=$B/tests/lab/notify_listen
PORT=9479

for tool in prometheus promtool curl; do
	command -v $tool >/dev/null || { not_ok "$tool is installed (tests/deps.sh)"; echo "1..$T"; exit 1; }
done

echo "# bringing up 3 nodes"
if ! lab_up 3; then
	not_ok "lab bring-up"
	exit 1
fi

ctl_quiet() { ctl "$@" >/dev/null; }
notes() { cat "$LAB_DIR/notify.log" 2>/dev/null; }
count_notes() { notes | grep -c "$1"; }	# PATTERN
noted() { notes | grep -q "$1"; }	# PATTERN
wait_note() { wait_for "${2:-20}" noted "$1"; }	# PATTERN [SECONDS]

# Node 1's coordd runs as under systemd: NOTIFY_SOCKET and a 1 s watchdog.
lab_bg 1 "$LAB_DIR/notify.log" "$NOTIFY_LISTEN" "$LAB_DIR/notify.sock" >/dev/null
wait_for 5 test -S "$LAB_DIR/notify.sock"
for n in 1 2 3; do
	coord_config $n release 8000 5000
	echo "metrics_listen = 198.18.0.$n:$PORT" >>"$LAB_DIR/$n/coordd.conf"
	fake_start $n >/dev/null
done
lab_bg 1 "$LAB_DIR/1/coordd.out" env NOTIFY_SOCKET="$LAB_DIR/notify.sock" WATCHDOG_USEC=1000000 \
	"$COORDD" -f -c "$LAB_DIR/1/coordd.conf" -p "$LAB_DIR/1/coordd.pid" >/dev/null
coord_start 2 >/dev/null
coord_start 3 >/dev/null
for n in 1 2 3; do
	check "node $n: coordd sees 3 members" wait_coord_members $n 3
done

# ---- systemd notification ----
check "READY=1 received" wait_note 'READY=1'
ready=$(notes | grep -m1 'READY=1')
echo "# $ready"
case $ready in
*"STATUS=in group ganesha-grace with "*) ok "READY=1 came once joined (its STATUS says so)" ;;
*) not_ok "READY=1 came once joined" "got: $ready" ;;
esac
check "READY=1 sent once only ($(count_notes 'READY=1'))" [ "$(count_notes 'READY=1')" = 1 ]
joining=$(notes | grep -n 'STATUS=joining CPG group' | head -n 1 | cut -d: -f1)
readyline=$(notes | grep -n 'READY=1' | head -n 1 | cut -d: -f1)
check "STATUS= said what it waited for before READY=1 (lines ${joining:-none} < ${readyline:-none})" \
	[ -n "$joining" ] && [ -n "$readyline" ] && [ "$joining" -lt "$readyline" ]
notes | grep -v WATCHDOG | sed 's/^/#   /' | head -n 8
# The socket's birth (or change) time against the moment READY=1 arrived.
sock_us=$(stat -c '%.6Y' "$LAB_DIR/1/coordd.sock" | tr -d .)
ready_us=${ready%% *}
check "the control socket existed before READY=1 ($(( (ready_us - sock_us) / 1000 )) ms before)" \
	[ "$sock_us" -le "$ready_us" ]
check "coordctl ping answers on node 1" ctl_quiet 1 ping
sleep 3
w=$(count_notes '^[0-9]* WATCHDOG=1$')
check "WATCHDOG=1 pings every half WATCHDOG_USEC ($w in about 3 s of running)" [ "$w" -ge 4 ]
pid1=$(coord_pid 1)
kill -STOP "$pid1"
# A ping sent just before the stop is still in the socket's queue or on its
# way to the log: a datagram of our own, sent after the stop, is queued
# behind it, so once the listener has written ours it has written them.
python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b"STATUS=lab-mark", sys.argv[1])' \
	"$LAB_DIR/notify.sock"
wait_note 'STATUS=lab-mark' || echo "# the listener did not write the lab's mark"
before=$(count_notes 'WATCHDOG=1')
sleep 2.5
after=$(count_notes 'WATCHDOG=1')
kill -CONT "$pid1"
check "no WATCHDOG=1 while coordd's loop is stopped (SIGSTOP: $before -> $after)" [ "$after" = "$before" ]
pinged_again() { [ "$(count_notes 'WATCHDOG=1')" -gt "$after" ]; }
wait_for 20 pinged_again
resumed=$(count_notes 'WATCHDOG=1')
check "WATCHDOG=1 again after SIGCONT ($after -> $resumed)" [ "$resumed" -gt "$after" ]

# ---- promtool on every node's scrape, and coordctl metrics ----
scrape() { lab_exec "$1" curl -sf --max-time 5 "http://198.18.0.$1:$PORT/metrics"; }
for n in 1 2 3; do
	scrape $n >"$LAB_DIR/$n/scrape.txt"
	check "node $n: promtool check metrics accepts the scrape" \
		sh -c "promtool check metrics <'$LAB_DIR/$n/scrape.txt' >'$LAB_DIR/$n/promtool.out' 2>&1"
	sed 's/^/#   /' "$LAB_DIR/$n/promtool.out"
done
ctl 1 metrics >"$LAB_DIR/1/ctl-metrics.txt"
check "coordctl metrics: promtool accepts it" sh -c "promtool check metrics <'$LAB_DIR/1/ctl-metrics.txt'"
names() { grep -v '^#' "$1" | sed 's/[ {].*//' | sort -u; }
check "coordctl metrics has the same series names as the HTTP scrape" \
	[ "$(names "$LAB_DIR/1/ctl-metrics.txt")" = "$(names "$LAB_DIR/1/scrape.txt")" ]
check "coord_members 3 and coord_quorate 1 in the scrape" \
	sh -c "grep -qx 'coord_members 3' '$LAB_DIR/2/scrape.txt' && grep -qx 'coord_quorate 1' '$LAB_DIR/2/scrape.txt'"

# ---- a real Prometheus scraping every coordd ----
prom_lab_config 3
check "promtool check config accepts the lab's prometheus.yml" \
	sh -c "promtool check config '$LAB_DIR/prom/prometheus.yml' >/dev/null 2>&1"
prom_lab_start >"$LAB_DIR/prom/prometheus.pid"
# value per instance: "198.18.0.1:9479=1 ..."
by_instance() { promql "$1" | jq -r 'sort_by(.metric.instance)[] | "\(.metric.instance)=\(.value[1])"' | tr '\n' ' '; }
wait_promql() {	# QUERY EXPECTED [SECONDS]
	i=0
	while [ $i -lt $(( ${3:-30} * 2 )) ]; do
		got=$(by_instance "$1" 2>/dev/null)
		[ "$got" = "$2" ] && return 0
		sleep 0.5; i=$((i + 1))
	done
	echo "# $1: got '$got', expected '$2'"
	return 1
}
all1="198.18.0.1:$PORT=1 198.18.0.2:$PORT=1 198.18.0.3:$PORT=1 "
check "Prometheus: up == 1 for every coordd" wait_promql 'up == 1' "$all1" 60
before=$(by_instance 'coord_barrier_duration_seconds_count')
echo "# barrier count before: $before"
check "Prometheus: barrier count 0 on every node before the failover" \
	[ "$before" = "198.18.0.1:$PORT=0 198.18.0.2:$PORT=0 198.18.0.3:$PORT=0 " ]

# The failover: node 2 reports its server dead; 1 and 3 enter grace.
ctl 2 death --wait --timeout 20 >/dev/null; rc=$?
check "failover on node 2: death --wait exits 0 (got $rc)" [ "$rc" = 0 ]
check "Prometheus: barrier count incremented on the origin (node 2) only" \
	wait_promql 'coord_barrier_duration_seconds_count' \
	"198.18.0.1:$PORT=0 198.18.0.2:$PORT=1 198.18.0.3:$PORT=0 " 20
check "Prometheus: one in-grace call on each survivor, none on the origin" \
	wait_promql 'coord_grace_call_duration_seconds_count{result="in-grace"}' \
	"198.18.0.1:$PORT=1 198.18.0.2:$PORT=0 198.18.0.3:$PORT=1 " 20
check "Prometheus: released (confirmed) recorded on every node" \
	wait_promql 'sum by (instance) (coord_events_total{outcome="released"})' "$all1" 20
check "Prometheus: up == 1 for every coordd after the failover" wait_promql 'up == 1' "$all1" 10
# What the origin's scrape says now (its series that are not 0; the first
# barrier bucket that holds the failover).
scrape 2 | grep -v '^#' | grep -Ev ' 0(\.0+)?$' | grep -v '_bucket{' | sed 's/^/# node 2 scrape: /'
scrape 2 | awk '/^coord_barrier_duration_seconds_bucket/ && $2 == 1 { print "# node 2 scrape: " $0; exit }'
# The operator's three questions (docs/operations.md), as Prometheus answers them.
q1='sum(increase(coord_releases_total[1h]))'
q2='max(histogram_quantile(0.99, sum by (instance, le) (rate(coord_grace_call_duration_seconds_bucket[1h]))))'
q3='sum(increase(coord_releases_total{outcome="unconfirmed"}[1h])) > 0'
for q in "$q1" "$q2" "$q3" 'coord_barrier_duration_seconds_count' 'up'; do
	echo "# PromQL $q -> $(promql "$q")"
done
# increase() extrapolates to the window's edges: on series a few seconds
# old (as here) one failover reads as 1 to 2; over a full hour, as 1.
f=$(promql "$q1" | jq -r '.[0].value[1] // "none"')
check "PromQL failovers in the last hour: one (got $f; series seconds old)" \
	awk -v f="$f" 'BEGIN { exit !(f >= 0.9 && f < 3) }'
check "PromQL sum(coord_releases_total) is exactly 1" \
	[ "$(promql 'sum(coord_releases_total)' | jq -r '.[0].value[1]')" = 1 ]
check "PromQL any unconfirmed release: empty (got $(promql "$q3"))" [ "$(promql "$q3")" = "[]" ]
# The shipped dashboard's every query, as Grafana would send it ($instance:
# every node; $__rate_interval: 1m), after the failover: each evaluates,
# and each returns data but those that keep only non-zero rates ("> 0":
# no refusal here).
DASH=$(dirname "$0")/../../../monitoring/coord-dashboard.json
jq -r '.. | objects | select(has("expr")) | .expr' "$DASH" |
	sed -e 's/\$__rate_interval/1m/g' -e 's/\$instance/.+/g' >"$LAB_DIR/prom/dashboard.queries"
failed_q="" empty_q="" nq=0
while IFS= read -r q; do
	nq=$((nq + 1))
	r=$(promql "$q")
	case $r in
	"" | null) failed_q="$failed_q [$q]" ;;
	"[]") case $q in *"> 0") ;; *) empty_q="$empty_q [$q]" ;; esac ;;
	esac
	echo "# dashboard PromQL $q -> $(printf '%s' "$r" | cut -c1-200)"
done <"$LAB_DIR/prom/dashboard.queries"
check "Prometheus evaluates the dashboard's $nq queries${failed_q:+; failed:$failed_q}" [ -z "$failed_q" ]
check "the dashboard's queries return data after the failover${empty_q:+; empty:$empty_q}" [ -z "$empty_q" ]

# ---- a hostile scraper: requests that never end, from node 2 ----
pid3=$(coord_pid 3)
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
rss0=$(rss "$pid3")
# Each sends a request line and one header byte a second, never the end:
# not idle, so a connection coordd keeps stays held until the scraper is
# told to stop, however long the 20 take to start on a loaded machine.  A
# connection coordd refuses ends its scraper at its next byte.
for i in $(seq 1 20); do
	lab_bg 2 "$LAB_DIR/slow.log" bash -c "trap '' PIPE
		exec 3<>/dev/tcp/198.18.0.3/$PORT &&
			printf 'GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ' >&3 2>/dev/null
		echo \"tried \$\$\"
		while [ ! -e '$LAB_DIR/slow.stop' ] && printf a >&3 2>/dev/null; do sleep 1; done" >/dev/null
done
# Counted once all 20 have connected (each says so) and coordd's HTTP
# thread has taken every connection off the listen queue (kept or closed):
# before that, one it is about to close would count as held.
all_tried() { [ "$(grep -c '^tried ' "$LAB_DIR/slow.log")" -ge 20 ]; }
queue_empty() { [ "$(lab_exec 3 ss -Hltn "( sport = :$PORT )" | awk '{print $2}')" = 0 ]; }
tried_and_taken() { all_tried && queue_empty; }
wait_for 30 tried_and_taken
rss1=$(rss "$pid3")
conns=$(lab_exec 3 ss -Htn state established "( sport = :$PORT )" | wc -l)
echo "# node 3: $conns connection(s) held on :$PORT, RSS $rss0 -> $rss1 KiB"
check "hostile scraper: at most 4 of its 20 connections held by node 3 (held $conns)" [ "$conns" -le 4 ]
check "hostile scraper: node 3's RSS grew less than 1 MiB ($rss0 -> $rss1 KiB)" [ $((rss1 - rss0)) -lt 1024 ]
check "hostile scraper: node 3's coordd answers its control socket" ctl_quiet 3 ping
got=$(lab_exec 1 curl -sf --max-time 5 "http://198.18.0.3:$PORT/metrics" | grep -c '^coord_members 3$')
check "hostile scraper: a scrape from node 1 still answers (coord_members 3: $got)" [ "$got" = 1 ]
touch "$LAB_DIR/slow.stop"
ctl 2 up >/dev/null

# ---- STOPPING=1 ----
coord_stop 1
check "STOPPING=1 received on SIGTERM" wait_note 'STOPPING=1' 5
notes | grep STOPPING | sed 's/^/#   /'

echo "1..$T"
[ "$FAILED" = 0 ]
