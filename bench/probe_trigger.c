/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * probe_trigger SOCKET: starts one round of a serving cpg_probe and prints
 * its answer line.  A separate program linked with libc only, as coordctl
 * is, so that starting it costs what starting coordctl costs.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[512];
	ssize_t n;
	int fd;

	if (argc != 2 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: probe_trigger SOCKET\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) || write(fd, "g", 1) != 1) {
		perror(argv[1]);
		return 3;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			return 1;
	return n < 0;
}
