/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hostile_peer: a CPG client that joins coordd's group and sends bad
 * messages, for the lab (tests/lab/cases/test_hostile.sh).  Not a coordd.
 *
 *   hostile_peer [-g GROUP] [-n COUNT] [-p MS] [-o NODE] [-I INC]
 *                [-c FILE] [-r FILE] [-H FILE] KIND
 *
 * It joins, sends COUNT messages of KIND (agreed order), waits until CPG
 * delivered every one of them back to itself (so every member has them),
 * then leaves cleanly (cpg_leave) unless -H names a file: then it stays
 * until that file exists.  Prints "sent COUNT KIND" and exits 0.
 *
 * Well-formed parts come from the real encoder (proto/wire.c), then the
 * bytes are corrupted; the header is big-endian, 24 bytes (docs/protocol.md).
 * Every message has this process's node id as its header sender, and its
 * own incarnation (wall-clock microseconds, as coordd picks one), except
 * where KIND says otherwise.
 *
 * Malformed (the codec refuses; coordd counts wire errors):
 *   short            20 bytes: less than a header            truncated
 *   truncated        an ACK cut to 40 bytes, length field 40 truncated
 *   bad-magic        magic 0xdeadbeef                         bad_magic
 *   bad-version      version 2.0                              bad_version
 *   bad-type         type 9                                   bad_type
 *   length-mismatch  length field one more than the bytes     length_mismatch
 *   bound            a HELLO announcing 17 VIPs (max 16)      bound
 *   oversized        a 4096-byte HELLO (364 is the largest)   trailing
 *   bad-field        an ACK with result 0                     bad_field
 *   reserved         an ACK with its reserved byte set        reserved
 *   death-other-origin  a DEATH from this node whose event names node -o
 *                    as its origin                            bad_field
 * Well-formed (the engine refuses):
 *   unknown-ack      an ACK for event 1.1.424242, which nobody has
 *                                                             unknown_event
 *   death-other-sender  a DEATH of node -o (incarnation -I), header sender
 *                    -o: CPG says this node sent it           rejected_sender
 *   death-borrowed   a DEATH of this node with incarnation -I (this node's
 *                    coordd's), from another process          rejected_incarnation
 *   replay-ack       the message in -r FILE, byte for byte    rejected_sender
 *                    (when it was captured from another node)
 *   replay-ack-stale first an unknown-ack with incarnation (the replayed
 *                    one + 1), then the -r message re-signed with this
 *                    node's id and its original, older incarnation:
 *                    an older incarnation of the same member  rejected_incarnation
 * Other:
 *   capture-ack      send nothing; write the first ACK delivered from node
 *                    -o to -c FILE (raw bytes), then leave
 *   listen           send nothing; stay until -H FILE exists or SIGTERM
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <corosync/cpg.h>

#include "coord/wire.h"

#define BIG_LEN	4096

static cpg_handle_t handle;
static uint32_t my_nodeid, my_pid;
static bool joined, left;
static unsigned long self_delivered;
static volatile sig_atomic_t stopping;

/* capture-ack */
static uint32_t capture_from;
static const char *capture_file;
static bool captured;

static uint64_t realtime_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void put_be16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xff; }
static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v & 0xffff);
}
static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint64_t get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

static void on_deliver(cpg_handle_t h, const struct cpg_name *name, uint32_t nodeid,
		       uint32_t pid, void *msg, size_t len)
{
	const uint8_t *b = msg;

	(void)h; (void)name;
	if (nodeid == my_nodeid && pid == my_pid) {
		self_delivered++;
		return;
	}
	if (capture_file && !captured && nodeid == capture_from && len >= 8 &&
	    get_be32(b) == COORD_WIRE_MAGIC && b[6] == 0 && b[7] == COORD_MSG_ACK) {
		FILE *f = fopen(capture_file, "w");

		if (!f || fwrite(b, 1, len, f) != len || fclose(f) != 0) {
			perror(capture_file);
			exit(1);
		}
		captured = true;
	}
}

