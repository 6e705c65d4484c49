/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Prometheus metrics (coord/daemon/metrics.c) and the metrics_listen address
 * (coord/daemon/listen.c, coordd.conf): bad addresses first, then the rendered
 * text after each hook, its bound, and the configuration key.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "../../../coord/daemon/config.h"
#include "../../../coord/daemon/listen.h"
#include "../../../coord/daemon/metrics.h"

static void test_listen_refuses(void **state)
{
	static const char *const bad[] = {
		"", "0", "65536", "99999999999", "-1", "+80", "80 ", "host:80",
		"1.2.3.4", "1.2.3.4:", "1.2.3.4:0", "1.2.3:80", "256.1.1.1:80",
		"[::1]", "[::1]80", "[::1]:", "::1:80", "[198.18.0.1]:80", "[::1:80",
		"[0123456789012345678901234567890123456789012345678901234567890123]:1",
	};
	struct sockaddr_storage ss;
	socklen_t len;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (coord_listen_parse(bad[i], &ss, &len) == 0)
			fail_msg("metrics_listen '%s' was accepted", bad[i]);
}

static void test_listen_accepts(void **state)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	char buf[64];

	(void)state;
	assert_int_equal(coord_listen_parse("9479", &ss, &len), 0);
	assert_int_equal(v4->sin_family, AF_INET);
	assert_int_equal(ntohs(v4->sin_port), 9479);
	assert_string_equal(inet_ntop(AF_INET, &v4->sin_addr, buf, sizeof(buf)), "127.0.0.1");
	assert_int_equal(len, sizeof(*v4));
	assert_int_equal(coord_listen_parse("198.18.0.2:65535", &ss, &len), 0);
	assert_int_equal(ntohs(v4->sin_port), 65535);
	assert_string_equal(inet_ntop(AF_INET, &v4->sin_addr, buf, sizeof(buf)), "198.18.0.2");
	assert_int_equal(coord_listen_parse("[fd00::1]:1", &ss, &len), 0);
	assert_int_equal(v6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(v6->sin6_port), 1);
	assert_string_equal(inet_ntop(AF_INET6, &v6->sin6_addr, buf, sizeof(buf)), "fd00::1");
	assert_int_equal(len, sizeof(*v6));
}

static void test_config_key(void **state)
{
	char path[] = "/tmp/coord-metrics-test.XXXXXX", err[512];
	struct coord_config cfg;
	int fd;

	(void)state;
	coord_config_defaults(&cfg);
	assert_string_equal(cfg.metrics_listen, "");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "metrics_listen = localhost:9479\n", 32), 32);
	close(fd);
	assert_int_equal(coord_config_load(path, true, &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":1: bad value for metrics_listen: 'localhost:9479'"));
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "metrics_listen = [::1]:9479\n", 28), 28);
	close(fd);
	coord_config_defaults(&cfg);
	assert_int_equal(coord_config_load(path, true, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.metrics_listen, "[::1]:9479");
	unlink(path);
}

/* ---- the rendered text ---- */

static struct coord_engine *engine_with(enum coord_policy policy)
{
	struct coord_engine_config ec = {
		.nodeid = 1, .incarnation = 7, .deadline_us = 1000000,
		.policy = policy, .release_retry_us = 1000,
		.release_retry_max_us = 8000, .release_max_attempts = 3,
	};
	struct coord_engine *e = coord_engine_new(&ec);

	assert_non_null(e);
	return e;
}

static struct coord_engine *engine(void)
{
	return engine_with(COORD_POLICY_RELEASE);
}

static char text[COORD_METRICS_TEXT_MAX];

static void render(struct coord_metrics *m, struct coord_engine *e)
{
	struct coord_daemon_status st = {
		.group = "g", .nodeid = 1, .cpg_connected = true,
		.policy = COORD_POLICY_HOLD, .deadline_ms = 2500, .local_hung = 2,
		.process = { .known = true, .start_time_s = 1796000000.25, .cpu_s = 1.5,
			     .resident_bytes = 6920192, .virtual_bytes = 123456789012,
			     .open_fds = 17, .max_fds = 1024 },
	};
	int len;

	st.wire_errors[1] = 3;		/* truncated */
	len = coord_metrics_render(m, e, &st, text, sizeof(text));
	assert_true(len > 0 && (size_t)len < sizeof(text));
	assert_int_equal(strlen(text), (size_t)len);
}

