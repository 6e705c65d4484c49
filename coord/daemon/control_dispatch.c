/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Control requests -> engine calls -> reply records.
 *
 * Every handler answers with records and exactly one END, except DEATH
 * with WAIT: its client joins the waiters until the event ends (or is
 * held by policy), and is then sent the final EVENT, its SURVIVORs and
 * the END.  A waiter whose client goes away is simply forgotten; the
 * event goes on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control_dispatch.h"
#include "metrics.h"

#ifndef COORD_VERSION
#define COORD_VERSION "unknown"
#endif

_Static_assert(COORD_CODEC_ERROR_COUNT <= COORD_CTL_MAX_COUNTERS &&
	       COORD_REFUSAL_COUNT <= COORD_CTL_MAX_COUNTERS &&
	       COORD_CTL_CC_COUNT <= COORD_CTL_MAX_COUNTERS,
	       "counter arrays must fit a STATUS record");

struct waiter {
	struct coord_control_client *client;
	bool take_over;			/* waits for take_over_done(token) */
	uint32_t token;
	struct coord_event_id id;
	uint64_t reported_us;
	uint8_t reason;			/* enum coord_death_reason, for SENT */
	uint16_t n_vips;		/* as requested, for a SENT record */
	struct coord_vip vips[COORD_MAX_VIPS];
};

struct coord_dispatch {
	struct coord_dispatch_env env;
	bool withdrew;			/* a handover was withdrawn: pump */
	uint32_t next_token;
	size_t n_waiters;
	struct waiter waiters[COORD_CONTROL_MAX_CLIENTS];
};

static uint64_t now(const struct coord_dispatch *d)
{
	return d->env.now_us();
}

static void pump(struct coord_dispatch *d)
{
	if (d->env.pump)
		d->env.pump(d->env.pump_ctx);
}

/* ---- converters: engine structs -> control records ---- */

/* From base to t, or NEVER when t has not happened (0). */
static uint64_t since(uint64_t base, uint64_t t)
{
	if (!t)
		return COORD_CTL_NEVER;
	return t > base ? t - base : 0;
}

void coord_dispatch_event_record(const struct coord_event *ev, uint64_t now,
				 struct coord_ctl_event *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->id = ev->id;
	out->reason = ev->reason;
	out->state = ev->state;
	out->flags = (ev->local_origin ? COORD_CTL_EVENT_LOCAL_ORIGIN : 0) |
		     (ev->overdue ? COORD_CTL_EVENT_OVERDUE : 0);
	out->release_outcome = ev->release_outcome;
	out->release_attempts = ev->release_attempts;
	out->release_status = ev->release_status;
	out->n_survivors = ev->n_survivors;
	for (i = 0; i < ev->n_survivors; i++)
		if (!coord_survivor_settled(&ev->survivors[i]))
			out->n_waiting++;
	out->age_us = now > ev->delivered_us ? now - ev->delivered_us : 0;
	out->report_us = ev->reported_us ?
			 since(ev->reported_us, ev->delivered_us) : COORD_CTL_NEVER;
	out->complete_us = since(ev->delivered_us, ev->complete_us);
	out->release_us = since(ev->delivered_us, ev->release_started_us);
	out->ended_us = since(ev->delivered_us, ev->ended_us);
	out->deadline_us = since(ev->delivered_us, ev->deadline_us);
	out->retry_us = ev->state == COORD_EVENT_RETRY_WAIT ?
			since(ev->delivered_us, ev->retry_at_us) : COORD_CTL_NEVER;
	out->n_vips = ev->n_vips <= COORD_MAX_VIPS ? ev->n_vips : COORD_MAX_VIPS;
	memcpy(out->vips, ev->vips, out->n_vips * sizeof(out->vips[0]));
}

