#!/bin/sh
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
conf() {	# NAME [LINE...]
	name=$1; shift
	{
		printf 'socket = %s/%s.sock\nsocket_group = root\n' "$dir" "$name"
		printf 'log_target = %s/%s.log\nlog_level = info\n' "$dir" "$name"
		printf 'dbus_address = unix:path=%s/no-bus\ndetect = off\n' "$dir"
		printf 'group = coord-daemon-test-%s\n' "$$"
		for line in "$@"; do echo "$line"; done
	} >"$dir/$name.conf"
}
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

echo "1..$n"
exit $failed
