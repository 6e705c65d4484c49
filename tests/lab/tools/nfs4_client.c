/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nfs4_client: an NFSv4.0 test client on libnfs's raw RPC layer, for the
 * lab (the kernel here has no NFS client).  It does what a real client's
 * state management does, step by step, and prints every step:
 *
 *   hold  SETCLIENTID/SETCLIENTID_CONFIRM with a fixed client id string,
 *         OPEN (create) and a byte-range write LOCK on each --file, then
 *         RENEW every --renew-ms.  When the server behind the address
 *         changes (STALE_CLIENTID, EXPIRED, a lost connection), it recovers
 *         as RFC 7530 9.6.2 says: a new SETCLIENTID with the same id
 *         string, OPEN with CLAIM_PREVIOUS on the old file handle, LOCK with
 *         reclaim set.  A refused reclaim (NO_GRACE, RECLAIM_BAD, ...)
 *         means the lock is lost: it prints LOST and exits 3.
 *   cycle as hold on one --file, but its lock taken, held --hold-ms,
 *         released (UNLOCKING, then UNLOCK) and retaken --gap-ms later
 *         (a refused LOCK retried every --gap-ms), renewing meanwhile;
 *         a recovery reclaims the lock only when it was held.
 *   try   as another client, a new OPEN and a conflicting LOCK, every
 *         --every-ms for --for-ms: each attempt prints GRANTED, DENIED,
 *         GRACE or ERROR, then releases what it got (unless --keep, which
 *         holds a granted lock and renews it until killed).
 *
 * --linux-id: the client id string is built as Linux builds it,
 * "Linux NFSv4.0 <--id>/<--server> tcp" (the --id taken as the host name):
 * it names the address the client mounted, and ganesha's grace("2:IP")
 * releases only the clients whose id string contains IP.  Without it the
 * id string is --id itself.
 *
 * One line per step on stdout, flushed:
 *   <CLOCK_REALTIME us> <name> <EVENT> key=value...
 * Usage: nfs4_client hold|cycle|try --server IP --id NAME --file NAME [--file ...]
 *        [--export /export] [--offset N] [--length N] [--renew-ms N]
 *        [--every-ms N] [--for-ms N] [--keep] [--timeout-ms N] [--linux-id]
 *        [--hold-ms N] [--gap-ms N]
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nfs4.h>

#define MAX_FILES 16
#define NFS_PORT 2049

struct held {			/* one file and its lock */
	const char *name;
	char fh[NFS4_FHSIZE];
	unsigned fh_len;
	stateid4 open_sid;
	stateid4 lock_sid;
	bool locked;
	unsigned lock_gen;	/* lock owners used: each LOCK takes a new one */
};

struct client {
	const char *server, *id, *export;
	char id_string[256];	/* what SETCLIENTID sends (--linux-id) */
	struct rpc_context *rpc;
	verifier4 verifier;
	clientid4 clientid;
	verifier4 confirm;
	uint32_t oo_seqid;	/* the open owner's next seqid */
	char dir_fh[NFS4_FHSIZE];
	unsigned dir_fh_len;
	struct held files[MAX_FILES];
	unsigned n_files;
	uint64_t offset, length;
	int timeout_ms;
};

/* What a call's callback copies out of the reply (freed after it returns). */
struct reply {
	bool done;
	int rpc_status;		/* RPC_STATUS_*, or -1 for our own timeout */
	nfsstat4 status;	/* the compound's status */
	nfs_opnum4 failed_op;	/* the op that failed (the last one answered) */
	struct client *cl;
	unsigned file;		/* index of the file the call is about */
};

