/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordd's logging: the level filter on a file target and on stderr,
 * the engine callback, bad targets, and the blackbox written on a fatal
 * signal.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <signal.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <qb/qblog.h>
#include <cmocka.h>

#include "../../../coord/daemon/log.h"

static char *slurp(const char *path)
{
	static char buf[1 << 16];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		fail_msg("cannot read back %s", path);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static void temp_path(char *path, size_t len, const char *what)
{
	int fd;

	snprintf(path, len, "/tmp/coord-log-test-%s.XXXXXX", what);
	fd = mkstemp(path);
	if (fd < 0)
		fail_msg("mkstemp: cannot create a temporary file");
	close(fd);
}

static void expect_in(const char *log, const char *text, const char *why)
{
	if (!strstr(log, text))
		fail_msg("expected '%s' in the log (%s); the log holds:\n%.600s", text, why, log);
}

static void expect_not_in(const char *log, const char *text, const char *why)
{
	if (strstr(log, text))
		fail_msg("expected no '%s' in the log (%s); the log holds:\n%.600s", text, why, log);
}

/* Logs one marker per level and through the engine callback. */
static void log_markers(void)
{
	qb_log(LOG_ERR, "marker-error %d", 1);
	qb_log(LOG_WARNING, "marker-warning %d", 2);
	qb_log(LOG_NOTICE, "marker-notice %d", 3);
	qb_log(LOG_INFO, "marker-info %d", 4);
	qb_log(LOG_DEBUG, "marker-debug %d", 5);
	coord_log_engine(NULL, LOG_NOTICE, "engine-notice: event 2.7.1 released");
	coord_log_engine(NULL, LOG_DEBUG, "engine-debug: ack from node 3");
}

static void test_level_parse(void **state)
{
	(void)state;
	assert_int_equal(coord_log_level_parse("error"), LOG_ERR);
	assert_int_equal(coord_log_level_parse("warning"), LOG_WARNING);
	assert_int_equal(coord_log_level_parse("notice"), LOG_NOTICE);
	assert_int_equal(coord_log_level_parse("info"), LOG_INFO);
	assert_int_equal(coord_log_level_parse("debug"), LOG_DEBUG);
	assert_int_equal(coord_log_level_parse("loud"), -1);
	assert_int_equal(coord_log_level_parse("err"), -1);
	assert_int_equal(coord_log_level_parse(""), -1);
	assert_int_equal(coord_log_level_parse("debug "), -1);
}

static void test_file_filter_info(void **state)
{
	char path[64], err[256];
	const char *log;

	(void)state;
	temp_path(path, sizeof(path), "info");
	if (coord_log_init("coordd-test", path, LOG_INFO, err, sizeof(err)) != 0)
		fail_msg("coord_log_init(%s, info): %s", path, err);
	/* Only the target asked for: neither syslog nor stderr. */
	assert_int_equal(qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_STATE_GET, 0),
			 QB_LOG_STATE_DISABLED);
	assert_int_equal(qb_log_ctl(QB_LOG_STDERR, QB_LOG_CONF_STATE_GET, 0),
			 QB_LOG_STATE_DISABLED);
	log_markers();
	coord_log_fini();
	log = slurp(path);
	unlink(path);
	expect_in(log, "marker-error 1", "error passes info");
	expect_in(log, "marker-warning 2", "warning passes info");
	expect_in(log, "marker-notice 3", "notice passes info");
	expect_in(log, "marker-info 4", "info passes info");
	expect_not_in(log, "marker-debug", "debug is below info");
	expect_in(log, "engine-notice: event 2.7.1 released", "the engine's notice");
	expect_not_in(log, "engine-debug", "the engine's debug is below info");
	/* "TIME IDENT[PID] LEVEL: text" */
	expect_in(log, "coordd-test[", "the ident names the program");
	expect_in(log, "error: marker-error 1", "the level precedes the text");
}

static void test_file_filter_error(void **state)
{
	char path[64], err[256];
	const char *log;

	(void)state;
	temp_path(path, sizeof(path), "error");
	if (coord_log_init("coordd-test", path, LOG_ERR, err, sizeof(err)) != 0)
		fail_msg("coord_log_init(%s, error): %s", path, err);
	log_markers();
	coord_log_fini();
	/* After fini nothing is written. */
	qb_log(LOG_ERR, "marker-after-fini");
	log = slurp(path);
	unlink(path);
	expect_in(log, "marker-error 1", "error passes error");
	expect_not_in(log, "marker-warning", "warning is below error");
	expect_not_in(log, "marker-notice", "notice is below error");
	expect_not_in(log, "engine-notice", "the engine's notice is below error");
	expect_not_in(log, "marker-after-fini", "logging stopped");
}

/* logrotate moves the file away and sends SIGHUP: later lines go to a new
 * file at the same path, none to the moved one. */
