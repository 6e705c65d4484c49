/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coord wire format: the messages coordd nodes exchange over CPG.
 *
 * Every message is a 24-byte header followed by a type-specific payload.
 * All integers are big-endian (network byte order), fixed width; nothing
 * is ever copied from a C struct onto the wire.  docs/protocol.md is the
 * field-by-field reference; keep it in step with proto/wire.c.
 *
 * Compatibility: the version field is (major << 8) | minor.  A receiver
 * rejects a different major version.  Within one major version a newer
 * minor may only append fields to a payload and add enumeration values: a
 * receiver accepts trailing bytes after the payload it knows when, and
 * only when, the sender's minor is newer than its own, and refuses (counts,
 * logs) a message with a value it does not know.  Message type numbers are
 * never reused.  1.1: DEATH reason 3, handover.
 */
#ifndef COORD_WIRE_H
#define COORD_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "coord/codec.h"

#define COORD_WIRE_MAGIC	0x434f5244u	/* "CORD" */
/* Overridable at build time only so that tests can build a bumped coordd
 * (tests/lab/cases/test_mixed_version.sh); releases use these defaults. */
#ifndef COORD_PROTO_MAJOR
#define COORD_PROTO_MAJOR	1
#endif
#ifndef COORD_PROTO_MINOR
#define COORD_PROTO_MINOR	1
#endif
#define COORD_PROTO_VERSION	((COORD_PROTO_MAJOR << 8) | COORD_PROTO_MINOR)
/* Test only: bytes of a field "appended at this minor" (proto/wire.c). */
#ifndef COORD_WIRE_TEST_APPEND
#define COORD_WIRE_TEST_APPEND	0
#endif

#define COORD_WIRE_HEADER_LEN	24
#define COORD_WIRE_EVENT_ID_LEN	16
#define COORD_WIRE_VIP_LEN	20
#define COORD_MAX_VIPS		16	/* per node and per event */
#define COORD_DETAIL_MAX	128	/* bytes of an acknowledgement's detail */
/* The largest message a peer may send: a DEATH with COORD_MAX_VIPS. */
#define COORD_WIRE_MAX_LEN	(COORD_WIRE_HEADER_LEN + 20 + COORD_MAX_VIPS * COORD_WIRE_VIP_LEN + \
				 COORD_WIRE_TEST_APPEND)

enum coord_msg_type {
	COORD_MSG_HELLO = 1,	/* a member announces itself and its VIPs */
	COORD_MSG_DEATH = 2,	/* the origin's local server died */
	COORD_MSG_ACK = 3,	/* a survivor's grace result for an event */
	COORD_MSG_RELEASE = 4,	/* the origin ran (or gave up) the release */
	COORD_MSG_CANCEL = 5,	/* the origin withdraws an event */
};

/* HELLO flags */
#define COORD_HELLO_SERVER_UP	0x1u	/* the local ganesha.nfsd is healthy */
#define COORD_HELLO_FLAGS_KNOWN	COORD_HELLO_SERVER_UP

enum coord_death_reason {
	COORD_DEATH_REPORTED = 1,	/* reported by an agent or coordctl */
	COORD_DEATH_NODE_LEFT = 2,	/* derived locally: a member left */
	COORD_DEATH_HANDOVER = 3,	/* (1.1) no death: the origin gives VIPs
					 * up (their address has left it); every
					 * other member enters grace, then the
					 * origin's server drops their state */
};

enum coord_ack_result {
	COORD_ACK_IN_GRACE = 1,		/* the server answered status true */
	COORD_ACK_GRACE_FAILED = 2,	/* answered false, or a D-Bus error */
	COORD_ACK_NO_SERVER = 3,	/* no org.ganesha.nfsd on the bus */
	COORD_ACK_TIMEOUT = 4,		/* no answer within the call timeout */
	COORD_ACK_NO_BUS = 5,		/* the D-Bus daemon is unreachable */
	COORD_ACK_SELF_DOWN = 6,	/* this survivor reported its own server
					 * dead: it cannot take a VIP, so it is
					 * not waited for */
};
#define COORD_ACK_RESULT_MAX	COORD_ACK_SELF_DOWN

