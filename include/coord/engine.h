/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The barrier engine: a deterministic state machine, free of I/O.
 *
 * Inputs: CPG configuration changes, delivered messages, local reports
 * (a death, a grace result, a release or drop result, quorum), the gate's
 * requests (give-up, a failed give-up, take-over) and the time.
 * Outputs: actions the caller drains with coord_engine_next_action():
 * multicast this message, ask the local server to enter grace, run the
 * release, drop a handover's VIPs' state, a take-over's grace, an event
 * ended.  The same code runs in coordd, in the unit
 * tests and in the simulator (tests/sim/); coord/core/engine.c describes the
 * protocol in prose.
 *
 * Times are microseconds on a monotonic clock chosen by the caller.
 */
#ifndef COORD_ENGINE_H
#define COORD_ENGINE_H

#include <stdint.h>
#include <stdbool.h>
#include "coord/wire.h"
#include "coord/vocab.h"

#define COORD_MAX_NODES		32	/* CPG members tracked */
#define COORD_MAX_EVENTS	256	/* event records kept, pending first */
#define COORD_MAX_ACTIONS	512	/* queued actions between drains */
#define COORD_MAX_RERUNS	4	/* re-runs of one death with a fresh
					 * deadline; later ones keep it */
#define COORD_MAX_IN_FLIGHT	16	/* our reports sent, not delivered */
#define COORD_MAX_NODES_LOADED	32	/* other nodes' records a take-over loads */
/* How long a node whose coordd left while the node lives keeps its VIPs
 * (ganesha_coord_mon's restart_wait) and every release waits for a coordd
 * there to join again: a restart, not a reason to move a live server's
 * clients. */
#define COORD_RESTART_WAIT_S	10

/* After its server dropped a VIP's clients (a handover), how long until that
 * server has reaped them, for ganesha's NFSV4 Lease_Lifetime of lease_ms.
 * ganesha keeps a dropped client as a stale record until its lease runs out
 * and its reaper (every min(10 s, lease / 2)) expires it; expiring it deletes
 * the recovery record of the same name, that of the same client back here
 * meanwhile (docs/deploy.md).  Whole seconds on both sides: 2 s more.
 * 0: no wait. */
static inline uint64_t coord_released_reap_us(uint32_t lease_ms)
{
	uint64_t reaper_ms = lease_ms / 2 < 10000 ? lease_ms / 2 : 10000;

	if (!lease_ms)
		return 0;	/* a server that keeps no dropped client */
	return ((uint64_t)lease_ms + reaper_ms + 2000) * 1000;
}

struct coord_engine_config {
	uint32_t nodeid;
	uint64_t incarnation;		/* unique per coordd start, > 0 */
	uint16_t n_vips;		/* the VIPs this node serves */
	struct coord_vip vips[COORD_MAX_VIPS];
	uint64_t deadline_us;		/* per event, from its delivery */
	enum coord_policy policy;
	uint64_t release_retry_us;	/* first back-off; doubles each time */
	uint64_t release_retry_max_us;	/* back-off ceiling */
	uint32_t release_max_attempts;	/* then the release has failed */
	uint64_t released_reap_us;	/* coord_released_reap_us(); 0: no wait */
	/* Optional: one line per state change (syslog priority, text). */
	void (*log)(void *ctx, int priority, const char *text);
	void *log_ctx;
};

/* A CPG member: node id and process id, as CPG names it. */
struct coord_member_id {
	uint32_t nodeid;
	uint32_t pid;
};

static inline bool coord_member_id_equal(struct coord_member_id a, struct coord_member_id b)
{
	return a.nodeid == b.nodeid && a.pid == b.pid;
}

struct coord_member {
	struct coord_member_id id;
	uint64_t incarnation;		/* 0 until its first message */
	bool hello_seen;
	bool server_down;		/* from its own death until it is up */
	bool incompatible;		/* sent another major protocol version */
	uint16_t version;		/* that version, if incompatible */
	uint16_t n_vips;
	struct coord_vip vips[COORD_MAX_VIPS];
	uint64_t joined_us;
};