static void survivor_record(const struct coord_event *ev,
			    const struct coord_survivor *sv,
			    struct coord_ctl_survivor *out)
{
	memset(out, 0, sizeof(*out));
	out->event = ev->id;
	out->nodeid = sv->id.nodeid;
	out->pid = sv->id.pid;
	out->incarnation = sv->incarnation;
	out->state = sv->state;
	out->result = sv->state == COORD_SURVIVOR_ANSWERED ? sv->result : 0;
	out->flags = sv->late ? COORD_CTL_SURVIVOR_LATE : 0;
	out->leave_reason = sv->state == COORD_SURVIVOR_LEFT ? sv->leave_reason : 0;
	out->grace_latency_us = sv->grace_latency_us;
	out->at_us = since(ev->delivered_us, sv->at_us);
	snprintf(out->detail, sizeof(out->detail), "%s", sv->detail);
}

static void member_record(const struct coord_member *m, uint64_t now,
			  bool self, struct coord_ctl_member *out)
{
	memset(out, 0, sizeof(*out));
	out->nodeid = m->id.nodeid;
	out->pid = m->id.pid;
	out->incarnation = m->incarnation;
	out->flags = (self ? COORD_CTL_MEMBER_SELF : 0) |
		     (m->hello_seen ? COORD_CTL_MEMBER_HELLO_SEEN : 0) |
		     (m->server_down ? COORD_CTL_MEMBER_SERVER_DOWN : 0) |
		     (m->incompatible ? COORD_CTL_MEMBER_INCOMPATIBLE : 0);
	out->member_for_us = now > m->joined_us ? now - m->joined_us : 0;
	out->n_vips = m->n_vips <= COORD_MAX_VIPS ? m->n_vips : COORD_MAX_VIPS;
	memcpy(out->vips, m->vips, out->n_vips * sizeof(out->vips[0]));
}

/* ---- sending ---- */

static int send_event(struct coord_control_client *c, const struct coord_event *ev,
		      uint64_t t, bool with_survivors)
{
	struct coord_ctl_record rec = { .type = COORD_CTL_REC_EVENT };
	size_t i;
	int err;

	coord_dispatch_event_record(ev, t, &rec.u.event);
	err = coord_control_send(c, &rec);
	for (i = 0; with_survivors && !err && i < ev->n_survivors; i++) {
		rec.type = COORD_CTL_REC_SURVIVOR;
		survivor_record(ev, &ev->survivors[i], &rec.u.survivor);
		err = coord_control_send(c, &rec);
	}
	return err;
}

/* Our DEATH is broadcast but not delivered back yet: no record exists. */
static int send_sent_event(struct coord_control_client *c, const struct waiter *w,
			   uint64_t t)
{
	struct coord_ctl_record rec = { .type = COORD_CTL_REC_EVENT };
	struct coord_ctl_event *e = &rec.u.event;

	e->id = w->id;
	e->reason = w->reason;
	e->state = COORD_EVENT_SENT;
	e->flags = COORD_CTL_EVENT_LOCAL_ORIGIN;
	e->age_us = t > w->reported_us ? t - w->reported_us : 0;
	e->report_us = e->complete_us = e->release_us = e->ended_us =
		e->deadline_us = e->retry_us = COORD_CTL_NEVER;
	e->n_vips = w->n_vips;
	memcpy(e->vips, w->vips, w->n_vips * sizeof(w->vips[0]));
	return coord_control_send(c, &rec);
}

