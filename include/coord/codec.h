/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Why a codec in proto/ refused: the CPG wire (coord/wire.h) and the
 * control protocol (coord/ctl.h) refuse bytes for the same reasons and
 * return the same negative codes.  Each protocol names them in its own
 * words (coord_wire_strerror, coord_ctl_strerror).  Numbers are never
 * reused: per-error counters are indexed by -code, and coordctl status and
 * the metrics name those counters (coord_ctl_wire_counter_name).
 */
#ifndef COORD_CODEC_H
#define COORD_CODEC_H

enum coord_codec_error {
	COORD_CODEC_OK = 0,
	COORD_CODEC_TRUNCATED = -1,	/* shorter than its header or payload */
	COORD_CODEC_BAD_MAGIC = -2,	/* not a message of this protocol */
	COORD_CODEC_BAD_VERSION = -3,	/* a major version we do not speak */
	COORD_CODEC_BAD_TYPE = -4,	/* unknown type (control: or not of
					 * this side, a request or a record) */
	COORD_CODEC_LENGTH_MISMATCH = -5, /* header length != bytes given */
	COORD_CODEC_BOUND = -6,		/* a count or length over its bound */
	COORD_CODEC_BAD_FIELD = -7,	/* an enum, flag, address, string or
					 * sequence invalid */
	COORD_CODEC_RESERVED = -8,	/* a reserved field is not zero */
	COORD_CODEC_TRAILING = -9,	/* extra bytes from a sender whose
					 * minor is not newer */
	COORD_CODEC_NO_SPACE = -10,	/* encode: the buffer is too small */
};
#define COORD_CODEC_ERROR_COUNT	11	/* for per-error counters: index -err */

#endif
