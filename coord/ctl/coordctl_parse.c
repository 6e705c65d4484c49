/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordctl's command line, in the manner of ospfctl's parser.c: one
 * getopt pass reads every option wherever it stands (GNU order: `coordctl
 * events --last 3` and `coordctl --last 3 events` are the same); the
 * command is then looked up in a table that says which words and options
 * it takes and builds its request.
 */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coordctl.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: coordctl [-s PATH] [-j] [-t SEC] COMMAND [ARGS]\n"
		"Talks to the local coordd, the confirmed-grace failover coordinator.\n"
		"\n"
		"Commands:\n"
		"  ping                      is coordd there? (prints its version)\n"
		"  status                    this node, the group's members, counters\n"
		"  events [--last N]         recorded events and their survivors\n"
		"  check                     read-only health check for scripts and\n"
		"                            monitoring: one line, exit 0 OK, 1 WARNING,\n"
		"                            2 CRITICAL, 3 UNKNOWN (its own exit codes)\n"
		"  cancel EVENT-ID           withdraw a death or handover of this node\n"
		"  move VIP NODE             a planned move through pacemaker, gated like\n"
		"                            every move: waits until its group has started\n"
		"                            on NODE, then removes the move's constraint\n"
		"  metrics                   Prometheus text format (for node_exporter's\n"
		"                            textfile collector); no --json\n"
		"\n"
		"Commands for the OCF agents (ganesha_coord_mon, ganesha_coord_gate), not\n"
		"for an administrator; each changes what coordd holds:\n"
		"  death [--ip VIP]... [--wait]\n"
		"                            report the local NFS server dead; with\n"
		"                            --wait, return only when the event ended\n"
		"  up                        report the local NFS server healthy again;\n"
		"                            exit 0 when coordd vouches for this node\n"
		"                            as a VIP target, 5 when not yet\n"
		"  give-up --ip VIP... [--wait]\n"
		"                            the VIPs left this node: every other node\n"
		"                            enters grace, then the local server drops\n"
		"                            their state (the gate agent's stop)\n"
		"  take-over --ip VIP...     the VIPs are coming: the local server enters\n"
		"                            grace with every other node's records\n"
		"                            (the gate agent's start)\n"
		"\n"
		"Options:\n"
		"  -s, --socket PATH         coordd's socket (default %s)\n"
		"  -j, --json                one JSON document on stdout, usage errors\n"
		"                            included (see docs/control.md)\n"
		"  -t, --timeout SEC         bound the whole exchange (default %d s;\n"
		"                            %d s for move; none for death or\n"
		"                            give-up --wait)\n"
		"  -h, --help                this text\n"
		"  -V, --version             coordctl's version\n"
		"      --last N              events: the last N only (1..65535)\n"
		"      --ip VIP              death, give-up, take-over: a VIP (repeatable)\n"
		"      --wait                death, give-up: return when the event ended\n"
		"\n"
		"Exit status:\n"
		"  0    ok\n"
		"  1    failed: coordd refused, or the event ended badly or is held\n"
		"  2    usage error\n"
		"  3    cannot talk to coordd (not running, not permitted, a broken reply)\n"
		"  4    timed out\n"
		"  5    up: a member, not a VIP target yet\n"
		"  6    move: pacemaker's CIB cannot be read\n"
		"  130  move: interrupted by SIGINT (143: SIGTERM); its constraint removed\n"
		"check has its own: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n",
		COORD_CTL_DEFAULT_SOCKET, CTL_DEFAULT_TIMEOUT_MS / 1000,
		CTL_MOVE_DEFAULT_TIMEOUT_MS / 1000);
}

/* The first usage error, kept until the whole command line is read: only
 * then is it known whether --json asks for it as a JSON document. */
