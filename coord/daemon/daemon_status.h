/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What only coordd knows about itself, beside the engine's state: its
 * connections, its settings, its codec errors, the local ganesha.nfsd as
 * its watch sees it, its CPG sends and its own process.  coordd.c fills it; the control
 * dispatch answers STATUS from it and metrics.c renders its gauges.
 */
#ifndef COORD_DAEMON_STATUS_H
#define COORD_DAEMON_STATUS_H

#include <stdint.h>
#include <stdbool.h>
#include "coord/codec.h"
#include "coord/vocab.h"
#include "procstat.h"

struct coord_daemon_status {
	const char *group;		/* the CPG group name */
	uint32_t nodeid;		/* 0: take it from our own member */
	bool cpg_connected;
	bool quorum_connected;
	bool bus_connected;
	enum coord_policy policy;
	uint32_t deadline_ms;
	uint64_t uptime_us;
	uint64_t wire_errors[COORD_CODEC_ERROR_COUNT];	/* index: -error */
	/* the local ganesha.nfsd (detect.c); all 0: not known */
	uint8_t local_state, local_how, local_flags;
	uint32_t local_pid;
	uint64_t local_age_us, heartbeat_age_us;	/* 0 here: COORD_CTL_NEVER */
	uint32_t heartbeat_timeout_ms, heartbeats;
	uint32_t local_hung;		/* transitions to hung */
	/* CPG sends (group.c), for the metrics */
	uint64_t cpg_sent, cpg_try_again, cpg_send_failed, cpg_connects;
	uint32_t cpg_queued;
	/* coordd's own process, for the metrics (not filled for STATUS) */
	struct coord_process process;
};

#endif
