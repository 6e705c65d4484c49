/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordd: the confirmed-grace failover coordinator, one per node.
 *
 * main() only parses options and wires the adapters to the engine on one
 * libqb loop: CPG (group.c), quorum (quorum.c), the local ganesha over
 * D-Bus (bus.c, grace.c, detect.c), the release command (release.c) and the control socket
 * (control.c, control_dispatch.c).  Every input goes to the engine, then
 * pump() carries out the actions it returned.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <qb/qbloop.h>
#include <qb/qblog.h>

#include "clock.h"
#include "coord/engine.h"
#include "config.h"
#include "control.h"
#include "control_dispatch.h"
#include "detect.h"
#include "drop_log.h"
#include "grace.h"
#include "group.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"
#include "notify.h"
#include "quorum.h"
#include "release.h"
#include "timer.h"

#define COORD_BLACKBOX_PATH	"/var/lib/coord/coordd-blackbox"

/* Exit codes, as coordd(8) documents them. */
enum {
	EXIT_OK = 0,
	EXIT_FAILURE_RUNTIME = 1,
	EXIT_USAGE = 2,
	EXIT_CONFIG = 3,
};

struct coordd {
	struct coord_config cfg;
	qb_loop_t *loop;
	struct coord_engine *engine;
	struct coord_group *group;
	struct coord_quorum *quorum;
	struct coord_bus *bus;
	struct coord_grace_client *grace;
	struct coord_detect *detect;
	struct coord_release_runner *release;
	struct coord_control *control;
	struct coord_dispatch *dispatch;
	struct coord_timer engine_timer;
	uint64_t engine_timer_at;
	uint64_t started_us;
	uint64_t wire_errors[COORD_CODEC_ERROR_COUNT];
	struct coord_drop_log drops;	/* rate-limited warnings about them */
	struct coord_metrics *metrics;
	struct coord_metrics_http *metrics_http;	/* NULL: metrics_listen off */
	struct coord_notify *notify;
};

static uint64_t new_incarnation(void)
{
	/* Wall-clock microseconds: unique per start, and a restart is newer. */
	return coord_wall_us();
}

static void pump(void *data);
static void on_drop_done(void *data, const struct coord_event_id *id,
			 enum coord_drop_result result, uint32_t latency_us,
			 const char *detail);
static void on_take_over_done(void *data, uint32_t token, uint8_t result,
			      uint32_t latency_us, const char *detail);

static void on_engine_timer(void *data)
{
	struct coordd *d = data;

	coord_engine_tick(d->engine, coord_now_us());
	pump(d);
}

static void arm_engine_timer(struct coordd *d)
{
	uint64_t next = coord_engine_next_timer(d->engine), now = coord_now_us();

	if (coord_timer_armed(&d->engine_timer) && d->engine_timer_at == next)
		return;
	coord_timer_disarm(&d->engine_timer);
	if (next == UINT64_MAX)
		return;
	d->engine_timer_at = next;
	/* Deadlines and release retries hang on this timer: never lose it
	 * silently (the next pump tries again). */
	if (coord_timer_arm(&d->engine_timer,
			    (next > now ? next - now : 0) * QB_TIME_NS_IN_USEC) != 0)
		qb_log(LOG_CRIT, "cannot arm the engine timer: deadlines and release "
		       "retries wait for the next event");
}

static void send_message(struct coordd *d, const struct coord_msg *msg)
{
	uint8_t buf[COORD_WIRE_MAX_LEN];
	int len = coord_msg_encode(msg, buf, sizeof(buf));

	if (len < 0) {
		qb_log(LOG_CRIT, "cannot encode a %s message: %s",
		       coord_msg_type_name(msg->type), coord_wire_strerror(len));
		return;
	}
	/* The group logs and counts the reason; say which message it was. */
	if (coord_group_send(d->group, buf, (size_t)len) < 0)
		qb_log(LOG_ERR, "a %s message was not sent", coord_msg_type_name(msg->type));
}

