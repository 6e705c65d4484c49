/*
 * coordd's quorum tracker: CPG lets an inquorate node send, so coordd
 * asks corosync's quorum service itself and reports every change.
 * A lost connection counts as inquorate until it is re-established.
 */
#ifndef COORD_QUORUM_H
#define COORD_QUORUM_H

#include <stdbool.h>
#include <qb/qbloop.h>

struct coord_quorum;

struct coord_quorum *coord_quorum_new(qb_loop_t *loop,
				      void (*changed)(void *ctx, bool quorate),
				      void *ctx);
void coord_quorum_free(struct coord_quorum *q);
bool coord_quorum_connected(const struct coord_quorum *q);
bool coord_quorum_quorate(const struct coord_quorum *q);

#endif
