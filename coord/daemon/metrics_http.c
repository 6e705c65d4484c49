/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GET /metrics with libmicrohttpd's internal polling thread.
 *
 * Why a thread of its own rather than MHD's external select mode inside
 * libqb's loop: HTTP parsing, slow clients and timeouts then cost the
 * loop nothing, and a hostile scraper cannot delay a barrier.  What a
 * scraper can cost is bounded by MHD's options: a connection limit, a
 * per-address limit, an idle timeout, and a memory pool per connection;
 * each response is a copy of the snapshot (at most COORD_METRICS_TEXT_MAX
 * bytes), freed when its connection is done.
 *
 * The loop renders (only it reads the engine); the HTTP thread copies the
 * last published text.  A request wakes the loop through an eventfd and
 * waits, bounded, for a newer generation.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <microhttpd.h>
#include <qb/qblog.h>

#include "listen.h"
#include "metrics.h"
#include "metrics_http.h"

#define CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

struct coord_metrics_http {
	qb_loop_t *loop;
	coord_metrics_render_fn render;
	void *ctx;
	int efd;			/* HTTP thread -> loop: render, please */
	bool polled;
	struct MHD_Daemon *mhd;
	char *scratch;			/* the loop renders here, then swaps */
	/* Under lock: */
	pthread_mutex_t lock;
	pthread_cond_t fresh;		/* generation moved on */
	char *text;			/* the published snapshot */
	size_t len;
	uint64_t generation;		/* 0: nothing published yet */
	bool stopping;
};

/* ---- the loop's side ---- */

static int32_t on_render_wanted(int32_t fd, int32_t revents, void *data)
{
	struct coord_metrics_http *h = data;
	uint64_t n;
	char *t;
	int len;

	(void)revents;
	if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		qb_log(LOG_WARNING, "metrics: reading the eventfd: %s", strerror(errno));
	len = h->render(h->ctx, h->scratch, COORD_METRICS_TEXT_MAX);
	if (len < 0) {
		qb_log(LOG_ERR, "metrics: cannot render: %s", strerror(-len));
		return 0;
	}
	pthread_mutex_lock(&h->lock);
	t = h->text;
	h->text = h->scratch;
	h->scratch = t;
	h->len = (size_t)len;
	h->generation++;
	pthread_cond_broadcast(&h->fresh);
	pthread_mutex_unlock(&h->lock);
	return 0;
}

/* ---- the HTTP thread's side ---- */

static void deadline_in(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned code,
			     const char *body, size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				code == MHD_HTTP_OK ? CONTENT_TYPE : "text/plain");
	ret = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result serve_metrics(struct coord_metrics_http *h, struct MHD_Connection *conn)
{
	static const char none[] = "coordd has not rendered its metrics yet\n";
	const uint64_t one = 1;
	struct MHD_Response *r;
	struct timespec until;
	enum MHD_Result ret;
	uint64_t asked;

	pthread_mutex_lock(&h->lock);
	asked = h->generation;
	/* Cannot fail but by overflowing a 2^64 counter.  No qb_log from
	 * this thread: the log is the loop's. */
	(void)!write(h->efd, &one, sizeof(one));
	deadline_in(&until, COORD_METRICS_HTTP_WAIT_MS);
	while (h->generation == asked && !h->stopping &&
	       pthread_cond_timedwait(&h->fresh, &h->lock, &until) == 0)
		;
	if (!h->generation) {
		pthread_mutex_unlock(&h->lock);
		return reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, none, sizeof(none) - 1);
	}
	r = MHD_create_response_from_buffer(h->len, h->text, MHD_RESPMEM_MUST_COPY);
	pthread_mutex_unlock(&h->lock);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, CONTENT_TYPE);
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload, size_t *upload_size, void **con_cls)
{
	static const char not_found[] = "coordd serves /metrics only\n";
	static const char bad_method[] = "GET or HEAD only\n";

	(void)version;
	(void)upload;
	(void)con_cls;
	/* Answered at the first call, with the headers: a body is never read. */
	*upload_size = 0;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, bad_method,
			     sizeof(bad_method) - 1);
	if (strcmp(url, "/metrics"))
		return reply(conn, MHD_HTTP_NOT_FOUND, not_found, sizeof(not_found) - 1);
	return serve_metrics(cls, conn);
}

struct coord_metrics_http *coord_metrics_http_new(qb_loop_t *loop, const char *listen,
						  coord_metrics_render_fn render, void *ctx,
						  char *err, size_t errlen)
{
	struct coord_metrics_http *h;
	struct sockaddr_storage addr;
	pthread_condattr_t ca;
	socklen_t alen;

	if (coord_listen_parse(listen, &addr, &alen) < 0) {
		snprintf(err, errlen, "bad metrics_listen '%s'", listen);
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h->loop = loop;
	h->render = render;
	h->ctx = ctx;
	h->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pthread_mutex_init(&h->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->fresh, &ca);
	pthread_condattr_destroy(&ca);
	h->text = malloc(COORD_METRICS_TEXT_MAX);
	h->scratch = malloc(COORD_METRICS_TEXT_MAX);
	if (h->efd < 0 || !h->text || !h->scratch) {
		snprintf(err, errlen, "cannot set up the metrics: %s", strerror(errno));
		goto fail;
	}
	if (qb_loop_poll_add(loop, QB_LOOP_LOW, h->efd, POLLIN, h, on_render_wanted) != 0) {
		snprintf(err, errlen, "cannot watch the metrics eventfd in the loop");
		goto fail;
	}
	h->polled = true;
	h->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
				  (addr.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				  0, NULL, NULL, on_request, h,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				  MHD_OPTION_CONNECTION_LIMIT,
				  (unsigned int)COORD_METRICS_HTTP_CONNECTIONS,
				  MHD_OPTION_PER_IP_CONNECTION_LIMIT,
				  (unsigned int)COORD_METRICS_HTTP_PER_IP,
				  MHD_OPTION_CONNECTION_TIMEOUT,
				  (unsigned int)COORD_METRICS_HTTP_TIMEOUT_S,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT,
				  (size_t)COORD_METRICS_HTTP_CONN_MEMORY,
				  MHD_OPTION_END);
	if (!h->mhd) {
		snprintf(err, errlen, "cannot listen for metrics on %s (in use, or "
			 "not an address of this node?)", listen);
		goto fail;
	}
	qb_log(LOG_NOTICE, "metrics: serving http://%s/metrics", listen);
	return h;
fail:
	coord_metrics_http_free(h);
	return NULL;
}

void coord_metrics_http_free(struct coord_metrics_http *h)
{
	if (!h)
		return;
	if (h->mhd) {
		pthread_mutex_lock(&h->lock);
		h->stopping = true;
		pthread_cond_broadcast(&h->fresh);
		pthread_mutex_unlock(&h->lock);
		MHD_stop_daemon(h->mhd);
	}
	if (h->polled)
		qb_loop_poll_del(h->loop, h->efd);
	if (h->efd >= 0)
		close(h->efd);
	pthread_cond_destroy(&h->fresh);
	pthread_mutex_destroy(&h->lock);
	free(h->text);
	free(h->scratch);
	free(h);
}
