/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordctl move VIP NODE: a planned move of a VIP, gated as every move
 * is (docs/design.md, "Every move is gated").  Pacemaker runs the gate's
 * stop on the node giving the VIP up (the handover barrier, then its
 * server drops the VIP's state) and its start on NODE (the take-over);
 * this asks pacemaker for the move the way `pcs resource move` does (a
 * location constraint preferring NODE), waits until the VIP's group runs
 * on NODE, and removes that constraint again, so the preference does not
 * outlive the move.  No shell: pacemaker's tools are run directly.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "coordctl.h"

extern char **environ;

#define MOVE_DEFAULT_TIMEOUT_MS	120000
#define MOVE_POLL_MS		250

/* Runs argv (no shell), its stdout into out (NUL-terminated, truncated to
 * cap), its stderr to ours unless quiet (a query whose "not running" is an
 * answer, not an error).  Returns its exit status, or -1 when it could not
 * run. */
static int run(const char *const *argv, char *out, size_t cap, bool quiet)
{
	posix_spawn_file_actions_t fa;
	int fds[2], status = -1;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	out[0] = '\0';
	if (pipe(fds) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	if (quiet)
		posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	while ((n = read(fds[0], out + len, cap - 1 - len)) > 0 ||
	       (n < 0 && errno == EINTR)) {
		if (n > 0)
			len += (size_t)n;
		if (len == cap - 1) {	/* keep draining: the child must not block */
			char sink[256];
			while (read(fds[0], sink, sizeof(sink)) > 0)
				;
			break;
		}
	}
	out[len] = '\0';
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
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

/* The id of the group holding the gate whose vip is VIP; 0 or -1. */
static int find_group(const char *vip, char *group, size_t cap)
{
	char xpath[256], out[8192];
	const char *p, *end;
	const char *argv[] = { "cibadmin", "--query", "--scope", "resources", "--xpath",
			       xpath, NULL };

	snprintf(xpath, sizeof(xpath), "//primitive[@type='ganesha_coord_gate']"
		 "[instance_attributes/nvpair[@name='vip'][@value='%s']]/..", vip);
	if (run(argv, out, sizeof(out), true) != 0)
		return -1;
	p = strstr(out, "<group ");
	if (p)
		p = strstr(p, " id=\"");
	if (!p)
		return -1;
	p += 5;
	end = strchr(p, '"');
	if (!end || (size_t)(end - p) >= cap)
		return -1;
	memcpy(group, p, (size_t)(end - p));
	group[end - p] = '\0';
	return 0;
}

/* Where pacemaker runs the group now: "resource G is running on: N". */
static bool runs_on(const char *group, const char *node)
{
	char out[1024], want[300];
	const char *argv[] = { "crm_resource", "--resource", group, "--locate", NULL };

	if (run(argv, out, sizeof(out), true) != 0)
		return false;
	const char *first;

	snprintf(want, sizeof(want), "is running on: %s\n", node);
	/* Exactly one location, and it is node. */
	first = strstr(out, "is running on:");
	return first && first == strstr(out, want) &&
	       !strstr(first + 1, "is running on:");
}

int ctl_move(const char *vip_text, const char *node, int64_t timeout_ms)
{
	const char *clear[] = { "crm_resource", "--resource", NULL, "--clear", NULL };
	const char *move[] = { "crm_resource", "--resource", NULL, "--move", "--node",
			       node, NULL };
	char group[256], out[2048];
	struct coord_vip vip;
	double deadline;
	int rc;

	if (coord_vip_parse(vip_text, &vip) != 0) {
		fprintf(stderr, "coordctl: '%s' is not an IPv4 or IPv6 address\n", vip_text);
		return CTL_EXIT_USAGE;
	}
	if (!node_name_ok(node)) {
		fprintf(stderr, "coordctl: '%s' is not a node name\n", node);
		return CTL_EXIT_USAGE;
	}
	if (find_group(vip_text, group, sizeof(group)) != 0) {
		fprintf(stderr, "coordctl: no pacemaker group holds a ganesha_coord_gate "
			"with vip=%s (is the VIP a [gate, IPaddr2] group? see "
			"docs/migration.md, \"Gate every VIP\")\n",
			vip_text);
		return CTL_EXIT_FAILED;
	}
	if (runs_on(group, node)) {
		printf("%s (group %s) already runs on %s\n", vip_text, group, node);
		return CTL_EXIT_OK;
	}
	move[2] = clear[2] = group;
	rc = run(move, out, sizeof(out), false);
	if (rc != 0) {
		fprintf(stderr, "coordctl: crm_resource --move of %s to %s failed (exit %d)\n",
			group, node, rc);
		return CTL_EXIT_FAILED;
	}
	printf("moving %s (group %s) to %s: the gate hands it over\n", vip_text, group, node);
	fflush(stdout);
	deadline = ctl_mono_ms() + (timeout_ms > 0 ? timeout_ms : MOVE_DEFAULT_TIMEOUT_MS);
	while (!runs_on(group, node) && ctl_mono_ms() < deadline)
		poll(NULL, 0, MOVE_POLL_MS);
	rc = runs_on(group, node) ? CTL_EXIT_OK : CTL_EXIT_TIMEOUT;
	/* The preference served the move; it must not pin the VIP for ever. */
	if (run(clear, out, sizeof(out), false) != 0)
		fprintf(stderr, "coordctl: crm_resource --clear of %s failed: remove its "
			"cli-prefer constraint by hand\n", group);
	if (rc == CTL_EXIT_OK)
		printf("%s runs on %s\n", vip_text, node);
	else
		fprintf(stderr, "coordctl: %s did not reach %s in time (is %s a VIP target? "
			"coordctl status there; coordctl events here shows the handover)\n",
			vip_text, node, node);
	return rc;
}
