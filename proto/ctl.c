/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control protocol codec: explicit big-endian encoding of requests
 * and reply records, and one decoding pipeline for untrusted bytes:
 * length >= header, magic, major version, header length == bytes given,
 * type of the right side, then the payload, every count and string
 * bounded before it is used, reserved bits zero.  No I/O, no allocation.
 * Written with the cursor codec (cursor.h), which also encodes the VIPs
 * and event ids, as the CPG wire does.
 */
#include <string.h>

#include "coord/ctl.h"
#include "cursor.h"

#define HDR_LENGTH	8	/* the header's length field, 4 bytes */

/*
 * A newer minor may set flag bits we do not know: they are dropped, as
 * its appended fields are, so what we decoded always re-encodes to a
 * frame we accept.  From the same minor an unknown bit is an error.
 */
static uint32_t known_flags(struct reader *r, uint32_t flags, uint32_t known, bool newer)
{
	if ((flags & ~known) && !newer)
		reader_fail(r, COORD_CODEC_BAD_FIELD);
	return flags & known;
}

/* u16 length, then that many bytes, no NUL among them. */
static void put_string(struct writer *w, const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	put_u16(w, (uint16_t)n);
	put_bytes(w, s, n);
}

static void get_string(struct reader *r, char *out, size_t max)
{
	uint16_t n = get_u16(r);
	const uint8_t *q;

	out[0] = '\0';
	if (r->err)
		return;
	if (n > max) {
		reader_fail(r, COORD_CODEC_BOUND);
		return;
	}
	q = get_bytes(r, n);
	if (!q)
		return;
	if (memchr(q, '\0', n)) {
		reader_fail(r, COORD_CODEC_BAD_FIELD);
		return;
	}
	memcpy(out, q, n);
	out[n] = '\0';
}

/* A VIP count, bounded before any VIP is read. */
static uint16_t get_vip_count(struct reader *r)
{
	uint16_t n = get_u16(r);

	if (n > COORD_MAX_VIPS) {
		reader_fail(r, COORD_CODEC_BOUND);
		return 0;
	}
	return n;
}

/* ---- frames ---- */

static void put_header(struct writer *w, uint16_t type, uint32_t seq)
{
	put_u32(w, COORD_CTL_MAGIC);
	put_u16(w, COORD_CTL_VERSION);
	put_u16(w, type);
	put_u32(w, 0);			/* length: written by finish() */
	put_u32(w, seq);
}

static int finish(struct writer *w)
{
	if (w->overflow || w->len > INT32_MAX)
		return COORD_CODEC_NO_SPACE;
	put_be32(w->p + HDR_LENGTH, (uint32_t)w->len);
	return (int)w->len;
}

int coord_ctl_header_decode(const uint8_t *buf, size_t len, struct coord_ctl_header *h)
{
	struct reader r = { .p = buf, .len = len };

	if (len < COORD_CTL_HEADER_LEN)
		return COORD_CODEC_TRUNCATED;
	h->magic = get_u32(&r);
	h->version = get_u16(&r);
	h->type = get_u16(&r);
	h->length = get_u32(&r);
	h->seq = get_u32(&r);
	if (h->magic != COORD_CTL_MAGIC)
		return COORD_CODEC_BAD_MAGIC;
	if (h->version >> 8 != COORD_CTL_MAJOR)
		return COORD_CODEC_BAD_VERSION;
	if (h->length < COORD_CTL_HEADER_LEN)
		return COORD_CODEC_LENGTH_MISMATCH;
	return COORD_CODEC_OK;
}

/* The common start of both decoders: the header, against the bytes given;
 * the frame's version, type and sequence number are the message's. */
static int frame_open(const uint8_t *buf, size_t len, size_t max, struct reader *r,
		      uint16_t *version, uint16_t *type, uint32_t *seq)
{
	struct coord_ctl_header h;
	int err = coord_ctl_header_decode(buf, len, &h);

	if (err < 0)
		return err;
	if (h.length != len)
		return COORD_CODEC_LENGTH_MISMATCH;
	if (len > max)
		return COORD_CODEC_BOUND;
	*version = h.version;
	*type = h.type;
	*seq = h.seq;
	*r = (struct reader){ .p = buf, .len = len, .off = COORD_CTL_HEADER_LEN };
	return COORD_CODEC_OK;
}