static void run_release(struct coordd *d, const struct coord_event_id *id)
{
	const struct coord_event *ev = coord_engine_find_event(d->engine, id);
	int err;

	if (!ev)
		return;
	qb_log(LOG_NOTICE, "running the release command (%s, attempt %u)",
	       coord_release_outcome_name(ev->release_outcome), ev->release_attempts);
	coord_metrics_release_started(d->metrics, ev, coord_now_us(), coord_wall_us());
	err = coord_release_start(d->release, id, ev->release_outcome, ev->vips, ev->n_vips);
	if (err < 0) {
		qb_log(LOG_ERR, "cannot start the release command: %s", strerror(-err));
		coord_metrics_release_done(d->metrics, -1);
		coord_engine_release_done(d->engine, coord_now_us(), id, -1);
	}
}

static void event_ended(struct coordd *d, const struct coord_event_id *id)
{
	const struct coord_event *ev = coord_engine_find_event(d->engine, id);

	if (ev)
		coord_metrics_event_ended(d->metrics, ev);
	coord_dispatch_event_ended(d->dispatch, id);
}

static void fill_daemon_status(void *data, struct coord_daemon_status *st);

/* STATUS= for systemd, and READY=1 once joined (notify.c). */
static void notify_state(struct coordd *d)
{
	struct coord_notify_state ns = {
		.group = d->cfg.group,
		.cpg_connected = coord_group_connected(d->group),
		.joined = coord_engine_joined(d->engine),
		.quorate = coord_engine_quorate(d->engine),
		.members = coord_engine_member_count(d->engine),
		.pending = coord_engine_pending_count(d->engine),
	};

	coord_notify_update(d->notify, &ns);
}

static int render_metrics(void *data, char *buf, size_t cap)
{
	struct coordd *d = data;
	struct coord_daemon_status st;

	memset(&st, 0, sizeof(st));
	fill_daemon_status(d, &st);
	if (coord_process_read(&st.process) < 0)
		qb_log(LOG_DEBUG, "cannot read /proc/self: no process_* metrics");
	return coord_metrics_render(d->metrics, d->engine, &st, buf, cap);
}

/* Carries out what the engine asked for, until it asks for nothing. */
static void pump(void *data)
{
	struct coordd *d = data;
	struct coord_action a;

	while (coord_engine_next_action(d->engine, &a)) {
		switch (a.kind) {
		case COORD_ACTION_SEND:
			send_message(d, &a.msg);
			break;
		case COORD_ACTION_GRACE:
			if (a.load_node)
				coord_grace_request_node(d->grace, &a.event, a.load_node);
			else
				coord_grace_request(d->grace, &a.event, a.vips, a.n_vips);
			break;
		case COORD_ACTION_RELEASE:
			run_release(d, &a.event);
			break;
		case COORD_ACTION_DROP:
			coord_grace_drop(d->grace, &a.event, a.vips, a.n_vips,
					 on_drop_done, d);
			break;
		case COORD_ACTION_TAKE_OVER:
			coord_grace_load_nodes(d->grace, a.request, a.nodes, a.n_nodes,
					       on_take_over_done, d);
			break;
		case COORD_ACTION_EVENT_ENDED:
			event_ended(d, &a.event);
			break;
		}
	}
	/* HELD is reached in a tick without an EVENT_ENDED action. */
	coord_dispatch_check_waiters(d->dispatch);
	arm_engine_timer(d);
	notify_state(d);
}

/* ---- adapter callbacks: each feeds the engine, then pumps ---- */

static void on_deliver(void *data, struct coord_member_id from,
		       const uint8_t *buf, size_t len)
{
	struct coordd *d = data;
	enum coord_refusal why;
	struct coord_msg msg;
	uint64_t now = coord_now_us();
	int err = coord_msg_decode(buf, len, &msg);

	if (err < 0) {
		d->wire_errors[-err]++;
		coord_drop_log_wire(&d->drops, now, from, len, err);
		/* CPG names the sender; the header still names its version. */
		if (err == COORD_CODEC_BAD_VERSION) {
			coord_engine_member_incompatible(d->engine, now, from, msg.version);
			pump(d);
		}
		return;
	}
	why = coord_engine_deliver(d->engine, now, from, &msg);
	if (why)
		coord_drop_log_engine(&d->drops, now, from, &msg, why);
	pump(d);
}

