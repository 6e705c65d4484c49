/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ganesha.nfsd on D-Bus, as nfs-ganesha names it: its well-known name,
 * the admin object and interface grace.c calls (docs/grace.md) and
 * detect.c probes, and the object its heartbeat signal comes from.
 */
#ifndef COORD_GANESHA_BUS_H
#define COORD_GANESHA_BUS_H

#define GANESHA_NAME		"org.ganesha.nfsd"
#define GANESHA_ADMIN_PATH	"/org/ganesha/nfsd/admin"
#define GANESHA_ADMIN_IFACE	"org.ganesha.nfsd.admin"
#define GANESHA_HEARTBEAT_PATH	"/org/ganesha/nfsd/heartbeat"

#endif
