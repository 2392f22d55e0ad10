#!/usr/bin/env bash
# The README's test command. From a fresh clone it installs what the tests
# need (Node packages for the contracts and the WASM module, the wasm32
# target, wasm-bindgen-cli at the crate's version, Debian's Chromium) and runs
# every test: Rust (core, CLI, vectors), Solidity (forge), anvil (contracts on a
# real node), WASM in Node and in headless Chromium, and the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TERM_COLOR=never

step() { printf '\n==> %s\n' "$*"; }
start=$(date +%s)

step "contracts: npm ci (solc-js, forge, anvil, OpenZeppelin)"
(cd contracts && npm ci --no-audit --no-fund --loglevel=error)
chmod +x contracts/tools/solc contracts/node_modules/@foundry-rs/*/bin/* 2>/dev/null || true

step "Rust: format and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings

step "Rust: tests (core, attestor, CLI, golden vectors, anvil)"
cargo test --workspace

step "Solidity: forge build, forge test, gas snapshot"
bash contracts/scripts/test.sh

if [ -f verifier-wasm/scripts/ci.sh ]; then
  step "WASM: build, Node tests, Chromium tests"
  bash verifier-wasm/scripts/ci.sh
fi

step "demo"
cargo run -q -p attest-cli -- demo > /dev/null

echo
echo "all tests passed in $(( $(date +%s) - start ))s"
