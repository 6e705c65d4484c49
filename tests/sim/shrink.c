/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shrinking: a violated schedule, replayed with fewer steps and fewer
 * fault kinds, to the shortest prefix and the smallest mask that still
 * break the same invariant.
 */
#include "sim.h"

/* The shortest prefix, and the fewest fault kinds, that still break it. */
void shrink(uint64_t seed, const char *inv, long *steps, unsigned *mask)
{
	long lo = 0, hi = 1000000;
	unsigned bit;

	while (lo < hi) {
		long mid = (lo + hi) / 2;
		const char *v = run(seed, mid, F_ALL, false);
		if (v && !strcmp(v, inv))
			hi = mid;
		else
			lo = mid + 1;
	}
	*steps = hi;
	*mask = F_ALL;
	for (bit = 1; bit < F_ALL; bit <<= 1) {
		const char *v = run(seed, *steps, *mask & ~bit, false);
		if (v && !strcmp(v, inv))
			*mask &= ~bit;
	}
}
