/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The release command runner on a real libqb loop: exit codes, the
 * timeout kill, concurrency, the environment the command sees, spawn
 * failures, other children left alone, and freeing while commands run.
 * Every wait is bounded by a 10 s safety timer that fails the test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <qb/qbloop.h>
#include <qb/qbutil.h>
#include <cmocka.h>

#include "../../../coord/daemon/release.h"

#define SAFETY_NS	(10 * QB_TIME_NS_IN_SEC)
#define MAX_RESULTS	8

struct result {
	struct coord_event_id id;
	int status;
	uint64_t duration_us;
	bool inside_start;
};

static qb_loop_t *loop;
static struct result results[MAX_RESULTS];
static size_t n_results, want_results;
static bool in_start, safety_fired;
static struct coord_release_runner *free_in_done;	/* freed by on_done */

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void on_done(void *ctx, const struct coord_event_id *id, int status,
		    uint64_t duration_us)
{
	(void)ctx;
	if (n_results < MAX_RESULTS) {
		results[n_results].id = *id;
		results[n_results].status = status;
		results[n_results].duration_us = duration_us;
		results[n_results].inside_start = in_start;
	}
	n_results++;
	if (free_in_done) {
		coord_release_free(free_in_done);
		free_in_done = NULL;
	}
	if (n_results >= want_results)
		qb_loop_stop(loop);
}

static void on_safety(void *data)
{
	(void)data;
	safety_fired = true;
	qb_loop_stop(loop);
}

static int setup(void **state)
{
	(void)state;
	loop = qb_loop_create();
	n_results = want_results = 0;
	in_start = safety_fired = false;
	free_in_done = NULL;
	memset(results, 0, sizeof(results));
	return loop ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	qb_loop_destroy(loop);
	loop = NULL;
	return 0;
}

static struct coord_release_runner *runner(const char *command, uint32_t timeout_ms)
{
	struct coord_release_runner *r = coord_release_new(loop, command, timeout_ms,
							   on_done, NULL);

	if (!r)
		fail_msg("coord_release_new(\"%s\"): %s", command, strerror(errno));
	return r;
}

static struct coord_event_id event(uint32_t seq)
{
	struct coord_event_id id = { .origin = 2, .incarnation = 1764032400123456ull,
				     .seq = seq };
	return id;
}

/* Starts a release, recording that we are inside coord_release_start. */
static int start(struct coord_release_runner *r, uint32_t seq, uint8_t outcome,
		 const struct coord_vip *vips, size_t n_vips)
{
	struct coord_event_id id = event(seq);
	int rc;

	in_start = true;
	rc = coord_release_start(r, &id, outcome, vips, n_vips);
	in_start = false;
	return rc;
}

/* Runs the loop until `want` results arrived; fails after 10 s. */
static void run_until(size_t want)
{
	qb_loop_timer_handle safety;

	want_results = want;
	assert_int_equal(qb_loop_timer_add(loop, QB_LOOP_LOW, SAFETY_NS, NULL, on_safety,
					   &safety), 0);
	qb_loop_run(loop);
	qb_loop_timer_del(loop, safety);
	if (safety_fired)
		fail_msg("expected %zu release result(s) within 10 s, got %zu", want,
			 n_results);
}

static void on_stop(void *data)
{
	(void)data;
	qb_loop_stop(loop);
}

/* Runs the loop for ms milliseconds. */
static void run_for(uint32_t ms)
{
	qb_loop_timer_handle t;

	want_results = SIZE_MAX;
	assert_int_equal(qb_loop_timer_add(loop, QB_LOOP_LOW,
					   (uint64_t)ms * QB_TIME_NS_IN_MSEC, NULL,
					   on_stop, &t), 0);
	qb_loop_run(loop);
}

static const struct result *result_for(uint32_t seq)
{
	size_t i;

	for (i = 0; i < n_results && i < MAX_RESULTS; i++)
		if (results[i].id.seq == seq)
			return &results[i];
	fail_msg("no release result for event seq %u", seq);
	return NULL;
}

