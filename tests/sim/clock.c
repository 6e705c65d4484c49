/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The model's clock: time advances to the next thing due (an engine's
 * timer, a grace call's answer, a release command's or drop's exit), and
 * each is handed to its engine as it falls due.
 */
#include "sim.h"

void advance(uint64_t dt)
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
				if (c.value == COORD_ACK_IN_GRACE) {
					struct gt_event *g = c.id.seq ? gt_find(&c.id) : NULL;
					if (g)
						g->ingrace_at[i] = S.now;
					else
						note_grace(i, &c.id);
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
				if (!c.drop)
					coord_engine_release_done(nd->e, S.now, &c.id, c.value);
				else
					coord_engine_drop_done(nd->e, S.now, &c.id,
							       nd->server_dead ? COORD_DROP_NO_SERVER :
							       c.value ? COORD_DROP_FAILED :
							       COORD_DROP_DONE);
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
