/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control protocol codec: hostile input first (every decode error,
 * bounds, every truncation), then round trips of every request and
 * record, the byte layout, the encoder's refusals and the names.
 *
 * Offsets are written out from docs/control.md, not taken from
 * proto/ctl.c.  Every decode runs on an exact-size heap copy of its
 * input, so a read past the end is caught under ASan.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "coord/ctl.h"
#include "../case_table.h"

#define P	COORD_CTL_HEADER_LEN	/* payload offset */
#define SEQ	0x11223344u

/* ---- helpers ---- */

static struct coord_vip vip(const char *text)
{
	struct coord_vip v;

	if (coord_vip_parse(text, &v) != 0)
		fail_msg("test VIP %s does not parse", text);
	return v;
}

static void fill_vips(struct coord_vip *v, uint16_t n)
{
	char text[64];
	uint16_t i;

	for (i = 0; i < n; i++) {
		if (i % 2)
			snprintf(text, sizeof(text), "fd00::%x:beef", i);
		else
			snprintf(text, sizeof(text), "198.18.0.%u", 100 + i);
		v[i] = vip(text);
	}
}

static int req_decode(const uint8_t *buf, size_t len, struct coord_ctl_request *req)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	memcpy(copy, buf, len);
	rc = coord_ctl_request_decode(copy, len, req);
	free(copy);
	return rc;
}

static int rec_decode(const uint8_t *buf, size_t len, struct coord_ctl_record *rec)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	memcpy(copy, buf, len);
	rc = coord_ctl_record_decode(copy, len, rec);
	free(copy);
	return rc;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A big-endian field of 1 to 8 bytes. */
static uint64_t get_be(const uint8_t *p, unsigned width)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < width; i++)
		v = v << 8 | p[i];
	return v;
}

static void expect_code(int got, int want, const char *what)
{
	if (got != want)
		fail_msg("%s: expected \"%s\" (%d), got \"%s\" (%d)", what,
			 coord_ctl_strerror(want), want, coord_ctl_strerror(got), got);
}

/* ---- samples ---- */

enum {
	R_PING, R_STATUS, R_EVENTS, R_DEATH, R_DEATH_EMPTY, R_DEATH_FULL,
	R_UP, R_CANCEL, R_COUNT
};

static struct coord_ctl_request req_sample(int which)
{
	struct coord_ctl_request r;

	memset(&r, 0, sizeof(r));
	r.seq = SEQ;
	switch (which) {
	case R_PING: r.type = COORD_CTL_PING; break;
	case R_STATUS: r.type = COORD_CTL_STATUS; break;
	case R_EVENTS: r.type = COORD_CTL_EVENTS; r.u.events.last = 12; break;
	case R_DEATH:
		r.type = COORD_CTL_DEATH;
		r.u.death.flags = COORD_CTL_DEATH_WAIT;
		r.u.death.n_vips = 2;
		fill_vips(r.u.death.vips, 2);
		break;
	case R_DEATH_EMPTY: r.type = COORD_CTL_DEATH; break;
	case R_DEATH_FULL:
		r.type = COORD_CTL_DEATH;
		r.u.death.n_vips = COORD_MAX_VIPS;
		fill_vips(r.u.death.vips, COORD_MAX_VIPS);
		break;
	case R_UP: r.type = COORD_CTL_UP; break;
	case R_CANCEL:
		r.type = COORD_CTL_CANCEL;
		r.u.cancel.id = (struct coord_event_id){ 3, 0x0102030405060708ull, 9 };
		break;
	}
	return r;
}

enum {
	C_END, C_END_FULL, C_STATUS, C_STATUS_FULL, C_MEMBER, C_EVENT,
	C_EVENT_FULL, C_SURVIVOR, C_SURVIVOR_FULL, C_COUNT
};

static struct coord_ctl_record rec_sample(int which)
{
	struct coord_ctl_record r;
	struct coord_ctl_status_rec *s = &r.u.status;
	struct coord_ctl_event *e = &r.u.event;
	struct coord_ctl_survivor *v = &r.u.survivor;
	unsigned i;