/* The END for a waited-for event that reached its end (or HELD). */
static uint16_t final_status(const struct coord_event *ev, char *msg, size_t len)
{
	char list[160];

	coord_event_unconfirmed(ev, list, sizeof(list));
	switch (ev->state) {
	case COORD_EVENT_RELEASED:
		if (ev->reason == COORD_DEATH_HANDOVER) {
			if (ev->release_outcome == COORD_RELEASE_UNCONFIRMED)
				snprintf(msg, len, "state dropped by policy without "
					 "confirmation from: %s", *list ? list : "(none)");
			else
				snprintf(msg, len, "handed over: every other member "
					 "confirmed grace, the local server dropped "
					 "the VIPs' state");
			return COORD_CTL_OK;
		}
		if (ev->release_outcome == COORD_RELEASE_UNCONFIRMED) {
			snprintf(msg, len, "released by policy without confirmation "
				 "from: %s", *list ? list : "(none)");
			return COORD_CTL_OK;
		}
		snprintf(msg, len, "released: every survivor confirmed grace");
		return COORD_CTL_OK;
	case COORD_EVENT_DONE:
		snprintf(msg, len, "done");
		return COORD_CTL_OK;
	case COORD_EVENT_RELEASE_FAILED:
		snprintf(msg, len, "%s failed %u time(s), last status %d",
			 ev->reason == COORD_DEATH_HANDOVER ? "dropping the VIPs' state" :
			 "the release command", ev->release_attempts, ev->release_status);
		return COORD_CTL_EVENT_FAILED;
	case COORD_EVENT_ABANDONED:
		snprintf(msg, len, "abandoned: this node left the group before the end");
		return COORD_CTL_EVENT_FAILED;
	case COORD_EVENT_CANCELLED:
		snprintf(msg, len, "cancelled");
		return COORD_CTL_EVENT_FAILED;
	case COORD_EVENT_HELD:
		snprintf(msg, len, "held by policy after the deadline; not confirmed "
			 "in grace: %s", *list ? list : "(none)");
		return COORD_CTL_EVENT_FAILED;
	}
	snprintf(msg, len, "event in state %s", coord_event_state_name(ev->state));
	return COORD_CTL_INTERNAL;
}

/* ---- waiters ---- */

static void waiter_remove(struct coord_dispatch *d, size_t i)
{
	d->waiters[i] = d->waiters[--d->n_waiters];
}

/* A give-up that failed (held by policy, or its client gone): the engine
 * withdraws its handover unless its drop runs.  True when it did. */
static bool give_up_failed(struct coord_dispatch *d, const struct coord_event_id *id)
{
	if (coord_engine_give_up_failed(d->env.engine, now(d), id) < 0)
		return false;
	d->withdrew = true;
	return true;
}

/* Answers waiter i if its wait is over; true when it was removed. */
static bool waiter_check(struct coord_dispatch *d, size_t i)
{
	struct waiter *w = &d->waiters[i];
	struct coord_control_client *c = w->client;
	const struct coord_event *ev;
	char msg[COORD_CTL_MESSAGE_MAX];
	uint16_t status;

	if (w->take_over)
		return false;	/* answered by coord_dispatch_take_over_done() */
	ev = coord_engine_find_event(d->env.engine, &w->id);
	if (!ev) {
		if (coord_engine_joined(d->env.engine))
			return false;	/* still on its way back to us */
		waiter_remove(d, i);
		coord_control_end(c, COORD_CTL_NOT_JOINED, "this node left the group "
				  "before its event was delivered");
		return true;
	}
	if (!coord_event_ended(ev) && ev->state != COORD_EVENT_HELD)
		return false;
	if (ev->state == COORD_EVENT_CANCELLED && ev->rerun_as.seq) {
		w->id = ev->rerun_as;	/* withdrawn for a joiner: wait for the re-run */
		return false;
	}
	waiter_remove(d, i);
	status = final_status(ev, msg, sizeof(msg));
	if (status != COORD_CTL_OK && ev->reason == COORD_DEATH_HANDOVER &&
	    give_up_failed(d, &ev->id)) {
		size_t len = strlen(msg);
		snprintf(msg + len, sizeof(msg) - len, "; the handover is withdrawn");
	}
	if (send_event(c, ev, now(d), true) == 0)
		coord_control_end(c, status, msg);
	return true;
}

void coord_dispatch_check_waiters(struct coord_dispatch *d)
{
	size_t i;

	/* Backwards: removal moves the last waiter into the hole. */
	for (i = d->n_waiters; i-- > 0;)
		waiter_check(d, i);
	if (d->withdrew) {	/* its CANCEL goes out (and this runs again) */
		d->withdrew = false;
		pump(d);
	}
}

void coord_dispatch_event_ended(struct coord_dispatch *d, const struct coord_event_id *id)
{
	(void)id;
	coord_dispatch_check_waiters(d);
}

/* ---- handlers ---- */

static void handle_ping(struct coord_dispatch *d, struct coord_control_client *c)
{
	(void)d;
	coord_control_end(c, COORD_CTL_OK, "coordd " COORD_VERSION);
}

