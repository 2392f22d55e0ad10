#!/usr/bin/env node
// Verifications per second of the accepting execution-attestation golden
// vectors, end to end (options in, report out), single-threaded, all measured
// in one run, one path after the other, with one protocol (bench/measure.mjs):
//   native   examples/native_bench.rs (release build; same code path as the module)
//   Node     pkg/node (WASM) in this process
//   Chromium pkg/web (WASM) in headless Chromium, test/browser/runner.html?bench=…
//   pure JS  bench/purejs.mjs (@noble/curves + canonicalize + node:crypto) in this process
// Writes bench/results.md (markdown for docs/benchmarks.md) and bench/results.json.
//
//   node bench/bench.mjs [SAMPLE_SECONDS [REPEATS]]   (default 0.4 s, best of 5)
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { loadNodeModule, loadVectors, pkgRoot, repoRoot, vectorsDir } from '../test/load.mjs';
import { acceptingInputs, measure } from './measure.mjs';
import { pureVerify } from './purejs.mjs';
import { startServer } from '../scripts/serve.mjs';
import { openBrowser, chromiumMissing } from '../test/chromium.mjs';

const sampleSeconds = Number(process.argv[2] || process.env.BENCH_SAMPLE_SECONDS || 0.4);
const repeats = Number(process.argv[3] || process.env.BENCH_REPEATS || 5);
const vectors = loadVectors();
const inputs = acceptingInputs(vectors);
if (inputs.length === 0) throw new Error(`no accepting vector in ${vectorsDir}`);
const log = (s) => console.error(s);
const loadBefore = os.loadavg();

