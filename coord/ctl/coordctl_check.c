/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordctl check: a read-only health check for scripts and monitoring,
 * with the monitoring plugins' exit codes (0 OK, 1 WARNING, 2 CRITICAL,
 * 3 UNKNOWN) and their one line ("COORD WARNING: ...").
 *
 * Built on what STATUS and EVENTS already answer, two exchanges: nothing
 * new on the wire, nothing changed in coordd.  CRITICAL: this node is not
 * in the group, is inquorate, or an event is held (policy hold: an
 * operator must act).  WARNING: not a VIP target (yet), the local server
 * in grace for a failover under way, an event released unconfirmed in
 * the last hour.  UNKNOWN: coordd cannot be asked.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "coordctl.h"

enum check_state { CHECK_OK, CHECK_WARNING, CHECK_CRITICAL, CHECK_UNKNOWN };

static const char *const state_names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

/* An unconfirmed release counts this long after it ended. */
#define CHECK_UNCONFIRMED_RECENT_US	(3600ull * 1000000)

#define CHECK_MAX_PROBLEMS	8

struct check {
	bool have_status;
	struct coord_ctl_status_rec st;
	struct coord_ctl_event event;	/* the last EVENT: its SURVIVORs follow */
	uint16_t held, unconfirmed, in_grace;
	char held_id[40], unconfirmed_id[40], grace_id[40];	/* the first of each */
	enum check_state state;
	size_t n_problems;
	struct {
		enum check_state state;
		char text[128];
	} problem[CHECK_MAX_PROBLEMS];
	char error[320];		/* UNKNOWN: why */
};

static void count(uint16_t *n, char *first, size_t cap, const struct coord_event_id *id)
{
	if ((*n)++ == 0)
		coord_event_id_format(id, first, cap);
}

static void on_event(struct check *c, const struct coord_ctl_event *ev)
{
	c->event = *ev;
	if (ev->state == COORD_EVENT_HELD)
		count(&c->held, c->held_id, sizeof(c->held_id), &ev->id);
	if (ev->state == COORD_EVENT_RELEASED &&
	    ev->release_outcome == COORD_RELEASE_UNCONFIRMED &&
	    ev->ended_us != COORD_CTL_NEVER && ev->age_us >= ev->ended_us &&
	    ev->age_us - ev->ended_us < CHECK_UNCONFIRMED_RECENT_US)
		count(&c->unconfirmed, c->unconfirmed_id, sizeof(c->unconfirmed_id), &ev->id);
}

/* This node's answer to an event not ended: its server entered grace for it. */
static void on_survivor(struct check *c, const struct coord_ctl_survivor *sv)
{
	if (!c->have_status || sv->nodeid != c->st.nodeid ||
	    !coord_event_id_equal(&sv->event, &c->event.id) ||
	    coord_event_state_final(c->event.state) ||
	    sv->state != COORD_SURVIVOR_ANSWERED || sv->result != COORD_ACK_IN_GRACE)
		return;
	count(&c->in_grace, c->grace_id, sizeof(c->grace_id), &sv->event);
}

static void on_record(void *ctx, const struct coord_ctl_record *rec)
{
	struct check *c = ctx;

	switch (rec->type) {
	case COORD_CTL_REC_STATUS:
		c->st = rec->u.status;
		c->have_status = true;
		break;
	case COORD_CTL_REC_EVENT:
		on_event(c, &rec->u.event);
		break;
	case COORD_CTL_REC_SURVIVOR:
		on_survivor(c, &rec->u.survivor);
		break;
	}
}

static int on_end(void *ctx, const struct coord_ctl_end *end, double round_trip_ms)
{
	struct check *c = ctx;

	(void)round_trip_ms;
	if (end->status == COORD_CTL_OK)
		return CTL_EXIT_OK;
	snprintf(c->error, sizeof(c->error), "coordd answered %s: %s",
		 coord_ctl_status_name(end->status), end->message);
	return ctl_exit_code(end->status);
}

static void on_error(void *ctx, int exit_code, const char *message)
{
	struct check *c = ctx;

	(void)exit_code;
	snprintf(c->error, sizeof(c->error), "%s", message);
}

