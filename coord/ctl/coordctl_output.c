/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordctl's printers: aligned human tables, or one JSON document whose
 * field names docs/control.md lists.  Records arrive as a stream; an
 * EVENT is held until its SURVIVORs have arrived, then printed whole.
 * Every string that came from coordd is escaped before it is printed.
 */
#include <ifaddrs.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "clock.h"
#include "coordctl.h"

#define MAX_HELD_SURVIVORS	256

struct ctl_output {
	FILE *f;
	uint16_t command;
	bool json;
	bool members_open, events_open;	/* JSON arrays, or human headers */
	size_t n_members, n_events;
	bool held;			/* an EVENT waiting for its survivors */
	bool any_event;
	struct coord_ctl_event ev;
	/* The wall clock when the exchange began and when ev came: coordd
	 * computed ev's age between the two (see wall_at). */
	int64_t opened_wall_us, ev_wall_us;
	size_t n_sv, sv_dropped;
	struct coord_ctl_survivor sv[MAX_HELD_SURVIVORS];
};

/* ---- escaping ---- */

void ctl_put_safe(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", f);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
}

/* Length of the valid UTF-8 sequence at p, or 0 when it is not one. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n, i;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates and beyond U+10FFFF are not UTF-8. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

void ctl_put_json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	fputc('"', f);
	while (*p) {
		switch (*p) {
		case '"': fputs("\\\"", f); p++; continue;
		case '\\': fputs("\\\\", f); p++; continue;
		case '\n': fputs("\\n", f); p++; continue;
		case '\r': fputs("\\r", f); p++; continue;
		case '\t': fputs("\\t", f); p++; continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p);
			p++;
			continue;
		}
		n = utf8_len(p);
		if (!n) {
			fputs("\\ufffd", f);
			p++;
			continue;
		}
		fwrite(p, 1, n, f);
		p += n;
	}
	fputc('"', f);
}

static double ms(uint64_t us)
{
	return (double)us / 1000.0;
}

/* "12.3 ms", or "-" for a moment that has not come. */
static const char *fmt_ms(char *buf, size_t len, uint64_t us)
{
	if (us == COORD_CTL_NEVER)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f ms", ms(us));
	return buf;
}

static void vip_list(char *buf, size_t len, const struct coord_vip *vips, uint16_t n)
{
	size_t off = 0;
	char one[64];
	uint16_t i;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? "," : "",
					coord_vip_format(&vips[i], one, sizeof(one)));
	if (!n)
		snprintf(buf, len, "-");
}

/*
 * Is the VIP on one of this node's interfaces now?  Which VIPs a node holds
 * is the system's answer (after a failover a node holds others' VIPs), not
 * a record of coordd's.  Read once per run.
 */
static bool vip_here(const struct coord_vip *v)
{
	static struct ifaddrs *ifs;
	static bool read_once;
	const struct ifaddrs *p;

	if (!read_once) {
		read_once = true;
		if (getifaddrs(&ifs) != 0)
			ifs = NULL;
	}
	for (p = ifs; p; p = p->ifa_next) {
		const struct sockaddr *sa = p->ifa_addr;

		if (!sa)
			continue;
		if (sa->sa_family == AF_INET && v->family == 4 &&
		    !memcmp(&((const struct sockaddr_in *)(const void *)sa)->sin_addr,
			    v->addr, 4))
			return true;
		if (sa->sa_family == AF_INET6 && v->family == 6 &&
		    !memcmp(&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			    v->addr, 16))
			return true;
	}
	return false;
}

/* A member's VIPs, those on this node's interfaces marked "(here)". */
static void member_vip_list(char *buf, size_t len, const struct coord_vip *vips, uint16_t n)
{
	size_t off = 0;
	char one[64];
	uint16_t i;

	vip_list(buf, len, vips, n);
	if (!n)
		return;
	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s%s", i ? "," : "",
					coord_vip_format(&vips[i], one, sizeof(one)),
					vip_here(&vips[i]) ? " (here)" : "");
}

/* ---- JSON pieces ---- */

