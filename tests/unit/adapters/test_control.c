/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket server, in-process: a real libqb loop, a real unix
 * socket in a temporary directory, real client sockets, and trivial ops
 * behind it.  Hostile and careless clients first (garbage, oversized,
 * half-sent, silent, not reading, not permitted), then many clients, the
 * socket file's rules and the credential helpers.
 *
 * The loop runs in short bursts (run_until) while the test plays the
 * clients between them; nothing sleeps on a fixed delay to pass.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <qb/qbloop.h>
#include <qb/qbutil.h>

#include "coord/ctl.h"
#include "../../../coord/daemon/control.h"
#include "../../../coord/daemon/peercred.h"

/*
 * The socket's group: as root, "daemon", a group "nobody" is not in.  A
 * build without root (the package's: Rules-Requires-Root: no) can give a
 * socket only to a group of its own, and skips the cases that become
 * nobody.
 */
static const char *test_group(void)
{
	static char name[64];
	const struct group *g;

	if (geteuid() == 0)
		return "daemon";
	if (!name[0]) {
		g = getgrgid(getegid());
		snprintf(name, sizeof(name), "%s", g ? g->gr_name : "");
	}
	return name;
}
#define TEST_GROUP	test_group()
#define NOBODY		65534
#define FLOOD_RECORDS	12000		/* ~5 MB of EVENT records */
#define BIG_RECORDS	6000		/* ~2.5 MB: under the queue bound */

/* ---- the server under test, with trivial ops ---- */

struct fixture {
	qb_loop_t *loop;
	struct coord_control *ctl;
	char dir[64];
	char path[128];
	gid_t gid;
	int requests;
	int gone;
	struct coord_control_client *held;	/* a request left open */
	struct coord_control_client *last_gone;
	int flood_sent;
};

static struct fixture *F;

/*
 * PING: END ok "pong".  STATUS: FLOOD_RECORDS EVENT records, then END.
 * EVENTS: BIG_RECORDS records.  UP: left open (no END) until the test
 * decides.  Others: END ok, with the request's name.
 */
static void on_request(void *ctx, struct coord_control_client *c,
		       const struct coord_ctl_request *req)
{
	struct fixture *f = ctx;
	struct coord_ctl_record rec = { .type = COORD_CTL_REC_EVENT };
	int i, n = req->type == COORD_CTL_STATUS ? FLOOD_RECORDS : BIG_RECORDS;

	f->requests++;
	switch (req->type) {
	case COORD_CTL_PING:
		coord_control_end(c, COORD_CTL_OK, "pong");
		return;
	case COORD_CTL_STATUS:
	case COORD_CTL_EVENTS:
		rec.u.event.n_vips = COORD_MAX_VIPS;
		for (i = 0; i < COORD_MAX_VIPS; i++)
			coord_vip_parse("fd00::1", &rec.u.event.vips[i]);
		for (i = 0; i < n; i++) {
			rec.u.event.id.seq = (uint32_t)i;
			if (coord_control_send(c, &rec) < 0)
				return;	/* dropped: stop, as the dispatch does */
			f->flood_sent++;
		}
		coord_control_end(c, COORD_CTL_OK, "flood done");
		return;
	case COORD_CTL_UP:
		f->held = c;
		return;
	default:
		coord_control_end(c, COORD_CTL_OK, coord_ctl_type_name(req->type));
	}
}

static void on_client_gone(void *ctx, struct coord_control_client *c)
{
	struct fixture *f = ctx;

	f->gone++;
	f->last_gone = c;
	if (f->held == c)
		f->held = NULL;
}

static const struct coord_control_ops ops = {
	.request = on_request,
	.client_gone = on_client_gone,
};

