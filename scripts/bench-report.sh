#!/usr/bin/env bash
# Runs the core benchmarks side by side in one run and prints the ratios that
# docs/benchmarks.md records (absolute times vary between machines and runs;
# ratios measured together are what we compare).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
cargo bench -q -p attest-verifier --bench verify -- --warm-up-time 2 --measurement-time 6 >/dev/null
mean() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['mean']['point_estimate'])" "target/criterion/$1/new/estimates.json"; }
bare=$(mean verify/bare_verify_strict)
e2e=$(mean verify/end_to_end)
parse=$(mean verify/parse_only)
lib=$(mean recover/libsecp256k1)
k256=$(mean recover/k256)
cargo build -q --release -p attest-cli -p attest-test-vectors
tmp=$(mktemp -d)
./target/release/audit-batch 30000 "$tmp"
best=0
for _ in 1 2 3 4 5; do
  rate=$(./target/release/attest audit "$tmp/batch.jsonl" --trust-root "$tmp/trust-root.json" --root-key "$tmp/root.pub" \
    --now 2026-11-21T12:00:00Z --format json | tail -1 | python3 -c "import json,sys; print(json.load(sys.stdin)['summary']['perSecond'])")
  best=$(python3 -c "print(max($best, $rate))")
done
rm -rf "$tmp"
python3 - "$bare" "$e2e" "$parse" "$lib" "$k256" "$best" <<'PY'
import sys
bare, e2e, parse, lib, k256, audit = map(float, sys.argv[1:])
single = 1e9 / bare
print("| measurement | time / rate | ratio |")
print("|---|---|---|")
print(f"| bare ed25519-dalek `verify_strict` of M(attestation) | {bare/1000:.1f} µs | 1.00 |")
print(f"| end-to-end `verify_attestation` (parse, canonicalize, hash, key lookup, verify, report) | {e2e/1000:.1f} µs | {e2e/bare:.2f}× (target ≤ 1.25×) |")
print(f"| parse + canonicalize + SHA-256 alone | {parse/1000:.1f} µs | {parse/bare:.2f}× |")
print(f"| secp256k1 recovery, libsecp256k1 (native backend) | {lib/1000:.1f} µs | 1.00 |")
print(f"| secp256k1 recovery, k256 (WASM backend) | {k256/1000:.1f} µs | {k256/lib:.2f}× |")
print(f"| `attest audit` of 30,000 attestations (2 cores), best of 5 | {audit:,.0f} /s | {audit/single:.2f}× one core's bare `verify_strict` rate ({single:,.0f} /s) |")
PY