static void j_ms(FILE *f, const char *key, uint64_t us)
{
	if (us == COORD_CTL_NEVER)
		fprintf(f, ",\"%s\":null", key);
	else
		fprintf(f, ",\"%s\":%.3f", key, ms(us));
}

/*
 * The wall-clock time of a moment `off_us` after the event's delivery
 * (NEVER: none), as ISO 8601 UTC with milliseconds, into buf; NULL when
 * there is none.  coordd keeps monotonic times only and sends each event's
 * age (now - delivery); the delivery is then the wall clock when the
 * record came minus that age.  coordd took "now" after the request was
 * sent and before the record came, so the time printed is late by at most
 * the time between the two (wall_error_us), plus any step of the wall
 * clock since the event (a step moves it; slewing moves both clocks).
 */
static const char *wall_at(const struct ctl_output *o, uint64_t off_us, char *buf,
			   size_t len)
{
	const struct coord_ctl_event *e = &o->ev;
	int64_t us;
	time_t sec;
	struct tm tm;

	if (off_us == COORD_CTL_NEVER || e->age_us == COORD_CTL_NEVER ||
	    e->state == COORD_EVENT_SENT || e->age_us > (uint64_t)INT64_MAX / 2 ||
	    off_us > (uint64_t)INT64_MAX / 2)
		return NULL;
	us = o->ev_wall_us - (int64_t)e->age_us + (int64_t)off_us;
	sec = (time_t)(us / 1000000);
	if (us < 0 || !gmtime_r(&sec, &tm))
		return NULL;
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(us % 1000000 / 1000));
	return buf;
}

/* How late wall_at's times may be: the exchange's time so far. */
static uint64_t wall_error_us(const struct ctl_output *o)
{
	return o->ev_wall_us > o->opened_wall_us ?
	       (uint64_t)(o->ev_wall_us - o->opened_wall_us) : 0;
}

static void j_at(FILE *f, const struct ctl_output *o, const char *key, uint64_t off_us)
{
	char buf[64];
	const char *at = wall_at(o, off_us, buf, sizeof(buf));

	if (at)
		fprintf(f, ",\"%s\":\"%s\"", key, at);
	else
		fprintf(f, ",\"%s\":null", key);
}

static void j_str(FILE *f, const char *key, const char *value)
{
	fprintf(f, ",\"%s\":", key);
	ctl_put_json_string(f, value);
}

static void j_bool(FILE *f, const char *key, bool value)
{
	fprintf(f, ",\"%s\":%s", key, value ? "true" : "false");
}

static void j_vips(FILE *f, const struct coord_vip *vips, uint16_t n)
{
	char one[64];
	uint16_t i;

	fputs(",\"vips\":[", f);
	for (i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		ctl_put_json_string(f, coord_vip_format(&vips[i], one, sizeof(one)));
	}
	fputc(']', f);
}

static void j_counters(FILE *f, bool first, const char *key, const uint64_t *v,
		       uint16_t n, const char *(*name)(unsigned int))
{
	uint16_t i;

	fprintf(f, "%s\"%s\":{", first ? "" : ",", key);
	for (i = 0; i < n; i++) {
		const char *k = name(i);

		if (i)
			fputc(',', f);
		if (k)
			fprintf(f, "\"%s\":%" PRIu64, k, v[i]);
		else
			fprintf(f, "\"counter_%u\":%" PRIu64, i, v[i]);
	}
	fputc('}', f);
}

