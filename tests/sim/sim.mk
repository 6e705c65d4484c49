# The simulator (tests/sim/sim.c) links the very engine coordd links.
#   make sim [SEEDS=N] [SEED=S [STEPS=K] [MASK=M]]    make sim-mutants
SEEDS ?= 30000
SIM_CFLAGS = -std=gnu11 -O2 -g -Wall -Wextra -Werror -Iinclude -Itests -D_GNU_SOURCE
SIM_SRCS = tests/sim/sim.c proto/wire.c $(HARNESS_SRCS)

$(B)/sim/sim: $(SIM_SRCS) coord/engine.c include/coord/engine.h include/coord/wire.h \
	     tests/harness/cluster.h
	@mkdir -p $(dir $@)
	$(CC) $(SIM_CFLAGS) -o $@ $(SIM_SRCS) coord/engine.c

sim: $(B)/sim/sim
	@if [ -n "$(SEED)" ]; then \
		$(B)/sim/sim -r $(SEED) $(if $(STEPS),-k $(STEPS)) $(if $(MASK),-m $(MASK)); \
	else \
		$(B)/sim/sim -n $(SEEDS); \
	fi

# Each planted bug: a patch applied to a copy of coord/engine.c.
sim-mutants: $(B)/sim/sim
	@B=$(B) CC="$(CC)" SIM_CFLAGS="$(SIM_CFLAGS)" sh tests/sim/mutants.sh
