/*
 * A small in-process cluster for the control tests: three real engines on
 * a virtual clock, their multicasts carried in agreed order through the
 * real wire codec, and node 1's dispatch behind a real control socket on
 * a real libqb loop.  Survivors answer grace at once unless a test holds
 * them back (hold_grace); the release command "exits" with
 * release_status.  Included, after cmocka.h, by the tests that use it.
 */
#ifndef COORD_TEST_CTL_CLUSTER_H
#define COORD_TEST_CTL_CLUSTER_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <qb/qbloop.h>
#include <qb/qbutil.h>

#include "coord/ctl.h"
#include "coord/engine.h"
#include "coord/wire.h"
#include "../../coord/control.h"
#include "../../coord/control_dispatch.h"

#define NODES		3
#define DEADLINE_US	10000000ull
#define MAX_QUEUED	512

/* ---- the cluster ---- */

struct node {
	struct coord_engine *e;
	struct coord_member_id id;
	bool hold_grace;		/* do not answer grace until told */
	int release_status;
	struct coord_event_id grace_owed;
	bool owes_grace;
};

struct queued {
	struct coord_member_id from;
	uint8_t buf[COORD_WIRE_MAX_LEN];
	size_t len;
};

struct cluster {
	struct node n[NODES];
	struct queued q[MAX_QUEUED];
	size_t q_len;
	bool hold_delivery;		/* multicasts stay queued */
	struct coord_dispatch *d;
	qb_loop_t *loop;
	struct coord_control *ctl;
	char dir[64], path[128];
	int gone;
	int drops;			/* node 1's DROP actions (handovers) */
	int take_overs;			/* node 1's take-over requests */
	bool take_over_fails;		/* its server "answers" no-server */
};

static struct cluster *C;
static uint64_t clock_us = 1000000;

static inline uint64_t fake_now(void)
{
	return clock_us;
}

static inline void deliver_queue(struct cluster *cl)
{
	struct coord_msg msg;
	size_t i, k;

	for (i = 0; i < cl->q_len; i++) {
		if (coord_msg_decode(cl->q[i].buf, cl->q[i].len, &msg) != COORD_CODEC_OK)
			fail_msg("an engine multicast a message that does not decode");
		for (k = 0; k < NODES; k++)
			coord_engine_deliver(cl->n[k].e, clock_us, cl->q[i].from, &msg);
	}
	cl->q_len = 0;
}

/* Drains every engine's actions, as coordd's pump does, until quiet. */
static inline void pump(void *ctx)
{
	struct cluster *cl = ctx;
	struct coord_action a;
	bool busy = true;
	size_t k;
	int len;

	while (busy) {
		busy = false;
		for (k = 0; k < NODES; k++) {
			struct node *n = &cl->n[k];

			while (coord_engine_next_action(n->e, &a)) {
				busy = true;
				switch (a.kind) {
				case COORD_ACTION_SEND:
					assert_true(cl->q_len < MAX_QUEUED);
					len = coord_msg_encode(&a.msg, cl->q[cl->q_len].buf,
							       COORD_WIRE_MAX_LEN);
					assert_true(len > 0);
					cl->q[cl->q_len].len = (size_t)len;
					cl->q[cl->q_len].from = n->id;
					cl->q_len++;
					break;
				case COORD_ACTION_GRACE:
					if (n->hold_grace) {
						n->grace_owed = a.event;
						n->owes_grace = true;
					} else {
						coord_engine_grace_done(n->e, clock_us, &a.event,
									COORD_ACK_IN_GRACE, 1500,
									"Started grace period");
					}
					break;
				case COORD_ACTION_DROP:
					cl->drops += k == 0;
					/* answered like a release */
					__attribute__((fallthrough));
				case COORD_ACTION_RELEASE:
					coord_engine_release_done(n->e, clock_us, &a.event,
								  n->release_status);
					break;
				case COORD_ACTION_EVENT_ENDED:
					if (k == 0)
						coord_dispatch_event_ended(cl->d, &a.event);
					break;
				}
			}
		}
		if (cl->q_len && !cl->hold_delivery) {
			deliver_queue(cl);
			busy = true;
		}
	}
	coord_dispatch_check_waiters(cl->d);
}

static inline void fill_status(void *ctx, struct coord_daemon_status *st)
{
	(void)ctx;
	st->group = "coord-test";
	st->cpg_connected = true;
	st->quorum_connected = true;
	st->bus_connected = true;
	st->policy = COORD_POLICY_RELEASE;
	st->deadline_ms = DEADLINE_US / 1000;
	st->uptime_us = 4242;
	st->wire_errors[1] = 7;		/* truncated */
}

static inline void on_gone(void *ctx, struct coord_control_client *c)
{
	/* Chain to the dispatch, and count. */
	coord_dispatch_control_ops()->client_gone(ctx, c);
	C->gone++;
}

static struct coord_control_ops test_ops;

