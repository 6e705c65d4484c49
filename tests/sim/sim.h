/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the simulator's files share: its bounds, the fault kinds, the
 * records of the model (a node, a call, a VIP) and of the ground truth (an
 * event, its survivors), the state of the schedule being run (S) and the
 * in-process cluster it runs on (H), then each file's functions, file by
 * file.
 *
 * The model.  Nodes are grouped in partitions; each partition has one view
 * (its live coordd members) and one queue of messages in flight, which it
 * delivers in one order to every member of the view (agreed order).  A
 * view changes only after the messages in flight were delivered to the old
 * view (virtual synchrony); a crashed member's unsent messages are either
 * all delivered or all lost, the same for everybody.  A member that left
 * delivers nothing more and nothing more from it is delivered.  A restarted
 * coordd is a new engine with a higher incarnation and a new pid.  A side
 * is quorate iff it holds a strict majority of the configured nodes.  The
 * local grace call succeeds, fails, reports no server, is slow or hangs
 * until its timeout; the release command succeeds or fails.  Each node's
 * VIP has a holder, which pacemaker moves (failover, failback, planned
 * moves) only through the gate: the address leaves the giver, its gate
 * stops (a handover, whose drop releases the giver's lock state), the
 * taker's gate starts, the address arrives; the clients' locks follow.
 */
#ifndef COORD_TEST_SIM_H
#define COORD_TEST_SIM_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "coord/engine.h"
#include "harness/cluster.h"

#define MAXN		8
#define MAXGT		512
#define MAXCALLS	256
#define DEADLINE_US	10000000ull
#define GRACE_TIMEOUT_US 5000000ull
#define RETRY_US	1000000ull
#define RETRY_MAX_US	8000000ull
#define ATTEMPTS	3
#define MAXNL		64	/* graces remembered per node, off the ground truth */
/* ganesha's grace period: after a grace call, or from its start */
#define GRACE_PERIOD_US	90000000ull
/* Liveness: once faults stop, every event ends (or is held) within this. */
#define LIVENESS_BOUND_US (DEADLINE_US + GRACE_TIMEOUT_US + 20000000ull)

/* Fault kinds, as bits of the mask a shrunk schedule may turn off. */
enum {
	F_REPORT = 1 << 0, F_DUPLICATE = 1 << 1, F_SLOW = 1 << 2, F_HANG = 1 << 3,
	F_FAIL_GRACE = 1 << 4, F_RESTART = 1 << 5, F_CRASH = 1 << 6,
	F_PARTITION = 1 << 7, F_RELEASE_FAIL = 1 << 8, F_FORGE = 1 << 9,
	F_LEAVE = 1 << 10, F_CANCEL = 1 << 11, F_MULTI = 1 << 12, F_SECOND = 1 << 13,
	F_DISCONNECT = 1 << 14, F_VIPS = 1 << 15, F_CORRUPT = 1 << 16,
	F_QUIET_FAIL = 1 << 17, F_MOVE = 1 << 18, F_STAY = 1 << 19, F_EARLY = 1 << 20,
	F_ALL = (1 << 21) - 1,
	/* Each schedule draws about half of these, so that the older kinds
	 * (partitions, merges) keep their density. */
	F_OPTIONAL = F_LEAVE | F_CANCEL | F_MULTI | F_SECOND | F_DISCONNECT | F_VIPS |
		     F_CORRUPT,
};

/* A fault the quiet phase leaves in place (F_STAY), on node stay_node. */
enum stay {
	STAY_NONE = 0,
	STAY_COORDD_DOWN,		/* coordd killed or stopped, node live */
	STAY_FOREIGN,			/* a coordd 2.0 where ours stopped */
	STAY_DISCONNECTED,		/* coordd lost corosync, runs on */
	STAY_HUNG,			/* ganesha hangs: grace calls time out,
					 * drops fail */
	STAY_DEAD,			/* ganesha dead, not restarted */
	STAY_KINDS
};

struct call {			/* a grace call, a release command or a drop */
	struct coord_event_id id;
	uint64_t at;
	int value;			/* ack result, or exit status */
	bool drop;			/* a handover's DROP ("2:VIP"), not the
					 * release command */
	unsigned vips;			/* DROP: the model VIPs it names (bits) */
};

struct node {
	struct coord_engine *e;		/* coordd runs (in the group or not) */
	bool alive;			/* coordd runs and is in its view */
	bool crashed;			/* the whole node is down */
	bool disconnected;		/* coordd lost corosync, runs on */
	bool corosync_down;		/* ... because corosync stopped here */
	uint16_t n_vips;		/* configured at this coordd's start */
	struct coord_vip vips[COORD_MAX_VIPS];
	uint32_t pid;
	uint64_t inc, prev_inc;
	int part;
	bool server_dead;
	uint8_t append;			/* minors: this coordd speaks the next
					 * minor, appending this many bytes (or
					 * 0: ours) */
	int grace_mode;			/* 0 ok, 1 slow, 2 false, 3 no bus, 4 hang */
	bool release_fails;
	bool drop_fails;		/* ganesha refuses "2:VIP" (fault phase) */
	bool told_quorate;
	bool told_view;			/* a quorum view was told: view_mask */
	unsigned view_mask;		/* its nodes (bit i: node i + 1) */
	/* The target set: ganesha-active, as the agent's rules set it. */
	bool attr;
	bool attr_stale;		/* coordd left; the agent has not run since */
	uint64_t coordd_gone_at;	/* coordd last left while the node lived */
	uint64_t absent_since;		/* the agent's first monitor that found
					 * coordd unable to vouch, with the
					 * attribute set (restart_wait), or 0 */
	uint64_t fresh_until;		/* ganesha (re)started: in grace until */
	uint64_t grace_at;		/* ganesha last entered grace, for any
					 * reason (a grace call answered in grace,
					 * a take-over, a drop), or 0 */
	uint64_t hello_inc[MAXN];	/* incarnation whose HELLO we delivered */
	/* Node j's coordd's incarnation that this engine took from the second
	 * process, which spoke with it first (a merge: F_EARLY), or 0: its
	 * node-left record of that incarnation is no ground truth. */
	uint64_t taken_inc[MAXN];
	/* DEATHs of the second process this engine recorded before the
	 * simulator knew an event of that id: if a coordd reports one later,
	 * this engine's record of it is the forged one.  Next at fd_next. */
	struct coord_event_id forged_death[MAXNL];
	int fd_next;
	unsigned misled;		/* nodes whose coordd's member this engine
					 * pinned with the wrong incarnation, or
					 * whose incarnation another process holds
					 * here: hostile input did it (bit j: node
					 * j + 1), until that coordd leaves */
	struct coord_vip hello_vips[MAXN][COORD_MAX_VIPS];
	uint16_t hello_nvips[MAXN];
	/* ganesha's last answers in grace for an event the ground truth does
	 * not keep (a node-left event, a forged DEATH's), next one at nl_next */
	struct { struct coord_event_id id; uint64_t at; } nl[MAXNL];
	int nl_next;
	int ncalls, nrel;
	struct call grace[MAXCALLS], rel[MAXCALLS];
};

struct gt_survivor {
	uint32_t nodeid, pid;
	bool settled, confirmed;
	bool left;			/* settled by leaving, not by grace */
	bool left_alive;		/* its coordd left, its node lives:
					 * neither settled nor confirmed */
	int result;			/* first result recorded anywhere, or 0 */
};

/* Ground truth of one reported event, kept by the simulator itself. */
struct gt_event {
	struct coord_event_id id;
	int origin;
	uint32_t origin_pid;
	uint8_t reason;			/* the DEATH's: reported or handover */
	uint16_t n_vips;		/* as the DEATH announced them */
	struct coord_vip vips[COORD_MAX_VIPS];
	unsigned with;			/* nodes that delivered the DEATH and
					 * stayed in the group with the origin
					 * (same engine) ever since */
	int attempts;			/* release attempts started */
	uint64_t ingrace_at[MAXN];	/* node's ganesha answered in grace */
	bool delivered;			/* at the origin */
	bool ended;			/* released OK, abandoned, cancelled */
	uint64_t delivered_at;
	uint64_t deadline_at;		/* by the re-run rule (engine.c, rule 6) */
	bool rerun_cancelled;		/* withdrawn by its origin for a joiner */
	struct coord_event_id rerun_as;	/* ... and reported again as this one
					 * (a node may re-run several at once) */
	int reruns;			/* withdrawn-and-reported-again chain */
	int n;
	struct gt_survivor sv[MAXN];
	bool agreed_set;		/* the survivor set first seen */
	int n_set;
	struct coord_member_id set[COORD_MAX_NODES];
	int ok_releases;
	bool release_running;
	bool release_decided;		/* a first attempt started: retries repeat it */
	uint8_t outcome;		/* ... and the outcome it recorded */
	unsigned origin_gone;		/* nodes that saw the origin's coordd (its
					 * pid) leave their view, or left the group
					 * themselves: their record may say
					 * abandoned */
	unsigned forged;		/* nodes that accepted a forged DEATH,
					 * RELEASE or CANCEL naming it: their
					 * record is no ground truth */
	unsigned replayed;		/* ... or a replayed ACK, from a coordd
					 * left unpinned there by a merge window
					 * (delivery.c): their decision is none */
};

/* A VIP of the model: one per node, at home there (vip_of(home)).  Each
 * is a pacemaker group [gate, address]: on every move the address leaves
 * the giver, the gate stops there (coordctl give-up: a handover), the gate
 * starts on the taker (coordctl take-over), the address arrives. */
enum { VIP_ON, VIP_STOPPING, VIP_BLOCKED, VIP_STARTING };

struct vipm {
	int holder;			/* node whose interface has the address, or -1 */
	int phase;			/* VIP_ON: on holder; else moving */
	int giver;			/* STOPPING, BLOCKED: where the gate stops */
	int want;			/* the taker pacemaker prefers, or -1 */
	struct coord_event_id ho;	/* STOPPING: the handover give-up waits for */
	uint32_t ho_pid;		/* ... at that coordd */
	unsigned locks;			/* nodes whose server holds lock state of
					 * its clients (bit i: node i + 1) */
	unsigned banned;		/* nodes where its start failed for good
					 * (start-failure-is-fatal): the node
					 * keeping a fault, in the quiet phase */
};

struct sim {
	uint64_t seed, rng;
	int n;
	enum coord_policy policy;
	uint64_t now;
	uint64_t steps;
	uint32_t next_pid;
	uint64_t next_inc;
	unsigned mask;
	bool verbose;
	const char *violation;
	char why[256];
	bool codec;			/* messages pass through proto/wire.c */
	/* whole-node death check: node bits expected / seen */
	unsigned expect, seen;
	bool hello_owed, hello_sent;
	/* a second CPG process (not a coordd) on node h_node */
	bool h_on, h_speaks;
	bool h_foreign;			/* a coordd of another major version */
	int h_node;
	uint32_t h_pid;
	uint64_t h_inc;
	uint64_t wire_dropped;
	/* The draws added after the first schedules' (issue 28): from a
	 * stream of their own, so that a schedule without them draws, and
	 * runs, as before. */
	uint64_t rng2;
	enum stay stay;
	int stay_node;
	bool minors;			/* codec schedules: other minor versions
					 * on the wire (a coordd of the next
					 * minor, the second process's bytes) */
	/* The draws added for the merge window (F_EARLY): a third stream. */
	uint64_t rng3;
	bool misled_seen;		/* a member was misled (node.misled) in
					 * this schedule: a fault that stays */
	struct vipm vip[MAXN];		/* S.n of them */
	int ngt;
	/* From here on, reset by counts, not by memset. */
	struct node nodes[MAXN];
	struct gt_event gt[MAXGT];
};

extern struct sim S;
extern struct harness H;
extern const char *ignored;	/* -I: an invariant not checked */

/* generator.c: the random source; the generator of inputs */
uint64_t rnd(void);
uint64_t rnd2(void);
uint64_t rnd3(void);
unsigned rn(unsigned n);
int pick(bool (*ok)(int));
void random_step(void);
void foreign_hello(void);
void second_process_first(int part);
void stay_begin(void);
bool stays(enum stay kind, int i);

/* invariants.c: the checks, on the ground truth */
void violate(const char *invariant, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
struct gt_event *gt_find(const struct coord_event_id *id);
void check_release(int o, const struct coord_event_id *id);
void check_drop(int i, const struct coord_action *a);
void check_take_over(int i, const struct coord_action *a);
void check_deadline(void);
void check_stayed(uint64_t quiet_at);
void note_grace(int i, const struct coord_event_id *id);
void check_vouch(int i);
bool misled_any(void);
void check_liveness(uint64_t quiet_at);
void check_final(void);

/* engines.c: the coordds: engines, multicasts, what they ask for */
void sync_views(void);
struct coord_member_id mid(int i);
struct coord_member_id hid(void);
bool member_id_in(struct coord_member_id id, const struct coord_member_id *l, size_t n);
void vip_of(int i, struct coord_vip *v);
uint16_t random_vips(int i, struct coord_vip *v);
void engine_start(int i);
void enqueue_as(int from, struct coord_member_id from_id, const struct coord_msg *msg,
		bool forged);
void enqueue(int from, const struct coord_msg *msg, bool forged);
unsigned model_vips(const struct coord_vip *vips, uint16_t n);
bool act(struct harness *h, int i, const struct coord_action *action);
void drain(int i);
bool quorate(int part);
void tell_quorum(int i);

/* delivery.c: deliveries in agreed order */
void note_delivery(struct harness *h, int r, const struct harness_msg *f, int rc);
bool forged_death_at(int r, const struct coord_event_id *id);
void deliver_one(int part);
bool part_has_msgs(int part);
void flush(int part);

/* membership.c: configuration changes, partitions */
void on_confchg(struct harness *h, int i, bool after,
		const struct coord_member_id *m, size_t n);
void confchg(int part, const struct coord_member_id *left, const uint8_t *reasons,
	     size_t n_left, const struct coord_member_id *joined, size_t n_joined);
void drop_unsent(struct coord_member_id who, int part);
void members_gone(const int *idx, const uint8_t *reason, int n);
void member_gone(int i, uint8_t reason);
void member_start(int i);
void disconnect(int i);
void reconnect(int i);
void split(int part);
void node_fenced(int i);
void merge(int a, int b);

/* vips.c: pacemaker, the gate, the agent, the clients' locks */
void locks_gone(int n);
void server_starts(int n);
void node_lost_vips(int n);
bool may_take(int n);
bool vip_can_land(int v);
void poll_stops(void);
void attr_lost(int n);
void pacemaker(int v, bool moves);
void agent_monitor(int i);

/* clock.c: the virtual clock */
void advance(uint64_t dt);

/* schedule.c: one schedule, its state and trace */
void trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void engine_log(void *ctx, int prio, const char *text);
const char *run(uint64_t seed, long max_steps, unsigned mask, bool verbose);

/* shrink.c: the shortest failing schedule */
void shrink(uint64_t seed, const char *inv, long *steps, unsigned *mask);
#endif
