#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make install DESTDIR=... PREFIX=... puts every file where coordd(8) says,
# the installed programs run, the man pages render, and make uninstall
# takes it all back.  TAP.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
dest=$(mktemp -d /tmp/coord-install.XXXXXX)
trap 'rm -rf "$dest"' EXIT
chmod 0755 "$dest"	# ocf-tester checks the agent as another user
n=0 failed=0
t() { n=$((n + 1)); d=$1; shift; if "$@" >/dev/null 2>&1; then echo "ok $n - $d"; else echo "not ok $n - $d"; failed=1; fi; }
make -s B="$B" install DESTDIR="$dest" PREFIX=/usr >"$dest.log" 2>&1 || { cat "$dest.log"; rm -f "$dest.log"; echo "not ok 1 - make install"; exit 1; }
rm -f "$dest.log"
for f in usr/sbin/coordd usr/sbin/coordctl usr/lib/ocf/resource.d/coord/ganesha_coord_mon \
	 usr/lib/ocf/resource.d/coord/ganesha_coord_gate usr/lib/ocf/resource.d/coord/coord_vip \
	 usr/lib/ocf/resource.d/coord/coordd usr/lib/ocf/lib/coord/gate.sh lib/systemd/system/coordd.service \
	 usr/share/man/man8/coordd.8 usr/share/man/man8/coordctl.8 \
	 usr/share/man/man5/coordd.conf.5 etc/coord/coordd.conf.example etc/logrotate.d/coord \
	 usr/share/coord/coord-dashboard.json usr/share/coord/coord-alerts.yml \
	 usr/share/coord/prometheus-example.yml usr/share/coord/alertmanager-example.yml; do
	t "installed /$f" test -s "$dest/$f"
done
# The installed monitoring files work where they are: the example
# configuration loads the rules beside it.
if command -v promtool >/dev/null; then
	t "the installed prometheus-example.yml and the alert rules it loads pass promtool check config" \
		promtool check config "$dest/usr/share/coord/prometheus-example.yml"
fi
t "the installed dashboard is JSON with its panels" \
	jq -e '.panels | length > 0' "$dest/usr/share/coord/coord-dashboard.json"
t "installed /var/lib/coord (the blackbox's directory, also without the unit's StateDirectory)" \
	test -d "$dest/var/lib/coord"
t "installed coordd runs (--version)" "$dest/usr/sbin/coordd" --version
t "installed coordctl runs (--version)" "$dest/usr/sbin/coordctl" --version
t "the example configuration is valid" "$dest/usr/sbin/coordd" -t -c "$dest/etc/coord/coordd.conf.example"
t "the unit names the installed coordd" grep -q '^ExecStart=/usr/sbin/coordd -f -c /etc/coord/coordd.conf$' \
	"$dest/lib/systemd/system/coordd.service"
t "the unit is Type=notify with a watchdog (WatchdogSec=)" sh -c \
	"grep -qx 'Type=notify' '$dest/lib/systemd/system/coordd.service' &&
	 grep -q '^WatchdogSec=[1-9]' '$dest/lib/systemd/system/coordd.service'"
unit=$dest/lib/systemd/system/coordd.service
t "the unit restarts coordd however it ends but a bad configuration (Restart=always, RestartPreventExitStatus=2 3)" \
	sh -c "grep -qx 'Restart=always' '$unit' && grep -qx 'RestartPreventExitStatus=2 3' '$unit'"
t "systemctl reload sends SIGHUP (ExecReload=)" grep -qx 'ExecReload=/bin/kill -HUP \$MAINPID' "$unit"
t "coordd stops with corosync (Requires=) and starts with it (WantedBy=corosync.service)" \
	sh -c "grep -qx 'Requires=corosync.service' '$unit' && grep -q '^WantedBy=.* corosync.service' '$unit'"
for m in man8/coordd.8 man8/coordctl.8 man5/coordd.conf.5; do
	t "man -l renders $m without warnings" sh -c \
		"[ -z \"\$(MANWIDTH=80 man -l --warnings '$dest/usr/share/man/$m' 2>&1 >/dev/null)\" ]"
done
# The agent checks the programs it runs: coordctl is the one installed here.
if command -v ocf-tester >/dev/null; then
	t "ocf-tester: ganesha_coord_mon" sh -c "OCF_ROOT=/usr/lib/ocf ocf-tester -n t -o coordctl='$dest/usr/sbin/coordctl' '$dest/usr/lib/ocf/resource.d/coord/ganesha_coord_mon' | grep -q 'passed all tests'"
