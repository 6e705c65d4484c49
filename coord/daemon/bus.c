/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordd's connection to the system bus: opened privately, driven by
 * libqb, registered asynchronously, replaced when lost.  bus.h says what
 * its users are told.
 *
 * A lost connection is seen as the local Disconnected signal, inside a
 * dispatch of that connection: it is closed from a loop job, not there.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dbus/dbus.h>
#include <qb/qblog.h>

#include "bus.h"
#include "dbus_loop.h"

struct user {
	const struct coord_bus_user *ops;
	void *ctx;
};

struct coord_bus {
	qb_loop_t *loop;
	char address[512];
	uint32_t hello_timeout_ms;
	DBusConnection *conn;
	struct coord_dbus_loop *glue;	/* drives conn from the loop */
	bool registered;
	bool lost_told;			/* users told this connection is gone */
	bool teardown_queued;
	struct user users[COORD_BUS_MAX_USERS];
};

static void tell_connected(struct coord_bus *b)
{
	size_t i;

	for (i = 0; i < COORD_BUS_MAX_USERS; i++)
		if (b->users[i].ops && b->users[i].ops->connected)
			b->users[i].ops->connected(b->users[i].ctx, b->conn);
}

/* Once per connection, whether it was registered or not. */
static void tell_lost(struct coord_bus *b)
{
	size_t i;

	if (b->lost_told)
		return;
	b->lost_told = true;
	for (i = 0; i < COORD_BUS_MAX_USERS; i++)
		if (b->users[i].ops && b->users[i].ops->lost)
			b->users[i].ops->lost(b->users[i].ctx);
}

static void drop_connection(struct coord_bus *b)
{
	tell_lost(b);
	coord_dbus_loop_detach(b->glue);
	b->glue = NULL;
	dbus_connection_close(b->conn);
	dbus_connection_unref(b->conn);
	b->conn = NULL;
	b->registered = false;
}

static bool dead(const struct coord_bus *b)
{
	return b->conn && !dbus_connection_get_is_connected(b->conn);
}

static void teardown_job(void *data)
{
	struct coord_bus *b = data;

	b->teardown_queued = false;
	if (dead(b))
		drop_connection(b);
}

static DBusHandlerResult on_message(DBusConnection *conn, DBusMessage *msg, void *data)
{
	struct coord_bus *b = data;

	(void)conn;
	if (dbus_message_is_signal(msg, DBUS_INTERFACE_LOCAL, "Disconnected")) {
		qb_log(LOG_WARNING, "D-Bus connection lost: coordd reconnects");
		/* Queued first: a user's lost() may send, which must not close
		 * the connection being dispatched. */
		if (!b->teardown_queued &&
		    qb_loop_job_add(b->loop, QB_LOOP_LOW, b, teardown_job) == 0)
			b->teardown_queued = true;
		tell_lost(b);
	}
	/* Never HANDLED: the users' filters see every message too. */
	return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
}

static void on_hello(DBusPendingCall *pending, void *data)
{
	struct coord_bus *b = data;
	DBusMessage *reply = dbus_pending_call_steal_reply(pending);
	const char *name = NULL;

	if (reply && dbus_message_get_args(reply, NULL, DBUS_TYPE_STRING, &name,
					   DBUS_TYPE_INVALID) && b->conn) {
		dbus_bus_set_unique_name(b->conn, name);
		b->registered = true;
		qb_log(LOG_INFO, "registered on D-Bus as %s", name);
		tell_connected(b);
	} else {
		qb_log(LOG_WARNING, "D-Bus registration failed: %s",
		       reply && dbus_message_get_error_name(reply) ?
		       dbus_message_get_error_name(reply) : "no reply");
	}
	if (reply)
		dbus_message_unref(reply);
}

