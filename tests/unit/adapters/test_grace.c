/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The grace client (coord/daemon/grace.c) against a real private dbus-daemon and a
 * fake ganesha, on a real libqb loop: each result it can report, the
 * argument it sends, and what happens when the bus goes away and comes back.
 *
 * The bus is a dbus-daemon on a unix socket in a temporary directory; the
 * fake is a forked child owning org.ganesha.nfsd that answers grace(s) as
 * told (true, false, a D-Bus error, or never) and appends every argument
 * it receives to a record file.  Neither the system bus nor any daemon left
 * running is used.  Children die with the test (PR_SET_PDEATHSIG) and an
 * alarm bounds the whole run.  "Promptly" means before a guard far shorter
 * than the call timeout, so a result that waited for the timeout fails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <dbus/dbus.h>
#include <qb/qbloop.h>
#include <qb/qbutil.h>

#include "coord/wire.h"
#include "../case_table.h"
#include "../../../coord/daemon/grace.h"

#define LONG_CALL_MS	30000	/* a result must never wait for this */
#define GUARD_MS	10000	/* how long a prompt result may take at most */
#define SHORT_CALL_MS	300	/* the timeout test's call timeout */
#define OVERALL_S	120	/* the whole binary, whatever happens */

enum fake_mode { FAKE_OK, FAKE_FALSE, FAKE_ERROR, FAKE_HANG, FAKE_FALSE_FOR_V6 };

struct fixture {
	char dir[64];
	char sock[128];
	char address[160];	/* unix:path=..., no guid: a restarted bus matches */
	char conf[128];
	char bus_err[128];	/* dbus-daemon's stderr */
	char record[128];
	pid_t bus_pid;
	pid_t fake_pid;
	qb_loop_t *loop;
	struct coord_bus *bus;
	struct coord_grace_client *g;
	int n_done;
	struct coord_event_id done_id;
	uint8_t result;
	enum coord_drop_result drop_result;	/* a drop's answer */
	uint32_t token;			/* a take-over's answer */
	int by_result[16];		/* reports per enum coord_ack_result */
	char detail[COORD_DETAIL_MAX + 1];
	const void *row;		/* a table-driven test's case, or NULL */
};

/* For the alarm handler: what to kill and remove if the run hangs. */
static struct fixture *F;

