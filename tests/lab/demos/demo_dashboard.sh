#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make demo-dashboard: what an operator sees during failovers, as pictures.
# A 3-node lab (corosync, a private bus and a fake ganesha per node, coordd
# with its metrics on), a real Prometheus in node 1 scraping every coordd
# each second (as tests/lab/cases/test_observe.sh), three failovers a few
# seconds apart (one origin after another, the last one held by a survivor
# slower than the deadline under policy release: unconfirmed), then
# Prometheus's own graph page for the key queries of the shipped dashboard
# (monitoring/coord-dashboard.json), rendered by headless Chromium in node
# 1's namespace, one PNG per query, in DEMO_SHOTS (default docs/img):
# failovers by outcome, unconfirmed releases, barrier duration, grace
# call latency per node.
# Needs root and Debian's chromium (apt-get install chromium: not in make
# deps, only this demo uses it).
set -u
. "$(dirname "$0")/../lib/lab.sh"
. "$(dirname "$0")/../lib/coord_lab.sh"
. "$(dirname "$0")/../lib/prom_lab.sh"
lab_trap

PORT=9479
SHOTS=${DEMO_SHOTS:-$(cd "$(dirname "$0")/../../.." && pwd)/docs/img}
for tool in prometheus chromium curl; do
	command -v $tool >/dev/null || { echo "# demo-dashboard: $tool is missing (apt-get install $tool)"; exit 1; }
done
mkdir -p "$SHOTS"

echo "# demo-dashboard: bringing up 3 nodes"
lab_up 3 || { echo "# lab bring-up failed"; exit 1; }
for n in 1 2 3; do
	coord_config $n release 3000 2000
	echo "metrics_listen = 198.18.0.$n:$PORT" >>"$LAB_DIR/$n/coordd.conf"
	fake_start $n >/dev/null
	coord_start $n >/dev/null
done
for n in 1 2 3; do wait_coord_members $n 3 || { echo "# node $n: no group"; exit 1; }; done

prom_lab_config 3
prom_lab_start >/dev/null
up3() { [ "$(promql 'count(up == 1)' | jq -r '.[0].value[1]')" = 3 ]; }
wait_for 60 up3 || { echo "# Prometheus does not scrape the three coordds"; exit 1; }
echo "# Prometheus scrapes the three coordds; quiet for 20 s"
sleep 20

for origin in 2 3; do
	echo "# failover: node $origin reports its ganesha dead"
	ctl $origin death --wait --timeout 20 >/dev/null
	sleep 15
	# Its ganesha back (a survivor whose server is down answers for
	# itself, without a grace call): the next failover asks it again.
	ctl $origin up >/dev/null
done
echo "# failover: node 1 reports its ganesha dead; node 3's grace call held past the deadline"
fault 3 "delay 5000"
ctl 1 death --wait --timeout 20 >/dev/null
sleep 20

# Prometheus's graph page, the last 3 minutes, for the dashboard's own
# query of each key panel (as Grafana sends it: every node, a 1 m window).
DASH=$(dirname "$0")/../../../monitoring/coord-dashboard.json
panel_expr() {	# TITLE
	jq -r --arg t "$1" '.panels[] | select(.title == $t) | .targets[0].expr' "$DASH" |
		sed -e 's/\$__rate_interval/1m/g' -e 's/\$instance/.+/g'
}
urlencode() { jq -rn --arg q "$1" '$q | @uri'; }
shot() {	# NAME PANEL-TITLE
	local q url
	q=$(panel_expr "$2")
	[ -n "$q" ] || { echo "# $1: no panel '$2' in the dashboard"; return 1; }
	url="http://$PROM_WEB/graph?g0.expr=$(urlencode "$q")&g0.tab=0&g0.range_input=3m&g0.stacked=0&g0.show_exemplars=0"
	if lab_exec 1 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--user-data-dir="$LAB_DIR/chromium" --window-size=1280,1100 --virtual-time-budget=15000 \
		--screenshot="$SHOTS/$1.png" "$url" >"$LAB_DIR/chromium-$1.log" 2>&1 && [ -s "$SHOTS/$1.png" ]; then
		echo "# $SHOTS/$1.png: $2: $q"
	else
		echo "# $1: chromium failed"; tail -n 5 "$LAB_DIR/chromium-$1.log"; return 1
	fi
}
rc=0
shot dashboard-failovers "Failovers by outcome" || rc=1
shot dashboard-unconfirmed "Unconfirmed releases (1 h)" || rc=1
shot dashboard-barrier "Barrier duration" || rc=1
shot dashboard-grace-calls "Grace call latency (p99, per node)" || rc=1
exit $rc
