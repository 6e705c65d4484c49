/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulator: N instances of the real barrier engine (coord/core/engine.c,
 * the code coordd links) in one process, on a virtual clock, connected by
 * a model of what corosync's CPG guarantees.  docs/simulation.md states
 * the model and the invariants checked after every step.
 *
 *   sim [-n SCHEDULES] [-s FIRST-SEED]     run schedules, print one summary
 *   sim -r SEED [-k STEPS] [-m MASK]       replay one schedule, with a trace
 *   -x: stop at the first violation;  -l: list every violation, unshrunk
 *   -I INVARIANT: do not check that one
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
 * until its timeout; the release command succeeds or fails.  Each node's
 * VIP has a holder, which pacemaker moves (failover, failback, planned
 * moves) only through the gate: the address leaves the giver, its gate
 * stops (a handover, whose drop releases the giver's lock state), the
 * taker's gate starts, the address arrives; the clients' locks follow.
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
#include "harness/cluster.h"

#define MAXN		8
#define MAXGT		512
#define MAXCALLS	256
#define DEADLINE_US	10000000ull
#define GRACE_TIMEOUT_US 5000000ull
#define RETRY_US	1000000ull
#define RETRY_MAX_US	8000000ull
#define ATTEMPTS	3
/* ganesha's grace period: after a grace call, or from its start */
#define GRACE_PERIOD_US	90000000ull
/* Liveness: once faults stop, every event ends (or is held) within this. */
#define LIVENESS_BOUND_US (DEADLINE_US + GRACE_TIMEOUT_US + 20000000ull)

/* Fault kinds, as bits of the mask a shrunk schedule may turn off. */
enum {
	F_REPORT = 1 << 0, F_DUPLICATE = 1 << 1, F_SLOW = 1 << 2, F_HANG = 1 << 3,
	F_FAIL_GRACE = 1 << 4, F_RESTART = 1 << 5, F_CRASH = 1 << 6,
	F_PARTITION = 1 << 7, F_RELEASE_FAIL = 1 << 8, F_FORGE = 1 << 9,
	F_LEAVE = 1 << 10, F_CANCEL = 1 << 11, F_MULTI = 1 << 12, F_SECOND = 1 << 13,
	F_DISCONNECT = 1 << 14, F_VIPS = 1 << 15, F_CORRUPT = 1 << 16,
	F_QUIET_FAIL = 1 << 17, F_MOVE = 1 << 18,
	F_ALL = (1 << 19) - 1,
	/* Each schedule draws about half of these, so that the older kinds
	 * (partitions, merges) keep their density. */
	F_OPTIONAL = F_LEAVE | F_CANCEL | F_MULTI | F_SECOND | F_DISCONNECT | F_VIPS |
		     F_CORRUPT,
};

struct call {			/* a grace call, a release command or a drop */
	struct coord_event_id id;
	uint64_t at;
	int value;			/* ack result, or exit status */
	bool drop;			/* a handover's DROP ("2:VIP"), not the
					 * release command */
	unsigned vips;			/* DROP: the model VIPs it names (bits) */
};

struct node {
	struct coord_engine *e;		/* coordd runs (in the group or not) */
	bool alive;			/* coordd runs and is in its view */
	bool crashed;			/* the whole node is down */
	bool disconnected;		/* coordd lost corosync, runs on */
	bool corosync_down;		/* ... because corosync stopped here */
	uint16_t n_vips;		/* configured at this coordd's start */
	struct coord_vip vips[COORD_MAX_VIPS];
	uint32_t pid;
	uint64_t inc, prev_inc;
	int part;
	bool server_dead;
	int grace_mode;			/* 0 ok, 1 slow, 2 false, 3 no bus, 4 hang */
	bool release_fails;
	bool drop_fails;		/* ganesha refuses "2:VIP" (fault phase) */
	bool told_quorate;
	bool told_view;			/* a quorum view was told: view_mask */
	unsigned view_mask;		/* its nodes (bit i: node i + 1) */
	/* The target set: ganesha-active, as the agent's rules set it. */
	bool attr;
	bool attr_stale;		/* coordd left; the agent has not run since */
	uint64_t fresh_until;		/* ganesha (re)started: in grace until */
	uint64_t grace_at;		/* ganesha last entered grace, for any
					 * reason (a grace call answered in grace,
					 * a take-over, a drop), or 0 */
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
	bool left_alive;		/* its coordd left, its node lives:
					 * neither settled nor confirmed */
	int result;			/* first result recorded anywhere, or 0 */
};

/* Ground truth of one reported event, kept by the simulator itself. */
struct gt_event {
	struct coord_event_id id;
	int origin;
	uint32_t origin_pid;
	uint8_t reason;			/* the DEATH's: reported or handover */
	uint16_t n_vips;		/* as the DEATH announced them */
	struct coord_vip vips[COORD_MAX_VIPS];
	unsigned with;			/* nodes that delivered the DEATH and
					 * stayed in the group with the origin
					 * (same engine) ever since */
	int attempts;			/* release attempts started */
	uint64_t ingrace_at[MAXN];	/* node's ganesha answered in grace */
	bool delivered;			/* at the origin */
	bool ended;			/* released OK, abandoned, cancelled */
	uint64_t delivered_at;
	uint64_t deadline_at;		/* by the re-run rule (engine.c, rule 6) */
	bool rerun_cancelled;		/* withdrawn by its origin for a joiner */
	struct coord_event_id rerun_as;	/* ... and reported again as this one
					 * (a node may re-run several at once) */
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

/* A VIP of the model: one per node, at home there (vip_of(home)).  Each
 * is a pacemaker group [gate, address]: on every move the address leaves
 * the giver, the gate stops there (coordctl give-up: a handover), the gate
 * starts on the taker (coordctl take-over), the address arrives. */
enum { VIP_ON, VIP_STOPPING, VIP_BLOCKED, VIP_STARTING };

struct vipm {
	int holder;			/* node whose interface has the address, or -1 */
	int phase;			/* VIP_ON: on holder; else moving */
	int giver;			/* STOPPING, BLOCKED: where the gate stops */
	int want;			/* the taker pacemaker prefers, or -1 */
	struct coord_event_id ho;	/* STOPPING: the handover give-up waits for */
	uint32_t ho_pid;		/* ... at that coordd */
	unsigned locks;			/* nodes whose server holds lock state of
					 * its clients (bit i: node i + 1) */
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
	bool codec;			/* messages pass through proto/wire.c */
	/* whole-node death check: node bits expected / seen */
	unsigned expect, seen;
	bool hello_owed, hello_sent;
	/* a second CPG process (not a coordd) on node h_node */
	bool h_on, h_speaks;
	bool h_foreign;			/* a coordd of another major version */
	int h_node;
	uint32_t h_pid;
	uint64_t h_inc;
	uint64_t wire_dropped;
	struct vipm vip[MAXN];		/* S.n of them */
	int ngt;
	/* From here on, reset by counts, not by memset. */
	struct node nodes[MAXN];
	struct gt_event gt[MAXGT];
};

static struct sim S;
/*
 * The views and their agreed order are the shared in-process cluster's
 * (tests/harness/cluster.c): node[i] is node i's coordd, node[S.n] the
 * second CPG process; a message's tag says it is forged (a hostile
 * replay: not ground truth).  sync_views() copies who is where from S
 * before each use, so the fault model below stays the one truth.
 */
static struct harness H;
_Static_assert(MAXN + 1 <= HARNESS_MAX_NODES, "the harness holds every node and the second process");
static const char *ignored;	/* -I: an invariant not checked (to show another catches it) */

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

	if (S.violation || (ignored && !strcmp(ignored, invariant)))
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
		if (!S.nodes[i].crashed && !S.nodes[i].corosync_down && S.nodes[i].part == part)
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
			  const char *what)
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
	if (!short_of)
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

/* Issue 13's invariant: when an origin starts a release recorded confirmed,
 * every node that can receive its VIPs at that moment (ganesha-active set,
 * in the origin's corosync membership) is in grace for the event.  The one
 * window the design leaves (docs/design.md): a node whose coordd was gone
 * before the DEATH (so no survivor of it) and whose agent has not run
 * since. */
static void check_targets(int o, const struct gt_event *g)
{
	char buf[64];
	int n, x;

	for (n = 0; n < S.n; n++) {
		const struct node *nd = &S.nodes[n];
		bool survivor = false;

		if (n == o || !nd->attr || nd->crashed || nd->corosync_down ||
		    nd->part != S.nodes[o].part || ganesha_in_grace(n, g))
			continue;
		for (x = 0; x < g->n; x++)
			if (g->sv[x].nodeid == (uint32_t)n + 1)
				survivor = true;
		if (nd->attr_stale && !nd->alive && !survivor)
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
		if (nd->attr_stale && !nd->alive && !survivor)
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
 * drop starts. */
static void check_release(int o, const struct coord_event_id *id)
{
	struct gt_event *g = gt_find(id);
	const struct coord_event *ev = coord_engine_find_event(S.nodes[o].e, id);
	char buf[64];

	coord_event_id_format(id, buf, sizeof(buf));
	if (!g || !g->delivered || g->origin != o || id->origin != (uint32_t)o + 1 ||
	    id->seq == 0) {
		violate("own-events", "node %d releases %s, which it did not report", o + 1, buf);
		return;
	}
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
	if (!g->release_decided && ev && ev->release_outcome == COORD_RELEASE_UNCONFIRMED)
		check_outcome(o, ev, g, "releases");
	if (g->reason == COORD_DEATH_HANDOVER)
		check_drop_grace(o, g, ev);	/* every attempt drops */
	else if (!g->release_decided && ev &&
		 ev->release_outcome == COORD_RELEASE_CONFIRMED)
		check_targets(o, g);
	if (!g->release_decided && !gt_confirmed(g)) {
		bool allowed = S.policy == COORD_POLICY_RELEASE &&
			       (S.now >= g->deadline_at || gt_settled(g));
		if (!allowed)
			violate("survivors", "node %d releases %s before every survivor "
				"confirmed (policy %s)", o + 1, buf, coord_policy_name(S.policy));
		else if (!ev || ev->release_outcome != COORD_RELEASE_UNCONFIRMED)
			violate("survivors", "node %d releases %s unconfirmed but its "
				"record does not say so", o + 1, buf);
	}
	g->release_running = true;
	g->release_decided = true;
}

/* ---- engines ---- */

static struct coord_member_id mid(int i);
static struct coord_member_id hid(void);

static void sync_views(void)
{
	int i;

	H.n = S.n + 1;
	H.now = S.now;
	for (i = 0; i < S.n; i++) {
		H.node[i].e = S.nodes[i].e;
		H.node[i].id = mid(i);
		H.node[i].view = S.nodes[i].part;
		H.node[i].up = S.nodes[i].alive;
	}
	H.node[S.n].e = NULL;
	H.node[S.n].id = hid();
	H.node[S.n].view = S.nodes[S.h_node].part;
	H.node[S.n].up = S.h_on;
}

static struct coord_member_id mid(int i)
{
	struct coord_member_id m = { (uint32_t)i + 1, S.nodes[i].pid };
	return m;
}

/* The second CPG process, on node h_node. */
static struct coord_member_id hid(void)
{
	struct coord_member_id m = { (uint32_t)S.h_node + 1, S.h_pid };
	return m;
}

static bool member_id_in(struct coord_member_id id, const struct coord_member_id *l, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (l[k].nodeid == id.nodeid && l[k].pid == id.pid)
			return true;
	return false;
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

/* VIPs that change: a restart may bring another configuration, a report
 * may name its own VIPs.  Drawn from a small pool, so two nodes may share. */
static uint16_t random_vips(int i, struct coord_vip *v)
{
	uint16_t n = (uint16_t)rn(4), k;

	for (k = 0; k < n; k++) {
		vip_of(i, &v[k]);
		v[k].addr[2] = (uint8_t)rn(2);
		v[k].addr[3] = (uint8_t)(100 + rn(12));
		if (rn(8) == 0) {		/* an IPv6 one */
			memset(&v[k], 0, sizeof(v[k]));
			v[k].family = 6;
			v[k].addr[0] = 0xfd;
			v[k].addr[15] = (uint8_t)rn(12);
		}
	}
	return n;
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
	if ((S.mask & F_VIPS) && rn(3) == 0)
		cfg.n_vips = random_vips(i, cfg.vips);
	nd->n_vips = cfg.n_vips;
	memcpy(nd->vips, cfg.vips, sizeof(nd->vips));
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
	nd->told_view = false;
	nd->ncalls = nd->nrel = 0;
	memset(nd->hello_inc, 0, sizeof(nd->hello_inc));
}

/* A message multicast by node from's coordd, or (forged) by the second
 * process on it.  In codec schedules it travels as bytes: what every
 * receiver decodes is what proto/wire.c makes of them. */
static void enqueue_as(int from, struct coord_member_id from_id, const struct coord_msg *msg,
		       bool forged)
{
	struct harness_msg hm = { .view = S.nodes[from].part, .from = from_id, .tag = forged };
	struct harness_msg *f = &hm;
	uint16_t foreign = forged && S.h_on && S.h_foreign && from_id.pid == S.h_pid ?
			   0x0200 : 0;

	if (S.codec) {
		uint8_t buf[COORD_WIRE_MAX_LEN];
		int len = coord_msg_encode(msg, buf, sizeof(buf)), err;

		if (len < 0) {
			if (!forged)
				violate("codec", "node %d sends a %s the encoder refuses: %s",
					from + 1, coord_msg_type_name(msg->type),
					coord_wire_strerror(len));
			return;
		}
		if (foreign) {		/* version 2.0 in the header */
			buf[4] = (uint8_t)(foreign >> 8);
			buf[5] = (uint8_t)foreign;
		} else if (forged && S.h_on && from_id.pid == S.h_pid && (S.mask & F_CORRUPT) &&
			   rn(2)) {
			/* A hostile sender's bytes: cut short, or a byte changed. */
			if (rn(2)) {
				len = (int)rn((unsigned)len);
			} else {
				/* Two draws in one expression would be in an order
				 * the compiler picks: the value first, as gcc did. */
				uint8_t flip = (uint8_t)(1 + rn(255));

				buf[rn((unsigned)len)] ^= flip;
			}
		}
		err = coord_msg_decode(buf, (size_t)len, &f->msg);
		if (err == COORD_CODEC_BAD_VERSION) {	/* coordd tells the engine */
			foreign = f->msg.version;
		} else if (err < 0) {
			if (!forged)
				violate("codec", "node %d's %s does not decode: %s", from + 1,
					coord_msg_type_name(msg->type), coord_wire_strerror(err));
			S.wire_dropped++;	/* every receiver drops it */
			return;
		}
		if (!forged && !coord_msg_equal(msg, &f->msg)) {
			violate("codec", "node %d's %s decodes to another message", from + 1,
				coord_msg_type_name(msg->type));
			return;
		}
	} else {
		f->msg = *msg;
	}
	f->foreign = foreign;
	if (!harness_enqueue(&H, f))
		violate("model", "message queue overflow");
}

static void enqueue(int from, const struct coord_msg *msg, bool forged)
{
	enqueue_as(from, mid(from), msg, forged);
}

/* The model VIPs (bits) among vips: vip_of(k) for k < S.n. */
static unsigned model_vips(const struct coord_vip *vips, uint16_t n)
{
	unsigned m = 0;
	uint16_t k;

	for (k = 0; k < n; k++)
		if (vips[k].family == 4 && vips[k].addr[0] == 198 && vips[k].addr[1] == 18 &&
		    vips[k].addr[2] == 0 && vips[k].addr[3] >= 101 &&
		    vips[k].addr[3] < 101 + S.n)
			m |= 1u << (vips[k].addr[3] - 101);
	return m;
}

/* address-gone: a DROP is asked only by the origin of a handover, for
 * exactly the VIPs it reported, none of which is on its interfaces any
 * more (a client still reaching it would reclaim there, and be refused on
 * the new holder). */
static void check_drop(int i, const struct coord_action *a)
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

/* Node n's server died: the lock state it held went with it. */
static void locks_gone(int n)
{
	int v;

	for (v = 0; v < S.n; v++)
		S.vip[v].locks &= ~(1u << n);
}

/* Node n's server (re)starts: the clients of a VIP on n reclaim there. */
static void server_starts(int n)
{
	int v;

	for (v = 0; v < S.n; v++)
		if (S.vip[v].phase == VIP_ON && S.vip[v].holder == n)
			S.vip[v].locks |= 1u << n;
}

/* The whole node n is gone (crashed, fenced): so are its addresses, and a
 * gate that stops there has stopped. */
static void node_lost_vips(int n)
{
	int v;

	locks_gone(n);
	for (v = 0; v < S.n; v++) {
		struct vipm *m = &S.vip[v];
		if ((m->phase == VIP_ON && m->holder == n) ||
		    ((m->phase == VIP_STOPPING || m->phase == VIP_BLOCKED) && m->giver == n)) {
			m->holder = -1;
			m->phase = VIP_STARTING;
		}
	}
}

/* The release command (or a handover's drop) starts at node nd; the
 * caller says when it answers and how.  NULL when too many run. */
static struct call *start_release(struct node *nd, const struct coord_event_id *id, bool drop)
{
	struct call *c;

	if (nd->nrel == MAXCALLS)
		return NULL;
	c = &nd->rel[nd->nrel++];
	c->id = *id;
	c->drop = drop;
	c->vips = 0;
	return c;
}

/* A forged message is being delivered: what it makes an engine do is no
 * ground truth. */
static bool delivering_forged(void)
{
	return H.delivering && H.delivering->tag && !H.delivering->foreign;
}

/* Carries out what engine i asked for (the harness's on_action). */
static bool act(struct harness *h, int i, const struct coord_action *action)
{
	struct node *nd = &S.nodes[i];
	const struct coord_action a = *action;

	(void)h;
	switch (a.kind) {
	case COORD_ACTION_SEND:
		if (a.msg.type == COORD_MSG_ACK && a.msg.u.ack.id.seq == 0 &&
		    a.msg.u.ack.id.origin >= 1 && a.msg.u.ack.id.origin <= (uint32_t)S.n &&
		    a.msg.u.ack.result == COORD_ACK_SELF_DOWN &&
		    a.msg.u.ack.id.incarnation == S.nodes[a.msg.u.ack.id.origin - 1].inc)
			S.seen |= 1u << (a.msg.u.ack.id.origin - 1);
		if (a.msg.type == COORD_MSG_HELLO) {
			S.hello_sent = true;
			if (a.msg.u.hello.n_vips != nd->n_vips ||
			    memcmp(a.msg.u.hello.vips, nd->vips,
				   nd->n_vips * sizeof(nd->vips[0])))
				violate("hello", "node %d announces %u VIP(s), its "
					"configuration has %u", i + 1,
					a.msg.u.hello.n_vips, nd->n_vips);
		}
		if (a.msg.type == COORD_MSG_CANCEL &&
		    a.msg.u.cancel.reason == COORD_CANCEL_REJOINED) {
			struct gt_event *g = gt_find(&a.msg.u.cancel.id);
			const struct coord_event *ev =
				coord_engine_find_event(nd->e, &a.msg.u.cancel.id);
			if (g) {
				g->rerun_cancelled = true;
				if (ev)
					g->rerun_as = ev->rerun_as;
			}
		}
		enqueue(i, &a.msg, false);
		break;
	case COORD_ACTION_GRACE: {
		struct call *c;
		if (a.event.seq == 0 && a.event.origin >= 1 &&
		    a.event.origin <= (uint32_t)S.n &&
		    (S.expect & (1u << (a.event.origin - 1))) &&
		    a.event.incarnation == S.nodes[a.event.origin - 1].inc) {
			int x = (int)a.event.origin - 1;
			if (a.n_vips != nd->hello_nvips[x] ||
			    memcmp(a.vips, nd->hello_vips[x], a.n_vips * sizeof(a.vips[0])))
				violate("whole-node-death", "node %d asks grace for "
					"%u VIP(s) of departed node %d, which announced %u",
					i + 1, a.n_vips, x + 1, nd->hello_nvips[x]);
			S.seen |= 1u << x;
		}
		if (a.event.seq != 0 && !delivering_forged()) {
			const struct gt_event *g = gt_find(&a.event);
			/* A handover's survivors load no VIP, only the
			 * giver's records ("4:ORIGIN", which keeps a
			 * server with no client to reclaim in grace). */
			uint16_t want = !g ? 0 : g->reason == COORD_DEATH_HANDOVER ?
					0 : g->n_vips;
			if (g && (a.n_vips != want ||
				  memcmp(a.vips, g->vips, a.n_vips * sizeof(a.vips[0]))))
				violate("grace-vips", "node %d asks grace for %u VIP(s) "
					"of a %s whose DEATH announced %u", i + 1,
					a.n_vips, g->reason == COORD_DEATH_HANDOVER ?
					"handover (expected none)" : "death", g->n_vips);
			if (g && a.load_node != (g->reason == COORD_DEATH_HANDOVER ?
						 a.event.origin : 0))
				violate("grace-vips", "node %d loads node %u's records "
					"for event of node %u (reason %u)", i + 1,
					a.load_node, a.event.origin, g->reason);
		}
		if (nd->ncalls == MAXCALLS)
			break;
		c = &nd->grace[nd->ncalls++];
		c->id = a.event;
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
		if ((c = start_release(nd, &a.event, false))) {
			c->value = nd->release_fails ? 1 : 0;
			c->at = S.now + 2000 + rn(20000);
		}
		break;
	}
	case COORD_ACTION_DROP: {
		struct call *c;
		check_drop(i, &a);
		check_release(i, &a.event);
		if ((c = start_release(nd, &a.event, true))) {
			c->vips = model_vips(a.vips, a.n_vips);
			c->value = 0;	/* decided when it answers */
			c->at = S.now + 1000 + rn(20000);
		}
		break;
	}
	case COORD_ACTION_EVENT_ENDED: {
		struct gt_event *g = gt_find(&a.event);
		if (g && g->origin == i && a.event.origin == (uint32_t)i + 1)
			g->ended = true;
		break;
	}
	}
	return true;
}

static void drain(int i)
{
	H.node[i].e = S.nodes[i].e;	/* all the harness's drain reads */
	harness_drain(&H, i);
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
	nd->view_mask = 0;
	for (j = 0; j < S.n; j++)
		if (!S.nodes[j].crashed && !S.nodes[j].corosync_down && S.nodes[j].part == nd->part) {
			view[n++] = (uint32_t)j + 1;
			nd->view_mask |= 1u << j;
		}
	nd->told_view = true;
	/* ground truth: a survivor that left while its node lived is settled
	 * once the origin learns its node is gone from the quorum view */
	for (j = 0; j < S.ngt; j++) {
		struct gt_event *g = &S.gt[j];
		int x;
		if (g->origin != i || nd->inc != g->id.incarnation || !g->delivered)
			continue;
		for (x = 0; x < g->n; x++)
			if (g->sv[x].left_alive && !g->sv[x].settled &&
			    !(nd->view_mask & (1u << (g->sv[x].nodeid - 1))))
				g->sv[x].settled = g->sv[x].confirmed = g->sv[x].left = true;
	}
	nd->told_quorate = quorate(nd->part);
	S.steps++;
	coord_engine_quorum_view(nd->e, S.now, nd->told_quorate, view, n);
	drain(i);
}

/* ---- deliveries ---- */

/* Receiver r refused (rc) a coordd's message because another process of
 * its node had taken that incarnation there first: after a merge, r had
 * not heard the coordd yet, and the second process, which knows the
 * incarnation from the group's traffic, spoke first.  r cannot tell which
 * of the two is the coordd: for r that coordd's messages are not
 * delivered (the second process is hostile input; the engine stays on the
 * safe side, waiting for a survivor it cannot hear). */
static bool incarnation_taken_at(int r, const struct harness_msg *f, int rc)
{
	const struct coord_engine *e = S.nodes[r].e;
	size_t k;

	if (rc != COORD_REJECTED_INCARNATION || f->tag)
		return false;
	for (k = 0; k < coord_engine_member_count(e); k++) {
		const struct coord_member *m = coord_engine_member(e, k);
		if (m->id.nodeid == f->from.nodeid && m->id.pid != f->from.pid &&
		    m->incarnation == f->msg.incarnation)
			return true;
	}
	return false;
}

/* Node r was handed f (the harness's on_deliver): ground truth, and the
 * agreement checks. */
static void note_delivery(struct harness *h, int r, const struct harness_msg *f, int rc)
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
		if (m->type == COORD_MSG_DEATH) {	/* never ground truth */
			struct gt_event *g = gt_find(&m->u.death.id);
			if (g)
				g->with &= ~(1u << r);
		}
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
		 * (A handover is no death: its origin's server runs.) */
		for (j = 0; m->u.death.reason != COORD_DEATH_HANDOVER && j < S.ngt; j++) {
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
	const struct harness_msg *f;
	int from;

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
	}
	trace("deliver %s from node %d in partition %d", coord_msg_type_name(f->msg.type),
	      from + 1, part);
	harness_deliver_one(&H, part);
}

static bool part_has_msgs(int part)
{
	return harness_oldest(&H, part) != NULL;
}

static void flush(int part)
{
	while (part_has_msgs(part) && !S.violation)
		deliver_one(part);
}

/* ---- configuration changes ---- */

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
	 * HELLO it sent, as delivered here), however many left at once */
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
		if (change.left[k].pid == S.nodes[change.left[k].nodeid - 1].pid)
			nd->hello_inc[change.left[k].nodeid - 1] = 0;
}

/* The harness's on_confchg. */
static void on_confchg(struct harness *h, int i, bool after,
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
static void confchg(int part, const struct coord_member_id *left, const uint8_t *reasons,
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
	for (i = 0; i < S.n; i++)
		if (S.nodes[i].part == part)
			tell_quorum(i);
}

/* A departing member's unsent messages: all delivered or all lost, the
 * same for every receiver (virtual synchrony). */
static void drop_unsent(struct coord_member_id who, int part)
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
static void members_gone(const int *idx, const uint8_t *reason, int n)
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

static void member_gone(int i, uint8_t reason)
{
	members_gone(&i, &reason, 1);
}

static void member_start(int i)
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
static void disconnect(int i)
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
	if (node_down)
		nd->attr = false;	/* pacemaker lost the node: transient */
	forget_records(i);
	for (g = 0; g < S.ngt; g++)	/* its own events: it left everybody */
		if (S.gt[g].origin == i && S.gt[g].id.incarnation == nd->inc)
			S.gt[g].with = 0;
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

static void reconnect(int i)
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

static void split(int part)
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

static void merge(int a, int b)
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
	confchg(a, NULL, NULL, 0, ja, (size_t)n);
}

/* ---- VIPs: pacemaker, the gate, the clients' locks ---- */

static int pick(bool (*ok)(int))
{
	int c[MAXN], n = 0, i;

	for (i = 0; i < S.n; i++)
		if (ok(i))
			c[n++] = i;
	return n ? c[rn((unsigned)n)] : -1;
}

/* Pacemaker acts where corosync's partition is quorate. */
static bool pcmk_can_act(int n)
{
	const struct node *nd = &S.nodes[n];

	return !nd->crashed && !nd->corosync_down && quorate(nd->part);
}

/* Pacemaker may start a VIP on n: ganesha-active set there. */
static bool may_take(int n)
{
	return S.nodes[n].attr && pcmk_can_act(n);
}

/* The gate's stop on the giver, after the address left it: coordctl
 * give-up --wait (agents/ganesha_coord_gate), as coordd answers it
 * (coord/control_dispatch.c): no coordd, or one that is not in the group,
 * fails the stop; a server reported dead has nothing to hand over; else a
 * handover, waited for in poll_stops(). */
static void gate_stop(int v)
{
	struct vipm *m = &S.vip[v];
	struct node *nd = &S.nodes[m->giver];
	struct coord_target t;
	struct coord_event_id id;
	struct coord_vip a;
	int rc;

	if (nd->crashed) {
		m->phase = VIP_STARTING;
		return;
	}
	if (!nd->e) {
		trace("gate of VIP %d cannot stop on node %d: no coordd", v + 1, m->giver + 1);
		m->phase = VIP_BLOCKED;
		return;
	}
	coord_engine_target(nd->e, &t);
	if (t.why == COORD_TARGET_SERVER_DOWN) {
		trace("gate of VIP %d stops on node %d: its server is reported dead", v + 1,
		      m->giver + 1);
		m->phase = VIP_STARTING;
		return;
	}
	vip_of(v, &a);
	S.steps++;
	rc = coord_engine_report_handover(nd->e, S.now, &a, 1, &id);
	trace("gate of VIP %d stops on node %d: handover %s", v + 1, m->giver + 1,
	      rc < 0 ? strerror(-rc) : "reported");
	drain(m->giver);
	if (rc < 0) {
		m->phase = VIP_BLOCKED;
		return;
	}
	m->phase = VIP_STOPPING;
	m->ho = id;
	m->ho_pid = nd->pid;
}

/* Pacemaker moves VIP v off its holder: the address leaves it first. */
static void begin_stop(int v, int want, const char *why)
{
	struct vipm *m = &S.vip[v];

	m->giver = m->holder;
	m->holder = -1;
	m->want = want;
	trace("pacemaker (%s): VIP %d's address leaves node %d", why, v + 1, m->giver + 1);
	gate_stop(v);
}

/* coordctl give-up --wait answers when its event ends, or is held; one
 * withdrawn for a joiner is followed to its re-run.  Only a handover that
 * ended released lets the gate stop. */
static void poll_stops(void)
{
	int v;

	for (v = 0; v < S.n; v++) {
		struct vipm *m = &S.vip[v];
		const struct coord_event *ev;
		struct node *nd;

		if (m->phase != VIP_STOPPING)
			continue;
		nd = &S.nodes[m->giver];
		if (!nd->e || nd->pid != m->ho_pid) {	/* coordctl lost its coordd */
			m->phase = VIP_BLOCKED;
			continue;
		}
		while ((ev = coord_engine_find_event(nd->e, &m->ho)) &&
		       ev->state == COORD_EVENT_CANCELLED && ev->rerun_as.seq)
			m->ho = ev->rerun_as;
		if (!ev) {
			if (!coord_engine_joined(nd->e))
				m->phase = VIP_BLOCKED;
			continue;
		}
		if (!coord_event_ended(ev) && ev->state != COORD_EVENT_HELD)
			continue;
		m->phase = ev->state == COORD_EVENT_RELEASED ? VIP_STARTING : VIP_BLOCKED;
		trace("gate of VIP %d on node %d: give-up answers %s", v + 1, m->giver + 1,
		      coord_event_state_name(ev->state));
		if (ev->state == COORD_EVENT_HELD) {	/* coordd withdraws it */
			S.steps++;
			coord_engine_cancel(nd->e, S.now, &m->ho);
			drain(m->giver);
		}
	}
}

/* The gate's start on a target (coordctl take-over: its coordd in the
 * group, its ganesha answers in grace, loading the others' records), then
 * the address arrives and the VIP's clients reclaim there. */
static void gate_start(int v)
{
	struct vipm *m = &S.vip[v];
	struct node *nd;
	unsigned others;
	int r = m->want;

	if (r < 0 || !may_take(r))
		r = pick(may_take);
	if (r < 0)
		return;
	nd = &S.nodes[r];
	if (!nd->e || !coord_engine_joined(nd->e) || nd->server_dead || nd->grace_mode >= 2) {
		trace("gate of VIP %d cannot start on node %d", v + 1, r + 1);
		m->want = -1;
		return;
	}
	nd->grace_at = S.now;
	others = m->locks & ~(1u << r);
	if (others)
		violate("no-double-holder", "VIP %d lands on node %d while the server of "
			"node(s) 0x%x (bit 0: node 1) still holds its clients' locks", v + 1,
			r + 1, others);
	m->holder = r;
	m->phase = VIP_ON;
	m->want = -1;
	m->locks |= 1u << r;
	trace("VIP %d lands on node %d", v + 1, r + 1);
}

/* Node n lost ganesha-active: pacemaker moves its VIPs away at once (the
 * transition follows the attribute). */
static void attr_lost(int n)
{
	int v;

	for (v = 0; v < S.n; v++)
		if (S.vip[v].phase == VIP_ON && S.vip[v].holder == n && pcmk_can_act(n))
			begin_stop(v, -1, "failover");
}

/* Pacemaker's next step for VIP v: a failover, a failback (its home has
 * ganesha-active again), a planned move, a stop retried after a failed
 * one (or its node fenced), a start. */
static void pacemaker(int v, bool moves)
{
	struct vipm *m = &S.vip[v];
	int r;

	switch (m->phase) {
	case VIP_ON:
		if (!pcmk_can_act(m->holder))
			return;
		if (!S.nodes[m->holder].attr)
			begin_stop(v, -1, "failover");
		else if (m->holder != v && may_take(v))
			begin_stop(v, v, "failback");
		else if (moves && (S.mask & F_MOVE) && (r = pick(may_take)) >= 0 &&
			 r != m->holder)
			begin_stop(v, r, "planned move");
		return;
	case VIP_BLOCKED:
		if (moves && (S.mask & F_CRASH) && S.nodes[m->giver].alive && rn(4) == 0) {
			trace("pacemaker fences node %d", m->giver + 1);
			member_gone(m->giver, COORD_LEAVE_NODEDOWN);
		} else {
			trace("pacemaker retries the gate's stop of VIP %d", v + 1);
			gate_stop(v);
		}
		return;
	case VIP_STARTING:
		gate_start(v);
		return;
	}
}

/* ---- time ---- */

static void advance(uint64_t dt)
{
	uint64_t end = S.now + dt;
	int i, k, v;

	while (S.now < end && !S.violation) {
		uint64_t next = end;

		for (i = 0; i < S.n; i++) {
			struct node *nd = &S.nodes[i];
			if (!nd->e)
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
			if (!nd->e)
				continue;
			for (k = 0; k < nd->ncalls;) {
				struct call c = nd->grace[k];
				if (c.at > S.now) {
					k++;
					continue;
				}
				nd->grace[k] = nd->grace[--nd->ncalls];
				if (nd->server_dead && c.value == COORD_ACK_IN_GRACE)
					c.value = COORD_ACK_NO_SERVER;	/* it died meanwhile */
				if (c.value == COORD_ACK_IN_GRACE)
					nd->grace_at = S.now;
				if (c.value == COORD_ACK_IN_GRACE && c.id.seq) {
					struct gt_event *g = gt_find(&c.id);
					if (g)
						g->ingrace_at[i] = S.now;
				}
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
				if (c.drop) {
					/* ganesha "2:VIP": grace first, then the VIPs'
					 * state goes; no server, nothing to drop. */
					c.value = !nd->server_dead && nd->drop_fails;
					if (c.value == 0 && !nd->server_dead) {
						for (v = 0; v < S.n; v++)
							if (c.vips & (1u << v))
								S.vip[v].locks &= ~(1u << i);
						nd->grace_at = S.now;
					}
				}
				if (g) {
					g->release_running = false;
					if (c.value == 0)
						g->ok_releases++;
				}
				S.steps++;
				coord_engine_release_done(nd->e, S.now, &c.id, c.value);
				drain(i);
				/* The release command deletes the origin's attribute. */
				if (c.value == 0 && !c.drop && nd->attr) {
					nd->attr = false;
					attr_lost(i);
				}
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

static bool is_alive(int i) { return S.nodes[i].alive; }
static bool is_down(int i) { return !S.nodes[i].alive && !S.nodes[i].disconnected; }
static bool is_disconnected(int i) { return S.nodes[i].disconnected; }
static bool is_up_node(int i) { return !S.nodes[i].crashed && !S.nodes[i].corosync_down; }
static bool is_healthy(int i) { return S.nodes[i].alive && !S.nodes[i].server_dead; }
static bool is_dead_server(int i) { return S.nodes[i].alive && S.nodes[i].server_dead; }

/* The agent's rule (agents/ganesha_coord_mon, vouch): from `coordctl up`,
 * whether to set (1), keep (0) or delete (-1) ganesha-active. */
static int agent_rule(bool coordd_reachable, enum coord_target_why why)
{
	if (!coordd_reachable)
		return -1;		/* exit 3: no coordd, no VIP */
	switch (why) {
	case COORD_TARGET_YES:
		return 1;		/* exit 0: coordd vouches */
	case COORD_TARGET_NOT_JOINED:
		return -1;		/* exit 1 */
	default:
		return 0;		/* exit 5: a member, not a target yet */
	}
}

/* The agent's monitor on node i, at a random moment: the only writer of
 * ganesha-active.  A live server: `coordctl up` (which reports the server
 * up, then asks whether coordd vouches).  A dead one: report the death
 * while the attribute is set; the origin's release deletes it. */
static void agent_monitor(int i)
{
	struct node *nd = &S.nodes[i];
	struct coord_target t = { .why = COORD_TARGET_NOT_JOINED };
	struct coord_event_id id;
	bool had = nd->attr;
	int rule;

	if (nd->crashed)
		return;
	nd->attr_stale = false;
	if (nd->server_dead) {
		if (nd->attr && nd->e) {
			S.steps++;
			coord_engine_report_death(nd->e, S.now, NULL, 0, &id);
			drain(i);
		}
		return;
	}
	if (nd->e) {
		S.steps++;
		coord_engine_report_up(nd->e, S.now);
		drain(i);
		coord_engine_target(nd->e, &t);
	}
	if (!nd->e && S.h_on && S.h_foreign && S.h_node == i)
		t.why = COORD_TARGET_YES;	/* coordd 2.0 vouches, by its rules */
	rule = agent_rule(nd->e != NULL || t.why == COORD_TARGET_YES, t.why);
	if (rule)
		nd->attr = rule > 0;
	trace("agent on node %d: %s, ganesha-active %s", i + 1,
	      nd->e || t.why == COORD_TARGET_YES ? coord_target_why_name(t.why) :
	      "coordd unreachable",
	      nd->attr ? "set" : "unset");
	if (had && !nd->attr)
		attr_lost(i);
}

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
static void foreign_hello(void)
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

static void second_process(void)
{
	struct coord_member_id h;
	struct coord_msg m;
	const struct gt_event *g;
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
		confchg(S.nodes[i].part, NULL, NULL, 0, &h, 1);
		if (S.h_foreign)
			foreign_hello();
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
	g = recent_gt();
	switch (m.type) {
	case COORD_MSG_HELLO:
		m.u.hello.flags = rn(2);
		m.u.hello.n_vips = random_vips(S.h_node, m.u.hello.vips);
		break;
	case COORD_MSG_DEATH:
		m.u.death.id.origin = m.sender;
		m.u.death.id.incarnation = m.incarnation;
		m.u.death.id.seq = 1 + rn(3);
		m.u.death.reason = rn(3) ? COORD_DEATH_REPORTED : COORD_DEATH_HANDOVER;
		m.u.death.n_vips = random_vips(S.h_node, m.u.death.vips);
		break;
	case COORD_MSG_ACK:
		if (g)
			m.u.ack.id = g->id;
		m.u.ack.result = (uint8_t)(1 + rn(COORD_ACK_RESULT_MAX));
		break;
	case COORD_MSG_RELEASE:
		if (g)
			m.u.release.id = g->id;
		if (rn(2))
			m.incarnation = m.u.release.id.incarnation;
		m.u.release.outcome = (uint8_t)(1 + rn(3));
		break;
	default:
		if (g)
			m.u.cancel.id = g->id;
		if (rn(2))
			m.incarnation = m.u.cancel.id.incarnation;
		m.u.cancel.reason = (uint8_t)(1 + rn(2));
		break;
	}
	trace("the second process on node %d sends a %s (sender %u, incarnation %" PRIu64 ")",
	      S.h_node + 1, coord_msg_type_name(m.type), m.sender, m.incarnation);
	enqueue_as(S.h_node, hid(), &m, true);
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

static void random_step(void)
{
	random_input();
	poll_stops();
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

/* Final records: every node that delivered an event's DEATH and shared the
 * group with its origin (same engines) until the end holds the same final
 * record; an event held under policy hold names only survivors that did
 * not confirm. */
static void check_final(void)
{
	int g, i;

	for (g = 0; g < S.ngt; g++) {
		const struct gt_event *t = &S.gt[g];
		const struct coord_event *first = NULL;
		int fi = -1;
		char buf[64];

		for (i = 0; i < S.n; i++) {
			const struct coord_event *ev;
			if (!(t->with & (1u << i)) || !S.nodes[i].e)
				continue;
			ev = coord_engine_find_event(S.nodes[i].e, &t->id);
			if (!ev)
				continue;
			if (ev->local_origin && ev->state == COORD_EVENT_HELD)
				check_outcome(i, ev, t, "holds");
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
	S.ngt = 0;
	memset(&H, 0, offsetof(struct harness, q));
	H.on_action = act;
	H.on_deliver = note_delivery;
	H.on_confchg = on_confchg;
	S.seed = S.rng = seed;
	S.mask = mask;
	S.verbose = verbose;
	S.n = 2 + (int)rn(MAXN - 1);
	S.codec = rn(2);
	S.mask &= ~((unsigned)rnd() & F_OPTIONAL);
	/* coordd's incarnations are clock readings: a second process's low
	 * incarnation (1 to 3) is never one a coordd picks later. */
	S.next_inc = 100;
	S.policy = rn(2) ? COORD_POLICY_RELEASE : COORD_POLICY_HOLD;
	S.now = 1000000;
	len = 50 + (long)rn(350);
	if (max_steps >= 0 && max_steps < len)
		len = max_steps;
	trace("schedule %" PRIu64 ": %d nodes, policy %s, %ld steps, mask 0x%x%s", seed,
	      S.n, coord_policy_name(S.policy), len, mask, S.codec ? ", through the codec" : "");
	for (i = 0; i < S.n; i++)
		member_start(i);
	/* The cluster starts healthy: every VIP at home, its clients' locks
	 * there, every agent has vouched. */
	flush(S.nodes[0].part);
	for (i = 0; i < S.n; i++) {
		S.vip[i].holder = i;
		S.vip[i].phase = VIP_ON;
		S.vip[i].giver = S.vip[i].want = -1;
		S.vip[i].locks = 1u << i;
	}
	for (i = 0; i < S.n; i++)
		agent_monitor(i);
	for (step = 0; step < len && !S.violation; step++)
		random_step();
	/* Quiet phase: faults stop, everything heals. */
	trace("faults stop");
	quiet_at = S.now;
	for (i = 0; i < S.n && !S.violation; i++) {
		S.nodes[i].grace_mode = 0;
		S.nodes[i].drop_fails = false;
		/* Some release commands keep failing: the bound must show. */
		if (!(S.mask & F_QUIET_FAIL) || rn(3))
			S.nodes[i].release_fails = false;
	}
	if (S.h_on && !S.violation) {
		struct coord_member_id h = hid();
		uint8_t why = COORD_LEAVE_LEAVE;
		if (S.h_foreign)
			S.nodes[S.h_node].attr_stale = true;
		flush(S.nodes[S.h_node].part);
		S.h_on = S.h_foreign = false;
		confchg(S.nodes[S.h_node].part, &h, &why, 1, NULL, 0);
	}
	for (i = 0; i < S.n && !S.violation; i++)
		if (S.nodes[i].disconnected)
			reconnect(i);
	for (i = 1; i < S.n && !S.violation; i++)
		if (S.nodes[i].part != S.nodes[0].part)
			merge(S.nodes[0].part, S.nodes[i].part);
	for (i = 0; i < S.n && !S.violation; i++)
		if (!S.nodes[i].alive)
			member_start(i);
	for (i = 0; i < S.n && !S.violation; i++)
		if (S.nodes[i].server_dead) {	/* ganesha restarts */
			S.nodes[i].server_dead = false;
			S.nodes[i].fresh_until = S.now + GRACE_PERIOD_US;
			server_starts(i);
			agent_monitor(i);
		}
	while (S.now < quiet_at + LIVENESS_BOUND_US && !S.violation) {
		flush(S.nodes[0].part);
		advance(250000);
		/* Every agent's monitor, pacemaker settles every VIP. */
		for (i = 0; i < S.n && !S.violation; i++)
			agent_monitor(i);
		for (i = 0; i < S.n && !S.violation; i++) {
			pacemaker(i, false);
			poll_stops();
		}
	}
	flush(S.nodes[0].part);
	if (!S.violation)
		check_liveness(quiet_at);
	/* Every VIP has landed, unless no node may take it (a death held by
	 * policy hold keeps its survivors grace-pending: no target). */
	for (i = 0; i < S.n && !S.violation; i++)
		if (S.vip[i].phase != VIP_ON && pick(may_take) >= 0)
			violate("liveness", "VIP %d still %s %.1f s after faults stopped", i + 1,
				(const char *[]){ "on", "stopping", "blocked", "starting" }
				[S.vip[i].phase], (double)(S.now - quiet_at) / 1e6);
	if (!S.violation)
		check_final();
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
	bool first_only = false, list = false;
	uint64_t t0;
	double secs;

	while ((c = getopt(argc, argv, "n:s:r:k:m:I:xlh")) != -1) {
		switch (c) {
		case 'n': schedules = strtoull(optarg, NULL, 10); break;
		case 's': first = strtoull(optarg, NULL, 10); break;
		case 'r': replay = strtoull(optarg, NULL, 10); break;
		case 'k': rsteps = strtol(optarg, NULL, 10); break;
		case 'm': rmask = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'x': first_only = true; break;
		case 'l': list = true; break;
		case 'I': ignored = optarg; break;
		default:
			fprintf(stderr, "usage: sim [-n SCHEDULES] [-s FIRST-SEED] | "
				"-r SEED [-k STEPS] [-m MASK]  (-x: stop at the first violation; "
				"-l: list every violation, unshrunk; -I INVARIANT: do not check it)\n");
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
			if (list) {
				printf("seed %" PRIu64 ": invariant %s violated: %s\n", s, v, S.why);
				continue;
			}
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
