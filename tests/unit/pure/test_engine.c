/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the barrier engine: several real engines connected by an
 * in-test agreed order (every SEND is encoded, decoded and delivered to
 * every member in one global order), no I/O.  Assertions are on actions
 * and records, never on log text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>

#include "coord/engine.h"
#include "harness/cluster.h"

#define N_MAX 8
#define DEADLINE_US 10000000u

/* The cluster: nodes 1 .. n are h.node[0 .. n-1] (ND(i)); h.node[n] is a
 * second CPG process on node 3 (not a coordd), up while it is present. */
static struct {
	int n;
	enum coord_policy policy;
	struct harness h;
} C;

#define ND(i) (C.h.node[(i) - 1])

static void vip_of(int i, struct coord_vip *v)
{
	char text[32];

	snprintf(text, sizeof(text), "198.18.0.%d", 100 + i);
	assert_int_equal(coord_vip_parse(text, v), 0);
}

/* ganesha's lease in the lab (tests/lab/lib/nfs_lab.sh): 10 s. */
#define REAP_US	coord_released_reap_us(10000)

static struct coord_engine *engine_for(int i, uint64_t incarnation)
{
	struct coord_engine_config cfg = {
		.incarnation = incarnation,
		.deadline_us = DEADLINE_US,
		.policy = C.policy,
		.release_retry_us = 1000000,
		.release_retry_max_us = 8000000,
		.release_max_attempts = 3,
		.released_reap_us = REAP_US,
	};
	struct coord_engine *e;

	harness_config(&cfg, i - 1);
	e = coord_engine_new(&cfg);
	assert_non_null(e);
	coord_engine_set_self(e, 1000u + (uint32_t)i);
	coord_engine_quorum(e, 0, true);
	return e;
}

static struct coord_member_id mid(int i)
{
	return ND(i).id;
}

/* Every coordd up gets the change; the members are those up. */
static void confchg(const struct coord_member_id *left, const uint8_t *reasons,
		    size_t n_left, const struct coord_member_id *joined, size_t n_joined)
{
	harness_confchg(&C.h, 0, left, reasons, n_left, joined, n_joined);
}

/* Every pending action, in one global order, until the cluster is quiet. */
static void settle(void)
{
	harness_settle(&C.h);
}

static void advance(uint64_t us)
{
	harness_advance(&C.h, us);
}

static void harness_failed(struct harness *h, const char *what)
{
	(void)h;
	fail_msg("%s", what);
}

static int delivered_rc;	/* what deliver returned, ORed */

static void note_rc(struct harness *h, int i, const struct harness_msg *m, int rc)
{
	(void)h;
	(void)i;
	(void)m;
	delivered_rc |= rc;
}

#define HOSTILE_PID 4242u

static void cluster_up(int n, enum coord_policy policy)
{
	struct harness_node *hostile;
	int i;

	memset(&C, 0, sizeof(C));
	C.n = n;
	C.policy = policy;
	C.h.n = n + 1;
	C.h.now = 1000000;
	C.h.grace_latency_us = 1000;
	C.h.fail = harness_failed;
	C.h.on_deliver = note_rc;
	for (i = 1; i <= n; i++) {
		harness_set_engine(&C.h, i - 1, engine_for(i, 100u + (uint64_t)i),
				   1000u + (uint32_t)i);
		ND(i).grace_result = COORD_ACK_IN_GRACE;
	}
	hostile = &C.h.node[n];
	hostile->id = (struct coord_member_id){ 3, HOSTILE_PID };
	for (i = 1; i <= n; i++) {
		struct coord_member_id j = mid(i);
		ND(i).up = true;
		confchg(NULL, NULL, 0, &j, 1);
		settle();
	}
}

static int teardown(void **state)
{
	int i;

	(void)state;
	for (i = 1; i <= C.n; i++)
		coord_engine_free(ND(i).e);
	memset(&C, 0, sizeof(C));
	return 0;
}

static void node_leaves(int i, uint8_t reason)
{
	struct coord_member_id m = mid(i);

	ND(i).up = false;
	confchg(&m, &reason, 1, NULL, 0);
	settle();
}

/* Node i's coordd starts again, incarnation inc, and joins the group. */
static void coordd_rejoins(int i, uint64_t inc)
{
	struct coord_member_id j = mid(i);

	ND(i).up = true;
	coord_engine_free(ND(i).e);
	ND(i).e = engine_for(i, inc);
	confchg(NULL, NULL, 0, &j, 1);
	settle();
}

static struct coord_event_id report(int i)
{
	struct coord_event_id id;

	assert_int_equal(coord_engine_report_death(ND(i).e, C.h.now, NULL, 0, &id), 0);
	return id;
}

static const struct coord_event *ev_on(int i, const struct coord_event_id *id)
{
	return coord_engine_find_event(ND(i).e, id);
}

static const struct coord_survivor *sv_on(int i, const struct coord_event_id *id, int who)
{
	const struct coord_event *ev = ev_on(i, id);
	size_t k;

	assert_non_null(ev);
	for (k = 0; k < ev->n_survivors; k++)
		if (ev->survivors[k].id.nodeid == (uint32_t)who)
			return &ev->survivors[k];
	return NULL;
}

/* ---- hostile and invalid input first ---- */

static struct coord_msg msg_from(int i, uint16_t type)
{
	struct coord_msg m;

	memset(&m, 0, sizeof(m));
	m.version = COORD_PROTO_VERSION;
	m.type = type;
	m.sender = (uint32_t)i;
	m.incarnation = 100u + (uint64_t)i;
	return m;
}

static void test_rejects_wrong_sender_and_non_member(void **state)
{
	struct coord_msg m = msg_from(3, COORD_MSG_HELLO);
	struct coord_member_id stranger = { 9, 9 };

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	/* The header claims node 3 but CPG says node 2 sent it. */
	assert_int_equal(coord_engine_deliver(ND(1).e, C.h.now, mid(2), &m), COORD_REJECTED_SENDER);
	assert_int_equal(coord_engine_counters(ND(1).e)->count[COORD_REJECTED_SENDER], 1);
	m.sender = 9;
	assert_int_equal(coord_engine_deliver(ND(1).e, C.h.now, stranger, &m), COORD_REJECTED_SENDER);
	assert_int_equal(coord_engine_counters(ND(1).e)->count[COORD_REJECTED_SENDER], 2);
}

/* A type the engine does not know is refused as such, not as a wrong
 * sender (the codec refuses it first; the engine does not rely on that). */
static void test_unknown_type_refused_as_such(void **state)
{
	struct coord_msg m = msg_from(2, COORD_MSG_HELLO);
	const struct coord_engine_counters *c;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	m.type = COORD_MSG_CANCEL + 1;
	assert_int_equal(coord_engine_deliver(ND(1).e, C.h.now, mid(2), &m),
			 COORD_UNKNOWN_TYPE);
	c = coord_engine_counters(ND(1).e);
	assert_int_equal(c->count[COORD_UNKNOWN_TYPE], 1);
	assert_int_equal(c->count[COORD_REJECTED_SENDER], 0);
}

static void test_rejects_foreign_origin_and_seq0(void **state)
{
	struct coord_msg m = msg_from(2, COORD_MSG_DEATH);

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	m.u.death.id.origin = 3;	/* node 2 claims node 3 died */
	m.u.death.id.incarnation = 103;
	m.u.death.id.seq = 1;
	m.u.death.reason = COORD_DEATH_REPORTED;
	assert_int_equal(coord_engine_deliver(ND(1).e, C.h.now, mid(2), &m), COORD_REJECTED_ORIGIN);
	m.u.death.id.origin = 2;
	m.u.death.id.incarnation = 102;
	m.u.death.id.seq = 0;		/* reserved for node-left events */
	assert_int_equal(coord_engine_deliver(ND(1).e, C.h.now, mid(2), &m), COORD_REJECTED_ORIGIN);
	assert_int_equal(coord_engine_counters(ND(1).e)->count[COORD_REJECTED_ORIGIN], 2);
	assert_int_equal(coord_engine_event_count(ND(1).e), 0);
	assert_int_equal(ND(1).graces, 0);
}

static void test_rejects_unknown_stale_duplicate_acks(void **state)
{
	struct coord_msg ack = msg_from(3, COORD_MSG_ACK);
	struct coord_event_id id;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	ND(1).hold_grace = true;
	ND(3).hold_grace = true;
	id = report(2);
	settle();
	ack.u.ack.id = id;
	ack.u.ack.id.seq = 77;		/* no such event */
	ack.u.ack.result = COORD_ACK_IN_GRACE;
	assert_int_equal(coord_engine_deliver(ND(2).e, C.h.now, mid(3), &ack), COORD_UNKNOWN_EVENT);
	assert_int_equal(coord_engine_counters(ND(2).e)->count[COORD_UNKNOWN_EVENT], 1);
	/* The same member with another incarnation: refused. */
	ack.u.ack.id = id;
	ack.incarnation = 999;
	assert_int_equal(coord_engine_deliver(ND(2).e, C.h.now, mid(3), &ack), COORD_REJECTED_INCARNATION);
	assert_int_equal(coord_engine_counters(ND(2).e)->count[COORD_REJECTED_INCARNATION], 1);
	/* The origin acknowledging its own death is not a survivor. */
	ack = msg_from(2, COORD_MSG_ACK);
	ack.u.ack.id = id;
	ack.u.ack.result = COORD_ACK_IN_GRACE;
	assert_int_equal(coord_engine_deliver(ND(2).e, C.h.now, mid(2), &ack), COORD_UNEXPECTED_ACK);
	assert_int_equal(coord_engine_counters(ND(2).e)->count[COORD_UNEXPECTED_ACK], 1);
	/* A real ack, then its duplicate. */
	ack = msg_from(3, COORD_MSG_ACK);
	ack.u.ack.id = id;
	ack.u.ack.result = COORD_ACK_IN_GRACE;
	assert_int_equal(coord_engine_deliver(ND(2).e, C.h.now, mid(3), &ack), COORD_ACCEPTED);
	assert_int_equal(coord_engine_deliver(ND(2).e, C.h.now, mid(3), &ack), COORD_DUPLICATE);
	assert_int_equal(coord_engine_counters(ND(2).e)->count[COORD_DUPLICATE], 1);
	assert_int_equal(ND(2).releases, 0);	/* node 1 has not answered */
}

static void test_release_and_cancel_only_from_origin(void **state)
{
	struct coord_msg m = msg_from(3, COORD_MSG_RELEASE);
	struct coord_event_id id;

	(void)state;
	cluster_up(3, COORD_POLICY_HOLD);
	ND(1).hold_grace = true;
	id = report(2);
	settle();
	m.u.release.id = id;
	m.u.release.outcome = COORD_RELEASE_CONFIRMED;
	assert_int_equal(coord_engine_deliver(ND(1).e, C.h.now, mid(3), &m), COORD_REJECTED_ORIGIN);
	m.type = COORD_MSG_CANCEL;
	m.u.cancel.id = id;
	m.u.cancel.reason = COORD_CANCEL_ADMIN;
	assert_int_equal(coord_engine_deliver(ND(1).e, C.h.now, mid(3), &m), COORD_REJECTED_ORIGIN);
	assert_int_equal(coord_engine_counters(ND(1).e)->count[COORD_REJECTED_ORIGIN], 2);
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_WAITING);
	assert_int_equal(coord_engine_cancel(ND(3).e, C.h.now, &id), -EPERM);
}

/*
 * A second CPG process on node 3 (pid HOSTILE_PID), not a coordd: what a
 * hostile or confused client can and cannot do.  Every engine sees it join.
 */
static struct coord_member_id hostile_id(void)
{
	return C.h.node[C.n].id;
}

static void hostile_confchg(bool present, uint8_t leave_reason)
{
	struct coord_member_id h = hostile_id();

	C.h.node[C.n].up = present;
	confchg(present ? NULL : &h, &leave_reason, present ? 0 : 1, present ? &h : NULL,
		present ? 1 : 0);
	settle();
}

/* m from `from`, delivered to every coordd up at once, as it is (no
 * codec): what their engines answered, ORed. */
static int deliver_all(struct coord_member_id from, const struct coord_msg *m)
{
	struct harness_msg hm = { .view = 0, .from = from, .msg = *m };

	delivered_rc = 0;
	assert_int_equal(C.h.n_queued, 0);
	assert_true(harness_enqueue(&C.h, &hm));
	assert_true(harness_deliver_one(&C.h, 0));
	return delivered_rc;
}

static void test_rejects_another_process_using_a_coordd_incarnation(void **state)
{
	struct coord_msg m = msg_from(3, COORD_MSG_DEATH);
	int i;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	hostile_confchg(true, 0);
	/* Node 3's coordd incarnation (103), from another pid on node 3: a
	 * DEATH that node 3's coordd would otherwise take for its own. */
	m.u.death.id.origin = 3;
	m.u.death.id.incarnation = 103;
	m.u.death.id.seq = 9;
	m.u.death.reason = COORD_DEATH_REPORTED;
	for (i = 1; i <= 3; i++) {
		assert_int_equal(coord_engine_deliver(ND(i).e, C.h.now, hostile_id(), &m),
				 COORD_REJECTED_INCARNATION);
		assert_int_equal(coord_engine_counters(ND(i).e)->count[COORD_REJECTED_INCARNATION], 1);
		assert_int_equal(coord_engine_event_count(ND(i).e), 0);
	}
	/* Incarnation 0 would leave the member unpinned: refused too. */
	m.incarnation = 0;
	m.u.death.id.incarnation = 0;
	assert_int_equal(coord_engine_deliver(ND(1).e, C.h.now, hostile_id(), &m), COORD_REJECTED_INCARNATION);
	assert_int_equal(coord_engine_counters(ND(1).e)->count[COORD_REJECTED_INCARNATION], 2);
	settle();
	for (i = 1; i <= 3; i++) {
		assert_int_equal(ND(i).graces, 0);
		assert_int_equal(ND(i).releases, 0);
	}
}