static int open_connection(struct coord_bus *b)
{
	DBusMessage *hello;
	DBusPendingCall *pending = NULL;
	DBusError err;

	dbus_error_init(&err);
	b->conn = dbus_connection_open_private(b->address, &err);
	if (!b->conn) {
		qb_log(LOG_WARNING, "cannot connect to D-Bus at %s: %s", b->address,
		       err.message ? err.message : "unknown error");
		dbus_error_free(&err);
		return -ENOTCONN;
	}
	b->lost_told = false;
	dbus_connection_set_exit_on_disconnect(b->conn, FALSE);
	b->glue = coord_dbus_loop_attach(b->loop, b->conn);
	if (!b->glue || !dbus_connection_add_filter(b->conn, on_message, b, NULL))
		goto fail;
	hello = dbus_message_new_method_call(DBUS_SERVICE_DBUS, DBUS_PATH_DBUS,
					     DBUS_INTERFACE_DBUS, "Hello");
	if (!hello)
		goto fail;
	if (!dbus_connection_send_with_reply(b->conn, hello, &pending,
					     (int)b->hello_timeout_ms) || !pending) {
		dbus_message_unref(hello);
		goto fail;
	}
	dbus_message_unref(hello);
	dbus_pending_call_set_notify(pending, on_hello, b, NULL);
	dbus_pending_call_unref(pending);
	return 0;
fail:
	qb_log(LOG_ERR, "cannot set up the D-Bus connection");
	drop_connection(b);
	return -ENOMEM;
}

struct coord_bus *coord_bus_new(qb_loop_t *loop, const char *address,
				uint32_t hello_timeout_ms)
{
	struct coord_bus *b = calloc(1, sizeof(*b));
	const char *addr = address;

	if (!b)
		return NULL;
	if (!addr || !*addr)
		addr = getenv("DBUS_SYSTEM_BUS_ADDRESS");
	if (!addr || !*addr)
		addr = "unix:path=/run/dbus/system_bus_socket";
	snprintf(b->address, sizeof(b->address), "%s", addr);
	b->loop = loop;
	b->hello_timeout_ms = hello_timeout_ms;
	open_connection(b);
	return b;
}

int coord_bus_add_user(struct coord_bus *b, const struct coord_bus_user *user, void *ctx)
{
	size_t i;

	for (i = 0; i < COORD_BUS_MAX_USERS; i++) {
		if (b->users[i].ops)
			continue;
		b->users[i] = (struct user){ .ops = user, .ctx = ctx };
		if (b->registered && !dead(b) && user->connected)
			user->connected(ctx, b->conn);
		return 0;
	}
	return -ENOSPC;
}

void coord_bus_remove_user(struct coord_bus *b, void *ctx)
{
	size_t i;

	for (i = 0; i < COORD_BUS_MAX_USERS; i++)
		if (b->users[i].ctx == ctx)
			b->users[i] = (struct user){ 0 };
}

int coord_bus_connect(struct coord_bus *b)
{
	if (b->conn && !dead(b))
		return 0;
	if (b->conn && b->teardown_queued)
		return -EAGAIN;		/* the dead one is dropped first */
	if (b->conn)
		drop_connection(b);
	return open_connection(b);
}

DBusConnection *coord_bus_sender(struct coord_bus *b)
{
	/* A dead connection is replaced now unless its teardown job is
	 * queued (then it is still being dispatched). */
	if (dead(b) && !b->teardown_queued)
		drop_connection(b);
	if (!b->conn)
		open_connection(b);
	return b->conn && !dead(b) ? b->conn : NULL;
}

void coord_bus_flush(struct coord_bus *b)
{
	if (b->glue)
		coord_dbus_loop_queue_dispatch(b->glue);
}

bool coord_bus_registered(const struct coord_bus *b)
{
	return b->conn && !dead(b) && b->registered;
}

const char *coord_bus_address(const struct coord_bus *b)
{
	return b->address;
}

void coord_bus_free(struct coord_bus *b)
{
	if (!b)
		return;
	if (b->conn)
		drop_connection(b);
	if (b->teardown_queued)
		qb_loop_job_del(b->loop, QB_LOOP_LOW, b, teardown_job);
	free(b);
}
