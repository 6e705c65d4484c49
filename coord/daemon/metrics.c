/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Prometheus metrics, kept by the loop and rendered on demand.
 *
 * Names follow Prometheus' conventions: the coord_ prefix, base units
 * (_seconds), _total on counters.  Every labelled series exists from the
 * start at 0, so rate() and increase() see the first event, and an
 * enumeration's every value is a series of its own (1 for the one that
 * holds).  Label values are the names coordctl prints (in-grace,
 * release-failed...), in one style: words joined by hyphens, so
 * coordctl status's counter keys (rejected_sender) read rejected-sender.
 * docs/operations.md lists each metric; tests/test_docs.sh checks that
 * list against a rendering (tests/doc_facts.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coord/ctl.h"
#include "metrics.h"

#ifndef COORD_VERSION
#define COORD_VERSION "unknown"
#endif

/* Seconds; a failover is milliseconds, a deadline or timeout seconds. */
static const double buckets[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
};
#define N_BUCKETS	(sizeof(buckets) / sizeof(buckets[0]))

struct histogram {
	uint64_t le[N_BUCKETS];		/* not cumulative; summed when rendered */
	uint64_t count;
	uint64_t sum_us;
};

/* The final states an event can end in (enum coord_event_state). */
static const uint8_t final_states[] = {
	COORD_EVENT_RELEASED, COORD_EVENT_RELEASE_FAILED, COORD_EVENT_ABANDONED,
	COORD_EVENT_CANCELLED, COORD_EVENT_DONE,
};
#define N_FINAL		(sizeof(final_states) / sizeof(final_states[0]))
/* The results a local grace call can have (COORD_ACK_SELF_DOWN is no call). */
#define N_GRACE_RESULTS	COORD_ACK_NO_BUS

struct coord_metrics {
	/* [local origin?][final state index][confirmed? for released] */
	uint64_t events[2][N_FINAL][2];
	uint64_t handovers[2][N_FINAL][2];	/* the same, for handovers */
	struct histogram barrier;
	struct histogram handover;		/* given by this node */
	struct histogram grace[N_GRACE_RESULTS + 1];	/* index: result */
	struct histogram take_over[N_GRACE_RESULTS + 1];	/* index: result */
	uint64_t last_release_wall_us;		/* 0: none yet */
	uint64_t releases[3];			/* index: release outcome */
	uint64_t release_attempts[2];		/* [failed?] */
};

struct coord_metrics *coord_metrics_new(void)
{
	return calloc(1, sizeof(struct coord_metrics));
}

void coord_metrics_free(struct coord_metrics *m)
{
	free(m);
}

static void observe(struct histogram *h, uint64_t us)
{
	size_t i;

	for (i = 0; i < N_BUCKETS; i++)
		if ((double)us <= buckets[i] * 1e6) {
			h->le[i]++;
			break;
		}
	h->count++;
	h->sum_us += us;
}

void coord_metrics_grace_done(struct coord_metrics *m, uint8_t result, uint32_t latency_us)
{
	if (result >= 1 && result <= N_GRACE_RESULTS)
		observe(&m->grace[result], latency_us);
}

void coord_metrics_take_over_done(struct coord_metrics *m, uint8_t result,
				  uint32_t latency_us)
{
	if (result >= 1 && result <= N_GRACE_RESULTS)
		observe(&m->take_over[result], latency_us);
}

void coord_metrics_release_started(struct coord_metrics *m, const struct coord_event *ev,
				   uint64_t now_us, uint64_t wall_us)
{
	uint64_t from = ev->reported_us ? ev->reported_us : ev->delivered_us;

	if (!ev->local_origin || ev->release_attempts != 1)
		return;
	observe(&m->barrier, now_us > from ? now_us - from : 0);
	m->last_release_wall_us = wall_us;
	if (ev->release_outcome == COORD_RELEASE_CONFIRMED ||
	    ev->release_outcome == COORD_RELEASE_UNCONFIRMED)
		m->releases[ev->release_outcome]++;
}

void coord_metrics_release_done(struct coord_metrics *m, int status)
{
	m->release_attempts[status != 0]++;
}

void coord_metrics_event_ended(struct coord_metrics *m, const struct coord_event *ev)
{
	size_t i;

	uint64_t (*count)[N_FINAL][2] = ev->reason == COORD_DEATH_HANDOVER ?
					 m->handovers : m->events;

	if (ev->reason == COORD_DEATH_HANDOVER && ev->local_origin && ev->reported_us &&
	    ev->ended_us >= ev->reported_us)
		observe(&m->handover, ev->ended_us - ev->reported_us);

	for (i = 0; i < N_FINAL; i++)
		if (final_states[i] == ev->state)
			count[ev->local_origin][i]
			     [ev->release_outcome != COORD_RELEASE_UNCONFIRMED]++;
}

/* ---- rendering ---- */

struct out {
	char *p;
	size_t cap, len;
	bool full;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len) {
		o->full = true;
		return;
	}
	o->len += (size_t)n;
}