static void test_hostile_process_own_incarnation_is_pinned(void **state)
{
	struct coord_msg ack = msg_from(3, COORD_MSG_ACK);
	struct coord_event_id id;
	int i;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	ND(1).hold_grace = true;
	id = report(2);
	settle();
	hostile_confchg(true, 0);	/* joined after the death: not a survivor */
	ack.incarnation = 5000;
	ack.u.ack.id = id;
	ack.u.ack.id.seq = 77;		/* no such event */
	ack.u.ack.result = COORD_ACK_IN_GRACE;
	assert_int_not_equal(deliver_all(hostile_id(), &ack), 0);
	ack.u.ack.id = id;		/* a real event, but not a survivor */
	assert_int_not_equal(deliver_all(hostile_id(), &ack), 0);
	/* An older incarnation of the same process, e.g. a replayed ACK. */
	ack.incarnation = 4999;
	assert_int_not_equal(deliver_all(hostile_id(), &ack), 0);
	for (i = 1; i <= 3; i++) {
		const struct coord_engine_counters *c = coord_engine_counters(ND(i).e);
		assert_int_equal(c->count[COORD_UNKNOWN_EVENT], 1);
		assert_int_equal(c->count[COORD_UNEXPECTED_ACK], 1);
		assert_int_equal(c->count[COORD_REJECTED_INCARNATION], 1);
	}
	assert_int_equal(sv_on(2, &id, 1)->state, COORD_SURVIVOR_WAITING);
	assert_int_equal(ND(2).releases, 0);
}

static void test_unannounced_member_leaving_is_no_death(void **state)
{
	struct coord_event_id id;
	const struct coord_event *ev;
	int i;

	(void)state;
	cluster_up(3, COORD_POLICY_HOLD);
	/* Joins and dies (PROCDOWN) without a HELLO: no node-left event. */
	hostile_confchg(true, 0);
	hostile_confchg(false, COORD_LEAVE_PROCDOWN);
	for (i = 1; i <= 3; i++) {
		assert_int_equal(coord_engine_event_count(ND(i).e), 0);
		assert_int_equal(ND(i).graces, 0);
	}
	/* Present at a death, it is a survivor like any member.  Its clean
	 * leave confirms nothing while its node lives: held at the deadline. */
	hostile_confchg(true, 0);
	id = report(1);
	settle();
	ev = ev_on(1, &id);
	assert_int_equal(ev->n_survivors, 3);
	assert_int_equal(ND(1).releases, 0);
	hostile_confchg(false, COORD_LEAVE_LEAVE);
	assert_int_equal(ND(1).releases, 0);
	advance(DEADLINE_US);
	assert_int_equal(ND(1).releases, 0);
	for (i = 1; i <= 3; i++) {
		ev = ev_on(i, &id);
		assert_int_equal(ev->survivors[2].id.pid, HOSTILE_PID);
		assert_int_equal(ev->survivors[2].state, COORD_SURVIVOR_LEFT);
		assert_false(coord_survivor_settled(&ev->survivors[2]));
		assert_int_equal(coord_engine_event_count(ND(i).e), 1);
	}
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_HELD);
	assert_int_equal(coord_engine_cancel(ND(1).e, C.h.now, &id), 0);
	settle();
	/* Its whole node going down is still a node death. */
	hostile_confchg(true, 0);
	hostile_confchg(false, COORD_LEAVE_NODEDOWN);
	assert_int_equal(coord_engine_event_count(ND(1).e), 2);
}

static void test_report_before_join_refused(void **state)
{
	struct coord_event_id id;
	struct coord_engine *e;

	(void)state;
	memset(&C, 0, sizeof(C));
	C.policy = COORD_POLICY_RELEASE;
	e = engine_for(1, 5);
	assert_int_equal(coord_engine_report_death(e, 0, NULL, 0, &id), -ENOTCONN);
	coord_engine_free(e);
}

/* ---- the barrier ---- */

static void test_release_waits_for_every_survivor(void **state)
{
	struct coord_event_id id;
	struct coord_vip v2;
	int i;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	ND(1).hold_grace = true;
	ND(3).hold_grace = true;
	id = report(2);
	settle();
	vip_of(2, &v2);
	for (i = 1; i <= 3; i += 2) {
		assert_int_equal(ND(i).graces, 1);
		assert_int_equal(ND(i).last_grace.n_vips, 1);
		assert_int_equal(ND(i).last_grace.load_node, 0);	/* a death: "5:VIP" */
		assert_true(coord_vip_equal(&ND(i).last_grace.vips[0], &v2));
	}
	assert_int_equal(ND(2).graces, 0);		/* the origin is not asked */
	coord_engine_grace_done(ND(1).e, C.h.now, &id, COORD_ACK_IN_GRACE, 5, "ok");
	settle();
	assert_int_equal(ND(2).releases, 0);	/* node 3 still missing */
	assert_int_equal(sv_on(2, &id, 3)->state, COORD_SURVIVOR_WAITING);
	coord_engine_grace_done(ND(3).e, C.h.now, &id, COORD_ACK_IN_GRACE, 5, "ok");
	settle();
	assert_int_equal(ND(2).releases, 1);
	assert_int_equal(ND(1).releases + ND(3).releases, 0);
	for (i = 1; i <= 3; i++) {
		const struct coord_event *ev = ev_on(i, &id);
		assert_non_null(ev);
		assert_int_equal(ev->state, COORD_EVENT_RELEASED);
		assert_int_equal(ev->n_survivors, 2);
		assert_int_equal(ev->survivors[0].id.nodeid, 1);
		assert_int_equal(ev->survivors[1].id.nodeid, 3);
		assert_int_equal(ev->release_outcome, COORD_RELEASE_CONFIRMED);
	}
	advance(DEADLINE_US * 2);
	assert_int_equal(ND(2).releases, 1);	/* once */
}

static void test_report_with_explicit_vips_and_join(void **state)
{
	struct coord_event_id a, b;
	struct coord_vip v[2];

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	ND(1).hold_grace = true;
	assert_int_equal(coord_vip_parse("198.18.0.200", &v[0]), 0);
	assert_int_equal(coord_vip_parse("fe80::1", &v[1]), 0);
	assert_int_equal(coord_engine_report_death(ND(2).e, C.h.now, v, 2, &a), 0);
	/* A second report before delivery, and after, joins the same event. */
	assert_int_equal(coord_engine_report_death(ND(2).e, C.h.now, NULL, 0, &b), 0);
	assert_true(coord_event_id_equal(&a, &b));
	settle();
	assert_int_equal(coord_engine_report_death(ND(2).e, C.h.now, NULL, 0, &b), 0);
	assert_true(coord_event_id_equal(&a, &b));
	assert_int_equal(ND(3).last_grace.n_vips, 2);
	assert_true(coord_vip_equal(&ND(3).last_grace.vips[1], &v[1]));
	coord_engine_grace_done(ND(1).e, C.h.now, &a, COORD_ACK_IN_GRACE, 1, "");
	settle();
	assert_int_equal(ev_on(2, &a)->state, COORD_EVENT_RELEASED);
	/* After it ended, a new report is a new event. */
	b = report(2);
	assert_false(coord_event_id_equal(&a, &b));
	assert_int_equal(b.seq, a.seq + 1);
}

static enum coord_target_why target_of(int i)
{
	struct coord_target t;

	coord_engine_target(ND(i).e, &t);
	return t.why;
}

/* Issue 13: a joiner is waited for (the origin re-runs the event), and a
 * survivor whose coordd dies while its node lives is not confirmed. */
static void test_joiner_reruns_and_procdown_survivor_waits(void **state)
{
	struct coord_event_id id, again;
	struct coord_member_id j;
	uint32_t four[] = { 1, 2, 3, 4 }, three[] = { 1, 2, 4 };
	uint64_t deadline;

	(void)state;
	cluster_up(4, COORD_POLICY_HOLD);
	ND(4).up = false;			/* node 4 joins later */
	{
		struct coord_member_id m4 = mid(4);
		uint8_t r = COORD_LEAVE_LEAVE;
		confchg(&m4, &r, 1, NULL, 0);
		settle();
	}
	coord_engine_quorum_view(ND(2).e, C.h.now, true, four, 4);
	ND(3).hold_grace = true;
	id = report(2);
	settle();
	deadline = ev_on(2, &id)->deadline_us;
	assert_int_equal(ND(2).releases, 0);
	advance(1000000);
	/* Node 4's coordd joins: not a target until it heard every HELLO. */
	ND(4).up = true;
	j = mid(4);
	coord_engine_free(ND(4).e);
	ND(4).e = engine_for(4, 204);
	confchg(NULL, NULL, 0, &j, 1);
	assert_int_equal(target_of(4), COORD_TARGET_SYNCING);
	settle();
	assert_int_equal(ev_on(2, &id)->state, COORD_EVENT_CANCELLED);
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_CANCELLED);
	again = ND(4).last_grace.event;
	assert_int_equal(again.origin, 2);
	assert_int_equal(again.seq, id.seq + 1);
	assert_int_equal(sv_on(2, &again, 4)->result, COORD_ACK_IN_GRACE);
	assert_true(ev_on(2, &again)->deadline_us > deadline);	/* fresh */
	assert_int_equal(ev_on(2, &again)->reruns, 1);
	assert_int_equal(target_of(4), COORD_TARGET_YES);
	assert_int_equal(target_of(3), COORD_TARGET_GRACE_PENDING);
	assert_int_equal(target_of(1), COORD_TARGET_YES);
	assert_int_equal(target_of(2), COORD_TARGET_SERVER_DOWN);
	/* Node 3's coordd dies, its node lives: the event still waits. */
	node_leaves(3, COORD_LEAVE_PROCDOWN);
	assert_int_equal(sv_on(2, &again, 3)->state, COORD_SURVIVOR_LEFT);
	assert_int_equal(sv_on(2, &again, 3)->leave_reason, COORD_LEAVE_PROCDOWN);
	assert_false(coord_survivor_settled(sv_on(2, &again, 3)));
	assert_int_equal(ND(2).releases, 0);
	/* Its node leaves the cluster too: now it can take no VIP. */
	coord_engine_quorum_view(ND(2).e, C.h.now, true, three, 3);
	settle();
	assert_int_equal(ND(2).releases, 1);
	assert_int_equal(ev_on(2, &again)->release_outcome, COORD_RELEASE_CONFIRMED);
}

/* ---- handovers: a VIP leaves a live server (issue 19) ---- */

static struct coord_event_id hand_over(int i, int n_vips)
{
	struct coord_event_id id;
	struct coord_vip v[2];

	vip_of(i, &v[0]);
	vip_of(i + 10, &v[1]);
	assert_int_equal(coord_engine_give_up(ND(i).e, C.h.now, v,
						      (size_t)n_vips, &id), 0);
	return id;
}

/* Every other member enters grace with the origin's records loaded
 * ("4:origin": no VIP to load), the origin does not; only then does the
 * origin drop the VIPs' state (DROP, never the release command), and
 * nobody's server is taken for dead. */
static void test_handover_drops_after_every_grace(void **state)
{
	struct coord_event_id id, none;
	struct coord_vip v2;
	int i;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	assert_int_equal(coord_engine_give_up(ND(2).e, C.h.now, NULL, 0, &none),
			 -EINVAL);
	ND(3).hold_grace = true;
	id = hand_over(2, 2);
	settle();
	for (i = 1; i <= 3; i += 2) {
		assert_int_equal(ND(i).graces, 1);
		assert_int_equal(ND(i).last_grace.n_vips, 0);
		assert_int_equal(ND(i).last_grace.load_node, 2);
		assert_int_equal(ev_on(i, &id)->reason, COORD_DEATH_HANDOVER);
	}
	assert_int_equal(ND(2).graces, 0);
	assert_int_equal(ND(2).drops, 0);		/* node 3 not in grace yet */
	assert_int_equal(target_of(3), COORD_TARGET_GRACE_PENDING);
	coord_engine_grace_done(ND(3).e, C.h.now, &id, COORD_ACK_IN_GRACE, 5, "ok");
	settle();
	assert_int_equal(ND(2).drops, 1);
	assert_int_equal(ND(2).releases, 0);
	assert_int_equal(ND(2).last_drop.n_vips, 2);
	vip_of(2, &v2);
	assert_true(coord_vip_equal(&ND(2).last_drop.vips[0], &v2));
	for (i = 1; i <= 3; i++) {
		assert_int_equal(ev_on(i, &id)->state, COORD_EVENT_RELEASED);
		assert_int_equal(ev_on(i, &id)->release_outcome, COORD_RELEASE_CONFIRMED);
		assert_int_equal(target_of(i), COORD_TARGET_YES);
		assert_false(coord_engine_member(ND(i).e, 1)->server_down);
	}
	assert_int_equal(ND(1).drops + ND(3).drops, 0);
}

/* A handover is not a death: a death report starts its own event, and
 * two handovers on their way are two events. */
static void test_handover_and_death_are_separate(void **state)
{
	struct coord_event_id h1, h2, d;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	ND(1).hold_grace = true;
	h1 = hand_over(2, 1);
	h2 = hand_over(2, 1);
	assert_false(coord_event_id_equal(&h1, &h2));
	d = report(2);
	assert_false(coord_event_id_equal(&d, &h1) || coord_event_id_equal(&d, &h2));
	settle();
	assert_int_equal(ev_on(3, &h1)->reason, COORD_DEATH_HANDOVER);
	assert_int_equal(ev_on(3, &d)->reason, COORD_DEATH_REPORTED);
	assert_int_equal(coord_engine_pending_count(ND(3).e), 3);
}

/* The barrier's rules hold for a handover: a member whose coordd leaves
 * while its node lives is not confirmed (policy hold: no drop), and a
 * joiner makes the origin run the handover again, its server running. */
