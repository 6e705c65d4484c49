/*
 * Running the release command (default: attrd_updater -D -n ganesha-active)
 * as a child process, without blocking coordd's loop: the exit is
 * collected on SIGCHLD from the loop, and a command that hangs is killed
 * after its timeout.
 */
#ifndef COORD_RELEASE_H
#define COORD_RELEASE_H

#include <stddef.h>
#include <stdint.h>
#include <qb/qbloop.h>
#include "coord/wire.h"

/* status: the exit code, 128+N when killed by signal N, -1 not started. */
typedef void (*coord_release_done_fn)(void *ctx, const struct coord_event_id *id,
				      int status, uint64_t duration_us);

struct coord_release_runner *coord_release_new(qb_loop_t *loop, const char *command,
					       uint32_t timeout_ms,
					       coord_release_done_fn done, void *ctx);

/*
 * Starts `/bin/sh -c COMMAND` with COORD_EVENT, COORD_OUTCOME and COORD_VIPS
 * in its environment, stdin from /dev/null, stdout and stderr inherited,
 * in a process group of its own.  Returns 0 (done() follows exactly once,
 * from the loop) or -errno (done() is not called).
 */
int coord_release_start(struct coord_release_runner *r, const struct coord_event_id *id,
			const char *outcome, const struct coord_vip *vips, size_t n_vips);

size_t coord_release_running(const struct coord_release_runner *r);

/* Kills running commands (their done() is not called). */
void coord_release_free(struct coord_release_runner *r);

#endif