static void json_status(FILE *f, const struct coord_ctl_status_rec *s)
{
	fprintf(f, ",\"daemon\":{\"node_id\":%" PRIu32 ",\"pid\":%" PRIu32
		",\"incarnation\":%" PRIu64 ",\"protocol_version\":\"%u.%u\"",
		s->nodeid, s->pid, s->incarnation, s->proto_version >> 8,
		s->proto_version & 0xff);
	j_str(f, "group", s->group);
	j_str(f, "version", s->version);
	j_bool(f, "joined", s->flags & COORD_CTL_ST_JOINED);
	j_bool(f, "cpg_connected", s->flags & COORD_CTL_ST_CPG_CONNECTED);
	j_bool(f, "quorate", s->flags & COORD_CTL_ST_QUORATE);
	j_bool(f, "quorum_connected", s->flags & COORD_CTL_ST_QUORUM_CONNECTED);
	j_bool(f, "bus_connected", s->flags & COORD_CTL_ST_BUS_CONNECTED);
	j_str(f, "policy", coord_policy_name(s->policy));
	j_str(f, "vip_target", coord_target_why_name(s->target));
	fprintf(f, ",\"deadline_ms\":%" PRIu32, s->deadline_ms);
	j_ms(f, "uptime_ms", s->uptime_us);
	fprintf(f, ",\"members\":%u,\"pending_events\":%u,\"recorded_events\":%u"
		",\"control_clients\":%u", s->n_members, s->n_pending, s->n_events,
		s->n_clients);
	fputs(",\"counters\":{", f);
	j_counters(f, true, "engine", s->engine, s->n_engine, coord_refusal_name);
	j_counters(f, false, "wire_errors", s->wire, s->n_wire, coord_ctl_wire_counter_name);
	j_counters(f, false, "control", s->control, s->n_control,
		   coord_ctl_control_counter_name);
	fputc('}', f);
	fputs(",\"local_server\":{", f);
	fprintf(f, "\"state\":\"%s\"", coord_ctl_local_state_name(s->local_state));
	j_str(f, "detected_by", coord_ctl_local_how_name(s->local_how));
	j_ms(f, "state_age_ms", s->local_age_us);
	fprintf(f, ",\"pid\":%" PRIu32, s->local_pid);
	j_bool(f, "watching", s->local_flags & COORD_CTL_LOCAL_WATCHING);
	j_bool(f, "kill_hung", s->local_flags & COORD_CTL_LOCAL_KILL_HUNG);
	j_bool(f, "death_waits_for_restart", s->local_flags & COORD_CTL_LOCAL_REPORT_WAIT);
	j_ms(f, "heartbeat_age_ms", s->heartbeat_age_us);
	fprintf(f, ",\"heartbeat_timeout_ms\":%" PRIu32 ",\"heartbeats\":%" PRIu32 "}}",
		s->heartbeat_timeout_ms, s->heartbeats);
}

static void json_member(FILE *f, const struct coord_ctl_member *m)
{
	fprintf(f, "{\"node_id\":%" PRIu32 ",\"pid\":%" PRIu32 ",\"incarnation\":%" PRIu64,
		m->nodeid, m->pid, m->incarnation);
	j_bool(f, "self", m->flags & COORD_CTL_MEMBER_SELF);
	j_bool(f, "hello_seen", m->flags & COORD_CTL_MEMBER_HELLO_SEEN);
	j_str(f, "server", m->flags & COORD_CTL_MEMBER_SERVER_DOWN ? "down" : "up");
	j_bool(f, "incompatible", m->flags & COORD_CTL_MEMBER_INCOMPATIBLE);
	j_ms(f, "member_for_ms", m->member_for_us);
	j_vips(f, m->vips, m->n_vips);
	fputs(",\"vips_here\":[", f);
	for (uint16_t i = 0, k = 0; i < m->n_vips; i++) {
		char one[64];
		if (!vip_here(&m->vips[i]))
			continue;
		if (k++)
			fputc(',', f);
		ctl_put_json_string(f, coord_vip_format(&m->vips[i], one, sizeof(one)));
	}
	fputs("]}", f);
}

