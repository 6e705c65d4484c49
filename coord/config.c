/*
 * Parsing coordd.conf.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "config.h"
#include "log.h"

#define LINE_MAX_LEN 4096

void coord_config_defaults(struct coord_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->group, sizeof(cfg->group), "ganesha-grace");
	snprintf(cfg->socket, sizeof(cfg->socket), "/run/coord/coordd.sock");
	cfg->grace_call_timeout_ms = 5000;
	cfg->barrier_deadline_ms = 15000;
	cfg->deadline_policy = COORD_POLICY_RELEASE;
	snprintf(cfg->release_command, sizeof(cfg->release_command),
		 "attrd_updater -D -n ganesha-active");
	cfg->release_timeout_ms = 30000;
	cfg->release_retry_ms = 1000;
	cfg->release_max_attempts = 5;
	snprintf(cfg->log_target, sizeof(cfg->log_target), "syslog");
	cfg->log_level = LOG_NOTICE;
	snprintf(cfg->socket_group, sizeof(cfg->socket_group), "haclient");
}

static int parse_u32(const char *v, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long long n;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || *end || n < min || n > max)
		return -1;
	*out = (uint32_t)n;
	return 0;
}

static bool printable(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || (unsigned char)*v > 0x7e)
			return false;
	return true;
}

static int set_string(char *dst, size_t cap, const char *v)
{
	if (strlen(v) >= cap || !printable(v))
		return -1;
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

struct number_key {
	const char *key;
	size_t offset;
	uint32_t min, max;
	const char *unit;
};

#define NUM(k, lo, hi, unit) { #k, offsetof(struct coord_config, k), lo, hi, unit }
static const struct number_key numbers[] = {
	NUM(grace_call_timeout_ms, 100, 600000, "milliseconds"),
	NUM(barrier_deadline_ms, 100, 3600000, "milliseconds"),
	NUM(release_timeout_ms, 100, 3600000, "milliseconds"),
	NUM(release_retry_ms, 10, 600000, "milliseconds"),
	NUM(release_max_attempts, 1, 100, "a count"),
};

/* Returns NULL, or what the value should have been. */
static const char *set_key(struct coord_config *cfg, const char *k, const char *v,
			   char *expect, size_t explen)
{
	size_t i;

	for (i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		if (strcmp(k, numbers[i].key))
			continue;
		if (parse_u32(v, numbers[i].min, numbers[i].max,
			      (uint32_t *)((char *)cfg + numbers[i].offset)) == 0)
			return NULL;
		snprintf(expect, explen, "%s %u..%u", numbers[i].unit,
			 numbers[i].min, numbers[i].max);
		return expect;
	}
	if (!strcmp(k, "group"))
		return !*v || set_string(cfg->group, sizeof(cfg->group), v) ?
		       "1..127 printable bytes" : NULL;
	if (!strcmp(k, "socket"))
		return *v != '/' || set_string(cfg->socket, sizeof(cfg->socket), v) ?
		       "an absolute path shorter than 108 bytes" : NULL;
	if (!strcmp(k, "vip")) {
		struct coord_vip vip;

		if (coord_vip_parse(v, &vip) < 0)
			return "an IPv4 or IPv6 address";
		for (i = 0; i < cfg->n_vips; i++)
			if (coord_vip_equal(&cfg->vips[i], &vip))
				return "a VIP not given before";
		if (cfg->n_vips == COORD_MAX_VIPS)
			return "at most 16 vip lines";
		cfg->vips[cfg->n_vips++] = vip;
		return NULL;
	}
	if (!strcmp(k, "dbus_address"))
		return set_string(cfg->dbus_address, sizeof(cfg->dbus_address), v) ?
		       "a D-Bus address shorter than 512 bytes" : NULL;
	if (!strcmp(k, "deadline_policy")) {
		if (!strcmp(v, "release"))
			cfg->deadline_policy = COORD_POLICY_RELEASE;
		else if (!strcmp(v, "hold"))
			cfg->deadline_policy = COORD_POLICY_HOLD;
		else
			return "release or hold";
		return NULL;
	}
	if (!strcmp(k, "release_command"))
		return !*v || set_string(cfg->release_command, sizeof(cfg->release_command), v) ?
		       "a command of 1..1023 bytes" : NULL;
	if (!strcmp(k, "log_target"))
		return (strcmp(v, "syslog") && strcmp(v, "stderr") && *v != '/') ||
		       set_string(cfg->log_target, sizeof(cfg->log_target), v) ?
		       "syslog, stderr or an absolute path" : NULL;
	if (!strcmp(k, "log_level")) {
		int level = coord_log_level_parse(v);
		if (level < 0)
			return "error, warning, notice, info or debug";
		cfg->log_level = level;
		return NULL;
	}
	if (!strcmp(k, "socket_group"))
		return !*v || set_string(cfg->socket_group, sizeof(cfg->socket_group), v) ?
		       "a group name" : NULL;
	return "";	/* unknown key */
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' ||
			   end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/* A '#' starts a comment at the start of a line or after whitespace. */
static void strip_comment(char *s)
{
	char *p;

	for (p = s; *p; p++)
		if (*p == '#' && (p == s || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			return;
		}
}

int coord_config_load(const char *path, bool must_exist, struct coord_config *cfg,
		      char *err, size_t errlen)
{
	char line[LINE_MAX_LEN + 2], expect[96];
	unsigned lineno = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		if (errno == ENOENT && !must_exist)
			return 0;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s, *eq, *k, *v;
		const char *bad;

		lineno++;
		if (strlen(line) > LINE_MAX_LEN && line[strlen(line) - 1] != '\n') {
			snprintf(err, errlen, "%s:%u: line longer than %d bytes",
				 path, lineno, LINE_MAX_LEN);
			goto fail;
		}
		strip_comment(line);
		s = trim(line);
		if (!*s)
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%u: expected 'key = value', got '%.64s'",
				 path, lineno, s);
			goto fail;
		}
		*eq = '\0';
		k = trim(s);
		v = trim(eq + 1);
		bad = set_key(cfg, k, v, expect, sizeof(expect));
		if (bad && !*bad) {
			snprintf(err, errlen, "%s:%u: unknown key '%.64s'", path, lineno, k);
			goto fail;
		}
		if (bad) {
			snprintf(err, errlen, "%s:%u: bad value for %s: '%.64s' (expected %s)",
				 path, lineno, k, v, bad);
			goto fail;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		goto fail;
	}
	fclose(f);
	return 0;
fail:
	fclose(f);
	return -1;
}

void coord_config_to_engine(const struct coord_config *cfg, struct coord_engine_config *ec)
{
	ec->n_vips = cfg->n_vips;
	memcpy(ec->vips, cfg->vips, sizeof(ec->vips));
	ec->deadline_us = (uint64_t)cfg->barrier_deadline_ms * 1000u;
	ec->policy = cfg->deadline_policy;
	ec->release_retry_us = (uint64_t)cfg->release_retry_ms * 1000u;
	ec->release_retry_max_us = 30000000u;
	ec->release_max_attempts = cfg->release_max_attempts;
}
