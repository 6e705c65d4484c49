/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * At most one log line of a kind per interval, the rest counted: so that
 * a hostile peer or a local user knocking cannot flood syslog.
 */
#ifndef COORD_RATELIMIT_H
#define COORD_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

/* coordd's interval: dropped CPG messages, refused control clients. */
#define COORD_RATELIMIT_INTERVAL_US	(10 * 1000000u)

struct coord_ratelimit {
	bool logged;			/* a line was written */
	uint64_t last_us;		/* when */
	uint64_t unlogged;		/* occurrences since, not logged */
};

/*
 * One occurrence at now: true when it may be logged, with *unlogged the
 * occurrences not logged since the last line (then reset).
 */
static inline bool coord_ratelimit_pass(struct coord_ratelimit *rl, uint64_t now,
					uint64_t interval_us, uint64_t *unlogged)
{
	if (rl->logged && now - rl->last_us < interval_us) {
		rl->unlogged++;
		return false;
	}
	*unlogged = rl->unlogged;
	rl->unlogged = 0;
	rl->logged = true;
	rl->last_us = now;
	return true;
}

#endif
