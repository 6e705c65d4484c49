/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A one-shot timer on coordd's libqb loop that knows whether it is
 * pending.  libqb's handle alone does not say (a handle that fired is
 * stale, and deleting it is an error); the flag was written by hand in
 * each adapter before.  Armed means pending: it is cleared before the
 * callback runs, so the callback may arm it again, or free its owner.
 */
#ifndef COORD_TIMER_H
#define COORD_TIMER_H

#include <stdbool.h>
#include <stdint.h>
#include <qb/qbloop.h>

struct coord_timer {
	qb_loop_t *loop;
	enum qb_loop_priority prio;
	void (*fn)(void *data);
	void *data;
	qb_loop_timer_handle handle;
	bool armed;
};

/* Not armed; fn(data) is what it will call.  t must not move while armed. */
void coord_timer_init(struct coord_timer *t, qb_loop_t *loop, enum qb_loop_priority prio,
		      void (*fn)(void *data), void *data);
/* Fires once after ns, replacing any pending firing.  0, or the negative
 * errno of libqb's refusal (then it is not armed). */
int coord_timer_arm(struct coord_timer *t, uint64_t ns);
/* Not pending any more; nothing if it was not. */
void coord_timer_disarm(struct coord_timer *t);

static inline bool coord_timer_armed(const struct coord_timer *t)
{
	return t->armed;
}

#endif
