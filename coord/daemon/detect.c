/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The watch of the local ganesha.nfsd (detect.h).  Everything arrives as
 * a D-Bus signal or reply on the shared connection; the only timers are
 * deadlines (heartbeat, restart wait) and retries (reconnecting to the
 * bus, asking a new owner whether it answers yet).
 *
 * Trust: NameOwnerChanged counts only from the bus itself, a heartbeat
 * only from the current owner of org.ganesha.nfsd (its unique name, as
 * the bus told us): another client on the bus cannot fake either.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <poll.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <qb/qblog.h>

#include "clock.h"
#include "detect.h"
#include "ganesha_bus.h"
#include "timer.h"

#define RECONNECT_MS	1000u	/* no bus: try again */
#define PROBE_RETRY_MS	250u	/* a new owner does not answer yet: doubling */
#define PROBE_RETRY_MAX_MS 8000u

#define MATCH_OWNER	"type='signal',sender='" DBUS_SERVICE_DBUS "',interface='" \
			DBUS_INTERFACE_DBUS "',member='NameOwnerChanged',arg0='" \
			GANESHA_NAME "'"
#define MATCH_HEARTBEAT	"type='signal',sender='" GANESHA_NAME "',path='" \
			GANESHA_HEARTBEAT_PATH "',interface='" GANESHA_ADMIN_IFACE \
			"',member='heartbeat'"

struct coord_detect {
	qb_loop_t *loop;
	struct coord_bus *bus;
	struct coord_detect_config cfg;
	struct coord_detect_ops ops;
	void *ctx;
	DBusConnection *conn;		/* coordd's, while registered */
	char owner[256];		/* its unique name; "": no owner known */
	uint8_t state, how;
	uint64_t since_us;		/* 0: no state yet */
	uint32_t pid;
	int pidfd;			/* -1: none */
	bool pidfd_polled;
	bool killed;			/* SIGKILL sent to this owner */
	bool exited;			/* its pidfd said it is gone */
	bool name_lost_after_kill;
	uint64_t last_heartbeat_us;	/* 0: none from this owner */
	uint32_t heartbeats;
	uint32_t hung;			/* times it turned hung */
	uint64_t lost_us;		/* when the name was lost */
	uint32_t probe_retry_ms;
	int lost_pidfd;			/* polled: an owner that left the bus
					 * while its process ran */
	uint32_t lost_pid;
	struct coord_timer heartbeat_timer, restart_timer, reconnect_timer, probe_timer;
	DBusPendingCall *owner_call, *probe_call, *pid_call;
};

static void set_state(struct coord_detect *d, uint8_t state, uint8_t how)
{
	if (d->state != state)
		qb_log(state == COORD_CTL_LOCAL_UP ? LOG_NOTICE : LOG_WARNING,
		       "local ganesha.nfsd: %s -> %s (%s)",
		       coord_ctl_local_state_name(d->state),
		       coord_ctl_local_state_name(state), coord_ctl_local_how_name(how));
	if (state == COORD_CTL_LOCAL_HUNG && d->state != state)
		d->hung++;
	d->state = state;
	d->how = how;
	d->since_us = coord_now_us();
}

/* ---- timers ---- */

static bool arm(struct coord_timer *t, uint64_t ms, const char *what)
{
	if (coord_timer_arm(t, ms * QB_TIME_NS_IN_MSEC) == 0)
		return true;
	qb_log(LOG_CRIT, "cannot arm the %s timer: the watch of the local "
	       "ganesha.nfsd misses it", what);
	return false;
}

/* ---- calls ---- */

static void cancel_call(DBusPendingCall **call)
{
	if (!*call)
		return;
	dbus_pending_call_cancel(*call);
	dbus_pending_call_unref(*call);
	*call = NULL;
}