static void on_confchg(void *data,
		       const struct coord_member_id *members, size_t n_members,
		       const struct coord_member_id *left, const uint8_t *reasons,
		       size_t n_left,
		       const struct coord_member_id *joined, size_t n_joined)
{
	struct coordd *d = data;

	/* corosync may have been down at start: the node id is known now. */
	coord_engine_set_nodeid(d->engine, coord_group_nodeid(d->group));
	coord_engine_confchg(d->engine, coord_now_us(), members, n_members,
			     left, reasons, n_left, joined, n_joined);
	pump(d);
}

static void on_group_lost(void *data)
{
	struct coordd *d = data;

	coord_engine_disconnected(d->engine, coord_now_us(), new_incarnation());
	pump(d);
}

static void on_quorum(void *data, bool quorate, const uint32_t *nodes, size_t n_nodes)
{
	struct coordd *d = data;

	if (nodes)
		coord_engine_quorum_view(d->engine, coord_now_us(), quorate, nodes, n_nodes);
	else
		coord_engine_quorum(d->engine, coord_now_us(), quorate);
	pump(d);
}

static void on_grace_done(void *data, const struct coord_event_id *id,
			  uint8_t result, uint32_t latency_us, const char *detail)
{
	struct coordd *d = data;
	char buf[64];

	qb_log(result == COORD_ACK_IN_GRACE ? LOG_NOTICE : LOG_WARNING,
	       "event %s: local server: %s in %u ms%s%s",
	       coord_event_id_format(id, buf, sizeof(buf)),
	       coord_ack_result_name(result), latency_us / 1000,
	       detail && *detail ? ": " : "", detail ? detail : "");
	coord_metrics_grace_done(d->metrics, result, latency_us);
	coord_engine_grace_done(d->engine, coord_now_us(), id, result, latency_us, detail);
	pump(d);
}

/* A handover's DROP ("2:VIP"): the engine decides what it means. */
static void on_drop_done(void *data, const struct coord_event_id *id,
			 enum coord_drop_result result, uint32_t latency_us,
			 const char *detail)
{
	struct coordd *d = data;
	char buf[64];

	qb_log(result == COORD_DROP_FAILED ? LOG_ERR : LOG_NOTICE,
	       "event %s: local server %s the VIPs' state in %u ms%s%s",
	       coord_event_id_format(id, buf, sizeof(buf)),
	       result == COORD_DROP_DONE ? "dropped" :
	       result == COORD_DROP_NO_SERVER ? "is not running: it holds none of" :
	       "could not drop", latency_us / 1000,
	       detail && *detail ? ": " : "", detail ? detail : "");
	coord_engine_drop_done(d->engine, coord_now_us(), id, result);
	pump(d);
}

/* The local server's answer to a TAKE_OVER action: its control request's. */
static void on_take_over_done(void *data, uint32_t token, uint8_t result,
			      uint32_t latency_us, const char *detail)
{
	struct coordd *d = data;

	qb_log(result == COORD_ACK_IN_GRACE ? LOG_NOTICE : LOG_ERR,
	       "take-over: local server: %s in %u ms%s%s", coord_ack_result_name(result),
	       latency_us / 1000, detail && *detail ? ": " : "", detail ? detail : "");
	coord_metrics_take_over_done(d->metrics, result, latency_us);
	coord_dispatch_take_over_done(d->dispatch, token, result, latency_us, detail);
}

static void on_release_done(void *data, const struct coord_event_id *id,
			    int status, uint64_t duration_us)
{
	struct coordd *d = data;
	char buf[64];

	qb_log(status == 0 ? LOG_NOTICE : LOG_ERR,
	       "event %s: release command exited with status %d after %llu ms",
	       coord_event_id_format(id, buf, sizeof(buf)), status,
	       (unsigned long long)duration_us / 1000);
	coord_metrics_release_done(d->metrics, status);
	coord_engine_release_done(d->engine, coord_now_us(), id, status);
	pump(d);
}

