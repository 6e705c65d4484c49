/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordctl end to end: its own main() (renamed), run in a forked child
 * with stdout and stderr captured, against the in-process cluster of
 * ctl_cluster.h (real control socket, dispatch and engines), or against
 * a fake daemon that answers wrongly.  Checks exit codes, the human
 * output's key lines, that every --json document is valid JSON with the
 * documented fields, and the escaping of untrusted strings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "ctl_cluster.h"

#define main coordctl_main
#include "../../../coord/ctl/coordctl.c"
#include "../../../coord/ctl/coordctl_exchange.c"
#undef main
#include "../../../coord/ctl/coordctl_parse.c"
#include "../../../coord/ctl/coordctl_output.c"
#include "../../../coord/ctl/coordctl_move.c"
#include "../../../coord/ctl/coordctl_check.c"

#define NOBODY	65534

/* ---- a JSON checker: RFC 8259 syntax, nothing more ---- */

struct json {
	const char *p;
	int depth;
};

static bool j_value(struct json *j);

static void j_ws(struct json *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
		j->p++;
}

static bool j_string(struct json *j)
{
	if (*j->p++ != '"')
		return false;
	while (*j->p != '"') {
		unsigned char c = (unsigned char)*j->p;

		if (c < 0x20)
			return false;
		if (c == '\\') {
			j->p++;
			if (*j->p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", j->p[i]) || !j->p[i])
						return false;
				j->p += 5;
				continue;
			}
			if (!*j->p || !strchr("\"\\/bfnrt", *j->p))
				return false;
		}
		j->p++;
	}
	j->p++;
	return true;
}

static bool j_number(struct json *j)
{
	const char *start = j->p;

	if (*j->p == '-')
		j->p++;
	if (*j->p == '0')
		j->p++;
	else if (*j->p >= '1' && *j->p <= '9')
		while (*j->p >= '0' && *j->p <= '9')
			j->p++;
	else
		return false;
	if (*j->p == '.') {
		j->p++;
		if (!(*j->p >= '0' && *j->p <= '9'))
			return false;
		while (*j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	return j->p > start;
}

static bool j_members(struct json *j, char close, bool object)
{
	j->p++;
	j_ws(j);
	if (*j->p == close) {
		j->p++;
		return true;
	}
	for (;;) {
		j_ws(j);
		if (object) {
			if (!j_string(j))
				return false;
			j_ws(j);
			if (*j->p++ != ':')
				return false;
		}
		if (!j_value(j))
			return false;
		j_ws(j);
		if (*j->p == close) {
			j->p++;
			return true;
		}
		if (*j->p++ != ',')
			return false;
	}
}

static bool j_value(struct json *j)
{
	bool ok;

	j_ws(j);
	if (++j->depth > 64)
		return false;
	switch (*j->p) {
	case '{': ok = j_members(j, '}', true); break;
	case '[': ok = j_members(j, ']', false); break;
	case '"': ok = j_string(j); break;
	case 't': ok = !strncmp(j->p, "true", 4) && (j->p += 4); break;
	case 'f': ok = !strncmp(j->p, "false", 5) && (j->p += 5); break;
	case 'n': ok = !strncmp(j->p, "null", 4) && (j->p += 4); break;
	default: ok = j_number(j);
	}
	j->depth--;
	return ok;
}

/* One JSON object and a newline, nothing else. */
static void expect_json(const char *text, const char *what)
{
	struct json j = { .p = text };

	if (*text != '{' || !j_value(&j))
		fail_msg("%s: not valid JSON near offset %td: %s", what, j.p - text, text);
	if (strcmp(j.p, "\n") != 0)
		fail_msg("%s: something after the JSON document: \"%s\"", what, j.p);
}

static void expect_has(const char *text, const char *needle, const char *what)
{
	if (!strstr(text, needle))
		fail_msg("%s: expected to find \"%s\" in:\n%s", what, needle, text);
}

static void test_json_checker_refuses(void **state)
{
	static const char *const bad[] = {
		"{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1 2]", "{\"a\":\"\x01\"}",
		"{\"a\":\"\\q\"}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":tru}",
		"{\"a\":\"\\u12\"}",
	};
	struct json j;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j.p = bad[i];
		j.depth = 0;
		if (j_value(&j) && *j.p == '\0')
			fail_msg("the JSON checker accepted %s", bad[i]);
	}
	j.p = "{\"a\":[1,-2.5,\"x\\u00e9\",true,null,{}]}";
	j.depth = 0;
	assert_true(j_value(&j) && *j.p == '\0');
}

/* ---- running coordctl ---- */

struct ctl_run {
	pid_t pid;
	int out_fd, err_fd;
	char out[1 << 18], err[1 << 14];
	size_t out_len, err_len;
	int status;
	bool exited;
	uid_t uid;		/* run as this uid (0: unchanged) */
};

static void drain(int fd, char *buf, size_t cap, size_t *len)
{
	ssize_t n;

	while (fd >= 0 && *len + 1 < cap &&
	       (n = read(fd, buf + *len, cap - 1 - *len)) > 0)
		*len += (size_t)n;
	buf[*len] = '\0';
}

