/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CPG wire codec: hostile input first, then round trips, the encoder's
 * refusals, names and the text forms of VIPs and event ids.
 *
 * Offsets here are written out from docs/protocol.md, not taken from
 * proto/wire.c, so a change of layout on either side shows up here.
 * Every decode runs on an exact-size heap copy of its input, so that a
 * read past the end is caught when the test runs under ASan.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "coord/wire.h"
#include "../case_table.h"

#define P		COORD_WIRE_HEADER_LEN	/* payload offset */
#define SENDER		2u
#define INCARNATION	0x0102030405060708ull

/* --- samples --- */

enum {
	S_HELLO,	/* 2 VIPs: 198.18.0.100 and fd00::2 */
	S_DEATH,	/* 2 VIPs: 198.18.0.101 and fd00::3 */
	S_ACK,		/* detail "grace ok" */
	S_RELEASE,
	S_CANCEL,
	S_HELLO_EMPTY,
	S_HELLO_FULL,
	S_DEATH_EMPTY,
	S_DEATH_FULL,
	S_ACK_EMPTY,
	S_ACK_FULL,
	S_COUNT
};

static const char *const sample_names[S_COUNT] = {
	"HELLO with 2 VIPs", "DEATH with 2 VIPs", "ACK with detail",
	"RELEASE", "CANCEL", "HELLO without VIPs", "HELLO with max VIPs",
	"DEATH without VIPs", "DEATH with max VIPs", "ACK without detail",
	"ACK with max detail",
};

static struct coord_vip vip(const char *text)
{
	struct coord_vip v;

	if (coord_vip_parse(text, &v) != 0)
		fail_msg("test VIP %s does not parse", text);
	return v;
}

static void fill_vips(struct coord_vip *vips, uint16_t n)
{
	char text[64];

	for (uint16_t i = 0; i < n; i++) {
		if (i % 2)
			snprintf(text, sizeof(text), "fd00::%x:%x", i, 0xbeef);
		else
			snprintf(text, sizeof(text), "198.18.%u.%u", i, 200 + i);
		vips[i] = vip(text);
	}
}

static struct coord_msg sample(int which)
{
	struct coord_msg m;
	const struct coord_event_id id = {
		.origin = SENDER, .incarnation = INCARNATION, .seq = 7,
	};

	memset(&m, 0, sizeof(m));
	m.sender = SENDER;
	m.incarnation = INCARNATION;
	switch (which) {
	case S_HELLO:
	case S_HELLO_EMPTY:
	case S_HELLO_FULL:
		m.type = COORD_MSG_HELLO;
		m.u.hello.flags = COORD_HELLO_SERVER_UP;
		if (which == S_HELLO) {
			m.u.hello.n_vips = 2;
			m.u.hello.vips[0] = vip("198.18.0.100");
			m.u.hello.vips[1] = vip("fd00::2");
		} else if (which == S_HELLO_FULL) {
			m.u.hello.n_vips = COORD_MAX_VIPS;
			fill_vips(m.u.hello.vips, COORD_MAX_VIPS);
		}
		break;
	case S_DEATH:
	case S_DEATH_EMPTY:
	case S_DEATH_FULL:
		m.type = COORD_MSG_DEATH;
		m.u.death.id = id;
		m.u.death.reason = COORD_DEATH_REPORTED;
		if (which == S_DEATH) {
			m.u.death.n_vips = 2;
			m.u.death.vips[0] = vip("198.18.0.101");
			m.u.death.vips[1] = vip("fd00::3");
		} else if (which == S_DEATH_FULL) {
			m.u.death.n_vips = COORD_MAX_VIPS;
			fill_vips(m.u.death.vips, COORD_MAX_VIPS);
		}
		break;
	case S_ACK:
	case S_ACK_EMPTY:
	case S_ACK_FULL:
		m.type = COORD_MSG_ACK;
		m.u.ack.id = id;
		m.u.ack.id.origin = 5;	/* an ACK answers someone else */
		m.u.ack.result = COORD_ACK_IN_GRACE;
		m.u.ack.grace_latency_us = 123456;
		if (which == S_ACK) {
			strcpy(m.u.ack.detail, "grace ok");
			m.u.ack.detail_len = 8;
		} else if (which == S_ACK_FULL) {
			for (int i = 0; i < COORD_DETAIL_MAX; i++)
				m.u.ack.detail[i] = (char)(0x20 + i % 95);
			m.u.ack.detail_len = COORD_DETAIL_MAX;
		}
		break;
	case S_RELEASE:
		m.type = COORD_MSG_RELEASE;
		m.u.release.id = id;
		m.u.release.outcome = COORD_RELEASE_CONFIRMED;
		m.u.release.status = -2;
		break;
	case S_CANCEL:
		m.type = COORD_MSG_CANCEL;
		m.u.cancel.id = id;
		m.u.cancel.reason = COORD_CANCEL_ADMIN;
		break;
	}
	return m;
}

/* --- helpers --- */

static size_t encode_ok(const struct coord_msg *m, uint8_t *buf, size_t cap)
{
	int n = coord_msg_encode(m, buf, cap);

	if (n <= 0)
		fail_msg("encoding a valid %s failed: %s",
			 coord_msg_type_name(m->type), coord_wire_strerror(n));
	return (size_t)n;
}

static size_t encode_sample(int which, uint8_t *buf)
{
	struct coord_msg m = sample(which);

	return encode_ok(&m, buf, COORD_WIRE_MAX_LEN);
}

/* Decodes an exact-size heap copy, so ASan sees any over-read. */
static int decode_exact(const uint8_t *src, size_t len, struct coord_msg *m)
{
	uint8_t *copy = len ? malloc(len) : NULL;
	int rc;

	if (len) {
		assert_non_null(copy);
		memcpy(copy, src, len);
	}
	rc = coord_msg_decode(copy, len, m);
	free(copy);
	return rc;
}

static void poke16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void poke32(uint8_t *p, uint32_t v)
{
	poke16(p, v >> 16);
	poke16(p + 2, v & 0xffff);
}

#define assert_wire(got, want, ...) do {				\
	int got_ = (got), want_ = (want);				\
	if (got_ != want_) {						\
		print_error(__VA_ARGS__);				\
		fail_msg(": expected \"%s\" (%d), got \"%s\" (%d)",	\
			 coord_wire_strerror(want_), want_,		\
			 coord_wire_strerror(got_), got_);		\
	}								\
} while (0)

/*
 * One field of a sample message set to a value: a change that a row of a
 * table makes.  The field is named by its place in struct coord_msg.
 */
struct msg_set {
	size_t at, size;	/* size 0: no change */
	uint64_t val;
};

#define SET(field, v)							\
	{ .at = offsetof(struct coord_msg, field),			\
	  .size = sizeof(((struct coord_msg *)0)->field), .val = (uint64_t)(v) }

static void msg_apply(struct coord_msg *m, const struct msg_set *set)
{
	uint8_t *p = (uint8_t *)m + set->at;
	uint8_t v8 = (uint8_t)set->val;
	uint16_t v16 = (uint16_t)set->val;
	uint32_t v32 = (uint32_t)set->val;

	switch (set->size) {
	case 0: break;
	case 1: memcpy(p, &v8, 1); break;
	case 2: memcpy(p, &v16, 2); break;
	case 4: memcpy(p, &v32, 4); break;
	case 8: memcpy(p, &set->val, 8); break;
	default: fail_msg("a change of %zu bytes", set->size);
	}
}

/* --- hostile input: the header --- */

static void test_decode_short_header(void **state)
{
	uint8_t buf[COORD_WIRE_MAX_LEN];
	struct coord_msg m;

	(void)state;
	encode_sample(S_HELLO, buf);
	assert_wire(coord_msg_decode(NULL, 0, &m), COORD_CODEC_TRUNCATED,
		    "empty input");
	for (size_t len = 0; len < COORD_WIRE_HEADER_LEN; len++)
		assert_wire(decode_exact(buf, len, &m), COORD_CODEC_TRUNCATED,
			    "a %zu-byte message (shorter than a header)", len);
}

static void test_decode_bad_magic(void **state)
{
	uint8_t buf[COORD_WIRE_MAX_LEN];
	struct coord_msg m;
	size_t len;

	(void)state;
	for (int i = 0; i < 4; i++) {
		len = encode_sample(S_CANCEL, buf);
		buf[i] ^= 0x20;
		assert_wire(decode_exact(buf, len, &m), COORD_CODEC_BAD_MAGIC,
			    "magic byte %d flipped", i);
	}
	/* The magic written in the host's order on a little-endian box. */
	len = encode_sample(S_CANCEL, buf);
	poke32(buf, 0x44524f43);
	assert_wire(decode_exact(buf, len, &m), COORD_CODEC_BAD_MAGIC,
		    "byte-swapped magic");
}

