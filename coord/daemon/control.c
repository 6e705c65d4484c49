/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordd's control socket.
 *
 * Who may talk: root, or a process whose group or supplementary groups
 * include the socket's group.  The socket file is 0660 root:group (in a
 * directory made 0750 root:group when it is missing; coordd.service's is
 * systemd's, 0755), and the peer's credentials are checked again at accept
 * (SO_PEERCRED), so a wrong mode on the file is not enough to get in.
 *
 * A client can cost coordd only bounded memory and no blocking: at most
 * COORD_CONTROL_MAX_CLIENTS connections, COORD_CTL_MAX_REQUEST bytes of
 * input each, COORD_CONTROL_OUTQ_MAX bytes of queued output (a client
 * that does not read its replies is dropped), and COORD_CONTROL_IDLE_MS
 * to send a whole request or to take some of its queued reply.  Clients
 * are never freed under a caller's feet: a dropped client is marked dead,
 * taken off the loop, and freed from a loop job, after its owner was told
 * (client_gone).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <qb/qblog.h>
#include <qb/qbutil.h>

#include "clock.h"
#include "control.h"
#include "peercred.h"
#include "ratelimit.h"
#include "timer.h"

#define ACCEPT_PAUSE_MS		1000

struct coord_control_client {
	struct coord_control *ctl;
	struct coord_control_client *prev, *next;
	int fd;
	struct ucred cred;
	uint8_t in[COORD_CTL_MAX_REQUEST];
	size_t in_len;
	uint8_t *out;			/* queued output: out[out_off..out_len) */
	size_t out_off, out_len, out_cap;
	uint32_t seq;			/* the open request's */
	bool busy;			/* a request is open: no END yet */
	bool closing;			/* close once the output is written */
	bool dead;			/* off the loop, freed by the service job */
	int32_t events;			/* what the loop polls for */
	uint64_t deadline_us;		/* see client_deadline(); 0: none */
};

struct coord_control {
	qb_loop_t *loop;
	char *path;
	int fd;
	gid_t gid;
	const struct coord_control_ops *ops;
	void *ctx;
	bool listening;
	bool service_scheduled;
	struct coord_timer sweep_timer, pause_timer;
	uint32_t idle_ms;
	struct coord_control_client *clients;
	struct coord_control_counters counters;
	struct coord_ratelimit refusal_log;	/* refused credentials */
};

static int32_t on_client(int32_t fd, int32_t revents, void *data);
static int32_t on_listen(int32_t fd, int32_t revents, void *data);

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- the service job: frees dead clients, reads pipelined requests ---- */

static void client_process(struct coord_control_client *c);

static void client_free(struct coord_control_client *c)
{
	struct coord_control *ctl = c->ctl;

	if (ctl->ops->client_gone)
		ctl->ops->client_gone(ctl->ctx, c);
	if (c->prev)
		c->prev->next = c->next;
	else
		ctl->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (!c->dead)
		qb_loop_poll_del(ctl->loop, c->fd);
	close(c->fd);
	ctl->counters.clients--;
	free(c->out);
	free(c);
}

static void on_service(void *data)
{
	struct coord_control *ctl = data;
	struct coord_control_client *c, *next;

	ctl->service_scheduled = false;
	for (c = ctl->clients; c; c = next) {
		next = c->next;
		if (c->dead)
			client_free(c);
	}
	/* A request that arrived behind an answered one.  New work that this
	 * creates is picked up by the next run of this job. */
	for (c = ctl->clients; c; c = c->next)
		if (!c->dead && !c->busy && !c->closing && c->in_len)
			client_process(c);
}

static void service_schedule(struct coord_control *ctl)
{
	if (ctl->service_scheduled)
		return;
	if (qb_loop_job_add(ctl->loop, QB_LOOP_MED, ctl, on_service) == 0)
		ctl->service_scheduled = true;
}

/* Takes the client off the loop at once; it is freed by the service job. */
static void client_kill(struct coord_control_client *c)
{
	if (c->dead)
		return;
	qb_loop_poll_del(c->ctl->loop, c->fd);
	c->dead = true;
	service_schedule(c->ctl);
}

/*
 * What a client must do by its deadline: while output is queued, take
 * some of it (a stalled reader is dropped); else, unless a request of
 * its is open, send a whole request.  Input alone never extends it, so
 * a trickle of bytes cannot hold a slot.
 */
