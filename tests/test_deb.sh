#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian package, as an operator gets it: make deb, lintian (no error,
# no warning), apt-get install of the .deb on this machine, its files and
# agents' meta-data, the installed coordd in a lab node (and autopkgtest's
# own test, null virt server), then purge, leaving nothing of it.  The
# package never stays installed: the trap purges it, also on failure.
# TAP.  Needs root.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
COORD_TOP=$(pwd)
. tests/lab/lib/lab.sh
. tests/lab/lib/coord_lab.sh

if [ "$(id -u)" != 0 ]; then
	echo "not ok 1 - the package test needs root (apt-get install)"
	exit 1
fi
if dpkg-query -W -f='${Status}' coord 2>/dev/null | grep -q 'installed'; then
	echo "not ok 1 - coord is already installed here: not touching it"
	exit 1
fi

APT="apt-get -y -q -o DPkg::Lock::Timeout=300"
# coordd's own paths on this machine: those the purge must remove, which
# the clean-up removes too (a failed purge leaves nothing either), but
# only those that were not there before this test.
COORD_PATHS="/etc/coord /var/lib/coord /run/coord /var/log/coord"
ours=
for p in $COORD_PATHS; do [ -e "$p" ] || ours="$ours $p"; done
installed=0 agent_pid=
cleanup() {
	lab_down
	[ -n "$agent_pid" ] && kill -KILL "$agent_pid" 2>/dev/null
	# shellcheck disable=SC2086
	[ $installed = 1 ] && DEBIAN_FRONTEND=noninteractive $APT purge coord >/dev/null 2>&1
	dpkg-query -W -f='${Status}' coord 2>/dev/null | grep -q 'installed' &&
		dpkg --purge coord >/dev/null 2>&1
	# shellcheck disable=SC2086
	[ -n "$ours" ] && rm -rf $ours
	rm -rf "$work"
}
work=$(mktemp -d /tmp/coord-deb.XXXXXX)
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- build and lint ----
if make -s B="$B" deb >"$work/build.log" 2>&1; then
	ok "make deb (dpkg-buildpackage -us -uc -b)"
else
	tail -n 30 "$work/build.log" | sed 's/^/#   /'
	not_ok "make deb"
	echo "1..$T"; exit 1
fi
deb=$(realpath "$B"/deb/coord_*_*.deb)	# apt-get install takes a path
changes=$(realpath "$B"/deb/coord_*_*.changes)
check "the tree has no build products of the package (debian/coord, ../*.deb)" \
	sh -c "[ ! -e debian/coord ] && [ ! -e debian/files ] && ! ls ../coord_*.deb >/dev/null 2>&1"
# An overridden tag still fails --fail-on when --show-overrides shows it:
# the overrides (debian/coord.lintian-overrides, each with its reason) are
# listed from a second run.
lintian --fail-on error,warning -L '>=info' "$changes" "$deb" >"$work/lintian.out" 2>&1
rc=$?
sed 's/^/#   lintian: /' "$work/lintian.out" | grep -v 'root privileges'
lintian --show-overrides "$deb" 2>/dev/null | grep '^O: ' | sed 's/^/#   lintian, overridden: /'
check "lintian on the .changes and the .deb: no error, no warning (exit $rc)" [ "$rc" = 0 ]

# Every file it ships under /etc is a conffile: dpkg keeps an edited one
# on upgrade and removes it on purge (the configuration, and a logrotate
# rule or any other file make install puts there).
dpkg-deb --fsys-tarfile "$deb" | tar -t | sed -n 's|^\./etc/\(.*[^/]\)$|/etc/\1|p' >"$work/etc-files"
dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles >"$work/conffiles" 2>/dev/null
notconf=$(grep -vxFf "$work/conffiles" "$work/etc-files")
check "every file the package ships under /etc is a conffile ($(tr '\n' ' ' <"$work/etc-files"))${notconf:+; not: $notconf}" \
	test -s "$work/etc-files" -a -z "$notconf"

# ---- what apt brings for it on a bare node, without recommends ----
# apt's own resolution from an empty package database: the package of
# each program coord runs (as dpkg -S names it here) must be among those
# it would install, and one of those that create the haclient group.
: >"$work/empty-status"
apt-get -s -q -o Dir::State::status="$work/empty-status" install --no-install-recommends "$deb" 2>&1 |
	awk '/^Inst /{print $2}' >"$work/closure"
for f in /usr/sbin/corosync /usr/bin/dbus-daemon /usr/bin/dbus-send /usr/sbin/attrd_updater \
	 /usr/sbin/cibadmin /usr/sbin/crm_resource /usr/lib/ocf/lib/heartbeat/ocf-shellfuncs; do
	p=$(dpkg -S "$f" 2>/dev/null | head -n 1 | cut -d: -f1)
	check "a bare node gets $f from coord's dependencies (${p:-no package ships it here})" \
		grep -qx "${p:-none}" "$work/closure"