	memset(&r, 0, sizeof(r));
	r.seq = SEQ;
	switch (which) {
	case C_END:
		r.type = COORD_CTL_REC_END;
		r.u.end.status = COORD_CTL_NOT_JOINED;
		snprintf(r.u.end.message, sizeof(r.u.end.message), "not in the group");
		break;
	case C_END_FULL:
		r.type = COORD_CTL_REC_END;
		memset(r.u.end.message, 'm', COORD_CTL_MESSAGE_MAX);
		break;
	case C_STATUS:
	case C_STATUS_FULL:
		r.type = COORD_CTL_REC_STATUS;
		s->nodeid = 2;
		s->pid = 4242;
		s->incarnation = 1764032400123456ull;
		s->proto_version = 0x0100;
		s->flags = COORD_CTL_ST_JOINED | COORD_CTL_ST_QUORATE;
		s->policy = 2;
		s->deadline_ms = 10000;
		s->n_members = 3;
		s->n_pending = 1;
		s->n_events = 7;
		s->n_clients = 1;
		s->uptime_us = 123456789;
		s->n_engine = COORD_REFUSAL_COUNT;
		s->n_wire = COORD_CODEC_ERROR_COUNT;
		s->n_control = COORD_CTL_CC_COUNT;
		if (which == C_STATUS_FULL)
			s->n_engine = s->n_wire = s->n_control = COORD_CTL_MAX_COUNTERS;
		for (i = 0; i < s->n_engine; i++)
			s->engine[i] = 1000 + i;
		for (i = 0; i < s->n_wire; i++)
			s->wire[i] = 2000 + i;
		for (i = 0; i < s->n_control; i++)
			s->control[i] = 0xffffffff00000000ull + i;
		snprintf(s->group, sizeof(s->group), "coord");
		snprintf(s->version, sizeof(s->version), "0.1.0");
		s->local_state = COORD_CTL_LOCAL_HUNG;
		s->local_how = COORD_CTL_HOW_HEARTBEAT;
		s->local_flags = COORD_CTL_LOCAL_WATCHING | COORD_CTL_LOCAL_KILL_HUNG;
		s->local_pid = 31337;
		s->local_age_us = 2500000;
		s->heartbeat_age_us = COORD_CTL_NEVER;
		s->heartbeat_timeout_ms = 5000;
		s->heartbeats = 77;
		if (which == C_STATUS_FULL) {
			memset(s->group, 'g', COORD_CTL_NAME_MAX);
			memset(s->version, 'v', COORD_CTL_NAME_MAX);
		}
		break;
	case C_MEMBER:
		r.type = COORD_CTL_REC_MEMBER;
		r.u.member.nodeid = 5;
		r.u.member.pid = 77;
		r.u.member.incarnation = 99;
		r.u.member.flags = COORD_CTL_MEMBER_SELF | COORD_CTL_MEMBER_SERVER_DOWN;
		r.u.member.member_for_us = 5000000;
		r.u.member.n_vips = 3;
		fill_vips(r.u.member.vips, 3);
		break;
	case C_EVENT:
	case C_EVENT_FULL:
		r.type = COORD_CTL_REC_EVENT;
		e->id = (struct coord_event_id){ 2, 1764032400123456ull, 7 };
		e->reason = COORD_DEATH_REPORTED;
		e->state = COORD_EVENT_RETRY_WAIT;
		e->flags = COORD_CTL_EVENT_LOCAL_ORIGIN | COORD_CTL_EVENT_OVERDUE;
		e->release_outcome = COORD_RELEASE_UNCONFIRMED;
		e->release_attempts = 2;
		e->release_status = -1;
		e->n_survivors = 4;
		e->n_waiting = 2;
		e->age_us = 1;
		e->report_us = 2;
		e->complete_us = COORD_CTL_NEVER;
		e->release_us = 4;
		e->ended_us = COORD_CTL_NEVER;
		e->deadline_us = 10000000;
		e->retry_us = 7;
		e->n_vips = which == C_EVENT_FULL ? COORD_MAX_VIPS : 1;
		fill_vips(e->vips, e->n_vips);
		break;
	case C_SURVIVOR:
	case C_SURVIVOR_FULL:
		r.type = COORD_CTL_REC_SURVIVOR;
		v->event = (struct coord_event_id){ 2, 1764032400123456ull, 7 };
		v->nodeid = 3;
		v->pid = 303;
		v->incarnation = 333;
		v->state = 2;		/* answered */
		v->result = COORD_ACK_GRACE_FAILED;
		v->flags = COORD_CTL_SURVIVOR_LATE;
		v->leave_reason = 0;
		v->grace_latency_us = 5123;
		v->at_us = 6000;
		snprintf(v->detail, sizeof(v->detail), "org.freedesktop.DBus.Error");
		if (which == C_SURVIVOR_FULL)
			memset(v->detail, 'd', COORD_DETAIL_MAX);
		break;
	}
	return r;
}

static size_t req_encode(const struct coord_ctl_request *r, uint8_t *buf, size_t cap)
{
	int len = coord_ctl_request_encode(r, buf, cap);

	if (len < 0)
		fail_msg("the %s sample does not encode: %s",
			 coord_ctl_type_name(r->type), coord_ctl_strerror(len));
	return (size_t)len;
}

static size_t rec_encode(const struct coord_ctl_record *r, uint8_t *buf, size_t cap)
{
	int len = coord_ctl_record_encode(r, buf, cap);

	if (len < 0)
		fail_msg("the %s record sample does not encode: %s",
			 coord_ctl_type_name(r->type), coord_ctl_strerror(len));
	return (size_t)len;
}

/* Encodes rec_sample(which) if record, else req_sample(which). */
static size_t sample_encode(bool record, int which, uint8_t *buf, size_t cap)
{
	struct coord_ctl_request req;
	struct coord_ctl_record rec;

	if (record) {
		rec = rec_sample(which);
		return rec_encode(&rec, buf, cap);
	}
	req = req_sample(which);
	return req_encode(&req, buf, cap);
}

/* ---- the header ---- */

static void test_header_short(void **state)
{
	uint8_t buf[P];
	struct coord_ctl_header h;
	struct coord_ctl_request req = req_sample(R_PING);
	struct coord_ctl_record rec;
	size_t len = req_encode(&req, buf, sizeof(buf)), i;

	(void)state;
	assert_int_equal(len, P);
	for (i = 0; i < P; i++) {
		expect_code(coord_ctl_header_decode(buf, i, &h), COORD_CODEC_TRUNCATED,
			    "a header shorter than 16 bytes");
		expect_code(req_decode(buf, i, &req), COORD_CODEC_TRUNCATED,
			    "a request shorter than its header");
		expect_code(rec_decode(buf, i, &rec), COORD_CODEC_TRUNCATED,
			    "a record shorter than its header");
	}
}

static void test_header_fields(void **state)
{
	uint8_t buf[COORD_CTL_MAX_REQUEST];
	struct coord_ctl_request req = req_sample(R_EVENTS);
	struct coord_ctl_header h;
	size_t len = req_encode(&req, buf, sizeof(buf));

	(void)state;
	expect_code(coord_ctl_header_decode(buf, len, &h), COORD_CODEC_OK, "a good header");
	assert_int_equal(h.magic, COORD_CTL_MAGIC);
	assert_int_equal(h.version, COORD_CTL_VERSION);
	assert_int_equal(h.type, COORD_CTL_EVENTS);
	assert_int_equal(h.length, len);
	assert_int_equal(h.seq, SEQ);
	/* The header alone is enough to learn the frame's length. */
	expect_code(coord_ctl_header_decode(buf, P, &h), COORD_CODEC_OK,
		    "a header without its payload yet");
	assert_int_equal(h.length, P + 4);
}

/* ---- hostile input: a field patched in a valid frame ---- */

enum decode_as { AS_REQUEST, AS_RECORD, AS_HEADER };

/*
 * A sample encoded, one field of it overwritten (or none), the bytes
 * handed to a decoder, and the code it must return: a table row, run as
 * its own cmocka test.
 */
struct patch_case {
	const char *name;
	bool record;		/* the sample is rec_sample(), else req_sample() */
	int sample;
	size_t off;
	unsigned width;		/* bytes written at off, big-endian: 0, 1, 2 or 4 */
	uint32_t val;
	bool add_len;		/* write the encoded length plus val */
	size_t given;		/* bytes handed to the decoder; 0: the encoded length */
	enum decode_as as;
	int want;
};

