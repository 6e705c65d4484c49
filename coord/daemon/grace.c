/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Asking the local ganesha.nfsd to enter grace, over D-Bus, without ever
 * blocking coordd's loop.
 *
 * The call is org.ganesha.nfsd.admin.grace(s) on /org/ganesha/nfsd/admin.
 * Its argument is "EVENT:ADDRESS" (src/MainNFSD/nfs_admin_thread.c); coordd
 * always sends the event prefix, because without a colon ganesha takes the
 * whole string as an address and a bare IPv6 address would be parsed as an
 * event number.  A survivor sends event 5, TAKE_IP, with the dead node's
 * VIP: the server enters grace and loads the clients recorded for that IP,
 * so they can reclaim their state here once the VIP arrives.  Without a
 * VIP it sends "0:" (JUST_GRACE).  The reply's boolean must be read: a
 * false status is not a D-Bus error.
 *
 * The connection is coordd's one connection to the bus (bus.c), which
 * tells this client when it is lost: the calls in flight are answered
 * no-bus then.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dbus/dbus.h>
#include <qb/qblog.h>

#include "bus.h"
#include "clock.h"
#include "ganesha_bus.h"
#include "grace.h"

#define COORD_GRACE_ARG_MAX	64

/* Whom a request answers, and how: an event's grace, a handover's drop,
 * a take-over (the caller's token, no event). */
struct answer_to {
	coord_grace_done_fn grace;	/* exactly one of the three */
	coord_grace_drop_fn drop;
	coord_grace_take_over_fn take_over;
	void *ctx;
	struct coord_event_id id;	/* grace, drop */
	uint32_t token;			/* take_over */
};

struct request {
	struct coord_grace_client *g;
	struct request *next;
	struct answer_to to;
	uint64_t started_us;
	unsigned outstanding;		/* calls not answered yet */
	uint8_t result;
	char detail[COORD_DETAIL_MAX + 1];
};

/* A grace call in flight; the client holds a reference to its pending call. */
struct call {
	struct request *req;
	DBusPendingCall *pending;
	struct call *next;
};

struct coord_grace_client {
	qb_loop_t *loop;
	struct coord_bus *bus;
	uint32_t timeout_ms;
	coord_grace_done_fn done;
	void *ctx;
	bool in_request;		/* inside coord_grace_request() */
	struct request *requests;	/* all not yet reported */
	size_t n_requests;
	struct call *calls;		/* all not yet answered */
};

/* Higher is worse: the request reports the worst of its calls. */
static int badness(uint8_t result)
{
	switch (result) {
	case COORD_ACK_IN_GRACE: return 0;
	case COORD_ACK_GRACE_FAILED: return 1;
	case COORD_ACK_TIMEOUT: return 2;
	case COORD_ACK_NO_SERVER: return 3;
	case COORD_ACK_NO_BUS: return 4;
	}
	return 5;
}

static void set_detail(char *out, const char *a, const char *b)
{
	size_t n = 0;
	const char *parts[2] = { a, b };
	int p;

	for (p = 0; p < 2; p++) {
		if (!parts[p])
			continue;
		if (p == 1 && n && n < COORD_DETAIL_MAX - 2) {
			out[n++] = ':';
			out[n++] = ' ';
		}
		n = coord_text_printable(out, n, COORD_DETAIL_MAX, parts[p]);
	}
	out[n] = '\0';
}

/* ---- reporting: always from a loop job, never inside a request call ---- */

/* What the server did with a drop: its worst grace result, told apart. */
static enum coord_drop_result drop_result(uint8_t result)
{
	switch (result) {
	case COORD_ACK_IN_GRACE: return COORD_DROP_DONE;
	case COORD_ACK_NO_SERVER: return COORD_DROP_NO_SERVER;
	}
	return COORD_DROP_FAILED;
}

static void answer(const struct answer_to *to, uint8_t result, uint32_t latency_us,
		   const char *detail)
{
	if (to->grace)
		to->grace(to->ctx, &to->id, result, latency_us, detail);
	else if (to->drop)
		to->drop(to->ctx, &to->id, drop_result(result), latency_us, detail);
	else
		to->take_over(to->ctx, to->token, result, latency_us, detail);
}