done
grep -l '^ *addgroup --system haclient' /var/lib/dpkg/info/*.postinst | sed 's|.*/||; s|\.postinst$||' >"$work/haclient"
check "... and haclient, from a package that creates it ($(tr '\n' ' ' <"$work/haclient"))" \
	grep -qxFf "$work/haclient" "$work/closure"

# ---- install ----
# The package's paths (directories too) that exist before it: the others
# are its own, and the purge must remove each.
dpkg-deb --fsys-tarfile "$deb" | tar -t | sed 's|^\./|/|; s|/$||' | grep . |
	while read -r f; do [ -e "$f" ] && echo "$f"; done >"$work/before"
export DEBIAN_FRONTEND=noninteractive
installed=1
# shellcheck disable=SC2086
$APT install --no-install-recommends "$deb" >"$work/install.log" 2>&1
rc=$?
[ $rc = 0 ] || tail -n 20 "$work/install.log" | sed 's/^/#   /'
check "apt-get install $deb (exit $rc)" [ "$rc" = 0 ]
dpkg -L coord | sort >"$work/files"
# What the package itself ships (not the directories it shares: /lib...).
dpkg-deb --fsys-tarfile "$deb" | tar -t | grep -v '/$' | sed 's|^\./|/|' >"$work/shipped"
for f in /usr/sbin/coordd /usr/sbin/coordctl /usr/lib/ocf/resource.d/coord/coordd \
	 /usr/lib/ocf/resource.d/coord/ganesha_coord_mon /usr/lib/ocf/resource.d/coord/ganesha_coord_gate \
	 /usr/lib/ocf/resource.d/coord/coord_vip /usr/lib/ocf/lib/coord/gate.sh \
	 /lib/systemd/system/coordd.service \
	 /usr/share/man/man8/coordd.8.gz /usr/share/man/man8/coordctl.8.gz \
	 /usr/share/man/man5/coordd.conf.5.gz /etc/coord/coordd.conf \
	 /usr/share/doc/coord/copyright /usr/share/doc/coord/README.Debian \
	 /usr/share/coord/coord-dashboard.json /usr/share/coord/coord-alerts.yml \
	 /usr/share/coord/prometheus-example.yml /usr/share/coord/alertmanager-example.yml; do
	check "installed $f" sh -c "grep -qx '$f' '$work/files' && [ -s '$f' ]"
done
check "/var/lib/coord (the blackbox's directory) is the package's, for coordd under pacemaker too" \
	sh -c "grep -qx /var/lib/coord '$work/files' && [ -d /var/lib/coord ]"
check "/etc/coord/coordd.conf is a conffile" sh -c "dpkg-query -W -f='\${Conffiles}' coord | grep -q ' /etc/coord/coordd.conf '"
check "the unit is enabled (multi-user.target.wants)" \
	test -L /etc/systemd/system/multi-user.target.wants/coordd.service
check "... and not started: the postinst never starts it" \
	sh -c "! grep -q 'deb-systemd-invoke.*start' /var/lib/dpkg/info/coord.postinst"
check "the unit is Type=notify with a watchdog" \
	sh -c "grep -qx 'Type=notify' /lib/systemd/system/coordd.service && grep -q '^WatchdogSec=' /lib/systemd/system/coordd.service"
check "installed coordd accepts the installed configuration" \
	sh -c "/usr/sbin/coordd -t -c /etc/coord/coordd.conf >/dev/null"
for a in coordd ganesha_coord_mon ganesha_coord_gate coord_vip; do
	crm_resource --show-metadata "ocf:coord:$a" >"$work/$a.xml" 2>&1
	check "crm_resource --show-metadata ocf:coord:$a: the agent's meta-data" \
		grep -q "<resource-agent name=\"$a\"" "$work/$a.xml"
done
check "man coordd finds the installed page" sh -c "man -w coordd | grep -q '^/usr/share/man/man8/coordd.8.gz$'"