struct coord_survivor {
	struct coord_member_id id;
	uint64_t incarnation;
	uint8_t state;			/* enum coord_survivor_state */
	uint8_t result;			/* enum coord_ack_result, if answered */
	bool late;			/* answered after the event had ended */
	uint8_t leave_reason;		/* enum coord_leave_reason, if left */
	bool quorum_gone;		/* left, and its node then missing from
					 * a quorum view: its node is down (and
					 * if it shows up again, it is coming
					 * back) */
	uint32_t grace_latency_us;	/* as the survivor measured its call */
	uint64_t at_us;			/* when its answer (or leave) arrived */
	char detail[COORD_DETAIL_MAX + 1];
};

struct coord_event {
	struct coord_event_id id;
	uint8_t reason;			/* enum coord_death_reason */
	uint8_t state;			/* enum coord_event_state */
	bool local_origin;		/* this engine originated it */
	bool overdue;			/* the deadline passed before the end */
	uint8_t release_outcome;	/* enum coord_release_outcome, if any */
	uint16_t n_vips;
	struct coord_vip vips[COORD_MAX_VIPS];
	uint64_t reported_us;		/* local report (origin only), else 0 */
	uint64_t delivered_us;		/* the DEATH was delivered here */
	uint64_t deadline_us;		/* absolute */
	uint64_t complete_us;		/* every survivor settled, else 0 */
	uint64_t release_started_us;	/* first release attempt, else 0 */
	uint64_t ended_us;		/* reached a final state, else 0 */
	uint64_t retry_at_us;		/* next release attempt (RETRY_WAIT) */
	uint32_t release_attempts;
	int32_t release_status;		/* last exit status */
	uint8_t reruns;			/* withdrawn and reported again, times */
	struct coord_event_id rerun_as;	/* origin: the event re-reporting this
					 * withdrawn one (seq 0: none) */
	uint16_t n_survivors;
	struct coord_survivor *survivors;	/* n_survivors, sized to the group
						 * when the DEATH was delivered;
						 * owned by the engine */
};

enum coord_action_kind {
	COORD_ACTION_SEND = 1,		/* multicast msg (agreed order) */
	COORD_ACTION_GRACE = 2,		/* ask the local server to enter grace */
	COORD_ACTION_RELEASE = 3,	/* run the release command */
	COORD_ACTION_EVENT_ENDED = 4,	/* event reached a final state */
	COORD_ACTION_DROP = 5,		/* a handover's release: ask the local
					 * server to drop the VIPs' state
					 * ("2:VIP"); answer drop_done() */
	COORD_ACTION_TAKE_OVER = 6,	/* VIPs are about to arrive: ask the
					 * local server into grace with its own
					 * and the listed nodes' client records
					 * ("3:", "4:N"); its answer goes to the
					 * control request `request` */
};

struct coord_action {
	enum coord_action_kind kind;
	struct coord_event_id event;	/* GRACE, RELEASE, EVENT_ENDED */
	uint8_t state;			/* EVENT_ENDED: the final state */
	uint16_t n_vips;		/* GRACE: 0 means just grace ("0:");
					 * DROP: the VIPs handed over */
	uint32_t load_node;		/* GRACE of a handover: its origin, whose
					 * client records the server loads
					 * ("4:N") so that its grace lasts;
					 * 0 for a death */
	struct coord_vip vips[COORD_MAX_VIPS];	/* ... and TAKE_OVER's */
	uint32_t request;		/* TAKE_OVER: the control request's token */
	uint16_t n_nodes;		/* TAKE_OVER: the other nodes whose */
	uint32_t nodes[COORD_MAX_NODES_LOADED];	/* records are loaded */
	struct coord_msg msg;		/* SEND */
};

struct coord_engine_counters {
	uint64_t count[COORD_REFUSAL_COUNT];	/* enum coord_refusal */
};

struct coord_engine;

/* Returns NULL on a bad configuration or no memory. */
struct coord_engine *coord_engine_new(const struct coord_engine_config *cfg);
void coord_engine_free(struct coord_engine *e);

/*
 * A CPG configuration change: the full member list after the change, and
 * who left (with CPG's reasons) and joined.  The first change that lists
 * this node makes it joined; until then reports are refused.
 */
void coord_engine_confchg(struct coord_engine *e, uint64_t now,
			  const struct coord_member_id *members, size_t n_members,
			  const struct coord_member_id *left, const uint8_t *left_reasons,
			  size_t n_left,
			  const struct coord_member_id *joined, size_t n_joined);

