#!/usr/bin/env bash
# make demo: generate the harnesses from their contracts, build the fuzz targets with
# instrumented C, fuzz each briefly (fixed seed, bounded runs), and print the triage report:
# which bugs, at which boundary call. Then the same flow on real libraries (zlib, Oniguruma).
set -euo pipefail
cd "$(dirname "$0")/.."
SEAM=target/release/seam
RUNS=${SEAM_DEMO_RUNS:-1500000}
REAL_RUNS=${SEAM_DEMO_REAL_RUNS:-30000}

# With address-space randomisation off a seed replays the same run (compare tracing of Rust
# code records heap addresses, which otherwise change the mutations from run to run).
fixed_layout=()
if setarch -R true 2>/dev/null; then fixed_layout=(setarch -R); fi

say() { printf '\n\033[1mseam demo: %s\033[0m\n' "$*"; }

say "generating wrappers and fuzz targets from the contracts (header + seam.toml -> Rust)"
$SEAM gen c_targets/seeded/seam.toml c_targets/zlib/seam.toml c_targets/onig/seam.toml c_targets/bzip2/seam.toml

say "building fuzz targets (C instrumented: ASan+UBSan+libFuzzer coverage; MSan for the checksum target)"
eval "$($SEAM env --sanitizer address)"
(cd fuzz && cargo +nightly fuzz build -O)
eval "$($SEAM env --sanitizer memory)"
(cd fuzz && cargo +nightly fuzz build -O --sanitizer memory --target-dir target-msan seeded_checksum)

logs=triage/fuzz-logs
rm -rf "$logs" fuzz/artifacts/seeded_* && mkdir -p "$logs"
fuzz_one() { # target bin_dir [libFuzzer flags...]
  local t=$1 dir=$2; shift 2
  mkdir -p "fuzz/artifacts/$t"
  printf '  %-18s ' "$t"
  if "${fixed_layout[@]}" "$dir/$t" -seed=1 -runs="$RUNS" -artifact_prefix="fuzz/artifacts/$t/" "$@" >"$logs/$t.log" 2>&1; then
    echo "no crash in $RUNS runs"
  else
    echo "crashed: $(ls -t "fuzz/artifacts/$t" | head -1)"
  fi
}
say "fuzzing each seeded target (seed 1, at most $RUNS runs)"
asan=fuzz/target/x86_64-unknown-linux-gnu/release
fuzz_one seeded_parse "$asan" -dict=corpus/seeded_parse.dict
for t in seeded_handoff seeded_adopt seeded_name seeded_header seeded_scale seeded_describe; do
  fuzz_one "$t" "$asan"
done
fuzz_one seeded_reserve "$asan" -malloc_limit_mb=64
fuzz_one seeded_rehash "$asan" -timeout=2
fuzz_one seeded_checksum fuzz/target-msan/x86_64-unknown-linux-gnu/release

say "triage: replaying each crash with call tracing, naming its boundary call"
$SEAM triage --fuzzer-arg=-malloc_limit_mb=64 \
  --bin seeded_checksum=fuzz/target-msan/x86_64-unknown-linux-gnu/release/seeded_checksum \
  seeded_parse seeded_handoff seeded_adopt seeded_name seeded_header seeded_scale seeded_describe \
  seeded_reserve seeded_rehash seeded_checksum

say "differential: the seeded C library against its Rust port, one op sequence driving both (fixed C build)"
eval "$($SEAM env --sanitizer address)"
(cd fuzz && cargo +nightly fuzz build -O --features fixed --target-dir target-fixed seeded_diff_core)
fixed=fuzz/target-fixed/x86_64-unknown-linux-gnu/release
rm -rf fuzz/artifacts/seeded_diff_core
fuzz_one seeded_diff_core "$fixed"
grep -E '^==seam== (divergence v1 begin|left|right)' "$logs/seeded_diff_core.log" || true
$SEAM triage --bin seeded_diff_core="$fixed/seeded_diff_core" seeded_diff_core

say "real libraries, onboarded with contracts only: zlib (libz-sys) and Oniguruma (onig_sys)"
real_logs=triage/fuzz-logs-real
rm -rf "$real_logs" && mkdir -p "$real_logs"
for t in zlib_roundtrip zlib_oneshot onig_all; do
  # seam fuzz: the target's seeds and dictionaries, the campaign recorded with its picture.
  if $SEAM fuzz "$t" --seed 1 --runs "$REAL_RUNS" -- -max_len=4096 >"$real_logs/$t.log" 2>&1; then
    verdict="no crash"
  else
    verdict="stopped: see $real_logs/$t.log (seam triage $t)"
  fi
  totals=$(grep -E '^\| libFuzzer' "$real_logs/$t.log" | awk -F'|' '{print $6 "exec/s," $7}')
  printf '  %-16s %s in %s runs:%s; picture fuzz/campaigns/%s/campaign.svg\n' "$t" "$verdict" "$REAL_RUNS" "$totals" "$t"
done

say "coverage across the boundary: zlib's C and the Rust that drives it, one report"
$SEAM cov zlib_roundtrip --corpus corpus/zlib_roundtrip >"$real_logs/cov.log" 2>&1 && sed -n '1,7p' cov/zlib_roundtrip/summary.md \
  || echo "  seam cov failed: see $real_logs/cov.log"
