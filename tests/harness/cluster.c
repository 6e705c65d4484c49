/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The in-process cluster: see cluster.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"

static void harness_fail(struct harness *h, const char *what)
{
	if (h->fail) {
		h->fail(h, what);
		return;
	}
	fprintf(stderr, "harness: %s\n", what);
	abort();
}

void harness_config(struct coord_engine_config *cfg, int i)
{
	struct coord_vip *v = &cfg->vips[0];

	cfg->nodeid = (uint32_t)i + 1;
	cfg->n_vips = 1;
	memset(v, 0, sizeof(*v));
	v->family = 4;
	v->addr[0] = 198;
	v->addr[1] = 18;
	v->addr[3] = (uint8_t)(101 + i);
}

void harness_set_engine(struct harness *h, int i, struct coord_engine *e, uint32_t pid)
{
	struct harness_node *nd = &h->node[i];

	nd->e = e;
	nd->id = (struct coord_member_id){ (uint32_t)i + 1, pid };
	if (e)
		coord_engine_set_self(e, pid);
}

size_t harness_members(const struct harness *h, int v, struct coord_member_id *out)
{
	size_t n = 0;
	int i;

	for (i = 0; i < h->n; i++)
		if (h->node[i].up && h->node[i].view == v)
			out[n++] = h->node[i].id;
	return n;
}

static bool is_receiver(const struct harness *h, int i, int v)
{
	return h->node[i].e && h->node[i].up && h->node[i].view == v;
}

void harness_confchg(struct harness *h, int v, const struct coord_member_id *left,
		     const uint8_t *reasons, size_t n_left,
		     const struct coord_member_id *joined, size_t n_joined)
{
	struct coord_member_id m[HARNESS_MAX_NODES];
	size_t n = harness_members(h, v, m);
	int i;

	for (i = 0; i < h->n; i++) {
		if (!is_receiver(h, i, v))
			continue;
		if (h->on_confchg)
			h->on_confchg(h, i, false, m, n);
		coord_engine_confchg(h->node[i].e, h->now, m, n, left, reasons, n_left,
				     joined, n_joined);
		harness_drain(h, i);
		if (h->on_confchg)
			h->on_confchg(h, i, true, m, n);
	}
}

bool harness_enqueue(struct harness *h, const struct harness_msg *m)
{
	if (h->n_queued == HARNESS_MAX_QUEUED)
		return false;
	h->q[h->n_queued++] = *m;
	return true;
}

bool harness_multicast(struct harness *h, int i, const struct coord_msg *msg)
{
	struct harness_msg m = { .view = h->node[i].view, .from = h->node[i].id };
	uint8_t buf[COORD_WIRE_MAX_LEN];
	int len = coord_msg_encode(msg, buf, sizeof(buf));

	if (len < 0) {
		harness_fail(h, "an engine multicast a message the encoder refuses");
		return false;
	}
	if (coord_msg_decode(buf, (size_t)len, &m.msg) != COORD_CODEC_OK) {
		harness_fail(h, "an engine multicast a message that does not decode");
		return false;
	}
	if (!coord_msg_equal(msg, &m.msg)) {
		harness_fail(h, "an engine multicast a message that decodes to another");
		return false;
	}
	if (!harness_enqueue(h, &m)) {
		harness_fail(h, "too many messages in flight");
		return false;
	}
	return true;
}

static size_t oldest_index(const struct harness *h, int v)
{
	size_t k;

	for (k = 0; k < h->n_queued; k++)
		if (h->q[k].view == v)
			break;
	return k;
}

const struct harness_msg *harness_oldest(const struct harness *h, int v)
{
	size_t k = oldest_index(h, v);

	return k < h->n_queued ? &h->q[k] : NULL;
}

static void unqueue(struct harness *h, size_t k)
{
	memmove(&h->q[k], &h->q[k + 1], (h->n_queued - k - 1) * sizeof(h->q[0]));
	h->n_queued--;
}

