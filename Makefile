# seam: `make demo` and `make test` install what is missing (scripts/setup.sh) and run.
SHELL := /bin/bash
CARGO_FUZZ := cargo +nightly fuzz
SEAM := target/release/seam

.PHONY: setup build fuzz-build test demo bench clean

setup:
	@bash scripts/setup.sh

# The seam CLI and its compiler wrappers (seam-cc, seam-cxx).
build: setup
	cargo build --release -p seam

# Every fuzz target under AddressSanitizer, C instrumented (seam-build for C targets, seam env for -sys crates).
fuzz-build: build
	eval "$$($(SEAM) env --sanitizer address)" && cd fuzz && $(CARGO_FUZZ) build -O

# Unit tests, then the end-to-end suite (fuzz builds, seeded-bug runs with fixed seeds and bounded runs).
test: build
	cargo test --workspace -- --include-ignored --test-threads=2

demo: build
	bash scripts/demo.sh

bench: build
	bash scripts/bench

clean:
	cargo clean
	rm -rf fuzz/target fuzz/target-* triage
