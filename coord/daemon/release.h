/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running the release command (default: attrd_updater -D -n ganesha-active)
 * as a child process, without blocking coordd's loop: the exit is
 * collected on SIGCHLD, which libqb delivers from the loop, and a command
 * that hangs is killed after its timeout.
 */
#ifndef COORD_RELEASE_H
#define COORD_RELEASE_H

#include <stddef.h>
#include <stdint.h>
#include <qb/qbloop.h>
#include "coord/wire.h"

/*
 * status: the command's exit code; 128+N when it died of signal N (a
 * command killed at its timeout reports 137); -1 when it could not be
 * started.  duration_us: from the start to the exit, monotonic.
 */
typedef void (*coord_release_done_fn)(void *ctx, const struct coord_event_id *id,
				      int status, uint64_t duration_us);

/*
 * command: run by /bin/sh -c.  timeout_ms: then the command's process
 * group is sent SIGKILL.  Registers a SIGCHLD handler on loop; only the
 * runner's own children are ever reaped.  NULL with errno on failure.
 */
struct coord_release_runner *coord_release_new(qb_loop_t *loop, const char *command,
					       uint32_t timeout_ms,
					       coord_release_done_fn done, void *ctx);

/*
 * Starts the command for event id, in a process group of its own, with
 * COORD_EVENT (origin.incarnation.seq), COORD_OUTCOME ("confirmed" or
 * "unconfirmed") and COORD_VIPS (space-separated) added to coordd's
 * environment, stdin from /dev/null, stdout and stderr inherited from
 * coordd, no other descriptor.  Several may run at once.
 *
 * Returns 0: done() follows exactly once, from the loop, never from
 * inside this call (a command that cannot be spawned reports -1).
 * Returns -EINVAL (bad outcome, too many VIPs) or -ENOMEM: nothing was
 * started and done() is not called.
 */
int coord_release_start(struct coord_release_runner *r, const struct coord_event_id *id,
			uint8_t outcome, const struct coord_vip *vips, size_t n_vips);

/* Commands started whose done() has not been called yet. */
size_t coord_release_running(const struct coord_release_runner *r);

/*
 * Kills and reaps the running commands; their done() is not called.
 * May be called from a done() callback.
 */
void coord_release_free(struct coord_release_runner *r);

#endif
