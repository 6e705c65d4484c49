/*
 * coordd's configuration file: `key = value` lines, `#` comments.
 * Every key, its default and its bounds are in coordd.conf(5) and
 * docs/coordd.conf.example.  An unknown key or a bad value is an error
 * naming the file, the line and the key.
 */
#ifndef COORD_CONFIG_H
#define COORD_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "coord/engine.h"

#define COORD_CONFIG_DEFAULT_PATH	"/etc/coord/coordd.conf"

struct coord_config {
	char group[128];
	char socket[108];
	uint16_t n_vips;
	struct coord_vip vips[COORD_MAX_VIPS];
	char dbus_address[512];		/* "": the system bus */
	uint32_t grace_call_timeout_ms;
	uint32_t barrier_deadline_ms;
	enum coord_policy deadline_policy;
	char release_command[1024];
	uint32_t release_timeout_ms;
	uint32_t release_retry_ms;
	uint32_t release_max_attempts;
	char log_target[256];		/* syslog, stderr or an absolute path */
	int log_level;			/* LOG_ERR .. LOG_DEBUG */
	char socket_group[64];
};

void coord_config_defaults(struct coord_config *cfg);

/*
 * Reads path over the values already in cfg.  A missing file is an error
 * only when must_exist.  Returns 0, or -1 with a message in err.
 */
int coord_config_load(const char *path, bool must_exist, struct coord_config *cfg,
		      char *err, size_t errlen);

/* The engine's part of the configuration (times in microseconds). */
void coord_config_to_engine(const struct coord_config *cfg, struct coord_engine_config *ec);

#endif
