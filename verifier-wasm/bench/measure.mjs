// Timing protocol shared by Node, the browser page and (re-implemented in
// Rust) examples/native_bench.rs: each accepting vector is timed alone —
// one warm-up call, then `repeats` samples of at least `sampleSeconds`
// each, keeping the best sample (the machine may be shared; the best sample
// is the least disturbed one). The aggregate is a whole round over all
// vectors: vectors / Σ (1 / rate_i), i.e. verifications per second when
// every vector is verified once in turn.
import { plan } from '../test/vectors.mjs';

const ATTESTATION = 'attest.execution-attestation.v1';

function documentType(text) {
  try {
    return JSON.parse(text).type;
  } catch {
    return undefined;
  }
}

/**
 * The accepting execution-attestation vectors that run through the WASM API,
 * as [document, options, vector] (examples/native_bench.rs selects the same).
 */
export function acceptingInputs(vectors) {
  const out = [];
  for (const v of vectors) {
    if (v.expect !== 'accept' || typeof v.document !== 'string') continue;
    if (documentType(v.document) !== ATTESTATION) continue;
    const p = plan(v);
    if (!p.skip) out.push([p.document, p.options, v]);
  }
  return out;
}

/** Verifications per second of one input: best of `repeats` samples. */
export function rateOf([d, o, v], verify, sampleSeconds, repeats, now) {
  const first = verify(d, o, v);
  if (!first || first.valid !== true) throw new Error(`${v.name}: not valid in the benchmark path`);
  let best = 0;
  for (let r = 0; r < repeats; r++) {
    let n = 0;
    const start = now();
    let elapsed;
    do {
      if (verify(d, o, v).valid !== true) throw new Error(`${v.name}: verification failed during the benchmark`);
      n++;
      elapsed = (now() - start) / 1000;
    } while (elapsed < sampleSeconds);
    best = Math.max(best, n / elapsed);
  }
  return best;
}

/**
 * Times `verify(document, options, vector)` on every input.
 * Returns { vectors, perSecond (aggregate), perVector: {name: rate}, sampleSeconds, repeats }.
 */
export function measure(inputs, verify, { sampleSeconds = 0.25, repeats = 3, now = () => performance.now() } = {}) {
  if (inputs.length === 0) throw new Error('no accepting vector');
  const perVector = {};
  let roundSeconds = 0;
  for (const input of inputs) {
    const rate = rateOf(input, verify, sampleSeconds, repeats, now);
    perVector[input[2].name] = rate;
    roundSeconds += 1 / rate;
  }
  return { vectors: inputs.length, perSecond: inputs.length / roundSeconds, perVector, sampleSeconds, repeats };
}
