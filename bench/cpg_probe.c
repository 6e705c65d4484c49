/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cpg_probe: the floor under coord's barrier.  The same two-phase CPG
 * exchange coordd runs for a death, and nothing else: no D-Bus, no
 * engine, no records.
 *
 *   cpg_probe serve -g GROUP -s SOCKET -r COMMAND [-d]   (one per lab node)
 *   probe_trigger SOCKET                            (the driver)
 *
 * probe_trigger (bench/probe_trigger.c, linked with libc only, as coordctl
 * is) connects to a serving probe, as `coordctl death --wait` connects to
 * coordd, and prints the probe's answer.  The serving probe then:
 *   1. takes the arrival time (CLOCK_MONOTONIC) and multicasts REQ
 *      (agreed order);
 *   2. every other member, on REQ's delivery, multicasts ANS (with -d,
 *      only after one blocking grace("0:") call to org.ganesha.nfsd on
 *      the system bus: the barrier's D-Bus leg and nothing else, to see
 *      how much of coord's latency is that call);
 *   3. when REQ has come back and every member that was in the group at
 *      its delivery (but itself) has answered, it takes the done time and
 *      runs COMMAND as coordd runs its release command: posix_spawn of
 *      /bin/sh -c COMMAND, COORD_EVENT=probe.NODE.ROUND in the
 *      environment;
 *   4. once COMMAND exits it answers the trigger with one line:
 *      "round R answers A of E arrival_to_delivery_us D arrival_to_done_us T status S"
 *
 * A member that leaves during a round is no longer waited for (in the
 * bench nobody leaves).  One round at a time per probe.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <corosync/cpg.h>
#include <dbus/dbus.h>

#define MAX_MEMBERS	64
#define MSG_REQ		1
#define MSG_ANS		2

extern char **environ;

struct probe_msg {
	uint32_t type;
	uint32_t origin_node, origin_pid;	/* whose round */
	uint32_t round;
};

struct member {
	uint32_t node, pid;
	bool answered;
};

static struct {
	cpg_handle_t cpg;
	struct cpg_name group;
	uint32_t node, pid;
	const char *command;
	DBusConnection *bus;		/* with -d */
	size_t n_members;
	struct cpg_address members[MAX_MEMBERS];
	/* the current round, on its origin */
	int client;			/* the trigger's connection, -1 if none */
	uint32_t round;
	bool delivered;
	size_t expected, answered;
	struct member waiting[MAX_MEMBERS];
	uint64_t arrival_us, delivery_us;
} p = { .client = -1 };

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void mcast(uint32_t type, uint32_t origin_node, uint32_t origin_pid, uint32_t round)
{
	struct probe_msg m = { type, origin_node, origin_pid, round };
	struct iovec iov = { &m, sizeof(m) };
	cs_error_t err;

	while ((err = cpg_mcast_joined(p.cpg, CPG_TYPE_AGREED, &iov, 1)) == CS_ERR_TRY_AGAIN)
		usleep(1000);
	if (err != CS_OK) {
		fprintf(stderr, "cpg_probe: cpg_mcast_joined: %d\n", err);
		exit(1);
	}
}

/* grace("0:") on the local ganesha, as a survivor's coordd asks it. */
static void grace_call(void)
{
	const char *arg = "0:";
	DBusMessage *call, *reply;
	DBusError err;

	dbus_error_init(&err);
	call = dbus_message_new_method_call("org.ganesha.nfsd", "/org/ganesha/nfsd/admin",
					    "org.ganesha.nfsd.admin", "grace");
	if (!call || !dbus_message_append_args(call, DBUS_TYPE_STRING, &arg, DBUS_TYPE_INVALID))
		die("dbus message");
	reply = dbus_connection_send_with_reply_and_block(p.bus, call, 10000, &err);
	dbus_message_unref(call);
	if (!reply) {
		fprintf(stderr, "cpg_probe: grace: %s\n", err.message);
		dbus_error_free(&err);
		return;
	}
	dbus_message_unref(reply);
}

/* COMMAND as coordd's release runner starts it; waits for its exit. */
static int run_command(void)
{
	char event[64], *argv[] = { "/bin/sh", "-c", (char *)p.command, NULL };
	char *envp[256];
	size_t n = 0, i;
	pid_t pid;
	int status;

	snprintf(event, sizeof(event), "COORD_EVENT=probe.%u.%u", p.node, p.round);
	for (i = 0; environ[i] && n < 250; i++)
		if (strncmp(environ[i], "COORD_", 6))
			envp[n++] = environ[i];
	envp[n++] = event;
	envp[n++] = "COORD_OUTCOME=confirmed";
	envp[n] = NULL;
	if (posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, envp))
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void maybe_done(void)
{
	uint64_t done_us;
	char line[256];
	int status, len;

	if (p.client < 0 || !p.delivered || p.answered < p.expected)
		return;
	done_us = mono_us();
	status = run_command();
	len = snprintf(line, sizeof(line),
		       "round %u answers %zu of %zu arrival_to_delivery_us %llu "
		       "arrival_to_done_us %llu status %d\n", p.round, p.answered, p.expected,
		       (unsigned long long)(p.delivery_us - p.arrival_us),
		       (unsigned long long)(done_us - p.arrival_us), status);
	if (write(p.client, line, (size_t)len) < 0)
		perror("cpg_probe: answer");
	close(p.client);
	p.client = -1;
}