/* An asynchronous call whose pending reference is kept in *slot. */
static void call(struct coord_detect *d, const char *dest, const char *path,
		 const char *iface, const char *member, const char *arg,
		 DBusPendingCallNotifyFunction notify, DBusPendingCall **slot)
{
	DBusMessage *msg;
	DBusPendingCall *pending = NULL;

	cancel_call(slot);
	if (!d->conn)
		return;
	msg = dbus_message_new_method_call(dest, path, iface, member);
	if (!msg || (arg && !dbus_message_append_args(msg, DBUS_TYPE_STRING, &arg,
						      DBUS_TYPE_INVALID))) {
		qb_log(LOG_ERR, "out of memory: cannot ask D-Bus %s", member);
		if (msg)
			dbus_message_unref(msg);
		return;
	}
	dbus_message_set_auto_start(msg, FALSE);
	if (!dbus_connection_send_with_reply(d->conn, msg, &pending,
					     (int)d->cfg.call_timeout_ms) || !pending) {
		dbus_message_unref(msg);
		qb_log(LOG_WARNING, "cannot send %s on D-Bus", member);
		return;
	}
	dbus_message_unref(msg);
	*slot = pending;
	if (!dbus_pending_call_set_notify(pending, notify, d, NULL))
		cancel_call(slot);
	else if (dbus_pending_call_get_completed(pending))
		notify(pending, d);
}

/* Takes the reply of *slot's call and forgets the call.  NULL: none. */
static DBusMessage *take_reply(DBusPendingCall *pending, DBusPendingCall **slot)
{
	DBusMessage *reply = dbus_pending_call_steal_reply(pending);

	if (*slot == pending) {
		dbus_pending_call_unref(pending);
		*slot = NULL;
	}
	return reply;
}

/* ---- the server's life ---- */

static void report_dead(struct coord_detect *d, uint8_t how)
{
	coord_timer_disarm(&d->restart_timer);
	set_state(d, COORD_CTL_LOCAL_DOWN, how);
	d->ops.dead(d->ctx);
}

static void forget_process(struct coord_detect *d)
{
	if (d->pidfd_polled)
		qb_loop_poll_del(d->loop, d->pidfd);
	if (d->pidfd >= 0)
		close(d->pidfd);
	d->pidfd = -1;
	d->pidfd_polled = false;
	d->pid = 0;
	d->killed = d->exited = d->name_lost_after_kill = false;
}

static void ask_pid(struct coord_detect *d);
static void probe(struct coord_detect *d);
static void on_restart_timer(void *data);
static void on_probe_timer(void *data);

static bool pidfd_exited(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) != 0;	/* readable (or an error): gone */
}

/* The server has left the bus and its process is gone (or not ours to
 * watch): its death, once any restart wait has passed without it back.
 * One rule for both ways the loss is seen: the bus may tell of a killed
 * process's closed socket before the process has exited (a ganesha with
 * hundreds of threads takes a while), and then the pidfd says it later. */
static void server_gone(struct coord_detect *d)
{
	if (!d->cfg.restart_wait_ms) {
		report_dead(d, COORD_CTL_HOW_BUS_NAME);
		return;
	}
	set_state(d, COORD_CTL_LOCAL_DOWN, COORD_CTL_HOW_BUS_NAME);
	qb_log(LOG_WARNING, "ganesha.nfsd is gone: waiting %u ms for a restart "
	       "before reporting its death", d->cfg.restart_wait_ms);
	if (!arm(&d->restart_timer, d->cfg.restart_wait_ms, "restart wait"))
		report_dead(d, COORD_CTL_HOW_BUS_NAME);
}

static void forget_lost(struct coord_detect *d)
{
	if (d->lost_pidfd < 0)
		return;
	qb_loop_poll_del(d->loop, d->lost_pidfd);
	close(d->lost_pidfd);
	d->lost_pidfd = -1;
}

static int on_lost_pidfd(int fd, int revents, void *data);

/* The server is out of sight on the bus (its name gone, or our connection)
 * while its process runs: watch the process, whose exit is its death.
 * False when it has exited already, or cannot be watched. */
