/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The model's VIPs: pacemaker, which moves each VIP where ganesha-active
 * is set; the gate (agents/ganesha_coord_gate: coordctl give-up on the
 * giver, take-over on the taker); the monitor agent
 * (agents/ganesha_coord_mon), the only writer of ganesha-active; and the
 * clients' lock state, which follows the address (no-double-holder).
 */
#include "sim.h"

/* Node n's server died: the lock state it held went with it. */
void locks_gone(int n)
{
	int v;

	for (v = 0; v < S.n; v++)
		S.vip[v].locks &= ~(1u << n);
}

/* Node n's server (re)starts: the clients of a VIP on n reclaim there. */
void server_starts(int n)
{
	int v;

	for (v = 0; v < S.n; v++)
		if (S.vip[v].phase == VIP_ON && S.vip[v].holder == n)
			S.vip[v].locks |= 1u << n;
}

/* The whole node n is gone (crashed, fenced): so are its addresses, and a
 * gate that stops there has stopped. */
void node_lost_vips(int n)
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

/* Pacemaker acts where corosync's partition is quorate. */
static bool pcmk_can_act(int n)
{
	const struct node *nd = &S.nodes[n];

	return !nd->crashed && !nd->corosync_down && quorate(nd->part);
}

/* Pacemaker may start a VIP on n: ganesha-active set there. */
bool may_take(int n)
{
	return S.nodes[n].attr && pcmk_can_act(n);
}

/* The gate's stop on the giver, after the address left it: coordctl
 * give-up --wait (agents/ganesha_coord_gate), as coordd answers it
 * (coord/daemon/control_dispatch.c, coord_engine_give_up): no coordd, or one
 * that is not in the group, fails the stop; a server reported dead has
 * nothing to hand over; else a handover, waited for in poll_stops(). */
static void gate_stop(int v)
{
	struct vipm *m = &S.vip[v];
	struct node *nd = &S.nodes[m->giver];
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
	vip_of(v, &a);
	rc = coord_engine_give_up(nd->e, S.now, &a, 1, &id);
	if (rc == COORD_GIVE_UP_NOTHING_HELD) {
		trace("gate of VIP %d stops on node %d: its server is reported dead", v + 1,
		      m->giver + 1);
		m->phase = VIP_STARTING;
		return;
	}
	S.steps++;
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
void poll_stops(void)
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
			coord_engine_give_up_failed(nd->e, S.now, &m->ho);
			drain(m->giver);
		}
	}
}

/* coordctl take-over on node r for VIP v, as coordd answers it: the
 * engine's TAKE_OVER action (judged in act(): take-over) names the other
 * nodes whose records ganesha loads; its grace is the model's. */
static void take_over(int r, int v)
{
	struct coord_vip vip;
	int rc;

	vip_of(v, &vip);
	S.steps++;
	rc = coord_engine_take_over(S.nodes[r].e, S.now, (uint32_t)v + 1, &vip, 1);
	if (rc)
		violate("take-over", "node %d's coordd, in the group, refuses the take-over "
			"of VIP %d: %d", r + 1, v + 1, rc);
	drain(r);
}

/* The nodes the VIP being placed is banned from (may_take_here). */
static unsigned banned_now;

static bool may_take_here(int n)
{
	return may_take(n) && !(banned_now & (1u << n));
}