/* ---- the watch of the local ganesha.nfsd: the same reports as the agent's ---- */

static void on_local_dead(void *data)
{
	struct coordd *d = data;
	struct coord_event_id id;
	char buf[64];
	int err = coord_engine_report_death(d->engine, coord_now_us(), NULL, 0, &id);

	if (err < 0)
		qb_log(LOG_ERR, "cannot report the local server's death: %s%s", strerror(-err),
		       err == -ENOTCONN ? " (not in the group; the agent reports it again)" : "");
	else
		qb_log(LOG_NOTICE, "local server's death reported by coordd: event %s",
		       coord_event_id_format(&id, buf, sizeof(buf)));
	pump(d);
}

static void on_local_up(void *data)
{
	struct coordd *d = data;

	coord_engine_report_up(d->engine, coord_now_us());
	pump(d);
}

static void on_agent_report(void *data, bool dead)
{
	struct coordd *d = data;

	if (d->detect)
		coord_detect_note_report(d->detect, dead);
}

static void fill_daemon_status(void *data, struct coord_daemon_status *st)
{
	struct coord_detect_status ls;
	struct coordd *d = data;
	const struct coord_group_stats *gs = coord_group_stats(d->group);

	st->group = d->cfg.group;
	st->nodeid = coord_group_nodeid(d->group);
	st->cpg_sent = gs->sent;
	st->cpg_try_again = gs->try_again;
	st->cpg_send_failed = gs->send_failed;
	st->cpg_connects = gs->connects;
	st->cpg_queued = (uint32_t)coord_group_queued(d->group);
	st->cpg_connected = coord_group_connected(d->group);
	st->quorum_connected = coord_quorum_connected(d->quorum);
	st->bus_connected = coord_bus_registered(d->bus);
	st->policy = d->cfg.deadline_policy;
	st->deadline_ms = d->cfg.barrier_deadline_ms;
	st->uptime_us = coord_now_us() - d->started_us;
	memcpy(st->wire_errors, d->wire_errors, sizeof(st->wire_errors));
	if (!d->detect)
		return;
	coord_detect_status(d->detect, &ls);
	st->local_state = ls.state;
	st->local_how = ls.how;
	st->local_flags = ls.flags;
	st->local_pid = ls.pid;
	st->local_age_us = ls.age_us == COORD_CTL_NEVER ? 0 : ls.age_us;
	st->heartbeat_age_us = ls.heartbeat_age_us == COORD_CTL_NEVER ? 0 : ls.heartbeat_age_us;
	st->heartbeat_timeout_ms = ls.heartbeat_timeout_ms;
	st->heartbeats = ls.heartbeats;
	st->local_hung = ls.hung;
}

static int32_t on_signal_stop(int32_t sig, void *data)
{
	struct coordd *d = data;

	qb_log(LOG_NOTICE, "signal %d: leaving the group and stopping", sig);
	coord_notify_stopping(d->notify);
	qb_loop_stop(d->loop);
	return 0;
}

/* SIGHUP, from logrotate (or systemctl reload): the log file is opened
 * again; nothing else changes (the configuration is read at start only). */
static int32_t on_signal_reopen(int32_t sig, void *data)
{
	const char *path;
	int err = coord_log_reopen(&path);

	(void)data;
	if (err < 0)
		qb_log(LOG_ERR, "signal %d: cannot reopen the log file %s: %s; still "
		       "writing to the old one", sig, path, strerror(-err));
	else if (path)
		qb_log(LOG_NOTICE, "signal %d: log file %s reopened", sig, path);
	else
		qb_log(LOG_NOTICE, "signal %d: no log file to reopen", sig);
	return 0;
}

