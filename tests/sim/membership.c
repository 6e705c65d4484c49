/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The model's configuration changes (virtual synchrony): coordds that
 * start, are killed, stop cleanly, crash with their node, lose corosync
 * and join again; partitions that split and merge.  Each change is
 * delivered to every live member of the partition, with the quorum
 * notification before or after it, and checked (whole-node-death, hello).
 */
#include "sim.h"

/* The change being delivered, for before_confchg() and after_confchg(). */
static struct {
	const struct coord_member_id *left;
	const uint8_t *reasons;
	size_t n_left, n_joined;
} change;

/* Node i is about to get the change: ground truth, and what it owes. */
static void before_confchg(int i, const struct coord_member_id *m, size_t n)
{
	const struct coord_member_id *left = change.left;
	const uint8_t *reasons = change.reasons;
	size_t n_left = change.n_left;
	struct node *nd = &S.nodes[i];
	bool was_joined;
	size_t k;

	/* final records: who no longer shares the group with an origin */
	for (k = 0; k < n_left; k++) {
		int g;
		for (g = 0; g < S.ngt; g++) {
			struct gt_event *e = &S.gt[g];
			int x = (int)left[k].nodeid - 1;
			if (!(e->with & (1u << i)))
				continue;
			if (left[k].nodeid == (uint32_t)e->origin + 1 &&
			    left[k].pid == e->origin_pid)
				e->with &= ~(1u << i);
			if (e->origin == i && left[k].pid == S.nodes[x].pid)
				e->with &= ~(1u << x);
		}
	}
	/* ground truth: whose view the origin's coordd left */
	for (k = 0; k < n_left; k++) {
		int g;
		for (g = 0; g < S.ngt; g++)
			if (left[k].nodeid == (uint32_t)S.gt[g].origin + 1 &&
			    left[k].pid == S.gt[g].origin_pid)
				S.gt[g].origin_gone |= 1u << i;
	}
	/* ground truth: survivors that left the origin's view */
	for (k = 0; k < n_left; k++) {
		int g;
		for (g = 0; g < S.ngt; g++) {
			struct gt_event *e = &S.gt[g];
			int x;
			if (e->origin != i || nd->inc != e->id.incarnation || !e->delivered)
				continue;
			for (x = 0; x < e->n; x++) {
				struct gt_survivor *sv = &e->sv[x];
				if (sv->nodeid != left[k].nodeid || sv->pid != left[k].pid ||
				    sv->settled)
					continue;
				/* Only a survivor that left with its node is
				 * settled (and confirmed) by leaving. */
				if (reasons[k] == COORD_LEAVE_NODEDOWN ||
				    (nd->told_view &&
				     !(nd->view_mask & (1u << (sv->nodeid - 1)))))
					sv->settled = sv->confirmed = sv->left = true;
				else
					sv->left_alive = true;
			}
		}
	}
	/* whole-node death: every departed coordd's announced VIPs (the
	 * HELLO it sent, as delivered here), however many left at once;
	 * also where this node took the second process for that coordd
	 * (note_taken) and the node-left record the second process's
	 * departure made is still pending: it is asked again with the
	 * coordd's VIPs */
	S.expect = S.seen = 0;
	for (k = 0; k < n_left; k++) {
		int x = (int)left[k].nodeid - 1;
		if (reasons[k] != COORD_LEAVE_LEAVE && x != i &&
		    left[k].pid == S.nodes[x].pid && nd->hello_inc[x] == S.nodes[x].inc)
			S.expect |= 1u << x;
	}
	/* Whoever is joined after a change with joiners owes a HELLO. */
	was_joined = coord_engine_joined(nd->e);
	S.hello_owed = change.n_joined || (!was_joined && member_id_in(mid(i), m, n));
	S.hello_sent = false;
	S.steps++;
}