static void json_survivor(FILE *f, const struct ctl_output *o,
			  const struct coord_ctl_survivor *s)
{
	fprintf(f, "{\"node_id\":%" PRIu32 ",\"pid\":%" PRIu32 ",\"incarnation\":%" PRIu64,
		s->nodeid, s->pid, s->incarnation);
	j_str(f, "state", coord_survivor_state_name(s->state));
	if (s->state == COORD_SURVIVOR_ANSWERED)
		j_str(f, "result", coord_ack_result_name(s->result));
	else
		fputs(",\"result\":null", f);
	j_bool(f, "late", s->flags & COORD_CTL_SURVIVOR_LATE);
	if (s->state == COORD_SURVIVOR_LEFT)
		j_str(f, "leave_reason", coord_leave_reason_name(s->leave_reason));
	else
		fputs(",\"leave_reason\":null", f);
	j_ms(f, "grace_latency_ms", s->state == COORD_SURVIVOR_ANSWERED ?
	     s->grace_latency_us : COORD_CTL_NEVER);
	j_ms(f, "at_ms", s->at_us);
	j_at(f, o, "at", s->at_us);
	j_str(f, "detail", s->detail);
	fputc('}', f);
}

static void json_event(struct ctl_output *o)
{
	const struct coord_ctl_event *e = &o->ev;
	FILE *f = o->f;
	char id[64];
	size_t i;
	bool first = true;

	coord_event_id_format(&e->id, id, sizeof(id));
	fputs("{\"id\":", f);
	ctl_put_json_string(f, id);
	fprintf(f, ",\"origin\":%" PRIu32 ",\"incarnation\":%" PRIu64 ",\"seq\":%" PRIu32,
		e->id.origin, e->id.incarnation, e->id.seq);
	j_str(f, "reason", coord_death_reason_name(e->reason));
	j_str(f, "state", coord_event_state_name(e->state));
	j_bool(f, "final", coord_event_state_final(e->state));
	j_bool(f, "local_origin", e->flags & COORD_CTL_EVENT_LOCAL_ORIGIN);
	j_bool(f, "overdue", e->flags & COORD_CTL_EVENT_OVERDUE);
	if (e->release_outcome)
		j_str(f, "release_outcome", coord_release_outcome_name(e->release_outcome));
	else
		fputs(",\"release_outcome\":null", f);
	fprintf(f, ",\"release_attempts\":%" PRIu32 ",\"release_status\":%" PRId32
		",\"survivors_total\":%u,\"survivors_waiting\":%u",
		e->release_attempts, e->release_status, e->n_survivors, e->n_waiting);
	/* The first DEATH record comes without its survivors: unknown, not none. */
	if (e->n_waiting && !o->n_sv) {
		fputs(",\"waiting_for\":null", f);
	} else {
		fputs(",\"waiting_for\":[", f);
		for (i = 0; i < o->n_sv; i++) {
			if (o->sv[i].state != COORD_SURVIVOR_WAITING)
				continue;
			fprintf(f, "%s%" PRIu32, first ? "" : ",", o->sv[i].nodeid);
			first = false;
		}
		fputc(']', f);
	}
	j_ms(f, "age_ms", e->age_us);
	j_ms(f, "report_to_delivery_ms", e->report_us);
	j_ms(f, "complete_ms", e->complete_us);
	j_ms(f, "release_ms", e->release_us);
	j_ms(f, "ended_ms", e->ended_us);
	j_ms(f, "deadline_ms", e->deadline_us);
	j_ms(f, "retry_ms", e->retry_us);
	j_at(f, o, "delivered_at", 0);
	j_at(f, o, "complete_at", e->complete_us);
	j_at(f, o, "release_at", e->release_us);
	j_at(f, o, "ended_at", e->ended_us);
	j_at(f, o, "deadline_at", e->deadline_us);
	j_ms(f, "wall_clock_error_ms", e->state == COORD_EVENT_SENT ? COORD_CTL_NEVER :
	     wall_error_us(o));
	j_vips(f, e->vips, e->n_vips);
	fputs(",\"survivors\":[", f);
	for (i = 0; i < o->n_sv; i++) {
		if (i)
			fputc(',', f);
		json_survivor(f, o, &o->sv[i]);
	}
	fputs("]}", f);
}

/* ---- human pieces ---- */

