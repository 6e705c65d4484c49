/*
 * The CPG wire codec: struct coord_msg to bytes and back.
 *
 * docs/protocol.md gives the layout field by field; the offsets below
 * must stay in step with it.  Everything is written and read one field
 * at a time through proto/bytes.h, never by copying a struct.
 *
 * Decoding is one pipeline over untrusted bytes, in a fixed order, so a
 * malformed message always gets the same error whatever else is wrong
 * with it:
 *
 *   1. at least a header                      TRUNCATED
 *   2. magic                                  BAD_MAGIC
 *   3. major version                          BAD_VERSION
 *   4. message type                           BAD_TYPE
 *   5. header length == bytes received        LENGTH_MISMATCH
 *   6. the payload's fixed part present       TRUNCATED
 *   7. counts and lengths within bounds       BOUND
 *      (checked before the variable part is located, let alone read)
 *   8. the variable part present              TRUNCATED
 *   9. enums, flags, addresses, detail text   BAD_FIELD
 *  10. reserved bytes zero                    RESERVED
 *  11. bytes after the known payload          TRAILING, unless the
 *      sender's minor version is newer than ours
 *
 * Reserved bytes are collected while the fields are read and judged only
 * at step 10, so a message with both a bad field and a dirty reserved
 * byte is BAD_FIELD.  The encoder refuses what the decoder would refuse,
 * so decode(encode(m)) == m for every message it accepts.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "coord/wire.h"
#include "bytes.h"

/* Header */
#define HDR_MAGIC	0
#define HDR_VERSION	4
#define HDR_TYPE	6
#define HDR_LENGTH	8
#define HDR_SENDER	12
#define HDR_INCARNATION	16

/* Event id */
#define EVID_ORIGIN	0
#define EVID_INCARNATION 4
#define EVID_SEQ	12

/* VIP */
#define VIP_FAMILY	0
#define VIP_RESERVED	1
#define VIP_ADDR	4

/* Payloads: offsets from the payload's first byte */
#define HELLO_FLAGS	0
#define HELLO_N_VIPS	4
#define HELLO_RESERVED	6
#define HELLO_VIPS	8
#define HELLO_FIXED	8

#define DEATH_ID	0
#define DEATH_REASON	16
#define DEATH_RESERVED	17
#define DEATH_N_VIPS	18
#define DEATH_VIPS	20
#define DEATH_FIXED	20

#define ACK_ID		0
#define ACK_RESULT	16
#define ACK_RESERVED	17
#define ACK_DETAIL_LEN	18
#define ACK_LATENCY	20
#define ACK_DETAIL	24
#define ACK_FIXED	24

#define RELEASE_ID	0
#define RELEASE_OUTCOME	16
#define RELEASE_RESERVED 17	/* 3 bytes */
#define RELEASE_STATUS	20
#define RELEASE_FIXED	24

#define CANCEL_ID	0
#define CANCEL_REASON	16
#define CANCEL_RESERVED	17	/* 3 bytes */
#define CANCEL_FIXED	20

_Static_assert(COORD_WIRE_MAX_LEN == COORD_WIRE_HEADER_LEN + DEATH_FIXED +
	       COORD_MAX_VIPS * COORD_WIRE_VIP_LEN + COORD_WIRE_TEST_APPEND,
	       "DEATH is the largest");
_Static_assert(COORD_WIRE_HEADER_LEN + HELLO_FIXED + COORD_MAX_VIPS *
	       COORD_WIRE_VIP_LEN <= COORD_WIRE_MAX_LEN, "HELLO fits");
_Static_assert(COORD_WIRE_HEADER_LEN + ACK_FIXED + COORD_DETAIL_MAX <=
	       COORD_WIRE_MAX_LEN, "ACK fits");

static bool detail_char_ok(uint8_t c)
{
	return c >= 0x20 && c <= 0x7e;
}