static void has(const char *line)
{
	char want[256];

	snprintf(want, sizeof(want), "\n%s\n", line);
	if (!strstr(text, want))
		fail_msg("expected the line '%s' in the metrics", line);
}

/* The series of the last rendering: each line's name and labels, no value. */
static char *series(void)
{
	char *out = calloc(1, sizeof(text)), *o = out;
	const char *line, *end;

	assert_non_null(out);
	for (line = text; *line; line = end + 1) {
		const char *sp;

		end = strchr(line, '\n');
		assert_non_null(end);
		if (*line == '#')
			continue;
		for (sp = end; sp > line && *sp != ' '; sp--)
			;
		memcpy(o, line, (size_t)(sp - line));
		o += sp - line;
		*o++ = '\n';
	}
	return out;
}

static void test_render_fresh(void **state)
{
	struct coord_metrics *m = coord_metrics_new();
	struct coord_engine *e = engine();

	(void)state;
	render(m, e);
	assert_true(!strncmp(text, "# HELP coord_build_info ", 24));
	has("coord_members 0");
	has("coord_quorate 0");
	has("coord_joined 0");
	has("coord_connected{service=\"cpg\"} 1");
	has("coord_connected{service=\"dbus\"} 0");
	has("coord_local_server_up 1");		/* no death reported */
	has("# TYPE coord_events_total counter");
	has("coord_events_total{outcome=\"released\",origin=\"local\"} 0");
	has("coord_events_total{outcome=\"released-unconfirmed\",origin=\"peer\"} 0");
	has("coord_events_total{outcome=\"done\",origin=\"peer\"} 0");
	has("# TYPE coord_barrier_duration_seconds histogram");
	has("coord_barrier_duration_seconds_bucket{le=\"+Inf\"} 0");
	has("coord_barrier_duration_seconds_count 0");
	has("coord_releases_total{outcome=\"unconfirmed\"} 0");
	has("coord_release_attempts_total{result=\"failed\"} 0");
	has("coord_grace_call_duration_seconds_count{result=\"no-bus\"} 0");
	has("coord_messages_refused_total{reason=\"rejected-sender\"} 0");
	has("coord_messages_undecodable_total{error=\"truncated\"} 3");
	has("coord_messages_undecodable_total{error=\"bad-magic\"} 0");
	has("coord_cpg_sends_total{result=\"try-again\"} 0");
	assert_null(strstr(text, "_again"));	/* one label style: hyphens */
	assert_null(strstr(text, "rejected_"));
	/* Every value of an enumeration is a series from the start. */
	has("coord_vip_target{reason=\"target\"} 0");
	has("coord_vip_target{reason=\"not-joined\"} 1");
	has("coord_vip_target{reason=\"inquorate\"} 0");
	has("coord_vip_target{reason=\"syncing\"} 0");
	has("coord_vip_target{reason=\"grace-pending\"} 0");
	has("coord_vip_target{reason=\"server-down\"} 0");
	has("coord_local_server_state{state=\"unknown\"} 1");
	has("coord_local_server_state{state=\"up\"} 0");
	has("coord_local_server_state{state=\"hung\"} 0");
	has("coord_local_server_state{state=\"not-watched\"} 0");
	assert_null(strstr(text, "self-down"));	/* no grace call has that result */
	has("coord_events_held 0");
	has("coord_members_incompatible 0");
	has("coord_local_server_hung_total 2");
	has("coord_last_release_timestamp_seconds 0.000000");
	has("coord_handover_duration_seconds_count 0");
	has("coord_take_over_duration_seconds_count{result=\"in-grace\"} 0");
	has("coord_config_info{policy=\"hold\",deadline_seconds=\"2.5\"} 1");
	/* The process, named and typed as every client library has it, and
	 * printed without losing digits. */
	has("# TYPE process_start_time_seconds gauge");
	has("process_start_time_seconds 1796000000.25");
	has("# TYPE process_cpu_seconds_total counter");
	has("process_cpu_seconds_total 1.50");
	has("process_resident_memory_bytes 6920192");
	has("process_virtual_memory_bytes 123456789012");
	has("process_open_fds 17");
	has("process_max_fds 1024");
	/* Too small a buffer is an error, never a cut text. */
	{
		struct coord_daemon_status st = { .group = "g" };
		assert_int_equal(coord_metrics_render(m, e, &st, text, 100), -ENOSPC);
	}
	coord_engine_free(e);
	coord_metrics_free(m);
}