static void on_confchg(cpg_handle_t h, const struct cpg_name *name,
		       const struct cpg_address *members, size_t n_members,
		       const struct cpg_address *gone, size_t n_left,
		       const struct cpg_address *came, size_t n_joined)
{
	size_t i;

	(void)h; (void)name; (void)came; (void)n_joined;
	for (i = 0; i < n_members; i++)
		if (members[i].nodeid == my_nodeid && members[i].pid == my_pid)
			joined = true;
	for (i = 0; i < n_left; i++)
		if (gone[i].nodeid == my_nodeid && gone[i].pid == my_pid)
			left = true;
}

/* Dispatches for up to ms milliseconds (or until *done). */
static void dispatch(int ms, const bool *done)
{
	int fd;
	struct pollfd p;

	if (cpg_fd_get(handle, &fd) != CS_OK) {
		fprintf(stderr, "hostile_peer: cpg_fd_get failed\n");
		exit(1);
	}
	p.fd = fd;
	p.events = POLLIN;
	do {
		p.revents = 0;
		if (poll(&p, 1, ms < 100 ? ms : 100) > 0 &&
		    cpg_dispatch(handle, CS_DISPATCH_ALL) != CS_OK) {
			fprintf(stderr, "hostile_peer: cpg_dispatch failed\n");
			exit(1);
		}
		ms -= 100;
	} while (ms > 0 && !(done && *done) && !stopping);
}

static void mcast(const uint8_t *buf, size_t len)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	cs_error_t err;
	int tries = 0;

	while ((err = cpg_mcast_joined(handle, CPG_TYPE_AGREED, &iov, 1)) ==
	       CS_ERR_TRY_AGAIN && tries++ < 10000)
		dispatch(1, NULL);	/* flow control: let deliveries drain */
	if (err != CS_OK) {
		fprintf(stderr, "hostile_peer: cpg_mcast_joined: error %d\n", err);
		exit(1);
	}
}

static size_t encode(const struct coord_msg *m, uint8_t *buf)
{
	int len = coord_msg_encode(m, buf, BIG_LEN);

	if (len < 0) {
		fprintf(stderr, "hostile_peer: encode: %s\n", coord_wire_strerror(len));
		exit(1);
	}
	return (size_t)len;
}

static struct coord_msg base(uint16_t type, uint64_t incarnation)
{
	struct coord_msg m;

	memset(&m, 0, sizeof(m));
	m.version = COORD_PROTO_VERSION;
	m.type = type;
	m.sender = my_nodeid;
	m.incarnation = incarnation;
	return m;
}

static struct coord_msg unknown_ack(uint64_t incarnation)
{
	struct coord_msg m = base(COORD_MSG_ACK, incarnation);

	m.u.ack.id.origin = 1;
	m.u.ack.id.incarnation = 1;
	m.u.ack.id.seq = 424242;
	m.u.ack.result = COORD_ACK_IN_GRACE;
	return m;
}

static size_t read_file(const char *path, uint8_t *buf)
{
	FILE *f = path ? fopen(path, "r") : NULL;
	size_t len;

	if (!f) {
		fprintf(stderr, "hostile_peer: cannot read the replay file (-r)\n");
		exit(2);
	}
	len = fread(buf, 1, BIG_LEN, f);
	fclose(f);
	if (len < COORD_WIRE_HEADER_LEN) {
		fprintf(stderr, "hostile_peer: %s: not a coord message\n", path);
		exit(2);
	}
	return len;
}

struct opts {
	uint32_t other;			/* -o */
	uint64_t incarnation;		/* -I */
	const char *replay;		/* -r */
};

