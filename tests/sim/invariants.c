/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The invariants (docs/simulation.md names each): the ground truth the
 * simulator keeps of every reported event (who survived, who confirmed,
 * what ganesha was in grace), and the checks against it: at every release
 * or drop attempt (confirmed, once, quorum, own-events, bounded, outcome,
 * survivors, drop-in-grace, address-gone), whenever a coordd vouches for
 * its node (vouch), whenever a gate starts (take-over), after every step
 * (deadline), and at the end of a schedule (liveness, dead-server-target,
 * final-agreement, final-truth).  The checks made as messages and changes
 * are delivered sit with the delivery (agreement, hello, grace-vips,
 * whole-node-death).
 */
#include <stdarg.h>

#include "sim.h"

const char *ignored;	/* -I: an invariant not checked (to show another catches it) */

void violate(const char *invariant, const char *fmt, ...)
{
	va_list ap;

	if (S.violation || (ignored && !strcmp(ignored, invariant)))
		return;
	S.violation = invariant;
	va_start(ap, fmt);
	vsnprintf(S.why, sizeof(S.why), fmt, ap);
	va_end(ap);
	trace("VIOLATION %s: %s", invariant, S.why);
}

struct gt_event *gt_find(const struct coord_event_id *id)
{
	int i;

	for (i = 0; i < S.ngt; i++)
		if (coord_event_id_equal(&S.gt[i].id, id))
			return &S.gt[i];
	return NULL;
}

static bool gt_settled(const struct gt_event *g)
{
	int i;

	for (i = 0; i < g->n; i++)
		if (!g->sv[i].settled)
			return false;
	return true;
}

/* A survivor that left counts as confirmed only while it stays away: one
 * that is back on the origin's side (a healed partition, a restarted node)
 * before the release never confirmed grace, yet could take the VIP. */
static bool gt_back(const struct gt_event *g, int k)
{
	const struct node *nd = &S.nodes[g->sv[k].nodeid - 1];

	return g->sv[k].left && nd->alive && nd->part == S.nodes[g->origin].part;
}

static bool gt_confirmed(const struct gt_event *g)
{
	int i;

	for (i = 0; i < g->n; i++)
		if (!g->sv[i].confirmed || gt_back(g, i))
			return false;
	return true;
}

static bool sv_confirmed(const struct coord_survivor *sv)
{
	return (sv->state == COORD_SURVIVOR_LEFT &&
		(sv->leave_reason == COORD_LEAVE_NODEDOWN || sv->quorum_gone)) ||
	       sv->state == COORD_SURVIVOR_DOWN ||
	       (sv->state == COORD_SURVIVOR_ANSWERED && (sv->result == COORD_ACK_IN_GRACE ||
							 sv->result == COORD_ACK_SELF_DOWN));
}

/* Outcome truth: an event recorded unconfirmed (or held) has a survivor
 * that truly did not confirm, and every survivor its record holds
 * unconfirmed is one the simulator saw not confirm.  A member that is not a
 * coordd (the second CPG process) is no survivor of the ground truth: its
 * silence may hold an event, legitimately. */
static void check_outcome(int o, const struct coord_event *ev, const struct gt_event *g,
			  const char *what, bool decided_now)
{
	char buf[64];
	int k, x, short_of = 0;

	coord_event_id_format(&ev->id, buf, sizeof(buf));
	for (k = 0; k < ev->n_survivors; k++) {
		const struct coord_survivor *sv = &ev->survivors[k];
		int in_gt = -1;
		for (x = 0; x < g->n; x++)
			if (g->sv[x].nodeid == sv->id.nodeid && g->sv[x].pid == sv->id.pid)
				in_gt = x;
		if (in_gt < 0) {
			if (!sv_confirmed(sv))
				short_of++;
			continue;
		}
		if (!g->sv[in_gt].confirmed || gt_back(g, in_gt)) {
			short_of++;
			continue;
		}
		if (!sv_confirmed(sv))
			violate("outcome", "node %d %s %s naming survivor %u (%s) "
				"unconfirmed, which confirmed", o + 1, what, buf,
				sv->id.nodeid, coord_survivor_state_name(sv->state));
	}
	/* Only when decided: a retry repeats the decision, and a slow answer
	 * in grace may have come in since. */
	if (!short_of && decided_now)
		violate("outcome", "node %d %s %s as unconfirmed, but every survivor "
			"confirmed", o + 1, what, buf);
}

