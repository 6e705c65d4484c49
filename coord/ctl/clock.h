/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordctl's one clock: milliseconds on the monotonic clock, for the
 * exchange's deadline (coordctl.c) and the move's (coordctl_move.c).
 * Plain clock_gettime: coordctl links proto/ alone, not libqb (coordd's
 * clock is coord/daemon/clock.h).
 */
#ifndef COORD_CTL_CLOCK_H
#define COORD_CTL_CLOCK_H

#include <time.h>

static inline double ctl_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

#endif
