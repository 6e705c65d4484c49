/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cursor codec both protocols in proto/ are written with: a writer and
 * a reader that move along a byte buffer, check every bound and keep the
 * first error, so that a codec reads as the list of its fields in order.
 * Integers go through bytes.h.  The fields both protocols carry, a VIP
 * and an event id, are encoded and checked here, once.
 *
 * A writer out of room sets overflow and writes nothing more.  A reader
 * that failed (TRUNCATED, or an error its codec latched with reader_fail)
 * reads nothing more and returns zeros: the codec judges err once, at the
 * end, so the first failure in field order is the one reported.
 *
 * The CPG wire judges reserved bytes after every other field
 * (docs/protocol.md, step 10): its reader sets defer_reserved and dirty
 * reserved bits are or-ed into `reserved` for it to judge.  The control
 * protocol judges them in field order, like everything else.
 */
#ifndef COORD_PROTO_CURSOR_H
#define COORD_PROTO_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "coord/wire.h"
#include "bytes.h"

/* ---- the writer ---- */

struct writer {
	uint8_t *p;
	size_t cap, len;
	bool overflow;
};

/* Room for n more bytes, or NULL (and overflow) when there is none. */
static inline uint8_t *put_room(struct writer *w, size_t n)
{
	uint8_t *q;

	if (w->overflow || n > w->cap - w->len) {
		w->overflow = true;
		return NULL;
	}
	q = w->p + w->len;
	w->len += n;
	return q;
}

static inline void put_bytes(struct writer *w, const void *src, size_t n)
{
	uint8_t *q = put_room(w, n);

	if (q && n)
		memcpy(q, src, n);
}

/* n reserved (or not yet known) bytes: zero. */
static inline void put_zero(struct writer *w, size_t n)
{
	uint8_t *q = put_room(w, n);

	if (q && n)
		memset(q, 0, n);
}

static inline void put_u8(struct writer *w, uint8_t v)
{
	uint8_t *q = put_room(w, 1);

	if (q)
		q[0] = v;
}

static inline void put_u16(struct writer *w, uint16_t v)
{
	uint8_t *q = put_room(w, 2);

	if (q)
		put_be16(q, v);
}

static inline void put_u32(struct writer *w, uint32_t v)
{
	uint8_t *q = put_room(w, 4);

	if (q)
		put_be32(q, v);
}

static inline void put_u64(struct writer *w, uint64_t v)
{
	uint8_t *q = put_room(w, 8);

	if (q)
		put_be64(q, v);
}

/* ---- the reader ---- */

struct reader {
	const uint8_t *p;
	size_t len, off;
	int err;			/* the first error: enum coord_codec_error */
	bool defer_reserved;		/* reserved bytes: collect, do not fail */
	unsigned reserved;		/* what was collected, or-ed */
};

static inline void reader_fail(struct reader *r, int err)
{
	if (!r->err)
		r->err = err;
}

/* Fails TRUNCATED unless n more bytes are there; reads nothing. */
static inline void reader_need(struct reader *r, size_t n)
{
	if (!r->err && n > r->len - r->off)
		reader_fail(r, COORD_CODEC_TRUNCATED);
}

/* The next n bytes, or NULL once the reader has failed. */
static inline const uint8_t *get_bytes(struct reader *r, size_t n)
{
	const uint8_t *q;

	reader_need(r, n);
	if (r->err)
		return NULL;
	q = r->p + r->off;
	r->off += n;
	return q;
}

static inline uint8_t get_u8(struct reader *r)
{
	const uint8_t *q = get_bytes(r, 1);

	return q ? q[0] : 0;
}

static inline uint16_t get_u16(struct reader *r)
{
	const uint8_t *q = get_bytes(r, 2);

	return q ? get_be16(q) : 0;
}

static inline uint32_t get_u32(struct reader *r)
{
	const uint8_t *q = get_bytes(r, 4);

	return q ? get_be32(q) : 0;
}

static inline uint64_t get_u64(struct reader *r)
{
	const uint8_t *q = get_bytes(r, 8);

	return q ? get_be64(q) : 0;
}

/* n reserved bytes: RESERVED unless zero (or collected, see above). */
static inline void get_reserved(struct reader *r, size_t n)
{
	const uint8_t *q = get_bytes(r, n);
	unsigned dirty = 0;

	for (size_t i = 0; q && i < n; i++)
		dirty |= q[i];
	if (r->defer_reserved)
		r->reserved |= dirty;
	else if (dirty)
		reader_fail(r, COORD_CODEC_RESERVED);
}

/*
 * The end of a payload: the first error, else TRAILING when bytes are
 * left over from a sender whose minor version is not newer than ours.
 * A newer minor may append fields we do not know: they are dropped.
 */
static inline int reader_end(const struct reader *r, bool sender_newer)
{
	if (r->err)
		return r->err;
	if (r->off != r->len && !sender_newer)
		return COORD_CODEC_TRAILING;
	return COORD_CODEC_OK;
}

/* ---- the fields both protocols carry ---- */

/* An event id, 16 bytes: origin u32, incarnation u64, seq u32. */
static inline void put_event_id(struct writer *w, const struct coord_event_id *id)
{
	put_u32(w, id->origin);
	put_u64(w, id->incarnation);
	put_u32(w, id->seq);
}

static inline void get_event_id(struct reader *r, struct coord_event_id *id)
{
	id->origin = get_u32(r);
	id->incarnation = get_u64(r);
	id->seq = get_u32(r);
}

/* One spelling per address: family 4 or 6, and IPv4's unused bytes zero. */
static inline bool vip_valid(const struct coord_vip *v)
{
	static const uint8_t zero[sizeof(v->addr) - 4];

	switch (v->family) {
	case 4:
		return memcmp(v->addr + 4, zero, sizeof(zero)) == 0;
	case 6:
		return true;
	default:
		return false;
	}
}

/*
 * A VIP, COORD_WIRE_VIP_LEN (20) bytes: family (4 or 6), three reserved
 * zero bytes, 16 address bytes (IPv4 in the first 4, the rest zero).
 */
static inline void put_vip(struct writer *w, const struct coord_vip *v)
{
	uint8_t addr[sizeof(v->addr)] = { 0 };

	put_u8(w, v->family);
	put_zero(w, 3);
	memcpy(addr, v->addr, v->family == 4 ? 4 : sizeof(addr));
	put_bytes(w, addr, sizeof(addr));
}

/* BAD_FIELD for an address that is not valid (vip_valid). */
static inline void get_vip(struct reader *r, struct coord_vip *v)
{
	const uint8_t *addr;

	memset(v, 0, sizeof(*v));
	v->family = get_u8(r);
	get_reserved(r, 3);
	addr = get_bytes(r, sizeof(v->addr));
	if (!addr)
		return;
	memcpy(v->addr, addr, sizeof(v->addr));
	if (!vip_valid(v))
		reader_fail(r, COORD_CODEC_BAD_FIELD);
}

static inline void put_vips(struct writer *w, const struct coord_vip *vips, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		put_vip(w, &vips[i]);
}

/* n <= COORD_MAX_VIPS: the caller checked the count. */
static inline void get_vips(struct reader *r, struct coord_vip *vips, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		get_vip(r, &vips[i]);
}

#endif