static volatile sig_atomic_t stopping;
static bool releasing;	/* stopping, but the releases must still be sent */

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void say(const struct client *cl, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(const struct client *cl, const char *event, const char *fmt, ...)
{
	va_list ap;

	printf("%llu %s %s server=%s", (unsigned long long)now_us(), cl->id, event, cl->server);
	if (fmt && *fmt) {
		putchar(' ');
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	putchar('\n');
	fflush(stdout);
}

static const char *nfsstat_name(nfsstat4 s)
{
	switch ((int)s) {
	case NFS4_OK: return "NFS4_OK";
	case NFS4ERR_DENIED: return "NFS4ERR_DENIED";
	case NFS4ERR_EXPIRED: return "NFS4ERR_EXPIRED";
	case NFS4ERR_GRACE: return "NFS4ERR_GRACE";
	case NFS4ERR_NO_GRACE: return "NFS4ERR_NO_GRACE";
	case NFS4ERR_RECLAIM_BAD: return "NFS4ERR_RECLAIM_BAD";
	case NFS4ERR_RECLAIM_CONFLICT: return "NFS4ERR_RECLAIM_CONFLICT";
	case NFS4ERR_STALE_CLIENTID: return "NFS4ERR_STALE_CLIENTID";
	case NFS4ERR_STALE_STATEID: return "NFS4ERR_STALE_STATEID";
	case NFS4ERR_BAD_STATEID: return "NFS4ERR_BAD_STATEID";
	case NFS4ERR_BAD_SEQID: return "NFS4ERR_BAD_SEQID";
	case NFS4ERR_CLID_INUSE: return "NFS4ERR_CLID_INUSE";
	case NFS4ERR_ADMIN_REVOKED: return "NFS4ERR_ADMIN_REVOKED";
	case NFS4ERR_STALE: return "NFS4ERR_STALE";
	case NFS4ERR_NOENT: return "NFS4ERR_NOENT";
	case NFS4ERR_ACCESS: return "NFS4ERR_ACCESS";
	case NFS4ERR_INVAL: return "NFS4ERR_INVAL";
	case NFS4ERR_SHARE_DENIED: return "NFS4ERR_SHARE_DENIED";
	case NFS4ERR_LEASE_MOVED: return "NFS4ERR_LEASE_MOVED";
	case NFS4ERR_DELAY: return "NFS4ERR_DELAY";
	default: return "NFS4ERR_OTHER";
	}
}

/* ---- the connection and one synchronous COMPOUND over libnfs's async API ---- */

static void disconnect(struct client *cl)
{
	if (!cl->rpc)
		return;
	rpc_disconnect(cl->rpc, "reset");
	rpc_destroy_context(cl->rpc);
	cl->rpc = NULL;
}

/* Runs the context until R is answered or the deadline passes. */
static void wait_reply(struct client *cl, struct reply *r)
{
	uint64_t deadline = now_us() + (uint64_t)cl->timeout_ms * 1000u;
	struct pollfd pfd;

	while (!r->done) {
		int64_t left = (int64_t)(deadline - now_us()) / 1000;

		if (left <= 0 || (stopping && !releasing)) {
			r->done = true;
			r->rpc_status = -1;
			return;
		}
		pfd.fd = rpc_get_fd(cl->rpc);
		pfd.events = rpc_which_events(cl->rpc);
		pfd.revents = 0;
		if (poll(&pfd, 1, left > 100 ? 100 : (int)left) < 0 && errno != EINTR) {
			r->done = true;
			r->rpc_status = RPC_STATUS_ERROR;
			return;
		}
		if (rpc_service(cl->rpc, pfd.revents) < 0) {
			r->done = true;
			r->rpc_status = RPC_STATUS_ERROR;
			return;
		}
	}
}

static void connect_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct reply *r = priv;

	(void)rpc; (void)data;
	r->rpc_status = status;
	r->done = true;
}

static bool connect_server(struct client *cl)
{
	struct reply r = { .cl = cl, .rpc_status = RPC_STATUS_ERROR };

	disconnect(cl);
	cl->rpc = rpc_init_context();
	if (!cl->rpc)
		return false;
	if (rpc_connect_port_async(cl->rpc, cl->server, NFS_PORT, NFS4_PROGRAM, NFS_V4,
				   connect_cb, &r) != 0) {
		disconnect(cl);
		return false;
	}
	wait_reply(cl, &r);
	if (r.rpc_status != RPC_STATUS_SUCCESS) {
		disconnect(cl);
		return false;
	}
	return true;
}

typedef void (*extract_fn)(struct reply *r, COMPOUND4res *res);

struct call {
	struct reply *r;
	extract_fn extract;
};

static void compound_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct call *c = priv;
	COMPOUND4res *res = data;

	(void)rpc;
	c->r->rpc_status = status;
	c->r->done = true;
	if (status != RPC_STATUS_SUCCESS || !res)
		return;
	c->r->status = res->status;
	if (res->resarray.resarray_len)
		c->r->failed_op = res->resarray.resarray_val[res->resarray.resarray_len - 1].resop;
	if (c->extract)
		c->extract(c->r, res);
}