static void test_decode_bad_version(void **state)
{
	static const uint16_t bad[] = {
		0x0000, 0x0001, 0x00ff, (COORD_PROTO_MAJOR + 1) << 8,
		((COORD_PROTO_MAJOR + 1) << 8) | COORD_PROTO_MINOR, 0xff00,
		0xffff,
	};
	uint8_t buf[COORD_WIRE_MAX_LEN];
	struct coord_msg m;
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = encode_sample(S_HELLO, buf);
		poke16(buf + 4, bad[i]);
		assert_wire(decode_exact(buf, len, &m), COORD_CODEC_BAD_VERSION,
			    "version 0x%04x (we speak major %d)", bad[i],
			    COORD_PROTO_MAJOR);
	}
}

static void test_decode_bad_type(void **state)
{
	static const uint16_t bad[] = { 0, 6, 0x0101, 0x8001, 0xffff };
	uint8_t buf[COORD_WIRE_MAX_LEN];
	struct coord_msg m;
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = encode_sample(S_RELEASE, buf);
		poke16(buf + 6, bad[i]);
		assert_wire(decode_exact(buf, len, &m), COORD_CODEC_BAD_TYPE,
			    "message type %u", bad[i]);
	}
}

static void test_decode_length_mismatch(void **state)
{
	uint8_t buf[COORD_WIRE_MAX_LEN + 8];
	struct coord_msg m;
	size_t len;
	const uint32_t delta[] = { 1, (uint32_t)-1, 20, (uint32_t)-20 };

	(void)state;
	for (size_t i = 0; i < sizeof(delta) / sizeof(delta[0]); i++) {
		len = encode_sample(S_DEATH, buf);
		poke32(buf + 8, (uint32_t)len + delta[i]);
		assert_wire(decode_exact(buf, len, &m),
			    COORD_CODEC_LENGTH_MISMATCH,
			    "header length %u for %zu bytes",
			    (uint32_t)len + delta[i], len);
	}
	len = encode_sample(S_DEATH, buf);
	poke32(buf + 8, 0xffffffff);
	assert_wire(decode_exact(buf, len, &m), COORD_CODEC_LENGTH_MISMATCH,
		    "header length 4 GiB");
	poke32(buf + 8, 0);
	assert_wire(decode_exact(buf, len, &m), COORD_CODEC_LENGTH_MISMATCH,
		    "header length 0");
	/* More bytes received than the header announces. */
	len = encode_sample(S_DEATH, buf);
	memset(buf + len, 0, 8);
	assert_wire(decode_exact(buf, len + 8, &m),
		    COORD_CODEC_LENGTH_MISMATCH,
		    "8 bytes received beyond the header length");
}

/* A bare header of each type: its payload is missing. */
static void test_decode_header_only(void **state)
{
	uint8_t buf[COORD_WIRE_MAX_LEN];
	struct coord_msg m;

	(void)state;
	for (int s = S_HELLO; s <= S_CANCEL; s++) {
		encode_sample(s, buf);
		poke32(buf + 8, COORD_WIRE_HEADER_LEN);
		assert_wire(decode_exact(buf, COORD_WIRE_HEADER_LEN, &m),
			    COORD_CODEC_TRUNCATED, "a %s without payload",
			    sample_names[s]);
	}
}

/* --- hostile input: one or two bytes patched in a valid message --- */

struct patch_case {
	const char *name;
	int sample;
	size_t off, off2;
	uint8_t val, val2;
	bool two;
	uint16_t version;	/* 0: keep */
	int want;
};

#define ONE(s, o, v, w, d) \
	{ .name = (d), .sample = (s), .off = (o), .val = (v), .want = (w) }
#define TWO(s, o, v, o2, v2, w, d) \
	{ .name = (d), .sample = (s), .off = (o), .val = (v), \
	  .off2 = (o2), .val2 = (v2), .two = true, .want = (w) }

#define HELLO_VIP0	(P + 8)
#define HELLO_VIP1	(P + 28)
#define DEATH_VIP0	(P + 20)
#define DEATH_VIP1	(P + 40)

static const struct patch_case bound_cases[] = {
	ONE(S_HELLO, P + 5, COORD_MAX_VIPS + 1, COORD_CODEC_BOUND,
	    "HELLO announcing 17 VIPs"),
	ONE(S_HELLO, P + 4, 0xff, COORD_CODEC_BOUND,
	    "HELLO announcing 65282 VIPs"),
	ONE(S_DEATH, P + 19, COORD_MAX_VIPS + 1, COORD_CODEC_BOUND,
	    "DEATH announcing 17 VIPs"),
	ONE(S_DEATH, P + 18, 0x80, COORD_CODEC_BOUND,
	    "DEATH announcing 32770 VIPs"),
	ONE(S_ACK, P + 19, COORD_DETAIL_MAX + 1, COORD_CODEC_BOUND,
	    "ACK announcing 129 detail bytes"),
	ONE(S_ACK, P + 18, 0xff, COORD_CODEC_BOUND,
	    "ACK announcing 65288 detail bytes"),
	/* More announced than present, within the bound. */
	ONE(S_HELLO, P + 5, 3, COORD_CODEC_TRUNCATED,
	    "HELLO announcing 3 VIPs, carrying 2"),
	ONE(S_DEATH, P + 19, 3, COORD_CODEC_TRUNCATED,
	    "DEATH announcing 3 VIPs, carrying 2"),
	ONE(S_ACK, P + 19, 9, COORD_CODEC_TRUNCATED,
	    "ACK announcing 9 detail bytes, carrying 8"),
	/* Fewer announced than present, from a same-minor sender. */
	ONE(S_HELLO, P + 5, 1, COORD_CODEC_TRAILING,
	    "HELLO announcing 1 VIP, carrying 2"),
	ONE(S_DEATH, P + 19, 0, COORD_CODEC_TRAILING,
	    "DEATH announcing no VIP, carrying 2"),
	ONE(S_ACK, P + 19, 7, COORD_CODEC_TRAILING,
	    "ACK announcing 7 detail bytes, carrying 8"),
};

static const struct patch_case field_cases[] = {
	ONE(S_HELLO, P + 3, 0x03, COORD_CODEC_BAD_FIELD,
	    "HELLO with unknown flag 0x2"),
	ONE(S_HELLO, P + 0, 0x80, COORD_CODEC_BAD_FIELD,
	    "HELLO with unknown flag 0x80000000"),
	ONE(S_HELLO, HELLO_VIP0, 0, COORD_CODEC_BAD_FIELD,
	    "HELLO VIP family 0"),
	ONE(S_HELLO, HELLO_VIP0, 5, COORD_CODEC_BAD_FIELD,
	    "HELLO VIP family 5"),
	ONE(S_HELLO, HELLO_VIP1, 0xff, COORD_CODEC_BAD_FIELD,
	    "HELLO second VIP family 255"),
	ONE(S_HELLO, HELLO_VIP0 + 8, 1, COORD_CODEC_BAD_FIELD,
	    "IPv4 VIP with address byte 4 set"),
	ONE(S_HELLO, HELLO_VIP0 + 19, 1, COORD_CODEC_BAD_FIELD,
	    "IPv4 VIP with address byte 15 set"),
	ONE(S_HELLO, HELLO_VIP1, 4, COORD_CODEC_BAD_FIELD,
	    "IPv6 address relabelled as IPv4"),
	ONE(S_DEATH, P + 16, 0, COORD_CODEC_BAD_FIELD, "DEATH reason 0"),
	ONE(S_DEATH, P + 16, 4, COORD_CODEC_BAD_FIELD, "DEATH reason 4"),
	ONE(S_DEATH, P + 3, SENDER + 1, COORD_CODEC_BAD_FIELD,
	    "DEATH whose event origin is not its sender"),
	ONE(S_DEATH, P + 11, (INCARNATION & 0xff) + 1, COORD_CODEC_BAD_FIELD,
	    "DEATH whose event incarnation is not its sender's"),
	/* A node-left DEATH is no exception: nobody speaks for another
	 * origin, whatever the reason says (the engine makes node-left
	 * events itself, from CPG's changes, and refuses them off the wire). */
	TWO(S_DEATH, P + 16, COORD_DEATH_NODE_LEFT, P + 3, SENDER + 1, COORD_CODEC_BAD_FIELD,
	    "node-left DEATH whose event origin is not its sender"),
	TWO(S_DEATH, P + 16, COORD_DEATH_NODE_LEFT, P + 11, (INCARNATION & 0xff) + 1,
	    COORD_CODEC_BAD_FIELD,
	    "node-left DEATH whose event incarnation is not its sender's"),
	TWO(S_DEATH, P + 16, COORD_DEATH_HANDOVER, P + 3, SENDER + 1, COORD_CODEC_BAD_FIELD,
	    "handover DEATH whose event origin is not its sender"),
	ONE(S_DEATH, P + 4, 0x81, COORD_CODEC_BAD_FIELD,
	    "DEATH whose event incarnation differs in its top byte"),
	ONE(S_DEATH, DEATH_VIP1, 0, COORD_CODEC_BAD_FIELD,
	    "DEATH second VIP family 0"),
	ONE(S_DEATH, DEATH_VIP0 + 10, 1, COORD_CODEC_BAD_FIELD,
	    "DEATH IPv4 VIP with address byte 6 set"),
	ONE(S_ACK, P + 16, 0, COORD_CODEC_BAD_FIELD, "ACK result 0"),
	ONE(S_ACK, P + 16, COORD_ACK_RESULT_MAX + 1, COORD_CODEC_BAD_FIELD,
	    "ACK result one past the last"),
	ONE(S_ACK, P + 16, 0xff, COORD_CODEC_BAD_FIELD, "ACK result 255"),
	ONE(S_ACK, P + 24, 0x00, COORD_CODEC_BAD_FIELD,
	    "ACK detail with a NUL byte"),
	ONE(S_ACK, P + 24, 0x1f, COORD_CODEC_BAD_FIELD,
	    "ACK detail with a control character"),
	ONE(S_ACK, P + 24, '\n', COORD_CODEC_BAD_FIELD,
	    "ACK detail with a newline"),
	ONE(S_ACK, P + 31, 0x7f, COORD_CODEC_BAD_FIELD,
	    "ACK detail ending in DEL"),
	ONE(S_ACK, P + 31, 0xc3, COORD_CODEC_BAD_FIELD,
	    "ACK detail with a non-ASCII byte"),
	ONE(S_RELEASE, P + 16, 0, COORD_CODEC_BAD_FIELD, "RELEASE outcome 0"),
	ONE(S_RELEASE, P + 16, 4, COORD_CODEC_BAD_FIELD, "RELEASE outcome 4"),
	ONE(S_CANCEL, P + 16, 0, COORD_CODEC_BAD_FIELD, "CANCEL reason 0"),
	ONE(S_CANCEL, P + 16, 3, COORD_CODEC_BAD_FIELD, "CANCEL reason 3"),
};