static bool newer_minor(uint16_t version)
{
	return (version & 0xff) > COORD_CTL_MINOR;
}

/* ---- requests ---- */

int coord_ctl_request_encode(const struct coord_ctl_request *req, uint8_t *buf, size_t cap)
{
	struct writer w = { .p = buf, .cap = cap };

	put_header(&w, req->type, req->seq);
	switch (req->type) {
	case COORD_CTL_PING:
	case COORD_CTL_STATUS:
	case COORD_CTL_UP:
	case COORD_CTL_METRICS:
		break;
	case COORD_CTL_EVENTS:
		put_u16(&w, req->u.events.last);
		put_u16(&w, 0);
		break;
	case COORD_CTL_DEATH:
	case COORD_CTL_GIVE_UP:
	case COORD_CTL_TAKE_OVER:
		if (req->u.death.n_vips > COORD_MAX_VIPS)
			return COORD_CODEC_BOUND;
		put_u16(&w, req->u.death.flags);
		put_u16(&w, req->u.death.n_vips);
		put_vips(&w, req->u.death.vips, req->u.death.n_vips);
		break;
	case COORD_CTL_CANCEL:
		put_event_id(&w, &req->u.cancel.id);
		break;
	default:
		return COORD_CODEC_BAD_TYPE;
	}
	if (!w.overflow && w.len > COORD_CTL_MAX_REQUEST)
		return COORD_CODEC_BOUND;
	return finish(&w);
}

int coord_ctl_request_decode(const uint8_t *buf, size_t len, struct coord_ctl_request *req)
{
	struct reader r;
	bool newer;
	int err;

	memset(req, 0, sizeof(*req));
	err = frame_open(buf, len, COORD_CTL_MAX_REQUEST, &r, &req->version, &req->type,
			 &req->seq);
	if (err < 0)
		return err;
	newer = newer_minor(req->version);
	switch (req->type) {
	case COORD_CTL_PING:
	case COORD_CTL_STATUS:
	case COORD_CTL_UP:
	case COORD_CTL_METRICS:
		break;
	case COORD_CTL_EVENTS:
		req->u.events.last = get_u16(&r);
		get_reserved(&r, 2);
		break;
	case COORD_CTL_DEATH:
	case COORD_CTL_GIVE_UP:
	case COORD_CTL_TAKE_OVER:
		req->u.death.flags = (uint16_t)known_flags(&r, get_u16(&r),
							   COORD_CTL_DEATH_FLAGS_KNOWN, newer);
		req->u.death.n_vips = get_vip_count(&r);
		get_vips(&r, req->u.death.vips, req->u.death.n_vips);
		/* A handover or take-over names its VIPs: no default. */
		if (!r.err && req->type != COORD_CTL_DEATH && req->u.death.n_vips == 0)
			reader_fail(&r, COORD_CODEC_BAD_FIELD);
		break;
	case COORD_CTL_CANCEL:
		get_event_id(&r, &req->u.cancel.id);
		if (!r.err && (req->u.cancel.id.origin == 0 ||
			       req->u.cancel.id.incarnation == 0))
			reader_fail(&r, COORD_CODEC_BAD_FIELD);
		break;
	default:
		return COORD_CODEC_BAD_TYPE;
	}
	/* Sequence 0 marks the server's own refusals (docs/control.md). */
	if (!r.err && req->seq == 0)
		reader_fail(&r, COORD_CODEC_BAD_FIELD);
	return reader_end(&r, newer);
}

/* ---- records ---- */

static void put_status(struct writer *w, const struct coord_ctl_status_rec *s)
{
	uint16_t i;

	put_u32(w, s->nodeid);
	put_u32(w, s->pid);
	put_u64(w, s->incarnation);
	put_u16(w, s->proto_version);
	put_u16(w, s->flags);
	put_u8(w, s->policy);
	put_u8(w, s->target);
	put_u16(w, 0);
	put_u32(w, s->deadline_ms);
	put_u16(w, s->n_members);
	put_u16(w, s->n_pending);
	put_u16(w, s->n_events);
	put_u16(w, s->n_clients);
	put_u64(w, s->uptime_us);
	put_u16(w, s->n_engine);
	for (i = 0; i < s->n_engine; i++)
		put_u64(w, s->engine[i]);
	put_u16(w, s->n_wire);
	for (i = 0; i < s->n_wire; i++)
		put_u64(w, s->wire[i]);
	put_u16(w, s->n_control);
	for (i = 0; i < s->n_control; i++)
		put_u64(w, s->control[i]);
	put_string(w, s->group, COORD_CTL_NAME_MAX);
	put_string(w, s->version, COORD_CTL_NAME_MAX);
	/* minor 1 */
	put_u8(w, s->local_state);
	put_u8(w, s->local_how);
	put_u8(w, s->local_flags);
	put_u8(w, 0);
	put_u32(w, s->local_pid);
	put_u64(w, s->local_age_us);
	put_u64(w, s->heartbeat_age_us);
	put_u32(w, s->heartbeat_timeout_ms);
	put_u32(w, s->heartbeats);
}

