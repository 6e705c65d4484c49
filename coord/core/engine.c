/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The confirmed-grace barrier engine.
 *
 * Protocol, as every coordd runs it (CPG gives one agreed order of
 * messages and configuration changes to all members: every rule below
 * depends only on that order, so every node derives the same records):
 *
 * 1. Joining.  When a configuration change first lists this node, it is
 *    joined and multicasts HELLO (incarnation, its VIPs, whether its
 *    server is up).  Whenever a change has joiners, every member sends
 *    HELLO again, so a joiner learns everybody's VIPs.  A joiner never
 *    saw the DEATHs delivered before it joined, yet its agent may make it
 *    a VIP target: so the origin of an event not yet released withdraws
 *    it and reports the death again (rule 6), *before* its HELLO.  By
 *    CPG's FIFO order the joiner then holds the new DEATH before it has
 *    heard every member's HELLO, and it vouches for itself as a target
 *    (coord_engine_target) only after both, and after its own in-grace
 *    answer.
 *
 * 2. A death.  The agent reports the local ganesha.nfsd dead
 *    (report_death).  The origin multicasts DEATH(event id, VIPs).  When
 *    the DEATH is delivered, each node records the event.  Its survivors
 *    are the members of the group at that moment whose node id is not the
 *    origin's; all nodes hold the same membership then, so all derive the
 *    same set.  Members that join later are not waited for.
 *
 * 3. Grace.  Every survivor asks its local server to enter grace for the
 *    event's VIPs (GRACE action) and multicasts ACK with the real result.
 *    A survivor that has reported its own server dead answers SELF_DOWN
 *    without asking: it cannot take a VIP.
 *
 * 4. The barrier.  A survivor is settled when it answered, its own DEATH
 *    was delivered, it speaks another major version, or it left the group
 *    and its node is gone (CPG said NODEDOWN, or a quorum view no longer
 *    lists it).  It is confirmed when it answered IN_GRACE (or SELF_DOWN),
 *    is down, or left with its node.  A survivor whose coordd left while
 *    its node lives is neither: that node may still hold ganesha-active
 *    with its ganesha out of grace, so the event waits for it to rejoin
 *    (rule 6) or for the deadline.  The first settlement is final: a later
 *    answer from a survivor already down changes nothing.  When every
 *    survivor is
 *    confirmed, the origin runs the release (RELEASE action), once.  When
 *    every survivor is settled but some answered with a failure, or when
 *    the deadline passes first, the policy decides: `release` releases
 *    anyway and the record names who never confirmed; `hold` waits (a late
 *    confirmation still releases; an administrator may cancel: the origin
 *    ends the event when it sends the CANCEL, so it starts no release the
 *    others, ending it at the CANCEL's delivery, would not know of).  The origin
 *    never starts a release while it is inquorate, nor while its quorum
 *    information is older than the group's membership: a member that left
 *    because its node went down but is still in the last quorum view means
 *    corosync's quorum notification for that change has not arrived yet.
 *
 * 5. The release.  A failed release command is retried with doubling
 *    back-off, a bounded number of times.  When it succeeds, or finally
 *    fails, the origin multicasts RELEASE so every record shows the end.
 *
 * 6. Leaving.  A survivor that leaves while an event waits for it is
 *    recorded as left, and stops being waited for only if its node went
 *    too (rule 4).  A member that joins (or a survivor that comes back)
 *    while the origin's event waits, is held or backs off between release
 *    attempts makes the origin withdraw it (CANCEL, reason rejoined) and
 *    report the death again: the new event waits for every member it has
 *    now, with a fresh deadline the first COORD_MAX_RERUNS times (a healed
 *    partition may have kept the old one waiting for quorum long past
 *    its deadline), the withdrawn one's after that, so joins cannot put
 *    the policy off for ever.  When the origin leaves before its event
 *    ended, the event is abandoned on every node: nobody else may release
 *    another node's attribute, and a restarted origin is asked again by
 *    its agent's next monitor.  When a member leaves for any reason but a
 *    clean LEAVE (its node or its coordd died), every remaining member
 *    records a node-left event and enters grace for the VIPs that member
 *    announced, without waiting for any message; it has nothing to
 *    release, so it ends when every survivor settled or at its deadline.
 *    A member that never sent a HELLO announced nothing: its departure
 *    makes no event, unless its whole node went down.
 *
 * 7. Handover (docs/protocol.md).  The gate's stop gives VIPs up whose
 *    address has left this node (give_up): a handover event, a barrier as
 *    above where every other member loads this node's records ("4:N");
 *    its release is a DROP of the VIPs' state by the local server, and a
 *    server not on the bus holds none (drop_done: success).  A server
 *    reported dead holds nothing: no event.  A give-up that failed (held,
 *    or its client gone: the address may start here again) withdraws the
 *    handover unless its drop runs (give_up_failed).  The gate's start
 *    (take_over) sends nothing: one action asks the local server into
 *    grace with the records of every other node it knows of; for a VIP
 *    whose clients its drop left stale, once the server has reaped them
 *    (note_unreaped).
 *
 * Messages that break these rules (wrong sender, stale incarnation, an
 * incarnation another process on the node uses, an acknowledgement for no
 * event...) are counted and dropped: they never change a record.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "coord/engine.h"

struct coord_engine {
	struct coord_engine_config cfg;
	uint64_t incarnation;
	uint32_t self_pid;
	bool joined;
	bool quorate;
	bool view_known;		/* the quorum view below is valid */
	uint64_t join_wait_until;	/* a node of the view without a member
					 * may still get one until then (0: none):
					 * CPG's side of a view that brought news,
					 * or a coordd restarting on a live node */
	size_t n_view;
	uint32_t view[COORD_MAX_NODES * 2];	/* nodes in the quorum view */
	size_t n_nodedown;
	uint32_t nodedown[COORD_MAX_NODES];	/* left the group: NODEDOWN */
	bool server_up;			/* what HELLO says of our server */
	/* VIPs whose clients our server dropped (a handover) and may not have
	 * reaped yet, until when; take-overs of them waiting for that. */
	size_t n_unreaped;
	struct unreaped {
		struct coord_vip vip;
		uint64_t until;
	} unreaped[COORD_MAX_VIPS];
	size_t n_held;
	struct held_take_over {
		uint32_t request;
		uint16_t n_vips;
		struct coord_vip vips[COORD_MAX_VIPS];
	} held[COORD_MAX_VIPS];
	uint32_t next_seq;
	/* Our DEATHs sent and not delivered yet: what their records inherit. */
	size_t n_in_flight;
	struct report {
		struct coord_event_id id;
		uint8_t reason;		/* enum coord_death_reason */
		uint64_t reported_us;
		uint64_t deadline_us;	/* a re-run's inherited deadline, or 0 */
		uint8_t reruns;
	} in_flight[COORD_MAX_IN_FLIGHT];

	size_t n_members;
	struct coord_member members[COORD_MAX_NODES];

	/* Events in delivery order: order[] indexes the slot pool. */
	size_t n_events;
	uint16_t order[COORD_MAX_EVENTS];
	bool slot_used[COORD_MAX_EVENTS];
	struct coord_event *slots;	/* grows up to COORD_MAX_EVENTS */
	size_t n_slots;

	/* A ring that grows on demand up to COORD_MAX_ACTIONS: a new engine
	 * costs a few KiB, not 300 (the simulator starts millions). */
	size_t act_head, act_count, act_cap;
	struct coord_action *actions;

	struct coord_engine_counters counters;
};

static void elog_text(struct coord_engine *e, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The arguments (event ids formatted...) are evaluated only with a logger. */
#define elog(e, ...) do { if ((e)->cfg.log) elog_text((e), __VA_ARGS__); } while (0)

static void elog_text(struct coord_engine *e, int prio, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	e->cfg.log(e->cfg.log_ctx, prio, text);
}

#define EVID(ev, buf) coord_event_id_format(&(ev)->id, (buf), sizeof(buf))

/* ---- actions ---- */

static struct coord_action *action_push(struct coord_engine *e,
					enum coord_action_kind kind)
{
	struct coord_action *a;

	if (e->act_count == e->act_cap && e->act_cap < COORD_MAX_ACTIONS) {
		size_t n = e->act_cap ? e->act_cap * 2 : 8, i;
		struct coord_action *grown;

		if (n > COORD_MAX_ACTIONS)
			n = COORD_MAX_ACTIONS;
		grown = malloc(n * sizeof(*grown));
		if (grown) {	/* unrolled from the head, in order */
			for (i = 0; i < e->act_count; i++)
				grown[i] = e->actions[(e->act_head + i) % e->act_cap];
			free(e->actions);
			e->actions = grown;
			e->act_cap = n;
			e->act_head = 0;
		}
	}
	if (e->act_count == e->act_cap) {
		e->counters.count[COORD_ACTION_OVERFLOW]++;
		elog(e, LOG_ERR, "action queue full: an action was lost");
		return NULL;
	}
	a = &e->actions[(e->act_head + e->act_count) % e->act_cap];
	e->act_count++;
	a->kind = kind;
	a->n_vips = 0;
	a->load_node = 0;
	a->request = 0;
	a->n_nodes = 0;
	return a;
}

bool coord_engine_next_action(struct coord_engine *e, struct coord_action *out)
{
	if (e->act_count == 0)
		return false;
	*out = e->actions[e->act_head];
	e->act_head = (e->act_head + 1) % e->act_cap;
	e->act_count--;
	return true;
}

static struct coord_msg *send_msg(struct coord_engine *e, uint16_t type)
{
	struct coord_action *a;

	if (!e->joined)
		return NULL;
	a = action_push(e, COORD_ACTION_SEND);
	if (!a)
		return NULL;
	memset(&a->msg, 0, sizeof(a->msg));
	a->msg.version = COORD_PROTO_VERSION;
	a->msg.type = type;
	a->msg.sender = e->cfg.nodeid;
	a->msg.incarnation = e->incarnation;
	return &a->msg;
}

static void send_hello(struct coord_engine *e)
{
	struct coord_msg *m = send_msg(e, COORD_MSG_HELLO);

	if (!m)
		return;
	m->u.hello.flags = e->server_up ? COORD_HELLO_SERVER_UP : 0;
	m->u.hello.n_vips = e->cfg.n_vips;
	memcpy(m->u.hello.vips, e->cfg.vips, sizeof(m->u.hello.vips));
}

static void send_ack(struct coord_engine *e, const struct coord_event_id *id,
		     uint8_t result, uint32_t latency_us, const char *detail)
{
	struct coord_msg *m = send_msg(e, COORD_MSG_ACK);

	if (!m)
		return;
	m->u.ack.id = *id;
	m->u.ack.result = result;
	m->u.ack.grace_latency_us = latency_us;
	/* The detail comes from the local server: keep it printable. */
	m->u.ack.detail_len = (uint16_t)coord_text_printable(m->u.ack.detail, 0,
							      COORD_DETAIL_MAX, detail);
}

static void send_release_notice(struct coord_engine *e, const struct coord_event *ev)
{
	struct coord_msg *m = send_msg(e, COORD_MSG_RELEASE);

	if (!m)
		return;
	m->u.release.id = ev->id;
	m->u.release.outcome = ev->release_outcome;
	m->u.release.status = ev->release_status;
}

static void ask_grace(struct coord_engine *e, const struct coord_event *ev)
{
	struct coord_action *a;

	if (!e->server_up) {
		/* Our own server is dead: nothing to ask, and no VIP comes here. */
		send_ack(e, &ev->id, COORD_ACK_SELF_DOWN, 0,
			 "this node reported its own server dead");
		return;
	}
	a = action_push(e, COORD_ACTION_GRACE);
	if (!a)
		return;
	a->event = ev->id;
	/* A handover's VIPs stay where the origin's records are: here it is
	 * grace, so that no lock the origin drops is granted.  With the
	 * origin's records loaded ("4:origin", the VIPs' clients among them):
	 * a ganesha whose reclaim list is empty ends a bare "0:" grace at its
	 * next reaper run (no NLM: nobody left to reclaim), seconds before a
	 * client that renews late reclaims on the new holder. */
	if (ev->reason == COORD_DEATH_HANDOVER) {
		a->load_node = ev->id.origin;
		return;
	}
	a->n_vips = ev->n_vips;
	memcpy(a->vips, ev->vips, sizeof(a->vips));
}

/* ---- members ---- */

static struct coord_member *member_find(struct coord_engine *e,
					struct coord_member_id id)
{
	size_t i;

	for (i = 0; i < e->n_members; i++)
		if (coord_member_id_equal(e->members[i].id, id))
			return &e->members[i];
	return NULL;
}

static bool member_id_in(struct coord_member_id id,
			 const struct coord_member_id *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (coord_member_id_equal(list[i], id))
			return true;
	return false;
}

/* Whether a process on the node is a member of the group. */
static bool node_has_member(const struct coord_engine *e, uint32_t nodeid)
{
	size_t i;

	for (i = 0; i < e->n_members; i++)
		if (e->members[i].id.nodeid == nodeid)
			return true;
	return false;
}

/* The survivor record of member id in ev, or NULL (a member is a survivor
 * at most once: survivors are the members at the DEATH's delivery).  Like
 * strchr, it hands back a mutable record of a const event. */
static struct coord_survivor *survivor_of(const struct coord_event *ev,
					  struct coord_member_id id)
{
	size_t i;

	for (i = 0; i < ev->n_survivors; i++)
		if (coord_member_id_equal(ev->survivors[i].id, id))
			return (struct coord_survivor *)&ev->survivors[i];
	return NULL;
}

/* ---- events ---- */

size_t coord_engine_other_nodes(const struct coord_engine *e, uint32_t *out, size_t max)
{
	size_t i, j, n = 0;

	for (i = 0; i < e->n_members + e->n_view; i++) {
		uint32_t node = i < e->n_members ? e->members[i].id.nodeid :
			        e->view[i - e->n_members];
		if (node == e->cfg.nodeid || !node)
			continue;
		for (j = 0; j < n && out[j] != node; j++)
			;
		if (j == n && n < max)
			out[n++] = node;
	}
	return n;
}

bool coord_event_ended(const struct coord_event *ev)
{
	return coord_event_state_final(ev->state);
}

size_t coord_engine_event_count(const struct coord_engine *e)
{
	return e->n_events;
}

const struct coord_event *coord_engine_event(const struct coord_engine *e, size_t i)
{
	return i < e->n_events ? &e->slots[e->order[i]] : NULL;
}

static struct coord_event *event_find(struct coord_engine *e,
				      const struct coord_event_id *id)
{
	size_t i;

	for (i = e->n_events; i-- > 0;) {
		struct coord_event *ev = &e->slots[e->order[i]];
		if (coord_event_id_equal(&ev->id, id))
			return ev;
	}
	return NULL;
}

const struct coord_event *coord_engine_find_event(const struct coord_engine *e,
						  const struct coord_event_id *id)
{
	return event_find((struct coord_engine *)e, id);
}

size_t coord_engine_pending_count(const struct coord_engine *e)
{
	size_t i, n = 0;

	for (i = 0; i < e->n_events; i++)
		if (!coord_event_ended(&e->slots[e->order[i]]))
			n++;
	return n;
}

/* Drops the i-th event in delivery order, and its survivor array. */
static void event_forget(struct coord_engine *e, size_t i)
{
	struct coord_event *ev = &e->slots[e->order[i]];

	free(ev->survivors);
	ev->survivors = NULL;
	e->slot_used[e->order[i]] = false;
	memmove(&e->order[i], &e->order[i + 1], (e->n_events - i - 1) * sizeof(e->order[0]));
	e->n_events--;
}

/* Makes room by forgetting the oldest ended event; pending ones are kept.
 * The table grows on demand (an idle coordd stays small); growing moves
 * the records, so no caller keeps an event pointer across this call. */
static struct coord_event *event_alloc(struct coord_engine *e)
{
	size_t i, slot;

	if (e->n_events == e->n_slots && e->n_slots < COORD_MAX_EVENTS) {
		size_t n = e->n_slots ? e->n_slots * 2 : 8;
		struct coord_event *grown;

		if (n > COORD_MAX_EVENTS)
			n = COORD_MAX_EVENTS;
		grown = realloc(e->slots, n * sizeof(*grown));
		if (grown) {
			e->slots = grown;
			e->n_slots = n;
		}
	}
	if (e->n_events == e->n_slots) {
		for (i = 0; i < e->n_events; i++)
			if (coord_event_ended(&e->slots[e->order[i]]))
				break;
		if (i == e->n_events)
			return NULL;
		event_forget(e, i);
	}
	for (slot = 0; e->slot_used[slot]; slot++)
		;
	e->slot_used[slot] = true;
	e->order[e->n_events++] = (uint16_t)slot;
	memset(&e->slots[slot], 0, sizeof(e->slots[slot]));
	return &e->slots[slot];
}

/* A new event, its survivors being the members not on the origin's node. */
static struct coord_event *event_create(struct coord_engine *e, uint64_t now,
					const struct coord_event_id *id, uint8_t reason,
					const struct coord_vip *vips, uint16_t n_vips)
{
	struct coord_survivor *svs = NULL;
	struct coord_event *ev = NULL;
	char buf[64];
	size_t i, j, n = 0;

	for (i = 0; i < e->n_members; i++)
		if (e->members[i].id.nodeid != id->origin)
			n++;
	if (!n || (svs = calloc(n, sizeof(*svs))))
		ev = event_alloc(e);
	if (!ev) {
		free(svs);
		e->counters.count[COORD_TABLE_FULL]++;
		elog(e, LOG_ERR, "event %s not recorded: %s",
		     coord_event_id_format(id, buf, sizeof(buf)), n && !svs ?
		     "no memory" : "the table is full of pending events");
		return NULL;
	}
	ev->id = *id;
	ev->reason = reason;
	ev->state = COORD_EVENT_WAITING;
	ev->local_origin = id->origin == e->cfg.nodeid && id->incarnation == e->incarnation;
	ev->n_vips = n_vips;
	memcpy(ev->vips, vips, n_vips * sizeof(vips[0]));
	ev->delivered_us = now;
	ev->deadline_us = now + e->cfg.deadline_us;
	ev->survivors = svs;
	for (i = 0; i < e->n_members; i++) {
		const struct coord_member *m = &e->members[i];
		struct coord_survivor *sv;

		if (m->id.nodeid == id->origin)
			continue;
		/* Ordered by (node id, pid): the member table's order depends on
		 * when this node joined, the record must not. */
		for (j = ev->n_survivors; j > 0; j--) {
			const struct coord_member_id *p = &ev->survivors[j - 1].id;
			if (p->nodeid < m->id.nodeid ||
			    (p->nodeid == m->id.nodeid && p->pid < m->id.pid))
				break;
			ev->survivors[j] = ev->survivors[j - 1];
		}
		sv = &ev->survivors[j];
		memset(sv, 0, sizeof(*sv));
		ev->n_survivors++;
		sv->id = m->id;
		sv->incarnation = m->incarnation;
		sv->state = COORD_SURVIVOR_WAITING;
		if (m->incompatible) {
			sv->state = COORD_SURVIVOR_INCOMPATIBLE;
			snprintf(sv->detail, sizeof(sv->detail), "protocol %u.%u",
				 m->version >> 8, m->version & 0xff);
		}
	}
	return ev;
}

static void event_end(struct coord_engine *e, struct coord_event *ev,
		      uint64_t now, uint8_t state)
{
	struct coord_action *a;
	char buf[64];

	ev->state = state;
	ev->ended_us = now;
	elog(e, state == COORD_EVENT_RELEASED || state == COORD_EVENT_DONE ?
	     LOG_NOTICE : LOG_WARNING, "event %s: %s after %llu ms",
	     EVID(ev, buf), coord_event_state_name(state),
	     (unsigned long long)(now - ev->delivered_us) / 1000);
	a = action_push(e, COORD_ACTION_EVENT_ENDED);
	if (a) {
		a->event = ev->id;
		a->state = state;
	}
}

static void set_state(struct coord_engine *e, struct coord_event *ev, uint8_t state)
{
	char buf[64];

	if (ev->state == state)
		return;
	elog(e, LOG_NOTICE, "event %s: %s -> %s", EVID(ev, buf),
	     coord_event_state_name(ev->state), coord_event_state_name(state));
	ev->state = state;
}

/* Left, and its node with it: it can take no VIP. */
static bool survivor_node_gone(const struct coord_survivor *sv)
{
	return sv->state == COORD_SURVIVOR_LEFT &&
	       (sv->leave_reason == COORD_LEAVE_NODEDOWN || sv->quorum_gone);
}

static bool survivor_settled(const struct coord_survivor *sv)
{
	switch (sv->state) {
	case COORD_SURVIVOR_WAITING:
		return false;
	case COORD_SURVIVOR_LEFT:
		return survivor_node_gone(sv);
	default:
		return true;
	}
}

static bool survivor_confirmed(const struct coord_survivor *sv)
{
	switch (sv->state) {
	case COORD_SURVIVOR_LEFT:
		return survivor_node_gone(sv);
	case COORD_SURVIVOR_DOWN:
		return true;
	case COORD_SURVIVOR_ANSWERED:
		return sv->result == COORD_ACK_IN_GRACE ||
		       sv->result == COORD_ACK_SELF_DOWN;
	default:
		return false;
	}
}

/* Quorate, by quorum information at least as new as the membership. */
static bool quorate_now(const struct coord_engine *e)
{
	size_t i, j;

	if (!e->quorate)
		return false;
	if (!e->view_known)
		return true;
	for (i = 0; i < e->n_nodedown; i++)
		for (j = 0; j < e->n_view; j++)
			if (e->nodedown[i] == e->view[j])
				return false;
	return true;
}

static bool in_view(const struct coord_engine *e, uint32_t nodeid)
{
	size_t i;

	for (i = 0; i < e->n_view; i++)
		if (e->view[i] == nodeid)
			return true;
	return false;
}

/* A survivor's node that left the cluster and is in the quorum view again
 * but not yet in the group: corosync's quorum service tells of a merge
 * before CPG does.  Its coordd is about to rejoin, without grace for the
 * event (see rerun_for_joiners).  Returns its node id, or 0. */
static uint32_t survivor_coming_back(const struct coord_engine *e,
				     const struct coord_event *ev)
{
	size_t i;

	for (i = 0; i < ev->n_survivors; i++) {
		const struct coord_survivor *sv = &ev->survivors[i];

		if (sv->state == COORD_SURVIVOR_LEFT && sv->quorum_gone &&
		    in_view(e, sv->id.nodeid) && !node_has_member(e, sv->id.nodeid))
			return sv->id.nodeid;
	}
	return 0;
}

/* A node of the quorum view without a member in the group, or 0. */
static uint32_t view_non_member(const struct coord_engine *e)
{
	size_t i;

	for (i = 0; i < e->n_view; i++)
		if (!node_has_member(e, e->view[i]))
			return e->view[i];
	return 0;
}

static void note_unreaped(struct coord_engine *e, uint64_t now,
			  const struct coord_event *ev);
static void withdraw_and_rerun(struct coord_engine *e, uint64_t now,
			       struct coord_event *ev, uint32_t who);

static void release_start(struct coord_engine *e, struct coord_event *ev, uint64_t now)
{
	struct coord_action *a;
	char buf[64];
	uint32_t back, news;

	/* A survivor back in the cluster was never in grace for the event.
	 * Its coordd rejoins within the restart wait from the view that
	 * brought its node back (rerun_for_joiners), or it has none: the event
	 * is run again without it, and its agent has taken its attribute away,
	 * as for any node of the view without a coordd.  The first attempt's
	 * decision no longer holds, so a retry is run again too. */
	back = survivor_coming_back(e, ev);
	if (back && now < e->join_wait_until) {
		if (ev->state != COORD_EVENT_JOIN_WAIT)
			elog(e, LOG_WARNING, "event %s: ready to release, but node %u, "
			     "a survivor that left, is back in the cluster: waiting for "
			     "it to rejoin the group", EVID(ev, buf), back);
		set_state(e, ev, COORD_EVENT_JOIN_WAIT);
		return;
	}
	if (back) {
		withdraw_and_rerun(e, now, ev, back);
		return;
	}
	if (!quorate_now(e)) {
		if (ev->state != COORD_EVENT_QUORUM_WAIT)
			elog(e, LOG_WARNING, "event %s: ready to release, "
			     "but this node is inquorate: waiting", EVID(ev, buf));
		set_state(e, ev, COORD_EVENT_QUORUM_WAIT);
		return;
	}
	/* A node of the view without a coordd in the group may get one: a
	 * merge (corosync's quorum service tells of it before CPG does, and
	 * the nodes it brings may hold ganesha-active from the other side), a
	 * coordd restarting (await_restart).  Its coordd joins within the
	 * restart wait and the event is re-run for it (rerun_for_joiners), or
	 * its agent has taken its attribute away. */
	if (now < e->join_wait_until && (news = view_non_member(e))) {
		if (ev->state != COORD_EVENT_JOIN_WAIT)
			elog(e, LOG_WARNING, "event %s: ready to release, but node %u "
			     "is in the quorum view and not in the group yet: waiting "
			     "for it to join", EVID(ev, buf), news);
		set_state(e, ev, COORD_EVENT_JOIN_WAIT);
		return;
	}
	set_state(e, ev, COORD_EVENT_RELEASING);
	if (!ev->release_started_us)
		ev->release_started_us = now;
	ev->release_attempts++;
	if (ev->reason == COORD_DEATH_HANDOVER) {
		/* A handover's release: the origin's server drops the VIPs'
		 * state, now that every other server is in grace. */
		a = action_push(e, COORD_ACTION_DROP);
		if (a) {
			a->event = ev->id;
			a->n_vips = ev->n_vips;
			memcpy(a->vips, ev->vips, sizeof(a->vips));
		}
		return;
	}
	a = action_push(e, COORD_ACTION_RELEASE);
	if (a)
		a->event = ev->id;
}

size_t coord_event_unconfirmed(const struct coord_event *ev, char *buf, size_t len)
{
	size_t i, off = 0;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < ev->n_survivors && off < len; i++) {
		const struct coord_survivor *sv = &ev->survivors[i];
		char why[48];

		if (survivor_confirmed(sv))
			continue;
		if (sv->state == COORD_SURVIVOR_ANSWERED)
			snprintf(why, sizeof(why), "%s", coord_ack_result_name(sv->result));
		else if (sv->state == COORD_SURVIVOR_LEFT)
			snprintf(why, sizeof(why), "left (%s), node alive",
				 coord_leave_reason_name(sv->leave_reason));
		else if (sv->state == COORD_SURVIVOR_INCOMPATIBLE)
			snprintf(why, sizeof(why), "incompatible: %.32s", sv->detail);
		else
			snprintf(why, sizeof(why), "no answer");
		off += (size_t)snprintf(buf + off, len - off, "%s%u (%s)",
					off ? ", " : "", sv->id.nodeid, why);
	}
	/* snprintf counts what it would have written: cut to what was. */
	return len && off >= len ? len - 1 : off;
}

bool coord_survivor_settled(const struct coord_survivor *sv)
{
	return survivor_settled(sv);
}

static void name_unconfirmed(struct coord_engine *e, const struct coord_event *ev,
			     const char *why)
{
	char list[256], buf[64];

	coord_event_unconfirmed(ev, list, sizeof(list));
	elog(e, LOG_WARNING, "event %s: %s; not confirmed in grace: %s",
	     EVID(ev, buf), why, list);
}

/* Decide what an event needs after any change.  Idempotent. */
static void event_evaluate(struct coord_engine *e, struct coord_event *ev, uint64_t now)
{
	bool settled = true, confirmed = true;
	char buf[64];
	size_t i;

	if (coord_event_ended(ev))
		return;
	/* Marked even while a release runs: next_timer() counts on it. */
	if (now >= ev->deadline_us && !ev->overdue) {
		ev->overdue = true;
		elog(e, ev->local_origin ? LOG_ERR : LOG_WARNING,
		     "event %s: deadline passed (policy %s)", EVID(ev, buf),
		     coord_policy_name(e->cfg.policy));
	}
	if (ev->state == COORD_EVENT_RELEASING || ev->state == COORD_EVENT_RETRY_WAIT)
		return;
	for (i = 0; i < ev->n_survivors; i++) {
		if (!survivor_settled(&ev->survivors[i]))
			settled = false;
		if (!survivor_confirmed(&ev->survivors[i]))
			confirmed = false;
	}
	if (settled && !ev->complete_us)
		ev->complete_us = now;

	if (ev->reason == COORD_DEATH_NODE_LEFT) {
		if (settled || ev->overdue)
			event_end(e, ev, now, COORD_EVENT_DONE);
		return;
	}
	if (!ev->local_origin)
		return;
	/* A release already tried keeps its first attempt's decision: a retry
	 * that waited for quorum or a joiner is the same release, and a late
	 * answer does not make it confirmed (the record and the notice say
	 * what the first attempt knew). */
	if (ev->release_attempts) {
		release_start(e, ev, now);
		return;
	}
	if (confirmed) {
		ev->release_outcome = COORD_RELEASE_CONFIRMED;
		release_start(e, ev, now);
	} else if ((settled || ev->overdue) && e->cfg.policy == COORD_POLICY_RELEASE) {
		if (ev->release_outcome != COORD_RELEASE_UNCONFIRMED)
			name_unconfirmed(e, ev, settled ? "every survivor answered, "
					 "releasing by policy" : "deadline passed, "
					 "releasing by policy");
		ev->release_outcome = COORD_RELEASE_UNCONFIRMED;
		release_start(e, ev, now);
	} else if (ev->overdue && ev->state != COORD_EVENT_HELD) {
		name_unconfirmed(e, ev, "deadline passed, holding by policy");
		set_state(e, ev, COORD_EVENT_HELD);
	}
}

static void evaluate_all(struct coord_engine *e, uint64_t now)
{
	size_t i;

	for (i = 0; i < e->n_events; i++)
		event_evaluate(e, &e->slots[e->order[i]], now);
}

/* ---- inputs ---- */

struct coord_engine *coord_engine_new(const struct coord_engine_config *cfg)
{
	struct coord_engine *e;

	if (!cfg || !cfg->incarnation || cfg->n_vips > COORD_MAX_VIPS ||
	    !coord_policy_known(cfg->policy) ||
	    !cfg->release_max_attempts)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->cfg = *cfg;
	e->incarnation = cfg->incarnation;
	e->server_up = true;
	return e;
}

void coord_engine_free(struct coord_engine *e)
{
	if (!e)
		return;
	while (e->n_events)
		event_forget(e, e->n_events - 1);
	free(e->slots);
	free(e->actions);
	free(e);
}

void coord_engine_set_self(struct coord_engine *e, uint32_t pid)
{
	e->self_pid = pid;
}

void coord_engine_set_nodeid(struct coord_engine *e, uint32_t nodeid)
{
	e->cfg.nodeid = nodeid;
}

static void member_left(struct coord_engine *e, uint64_t now,
			const struct coord_member *gone, uint8_t reason)
{
	char buf[64];
	size_t i;

	for (i = 0; i < e->n_events; i++) {
		struct coord_event *ev = &e->slots[e->order[i]];
		struct coord_survivor *sv;

		if (coord_event_ended(ev))
			continue;
		/* Its origin left: nobody else may release (or drop) for it,
		 * and no RELEASE will come. */
		if (ev->reason != COORD_DEATH_NODE_LEFT &&
		    ev->id.origin == gone->id.nodeid &&
		    ev->id.incarnation == gone->incarnation) {
			event_end(e, ev, now, COORD_EVENT_ABANDONED);
			continue;
		}
		sv = survivor_of(ev, gone->id);
		if (!sv || sv->state != COORD_SURVIVOR_WAITING)
			continue;
		sv->state = COORD_SURVIVOR_LEFT;
		sv->leave_reason = reason;
		sv->quorum_gone = e->view_known && !in_view(e, sv->id.nodeid);
		sv->at_us = now;
		elog(e, LOG_NOTICE, "event %s: survivor %u left (%s)%s",
		     EVID(ev, buf), gone->id.nodeid, coord_leave_reason_name(reason),
		     survivor_node_gone(sv) ? ", with its node: no longer waited "
		     "for" : ", its node alive: waiting for it to rejoin, or the "
		     "deadline");
	}
}

/* A node of the view without a coordd may have one restarting: its agent
 * keeps the node's ganesha-active for COORD_RESTART_WAIT_S from its first
 * monitor without coordd, rather than move the VIPs off a live server.  So
 * a release waits as long for a coordd there to join (and be re-run for,
 * rerun_for_joiners) before it goes ahead without it (release_start):
 * from a departure while the node lives (a coordd killed, crashed or
 * stopped, maybe before we heard its HELLO), and from our own joining,
 * which may come after such a departure. */
static void await_restart(struct coord_engine *e, uint64_t now)
{
	uint64_t until = now + COORD_RESTART_WAIT_S * 1000000ull;

	if (until > e->join_wait_until)
		e->join_wait_until = until;
}

/* A member's node or coordd died: survivors enter grace for its VIPs. */
static void node_left_event(struct coord_engine *e, uint64_t now,
			    const struct coord_member *gone, uint8_t reason)
{
	struct coord_event_id id = {
		.origin = gone->id.nodeid, .incarnation = gone->incarnation, .seq = 0,
	};
	struct coord_event *ev;
	char buf[64];
	size_t i;

	if (reason == COORD_LEAVE_LEAVE)
		return;
	/* A process that never announced itself (not a coordd, or one that
	 * died before its HELLO) announced no VIPs; unless its whole node went
	 * down, its departure says nothing about a server. */
	if (!gone->hello_seen && reason != COORD_LEAVE_NODEDOWN) {
		elog(e, LOG_NOTICE, "member %u (pid %u) left (%s) without having "
		     "announced itself: no grace", gone->id.nodeid, gone->id.pid,
		     coord_leave_reason_name(reason));
		return;
	}
	/* The same incarnation can leave twice (a partition, a merge, then a
	 * crash): a departure always means grace, so the old record goes.
	 * One still pending is asked again, for the VIPs this member
	 * announced: the first to leave may have been another process of its
	 * node that used its incarnation first (a merge window, docs/design.md)
	 * and announced others; its grace was asked when it left. */
	ev = event_find(e, &id);
	if (ev && !coord_event_ended(ev)) {
		if (gone->hello_seen) {
			ev->n_vips = gone->n_vips;
			memcpy(ev->vips, gone->vips, sizeof(ev->vips));
		}
		ask_grace(e, ev);
		return;
	}
	for (i = 0; ev && i < e->n_events; i++)
		if (&e->slots[e->order[i]] == ev) {
			event_forget(e, i);
			break;
		}
	ev = event_create(e, now, &id, COORD_DEATH_NODE_LEFT, gone->vips, gone->n_vips);
	if (!ev)
		return;
	elog(e, LOG_NOTICE, "event %s: member %u left (%s): entering grace "
	     "for its %u VIP(s), %u survivor(s)", EVID(ev, buf), gone->id.nodeid,
	     coord_leave_reason_name(reason), gone->n_vips, ev->n_survivors);
	if (gone->id.nodeid != e->cfg.nodeid)
		ask_grace(e, ev);
}

static int report_event(struct coord_engine *e, uint64_t now, uint8_t reason,
			const struct coord_vip *vips, size_t n_vips,
			struct coord_event_id *id, const struct coord_event *rerun_of);

/* Takes our report id off the in-flight list; false if it is not there. */
static bool in_flight_take(struct coord_engine *e, const struct coord_event_id *id,
			   struct report *out)
{
	size_t i;

	for (i = 0; i < e->n_in_flight; i++) {
		if (!coord_event_id_equal(&e->in_flight[i].id, id))
			continue;
		if (out)
			*out = e->in_flight[i];
		e->in_flight[i] = e->in_flight[--e->n_in_flight];
		return true;
	}
	return false;
}

/* Who among the joiners makes the origin re-run ev: anyone not on the
 * origin's node.  Returns its node id, or 0. */
static uint32_t joiner_for(const struct coord_event *ev,
			   const struct coord_member_id *joined, size_t n_joined)
{
	size_t k;

	for (k = 0; k < n_joined; k++)
		if (joined[k].nodeid != ev->id.origin)
			return joined[k].nodeid;
	return 0;
}

static bool survivor_node_in(const struct coord_event *ev, uint32_t nodeid)
{
	size_t j;

	for (j = 0; j < ev->n_survivors; j++)
		if (ev->survivors[j].id.nodeid == nodeid)
			return true;
	return false;
}

/* The origin withdraws ev for node who, which never entered grace for it,
 * and reports it again (a death while its server is down, a handover), so
 * the new event waits for every member it has now. */
static void withdraw_and_rerun(struct coord_engine *e, uint64_t now,
			       struct coord_event *ev, uint32_t who)
{
	bool handover = ev->reason == COORD_DEATH_HANDOVER;
	struct coord_event_id id;
	struct coord_msg *m;
	char buf[64];

	m = send_msg(e, COORD_MSG_CANCEL);
	if (!m)
		return;
	m->u.cancel.id = ev->id;
	m->u.cancel.reason = COORD_CANCEL_REJOINED;
	elog(e, LOG_WARNING, "event %s: node %u %s before the release, without "
	     "grace for it: withdrawn%s", EVID(ev, buf), who,
	     survivor_node_in(ev, who) ? "left and is back" : "joined",
	     handover ? "; the handover is run again" :
	     e->server_up ? "" : "; the death is reported again");
	event_end(e, ev, now, COORD_EVENT_CANCELLED);
	/* ev stays valid: report_event sends, it records nothing. */
	if (handover || !e->server_up) {
		if (report_event(e, now, ev->reason, ev->vips, ev->n_vips, &id, ev) == 0)
			ev->rerun_as = id;
		else
			elog(e, LOG_CRIT, "event %s: could not be reported "
			     "again: %s", EVID(ev, buf), handover ?
			     "the handover fails (its gate's stop)" :
			     "the agent's next monitor will");
	}
}

/* A member that joins before the release (a new or restarted coordd, a
 * healed partition, a rebooted node) never entered grace for the event,
 * yet its agent may make it a target.  The origin withdraws the event and
 * reports the death again, so the new event waits for every member it has
 * now.  Only the origin decides: whether its release has started is known
 * only there.  A running release is not withdrawn (docs/design.md); if it
 * fails, the next attempt is not made for a joiner (release_done). */
static void rerun_for_joiners(struct coord_engine *e, uint64_t now,
			      const struct coord_member_id *joined, size_t n_joined)
{
	size_t i;

	for (i = 0; i < e->n_events; i++) {
		struct coord_event *ev = &e->slots[e->order[i]];
		uint32_t who;

		if (!ev->local_origin || ev->reason == COORD_DEATH_NODE_LEFT ||
		    (ev->state != COORD_EVENT_WAITING && ev->state != COORD_EVENT_QUORUM_WAIT &&
		     ev->state != COORD_EVENT_JOIN_WAIT &&
		     ev->state != COORD_EVENT_HELD && ev->state != COORD_EVENT_RETRY_WAIT))
			continue;
		who = joiner_for(ev, joined, n_joined);
		if (who)
			withdraw_and_rerun(e, now, ev, who);
	}
}

/* A member, not on ev's origin's node, that ev does not wait for: it
 * joined, or left and is back, since ev's DEATH.  Its node id, or 0. */
static uint32_t member_not_waited_for(const struct coord_engine *e,
				      const struct coord_event *ev)
{
	size_t i;

	for (i = 0; i < e->n_members; i++) {
		const struct coord_member *m = &e->members[i];
		const struct coord_survivor *sv = survivor_of(ev, m->id);

		if (m->id.nodeid != ev->id.origin &&
		    (!sv || sv->state == COORD_SURVIVOR_LEFT))
			return m->id.nodeid;
	}
	return 0;
}

void coord_engine_confchg(struct coord_engine *e, uint64_t now,
			  const struct coord_member_id *members, size_t n_members,
			  const struct coord_member_id *left, const uint8_t *left_reasons,
			  size_t n_left,
			  const struct coord_member_id *joined, size_t n_joined)
{
	struct coord_member gone[COORD_MAX_NODES];
	uint8_t gone_reason[COORD_MAX_NODES];
	struct coord_member_id self = coord_engine_self_id(e);
	size_t n_gone = 0, i, kept = 0;
	bool was_joined = e->joined;

	/* Forget who left, keep who stays, add who is new. */
	for (i = 0; i < e->n_members; i++) {
		struct coord_member *m = &e->members[i];
		if (member_id_in(m->id, members, n_members)) {
			e->members[kept++] = *m;
		} else {
			size_t k;
			gone_reason[n_gone] = COORD_LEAVE_PROCDOWN;
			for (k = 0; k < n_left; k++)
				if (coord_member_id_equal(left[k], m->id))
					gone_reason[n_gone] = left_reasons[k];
			gone[n_gone++] = *m;
		}
	}
	e->n_members = kept;
	for (i = 0; i < n_members && e->n_members < COORD_MAX_NODES; i++) {
		if (member_find(e, members[i]))
			continue;
		memset(&e->members[e->n_members], 0, sizeof(e->members[0]));
		e->members[e->n_members].id = members[i];
		e->members[e->n_members].joined_us = now;
		e->n_members++;
	}
	if (n_members > COORD_MAX_NODES)
		elog(e, LOG_ERR, "%zu members: only %d are tracked", n_members,
		     COORD_MAX_NODES);

	/* Nodes that went down, until they are members again (quorate_now). */
	for (i = 0; i < n_gone; i++)
		if (gone_reason[i] == COORD_LEAVE_NODEDOWN &&
		    e->n_nodedown < COORD_MAX_NODES) {
			size_t k;
			for (k = 0; k < e->n_nodedown; k++)
				if (e->nodedown[k] == gone[i].id.nodeid)
					break;
			if (k == e->n_nodedown)
				e->nodedown[e->n_nodedown++] = gone[i].id.nodeid;
		}
	for (i = 0; i < e->n_nodedown;) {
		size_t k;
		bool back = false;
		for (k = 0; k < n_members; k++)
			if (members[k].nodeid == e->nodedown[i])
				back = true;
		if (back)
			e->nodedown[i] = e->nodedown[--e->n_nodedown];
		else
			i++;
	}
	e->joined = member_id_in(self, members, n_members);
	if (e->joined && !was_joined)
		elog(e, LOG_NOTICE, "joined the group: %zu member(s)", n_members);
	for (i = 0; i < n_joined; i++)
		elog(e, LOG_INFO, "member %u (pid %u) joined", joined[i].nodeid,
		     joined[i].pid);

	for (i = 0; i < n_gone; i++)
		member_left(e, now, &gone[i], gone_reason[i]);
	for (i = 0; i < n_gone; i++)
		if (gone_reason[i] != COORD_LEAVE_NODEDOWN &&
		    gone[i].id.nodeid != e->cfg.nodeid)
			await_restart(e, now);
	if (e->joined && !was_joined)
		await_restart(e, now);
	for (i = 0; i < n_gone; i++)
		node_left_event(e, now, &gone[i], gone_reason[i]);
	/* The re-run first: a joiner must hold it before our HELLO. */
	if (e->joined && n_joined)
		rerun_for_joiners(e, now, joined, n_joined);
	if (e->joined && (!was_joined || n_joined))
		send_hello(e);
	evaluate_all(e, now);
}

/* Counts why a message is refused, and says it. */
static enum coord_refusal refuse(struct coord_engine *e, enum coord_refusal why)
{
	e->counters.count[why]++;
	return why;
}

static enum coord_refusal deliver_hello(struct coord_member *m, const struct coord_msg *msg)
{
	m->hello_seen = true;
	m->server_down = !(msg->u.hello.flags & COORD_HELLO_SERVER_UP);
	m->n_vips = msg->u.hello.n_vips > COORD_MAX_VIPS ? COORD_MAX_VIPS :
		    msg->u.hello.n_vips;
	memcpy(m->vips, msg->u.hello.vips, m->n_vips * sizeof(m->vips[0]));
	return COORD_ACCEPTED;
}

static enum coord_refusal deliver_death(struct coord_engine *e, uint64_t now,
					struct coord_member *m, const struct coord_msg *msg)
{
	const struct coord_event_id *id = &msg->u.death.id;
	struct coord_event *ev;
	uint16_t n_vips = msg->u.death.n_vips;
	bool handover = msg->u.death.reason == COORD_DEATH_HANDOVER;
	char buf[64];
	size_t i;

	/* Only the origin reports; node-left events are derived, never sent. */
	if (id->origin != msg->sender || id->incarnation != msg->incarnation ||
	    id->seq == 0 || n_vips > COORD_MAX_VIPS ||
	    msg->u.death.reason == COORD_DEATH_NODE_LEFT ||
	    (handover && n_vips == 0))
		return refuse(e, COORD_REJECTED_ORIGIN);
	if (event_find(e, id))
		return refuse(e, COORD_DUPLICATE);
	/* Its own server is dead: it is no longer waited for elsewhere.  (A
	 * handover is no death: its origin's server runs.) */
	if (!handover)
		m->server_down = true;
	for (i = 0; !handover && i < e->n_events; i++) {
		struct coord_event *other = &e->slots[e->order[i]];
		struct coord_survivor *sv = survivor_of(other, m->id);

		if (coord_event_ended(other))
			continue;
		if (sv && sv->state == COORD_SURVIVOR_WAITING) {
			sv->state = COORD_SURVIVOR_DOWN;
			sv->at_us = now;
		}
	}
	ev = event_create(e, now, id, msg->u.death.reason, msg->u.death.vips, n_vips);
	if (ev) {
		struct report r;
		if (ev->local_origin && in_flight_take(e, id, &r)) {
			ev->reported_us = r.reported_us;
			if (r.deadline_us)
				ev->deadline_us = r.deadline_us;
			ev->reruns = r.reruns;
		}
		elog(e, LOG_NOTICE, "event %s: %s of node %u delivered, "
		     "waiting for %u survivor(s)", EVID(ev, buf),
		     handover ? "handover" : "death", id->origin, ev->n_survivors);
	}
	if (id->origin != e->cfg.nodeid) {
		if (ev) {
			ask_grace(e, ev);
		} else {
			/* Not recorded, but a survivor still owes its grace. */
			struct coord_event tmp = { .id = *id, .n_vips = n_vips,
						   .reason = msg->u.death.reason };
			memcpy(tmp.vips, msg->u.death.vips, n_vips * sizeof(tmp.vips[0]));
			ask_grace(e, &tmp);
		}
	} else if (!ev) {
		in_flight_take(e, id, NULL);
	}
	evaluate_all(e, now);
	return COORD_ACCEPTED;
}

static enum coord_refusal deliver_ack(struct coord_engine *e, uint64_t now,
				      struct coord_member *m, const struct coord_msg *msg)
{
	struct coord_event *ev = event_find(e, &msg->u.ack.id);
	struct coord_survivor *sv;
	char buf[64];

	if (!ev)
		return refuse(e, COORD_UNKNOWN_EVENT);
	sv = survivor_of(ev, m->id);
	if (!sv || msg->u.ack.result < COORD_ACK_IN_GRACE ||
	    msg->u.ack.result > COORD_ACK_RESULT_MAX)
		return refuse(e, COORD_UNEXPECTED_ACK);
	if (sv->incarnation && sv->incarnation != msg->incarnation)
		return refuse(e, COORD_REJECTED_INCARNATION);
	/* The first settlement is final: a survivor already `down` (its own
	 * DEATH was delivered) is not un-confirmed by the failing answer of
	 * the grace call its dead server could not serve. */
	if (sv->state != COORD_SURVIVOR_WAITING)
		return refuse(e, COORD_DUPLICATE);
	sv->state = COORD_SURVIVOR_ANSWERED;
	sv->incarnation = msg->incarnation;
	sv->result = msg->u.ack.result;
	sv->grace_latency_us = msg->u.ack.grace_latency_us;
	sv->at_us = now;
	sv->late = coord_event_ended(ev);
	snprintf(sv->detail, sizeof(sv->detail), "%s", msg->u.ack.detail);
	if (sv->result == COORD_ACK_IN_GRACE)
		m->server_down = false;
	elog(e, sv->result == COORD_ACK_IN_GRACE ? LOG_INFO : LOG_WARNING,
	     "event %s: survivor %u answered %s in %u ms%s%s%s", EVID(ev, buf),
	     m->id.nodeid, coord_ack_result_name(sv->result),
	     sv->grace_latency_us / 1000, sv->late ? " (late: changes nothing)" : "",
	     sv->detail[0] ? ": " : "", sv->detail);
	event_evaluate(e, ev, now);
	return COORD_ACCEPTED;
}

/* RELEASE and CANCEL: only the event's origin may send them. */
static enum coord_refusal origin_event(struct coord_engine *e, const struct coord_msg *msg,
				       const struct coord_event_id *id,
				       struct coord_event **ev)
{
	*ev = event_find(e, id);
	if (!*ev)
		return refuse(e, COORD_UNKNOWN_EVENT);
	if (id->origin != msg->sender || id->incarnation != msg->incarnation)
		return refuse(e, COORD_REJECTED_ORIGIN);
	return COORD_ACCEPTED;
}

static enum coord_refusal deliver_release(struct coord_engine *e, uint64_t now,
					  const struct coord_msg *msg)
{
	uint8_t outcome = msg->u.release.outcome;
	struct coord_event *ev;
	enum coord_refusal why = origin_event(e, msg, &msg->u.release.id, &ev);

	if (why)
		return why;
	if (ev->local_origin)	/* our own notice: the record is already final */
		return COORD_ACCEPTED;
	if (coord_event_ended(ev))
		return refuse(e, COORD_DUPLICATE);
	ev->release_outcome = outcome;
	ev->release_status = msg->u.release.status;
	if (!ev->release_started_us)
		ev->release_started_us = now;
	event_end(e, ev, now, outcome == COORD_RELEASE_FAILED ?
		  COORD_EVENT_RELEASE_FAILED : COORD_EVENT_RELEASED);
	return COORD_ACCEPTED;
}

static enum coord_refusal deliver_cancel(struct coord_engine *e, uint64_t now,
					 const struct coord_msg *msg)
{
	struct coord_event *ev;
	enum coord_refusal why = origin_event(e, msg, &msg->u.cancel.id, &ev);

	if (why)
		return why;
	/* The origin ended the event when it sent the CANCEL (see
	 * coord_engine_cancel); a rerun was abandoned on the other side of the
	 * partition when the origin left it. */
	if ((ev->local_origin && coord_event_ended(ev)) ||
	    (msg->u.cancel.reason == COORD_CANCEL_REJOINED && coord_event_ended(ev)))
		return COORD_ACCEPTED;
	if (coord_event_ended(ev) || ev->state == COORD_EVENT_RELEASING)
		return refuse(e, COORD_DUPLICATE);
	event_end(e, ev, now, COORD_EVENT_CANCELLED);
	return COORD_ACCEPTED;
}

/*
 * An incarnation names one coordd: on one node, no two members may use the
 * same one.  So a second process on a node (a replay, a confused client)
 * cannot speak as that node's coordd, nor as this engine.
 */
static bool incarnation_taken(const struct coord_engine *e,
			      const struct coord_member *m, uint64_t incarnation)
{
	size_t i;

	if (m->id.nodeid == e->cfg.nodeid && m->id.pid != e->self_pid &&
	    incarnation == e->incarnation)
		return true;
	for (i = 0; i < e->n_members; i++)
		if (&e->members[i] != m && e->members[i].id.nodeid == m->id.nodeid &&
		    e->members[i].incarnation == incarnation)
			return true;
	return false;
}

enum coord_refusal coord_engine_deliver(struct coord_engine *e, uint64_t now,
					struct coord_member_id from,
					const struct coord_msg *msg)
{
	struct coord_member *m = member_find(e, from);

	e->counters.count[COORD_ACCEPTED]++;	/* index 0: every delivery */
	if (!m || msg->sender != from.nodeid)
		return refuse(e, COORD_REJECTED_SENDER);
	/* 0 would leave the member unpinned (and is no coordd's incarnation). */
	if (!msg->incarnation ||
	    (!m->incarnation && incarnation_taken(e, m, msg->incarnation)))
		return refuse(e, COORD_REJECTED_INCARNATION);
	if (!m->incarnation) {
		m->incarnation = msg->incarnation;
	} else if (m->incarnation != msg->incarnation) {
		return refuse(e, COORD_REJECTED_INCARNATION);
	}
	switch (msg->type) {
	case COORD_MSG_HELLO:
		return deliver_hello(m, msg);
	case COORD_MSG_DEATH:
		return deliver_death(e, now, m, msg);
	case COORD_MSG_ACK:
		return deliver_ack(e, now, m, msg);
	case COORD_MSG_RELEASE:
		return deliver_release(e, now, msg);
	case COORD_MSG_CANCEL:
		return deliver_cancel(e, now, msg);
	}
	return refuse(e, COORD_UNKNOWN_TYPE);
}

void coord_engine_disconnected(struct coord_engine *e, uint64_t now,
			       uint64_t new_incarnation)
{
	size_t i;

	elog(e, LOG_ERR, "left the group: pending events are abandoned here");
	for (i = 0; i < e->n_events; i++) {
		struct coord_event *ev = &e->slots[e->order[i]];
		/* A running release finishes and is recorded; nothing else can. */
		if (!coord_event_ended(ev) && ev->state != COORD_EVENT_RELEASING)
			event_end(e, ev, now, COORD_EVENT_ABANDONED);
	}
	e->n_members = 0;
	e->joined = false;
	e->n_in_flight = 0;
	if (new_incarnation)
		e->incarnation = new_incarnation;
}

void coord_engine_quorum(struct coord_engine *e, uint64_t now, bool quorate)
{
	if (e->quorate == quorate)
		return;
	e->quorate = quorate;
	elog(e, quorate ? LOG_NOTICE : LOG_WARNING, "quorum %s",
	     quorate ? "regained" : "lost: no release will start");
	evaluate_all(e, now);
}

static void mark_quorum_gone(struct coord_engine *e)
{
	size_t i, j;

	for (i = 0; i < e->n_events; i++) {
		struct coord_event *ev = &e->slots[e->order[i]];

		if (coord_event_ended(ev))
			continue;
		for (j = 0; j < ev->n_survivors; j++)
			if (ev->survivors[j].state == COORD_SURVIVOR_LEFT &&
			    !in_view(e, ev->survivors[j].id.nodeid))
				ev->survivors[j].quorum_gone = true;
	}
}

void coord_engine_quorum_view(struct coord_engine *e, uint64_t now, bool quorate,
			      const uint32_t *nodes, size_t n_nodes)
{
	size_t i, j;

	if (n_nodes > sizeof(e->view) / sizeof(e->view[0]))
		n_nodes = sizeof(e->view) / sizeof(e->view[0]);
	/* A node new to the view, not a member: a merge CPG has yet to
	 * show, or a node whose coordd is restarting (or died over there:
	 * its agent may keep its attribute as long). */
	for (i = 0; i < n_nodes; i++) {
		bool known = false;
		for (j = 0; j < e->n_view && !known; j++)
			known = e->view[j] == nodes[i];
		if (!known && !node_has_member(e, nodes[i]))
			await_restart(e, now);
	}
	memcpy(e->view, nodes, n_nodes * sizeof(nodes[0]));
	e->n_view = n_nodes;
	e->view_known = true;
	/* A node that went down and is gone from this view: the quorum
	 * information has caught up with its departure.  A later view that
	 * lists it again is a merge (news, above), not old information,
	 * whether or not its coordd ever joins again. */
	for (i = 0; i < e->n_nodedown;) {
		if (!in_view(e, e->nodedown[i]))
			e->nodedown[i] = e->nodedown[--e->n_nodedown];
		else
			i++;
	}
	mark_quorum_gone(e);
	if (e->quorate != quorate) {
		coord_engine_quorum(e, now, quorate);
		return;
	}
	evaluate_all(e, now);
}

int coord_engine_report_death(struct coord_engine *e, uint64_t now,
			      const struct coord_vip *vips, size_t n_vips,
			      struct coord_event_id *id)
{
	return report_event(e, now, COORD_DEATH_REPORTED, vips, n_vips, id, NULL);
}

/* The gate's stop: rules in engine.h and docs/protocol.md, "Handover". */
int coord_engine_give_up(struct coord_engine *e, uint64_t now,
			 const struct coord_vip *vips, size_t n_vips,
			 struct coord_event_id *id)
{
	int err;

	if (n_vips == 0)
		return -EINVAL;
	if (e->joined && !e->server_up) {
		/* Its death was reported: the dead server's locks went with
		 * it, and that death's barrier put the others in grace. */
		elog(e, LOG_NOTICE, "giving %zu VIP(s) up: the local server is "
		     "reported dead, it holds no state of them: no handover", n_vips);
		return COORD_GIVE_UP_NOTHING_HELD;
	}
	err = report_event(e, now, COORD_DEATH_HANDOVER, vips, n_vips, id, NULL);
	return err < 0 ? err : COORD_GIVE_UP_HANDOVER;
}

/* A death joins this node's death already reported (sent or recorded);
 * every handover is an event of its own.  rerun_of: the withdrawn event
 * this one replaces; it keeps that one's report time, and its deadline
 * after COORD_MAX_RERUNS re-runs. */
static int report_event(struct coord_engine *e, uint64_t now, uint8_t reason,
			const struct coord_vip *vips, size_t n_vips,
			struct coord_event_id *id, const struct coord_event *rerun_of)
{
	struct report *r;
	struct coord_msg *m;
	size_t i;

	if (!e->joined)
		return -ENOTCONN;
	if (n_vips > COORD_MAX_VIPS)
		return -EINVAL;
	if (reason == COORD_DEATH_REPORTED) {
		e->server_up = false;
		e->n_unreaped = 0;	/* its stale records died with it */
		for (i = 0; i < e->n_in_flight; i++)
			if (e->in_flight[i].reason == reason) {
				*id = e->in_flight[i].id;
				return 0;
			}
		for (i = 0; i < e->n_events; i++) {
			const struct coord_event *ev = &e->slots[e->order[i]];
			if (ev->local_origin && ev->reason == reason &&
			    !coord_event_ended(ev)) {
				*id = ev->id;
				return 0;
			}
		}
	}
	if (e->n_in_flight == COORD_MAX_IN_FLIGHT)
		return -EBUSY;
	if (coord_engine_pending_count(e) + e->n_in_flight >= COORD_MAX_EVENTS)
		return -ENOSPC;
	if (!n_vips) {
		vips = e->cfg.vips;
		n_vips = e->cfg.n_vips;
	}
	m = send_msg(e, COORD_MSG_DEATH);
	if (!m)
		return -ENOBUFS;
	m->u.death.id.origin = e->cfg.nodeid;
	m->u.death.id.incarnation = e->incarnation;
	m->u.death.id.seq = ++e->next_seq;
	m->u.death.reason = reason;
	m->u.death.n_vips = (uint16_t)n_vips;
	memcpy(m->u.death.vips, vips, n_vips * sizeof(vips[0]));
	r = &e->in_flight[e->n_in_flight++];
	r->id = m->u.death.id;
	r->reason = reason;
	r->reported_us = rerun_of && rerun_of->reported_us ? rerun_of->reported_us : now;
	r->reruns = rerun_of ? (uint8_t)(rerun_of->reruns + 1) : 0;
	r->deadline_us = r->reruns > COORD_MAX_RERUNS ? rerun_of->deadline_us : 0;
	if (r->deadline_us)
		elog(e, LOG_WARNING, "%s re-run %u times: the deadline is not "
		     "extended again", coord_death_reason_name(reason), r->reruns);
	*id = m->u.death.id;
	if (reason == COORD_DEATH_HANDOVER)
		elog(e, LOG_NOTICE, "handing %zu VIP(s) over: every other member "
		     "enters grace before this server drops their state", n_vips);
	else
		elog(e, LOG_NOTICE, "local server reported dead: broadcasting death "
		     "event, %zu VIP(s)", n_vips);
	return 0;
}

void coord_engine_report_up(struct coord_engine *e, uint64_t now)
{
	(void)now;
	if (e->server_up)
		return;
	e->server_up = true;
	elog(e, LOG_NOTICE, "local server reported up");
	send_hello(e);
}

void coord_engine_grace_done(struct coord_engine *e, uint64_t now,
			     const struct coord_event_id *id, uint8_t result,
			     uint32_t latency_us, const char *detail)
{
	(void)now;
	/* The acknowledgement needs only the id: send it even if the event
	 * was never recorded here (table full), so the origin is not held. */
	send_ack(e, id, result, latency_us, detail);
}

void coord_engine_release_done(struct coord_engine *e, uint64_t now,
			       const struct coord_event_id *id, int status)
{
	struct coord_event *ev = event_find(e, id);
	uint64_t backoff;
	char buf[64];
	uint32_t i, who;

	if (!ev || !ev->local_origin || ev->state != COORD_EVENT_RELEASING)
		return;
	ev->release_status = status;
	if (status == 0) {
		event_end(e, ev, now, COORD_EVENT_RELEASED);
		send_release_notice(e, ev);
		return;
	}
	/* corosync was lost while it ran (this coordd may have joined again
	 * since, with a new incarnation): the others abandoned the event; no
	 * attempt may start outside the group, nor for an old incarnation. */
	if (!e->joined || ev->id.incarnation != e->incarnation) {
		elog(e, LOG_ERR, "event %s: release attempt %u failed (status %d) "
		     "after this node left the group: abandoned", EVID(ev, buf),
		     ev->release_attempts, status);
		event_end(e, ev, now, COORD_EVENT_ABANDONED);
		return;
	}
	if (ev->release_attempts >= e->cfg.release_max_attempts) {
		elog(e, LOG_CRIT, "event %s: release failed %u times (last status %d): "
		     "giving up", EVID(ev, buf), ev->release_attempts, status);
		ev->release_outcome = COORD_RELEASE_FAILED;
		event_end(e, ev, now, COORD_EVENT_RELEASE_FAILED);
		send_release_notice(e, ev);
		return;
	}
	/* A member joined while the attempt ran (it was not withdrawn then):
	 * the next attempt, seconds later, would not have waited for it. */
	if ((who = member_not_waited_for(e, ev))) {
		elog(e, LOG_ERR, "event %s: release attempt %u failed (status %d)",
		     EVID(ev, buf), ev->release_attempts, status);
		withdraw_and_rerun(e, now, ev, who);
		return;
	}
	backoff = e->cfg.release_retry_us;
	for (i = 1; i < ev->release_attempts && backoff < e->cfg.release_retry_max_us; i++)
		backoff *= 2;
	if (backoff > e->cfg.release_retry_max_us)
		backoff = e->cfg.release_retry_max_us;
	ev->retry_at_us = now + backoff;
	elog(e, LOG_ERR, "event %s: release attempt %u failed (status %d): "
	     "retrying in %llu ms", EVID(ev, buf), ev->release_attempts, status,
	     (unsigned long long)backoff / 1000);
	set_state(e, ev, COORD_EVENT_RETRY_WAIT);
}

void coord_engine_drop_done(struct coord_engine *e, uint64_t now,
			    const struct coord_event_id *id,
			    enum coord_drop_result result)
{
	const struct coord_event *ev = event_find(e, id);

	if (!ev || ev->reason != COORD_DEATH_HANDOVER)
		return;
	if (result == COORD_DROP_DONE)
		note_unreaped(e, now, ev);
	/* A server that is not running holds no state: nothing is left to
	 * drop (its locks died with it, its death has a barrier of its own). */
	coord_engine_release_done(e, now, id, result == COORD_DROP_FAILED ? 1 : 0);
}

/* The origin withdraws ev (CANCEL), unless it ended or its release runs. */
static int withdraw(struct coord_engine *e, uint64_t now, struct coord_event *ev)
{
	struct coord_msg *m;

	if (coord_event_ended(ev) || ev->state == COORD_EVENT_RELEASING)
		return -EBUSY;
	m = send_msg(e, COORD_MSG_CANCEL);
	if (!m)
		return -ENOTCONN;
	m->u.cancel.id = ev->id;
	m->u.cancel.reason = COORD_CANCEL_ADMIN;
	/* The origin decides now, once: from here on it starts no release, so
	 * the CANCEL, delivered later in agreed order, ends the event on every
	 * node (no confirmation delivered before it can make this node release
	 * an event the others record as cancelled). */
	event_end(e, ev, now, COORD_EVENT_CANCELLED);
	return 0;
}

int coord_engine_cancel(struct coord_engine *e, uint64_t now,
			const struct coord_event_id *id)
{
	struct coord_event *ev = event_find(e, id);

	if (!ev)
		return -ENOENT;
	if (!ev->local_origin || ev->reason == COORD_DEATH_NODE_LEFT)
		return -EPERM;
	return withdraw(e, now, ev);
}

/* A failed give-up fails the gate's stop, after which pacemaker may start
 * the address here again: a late confirmation must not drop its state
 * then (docs/protocol.md, "Handover"). */
int coord_engine_give_up_failed(struct coord_engine *e, uint64_t now,
				const struct coord_event_id *id)
{
	struct coord_event *ev = event_find(e, id);
	char buf[64];
	int err;

	if (!ev)
		return -ENOENT;
	if (!ev->local_origin || ev->reason != COORD_DEATH_HANDOVER)
		return -EPERM;
	err = withdraw(e, now, ev);
	if (err == 0)
		elog(e, LOG_WARNING, "event %s: the give-up failed: the handover is "
		     "withdrawn, no late confirmation drops the VIPs' state",
		     EVID(ev, buf));
	return err;
}

/* Section 7: our server keeps the clients it dropped as stale records
 * until its reaper expires them, and that deletes the recovery record of
 * the same name: a client of the VIP back here by then would have none
 * (docs/deploy.md).  Its VIPs come back after the reap. */
static void note_unreaped(struct coord_engine *e, uint64_t now,
			  const struct coord_event *ev)
{
	size_t i, j;

	if (!e->cfg.released_reap_us)
		return;
	for (i = 0; i < ev->n_vips; i++) {
		for (j = 0; j < e->n_unreaped; j++)
			if (coord_vip_equal(&e->unreaped[j].vip, &ev->vips[i]))
				break;
		if (j == e->n_unreaped) {
			if (j == COORD_MAX_VIPS)
				continue;	/* more than a node serves: config refuses */
			e->unreaped[e->n_unreaped++].vip = ev->vips[i];
		}
		e->unreaped[j].until = now + e->cfg.released_reap_us;
	}
}

/* When the last of these VIPs' dropped clients is reaped, or 0. */
static uint64_t reaped_at(const struct coord_engine *e,
			  const struct coord_vip *vips, size_t n_vips)
{
	uint64_t at = 0;
	size_t i, j;

	for (i = 0; i < n_vips; i++)
		for (j = 0; j < e->n_unreaped; j++)
			if (coord_vip_equal(&e->unreaped[j].vip, &vips[i]) &&
			    e->unreaped[j].until > at)
				at = e->unreaped[j].until;
	return at;
}

static void forget_reaped(struct coord_engine *e, uint64_t now)
{
	size_t i = 0;

	while (i < e->n_unreaped)
		if (e->unreaped[i].until <= now)
			e->unreaped[i] = e->unreaped[--e->n_unreaped];
		else
			i++;
}

/* What a take-over asks: grace with every other node's records. */
static int push_take_over(struct coord_engine *e, uint32_t request,
			  const struct coord_vip *vips, size_t n_vips)
{
	struct coord_action *a = action_push(e, COORD_ACTION_TAKE_OVER);

	if (!a)
		return -ENOBUFS;
	a->request = request;
	a->n_vips = (uint16_t)n_vips;
	memcpy(a->vips, vips, n_vips * sizeof(vips[0]));
	/* docs/deploy.md: RecoveryRoot/v4recov/node<N>, one per node. */
	a->n_nodes = (uint16_t)coord_engine_other_nodes(e, a->nodes, COORD_MAX_NODES_LOADED);
	elog(e, LOG_NOTICE, "take-over of %zu VIP(s): entering grace with the client "
	     "records of %u other node(s)", n_vips, a->n_nodes);
	return 0;
}

/* Held take-overs whose VIPs' clients are reaped by now go on. */
static void run_held_take_overs(struct coord_engine *e, uint64_t now)
{
	size_t i = 0;

	forget_reaped(e, now);
	while (i < e->n_held) {
		struct held_take_over *h = &e->held[i];

		if (reaped_at(e, h->vips, h->n_vips)) {
			i++;
			continue;
		}
		if (push_take_over(e, h->request, h->vips, h->n_vips) < 0)
			return;		/* the queue is full: the next tick */
		*h = e->held[--e->n_held];
	}
}

int coord_engine_take_over(struct coord_engine *e, uint64_t now, uint32_t request,
			   const struct coord_vip *vips, size_t n_vips)
{
	uint64_t at;

	if (!e->joined)
		return -ENOTCONN;
	if (n_vips > COORD_MAX_VIPS)
		return -EINVAL;
	forget_reaped(e, now);
	at = reaped_at(e, vips, n_vips);
	if (!at)
		return push_take_over(e, request, vips, n_vips);
	if (e->n_held == COORD_MAX_VIPS)
		return -ENOBUFS;
	e->held[e->n_held].request = request;
	e->held[e->n_held].n_vips = (uint16_t)n_vips;
	memcpy(e->held[e->n_held].vips, vips, n_vips * sizeof(vips[0]));
	e->n_held++;
	elog(e, LOG_NOTICE, "take-over of %zu VIP(s) waits %llu ms: the local server "
	     "dropped their clients at a handover and reaps them only then "
	     "(their recovery records would go with them)", n_vips,
	     (unsigned long long)(at - now) / 1000);
	return 0;
}

void coord_engine_tick(struct coord_engine *e, uint64_t now)
{
	size_t i;

	if (e->join_wait_until && now >= e->join_wait_until)
		e->join_wait_until = 0;	/* settled: release_start decides */
	run_held_take_overs(e, now);
	for (i = 0; i < e->n_events; i++) {
		struct coord_event *ev = &e->slots[e->order[i]];

		if (ev->state == COORD_EVENT_RETRY_WAIT && now >= ev->retry_at_us) {
			release_start(e, ev, now);	/* logs retry-wait -> next */
		} else {
			event_evaluate(e, ev, now);
		}
	}
}

uint64_t coord_engine_next_timer(const struct coord_engine *e)
{
	uint64_t next = UINT64_MAX, at;
	size_t i;

	for (i = 0; i < e->n_held; i++) {
		at = reaped_at(e, e->held[i].vips, e->held[i].n_vips);
		if (at < next)
			next = at;
	}
	for (i = 0; i < e->n_events; i++) {
		const struct coord_event *ev = &e->slots[e->order[i]];

		if (coord_event_ended(ev))
			continue;
		if (ev->state == COORD_EVENT_RETRY_WAIT && ev->retry_at_us < next)
			next = ev->retry_at_us;
		if (!ev->overdue && ev->deadline_us < next)
			next = ev->deadline_us;
		if (ev->state == COORD_EVENT_JOIN_WAIT && e->join_wait_until &&
		    e->join_wait_until < next)
			next = e->join_wait_until;
	}
	return next;
}

void coord_engine_member_incompatible(struct coord_engine *e, uint64_t now,
				      struct coord_member_id from, uint16_t version)
{
	struct coord_member *m = member_find(e, from);
	char buf[64];
	size_t i;

	if (!m || m->incompatible)
		return;
	m->incompatible = true;
	m->version = version;
	elog(e, LOG_WARNING, "member %u (pid %u) speaks protocol %u.%u, not %u.x: "
	     "never counted as in grace", from.nodeid, from.pid, version >> 8,
	     version & 0xff, COORD_PROTO_MAJOR);
	for (i = 0; i < e->n_events; i++) {
		struct coord_event *ev = &e->slots[e->order[i]];
		struct coord_survivor *sv = survivor_of(ev, from);

		if (coord_event_ended(ev))
			continue;
		if (!sv || sv->state != COORD_SURVIVOR_WAITING)
			continue;
		sv->state = COORD_SURVIVOR_INCOMPATIBLE;
		sv->at_us = now;
		snprintf(sv->detail, sizeof(sv->detail), "protocol %u.%u",
			 version >> 8, version & 0xff);
		elog(e, LOG_WARNING, "event %s: survivor %u speaks another protocol: "
		     "settled, unconfirmed", EVID(ev, buf), from.nodeid);
	}
	evaluate_all(e, now);
}

/* Our own survivor record in ev, if we are one. */
static const struct coord_survivor *self_survivor(const struct coord_engine *e,
						  const struct coord_event *ev)
{
	struct coord_member_id self = coord_engine_self_id(e);

	return survivor_of(ev, self);
}

void coord_engine_target(const struct coord_engine *e, struct coord_target *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->why = COORD_TARGET_YES;
	if (!e->joined) {
		out->why = COORD_TARGET_NOT_JOINED;
		return;
	}
	if (!e->server_up) {
		out->why = COORD_TARGET_SERVER_DOWN;
		return;
	}
	if (!quorate_now(e)) {
		out->why = COORD_TARGET_INQUORATE;
		return;
	}
	/* Our own HELLO included: until it is delivered we are not known to
	 * every member as the coordd that speaks for this node. */
	for (i = 0; i < e->n_members; i++) {
		const struct coord_member *m = &e->members[i];
		if (!m->hello_seen && !m->incompatible) {
			out->why = COORD_TARGET_SYNCING;
			out->node = m->id.nodeid;
			return;
		}
	}
	for (i = 0; i < e->n_events; i++) {
		const struct coord_event *ev = &e->slots[e->order[i]];
		const struct coord_survivor *sv;

		if (coord_event_ended(ev) || ev->id.origin == e->cfg.nodeid)
			continue;
		sv = self_survivor(e, ev);
		if (sv && !(sv->state == COORD_SURVIVOR_ANSWERED &&
			    sv->result == COORD_ACK_IN_GRACE)) {
			out->why = COORD_TARGET_GRACE_PENDING;
			out->event = ev->id;
			return;
		}
	}
}

/* ---- views ---- */

bool coord_engine_joined(const struct coord_engine *e) { return e->joined; }
bool coord_engine_quorate(const struct coord_engine *e) { return quorate_now(e); }
bool coord_engine_server_up(const struct coord_engine *e) { return e->server_up; }
uint64_t coord_engine_incarnation(const struct coord_engine *e) { return e->incarnation; }
size_t coord_engine_member_count(const struct coord_engine *e) { return e->n_members; }

const struct coord_member *coord_engine_member(const struct coord_engine *e, size_t i)
{
	return i < e->n_members ? &e->members[i] : NULL;
}

struct coord_member_id coord_engine_self_id(const struct coord_engine *e)
{
	return (struct coord_member_id){ .nodeid = e->cfg.nodeid, .pid = e->self_pid };
}

const struct coord_member *coord_engine_self(const struct coord_engine *e)
{
	size_t i;

	for (i = 0; i < e->n_members; i++) {
		const struct coord_member *m = &e->members[i];

		if (m->id.pid == e->self_pid && (!e->cfg.nodeid || m->id.nodeid == e->cfg.nodeid))
			return m;
	}
	return NULL;
}

const struct coord_engine_counters *coord_engine_counters(const struct coord_engine *e)
{
	return &e->counters;
}
