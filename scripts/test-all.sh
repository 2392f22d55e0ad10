#!/usr/bin/env bash
# The README's test command. From a fresh clone it installs what the tests
# need (Node packages for the contracts and the WASM module, the wasm32
# target, wasm-bindgen-cli at the crate's version, Debian's Chromium and
# PostgreSQL when missing) and runs
# every test: Rust (core, CLI, vectors), Solidity (forge), anvil (contracts on a
# real node), WASM in Node and in headless Chromium, and the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TERM_COLOR=never
# CI builds once: no incremental caches (they doubled the target directory).
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL=0; fi

step() { printf '\n==> %s\n' "$*"; }
start=$(date +%s)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Everything below also goes to $log, to count the tests at the end.
exec > >(tee -a "$log") 2>&1

df -h . | tail -1 | awk '{print "disk: " $4 " free before the run"}'

step "contracts: npm ci (solc-js, forge, anvil, OpenZeppelin)"
(cd contracts && npm ci --no-audit --no-fund --loglevel=error)
chmod +x contracts/tools/solc contracts/node_modules/@foundry-rs/*/bin/* 2>/dev/null || true

step "Rust: format and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings

step "PostgreSQL server binaries (the ledger's PostgreSQL tests start throwaway clusters)"
if [ -z "${ATTEST_PG_BIN:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
  else
    echo "error: PostgreSQL is not installed: sudo apt-get install -y postgresql, or set ATTEST_PG_BIN" >&2
    exit 1
  fi
fi
ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -1

step "Rust: tests (core, attestor, CLI, ledger on SQLite and PostgreSQL, golden vectors, anvil)"
cargo test --workspace

step "independent known answers (Python)"
bash kat/run.sh

step "DSSE interop (securesystemslib signs and verifies heartbeat envelopes with attest)"
bash interop/dsse/run.sh

step "Attesto Local Vault interop (the real attesto-local-vault 0.2.0: witness output verified and audited, drain-once against the ledger)"
bash interop/attesto/run.sh

step "Go tlog interop (golang.org/x/mod sumdb/note and sumdb/tlog check the ledger's checkpoints, tiles and proofs)"
bash interop/tlog-go/run.sh

step "Rust: fuzz smoke (cargo-fuzz, every target 20s, docs/fuzzing.md)"
bash fuzz/smoke.sh
# The sanitizer builds are large and used by nothing after the smoke run:
# dropped in CI, or when less than 8 GiB are left.
if [ -n "${CI:-}" ] || [ "$(df -Pk . | awk 'NR==2 {print $4}')" -lt 8388608 ]; then
  rm -rf fuzz/target
fi

step "Solidity: forge build, forge test, gas snapshot"
bash contracts/scripts/test.sh

if [ -f verifier-wasm/scripts/ci.sh ]; then
  step "WASM: build, Node tests, Chromium tests"
  bash verifier-wasm/scripts/ci.sh
fi

step "demo"
cargo run -q -p attest-cli -- demo > /dev/null

# One closing line over every runner: cargo test, forge, node --test, pytest
# (tests, not assertions: the interop runs' checks are reported beside it).
passed=$(grep -hoE '^test result: ok\. [0-9]+ passed' "$log" | awk '{s+=$4} END {print s+0}')
forge=$(grep -hoE '^contracts: [0-9]+ passed' "$log" | tail -1 | awk '{print $2+0}')
node=$(grep -hoE '^# pass [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')
pytest=$(grep -hoE '^[0-9]+ passed(, [0-9]+ [a-z]+)* in [0-9.]+s' "$log" | awk '{s+=$1} END {print s+0}')
interop=$(grep -hoE '^[a-z0-9-]+ interop: [0-9]+ checks passed$' "$log" | awk '{s+=$3} END {print s+0}')
echo
echo "all tests passed in $(( $(date +%s) - start ))s"
echo "test-all: $(( passed + ${forge:-0} + node + pytest )) passed, 0 failed (and ${interop} interop checks)"