static void __attribute__((format(printf, 3, 4)))
problem(struct check *c, enum check_state state, const char *fmt, ...)
{
	va_list ap;

	if (state > c->state)
		c->state = state;
	if (c->n_problems == CHECK_MAX_PROBLEMS)
		return;
	c->problem[c->n_problems].state = state;
	va_start(ap, fmt);
	vsnprintf(c->problem[c->n_problems].text, sizeof(c->problem[0].text), fmt, ap);
	va_end(ap);
	c->n_problems++;
}

/* The verdict, from the facts gathered. */
static void judge(struct check *c)
{
	const struct coord_ctl_status_rec *st = &c->st;

	if (!(st->flags & COORD_CTL_ST_JOINED))
		problem(c, CHECK_CRITICAL, "not joined");
	if (!(st->flags & COORD_CTL_ST_QUORATE))
		problem(c, CHECK_CRITICAL, "inquorate");
	if (c->held)
		problem(c, CHECK_CRITICAL, "%u event(s) held by policy (%s)", c->held,
			c->held_id);
	if (st->target != COORD_TARGET_YES && st->target != COORD_TARGET_NOT_JOINED &&
	    st->target != COORD_TARGET_INQUORATE)
		problem(c, CHECK_WARNING, "not a VIP target (%s)",
			coord_target_why_name(st->target));
	if (c->in_grace)
		problem(c, CHECK_WARNING, "local server in grace for %u failover(s) (%s)",
			c->in_grace, c->grace_id);
	if (c->unconfirmed)
		problem(c, CHECK_WARNING, "%u event(s) released unconfirmed in the last "
			"hour (%s)", c->unconfirmed, c->unconfirmed_id);
}

static void print_text(const struct check *c)
{
	size_t i;

	printf("COORD %s: ", state_names[c->state]);
	if (c->state == CHECK_UNKNOWN)
		printf("%s", c->error);
	else if (!c->n_problems)
		printf("joined, quorate, a VIP target");
	for (i = 0; i < c->n_problems; i++)
		printf("%s%s", i ? "; " : "", c->problem[i].text);
	if (c->have_status && c->state != CHECK_UNKNOWN)
		printf(" (%u members, %u events pending, %u recorded)", c->st.n_members,
		       c->st.n_pending, c->st.n_events);
	putchar('\n');
}

static void print_json(const struct check *c)
{
	size_t i;

	printf("{\"command\":\"check\",\"state\":\"%s\",\"problems\":[",
	       state_names[c->state]);
	for (i = 0; i < c->n_problems; i++) {
		printf("%s{\"state\":\"%s\",\"text\":", i ? "," : "",
		       state_names[c->problem[i].state]);
		ctl_put_json_string(stdout, c->problem[i].text);
		putchar('}');
	}
	printf("],\"held\":%u,\"unconfirmed\":%u,\"in_grace\":%u,\"ok\":%s",
	       c->held, c->unconfirmed, c->in_grace, c->state == CHECK_OK ? "true" : "false");
	if (c->state == CHECK_UNKNOWN) {
		fputs(",\"error\":", stdout);
		ctl_put_json_string(stdout, c->error);
	}
	printf(",\"exit_code\":%d}\n", (int)c->state);
}

int ctl_check(const char *path, int64_t timeout_ms, bool json)
{
	struct check c = { .state = CHECK_OK };
	struct ctl_sink sink = { on_record, on_end, on_error, &c };
	struct coord_ctl_request req = { .type = COORD_CTL_STATUS };

	req.seq = ctl_new_seq();
	if (ctl_exchange(path, &req, timeout_ms, &sink) == CTL_EXIT_OK) {
		req = (struct coord_ctl_request){ .type = COORD_CTL_EVENTS };
		req.seq = ctl_new_seq();
		if (ctl_exchange(path, &req, timeout_ms, &sink) == CTL_EXIT_OK &&
		    !c.have_status)
			snprintf(c.error, sizeof(c.error), "coordd sent no STATUS record");
	}
	if (c.error[0])
		c.state = CHECK_UNKNOWN;
	else
		judge(&c);
	if (json)
		print_json(&c);
	else
		print_text(&c);
	return (int)c.state;
}
