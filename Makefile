# The obvious words for a newcomer, over the CMake presets (CMakePresets.json).
#   make demo   install dependencies, build, seed a demo tenant and serve it on 127.0.0.1:8080
#   make test   install dependencies, build and run every test (release and asan), the C ABI contract
#   make bench  build the release preset and run the benchmarks
#   make asan | tsan | debug   build and test one preset
#   make format clang-format the sources
JOBS ?= $(shell nproc)

.PHONY: all deps build demo test test-release test-asan contract asan tsan debug bench format clean

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

demo: build
	@bash scripts/demo.sh

test: test-release contract test-asan

test-release: build
	@ctest --preset release -j $(JOBS)

contract: build
	@if [ -f ../shared/checks/capi_contract.py ]; then python3 ../shared/checks/capi_contract.py; \
	else echo "contract: ../shared/checks/capi_contract.py not found, skipped"; fi

test-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	@ctest --preset asan -j $(JOBS)

asan: test-asan

tsan: deps
	@cmake --preset tsan >/dev/null
	@cmake --build --preset tsan -j $(JOBS)
	@ctest --preset tsan -j $(JOBS)

debug: deps
	@cmake --preset debug >/dev/null
	@cmake --build --preset debug -j $(JOBS)
	@ctest --preset debug -j $(JOBS)

bench: build
	@for b in build/release/bench/*_bench; do $$b; done

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.hpp' '*.c' '*.h')

clean:
	@rm -rf build