static void family(struct out *o, const char *name, const char *type, const char *help)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* 15 significant digits: exact for counts and bytes, no binary noise. */
static void gauge(struct out *o, const char *name, const char *help, double v)
{
	family(o, name, "gauge", help);
	put(o, "%s %.15g\n", name, v);
}

/* labels: "" or `key="value"` without braces. */
static void histogram(struct out *o, const char *name, const char *labels,
		      const struct histogram *h)
{
	const char *sep = *labels ? "," : "";
	uint64_t cum = 0;
	size_t i;

	for (i = 0; i < N_BUCKETS; i++) {
		cum += h->le[i];
		put(o, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, sep, buckets[i],
		    (unsigned long long)cum);
	}
	put(o, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep,
	    (unsigned long long)h->count);
	put(o, "%s_sum%s%s%s %.6f\n", name, *labels ? "{" : "", labels, *labels ? "}" : "",
	    (double)h->sum_us / 1e6);
	put(o, "%s_count%s%s%s %llu\n", name, *labels ? "{" : "", labels,
	    *labels ? "}" : "", (unsigned long long)h->count);
}

/*
 * The gauge's label says why this node is no target; for a target it has
 * said "target" (coordctl's "yes") since the gauge exists, and a scrape
 * is matched on it (docs/operations.md).
 */
const char *coord_metrics_target_reason(uint8_t why)
{
	return why == COORD_TARGET_YES ? "target" : coord_target_why_name(why);
}

static void render_outcomes(struct out *o, const char *name_total,
			    const uint64_t (*count)[N_FINAL][2])
{
	size_t origin, i, confirmed;

	for (origin = 0; origin < 2; origin++)
		for (i = 0; i < N_FINAL; i++)
			for (confirmed = 0; confirmed < 2; confirmed++) {
				const char *name = coord_event_state_name(final_states[i]);

				if (final_states[i] != COORD_EVENT_RELEASED && !confirmed)
					continue;
				put(o, "%s{outcome=\"%s%s\",origin=\"%s\"} %llu\n", name_total,
				    name, final_states[i] == COORD_EVENT_RELEASED && !confirmed ?
				    "-unconfirmed" : "", origin ? "local" : "peer",
				    (unsigned long long)count[origin][i][confirmed]);
			}
}

static void render_events(struct out *o, const struct coord_metrics *m)
{
	family(o, "coord_events_total", "counter",
	       "Death and node-left events that reached a final state on this node, by "
	       "outcome and origin (local: this node reported the death).");
	render_outcomes(o, "coord_events_total", m->events);
	family(o, "coord_handovers_total", "counter",
	       "Handovers (a VIP left a running server) that reached a final state on "
	       "this node, by outcome and origin (local: this node gave the VIPs up; "
	       "released: its server dropped their state).");
	render_outcomes(o, "coord_handovers_total", m->handovers);
}

