/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /proc/self/stat (proc(5)): the fields after the command's closing ')'
 * are numbered from 3 (state); utime 14, stime 15 and starttime 22 are
 * in clock ticks, starttime since boot, so the boot time (/proc/stat's
 * btime) makes it wall-clock; rss 24 is in pages, vsize 23 in bytes.
 * Open descriptors are the entries of /proc/self/fd, read with
 * getdents64 into a buffer on the stack: nothing is allocated, as
 * metrics.h promises of a rendering.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include "procstat.h"

/* A small file read whole into buf (NUL-terminated).  Bytes, or -errno. */
static ssize_t read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, cap - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static int boot_time(unsigned long long *btime)
{
	char buf[8192];
	const char *p;

	if (read_small("/proc/stat", buf, sizeof(buf)) < 0)
		return -EIO;
	p = strstr(buf, "\nbtime ");
	if (!p || sscanf(p, "\nbtime %llu", btime) != 1)
		return -EIO;
	return 0;
}

static int self_stat(struct coord_process *p)
{
	unsigned long long utime, stime, start, vsize, btime;
	long long rss;
	double tick = (double)sysconf(_SC_CLK_TCK);
	char buf[1024];
	const char *f;

	if (read_small("/proc/self/stat", buf, sizeof(buf)) < 0 || boot_time(&btime) < 0)
		return -EIO;
	f = strrchr(buf, ')');		/* the command may hold ") " itself */
	if (!f || sscanf(f + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu "
			 "%*d %*d %*d %*d %*d %*d %llu %llu %lld", &utime, &stime,
			 &start, &vsize, &rss) != 5)
		return -EIO;
	p->cpu_s = (double)(utime + stime) / tick;
	p->start_time_s = (double)btime + (double)start / tick;
	p->virtual_bytes = vsize;
	p->resident_bytes = rss > 0 ? (uint64_t)rss * (uint64_t)sysconf(_SC_PAGESIZE) : 0;
	return 0;
}

/* The entries of /proc/self/fd but ., .. and the one read here. */
static int open_fds(uint64_t *count)
{
	char buf[4096];
	int fd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ssize_t n, off;
	uint64_t c = 0;

	if (fd < 0)
		return -errno;
	while ((n = getdents64(fd, buf, sizeof(buf))) > 0)
		for (off = 0; off < n; ) {
			const struct dirent64 *d = (const void *)(buf + off);

			if (d->d_name[0] != '.' && atoi(d->d_name) != fd)
				c++;
			off += d->d_reclen;
		}
	close(fd);
	if (n < 0)
		return -EIO;
	*count = c;
	return 0;
}

int coord_process_read(struct coord_process *p)
{
	struct rlimit rl;
	int err;

	memset(p, 0, sizeof(*p));
	err = self_stat(p);
	if (!err)
		err = open_fds(&p->open_fds);
	if (!err && getrlimit(RLIMIT_NOFILE, &rl) < 0)
		err = -errno;
	if (err)
		return err;
	p->max_fds = rl.rlim_cur;
	p->known = true;
	return 0;
}
