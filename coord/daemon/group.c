/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CPG group: connection, join, dispatch, agreed sends.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <corosync/cpg.h>
#include <qb/qblog.h>

#include "backoff.h"
#include "group.h"
#include "timer.h"

#define QUEUE_LEN		1024
#define RETRY_SEND_MS		10	/* flow control: corosync drains fast */

struct queued {
	size_t len;
	uint8_t buf[COORD_WIRE_MAX_LEN];
};

struct coord_group {
	qb_loop_t *loop;
	struct cpg_name name;
	const struct coord_group_ops *ops;
	void *ctx;
	cpg_handle_t handle;
	bool connected;			/* initialized and joined */
	int fd;
	uint32_t nodeid;
	struct coord_backoff reconnect;
	qb_loop_timer_handle reconnect_timer;
	struct coord_timer send_timer;
	size_t q_head, q_count;
	struct queued *queue;
	struct coord_group_stats stats;
};

static void group_connect(void *data);
static void flush(void *data);

static struct coord_group *group_of(cpg_handle_t handle)
{
	void *ctx = NULL;

	if (cpg_context_get(handle, &ctx) != CS_OK)
		return NULL;
	return ctx;
}

static void on_deliver(cpg_handle_t handle, const struct cpg_name *name,
		       uint32_t nodeid, uint32_t pid, void *msg, size_t len)
{
	struct coord_group *g = group_of(handle);
	struct coord_member_id from = { nodeid, pid };

	(void)name;
	if (g)
		g->ops->deliver(g->ctx, from, msg, len);
}

static size_t copy_ids(struct coord_member_id *out, uint8_t *reasons,
		       const struct cpg_address *in, size_t n)
{
	size_t i;

	if (n > COORD_MAX_NODES * 2)
		n = COORD_MAX_NODES * 2;
	for (i = 0; i < n; i++) {
		out[i].nodeid = in[i].nodeid;
		out[i].pid = in[i].pid;
		if (reasons)
			reasons[i] = (uint8_t)in[i].reason;
	}
	return n;
}

static void on_confchg(cpg_handle_t handle, const struct cpg_name *name,
		       const struct cpg_address *members, size_t n_members,
		       const struct cpg_address *left, size_t n_left,
		       const struct cpg_address *joined, size_t n_joined)
{
	struct coord_group *g = group_of(handle);
	struct coord_member_id m[COORD_MAX_NODES * 2], l[COORD_MAX_NODES * 2],
			       j[COORD_MAX_NODES * 2];
	uint8_t reasons[COORD_MAX_NODES * 2];

	(void)name;
	if (!g)
		return;
	n_members = copy_ids(m, NULL, members, n_members);
	n_left = copy_ids(l, reasons, left, n_left);
	n_joined = copy_ids(j, NULL, joined, n_joined);
	qb_log(LOG_INFO, "configuration change: %zu member(s), %zu left, %zu joined",
	       n_members, n_left, n_joined);
	g->ops->confchg(g->ctx, m, n_members, l, reasons, n_left, j, n_joined);
}

static void queue_clear(struct coord_group *g)
{
	if (g->q_count)
		qb_log(LOG_WARNING, "discarding %zu unsent message(s): "
		       "the group connection is gone", g->q_count);
	g->q_head = g->q_count = 0;
}

static void schedule_reconnect(struct coord_group *g)
{
	coord_backoff_arm(&g->reconnect, g->loop, g, group_connect, &g->reconnect_timer,
			  "coordd stays out of the group until restarted");
}

/* from_poll: the poll callback returns -1, and libqb removes the entry. */
static void group_disconnect(struct coord_group *g, const char *why, cs_error_t err,
			     bool from_poll)
{
	bool was_connected = g->connected;

	qb_log(LOG_ERR, "corosync CPG connection lost (%s: %s): reconnecting",
	       why, cs_strerror(err));
	if (g->fd >= 0 && !from_poll)
		qb_loop_poll_del(g->loop, g->fd);
	g->fd = -1;
	cpg_finalize(g->handle);
	g->handle = 0;
	g->connected = false;
	g->stats.disconnects++;
	queue_clear(g);
	if (was_connected)
		g->ops->lost(g->ctx);
	schedule_reconnect(g);
}

static int on_fd(int fd, int revents, void *data)
{
	struct coord_group *g = data;
	cs_error_t err;

	(void)fd;
	(void)revents;
	err = cpg_dispatch(g->handle, CS_DISPATCH_ALL);
	if (err != CS_OK && err != CS_ERR_TRY_AGAIN) {
		group_disconnect(g, "dispatch", err, true);
		return -1;	/* libqb removes this poll entry */
	}
	return 0;
}

