/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordctl move VIP NODE: a planned move of a VIP, gated as every move
 * is (docs/design.md, "Every move is gated").  Pacemaker runs the gate's
 * stop on the node giving the VIP up (the handover barrier, then its
 * server drops the VIP's state) and its start on NODE (the take-over);
 * this asks pacemaker for the move the way `pcs resource move` does (a
 * location constraint preferring NODE), waits until the move is done, and
 * removes that constraint again, so the preference does not outlive the
 * move (also when it times out).  No shell: pacemaker's tools are run
 * directly.
 *
 * A VIP that is one coord_vip primitive with gate=true (its own gate,
 * docs/deploy.md) is moved as a group of one.
 *
 * Done means every member of the group runs on NODE once the cluster has
 * settled.  --locate counts a start still in flight as running, so the
 * group "runs on" NODE as soon as its gate's start (the take-over,
 * seconds long) has begun, before the address has started there; a
 * constraint removed then lets pacemaker, when that start ends, send the
 * group home instead (the deployment lab saw IPaddr2 never start on NODE
 * while coordctl said the move was done).  So: each member located on
 * NODE, then `crm_resource --wait` (no action of the transition left),
 * then each member again.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "clock.h"
#include "coordctl.h"

extern char **environ;

#define MOVE_POLL_MS		250
#define MOVE_MAX_MEMBERS	16	/* a [gate, IPaddr2] group has two */
/* cibadmin's exit for an XPath that matches nothing (pacemaker's
 * CRM_EX_NOSUCH): an answer, unlike every other failure. */
#define CIBADMIN_NO_SUCH	105

/* SIGINT or SIGTERM during the wait: the signal, else 0.  The wait's
 * children are stopped at once (kill_child), so the constraint is
 * cleared without waiting out a `crm_resource --wait`. */
static volatile sig_atomic_t interrupted;
static volatile sig_atomic_t wait_child;	/* pid of an interruptible child, or 0 */

static void on_signal(int sig)
{
	interrupted = sig;
	if (wait_child > 0)
		kill((pid_t)wait_child, SIGTERM);
}