static void ctl_start(struct ctl_run *r, const char *path, const char *const *args)
{
	char *argv[32];
	int out[2], err[2], argc = 0;

	argv[argc++] = "coordctl";
	if (path) {
		argv[argc++] = "-s";
		argv[argc++] = (char *)path;
	}
	while (*args && argc < 31)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		fail_msg("pipe: %s", strerror(errno));
	fflush(stdout);
	fflush(stderr);
	r->pid = fork();
	if (r->pid < 0)
		fail_msg("fork: %s", strerror(errno));
	if (r->pid == 0) {
		int rc;

		alarm(20);
		dup2(out[1], 1);
		dup2(err[1], 2);
		if (r->uid && (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 ||
			       setuid(r->uid) < 0))
			_exit(99);
		optind = 0;	/* glibc: a fresh getopt */
		rc = coordctl_main(argc, argv);
		fflush(stdout);
		fflush(stderr);
		_exit(rc);
	}
	close(out[1]);
	close(err[1]);
	r->out_fd = out[0];
	r->err_fd = err[0];
	fcntl(r->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(r->err_fd, F_SETFL, O_NONBLOCK);
}

static bool ctl_finished(void *arg)
{
	struct ctl_run *r = arg;

	drain(r->out_fd, r->out, sizeof(r->out), &r->out_len);
	drain(r->err_fd, r->err, sizeof(r->err), &r->err_len);
	if (!r->exited && waitpid(r->pid, &r->status, WNOHANG) == r->pid)
		r->exited = true;
	return r->exited;
}

static void ctl_collect(struct ctl_run *r)
{
	fcntl(r->out_fd, F_SETFL, 0);
	fcntl(r->err_fd, F_SETFL, 0);
	drain(r->out_fd, r->out, sizeof(r->out), &r->out_len);
	drain(r->err_fd, r->err, sizeof(r->err), &r->err_len);
	close(r->out_fd);
	close(r->err_fd);
	if (!WIFEXITED(r->status))
		fail_msg("coordctl died of signal %d; stderr: %s", WTERMSIG(r->status), r->err);
}

/* Waits for a started coordctl while the loop serves it; its exit code. */
static int ctl_wait(struct ctl_run *r, int timeout_ms)
{
	if (!run_until(ctl_finished, r, timeout_ms)) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
		fail_msg("coordctl did not finish within %d ms; stdout so far: %s",
			 timeout_ms, r->out);
	}
	ctl_collect(r);
	return WEXITSTATUS(r->status);
}

/* Runs coordctl against the cluster's socket to its end. */
static int ctl(struct ctl_run *r, const char *const *args)
{
	memset(r, 0, sizeof(*r));
	ctl_start(r, C->path, args);
	return ctl_wait(r, 10000);
}

/* Without a daemon: no loop to run, just wait. */
static int ctl_alone(struct ctl_run *r, const char *path, const char *const *args)
{
	memset(r, 0, sizeof(*r));
	ctl_start(r, path, args);
	while (!ctl_finished(r))
		usleep(1000);
	ctl_collect(r);
	return WEXITSTATUS(r->status);
}

static void expect_exit(const struct ctl_run *r, int got, int want, const char *what)
{
	if (got != want)
		fail_msg("%s: expected exit status %d, got %d\nstdout: %s\nstderr: %s",
			 what, want, got, r->out, r->err);
}

static bool stdout_has(void *arg)
{
	struct ctl_run *r = arg;

	ctl_finished(r);
	return strstr(r->out, "waiting") != NULL || r->exited;
}

/* ---- usage ---- */

static void test_usage_errors(void **state)
{
	static const char *const cases[][5] = {
		{ NULL },
		{ "bogus", NULL },
		{ "ping", "extra", NULL },
		{ "ping", "--last", "3", NULL },
		{ "events", "--last", "0", NULL },
		{ "death", "--ip", "300.1.1.1", NULL },
		{ "cancel", "not-an-id", NULL },
		{ "cancel", NULL },
		{ "--timeout", "-1", "ping", NULL },
		{ "up", "--wait", NULL },
		{ "--no-such-option", "ping", NULL },
		{ "move", "198.18.0.101", NULL },
		{ "move", "not-an-ip", "node2", NULL },
		{ "move", "198.18.0.101", "node;2", NULL },
		{ "take-over", NULL },
		{ "give-up", "--ip", "198.18.0.101", "x", NULL },
	};
	struct ctl_run *r = malloc(sizeof(*r));
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = ctl_alone(r, "/nonexistent/coordd.sock", cases[i]);

		if (rc != CTL_EXIT_USAGE)
			fail_msg("coordctl %s %s %s: expected the usage exit status 2, got %d "
				 "(%s)", cases[i][0] ? cases[i][0] : "",
				 cases[i][0] && cases[i][1] ? cases[i][1] : "",
				 cases[i][0] && cases[i][1] && cases[i][2] ? cases[i][2] : "",
				 rc, r->err);
		assert_int_equal(r->out_len, 0);
		expect_has(r->err, "Try 'coordctl --help'.", "a usage error");
	}
	expect_exit(r, ctl_alone(r, NULL, (const char *const[]){ "-V", NULL }), 0, "-V");
	expect_has(r->out, "control protocol 1.2", "-V");
	free(r);
}

/* Under --json a usage error is the document of a failure on stdout,
 * nothing on stderr: also when --json comes after the error, and when the
 * error is --json itself (move, metrics print text). */
static void test_usage_errors_json(void **state)
{
	static const struct {
		const char *argv[6];
		const char *command;	/* as the document names it */
		const char *error;
	} cases[] = {
		{ { "-j", "bogus", NULL }, "null", "unknown command 'bogus'" },
		{ { "--json", NULL }, "null", "no command given" },
		{ { "--last", "0", "-j", "events", NULL }, "\"events\"", "bad --last '0'" },
		{ { "events", "--no-such", "--json", NULL }, "\"events\"",
		  "unknown option '--no-such'" },
		{ { "-j", "ping", "-t", NULL }, "\"ping\"", "option '-t' needs an argument" },
		{ { "-j", "up", "--wait", NULL }, "\"up\"", "--wait is for death and give-up only" },
		{ { "-j", "move", "198.18.0.101", "node2", NULL }, "\"move\"",
		  "--json does not apply" },
		{ { "-j", "metrics", NULL }, "\"metrics\"", "--json does not apply" },
		{ { "-j", "cancel", "x\"y", NULL }, "\"cancel\"", "'x\\\"y' is not an event id" },
	};
	struct ctl_run *r = malloc(sizeof(*r));
	char want[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		expect_exit(r, ctl_alone(r, "/nonexistent/coordd.sock", cases[i].argv), 2,
			    cases[i].argv[1]);
		expect_json(r->out, cases[i].error);
		snprintf(want, sizeof(want), "{\"command\":%s,\"ok\":false,\"error\":",
			 cases[i].command);
		expect_has(r->out, want, cases[i].error);
		expect_has(r->out, cases[i].error, cases[i].error);
		expect_has(r->out, ",\"exit_code\":2}\n", cases[i].error);
		if (r->err_len)
			fail_msg("%s: --json, yet stderr says: %s", cases[i].error, r->err);
	}
	free(r);
}