#define REQ(s, o, w, v, want_, what) \
	{ .name = (what), .sample = (s), .off = (o), .width = (w), .val = (v), \
	  .as = AS_REQUEST, .want = (want_) }
#define REC(s, o, w, v, want_, what) \
	{ .name = (what), .record = true, .sample = (s), .off = (o), .width = (w), \
	  .val = (v), .as = AS_RECORD, .want = (want_) }

static const struct patch_case patch_cases[] = {
	/* the header */
	REQ(R_PING, 0, 1, 'c', COORD_CODEC_BAD_MAGIC, "request, magic cCTL"),
	REQ(R_PING, 0, 4, 0x434f5244u, COORD_CODEC_BAD_MAGIC,
	    "a CPG wire message (magic CORD) on the control socket"),
	{ .name = "record, magic CORD", .sample = R_PING, .off = 0, .width = 4,
	  .val = 0x434f5244u, .as = AS_RECORD, .want = COORD_CODEC_BAD_MAGIC },
	REQ(R_PING, 4, 2, (COORD_CTL_MAJOR + 1) << 8, COORD_CODEC_BAD_VERSION, "a request of major version + 1"),
	REQ(R_PING, 4, 2, 0x0000, COORD_CODEC_BAD_VERSION, "a request of major version 0"),
	{ .name = "a request offered as a record", .sample = R_PING,
	  .as = AS_RECORD, .want = COORD_CODEC_BAD_TYPE },
	{ .name = "a record offered as a request", .record = true, .sample = C_END,
	  .as = AS_REQUEST, .want = COORD_CODEC_BAD_TYPE },
	{ .name = "header says one byte more than given", .sample = R_DEATH,
	  .off = 8, .width = 4, .val = 1, .add_len = true,
	  .as = AS_REQUEST, .want = COORD_CODEC_LENGTH_MISMATCH },
	{ .name = "header says one byte less than given", .sample = R_DEATH,
	  .off = 8, .width = 4, .val = (uint32_t)-1, .add_len = true,
	  .as = AS_REQUEST, .want = COORD_CODEC_LENGTH_MISMATCH },
	{ .name = "a length shorter than the header itself", .sample = R_DEATH,
	  .off = 8, .width = 4, .val = P - 1,
	  .as = AS_HEADER, .want = COORD_CODEC_LENGTH_MISMATCH },
	REQ(R_DEATH, 8, 4, 0, COORD_CODEC_LENGTH_MISMATCH, "length 0"),

	/* bounds */
	REQ(R_DEATH_FULL, P + 2, 2, COORD_MAX_VIPS + 1, COORD_CODEC_BOUND,
	    "17 VIPs in a DEATH"),
	REQ(R_DEATH_FULL, P + 2, 2, 0xffff, COORD_CODEC_BOUND, "65535 VIPs in a DEATH"),
	/* A frame over the maximum, even one whose length matches. */
	{ .name = "a request of 4097 bytes", .sample = R_PING,
	  .off = 8, .width = 4, .val = COORD_CTL_MAX_REQUEST + 1,
	  .given = COORD_CTL_MAX_REQUEST + 1,
	  .as = AS_REQUEST, .want = COORD_CODEC_BOUND },
	/* Strings and counter arrays of records. */
	REC(C_END, P + 2, 2, COORD_CTL_MESSAGE_MAX + 1, COORD_CODEC_BOUND,
	    "a 257-byte message"),
	REC(C_SURVIVOR, P + 48, 2, COORD_DETAIL_MAX + 1, COORD_CODEC_BOUND,
	    "a 129-byte detail"),
	REC(C_STATUS, P + 44, 2, COORD_CTL_MAX_COUNTERS + 1, COORD_CODEC_BOUND,
	    "33 engine counters"),
	REC(C_MEMBER, P + 18, 2, COORD_MAX_VIPS + 1, COORD_CODEC_BOUND,
	    "17 VIPs of a member"),
	REC(C_EVENT, P + 88, 2, COORD_MAX_VIPS + 1, COORD_CODEC_BOUND,
	    "17 VIPs of an event"),

	/* fields */
	REQ(R_DEATH, P, 2, 0x8000 | COORD_CTL_DEATH_WAIT, COORD_CODEC_BAD_FIELD,
	    "an unknown DEATH flag"),
	REQ(R_DEATH, P + 4, 1, 5, COORD_CODEC_BAD_FIELD, "VIP family 5"),
	REQ(R_DEATH, P + 4 + 4 + 4, 1, 1, COORD_CODEC_BAD_FIELD,
	    "an IPv4 VIP with non-zero unused bytes"),	/* its fifth address byte */
	REQ(R_PING, 12, 4, 0, COORD_CODEC_BAD_FIELD,
	    "a request with sequence 0 (the daemon's own)"),
	REQ(R_CANCEL, P, 4, 0, COORD_CODEC_BAD_FIELD, "CANCEL of an event from node 0"),
	REC(C_END, P + 4 + 3, 1, '\0', COORD_CODEC_BAD_FIELD, "a NUL inside an END message"),
	REC(C_EVENT, P + 30, 2, 5, COORD_CODEC_BAD_FIELD,
	    "more survivors waiting than survivors"),	/* waiting 5 of 4 */
	REC(C_EVENT, P + 18, 1, 0x80, COORD_CODEC_BAD_FIELD, "an unknown EVENT flag"),
	REC(C_MEMBER, P + 16, 2, 0x100, COORD_CODEC_BAD_FIELD, "an unknown MEMBER flag"),
	REC(C_STATUS, P + 18, 2, 0x8000, COORD_CODEC_BAD_FIELD, "an unknown STATUS flag"),
	REC(C_SURVIVOR, P + 34, 1, 0x2, COORD_CODEC_BAD_FIELD, "an unknown SURVIVOR flag"),

	/* reserved bytes */
	REQ(R_EVENTS, P + 3, 1, 1, COORD_CODEC_RESERVED, "EVENTS reserved"),
	REQ(R_DEATH, P + 4 + 1, 1, 0x40, COORD_CODEC_RESERVED, "a VIP's reserved byte 1"),
	REQ(R_DEATH, P + 4 + 2, 1, 0x40, COORD_CODEC_RESERVED, "a VIP's reserved byte 2"),
	REQ(R_DEATH, P + 4 + 3, 1, 0x40, COORD_CODEC_RESERVED, "a VIP's reserved byte 3"),
	REC(C_STATUS, P + 22, 1, 1, COORD_CODEC_RESERVED, "STATUS reserved"),
	REC(C_EVENT, P + 91, 1, 1, COORD_CODEC_RESERVED, "EVENT reserved"),
};