static const struct patch_case reserved_cases[] = {
	ONE(S_HELLO, P + 6, 1, COORD_CODEC_RESERVED, "HELLO reserved high"),
	ONE(S_HELLO, P + 7, 0x80, COORD_CODEC_RESERVED, "HELLO reserved low"),
	ONE(S_HELLO, HELLO_VIP0 + 1, 1, COORD_CODEC_RESERVED,
	    "VIP reserved byte 1"),
	ONE(S_HELLO, HELLO_VIP0 + 2, 1, COORD_CODEC_RESERVED,
	    "VIP reserved byte 2"),
	ONE(S_HELLO, HELLO_VIP0 + 3, 1, COORD_CODEC_RESERVED,
	    "VIP reserved byte 3"),
	ONE(S_HELLO, HELLO_VIP1 + 3, 0xff, COORD_CODEC_RESERVED,
	    "second VIP reserved byte 3"),
	ONE(S_DEATH, P + 17, 1, COORD_CODEC_RESERVED, "DEATH reserved"),
	ONE(S_DEATH, DEATH_VIP1 + 1, 1, COORD_CODEC_RESERVED,
	    "DEATH VIP reserved"),
	ONE(S_ACK, P + 17, 0x80, COORD_CODEC_RESERVED, "ACK reserved"),
	ONE(S_RELEASE, P + 17, 1, COORD_CODEC_RESERVED, "RELEASE reserved 0"),
	ONE(S_RELEASE, P + 18, 1, COORD_CODEC_RESERVED, "RELEASE reserved 1"),
	ONE(S_RELEASE, P + 19, 1, COORD_CODEC_RESERVED, "RELEASE reserved 2"),
	ONE(S_CANCEL, P + 17, 1, COORD_CODEC_RESERVED, "CANCEL reserved 0"),
	ONE(S_CANCEL, P + 18, 1, COORD_CODEC_RESERVED, "CANCEL reserved 1"),
	ONE(S_CANCEL, P + 19, 1, COORD_CODEC_RESERVED, "CANCEL reserved 2"),
};

/* Two faults at once: the earlier step of the pipeline names the error. */
static const struct patch_case order_cases[] = {
	TWO(S_HELLO, 0, 'X', 4, 0x09, COORD_CODEC_BAD_MAGIC,
	    "bad magic and bad version"),
	TWO(S_HELLO, 4, 0x09, 7, 0x09, COORD_CODEC_BAD_VERSION,
	    "bad version and bad type"),
	TWO(S_HELLO, 7, 0x09, 11, 0x01, COORD_CODEC_BAD_TYPE,
	    "bad type and bad length"),
	TWO(S_HELLO, 11, 0x01, P + 3, 0x02, COORD_CODEC_LENGTH_MISMATCH,
	    "bad length and bad flags"),
	TWO(S_HELLO, P + 5, 17, P + 3, 0x02, COORD_CODEC_BOUND,
	    "too many VIPs and bad flags"),
	TWO(S_HELLO, P + 5, 3, P + 3, 0x02, COORD_CODEC_TRUNCATED,
	    "missing VIP and bad flags"),
	TWO(S_HELLO, P + 6, 1, P + 3, 0x02, COORD_CODEC_BAD_FIELD,
	    "dirty reserved and bad flags"),
	TWO(S_HELLO, HELLO_VIP0 + 1, 1, HELLO_VIP1, 9, COORD_CODEC_BAD_FIELD,
	    "dirty first VIP reserved and bad second VIP family"),
	TWO(S_DEATH, P + 17, 1, P + 3, SENDER + 1, COORD_CODEC_BAD_FIELD,
	    "dirty DEATH reserved and foreign origin"),
	TWO(S_ACK, P + 17, 1, P + 24, 0x01, COORD_CODEC_BAD_FIELD,
	    "dirty ACK reserved and bad detail"),
	TWO(S_RELEASE, P + 19, 1, P + 16, 9, COORD_CODEC_BAD_FIELD,
	    "dirty RELEASE reserved and bad outcome"),
	TWO(S_HELLO, P + 5, 1, P + 6, 1, COORD_CODEC_RESERVED,
	    "trailing VIP and dirty reserved"),
};

static void test_patch_case(void **state)
{
	const struct patch_case *c = *state;
	uint8_t buf[COORD_WIRE_MAX_LEN];
	struct coord_msg m;
	size_t len = encode_sample(c->sample, buf);

	assert_true(c->off < len && (!c->two || c->off2 < len));
	if (buf[c->off] == c->val || (c->two && buf[c->off2] == c->val2))
		fail_msg("case \"%s\" patches nothing", c->name);
	buf[c->off] = c->val;
	if (c->two)
		buf[c->off2] = c->val2;
	assert_wire(decode_exact(buf, len, &m), c->want, "%s", c->name);
}

/* --- hostile input: truncation and trailing bytes --- */

/*
 * Every prefix of every sample: with the header's length left alone it is
 * LENGTH_MISMATCH; with the length patched to match it is TRUNCATED.
 */
static void test_decode_every_truncation(void **state)
{
	uint8_t buf[COORD_WIRE_MAX_LEN];
	struct coord_msg m;
	size_t len;

	(void)state;
	for (int s = 0; s < S_COUNT; s++) {
		len = encode_sample(s, buf);
		for (size_t cut = 0; cut < len; cut++) {
			int want = cut < COORD_WIRE_HEADER_LEN ?
				COORD_CODEC_TRUNCATED : COORD_CODEC_LENGTH_MISMATCH;

			assert_wire(decode_exact(buf, cut, &m), want,
				    "%s cut to %zu of %zu bytes",
				    sample_names[s], cut, len);
			if (cut < COORD_WIRE_HEADER_LEN)
				continue;
			poke32(buf + 8, (uint32_t)cut);
			assert_wire(decode_exact(buf, cut, &m),
				    COORD_CODEC_TRUNCATED,
				    "%s cut to %zu of %zu bytes, length fixed up",
				    sample_names[s], cut, len);
			poke32(buf + 8, (uint32_t)len);
		}
	}
}

static void test_decode_trailing(void **state)
{
	uint8_t buf[COORD_WIRE_MAX_LEN + 200];
	struct coord_msg want, m;
	size_t len;
	const size_t extra[] = { 1, 4, 200 };

	(void)state;
	for (int s = 0; s < S_COUNT; s++) {
		want = sample(s);
		for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
			len = encode_ok(&want, buf, sizeof(buf));
			memset(buf + len, 0xa5, extra[i]);
			len += extra[i];
			poke32(buf + 8, (uint32_t)len);
			assert_wire(decode_exact(buf, len, &m),
				    COORD_CODEC_TRAILING,
				    "%s plus %zu bytes from a minor-%d sender",
				    sample_names[s], extra[i], COORD_PROTO_MINOR);

			poke16(buf + 4, COORD_PROTO_VERSION + 1);
			assert_wire(decode_exact(buf, len, &m), COORD_CODEC_OK,
				    "%s plus %zu bytes from a minor-%d sender",
				    sample_names[s], extra[i],
				    COORD_PROTO_MINOR + 1);
			if (!coord_msg_equal(&want, &m))
				fail_msg("%s from a newer minor: fields changed",
					 sample_names[s]);
			assert_int_equal(m.version, COORD_PROTO_VERSION + 1);
		}
	}
}