/* --help: every option, every exit code, the agents' verbs apart. */
static void test_help(void **state)
{
	static const char *const options[] = {
		"-s, --socket PATH", "-j, --json", "-t, --timeout SEC", "-h, --help",
		"-V, --version", "--last N", "--ip VIP", "--wait",
	};
	static const int codes[] = {
		CTL_EXIT_OK, CTL_EXIT_FAILED, CTL_EXIT_USAGE, CTL_EXIT_NO_DAEMON,
		CTL_EXIT_TIMEOUT, CTL_EXIT_NOT_TARGET, CTL_EXIT_NO_CIB,
		CTL_EXIT_SIGNAL_BASE + SIGINT, CTL_EXIT_SIGNAL_BASE + SIGTERM,
	};
	static const char *const agents_verbs[] = {
		"\n  death [", "\n  up ", "\n  give-up --ip", "\n  take-over --ip",
	};
	struct ctl_run *r = malloc(sizeof(*r));
	const char *agents, *exits;
	char want[32];
	size_t i;

	(void)state;
	expect_exit(r, ctl_alone(r, NULL, (const char *const[]){ "--help", NULL }), 0, "--help");
	for (i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		expect_has(r->out, options[i], "--help's options");
	exits = strstr(r->out, "\nExit status:\n");
	assert_non_null(exits);
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		snprintf(want, sizeof(want), codes[i] == 143 ? "(%d: " : "\n  %d ", codes[i]);
		expect_has(exits, want, "--help's exit codes");
	}
	expect_has(exits, "\ncheck has its own: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n",
		   "--help's exit codes");
	agents = strstr(r->out, "\nCommands for the OCF agents");
	assert_non_null(agents);
	for (i = 0; i < sizeof(agents_verbs) / sizeof(agents_verbs[0]); i++) {
		const char *at = strstr(r->out, agents_verbs[i]);

		if (!at || at < agents || at > strstr(agents, "\nOptions:"))
			fail_msg("--help: %s is not among the agents' commands:\n%s",
				 agents_verbs[i] + 3, r->out);
	}
	free(r);
}

/* A command's timeout when -t is not given is the command's own; a -t is
 * taken as given, whatever its value (-t 30 move once meant 120 s: 30 s
 * was taken for "not given"). */
