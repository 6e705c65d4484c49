/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordd's one connection to the system bus, shared by its users: the
 * grace client (calls to ganesha, grace.c) and the watch of the local
 * ganesha (detect.c).
 *
 * Nothing blocks the loop: the connection is opened, driven by libqb
 * (dbus_loop.c) and registered with an asynchronous Hello.  It can be sent
 * on at once (the bus handles calls after Hello, in order).  Each user is
 * told connected() once Hello is answered (add match rules and filters
 * there) and lost() whenever a connection ends, registered or not: the
 * calls it has in flight will not be answered (on a disconnect libdbus
 * hands their synthesized NoReply errors to the filters, not to them).
 * Both from the loop.
 */
#ifndef COORD_BUS_H
#define COORD_BUS_H

#include <stdbool.h>
#include <stdint.h>
#include <dbus/dbus.h>
#include <qb/qbloop.h>

struct coord_bus;

struct coord_bus_user {
	void (*connected)(void *ctx, DBusConnection *conn);
	void (*lost)(void *ctx);
};

/* address NULL or "": the system bus ($DBUS_SYSTEM_BUS_ADDRESS if set).
 * Connects now, so the first failover does not pay for it; a failure here
 * is retried by the next coord_bus_connect() or coord_bus_sender(). */
struct coord_bus *coord_bus_new(qb_loop_t *loop, const char *address,
				uint32_t hello_timeout_ms);

/* At most COORD_BUS_MAX_USERS, each with a ctx of its own.  If the
 * connection is registered already, connected() is called now. */
#define COORD_BUS_MAX_USERS 4
int coord_bus_add_user(struct coord_bus *b, const struct coord_bus_user *user, void *ctx);
void coord_bus_remove_user(struct coord_bus *b, void *ctx);

/* Connects now unless connected: 0 (connecting), or -errno: -EAGAIN when
 * a lost connection is still being dropped. */
int coord_bus_connect(struct coord_bus *b);

/* The connection to send on now: a dead one is replaced first (its users
 * told lost()), none is opened.  NULL when the bus cannot be reached. */
DBusConnection *coord_bus_sender(struct coord_bus *b);

/* Sends what was queued and dispatches what came, from the loop. */
void coord_bus_flush(struct coord_bus *b);

bool coord_bus_registered(const struct coord_bus *b);
const char *coord_bus_address(const struct coord_bus *b);

void coord_bus_free(struct coord_bus *b);

#endif