static void report_job(void *data)
{
	struct request *req = data;
	struct coord_grace_client *g = req->g;
	struct request **p;

	for (p = &g->requests; *p; p = &(*p)->next) {
		if (*p == req) {
			*p = req->next;
			g->n_requests--;
			break;
		}
	}
	answer(&req->to, req->result, (uint32_t)(coord_now_us() - req->started_us),
	       req->detail);
	free(req);
}

static void call_finished(struct request *req, uint8_t result, const char *a,
			  const char *b)
{
	if (badness(result) > badness(req->result) ||
	    (result == req->result && !req->detail[0])) {
		req->result = result;
		set_detail(req->detail, a, b);
	}
	if (--req->outstanding)
		return;
	/* Never report from inside coord_grace_request(); from the loop's own
	 * callbacks at once (a libqb job can wait a whole poll round). */
	if (!req->g->in_request)
		report_job(req);
	else if (qb_loop_job_add(req->g->loop, QB_LOOP_MED, req, report_job) != 0)
		qb_log(LOG_CRIT, "cannot queue a grace report: the barrier will see "
		       "this survivor at its deadline");
}

static void classify_reply(struct request *req, DBusMessage *reply)
{
	DBusError err;
	dbus_bool_t status = FALSE;
	const char *text = "";

	if (!reply) {
		call_finished(req, COORD_ACK_NO_BUS, "no reply message", NULL);
		return;
	}
	if (dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_ERROR) {
		const char *name = dbus_message_get_error_name(reply);
		const char *msg = NULL;
		uint8_t result = COORD_ACK_GRACE_FAILED;

		dbus_message_get_args(reply, NULL, DBUS_TYPE_STRING, &msg, DBUS_TYPE_INVALID);
		if (!name)
			name = "unknown error";
		if (!strcmp(name, DBUS_ERROR_SERVICE_UNKNOWN) ||
		    !strcmp(name, DBUS_ERROR_NAME_HAS_NO_OWNER))
			result = COORD_ACK_NO_SERVER;
		else if (!strcmp(name, DBUS_ERROR_NO_REPLY) ||
			 !strcmp(name, DBUS_ERROR_TIMEOUT) ||
			 !strcmp(name, DBUS_ERROR_TIMED_OUT))
			result = COORD_ACK_TIMEOUT;
		else if (!strcmp(name, DBUS_ERROR_DISCONNECTED) ||
			 !strcmp(name, DBUS_ERROR_NO_SERVER))
			result = COORD_ACK_NO_BUS;
		call_finished(req, result, name, msg);
		return;
	}
	dbus_error_init(&err);
	if (!dbus_message_get_args(reply, &err, DBUS_TYPE_BOOLEAN, &status,
				   DBUS_TYPE_STRING, &text, DBUS_TYPE_INVALID)) {
		dbus_error_free(&err);
		call_finished(req, COORD_ACK_GRACE_FAILED, "bad reply signature",
			      dbus_message_get_signature(reply));
		return;
	}
	call_finished(req, status ? COORD_ACK_IN_GRACE : COORD_ACK_GRACE_FAILED,
		      text, NULL);
}

/* Unlinks a call and drops it; its request stays. */
static void forget_call(struct call *call)
{
	struct call **p;

	for (p = &call->req->g->calls; *p; p = &(*p)->next) {
		if (*p == call) {
			*p = call->next;
			break;
		}
	}
	dbus_pending_call_unref(call->pending);
	free(call);
}

static void on_reply(DBusPendingCall *pending, void *data)
{
	struct call *call = data;
	struct request *req = call->req;
	DBusMessage *reply = dbus_pending_call_steal_reply(pending);

	forget_call(call);
	classify_reply(req, reply);
	if (reply)
		dbus_message_unref(reply);
}

/*
 * The connection is gone: every call in flight is answered no-bus now.
 * libdbus does not notify them: on a disconnect it detaches the pending
 * calls and hands their synthesized NoReply errors to the filters.
 */
static void fail_calls(struct coord_grace_client *g, const char *why)
{
	struct call *call;

	while ((call = g->calls)) {
		struct request *req = call->req;

		dbus_pending_call_cancel(call->pending);
		forget_call(call);
		call_finished(req, COORD_ACK_NO_BUS, why, NULL);
	}
}

/* The connection is gone: every call in flight is answered no-bus. */
static void on_bus_lost(void *ctx)
{
	fail_calls(ctx, "D-Bus connection lost");
}

static const struct coord_bus_user bus_user = { .lost = on_bus_lost };