static void human_status(FILE *f, const struct coord_ctl_status_rec *s)
{
	const char *sep = "";
	uint16_t i;

	fprintf(f, "node %" PRIu32 " (coordd pid %" PRIu32 "), incarnation %" PRIu64
		", group ", s->nodeid, s->pid, s->incarnation);
	ctl_put_safe(f, s->group);
	fputs(", coordd ", f);
	ctl_put_safe(f, s->version);
	fprintf(f, ", protocol %u.%u\n", s->proto_version >> 8, s->proto_version & 0xff);
	fprintf(f, "joined: %s   corosync: %s   quorum: %s   d-bus: %s\n",
		s->flags & COORD_CTL_ST_JOINED ? "yes" : "no",
		s->flags & COORD_CTL_ST_CPG_CONNECTED ? "connected" : "disconnected",
		!(s->flags & COORD_CTL_ST_QUORUM_CONNECTED) ? "unknown" :
		s->flags & COORD_CTL_ST_QUORATE ? "quorate" : "inquorate",
		s->flags & COORD_CTL_ST_BUS_CONNECTED ? "connected" : "disconnected");
	fprintf(f, "policy %s, deadline %" PRIu32 " ms, up %.1f ms\n",
		coord_policy_name(s->policy), s->deadline_ms, ms(s->uptime_us));
	if (s->target == COORD_TARGET_YES)
		fputs("VIP target: yes\n", f);
	else
		fprintf(f, "VIP target: no (%s): the agent sets no ganesha-active "
			"here\n", coord_target_why_name(s->target));
	fprintf(f, "events: %u recorded, %u pending; members: %u; control clients: %u\n",
		s->n_events, s->n_pending, s->n_members, s->n_clients);
	fprintf(f, "local server: %s", coord_ctl_local_state_name(s->local_state));
	if (s->local_pid)
		fprintf(f, " (pid %" PRIu32 ")", s->local_pid);
	if (s->local_age_us != COORD_CTL_NEVER)
		fprintf(f, " for %.1f ms, by %s", ms(s->local_age_us),
			coord_ctl_local_how_name(s->local_how));
	if (s->local_flags & COORD_CTL_LOCAL_REPORT_WAIT)
		fputs(", death waiting for a restart", f);
	if (!s->heartbeat_timeout_ms)
		fputs("; heartbeat not watched", f);
	else if (s->heartbeat_age_us == COORD_CTL_NEVER)
		fprintf(f, "; no heartbeat seen (timeout %" PRIu32 " ms)", s->heartbeat_timeout_ms);
	else
		fprintf(f, "; last heartbeat %.1f ms ago (timeout %" PRIu32 " ms)",
			ms(s->heartbeat_age_us), s->heartbeat_timeout_ms);
	if (s->local_flags & COORD_CTL_LOCAL_KILL_HUNG)
		fputs(", kill when hung", f);
	fputc('\n', f);
	fputs("counters (non-zero):", f);
	for (i = 0; i < s->n_engine; i++) {
		if (!s->engine[i])
			continue;
		fprintf(f, "%s %s %" PRIu64, sep, coord_refusal_name(i) ?
			coord_refusal_name(i) : "engine-?", s->engine[i]);
		sep = ",";
	}
	for (i = 0; i < s->n_wire; i++) {
		if (!s->wire[i])
			continue;
		fprintf(f, "%s wire %s %" PRIu64, sep, coord_ctl_wire_counter_name(i) ?
			coord_ctl_wire_counter_name(i) : "?", s->wire[i]);
		sep = ",";
	}
	for (i = 0; i < s->n_control; i++) {
		if (!s->control[i])
			continue;
		fprintf(f, "%s control %s %" PRIu64, sep, coord_ctl_control_counter_name(i) ?
			coord_ctl_control_counter_name(i) : "?", s->control[i]);
		sep = ",";
	}
	fprintf(f, "%s\n", *sep ? "" : " none");
}