static void render_barrier(struct out *o, const struct coord_metrics *m)
{
	uint8_t oc;

	family(o, "coord_barrier_duration_seconds", "histogram",
	       "From the local death report (or the delivery of a node-down event) to "
	       "the first release attempt, on the origin.");
	histogram(o, "coord_barrier_duration_seconds", "", &m->barrier);
	family(o, "coord_releases_total", "counter",
	       "Releases this node started as the origin, by outcome (unconfirmed: "
	       "released by policy without every survivor in grace).");
	for (oc = COORD_RELEASE_CONFIRMED; oc <= COORD_RELEASE_UNCONFIRMED; oc++)
		put(o, "coord_releases_total{outcome=\"%s\"} %llu\n",
		    coord_release_outcome_name(oc), (unsigned long long)m->releases[oc]);
	family(o, "coord_release_attempts_total", "counter",
	       "Runs of the release command, by result (failed: non-zero exit, "
	       "killed at the timeout, or not started).");
	put(o, "coord_release_attempts_total{result=\"ok\"} %llu\n",
	    (unsigned long long)m->release_attempts[0]);
	put(o, "coord_release_attempts_total{result=\"failed\"} %llu\n",
	    (unsigned long long)m->release_attempts[1]);
	family(o, "coord_last_release_timestamp_seconds", "gauge", "When this node "
	       "last started a release as the origin (seconds since the epoch); 0: never.");
	put(o, "coord_last_release_timestamp_seconds %.6f\n",
	    (double)m->last_release_wall_us / 1e6);
	family(o, "coord_handover_duration_seconds", "histogram",
	       "Handovers this node gave: from the give-up (the gate's stop) to the "
	       "handover's end (its VIPs' state dropped, or its failure).");
	histogram(o, "coord_handover_duration_seconds", "", &m->handover);
}

/* One histogram per result of a call to the local ganesha. */
static void by_result(struct out *o, const char *name, const struct histogram *h)
{
	char labels[48];
	uint8_t r;

	for (r = 1; r <= N_GRACE_RESULTS; r++) {
		snprintf(labels, sizeof(labels), "result=\"%s\"", coord_ack_result_name(r));
		histogram(o, name, labels, &h[r]);
	}
}

static void render_grace(struct out *o, const struct coord_metrics *m)
{
	family(o, "coord_grace_call_duration_seconds", "histogram",
	       "Latency of this node's grace call to its ganesha over D-Bus, by result.");
	by_result(o, "coord_grace_call_duration_seconds", m->grace);
	family(o, "coord_take_over_duration_seconds", "histogram",
	       "Take-overs (the gate's start): this node's ganesha put in grace with "
	       "every node's records, by result.");
	by_result(o, "coord_take_over_duration_seconds", m->take_over);
}

/*
 * An enumeration is one series per value, from the start: 1 for the value
 * that holds, 0 for the others.  A series whose label changed with the
 * state would vanish and appear (series churn), and a query for one value
 * would find nothing rather than 0.
 */
static void render_target(struct out *o, const struct coord_engine *e)
{
	struct coord_target t;
	uint8_t why;

	coord_engine_target(e, &t);
	family(o, "coord_vip_target", "gauge", "1 for the reason that holds, 0 for the "
	       "others: target when coordd vouches that this node may receive VIPs "
	       "(coordctl up exits 0), else why not.");
	for (why = COORD_TARGET_YES; strcmp(coord_target_why_name(why), "unknown"); why++)
		put(o, "coord_vip_target{reason=\"%s\"} %d\n",
		    coord_metrics_target_reason(why), why == t.why);
}

static void render_local_state(struct out *o, const struct coord_daemon_status *st)
{
	uint8_t s;

	family(o, "coord_local_server_state", "gauge", "1 for the state coordd's "
	       "watch of the local ganesha.nfsd on D-Bus sees (coordctl status), 0 "
	       "for the others.");
	for (s = 0; s < COORD_CTL_LOCAL_STATE_COUNT; s++)
		put(o, "coord_local_server_state{state=\"%s\"} %d\n",
		    coord_ctl_local_state_name(s), s == st->local_state);
}

