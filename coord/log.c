/*
 * Logging through qb_log.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <qb/qblog.h>

#include "log.h"

static int file_target = -1;

int coord_log_level_parse(const char *name)
{
	static const struct { const char *name; int level; } levels[] = {
		{ "error", LOG_ERR }, { "warning", LOG_WARNING },
		{ "notice", LOG_NOTICE }, { "info", LOG_INFO }, { "debug", LOG_DEBUG },
	};
	size_t i;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (!strcasecmp(name, levels[i].name))
			return levels[i].level;
	return -1;
}

int coord_log_init(const char *ident, const char *target, int level,
		   char *err, size_t errlen)
{
	int t;

	qb_log_init(ident, LOG_DAEMON, level);
	/* qb_log_init enables syslog: choose the one target we were given. */
	qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_ENABLED, QB_FALSE);
	if (!strcmp(target, "syslog")) {
		t = QB_LOG_SYSLOG;
	} else if (!strcmp(target, "stderr")) {
		t = QB_LOG_STDERR;
		qb_log_format_set(t, "%t %N[%P] %p: %b");
	} else {
		t = qb_log_file_open(target);
		if (t < 0) {
			snprintf(err, errlen, "cannot open log file %s: %s", target,
				 strerror(-t));
			qb_log_fini();
			return -1;
		}
		file_target = t;
		qb_log_format_set(t, "%t %N[%P] %p: %b");
	}
	qb_log_filter_ctl(t, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*", level);
	qb_log_ctl(t, QB_LOG_CONF_ENABLED, QB_TRUE);
	/* The blackbox keeps everything, for a post-mortem. */
	qb_log_filter_ctl(QB_LOG_BLACKBOX, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE,
			  "*", LOG_DEBUG);
	qb_log_ctl(QB_LOG_BLACKBOX, QB_LOG_CONF_SIZE, 1024 * 1024);
	qb_log_ctl(QB_LOG_BLACKBOX, QB_LOG_CONF_ENABLED, QB_TRUE);
	return 0;
}

void coord_log_fini(void)
{
	if (file_target >= 0)
		qb_log_file_close(file_target);
	file_target = -1;
	qb_log_fini();
}

void coord_log_engine(void *ctx, int priority, const char *text)
{
	(void)ctx;
	qb_log(priority, "%s", text);
}

int coord_log_blackbox_dump(const char *path)
{
	ssize_t n = qb_log_blackbox_write_to_file(path);

	return n < 0 ? (int)n : 0;
}
