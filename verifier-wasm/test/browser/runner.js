// Runs every golden vector through the web (ES module) build and publishes
// the summary as window.__attestResult and in #result. With
// ?bench=SAMPLE_SECONDS&repeats=R it also times the accepting vectors
// (bench/measure.mjs, performance.now).
import init, { verifyAttestation, verifyBatch, version } from '../../pkg/web/attest_verifier_wasm.js';
import initHeartbeat, * as hb from '../../pkg/heartbeat/web/attest_verifier_wasm.js';
import { runAll } from '../vectors.mjs';
import { acceptingInputs, measure } from '../../bench/measure.mjs';

async function main() {
  await init();
  await initHeartbeat();
  const vectors = await (await fetch('/vectors.json')).json();
  const result = runAll(vectors, verifyAttestation, verifyBatch);
  // The heartbeat module runs every vector (a superset of the core module).
  const heartbeat = runAll(vectors, hb.verifyAttestation, hb.verifyBatch, hb.auditHeartbeats);
  result.heartbeatModule = { ran: heartbeat.ran, passed: heartbeat.passed, skipped: heartbeat.skipped };
  result.failures.push(...heartbeat.failures.map((f) => ({ ...f, name: `heartbeat module: ${f.name}` })));
  result.total = vectors.length;
  result.version = version();
  result.userAgent = navigator.userAgent;
  const params = new URLSearchParams(location.search);
  if (params.has('bench')) {
    result.bench = measure(acceptingInputs(vectors), verifyAttestation, {
      sampleSeconds: Number(params.get('bench')),
      repeats: Number(params.get('repeats') || 3),
    });
  }
  return result;
}

main().then(
  (result) => {
    window.__attestResult = result;
    document.getElementById('status').textContent = result.failures.length ? 'FAILED' : 'PASSED';
    document.getElementById('result').textContent = JSON.stringify(result, null, 2);
  },
  (e) => {
    window.__attestResult = { error: String((e && e.stack) || e) };
    document.getElementById('status').textContent = 'ERROR';
    document.getElementById('result').textContent = window.__attestResult.error;
  },
);