#undef REQ
#undef REC

static void test_patch_case(void **state)
{
	const struct patch_case *c = *state;
	uint8_t buf[COORD_CTL_MAX_RECORD + COORD_CTL_MAX_REQUEST];
	uint8_t before[4];
	struct coord_ctl_request req;
	struct coord_ctl_record rec;
	struct coord_ctl_header h;
	size_t len;
	uint32_t val;
	int got;

	memset(buf, 0, sizeof(buf));
	len = sample_encode(c->record, c->sample, buf, sizeof(buf));
	assert_true(c->off + c->width <= len);
	memcpy(before, buf + c->off, c->width);
	val = c->add_len ? (uint32_t)len + c->val : c->val;
	switch (c->width) {
	case 0: break;
	case 1: buf[c->off] = (uint8_t)val; break;
	case 2: put16(buf + c->off, (uint16_t)val); break;
	case 4: put32(buf + c->off, val); break;
	default: fail_msg("%s: width %u", c->name, c->width);
	}
	if (c->width && memcmp(before, buf + c->off, c->width) == 0)
		fail_msg("case \"%s\" patches nothing", c->name);
	if (c->given)
		len = c->given;
	assert_true(len <= sizeof(buf));
	switch (c->as) {
	case AS_REQUEST: got = req_decode(buf, len, &req); break;
	case AS_RECORD: got = rec_decode(buf, len, &rec); break;
	default: got = coord_ctl_header_decode(buf, len, &h); break;
	}
	expect_code(got, c->want, c->name);
}

static void test_unknown_types(void **state)
{
	static const uint16_t unknown[] = { 0, 10, 99, 0x8000, 0x8007, 0xffff };
	uint8_t buf[COORD_CTL_MAX_RECORD];
	struct coord_ctl_request req;
	struct coord_ctl_record rec = rec_sample(C_END);
	size_t len = rec_encode(&rec, buf, sizeof(buf));
	char what[64];

	(void)state;
	for (size_t i = 0; i < N_ELEMS(unknown); i++) {
		put16(buf + 6, unknown[i]);
		snprintf(what, sizeof(what), "unknown type 0x%04x", unknown[i]);
		expect_code(req_decode(buf, len, &req), COORD_CODEC_BAD_TYPE, what);
		expect_code(rec_decode(buf, len, &rec), COORD_CODEC_BAD_TYPE, what);
	}
}

static void test_newer_minor_version(void **state)
{
	uint8_t buf[COORD_CTL_MAX_REQUEST];
	struct coord_ctl_request req = req_sample(R_PING);
	size_t len = req_encode(&req, buf, sizeof(buf));

	(void)state;
	put16(buf + 4, (COORD_CTL_MAJOR << 8) | 0xff);
	expect_code(req_decode(buf, len, &req), COORD_CODEC_OK, "a newer minor");
	assert_int_equal(req.version, (COORD_CTL_MAJOR << 8) | 0xff);
}

/* Every proper prefix, with the header's length made to match it. */
static void test_every_truncation(void **state)
{
	uint8_t buf[COORD_CTL_MAX_RECORD];
	struct coord_ctl_request req;
	struct coord_ctl_record rec;
	size_t len, cut;
	int i;

	(void)state;
	for (i = 0; i < R_COUNT; i++) {
		req = req_sample(i);
		len = req_encode(&req, buf, sizeof(buf));
		for (cut = P; cut < len; cut++) {
			put32(buf + 8, (uint32_t)cut);
			expect_code(req_decode(buf, cut, &req), COORD_CODEC_TRUNCATED,
				    "a request cut short, length patched");
			put32(buf + 8, (uint32_t)len);
			expect_code(req_decode(buf, cut, &req), COORD_CODEC_LENGTH_MISMATCH,
				    "a request cut short, length unpatched");
		}
	}
	for (i = 0; i < C_COUNT; i++) {
		rec = rec_sample(i);
		len = rec_encode(&rec, buf, sizeof(buf));
		for (cut = P; cut < len; cut++) {
			put32(buf + 8, (uint32_t)cut);
			expect_code(rec_decode(buf, cut, &rec), COORD_CODEC_TRUNCATED,
				    "a record cut short, length patched");
		}
	}
}

static void test_trailing(void **state)
{
	uint8_t buf[COORD_CTL_MAX_RECORD + 1];
	struct coord_ctl_request req;
	struct coord_ctl_record rec;
	size_t len;
	int i;

	(void)state;
	for (i = 0; i < R_COUNT; i++) {
		req = req_sample(i);
		len = req_encode(&req, buf, sizeof(buf));
		buf[len] = 0;
		put32(buf + 8, (uint32_t)len + 1);
		expect_code(req_decode(buf, len + 1, &req), COORD_CODEC_TRAILING,
			    "a same-minor request with one byte appended");
		put16(buf + 4, COORD_CTL_VERSION + 1);
		expect_code(req_decode(buf, len + 1, &req), COORD_CODEC_OK,
			    "a newer-minor request with one byte appended");
	}
	for (i = 0; i < C_COUNT; i++) {
		rec = rec_sample(i);
		len = rec_encode(&rec, buf, sizeof(buf));
		buf[len] = 0xee;
		put32(buf + 8, (uint32_t)len + 1);
		expect_code(rec_decode(buf, len + 1, &rec), COORD_CODEC_TRAILING,
			    "a same-minor record with one byte appended");
		put16(buf + 4, COORD_CTL_VERSION + 1);
		expect_code(rec_decode(buf, len + 1, &rec), COORD_CODEC_OK,
			    "a newer-minor record with one byte appended");
	}
}

