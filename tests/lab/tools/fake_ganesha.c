/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fake_ganesha: nfs-ganesha's admin D-Bus interface, for fault injection
 * in the lab, beside the real server (never instead of it).
 *
 * Owns org.ganesha.nfsd, object /org/ganesha/nfsd/admin, interface
 * org.ganesha.nfsd.admin: grace(s) -> (b, s) and get_grace() -> (b, b, s).
 * The fault file is read at every grace call: "ok" (or no file),
 * "delay MS", "false", "error", "hang".  Every grace answer is recorded at
 * the moment it is sent, as one line in the record file:
 *   <CLOCK_REALTIME microseconds> grace <argument> <true|false|error|hang>
 */
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dbus/dbus.h>

#define MAX_DELAYED 256

struct delayed {
	DBusMessage *call;
	char arg[256];
	uint64_t due_us;
};

static const char *fault_file, *record_file;
static unsigned grace_seconds = 20;
static uint64_t grace_until_us;
static volatile sig_atomic_t stopping;
static struct delayed delayed[MAX_DELAYED];
static size_t n_delayed;

static uint64_t realtime_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void record(const char *arg, const char *outcome)
{
	FILE *f;

	if (!record_file || !(f = fopen(record_file, "a")))
		return;
	fprintf(f, "%llu grace %s %s\n", (unsigned long long)realtime_us(), arg, outcome);
	fclose(f);
}

static void read_fault(char *mode, size_t len, unsigned *delay_ms)
{
	FILE *f = fault_file ? fopen(fault_file, "r") : NULL;
	char line[64] = "ok";

	*delay_ms = 0;
	if (f) {
		if (!fgets(line, sizeof(line), f))
			snprintf(line, sizeof(line), "ok");
		fclose(f);
	}
	line[strcspn(line, "\r\n")] = '\0';
	if (sscanf(line, "delay %u", delay_ms) == 1)
		snprintf(mode, len, "delay");
	else
		snprintf(mode, len, "%s", line);
}

static void reply_grace(DBusConnection *conn, DBusMessage *call, const char *arg,
			bool status, const char *text)
{
	DBusMessage *reply = dbus_message_new_method_return(call);
	dbus_bool_t b = status;

	dbus_message_append_args(reply, DBUS_TYPE_BOOLEAN, &b, DBUS_TYPE_STRING, &text,
				 DBUS_TYPE_INVALID);
	dbus_connection_send(conn, reply, NULL);
	dbus_connection_flush(conn);
	dbus_message_unref(reply);
	if (status)
		grace_until_us = realtime_us() + (uint64_t)grace_seconds * 1000000u;
	record(arg, status ? "true" : "false");
}

static void handle_grace(DBusConnection *conn, DBusMessage *call)
{
	const char *arg = "";
	char mode[32];
	unsigned delay_ms;

	if (!dbus_message_get_args(call, NULL, DBUS_TYPE_STRING, &arg, DBUS_TYPE_INVALID)) {
		DBusMessage *e = dbus_message_new_error(call, DBUS_ERROR_INVALID_ARGS,
							"grace takes one string");
		dbus_connection_send(conn, e, NULL);
		dbus_message_unref(e);
		return;
	}
	read_fault(mode, sizeof(mode), &delay_ms);
	if (!strcmp(mode, "hang")) {
		record(arg, "hang");
		return;
	}
	if (!strcmp(mode, "error")) {
		DBusMessage *e = dbus_message_new_error(call, "org.ganesha.nfsd.Error",
							"injected error");
		dbus_connection_send(conn, e, NULL);
		dbus_message_unref(e);
		record(arg, "error");
		return;
	}
	if (!strcmp(mode, "false")) {
		reply_grace(conn, call, arg, false, "injected");
		return;
	}
	if (!strcmp(mode, "delay") && delay_ms && n_delayed < MAX_DELAYED) {
		struct delayed *d = &delayed[n_delayed++];
		d->call = dbus_message_ref(call);
		snprintf(d->arg, sizeof(d->arg), "%s", arg);
		d->due_us = realtime_us() + (uint64_t)delay_ms * 1000u;
		return;
	}
	reply_grace(conn, call, arg, true, "Started grace period");
}

static void handle_get_grace(DBusConnection *conn, DBusMessage *call)
{
	DBusMessage *reply = dbus_message_new_method_return(call);
	dbus_bool_t in = realtime_us() < grace_until_us, ok = TRUE;
	const char *text = "";

	dbus_message_append_args(reply, DBUS_TYPE_BOOLEAN, &in, DBUS_TYPE_BOOLEAN, &ok,
				 DBUS_TYPE_STRING, &text, DBUS_TYPE_INVALID);
	dbus_connection_send(conn, reply, NULL);
	dbus_message_unref(reply);
}