static void test_timeout_defaults(void **state)
{
	static const struct {
		const char *argv[8];
		int64_t want_ms;
	} cases[] = {
		{ { "coordctl", "ping", NULL }, CTL_DEFAULT_TIMEOUT_MS },
		{ { "coordctl", "move", "198.18.0.101", "node2", NULL }, CTL_MOVE_DEFAULT_TIMEOUT_MS },
		{ { "coordctl", "-t", "30", "move", "198.18.0.101", "node2", NULL }, 30000 },
		{ { "coordctl", "-t", "5", "move", "198.18.0.101", "node2", NULL }, 5000 },
		{ { "coordctl", "-t", "120", "ping", NULL }, 120000 },
		{ { "coordctl", "death", "--ip", "198.18.0.101", "--wait", NULL }, -1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ctl_args a;
		struct coord_ctl_request req;
		char *argv[8] = { NULL };	/* getopt_long permutes it */
		int argc = 0;

		for (; cases[i].argv[argc]; argc++)
			argv[argc] = (char *)cases[i].argv[argc];
		optind = 0;	/* getopt_long starts over */
		assert_int_equal(ctl_parse(argc, argv, &a, &req), -1);
		if (a.timeout_ms != cases[i].want_ms)
			fail_msg("case %zu (%s %s): timeout %lld ms, want %lld", i,
				 cases[i].argv[1], cases[i].argv[2] ? cases[i].argv[2] : "",
				 (long long)a.timeout_ms, (long long)cases[i].want_ms);
	}
}

static void test_cannot_connect(void **state)
{
	struct ctl_run *r = malloc(sizeof(*r));

	(void)state;
	expect_exit(r, ctl_alone(r, "/nonexistent/coordd.sock",
				 (const char *const[]){ "status", NULL }), 3, "no socket");
	expect_has(r->err, "is coordd running?", "no socket");
	expect_exit(r, ctl_alone(r, "/nonexistent/coordd.sock",
				 (const char *const[]){ "-j", "status", NULL }), 3,
		    "no socket, --json");
	expect_json(r->out, "no socket, --json");
	expect_has(r->out, "\"ok\":false", "no socket, --json");
	expect_has(r->out, "\"exit_code\":3", "no socket, --json");
	if (strstr(r->out, "\"members\""))
		fail_msg("a failed status must not claim an empty member list: %s", r->out);
	free(r);
}

/* ---- against the cluster ---- */

static void test_ping(void **state)
{
	struct ctl_run *r = malloc(sizeof(*r));

	(void)state;
	expect_exit(r, ctl(r, (const char *const[]){ "ping", NULL }), 0, "ping");
	expect_has(r->out, "coordd " COORD_VERSION ": answered in ", "ping");
	expect_exit(r, ctl(r, (const char *const[]){ "--json", "ping", NULL }), 0, "ping --json");
	expect_json(r->out, "ping --json");
	expect_has(r->out, "{\"command\":\"ping\",\"ok\":true,\"status\":\"ok\","
		   "\"status_code\":0,\"message\":\"coordd " COORD_VERSION "\","
		   "\"round_trip_ms\":", "ping --json");
	free(r);
}

static void test_status(void **state)
{
	struct ctl_run *r = malloc(sizeof(*r));

	(void)state;
	expect_exit(r, ctl(r, (const char *const[]){ "status", NULL }), 0, "status");
	expect_has(r->out, "node 1 (coordd pid 1001), incarnation 5000, group coord-test",
		   "status");
	expect_has(r->out, "joined: yes   corosync: connected   quorum: quorate", "status");
	expect_has(r->out, "policy release, deadline 10000 ms", "status");
	expect_has(r->out, "wire truncated 7", "status");
	expect_has(r->out, "NODE   PID      INCARNATION", "status");
	expect_has(r->out, "\n1*     1001     5000 ", "status");
	expect_has(r->out, "198.18.0.103", "status");

	expect_exit(r, ctl(r, (const char *const[]){ "-j", "status", NULL }), 0, "status -j");
	expect_json(r->out, "status --json");
	expect_has(r->out, "\"daemon\":{\"node_id\":1,\"pid\":1001,\"incarnation\":5000,"
		   "\"protocol_version\":\"1.1\",\"group\":\"coord-test\"", "status --json");
	expect_has(r->out, "\"wire_errors\":{\"ok\":0,\"truncated\":7,", "status --json");
	expect_has(r->out, "\"members\":[{\"node_id\":1,\"pid\":1001,\"incarnation\":5000,"
		   "\"self\":true,\"hello_seen\":true,\"server\":\"up\"", "status --json");
	expect_has(r->out, "\"vips\":[\"198.18.0.102\"]", "status --json");
	free(r);
}

/* The gate's stop: the handover waits for every other node's grace, then
 * node 1's server drops the VIP's state; its start: take-over. */
static void test_give_up_and_take_over(void **state)
{
	struct cluster *cl = *state;
	struct ctl_run *give = malloc(sizeof(*give)), *r = malloc(sizeof(*r));

	cl->h.node[2].hold_grace = true;	/* node 3 is slow */
	memset(give, 0, sizeof(*give));
	ctl_start(give, cl->path, (const char *const[]){ "give-up", "--ip", "198.18.0.101",
							 "--wait", NULL });
	if (!run_until(stdout_has, give, 5000) || give->exited)
		fail_msg("give-up --wait should print the pending event and keep waiting; "
			 "stdout: %s stderr: %s", give->out, give->err);
	expect_has(give->out, "(handover, local origin)", "give-up --wait, first lines");
	assert_int_equal(cl->h.node[0].drops, 0);
	C->h.now += 3000;
	coord_engine_grace_done(cl->h.node[2].e, C->h.now, &cl->h.node[2].last_grace.event,
				COORD_ACK_IN_GRACE, 2500, "Started grace period");
	pump(cl);
	expect_exit(give, ctl_wait(give, 5000), 0, "give-up --wait, all confirmed");
	expect_has(give->out, "handed over: every other member confirmed grace",
		   "give-up --wait");
	assert_int_equal(cl->h.node[0].drops, 1);

	expect_exit(r, ctl(r, (const char *const[]){ "give-up", NULL }), 2, "give-up, no --ip");
	expect_has(r->err, "give-up needs at least one --ip", "give-up, no --ip");
	expect_exit(r, ctl(r, (const char *const[]){ "take-over", "--ip", "198.18.0.102",
						     "--wait", NULL }), 2, "take-over --wait");
	expect_exit(r, ctl(r, (const char *const[]){ "take-over", "--ip", "198.18.0.102",
						     NULL }), 0, "take-over");
	expect_has(r->out, "in grace, the other nodes' client records loaded", "take-over");
	cl->take_over_fails = true;
	expect_exit(r, ctl(r, (const char *const[]){ "take-over", "--ip", "198.18.0.102",
						     NULL }), 1, "take-over, no server");
	expect_has(r->err, "no-server", "take-over, no server");
	assert_int_equal(cl->take_overs, 2);
	free(give);
	free(r);
}

/* ---- check: read-only, the monitoring plugins' exit codes ---- */

/* Runs check, text and --json; both must say the same state. */
static void check_says(struct ctl_run *r, int want, const char *line, const char *what)
{
	static const char *const names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
	char state[48];

	expect_exit(r, ctl(r, (const char *const[]){ "check", NULL }), want, what);
	expect_has(r->out, line, what);
	if (strchr(r->out, '\n') != r->out + r->out_len - 1)
		fail_msg("%s: check prints one line, got: %s", what, r->out);
	expect_exit(r, ctl(r, (const char *const[]){ "-j", "check", NULL }), want, what);
	expect_json(r->out, what);
	snprintf(state, sizeof(state), "{\"command\":\"check\",\"state\":\"%s\"", names[want]);
	expect_has(r->out, state, what);
}

/* Removes the wall-clock times from a JSON text (they follow the real
 * clock, the rest the cluster's): each "...Z" string and the error bound. */
static void strip_wall(char *t)
{
	char *p, *q;

	while ((p = strstr(t, ":\"20")) && (q = strstr(p + 2, "Z\"")))
		memmove(p + 1, q + 2, strlen(q + 2) + 1);
	while ((p = strstr(t, "\"wall_clock_error_ms\":")) && p[22] != 'x') {
		q = p + 22;
		while (*q && *q != ',' && *q != '}')
			q++;
		p[22] = 'x';
		memmove(p + 23, q, strlen(q) + 1);
	}
}

/* The events table, as an operator sees it: what check must not change. */
static void events_now(struct ctl_run *r, char *buf, size_t cap)
{
	expect_exit(r, ctl(r, (const char *const[]){ "-j", "events", NULL }), 0, "events");
	assert_true(r->out_len < cap);
	memcpy(buf, r->out, r->out_len + 1);
	strip_wall(buf);
}

static void test_check_ok_then_in_grace(void **state)
{
	struct cluster *cl = *state;
	struct ctl_run *r = malloc(sizeof(*r));
	struct coord_event_id id;
	static char before[1 << 16], after[1 << 16];

	check_says(r, 0, "COORD OK: joined, quorate, a VIP target (3 members, 0 events "
		     "pending, 0 recorded)\n", "a healthy node");

	/* Node 2's server dies; node 1 answers in grace, node 3 is slow. */
	cl->h.node[2].hold_grace = true;
	assert_int_equal(coord_engine_report_death(cl->h.node[1].e, C->h.now, NULL, 0, &id), 0);
	pump(cl);
	events_now(r, before, sizeof(before));
	check_says(r, 1, "COORD WARNING: local server in grace for 1 failover(s) "
		     "(2.5001.1) (3 members, 1 events pending, 1 recorded)\n",
		     "in grace for node 2's failover");
	expect_has(r->out, "\"in_grace\":1", "in grace, --json");
	expect_has(r->out, "\"ok\":false", "in grace, --json");
	expect_has(r->out, ",\"exit_code\":1}", "in grace, --json");
	events_now(r, after, sizeof(after));
	if (strcmp(before, after))
		fail_msg("check changed the events:\n%s\n%s", before, after);
	free(r);
}

static void test_check_unconfirmed(void **state)
{
	struct cluster *cl = *state;
	struct ctl_run *r = malloc(sizeof(*r));
	struct coord_event_id id;

	/* Node 1's own server dies; node 3 never answers; policy release. */
	cl->h.node[2].hold_grace = true;
	assert_int_equal(coord_engine_report_death(cl->h.node[0].e, C->h.now, NULL, 0, &id), 0);
	pump(cl);
	C->h.now += DEADLINE_US + 1;
	coord_engine_tick(cl->h.node[0].e, C->h.now);
	pump(cl);
	coord_engine_report_up(cl->h.node[0].e, C->h.now);
	pump(cl);
	check_says(r, 1, "COORD WARNING: 1 event(s) released unconfirmed in the last hour "
		     "(1.5000.1)", "released unconfirmed");
	expect_has(r->out, "\"unconfirmed\":1", "released unconfirmed, --json");
	/* An hour later it is history, not a warning. */
	C->h.now += 3600ull * 1000000;
	check_says(r, 0, "COORD OK", "an hour after the unconfirmed release");
	free(r);
}

static void test_check_held(void **state)
{
	struct cluster *cl = *state;
	struct ctl_run *r = malloc(sizeof(*r));
	struct coord_event_id id;

	cl->h.node[2].hold_grace = true;
	assert_int_equal(coord_engine_report_death(cl->h.node[0].e, C->h.now, NULL, 0, &id), 0);
	pump(cl);
	C->h.now += DEADLINE_US + 1;
	coord_engine_tick(cl->h.node[0].e, C->h.now);
	pump(cl);
	check_says(r, 2, "COORD CRITICAL: 1 event(s) held by policy (1.5000.1); not a VIP "
		     "target (server-down)", "held");
	expect_has(r->out, "\"held\":1", "held, --json");
	free(r);
}

static void test_check_unjoined(void **state)
{
	struct ctl_run *r = malloc(sizeof(*r));

	(void)state;
	check_says(r, 2, "COORD CRITICAL: not joined", "not joined");
	free(r);
}

static void test_check_inquorate(void **state)
{
	struct cluster *cl = *state;
	struct ctl_run *r = malloc(sizeof(*r));

	coord_engine_quorum(cl->h.node[0].e, cl->h.now, false);
	pump(cl);
	check_says(r, 2, "COORD CRITICAL: inquorate", "inquorate");
	free(r);
}

static void test_check_unknown(void **state)
{
	struct ctl_run *r = malloc(sizeof(*r));

	(void)state;
	expect_exit(r, ctl_alone(r, "/nonexistent/coordd.sock",
				 (const char *const[]){ "check", NULL }), 3, "no coordd");
	expect_has(r->out, "COORD UNKNOWN: cannot connect to /nonexistent/coordd.sock", "no coordd");
	expect_exit(r, ctl_alone(r, "/nonexistent/coordd.sock",
				 (const char *const[]){ "-j", "check", NULL }), 3, "no coordd, --json");
	expect_json(r->out, "no coordd, --json");
	expect_has(r->out, "\"state\":\"UNKNOWN\"", "no coordd, --json");
	/* A bad command line is UNKNOWN too, never CRITICAL. */
	expect_exit(r, ctl_alone(r, "/nonexistent/coordd.sock",
				 (const char *const[]){ "check", "extra", NULL }), 3, "check extra");
	expect_exit(r, ctl_alone(r, "/nonexistent/coordd.sock",
				 (const char *const[]){ "-j", "check", "--last", "2", NULL }), 3,
		    "check --last");
	expect_has(r->out, "\"exit_code\":3}", "check --last, --json");
	free(r);
}

/* ---- wall-clock times in events ---- */

/* The time after key in text, ISO 8601 UTC with ms, in µs since the epoch. */
static int64_t iso_after(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	struct tm tm = { 0 };
	int msec = 0;

	if (!p || sscanf(p + strlen(key), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon,
			 &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &msec) != 7)
		fail_msg("no ISO 8601 time after %s in: %s", key, text);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm) * 1000000 + msec * 1000;
}

