/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Parsing coordd.conf: a table of keys, each with its type, bounds and
 * the words that say what a good value looks like.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "coord/ctl.h"
#include "config.h"
#include "listen.h"
#include "log.h"

#define RELEASE_RETRY_MAX_US	30000000u	/* the back-off ceiling: 30 s */

enum key_type {
	KEY_NUMBER = 1,		/* uint32_t in min..max */
	KEY_TEXT,		/* char[size], printable, length >= min */
	KEY_VIP,
	KEY_POLICY,
	KEY_LEVEL,
	KEY_LISTEN,		/* char[size], coord_listen_parse() accepts it */
	KEY_CHOICE,		/* bool: expect is "TRUE-WORD or FALSE-WORD" */
};

/* KEY_TEXT checks beyond printable bytes */
#define TEXT_ABSOLUTE	0x1	/* starts with '/' */
#define TEXT_LOG_TARGET	0x2	/* syslog, stderr or absolute */
#define TEXT_WORD	0x4	/* no spaces */
/* KEY_NUMBER */
#define NUMBER_ZERO_OFF	0x8	/* 0 is also accepted: off */

struct config_key {
	const char *name;
	enum key_type type;
	size_t offset;		/* into struct coord_config */
	size_t size;		/* KEY_TEXT: the array's size */
	uint32_t min, max;
	unsigned flags;
	const char *expect;	/* KEY_NUMBER: the unit */
};

#define FIELD(k)	offsetof(struct coord_config, k), sizeof(((struct coord_config *)0)->k)
#define NUMBER(k, lo, hi, unit)	{ #k, KEY_NUMBER, FIELD(k), lo, hi, 0, unit }
#define TEXT(k, lo, fl, expect)	{ #k, KEY_TEXT, FIELD(k), lo, 0, fl, expect }
#define CHOICE(name, k, yes, no)	{ name, KEY_CHOICE, FIELD(k), 0, 0, 0, yes " or " no }

static const struct config_key keys[] = {
	TEXT(group, 1, 0, "1..127 printable bytes"),
	TEXT(socket, 1, TEXT_ABSOLUTE, "an absolute path of at most 107 bytes"),
	{ "vip", KEY_VIP, FIELD(vips), 0, 0, 0, "an IPv4 or IPv6 address" },
	TEXT(dbus_address, 0, 0, "a D-Bus address of at most 511 printable bytes"),
	NUMBER(grace_call_timeout_ms, 100, 600000, "milliseconds"),
	NUMBER(barrier_deadline_ms, 100, 3600000, "milliseconds"),
	{ "deadline_policy", KEY_POLICY, FIELD(deadline_policy), 0, 0, 0,
	  NULL },	/* expect: the policies' names, coord_policy_choices() */
	TEXT(release_command, 1, 0, "a command of 1..1023 printable bytes"),
	NUMBER(release_timeout_ms, 100, 3600000, "milliseconds"),
	NUMBER(release_retry_ms, 10, 30000, "milliseconds"),
	NUMBER(release_max_attempts, 1, 100, "a count"),
	{ "lease_lifetime_ms", KEY_NUMBER, FIELD(lease_lifetime_ms), 1000, 180000,
	  NUMBER_ZERO_OFF, "milliseconds" },
	TEXT(log_target, 1, TEXT_LOG_TARGET,
	     "syslog, stderr or an absolute path of at most 255 bytes"),
	{ "log_level", KEY_LEVEL, FIELD(log_level), 0, 0, 0,
	  "error, warning, notice, info or debug" },
	TEXT(socket_group, 1, TEXT_WORD, "a group name of 1..63 bytes, no spaces"),
	{ "metrics_listen", KEY_LISTEN, FIELD(metrics_listen), 0, 0, 0,
	  "PORT, IPV4:PORT or [IPV6]:PORT (numeric; a bare port is 127.0.0.1)" },
	CHOICE("detect", detect, "bus", "off"),
	NUMBER(detect_restart_wait_ms, 0, 60000, "milliseconds"),
	{ "heartbeat_timeout_ms", KEY_NUMBER, FIELD(heartbeat_timeout_ms), 200, 600000,
	  NUMBER_ZERO_OFF, "milliseconds" },
	CHOICE("on_hung", kill_hung, "kill", "report"),
};
#define N_KEYS	(sizeof(keys) / sizeof(keys[0]))