static void test_newer_minor_flags(void **state)
{
	uint8_t buf[COORD_CTL_MAX_RECORD];
	struct coord_ctl_request req = req_sample(R_DEATH);
	struct coord_ctl_record rec = rec_sample(C_EVENT);
	size_t len;

	(void)state;
	len = req_encode(&req, buf, sizeof(buf));
	put16(buf + 4, COORD_CTL_VERSION + 1);
	put16(buf + P, 0x8000 | COORD_CTL_DEATH_WAIT);
	expect_code(req_decode(buf, len, &req), COORD_CODEC_OK,
		    "an unknown DEATH flag from a newer minor");
	/* Known bits kept, unknown ones dropped: it re-encodes to a frame
	 * this decoder accepts. */
	assert_int_equal(req.u.death.flags, COORD_CTL_DEATH_WAIT);
	len = req_encode(&req, buf, sizeof(buf));
	expect_code(req_decode(buf, len, &req), COORD_CODEC_OK,
		    "a newer minor's DEATH, re-encoded");
	len = rec_encode(&rec, buf, sizeof(buf));
	put16(buf + 4, COORD_CTL_VERSION + 1);
	buf[P + 18] |= 0x80;
	expect_code(rec_decode(buf, len, &rec), COORD_CODEC_OK,
		    "an unknown EVENT flag from a newer minor");
	assert_int_equal(rec.u.event.flags, COORD_CTL_EVENT_LOCAL_ORIGIN |
			 COORD_CTL_EVENT_OVERDUE);
}

/* ---- round trips ---- */

static void test_round_trip_requests(void **state)
{
	uint8_t buf[COORD_CTL_MAX_REQUEST];
	struct coord_ctl_request in, out;
	size_t len;
	int i;

	(void)state;
	for (i = 0; i < R_COUNT; i++) {
		in = req_sample(i);
		len = req_encode(&in, buf, sizeof(buf));
		expect_code(req_decode(buf, len, &out), COORD_CODEC_OK, "a sample request");
		in.version = COORD_CTL_VERSION;
		if (memcmp(&in, &out, sizeof(in)) != 0)
			fail_msg("request sample %d (%s) changed in a round trip", i,
				 coord_ctl_type_name(in.type));
	}
}

static void test_round_trip_records(void **state)
{
	uint8_t buf[COORD_CTL_MAX_RECORD];
	struct coord_ctl_record in, out;
	size_t len;
	int i;

	(void)state;
	for (i = 0; i < C_COUNT; i++) {
		in = rec_sample(i);
		len = rec_encode(&in, buf, sizeof(buf));
		expect_code(rec_decode(buf, len, &out), COORD_CODEC_OK, "a sample record");
		in.version = COORD_CTL_VERSION;
		if (memcmp(&in, &out, sizeof(in)) != 0)
			fail_msg("record sample %d (%s) changed in a round trip", i,
				 coord_ctl_type_name(in.type));
	}
	/* Spot checks, in case both sides were wrong the same way. */
	in = rec_sample(C_EVENT);
	len = rec_encode(&in, buf, sizeof(buf));
	assert_int_equal(rec_decode(buf, len, &out), 0);
	assert_int_equal(out.u.event.release_status, -1);
	assert_true(out.u.event.complete_us == COORD_CTL_NEVER);
	assert_string_equal(rec_sample(C_SURVIVOR).u.survivor.detail,
			    "org.freedesktop.DBus.Error");
}

/* ---- layout, as docs/control.md lists it ---- */

/* A field of an encoded frame: where, how wide, what it holds. */
struct layout_field {
	long off;		/* from the frame's start; negative: from its end */
	unsigned width;		/* 1, 2, 4 or 8 bytes, big-endian; 0: text */
	uint64_t val;
	const char *text;	/* width 0: these bytes, without their NUL */
};

#define F(o, w, v)	{ .off = (o), .width = (w), .val = (v) }
#define TEXT(o, t)	{ .off = (o), .text = (t) }
#define FIELDS(...)							\
	.fields = (const struct layout_field[]){ __VA_ARGS__ },		\
	.n_fields = sizeof((const struct layout_field[]){ __VA_ARGS__ }) / \
		    sizeof(struct layout_field)

/*
 * A sample's encoding, as docs/control.md lists it: its type, its length
 * and some of its fields, besides the header every frame has (magic, the
 * length field equal to the length, the sample's seq).  A row each.
 */
struct layout_case {
	const char *name;
	bool record;
	int sample;
	uint16_t type;
	size_t len;
	const struct layout_field *fields;
	size_t n_fields;
};