static void human_member(struct ctl_output *o, const struct coord_ctl_member *m)
{
	char node[16], vips[COORD_MAX_VIPS * 56], since[32];

	if (!o->members_open) {
		fprintf(o->f, "\n%-6s %-8s %-18s %-6s %-14s %s\n", "NODE", "PID",
			"INCARNATION", "SERVER", "MEMBER FOR", "VIPS");
		o->members_open = true;
	}
	snprintf(node, sizeof(node), "%" PRIu32 "%s", m->nodeid,
		 m->flags & COORD_CTL_MEMBER_SELF ? "*" : "");
	member_vip_list(vips, sizeof(vips), m->vips, m->n_vips);
	fprintf(o->f, "%-6s %-8" PRIu32 " %-18" PRIu64 " %-6s %-14s %s\n", node, m->pid,
		m->incarnation, m->flags & COORD_CTL_MEMBER_INCOMPATIBLE ? "?" :
		m->flags & COORD_CTL_MEMBER_SERVER_DOWN ? "down" : "up",
		fmt_ms(since, sizeof(since), m->member_for_us), vips);
	if (m->flags & COORD_CTL_MEMBER_INCOMPATIBLE)
		fputs("       (speaks another major protocol version: never counted "
		      "as in grace)\n", o->f);
}


/* The RESULT column: the answer, why it left, or "-". */
static const char *survivor_result(const struct coord_ctl_survivor *s, char *buf, size_t len)
{
	switch ((enum coord_survivor_state)s->state) {
	case COORD_SURVIVOR_ANSWERED:
		snprintf(buf, len, "%s%s", coord_ack_result_name(s->result),
			 s->flags & COORD_CTL_SURVIVOR_LATE ? " (late)" : "");
		return buf;
	case COORD_SURVIVOR_LEFT:
		return coord_leave_reason_name(s->leave_reason);
	case COORD_SURVIVOR_WAITING:
	case COORD_SURVIVOR_DOWN:
	case COORD_SURVIVOR_INCOMPATIBLE:
		break;
	}
	return "-";
}
/* The event's moments as times of day (UTC), the offsets above kept. */
static void human_wall(const struct ctl_output *o)
{
	char a[64], b[64];
	const char *ended = wall_at(o, o->ev.ended_us, b, sizeof(b));

	if (!wall_at(o, 0, a, sizeof(a)))
		return;
	fprintf(o->f, "  delivered %s%s%s (UTC, late by at most %.1f ms)\n", a,
		ended ? ", ended " : "", ended ? ended : "", ms(wall_error_us(o)));
}

static void human_event(struct ctl_output *o)
{
	const struct coord_ctl_event *e = &o->ev;
	FILE *f = o->f;
	char id[64], vips[COORD_MAX_VIPS * 48], a[32], b[32], c[32], d[32], g[32];
	size_t i, listed = 0;

	if (o->n_events++)
		fputc('\n', f);
	coord_event_id_format(&e->id, id, sizeof(id));
	fprintf(f, "event %s: %s (%s%s%s)\n", id, coord_event_state_name(e->state),
		coord_death_reason_name(e->reason),
		e->flags & COORD_CTL_EVENT_LOCAL_ORIGIN ? ", local origin" : "",
		e->flags & COORD_CTL_EVENT_OVERDUE ? ", OVERDUE" : "");
	vip_list(vips, sizeof(vips), e->vips, e->n_vips);
	fprintf(f, "  VIPs: %s\n", vips);
	if (e->state == COORD_EVENT_SENT) {
		fprintf(f, "  broadcast %.1f ms ago, not delivered back yet\n", ms(e->age_us));
		return;
	}
	fprintf(f, "  after delivery: complete %s, release %s, ended %s; deadline %s; "
		"age %s\n", fmt_ms(a, sizeof(a), e->complete_us),
		fmt_ms(b, sizeof(b), e->release_us), fmt_ms(c, sizeof(c), e->ended_us),
		fmt_ms(d, sizeof(d), e->deadline_us), fmt_ms(g, sizeof(g), e->age_us));
	human_wall(o);
	if (e->report_us != COORD_CTL_NEVER)
		fprintf(f, "  reported %.1f ms before its delivery\n", ms(e->report_us));
	if (e->release_outcome || e->release_attempts)
		fprintf(f, "  release: %s, %" PRIu32 " attempt(s), last status %" PRId32 "%s%s\n",
			e->release_outcome ? coord_release_outcome_name(e->release_outcome) :
			"pending", e->release_attempts, e->release_status,
			e->retry_us != COORD_CTL_NEVER ? ", next attempt at " : "",
			e->retry_us != COORD_CTL_NEVER ? fmt_ms(a, sizeof(a), e->retry_us) : "");
	if (o->n_sv)
		fprintf(f, "  %-6s %-8s %-9s %-13s %-11s %-11s %s\n", "NODE", "PID",
			"STATE", "RESULT", "LATENCY", "AT", "DETAIL");
	for (i = 0; i < o->n_sv; i++) {
		const struct coord_ctl_survivor *s = &o->sv[i];
		char result[40];

		fprintf(f, "  %-6" PRIu32 " %-8" PRIu32 " %-9s %-13s %-11s %-11s ",
			s->nodeid, s->pid, coord_survivor_state_name(s->state),
			survivor_result(s, result, sizeof(result)),
			fmt_ms(a, sizeof(a), s->state == COORD_SURVIVOR_ANSWERED ?
			       s->grace_latency_us : COORD_CTL_NEVER),
			fmt_ms(b, sizeof(b), s->at_us));
		ctl_put_safe(f, s->detail);
		fputc('\n', f);
	}
	if (o->sv_dropped)
		fprintf(f, "  (%zu more survivors not shown)\n", o->sv_dropped);
	if (!e->n_waiting)
		return;
	fprintf(f, "  waiting for %u of %u", e->n_waiting, e->n_survivors);
	for (i = 0; i < o->n_sv; i++) {
		if (o->sv[i].state != COORD_SURVIVOR_WAITING)
			continue;
		fprintf(f, "%s%" PRIu32, listed++ ? ", " : ": nodes ", o->sv[i].nodeid);
	}
	fputc('\n', f);
}