/* A newer minor without appended fields is just as welcome. */
static void test_decode_newer_minor(void **state)
{
	uint8_t buf[COORD_WIRE_MAX_LEN];
	struct coord_msg want = sample(S_DEATH), m;
	size_t len = encode_ok(&want, buf, sizeof(buf));

	(void)state;
	poke16(buf + 4, (COORD_PROTO_MAJOR << 8) | 0xff);
	assert_wire(decode_exact(buf, len, &m), COORD_CODEC_OK,
		    "DEATH from minor version 255");
	assert_true(coord_msg_equal(&want, &m));
	assert_int_equal(m.version, (COORD_PROTO_MAJOR << 8) | 0xff);
}

/*
 * An older minor (1.0 beside this 1.1): what it may carry is every message
 * of its own minor, decoded as it was sent, its version kept; what it may
 * not is a byte after the payload this minor knows (it appended nothing
 * this minor would not know).  A value this minor added (DEATH reason 3,
 * handover) is judged by what the receiver knows, not by the version the
 * header claims: no 1.0 coordd sends it, and a hostile sender could claim
 * 1.1 as well, so refusing it would protect nothing.
 */
static void test_decode_older_minor(void **state)
{
	uint8_t buf[COORD_WIRE_MAX_LEN + 4];
	struct coord_msg want, m;
	const uint16_t older = (COORD_PROTO_MAJOR << 8) | (COORD_PROTO_MINOR - 1);
	size_t len;

	(void)state;
	_Static_assert(COORD_PROTO_MINOR >= 1, "an older minor exists");
	for (int s = 0; s < S_COUNT; s++) {
		want = sample(s);
		len = encode_ok(&want, buf, sizeof(buf));
		poke16(buf + 4, older);
		assert_wire(decode_exact(buf, len, &m), COORD_CODEC_OK,
			    "%s from a minor-%d sender", sample_names[s],
			    COORD_PROTO_MINOR - 1);
		if (!coord_msg_equal(&want, &m))
			fail_msg("%s from an older minor: fields changed", sample_names[s]);
		assert_int_equal(m.version, older);
		memset(buf + len, 0, 4);
		poke32(buf + 8, (uint32_t)(len + 4));
		assert_wire(decode_exact(buf, len + 4, &m), COORD_CODEC_TRAILING,
			    "%s plus 4 bytes from a minor-%d sender", sample_names[s],
			    COORD_PROTO_MINOR - 1);
	}
	want = sample(S_DEATH);
	want.u.death.reason = COORD_DEATH_HANDOVER;
	len = encode_ok(&want, buf, sizeof(buf));
	poke16(buf + 4, older);
	assert_wire(decode_exact(buf, len, &m), COORD_CODEC_OK,
		    "handover DEATH from a minor-%d sender", COORD_PROTO_MINOR - 1);
	assert_int_equal(m.u.death.reason, COORD_DEATH_HANDOVER);
}

/* The encoder speaks for its sender only, a node-left DEATH too. */
static void test_encode_refuses_node_left_for_another_origin(void **state)
{
	struct coord_msg m = sample(S_DEATH);
	uint8_t buf[COORD_WIRE_MAX_LEN];

	(void)state;
	m.u.death.reason = COORD_DEATH_NODE_LEFT;
	assert_true(coord_msg_encode(&m, buf, sizeof(buf)) > 0);
	m.u.death.id.origin = SENDER + 1;
	assert_wire(coord_msg_encode(&m, buf, sizeof(buf)), COORD_CODEC_BAD_FIELD,
		    "encoding node-left DEATH for another origin");
	m.u.death.id.origin = SENDER;
	m.u.death.id.incarnation = INCARNATION + 1;
	assert_wire(coord_msg_encode(&m, buf, sizeof(buf)), COORD_CODEC_BAD_FIELD,
		    "encoding node-left DEATH for another incarnation");
}

/*
 * Every single-byte substitution of every sample: the decoder returns a
 * known code, and whatever it accepts re-encodes to the very same bytes.
 */
static void test_decode_every_byte_value(void **state)
{
	uint8_t orig[COORD_WIRE_MAX_LEN], buf[COORD_WIRE_MAX_LEN];
	uint8_t again[COORD_WIRE_MAX_LEN];
	struct coord_msg m, m2;
	size_t len;
	int rc, accepted = 0;

	(void)state;
	for (int s = 0; s < S_COUNT; s++) {
		len = encode_sample(s, orig);
		for (size_t off = 0; off < len; off++) {
			for (int v = 0; v < 256; v++) {
				memcpy(buf, orig, len);
				buf[off] = (uint8_t)v;
				rc = decode_exact(buf, len, &m);
				if (rc < COORD_CODEC_TRAILING || rc > 0)
					fail_msg("%s, byte %zu = 0x%02x: decode returned %d",
						 sample_names[s], off, v, rc);
				if (rc != COORD_CODEC_OK)
					continue;
				accepted++;
				if (coord_msg_encode(&m, again, sizeof(again)) !=
				    (int)len)
					fail_msg("%s, byte %zu = 0x%02x: accepted but does not re-encode to %zu bytes",
						 sample_names[s], off, v, len);
				if (off == 5)	/* the minor version */
					continue;
				if (memcmp(again, buf, len) != 0)
					fail_msg("%s, byte %zu = 0x%02x: accepted but re-encodes differently",
						 sample_names[s], off, v);
				assert_wire(decode_exact(again, len, &m2),
					    COORD_CODEC_OK, "re-encoded %s",
					    sample_names[s]);
				assert_true(coord_msg_equal(&m, &m2));
			}
		}
	}
	/* Payload values such as ids and latencies are free: many pass. */
	assert_true(accepted > 1000);
}

/* --- round trips --- */

static void round_trip(const struct coord_msg *want, size_t expect_len,
		       const char *what)
{
	uint8_t buf[COORD_WIRE_MAX_LEN];
	struct coord_msg m;
	size_t len = encode_ok(want, buf, sizeof(buf));

	if (len != expect_len)
		fail_msg("%s: expected %zu encoded bytes, got %zu", what,
			 expect_len, len);
	assert_wire(decode_exact(buf, len, &m), COORD_CODEC_OK, "%s", what);
	if (!coord_msg_equal(want, &m))
		fail_msg("%s: decoded message differs from the one encoded",
			 what);
	assert_int_equal(m.version, COORD_PROTO_VERSION);
	assert_int_equal(m.type, want->type);
	assert_int_equal(m.sender, want->sender);
	assert_true(m.incarnation == want->incarnation);
}

/* A sample, some of its fields set (in order), and its encoded length. */
struct round_trip_case {
	const char *name;
	int sample;
	struct msg_set sets[6];
	size_t len;
};

static const struct round_trip_case round_trip_cases[] = {
	{ "HELLO without VIPs", S_HELLO_EMPTY, { { 0 } }, P + 8 },
	{ "HELLO with server down", S_HELLO_EMPTY, { SET(u.hello.flags, 0) }, P + 8 },
	{ "HELLO with 2 VIPs", S_HELLO, { { 0 } }, P + 8 + 2 * 20 },
	{ "HELLO with 16 VIPs", S_HELLO_FULL, { { 0 } }, P + 8 + COORD_MAX_VIPS * 20 },
	{ "HELLO with the largest sender and incarnation", S_HELLO_FULL,
	  { SET(sender, UINT32_MAX), SET(incarnation, UINT64_MAX) },
	  P + 8 + COORD_MAX_VIPS * 20 },
	{ "DEATH without VIPs", S_DEATH_EMPTY, { { 0 } }, P + 20 },
	{ "DEATH with 2 VIPs", S_DEATH, { { 0 } }, P + 20 + 2 * 20 },
	{ "DEATH with 16 VIPs", S_DEATH_FULL, { { 0 } }, COORD_WIRE_MAX_LEN },
	{ "node-left DEATH", S_DEATH_FULL,
	  { SET(u.death.reason, COORD_DEATH_NODE_LEFT), SET(u.death.id.seq, 0) },
	  COORD_WIRE_MAX_LEN },
	{ "DEATH with the largest id", S_DEATH_FULL,
	  { SET(u.death.reason, COORD_DEATH_NODE_LEFT),
	    SET(sender, UINT32_MAX), SET(u.death.id.origin, UINT32_MAX),
	    SET(incarnation, UINT64_MAX), SET(u.death.id.incarnation, UINT64_MAX),
	    SET(u.death.id.seq, UINT32_MAX) },
	  COORD_WIRE_MAX_LEN },
	{ "ACK without detail", S_ACK_EMPTY, { { 0 } }, P + 24 },
	{ "ACK with 128 detail bytes", S_ACK_FULL, { { 0 } }, P + 24 + COORD_DETAIL_MAX },
	{ "CANCEL", S_CANCEL, { { 0 } }, P + 20 },
};

static void test_round_trip_case(void **state)
{
	const struct round_trip_case *c = *state;
	struct coord_msg m = sample(c->sample);

	for (size_t i = 0; i < N_ELEMS(c->sets); i++)
		msg_apply(&m, &c->sets[i]);
	round_trip(&m, c->len, c->name);
}

