/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coordctl: asks the local coordd one thing over its control socket.
 *
 * Linear: the command line (coordctl_parse.c), one exchange
 * (coordctl_exchange.c), print (coordctl_output.c); move and check are
 * commands of their own (coordctl_move.c, coordctl_check.c).
 */
#include <stdio.h>

#include "coord/ctl.h"
#include "coordctl.h"

/* The printers (coordctl_output.c) as an exchange's sink. */
static void sink_record(void *o, const struct coord_ctl_record *rec)
{
	ctl_output_record(o, rec);
}

static int sink_end(void *o, const struct coord_ctl_end *end, double round_trip_ms)
{
	return ctl_output_end(o, end, round_trip_ms);
}

static void sink_error(void *o, int exit_code, const char *message)
{
	ctl_output_error(o, exit_code, message);
}

int main(int argc, char **argv)
{
	struct ctl_args a;
	struct coord_ctl_request req;
	struct ctl_sink sink = { sink_record, sink_end, sink_error, NULL };
	int rc;

	rc = ctl_parse(argc, argv, &a, &req);
	if (rc >= 0 && a.usage_error[0])
		ctl_output_usage_error(&a, rc);
	if (rc >= 0)
		return rc;
	if (req.type == CTL_LOCAL_MOVE)
		return ctl_move(a.move_vip, a.move_node, a.timeout_ms);
	if (req.type == CTL_LOCAL_CHECK)
		return ctl_check(a.path, a.timeout_ms, a.json);
	req.seq = ctl_new_seq();
	sink.ctx = ctl_output_new(stdout, req.type, a.json);
	if (!sink.ctx) {
		fprintf(stderr, "coordctl: out of memory\n");
		return CTL_EXIT_FAILED;
	}
	rc = ctl_exchange(a.path, &req, a.timeout_ms, &sink);
	ctl_output_free(sink.ctx);
	if (fflush(stdout) != 0 && rc == CTL_EXIT_OK)
		rc = CTL_EXIT_FAILED;
	return rc;
}