size_t coord_text_printable(char *dst, size_t n, size_t max, const char *src)
{
	for (; src && *src && n < max; src++)
		dst[n++] = detail_char_ok((uint8_t)*src) ? *src : '?';
	dst[n] = '\0';
	return n;
}

/* --- field checks shared by both directions --- */

static int vip_check(const struct coord_vip *vip)
{
	static const uint8_t zero[12];

	switch (vip->family) {
	case 4:
		/* One spelling per address: the unused bytes are zero. */
		if (memcmp(vip->addr + 4, zero, sizeof(zero)) != 0)
			return COORD_CODEC_BAD_FIELD;
		return 0;
	case 6:
		return 0;
	default:
		return COORD_CODEC_BAD_FIELD;
	}
}

static int vips_check(const struct coord_vip *vips, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		if (vip_check(&vips[i]) != 0)
			return COORD_CODEC_BAD_FIELD;
	return 0;
}

static bool death_reason_ok(uint8_t r)
{
	return r == COORD_DEATH_REPORTED || r == COORD_DEATH_NODE_LEFT ||
	       r == COORD_DEATH_HANDOVER;
}

static bool ack_result_ok(uint8_t r)
{
	return r >= COORD_ACK_IN_GRACE && r <= COORD_ACK_RESULT_MAX;
}

static bool release_outcome_ok(uint8_t o)
{
	return o >= COORD_RELEASE_CONFIRMED && o <= COORD_RELEASE_FAILED;
}

static bool cancel_reason_ok(uint8_t r)
{
	return r == COORD_CANCEL_ADMIN || r == COORD_CANCEL_REJOINED;
}

/* A DEATH speaks for its sender only. */
static bool death_id_ok(const struct coord_msg *msg)
{
	return msg->u.death.id.origin == msg->sender &&
	       msg->u.death.id.incarnation == msg->incarnation;
}

/* --- encoding --- */

static void event_id_put(uint8_t *p, const struct coord_event_id *id)
{
	put_be32(p + EVID_ORIGIN, id->origin);
	put_be64(p + EVID_INCARNATION, id->incarnation);
	put_be32(p + EVID_SEQ, id->seq);
}

static void vips_put(uint8_t *p, const struct coord_vip *vips, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++, p += COORD_WIRE_VIP_LEN) {
		memset(p, 0, COORD_WIRE_VIP_LEN);
		p[VIP_FAMILY] = vips[i].family;
		memcpy(p + VIP_ADDR, vips[i].addr, sizeof(vips[i].addr));
	}
}

/* Validates msg as the decoder would; returns its payload length. */
static int payload_check(const struct coord_msg *msg)
{
	switch (msg->type) {
	case COORD_MSG_HELLO:
		if (msg->u.hello.n_vips > COORD_MAX_VIPS)
			return COORD_CODEC_BOUND;
		if ((msg->u.hello.flags & ~COORD_HELLO_FLAGS_KNOWN) ||
		    vips_check(msg->u.hello.vips, msg->u.hello.n_vips))
			return COORD_CODEC_BAD_FIELD;
		return HELLO_FIXED + msg->u.hello.n_vips * COORD_WIRE_VIP_LEN;
	case COORD_MSG_DEATH:
		if (msg->u.death.n_vips > COORD_MAX_VIPS)
			return COORD_CODEC_BOUND;
		if (!death_id_ok(msg) || !death_reason_ok(msg->u.death.reason) ||
		    vips_check(msg->u.death.vips, msg->u.death.n_vips))
			return COORD_CODEC_BAD_FIELD;
		return DEATH_FIXED + msg->u.death.n_vips * COORD_WIRE_VIP_LEN;
	case COORD_MSG_ACK:
		if (msg->u.ack.detail_len > COORD_DETAIL_MAX)
			return COORD_CODEC_BOUND;
		if (!ack_result_ok(msg->u.ack.result))
			return COORD_CODEC_BAD_FIELD;
		for (uint16_t i = 0; i < msg->u.ack.detail_len; i++)
			if (!detail_char_ok((uint8_t)msg->u.ack.detail[i]))
				return COORD_CODEC_BAD_FIELD;
		return ACK_FIXED + msg->u.ack.detail_len;
	case COORD_MSG_RELEASE:
		if (!release_outcome_ok(msg->u.release.outcome))
			return COORD_CODEC_BAD_FIELD;
		return RELEASE_FIXED;
	case COORD_MSG_CANCEL:
		if (!cancel_reason_ok(msg->u.cancel.reason))
			return COORD_CODEC_BAD_FIELD;
		return CANCEL_FIXED;
	default:
		return COORD_CODEC_BAD_TYPE;
	}
}