static void client_deadline(struct coord_control_client *c)
{
	uint64_t later = coord_now_us() + (uint64_t)c->ctl->idle_ms * 1000u;

	if (c->closing)
		return;		/* set once, when it was refused */
	if (c->out_len > c->out_off || !c->busy)
		c->deadline_us = later;
	else
		c->deadline_us = 0;
}

/* ---- output ---- */

static void client_update_events(struct coord_control_client *c)
{
	int32_t ev = 0;

	if (c->dead)
		return;
	if (!c->closing && c->in_len < sizeof(c->in))
		ev |= POLLIN;
	if (c->out_len > c->out_off)
		ev |= POLLOUT;
	if (ev == c->events)
		return;
	if (qb_loop_poll_mod(c->ctl->loop, QB_LOOP_MED, c->fd, ev, c, on_client) < 0) {
		client_kill(c);
		return;
	}
	c->events = ev;
}

/* Writes what is queued; kills the client on an error, or when done closing. */
static void client_flush(struct coord_control_client *c)
{
	bool progress = false;

	while (c->out_len > c->out_off) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			client_kill(c);
			return;
		}
		c->out_off += (size_t)n;
		progress = true;
	}
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (progress || (c->out_len && !c->deadline_us))
		client_deadline(c);
	if (c->closing && !c->out_len) {
		client_kill(c);
		return;
	}
	client_update_events(c);
}

static int client_queue(struct coord_control_client *c, const uint8_t *buf, size_t len)
{
	size_t pending = c->out_len - c->out_off;

	if (c->dead)
		return -EPIPE;
	if (pending + len > COORD_CONTROL_OUTQ_MAX) {
		c->ctl->counters.count[COORD_CTL_CC_DROPPED_SLOW]++;
		qb_log(LOG_WARNING, "control: dropping client pid %d: it does not "
		       "read its replies (%zu bytes queued)", (int)c->cred.pid, pending);
		client_kill(c);
		return -EPIPE;
	}
	if (c->out_off && c->out_len + len > c->out_cap) {
		memmove(c->out, c->out + c->out_off, pending);
		c->out_len = pending;
		c->out_off = 0;
	}
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		uint8_t *p;

		while (cap < c->out_len + len)
			cap *= 2;
		p = realloc(c->out, cap);
		if (!p) {
			client_kill(c);
			return -EPIPE;
		}
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, buf, len);
	c->out_len += len;
	client_flush(c);
	return c->dead ? -EPIPE : 0;
}

static int client_queue_end(struct coord_control_client *c, uint32_t seq,
			    uint16_t status, const char *message)
{
	struct coord_ctl_record rec = { .type = COORD_CTL_REC_END, .seq = seq };
	uint8_t buf[COORD_CTL_MAX_RECORD];
	int len;

	rec.u.end.status = status;
	snprintf(rec.u.end.message, sizeof(rec.u.end.message), "%s",
		 message ? message : "");
	len = coord_ctl_record_encode(&rec, buf, sizeof(buf));
	if (len < 0)
		return -EINVAL;
	return client_queue(c, buf, (size_t)len);
}

int coord_control_send(struct coord_control_client *c, const struct coord_ctl_record *rec)
{
	uint8_t buf[COORD_CTL_MAX_RECORD];
	int len;

	if (c->dead || c->closing)
		return -EPIPE;
	if (!c->busy)
		return -EPROTO;
	/* The sequence is the open request's, whatever the caller put there. */
	len = coord_ctl_reply_encode(rec, c->seq, buf, sizeof(buf));
	if (len < 0)
		return -EINVAL;
	return client_queue(c, buf, (size_t)len);
}

void coord_control_end(struct coord_control_client *c, uint16_t status, const char *message)
{
	if (c->dead || c->closing || !c->busy)
		return;
	c->busy = false;
	client_queue_end(c, c->seq, status, message);
	if (c->dead)
		return;
	client_deadline(c);
	if (c->in_len)
		service_schedule(c->ctl);
	client_update_events(c);
}

/*
 * The last word to a client that broke the protocol: an END, then the
 * connection is closed once it is written.  seq is 0 when the request's
 * header could not be read.
 */