static void send_grace(struct coord_grace_client *g, DBusConnection *conn,
		       struct request *req, const char *arg)
{
	DBusMessage *msg;
	DBusPendingCall *pending = NULL;
	struct call *call;

	if (!conn) {
		call_finished(req, COORD_ACK_NO_BUS, "not connected to D-Bus",
			      coord_bus_address(g->bus));
		return;
	}
	msg = dbus_message_new_method_call(GANESHA_NAME, GANESHA_ADMIN_PATH, GANESHA_ADMIN_IFACE,
					   "grace");
	call = calloc(1, sizeof(*call));
	if (!msg || !call ||
	    !dbus_message_append_args(msg, DBUS_TYPE_STRING, &arg, DBUS_TYPE_INVALID)) {
		if (msg)
			dbus_message_unref(msg);
		free(call);
		call_finished(req, COORD_ACK_GRACE_FAILED, "out of memory", NULL);
		return;
	}
	/* No bus activation: a missing server must answer "no server" now. */
	dbus_message_set_auto_start(msg, FALSE);
	if (!dbus_connection_send_with_reply(conn, msg, &pending, (int)g->timeout_ms) ||
	    !pending) {
		dbus_message_unref(msg);
		free(call);
		call_finished(req, COORD_ACK_NO_BUS, "D-Bus connection closed", NULL);
		return;
	}
	dbus_message_unref(msg);
	call->req = req;
	call->pending = pending;
	call->next = g->calls;
	g->calls = call;
	if (!dbus_pending_call_set_notify(pending, on_reply, call, NULL)) {
		dbus_pending_call_cancel(pending);
		forget_call(call);
		call_finished(req, COORD_ACK_GRACE_FAILED, "out of memory", NULL);
	} else if (dbus_pending_call_get_completed(pending)) {
		on_reply(pending, call);
	}
}

/* ---- API ---- */

struct coord_grace_client *coord_grace_new(qb_loop_t *loop, struct coord_bus *bus,
					   uint32_t call_timeout_ms,
					   coord_grace_done_fn done, void *ctx)
{
	struct coord_grace_client *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->loop = loop;
	g->bus = bus;
	g->timeout_ms = call_timeout_ms;
	g->done = done;
	g->ctx = ctx;
	if (coord_bus_add_user(bus, &bus_user, g) < 0) {
		free(g);
		return NULL;
	}
	return g;
}

/* One request: a grace call for each argument, answered to done(ctx) once
 * all are answered, with the worst result. */
static void grace_call(struct coord_grace_client *g, const struct answer_to *to,
		       const char *const *args, size_t n_args)
{
	struct request *req = calloc(1, sizeof(*req));
	DBusConnection *conn;
	size_t i;

	if (!req) {
		qb_log(LOG_CRIT, "out of memory: grace request lost");
		return;
	}
	req->g = g;
	req->to = *to;
	req->started_us = coord_now_us();
	req->result = COORD_ACK_IN_GRACE;
	req->outstanding = n_args ? (unsigned)n_args : 1;
	req->next = g->requests;
	g->requests = req;
	g->n_requests++;
	g->in_request = true;
	conn = coord_bus_sender(g->bus);	/* a dead one's calls fail here */
	/* Nothing to ask is answered too, from the loop like any answer. */
	if (!n_args)
		call_finished(req, COORD_ACK_GRACE_FAILED, "no grace argument", NULL);
	for (i = 0; i < n_args; i++)
		send_grace(g, conn, req, args[i]);
	g->in_request = false;
	coord_bus_flush(g->bus);
}

/* ganesha's grace events (src/include/nfs_grace.h's EVENT_*). */
enum ganesha_grace_event {
	GRACE_JUST_GRACE = 0,		/* "0:": grace, no records loaded */
	GRACE_RELEASE_IP = 2,		/* "2:IP": drop the state of IP's clients */
	GRACE_UPDATE_CLIENTS = 3,	/* "3:": load the server's own records */
	GRACE_TAKE_NODEID = 4,		/* "4:N": load node N's records */
	GRACE_TAKE_IP = 5,		/* "5:IP": load IP's clients' records */
};

/* One call's arguments, "EVENT:ADDRESS" each. */
struct grace_args {
	char text[1 + COORD_MAX_NODES_LOADED + COORD_MAX_VIPS][COORD_GRACE_ARG_MAX];
	const char *argv[1 + COORD_MAX_NODES_LOADED + COORD_MAX_VIPS];
	size_t n;
};