static const struct layout_case layout_cases[] = {
	{ .name = "DEATH request layout", .sample = R_DEATH, .type = 4,
	  .len = P + 4 + 2 * 20,
	  FIELDS(TEXT(0, "CCTL"), F(4, 2, 0x0102),
		 F(P, 2, 1),			/* WAIT */
		 F(P + 2, 2, 2), F(P + 4, 1, 4),
		 F(P + 8, 4, 0xc6120064),	/* 198.18.0.100 */
		 F(P + 24, 1, 6), F(P + 28, 1, 0xfd)) },
	{ .name = "EVENTS request layout", .sample = R_EVENTS, .type = 3, .len = P + 4,
	  FIELDS(F(P, 2, 12)) },
	{ .name = "CANCEL request layout", .sample = R_CANCEL, .type = 6, .len = P + 16,
	  FIELDS(F(P, 4, 3), F(P + 4, 8, 0x0102030405060708ull), F(P + 12, 4, 9)) },
	{ .name = "PING request layout", .sample = R_PING, .type = 1, .len = P,
	  .n_fields = 0 },
	{ .name = "END record layout", .record = true, .sample = C_END, .type = 0x8001,
	  .len = P + 4 + sizeof("not in the group") - 1,
	  FIELDS(F(P, 2, 1), F(P + 2, 2, 16), TEXT(P + 4, "not in the group")) },
	{ .name = "STATUS record layout", .record = true, .sample = C_STATUS,
	  .type = 0x8002,
	  .len = P + 44 + 2 + 8 * COORD_REFUSAL_COUNT + 2 + 8 * COORD_CODEC_ERROR_COUNT +
		 2 + 8 * COORD_CTL_CC_COUNT + 2 + 5 + 2 + 5 + 32,
	  FIELDS(F(P, 4, 2), F(P + 4, 4, 4242), F(P + 8, 8, 1764032400123456ull),
		 F(P + 16, 2, 0x0100), F(P + 18, 2, 0x5), F(P + 20, 1, 2),
		 F(P + 24, 4, 10000), F(P + 28, 2, 3), F(P + 30, 2, 1),
		 F(P + 32, 2, 7), F(P + 34, 2, 1), F(P + 36, 8, 123456789),
		 F(P + 44, 2, COORD_REFUSAL_COUNT), F(P + 46, 8, 1000),
		 /* minor 1: the local server, the last 32 bytes */
		 F(-32, 1, COORD_CTL_LOCAL_HUNG), F(-31, 1, COORD_CTL_HOW_HEARTBEAT),
		 F(-30, 1, 0x3), F(-29, 1, 0), F(-28, 4, 31337), F(-24, 8, 2500000),
		 F(-16, 8, UINT64_MAX), F(-8, 4, 5000), F(-4, 4, 77)) },
	{ .name = "MEMBER record layout", .record = true, .sample = C_MEMBER,
	  .type = 0x8003, .len = P + 28 + 3 * 20,
	  FIELDS(F(P + 16, 2, 0x5), F(P + 18, 2, 3), F(P + 20, 8, 5000000),
		 F(P + 28, 1, 4)) },
	{ .name = "EVENT record layout", .record = true, .sample = C_EVENT,
	  .type = 0x8004, .len = P + 92 + 20,
	  FIELDS(F(P, 4, 2), F(P + 12, 4, 7), F(P + 16, 1, 1), F(P + 17, 1, 4),
		 F(P + 18, 1, 3), F(P + 19, 1, 2), F(P + 20, 4, 2),
		 F(P + 24, 4, 0xffffffff), F(P + 28, 2, 4), F(P + 30, 2, 2),
		 F(P + 32, 8, 1), F(P + 40, 8, 2), F(P + 48, 8, UINT64_MAX),
		 F(P + 56, 8, 4), F(P + 64, 8, UINT64_MAX), F(P + 72, 8, 10000000),
		 F(P + 80, 8, 7), F(P + 88, 2, 1), F(P + 92, 1, 4)) },
	{ .name = "SURVIVOR record layout", .record = true, .sample = C_SURVIVOR,
	  .type = 0x8005, .len = P + 50 + sizeof("org.freedesktop.DBus.Error") - 1,
	  FIELDS(F(P + 16, 4, 3), F(P + 20, 4, 303), F(P + 24, 8, 333),
		 F(P + 32, 1, 2),		/* answered */
		 F(P + 33, 1, COORD_ACK_GRACE_FAILED), F(P + 34, 1, 1),
		 F(P + 36, 4, 5123), F(P + 40, 8, 6000), F(P + 48, 2, 26)) },
};

#undef F
#undef TEXT
#undef FIELDS

static void test_layout_case(void **state)
{
	const struct layout_case *c = *state;
	uint8_t buf[COORD_CTL_MAX_RECORD];
	size_t len = sample_encode(c->record, c->sample, buf, sizeof(buf));

	if (len != c->len)
		fail_msg("%s: %zu bytes, expected %zu", c->name, len, c->len);
	assert_int_equal(get32(buf), 0x4343544c);
	assert_int_equal(get16(buf + 6), c->type);
	assert_int_equal(get32(buf + 8), len);
	assert_int_equal(get32(buf + 12), SEQ);
	for (size_t i = 0; i < c->n_fields; i++) {
		const struct layout_field *f = &c->fields[i];
		size_t off = f->off < 0 ? len - (size_t)-f->off : (size_t)f->off;
		size_t width = f->text ? strlen(f->text) : f->width;

		assert_true(off + width <= len);
		if (f->text && memcmp(buf + off, f->text, width) != 0)
			fail_msg("%s: byte %zu: expected \"%s\"", c->name, off, f->text);
		if (!f->text && get_be(buf + off, f->width) != f->val)
			fail_msg("%s: %u bytes at %zu: expected 0x%llx, got 0x%llx",
				 c->name, f->width, off, (unsigned long long)f->val,
				 (unsigned long long)get_be(buf + off, f->width));
	}
}

/* A minor-0 coordd's STATUS has no local-server fields: they read as unknown. */
static void test_status_from_minor_0(void **state)
{
	uint8_t buf[COORD_CTL_MAX_RECORD];
	struct coord_ctl_record in = rec_sample(C_STATUS), out;
	size_t len = rec_encode(&in, buf, sizeof(buf)) - 32;

	(void)state;
	put16(buf + 4, 0x0100);
	put32(buf + 8, (uint32_t)len);
	expect_code(rec_decode(buf, len, &out), COORD_CODEC_OK, "a minor-0 STATUS");
	assert_int_equal(out.u.status.local_state, COORD_CTL_LOCAL_UNKNOWN);
	assert_int_equal(out.u.status.local_pid, 0);
	assert_true(out.u.status.local_age_us == COORD_CTL_NEVER);
	assert_true(out.u.status.heartbeat_age_us == COORD_CTL_NEVER);
	assert_string_equal(out.u.status.version, "0.1.0");
	/* a minor-1 STATUS cut short is truncated, not minor 0 */
	put16(buf + 4, 0x0101);
	expect_code(rec_decode(buf, len, &out), COORD_CODEC_TRUNCATED,
		    "a minor-1 STATUS without its local fields");
}

/* The largest frames stay under their bounds. */
static void test_largest_frames_fit(void **state)
{
	uint8_t buf[COORD_CTL_MAX_RECORD];
	struct coord_ctl_request req = req_sample(R_DEATH_FULL);
	struct coord_ctl_record rec;
	int i;

	(void)state;
	assert_true(req_encode(&req, buf, sizeof(buf)) <= COORD_CTL_MAX_REQUEST);
	for (i = 0; i < C_COUNT; i++) {
		rec = rec_sample(i);
		assert_true(rec_encode(&rec, buf, sizeof(buf)) <= COORD_CTL_MAX_RECORD);
	}
	rec = rec_sample(C_STATUS_FULL);
	assert_int_equal(rec_encode(&rec, buf, sizeof(buf)),
			 P + 44 + 3 * (2 + 8 * COORD_CTL_MAX_COUNTERS) + 2 * (2 + 64) + 32);
	rec = rec_sample(C_EVENT_FULL);
	assert_int_equal(rec_encode(&rec, buf, sizeof(buf)), P + 92 + 16 * 20);
}