/* No SA_RESTART: a read or a poll returns EINTR, and the wait ends. */
static void catch_interrupts(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

enum {
	RUN_QUIET = 0x1,	/* stderr to /dev/null: "not running" is an answer */
	RUN_WAIT = 0x2,		/* part of the wait: stopped when interrupted */
};
#define RUN_TRUNCATED	-2

/* Runs argv (no shell), its stdout into out (NUL-terminated), its stderr
 * to ours unless RUN_QUIET.  Returns its exit status, -1 when it could not
 * run or was killed, or RUN_TRUNCATED when its stdout did not fit in cap
 * (an answer cut short is no answer). */
static int run(const char *const *argv, char *out, size_t cap, unsigned int flags)
{
	bool truncated = false;
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
	if (flags & RUN_QUIET)
		posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (flags & RUN_WAIT) {
		wait_child = pid;
		if (interrupted)	/* the signal came before the pid was known */
			kill(pid, SIGTERM);
	}
	while ((n = read(fds[0], out + len, cap - 1 - len)) > 0 ||
	       (n < 0 && errno == EINTR)) {
		if (n > 0)
			len += (size_t)n;
		if (len == cap - 1) {	/* keep draining: the child must not block */
			char sink[256];
			while ((n = read(fds[0], sink, sizeof(sink))) > 0 ||
			       (n < 0 && errno == EINTR))
				truncated |= n > 0;
			break;
		}
	}
	out[len] = '\0';
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	wait_child = 0;
	if (!WIFEXITED(status))
		return -1;
	return truncated && WEXITSTATUS(status) == 0 ? RUN_TRUNCATED : WEXITSTATUS(status);
}

/* The VIP's group: its id and its member primitives, in order. */
struct move_group {
	char id[256];
	size_t n;
	char member[MOVE_MAX_MEMBERS][256];
};

/* The id="..." of the element whose tag starts at tag (a child's id does
 * not count: the tag ends at its '>'); 0 or -1. */
static int tag_id(const char *tag, char *id, size_t cap)
{
	const char *end = strchr(tag, '>'), *p = strstr(tag, " id=\""), *q;

	if (!end || !p || p > end)
		return -1;
	p += 5;
	q = strchr(p, '"');
	if (!q || q > end || q == p || (size_t)(q - p) >= cap)
		return -1;
	memcpy(id, p, (size_t)(q - p));
	id[q - p] = '\0';
	return 0;
}

/* What the CIB said of the VIP's group. */
enum group_found {
	GROUP_FOUND,
	GROUP_NONE,		/* no gate with vip=VIP, or a gate outside a group */
	GROUP_UNREACHABLE,	/* cibadmin did not run, or failed */
	GROUP_UNREADABLE,	/* an answer cut short, or XML we do not read whole */
};

/* The group element at p (its id and member primitives), read whole: a
 * member missed would be a member not waited for. */
static enum group_found read_group(const char *p, struct move_group *g)
{
	const char *end;

	if (tag_id(p, g->id, sizeof(g->id)) != 0)
		return GROUP_UNREADABLE;
	end = strstr(p, "</group>");
	if (!end)
		return GROUP_UNREADABLE;
	for (g->n = 0; (p = strstr(p + 1, "<primitive ")) && p < end; g->n++)
		if (g->n == MOVE_MAX_MEMBERS ||
		    tag_id(p, g->member[g->n], sizeof(g->member[g->n])) != 0)
			return GROUP_UNREADABLE;
	return g->n ? GROUP_FOUND : GROUP_UNREADABLE;
}

/* The resources section's elements at xpath, into out: GROUP_FOUND when
 * cibadmin answered some; *status: its exit status (-1: it did not run or
 * was killed). */
static enum group_found query_resources(const char *xpath, char *out, size_t len,
					int *status)
{
	const char *argv[] = { "cibadmin", "--query", "--scope", "resources", "--xpath",
			       xpath, NULL };

	*status = run(argv, out, len, RUN_QUIET);
	if (*status == CIBADMIN_NO_SUCH)
		return GROUP_NONE;
	if (*status == RUN_TRUNCATED)
		return GROUP_UNREADABLE;
	if (*status != 0)
		return GROUP_UNREACHABLE;
	return GROUP_FOUND;
}

/* The group holding the gate whose vip is VIP, with its members; *status
 * as query_resources'. */
static enum group_found find_group(const char *vip, struct move_group *g, int *status)
{
	char xpath[256], out[32768];
	enum group_found found;
	const char *p;

	snprintf(xpath, sizeof(xpath), "//primitive[@type='ganesha_coord_gate']"
		 "[instance_attributes/nvpair[@name='vip'][@value='%s']]/..", vip);
	found = query_resources(xpath, out, sizeof(out), status);
	if (found != GROUP_FOUND)
		return found;
	p = strstr(out, "<group ");
	if (p)
		return read_group(p, g);
	/* The gate's parent is there, whole, and not a group. */
	return strstr(out, "<resources") || strstr(out, "<clone ") ? GROUP_NONE :
	       GROUP_UNREADABLE;
}

/* The single gated form (coord_vip with gate=true, docs/deploy.md): the
 * primitive whose ip is VIP, moved as a group of one; *status as
 * query_resources'. */
static enum group_found find_one(const char *vip, struct move_group *g, int *status)
{
	char xpath[256], out[32768];
	enum group_found found;
	const char *p;

	snprintf(xpath, sizeof(xpath), "//primitive[@type='coord_vip']"
		 "[instance_attributes/nvpair[@name='gate'][@value='true']]"
		 "[instance_attributes/nvpair[@name='ip'][@value='%s']]", vip);
	found = query_resources(xpath, out, sizeof(out), status);
	if (found != GROUP_FOUND)
		return found;
	p = strstr(out, "<primitive ");
	if (!p || !strstr(p, "</primitive>") || tag_id(p, g->id, sizeof(g->id)) != 0)
		return GROUP_UNREADABLE;
	memcpy(g->member[0], g->id, sizeof(g->member[0]));
	g->n = 1;
	return GROUP_FOUND;
}

/* Says why find_group found no group to move; the exit code. */
static int no_group(enum group_found found, const char *vip, int status)
{
	switch (found) {
	case GROUP_NONE:
		fprintf(stderr, "coordctl: no pacemaker group holds a ganesha_coord_gate "
			"with vip=%s, and no coord_vip with gate=true has that ip (is the "
			"VIP a [gate, IPaddr2] group? see docs/migration.md, \"Gate every "
			"VIP\")\n", vip);
		return CTL_EXIT_FAILED;
	case GROUP_UNREACHABLE:
		if (status < 0)
			fprintf(stderr, "coordctl: cannot read pacemaker's CIB: cibadmin "
				"did not run (is pacemaker installed here?)\n");
		else
			fprintf(stderr, "coordctl: cannot read pacemaker's CIB: cibadmin "
				"--query exited %d (is pacemaker running on this node? "
				"try cibadmin --query --scope resources)\n", status);
		return CTL_EXIT_NO_CIB;
	default:
		fprintf(stderr, "coordctl: cannot read pacemaker's CIB: cibadmin's answer "
			"for the gate with vip=%s was cut short or not XML coordctl "
			"reads (try cibadmin --query --scope resources)\n", vip);
		return CTL_EXIT_NO_CIB;
	}
}

/* Where pacemaker runs a resource now: "resource R is running on: N",
 * exactly once.  A start still in flight counts as running. */
static bool located_on(const char *rsc, const char *node)
{
	char out[1024], want[300];
	const char *argv[] = { "crm_resource", "--resource", rsc, "--locate", NULL };
	const char *first;

	if (run(argv, out, sizeof(out), RUN_QUIET | RUN_WAIT) != 0)
		return false;
	snprintf(want, sizeof(want), "is running on: %s\n", node);
	first = strstr(out, "is running on:");
	return first && first == strstr(out, want) &&
	       !strstr(first + 1, "is running on:");
}

/* Every member of the group on node: the group's own --locate is not
 * enough, it counts the gate's start (the take-over, seconds long) before
 * the address has even begun to start. */
static bool group_on(const struct move_group *g, const char *node)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (!located_on(g->member[i], node))
			return false;
	return true;
}