static uint16_t get_counters(struct reader *r, uint64_t *out)
{
	uint16_t n = get_u16(r), i;

	if (n > COORD_CTL_MAX_COUNTERS) {
		reader_fail(r, COORD_CODEC_BOUND);
		return 0;
	}
	for (i = 0; i < n; i++)
		out[i] = get_u64(r);
	return r->err ? 0 : n;
}

static void get_status(struct reader *r, struct coord_ctl_status_rec *s, bool newer,
		       unsigned minor)
{
	s->nodeid = get_u32(r);
	s->pid = get_u32(r);
	s->incarnation = get_u64(r);
	s->proto_version = get_u16(r);
	s->flags = (uint16_t)known_flags(r, get_u16(r), COORD_CTL_ST_FLAGS_KNOWN, newer);
	s->policy = get_u8(r);
	s->target = get_u8(r);
	get_reserved(r, 2);
	s->deadline_ms = get_u32(r);
	s->n_members = get_u16(r);
	s->n_pending = get_u16(r);
	s->n_events = get_u16(r);
	s->n_clients = get_u16(r);
	s->uptime_us = get_u64(r);
	s->n_engine = get_counters(r, s->engine);
	s->n_wire = get_counters(r, s->wire);
	s->n_control = get_counters(r, s->control);
	get_string(r, s->group, COORD_CTL_NAME_MAX);
	get_string(r, s->version, COORD_CTL_NAME_MAX);
	if (minor < 1) {
		s->local_age_us = s->heartbeat_age_us = COORD_CTL_NEVER;
		return;
	}
	s->local_state = get_u8(r);
	s->local_how = get_u8(r);
	s->local_flags = (uint8_t)known_flags(r, get_u8(r), COORD_CTL_LOCAL_FLAGS_KNOWN, newer);
	get_reserved(r, 1);
	s->local_pid = get_u32(r);
	s->local_age_us = get_u64(r);
	s->heartbeat_age_us = get_u64(r);
	s->heartbeat_timeout_ms = get_u32(r);
	s->heartbeats = get_u32(r);
}

static void put_member(struct writer *w, const struct coord_ctl_member *m)
{
	put_u32(w, m->nodeid);
	put_u32(w, m->pid);
	put_u64(w, m->incarnation);
	put_u16(w, m->flags);
	put_u16(w, m->n_vips);
	put_u64(w, m->member_for_us);
	put_vips(w, m->vips, m->n_vips);
}

static void get_member(struct reader *r, struct coord_ctl_member *m, bool newer)
{
	m->nodeid = get_u32(r);
	m->pid = get_u32(r);
	m->incarnation = get_u64(r);
	m->flags = (uint16_t)known_flags(r, get_u16(r), COORD_CTL_MEMBER_FLAGS_KNOWN, newer);
	m->n_vips = get_vip_count(r);
	m->member_for_us = get_u64(r);
	get_vips(r, m->vips, m->n_vips);
}

static void put_event(struct writer *w, const struct coord_ctl_event *e)
{
	put_event_id(w, &e->id);
	put_u8(w, e->reason);
	put_u8(w, e->state);
	put_u8(w, e->flags);
	put_u8(w, e->release_outcome);
	put_u32(w, e->release_attempts);
	put_u32(w, (uint32_t)e->release_status);
	put_u16(w, e->n_survivors);
	put_u16(w, e->n_waiting);
	put_u64(w, e->age_us);
	put_u64(w, e->report_us);
	put_u64(w, e->complete_us);
	put_u64(w, e->release_us);
	put_u64(w, e->ended_us);
	put_u64(w, e->deadline_us);
	put_u64(w, e->retry_us);
	put_u16(w, e->n_vips);
	put_u16(w, 0);
	put_vips(w, e->vips, e->n_vips);
}