/* ---- start-up ---- */

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: coordd [-f] [-c FILE] [-p FILE] [-t]\n"
		"Confirmed-grace failover coordinator for NFS-Ganesha clusters.\n"
		"\n"
		"  -f, --foreground     stay in the foreground (for systemd and tests)\n"
		"  -c, --config FILE    configuration file (default %s;\n"
		"                       the default may be absent: defaults apply)\n"
		"  -p, --pidfile FILE   write the daemon's pid to FILE (removed at exit)\n"
		"  -t, --test-config    check the configuration and exit\n"
		"  -h, --help           this text\n"
		"  -V, --version        the version and protocol version\n"
		"\n"
		"Exit status: 0 stopped cleanly, 1 runtime failure, 2 usage error,\n"
		"3 bad configuration.  See coordd(8) and coordd.conf(5).\n",
		COORD_CONFIG_DEFAULT_PATH);
}

/* The parent of a detaching coordd: exits 0 once the child says it is
 * ready, else with the child's exit status (daemon(7)'s readiness pipe). */
static _Noreturn void await_ready(pid_t child, int fd)
{
	ssize_t n;
	char c;
	int st = 0;

	while ((n = read(fd, &c, 1)) < 0 && errno == EINTR)
		;
	if (n == 1)
		_exit(EXIT_OK);
	/* The pipe closed unwritten: start-up failed, the child exits. */
	while (waitpid(child, &st, 0) < 0 && errno == EINTR)
		;
	_exit(WIFEXITED(st) && WEXITSTATUS(st) ? WEXITSTATUS(st) : EXIT_FAILURE_RUNTIME);
}

/*
 * Without -f: forks; the parent returns only through await_ready().  The
 * child keeps the parent's stderr until daemon_ready(), so a failed
 * start-up says why where coordd was started; *ready_fd is its end of the
 * pipe (close-on-exec: the release command must not hold it).
 */
static int daemonize(int *ready_fd)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (pid > 0) {
		close(p[1]);
		await_ready(pid, p[0]);
	}
	close(p[0]);
	*ready_fd = p[1];
	if (setsid() < 0)
		return -errno;
	if (chdir("/") < 0)
		return -errno;
	if (!freopen("/dev/null", "r", stdin) || !freopen("/dev/null", "w", stdout))
		return -EIO;
	return 0;
}

/* Start-up succeeded: a detached coordd lets its parent exit 0, and lets
 * go of the stderr it was started with. */
static void daemon_ready(int *ready_fd)
{
	if (*ready_fd < 0)
		return;
	coord_log_stderr_crit(false);
	if (!freopen("/dev/null", "w", stderr) || write(*ready_fd, "", 1) != 1)
		qb_log(LOG_WARNING, "cannot tell the starting process that coordd is "
		       "ready: it reports a failure");
	close(*ready_fd);
	*ready_fd = -1;
}

/* coordd -t: the file parses, and start-up would not refuse what it says
 * on this host: a socket group or a log directory that does not exist. */
static int test_config(const char *path, const struct coord_config *cfg)
{
	char err[512], warning[256];

	if (coord_log_target_check(cfg->log_target, err, sizeof(err)) < 0 ||
	    coord_control_check(cfg->socket, cfg->socket_group, err, sizeof(err)) < 0) {
		fprintf(stderr, "coordd: %s: %s\n", path, err);
		return EXIT_CONFIG;
	}
	if (coord_config_warning(cfg, warning, sizeof(warning)))
		fprintf(stderr, "coordd: %s: warning: %s\n", path, warning);
	printf("%s: configuration OK\n", path);
	return EXIT_OK;
}

static int write_pidfile(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fprintf(f, "%ld\n", (long)getpid());
	return fclose(f) == 0 ? 0 : -1;
}