/* ---- the encoder's refusals ---- */

static void test_encode_refuses(void **state)
{
	uint8_t buf[COORD_CTL_MAX_RECORD];
	struct coord_ctl_request req = req_sample(R_DEATH);
	struct coord_ctl_record rec;
	size_t len, cap;

	(void)state;
	req.u.death.n_vips = COORD_MAX_VIPS + 1;
	expect_code(coord_ctl_request_encode(&req, buf, sizeof(buf)), COORD_CODEC_BOUND,
		    "encoding 17 VIPs");
	req.type = COORD_CTL_REC_END;
	expect_code(coord_ctl_request_encode(&req, buf, sizeof(buf)), COORD_CODEC_BAD_TYPE,
		    "encoding a record type as a request");
	rec = rec_sample(C_STATUS);
	rec.u.status.n_wire = COORD_CTL_MAX_COUNTERS + 1;
	expect_code(coord_ctl_record_encode(&rec, buf, sizeof(buf)), COORD_CODEC_BOUND,
		    "encoding 33 counters");
	rec = rec_sample(C_EVENT);
	rec.u.event.n_vips = COORD_MAX_VIPS + 1;
	expect_code(coord_ctl_record_encode(&rec, buf, sizeof(buf)), COORD_CODEC_BOUND,
		    "encoding an event with 17 VIPs");
	rec.type = COORD_CTL_PING;
	expect_code(coord_ctl_record_encode(&rec, buf, sizeof(buf)), COORD_CODEC_BAD_TYPE,
		    "encoding a request type as a record");
	/* Every capacity short of the frame is refused, none overflows. */
	for (int i = 0; i < C_COUNT; i++) {
		rec = rec_sample(i);
		len = rec_encode(&rec, buf, sizeof(buf));
		for (cap = 0; cap < len; cap++) {
			uint8_t *small = malloc(cap ? cap : 1);

			expect_code(coord_ctl_record_encode(&rec, small, cap),
				    COORD_CODEC_NO_SPACE, "a buffer one byte short or less");
			free(small);
		}
	}
}

static void test_encode_ignores_version(void **state)
{
	uint8_t buf[COORD_CTL_MAX_RECORD];
	struct coord_ctl_record rec = rec_sample(C_END);

	(void)state;
	rec.version = 0x0907;
	rec_encode(&rec, buf, sizeof(buf));
	assert_int_equal(get16(buf + 4), COORD_CTL_VERSION);
}

/* ---- names ---- */

static void test_names(void **state)
{
	char buf[64];
	int i, j;

	(void)state;
	for (i = 0; i < COORD_CODEC_ERROR_COUNT; i++) {
		assert_string_not_equal(coord_ctl_strerror(-i), "unknown error");
		for (j = 0; j < i; j++)
			assert_string_not_equal(coord_ctl_strerror(-i), coord_ctl_strerror(-j));
	}
	assert_string_equal(coord_ctl_strerror(-COORD_CODEC_ERROR_COUNT), "unknown error");
	assert_string_equal(coord_ctl_strerror(1), "unknown error");
	for (i = 0; i < COORD_CTL_STATUS_COUNT; i++) {
		assert_string_not_equal(coord_ctl_status_name(i), "unknown");
		for (j = 0; j < i; j++)
			assert_string_not_equal(coord_ctl_status_name(i),
						coord_ctl_status_name(j));
	}
	assert_string_equal(coord_ctl_status_name(COORD_CTL_STATUS_COUNT), "unknown");
	assert_string_equal(coord_ctl_status_name(COORD_CTL_EVENT_FAILED), "event-failed");
	for (i = COORD_EVENT_SENT; i <= COORD_EVENT_JOIN_WAIT; i++)
		assert_string_not_equal(coord_event_state_name(i), "unknown");
	assert_string_equal(coord_event_state_name(12), "unknown");
	assert_false(coord_event_state_final(COORD_EVENT_JOIN_WAIT));
	assert_false(coord_event_state_final(COORD_EVENT_SENT));
	assert_false(coord_event_state_final(COORD_EVENT_HELD));
	assert_true(coord_event_state_final(COORD_EVENT_RELEASED));
	assert_true(coord_event_state_final(COORD_EVENT_DONE));
	assert_false(coord_event_state_final(11));
	for (i = 0; i < COORD_REFUSAL_COUNT; i++)
		assert_non_null(coord_refusal_name(i));
	assert_null(coord_refusal_name(COORD_REFUSAL_COUNT));
	for (i = 0; i < COORD_CTL_CC_COUNT; i++)
		assert_non_null(coord_ctl_control_counter_name(i));
	assert_null(coord_ctl_control_counter_name(COORD_CTL_CC_COUNT));
	assert_string_equal(coord_ctl_type_name(COORD_CTL_DEATH), "death");
	assert_string_equal(coord_ctl_type_name(COORD_CTL_REC_SURVIVOR), "survivor");
	assert_string_equal(coord_ctl_type_name(77), "unknown");
	/* coordctl's own names: one per value, "unknown" outside. */
	assert_string_equal(coord_policy_name(COORD_POLICY_RELEASE), "release");
	assert_string_equal(coord_policy_name(COORD_POLICY_HOLD), "hold");
	assert_string_equal(coord_policy_name(0), "unknown");
	assert_int_equal(coord_policy_parse("hold"), COORD_POLICY_HOLD);
	assert_int_equal(coord_policy_parse("release"), COORD_POLICY_RELEASE);
	assert_int_equal(coord_policy_parse("unknown"), 0);
	assert_int_equal(coord_policy_parse("Hold"), 0);
	assert_false(coord_policy_known(0));
	assert_true(coord_policy_known(COORD_POLICY_HOLD));
	assert_false(coord_policy_known(UINT8_MAX));
	coord_policy_choices(buf, sizeof(buf));
	assert_string_equal(buf, "release or hold");
	coord_policy_choices(buf, 9);
	assert_string_equal(buf, "release ");
	coord_policy_choices(buf, 0);
	assert_string_equal(coord_target_why_name(COORD_TARGET_UNKNOWN), "unknown");
	assert_string_equal(coord_target_why_name(COORD_TARGET_GRACE_PENDING),
			    "grace-pending");
	assert_string_equal(coord_target_why_name(7), "unknown");
	for (i = COORD_SURVIVOR_WAITING; i <= COORD_SURVIVOR_INCOMPATIBLE; i++) {
		assert_string_not_equal(coord_survivor_state_name(i), "unknown");
		for (j = COORD_SURVIVOR_WAITING; j < i; j++)
			assert_string_not_equal(coord_survivor_state_name(i),
						coord_survivor_state_name(j));
	}
	assert_string_equal(coord_survivor_state_name(0), "unknown");
	assert_string_equal(coord_survivor_state_name(6), "unknown");
	for (i = COORD_LEAVE_JOIN; i <= COORD_LEAVE_PROCDOWN; i++) {
		assert_string_not_equal(coord_leave_reason_name(i), "unknown");
		for (j = COORD_LEAVE_JOIN; j < i; j++)
			assert_string_not_equal(coord_leave_reason_name(i),
						coord_leave_reason_name(j));
	}
	assert_string_equal(coord_leave_reason_name(COORD_LEAVE_NODEDOWN), "nodedown");
	assert_string_equal(coord_leave_reason_name(6), "unknown");
}