// Native.
log('native: cargo build --release --example native_bench');
const cargo = spawnSync('cargo', ['build', '--release', '-p', 'attest-verifier-wasm', '--example', 'native_bench'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
if (cargo.status !== 0) throw new Error('cargo build of the native bench failed');
const targetDir = process.env.CARGO_TARGET_DIR || join(repoRoot, 'target');
const nativeOut = execFileSync(join(targetDir, 'release', 'examples', 'native_bench'), [vectorsDir, String(sampleSeconds), String(repeats)], { encoding: 'utf8' });
const native = JSON.parse(nativeOut.trim().split('\n').pop());
log(`native: ${native.perSecond.toFixed(1)}/s`);

// Node, WASM.
const wasm = loadNodeModule();
const node = measure(inputs, (d, o) => wasm.verifyAttestation(d, o), { sampleSeconds, repeats });
log(`node wasm: ${node.perSecond.toFixed(1)}/s`);

// Pure JS, same process.
const pure = measure(inputs, (d, o) => ({ valid: pureVerify(d, o) }), { sampleSeconds, repeats });
log(`pure js: ${pure.perSecond.toFixed(1)}/s`);

// Chromium, WASM.
let chromium = null;
let userAgent = null;
const missing = chromiumMissing();
if (missing) {
  log(`chromium: skipped (${missing})`);
} else {
  const server = await startServer();
  const b = await openBrowser();
  try {
    const page = await b.context.newPage();
    await page.goto(`${server.url}/test/browser/runner.html?bench=${sampleSeconds}&repeats=${repeats}`);
    const timeout = (inputs.length * (repeats + 1) * sampleSeconds * 4 + 60) * 1000;
    await page.waitForFunction(() => window.__attestResult !== undefined, null, { timeout, polling: 500 });
    const r = await page.evaluate(() => window.__attestResult);
    if (r.error) throw new Error(r.error);
    if (r.failures.length) throw new Error(`vector failures in the browser: ${JSON.stringify(r.failures)}`);
    chromium = r.bench;
    userAgent = r.userAgent;
  } finally {
    await b.close();
    await server.close();
  }
  log(`chromium wasm: ${chromium.perSecond.toFixed(1)}/s`);
}

let size = null;
try {
  size = JSON.parse(readFileSync(join(pkgRoot, 'pkg', 'size.json'), 'utf8'));
} catch { /* built without the size report */ }

const names = inputs.map(([, , v]) => v.name);
const geomean = (xs) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
const ratio = (a, b) => names.map((n) => a.perVector[n] / b.perVector[n]);
// Vectors where both paths do comparable work: no on-chain (secp256k1)
// signatures and no large network log — the pure-JS path skips both.
const comparable = inputs
  .filter(([d, o]) => !JSON.parse(d).onchainSignature && !(typeof o.network === 'string' && o.network.length > 65536))
  .map(([, , v]) => v.name);
const comparableRatio = geomean(comparable.map((n) => node.perVector[n] / pure.perVector[n]));
const chromiumVersion = userAgent ? (userAgent.match(/Chrome\/([\d.]+)/) || [])[1] : null;
const results = {
  date: new Date().toISOString(),
  machine: {
    cpu: os.cpus()[0] && os.cpus()[0].model, cores: os.cpus().length,
    loadavgBefore: loadBefore.map((x) => +x.toFixed(2)), loadavgAfter: os.loadavg().map((x) => +x.toFixed(2)),
    node: process.version, chromium: chromiumVersion,
  },
  protocol: { sampleSeconds, repeats, statistic: 'best sample per vector; aggregate = vectors / Σ 1/rate' },
  vectors: names,
  native, node, chromium, pureJs: pure, size,
  ratios: {
    nativeOverNode: native.perSecond / node.perSecond,
    nativeOverChromium: chromium ? native.perSecond / chromium.perSecond : null,
    nodeWasmOverPureJs: node.perSecond / pure.perSecond,
    nodeWasmOverPureJsComparable: { vectors: comparable, geomean: comparableRatio },
    geomean: {
      nativeOverNode: geomean(ratio(native, node)),
      nativeOverChromium: chromium ? geomean(ratio(native, chromium)) : null,
      nodeWasmOverPureJs: geomean(ratio(node, pure)),
    },
  },
};
writeFileSync(join(pkgRoot, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');

const f = (x) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
const r2 = (x) => (x === null || x === undefined ? 'n/a' : `${x.toFixed(2)}×`);
const kib = (b) => `${(b / 1024).toFixed(1)} KiB`;
const G = results.ratios.geomean;
let md = `### WASM verifier (verifier-wasm)

End-to-end verification (options in, report object out: trust-root chain, attestation, and every optional input the vector gives — bundle, signals, output, network log, on-chain signatures) of the ${inputs.length} accepting execution-attestation golden vectors, single-threaded. Protocol (same code in all four paths): each vector alone, best of ${repeats} samples of ≥ ${sampleSeconds} s; the aggregate is one round over all vectors (vectors / Σ 1/rate). Measured one path after the other in one run of \`npm run bench\` on ${results.date.slice(0, 10)}: ${results.machine.cpu}, ${results.machine.cores} cores, load average ${loadBefore.map((x) => x.toFixed(1)).join(' / ')} (shared machine), Node ${process.version}${chromiumVersion ? `, Chromium ${chromiumVersion}` : ''}.

| path | verifications/s (aggregate) | native ÷ path, aggregate | native ÷ path, geometric mean over vectors |
|---|---:|---:|---:|
| native Rust (release, \`examples/native_bench.rs\`) | ${f(native.perSecond)} | 1.00× | 1.00× |
| WASM in Node (\`pkg/node\`) | ${f(node.perSecond)} | ${r2(results.ratios.nativeOverNode)} | ${r2(G.nativeOverNode)} |
| WASM in headless Chromium (\`pkg/web\`) | ${chromium ? f(chromium.perSecond) : 'n/a'} | ${r2(results.ratios.nativeOverChromium)} | ${r2(G.nativeOverChromium)} |
| pure JS in Node (@noble/curves Ed25519, \`canonicalize\` JCS, node:crypto SHA-256) | ${f(pure.perSecond)} | ${r2(native.perSecond / pure.perSecond)} | ${r2(geomean(ratio(native, pure)))} |

- **WASM ÷ pure JS in the same Node process: ${r2(comparableRatio)} geometric mean over the ${comparable.length} vectors where both do comparable work** (no on-chain signatures, no large network log); ${r2(G.nodeWasmOverPureJs)} geometric mean over all ${names.length}; ${r2(results.ratios.nodeWasmOverPureJs)} aggregate (target ≥ 5×). The pure-JS path does less: it parses, builds M(D) and verifies the Ed25519 signatures only (no strict parsing, no secp256k1/EIP-712 recovery, no bundle/output hashing, no network-log replay, no report), so on the on-chain vectors and on \`network/10k-records\` (whose cost is replaying 10,000 log records) the ratio compares different work.
- **Native ÷ WASM: Node ${r2(results.ratios.nativeOverNode)}, Chromium ${r2(results.ratios.nativeOverChromium)}** aggregate (target ≤ 2.5×).
${size ? `- Module: \`${size.wasm}\` ${f(size.bytes)} bytes, **${f(size.gzip9)} bytes gzip -9 (${kib(size.gzip9)})**; profile \`${size.profile}\`${size.variant ? ` (${size.variant})` : ''}, wasm-opt ${size.wasmOpt ? '-Oz applied' : 'not applied'}; budget 150 KiB.\n` : ''}
<details><summary>Per vector (verifications/s)</summary>

| vector | native | Node WASM | Chromium WASM | pure JS | native ÷ Node | Node ÷ pure JS |
|---|---:|---:|---:|---:|---:|---:|
`;
for (const n of names) {
  md += `| ${n} | ${f(native.perVector[n])} | ${f(node.perVector[n])} | ${chromium ? f(chromium.perVector[n]) : 'n/a'} | ${f(pure.perVector[n])} | ${r2(native.perVector[n] / node.perVector[n])} | ${r2(node.perVector[n] / pure.perVector[n])} |\n`;
}
md += '\n</details>\n';
writeFileSync(join(pkgRoot, 'bench', 'results.md'), md);
console.log(md);
