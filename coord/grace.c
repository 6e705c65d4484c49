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
 * libdbus is driven by libqb: DBusWatch <-> qb_loop_poll, DBusTimeout <->
 * qb_loop_timer, dispatching from a loop job.  Registration on the bus
 * (Hello) is sent asynchronously instead of the blocking dbus_bus_register;
 * the bus handles our calls after it, in order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dbus/dbus.h>
#include <qb/qblog.h>

#include "grace.h"

#define GANESHA_NAME		"org.ganesha.nfsd"
#define GANESHA_PATH		"/org/ganesha/nfsd/admin"
#define GANESHA_IFACE		"org.ganesha.nfsd.admin"
#define MAX_WATCHES		16

struct request {
	struct coord_grace_client *g;
	struct request *next;
	struct coord_event_id id;
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

struct timeout_slot {
	struct coord_grace_client *g;
	DBusTimeout *t;
	qb_loop_timer_handle handle;
	bool armed;
};

struct coord_grace_client {
	qb_loop_t *loop;
	char address[512];
	uint32_t timeout_ms;
	coord_grace_done_fn done;
	void *ctx;
	DBusConnection *conn;
	bool registered;
	bool dispatch_queued;
	bool teardown_queued;
	bool in_request;		/* inside coord_grace_request() */
	struct request *requests;	/* all not yet reported */
	size_t n_requests;
	struct call *calls;		/* all not yet answered */
	DBusWatch *watches[MAX_WATCHES];
	size_t n_watches;
	int polled_fds[MAX_WATCHES];
	size_t n_polled;
	struct timeout_slot **timeouts;	/* one per pending call: grows */
	size_t n_timeouts, cap_timeouts;
};

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

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
	size_t n = 0, i;
	const char *parts[2] = { a, b };
	int p;

	for (p = 0; p < 2; p++) {
		if (!parts[p])
			continue;
		if (p == 1 && n && n < COORD_DETAIL_MAX - 2) {
			out[n++] = ':';
			out[n++] = ' ';
		}
		for (i = 0; parts[p][i] && n < COORD_DETAIL_MAX; i++) {
			unsigned char c = (unsigned char)parts[p][i];
			out[n++] = (c >= 0x20 && c <= 0x7e) ? (char)c : '?';
		}
	}
	out[n] = '\0';
}

/* ---- reporting: always from a loop job, never inside a request call ---- */

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
	g->done(g->ctx, &req->id, req->result,
		(uint32_t)(mono_us() - req->started_us), req->detail);
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

/* ---- libdbus <-> libqb glue ---- */

static void dispatch_now(struct coord_grace_client *g)
{
	while (g->conn && dbus_connection_dispatch(g->conn) == DBUS_DISPATCH_DATA_REMAINS)
		;
}

static void dispatch_job(void *data)
{
	struct coord_grace_client *g = data;

	g->dispatch_queued = false;
	dispatch_now(g);
}

static void queue_dispatch(struct coord_grace_client *g)
{
	if (g->dispatch_queued)
		return;
	if (qb_loop_job_add(g->loop, QB_LOOP_HIGH, g, dispatch_job) == 0)
		g->dispatch_queued = true;
	else
		qb_log(LOG_ERR, "cannot queue a D-Bus dispatch: it waits for the next "
		       "activity on the bus");
}

static void on_dispatch_status(DBusConnection *conn, DBusDispatchStatus status, void *data)
{
	(void)conn;
	if (status == DBUS_DISPATCH_DATA_REMAINS)
		queue_dispatch(data);
}

static int32_t on_fd(int32_t fd, int32_t revents, void *data);

/* One poll entry per fd: libdbus may keep a read and a write watch on it. */
static void sync_fd(struct coord_grace_client *g, int fd)
{
	unsigned flags = 0;
	int32_t events = 0;
	size_t i;
	bool polled = false;

	for (i = 0; i < g->n_watches; i++)
		if (dbus_watch_get_unix_fd(g->watches[i]) == fd &&
		    dbus_watch_get_enabled(g->watches[i]))
			flags |= dbus_watch_get_flags(g->watches[i]);
	if (flags & DBUS_WATCH_READABLE)
		events |= POLLIN;
	if (flags & DBUS_WATCH_WRITABLE)
		events |= POLLOUT;
	for (i = 0; i < g->n_polled; i++)
		if (g->polled_fds[i] == fd)
			polled = true;
	if (flags && !polled) {
		if (qb_loop_poll_add(g->loop, QB_LOOP_HIGH, fd, events, g, on_fd) == 0)
			g->polled_fds[g->n_polled++] = fd;
	} else if (flags && polled) {
		if (qb_loop_poll_mod(g->loop, QB_LOOP_HIGH, fd, events, g, on_fd) != 0)
			qb_log(LOG_ERR, "cannot change the D-Bus socket's poll events");
	} else if (!flags && polled) {
		qb_loop_poll_del(g->loop, fd);
		for (i = 0; i < g->n_polled; i++)
			if (g->polled_fds[i] == fd)
				g->polled_fds[i] = g->polled_fds[--g->n_polled];
	}
}