void coord_config_defaults(struct coord_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->group, sizeof(cfg->group), "ganesha-grace");
	snprintf(cfg->socket, sizeof(cfg->socket), "%s", COORD_CTL_DEFAULT_SOCKET);
	cfg->grace_call_timeout_ms = 5000;
	cfg->barrier_deadline_ms = 15000;
	cfg->deadline_policy = COORD_POLICY_RELEASE;
	snprintf(cfg->release_command, sizeof(cfg->release_command),
		 "attrd_updater -D -n ganesha-active");
	cfg->release_timeout_ms = 30000;
	cfg->release_retry_ms = 1000;
	cfg->release_max_attempts = 5;
	cfg->lease_lifetime_ms = 60000;	/* ganesha's Lease_Lifetime default */
	snprintf(cfg->log_target, sizeof(cfg->log_target), "syslog");
	cfg->log_level = LOG_NOTICE;
	snprintf(cfg->socket_group, sizeof(cfg->socket_group), "haclient");
	cfg->detect = true;
	cfg->detect_restart_wait_ms = 0;
	cfg->heartbeat_timeout_ms = 5000;
	cfg->kill_hung = false;
}

/* Decimal digits only: no sign, no spaces, no trailing junk, no overflow. */
static int parse_u32(const char *v, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long long n;
	char *end;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || *end || n < min || n > max)
		return -1;
	*out = (uint32_t)n;
	return 0;
}

static bool text_ok(const struct config_key *k, const char *v)
{
	size_t len = strlen(v), i;

	if (len < k->min || len >= k->size)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)v[i];

		if (ch < 0x20 || ch > 0x7e || (ch == ' ' && (k->flags & TEXT_WORD)))
			return false;
	}
	if ((k->flags & TEXT_ABSOLUTE) && v[0] != '/')
		return false;
	if ((k->flags & TEXT_LOG_TARGET) && v[0] != '/' &&
	    strcmp(v, "syslog") && strcmp(v, "stderr"))
		return false;
	return true;
}

/* Per-file state: where each key and each VIP was first given. */
struct load_state {
	unsigned key_line[N_KEYS];
	unsigned vip_line[COORD_MAX_VIPS];
	char expect[128];
};

/* Sets one key.  Returns NULL, or what the value should have been. */
static const char *set_value(struct coord_config *cfg, const struct config_key *k,
			     const char *v, unsigned lineno, struct load_state *st)
{
	void *field = (char *)cfg + k->offset;
	struct coord_vip vip;
	size_t i;
	int level;

	switch (k->type) {
	case KEY_NUMBER:
		if (parse_u32(v, k->min, k->max, field) == 0 ||
		    ((k->flags & NUMBER_ZERO_OFF) && parse_u32(v, 0, 0, field) == 0))
			return NULL;
		snprintf(st->expect, sizeof(st->expect), "%s%s %u..%u",
			 k->flags & NUMBER_ZERO_OFF ? "0 (off) or " : "", k->expect,
			 k->min, k->max);
		return st->expect;
	case KEY_CHOICE: {
		/* expect is "YES or NO": the first word sets true, the last false */
		size_t yes = strcspn(k->expect, " ");
		const char *no = strrchr(k->expect, ' ') + 1;

		if (strlen(v) == yes && !strncmp(v, k->expect, yes))
			*(bool *)field = true;
		else if (!strcmp(v, no))
			*(bool *)field = false;
		else
			return k->expect;
		return NULL;
	}
	case KEY_TEXT:
		if (!text_ok(k, v))
			return k->expect;
		memcpy(field, v, strlen(v) + 1);
		return NULL;
	case KEY_VIP:
		if (coord_vip_parse(v, &vip) < 0)
			return k->expect;
		for (i = 0; i < cfg->n_vips; i++) {
			if (!coord_vip_equal(&cfg->vips[i], &vip))
				continue;
			if (st->vip_line[i])
				snprintf(st->expect, sizeof(st->expect),
					 "an address not given before; it is on line %u",
					 st->vip_line[i]);
			else
				snprintf(st->expect, sizeof(st->expect),
					 "an address not given before");
			return st->expect;
		}
		if (cfg->n_vips == COORD_MAX_VIPS) {
			snprintf(st->expect, sizeof(st->expect),
				 "at most %d vip lines", COORD_MAX_VIPS);
			return st->expect;
		}
		st->vip_line[cfg->n_vips] = lineno;
		cfg->vips[cfg->n_vips++] = vip;
		return NULL;
	case KEY_POLICY: {
		uint8_t policy = coord_policy_parse(v);

		if (!policy) {
			coord_policy_choices(st->expect, sizeof(st->expect));
			return st->expect;
		}
		cfg->deadline_policy = policy;
		return NULL;
	}
	case KEY_LISTEN: {
		struct sockaddr_storage ss;
		socklen_t sl;

		if (strlen(v) >= k->size || coord_listen_parse(v, &ss, &sl) < 0)
			return k->expect;
		memcpy(field, v, strlen(v) + 1);
		return NULL;
	}
	case KEY_LEVEL:
		level = coord_log_level_parse(v);
		if (level < 0)
			return k->expect;
		cfg->log_level = level;
		return NULL;
	}
	return k->expect;
}

/*
 * Reads one line without its newline into buf (COORD_CONFIG_LINE_MAX + 1
 * bytes).  Returns 1, 0 at the end of the file, -1 when the line is too
 * long, -2 when it holds a NUL byte (which would hide the rest of it).
 */
