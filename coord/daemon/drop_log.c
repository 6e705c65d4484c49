/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rate-limited warnings about dropped CPG messages (see drop_log.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <qb/qblog.h>

#include "drop_log.h"

void coord_drop_log_init(struct coord_drop_log *dl, uint64_t interval_us)
{
	memset(dl, 0, sizeof(*dl));
	dl->interval_us = interval_us;
}

/* " (N more not logged since the last such line)", or the rate, once. */
static const char *tail(char *buf, size_t len, const struct coord_drop_log *dl,
			uint64_t unlogged, bool first)
{
	if (first)
		snprintf(buf, len, "; such lines at most every %" PRIu64 " s",
			 dl->interval_us / 1000000u);
	else if (unlogged)
		snprintf(buf, len, "; %" PRIu64 " more not logged since the last such line",
			 unlogged);
	else
		buf[0] = '\0';
	return buf;
}

void coord_drop_log_wire(struct coord_drop_log *dl, uint64_t now,
			 struct coord_member_id from, size_t len, int err)
{
	unsigned int kind = (unsigned int)-err;
	struct coord_ratelimit *rl;
	uint64_t unlogged;
	bool first;
	char t[96];

	if (err >= 0 || kind >= COORD_CODEC_ERROR_COUNT)
		return;
	rl = &dl->wire[kind];
	first = !rl->logged;
	if (!coord_ratelimit_pass(rl, now, dl->interval_us, &unlogged))
		return;
	qb_log(LOG_WARNING, "dropped a %zu-byte CPG message from node %" PRIu32
	       " pid %" PRIu32 ": %s; counted as wire %s in coordctl status%s",
	       len, from.nodeid, from.pid, coord_wire_strerror(err),
	       coord_ctl_wire_counter_name(kind), tail(t, sizeof(t), dl, unlogged, first));
}

/* A refusal deliver() never returns has no text: a bug, say so. */
static const char *refusal_reason(enum coord_refusal why)
{
	const char *text = coord_refusal_text(why);

	return text ? text : "refused for no reason it names (a bug)";
}

static const struct coord_event_id *msg_event(const struct coord_msg *msg)
{
	switch (msg->type) {
	case COORD_MSG_DEATH:	return &msg->u.death.id;
	case COORD_MSG_ACK:	return &msg->u.ack.id;
	case COORD_MSG_RELEASE:	return &msg->u.release.id;
	case COORD_MSG_CANCEL:	return &msg->u.cancel.id;
	default:		return NULL;
	}
}

void coord_drop_log_engine(struct coord_drop_log *dl, uint64_t now,
			   struct coord_member_id from, const struct coord_msg *msg,
			   enum coord_refusal why)
{
	const struct coord_event_id *id = msg_event(msg);
	struct coord_ratelimit *rl;
	uint64_t unlogged;
	char t[96], ev[80] = "";
	bool first;

	if ((unsigned int)why >= COORD_REFUSAL_COUNT)
		return;
	rl = &dl->engine[why];
	first = !rl->logged;
	if (!coord_ratelimit_pass(rl, now, dl->interval_us, &unlogged))
		return;
	if (id) {
		char buf[64];
		snprintf(ev, sizeof(ev), ", event %s",
			 coord_event_id_format(id, buf, sizeof(buf)));
	}
	/* A duplicate can follow a partition and merge: not a warning. */
	qb_log(why == COORD_DUPLICATE ? LOG_NOTICE : LOG_WARNING,
	       "refused %s %s from node %" PRIu32 " pid %" PRIu32 " (header: node %" PRIu32
	       ", incarnation %" PRIu64 "%s): %s; counted as %s in coordctl status%s",
	       msg->type == COORD_MSG_ACK ? "an" : "a", coord_msg_type_name(msg->type),
	       from.nodeid, from.pid, msg->sender, msg->incarnation, ev, refusal_reason(why),
	       coord_refusal_name(why),
	       tail(t, sizeof(t), dl, unlogged, first));
}
