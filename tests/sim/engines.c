/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The model's coordds: each node's engine, started with its configuration
 * (VIPs, incarnation, pid), what it multicasts (through the codec in codec
 * schedules), what it asks for carried out (act(): grace calls, release
 * commands, drops, with the checks on what it asks), and corosync's
 * quorum notification.
 */
#include <stdlib.h>

#include "sim.h"

void sync_views(void)
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

struct coord_member_id mid(int i)
{
	struct coord_member_id m = { (uint32_t)i + 1, S.nodes[i].pid };
	return m;
}

/* The second CPG process, on node h_node. */
struct coord_member_id hid(void)
{
	struct coord_member_id m = { (uint32_t)S.h_node + 1, S.h_pid };
	return m;
}

bool member_id_in(struct coord_member_id id, const struct coord_member_id *l, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (l[k].nodeid == id.nodeid && l[k].pid == id.pid)
			return true;
	return false;
}

void vip_of(int i, struct coord_vip *v)
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
uint16_t random_vips(int i, struct coord_vip *v)
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

void engine_start(int i)
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
	/* A coordd of the next minor (a rolling upgrade), which appends
	 * fields this one does not know: 1 to 8 bytes. */
	nd->append = S.minors && rnd2() % 3 == 0 ? (uint8_t)(1 + rnd2() % 8) : 0;
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
	memset(nd->taken_inc, 0, sizeof(nd->taken_inc));
	nd->misled = 0;
	memset(nd->forged_death, 0, sizeof(nd->forged_death));
	nd->fd_next = 0;
}

/* A message multicast by node from's coordd, or (forged) by the second
 * process on it.  In codec schedules it travels as bytes: what every
 * receiver decodes is what proto/wire.c makes of them. */
void enqueue_as(int from, struct coord_member_id from_id, const struct coord_msg *msg,
		bool forged)
{
	struct harness_msg hm = { .view = S.nodes[from].part, .from = from_id, .tag = forged };
	struct harness_msg *f = &hm;
	uint16_t foreign = forged && S.h_on && S.h_foreign && from_id.pid == S.h_pid ?
			   0x0200 : 0;

	if (S.codec) {
		uint8_t buf[COORD_WIRE_MAX_LEN + 8];
		int len = coord_msg_encode(msg, buf, COORD_WIRE_MAX_LEN), err;
		int minor = COORD_PROTO_MINOR;
		unsigned extra = 0;

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
		} else if (S.minors && len > 0 && !forged && S.nodes[from].append) {
			minor = COORD_PROTO_MINOR + 1;
			extra = S.nodes[from].append;
		} else if (S.minors && len > 0 && forged && S.h_on && from_id.pid == S.h_pid) {
			/* the second process claims a minor: ours, the one
			 * before, or the next, with bytes appended or not */
			minor = COORD_PROTO_MINOR - 1 + (int)(rnd2() % 3);
			extra = rnd2() % 2 ? 1 + (unsigned)(rnd2() % 8) : 0;
		}
		if (minor != COORD_PROTO_MINOR || extra) {
			memset(buf + len, 0x5a, extra);
			len += (int)extra;
			buf[5] = (uint8_t)minor;
			buf[8] = (uint8_t)(len >> 24);
			buf[9] = (uint8_t)(len >> 16);
			buf[10] = (uint8_t)(len >> 8);
			buf[11] = (uint8_t)len;
		}
		err = coord_msg_decode(buf, (size_t)len, &f->msg);
		/* What an older (or the same) minor may not carry: a byte
		 * after the payload this minor knows. */
		if (extra && minor <= COORD_PROTO_MINOR && err != COORD_CODEC_TRAILING)
			violate("codec", "a %s from a minor-%d sender with %u bytes appended "
				"decodes as %s, not trailing", coord_msg_type_name(msg->type),
				minor, extra, err < 0 ? coord_wire_strerror(err) : "accepted");
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

void enqueue(int from, const struct coord_msg *msg, bool forged)
{
	enqueue_as(from, mid(from), msg, forged);
}

/* The model VIPs (bits) among vips: vip_of(k) for k < S.n. */
unsigned model_vips(const struct coord_vip *vips, uint16_t n)
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
bool act(struct harness *h, int i, const struct coord_action *action)
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
	case COORD_ACTION_TAKE_OVER:	/* the gate's start is modelled in vips.c */
		check_take_over(i, &a);
		break;
	case COORD_ACTION_EVENT_ENDED: {
		struct gt_event *g = gt_find(&a.event);
		if (g && g->origin == i && a.event.origin == (uint32_t)i + 1)
			g->ended = true;
		break;
	}
	}
	return true;
}

void drain(int i)
{
	H.node[i].e = S.nodes[i].e;	/* all the harness's drain reads */
	harness_drain(&H, i);
}

/* corosync's votequorum counts nodes whose corosync runs, not coordds. */
bool quorate(int part)
{
	int i, c = 0;

	for (i = 0; i < S.n; i++)
		if (!S.nodes[i].crashed && !S.nodes[i].corosync_down && S.nodes[i].part == part)
			c++;
	return c * 2 > S.n;
}

/* corosync's quorum notification: the nodes whose corosync runs here. */
void tell_quorum(int i)
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
