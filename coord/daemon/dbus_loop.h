/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Driving one libdbus connection from coordd's libqb loop, so no D-Bus
 * user ever blocks it: DBusWatch <-> qb_loop_poll, DBusTimeout <->
 * qb_loop_timer, and dispatching from the loop (at once from its own
 * callbacks, from a job otherwise).  The glue knows nothing of what the
 * connection is used for: the grace calls (grace.c) and the watch of the
 * local ganesha (detect.c) share it.
 */
#ifndef COORD_DBUS_LOOP_H
#define COORD_DBUS_LOOP_H

#include <dbus/dbus.h>
#include <qb/qbloop.h>

struct coord_dbus_loop;

/*
 * Installs the watch, timeout and dispatch-status functions on conn.
 * NULL when out of memory or libdbus refused them (nothing is left
 * installed then).
 */
struct coord_dbus_loop *coord_dbus_loop_attach(qb_loop_t *loop, DBusConnection *conn);

/* Dispatches from a loop job: for callers that must not re-enter. */
void coord_dbus_loop_queue_dispatch(struct coord_dbus_loop *dl);

/*
 * Uninstalls the functions (libdbus removes its watches and timeouts
 * through them), deletes every poll entry, timer and queued job, and
 * frees dl.  Call before closing the connection.  NULL is a no-op.
 */
void coord_dbus_loop_detach(struct coord_dbus_loop *dl);

#endif
