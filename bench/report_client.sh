#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Prints bench/results-client.json (or the file given) as tables.
set -u
f=${1:-$(dirname "$0")/results-client.json}
jq -r '
def f: if . == null then "-" else (. * 10 | round / 10 | tostring) end;
def mp: if . == null then "-" else "\(.median | f) / \(.p99 | f)" end;
def pad(n): tostring | . + "                              " | .[0:n];
"client side of a failover, from kill -9 of ganesha.nfsd (ms, median / p99; \(.nodes) nodes, \(.cpus) CPUs, load before / after \(.load_before_after); Grace_Period \(.ganesha.grace_period_s) s, Lease_Lifetime \(.ganesha.lease_lifetime_s) s, NLM off; \(.seconds) s in all)",
"",
"\("configuration" | pad(20)) \("lever" | pad(15)) runs  \("NULL answered" | pad(17)) \("reclaim granted" | pad(17)) \("new lock, moved VIP" | pad(20)) new lock, survivor VIPs",
(.results | sort_by(.config, .lever)[] |
 "\(.config | pad(20)) \(.lever | pad(15)) \(.runs | pad(5)) \(.from_death_ms.null_answered | mp | pad(17)) \(.from_death_ms.reclaim_granted | mp | pad(17)) \(.from_death_ms.new_lock_moved_vip | mp | pad(20)) \(.from_death_ms.new_lock_survivor_vips | mp)"),
"",
"stage medians (ms): detection, barrier, release (attrd_updater -D), release end -> address stop, address stop, -> gate stop, gate stop, -> gate start, gate start, -> address start, address start, address start end -> NULL answered",
(.results | sort_by(.config, .lever)[] | .stages_ms as $s |
 "\(.config | pad(20)) \(.lever | pad(15)) \($s.detection.median | f), \($s.barrier.median | f), \($s.release_attrd.median | f), \($s.release_end_to_addr_stop.median | f), \($s.addr_stop.median | f), \($s.addr_stop_end_to_gate_stop.median | f), \($s.gate_stop.median | f), \(if $s.gate_stop_end_to_gate_start then $s.gate_stop_end_to_gate_start.median | f else "(stop end -> start: \($s.addr_stop_end_to_addr_start.median | f))" end), \($s.gate_start.median | f), \($s.gate_start_end_to_addr_start.median | f), \($s.addr_start.median | f), \($s.addr_start_end_to_null.median | f)")
' "$f"