# ---- the installed coordd in a lab node ----
if lab_up 1; then
	ok "lab bring-up (1 node)"
	coord_config 1 release
	echo "metrics_listen = 198.18.0.1:9479" >>"$LAB_DIR/1/coordd.conf"
	lab_bg 1 "$LAB_DIR/1/coordd.out" /usr/sbin/coordd -f -c "$LAB_DIR/1/coordd.conf" \
		-p "$LAB_DIR/1/coordd.pid" >/dev/null
	COORDCTL=/usr/sbin/coordctl
	check "installed coordd joins the lab's group (installed coordctl)" wait_coord_members 1 1
	m=$(lab_exec 1 curl -sf --max-time 5 http://198.18.0.1:9479/metrics | grep -c '^coord_joined 1$')
	check "installed coordd serves its metrics: coord_joined 1 ($m)" [ "$m" = 1 ]
	ctl 1 metrics >"$work/metrics.txt" 2>&1
	check "installed coordctl metrics: promtool check metrics accepts it" \
		sh -c "promtool check metrics <'$work/metrics.txt'"
	coord_stop 1
	lab_down
else
	not_ok "lab bring-up (1 node)"
fi

# ---- coordd run by pacemaker's agent, outside systemd ----
# The installed ocf:coord:coordd agent starts the installed coordd on this
# machine, as pacemaker would (corosync is away: coordd serves its control
# socket); its pid file is the agent's default, /run/coord/coordd.pid.
cat >"$work/agent.conf" <<CONF
socket = $work/agent.sock
socket_group = root
log_target = $work/agent.log
CONF
agent() {	# ACTION: the installed agent, as pacemaker's executor runs it
	env OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=coordd-test \
		OCF_RESKEY_config="$work/agent.conf" /usr/lib/ocf/resource.d/coord/coordd "$1"
}
gone() {	# PID: waits (bounded) until it no longer runs
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	! kill -0 "$1" 2>/dev/null
}
ulimit -c 0	# the crash below writes the blackbox, not a core file
agent start >"$work/agent.out" 2>&1
rc=$?
agent_pid=$(cat /run/coord/coordd.pid 2>/dev/null)
check "the installed agent starts the installed coordd (exit $rc, pid ${agent_pid:-none})" \
	sh -c "[ $rc = 0 ] && [ \"\$(readlink /proc/${agent_pid:-0}/exe)\" = /usr/sbin/coordd ]"
# A crash writes its blackbox to /var/lib/coord: the package's directory,
# for no StateDirectory= makes it for a coordd outside systemd.
[ -n "$agent_pid" ] && kill -SEGV "$agent_pid"
check "a crashed coordd (SIGSEGV) is gone" gone "${agent_pid:-0}"
check "... and wrote its blackbox to /var/lib/coord/coordd-blackbox" test -s /var/lib/coord/coordd-blackbox
# Started again, it runs while the package is purged (below).
agent start >"$work/agent.out" 2>&1
rc=$?
agent_pid=$(cat /run/coord/coordd.pid 2>/dev/null)
check "the agent starts it again (exit $rc): it runs through the purge" \
	sh -c "[ $rc = 0 ] && [ -n '$agent_pid' ] && kill -0 '$agent_pid'"
check "the package's prerm stops coordd.service on removal under systemd (deb-systemd-invoke stop)" \
	grep -q "deb-systemd-invoke stop .*coordd.service" /var/lib/dpkg/info/coord.prerm

# ---- autopkgtest (debian/tests), null virt server: runs here, as root ----
mkdir -p "$work/src"
cp -a debian "$work/src/"
autopkgtest --no-built-binaries "$deb" "$work/src" -- null >"$work/autopkgtest.log" 2>&1
rc=$?
grep -E '^(installed|autopkgtest)|PASS|FAIL|SKIP' "$work/autopkgtest.log" | sed 's/^/#   /' | tail -n 5
check "autopkgtest (null virt server): debian/tests pass (exit $rc)" [ "$rc" = 0 ]

# ---- purge: coordd stopped, nothing of it left ----
# shellcheck disable=SC2086
$APT purge coord >"$work/purge.log" 2>&1
rc=$?
check "apt-get purge coord (exit $rc)" [ "$rc" = 0 ]
installed=0
sed -n '/^coord:/,/^[^ ]/p' "$work/purge.log" | sed 's/^/#   /'
check "the purge stopped the coordd the agent started (pid ${agent_pid:-none})" gone "${agent_pid:-0}"
check "... and said what to do with the node's resources first (pcs node standby)" \
	grep -q 'pcs node standby' "$work/purge.log"
left=$(grep -vx '/\.' "$work/files" | grep -vxFf "$work/before" | while read -r f; do [ -e "$f" ] || [ -L "$f" ] && echo "$f"; done)
check "every path of dpkg -L coord that the package made is gone (${left:-none left})" [ -z "$left" ]
for p in $ours; do
	check "purged: no $p" sh -c "[ ! -e '$p' ]"
done
check "dpkg knows no file of coord" sh -c "! dpkg -L coord >/dev/null 2>&1"
check "dpkg: coord is not installed" sh -c "! dpkg-query -W -f='\${Status}' coord 2>/dev/null | grep -q installed"
left=$(while read -r f; do [ -e "$f" ] || [ -L "$f" ] && echo "$f"; done <"$work/shipped")
check "every file the package shipped ($(wc -l <"$work/shipped")) is gone (${left:-none left})" [ -z "$left" ]
for p in /usr/lib/ocf/resource.d/coord /usr/lib/ocf/lib/coord /lib/systemd/system/coordd.service \
	 /etc/systemd/system/multi-user.target.wants/coordd.service /var/lib/systemd/deb-systemd-helper-enabled/coordd.service \
	 /usr/share/doc/coord /usr/share/coord; do
	check "purged: no $p" sh -c "[ ! -e '$p' ] && [ ! -L '$p' ]"
done

echo "1..$T"
[ "$FAILED" = 0 ]
