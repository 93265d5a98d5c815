# kamer: two commands. `make run` builds and starts kamerd; `make test` builds and runs every test.
# Both install what they need (Debian packages, npm packages) first.

BUILD      ?= build
TEST_BUILD ?= build-test
DATA_DIR   ?= ./data
LISTEN     ?= 127.0.0.1:8080
MEDIA      ?= 127.0.0.1:10000

.PHONY: all run test build test-build deps test-deps format fuzz clean bench

all: build

deps:
	@scripts/deps.sh run

test-deps:
	@scripts/deps.sh test

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=release

build: deps $(BUILD)/build.ninja
	meson setup --reconfigure $(BUILD) >/dev/null
	ninja -C $(BUILD)

run: build
	$(BUILD)/kamerd --data-dir $(DATA_DIR) --listen $(LISTEN) --media $(MEDIA)

$(TEST_BUILD)/build.ninja:
	CC=clang meson setup $(TEST_BUILD) -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false

test-build: test-deps $(TEST_BUILD)/build.ninja
	meson setup --reconfigure $(TEST_BUILD) >/dev/null
	ninja -C $(TEST_BUILD)

test: test-build
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 scripts/test.sh

fuzz: test-build
	scripts/fuzz.sh $(TEST_BUILD) $${SECONDS_PER_TARGET:-300}

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'fuzz/*.c' 'tools/*.c' 'tools/*.h' 'bench/*.c')

clean:
	rm -rf $(BUILD) $(TEST_BUILD)

# A benchmark, not a test: kamerd under synthetic load in network namespaces; writes
# docs/BENCHMARKS.md. Needs root (namespaces). BENCH_ARGS="--duration 10 --shapes 10x6".
bench: build
	@scripts/deps.sh bench
	python3 bench/run.py $(BENCH_ARGS)