static bool watch_exit(struct coord_detect *d)
{
	if (d->pidfd < 0 || pidfd_exited(d->pidfd) ||
	    qb_loop_poll_add(d->loop, QB_LOOP_MED, d->pidfd, POLLIN, d, on_lost_pidfd) != 0)
		return false;
	forget_lost(d);
	d->lost_pidfd = d->pidfd;
	d->lost_pid = d->pid;
	d->pidfd = -1;
	return true;
}

/* The process whose name left the bus exits: that is its death. */
static int on_lost_pidfd(int fd, int revents, void *data)
{
	struct coord_detect *d = data;

	(void)fd;
	(void)revents;
	qb_log(LOG_WARNING, "ganesha.nfsd (pid %u), off the bus, has exited", d->lost_pid);
	close(d->lost_pidfd);
	d->lost_pidfd = -1;
	server_gone(d);
	return -1;	/* libqb removes this poll entry */
}

static void owner_appeared(struct coord_detect *d, const char *owner)
{
	if (!strcmp(d->owner, owner))
		return;
	forget_lost(d);
	snprintf(d->owner, sizeof(d->owner), "%s", owner);
	forget_process(d);
	d->last_heartbeat_us = 0;
	coord_timer_disarm(&d->heartbeat_timer);
	d->probe_retry_ms = PROBE_RETRY_MS;
	qb_log(LOG_INFO, "ganesha.nfsd owns %s as %s", GANESHA_NAME, owner);
	set_state(d, COORD_CTL_LOCAL_STARTING, COORD_CTL_HOW_BUS_NAME);
	ask_pid(d);
	probe(d);
}

static void owner_lost(struct coord_detect *d)
{
	uint8_t was = d->state;

	d->owner[0] = '\0';
	d->last_heartbeat_us = 0;
	d->lost_us = coord_now_us();
	cancel_call(&d->probe_call);
	cancel_call(&d->pid_call);
	coord_timer_disarm(&d->probe_timer);
	coord_timer_disarm(&d->heartbeat_timer);
	if (d->killed) {
		/* Gone from the bus; dead once its pidfd says so too. */
		if (d->exited || d->pidfd < 0) {
			report_dead(d, COORD_CTL_HOW_KILLED);
			forget_process(d);
		} else {
			d->name_lost_after_kill = true;
		}
		return;
	}
	if (was != COORD_CTL_LOCAL_UP && was != COORD_CTL_LOCAL_HUNG) {
		forget_process(d);
		/* A server that left an earlier bus and still runs is not on
		 * this one, and not down either: the agents take "down" for
		 * no ganesha running.  Its exit is its death (watch_exit). */
		if (was != COORD_CTL_LOCAL_DOWN && d->lost_pidfd < 0)
			set_state(d, COORD_CTL_LOCAL_DOWN, COORD_CTL_HOW_BUS_NAME);
		return;		/* never came up: nothing to report */
	}
	/* Only the name may have gone (a dbus-daemon restart drops every
	 * name): a server whose process still runs is not dead, and keeps its
	 * locks.  Its exit, if it comes, is its death.  (The bus may tell of
	 * a killed process's closed socket a hair before the process has
	 * exited: then the pidfd turns readable at once.) */
	if (watch_exit(d)) {
		forget_process(d);
		set_state(d, COORD_CTL_LOCAL_UNKNOWN, COORD_CTL_HOW_BUS_NAME);
		qb_log(LOG_WARNING, "ganesha.nfsd (pid %u) left the bus but still runs: "
		       "not a death until it exits (its bus went away, or it let go "
		       "of its name)", d->lost_pid);
		return;
	}
	forget_process(d);
	server_gone(d);
}