/* Sends ops; false on a transport failure (the connection is then dropped). */
static bool compound(struct client *cl, nfs_argop4 *ops, unsigned n, struct reply *r,
		     extract_fn extract)
{
	COMPOUND4args args;
	struct call c = { .r = r, .extract = extract };

	memset(&args, 0, sizeof(args));
	args.argarray.argarray_len = n;
	args.argarray.argarray_val = ops;
	r->done = false;
	r->cl = cl;
	r->status = NFS4_OK;
	r->rpc_status = RPC_STATUS_ERROR;
	if (!cl->rpc && !connect_server(cl)) {
		r->rpc_status = RPC_STATUS_ERROR;
		return false;
	}
	if (rpc_nfs4_compound_async(cl->rpc, compound_cb, &args, &c) != 0) {
		disconnect(cl);
		r->rpc_status = RPC_STATUS_ERROR;
		return false;
	}
	wait_reply(cl, r);
	if (r->rpc_status != RPC_STATUS_SUCCESS) {
		int why = r->rpc_status;

		/* The callback must not run after c goes out of scope. */
		disconnect(cl);
		r->rpc_status = why;
		return false;
	}
	return true;
}

static const char *transport_error(const struct reply *r)
{
	return r->rpc_status == -1 ? "timeout" : "connection";
}

/* ---- the operations ---- */

static void put_fh(nfs_argop4 *op, char *fh, unsigned len)
{
	op->argop = OP_PUTFH;
	op->nfs_argop4_u.opputfh.object.nfs_fh4_len = len;
	op->nfs_argop4_u.opputfh.object.nfs_fh4_val = fh;
}

static void ex_setclientid(struct reply *r, COMPOUND4res *res)
{
	SETCLIENTID4res *s = &res->resarray.resarray_val[0].nfs_resop4_u.opsetclientid;

	if (res->status == NFS4_OK) {
		r->cl->clientid = s->SETCLIENTID4res_u.resok4.clientid;
		memcpy(r->cl->confirm, s->SETCLIENTID4res_u.resok4.setclientid_confirm,
		       NFS4_VERIFIER_SIZE);
	}
}

/* SETCLIENTID + SETCLIENTID_CONFIRM: 0, an nfsstat4, or -1 (transport). */
static int establish(struct client *cl)
{
	nfs_argop4 op;
	struct reply r;
	char cb_addr[] = "0.0.0.0.0.0", netid[] = "tcp";

	memset(&op, 0, sizeof(op));
	op.argop = OP_SETCLIENTID;
	memcpy(op.nfs_argop4_u.opsetclientid.client.verifier, cl->verifier, NFS4_VERIFIER_SIZE);
	op.nfs_argop4_u.opsetclientid.client.id.id_len = strlen(cl->id_string);
	op.nfs_argop4_u.opsetclientid.client.id.id_val = cl->id_string;
	/* No callback service: the server then grants no delegation. */
	op.nfs_argop4_u.opsetclientid.callback.cb_program = NFS4_CALLBACK;
	op.nfs_argop4_u.opsetclientid.callback.cb_location.r_netid = netid;
	op.nfs_argop4_u.opsetclientid.callback.cb_location.r_addr = cb_addr;
	op.nfs_argop4_u.opsetclientid.callback_ident = 1;
	if (!compound(cl, &op, 1, &r, ex_setclientid))
		return -1;
	if (r.status != NFS4_OK)
		return r.status;
	memset(&op, 0, sizeof(op));
	op.argop = OP_SETCLIENTID_CONFIRM;
	op.nfs_argop4_u.opsetclientid_confirm.clientid = cl->clientid;
	memcpy(op.nfs_argop4_u.opsetclientid_confirm.setclientid_confirm, cl->confirm,
	       NFS4_VERIFIER_SIZE);
	if (!compound(cl, &op, 1, &r, NULL))
		return -1;
	cl->oo_seqid = 0;
	return r.status;
}

static void ex_dir_fh(struct reply *r, COMPOUND4res *res)
{
	nfs_resop4 *last = &res->resarray.resarray_val[res->resarray.resarray_len - 1];

	if (res->status == NFS4_OK && last->resop == OP_GETFH) {
		GETFH4resok *ok = &last->nfs_resop4_u.opgetfh.GETFH4res_u.resok4;

		if (ok->object.nfs_fh4_len <= NFS4_FHSIZE) {
			memcpy(r->cl->dir_fh, ok->object.nfs_fh4_val, ok->object.nfs_fh4_len);
			r->cl->dir_fh_len = ok->object.nfs_fh4_len;
		}
	}
}

/* PUTROOTFH, LOOKUP of each component of the export's pseudo path, GETFH. */
static int lookup_export(struct client *cl)
{
	nfs_argop4 ops[18];
	char path[256], *p, *save = NULL;
	unsigned n = 0;
	struct reply r;

	snprintf(path, sizeof(path), "%s", cl->export);
	memset(ops, 0, sizeof(ops));
	ops[n++].argop = OP_PUTROOTFH;
	for (p = strtok_r(path, "/", &save); p && n < 16; p = strtok_r(NULL, "/", &save)) {
		ops[n].argop = OP_LOOKUP;
		ops[n].nfs_argop4_u.oplookup.objname.utf8string_len = strlen(p);
		ops[n++].nfs_argop4_u.oplookup.objname.utf8string_val = p;
	}
	ops[n++].argop = OP_GETFH;
	if (!compound(cl, ops, n, &r, ex_dir_fh))
		return -1;
	return r.status;
}