/* Node i has had the change, and its actions were carried out. */
static void after_confchg(int i)
{
	struct node *nd = &S.nodes[i];
	size_t k;

	if (S.expect & ~S.seen)
		violate("whole-node-death", "node %d did not enter grace for the "
			"VIPs of departed node(s) 0x%x", i + 1, S.expect & ~S.seen);
	if (S.hello_owed && !S.hello_sent)
		violate("hello", "node %d sent no HELLO after a change with "
			"joiners", i + 1);
	S.expect = S.seen = 0;
	S.hello_owed = false;
	/* A member that left is a new member if it comes back. */
	for (k = 0; k < change.n_left; k++)
		if (change.left[k].pid == S.nodes[change.left[k].nodeid - 1].pid) {
			nd->hello_inc[change.left[k].nodeid - 1] = 0;
			nd->misled &= ~(1u << (change.left[k].nodeid - 1));
		}
}

/* The harness's on_confchg. */
void on_confchg(struct harness *h, int i, bool after,
		const struct coord_member_id *m, size_t n)
{
	(void)h;
	if (after)
		after_confchg(i);
	else
		before_confchg(i, m, n);
}

/* Delivers a confchg to every live member of part (and the quorum
 * service's notification, before or after it). */
void confchg(int part, const struct coord_member_id *left, const uint8_t *reasons,
	     size_t n_left, const struct coord_member_id *joined, size_t n_joined)
{
	int i;

	/* The quorum service may speak before or after CPG. */
	if (rn(2))
		for (i = 0; i < S.n; i++)
			if (S.nodes[i].part == part)
				tell_quorum(i);
	change.left = left;
	change.reasons = reasons;
	change.n_left = n_left;
	change.n_joined = n_joined;
	sync_views();
	harness_confchg(&H, part, left, reasons, n_left, joined, n_joined);
	/* A coordd of another major version says HELLO to joiners too (in
	 * its own version: refused, and told the engines as incompatible). */
	if (n_joined && S.h_on && S.h_foreign && S.nodes[S.h_node].part == part)
		foreign_hello();
	for (i = 0; i < S.n; i++)
		if (S.nodes[i].part == part)
			tell_quorum(i);
}

/* A departing member's unsent messages: all delivered or all lost, the
 * same for every receiver (virtual synchrony). */
void drop_unsent(struct coord_member_id who, int part)
{
	harness_drop_from(&H, part, who);
}

/* An engine goes away: it no longer holds any record. */
static void forget_records(int i)
{
	int g;

	for (g = 0; g < S.ngt; g++)
		S.gt[g].with &= ~(1u << i);
}

/* Several coordds of one partition go away in one configuration change:
 * killed (PROCDOWN), stopped (a clean LEAVE), or their whole node crashed
 * (NODEDOWN; a second process on that node goes with it). */
void members_gone(const int *idx, const uint8_t *reason, int n)
{
	struct coord_member_id left[MAXN + 1];
	uint8_t why[MAXN + 1];
	int part = S.nodes[idx[0]].part, k, nl = 0;

	for (k = 0; k < n; k++) {
		trace("%s of node %d", reason[k] == COORD_LEAVE_NODEDOWN ? "crash" :
		      reason[k] == COORD_LEAVE_LEAVE ? "coordd stopped (LEAVE)" : "coordd killed",
		      idx[k] + 1);
		/* A clean stop leaves after its last message is delivered. */
		if (reason[k] != COORD_LEAVE_LEAVE && rn(2))
			drop_unsent(mid(idx[k]), part);
		if (reason[k] == COORD_LEAVE_NODEDOWN && S.h_on && S.h_node == idx[k]) {
			drop_unsent(hid(), part);
			S.h_on = S.h_foreign = false;
			left[nl] = hid();
			why[nl++] = COORD_LEAVE_NODEDOWN;
		}
	}
	flush(part);
	for (k = 0; k < n; k++) {
		struct node *nd = &S.nodes[idx[k]];
		nd->alive = false;
		coord_engine_free(nd->e);
		nd->e = NULL;
		forget_records(idx[k]);
		nd->attr_stale = true;
		nd->coordd_gone_at = S.now;
		if (reason[k] == COORD_LEAVE_NODEDOWN) {
			nd->crashed = true;
			nd->server_dead = true;
			nd->attr = false;	/* transient: gone with the node */
			node_lost_vips(idx[k]);
		}
		left[nl] = mid(idx[k]);
		why[nl++] = reason[k];
	}
	confchg(part, left, why, (size_t)nl, NULL, 0);
}

