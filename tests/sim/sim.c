/*
 * The simulator: N instances of the real barrier engine (coord/engine.c,
 * the code coordd links) in one process, on a virtual clock, connected by
 * a model of what corosync's CPG guarantees.  docs/simulation.md states
 * the model and the invariants checked after every step.
 *
 *   sim [-n SCHEDULES] [-s FIRST-SEED]     run schedules, print one summary
 *   sim -r SEED [-k STEPS] [-m MASK]       replay one schedule, with a trace
 *
 * Model.  Nodes are grouped in partitions; each partition has one view
 * (its live coordd members) and one queue of messages in flight, which it
 * delivers in one order to every member of the view (agreed order).  A
 * view changes only after the messages in flight were delivered to the old
 * view (virtual synchrony); a crashed member's unsent messages are either
 * all delivered or all lost, the same for everybody.  A member that left
 * delivers nothing more and nothing more from it is delivered.  A restarted
 * coordd is a new engine with a higher incarnation and a new pid.  A side
 * is quorate iff it holds a strict majority of the configured nodes.  The
 * local grace call succeeds, fails, reports no server, is slow or hangs
 * until its timeout; the release command succeeds or fails.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "coord/engine.h"

#define MAXN		8
#define MAXQ		4096
#define MAXGT		512
#define MAXCALLS	256
#define DEADLINE_US	10000000ull
#define GRACE_TIMEOUT_US 5000000ull
#define RETRY_US	1000000ull
#define RETRY_MAX_US	8000000ull
#define ATTEMPTS	3
/* Liveness: once faults stop, every event ends (or is held) within this. */
#define LIVENESS_BOUND_US (DEADLINE_US + GRACE_TIMEOUT_US + 20000000ull)

/* Fault kinds, as bits of the mask a shrunk schedule may turn off. */
enum {
	F_REPORT = 1 << 0, F_DUPLICATE = 1 << 1, F_SLOW = 1 << 2, F_HANG = 1 << 3,
	F_FAIL_GRACE = 1 << 4, F_RESTART = 1 << 5, F_CRASH = 1 << 6,
	F_PARTITION = 1 << 7, F_RELEASE_FAIL = 1 << 8, F_FORGE = 1 << 9,
	F_ALL = (1 << 10) - 1,
};

struct inflight {
	int part;
	int from;			/* node index */
	struct coord_member_id from_id;
	bool forged;			/* a hostile replay: not ground truth */
	struct coord_msg msg;
};

struct call {			/* a grace call or a release command */
	struct coord_event_id id;
	uint64_t at;
	int value;			/* ack result, or exit status */
	uint64_t inc;			/* the engine that asked */
};

struct node {
	struct coord_engine *e;
	bool alive;			/* coordd runs and is in its view */
	bool crashed;			/* the whole node is down */
	uint32_t pid;
	uint64_t inc, prev_inc;
	int part;
	bool server_dead;
	int grace_mode;			/* 0 ok, 1 slow, 2 false, 3 no bus, 4 hang */
	bool release_fails;
	bool told_quorate;
	uint64_t hello_inc[MAXN];	/* incarnation whose HELLO we delivered */
	struct coord_vip hello_vips[MAXN][COORD_MAX_VIPS];
	uint16_t hello_nvips[MAXN];
	int ncalls, nrel;
	struct call grace[MAXCALLS], rel[MAXCALLS];
};

struct gt_survivor {
	uint32_t nodeid, pid;
	bool settled, confirmed;
	bool left;			/* settled by leaving, not by grace */
	int result;			/* first result recorded anywhere, or 0 */
};

/* Ground truth of one reported event, kept by the simulator itself. */
struct gt_event {
	struct coord_event_id id;
	int origin;
	bool delivered;			/* at the origin */
	bool ended;			/* released OK, abandoned, cancelled */
	uint64_t delivered_at;
	uint64_t deadline_at;		/* by the re-run rule (engine.c, rule 6) */
	bool rerun_cancelled;		/* withdrawn by its origin for a joiner */
	int reruns;			/* withdrawn-and-reported-again chain */
	int n;
	struct gt_survivor sv[MAXN];
	bool agreed_set;		/* the survivor set first seen */
	int n_set;
	struct coord_member_id set[COORD_MAX_NODES];
	int ok_releases;
	bool release_running;
	bool release_decided;		/* a first attempt started: retries repeat it */
};

