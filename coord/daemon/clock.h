/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordd's one clock: microseconds on the monotonic clock, from libqb
 * (qb_util_nano_current_get reads CLOCK_MONOTONIC).  The engine's times,
 * the control socket's idle limits, grace latencies and release timings
 * are all on it.  The wall clock only names a moment for people and other
 * hosts: an incarnation, a metric's timestamp.
 */
#ifndef COORD_CLOCK_H
#define COORD_CLOCK_H

#include <stdint.h>
#include <time.h>
#include <qb/qbdefs.h>
#include <qb/qbutil.h>

static inline uint64_t coord_now_us(void)
{
	return qb_util_nano_current_get() / QB_TIME_NS_IN_USEC;
}

/* Microseconds since the epoch (CLOCK_REALTIME). */
static inline uint64_t coord_wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

#endif