static int coordd_start(struct coordd *d)
{
	static const struct coord_group_ops group_ops = {
		.deliver = on_deliver, .confchg = on_confchg, .lost = on_group_lost,
	};
	struct coord_engine_config ec = {
		.nodeid = 0,
		.incarnation = new_incarnation(),
		.log = coord_log_engine,
	};
	struct coord_dispatch_env env = {
		.now_us = coord_now_us,
		.pump = pump,
		.pump_ctx = d,
		.fill_status = fill_daemon_status,
		.status_ctx = d,
		.render_metrics = render_metrics,
		.metrics_ctx = d,
		.local_report = on_agent_report,
		.local_ctx = d,
	};
	static const struct coord_detect_ops detect_ops = {
		.dead = on_local_dead, .up = on_local_up,
	};
	struct coord_detect_config dc = {
		.enabled = d->cfg.detect,
		.restart_wait_ms = d->cfg.detect_restart_wait_ms,
		.heartbeat_timeout_ms = d->cfg.heartbeat_timeout_ms,
		.kill_hung = d->cfg.kill_hung,
		.call_timeout_ms = d->cfg.grace_call_timeout_ms,
	};
	char err[256];

	d->started_us = coord_now_us();
	coord_drop_log_init(&d->drops, COORD_RATELIMIT_INTERVAL_US);
	d->loop = qb_loop_create();
	if (!d->loop) {
		qb_log(LOG_CRIT, "cannot create the event loop");
		return -1;
	}
	coord_timer_init(&d->engine_timer, d->loop, QB_LOOP_MED, on_engine_timer, d);
	if (qb_loop_signal_add(d->loop, QB_LOOP_HIGH, SIGTERM, d, on_signal_stop, NULL) != 0 ||
	    qb_loop_signal_add(d->loop, QB_LOOP_HIGH, SIGINT, d, on_signal_stop, NULL) != 0 ||
	    qb_loop_signal_add(d->loop, QB_LOOP_HIGH, SIGHUP, d, on_signal_reopen, NULL) != 0) {
		qb_log(LOG_CRIT, "cannot handle SIGTERM, SIGINT and SIGHUP in the event loop");
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	d->metrics = coord_metrics_new();
	d->notify = coord_notify_new(d->loop);
	if (!d->metrics || !d->notify) {
		qb_log(LOG_CRIT, "cannot set up the metrics or systemd notification");
		return -1;
	}

	/* The engine needs our node id, which only corosync knows: the group
	 * is created first, and delivers nothing before the loop runs. */
	d->group = coord_group_new(d->loop, d->cfg.group, &group_ops, d);
	if (!d->group) {
		qb_log(LOG_CRIT, "bad group name '%s'", d->cfg.group);
		return -1;
	}
	coord_config_to_engine(&d->cfg, &ec);
	ec.nodeid = coord_group_nodeid(d->group);
	ec.log = coord_log_engine;
	d->engine = coord_engine_new(&ec);
	if (!d->engine) {
		qb_log(LOG_CRIT, "cannot create the barrier engine");
		return -1;
	}
	coord_engine_set_self(d->engine, (uint32_t)getpid());
	d->bus = coord_bus_new(d->loop, d->cfg.dbus_address, d->cfg.grace_call_timeout_ms);
	if (d->bus) {
		d->grace = coord_grace_new(d->loop, d->bus, d->cfg.grace_call_timeout_ms,
					   on_grace_done, d);
		d->detect = coord_detect_new(d->loop, d->bus, &dc, &detect_ops, d);
	}
	d->release = coord_release_new(d->loop, d->cfg.release_command,
				       d->cfg.release_timeout_ms, on_release_done, d);
	/* After the last signal registration: a crash writes the blackbox. */
	if (coord_log_fatal_signals(COORD_BLACKBOX_PATH) < 0)
		qb_log(LOG_WARNING, "no fatal-signal handler: a crash will not write "
		       "the blackbox to %s", COORD_BLACKBOX_PATH);
	env.engine = d->engine;
	d->dispatch = coord_dispatch_new(&env);
	/* Last: it reports quorum at once, and pump() needs everything else. */
	if (d->grace && d->detect && d->release && d->dispatch)
		d->quorum = coord_quorum_new(d->loop, on_quorum, d);
	if (!d->quorum || !d->grace || !d->detect || !d->release || !d->dispatch) {
		qb_log(LOG_CRIT, "out of memory while starting");
		return -1;
	}
	d->control = coord_control_new(d->loop, d->cfg.socket, d->cfg.socket_group,
				       coord_dispatch_control_ops(), d->dispatch,
				       err, sizeof(err));
	if (!d->control) {
		qb_log(LOG_CRIT, "control socket: %s", err);
		return -1;
	}
	if (d->cfg.metrics_listen[0]) {
		d->metrics_http = coord_metrics_http_new(d->loop, d->cfg.metrics_listen,
							 render_metrics, d, err, sizeof(err));
		if (!d->metrics_http) {
			qb_log(LOG_CRIT, "metrics: %s", err);
			return -1;
		}
	}
	notify_state(d);
	qb_log(LOG_NOTICE, "coordd %s started: node %u, incarnation %llu, group %s, "
	       "policy %s, deadline %u ms", COORD_VERSION, ec.nodeid,
	       (unsigned long long)ec.incarnation, d->cfg.group,
	       coord_policy_name(d->cfg.deadline_policy), d->cfg.barrier_deadline_ms);
	return 0;
}

static void coordd_stop(struct coordd *d)
{
	coord_metrics_http_free(d->metrics_http);
	coord_control_free(d->control);
	coord_dispatch_free(d->dispatch);
	coord_release_free(d->release);
	coord_detect_free(d->detect);
	coord_grace_free(d->grace);
	coord_bus_free(d->bus);
	coord_quorum_free(d->quorum);
	coord_group_free(d->group);
	coord_engine_free(d->engine);
	coord_notify_free(d->notify);
	coord_metrics_free(d->metrics);
	if (d->loop)
		qb_loop_destroy(d->loop);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "config", required_argument, NULL, 'c' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "test-config", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = COORD_CONFIG_DEFAULT_PATH, *pidfile = NULL;
	bool foreground = false, explicit_config = false, test_only = false;
	struct coordd d;
	char err[512];
	int c, rc, ready_fd = -1;

	while ((c = getopt_long(argc, argv, "fc:p:thV", opts, NULL)) != -1) {
		switch (c) {
		case 'f': foreground = true; break;
		case 'c': config_path = optarg; explicit_config = true; break;
		case 'p': pidfile = optarg; break;
		case 't': test_only = true; break;
		case 'h': usage(stdout); return EXIT_OK;
		case 'V':
			printf("coordd %s (protocol %d.%d)\n", COORD_VERSION,
			       COORD_PROTO_MAJOR, COORD_PROTO_MINOR);
			return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "coordd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	memset(&d, 0, sizeof(d));
	coord_config_defaults(&d.cfg);
	if (coord_config_load(config_path, explicit_config, &d.cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "coordd: %s\n", err);
		return EXIT_CONFIG;
	}
	if (test_only)
		return test_config(config_path, &d.cfg);
	if (!foreground && (rc = daemonize(&ready_fd)) < 0) {
		fprintf(stderr, "coordd: cannot become a daemon: %s\n", strerror(-rc));
		return EXIT_FAILURE_RUNTIME;
	}
	if (coord_log_init("coordd", d.cfg.log_target, d.cfg.log_level, err, sizeof(err)) < 0) {
		fprintf(stderr, "coordd: %s\n", err);
		return EXIT_CONFIG;
	}
	if (ready_fd >= 0)
		coord_log_stderr_crit(true);
	if (coord_config_warning(&d.cfg, err, sizeof(err)))
		qb_log(LOG_WARNING, "%s", err);
	umask(0077);
	if (pidfile && write_pidfile(pidfile) < 0) {
		qb_log(LOG_CRIT, "cannot write %s: %s", pidfile, strerror(errno));
		coord_log_fini();
		return EXIT_FAILURE_RUNTIME;
	}
	rc = coordd_start(&d) == 0 ? EXIT_OK : EXIT_FAILURE_RUNTIME;
	if (rc == EXIT_OK) {
		daemon_ready(&ready_fd);
		qb_loop_run(d.loop);
	}
	coordd_stop(&d);
	qb_log(LOG_NOTICE, "coordd stopped");
	if (pidfile)
		unlink(pidfile);
	coord_log_fini();
	return rc;
}
