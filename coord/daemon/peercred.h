/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Peer credentials of a unix socket connection, for the control socket:
 * root, or a member (primary or supplementary) of one group.
 */
#ifndef COORD_PEERCRED_H
#define COORD_PEERCRED_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

/*
 * Fills *cred (SO_PEERCRED) and says whether the peer is root or has gid
 * as its group or among its supplementary groups (SO_PEERGROUPS; on older
 * kernels /proc/PID/status).  Any failure to tell is a refusal.
 */
bool coord_peer_allowed(int fd, gid_t gid, struct ucred *cred);

/*
 * The supplementary groups of process pid from /proc/PID/status, but only
 * if its effective uid is still uid (the pid may have been reused).
 * Returns the number of groups stored (at most max), or -errno.
 */
int coord_peer_proc_groups(pid_t pid, uid_t uid, gid_t *groups, size_t max);

#endif
