#!/usr/bin/env bash
# Smoke run of every cargo-fuzz target (docs/fuzzing.md): builds them with
# nightly Rust, then runs each for FUZZ_SECONDS (default 20) from its
# committed seed corpus. Fails on any crash, leak, timeout or out-of-memory.
# New corpus entries go to a scratch directory, not to fuzz/corpus.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${FUZZ_SECONDS:-20}
if ! rustup run nightly rustc --version > /dev/null 2>&1; then
  rustup toolchain install nightly --profile minimal
fi
if ! cargo +nightly fuzz --version > /dev/null 2>&1; then
  cargo +nightly install cargo-fuzz --locked
fi
# The seeds reach the accepting paths (stable Rust, no libFuzzer).
cargo test -q --test seeds
targets=$(cargo +nightly fuzz list)
cargo +nightly fuzz build -a
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for t in $targets; do
  mkdir -p "$scratch/$t"
  echo "fuzz: $t (${seconds}s)"
  if ! cargo +nightly fuzz run -a "$t" "$scratch/$t" "corpus/$t" -- -max_total_time="$seconds" \
    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 > "$scratch/$t.log" 2>&1; then
    tail -n 60 "$scratch/$t.log"
    echo "fuzz: $t failed (reproducer in fuzz/artifacts/$t/)"
    exit 1
  fi
  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$scratch/$t.log" || true
done
echo "fuzz: $(echo $targets | wc -w) targets ran ${seconds}s each without a crash"
