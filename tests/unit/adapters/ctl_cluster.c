/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control tests' cluster: see ctl_cluster.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <qb/qbutil.h>

#include "ctl_cluster.h"

struct cluster *C;

static uint64_t fake_now(void)
{
	return C->h.now;
}

static void harness_failed(struct harness *h, const char *what)
{
	(void)h;
	fail_msg("%s", what);
}

/* Node 1's ended events go to its dispatch; the rest is the harness's. */
/* Node 1's server "answers" a take-over at once. */
static void take_over(struct cluster *cl, const struct coord_action *a)
{
	cl->take_overs++;
	coord_dispatch_take_over_done(cl->d, a->request, cl->take_over_fails ?
				      COORD_ACK_NO_SERVER : COORD_ACK_IN_GRACE, 1200,
				      cl->take_over_fails ? "not on the bus" : "");
}

static bool on_action(struct harness *h, int i, const struct coord_action *a)
{
	struct cluster *cl = h->ctx;

	if (i == 0 && a->kind == COORD_ACTION_EVENT_ENDED)
		coord_dispatch_event_ended(cl->d, &a->event);
	if (i == 0 && a->kind == COORD_ACTION_TAKE_OVER)
		take_over(cl, a);
	return false;
}

void pump(void *ctx)
{
	struct cluster *cl = ctx;

	harness_settle(&cl->h);
	coord_dispatch_check_waiters(cl->d);
}

static void fill_status(void *ctx, struct coord_daemon_status *st)
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

static void on_gone(void *ctx, struct coord_control_client *c)
{
	/* Chain to the dispatch, and count. */
	coord_dispatch_control_ops()->client_gone(ctx, c);
	C->gone++;
}

static struct coord_control_ops test_ops;

static const char *own_group(void)
{
	static char name[64];
	const struct group *g;

	if (!name[0]) {
		g = getgrgid(getegid());
		snprintf(name, sizeof(name), "%s", g ? g->gr_name : "root");
	}
	return name;
}

void cluster_join(struct cluster *cl)
{
	struct coord_member_id members[NODES];
	size_t n = harness_members(&cl->h, 0, members), k;

	harness_confchg(&cl->h, 0, NULL, NULL, 0, members, n);
	for (k = 0; k < NODES; k++)
		coord_engine_quorum(cl->h.node[k].e, cl->h.now, true);
	pump(cl);
}

static int setup_policy(void **state, enum coord_policy policy, bool join)
{
	struct cluster *cl = calloc(1, sizeof(*cl));
	struct coord_dispatch_env env = {
		.now_us = fake_now, .pump = pump, .pump_ctx = cl,
		.fill_status = fill_status,
	};
	char err[256];
	int k;

	assert_non_null(cl);
	cl->h.n = NODES;
	cl->h.now = 1000000;
	cl->h.ctx = cl;
	cl->h.on_action = on_action;
	cl->h.fail = harness_failed;
	cl->h.grace_latency_us = 1500;
	cl->h.grace_detail = "Started grace period";
	for (k = 0; k < NODES; k++) {
		struct coord_engine_config cfg = {
			.incarnation = 5000 + (uint64_t)k,
			.deadline_us = DEADLINE_US,
			.policy = policy,
			.release_retry_us = 100000,
			.release_retry_max_us = 400000,
			.release_max_attempts = 1,
		};
		struct coord_engine *e;

		harness_config(&cfg, k);
		e = coord_engine_new(&cfg);
		assert_non_null(e);
		harness_set_engine(&cl->h, k, e, 1001 + (uint32_t)k);
		cl->h.node[k].up = true;
		cl->h.node[k].grace_result = COORD_ACK_IN_GRACE;
	}
	env.engine = cl->h.node[0].e;
	cl->d = coord_dispatch_new(&env);
	assert_non_null(cl->d);
	test_ops = *coord_dispatch_control_ops();
	test_ops.client_gone = on_gone;
	snprintf(cl->dir, sizeof(cl->dir), "/tmp/coord-test-dispatch.XXXXXX");
	if (!mkdtemp(cl->dir))
		fail_msg("mkdtemp: %s", strerror(errno));
	snprintf(cl->path, sizeof(cl->path), "%s/coordd.sock", cl->dir);
	cl->loop = qb_loop_create();
	/* A group of our own: root's, or the build user's without root. */
	cl->ctl = coord_control_new(cl->loop, cl->path, own_group(), &test_ops, cl->d,
				    err, sizeof(err));
	if (!cl->ctl)
		fail_msg("control socket: %s", err);
	C = cl;
	if (join)
		cluster_join(cl);
	*state = cl;
	return 0;
}

int setup(void **state)
{
	return setup_policy(state, COORD_POLICY_RELEASE, true);
}

int setup_hold(void **state)
{
	return setup_policy(state, COORD_POLICY_HOLD, true);
}

int setup_unjoined(void **state)
{
	return setup_policy(state, COORD_POLICY_RELEASE, false);
}

int teardown(void **state)
{
	struct cluster *cl = *state;
	size_t k;

	coord_control_free(cl->ctl);
	coord_dispatch_free(cl->d);
	qb_loop_destroy(cl->loop);
	for (k = 0; k < NODES; k++)
		coord_engine_free(cl->h.node[k].e);
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

static void on_check(void *data)
{
	struct run *r = data;

	if ((r->done && r->done(r->arg)) || --r->ticks <= 0) {
		r->met = r->done && r->done(r->arg);
		qb_loop_stop(C->loop);
		return;
	}
	qb_loop_timer_add(C->loop, QB_LOOP_LOW, 2 * QB_TIME_NS_IN_MSEC, r, on_check, &r->t);
}

bool run_until(bool (*done)(void *), void *arg, int ms)
{
	struct run r = { .done = done, .arg = arg, .ticks = ms / 2 };

	qb_loop_timer_add(C->loop, QB_LOOP_LOW, QB_TIME_NS_IN_MSEC, &r, on_check, &r.t);
	qb_loop_run(C->loop);
	if (qb_loop_timer_is_running(C->loop, r.t))
		qb_loop_timer_del(C->loop, r.t);
	return r.met;
}
