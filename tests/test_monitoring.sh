#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# What coord ships for monitoring (monitoring/, installed to
# /usr/share/coord): the alert rules and their unit tests (promtool test
# rules), which must fail once a rule is broken; the Grafana dashboard,
# every panel's PromQL parsed (as recording rules: promtool has no
# parse-only command for a query) and its metric names checked against
# what coordd renders (tests/doc_facts.c); the example Prometheus and
# Alertmanager configurations (promtool check config, amtool check-config
# and its routes).  TAP.
set -u
cd "$(dirname "$0")/.." || exit 1
B=${B:-build}
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; failed=1; }
# DESCRIPTION WHY: ok when WHY is empty; else WHY as a diagnostic, not ok.
verdict() {
	if [ -z "$2" ]; then ok "$1"; else printf '%s\n' "$2" | sed 's/^/# /'; not_ok "$1"; fi
}
t() { d=$1; shift; if "$@" >"$tmp/out" 2>&1; then ok "$d"; else sed 's/^/# /' "$tmp/out"; not_ok "$d"; fi; }

RULES=monitoring/coord-alerts.yml
RTEST=tests/monitoring/coord-alerts.test.yml
DASH=monitoring/coord-dashboard.json
AM=monitoring/alertmanager-example.yml
tmp=$(mktemp -d /tmp/coord-monitoring.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
for tool in promtool jq; do
	command -v $tool >/dev/null || { not_ok "$tool is installed (make deps)"; echo "1..$n"; exit 1; }
done

# ---- the alert rules ----
t "promtool check rules $RULES" promtool check rules "$RULES"
t "promtool test rules $RTEST" promtool test rules "$RTEST"
alerts=$(sed -n 's/^ *- alert: *//p' "$RULES")
tested=$(sed -n 's/^ *alertname: *//p' "$RTEST" | sort -u)
bad=""
for a in $alerts; do printf '%s\n' "$tested" | grep -qx "$a" || bad="$bad $a"; done
verdict "every alert of $RULES has tests ($(echo $alerts))" "${bad:+no test for:$bad}"

# A copy of the rules and their tests, side by side as in the tree, with
# alert number $1's rule changed by the sed script $2.
mutant() {
	rm -rf "$tmp/m" && mkdir -p "$tmp/m/monitoring" "$tmp/m/tests/monitoring"
	cp "$RTEST" "$tmp/m/tests/monitoring/"
	awk -v i="$1" '/^ *- alert:/ { k++ } { print (k == i ? "@@" : "") $0 }' "$RULES" |
		sed -e "/^@@/{ $2 }" -e 's/^@@//' >"$tmp/m/$RULES"
}
# Each alert's tests must fail when its rule never fires, fires always
# (and without its labels), or loses its "for" (fires too soon).
i=0
for a in $alerts; do
	i=$((i + 1))
	caught="" missed=""
	for how in never always no-for; do
		case $how in
		never) script='s/expr: .*/expr: vector(0) > 1/' ;;
		always) script='s/expr: .*/expr: vector(1)/' ;;
		no-for) script='/^@@ *for: /d' ;;
		esac
		mutant "$i" "$script"
		cmp -s "$RULES" "$tmp/m/$RULES" && continue	# no "for" to lose
		if promtool test rules "$tmp/m/$RTEST" >/dev/null 2>&1; then
			missed="$missed $how"
		else
			caught="$caught $how"
		fi
	done
	verdict "$a's tests fail when its rule is broken:$caught" \
		"${missed:+$a's tests still pass with the rule broken:$missed}"
done