/* Builds the message of kind into buf; returns its length, 0 if unknown. */
static size_t build(const char *kind, const struct opts *o, uint64_t inc, uint8_t *buf)
{
	struct coord_msg m;
	size_t len;

	if (!strcmp(kind, "short")) {
		m = base(COORD_MSG_HELLO, inc);
		encode(&m, buf);
		return 20;
	}
	if (!strcmp(kind, "truncated")) {
		m = unknown_ack(inc);
		encode(&m, buf);
		put_be32(buf + 8, 40);
		return 40;
	}
	if (!strcmp(kind, "bad-magic") || !strcmp(kind, "bad-version") ||
	    !strcmp(kind, "bad-type") || !strcmp(kind, "length-mismatch")) {
		m = base(COORD_MSG_HELLO, inc);
		len = encode(&m, buf);
		if (!strcmp(kind, "bad-magic"))
			put_be32(buf, 0xdeadbeefu);
		else if (!strcmp(kind, "bad-version"))
			put_be16(buf + 4, (COORD_PROTO_MAJOR + 1) << 8);
		else if (!strcmp(kind, "bad-type"))
			put_be16(buf + 6, 9);
		else
			put_be32(buf + 8, (uint32_t)len + 1);
		return len;
	}
	if (!strcmp(kind, "bound")) {
		m = base(COORD_MSG_HELLO, inc);
		len = encode(&m, buf);		/* 32 bytes, no VIP */
		len += (COORD_MAX_VIPS + 1) * 20;
		memset(buf + 32, 0, len - 32);
		put_be16(buf + 28, COORD_MAX_VIPS + 1);
		put_be32(buf + 8, (uint32_t)len);
		return len;
	}
	if (!strcmp(kind, "oversized")) {
		m = base(COORD_MSG_HELLO, inc);
		len = encode(&m, buf);
		memset(buf + len, 0, BIG_LEN - len);
		put_be32(buf + 8, BIG_LEN);
		return BIG_LEN;
	}
	if (!strcmp(kind, "bad-field") || !strcmp(kind, "reserved")) {
		m = unknown_ack(inc);
		len = encode(&m, buf);
		buf[!strcmp(kind, "bad-field") ? 40 : 41] = !strcmp(kind, "bad-field") ? 0 : 1;
		return len;
	}
	if (!strcmp(kind, "death-other-origin")) {
		m = base(COORD_MSG_DEATH, inc);
		m.u.death.id.origin = my_nodeid;
		m.u.death.id.incarnation = inc;
		m.u.death.id.seq = 1;
		m.u.death.reason = COORD_DEATH_REPORTED;
		len = encode(&m, buf);
		put_be32(buf + 24, o->other);	/* id.origin: another node */
		return len;
	}
	if (!strcmp(kind, "unknown-ack")) {
		m = unknown_ack(inc);
		return encode(&m, buf);
	}
	if (!strcmp(kind, "death-other-sender") || !strcmp(kind, "death-borrowed")) {
		uint32_t node = !strcmp(kind, "death-borrowed") ? my_nodeid : o->other;

		m = base(COORD_MSG_DEATH, o->incarnation);
		m.sender = node;
		m.u.death.id.origin = node;
		m.u.death.id.incarnation = o->incarnation;
		m.u.death.id.seq = 999;
		m.u.death.reason = COORD_DEATH_REPORTED;
		return encode(&m, buf);
	}
	if (!strcmp(kind, "replay-ack"))
		return read_file(o->replay, buf);
	if (!strcmp(kind, "replay-ack-stale")) {
		len = read_file(o->replay, buf);
		put_be32(buf + 12, my_nodeid);	/* re-signed; incarnation kept */
		return len;
	}
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: hostile_peer [-g GROUP] [-n COUNT] [-p MS] [-o NODE] "
		"[-I INC] [-c FILE] [-r FILE] [-H FILE] KIND\n"
		"KIND: short truncated bad-magic bad-version bad-type length-mismatch\n"
		"      bound oversized bad-field reserved death-other-origin unknown-ack\n"
		"      death-other-sender death-borrowed replay-ack replay-ack-stale\n"
		"      capture-ack listen (see the top of tests/lab/tools/hostile_peer.c)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	cpg_model_v1_data_t model = {
		.model = CPG_MODEL_V1,
		.cpg_deliver_fn = on_deliver,
		.cpg_confchg_fn = on_confchg,
	};
	const char *group = "ganesha-grace", *hold = NULL, *kind;
	unsigned long count = 1, pause_ms = 0, i;
	struct opts o = { .other = 1 };
	static uint8_t buf[BIG_LEN];
	struct cpg_name name;
	uint64_t inc = realtime_us();
	size_t len = 0;
	int c;

	while ((c = getopt(argc, argv, "g:n:p:o:I:c:r:H:")) != -1) {
		switch (c) {
		case 'g': group = optarg; break;
		case 'n': count = strtoul(optarg, NULL, 10); break;
		case 'p': pause_ms = strtoul(optarg, NULL, 10); break;
		case 'o': o.other = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'I': o.incarnation = strtoull(optarg, NULL, 10); break;
		case 'c': capture_file = optarg; break;
		case 'r': o.replay = optarg; break;
		case 'H': hold = optarg; break;
		default: usage();
		}
	}
	if (optind + 1 != argc || strlen(group) >= CPG_MAX_NAME_LENGTH)
		usage();
	kind = argv[optind];
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	my_pid = (uint32_t)getpid();
	if (cpg_model_initialize(&handle, CPG_MODEL_V1, (cpg_model_data_t *)&model,
				 NULL) != CS_OK ||
	    cpg_local_get(handle, &my_nodeid) != CS_OK) {
		fprintf(stderr, "hostile_peer: cannot connect to corosync\n");
		return 1;
	}
	if (strcmp(kind, "capture-ack") && strcmp(kind, "listen")) {
		len = build(kind, &o, inc, buf);
		if (!len)
			usage();
	} else if (!strcmp(kind, "capture-ack")) {
		if (!capture_file)
			usage();
		capture_from = o.other;
	}
	memset(&name, 0, sizeof(name));
	name.length = (uint32_t)strlen(group);
	memcpy(name.value, group, name.length);
	if (cpg_join(handle, &name) != CS_OK) {
		fprintf(stderr, "hostile_peer: cannot join %s\n", group);
		return 1;
	}
	dispatch(10000, &joined);
	if (!joined) {
		fprintf(stderr, "hostile_peer: never saw its own join\n");
		return 1;
	}

	if (!strcmp(kind, "replay-ack-stale")) {
		/* Pin this member to a newer incarnation than the replayed one. */
		struct coord_msg pin = unknown_ack(get_be64(buf + 16) + 1);
		uint8_t pbuf[COORD_WIRE_MAX_LEN];

		mcast(pbuf, encode(&pin, pbuf));
		self_delivered = 0;
		while (self_delivered < 1 && !stopping)
			dispatch(100, NULL);
		self_delivered = 0;
	}
	for (i = 0; len && i < count && !stopping; i++) {
		mcast(buf, len);
		if (pause_ms)
			dispatch((int)pause_ms, NULL);
	}
	/* Delivered back to us: in the agreed order, every member has them. */
	while (len && self_delivered < count && !stopping)
		dispatch(100, NULL);
	if (!strcmp(kind, "capture-ack"))
		while (!captured && !stopping)
			dispatch(100, &captured);
	while ((hold || !strcmp(kind, "listen")) && !stopping &&
	       (!hold || access(hold, F_OK) != 0))
		dispatch(100, NULL);

	cpg_leave(handle, &name);
	stopping = 0;
	dispatch(5000, &left);
	cpg_finalize(handle);
	printf("sent %lu %s (node %u pid %u)\n", len ? count : 0, kind, my_nodeid, my_pid);
	return 0;
}
