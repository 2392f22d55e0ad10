// The npm package as a user gets it (npm run test:package): scripts/package.mjs
// assembles dist/, `npm pack` makes the tarball, `npm install --offline` puts
// it into a fresh project, and that project uses it from CommonJS (require),
// an ES module (import), TypeScript (node16 and bundler resolution), Node
// with the `browser` condition, and an esbuild browser bundle in headless
// Chromium. Each verifies the golden vectors accept/direct-full (core module)
// and accept/heartbeat (./heartbeat, with its heartbeatPolicy). Needs a
// built pkg/ (npm run build) and Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { buildPackage, NAME } from '../scripts/package.mjs';
import { openBrowser, chromiumMissing } from './chromium.mjs';
import { loadVectors, pkgRoot } from './load.mjs';

const tmp = mkdtempSync(join(tmpdir(), 'attest-npm-'));
const project = join(tmp, 'project');
const installed = join(project, 'node_modules', ...NAME.split('/'));
let manifest;
let packed;

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} exited with ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

before(() => {
  ({ manifest } = buildPackage(join(tmp, 'dist')));
  const env = { ...process.env, npm_config_cache: join(tmp, 'npm-cache'), npm_config_update_notifier: 'false' };
  packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: join(tmp, 'dist'), env }))[0];
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '0.0.0', private: true }, null, 2));
  run('npm', ['install', join(tmp, packed.filename), '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: project, env });
  // Test inputs: the two golden vectors and the plan() that maps them onto options.
  const vectors = loadVectors();
  const pick = (n) => {
    const v = vectors.find((x) => x.name === n);
    assert.ok(v, `vector ${n}`);
    return v;
  };
  writeFileSync(join(project, 'inputs.json'), JSON.stringify({ full: pick('accept/direct-full'), heartbeat: pick('accept/heartbeat') }));
  copyFileSync(join(pkgRoot, 'test', 'vectors.mjs'), join(project, 'vectors.mjs'));
});

after(() => rmSync(tmp, { recursive: true, force: true }));

