/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the rate limit on dropped-message warnings and of how a
 * refusal is named from the engine's counters (coord/daemon/drop_log.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../../coord/daemon/drop_log.h"

#define S 1000000u

static void test_first_passes_then_one_per_interval(void **state)
{
	struct coord_ratelimit rl = { 0 };
	uint64_t unlogged = 99, t = 5 * S;
	int i, passed = 0;

	(void)state;
	assert_true(coord_ratelimit_pass(&rl, t, 10 * S, &unlogged));
	assert_int_equal(unlogged, 0);
	/* A flood of 1000 within the interval: none logged, all remembered. */
	for (i = 0; i < 1000; i++)
		passed += coord_ratelimit_pass(&rl, t + (uint64_t)i * 1000, 10 * S, &unlogged);
	assert_int_equal(passed, 0);
	assert_false(coord_ratelimit_pass(&rl, t + 10 * S - 1, 10 * S, &unlogged));
	assert_true(coord_ratelimit_pass(&rl, t + 10 * S, 10 * S, &unlogged));
	assert_int_equal(unlogged, 1001);
	assert_true(coord_ratelimit_pass(&rl, t + 25 * S, 10 * S, &unlogged));
	assert_int_equal(unlogged, 0);
}

static void test_first_at_time_zero_passes(void **state)
{
	struct coord_ratelimit rl = { 0 };
	uint64_t unlogged;

	(void)state;
	assert_true(coord_ratelimit_pass(&rl, 0, 10 * S, &unlogged));
	assert_false(coord_ratelimit_pass(&rl, 1, 10 * S, &unlogged));
}

static void test_kinds_are_limited_separately(void **state)
{
	struct coord_drop_log dl;
	struct coord_member_id from = { 3, 77 };
	struct coord_msg msg;

	(void)state;
	memset(&msg, 0, sizeof(msg));
	msg.type = COORD_MSG_ACK;
	coord_drop_log_init(&dl, 10 * S);
	coord_drop_log_wire(&dl, S, from, 10, COORD_CODEC_TRUNCATED);
	coord_drop_log_wire(&dl, S, from, 10, COORD_CODEC_TRUNCATED);
	coord_drop_log_wire(&dl, S, from, 10, COORD_CODEC_BAD_MAGIC);
	coord_drop_log_engine(&dl, S, from, &msg, COORD_UNKNOWN_EVENT);
	coord_drop_log_engine(&dl, S, from, &msg, COORD_UNKNOWN_EVENT);
	/* Out of range: ignored, no crash. */
	coord_drop_log_wire(&dl, S, from, 10, -COORD_CODEC_ERROR_COUNT);
	coord_drop_log_engine(&dl, S, from, &msg, COORD_REFUSAL_COUNT);
	assert_true(dl.wire[-COORD_CODEC_TRUNCATED].logged);
	assert_int_equal(dl.wire[-COORD_CODEC_TRUNCATED].unlogged, 1);
	assert_true(dl.wire[-COORD_CODEC_BAD_MAGIC].logged);
	assert_int_equal(dl.wire[-COORD_CODEC_BAD_MAGIC].unlogged, 0);
	assert_false(dl.wire[-COORD_CODEC_BAD_VERSION].logged);
	assert_int_equal(dl.engine[COORD_UNKNOWN_EVENT].unlogged, 1);
	assert_false(dl.engine[COORD_REJECTED_SENDER].logged);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_passes_then_one_per_interval),
		cmocka_unit_test(test_first_at_time_zero_passes),
		cmocka_unit_test(test_kinds_are_limited_separately),
	};

	return cmocka_run_group_tests_name("drop_log", tests, NULL, NULL);
}