/* coordd sends ages: the delivery is the wall clock when the record came
 * minus its age, within the exchange's time; the other moments are the
 * delivery plus their offsets, which stay as they were. */
static void test_events_wall_clock(void **state)
{
	struct cluster *cl = *state;
	struct ctl_run *r = malloc(sizeof(*r));
	struct coord_event_id id;
	int64_t before, after, delivered, at;

	cl->h.node[2].hold_grace = true;
	assert_int_equal(coord_engine_report_death(cl->h.node[1].e, C->h.now, NULL, 0, &id), 0);
	pump(cl);
	C->h.now += 5000000;		/* delivered 5 s ago, node 3 still silent */
	before = ctl_wall_us();
	expect_exit(r, ctl(r, (const char *const[]){ "-j", "events", NULL }), 0, "events -j");
	after = ctl_wall_us();
	expect_json(r->out, "events -j, wall clock");
	delivered = iso_after(r->out, "\"delivered_at\":\"");
	/* Printed to the ms, truncated: up to 1 ms early. */
	if (delivered < before - 5000000 - 1000 || delivered > after - 5000000)
		fail_msg("delivered_at %lld is not within [%lld, %lld] (now - 5 s): %s",
			 (long long)delivered, (long long)(before - 5000000),
			 (long long)(after - 5000000), r->out);
	expect_has(r->out, "\"age_ms\":5000.000", "events -j, the offsets kept");
	expect_has(r->out, "\"ended_at\":null", "events -j, not ended");
	expect_has(r->out, "\"wall_clock_error_ms\":", "events -j, the bound");
	/* Node 1 answered in grace at once: its answer's time is the delivery's. */
	at = iso_after(strstr(r->out, "\"node_id\":1,"), "\"at\":\"");
	assert_true(at == delivered);

	C->h.now += 1000000;
	coord_engine_grace_done(cl->h.node[2].e, C->h.now, &cl->h.node[2].last_grace.event,
				COORD_ACK_IN_GRACE, 2500, "Started grace period");
	pump(cl);
	C->h.now += 2000000;		/* ended 6 s after its delivery, 2 s ago */
	expect_exit(r, ctl(r, (const char *const[]){ "-j", "events", NULL }), 0, "events -j");
	delivered = iso_after(r->out, "\"delivered_at\":\"");
	if (iso_after(r->out, "\"ended_at\":\"") - delivered != 6000000)
		fail_msg("ended_at is not delivered_at + ended_ms (6 s): %s", r->out);
	expect_has(r->out, "\"ended_ms\":6000.000", "events -j, ended");

	expect_exit(r, ctl(r, (const char *const[]){ "events", NULL }), 0, "events");
	expect_has(r->out, "  delivered 20", "events, wall clock");
	expect_has(r->out, "Z (UTC, late by at most ", "events, wall clock");
	expect_has(r->out, ", ended 20", "events, wall clock");
	free(r);
}