static void expect_status(const char *command, int want)
{
	struct coord_release_runner *r = runner(command, 5000);
	struct coord_event_id id = event(1);

	assert_int_equal(start(r, 1, COORD_RELEASE_CONFIRMED, NULL, 0), 0);
	if (n_results != 0)
		fail_msg("done() was called inside coord_release_start");
	assert_int_equal(coord_release_running(r), 1);
	run_until(1);
	assert_int_equal(n_results, 1);
	assert_true(coord_event_id_equal(&results[0].id, &id));
	if (results[0].status != want)
		fail_msg("command '%s': expected status %d, got %d", command, want,
			 results[0].status);
	assert_false(results[0].inside_start);
	if (results[0].duration_us == 0 || results[0].duration_us > 5000000)
		fail_msg("command '%s': implausible duration %llu us", command,
			 (unsigned long long)results[0].duration_us);
	assert_int_equal(coord_release_running(r), 0);
	coord_release_free(r);
}

static void test_exit_code(void **state)
{
	(void)state;
	expect_status("exit 3", 3);
}

static void test_true_is_zero(void **state)
{
	(void)state;
	expect_status("true", 0);
}

static void test_signalled_is_128_plus(void **state)
{
	(void)state;
	expect_status("kill -TERM $$", 128 + SIGTERM);
}

static void test_command_not_found(void **state)
{
	(void)state;
	expect_status("/nonexistent/attrd_updater -D -n ganesha-active 2>/dev/null", 127);
}

static void test_bad_arguments(void **state)
{
	struct coord_release_runner *r = runner("true", 1000);
	struct coord_vip vips[COORD_MAX_VIPS + 1];

	(void)state;
	memset(vips, 0, sizeof(vips));
	assert_int_equal(start(r, 1, 0, NULL, 0), -EINVAL);
	assert_int_equal(start(r, 1, COORD_RELEASE_FAILED, NULL, 0), -EINVAL);
	assert_int_equal(start(r, 1, COORD_RELEASE_CONFIRMED, vips, COORD_MAX_VIPS + 1), -EINVAL);
	assert_int_equal(coord_release_running(r), 0);
	run_for(100);
	if (n_results != 0)
		fail_msg("a refused start must not report; got %zu result(s)", n_results);
	coord_release_free(r);
	errno = 0;
	assert_null(coord_release_new(loop, "", 1000, on_done, NULL));
	assert_int_equal(errno, EINVAL);
	assert_null(coord_release_new(loop, "true", 0, on_done, NULL));
}

/* The pid in path once the command wrote it, or 0 after 5 s. */
static pid_t read_pid(const char *path)
{
	int i, pid = 0;
	FILE *f;

	for (i = 0; i < 500 && pid <= 0; i++) {
		f = fopen(path, "r");
		if (f) {
			if (fscanf(f, "%d", &pid) != 1)
				pid = 0;
			fclose(f);
		}
		if (pid <= 0)
			usleep(10000);
	}
	return pid;
}

/* Gone, or a zombie nobody reaps (the container's init may not). */
static bool process_dead(pid_t pid)
{
	char path[64], buf[256], *p;
	int i;
	FILE *f;

	for (i = 0; i < 200; i++) {
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		f = fopen(path, "r");
		if (!f)
			return true;
		p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		if (p && (p[2] == 'Z' || p[2] == 'X'))
			return true;
		usleep(10000);
	}
	return false;
}

static void test_timeout_kills_process_group(void **state)
{
	char path[64], command[256];
	struct coord_release_runner *r;
	uint64_t t0, elapsed;
	pid_t background;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/coord-release-test.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	/* The shell waits for a background sleep of its own group. */
	snprintf(command, sizeof(command), "sleep 30 & echo $! > %s; wait", path);
	r = runner(command, 300);
	t0 = mono_us();
	assert_int_equal(start(r, 4, COORD_RELEASE_UNCONFIRMED, NULL, 0), 0);
	run_until(1);
	elapsed = mono_us() - t0;
	background = read_pid(path);
	unlink(path);
	if (results[0].status != 128 + SIGKILL)
		fail_msg("a command running past its 300 ms timeout: expected status 137 "
			 "(killed), got %d", results[0].status);
	if (results[0].duration_us < 300000 || elapsed > 5000000)
		fail_msg("expected the kill after 300 ms and the report within 5 s; "
			 "duration %llu us, reported after %llu us",
			 (unsigned long long)results[0].duration_us,
			 (unsigned long long)elapsed);
	assert_int_equal(coord_release_running(r), 0);
	if (background <= 0)
		fail_msg("the command never wrote its background pid");
	if (!process_dead(background))
		fail_msg("the command's background sleep (pid %d) survived the kill of "
			 "its process group", (int)background);
	coord_release_free(r);
}