static void test_handover_waits_for_live_leaver_and_reruns_for_joiner(void **state)
{
	struct coord_event_id id, again;
	uint32_t all[] = { 1, 2, 3 };

	(void)state;
	cluster_up(3, COORD_POLICY_HOLD);
	coord_engine_quorum_view(ND(2).e, C.h.now, true, all, 3);
	ND(3).hold_grace = true;
	id = hand_over(2, 1);
	settle();
	node_leaves(3, COORD_LEAVE_PROCDOWN);
	assert_int_equal(sv_on(2, &id, 3)->state, COORD_SURVIVOR_LEFT);
	advance(DEADLINE_US);
	assert_int_equal(ev_on(2, &id)->state, COORD_EVENT_HELD);
	assert_int_equal(ND(2).drops, 0);
	/* Node 3's coordd is back: the handover is run again for it. */
	ND(3).hold_grace = false;
	coordd_rejoins(3, 303);
	assert_int_equal(ev_on(2, &id)->state, COORD_EVENT_CANCELLED);
	again = ev_on(2, &id)->rerun_as;
	assert_int_equal(again.seq, id.seq + 1);
	assert_int_equal(ev_on(2, &again)->reason, COORD_DEATH_HANDOVER);
	assert_int_equal(ev_on(2, &again)->state, COORD_EVENT_RELEASED);
	assert_int_equal(ND(2).drops, 1);
	assert_int_equal(ND(2).last_drop.event.seq, again.seq);
	assert_int_equal(target_of(2), COORD_TARGET_YES);
}

/* A handover whose origin's coordd leaves before its end is abandoned on
 * every other node, as a death is: nobody else may drop the origin's
 * state, and no RELEASE will come (the simulator, seed 1: the origin's
 * coordd was killed with its RELEASE unsent, and the survivors' records
 * waited for ever). */
static void test_handover_abandoned_when_origin_leaves(void **state)
{
	static const uint8_t reasons[] = { COORD_LEAVE_PROCDOWN, COORD_LEAVE_LEAVE,
					   COORD_LEAVE_NODEDOWN };
	struct coord_event_id id;
	size_t r;

	(void)state;
	for (r = 0; r < sizeof(reasons); r++) {
		cluster_up(3, COORD_POLICY_HOLD);
		ND(3).hold_grace = true;
		id = hand_over(2, 1);
		settle();
		assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_WAITING);
		node_leaves(2, reasons[r]);
		assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_ABANDONED);
		assert_int_equal(ev_on(3, &id)->state, COORD_EVENT_ABANDONED);
		assert_int_equal(ND(2).drops, 0);
		teardown(NULL);
	}
}

/* The gate's stop on a node whose server is reported dead: the dead
 * server holds no state and its death's barrier put the others in grace,
 * so the engine starts no handover (no DEATH, no grace asked anywhere). */
static void test_give_up_with_server_reported_dead_hands_nothing_over(void **state)
{
	struct coord_event_id none = { 0 };
	struct coord_vip v;
	int graces;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	report(2);
	settle();
	graces = ND(1).graces + ND(3).graces;
	assert_int_equal(coord_engine_event_count(ND(1).e), 1);
	vip_of(2, &v);
	assert_int_equal(coord_engine_give_up(ND(2).e, C.h.now, &v, 1, &none),
			 COORD_GIVE_UP_NOTHING_HELD);
	settle();
	assert_int_equal(none.seq, 0);
	assert_int_equal(ND(1).graces + ND(3).graces, graces);
	assert_int_equal(ND(2).drops, 0);
	assert_int_equal(coord_engine_event_count(ND(1).e), 1);
	assert_int_equal(coord_engine_event_count(ND(2).e), 1);
	/* Its server back up: a give-up hands over again. */
	coord_engine_report_up(ND(2).e, C.h.now);
	settle();
	hand_over(2, 1);
	settle();
	assert_int_equal(ND(2).drops, 1);
}

/* A give-up that failed (held, or its client gone) withdraws its
 * handover: a late confirmation must not drop the state of a VIP that
 * may start here again.  Only a pending handover of this node is. */
static void test_give_up_failed_withdraws_the_handover(void **state)
{
	struct coord_event_id id, death, unknown = { .origin = 2, .incarnation = 102,
						     .seq = 99 };
	int i;

	(void)state;
	cluster_up(3, COORD_POLICY_HOLD);
	ND(3).hold_grace = true;
	id = hand_over(2, 1);
	settle();
	advance(DEADLINE_US);
	assert_int_equal(ev_on(2, &id)->state, COORD_EVENT_HELD);
	assert_int_equal(coord_engine_give_up_failed(ND(1).e, C.h.now, &id), -EPERM);
	assert_int_equal(coord_engine_give_up_failed(ND(2).e, C.h.now, &unknown), -ENOENT);
	assert_int_equal(coord_engine_give_up_failed(ND(2).e, C.h.now, &id), 0);
	settle();
	for (i = 1; i <= 3; i++)
		assert_int_equal(ev_on(i, &id)->state, COORD_EVENT_CANCELLED);
	coord_engine_grace_done(ND(3).e, C.h.now, &id, COORD_ACK_IN_GRACE, 5, "late");
	settle();
	assert_int_equal(ND(2).drops, 0);
	assert_int_equal(coord_engine_give_up_failed(ND(2).e, C.h.now, &id), -EBUSY);
	/* A death is not withdrawn by a failed give-up. */
	death = report(2);
	settle();
	assert_int_equal(coord_engine_give_up_failed(ND(2).e, C.h.now, &death), -EPERM);
	settle();
	assert_int_equal(ev_on(2, &death)->state, COORD_EVENT_WAITING);
}

/* A give-up whose drop runs is not withdrawn: the state may be going. */
static void test_give_up_failed_leaves_a_running_drop(void **state)
{
	struct coord_event_id id;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	ND(2).hold_release = true;
	id = hand_over(2, 1);
	settle();
	assert_int_equal(ev_on(2, &id)->state, COORD_EVENT_RELEASING);
	assert_int_equal(coord_engine_give_up_failed(ND(2).e, C.h.now, &id), -EBUSY);
	settle();
	assert_int_equal(ev_on(2, &id)->state, COORD_EVENT_RELEASING);
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_WAITING);
}

/* What the local server did with a DROP is the handover's release: a
 * server that is not running holds no state, so the handover succeeds; one
 * that could not drop is retried.  A death's release is no drop. */
static void test_drop_result_decides_the_handover(void **state)
{
	struct coord_event_id id, death;
	int i;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	ND(2).hold_release = true;
	id = hand_over(2, 1);
	settle();
	assert_int_equal(ND(2).drops, 1);
	coord_engine_drop_done(ND(2).e, C.h.now, &id, COORD_DROP_NO_SERVER);
	settle();
	for (i = 1; i <= 3; i++) {
		assert_int_equal(ev_on(i, &id)->state, COORD_EVENT_RELEASED);
		assert_int_equal(ev_on(i, &id)->release_status, 0);
	}
	id = hand_over(2, 1);
	settle();
	coord_engine_drop_done(ND(2).e, C.h.now, &id, COORD_DROP_FAILED);
	settle();
	assert_int_equal(ev_on(2, &id)->state, COORD_EVENT_RETRY_WAIT);
	assert_int_equal(ev_on(2, &id)->release_status, 1);
	advance(1000000);
	assert_int_equal(ND(2).drops, 3);
	coord_engine_drop_done(ND(2).e, C.h.now, &id, COORD_DROP_DONE);
	settle();
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_RELEASED);
	death = report(2);
	settle();
	assert_int_equal(ev_on(2, &death)->state, COORD_EVENT_RELEASING);
	coord_engine_drop_done(ND(2).e, C.h.now, &death, COORD_DROP_DONE);
	settle();
	assert_int_equal(ev_on(2, &death)->state, COORD_EVENT_RELEASING);
}

/* The gate's start: a TAKE_OVER action for the control request, with
 * every other node whose records the server loads (group members and the
 * quorum view); no message.  Not in the group: no VIP may come here. */
static void test_take_over_asks_grace_with_every_other_node(void **state)
{
	static const uint32_t view[] = { 1, 2, 3, 4 };
	struct coord_engine *alone;
	struct coord_vip v;
	uint32_t seen = 0;
	int k;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	coord_engine_quorum_view(ND(1).e, C.h.now, true, view, 4);
	vip_of(1, &v);
	assert_int_equal(coord_engine_take_over(ND(1).e, C.h.now, 7, &v, 1), 0);
	settle();
	assert_int_equal(ND(1).take_overs, 1);
	assert_int_equal(ND(1).last_take_over.request, 7);
	assert_int_equal(ND(1).last_take_over.n_vips, 1);
	assert_true(coord_vip_equal(&ND(1).last_take_over.vips[0], &v));
	assert_int_equal(ND(1).last_take_over.n_nodes, 3);
	for (k = 0; k < 3; k++)
		seen |= 1u << ND(1).last_take_over.nodes[k];
	assert_int_equal(seen, (1u << 2) | (1u << 3) | (1u << 4));
	assert_int_equal(ND(2).graces + ND(3).graces, 0);
	assert_int_equal(coord_engine_event_count(ND(2).e), 0);
	alone = engine_for(5, 505);
	assert_int_equal(coord_engine_take_over(alone, C.h.now, 8, &v, 1), -ENOTCONN);
	coord_engine_free(alone);
}

/* A VIP handed over comes back only once the server that dropped its
 * clients has reaped them: until then that server's reaper would delete
 * the recovery record of a client back here (soak seed 2718, moves 36 and
 * 40: four locks lost when node 3 died later).  Other VIPs come at once;
 * a server that died since holds no stale client. */
static void test_take_over_waits_for_dropped_clients_reaped(void **state)
{
	struct coord_event_id id;
	struct coord_vip v, other;
	uint64_t dropped;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	id = hand_over(2, 1);
	settle();
	assert_int_equal(ND(2).drops, 1);
	assert_int_equal(ev_on(2, &id)->state, COORD_EVENT_RELEASED);
	dropped = C.h.now;
	vip_of(2, &v);
	vip_of(3, &other);
	assert_int_equal(coord_engine_take_over(ND(2).e, C.h.now, 7, &v, 1), 0);
	assert_int_equal(coord_engine_take_over(ND(2).e, C.h.now, 8, &other, 1), 0);
	settle();
	assert_int_equal(ND(2).take_overs, 1);		/* the other VIP's */
	assert_int_equal(ND(2).last_take_over.request, 8);
	assert_true(coord_engine_next_timer(ND(2).e) <= dropped + REAP_US);
	advance(REAP_US - 1000000);
	assert_int_equal(ND(2).take_overs, 1);
	advance(2000000);
	assert_int_equal(ND(2).take_overs, 2);
	assert_int_equal(ND(2).last_take_over.request, 7);
	assert_true(coord_vip_equal(&ND(2).last_take_over.vips[0], &v));
	/* Handed over again, then its server dies: nothing left to reap. */
	id = hand_over(2, 1);
	settle();
	assert_int_equal(coord_engine_take_over(ND(2).e, C.h.now, 9, &v, 1), 0);
	settle();
	assert_int_equal(ND(2).take_overs, 2);
	report(2);
	advance(1000);
	assert_int_equal(ND(2).take_overs, 3);
	assert_int_equal(ND(2).last_take_over.request, 9);
}

/* The nodes a take-over loads the records of: every other node the engine
 * knows of, group members and the quorum view alike, each once, never
 * itself, at most max; a node that left the group but is still in the
 * quorum view (its coordd gone, its corosync up) stays. */
static void test_other_nodes_members_and_quorum_view(void **state)
{
	static const uint32_t view4[] = { 1, 2, 3, 4 }, view13[] = { 1, 3 };
	uint32_t out[COORD_MAX_NODES_LOADED];
	size_t n;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	n = coord_engine_other_nodes(ND(1).e, out, COORD_MAX_NODES_LOADED);
	assert_int_equal(n, 2);
	assert_true((out[0] == 2 && out[1] == 3) || (out[0] == 3 && out[1] == 2));
	coord_engine_quorum_view(ND(1).e, C.h.now, true, view4, 4);
	assert_true(coord_engine_quorate(ND(1).e));
	/* A second process on node 3: node 3 is still one node. */
	C.h.node[C.n].up = true;
	confchg(NULL, NULL, 0, &C.h.node[C.n].id, 1);
	settle();
	n = coord_engine_other_nodes(ND(1).e, out, COORD_MAX_NODES_LOADED);
	assert_int_equal(n, 3);
	assert_int_equal((1u << out[0]) | (1u << out[1]) | (1u << out[2]),
			 (1u << 2) | (1u << 3) | (1u << 4));
	assert_int_equal(coord_engine_other_nodes(ND(1).e, out, 1), 1);
	assert_int_not_equal(out[0], 1);
	/* Node 2's coordd killed: in the quorum view still, so loaded. */
	node_leaves(2, COORD_LEAVE_PROCDOWN);
	n = coord_engine_other_nodes(ND(1).e, out, COORD_MAX_NODES_LOADED);
	assert_int_equal(n, 3);
	/* Node 2 and 4 gone from the quorum view too (inquorate: 2 of 4). */
	coord_engine_quorum_view(ND(1).e, C.h.now, false, view13, 2);
	assert_false(coord_engine_quorate(ND(1).e));
	n = coord_engine_other_nodes(ND(1).e, out, COORD_MAX_NODES_LOADED);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], 3);
}

/* coordd learns its node id from corosync only when corosync runs:
 * until then the engine knows none, and sends nothing in its name. */