static void test_death_wait_names_the_missing(void **state)
{
	struct cluster *cl = *state;
	struct ctl_run *death = malloc(sizeof(*death)), *r = malloc(sizeof(*r));

	cl->h.node[2].hold_grace = true;	/* node 3 is slow */
	memset(death, 0, sizeof(*death));
	ctl_start(death, cl->path, (const char *const[]){ "death", "--wait", NULL });
	if (!run_until(stdout_has, death, 5000) || death->exited)
		fail_msg("death --wait should print the pending event and keep waiting; "
			 "stdout: %s stderr: %s", death->out, death->err);
	expect_has(death->out, "event 1.5000.1: waiting (reported, local origin)",
		   "death --wait, first lines");

	/* Meanwhile an operator looks. */
	expect_exit(r, ctl(r, (const char *const[]){ "events", NULL }), 0, "events");
	expect_has(r->out, "waiting for 1 of 2: nodes 3\n", "events while node 3 is slow");
	expect_has(r->out, "  2      1002     answered  in-grace", "events");
	expect_has(r->out, "Started grace period", "events");
	expect_exit(r, ctl(r, (const char *const[]){ "-j", "events", "--last", "1", NULL }),
		    0, "events --json");
	expect_json(r->out, "events --json");
	expect_has(r->out, "\"state\":\"waiting\",\"final\":false", "events --json");
	expect_has(r->out, "\"survivors_total\":2,\"survivors_waiting\":1,"
		   "\"waiting_for\":[3]", "events --json");
	expect_has(r->out, "\"result\":\"in-grace\"", "events --json");
	expect_has(r->out, "\"leave_reason\":null,\"grace_latency_ms\":1.500", "events --json");

	/* Node 3 answers: the event is released, the waiter returns 0. */
	C->h.now += 3000;
	coord_engine_grace_done(cl->h.node[2].e, C->h.now, &cl->h.node[2].last_grace.event,
				COORD_ACK_IN_GRACE, 2500, "Started grace period");
	pump(cl);
	expect_exit(death, ctl_wait(death, 5000), 0, "death --wait, all confirmed");
	expect_has(death->out, "event 1.5000.1: released (reported, local origin)",
		   "death --wait, final lines");
	expect_has(death->out, "release: confirmed, 1 attempt(s), last status 0",
		   "death --wait, final lines");
	expect_has(death->out, "released: every survivor confirmed grace", "death --wait");
	if (strstr(strstr(death->out, "released ("), "waiting for"))
		fail_msg("the final event still says someone is awaited:\n%s", death->out);
	free(death);
	free(r);
}

static void test_death_wait_timeout(void **state)
{
	struct cluster *cl = *state;
	struct ctl_run *r = malloc(sizeof(*r));

	cl->h.node[2].hold_grace = true;
	expect_exit(r, ctl(r, (const char *const[]){ "--timeout", "0.3", "death", "--wait",
						     NULL }), 4, "death --wait --timeout 0.3");
	expect_has(r->err, "timed out after 0.300 s", "death --wait --timeout 0.3");
	expect_exit(r, ctl(r, (const char *const[]){ "-j", "-t", "0.2", "death", "--wait",
						     NULL }), 4, "the same, --json");
	expect_json(r->out, "death --wait --timeout, --json");
	expect_has(r->out, "\"event\":{\"id\":\"1.5000.1\"", "death --timeout --json");
	expect_has(r->out, "\"survivors_waiting\":1,\"waiting_for\":null", "death --timeout --json");
	expect_has(r->out, "\"ok\":false,\"error\":\"timed out", "death --timeout --json");
	free(r);
}

static void test_death_held_is_failure(void **state)
{
	struct cluster *cl = *state;
	struct ctl_run *death = malloc(sizeof(*death));

	cl->h.node[2].hold_grace = true;
	memset(death, 0, sizeof(*death));
	ctl_start(death, cl->path, (const char *const[]){ "-j", "death", "--wait", NULL });
	run_until(stdout_has, death, 300);
	assert_false(death->exited);
	C->h.now += DEADLINE_US + 1;
	coord_engine_tick(cl->h.node[0].e, C->h.now);
	pump(cl);
	expect_exit(death, ctl_wait(death, 5000), 1, "death --wait, held by policy");
	expect_json(death->out, "a held event, --json");
	expect_has(death->out, "\"state\":\"held\",\"final\":false", "held --json");
	expect_has(death->out, "\"overdue\":true", "held --json");
	expect_has(death->out, "\"waiting_for\":[3]", "held --json");
	expect_has(death->out, "\"status\":\"event-failed\",\"status_code\":7", "held --json");
	expect_has(death->out, "3 (no answer)", "held --json");
	free(death);
}

