/*
 * coordd.conf parsing: defaults, every key, and every error naming the
 * file, the line and the key.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../coord/config.h"

static char path[64];
static char err[512];

static int load_text(const char *text, struct coord_config *cfg)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/coord-conf-test.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	coord_config_defaults(cfg);
	err[0] = '\0';
	fd = coord_config_load(path, true, cfg, err, sizeof(err));
	unlink(path);
	return fd;
}

static void expect_error(const char *text, const char *fragment)
{
	struct coord_config cfg;
	char where[80];

	assert_int_equal(load_text(text, &cfg), -1);
	snprintf(where, sizeof(where), "%s:", path);
	if (!strstr(err, fragment) || strncmp(err, where, strlen(where)))
		fail_msg("for input '%s' expected an error naming '%s' at %s, got '%s'",
			 text, fragment, where, err);
}

static void test_errors_name_file_line_key(void **state)
{
	(void)state;
	expect_error("group = a\ngrace_timeout = 5\n", ":2: unknown key 'grace_timeout'");
	expect_error("barrier_deadline_ms = abc\n", ":1: bad value for barrier_deadline_ms: 'abc'");
	expect_error("barrier_deadline_ms = 99\n", "expected milliseconds 100..3600000");
	expect_error("barrier_deadline_ms = 5000x\n", "bad value for barrier_deadline_ms");
	expect_error("barrier_deadline_ms = 99999999999999999999\n", "bad value");
	expect_error("release_max_attempts = 0\n", "bad value for release_max_attempts");
	expect_error("release_max_attempts = -1\n", "bad value for release_max_attempts");
	expect_error("\n\njust words\n", ":3: expected 'key = value'");
	expect_error("deadline_policy = maybe\n", "expected release or hold");
	expect_error("socket = run/coordd.sock\n", "bad value for socket");
	expect_error("vip = 300.1.1.1\n", "bad value for vip");
	expect_error("vip = 198.18.0.1\nvip = 198.18.0.1\n", ":2: bad value for vip");
	expect_error("release_command =\n", "bad value for release_command");
	expect_error("log_level = loud\n", "bad value for log_level");
	expect_error("log_target = relative.log\n", "bad value for log_target");
	expect_error("group =\n", "bad value for group");
}

static void test_too_many_vips_and_long_line(void **state)
{
	char text[8192];
	size_t len = 0;
	int i;

	(void)state;
	for (i = 0; i <= COORD_MAX_VIPS; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "vip = 198.18.1.%d\n", i);
	expect_error(text, ":17: bad value for vip");
	memset(text, 'x', 5000);
	memcpy(text, "group = ", 8);
	text[5000] = '\0';
	expect_error(text, ":1: line longer than 4096 bytes");
}

static void test_defaults(void **state)
{
	struct coord_config cfg;

	(void)state;
	assert_int_equal(load_text("# nothing but a comment\n\n", &cfg), 0);
	assert_string_equal(cfg.group, "ganesha-grace");
	assert_string_equal(cfg.socket, "/run/coord/coordd.sock");
	assert_string_equal(cfg.release_command, "attrd_updater -D -n ganesha-active");
	assert_int_equal(cfg.grace_call_timeout_ms, 5000);
	assert_int_equal(cfg.barrier_deadline_ms, 15000);
	assert_int_equal(cfg.deadline_policy, COORD_POLICY_RELEASE);
	assert_int_equal(cfg.log_level, LOG_NOTICE);
	assert_string_equal(cfg.log_target, "syslog");
	assert_string_equal(cfg.socket_group, "haclient");
	assert_string_equal(cfg.dbus_address, "");
	assert_int_equal(cfg.n_vips, 0);
}

static void test_every_key(void **state)
{
	struct coord_config cfg;
	struct coord_engine_config ec;
	char ip[64];

	(void)state;
	assert_int_equal(load_text(
		"group = g1   # trailing comment\n"
		"  socket = /tmp/x.sock\n"
		"vip = 198.18.0.100\n"
		"vip = fe80::1\n"
		"dbus_address = unix:path=/tmp/b#us\n"
		"grace_call_timeout_ms = 2500\n"
		"barrier_deadline_ms = 8000\n"
		"deadline_policy = hold\n"
		"release_command = echo a=b\n"
		"release_timeout_ms = 1000\n"
		"release_retry_ms = 250\n"
		"release_max_attempts = 7\n"
		"log_target = /var/log/coordd.log\n"
		"log_level = debug\n"
		"socket_group = wheel\n", &cfg), 0);
	assert_string_equal(cfg.group, "g1");
	assert_string_equal(cfg.socket, "/tmp/x.sock");
	assert_int_equal(cfg.n_vips, 2);
	assert_string_equal(coord_vip_format(&cfg.vips[1], ip, sizeof(ip)), "fe80::1");
	/* '#' only starts a comment after whitespace */
	assert_string_equal(cfg.dbus_address, "unix:path=/tmp/b#us");
	assert_int_equal(cfg.grace_call_timeout_ms, 2500);
	assert_int_equal(cfg.deadline_policy, COORD_POLICY_HOLD);
	assert_string_equal(cfg.release_command, "echo a=b");
	assert_int_equal(cfg.release_max_attempts, 7);
	assert_int_equal(cfg.log_level, LOG_DEBUG);
	assert_string_equal(cfg.socket_group, "wheel");
	memset(&ec, 0, sizeof(ec));
	coord_config_to_engine(&cfg, &ec);
	assert_int_equal(ec.deadline_us, 8000000);
	assert_int_equal(ec.release_retry_us, 250000);
	assert_int_equal(ec.n_vips, 2);
	assert_int_equal(ec.policy, COORD_POLICY_HOLD);
}

static void test_missing_file(void **state)
{
	struct coord_config cfg;

	(void)state;
	coord_config_defaults(&cfg);
	assert_int_equal(coord_config_load("/nonexistent/coordd.conf", false, &cfg,
					   err, sizeof(err)), 0);
	assert_int_equal(coord_config_load("/nonexistent/coordd.conf", true, &cfg,
					   err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open /nonexistent/coordd.conf"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors_name_file_line_key),
		cmocka_unit_test(test_too_many_vips_and_long_line),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_missing_file),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