static void test_round_trip_ack(void **state)
{
	uint8_t buf[COORD_WIRE_MAX_LEN];
	struct coord_msg m, got;
	char what[64];

	(void)state;
	for (uint8_t r = COORD_ACK_IN_GRACE; r <= COORD_ACK_RESULT_MAX; r++) {
		m = sample(S_ACK);
		m.u.ack.result = r;
		m.u.ack.grace_latency_us = UINT32_MAX - r;
		snprintf(what, sizeof(what), "ACK %s",
			 coord_ack_result_name(r));
		round_trip(&m, P + 24 + 8, what);
	}

	/* The decoder terminates the detail; the sender need not. */
	m = sample(S_ACK_FULL);
	encode_ok(&m, buf, sizeof(buf));
	memset(&got, 'x', sizeof(got));
	assert_wire(decode_exact(buf, P + 24 + COORD_DETAIL_MAX, &got),
		    COORD_CODEC_OK, "ACK with 128 detail bytes");
	assert_int_equal(got.u.ack.detail[COORD_DETAIL_MAX], '\0');
	assert_int_equal(strlen(got.u.ack.detail), COORD_DETAIL_MAX);
	assert_memory_equal(got.u.ack.detail, m.u.ack.detail, COORD_DETAIL_MAX);

	m = sample(S_ACK);
	m.u.ack.detail_len = 5;		/* "grace", not the whole string */
	encode_ok(&m, buf, sizeof(buf));
	assert_wire(decode_exact(buf, P + 24 + 5, &got), COORD_CODEC_OK,
		    "ACK with a 5-byte detail");
	assert_string_equal(got.u.ack.detail, "grace");
}

static void test_round_trip_release(void **state)
{
	static const int32_t status[] = { 0, 1, -1, 127, INT32_MIN, INT32_MAX };
	struct coord_msg m;
	char what[64];

	(void)state;
	for (uint8_t o = COORD_RELEASE_CONFIRMED; o <= COORD_RELEASE_FAILED; o++)
		for (size_t i = 0; i < sizeof(status) / sizeof(status[0]); i++) {
			m = sample(S_RELEASE);
			m.u.release.outcome = o;
			m.u.release.status = status[i];
			snprintf(what, sizeof(what), "RELEASE %s status %d",
				 coord_release_outcome_name(o), status[i]);
			round_trip(&m, P + 24, what);
		}
}

/*
 * Every value of every one-byte code: each valid one round-trips, each
 * other one is refused by the encoder and, patched into valid bytes, by
 * the decoder (BAD_FIELD).  The valid sets are written out from
 * docs/protocol.md.
 */
static void test_every_code(void **state)
{
	const struct {
		int sample;
		size_t off;		/* the code's byte */
		const uint8_t *valid;
		size_t n_valid;
		const char *what;
	} codes[] = {
		{ S_DEATH, P + 16, (const uint8_t[]){ COORD_DEATH_REPORTED, COORD_DEATH_NODE_LEFT,
						      COORD_DEATH_HANDOVER },
		  3, "DEATH reason" },
		{ S_CANCEL, P + 16, (const uint8_t[]){ COORD_CANCEL_ADMIN, COORD_CANCEL_REJOINED },
		  2, "CANCEL reason" },
		{ S_ACK, P + 16, (const uint8_t[]){ 1, 2, 3, 4, 5, 6 }, 6, "ACK result" },
		{ S_RELEASE, P + 16, (const uint8_t[]){ 1, 2, 3 }, 3, "RELEASE outcome" },
	};
	uint8_t buf[COORD_WIRE_MAX_LEN];
	struct coord_msg m, got;
	char what[64];

	(void)state;
	for (size_t c = 0; c < sizeof(codes) / sizeof(codes[0]); c++)
		for (unsigned v = 0; v <= 255; v++) {
			bool valid = memchr(codes[c].valid, (int)v, codes[c].n_valid) != NULL;
			size_t len;

			m = sample(codes[c].sample);
			switch (m.type) {
			case COORD_MSG_DEATH: m.u.death.reason = (uint8_t)v; break;
			case COORD_MSG_CANCEL: m.u.cancel.reason = (uint8_t)v; break;
			case COORD_MSG_ACK: m.u.ack.result = (uint8_t)v; break;
			default: m.u.release.outcome = (uint8_t)v; break;
			}
			snprintf(what, sizeof(what), "%s %u", codes[c].what, v);
			if (valid) {
				len = encode_ok(&m, buf, sizeof(buf));
				assert_int_equal(buf[codes[c].off], v);
				assert_wire(decode_exact(buf, len, &got), COORD_CODEC_OK, "%s", what);
				if (!coord_msg_equal(&m, &got))
					fail_msg("%s: decoded message differs", what);
				continue;
			}
			assert_wire(coord_msg_encode(&m, buf, sizeof(buf)), COORD_CODEC_BAD_FIELD,
				    "encoding %s", what);
			len = encode_sample(codes[c].sample, buf);
			buf[codes[c].off] = (uint8_t)v;
			assert_wire(decode_exact(buf, len, &got), COORD_CODEC_BAD_FIELD, "%s", what);
		}
}

/*
 * Two fields changed at once, for every pair of a message's fields: the
 * message still round-trips, both changes arrive, and neither leaks into
 * the other's bytes.  Each change keeps the message valid on its own;
 * DEATH's sender and event origin (and incarnations) change together,
 * as the codec requires.
 */
#define N_CHANGES 6
static bool change_field(struct coord_msg *m, int k)
{
	switch (m->type) {
	case COORD_MSG_HELLO:
		switch (k) {
		case 0: m->sender = 0xa1b2c3d4u; return true;
		case 1: m->incarnation = 0xfedcba9876543210ull; return true;
		case 2: m->u.hello.flags = 0; return true;
		case 3: m->u.hello.vips[2] = vip("198.51.100.1");	/* one more */
			m->u.hello.n_vips = 3;
			return true;
		case 4: m->u.hello.vips[0] = vip("fd00::beef"); return true;
		case 5: m->u.hello.vips[1] = vip("203.0.113.9"); return true;
		}
		break;
	case COORD_MSG_DEATH:
		switch (k) {
		case 0: m->sender = m->u.death.id.origin = 0xa1b2c3d4u; return true;
		case 1: m->incarnation = m->u.death.id.incarnation = 0xfedcba9876543210ull;
			return true;
		case 2: m->u.death.id.seq = 0xffffffffu; return true;
		case 3: m->u.death.reason = COORD_DEATH_NODE_LEFT; return true;
		case 4: m->u.death.n_vips = 1; return true;
		case 5: m->u.death.vips[0] = vip("fd00::beef"); return true;
		}
		break;
	case COORD_MSG_ACK:
		switch (k) {
		case 0: m->u.ack.id.origin = 0xa1b2c3d4u; return true;
		case 1: m->u.ack.id.incarnation = 0xfedcba9876543210ull; return true;
		case 2: m->u.ack.id.seq = 0; return true;
		case 3: m->u.ack.result = COORD_ACK_NO_BUS; return true;
		case 4: m->u.ack.grace_latency_us = 0x80000001u; return true;
		case 5: m->u.ack.detail_len = 3; return true;
		}
		break;
	case COORD_MSG_RELEASE:
		switch (k) {
		case 0: m->sender = 0xa1b2c3d4u; return true;
		case 1: m->incarnation = 0xfedcba9876543210ull; return true;
		case 2: m->u.release.id.seq = 0x01020304u; return true;
		case 3: m->u.release.outcome = COORD_RELEASE_FAILED; return true;
		case 4: m->u.release.status = INT32_MIN; return true;
		case 5: m->u.release.id.origin = 77; return true;
		}
		break;
	case COORD_MSG_CANCEL:
		switch (k) {
		case 0: m->sender = 0xa1b2c3d4u; return true;
		case 1: m->incarnation = 0xfedcba9876543210ull; return true;
		case 2: m->u.cancel.id.seq = 0x01020304u; return true;
		case 3: m->u.cancel.reason = COORD_CANCEL_REJOINED; return true;
		case 4: m->u.cancel.id.incarnation = 1; return true;
		case 5: m->u.cancel.id.origin = 77; return true;
		}
		break;
	}
	return false;
}