/* A give-up that fails (its handover held by policy) fails the gate's
 * stop; pacemaker may put the address back here.  So the handover is
 * withdrawn: a late confirmation must not drop the state of a VIP that is
 * served here again (the simulator, invariant address-gone, seed 8232). */
static void test_give_up_held_is_withdrawn(void **state)
{
	struct cluster *cl = *state;
	struct ctl_run *give = malloc(sizeof(*give));
	const struct coord_event *ev = NULL;
	struct coord_event_id id;
	size_t k;

	cl->h.node[2].hold_grace = true;
	memset(give, 0, sizeof(*give));
	ctl_start(give, cl->path, (const char *const[]){ "give-up", "--ip", "198.18.0.101",
							 "--wait", NULL });
	run_until(stdout_has, give, 300);
	assert_false(give->exited);
	C->h.now += DEADLINE_US + 1;
	coord_engine_tick(cl->h.node[0].e, C->h.now);
	pump(cl);
	expect_exit(give, ctl_wait(give, 5000), 1, "give-up --wait, held by policy");
	expect_has(give->err, "held by policy", "give-up --wait, held");
	expect_has(give->err, "the handover is withdrawn", "give-up --wait, held");
	for (k = 0; k < coord_engine_event_count(cl->h.node[0].e); k++)
		if (coord_engine_event(cl->h.node[0].e, k)->reason == COORD_DEATH_HANDOVER)
			ev = coord_engine_event(cl->h.node[0].e, k);
	assert_non_null(ev);
	id = ev->id;
	assert_int_equal(ev->state, COORD_EVENT_CANCELLED);
	assert_int_equal(coord_engine_find_event(cl->h.node[1].e, &id)->state,
			 COORD_EVENT_CANCELLED);
	/* Node 3's grace comes late: nothing is dropped any more. */
	coord_engine_grace_done(cl->h.node[2].e, C->h.now, &cl->h.node[2].last_grace.event,
				COORD_ACK_IN_GRACE, 2500, "Started grace period");
	pump(cl);
	assert_int_equal(cl->h.node[0].drops, 0);
	assert_int_equal(coord_engine_find_event(cl->h.node[0].e, &id)->state,
			 COORD_EVENT_CANCELLED);
	free(give);
}

static bool client_gone(void *arg)
{
	return ((struct cluster *)arg)->gone > 0;
}

/* The same when the give-up is killed while it waits (pacemaker's time-out
 * of the gate's stop): its handover is withdrawn. */
static void test_give_up_killed_is_withdrawn(void **state)
{
	struct cluster *cl = *state;
	struct ctl_run *give = malloc(sizeof(*give));
	const struct coord_event *ev = NULL;
	size_t k;

	cl->h.node[2].hold_grace = true;
	memset(give, 0, sizeof(*give));
	ctl_start(give, cl->path, (const char *const[]){ "give-up", "--ip", "198.18.0.101",
							 "--wait", NULL });
	run_until(stdout_has, give, 300);
	assert_false(give->exited);
	kill(give->pid, SIGKILL);
	waitpid(give->pid, NULL, 0);
	close(give->out_fd);
	close(give->err_fd);
	assert_true(run_until(client_gone, cl, 5000));
	for (k = 0; k < coord_engine_event_count(cl->h.node[0].e); k++)
		if (coord_engine_event(cl->h.node[0].e, k)->reason == COORD_DEATH_HANDOVER)
			ev = coord_engine_event(cl->h.node[0].e, k);
	assert_non_null(ev);
	assert_int_equal(ev->state, COORD_EVENT_CANCELLED);
	assert_int_equal(coord_engine_find_event(cl->h.node[1].e, &ev->id)->state,
			 COORD_EVENT_CANCELLED);
	coord_engine_grace_done(cl->h.node[2].e, C->h.now, &cl->h.node[2].last_grace.event,
				COORD_ACK_IN_GRACE, 2500, "Started grace period");
	pump(cl);
	assert_int_equal(cl->h.node[0].drops, 0);
	free(give);
}

static void test_daemon_refusals(void **state)
{
	struct ctl_run *r = malloc(sizeof(*r));

	(void)state;
	expect_exit(r, ctl(r, (const char *const[]){ "cancel", "1.5000.77", NULL }), 1,
		    "cancel of an unknown event");
	expect_has(r->err, "coordctl: no-such-event: no event 1.5000.77 is recorded",
		   "cancel of an unknown event");
	expect_exit(r, ctl(r, (const char *const[]){ "up", NULL }), 0, "up");
	expect_has(r->out, "local server reported up", "up");
	free(r);
}

static void test_not_permitted(void **state)
{
	struct cluster *cl = *state;
	struct ctl_run *r;

	if (geteuid() != 0) {	/* a build without root: debian/rules */
		print_message("skipped: becoming nobody needs root\n");
		skip();
	}
	r = malloc(sizeof(*r));
	/* Let nobody reach the socket: the credential check must refuse. */
	chmod(cl->dir, 0711);
	chmod(cl->path, 0666);
	memset(r, 0, sizeof(*r));
	r->uid = NOBODY;
	ctl_start(r, cl->path, (const char *const[]){ "ping", NULL });
	expect_exit(r, ctl_wait(r, 10000), 3, "ping as nobody");
	expect_has(r->err, "not-permitted", "ping as nobody");
	free(r);
}

/* ---- against a fake daemon that answers wrongly ---- */

enum fake_reply { WRONG_SEQ, NOT_CCTL, HUGE, REFUSED, HANG_UP, OTHER_MAJOR };

