/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The metrics_listen address: "PORT" (127.0.0.1:PORT), "IPV4:PORT" or
 * "[IPV6]:PORT".  Numeric only: coordd resolves no names.
 */
#ifndef COORD_LISTEN_H
#define COORD_LISTEN_H

#include <sys/socket.h>

/* Returns 0 with *addr and *len filled, or -1 when text is not one of those. */
int coord_listen_parse(const char *text, struct sockaddr_storage *addr, socklen_t *len);

#endif