/* Node n's ganesha is in grace for event g: it answered a grace call for
 * it, or it (re)started, within a grace period.  A dead ganesha serves
 * nobody, and starts in grace. */
static bool ganesha_in_grace(int n, const struct gt_event *g)
{
	const struct node *nd = &S.nodes[n];

	return nd->server_dead || S.now < nd->fresh_until ||
	       (g->ingrace_at[n] && S.now < g->ingrace_at[n] + GRACE_PERIOD_US);
}

/* The window the design leaves (docs/design.md): a node whose coordd is
 * gone and whose agent has not run since, or whose agent keeps the
 * attribute for restart_wait longer than the COORD_RESTART_WAIT_S every
 * release waits from the departure (the agent counts from its first
 * monitor after it). */
static bool absence_window(const struct node *nd)
{
	if (nd->alive)
		return false;
	/* A hostile second process on the node speaks for it while the agent
	 * keeps the attribute for restart_wait (it may say the node's server
	 * is dead): the hostile-peer gap, docs/design.md.  (A coordd of
	 * another major version is the node's coordd, and is judged.) */
	if (S.h_on && !S.h_foreign && &S.nodes[S.h_node] == nd && nd->absent_since)
		return true;
	return nd->attr_stale ||
	       (nd->absent_since &&
		S.now >= nd->coordd_gone_at + COORD_RESTART_WAIT_S * 1000000ull);
}

/* Issue 13's invariant: when an origin starts a release recorded confirmed,
 * every node that can receive its VIPs at that moment (ganesha-active set,
 * in the origin's corosync membership) is in grace for the event, but for
 * a node in the window above that is no survivor of it. */
static void check_targets(int o, const struct gt_event *g)
{
	char buf[64];
	int n, x;

	for (n = 0; n < S.n; n++) {
		const struct node *nd = &S.nodes[n];
		bool survivor = false;

		/* Its record of the event is the second process's DEATH of
		 * the same id (a merge window): the answer it gave confirms
		 * the event at the origin, although its ganesha entered
		 * grace for the forged DEATH's VIPs (the known gap,
		 * docs/simulation.md). */
		if (forged_death_at(n, &g->id))
			continue;
		if (n == o || !nd->attr || nd->crashed || nd->corosync_down ||
		    nd->part != S.nodes[o].part || ganesha_in_grace(n, g))
			continue;
		for (x = 0; x < g->n; x++)
			if (g->sv[x].nodeid == (uint32_t)n + 1)
				survivor = true;
		if (absence_window(nd) && !survivor)
			continue;
		violate("confirmed", "node %d releases %s as confirmed, but node %d is a VIP "
			"target (ganesha-active set%s) whose ganesha is not in grace for it",
			o + 1, coord_event_id_format(&g->id, buf, sizeof(buf)), n + 1,
			nd->alive ? "" : nd->e ? ", coordd out of the group" : ", no coordd");
	}
}

/* Node n's ganesha is in grace, for whatever reason: a handover's grace is
 * "0:" (no VIP to load), so any grace will do. */
static bool ganesha_graced(int n)
{
	const struct node *nd = &S.nodes[n];

	return S.now < nd->fresh_until ||
	       (nd->grace_at && S.now < nd->grace_at + GRACE_PERIOD_US);
}

/* Issue 19's invariant: when a giver drops a VIP's state, every other
 * server that could grant its locks is in grace: a VIP target, a member
 * with a running server, in the origin's corosync membership.  Judged on
 * the simulated ganeshas, not on records.  A drop decided unconfirmed
 * (policy release) must name every such server that is not in grace.  The
 * window of issue 13 is left out as in confirmed: a node whose coordd was
 * gone before the handover, whose agent has not run since.  (A node with
 * no coordd whose agent ran is no target: pacemaker stops its addresses.) */
