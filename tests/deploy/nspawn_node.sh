#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs systemd-nspawn in a cgroup of its own: CGROUP (a path relative to
# the hierarchies' roots) in the named systemd hierarchy and in the unified
# one.  This machine's PID 1 is not systemd, so nspawn (--keep-unit) takes
# the cgroup it is started in for the container's: several containers in
# one cgroup would share it (/work/shared/DEPLOY-LAB.md).
# --restart-unless FILE: boot again when the node rebooted itself (nspawn
# exits 133), unless FILE exists (the lab's crash and tear-down).
# Usage: nspawn_node.sh CGROUP [--restart-unless FILE] -- systemd-nspawn-args...
set -u
cg=$1; shift
flag=
[ "$1" = --restart-unless ] && { flag=$2; shift 2; }
[ "$1" = -- ] && shift
for h in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
	mkdir -p "$h/$cg" && echo $$ >"$h/$cg/cgroup.procs" || exit 1
done
[ -n "$flag" ] || exec systemd-nspawn "$@"
while :; do
	systemd-nspawn "$@"
	rc=$?
	[ "$rc" = 133 ] && [ ! -e "$flag" ] || exit "$rc"
done
