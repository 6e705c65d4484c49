/*
 * coordctl: asks the local coordd one thing over its control socket.
 *
 * Linear: options, the command, connect, one request with a sequence
 * number, records until the END (each checked: magic, version, length,
 * type, sequence), print.  --timeout bounds the whole exchange.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "coord/ctl.h"
#include "coordctl.h"

#define DEFAULT_SOCKET		"/run/coord/coordd.sock"
#define DEFAULT_TIMEOUT_MS	30000

struct exchange {
	int fd;
	int64_t deadline_ms;		/* monotonic; -1: none */
	uint32_t seq;
	uint8_t buf[COORD_CTL_MAX_RECORD];
	size_t len;
	char error[320];
};

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
		"  cancel EVENT-ID           withdraw a death this node reported\n"
		"  metrics                   Prometheus text format (for node_exporter's\n"
		"                            textfile collector); no --json\n"
		"\n"
		"Options:\n"
		"  -s, --socket PATH         coordd's socket (default %s)\n"
		"  -j, --json                one JSON document (see docs/control.md)\n"
		"  -t, --timeout SEC         bound the whole exchange (default %d s;\n"
		"                            none for death --wait)\n"
		"  -h, --help                this text\n"
		"  -V, --version             coordctl's version\n"
		"\n"
		"Exit status: 0 ok; 1 failed (coordd refused, or the event ended\n"
		"badly or is held); 2 usage error; 3 cannot talk to coordd;\n"
		"4 timed out.\n",
		DEFAULT_SOCKET, DEFAULT_TIMEOUT_MS / 1000);
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double mono_ms_f(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Waits for events on the socket until the deadline: 1, 0 timed out, -1. */
static int wait_fd(struct exchange *x, short events)
{
	struct pollfd p = { .fd = x->fd, .events = events };
	int timeout, rc;

	for (;;) {
		timeout = -1;
		if (x->deadline_ms >= 0) {
			int64_t left = x->deadline_ms - mono_ms();
			timeout = left > 0 ? (int)(left < INT32_MAX ? left : INT32_MAX) : 0;
		}
		rc = poll(&p, 1, timeout);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0) {
			snprintf(x->error, sizeof(x->error), "poll: %s", strerror(errno));
			return -1;
		}
		return rc > 0;
	}
}

static int do_connect(struct exchange *x, const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(addr.sun_path)) {
		snprintf(x->error, sizeof(x->error), "socket path too long: %s", path);
		return -1;
	}
	memcpy(addr.sun_path, path, strlen(path) + 1);
	x->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (x->fd < 0) {
		snprintf(x->error, sizeof(x->error), "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(x->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int e = errno;

		snprintf(x->error, sizeof(x->error), "cannot connect to %s: %s%s", path,
			 strerror(e), e == ENOENT || e == ECONNREFUSED ?
			 " (is coordd running?)" : e == EACCES ?
			 " (root or the socket's group only)" : "");
		return -1;
	}
	return 0;
}

/* Returns 0, -1 on an error, or 1 on a timeout.  EPIPE is not an error:
 * coordd may have refused us, and its END is then waiting to be read. */
static int send_request(struct exchange *x, const struct coord_ctl_request *req)
{
	uint8_t buf[COORD_CTL_MAX_REQUEST];
	int len = coord_ctl_request_encode(req, buf, sizeof(buf));
	size_t off = 0;

	if (len < 0) {
		snprintf(x->error, sizeof(x->error), "cannot encode the request: %s",
			 coord_ctl_strerror(len));
		return -1;
	}
	while (off < (size_t)len) {
		ssize_t n = send(x->fd, buf + off, (size_t)len - off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EPIPE || errno == ECONNRESET)
			return 0;
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			snprintf(x->error, sizeof(x->error), "send: %s", strerror(errno));
			return -1;
		}
		switch (wait_fd(x, POLLOUT)) {
		case 0:
			return 1;
		case -1:
			return -1;
		}
	}
	return 0;
}