static int fake_answer(const char *dir, enum fake_reply how, struct ctl_run *r)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct coord_ctl_record rec = { .type = COORD_CTL_REC_END };
	struct coord_ctl_request req;
	uint8_t buf[COORD_CTL_MAX_RECORD];
	struct pollfd p;
	int lfd, fd, len;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s/fake.sock", dir);
	unlink(a.sun_path);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(lfd, 4) < 0)
		fail_msg("fake daemon: %s", strerror(errno));
	memset(r, 0, sizeof(*r));
	ctl_start(r, a.sun_path, (const char *const[]){ "--timeout", "5", "ping", NULL });
	p = (struct pollfd){ .fd = lfd, .events = POLLIN };
	if (poll(&p, 1, 5000) != 1)
		fail_msg("coordctl did not connect to the fake daemon");
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	if (poll(&p, 1, 5000) != 1 || recv(fd, buf, COORD_CTL_HEADER_LEN, MSG_WAITALL) !=
	    COORD_CTL_HEADER_LEN || coord_ctl_request_decode(buf, COORD_CTL_HEADER_LEN, &req))
		fail_msg("coordctl sent no valid PING to the fake daemon");
	rec.seq = req.seq;
	rec.u.end.status = COORD_CTL_OK;
	switch (how) {
	case WRONG_SEQ:
		rec.seq = req.seq + 1;
		break;
	case REFUSED:
		rec.seq = 0;
		rec.u.end.status = COORD_CTL_NOT_PERMITTED;
		break;
	default:
		break;
	}
	len = coord_ctl_record_encode(&rec, buf, sizeof(buf));
	if (how == NOT_CCTL)
		len = snprintf((char *)buf, sizeof(buf), "HTTP/1.1 200 OK\r\n\r\n");
	if (how == HUGE) {
		buf[8] = 0; buf[9] = 0; buf[10] = 0x13; buf[11] = 0x88;
	}
	if (how == OTHER_MAJOR) {
		buf[4] = COORD_CTL_MAJOR + 1;
		buf[5] = 0;
	}
	if (how != HANG_UP)
		(void)!send(fd, buf, (size_t)len, MSG_NOSIGNAL);
	close(fd);
	close(lfd);
	while (!ctl_finished(r))
		usleep(1000);
	ctl_collect(r);
	unlink(a.sun_path);
	return WEXITSTATUS(r->status);
}

static void test_rejects_bad_replies(void **state)
{
	static const struct { enum fake_reply how; int rc; const char *says; } cases[] = {
		{ WRONG_SEQ, 3, "coordd answered sequence" },
		{ NOT_CCTL, 3, "not a coordd reply: bad magic" },
		{ HUGE, 3, "coordd sent a record of 5000 bytes" },
		{ OTHER_MAJOR, 3, "unsupported control protocol version" },
		{ HANG_UP, 3, "closed the connection before the end of its reply" },
		{ REFUSED, 3, "coordctl: not-permitted" },
	};
	struct cluster *cl = *state;
	struct ctl_run *r = malloc(sizeof(*r));
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = fake_answer(cl->dir, cases[i].how, r);

		expect_exit(r, rc, cases[i].rc, cases[i].says);
		expect_has(r->err, cases[i].says, "a wrong reply");
	}
	free(r);
}

/* ---- escaping ---- */

static char *printed(void (*put)(FILE *, const char *), const char *s)
{
	static char out[512];
	FILE *f = fmemopen(out, sizeof(out), "w");

	put(f, s);
	fputc('\0', f);
	fclose(f);
	return out;
}

static void test_escaping(void **state)
{
	(void)state;
	assert_string_equal(printed(ctl_put_safe, "ok text"), "ok text");
	assert_string_equal(printed(ctl_put_safe, "a\x1b[31mred\\\n\x7f\xc3\xa9"),
			    "a\\x1b[31mred\\\\\\x0a\\x7f\\xc3\\xa9");
	assert_string_equal(printed(ctl_put_json_string, "say \"hi\"\\\n\t\x01"),
			    "\"say \\\"hi\\\"\\\\\\n\\t\\u0001\"");
	assert_string_equal(printed(ctl_put_json_string, "caf\xc3\xa9 \xe2\x82\xac"),
			    "\"caf\xc3\xa9 \xe2\x82\xac\"");
	/* Invalid UTF-8: a lone continuation, an overlong '/', a surrogate,
	 * a truncated sequence at the end. */
	assert_string_equal(printed(ctl_put_json_string, "\x80/\xc0\xaf/\xed\xa0\x80/\xe2\x82"),
			    "\"\\ufffd/\\ufffd\\ufffd/\\ufffd\\ufffd\\ufffd/\\ufffd\\ufffd\"");
	expect_json("{\"s\":\"\\ufffd\"}\n", "the checker on an escaped string");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_checker_refuses),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_usage_errors_json),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_check_unknown),
		cmocka_unit_test_setup_teardown(test_check_ok_then_in_grace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_unconfirmed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_held, setup_hold, teardown),
		cmocka_unit_test_setup_teardown(test_check_unjoined, setup_unjoined, teardown),
		cmocka_unit_test_setup_teardown(test_check_inquorate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_wall_clock, setup, teardown),
		cmocka_unit_test(test_timeout_defaults),
		cmocka_unit_test(test_cannot_connect),
		cmocka_unit_test_setup_teardown(test_rejects_bad_replies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_permitted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_daemon_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_give_up_and_take_over, setup, teardown),
		cmocka_unit_test_setup_teardown(test_death_wait_names_the_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_death_wait_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_death_held_is_failure, setup_hold, teardown),
		cmocka_unit_test_setup_teardown(test_give_up_held_is_withdrawn, setup_hold,
						teardown),
		cmocka_unit_test_setup_teardown(test_give_up_killed_is_withdrawn, setup, teardown),
		cmocka_unit_test(test_escaping),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("coordctl", tests, NULL, NULL);
}
