/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Quorum tracking through corosync's quorum API (libquorum).
 */
#include <stdlib.h>
#include <corosync/corotypes.h>
#include <corosync/quorum.h>
#include <qb/qblog.h>

#include "backoff.h"
#include "quorum.h"


struct coord_quorum {
	qb_loop_t *loop;
	coord_quorum_fn changed;
	void *ctx;
	quorum_handle_t handle;
	int fd;
	bool connected;
	bool quorate;
	struct coord_backoff reconnect;
	qb_loop_timer_handle timer;
};

static void quorum_connect(void *data);

static void set_quorate(struct coord_quorum *q, bool quorate, const uint32_t *nodes,
			size_t n_nodes)
{
	if (q->quorate != quorate)
		qb_log(quorate ? LOG_NOTICE : LOG_WARNING, "this node is %s",
		       quorate ? "quorate" : "inquorate");
	q->quorate = quorate;
	q->changed(q->ctx, quorate, nodes, n_nodes);
}

static void on_notify(quorum_handle_t handle, uint32_t quorate, uint64_t ring_seq,
		      uint32_t n, uint32_t *view)
{
	void *ctx = NULL;

	(void)ring_seq;
	if (quorum_context_get(handle, (const void **)&ctx) == CS_OK && ctx)
		set_quorate(ctx, quorate != 0, view, n);
}

static void schedule_reconnect(struct coord_quorum *q)
{
	coord_backoff_arm(&q->reconnect, q->loop, q, quorum_connect, &q->timer,
			  "quorum stays unknown, and no release starts");
}

static int on_fd(int fd, int revents, void *data)
{
	struct coord_quorum *q = data;
	cs_error_t err;

	(void)fd;
	(void)revents;
	err = quorum_dispatch(q->handle, CS_DISPATCH_ALL);
	if (err == CS_OK || err == CS_ERR_TRY_AGAIN)
		return 0;
	qb_log(LOG_ERR, "corosync quorum connection lost (%s): reconnecting",
	       cs_strerror(err));
	quorum_finalize(q->handle);
	q->connected = false;
	q->fd = -1;
	set_quorate(q, false, NULL, 0);
	schedule_reconnect(q);
	return -1;	/* libqb removes this poll entry */
}

static void quorum_connect(void *data)
{
	struct coord_quorum *q = data;
	quorum_model_v0_data_t model = {
		.model = QUORUM_MODEL_V0,
		.quorum_notify_fn = on_notify,
	};
	uint32_t type = 0;
	int quorate = 0;
	cs_error_t err;

	err = quorum_model_initialize(&q->handle, QUORUM_MODEL_V0,
				      (quorum_model_data_t *)&model, &type, q);
	if (err == CS_OK)
		err = quorum_getquorate(q->handle, &quorate);
	if (err == CS_OK)
		err = quorum_trackstart(q->handle, CS_TRACK_CHANGES);
	if (err == CS_OK)
		err = quorum_fd_get(q->handle, &q->fd);
	if (err == CS_OK &&
	    qb_loop_poll_add(q->loop, QB_LOOP_HIGH, q->fd, POLLIN, q, on_fd) != 0)
		err = CS_ERR_LIBRARY;
	if (err != CS_OK) {
		if (coord_backoff_first(&q->reconnect))
			qb_log(LOG_ERR, "cannot reach corosync's quorum service (%s): "
			       "retrying", cs_strerror(err));
		if (q->handle)
			quorum_finalize(q->handle);
		q->handle = 0;
		schedule_reconnect(q);
		return;
	}
	q->connected = true;
	coord_backoff_reset(&q->reconnect);
	/* No view yet: the first tracked notification brings it. */
	q->changed(q->ctx, quorate != 0, NULL, 0);
	q->quorate = quorate != 0;
}

struct coord_quorum *coord_quorum_new(qb_loop_t *loop, coord_quorum_fn changed,
				      void *ctx)
{
	struct coord_quorum *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	q->loop = loop;
	q->changed = changed;
	q->ctx = ctx;
	q->fd = -1;
	coord_backoff_reset(&q->reconnect);
	quorum_connect(q);
	return q;
}

void coord_quorum_free(struct coord_quorum *q)
{
	if (!q)
		return;
	qb_loop_timer_del(q->loop, q->timer);
	if (q->connected) {
		qb_loop_poll_del(q->loop, q->fd);
		quorum_finalize(q->handle);
	}
	free(q);
}

bool coord_quorum_connected(const struct coord_quorum *q) { return q->connected; }
