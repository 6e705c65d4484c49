/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulator: N instances of the real barrier engine (coord/core/engine.c,
 * the code coordd links) in one process, on a virtual clock, connected by
 * a model of what corosync's CPG guarantees.  docs/simulation.md states
 * the model and the invariants checked after every step.  This file holds
 * main: the options, the schedules run one after the other, the summary.
 *
 *   sim [-n SCHEDULES] [-s FIRST-SEED]     run schedules, print one summary
 *   sim -r SEED [-k STEPS] [-m MASK]       replay one schedule, with a trace
 *   -x: stop at the first violation;  -l: list every violation, unshrunk
 *   -I INVARIANT: do not check that one
 *
 * The rest, beside it (sim.h says what they share): generator.c draws the
 * inputs; engines.c, delivery.c, membership.c, vips.c and clock.c are the
 * model; invariants.c the checks; schedule.c runs one schedule; shrink.c
 * shrinks a failing one.
 */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "sim.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	uint64_t first = 1, schedules = 1000, replay = 0, s, steps = 0, violations = 0;
	long rsteps = -1;
	unsigned rmask = F_ALL;
	int c, shown = 0;
	bool first_only = false, list = false;
	uint64_t t0;
	double secs;

	while ((c = getopt(argc, argv, "n:s:r:k:m:I:xlh")) != -1) {
		switch (c) {
		case 'n': schedules = strtoull(optarg, NULL, 10); break;
		case 's': first = strtoull(optarg, NULL, 10); break;
		case 'r': replay = strtoull(optarg, NULL, 10); break;
		case 'k': rsteps = strtol(optarg, NULL, 10); break;
		case 'm': rmask = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'x': first_only = true; break;
		case 'l': list = true; break;
		case 'I': ignored = optarg; break;
		default:
			fprintf(stderr, "usage: sim [-n SCHEDULES] [-s FIRST-SEED] | "
				"-r SEED [-k STEPS] [-m MASK]  (-x: stop at the first violation; "
				"-l: list every violation, unshrunk; -I INVARIANT: do not check it)\n");
			return c == 'h' ? 0 : 2;
		}
	}
	t0 = mono_ns();
	if (replay) {
		const char *v = run(replay, rsteps, rmask, true);
		steps = S.steps;
		if (v) {
			printf("seed %" PRIu64 ": invariant %s violated: %s\n", replay, v, S.why);
			violations = 1;
		}
		schedules = 1;
	} else {
		for (s = first; s < first + schedules; s++) {
			const char *v = run(s, -1, F_ALL, false);
			steps += S.steps;
			if (!v)
				continue;
			violations++;
			if (list) {
				printf("seed %" PRIu64 ": invariant %s violated: %s\n", s, v, S.why);
				continue;
			}
			if (first_only) {
				printf("seed %" PRIu64 ": invariant %s violated: %s\n", s, v, S.why);
				schedules = s - first + 1;
				break;
			}
			if (shown++ < 3) {
				char why[256];
				long k;
				unsigned m;
				snprintf(why, sizeof(why), "%s", S.why);
				shrink(s, v, &k, &m);
				printf("seed %" PRIu64 ": invariant %s violated: %s\n", s, v, why);
				printf("  shrunk to %ld steps, fault mask 0x%x; the trace:\n", k, m);
				run(s, k, m, true);
				printf("  replay: make sim SEED=%" PRIu64 " STEPS=%ld MASK=0x%x\n",
				       s, k, m);
			}
		}
	}
	secs = (double)(mono_ns() - t0) / 1e9;
	printf("sim: %" PRIu64 " schedules, %" PRIu64 " steps, %" PRIu64 " violations, "
	       "%.0f steps/s\n", schedules, steps, violations, secs > 0 ? steps / secs : 0);
	return violations ? 1 : 0;
}
