/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The watch of the local ganesha (coord/daemon/detect.c) against a real private
 * dbus-daemon, on a real libqb loop: a forked fake ganesha owns
 * org.ganesha.nfsd, answers get_grace and sends heartbeat signals every
 * 50 ms; it is killed, stopped and restarted, and an impostor sends
 * heartbeats without owning the name.  Children die with the test
 * (PR_SET_PDEATHSIG); an alarm bounds the run.  The end to end case with
 * a real ganesha is tests/lab/cases/test_detect.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <dbus/dbus.h>
#include <qb/qbloop.h>
#include <qb/qbutil.h>

#include "../../../coord/daemon/detect.h"

#define GUARD_MS	5000
#define HEARTBEAT_MS	50

struct fixture {
	char dir[64], sock[128], address[160], conf[128];
	pid_t bus_pid, fake_pid, impostor_pid;
	qb_loop_t *loop;
	struct coord_bus *bus;
	struct coord_detect *d;
	int n_dead, n_up;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- the loop, until a condition or a guard ---- */

struct run {
	struct fixture *f;
	bool (*met)(struct fixture *);
	uint64_t deadline;
	bool ok;
};

static void on_check(void *data)
{
	struct run *r = data;
	qb_loop_timer_handle t;

	if ((r->met && r->met(r->f)) || mono_ms() >= r->deadline) {
		r->ok = r->met && r->met(r->f);
		qb_loop_stop(r->f->loop);
		return;
	}
	qb_loop_timer_add(r->f->loop, QB_LOOP_LOW, 2 * QB_TIME_NS_IN_MSEC, r, on_check, &t);
}

static bool run_until(struct fixture *f, bool (*met)(struct fixture *), unsigned ms)
{
	struct run r = { .f = f, .met = met, .deadline = mono_ms() + ms };
	qb_loop_timer_handle t;

	qb_loop_timer_add(f->loop, QB_LOOP_LOW, QB_TIME_NS_IN_MSEC, &r, on_check, &t);
	qb_loop_run(f->loop);
	return r.ok;
}

static struct coord_detect_status status(struct fixture *f)
{
	struct coord_detect_status st;