/* p has room for the payload payload_check() measured; reserved is 0. */
static void payload_put(uint8_t *p, const struct coord_msg *msg)
{
	switch (msg->type) {
	case COORD_MSG_HELLO:
		put_be32(p + HELLO_FLAGS, msg->u.hello.flags);
		put_be16(p + HELLO_N_VIPS, msg->u.hello.n_vips);
		vips_put(p + HELLO_VIPS, msg->u.hello.vips, msg->u.hello.n_vips);
		break;
	case COORD_MSG_DEATH:
		event_id_put(p + DEATH_ID, &msg->u.death.id);
		p[DEATH_REASON] = msg->u.death.reason;
		put_be16(p + DEATH_N_VIPS, msg->u.death.n_vips);
		vips_put(p + DEATH_VIPS, msg->u.death.vips, msg->u.death.n_vips);
		break;
	case COORD_MSG_ACK:
		event_id_put(p + ACK_ID, &msg->u.ack.id);
		p[ACK_RESULT] = msg->u.ack.result;
		put_be16(p + ACK_DETAIL_LEN, msg->u.ack.detail_len);
		put_be32(p + ACK_LATENCY, msg->u.ack.grace_latency_us);
		memcpy(p + ACK_DETAIL, msg->u.ack.detail, msg->u.ack.detail_len);
		break;
	case COORD_MSG_RELEASE:
		event_id_put(p + RELEASE_ID, &msg->u.release.id);
		p[RELEASE_OUTCOME] = msg->u.release.outcome;
		put_be32(p + RELEASE_STATUS, (uint32_t)msg->u.release.status);
		break;
	case COORD_MSG_CANCEL:
		event_id_put(p + CANCEL_ID, &msg->u.cancel.id);
		p[CANCEL_REASON] = msg->u.cancel.reason;
		break;
	}
}

int coord_msg_encode(const struct coord_msg *msg, uint8_t *buf, size_t cap)
{
	int plen = payload_check(msg);
	size_t len;

	if (plen < 0)
		return plen;
	/* Test builds append COORD_WIRE_TEST_APPEND zero bytes (see decode). */
	len = COORD_WIRE_HEADER_LEN + (size_t)plen + COORD_WIRE_TEST_APPEND;
	if (cap < len)
		return COORD_CODEC_NO_SPACE;

	memset(buf, 0, len);
	put_be32(buf + HDR_MAGIC, COORD_WIRE_MAGIC);
	put_be16(buf + HDR_VERSION, COORD_PROTO_VERSION);
	put_be16(buf + HDR_TYPE, msg->type);
	put_be32(buf + HDR_LENGTH, (uint32_t)len);
	put_be32(buf + HDR_SENDER, msg->sender);
	put_be64(buf + HDR_INCARNATION, msg->incarnation);
	payload_put(buf + COORD_WIRE_HEADER_LEN, msg);
	return (int)len;
}

/* --- decoding --- */

static void event_id_get(const uint8_t *p, struct coord_event_id *id)
{
	id->origin = get_be32(p + EVID_ORIGIN);
	id->incarnation = get_be64(p + EVID_INCARNATION);
	id->seq = get_be32(p + EVID_SEQ);
}