static void test_set_nodeid_names_the_sender(void **state)
{
	struct coord_engine_config cfg = {
		.incarnation = 77,
		.deadline_us = DEADLINE_US,
		.policy = COORD_POLICY_RELEASE,
		.release_max_attempts = 1,
	};
	struct coord_member_id self = { 5, 555 };
	struct coord_action a;
	struct coord_engine *e;
	bool hello = false;

	(void)state;
	e = coord_engine_new(&cfg);
	assert_non_null(e);
	coord_engine_set_self(e, self.pid);
	coord_engine_set_nodeid(e, 5);
	coord_engine_confchg(e, 1000, &self, 1, NULL, NULL, 0, &self, 1);
	assert_true(coord_engine_joined(e));
	assert_int_equal(coord_engine_incarnation(e), 77);
	while (coord_engine_next_action(e, &a))
		if (a.kind == COORD_ACTION_SEND && a.msg.type == COORD_MSG_HELLO) {
			hello = true;
			assert_int_equal(a.msg.sender, 5);
			assert_int_equal(a.msg.incarnation, 77);
		}
	assert_true(hello);
	coord_engine_free(e);
}

/* A member that joins while a drop runs is not waited for (the attempt is
 * under way), but when that attempt fails the next one would drop with the
 * joiner out of grace, a second later or more: the origin re-runs the
 * handover for it instead of retrying (the simulator, seed 2315: a
 * coordd that joined again during the first attempt was a member, out of
 * grace, when the retry dropped the state). */
static void test_failed_drop_reruns_for_member_joined_meanwhile(void **state)
{
	struct coord_event_id id, again;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	node_leaves(3, COORD_LEAVE_LEAVE);
	ND(1).hold_release = true;
	id = hand_over(1, 1);
	settle();
	assert_int_equal(ND(1).drops, 1);
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_RELEASING);
	/* Node 3's coordd joins while the drop runs: not re-run yet. */
	coordd_rejoins(3, 303);
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_RELEASING);
	/* The drop fails: the handover runs again, waiting for node 3 too. */
	ND(1).hold_release = false;
	coord_engine_drop_done(ND(1).e, C.h.now, &id, COORD_DROP_FAILED);
	settle();
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_CANCELLED);
	again = ev_on(1, &id)->rerun_as;
	assert_int_equal(again.seq, id.seq + 1);
	assert_int_equal(ev_on(1, &again)->reason, COORD_DEATH_HANDOVER);
	assert_non_null(sv_on(1, &again, 3));
	assert_int_equal(ND(3).last_grace.event.seq, again.seq);
	assert_int_equal(ND(1).drops, 2);
	assert_int_equal(ND(1).last_drop.event.seq, again.seq);
	assert_int_equal(ev_on(3, &again)->state, COORD_EVENT_RELEASED);
	advance(10000000);
	assert_int_equal(ND(1).drops, 2);
}

/* A failed drop is retried like a release, and the record says so. */
static void test_handover_drop_failure_retries(void **state)
{
	struct coord_event_id id;

	(void)state;
	cluster_up(2, COORD_POLICY_RELEASE);
	ND(1).release_status = 1;
	id = hand_over(1, 1);
	settle();
	assert_int_equal(ND(1).drops, 1);
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_RETRY_WAIT);
	advance(1000000);
	assert_int_equal(ND(1).drops, 2);
	advance(2000000);
	assert_int_equal(ND(1).drops, 3);
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_RELEASE_FAILED);
	assert_int_equal(ev_on(2, &id)->state, COORD_EVENT_RELEASE_FAILED);
}

/* Node-left events are derived by every node: one sent is refused. */
static void test_node_left_reason_refused_from_the_wire(void **state)
{
	struct coord_msg m = msg_from(2, COORD_MSG_DEATH);

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	m.u.death.id.origin = 2;
	m.u.death.id.incarnation = 102;
	m.u.death.id.seq = 1;
	m.u.death.reason = COORD_DEATH_NODE_LEFT;
	assert_int_equal(coord_engine_deliver(ND(1).e, C.h.now, mid(2), &m), COORD_REJECTED_ORIGIN);
	m.u.death.reason = COORD_DEATH_HANDOVER;	/* a handover names its VIPs */
	assert_int_equal(coord_engine_deliver(ND(1).e, C.h.now, mid(2), &m), COORD_REJECTED_ORIGIN);
	assert_int_equal(coord_engine_event_count(ND(1).e), 0);
	assert_int_equal(ND(1).graces, 0);
}

static void test_target_vouch(void **state)
{
	struct coord_event_id id;

	(void)state;
	cluster_up(3, COORD_POLICY_HOLD);
	assert_int_equal(target_of(2), COORD_TARGET_YES);
	ND(3).hold_grace = true;
	id = report(1);
	settle();
	assert_int_equal(target_of(1), COORD_TARGET_SERVER_DOWN);
	assert_int_equal(target_of(2), COORD_TARGET_YES);
	assert_int_equal(target_of(3), COORD_TARGET_GRACE_PENDING);
	coord_engine_grace_done(ND(3).e, C.h.now, &id, COORD_ACK_GRACE_FAILED, 1, "no");
	settle();
	/* Answered, but not in grace: still no target. */
	assert_int_equal(target_of(3), COORD_TARGET_GRACE_PENDING);
	advance(DEADLINE_US);
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_HELD);
	assert_int_equal(target_of(3), COORD_TARGET_GRACE_PENDING);
	assert_int_equal(coord_engine_cancel(ND(1).e, C.h.now, &id), 0);
	settle();
	assert_true(coord_event_ended(ev_on(3, &id)));
	assert_int_equal(target_of(3), COORD_TARGET_YES);
	coord_engine_quorum(ND(3).e, C.h.now, false);
	assert_int_equal(target_of(3), COORD_TARGET_INQUORATE);
	{
		struct coord_engine *lone = engine_for(5, 105);
		struct coord_target t;

		coord_engine_target(lone, &t);
		assert_int_equal(t.why, COORD_TARGET_NOT_JOINED);
		coord_engine_free(lone);
	}
}

/* A member speaking another major version is settled at once, unconfirmed. */
static void test_incompatible_member_settles_unconfirmed(void **state)
{
	struct coord_event_id id;
	int i;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	ND(3).hold_grace = true;
	id = report(1);
	settle();
	assert_int_equal(ND(1).releases, 0);
	for (i = 1; i <= 3; i++)
		coord_engine_member_incompatible(ND(i).e, C.h.now, mid(3), 0x0203);
	settle();
	assert_int_equal(ND(1).releases, 1);
	for (i = 1; i <= 3; i++) {
		assert_int_equal(sv_on(i, &id, 3)->state, COORD_SURVIVOR_INCOMPATIBLE);
		assert_string_equal(sv_on(i, &id, 3)->detail, "protocol 2.3");
		assert_int_equal(ev_on(i, &id)->release_outcome, COORD_RELEASE_UNCONFIRMED);
	}
	/* A new event starts it settled, never confirmed. */
	id = report(2);
	settle();
	assert_int_equal(sv_on(1, &id, 3)->state, COORD_SURVIVOR_INCOMPATIBLE);
	assert_string_equal(sv_on(1, &id, 3)->detail, "protocol 2.3");
	assert_int_equal(ev_on(2, &id)->release_outcome, COORD_RELEASE_UNCONFIRMED);
}

static void test_origin_leaving_abandons_and_node_left_grace(void **state)
{
	struct coord_event_id id, nl;
	struct coord_vip v2;
	const struct coord_event *ev;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	ND(1).hold_grace = true;
	ND(3).hold_grace = true;
	id = report(2);
	settle();
	ND(1).hold_grace = false;
	ND(3).hold_grace = false;
	node_leaves(2, COORD_LEAVE_NODEDOWN);
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_ABANDONED);
	assert_int_equal(ev_on(3, &id)->state, COORD_EVENT_ABANDONED);
	/* Every survivor entered grace for node 2's announced VIP. */
	nl.origin = 2;
	nl.incarnation = 102;
	nl.seq = 0;
	vip_of(2, &v2);
	assert_int_equal(ND(1).graces, 2);
	assert_true(coord_event_id_equal(&ND(1).last_grace.event, &nl));
	assert_true(coord_vip_equal(&ND(3).last_grace.vips[0], &v2));
	ev = ev_on(1, &nl);
	assert_non_null(ev);
	assert_int_equal(ev->reason, COORD_DEATH_NODE_LEFT);
	assert_int_equal(ev->state, COORD_EVENT_DONE);
	assert_int_equal(ND(1).releases + ND(3).releases, 0);
}

static void test_clean_leave_makes_no_node_left_event(void **state)
{
	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	node_leaves(3, COORD_LEAVE_LEAVE);
	assert_int_equal(coord_engine_event_count(ND(1).e), 0);
	assert_int_equal(ND(1).graces, 0);
}

static void run_concurrent(enum coord_policy policy)
{
	struct coord_event_id a, b;
	int i;

	cluster_up(5, policy);
	a = report(2);
	b = report(4);
	settle();
	assert_int_equal(ND(2).releases, 1);
	assert_int_equal(ND(4).releases, 1);
	for (i = 1; i <= 5; i++) {
		assert_int_equal(ev_on(i, &a)->state, COORD_EVENT_RELEASED);
		assert_int_equal(ev_on(i, &b)->state, COORD_EVENT_RELEASED);
	}
	/* Node 4 is dead itself: it does not hold node 2's barrier. */
	assert_true(sv_on(2, &a, 4)->state == COORD_SURVIVOR_DOWN ||
		    sv_on(2, &a, 4)->result == COORD_ACK_SELF_DOWN);
	assert_int_equal(ND(2).graces + ND(4).graces, 0);
}

static void test_concurrent_deaths_release(void **state)
{
	(void)state;
	run_concurrent(COORD_POLICY_RELEASE);
}

static void test_concurrent_deaths_hold(void **state)
{
	(void)state;
	run_concurrent(COORD_POLICY_HOLD);
}

static void test_deadline_release_policy(void **state)
{
	struct coord_event_id id;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	ND(3).hold_grace = true;
	id = report(2);
	settle();
	assert_int_equal(ND(2).releases, 0);
	assert_int_equal(coord_engine_next_timer(ND(2).e), ev_on(2, &id)->deadline_us);
	advance(DEADLINE_US - 1);
	assert_int_equal(ND(2).releases, 0);
	advance(1);
	assert_int_equal(ND(2).releases, 1);
	assert_int_equal(ev_on(2, &id)->release_outcome, COORD_RELEASE_UNCONFIRMED);
	assert_true(ev_on(2, &id)->overdue);
	assert_int_equal(sv_on(2, &id, 3)->state, COORD_SURVIVOR_WAITING);
	/* The late answer is recorded and changes nothing. */
	coord_engine_grace_done(ND(3).e, C.h.now, &id, COORD_ACK_IN_GRACE, 1, "");
	settle();
	assert_int_equal(sv_on(2, &id, 3)->state, COORD_SURVIVOR_ANSWERED);
	assert_true(sv_on(2, &id, 3)->late);
	assert_int_equal(ND(2).releases, 1);
}

/* Who has not confirmed, and why, as status shows it: only the
 * unconfirmed, in survivor order; cut short, still a string. */
static void test_event_unconfirmed_names_who_and_why(void **state)
{
	struct coord_event_id id;
	char buf[64], small[6];
	size_t n;

	(void)state;
	cluster_up(4, COORD_POLICY_HOLD);
	ND(3).hold_grace = true;
	ND(4).grace_result = COORD_ACK_GRACE_FAILED;
	id = report(1);
	settle();
	n = coord_event_unconfirmed(ev_on(1, &id), buf, sizeof(buf));
	assert_string_equal(buf, "3 (no answer), 4 (grace-failed)");
	assert_int_equal(n, strlen(buf));
	coord_event_unconfirmed(ev_on(1, &id), small, sizeof(small));
	assert_string_equal(small, "3 (no");
	coord_engine_grace_done(ND(3).e, C.h.now, &id, COORD_ACK_IN_GRACE, 1, "");
	settle();
	coord_event_unconfirmed(ev_on(1, &id), buf, sizeof(buf));
	assert_string_equal(buf, "4 (grace-failed)");
}

static void test_deadline_hold_policy_then_late_confirm(void **state)
{
	struct coord_event_id id;

	(void)state;
	cluster_up(3, COORD_POLICY_HOLD);
	ND(3).hold_grace = true;
	id = report(2);
	settle();
	advance(DEADLINE_US);
	assert_int_equal(ND(2).releases, 0);
	assert_int_equal(ev_on(2, &id)->state, COORD_EVENT_HELD);
	coord_engine_grace_done(ND(3).e, C.h.now, &id, COORD_ACK_IN_GRACE, 1, "");
	settle();
	assert_int_equal(ND(2).releases, 1);
	assert_int_equal(ev_on(2, &id)->release_outcome, COORD_RELEASE_CONFIRMED);
	advance(DEADLINE_US);
	assert_int_equal(ND(2).releases, 1);
}

/* A survivor's node leaves and comes back (a healed partition, a reboot)
 * while the origin waits for quorum: it never entered grace for the event,
 * so the origin withdraws the event and reports the death again; the new
 * event waits for it.  Quorum that returns before the group's membership
 * does (corosync tells of a merge on its quorum service first) does not
 * release in between, whatever the reason the survivor left with. */