static void test_concurrent_releases(void **state)
{
	struct coord_release_runner *r;

	(void)state;
	/* Each command exits with 10 + its event's sequence number. */
	r = runner("sleep 0.3; exit $((${COORD_EVENT##*.} + 10))", 5000);
	assert_int_equal(start(r, 1, COORD_RELEASE_CONFIRMED, NULL, 0), 0);
	assert_int_equal(start(r, 2, COORD_RELEASE_UNCONFIRMED, NULL, 0), 0);
	assert_int_equal(n_results, 0);
	/* Both run at once: neither can have been collected yet. */
	assert_int_equal(coord_release_running(r), 2);
	run_until(2);
	assert_int_equal(n_results, 2);
	assert_int_equal(result_for(1)->status, 11);
	assert_int_equal(result_for(2)->status, 12);
	assert_false(result_for(1)->inside_start);
	assert_false(result_for(2)->inside_start);
	assert_int_equal(coord_release_running(r), 0);
	coord_release_free(r);
}

static void expect_line(const char *text, const char *line)
{
	char want[256];

	snprintf(want, sizeof(want), "%s\n", line);
	if (!strstr(text, want))
		fail_msg("expected the line '%s' in what the command saw:\n%.600s", line, text);
}

static void read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		fail_msg("the release command did not write %s", path);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void test_environment(void **state)
{
	char dir[] = "/tmp/coord-release-env.XXXXXX", command[1024], path[128];
	char text[2048], line[128];
	struct coord_release_runner *r;
	struct coord_vip vips[2];
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(coord_vip_parse("198.18.0.100", &vips[0]), 0);
	assert_int_equal(coord_vip_parse("fe80::1", &vips[1]), 0);
	/* Stale values in coordd's environment must not leak through. */
	setenv("COORD_EVENT", "stale", 1);
	setenv("COORD_VIPS", "stale", 1);
	setenv("COORD_TEST_KEEP", "kept", 1);
	/* A descriptor of coordd's that is not close-on-exec. */
	fd = open("/dev/null", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, 200), 200);
	close(fd);
	snprintf(command, sizeof(command),
		 "out=%s/seen.${COORD_EVENT##*.}; {"
		 " echo \"event=$COORD_EVENT\";"
		 " echo \"outcome=$COORD_OUTCOME\";"
		 " echo \"vips=$COORD_VIPS\";"
		 " echo \"keep=$COORD_TEST_KEEP\";"
		 " echo \"event_entries=$(tr '\\0' '\\n' < /proc/$$/environ | grep -c '^COORD_EVENT=')\";"
		 " echo \"stdin=$(readlink /proc/$$/fd/0)\";"
		 " if [ -e /proc/$$/fd/200 ]; then echo fd200=open; else echo fd200=closed; fi;"
		 " set -- $(cat /proc/$$/stat); echo \"pgrp_is_pid=$([ \"$5\" = \"$1\" ] && echo yes || echo no)\";"
		 " } > $out.tmp; mv $out.tmp $out", dir);
	r = runner(command, 5000);
	assert_int_equal(start(r, 7, COORD_RELEASE_UNCONFIRMED, vips, 2), 0);
	assert_int_equal(start(r, 8, COORD_RELEASE_CONFIRMED, NULL, 0), 0);
	run_until(2);
	close(200);
	unsetenv("COORD_EVENT");
	unsetenv("COORD_VIPS");
	unsetenv("COORD_TEST_KEEP");
	assert_int_equal(result_for(7)->status, 0);
	assert_int_equal(result_for(8)->status, 0);

	snprintf(path, sizeof(path), "%s/seen.7", dir);
	read_file(path, text, sizeof(text));
	unlink(path);
	expect_line(text, "event=2.1764032400123456.7");
	expect_line(text, "outcome=unconfirmed");
	expect_line(text, "vips=198.18.0.100 fe80::1");
	expect_line(text, "keep=kept");
	expect_line(text, "event_entries=1");
	expect_line(text, "stdin=/dev/null");
	expect_line(text, "fd200=closed");
	expect_line(text, "pgrp_is_pid=yes");

	snprintf(path, sizeof(path), "%s/seen.8", dir);
	read_file(path, text, sizeof(text));
	unlink(path);
	snprintf(line, sizeof(line), "event=2.1764032400123456.8");
	expect_line(text, line);
	expect_line(text, "outcome=confirmed");
	expect_line(text, "vips=");
	rmdir(dir);
	coord_release_free(r);
}

