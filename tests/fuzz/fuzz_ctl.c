/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the control protocol decoders.
 *
 * Any input is offered as a request (what coordd reads from a client)
 * and as a reply record (what coordctl reads from coordd).  A decoder
 * must not crash, read out of bounds or return a code outside enum
 * coord_codec_error.  An accepted frame must re-encode, decode again to an
 * equal struct.  From a same-minor sender it must re-encode to the
 * input's own bytes (the encoding is canonical); from a newer minor,
 * whose appended fields and unknown flag bits are dropped, the bytes may
 * differ.  A broken property aborts, which libFuzzer reports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coord/ctl.h"

#define VERSION_OFF	4	/* header: the version, 2 bytes */

static void broken(const char *what)
{
	fprintf(stderr, "fuzz_ctl: %s\n", what);
	abort();
}

static void check_code(int rc)
{
	if (rc > 0 || rc <= -COORD_CODEC_ERROR_COUNT || rc == COORD_CODEC_NO_SPACE)
		broken("decode returned a code outside its error list");
}

/* buf (len) re-encodes data (size), which a sender of version sent. */
static void check_canonical(const uint8_t *data, size_t size, const uint8_t *buf,
			    size_t len, uint16_t version)
{
	if (len > size)
		broken("re-encoding is longer than the input");
	if ((version & 0xff) > COORD_CTL_MINOR)
		return;		/* newer minor: what we do not know is dropped */
	if (len != size)
		broken("trailing bytes accepted from a sender not newer than us");
	/* The same bytes, but for the version field: ours is written. */
	if (memcmp(buf, data, VERSION_OFF) != 0 ||
	    memcmp(buf + VERSION_OFF + 2, data + VERSION_OFF + 2,
		   len - VERSION_OFF - 2) != 0)
		broken("the re-encoded bytes differ from the input's");
}

static void as_request(const uint8_t *data, size_t size)
{
	uint8_t buf[COORD_CTL_MAX_REQUEST];
	struct coord_ctl_request req, again;
	int rc, len;

	rc = coord_ctl_request_decode(data, size, &req);
	check_code(rc);
	if (rc != COORD_CODEC_OK)
		return;
	if (req.seq == 0)
		broken("a request with sequence 0 was accepted");
	len = coord_ctl_request_encode(&req, buf, sizeof(buf));
	if (len < 0)
		broken("a decoded request does not encode");
	if (coord_ctl_request_decode(buf, (size_t)len, &again) != COORD_CODEC_OK)
		broken("a re-encoded request does not decode");
	again.version = req.version;
	if (memcmp(&req, &again, sizeof(req)) != 0)
		broken("decode(encode(decode(x))) differs from decode(x), request");
	check_canonical(data, size, buf, (size_t)len, req.version);
}

static void as_record(const uint8_t *data, size_t size)
{
	uint8_t buf[COORD_CTL_MAX_RECORD];
	struct coord_ctl_record rec, again;
	int rc, len;

	rc = coord_ctl_record_decode(data, size, &rec);
	check_code(rc);
	if (rc != COORD_CODEC_OK)
		return;
	len = coord_ctl_record_encode(&rec, buf, sizeof(buf));
	if (len < 0)
		broken("a decoded record does not encode");
	if (coord_ctl_record_decode(buf, (size_t)len, &again) != COORD_CODEC_OK)
		broken("a re-encoded record does not decode");
	again.version = rec.version;
	if (memcmp(&rec, &again, sizeof(rec)) != 0)
		broken("decode(encode(decode(x))) differs from decode(x), record");
	check_canonical(data, size, buf, (size_t)len, rec.version);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct coord_ctl_header h;
	int rc = coord_ctl_header_decode(data, size, &h);

	check_code(rc);
	if (rc == COORD_CODEC_OK && h.length < COORD_CTL_HEADER_LEN)
		broken("a header shorter than itself was accepted");
	as_request(data, size);
	as_record(data, size);
	return 0;
}