static int read_line(FILE *f, char *buf)
{
	size_t n = 0;
	bool nul = false;
	int ch;

	while ((ch = getc(f)) != '\n') {
		if (ch == EOF) {
			if (n == 0)
				return 0;
			break;
		}
		if (n == COORD_CONFIG_LINE_MAX)
			return -1;
		if (ch == '\0')
			nul = true;
		buf[n++] = (char)ch;
	}
	buf[n] = '\0';
	return nul ? -2 : 1;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/* '#' starts a comment at the start of a line or after whitespace. */
static void strip_comment(char *s)
{
	char *p;

	for (p = s; *p; p++) {
		if (*p == '#' && (p == s || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			return;
		}
	}
}

/* Quotes untrusted text for an error message: printable, 64 bytes. */
static const char *quote(const char *s, char *buf, size_t len)
{
	size_t i = coord_text_printable(buf, 0, len - 4 < 64 ? len - 4 : 64, s);

	if (s[i] && i + 4 <= len) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

static const struct config_key *key_find(const char *name)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

/* One non-empty line.  0, or -1 with err filled in. */
static int parse_line(const char *path, unsigned lineno, char *s,
		      struct coord_config *cfg, struct load_state *st,
		      char *err, size_t errlen)
{
	const struct config_key *k;
	char *eq = strchr(s, '='), *name, *v, q[72];
	const char *bad;

	if (!eq) {
		snprintf(err, errlen, "%s:%u: expected 'key = value', got '%s'",
			 path, lineno, quote(s, q, sizeof(q)));
		return -1;
	}
	*eq = '\0';
	name = trim(s);
	v = trim(eq + 1);
	if (!*name) {
		snprintf(err, errlen, "%s:%u: missing key before '='", path, lineno);
		return -1;
	}
	k = key_find(name);
	if (!k) {
		snprintf(err, errlen, "%s:%u: unknown key '%s'", path, lineno,
			 quote(name, q, sizeof(q)));
		return -1;
	}
	if (k->type != KEY_VIP && st->key_line[k - keys]) {
		snprintf(err, errlen, "%s:%u: %s given twice (first on line %u)",
			 path, lineno, k->name, st->key_line[k - keys]);
		return -1;
	}
	st->key_line[k - keys] = lineno;
	bad = set_value(cfg, k, v, lineno, st);
	if (bad) {
		snprintf(err, errlen, "%s:%u: bad value for %s: '%s' (expected %s)",
			 path, lineno, k->name, quote(v, q, sizeof(q)), bad);
		return -1;
	}
	return 0;
}

int coord_config_load(const char *path, bool must_exist, struct coord_config *cfg,
		      char *err, size_t errlen)
{
	char line[COORD_CONFIG_LINE_MAX + 1], *s;
	struct load_state st;
	unsigned lineno = 0;
	FILE *f;
	int rc;

	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT && !must_exist)
			return 0;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	memset(&st, 0, sizeof(st));
	while ((rc = read_line(f, line)) != 0) {
		lineno++;
		if (rc == -1) {
			snprintf(err, errlen, "%s:%u: line longer than %d bytes",
				 path, lineno, COORD_CONFIG_LINE_MAX);
			goto fail;
		}
		if (rc == -2) {
			snprintf(err, errlen, "%s:%u: NUL byte in the line", path, lineno);
			goto fail;
		}
		strip_comment(line);
		s = trim(line);
		if (*s && parse_line(path, lineno, s, cfg, &st, err, errlen) < 0)
			goto fail;
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

bool coord_config_warning(const struct coord_config *cfg, char *buf, size_t len)
{
	if (cfg->grace_call_timeout_ms <= cfg->barrier_deadline_ms)
		return false;
	snprintf(buf, len, "grace_call_timeout_ms (%u) is longer than barrier_deadline_ms "
		 "(%u): a survivor's grace call may still be pending at the deadline, "
		 "where deadline_policy decides (a late answer is still recorded)",
		 cfg->grace_call_timeout_ms, cfg->barrier_deadline_ms);
	return true;
}

void coord_config_to_engine(const struct coord_config *cfg, struct coord_engine_config *ec)
{
	ec->n_vips = cfg->n_vips;
	memcpy(ec->vips, cfg->vips, sizeof(ec->vips));
	ec->deadline_us = (uint64_t)cfg->barrier_deadline_ms * 1000u;
	ec->policy = cfg->deadline_policy;
	ec->release_retry_us = (uint64_t)cfg->release_retry_ms * 1000u;
	ec->release_retry_max_us = RELEASE_RETRY_MAX_US;
	ec->release_max_attempts = cfg->release_max_attempts;
	ec->released_reap_us = coord_released_reap_us(cfg->lease_lifetime_ms);
}