/* Our own CPG member id: (nodeid, pid).  Call before the first confchg. */
void coord_engine_set_self(struct coord_engine *e, uint32_t pid);
/* The node id corosync gave us, when it was not known at creation. */
void coord_engine_set_nodeid(struct coord_engine *e, uint32_t nodeid);

/*
 * A message delivered by CPG from member `from`, already decoded.
 * Returns COORD_ACCEPTED (0), or why it was refused, which is counted.
 */
enum coord_refusal coord_engine_deliver(struct coord_engine *e, uint64_t now,
					struct coord_member_id from,
					const struct coord_msg *msg);

/* The connection to corosync was lost: leave the group, end what we own. */
void coord_engine_disconnected(struct coord_engine *e, uint64_t now,
			       uint64_t new_incarnation);

void coord_engine_quorum(struct coord_engine *e, uint64_t now, bool quorate);
/*
 * Every quorum notification, with the nodes of the quorum view.  Until the
 * view no longer lists a node that left the group with NODEDOWN, the
 * engine takes the quorum information as older than the membership and
 * starts no release (CPG and quorum notifications arrive separately).
 */
void coord_engine_quorum_view(struct coord_engine *e, uint64_t now, bool quorate,
			      const uint32_t *nodes, size_t n_nodes);

/*
 * The local server died.  Joins this node's pending event if there is
 * one, else starts a new one.  vips may be empty: the node's configured
 * VIPs are used.  Returns 0 and the event id, or -ENOTCONN when this node
 * is not in the group, -ENOSPC when the event table is full.
 */
int coord_engine_report_death(struct coord_engine *e, uint64_t now,
			      const struct coord_vip *vips, size_t n_vips,
			      struct coord_event_id *id);

/*
 * The gate's stop (coordctl give-up, agents/ganesha_coord_gate): the VIPs'
 * address has left this node; its server may still hold their clients'
 * state.  When the local server is reported dead it holds none, and its
 * death's barrier put the others in grace: COORD_GIVE_UP_NOTHING_HELD, no
 * event.  Else a handover event (COORD_GIVE_UP_HANDOVER, its id): every
 * other member enters grace with this node's records loaded ("4:N") and
 * answers, the barrier as for a death; then a DROP action asks the local
 * server to drop the VIPs' state.  -EINVAL without VIPs, -ENOTCONN,
 * -ENOSPC, -EBUSY (too many reports on their way).
 */
enum coord_give_up {
	COORD_GIVE_UP_HANDOVER = 0,
	COORD_GIVE_UP_NOTHING_HELD = 1,
};
int coord_engine_give_up(struct coord_engine *e, uint64_t now,
			 const struct coord_vip *vips, size_t n_vips,
			 struct coord_event_id *id);

/*
 * The give-up waiting for handover id failed: it was answered held, or its
 * waiting client went away (pacemaker's time-out of the stop).  The gate's
 * stop failed and the address may start here again, so no late
 * confirmation may drop its state: the handover is withdrawn (CANCEL)
 * unless its drop runs.  0 when withdrawn; -ENOENT; -EPERM (not a handover
 * of this node); -EBUSY (ended, or its drop runs); -ENOTCONN.
 */
int coord_engine_give_up_failed(struct coord_engine *e, uint64_t now,
				const struct coord_event_id *id);

/*
 * The gate's start (coordctl take-over): VIPs are about to arrive.  Their
 * clients may have reclaimed on any node since, so a TAKE_OVER action asks
 * the local server into grace with its own records and every other node's
 * (group members and the quorum view), answered to control request
 * `request`.  No message is sent.  A VIP whose clients this node's server
 * dropped less than released_reap_us ago comes back only once the server
 * has reaped them: the action waits until then (a later tick pushes it),
 * unless the server died meanwhile.  0; -ENOTCONN when not in the group (no
 * VIP may come here); -EINVAL; -ENOBUFS (action queue full, or too many
 * take-overs waiting).
 */
int coord_engine_take_over(struct coord_engine *e, uint64_t now, uint32_t request,
			   const struct coord_vip *vips, size_t n_vips);

/* The local server is healthy again (agent monitor succeeded). */
void coord_engine_report_up(struct coord_engine *e, uint64_t now);

/* The result of a GRACE action: exactly one call per action. */
void coord_engine_grace_done(struct coord_engine *e, uint64_t now,
			     const struct coord_event_id *id, uint8_t result,
			     uint32_t latency_us, const char *detail);