static void ex_open(struct reply *r, COMPOUND4res *res)
{
	struct held *h = &r->cl->files[r->file];
	unsigned i;

	for (i = 0; i < res->resarray.resarray_len; i++) {
		nfs_resop4 *op = &res->resarray.resarray_val[i];

		if (op->resop == OP_OPEN && op->nfs_resop4_u.opopen.status == NFS4_OK) {
			OPEN4resok *ok = &op->nfs_resop4_u.opopen.OPEN4res_u.resok4;

			h->open_sid = ok->stateid;
			/* rflags: remember whether OPEN_CONFIRM is needed */
			r->failed_op = (ok->rflags & OPEN4_RESULT_CONFIRM) ? OP_OPEN_CONFIRM : OP_OPEN;
		}
		if (op->resop == OP_GETFH && op->nfs_resop4_u.opgetfh.status == NFS4_OK) {
			GETFH4resok *ok = &op->nfs_resop4_u.opgetfh.GETFH4res_u.resok4;

			if (ok->object.nfs_fh4_len <= NFS4_FHSIZE) {
				memcpy(h->fh, ok->object.nfs_fh4_val, ok->object.nfs_fh4_len);
				h->fh_len = ok->object.nfs_fh4_len;
			}
		}
		if (op->resop == OP_OPEN_CONFIRM && op->nfs_resop4_u.opopen_confirm.status == NFS4_OK)
			h->open_sid = op->nfs_resop4_u.opopen_confirm.OPEN_CONFIRM4res_u.resok4.open_stateid;
	}
}

static void ex_lock(struct reply *r, COMPOUND4res *res)
{
	nfs_resop4 *last = &res->resarray.resarray_val[res->resarray.resarray_len - 1];

	if (res->status == NFS4_OK && last->resop == OP_LOCK)
		r->cl->files[r->file].lock_sid = last->nfs_resop4_u.oplock.LOCK4res_u.resok4.lock_stateid;
}

/*
 * OPEN file I (CLAIM_NULL creating it in the export, or CLAIM_PREVIOUS on
 * its old handle when RECLAIM), OPEN_CONFIRM when the server asks, then
 * (when LOCK) lock_file.  Prints the outcome of each; returns 0, an
 * nfsstat4, or -1 (transport).
 */
static int lock_file(struct client *cl, unsigned i, bool reclaim, const char *what);

static int open_and_lock(struct client *cl, unsigned i, bool reclaim, const char *what, bool lock)
{
	struct held *h = &cl->files[i];
	nfs_argop4 ops[3];
	struct reply r = { .file = i };
	char owner[128];
	int n = 0;

	memset(ops, 0, sizeof(ops));
	snprintf(owner, sizeof(owner), "open-%s", cl->id);
	if (reclaim) {
		put_fh(&ops[n++], h->fh, h->fh_len);
	} else {
		put_fh(&ops[n++], cl->dir_fh, cl->dir_fh_len);
	}
	ops[n].argop = OP_OPEN;
	{
		OPEN4args *o = &ops[n++].nfs_argop4_u.opopen;

		o->seqid = cl->oo_seqid++;
		o->share_access = OPEN4_SHARE_ACCESS_BOTH;
		o->share_deny = OPEN4_SHARE_DENY_NONE;
		o->owner.clientid = cl->clientid;
		o->owner.owner.owner_len = strlen(owner);
		o->owner.owner.owner_val = owner;
		if (reclaim) {
			o->openhow.opentype = OPEN4_NOCREATE;
			o->claim.claim = CLAIM_PREVIOUS;
			o->claim.open_claim4_u.delegate_type = OPEN_DELEGATE_NONE;
		} else {
			o->openhow.opentype = OPEN4_CREATE;
			o->openhow.openflag4_u.how.mode = UNCHECKED4;
			o->claim.claim = CLAIM_NULL;
			o->claim.open_claim4_u.file.utf8string_len = strlen(h->name);
			o->claim.open_claim4_u.file.utf8string_val = (char *)h->name;
		}
	}
	ops[n++].argop = OP_GETFH;
	if (!compound(cl, ops, n, &r, ex_open)) {
		say(cl, reclaim ? "RECLAIM_OPEN" : "OPEN", "file=%s result=ERROR error=%s",
		    h->name, transport_error(&r));
		return -1;
	}
	say(cl, reclaim ? "RECLAIM_OPEN" : "OPEN", "file=%s status=%s", h->name,
	    nfsstat_name(r.status));
	if (r.status != NFS4_OK)
		return r.status;
	if (r.failed_op == OP_OPEN_CONFIRM) {
		memset(ops, 0, sizeof(ops));
		put_fh(&ops[0], h->fh, h->fh_len);
		ops[1].argop = OP_OPEN_CONFIRM;
		ops[1].nfs_argop4_u.opopen_confirm.open_stateid = h->open_sid;
		ops[1].nfs_argop4_u.opopen_confirm.seqid = cl->oo_seqid++;
		if (!compound(cl, ops, 2, &r, ex_open))
			return -1;
		if (r.status != NFS4_OK) {
			say(cl, "OPEN_CONFIRM", "file=%s status=%s", h->name, nfsstat_name(r.status));
			return r.status;
		}
	}
	return lock ? lock_file(cl, i, reclaim, what) : NFS4_OK;
}