static void test_rerun_when_survivor_back(void **state)
{
	struct coord_event_id id;
	const struct coord_event *old, *now2;
	struct coord_member_id j;
	uint32_t two[] = { 1, 2 }, three[] = { 1, 2, 3 };

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	ND(3).hold_grace = true;
	id = report(1);
	settle();
	/* Node 3's coordd dies, then its node drops out of the cluster. */
	coord_engine_quorum_view(ND(1).e, C.h.now, false, three, 3);
	node_leaves(3, COORD_LEAVE_PROCDOWN);
	coord_engine_quorum_view(ND(1).e, C.h.now, false, two, 2);
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_QUORUM_WAIT);
	/* Node 3 reboots: a new coordd; the quorum service sees it first. */
	coord_engine_free(ND(3).e);
	ND(3).id.pid = 2003;
	ND(3).e = engine_for(3, 203);
	coord_engine_set_self(ND(3).e, 2003);
	ND(3).hold_grace = false;
	ND(3).graces = 0;
	coord_engine_quorum_view(ND(1).e, C.h.now, true, three, 3);
	settle();
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_JOIN_WAIT);
	assert_int_equal(ND(1).releases, 0);
	/* Its coordd joins the group. */
	ND(3).up = true;
	j = mid(3);
	confchg(NULL, NULL, 0, &j, 1);
	settle();
	old = ev_on(1, &id);
	assert_int_equal(old->state, COORD_EVENT_CANCELLED);
	assert_int_equal(ev_on(2, &id)->state, COORD_EVENT_CANCELLED);
	assert_int_equal(ND(1).releases, 1);
	assert_int_equal(ND(1).last_release.event.seq, id.seq + 1);
	now2 = ev_on(1, &ND(1).last_release.event);
	assert_non_null(now2);
	assert_int_equal(now2->state, COORD_EVENT_RELEASED);
	assert_int_equal(now2->release_outcome, COORD_RELEASE_CONFIRMED);
	assert_int_equal(sv_on(1, &now2->id, 3)->result, COORD_ACK_IN_GRACE);
	assert_int_equal(ND(3).graces, 1);
	assert_true(coord_event_id_equal(&ND(3).last_grace.event, &now2->id));
	assert_int_equal(coord_engine_counters(ND(2).e)->count[COORD_DUPLICATE], 0);
}

static void test_hold_cancel(void **state)
{
	struct coord_event_id id;
	int i;

	(void)state;
	cluster_up(3, COORD_POLICY_HOLD);
	ND(3).hold_grace = true;
	id = report(2);
	settle();
	advance(DEADLINE_US);
	assert_int_equal(coord_engine_cancel(ND(2).e, C.h.now, &id), 0);
	settle();
	for (i = 1; i <= 3; i++)
		assert_int_equal(ev_on(i, &id)->state, COORD_EVENT_CANCELLED);
	assert_int_equal(ND(2).releases, 0);
	assert_int_equal(coord_engine_cancel(ND(2).e, C.h.now, &id), -EBUSY);
}

/* The administrator cancels while the last confirmation is ahead of the
 * CANCEL in agreed order: the origin decided when it sent the CANCEL, so
 * it starts no release and every node records the event cancelled. */
static void test_cancel_races_confirmation(void **state)
{
	struct coord_msg ack = msg_from(3, COORD_MSG_ACK);
	struct coord_event_id id;
	int i;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	ND(3).hold_grace = true;
	id = report(1);
	settle();
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_WAITING);
	assert_int_equal(coord_engine_cancel(ND(1).e, C.h.now, &id), 0);
	/* Node 3's confirmation is delivered before node 1's CANCEL. */
	ack.u.ack.id = id;
	ack.u.ack.result = COORD_ACK_IN_GRACE;
	for (i = 1; i <= 3; i++)
		assert_int_equal(coord_engine_deliver(ND(i).e, C.h.now, mid(3), &ack), COORD_ACCEPTED);
	settle();
	assert_int_equal(ND(1).releases, 0);
	for (i = 1; i <= 3; i++)
		assert_int_equal(ev_on(i, &id)->state, COORD_EVENT_CANCELLED);
}

/* A survivor settled `down` stays down: the failing answer of its grace
 * call, delivered later, does not un-confirm it. */
static void test_down_survivor_stays_confirmed(void **state)
{
	struct coord_event_id id, own;
	int i;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	ND(3).hold_grace = true;
	coord_engine_quorum(ND(1).e, C.h.now, false);
	id = report(1);
	settle();
	own = report(3);		/* node 3's own server dies */
	settle();
	assert_int_equal(sv_on(1, &id, 3)->state, COORD_SURVIVOR_DOWN);
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_QUORUM_WAIT);
	/* The grace call it asked before its server died fails late. */
	coord_engine_grace_done(ND(3).e, C.h.now, &id, COORD_ACK_TIMEOUT, 5000000, "");
	settle();
	for (i = 1; i <= 3; i++)
		assert_int_equal(sv_on(i, &id, 3)->state, COORD_SURVIVOR_DOWN);
	coord_engine_quorum(ND(1).e, C.h.now, true);
	settle();
	assert_int_equal(ND(1).releases, 1);
	assert_true(coord_event_id_equal(&ND(1).last_release.event, &id));
	assert_int_equal(ev_on(1, &id)->release_outcome, COORD_RELEASE_CONFIRMED);
	assert_int_equal(ev_on(2, &id)->release_outcome, COORD_RELEASE_CONFIRMED);
	(void)own;
}

/* corosync is lost while the release runs and the command fails: no
 * retry starts outside the group; the origin records the event abandoned,
 * as the others do. */
static void test_no_retry_after_disconnect(void **state)
{
	struct coord_event_id id;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	ND(1).hold_release = true;
	id = report(1);
	settle();
	assert_int_equal(ND(1).releases, 1);
	coord_engine_disconnected(ND(1).e, C.h.now, 999);
	ND(1).up = false;
	coord_engine_release_done(ND(1).e, C.h.now, &id, 1);
	node_leaves(1, COORD_LEAVE_PROCDOWN);
	C.h.now += 60000000;
	coord_engine_tick(ND(1).e, C.h.now);
	{
		struct coord_action a;
		while (coord_engine_next_action(ND(1).e, &a))
			assert_int_not_equal(a.kind, COORD_ACTION_RELEASE);
	}
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_ABANDONED);
	assert_int_equal(ev_on(2, &id)->state, COORD_EVENT_ABANDONED);
}

/* The same, when coordd has joined again (a new incarnation) before the
 * command fails: the old incarnation's event is not retried, nor re-run
 * for the members it finds on joining. */
static void test_no_retry_after_reconnect(void **state)
{
	struct coord_event_id id;
	struct coord_member_id j;
	struct coord_action a;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	ND(1).hold_release = true;
	id = report(1);
	settle();
	assert_int_equal(ND(1).releases, 1);
	coord_engine_disconnected(ND(1).e, C.h.now, 999);
	ND(1).up = false;
	node_leaves(1, COORD_LEAVE_PROCDOWN);
	j = mid(1);
	ND(1).up = true;
	confchg(NULL, NULL, 0, &j, 1);
	settle();
	coord_engine_release_done(ND(1).e, C.h.now, &id, 1);
	C.h.now += 60000000;
	coord_engine_tick(ND(1).e, C.h.now);
	while (coord_engine_next_action(ND(1).e, &a))
		assert_int_not_equal(a.kind, COORD_ACTION_RELEASE);
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_ABANDONED);
	assert_int_equal(ND(1).releases, 1);
}

/* A minority origin waits for quorum; the partition heals and corosync's
 * quorum service tells of it before CPG: the nodes it brings, targets on
 * their side, are not in grace for the event.  The origin waits for their
 * coordds to join, then re-runs the event for them. */
/* A node that went down and came back to corosync while its coordd stays
 * away (killed, or lost its connection, during the partition): once a
 * quorum view without it was told, a view listing it again is a merge,
 * not old information.  The release waits the restart wait for its coordd,
 * then goes ahead; it used to wait for ever, the node taken for one that
 * corosync's quorum service had not yet seen go (the simulator, faults
 * that stay, seed 43: every release stopped until that coordd came back). */
static void test_nodedown_back_in_view_without_coordd(void **state)
{
	const uint32_t v12[] = { 1, 2 }, v123[] = { 1, 2, 3 };
	struct coord_event_id id;
	int i;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	advance(COORD_RESTART_WAIT_S * 1000000ull);	/* joined long ago */
	node_leaves(3, COORD_LEAVE_NODEDOWN);	/* the partition */
	for (i = 1; i <= 2; i++)
		coord_engine_quorum_view(ND(i).e, C.h.now, true, v12, 2);
	/* It heals, node 3's coordd gone meanwhile: corosync only. */
	for (i = 1; i <= 2; i++)
		coord_engine_quorum_view(ND(i).e, C.h.now, true, v123, 3);
	id = report(1);
	settle();
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_JOIN_WAIT);
	assert_int_equal(ND(1).releases, 0);
	advance(COORD_RESTART_WAIT_S * 1000000ull);	/* no coordd joined */
	assert_true(coord_engine_quorate(ND(1).e));
	assert_int_equal(ND(1).releases, 1);
	assert_int_equal(ev_on(1, &id)->release_outcome, COORD_RELEASE_CONFIRMED);
}

/* A survivor's node leaves the cluster and comes back while its coordd
 * stays away (killed, and not restarted): the release waits the settle
 * time for that coordd, then the origin runs the event again without it
 * (it was never in grace for it; with no coordd, its agent takes its
 * attribute away).  It used to wait for ever, a retry after a failed
 * attempt included (the simulator, a coordd down through the quiet
 * phase, seeds 392711, 413231 and 610932). */
static void test_survivor_back_without_coordd(void **state)
{
	uint32_t two[] = { 1, 2 }, three[] = { 1, 2, 3 };
	const struct coord_event *again;
	struct coord_event_id id;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	ND(3).hold_grace = true;
	id = report(1);
	settle();
	coord_engine_quorum_view(ND(1).e, C.h.now, false, three, 3);
	node_leaves(3, COORD_LEAVE_PROCDOWN);
	coord_engine_quorum_view(ND(1).e, C.h.now, false, two, 2);
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_QUORUM_WAIT);
	/* Node 3 is back in corosync; its coordd is not. */
	coord_engine_quorum_view(ND(1).e, C.h.now, true, three, 3);
	settle();
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_JOIN_WAIT);
	assert_int_equal(ND(1).releases, 0);
	advance(COORD_RESTART_WAIT_S * 1000000ull - 1000);
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_JOIN_WAIT);
	advance(2000);	/* past the restart wait: no coordd joined */
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_CANCELLED);
	assert_int_equal(ev_on(2, &id)->state, COORD_EVENT_CANCELLED);
	assert_int_equal(ND(1).releases, 1);
	assert_int_equal(ND(1).last_release.event.seq, id.seq + 1);
	again = ev_on(1, &ND(1).last_release.event);
	assert_int_equal(again->state, COORD_EVENT_RELEASED);
	assert_int_equal(again->n_survivors, 1);	/* node 2 */
	assert_int_equal(again->release_outcome, COORD_RELEASE_CONFIRMED);
}

/* A coordd killed on a live node that holds VIPs: its agent keeps the
 * node's ganesha-active for COORD_RESTART_WAIT_S (a restart must not move
 * a live server's clients), so a death reported meanwhile waits as long
 * for a coordd there to join, is re-run for it and confirmed with that
 * node in grace (the client-history soak, seed 2718, move 22: node 3's
 * coordd killed and restarted in 4 s, its VIP taken off its live ganesha
 * and brought back 29 s later, past its clients' lease). */
static void test_release_waits_for_restarting_coordd(void **state)
{
	uint32_t all[] = { 1, 2, 3 };
	const struct coord_event *again;
	struct coord_event_id id;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	coord_engine_quorum_view(ND(1).e, C.h.now, true, all, 3);
	node_leaves(3, COORD_LEAVE_PROCDOWN);	/* its node stays in the view */
	id = report(1);
	settle();
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_JOIN_WAIT);
	advance(COORD_RESTART_WAIT_S * 1000000ull / 2);
	assert_int_equal(ND(1).releases, 0);
	/* The restarted coordd joins: the death is run again with it. */
	coordd_rejoins(3, 303);
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_CANCELLED);
	assert_int_equal(ND(1).releases, 1);
	again = ev_on(1, &ND(1).last_release.event);
	assert_int_equal(again->n_survivors, 2);
	assert_non_null(sv_on(1, &again->id, 3));
	assert_int_equal(again->release_outcome, COORD_RELEASE_CONFIRMED);
}

/* ...and one that does not come back is waited for that long only: the
 * release goes ahead without that node, whose agent deletes its
 * ganesha-active by then; a coordd gone with its node from the view is
 * not waited for. */
static void test_release_waits_for_restart_only_so_long(void **state)
{
	uint32_t all[] = { 1, 2, 3 }, two[] = { 1, 2 };
	const struct coord_event *ev;
	struct coord_event_id id;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	coord_engine_quorum_view(ND(1).e, C.h.now, true, all, 3);
	node_leaves(3, COORD_LEAVE_LEAVE);	/* systemctl stop coordd */
	id = report(1);
	settle();
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_JOIN_WAIT);
	advance(COORD_RESTART_WAIT_S * 1000000ull - 1000);
	assert_int_equal(ND(1).releases, 0);
	advance(2000);
	assert_int_equal(ND(1).releases, 1);
	ev = ev_on(1, &id);
	assert_int_equal(ev->state, COORD_EVENT_RELEASED);
	assert_int_equal(ev->release_outcome, COORD_RELEASE_CONFIRMED);
	teardown(NULL);

	/* The node left the view too: nothing to wait for. */
	cluster_up(3, COORD_POLICY_RELEASE);
	coord_engine_quorum_view(ND(1).e, C.h.now, true, all, 3);
	node_leaves(3, COORD_LEAVE_PROCDOWN);
	coord_engine_quorum_view(ND(1).e, C.h.now, true, two, 2);
	id = report(1);
	settle();
	assert_int_equal(ND(1).releases, 1);
}

