/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordd's Prometheus metrics: counters and histograms kept by the loop,
 * rendered to the text exposition format (version 0.0.4) on demand.
 *
 * Everything here runs on coordd's loop thread and allocates nothing
 * after coord_metrics_new().  The rendered text has a fixed set of series
 * (labels come from fixed enumerations, never from peers), so its size is
 * bounded by COORD_METRICS_TEXT_MAX.  metrics_http.c serves the text; the
 * control request METRICS prints it (coordctl metrics).
 */
#ifndef COORD_METRICS_H
#define COORD_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include "coord/engine.h"
#include "daemon_status.h"

#define COORD_METRICS_TEXT_MAX	(32u << 10)	/* bytes, the whole scrape */

struct coord_metrics;

struct coord_metrics *coord_metrics_new(void);
void coord_metrics_free(struct coord_metrics *m);

/* The local ganesha answered a grace call (result: enum coord_ack_result). */
void coord_metrics_grace_done(struct coord_metrics *m, uint8_t result, uint32_t latency_us);
/* The local ganesha answered a take-over (the gate's start): the same results. */
void coord_metrics_take_over_done(struct coord_metrics *m, uint8_t result,
				  uint32_t latency_us);
/*
 * The release command is started for ev (its attempt number already
 * counted by the engine).  The first attempt of a local event observes
 * the barrier: from the report (or the delivery) to now; wall_us (the
 * epoch's microseconds) is the last release's time.
 */
void coord_metrics_release_started(struct coord_metrics *m, const struct coord_event *ev,
				   uint64_t now_us, uint64_t wall_us);
/* The release command ended with status (0: success). */
void coord_metrics_release_done(struct coord_metrics *m, int status);
/* ev reached its final state on this node (a handover this node gave:
 * its duration, from the give-up to the end). */
void coord_metrics_event_ended(struct coord_metrics *m, const struct coord_event *ev);

/* coord_vip_target's reason label: "target", or why not ("inquorate"...). */
const char *coord_metrics_target_reason(uint8_t why);

/*
 * Renders every metric into buf.  The engine and st give the gauges
 * (members, quorum, target, the local server, connections, refusal
 * counters, the process when st->process.known).  Returns the text's
 * length (no NUL counted; buf is NUL-terminated), or -ENOSPC.
 */
int coord_metrics_render(const struct coord_metrics *m, const struct coord_engine *e,
			 const struct coord_daemon_status *st, char *buf, size_t cap);

#endif
