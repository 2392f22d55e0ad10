// Real browser: headless Chromium loads test/browser/runner.html from a
// 127.0.0.1 server; the page runs every golden vector through the web (ES
// module) build and the test reads the summary from the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../scripts/serve.mjs';
import { openBrowser } from './chromium.mjs';
import { loadVectors } from './load.mjs';
import { plan } from './vectors.mjs';

test('golden vectors in headless Chromium (web build)', async (t) => {
  const vectors = loadVectors();
  assert.ok(vectors.length > 0, 'no vectors');
  const runnable = vectors.filter((v) => !plan(v).skip).length;
  const server = await startServer();
  const browser = await openBrowser();
  try {
    const page = await browser.context.newPage();
    const logs = [];
    page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    await page.goto(`${server.url}/test/browser/runner.html`);
    await page.waitForFunction(() => window.__attestResult !== undefined, null, { timeout: 120_000 });
    const result = await page.evaluate(() => window.__attestResult);
    assert.equal(result.error, undefined, `page error: ${result.error}\n${logs.join('\n')}`);
    t.diagnostic(`${result.userAgent}: ran ${result.ran}/${result.total}, passed ${result.passed}, skipped ${JSON.stringify(result.skipped)}`);
    assert.deepEqual(result.failures, []);
    assert.equal(result.total, vectors.length);
    assert.ok(result.ran > 0, 'zero vectors ran');
    assert.equal(result.ran, runnable);
    assert.equal(result.passed, result.ran);
    assert.match(await page.textContent('#status'), /PASSED/);
    assert.deepEqual(browser.blocked, [], 'requests to other addresses than 127.0.0.1');
  } finally {
    await browser.close();
    await server.close();
  }
});