static void group_connect(void *data)
{
	struct coord_group *g = data;
	cpg_model_v1_data_t model = {
		.model = CPG_MODEL_V1,
		.cpg_deliver_fn = on_deliver,
		.cpg_confchg_fn = on_confchg,
		.flags = CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF,
	};
	const char *step = "initialize";
	cs_error_t err;

	err = cpg_model_initialize(&g->handle, CPG_MODEL_V1,
				   (cpg_model_data_t *)&model, g);
	if (err == CS_OK) {
		step = "local node id";
		err = cpg_local_get(g->handle, &g->nodeid);
	}
	if (err == CS_OK) {
		step = "join";
		err = cpg_join(g->handle, &g->name);
	}
	if (err == CS_OK) {
		step = "fd";
		err = cpg_fd_get(g->handle, &g->fd);
	}
	if (err == CS_OK &&
	    qb_loop_poll_add(g->loop, QB_LOOP_HIGH, g->fd, POLLIN, g, on_fd) != 0) {
		step = "poll";
		err = CS_ERR_LIBRARY;
	}
	if (err != CS_OK) {
		if (g->stats.connects == 0 || coord_backoff_first(&g->reconnect))
			qb_log(LOG_ERR, "cannot join CPG group %s (%s: %s): retrying",
			       g->name.value, step, cs_strerror(err));
		if (g->handle)
			cpg_finalize(g->handle);
		g->handle = 0;
		g->fd = -1;
		schedule_reconnect(g);
		return;
	}
	g->connected = true;
	coord_backoff_reset(&g->reconnect);
	g->stats.connects++;
	qb_log(LOG_NOTICE, "joined CPG group %s as node %u", g->name.value, g->nodeid);
}

struct coord_group *coord_group_new(qb_loop_t *loop, const char *name,
				    const struct coord_group_ops *ops, void *ctx)
{
	struct coord_group *g;
	size_t len = strlen(name);

	if (len == 0 || len >= CPG_MAX_NAME_LENGTH)
		return NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->queue = calloc(QUEUE_LEN, sizeof(*g->queue));
	if (!g->queue) {
		free(g);
		return NULL;
	}
	g->loop = loop;
	coord_timer_init(&g->send_timer, loop, QB_LOOP_HIGH, flush, g);
	memcpy(g->name.value, name, len);
	g->name.length = (uint32_t)len;
	g->ops = ops;
	g->ctx = ctx;
	g->fd = -1;
	coord_backoff_reset(&g->reconnect);
	group_connect(g);
	return g;
}

void coord_group_free(struct coord_group *g)
{
	if (!g)
		return;
	qb_loop_timer_del(g->loop, g->reconnect_timer);
	coord_timer_disarm(&g->send_timer);
	if (g->connected) {
		cpg_leave(g->handle, &g->name);
		qb_loop_poll_del(g->loop, g->fd);
		cpg_finalize(g->handle);
	}
	free(g->queue);
	free(g);
}

static void arm_send_timer(struct coord_group *g)
{
	if (coord_timer_armed(&g->send_timer))
		return;
	if (coord_timer_arm(&g->send_timer, RETRY_SEND_MS * QB_TIME_NS_IN_MSEC) != 0)
		qb_log(LOG_CRIT, "cannot arm the send retry timer: queued messages "
		       "wait for the next send");
}

/* Sends queued messages in order until the queue is empty or corosync
 * asks us to try again. */
static void flush(void *data)
{
	struct coord_group *g = data;

	while (g->connected && g->q_count) {
		struct queued *q = &g->queue[g->q_head];
		struct iovec iov = { .iov_base = q->buf, .iov_len = q->len };
		cs_error_t err = cpg_mcast_joined(g->handle, CPG_TYPE_AGREED, &iov, 1);

		if (err == CS_ERR_TRY_AGAIN) {
			g->stats.try_again++;
			arm_send_timer(g);
			return;
		}
		if (err != CS_OK) {
			g->stats.send_failed++;
			qb_log(LOG_ERR, "CPG send failed: %s: message dropped",
			       cs_strerror(err));
		} else {
			g->stats.sent++;
		}
		g->q_head = (g->q_head + 1) % QUEUE_LEN;
		g->q_count--;
	}
}

int coord_group_send(struct coord_group *g, const uint8_t *buf, size_t len)
{
	struct queued *q;

	if (len > COORD_WIRE_MAX_LEN)
		return -EMSGSIZE;
	if (!g->connected) {
		g->stats.send_failed++;
		qb_log(LOG_WARNING, "not in the CPG group: message not sent");
		return -ENOTCONN;
	}
	if (g->q_count == QUEUE_LEN) {
		g->stats.send_failed++;
		qb_log(LOG_ERR, "CPG send queue full (%d): message dropped", QUEUE_LEN);
		return -ENOBUFS;
	}
	q = &g->queue[(g->q_head + g->q_count) % QUEUE_LEN];
	memcpy(q->buf, buf, len);
	q->len = len;
	g->q_count++;
	if (!coord_timer_armed(&g->send_timer))
		flush(g);
	return 0;
}

bool coord_group_connected(const struct coord_group *g) { return g->connected; }
uint32_t coord_group_nodeid(const struct coord_group *g) { return g->nodeid; }
size_t coord_group_queued(const struct coord_group *g) { return g->q_count; }

const struct coord_group_stats *coord_group_stats(const struct coord_group *g)
{
	return &g->stats;
}
