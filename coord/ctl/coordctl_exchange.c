/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordctl's one exchange with coordd: connect, one request with a
 * sequence number, records until the END (each checked: magic, version,
 * length, type, sequence), each handed to a sink.  --timeout bounds the
 * whole exchange.  Its users: main (coordctl.c) and check.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "coord/ctl.h"
#include "clock.h"
#include "coordctl.h"

struct exchange {
	int fd;
	double deadline_ms;		/* monotonic; -1: none */
	uint32_t seq;
	uint8_t buf[COORD_CTL_MAX_RECORD];
	size_t len;
	char error[320];
};

/* Waits for events on the socket until the deadline: 1, 0 timed out, -1. */
static int wait_fd(struct exchange *x, short events)
{
	struct pollfd p = { .fd = x->fd, .events = events };
	int timeout, rc;

	for (;;) {
		timeout = -1;
		if (x->deadline_ms >= 0) {
			/* Rounded up, so a fraction of a ms left is no busy poll;
			 * bounded first, so the conversion never overflows. */
			double left = x->deadline_ms - ctl_mono_ms();
			timeout = left <= 0 ? 0 : left >= INT32_MAX - 1 ? INT32_MAX :
				  (int)(left + 0.999);
		}
		rc = poll(&p, 1, timeout);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0) {
			snprintf(x->error, sizeof(x->error), "poll: %s", strerror(errno));
			return -1;
		}
		return rc > 0;
	}
}

static int do_connect(struct exchange *x, const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(addr.sun_path)) {
		snprintf(x->error, sizeof(x->error), "socket path too long: %s", path);
		return -1;
	}
	memcpy(addr.sun_path, path, strlen(path) + 1);
	x->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (x->fd < 0) {
		snprintf(x->error, sizeof(x->error), "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(x->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int e = errno;

		snprintf(x->error, sizeof(x->error), "cannot connect to %s: %s%s", path,
			 strerror(e), e == ENOENT || e == ECONNREFUSED ?
			 " (is coordd running?)" : e == EACCES ?
			 " (root or the socket's group only)" : "");
		return -1;
	}
	return 0;
}

/* Returns 0, -1 on an error, or 1 on a timeout.  EPIPE is not an error:
 * coordd may have refused us, and its END is then waiting to be read. */
static int send_request(struct exchange *x, const struct coord_ctl_request *req)
{
	uint8_t buf[COORD_CTL_MAX_REQUEST];
	int len = coord_ctl_request_encode(req, buf, sizeof(buf));
	size_t off = 0;

	if (len < 0) {
		snprintf(x->error, sizeof(x->error), "cannot encode the request: %s",
			 coord_ctl_strerror(len));
		return -1;
	}
	while (off < (size_t)len) {
		ssize_t n = send(x->fd, buf + off, (size_t)len - off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EPIPE || errno == ECONNRESET)
			return 0;
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			snprintf(x->error, sizeof(x->error), "send: %s", strerror(errno));
			return -1;
		}
		switch (wait_fd(x, POLLOUT)) {
		case 0:
			return 1;
		case -1:
			return -1;
		}
	}
	return 0;
}

/*
 * Reads the next record.  0 with *rec filled, 1 on a timeout, -1 on an
 * error (x->error says which).  Records of a type this coordctl does not
 * know, from a newer minor version, are skipped.
 */
static int read_record(struct exchange *x, struct coord_ctl_record *rec)
{
	struct coord_ctl_header h;
	ssize_t n;
	int err;

	for (;;) {
		err = coord_ctl_header_decode(x->buf, x->len, &h);
		if (err == COORD_CODEC_OK && h.length > COORD_CTL_MAX_RECORD) {
			snprintf(x->error, sizeof(x->error), "coordd sent a record of "
				 "%u bytes (at most %u)", h.length, COORD_CTL_MAX_RECORD);
			return -1;
		}
		if (err == COORD_CODEC_OK && x->len >= h.length) {
			err = coord_ctl_record_decode(x->buf, h.length, rec);
			memmove(x->buf, x->buf + h.length, x->len - h.length);
			x->len -= h.length;
			if (err == COORD_CODEC_BAD_TYPE && (h.version & 0xff) > COORD_CTL_MINOR)
				continue;
			if (err < 0) {
				snprintf(x->error, sizeof(x->error), "bad %s record from "
					 "coordd: %s", coord_ctl_type_name(h.type),
					 coord_ctl_strerror(err));
				return -1;
			}
			/* Sequence 0: coordd refused us before reading the request. */
			if (rec->seq != x->seq &&
			    !(rec->seq == 0 && rec->type == COORD_CTL_REC_END)) {
				snprintf(x->error, sizeof(x->error), "coordd answered "
					 "sequence %u, we asked %u", rec->seq, x->seq);
				return -1;
			}
			return 0;
		}
		if (err != COORD_CODEC_OK && err != COORD_CODEC_TRUNCATED) {
			snprintf(x->error, sizeof(x->error), "not a coordd reply: %s",
				 coord_ctl_strerror(err));
			return -1;
		}
		switch (wait_fd(x, POLLIN)) {
		case 0:
			return 1;
		case -1:
			return -1;
		}
		n = recv(x->fd, x->buf + x->len, sizeof(x->buf) - x->len,
				 MSG_DONTWAIT);
		if (n == 0) {
			snprintf(x->error, sizeof(x->error), "coordd closed the "
				 "connection before the end of its reply");
			return -1;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				continue;
			snprintf(x->error, sizeof(x->error), "recv: %s", strerror(errno));
			return -1;
		}
		x->len += (size_t)n;
	}
}

int ctl_exchange(const char *path, const struct coord_ctl_request *req,
		 int64_t timeout_ms, const struct ctl_sink *sink)
{
	struct exchange x = { .fd = -1, .seq = req->seq };
	struct coord_ctl_record rec;
	double started = ctl_mono_ms();
	int rc;

	x.deadline_ms = timeout_ms >= 0 ? ctl_mono_ms() + timeout_ms : -1;
	if (do_connect(&x, path) < 0) {
		sink->error(sink->ctx, CTL_EXIT_NO_DAEMON, x.error);
		rc = CTL_EXIT_NO_DAEMON;
		goto done;
	}
	rc = send_request(&x, req);
	while (rc == 0) {
		rc = read_record(&x, &rec);
		if (rc == 0 && rec.type == COORD_CTL_REC_END) {
			rc = sink->end(sink->ctx, &rec.u.end, ctl_mono_ms() - started);
			goto done;
		}
		if (rc == 0)
			sink->record(sink->ctx, &rec);
	}
	if (rc == 1) {
		snprintf(x.error, sizeof(x.error), "timed out after %.3f s waiting "
			 "for coordd", (double)timeout_ms / 1000.0);
		sink->error(sink->ctx, CTL_EXIT_TIMEOUT, x.error);
		rc = CTL_EXIT_TIMEOUT;
	} else {
		sink->error(sink->ctx, CTL_EXIT_NO_DAEMON, x.error);
		rc = CTL_EXIT_NO_DAEMON;
	}
done:
	if (x.fd >= 0)
		close(x.fd);
	return rc;
}

uint32_t ctl_new_seq(void)
{
	struct timespec ts;
	uint32_t seq;

	clock_gettime(CLOCK_REALTIME, &ts);
	seq = (uint32_t)getpid() * 2654435761u ^ (uint32_t)ts.tv_nsec;
	return seq ? seq : 1;		/* 0 is the daemon's own */
}
