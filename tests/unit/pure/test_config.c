/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordd.conf parsing: hostile and mistaken files first (every error
 * names the file, the line and the key), then defaults, every key,
 * comments and whitespace, bounds, and the engine's part.
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

#include "../../../coord/daemon/config.h"

static char path[64];
static char err[512];

/* Writes len bytes to a fresh temporary file (path). */
static void write_temp(const char *text, size_t len)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/coord-conf-test.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		fail_msg("mkstemp: cannot create a temporary configuration file");
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

/* Loads text over the defaults; the result of coord_config_load. */
static int load_text(const char *text, struct coord_config *cfg)
{
	int rc;

	write_temp(text, strlen(text));
	coord_config_defaults(cfg);
	snprintf(err, sizeof(err), "(no message)");
	rc = coord_config_load(path, true, cfg, err, sizeof(err));
	unlink(path);
	return rc;
}

static void expect_ok(const char *text, struct coord_config *cfg)
{
	if (load_text(text, cfg) != 0)
		fail_msg("expected this configuration to load:\n%.200s\nbut got: %s", text, err);
}

/* The error must start with "FILE:" and contain fragment. */
static void expect_error(const char *text, const char *fragment)
{
	struct coord_config cfg;
	char where[80];

	if (load_text(text, &cfg) != -1)
		fail_msg("expected an error containing \"%s\" for:\n%.200s\nbut it loaded",
			 fragment, text);
	snprintf(where, sizeof(where), "%s:", path);
	if (strncmp(err, where, strlen(where)) || !strstr(err, fragment))
		fail_msg("for input:\n%.200s\nexpected an error at %s containing \"%s\", got \"%s\"",
			 text, where, fragment, err);
}

static void test_error_messages_exact(void **state)
{
	struct coord_config cfg;
	char want[256];
	const char *text =
		"# coordd.conf\n"
		"group = g\n\n\n\n\n"
		"barrier_deadline_ms = abc\n";

	(void)state;
	assert_int_equal(load_text(text, &cfg), -1);
	snprintf(want, sizeof(want), "%s:7: bad value for barrier_deadline_ms: 'abc' "
		 "(expected milliseconds 100..3600000)", path);
	assert_string_equal(err, want);

	assert_int_equal(load_text("\n\n\n\n\n\n\n\n\n\n\ngrace_timeout = 5 # old name\n",
				   &cfg), -1);
	snprintf(want, sizeof(want), "%s:12: unknown key 'grace_timeout'", path);
	assert_string_equal(err, want);

	coord_config_defaults(&cfg);
	assert_int_equal(coord_config_load("/nonexistent/coordd.conf", true, &cfg,
					   err, sizeof(err)), -1);
	assert_string_equal(err, "cannot open /nonexistent/coordd.conf: "
			    "No such file or directory");
}

