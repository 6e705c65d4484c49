# SPDX-License-Identifier: GPL-2.0-or-later
# make bench: barrier latency against a bare CPG probe, the old fixed-sleep
# method, and coordd's cost, on the netns lab.  Not part of make check.
# Writes bench/results.json and prints its tables (bench/bench.sh: knobs).

BENCH_BINS := $(B)/bench/cpg_probe $(B)/bench/probe_trigger $(B)/bench/vip_connect

$(B)/bench/cpg_probe: bench/cpg_probe.c | have-build-libs
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags libcpg dbus-1) -o $@ $< \
		$(shell pkg-config --libs libcpg dbus-1) $(LDFLAGS)
$(B)/bench/vip_connect: bench/vip_connect.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LDFLAGS)
$(B)/bench/probe_trigger: bench/probe_trigger.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LDFLAGS)

bench: deps
	@$(LAB_BUILD) $(BENCH_BINS)
	@B=$(B) bash bench/bench.sh
	@B=$(B) bash bench/e2e.sh
	@bash bench/vip_agent.sh

# The VIP's own agent: IPaddr2 against agents/coord_vip (VIP_ROUNDS=N).
.PHONY: bench-vip
bench-vip:
	@bash bench/vip_agent.sh

# make bench-grace: the grace a failover costs every client, per ganesha
# configuration (bench/grace.sh; GRACE_CONFIGS="NLM:GRACE:LEASE ...",
# GRACE_REPS failovers each).  Figures only; not part of make check.
GRACE_CONFIGS ?= true:90:60 false:90:60 false:20:10 false:15:8
GRACE_REPS ?= 3
.PHONY: bench-grace
bench-grace: deps
	@$(LAB_BUILD)
	@for c in $(GRACE_CONFIGS); do \
		GRACE_NLM=$${c%%:*} NFS_GRACE=$$(echo $$c | cut -d: -f2) NFS_LEASE=$${c##*:} \
		GRACE_REPS=$(GRACE_REPS) B=$(B) bash bench/grace.sh; done

# make bench-client: the client's side of a failover in the recommended
# configuration (gated groups, docs/migration.md step 3) beside the plain
# address, IPaddr2 and coord_vip, the old method as baseline, and pacemaker
# levers (bench/e2e_client.sh: CLIENT_CONFIGS, CLIENT_LEVERS, CLIENT_RUNS,
# CLIENT_NFS, CLIENT_OLD_RUNS).  Figures only; not part of make check or make bench.
.PHONY: bench-client
bench-client: deps
	@$(LAB_BUILD) $(BENCH_BINS)
	@B=$(B) bash bench/e2e_client.sh
