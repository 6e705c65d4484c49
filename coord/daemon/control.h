/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordd's control socket: a unix stream socket on the daemon's libqb
 * loop, speaking include/coord/ctl.h.  It owns the socket, the peers'
 * credentials, framing and per-client buffers; what a request means is
 * the owner's business (control_dispatch.c).
 *
 * A client sends one request and reads records until the END.  It may
 * send its next request before that END: requests are answered strictly
 * one after another, the next one read only once the previous END is
 * queued.  Only root and members of the socket's group are served.
 */
#ifndef COORD_CONTROL_H
#define COORD_CONTROL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <qb/qbloop.h>
#include "coord/ctl.h"

#define COORD_CONTROL_MAX_CLIENTS	256
/* Output queued for one client, over which it is dropped.  The largest
 * reply, EVENTS of a full table, is about 1.7 MB (docs/control.md). */
#define COORD_CONTROL_OUTQ_MAX		(4u << 20)
#define COORD_CONTROL_IDLE_MS		10000	/* to send a request, to read */

struct coord_control;
struct coord_control_client;

struct coord_control_ops {
	/*
	 * One decoded request.  The owner answers with any number of
	 * coord_control_send() and exactly one coord_control_end(), now or
	 * later (the client stays until then, or until it goes away).
	 */
	void (*request)(void *ctx, struct coord_control_client *c,
			const struct coord_ctl_request *req);
	/* The client is about to be freed: forget every pointer to it. */
	void (*client_gone)(void *ctx, struct coord_control_client *c);
};

struct coord_control_counters {
	uint64_t count[COORD_CTL_CC_COUNT];	/* enum coord_ctl_control_counter */
	size_t clients;				/* connected now */
};

/*
 * Creates the socket at path and starts accepting.  Refuses (NULL, with a
 * reason in err) when a live daemon answers at path, when path exists and
 * is not a socket, or when group_name does not exist.
 */
struct coord_control *coord_control_new(qb_loop_t *loop, const char *path,
					const char *group_name,
					const struct coord_control_ops *ops, void *ctx,
					char *err, size_t errlen);
/*
 * What coord_control_new() would refuse in a configuration alone (coordd
 * -t): group_name does not exist, or the socket's directory is not one
 * and cannot be created (coordd creates the last directory only).
 * Whether another coordd listens at path is not the configuration's
 * fault, and not checked.  0, or -errno with a reason in err.
 */
int coord_control_check(const char *path, const char *group_name, char *err, size_t errlen);

/* Closes every client (calling client_gone) and removes the socket. */
void coord_control_free(struct coord_control *ctl);

/*
 * Queues one record for the client's current request (rec->seq is set
 * here).  0, or -EPIPE when the client is gone or being dropped, -EINVAL
 * when the record does not encode, -EPROTO when no request is open.
 */
int coord_control_send(struct coord_control_client *c, const struct coord_ctl_record *rec);
/* Queues the END closing the current request (message may be NULL). */
void coord_control_end(struct coord_control_client *c, uint16_t status, const char *message);

const struct coord_control_counters *coord_control_counters(const struct coord_control *ctl);
struct coord_control *coord_control_of(const struct coord_control_client *c);
/* The peer's credentials, as SO_PEERCRED gave them at connect. */

/* For tests: how long a client has to send a whole request. */
void coord_control_set_idle_timeout(struct coord_control *ctl, uint32_t ms);

#endif
