/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging through qb_log: one target chosen by the configuration, plus
 * the blackbox.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/stat.h>
#include <qb/qblog.h>

#include "log.h"

#define BLACKBOX_SIZE	(256 * 1024)	/* bytes of shared memory */

static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };

static int main_target = -1;		/* the configuration's */
static bool stderr_crit;		/* LOG_CRIT also to stderr */
static int file_target = -1;
static char file_path[PATH_MAX];	/* the file target's, for messages */
static char fatal_path[PATH_MAX];

int coord_log_level_parse(const char *name)
{
	static const struct {
		const char *name;
		int level;
	} levels[] = {
		{ "error", LOG_ERR }, { "warning", LOG_WARNING },
		{ "notice", LOG_NOTICE }, { "info", LOG_INFO }, { "debug", LOG_DEBUG },
	};
	size_t i;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (!strcmp(name, levels[i].name))
			return levels[i].level;
	return -1;
}

/* Returns the qb_log target for target, or -1 with err filled in. */
static int target_open(const char *target, char *err, size_t errlen)
{
	int t;

	if (!strcmp(target, "syslog")) {
		/* syslog adds the time, the level and the ident itself */
		qb_log_format_set(QB_LOG_SYSLOG, "%b");
		return QB_LOG_SYSLOG;
	}
	if (!strcmp(target, "stderr")) {
		t = QB_LOG_STDERR;
	} else if (target[0] == '/') {
		t = qb_log_file_open(target);
		if (t < 0) {
			snprintf(err, errlen, "cannot open log file %s: %s", target,
				 strerror(-t));
			return -1;
		}
		file_target = t;
		snprintf(file_path, sizeof(file_path), "%s", target);
	} else {
		snprintf(err, errlen, "bad log target '%s' (expected syslog, stderr "
			 "or an absolute path)", target);
		return -1;
	}
	qb_log_format_set(t, "%t %N[%P] %p: %b");
	return t;
}

int coord_log_target_check(const char *target, char *err, size_t errlen)
{
	char dir[PATH_MAX], *slash;
	struct stat st;

	if (target[0] != '/')
		return 0;	/* syslog or stderr: nothing on disk */
	if (stat(target, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "log file %s is a directory", target);
			return -EISDIR;
		}
		if (access(target, W_OK) == 0)
			return 0;
		snprintf(err, errlen, "cannot write to log file %s: %s", target, strerror(errno));
		return -errno;
	}
	snprintf(dir, sizeof(dir), "%s", target);
	slash = strrchr(dir, '/');
	slash[slash == dir ? 1 : 0] = '\0';
	if (access(dir, W_OK | X_OK) == 0)
		return 0;
	snprintf(err, errlen, "cannot create log file %s in %s: %s", target, dir,
		 strerror(errno));
	return -errno;
}

int coord_log_init(const char *ident, const char *target, int level,
		   char *err, size_t errlen)
{
	int t, rc;

	if (level < LOG_EMERG || level > LOG_DEBUG) {
		snprintf(err, errlen, "bad log level %d", level);
		return -1;
	}
	qb_log_init(ident, LOG_DAEMON, (uint8_t)level);
	/*
	 * qb_log_init turns syslog on with a filter; drop both, so that only
	 * the target asked for writes (qb_log_fini frees the filters of
	 * enabled targets only).
	 */
	qb_log_filter_ctl(QB_LOG_SYSLOG, QB_LOG_FILTER_CLEAR_ALL, QB_LOG_FILTER_FILE,
			  "*", LOG_DEBUG);
	qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_ENABLED, QB_FALSE);
	t = target_open(target, err, errlen);
	if (t < 0) {
		qb_log_fini();
		return -1;
	}
	main_target = t;
	qb_log_filter_ctl(t, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*", (uint8_t)level);
	rc = qb_log_ctl(t, QB_LOG_CONF_ENABLED, QB_TRUE);
	if (rc < 0) {
		snprintf(err, errlen, "cannot log to %s: %s", target, strerror(-rc));
		coord_log_fini();
		return -1;
	}
	/* The blackbox keeps everything for a post-mortem; not vital. */
	qb_log_ctl(QB_LOG_BLACKBOX, QB_LOG_CONF_SIZE, BLACKBOX_SIZE);
	qb_log_filter_ctl(QB_LOG_BLACKBOX, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE,
			  "*", LOG_DEBUG);
	rc = qb_log_ctl(QB_LOG_BLACKBOX, QB_LOG_CONF_ENABLED, QB_TRUE);
	if (rc < 0) {
		qb_log_filter_ctl(QB_LOG_BLACKBOX, QB_LOG_FILTER_CLEAR_ALL,
				  QB_LOG_FILTER_FILE, "*", LOG_DEBUG);
		qb_log(LOG_WARNING, "no blackbox: %s", strerror(-rc));
	}
	return 0;
}

void coord_log_stderr_crit(bool on)
{
	if (on == stderr_crit || main_target == QB_LOG_STDERR)
		return;
	stderr_crit = on;
	if (on) {
		qb_log_format_set(QB_LOG_STDERR, "%N: %b");
		qb_log_filter_ctl(QB_LOG_STDERR, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE,
				  "*", LOG_CRIT);
		qb_log_ctl(QB_LOG_STDERR, QB_LOG_CONF_ENABLED, QB_TRUE);
		return;
	}
	qb_log_ctl(QB_LOG_STDERR, QB_LOG_CONF_ENABLED, QB_FALSE);
	qb_log_filter_ctl(QB_LOG_STDERR, QB_LOG_FILTER_CLEAR_ALL, QB_LOG_FILTER_FILE,
			  "*", LOG_DEBUG);
}

void coord_log_fini(void)
{
	size_t i;

	coord_log_stderr_crit(false);

	/* A fatal signal after this must not touch the closed blackbox. */
	if (fatal_path[0]) {
		for (i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
			signal(fatal_signals[i], SIG_DFL);
		fatal_path[0] = '\0';
	}
	if (file_target >= 0) {
		/* qb_log_file_close leaves the filters behind (libqb 2.0). */
		qb_log_filter_ctl(file_target, QB_LOG_FILTER_CLEAR_ALL,
				  QB_LOG_FILTER_FILE, "*", LOG_DEBUG);
		qb_log_file_close(file_target);
	}
	file_target = -1;
	main_target = -1;
	qb_log_fini();
}

int coord_log_reopen(const char **path)
{
	*path = file_target >= 0 ? file_path : NULL;
	if (file_target < 0)
		return 0;
	/* libqb keeps writing to the old file when the new one cannot be
	 * opened. */
	return qb_log_file_reopen(file_target, NULL);
}

void coord_log_engine(void *ctx, int priority, const char *text)
{
	(void)ctx;
	if (priority < LOG_EMERG || priority > LOG_DEBUG)
		priority = LOG_ERR;
	qb_log(priority, "%s", text);
}

int coord_log_blackbox_dump(const char *path)
{
	ssize_t n = qb_log_blackbox_write_to_file(path);

	return n < 0 ? (int)n : 0;
}

/* As corosync: keep what led here, then die of the same signal. */
static void on_fatal_signal(int sig)
{
	qb_log_blackbox_write_to_file(fatal_path);
	raise(sig);	/* SA_RESETHAND: the default action, on return */
}

int coord_log_fatal_signals(const char *path)
{
	struct sigaction sa;
	size_t i;

	if (strlen(path) >= sizeof(fatal_path))
		return -ENAMETOOLONG;
	memcpy(fatal_path, path, strlen(path) + 1);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		if (sigaction(fatal_signals[i], &sa, NULL) < 0)
			return -errno;
	return 0;
}