/*
 * A write LOCK on open file I (reclaim set when RECLAIM) with a new lock
 * owner (a new one each time: cycle retakes).  Prints the outcome;
 * returns 0, an nfsstat4, or -1 (transport).
 */
static int lock_file(struct client *cl, unsigned i, bool reclaim, const char *what)
{
	struct held *h = &cl->files[i];
	nfs_argop4 ops[2];
	struct reply r = { .file = i };

	memset(ops, 0, sizeof(ops));
	put_fh(&ops[0], h->fh, h->fh_len);
	ops[1].argop = OP_LOCK;
	{
		LOCK4args *l = &ops[1].nfs_argop4_u.oplock;
		open_to_lock_owner4 *o = &l->locker.locker4_u.open_owner;
		static char lowner[128];

		snprintf(lowner, sizeof(lowner), "lock-%s-%u-%u", cl->id, i, h->lock_gen++);
		l->locktype = WRITE_LT;
		l->reclaim = reclaim;
		l->offset = cl->offset;
		l->length = cl->length;
		l->locker.new_lock_owner = 1;
		o->open_seqid = cl->oo_seqid++;
		o->open_stateid = h->open_sid;
		o->lock_seqid = 0;
		o->lock_owner.clientid = cl->clientid;
		o->lock_owner.owner.owner_len = strlen(lowner);
		o->lock_owner.owner.owner_val = lowner;
	}
	if (!compound(cl, ops, 2, &r, ex_lock)) {
		say(cl, what, "file=%s result=ERROR error=%s", h->name, transport_error(&r));
		return -1;
	}
	h->locked = r.status == NFS4_OK;
	say(cl, what, "file=%s offset=%llu length=%llu reclaim=%d status=%s", h->name,
	    (unsigned long long)cl->offset, (unsigned long long)cl->length, reclaim,
	    nfsstat_name(r.status));
	return r.status;
}

static int renew(struct client *cl)
{
	nfs_argop4 op;
	struct reply r;

	memset(&op, 0, sizeof(op));
	op.argop = OP_RENEW;
	op.nfs_argop4_u.oprenew.clientid = cl->clientid;
	if (!compound(cl, &op, 1, &r, NULL))
		return -1;
	return r.status;
}

/* LOCKU (when locked) and CLOSE file I: true when the server said OK to both. */
static bool release(struct client *cl, unsigned i)
{
	struct held *h = &cl->files[i];
	nfs_argop4 ops[2];
	struct reply r;
	bool ok = true;

	if (h->locked) {
		memset(ops, 0, sizeof(ops));
		put_fh(&ops[0], h->fh, h->fh_len);
		ops[1].argop = OP_LOCKU;
		ops[1].nfs_argop4_u.oplocku.locktype = WRITE_LT;
		ops[1].nfs_argop4_u.oplocku.seqid = 1;
		ops[1].nfs_argop4_u.oplocku.lock_stateid = h->lock_sid;
		ops[1].nfs_argop4_u.oplocku.offset = cl->offset;
		ops[1].nfs_argop4_u.oplocku.length = cl->length;
		ok = compound(cl, ops, 2, &r, NULL) && r.status == NFS4_OK;
		h->locked = false;
	}
	memset(ops, 0, sizeof(ops));
	put_fh(&ops[0], h->fh, h->fh_len);
	ops[1].argop = OP_CLOSE;
	ops[1].nfs_argop4_u.opclose.seqid = cl->oo_seqid++;
	ops[1].nfs_argop4_u.opclose.open_stateid = h->open_sid;
	return compound(cl, ops, 2, &r, NULL) && r.status == NFS4_OK && ok;
}