static void check_drop_grace(int o, const struct gt_event *g, const struct coord_event *ev)
{
	char buf[64];
	int n, x, k;

	for (n = 0; n < S.n; n++) {
		const struct node *nd = &S.nodes[n];
		bool survivor = false, named = false;

		if (n == o || nd->crashed || nd->corosync_down || nd->server_dead ||
		    nd->part != S.nodes[o].part || ganesha_graced(n))
			continue;
		if (!nd->attr && !nd->alive)
			continue;
		for (x = 0; x < g->n; x++)
			if (g->sv[x].nodeid == (uint32_t)n + 1)
				survivor = true;
		if (absence_window(nd) && !survivor)
			continue;
		for (k = 0; ev && k < ev->n_survivors; k++)
			if (ev->survivors[k].id.nodeid == (uint32_t)n + 1 &&
			    !sv_confirmed(&ev->survivors[k]))
				named = true;
		if (ev && ev->release_outcome == COORD_RELEASE_UNCONFIRMED && named)
			continue;
		violate("drop-in-grace", "node %d drops the state of %s (%s), but node %d, "
			"which could grant its locks (%s%s), is not in grace%s", o + 1,
			coord_event_id_format(&g->id, buf, sizeof(buf)),
			ev ? coord_release_outcome_name(ev->release_outcome) : "no record",
			n + 1, nd->attr ? "VIP target" : "", nd->alive ? " member" : "",
			ev && ev->release_outcome == COORD_RELEASE_UNCONFIRMED ?
			" and its record does not name it unconfirmed" : "");
	}
}

/* Invariants confirmed, target, once, quorum, own-events, bounded and
 * outcome, at the moment a release starts; drop-in-grace when a handover's
 * drop starts.  Each attempt is judged: a retry repeats the first
 * attempt's decision (same outcome), and what was true of the survivors and
 * the targets then must still be true (a survivor back, a target out of
 * grace, makes the engine run the event again, not retry it). */
void check_release(int o, const struct coord_event_id *id)
{
	struct gt_event *g = gt_find(id);
	const struct coord_event *ev = coord_engine_find_event(S.nodes[o].e, id);
	bool first;
	char buf[64];

	coord_event_id_format(id, buf, sizeof(buf));
	if (!g || !g->delivered || g->origin != o || id->origin != (uint32_t)o + 1 ||
	    id->seq == 0) {
		violate("own-events", "node %d releases %s, which it did not report", o + 1, buf);
		return;
	}
	first = !g->release_decided;
	if (++g->attempts > ATTEMPTS)
		violate("bounded", "node %d starts release attempt %d of %s (at most %d)",
			o + 1, g->attempts, buf, ATTEMPTS);
	if (g->ok_releases || g->release_running)
		violate("once", "node %d starts a release of %s after %s", o + 1, buf,
			g->ok_releases ? "a successful one" : "one still running");
	if (!S.nodes[o].alive)
		violate("quorum", "node %d releases %s while not in the group", o + 1, buf);
	else if (!quorate(S.nodes[o].part))
		violate("quorum", "node %d releases %s while inquorate", o + 1, buf);
	/* The origin's record was touched by forged input (a replayed
	 * answer from a coordd it had not pinned, after a merge window):
	 * its decision is no ground truth (docs/simulation.md, the known
	 * gaps of the merge window); the checks above still hold. */
	if (g->replayed & (1u << o)) {
		g->release_running = g->release_decided = true;
		return;
	}
	if (first)
		g->outcome = ev ? ev->release_outcome : 0;
	else if (ev && ev->release_outcome != g->outcome)
		violate("outcome", "node %d starts attempt %d of %s as %s, the first as %s",
			o + 1, g->attempts, buf, coord_release_outcome_name(ev->release_outcome),
			coord_release_outcome_name(g->outcome));
	if (ev && ev->release_outcome == COORD_RELEASE_UNCONFIRMED)
		check_outcome(o, ev, g, "releases", first);
	if (g->reason == COORD_DEATH_HANDOVER)
		check_drop_grace(o, g, ev);
	else if (ev && ev->release_outcome == COORD_RELEASE_CONFIRMED)
		check_targets(o, g);
	if (!gt_confirmed(g)) {
		bool allowed = S.policy == COORD_POLICY_RELEASE &&
			       (S.now >= g->deadline_at || gt_settled(g));
		if (!allowed)
			violate("survivors", "node %d starts attempt %d of %s before every "
				"survivor confirmed (policy %s)", o + 1, g->attempts, buf,
				coord_policy_name(S.policy));
		else if (!ev || ev->release_outcome != COORD_RELEASE_UNCONFIRMED)
			violate("survivors", "node %d starts attempt %d of %s unconfirmed but "
				"its record does not say so", o + 1, g->attempts, buf);
	}
	g->release_running = true;
	g->release_decided = true;
}

