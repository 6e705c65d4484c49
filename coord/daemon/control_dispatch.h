/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What control requests mean: each becomes engine calls and reply
 * records.  The engine's structs are converted to the control protocol's
 * records here (internal structs never go on the socket), so coordd's
 * main only wires the control socket to this.
 */
#ifndef COORD_CONTROL_DISPATCH_H
#define COORD_CONTROL_DISPATCH_H

#include <stdint.h>
#include <stdbool.h>
#include "coord/engine.h"
#include "coord/ctl.h"
#include "control.h"
#include "daemon_status.h"

struct coord_dispatch_env {
	struct coord_engine *engine;
	uint64_t (*now_us)(void);	/* the engine's clock */
	/* Drains the engine's actions; called after every engine input. */
	void (*pump)(void *ctx);
	void *pump_ctx;
	/* Optional: fills what coordd alone knows (zeroed before the call). */
	void (*fill_status)(void *ctx, struct coord_daemon_status *st);
	void *status_ctx;
	/* Optional: the agent reported the local server dead or up. */
	void (*local_report)(void *ctx, bool dead);
	void *local_ctx;
	/*
	 * Optional, for METRICS: renders the Prometheus text into buf (cap
	 * bytes); returns its length or a negative errno.  NULL: METRICS is
	 * answered INTERNAL.
	 */
	int (*render_metrics)(void *ctx, char *buf, size_t cap);
	void *metrics_ctx;
};

struct coord_dispatch;

struct coord_dispatch *coord_dispatch_new(const struct coord_dispatch_env *env);
void coord_dispatch_free(struct coord_dispatch *d);

/* The ops to give coord_control_new(), with the dispatch as their ctx. */
const struct coord_control_ops *coord_dispatch_control_ops(void);

/*
 * The engine's EVENT_ENDED action for event id: answers the clients that
 * wait for it.  It also re-checks every waiter (see below), so id may be
 * NULL.
 */
void coord_dispatch_event_ended(struct coord_dispatch *d, const struct coord_event_id *id);

/*
 * Re-checks every waiting client: an event that ended, is HELD by policy,
 * or can no longer be delivered (this node left the group before its
 * DEATH came back) answers its waiters.  Cheap; call it after each pump.
 */
void coord_dispatch_check_waiters(struct coord_dispatch *d);

/* The local server's answer (a grace result) to the engine's TAKE_OVER
 * action for control request `token`: its client is told, if still there. */
void coord_dispatch_take_over_done(struct coord_dispatch *d, uint32_t token,
				   uint8_t result, uint32_t latency_us, const char *detail);

/* An event as its EVENT record says it (exposed for the tests). */
void coord_dispatch_event_record(const struct coord_event *ev, uint64_t now,
				 struct coord_ctl_event *out);

#endif
