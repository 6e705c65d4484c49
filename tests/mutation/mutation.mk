# SPDX-License-Identifier: GPL-2.0-or-later
# make mutation: a seeded random sample of mutants of the engine and the
# wire codec (tests/mutation/mutate.py), each judged by the engine's and
# the codec's unit tests and the simulator; not part of make check.  In a
# build directory of its own, $(MUTATION_B), so build/ is never touched.
# Report: $(MUTATION_B)/report.txt.
#   make mutation [MUTATION_SAMPLE=N] [MUTATION_SEED=S] [MUTATION_SCHEDULES=K]
#                 [MUTATION_ONLY="id ..."]
# The defaults (120 mutants, 5000 schedules each, as make check runs the
# planted bugs) took 25 minutes on the shared 2-core machine under load.
MUTATION_FILES     := coord/core/engine.c proto/wire.c
MUTATION_TESTS     := tests/unit/pure/test_engine.c tests/unit/pure/test_wire.c
MUTATION_SAMPLE    ?= 120
MUTATION_SEED      ?= 1
MUTATION_SCHEDULES ?= 5000
MUTATION_B         ?= $(B)-mutation

.PHONY: mutation
mutation: | have-unit-libs
	@command -v python3 >/dev/null && command -v objdump >/dev/null || \
		{ echo "make mutation needs python3 and objdump: install python3 and binutils (Debian), or run make deps as root" >&2; exit 1; }
	@$(MAKE) --no-print-directory -s B=$(MUTATION_B)/base $(MUTATION_B)/base/libcoordd.a
	@python3 tests/mutation/mutate.py --out $(MUTATION_B) \
		--sample $(MUTATION_SAMPLE) --seed $(MUTATION_SEED) \
		--schedules $(MUTATION_SCHEDULES) --only "$(MUTATION_ONLY)" \
		--cc "$(CC)" --cflags "$(ALL_CFLAGS) $(PKG_CFLAGS) -Itests" \
		--sim-cflags "$(SIM_CFLAGS)" --libs "$(CMOCKA_LIBS) $(PKG_LIBS) $(LDFLAGS)" \
		--core-srcs "$(CORE_SRCS)" --harness-srcs "$(HARNESS_SRCS)" \
		--sim-srcs "$(SIM_SRCS)" --tests "$(MUTATION_TESTS)" \
		--daemon-lib $(MUTATION_B)/base/libcoordd.a $(MUTATION_FILES)
