# seam: `make demo` and `make test` install what is missing (scripts/setup.sh) and run.
SHELL := /bin/bash
CARGO_FUZZ := cargo +nightly fuzz
SEAM := target/release/seam

.PHONY: setup build gen fuzz-build fuzz afl cov oss-fuzz test demo bench clean

setup:
	@bash scripts/setup.sh

# The seam CLI and its compiler wrappers (seam-cc, seam-cxx).
build: setup
	cargo build --release -p seam

# Every fuzz target under AddressSanitizer, C instrumented (seam-build for C targets, seam env for -sys crates).
fuzz-build: build
	eval "$$($(SEAM) env --sanitizer address)" && cd fuzz && $(CARGO_FUZZ) build -O

# A campaign on one target: make fuzz T=zlib_inflate [ENGINE=afl] [JOBS=2] [ARGS="--time 600"];
# stats and a coverage/exec-per-second picture land in fuzz/campaigns/$(T)/.
ENGINE ?= libfuzzer
JOBS ?= 1
fuzz: build
	$(SEAM) fuzz $(T) --engine $(ENGINE) --jobs $(JOBS) $(ARGS)

# Coverage of C and Rust lines together over a corpus: make cov T=zlib_inflate -> cov/$(T)/.
cov: build
	$(SEAM) cov $(T)

# ClusterFuzzLite files (.clusterfuzzlite/, .github/workflows/cflite_pr.yml); with
# OSS_FUZZ=dir REPO=url CONTACT=email also an OSS-Fuzz project directory.
oss-fuzz: build
	$(SEAM) oss-fuzz export $(if $(OSS_FUZZ),--oss-fuzz $(OSS_FUZZ) --repo $(REPO) --contact $(CONTACT))

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
	rm -rf fuzz/target fuzz/target-* fuzz/afl fuzz/campaigns fuzz/coverage triage cov
