/*
 * vip_connect: the client's view of a failover.  Tries a TCP connect to
 * ADDRESS:PORT every few milliseconds, each try on a fresh socket with a
 * short timeout, and prints the CLOCK_REALTIME microseconds of the first
 * connect that succeeds.  Exit 0; 1 when none succeeded within the limit.
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
#include <sys/socket.h>

#define TRY_TIMEOUT_MS	20	/* a SYN lost to a stale neighbour entry */
#define TRY_PAUSE_US	2000

static long long realtime_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int try_connect(const struct sockaddr_in *sa)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), err = 0;
	socklen_t len = sizeof(err);
	struct pollfd p;

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0) {
		close(fd);
		return 0;
	}
	if (errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	p.fd = fd;
	p.events = POLLOUT;
	if (poll(&p, 1, TRY_TIMEOUT_MS) != 1 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
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
	while (realtime_us() - start < limit) {
		if (try_connect(&sa) == 0) {
			printf("%lld\n", realtime_us());
			return 0;
		}
		usleep(TRY_PAUSE_US);
	}
	return 1;
}