static DBusWatch *watch_for(struct coord_grace_client *g, int fd, unsigned flag)
{
	size_t i;

	for (i = 0; i < g->n_watches; i++)
		if (dbus_watch_get_unix_fd(g->watches[i]) == fd &&
		    dbus_watch_get_enabled(g->watches[i]) &&
		    (dbus_watch_get_flags(g->watches[i]) & flag))
			return g->watches[i];
	return NULL;
}

static int32_t on_fd(int32_t fd, int32_t revents, void *data)
{
	struct coord_grace_client *g = data;
	unsigned extra = ((revents & POLLHUP) ? DBUS_WATCH_HANGUP : 0) |
			 ((revents & POLLERR) ? DBUS_WATCH_ERROR : 0);
	DBusWatch *w;

	/* Look the watch up again after each handle: handling may remove it. */
	if ((revents & (POLLIN | POLLHUP | POLLERR)) &&
	    (w = watch_for(g, fd, DBUS_WATCH_READABLE)))
		dbus_watch_handle(w, DBUS_WATCH_READABLE | extra);
	if ((revents & POLLOUT) && (w = watch_for(g, fd, DBUS_WATCH_WRITABLE)))
		dbus_watch_handle(w, DBUS_WATCH_WRITABLE | extra);
	dispatch_now(g);
	return 0;
}

static dbus_bool_t add_watch(DBusWatch *w, void *data)
{
	struct coord_grace_client *g = data;

	if (g->n_watches == MAX_WATCHES)
		return FALSE;
	g->watches[g->n_watches++] = w;
	sync_fd(g, dbus_watch_get_unix_fd(w));
	return TRUE;
}

static void remove_watch(DBusWatch *w, void *data)
{
	struct coord_grace_client *g = data;
	size_t i;

	for (i = 0; i < g->n_watches; i++)
		if (g->watches[i] == w)
			g->watches[i] = g->watches[--g->n_watches];
	sync_fd(g, dbus_watch_get_unix_fd(w));
}

static void toggle_watch(DBusWatch *w, void *data)
{
	sync_fd(data, dbus_watch_get_unix_fd(w));
}

static struct timeout_slot *slot_of(struct coord_grace_client *g, DBusTimeout *t)
{
	size_t i;

	for (i = 0; i < g->n_timeouts; i++)
		if (g->timeouts[i]->t == t)
			return g->timeouts[i];
	return NULL;
}

static void on_timer(void *data);

static void arm_timeout(struct timeout_slot *s)
{
	if (s->armed || !dbus_timeout_get_enabled(s->t))
		return;
	if (qb_loop_timer_add(s->g->loop, QB_LOOP_HIGH,
			      (uint64_t)dbus_timeout_get_interval(s->t) * QB_TIME_NS_IN_MSEC,
			      s, on_timer, &s->handle) == 0)
		s->armed = true;
}

static void disarm_timeout(struct timeout_slot *s)
{
	if (s->armed)
		qb_loop_timer_del(s->g->loop, s->handle);
	s->armed = false;
}

static void on_timer(void *data)
{
	struct timeout_slot *s = data;
	struct coord_grace_client *g = s->g;
	DBusTimeout *t = s->t;

	s->armed = false;
	dbus_timeout_handle(t);
	/* libdbus timeouts repeat while enabled, unless handling removed it. */
	s = slot_of(g, t);
	if (s)
		arm_timeout(s);
	dispatch_now(g);
}