static bool is_current(const struct probe_msg *m)
{
	return p.client >= 0 && m->origin_node == p.node && m->origin_pid == p.pid &&
	       m->round == p.round;
}

static void on_deliver(cpg_handle_t h, const struct cpg_name *g, uint32_t node, uint32_t pid,
		       void *buf, size_t len)
{
	struct probe_msg m;
	size_t i;

	(void)h;
	(void)g;
	if (len != sizeof(m))
		return;
	memcpy(&m, buf, sizeof(m));
	if (m.type == MSG_REQ && (node != p.node || pid != p.pid)) {
		if (p.bus)
			grace_call();
		mcast(MSG_ANS, m.origin_node, m.origin_pid, m.round);
	} else if (m.type == MSG_REQ && is_current(&m)) {
		p.delivery_us = mono_us();
		p.delivered = true;
		p.expected = p.answered = 0;
		for (i = 0; i < p.n_members; i++)
			if (p.members[i].nodeid != p.node)
				p.waiting[p.expected++] =
					(struct member){ p.members[i].nodeid, p.members[i].pid, false };
		maybe_done();
	} else if (m.type == MSG_ANS && is_current(&m) && p.delivered) {
		for (i = 0; i < p.expected; i++)
			if (p.waiting[i].node == node && p.waiting[i].pid == pid &&
			    !p.waiting[i].answered) {
				p.waiting[i].answered = true;
				p.answered++;
			}
		maybe_done();
	}
}

static void on_confchg(cpg_handle_t h, const struct cpg_name *g,
		       const struct cpg_address *members, size_t n_members,
		       const struct cpg_address *left, size_t n_left,
		       const struct cpg_address *joined, size_t n_joined)
{
	size_t i, j;

	(void)h;
	(void)g;
	(void)joined;
	(void)n_joined;
	if (n_members > MAX_MEMBERS)
		n_members = MAX_MEMBERS;
	memcpy(p.members, members, n_members * sizeof(*members));
	p.n_members = n_members;
	/* A member that left is not waited for. */
	for (i = 0; i < n_left; i++)
		for (j = 0; j < p.expected; j++)
			if (p.waiting[j].node == left[i].nodeid && p.waiting[j].pid == left[i].pid &&
			    !p.waiting[j].answered) {
				p.waiting[j].answered = true;
				p.answered++;
			}
	maybe_done();
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
		die("socket");
	strcpy(sa.sun_path, path);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 8))
		die(path);
	return fd;
}

/* A trigger connected: read its byte, start a round. */
static void start_round(int lfd)
{
	char byte;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (p.client >= 0 || read(fd, &byte, 1) != 1) {
		close(fd);
		return;
	}
	p.arrival_us = mono_us();
	p.client = fd;
	p.round++;
	p.delivered = false;
	p.expected = p.answered = 0;
	mcast(MSG_REQ, p.node, p.pid, p.round);
}

static int serve(const char *group, const char *path, const char *command, bool dbus)
{
	cpg_model_v1_data_t model = {
		.model = CPG_MODEL_V1,
		.cpg_deliver_fn = on_deliver,
		.cpg_confchg_fn = on_confchg,
	};
	struct pollfd fds[2];
	int cpg_fd;

	if (strlen(group) >= CPG_MAX_NAME_LENGTH)
		die("group name");
	p.group.length = (uint32_t)strlen(group);
	memcpy(p.group.value, group, p.group.length);
	p.command = command;
	if (dbus) {
		DBusError err;

		dbus_error_init(&err);
		p.bus = dbus_bus_get_private(DBUS_BUS_SYSTEM, &err);
		if (!p.bus) {
			fprintf(stderr, "cpg_probe: system bus: %s\n", err.message);
			return 1;
		}
	}
	p.pid = (uint32_t)getpid();
	if (cpg_model_initialize(&p.cpg, CPG_MODEL_V1, (cpg_model_data_t *)&model, NULL) != CS_OK ||
	    cpg_local_get(p.cpg, &p.node) != CS_OK || cpg_join(p.cpg, &p.group) != CS_OK ||
	    cpg_fd_get(p.cpg, &cpg_fd) != CS_OK) {
		fprintf(stderr, "cpg_probe: cannot join CPG group %s\n", group);
		return 1;
	}
	fds[0] = (struct pollfd){ .fd = cpg_fd, .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = listen_on(path), .events = POLLIN };
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (fds[0].revents && cpg_dispatch(p.cpg, CS_DISPATCH_ALL) != CS_OK) {
			fprintf(stderr, "cpg_probe: lost corosync\n");
			return 1;
		}
		if (fds[1].revents)
			start_round(fds[1].fd);
	}
}

int main(int argc, char **argv)
{
	const char *group = "coord-bench-probe", *path = NULL, *command = "true";
	bool dbus = false;
	int c;

	if (argc < 2 || strcmp(argv[1], "serve"))
		goto usage;
	optind = 2;
	while ((c = getopt(argc, argv, "g:s:r:d")) != -1) {
		switch (c) {
		case 'g': group = optarg; break;
		case 's': path = optarg; break;
		case 'r': command = optarg; break;
		case 'd': dbus = true; break;
		default: goto usage;
		}
	}
	if (path)
		return serve(group, path, command, dbus);
usage:
	fprintf(stderr, "usage: cpg_probe serve -g GROUP -s SOCKET [-r COMMAND] [-d]\n");
	return 2;
}
