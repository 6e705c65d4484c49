/*
 * coordd's asynchronous client of nfs-ganesha's admin D-Bus interface.
 *
 * A request asks the local ganesha.nfsd to enter grace for an event's
 * VIPs and reports one result, exactly once, always from the loop.  No
 * call blocks the loop: connecting to the bus, registering on it and the
 * method calls themselves are all asynchronous, each call with a timeout.
 * docs/grace.md says what is sent and why.
 */
#ifndef COORD_GRACE_H
#define COORD_GRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <dbus/dbus.h>
#include <qb/qbloop.h>
#include "coord/wire.h"

typedef void (*coord_grace_done_fn)(void *ctx, const struct coord_event_id *id,
				    uint8_t result, uint32_t latency_us,
				    const char *detail);

/* bus_address NULL or "": the system bus ($DBUS_SYSTEM_BUS_ADDRESS if set). */
struct coord_grace_client *coord_grace_new(qb_loop_t *loop, const char *bus_address,
					   uint32_t call_timeout_ms,
					   coord_grace_done_fn done, void *ctx);

/*
 * One grace call per VIP ("5:VIP"), or one "0:" call without VIPs.  done()
 * reports the worst result (no-bus, no-server, timeout, grace-failed,
 * in-grace) and the latency from this call to the last answer.
 */
void coord_grace_request(struct coord_grace_client *g, const struct coord_event_id *id,
			 const struct coord_vip *vips, size_t n_vips);

/*
 * One other user of the same connection (detect.c): connected() when a
 * connection is registered on the bus (add match rules and a filter
 * there), lost() when it is gone (its pending calls will not be answered:
 * cancel them).  Both from the loop.  If a connection is registered
 * already, connected() is called now.
 */
struct coord_bus_user {
	void (*connected)(void *ctx, DBusConnection *conn);
	void (*lost)(void *ctx);
};
void coord_grace_set_bus_user(struct coord_grace_client *g,
			      const struct coord_bus_user *user, void *ctx);

/*
 * Connects now unless connected (grace requests reconnect by themselves;
 * the other user has no request to wait for).  0 (connecting), or
 * -errno: -EAGAIN when a lost connection is still being dropped.
 */
int coord_grace_connect(struct coord_grace_client *g);

bool coord_grace_bus_connected(const struct coord_grace_client *g);
size_t coord_grace_pending(const struct coord_grace_client *g);

/* Pending requests are dropped without calling done(): coordd is stopping. */
void coord_grace_free(struct coord_grace_client *g);

#endif