static void test_two_fields_at_once(void **state)
{
	static const int samples[] = { S_HELLO, S_DEATH, S_ACK, S_RELEASE, S_CANCEL };
	uint8_t base[COORD_WIRE_MAX_LEN], one[COORD_WIRE_MAX_LEN], buf[COORD_WIRE_MAX_LEN];
	struct coord_msg m, got;
	size_t base_len, len, pairs = 0;

	(void)state;
	for (size_t s = 0; s < sizeof(samples) / sizeof(samples[0]); s++)
		for (int a = 0; a < N_CHANGES; a++)
			for (int b = a + 1; b < N_CHANGES; b++) {
				struct coord_msg ma = sample(samples[s]), both;

				base_len = encode_sample(samples[s], base);
				assert_true(change_field(&ma, a));
				both = ma;
				assert_true(change_field(&both, b));
				len = encode_ok(&both, buf, sizeof(buf));
				assert_wire(decode_exact(buf, len, &got), COORD_CODEC_OK,
					    "%s, changes %d and %d", sample_names[samples[s]], a, b);
				if (!coord_msg_equal(&both, &got))
					fail_msg("%s, changes %d and %d: decoded differs",
						 sample_names[samples[s]], a, b);
				/* Each change alone is visible, and they do not mix:
				 * a byte that change a moved, change b left as a set
				 * it (when the lengths agree, byte for byte). */
				m = sample(samples[s]);
				assert_true(change_field(&m, b));
				if (coord_msg_equal(&both, &ma) || coord_msg_equal(&both, &m))
					fail_msg("%s: change %d or %d changes nothing",
						 sample_names[samples[s]], a, b);
				if (encode_ok(&ma, one, sizeof(one)) == len && len == base_len)
					for (size_t i = 0; i < len; i++)
						if (one[i] != base[i] && buf[i] != one[i])
							fail_msg("%s: changes %d and %d share "
								 "byte %zu", sample_names[samples[s]],
								 a, b, i);
				pairs++;
			}
	assert_int_equal(pairs, 5 * N_CHANGES * (N_CHANGES - 1) / 2);
}