static void test_render_after_a_failover(void **state)
{
	struct coord_metrics *m = coord_metrics_new();
	struct coord_engine *e = engine();
	struct coord_event ev;

	(void)state;
	coord_metrics_grace_done(m, COORD_ACK_IN_GRACE, 3000);
	coord_metrics_grace_done(m, COORD_ACK_TIMEOUT, 5000001);
	coord_metrics_grace_done(m, COORD_ACK_SELF_DOWN, 1);	/* not a call: ignored */
	memset(&ev, 0, sizeof(ev));
	ev.local_origin = true;
	ev.release_attempts = 1;
	ev.release_outcome = COORD_RELEASE_CONFIRMED;
	ev.reported_us = 1000000;
	ev.delivered_us = 1001000;
	coord_metrics_release_started(m, &ev, 1012000, 1796000000123456);	/* 12 ms after the report */
	coord_metrics_release_done(m, 1);
	ev.release_attempts = 2;
	coord_metrics_release_started(m, &ev, 1100000, 1796000001000000);	/* a retry: no new barrier */
	coord_metrics_release_done(m, 0);
	ev.state = COORD_EVENT_RELEASED;
	coord_metrics_event_ended(m, &ev);
	ev.local_origin = false;
	ev.release_outcome = COORD_RELEASE_UNCONFIRMED;
	coord_metrics_event_ended(m, &ev);
	/* A handover this node gave: counted apart, not as a failover. */
	ev.reason = COORD_DEATH_HANDOVER;
	ev.local_origin = true;
	ev.release_outcome = COORD_RELEASE_CONFIRMED;
	ev.ended_us = 1200000;			/* 200 ms after the give-up */
	coord_metrics_event_ended(m, &ev);
	ev.local_origin = false;		/* another node's: no duration here */
	ev.ended_us = 9000000;
	coord_metrics_event_ended(m, &ev);
	coord_metrics_take_over_done(m, COORD_ACK_IN_GRACE, 40000);
	coord_metrics_take_over_done(m, COORD_ACK_SELF_DOWN, 1);	/* no call: ignored */
	render(m, e);
	has("coord_handovers_total{outcome=\"released\",origin=\"local\"} 1");
	has("coord_handovers_total{outcome=\"released\",origin=\"peer\"} 1");
	has("coord_handover_duration_seconds_bucket{le=\"0.1\"} 0");
	has("coord_handover_duration_seconds_bucket{le=\"0.25\"} 1");
	has("coord_handover_duration_seconds_count 1");
	has("coord_take_over_duration_seconds_bucket{result=\"in-grace\",le=\"0.025\"} 0");
	has("coord_take_over_duration_seconds_bucket{result=\"in-grace\",le=\"0.05\"} 1");
	has("coord_take_over_duration_seconds_count{result=\"in-grace\"} 1");
	/* The first attempt's time: a retry is no new release. */
	has("coord_last_release_timestamp_seconds 1796000000.123456");
	has("coord_handovers_total{outcome=\"released-unconfirmed\",origin=\"peer\"} 0");
	has("coord_grace_call_duration_seconds_bucket{result=\"in-grace\",le=\"0.0025\"} 0");
	has("coord_grace_call_duration_seconds_bucket{result=\"in-grace\",le=\"0.005\"} 1");
	has("coord_grace_call_duration_seconds_bucket{result=\"in-grace\",le=\"+Inf\"} 1");
	has("coord_grace_call_duration_seconds_sum{result=\"in-grace\"} 0.003000");
	has("coord_grace_call_duration_seconds_bucket{result=\"timeout\",le=\"5\"} 0");
	has("coord_grace_call_duration_seconds_bucket{result=\"timeout\",le=\"10\"} 1");
	has("coord_barrier_duration_seconds_bucket{le=\"0.01\"} 0");
	has("coord_barrier_duration_seconds_bucket{le=\"0.025\"} 1");
	has("coord_barrier_duration_seconds_count 1");
	has("coord_barrier_duration_seconds_sum 0.012000");
	has("coord_releases_total{outcome=\"confirmed\"} 1");
	has("coord_release_attempts_total{result=\"ok\"} 1");
	has("coord_release_attempts_total{result=\"failed\"} 1");
	has("coord_events_total{outcome=\"released\",origin=\"local\"} 1");
	has("coord_events_total{outcome=\"released-unconfirmed\",origin=\"peer\"} 1");
	has("coord_events_total{outcome=\"released\",origin=\"peer\"} 0");
	coord_engine_free(e);
	coord_metrics_free(m);
}