/* ---- the stream ---- */

static void flush_event(struct ctl_output *o)
{
	if (!o->held)
		return;
	if (!o->json) {
		human_event(o);
	} else if (o->command == COORD_CTL_DEATH || o->command == COORD_CTL_GIVE_UP) {
		fputs(",\"event\":", o->f);
		json_event(o);
	} else {
		fputs(o->events_open ? "," : ",\"events\":[", o->f);
		o->events_open = true;
		json_event(o);
	}
	o->held = false;
}

struct ctl_output *ctl_output_new(FILE *f, uint16_t command, bool json)
{
	struct ctl_output *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->f = f;
	o->command = command;
	o->json = json;
	o->opened_wall_us = ctl_wall_us();
	if (json)
		fprintf(f, "{\"command\":\"%s\"", coord_ctl_type_name(command));
	return o;
}

void ctl_output_record(struct ctl_output *o, const struct coord_ctl_record *rec)
{
	switch (rec->type) {
	case COORD_CTL_REC_STATUS:
		if (o->json)
			json_status(o->f, &rec->u.status);
		else
			human_status(o->f, &rec->u.status);
		break;
	case COORD_CTL_REC_MEMBER:
		if (!o->json) {
			human_member(o, &rec->u.member);
			break;
		}
		fputs(o->members_open ? "," : ",\"members\":[", o->f);
		o->members_open = true;
		json_member(o->f, &rec->u.member);
		break;
	case COORD_CTL_REC_EVENT:
		/* death: the first EVENT is superseded by a final one (--wait).
		 * A human sees the first at once, the JSON only the last. */
		if (o->json && (o->command == COORD_CTL_DEATH || o->command == COORD_CTL_GIVE_UP))
			o->held = false;
		flush_event(o);
		o->ev = rec->u.event;
		o->ev_wall_us = ctl_wall_us();
		o->n_sv = o->sv_dropped = 0;
		o->held = true;
		if (!o->json && (o->command == COORD_CTL_DEATH || o->command == COORD_CTL_GIVE_UP) && !o->any_event) {
			flush_event(o);
			fflush(o->f);
		}
		o->any_event = true;
		break;
	case COORD_CTL_REC_TEXT:
		/* Printable ASCII, tab and newline only: the decoder checked. */
		if (!o->json)
			fwrite(rec->u.text.text, 1, rec->u.text.len, o->f);
		break;
	case COORD_CTL_REC_SURVIVOR:
		if (!o->held)
			break;		/* no EVENT to attach it to */
		if (o->n_sv == MAX_HELD_SURVIVORS) {
			o->sv_dropped++;
			break;
		}
		o->sv[o->n_sv++] = rec->u.survivor;
		break;
	}
}

