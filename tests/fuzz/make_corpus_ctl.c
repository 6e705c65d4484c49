/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writes the seed corpus of fuzz_ctl into a directory: every request and
 * every record, at their boundary sizes, then broken ones, one per
 * decode error, for the fuzzer to mutate from.
 *
 *	make_corpus_ctl tests/fuzz/corpus/ctl
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coord/ctl.h"

static const char *dir;
static const struct coord_event_id event = { 2, 1764032400123456ull, 7 };

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

static size_t req_put(const char *name, const struct coord_ctl_request *r, uint8_t *buf)
{
	int len = coord_ctl_request_encode(r, buf, COORD_CTL_MAX_REQUEST);

	if (len < 0) {
		fprintf(stderr, "make_corpus_ctl: %s: %s\n", name, coord_ctl_strerror(len));
		exit(1);
	}
	put(name, buf, (size_t)len);
	return (size_t)len;
}

static size_t rec_put(const char *name, const struct coord_ctl_record *r, uint8_t *buf)
{
	int len = coord_ctl_record_encode(r, buf, COORD_CTL_MAX_RECORD);

	if (len < 0) {
		fprintf(stderr, "make_corpus_ctl: %s: %s\n", name, coord_ctl_strerror(len));
		exit(1);
	}
	put(name, buf, (size_t)len);
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

static void be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void requests(uint8_t *buf)
{
	struct coord_ctl_request r;
	size_t len;

	memset(&r, 0, sizeof(r));
	r.seq = 1;
	r.type = COORD_CTL_PING;
	req_put("req-ping", &r, buf);
	r.type = COORD_CTL_STATUS;
	req_put("req-status", &r, buf);
	r.type = COORD_CTL_UP;
	req_put("req-up", &r, buf);
	r.type = COORD_CTL_METRICS;
	req_put("req-metrics", &r, buf);
	r.type = COORD_CTL_EVENTS;
	r.u.events.last = 10;
	req_put("req-events", &r, buf);
	memset(&r.u, 0, sizeof(r.u));
	r.type = COORD_CTL_CANCEL;
	r.u.cancel.id = event;
	req_put("req-cancel", &r, buf);
	memset(&r.u, 0, sizeof(r.u));
	r.type = COORD_CTL_DEATH;
	req_put("req-death-0vips", &r, buf);
	r.u.death.flags = COORD_CTL_DEATH_WAIT;
	r.u.death.n_vips = 2;
	vips(r.u.death.vips, 2);
	len = req_put("req-death-wait-2vips", &r, buf);

	/* From a newer minor: an unknown flag and a field appended. */
	buf[5] = COORD_CTL_MINOR + 1;
	be16(buf + 16, 0x8000 | COORD_CTL_DEATH_WAIT);
	memset(buf + len, 0xab, 4);
	be32(buf + 8, (uint32_t)len + 4);
	put("req-death-newer-minor", buf, len + 4);
	buf[5] = COORD_CTL_MINOR;
	put("broken-req-trailing-flag", buf, len + 4);

	r.u.death.n_vips = COORD_MAX_VIPS;
	vips(r.u.death.vips, COORD_MAX_VIPS);
	len = req_put("req-death-maxvips", &r, buf);

	/* Broken: one fault each, from the DEATH with every VIP. */
	put("broken-short-header", buf, COORD_CTL_HEADER_LEN - 1);
	put("broken-length", buf, len - 1);
	be32(buf + 8, (uint32_t)len - 1);
	put("broken-truncated", buf, len - 1);
	be32(buf + 8, (uint32_t)len);
	buf[0] ^= 0xff;
	put("broken-magic", buf, len);
	buf[0] ^= 0xff;
	buf[4] = COORD_CTL_MAJOR + 1;
	put("broken-version", buf, len);
	buf[4] = COORD_CTL_MAJOR;
	be16(buf + 6, 0x8009);
	put("broken-type", buf, len);
	be16(buf + 6, COORD_CTL_DEATH);
	be16(buf + 18, COORD_MAX_VIPS + 1);
	put("broken-bound", buf, len);
	be16(buf + 18, COORD_MAX_VIPS);
	buf[20] = 5;		/* VIP family */
	put("broken-field", buf, len);
	buf[20] = 4;
	buf[21] = 1;		/* VIP reserved */
	put("broken-reserved", buf, len);
	buf[21] = 0;
	be32(buf + 12, 0);
	put("broken-seq-zero", buf, len);
}

static void records(uint8_t *buf)
{
	struct coord_ctl_record r;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.seq = 1;
	r.type = COORD_CTL_REC_END;
	rec_put("rec-end-empty", &r, buf);
	r.u.end.status = COORD_CTL_EVENT_FAILED;
	snprintf(r.u.end.message, sizeof(r.u.end.message),
		 "held by policy after the deadline; not confirmed in grace: 3 (no answer)");
	rec_put("rec-end-failed", &r, buf);
	memset(r.u.end.message, 'm', COORD_CTL_MESSAGE_MAX);
	rec_put("rec-end-maxmessage", &r, buf);

	memset(&r.u, 0, sizeof(r.u));
	r.type = COORD_CTL_REC_STATUS;
	r.u.status.nodeid = 1;
	r.u.status.pid = 4242;
	r.u.status.incarnation = event.incarnation;
	r.u.status.proto_version = 0x0100;
	r.u.status.flags = COORD_CTL_ST_FLAGS_KNOWN;
	r.u.status.policy = 1;
	r.u.status.deadline_ms = 10000;
	r.u.status.n_members = 3;
	r.u.status.n_engine = COORD_REFUSAL_COUNT;
	r.u.status.n_wire = COORD_CODEC_ERROR_COUNT;
	r.u.status.n_control = COORD_CTL_CC_COUNT;
	for (i = 0; i < COORD_REFUSAL_COUNT; i++)
		r.u.status.engine[i] = i * 1000;
	snprintf(r.u.status.group, sizeof(r.u.status.group), "coord");
	snprintf(r.u.status.version, sizeof(r.u.status.version), "0.1.0");
	r.u.status.local_state = COORD_CTL_LOCAL_HUNG;
	r.u.status.local_how = COORD_CTL_HOW_HEARTBEAT;
	r.u.status.local_flags = COORD_CTL_LOCAL_FLAGS_KNOWN;
	r.u.status.local_pid = 31337;
	r.u.status.local_age_us = 2500000;
	r.u.status.heartbeat_age_us = COORD_CTL_NEVER;
	r.u.status.heartbeat_timeout_ms = 5000;
	r.u.status.heartbeats = 77;
	rec_put("rec-status", &r, buf);
	r.u.status.n_engine = r.u.status.n_wire = r.u.status.n_control =
		COORD_CTL_MAX_COUNTERS;
	memset(r.u.status.group, 'g', COORD_CTL_NAME_MAX);
	rec_put("rec-status-max", &r, buf);

	memset(&r.u, 0, sizeof(r.u));
	r.type = COORD_CTL_REC_MEMBER;
	r.u.member.nodeid = 3;
	r.u.member.pid = 303;
	r.u.member.flags = COORD_CTL_MEMBER_SELF | COORD_CTL_MEMBER_HELLO_SEEN;
	r.u.member.n_vips = 2;
	vips(r.u.member.vips, 2);
	rec_put("rec-member", &r, buf);

	memset(&r.u, 0, sizeof(r.u));
	r.type = COORD_CTL_REC_EVENT;
	r.u.event.id = event;
	r.u.event.reason = 1;
	r.u.event.state = COORD_EVENT_WAITING;
	r.u.event.flags = COORD_CTL_EVENT_LOCAL_ORIGIN;
	r.u.event.n_survivors = 3;
	r.u.event.n_waiting = 1;
	r.u.event.complete_us = r.u.event.release_us = r.u.event.ended_us =
		r.u.event.retry_us = COORD_CTL_NEVER;
	r.u.event.deadline_us = 10000000;
	r.u.event.n_vips = 1;
	vips(r.u.event.vips, 1);
	rec_put("rec-event-waiting", &r, buf);
	r.u.event.state = COORD_EVENT_RELEASE_FAILED;
	r.u.event.release_status = -1;
	r.u.event.n_vips = COORD_MAX_VIPS;
	vips(r.u.event.vips, COORD_MAX_VIPS);
	rec_put("rec-event-maxvips", &r, buf);

	memset(&r.u, 0, sizeof(r.u));
	r.type = COORD_CTL_REC_SURVIVOR;
	r.u.survivor.event = event;
	r.u.survivor.nodeid = 3;
	r.u.survivor.state = 2;
	r.u.survivor.result = 2;
	r.u.survivor.flags = COORD_CTL_SURVIVOR_LATE;
	r.u.survivor.at_us = 1234;
	snprintf(r.u.survivor.detail, sizeof(r.u.survivor.detail),
		 "org.freedesktop.DBus.Error.NoReply");
	rec_put("rec-survivor", &r, buf);
	memset(r.u.survivor.detail, 'd', COORD_DETAIL_MAX);
	rec_put("rec-survivor-maxdetail", &r, buf);

	/* 1.1: the Prometheus text in pieces. */
	memset(&r.u, 0, sizeof(r.u));
	r.type = COORD_CTL_REC_TEXT;
	r.u.text.len = (uint16_t)snprintf(r.u.text.text, sizeof(r.u.text.text),
					  "# TYPE coord_members gauge\ncoord_members\t3\n");
	rec_put("rec-text", &r, buf);
	memset(r.u.text.text, 'm', COORD_CTL_TEXT_MAX);
	r.u.text.len = COORD_CTL_TEXT_MAX;
	rec_put("rec-text-max", &r, buf);
}

int main(int argc, char **argv)
{
	static uint8_t buf[COORD_CTL_MAX_RECORD + 64];

	if (argc != 2) {
		fprintf(stderr, "usage: make_corpus_ctl directory\n");
		return 2;
	}
	dir = argv[1];
	requests(buf);
	records(buf);
	return 0;
}