static void get_event(struct reader *r, struct coord_ctl_event *e, bool newer)
{
	get_event_id(r, &e->id);
	e->reason = get_u8(r);
	e->state = get_u8(r);
	e->flags = (uint8_t)known_flags(r, get_u8(r), COORD_CTL_EVENT_FLAGS_KNOWN, newer);
	e->release_outcome = get_u8(r);
	e->release_attempts = get_u32(r);
	e->release_status = (int32_t)get_u32(r);
	e->n_survivors = get_u16(r);
	e->n_waiting = get_u16(r);
	if (!r->err && e->n_waiting > e->n_survivors)
		reader_fail(r, COORD_CODEC_BAD_FIELD);
	e->age_us = get_u64(r);
	e->report_us = get_u64(r);
	e->complete_us = get_u64(r);
	e->release_us = get_u64(r);
	e->ended_us = get_u64(r);
	e->deadline_us = get_u64(r);
	e->retry_us = get_u64(r);
	e->n_vips = get_vip_count(r);
	get_reserved(r, 2);
	get_vips(r, e->vips, e->n_vips);
}

static void put_survivor(struct writer *w, const struct coord_ctl_survivor *s)
{
	put_event_id(w, &s->event);
	put_u32(w, s->nodeid);
	put_u32(w, s->pid);
	put_u64(w, s->incarnation);
	put_u8(w, s->state);
	put_u8(w, s->result);
	put_u8(w, s->flags);
	put_u8(w, s->leave_reason);
	put_u32(w, s->grace_latency_us);
	put_u64(w, s->at_us);
	put_string(w, s->detail, COORD_DETAIL_MAX);
}

static void get_survivor(struct reader *r, struct coord_ctl_survivor *s, bool newer)
{
	get_event_id(r, &s->event);
	s->nodeid = get_u32(r);
	s->pid = get_u32(r);
	s->incarnation = get_u64(r);
	s->state = get_u8(r);
	s->result = get_u8(r);
	s->flags = (uint8_t)known_flags(r, get_u8(r), COORD_CTL_SURVIVOR_FLAGS_KNOWN, newer);
	s->leave_reason = get_u8(r);
	s->grace_latency_us = get_u32(r);
	s->at_us = get_u64(r);
	get_string(r, s->detail, COORD_DETAIL_MAX);
}

/* TEXT: u16 length, then that many bytes of printable ASCII, tab, newline. */
static bool text_byte_ok(uint8_t c)
{
	return c == '\t' || c == '\n' || (c >= 0x20 && c <= 0x7e);
}

static int put_text(struct writer *w, const struct coord_ctl_text *t)
{
	uint16_t i;

	if (t->len > COORD_CTL_TEXT_MAX)
		return COORD_CODEC_BOUND;
	for (i = 0; i < t->len; i++)
		if (!text_byte_ok((uint8_t)t->text[i]))
			return COORD_CODEC_BAD_FIELD;
	put_u16(w, t->len);
	put_bytes(w, t->text, t->len);
	return 0;
}

static void get_text(struct reader *r, struct coord_ctl_text *t)
{
	const uint8_t *q;
	uint16_t i;

	t->len = get_u16(r);
	if (r->err)
		return;
	if (t->len > COORD_CTL_TEXT_MAX) {
		reader_fail(r, COORD_CODEC_BOUND);
		return;
	}
	q = get_bytes(r, t->len);
	if (!q)
		return;
	for (i = 0; i < t->len; i++)
		if (!text_byte_ok(q[i])) {
			reader_fail(r, COORD_CODEC_BAD_FIELD);
			return;
		}
	memcpy(t->text, q, t->len);
	t->text[t->len] = '\0';
}