/* Some node may take VIP v. */
bool vip_can_land(int v)
{
	banned_now = S.vip[v].banned;
	return pick(may_take_here) >= 0;
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

	banned_now = m->banned;
	if (r < 0 || !may_take_here(r))
		r = pick(may_take_here);
	if (r < 0)
		return;
	nd = &S.nodes[r];
	if (!nd->e || !coord_engine_joined(nd->e) || nd->server_dead || nd->grace_mode >= 2) {
		trace("gate of VIP %d cannot start on node %d", v + 1, r + 1);
		m->want = -1;
		/* A start that fails for good bans the VIP from there. */
		if (r == S.stay_node)
			m->banned |= 1u << r;
		return;
	}
	take_over(r, v);
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
void attr_lost(int n)
{
	int v;

	for (v = 0; v < S.n; v++)
		if (S.vip[v].phase == VIP_ON && S.vip[v].holder == n && pcmk_can_act(n))
			begin_stop(v, -1, "failover");
}

/* Pacemaker's next step for VIP v: a failover, a failback (its home has
 * ganesha-active again), a planned move, a stop retried after a failed
 * one (or its node fenced), a start. */
void pacemaker(int v, bool moves)
{
	struct vipm *m = &S.vip[v];
	int r;

	switch (m->phase) {
	case VIP_ON:
		if (!pcmk_can_act(m->holder))
			return;
		if (!S.nodes[m->holder].attr)
			begin_stop(v, -1, "failover");
		else if (m->holder != v && may_take(v) && !(m->banned & (1u << v)))
			begin_stop(v, v, "failback");
		else if (moves && (S.mask & F_MOVE) && (r = pick(may_take)) >= 0 &&
			 r != m->holder)
			begin_stop(v, r, "planned move");
		return;
	case VIP_BLOCKED:
		/* With a fault kept, a failed stop may fail for ever (no
		 * coordd there, a hung server, a give-up held by policy
		 * hold, or a handover that waits for a member misled by a
		 * merge window): pacemaker fences the giver, as it does when
		 * a stop fails (on-fail=fence). */
		if (!moves && (S.stay_node >= 0 || misled_any())) {
			node_fenced(m->giver);
		} else if (moves && (S.mask & F_CRASH) && S.nodes[m->giver].alive && rn(4) == 0) {
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

/* The agent's restart_wait: a coordd that cannot vouch while the server
 * runs keeps the attribute for COORD_RESTART_WAIT_S from the first monitor
 * that found it so. */
static bool restarting(struct node *nd)
{
	if (!nd->absent_since)
		nd->absent_since = S.now ? S.now : 1;
	return S.now < nd->absent_since + COORD_RESTART_WAIT_S * 1000000ull;
}

/* The agent's monitor on node i, at a random moment: the only writer of
 * ganesha-active.  A live server: `coordctl up` (which reports the server
 * up, then asks whether coordd vouches).  A dead one: report the death
 * while the attribute is set; the origin's release deletes it. */
void agent_monitor(int i)
{
	struct node *nd = &S.nodes[i];
	struct coord_target t = { .why = COORD_TARGET_NOT_JOINED };
	struct coord_event_id id;
	bool had = nd->attr;
	int rule;

	if (nd->crashed)
		return;
	if (stays(STAY_HUNG, i)) {
		/* The agent reports nothing of a server that does not answer
		 * (it may hold locks) and keeps the attribute as it is. */
		trace("agent on node %d: ganesha hung, ganesha-active %s", i + 1,
		      nd->attr ? "set" : "unset");
		return;
	}
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
		if (t.why == COORD_TARGET_YES)
			check_vouch(i);		/* it starts or keeps vouching */
	}
	if (!nd->e && S.h_on && S.h_foreign && S.h_node == i)
		t.why = COORD_TARGET_YES;	/* coordd 2.0 vouches, by its rules */
	rule = agent_rule(nd->e != NULL || t.why == COORD_TARGET_YES, t.why);
	if (rule >= 0 || !nd->attr) {
		nd->absent_since = 0;
	} else if (restarting(nd)) {
		rule = 0;	/* coordd may be restarting: restart_wait */
		trace("agent on node %d: coordd cannot vouch for %llu ms: keeping "
		      "ganesha-active (restart_wait)", i + 1,
		      (unsigned long long)((S.now - nd->absent_since) / 1000));
	} else {
		nd->absent_since = 0;
	}
	if (rule)
		nd->attr = rule > 0;
	trace("agent on node %d: %s, ganesha-active %s", i + 1,
	      nd->e || t.why == COORD_TARGET_YES ? coord_target_why_name(t.why) :
	      "coordd unreachable",
	      nd->attr ? "set" : "unset");
	if (had && !nd->attr)
		attr_lost(i);
}
