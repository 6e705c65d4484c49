# SPDX-License-Identifier: GPL-2.0-or-later
# coord: confirmed-grace failover coordinator for NFS-Ganesha clusters.
# Targets: all (default), deps, check, demo, demo-nfs, demo-failback, demo-dashboard, soak, soak-nfs, sim, sim-mutants, mutation,
# fuzz, bench, bench-vip, bench-grace, bench-client, deb, install, uninstall, clean.  See README.md.
#
# A build (all, unit, install, deb) only asks pkg-config for its libraries
# and never installs anything.  make deps (tests/deps.sh, as root) installs
# what building and testing need; the targets that run the tests call it
# first.

VERSION   := 0.1.0
PREFIX    ?= /usr
SBINDIR   ?= $(PREFIX)/sbin
MANDIR    ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
OCFDIR    ?= /usr/lib/ocf/resource.d/coord
# The agents' shared code, where OCF puts a provider's (as heartbeat's
# ocf-shellfuncs in /usr/lib/ocf/lib/heartbeat): sourced, not run.
OCFLIBDIR ?= /usr/lib/ocf/lib/coord
UNITDIR   ?= /lib/systemd/system
# The monitoring files (monitoring/): a Grafana dashboard, Prometheus
# alert rules, example Prometheus and Alertmanager configurations.
DATADIR   ?= $(PREFIX)/share/coord
MONITORING := monitoring/coord-dashboard.json monitoring/coord-alerts.yml \
	monitoring/prometheus-example.yml monitoring/alertmanager-example.yml
# coordd's state directory (its crash blackbox: coordd.c), fixed in
# coordd and the unit's StateDirectory=; installed so that a coordd run by
# pacemaker (ocf:coord:coordd) or by hand has it too.
STATEDIR  := /var/lib/coord
DESTDIR   ?=

CC        ?= cc
B         ?= build
# The libraries coordd links, as pkg-config module:Debian package (the
# package that ships the module's .pc file); the unit tests add cmocka.
BUILD_LIBS := libcpg:libcpg-dev libquorum:libquorum-dev \
	libcorosync_common:libcorosync-common-dev libqb:libqb-dev dbus-1:libdbus-1-dev \
	libmicrohttpd:libmicrohttpd-dev libsystemd:libsystemd-dev
UNIT_LIBS := cmocka:libcmocka-dev
PKGS      := $(foreach l,$(BUILD_LIBS),$(firstword $(subst :, ,$(l))))

WARN      := -Wall -Wextra -Werror
CFLAGS    ?= -O2 -g
# BASE_CFLAGS: what every C file of the tree is built with (the simulator
# and its mutants too); ALL_CFLAGS adds what the programs print.
BASE_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) -Iinclude -D_GNU_SOURCE $(EXTRA_CFLAGS)
ALL_CFLAGS = $(BASE_CFLAGS) -DCOORD_VERSION='"$(VERSION)"'
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