static void status_record(struct coord_dispatch *d, struct coord_control_client *c,
			  const struct coord_daemon_status *st,
			  struct coord_ctl_status_rec *s)
{
	const struct coord_engine *e = d->env.engine;
	const struct coord_engine_counters *ec = coord_engine_counters(e);
	const struct coord_control_counters *cc =
		coord_control_counters(coord_control_of(c));
	const struct coord_member *self = coord_engine_self(e);
	size_t n_events = coord_engine_event_count(e), pending = coord_engine_pending_count(e);
	struct coord_target target;

	s->nodeid = st->nodeid ? st->nodeid : self ? self->id.nodeid : 0;
	s->pid = coord_engine_self_id(e).pid;
	s->incarnation = coord_engine_incarnation(e);
	s->proto_version = COORD_PROTO_VERSION;
	s->flags = (coord_engine_joined(e) ? COORD_CTL_ST_JOINED : 0) |
		   (st->cpg_connected ? COORD_CTL_ST_CPG_CONNECTED : 0) |
		   (coord_engine_quorate(e) ? COORD_CTL_ST_QUORATE : 0) |
		   (st->quorum_connected ? COORD_CTL_ST_QUORUM_CONNECTED : 0) |
		   (st->bus_connected ? COORD_CTL_ST_BUS_CONNECTED : 0);
	s->policy = (uint8_t)st->policy;	/* enum coord_policy */
	coord_engine_target(e, &target);
	s->target = (uint8_t)target.why;
	s->deadline_ms = st->deadline_ms;
	s->n_members = (uint16_t)coord_engine_member_count(e);
	s->n_pending = (uint16_t)pending;
	s->n_events = (uint16_t)n_events;
	s->n_clients = (uint16_t)cc->clients;
	s->uptime_us = st->uptime_us;
	s->n_engine = COORD_REFUSAL_COUNT;
	memcpy(s->engine, ec->count, sizeof(ec->count));
	s->n_wire = COORD_CODEC_ERROR_COUNT;
	memcpy(s->wire, st->wire_errors, sizeof(st->wire_errors));
	s->n_control = COORD_CTL_CC_COUNT;
	memcpy(s->control, cc->count, sizeof(cc->count));
	snprintf(s->group, sizeof(s->group), "%s", st->group ? st->group : "");
	snprintf(s->version, sizeof(s->version), "%s", COORD_VERSION);
	s->local_state = st->local_state;
	s->local_how = st->local_how;
	s->local_flags = st->local_flags;
	s->local_pid = st->local_pid;
	s->local_age_us = st->local_age_us ? st->local_age_us : COORD_CTL_NEVER;
	s->heartbeat_age_us = st->heartbeat_age_us ? st->heartbeat_age_us : COORD_CTL_NEVER;
	s->heartbeat_timeout_ms = st->heartbeat_timeout_ms;
	s->heartbeats = st->heartbeats;
}

static void handle_status(struct coord_dispatch *d, struct coord_control_client *c)
{
	struct coord_daemon_status st;
	struct coord_ctl_record rec = { .type = COORD_CTL_REC_STATUS };
	const struct coord_member *self;
	uint64_t t = now(d);
	size_t i, n;

	memset(&st, 0, sizeof(st));
	if (d->env.fill_status)
		d->env.fill_status(d->env.status_ctx, &st);
	status_record(d, c, &st, &rec.u.status);
	if (coord_control_send(c, &rec) < 0)
		return;
	self = coord_engine_self(d->env.engine);
	n = coord_engine_member_count(d->env.engine);
	for (i = 0; i < n; i++) {
		const struct coord_member *m = coord_engine_member(d->env.engine, i);

		rec.type = COORD_CTL_REC_MEMBER;
		member_record(m, t, m == self, &rec.u.member);
		if (coord_control_send(c, &rec) < 0)
			return;
	}
	coord_control_end(c, COORD_CTL_OK, NULL);
}

static void handle_events(struct coord_dispatch *d, struct coord_control_client *c,
			  uint16_t last)
{
	size_t i, n = coord_engine_event_count(d->env.engine);
	size_t first = last && last < n ? n - last : 0;
	uint64_t t = now(d);
	char msg[64];

	for (i = first; i < n; i++)
		if (send_event(c, coord_engine_event(d->env.engine, i), t, true) < 0)
			return;
	snprintf(msg, sizeof(msg), "%zu of %zu recorded event(s)", n - first, n);
	coord_control_end(c, COORD_CTL_OK, msg);
}

