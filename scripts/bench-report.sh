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
# Table path against bare verify_strict, interleaved in one process (median of 9 rounds).
table=$(cargo bench -q -p attest-verifier --bench ed25519_table 2>/dev/null | sed -n 's/.*median \([0-9.]*\) max.*/\1/p')
cargo build -q --release -p attest-cli -p attest-test-vectors
tmp=$(mktemp -d)
./target/release/audit-batch 10000 "$tmp"
audit() {
  RAYON_NUM_THREADS=$1 ./target/release/attest audit "$tmp/batch.jsonl" --trust-root "$tmp/trust-root.json" \
    --root-key "$tmp/root.pub" --now 2026-11-21T12:00:00Z --no-state --format json | tail -1 |
    python3 -c "import json,sys; print(json.load(sys.stdin)['summary']['perSecond'])"
}
one=""; two=""
for _ in 1 2 3 4 5 6 7; do # alternating one and two audit threads
  one="$one $(audit 1)"; two="$two $(audit 2)"
done
rm -rf "$tmp"
python3 - "$bare" "$e2e" "$parse" "$lib" "$k256" "$table" "$one" "$two" <<'PY'
import sys
bare, e2e, parse, lib, k256, table = map(float, sys.argv[1:7])
one, two = (sorted(map(float, a.split())) for a in sys.argv[7:9])
single = 1e9 / bare
def audit_row(name, rates):
    lo, med, hi = rates[0], rates[len(rates) // 2], rates[-1]
    return (f"| `attest audit` of 10,000 attestations, {name}, median (min–max) of 7 | {med:,.0f} /s "
            f"({lo:,.0f}–{hi:,.0f}) | {med/single:.2f}× ({lo/single:.2f}–{hi/single:.2f}×) one core's bare `verify_strict` rate ({single:,.0f} /s) |")
print("| measurement | time / rate | ratio |")
print("|---|---|---|")
print(f"| bare ed25519-dalek `verify_strict` of M(attestation) | {bare/1000:.1f} µs | 1.00 |")
print(f"| end-to-end `verify_attestation` (parse, canonicalize, hash, key lookup, verify, report) | {e2e/1000:.1f} µs | {e2e/bare:.2f}× (target ≤ 1.25×) |")
print(f"| parse + canonicalize + SHA-256 alone | {parse/1000:.1f} µs | {parse/bare:.2f}× |")
print(f"| secp256k1 recovery, libsecp256k1 (native backend) | {lib/1000:.1f} µs | 1.00 |")
print(f"| secp256k1 recovery, k256 (WASM backend) | {k256/1000:.1f} µs | {k256/lib:.2f}× |")
print(f"| per-key table path (`StrictVerifyingKey` after 16 uses) vs bare `verify_strict`, interleaved | | {table:.2f}× as fast |")
print(audit_row("1 thread", one))
print(audit_row("2 threads", two))
PY