/* ---- METRICS and TEXT (minor 1) ---- */

static void test_text_record(void **state)
{
	uint8_t buf[COORD_CTL_MAX_RECORD];
	struct coord_ctl_request req = { .type = COORD_CTL_METRICS, .seq = SEQ };
	struct coord_ctl_record rec = { .type = COORD_CTL_REC_TEXT, .seq = SEQ }, got;
	int len;

	(void)state;
	len = coord_ctl_request_encode(&req, buf, sizeof(buf));
	assert_int_equal(len, P);
	assert_int_equal(get16(buf + 6), 7);
	expect_code(req_decode(buf, (size_t)len, &req), COORD_CODEC_OK, "METRICS");
	assert_int_equal(req.type, COORD_CTL_METRICS);

	memcpy(rec.u.text.text, "# TYPE a counter\na\t1\n..", 22);
	rec.u.text.len = 22;
	len = coord_ctl_record_encode(&rec, buf, sizeof(buf));
	assert_int_equal(len, P + 2 + 22);
	assert_int_equal(get16(buf + 6), 0x8006);
	assert_int_equal(get16(buf + P), 22);
	expect_code(rec_decode(buf, (size_t)len, &got), COORD_CODEC_OK, "TEXT");
	assert_int_equal(got.u.text.len, 22);
	assert_memory_equal(got.u.text.text, rec.u.text.text, 22);
	assert_int_equal(got.u.text.text[22], '\0');

	/* Hostile: a control byte, a NUL, a length over the bound or the frame. */
	buf[P + 2 + 3] = 0x1b;
	expect_code(rec_decode(buf, (size_t)len, &got), COORD_CODEC_BAD_FIELD, "ESC in TEXT");
	buf[P + 2 + 3] = 0;
	expect_code(rec_decode(buf, (size_t)len, &got), COORD_CODEC_BAD_FIELD, "NUL in TEXT");
	buf[P + 2 + 3] = 'P';
	put16(buf + P, COORD_CTL_TEXT_MAX + 1);
	expect_code(rec_decode(buf, (size_t)len, &got), COORD_CODEC_BOUND, "TEXT over its bound");
	put16(buf + P, 23);
	expect_code(rec_decode(buf, (size_t)len, &got), COORD_CODEC_TRUNCATED,
		    "TEXT longer than its frame");

	/* The encoder refuses what the decoder would. */
	rec.u.text.len = COORD_CTL_TEXT_MAX + 1;
	assert_int_equal(coord_ctl_record_encode(&rec, buf, sizeof(buf)), COORD_CODEC_BOUND);
	rec.u.text.len = 3;
	memcpy(rec.u.text.text, "a\rb", 3);
	assert_int_equal(coord_ctl_record_encode(&rec, buf, sizeof(buf)), COORD_CODEC_BAD_FIELD);
	/* The largest TEXT fits a record. */
	memset(rec.u.text.text, 'x', COORD_CTL_TEXT_MAX);
	rec.u.text.len = COORD_CTL_TEXT_MAX;
	len = coord_ctl_record_encode(&rec, buf, sizeof(buf));
	assert_true(len > 0 && len <= COORD_CTL_MAX_RECORD);
	assert_string_equal(coord_ctl_type_name(COORD_CTL_METRICS), "metrics");
	assert_string_equal(coord_ctl_type_name(COORD_CTL_REC_TEXT), "text");
}

int main(void)
{
	static const struct CMUnitTest header[] = {
		cmocka_unit_test(test_header_short),
		cmocka_unit_test(test_header_fields),
	}, others[] = {
		cmocka_unit_test(test_unknown_types),
		cmocka_unit_test(test_newer_minor_version),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_trailing),
		cmocka_unit_test(test_newer_minor_flags),
		cmocka_unit_test(test_status_from_minor_0),
		cmocka_unit_test(test_round_trip_requests),
		cmocka_unit_test(test_round_trip_records),
		cmocka_unit_test(test_largest_frames_fit),
		cmocka_unit_test(test_encode_refuses),
		cmocka_unit_test(test_encode_ignores_version),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_text_record),
	};
	struct CMUnitTest tests[N_ELEMS(header) + N_ELEMS(patch_cases) +
				N_ELEMS(layout_cases) + N_ELEMS(others)];
	size_t n = 0;

	ADD_TESTS(tests, n, header);
	ADD_ROW_TESTS(tests, n, patch_cases, test_patch_case, NULL, NULL);
	ADD_TESTS(tests, n, others);
	ADD_ROW_TESTS(tests, n, layout_cases, test_layout_case, NULL, NULL);
	return _cmocka_run_group_tests("ctl", tests, n, NULL, NULL);
}