static gid_t group_gid(const char *name)
{
	struct group *g = getgrnam(name);

	if (!g)
		fail_msg("this test needs a group named '%s'", name);
	return g->gr_gid;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	snprintf(f->dir, sizeof(f->dir), "/tmp/coord-test-control.XXXXXX");
	if (!mkdtemp(f->dir))
		fail_msg("mkdtemp: %s", strerror(errno));
	snprintf(f->path, sizeof(f->path), "%s/coordd.sock", f->dir);
	f->gid = group_gid(TEST_GROUP);
	f->loop = qb_loop_create();
	assert_non_null(f->loop);
	f->ctl = coord_control_new(f->loop, f->path, TEST_GROUP, &ops, f, err, sizeof(err));
	if (!f->ctl)
		fail_msg("the control socket did not start: %s", err);
	F = f;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	coord_control_free(f->ctl);
	qb_loop_destroy(f->loop);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* ---- running the loop in bursts ---- */

struct run {
	struct fixture *f;
	bool (*done)(void *arg);
	void *arg;
	uint64_t deadline_ms;
	bool met;
	qb_loop_timer_handle timer;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void on_check(void *data)
{
	struct run *r = data;

	if (r->done && r->done(r->arg)) {
		r->met = true;
		qb_loop_stop(r->f->loop);
		return;
	}
	if (mono_ms() >= r->deadline_ms) {
		qb_loop_stop(r->f->loop);
		return;
	}
	qb_loop_timer_add(r->f->loop, QB_LOOP_LOW, 2 * QB_TIME_NS_IN_MSEC, r,
			  on_check, &r->timer);
}

/* Runs the loop until done(arg) or timeout_ms; returns whether done. */
static bool run_until(struct fixture *f, bool (*done)(void *), void *arg,
		      unsigned timeout_ms)
{
	struct run r = { .f = f, .done = done, .arg = arg,
			 .deadline_ms = mono_ms() + timeout_ms };

	qb_loop_timer_add(f->loop, QB_LOOP_LOW, 1 * QB_TIME_NS_IN_MSEC, &r,
			  on_check, &r.timer);
	qb_loop_run(f->loop);
	if (qb_loop_timer_is_running(f->loop, r.timer))
		qb_loop_timer_del(f->loop, r.timer);
	return r.met;
}

static void run_for(struct fixture *f, unsigned ms)
{
	run_until(f, NULL, NULL, ms);
}

/* ---- test clients ---- */

struct tclient {
	int fd;
	uint8_t buf[COORD_CTL_MAX_RECORD * 4];
	size_t len;
	bool eof;
	int records;		/* before the END(s) */
	int ends;
	uint16_t end_status[8];
	uint32_t end_seq[8];
	char end_msg[COORD_CTL_MESSAGE_MAX + 1];
};

static int connect_path(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -errno;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

static struct tclient *tc_connect(struct fixture *f)
{
	struct tclient *c = calloc(1, sizeof(*c));

	c->fd = connect_path(f->path);
	if (c->fd < 0)
		fail_msg("cannot connect to the control socket: %s", strerror(-c->fd));
	return c;
}

static void tc_close(struct tclient *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

static void tc_write(struct tclient *c, const void *buf, size_t len)
{
	ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);

	if (n != (ssize_t)len)
		fail_msg("a test client could not send %zu bytes: %s", len,
			 n < 0 ? strerror(errno) : "short write");
}

static size_t request(uint16_t type, uint32_t seq, uint8_t *buf)
{
	struct coord_ctl_request req = { .type = type, .seq = seq };
	int len = coord_ctl_request_encode(&req, buf, COORD_CTL_MAX_REQUEST);

	assert_true(len > 0);
	return (size_t)len;
}

static void tc_request(struct tclient *c, uint16_t type, uint32_t seq)
{
	uint8_t buf[COORD_CTL_MAX_REQUEST];

	tc_write(c, buf, request(type, seq, buf));
}

/* Reads what is there and decodes every whole record. */
static void tc_pump(struct tclient *c)
{
	struct coord_ctl_header h;
	struct coord_ctl_record rec;
	ssize_t n;
	int err;

	while (!c->eof) {
		n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno == ECONNRESET)) {
			c->eof = true;
			break;
		}
		if (n < 0)
			break;
		c->len += (size_t)n;
		while (coord_ctl_header_decode(c->buf, c->len, &h) == 0 && c->len >= h.length) {
			err = coord_ctl_record_decode(c->buf, h.length, &rec);
			if (err < 0)
				fail_msg("the server sent a record that does not decode: %s",
					 coord_ctl_strerror(err));
			memmove(c->buf, c->buf + h.length, c->len - h.length);
			c->len -= h.length;
			if (rec.type != COORD_CTL_REC_END) {
				c->records++;
				continue;
			}
			if (c->ends < 8) {
				c->end_status[c->ends] = rec.u.end.status;
				c->end_seq[c->ends] = rec.seq;
			}
			c->ends++;
			snprintf(c->end_msg, sizeof(c->end_msg), "%s", rec.u.end.message);
		}
	}
}

static bool got_end(void *arg)
{
	struct tclient *c = arg;

	tc_pump(c);
	return c->ends > 0;
}

static bool got_two_ends(void *arg)
{
	struct tclient *c = arg;

	tc_pump(c);
	return c->ends >= 2;
}

static bool got_eof(void *arg)
{
	struct tclient *c = arg;

	tc_pump(c);
	return c->eof;
}

static void expect_end(struct tclient *c, uint16_t status, uint32_t seq, const char *what)
{
	if (!c->ends)
		fail_msg("%s: no END arrived", what);
	if (c->end_status[0] != status)
		fail_msg("%s: expected END %s, got %s (\"%s\")", what,
			 coord_ctl_status_name(status),
			 coord_ctl_status_name(c->end_status[0]), c->end_msg);
	if (c->end_seq[0] != seq)
		fail_msg("%s: expected the END to carry sequence %u, got %u", what,
			 seq, c->end_seq[0]);
}

static uint64_t counter(struct fixture *f, int which)
{
	return coord_control_counters(f->ctl)->count[which];
}

/* ---- well-behaved clients ---- */

static void test_ping_round_trip(void **state)
{
	struct fixture *f = *state;
	struct tclient *c = tc_connect(f);

	tc_request(c, COORD_CTL_PING, 5);
	if (!run_until(f, got_end, c, 3000))
		fail_msg("no answer to a PING within 3 s");
	expect_end(c, COORD_CTL_OK, 5, "PING");
	assert_string_equal(c->end_msg, "pong");
	assert_int_equal(c->records, 0);
	assert_int_equal(f->requests, 1);
	assert_int_equal(counter(f, COORD_CTL_CC_REQUESTS), 1);
	assert_int_equal(coord_control_counters(f->ctl)->clients, 1);
	/* The connection stays open for another request. */
	tc_request(c, COORD_CTL_PING, 6);
	if (!run_until(f, got_two_ends, c, 3000))
		fail_msg("no answer to a second PING on the same connection");
	assert_int_equal(c->end_seq[1], 6);
	tc_close(c);
}

static void test_pipelined_requests(void **state)
{
	struct fixture *f = *state;
	struct tclient *c = tc_connect(f);
	uint8_t buf[2 * COORD_CTL_MAX_REQUEST];
	size_t len = request(COORD_CTL_PING, 1, buf);

	len += request(COORD_CTL_PING, 2, buf + len);
	tc_write(c, buf, len);
	if (!run_until(f, got_two_ends, c, 3000))
		fail_msg("two PINGs sent in one write: expected two ENDs, got %d", c->ends);
	assert_int_equal(c->end_seq[0], 1);
	assert_int_equal(c->end_seq[1], 2);
	tc_close(c);
}

/* A request left open holds the next one back until its END. */
static void test_pipelined_waits_for_end(void **state)
{
	struct fixture *f = *state;
	struct tclient *c = tc_connect(f);
	uint8_t buf[2 * COORD_CTL_MAX_REQUEST];
	size_t len = request(COORD_CTL_UP, 1, buf);

	len += request(COORD_CTL_PING, 2, buf + len);
	tc_write(c, buf, len);
	run_until(f, got_end, c, 200);
	assert_int_equal(c->ends, 0);
	assert_non_null(f->held);
	assert_int_equal(f->requests, 1);
	coord_control_end(f->held, COORD_CTL_OK, "up done");
	f->held = NULL;
	if (!run_until(f, got_two_ends, c, 3000))
		fail_msg("the PING behind an open request was not answered after its END");
	assert_int_equal(c->end_seq[0], 1);
	assert_int_equal(c->end_seq[1], 2);
	tc_close(c);
}

static void test_half_request_completed_later(void **state)
{
	struct fixture *f = *state;
	struct tclient *c = tc_connect(f);
	struct coord_ctl_request req = { .type = COORD_CTL_DEATH, .seq = 9 };
	uint8_t buf[COORD_CTL_MAX_REQUEST];
	int len;

	req.u.death.n_vips = 2;
	coord_vip_parse("198.18.0.100", &req.u.death.vips[0]);
	coord_vip_parse("fd00::100", &req.u.death.vips[1]);
	len = coord_ctl_request_encode(&req, buf, sizeof(buf));
	assert_int_equal(len, COORD_CTL_HEADER_LEN + 4 + 2 * 20);
	tc_write(c, buf, 10);	/* not even a whole header */
	run_for(f, 100);
	tc_pump(c);
	assert_int_equal(c->ends, 0);
	assert_false(c->eof);
	tc_write(c, buf + 10, 20);	/* header and a part of the payload */
	run_for(f, 50);
	tc_pump(c);
	assert_int_equal(c->ends, 0);
	assert_int_equal(f->requests, 0);
	tc_write(c, buf + 30, (size_t)len - 30);
	if (!run_until(f, got_end, c, 3000))
		fail_msg("a request sent in three pieces was not answered");
	expect_end(c, COORD_CTL_OK, 9, "a request sent in pieces");
	assert_string_equal(c->end_msg, "death");
	assert_int_equal(f->requests, 1);
	tc_close(c);
}

static bool all_ended(void *arg)
{
	struct tclient **cs = arg;
	int i;

	for (i = 0; cs[i]; i++) {
		tc_pump(cs[i]);
		if (!cs[i]->ends)
			return false;
	}
	return true;
}

static void test_hundred_clients(void **state)
{
	struct fixture *f = *state;
	struct tclient *cs[101] = { NULL };
	int i;

	for (i = 0; i < 100; i++)
		cs[i] = tc_connect(f);
	for (i = 0; i < 100; i++)
		tc_request(cs[i], COORD_CTL_PING, 1000 + i);
	if (!run_until(f, all_ended, cs, 10000))
		fail_msg("100 clients at once: not all were answered within 10 s");
	for (i = 0; i < 100; i++) {
		expect_end(cs[i], COORD_CTL_OK, 1000 + i, "one of 100 clients");
		tc_close(cs[i]);
	}
	assert_int_equal(f->requests, 100);
}

static bool gone_count_is(void *arg)
{
	int *want = arg;

	return F->gone >= *want;
}

static void test_too_many_clients(void **state)
{
	struct fixture *f = *state;
	struct tclient *cs[COORD_CONTROL_MAX_CLIENTS + 1] = { NULL }, *extra;
	int i;

	for (i = 0; i < COORD_CONTROL_MAX_CLIENTS; i++) {
		cs[i] = tc_connect(f);
		if (i % 64 == 63)
			run_for(f, 20);	/* let the backlog drain */
	}
	run_for(f, 100);
	assert_int_equal(coord_control_counters(f->ctl)->clients, COORD_CONTROL_MAX_CLIENTS);
	extra = tc_connect(f);
	if (!run_until(f, got_end, extra, 3000))
		fail_msg("client %d got no answer", COORD_CONTROL_MAX_CLIENTS + 1);
	expect_end(extra, COORD_CTL_BUSY, 0, "one client over the limit");
	assert_int_equal(counter(f, COORD_CTL_CC_BUSY), 1);
	tc_close(extra);
	/* Once one leaves, a newcomer is served again. */
	tc_close(cs[0]);
	cs[0] = NULL;
	i = 1;
	if (!run_until(f, gone_count_is, &i, 3000))
		fail_msg("the server did not notice a client closing");
	extra = tc_connect(f);
	tc_request(extra, COORD_CTL_PING, 77);
	if (!run_until(f, got_end, extra, 3000))
		fail_msg("no answer after a slot was freed");
	expect_end(extra, COORD_CTL_OK, 77, "a newcomer after a slot was freed");
	tc_close(extra);
	for (i = 1; i < COORD_CONTROL_MAX_CLIENTS; i++)
		tc_close(cs[i]);
}

/* ---- hostile and careless clients ---- */

static void test_garbage_is_bad_request(void **state)
{
	struct fixture *f = *state;
	struct tclient *bad = tc_connect(f), *good = tc_connect(f);
	static const char garbage[] = "GET / HTTP/1.1\r\nHost: coordd\r\n\r\n";

	tc_write(bad, garbage, sizeof(garbage) - 1);
	tc_request(good, COORD_CTL_PING, 3);
	if (!run_until(f, got_eof, bad, 3000))
		fail_msg("a client sending garbage was not disconnected");
	expect_end(bad, COORD_CTL_BAD_REQUEST, 0, "garbage");
	if (!strstr(bad->end_msg, "magic"))
		fail_msg("the BAD_REQUEST message should say why; it says \"%s\"", bad->end_msg);
	if (!run_until(f, got_end, good, 3000))
		fail_msg("another client was not served next to a garbage sender");
	expect_end(good, COORD_CTL_OK, 3, "a good client next to a bad one");
	assert_int_equal(counter(f, COORD_CTL_CC_BAD_REQUEST), 1);
	assert_int_equal(f->requests, 1);
	tc_close(bad);
	tc_close(good);
	/* And the server keeps accepting. */
	good = tc_connect(f);
	tc_request(good, COORD_CTL_PING, 4);
	if (!run_until(f, got_end, good, 3000))
		fail_msg("the server stopped serving after a garbage sender");
	tc_close(good);
}

static void test_bad_payload_echoes_seq(void **state)
{
	struct fixture *f = *state;
	struct tclient *c = tc_connect(f);
	struct coord_ctl_request req = { .type = COORD_CTL_DEATH, .seq = 42 };
	uint8_t buf[COORD_CTL_MAX_REQUEST];
	int len;

	req.u.death.n_vips = 1;
	coord_vip_parse("198.18.0.100", &req.u.death.vips[0]);
	len = coord_ctl_request_encode(&req, buf, sizeof(buf));
	buf[COORD_CTL_HEADER_LEN + 4] = 9;	/* VIP family 9 */
	tc_write(c, buf, (size_t)len);
	if (!run_until(f, got_eof, c, 3000))
		fail_msg("a client sending a bad DEATH was not disconnected");
	expect_end(c, COORD_CTL_BAD_REQUEST, 42, "a DEATH with VIP family 9");
	assert_int_equal(f->requests, 0);
	tc_close(c);
}

static void test_oversized_is_too_large(void **state)
{
	struct fixture *f = *state;
	struct tclient *c = tc_connect(f);
	uint8_t buf[COORD_CTL_MAX_REQUEST];

	request(COORD_CTL_PING, 8, buf);
	buf[8] = 0; buf[9] = 0; buf[10] = 0x13; buf[11] = 0x88;	/* 5000 bytes */
	tc_write(c, buf, COORD_CTL_HEADER_LEN);
	if (!run_until(f, got_eof, c, 3000))
		fail_msg("a client announcing 5000 bytes was not disconnected");
	expect_end(c, COORD_CTL_TOO_LARGE, 8, "a 5000-byte request");
	assert_int_equal(counter(f, COORD_CTL_CC_TOO_LARGE), 1);
	tc_close(c);
}

static void test_idle_client_times_out(void **state)
{
	struct fixture *f = *state;
	struct tclient *half, *silent, *good;
	uint8_t buf[COORD_CTL_MAX_REQUEST];

	coord_control_set_idle_timeout(f->ctl, 200);
	half = tc_connect(f);
	silent = tc_connect(f);
	good = tc_connect(f);
	request(COORD_CTL_PING, 1, buf);
	tc_write(half, buf, 5);
	tc_request(good, COORD_CTL_PING, 2);
	if (!run_until(f, got_eof, half, 3000))
		fail_msg("a client that sent half a request was not timed out");
	expect_end(half, COORD_CTL_TIMED_OUT, 0, "half a request, then silence");
	if (!run_until(f, got_eof, silent, 3000))
		fail_msg("a client that sent nothing was not timed out");
	expect_end(silent, COORD_CTL_TIMED_OUT, 0, "silence");
	tc_pump(good);
	expect_end(good, COORD_CTL_OK, 2, "the good client");
	/* Idle since its answer, it is timed out too, a little later. */
	if (!run_until(f, got_eof, good, 3000))
		fail_msg("a client idle after its answer was not timed out");
	assert_int_equal(counter(f, COORD_CTL_CC_TIMED_OUT), 3);
	tc_close(half);
	tc_close(silent);
	tc_close(good);
}

static void test_open_request_has_no_timeout(void **state)
{
	struct fixture *f = *state;
	struct tclient *c = tc_connect(f);

	coord_control_set_idle_timeout(f->ctl, 100);
	tc_request(c, COORD_CTL_UP, 1);	/* left open by the ops */
	run_for(f, 400);
	tc_pump(c);
	assert_false(c->eof);
	assert_int_equal(counter(f, COORD_CTL_CC_TIMED_OUT), 0);
	assert_non_null(f->held);
	coord_control_end(f->held, COORD_CTL_OK, "late");
	if (!run_until(f, got_end, c, 3000))
		fail_msg("an END given after 400 ms did not arrive");
	expect_end(c, COORD_CTL_OK, 1, "a long open request");
	tc_close(c);
}

struct pair {
	struct tclient *silent, *good;
};

static bool silent_dropped_and_good_served(void *arg)
{
	struct pair *p = arg;

	tc_pump(p->good);
	return p->good->ends > 0 && counter(F, COORD_CTL_CC_DROPPED_SLOW) == 1;
}

static void test_reader_that_never_reads(void **state)
{
	struct fixture *f = *state;
	struct pair p = { tc_connect(f), tc_connect(f) };
	int rcvbuf = 4096;

	setsockopt(p.silent->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	tc_request(p.silent, COORD_CTL_STATUS, 1);	/* ~5 MB, never read */
	tc_request(p.good, COORD_CTL_PING, 2);
	if (!run_until(f, silent_dropped_and_good_served, &p, 10000))
		fail_msg("expected the silent client dropped (dropped_slow %llu) and the "
			 "other served (%d END)",
			 (unsigned long long)counter(f, COORD_CTL_CC_DROPPED_SLOW),
			 p.good->ends);
	expect_end(p.good, COORD_CTL_OK, 2, "a client next to one that does not read");
	assert_true(f->flood_sent < FLOOD_RECORDS);
	assert_int_equal(f->gone, 1);
	/* The dropped client finds its connection closed. */
	if (!run_until(f, got_eof, p.silent, 5000))
		fail_msg("the dropped client's connection was not closed");
	assert_int_equal(p.silent->ends, 0);
	tc_close(p.silent);
	tc_close(p.good);
}

/* Under the queue's bound, but never reading: dropped once it stalls. */
static void test_stalled_reader_dropped(void **state)
{
	struct fixture *f = *state;
	struct tclient *stalled = tc_connect(f);
	int one = 1, rcvbuf = 4096;

	coord_control_set_idle_timeout(f->ctl, 300);
	setsockopt(stalled->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	tc_request(stalled, COORD_CTL_EVENTS, 1);	/* ~2.5 MB, never read */
	if (!run_until(f, gone_count_is, &one, 5000))
		fail_msg("a client that reads nothing of a 2.5 MB reply was kept "
			 "(dropped_slow %llu)",
			 (unsigned long long)counter(f, COORD_CTL_CC_DROPPED_SLOW));
	assert_int_equal(f->flood_sent, BIG_RECORDS);	/* under the bound */
	assert_int_equal(counter(f, COORD_CTL_CC_DROPPED_SLOW), 1);
	assert_int_equal(counter(f, COORD_CTL_CC_TIMED_OUT), 0);
	tc_close(stalled);
}

/* Slower than the idle timeout in total, but always taking some. */
struct slow {
	struct tclient *c;
	uint64_t started_ms;
};

static bool slow_read_done(void *arg)
{
	struct slow *s = arg;
	uint8_t chunk[2048];
	ssize_t n;

	/*
	 * At most 2 KiB a check (one a millisecond at most): 2.5 MB takes
	 * 1.3 s or more, longer than the 1 s idle limit, in steps of about
	 * 1 ms.  The margin is the limit: the test and the server share one
	 * process, and a machine that stops it for 100 ms (seen under load,
	 * with a 100 ms limit) must not look like a reader that stalled.
	 */
	n = recv(s->c->fd, chunk, sizeof(chunk), MSG_DONTWAIT);
	if (n == 0)
		s->c->eof = true;
	if (n > 0) {
		size_t left = (size_t)n;
		const uint8_t *p = chunk;

		while (left) {
			size_t take = sizeof(s->c->buf) - s->c->len < left ?
				      sizeof(s->c->buf) - s->c->len : left;
			struct coord_ctl_header h;

			memcpy(s->c->buf + s->c->len, p, take);
			s->c->len += take;
			p += take;
			left -= take;
			while (coord_ctl_header_decode(s->c->buf, s->c->len, &h) == 0 &&
			       s->c->len >= h.length) {
				if (h.type == COORD_CTL_REC_END) {
					s->c->ends++;
					s->c->end_status[0] = s->c->buf[16] << 8 | s->c->buf[17];
				} else {
					s->c->records++;
				}
				memmove(s->c->buf, s->c->buf + h.length, s->c->len - h.length);
				s->c->len -= h.length;
			}
		}
	}
	return s->c->ends > 0 || s->c->eof;
}

static void test_slow_reader_kept(void **state)
{
	struct fixture *f = *state;
	struct slow s = { tc_connect(f), mono_ms() };

	coord_control_set_idle_timeout(f->ctl, 1000);
	tc_request(s.c, COORD_CTL_EVENTS, 1);
	if (!run_until(f, slow_read_done, &s, 60000))
		fail_msg("a slow reader got neither its END nor EOF");
	if (s.c->eof || s.c->ends != 1)
		fail_msg("a slow but steady reader was dropped after %d of %d records "
			 "(%llu ms)", s.c->records, BIG_RECORDS,
			 (unsigned long long)(mono_ms() - s.started_ms));
	assert_int_equal(s.c->records, BIG_RECORDS);
	assert_int_equal(counter(f, COORD_CTL_CC_DROPPED_SLOW), 0);
	tc_close(s.c);
}

static void test_big_reply_to_a_reader(void **state)
{
	struct fixture *f = *state;
	struct tclient *c = tc_connect(f);

	tc_request(c, COORD_CTL_EVENTS, 1);	/* ~2.5 MB, read as it comes */
	if (!run_until(f, got_end, c, 20000))
		fail_msg("a reading client did not get its whole big reply");
	expect_end(c, COORD_CTL_OK, 1, "a big reply");
	assert_int_equal(c->records, BIG_RECORDS);
	assert_int_equal(counter(f, COORD_CTL_CC_DROPPED_SLOW), 0);
	tc_close(c);
}

static void test_client_gone_with_open_request(void **state)
{
	struct fixture *f = *state;
	struct tclient *c = tc_connect(f);
	struct coord_control_client *open;
	int one = 1;

	tc_request(c, COORD_CTL_UP, 1);
	run_for(f, 50);
	open = f->held;
	assert_non_null(open);
	tc_close(c);
	if (!run_until(f, gone_count_is, &one, 3000))
		fail_msg("a client that left with an open request was not reported gone");
	assert_ptr_equal(f->last_gone, open);
	assert_null(f->held);
	assert_int_equal(coord_control_counters(f->ctl)->clients, 0);
}

/* ---- credentials ---- */

/* In a child: become uid/gid (and groups), connect, PING, return the
 * END status as the exit code (100+ on a local failure). */
static int child_ping(const char *path, gid_t gid, const gid_t *groups, size_t n)
{
	uint8_t buf[COORD_CTL_MAX_RECORD];
	struct coord_ctl_record rec;
	struct coord_ctl_header h;
	size_t len = 0;
	ssize_t r;
	int fd;

	alarm(10);
	if (setgroups(n, groups) < 0 || setgid(gid) < 0 || setuid(NOBODY) < 0)
		_exit(100);
	fd = connect_path(path);
	if (fd < 0)
		_exit(101);
	fcntl(fd, F_SETFL, 0);
	len = request(COORD_CTL_PING, 31, buf);
	(void)!send(fd, buf, len, MSG_NOSIGNAL);	/* may be refused first */
	len = 0;
	while (coord_ctl_header_decode(buf, len, &h) != 0 || len < h.length) {
		r = recv(fd, buf + len, sizeof(buf) - len, 0);
		if (r <= 0)
			_exit(102);
		len += (size_t)r;
	}
	if (coord_ctl_record_decode(buf, h.length, &rec) != 0 ||
	    rec.type != COORD_CTL_REC_END)
		_exit(103);
	_exit(rec.u.end.status);
}

static bool child_exited(void *arg)
{
	int *st = arg;
	pid_t pid = (pid_t)st[0];

	return waitpid(pid, &st[1], WNOHANG) == pid;
}

static int run_child(struct fixture *f, gid_t gid, const gid_t *groups, size_t n)
{
	int st[2];
	pid_t pid;

	/* Let "nobody" reach the socket, so that the credential check, not
	 * the file's mode, is what is tested. */
	chmod(f->dir, 0711);
	chmod(f->path, 0666);
	pid = fork();
	if (pid < 0)
		fail_msg("fork: %s", strerror(errno));
	if (pid == 0)
		child_ping(f->path, gid, groups, n);
	st[0] = pid;
	if (!run_until(f, child_exited, st, 10000)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fail_msg("the child client did not finish");
	}
	if (!WIFEXITED(st[1]))
		fail_msg("the child client died of signal %d", WTERMSIG(st[1]));
	return WEXITSTATUS(st[1]);
}

static void test_refuses_nobody(void **state)
{
	struct fixture *f = *state;
	int rc;

	if (geteuid() != 0) {
		print_message("skipped: becoming nobody needs root\n");
		skip();
	}
	rc = run_child(f, NOBODY, NULL, 0);
	if (rc != COORD_CTL_NOT_PERMITTED)
		fail_msg("nobody (not in group %s): expected END not-permitted (%d), "
			 "child reported %d", TEST_GROUP, COORD_CTL_NOT_PERMITTED, rc);
	assert_int_equal(counter(f, COORD_CTL_CC_NOT_PERMITTED), 1);
	assert_int_equal(f->requests, 0);
}

static void test_admits_group_members(void **state)
{
	struct fixture *f = *state;
	gid_t g = f->gid;
	int rc;

	if (geteuid() != 0) {
		print_message("skipped: becoming nobody needs root\n");
		skip();
	}
	rc = run_child(f, NOBODY, &g, 1);
	if (rc != COORD_CTL_OK)
		fail_msg("nobody with supplementary group %s: expected ok, got %d",
			 TEST_GROUP, rc);
	rc = run_child(f, f->gid, NULL, 0);
	if (rc != COORD_CTL_OK)
		fail_msg("nobody with primary group %s: expected ok, got %d", TEST_GROUP, rc);
	assert_int_equal(counter(f, COORD_CTL_CC_NOT_PERMITTED), 0);
	assert_int_equal(f->requests, 2);
}

static void test_proc_groups(void **state)
{
	gid_t mine[256], got[256];
	int n = getgroups(256, mine), m, i, j;

	(void)state;
	assert_true(n >= 0);
	m = coord_peer_proc_groups(getpid(), geteuid(), got, 256);
	if (m != n)
		fail_msg("/proc/self/status lists %d groups, getgroups() %d", m, n);
	for (i = 0; i < n; i++) {
		for (j = 0; j < m && got[j] != mine[i]; j++)
			;
		if (j == m)
			fail_msg("group %u is missing from the /proc answer", (unsigned)mine[i]);
	}
	assert_int_equal(coord_peer_proc_groups(getpid(), geteuid() + 1, got, 256),
			 -ESRCH);
	assert_true(coord_peer_proc_groups(0x7ffffff0, 0, got, 256) < 0);
}

/* ---- the socket file ---- */

static void test_socket_file_mode(void **state)
{
	struct fixture *f = *state;
	struct stat st;

	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	if ((st.st_mode & 07777) != 0660)
		fail_msg("socket mode: expected 0660, got %04o", st.st_mode & 07777);
	assert_int_equal(st.st_gid, f->gid);
	assert_int_equal(st.st_uid, geteuid() == 0 ? 0 : geteuid());
}

static void test_makes_missing_dir(void **state)
{
	struct fixture *f = *state;
	struct coord_control *ctl;
	char dir[160], path[192], err[256];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/run", f->dir);
	snprintf(path, sizeof(path), "%s/coordd.sock", dir);
	ctl = coord_control_new(f->loop, path, TEST_GROUP, &ops, f, err, sizeof(err));
	if (!ctl)
		fail_msg("a socket in a missing directory: %s", err);
	assert_int_equal(stat(dir, &st), 0);
	if ((st.st_mode & 07777) != 0750)
		fail_msg("created directory: expected mode 0750, got %04o", st.st_mode & 07777);
	assert_int_equal(st.st_gid, f->gid);
	coord_control_free(ctl);
	assert_int_equal(access(path, F_OK), -1);	/* removed on free */
	rmdir(dir);
}

static void test_refuses_live_socket(void **state)
{
	struct fixture *f = *state;
	char err[256] = "";
	struct tclient *c;

	assert_null(coord_control_new(f->loop, f->path, TEST_GROUP, &ops, f, err, sizeof(err)));
	if (!strstr(err, "another coordd"))
		fail_msg("a second daemon on a live socket should say why; it says \"%s\"", err);
	/* The first one still works. */
	c = tc_connect(f);
	tc_request(c, COORD_CTL_PING, 1);
	if (!run_until(f, got_end, c, 3000))
		fail_msg("the first server stopped answering after a second one tried");
	tc_close(c);
}

static void test_replaces_stale_socket(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct coord_control *ctl;
	char path[192], err[256];
	struct tclient *c;
	int fd;

	snprintf(path, sizeof(path), "%s/stale.sock", f->dir);
	assert_true(strlen(path) < sizeof(a.sun_path));
	memcpy(a.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	close(fd);	/* a daemon that died: the file stays, nobody listens */
	ctl = coord_control_new(f->loop, path, TEST_GROUP, &ops, f, err, sizeof(err));
	if (!ctl)
		fail_msg("a stale socket was not replaced: %s", err);
	c = calloc(1, sizeof(*c));
	c->fd = connect_path(path);
	assert_true(c->fd >= 0);
	tc_request(c, COORD_CTL_PING, 1);
	if (!run_until(f, got_end, c, 3000))
		fail_msg("the server on a replaced stale socket does not answer");
	tc_close(c);
	coord_control_free(ctl);
}

static void test_refuses_non_socket(void **state)
{
	struct fixture *f = *state;
	char path[192], err[256] = "";
	int fd;

	snprintf(path, sizeof(path), "%s/file", f->dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_null(coord_control_new(f->loop, path, TEST_GROUP, &ops, f, err, sizeof(err)));
	if (!strstr(err, "not a socket"))
		fail_msg("a regular file at the path should be refused; got \"%s\"", err);
	assert_int_equal(access(path, F_OK), 0);	/* and left alone */
	unlink(path);
}

static void test_refuses_unknown_group(void **state)
{
	struct fixture *f = *state;
	char path[192], err[256] = "";

	snprintf(path, sizeof(path), "%s/g.sock", f->dir);
	assert_null(coord_control_new(f->loop, path, "no-such-group-coord", &ops, f,
				      err, sizeof(err)));
	if (!strstr(err, "no-such-group-coord"))
		fail_msg("an unknown group should be named in the error; got \"%s\"", err);
	assert_int_equal(access(path, F_OK), -1);
}

/* coordd -t: what coord_control_new() would refuse, without a socket. */
static void test_check_without_socket(void **state)
{
	struct fixture *f = *state;
	char path[192], err[256] = "";

	snprintf(path, sizeof(path), "%s/run/c.sock", f->dir);	/* run/ is made */
	if (coord_control_check(path, TEST_GROUP, err, sizeof(err)) != 0)
		fail_msg("a socket whose directory can be made: %s", err);
	assert_int_equal(access(path, F_OK), -1);	/* nothing created */
	assert_int_equal(coord_control_check(f->path, TEST_GROUP, err, sizeof(err)), 0);
	assert_int_equal(coord_control_check(path, "no-such-group-coord", err, sizeof(err)),
			 -ENOENT);
	if (!strstr(err, "no group named 'no-such-group-coord'"))
		fail_msg("an unknown group should be named; got \"%s\"", err);
	snprintf(path, sizeof(path), "%s/a/b/c.sock", f->dir);
	assert_int_equal(coord_control_check(path, TEST_GROUP, err, sizeof(err)), -ENOENT);
	if (!strstr(err, "/a/b does not exist, nor does its parent"))
		fail_msg("a directory two levels down should be refused; got \"%s\"", err);
	snprintf(path, sizeof(path), "%s/d.sock", f->path);	/* under a socket */
	assert_int_equal(coord_control_check(path, TEST_GROUP, err, sizeof(err)), -ENOTDIR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_garbage_is_bad_request),
		T(test_bad_payload_echoes_seq),
		T(test_oversized_is_too_large),
		T(test_idle_client_times_out),
		T(test_reader_that_never_reads),
		T(test_stalled_reader_dropped),
		T(test_slow_reader_kept),
		T(test_refuses_nobody),
		T(test_admits_group_members),
		T(test_refuses_live_socket),
		T(test_refuses_non_socket),
		T(test_refuses_unknown_group),
		T(test_check_without_socket),
		T(test_replaces_stale_socket),
		T(test_socket_file_mode),
		T(test_makes_missing_dir),
		T(test_ping_round_trip),
		T(test_pipelined_requests),
		T(test_pipelined_waits_for_end),
		T(test_half_request_completed_later),
		T(test_open_request_has_no_timeout),
		T(test_client_gone_with_open_request),
		T(test_big_reply_to_a_reader),
		T(test_hundred_clients),
		T(test_too_many_clients),
		cmocka_unit_test(test_proc_groups),
#undef T
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("control", tests, NULL, NULL);
}