/* Reads n VIPs; their reserved bytes are or-ed into *reserved. */
static int vips_get(const uint8_t *p, uint16_t n, struct coord_vip *vips,
		    unsigned *reserved)
{
	for (uint16_t i = 0; i < n; i++, p += COORD_WIRE_VIP_LEN) {
		vips[i].family = p[VIP_FAMILY];
		memcpy(vips[i].addr, p + VIP_ADDR, sizeof(vips[i].addr));
		if (vip_check(&vips[i]) != 0)
			return COORD_CODEC_BAD_FIELD;
		*reserved |= p[VIP_RESERVED] | p[VIP_RESERVED + 1] |
			     p[VIP_RESERVED + 2];
	}
	return 0;
}

/*
 * Each decoder gets the payload (len bytes, all of them readable), fills
 * msg and returns the number of payload bytes it understood, or an error.
 */
static int hello_get(const uint8_t *p, size_t len, struct coord_msg *msg)
{
	unsigned reserved;
	size_t need;
	uint16_t n;

	if (len < HELLO_FIXED)
		return COORD_CODEC_TRUNCATED;
	n = get_be16(p + HELLO_N_VIPS);
	if (n > COORD_MAX_VIPS)
		return COORD_CODEC_BOUND;
	need = HELLO_FIXED + (size_t)n * COORD_WIRE_VIP_LEN;
	if (len < need)
		return COORD_CODEC_TRUNCATED;

	msg->u.hello.flags = get_be32(p + HELLO_FLAGS);
	msg->u.hello.n_vips = n;
	if (msg->u.hello.flags & ~COORD_HELLO_FLAGS_KNOWN)
		return COORD_CODEC_BAD_FIELD;
	reserved = get_be16(p + HELLO_RESERVED);
	if (vips_get(p + HELLO_VIPS, n, msg->u.hello.vips, &reserved) != 0)
		return COORD_CODEC_BAD_FIELD;
	if (reserved)
		return COORD_CODEC_RESERVED;
	return (int)need;
}

static int death_get(const uint8_t *p, size_t len, struct coord_msg *msg)
{
	unsigned reserved;
	size_t need;
	uint16_t n;

	if (len < DEATH_FIXED)
		return COORD_CODEC_TRUNCATED;
	n = get_be16(p + DEATH_N_VIPS);
	if (n > COORD_MAX_VIPS)
		return COORD_CODEC_BOUND;
	need = DEATH_FIXED + (size_t)n * COORD_WIRE_VIP_LEN;
	if (len < need)
		return COORD_CODEC_TRUNCATED;

	event_id_get(p + DEATH_ID, &msg->u.death.id);
	msg->u.death.reason = p[DEATH_REASON];
	msg->u.death.n_vips = n;
	if (!death_id_ok(msg) || !death_reason_ok(msg->u.death.reason))
		return COORD_CODEC_BAD_FIELD;
	reserved = p[DEATH_RESERVED];
	if (vips_get(p + DEATH_VIPS, n, msg->u.death.vips, &reserved) != 0)
		return COORD_CODEC_BAD_FIELD;
	if (reserved)
		return COORD_CODEC_RESERVED;
	return (int)need;
}

static int ack_get(const uint8_t *p, size_t len, struct coord_msg *msg)
{
	size_t need;
	uint16_t n;

	if (len < ACK_FIXED)
		return COORD_CODEC_TRUNCATED;
	n = get_be16(p + ACK_DETAIL_LEN);
	if (n > COORD_DETAIL_MAX)
		return COORD_CODEC_BOUND;
	need = ACK_FIXED + (size_t)n;
	if (len < need)
		return COORD_CODEC_TRUNCATED;

	event_id_get(p + ACK_ID, &msg->u.ack.id);
	msg->u.ack.result = p[ACK_RESULT];
	msg->u.ack.detail_len = n;
	msg->u.ack.grace_latency_us = get_be32(p + ACK_LATENCY);
	if (!ack_result_ok(msg->u.ack.result))
		return COORD_CODEC_BAD_FIELD;
	for (uint16_t i = 0; i < n; i++) {
		if (!detail_char_ok(p[ACK_DETAIL + i]))
			return COORD_CODEC_BAD_FIELD;
		msg->u.ack.detail[i] = (char)p[ACK_DETAIL + i];
	}
	msg->u.ack.detail[n] = '\0';
	if (p[ACK_RESERVED])
		return COORD_CODEC_RESERVED;
	return (int)need;
}

