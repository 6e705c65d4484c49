/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * systemd's service notification (sd_notify(3) from libsystemd), for a
 * Type=notify unit: READY=1 once coordd has joined its CPG group (its
 * control socket listens before that), STATUS= lines saying what it
 * waits for, WATCHDOG=1 from the loop every half WatchdogSec= when
 * systemd asks for it (WATCHDOG_USEC), STOPPING=1 on the way out.
 * Without NOTIFY_SOCKET (not run by systemd) every call does nothing.
 */
#ifndef COORD_NOTIFY_H
#define COORD_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <qb/qbloop.h>

struct coord_notify;

/* What the STATUS= line and READY=1 are made of. */
struct coord_notify_state {
	const char *group;
	bool cpg_connected;
	bool joined;
	bool quorate;
	size_t members;
	size_t pending;			/* events not ended */
};

/*
 * Starts the watchdog pings on loop when WATCHDOG_USEC is set for this
 * process.  NULL only when out of memory or the timer cannot be added.
 */
struct coord_notify *coord_notify_new(qb_loop_t *loop);
/* Sends STATUS= when it changed, and READY=1 the first time joined. */
void coord_notify_update(struct coord_notify *n, const struct coord_notify_state *st);
void coord_notify_stopping(struct coord_notify *n);
void coord_notify_free(struct coord_notify *n);

#endif
