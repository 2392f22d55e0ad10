#!/usr/bin/env bash
# On-chain tests from a fresh clone:
#   npm ci in contracts/ when node_modules does not match package-lock.json (anvil, solc-js,
#   OpenZeppelin; the same stamp as contracts/scripts/test.sh), then
#   cargo build -p attest-cli (the binary tests/cli.rs runs) and cargo test -p attest-anvil-tests.
# Usage: anvil-tests/scripts/test.sh [extra cargo test args…], e.g. -- --nocapture
# Rewrites anvil-tests/gas.md (test `verification_gas_on_anvil`).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
contracts="$root/contracts"
ANVIL=node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil
STAMP=node_modules/.attest-lock.sha256

command -v node >/dev/null || { echo "error: node is not on PATH (contracts/tools/solc runs solc-js)" >&2; exit 2; }
command -v npm >/dev/null || { echo "error: npm is not on PATH (needed to install contracts/ dependencies)" >&2; exit 2; }

cd "$contracts"
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$lock_hash" && -f "$ANVIL" && -f node_modules/solc/package.json ]]; then
  echo "contracts/node_modules is current (package-lock.json unchanged); skipping npm ci"
else
  npm ci --no-audit --no-fund
  echo "$lock_hash" >"$STAMP"
fi
# npm may drop exec bits (e.g. from a cache or an archive); restore them.
chmod +x "$ANVIL" tools/solc
"$ANVIL" --version | head -n1
tools/solc --version | tail -n1

cd "$root"
cargo build -p attest-cli --bin attest
cargo test --no-fail-fast -p attest-anvil-tests "$@"