static void test_file_reopen(void **state)
{
	char path[64], moved[80], err[256];
	const char *reopened = NULL;
	const char *log;

	(void)state;
	temp_path(path, sizeof(path), "reopen");
	snprintf(moved, sizeof(moved), "%s.1", path);
	if (coord_log_init("coordd-test", path, LOG_INFO, err, sizeof(err)) != 0)
		fail_msg("coord_log_init(%s, info): %s", path, err);
	qb_log(LOG_NOTICE, "marker-before-rotation");
	assert_int_equal(rename(path, moved), 0);
	assert_int_equal(coord_log_reopen(&reopened), 0);
	assert_non_null(reopened);
	assert_string_equal(reopened, path);
	qb_log(LOG_NOTICE, "marker-after-rotation");
	coord_log_fini();
	log = slurp(moved);
	expect_in(log, "marker-before-rotation", "the moved file keeps what was written");
	expect_not_in(log, "marker-after-rotation", "nothing goes to the moved file");
	log = slurp(path);
	expect_in(log, "marker-after-rotation", "the new file gets what follows");
	unlink(moved);
	unlink(path);
}

/* coordd -t: what coord_log_init() would refuse, without opening. */
static void test_target_check(void **state)
{
	char path[64], err[256] = "";

	(void)state;
	assert_int_equal(coord_log_target_check("syslog", err, sizeof(err)), 0);
	assert_int_equal(coord_log_target_check("stderr", err, sizeof(err)), 0);
	temp_path(path, sizeof(path), "check");
	assert_int_equal(coord_log_target_check(path, err, sizeof(err)), 0);	/* exists */
	unlink(path);
	assert_int_equal(coord_log_target_check(path, err, sizeof(err)), 0);	/* can be made */
	assert_int_equal(access(path, F_OK), -1);	/* and was not */
	assert_int_equal(coord_log_target_check("/nonexistent-dir/coordd.log", err,
						sizeof(err)), -ENOENT);
	expect_in(err, "cannot create log file /nonexistent-dir/coordd.log in /nonexistent-dir",
		  "a missing directory is named");
	assert_int_equal(coord_log_target_check("/tmp", err, sizeof(err)), -EISDIR);
	expect_in(err, "log file /tmp is a directory", "a directory is no log file");
}

/* Not a file: nothing to reopen, and no error. */
static void test_reopen_without_file(void **state)
{
	const char *reopened = "unset";
	char err[256];

	(void)state;
	assert_int_equal(coord_log_init("coordd-test", "stderr", LOG_ERR, err, sizeof(err)), 0);
	assert_int_equal(coord_log_reopen(&reopened), 0);
	assert_null(reopened);
	coord_log_fini();
}

static void test_stderr_target(void **state)
{
	char path[64], err[256];
	const char *log;
	int saved, fd;

	(void)state;
	temp_path(path, sizeof(path), "stderr");
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	fd = open(path, O_WRONLY | O_APPEND);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, STDERR_FILENO);
	close(fd);
	if (coord_log_init("coordd-test", "stderr", LOG_NOTICE, err, sizeof(err)) != 0) {
		dup2(saved, STDERR_FILENO);
		fail_msg("coord_log_init(stderr, notice): %s", err);
	}
	log_markers();
	coord_log_fini();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	log = slurp(path);
	unlink(path);
	expect_in(log, "marker-notice 3", "notice passes notice");
	expect_not_in(log, "marker-info", "info is below notice");
	expect_in(log, "coordd-test[", "the ident names the program");
}

static void test_bad_targets(void **state)
{
	char err[256];

	(void)state;
	err[0] = '\0';
	assert_int_equal(coord_log_init("coordd-test", "/nonexistent-dir/coordd.log",
					LOG_INFO, err, sizeof(err)), -1);
	if (!strstr(err, "/nonexistent-dir/coordd.log") || !strstr(err, "No such file"))
		fail_msg("expected the log file and 'No such file' in the error, got '%s'", err);
	err[0] = '\0';
	assert_int_equal(coord_log_init("coordd-test", "coordd.log", LOG_INFO,
					err, sizeof(err)), -1);
	expect_in(err, "bad log target 'coordd.log'", "a relative path is refused");
	err[0] = '\0';
	assert_int_equal(coord_log_init("coordd-test", "stderr", 42, err, sizeof(err)), -1);
	expect_in(err, "bad log level", "level 42 is refused");
	/* Still usable after the failures. */
	assert_int_equal(coord_log_init("coordd-test", "stderr", LOG_ERR, err, sizeof(err)), 0);
	coord_log_fini();
}

static void test_syslog_target(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(coord_log_init("coordd-test", "syslog", LOG_WARNING,
					err, sizeof(err)), 0);
	assert_int_equal(qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_STATE_GET, 0),
			 QB_LOG_STATE_ENABLED);
	assert_int_equal(qb_log_ctl(QB_LOG_STDERR, QB_LOG_CONF_STATE_GET, 0),
			 QB_LOG_STATE_DISABLED);
	coord_log_fini();
}

