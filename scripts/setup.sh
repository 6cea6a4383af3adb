#!/usr/bin/env bash
# Installs what seam needs, idempotently: clang-19 with its sanitizer runtimes, llvm tools,
# libclang for bindgen, a pinned cargo-fuzz, nightly rust-src (MSan builds std with -Zbuild-std) and
# llvm-tools (seam cov),
# and a pinned cargo-afl with AFL++'s runtime for nightly (AFL++ builds of the fuzz targets).
# Each step says what it does and is skipped when its result is already there.
set -euo pipefail

CARGO_FUZZ_VERSION=0.13.2
CARGO_AFL_VERSION=0.18.2
APT_PACKAGES=(clang-19 lld-19 llvm-19 libclang-rt-19-dev libclang-19-dev zip)

say() { printf 'seam setup: %s\n' "$*"; }

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  say "Debian packages present"
fi

# llvm-symbolizer on PATH gives file:line in sanitizer reports.
if ! command -v llvm-symbolizer >/dev/null || ! llvm-symbolizer --version | grep -q "version 19"; then
  if [ -x /usr/lib/llvm-19/bin/llvm-symbolizer ]; then
    say "linking llvm-symbolizer-19 into /usr/local/bin"
    ln -sf /usr/lib/llvm-19/bin/llvm-symbolizer /usr/local/bin/llvm-symbolizer
  fi
fi

if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
  say "installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install --locked --quiet cargo-fuzz --version "$CARGO_FUZZ_VERSION"
else
  say "cargo-fuzz $CARGO_FUZZ_VERSION present"
fi

if ! rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^rust-src'; then
  say "adding rust-src to the nightly toolchain (MemorySanitizer builds std)"
  rustup component add rust-src --toolchain nightly
else
  say "nightly rust-src present"
fi
# llvm-cov and llvm-profdata matching nightly's LLVM read the coverage of `seam cov`.
if ! rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^llvm-tools'; then
  say "adding llvm-tools to the nightly toolchain (seam cov)"
  rustup component add llvm-tools-preview --toolchain nightly
else
  say "nightly llvm-tools present"
fi
if ! cargo afl --version 2>/dev/null | grep -q "$CARGO_AFL_VERSION"; then
  say "installing cargo-afl $CARGO_AFL_VERSION (builds AFL++)"
  cargo install --locked --quiet cargo-afl --version "$CARGO_AFL_VERSION"
else
  say "cargo-afl $CARGO_AFL_VERSION present"
fi
# AFL++'s compiler runtime for the nightly toolchain (AddressSanitizer builds need nightly).
# `cargo afl config --build` fails when it exists, so look for the file it writes.
afl_runtime="$("$(dirname "$0")/afl" runtime)"
if [ ! -f "$afl_runtime" ]; then
  say "building AFL++'s runtime for nightly"
  cargo +nightly afl config --build >/dev/null
else
  say "AFL++ runtime for nightly present"
fi
say "ready"
