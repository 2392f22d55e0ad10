// The TEE module (pkg/tee/node; `node scripts/build.mjs --tee`) against every
// `tee/*` golden vector — the verdicts the Rust core and the `attest` binary
// give them (test-vectors/tests/golden.rs, cli/tests/cli.rs) — and against
// the core module, which refuses the TEE options. Run: node --test test/tee.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadVectors, loadNodeModule } from './load.mjs';
import { b64, verdict, isHeartbeat } from './vectors.mjs';

const tee = loadNodeModule('tee');
// Heartbeat envelopes are the heartbeat module's kind (the TEE module is core + TEE).
const vectors = loadVectors().filter((v) => v.tee !== undefined && !isHeartbeat(v));

function options(v) {
  const o = { trustRoots: v.trustRoots, rootKeys: v.rootKeys, now: v.now, teeBindings: v.tee.bindings || [] };
  if (v.tee.rootCa !== undefined) o.teeRootCa = b64(v.tee.rootCa);
  return o;
}

function firstFailure(report) {
  return report.checks.find((c) => c.status === 'fail');
}

test('every tee vector gets its expected verdict and reason in the TEE module', () => {
  assert.ok(vectors.length >= 25, `only ${vectors.length} tee vectors`);
  const failures = [];
  for (const v of vectors) {
    const isBinding = v.document.includes('"attest.tee-binding.v1"');
    const report = isBinding ? tee.verifyTeeBinding(v.document, options(v)) : tee.verifyAttestation(v.document, options(v));
    const got = verdict(report);
    const reason = firstFailure(report)?.reason;
    if (got !== v.expect || (v.reason !== undefined && reason !== v.reason)) {
      failures.push(`${v.name}: expected ${v.expect} ${v.reason ?? ''}, got ${got} ${reason ?? ''} (${firstFailure(report)?.detail ?? ''})`);
    }
  }
  assert.deepEqual(failures, []);
});

test('a test-root binding names its root; the root option is checked', () => {
  const v = vectors.find((x) => x.name === 'tee/accept-binding');
  const r = tee.verifyTeeBinding(v.document, options(v));
  assert.equal(r.valid, true);
  assert.match(r.checks.find((c) => c.id === 'tee').detail, /--tee-root-ca/);
  assert.throws(() => tee.verifyTeeBinding(v.document, { ...options(v), teeRootCa: '-----BEGIN CERTIFICATE-----\nnot base64!\n' }),
    (e) => e.code === 'ATTEST_INVALID_ARGUMENT' && e.option === 'teeRootCa');
  assert.throws(() => tee.verifyTeeBinding(v.document, { ...options(v), teeBindings: 'x' }),
    (e) => e.code === 'ATTEST_INVALID_ARGUMENT');
});

test('the core module refuses TEE options and fails TEE-bound keys closed', () => {
  const core = loadNodeModule('core');
  const v = vectors.find((x) => x.name === 'tee/accept-attestation-with-binding');
  assert.throws(() => core.verifyAttestation(v.document, options(v)), (e) => e.code === 'ATTEST_INVALID_ARGUMENT');
  const { teeBindings, teeRootCa, ...plain } = options(v);
  const r = core.verifyAttestation(v.document, plain);
  assert.equal(r.valid, false);
  const f = firstFailure(r);
  assert.deepEqual([f.id, f.reason], ['signer', 'tee-unavailable']);
  // A document by a key without `tee` under the same trust root verifies as before.
  const plainKey = vectors.find((x) => x.name === 'tee/accept-plain-key-needs-no-binding');
  const { teeBindings: _b, teeRootCa: _c, ...o } = options(plainKey);
  assert.equal(core.verifyAttestation(plainKey.document, o).valid, true);
});