fi
# The gate's start needs a coordd and a ganesha (the lab runs ocf-tester
# on it, tests/lab/cases/test_failback.sh); here its meta-data and its check of
# the required vip.  The agents source their shared code from the
# installed lib/coord (OCF_ROOT is the host's, for ocf-shellfuncs).
gate=$dest/usr/lib/ocf/resource.d/coord/ganesha_coord_gate
lib=$dest/usr/lib/ocf/lib/coord
if [ -f /usr/share/resource-agents/ra-api-1.dtd ]; then
	t "ganesha_coord_gate meta-data is valid against ra-api-1.dtd" sh -c \
		"OCF_ROOT=/usr/lib/ocf COORD_FUNCTIONS_DIR='$lib' '$gate' meta-data | (cd /usr/share/resource-agents && xmllint --noout --valid -)"
fi
if [ -f /usr/share/resource-agents/ra-api-1.dtd ]; then
	t "coord_vip meta-data is valid against ra-api-1.dtd" sh -c \
		"OCF_ROOT=/usr/lib/ocf COORD_FUNCTIONS_DIR='$lib' '$dest/usr/lib/ocf/resource.d/coord/coord_vip' meta-data | (cd /usr/share/resource-agents && xmllint --noout --valid -)"
fi
t "ganesha_coord_gate without vip: validate-all exits 6 (not configured)" sh -c \
	"OCF_ROOT=/usr/lib/ocf COORD_FUNCTIONS_DIR='$lib' '$gate' validate-all; [ \$? = 6 ]"
t "coord_vip gate=true, a bad wait_timeout: validate-all exits 6 (not configured)" sh -c \
	"OCF_ROOT=/usr/lib/ocf COORD_FUNCTIONS_DIR='$lib' OCF_RESKEY_ip=198.18.0.100 OCF_RESKEY_gate=true \
	 OCF_RESKEY_wait_timeout=soon '$dest/usr/lib/ocf/resource.d/coord/coord_vip' validate-all; [ \$? = 6 ]"
t "ganesha_coord_gate without its shared code: exits 5 (not installed)" sh -c \
	"OCF_ROOT=/usr/lib/ocf COORD_FUNCTIONS_DIR='$dest/none' '$gate' monitor; [ \$? = 5 ]"
# The unit is valid as systemd reads it (paths pointed at this DESTDIR).
if command -v systemd-analyze >/dev/null; then
	sed "s|/usr/sbin/coordd|$dest/usr/sbin/coordd|g" "$dest/lib/systemd/system/coordd.service" \
		>"$dest/coordd.service"
	t "systemd-analyze verify accepts coordd.service" \
		env MANPATH="$dest/usr/share/man" systemd-analyze verify "$dest/coordd.service"
	# The hardening does not wear off: systemd's own exposure score (0.1
	# units for --threshold), 2.7 today, 8.1 before the unit was hardened
	# (Debian's corosync.service 9.4, pacemaker.service 9.6).
	exposure=$(systemd-analyze security --offline=true "$dest/coordd.service" 2>/dev/null |
		sed -n 's/.*Overall exposure level for coordd.service: \([0-9.]*\).*/\1/p')
	t "coordd.service's exposure level at most 3.0 (systemd-analyze security: ${exposure:-none})" \
		systemd-analyze security --offline=true --threshold=30 "$dest/coordd.service"
	rm -f "$dest/coordd.service"
fi
# coordd tolerates the unit's restrictions: no new privileges, umask 0077,
# /usr and /etc read-only (ProtectSystem=full); it serves its socket in
# its RuntimeDirectory even while corosync is not there.
rt=/run/coord-install-test.$$
mkdir -p "$rt" && chmod 0755 "$rt"
port=$((20000 + $$ % 30000))	# metrics on the host's loopback, a port of its own
printf 'socket = %s/coordd.sock\nsocket_group = root\nlog_target = stderr\nmetrics_listen = %s\n' \
	"$rt" "$port" >"$rt/coordd.conf"
# The unit's capabilities, as setpriv names them: -all,+chown,...
caps=-all$(sed -n 's/^CapabilityBoundingSet=//p' "$dest/lib/systemd/system/coordd.service" |
	tr 'A-Z' 'a-z' | sed 's/cap_/,+/g; s/ //g')
unshare -m sh -c "mount --make-rprivate / && mount --bind /usr /usr && mount -o remount,bind,ro /usr &&
	mount --bind /etc /etc && mount -o remount,bind,ro /etc &&
	exec setpriv --no-new-privs --bounding-set '$caps' sh -c 'umask 0077; exec \"$dest/usr/sbin/coordd\" -f -c \"$rt/coordd.conf\"'" \
	>"$rt/coordd.err" 2>&1 &
