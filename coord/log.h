/*
 * coordd's logging: libqb's qb_log with one target (syslog, stderr or a
 * file) filtered by level, and the blackbox (an in-memory ring of every
 * message, DEBUG included) written to a file on a fatal signal.
 * Code logs with qb_log(LOG_*, ...) directly.
 */
#ifndef COORD_LOG_H
#define COORD_LOG_H

#include <stddef.h>

/* target: "syslog", "stderr" or an absolute file path.  0 or -1 + err. */
int coord_log_init(const char *ident, const char *target, int level,
		   char *err, size_t errlen);
void coord_log_fini(void);

/* "error", "warning", "notice", "info", "debug" -> LOG_*; -1 if unknown. */
int coord_log_level_parse(const char *name);

/* The engine's log callback. */
void coord_log_engine(void *ctx, int priority, const char *text);

/* Writes the blackbox to path; 0 or -errno. */
int coord_log_blackbox_dump(const char *path);

#endif
