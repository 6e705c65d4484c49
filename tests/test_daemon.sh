#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# coordd as a process, on this host without corosync (it serves its
# control socket while it retries corosync): what signals do to it.  TAP.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
COORDD=$B/coordd
COORDCTL=$B/coordctl
dir=$(mktemp -d /tmp/coord-daemon.XXXXXX)
pids=
trap 'for p in $pids; do kill -KILL "$p" 2>/dev/null; done; rm -rf "$dir"' EXIT
n=0 failed=0
t() {	# DESCRIPTION command...
	n=$((n + 1)); d=$1; shift
	if "$@" >/dev/null 2>&1; then echo "ok $n - $d"; else echo "not ok $n - $d"; failed=1; fi
}
# A configuration NAME with its own socket and log file, off the host's
# bus and corosync's group: $dir/NAME.conf, $dir/NAME.sock, $dir/NAME.log.
# Each "KEY = VALUE" given replaces that key's line.
conf() {	# NAME ["KEY = VALUE"...]
	name=$1; shift
	{
		printf 'socket = %s/%s.sock\nsocket_group = root\n' "$dir" "$name"
		printf 'log_target = %s/%s.log\nlog_level = info\n' "$dir" "$name"
		printf 'dbus_address = unix:path=%s/no-bus\ndetect = off\n' "$dir"
		printf 'group = coord-daemon-test-%s\n' "$$"
	} >"$dir/$name.conf"
	for line in "$@"; do
		sed -i "/^${line%% *} = /d" "$dir/$name.conf"
		echo "$line" >>"$dir/$name.conf"
	done
}
says() { printf '%s\n' "$1" | grep -q -- "$2"; }	# OUTPUT TEXT
ping_ok() { "$COORDCTL" -s "$dir/$1.sock" -t 2 ping; }
wait_for() {	# SECONDS command...: every 100 ms
	limit=$(($1 * 10)) i=0; shift
	while [ $i -lt "$limit" ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; i=$((i + 1)); done
	return 1
}
has() { grep -q "$2" "$1" 2>/dev/null; }	# FILE TEXT
alive() { kill -0 "$1" 2>/dev/null; }

# --- SIGHUP: the log file reopened (logrotate), nothing else ---
conf hup
"$COORDD" -f -c "$dir/hup.conf" 2>"$dir/hup.err" &
pid=$!
pids="$pids $pid"
t "coordd -f answers ping" wait_for 10 ping_ok hup
mv "$dir/hup.log" "$dir/hup.log.1"
kill -HUP "$pid"
t "SIGHUP: a new log file appears, saying it was reopened" \
	wait_for 10 has "$dir/hup.log" "signal 1: log file $dir/hup.log reopened"
t "  ... coordd still runs" alive "$pid"
t "  ... and answers ping" ping_ok hup
t "  ... nothing more went to the moved file" sh -c "! grep -q reopened '$dir/hup.log.1'"
kill -HUP "$pid"
t "a second SIGHUP: reopened again, coordd still runs" sh -c \
	"i=0; until [ \$(grep -c reopened '$dir/hup.log') = 2 ] || [ \$i = 100 ]; do sleep 0.1; i=\$((i+1)); done;
	 [ \$(grep -c reopened '$dir/hup.log') = 2 ] && kill -0 $pid"
kill -TERM "$pid"
wait "$pid"
rc=$?
t "SIGTERM then: coordd exits 0 (got $rc)" [ "$rc" = 0 ]

# --- coordd -t: what start-up would refuse on this host ---
conf nogroup "socket_group = coord-no-such-group"
out=$("$COORDD" -t -c "$dir/nogroup.conf" 2>&1); rc=$?
t "-t, socket_group that does not exist: exit 3 (got $rc)" [ "$rc" = 3 ]
t "  ... naming the group" says "$out" "no group named 'coord-no-such-group'"
conf nologdir "log_target = $dir/no-such-dir/coordd.log"
out=$("$COORDD" -t -c "$dir/nologdir.conf" 2>&1); rc=$?
t "-t, log directory that does not exist: exit 3 (got $rc)" [ "$rc" = 3 ]
t "  ... naming it" says "$out" "cannot create log file $dir/no-such-dir/coordd.log in $dir/no-such-dir"
conf nosockdir "socket = $dir/a/b/coordd.sock"
out=$("$COORDD" -t -c "$dir/nosockdir.conf" 2>&1); rc=$?
t "-t, socket directory whose parent does not exist: exit 3 (got $rc)" [ "$rc" = 3 ]
t "  ... naming it" says "$out" "the socket's directory $dir/a/b does not exist, nor does its parent"
conf slow "grace_call_timeout_ms = 20000" "barrier_deadline_ms = 10000"
out=$("$COORDD" -t -c "$dir/slow.conf" 2>&1); rc=$?
t "-t, grace_call_timeout_ms above barrier_deadline_ms: exit 0 (legal: a late answer counts), got $rc" [ "$rc" = 0 ]
t "  ... with a warning" says "$out" "warning: grace_call_timeout_ms (20000) is longer than barrier_deadline_ms (10000)"
conf good
out=$("$COORDD" -t -c "$dir/good.conf" 2>&1); rc=$?
t "-t, a good configuration: exit 0 (got $rc)" [ "$rc" = 0 ]
t "  ... without a warning" sh -c "! { printf '%s' \"\$1\" | grep -q warning; }" - "$out"

# --- without -f: coordd returns once started, or with its error ---
out=$("$COORDD" -c "$dir/nogroup.conf" -p "$dir/nogroup.pid" 2>&1); rc=$?
t "detaching, socket_group that does not exist: exit 1 (got $rc)" [ "$rc" = 1 ]
t "  ... saying why on stderr" says "$out" "no group named 'coord-no-such-group'"
t "  ... and no coordd is left (no socket, no pid file)" \
	sh -c "! [ -e '$dir/nogroup.sock' ] && ! [ -e '$dir/nogroup.pid' ]"
out=$("$COORDD" -c "$dir/good.conf" -p "$dir/good.pid" 2>&1); rc=$?
pid=$(cat "$dir/good.pid" 2>/dev/null)
[ -n "$pid" ] && pids="$pids $pid"
t "detaching, a good configuration: exit 0 (got $rc)" [ "$rc" = 0 ]
t "  ... nothing on stderr" [ -z "$out" ]
t "  ... the daemon answers at once" ping_ok good
t "  ... its pid file names it, a process of its own session" sh -c \
	"[ -n '$pid' ] && [ \"\$(ps -o sid= -p '$pid' | tr -d ' ')\" = '$pid' ]"
[ -n "$pid" ] && kill -TERM "$pid"
t "  ... it stops on SIGTERM, removing its pid file" wait_for 10 sh -c "! [ -e '$dir/good.pid' ]"

echo "1..$n"
exit $failed
