/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coord control protocol: coordctl (and the OCF agents) talking to the
 * local coordd over a unix stream socket.
 *
 * Every frame, request or reply, is a 16-byte header followed by a
 * type-specific payload.  All integers are big-endian and fixed width;
 * nothing is ever copied from a C struct onto the socket.  A request is
 * answered by a stream of records closed by exactly one END record, all
 * echoing the request's sequence number.  docs/control.md is the
 * field-by-field reference; keep it in step with proto/ctl.c.  The values
 * the engine's records carry (states, reasons, the policy, the target, the
 * engine's counters) are coord/vocab.h's, under its numbers and names.
 *
 * Compatibility: the version field is (major << 8) | minor.  A receiver
 * rejects a different major version.  Within one major version a newer
 * minor may only append fields to a payload, add flag bits, add record
 * types and add values to the enumerations a record reports: a receiver
 * accepts trailing bytes and unknown flag bits when, and only when, the
 * sender's minor is newer than its own, and drops them.  Type numbers and
 * status codes are never reused.
 */
#ifndef COORD_CTL_H
#define COORD_CTL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "coord/wire.h"
#include "coord/vocab.h"

#define COORD_CTL_MAGIC		0x4343544cu	/* "CCTL" */
#define COORD_CTL_MAJOR		1
#define COORD_CTL_MINOR		2	/* 1: METRICS, TEXT; the local server in STATUS
					 * 2: GIVE_UP, TAKE_OVER */
#define COORD_CTL_VERSION	((COORD_CTL_MAJOR << 8) | COORD_CTL_MINOR)

/* Where coordd listens (coordd.conf `socket`) and coordctl connects (-s). */
#define COORD_CTL_DEFAULT_SOCKET	"/run/coord/coordd.sock"

#define COORD_CTL_HEADER_LEN	16
#define COORD_CTL_MAX_REQUEST	4096	/* a request frame, header included */
#define COORD_CTL_MAX_RECORD	4096	/* a reply frame, header included */
#define COORD_CTL_MESSAGE_MAX	256	/* bytes of an END message */
#define COORD_CTL_NAME_MAX	64	/* bytes of the group and version */
#define COORD_CTL_MAX_COUNTERS	32	/* per counter array in STATUS */
#define COORD_CTL_TEXT_MAX	4000	/* bytes of text in one TEXT record */
/* A duration that has not happened yet (µs fields of EVENT, SURVIVOR). */
#define COORD_CTL_NEVER		UINT64_MAX

enum coord_ctl_type {
	/* requests */
	COORD_CTL_PING = 1,		/* END carries coordd's version */
	COORD_CTL_STATUS = 2,		/* STATUS, MEMBER... */
	COORD_CTL_EVENTS = 3,		/* (EVENT, SURVIVOR...)... */
	COORD_CTL_DEATH = 4,		/* the local server died */
	COORD_CTL_UP = 5,		/* the local server is healthy again */
	COORD_CTL_CANCEL = 6,		/* withdraw this node's event */
	COORD_CTL_METRICS = 7,		/* TEXT...: Prometheus metrics (1.1) */
	COORD_CTL_GIVE_UP = 8,		/* (1.2) VIPs left this node: the
					 * handover barrier, then drop their
					 * state; payload as DEATH's */
	COORD_CTL_TAKE_OVER = 9,	/* (1.2) VIPs are coming: grace, with
					 * every other node's records loaded */
	/* reply records */
	COORD_CTL_REC_END = 0x8001,
	COORD_CTL_REC_STATUS = 0x8002,
	COORD_CTL_REC_MEMBER = 0x8003,
	COORD_CTL_REC_EVENT = 0x8004,
	COORD_CTL_REC_SURVIVOR = 0x8005,
	COORD_CTL_REC_TEXT = 0x8006,	/* a piece of a text reply (1.1) */
};

/* DEATH flags */
#define COORD_CTL_DEATH_WAIT	0x1u	/* answer only when the event ends */
#define COORD_CTL_DEATH_FLAGS_KNOWN COORD_CTL_DEATH_WAIT