/* DEATH, and GIVE_UP (a handover: docs/design.md, "Every move is gated"). */
static void handle_death(struct coord_dispatch *d, struct coord_control_client *c,
			 const struct coord_ctl_request *req)
{
	bool wait = req->u.death.flags & COORD_CTL_DEATH_WAIT;
	bool handover = req->type == COORD_CTL_GIVE_UP;
	const char *what = handover ? "handover" : "death";
	const struct coord_event *ev;
	struct waiter w = { .client = c };
	char msg[COORD_CTL_MESSAGE_MAX], idbuf[64];
	uint64_t t = now(d);
	int err;

	if (handover)
		err = coord_engine_give_up(d->env.engine, t, req->u.death.vips,
					   req->u.death.n_vips, &w.id);
	else
		err = coord_engine_report_death(d->env.engine, t, req->u.death.vips,
						req->u.death.n_vips, &w.id);
	if (err == COORD_GIVE_UP_NOTHING_HELD && handover) {
		coord_control_end(c, COORD_CTL_OK, "the local server is reported "
				  "dead: it holds no state of these VIPs");
		return;
	}
	if (err == -ENOTCONN) {
		snprintf(msg, sizeof(msg), "coordd is not in the group: the %s was "
			 "not broadcast", what);
		coord_control_end(c, COORD_CTL_NOT_JOINED, msg);
		return;
	}
	if (err == -ENOSPC) {
		coord_control_end(c, COORD_CTL_TABLE_FULL, "the event table is full of "
				  "pending events");
		return;
	}
	if (err < 0) {
		snprintf(msg, sizeof(msg), "cannot report the %s: %s", what, strerror(-err));
		coord_control_end(c, err == -EINVAL ? COORD_CTL_BAD_REQUEST :
				  COORD_CTL_INTERNAL, msg);
		return;
	}
	if (d->env.local_report && !handover)
		d->env.local_report(d->env.local_ctx, true);
	w.reported_us = t;
	w.reason = handover ? COORD_DEATH_HANDOVER : COORD_DEATH_REPORTED;
	w.n_vips = req->u.death.n_vips;
	memcpy(w.vips, req->u.death.vips, w.n_vips * sizeof(w.vips[0]));
	pump(d);
	ev = coord_engine_find_event(d->env.engine, &w.id);
	err = ev ? send_event(c, ev, now(d), false) : send_sent_event(c, &w, now(d));
	if (err < 0)
		return;
	if (wait && d->n_waiters == COORD_CONTROL_MAX_CLIENTS) {
		coord_control_end(c, COORD_CTL_INTERNAL, "too many waiting clients");
		return;
	}
	if (wait) {
		/* An end reached while pumping is seen by this first check. */
		d->waiters[d->n_waiters++] = w;
		waiter_check(d, d->n_waiters - 1);
		return;
	}
	snprintf(msg, sizeof(msg), "%s reported: event %s", what,
		 coord_event_id_format(&w.id, idbuf, sizeof(idbuf)));
	coord_control_end(c, COORD_CTL_OK, msg);
}

/* VIPs are about to arrive (the gate's start): the engine's TAKE_OVER
 * action asks the local server into grace with every other node's
 * records; the END comes with coord_dispatch_take_over_done(). */
static void handle_take_over(struct coord_dispatch *d, struct coord_control_client *c,
			     const struct coord_ctl_request *req)
{
	struct waiter w = { .client = c, .take_over = true };
	char msg[COORD_CTL_MESSAGE_MAX];
	int err;

	if (d->n_waiters == COORD_CONTROL_MAX_CLIENTS) {
		coord_control_end(c, COORD_CTL_INTERNAL, "too many waiting clients");
		return;
	}
	w.token = ++d->next_token ? d->next_token : ++d->next_token;
	err = coord_engine_take_over(d->env.engine, now(d), w.token, req->u.death.vips,
				     req->u.death.n_vips);
	if (err == -ENOTCONN) {
		coord_control_end(c, COORD_CTL_NOT_JOINED, "coordd is not in the group: "
				  "no VIP may come here");
		return;
	}
	if (err < 0) {
		snprintf(msg, sizeof(msg), "cannot take over: %s", strerror(-err));
		coord_control_end(c, COORD_CTL_INTERNAL, msg);
		return;
	}
	w.n_vips = req->u.death.n_vips;
	memcpy(w.vips, req->u.death.vips, w.n_vips * sizeof(w.vips[0]));
	d->waiters[d->n_waiters++] = w;
	pump(d);
}

