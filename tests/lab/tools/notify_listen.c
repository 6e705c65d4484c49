/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * notify_listen: stands in for systemd's end of NOTIFY_SOCKET, for the
 * tests (this machine has no systemd as PID 1).  Binds a datagram socket
 * at PATH and prints every datagram received, one line each:
 *   <CLOCK_REALTIME microseconds> <payload, newlines shown as '|'>
 * flushed at once.  Runs until killed; removes nothing (the lab does).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char buf[4096];
	struct timespec ts;
	ssize_t n, i;
	int fd;

	if (argc != 2 || strlen(argv[1]) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "usage: notify_listen PATH (at most %zu bytes)\n",
			sizeof(addr.sun_path) - 1);
		return 2;
	}
	memcpy(addr.sun_path, argv[1], strlen(argv[1]) + 1);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		fprintf(stderr, "notify_listen: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (;;) {
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "notify_listen: recv: %s\n", strerror(errno));
			return 1;
		}
		for (i = 0; i < n; i++)
			if (buf[i] == '\n')
				buf[i] = '|';
			else if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] > 0x7e)
				buf[i] = '?';
		buf[n] = '\0';
		clock_gettime(CLOCK_REALTIME, &ts);
		printf("%llu %s\n", (unsigned long long)ts.tv_sec * 1000000ull +
		       (unsigned long long)ts.tv_nsec / 1000u, buf);
		fflush(stdout);
	}
}