/* The release command for event id exited with status (0 = success). */
void coord_engine_release_done(struct coord_engine *e, uint64_t now,
			       const struct coord_event_id *id, int status);

/* What the local server did with a handover's DROP: the handover's
 * release.  A server that is not running holds no state: nothing is left
 * to drop, and the handover succeeds (docs/protocol.md, "Handover"). */
enum coord_drop_result {
	COORD_DROP_DONE = 0,		/* it dropped the VIPs' state */
	COORD_DROP_NO_SERVER = 1,	/* no server on the bus */
	COORD_DROP_FAILED = 2,		/* it could not: grace failed, timeout,
					 * no bus */
};
void coord_engine_drop_done(struct coord_engine *e, uint64_t now,
			    const struct coord_event_id *id,
			    enum coord_drop_result result);

/* Withdraw one of this node's pending events.  0, -ENOENT or -EPERM. */
int coord_engine_cancel(struct coord_engine *e, uint64_t now,
			const struct coord_event_id *id);

/* Deadlines and release retries. */
void coord_engine_tick(struct coord_engine *e, uint64_t now);

/* The earliest time tick() has work to do, or UINT64_MAX. */
uint64_t coord_engine_next_timer(const struct coord_engine *e);

/* Pops the oldest pending action; false when there is none. */
bool coord_engine_next_action(struct coord_engine *e, struct coord_action *out);

/*
 * May this node be a VIP target (may its agent set ganesha-active)?  Only
 * when it is joined, quorate, has heard every member's HELLO since it
 * joined (so an origin's re-run for it is already here: see engine.c,
 * "Joining"), and is in grace for every pending event of another node.
 */
struct coord_target {
	enum coord_target_why why;
	uint32_t node;			/* SYNCING: the member not heard */
	struct coord_event_id event;	/* GRACE_PENDING: the event */
};
void coord_engine_target(const struct coord_engine *e, struct coord_target *out);

/*
 * Member `from` sent a message of another major protocol version (the
 * codec refused it; its header still names the version).  Every node
 * delivers it at the same point, so all mark it alike: as a survivor it
 * is settled at once, unconfirmed.
 */
void coord_engine_member_incompatible(struct coord_engine *e, uint64_t now,
				      struct coord_member_id from, uint16_t version);

/* Read-only views for status, history and checks. */
bool coord_engine_joined(const struct coord_engine *e);
bool coord_engine_quorate(const struct coord_engine *e);
/* What this engine says of its own server (its HELLO, its target): false
 * from its death report until it is reported up. */
bool coord_engine_server_up(const struct coord_engine *e);
uint64_t coord_engine_incarnation(const struct coord_engine *e);
size_t coord_engine_member_count(const struct coord_engine *e);
const struct coord_member *coord_engine_member(const struct coord_engine *e, size_t i);
/* Our own member id (nodeid 0 until corosync gave one), and our entry in
 * the member list: NULL until a configuration change listed us. */
struct coord_member_id coord_engine_self_id(const struct coord_engine *e);
const struct coord_member *coord_engine_self(const struct coord_engine *e);
/* The other nodes this engine knows of, group members and the quorum view
 * (distinct node ids, at most max).  Returns how many. */
size_t coord_engine_other_nodes(const struct coord_engine *e, uint32_t *out, size_t max);
/* Events in delivery order, oldest first. */
size_t coord_engine_event_count(const struct coord_engine *e);
/* Events not ended. */
size_t coord_engine_pending_count(const struct coord_engine *e);
const struct coord_event *coord_engine_event(const struct coord_engine *e, size_t i);
const struct coord_event *coord_engine_find_event(const struct coord_engine *e,
						  const struct coord_event_id *id);
const struct coord_engine_counters *coord_engine_counters(const struct coord_engine *e);

bool coord_event_ended(const struct coord_event *ev);
/* No longer waited for (answered, down, incompatible, or left with its node). */
bool coord_survivor_settled(const struct coord_survivor *sv);
/* "3 (grace-failed), 5 (left (procdown), node alive)": who has not
 * confirmed grace, and why.  Returns the length written (truncated to len). */
size_t coord_event_unconfirmed(const struct coord_event *ev, char *buf, size_t len);

#endif