static void test_quorum_before_merge_waits_for_joiners(void **state)
{
	struct coord_member_id m3, m12[2], all[3];
	uint8_t down[2] = { COORD_LEAVE_NODEDOWN, COORD_LEAVE_NODEDOWN };
	const uint32_t v3[] = { 3 }, v12[] = { 1, 2 }, v123[] = { 1, 2, 3 };
	struct coord_event_id id;
	const struct coord_event *ev;
	int i;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	m3 = mid(3), m12[0] = mid(1), m12[1] = mid(2);
	/* The partition: node 3 alone, inquorate; its coordd restarts there,
	 * so it never saw nodes 1 and 2 go. */
	coord_engine_confchg(ND(3).e, C.h.now, &m3, 1, m12, down, 2, NULL, 0);
	coord_engine_free(ND(3).e);
	ND(3).e = engine_for(3, 203);
	coord_engine_quorum(ND(3).e, C.h.now, false);
	coord_engine_confchg(ND(3).e, C.h.now, &m3, 1, NULL, NULL, 0, &m3, 1);
	coord_engine_quorum_view(ND(3).e, C.h.now, false, v3, 1);
	for (i = 1; i <= 2; i++) {
		coord_engine_confchg(ND(i).e, C.h.now, m12, 2, &m3, down, 1, NULL, 0);
		coord_engine_quorum_view(ND(i).e, C.h.now, true, v12, 2);
	}
	ND(1).up = ND(2).up = false;	/* node 3's side only */
	id = report(3);
	settle();
	assert_int_equal(ev_on(3, &id)->state, COORD_EVENT_QUORUM_WAIT);
	/* The merge: quorum first, then (a moment later) CPG. */
	coord_engine_quorum_view(ND(3).e, C.h.now, true, v123, 3);
	settle();
	assert_int_equal(ND(3).releases, 0);
	C.h.now += 1000;
	ND(1).up = ND(2).up = true;
	for (i = 1; i <= 2; i++)
		coord_engine_quorum_view(ND(i).e, C.h.now, true, v123, 3);
	all[0] = mid(1), all[1] = mid(2), all[2] = mid(3);
	confchg(NULL, NULL, 0, all, 3);
	settle();
	assert_int_equal(ev_on(3, &id)->state, COORD_EVENT_CANCELLED);
	assert_int_equal(ND(3).releases, 1);
	ev = ev_on(3, &ND(3).last_release.event);
	assert_non_null(ev);
	assert_int_equal(ev->release_outcome, COORD_RELEASE_CONFIRMED);
	assert_int_equal(ev->n_survivors, 2);
	for (i = 0; i < 2; i++)
		assert_int_equal(ev->survivors[i].result, COORD_ACK_IN_GRACE);
}

static void run_failure_answer(enum coord_policy policy, uint8_t result)
{
	struct coord_event_id id;

	cluster_up(3, policy);
	ND(3).grace_result = result;
	id = report(2);
	settle();
	assert_int_equal(sv_on(2, &id, 3)->result, result);
	if (policy == COORD_POLICY_RELEASE) {
		assert_int_equal(ND(2).releases, 1);
		assert_int_equal(ev_on(2, &id)->release_outcome, COORD_RELEASE_UNCONFIRMED);
	} else {
		assert_int_equal(ND(2).releases, 0);
		advance(DEADLINE_US);
		assert_int_equal(ND(2).releases, 0);
		assert_int_equal(ev_on(2, &id)->state, COORD_EVENT_HELD);
	}
}

static void test_failure_answers(void **state)
{
	static const uint8_t results[] = {
		COORD_ACK_GRACE_FAILED, COORD_ACK_NO_SERVER, COORD_ACK_TIMEOUT,
		COORD_ACK_NO_BUS,
	};
	size_t i;

	for (i = 0; i < sizeof(results); i++) {
		run_failure_answer(COORD_POLICY_RELEASE, results[i]);
		teardown(state);
		run_failure_answer(COORD_POLICY_HOLD, results[i]);
		teardown(state);
	}
}

static void test_no_release_while_inquorate(void **state)
{
	struct coord_event_id id;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	coord_engine_quorum(ND(2).e, C.h.now, false);
	id = report(2);
	settle();
	assert_int_equal(ND(2).releases, 0);
	assert_int_equal(ev_on(2, &id)->state, COORD_EVENT_QUORUM_WAIT);
	advance(DEADLINE_US * 2);
	assert_int_equal(ND(2).releases, 0);
	coord_engine_quorum(ND(2).e, C.h.now, true);
	settle();
	assert_int_equal(ND(2).releases, 1);
}

static void test_release_retry_backoff_bounded(void **state)
{
	struct coord_event_id id;
	uint64_t t0;
	int i;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	ND(2).release_status = 1;
	id = report(2);
	settle();
	t0 = C.h.now;
	assert_int_equal(ND(2).releases, 1);
	assert_int_equal(ev_on(2, &id)->state, COORD_EVENT_RETRY_WAIT);
	assert_int_equal(coord_engine_next_timer(ND(2).e), C.h.now + 1000000);
	advance(999999);
	assert_int_equal(ND(2).releases, 1);
	advance(1);
	assert_int_equal(ND(2).releases, 2);	/* after 1 s */
	advance(2000000);
	assert_int_equal(ND(2).releases, 3);	/* after 2 s more */
	assert_int_equal(ev_on(2, &id)->state, COORD_EVENT_RELEASE_FAILED);
	for (i = 1; i <= 3; i++)
		assert_int_equal(ev_on(i, &id)->state, COORD_EVENT_RELEASE_FAILED);
	/* The origin's record: when its first attempt started; the others
	 * know of the release only at its notice. */
	assert_int_equal(ev_on(2, &id)->release_started_us, t0);
	assert_int_equal(ev_on(1, &id)->release_started_us, C.h.now);
	assert_true(C.h.now > t0);
	advance(DEADLINE_US * 3);
	assert_int_equal(ND(2).releases, 3);	/* bounded */
}

static void test_release_success_after_failure(void **state)
{
	struct coord_event_id id;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	ND(2).release_status = 2;
	id = report(2);
	settle();
	ND(2).release_status = 0;
	advance(1000000);
	assert_int_equal(ND(2).releases, 2);
	assert_int_equal(ev_on(2, &id)->state, COORD_EVENT_RELEASED);
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_RELEASED);
	advance(DEADLINE_US * 3);
	assert_int_equal(ND(2).releases, 2);
}

static void test_disconnected_abandons_and_reincarnates(void **state)
{
	struct coord_event_id id, id2;
	struct coord_member_id self;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	ND(1).hold_grace = true;
	id = report(2);
	settle();
	coord_engine_disconnected(ND(2).e, C.h.now, 555);
	assert_int_equal(ev_on(2, &id)->state, COORD_EVENT_ABANDONED);
	assert_false(coord_engine_joined(ND(2).e));
	assert_int_equal(coord_engine_incarnation(ND(2).e), 555);
	/* The others see it leave; it rejoins as a new member. */
	node_leaves(2, COORD_LEAVE_PROCDOWN);
	ND(2).id.pid = 2002;
	coord_engine_set_self(ND(2).e, 2002);
	ND(2).up = true;
	self = mid(2);
	confchg(NULL, NULL, 0, &self, 1);
	settle();
	assert_true(coord_engine_joined(ND(2).e));
	id2 = report(2);
	assert_int_equal(id2.incarnation, 555);
}

static void test_event_table_evicts_oldest_ended(void **state)
{
	struct coord_event_id first, id;
	int k;

	(void)state;
	cluster_up(2, COORD_POLICY_RELEASE);
	first = report(2);
	settle();
	for (k = 0; k < COORD_MAX_EVENTS + 10; k++) {
		coord_engine_report_up(ND(2).e, C.h.now);
		id = report(2);
		settle();
		assert_int_equal(ev_on(2, &id)->state, COORD_EVENT_RELEASED);
	}
	assert_int_equal(coord_engine_event_count(ND(2).e), COORD_MAX_EVENTS);
	assert_null(ev_on(2, &first));
	/* What is kept is listed in delivery order, oldest first, the slots
	 * the evicted records left reused or not. */
	for (k = 1; k < COORD_MAX_EVENTS; k++)
		assert_true(coord_engine_event(ND(2).e, (size_t)k - 1)->id.seq <
			    coord_engine_event(ND(2).e, (size_t)k)->id.seq);
	assert_true(coord_event_id_equal(&coord_engine_event(ND(2).e,
							     COORD_MAX_EVENTS - 1)->id, &id));
	assert_null(coord_engine_event(ND(2).e, COORD_MAX_EVENTS));
}

/* The engine's word on its own server: down from the death report (before
 * its DEATH is delivered, and after its release), up when reported up. */
static void test_server_up_from_report_until_up(void **state)
{
	(void)state;
	cluster_up(2, COORD_POLICY_RELEASE);
	assert_true(coord_engine_server_up(ND(2).e));
	report(2);
	assert_false(coord_engine_server_up(ND(2).e));
	settle();
	assert_int_equal(ND(2).releases, 1);
	assert_false(coord_engine_server_up(ND(2).e));
	assert_true(coord_engine_server_up(ND(1).e));
	coord_engine_report_up(ND(2).e, C.h.now);
	assert_true(coord_engine_server_up(ND(2).e));
}

static void test_deterministic(void **state)
{
	uint64_t sig[2];
	int run;

	for (run = 0; run < 2; run++) {
		struct coord_event_id a;
		const struct coord_event *ev;
		size_t k;

		cluster_up(4, COORD_POLICY_RELEASE);
		ND(3).hold_grace = true;
		a = report(2);
		settle();
		advance(DEADLINE_US);
		ev = ev_on(1, &a);
		sig[run] = ev->state * 1000003u + ev->n_survivors;
		for (k = 0; k < ev->n_survivors; k++)
			sig[run] = sig[run] * 31 + ev->survivors[k].state * 7 +
				   ev->survivors[k].at_us;
		sig[run] += (uint64_t)ND(2).releases << 40;
		teardown(state);
	}
	assert_true(sig[0] == sig[1]);
}

/* The engine names its own member: none before a change lists it, then the
 * entry with its own pid, not another process of the same node listed first. */
static void test_self_is_our_own_member(void **state)
{
	struct coord_member_id members[] = { { 1, 7 }, { 1, 1001 }, { 2, 1002 } };
	struct coord_engine *e;
	const struct coord_member *self;

	(void)state;
	cluster_up(1, COORD_POLICY_RELEASE);
	e = engine_for(1, 1);
	assert_null(coord_engine_self(e));
	coord_engine_confchg(e, C.h.now, members, 3, NULL, NULL, 0, members, 3);
	self = coord_engine_self(e);
	assert_non_null(self);
	assert_int_equal(self->id.nodeid, 1);
	assert_int_equal(self->id.pid, 1001);
	assert_int_equal(coord_engine_self_id(e).pid, 1001);
	coord_engine_free(e);
}

/*
 * An owner that does not drain its engine: the queue grows to
 * COORD_MAX_ACTIONS, keeps the oldest, and loses (and counts) the rest.
 * A lost action leaves nothing to fill in: each producer (a HELLO, a
 * GRACE for a DEATH delivered, a report's DEATH, a take-over) loses its
 * own and says so where it can.  Each member that joins makes one HELLO;
 * it leaves cleanly, so nothing else is queued.
 */
static void test_action_queue_full_loses_and_counts(void **state)
{
	const struct coord_member_id self = { 1, 1001 }, two = { 2, 5000 };
	const uint8_t clean[] = { COORD_LEAVE_LEAVE };
	struct coord_member_id members[2] = { self };
	struct coord_msg m = msg_from(2, COORD_MSG_HELLO);
	struct coord_event_id id;
	struct coord_engine *e;
	struct coord_action a;
	struct coord_vip v;
	size_t i, drained = 0;

	(void)state;
	C.policy = COORD_POLICY_RELEASE;
	e = engine_for(1, 101);
	coord_engine_confchg(e, 0, &self, 1, NULL, NULL, 0, &self, 1);
	for (i = 0; i < COORD_MAX_ACTIONS + 10; i++) {
		members[1] = (struct coord_member_id){ 2, 2000u + (uint32_t)i };
		coord_engine_confchg(e, 0, members, 2, NULL, NULL, 0, &members[1], 1);
		coord_engine_confchg(e, 0, &self, 1, &members[1], clean, 1, NULL, 0);
	}
	/* The first HELLO, then one per joiner: 11 too many. */
	assert_int_equal(coord_engine_counters(e)->count[COORD_ACTION_OVERFLOW], 11);

	/* Full: a joiner's HELLO, the GRACE for its DEATH, our own DEATH and
	 * a take-over are lost too. */
	members[1] = two;
	coord_engine_confchg(e, 0, members, 2, NULL, NULL, 0, &two, 1);
	assert_int_equal(coord_engine_deliver(e, 0, two, &m), COORD_ACCEPTED);
	m = msg_from(2, COORD_MSG_DEATH);
	m.u.death.id = (struct coord_event_id){ 2, 102, 1 };
	m.u.death.reason = COORD_DEATH_REPORTED;
	m.u.death.n_vips = 1;
	vip_of(2, &m.u.death.vips[0]);
	assert_int_equal(coord_engine_deliver(e, 0, two, &m), COORD_ACCEPTED);
	assert_int_equal(coord_engine_report_death(e, 0, NULL, 0, &id), -ENOBUFS);
	vip_of(1, &v);
	assert_int_equal(coord_engine_take_over(e, 0, 7, &v, 1), -ENOBUFS);
	assert_int_equal(coord_engine_counters(e)->count[COORD_ACTION_OVERFLOW], 15);

	while (coord_engine_next_action(e, &a)) {
		assert_int_equal(a.kind, COORD_ACTION_SEND);
		assert_int_equal(a.msg.type, COORD_MSG_HELLO);
		drained++;
	}
	assert_int_equal(drained, COORD_MAX_ACTIONS);
	/* Drained, it queues again. */
	assert_int_equal(coord_engine_take_over(e, 0, 8, &v, 1), 0);
	assert_true(coord_engine_next_action(e, &a));
	assert_int_equal(a.kind, COORD_ACTION_TAKE_OVER);
	assert_int_equal(coord_engine_counters(e)->count[COORD_ACTION_OVERFLOW], 15);
	coord_engine_free(e);
}

