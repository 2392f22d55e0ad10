// The TEE module (pkg/tee/node; `node scripts/build.mjs --tee`) against every
// `tee/*` golden vector — the verdicts the Rust core and the `attest` binary
// give them (test-vectors/tests/golden.rs, cli/tests/cli.rs) — and against
// the core module, which refuses the TEE options. Run: node --test test/tee.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadVectors, loadNodeModule } from './load.mjs';
import { runTee, teeOptions, teeVectors } from './tee-vectors.mjs';

const tee = loadNodeModule('tee');
const vectors = teeVectors(loadVectors());
const options = teeOptions;

function firstFailure(report) {
  return report.checks.find((c) => c.status === 'fail');
}

test('every tee vector gets its expected verdict and reason in the TEE module', () => {
  assert.ok(vectors.length >= 25, `only ${vectors.length} tee vectors`);
  const r = runTee(loadVectors(), tee);
  assert.equal(r.ran, vectors.length);
  assert.deepEqual(r.failures, []);
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

test('the core module refuses TEE options and trust roots that use TEE-bound keys', () => {
  const core = loadNodeModule('core');
  const v = vectors.find((x) => x.name === 'tee/accept-attestation-with-binding');
  assert.throws(() => core.verifyAttestation(v.document, options(v)), (e) => e.code === 'ATTEST_INVALID_ARGUMENT');
  const { teeBindings, teeRootCa, ...plain } = options(v);
  // The trust root carries teePolicies and a key's `tee`: members the core module does not read.
  for (const name of ['tee/accept-attestation-with-binding', 'tee/accept-plain-key-needs-no-binding']) {
    const x = vectors.find((y) => y.name === name);
    const { teeBindings: _b, teeRootCa: _c, ...o } = options(x);
    const r = core.verifyAttestation(x.document, o);
    assert.equal(r.valid, false, name);
    const f = firstFailure(r);
    assert.deepEqual([f.id, f.reason], ['trust-root', 'unknown-member'], name);
  }
  assert.ok(plain.trustRoots.length > 0);
});

test('tee vectors in headless Chromium (TEE module, web build)', async (t) => {
  const { chromiumMissing, openBrowser } = await import('./chromium.mjs');
  const missing = chromiumMissing();
  if (missing) return t.skip(missing);
  const { startServer } = await import('../scripts/serve.mjs');
  const server = await startServer();
  const browser = await openBrowser();
  try {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/test/browser/tee.html`);
    await page.waitForFunction(() => window.__attestResult !== undefined, null, { timeout: 120_000 });
    const result = await page.evaluate(() => window.__attestResult);
    assert.equal(result.error, undefined, `page error: ${result.error}`);
    t.diagnostic(`${result.userAgent}: ran ${result.ran}, passed ${result.passed}`);
    assert.equal(result.ran, vectors.length);
    assert.deepEqual(result.failures, []);
    assert.deepEqual(browser.blocked, [], 'requests to other addresses than 127.0.0.1');
  } finally {
    await browser.close();
    await server.close();
  }
});