static const struct {
	const char *text;
	const char *fragment;
} bad_files[] = {
	/* unknown keys, structure */
	{ "group = a\ngrace_timeout = 5\n", ":2: unknown key 'grace_timeout'" },
	{ "Group = a\n", ":1: unknown key 'Group'" },
	{ "\n\njust words\n", ":3: expected 'key = value', got 'just words'" },
	{ "group\n", ":1: expected 'key = value'" },
	{ " = 5\n", ":1: missing key before '='" },
	{ "group = a\n# x\ngroup = b\n", ":3: group given twice (first on line 1)" },
	{ "deadline_policy = hold\ndeadline_policy = hold\n",
	  ":2: deadline_policy given twice" },
	/* numbers: strict, in range */
	{ "barrier_deadline_ms = abc\n", ":1: bad value for barrier_deadline_ms: 'abc'" },
	{ "barrier_deadline_ms = 5000x\n", "bad value for barrier_deadline_ms: '5000x'" },
	{ "barrier_deadline_ms = 5000 ms\n", "bad value for barrier_deadline_ms" },
	{ "barrier_deadline_ms = -5000\n", "bad value for barrier_deadline_ms" },
	{ "barrier_deadline_ms = +5000\n", "bad value for barrier_deadline_ms" },
	{ "barrier_deadline_ms = 0x1000\n", "bad value for barrier_deadline_ms" },
	{ "barrier_deadline_ms = 4294967296\n", "bad value for barrier_deadline_ms" },
	{ "barrier_deadline_ms = 99999999999999999999\n", "bad value for barrier_deadline_ms" },
	{ "barrier_deadline_ms = 99\n", "(expected milliseconds 100..3600000)" },
	{ "barrier_deadline_ms = 3600001\n", "(expected milliseconds 100..3600000)" },
	{ "barrier_deadline_ms =\n", "bad value for barrier_deadline_ms: ''" },
	{ "grace_call_timeout_ms = 99\n", "(expected milliseconds 100..600000)" },
	{ "grace_call_timeout_ms = 600001\n", "(expected milliseconds 100..600000)" },
	{ "grace_call_timeout_ms =\n", "bad value for grace_call_timeout_ms" },
	{ "release_timeout_ms = 99\n", "(expected milliseconds 100..3600000)" },
	{ "release_timeout_ms = 1.5\n", "bad value for release_timeout_ms" },
	{ "release_retry_ms = 9\n", "(expected milliseconds 10..30000)" },
	{ "release_retry_ms = 30001\n", "(expected milliseconds 10..30000)" },
	{ "release_max_attempts = 0\n", "bad value for release_max_attempts: '0' "
	  "(expected a count 1..100)" },
	{ "release_max_attempts = 101\n", "(expected a count 1..100)" },
	{ "release_max_attempts = -1\n", "bad value for release_max_attempts" },
	/* policy, levels, targets */
	{ "deadline_policy = maybe\n", "bad value for deadline_policy: 'maybe' "
	  "(expected release or hold)" },
	{ "deadline_policy = HOLD\n", "(expected release or hold)" },
	{ "deadline_policy =\n", "(expected release or hold)" },
	{ "log_level = loud\n", "bad value for log_level: 'loud' "
	  "(expected error, warning, notice, info or debug)" },
	{ "log_level = err\n", "bad value for log_level" },
	{ "log_level =\n", "bad value for log_level" },
	{ "log_target = relative.log\n", "bad value for log_target: 'relative.log'" },
	{ "log_target =\n", "bad value for log_target" },
	/* text */
	{ "socket = run/coordd.sock\n", "bad value for socket: 'run/coordd.sock' "
	  "(expected an absolute path of at most 107 bytes)" },
	{ "socket =\n", "bad value for socket" },
	{ "group =\n", "bad value for group: '' (expected 1..127 printable bytes)" },
	{ "group = a\tb\n", "bad value for group" },
	{ "group = caf\xc3\xa9\n", "bad value for group: 'caf?" "?'" },
	{ "release_command =\n", "bad value for release_command: '' "
	  "(expected a command of 1..1023 printable bytes)" },
	{ "release_command =   # only a comment\n", "bad value for release_command" },
	{ "socket_group = ha client\n", "bad value for socket_group" },
	{ "socket_group =\n", "bad value for socket_group" },
	/* VIPs */
	{ "vip = 300.1.1.1\n", ":1: bad value for vip: '300.1.1.1' "
	  "(expected an IPv4 or IPv6 address)" },
	{ "vip = node1\n", "bad value for vip" },
	{ "vip =\n", "bad value for vip: ''" },
	{ "vip = 198.18.0.1\nvip = 198.18.0.1\n", ":2: bad value for vip: '198.18.0.1' "
	  "(expected an address not given before; it is on line 1)" },
	{ "vip = fe80::1\n\nvip = fe80:0:0::1\n", ":3: bad value for vip" },
};

static void test_bad_files(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++)
		expect_error(bad_files[i].text, bad_files[i].fragment);
}

