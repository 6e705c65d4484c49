/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordctl's three parts: coordctl_parse.c (the command line),
 * coordctl.c (the one exchange with coordd) and coordctl_output.c (human
 * and --json printers, from one place, so both always show the same
 * records).
 */
#ifndef COORD_COORDCTL_H
#define COORD_COORDCTL_H

#include <stdbool.h>
#include <stdio.h>
#include "coord/ctl.h"

/* Exit codes, as --help and docs/control.md list them. */
enum {
	CTL_EXIT_OK = 0,
	CTL_EXIT_FAILED = 1,		/* coordd said no, or the event failed */
	CTL_EXIT_USAGE = 2,
	CTL_EXIT_NO_DAEMON = 3,		/* cannot talk to coordd */
	CTL_EXIT_TIMEOUT = 4,
	CTL_EXIT_NOT_TARGET = 5,	/* up: a member, not a VIP target yet */
	CTL_EXIT_NO_CIB = 6,		/* move: pacemaker's CIB unreachable or unreadable */
	/* move interrupted by SIGINT or SIGTERM: 128 + the signal, as a shell
	 * reports a command the signal killed (130, 143). */
	CTL_EXIT_SIGNAL_BASE = 128,
	/* check: the monitoring plugins' UNKNOWN, also for its usage errors
	 * (the plugins' guidelines: never CRITICAL for a bad command line) */
	CTL_EXIT_CHECK_UNKNOWN = 3,
};

#define CTL_DEFAULT_TIMEOUT_MS	30000
/* move waits for pacemaker: a handover, a take-over, a settled cluster. */
#define CTL_MOVE_DEFAULT_TIMEOUT_MS	120000

/* Command options, as given (ctl_args.given). */
enum {
	CTL_ARG_LAST = 0x1,			/* --last N */
	CTL_ARG_IP = 0x2,			/* --ip VIP, repeatable */
	CTL_ARG_WAIT = 0x4,			/* --wait */
};

/* Not control requests: commands coordctl carries out itself (request
 * types start at 1). */
#define CTL_LOCAL_MOVE		0
#define CTL_LOCAL_CHECK		0xffff

/* What an exchange with coordd hands its records to. */
struct ctl_sink {
	void (*record)(void *ctx, const struct coord_ctl_record *rec);	/* before the END */
	int (*end)(void *ctx, const struct coord_ctl_end *end, double round_trip_ms);
	void (*error)(void *ctx, int exit_code, const char *message);	/* no END */
	void *ctx;
};

/* One request (req->seq set) and its records to the END, bounded by
 * timeout_ms (-1: none) (coordctl.c).  Returns the exit code: sink->end's,
 * or the one sink->error was told. */
int ctl_exchange(const char *path, const struct coord_ctl_request *req,
		 int64_t timeout_ms, const struct ctl_sink *sink);
/* A request's sequence number: never 0, unlikely to repeat. */
uint32_t ctl_new_seq(void);

/* coordctl check (coordctl_check.c): the monitoring plugins' exit code. */
int ctl_check(const char *path, int64_t timeout_ms, bool json);

/* coordctl move VIP NODE (coordctl_move.c), both checked by ctl_parse:
 * returns the exit code. */
int ctl_move(const char *vip, const char *node, int64_t timeout_ms);

/* The command line, read. */
struct ctl_args {
	const char *path;
	bool json;
	int64_t timeout_ms;		/* -1: none (death --wait) */
	unsigned int given;		/* CTL_ARG_*: command options seen */
	uint16_t last;
	bool wait;
	uint16_t n_vips;
	struct coord_vip vips[COORD_MAX_VIPS];
	const char *move_vip, *move_node;	/* move */
	const char *command;		/* the command's name, once known */
	char usage_error[256];		/* the first usage error; "" none */
};

/*
 * Reads the command line into *a and the request *req (all but its
 * sequence number).  Returns -1 to go on, or the exit code when coordctl
 * is done: --help, --version, or a usage error's exit code with
 * a->usage_error set (for ctl_output_usage_error).
 */
int ctl_parse(int argc, char **argv, struct ctl_args *a, struct coord_ctl_request *req);

struct ctl_output;

/* command: the request type it prints the answer of. */
struct ctl_output *ctl_output_new(FILE *f, uint16_t command, bool json);
/* Every record before the END, in the order received. */
void ctl_output_record(struct ctl_output *o, const struct coord_ctl_record *rec);
/* The END: prints what is held and the result.  Returns the exit code. */
int ctl_output_end(struct ctl_output *o, const struct coord_ctl_end *end,
		   double round_trip_ms);
/* No END: a local failure, with the exit code it will cause. */
void ctl_output_error(struct ctl_output *o, int exit_code, const char *message);
void ctl_output_free(struct ctl_output *o);
/* A usage error: text on stderr, or under --json a failure's document on
 * stdout (command null when no command was named). */
void ctl_output_usage_error(const struct ctl_args *a, int exit_code);

/* The exit code an END status means. */
int ctl_exit_code(uint16_t status);

/* Writes s with unprintable bytes and backslashes escaped (\xNN, \\). */
void ctl_put_safe(FILE *f, const char *s);
/* Writes s as a JSON string, quotes included; invalid UTF-8 -> U+FFFD. */
void ctl_put_json_string(FILE *f, const char *s);

#endif
