/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CPG wire codec: struct coord_msg to bytes and back.
 *
 * docs/protocol.md gives the layout field by field; each *_put and *_get
 * below lists the fields in that order, through the cursor codec
 * (cursor.h), never by copying a struct.
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
 * The reader keeps the first error, so each payload decoder reads its
 * fixed part, then checks in the order above.  Reserved bytes are
 * collected while the fields are read (defer_reserved) and judged only
 * at step 10, so a message with both a bad field and a dirty reserved
 * byte is BAD_FIELD.  The encoder refuses what the decoder would refuse,
 * so decode(encode(m)) == m for every message it accepts.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "coord/wire.h"
#include "cursor.h"

/* The payloads' fixed parts, in bytes (docs/protocol.md). */
#define HELLO_FIXED	8
#define DEATH_FIXED	20
#define ACK_FIXED	24
#define RELEASE_FIXED	24
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

static bool vips_valid(const struct coord_vip *vips, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		if (!vip_valid(&vips[i]))
			return false;
	return true;
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

/* Validates msg as the decoder would; returns its payload length. */
static int payload_check(const struct coord_msg *msg)
{
	switch (msg->type) {
	case COORD_MSG_HELLO:
		if (msg->u.hello.n_vips > COORD_MAX_VIPS)
			return COORD_CODEC_BOUND;
		if ((msg->u.hello.flags & ~COORD_HELLO_FLAGS_KNOWN) ||
		    !vips_valid(msg->u.hello.vips, msg->u.hello.n_vips))
			return COORD_CODEC_BAD_FIELD;
		return HELLO_FIXED + msg->u.hello.n_vips * COORD_WIRE_VIP_LEN;
	case COORD_MSG_DEATH:
		if (msg->u.death.n_vips > COORD_MAX_VIPS)
			return COORD_CODEC_BOUND;
		if (!death_id_ok(msg) || !death_reason_ok(msg->u.death.reason) ||
		    !vips_valid(msg->u.death.vips, msg->u.death.n_vips))
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

/* The payload payload_check() measured; reserved bytes are zero. */
static void payload_put(struct writer *w, const struct coord_msg *msg)
{
	switch (msg->type) {
	case COORD_MSG_HELLO:
		put_u32(w, msg->u.hello.flags);
		put_u16(w, msg->u.hello.n_vips);
		put_zero(w, 2);
		put_vips(w, msg->u.hello.vips, msg->u.hello.n_vips);
		break;
	case COORD_MSG_DEATH:
		put_event_id(w, &msg->u.death.id);
		put_u8(w, msg->u.death.reason);
		put_zero(w, 1);
		put_u16(w, msg->u.death.n_vips);
		put_vips(w, msg->u.death.vips, msg->u.death.n_vips);
		break;
	case COORD_MSG_ACK:
		put_event_id(w, &msg->u.ack.id);
		put_u8(w, msg->u.ack.result);
		put_zero(w, 1);
		put_u16(w, msg->u.ack.detail_len);
		put_u32(w, msg->u.ack.grace_latency_us);
		put_bytes(w, msg->u.ack.detail, msg->u.ack.detail_len);
		break;
	case COORD_MSG_RELEASE:
		put_event_id(w, &msg->u.release.id);
		put_u8(w, msg->u.release.outcome);
		put_zero(w, 3);
		put_u32(w, (uint32_t)msg->u.release.status);
		break;
	case COORD_MSG_CANCEL:
		put_event_id(w, &msg->u.cancel.id);
		put_u8(w, msg->u.cancel.reason);
		put_zero(w, 3);
		break;
	}
}

int coord_msg_encode(const struct coord_msg *msg, uint8_t *buf, size_t cap)
{
	struct writer w = { .p = buf, .cap = cap };
	int plen = payload_check(msg);
	size_t len;

	if (plen < 0)
		return plen;
	/* Test builds append COORD_WIRE_TEST_APPEND zero bytes (see decode). */
	len = COORD_WIRE_HEADER_LEN + (size_t)plen + COORD_WIRE_TEST_APPEND;
	if (cap < len)
		return COORD_CODEC_NO_SPACE;

	put_u32(&w, COORD_WIRE_MAGIC);
	put_u16(&w, COORD_PROTO_VERSION);
	put_u16(&w, msg->type);
	put_u32(&w, (uint32_t)len);
	put_u32(&w, msg->sender);
	put_u64(&w, msg->incarnation);
	payload_put(&w, msg);
	put_zero(&w, COORD_WIRE_TEST_APPEND);
	return (int)w.len;
}

/* --- decoding --- */

/*
 * Each decoder reads its payload's fixed part (TRUNCATED if it is not
 * all there), then takes the pipeline's steps 7 to 9 in order; r collects
 * the reserved bytes for step 10.
 */
static void hello_get(struct reader *r, struct coord_msg *msg)
{
	uint16_t n;

	msg->u.hello.flags = get_u32(r);
	n = get_u16(r);
	get_reserved(r, 2);
	if (n > COORD_MAX_VIPS) {
		reader_fail(r, COORD_CODEC_BOUND);
		return;
	}
	reader_need(r, (size_t)n * COORD_WIRE_VIP_LEN);
	msg->u.hello.n_vips = n;
	if (msg->u.hello.flags & ~COORD_HELLO_FLAGS_KNOWN)
		reader_fail(r, COORD_CODEC_BAD_FIELD);
	get_vips(r, msg->u.hello.vips, n);
}

static void death_get(struct reader *r, struct coord_msg *msg)
{
	uint16_t n;

	get_event_id(r, &msg->u.death.id);
	msg->u.death.reason = get_u8(r);
	get_reserved(r, 1);
	n = get_u16(r);
	if (n > COORD_MAX_VIPS) {
		reader_fail(r, COORD_CODEC_BOUND);
		return;
	}
	reader_need(r, (size_t)n * COORD_WIRE_VIP_LEN);
	msg->u.death.n_vips = n;
	if (!death_id_ok(msg) || !death_reason_ok(msg->u.death.reason))
		reader_fail(r, COORD_CODEC_BAD_FIELD);
	get_vips(r, msg->u.death.vips, n);
}

static void ack_get(struct reader *r, struct coord_msg *msg)
{
	const uint8_t *detail;
	uint16_t n;

	get_event_id(r, &msg->u.ack.id);
	msg->u.ack.result = get_u8(r);
	get_reserved(r, 1);
	n = get_u16(r);
	msg->u.ack.grace_latency_us = get_u32(r);
	if (n > COORD_DETAIL_MAX) {
		reader_fail(r, COORD_CODEC_BOUND);
		return;
	}
	detail = get_bytes(r, n);
	msg->u.ack.detail_len = n;
	if (!ack_result_ok(msg->u.ack.result))
		reader_fail(r, COORD_CODEC_BAD_FIELD);
	for (uint16_t i = 0; detail && i < n; i++) {
		if (!detail_char_ok(detail[i]))
			reader_fail(r, COORD_CODEC_BAD_FIELD);
		msg->u.ack.detail[i] = (char)detail[i];
	}
	msg->u.ack.detail[n] = '\0';
}

static void release_get(struct reader *r, struct coord_msg *msg)
{
	get_event_id(r, &msg->u.release.id);
	msg->u.release.outcome = get_u8(r);
	get_reserved(r, 3);
	msg->u.release.status = (int32_t)get_u32(r);
	if (!release_outcome_ok(msg->u.release.outcome))
		reader_fail(r, COORD_CODEC_BAD_FIELD);
}

static void cancel_get(struct reader *r, struct coord_msg *msg)
{
	get_event_id(r, &msg->u.cancel.id);
	msg->u.cancel.reason = get_u8(r);
	get_reserved(r, 3);
	if (!cancel_reason_ok(msg->u.cancel.reason))
		reader_fail(r, COORD_CODEC_BAD_FIELD);
}

int coord_msg_decode(const uint8_t *buf, size_t len, struct coord_msg *msg)
{
	struct reader r = { .p = buf, .len = len, .defer_reserved = true };
	unsigned minor;

	memset(msg, 0, sizeof(*msg));
	if (len < COORD_WIRE_HEADER_LEN)
		return COORD_CODEC_TRUNCATED;
	if (get_u32(&r) != COORD_WIRE_MAGIC)
		return COORD_CODEC_BAD_MAGIC;
	msg->version = get_u16(&r);
	if (msg->version >> 8 != COORD_PROTO_MAJOR)
		return COORD_CODEC_BAD_VERSION;
	msg->type = get_u16(&r);
	if (msg->type < COORD_MSG_HELLO || msg->type > COORD_MSG_CANCEL)
		return COORD_CODEC_BAD_TYPE;
	if (get_u32(&r) != len)
		return COORD_CODEC_LENGTH_MISMATCH;
	msg->sender = get_u32(&r);
	msg->incarnation = get_u64(&r);

	switch (msg->type) {
	case COORD_MSG_HELLO:
		hello_get(&r, msg);
		break;
	case COORD_MSG_DEATH:
		death_get(&r, msg);
		break;
	case COORD_MSG_ACK:
		ack_get(&r, msg);
		break;
	case COORD_MSG_RELEASE:
		release_get(&r, msg);
		break;
	default:
		cancel_get(&r, msg);
		break;
	}
	if (r.reserved)
		reader_fail(&r, COORD_CODEC_RESERVED);
	minor = msg->version & 0xff;
#if COORD_WIRE_TEST_APPEND
	/* Test only (tests/lab/cases/test_mixed_version.sh): this build plays a
	 * minor that appended a field of COORD_WIRE_TEST_APPEND bytes to
	 * every payload; senders of this minor or newer carry it. */
	if (minor >= COORD_PROTO_MINOR)
		get_bytes(&r, COORD_WIRE_TEST_APPEND);
#endif
	/* A newer minor may append fields we do not know; nobody else may. */
	return reader_end(&r, minor > COORD_PROTO_MINOR);
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