/* Pacemaker's own wait for a settled cluster (crm_resource --wait: no
 * action of the transition left to run), bounded by the time left.  It
 * counts whole seconds and looks every 2 s, so it may end up to about 2 s
 * past the deadline. */
static bool settled(double deadline)
{
	char timeout[32], out[4096];
	const char *argv[] = { "crm_resource", "--wait", timeout, NULL };
	double left = deadline - ctl_mono_ms();

	if (left <= 0)
		return false;
	snprintf(timeout, sizeof(timeout), "--timeout=%llds",
		 (long long)((left + 999) / 1000));
	return run(argv, out, sizeof(out), RUN_WAIT) == 0;
}

/* The move is done when every member runs on node once the cluster has
 * settled, and not before: a member's start still in flight counts as
 * running, and a constraint removed then lets pacemaker send the group
 * home before the rest of it has started here. */
static bool move_done(const struct move_group *g, const char *node, double deadline)
{
	for (;;) {
		if (group_on(g, node) && settled(deadline) && group_on(g, node))
			return true;
		if (interrupted || ctl_mono_ms() >= deadline)
			return false;
		poll(NULL, 0, MOVE_POLL_MS);
	}
}

/* Says how the move ended, once its constraint is cleared; the exit code. */
static int move_result(bool done, const char *vip, const char *node)
{
	if (done) {
		printf("%s runs on %s\n", vip, node);
		return CTL_EXIT_OK;
	}
	if (interrupted) {
		fprintf(stderr, "coordctl: interrupted (%s): stopped waiting for %s on %s "
			"and removed the move's constraint; pacemaker finishes or undoes "
			"the transition under way (crm_mon shows where %s runs)\n",
			interrupted == SIGINT ? "SIGINT" : "SIGTERM", vip, node, vip);
		return CTL_EXIT_SIGNAL_BASE + interrupted;
	}
	fprintf(stderr, "coordctl: %s did not reach %s in time (is %s a VIP target? "
		"coordctl status there; coordctl events here shows the handover)\n",
		vip, node, node);
	return CTL_EXIT_TIMEOUT;
}

int ctl_move(const char *vip_text, const char *node, int64_t timeout_ms)
{
	const char *clear[] = { "crm_resource", "--resource", NULL, "--clear", NULL };
	const char *move[] = { "crm_resource", "--resource", NULL, "--move", "--node",
			       node, NULL };
	enum group_found found;
	struct move_group g;
	char out[2048];
	bool done;
	int rc;

	found = find_group(vip_text, &g, &rc);
	if (found == GROUP_NONE)
		found = find_one(vip_text, &g, &rc);
	if (found != GROUP_FOUND)
		return no_group(found, vip_text, rc);
	if (group_on(&g, node)) {
		printf("%s (group %s) already runs on %s\n", vip_text, g.id, node);
		return CTL_EXIT_OK;
	}
	move[2] = clear[2] = g.id;
	/* From here on the constraint may exist: an interruption clears it. */
	catch_interrupts();
	rc = run(move, out, sizeof(out), 0);
	if (rc != 0 && !interrupted) {
		fprintf(stderr, "coordctl: crm_resource --move of %s to %s failed (exit %d)\n",
			g.id, node, rc);
		return CTL_EXIT_FAILED;
	}
	if (!interrupted) {
		printf("moving %s (group %s) to %s: the gate hands it over\n", vip_text,
		       g.id, node);
		fflush(stdout);
	}
	done = !interrupted && move_done(&g, node, ctl_mono_ms() + (double)timeout_ms);
	/* The preference served the move; it must not pin the VIP for ever. */
	if (run(clear, out, sizeof(out), 0) != 0)
		fprintf(stderr, "coordctl: crm_resource --clear of %s failed: remove its "
			"cli-prefer constraint by hand\n", g.id);
	return move_result(done, vip_text, node);
}