static void on_restart_timer(void *data)
{
	struct coord_detect *d = data;

	qb_log(LOG_WARNING, "ganesha.nfsd did not come back within %u ms: reporting "
	       "its death", d->cfg.restart_wait_ms);
	report_dead(d, COORD_CTL_HOW_BUS_NAME);
}

static void answered(struct coord_detect *d)
{
	uint8_t how = COORD_CTL_HOW_BUS_NAME;

	if (coord_timer_armed(&d->restart_timer)) {
		coord_timer_disarm(&d->restart_timer);
		how = COORD_CTL_HOW_RESTARTED;
		qb_log(LOG_NOTICE, "ganesha.nfsd restarted and answers %llu ms after "
		       "leaving the bus: no failover",
		       (unsigned long long)(coord_now_us() - d->lost_us) / 1000);
	}
	set_state(d, COORD_CTL_LOCAL_UP, how);
	d->ops.up(d->ctx);
}

static void on_probe_reply(DBusPendingCall *pending, void *data)
{
	struct coord_detect *d = data;
	DBusMessage *reply = take_reply(pending, &d->probe_call);
	bool ok = reply && dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_METHOD_RETURN;

	if (!ok)
		qb_log(LOG_DEBUG, "ganesha.nfsd does not answer get_grace yet: %s",
		       reply && dbus_message_get_error_name(reply) ?
		       dbus_message_get_error_name(reply) : "no reply");
	if (reply)
		dbus_message_unref(reply);
	if (!d->owner[0])
		return;
	if (ok) {
		if (d->state == COORD_CTL_LOCAL_STARTING)
			answered(d);
		return;
	}
	arm(&d->probe_timer, d->probe_retry_ms, "get_grace retry");
	if (d->probe_retry_ms < PROBE_RETRY_MAX_MS)
		d->probe_retry_ms *= 2;
}

static void probe(struct coord_detect *d)
{
	call(d, GANESHA_NAME, GANESHA_ADMIN_PATH, GANESHA_ADMIN_IFACE, "get_grace", NULL,
	     on_probe_reply, &d->probe_call);
}

static void on_probe_timer(void *data)
{
	struct coord_detect *d = data;

	if (d->owner[0] && d->state == COORD_CTL_LOCAL_STARTING)
		probe(d);
}

/* ---- its process: pid, pidfd, stopping it ---- */

static int32_t on_pidfd(int32_t fd, int32_t revents, void *data)
{
	struct coord_detect *d = data;

	(void)fd;
	(void)revents;
	d->pidfd_polled = false;
	d->exited = true;
	qb_log(LOG_NOTICE, "hung ganesha.nfsd (pid %u) is gone", d->pid);
	if (d->name_lost_after_kill) {
		report_dead(d, COORD_CTL_HOW_KILLED);
		forget_process(d);
	}
	return -1;	/* libqb removes this poll entry */
}

static void on_pid_reply(DBusPendingCall *pending, void *data)
{
	struct coord_detect *d = data;
	DBusMessage *reply = take_reply(pending, &d->pid_call);
	dbus_uint32_t pid = 0;

	if (reply && dbus_message_get_args(reply, NULL, DBUS_TYPE_UINT32, &pid,
					   DBUS_TYPE_INVALID) && pid && d->owner[0]) {
		d->pid = pid;
		/* A pidfd names this process, never a later one with its pid. */
		d->pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
		if (d->pidfd < 0)
			qb_log(LOG_INFO, "no pidfd for ganesha.nfsd pid %u: %s", pid,
			       strerror(errno));
	}
	if (reply)
		dbus_message_unref(reply);
}

static void ask_pid(struct coord_detect *d)
{
	call(d, DBUS_SERVICE_DBUS, DBUS_PATH_DBUS, DBUS_INTERFACE_DBUS,
	     "GetConnectionUnixProcessID", d->owner, on_pid_reply, &d->pid_call);
}

