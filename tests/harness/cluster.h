/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An in-process cluster of real barrier engines (coord/core/engine.c), shared by
 * the unit tests and the simulator: a virtual clock, views (partitions),
 * one agreed-order queue of multicasts per view, membership changes fed to
 * every member of a view in one order, and the action pump.
 *
 * Model (what CPG guarantees, docs/simulation.md): a message multicast in
 * a view is delivered, in one order, to every coordd of that view at the
 * time of delivery; every coordd of a view sees a configuration change at
 * the same point of that order.  Nothing here is random: callers (the
 * simulator) bring their own faults through the hooks.
 *
 * Effects.  Each action drained from an engine is first offered to the
 * on_action hook; if it does not take it, the node's flags decide: a
 * GRACE is answered at once with grace_result unless hold_grace; a
 * RELEASE or DROP exits with release_status unless hold_release (a DROP
 * that "exits" non-zero failed); a TAKE_OVER is the hook's to answer.  Either
 * way it is counted and remembered (graces, last_grace, ...).
 */
#ifndef COORD_TEST_HARNESS_CLUSTER_H
#define COORD_TEST_HARNESS_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coord/engine.h"
#include "coord/wire.h"

#define HARNESS_MAX_NODES	10	/* coordds, and other CPG processes */
#define HARNESS_MAX_QUEUED	4096	/* multicasts in flight, all views */
#define HARNESS_RELEASE_TIMES	16

struct harness_node {
	/* NULL: a CPG process that is no coordd (a view lists it, nothing
	 * is delivered to it). */
	struct coord_engine *e;
	struct coord_member_id id;
	int view;			/* which view (partition) it is in */
	bool up;			/* a member of that view */
	/* The default effects. */
	bool hold_grace;		/* GRACE: not answered (see owes_grace) */
	uint8_t grace_result;		/* else answered at once with this */
	bool hold_release;		/* RELEASE, DROP: not answered */
	int release_status;		/* else they "exit" with this */
	/* What the engine asked for. */
	int graces, releases, drops, take_overs, ended;
	bool owes_grace;		/* a GRACE was held: last_grace */
	struct coord_action last_grace, last_release, last_drop, last_take_over;
	uint64_t release_at[HARNESS_RELEASE_TIMES];	/* the first releases */
};

/* A multicast in flight: already through the codec, as every receiver
 * decodes it. */
struct harness_msg {
	int view;
	struct coord_member_id from;
	uint16_t foreign;		/* another major version's (the codec
					 * refuses it; coordd tells the engine
					 * member_incompatible): its version */
	int tag;			/* the caller's (the simulator: forged) */
	struct coord_msg msg;
};

struct harness {
	int n;				/* node[0 .. n-1] */
	uint64_t now;
	struct harness_node node[HARNESS_MAX_NODES];
	bool hold_delivery;		/* settle() leaves multicasts queued */
	uint32_t grace_latency_us;	/* the default grace answer's */
	const char *grace_detail;	/* ... (NULL: none) */
	/* Hooks, all optional. */
	void *ctx;
	/* An action of node i: true when the hook carried it out. */
	bool (*on_action)(struct harness *h, int i, const struct coord_action *a);
	/* Node i was handed m (rc: what deliver returned; -1 for a foreign
	 * message, told with member_incompatible), before its actions are
	 * drained. */
	void (*on_deliver)(struct harness *h, int i, const struct harness_msg *m, int rc);
	/* Node i is about to get a configuration change (after: has had it,
	 * and its actions were drained). */
	void (*on_confchg)(struct harness *h, int i, bool after,
			   const struct coord_member_id *members, size_t n_members);
	/* A multicast that the codec refuses (what: why), or a full queue;
	 * unset: the harness prints it and aborts. */
	void (*fail)(struct harness *h, const char *what);
	const struct harness_msg *delivering;	/* during a delivery */
	size_t n_queued;
	struct harness_msg q[HARNESS_MAX_QUEUED];
};

/* Engine configuration every user shares: node id i + 1, one VIP
 * 198.18.0.(101 + i).  The caller fills in the rest. */
void harness_config(struct coord_engine_config *cfg, int i);
/* Node i's engine is e (replacing none), CPG id (i + 1, pid). */
void harness_set_engine(struct harness *h, int i, struct coord_engine *e, uint32_t pid);

/* The members of view v, in node order.  Returns how many. */
size_t harness_members(const struct harness *h, int v, struct coord_member_id *out);

/* Every coordd up in view v gets this configuration change (the member
 * list is the view's), then its actions are drained. */
void harness_confchg(struct harness *h, int v, const struct coord_member_id *left,
		     const uint8_t *reasons, size_t n_left,
		     const struct coord_member_id *joined, size_t n_joined);

/* Node i multicasts msg in its view, through the codec (encode, decode,
 * compare).  False (after fail) when the codec refuses it. */
bool harness_multicast(struct harness *h, int i, const struct coord_msg *msg);
/* Queues m as it is (the simulator's own wire faults).  False when full. */
bool harness_enqueue(struct harness *h, const struct harness_msg *m);
/* The oldest message in flight in view v, or NULL. */
const struct harness_msg *harness_oldest(const struct harness *h, int v);
/* Delivers it to every coordd up in view v, each followed by the drain of
 * that coordd's actions.  False when there was none. */
bool harness_deliver_one(struct harness *h, int v);
/* Every message in flight in view v from `who` is lost. */
void harness_drop_from(struct harness *h, int v, struct coord_member_id who);

/* Carries out node i's pending actions (up or not). */
void harness_drain(struct harness *h, int i);
/* Drains every node up and delivers every message (unless
 * hold_delivery), until the cluster is quiet. */
void harness_settle(struct harness *h);
/* The clock moves on by us; every coordd up ticks; settle. */
void harness_advance(struct harness *h, uint64_t us);

#endif
