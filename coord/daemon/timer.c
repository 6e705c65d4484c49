/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordd's one-shot timer: see timer.h.
 */
#include "timer.h"

void coord_timer_init(struct coord_timer *t, qb_loop_t *loop, enum qb_loop_priority prio,
		      void (*fn)(void *data), void *data)
{
	*t = (struct coord_timer){ .loop = loop, .prio = prio, .fn = fn, .data = data };
}

static void fire(void *data)
{
	struct coord_timer *t = data;

	/* Cleared first: fn may arm it again, or free what holds t. */
	t->armed = false;
	t->fn(t->data);
}

int coord_timer_arm(struct coord_timer *t, uint64_t ns)
{
	int rc;

	coord_timer_disarm(t);
	rc = qb_loop_timer_add(t->loop, t->prio, ns, t, fire, &t->handle);
	t->armed = rc == 0;
	return rc;
}

void coord_timer_disarm(struct coord_timer *t)
{
	if (t->armed)
		qb_loop_timer_del(t->loop, t->handle);
	t->armed = false;
}
