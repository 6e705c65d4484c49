/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Watching the local ganesha.nfsd on D-Bus, on coordd's
 * connection to the bus (bus.c) and its loop, without polling:
 *
 * - its bus name org.ganesha.nfsd losing its owner is its death (a crash,
 *   a kill, or a planned stop: all the same to its clients), reported to
 *   the engine as `coordctl death` would;
 * - the name owned again, and get_grace answered, is the server up;
 * - its heartbeat signal missing for heartbeat_timeout_ms is a hung
 *   server: reported to the administrator, and, with on_hung = kill,
 *   stopped (SIGKILL through a pidfd) and reported dead once it is gone.
 *
 * docs/design.md ("Detecting a dead or hung server") says why.
 */
#ifndef COORD_DETECT_H
#define COORD_DETECT_H

#include <stdint.h>
#include <stdbool.h>
#include <qb/qbloop.h>
#include "coord/ctl.h"
#include "bus.h"

struct coord_detect_config {
	bool enabled;
	uint32_t restart_wait_ms;	/* 0: report a death at once */
	uint32_t heartbeat_timeout_ms;	/* 0: heartbeats not watched */
	bool kill_hung;
	uint32_t call_timeout_ms;	/* get_grace, GetNameOwner... */
};

struct coord_detect_ops {
	void (*dead)(void *ctx);	/* report the local server dead */
	void (*up)(void *ctx);		/* report it up */
};

struct coord_detect_status {
	uint8_t state;			/* enum coord_ctl_local_state */
	uint8_t how;			/* enum coord_ctl_local_how */
	uint8_t flags;			/* COORD_CTL_LOCAL_* */
	uint32_t pid;
	uint64_t age_us;		/* COORD_CTL_NEVER: no state yet */
	uint64_t heartbeat_age_us;	/* COORD_CTL_NEVER: none seen */
	uint32_t heartbeat_timeout_ms;
	uint32_t heartbeats;
	uint32_t hung;			/* transitions to hung since the start */
};

/* NULL only when out of memory.  Disabled: a status that says so. */
struct coord_detect *coord_detect_new(qb_loop_t *loop, struct coord_bus *bus,
				      const struct coord_detect_config *cfg,
				      const struct coord_detect_ops *ops, void *ctx);

/* The agent (coordctl death / up) reported the server: the status follows,
 * also with detection off (the flags then say nothing is watched). */
void coord_detect_note_report(struct coord_detect *d, bool dead);

void coord_detect_status(const struct coord_detect *d, struct coord_detect_status *st);

void coord_detect_free(struct coord_detect *d);

#endif