/* END status codes: numbered once, never reused. */
enum coord_ctl_status {
	COORD_CTL_OK = 0,
	COORD_CTL_NOT_JOINED = 1,	/* coordd is not in the group (yet) */
	COORD_CTL_TABLE_FULL = 2,	/* no room for another pending event */
	COORD_CTL_NO_SUCH_EVENT = 3,	/* CANCEL of an unknown event */
	COORD_CTL_NOT_PERMITTED = 4,	/* peer credentials refused */
	COORD_CTL_BAD_REQUEST = 5,	/* the request did not decode */
	COORD_CTL_TOO_LARGE = 6,	/* over COORD_CTL_MAX_REQUEST */
	COORD_CTL_EVENT_FAILED = 7,	/* waited-for event ended badly/held */
	COORD_CTL_INTERNAL = 8,		/* coordd could not do it */
	COORD_CTL_BUSY = 9,		/* too many clients connected */
	COORD_CTL_NOT_ORIGIN = 10,	/* CANCEL of another node's event */
	COORD_CTL_NOT_CANCELLABLE = 11,	/* ended, or its release is running */
	COORD_CTL_TIMED_OUT = 12,	/* no complete request in time */
	COORD_CTL_NOT_TARGET = 13,	/* UP: a member, not a VIP target yet */
};
#define COORD_CTL_STATUS_COUNT	14

/* STATUS flags */
#define COORD_CTL_ST_JOINED		0x01u
#define COORD_CTL_ST_CPG_CONNECTED	0x02u
#define COORD_CTL_ST_QUORATE		0x04u
#define COORD_CTL_ST_QUORUM_CONNECTED	0x08u
#define COORD_CTL_ST_BUS_CONNECTED	0x10u
#define COORD_CTL_ST_FLAGS_KNOWN	0x1fu

/*
 * The local ganesha.nfsd as coordd sees it (STATUS, minor 1): its state,
 * and how that state was last learnt.
 */
enum coord_ctl_local_state {
	COORD_CTL_LOCAL_UNKNOWN = 0,	/* not learnt yet (no bus so far) */
	COORD_CTL_LOCAL_OFF = 1,	/* detection is off (detect = off) */
	COORD_CTL_LOCAL_UP = 2,
	COORD_CTL_LOCAL_DOWN = 3,
	COORD_CTL_LOCAL_HUNG = 4,	/* owns its name, no heartbeat */
	COORD_CTL_LOCAL_STARTING = 5,	/* owns its name, not answering yet */
};
#define COORD_CTL_LOCAL_STATE_COUNT	6

enum coord_ctl_local_how {
	COORD_CTL_HOW_NONE = 0,
	COORD_CTL_HOW_BUS_NAME = 1,	/* its bus name lost, or owned + answers */
	COORD_CTL_HOW_HEARTBEAT = 2,	/* heartbeat missing, or back */
	COORD_CTL_HOW_KILLED = 3,	/* hung, stopped by coordd, gone */
	COORD_CTL_HOW_CONTROL = 4,	/* coordctl death/up (the agent) */
	COORD_CTL_HOW_RESTARTED = 5,	/* name back within restart wait */
};
#define COORD_CTL_LOCAL_HOW_COUNT	6

/* STATUS local flags */
#define COORD_CTL_LOCAL_WATCHING	0x1u	/* match rules are on the bus */
#define COORD_CTL_LOCAL_KILL_HUNG	0x2u	/* on_hung = kill */
#define COORD_CTL_LOCAL_REPORT_WAIT	0x4u	/* death waits out a restart */
#define COORD_CTL_LOCAL_FLAGS_KNOWN	0x7u

/* MEMBER flags */
#define COORD_CTL_MEMBER_SELF		0x1u
#define COORD_CTL_MEMBER_HELLO_SEEN	0x2u
#define COORD_CTL_MEMBER_SERVER_DOWN	0x4u
#define COORD_CTL_MEMBER_INCOMPATIBLE	0x8u	/* another major version */
#define COORD_CTL_MEMBER_FLAGS_KNOWN	0xfu

/* EVENT flags */
#define COORD_CTL_EVENT_LOCAL_ORIGIN	0x1u
#define COORD_CTL_EVENT_OVERDUE		0x2u
#define COORD_CTL_EVENT_FLAGS_KNOWN	0x3u

/* SURVIVOR flags */
#define COORD_CTL_SURVIVOR_LATE		0x1u
#define COORD_CTL_SURVIVOR_FLAGS_KNOWN	0x1u

