/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordd's CPG adapter: joins the group, delivers messages and
 * configuration changes to its owner, and sends in agreed order.
 * CS_ERR_TRY_AGAIN is retried from the loop's timer, never by sleeping;
 * a lost connection to corosync is reported once and re-established with
 * back-off, while coordd keeps running.
 */
#ifndef COORD_GROUP_H
#define COORD_GROUP_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <qb/qbloop.h>
#include "coord/engine.h"

struct coord_group_ops {
	void (*deliver)(void *ctx, struct coord_member_id from,
			const uint8_t *buf, size_t len);
	void (*confchg)(void *ctx,
			const struct coord_member_id *members, size_t n_members,
			const struct coord_member_id *left, const uint8_t *reasons,
			size_t n_left,
			const struct coord_member_id *joined, size_t n_joined);
	/* The connection is gone; queued messages were discarded. */
	void (*lost)(void *ctx);
};

struct coord_group_stats {
	uint64_t sent;
	uint64_t try_again;		/* CS_ERR_TRY_AGAIN seen (retried) */
	uint64_t send_failed;		/* dropped after an error: logged */
	uint64_t connects;
	uint64_t disconnects;
};

struct coord_group;

/* Starts connecting at once (and retries until it works). */
struct coord_group *coord_group_new(qb_loop_t *loop, const char *name,
				    const struct coord_group_ops *ops, void *ctx);
void coord_group_free(struct coord_group *g);

/* Queues one message; 0, or -ENOBUFS when the queue is full (logged). */
int coord_group_send(struct coord_group *g, const uint8_t *buf, size_t len);

bool coord_group_connected(const struct coord_group *g);
uint32_t coord_group_nodeid(const struct coord_group *g);	/* 0 if unknown */
size_t coord_group_queued(const struct coord_group *g);
const struct coord_group_stats *coord_group_stats(const struct coord_group *g);

#endif