struct sim {
	uint64_t seed, rng;
	int n;
	enum coord_policy policy;
	uint64_t now;
	uint64_t steps;
	uint32_t next_pid;
	uint64_t next_inc;
	unsigned mask;
	bool verbose;
	const char *violation;
	char why[256];
	/* whole-node death check */
	int expect_left_node;
	bool expect_seen;
	int nq, ngt;
	/* From here on, reset by counts, not by memset. */
	struct node nodes[MAXN];
	struct inflight q[MAXQ];
	struct gt_event gt[MAXGT];
};

static struct sim S;

/* ---- random ---- */

static uint64_t rnd(void)
{
	uint64_t z = (S.rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned rn(unsigned n) { return n ? (unsigned)(rnd() % n) : 0; }

static void trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void trace(const char *fmt, ...)
{
	va_list ap;

	if (!S.verbose)
		return;
	printf("%10.3f s  ", (double)S.now / 1e6);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void violate(const char *invariant, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void violate(const char *invariant, const char *fmt, ...)
{
	va_list ap;

	if (S.violation)
		return;
	S.violation = invariant;
	va_start(ap, fmt);
	vsnprintf(S.why, sizeof(S.why), fmt, ap);
	va_end(ap);
	trace("VIOLATION %s: %s", invariant, S.why);
}

static void engine_log(void *ctx, int prio, const char *text)
{
	(void)prio;
	if (S.verbose)
		printf("%10.3f s    [node %d] %s\n", (double)S.now / 1e6,
		       (int)(intptr_t)ctx + 1, text);
}

/* ---- ground truth ---- */

static struct gt_event *gt_find(const struct coord_event_id *id)
{
	int i;

	for (i = 0; i < S.ngt; i++)
		if (coord_event_id_equal(&S.gt[i].id, id))
			return &S.gt[i];
	return NULL;
}

/* corosync's votequorum counts nodes whose corosync runs, not coordds. */
static bool quorate(int part)
{
	int i, c = 0;

	for (i = 0; i < S.n; i++)
		if (!S.nodes[i].crashed && S.nodes[i].part == part)
			c++;
	return c * 2 > S.n;
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

/* Invariants confirmed, once and quorum, at the moment a release starts. */
static void check_release(int o, const struct coord_event_id *id)
{
	struct gt_event *g = gt_find(id);
	const struct coord_event *ev = coord_engine_find_event(S.nodes[o].e, id);
	char buf[64];

	coord_event_id_format(id, buf, sizeof(buf));
	if (!g || !g->delivered) {
		violate("confirmed", "node %d released %s, which it never delivered", o + 1, buf);
		return;
	}
	if (g->ok_releases || g->release_running)
		violate("once", "node %d starts a release of %s after %s", o + 1, buf,
			g->ok_releases ? "a successful one" : "one still running");
	if (!quorate(S.nodes[o].part))
		violate("quorum", "node %d releases %s while inquorate", o + 1, buf);
	if (!g->release_decided && !gt_confirmed(g)) {
		bool allowed = S.policy == COORD_POLICY_RELEASE &&
			       (S.now >= g->deadline_at || gt_settled(g));
		if (!allowed)
			violate("confirmed", "node %d releases %s before every survivor "
				"confirmed (policy %s)", o + 1, buf, coord_policy_name(S.policy));
		else if (!ev || ev->release_outcome != COORD_RELEASE_UNCONFIRMED)
			violate("confirmed", "node %d releases %s unconfirmed but its "
				"record does not say so", o + 1, buf);
	}
	g->release_running = true;
	g->release_decided = true;
}

/* ---- engines ---- */

static struct coord_member_id mid(int i)
{
	struct coord_member_id m = { (uint32_t)i + 1, S.nodes[i].pid };
	return m;
}

static void vip_of(int i, struct coord_vip *v)
{
	memset(v, 0, sizeof(*v));
	v->family = 4;
	v->addr[0] = 198;
	v->addr[1] = 18;
	v->addr[2] = 0;
	v->addr[3] = (uint8_t)(101 + i);
}

static void engine_start(int i)
{
	struct node *nd = &S.nodes[i];
	struct coord_engine_config cfg = {
		.nodeid = (uint32_t)i + 1,
		.incarnation = ++S.next_inc,
		.n_vips = 1,
		.deadline_us = DEADLINE_US,
		.policy = S.policy,
		.release_retry_us = RETRY_US,
		.release_retry_max_us = RETRY_MAX_US,
		.release_max_attempts = ATTEMPTS,
		.log = S.verbose ? engine_log : NULL,
		.log_ctx = (void *)(intptr_t)i,
	};

	vip_of(i, &cfg.vips[0]);
	nd->prev_inc = nd->inc;
	nd->inc = cfg.incarnation;
	nd->pid = ++S.next_pid;
	nd->e = coord_engine_new(&cfg);
	if (!nd->e) {
		fprintf(stderr, "sim: cannot create an engine\n");
		exit(2);
	}
	coord_engine_set_self(nd->e, nd->pid);
	nd->told_quorate = false;
	nd->ncalls = nd->nrel = 0;
	memset(nd->hello_inc, 0, sizeof(nd->hello_inc));
}

static void enqueue(int from, const struct coord_msg *msg, bool forged)
{
	struct inflight *f;

	if (S.nq == MAXQ) {
		violate("model", "message queue overflow");
		return;
	}
	f = &S.q[S.nq++];
	f->part = S.nodes[from].part;
	f->from = from;
	f->from_id = mid(from);
	f->forged = forged;
	f->msg = *msg;
}

/* Carries out what engine i asked for. */
static void drain(int i)
{
	struct node *nd = &S.nodes[i];
	struct coord_action a;

	while (nd->e && coord_engine_next_action(nd->e, &a)) {
		switch (a.kind) {
		case COORD_ACTION_SEND:
			if (a.msg.type == COORD_MSG_ACK && S.expect_left_node >= 0 &&
			    a.msg.u.ack.id.seq == 0 &&
			    a.msg.u.ack.id.origin == (uint32_t)S.expect_left_node + 1 &&
			    a.msg.u.ack.result == COORD_ACK_SELF_DOWN)
				S.expect_seen = true;
			if (a.msg.type == COORD_MSG_CANCEL &&
			    a.msg.u.cancel.reason == COORD_CANCEL_REJOINED) {
				struct gt_event *g = gt_find(&a.msg.u.cancel.id);
				if (g)
					g->rerun_cancelled = true;
			}
			enqueue(i, &a.msg, false);
			break;
		case COORD_ACTION_GRACE: {
			struct call *c;
			if (S.expect_left_node >= 0 && a.event.seq == 0 &&
			    a.event.origin == (uint32_t)S.expect_left_node + 1) {
				int x = S.expect_left_node;
				if (a.n_vips != nd->hello_nvips[x] ||
				    memcmp(a.vips, nd->hello_vips[x], a.n_vips * sizeof(a.vips[0])))
					violate("whole-node-death", "node %d asks grace for "
						"%u VIP(s) of departed node %d, which announced %u",
						i + 1, a.n_vips, x + 1, nd->hello_nvips[x]);
				S.expect_seen = true;
			}
			if (nd->ncalls == MAXCALLS)
				break;
			c = &nd->grace[nd->ncalls++];
			c->id = a.event;
			c->inc = nd->inc;
			if (nd->server_dead) {
				c->value = COORD_ACK_NO_SERVER;
				c->at = S.now + 1000;
			} else switch (nd->grace_mode) {
			case 1: c->value = COORD_ACK_IN_GRACE; c->at = S.now + 1000 + rn(8000000); break;
			case 2: c->value = COORD_ACK_GRACE_FAILED; c->at = S.now + 2000; break;
			case 3: c->value = COORD_ACK_NO_BUS; c->at = S.now + 500; break;
			case 4: c->value = COORD_ACK_TIMEOUT; c->at = S.now + GRACE_TIMEOUT_US; break;
			default: c->value = COORD_ACK_IN_GRACE; c->at = S.now + 1000 + rn(5000); break;
			}
			break;
		}
		case COORD_ACTION_RELEASE: {
			struct call *c;
			check_release(i, &a.event);
			if (nd->nrel == MAXCALLS)
				break;
			c = &nd->rel[nd->nrel++];
			c->id = a.event;
			c->inc = nd->inc;
			c->value = nd->release_fails ? 1 : 0;
			c->at = S.now + 2000 + rn(20000);
			break;
		}
		case COORD_ACTION_EVENT_ENDED: {
			struct gt_event *g = gt_find(&a.event);
			if (g && a.event.origin == (uint32_t)i + 1 && a.event.incarnation == nd->inc)
				g->ended = true;
			break;
		}
		}
	}
}

/* corosync's quorum notification: the nodes whose corosync runs here. */
static void tell_quorum(int i)
{
	struct node *nd = &S.nodes[i];
	uint32_t view[MAXN];
	size_t n = 0;
	int j;

	if (!nd->alive)
		return;
	for (j = 0; j < S.n; j++)
		if (!S.nodes[j].crashed && S.nodes[j].part == nd->part)
			view[n++] = (uint32_t)j + 1;
	nd->told_quorate = quorate(nd->part);
	S.steps++;
	coord_engine_quorum_view(nd->e, S.now, nd->told_quorate, view, n);
	drain(i);
}

/* ---- deliveries ---- */

static void note_delivery(int r, const struct inflight *f)
{
	const struct coord_msg *m = &f->msg;
	struct node *rd = &S.nodes[r];
	int j;

	if (m->type == COORD_MSG_HELLO) {
		rd->hello_inc[f->from] = m->incarnation;
		rd->hello_nvips[f->from] = m->u.hello.n_vips;
		memcpy(rd->hello_vips[f->from], m->u.hello.vips, sizeof(m->u.hello.vips));
	}
	if (m->type == COORD_MSG_DEATH) {
		struct gt_event *g = gt_find(&m->u.death.id);
		const struct coord_event *ev = coord_engine_find_event(rd->e, &m->u.death.id);

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
			struct coord_event_id prev_id = g->id;
			struct gt_event *prev;

			g->delivered = true;
			g->delivered_at = S.now;
			g->deadline_at = S.now + DEADLINE_US;
			prev_id.seq--;
			prev = gt_find(&prev_id);
			if (prev && prev->rerun_cancelled) {
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
		/* A survivor's own death while an event waits for it: down. */
		for (j = 0; j < S.ngt; j++) {
			struct gt_event *o = &S.gt[j];
			int k;
			if (o->origin != r || !o->delivered || o->ended || o->ok_releases ||
			    S.nodes[o->origin].inc != o->id.incarnation)
				continue;
			for (k = 0; k < o->n; k++)
				if (o->sv[k].nodeid == (uint32_t)f->from + 1 &&
				    o->sv[k].pid == f->from_id.pid && !o->sv[k].settled)
					o->sv[k].settled = o->sv[k].confirmed = true;
		}
	}
	if (m->type == COORD_MSG_ACK && !f->forged) {
		struct gt_event *g = gt_find(&m->u.ack.id);
		const struct coord_event *ev = coord_engine_find_event(rd->e, &m->u.ack.id);
		int k;

		if (!g)
			return;
		for (k = 0; k < g->n; k++) {
			struct gt_survivor *sv = &g->sv[k];
			if (sv->nodeid != f->from_id.nodeid || sv->pid != f->from_id.pid)
				continue;
			if (r == g->origin && rd->inc == g->id.incarnation) {
				sv->settled = true;
				if (m->u.ack.result == COORD_ACK_IN_GRACE ||
				    m->u.ack.result == COORD_ACK_SELF_DOWN)
					sv->confirmed = true;
			}
		}
		if (ev) {	/* no two nodes record different answers */
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
static void deliver_one(int part)
{
	struct inflight f;
	int qi, r;

	for (qi = 0; qi < S.nq; qi++)
		if (S.q[qi].part == part)
			break;
	if (qi == S.nq)
		return;
	f = S.q[qi];
	memmove(&S.q[qi], &S.q[qi + 1], (size_t)(S.nq - qi - 1) * sizeof(S.q[0]));
	S.nq--;
	if (f.msg.type == COORD_MSG_DEATH && !gt_find(&f.msg.u.death.id) && S.ngt < MAXGT) {
		struct gt_event *g = &S.gt[S.ngt++];
		memset(g, 0, sizeof(*g));
		g->id = f.msg.u.death.id;
		g->origin = f.from;
	}
	trace("deliver %s from node %d in partition %d", coord_msg_type_name(f.msg.type),
	      f.from + 1, part);
	for (r = 0; r < S.n; r++) {
		if (!S.nodes[r].alive || S.nodes[r].part != part)
			continue;
		S.steps++;
		coord_engine_deliver(S.nodes[r].e, S.now, f.from_id, &f.msg);
		note_delivery(r, &f);
		drain(r);
	}
}

static bool part_has_msgs(int part)
{
	int i;

	for (i = 0; i < S.nq; i++)
		if (S.q[i].part == part)
			return true;
	return false;
}

static void flush(int part)
{
	while (part_has_msgs(part) && !S.violation)
		deliver_one(part);
}

/* ---- configuration changes ---- */

/* Delivers a confchg to every live member of part. */
static void confchg(int part, const struct coord_member_id *left, const uint8_t *reasons,
		    size_t n_left, const struct coord_member_id *joined, size_t n_joined)
{
	struct coord_member_id m[MAXN];
	size_t n = 0;
	int i;

	for (i = 0; i < S.n; i++)
		if (S.nodes[i].alive && S.nodes[i].part == part)
			m[n++] = mid(i);
	/* The quorum service may speak before or after CPG. */
	if (rn(2))
		for (i = 0; i < S.n; i++)
			if (S.nodes[i].part == part)
				tell_quorum(i);
	for (i = 0; i < S.n; i++) {
		struct node *nd = &S.nodes[i];
		size_t k;

		if (!nd->alive || nd->part != part)
			continue;
		/* ground truth: survivors that left the origin's view */
		for (k = 0; k < n_left; k++) {
			int g;
			for (g = 0; g < S.ngt; g++) {
				struct gt_event *e = &S.gt[g];
				int x;
				if (e->origin != i || nd->inc != e->id.incarnation || !e->delivered)
					continue;
				for (x = 0; x < e->n; x++)
					if (e->sv[x].nodeid == left[k].nodeid &&
					    e->sv[x].pid == left[k].pid && !e->sv[x].settled)
						e->sv[x].settled = e->sv[x].confirmed =
							e->sv[x].left = true;
			}
		}
		S.expect_seen = false;
		S.expect_left_node = -1;
		/* whole-node death: a departed member's announced VIPs */
		for (k = 0; k < n_left; k++) {
			int x = (int)left[k].nodeid - 1;
			if (reasons[k] != COORD_LEAVE_LEAVE &&
			    nd->hello_inc[x] == S.nodes[x].inc && x != i && n_left == 1)
				S.expect_left_node = x;
		}
		S.steps++;
		coord_engine_confchg(nd->e, S.now, m, n, left, reasons, n_left, joined, n_joined);
		drain(i);
		if (S.expect_left_node >= 0 && !S.expect_seen)
			violate("whole-node-death", "node %d did not enter grace for the "
				"VIPs of departed node %d", i + 1, S.expect_left_node + 1);
		S.expect_left_node = -1;
		/* A member that left is a new member if it comes back. */
		for (k = 0; k < n_left; k++)
			nd->hello_inc[left[k].nodeid - 1] = 0;
	}
	for (i = 0; i < S.n; i++)
		if (S.nodes[i].part == part)
			tell_quorum(i);
}

/* Node i's coordd (or whole node) goes away. */
static void member_gone(int i, uint8_t reason, bool whole_node)
{
	struct node *nd = &S.nodes[i];
	struct coord_member_id left = mid(i);
	int part = nd->part, q;

	trace("%s of node %d", whole_node ? "crash" : "coordd killed", i + 1);
	/* Its unsent messages: all delivered or all lost, the same for all. */
	if (rn(2)) {
		for (q = 0; q < S.nq;) {
			if (S.q[q].from == i && S.q[q].part == part) {
				memmove(&S.q[q], &S.q[q + 1], (size_t)(S.nq - q - 1) * sizeof(S.q[0]));
				S.nq--;
			} else {
				q++;
			}
		}
	}
	flush(part);
	nd->alive = false;
	coord_engine_free(nd->e);
	nd->e = NULL;
	if (whole_node) {
		nd->crashed = true;
		nd->server_dead = true;
	}
	confchg(part, &left, &reason, 1, NULL, 0);
}

static void member_start(int i)
{
	struct node *nd = &S.nodes[i];
	struct coord_member_id j;

	trace("coordd starts on node %d", i + 1);
	if (nd->crashed) {	/* a rebooted node: its ganesha starts too */
		nd->crashed = false;
		nd->server_dead = false;
	}
	flush(nd->part);
	engine_start(i);
	nd->alive = true;
	j = mid(i);
	confchg(nd->part, NULL, NULL, 0, &j, 1);
}

static void split(int part)
{
	struct coord_member_id left[MAXN], other[MAXN];
	uint8_t r1[MAXN], r2[MAXN];
	int side[MAXN], i, newp = -1, na = 0, nb = 0;

	for (i = 0; i < S.n && newp < 0; i++) {
		int j, used = 0;
		for (j = 0; j < S.n; j++)
			if (S.nodes[j].part == i)
				used = 1;
		if (!used)
			newp = i;
	}
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
		if (side[i] == 1) {
			S.nodes[i].part = newp;
			if (S.nodes[i].alive) {
				left[na] = mid(i);
				r1[na++] = COORD_LEAVE_NODEDOWN;
			}
		} else if (side[i] == 0 && S.nodes[i].alive) {
			other[nb] = mid(i);
			r2[nb++] = COORD_LEAVE_NODEDOWN;
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

static void merge(int a, int b)
{
	struct coord_member_id ja[MAXN];
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
	trace("merge of partitions %d and %d", a, b);
	confchg(a, NULL, NULL, 0, ja, (size_t)n);
}

/* ---- time ---- */

static void advance(uint64_t dt)
{
	uint64_t end = S.now + dt;
	int i, k;

	while (S.now < end && !S.violation) {
		uint64_t next = end;

		for (i = 0; i < S.n; i++) {
			struct node *nd = &S.nodes[i];
			if (!nd->alive)
				continue;
			if (coord_engine_next_timer(nd->e) < next)
				next = coord_engine_next_timer(nd->e);
			for (k = 0; k < nd->ncalls; k++)
				if (nd->grace[k].at < next)
					next = nd->grace[k].at;
			for (k = 0; k < nd->nrel; k++)
				if (nd->rel[k].at < next)
					next = nd->rel[k].at;
		}
		if (next < S.now)
			next = S.now;
		S.now = next;
		for (i = 0; i < S.n; i++) {
			struct node *nd = &S.nodes[i];
			if (!nd->alive)
				continue;
			for (k = 0; k < nd->ncalls;) {
				struct call c = nd->grace[k];
				if (c.at > S.now) {
					k++;
					continue;
				}
				nd->grace[k] = nd->grace[--nd->ncalls];
				if (c.inc != nd->inc)
					continue;
				S.steps++;
				coord_engine_grace_done(nd->e, S.now, &c.id, (uint8_t)c.value,
							(uint32_t)1000, "");
				drain(i);
			}
			for (k = 0; k < nd->nrel;) {
				struct call c = nd->rel[k];
				struct gt_event *g;
				if (c.at > S.now) {
					k++;
					continue;
				}
				nd->rel[k] = nd->rel[--nd->nrel];
				g = gt_find(&c.id);
				if (g) {
					g->release_running = false;
					if (c.value == 0)
						g->ok_releases++;
				}
				if (c.inc != nd->inc)
					continue;
				S.steps++;
				coord_engine_release_done(nd->e, S.now, &c.id, c.value);
				drain(i);
			}
			if (coord_engine_next_timer(nd->e) <= S.now) {
				S.steps++;
				coord_engine_tick(nd->e, S.now);
				drain(i);
			}
		}
		if (next == end)
			break;
	}
}

/* ---- faults ---- */

static int pick(bool (*ok)(int))
{
	int c[MAXN], n = 0, i;

	for (i = 0; i < S.n; i++)
		if (ok(i))
			c[n++] = i;
	return n ? c[rn((unsigned)n)] : -1;
}

static bool is_alive(int i) { return S.nodes[i].alive; }
static bool is_down(int i) { return !S.nodes[i].alive; }
static bool is_healthy(int i) { return S.nodes[i].alive && !S.nodes[i].server_dead; }
static bool is_dead_server(int i) { return S.nodes[i].alive && S.nodes[i].server_dead; }

static void report(int i)
{
	struct coord_event_id id;

	S.nodes[i].server_dead = true;
	S.steps++;
	coord_engine_report_death(S.nodes[i].e, S.now, NULL, 0, &id);
	trace("node %d reports its ganesha dead", i + 1);
	drain(i);
}

/* A hostile replay: an ACK claiming the sender's previous incarnation,
 * for an event that waits for the sender's current one. */
static void forge(void)
{
	struct coord_msg m;
	int g, k;

	for (g = S.ngt - 1; g >= 0; g--) {
		const struct gt_event *e = &S.gt[g];
		if (e->ended || !e->delivered)
			continue;
		for (k = 0; k < e->n; k++) {
			int i = (int)e->sv[k].nodeid - 1;
			if (e->sv[k].settled || !S.nodes[i].alive || !S.nodes[i].prev_inc ||
			    S.nodes[i].pid != e->sv[k].pid)
				continue;
			memset(&m, 0, sizeof(m));
			m.version = COORD_PROTO_VERSION;
			m.type = COORD_MSG_ACK;
			m.sender = (uint32_t)i + 1;
			m.incarnation = S.nodes[i].prev_inc;
			m.u.ack.id = e->id;
			m.u.ack.result = COORD_ACK_IN_GRACE;
			trace("forged ACK from node %d's old incarnation", i + 1);
			enqueue(i, &m, true);
			return;
		}
	}
}

static void random_step(void)
{
	unsigned r = rn(100);
	int i, p;

	if (r < 45) {
		int parts[MAXN], n = 0;
		for (p = 0; p < S.n; p++)
			if (part_has_msgs(p))
				parts[n++] = p;
		if (n) {
			deliver_one(parts[rn((unsigned)n)]);
			return;
		}
		r = 45;
	}
	if (r < 60) {
		uint64_t dt = rn(4) == 0 ? rn(DEADLINE_US + 2000000) : rn(300000);
		advance(dt);
	} else if (r < 68 && (S.mask & F_REPORT)) {
		if ((i = pick(is_healthy)) >= 0)
			report(i);
	} else if (r < 70 && (S.mask & F_DUPLICATE)) {
		if ((i = pick(is_dead_server)) >= 0)
			report(i);
	} else if (r < 75) {
		if ((i = pick(is_dead_server)) >= 0) {
			S.nodes[i].server_dead = false;
			S.steps++;
			coord_engine_report_up(S.nodes[i].e, S.now);
			drain(i);
		}
	} else if (r < 81) {
		i = (int)rn((unsigned)S.n);
		unsigned m = rn(5);
		if ((m == 1 && !(S.mask & F_SLOW)) || (m == 4 && !(S.mask & F_HANG)) ||
		    ((m == 2 || m == 3) && !(S.mask & F_FAIL_GRACE)))
			m = 0;
		S.nodes[i].grace_mode = (int)m;
	} else if (r < 84 && (S.mask & F_RESTART)) {
		if ((i = pick(is_alive)) >= 0)
			member_gone(i, COORD_LEAVE_PROCDOWN, false);
	} else if (r < 85 && (S.mask & F_CRASH)) {
		if ((i = pick(is_alive)) >= 0)
			member_gone(i, COORD_LEAVE_NODEDOWN, true);
	} else if (r < 90) {
		if ((i = pick(is_down)) >= 0)
			member_start(i);
	} else if (r < 92 && (S.mask & F_PARTITION)) {
		split(S.nodes[rn((unsigned)S.n)].part);
	} else if (r < 95) {
		int a = S.nodes[rn((unsigned)S.n)].part, b = S.nodes[rn((unsigned)S.n)].part;
		if (a != b)
			merge(a, b);
	} else if (r < 98 && (S.mask & F_RELEASE_FAIL)) {
		i = (int)rn((unsigned)S.n);
		S.nodes[i].release_fails = !S.nodes[i].release_fails;
	} else if (S.mask & F_FORGE) {
		forge();
	}
}

/* ---- one schedule ---- */

static void check_liveness(uint64_t quiet_at)
{
	int i;
	size_t k;

	for (i = 0; i < S.n; i++) {
		const struct node *nd = &S.nodes[i];
		if (!nd->alive)
			continue;
		for (k = 0; k < coord_engine_event_count(nd->e); k++) {
			const struct coord_event *ev = coord_engine_event(nd->e, k);
			char buf[64];
			if (coord_event_ended(ev) ||
			    (ev->state == COORD_EVENT_HELD && S.policy == COORD_POLICY_HOLD))
				continue;
			/* A survivor's copy follows the origin's: held there is fine. */
			if (!ev->local_origin && ev->reason == COORD_DEATH_REPORTED &&
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

static void sim_free(void)
{
	int i;

	for (i = 0; i < S.n; i++)
		coord_engine_free(S.nodes[i].e);
}

/* Runs one schedule; returns the violated invariant or NULL. */
static const char *run(uint64_t seed, long max_steps, unsigned mask, bool verbose)
{
	long step, len;
	uint64_t quiet_at;
	int i;

	/* Only the small part: the queues are reset by their counts. */
	memset(&S, 0, offsetof(struct sim, nodes));
	for (i = 0; i < MAXN; i++)
		memset(&S.nodes[i], 0, offsetof(struct node, grace));
	S.nq = S.ngt = 0;
	S.seed = S.rng = seed;
	S.mask = mask;
	S.verbose = verbose;
	S.expect_left_node = -1;
	S.n = 2 + (int)rn(MAXN - 1);
	S.policy = rn(2) ? COORD_POLICY_RELEASE : COORD_POLICY_HOLD;
	S.now = 1000000;
	len = 50 + (long)rn(350);
	if (max_steps >= 0 && max_steps < len)
		len = max_steps;
	trace("schedule %" PRIu64 ": %d nodes, policy %s, %ld steps, mask 0x%x", seed,
	      S.n, coord_policy_name(S.policy), len, mask);
	for (i = 0; i < S.n; i++)
		member_start(i);
	for (step = 0; step < len && !S.violation; step++)
		random_step();
	/* Quiet phase: faults stop, everything heals. */
	trace("faults stop");
	quiet_at = S.now;
	for (i = 0; i < S.n && !S.violation; i++) {
		S.nodes[i].grace_mode = 0;
		S.nodes[i].release_fails = false;
	}
	for (i = 1; i < S.n && !S.violation; i++)
		if (S.nodes[i].part != S.nodes[0].part)
			merge(S.nodes[0].part, S.nodes[i].part);
	for (i = 0; i < S.n && !S.violation; i++)
		if (!S.nodes[i].alive)
			member_start(i);
	while (S.now < quiet_at + LIVENESS_BOUND_US && !S.violation) {
		flush(S.nodes[0].part);
		advance(250000);
	}
	flush(S.nodes[0].part);
	if (!S.violation)
		check_liveness(quiet_at);
	sim_free();
	return S.violation;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The shortest prefix, and the fewest fault kinds, that still break it. */
static void shrink(uint64_t seed, const char *inv, long *steps, unsigned *mask)
{
	long lo = 0, hi = 1000000;
	unsigned bit;

	while (lo < hi) {
		long mid = (lo + hi) / 2;
		const char *v = run(seed, mid, F_ALL, false);
		if (v && !strcmp(v, inv))
			hi = mid;
		else
			lo = mid + 1;
	}
	*steps = hi;
	*mask = F_ALL;
	for (bit = 1; bit < F_ALL; bit <<= 1) {
		const char *v = run(seed, *steps, *mask & ~bit, false);
		if (v && !strcmp(v, inv))
			*mask &= ~bit;
	}
}

int main(int argc, char **argv)
{
	uint64_t first = 1, schedules = 1000, replay = 0, s, steps = 0, violations = 0;
	long rsteps = -1;
	unsigned rmask = F_ALL;
	int c, shown = 0;
	bool first_only = false;
	uint64_t t0;
	double secs;

	while ((c = getopt(argc, argv, "n:s:r:k:m:xh")) != -1) {
		switch (c) {
		case 'n': schedules = strtoull(optarg, NULL, 10); break;
		case 's': first = strtoull(optarg, NULL, 10); break;
		case 'r': replay = strtoull(optarg, NULL, 10); break;
		case 'k': rsteps = strtol(optarg, NULL, 10); break;
		case 'm': rmask = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'x': first_only = true; break;
		default:
			fprintf(stderr, "usage: sim [-n SCHEDULES] [-s FIRST-SEED] | "
				"-r SEED [-k STEPS] [-m MASK]  (-x: stop at the first violation)\n");
			return c == 'h' ? 0 : 2;
		}
	}
	t0 = mono_ns();
	if (replay) {
		const char *v = run(replay, rsteps, rmask, true);
		steps = S.steps;
		if (v) {
			printf("seed %" PRIu64 ": invariant %s violated: %s\n", replay, v, S.why);
			violations = 1;
		}
		schedules = 1;
	} else {
		for (s = first; s < first + schedules; s++) {
			const char *v = run(s, -1, F_ALL, false);
			steps += S.steps;
			if (!v)
				continue;
			violations++;
			if (first_only) {
				printf("seed %" PRIu64 ": invariant %s violated: %s\n", s, v, S.why);
				schedules = s - first + 1;
				break;
			}
			if (shown++ < 3) {
				char why[256];
				long k;
				unsigned m;
				snprintf(why, sizeof(why), "%s", S.why);
				shrink(s, v, &k, &m);
				printf("seed %" PRIu64 ": invariant %s violated: %s\n", s, v, why);
				printf("  shrunk to %ld steps, fault mask 0x%x; the trace:\n", k, m);
				run(s, k, m, true);
				printf("  replay: make sim SEED=%" PRIu64 " STEPS=%ld MASK=0x%x\n",
				       s, k, m);
			}
		}
	}
	secs = (double)(mono_ns() - t0) / 1e9;
	printf("sim: %" PRIu64 " schedules, %" PRIu64 " steps, %" PRIu64 " violations, "
	       "%.0f steps/s\n", schedules, steps, violations, secs > 0 ? steps / secs : 0);
	return violations ? 1 : 0;
}
