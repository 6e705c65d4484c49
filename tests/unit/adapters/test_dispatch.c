/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Control requests through the dispatch to real engines and back: the
 * in-process cluster of ctl_cluster.h, with test clients on node 1's
 * control socket that keep every record they receive.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <cmocka.h>
#include <qb/qbloop.h>
#include <qb/qbutil.h>

#include "ctl_cluster.h"

#define MAX_RECS	128

/* ---- a client that keeps every record ---- */

struct tclient {
	int fd;
	uint8_t buf[1 << 16];
	size_t len;
	bool eof;
	size_t n;
	struct coord_ctl_record rec[MAX_RECS];
	bool ended;
	struct coord_ctl_end end;
	uint32_t end_seq;
};

static struct tclient *tc_connect(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct tclient *c = calloc(1, sizeof(*c));

	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	memcpy(a.sun_path, C->path, strlen(C->path) + 1);
	if (connect(c->fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		fail_msg("connect: %s", strerror(errno));
	return c;
}

static void tc_close(struct tclient *c)
{
	close(c->fd);
	free(c);
}

static void tc_send(struct tclient *c, const struct coord_ctl_request *req)
{
	uint8_t buf[COORD_CTL_MAX_REQUEST];
	int len = coord_ctl_request_encode(req, buf, sizeof(buf));

	assert_true(len > 0);
	if (send(c->fd, buf, (size_t)len, MSG_NOSIGNAL) != len)
		fail_msg("a test client could not send its request");
}

static void tc_pump(struct tclient *c)
{
	struct coord_ctl_header h;
	struct coord_ctl_record rec;
	ssize_t r;

	for (;;) {
		r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, MSG_DONTWAIT);
		if (r == 0) {
			c->eof = true;
			return;
		}
		if (r < 0)
			return;
		c->len += (size_t)r;
		while (coord_ctl_header_decode(c->buf, c->len, &h) == 0 && c->len >= h.length) {
			if (coord_ctl_record_decode(c->buf, h.length, &rec) != 0)
				fail_msg("the dispatch sent a record that does not decode");
			memmove(c->buf, c->buf + h.length, c->len - h.length);
			c->len -= h.length;
			if (rec.type == COORD_CTL_REC_END) {
				c->ended = true;
				c->end = rec.u.end;
				c->end_seq = rec.seq;
			} else if (c->n < MAX_RECS) {
				c->rec[c->n++] = rec;
			}
		}
	}
}

static bool ended(void *arg)
{
	struct tclient *c = arg;

	tc_pump(c);
	return c->ended;
}

static size_t records_seen(void *arg)
{
	struct tclient *c = arg;

	tc_pump(c);
	return c->n;
}

static bool one_record(void *arg)
{
	return records_seen(arg) >= 1;
}

/* One request, answered to its END. */
static struct tclient *ask(const struct coord_ctl_request *req)
{
	struct tclient *c = tc_connect();

	tc_send(c, req);
	if (!run_until(ended, c, 3000))
		fail_msg("no END for a %s request within 3 s", coord_ctl_type_name(req->type));
	assert_int_equal(c->end_seq, req->seq);
	return c;
}

static void expect_status(const struct tclient *c, uint16_t status, const char *what)
{
	if (!c->ended)
		fail_msg("%s: no END", what);
	if (c->end.status != status)
		fail_msg("%s: expected END %s, got %s (\"%s\")", what,
			 coord_ctl_status_name(status), coord_ctl_status_name(c->end.status),
			 c->end.message);
}

static struct coord_ctl_request death_req(uint32_t seq, bool wait)
{
	struct coord_ctl_request r = { .type = COORD_CTL_DEATH, .seq = seq };

	r.u.death.flags = wait ? COORD_CTL_DEATH_WAIT : 0;
	return r;
}

/* ---- requests that fail ---- */

static void test_death_before_joining(void **state)
{
	struct coord_ctl_request req = death_req(1, true);
	struct tclient *c;

	(void)state;
	c = ask(&req);
	expect_status(c, COORD_CTL_NOT_JOINED, "DEATH before the group is joined");
	assert_int_equal(c->n, 0);
	tc_close(c);
}

static void test_cancel_refusals(void **state)
{
	struct cluster *cl = *state;
	struct coord_ctl_request req = { .type = COORD_CTL_CANCEL, .seq = 3 };
	struct coord_event_id other;
	struct tclient *c;

	req.u.cancel.id = (struct coord_event_id){ 1, 5000, 99 };
	c = ask(&req);
	expect_status(c, COORD_CTL_NO_SUCH_EVENT, "CANCEL of an unknown event");
	tc_close(c);

	/* Node 2's own death: node 1 may not withdraw it. */
	cl->h.node[2].hold_grace = true;
	assert_int_equal(coord_engine_report_death(cl->h.node[1].e, C->h.now, NULL, 0, &other), 0);
	pump(cl);
	req.u.cancel.id = other;
	c = ask(&req);
	expect_status(c, COORD_CTL_NOT_ORIGIN, "CANCEL of another node's event");
	tc_close(c);
}

/* ---- PING, STATUS, UP ---- */

static void test_ping(void **state)
{
	struct coord_ctl_request req = { .type = COORD_CTL_PING, .seq = 1 };
	struct tclient *c;

	(void)state;
	c = ask(&req);
	expect_status(c, COORD_CTL_OK, "PING");
	if (strncmp(c->end.message, "coordd ", 7) != 0)
		fail_msg("PING should answer coordd's version, said \"%s\"", c->end.message);
	tc_close(c);
}

static void test_status(void **state)
{
	struct coord_ctl_request req = { .type = COORD_CTL_STATUS, .seq = 2 };
	const struct coord_ctl_status_rec *s;
	struct tclient *c;
	size_t i, selves = 0;

	(void)state;
	c = ask(&req);
	expect_status(c, COORD_CTL_OK, "STATUS");
	assert_int_equal(c->n, 1 + NODES);
	assert_int_equal(c->rec[0].type, COORD_CTL_REC_STATUS);
	s = &c->rec[0].u.status;
	assert_int_equal(s->nodeid, 1);
	assert_int_equal(s->pid, 1001);
	assert_true(s->incarnation == 5000);
	assert_int_equal(s->proto_version, COORD_PROTO_VERSION);
	assert_int_equal(s->flags, COORD_CTL_ST_JOINED | COORD_CTL_ST_CPG_CONNECTED |
			 COORD_CTL_ST_QUORATE | COORD_CTL_ST_QUORUM_CONNECTED |
			 COORD_CTL_ST_BUS_CONNECTED);
	assert_int_equal(s->policy, COORD_POLICY_RELEASE);
	assert_int_equal(s->deadline_ms, DEADLINE_US / 1000);
	assert_int_equal(s->n_members, NODES);
	assert_int_equal(s->n_pending, 0);
	assert_int_equal(s->n_clients, 1);
	assert_true(s->uptime_us == 4242);
	assert_int_equal(s->n_wire, COORD_CODEC_ERROR_COUNT);
	assert_true(s->wire[1] == 7);
	assert_int_equal(s->n_engine, COORD_REFUSAL_COUNT);
	/* Every member's HELLO was delivered to node 1: 3 x 3 deliveries. */
	assert_true(s->engine[COORD_ACCEPTED] >= NODES);
	assert_int_equal(s->n_control, COORD_CTL_CC_COUNT);
	assert_true(s->control[COORD_CTL_CC_REQUESTS] >= 1);
	assert_string_equal(s->group, "coord-test");
	for (i = 1; i <= NODES; i++) {
		const struct coord_ctl_member *m = &c->rec[i].u.member;
		char text[64];

		assert_int_equal(c->rec[i].type, COORD_CTL_REC_MEMBER);
		assert_true(m->flags & COORD_CTL_MEMBER_HELLO_SEEN);
		assert_int_equal(m->n_vips, 1);
		snprintf(text, sizeof(text), "198.18.0.%u", 100 + m->nodeid);
		assert_string_equal(coord_vip_format(&m->vips[0], text + 32, 32), text);
		if (m->flags & COORD_CTL_MEMBER_SELF) {
			selves++;
			assert_int_equal(m->nodeid, 1);
			assert_int_equal(m->pid, 1001);
		}
	}
	assert_int_equal(selves, 1);
	tc_close(c);
}

static void test_up_after_death(void **state)
{
	struct cluster *cl = *state;
	struct coord_ctl_request req = death_req(4, false);
	struct tclient *c;
	size_t i;

	c = ask(&req);
	expect_status(c, COORD_CTL_OK, "DEATH");
	tc_close(c);
	req = (struct coord_ctl_request){ .type = COORD_CTL_UP, .seq = 5 };
	c = ask(&req);
	expect_status(c, COORD_CTL_OK, "UP");
	tc_close(c);
	/* Node 2 learned from node 1's new HELLO that its server is up. */
	for (i = 0; i < coord_engine_member_count(cl->h.node[1].e); i++) {
		const struct coord_member *m = coord_engine_member(cl->h.node[1].e, i);
		if (m->id.nodeid == 1)
			assert_false(m->server_down);
	}
}

/* ---- DEATH ---- */

static void test_death_sent_not_delivered(void **state)
{
	struct cluster *cl = *state;
	struct coord_ctl_request req = death_req(6, false);
	const struct coord_ctl_event *e;
	struct tclient *c;

	cl->h.hold_delivery = true;
	req.u.death.n_vips = 1;
	coord_vip_parse("198.18.0.200", &req.u.death.vips[0]);
	c = ask(&req);
	expect_status(c, COORD_CTL_OK, "DEATH, its message still on its way");
	assert_int_equal(c->n, 1);
	e = &c->rec[0].u.event;
	assert_int_equal(e->state, COORD_EVENT_SENT);
	assert_int_equal(e->id.origin, 1);
	assert_true(e->flags & COORD_CTL_EVENT_LOCAL_ORIGIN);
	assert_int_equal(e->n_vips, 1);
	assert_true(e->complete_us == COORD_CTL_NEVER && e->ended_us == COORD_CTL_NEVER);
	if (!strstr(c->end.message, "event 1.5000."))
		fail_msg("the END should name the event; it says \"%s\"", c->end.message);
	tc_close(c);
	cl->h.hold_delivery = false;
	pump(cl);
}

static void test_death_reports_waiting_survivor(void **state)
{
	struct cluster *cl = *state;
	struct coord_ctl_request req = death_req(7, false);
	const struct coord_ctl_event *e;
	struct tclient *c;

	cl->h.node[2].hold_grace = true;	/* node 3 is slow */
	C->h.now += 1000;
	c = ask(&req);
	expect_status(c, COORD_CTL_OK, "DEATH without --wait");
	assert_int_equal(c->n, 1);
	assert_int_equal(c->rec[0].type, COORD_CTL_REC_EVENT);
	e = &c->rec[0].u.event;
	assert_int_equal(e->state, COORD_EVENT_WAITING);
	assert_int_equal(e->n_survivors, 2);
	assert_int_equal(e->n_waiting, 1);
	assert_true(e->deadline_us == DEADLINE_US);
	assert_true(e->report_us == 0);		/* same virtual instant */
	assert_int_equal(e->n_vips, 1);		/* node 1's configured VIP */
	tc_close(c);
}

static void test_death_wait_released(void **state)
{
	struct cluster *cl = *state;
	struct coord_ctl_request req = death_req(8, true);
	const struct coord_ctl_event *first, *last;
	struct tclient *c = tc_connect();
	size_t i, n_sv = 0;

	cl->h.node[2].hold_grace = true;
	tc_send(c, &req);
	if (!run_until(one_record, c, 3000))
		fail_msg("DEATH --wait: the first EVENT record did not come");
	run_until(ended, c, 100);
	assert_false(c->ended);		/* node 3 has not answered */
	first = &c->rec[0].u.event;
	assert_int_equal(first->state, COORD_EVENT_WAITING);
	assert_int_equal(first->n_waiting, 1);

	/* Node 3 answers 2 ms later: the barrier completes, the release runs. */
	C->h.now += 2000;
	assert_true(cl->h.node[2].owes_grace);
	coord_engine_grace_done(cl->h.node[2].e, C->h.now, &cl->h.node[2].last_grace.event,
				COORD_ACK_IN_GRACE, 800, "Started grace period");
	pump(cl);
	if (!run_until(ended, c, 3000))
		fail_msg("DEATH --wait: no END after the event was released");
	expect_status(c, COORD_CTL_OK, "DEATH --wait, all confirmed");
	if (!strstr(c->end.message, "every survivor confirmed"))
		fail_msg("unexpected END message \"%s\"", c->end.message);
	last = NULL;
	for (i = 1; i < c->n; i++) {
		if (c->rec[i].type == COORD_CTL_REC_EVENT)
			last = &c->rec[i].u.event;
		if (c->rec[i].type == COORD_CTL_REC_SURVIVOR) {
			const struct coord_ctl_survivor *s = &c->rec[i].u.survivor;

			assert_non_null(last);
			assert_int_equal(s->state, COORD_SURVIVOR_ANSWERED);
			assert_int_equal(s->result, COORD_ACK_IN_GRACE);
			assert_string_equal(s->detail, "Started grace period");
			if (s->nodeid == 3) {
				assert_int_equal(s->grace_latency_us, 800);
				assert_true(s->at_us == 2000);
			}
			n_sv++;
		}
	}
	assert_non_null(last);
	assert_int_equal(last->state, COORD_EVENT_RELEASED);
	assert_int_equal(last->release_outcome, COORD_RELEASE_CONFIRMED);
	assert_int_equal(last->release_attempts, 1);
	assert_int_equal(last->n_waiting, 0);
	assert_true(last->complete_us == 2000);
	assert_true(last->release_us == 2000);
	assert_true(last->ended_us == 2000);
	assert_int_equal(n_sv, 2);
	tc_close(c);
}

/* Issue 13: node 3's coordd dies mid-barrier (its node lives) and comes
 * back; the origin re-runs the event, and death --wait follows the re-run
 * to its confirmed release. */
static void test_death_wait_follows_rerun(void **state)
{
	struct cluster *cl = *state;
	struct coord_ctl_request req = death_req(20, true);
	struct tclient *c = tc_connect();
	struct coord_member_id gone, back;
	struct coord_engine_config cfg = {
		.incarnation = 7003,
		.deadline_us = DEADLINE_US, .policy = COORD_POLICY_RELEASE,
		.release_retry_us = 100000, .release_retry_max_us = 400000,
		.release_max_attempts = 1,
	};
	uint8_t why = COORD_LEAVE_PROCDOWN;
	const struct coord_ctl_event *last = NULL;
	struct coord_engine *e;
	size_t k;

	cl->h.node[2].hold_grace = true;
	tc_send(c, &req);
	if (!run_until(one_record, c, 3000))
		fail_msg("DEATH --wait: the first EVENT record did not come");
	gone = cl->h.node[2].id;
	cl->h.node[2].up = false;
	harness_confchg(&cl->h, 0, &gone, &why, 1, NULL, 0);
	pump(cl);
	run_until(ended, c, 50);
	assert_false(c->ended);			/* left, its node alive: waited for */

	harness_config(&cfg, 2);
	coord_engine_free(cl->h.node[2].e);
	e = coord_engine_new(&cfg);
	assert_non_null(e);
	harness_set_engine(&cl->h, 2, e, 2003);
	coord_engine_quorum(e, C->h.now, true);
	cl->h.node[2].hold_grace = false;
	cl->h.node[2].up = true;
	back = cl->h.node[2].id;
	harness_confchg(&cl->h, 0, NULL, NULL, 0, &back, 1);
	pump(cl);
	if (!run_until(ended, c, 3000))
		fail_msg("DEATH --wait: no END after the re-run was released");
	expect_status(c, COORD_CTL_OK, "DEATH --wait across a re-run");
	for (k = 1; k < c->n; k++)
		if (c->rec[k].type == COORD_CTL_REC_EVENT)
			last = &c->rec[k].u.event;
	assert_non_null(last);
	assert_int_equal(last->id.seq, 2);	/* the re-run, not the first */
	assert_int_equal(last->state, COORD_EVENT_RELEASED);
	assert_int_equal(last->release_outcome, COORD_RELEASE_CONFIRMED);
	tc_close(c);
}

static void test_death_wait_release_fails(void **state)
{
	struct cluster *cl = *state;
	struct coord_ctl_request req = death_req(9, true);
	struct tclient *c;

	cl->h.node[0].release_status = 1;
	c = ask(&req);
	expect_status(c, COORD_CTL_EVENT_FAILED, "DEATH --wait, release fails");
	if (!strstr(c->end.message, "release command failed"))
		fail_msg("the END should say the release failed; it says \"%s\"",
			 c->end.message);
	assert_int_equal(c->rec[c->n - 3].u.event.state, COORD_EVENT_RELEASE_FAILED);
	tc_close(c);
}

static void test_death_wait_held(void **state)
{
	struct cluster *cl = *state;
	struct coord_ctl_request req = death_req(10, true);
	struct tclient *c = tc_connect();

	cl->h.node[2].hold_grace = true;
	tc_send(c, &req);
	if (!run_until(one_record, c, 3000))
		fail_msg("DEATH --wait: the first EVENT record did not come");
	run_until(ended, c, 50);
	assert_false(c->ended);
	/* The deadline passes under policy hold. */
	C->h.now += DEADLINE_US + 1;
	coord_engine_tick(cl->h.node[0].e, C->h.now);
	pump(cl);
	if (!run_until(ended, c, 3000))
		fail_msg("DEATH --wait: no END once the event was held");
	expect_status(c, COORD_CTL_EVENT_FAILED, "an event held by policy");
	if (!strstr(c->end.message, "3 (no answer)"))
		fail_msg("the END should name node 3 as not confirmed; it says \"%s\"",
			 c->end.message);
	assert_int_equal(c->rec[1].type, COORD_CTL_REC_EVENT);
	assert_int_equal(c->rec[1].u.event.state, COORD_EVENT_HELD);
	assert_true(c->rec[1].u.event.flags & COORD_CTL_EVENT_OVERDUE);
	assert_int_equal(c->rec[1].u.event.n_waiting, 1);
	tc_close(c);
}

static bool gone_once(void *arg)
{
	(void)arg;
	return C->gone >= 1;
}

static void test_waiter_leaves_then_event_ends(void **state)
{
	struct cluster *cl = *state;
	struct coord_ctl_request req = death_req(11, true);
	struct tclient *c = tc_connect(), *other;

	cl->h.node[2].hold_grace = true;
	tc_send(c, &req);
	if (!run_until(one_record, c, 3000))
		fail_msg("the first EVENT record did not come");
	tc_close(c);
	if (!run_until(gone_once, NULL, 3000))
		fail_msg("the waiting client's departure was not noticed");
	/* The event ends with nobody waiting: nothing may touch the client. */
	coord_engine_grace_done(cl->h.node[2].e, C->h.now, &cl->h.node[2].last_grace.event,
				COORD_ACK_IN_GRACE, 1, "ok");
	pump(cl);
	req = (struct coord_ctl_request){ .type = COORD_CTL_PING, .seq = 12 };
	other = ask(&req);
	expect_status(other, COORD_CTL_OK, "PING after a waiter left");
	tc_close(other);
	assert_int_equal(coord_engine_event(cl->h.node[0].e, 0)->state, COORD_EVENT_RELEASED);
}

static void test_cancel_ends_waiter(void **state)
{
	struct cluster *cl = *state;
	struct coord_ctl_request req = death_req(13, true);
	struct tclient *waiter = tc_connect(), *c;

	cl->h.node[2].hold_grace = true;
	tc_send(waiter, &req);
	if (!run_until(one_record, waiter, 3000))
		fail_msg("the first EVENT record did not come");
	req = (struct coord_ctl_request){ .type = COORD_CTL_CANCEL, .seq = 14 };
	req.u.cancel.id = waiter->rec[0].u.event.id;
	c = ask(&req);
	expect_status(c, COORD_CTL_OK, "CANCEL of our pending event");
	tc_close(c);
	if (!run_until(ended, waiter, 3000))
		fail_msg("the waiter was not answered when its event was cancelled");
	expect_status(waiter, COORD_CTL_EVENT_FAILED, "a cancelled event");
	if (!strstr(waiter->end.message, "cancelled"))
		fail_msg("the END should say cancelled; it says \"%s\"", waiter->end.message);
	tc_close(waiter);
	/* Cancelling it again: it has ended. */
	c = ask(&req);
	expect_status(c, COORD_CTL_NOT_CANCELLABLE, "CANCEL of an ended event");
	tc_close(c);
}

/* ---- EVENTS ---- */

static void test_events_last(void **state)
{
	struct cluster *cl = *state;
	struct coord_ctl_request req = death_req(15, false);
	struct coord_event_id second;
	struct tclient *c;
	size_t i;

	c = ask(&req);		/* event 1: ends at once */
	tc_close(c);
	req.u.death.n_vips = 0;
	req.seq = 16;
	c = ask(&req);		/* event 2: ends at once too */
	second = c->rec[0].u.event.id;
	tc_close(c);
	assert_int_equal(coord_engine_event_count(cl->h.node[0].e), 2);

	req = (struct coord_ctl_request){ .type = COORD_CTL_EVENTS, .seq = 17 };
	req.u.events.last = 1;
	c = ask(&req);
	expect_status(c, COORD_CTL_OK, "EVENTS --last 1");
	assert_int_equal(c->n, 1 + 2);	/* the event and its two survivors */
	assert_int_equal(c->rec[0].type, COORD_CTL_REC_EVENT);
	assert_true(coord_event_id_equal(&c->rec[0].u.event.id, &second));
	for (i = 1; i < 3; i++) {
		assert_int_equal(c->rec[i].type, COORD_CTL_REC_SURVIVOR);
		assert_true(coord_event_id_equal(&c->rec[i].u.survivor.event, &second));
	}
	tc_close(c);

	req.u.events.last = 0;
	c = ask(&req);
	assert_int_equal(c->n, 2 * 3);
	assert_string_equal(c->end.message, "2 of 2 recorded event(s)");
	tc_close(c);
}

/* ---- the converters ---- */

static void test_event_record_times(void **state)
{
	struct coord_event ev;
	struct coord_survivor svs[2];
	struct coord_ctl_event out;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.id = (struct coord_event_id){ 4, 9, 2 };
	ev.reason = COORD_DEATH_REPORTED;
	ev.state = COORD_EVENT_RETRY_WAIT;
	ev.reported_us = 900;
	ev.delivered_us = 1000;
	ev.deadline_us = 11000;
	ev.complete_us = 1500;
	ev.release_started_us = 1600;
	ev.retry_at_us = 5000;
	ev.release_status = -9;
	memset(svs, 0, sizeof(svs));
	ev.n_survivors = 2;
	ev.survivors = svs;
	ev.survivors[0].state = COORD_SURVIVOR_WAITING;
	ev.survivors[1].state = COORD_SURVIVOR_LEFT;
	ev.survivors[1].leave_reason = COORD_LEAVE_NODEDOWN;
	coord_dispatch_event_record(&ev, 3000, &out);
	assert_true(out.age_us == 2000);
	assert_true(out.report_us == 100);
	assert_true(out.complete_us == 500);
	assert_true(out.release_us == 600);
	assert_true(out.ended_us == COORD_CTL_NEVER);
	assert_true(out.deadline_us == 10000);
	assert_true(out.retry_us == 4000);
	assert_int_equal(out.release_status, -9);
	assert_int_equal(out.n_waiting, 1);
	ev.state = COORD_EVENT_WAITING;
	ev.reported_us = 0;
	coord_dispatch_event_record(&ev, 3000, &out);
	assert_true(out.retry_us == COORD_CTL_NEVER);
	assert_true(out.report_us == COORD_CTL_NEVER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_death_before_joining, setup_unjoined, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_up_after_death, setup, teardown),
		cmocka_unit_test_setup_teardown(test_death_sent_not_delivered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_death_reports_waiting_survivor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_death_wait_released, setup, teardown),
		cmocka_unit_test_setup_teardown(test_death_wait_follows_rerun, setup, teardown),
		cmocka_unit_test_setup_teardown(test_death_wait_release_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_death_wait_held, setup_hold, teardown),
		cmocka_unit_test_setup_teardown(test_waiter_leaves_then_event_ends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_ends_waiter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_last, setup, teardown),
		cmocka_unit_test(test_event_record_times),
	};

	return cmocka_run_group_tests_name("dispatch", tests, NULL, NULL);
}
