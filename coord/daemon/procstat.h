/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordd's own process, as every Prometheus exporter reports it
 * (process_start_time_seconds, process_cpu_seconds_total, ...): read from
 * /proc/self as the client libraries read it (client_golang's procfs,
 * client_python's process collector).
 */
#ifndef COORD_PROCSTAT_H
#define COORD_PROCSTAT_H

#include <stdbool.h>
#include <stdint.h>

struct coord_process {
	bool known;			/* false: /proc could not be read */
	double start_time_s;		/* since the epoch */
	double cpu_s;			/* user and system */
	uint64_t resident_bytes, virtual_bytes;
	uint64_t open_fds, max_fds;	/* max: RLIMIT_NOFILE's soft limit */
};

/* Fills p; allocates nothing.  0, or -errno (p->known false). */
int coord_process_read(struct coord_process *p);

#endif