static void new_verifier(struct client *cl)
{
	uint64_t v = now_us() ^ ((uint64_t)getpid() << 32);

	memcpy(cl->verifier, &v, NFS4_VERIFIER_SIZE);
}

/* ---- hold ---- */

static bool needs_recovery(int st)
{
	return st == NFS4ERR_STALE_CLIENTID || st == NFS4ERR_EXPIRED ||
	       st == NFS4ERR_STALE_STATEID || st == NFS4ERR_BAD_STATEID ||
	       st == NFS4ERR_ADMIN_REVOKED;
}

static bool reclaim_refused(int st)
{
	return st == NFS4ERR_NO_GRACE || st == NFS4ERR_RECLAIM_BAD ||
	       st == NFS4ERR_RECLAIM_CONFLICT || st == NFS4ERR_DENIED;
}

/*
 * Recovery after the server behind the address changed: a new client
 * record with the same id string and verifier (this client did not
 * reboot), then each open and lock reclaimed.  Retries while the address
 * does not answer.  Returns 0 when all is reclaimed, 3 when a reclaim
 * was refused (the lock is lost), 1 when stopped.
 */
static int recover(struct client *cl, const char *why)
{
	unsigned i, tries = 0;
	bool want[MAX_FILES];	/* the locks held when it began: reclaimed */
	int st;

	for (i = 0; i < cl->n_files; i++)
		want[i] = cl->files[i].locked;

	say(cl, "RECOVER", "reason=%s", why);
	while (!stopping) {
		if (tries++)
			usleep(100 * 1000);
		disconnect(cl);
		if (!connect_server(cl))
			continue;
		st = establish(cl);
		if (st != NFS4_OK) {
			if (st != -1)
				say(cl, "SETCLIENTID", "status=%s", nfsstat_name(st));
			continue;
		}
		say(cl, "SETCLIENTID", "status=NFS4_OK clientid=%llx",
		    (unsigned long long)cl->clientid);
		for (i = 0; i < cl->n_files; i++) {
			cl->files[i].locked = false;
			st = open_and_lock(cl, i, true, "RECLAIM", want[i]);
			if (st == -1 || st == NFS4ERR_STALE_CLIENTID || st == NFS4ERR_DELAY)
				break;
			if (st != NFS4_OK) {
				say(cl, "LOST", "file=%s status=%s", cl->files[i].name,
				    nfsstat_name(st));
				return reclaim_refused(st) ? 3 : 4;
			}
		}
		if (i < cl->n_files)
			continue;
		say(cl, "RECLAIMED", "files=%u", cl->n_files);
		return 0;
	}
	return 1;
}

static int hold(struct client *cl, int renew_ms)
{
	unsigned i;
	int st;

	new_verifier(cl);
	for (i = 0; !connect_server(cl); i++) {
		if (i == 50 || stopping) {
			say(cl, "CONNECT", "result=ERROR");
			return 2;
		}
		usleep(200 * 1000);
	}
	st = establish(cl);
	say(cl, "SETCLIENTID", "status=%s clientid=%llx", st == -1 ? "ERROR" : nfsstat_name(st),
	    (unsigned long long)cl->clientid);
	if (st != NFS4_OK)
		return 2;
	st = lookup_export(cl);
	if (st != NFS4_OK) {
		say(cl, "LOOKUP", "export=%s status=%s", cl->export,
		    st == -1 ? "ERROR" : nfsstat_name(st));
		return 2;
	}
	for (i = 0; i < cl->n_files; i++) {
		/* A server in grace refuses new state: wait it out, as a client does. */
		while ((st = open_and_lock(cl, i, false, "LOCK", true)) == NFS4ERR_GRACE && !stopping)
			usleep(500 * 1000);
		if (st != NFS4_OK)
			return 2;
	}
	say(cl, "HOLDING", "files=%u", cl->n_files);
	st = NFS4_OK;
	while (!stopping) {
		/* After a lost connection, reconnect and renew at once. */
		usleep((useconds_t)(st == -1 ? 100 : renew_ms) * 1000);
		if (stopping)
			break;
		st = renew(cl);
		if (st == NFS4_OK)
			continue;
		say(cl, "RENEW", "status=%s", st == -1 ? "ERROR" : nfsstat_name(st));
		if (st == -1 || !needs_recovery(st))
			continue;
		st = recover(cl, st == -1 ? "connection" : nfsstat_name(st));
		if (st)
			return st;
	}
	{
		unsigned done = 0;

		releasing = true;
		for (i = 0; i < cl->n_files; i++)
			done += release(cl, i);
		say(cl, "RELEASED", "files=%u ok=%u", cl->n_files, done);
	}
	return 0;
}

