/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One schedule: the state it runs on (S, and the harness H), its trace,
 * and run(): a healthy start, the random steps, then the quiet phase
 * (faults stop, everything heals) and the checks at its end.
 */
#include <stdarg.h>

#include "sim.h"

struct sim S;
/*
 * The views and their agreed order are the shared in-process cluster's
 * (tests/harness/cluster.c): node[i] is node i's coordd, node[S.n] the
 * second CPG process; a message's tag says it is forged (a hostile
 * replay: not ground truth).  sync_views() copies who is where from S
 * before each use, so the fault model stays the one truth.
 */
struct harness H;
_Static_assert(MAXN + 1 <= HARNESS_MAX_NODES, "the harness holds every node and the second process");

void trace(const char *fmt, ...)
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

void engine_log(void *ctx, int prio, const char *text)
{
	(void)prio;
	if (S.verbose)
		printf("%10.3f s    [node %d] %s\n", (double)S.now / 1e6,
		       (int)(intptr_t)ctx + 1, text);
}

static void sim_free(void)
{
	int i;

	for (i = 0; i < S.n; i++)
		coord_engine_free(S.nodes[i].e);
}

/* Runs one schedule; returns the violated invariant or NULL. */
const char *run(uint64_t seed, long max_steps, unsigned mask, bool verbose)
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
	/* Faults that stay: one schedule in three of 3 nodes or more (so the
	 * others keep quorum without the node that keeps it). */
	S.rng2 = seed ^ 0x5851f42d4c957f2dull;
	S.rng3 = seed ^ 0x2545f4914f6cdd1dull;
	S.stay = STAY_NONE;
	S.stay_node = -1;	/* chosen when the quiet phase begins */
	S.minors = S.codec && rnd2() % 2;
	if ((S.mask & F_STAY) && S.n >= 3 && rnd2() % 3 == 0)
		S.stay = (enum stay)(1 + rnd2() % (STAY_KINDS - 1));
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
	if (S.h_on && !S.violation && !(S.stay == STAY_FOREIGN && S.h_foreign)) {
		struct coord_member_id h = hid();
		uint8_t why = COORD_LEAVE_LEAVE;
		if (S.h_foreign)
			S.nodes[S.h_node].attr_stale = true;
		flush(S.nodes[S.h_node].part);
		S.h_on = S.h_foreign = false;
		confchg(S.nodes[S.h_node].part, &h, &why, 1, NULL, 0);
	}
	if (!S.violation)
		stay_begin();
	for (i = 0; i < S.n && !S.violation; i++)
		if (S.nodes[i].disconnected && !stays(STAY_DISCONNECTED, i))
			reconnect(i);
	for (i = 1; i < S.n && !S.violation; i++)
		if (S.nodes[i].part != S.nodes[0].part)
			merge(S.nodes[0].part, S.nodes[i].part);
	for (i = 0; i < S.n && !S.violation; i++)
		if (!S.nodes[i].alive && !stays(STAY_COORDD_DOWN, i) &&
		    !stays(STAY_DISCONNECTED, i) && !stays(STAY_FOREIGN, i))
			member_start(i);
	for (i = 0; i < S.n && !S.violation; i++)
		if (S.nodes[i].server_dead && !stays(STAY_DEAD, i)) {	/* ganesha restarts */
			S.nodes[i].server_dead = false;
			S.nodes[i].fresh_until = S.now + GRACE_PERIOD_US;
			server_starts(i);
			agent_monitor(i);
		}
	/* With a fault kept, twice as long: the events made by then are
	 * judged (check_liveness), each within the bound.  A member misled
	 * by a merge window is such a fault. */
	while (S.now < quiet_at + (S.stay || misled_any() ? 2 : 1) * LIVENESS_BOUND_US &&
	       !S.violation) {
		flush(S.nodes[0].part);
		advance(250000);
		/* Every agent's monitor, pacemaker settles every VIP. */
		for (i = 0; i < S.n && !S.violation; i++)
			agent_monitor(i);
		for (i = 0; i < S.n && !S.violation; i++) {
			pacemaker(i, false);
			poll_stops();
		}
		check_deadline();
	}
	flush(S.nodes[0].part);
	if (!S.violation)
		check_liveness(quiet_at);
	/* Every VIP has landed, unless no node may take it (a death held by
	 * policy hold keeps its survivors grace-pending: no target). */
	for (i = 0; i < S.n && !S.violation; i++)
		if (S.vip[i].phase != VIP_ON && vip_can_land(i))
			violate("liveness", "VIP %d still %s %.1f s after faults stopped", i + 1,
				(const char *[]){ "on", "stopping", "blocked", "starting" }
				[S.vip[i].phase], (double)(S.now - quiet_at) / 1e6);
	if (!S.violation)
		check_stayed(quiet_at);
	if (!S.violation)
		check_final();
	sim_free();
	return S.violation;
}