static size_t count_events(const struct coord_engine *e, uint8_t state)
{
	size_t i, n = 0;

	for (i = 0; i < coord_engine_event_count(e); i++)
		n += coord_engine_event(e, i)->state == state;
	return n;
}

static size_t count_incompatible(const struct coord_engine *e)
{
	size_t i, n = 0;

	for (i = 0; i < coord_engine_member_count(e); i++)
		n += coord_engine_member(e, i)->incompatible;
	return n;
}

static void render_state(struct out *o, const struct coord_engine *e,
			 const struct coord_daemon_status *st)
{
	size_t pending = coord_engine_pending_count(e);

	gauge(o, "coord_members", "coordd processes in the CPG group, this one included.",
	      (double)coord_engine_member_count(e));
	gauge(o, "coord_quorate", "1 when this node is in the quorate partition.",
	      coord_engine_quorate(e));
	gauge(o, "coord_joined", "1 when this coordd has joined the CPG group.",
	      coord_engine_joined(e));
	gauge(o, "coord_events_pending", "Recorded events that have not ended.",
	      (double)pending);
	gauge(o, "coord_events_held", "Events past their deadline that policy hold "
	      "keeps from release until every survivor answers or an operator acts.",
	      (double)count_events(e, COORD_EVENT_HELD));
	gauge(o, "coord_members_incompatible", "Members that speak another major "
	      "version of the CPG protocol (settled at once, unconfirmed, in every "
	      "barrier).", (double)count_incompatible(e));
	render_target(o, e);
	family(o, "coord_connected", "gauge",
	       "1 when coordd is connected to the named service.");
	put(o, "coord_connected{service=\"cpg\"} %d\n", st->cpg_connected);
	put(o, "coord_connected{service=\"quorum\"} %d\n", st->quorum_connected);
	put(o, "coord_connected{service=\"dbus\"} %d\n", st->bus_connected);
	/* The engine's own word, as its target and HELLO say it: not its
	 * member record's copy, which waits for a delivery (and is absent
	 * outside the group). */
	gauge(o, "coord_local_server_up", "0 from this node's death report until it "
	      "reports its server up again.", coord_engine_server_up(e));
	render_local_state(o, st);
	family(o, "coord_local_server_hung_total", "counter", "Times coordd's watch "
	       "saw the local ganesha.nfsd turn hung (no heartbeat).");
	put(o, "coord_local_server_hung_total %u\n", st->local_hung);
	if (st->heartbeat_age_us) {
		gauge(o, "coord_heartbeat_age_seconds", "Seconds since the local "
		      "ganesha.nfsd's last heartbeat signal.",
		      (double)st->heartbeat_age_us / 1e6);
	}
	family(o, "coord_cpg_sends_total", "counter", "CPG multicasts by result: "
	       "sent, retried after CS_ERR_TRY_AGAIN, or dropped (logged).");
	put(o, "coord_cpg_sends_total{result=\"sent\"} %llu\n",
	    (unsigned long long)st->cpg_sent);
	put(o, "coord_cpg_sends_total{result=\"try-again\"} %llu\n",
	    (unsigned long long)st->cpg_try_again);
	put(o, "coord_cpg_sends_total{result=\"failed\"} %llu\n",
	    (unsigned long long)st->cpg_send_failed);
	gauge(o, "coord_cpg_send_queue", "CPG multicasts queued, waiting for "
	      "corosync's flow control.", st->cpg_queued);
	family(o, "coord_cpg_connects_total", "counter", "Connections made to "
	       "corosync's CPG service (the first, then each reconnect).");
	put(o, "coord_cpg_connects_total %llu\n", (unsigned long long)st->cpg_connects);
	gauge(o, "coord_uptime_seconds", "Seconds since coordd started.",
	      (double)st->uptime_us / 1e6);
}

/*
 * coordctl status's counter keys (rejected_sender) as a label value in
 * the one style of every other (rejected-sender, like in-grace).
 */
