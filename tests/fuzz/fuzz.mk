# SPDX-License-Identifier: GPL-2.0-or-later
# Fuzzing, included by the Makefile.
#
# Every tests/fuzz/fuzz_NAME.c is a libFuzzer target; its seed corpus is
# tests/fuzz/corpus/NAME/ and tests/fuzz/make_corpus_NAME.c, if present,
# writes those seeds.  A new target needs no change here.  Targets link
# proto/*.c, compiled by clang with the fuzzer's instrumentation (not
# libcoordcore.a, which gcc builds without it); one that needs more sets
# FUZZ_EXTRA_NAME to its extra sources.
#
#   make fuzz [FUZZ_SECONDS=60]  fuzz each target for FUZZ_SECONDS
#   make fuzz-build              build the libFuzzer binaries
#   make fuzz-replay             build corpus replay binaries (no libFuzzer)
#   make fuzz-corpus             rewrite the seed corpora from make_corpus_*.c
#
# New inputs go to $(B)/fuzz/corpus/NAME, crashes to $(B)/fuzz/artifacts/;
# the committed corpus is only read.  A crash worth keeping is copied into
# tests/fuzz/corpus/NAME/ and becomes a unit test.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_MAX_LEN ?= 1024
FUZZ_B       := $(B)/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS  := -std=gnu11 $(WARN) -g -O1 -fno-omit-frame-pointer \
		-Iinclude -D_GNU_SOURCE -DCOORD_VERSION='"$(VERSION)"'
FUZZ_CORE    := $(wildcard proto/*.c)
FUZZ_DEPS    := $(FUZZ_CORE) $(wildcard include/coord/*.h proto/*.h)
FUZZ_NAMES   := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(patsubst %,$(FUZZ_B)/fuzz_%,$(FUZZ_NAMES))
FUZZ_REPLAYS := $(patsubst %,$(FUZZ_B)/replay_%,$(FUZZ_NAMES))
FUZZ_GENS    := $(patsubst tests/fuzz/make_corpus_%.c,%,$(wildcard tests/fuzz/make_corpus_*.c))

.PHONY: fuzz-build fuzz-replay fuzz-corpus

$(FUZZ_B)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ \
		$< $(FUZZ_CORE) $(FUZZ_EXTRA_$*)

$(FUZZ_B)/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(FUZZ_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -o $@ \
		$< tests/fuzz/replay.c $(FUZZ_CORE) $(FUZZ_EXTRA_$*)

$(FUZZ_B)/make_corpus_%: tests/fuzz/make_corpus_%.c $(FUZZ_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_CORE) $(FUZZ_EXTRA_$*)

fuzz-build: $(FUZZ_BINS)
fuzz-replay: $(FUZZ_REPLAYS)

fuzz-corpus: $(patsubst %,$(FUZZ_B)/make_corpus_%,$(FUZZ_GENS))
	@for n in $(FUZZ_GENS); do \
		mkdir -p tests/fuzz/corpus/$$n && \
		$(FUZZ_B)/make_corpus_$$n tests/fuzz/corpus/$$n || exit 1; \
	done

# clang and its sanitizer runtimes are test packages: make deps first.
fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@rc=0; for n in $(FUZZ_NAMES); do \
		mkdir -p $(FUZZ_B)/corpus/$$n $(FUZZ_B)/artifacts/$$n; \
		seeds=; [ -d tests/fuzz/corpus/$$n ] && seeds=tests/fuzz/corpus/$$n; \
		echo "== fuzz_$$n for $(FUZZ_SECONDS)s"; \
		$(FUZZ_B)/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) \
			-max_len=$(FUZZ_MAX_LEN) -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_B)/artifacts/$$n/ \
			$(FUZZ_B)/corpus/$$n $$seeds || rc=1; \
	done; exit $$rc
