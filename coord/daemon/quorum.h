/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordd's quorum tracker: CPG lets an inquorate node send, so coordd
 * asks corosync's quorum service itself and reports every change.
 * A lost connection counts as inquorate until it is re-established.
 */
#ifndef COORD_QUORUM_H
#define COORD_QUORUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <qb/qbloop.h>

struct coord_quorum;

/* changed() gets every notification, with the nodes of the quorum view. */
typedef void (*coord_quorum_fn)(void *ctx, bool quorate, const uint32_t *nodes,
				size_t n_nodes);

struct coord_quorum *coord_quorum_new(qb_loop_t *loop, coord_quorum_fn changed,
				      void *ctx);
void coord_quorum_free(struct coord_quorum *q);
bool coord_quorum_connected(const struct coord_quorum *q);

#endif
