#!/usr/bin/env bash
# Builds and tests the contracts from a fresh clone:
#   npm ci (skipped when node_modules matches package-lock.json), forge build,
#   forge test (also checking snapshots/*.json), forge snapshot --check (.gas-snapshot).
# Usage: contracts/scripts/test.sh [extra forge test args…]
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

FORGE=node_modules/@foundry-rs/forge-linux-amd64/bin/forge
ANVIL=node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil
STAMP=node_modules/.attest-lock.sha256

lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$lock_hash" && -f "$FORGE" && -f "$ANVIL" ]]; then
  echo "node_modules is current (package-lock.json unchanged); skipping npm ci"
else
  npm ci --no-audit --no-fund
  echo "$lock_hash" >"$STAMP"
fi

# npm may drop exec bits (e.g. from a cache or an archive); restore them.
chmod +x "$FORGE" "$ANVIL" tools/solc

export FOUNDRY_OFFLINE=true
"$FORGE" --version | head -n1
tools/solc --version | tail -n1

"$FORGE" build
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# --gas-snapshot-check: the execution-gas numbers in snapshots/*.json must not change.
"$FORGE" test --gas-snapshot-check true "$@" | tee "$log"
# Exact check: compiler, forge and the fuzz seed are pinned, so gas is reproducible.
"$FORGE" snapshot --check

# Plain closing line, e.g. "contracts: 59 passed, 0 failed".
summary="$(grep -Eo '[0-9]+ tests passed, [0-9]+ failed' "$log" | tail -n1)"
passed="$(echo "$summary" | grep -Eo '^[0-9]+')"
failed="$(echo "$summary" | grep -Eo '[0-9]+ failed' | grep -Eo '^[0-9]+')"
echo "contracts: ${passed} passed, ${failed} failed"