void coord_dispatch_take_over_done(struct coord_dispatch *d, uint32_t token,
				   uint8_t result, uint32_t latency_us, const char *detail)
{
	char msg[COORD_CTL_MESSAGE_MAX];
	size_t i;

	snprintf(msg, sizeof(msg), "%s in %u ms%s%s", result == COORD_ACK_IN_GRACE ?
		 "in grace, the other nodes' client records loaded" :
		 coord_ack_result_name(result), latency_us / 1000,
		 detail && *detail ? ": " : "", detail ? detail : "");
	for (i = 0; i < d->n_waiters; i++) {
		struct waiter *w = &d->waiters[i];
		if (!w->take_over || w->token != token)
			continue;
		coord_control_end(w->client, result == COORD_ACK_IN_GRACE ?
				  COORD_CTL_OK : COORD_CTL_EVENT_FAILED, msg);
		waiter_remove(d, i);
		return;
	}
	/* Its client went away meanwhile: nobody to tell. */
}

/* The agent sets ganesha-active only on OK: coordd vouches that this node
 * may receive VIPs (docs/design.md, "Who may receive a VIP"). */
static void handle_up(struct coord_dispatch *d, struct coord_control_client *c)
{
	char msg[COORD_CTL_MESSAGE_MAX], idbuf[64];
	struct coord_target t;

	coord_engine_report_up(d->env.engine, now(d));
	if (d->env.local_report)
		d->env.local_report(d->env.local_ctx, false);
	pump(d);
	coord_engine_target(d->env.engine, &t);
	switch (t.why) {
	case COORD_TARGET_YES:
		coord_control_end(c, COORD_CTL_OK, "local server reported up; "
				  "this node may receive VIPs");
		return;
	case COORD_TARGET_NOT_JOINED:
		coord_control_end(c, COORD_CTL_NOT_JOINED, "local server reported up; "
				  "coordd is not in the group: no VIP may come here");
		return;
	case COORD_TARGET_SYNCING:
		snprintf(msg, sizeof(msg), "local server reported up; not a VIP target "
			 "yet: no HELLO from node %u since joining", t.node);
		break;
	case COORD_TARGET_GRACE_PENDING:
		snprintf(msg, sizeof(msg), "local server reported up; not a VIP target "
			 "yet: not in grace for event %s",
			 coord_event_id_format(&t.event, idbuf, sizeof(idbuf)));
		break;
	default:
		snprintf(msg, sizeof(msg), "local server reported up; not a VIP target "
			 "yet: %s", coord_target_why_name(t.why));
		break;
	}
	coord_control_end(c, COORD_CTL_NOT_TARGET, msg);
}

static void handle_cancel(struct coord_dispatch *d, struct coord_control_client *c,
			  const struct coord_event_id *id)
{
	char msg[COORD_CTL_MESSAGE_MAX], idbuf[64];
	int err;

	coord_event_id_format(id, idbuf, sizeof(idbuf));
	err = coord_engine_cancel(d->env.engine, now(d), id);
	switch (err) {
	case 0:
		pump(d);
		snprintf(msg, sizeof(msg), "cancel of event %s broadcast", idbuf);
		coord_control_end(c, COORD_CTL_OK, msg);
		return;
	case -ENOENT:
		snprintf(msg, sizeof(msg), "no event %s is recorded", idbuf);
		coord_control_end(c, COORD_CTL_NO_SUCH_EVENT, msg);
		return;
	case -EPERM:
		snprintf(msg, sizeof(msg), "event %s is not a death this node "
			 "reported: only its origin may cancel it", idbuf);
		coord_control_end(c, COORD_CTL_NOT_ORIGIN, msg);
		return;
	case -EBUSY:
		snprintf(msg, sizeof(msg), "event %s has ended or its release is "
			 "running", idbuf);
		coord_control_end(c, COORD_CTL_NOT_CANCELLABLE, msg);
		return;
	case -ENOTCONN:
		coord_control_end(c, COORD_CTL_NOT_JOINED, "coordd is not in the group");
		return;
	}
	snprintf(msg, sizeof(msg), "cannot cancel event %s: %s", idbuf, strerror(-err));
	coord_control_end(c, COORD_CTL_INTERNAL, msg);
}

