# The README's two commands: `make demo` and `make test`. Everything else is CMake.
BUILD     ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps build test demo bench sanitize fuzz fuzz-build fuzz-seeds fuzz-corpus install format clean

all: build

deps:
	@./scripts/install-deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCLASP_WERROR=ON $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The narrated handshake (tools/clasp-demo.c): five real handshakes, told step by step;
# e.g. `make demo DEMO_ARGS="--only 4"`. A build without the tools (CLASP_BUILD_TOOLS=OFF)
# narrates the RFC 8448 key schedule instead.
DEMO_ARGS ?=
demo: build
	@if [ -x $(BUILD)/tools/clasp-demo ]; then $(BUILD)/tools/clasp-demo $(DEMO_ARGS); \
	else $(BUILD)/tests/test_rfc8448 --narrate; fi

sanitize: deps
	CC=$${CC:-clang} cmake -S . -B $(ASAN_BUILD) -DCLASP_WERROR=ON -DCLASP_SANITIZE=ON \
	    -DCMAKE_BUILD_TYPE=Debug $(CMAKE_FLAGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
	    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ctest --output-on-failure -j $(JOBS)

# Every benchmark program built (bench/clasp-bench-*), each printing clasp beside its peers
# from one run, as ratios; rounds and seconds per measurement where a program takes them
# (docs/performance.md), e.g. `make bench BENCH_ROUNDS=9 BENCH_SECONDS=0.5`.
BENCH_ROUNDS ?= 7
BENCH_SECONDS ?= 0.3
bench: build
	@for b in $(BUILD)/bench/clasp-bench-*; do \
	    [ -x "$$b" ] || continue; \
	    echo "== $${b##*/}"; \
	    CLASP_BENCH_ROUNDS=$(BENCH_ROUNDS) CLASP_BENCH_SECONDS=$(BENCH_SECONDS) "$$b" || exit 1; \
	    echo; \
	done

# Each libFuzzer target for FUZZ_SECONDS, from the committed corpus and the recorded seeds
# (tests/fuzz/README.md); a crash fails, and so does a recorded seed that no longer gets
# through its handshake (record them again with `make fuzz-seeds`).
FUZZ_TARGETS = msg server client
fuzz-build: deps
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCLASP_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug \
	    -DCLASP_BUILD_TOOLS=OFF $(CMAKE_FLAGS)
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target $(FUZZ_TARGETS:%=fuzz_%) record_seeds

fuzz: fuzz-build
	$(FUZZ_BUILD)/tests/fuzz/record_seeds --check tests/fuzz/seeds
	for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_BUILD)/corpus-$$t && \
	    $(FUZZ_BUILD)/tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	        $(FUZZ_BUILD)/corpus-$$t tests/fuzz/corpus/$$t \
	        $$(test -d tests/fuzz/seeds/$$t && echo tests/fuzz/seeds/$$t) || exit 1; \
	done

# Records the seeds again: after a change to what the client or server sends, or to the
# fuzzers' PKI (tests/fuzz/pki/make.sh).
fuzz-seeds: fuzz-build
	rm -f tests/fuzz/seeds/client/* tests/fuzz/seeds/server/*
	$(FUZZ_BUILD)/tests/fuzz/record_seeds tests/fuzz/seeds

# Minimises the committed corpus with what `make fuzz` found (libFuzzer -merge=1).
fuzz-corpus: fuzz-build
	for t in $(FUZZ_TARGETS); do \
	    rm -rf $(FUZZ_BUILD)/merged-$$t && mkdir -p $(FUZZ_BUILD)/merged-$$t $(FUZZ_BUILD)/corpus-$$t && \
	    $(FUZZ_BUILD)/tests/fuzz/fuzz_$$t -merge=1 $(FUZZ_BUILD)/merged-$$t tests/fuzz/corpus/$$t \
	        $$(test -d tests/fuzz/seeds/$$t && echo tests/fuzz/seeds/$$t) $(FUZZ_BUILD)/corpus-$$t \
	        || exit 1; \
	    rm -f tests/fuzz/corpus/$$t/* && cp $(FUZZ_BUILD)/merged-$$t/* tests/fuzz/corpus/$$t/; \
	done

install: build
	cmake --install $(BUILD) $(if $(PREFIX),--prefix $(PREFIX))

format:
	git ls-files '*.c' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