/*
 * Reads the next record.  0 with *rec filled, 1 on a timeout, -1 on an
 * error (x->error says which).  Records of a type this coordctl does not
 * know, from a newer minor version, are skipped.
 */
static int read_record(struct exchange *x, struct coord_ctl_record *rec)
{
	struct coord_ctl_header h;
	ssize_t n;
	int err;

	for (;;) {
		err = coord_ctl_header_decode(x->buf, x->len, &h);
		if (err == COORD_CTL_E_OK && h.length > COORD_CTL_MAX_RECORD) {
			snprintf(x->error, sizeof(x->error), "coordd sent a record of "
				 "%u bytes (at most %u)", h.length, COORD_CTL_MAX_RECORD);
			return -1;
		}
		if (err == COORD_CTL_E_OK && x->len >= h.length) {
			err = coord_ctl_record_decode(x->buf, h.length, rec);
			memmove(x->buf, x->buf + h.length, x->len - h.length);
			x->len -= h.length;
			if (err == COORD_CTL_E_BAD_TYPE && (h.version & 0xff) > COORD_CTL_MINOR)
				continue;
			if (err < 0) {
				snprintf(x->error, sizeof(x->error), "bad %s record from "
					 "coordd: %s", coord_ctl_type_name(h.type),
					 coord_ctl_strerror(err));
				return -1;
			}
			/* Sequence 0: coordd refused us before reading the request. */
			if (rec->seq != x->seq &&
			    !(rec->seq == 0 && rec->type == COORD_CTL_REC_END)) {
				snprintf(x->error, sizeof(x->error), "coordd answered "
					 "sequence %u, we asked %u", rec->seq, x->seq);
				return -1;
			}
			return 0;
		}
		if (err != COORD_CTL_E_OK && err != COORD_CTL_E_TRUNCATED) {
			snprintf(x->error, sizeof(x->error), "not a coordd reply: %s",
				 coord_ctl_strerror(err));
			return -1;
		}
		switch (wait_fd(x, POLLIN)) {
		case 0:
			return 1;
		case -1:
			return -1;
		}
		n = recv(x->fd, x->buf + x->len, sizeof(x->buf) - x->len,
				 MSG_DONTWAIT);
		if (n == 0) {
			snprintf(x->error, sizeof(x->error), "coordd closed the "
				 "connection before the end of its reply");
			return -1;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				continue;
			snprintf(x->error, sizeof(x->error), "recv: %s", strerror(errno));
			return -1;
		}
		x->len += (size_t)n;
	}
}

static int exchange(const char *path, const struct coord_ctl_request *req,
		    int64_t timeout_ms, struct ctl_output *out)
{
	struct exchange x = { .fd = -1, .seq = req->seq };
	struct coord_ctl_record rec;
	double started = mono_ms_f();
	int rc;

	x.deadline_ms = timeout_ms >= 0 ? mono_ms() + timeout_ms : -1;
	if (do_connect(&x, path) < 0) {
		ctl_output_error(out, CTL_EXIT_NO_DAEMON, x.error);
		rc = CTL_EXIT_NO_DAEMON;
		goto done;
	}
	rc = send_request(&x, req);
	while (rc == 0) {
		rc = read_record(&x, &rec);
		if (rc == 0 && rec.type == COORD_CTL_REC_END) {
			rc = ctl_output_end(out, &rec.u.end, mono_ms_f() - started);
			goto done;
		}
		if (rc == 0)
			ctl_output_record(out, &rec);
	}
	if (rc == 1) {
		snprintf(x.error, sizeof(x.error), "timed out after %.3f s waiting "
			 "for coordd", (double)timeout_ms / 1000.0);
		ctl_output_error(out, CTL_EXIT_TIMEOUT, x.error);
		rc = CTL_EXIT_TIMEOUT;
	} else {
		ctl_output_error(out, CTL_EXIT_NO_DAEMON, x.error);
		rc = CTL_EXIT_NO_DAEMON;
	}
done:
	if (x.fd >= 0)
		close(x.fd);
	return rc;
}