/* ---- cycle ---- */

/* LOCKU of file I's lock (its lock owner's first op after LOCK: seqid 1). */
static int unlock_file(struct client *cl, unsigned i)
{
	struct held *h = &cl->files[i];
	nfs_argop4 ops[2];
	struct reply r;

	memset(ops, 0, sizeof(ops));
	put_fh(&ops[0], h->fh, h->fh_len);
	ops[1].argop = OP_LOCKU;
	ops[1].nfs_argop4_u.oplocku.locktype = WRITE_LT;
	ops[1].nfs_argop4_u.oplocku.seqid = 1;
	ops[1].nfs_argop4_u.oplocku.lock_stateid = h->lock_sid;
	ops[1].nfs_argop4_u.oplocku.offset = cl->offset;
	ops[1].nfs_argop4_u.oplocku.length = cl->length;
	/* Whatever the answer, this client no longer claims the lock. */
	h->locked = false;
	if (!compound(cl, ops, 2, &r, NULL))
		return -1;
	return r.status;
}

/*
 * cycle: as hold, but the file stays open and its lock is taken, held
 * HOLD_MS, released (UNLOCKING is printed before the LOCKU is sent: from
 * then on this client no longer claims it), and retaken GAP_MS later, a
 * refused LOCK (DENIED, GRACE) retried every GAP_MS; renewing meanwhile.
 * A recovery reclaims the open, and the lock only when it was held.
 */
static int cycle(struct client *cl, int renew_ms, int hold_ms, int gap_ms)
{
	uint64_t next;
	unsigned i;
	int st;

	new_verifier(cl);
	for (i = 0; !connect_server(cl); i++) {
		if (i == 50 || stopping) {
			say(cl, "CONNECT", "result=ERROR");
			return 2;
		}
		usleep(200 * 1000);
	}
	st = establish(cl);
	if (st == NFS4_OK)
		st = lookup_export(cl);
	while (st == NFS4_OK && (st = open_and_lock(cl, 0, false, "OPEN", false)) == NFS4ERR_GRACE &&
	       !stopping)
		usleep(500 * 1000);
	if (st != NFS4_OK) {
		say(cl, "SETUP", "status=%s", st == -1 ? "ERROR" : nfsstat_name(st));
		return 2;
	}
	next = now_us();
	st = NFS4_OK;
	while (!stopping) {
		usleep((useconds_t)(st == -1 ? 100 : renew_ms) * 1000);
		if (stopping)
			break;
		if (now_us() < next) {
			st = renew(cl);
		} else if (cl->files[0].locked) {
			say(cl, "UNLOCKING", "file=%s", cl->files[0].name);
			st = unlock_file(cl, 0);
			say(cl, "UNLOCK", "file=%s status=%s", cl->files[0].name,
			    st == -1 ? "ERROR" : nfsstat_name(st));
			next = now_us() + (uint64_t)gap_ms * 1000u;
		} else {
			st = lock_file(cl, 0, false, "LOCK");
			next = now_us() + (uint64_t)(st == NFS4_OK ? hold_ms : gap_ms) * 1000u;
			if (st == NFS4ERR_DENIED || st == NFS4ERR_GRACE)
				st = NFS4_OK;
		}
		if (st == NFS4_OK || st == -1 || !needs_recovery(st))
			continue;
		st = recover(cl, nfsstat_name(st));
		if (st)
			return st;
	}
	releasing = true;
	say(cl, "RELEASED", "files=1 ok=%d", release(cl, 0));
	return 0;
}

/* ---- try ---- */

/* One attempt as a new client incarnation: GRANTED, DENIED, GRACE, ERROR. */
static const char *attempt(struct client *cl, bool *granted)
{
	int st;

	*granted = false;
	new_verifier(cl);
	st = establish(cl);
	if (st == -1)
		return "ERROR";
	if (st != NFS4_OK)
		return st == NFS4ERR_GRACE ? "GRACE" : "ERROR";
	if (!cl->dir_fh_len && lookup_export(cl) != NFS4_OK)
		return "ERROR";
	st = open_and_lock(cl, 0, false, "TRY_LOCK", true);
	if (st == NFS4_OK) {
		*granted = true;
		return "GRANTED";
	}
	if (st == NFS4ERR_DENIED)
		return "DENIED";
	if (st == NFS4ERR_GRACE)
		return "GRACE";
	return "ERROR";
}