static void test_too_many_vips(void **state)
{
	struct coord_config cfg;
	char text[2048];
	size_t len = 0;
	int i;

	(void)state;
	for (i = 0; i < COORD_MAX_VIPS; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"vip = 198.18.1.%d\n", i);
	expect_ok(text, &cfg);
	assert_int_equal(cfg.n_vips, COORD_MAX_VIPS);
	snprintf(text + len, sizeof(text) - len, "vip = 198.18.1.%d\n", i);
	expect_error(text, ":17: bad value for vip: '198.18.1.16' (expected at most 16 vip lines)");
}

static void test_line_length(void **state)
{
	struct coord_config cfg;
	char text[COORD_CONFIG_LINE_MAX + 64];

	(void)state;
	/* A comment line of exactly the maximum is fine ... */
	memset(text, 'x', sizeof(text));
	memcpy(text, "group = g\n#", 11);
	text[10 + COORD_CONFIG_LINE_MAX] = '\n';
	memcpy(text + 11 + COORD_CONFIG_LINE_MAX, "vip = 198.18.0.9\n", 18);
	expect_ok(text, &cfg);
	assert_int_equal(cfg.n_vips, 1);
	/* ... one byte more is not, newline or not. */
	text[10 + COORD_CONFIG_LINE_MAX] = 'x';
	text[11 + COORD_CONFIG_LINE_MAX] = '\n';
	text[12 + COORD_CONFIG_LINE_MAX] = '\0';
	expect_error(text, ":2: line longer than 4095 bytes");
	text[11 + COORD_CONFIG_LINE_MAX] = '\0';
	expect_error(text, ":2: line longer than 4095 bytes");
}

static void test_nul_byte(void **state)
{
	struct coord_config cfg;
	static const char text[] = "group = g\nsocket = /run/x\0 # hidden\n";

	(void)state;
	write_temp(text, sizeof(text) - 1);
	coord_config_defaults(&cfg);
	assert_int_equal(coord_config_load(path, true, &cfg, err, sizeof(err)), -1);
	unlink(path);
	assert_non_null(strstr(err, ":2: NUL byte in the line"));
}

static void test_defaults(void **state)
{
	struct coord_config cfg;

	(void)state;
	expect_ok("# nothing but a comment\n\n   \n\t\n", &cfg);
	assert_string_equal(cfg.group, "ganesha-grace");
	assert_string_equal(cfg.socket, "/run/coord/coordd.sock");
	assert_int_equal(cfg.n_vips, 0);
	assert_string_equal(cfg.dbus_address, "");
	assert_int_equal(cfg.grace_call_timeout_ms, 5000);
	assert_int_equal(cfg.barrier_deadline_ms, 15000);
	assert_int_equal(cfg.deadline_policy, COORD_POLICY_RELEASE);
	assert_string_equal(cfg.release_command, "attrd_updater -D -n ganesha-active");
	assert_int_equal(cfg.release_timeout_ms, 30000);
	assert_int_equal(cfg.release_retry_ms, 1000);
	assert_int_equal(cfg.release_max_attempts, 5);
	assert_string_equal(cfg.log_target, "syslog");
	assert_int_equal(cfg.log_level, LOG_NOTICE);
	assert_string_equal(cfg.socket_group, "haclient");
	assert_true(cfg.detect);
	assert_int_equal(cfg.detect_restart_wait_ms, 0);
	assert_int_equal(cfg.heartbeat_timeout_ms, 5000);
	assert_int_equal(cfg.lease_lifetime_ms, 60000);
	assert_false(cfg.kill_hung);
	/* An empty file too. */
	expect_ok("", &cfg);
	assert_string_equal(cfg.group, "ganesha-grace");
}

