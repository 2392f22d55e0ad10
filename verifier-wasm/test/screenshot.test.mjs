// The verify page (www/) in headless Chromium, driven like a person would:
// paste the attestation, trust roots and root key, upload the output file and
// the bundle directory, press Verify. Takes PNGs of a passing and a failing
// report into test/screenshots/ and asserts what the DOM shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startServer } from '../scripts/serve.mjs';
import { openBrowser } from './chromium.mjs';
import { loadVectors, pkgRoot } from './load.mjs';
import { b64 } from './vectors.mjs';

const shots = join(pkgRoot, 'test', 'screenshots');

/** Fills the page with a vector's inputs through the form controls. */
async function fill(page, v, tmp) {
  await page.goto(page.url());
  await page.waitForSelector('body[data-ready="true"]');
  await page.fill('#attestation', v.document);
  for (const [i, tr] of v.trustRoots.entries()) {
    if (i > 0) await page.click('#add-trust-root');
    await page.fill(`#trust-root-${i}`, tr);
  }
  await page.fill('#root-keys', v.rootKeys.join('\n'));
  await page.fill('#now', v.now);
  await page.click('#optional summary');
  if (v.signals !== undefined) await page.fill('#signals', v.signals);
  if (v.outputBase64 !== undefined) {
    await page.setInputFiles('#output-file', { name: 'output.bin', mimeType: 'application/octet-stream', buffer: Buffer.from(b64(v.outputBase64)) });
  }
  if (v.bundle) {
    if (v.bundle.entries) {
      // A real directory, uploaded through the webkitdirectory input.
      const dir = join(mkdtempSync(join(tmp, 'bundle-')), 'bundle');
      mkdirSync(dir);
      writeFileSync(join(dir, 'manifest.json'), v.bundle.manifest);
      for (const e of v.bundle.entries) {
        mkdirSync(dirname(join(dir, e.path)), { recursive: true });
        writeFileSync(join(dir, e.path), b64(e.base64 || ''));
      }
      await page.setInputFiles('#bundle-dir', dir);
      await page.waitForFunction(() => document.getElementById('bundle-info').textContent.includes('loaded'));
      assert.equal(await page.inputValue('#bundle-manifest'), v.bundle.manifest, 'manifest.json of the directory fills the manifest');
    } else {
      await page.fill('#bundle-manifest', v.bundle.manifest);
    }
  }
}

async function verifyAndRead(page) {
  await page.click('#verify');
  await page.waitForSelector('#result:not([hidden])');
  return page.evaluate(() => ({
    verdict: document.getElementById('verdict').textContent,
    verdictClass: document.getElementById('verdict').className,
    rows: [...document.querySelectorAll('#checks tbody tr')].map((tr) => ({
      id: tr.dataset.id,
      status: tr.dataset.status,
      reason: tr.querySelector('td.reason').textContent,
      color: getComputedStyle(tr.querySelector('.status')).color,
    })),
  }));
}

test('verify page: passing and failing reports, with screenshots', async (t) => {
  const vectors = loadVectors();
  const accept = vectors.find((v) => v.name === 'accept/direct-full');
  const tampered = vectors.find((v) => v.name === 'signature/tampered');
  assert.ok(accept && tampered, 'vectors accept/direct-full and signature/tampered are needed');
  mkdirSync(shots, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), 'attest-page-'));
  const server = await startServer();
  const browser = await openBrowser({ width: 1280, height: 900 });
  try {
    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/www/`);

    // Passing report.
    await fill(page, accept, tmp);
    const ok = await verifyAndRead(page);
    assert.equal(ok.verdict, 'VALID');
    assert.equal(ok.verdictClass, 'valid');
    assert.ok(ok.rows.length > 5);
    assert.ok(ok.rows.every((r) => r.status !== 'fail'));
    for (const id of ['signature', 'bundle-files', 'output', 'fingerprint']) {
      assert.equal(ok.rows.find((r) => r.id === id).status, 'pass', `${id} passes with every input given`);
    }
    assert.equal(ok.rows.find((r) => r.id === 'signature').color, 'rgb(26, 127, 55)', 'pass is green');
    const validPng = join(shots, 'valid.png');
    await page.screenshot({ path: validPng, fullPage: true });

    // Failing report: the decision was changed after signing.
    await fill(page, tampered, tmp);
    const bad = await verifyAndRead(page);
    const firstFail = bad.rows.find((r) => r.status === 'fail');
    assert.equal(bad.verdictClass, 'invalid');
    assert.match(bad.verdict, /^INVALID: signature/);
    assert.equal(firstFail.id, tampered.expect.slice('reject:'.length));
    assert.equal(firstFail.reason, tampered.reason);
    assert.equal(firstFail.color, 'rgb(207, 34, 46)', 'fail is red');
    assert.equal(await page.getAttribute('tr[data-id="signature"]', 'data-status'), 'fail');
    const invalidPng = join(shots, 'invalid.png');
    await page.screenshot({ path: invalidPng, fullPage: true });

    // A wrongly shaped option shows the error code instead of a report.
    await page.fill('#root-keys', 'not-hex');
    await page.click('#verify');
    await page.waitForSelector('#error:not([hidden])');
    assert.match(await page.textContent('#error'), /^ATTEST_INVALID_ARGUMENT: rootKeys\[0\]/);

    assert.deepEqual(errors, []);
    assert.deepEqual(browser.blocked, [], 'requests to other addresses than 127.0.0.1');
    for (const p of [validPng, invalidPng]) assert.ok(statSync(p).size > 10_000, `${p} written`);
    t.diagnostic(`screenshots: ${validPng}, ${invalidPng}`);
  } finally {
    await browser.close();
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  }
});