/*
 * Counts the blackbox ring files of ident and pid in /dev/shm
 * (qb-IDENT-PID-blackbox-*); removes them when unlink_them.
 */
static int shm_blackbox_count(const char *ident, pid_t pid, bool unlink_them)
{
	char prefix[96], path[384];
	struct dirent *de;
	int n = 0;
	DIR *d = opendir("/dev/shm");

	if (!d)
		return 0;
	snprintf(prefix, sizeof(prefix), "qb-%s-%d-blackbox", ident, (int)pid);
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		n++;
		snprintf(path, sizeof(path), "/dev/shm/%s", de->d_name);
		if (unlink_them)
			unlink(path);
	}
	closedir(d);
	return n;
}

static void test_blackbox_shm_released(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(coord_log_init("coordd-bbtest", "stderr", LOG_ERR, err, sizeof(err)), 0);
	if (shm_blackbox_count("coordd-bbtest", getpid(), false) == 0)
		fail_msg("expected the blackbox ring in /dev/shm while logging is on");
	coord_log_fini();
	assert_int_equal(shm_blackbox_count("coordd-bbtest", getpid(), false), 0);
}

/*
 * A child logs at every level with the file target at error, then
 * aborts: it must die of SIGABRT, having written the blackbox, which
 * holds the debug line that the file did not get.
 */
static void test_blackbox_on_fatal_signal(void **state)
{
	char logpath[64], bbpath[64], printed[64], err[256];
	const char *text;
	int st;
	pid_t pid;

	(void)state;
	temp_path(logpath, sizeof(logpath), "fatal");
	temp_path(bbpath, sizeof(bbpath), "fdata");
	unlink(bbpath);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* libqb prints the ring's header on stdout when it dumps. */
		if (!freopen("/dev/null", "w", stdout))
			_exit(100);
		if (coord_log_init("coordd-test", logpath, LOG_ERR, err, sizeof(err)) != 0)
			_exit(101);
		if (coord_log_fatal_signals(bbpath) != 0)
			_exit(102);
		qb_log(LOG_ERR, "blackbox-error %d", 1);
		qb_log(LOG_DEBUG, "blackbox-debug %s %d", "survivor", 3);
		abort();
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	/* The child died with its ring mapped: remove its files. */
	shm_blackbox_count("coordd-test", pid, true);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGABRT)
		fail_msg("expected the child to die of SIGABRT, got status 0x%x", st);
	text = slurp(logpath);
	expect_in(text, "blackbox-error 1", "the file target got the error");
	expect_not_in(text, "blackbox-debug", "the file target is at error");

	/* Decode the dump as qb-blackbox would. */
	temp_path(printed, sizeof(printed), "printed");
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* ... and at the end of the ring, a read error on stderr. */
		if (!freopen(printed, "w", stdout) || !freopen("/dev/null", "w", stderr))
			_exit(100);
		qb_log_blackbox_print_from_file(bbpath);
		fflush(stdout);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	text = slurp(printed);
	unlink(logpath);
	unlink(bbpath);
	unlink(printed);
	expect_in(text, "blackbox-debug survivor 3", "the blackbox keeps debug lines");
	expect_in(text, "blackbox-error 1", "the blackbox keeps every level");
}

static void test_blackbox_dump_now(void **state)
{
	char bbpath[64], err[256];
	int saved, null, rc;
	FILE *f;
	long size;

	(void)state;
	temp_path(bbpath, sizeof(bbpath), "dump");
	assert_int_equal(coord_log_init("coordd-test", "stderr", LOG_ERR, err, sizeof(err)), 0);
	qb_log(LOG_DEBUG, "dump-debug");
	/* libqb prints the ring's header on stdout: keep TAP clean. */
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	null = open("/dev/null", O_WRONLY);
	assert_true(saved >= 0 && null >= 0);
	dup2(null, STDOUT_FILENO);
	close(null);
	rc = coord_log_blackbox_dump(bbpath);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	assert_int_equal(rc, 0);
	coord_log_fini();
	f = fopen(bbpath, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fclose(f);
	unlink(bbpath);
	if (size <= 0)
		fail_msg("expected a non-empty blackbox dump, got %ld bytes", size);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_level_parse),
		cmocka_unit_test(test_bad_targets),
		cmocka_unit_test(test_file_filter_info),
		cmocka_unit_test(test_file_filter_error),
		cmocka_unit_test(test_target_check),
		cmocka_unit_test(test_file_reopen),
		cmocka_unit_test(test_reopen_without_file),
		cmocka_unit_test(test_stderr_target),
		cmocka_unit_test(test_syslog_target),
		cmocka_unit_test(test_blackbox_shm_released),
		cmocka_unit_test(test_blackbox_on_fatal_signal),
		cmocka_unit_test(test_blackbox_dump_now),
	};
	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