cpid=$!
i=0
until "$dest/usr/sbin/coordctl" -s "$rt/coordd.sock" ping >/dev/null 2>&1 || [ $i -ge 50 ]; do
	sleep 0.1; i=$((i + 1))
done
t "coordd under the unit's restrictions answers ping" "$dest/usr/sbin/coordctl" -s "$rt/coordd.sock" ping
t "... and it ran with no new privileges and umask 0077" sh -c \
	"grep -q '^NoNewPrivs:[[:space:]]*1' /proc/$cpid/status && grep -q '^Umask:[[:space:]]*0077' /proc/$cpid/status"
t "... and with the unit's capabilities only ($caps)" sh -c \
	"[ \"\$(grep '^CapBnd:' /proc/$cpid/status | awk '{print \$2}')\" = \"\$(setpriv --bounding-set '$caps' grep '^CapBnd:' /proc/self/status | awk '{print \$2}')\" ]"
t "... and /usr was read-only for it" sh -c "grep -q ' /usr ro,' /proc/$cpid/mountinfo"
t "... and it serves its metrics on 127.0.0.1:$port" sh -c \
	"curl -sf --max-time 5 http://127.0.0.1:$port/metrics | grep -q '^coord_joined 0\$'"
curl -sf --max-time 5 "http://127.0.0.1:$port/metrics" >"$rt/scrape" 2>/dev/null
if command -v promtool >/dev/null; then
	t "... which promtool check metrics accepts, without a warning" sh -c \
		"promtool check metrics <'$rt/scrape' >'$rt/promtool' 2>&1 && [ ! -s '$rt/promtool' ]"
fi
# Its own process, as /proc says it (the scrape's values, from coordd).
metric() { sed -n "s/^$1 //p" "$rt/scrape"; }
fds=$(find "/proc/$cpid/fd" -mindepth 1 | wc -l)
t "... process_open_fds $(metric process_open_fds) is within 2 of /proc/$cpid/fd's $fds" sh -c \
	"v=\$(sed -n 's/^process_open_fds //p' '$rt/scrape'); [ -n \"\$v\" ] && [ \$((v - $fds)) -le 2 ] && [ \$(($fds - v)) -le 2 ]"
t "... process_max_fds is its soft limit ($(metric process_max_fds))" \
	[ "$(metric process_max_fds)" = "$(awk '/^Max open files/ { print $4 }' "/proc/$cpid/limits")" ]
start=$(metric process_start_time_seconds)
t "... process_start_time_seconds ($start) is within 60 s of now and not later" \
	awk -v s="${start:-0}" -v now="$(date +%s)" 'BEGIN { exit !(s <= now + 1 && s > now - 60) }'
rss_kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$cpid/status")
t "... process_resident_memory_bytes is within 25% of VmRSS (${rss_kb} kB)" \
	awk -v b="$(metric process_resident_memory_bytes)" -v k="${rss_kb:-0}" \
		'BEGIN { exit !(b > 0 && b > k * 1024 * 0.75 && b < k * 1024 * 1.25) }'
t "... process_cpu_seconds_total is a number" sh -c \
	"sed -n 's/^process_cpu_seconds_total //p' '$rt/scrape' | grep -Eqx '[0-9]+\\.[0-9]+'"
# A second coordd whose metrics address is taken does not start.
sed "s|^socket = .*|socket = $rt/second.sock|" "$rt/coordd.conf" >"$rt/second.conf"
t "a coordd that cannot listen on metrics_listen exits 1, saying why" sh -c \
	"'$dest/usr/sbin/coordd' -f -c '$rt/second.conf' 2>'$rt/second.err'; [ \$? = 1 ] &&
	 grep -q 'cannot listen for metrics on $port' '$rt/second.err'"
kill -TERM $cpid 2>/dev/null
wait $cpid 2>/dev/null
rm -rf "$rt"
t "unknown option: exit 2" sh -c "'$dest/usr/sbin/coordd' --bogus; [ \$? = 2 ]"
t "coordctl unknown command: exit 2" sh -c "'$dest/usr/sbin/coordctl' frobnicate; [ \$? = 2 ]"
t "coordctl without coordd: exit 3" sh -c "'$dest/usr/sbin/coordctl' -s '$dest/none.sock' ping; [ \$? = 3 ]"
make -s B="$B" uninstall DESTDIR="$dest" PREFIX=/usr >/dev/null 2>&1
left=$(find "$dest" -type f | wc -l)
t "make uninstall removes every installed file ($left left)" [ "$left" = 0 ]
echo "1..$n"
exit $failed
