# seam: `make demo` and `make test` install what is missing (scripts/setup.sh) and run.
SHELL := /bin/bash
CARGO_FUZZ := cargo +nightly fuzz
SEAM := target/release/seam

.PHONY: setup build gen fuzz-build afl test demo bench clean

setup:
	@bash scripts/setup.sh

# The seam CLI and its compiler wrappers (seam-cc, seam-cxx).
build: setup
	cargo build --release -p seam

# Every fuzz target under AddressSanitizer, C instrumented (seam-build for C targets, seam env for -sys crates).
fuzz-build: build
	eval "$$($(SEAM) env --sanitizer address)" && cd fuzz && $(CARGO_FUZZ) build -O

# AFL++ on one target, built from the same source as its libFuzzer build:
# make afl T=seeded_parse ARGS="-s 1 -E 200000"; crashes land in fuzz/afl/$(T)/*/crashes/.
afl: build
	scripts/afl build $(T)
	scripts/afl run $(T) $(ARGS)

# Contracts whose generated wrappers and fuzz targets are checked in.
CONTRACTS := c_targets/seeded/seam.toml c_targets/zlib/seam.toml c_targets/onig/seam.toml c_targets/bzip2/seam.toml

# Regenerates wrappers and fuzz targets from the contracts.
gen: build
	$(SEAM) gen $(CONTRACTS)

# Generated files current, unit tests, then the end-to-end suite (fuzz builds, seeded-bug runs
# with fixed seeds and bounded runs).
test: build
	$(SEAM) gen --check $(CONTRACTS)
	cargo test --workspace -- --include-ignored --test-threads=2

demo: build
	bash scripts/demo.sh

bench: build
	bash scripts/bench

clean:
	cargo clean
	rm -rf fuzz/target fuzz/target-* fuzz/afl triage