bool harness_deliver_one(struct harness *h, int v)
{
	size_t k = oldest_index(h, v);
	struct harness_msg m;
	int i, rc;

	if (k == h->n_queued)
		return false;
	m = h->q[k];
	unqueue(h, k);
	for (i = 0; i < h->n; i++) {
		if (!is_receiver(h, i, v))
			continue;
		h->delivering = &m;
		if (m.foreign) {
			coord_engine_member_incompatible(h->node[i].e, h->now, m.from, m.foreign);
			rc = -1;
		} else {
			rc = coord_engine_deliver(h->node[i].e, h->now, m.from, &m.msg);
		}
		if (h->on_deliver)
			h->on_deliver(h, i, &m, rc);
		harness_drain(h, i);
		h->delivering = NULL;
	}
	return true;
}

void harness_drop_from(struct harness *h, int v, struct coord_member_id who)
{
	size_t k;

	for (k = 0; k < h->n_queued;)
		if (h->q[k].view == v && coord_member_id_equal(h->q[k].from, who))
			unqueue(h, k);
		else
			k++;
}

/* The default effects of one action of node i. */
static void carry_out(struct harness *h, int i, const struct coord_action *a)
{
	struct harness_node *nd = &h->node[i];

	switch (a->kind) {
	case COORD_ACTION_SEND:
		harness_multicast(h, i, &a->msg);
		break;
	case COORD_ACTION_GRACE:
		if (nd->hold_grace)
			nd->owes_grace = true;
		else
			coord_engine_grace_done(nd->e, h->now, &a->event, nd->grace_result,
						h->grace_latency_us,
						h->grace_detail ? h->grace_detail : "");
		break;
	case COORD_ACTION_RELEASE:
		if (!nd->hold_release)
			coord_engine_release_done(nd->e, h->now, &a->event, nd->release_status);
		break;
	case COORD_ACTION_DROP:
		if (!nd->hold_release)
			coord_engine_drop_done(nd->e, h->now, &a->event, nd->release_status ?
					       COORD_DROP_FAILED : COORD_DROP_DONE);
		break;
	case COORD_ACTION_TAKE_OVER:	/* answered by the caller (on_action) */
	case COORD_ACTION_EVENT_ENDED:
		break;
	}
}

static void remember(struct harness *h, int i, const struct coord_action *a)
{
	struct harness_node *nd = &h->node[i];

	switch (a->kind) {
	case COORD_ACTION_GRACE:
		nd->graces++;
		nd->last_grace = *a;
		break;
	case COORD_ACTION_RELEASE:
		if (nd->releases < HARNESS_RELEASE_TIMES)
			nd->release_at[nd->releases] = h->now;
		nd->releases++;
		nd->last_release = *a;
		break;
	case COORD_ACTION_DROP:
		nd->drops++;
		nd->last_drop = *a;
		break;
	case COORD_ACTION_TAKE_OVER:
		nd->take_overs++;
		nd->last_take_over = *a;
		break;
	case COORD_ACTION_EVENT_ENDED:
		nd->ended++;
		break;
	case COORD_ACTION_SEND:
		break;
	}
}

void harness_drain(struct harness *h, int i)
{
	struct coord_action a;

	while (h->node[i].e && coord_engine_next_action(h->node[i].e, &a)) {
		remember(h, i, &a);
		if (!h->on_action || !h->on_action(h, i, &a))
			carry_out(h, i, &a);
	}
}

void harness_settle(struct harness *h)
{
	bool busy = true;
	int i;

	while (busy) {
		busy = false;
		for (i = 0; i < h->n; i++)
			if (h->node[i].up)
				harness_drain(h, i);
		if (h->hold_delivery)
			break;
		/* The oldest message in flight, whichever its view. */
		if (h->n_queued) {
			harness_deliver_one(h, h->q[0].view);
			busy = true;
		}
	}
}

void harness_advance(struct harness *h, uint64_t us)
{
	int i;

	h->now += us;
	for (i = 0; i < h->n; i++)
		if (h->node[i].up && h->node[i].e)
			coord_engine_tick(h->node[i].e, h->now);
	harness_settle(h);
}