static inline void cluster_join(struct cluster *cl)
{
	struct coord_member_id members[NODES];
	size_t k;

	for (k = 0; k < NODES; k++)
		members[k] = cl->n[k].id;
	for (k = 0; k < NODES; k++)
		coord_engine_confchg(cl->n[k].e, clock_us, members, NODES, NULL, NULL, 0,
				     members, NODES);
	for (k = 0; k < NODES; k++)
		coord_engine_quorum(cl->n[k].e, clock_us, true);
	pump(cl);
}

/* Node 1's server "answers" a take-over at once. */
static inline void fake_take_over(void *ctx, uint32_t token, const struct coord_vip *vips,
				  size_t n_vips)
{
	struct cluster *cl = ctx;

	(void)vips;
	(void)n_vips;
	cl->take_overs++;
	coord_dispatch_take_over_done(cl->d, token, !cl->take_over_fails,
				      cl->take_over_fails ? "no-server: not on the bus" :
				      "in grace, the other nodes' client records loaded");
}

static inline int setup_policy(void **state, enum coord_policy policy, bool join)
{
	struct cluster *cl = calloc(1, sizeof(*cl));
	struct coord_dispatch_env env = {
		.now_us = fake_now, .pump = pump, .pump_ctx = cl,
		.fill_status = fill_status, .self_pid = 1001,
		.take_over = fake_take_over, .take_over_ctx = cl,
	};
	char err[256], vip[32];
	size_t k;

	for (k = 0; k < NODES; k++) {
		struct coord_engine_config cfg = {
			.nodeid = (uint32_t)k + 1,
			.incarnation = 5000 + k,
			.n_vips = 1,
			.deadline_us = DEADLINE_US,
			.policy = policy,
			.release_retry_us = 100000,
			.release_retry_max_us = 400000,
			.release_max_attempts = 1,
		};

		snprintf(vip, sizeof(vip), "198.18.0.%zu", 100 + k + 1);
		coord_vip_parse(vip, &cfg.vips[0]);
		cl->n[k].e = coord_engine_new(&cfg);
		assert_non_null(cl->n[k].e);
		cl->n[k].id = (struct coord_member_id){ (uint32_t)k + 1, 1001 + (uint32_t)k };
		coord_engine_set_self(cl->n[k].e, cl->n[k].id.pid);
	}
	env.engine = cl->n[0].e;
	cl->d = coord_dispatch_new(&env);
	assert_non_null(cl->d);
	test_ops = *coord_dispatch_control_ops();
	test_ops.client_gone = on_gone;
	snprintf(cl->dir, sizeof(cl->dir), "/tmp/coord-test-dispatch.XXXXXX");
	if (!mkdtemp(cl->dir))
		fail_msg("mkdtemp: %s", strerror(errno));
	snprintf(cl->path, sizeof(cl->path), "%s/coordd.sock", cl->dir);
	cl->loop = qb_loop_create();
	cl->ctl = coord_control_new(cl->loop, cl->path, "root", &test_ops, cl->d,
				    err, sizeof(err));
	if (!cl->ctl)
		fail_msg("control socket: %s", err);
	C = cl;
	if (join)
		cluster_join(cl);
	*state = cl;
	return 0;
}

static inline int setup(void **state)
{
	return setup_policy(state, COORD_POLICY_RELEASE, true);
}

static inline int setup_hold(void **state)
{
	return setup_policy(state, COORD_POLICY_HOLD, true);
}

static inline int setup_unjoined(void **state)
{
	return setup_policy(state, COORD_POLICY_RELEASE, false);
}

static inline int teardown(void **state)
{
	struct cluster *cl = *state;
	size_t k;

	coord_control_free(cl->ctl);
	coord_dispatch_free(cl->d);
	qb_loop_destroy(cl->loop);
	for (k = 0; k < NODES; k++)
		coord_engine_free(cl->n[k].e);
	rmdir(cl->dir);
	free(cl);
	return 0;
}

/* ---- the loop in bursts ---- */

struct run {
	bool (*done)(void *);
	void *arg;
	int ticks;
	bool met;
	qb_loop_timer_handle t;
};

static inline void on_check(void *data)
{
	struct run *r = data;

	if ((r->done && r->done(r->arg)) || --r->ticks <= 0) {
		r->met = r->done && r->done(r->arg);
		qb_loop_stop(C->loop);
		return;
	}
	qb_loop_timer_add(C->loop, QB_LOOP_LOW, 2 * QB_TIME_NS_IN_MSEC, r, on_check, &r->t);
}

static inline bool run_until(bool (*done)(void *), void *arg, int ms)
{
	struct run r = { .done = done, .arg = arg, .ticks = ms / 2 };

	qb_loop_timer_add(C->loop, QB_LOOP_LOW, QB_TIME_NS_IN_MSEC, &r, on_check, &r.t);
	qb_loop_run(C->loop);
	if (qb_loop_timer_is_running(C->loop, r.t))
		qb_loop_timer_del(C->loop, r.t);
	return r.met;
}

#endif