static int record_encode(const struct coord_ctl_record *rec, uint32_t seq,
			 uint8_t *buf, size_t cap)
{
	struct writer w = { .p = buf, .cap = cap };
	const struct coord_ctl_status_rec *st = &rec->u.status;

	put_header(&w, rec->type, seq);
	switch (rec->type) {
	case COORD_CTL_REC_END:
		put_u16(&w, rec->u.end.status);
		put_string(&w, rec->u.end.message, COORD_CTL_MESSAGE_MAX);
		break;
	case COORD_CTL_REC_STATUS:
		if (st->n_engine > COORD_CTL_MAX_COUNTERS ||
		    st->n_wire > COORD_CTL_MAX_COUNTERS ||
		    st->n_control > COORD_CTL_MAX_COUNTERS)
			return COORD_CODEC_BOUND;
		put_status(&w, st);
		break;
	case COORD_CTL_REC_MEMBER:
		if (rec->u.member.n_vips > COORD_MAX_VIPS)
			return COORD_CODEC_BOUND;
		put_member(&w, &rec->u.member);
		break;
	case COORD_CTL_REC_EVENT:
		if (rec->u.event.n_vips > COORD_MAX_VIPS)
			return COORD_CODEC_BOUND;
		put_event(&w, &rec->u.event);
		break;
	case COORD_CTL_REC_SURVIVOR:
		put_survivor(&w, &rec->u.survivor);
		break;
	case COORD_CTL_REC_TEXT: {
		int err = put_text(&w, &rec->u.text);

		if (err < 0)
			return err;
		break;
	}
	default:
		return COORD_CODEC_BAD_TYPE;
	}
	if (!w.overflow && w.len > COORD_CTL_MAX_RECORD)
		return COORD_CODEC_BOUND;
	return finish(&w);
}

int coord_ctl_record_encode(const struct coord_ctl_record *rec, uint8_t *buf, size_t cap)
{
	return record_encode(rec, rec->seq, buf, cap);
}

int coord_ctl_reply_encode(const struct coord_ctl_record *rec, uint32_t seq,
			   uint8_t *buf, size_t cap)
{
	return record_encode(rec, seq, buf, cap);
}

int coord_ctl_record_decode(const uint8_t *buf, size_t len, struct coord_ctl_record *rec)
{
	struct reader r;
	bool newer;
	int err;

	memset(rec, 0, sizeof(*rec));
	err = frame_open(buf, len, COORD_CTL_MAX_RECORD, &r, &rec->version, &rec->type,
			 &rec->seq);
	if (err < 0)
		return err;
	newer = newer_minor(rec->version);
	switch (rec->type) {
	case COORD_CTL_REC_END:
		rec->u.end.status = get_u16(&r);
		get_string(&r, rec->u.end.message, COORD_CTL_MESSAGE_MAX);
		break;
	case COORD_CTL_REC_STATUS:
		get_status(&r, &rec->u.status, newer, rec->version & 0xffu);
		break;
	case COORD_CTL_REC_MEMBER:
		get_member(&r, &rec->u.member, newer);
		break;
	case COORD_CTL_REC_EVENT:
		get_event(&r, &rec->u.event, newer);
		break;
	case COORD_CTL_REC_SURVIVOR:
		get_survivor(&r, &rec->u.survivor, newer);
		break;
	case COORD_CTL_REC_TEXT:
		get_text(&r, &rec->u.text);
		break;
	default:
		return COORD_CODEC_BAD_TYPE;
	}
	return reader_end(&r, newer);
}

/* ---- names ---- */

const char *coord_ctl_strerror(int err)
{
	static const char *const text[COORD_CODEC_ERROR_COUNT] = {
		[-COORD_CODEC_OK] = "ok",
		[-COORD_CODEC_TRUNCATED] = "truncated frame",
		[-COORD_CODEC_BAD_MAGIC] = "bad magic (not a coord control frame)",
		[-COORD_CODEC_BAD_VERSION] = "unsupported control protocol version",
		[-COORD_CODEC_BAD_TYPE] = "unknown frame type",
		[-COORD_CODEC_LENGTH_MISMATCH] = "header length does not match the frame",
		[-COORD_CODEC_BOUND] = "a count or length is over its bound",
		[-COORD_CODEC_BAD_FIELD] = "a field has an invalid value",
		[-COORD_CODEC_RESERVED] = "a reserved field is not zero",
		[-COORD_CODEC_TRAILING] = "trailing bytes after the payload",
		[-COORD_CODEC_NO_SPACE] = "buffer too small",
	};

	return err <= 0 && err > -COORD_CODEC_ERROR_COUNT ? text[-err] : "unknown error";
}