/* Node i's ganesha answered in grace for event id, which the ground truth
 * does not keep: a node-left event, or one a forged DEATH made. */
void note_grace(int i, const struct coord_event_id *id)
{
	struct node *nd = &S.nodes[i];

	nd->nl[nd->nl_next].id = *id;
	nd->nl[nd->nl_next].at = S.now;
	nd->nl_next = (nd->nl_next + 1) % MAXNL;
}

/* vouch: when node i's coordd says it may be a VIP target (the agent then
 * sets or keeps ganesha-active), its ganesha is in grace for every event
 * its record has pending with it a survivor, of every reason (a death, a
 * handover, a node-left event): judged on the simulated ganesha (a grace
 * call for that event answered in grace within the grace period, or a
 * (re)start within it), not on the record's answers; and for every death
 * and handover the simulator knows pending with it a survivor, whether or
 * not its record still has it. */
/* A death its origin holds under policy hold, for ever by design: its
 * survivors' grace, answered once, ends with ganesha's grace period while
 * the engine keeps trusting the answer (a known gap, docs/simulation.md,
 * "vouch"; seen once in 40000 schedules, when faults that stay made the
 * quiet phase longer). */
static bool held_death(struct coord_event_id id)
{
	const struct node *o;
	const struct coord_event *oe;

	if (S.policy != COORD_POLICY_HOLD || id.origin < 1 || id.origin > (uint32_t)S.n)
		return false;
	o = &S.nodes[id.origin - 1];
	oe = o->alive && o->inc == id.incarnation ? coord_engine_find_event(o->e, &id) : NULL;
	return oe && oe->reason == COORD_DEATH_REPORTED && oe->state == COORD_EVENT_HELD;
}

void check_vouch(int i)
{
	const struct node *nd = &S.nodes[i];
	size_t k;
	int x;

	if (nd->server_dead || S.now < nd->fresh_until)
		return;
	for (k = 0; k < coord_engine_event_count(nd->e); k++) {
		const struct coord_event *ev = coord_engine_event(nd->e, k);
		const struct gt_event *g;
		bool survivor = false;
		uint64_t at = 0;
		char buf[64];

		if (coord_event_ended(ev) || ev->id.origin == (uint32_t)i + 1)
			continue;
		for (x = 0; x < ev->n_survivors; x++)
			if (ev->survivors[x].id.nodeid == (uint32_t)i + 1 &&
			    ev->survivors[x].id.pid == nd->pid)
				survivor = true;
		if (!survivor)
			continue;
		if (ev->id.seq && (g = gt_find(&ev->id)))
			at = g->ingrace_at[i];
		for (x = 0; x < MAXNL; x++)
			if (coord_event_id_equal(&nd->nl[x].id, &ev->id) && nd->nl[x].at > at)
				at = nd->nl[x].at;
		if (at && (S.now < at + GRACE_PERIOD_US || held_death(ev->id)))
			continue;
		violate("vouch", "node %d's coordd vouches for it as a VIP target, but its "
			"ganesha is not in grace for pending %s %s",
			i + 1, ev->reason == COORD_DEATH_NODE_LEFT ? "node-left event" :
			ev->reason == COORD_DEATH_HANDOVER ? "handover" : "death",
			coord_event_id_format(&ev->id, buf, sizeof(buf)));
	}	/* The same from the ground truth, whatever the record says: a
	 * reported event the origin has not ended, whose DEATH this coordd
	 * delivered as a survivor and which shares the group with its origin
	 * ever since. */
	for (x = 0; x < S.ngt; x++) {
		const struct gt_event *g = &S.gt[x];
		int k2;
		char buf[64];

		if (g->origin == i || !(g->with & (1u << i)) || !g->delivered || g->ended ||
		    g->ok_releases || g->rerun_cancelled || (g->forged & (1u << i)) ||
		    (g->ingrace_at[i] && (S.now < g->ingrace_at[i] + GRACE_PERIOD_US ||
					   held_death(g->id))))
			continue;
		for (k2 = 0; k2 < g->n; k2++)
			if (g->sv[k2].nodeid == (uint32_t)i + 1 && g->sv[k2].pid == nd->pid)
				violate("vouch", "node %d's coordd vouches for it as a VIP "
					"target, but its ganesha is not in grace for %s %s, "
					"pending at its origin", i + 1,
					g->reason == COORD_DEATH_HANDOVER ? "handover" : "death",
					coord_event_id_format(&g->id, buf, sizeof(buf)));
	}
}