# ---- the dashboard ----
t "$DASH is JSON" jq -e . "$DASH"
jq -r '.. | objects | select(has("expr")) | .expr' "$DASH" >"$tmp/queries"
nq=$(wc -l <"$tmp/queries")
bad=$(jq -r '[.panels[] | select(.type != "row")] |
	(map(select((.targets // []) | length == 0) | .title) | .[] | "no query: " + .),
	(group_by(.id) | map(select(length > 1)) | .[] | "id used twice: \(.[0].id)")' "$DASH")
verdict "every panel of $DASH has a query, and its own id" "$bad"
# Grafana's variables replaced by what they stand for, each query made a
# recording rule: promtool check rules parses every one.
{
	echo "groups:"
	echo "  - name: dashboard"
	echo "    rules:"
	k=0
	while IFS= read -r q; do
		k=$((k + 1))
		printf '      - record: dashboard:query_%d\n        expr: %s\n' "$k" \
			"$(printf '%s' "$q" | sed -e 's/\$__rate_interval/1m/g' -e 's/\$instance/.+/g' | jq -Rs .)"
	done <"$tmp/queries"
} >"$tmp/queries.yml"
t "promtool check rules parses each of the dashboard's $nq queries" promtool check rules "$tmp/queries.yml"
# The same check refuses a query that does not parse.
sed 's/expr: "\(.*\)"$/expr: "\1)"/' "$tmp/queries.yml" >"$tmp/broken.yml"
t "... and the same check refuses them with one parenthesis too many" \
	sh -c "! promtool check rules '$tmp/broken.yml'"
left=$(grep -o '\$[a-zA-Z_]*' "$tmp/queries" | sort -u | grep -vx -e '\$__rate_interval' -e '\$instance')
verdict "the queries use no Grafana variable but \$instance and \$__rate_interval" "$left"

# Metric names: what a query names (label values and matchers aside),
# against the families coordd renders (a histogram's _bucket, _sum and
# _count are its own), and Prometheus's up.
if "$B/tests/doc_facts" metrics >"$tmp/scrape" 2>/dev/null ||
   { make -s B="$B" "$B/tests/doc_facts" >/dev/null 2>&1 && "$B/tests/doc_facts" metrics >"$tmp/scrape"; }; then
	ok "tests/doc_facts renders a scrape"
else
	not_ok "tests/doc_facts renders a scrape"
fi
# The rendering itself: promtool's lint names counters without _total
# and units that are not base units (the real scrape: test_install.sh).
t "promtool check metrics accepts coordd's rendering, without a lint" sh -c \
	"promtool check metrics <'$tmp/scrape' >'$tmp/lint' 2>&1; rc=\$?; cat '$tmp/lint'; [ \$rc = 0 ] && [ ! -s '$tmp/lint' ]"
awk '/^# TYPE / { print $3; if ($4 == "histogram") { print $3 "_bucket"; print $3 "_sum"; print $3 "_count" } }' \
	"$tmp/scrape" >"$tmp/exported"
echo up >>"$tmp/exported"
names() {	# QUERIES FILE: the metric names its queries use, one a line
	sed -e 's/"[^"]*"//g' -e 's/{[^}]*}//g' -e 's/by *([^)]*)//g' "$1" |
		grep -oE '[a-zA-Z_:][a-zA-Z0-9_:]*' | grep -E '^(coord_|process_|up$)' | sort -u
}
names "$tmp/queries" >"$tmp/dashboard-names"
sed -n 's/^ *expr: *//p' "$RULES" >"$tmp/rule-queries"
names "$tmp/rule-queries" >"$tmp/rule-names"
for what in dashboard rule; do
	bad=$(grep -vxFf "$tmp/exported" "$tmp/$what-names")
	echo "# the $what queries' metrics: $(tr '\n' ' ' <"$tmp/$what-names")"
	verdict "every metric the $what queries name is one coordd exports ($(wc -l <"$tmp/$what-names"))" \
		"${bad:+not exported by coordd: $bad}"
done

# The panels an operator of a ganesha cluster wants at a glance (issue 30).
bad=""
for title in "Members and quorum" "Local server state" "VIP target" "Failovers by outcome" \
	"Handovers by outcome" "Barrier duration" "Handover and take-over duration" \
	"Events held and pending" "Unconfirmed releases (1 h)" "Refused and undecodable messages"; do
	jq -e --arg t "$title" '[.panels[] | select(.title == $t)] | length == 1' "$DASH" >/dev/null ||
		bad="$bad '$title'"
done
verdict "the dashboard has the panels: members and quorum, server and target state, failovers, durations, held and unconfirmed events, refusals" \
	"${bad:+missing panels:$bad}"

# ---- the example configurations ----
t "promtool check config monitoring/prometheus-example.yml (and the rules it loads)" \
	promtool check config monitoring/prometheus-example.yml
if command -v amtool >/dev/null; then
	t "amtool check-config $AM" amtool check-config "$AM"
	route() { amtool config routes test --config.file="$AM" "$@" 2>/dev/null; }
	t "a critical coord alert is routed to ha-pager" \
		[ "$(route alertname=CoordEventHeld severity=critical instance=n1)" = ha-pager ]
	t "a warning is routed to ha-team" \
		[ "$(route alertname=CoordReleaseUnconfirmed severity=warning instance=n1)" = ha-team ]
else
	ok "# SKIP amtool is not installed (Debian: prometheus-alertmanager; make deps installs it)"
fi
echo "1..$n"
exit $failed
