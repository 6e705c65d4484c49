/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The generator: a schedule's random inputs, drawn from its seed.  The
 * random source (splitmix64), the pick of a node, and the faults and
 * inputs a step may be: a death reported, a forged ACK, an administrator's
 * cancel, several departures at once, a second CPG process (silent,
 * hostile, or a coordd of another major version); random_input() draws
 * one of them, or a delivery, a clock advance, a membership change, an
 * agent's monitor or pacemaker's next step (the model's inputs).
 */
#include "sim.h"

uint64_t rnd(void)
{
	uint64_t z = (S.rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

unsigned rn(unsigned n) { return n ? (unsigned)(rnd() % n) : 0; }

/* Another stream, same generator: the draws added later come from streams
 * of their own, so that a schedule without them draws, and runs, as
 * before. */
static uint64_t rnd_of(uint64_t *stream)
{
	uint64_t keep = S.rng, z;

	S.rng = *stream;
	z = rnd();
	*stream = S.rng;
	S.rng = keep;
	return z;
}

uint64_t rnd2(void) { return rnd_of(&S.rng2); }
uint64_t rnd3(void) { return rnd_of(&S.rng3); }

int pick(bool (*ok)(int))
{
	int c[MAXN], n = 0, i;

	for (i = 0; i < S.n; i++)
		if (ok(i))
			c[n++] = i;
	return n ? c[rn((unsigned)n)] : -1;
}

static bool is_alive(int i) { return S.nodes[i].alive; }
static bool is_down(int i) { return !S.nodes[i].alive && !S.nodes[i].disconnected; }
static bool is_disconnected(int i) { return S.nodes[i].disconnected; }
static bool is_up_node(int i) { return !S.nodes[i].crashed && !S.nodes[i].corosync_down; }
static bool is_healthy(int i) { return S.nodes[i].alive && !S.nodes[i].server_dead; }
static bool is_dead_server(int i) { return S.nodes[i].alive && S.nodes[i].server_dead; }

static void report(int i)
{
	struct coord_event_id id;
	struct coord_vip v[COORD_MAX_VIPS];
	uint16_t n = 0;

	if ((S.mask & F_VIPS) && rn(4) == 0)	/* the report names VIPs */
		n = random_vips(i, v);
	S.nodes[i].server_dead = true;
	locks_gone(i);
	S.steps++;
	coord_engine_report_death(S.nodes[i].e, S.now, v, n, &id);
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

/* The administrator withdraws one of node i's pending events. */
static void admin_cancel(int i)
{
	struct coord_engine *e = S.nodes[i].e;
	size_t k;

	for (k = 0; k < coord_engine_event_count(e); k++) {
		const struct coord_event *ev = coord_engine_event(e, k);
		struct coord_event_id id;
		char buf[64];
		int rc;

		if (!ev->local_origin || ev->reason == COORD_DEATH_NODE_LEFT ||
		    coord_event_ended(ev))
			continue;
		id = ev->id;
		S.steps++;
		rc = coord_engine_cancel(e, S.now, &id);
		trace("administrator cancels %s on node %d: %d",
		      coord_event_id_format(&id, buf, sizeof(buf)), i + 1, rc);
		drain(i);
		return;
	}
}

/* Several members leave in one configuration change (corosync batches
 * what happens within one token rotation). */
static void multi_departure(void)
{
	int c[MAXN], idx[MAXN], n = 0, i, k, want;
	uint8_t why[MAXN];

	if ((i = pick(is_alive)) < 0)
		return;
	for (k = 0; k < S.n; k++)
		if (S.nodes[k].alive && S.nodes[k].part == S.nodes[i].part)
			c[n++] = k;
	if (n < 2)
		return;
	want = 2 + (int)rn((unsigned)n - 1);
	for (k = 0; k < want; k++) {
		int j = k + (int)rn((unsigned)(n - k)), t = c[k];
		c[k] = c[j];
		c[j] = t;
		idx[k] = c[k];
		why[k] = (uint8_t[]){ COORD_LEAVE_PROCDOWN, COORD_LEAVE_NODEDOWN,
				      COORD_LEAVE_LEAVE }[rn(3)];
	}
	members_gone(idx, why, want);
}

/* The second CPG process: joins on a live node, speaks (if it is hostile)
 * with an incarnation of its choice, leaves. */
static uint64_t hostile_inc(void)
{
	const struct node *nd = &S.nodes[S.h_node];

	switch (rn(6)) {
	/* its node's coordd's, taken while that coordd is a member (not
	 * before: a process cannot know the incarnation a coordd will pick) */
	case 0: return nd->alive ? nd->inc : nd->prev_inc;
	case 1: return nd->prev_inc;	/* an older one of that node */
	case 2: return 0;
	default: return S.h_inc;	/* its own: low, or new */
	}
}

static const struct gt_event *recent_gt(void)
{
	return S.ngt ? &S.gt[S.ngt - 1 - (int)rn(S.ngt < 4 ? (unsigned)S.ngt : 4u)] : NULL;
}

/* The coordd of another major version announces itself (2.0 header). */
void foreign_hello(void)
{
	struct coord_msg m;

	memset(&m, 0, sizeof(m));
	m.version = 0x0200;
	m.type = COORD_MSG_HELLO;
	m.sender = (uint32_t)S.h_node + 1;
	m.incarnation = S.h_inc;
	m.u.hello.flags = COORD_HELLO_SERVER_UP;
	trace("coordd 2.0 on node %d sends HELLO", S.h_node + 1);
	enqueue_as(S.h_node, hid(), &m, true);
}

/* The second process's message m (type, sender and incarnation chosen):
 * what it carries, drawn; then it is sent.  Its ACK carries any result,
 * its RELEASE and CANCEL name a recent event, its DEATH speaks for its
 * sender. */
static void hostile_send(struct coord_msg *m)
{
	const struct gt_event *g = recent_gt();

	switch (m->type) {
	case COORD_MSG_HELLO:
		m->u.hello.flags = rn(2);
		m->u.hello.n_vips = random_vips(S.h_node, m->u.hello.vips);
		break;
	case COORD_MSG_DEATH:
		m->u.death.id.origin = m->sender;
		m->u.death.id.incarnation = m->incarnation;
		m->u.death.id.seq = 1 + rn(3);
		m->u.death.reason = rn(3) ? COORD_DEATH_REPORTED : COORD_DEATH_HANDOVER;
		m->u.death.n_vips = random_vips(S.h_node, m->u.death.vips);
		break;
	case COORD_MSG_ACK:
		if (g)
			m->u.ack.id = g->id;
		m->u.ack.result = (uint8_t)(1 + rn(COORD_ACK_RESULT_MAX));
		break;
	case COORD_MSG_RELEASE:
		if (g)
			m->u.release.id = g->id;
		if (rn(2))
			m->incarnation = m->u.release.id.incarnation;
		m->u.release.outcome = (uint8_t)(1 + rn(3));
		break;
	default:
		if (g)
			m->u.cancel.id = g->id;
		if (rn(2))
			m->incarnation = m->u.cancel.id.incarnation;
		m->u.cancel.reason = (uint8_t)(1 + rn(2));
		break;
	}
	trace("the second process on node %d sends a %s (sender %u, incarnation %" PRIu64 ")",
	      S.h_node + 1, coord_msg_type_name(m->type), m->sender, m->incarnation);
	enqueue_as(S.h_node, hid(), m, true);
}

static void second_process(void)
{
	struct coord_member_id h;
	struct coord_msg m;
	int i;
	uint8_t why;

	if (!S.h_on) {
		if ((i = pick(is_up_node)) < 0)
			return;
		S.h_on = true;
		S.h_node = i;
		S.h_pid = ++S.next_pid;
		S.h_speaks = rn(2);
		S.h_inc = rn(2) ? 1 + rn(3) : 1000000000000ull + rn(1000);
		/* Where no coordd runs: sometimes a coordd of another major
		 * version (a rolling upgrade), which its agent trusts. */
		S.h_foreign = is_down(i) && rn(2);
		trace("a second CPG process (%s, incarnation %" PRIu64 ") joins on node %d",
		      S.h_foreign ? "coordd 2.0" : S.h_speaks ? "hostile" : "silent",
		      S.h_inc, i + 1);
		flush(S.nodes[i].part);
		h = hid();
		confchg(S.nodes[i].part, NULL, NULL, 0, &h, 1);	/* its HELLO too */
		return;
	}
	if (S.h_foreign && rn(2)) {
		foreign_hello();
		return;
	}
	if (rn(3) == 0 || !S.h_speaks) {
		int part = S.nodes[S.h_node].part;
		h = hid();
		why = rn(2) ? COORD_LEAVE_LEAVE : COORD_LEAVE_PROCDOWN;
		trace("the second CPG process on node %d leaves (%s)", S.h_node + 1,
		      coord_leave_reason_name(why));
		if (why != COORD_LEAVE_LEAVE && rn(2))
			drop_unsent(h, part);
		flush(part);
		if (S.h_foreign)	/* the node's (2.0) coordd is gone */
			S.nodes[S.h_node].attr_stale = true;
		S.h_on = S.h_foreign = false;
		confchg(part, &h, &why, 1, NULL, 0);
		return;
	}
	memset(&m, 0, sizeof(m));
	m.version = COORD_PROTO_VERSION;
	m.type = (uint16_t)(1 + rn(5));
	m.sender = rn(8) ? (uint32_t)S.h_node + 1 : 1 + rn((unsigned)S.n);
	m.incarnation = hostile_inc();
	hostile_send(&m);
}

/* A merge's narrow window (F_EARLY): the second process, which read its
 * node's coordd's incarnation off its side's traffic, speaks with it in
 * the merged group before that coordd's HELLO.  The members of the other
 * side, which have not heard that coordd since they joined, take it for
 * the coordd, and refuse the coordd's own messages until one of the two
 * leaves (docs/design.md, "What coord does not protect against"; the
 * ground truth sets their records of that incarnation aside: delivery.c).
 * Queued before the change is delivered, it is the first message after it
 * in agreed order. */
void second_process_first(int part)
{
	const struct node *nd = &S.nodes[S.h_node];
	struct coord_msg m;

	if (!(S.mask & F_EARLY) || !S.h_on || !S.h_speaks || S.h_foreign || !nd->alive ||
	    nd->part != part || rnd3() % 2)
		return;
	trace("merge window: the second process on node %d speaks first, with its "
	      "coordd's incarnation", S.h_node + 1);
	memset(&m, 0, sizeof(m));
	m.version = COORD_PROTO_VERSION;
	m.type = (uint16_t)(1 + rn(5));
	m.sender = (uint32_t)S.h_node + 1;
	m.incarnation = nd->inc;
	hostile_send(&m);
}

static void random_input(void)
{
	unsigned r = rn(140);
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
			/* ganesha restarts (in its grace period); the agent runs */
			S.nodes[i].server_dead = false;
			S.nodes[i].fresh_until = S.now + GRACE_PERIOD_US;
			server_starts(i);
			trace("ganesha restarts on node %d", i + 1);
			agent_monitor(i);
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
			member_gone(i, COORD_LEAVE_PROCDOWN);
	} else if (r < 85 && (S.mask & F_CRASH)) {
		if ((i = pick(is_alive)) >= 0)
			member_gone(i, COORD_LEAVE_NODEDOWN);
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
		if (rn(2))
			S.nodes[i].release_fails = !S.nodes[i].release_fails;
		else
			S.nodes[i].drop_fails = !S.nodes[i].drop_fails;
	} else if (r < 100) {
		if (S.mask & F_FORGE)
			forge();
	} else if (r < 103) {
		if ((S.mask & F_LEAVE) && (i = pick(is_alive)) >= 0)
			member_gone(i, COORD_LEAVE_LEAVE);
	} else if (r < 106) {
		if ((S.mask & F_CANCEL) && (i = pick(is_alive)) >= 0)
			admin_cancel(i);
	} else if (r < 108) {
		if (S.mask & F_MULTI)
			multi_departure();
	} else if (r < 114) {
		if (S.mask & F_SECOND)
			second_process();
	} else if (r < 116) {
		if ((S.mask & F_DISCONNECT) && (i = pick(is_alive)) >= 0)
			disconnect(i);
	} else if (r < 120) {
		if ((i = pick(is_disconnected)) >= 0)
			reconnect(i);
	} else if (r < 130) {
		agent_monitor((int)rn((unsigned)S.n));
	} else {
		pacemaker((int)rn((unsigned)S.n), true);
	}
}

void random_step(void)
{
	random_input();
	poll_stops();
	check_deadline();
}

/* Is the fault of this kind kept on node i through the quiet phase? */
bool stays(enum stay kind, int i)
{
	return S.stay == kind && S.stay_node == i;
}

static bool is_coordd_down(int i)
{
	return !S.nodes[i].alive && !S.nodes[i].disconnected && !S.nodes[i].crashed;
}

/* A coordd of another major version starts where ours was stopped for
 * the upgrade (a rolling upgrade that stops half way), and stays. */
static void foreign_joins(int i)
{
	struct coord_member_id h;

	if (S.nodes[i].alive)
		member_gone(i, COORD_LEAVE_LEAVE);
	S.h_on = S.h_foreign = true;
	S.h_speaks = false;
	S.h_node = i;
	S.h_pid = ++S.next_pid;
	S.h_inc = 1000000000000ull + rnd2() % 1000;
	trace("a coordd 2.0 joins on node %d, and stays", i + 1);
	flush(S.nodes[i].part);
	h = hid();
	confchg(S.nodes[i].part, NULL, NULL, 0, &h, 1);	/* its HELLO too */
}

/* The quiet phase begins: the fault this schedule keeps (S.stay, drawn
 * when it started) is chosen among those in place, or made now, on a node
 * whose corosync runs. */
void stay_begin(void)
{
	int i = -1;

	switch (S.stay) {
	case STAY_NONE:
	case STAY_KINDS:
		return;
	case STAY_COORDD_DOWN:
		if ((i = pick(is_coordd_down)) < 0 && (i = pick(is_alive)) >= 0)
			member_gone(i, rn(2) ? COORD_LEAVE_PROCDOWN : COORD_LEAVE_LEAVE);
		break;
	case STAY_FOREIGN:
		if (S.h_on && S.h_foreign)
			i = S.h_node;
		else if ((i = pick(is_up_node)) >= 0)
			foreign_joins(i);
		break;
	case STAY_DISCONNECTED:
		if ((i = pick(is_disconnected)) < 0 && (i = pick(is_alive)) >= 0)
			disconnect(i);
		break;
	case STAY_HUNG:
		if ((i = pick(is_healthy)) >= 0) {
			S.nodes[i].grace_mode = 4;
			S.nodes[i].drop_fails = true;
		}
		break;
	case STAY_DEAD:
		if ((i = pick(is_dead_server)) < 0 && (i = pick(is_healthy)) >= 0)
			report(i);
		break;
	}
	S.stay_node = i;
	if (i < 0)
		S.stay = STAY_NONE;
	else
		trace("node %d keeps its fault through the quiet phase (%s)", i + 1,
		      (const char *[]){ "", "coordd down", "coordd 2.0", "coordd disconnected",
					"ganesha hung", "ganesha dead" }[S.stay]);
}
