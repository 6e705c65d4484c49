/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vip_connect: the client's view of a failover.  Every few milliseconds,
 * on a fresh socket: a TCP connect to ADDRESS:PORT and an ONC RPC NULL call
 * to NFS (program 100003, version 4, procedure 0), each with a short
 * timeout; prints the CLOCK_REALTIME microseconds of the first call that
 * is answered.  A bare connect is not enough: the kernel completes the
 * handshake on a killed server's listening socket until its process has
 * finished exiting, and nobody would answer there.  Exit 0; 1 when no
 * call was answered within the limit.
 *
 * Usage: vip_connect ADDRESS PORT LIMIT_MS
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <sys/socket.h>

#define TRY_TIMEOUT_MS	20	/* a SYN lost to a stale neighbour entry */
#define REPLY_TIMEOUT_MS 200	/* the NULL call's answer */
#define TRY_PAUSE_US	2000

static long long realtime_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* NULL call and its reply: record mark, xid, CALL, RPC 2, NFS 4 proc 0, AUTH_NONE x2. */
static int null_call(int fd, uint32_t xid)
{
	uint8_t call[44] = { 0 }, reply[64];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t n;

	put32(call, 0x80000000u | 40);
	put32(call + 4, xid);
	put32(call + 12, 2);		/* RPC version */
	put32(call + 16, 100003);	/* NFS */
	put32(call + 20, 4);
	if (send(fd, call, sizeof(call), MSG_NOSIGNAL) != (ssize_t)sizeof(call))
		return -1;
	/* record mark, xid, REPLY, MSG_ACCEPTED, verifier (2 words), SUCCESS */
	while (got < 28) {
		if (poll(&p, 1, REPLY_TIMEOUT_MS) != 1)
			return -1;
		n = recv(fd, reply + got, sizeof(reply) - got, 0);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return get32(reply + 4) == xid && get32(reply + 8) == 1 && get32(reply + 12) == 0 &&
	       get32(reply + 24) == 0 ? 0 : -1;
}

static int try_call(const struct sockaddr_in *sa, uint32_t xid)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), err = 0;
	socklen_t len = sizeof(err);
	struct pollfd p;
	int rc = -1;

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0) {
		if (errno != EINPROGRESS)
			goto out;
		p.fd = fd;
		p.events = POLLOUT;
		if (poll(&p, 1, TRY_TIMEOUT_MS) != 1 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err)
			goto out;
	}
	rc = null_call(fd, xid);
out:
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	long long limit, start = realtime_us();

	if (argc != 4 || inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "usage: vip_connect ADDRESS PORT LIMIT_MS\n");
		return 2;
	}
	sa.sin_port = htons((uint16_t)atoi(argv[2]));
	limit = atoll(argv[3]) * 1000;
	uint32_t xid = (uint32_t)start;

	while (realtime_us() - start < limit) {
		if (try_call(&sa, ++xid) == 0) {
			printf("%lld\n", realtime_us());
			return 0;
		}
		usleep(TRY_PAUSE_US);
	}
	return 1;
}