/*
 * coord_local_server_up says what the engine says of its own server (its
 * HELLO, its target's server-down), at once: not the copy of this node's
 * member record, which only a delivered DEATH or HELLO changes, and which
 * does not exist outside the group.  Before, a node out of the group, or
 * one whose death was reported but not yet delivered, read 0 and 1 against
 * what its target and its D-Bus watch said.
 */
static void test_local_server_up_follows_reports(void **state)
{
	struct coord_metrics *m = coord_metrics_new();
	struct coord_engine *e = engine();
	struct coord_member_id self = { .nodeid = 1, .pid = (uint32_t)getpid() };
	struct coord_event_id id;
	char *before, *after;

	(void)state;
	render(m, e);
	before = series();
	has("coord_local_server_up 1");		/* not in the group: no death reported */
	coord_engine_set_self(e, self.pid);
	coord_engine_confchg(e, 1, &self, 1, NULL, NULL, 0, &self, 1);
	assert_true(coord_engine_joined(e));
	assert_int_equal(coord_engine_report_death(e, 2, NULL, 0, &id), 0);
	render(m, e);
	has("coord_local_server_up 0");		/* reported, not yet delivered */
	has("coord_vip_target{reason=\"server-down\"} 1");
	has("coord_vip_target{reason=\"target\"} 0");
	coord_engine_report_up(e, 3);
	render(m, e);
	has("coord_local_server_up 1");
	has("coord_vip_target{reason=\"inquorate\"} 1");
	/* Three reasons, one set of series: none appeared or vanished. */
	after = series();
	assert_string_equal(before, after);
	free(before);
	free(after);
	coord_engine_free(e);
	coord_metrics_free(m);
}

/* A held event (policy hold, the deadline passed without the peer's
 * answer) and an incompatible member are counted while they last. */
static void test_held_and_incompatible(void **state)
{
	struct coord_metrics *m = coord_metrics_new();
	struct coord_engine *e = engine_with(COORD_POLICY_HOLD);
	struct coord_member_id both[2] = {
		{ .nodeid = 1, .pid = (uint32_t)getpid() }, { .nodeid = 2, .pid = 42 },
	};
	struct coord_event_id id;
	struct coord_action a;

	(void)state;
	coord_engine_set_self(e, both[0].pid);
	coord_engine_confchg(e, 1, both, 2, NULL, NULL, 0, both, 2);
	coord_engine_quorum(e, 1, true);
	assert_int_equal(coord_engine_report_death(e, 2, NULL, 0, &id), 0);
	while (coord_engine_next_action(e, &a))	/* our DEATH, back from CPG */
		if (a.kind == COORD_ACTION_SEND && a.msg.type == COORD_MSG_DEATH)
			assert_int_equal(coord_engine_deliver(e, 3, both[0], &a.msg), 0);
	render(m, e);
	has("coord_events_pending 1");
	has("coord_events_held 0");
	coord_engine_tick(e, 3 + 2000000);	/* past the 1 s deadline */
	render(m, e);
	has("coord_events_held 1");
	coord_engine_member_incompatible(e, 4000000, both[1], 2);
	render(m, e);
	has("coord_members_incompatible 1");
	coord_engine_free(e);
	coord_metrics_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listen_refuses),
		cmocka_unit_test(test_listen_accepts),
		cmocka_unit_test(test_config_key),
		cmocka_unit_test(test_render_fresh),
		cmocka_unit_test(test_render_after_a_failover),
		cmocka_unit_test(test_local_server_up_follows_reports),
		cmocka_unit_test(test_held_and_incompatible),
	};

	return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
