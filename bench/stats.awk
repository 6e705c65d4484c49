# SPDX-License-Identifier: GPL-2.0-or-later
# Summary of one column of numbers (microseconds) as a JSON object in
# milliseconds: n, min, median, p99, max.  Percentiles by nearest rank
# (the value at rank ceil(p * n) of the sorted samples), so every figure
# is a sample that was measured.  Usage: awk -v col=K [-v minus=J] -f stats.awk FILE
# (with minus: the column K - J).
function rank(p) { r = int(p * n); if (r < p * n) r++; if (r < 1) r = 1; return v[r] }
{ v[++n] = $col - (minus ? $minus : 0) }
END {
	if (n == 0) { print "null"; exit }
	# insertion sort: n is a few hundred
	for (i = 2; i <= n; i++) {
		x = v[i]
		for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]
		v[j + 1] = x
	}
	printf "{\"n\":%d,\"min\":%.3f,\"median\":%.3f,\"p99\":%.3f,\"max\":%.3f}\n",
		n, v[1] / 1000, rank(0.5) / 1000, rank(0.99) / 1000, v[n] / 1000
}
