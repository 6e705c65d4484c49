/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The model's deliveries: the oldest message in flight of a partition
 * goes to every member of its view (agreed order, through the harness),
 * and each delivery updates the ground truth (an event's survivors, who
 * answered what) and checks agreement on it.
 */
#include "sim.h"

/* Receiver r refused (rc) a coordd's message for its incarnation because
 * hostile input misled r about that coordd: another process of its node
 * had taken that incarnation there first (after a merge, r had not heard
 * the coordd yet, and the second process, which knows the incarnation from
 * the group's traffic, spoke first), or, while it had, a replay pinned the
 * coordd's member there with an old incarnation (note_taken(), and the
 * forged ACK below).  r cannot tell which of the two is the coordd: for r
 * that coordd's messages are not delivered (the engine stays on the safe
 * side, waiting for a survivor it cannot hear). */
static bool incarnation_taken_at(int r, const struct harness_msg *f, int rc)
{
	const struct coord_engine *e = S.nodes[r].e;
	size_t k;

	if (rc != COORD_REJECTED_INCARNATION || f->tag)
		return false;
	if (S.nodes[r].misled & (1u << (f->from.nodeid - 1)))
		return true;
	for (k = 0; k < coord_engine_member_count(e); k++) {
		const struct coord_member *m = coord_engine_member(e, k);
		if (m->id.nodeid == f->from.nodeid && m->id.pid != f->from.pid &&
		    m->incarnation == f->msg.incarnation)
			return true;
	}
	return false;
}

/* Node r has just taken the second process, which spoke first with its
 * node's coordd's current incarnation, for that coordd (a merge, F_EARLY):
 * r pinned it with that incarnation, and refuses the coordd's messages
 * until one of the two leaves. */
static void note_taken(int r, const struct harness_msg *f)
{
	const struct coord_engine *e = S.nodes[r].e;
	int x = (int)f->from.nodeid - 1;
	uint64_t inc;
	size_t k;

	if (x < 0 || x >= S.n || f->from.pid == S.nodes[x].pid)
		return;
	inc = S.nodes[x].inc;
	for (k = 0; k < coord_engine_member_count(e); k++) {
		const struct coord_member *m = coord_engine_member(e, k);
		if (coord_member_id_equal(m->id, f->from) && m->incarnation == inc &&
		    S.nodes[r].taken_inc[x] != inc) {
			S.nodes[r].taken_inc[x] = inc;
			S.nodes[r].misled |= 1u << x;
			S.misled_seen = true;
			trace("node %d takes the second process for node %d's coordd "
			      "(incarnation %" PRIu64 ")", r + 1, x + 1, inc);
		}
	}
}

/* Node r recorded the second process's DEATH of this id before a coordd
 * reported it (deliver_one()). */
bool forged_death_at(int r, const struct coord_event_id *id)
{
	int k;

	for (k = 0; k < MAXNL; k++)
		if (coord_event_id_equal(&S.nodes[r].forged_death[k], id))
			return true;
	return false;
}

/* Node r was handed f (the harness's on_deliver): ground truth, and the
 * agreement checks. */
