/*
 * The release command as a child process.
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

#include "release.h"

extern char **environ;

struct child {
	struct child *next;
	struct coord_release_runner *r;
	pid_t pid;
	struct coord_event_id id;
	uint64_t started_us;
	qb_loop_timer_handle timer;
	bool killed;
};

struct coord_release_runner {
	qb_loop_t *loop;
	char command[1024];
	uint32_t timeout_ms;
	coord_release_done_fn done;
	void *ctx;
	qb_loop_signal_handle sigchld;
	struct child *children;
	size_t running;
};

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void child_remove(struct coord_release_runner *r, struct child *c)
{
	struct child **p;

	for (p = &r->children; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	qb_loop_timer_del(r->loop, c->timer);
	r->running--;
}

/* Reaps our own children only: other code may have children too. */
static int32_t on_sigchld(int32_t sig, void *data)
{
	struct coord_release_runner *r = data;
	struct child *c = r->children, *next;

	(void)sig;
	for (; c; c = next) {
		int st = 0;
		pid_t p;

		next = c->next;
		p = waitpid(c->pid, &st, WNOHANG);
		if (p != c->pid)
			continue;
		child_remove(r, c);
		r->done(r->ctx, &c->id,
			WIFEXITED(st) ? WEXITSTATUS(st) :
			WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1,
			mono_us() - c->started_us);
		free(c);
	}
	return 0;
}

static void on_timeout(void *data)
{
	struct child *c = data;

	qb_log(LOG_ERR, "the release command (pid %d) runs longer than %u ms: "
	       "killing it", (int)c->pid, c->r->timeout_ms);
	c->killed = true;
	kill(-c->pid, SIGKILL);
}

struct coord_release_runner *coord_release_new(qb_loop_t *loop, const char *command,
					       uint32_t timeout_ms,
					       coord_release_done_fn done, void *ctx)
{
	struct coord_release_runner *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	snprintf(r->command, sizeof(r->command), "%s", command);
	r->loop = loop;
	r->timeout_ms = timeout_ms;
	r->done = done;
	r->ctx = ctx;
	if (qb_loop_signal_add(loop, QB_LOOP_HIGH, SIGCHLD, r, on_sigchld,
			       &r->sigchld) != 0) {
		free(r);
		return NULL;
	}
	return r;
}

int coord_release_start(struct coord_release_runner *r, const struct coord_event_id *id,
			const char *outcome, const struct coord_vip *vips, size_t n_vips)
{
	char ev[96], oc[64], vl[16 + COORD_MAX_VIPS * 48], ip[64], idtext[64];
	char *argv[] = { "/bin/sh", "-c", r->command, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	size_t n_env = 0, i, len;
	struct child *c;
	char **envp;
	int err;

	while (environ[n_env])
		n_env++;
	envp = calloc(n_env + 4, sizeof(*envp));
	c = calloc(1, sizeof(*c));
	if (!envp || !c) {
		free(envp);
		free(c);
		return -ENOMEM;
	}
	snprintf(ev, sizeof(ev), "COORD_EVENT=%s",
		 coord_event_id_format(id, idtext, sizeof(idtext)));
	snprintf(oc, sizeof(oc), "COORD_OUTCOME=%s", outcome);
	len = (size_t)snprintf(vl, sizeof(vl), "COORD_VIPS=");
	for (i = 0; i < n_vips && i < COORD_MAX_VIPS; i++)
		len += (size_t)snprintf(vl + len, sizeof(vl) - len, "%s%s", i ? " " : "",
					coord_vip_format(&vips[i], ip, sizeof(ip)));
	for (i = 0; i < n_env; i++)
		envp[i] = environ[i];
	envp[n_env++] = ev;
	envp[n_env++] = oc;
	envp[n_env++] = vl;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&attr, 0);
	{
		sigset_t none, all;
		sigemptyset(&none);
		sigfillset(&all);
		posix_spawnattr_setsigmask(&attr, &none);
		posix_spawnattr_setsigdefault(&attr, &all);
	}
	c->started_us = mono_us();
	err = posix_spawn(&c->pid, "/bin/sh", &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	free(envp);
	if (err) {
		free(c);
		return -err;
	}
	c->r = r;
	c->id = *id;
	c->next = r->children;
	r->children = c;
	r->running++;
	qb_loop_timer_add(r->loop, QB_LOOP_HIGH,
			  (uint64_t)r->timeout_ms * QB_TIME_NS_IN_MSEC, c, on_timeout,
			  &c->timer);
	return 0;
}

size_t coord_release_running(const struct coord_release_runner *r)
{
	return r->running;
}

void coord_release_free(struct coord_release_runner *r)
{
	struct child *c, *next;

	if (!r)
		return;
	for (c = r->children; c; c = next) {
		next = c->next;
		kill(-c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
		qb_loop_timer_del(r->loop, c->timer);
		free(c);
	}
	qb_loop_signal_del(r->loop, r->sigchld);
	free(r);
}