static void stop_hung(struct coord_detect *d)
{
	int rc;

	if (d->killed)
		return;
	if (d->pidfd >= 0)
		rc = (int)syscall(SYS_pidfd_send_signal, d->pidfd, SIGKILL, NULL, 0);
	else if (d->pid)
		rc = kill((pid_t)d->pid, SIGKILL);
	else {
		qb_log(LOG_ERR, "cannot stop the hung ganesha.nfsd: its pid is unknown");
		return;
	}
	if (rc < 0) {
		qb_log(LOG_ERR, "cannot stop the hung ganesha.nfsd (pid %u): %s", d->pid,
		       strerror(errno));
		return;
	}
	d->killed = true;
	qb_log(LOG_ERR, "hung ganesha.nfsd (pid %u) stopped with SIGKILL (on_hung = "
	       "kill): its death is reported once it is gone", d->pid);
	if (d->pidfd >= 0 && !d->pidfd_polled) {
		d->pidfd_polled = qb_loop_poll_add(d->loop, QB_LOOP_MED, d->pidfd, POLLIN, d,
						   on_pidfd) == 0;
		if (!d->pidfd_polled)
			d->exited = true;	/* confirmed by the name alone */
	}
}

/* ---- heartbeat ---- */

static void on_heartbeat_timer(void *data);

static void heartbeat(struct coord_detect *d)
{
	d->last_heartbeat_us = coord_now_us();
	d->heartbeats++;
	if (d->state == COORD_CTL_LOCAL_HUNG && !d->killed) {
		qb_log(LOG_NOTICE, "ganesha.nfsd's heartbeat is back");
		set_state(d, COORD_CTL_LOCAL_UP, COORD_CTL_HOW_HEARTBEAT);
	}
	/* Armed by the first heartbeat: a server that sends none (Heartbeat_Freq
	 * = 0) is never called hung. */
	if (d->cfg.heartbeat_timeout_ms && !coord_timer_armed(&d->heartbeat_timer))
		arm(&d->heartbeat_timer, d->cfg.heartbeat_timeout_ms, "heartbeat");
}

static void on_heartbeat_timer(void *data)
{
	struct coord_detect *d = data;
	uint64_t quiet = (coord_now_us() - d->last_heartbeat_us) / 1000;

	if (!d->owner[0] || !d->last_heartbeat_us)
		return;
	if (quiet < d->cfg.heartbeat_timeout_ms) {
		arm(&d->heartbeat_timer, d->cfg.heartbeat_timeout_ms - quiet, "heartbeat");
		return;
	}
	qb_log(LOG_ERR, "no heartbeat from ganesha.nfsd (pid %u) for %llu ms: it is "
	       "hung; %s", d->pid, (unsigned long long)quiet,
	       d->cfg.kill_hung ? "stopping it (on_hung = kill)" :
	       "its VIP stays until it is stopped (on_hung = report)");
	if (d->state != COORD_CTL_LOCAL_DOWN)
		set_state(d, COORD_CTL_LOCAL_HUNG, COORD_CTL_HOW_HEARTBEAT);
	if (d->cfg.kill_hung)
		stop_hung(d);
	/* Re-armed by the next heartbeat. */
}

/* ---- the bus ---- */

static void on_owner_reply(DBusPendingCall *pending, void *data)
{
	struct coord_detect *d = data;
	DBusMessage *reply = take_reply(pending, &d->owner_call);
	const char *owner = NULL;

	if (reply && dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_METHOD_RETURN &&
	    dbus_message_get_args(reply, NULL, DBUS_TYPE_STRING, &owner, DBUS_TYPE_INVALID) &&
	    owner && *owner)
		owner_appeared(d, owner);
	else if (reply && dbus_message_is_error(reply, DBUS_ERROR_NAME_HAS_NO_OWNER))
		owner_lost(d);	/* reports only a server that was up */
	else
		qb_log(LOG_WARNING, "cannot learn who owns %s: %s", GANESHA_NAME,
		       reply && dbus_message_get_error_name(reply) ?
		       dbus_message_get_error_name(reply) : "no reply");
	if (reply)
		dbus_message_unref(reply);
}