/*
 * The record says who has not confirmed, and why (coordctl show prints
 * it), and when every survivor had settled.
 */
static void test_unconfirmed_names_who_and_why(void **state)
{
	struct coord_event_id id;
	const struct coord_event *ev;
	const struct coord_survivor *sv;
	char text[128];
	uint64_t t0;

	(void)state;
	cluster_up(5, COORD_POLICY_RELEASE);
	ND(3).grace_result = COORD_ACK_GRACE_FAILED;
	ND(4).hold_grace = true;
	coord_engine_member_incompatible(ND(2).e, C.h.now, mid(5), 0x0200);
	id = report(2);
	settle();
	ev = ev_on(2, &id);
	assert_int_equal(ev->complete_us, 0);	/* 4 has not answered */
	/* A survivor waiting: nothing answered, left or timed yet. */
	sv = sv_on(2, &id, 4);
	assert_int_equal(sv->state, COORD_SURVIVOR_WAITING);
	assert_false(sv->late);
	assert_false(sv->quorum_gone);
	assert_int_equal(sv->result, 0);
	assert_int_equal(sv->leave_reason, 0);
	assert_int_equal(sv->grace_latency_us, 0);
	assert_int_equal(sv->at_us, 0);
	assert_string_equal(sv->detail, "");
	assert_int_equal(coord_event_unconfirmed(ev, text, sizeof(text)),
			 strlen("3 (grace-failed), 4 (no answer), 5 (incompatible: protocol 2.0)"));
	assert_string_equal(text, "3 (grace-failed), 4 (no answer), 5 (incompatible: protocol 2.0)");
	advance(1000);
	t0 = C.h.now;
	coord_engine_grace_done(ND(4).e, C.h.now, &id, COORD_ACK_IN_GRACE, 1, NULL);
	settle();
	assert_int_equal(ev->complete_us, t0);
	assert_int_equal(coord_event_unconfirmed(ev, text, sizeof(text)),
			 strlen("3 (grace-failed), 5 (incompatible: protocol 2.0)"));
	assert_string_equal(text, "3 (grace-failed), 5 (incompatible: protocol 2.0)");
	/* Cut to the buffer, never past it. */
	assert_int_equal(coord_event_unconfirmed(ev, text, 4), strlen("3 ("));
	assert_string_equal(text, "3 (");
	assert_int_equal(coord_event_unconfirmed(ev, text, 0), 0);
}

/*
 * The same incarnation leaves twice (a partition, a merge, then a crash):
 * the second departure is a node-left event again, in place of the
 * first one's ended record; no other record goes with it.
 */
static void test_same_incarnation_leaves_twice(void **state)
{
	struct coord_event_id id, nl = { 3, 103, 0 };
	struct coord_member_id m3;
	int graces;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	id = report(2);
	settle();
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_RELEASED);
	node_leaves(3, COORD_LEAVE_PROCDOWN);
	assert_int_equal(ev_on(1, &nl)->state, COORD_EVENT_DONE);
	graces = ND(1).graces;
	m3 = mid(3);
	ND(3).up = true;
	confchg(NULL, NULL, 0, &m3, 1);
	settle();
	advance(1000);
	node_leaves(3, COORD_LEAVE_NODEDOWN);
	assert_int_equal(ND(1).graces, graces + 1);
	assert_int_equal(ev_on(1, &nl)->state, COORD_EVENT_DONE);
	assert_int_equal(ev_on(1, &nl)->delivered_us, C.h.now);
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_RELEASED);
	assert_int_equal(coord_engine_event_count(ND(1).e), 2);
}

/*
 * A member missing from a change's member list that the change does not
 * list as left has gone all the same: as a process that died (procdown),
 * never as a clean leave.
 */
static void test_member_missing_from_a_change_left_procdown(void **state)
{
	struct coord_member_id rest[2];
	struct coord_event_id id, nl = { 3, 103, 0 };

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	ND(3).hold_grace = true;
	id = report(2);
	settle();
	rest[0] = mid(1);
	rest[1] = mid(2);
	coord_engine_confchg(ND(1).e, C.h.now, rest, 2, NULL, NULL, 0, NULL, 0);
	assert_int_equal(sv_on(1, &id, 3)->state, COORD_SURVIVOR_LEFT);
	assert_int_equal(sv_on(1, &id, 3)->leave_reason, COORD_LEAVE_PROCDOWN);
	assert_non_null(ev_on(1, &nl));		/* procdown: grace for its VIPs */
	assert_int_equal(ev_on(1, &nl)->reason, COORD_DEATH_NODE_LEFT);
}

/*
 * A record once ended stays as it ended: a CANCEL or RELEASE delivered
 * late (a replay from the origin's own member id) is refused as a
 * duplicate, and the origin's own notice is no duplicate of anything.
 */
static void test_ended_record_refuses_late_cancel_and_release(void **state)
{
	struct coord_msg m = msg_from(2, COORD_MSG_CANCEL);
	struct coord_event_id id;
	uint64_t ended;
	int i;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	id = report(2);
	settle();
	ended = ev_on(1, &id)->ended_us;
	for (i = 1; i <= 3; i++) {
		assert_int_equal(ev_on(i, &id)->state, COORD_EVENT_RELEASED);
		assert_int_equal(coord_engine_counters(ND(i).e)->count[COORD_DUPLICATE], 0);
	}
	advance(1000);
	m.u.cancel.id = id;
	m.u.cancel.reason = COORD_CANCEL_ADMIN;
	assert_int_equal(coord_engine_deliver(ND(1).e, C.h.now, mid(2), &m), COORD_DUPLICATE);
	m = msg_from(2, COORD_MSG_RELEASE);
	m.u.release.id = id;
	m.u.release.outcome = COORD_RELEASE_FAILED;
	assert_int_equal(coord_engine_deliver(ND(1).e, C.h.now, mid(2), &m), COORD_DUPLICATE);
	assert_int_equal(ev_on(1, &id)->state, COORD_EVENT_RELEASED);
	assert_int_equal(ev_on(1, &id)->release_outcome, COORD_RELEASE_CONFIRMED);
	assert_int_equal(ev_on(1, &id)->ended_us, ended);
	assert_int_equal(coord_engine_counters(ND(1).e)->count[COORD_DUPLICATE], 2);
}

/* A report or a take-over names at most COORD_MAX_VIPS VIPs: so many is
 * fine. */
static void test_report_vips_bound(void **state)
{
	struct coord_vip v[COORD_MAX_VIPS + 1];
	struct coord_event_id id;
	size_t i;

	(void)state;
	cluster_up(2, COORD_POLICY_RELEASE);
	for (i = 0; i <= COORD_MAX_VIPS; i++) {
		char text[32];

		snprintf(text, sizeof(text), "198.18.1.%zu", i + 1);
		assert_int_equal(coord_vip_parse(text, &v[i]), 0);
	}
	assert_int_equal(coord_engine_report_death(ND(1).e, C.h.now, v,
						   COORD_MAX_VIPS + 1, &id), -EINVAL);
	assert_int_equal(coord_engine_report_death(ND(1).e, C.h.now, v,
						   COORD_MAX_VIPS, &id), 0);
	settle();
	assert_int_equal(ev_on(2, &id)->n_vips, COORD_MAX_VIPS);
	assert_int_equal(ND(2).last_grace.n_vips, COORD_MAX_VIPS);
	/* A take-over too. */
	assert_int_equal(coord_engine_take_over(ND(2).e, C.h.now, 1, v,
						COORD_MAX_VIPS + 1), -EINVAL);
	assert_int_equal(coord_engine_take_over(ND(2).e, C.h.now, 2, v,
						COORD_MAX_VIPS), 0);
	settle();
	assert_int_equal(ND(2).last_take_over.n_vips, COORD_MAX_VIPS);
}

/*
 * A cancel whose CANCEL cannot be queued (the owner has not drained the
 * queue) fails and changes nothing: the event waits on, and a cancel once
 * the queue is drained withdraws it.
 */
static void test_cancel_with_queue_full_changes_nothing(void **state)
{
	struct coord_event_id id;
	struct coord_vip v;
	int i;

	(void)state;
	cluster_up(3, COORD_POLICY_HOLD);
	ND(3).hold_grace = true;
	id = report(2);
	settle();
	vip_of(2, &v);
	for (i = 0; i < COORD_MAX_ACTIONS; i++)
		assert_int_equal(coord_engine_take_over(ND(2).e, C.h.now, 1, &v, 1), 0);
	assert_int_equal(coord_engine_cancel(ND(2).e, C.h.now, &id), -ENOTCONN);
	assert_int_equal(ev_on(2, &id)->state, COORD_EVENT_WAITING);
	settle();
	assert_int_equal(coord_engine_cancel(ND(2).e, C.h.now, &id), 0);
	settle();
	for (i = 1; i <= 3; i++)
		assert_int_equal(ev_on(i, &id)->state, COORD_EVENT_CANCELLED);
}

/*
 * coordd vouches only once it heard every member's HELLO, the first
 * member's too; and the member view ends at member_count.
 */
static void test_target_waits_for_every_hello(void **state)
{
	const struct coord_member_id both[2] = { { 1, 1001 }, { 2, 1002 } };
	struct coord_msg hello = msg_from(2, COORD_MSG_HELLO);
	struct coord_target t;
	struct coord_engine *e;

	(void)state;
	C.policy = COORD_POLICY_RELEASE;
	e = engine_for(2, 102);
	coord_engine_confchg(e, 0, both, 2, NULL, NULL, 0, both, 2);
	hello.u.hello.flags = COORD_HELLO_SERVER_UP;
	assert_int_equal(coord_engine_deliver(e, 0, both[1], &hello), COORD_ACCEPTED);
	/* Its own HELLO heard, node 1's not. */
	coord_engine_target(e, &t);
	assert_int_equal(t.why, COORD_TARGET_SYNCING);
	assert_int_equal(t.node, 1);
	hello = msg_from(1, COORD_MSG_HELLO);
	assert_int_equal(coord_engine_deliver(e, 0, both[0], &hello), COORD_ACCEPTED);
	coord_engine_target(e, &t);
	assert_int_equal(t.why, COORD_TARGET_YES);
	assert_int_equal(coord_engine_member_count(e), 2);
	assert_non_null(coord_engine_member(e, 1));
	assert_null(coord_engine_member(e, 2));
	coord_engine_free(e);
}

/* Every survivor confirmed: the unconfirmed list is empty, and says so. */
static void test_unconfirmed_empty_when_all_confirmed(void **state)
{
	struct coord_event_id id;
	char text[32];

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	id = report(1);
	settle();
	memset(text, 'x', sizeof(text));
	assert_int_equal(coord_event_unconfirmed(ev_on(2, &id), text, sizeof(text)), 0);
	assert_string_equal(text, "");
}

/*
 * A survivor's coordd that comes back (same process, new incarnation)
 * cannot answer for its old incarnation: its ACK for the event recorded
 * before is refused as of another incarnation.
 */
static void test_ack_of_another_incarnation_refused(void **state)
{
	struct coord_msg ack = msg_from(3, COORD_MSG_ACK);
	struct coord_event_id id;

	(void)state;
	cluster_up(3, COORD_POLICY_HOLD);
	ND(3).hold_grace = true;
	id = report(2);
	settle();
	node_leaves(3, COORD_LEAVE_PROCDOWN);
	coordd_rejoins(3, 203);
	ack.incarnation = 203;
	ack.u.ack.id = id;
	ack.u.ack.result = COORD_ACK_IN_GRACE;
	assert_int_equal(coord_engine_deliver(ND(1).e, C.h.now, mid(3), &ack),
			 COORD_REJECTED_INCARNATION);
	assert_int_equal(sv_on(1, &id, 3)->state, COORD_SURVIVOR_LEFT);
}

/*
 * The event table full of pending events: a DEATH that cannot be
 * recorded still has this survivor enter grace, for the DEATH's VIPs.
 */
static void test_death_unrecorded_still_asks_grace_for_its_vips(void **state)
{
	const struct coord_member_id both[2] = { { 1, 1001 }, { 2, 1002 } };
	struct coord_msg m = msg_from(2, COORD_MSG_HELLO);
	struct coord_action a, grace = { 0 };
	struct coord_engine *e;
	uint32_t seq;

	(void)state;
	C.policy = COORD_POLICY_RELEASE;
	e = engine_for(1, 101);
	coord_engine_confchg(e, 0, both, 2, NULL, NULL, 0, both, 2);
	assert_int_equal(coord_engine_deliver(e, 0, both[1], &m), COORD_ACCEPTED);
	m = msg_from(2, COORD_MSG_DEATH);
	m.u.death.reason = COORD_DEATH_REPORTED;
	m.u.death.n_vips = 1;
	for (seq = 1; seq <= COORD_MAX_EVENTS + 1; seq++) {
		m.u.death.id = (struct coord_event_id){ 2, 102, seq };
		vip_of(seq % 50, &m.u.death.vips[0]);
		assert_int_equal(coord_engine_deliver(e, 0, both[1], &m), COORD_ACCEPTED);
		while (coord_engine_next_action(e, &a))	/* graces never answered */
			if (a.kind == COORD_ACTION_GRACE)
				grace = a;
	}
	assert_int_equal(coord_engine_pending_count(e), COORD_MAX_EVENTS);
	assert_int_equal(coord_engine_counters(e)->count[COORD_TABLE_FULL], 1);
	assert_null(coord_engine_find_event(e, &m.u.death.id));
	assert_int_equal(grace.event.seq, COORD_MAX_EVENTS + 1);
	assert_int_equal(grace.n_vips, 1);
	assert_true(coord_vip_equal(&grace.vips[0], &m.u.death.vips[0]));
	coord_engine_free(e);
}