static int try_lock(struct client *cl, int every_ms, int for_ms, bool keep, int renew_ms)
{
	uint64_t end = now_us() + (uint64_t)for_ms * 1000u;
	unsigned n = 0, grants = 0;
	bool granted;
	const char *res;

	do {
		if (n++)
			usleep((useconds_t)every_ms * 1000);
		if (stopping)
			break;
		if (!cl->rpc && !connect_server(cl)) {
			say(cl, "TRY", "n=%u result=ERROR error=connect", n);
			continue;
		}
		res = attempt(cl, &granted);
		if (stopping && !granted)
			break;	/* an attempt cut short is no answer */
		say(cl, "TRY", "n=%u result=%s", n, res);
		if (!granted)
			continue;
		grants++;
		if (keep) {
			while (!stopping && renew(cl) == NFS4_OK)
				usleep((useconds_t)renew_ms * 1000);
			say(cl, "KEPT", "until=%s", stopping ? "stopped" : "renew-failed");
			releasing = true;
			release(cl, 0);
			return 0;
		}
		releasing = true;	/* B must not keep what it was granted */
		release(cl, 0);
		releasing = false;
	} while (!stopping && now_us() < end);
	say(cl, "TRIED", "attempts=%u granted=%u", n, grants);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: nfs4_client hold|cycle|try --server IP --id NAME --file NAME [--file NAME...]\n"
		"       [--export /export] [--offset N] [--length N] [--renew-ms N]\n"
		"       [--every-ms N] [--for-ms N] [--keep] [--timeout-ms N] [--linux-id]\n"
		"       [--hold-ms N] [--gap-ms N]\n");
	exit(2);
}

static long num(const char *s, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0) {
		fprintf(stderr, "nfs4_client: bad %s: %s\n", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", 1, 0, 's' }, { "id", 1, 0, 'i' }, { "file", 1, 0, 'f' },
		{ "export", 1, 0, 'e' }, { "offset", 1, 0, 'o' }, { "length", 1, 0, 'l' },
		{ "renew-ms", 1, 0, 'r' }, { "every-ms", 1, 0, 'E' }, { "for-ms", 1, 0, 'F' },
		{ "keep", 0, 0, 'k' }, { "timeout-ms", 1, 0, 't' }, { "linux-id", 0, 0, 'L' },
		{ "hold-ms", 1, 0, 'H' }, { "gap-ms", 1, 0, 'G' },
		{ 0, 0, 0, 0 },
	};
	struct client cl = { .export = "/export", .length = 100, .timeout_ms = 2000 };
	int renew_ms = 1000, every_ms = 200, for_ms = 0, hold_ms = 2000, gap_ms = 1000, c;
	bool keep = false, linux_id = false;
	const char *mode;

	if (argc < 2)
		usage();
	mode = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': cl.server = optarg; break;
		case 'i': cl.id = optarg; break;
		case 'f':
			if (cl.n_files == MAX_FILES) {
				fprintf(stderr, "nfs4_client: at most %d files\n", MAX_FILES);
				return 2;
			}
			cl.files[cl.n_files++].name = optarg;
			break;
		case 'e': cl.export = optarg; break;
		case 'o': cl.offset = (uint64_t)num(optarg, "offset"); break;
		case 'l': cl.length = (uint64_t)num(optarg, "length"); break;
		case 'r': renew_ms = (int)num(optarg, "renew-ms"); break;
		case 'E': every_ms = (int)num(optarg, "every-ms"); break;
		case 'F': for_ms = (int)num(optarg, "for-ms"); break;
		case 'k': keep = true; break;
		case 't': cl.timeout_ms = (int)num(optarg, "timeout-ms"); break;
		case 'L': linux_id = true; break;
		case 'H': hold_ms = (int)num(optarg, "hold-ms"); break;
		case 'G': gap_ms = (int)num(optarg, "gap-ms"); break;
		default: usage();
		}
	}
	if (!cl.server || !cl.id || !cl.n_files || cl.length == 0 || optind != argc)
		usage();
	if (linux_id)
		snprintf(cl.id_string, sizeof(cl.id_string), "Linux NFSv4.0 %s/%s tcp", cl.id, cl.server);
	else
		snprintf(cl.id_string, sizeof(cl.id_string), "%s", cl.id);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(mode, "hold"))
		return hold(&cl, renew_ms);
	if (!strcmp(mode, "cycle")) {
		if (cl.n_files != 1)
			usage();
		return cycle(&cl, renew_ms, hold_ms, gap_ms);
	}
	if (!strcmp(mode, "try")) {
		if (cl.n_files != 1)
			usage();
		return try_lock(&cl, every_ms, for_ms, keep, renew_ms);
	}
	usage();
	return 2;
}