void member_gone(int i, uint8_t reason)
{
	members_gone(&i, &reason, 1);
}

void member_start(int i)
{
	struct node *nd = &S.nodes[i];
	struct coord_member_id j;

	if (S.h_on && S.h_foreign && S.h_node == i) {	/* the 2.0 coordd stops */
		struct coord_member_id h = hid();
		uint8_t why = COORD_LEAVE_LEAVE;
		flush(nd->part);
		S.h_on = S.h_foreign = false;
		confchg(nd->part, &h, &why, 1, NULL, 0);
	}
	trace("coordd starts on node %d", i + 1);
	if (nd->crashed) {	/* a rebooted node: its ganesha starts too */
		nd->crashed = false;
		nd->server_dead = false;
		nd->fresh_until = S.now + GRACE_PERIOD_US;
	}
	flush(nd->part);
	engine_start(i);
	forget_records(i);
	nd->alive = true;
	j = mid(i);
	confchg(nd->part, NULL, NULL, 0, &j, 1);
}

/* coordd loses corosync (its IPC, or corosync stops on its node) and runs
 * on: coord_engine_disconnected, a new incarnation.  The others see it
 * leave.  Later the same process, same pid, joins again (reconnect). */
void disconnect(int i)
{
	struct node *nd = &S.nodes[i];
	struct coord_member_id left[2];
	uint8_t why[2];
	int part = nd->part, g, nl = 0;
	bool node_down = rn(2);

	trace("node %d's coordd loses corosync (%s)", i + 1,
	      node_down ? "corosync stops there" : "its connection");
	if (rn(2))
		drop_unsent(mid(i), part);
	if (node_down && S.h_on && S.h_node == i) {
		drop_unsent(hid(), part);
		S.h_on = S.h_foreign = false;
		left[nl] = hid();
		why[nl++] = COORD_LEAVE_NODEDOWN;
	}
	flush(part);
	nd->alive = false;
	nd->disconnected = true;
	nd->corosync_down = node_down;
	nd->attr_stale = true;
	nd->coordd_gone_at = S.now;
	if (node_down)
		nd->attr = false;	/* pacemaker lost the node: transient */
	forget_records(i);
	for (g = 0; g < S.ngt; g++) {	/* its own events: it left everybody */
		if (S.gt[g].origin == i && S.gt[g].id.incarnation == nd->inc)
			S.gt[g].with = 0;
		S.gt[g].origin_gone |= 1u << i;	/* it abandons what is pending */
	}
	S.steps++;
	coord_engine_disconnected(nd->e, S.now, S.next_inc + 1);
	drain(i);
	left[nl] = mid(i);
	why[nl++] = node_down ? COORD_LEAVE_NODEDOWN : COORD_LEAVE_PROCDOWN;
	confchg(part, left, why, (size_t)nl, NULL, 0);
	nd->prev_inc = nd->inc;
	nd->inc = ++S.next_inc;
	memset(nd->hello_inc, 0, sizeof(nd->hello_inc));
}

void reconnect(int i)
{
	struct node *nd = &S.nodes[i];
	struct coord_member_id j = mid(i);

	trace("node %d's coordd joins again, same pid", i + 1);
	flush(nd->part);
	nd->disconnected = false;
	nd->corosync_down = false;
	nd->alive = true;
	confchg(nd->part, NULL, NULL, 0, &j, 1);
}

static int free_part(void)
{
	int i, j;

	for (i = 0; i < S.n; i++) {
		bool used = false;
		for (j = 0; j < S.n; j++)
			if (S.nodes[j].part == i)
				used = true;
		if (!used)
			return i;
	}
	return -1;
}