enum coord_release_outcome {
	COORD_RELEASE_CONFIRMED = 1,	/* every survivor confirmed grace */
	COORD_RELEASE_UNCONFIRMED = 2,	/* released by policy `release` */
	COORD_RELEASE_FAILED = 3,	/* the release command kept failing */
};

enum coord_cancel_reason {
	COORD_CANCEL_ADMIN = 1,		/* coordctl cancel */
	COORD_CANCEL_REJOINED = 2,	/* a survivor that left is back before
					 * the release: the death is reported
					 * again, as a new event */
};

struct coord_vip {
	uint8_t family;			/* 4 or 6 */
	uint8_t addr[16];		/* IPv4 uses the first 4 bytes */
};

/* Unique in the cluster: an origin incarnation never reuses a sequence. */
struct coord_event_id {
	uint32_t origin;		/* corosync node id */
	uint64_t incarnation;		/* the origin coordd's incarnation */
	uint32_t seq;			/* 0: a node-left event, else >= 1 */
};

struct coord_msg {
	uint16_t version;
	uint16_t type;			/* enum coord_msg_type */
	uint32_t sender;		/* must equal CPG's sender node id */
	uint64_t incarnation;		/* the sender's incarnation */
	union {
		struct {
			uint32_t flags;
			uint16_t n_vips;
			struct coord_vip vips[COORD_MAX_VIPS];
		} hello;
		struct {
			struct coord_event_id id;
			uint8_t reason;	/* enum coord_death_reason */
			uint16_t n_vips;
			struct coord_vip vips[COORD_MAX_VIPS];
		} death;
		struct {
			struct coord_event_id id;
			uint8_t result;	/* enum coord_ack_result */
			uint32_t grace_latency_us;
			uint16_t detail_len;
			char detail[COORD_DETAIL_MAX + 1]; /* NUL-terminated */
		} ack;
		struct {
			struct coord_event_id id;
			uint8_t outcome; /* enum coord_release_outcome */
			int32_t status;	/* the command's last exit status */
		} release;
		struct {
			struct coord_event_id id;
			uint8_t reason;	/* enum coord_cancel_reason */
		} cancel;
	} u;
};


/*
 * Encode msg into buf (capacity cap).  The header's magic, version and
 * length are filled in here; msg->version is ignored.  Returns the
 * encoded length, or a negative enum coord_codec_error (coord/codec.h).
 */
int coord_msg_encode(const struct coord_msg *msg, uint8_t *buf, size_t cap);

/*
 * Decode len untrusted bytes.  Never reads outside buf[0..len).
 * Returns COORD_CODEC_OK with *msg filled in, or a negative error.
 */
int coord_msg_decode(const uint8_t *buf, size_t len, struct coord_msg *msg);
/* Same type, sender, incarnation and payload; the version is ignored. */
bool coord_msg_equal(const struct coord_msg *a, const struct coord_msg *b);

const char *coord_wire_strerror(int err);

/*
 * Appends src to dst[n..], each byte the wire does not allow in a detail
 * (outside 0x20..0x7e) as '?', until dst holds max bytes; NUL-terminates
 * (dst has max + 1 bytes).  Returns the new length.  For any untrusted
 * text that is sent or shown: a server's words, a configuration value.
 */
size_t coord_text_printable(char *dst, size_t n, size_t max, const char *src);
const char *coord_msg_type_name(uint16_t type);
const char *coord_death_reason_name(uint8_t reason);
const char *coord_ack_result_name(uint8_t result);
const char *coord_release_outcome_name(uint8_t outcome);

/* VIP text form: "198.18.0.100" or "fe80::1".  0 on success, -1 if bad
 * (*vip then cleared: family 0, no VIP). */
int coord_vip_parse(const char *text, struct coord_vip *vip);
/* Writes at most len bytes (46 is always enough); returns buf. */
char *coord_vip_format(const struct coord_vip *vip, char *buf, size_t len);
bool coord_vip_equal(const struct coord_vip *a, const struct coord_vip *b);

bool coord_event_id_equal(const struct coord_event_id *a,
			  const struct coord_event_id *b);
/* "2.1764032400123456.7": origin.incarnation.seq; len >= 48 suffices. */
char *coord_event_id_format(const struct coord_event_id *id, char *buf, size_t len);
/* Strict: three decimal numbers in range, nothing else.  0, or -1 if bad. */
int coord_event_id_parse(const char *text, struct coord_event_id *id);

#endif
