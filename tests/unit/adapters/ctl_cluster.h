/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control tests' cluster: three real engines in the shared in-process
 * cluster (tests/harness/cluster.h), and node 1's dispatch behind a real
 * control socket on a real libqb loop.  Survivors answer grace at once
 * unless a test holds them back (h.node[k].hold_grace); the release
 * command "exits" with h.node[k].release_status.  Included, after
 * cmocka.h, by the tests that use it; ctl_cluster.c holds the code.
 */
#ifndef COORD_TEST_CTL_CLUSTER_H
#define COORD_TEST_CTL_CLUSTER_H

#include <qb/qbloop.h>

#include "coord/ctl.h"
#include "coord/engine.h"
#include "coord/wire.h"
#include "harness/cluster.h"
#include "../../../coord/daemon/control.h"
#include "../../../coord/daemon/control_dispatch.h"

#define NODES		3
#define DEADLINE_US	10000000ull

struct cluster {
	struct harness h;		/* h.now is the dispatch's clock */
	struct coord_dispatch *d;
	qb_loop_t *loop;
	struct coord_control *ctl;
	char dir[64], path[128];
	int gone;
	int take_overs;			/* node 1's take-over requests */
	bool take_over_fails;		/* its server "answers" no-server */
};

extern struct cluster *C;

/* Drains every engine's actions and delivers every multicast (unless
 * h.hold_delivery), as coordd's pump does, until quiet. */
void pump(void *ctx);
void cluster_join(struct cluster *cl);

/* cmocka setups and teardown: joined under policy release or hold, or
 * not joined. */
int setup(void **state);
int setup_hold(void **state);
int setup_unjoined(void **state);
int teardown(void **state);

/* Runs the loop until done(arg) or ms pass; returns whether done. */
bool run_until(bool (*done)(void *), void *arg, int ms);

#endif