/* address-gone: a DROP is asked only by the origin of a handover, for
 * exactly the VIPs it reported, none of which is on its interfaces any
 * more (a client still reaching it would reclaim there, and be refused on
 * the new holder). */
void check_drop(int i, const struct coord_action *a)
{
	const struct gt_event *g = gt_find(&a->event);
	unsigned m = model_vips(a->vips, a->n_vips);
	char buf[64];
	int v;

	coord_event_id_format(&a->event, buf, sizeof(buf));
	if (!g || g->origin != i || a->event.origin != (uint32_t)i + 1) {
		violate("address-gone", "node %d asks its server to drop the state of %u "
			"VIP(s) for %s, which it did not report", i + 1, a->n_vips, buf);
		return;
	}
	if (g->reason != COORD_DEATH_HANDOVER) {
		violate("address-gone", "node %d asks its server to drop the state of %u "
			"VIP(s) for %s, a death, not a handover", i + 1, a->n_vips, buf);
		return;
	}
	if (a->n_vips != g->n_vips || memcmp(a->vips, g->vips, a->n_vips * sizeof(a->vips[0])))
		violate("address-gone", "node %d drops %u VIP(s) for %s, whose handover "
			"named %u", i + 1, a->n_vips, buf, g->n_vips);
	for (v = 0; v < S.n; v++)
		if ((m & (1u << v)) && S.vip[v].holder == i)
			violate("address-gone", "node %d drops the state of VIP %d (%s) "
				"while the address is on its interface", i + 1, v + 1, buf);
}

/* A member misled by a merge window (delivery.c) cannot hear that coordd
 * until it leaves: a fault that stays, for the events that wait for one of
 * the two (their deadline settles them), the VIPs they move, and the
 * fences that brings, for the rest of the schedule. */
bool misled_any(void)
{
	return S.misled_seen;
}