static void test_other_children_left_alone(void **state)
{
	struct coord_release_runner *r;
	pid_t other;
	int st;

	(void)state;
	other = fork();
	assert_true(other >= 0);
	if (other == 0)
		_exit(42);
	/* Its SIGCHLD arrives while the release runs. */
	r = runner("sleep 0.2", 5000);
	assert_int_equal(start(r, 1, COORD_RELEASE_CONFIRMED, NULL, 0), 0);
	run_until(1);
	assert_int_equal(results[0].status, 0);
	coord_release_free(r);
	if (waitpid(other, &st, WNOHANG) != other)
		fail_msg("another child of the process (pid %d) was reaped by the runner",
			 (int)other);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 42);
}

static void test_spawn_failure_reported_later(void **state)
{
	struct coord_release_runner *r;
	struct rlimit old, tight;
	int rc;

	(void)state;
	r = runner("true", 5000);
	/* The child cannot open /dev/null for stdin: the spawn fails. */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	tight = old;
	tight.rlim_cur = 3;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &tight), 0);
	rc = start(r, 9, COORD_RELEASE_CONFIRMED, NULL, 0);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_equal(rc, 0);
	if (n_results != 0)
		fail_msg("a failed spawn was reported inside coord_release_start");
	assert_int_equal(coord_release_running(r), 1);
	run_until(1);
	assert_int_equal(results[0].id.seq, 9);
	if (results[0].status != -1)
		fail_msg("a command that could not be started: expected status -1, got %d",
			 results[0].status);
	assert_false(results[0].inside_start);
	assert_int_equal(coord_release_running(r), 0);
	coord_release_free(r);
}

static void test_free_kills_running(void **state)
{
	char path[64], command[256];
	struct coord_release_runner *r;
	uint64_t t0;
	pid_t pid;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/coord-release-test.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(command, sizeof(command), "echo $$ > %s; exec sleep 30", path);
	r = runner(command, 60000);
	assert_int_equal(start(r, 1, COORD_RELEASE_CONFIRMED, NULL, 0), 0);
	pid = read_pid(path);
	unlink(path);
	assert_true(pid > 0);
	t0 = mono_us();
	coord_release_free(r);
	if (mono_us() - t0 > 2000000)
		fail_msg("coord_release_free took more than 2 s with a command running");
	if (kill(pid, 0) == 0 || errno != ESRCH)
		fail_msg("the running command (pid %d) survived coord_release_free", (int)pid);
	/* Its SIGCHLD is still queued for the loop: harmless, and unreported. */
	run_for(200);
	assert_int_equal(n_results, 0);
}

static void test_free_from_done(void **state)
{
	struct coord_release_runner *r;

	(void)state;
	r = runner("exit 5", 5000);
	assert_int_equal(start(r, 1, COORD_RELEASE_CONFIRMED, NULL, 0), 0);
	free_in_done = r;
	run_until(1);
	assert_null(free_in_done);
	assert_int_equal(results[0].status, 5);
	run_for(100);
	assert_int_equal(n_results, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exit_code, setup, teardown),
		cmocka_unit_test_setup_teardown(test_true_is_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signalled_is_128_plus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_not_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_kills_process_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_releases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_environment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_children_left_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spawn_failure_reported_later, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_kills_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_from_done, setup, teardown),
	};
	return cmocka_run_group_tests_name("release", tests, NULL, NULL);
}
