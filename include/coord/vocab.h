/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The words the engine and the control protocol share: what an event and
 * a survivor are doing, why a member left, what a deadline does, whether
 * this node may be a VIP target, why a message was refused.
 *
 * Each is numbered here once, with the numbers the control protocol
 * carries (docs/control.md), so the engine's records go into control
 * records as they are and coordctl reads them without the engine.  A
 * number is never reused: a new value is appended.  None of them goes on
 * the CPG wire (coord/wire.h).  Their names, one table each, are in
 * proto/vocab.c: what coordctl, the metrics and the logs print.
 */
#ifndef COORD_VOCAB_H
#define COORD_VOCAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What an unconfirmed event does at its deadline (coordd.conf). */
enum coord_policy {
	COORD_POLICY_RELEASE = 1,	/* release when the deadline passes */
	COORD_POLICY_HOLD = 2,		/* never release unconfirmed */
};

enum coord_event_state {
	COORD_EVENT_SENT = 0,		/* control only: our DEATH is broadcast,
					 * not delivered back yet (no record) */
	COORD_EVENT_WAITING = 1,	/* barrier open: waiting for survivors */
	COORD_EVENT_QUORUM_WAIT = 2,	/* complete, but this node is inquorate */
	COORD_EVENT_RELEASING = 3,	/* the release command is running */
	COORD_EVENT_RETRY_WAIT = 4,	/* the release failed; back-off */
	COORD_EVENT_HELD = 5,		/* deadline passed under policy hold */
	COORD_EVENT_RELEASED = 6,	/* ended: release ran */
	COORD_EVENT_RELEASE_FAILED = 7,	/* ended: every attempt failed */
	COORD_EVENT_ABANDONED = 8,	/* ended: the origin left first */
	COORD_EVENT_CANCELLED = 9,	/* ended: the origin withdrew it */
	COORD_EVENT_DONE = 10,		/* ended: node-left event, all answered */
	COORD_EVENT_JOIN_WAIT = 11,	/* complete, but a node the cluster has
					 * (a survivor back, a merge, a coordd
					 * restarting) is not in the group yet:
					 * waiting for its coordd */
};

enum coord_survivor_state {
	COORD_SURVIVOR_WAITING = 1,	/* expected, no answer yet */
	COORD_SURVIVOR_ANSWERED = 2,	/* see result */
	COORD_SURVIVOR_LEFT = 3,	/* left the group before answering */
	COORD_SURVIVOR_DOWN = 4,	/* its own server died: not waited for */
	COORD_SURVIVOR_INCOMPATIBLE = 5, /* speaks another major protocol
					  * version: never confirmed */
};

/* Why a member left the group: CPG's reasons, as CPG numbers them. */
enum coord_leave_reason {
	COORD_LEAVE_JOIN = 1,
	COORD_LEAVE_LEAVE = 2,
	COORD_LEAVE_NODEDOWN = 3,
	COORD_LEAVE_NODEUP = 4,
	COORD_LEAVE_PROCDOWN = 5,
};

/* May this node be a VIP target, or why not (coord_engine_target). */
enum coord_target_why {
	COORD_TARGET_UNKNOWN = 0,	/* control only: an older coordd */
	COORD_TARGET_YES = 1,
	COORD_TARGET_NOT_JOINED = 2,
	COORD_TARGET_INQUORATE = 3,
	COORD_TARGET_SYNCING = 4,	/* a member's HELLO not heard yet */
	COORD_TARGET_GRACE_PENDING = 5,	/* an event without our in-grace */
	COORD_TARGET_SERVER_DOWN = 6,	/* our server reported dead */
};

/*
 * Why coord_engine_deliver() refused a message (COORD_ACCEPTED: it did
 * not), and the index of the engine's counters, which STATUS carries as
 * they are: counter 0 counts every message delivered, accepted or
 * refused.  TABLE_FULL and ACTION_OVERFLOW count losses outside one
 * message's refusal: deliver() never returns them.  The constants are
 * spelled as their names (the metrics' reason label), prefixed.
 */
enum coord_refusal {
	COORD_ACCEPTED = 0,		/* named "delivered" */
	COORD_REJECTED_SENDER = 1,	/* header node id != CPG sender, or
					 * the sender is not a member */
	COORD_REJECTED_INCARNATION = 2,	/* stale, changed, 0, or another
					 * process's on the same node */
	COORD_REJECTED_ORIGIN = 3,	/* death/release/cancel for another
					 * origin */
	COORD_UNKNOWN_EVENT = 4,	/* ack/release/cancel for no event */
	COORD_UNEXPECTED_ACK = 5,	/* ack from a non-survivor */
	COORD_DUPLICATE = 6,		/* a repeated death, ack or release */
	COORD_TABLE_FULL = 7,		/* an event not recorded: no room */
	COORD_ACTION_OVERFLOW = 8,	/* actions lost: caller did not drain */
	COORD_UNKNOWN_TYPE = 9,		/* a message type the engine does not
					 * know */
};
#define COORD_REFUSAL_COUNT	10

/* The names: "unknown" for a value without one. */
const char *coord_policy_name(uint8_t policy);
/* COORD_POLICY_* of a name, 0 if none; true for a policy the code has. */
uint8_t coord_policy_parse(const char *name);
bool coord_policy_known(uint8_t policy);
/* "release or hold", for an error message; truncated to len. */
void coord_policy_choices(char *buf, size_t len);
const char *coord_event_state_name(uint8_t state);
/* RELEASED..DONE: the event will not change again. */
bool coord_event_state_final(uint8_t state);
const char *coord_survivor_state_name(uint8_t state);
const char *coord_leave_reason_name(uint8_t reason);
/* "yes", "not-joined"...: coordctl's (the metrics say "target" for yes). */
const char *coord_target_why_name(uint8_t why);
/* "delivered", "rejected_sender"...; NULL past the last. */
const char *coord_refusal_name(unsigned int i);
/* Why, for a log line; NULL for a value deliver() never returns. */
const char *coord_refusal_text(unsigned int i);

#endif
