#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The lab's release command on the real stack: at the very moment of the
# release it records what every other node's real ganesha answers to
# get_grace, then deletes ganesha-active as the default release does.
# Usage (release_command): release_probe.sh LAB_DIR SELF NODES
dir=$1 self=$2 nodes=$3
t=$(date +%s%6N)
for i in $(seq 1 "$nodes"); do
	[ "$i" = "$self" ] && continue
	g=$(DBUS_SYSTEM_BUS_ADDRESS="unix:path=$dir/$i/bus.sock" timeout 5 dbus-send --system \
		--print-reply --dest=org.ganesha.nfsd /org/ganesha/nfsd/admin \
		org.ganesha.nfsd.admin.get_grace 2>/dev/null | awk '/boolean/ {print $2; exit}')
	echo "$t $COORD_EVENT node$i get_grace=${g:-no-answer}" >>"$dir/$self/release-probe.log"
done
attrd_updater -D -n ganesha-active
rc=$?
echo "$(date +%s%6N) $COORD_EVENT $COORD_OUTCOME rc=$rc" >>"$dir/$self/release.log"
exit $rc