const char *coord_ctl_local_state_name(uint8_t state)
{
	static const char *const names[COORD_CTL_LOCAL_STATE_COUNT] = {
		[COORD_CTL_LOCAL_UNKNOWN] = "unknown",
		[COORD_CTL_LOCAL_OFF] = "not-watched",
		[COORD_CTL_LOCAL_UP] = "up",
		[COORD_CTL_LOCAL_DOWN] = "down",
		[COORD_CTL_LOCAL_HUNG] = "hung",
		[COORD_CTL_LOCAL_STARTING] = "starting",
	};

	return state < COORD_CTL_LOCAL_STATE_COUNT ? names[state] : "unknown";
}

const char *coord_ctl_local_how_name(uint8_t how)
{
	static const char *const names[COORD_CTL_LOCAL_HOW_COUNT] = {
		[COORD_CTL_HOW_NONE] = "none",
		[COORD_CTL_HOW_BUS_NAME] = "bus-name",
		[COORD_CTL_HOW_HEARTBEAT] = "heartbeat",
		[COORD_CTL_HOW_KILLED] = "killed-when-hung",
		[COORD_CTL_HOW_CONTROL] = "coordctl",
		[COORD_CTL_HOW_RESTARTED] = "restart-ridden-out",
	};

	return how < COORD_CTL_LOCAL_HOW_COUNT ? names[how] : "unknown";
}

const char *coord_ctl_type_name(uint16_t type)
{
	switch (type) {
	case COORD_CTL_PING: return "ping";
	case COORD_CTL_STATUS: return "status";
	case COORD_CTL_EVENTS: return "events";
	case COORD_CTL_DEATH: return "death";
	case COORD_CTL_UP: return "up";
	case COORD_CTL_CANCEL: return "cancel";
	case COORD_CTL_METRICS: return "metrics";
	case COORD_CTL_GIVE_UP: return "give-up";
	case COORD_CTL_TAKE_OVER: return "take-over";
	case COORD_CTL_REC_END: return "end";
	case COORD_CTL_REC_STATUS: return "status-record";
	case COORD_CTL_REC_MEMBER: return "member";
	case COORD_CTL_REC_EVENT: return "event";
	case COORD_CTL_REC_SURVIVOR: return "survivor";
	case COORD_CTL_REC_TEXT: return "text";
	}
	return "unknown";
}

const char *coord_ctl_status_name(uint16_t status)
{
	static const char *const names[COORD_CTL_STATUS_COUNT] = {
		[COORD_CTL_OK] = "ok",
		[COORD_CTL_NOT_JOINED] = "not-joined",
		[COORD_CTL_TABLE_FULL] = "table-full",
		[COORD_CTL_NO_SUCH_EVENT] = "no-such-event",
		[COORD_CTL_NOT_PERMITTED] = "not-permitted",
		[COORD_CTL_BAD_REQUEST] = "bad-request",
		[COORD_CTL_TOO_LARGE] = "too-large",
		[COORD_CTL_EVENT_FAILED] = "event-failed",
		[COORD_CTL_INTERNAL] = "internal",
		[COORD_CTL_BUSY] = "busy",
		[COORD_CTL_NOT_ORIGIN] = "not-origin",
		[COORD_CTL_NOT_CANCELLABLE] = "not-cancellable",
		[COORD_CTL_TIMED_OUT] = "timed-out",
		[COORD_CTL_NOT_TARGET] = "not-target",
	};

	return status < COORD_CTL_STATUS_COUNT ? names[status] : "unknown";
}

const char *coord_ctl_wire_counter_name(unsigned int i)
{
	static const char *const names[COORD_CODEC_ERROR_COUNT] = {
		"ok", "truncated", "bad_magic", "bad_version", "bad_type",
		"length_mismatch", "bound", "bad_field", "reserved", "trailing",
		"no_space",
	};

	return i < COORD_CODEC_ERROR_COUNT ? names[i] : NULL;
}

const char *coord_ctl_control_counter_name(unsigned int i)
{
	static const char *const names[COORD_CTL_CC_COUNT] = {
		"accepted", "requests", "not_permitted", "bad_request",
		"too_large", "timed_out", "dropped_slow", "busy",
		"accept_paused",
	};

	return i < COORD_CTL_CC_COUNT ? names[i] : NULL;
}