/* Indices of the control counter array in STATUS. */
enum coord_ctl_control_counter {
	COORD_CTL_CC_ACCEPTED = 0,	/* connections accepted */
	COORD_CTL_CC_REQUESTS,		/* requests decoded and handled */
	COORD_CTL_CC_NOT_PERMITTED,	/* refused on credentials */
	COORD_CTL_CC_BAD_REQUEST,	/* undecodable requests */
	COORD_CTL_CC_TOO_LARGE,		/* oversized requests */
	COORD_CTL_CC_TIMED_OUT,		/* no complete request in time */
	COORD_CTL_CC_DROPPED_SLOW,	/* output queue over its bound */
	COORD_CTL_CC_BUSY,		/* refused: too many clients */
	COORD_CTL_CC_ACCEPT_PAUSED,	/* accept paused: no descriptors */
	COORD_CTL_CC_COUNT
};

struct coord_ctl_request {
	uint16_t version;		/* decode: the sender's; encode: ignored */
	uint16_t type;			/* enum coord_ctl_type, a request */
	uint32_t seq;			/* chosen by the client, never 0 */
	union {
		struct {
			uint16_t last;	/* 0: every recorded event */
		} events;
		struct {
			uint16_t flags;	/* COORD_CTL_DEATH_* */
			/* DEATH, GIVE_UP (WAIT applies) and TAKE_OVER */
			uint16_t n_vips; /* 0: the node's configured VIPs */
			struct coord_vip vips[COORD_MAX_VIPS];
		} death;
		struct {
			struct coord_event_id id;
		} cancel;
	} u;
};

struct coord_ctl_end {
	uint16_t status;		/* enum coord_ctl_status */
	char message[COORD_CTL_MESSAGE_MAX + 1];	/* NUL-terminated */
};

struct coord_ctl_status_rec {
	uint32_t nodeid;
	uint32_t pid;			/* coordd's pid, its CPG member id */
	uint64_t incarnation;
	uint16_t proto_version;		/* the CPG wire protocol it speaks */
	uint16_t flags;			/* COORD_CTL_ST_* */
	uint8_t policy;			/* enum coord_policy */
	uint8_t target;			/* enum coord_target_why */
	uint32_t deadline_ms;
	uint16_t n_members;
	uint16_t n_pending;		/* events not ended */
	uint16_t n_events;		/* events recorded */
	uint16_t n_clients;		/* control clients connected */
	uint64_t uptime_us;
	uint16_t n_engine;		/* counts of the arrays below */
	uint16_t n_wire;
	uint16_t n_control;
	uint64_t engine[COORD_CTL_MAX_COUNTERS];	/* enum coord_refusal */
	uint64_t wire[COORD_CTL_MAX_COUNTERS];	/* index: -enum coord_codec_error */
	uint64_t control[COORD_CTL_MAX_COUNTERS];	/* coord_ctl_control_counter */
	char group[COORD_CTL_NAME_MAX + 1];
	char version[COORD_CTL_NAME_MAX + 1];	/* coordd's version */
	/* minor >= 1: the local server (all 0 from an older coordd) */
	uint8_t local_state;		/* enum coord_ctl_local_state */
	uint8_t local_how;		/* enum coord_ctl_local_how */
	uint8_t local_flags;		/* COORD_CTL_LOCAL_* */
	uint32_t local_pid;		/* ganesha.nfsd's, 0: unknown */
	uint64_t local_age_us;		/* since the state changed; NEVER */
	uint64_t heartbeat_age_us;	/* since the last heartbeat; NEVER */
	uint32_t heartbeat_timeout_ms;	/* 0: not watched */
	uint32_t heartbeats;		/* seen since coordd started */
};

struct coord_ctl_member {
	uint32_t nodeid;
	uint32_t pid;
	uint64_t incarnation;		/* 0: no message from it yet */
	uint16_t flags;			/* COORD_CTL_MEMBER_* */
	uint64_t member_for_us;		/* since it joined */
	uint16_t n_vips;
	struct coord_vip vips[COORD_MAX_VIPS];
};

/*
 * Times are durations computed by coordd: from the delivery of the DEATH
 * to the moment named, or COORD_CTL_NEVER when it has not happened.
 */
