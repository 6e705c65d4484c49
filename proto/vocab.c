/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The names of coord/vocab.h's values, one table each.  They are stable:
 * coordctl prints them (text and --json), the metrics use them as label
 * values, scripts and docs/control.md quote them.  A new value gets its
 * name here and nowhere else.
 */
#include <stdio.h>
#include <string.h>

#include "coord/vocab.h"

#define COUNT(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const policy_names[] = {
	[COORD_POLICY_RELEASE] = "release",
	[COORD_POLICY_HOLD] = "hold",
};

static const char *const event_state_names[] = {
	[COORD_EVENT_SENT] = "sent",
	[COORD_EVENT_WAITING] = "waiting",
	[COORD_EVENT_QUORUM_WAIT] = "quorum-wait",
	[COORD_EVENT_RELEASING] = "releasing",
	[COORD_EVENT_RETRY_WAIT] = "retry-wait",
	[COORD_EVENT_HELD] = "held",
	[COORD_EVENT_RELEASED] = "released",
	[COORD_EVENT_RELEASE_FAILED] = "release-failed",
	[COORD_EVENT_ABANDONED] = "abandoned",
	[COORD_EVENT_CANCELLED] = "cancelled",
	[COORD_EVENT_DONE] = "done",
	[COORD_EVENT_JOIN_WAIT] = "join-wait",
};

static const char *const survivor_state_names[] = {
	[COORD_SURVIVOR_WAITING] = "waiting",
	[COORD_SURVIVOR_ANSWERED] = "answered",
	[COORD_SURVIVOR_LEFT] = "left",
	[COORD_SURVIVOR_DOWN] = "down",
	[COORD_SURVIVOR_INCOMPATIBLE] = "incompatible",
};

static const char *const leave_reason_names[] = {
	[COORD_LEAVE_JOIN] = "join",
	[COORD_LEAVE_LEAVE] = "leave",
	[COORD_LEAVE_NODEDOWN] = "nodedown",
	[COORD_LEAVE_NODEUP] = "nodeup",
	[COORD_LEAVE_PROCDOWN] = "procdown",
};

static const char *const target_why_names[] = {
	[COORD_TARGET_UNKNOWN] = "unknown",
	[COORD_TARGET_YES] = "yes",
	[COORD_TARGET_NOT_JOINED] = "not-joined",
	[COORD_TARGET_INQUORATE] = "inquorate",
	[COORD_TARGET_SYNCING] = "syncing",
	[COORD_TARGET_GRACE_PENDING] = "grace-pending",
	[COORD_TARGET_SERVER_DOWN] = "server-down",
};

/* The name, and for a refusal deliver() returns, why (the drop log's). */
static const struct {
	const char *name;
	const char *text;
} refusals[COORD_REFUSAL_COUNT] = {
	[COORD_ACCEPTED] = { "delivered", NULL },
	[COORD_REJECTED_SENDER] = { "rejected_sender",
		"the header's node id is not the node CPG says sent it" },
	[COORD_REJECTED_INCARNATION] = { "rejected_incarnation",
		"stale, changed or borrowed incarnation" },
	[COORD_REJECTED_ORIGIN] = { "rejected_origin",
		"only the event's origin may send this" },
	[COORD_UNKNOWN_EVENT] = { "unknown_event",
		"no such event here (normal for events older than this node's join)" },
	[COORD_UNEXPECTED_ACK] = { "unexpected_ack",
		"the sender is not a survivor of that event" },
	[COORD_DUPLICATE] = { "duplicate", "already delivered" },
	[COORD_TABLE_FULL] = { "table_full", NULL },
	[COORD_ACTION_OVERFLOW] = { "action_overflow", NULL },
	[COORD_UNKNOWN_TYPE] = { "unknown_type",
		"a message type this engine does not know" },
};

static const char *lookup(const char *const *names, size_t n, unsigned int v)
{
	return v < n && names[v] ? names[v] : "unknown";
}

const char *coord_policy_name(uint8_t policy)
{
	return lookup(policy_names, COUNT(policy_names), policy);
}

uint8_t coord_policy_parse(const char *name)
{
	size_t v;

	for (v = 0; v < COUNT(policy_names); v++)
		if (policy_names[v] && !strcmp(policy_names[v], name))
			return (uint8_t)v;
	return 0;
}

bool coord_policy_known(uint8_t policy)
{
	return policy < COUNT(policy_names) && policy_names[policy];
}

void coord_policy_choices(char *buf, size_t len)
{
	size_t v, n = 0, at = 0;

	for (v = 0; v < COUNT(policy_names); v++)
		n += policy_names[v] != NULL;
	if (len)
		buf[0] = '\0';
	for (v = 0; v < COUNT(policy_names); v++) {
		if (!policy_names[v])
			continue;
		n--;
		at += snprintf(buf + (at < len ? at : len), at < len ? len - at : 0,
			       "%s%s", policy_names[v], n > 1 ? ", " : n ? " or " : "");
	}
}

const char *coord_event_state_name(uint8_t state)
{
	return lookup(event_state_names, COUNT(event_state_names), state);
}

bool coord_event_state_final(uint8_t state)
{
	return state >= COORD_EVENT_RELEASED && state <= COORD_EVENT_DONE;
}

const char *coord_survivor_state_name(uint8_t state)
{
	return lookup(survivor_state_names, COUNT(survivor_state_names), state);
}

const char *coord_leave_reason_name(uint8_t reason)
{
	return lookup(leave_reason_names, COUNT(leave_reason_names), reason);
}

const char *coord_target_why_name(uint8_t why)
{
	return lookup(target_why_names, COUNT(target_why_names), why);
}

const char *coord_refusal_name(unsigned int i)
{
	return i < COORD_REFUSAL_COUNT ? refusals[i].name : NULL;
}

const char *coord_refusal_text(unsigned int i)
{
	return i < COORD_REFUSAL_COUNT ? refusals[i].text : NULL;
}