# The codecs: all coordctl links.
PROTO_SRCS  := $(wildcard proto/*.c)
# The barrier engine (coord/core/): deterministic, no I/O.
ENGINE_SRCS := $(wildcard coord/core/*.c)
# The codecs and the engine, linked by coordd, the tests and the simulator.
CORE_SRCS   := $(PROTO_SRCS) $(ENGINE_SRCS)
# coordctl (coord/ctl/): its main, command line, printers and move;
# linked with proto/ alone.
CTL_SRCS    := $(wildcard coord/ctl/*.c)
# coordd (coord/daemon/): its adapters (CPG, quorum, D-Bus, control
# socket, config, ...) in libcoordd.a, which the tests link too, and its
# main, coordd.c.
DAEMON_MAIN := coord/daemon/coordd.c
DAEMON_SRCS := $(filter-out $(DAEMON_MAIN), $(wildcard coord/daemon/*.c))

obj = $(patsubst %.c,$(B)/%.o,$(1))

PROTO_OBJS  := $(call obj,$(PROTO_SRCS))
CORE_OBJS   := $(call obj,$(CORE_SRCS))
CTL_OBJS    := $(call obj,$(CTL_SRCS))
DAEMON_OBJS := $(call obj,$(DAEMON_SRCS))

# The in-process cluster the engine's tests and the simulator share.
HARNESS_SRCS := tests/harness/cluster.c
HARNESS_OBJS := $(call obj,$(HARNESS_SRCS))

# The unit tests (cmocka): tests/unit/pure/ (no bus, socket or child
# process) and tests/unit/adapters/ (each with the thing it adapts to);
# each builds to $(B)/tests/test_NAME, the names tests/check.sh runs.
UNIT_SRCS   := $(wildcard tests/unit/pure/test_*.c tests/unit/adapters/test_*.c)
UNIT_BINS   := $(patsubst %.c,$(B)/tests/%,$(notdir $(UNIT_SRCS)))
ifneq ($(words $(UNIT_BINS)),$(words $(sort $(UNIT_BINS))))
$(error a unit test's name is in both tests/unit/pure/ and tests/unit/adapters/)
endif
LAB_SRCS    := $(wildcard tests/lab/tools/*.c)
LAB_BINS    := $(patsubst tests/lab/tools/%.c,$(B)/tests/lab/%,$(LAB_SRCS))

.PHONY: all deps have-build-libs have-unit-libs check unit demo demo-nfs demo-failback demo-dashboard soak soak-nfs sim sim-mutants fuzz bench bench-vip deb install uninstall clean
all: $(B)/coordd $(B)/coordctl

# Installs the packages the build and the tests need, only those missing
# (root).  Never a prerequisite of a build.
deps:
	@sh tests/deps.sh

# $(call missing,MODULE:PACKAGE ...): the pairs pkg-config does not find.
missing = $(strip $(foreach l,$(1),$(if $(shell pkg-config --exists $(firstword $(subst :, ,$(l))) && echo y),,$(l))))
# $(call need,MODULE:PACKAGE ...): stops make, naming what is missing.
need = $(call refuse,$(call missing,$(1)))
refuse = $(if $(1),$(error pkg-config finds no $(foreach l,$(1),$(firstword $(subst :, ,$(l)))): \
	install $(foreach l,$(1),$(lastword $(subst :, ,$(l)))) (Debian), or run make deps as root))
# Order-only: checked once per make, before anything is compiled.
have-build-libs:
	$(call need,$(BUILD_LIBS))
have-unit-libs: have-build-libs
	$(call need,$(UNIT_LIBS))

$(B)/%.o: %.c $(wildcard include/coord/*.h) $(wildcard coord/*/*.h) $(wildcard proto/*.h) | have-build-libs
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(B)/libcoordproto.a: $(PROTO_OBJS)
	$(AR) rcs $@ $^
$(B)/libcoordcore.a: $(CORE_OBJS)
	$(AR) rcs $@ $^
$(B)/libcoordd.a: $(DAEMON_OBJS)
	$(AR) rcs $@ $^

$(B)/coordd: $(call obj,$(DAEMON_MAIN)) $(B)/libcoordd.a $(B)/libcoordcore.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(PKG_LIBS) $(LDFLAGS)
$(B)/coordctl: $(CTL_OBJS) $(B)/libcoordproto.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDFLAGS)

TEST_HDRS   := $(wildcard tests/unit/*.h tests/unit/*/*.h tests/harness/*.h)

# Objects before the archives they call into (ctl_cluster.o: libcoordd.a).
define UNIT_LINK
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -Itests -o $@ $< $(filter %.o,$^) $(filter %.a,$^) \
		$(CMOCKA_LIBS) $(PKG_LIBS) $(LDFLAGS)
endef
UNIT_DEPS = $(HARNESS_OBJS) $(B)/libcoordd.a $(B)/libcoordcore.a $(TEST_HDRS) | have-unit-libs
$(B)/tests/test_%: tests/unit/pure/test_%.c $(UNIT_DEPS)
	$(UNIT_LINK)
$(B)/tests/test_%: tests/unit/adapters/test_%.c $(UNIT_DEPS)
	$(UNIT_LINK)
$(HARNESS_OBJS): $(TEST_HDRS)
# The control tests' cluster: node 1's dispatch behind a control socket.
$(B)/tests/ctl_cluster.o: tests/unit/adapters/ctl_cluster.c $(TEST_HDRS) | have-build-libs
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -Itests -c -o $@ $<
$(B)/tests/test_dispatch $(B)/tests/test_coordctl: $(B)/tests/ctl_cluster.o
# test_coordctl includes coordctl's sources whole: it is rebuilt with them.
$(B)/tests/test_coordctl: $(wildcard coord/ctl/*.c)
$(B)/tests/lab/%: tests/lab/tools/%.c $(B)/libcoordcore.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -o $@ $^ $(PKG_LIBS) $(LDFLAGS)
# The lab's NFSv4 client alone needs libnfs.
$(B)/tests/lab/nfs4_client: LDFLAGS += $(shell pkg-config --libs libnfs 2>/dev/null)

unit: $(UNIT_BINS)

# What the docs state about the code, printed from its tables (tests/test_docs.sh).
$(B)/tests/doc_facts: tests/doc_facts.c coord/daemon/config.c coord/ctl/coordctl_parse.c \
		$(B)/libcoordd.a $(B)/libcoordcore.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -o $@ $< $(B)/libcoordd.a $(B)/libcoordcore.a \
		$(PKG_LIBS) $(LDFLAGS)

# The targets below need the test packages (corosync, pacemaker, ganesha,
# clang, ...): make deps first, then what they build in a make of its own,
# so that under -j nothing is compiled before the packages are there.
LAB_BUILD = $(MAKE) --no-print-directory all $(LAB_BINS)

# Everything: unit tests (plain and under ASan/UBSan), fuzz corpora,
# simulation, mutants and the lab cases.  Prints "N passed, N failed".
check: deps
	@$(LAB_BUILD) unit
	@sh tests/check.sh

demo: deps
	@$(LAB_BUILD)
	@bash tests/lab/demos/demo.sh

# Real NFSv4 clients through a failover on the real stack: coord, then the
# old fixed sleep with a late survivor (tests/lab/demos/demo_nfs.sh).
demo-nfs: deps
	@$(LAB_BUILD)
	@bash tests/lab/demos/demo_nfs.sh

# A VIP moving back home after a failover, with the gate and without it,
# a real NFSv4 client's lock through both (tests/lab/demos/demo_failback.sh).
demo-failback: deps
	@$(LAB_BUILD)
	@bash tests/lab/demos/demo_failback.sh

# What an operator sees: Prometheus's graph page for the dashboard's key
# queries through failovers, as PNGs in docs/img (needs chromium; root).
demo-dashboard: deps
	@$(LAB_BUILD)
	@bash tests/lab/demos/demo_dashboard.sh

# The randomised fault soak on a 5-node lab (make check runs a short one).
FAILOVERS ?= 200
soak: deps
	@$(LAB_BUILD)
	@SOAK_FAILOVERS=$(FAILOVERS) B=$(B) bash tests/lab/soak.sh

# The client-history soak on the real stack: random moves and faults,
# 18 NFSv4 clients' histories judged (tests/lab/soak_nfs.sh; make check
# runs a short one: tests/lab/cases/test_soak_nfs.sh).  SEED replays a run;
# NODES=3 only so far; METHOD=old the old method.
MOVES ?= 200
soak-nfs: deps
	@$(LAB_BUILD)
	@MOVES=$(MOVES) $(if $(SEED),SEED=$(SEED)) $(if $(NODES),NODES=$(NODES)) $(if $(GATE),GATE=$(GATE)) $(if $(METHOD),METHOD=$(METHOD)) \
		B=$(B) bash tests/lab/soak_nfs.sh

-include tests/sim/sim.mk
-include tests/mutation/mutation.mk
-include tests/fuzz/fuzz.mk
-include bench/bench.mk

# The Debian package, built by dpkg-buildpackage in a copy of the tree
# (without .git or build directories) under $(B)/deb, so the tree itself
# gets no debian/ build products; the copy is removed, the .deb,
# .changes and .buildinfo stay in $(B)/deb.  Our make variables are not
# passed on: B=/abs/build would have the copy's `make clean` remove it.
DEB_SRC = $(B)/deb/coord-$(VERSION)
deb:
	rm -rf $(B)/deb && mkdir -p $(DEB_SRC)
	tar -cf - --exclude=./.git --exclude=./build --exclude='./$(B)' . | tar -C $(DEB_SRC) -xf -
	cd $(DEB_SRC) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u B dpkg-buildpackage -us -uc -b
	rm -rf $(DEB_SRC)
	@ls $(B)/deb

# The deployment lab: three Debian 12 nodes booting their own systemd
# (systemd-nspawn), set up by running docs/install.md as written, then a
# client's lock through every kind of move and the package's removal
# (tests/deploy/test_deploy.sh; make check runs its short form).  It
# builds the .deb when the tree is newer.
.PHONY: deploy-test
deploy-test: deps all $(B)/tests/lab/nfs4_client $(B)/tests/lab/vip_watch
	@B=$(B) bash tests/deploy/test_deploy.sh

INSTALL_FILES = $(SBINDIR)/coordd $(SBINDIR)/coordctl \
	$(OCFDIR)/ganesha_coord_mon $(OCFDIR)/ganesha_coord_gate $(OCFDIR)/coordd $(OCFDIR)/coord_vip \
	$(OCFLIBDIR)/gate.sh \
	$(MANDIR)/man8/coordd.8 $(MANDIR)/man8/coordctl.8 $(MANDIR)/man5/coordd.conf.5 \
	$(UNITDIR)/coordd.service $(SYSCONFDIR)/coord/coordd.conf.example \
	$(SYSCONFDIR)/logrotate.d/coord $(addprefix $(DATADIR)/,$(notdir $(MONITORING)))

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(OCFDIR) $(DESTDIR)$(OCFLIBDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/coord \
		$(DESTDIR)$(STATEDIR) $(DESTDIR)$(SYSCONFDIR)/logrotate.d $(DESTDIR)$(DATADIR)
	install -m 0755 $(B)/coordd $(B)/coordctl $(DESTDIR)$(SBINDIR)/
	install -m 0755 agents/ganesha_coord_mon agents/ganesha_coord_gate agents/coordd agents/coord_vip \
		$(DESTDIR)$(OCFDIR)/
	install -m 0644 agents/lib/gate.sh $(DESTDIR)$(OCFLIBDIR)/
	install -m 0644 coord/daemon/coordd.8 coord/ctl/coordctl.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 coord/daemon/coordd.conf.5 $(DESTDIR)$(MANDIR)/man5/
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		coord/daemon/coordd.service > $(DESTDIR)$(UNITDIR)/coordd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/coordd.service
	install -m 0644 docs/coordd.conf.example $(DESTDIR)$(SYSCONFDIR)/coord/coordd.conf.example
	install -m 0644 coord/daemon/coordd.logrotate $(DESTDIR)$(SYSCONFDIR)/logrotate.d/coord
	install -m 0644 $(MONITORING) $(DESTDIR)$(DATADIR)/

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALL_FILES))
	-rmdir $(DESTDIR)$(OCFDIR) $(DESTDIR)$(OCFLIBDIR) $(DESTDIR)$(SYSCONFDIR)/coord $(DESTDIR)$(STATEDIR) \
		$(DESTDIR)$(SYSCONFDIR)/logrotate.d $(DESTDIR)$(DATADIR) 2>/dev/null

clean:
	rm -rf $(B)