static dbus_bool_t add_timeout(DBusTimeout *t, void *data)
{
	struct coord_grace_client *g = data;
	struct timeout_slot *s;

	if (g->n_timeouts == g->cap_timeouts) {
		size_t cap = g->cap_timeouts ? 2 * g->cap_timeouts : 16;
		struct timeout_slot **grown = realloc(g->timeouts, cap * sizeof(*grown));

		if (!grown)
			return FALSE;
		g->timeouts = grown;
		g->cap_timeouts = cap;
	}
	if (!(s = calloc(1, sizeof(*s))))
		return FALSE;
	s->g = g;
	s->t = t;
	g->timeouts[g->n_timeouts++] = s;
	arm_timeout(s);
	return TRUE;
}

static void remove_timeout(DBusTimeout *t, void *data)
{
	struct coord_grace_client *g = data;
	size_t i;

	for (i = 0; i < g->n_timeouts; i++) {
		if (g->timeouts[i]->t != t)
			continue;
		disarm_timeout(g->timeouts[i]);
		free(g->timeouts[i]);
		g->timeouts[i] = g->timeouts[--g->n_timeouts];
		return;
	}
}

static void toggle_timeout(DBusTimeout *t, void *data)
{
	struct timeout_slot *s = slot_of(data, t);

	if (!s)
		return;
	disarm_timeout(s);
	arm_timeout(s);
}

/* ---- connection ---- */

static void teardown_job(void *data)
{
	struct coord_grace_client *g = data;

	g->teardown_queued = false;
	if (!g->conn || dbus_connection_get_is_connected(g->conn))
		return;
	dbus_connection_close(g->conn);
	dbus_connection_unref(g->conn);
	g->conn = NULL;
	g->registered = false;
}

static DBusHandlerResult on_message(DBusConnection *conn, DBusMessage *msg, void *data)
{
	struct coord_grace_client *g = data;

	(void)conn;
	if (dbus_message_is_signal(msg, DBUS_INTERFACE_LOCAL, "Disconnected")) {
		qb_log(LOG_WARNING, "D-Bus connection lost: the next grace request "
		       "reconnects");
		/* Queued first: a request made from done() must not close the
		 * connection being dispatched. */
		if (!g->teardown_queued &&
		    qb_loop_job_add(g->loop, QB_LOOP_LOW, g, teardown_job) == 0)
			g->teardown_queued = true;
		fail_calls(g, "D-Bus connection lost");
		return DBUS_HANDLER_RESULT_HANDLED;
	}
	return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
}

static void on_hello(DBusPendingCall *pending, void *data)
{
	struct coord_grace_client *g = data;
	DBusMessage *reply = dbus_pending_call_steal_reply(pending);
	const char *name = NULL;

	if (reply && dbus_message_get_args(reply, NULL, DBUS_TYPE_STRING, &name,
					   DBUS_TYPE_INVALID) && g->conn) {
		dbus_bus_set_unique_name(g->conn, name);
		g->registered = true;
		qb_log(LOG_INFO, "registered on D-Bus as %s", name);
	} else {
		qb_log(LOG_WARNING, "D-Bus registration failed: %s",
		       reply && dbus_message_get_error_name(reply) ?
		       dbus_message_get_error_name(reply) : "no reply");
	}
	if (reply)
		dbus_message_unref(reply);
}

static int grace_connect(struct coord_grace_client *g)
{
	DBusMessage *hello;
	DBusPendingCall *pending = NULL;
	DBusError err;

	dbus_error_init(&err);
	g->conn = dbus_connection_open_private(g->address, &err);
	if (!g->conn) {
		qb_log(LOG_WARNING, "cannot connect to D-Bus at %s: %s", g->address,
		       err.message ? err.message : "unknown error");
		dbus_error_free(&err);
		return -ENOTCONN;
	}
	dbus_connection_set_exit_on_disconnect(g->conn, FALSE);
	if (!dbus_connection_set_watch_functions(g->conn, add_watch, remove_watch,
						 toggle_watch, g, NULL) ||
	    !dbus_connection_set_timeout_functions(g->conn, add_timeout, remove_timeout,
						   toggle_timeout, g, NULL) ||
	    !dbus_connection_add_filter(g->conn, on_message, g, NULL))
		goto fail;
	dbus_connection_set_dispatch_status_function(g->conn, on_dispatch_status, g, NULL);
	hello = dbus_message_new_method_call(DBUS_SERVICE_DBUS, DBUS_PATH_DBUS,
					     DBUS_INTERFACE_DBUS, "Hello");
	if (!hello)
		goto fail;
	if (!dbus_connection_send_with_reply(g->conn, hello, &pending,
					     (int)g->timeout_ms) || !pending) {
		dbus_message_unref(hello);
		goto fail;
	}
	dbus_message_unref(hello);
	dbus_pending_call_set_notify(pending, on_hello, g, NULL);
	dbus_pending_call_unref(pending);
	return 0;
fail:
	qb_log(LOG_ERR, "cannot set up the D-Bus connection");
	dbus_connection_close(g->conn);
	dbus_connection_unref(g->conn);
	g->conn = NULL;
	return -ENOMEM;
}