static void __attribute__((format(printf, 2, 3)))
usage_error(struct ctl_args *a, const char *fmt, ...)
{
	va_list ap;

	if (a->usage_error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(a->usage_error, sizeof(a->usage_error), fmt, ap);
	va_end(ap);
}

struct command {
	const char *name;
	uint16_t type;			/* the request */
	int n_args;			/* words after the name */
	unsigned int takes;		/* CTL_ARG_* it accepts */
	bool text_only;			/* prints text: no --json */
	/* Fills in what the command adds to the request; -1: said why. */
	int (*build)(struct ctl_args *a, char **argv, struct coord_ctl_request *req);
};

static int build_events(struct ctl_args *a, char **argv, struct coord_ctl_request *req)
{
	(void)argv;
	req->u.events.last = a->last;
	return 0;
}

static int build_death(struct ctl_args *a, char **argv, struct coord_ctl_request *req)
{
	(void)argv;
	req->u.death.flags = a->wait ? COORD_CTL_DEATH_WAIT : 0;
	req->u.death.n_vips = a->n_vips;
	memcpy(req->u.death.vips, a->vips, sizeof(a->vips));
	return 0;
}

/* give-up and take-over name their VIPs: there is no default. */
static int build_vips(struct ctl_args *a, char **argv, struct coord_ctl_request *req)
{
	if (!a->n_vips) {
		usage_error(a, "%s needs at least one --ip",
			req->type == COORD_CTL_GIVE_UP ? "give-up" : "take-over");
		return -1;
	}
	return build_death(a, argv, req);
}

static int build_cancel(struct ctl_args *a, char **argv, struct coord_ctl_request *req)
{
	(void)a;
	if (coord_event_id_parse(argv[0], &req->u.cancel.id) != 0) {
		usage_error(a, "'%s' is not an event id (origin.incarnation.seq)",
			    argv[0]);
		return -1;
	}
	return 0;
}

/* A node name as pacemaker spells them: no room for anything else. */
static bool node_name_ok(const char *s)
{
	size_t i;

	if (!*s || strlen(s) > 255)
		return false;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '.' || s[i] == '_'))
			return false;
	return true;
}

/* move VIP NODE: both go on pacemaker's command lines (no shell), so both
 * are checked here, as usage errors. */
static int build_move(struct ctl_args *a, char **argv, struct coord_ctl_request *req)
{
	struct coord_vip vip;

	(void)req;
	if (coord_vip_parse(argv[0], &vip) != 0) {
		usage_error(a, "'%s' is not an IPv4 or IPv6 address", argv[0]);
		return -1;
	}
	if (!node_name_ok(argv[1])) {
		usage_error(a, "'%s' is not a node name", argv[1]);
		return -1;
	}
	a->move_vip = argv[0];
	a->move_node = argv[1];
	return 0;
}

static const struct command commands[] = {
	{ "ping", COORD_CTL_PING, 0, 0, false, NULL },
	{ "status", COORD_CTL_STATUS, 0, 0, false, NULL },
	{ "events", COORD_CTL_EVENTS, 0, CTL_ARG_LAST, false, build_events },
	{ "death", COORD_CTL_DEATH, 0, CTL_ARG_IP | CTL_ARG_WAIT, false, build_death },
	{ "up", COORD_CTL_UP, 0, 0, false, NULL },
	{ "cancel", COORD_CTL_CANCEL, 1, 0, false, build_cancel },
	{ "metrics", COORD_CTL_METRICS, 0, 0, true, NULL },
	{ "give-up", COORD_CTL_GIVE_UP, 0, CTL_ARG_IP | CTL_ARG_WAIT, false, build_vips },
	{ "take-over", COORD_CTL_TAKE_OVER, 0, CTL_ARG_IP, false, build_vips },
	{ "move", CTL_LOCAL_MOVE, 2, 0, true, build_move },
	{ "check", CTL_LOCAL_CHECK, 0, 0, false, NULL },
};

/* A command option given to a command that does not take it, in this order. */
static const struct {
	unsigned int arg;
	const char *misuse;
} arg_owners[] = {
	{ CTL_ARG_LAST, "--last is for events only" },
	{ CTL_ARG_IP, "--ip is for death, give-up and take-over only" },
	{ CTL_ARG_WAIT, "--wait is for death and give-up only" },
};

static int parse_timeout(const char *s, struct ctl_args *a)
{
	char *end;
	double sec;

	errno = 0;
	sec = strtod(s, &end);
	if (errno || end == s || *end || !(sec > 0) || sec > 86400 * 365) {
		usage_error(a, "bad --timeout '%s' (seconds > 0)", s);
		return -1;
	}
	a->timeout_ms = (int64_t)(sec * 1000.0 + 0.999);
	return 0;
}

static int parse_last(const char *s, struct ctl_args *a)
{
	unsigned long last;
	char *end;

	errno = 0;
	last = strtoul(s, &end, 10);
	if (errno || end == s || *end || last < 1 || last > UINT16_MAX) {
		usage_error(a, "bad --last '%s' (1..65535)", s);
		return -1;
	}
	a->last = (uint16_t)last;
	return 0;
}

static int parse_ip(const char *s, struct ctl_args *a)
{
	if (a->n_vips == COORD_MAX_VIPS) {
		usage_error(a, "at most %d --ip", COORD_MAX_VIPS);
		return -1;
	}
	if (coord_vip_parse(s, &a->vips[a->n_vips]) != 0) {
		usage_error(a, "'%s' is not an IPv4 or IPv6 address", s);
		return -1;
	}
	a->n_vips++;
	return 0;
}