	coord_detect_status(f->d, &st);
	return st;
}

static bool is_up(struct fixture *f) { return status(f).state == COORD_CTL_LOCAL_UP; }
static bool is_down(struct fixture *f) { return status(f).state == COORD_CTL_LOCAL_DOWN; }
static bool is_hung(struct fixture *f) { return status(f).state == COORD_CTL_LOCAL_HUNG; }
static bool dead_reported(struct fixture *f) { return f->n_dead > 0; }
static bool has_heartbeat(struct fixture *f) { return status(f).heartbeats > 0; }
static bool is_watching(struct fixture *f) { return status(f).flags & COORD_CTL_LOCAL_WATCHING; }

/* ---- children: the bus, the fake ganesha, the impostor ---- */

static void child_init(pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
}

static void start_bus(struct fixture *f)
{
	pid_t parent = getpid();
	FILE *c = fopen(f->conf, "w");
	uint64_t until;

	assert_non_null(c);
	fprintf(c, "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
		" \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
		"<busconfig><type>session</type><listen>unix:path=%s</listen><auth>EXTERNAL</auth>"
		"<policy context=\"default\"><allow user=\"*\"/><allow own=\"*\"/>"
		"<allow send_destination=\"*\"/><allow receive_sender=\"*\"/></policy></busconfig>\n",
		f->sock);
	fclose(c);
	f->bus_pid = fork();
	assert_true(f->bus_pid >= 0);
	if (f->bus_pid == 0) {
		int null = open("/dev/null", O_RDWR);

		child_init(parent);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execlp("dbus-daemon", "dbus-daemon", "--nofork", "--nopidfile", "--config-file",
		       f->conf, (char *)NULL);
		_exit(127);
	}
	for (until = mono_ms() + GUARD_MS; access(f->sock, F_OK) != 0; usleep(10000))
		if (mono_ms() > until)
			fail_msg("dbus-daemon did not start (is it installed?)");
}

static DBusHandlerResult fake_handler(DBusConnection *conn, DBusMessage *msg, void *data)
{
	DBusMessage *reply;
	dbus_bool_t no = FALSE, yes = TRUE;
	const char *empty = "";

	(void)data;
	if (!dbus_message_is_method_call(msg, "org.ganesha.nfsd.admin", "get_grace"))
		return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
	reply = dbus_message_new_method_return(msg);
	dbus_message_append_args(reply, DBUS_TYPE_BOOLEAN, &no, DBUS_TYPE_BOOLEAN, &yes,
				 DBUS_TYPE_STRING, &empty, DBUS_TYPE_INVALID);
	dbus_connection_send(conn, reply, NULL);
	dbus_message_unref(reply);
	return DBUS_HANDLER_RESULT_HANDLED;
}

/* SIGUSR1: the fake leaves the bus at once and exits LINGER_MS later, as a
 * killed ganesha's many threads do: its socket closes before it is gone. */
#define LINGER_MS	300
static volatile sig_atomic_t leave_bus;
static void on_usr1(int sig) { (void)sig; leave_bus = 1; }

/* own: take org.ganesha.nfsd and answer get_grace; heartbeat: send them. */
static pid_t start_child(struct fixture *f, bool own, bool heartbeat)
{
	static const DBusObjectPathVTable vtable = { .message_function = fake_handler };
	pid_t parent = getpid(), pid;
	int p[2];
	char c;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		DBusConnection *conn = NULL;
		uint64_t next = 0, until = mono_ms() + GUARD_MS;

		child_init(parent);
		signal(SIGUSR1, on_usr1);
		/* The socket file exists a moment before the bus accepts: retry. */
		while (!(conn = dbus_connection_open_private(f->address, NULL)) &&
		       mono_ms() < until)
			usleep(10000);
		if (!conn || !dbus_bus_register(conn, NULL))
			_exit(1);
		if (own && (dbus_bus_request_name(conn, "org.ganesha.nfsd",
						  DBUS_NAME_FLAG_DO_NOT_QUEUE, NULL) !=
			    DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER ||
			    !dbus_connection_register_object_path(conn, "/org/ganesha/nfsd/admin",
								  &vtable, NULL)))
			_exit(1);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		for (;;) {
			if (leave_bus) {
				dbus_connection_close(conn);
				usleep(LINGER_MS * 1000);
				_exit(0);
			}
			dbus_connection_read_write_dispatch(conn, 10);
			if (heartbeat && mono_ms() >= next) {
				DBusMessage *s = dbus_message_new_signal("/org/ganesha/nfsd/heartbeat",
							"org.ganesha.nfsd.admin", "heartbeat");
				dbus_bool_t t = TRUE;

				dbus_message_append_args(s, DBUS_TYPE_BOOLEAN, &t, DBUS_TYPE_INVALID);
				dbus_connection_send(conn, s, NULL);
				dbus_connection_flush(conn);
				dbus_message_unref(s);
				next = mono_ms() + HEARTBEAT_MS;
			}
		}
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	return pid;
}

static int reap(pid_t *pid)
{
	int st = 0;

	if (*pid > 0) {
		kill(*pid, SIGKILL);
		waitpid(*pid, &st, 0);
	}
	*pid = 0;
	return st;
}

/* ---- coordd's side ---- */

static void on_dead(void *ctx) { ((struct fixture *)ctx)->n_dead++; }
static void on_up(void *ctx) { ((struct fixture *)ctx)->n_up++; }
static void watch_waiting(struct fixture *f, uint32_t heartbeat_ms, bool kill_hung,
			  uint32_t restart_wait_ms)
{
	static const struct coord_detect_ops ops = { .dead = on_dead, .up = on_up };
	struct coord_detect_config cfg = {
		.enabled = true, .heartbeat_timeout_ms = heartbeat_ms,
		.kill_hung = kill_hung, .call_timeout_ms = 1000,
		.restart_wait_ms = restart_wait_ms,
	};

	f->bus = coord_bus_new(f->loop, f->address, 1000);
	assert_non_null(f->bus);
	f->d = coord_detect_new(f->loop, f->bus, &cfg, &ops, f);
	assert_non_null(f->d);
}

static void watch(struct fixture *f, uint32_t heartbeat_ms, bool kill_hung)
{
	watch_waiting(f, heartbeat_ms, kill_hung, 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/coord-detect.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->sock, sizeof(f->sock), "%s/bus.sock", f->dir);
	snprintf(f->address, sizeof(f->address), "unix:path=%s", f->sock);
	snprintf(f->conf, sizeof(f->conf), "%s/bus.conf", f->dir);
	f->loop = qb_loop_create();
	start_bus(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	coord_detect_free(f->d);
	coord_bus_free(f->bus);
	qb_loop_destroy(f->loop);
	reap(&f->fake_pid);
	reap(&f->impostor_pid);
	reap(&f->bus_pid);
	unlink(f->sock);
	unlink(f->conf);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* ---- cases ---- */

/* The name lost is a death, reported once; the name back and answering is up. */
static void test_name_lost_and_back(void **state)
{
	struct fixture *f = *state;

	f->fake_pid = start_child(f, true, false);
	watch(f, 0, false);
	assert_true(run_until(f, is_up, GUARD_MS));
	assert_int_equal(f->n_up, 1);
	assert_int_equal(status(f).how, COORD_CTL_HOW_BUS_NAME);
	assert_int_equal(status(f).pid, (uint32_t)f->fake_pid);
	reap(&f->fake_pid);
	assert_true(run_until(f, dead_reported, GUARD_MS));
	assert_true(is_down(f));
	assert_int_equal(status(f).how, COORD_CTL_HOW_BUS_NAME);
	run_until(f, NULL, 200);
	assert_int_equal(f->n_dead, 1);
	f->fake_pid = start_child(f, true, false);
	assert_true(run_until(f, is_up, GUARD_MS));
	assert_int_equal(f->n_up, 2);
	assert_int_equal(f->n_dead, 1);
}

/* The bus goes away under a live server: no death (it keeps its locks);
 * the server then exits, off the bus: that is its death. */
static void test_bus_gone_server_alive_is_no_death(void **state)
{
	struct fixture *f = *state;

	f->fake_pid = start_child(f, true, false);
	watch(f, 0, false);
	assert_true(run_until(f, is_up, GUARD_MS));
	assert_int_equal(status(f).pid, (uint32_t)f->fake_pid);
	reap(&f->bus_pid);
	run_until(f, NULL, 500);
	assert_int_equal(f->n_dead, 0);
	reap(&f->fake_pid);
	assert_true(run_until(f, dead_reported, GUARD_MS));
	assert_int_equal(f->n_dead, 1);
}

/* The bus comes back while the server, off the bus, still runs: it is not
 * on the new bus, but it is not down either (the agents take "down" for no
 * ganesha running); its exit is still its death. */
static void test_bus_back_server_off_bus_is_not_down(void **state)
{
	struct fixture *f = *state;

	f->fake_pid = start_child(f, true, false);
	watch(f, 0, false);
	assert_true(run_until(f, is_up, GUARD_MS));
	reap(&f->bus_pid);
	unlink(f->sock);
	run_until(f, NULL, 200);
	start_bus(f);
	assert_true(run_until(f, is_watching, GUARD_MS));
	run_until(f, NULL, 300);
	assert_int_equal(status(f).state, COORD_CTL_LOCAL_UNKNOWN);
	assert_int_equal(f->n_dead, 0);
	reap(&f->fake_pid);
	assert_true(run_until(f, dead_reported, GUARD_MS));
	assert_true(is_down(f));
}

static bool waits_for_restart(struct fixture *f)
{
	return is_down(f) && (status(f).flags & COORD_CTL_LOCAL_REPORT_WAIT);
}

static bool is_gone(struct fixture *f)	/* reaps it: fake_pid 0 */
{
	if (f->fake_pid > 0 && waitpid(f->fake_pid, NULL, WNOHANG) == f->fake_pid)
		f->fake_pid = 0;
	return f->fake_pid == 0;
}

/* With a restart wait, a server that leaves the bus and exits a moment
 * later (a killed ganesha) waits for a restart like one gone at once: no
 * death; back within the wait, it is up, restarted; not back, dead. */
static void test_slow_exit_waits_for_restart(void **state)
{
	struct fixture *f = *state;

	f->fake_pid = start_child(f, true, false);
	watch_waiting(f, 0, false, 3000);
	assert_true(run_until(f, is_up, GUARD_MS));
	kill(f->fake_pid, SIGUSR1);
	assert_true(run_until(f, is_gone, GUARD_MS));
	run_until(f, NULL, 100);	/* the pidfd's news, if any, is in */
	assert_true(waits_for_restart(f));
	assert_int_equal(f->n_dead, 0);
	f->fake_pid = start_child(f, true, false);
	assert_true(run_until(f, is_up, GUARD_MS));
	assert_int_equal(status(f).how, COORD_CTL_HOW_RESTARTED);
	assert_int_equal(f->n_dead, 0);
	kill(f->fake_pid, SIGUSR1);
	assert_true(run_until(f, dead_reported, GUARD_MS));
	assert_int_equal(f->n_dead, 1);
	assert_true(is_down(f));
}

/* A server that was never up is not reported dead, and comes up when it starts. */
static void test_never_up_is_not_a_death(void **state)
{
	struct fixture *f = *state;

	watch(f, 0, false);
	assert_true(run_until(f, is_down, GUARD_MS));
	run_until(f, NULL, 200);
	assert_int_equal(f->n_dead, 0);
	f->fake_pid = start_child(f, true, false);
	assert_true(run_until(f, is_up, GUARD_MS));
	assert_int_equal(f->n_dead, 0);
}

/* No heartbeat for the timeout: hung, not dead, and the process left alone. */
static void test_hung_is_reported_not_killed(void **state)
{
	struct fixture *f = *state;
	int st;

	f->fake_pid = start_child(f, true, true);
	watch(f, 300, false);
	assert_true(run_until(f, has_heartbeat, GUARD_MS));
	assert_true(run_until(f, is_up, GUARD_MS));
	assert_int_equal(status(f).hung, 0);
	kill(f->fake_pid, SIGSTOP);
	/* How soon is for make bench; here only that it is hung, not dead. */
	assert_true(run_until(f, is_hung, GUARD_MS));
	assert_int_equal(status(f).how, COORD_CTL_HOW_HEARTBEAT);
	run_until(f, NULL, 300);
	/* One transition, however long it stays hung (the metrics' counter). */
	assert_int_equal(status(f).hung, 1);
	assert_int_equal(f->n_dead, 0);
	assert_int_equal(waitpid(f->fake_pid, &st, WNOHANG), 0);	/* alive */
	kill(f->fake_pid, SIGCONT);
	assert_true(run_until(f, is_up, GUARD_MS));
	assert_int_equal(status(f).how, COORD_CTL_HOW_HEARTBEAT);
	assert_int_equal(status(f).hung, 1);
}

/* on_hung = kill: stopped with SIGKILL, the death reported once it is gone. */
static void test_hung_is_killed_then_dead(void **state)
{
	struct fixture *f = *state;
	int st = 0;

	f->fake_pid = start_child(f, true, true);
	watch(f, 300, true);
	assert_true(run_until(f, has_heartbeat, GUARD_MS));
	assert_true(run_until(f, is_up, GUARD_MS));
	kill(f->fake_pid, SIGSTOP);
	assert_true(run_until(f, dead_reported, GUARD_MS));
	assert_int_equal(status(f).how, COORD_CTL_HOW_KILLED);
	assert_int_equal(waitpid(f->fake_pid, &st, 0), f->fake_pid);
	f->fake_pid = 0;
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	assert_int_equal(f->n_dead, 1);
}

/* Heartbeats from a client that does not own the name count for nothing. */
static void test_impostor_heartbeat_ignored(void **state)
{
	struct fixture *f = *state;

	f->fake_pid = start_child(f, true, false);
	f->impostor_pid = start_child(f, false, true);
	watch(f, 300, false);
	assert_true(run_until(f, is_up, GUARD_MS));
	run_until(f, NULL, 500);
	assert_int_equal(status(f).heartbeats, 0);
	assert_true(status(f).heartbeat_age_us == COORD_CTL_NEVER);
	assert_true(is_up(f));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_name_lost_and_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bus_gone_server_alive_is_no_death, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bus_back_server_off_bus_is_not_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_exit_waits_for_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_up_is_not_a_death, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hung_is_reported_not_killed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hung_is_killed_then_dead, setup, teardown),
		cmocka_unit_test_setup_teardown(test_impostor_heartbeat_ignored, setup, teardown),
	};
	int rc;

	signal(SIGPIPE, SIG_IGN);
	alarm(120);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	dbus_shutdown();
	return rc;
}