static void add_arg(struct grace_args *a, enum ganesha_grace_event event, const char *address)
{
	snprintf(a->text[a->n], COORD_GRACE_ARG_MAX, "%d:%s", (int)event, address);
	a->argv[a->n] = a->text[a->n];
	a->n++;
}

static void add_vips(struct grace_args *a, enum ganesha_grace_event event,
		     const struct coord_vip *vips, size_t n_vips)
{
	char ip[64];
	size_t i;

	for (i = 0; i < n_vips && i < COORD_MAX_VIPS; i++)
		add_arg(a, event, coord_vip_format(&vips[i], ip, sizeof(ip)));
}

static void add_node(struct grace_args *a, uint32_t node)
{
	char id[16];

	snprintf(id, sizeof(id), "%u", node);
	add_arg(a, GRACE_TAKE_NODEID, id);
}

void coord_grace_request(struct coord_grace_client *g, const struct coord_event_id *id,
			 const struct coord_vip *vips, size_t n_vips)
{
	struct grace_args a = { .n = 0 };

	if (n_vips)
		add_vips(&a, GRACE_TAKE_IP, vips, n_vips);
	else
		add_arg(&a, GRACE_JUST_GRACE, "");
	grace_call(g, &(struct answer_to){ .grace = g->done, .ctx = g->ctx, .id = *id },
		   a.argv, a.n);
}

void coord_grace_request_node(struct coord_grace_client *g, const struct coord_event_id *id,
			      uint32_t node)
{
	struct grace_args a = { .n = 0 };

	add_node(&a, node);
	grace_call(g, &(struct answer_to){ .grace = g->done, .ctx = g->ctx, .id = *id },
		   a.argv, a.n);
}

void coord_grace_drop(struct coord_grace_client *g, const struct coord_event_id *id,
		      const struct coord_vip *vips, size_t n_vips,
		      coord_grace_drop_fn done, void *ctx)
{
	struct grace_args a = { .n = 0 };

	/* Without VIPs nothing is asked: "2:" would release every client of
	 * the server.  Its own records first ("3:"): the VIPs' clients are
	 * among them, so its grace lasts until they could reclaim elsewhere;
	 * with an empty reclaim list ganesha ends the grace at its next reaper
	 * run, and a client of its other VIPs could take a dropped lock. */
	if (n_vips) {
		add_arg(&a, GRACE_UPDATE_CLIENTS, "");
		add_vips(&a, GRACE_RELEASE_IP, vips, n_vips);
	}
	grace_call(g, &(struct answer_to){ .drop = done, .ctx = ctx, .id = *id },
		   a.argv, a.n);
}

void coord_grace_load_nodes(struct coord_grace_client *g, uint32_t token,
			    const uint32_t *nodes, size_t n_nodes,
			    coord_grace_take_over_fn done, void *ctx)
{
	struct grace_args a = { .n = 0 };
	size_t i;

	/* Its own records first ("3:", UPDATE_CLIENTS: RecoveryRoot/v4recov/
	 * node0, read without removing them): a VIP can come back to the
	 * server its clients last used before any of them reclaimed
	 * elsewhere (a move and its way back, a failback before the client
	 * renewed); those clients' records are this server's own, and a
	 * server loads its own only when it starts.  Without them their
	 * reclaims get NFS4ERR_NO_GRACE (seen in the lab). */
	add_arg(&a, GRACE_UPDATE_CLIENTS, "");
	for (i = 0; i < n_nodes && i < COORD_MAX_NODES_LOADED; i++)
		add_node(&a, nodes[i]);
	grace_call(g, &(struct answer_to){ .take_over = done, .ctx = ctx, .token = token },
		   a.argv, a.n);
}

size_t coord_grace_pending(const struct coord_grace_client *g)
{
	return g->n_requests;
}

void coord_grace_free(struct coord_grace_client *g)
{
	struct request *req, *next;
	struct call *call;

	if (!g)
		return;
	while ((call = g->calls)) {
		dbus_pending_call_cancel(call->pending);
		forget_call(call);
	}
	coord_bus_remove_user(g->bus, g);
	/* Queued report jobs would use freed requests: remove them first. */
	for (req = g->requests; req; req = next) {
		next = req->next;
		qb_loop_job_del(g->loop, QB_LOOP_MED, req, report_job);
		free(req);
	}
	free(g);
}