void note_delivery(struct harness *h, int r, const struct harness_msg *f, int rc)
{
	const struct coord_msg *m = &f->msg;
	struct node *rd = &S.nodes[r];
	int from = (int)f->from.nodeid - 1, j;

	(void)h;
	S.steps++;
	if (f->foreign)		/* coordd: the codec's BAD_VERSION */
		return;
	if (incarnation_taken_at(r, f, rc))
		return;
	if (f->tag) {
		struct gt_event *g = NULL;

		note_taken(r, f);
		if (m->type == COORD_MSG_DEATH) {	/* never ground truth */
			g = gt_find(&m->u.death.id);
			if (g)
				g->with &= ~(1u << r);
			else if (rc == COORD_ACCEPTED) {	/* see deliver_one() */
				rd->forged_death[rd->fd_next] = m->u.death.id;
				rd->fd_next = (rd->fd_next + 1) % MAXNL;
			}
		} else if (m->type == COORD_MSG_RELEASE && rc == COORD_ACCEPTED) {
			g = gt_find(&m->u.release.id);
		} else if (m->type == COORD_MSG_CANCEL && rc == COORD_ACCEPTED) {
			g = gt_find(&m->u.cancel.id);
		} else if (m->type == COORD_MSG_ACK && rc == COORD_ACCEPTED &&
			   f->from.pid == S.nodes[from].pid &&
			   rd->taken_inc[from] == S.nodes[from].inc) {
			/* A replay with a coordd's old incarnation, taken
			 * where that coordd was not pinned because the second
			 * process took its incarnation there first
			 * (note_taken).  The coordd's own messages are refused
			 * there now.  (Anywhere else, accepting it is the
			 * engine's fault, and judged.) */
			g = gt_find(&m->u.ack.id);
			rd->misled |= 1u << from;
			S.misled_seen = true;
			if (g)
				g->replayed |= 1u << r;
		}
		if (g)
			g->forged |= 1u << r;
		return;
	}
	if (m->type == COORD_MSG_HELLO) {
		rd->hello_inc[from] = m->incarnation;
		rd->hello_nvips[from] = m->u.hello.n_vips;
		memcpy(rd->hello_vips[from], m->u.hello.vips, sizeof(m->u.hello.vips));
	}
	if (m->type == COORD_MSG_DEATH) {
		struct gt_event *g = gt_find(&m->u.death.id);
		const struct coord_event *ev = coord_engine_find_event(rd->e, &m->u.death.id);

		if (g && (g->forged & (1u << r)))
			ev = NULL;	/* its record may be a forged DEATH's */
		if (g && ev)
			g->with |= 1u << r;
		if (g && ev) {		/* agreement on the survivor set */
			if (!g->agreed_set) {
				g->agreed_set = true;
				g->n_set = ev->n_survivors;
				for (j = 0; j < ev->n_survivors; j++)
					g->set[j] = ev->survivors[j].id;
			} else if (g->n_set != ev->n_survivors) {
				violate("agreement", "node %d derived %u survivors for an "
					"event where another derived %d", r + 1,
					ev->n_survivors, g->n_set);
			} else {
				for (j = 0; j < ev->n_survivors; j++)
					if (g->set[j].nodeid != ev->survivors[j].id.nodeid ||
					    g->set[j].pid != ev->survivors[j].id.pid)
						violate("agreement", "node %d derived another "
							"survivor set", r + 1);
			}
		}
		/* Ground truth at the origin: the view at this delivery. */
		if (g && r == g->origin && rd->inc == g->id.incarnation && !g->delivered) {
			struct gt_event *prev = NULL;

			g->delivered = true;
			g->delivered_at = S.now;
			g->deadline_at = S.now + DEADLINE_US;
			for (j = 0; j < S.ngt && !prev; j++)
				if (S.gt[j].rerun_cancelled &&
				    coord_event_id_equal(&S.gt[j].rerun_as, &g->id))
					prev = &S.gt[j];
			if (prev) {
				g->reruns = prev->reruns + 1;
				if (g->reruns > COORD_MAX_RERUNS)
					g->deadline_at = prev->deadline_at;
			}
			g->n = 0;
			for (j = 0; j < S.n; j++)
				if (j != r && S.nodes[j].alive && S.nodes[j].part == rd->part) {
					g->sv[g->n].nodeid = (uint32_t)j + 1;
					g->sv[g->n].pid = S.nodes[j].pid;
					g->n++;
				}
		}
		/* A survivor's own death while an event waits for it: down.
		 * (A handover is no death: its origin's server runs.)  Not
		 * where the second process's DEATH of this id came first
		 * (a merge window): r's record of the id is that one, and the
		 * coordd's DEATH is a duplicate there, no news of its death;
		 * r's barriers name it unconfirmed, the safe side. */
		for (j = 0; m->u.death.reason != COORD_DEATH_HANDOVER &&
			    !forged_death_at(r, &m->u.death.id) && j < S.ngt; j++) {
			struct gt_event *o = &S.gt[j];
			int k;
			if (o->origin != r || !o->delivered || o->ended || o->ok_releases ||
			    S.nodes[o->origin].inc != o->id.incarnation)
				continue;
			for (k = 0; k < o->n; k++)
				if (o->sv[k].nodeid == (uint32_t)from + 1 &&
				    o->sv[k].pid == f->from.pid && !o->sv[k].settled)
					o->sv[k].settled = o->sv[k].confirmed = true;
		}
	}
	if (m->type == COORD_MSG_ACK) {
		struct gt_event *g = gt_find(&m->u.ack.id);
		const struct coord_event *ev = coord_engine_find_event(rd->e, &m->u.ack.id);
		int k;

		if (!g)
			return;
		for (k = 0; k < g->n; k++) {
			struct gt_survivor *sv = &g->sv[k];
			if (sv->nodeid != f->from.nodeid || sv->pid != f->from.pid)
				continue;
			if (r == g->origin && rd->inc == g->id.incarnation) {
				sv->settled = true;
				if (m->u.ack.result == COORD_ACK_IN_GRACE ||
				    m->u.ack.result == COORD_ACK_SELF_DOWN)
					sv->confirmed = true;
			}
		}
		if (ev && !(g->forged & (1u << r))) {	/* no two nodes record different answers */
			for (k = 0; k < ev->n_survivors; k++) {
				const struct coord_survivor *s = &ev->survivors[k];
				int x;
				if (s->state != COORD_SURVIVOR_ANSWERED)
					continue;
				for (x = 0; x < g->n; x++) {
					if (g->sv[x].nodeid != s->id.nodeid || g->sv[x].pid != s->id.pid)
						continue;
					if (!g->sv[x].result)
						g->sv[x].result = s->result;
					else if (g->sv[x].result != s->result)
						violate("agreement", "node %d records survivor %u "
							"as %s, another node as %s", r + 1,
							s->id.nodeid, coord_ack_result_name(s->result),
							coord_ack_result_name((uint8_t)g->sv[x].result));
				}
			}
		}
	}
}

