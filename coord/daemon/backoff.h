/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reconnecting to a corosync service (CPG, quorum): from 200 ms, doubling
 * up to 5 s, from the loop's timer (never by sleeping in the loop).
 */
#ifndef COORD_BACKOFF_H
#define COORD_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>
#include <qb/qbdefs.h>
#include <qb/qblog.h>
#include <qb/qbloop.h>

#define COORD_BACKOFF_MIN_MS	200
#define COORD_BACKOFF_MAX_MS	5000

struct coord_backoff {
	uint32_t ms;			/* the next wait */
};

static inline void coord_backoff_reset(struct coord_backoff *b)
{
	b->ms = COORD_BACKOFF_MIN_MS;
}

/* No attempt has failed since the last reset: worth logging. */
static inline bool coord_backoff_first(const struct coord_backoff *b)
{
	return b->ms == COORD_BACKOFF_MIN_MS;
}

/* Arms fn after the current wait, then doubles it.  what: what a timer
 * that cannot be armed costs, for the log. */
static inline void coord_backoff_arm(struct coord_backoff *b, qb_loop_t *loop, void *data,
				     qb_loop_timer_dispatch_fn fn, qb_loop_timer_handle *timer,
				     const char *what)
{
	if (qb_loop_timer_add(loop, QB_LOOP_MED, (uint64_t)b->ms * QB_TIME_NS_IN_MSEC,
			      data, fn, timer) != 0)
		qb_log(LOG_CRIT, "cannot arm a reconnect timer: %s", what);
	b->ms = b->ms * 2 > COORD_BACKOFF_MAX_MS ? COORD_BACKOFF_MAX_MS : b->ms * 2;
}

#endif
