/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who is at the other end of a unix socket, and may it talk to us: the
 * credentials the kernel recorded at connect(), never what the peer
 * says about itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "peercred.h"

/* SO_PEERGROUPS (Linux >= 4.13) names the groups the peer had at connect. */
static int peer_groups(int fd, const struct ucred *cred, gid_t **groups)
{
	socklen_t len = 64 * sizeof(gid_t);
	gid_t *g = NULL;
	int n;

	for (;;) {
		gid_t *p = realloc(g, len ? len : sizeof(gid_t));

		if (!p) {
			free(g);
			return -ENOMEM;
		}
		g = p;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len) == 0) {
			*groups = g;
			return (int)(len / sizeof(gid_t));
		}
		if (errno != ERANGE)
			break;
	}
	n = errno;
	free(g);
	if (n != ENOPROTOOPT)
		return -n;
	/* An older kernel: the peer's /proc entry, checked against its uid. */
	g = calloc(1024, sizeof(gid_t));
	if (!g)
		return -ENOMEM;
	n = coord_peer_proc_groups(cred->pid, cred->uid, g, 1024);
	if (n < 0) {
		free(g);
		return n;
	}
	*groups = g;
	return n;
}

bool coord_peer_allowed(int fd, gid_t gid, struct ucred *cred)
{
	socklen_t len = sizeof(*cred);
	gid_t *groups = NULL;
	bool ok = false;
	int i, n;

	memset(cred, 0, sizeof(*cred));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, &len) < 0)
		return false;
	if (cred->uid == 0 || cred->gid == gid)
		return true;
	n = peer_groups(fd, cred, &groups);
	for (i = 0; i < n; i++)
		if (groups[i] == gid)
			ok = true;
	free(groups);
	return ok;
}

static const char *status_field(const char *text, const char *name)
{
	size_t n = strlen(name);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, name, n))
			return p + n;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

int coord_peer_proc_groups(pid_t pid, uid_t uid, gid_t *groups, size_t max)
{
	char path[64], *text = NULL, *end;
	const char *p;
	size_t len = 0, cap = 0;
	unsigned long real, eff;
	int fd, n = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t r;

		if (len + 1 >= cap) {
			char *t = cap < (1u << 20) ? realloc(text, cap ? cap * 2 : 4096) : NULL;

			if (!t) {
				free(text);
				close(fd);
				return -ENOMEM;
			}
			text = t;
			cap = cap ? cap * 2 : 4096;
		}
		r = read(fd, text + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			n = -errno;
			break;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (n < 0) {
		free(text);
		return n;
	}
	text[len] = '\0';
	/* "Uid:\treal\teffective\tsaved\tfs": SO_PEERCRED gives the effective. */
	p = status_field(text, "Uid:");
	if (!p || sscanf(p, "%lu %lu", &real, &eff) != 2 || eff != (unsigned long)uid) {
		free(text);
		return -ESRCH;
	}
	p = status_field(text, "Groups:");
	while (p && *p != '\n' && *p) {
		unsigned long g;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\n' || !*p)
			break;
		errno = 0;
		g = strtoul(p, &end, 10);
		if (end == p || errno)
			break;
		if ((size_t)n < max)
			groups[n++] = (gid_t)g;
		p = end;
	}
	free(text);
	return n;
}
