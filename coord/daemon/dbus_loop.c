/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libdbus <-> libqb: one poll entry per socket (libdbus may keep a read
 * and a write watch on the same fd), one loop timer per enabled
 * DBusTimeout (libdbus timeouts repeat while enabled), and dispatching
 * after every callback that may have read a message.  A user may detach
 * the glue from inside a dispatch (a filter that drops a dead
 * connection): it is then freed when that dispatch returns.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <qb/qblog.h>

#include "dbus_loop.h"
#include "timer.h"

#define MAX_WATCHES	16

struct timeout_slot {
	struct coord_dbus_loop *dl;
	DBusTimeout *t;
	struct coord_timer timer;
};

struct coord_dbus_loop {
	qb_loop_t *loop;
	DBusConnection *conn;
	bool dispatch_queued;
	bool detached;			/* freed when the dispatch depth drops to 0 */
	unsigned depth;			/* dispatches under way */
	DBusWatch *watches[MAX_WATCHES];
	size_t n_watches;
	int polled_fds[MAX_WATCHES];
	size_t n_polled;
	struct timeout_slot **timeouts;	/* one per pending call: grows */
	size_t n_timeouts, cap_timeouts;
};

/* Dispatches every message already read, now. */
static void dispatch_now(struct coord_dbus_loop *dl)
{
	dl->depth++;
	while (!dl->detached &&
	       dbus_connection_dispatch(dl->conn) == DBUS_DISPATCH_DATA_REMAINS)
		;
	if (--dl->depth == 0 && dl->detached)
		free(dl);
}

static void dispatch_job(void *data)
{
	struct coord_dbus_loop *dl = data;

	dl->dispatch_queued = false;
	dispatch_now(dl);
}

void coord_dbus_loop_queue_dispatch(struct coord_dbus_loop *dl)
{
	if (dl->dispatch_queued || dl->detached)
		return;
	if (qb_loop_job_add(dl->loop, QB_LOOP_HIGH, dl, dispatch_job) == 0)
		dl->dispatch_queued = true;
	else
		qb_log(LOG_ERR, "cannot queue a D-Bus dispatch: it waits for the next "
		       "activity on the bus");
}

static void on_dispatch_status(DBusConnection *conn, DBusDispatchStatus status, void *data)
{
	(void)conn;
	if (status == DBUS_DISPATCH_DATA_REMAINS)
		coord_dbus_loop_queue_dispatch(data);
}

/* ---- watches ---- */

static int32_t on_fd(int32_t fd, int32_t revents, void *data);

static void sync_fd(struct coord_dbus_loop *dl, int fd)
{
	unsigned flags = 0;
	int32_t events = 0;
	size_t i;
	bool polled = false;

	for (i = 0; i < dl->n_watches; i++)
		if (dbus_watch_get_unix_fd(dl->watches[i]) == fd &&
		    dbus_watch_get_enabled(dl->watches[i]))
			flags |= dbus_watch_get_flags(dl->watches[i]);
	if (flags & DBUS_WATCH_READABLE)
		events |= POLLIN;
	if (flags & DBUS_WATCH_WRITABLE)
		events |= POLLOUT;
	for (i = 0; i < dl->n_polled; i++)
		if (dl->polled_fds[i] == fd)
			polled = true;
	if (flags && !polled) {
		if (qb_loop_poll_add(dl->loop, QB_LOOP_HIGH, fd, events, dl, on_fd) == 0)
			dl->polled_fds[dl->n_polled++] = fd;
		else
			qb_log(LOG_CRIT, "cannot poll the D-Bus socket: its replies and "
			       "signals are not read");
	} else if (flags && polled) {
		if (qb_loop_poll_mod(dl->loop, QB_LOOP_HIGH, fd, events, dl, on_fd) != 0)
			qb_log(LOG_ERR, "cannot change the D-Bus socket's poll events");
	} else if (!flags && polled) {
		qb_loop_poll_del(dl->loop, fd);
		for (i = 0; i < dl->n_polled; i++)
			if (dl->polled_fds[i] == fd)
				dl->polled_fds[i] = dl->polled_fds[--dl->n_polled];
	}
}

static DBusWatch *watch_for(struct coord_dbus_loop *dl, int fd, unsigned flag)
{
	size_t i;

	for (i = 0; i < dl->n_watches; i++)
		if (dbus_watch_get_unix_fd(dl->watches[i]) == fd &&
		    dbus_watch_get_enabled(dl->watches[i]) &&
		    (dbus_watch_get_flags(dl->watches[i]) & flag))
			return dl->watches[i];
	return NULL;
}

static int32_t on_fd(int32_t fd, int32_t revents, void *data)
{
	struct coord_dbus_loop *dl = data;
	unsigned extra = ((revents & POLLHUP) ? DBUS_WATCH_HANGUP : 0) |
			 ((revents & POLLERR) ? DBUS_WATCH_ERROR : 0);
	DBusWatch *w;

	/* Look the watch up again after each handle: handling may remove it. */
	if ((revents & (POLLIN | POLLHUP | POLLERR)) &&
	    (w = watch_for(dl, fd, DBUS_WATCH_READABLE)))
		dbus_watch_handle(w, DBUS_WATCH_READABLE | extra);
	if ((revents & POLLOUT) && (w = watch_for(dl, fd, DBUS_WATCH_WRITABLE)))
		dbus_watch_handle(w, DBUS_WATCH_WRITABLE | extra);
	dispatch_now(dl);
	return 0;
}

