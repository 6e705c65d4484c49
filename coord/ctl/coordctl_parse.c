/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordctl's command line, in the manner of ospfctl's parser.c: one
 * getopt pass reads every option wherever it stands (GNU order: `coordctl
 * events --last 3` and `coordctl --last 3 events` are the same); the
 * command is then looked up in a table that says which words and options
 * it takes and builds its request.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coordctl.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: coordctl [-s PATH] [-j] COMMAND [ARGS]\n"
		"Talks to the local coordd, the confirmed-grace failover coordinator.\n"
		"\n"
		"Commands:\n"
		"  ping                      is coordd there? (prints its version)\n"
		"  status                    this node, the group's members, counters\n"
		"  events [--last N]         recorded events and their survivors\n"
		"  death [--ip VIP]... [--wait]\n"
		"                            report the local NFS server dead; with\n"
		"                            --wait, return only when the event ended\n"
		"  up                        report the local NFS server healthy again\n"
		"  cancel EVENT-ID           withdraw a death or handover of this node\n"
		"  give-up --ip VIP... [--wait]\n"
		"                            the VIPs left this node: every other node\n"
		"                            enters grace, then the local server drops\n"
		"                            their state (the gate agent's stop)\n"
		"  move VIP NODE             a planned move through pacemaker, gated like\n"
		"                            every move: waits until its group has started\n"
		"                            on NODE, then removes the move's constraint\n"
		"  take-over --ip VIP...     the VIPs are coming: the local server enters\n"
		"                            grace with every other node's records\n"
		"                            (the gate agent's start)\n"
		"  metrics                   Prometheus text format (for node_exporter's\n"
		"                            textfile collector); no --json\n"
		"\n"
		"Options:\n"
		"  -s, --socket PATH         coordd's socket (default %s)\n"
		"  -j, --json                one JSON document (see docs/control.md)\n"
		"  -t, --timeout SEC         bound the whole exchange (default %d s;\n"
		"                            %d s for move; none for death or\n"
		"                            give-up --wait)\n"
		"  -h, --help                this text\n"
		"  -V, --version             coordctl's version\n"
		"\n"
		"Exit status: 0 ok; 1 failed (coordd refused, or the event ended\n"
		"badly or is held); 2 usage error; 3 cannot talk to coordd;\n"
		"4 timed out; 5 up: a member, not a VIP target yet;\n"
		"6 move: pacemaker's CIB cannot be read; 130, 143 move: interrupted.\n",
		COORD_CTL_DEFAULT_SOCKET, CTL_DEFAULT_TIMEOUT_MS / 1000,
		CTL_MOVE_DEFAULT_TIMEOUT_MS / 1000);
}

struct command {
	const char *name;
	uint16_t type;			/* the request */
	int n_args;			/* words after the name */
	unsigned int takes;		/* CTL_ARG_* it accepts */
	bool text_only;			/* prints text: no --json */
	/* Fills in what the command adds to the request; -1: said why. */
	int (*build)(const struct ctl_args *a, char **argv, struct coord_ctl_request *req);
};

static int build_events(const struct ctl_args *a, char **argv, struct coord_ctl_request *req)
{
	(void)argv;
	req->u.events.last = a->last;
	return 0;
}

static int build_death(const struct ctl_args *a, char **argv, struct coord_ctl_request *req)
{
	(void)argv;
	req->u.death.flags = a->wait ? COORD_CTL_DEATH_WAIT : 0;
	req->u.death.n_vips = a->n_vips;
	memcpy(req->u.death.vips, a->vips, sizeof(a->vips));
	return 0;
}

/* give-up and take-over name their VIPs: there is no default. */
static int build_vips(const struct ctl_args *a, char **argv, struct coord_ctl_request *req)
{
	if (!a->n_vips) {
		fprintf(stderr, "coordctl: %s needs at least one --ip\n",
			req->type == COORD_CTL_GIVE_UP ? "give-up" : "take-over");
		return -1;
	}
	return build_death(a, argv, req);
}