test('the tarball: manifest, files, no runtime dependencies', () => {
  assert.equal(manifest.name, NAME);
  assert.equal(manifest.private, undefined);
  assert.equal(manifest.license, 'Apache-2.0');
  assert.equal(manifest.sideEffects, false);
  const cargo = readFileSync(join(pkgRoot, '..', 'Cargo.toml'), 'utf8');
  assert.equal(manifest.version, cargo.match(/\[workspace\.package\]\nversion = "([^"]+)"/)[1]);
  const got = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
  for (const k of ['dependencies', 'peerDependencies', 'optionalDependencies']) assert.equal(got[k], undefined, k);
  const files = packed.files.map((f) => f.path).sort();
  for (const f of ['README.md', 'package.json', 'index.cjs', 'index.mjs', 'index.d.cts', 'index.d.mts', 'web.mjs', 'web.d.mts',
    'heartbeat.cjs', 'heartbeat.mjs', 'heartbeat.d.cts', 'heartbeat.d.mts', 'heartbeat-web.mjs', 'heartbeat-web.d.mts',
    'wasm/core/node.cjs', 'wasm/core/web.mjs', 'wasm/core/attest_verifier_wasm_bg.wasm',
    'wasm/heartbeat/node.cjs', 'wasm/heartbeat/web.mjs', 'wasm/heartbeat/attest_verifier_wasm_bg.wasm']) {
    assert.ok(files.includes(f), `${f} missing from the tarball: ${files.join(', ')}`);
  }
  assert.equal(files.length, 20, files.join(', '));
  // Every JS entry of the exports map has types.
  for (const [key, entry] of Object.entries(manifest.exports)) {
    if (typeof entry === 'string') continue;
    for (const leaf of [entry.browser, entry.node.import, entry.node.require, entry.default]) {
      assert.ok(leaf.types && existsSync(join(installed, leaf.types)), `${key}: types of ${leaf.default}`);
      assert.ok(existsSync(join(installed, leaf.default)), `${key}: ${leaf.default}`);
    }
  }
  // The unions are in the published declarations.
  const dts = readFileSync(join(installed, 'index.d.cts'), 'utf8');
  assert.match(dts, /export type CheckId =\n {2}\| "parse"/);
  assert.match(dts, /export type Reason =\n {2}\| "too-large"/);
  assert.match(dts, /\n +id: CheckId;\n/);
  assert.match(dts, /\n +reason\?: Reason;\n/);
  // Every check id and reason of the golden vectors is in the unions.
  const union = (name) => new Set([...dts.split(`export type ${name} =`)[1].split(';')[0].matchAll(/"([^"]+)"/g)].map((m) => m[1]));
  const ids = union('CheckId');
  const reasons = union('Reason');
  for (const v of loadVectors()) {
    for (const c of [v.expect, ...(v.expectEach || [])]) {
      const id = typeof c === 'string' && c.startsWith('reject:') ? c.slice(7) : null;
      if (id) assert.ok(ids.has(id), `${v.name}: check id ${id} not in CheckId`);
    }
    for (const r of [v.reason, ...(v.reasonEach || [])]) if (r) assert.ok(reasons.has(r), `${v.name}: reason ${r} not in Reason`);
  }
});

const consumer = (load) => `
${load}
const { plan } = await import('./vectors.mjs');
const inputs = JSON.parse(readFileSync(new URL('./inputs.json', base), 'utf8'));
await init();
await hbInit();
const out = {};
const p = plan(inputs.full);
out.full = core.verifyAttestation(p.document, p.options);
const q = plan(inputs.heartbeat, { heartbeat: true });
out.heartbeat = hb.verifyHeartbeat(q.document, q.options);
out.heartbeatAudit = hb.auditHeartbeats([q.document], q.options).reports[0].valid;
out.version = core.version();
try { core.verifyAttestation(42, p.options); } catch (e) { out.error = { code: e.code, option: e.option, message: e.message }; }
console.log(JSON.stringify(out));
`;

function checkOutput(stdout, what) {
  const out = JSON.parse(stdout);
  assert.equal(out.full.valid, true, `${what}: accept/direct-full ${JSON.stringify(out.full.checks)}`);
  assert.equal(out.full.type, 'attest.execution-attestation.v1');
  assert.equal(out.heartbeat.valid, true, `${what}: accept/heartbeat ${JSON.stringify(out.heartbeat.checks)}`);
  assert.equal(out.heartbeatAudit, true);
  assert.equal(out.version, manifest.version);
  assert.deepEqual(out.error, {
    code: 'ATTEST_INVALID_ARGUMENT', option: 'attestation',
    message: 'attestation: must be a string, a Uint8Array or an ArrayBuffer, got a number',
  });
}

test('CommonJS: require()', () => {
  writeFileSync(join(project, 'consumer.cjs'), `(async () => {
const { readFileSync } = require('node:fs');
const base = require('node:url').pathToFileURL(__filename);
const core = require('${NAME}');
const hb = require('${NAME}/heartbeat');
const init = core.default, hbInit = hb.default;
${consumer('').replace(/\n/g, '\n  ')}
})().catch((e) => { console.error(e); process.exit(1); });
`);
  checkOutput(run(process.execPath, ['consumer.cjs'], { cwd: project }), 'cjs');
});

test('ES module: import', () => {
  writeFileSync(join(project, 'consumer.mjs'), consumer(`import { readFileSync } from 'node:fs';
import init, * as core from '${NAME}';
import hbInit, * as hb from '${NAME}/heartbeat';
const base = import.meta.url;`));
  checkOutput(run(process.execPath, ['consumer.mjs'], { cwd: project }), 'esm');
});

test('the browser entry under Node (--conditions=browser): ATTEST_NOT_INITIALIZED, then init with bytes', () => {
  writeFileSync(join(project, 'consumer-web.mjs'), `import { readFileSync } from 'node:fs';
import init, { verifyAttestation, version } from '${NAME}';
import { plan } from './vectors.mjs';
const inputs = JSON.parse(readFileSync(new URL('./inputs.json', import.meta.url), 'utf8'));
const p = plan(inputs.full);
const out = {};
try { verifyAttestation(p.document, p.options); } catch (e) { out.before = { code: e.code, message: e.message }; }
try { version(); } catch (e) { out.beforeVersion = e.code; }
const wasm = readFileSync(new URL(import.meta.resolve('${NAME}/wasm')));
await init({ module_or_path: wasm });
out.full = verifyAttestation(p.document, p.options).valid;
console.log(JSON.stringify(out));
`);
  const out = JSON.parse(run(process.execPath, ['--conditions=browser', 'consumer-web.mjs'], { cwd: project }));
  assert.equal(out.before.code, 'ATTEST_NOT_INITIALIZED');
  assert.match(out.before.message, /^verifyAttestation: the attest verifier is not initialized; call `await init\(\)`/);
  assert.equal(out.beforeVersion, 'ATTEST_NOT_INITIALIZED');
  assert.equal(out.full, true);
});

test('TypeScript: node16 (ESM and CJS) and bundler resolution, CheckId/Reason unions', () => {
  const tsc = join(pkgRoot, 'node_modules', '.bin', 'tsc');
  const body = (from) => `
const options: VerifyOptions = { trustRoots: ['{}', new Uint8Array(), new ArrayBuffer(0)], rootKeys: [], output: new ArrayBuffer(0) };
const report: VerifyReport = verifyAttestation('{}', options);
const check: Check | undefined = report.checks[0];
const id: CheckId | undefined = check?.id;
const reason: Reason | undefined = check?.reason;
const chainReason: Reason | undefined = verifyTrustRootChain([], { rootKeys: [] }).reason;
const known: CheckId = 'trust-root';
const knownReason: Reason = 'not-anchored';
// @ts-expect-error not a check id
const typo: CheckId = 'signatures';
// @ts-expect-error not a reason
const typoReason: Reason = 'bad-sig';
// Check.id, Check.reason and ChainVerdict.reason are the unions, not string.
const notString: string extends Check['id'] ? never : true = true;
const notStringReason: string extends NonNullable<Check['reason']> ? never : true = true;
const hbReport: VerifyReport = verifyHeartbeat('{}', { trustRoots: [], rootKeys: [], heartbeatPolicy: '{}' });
const audit: HeartbeatAudit = auditHeartbeats([], { trustRoots: [], rootKeys: [], windowStart: '2026-01-01T00:00:00Z' });
const viaCore: VerifyReport = hbVerifyAttestation('{}', { trustRoots: [], rootKeys: [], heartbeatPolicy: '{}' });
const code: AttestError['code'] = 'ATTEST_NOT_INITIALIZED';
const ready: Promise<unknown> = init();
export { id, reason, chainReason, known, knownReason, typo, typoReason, notString, notStringReason, hbReport, audit, viaCore, code, ready, inspect, verifyBatch, verifyRecordProof, version };
`;
  const esmImports = `import init, { verifyAttestation, verifyBatch, verifyTrustRootChain, inspect, verifyRecordProof, version, type VerifyOptions, type VerifyReport, type Check, type CheckId, type Reason, type AttestError } from '${NAME}';
import { verifyHeartbeat, auditHeartbeats, verifyAttestation as hbVerifyAttestation, type HeartbeatAudit } from '${NAME}/heartbeat';`;
  const ts = join(project, 'ts');
  mkdirSync(ts, { recursive: true });
  writeFileSync(join(ts, 'esm.mts'), esmImports + body());
  writeFileSync(join(ts, 'cjs.cts'), `import core = require('${NAME}');
import hb = require('${NAME}/heartbeat');
type VerifyOptions = core.VerifyOptions; type VerifyReport = core.VerifyReport; type Check = core.Check; type CheckId = core.CheckId; type Reason = core.Reason; type AttestError = core.AttestError; type HeartbeatAudit = hb.HeartbeatAudit;
const { verifyAttestation, verifyBatch, verifyTrustRootChain, inspect, verifyRecordProof, version } = core;
const init = core.default;
const { verifyHeartbeat, auditHeartbeats, verifyAttestation: hbVerifyAttestation } = hb;` + body());
  writeFileSync(join(ts, 'bundler.ts'), esmImports + `\nimport type { InitOutput } from '${NAME}';` + body() + `
// The browser declarations (the default condition): init resolves to the module's exports.
const withUrl: Promise<InitOutput> = init({ module_or_path: new URL('https://example.invalid/x.wasm') });
export { withUrl };
`);
  const common = { strict: true, noEmit: true, target: 'es2022', skipLibCheck: false, types: [] };
  writeFileSync(join(ts, 'tsconfig.node.json'), JSON.stringify({ compilerOptions: { ...common, module: 'node16', moduleResolution: 'node16', lib: ['es2022'] }, files: ['esm.mts', 'cjs.cts'] }));
  writeFileSync(join(ts, 'tsconfig.bundler.json'), JSON.stringify({ compilerOptions: { ...common, module: 'esnext', moduleResolution: 'bundler', lib: ['es2022', 'dom'] }, files: ['bundler.ts'] }));
  run(tsc, ['-p', join(ts, 'tsconfig.node.json')], { cwd: project });
  run(tsc, ['-p', join(ts, 'tsconfig.bundler.json')], { cwd: project });
});

const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm' };

function serve(root) {
  const server = createServer((req, res) => {
    const path = normalize(join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
    if (!path.startsWith(root + sep) || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': MIME[extname(path)] || 'application/octet-stream' }).end(readFileSync(path));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((r) => server.close(r)),
  })));
}

test('esbuild browser bundle in headless Chromium', { skip: chromiumMissing() || false }, async () => {
  const esbuild = await import('esbuild');
  writeFileSync(join(project, 'browser.mjs'), `import init, { verifyAttestation, version } from '${NAME}';
import hbInit, { verifyHeartbeat } from '${NAME}/heartbeat';
import { plan } from './vectors.mjs';
window.__run = async () => {
  const inputs = await (await fetch('/inputs.json')).json();
  const out = {};
  const p = plan(inputs.full);
  try { verifyAttestation(p.document, p.options); } catch (e) { out.before = { code: e.code, isError: e instanceof Error }; }
  // esbuild does not emit the .wasm: pass its URL (here: served from node_modules).
  await init({ module_or_path: '/node_modules/${NAME}/wasm/core/attest_verifier_wasm_bg.wasm' });
  await hbInit({ module_or_path: '/node_modules/${NAME}/wasm/heartbeat/attest_verifier_wasm_bg.wasm' });
  out.full = verifyAttestation(p.document, p.options).valid;
  const q = plan(inputs.heartbeat, { heartbeat: true });
  out.heartbeat = verifyHeartbeat(q.document, q.options).valid;
  out.version = version();
  return out;
};
`);
  const result = await esbuild.build({
    absWorkingDir: project, entryPoints: ['browser.mjs'], bundle: true, platform: 'browser', format: 'esm',
    outfile: join(project, 'out', 'bundle.js'), metafile: true, logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(inputs.some((i) => i.endsWith(`${NAME}/web.mjs`)), `browser entry not bundled: ${inputs}`);
  assert.ok(inputs.some((i) => i.endsWith(`${NAME}/heartbeat-web.mjs`)), `heartbeat browser entry not bundled: ${inputs}`);
  assert.ok(!inputs.some((i) => i.endsWith('.cjs')), `a Node build was bundled: ${inputs}`);
  writeFileSync(join(project, 'index.html'), '<!doctype html><meta charset="utf-8"><title>consumer</title><script type="module" src="/out/bundle.js"></script>');
  const server = await serve(project);
  const browser = await openBrowser();
  try {
    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/index.html`);
    await page.waitForFunction(() => typeof window.__run === 'function', null, { timeout: 30_000 });
    const out = await page.evaluate(() => window.__run());
    assert.deepEqual(errors, []);
    assert.deepEqual(out.before, { code: 'ATTEST_NOT_INITIALIZED', isError: true });
    assert.equal(out.full, true, 'accept/direct-full in Chromium');
    assert.equal(out.heartbeat, true, 'accept/heartbeat in Chromium');
    assert.equal(out.version, manifest.version);
    assert.deepEqual(browser.blocked, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