static const char *hyphenated(const char *key, char *buf, size_t cap)
{
	size_t i;

	for (i = 0; key[i] && i + 1 < cap; i++)
		buf[i] = key[i] == '_' ? '-' : key[i];
	buf[i] = '\0';
	return buf;
}

static void render_refusals(struct out *o, const struct coord_engine *e,
			    const struct coord_daemon_status *st)
{
	/* enum coord_refusal: counter 0 counts every delivery, the others
	 * one refusal each, named as coordctl status names them. */
	const uint64_t *c = coord_engine_counters(e)->count;
	char name[64];
	unsigned int i;

	family(o, "coord_messages_delivered_total", "counter",
	       "CPG messages delivered to the barrier engine, accepted or refused.");
	put(o, "coord_messages_delivered_total %llu\n",
	    (unsigned long long)c[COORD_ACCEPTED]);
	family(o, "coord_messages_refused_total", "counter",
	       "CPG messages the barrier engine refused, by reason (coordctl status "
	       "shows the same counters).");
	for (i = COORD_ACCEPTED + 1; i < COORD_REFUSAL_COUNT; i++)
		put(o, "coord_messages_refused_total{reason=\"%s\"} %llu\n",
		    hyphenated(coord_refusal_name(i), name, sizeof(name)),
		    (unsigned long long)c[i]);
	family(o, "coord_messages_undecodable_total", "counter",
	       "CPG messages that did not decode, by error.");
	for (i = 1; i < COORD_CODEC_ERROR_COUNT; i++)
		put(o, "coord_messages_undecodable_total{error=\"%s\"} %llu\n",
		    hyphenated(coord_ctl_wire_counter_name(i), name, sizeof(name)),
		    (unsigned long long)st->wire_errors[i]);
}

/* The names and meanings every Prometheus client library gives them. */
static void render_process(struct out *o, const struct coord_process *p)
{
	if (!p->known)
		return;
	family(o, "process_start_time_seconds", "gauge",
	       "Start time of the process since unix epoch in seconds.");
	put(o, "process_start_time_seconds %.2f\n", p->start_time_s);
	family(o, "process_cpu_seconds_total", "counter",
	       "Total user and system CPU time spent in seconds.");
	put(o, "process_cpu_seconds_total %.2f\n", p->cpu_s);
	gauge(o, "process_resident_memory_bytes", "Resident memory size in bytes.",
	      (double)p->resident_bytes);
	gauge(o, "process_virtual_memory_bytes", "Virtual memory size in bytes.",
	      (double)p->virtual_bytes);
	gauge(o, "process_open_fds", "Number of open file descriptors.",
	      (double)p->open_fds);
	gauge(o, "process_max_fds", "Maximum number of open file descriptors.",
	      (double)p->max_fds);
}

int coord_metrics_render(const struct coord_metrics *m, const struct coord_engine *e,
			 const struct coord_daemon_status *st, char *buf, size_t cap)
{
	struct out o = { .p = buf, .cap = cap };

	if (!cap)
		return -ENOSPC;
	buf[0] = '\0';
	family(&o, "coord_build_info", "gauge",
	       "Always 1; the labels say which coordd and which protocols.");
	put(&o, "coord_build_info{version=\"%s\",protocol=\"%d.%d\",control=\"%d.%d\"} 1\n",
	    COORD_VERSION, COORD_PROTO_MAJOR, COORD_PROTO_MINOR,
	    COORD_CTL_MAJOR, COORD_CTL_MINOR);
	family(&o, "coord_config_info", "gauge", "Always 1; the labels say what coordd "
	       "does at a barrier's deadline (policy) and after how long.");
	put(&o, "coord_config_info{policy=\"%s\",deadline_seconds=\"%g\"} 1\n",
	    coord_policy_name(st->policy), (double)st->deadline_ms / 1e3);
	render_process(&o, &st->process);
	render_state(&o, e, st);
	render_events(&o, m);
	render_barrier(&o, m);
	render_grace(&o, m);
	render_refusals(&o, e, st);
	return o.full ? -ENOSPC : (int)o.len;
}