static void on_alarm(int sig)
{
	static const char msg[] = "test_grace: overall alarm, killing the bus and the fake\n";

	(void)sig;
	if (F) {
		if (F->fake_pid > 0)
			kill(F->fake_pid, SIGKILL);
		if (F->bus_pid > 0)
			kill(F->bus_pid, SIGKILL);
		unlink(F->sock);
		unlink(F->conf);
		unlink(F->bus_err);
		unlink(F->record);
		rmdir(F->dir);
	}
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

/* ---- the loop, in bursts ---- */

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct run {
	qb_loop_t *loop;
	bool (*met)(struct fixture *f);
	struct fixture *f;
	uint64_t deadline_ms;
	bool ok;
	qb_loop_timer_handle timer;
};

static void on_check(void *data)
{
	struct run *r = data;

	if (r->met && r->met(r->f)) {
		r->ok = true;
		qb_loop_stop(r->loop);
		return;
	}
	if (mono_ms() >= r->deadline_ms) {
		qb_loop_stop(r->loop);
		return;
	}
	qb_loop_timer_add(r->loop, QB_LOOP_LOW, 2 * QB_TIME_NS_IN_MSEC, r, on_check,
			  &r->timer);
}

/* Runs the loop until met(f) or timeout_ms; returns whether met. */
static bool run_until(struct fixture *f, bool (*met)(struct fixture *), unsigned timeout_ms)
{
	struct run r = { .loop = f->loop, .met = met, .f = f,
			 .deadline_ms = mono_ms() + timeout_ms };

	qb_loop_timer_add(f->loop, QB_LOOP_LOW, 1 * QB_TIME_NS_IN_MSEC, &r, on_check,
			  &r.timer);
	qb_loop_run(f->loop);
	if (qb_loop_timer_is_running(f->loop, r.timer))
		qb_loop_timer_del(f->loop, r.timer);
	return r.ok;
}

static bool answered(struct fixture *f)
{
	return f->n_done > 0;
}

static bool hundred_answered(struct fixture *f)
{
	return f->n_done >= 100;
}

static bool bus_dropped(struct fixture *f)
{
	return !coord_bus_registered(f->bus);
}

static bool bus_registered(struct fixture *f)
{
	return coord_bus_registered(f->bus);
}

/* ---- the record of what the fake received ---- */

/* The arguments received, one a line, into buf; returns their count. */
static int read_record(struct fixture *f, char *buf, size_t len)
{
	FILE *r = fopen(f->record, "r");
	size_t n = 0;
	int lines = 0;

	buf[0] = '\0';
	if (!r)
		return 0;
	n = fread(buf, 1, len - 1, r);
	fclose(r);
	buf[n] = '\0';
	for (size_t i = 0; i < n; i++)
		lines += buf[i] == '\n';
	return lines;
}

static bool fake_received_one(struct fixture *f)
{
	char buf[256];

	return read_record(f, buf, sizeof(buf)) >= 1;
}

/* ---- the bus ---- */

/* A bus anyone may use, on f->sock only. */
static bool write_bus_conf(const struct fixture *f)
{
	FILE *out = fopen(f->conf, "w");

	if (!out)
		return false;
	fprintf(out,
		"<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
		" \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
		"<busconfig>\n"
		"  <type>session</type>\n"
		"  <listen>unix:path=%s</listen>\n"
		"  <auth>EXTERNAL</auth>\n"
		"  <policy context=\"default\">\n"
		"    <allow user=\"*\"/>\n"
		"    <allow own=\"*\"/>\n"
		"    <allow send_destination=\"*\"/>\n"
		"    <allow receive_sender=\"*\"/>\n"
		"  </policy>\n"
		"</busconfig>\n", f->sock);
	return fclose(out) == 0;
}

/* Reads one line from fd within timeout_ms; false on EOF or timeout. */
static bool read_line(int fd, char *buf, size_t len, unsigned timeout_ms)
{
	uint64_t deadline = mono_ms() + timeout_ms;
	size_t n = 0;

	while (n < len - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = mono_ms();
		ssize_t got;

		if (now >= deadline || poll(&p, 1, (int)(deadline - now)) <= 0)
			return false;
		got = read(fd, buf + n, 1);
		if (got <= 0)
			return false;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	return true;
}

static void die_with_parent(pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
}

/* Starts dbus-daemon on f->sock and waits until it listens. */
static void start_bus(struct fixture *f)
{
	char line[512];
	pid_t parent = getpid();
	int p[2];

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	f->bus_pid = fork();
	assert_true(f->bus_pid >= 0);
	if (f->bus_pid == 0) {
		char fd_arg[32];
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		int err = open(f->bus_err, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

		die_with_parent(parent);
		dup2(null, 0);
		dup2(err, 1);
		dup2(err, 2);
		/* The one fd it inherits besides stdio: where it prints its address. */
		snprintf(fd_arg, sizeof(fd_arg), "--print-address=%d", dup(p[1]));
		execlp("dbus-daemon", "dbus-daemon", "--nofork", "--nopidfile",
		       "--config-file", f->conf, fd_arg, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	/* It prints its address once it listens; EOF means it died. */
	if (!read_line(p[0], line, sizeof(line), GUARD_MS)) {
		char err[512] = "";
		FILE *e = fopen(f->bus_err, "r");

		if (e) {
			err[fread(err, 1, sizeof(err) - 1, e)] = '\0';
			fclose(e);
		}
		close(p[0]);
		fail_msg("dbus-daemon did not start (is it installed?): %s", err);
	}
	close(p[0]);
	assert_non_null(strstr(line, f->sock));
}

static void stop_child(pid_t *pid)
{
	if (*pid <= 0)
		return;
	kill(*pid, SIGKILL);
	waitpid(*pid, NULL, 0);
	*pid = 0;
}

/* ---- the fake ganesha, a child process ---- */

static void fake_record(const char *path, const char *arg)
{
	FILE *r = fopen(path, "a");

	if (r) {
		fprintf(r, "%s\n", arg);
		fclose(r);
	}
}

static void fake_answer(DBusConnection *conn, DBusMessage *call, dbus_bool_t status,
			const char *text)
{
	DBusMessage *reply = dbus_message_new_method_return(call);

	dbus_message_append_args(reply, DBUS_TYPE_BOOLEAN, &status, DBUS_TYPE_STRING, &text,
				 DBUS_TYPE_INVALID);
	dbus_connection_send(conn, reply, NULL);
	dbus_message_unref(reply);
}

struct fake {
	enum fake_mode mode;
	const char *record;
};

static DBusHandlerResult fake_on_message(DBusConnection *conn, DBusMessage *msg, void *data)
{
	struct fake *fake = data;
	const char *arg = "";
	DBusMessage *e;

	if (!dbus_message_is_method_call(msg, "org.ganesha.nfsd.admin", "grace"))
		return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
	dbus_message_get_args(msg, NULL, DBUS_TYPE_STRING, &arg, DBUS_TYPE_INVALID);
	fake_record(fake->record, arg);
	switch (fake->mode) {
	case FAKE_OK:
		fake_answer(conn, msg, TRUE, "Started grace period");
		break;
	case FAKE_FALSE:
		fake_answer(conn, msg, FALSE, "injected refusal");
		break;
	case FAKE_FALSE_FOR_V6:
		fake_answer(conn, msg, strstr(arg, "::") == NULL, "per address");
		break;
	case FAKE_ERROR:
		e = dbus_message_new_error(msg, "org.ganesha.nfsd.Error", "injected error");
		dbus_connection_send(conn, e, NULL);
		dbus_message_unref(e);
		break;
	case FAKE_HANG:
		break;
	}
	return DBUS_HANDLER_RESULT_HANDLED;
}

static void fake_main(struct fixture *f, enum fake_mode mode, int ready_fd)
{
	static const DBusObjectPathVTable vtable = { .message_function = fake_on_message };
	struct fake fake = { .mode = mode, .record = f->record };
	DBusConnection *conn;
	DBusError err;

	dbus_error_init(&err);
	conn = dbus_connection_open_private(f->address, &err);
	if (!conn || !dbus_bus_register(conn, &err) ||
	    dbus_bus_request_name(conn, "org.ganesha.nfsd", DBUS_NAME_FLAG_DO_NOT_QUEUE, &err) !=
	    DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER ||
	    !dbus_connection_register_object_path(conn, "/org/ganesha/nfsd/admin", &vtable,
						  &fake))
		_exit(1);
	if (write(ready_fd, "ready\n", 6) != 6)
		_exit(1);
	close(ready_fd);
	while (dbus_connection_read_write_dispatch(conn, 100))
		;
	_exit(0);
}

/* Starts the fake and waits until it owns org.ganesha.nfsd. */
static void start_fake(struct fixture *f, enum fake_mode mode)
{
	char line[32];
	pid_t parent = getpid();
	int p[2];

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	f->fake_pid = fork();
	assert_true(f->fake_pid >= 0);
	if (f->fake_pid == 0) {
		die_with_parent(parent);
		close(p[0]);
		fake_main(f, mode, p[1]);
	}
	close(p[1]);
	if (!read_line(p[0], line, sizeof(line), GUARD_MS)) {
		close(p[0]);
		fail_msg("the fake ganesha did not get org.ganesha.nfsd");
	}
	close(p[0]);
}

/* ---- the client under test ---- */

static void on_done(void *ctx, const struct coord_event_id *id, uint8_t result,
		    uint32_t latency_us, const char *detail)
{
	struct fixture *f = ctx;

	(void)latency_us;
	f->n_done++;
	f->done_id = *id;
	f->result = result;
	if (result < sizeof(f->by_result) / sizeof(f->by_result[0]))
		f->by_result[result]++;
	snprintf(f->detail, sizeof(f->detail), "%s", detail ? detail : "");
}

/* A drop answers what the server did; a take-over, its own token. */
static void on_drop_done(void *ctx, const struct coord_event_id *id,
			 enum coord_drop_result result, uint32_t latency_us,
			 const char *detail)
{
	struct fixture *f = ctx;

	(void)latency_us;
	f->n_done++;
	f->done_id = *id;
	f->drop_result = result;
	snprintf(f->detail, sizeof(f->detail), "%s", detail ? detail : "");
}

static void on_take_over_done(void *ctx, uint32_t token, uint8_t result,
			      uint32_t latency_us, const char *detail)
{
	struct fixture *f = ctx;

	(void)latency_us;
	f->n_done++;
	f->token = token;
	f->result = result;
	snprintf(f->detail, sizeof(f->detail), "%s", detail ? detail : "");
}

static void new_client(struct fixture *f, const char *address, uint32_t timeout_ms)
{
	f->bus = coord_bus_new(f->loop, address, timeout_ms);
	assert_non_null(f->bus);
	f->g = coord_grace_new(f->loop, f->bus, timeout_ms, on_done, f);
	assert_non_null(f->g);
}

static const struct coord_event_id EVENT = { .origin = 3, .incarnation = 77, .seq = 9 };

/* Sends one request and runs the loop until it is answered, at most GUARD_MS. */
static void request(struct fixture *f, const char *const *vips, size_t n_vips)
{
	struct coord_vip v[COORD_MAX_VIPS];

	for (size_t i = 0; i < n_vips; i++)
		assert_int_equal(coord_vip_parse(vips[i], &v[i]), 0);
	f->n_done = 0;
	f->result = 0;
	f->detail[0] = '\0';
	coord_grace_request(f->g, &EVENT, v, n_vips);
	assert_int_equal(f->n_done, 0);		/* never from inside the request */
	assert_int_equal(coord_grace_pending(f->g), 1);
	assert_true(run_until(f, answered, GUARD_MS));
	assert_int_equal(f->n_done, 1);
	assert_int_equal(coord_grace_pending(f->g), 0);
	assert_memory_equal(&f->done_id, &EVENT, sizeof(EVENT));
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/coord-grace.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->sock, sizeof(f->sock), "%s/bus.sock", f->dir);
	snprintf(f->address, sizeof(f->address), "unix:path=%s", f->sock);
	snprintf(f->conf, sizeof(f->conf), "%s/bus.conf", f->dir);
	snprintf(f->bus_err, sizeof(f->bus_err), "%s/bus.err", f->dir);
	snprintf(f->record, sizeof(f->record), "%s/record", f->dir);
	f->loop = qb_loop_create();
	if (!f->loop || !write_bus_conf(f)) {
		if (f->loop)
			qb_loop_destroy(f->loop);
		rmdir(f->dir);
		free(f);
		return -1;
	}
	f->row = *state;	/* a table row's test: the row (see case_table.h) */
	F = f;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	coord_grace_free(f->g);
	coord_bus_free(f->bus);
	qb_loop_destroy(f->loop);
	stop_child(&f->fake_pid);
	stop_child(&f->bus_pid);
	unlink(f->sock);
	unlink(f->conf);
	unlink(f->bus_err);
	unlink(f->record);
	rmdir(f->dir);
	F = NULL;
	free(f);
	return 0;
}

/* ---- the results ---- */

/* Runs the loop until the report, then checks its result. */
static void expect_answer(struct fixture *f, uint8_t result)
{
	assert_true(run_until(f, answered, GUARD_MS));
	assert_int_equal(f->result, result);
}

/* What the fake received so far: these arguments, one a line, in order. */
static void expect_record(struct fixture *f, const char *want)
{
	char rec[256];
	int lines = 0;

	for (const char *c = want; *c; c++)
		lines += *c == '\n';
	assert_int_equal(read_record(f, rec, sizeof(rec)), lines);
	assert_string_equal(rec, want);
}

/*
 * One request against one setting of the bus and the server, and the
 * report it gets: a table row, run as its own cmocka test.
 */
struct grace_case {
	const char *name;
	bool no_bus;		/* nothing listens at the address */
	bool no_server;		/* the bus is up, nobody owns org.ganesha.nfsd */
	enum fake_mode fake;	/* otherwise: how the fake ganesha answers */
	uint32_t call_ms;
	const char *vips[3];
	size_t n_vips;
	uint8_t result;
	const char *detail;	/* NULL: not checked */
	const char *record;	/* what the fake received; NULL: not checked */
};

static const struct grace_case grace_cases[] = {
	{ .name = "in-grace, one call per VIP, each 5:VIP in order",
	  .fake = FAKE_OK, .call_ms = LONG_CALL_MS,
	  .vips = { "198.18.0.100", "fd00::1" }, .n_vips = 2,
	  .result = COORD_ACK_IN_GRACE, .detail = "Started grace period",
	  .record = "5:198.18.0.100\n5:fd00::1\n" },
	{ .name = "in-grace without VIP sends 0:",
	  .fake = FAKE_OK, .call_ms = LONG_CALL_MS,
	  .result = COORD_ACK_IN_GRACE, .record = "0:\n" },
	{ .name = "a false answer is grace-failed",
	  .fake = FAKE_FALSE, .call_ms = LONG_CALL_MS,
	  .vips = { "198.18.0.100" }, .n_vips = 1,
	  .result = COORD_ACK_GRACE_FAILED, .detail = "injected refusal",
	  .record = "5:198.18.0.100\n" },
	/* One VIP refused, the others granted: the request reports the worse. */
	{ .name = "the worst call wins",
	  .fake = FAKE_FALSE_FOR_V6, .call_ms = LONG_CALL_MS,
	  .vips = { "198.18.0.100", "fd00::7", "198.18.0.101" }, .n_vips = 3,
	  .result = COORD_ACK_GRACE_FAILED,
	  .record = "5:198.18.0.100\n5:fd00::7\n5:198.18.0.101\n" },
	{ .name = "a D-Bus error is grace-failed",
	  .fake = FAKE_ERROR, .call_ms = LONG_CALL_MS,
	  .vips = { "198.18.0.100" }, .n_vips = 1,
	  .result = COORD_ACK_GRACE_FAILED,
	  .detail = "org.ganesha.nfsd.Error: injected error" },
	/* The call did reach the server: the timeout is its silence. */
	{ .name = "no answer is timeout",
	  .fake = FAKE_HANG, .call_ms = SHORT_CALL_MS,
	  .vips = { "198.18.0.100" }, .n_vips = 1,
	  .result = COORD_ACK_TIMEOUT, .record = "5:198.18.0.100\n" },
	/* Not a timeout; NameHasNoOwner, not ServiceUnknown: the call asked
	 * for no activation. */
	{ .name = "no owner is no-server at once",
	  .no_server = true, .call_ms = LONG_CALL_MS,
	  .vips = { "198.18.0.100" }, .n_vips = 1,
	  .result = COORD_ACK_NO_SERVER,
	  .detail = "org.freedesktop.DBus.Error.NameHasNoOwner: "
		    "Name \"org.ganesha.nfsd\" does not exist" },
};

/* The fixture's setup keeps the row; see setup(). */
static void test_grace_case(void **state)
{
	struct fixture *f = *state;
	const struct grace_case *c = f->row;

	if (!c->no_bus)
		start_bus(f);
	if (!c->no_bus && !c->no_server)
		start_fake(f, c->fake);
	new_client(f, f->address, c->call_ms);
	request(f, c->vips, c->n_vips);
	assert_int_equal(f->result, c->result);
	if (c->detail)
		assert_string_equal(f->detail, c->detail);
	if (c->record)
		expect_record(f, c->record);
	assert_int_equal(coord_bus_registered(f->bus), !c->no_bus);
}

/* A take-over: the server's own records ("3:"), then each other node's
 * ("4:N"); with no other node, its own alone. */
static void test_load_nodes_own_records_then_each_node(void **state)
{
	static const uint32_t nodes[] = { 2, 3 };
	struct fixture *f = *state;

	start_bus(f);
	start_fake(f, FAKE_OK);
	new_client(f, f->address, LONG_CALL_MS);
	f->n_done = 0;
	coord_grace_load_nodes(f->g, 41, nodes, 2, on_take_over_done, f);
	expect_answer(f, COORD_ACK_IN_GRACE);
	assert_int_equal(f->token, 41);
	expect_record(f, "3:\n4:2\n4:3\n");
	f->n_done = 0;
	coord_grace_load_nodes(f->g, 42, NULL, 0, on_take_over_done, f);
	expect_answer(f, COORD_ACK_IN_GRACE);
	assert_int_equal(f->token, 42);
	expect_record(f, "3:\n4:2\n4:3\n3:\n");
}

/* A handover: a member loads the origin's records ("4:N"); the origin
 * loads its own ("3:") and drops each VIP's state ("2:VIP"). */
static void test_handover_member_and_drop(void **state)
{
	static const char *const ips[] = { "198.18.0.101", "fd00::1" };
	struct coord_vip v[2];
	struct fixture *f = *state;

	start_bus(f);
	start_fake(f, FAKE_OK);
	new_client(f, f->address, LONG_CALL_MS);
	f->n_done = 0;
	coord_grace_request_node(f->g, &EVENT, 2);
	expect_answer(f, COORD_ACK_IN_GRACE);
	expect_record(f, "4:2\n");
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(coord_vip_parse(ips[i], &v[i]), 0);
	f->n_done = 0;
	f->drop_result = COORD_DROP_FAILED;
	coord_grace_drop(f->g, &EVENT, v, 2, on_drop_done, f);
	assert_true(run_until(f, answered, GUARD_MS));
	assert_int_equal(f->drop_result, COORD_DROP_DONE);
	assert_memory_equal(&f->done_id, &EVENT, sizeof(EVENT));
	expect_record(f, "4:2\n3:\n2:198.18.0.101\n2:fd00::1\n");
}

/* A drop's result tells a server that is not on the bus (it holds no
 * state: the engine's to judge) from one that could not drop. */
static void test_drop_no_server_and_failed(void **state)
{
	struct coord_vip v;
	struct fixture *f = *state;

	assert_int_equal(coord_vip_parse("198.18.0.101", &v), 0);
	start_bus(f);
	new_client(f, f->address, LONG_CALL_MS);
	f->n_done = 0;
	coord_grace_drop(f->g, &EVENT, &v, 1, on_drop_done, f);
	assert_true(run_until(f, answered, GUARD_MS));
	assert_int_equal(f->drop_result, COORD_DROP_NO_SERVER);
	start_fake(f, FAKE_FALSE);
	f->n_done = 0;
	coord_grace_drop(f->g, &EVENT, &v, 1, on_drop_done, f);
	assert_true(run_until(f, answered, GUARD_MS));
	assert_int_equal(f->drop_result, COORD_DROP_FAILED);
}

/* A hundred calls in flight at once (a survivor that was stopped and
 * resumes with a backlog): each gets its own timeout and is answered for
 * what it is, not misreported as no-bus for want of a timeout slot. */
static void test_hundred_calls_in_flight(void **state)
{
	static const char *const text = "198.18.0.100";
	struct fixture *f = *state;
	struct coord_vip v;
	int i;

	start_bus(f);
	start_fake(f, FAKE_HANG);
	new_client(f, f->address, SHORT_CALL_MS);
	assert_int_equal(coord_vip_parse(text, &v), 0);
	for (i = 0; i < 100; i++) {
		struct coord_event_id id = EVENT;

		id.seq = (uint64_t)i + 1;
		coord_grace_request(f->g, &id, &v, 1);
	}
	assert_int_equal(coord_grace_pending(f->g), 100);
	assert_true(run_until(f, hundred_answered, GUARD_MS));
	assert_int_equal(f->n_done, 100);
	assert_int_equal(f->by_result[COORD_ACK_TIMEOUT], 100);
	assert_true(coord_bus_registered(f->bus));
}

/* The address names no socket: no-bus at once, at every request. */
static void test_no_socket_is_no_bus_at_once(void **state)
{
	static const char *const vips[] = { "198.18.0.100" };
	struct fixture *f = *state;

	new_client(f, f->address, LONG_CALL_MS);
	assert_false(coord_bus_registered(f->bus));
	request(f, vips, 1);
	assert_int_equal(f->result, COORD_ACK_NO_BUS);
	request(f, NULL, 0);
	assert_int_equal(f->result, COORD_ACK_NO_BUS);
	assert_false(coord_bus_registered(f->bus));
}

/* The bus was down when coordd started: the next request connects. */
static void test_bus_started_later_connects(void **state)
{
	static const char *const vips[] = { "198.18.0.100" };
	struct fixture *f = *state;

	new_client(f, f->address, LONG_CALL_MS);
	request(f, vips, 1);
	assert_int_equal(f->result, COORD_ACK_NO_BUS);
	start_bus(f);
	start_fake(f, FAKE_OK);
	request(f, vips, 1);
	assert_int_equal(f->result, COORD_ACK_IN_GRACE);
	assert_true(run_until(f, bus_registered, GUARD_MS));
}

/* One request under way, held unanswered by the fake, which got it. */
static void start_call_held_by_fake(struct fixture *f)
{
	struct coord_vip v;

	start_bus(f);
	start_fake(f, FAKE_HANG);
	new_client(f, f->address, LONG_CALL_MS);
	assert_int_equal(coord_vip_parse("198.18.0.100", &v), 0);
	coord_grace_request(f->g, &EVENT, &v, 1);
	assert_true(run_until(f, fake_received_one, GUARD_MS));
}

/* The bus dies while the server holds the call: no-bus at once, no hang. */
static void test_bus_dies_mid_call_is_no_bus(void **state)
{
	struct fixture *f = *state;

	start_call_held_by_fake(f);
	assert_int_equal(f->n_done, 0);
	stop_child(&f->bus_pid);
	assert_true(run_until(f, answered, GUARD_MS));
	assert_int_equal(f->n_done, 1);
	assert_int_equal(f->result, COORD_ACK_NO_BUS);
	assert_string_equal(f->detail, "D-Bus connection lost");
	assert_int_equal(coord_grace_pending(f->g), 0);
	assert_false(coord_bus_registered(f->bus));
}

/* Lost, then back: no-bus while it is down, in-grace once it is back. */
static void test_reconnects_after_bus_restart(void **state)
{
	static const char *const vips[] = { "198.18.0.100" };
	struct fixture *f = *state;

	start_bus(f);
	start_fake(f, FAKE_OK);
	new_client(f, f->address, LONG_CALL_MS);
	request(f, vips, 1);
	assert_int_equal(f->result, COORD_ACK_IN_GRACE);

	stop_child(&f->fake_pid);
	stop_child(&f->bus_pid);
	assert_true(run_until(f, bus_dropped, GUARD_MS));
	request(f, vips, 1);
	assert_int_equal(f->result, COORD_ACK_NO_BUS);

	unlink(f->record);
	start_bus(f);
	start_fake(f, FAKE_OK);
	request(f, vips, 1);
	assert_int_equal(f->result, COORD_ACK_IN_GRACE);
	expect_record(f, "5:198.18.0.100\n");
}

/* coordd stopping with a call pending: dropped, no report, nothing leaks. */
static void test_free_with_call_pending(void **state)
{
	struct fixture *f = *state;

	start_call_held_by_fake(f);
	coord_grace_free(f->g);
	coord_bus_free(f->bus);
	f->g = NULL;
	f->bus = NULL;
	run_until(f, NULL, 50);
	assert_int_equal(f->n_done, 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	static const struct CMUnitTest others[] = {
		T(test_load_nodes_own_records_then_each_node),
		T(test_handover_member_and_drop),
		T(test_drop_no_server_and_failed),
		T(test_hundred_calls_in_flight),
		T(test_no_socket_is_no_bus_at_once),
		T(test_bus_started_later_connects),
		T(test_bus_dies_mid_call_is_no_bus),
		T(test_reconnects_after_bus_restart),
		T(test_free_with_call_pending),
	};
	struct CMUnitTest tests[N_ELEMS(grace_cases) + N_ELEMS(others)];
	size_t n = 0;
	int rc;

	ADD_ROW_TESTS(tests, n, grace_cases, test_grace_case, setup, teardown);
	ADD_TESTS(tests, n, others);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_alarm);
	alarm(OVERALL_S);
	rc = _cmocka_run_group_tests("grace", tests, n, NULL, NULL);
	/* libdbus's own caches freed, so a leak checker sees only real leaks. */
	dbus_shutdown();
	return rc;
}
