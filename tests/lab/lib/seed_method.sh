# SPDX-License-Identifier: GPL-2.0-or-later
# The design coord replaces (GlusterFS common-ha, ../shared/seed/), re-created
# on the lab for comparison: when ganesha.nfsd dies on ORIGIN, its monitor
# deletes grace-active; pacemaker's notify action on every survivor sends
# `grace string:<stopped node name>` to its ganesha (nothing reads the
# answer); the monitor sleeps a fixed delay and deletes ganesha-active.
# Here the notify actions start at once (a generous model: no pacemaker
# transition delay) and "deleting ganesha-active" appends to the origin's
# release log, as coordd's release command does in the lab.
#
# GRACE_DELAY: 5 s, ganesha_mon's default grace_delay (glusterfs
# extras/ganesha/ocf/ganesha_mon; 7 s GRACE_DELAY before the notify design).
#
# A late survivor: SEED_LATE_NODE's notify is held until the shell command
# SEED_LATE_UNTIL succeeds (the VIP seen on it, a client granted...), so it
# is late relative to that event, whatever the machine's speed: nothing in
# the old method waits for the notify, which is its flaw.  The hold gives up
# after SEED_LATE_MAX_S (60) s and the notify runs anyway; the case that
# set the condition then finds it never held.

SEED_GRACE_DELAY=${SEED_GRACE_DELAY:-5}

# Polls CMD every 50 ms until it succeeds, MAX s have passed or the lab
# is gone (torn down under a hold that never ended).
seed_hold() {	# MAX CMD
	local max=$1 i=0; shift
	until eval "$*"; do
		i=$((i + 1))
		if [ "$i" -ge $((max * 20)) ] || [ ! -d "$LAB_DIR" ]; then return 1; fi
		sleep 0.05
	done
}

seed_failover() {	# ORIGIN: returns when ganesha-active would be deleted
	local origin=$1 n
	for n in $(seq 1 "$LAB_N"); do
		[ "$n" = "$origin" ] && continue
		# ganesha_grace notify: dbus-send, the reply is not checked.
		(
			if [ "$n" = "${SEED_LATE_NODE:-}" ]; then
				seed_hold "${SEED_LATE_MAX_S:-60}" "${SEED_LATE_UNTIL:-true}"
			fi
			lab_exec "$n" dbus-send --system --print-reply --reply-timeout=30000 \
				--dest=org.ganesha.nfsd /org/ganesha/nfsd/admin \
				org.ganesha.nfsd.admin.grace "string:node$origin"
		) >/dev/null 2>&1 &
	done
	sleep "$SEED_GRACE_DELAY"
	echo "$(date +%s%6N) seed-method fixed-sleep" >>"$LAB_DIR/$origin/release.log"
}