static void client_refuse(struct coord_control_client *c, uint32_t seq,
			  uint16_t status, const char *message)
{
	/* Local and counted: debug level, so nobody floods syslog with it. */
	qb_log(LOG_DEBUG, "control: closing client pid %d: %s: %s", (int)c->cred.pid,
	       coord_ctl_status_name(status), message);
	c->busy = false;
	c->closing = true;
	c->in_len = 0;
	if (!c->deadline_us)
		c->deadline_us = coord_now_us() + (uint64_t)c->ctl->idle_ms * 1000u;
	if (client_queue_end(c, seq, status, message) < 0)
		return;
	client_flush(c);
}

/* ---- input ---- */

static void client_process(struct coord_control_client *c)
{
	struct coord_control *ctl = c->ctl;
	struct coord_ctl_request req;
	struct coord_ctl_header h;
	char msg[COORD_CTL_MESSAGE_MAX];
	int err;

	while (!c->busy && !c->closing && !c->dead && c->in_len >= COORD_CTL_HEADER_LEN) {
		err = coord_ctl_header_decode(c->in, c->in_len, &h);
		if (err < 0) {
			ctl->counters.count[COORD_CTL_CC_BAD_REQUEST]++;
			snprintf(msg, sizeof(msg), "bad request header: %s",
				 coord_ctl_strerror(err));
			client_refuse(c, 0, COORD_CTL_BAD_REQUEST, msg);
			break;
		}
		if (h.length > COORD_CTL_MAX_REQUEST) {
			ctl->counters.count[COORD_CTL_CC_TOO_LARGE]++;
			snprintf(msg, sizeof(msg), "request of %u bytes, at most %u allowed",
				 h.length, COORD_CTL_MAX_REQUEST);
			client_refuse(c, h.seq, COORD_CTL_TOO_LARGE, msg);
			break;
		}
		if (c->in_len < h.length)
			break;		/* the rest is on its way */
		err = coord_ctl_request_decode(c->in, h.length, &req);
		memmove(c->in, c->in + h.length, c->in_len - h.length);
		c->in_len -= h.length;
		if (err < 0) {
			ctl->counters.count[COORD_CTL_CC_BAD_REQUEST]++;
			snprintf(msg, sizeof(msg), "bad %s request: %s",
				 coord_ctl_type_name(h.type), coord_ctl_strerror(err));
			client_refuse(c, h.seq, COORD_CTL_BAD_REQUEST, msg);
			break;
		}
		ctl->counters.count[COORD_CTL_CC_REQUESTS]++;
		c->busy = true;
		c->seq = req.seq;
		client_deadline(c);
		ctl->ops->request(ctl->ctx, c, &req);
	}
	client_update_events(c);
}

static void client_read(struct coord_control_client *c)
{
	ssize_t n;

	if (c->in_len == sizeof(c->in))
		return;
	n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);
	if (n == 0) {
		/* Gone, even with an open request: nobody would read the answer. */
		client_kill(c);
		return;
	}
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			client_kill(c);
		return;
	}
	c->in_len += (size_t)n;
}

static int32_t on_client(int32_t fd, int32_t revents, void *data)
{
	struct coord_control_client *c = data;

	(void)fd;
	if (c->dead)
		return -1;
	if (revents & (POLLERR | POLLNVAL)) {
		client_kill(c);
		return -1;
	}
	if (revents & POLLOUT)
		client_flush(c);
	if (!c->dead && (revents & POLLIN)) {
		client_read(c);
		if (!c->dead)
			client_process(c);
	} else if (!c->dead && (revents & POLLHUP)) {
		client_kill(c);
	}
	if (!c->dead)
		client_update_events(c);
	return c->dead ? -1 : 0;
}

/* ---- the idle sweep ---- */

static void on_sweep(void *data);

static void sweep_arm(struct coord_control *ctl)
{
	uint64_t ms = ctl->idle_ms / 4;

	if (coord_timer_armed(&ctl->sweep_timer) || !ctl->clients)
		return;
	if (ms > 1000)
		ms = 1000;
	if (ms < 10)
		ms = 10;
	if (coord_timer_arm(&ctl->sweep_timer, ms * QB_TIME_NS_IN_MSEC) != 0)
		qb_log(LOG_ERR, "control: cannot arm the idle sweep: idle and slow "
		       "clients are not dropped until the next request arms it");
}

