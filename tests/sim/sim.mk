# SPDX-License-Identifier: GPL-2.0-or-later
# The simulator (tests/sim/*.c, main in sim.c) links the very engine coordd
# links, built with the flags every C file of the tree is built with.
#   make sim [SEEDS=N] [SEED=S [STEPS=K] [MASK=M]]    make sim-mutants
SEEDS ?= 30000
SIM_SRCS = $(wildcard tests/sim/*.c) $(PROTO_SRCS) $(ENGINE_SRCS) $(HARNESS_SRCS)
SIM_CFLAGS = $(BASE_CFLAGS) -Itests

$(B)/sim/sim: $(SIM_SRCS) $(wildcard include/coord/*.h proto/*.h tests/harness/*.h tests/sim/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(SIM_CFLAGS) -o $@ $(SIM_SRCS)

sim: $(B)/sim/sim
	@if [ -n "$(SEED)" ]; then \
		$(B)/sim/sim -r $(SEED) $(if $(STEPS),-k $(STEPS)) $(if $(MASK),-m $(MASK)); \
	else \
		$(B)/sim/sim -n $(SEEDS); \
	fi

# Each planted bug: a patch applied to a copy of the simulator's sources
# (the engine, the codecs, the simulator's own models), never to the tree.
sim-mutants: $(B)/sim/sim
	@B=$(B) CC="$(CC)" SIM_CFLAGS="$(SIM_CFLAGS)" SIM_SRCS="$(SIM_SRCS)" \
		sh tests/sim/mutants.sh