static int release_get(const uint8_t *p, size_t len, struct coord_msg *msg)
{
	if (len < RELEASE_FIXED)
		return COORD_CODEC_TRUNCATED;
	event_id_get(p + RELEASE_ID, &msg->u.release.id);
	msg->u.release.outcome = p[RELEASE_OUTCOME];
	msg->u.release.status = (int32_t)get_be32(p + RELEASE_STATUS);
	if (!release_outcome_ok(msg->u.release.outcome))
		return COORD_CODEC_BAD_FIELD;
	if (p[RELEASE_RESERVED] | p[RELEASE_RESERVED + 1] |
	    p[RELEASE_RESERVED + 2])
		return COORD_CODEC_RESERVED;
	return RELEASE_FIXED;
}

static int cancel_get(const uint8_t *p, size_t len, struct coord_msg *msg)
{
	if (len < CANCEL_FIXED)
		return COORD_CODEC_TRUNCATED;
	event_id_get(p + CANCEL_ID, &msg->u.cancel.id);
	msg->u.cancel.reason = p[CANCEL_REASON];
	if (!cancel_reason_ok(msg->u.cancel.reason))
		return COORD_CODEC_BAD_FIELD;
	if (p[CANCEL_RESERVED] | p[CANCEL_RESERVED + 1] |
	    p[CANCEL_RESERVED + 2])
		return COORD_CODEC_RESERVED;
	return CANCEL_FIXED;
}

int coord_msg_decode(const uint8_t *buf, size_t len, struct coord_msg *msg)
{
	const uint8_t *payload;
	size_t plen;
	int used;

	memset(msg, 0, sizeof(*msg));
	if (len < COORD_WIRE_HEADER_LEN)
		return COORD_CODEC_TRUNCATED;
	if (get_be32(buf + HDR_MAGIC) != COORD_WIRE_MAGIC)
		return COORD_CODEC_BAD_MAGIC;
	msg->version = get_be16(buf + HDR_VERSION);
	if (msg->version >> 8 != COORD_PROTO_MAJOR)
		return COORD_CODEC_BAD_VERSION;
	msg->type = get_be16(buf + HDR_TYPE);
	if (msg->type < COORD_MSG_HELLO || msg->type > COORD_MSG_CANCEL)
		return COORD_CODEC_BAD_TYPE;
	if (get_be32(buf + HDR_LENGTH) != len)
		return COORD_CODEC_LENGTH_MISMATCH;
	msg->sender = get_be32(buf + HDR_SENDER);
	msg->incarnation = get_be64(buf + HDR_INCARNATION);

	payload = buf + COORD_WIRE_HEADER_LEN;
	plen = len - COORD_WIRE_HEADER_LEN;
	switch (msg->type) {
	case COORD_MSG_HELLO:
		used = hello_get(payload, plen, msg);
		break;
	case COORD_MSG_DEATH:
		used = death_get(payload, plen, msg);
		break;
	case COORD_MSG_ACK:
		used = ack_get(payload, plen, msg);
		break;
	case COORD_MSG_RELEASE:
		used = release_get(payload, plen, msg);
		break;
	default:
		used = cancel_get(payload, plen, msg);
		break;
	}
	if (used < 0)
		return used;
#if COORD_WIRE_TEST_APPEND
	/* Test only (tests/lab/test_mixed_version.sh): this build plays a
	 * minor that appended a field of COORD_WIRE_TEST_APPEND bytes to
	 * every payload; senders of this minor or newer carry it. */
	if ((msg->version & 0xff) >= COORD_PROTO_MINOR) {
		if (plen - (size_t)used < COORD_WIRE_TEST_APPEND)
			return COORD_CODEC_TRUNCATED;
		used += COORD_WIRE_TEST_APPEND;
	}
#endif
	/* A newer minor may append fields we do not know; nobody else may. */
	if ((size_t)used != plen && (msg->version & 0xff) <= COORD_PROTO_MINOR)
		return COORD_CODEC_TRAILING;
	return COORD_CODEC_OK;
}