static void test_missing_file(void **state)
{
	struct coord_config cfg;

	(void)state;
	coord_config_defaults(&cfg);
	snprintf(err, sizeof(err), "untouched");
	assert_int_equal(coord_config_load("/nonexistent/coordd.conf", false, &cfg,
					   err, sizeof(err)), 0);
	assert_string_equal(cfg.group, "ganesha-grace");
	assert_int_equal(coord_config_load("/nonexistent/coordd.conf", true, &cfg,
					   err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open /nonexistent/coordd.conf"));
	/* Only a missing file is excused; an unreadable one is not. */
	assert_int_equal(coord_config_load("/etc/passwd/coordd.conf", false, &cfg,
					   err, sizeof(err)), -1);
	assert_string_equal(err, "cannot open /etc/passwd/coordd.conf: Not a directory");
	assert_int_equal(coord_config_load("/tmp", false, &cfg, err, sizeof(err)), -1);
	if (!strstr(err, "/tmp: Is a directory"))
		fail_msg("expected 'cannot read /tmp: Is a directory', got '%s'", err);
}

static void test_every_key(void **state)
{
	struct coord_config cfg;
	char ip[64];

	(void)state;
	expect_ok(
		"group = g1   # trailing comment\n"
		"  socket = /tmp/x.sock\n"
		"vip = 198.18.0.100\n"
		"\tvip\t=\tfe80::1\t\n"
		"dbus_address = unix:path=/tmp/b#us\n"
		"grace_call_timeout_ms = 2500\n"
		"barrier_deadline_ms = 8000\n"
		"deadline_policy = hold\n"
		"release_command = echo a=b >> /tmp/log\n"
		"release_timeout_ms = 1000\n"
		"release_retry_ms = 250\n"
		"release_max_attempts = 7\n"
		"log_target = /var/log/coordd.log\n"
		"log_level = debug\n"
		"socket_group = wheel", &cfg);	/* no final newline */
	assert_string_equal(cfg.group, "g1");
	assert_string_equal(cfg.socket, "/tmp/x.sock");
	assert_int_equal(cfg.n_vips, 2);
	assert_string_equal(coord_vip_format(&cfg.vips[0], ip, sizeof(ip)), "198.18.0.100");
	assert_string_equal(coord_vip_format(&cfg.vips[1], ip, sizeof(ip)), "fe80::1");
	/* '#' only starts a comment after whitespace */
	assert_string_equal(cfg.dbus_address, "unix:path=/tmp/b#us");
	assert_int_equal(cfg.grace_call_timeout_ms, 2500);
	assert_int_equal(cfg.barrier_deadline_ms, 8000);
	assert_int_equal(cfg.deadline_policy, COORD_POLICY_HOLD);
	/* only the first '=' separates */
	assert_string_equal(cfg.release_command, "echo a=b >> /tmp/log");
	assert_int_equal(cfg.release_timeout_ms, 1000);
	assert_int_equal(cfg.release_retry_ms, 250);
	assert_int_equal(cfg.release_max_attempts, 7);
	assert_string_equal(cfg.log_target, "/var/log/coordd.log");
	assert_int_equal(cfg.log_level, LOG_DEBUG);
	assert_string_equal(cfg.socket_group, "wheel");
}

static void test_values_and_bounds(void **state)
{
	static const struct {
		const char *name;
		int level;
	} levels[] = {
		{ "error", LOG_ERR }, { "warning", LOG_WARNING }, { "notice", LOG_NOTICE },
		{ "info", LOG_INFO }, { "debug", LOG_DEBUG },
	};
	struct coord_config cfg;
	char text[512], group[128], sock[108];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		snprintf(text, sizeof(text), "log_level = %s\n", levels[i].name);
		expect_ok(text, &cfg);
		assert_int_equal(cfg.log_level, levels[i].level);
	}
	expect_ok("deadline_policy = release\nlog_target = stderr\n", &cfg);
	assert_int_equal(cfg.deadline_policy, COORD_POLICY_RELEASE);
	assert_string_equal(cfg.log_target, "stderr");
	expect_ok("log_target = syslog\r\nbarrier_deadline_ms = 0100\r\n", &cfg);
	assert_string_equal(cfg.log_target, "syslog");
	assert_int_equal(cfg.barrier_deadline_ms, 100);
	expect_ok("barrier_deadline_ms = 3600000\ngrace_call_timeout_ms = 600000\n"
		  "release_max_attempts = 100\nrelease_retry_ms = 10\n"
		  "release_timeout_ms = 3600000\n", &cfg);
	assert_int_equal(cfg.barrier_deadline_ms, 3600000);
	assert_int_equal(cfg.grace_call_timeout_ms, 600000);
	assert_int_equal(cfg.release_max_attempts, 100);
	assert_int_equal(cfg.release_retry_ms, 10);
	assert_int_equal(cfg.release_timeout_ms, 3600000);

	/* The longest group and socket path that fit; one more byte does not. */
	memset(group, 'g', sizeof(group));
	group[127] = '\0';
	snprintf(text, sizeof(text), "group = %s\n", group);
	expect_ok(text, &cfg);
	assert_int_equal(strlen(cfg.group), 127);
	snprintf(text, sizeof(text), "group = %sg\n", group);
	expect_error(text, ":1: bad value for group");
	memset(sock, 's', sizeof(sock));
	sock[0] = '/';
	sock[107] = '\0';
	snprintf(text, sizeof(text), "socket = %s\n", sock);
	expect_ok(text, &cfg);
	assert_int_equal(strlen(cfg.socket), 107);
	snprintf(text, sizeof(text), "socket = %ss\n", sock);
	expect_error(text, ":1: bad value for socket");

	/* An empty D-Bus address means the system bus again. */
	write_temp("dbus_address =\n", 15);
	coord_config_defaults(&cfg);
	snprintf(cfg.dbus_address, sizeof(cfg.dbus_address), "unix:path=/x");
	assert_int_equal(coord_config_load(path, true, &cfg, err, sizeof(err)), 0);
	unlink(path);
	assert_string_equal(cfg.dbus_address, "");
}

/* The watch of the local ganesha: detect, its restart wait, heartbeat, on_hung. */
static void test_detection_keys(void **state)
{
	static const struct { const char *text, *fragment; } bad[] = {
		{ "detect = on\n", ":1: bad value for detect: 'on' (expected bus or off)" },
		{ "detect = bu\n", "(expected bus or off)" },
		{ "detect = buss\n", "(expected bus or off)" },
		{ "detect =\n", "(expected bus or off)" },
		{ "detect = off\ndetect = bus\n", ":2: detect given twice (first on line 1)" },
		{ "detect_restart_wait_ms = 60001\n",
		  "bad value for detect_restart_wait_ms: '60001' (expected milliseconds 0..60000)" },
		{ "detect_restart_wait_ms = -1\n", "(expected milliseconds 0..60000)" },
		{ "heartbeat_timeout_ms = 199\n", "bad value for heartbeat_timeout_ms: '199' "
		  "(expected 0 (off) or milliseconds 200..600000)" },
		{ "heartbeat_timeout_ms = 600001\n", "(expected 0 (off) or milliseconds 200..600000)" },
		{ "heartbeat_timeout_ms = 00x\n", "(expected 0 (off) or milliseconds 200..600000)" },
		{ "lease_lifetime_ms = 999\n", "bad value for lease_lifetime_ms: '999' "
		  "(expected 0 (off) or milliseconds 1000..180000)" },
		{ "lease_lifetime_ms = 180001\n", "(expected 0 (off) or milliseconds 1000..180000)" },
		{ "on_hung = stop\n", ":1: bad value for on_hung: 'stop' (expected kill or report)" },
		{ "on_hung = KILL\n", "(expected kill or report)" },
	};
	struct coord_config cfg;
	size_t i;

	(void)state;
	expect_ok("detect = off\ndetect_restart_wait_ms = 60000\nheartbeat_timeout_ms = 0\n"
		  "on_hung = kill\n", &cfg);
	assert_false(cfg.detect);
	assert_int_equal(cfg.detect_restart_wait_ms, 60000);
	assert_int_equal(cfg.heartbeat_timeout_ms, 0);
	assert_true(cfg.kill_hung);
	expect_ok("detect = bus\nheartbeat_timeout_ms = 200\non_hung = report\n"
		  "detect_restart_wait_ms = 0\n", &cfg);
	assert_true(cfg.detect);
	assert_int_equal(cfg.heartbeat_timeout_ms, 200);
	assert_false(cfg.kill_hung);
	assert_int_equal(cfg.detect_restart_wait_ms, 0);
	expect_ok("heartbeat_timeout_ms = 600000\n", &cfg);
	assert_int_equal(cfg.heartbeat_timeout_ms, 600000);
	expect_ok("lease_lifetime_ms = 0\n", &cfg);
	assert_int_equal(cfg.lease_lifetime_ms, 0);
	expect_ok("lease_lifetime_ms = 8000\n", &cfg);
	assert_int_equal(cfg.lease_lifetime_ms, 8000);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(bad[i].text, bad[i].fragment);
}

static void test_to_engine(void **state)
{
	struct coord_config cfg;
	struct coord_engine_config ec;

	(void)state;
	expect_ok("vip = 198.18.0.100\nvip = 198.18.0.101\nbarrier_deadline_ms = 8000\n"
		  "deadline_policy = hold\nrelease_retry_ms = 250\n"
		  "release_max_attempts = 7\n", &cfg);
	memset(&ec, 0, sizeof(ec));
	ec.nodeid = 3;
	ec.incarnation = 99;
	coord_config_to_engine(&cfg, &ec);
	assert_int_equal(ec.nodeid, 3);
	assert_int_equal(ec.incarnation, 99);
	assert_int_equal(ec.deadline_us, 8000000);
	assert_int_equal(ec.policy, COORD_POLICY_HOLD);
	assert_int_equal(ec.release_retry_us, 250000);
	assert_int_equal(ec.release_retry_max_us, 30000000);
	assert_int_equal(ec.release_max_attempts, 7);
	assert_int_equal(ec.n_vips, 2);
	assert_true(coord_vip_equal(&ec.vips[0], &cfg.vips[0]));
	assert_true(coord_vip_equal(&ec.vips[1], &cfg.vips[1]));
	/* The defaults, in microseconds. */
	coord_config_defaults(&cfg);
	coord_config_to_engine(&cfg, &ec);
	assert_int_equal(ec.deadline_us, 15000000);
	assert_int_equal(ec.policy, COORD_POLICY_RELEASE);
	assert_int_equal(ec.release_retry_us, 1000000);
	assert_int_equal(ec.release_max_attempts, 5);
	assert_int_equal(ec.n_vips, 0);
}

/* Legal, doubtful: a grace call that may outlive the deadline is said. */
static void test_warning(void **state)
{
	struct coord_config cfg;
	char w[256] = "";

	(void)state;
	coord_config_defaults(&cfg);
	assert_false(coord_config_warning(&cfg, w, sizeof(w)));	/* 5000 <= 15000 */
	expect_ok("grace_call_timeout_ms = 10000\nbarrier_deadline_ms = 10000\n", &cfg);
	assert_false(coord_config_warning(&cfg, w, sizeof(w)));
	expect_ok("grace_call_timeout_ms = 60000\nbarrier_deadline_ms = 25000\n", &cfg);
	assert_true(coord_config_warning(&cfg, w, sizeof(w)));
	if (!strstr(w, "grace_call_timeout_ms (60000) is longer than barrier_deadline_ms (25000)"))
		fail_msg("the warning should name both values; it says \"%s\"", w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_messages_exact),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_too_many_vips),
		cmocka_unit_test(test_line_length),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_values_and_bounds),
		cmocka_unit_test(test_detection_keys),
		cmocka_unit_test(test_to_engine),
		cmocka_unit_test(test_warning),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
