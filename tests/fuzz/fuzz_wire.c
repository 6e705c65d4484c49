/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the CPG wire decoder.
 *
 * Any input: the decoder must not crash, read out of bounds or return a
 * code outside enum coord_codec_error.  An accepted input must re-encode,
 * decode again to an equal message, and re-encode to the input's own
 * bytes except for the version and anything a newer minor appended:
 * the encoding is canonical.  A broken property aborts, which libFuzzer
 * reports as a crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coord/wire.h"

#define VERSION_OFF	4	/* header: the version, 2 bytes */
#define LENGTH_OFF	8	/* header: the length, 4 bytes */

static void broken(const char *what)
{
	fprintf(stderr, "fuzz_wire: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t buf[COORD_WIRE_MAX_LEN];
	struct coord_msg msg, again;
	int rc, len;

	rc = coord_msg_decode(data, size, &msg);
	if (rc > 0 || rc <= -COORD_CODEC_ERROR_COUNT || rc == COORD_CODEC_NO_SPACE)
		broken("decode returned a code outside its error list");
	if (rc != COORD_CODEC_OK)
		return 0;

	len = coord_msg_encode(&msg, buf, sizeof(buf));
	if (len < 0)
		broken("a decoded message does not encode");
	if ((size_t)len > size)
		broken("re-encoding is longer than the input");
	if (coord_msg_decode(buf, (size_t)len, &again) != COORD_CODEC_OK)
		broken("a re-encoded message does not decode");
	if (!coord_msg_equal(&msg, &again))
		broken("decode(encode(decode(x))) differs from decode(x)");
	if (memcmp(buf, data, VERSION_OFF) != 0 ||
	    memcmp(buf + VERSION_OFF + 2, data + VERSION_OFF + 2,
		   LENGTH_OFF - VERSION_OFF - 2) != 0 ||
	    memcmp(buf + LENGTH_OFF + 4, data + LENGTH_OFF + 4,
		   (size_t)len - LENGTH_OFF - 4) != 0)
		broken("the re-encoded bytes differ from the input's");
	if ((size_t)len != size && msg.version == COORD_PROTO_VERSION)
		broken("trailing bytes accepted from a same-version sender");
	return 0;
}