static dbus_bool_t add_watch(DBusWatch *w, void *data)
{
	struct coord_dbus_loop *dl = data;

	if (dl->n_watches == MAX_WATCHES)
		return FALSE;
	dl->watches[dl->n_watches++] = w;
	sync_fd(dl, dbus_watch_get_unix_fd(w));
	return TRUE;
}

static void remove_watch(DBusWatch *w, void *data)
{
	struct coord_dbus_loop *dl = data;
	size_t i;

	for (i = 0; i < dl->n_watches; i++)
		if (dl->watches[i] == w)
			dl->watches[i] = dl->watches[--dl->n_watches];
	sync_fd(dl, dbus_watch_get_unix_fd(w));
}

static void toggle_watch(DBusWatch *w, void *data)
{
	sync_fd(data, dbus_watch_get_unix_fd(w));
}

/* ---- timeouts ---- */

static struct timeout_slot *slot_of(struct coord_dbus_loop *dl, DBusTimeout *t)
{
	size_t i;

	for (i = 0; i < dl->n_timeouts; i++)
		if (dl->timeouts[i]->t == t)
			return dl->timeouts[i];
	return NULL;
}

static void on_timer(void *data);

static void arm_timeout(struct timeout_slot *s)
{
	if (coord_timer_armed(&s->timer) || !dbus_timeout_get_enabled(s->t))
		return;
	if (coord_timer_arm(&s->timer, (uint64_t)dbus_timeout_get_interval(s->t) *
			    QB_TIME_NS_IN_MSEC) != 0)
		qb_log(LOG_CRIT, "cannot arm a D-Bus timeout: a call without an "
		       "answer may wait for ever");
}

static void disarm_timeout(struct timeout_slot *s)
{
	coord_timer_disarm(&s->timer);
}

static void on_timer(void *data)
{
	struct timeout_slot *s = data;
	struct coord_dbus_loop *dl = s->dl;
	DBusTimeout *t = s->t;

	dbus_timeout_handle(t);
	/* libdbus timeouts repeat while enabled, unless handling removed it. */
	s = slot_of(dl, t);
	if (s)
		arm_timeout(s);
	dispatch_now(dl);
}

static dbus_bool_t add_timeout(DBusTimeout *t, void *data)
{
	struct coord_dbus_loop *dl = data;
	struct timeout_slot *s;

	if (dl->n_timeouts == dl->cap_timeouts) {
		size_t cap = dl->cap_timeouts ? 2 * dl->cap_timeouts : 16;
		struct timeout_slot **grown = realloc(dl->timeouts, cap * sizeof(*grown));

		if (!grown)
			return FALSE;
		dl->timeouts = grown;
		dl->cap_timeouts = cap;
	}
	if (!(s = calloc(1, sizeof(*s))))
		return FALSE;
	s->dl = dl;
	s->t = t;
	coord_timer_init(&s->timer, dl->loop, QB_LOOP_HIGH, on_timer, s);
	dl->timeouts[dl->n_timeouts++] = s;
	arm_timeout(s);
	return TRUE;
}

static void remove_timeout(DBusTimeout *t, void *data)
{
	struct coord_dbus_loop *dl = data;
	size_t i;

	for (i = 0; i < dl->n_timeouts; i++) {
		if (dl->timeouts[i]->t != t)
			continue;
		disarm_timeout(dl->timeouts[i]);
		free(dl->timeouts[i]);
		dl->timeouts[i] = dl->timeouts[--dl->n_timeouts];
		return;
	}
}

static void toggle_timeout(DBusTimeout *t, void *data)
{
	struct timeout_slot *s = slot_of(data, t);

	if (!s)
		return;
	disarm_timeout(s);
	arm_timeout(s);
}

/* ---- attach, detach ---- */

struct coord_dbus_loop *coord_dbus_loop_attach(qb_loop_t *loop, DBusConnection *conn)
{
	struct coord_dbus_loop *dl = calloc(1, sizeof(*dl));

	if (!dl)
		return NULL;
	dl->loop = loop;
	dl->conn = conn;
	if (!dbus_connection_set_watch_functions(conn, add_watch, remove_watch,
						 toggle_watch, dl, NULL) ||
	    !dbus_connection_set_timeout_functions(conn, add_timeout, remove_timeout,
						   toggle_timeout, dl, NULL)) {
		coord_dbus_loop_detach(dl);
		return NULL;
	}
	dbus_connection_set_dispatch_status_function(conn, on_dispatch_status, dl, NULL);
	return dl;
}

void coord_dbus_loop_detach(struct coord_dbus_loop *dl)
{
	if (!dl || dl->detached)
		return;
	/* libdbus calls the old remove functions for what it still holds. */
	dbus_connection_set_watch_functions(dl->conn, NULL, NULL, NULL, NULL, NULL);
	dbus_connection_set_timeout_functions(dl->conn, NULL, NULL, NULL, NULL, NULL);
	dbus_connection_set_dispatch_status_function(dl->conn, NULL, NULL, NULL);
	while (dl->n_polled)
		qb_loop_poll_del(dl->loop, dl->polled_fds[--dl->n_polled]);
	while (dl->n_timeouts) {
		struct timeout_slot *s = dl->timeouts[--dl->n_timeouts];

		disarm_timeout(s);
		free(s);
	}
	free(dl->timeouts);
	dl->timeouts = NULL;
	if (dl->dispatch_queued)
		qb_loop_job_del(dl->loop, QB_LOOP_HIGH, dl, dispatch_job);
	dl->detached = true;
	if (dl->depth == 0)
		free(dl);
}
