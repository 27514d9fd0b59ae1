# velostream — the two commands (README): `make demo` and `make test`.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: all deps build demo test unit sqltest bench clean format

all: build

deps:
	./scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD) -j$(JOBS)

# Builds, then runs the example job on embedded defaults: generated local files and the
# built-in development Kafka broker.
demo: build
	./scripts/demo.sh $(BUILD)

# Installs, builds, starts what the tests need, runs every test and prints the summary.
test: build
	./scripts/test.sh $(BUILD)

bench: build
	./bench/run_all.sh $(BUILD)

format:
	find src tests bench -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