bool coord_msg_equal(const struct coord_msg *a, const struct coord_msg *b)
{
	if (a->type != b->type || a->sender != b->sender ||
	    a->incarnation != b->incarnation)
		return false;

	switch (a->type) {
	case COORD_MSG_HELLO:
		if (a->u.hello.flags != b->u.hello.flags ||
		    a->u.hello.n_vips != b->u.hello.n_vips ||
		    a->u.hello.n_vips > COORD_MAX_VIPS)
			return false;
		for (uint16_t i = 0; i < a->u.hello.n_vips; i++)
			if (!coord_vip_equal(&a->u.hello.vips[i],
					     &b->u.hello.vips[i]))
				return false;
		return true;
	case COORD_MSG_DEATH:
		if (!coord_event_id_equal(&a->u.death.id, &b->u.death.id) ||
		    a->u.death.reason != b->u.death.reason ||
		    a->u.death.n_vips != b->u.death.n_vips ||
		    a->u.death.n_vips > COORD_MAX_VIPS)
			return false;
		for (uint16_t i = 0; i < a->u.death.n_vips; i++)
			if (!coord_vip_equal(&a->u.death.vips[i],
					     &b->u.death.vips[i]))
				return false;
		return true;
	case COORD_MSG_ACK:
		return coord_event_id_equal(&a->u.ack.id, &b->u.ack.id) &&
		       a->u.ack.result == b->u.ack.result &&
		       a->u.ack.grace_latency_us == b->u.ack.grace_latency_us &&
		       a->u.ack.detail_len == b->u.ack.detail_len &&
		       a->u.ack.detail_len <= COORD_DETAIL_MAX &&
		       memcmp(a->u.ack.detail, b->u.ack.detail,
			      a->u.ack.detail_len) == 0;
	case COORD_MSG_RELEASE:
		return coord_event_id_equal(&a->u.release.id, &b->u.release.id) &&
		       a->u.release.outcome == b->u.release.outcome &&
		       a->u.release.status == b->u.release.status;
	case COORD_MSG_CANCEL:
		return coord_event_id_equal(&a->u.cancel.id, &b->u.cancel.id) &&
		       a->u.cancel.reason == b->u.cancel.reason;
	default:
		return true;
	}
}

/* --- names --- */

static const char *const wire_errors[COORD_CODEC_ERROR_COUNT] = {
	[0] = "ok",
	[-COORD_CODEC_TRUNCATED] = "truncated message",
	[-COORD_CODEC_BAD_MAGIC] = "bad magic: not a coord message",
	[-COORD_CODEC_BAD_VERSION] = "unsupported major protocol version",
	[-COORD_CODEC_BAD_TYPE] = "unknown message type",
	[-COORD_CODEC_LENGTH_MISMATCH] = "header length differs from bytes received",
	[-COORD_CODEC_BOUND] = "count or length over its bound",
	[-COORD_CODEC_BAD_FIELD] = "invalid field value",
	[-COORD_CODEC_RESERVED] = "reserved field not zero",
	[-COORD_CODEC_TRAILING] = "trailing bytes from a same-version sender",
	[-COORD_CODEC_NO_SPACE] = "buffer too small",
};

const char *coord_wire_strerror(int err)
{
	if (err > 0 || err <= -COORD_CODEC_ERROR_COUNT)
		return "unknown wire error";
	return wire_errors[-err];
}

const char *coord_msg_type_name(uint16_t type)
{
	switch (type) {
	case COORD_MSG_HELLO:	return "HELLO";
	case COORD_MSG_DEATH:	return "DEATH";
	case COORD_MSG_ACK:	return "ACK";
	case COORD_MSG_RELEASE:	return "RELEASE";
	case COORD_MSG_CANCEL:	return "CANCEL";
	default:		return "unknown";
	}
}

