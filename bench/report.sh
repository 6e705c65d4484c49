#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Prints bench/results.json (or the file given) as tables.
set -u
f=${1:-$(dirname "$0")/results.json}

jq -r '
def f: if . == null then "-" else (. * 10 | round / 10 | tostring) end;
def row(s): "\(s.min | f) / \(s.median | f) / \(s.p99 | f) / \(s.max | f)";
"coord barrier latency against the bare CPG probe (\(.settings.rounds) failovers per node count,",
" origin rotating, interleaved; ms as min / median / p99 / max; ratio = coord / probe)",
"",
"nodes  measure      coord                          probe                       ratio med  ratio p99",
(.latency[] as $l |
  ( ["internal", $l.coord.internal_ms, $l.probe.internal_ms, $l.ratio.internal],
    ["end-to-end", $l.coord.end_to_end_ms, $l.probe.end_to_end_ms, $l.ratio.end_to_end] ) as [$m, $c, $p, $r] |
  "\($l.nodes | tostring | .[0:5] | . + "      " | .[0:5])  \($m + "            " | .[0:11])  \(row($c) + "                              " | .[0:29])  \(row($p) + "                           " | .[0:26])  \($r.median | tostring | . + "         " | .[0:9])  \($r.p99)"),
"",
"the same with the probe survivors also making one grace call over D-Bus (probe+D-Bus: cpg_probe -d)",
"nodes  measure      probe+D-Bus                    coord / probe+D-Bus: med  p99",
(.latency[] as $l |
  ( ["internal", $l.probe_dbus.internal_ms, $l.ratio_to_probe_dbus.internal],
    ["end-to-end", $l.probe_dbus.end_to_end_ms, $l.ratio_to_probe_dbus.end_to_end] ) as [$m, $p, $r] |
  "\($l.nodes | tostring | . + "      " | .[0:5])  \($m + "            " | .[0:11])  \(row($p) + "                              " | .[0:29])  \($r.median | tostring | . + "                         " | .[0:25])  \($r.p99)"),
"",
(.latency[] | "  \(.nodes) nodes: coord confirmed by every survivor \(.coord.confirmed_by_all)/\(.coord.internal_ms.n), probe all answers \(.probe.all_answers)/\(.probe.internal_ms.n), probe+D-Bus \(.probe_dbus.all_answers)/\(.probe_dbus.internal_ms.n)",
  "    stage medians (ms): coord request->delivery \(.coord.stages_ms.request_to_delivery.median | f), delivery->all answers \(.coord.stages_ms.delivery_to_all_answers.median | f) (slowest grace call \(.coord.stages_ms.slowest_grace_call.median | f)), answers->release \(.coord.stages_ms.all_answers_to_release.median | f); internal minus the slowest grace call \(.coord.stages_ms.internal_minus_slowest_grace_call.median | f)",
  "                        probe request->delivery \(.probe.stages_ms.request_to_delivery.median | f), delivery->all answers \(.probe.stages_ms.delivery_to_all_answers.median | f)",
"                        probe+D-Bus request->delivery \(.probe_dbus.stages_ms.request_to_delivery.median | f), delivery->all answers \(.probe_dbus.stages_ms.delivery_to_all_answers.median | f)"),
"",
(if .old_method then .old_method as $o |
"old method (notify + fixed \($o.old_method.fixed_sleep_s) s sleep) and coord, 3 nodes, one survivor \($o.slow_survivor_delay_ms) ms slow, \($o.runs) runs each:",
"  old method: released before every survivor was in grace in \($o.old_method.released_before_all_in_grace) of \($o.runs); release after \($o.old_method.release_ms.median | f) ms (median)",
"  coord:      released before every survivor was in grace in \($o.coord.released_before_all_in_grace) of \($o.runs); release after \($o.coord.release_ms.median | f) ms (median)",
"" else empty end),
(if .cost then .cost as $c |
"coordd cost, 3 nodes:",
"  idle:          RSS \([$c.idle[].rss_kib] | map(tostring) | join(" / ")) KiB, HWM \([$c.idle[].hwm_kib] | map(tostring) | join(" / ")) KiB (nodes 1 / 2 / 3)",
"                 of RSS: anonymous \([$c.idle[].anon_kib] | map(tostring) | join(" / ")), files (libraries) \([$c.idle[].file_kib] | map(tostring) | join(" / ")), shared memory \([$c.idle[].shmem_kib] | map(tostring) | join(" / ")) KiB",
"                 of shared memory, libqb blackbox \([$c.idle[].blackbox_kib] | map(tostring) | join(" / ")) KiB; PSS \([$c.idle[].pss_kib] | map(tostring) | join(" / ")) KiB",
"  after \($c.after_events.events) events: RSS \([$c.after_events.memory[].rss_kib] | map(tostring) | join(" / ")) KiB, HWM \([$c.after_events.memory[].hwm_kib] | map(tostring) | join(" / ")) KiB",
"                 of RSS: anonymous \([$c.after_events.memory[].anon_kib] | map(tostring) | join(" / ")) KiB",
"  CPU:           \($c.cpu.per_coordd_ms_per_failover) ms per coordd per failover (\($c.cpu.cluster_ms_per_failover) ms for the 3; \($c.cpu.ticks) ticks of 1/\($c.cpu.clk_tck) s over \($c.cpu.failovers) failovers)",
"" else empty end),
(if .pending then .pending as $p |
"\($p.crash_loops) events pending at once (node 2 coordd stopped, node 3 coordd crash-looped):",
"  node 1 pending: \($p.pending_on_node1); coordctl status \($p.coordctl_status_ms_median | f) ms, events --json \($p.coordctl_events_json_ms_median | f) ms (medians of 20)",
"  node 1 memory: RSS \($p.memory[0].rss_kib) KiB, HWM \($p.memory[0].hwm_kib) KiB; drained \($p.drained_ms_after_sigcont) ms after node 2 resumed; node 2 answers: \($p.node2_answers_after_sigcont | tostring)",
"" else empty end),
"targets at every node count: median <= 1.5x probe: internal \(.targets.median_within_1_5x.internal), end-to-end \(.targets.median_within_1_5x.end_to_end);",
"  p99 <= 3x probe: internal \(.targets.p99_within_3x.internal), end-to-end \(.targets.p99_within_3x.end_to_end); idle RSS < 4 MiB: \(.targets.idle_rss_under_4_mib)",
"machine: \(.machine.cpus) CPUs, \(.machine.cpu), kernel \(.machine.kernel); coordd log level \(.settings.log_level); \(.seconds) s in all"
' "$f"
