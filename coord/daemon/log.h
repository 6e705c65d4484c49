/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordd's logging: libqb's qb_log with one target (syslog, stderr or a
 * file) filtered by level, and the blackbox: an in-memory ring of every
 * message, DEBUG included, written to a file on a fatal signal (as
 * corosync does) and readable with qb-blackbox(8).
 *
 * Code logs with qb_log(LOG_*, ...) directly, and qb_perror(LOG_*, ...)
 * to add strerror(errno).
 */
#ifndef COORD_LOG_H
#define COORD_LOG_H

#include <stdbool.h>
#include <stddef.h>

/*
 * ident names the program in every line (syslog: ident, facility daemon,
 * no timestamp; stderr and files: "TIME IDENT[PID] LEVEL: text").
 * target: "syslog", "stderr" or an absolute file path (appended to).
 * level: LOG_ERR .. LOG_DEBUG, the least urgent level that is written.
 * Returns 0, or -1 with a message in err (logging is then off).
 */
int coord_log_init(const char *ident, const char *target, int level,
		   char *err, size_t errlen);
void coord_log_fini(void);

/*
 * LOG_CRIT and worse (what makes start-up fail) also to stderr, as
 * "coordd: text", or no longer: while a detaching coordd starts, why it
 * cannot reaches whoever started it, whatever the target.  A no-op when
 * the target is stderr.
 */
void coord_log_stderr_crit(bool on);

/*
 * What coord_log_init() would refuse in target alone (coordd -t): a file
 * that cannot be written, or created in a directory that does not exist
 * or cannot be written.  0, or -errno with a reason in err.
 */
int coord_log_target_check(const char *target, char *err, size_t errlen);

/*
 * Opens the file target's path again (SIGHUP, after logrotate moved the
 * file away): later lines go to a new file there.  *path is that path,
 * NULL when the target is not a file (nothing to reopen).  0, or -errno
 * when the file cannot be opened: lines then keep going to the old one.
 */
int coord_log_reopen(const char **path);

/* "error", "warning", "notice", "info", "debug" -> LOG_*; -1 if unknown. */
int coord_log_level_parse(const char *name);

/* The engine's log callback (struct coord_engine_config.log). */
void coord_log_engine(void *ctx, int priority, const char *text);

/* Writes the blackbox to path now.  0 or -errno. */
int coord_log_blackbox_dump(const char *path);

/*
 * On SIGSEGV, SIGBUS, SIGILL, SIGFPE or SIGABRT: write the blackbox to
 * path, then die of the same signal.  Call after coord_log_init, and
 * after the last qb_loop_signal_add(): older libqb releases reset the
 * signals they do not handle to SIG_DFL when one is added.  coord_log_fini
 * restores the defaults.  0 or -errno.
 */
int coord_log_fatal_signals(const char *path);

#endif
