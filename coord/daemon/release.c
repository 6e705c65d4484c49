/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The release command as a child process.
 *
 * posix_spawn starts `/bin/sh -c COMMAND` in a new process group, so a
 * timeout can kill the shell and whatever it started.  Exits are
 * collected on SIGCHLD, which libqb turns into a loop job: each known
 * child is polled with waitpid(pid, WNOHANG), never waitpid(-1), since
 * other parts of the process may have children of their own.  A signal
 * may stand for several exits, so every child is polled each time.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <qb/qblog.h>
#include <qb/qbutil.h>

#include "clock.h"
#include "release.h"

extern char **environ;

struct release_child {
	struct release_child *next;
	struct coord_release_runner *r;
	struct coord_event_id id;
	pid_t pid;			/* 0: could not be started */
	int status;
	uint64_t started_us;
	qb_loop_timer_handle timer;	/* 0 once fired */
};

struct coord_release_runner {
	struct coord_release_runner *next;	/* all live runners */
	qb_loop_t *loop;
	char *command;
	uint32_t timeout_ms;
	coord_release_done_fn done;
	void *ctx;
	qb_loop_signal_handle sigchld;
	struct release_child *children;
	size_t running;
};

/*
 * libqb hands a signal to its handlers through queued jobs, each holding
 * a copy of the handler's user data.  Should such a job run after its
 * runner was freed (from a done() callback, say), the handler finds the
 * runner missing from this list and does nothing.
 */
static struct coord_release_runner *runners;

static void child_unlink(struct coord_release_runner *r, struct release_child *c)
{
	struct release_child **p;

	for (p = &r->children; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			r->running--;
			break;
		}
	}
	if (c->timer)
		qb_loop_timer_del(r->loop, c->timer);
	c->timer = 0;
	c->next = NULL;
}

/* 1 when c has exited (c->status set), 0 while it runs. */
static int child_reap(struct release_child *c)
{
	int st;
	pid_t p;

	do
		p = waitpid(c->pid, &st, WNOHANG);
	while (p < 0 && errno == EINTR);
	if (p == 0)
		return 0;
	if (p < 0) {
		/* Somebody else reaped it: its status is lost. */
		qb_log(LOG_ERR, "release command pid %d: %s", (int)c->pid,
		       strerror(errno));
		c->status = -1;
	} else if (WIFEXITED(st)) {
		c->status = WEXITSTATUS(st);
	} else if (WIFSIGNALED(st)) {
		c->status = 128 + WTERMSIG(st);
	} else {
		return 0;	/* stopped or continued */
	}
	return 1;
}

/* Calls done() for each of a detached list, then frees it. */
static void report(coord_release_done_fn done, void *ctx, struct release_child *list,
		   uint64_t now)
{
	struct release_child *c;

	while ((c = list) != NULL) {
		list = c->next;
		done(ctx, &c->id, c->status,
		     c->started_us && now > c->started_us ? now - c->started_us : 0);
		free(c);
	}
}

static int32_t on_sigchld(int32_t sig, void *data)
{
	struct coord_release_runner *r;
	struct release_child *c, *next, *exited = NULL, **tail = &exited;

	(void)sig;
	for (r = runners; r && r != data; r = r->next)
		;
	if (!r)
		return 0;	/* freed since: see runners */
	for (c = r->children; c; c = next) {
		next = c->next;
		if (c->pid <= 0 || !child_reap(c))
			continue;
		child_unlink(r, c);
		*tail = c;
		tail = &c->next;
	}
	/* done() may start or free: r is not used after this. */
	report(r->done, r->ctx, exited, coord_now_us());
	return 0;	/* non-zero would remove the handler */
}

static void on_spawn_failed(void *data)
{
	struct release_child *c = data;
	struct coord_release_runner *r = c->r;

	child_unlink(r, c);
	report(r->done, r->ctx, c, coord_now_us());
}

static void on_timeout(void *data)
{
	struct release_child *c = data;
	char idtext[48];

	c->timer = 0;
	qb_log(LOG_WARNING, "event %s: the release command (pid %d) still runs "
	       "after %u ms: killing it",
	       coord_event_id_format(&c->id, idtext, sizeof(idtext)), (int)c->pid,
	       c->r->timeout_ms);
	if (kill(-c->pid, SIGKILL) < 0 && errno != ESRCH)
		qb_perror(LOG_ERR, "cannot kill release process group %d", (int)c->pid);
}

struct coord_release_runner *coord_release_new(qb_loop_t *loop, const char *command,
					       uint32_t timeout_ms,
					       coord_release_done_fn done, void *ctx)
{
	struct coord_release_runner *r;
	int rc;

	if (!loop || !command || !*command || !timeout_ms || !done) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->command = strdup(command);
	if (!r->command) {
		free(r);
		return NULL;
	}
	r->loop = loop;
	r->timeout_ms = timeout_ms;
	r->done = done;
	r->ctx = ctx;
	rc = qb_loop_signal_add(loop, QB_LOOP_HIGH, SIGCHLD, r, on_sigchld, &r->sigchld);
	if (rc < 0) {
		free(r->command);
		free(r);
		errno = -rc;
		return NULL;
	}
	r->next = runners;
	runners = r;
	return r;
}