static void send_grace(struct coord_grace_client *g, struct request *req,
		       const char *arg)
{
	DBusMessage *msg;
	DBusPendingCall *pending = NULL;
	struct call *call;

	if (!g->conn || !dbus_connection_get_is_connected(g->conn)) {
		call_finished(req, COORD_ACK_NO_BUS, "not connected to D-Bus", g->address);
		return;
	}
	msg = dbus_message_new_method_call(GANESHA_NAME, GANESHA_PATH, GANESHA_IFACE,
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
	if (!dbus_connection_send_with_reply(g->conn, msg, &pending, (int)g->timeout_ms) ||
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

struct coord_grace_client *coord_grace_new(qb_loop_t *loop, const char *bus_address,
					   uint32_t call_timeout_ms,
					   coord_grace_done_fn done, void *ctx)
{
	struct coord_grace_client *g = calloc(1, sizeof(*g));
	const char *addr = bus_address;

	if (!g)
		return NULL;
	if (!addr || !*addr)
		addr = getenv("DBUS_SYSTEM_BUS_ADDRESS");
	if (!addr || !*addr)
		addr = "unix:path=/run/dbus/system_bus_socket";
	snprintf(g->address, sizeof(g->address), "%s", addr);
	g->loop = loop;
	g->timeout_ms = call_timeout_ms;
	g->done = done;
	g->ctx = ctx;
	/* Connect now, so the first failover does not pay for it; a failure
	 * here is retried by the next request. */
	grace_connect(g);
	return g;
}

void coord_grace_request(struct coord_grace_client *g, const struct coord_event_id *id,
			 const struct coord_vip *vips, size_t n_vips)
{
	struct request *req = calloc(1, sizeof(*req));
	char arg[64], ip[64];
	size_t i;

	if (!req) {
		qb_log(LOG_CRIT, "out of memory: grace request lost");
		return;
	}
	req->g = g;
	req->id = *id;
	req->started_us = mono_us();
	req->result = COORD_ACK_IN_GRACE;
	req->outstanding = n_vips ? (unsigned)n_vips : 1;
	req->next = g->requests;
	g->requests = req;
	g->n_requests++;
	g->in_request = true;
	/* A dead connection is replaced now; its teardown job may be queued. */
	if (g->conn && !dbus_connection_get_is_connected(g->conn) && !g->teardown_queued) {
		fail_calls(g, "D-Bus connection lost");
		dbus_connection_close(g->conn);
		dbus_connection_unref(g->conn);
		g->conn = NULL;
	}
	if (!g->conn)
		grace_connect(g);
	if (!n_vips) {
		send_grace(g, req, "0:");
	} else {
		for (i = 0; i < n_vips; i++) {
			snprintf(arg, sizeof(arg), "5:%s",
				 coord_vip_format(&vips[i], ip, sizeof(ip)));
			send_grace(g, req, arg);
		}
	}
	g->in_request = false;
	queue_dispatch(g);
}

bool coord_grace_bus_connected(const struct coord_grace_client *g)
{
	return g->conn && dbus_connection_get_is_connected(g->conn) && g->registered;
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
	if (g->conn) {
		dbus_connection_close(g->conn);
		dbus_connection_unref(g->conn);
	}
	/* Queued report jobs would use freed requests: remove them first. */
	for (req = g->requests; req; req = next) {
		next = req->next;
		qb_loop_job_del(g->loop, QB_LOOP_MED, req, report_job);
		free(req);
	}
	if (g->dispatch_queued)
		qb_loop_job_del(g->loop, QB_LOOP_HIGH, g, dispatch_job);
	if (g->teardown_queued)
		qb_loop_job_del(g->loop, QB_LOOP_LOW, g, teardown_job);
	while (g->n_timeouts) {
		struct timeout_slot *s = g->timeouts[--g->n_timeouts];

		disarm_timeout(s);
		free(s);
	}
	free(g->timeouts);
	free(g);
}
