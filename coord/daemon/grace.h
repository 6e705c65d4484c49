/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordd's asynchronous client of nfs-ganesha's admin D-Bus interface.
 *
 * A request asks the local ganesha.nfsd to enter grace for an event's
 * VIPs (or drop a handover's, or take VIPs over) and reports one result,
 * exactly once, always from the loop, to whom it is for: an event's grace
 * result, a drop's result, a take-over's token.  No
 * call blocks the loop: connecting to the bus, registering on it and the
 * method calls themselves are all asynchronous, each call with a timeout.
 * docs/grace.md says what is sent and why.
 */
#ifndef COORD_GRACE_H
#define COORD_GRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <dbus/dbus.h>
#include <qb/qbloop.h>
#include "coord/engine.h"
#include "bus.h"
#include "coord/wire.h"

typedef void (*coord_grace_done_fn)(void *ctx, const struct coord_event_id *id,
				    uint8_t result, uint32_t latency_us,
				    const char *detail);

/* On coordd's connection to the bus, a user of it (bus.h).  NULL on no memory. */
struct coord_grace_client *coord_grace_new(qb_loop_t *loop, struct coord_bus *bus,
					   uint32_t call_timeout_ms,
					   coord_grace_done_fn done, void *ctx);

/*
 * One grace call per VIP ("5:VIP"), or one "0:" call without VIPs.  done()
 * reports the worst result (no-bus, no-server, timeout, grace-failed,
 * in-grace) and the latency from this call to the last answer.
 */
void coord_grace_request(struct coord_grace_client *g, const struct coord_event_id *id,
			 const struct coord_vip *vips, size_t n_vips);
/* The same with one "4:NODE" call: grace, node NODE's client records
 * loaded (a member's part of a handover, docs/grace.md). */
void coord_grace_request_node(struct coord_grace_client *g, const struct coord_event_id *id,
			      uint32_t node);

/*
 * A handover's drop, answered to done(ctx) instead of the client's own
 * callback: one "3:" call (the server loads its own client records, so
 * that its grace lasts while the VIPs' clients reclaim elsewhere) and one
 * "2:VIP" call per VIP: the server drops the state of the clients whose id
 * string names the VIP.  done() reports what the server did: dropped, no
 * server on the bus, or failed (the worst grace result, in detail).
 */
typedef void (*coord_grace_drop_fn)(void *ctx, const struct coord_event_id *id,
				    enum coord_drop_result result, uint32_t latency_us,
				    const char *detail);
void coord_grace_drop(struct coord_grace_client *g, const struct coord_event_id *id,
		      const struct coord_vip *vips, size_t n_vips,
		      coord_grace_drop_fn done, void *ctx);

/*
 * A take-over, a request of its own (no event): one "3:" call (the server
 * loads its own client records) and one "4:N" call per node (at most
 * COORD_MAX_NODES_LOADED): the server enters grace and loads node N's
 * client records.  done() gets the caller's token back, with the worst
 * grace result.
 */
typedef void (*coord_grace_take_over_fn)(void *ctx, uint32_t token, uint8_t result,
					 uint32_t latency_us, const char *detail);
void coord_grace_load_nodes(struct coord_grace_client *g, uint32_t token,
			    const uint32_t *nodes, size_t n_nodes,
			    coord_grace_take_over_fn done, void *ctx);

size_t coord_grace_pending(const struct coord_grace_client *g);

/* Pending requests are dropped without calling done(): coordd is stopping. */
void coord_grace_free(struct coord_grace_client *g);

#endif
