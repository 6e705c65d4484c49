/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sd_notify for the Type=notify unit.  The watchdog timer is on coordd's
 * own loop, so a loop that stops turning (hung in a callback, stopped by
 * SIGSTOP) stops the pings and systemd restarts coordd: the ping says the
 * loop runs, not merely that the process exists.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <qb/qblog.h>

#include "notify.h"

struct coord_notify {
	qb_loop_t *loop;
	uint64_t watchdog_us;		/* 0: systemd asked for no watchdog */
	qb_loop_timer_handle timer;
	bool ready_sent;
	char status[192];		/* the last STATUS= sent */
};

static void on_watchdog(void *data)
{
	struct coord_notify *n = data;

	sd_notify(0, "WATCHDOG=1");
	if (qb_loop_timer_add(n->loop, QB_LOOP_HIGH, n->watchdog_us / 2 * QB_TIME_NS_IN_USEC,
			      n, on_watchdog, &n->timer) != 0)
		qb_log(LOG_CRIT, "cannot re-arm the watchdog timer: systemd will "
		       "consider coordd hung");
}

struct coord_notify *coord_notify_new(qb_loop_t *loop)
{
	struct coord_notify *n = calloc(1, sizeof(*n));
	uint64_t usec = 0;

	if (!n)
		return NULL;
	n->loop = loop;
	/* 0: keep WATCHDOG_USEC, so a test (or a re-exec) sees the same. */
	if (sd_watchdog_enabled(0, &usec) > 0 && usec >= 2) {
		n->watchdog_us = usec;
		qb_log(LOG_NOTICE, "systemd watchdog: a ping every %llu ms",
		       (unsigned long long)usec / 2000);
		on_watchdog(n);
	}
	return n;
}

static void format_status(const struct coord_notify_state *st, char *buf, size_t len)
{
	if (!st->cpg_connected)
		snprintf(buf, len, "waiting for corosync (CPG not connected)");
	else if (!st->joined)
		snprintf(buf, len, "joining CPG group %s", st->group);
	else if (!st->quorate)
		snprintf(buf, len, "in group %s with %zu member(s); waiting for quorum",
			 st->group, st->members);
	else
		snprintf(buf, len, "in group %s with %zu member(s), quorate; %zu event(s) "
			 "pending", st->group, st->members, st->pending);
}

void coord_notify_update(struct coord_notify *n, const struct coord_notify_state *st)
{
	char status[sizeof(n->status)];

	if (!n)
		return;
	format_status(st, status, sizeof(status));
	if (st->joined && !n->ready_sent) {
		n->ready_sent = true;
		snprintf(n->status, sizeof(n->status), "%s", status);
		sd_notifyf(0, "READY=1\nSTATUS=%s", status);
		return;
	}
	if (!strcmp(status, n->status))
		return;
	snprintf(n->status, sizeof(n->status), "%s", status);
	sd_notifyf(0, "STATUS=%s", status);
}

void coord_notify_stopping(struct coord_notify *n)
{
	sd_notify(0, "STOPPING=1\nSTATUS=leaving the group and stopping");
	if (n && n->watchdog_us)
		qb_loop_timer_del(n->loop, n->timer);
	if (n)
		n->watchdog_us = 0;
}

void coord_notify_free(struct coord_notify *n)
{
	if (n && n->watchdog_us)
		qb_loop_timer_del(n->loop, n->timer);
	free(n);
}