/* The layout itself, byte for byte, as docs/protocol.md shows it. */
static void test_encode_layout(void **state)
{
	static const uint8_t hello[] = {
		0x43, 0x4f, 0x52, 0x44,		/* magic "CORD" */
		0x01, 0x01,			/* version 1.1 */
		0x00, 0x01,			/* HELLO */
		0x00, 0x00, 0x00, 0x34,		/* length 52 */
		0x01, 0x02, 0x03, 0x04,		/* sender */
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
		0x00, 0x00, 0x00, 0x01,		/* flags: server up */
		0x00, 0x01, 0x00, 0x00,		/* 1 VIP, reserved */
		0x04, 0x00, 0x00, 0x00,		/* IPv4, reserved */
		198, 18, 0, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	static const uint8_t release[] = {
		0x43, 0x4f, 0x52, 0x44, 0x01, 0x01, 0x00, 0x04,
		0x00, 0x00, 0x00, 0x30,		/* length 48 */
		0x00, 0x00, 0x00, 0x02,
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		0x00, 0x00, 0x00, 0x02,		/* event origin */
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		0x00, 0x00, 0x00, 0x07,		/* seq */
		0x01, 0x00, 0x00, 0x00,		/* confirmed, reserved */
		0xff, 0xff, 0xff, 0xfe,		/* status -2 */
	};
	uint8_t buf[COORD_WIRE_MAX_LEN];
	struct coord_msg m;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = COORD_MSG_HELLO;
	m.sender = 0x01020304;
	m.incarnation = 0x1122334455667788ull;
	m.u.hello.flags = COORD_HELLO_SERVER_UP;
	m.u.hello.n_vips = 1;
	m.u.hello.vips[0] = vip("198.18.0.100");
	assert_int_equal(encode_ok(&m, buf, sizeof(buf)), sizeof(hello));
	assert_memory_equal(buf, hello, sizeof(hello));

	m = sample(S_RELEASE);
	assert_int_equal(encode_ok(&m, buf, sizeof(buf)), sizeof(release));
	assert_memory_equal(buf, release, sizeof(release));
}

/* --- the encoder's refusals --- */

static void test_encode_no_space(void **state)
{
	uint8_t buf[COORD_WIRE_MAX_LEN + 1];
	struct coord_msg m;
	size_t len;

	(void)state;
	for (int s = 0; s < S_COUNT; s++) {
		m = sample(s);
		len = encode_ok(&m, buf, sizeof(buf));
		for (size_t cap = 0; cap < len; cap++) {
			memset(buf, 0xee, sizeof(buf));
			assert_wire(coord_msg_encode(&m, buf, cap),
				    COORD_CODEC_NO_SPACE,
				    "%s (%zu bytes) into %zu bytes",
				    sample_names[s], len, cap);
			for (size_t i = cap; i < sizeof(buf); i++)
				if (buf[i] != 0xee)
					fail_msg("%s into %zu bytes wrote byte %zu",
						 sample_names[s], cap, i);
		}
		memset(buf, 0xee, sizeof(buf));
		assert_int_equal(coord_msg_encode(&m, buf, len), (int)len);
		assert_int_equal(buf[len], 0xee);
	}
}

/* A sample with one field set to a value the encoder must refuse. */
struct refusal_case {
	const char *name;
	int sample;
	struct msg_set set;
	int want;
};

#define REFUSE(s, field, v, want_, what) \
	{ .name = (what), .sample = (s), .set = SET(field, v), .want = (want_) }

static const struct refusal_case refusal_cases[] = {
	REFUSE(S_HELLO, type, 0, COORD_CODEC_BAD_TYPE, "encoding type 0"),
	REFUSE(S_HELLO, type, 6, COORD_CODEC_BAD_TYPE, "encoding type 6"),
	REFUSE(S_HELLO, u.hello.n_vips, COORD_MAX_VIPS + 1, COORD_CODEC_BOUND,
	       "encoding HELLO with 17 VIPs"),
	REFUSE(S_HELLO, u.hello.n_vips, UINT16_MAX, COORD_CODEC_BOUND,
	       "encoding HELLO with 65535 VIPs"),
	REFUSE(S_DEATH, u.death.n_vips, COORD_MAX_VIPS + 1, COORD_CODEC_BOUND,
	       "encoding DEATH with 17 VIPs"),
	REFUSE(S_ACK, u.ack.detail_len, COORD_DETAIL_MAX + 1, COORD_CODEC_BOUND,
	       "encoding ACK with 129 detail bytes"),
	REFUSE(S_HELLO, u.hello.flags, 0x2, COORD_CODEC_BAD_FIELD,
	       "encoding HELLO with unknown flag"),
	REFUSE(S_HELLO, u.hello.vips[1].family, 0, COORD_CODEC_BAD_FIELD,
	       "encoding HELLO VIP family 0"),
	REFUSE(S_HELLO, u.hello.vips[0].addr[15], 1, COORD_CODEC_BAD_FIELD,
	       "encoding IPv4 VIP with a stray address byte"),
	REFUSE(S_DEATH, u.death.vips[0].family, 5, COORD_CODEC_BAD_FIELD,
	       "encoding DEATH VIP family 5"),
	REFUSE(S_DEATH, u.death.reason, 0, COORD_CODEC_BAD_FIELD, "encoding DEATH reason 0"),
	REFUSE(S_DEATH, u.death.reason, 4, COORD_CODEC_BAD_FIELD, "encoding DEATH reason 4"),
	REFUSE(S_DEATH, u.death.id.origin, SENDER + 1, COORD_CODEC_BAD_FIELD,
	       "encoding DEATH for another origin"),
	REFUSE(S_DEATH, u.death.id.incarnation, INCARNATION - 1, COORD_CODEC_BAD_FIELD,
	       "encoding DEATH for an old incarnation"),
	REFUSE(S_ACK, u.ack.result, 0, COORD_CODEC_BAD_FIELD, "encoding ACK result 0"),
	REFUSE(S_ACK, u.ack.result, COORD_ACK_RESULT_MAX + 1, COORD_CODEC_BAD_FIELD,
	       "encoding ACK result past the last"),
	REFUSE(S_ACK, u.ack.detail[3], '\n', COORD_CODEC_BAD_FIELD,
	       "encoding ACK detail with a newline"),
	REFUSE(S_ACK, u.ack.detail_len, 9, COORD_CODEC_BAD_FIELD,
	       "encoding ACK detail_len covering the NUL"),
	REFUSE(S_RELEASE, u.release.outcome, 0, COORD_CODEC_BAD_FIELD,
	       "encoding RELEASE outcome 0"),
	REFUSE(S_RELEASE, u.release.outcome, 4, COORD_CODEC_BAD_FIELD,
	       "encoding RELEASE outcome 4"),
	REFUSE(S_CANCEL, u.cancel.reason, 0, COORD_CODEC_BAD_FIELD,
	       "encoding CANCEL reason 0"),
	REFUSE(S_CANCEL, u.cancel.reason, 3, COORD_CODEC_BAD_FIELD,
	       "encoding CANCEL reason 3"),
};

#undef REFUSE

static void test_refusal_case(void **state)
{
	const struct refusal_case *c = *state;
	struct coord_msg m = sample(c->sample), before = m;
	uint8_t buf[COORD_WIRE_MAX_LEN];

	msg_apply(&m, &c->set);
	if (memcmp(&m, &before, sizeof(m)) == 0)
		fail_msg("case \"%s\" changes nothing", c->name);
	assert_wire(coord_msg_encode(&m, buf, sizeof(buf)), c->want, "%s", c->name);
}

/* Bounds are judged before the space. */
static void test_encode_bound_before_space(void **state)
{
	struct coord_msg m = sample(S_HELLO);
	uint8_t buf[1];

	(void)state;
	m.u.hello.n_vips = COORD_MAX_VIPS + 1;
	assert_wire(coord_msg_encode(&m, buf, 0), COORD_CODEC_BOUND,
		    "HELLO with 17 VIPs into no room");
}

static void test_encode_ignores_version(void **state)
{
	uint8_t buf[COORD_WIRE_MAX_LEN];
	struct coord_msg m = sample(S_CANCEL), got;
	size_t len;

	(void)state;
	m.version = 0x0907;
	len = encode_ok(&m, buf, sizeof(buf));
	assert_int_equal(buf[4], COORD_PROTO_MAJOR);
	assert_int_equal(buf[5], COORD_PROTO_MINOR);
	assert_wire(decode_exact(buf, len, &got), COORD_CODEC_OK, "CANCEL");
	assert_int_equal(got.version, COORD_PROTO_VERSION);
}

/*
 * coord_msg_equal, what the fuzzer and the tests above rely on: two copies
 * of a sample, one field of the second set to another value (or, where
 * both is set, of both: a count out of bounds is never equal).
 */
struct differ_case {
	const char *name;
	int sample;
	struct msg_set set;
	bool both;
};

#define DIFFERS(s, field, v, what) \
	{ .name = "messages differing in " what, .sample = (s), .set = SET(field, v) }
#define BOTH(s, field, v, what) \
	{ .name = "messages with " what, .sample = (s), .set = SET(field, v), .both = true }

static const struct differ_case differ_cases[] = {
	DIFFERS(S_HELLO, type, COORD_MSG_DEATH, "type"),
	DIFFERS(S_HELLO, sender, SENDER + 1, "sender"),
	DIFFERS(S_HELLO, incarnation, INCARNATION + 1, "incarnation"),
	DIFFERS(S_HELLO, u.hello.flags, 0, "HELLO flags"),
	DIFFERS(S_HELLO, u.hello.n_vips, 1, "HELLO VIP count"),
	DIFFERS(S_HELLO, u.hello.vips[1].addr[15], 3, "HELLO last VIP"),	/* fd00::2 */
	BOTH(S_HELLO, u.hello.n_vips, UINT16_MAX, "an out-of-bound HELLO VIP count"),
	DIFFERS(S_DEATH, u.death.id.seq, 8, "DEATH event id"),
	DIFFERS(S_DEATH, u.death.reason, COORD_DEATH_NODE_LEFT, "DEATH reason"),
	DIFFERS(S_DEATH, u.death.n_vips, 0, "DEATH VIP count"),
	DIFFERS(S_DEATH, u.death.vips[1].family, 4, "DEATH VIP family"),
	BOTH(S_DEATH, u.death.n_vips, 17, "an out-of-bound DEATH VIP count"),
	DIFFERS(S_ACK, u.ack.id.origin, 6, "ACK event id"),
	DIFFERS(S_ACK, u.ack.result, COORD_ACK_TIMEOUT, "ACK result"),
	DIFFERS(S_ACK, u.ack.grace_latency_us, 123457, "ACK latency"),
	DIFFERS(S_ACK, u.ack.detail_len, 7, "ACK detail length"),
	DIFFERS(S_ACK, u.ack.detail[7], 'K', "ACK detail"),
	BOTH(S_ACK, u.ack.detail_len, 200, "an out-of-bound detail length"),
	DIFFERS(S_RELEASE, u.release.id.incarnation, INCARNATION + 1, "RELEASE event id"),
	DIFFERS(S_RELEASE, u.release.outcome, COORD_RELEASE_FAILED, "RELEASE outcome"),
	DIFFERS(S_RELEASE, u.release.status, 2, "RELEASE status"),
	DIFFERS(S_CANCEL, u.cancel.id.seq, 0, "CANCEL event id"),
	DIFFERS(S_CANCEL, u.cancel.reason, 0, "CANCEL reason"),
};

#undef DIFFERS
#undef BOTH

static void test_differ_case(void **state)
{
	const struct differ_case *c = *state;
	struct coord_msg a = sample(c->sample), b = a;

	assert_true(coord_msg_equal(&a, &b));
	msg_apply(&b, &c->set);
	if (c->both)
		msg_apply(&a, &c->set);
	else if (memcmp(&a, &b, sizeof(a)) == 0)
		fail_msg("case \"%s\" changes nothing", c->name);
	if (coord_msg_equal(&a, &b) || coord_msg_equal(&b, &a))
		fail_msg("%s compare equal", c->name);
}

/* Neither the version nor bytes past the counts take part. */
static void test_msg_equal_ignores(void **state)
{
	struct coord_msg a, b;

	(void)state;
	a = sample(S_ACK);
	b = a;
	b.version = 0x0105;
	b.u.ack.detail[20] = 'z';
	assert_true(coord_msg_equal(&a, &b));
	a = sample(S_HELLO);
	b = a;
	b.u.hello.vips[5].family = 6;
	assert_true(coord_msg_equal(&a, &b));
}

/* --- names --- */

static void test_names(void **state)
{
	const char *seen[COORD_CODEC_ERROR_COUNT];

	(void)state;
	for (int e = 0; e < COORD_CODEC_ERROR_COUNT; e++) {
		seen[e] = coord_wire_strerror(-e);
		assert_non_null(seen[e]);
		assert_string_not_equal(seen[e], coord_wire_strerror(1));
		for (int f = 0; f < e; f++)
			if (strcmp(seen[e], seen[f]) == 0)
				fail_msg("wire errors %d and %d share \"%s\"",
					 -e, -f, seen[e]);
	}
	assert_string_equal(coord_wire_strerror(-COORD_CODEC_ERROR_COUNT),
			    coord_wire_strerror(INT_MIN));
	assert_string_equal(coord_wire_strerror(INT_MAX),
			    coord_wire_strerror(1));

	assert_string_equal(coord_msg_type_name(COORD_MSG_HELLO), "HELLO");
	assert_string_equal(coord_msg_type_name(COORD_MSG_DEATH), "DEATH");
	assert_string_equal(coord_msg_type_name(COORD_MSG_ACK), "ACK");
	assert_string_equal(coord_msg_type_name(COORD_MSG_RELEASE), "RELEASE");
	assert_string_equal(coord_msg_type_name(COORD_MSG_CANCEL), "CANCEL");
	assert_string_equal(coord_msg_type_name(0), "unknown");
	assert_string_equal(coord_msg_type_name(6), "unknown");

	assert_string_equal(coord_death_reason_name(COORD_DEATH_REPORTED),
			    "reported");
	assert_string_equal(coord_death_reason_name(COORD_DEATH_NODE_LEFT),
			    "node-left");
	assert_string_equal(coord_death_reason_name(0), "unknown");
	for (uint8_t r = COORD_ACK_IN_GRACE; r <= COORD_ACK_RESULT_MAX; r++) {
		assert_string_not_equal(coord_ack_result_name(r), "unknown");
		for (uint8_t q = COORD_ACK_IN_GRACE; q < r; q++)
			assert_string_not_equal(coord_ack_result_name(r),
						coord_ack_result_name(q));
	}
	assert_string_equal(coord_ack_result_name(COORD_ACK_IN_GRACE),
			    "in-grace");
	assert_string_equal(coord_ack_result_name(0), "unknown");
	assert_string_equal(coord_ack_result_name(COORD_ACK_RESULT_MAX + 1),
			    "unknown");
	assert_string_equal(coord_release_outcome_name(COORD_RELEASE_CONFIRMED),
			    "confirmed");
	assert_string_equal(coord_release_outcome_name(COORD_RELEASE_UNCONFIRMED),
			    "unconfirmed");
	assert_string_equal(coord_release_outcome_name(COORD_RELEASE_FAILED),
			    "failed");
	assert_string_equal(coord_release_outcome_name(4), "unknown");
}

/* --- VIP text --- */

static void test_vip_text_rejects(void **state)
{
	static const char *const bad[] = {
		"", " ", "1.2.3", "1.2.3.4.5", "1.2.3.256", "01.2.3.4",
		"0x1.2.3.4", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4\n", "1.2.3.4/32",
		"fe80::1%eth0", "fe80:::1", "1:2:3:4:5:6:7:8:9", "::g",
		"[::1]", "host.example", "198.18.0.100:2049",
	};
	struct coord_vip v;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct coord_vip none = { 0 };

		memset(&v, 0x5a, sizeof(v));
		if (coord_vip_parse(bad[i], &v) != -1)
			fail_msg("VIP \"%s\" accepted, expected a refusal",
				 bad[i]);
		/* Cleared: no half-parsed address, no family. */
		assert_memory_equal(&v, &none, sizeof(v));
	}
	assert_int_equal(coord_vip_parse(NULL, &v), -1);
}