void check_liveness(uint64_t quiet_at)
{
	bool per_event = S.stay_node >= 0 || misled_any();
	int i;
	size_t k;

	for (i = 0; i < S.n; i++) {
		const struct node *nd = &S.nodes[i];
		if (!nd->alive)
			continue;
		/* A kept fault and the fences it brings may leave a side
		 * inquorate: nothing is released there (quorum). */
		if (per_event && !quorate(nd->part))
			continue;
		for (k = 0; k < coord_engine_event_count(nd->e); k++) {
			const struct coord_event *ev = coord_engine_event(nd->e, k);
			char buf[64];
			if (coord_event_ended(ev) ||
			    (ev->state == COORD_EVENT_HELD && S.policy == COORD_POLICY_HOLD))
				continue;
			/* A kept fault makes events to the end (a VIP that
			 * moves, a survivor that never answers): each must
			 * end within the bound, not all by the end. */
			if (per_event && S.now - ev->delivered_us < LIVENESS_BOUND_US)
				continue;
			/* A survivor's copy follows the origin's: held there is fine. */
			if (!ev->local_origin && ev->reason != COORD_DEATH_NODE_LEFT &&
			    S.policy == COORD_POLICY_HOLD) {
				const struct node *o = &S.nodes[ev->id.origin - 1];
				const struct coord_event *oe = o->alive && o->inc == ev->id.incarnation ?
					coord_engine_find_event(o->e, &ev->id) : NULL;
				if (oe && oe->state == COORD_EVENT_HELD)
					continue;
			}
			violate("liveness", "node %d: event %s still %s %.1f s after faults "
				"stopped", i + 1, coord_event_id_format(&ev->id, buf, sizeof(buf)),
				coord_event_state_name(ev->state), (double)(S.now - quiet_at) / 1e6);
		}
	}
}

/* final-truth: a final record against what happened, not only against
 * the other records: an event recorded cancelled had no successful
 * release; one recorded abandoned had its origin's coordd leave this
 * node's view (or this node leave the group) while it was pending.  A
 * record a forged message made or ended is no ground truth (a second
 * process that spoke first with a coordd's incarnation, delivery.c). */
static void check_final_truth(int i, const struct coord_event *ev, const struct gt_event *t)
{
	char buf[64];

	if (t->forged & (1u << i))
		return;
	coord_event_id_format(&t->id, buf, sizeof(buf));
	if (ev->state == COORD_EVENT_CANCELLED && t->ok_releases)
		violate("final-truth", "node %d records %s cancelled, but its release "
			"ran and succeeded", i + 1, buf);
	if (ev->state == COORD_EVENT_ABANDONED && !(t->origin_gone & (1u << i)))
		violate("final-truth", "node %d records %s abandoned, but its origin's "
			"coordd never left its view, nor it the group", i + 1, buf);
}

/* Final records: each judged against the facts (final-truth); every node
 * that delivered an event's DEATH and shared the
 * group with its origin (same engines) until the end holds the same final
 * record; an event held under policy hold names only survivors that did
 * not confirm. */
void check_final(void)
{
	int g, i;

	for (g = 0; g < S.ngt; g++) {
		const struct gt_event *t = &S.gt[g];
		const struct coord_event *first = NULL;
		int fi = -1;
		char buf[64];

		for (i = 0; i < S.n; i++) {	/* every record, shared or not */
			const struct coord_event *ev = S.nodes[i].e ?
				coord_engine_find_event(S.nodes[i].e, &t->id) : NULL;
			if (ev)
				check_final_truth(i, ev, t);
		}
		for (i = 0; i < S.n; i++) {
			const struct coord_event *ev;
			if (!(t->with & (1u << i)) || !S.nodes[i].e)
				continue;
			ev = coord_engine_find_event(S.nodes[i].e, &t->id);
			if (!ev)
				continue;
			if (ev->local_origin && ev->state == COORD_EVENT_HELD)
				check_outcome(i, ev, t, "holds", true);
			if (!first) {
				first = ev;
				fi = i;
				continue;
			}
			if (coord_event_ended(first) != coord_event_ended(ev) ||
			    (coord_event_ended(ev) && first->state != ev->state) ||
			    (ev->state == COORD_EVENT_RELEASED &&
			     first->release_outcome != ev->release_outcome))
				violate("final-agreement", "event %s: node %d records %s (%s), "
					"node %d %s (%s)",
					coord_event_id_format(&t->id, buf, sizeof(buf)), fi + 1,
					coord_event_state_name(first->state),
					coord_release_outcome_name(first->release_outcome), i + 1,
					coord_event_state_name(ev->state),
					coord_release_outcome_name(ev->release_outcome));
		}
	}
}