struct coord_ctl_event {
	struct coord_event_id id;
	uint8_t reason;			/* enum coord_death_reason */
	uint8_t state;			/* enum coord_event_state */
	uint8_t flags;			/* COORD_CTL_EVENT_* */
	uint8_t release_outcome;	/* enum coord_release_outcome, or 0 */
	uint32_t release_attempts;
	int32_t release_status;		/* the release command's last status */
	uint16_t n_survivors;
	uint16_t n_waiting;		/* survivors with no answer yet */
	uint64_t age_us;		/* now - delivery (SENT: now - report) */
	uint64_t report_us;		/* report -> delivery (origin only) */
	uint64_t complete_us;		/* delivery -> every survivor settled */
	uint64_t release_us;		/* delivery -> first release attempt */
	uint64_t ended_us;		/* delivery -> final state */
	uint64_t deadline_us;		/* delivery -> deadline */
	uint64_t retry_us;		/* delivery -> next release attempt */
	uint16_t n_vips;
	struct coord_vip vips[COORD_MAX_VIPS];
};

struct coord_ctl_survivor {
	struct coord_event_id event;
	uint32_t nodeid;
	uint32_t pid;
	uint64_t incarnation;
	uint8_t state;			/* enum coord_survivor_state */
	uint8_t result;			/* enum coord_ack_result, if answered */
	uint8_t flags;			/* COORD_CTL_SURVIVOR_* */
	uint8_t leave_reason;		/* enum coord_leave_reason, if left */
	uint32_t grace_latency_us;	/* as the survivor measured its call */
	uint64_t at_us;			/* delivery -> its answer or leave */
	char detail[COORD_DETAIL_MAX + 1];	/* NUL-terminated */
};

/*
 * A piece of text; the pieces of one reply, concatenated in order, are
 * the whole text (METRICS: the Prometheus text format).  Printable ASCII,
 * tab and newline only.
 */
struct coord_ctl_text {
	uint16_t len;
	char text[COORD_CTL_TEXT_MAX + 1];	/* NUL-terminated */
};

struct coord_ctl_record {
	uint16_t version;		/* decode: the sender's; encode: ignored */
	uint16_t type;			/* enum coord_ctl_type, a record */
	uint32_t seq;			/* the request's */
	union {
		struct coord_ctl_end end;
		struct coord_ctl_status_rec status;
		struct coord_ctl_member member;
		struct coord_ctl_event event;
		struct coord_ctl_survivor survivor;
		struct coord_ctl_text text;
	} u;
};

struct coord_ctl_header {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	uint32_t length;		/* the whole frame, header included */
	uint32_t seq;
};

/*
 * Reads a frame's header from the first len bytes of a stream, so a
 * reader knows how many bytes the frame needs.  Checks the magic, the
 * major version and that length >= the header; nothing else.  Returns
 * COORD_CODEC_OK, or a negative error (TRUNCATED: fewer than 16 bytes).
 */
int coord_ctl_header_decode(const uint8_t *buf, size_t len, struct coord_ctl_header *h);

/*
 * Encode into buf (capacity cap); magic, version and length are filled in
 * here.  Returns the frame's length, or a negative enum coord_codec_error.
 */
int coord_ctl_request_encode(const struct coord_ctl_request *req, uint8_t *buf, size_t cap);
int coord_ctl_record_encode(const struct coord_ctl_record *rec, uint8_t *buf, size_t cap);
/* The same, as a record of the reply to request seq: rec->seq is not read. */
int coord_ctl_reply_encode(const struct coord_ctl_record *rec, uint32_t seq,
			   uint8_t *buf, size_t cap);

/*
 * Decode exactly one frame of len untrusted bytes.  Never reads outside
 * buf[0..len).  Returns COORD_CODEC_OK with *out filled in, or a negative
 * error.  A request frame is never accepted as a record, nor the reverse.
 */
int coord_ctl_request_decode(const uint8_t *buf, size_t len, struct coord_ctl_request *req);
int coord_ctl_record_decode(const uint8_t *buf, size_t len, struct coord_ctl_record *rec);

const char *coord_ctl_strerror(int err);
const char *coord_ctl_type_name(uint16_t type);
/* "ok", "not-joined"...: stable names, used in --json too. */
const char *coord_ctl_status_name(uint16_t status);
/* "up", "down"...; "bus-name", "heartbeat"...: stable, --json too. */
const char *coord_ctl_local_state_name(uint8_t state);
const char *coord_ctl_local_how_name(uint8_t how);
/* Wire error counters, index -enum coord_codec_error: "truncated"... */
const char *coord_ctl_wire_counter_name(unsigned int i);
const char *coord_ctl_control_counter_name(unsigned int i);

#endif