/* The Prometheus text, in TEXT records of at most COORD_CTL_TEXT_MAX bytes. */
static void handle_metrics(struct coord_dispatch *d, struct coord_control_client *c)
{
	struct coord_ctl_record rec = { .type = COORD_CTL_REC_TEXT };
	char *text;
	size_t off = 0;
	int len;

	if (!d->env.render_metrics) {
		coord_control_end(c, COORD_CTL_INTERNAL, "no metrics in this coordd");
		return;
	}
	text = malloc(COORD_METRICS_TEXT_MAX);
	len = text ? d->env.render_metrics(d->env.metrics_ctx, text,
					   COORD_METRICS_TEXT_MAX) : -ENOMEM;
	if (len < 0) {
		free(text);
		coord_control_end(c, COORD_CTL_INTERNAL, "cannot render the metrics");
		return;
	}
	while (off < (size_t)len) {
		size_t n = (size_t)len - off;

		rec.u.text.len = (uint16_t)(n < COORD_CTL_TEXT_MAX ? n : COORD_CTL_TEXT_MAX);
		memcpy(rec.u.text.text, text + off, rec.u.text.len);
		off += rec.u.text.len;
		if (coord_control_send(c, &rec) < 0) {
			free(text);
			return;
		}
	}
	free(text);
	coord_control_end(c, COORD_CTL_OK, NULL);
}

static void on_request(void *ctx, struct coord_control_client *c,
		       const struct coord_ctl_request *req)
{
	struct coord_dispatch *d = ctx;

	switch (req->type) {
	case COORD_CTL_PING:
		handle_ping(d, c);
		return;
	case COORD_CTL_STATUS:
		handle_status(d, c);
		return;
	case COORD_CTL_EVENTS:
		handle_events(d, c, req->u.events.last);
		return;
	case COORD_CTL_DEATH:
	case COORD_CTL_GIVE_UP:
		handle_death(d, c, req);
		return;
	case COORD_CTL_TAKE_OVER:
		handle_take_over(d, c, req);
		return;
	case COORD_CTL_UP:
		handle_up(d, c);
		return;
	case COORD_CTL_CANCEL:
		handle_cancel(d, c, &req->u.cancel.id);
		return;
	case COORD_CTL_METRICS:
		handle_metrics(d, c);
		return;
	}
	coord_control_end(c, COORD_CTL_BAD_REQUEST, "unknown request");
}

static void on_client_gone(void *ctx, struct coord_control_client *c)
{
	struct coord_dispatch *d = ctx;
	size_t i;

	for (i = d->n_waiters; i-- > 0;) {
		const struct waiter *w = &d->waiters[i];
		if (w->client != c)
			continue;
		if (!w->take_over && w->reason == COORD_DEATH_HANDOVER)
			give_up_failed(d, &w->id);
		waiter_remove(d, i);
	}
	if (d->withdrew) {
		d->withdrew = false;
		pump(d);
	}
}

const struct coord_control_ops *coord_dispatch_control_ops(void)
{
	static const struct coord_control_ops ops = {
		.request = on_request,
		.client_gone = on_client_gone,
	};

	return &ops;
}

struct coord_dispatch *coord_dispatch_new(const struct coord_dispatch_env *env)
{
	struct coord_dispatch *d;

	if (!env || !env->engine || !env->now_us)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->env = *env;
	return d;
}

void coord_dispatch_free(struct coord_dispatch *d)
{
	free(d);
}