static int build_cancel(const struct ctl_args *a, char **argv, struct coord_ctl_request *req)
{
	(void)a;
	if (coord_event_id_parse(argv[0], &req->u.cancel.id) != 0) {
		fprintf(stderr, "coordctl: '%s' is not an event id "
			"(origin.incarnation.seq)\n", argv[0]);
		return -1;
	}
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
	{ "move", CTL_LOCAL_MOVE, 2, 0, true, NULL },
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
		fprintf(stderr, "coordctl: bad --timeout '%s' (seconds > 0)\n", s);
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
		fprintf(stderr, "coordctl: bad --last '%s' (1..65535)\n", s);
		return -1;
	}
	a->last = (uint16_t)last;
	return 0;
}

static int parse_ip(const char *s, struct ctl_args *a)
{
	if (a->n_vips == COORD_MAX_VIPS) {
		fprintf(stderr, "coordctl: at most %d --ip\n", COORD_MAX_VIPS);
		return -1;
	}
	if (coord_vip_parse(s, &a->vips[a->n_vips]) != 0) {
		fprintf(stderr, "coordctl: '%s' is not an IPv4 or IPv6 address\n", s);
		return -1;
	}
	a->n_vips++;
	return 0;
}

/*
 * Reads every option into *a.  Returns -1 to go on, or the exit code
 * when coordctl is done (--help, --version, a bad option).
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

	while ((c = getopt_long(argc, argv, "s:jt:hV", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			a->path = optarg;
			break;
		case 'j':
			a->json = true;
			break;
		case 't':
			if (parse_timeout(optarg, a) < 0)
				return CTL_EXIT_USAGE;
			break;
		case 'n':
			if (parse_last(optarg, a) < 0)
				return CTL_EXIT_USAGE;
			a->given |= CTL_ARG_LAST;
			break;
		case 'i':
			if (parse_ip(optarg, a) < 0)
				return CTL_EXIT_USAGE;
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
			usage(stderr);
			return CTL_EXIT_USAGE;
		}
	}
	return -1;
}

/* The command named by the words left after the options; NULL: said why. */
static const struct command *parse_command(int argc, char **argv, const struct ctl_args *a,
					   struct coord_ctl_request *req)
{
	const struct command *cmd = NULL;
	size_t i;

	if (argc < 1) {
		fprintf(stderr, "coordctl: no command given\n");
		return NULL;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]) && !cmd; i++)
		if (!strcmp(argv[0], commands[i].name))
			cmd = &commands[i];
	if (!cmd) {
		fprintf(stderr, "coordctl: unknown command '%s'\n", argv[0]);
		return NULL;
	}
	if (argc - 1 != cmd->n_args) {
		fprintf(stderr, "coordctl: %s takes %d argument(s), %d given\n",
			argv[0], cmd->n_args, argc - 1);
		return NULL;
	}
	req->type = cmd->type;
	if (cmd->build && cmd->build(a, argv + 1, req) < 0)
		return NULL;
	return cmd;
}

/* Options the command does not take: 0, or -1 when one was given. */
static int check_options(const struct command *cmd, const struct ctl_args *a)
{
	size_t i;

	for (i = 0; i < sizeof(arg_owners) / sizeof(arg_owners[0]); i++) {
		if ((a->given & arg_owners[i].arg) && !(cmd->takes & arg_owners[i].arg)) {
			fprintf(stderr, "coordctl: %s\n", arg_owners[i].misuse);
			return -1;
		}
	}
	if (a->json && cmd->text_only) {
		fprintf(stderr, "coordctl: %s prints %s; --json does not apply\n", cmd->name,
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
	if (!cmd) {
		fprintf(stderr, "Try 'coordctl --help'.\n");
		return CTL_EXIT_USAGE;
	}
	if (cmd->type == CTL_LOCAL_MOVE) {
		a->move_vip = argv[optind + 1];
		a->move_node = argv[optind + 2];
	}
	if (check_options(cmd, a) < 0)
		return CTL_EXIT_USAGE;
	if (a->timeout_ms == -2)	/* not given: the command's own default */
		a->timeout_ms = a->wait ? -1 :	/* none for death/give-up --wait */
			cmd->type == CTL_LOCAL_MOVE ? CTL_MOVE_DEFAULT_TIMEOUT_MS :
			CTL_DEFAULT_TIMEOUT_MS;
	return -1;
}