/* take-over: the gate's start on node i loads the client records of every
 * other node whose corosync runs on its side (by the simulator's record,
 * not the engine's): a coordd killed or not yet started leaves its node's
 * records there all the same, and clients of the VIP may have reclaimed on
 * any of them since.  (A node on the other side of a partition, or down,
 * is not known to corosync here: not judged.) */
void check_take_over(int i, const struct coord_action *a)
{
	unsigned want = 0, got = 0;
	int j;

	for (j = 0; j < S.n; j++)
		if (j != i && !S.nodes[j].crashed && !S.nodes[j].corosync_down &&
		    S.nodes[j].part == S.nodes[i].part)
			want |= 1u << j;
	for (j = 0; j < a->n_nodes; j++) {
		if (a->nodes[j] == (uint32_t)i + 1)
			violate("take-over", "node %d's take-over loads its own records as "
				"another node's", i + 1);
		else if (a->nodes[j] >= 1 && a->nodes[j] <= (uint32_t)S.n)
			got |= 1u << (a->nodes[j] - 1);
	}
	if (want & ~got)
		violate("take-over", "node %d's take-over leaves out the records of "
			"node(s) 0x%x (bit 0: node 1), whose corosync runs on its side",
			i + 1, want & ~got);
}

/* deadline: once an event's deadline passed (by the re-run rule: a fresh
 * one for the first COORD_MAX_RERUNS re-runs, the withdrawn event's after
 * that), its origin no longer waits for survivors: the policy has decided
 * (a release, or the wait for quorum or joiners before one, or held).
 * Judged whenever the origin's coordd runs in the group, faults or not. */
void check_deadline(void)
{
	int x;

	for (x = 0; x < S.ngt && !S.violation; x++) {
		const struct gt_event *g = &S.gt[x];
		const struct node *o = &S.nodes[g->origin];
		const struct coord_event *ev;
		char buf[64];

		if (!g->delivered || g->ended || S.now < g->deadline_at || !o->alive ||
		    o->inc != g->id.incarnation || (g->forged & (1u << g->origin)))
			continue;
		ev = coord_engine_find_event(o->e, &g->id);
		if (ev && ev->state == COORD_EVENT_WAITING)
			violate("deadline", "node %d's %s still waits for survivors %.1f s after "
				"its deadline (re-run %d)", g->origin + 1,
				coord_event_id_format(&g->id, buf, sizeof(buf)),
				(double)(S.now - g->deadline_at) / 1e6, g->reruns);
	}
}

/* dead-server-target: a node whose ganesha died and stays dead, its coordd
 * in the group, is no VIP target at the end of the quiet phase (its death
 * was reported again by its agent, the barrier ran, the release command
 * deleted ganesha-active), and no VIP is on it, unless its death waits by
 * policy: held under hold, or its release command keeps failing (0x20000),
 * or its side is inquorate (the fences a kept fault brings may do that).
 * (With its coordd out of the group the report is refused: the agent keeps
 * the attribute, since nothing may move without a barrier.) */
void check_stayed(uint64_t quiet_at)
{
	const struct node *nd;
	int i = S.stay_node, v;
	size_t k;

	if (S.stay != STAY_DEAD)
		return;
	nd = &S.nodes[i];
	if (!nd->alive || !nd->server_dead || nd->release_fails || !quorate(nd->part))
		return;
	for (k = 0; k < coord_engine_event_count(nd->e); k++) {
		const struct coord_event *ev = coord_engine_event(nd->e, k);
		if (ev->local_origin && ev->reason == COORD_DEATH_REPORTED &&
		    ev->state == COORD_EVENT_HELD)
			return;
	}
	if (nd->attr)
		violate("dead-server-target", "node %d, its ganesha dead, is still a VIP target "
			"%.1f s after faults stopped", i + 1, (double)(S.now - quiet_at) / 1e6);
	for (v = 0; v < S.n && !S.violation; v++)
		if (S.vip[v].phase == VIP_ON && S.vip[v].holder == i)
			violate("dead-server-target", "VIP %d is still on node %d, its ganesha "
				"dead, %.1f s after faults stopped", v + 1, i + 1,
				(double)(S.now - quiet_at) / 1e6);
}
