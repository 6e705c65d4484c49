/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordd's configuration file (default /etc/coord/coordd.conf).
 *
 * One `key = value` per line; `#` starts a comment at the start of a line
 * or after whitespace; blank lines are ignored; whitespace around keys
 * and values is trimmed.  Every key may be given once, except `vip`,
 * which is repeated once per address.  An unknown key, a repeated key or
 * a bad value is an error naming the file, the line and the key.  Every
 * key, its default and its bounds are in docs/coordd.conf.example.
 */
#ifndef COORD_CONFIG_H
#define COORD_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "coord/engine.h"

#define COORD_CONFIG_DEFAULT_PATH	"/etc/coord/coordd.conf"
#define COORD_CONFIG_LINE_MAX		4095	/* bytes, without the newline */

/* Fixed-size: loading allocates nothing.  Strings are NUL-terminated. */
struct coord_config {
	char group[128];		/* CPG group, 1..127 printable bytes */
	char socket[108];		/* control socket: absolute, fits sun_path */
	uint16_t n_vips;
	struct coord_vip vips[COORD_MAX_VIPS];
	char dbus_address[512];		/* "": the system bus */
	uint32_t grace_call_timeout_ms;
	uint32_t barrier_deadline_ms;
	enum coord_policy deadline_policy;
	char release_command[1024];	/* run with /bin/sh -c */
	uint32_t release_timeout_ms;	/* then the command is killed */
	uint32_t release_retry_ms;	/* first back-off; doubles */
	uint32_t release_max_attempts;
	uint32_t lease_lifetime_ms;	/* the local ganesha's NFSV4 Lease_Lifetime */
	char log_target[256];		/* syslog, stderr or an absolute path */
	int log_level;			/* LOG_ERR .. LOG_DEBUG */
	char socket_group[64];		/* allowed on the socket besides root */
	char metrics_listen[64];	/* "": no HTTP metrics (coord/daemon/listen.h) */
	/* watching the local ganesha.nfsd on D-Bus (detect.h) */
	bool detect;			/* detect = bus (true) or off */
	uint32_t detect_restart_wait_ms;	/* 0: report a death at once */
	uint32_t heartbeat_timeout_ms;	/* 0: heartbeats not watched */
	bool kill_hung;			/* on_hung = kill (true) or report */
};

void coord_config_defaults(struct coord_config *cfg);

/*
 * Reads path over the values already in cfg (call coord_config_defaults
 * first).  A missing file is an error only when must_exist: coordd runs
 * with the defaults when the default file is absent, but not when the
 * file named by -c is.  Returns 0, or -1 with a one-line message in err
 * ("FILE:LINE: ..." or "cannot open FILE: ..."); cfg may then hold the
 * values of the lines before the bad one.
 */
int coord_config_load(const char *path, bool must_exist, struct coord_config *cfg,
		      char *err, size_t errlen);

/*
 * A legal but doubtful combination of values, said in buf (coordd -t and
 * start-up print it): a grace call timeout longer than the deadline.
 * False when there is none.
 */
bool coord_config_warning(const struct coord_config *cfg, char *buf, size_t len);

/*
 * Fills the engine's policy, deadline, release retry and VIP fields
 * (times in microseconds); leaves node id, incarnation and log alone.
 */
void coord_config_to_engine(const struct coord_config *cfg, struct coord_engine_config *ec);

#endif