/* Delivers the oldest message in flight in partition part. */
void deliver_one(int part)
{
	const struct harness_msg *f;
	int from, r;

	sync_views();
	f = harness_oldest(&H, part);
	if (!f)
		return;
	from = (int)f->from.nodeid - 1;
	if (f->msg.type == COORD_MSG_DEATH && !f->tag && !gt_find(&f->msg.u.death.id) &&
	    S.ngt < MAXGT) {
		struct gt_event *g = &S.gt[S.ngt++];
		memset(g, 0, sizeof(*g));
		g->id = f->msg.u.death.id;
		g->origin = from;
		g->origin_pid = f->from.pid;
		g->reason = f->msg.u.death.reason;
		g->n_vips = f->msg.u.death.n_vips;
		memcpy(g->vips, f->msg.u.death.vips, sizeof(g->vips));
		/* Where the second process's DEATH of that id came first
		 * (it spoke with this coordd's incarnation: note_taken()), the
		 * record is its one. */
		for (r = 0; r < S.n; r++)
			if (forged_death_at(r, &g->id))
				g->forged |= 1u << r;
	}
	trace("deliver %s from node %d in partition %d", coord_msg_type_name(f->msg.type),
	      from + 1, part);
	harness_deliver_one(&H, part);
}

bool part_has_msgs(int part)
{
	return harness_oldest(&H, part) != NULL;
}

void flush(int part)
{
	while (part_has_msgs(part) && !S.violation)
		deliver_one(part);
}