static DBusHandlerResult on_message(DBusConnection *conn, DBusMessage *msg, void *data)
{
	struct coord_detect *d = data;
	const char *name = NULL, *old = NULL, *new = NULL, *sender;

	(void)conn;
	if (!d->conn || dbus_message_get_type(msg) != DBUS_MESSAGE_TYPE_SIGNAL)
		return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
	sender = dbus_message_get_sender(msg);
	if (dbus_message_is_signal(msg, DBUS_INTERFACE_DBUS, "NameOwnerChanged") &&
	    sender && !strcmp(sender, DBUS_SERVICE_DBUS) &&
	    dbus_message_get_args(msg, NULL, DBUS_TYPE_STRING, &name, DBUS_TYPE_STRING, &old,
				  DBUS_TYPE_STRING, &new, DBUS_TYPE_INVALID) &&
	    !strcmp(name, GANESHA_NAME)) {
		if (*old && d->owner[0])
			owner_lost(d);
		if (*new)
			owner_appeared(d, new);
	} else if (dbus_message_is_signal(msg, GANESHA_ADMIN_IFACE, "heartbeat") &&
		   dbus_message_has_path(msg, GANESHA_HEARTBEAT_PATH) &&
		   sender && d->owner[0] && !strcmp(sender, d->owner)) {
		heartbeat(d);
	}
	return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
}

static void on_reconnect_timer(void *data);

static void on_connected(void *ctx, DBusConnection *conn)
{
	struct coord_detect *d = ctx;

	coord_timer_disarm(&d->reconnect_timer);
	if (!dbus_connection_add_filter(conn, on_message, d, NULL)) {
		qb_log(LOG_CRIT, "out of memory: the local ganesha.nfsd is not watched");
		return;
	}
	d->conn = conn;
	/* Without an error argument these do not wait for the bus's answer. */
	dbus_bus_add_match(conn, MATCH_OWNER, NULL);
	if (d->cfg.heartbeat_timeout_ms)
		dbus_bus_add_match(conn, MATCH_HEARTBEAT, NULL);
	call(d, DBUS_SERVICE_DBUS, DBUS_PATH_DBUS, DBUS_INTERFACE_DBUS, "GetNameOwner",
	     GANESHA_NAME, on_owner_reply, &d->owner_call);
	qb_log(LOG_INFO, "watching %s on D-Bus%s", GANESHA_NAME,
	       d->cfg.heartbeat_timeout_ms ? " and its heartbeat" : "");
}

static void on_lost(void *ctx)
{
	struct coord_detect *d = ctx;

	if (!d->conn)
		return;		/* a connection we were never told of */
	d->conn = NULL;
	cancel_call(&d->owner_call);
	cancel_call(&d->probe_call);
	cancel_call(&d->pid_call);
	coord_timer_disarm(&d->probe_timer);
	coord_timer_disarm(&d->heartbeat_timer);
	/* The owner is unknown until the next connection says; a server not
	 * found then is not reported: the bus, not it, is what went away.
	 * Its process is still watched: if it exits, that is a death. */
	d->owner[0] = '\0';
	if ((d->state == COORD_CTL_LOCAL_UP || d->state == COORD_CTL_LOCAL_HUNG) &&
	    !d->killed && watch_exit(d))
		qb_log(LOG_INFO, "watching ganesha.nfsd (pid %u) for its exit while "
		       "off the bus", d->lost_pid);
	if (d->state != COORD_CTL_LOCAL_DOWN && d->state != COORD_CTL_LOCAL_UNKNOWN)
		set_state(d, COORD_CTL_LOCAL_UNKNOWN, COORD_CTL_HOW_NONE);
	qb_log(LOG_WARNING, "D-Bus lost: the local ganesha.nfsd is not watched until "
	       "coordd reconnects");
	arm(&d->reconnect_timer, RECONNECT_MS, "D-Bus reconnect");
}

