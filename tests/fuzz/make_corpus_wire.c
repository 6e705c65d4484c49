/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writes the seed corpus of fuzz_wire into a directory: valid messages of
 * every type at their boundary sizes, then a few broken ones, one per
 * decode error, for the fuzzer to mutate from.
 *
 *	make_corpus_wire tests/fuzz/corpus/wire
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coord/wire.h"

static const char *dir;

static void put(const char *name, const uint8_t *buf, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static size_t encode(const struct coord_msg *m, uint8_t *buf, size_t cap)
{
	int len = coord_msg_encode(m, buf, cap);

	if (len < 0) {
		fprintf(stderr, "make_corpus_wire: %s: %s\n",
			coord_msg_type_name(m->type), coord_wire_strerror(len));
		exit(1);
	}
	return (size_t)len;
}

static void vips(struct coord_vip *v, uint16_t n)
{
	char text[64];

	for (uint16_t i = 0; i < n; i++) {
		if (i % 2)
			snprintf(text, sizeof(text), "fd00::%u", i);
		else
			snprintf(text, sizeof(text), "198.18.0.%u", 100 + i);
		coord_vip_parse(text, &v[i]);
	}
}

static struct coord_msg base(uint16_t type)
{
	struct coord_msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.sender = 2;
	m.incarnation = 1764032400123456ull;
	return m;
}

static const struct coord_event_id event = { 2, 1764032400123456ull, 7 };

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

int main(int argc, char **argv)
{
	uint8_t buf[COORD_WIRE_MAX_LEN + 64];
	struct coord_msg m;
	size_t len;

	if (argc != 2) {
		fprintf(stderr, "usage: make_corpus_wire directory\n");
		return 2;
	}
	dir = argv[1];

	m = base(COORD_MSG_HELLO);
	put("hello-0vips", buf, encode(&m, buf, sizeof(buf)));
	m.u.hello.flags = COORD_HELLO_SERVER_UP;
	m.u.hello.n_vips = 2;
	vips(m.u.hello.vips, 2);
	put("hello-2vips", buf, encode(&m, buf, sizeof(buf)));
	m.u.hello.n_vips = COORD_MAX_VIPS;
	vips(m.u.hello.vips, COORD_MAX_VIPS);
	put("hello-maxvips", buf, encode(&m, buf, sizeof(buf)));

	m = base(COORD_MSG_DEATH);
	m.u.death.id = event;
	m.u.death.reason = COORD_DEATH_REPORTED;
	put("death-0vips", buf, encode(&m, buf, sizeof(buf)));
	m.u.death.n_vips = 1;
	vips(m.u.death.vips, 1);
	put("death-1vip", buf, encode(&m, buf, sizeof(buf)));
	m.u.death.reason = COORD_DEATH_NODE_LEFT;
	m.u.death.n_vips = COORD_MAX_VIPS;
	vips(m.u.death.vips, COORD_MAX_VIPS);
	put("death-maxvips", buf, encode(&m, buf, sizeof(buf)));

	m = base(COORD_MSG_ACK);
	m.u.ack.id = event;
	m.u.ack.id.origin = 5;
	m.u.ack.result = COORD_ACK_IN_GRACE;
	m.u.ack.grace_latency_us = 4200;
	put("ack-nodetail", buf, encode(&m, buf, sizeof(buf)));
	m.u.ack.result = COORD_ACK_GRACE_FAILED;
	strcpy(m.u.ack.detail, "org.freedesktop.DBus.Error.NoReply");
	m.u.ack.detail_len = (uint16_t)strlen(m.u.ack.detail);
	put("ack-detail", buf, encode(&m, buf, sizeof(buf)));
	for (int i = 0; i < COORD_DETAIL_MAX; i++)
		m.u.ack.detail[i] = (char)(0x20 + i % 95);
	m.u.ack.detail_len = COORD_DETAIL_MAX;
	put("ack-maxdetail", buf, encode(&m, buf, sizeof(buf)));

	m = base(COORD_MSG_RELEASE);
	m.u.release.id = event;
	m.u.release.outcome = COORD_RELEASE_CONFIRMED;
	put("release-confirmed", buf, encode(&m, buf, sizeof(buf)));
	m.u.release.outcome = COORD_RELEASE_FAILED;
	m.u.release.status = -1;
	put("release-failed", buf, encode(&m, buf, sizeof(buf)));

	m = base(COORD_MSG_CANCEL);
	m.u.cancel.id = event;
	m.u.cancel.reason = COORD_CANCEL_ADMIN;
	len = encode(&m, buf, sizeof(buf));
	put("cancel", buf, len);

	/* From a newer minor, with a field appended. */
	memset(buf + len, 0xab, 8);
	be32(buf + 8, (uint32_t)len + 8);
	buf[5] = COORD_PROTO_MINOR + 1;
	put("cancel-newer-minor-trailing", buf, len + 8);
	buf[5] = COORD_PROTO_MINOR;
	put("broken-cancel-trailing", buf, len + 8);

	/* Broken: one fault each, starting from a valid HELLO. */
	m = base(COORD_MSG_HELLO);
	m.u.hello.n_vips = 2;
	vips(m.u.hello.vips, 2);
	len = encode(&m, buf, sizeof(buf));
	put("broken-short-header", buf, COORD_WIRE_HEADER_LEN - 1);
	put("broken-length", buf, len - 1);
	be32(buf + 8, (uint32_t)len - 1);
	put("broken-truncated", buf, len - 1);
	be32(buf + 8, (uint32_t)len);
	buf[0] ^= 0xff;
	put("broken-magic", buf, len);
	buf[0] ^= 0xff;
	buf[4] = COORD_PROTO_MAJOR + 1;
	put("broken-version", buf, len);
	buf[4] = COORD_PROTO_MAJOR;
	buf[7] = 9;
	put("broken-type", buf, len);
	buf[7] = COORD_MSG_HELLO;
	buf[COORD_WIRE_HEADER_LEN + 5] = COORD_MAX_VIPS + 1;
	put("broken-bound", buf, len);
	buf[COORD_WIRE_HEADER_LEN + 5] = 2;
	buf[COORD_WIRE_HEADER_LEN + 8] = 5;	/* VIP family */
	put("broken-field", buf, len);
	buf[COORD_WIRE_HEADER_LEN + 8] = 4;
	buf[COORD_WIRE_HEADER_LEN + 9] = 1;	/* VIP reserved */
	put("broken-reserved", buf, len);
	return 0;
}