/*
 * Prints what is held and closes what is open.  complete: the END came,
 * so absent sections are empty rather than unknown.
 */
static void finish(struct ctl_output *o, bool complete)
{
	flush_event(o);
	if (!o->json)
		return;
	if (o->members_open)
		fputc(']', o->f);
	else if (complete && o->command == COORD_CTL_STATUS)
		fputs(",\"members\":[]", o->f);
	if (o->events_open)
		fputc(']', o->f);
	else if (complete && o->command == COORD_CTL_EVENTS)
		fputs(",\"events\":[]", o->f);
	if (complete && (o->command == COORD_CTL_DEATH || o->command == COORD_CTL_GIVE_UP) && !o->any_event)
		fputs(",\"event\":null", o->f);
	o->members_open = o->events_open = false;
}

int ctl_exit_code(uint16_t status)
{
	switch (status) {
	case COORD_CTL_OK:
		return CTL_EXIT_OK;
	case COORD_CTL_NOT_PERMITTED:
	case COORD_CTL_BUSY:
	case COORD_CTL_TIMED_OUT:
		return CTL_EXIT_NO_DAEMON;
	case COORD_CTL_NOT_TARGET:
		return CTL_EXIT_NOT_TARGET;
	}
	return CTL_EXIT_FAILED;
}

int ctl_output_end(struct ctl_output *o, const struct coord_ctl_end *end,
		   double round_trip_ms)
{
	int rc = ctl_exit_code(end->status);

	finish(o, true);
	if (o->json) {
		j_bool(o->f, "ok", rc == CTL_EXIT_OK);
		j_str(o->f, "status", coord_ctl_status_name(end->status));
		fprintf(o->f, ",\"status_code\":%u", end->status);
		j_str(o->f, "message", end->message);
		if (o->command == COORD_CTL_PING)
			fprintf(o->f, ",\"round_trip_ms\":%.3f", round_trip_ms);
		fprintf(o->f, ",\"exit_code\":%d}\n", rc);
		return rc;
	}
	if (rc != CTL_EXIT_OK) {
		fprintf(stderr, "coordctl: %s: ", coord_ctl_status_name(end->status));
		ctl_put_safe(stderr, end->message);
		fputc('\n', stderr);
		return rc;
	}
	if (o->command == COORD_CTL_PING) {
		ctl_put_safe(o->f, end->message);
		fprintf(o->f, ": answered in %.3f ms\n", round_trip_ms);
	} else if (end->message[0] && o->command != COORD_CTL_STATUS) {
		if (o->n_events)
			fputc('\n', o->f);
		ctl_put_safe(o->f, end->message);
		fputc('\n', o->f);
	}
	return rc;
}

void ctl_output_error(struct ctl_output *o, int exit_code, const char *message)
{
	finish(o, false);
	if (o->json) {
		j_bool(o->f, "ok", false);
		j_str(o->f, "error", message);
		fprintf(o->f, ",\"exit_code\":%d}\n", exit_code);
		return;
	}
	fprintf(stderr, "coordctl: %s\n", message);
}

void ctl_output_free(struct ctl_output *o)
{
	free(o);
}

void ctl_output_usage_error(const struct ctl_args *a, int exit_code)
{
	if (!a->json) {
		fprintf(stderr, "coordctl: %s\nTry 'coordctl --help'.\n", a->usage_error);
		return;
	}
	fputs("{\"command\":", stdout);
	if (a->command)
		ctl_put_json_string(stdout, a->command);
	else
		fputs("null", stdout);
	j_bool(stdout, "ok", false);
	j_str(stdout, "error", a->usage_error);
	printf(",\"exit_code\":%d}\n", exit_code);
}
