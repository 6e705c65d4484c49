/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordctl's clocks: milliseconds on the monotonic clock, for the
 * exchange's deadline (coordctl.c) and the move's (coordctl_move.c); and
 * the wall clock, to turn the events' ages into times of day
 * (coordctl_output.c).
 * Plain clock_gettime: coordctl links proto/ alone, not libqb (coordd's
 * clock is coord/daemon/clock.h).
 */
#ifndef COORD_CTL_CLOCK_H
#define COORD_CTL_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline double ctl_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Microseconds since the epoch (CLOCK_REALTIME, UTC). */
static inline int64_t ctl_wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

#endif