static bool env_ours(const char *entry)
{
	return !strncmp(entry, "COORD_EVENT=", 12) || !strncmp(entry, "COORD_OUTCOME=", 14) ||
	       !strncmp(entry, "COORD_VIPS=", 11);
}

/* coordd's environment without COORD_*, then ours: freed by the caller. */
static char **env_build(char *event, char *outcome, char *vips)
{
	size_t n = 0, i, j = 0;
	char **envp;

	while (environ && environ[n])
		n++;
	envp = calloc(n + 4, sizeof(*envp));
	if (!envp)
		return NULL;
	for (i = 0; i < n; i++)
		if (!env_ours(environ[i]))
			envp[j++] = environ[i];
	envp[j++] = event;
	envp[j++] = outcome;
	envp[j++] = vips;
	return envp;
}

static int spawn(struct coord_release_runner *r, char **envp, pid_t *pid)
{
	char *argv[] = { "/bin/sh", "-c", r->command, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int err;

	err = posix_spawn_file_actions_init(&fa);
	if (err)
		return err;
	err = posix_spawnattr_init(&attr);
	if (err) {
		posix_spawn_file_actions_destroy(&fa);
		return err;
	}
	sigemptyset(&none);
	sigfillset(&all);
	err = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
	/* The command must not hold coordd's sockets. */
	if (!err)
		err = posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
#endif
	if (!err)
		err = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
					       POSIX_SPAWN_SETSIGMASK |
					       POSIX_SPAWN_SETSIGDEF);
	if (!err)
		err = posix_spawnattr_setpgroup(&attr, 0);
	if (!err)
		err = posix_spawnattr_setsigmask(&attr, &none);
	if (!err)
		err = posix_spawnattr_setsigdefault(&attr, &all);
	if (!err)
		err = posix_spawn(pid, "/bin/sh", &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return err;
}

int coord_release_start(struct coord_release_runner *r, const struct coord_event_id *id,
			uint8_t outcome, const struct coord_vip *vips, size_t n_vips)
{
	char event[64], oc[32], vl[16 + COORD_MAX_VIPS * 48], idtext[48], ip[48];
	struct release_child *c;
	size_t i, len;
	char **envp;
	int err, rc;

	if ((outcome != COORD_RELEASE_CONFIRMED && outcome != COORD_RELEASE_UNCONFIRMED) ||
	    n_vips > COORD_MAX_VIPS || (n_vips && !vips))
		return -EINVAL;
	coord_event_id_format(id, idtext, sizeof(idtext));
	snprintf(event, sizeof(event), "COORD_EVENT=%s", idtext);
	snprintf(oc, sizeof(oc), "COORD_OUTCOME=%s", coord_release_outcome_name(outcome));
	len = (size_t)snprintf(vl, sizeof(vl), "COORD_VIPS=");
	for (i = 0; i < n_vips; i++)
		len += (size_t)snprintf(vl + len, sizeof(vl) - len, "%s%s", i ? " " : "",
					coord_vip_format(&vips[i], ip, sizeof(ip)));

	c = calloc(1, sizeof(*c));
	envp = env_build(event, oc, vl);
	if (!c || !envp) {
		free(c);
		free(envp);
		return -ENOMEM;
	}
	c->r = r;
	c->id = *id;
	c->started_us = coord_now_us();
	err = spawn(r, envp, &c->pid);
	free(envp);
	if (err) {
		/* Reported from the loop, like an exit. */
		qb_log(LOG_ERR, "event %s: cannot start the release command: %s",
		       idtext, strerror(err));
		c->pid = 0;
		c->status = -1;
		rc = qb_loop_job_add(r->loop, QB_LOOP_HIGH, c, on_spawn_failed);
		if (rc < 0) {
			free(c);
			return rc;
		}
	} else {
		rc = qb_loop_timer_add(r->loop, QB_LOOP_HIGH,
				       (uint64_t)r->timeout_ms * QB_TIME_NS_IN_MSEC, c,
				       on_timeout, &c->timer);
		if (rc < 0) {
			/* Unbounded is worse than not at all. */
			qb_log(LOG_ERR, "event %s: no timer for the release command: %s",
			       idtext, strerror(-rc));
			kill(-c->pid, SIGKILL);
			while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
				;
			free(c);
			return rc;
		}
		qb_log(LOG_DEBUG, "event %s: release command started, pid %d", idtext,
		       (int)c->pid);
	}
	c->next = r->children;
	r->children = c;
	r->running++;
	return 0;
}

size_t coord_release_running(const struct coord_release_runner *r)
{
	return r->running;
}

void coord_release_free(struct coord_release_runner *r)
{
	struct coord_release_runner **p;
	struct release_child *c;

	if (!r)
		return;
	while ((c = r->children) != NULL) {
		if (c->pid > 0) {
			kill(-c->pid, SIGKILL);
			while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
				;
		} else {
			qb_loop_job_del(r->loop, QB_LOOP_HIGH, c, on_spawn_failed);
		}
		child_unlink(r, c);
		free(c);
	}
	for (p = &runners; *p; p = &(*p)->next) {
		if (*p == r) {
			*p = r->next;
			break;
		}
	}
	qb_loop_signal_del(r->loop, r->sigchld);
	free(r->command);
	free(r);
}
