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

SEED_GRACE_DELAY=${SEED_GRACE_DELAY:-5}

seed_failover() {	# ORIGIN: returns when ganesha-active would be deleted
	local origin=$1 n
	for n in $(seq 1 "$LAB_N"); do
		[ "$n" = "$origin" ] && continue
		# ganesha_grace notify: dbus-send, the reply is not checked.
		# SEED_LATE_NODE's notify runs SEED_LATE_S seconds late.
		(
			[ "$n" = "${SEED_LATE_NODE:-}" ] && sleep "${SEED_LATE_S:-0}"
			lab_exec "$n" dbus-send --system --print-reply --reply-timeout=30000 \
				--dest=org.ganesha.nfsd /org/ganesha/nfsd/admin \
				org.ganesha.nfsd.admin.grace "string:node$origin"
		) >/dev/null 2>&1 &
	done
	sleep "$SEED_GRACE_DELAY"
	echo "$(date +%s%6N) seed-method fixed-sleep" >>"$LAB_DIR/$origin/release.log"
}