static void test_vip_text_round_trip(void **state)
{
	static const struct {
		const char *text;
		uint8_t family;
	} good[] = {
		{ "198.18.0.100", 4 }, { "0.0.0.0", 4 },
		{ "255.255.255.255", 4 }, { "fe80::1", 6 }, { "::", 6 },
		{ "::1", 6 }, { "2001:db8::ff00:42:8329", 6 },
		{ "::ffff:198.18.0.1", 6 },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 6 },
	};
	struct coord_vip v, w;
	char text[46];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(&v, 0x5a, sizeof(v));
		if (coord_vip_parse(good[i].text, &v) != 0)
			fail_msg("VIP \"%s\" refused", good[i].text);
		assert_int_equal(v.family, good[i].family);
		if (v.family == 4)
			for (int b = 4; b < 16; b++)
				assert_int_equal(v.addr[b], 0);
		assert_ptr_equal(coord_vip_format(&v, text, sizeof(text)), text);
		assert_string_equal(text, good[i].text);
		assert_int_equal(coord_vip_parse(text, &w), 0);
		assert_true(coord_vip_equal(&v, &w));
	}
	/* Upper case is accepted and printed in the canonical form. */
	assert_int_equal(coord_vip_parse("FE80::A", &v), 0);
	assert_string_equal(coord_vip_format(&v, text, sizeof(text)), "fe80::a");
}

static void test_vip_format_and_equal(void **state)
{
	struct coord_vip a = vip("198.18.0.100"), b = vip("198.18.0.101");
	struct coord_vip c = vip("::");
	char text[46], small[4];

	(void)state;
	assert_true(coord_vip_equal(&a, &a));
	assert_false(coord_vip_equal(&a, &b));
	assert_false(coord_vip_equal(&c, &a));
	memset(c.addr, 0, sizeof(c.addr));
	memcpy(c.addr, a.addr, 4);
	assert_false(coord_vip_equal(&a, &c));	/* same bytes, other family */
	b = vip("fd00::1");
	c = vip("fd00::2");
	assert_false(coord_vip_equal(&b, &c));	/* differ in the last byte */

	memset(small, 'x', sizeof(small));
	coord_vip_format(&a, small, sizeof(small));
	assert_string_equal(small, "198");
	coord_vip_format(&a, small, 1);
	assert_string_equal(small, "");
	small[0] = 'x';
	coord_vip_format(&a, small, 0);
	assert_int_equal(small[0], 'x');

	a.family = 5;
	coord_vip_format(&a, text, sizeof(text));
	assert_string_equal(text, "invalid");
}

/* --- event id text --- */

static void test_event_id_text_rejects(void **state)
{
	static const char *const bad[] = {
		"", ".", "..", "1.2", "1.2.3.4", "1..3", ".1.2", "1.2.",
		"-1.2.3", "+1.2.3", "1.-2.3", " 1.2.3", "1.2.3 ", "1.2.3\n",
		"1. 2.3", "4294967296.1.1", "1.18446744073709551616.1",
		"1.2.4294967296", "99999999999999999999999.1.1",
		"1.99999999999999999999.1", "a.b.c", "1.2.0x3", "1,2,3",
		"1:2:3", "0x1.2.3", "1.2.3e0",
	};
	struct coord_event_id id = { 11, 22, 33 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (coord_event_id_parse(bad[i], &id) != -1)
			fail_msg("event id \"%s\" accepted, expected a refusal",
				 bad[i]);
		/* A refused id leaves the caller's copy alone. */
		assert_int_equal(id.origin, 11);
		assert_true(id.incarnation == 22);
		assert_int_equal(id.seq, 33);
	}
	assert_int_equal(coord_event_id_parse(NULL, &id), -1);
}

static void test_event_id_text_round_trip(void **state)
{
	static const struct {
		struct coord_event_id id;
		const char *text;
	} good[] = {
		{ { 0, 0, 0 }, "0.0.0" },
		{ { 2, 1764032400123456ull, 7 }, "2.1764032400123456.7" },
		{ { UINT32_MAX, UINT64_MAX, UINT32_MAX },
		  "4294967295.18446744073709551615.4294967295" },
	};
	struct coord_event_id id;
	char text[48];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_ptr_equal(coord_event_id_format(&good[i].id, text,
						       sizeof(text)), text);
		assert_string_equal(text, good[i].text);
		memset(&id, 0x5a, sizeof(id));
		if (coord_event_id_parse(good[i].text, &id) != 0)
			fail_msg("event id \"%s\" refused", good[i].text);
		assert_true(coord_event_id_equal(&id, &good[i].id));
	}
	/* Leading zeros still name the same event. */
	assert_int_equal(coord_event_id_parse("02.007.0", &id), 0);
	assert_int_equal(id.origin, 2);
	assert_true(id.incarnation == 7);
	assert_int_equal(id.seq, 0);
}

static void test_event_id_equal_and_format(void **state)
{
	const struct coord_event_id a = { 2, 3, 4 };
	struct coord_event_id b = a;
	char small[4];

	(void)state;
	assert_true(coord_event_id_equal(&a, &b));
	b.origin++;
	assert_false(coord_event_id_equal(&a, &b));
	b = a;
	b.incarnation++;
	assert_false(coord_event_id_equal(&a, &b));
	b = a;
	b.seq++;
	assert_false(coord_event_id_equal(&a, &b));

	coord_event_id_format(&a, small, sizeof(small));
	assert_string_equal(small, "2.3");
	coord_event_id_format(&a, small, 1);
	assert_string_equal(small, "");
	small[0] = 'x';
	coord_event_id_format(&a, small, 0);
	assert_int_equal(small[0], 'x');
}

/* Text made printable, appended at n, cut at max, always terminated. */
static void test_text_printable(void **state)
{
	char dst[16];

	(void)state;
	memset(dst, 'x', sizeof(dst));
	assert_int_equal(coord_text_printable(dst, 0, 8, "a\tb"), 3);
	assert_string_equal(dst, "a?b");
	assert_int_equal(coord_text_printable(dst, 3, 8, "cdefghij"), 8);
	assert_string_equal(dst, "a?bcdefg");
	memset(dst, 'x', sizeof(dst));
	assert_int_equal(coord_text_printable(dst, 0, 8, NULL), 0);
	assert_string_equal(dst, "");
}

int main(void)
{
	static const struct CMUnitTest header[] = {
		cmocka_unit_test(test_decode_short_header),
		cmocka_unit_test(test_decode_bad_magic),
		cmocka_unit_test(test_decode_bad_version),
		cmocka_unit_test(test_decode_bad_type),
		cmocka_unit_test(test_decode_length_mismatch),
		cmocka_unit_test(test_decode_header_only),
	}, others[] = {
		cmocka_unit_test(test_decode_every_truncation),
		cmocka_unit_test(test_decode_trailing),
		cmocka_unit_test(test_decode_newer_minor),
		cmocka_unit_test(test_decode_older_minor),
		cmocka_unit_test(test_encode_refuses_node_left_for_another_origin),
		cmocka_unit_test(test_decode_every_byte_value),
		cmocka_unit_test(test_vip_text_rejects),
		cmocka_unit_test(test_text_printable),
		cmocka_unit_test(test_event_id_text_rejects),
		cmocka_unit_test(test_encode_no_space),
		cmocka_unit_test(test_encode_bound_before_space),
		cmocka_unit_test(test_encode_ignores_version),
		cmocka_unit_test(test_encode_layout),
		cmocka_unit_test(test_round_trip_ack),
		cmocka_unit_test(test_round_trip_release),
		cmocka_unit_test(test_every_code),
		cmocka_unit_test(test_two_fields_at_once),
		cmocka_unit_test(test_msg_equal_ignores),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_vip_text_round_trip),
		cmocka_unit_test(test_vip_format_and_equal),
		cmocka_unit_test(test_event_id_text_round_trip),
		cmocka_unit_test(test_event_id_equal_and_format),
	};
	struct CMUnitTest tests[N_ELEMS(header) + N_ELEMS(bound_cases) +
				N_ELEMS(field_cases) + N_ELEMS(reserved_cases) +
				N_ELEMS(order_cases) + N_ELEMS(refusal_cases) +
				N_ELEMS(differ_cases) + N_ELEMS(round_trip_cases) +
				N_ELEMS(others)];
	size_t n = 0;

	ADD_TESTS(tests, n, header);
	ADD_ROW_TESTS(tests, n, bound_cases, test_patch_case, NULL, NULL);
	ADD_ROW_TESTS(tests, n, field_cases, test_patch_case, NULL, NULL);
	ADD_ROW_TESTS(tests, n, reserved_cases, test_patch_case, NULL, NULL);
	ADD_ROW_TESTS(tests, n, order_cases, test_patch_case, NULL, NULL);
	ADD_ROW_TESTS(tests, n, refusal_cases, test_refusal_case, NULL, NULL);
	ADD_ROW_TESTS(tests, n, differ_cases, test_differ_case, NULL, NULL);
	ADD_ROW_TESTS(tests, n, round_trip_cases, test_round_trip_case, NULL, NULL);
	ADD_TESTS(tests, n, others);
	return _cmocka_run_group_tests("wire", tests, n, NULL, NULL);
}
