/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The metrics over HTTP (metrics_listen), served by libmicrohttpd.
 *
 * libmicrohttpd runs in its own thread; coordd's loop never does HTTP.
 * A scrape asks the loop for a fresh rendering through an eventfd and
 * waits for it at most COORD_METRICS_HTTP_WAIT_MS; a loop that does not
 * answer in time (busy, or stalled) gets the previous snapshot served, so
 * a scrape never waits on the loop for long and the loop never waits on a
 * scraper.  The only thing both threads touch is the published text,
 * under a mutex held for a copy of at most COORD_METRICS_TEXT_MAX bytes.
 * docs/operations.md argues the limits.
 */
#ifndef COORD_METRICS_HTTP_H
#define COORD_METRICS_HTTP_H

#include <stddef.h>
#include <qb/qbloop.h>

#define COORD_METRICS_HTTP_WAIT_MS	500	/* for a fresh snapshot */
#define COORD_METRICS_HTTP_CONNECTIONS	8	/* at once, in all */
#define COORD_METRICS_HTTP_PER_IP	4	/* at once, from one address */
#define COORD_METRICS_HTTP_TIMEOUT_S	5	/* an idle connection is closed */
#define COORD_METRICS_HTTP_CONN_MEMORY	(16u << 10)	/* request headers, per connection */

struct coord_metrics_http;

/* Renders the text into buf (cap bytes): its length, or a negative errno. */
typedef int (*coord_metrics_render_fn)(void *ctx, char *buf, size_t cap);

/*
 * Listens on listen (see coord/daemon/listen.h) and serves GET /metrics.
 * render runs on the loop.  NULL with a message in err on failure.
 */
struct coord_metrics_http *coord_metrics_http_new(qb_loop_t *loop, const char *listen,
						  coord_metrics_render_fn render, void *ctx,
						  char *err, size_t errlen);
/* Stops the HTTP thread (waits for it) and frees everything.  NULL is fine. */
void coord_metrics_http_free(struct coord_metrics_http *h);

#endif
