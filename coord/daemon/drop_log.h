/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Warnings about CPG messages coordd dropped, at a limited rate.
 *
 * Every dropped message is counted (coordctl status); the log gets at most
 * one line per kind (each wire error, each engine refusal counter) per
 * interval, so a hostile or broken peer cannot flood syslog.  The first
 * line of a kind is written at once; a later one says how many of that
 * kind went unlogged since the previous line.
 */
#ifndef COORD_DROP_LOG_H
#define COORD_DROP_LOG_H

#include <stdint.h>
#include <stdbool.h>
#include "coord/ctl.h"
#include "coord/engine.h"
#include "coord/wire.h"
#include "ratelimit.h"

struct coord_drop_log {
	uint64_t interval_us;
	struct coord_ratelimit wire[COORD_CODEC_ERROR_COUNT];	/* index -err */
	struct coord_ratelimit engine[COORD_REFUSAL_COUNT];	/* enum coord_refusal */
};

void coord_drop_log_init(struct coord_drop_log *dl, uint64_t interval_us);

/* A message the codec refused with err (< 0). */
void coord_drop_log_wire(struct coord_drop_log *dl, uint64_t now,
			 struct coord_member_id from, size_t len, int err);

/* A decoded message the engine refused, and why (coord_engine_deliver). */
void coord_drop_log_engine(struct coord_drop_log *dl, uint64_t now,
			   struct coord_member_id from, const struct coord_msg *msg,
			   enum coord_refusal why);

#endif
