/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Parsing metrics_listen.  Only numeric addresses, so starting coordd
 * never waits for a resolver; a bare port means loopback, so turning the
 * metrics on exposes nothing beyond the node unless the address says so.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "listen.h"

static int parse_port(const char *s, uint16_t *port)
{
	unsigned long n;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || *end || n < 1 || n > 65535)
		return -1;
	*port = (uint16_t)n;
	return 0;
}

int coord_listen_parse(const char *text, struct sockaddr_storage *addr, socklen_t *len)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
	char host[64];
	const char *colon, *close;
	uint16_t port;

	memset(addr, 0, sizeof(*addr));
	if (text[0] == '[') {
		close = strchr(text, ']');
		if (!close || close[1] != ':' || (size_t)(close - text - 1) >= sizeof(host))
			return -1;
		memcpy(host, text + 1, (size_t)(close - text - 1));
		host[close - text - 1] = '\0';
		if (parse_port(close + 2, &port) < 0 ||
		    inet_pton(AF_INET6, host, &v6->sin6_addr) != 1)
			return -1;
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(port);
		*len = sizeof(*v6);
		return 0;
	}
	colon = strrchr(text, ':');
	if (!colon) {
		if (parse_port(text, &port) < 0)
			return -1;
		v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else {
		if ((size_t)(colon - text) >= sizeof(host))
			return -1;
		memcpy(host, text, (size_t)(colon - text));
		host[colon - text] = '\0';
		if (parse_port(colon + 1, &port) < 0 ||
		    inet_pton(AF_INET, host, &v4->sin_addr) != 1)
			return -1;
	}
	v4->sin_family = AF_INET;
	v4->sin_port = htons(port);
	*len = sizeof(*v4);
	return 0;
}