static void on_reconnect_timer(void *data)
{
	struct coord_detect *d = data;

	if (d->conn)
		return;
	coord_bus_connect(d->bus);	/* on_connected() once registered */
	arm(&d->reconnect_timer, RECONNECT_MS, "D-Bus reconnect");
}

/* ---- API ---- */

struct coord_detect *coord_detect_new(qb_loop_t *loop, struct coord_bus *bus,
				      const struct coord_detect_config *cfg,
				      const struct coord_detect_ops *ops, void *ctx)
{
	static const struct coord_bus_user user = {
		.connected = on_connected,
		.lost = on_lost,
	};
	struct coord_detect *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->loop = loop;
	d->bus = bus;
	d->cfg = *cfg;
	d->ops = *ops;
	d->ctx = ctx;
	coord_timer_init(&d->heartbeat_timer, loop, QB_LOOP_MED, on_heartbeat_timer, d);
	coord_timer_init(&d->restart_timer, loop, QB_LOOP_MED, on_restart_timer, d);
	coord_timer_init(&d->reconnect_timer, loop, QB_LOOP_MED, on_reconnect_timer, d);
	coord_timer_init(&d->probe_timer, loop, QB_LOOP_MED, on_probe_timer, d);
	d->pidfd = -1;
	d->lost_pidfd = -1;
	if (!cfg->enabled) {
		d->state = COORD_CTL_LOCAL_OFF;
		return d;
	}
	if (coord_bus_add_user(bus, &user, d) < 0) {
		free(d);
		return NULL;
	}
	if (!d->conn)
		arm(&d->reconnect_timer, RECONNECT_MS, "D-Bus reconnect");
	return d;
}

void coord_detect_note_report(struct coord_detect *d, bool dead)
{
	if (dead && d->state != COORD_CTL_LOCAL_DOWN)
		set_state(d, COORD_CTL_LOCAL_DOWN, COORD_CTL_HOW_CONTROL);
	else if (!dead && d->state != COORD_CTL_LOCAL_UP)
		set_state(d, COORD_CTL_LOCAL_UP, COORD_CTL_HOW_CONTROL);
}

void coord_detect_status(const struct coord_detect *d, struct coord_detect_status *st)
{
	uint64_t now = coord_now_us();

	memset(st, 0, sizeof(*st));
	st->state = d->state;
	st->how = d->how;
	st->flags = (d->conn ? COORD_CTL_LOCAL_WATCHING : 0) |
		    (d->cfg.kill_hung ? COORD_CTL_LOCAL_KILL_HUNG : 0) |
		    (coord_timer_armed(&d->restart_timer) ? COORD_CTL_LOCAL_REPORT_WAIT : 0);
	st->pid = d->pid;
	st->age_us = d->since_us ? now - d->since_us : COORD_CTL_NEVER;
	st->heartbeat_age_us = d->last_heartbeat_us ? now - d->last_heartbeat_us :
			       COORD_CTL_NEVER;
	st->heartbeat_timeout_ms = d->cfg.enabled ? d->cfg.heartbeat_timeout_ms : 0;
	st->heartbeats = d->heartbeats;
	st->hung = d->hung;
}

void coord_detect_free(struct coord_detect *d)
{
	if (!d)
		return;
	if (d->cfg.enabled)
		coord_bus_remove_user(d->bus, d);
	if (d->conn)
		dbus_connection_remove_filter(d->conn, on_message, d);
	cancel_call(&d->owner_call);
	cancel_call(&d->probe_call);
	cancel_call(&d->pid_call);
	coord_timer_disarm(&d->heartbeat_timer);
	coord_timer_disarm(&d->restart_timer);
	coord_timer_disarm(&d->reconnect_timer);
	coord_timer_disarm(&d->probe_timer);
	forget_lost(d);
	forget_process(d);
	free(d);
}