/* getopt's own refusal, as a usage error (opterr is 0: it says nothing). */
static void bad_option(int c, char **argv, struct ctl_args *a)
{
	const char *word = argv[optind - 1];

	if (c == ':')
		usage_error(a, "option '%s' needs an argument", word);
	else if (optopt && word[0] == '-' && word[1] != '-')
		usage_error(a, "unknown option '-%c'", optopt);
	else
		usage_error(a, "unknown option '%s'", word);
}

/*
 * Reads every option into *a, past a bad one (a --json after it still
 * counts).  Returns -1 to go on, or the exit code when coordctl is done
 * (--help, --version).
 */
static int parse_options(int argc, char **argv, struct ctl_args *a)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "last", required_argument, NULL, 'n' },
		{ "ip", required_argument, NULL, 'i' },
		{ "wait", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:jt:hV", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			a->path = optarg;
			break;
		case 'j':
			a->json = true;
			break;
		case 't':
			parse_timeout(optarg, a);
			break;
		case 'n':
			if (parse_last(optarg, a) == 0)
				a->given |= CTL_ARG_LAST;
			break;
		case 'i':
			if (parse_ip(optarg, a) == 0)
				a->given |= CTL_ARG_IP;
			break;
		case 'w':
			a->wait = true;
			a->given |= CTL_ARG_WAIT;
			break;
		case 'h':
			usage(stdout);
			return CTL_EXIT_OK;
		case 'V':
			printf("coordctl %s (control protocol %d.%d)\n", COORD_VERSION,
			       COORD_CTL_MAJOR, COORD_CTL_MINOR);
			return CTL_EXIT_OK;
		default:
			bad_option(c, argv, a);
			break;
		}
	}
	return -1;
}

/* The command named by the words left after the options; NULL: a usage
 * error kept. */
static const struct command *parse_command(int argc, char **argv, struct ctl_args *a,
					   struct coord_ctl_request *req)
{
	const struct command *cmd = NULL;
	size_t i;

	if (argc < 1) {
		usage_error(a, "no command given");
		return NULL;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]) && !cmd; i++)
		if (!strcmp(argv[0], commands[i].name))
			cmd = &commands[i];
	if (!cmd) {
		usage_error(a, "unknown command '%s'", argv[0]);
		return NULL;
	}
	a->command = cmd->name;
	if (argc - 1 != cmd->n_args) {
		usage_error(a, "%s takes %d argument(s), %d given", argv[0], cmd->n_args,
			    argc - 1);
		return NULL;
	}
	req->type = cmd->type;
	if (cmd->build && cmd->build(a, argv + 1, req) < 0)
		return NULL;
	return cmd;
}

/* Options the command does not take: 0, or -1 when one was given. */
static int check_options(const struct command *cmd, struct ctl_args *a)
{
	size_t i;

	for (i = 0; i < sizeof(arg_owners) / sizeof(arg_owners[0]); i++) {
		if ((a->given & arg_owners[i].arg) && !(cmd->takes & arg_owners[i].arg)) {
			usage_error(a, "%s", arg_owners[i].misuse);
			return -1;
		}
	}
	if (a->json && cmd->text_only) {
		usage_error(a, "%s prints %s; --json does not apply", cmd->name,
			    cmd->type == CTL_LOCAL_MOVE ? "progress lines" :
			    "the Prometheus text format");
		return -1;
	}
	return 0;
}

int ctl_parse(int argc, char **argv, struct ctl_args *a, struct coord_ctl_request *req)
{
	const struct command *cmd;
	int rc;

	memset(a, 0, sizeof(*a));
	memset(req, 0, sizeof(*req));
	a->path = COORD_CTL_DEFAULT_SOCKET;
	a->timeout_ms = -2;
	rc = parse_options(argc, argv, a);
	if (rc >= 0)
		return rc;
	cmd = parse_command(argc - optind, argv + optind, a, req);
	if (cmd)
		check_options(cmd, a);
	if (a->usage_error[0])	/* the first one found, wherever it was */
		return a->command && !strcmp(a->command, "check") ?
			CTL_EXIT_CHECK_UNKNOWN : CTL_EXIT_USAGE;
	if (a->timeout_ms == -2)	/* not given: the command's own default */
		a->timeout_ms = a->wait ? -1 :	/* none for death/give-up --wait */
			cmd->type == CTL_LOCAL_MOVE ? CTL_MOVE_DEFAULT_TIMEOUT_MS :
			CTL_DEFAULT_TIMEOUT_MS;
	return -1;
}
