/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordd's one-shot timer (coord/daemon/timer.c) on a real libqb loop:
 * it fires once, is no longer armed when its callback runs (so the
 * callback can arm it again), a disarmed one never fires, and arming a
 * pending one replaces it.  Every run is ended by a guard timer that
 * stops the loop, so a timer that never fires fails instead of hanging.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <qb/qbloop.h>
#include <qb/qbutil.h>
#include <cmocka.h>

#include "../../../coord/daemon/timer.h"

#define MS	QB_TIME_NS_IN_MSEC

static qb_loop_t *loop;

struct seen {
	struct coord_timer timer;
	int fired;
	int armed_in_callback;		/* times it still said armed */
	int rearm_until;		/* arms itself again until fired this often */
};

static void on_fire(void *data)
{
	struct seen *s = data;

	s->fired++;
	if (coord_timer_armed(&s->timer))
		s->armed_in_callback++;
	if (s->fired < s->rearm_until)
		assert_int_equal(coord_timer_arm(&s->timer, 1 * MS), 0);
}

static void on_guard(void *data)
{
	(void)data;
	qb_loop_stop(loop);
}

/* Runs the loop for ms, then stops it. */
static void run_for(uint64_t ms)
{
	qb_loop_timer_handle guard;

	assert_int_equal(qb_loop_timer_add(loop, QB_LOOP_LOW, ms * MS, NULL, on_guard,
					   &guard), 0);
	qb_loop_run(loop);
}

static int setup(void **state)
{
	struct seen *s = calloc(1, sizeof(*s));

	loop = qb_loop_create();
	assert_non_null(loop);
	assert_non_null(s);
	coord_timer_init(&s->timer, loop, QB_LOOP_MED, on_fire, s);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct seen *s = *state;

	coord_timer_disarm(&s->timer);
	free(s);
	qb_loop_destroy(loop);
	return 0;
}

static void test_not_armed_after_init(void **state)
{
	struct seen *s = *state;

	assert_false(coord_timer_armed(&s->timer));
	coord_timer_disarm(&s->timer);		/* nothing to disarm: harmless */
	assert_false(coord_timer_armed(&s->timer));
}

static void test_fires_once(void **state)
{
	struct seen *s = *state;

	assert_int_equal(coord_timer_arm(&s->timer, 1 * MS), 0);
	assert_true(coord_timer_armed(&s->timer));
	run_for(100);
	assert_int_equal(s->fired, 1);
	assert_int_equal(s->armed_in_callback, 0);
	assert_false(coord_timer_armed(&s->timer));
}

static void test_disarmed_never_fires(void **state)
{
	struct seen *s = *state;

	assert_int_equal(coord_timer_arm(&s->timer, 5 * MS), 0);
	coord_timer_disarm(&s->timer);
	assert_false(coord_timer_armed(&s->timer));
	run_for(50);
	assert_int_equal(s->fired, 0);
}

static void test_arming_again_replaces(void **state)
{
	struct seen *s = *state;

	assert_int_equal(coord_timer_arm(&s->timer, 1 * MS), 0);
	assert_int_equal(coord_timer_arm(&s->timer, 2 * MS), 0);
	run_for(100);
	assert_int_equal(s->fired, 1);
}

static void test_callback_arms_it_again(void **state)
{
	struct seen *s = *state;

	s->rearm_until = 3;
	assert_int_equal(coord_timer_arm(&s->timer, 1 * MS), 0);
	run_for(200);
	assert_int_equal(s->fired, 3);
	assert_int_equal(s->armed_in_callback, 0);
	assert_false(coord_timer_armed(&s->timer));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_not_armed_after_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fires_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disarmed_never_fires, setup, teardown),
		cmocka_unit_test_setup_teardown(test_arming_again_replaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_callback_arms_it_again, setup, teardown),
	};

	return cmocka_run_group_tests_name("timer", tests, NULL, NULL);
}