static DBusHandlerResult on_message(DBusConnection *conn, DBusMessage *msg, void *data)
{
	static const char *introspect =
		"<node><interface name=\"org.ganesha.nfsd.admin\">"
		"<method name=\"grace\"><arg name=\"ipaddr\" type=\"s\" direction=\"in\"/>"
		"<arg name=\"status\" type=\"b\" direction=\"out\"/>"
		"<arg name=\"error\" type=\"s\" direction=\"out\"/></method>"
		"<method name=\"get_grace\"><arg name=\"isgrace\" type=\"b\" direction=\"out\"/>"
		"<arg name=\"status\" type=\"b\" direction=\"out\"/>"
		"<arg name=\"error\" type=\"s\" direction=\"out\"/></method>"
		"</interface></node>";

	(void)data;
	if (dbus_message_is_method_call(msg, "org.ganesha.nfsd.admin", "grace")) {
		handle_grace(conn, msg);
	} else if (dbus_message_is_method_call(msg, "org.ganesha.nfsd.admin", "get_grace")) {
		handle_get_grace(conn, msg);
	} else if (dbus_message_is_method_call(msg, DBUS_INTERFACE_INTROSPECTABLE,
					       "Introspect")) {
		DBusMessage *reply = dbus_message_new_method_return(msg);
		dbus_message_append_args(reply, DBUS_TYPE_STRING, &introspect,
					 DBUS_TYPE_INVALID);
		dbus_connection_send(conn, reply, NULL);
		dbus_message_unref(reply);
	} else {
		return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
	}
	return DBUS_HANDLER_RESULT_HANDLED;
}

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

static void usage(FILE *out)
{
	fprintf(out, "Usage: fake_ganesha [--bus ADDRESS] [--fault-file PATH] "
		"[--record PATH] [--grace-seconds N]\n"
		"A stand-in for nfs-ganesha's admin D-Bus interface, for fault injection.\n"
		"Fault file: ok | delay MS | false | error | hang (read at every call).\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bus", required_argument, NULL, 'b' },
		{ "fault-file", required_argument, NULL, 'f' },
		{ "record", required_argument, NULL, 'r' },
		{ "grace-seconds", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const DBusObjectPathVTable vtable = { .message_function = on_message };
	const char *bus = getenv("DBUS_SYSTEM_BUS_ADDRESS");
	DBusConnection *conn;
	DBusError err;
	int c;

	while ((c = getopt_long(argc, argv, "b:f:r:g:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b': bus = optarg; break;
		case 'f': fault_file = optarg; break;
		case 'r': record_file = optarg; break;
		case 'g': grace_seconds = (unsigned)atoi(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!bus) {
		fprintf(stderr, "fake_ganesha: no bus (--bus or DBUS_SYSTEM_BUS_ADDRESS)\n");
		return 2;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	dbus_error_init(&err);
	conn = dbus_connection_open_private(bus, &err);
	if (!conn || !dbus_bus_register(conn, &err)) {
		fprintf(stderr, "fake_ganesha: %s: %s\n", bus, err.message);
		return 1;
	}
	if (dbus_bus_request_name(conn, "org.ganesha.nfsd", DBUS_NAME_FLAG_DO_NOT_QUEUE,
				  &err) != DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER) {
		fprintf(stderr, "fake_ganesha: cannot own org.ganesha.nfsd: %s\n",
			err.message ? err.message : "taken");
		return 1;
	}
	dbus_connection_register_object_path(conn, "/org/ganesha/nfsd/admin", &vtable, NULL);
	while (!stopping) {
		/* Like a server whose bus went away: it keeps running (and
		 * holding its locks), off the bus, until it is stopped. */
		if (!dbus_connection_read_write_dispatch(conn, 20)) {
			usleep(20000);
			continue;
		}
		uint64_t now = realtime_us();
		size_t i = 0;

		while (i < n_delayed) {
			if (delayed[i].due_us > now) {
				i++;
				continue;
			}
			reply_grace(conn, delayed[i].call, delayed[i].arg, true,
				    "Started grace period");
			dbus_message_unref(delayed[i].call);
			delayed[i] = delayed[--n_delayed];
		}
	}
	dbus_connection_close(conn);
	dbus_connection_unref(conn);
	return 0;
}