static void on_sweep(void *data)
{
	struct coord_control *ctl = data;
	struct coord_control_client *c;
	uint64_t now = coord_now_us();
	char msg[96];

	for (c = ctl->clients; c; c = c->next) {
		if (c->dead || !c->deadline_us || now < c->deadline_us)
			continue;
		if (c->closing) {
			client_kill(c);	/* not even reading its last END */
			continue;
		}
		if (c->out_len > c->out_off) {
			ctl->counters.count[COORD_CTL_CC_DROPPED_SLOW]++;
			qb_log(LOG_WARNING, "control: dropping client pid %d: it read "
			       "nothing of its reply for %u ms (%zu bytes queued)",
			       (int)c->cred.pid, ctl->idle_ms, c->out_len - c->out_off);
			client_kill(c);
			continue;
		}
		ctl->counters.count[COORD_CTL_CC_TIMED_OUT]++;
		snprintf(msg, sizeof(msg), "no complete request within %u ms", ctl->idle_ms);
		client_refuse(c, 0, COORD_CTL_TIMED_OUT, msg);
	}
	sweep_arm(ctl);
}

/* ---- accepting ---- */

/* One END to a connection we will not serve; its buffer is empty. */
static void refuse_connection(int fd, uint16_t status, const char *message)
{
	struct coord_ctl_record rec = { .type = COORD_CTL_REC_END, .seq = 0 };
	uint8_t buf[COORD_CTL_MAX_RECORD];
	int len;

	rec.u.end.status = status;
	snprintf(rec.u.end.message, sizeof(rec.u.end.message), "%s", message);
	len = coord_ctl_record_encode(&rec, buf, sizeof(buf));
	if (len > 0 && send(fd, buf, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		qb_log(LOG_DEBUG, "control: cannot send a refusal: %s", strerror(errno));
	close(fd);
}

static void client_accept(struct coord_control *ctl, int fd)
{
	struct coord_control_client *c;
	struct ucred cred;
	uint64_t now = coord_now_us(), unlogged;

	ctl->counters.count[COORD_CTL_CC_ACCEPTED]++;
	if (ctl->counters.clients >= COORD_CONTROL_MAX_CLIENTS) {
		ctl->counters.count[COORD_CTL_CC_BUSY]++;
		refuse_connection(fd, COORD_CTL_BUSY, "too many control clients");
		return;
	}
	if (!coord_peer_allowed(fd, ctl->gid, &cred)) {
		ctl->counters.count[COORD_CTL_CC_NOT_PERMITTED]++;
		/* Any local user can knock: keep syslog from being flooded. */
		if (coord_ratelimit_pass(&ctl->refusal_log, now,
					 COORD_RATELIMIT_INTERVAL_US, &unlogged))
			qb_log(LOG_WARNING, "control: refused pid %d uid %u gid %u: "
			       "neither root nor in the socket's group (further "
			       "refusals counted in coordctl status)",
			       (int)cred.pid, (unsigned)cred.uid, (unsigned)cred.gid);
		refuse_connection(fd, COORD_CTL_NOT_PERMITTED,
				  "permission denied: root or the socket's group only");
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		refuse_connection(fd, COORD_CTL_INTERNAL, "out of memory");
		return;
	}
	c->ctl = ctl;
	c->fd = fd;
	c->cred = cred;
	c->events = POLLIN;
	c->deadline_us = now + (uint64_t)ctl->idle_ms * 1000u;
	if (qb_loop_poll_add(ctl->loop, QB_LOOP_MED, fd, POLLIN, c, on_client) < 0) {
		free(c);
		refuse_connection(fd, COORD_CTL_INTERNAL, "cannot poll the connection");
		return;
	}
	c->next = ctl->clients;
	if (c->next)
		c->next->prev = c;
	ctl->clients = c;
	ctl->counters.clients++;
	qb_log(LOG_DEBUG, "control: client pid %d uid %u connected",
	       (int)cred.pid, (unsigned)cred.uid);
	sweep_arm(ctl);
}

static void on_resume(void *data)
{
	struct coord_control *ctl = data;

	if (qb_loop_poll_add(ctl->loop, QB_LOOP_MED, ctl->fd, POLLIN, ctl, on_listen) == 0)
		ctl->listening = true;
	else
		qb_log(LOG_ERR, "control: cannot resume accepting connections");
}

static int32_t on_listen(int32_t fd, int32_t revents, void *data)
{
	struct coord_control *ctl = data;
	int i, cfd;

	(void)revents;
	for (i = 0; i < 16; i++) {
		cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (cfd >= 0) {
			client_accept(ctl, cfd);
			continue;
		}
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			/*
			 * The connection stays in the backlog, so the socket
			 * stays readable: polling it now would spin on a
			 * failing accept().  Pause for a second instead; by
			 * then clients may have closed.
			 */
			int err = errno;

			/* Never paused for ever: without the timer that ends
			 * the pause, keep listening (and spinning). */
			if (coord_timer_arm(&ctl->pause_timer,
					    ACCEPT_PAUSE_MS * QB_TIME_NS_IN_MSEC) != 0) {
				qb_log(LOG_CRIT, "control: accept: %s, and the pause "
				       "timer cannot be armed: not pausing", strerror(err));
				return 0;
			}
			ctl->counters.count[COORD_CTL_CC_ACCEPT_PAUSED]++;
			qb_log(LOG_WARNING, "control: accept: %s; pausing for %d ms",
			       strerror(err), ACCEPT_PAUSE_MS);
			qb_loop_poll_del(ctl->loop, fd);
			ctl->listening = false;
			return -1;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED)
			qb_log(LOG_ERR, "control: accept: %s", strerror(errno));
		break;
	}
	return 0;
}

/* ---- the socket file ---- */

/* Makes room for our socket, unless something alive or foreign is there. */
static int path_clear(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (!S_ISSOCK(st.st_mode)) {
		set_err(err, errlen, "%s exists and is not a socket: not removing it", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		set_err(err, errlen, "socket: %s", strerror(errno));
		return -errno;
	}
	memcpy(addr.sun_path, path, strlen(path) + 1);
	rc = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
	if (rc == 0 || errno != ECONNREFUSED) {
		int e = rc == 0 ? EADDRINUSE : errno;

		close(fd);
		if (e == EADDRINUSE || e == EAGAIN)
			set_err(err, errlen, "%s: another coordd is listening there", path);
		else
			set_err(err, errlen, "%s: cannot tell whether it is in use: %s",
				path, strerror(e));
		return -e;
	}
	close(fd);
	if (unlink(path) < 0 && errno != ENOENT) {
		set_err(err, errlen, "cannot remove the stale socket %s: %s",
			path, strerror(errno));
		return -errno;
	}
	qb_log(LOG_INFO, "control: removed the stale socket %s", path);
	return 0;
}

#define SUN_PATH_SIZE	sizeof(((struct sockaddr_un *)0)->sun_path)

/* The directory of path into dir (SUN_PATH_SIZE bytes); false for "/". */
static bool socket_dir(const char *path, char *dir)
{
	char *slash;

	snprintf(dir, SUN_PATH_SIZE, "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return false;
	*slash = '\0';
	return true;
}

/* The socket's directory, 0750 root:group, when it does not exist yet. */
static int dir_make(const char *path, gid_t gid, char *err, size_t errlen)
{
	char dir[SUN_PATH_SIZE];

	if (!socket_dir(path, dir))
		return 0;
	if (mkdir(dir, 0750) < 0) {
		if (errno == EEXIST)
			return 0;
		set_err(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		return -errno;
	}
	if (chown(dir, geteuid() == 0 ? 0 : (uid_t)-1, gid) < 0 || chmod(dir, 0750) < 0) {
		set_err(err, errlen, "cannot give %s to group %u: %s", dir,
			(unsigned)gid, strerror(errno));
		return -errno;
	}
	return 0;
}

static int group_lookup(const char *name, gid_t *gid, char *err, size_t errlen)
{
	struct group gr, *res = NULL;
	char buf[4096];
	int rc = getgrnam_r(name, &gr, buf, sizeof(buf), &res);

	if (rc != 0 || !res) {
		set_err(err, errlen, "no group named '%s'%s%s", name,
			rc ? ": " : "", rc ? strerror(rc) : "");
		return -ENOENT;
	}
	*gid = gr.gr_gid;
	return 0;
}

int coord_control_check(const char *path, const char *group_name, char *err, size_t errlen)
{
	char dir[SUN_PATH_SIZE], parent[SUN_PATH_SIZE];
	struct stat st;
	gid_t gid;
	int rc = group_lookup(group_name, &gid, err, errlen);

	if (rc < 0 || !socket_dir(path, dir))
		return rc;
	if (stat(dir, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		set_err(err, errlen, "the socket's directory %s is not a directory", dir);
		return -ENOTDIR;
	}
	if (errno != ENOENT) {
		rc = -errno;
		set_err(err, errlen, "the socket's directory %s: %s", dir, strerror(-rc));
		return rc;
	}
	/* dir_make() creates the last directory only. */
	if (!socket_dir(dir, parent) || (stat(parent, &st) == 0 && S_ISDIR(st.st_mode)))
		return 0;
	set_err(err, errlen, "the socket's directory %s does not exist, nor does its "
		"parent %s (coordd creates the last one only)", dir, parent);
	return -ENOENT;
}

static int socket_open(struct coord_control *ctl, char *err, size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	mode_t old;
	int rc;

	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (ctl->fd < 0) {
		set_err(err, errlen, "socket: %s", strerror(errno));
		return -errno;
	}
	memcpy(addr.sun_path, ctl->path, strlen(ctl->path) + 1);
	/* No moment where the file is open to anyone else. */
	old = umask(0117);
	rc = bind(ctl->fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old);
	if (rc < 0) {
		set_err(err, errlen, "bind %s: %s", ctl->path, strerror(errno));
		return -errno;
	}
	if (chown(ctl->path, geteuid() == 0 ? 0 : (uid_t)-1, ctl->gid) < 0 ||
	    chmod(ctl->path, 0660) < 0) {
		set_err(err, errlen, "cannot give %s to group %u: %s", ctl->path,
			(unsigned)ctl->gid, strerror(errno));
		unlink(ctl->path);
		return -errno;
	}
	if (listen(ctl->fd, SOMAXCONN) < 0) {
		set_err(err, errlen, "listen %s: %s", ctl->path, strerror(errno));
		unlink(ctl->path);
		return -errno;
	}
	return 0;
}

struct coord_control *coord_control_new(qb_loop_t *loop, const char *path,
					const char *group_name,
					const struct coord_control_ops *ops, void *ctx,
					char *err, size_t errlen)
{
	struct coord_control *ctl;
	bool bound = false;

	if (!path || !*path || strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		set_err(err, errlen, "bad socket path '%s' (at most %zu bytes)",
			path ? path : "", sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
		return NULL;
	}
	ctl = calloc(1, sizeof(*ctl));
	if (!ctl || !(ctl->path = strdup(path))) {
		free(ctl);
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	ctl->loop = loop;
	coord_timer_init(&ctl->sweep_timer, loop, QB_LOOP_LOW, on_sweep, ctl);
	coord_timer_init(&ctl->pause_timer, loop, QB_LOOP_LOW, on_resume, ctl);
	ctl->ops = ops;
	ctl->ctx = ctx;
	ctl->fd = -1;
	ctl->idle_ms = COORD_CONTROL_IDLE_MS;
	if (group_lookup(group_name, &ctl->gid, err, errlen) < 0 ||
	    dir_make(path, ctl->gid, err, errlen) < 0 ||
	    path_clear(path, err, errlen) < 0)
		goto fail;
	if (socket_open(ctl, err, errlen) < 0)
		goto fail;
	bound = true;
	if (qb_loop_poll_add(loop, QB_LOOP_MED, ctl->fd, POLLIN, ctl, on_listen) < 0) {
		set_err(err, errlen, "cannot poll the control socket");
		goto fail;
	}
	ctl->listening = true;
	qb_log(LOG_INFO, "control: listening on %s (group %s)", path, group_name);
	return ctl;
fail:
	if (bound)
		unlink(ctl->path);
	if (ctl->fd >= 0)
		close(ctl->fd);
	free(ctl->path);
	free(ctl);
	return NULL;
}

void coord_control_free(struct coord_control *ctl)
{
	if (!ctl)
		return;
	if (ctl->service_scheduled)
		qb_loop_job_del(ctl->loop, QB_LOOP_MED, ctl, on_service);
	coord_timer_disarm(&ctl->sweep_timer);
	coord_timer_disarm(&ctl->pause_timer);
	while (ctl->clients)
		client_free(ctl->clients);
	if (ctl->listening)
		qb_loop_poll_del(ctl->loop, ctl->fd);
	close(ctl->fd);
	unlink(ctl->path);
	free(ctl->path);
	free(ctl);
}

const struct coord_control_counters *coord_control_counters(const struct coord_control *ctl)
{
	return &ctl->counters;
}

struct coord_control *coord_control_of(const struct coord_control_client *c)
{
	return c->ctl;
}

void coord_control_set_idle_timeout(struct coord_control *ctl, uint32_t ms)
{
	ctl->idle_ms = ms ? ms : 1;
}