/*
 * The merge window (docs/design.md, "What coord does not protect
 * against"): a second process on node 2 said HELLO first, with node 2's
 * coordd's incarnation and two VIPs of its own, then left; its node-left
 * record of that incarnation is still pending (this node's grace is not
 * answered yet) when the coordd, heard since, leaves with its node.  The
 * coordd's departure asks grace for the VIPs the coordd announced, not for
 * the ones the record was made with.
 */
static void test_node_left_record_takes_the_leaving_members_vips(void **state)
{
	const struct coord_member_id self = { 1, 1001 }, coordd = { 2, 1002 },
				     other = { 2, HOSTILE_PID };
	const struct coord_member_id three[3] = { self, coordd, other }, two[2] = { self, coordd };
	const uint8_t procdown[] = { COORD_LEAVE_PROCDOWN }, nodedown[] = { COORD_LEAVE_NODEDOWN };
	const struct coord_event_id nl = { 2, 102, 0 };
	struct coord_msg m = msg_from(2, COORD_MSG_HELLO);
	struct coord_action a, grace = { 0 };
	struct coord_engine *e;
	int graces = 0;

	(void)state;
	C.policy = COORD_POLICY_RELEASE;
	e = engine_for(1, 101);
	coord_engine_confchg(e, 0, three, 3, NULL, NULL, 0, three, 3);
	m.u.hello.n_vips = 2;
	vip_of(7, &m.u.hello.vips[0]);
	vip_of(8, &m.u.hello.vips[1]);
	assert_int_equal(coord_engine_deliver(e, 0, other, &m), COORD_ACCEPTED);
	coord_engine_confchg(e, 0, two, 2, &other, procdown, 1, NULL, 0);
	while (coord_engine_next_action(e, &a))	/* graces never answered */
		if (a.kind == COORD_ACTION_GRACE)
			grace = a, graces++;
	assert_int_equal(graces, 1);
	assert_int_equal(grace.n_vips, 2);
	assert_false(coord_event_ended(coord_engine_find_event(e, &nl)));
	m.u.hello.n_vips = 1;
	vip_of(2, &m.u.hello.vips[0]);
	assert_int_equal(coord_engine_deliver(e, 0, coordd, &m), COORD_ACCEPTED);
	coord_engine_confchg(e, 0, &self, 1, &coordd, nodedown, 1, NULL, 0);
	while (coord_engine_next_action(e, &a))
		if (a.kind == COORD_ACTION_GRACE)
			grace = a, graces++;
	assert_int_equal(graces, 2);
	assert_true(coord_event_id_equal(&grace.event, &nl));
	assert_int_equal(grace.n_vips, 1);
	assert_true(coord_vip_equal(&grace.vips[0], &m.u.hello.vips[0]));
	coord_engine_free(e);
}

/*
 * A member whose node went down keeps the quorum information stale until
 * a view without it: the change's member count is all that counts, never
 * what the caller's array holds past it.
 */
static void test_nodedown_member_counted_by_member_count(void **state)
{
	const struct coord_member_id three[3] = { { 1, 1001 }, { 2, 1002 }, { 3, 1003 } };
	const uint32_t view[3] = { 1, 2, 3 };
	const uint8_t down[] = { COORD_LEAVE_NODEDOWN };
	struct coord_engine *e;

	(void)state;
	C.policy = COORD_POLICY_RELEASE;
	e = engine_for(1, 101);
	coord_engine_confchg(e, 0, three, 3, NULL, NULL, 0, three, 3);
	coord_engine_quorum_view(e, 0, true, view, 3);
	assert_true(coord_engine_quorate(e));
	/* Node 3 down: the array still holds it past the count of 2. */
	coord_engine_confchg(e, 0, three, 2, &three[2], down, 1, NULL, 0);
	assert_false(coord_engine_quorate(e));
	coord_engine_quorum_view(e, 0, true, view, 2);
	assert_true(coord_engine_quorate(e));
	coord_engine_free(e);
}

/*
 * A node that went down and came back is no longer "down" when its coordd
 * alone is killed later (PROCDOWN, the node lives, the quorum view lists
 * it): quorum holds.  The three changes are made back to back, with nothing
 * in between, on purpose: the second and third change fewer departures
 * than the first, so a loop that reads the departures one past their count
 * (make mutation's engine.c ror mutant of "for (i = 0; i < n_gone; i++)"
 * in the NODEDOWN loop of coord_engine_confchg) finds the first change's
 * stale "node 3, NODEDOWN" in the slot after the third change's one
 * departure, and takes node 3 for down while the quorum view lists it.
 */
static void test_coordd_killed_after_its_node_came_back_keeps_quorum(void **state)
{
	const struct coord_member_id all[4] = { { 1, 1001 }, { 2, 1002 }, { 3, 1003 },
						 { 4, 1004 } };
	const struct coord_member_id m14[2] = { all[0], all[3] },
				     m124[3] = { all[0], all[1], all[3] };
	const uint32_t view[4] = { 1, 2, 3, 4 };
	const uint8_t down[2] = { COORD_LEAVE_NODEDOWN, COORD_LEAVE_NODEDOWN },
		      killed[1] = { COORD_LEAVE_PROCDOWN };
	struct coord_engine *e;

	(void)state;
	C.policy = COORD_POLICY_RELEASE;
	e = engine_for(1, 101);
	coord_engine_confchg(e, 0, all, 4, NULL, NULL, 0, all, 4);
	coord_engine_quorum_view(e, 0, true, view, 4);
	assert_true(coord_engine_quorate(e));
	/* Nodes 2 and 3 go down; they come back; node 3's coordd is killed. */
	coord_engine_confchg(e, 0, m14, 2, &all[1], down, 2, NULL, 0);
	coord_engine_confchg(e, 0, all, 4, NULL, NULL, 0, &all[1], 2);
	coord_engine_confchg(e, 0, m124, 3, &all[2], killed, 1, NULL, 0);
	assert_true(coord_engine_quorate(e));
	coord_engine_free(e);
}

/*
 * A release retried keeps the decision of its first attempt, also when the
 * retry waits for quorum: a survivor answering meanwhile (late) does not
 * turn an unconfirmed release into a confirmed one (the simulator, seed
 * 188907 of 200,000: attempt 3 after a quorum-wait and a join-wait ran as
 * confirmed, the first as unconfirmed).
 */
static void test_retry_after_quorum_wait_keeps_its_decision(void **state)
{
	struct coord_event_id id;

	(void)state;
	cluster_up(3, COORD_POLICY_RELEASE);
	ND(3).hold_grace = true;
	ND(2).release_status = 1;
	id = report(2);
	settle();
	advance(DEADLINE_US);
	assert_int_equal(ND(2).releases, 1);
	assert_int_equal(ev_on(2, &id)->release_outcome, COORD_RELEASE_UNCONFIRMED);
	assert_int_equal(ev_on(2, &id)->state, COORD_EVENT_RETRY_WAIT);
	coord_engine_quorum(ND(2).e, C.h.now, false);
	coord_engine_grace_done(ND(3).e, C.h.now, &id, COORD_ACK_IN_GRACE, 5, "late");
	settle();
	advance(1000000);
	assert_int_equal(ND(2).releases, 1);
	assert_int_equal(ev_on(2, &id)->state, COORD_EVENT_QUORUM_WAIT);
	ND(2).release_status = 0;
	coord_engine_quorum(ND(2).e, C.h.now, true);
	settle();
	assert_int_equal(ND(2).releases, 2);
	assert_int_equal(ev_on(2, &id)->release_outcome, COORD_RELEASE_UNCONFIRMED);
	assert_int_equal(ev_on(2, &id)->state, COORD_EVENT_RELEASED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_self_is_our_own_member, teardown),
		cmocka_unit_test_teardown(test_rejects_wrong_sender_and_non_member, teardown),
		cmocka_unit_test_teardown(test_unknown_type_refused_as_such, teardown),
		cmocka_unit_test_teardown(test_rejects_foreign_origin_and_seq0, teardown),
		cmocka_unit_test_teardown(test_rejects_unknown_stale_duplicate_acks, teardown),
		cmocka_unit_test_teardown(test_release_and_cancel_only_from_origin, teardown),
		cmocka_unit_test_teardown(test_rejects_another_process_using_a_coordd_incarnation,
					  teardown),
		cmocka_unit_test_teardown(test_hostile_process_own_incarnation_is_pinned, teardown),
		cmocka_unit_test_teardown(test_unannounced_member_leaving_is_no_death, teardown),
		cmocka_unit_test(test_report_before_join_refused),
		cmocka_unit_test_teardown(test_release_waits_for_every_survivor, teardown),
		cmocka_unit_test_teardown(test_report_with_explicit_vips_and_join, teardown),
		cmocka_unit_test_teardown(test_joiner_reruns_and_procdown_survivor_waits, teardown),
		cmocka_unit_test_teardown(test_target_vouch, teardown),
		cmocka_unit_test_teardown(test_incompatible_member_settles_unconfirmed, teardown),
		cmocka_unit_test_teardown(test_origin_leaving_abandons_and_node_left_grace, teardown),
		cmocka_unit_test_teardown(test_clean_leave_makes_no_node_left_event, teardown),
		cmocka_unit_test_teardown(test_concurrent_deaths_release, teardown),
		cmocka_unit_test_teardown(test_concurrent_deaths_hold, teardown),
		cmocka_unit_test_teardown(test_deadline_release_policy, teardown),
		cmocka_unit_test_teardown(test_event_unconfirmed_names_who_and_why, teardown),
		cmocka_unit_test_teardown(test_deadline_hold_policy_then_late_confirm, teardown),
		cmocka_unit_test_teardown(test_hold_cancel, teardown),
		cmocka_unit_test_teardown(test_cancel_races_confirmation, teardown),
		cmocka_unit_test_teardown(test_down_survivor_stays_confirmed, teardown),
		cmocka_unit_test_teardown(test_no_retry_after_disconnect, teardown),
		cmocka_unit_test_teardown(test_no_retry_after_reconnect, teardown),
		cmocka_unit_test_teardown(test_quorum_before_merge_waits_for_joiners, teardown),
		cmocka_unit_test_teardown(test_nodedown_back_in_view_without_coordd, teardown),
		cmocka_unit_test_teardown(test_rerun_when_survivor_back, teardown),
		cmocka_unit_test_teardown(test_survivor_back_without_coordd, teardown),
		cmocka_unit_test_teardown(test_release_waits_for_restarting_coordd, teardown),
		cmocka_unit_test_teardown(test_release_waits_for_restart_only_so_long, teardown),
		cmocka_unit_test_teardown(test_failure_answers, teardown),
		cmocka_unit_test_teardown(test_no_release_while_inquorate, teardown),
		cmocka_unit_test_teardown(test_release_retry_backoff_bounded, teardown),
		cmocka_unit_test_teardown(test_retry_after_quorum_wait_keeps_its_decision, teardown),
		cmocka_unit_test(test_coordd_killed_after_its_node_came_back_keeps_quorum),
		cmocka_unit_test_teardown(test_release_success_after_failure, teardown),
		cmocka_unit_test_teardown(test_disconnected_abandons_and_reincarnates, teardown),
		cmocka_unit_test_teardown(test_event_table_evicts_oldest_ended, teardown),
		cmocka_unit_test_teardown(test_server_up_from_report_until_up, teardown),
		cmocka_unit_test_teardown(test_handover_drops_after_every_grace, teardown),
		cmocka_unit_test_teardown(test_handover_and_death_are_separate, teardown),
		cmocka_unit_test_teardown(test_handover_waits_for_live_leaver_and_reruns_for_joiner,
					  teardown),
		cmocka_unit_test_teardown(test_handover_drop_failure_retries, teardown),
		cmocka_unit_test_teardown(test_handover_abandoned_when_origin_leaves, teardown),
		cmocka_unit_test_teardown(test_give_up_with_server_reported_dead_hands_nothing_over,
					  teardown),
		cmocka_unit_test_teardown(test_give_up_failed_withdraws_the_handover, teardown),
		cmocka_unit_test_teardown(test_give_up_failed_leaves_a_running_drop, teardown),
		cmocka_unit_test_teardown(test_drop_result_decides_the_handover, teardown),
		cmocka_unit_test_teardown(test_take_over_waits_for_dropped_clients_reaped, teardown),
		cmocka_unit_test_teardown(test_take_over_asks_grace_with_every_other_node,
					  teardown),
		cmocka_unit_test_teardown(test_other_nodes_members_and_quorum_view, teardown),
		cmocka_unit_test(test_set_nodeid_names_the_sender),
		cmocka_unit_test_teardown(test_failed_drop_reruns_for_member_joined_meanwhile,
					  teardown),
		cmocka_unit_test_teardown(test_node_left_reason_refused_from_the_wire, teardown),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_action_queue_full_loses_and_counts),
		cmocka_unit_test_teardown(test_unconfirmed_names_who_and_why, teardown),
		cmocka_unit_test_teardown(test_same_incarnation_leaves_twice, teardown),
		cmocka_unit_test(test_node_left_record_takes_the_leaving_members_vips),
		cmocka_unit_test_teardown(test_member_missing_from_a_change_left_procdown, teardown),
		cmocka_unit_test_teardown(test_ended_record_refuses_late_cancel_and_release, teardown),
		cmocka_unit_test_teardown(test_report_vips_bound, teardown),
		cmocka_unit_test_teardown(test_cancel_with_queue_full_changes_nothing, teardown),
		cmocka_unit_test(test_target_waits_for_every_hello),
		cmocka_unit_test_teardown(test_unconfirmed_empty_when_all_confirmed, teardown),
		cmocka_unit_test_teardown(test_ack_of_another_incarnation_refused, teardown),
		cmocka_unit_test(test_death_unrecorded_still_asks_grace_for_its_vips),
		cmocka_unit_test(test_nodedown_member_counted_by_member_count),
	};

	return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