const char *coord_death_reason_name(uint8_t reason)
{
	switch (reason) {
	case COORD_DEATH_REPORTED:	return "reported";
	case COORD_DEATH_NODE_LEFT:	return "node-left";
	case COORD_DEATH_HANDOVER:	return "handover";
	default:			return "unknown";
	}
}

const char *coord_ack_result_name(uint8_t result)
{
	switch (result) {
	case COORD_ACK_IN_GRACE:	return "in-grace";
	case COORD_ACK_GRACE_FAILED:	return "grace-failed";
	case COORD_ACK_NO_SERVER:	return "no-server";
	case COORD_ACK_TIMEOUT:		return "timeout";
	case COORD_ACK_NO_BUS:		return "no-bus";
	case COORD_ACK_SELF_DOWN:	return "self-down";
	default:			return "unknown";
	}
}

const char *coord_release_outcome_name(uint8_t outcome)
{
	switch (outcome) {
	case COORD_RELEASE_CONFIRMED:	return "confirmed";
	case COORD_RELEASE_UNCONFIRMED:	return "unconfirmed";
	case COORD_RELEASE_FAILED:	return "failed";
	default:			return "unknown";
	}
}

/* --- text forms --- */

int coord_vip_parse(const char *text, struct coord_vip *vip)
{
	memset(vip, 0, sizeof(*vip));
	if (text == NULL)
		return -1;
	if (inet_pton(AF_INET, text, vip->addr) == 1) {
		vip->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, text, vip->addr) == 1) {
		vip->family = 6;
		return 0;
	}
	memset(vip, 0, sizeof(*vip));
	return -1;
}

char *coord_vip_format(const struct coord_vip *vip, char *buf, size_t len)
{
	char text[INET6_ADDRSTRLEN];
	const char *s = NULL;

	if (len == 0)
		return buf;
	if (vip->family == 4)
		s = inet_ntop(AF_INET, vip->addr, text, sizeof(text));
	else if (vip->family == 6)
		s = inet_ntop(AF_INET6, vip->addr, text, sizeof(text));
	snprintf(buf, len, "%s", s ? s : "invalid");
	return buf;
}

bool coord_vip_equal(const struct coord_vip *a, const struct coord_vip *b)
{
	size_t n = a->family == 4 ? 4 : sizeof(a->addr);

	return a->family == b->family && memcmp(a->addr, b->addr, n) == 0;
}

bool coord_event_id_equal(const struct coord_event_id *a,
			  const struct coord_event_id *b)
{
	return a->origin == b->origin && a->incarnation == b->incarnation &&
	       a->seq == b->seq;
}

char *coord_event_id_format(const struct coord_event_id *id, char *buf,
			    size_t len)
{
	if (len > 0)
		snprintf(buf, len, "%" PRIu32 ".%" PRIu64 ".%" PRIu32,
			 id->origin, id->incarnation, id->seq);
	return buf;
}

/* Decimal digits up to max, at least one; no sign, space or overflow. */
static const char *parse_decimal(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (*s < '0' || *s > '9')
		return NULL;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (max - d) / 10)
			return NULL;
		v = v * 10 + d;
	}
	*out = v;
	return s;
}

int coord_event_id_parse(const char *text, struct coord_event_id *id)
{
	uint64_t origin, incarnation, seq;
	const char *s = text;

	if (s == NULL)
		return -1;
	s = parse_decimal(s, UINT32_MAX, &origin);
	if (s == NULL || *s++ != '.')
		return -1;
	s = parse_decimal(s, UINT64_MAX, &incarnation);
	if (s == NULL || *s++ != '.')
		return -1;
	s = parse_decimal(s, UINT32_MAX, &seq);
	if (s == NULL || *s != '\0')
		return -1;
	id->origin = (uint32_t)origin;
	id->incarnation = incarnation;
	id->seq = (uint32_t)seq;
	return 0;
}