/*
 * The command line, in the manner of ospfctl's parser.c: one getopt pass
 * reads every option wherever it stands (GNU order: `coordctl events
 * --last 3` and `coordctl --last 3 events` are the same), the command is
 * then looked up in a table that says which options it takes and builds
 * its request.
 */
enum {
	ARG_LAST = 0x1,			/* --last N */
	ARG_IP = 0x2,			/* --ip VIP, repeatable */
	ARG_WAIT = 0x4,			/* --wait */
};

struct ctl_args {
	const char *path;
	bool json;
	int64_t timeout_ms;		/* -2: the command's default */
	unsigned int given;		/* ARG_*: command options seen */
	uint16_t last;
	bool wait;
	uint16_t n_vips;
	struct coord_vip vips[COORD_MAX_VIPS];
};

struct command {
	const char *name;
	uint16_t type;			/* the request */
	int n_args;			/* words after the name */
	unsigned int takes;		/* ARG_* it accepts */
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
	{ "events", COORD_CTL_EVENTS, 0, ARG_LAST, false, build_events },
	{ "death", COORD_CTL_DEATH, 0, ARG_IP | ARG_WAIT, false, build_death },
	{ "up", COORD_CTL_UP, 0, 0, false, NULL },
	{ "cancel", COORD_CTL_CANCEL, 1, 0, false, build_cancel },
	{ "metrics", COORD_CTL_METRICS, 0, 0, true, NULL },
};

/* A command option given to a command that does not take it, in this order. */
static const struct {
	unsigned int arg;
	const char *misuse;
} arg_owners[] = {
	{ ARG_LAST, "--last is for events only" },
	{ ARG_IP, "--ip and --wait are for death only" },
	{ ARG_WAIT, "--ip and --wait are for death only" },
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
			a->given |= ARG_LAST;
			break;
		case 'i':
			if (parse_ip(optarg, a) < 0)
				return CTL_EXIT_USAGE;
			a->given |= ARG_IP;
			break;
		case 'w':
			a->wait = true;
			a->given |= ARG_WAIT;
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
		fprintf(stderr, "coordctl: %s prints the Prometheus text format; "
			"--json does not apply\n", cmd->name);
		return -1;
	}
	return 0;
}

static uint32_t new_seq(void)
{
	struct timespec ts;
	uint32_t seq;

	clock_gettime(CLOCK_REALTIME, &ts);
	seq = (uint32_t)getpid() * 2654435761u ^ (uint32_t)ts.tv_nsec;
	return seq ? seq : 1;		/* 0 is the daemon's own */
}

int main(int argc, char **argv)
{
	struct ctl_args a = { .path = DEFAULT_SOCKET, .timeout_ms = -2 };
	const struct command *cmd;
	struct coord_ctl_request req;
	struct ctl_output *out;
	int rc;

	memset(&req, 0, sizeof(req));
	rc = parse_options(argc, argv, &a);
	if (rc >= 0)
		return rc;
	cmd = parse_command(argc - optind, argv + optind, &a, &req);
	if (!cmd) {
		fprintf(stderr, "Try 'coordctl --help'.\n");
		return CTL_EXIT_USAGE;
	}
	if (check_options(cmd, &a) < 0)
		return CTL_EXIT_USAGE;
	req.seq = new_seq();
	if (a.timeout_ms == -2)
		a.timeout_ms = a.wait ? -1 : DEFAULT_TIMEOUT_MS;	/* death --wait */

	out = ctl_output_new(stdout, req.type, a.json);
	if (!out) {
		fprintf(stderr, "coordctl: out of memory\n");
		return CTL_EXIT_FAILED;
	}
	rc = exchange(a.path, &req, a.timeout_ms, out);
	ctl_output_free(out);
	if (fflush(stdout) != 0 && rc == CTL_EXIT_OK)
		rc = CTL_EXIT_FAILED;
	return rc;
}