void split(int part)
{
	struct coord_member_id left[MAXN + 1], other[MAXN + 1];
	uint8_t r1[MAXN + 1], r2[MAXN + 1];
	int side[MAXN], i, newp = free_part(), na = 0, nb = 0;

	if (newp < 0)
		return;
	flush(part);
	for (i = 0; i < S.n; i++) {
		side[i] = -1;
		if (S.nodes[i].part != part)
			continue;
		side[i] = (int)rn(2);
	}
	for (i = 0; i < S.n; i++) {
		bool h = S.h_on && S.h_node == i && !S.nodes[i].corosync_down;
		if (side[i] == 1) {
			S.nodes[i].part = newp;
			if (S.nodes[i].alive) {
				left[na] = mid(i);
				r1[na++] = COORD_LEAVE_NODEDOWN;
			}
			if (h) {
				left[na] = hid();
				r1[na++] = COORD_LEAVE_NODEDOWN;
			}
		} else if (side[i] == 0) {
			if (S.nodes[i].alive) {
				other[nb] = mid(i);
				r2[nb++] = COORD_LEAVE_NODEDOWN;
			}
			if (h) {
				other[nb] = hid();
				r2[nb++] = COORD_LEAVE_NODEDOWN;
			}
		}
	}
	trace("partition: %d member(s) split from partition %d into %d", na, part, newp);
	if (!na || !nb) {	/* no group change, but corosync's quorum changed */
		for (i = 0; i < S.n; i++)
			tell_quorum(i);
		return;
	}
	confchg(part, left, r1, (size_t)na, NULL, 0);
	confchg(newp, other, r2, (size_t)nb, NULL, 0);
}

void merge(int a, int b)
{
	struct coord_member_id ja[MAXN + 1];
	int i, n = 0;

	flush(a);
	flush(b);
	for (i = 0; i < S.n; i++)
		if (S.nodes[i].part == b) {
			S.nodes[i].part = a;
			if (S.nodes[i].alive)
				ja[n++] = mid(i);
		}
	for (i = 0; i < S.n; i++)
		if (S.nodes[i].part == a && S.nodes[i].alive) {
			bool in_b = false;
			int k;
			for (k = 0; k < n; k++)
				if (ja[k].nodeid == (uint32_t)i + 1)
					in_b = true;
			if (!in_b)
				ja[n++] = mid(i);
		}
	if (S.h_on && S.nodes[S.h_node].part == a)
		ja[n++] = hid();
	trace("merge of partitions %d and %d", a, b);
	second_process_first(a);
	confchg(a, NULL, NULL, 0, ja, (size_t)n);
}

/* Pacemaker fences node i, whose gate's stop fails for ever (a fault it
 * keeps: no coordd of ours in the group there, or a hung ganesha): the
 * node goes down with whatever runs on it. */
void node_fenced(int i)
{
	struct node *nd = &S.nodes[i];
	struct coord_member_id h;
	uint8_t why = COORD_LEAVE_NODEDOWN;
	int part = nd->part, j;
	bool second = S.h_on && S.h_node == i;

	if (nd->alive) {
		trace("pacemaker fences node %d", i + 1);
		member_gone(i, COORD_LEAVE_NODEDOWN);
		return;
	}
	trace("pacemaker fences node %d (no coordd of ours in the group there)", i + 1);
	h = hid();
	if (second) {
		drop_unsent(h, part);
		flush(part);
		S.h_on = S.h_foreign = false;
	}
	if (nd->e) {		/* a coordd that lost corosync dies with its node */
		coord_engine_free(nd->e);
		nd->e = NULL;
	}
	forget_records(i);
	nd->disconnected = nd->corosync_down = false;
	nd->crashed = true;
	nd->server_dead = true;
	nd->attr = false;
	nd->attr_stale = true;
	node_lost_vips(i);
	if (second)
		confchg(part, &h, &why, 1, NULL, 0);
	else		/* no group change; corosync's quorum changed */
		for (j = 0; j < S.n; j++)
			tell_quorum(j);
}
