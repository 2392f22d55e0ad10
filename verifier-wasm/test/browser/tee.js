// Runs the tee/* golden vectors through the TEE module's web build
// (pkg/tee/web) and publishes the summary as window.__attestResult.
import init, * as tee from '../../pkg/tee/web/attest_verifier_wasm.js';
import { runTee } from '../tee-vectors.mjs';

async function main() {
  await init();
  const vectors = await (await fetch('/vectors.json')).json();
  const result = runTee(vectors, tee);
  result.userAgent = navigator.userAgent;
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
  },
);
