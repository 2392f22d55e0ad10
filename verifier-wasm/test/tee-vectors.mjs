// The `tee/*` golden vectors mapped onto the TEE module's API. Plain ES
// module with no Node APIs: the Node test (test/tee.test.mjs) and the
// browser page (test/browser/tee.js) import it.
import { b64, verdict, isHeartbeat } from './vectors.mjs';

/** The options of a tee vector: trust anchor, bindings and the test root. */
export function teeOptions(v) {
  const o = { trustRoots: v.trustRoots, rootKeys: v.rootKeys, now: v.now, teeBindings: v.tee.bindings || [] };
  if (v.tee.rootCa !== undefined) o.teeRootCa = b64(v.tee.rootCa);
  return o;
}

/** The tee vectors the TEE module runs (heartbeat envelopes are the heartbeat module's kind). */
export function teeVectors(vectors) {
  return vectors.filter((v) => v.tee !== undefined && !isHeartbeat(v));
}

/** Runs the tee vectors through `mod` (verifyTeeBinding, verifyAttestation): { ran, passed, failures }. */
export function runTee(vectors, mod) {
  const failures = [];
  let ran = 0;
  for (const v of teeVectors(vectors)) {
    ran += 1;
    const isBinding = v.document.includes('"attest.tee-binding.v1"');
    const report = isBinding ? mod.verifyTeeBinding(v.document, teeOptions(v)) : mod.verifyAttestation(v.document, teeOptions(v));
    const got = verdict(report);
    const failed = report.checks.find((c) => c.status === 'fail');
    if (got !== v.expect || (v.reason !== undefined && failed?.reason !== v.reason)) {
      failures.push({ name: v.name, expected: `${v.expect} ${v.reason ?? ''}`, got: `${got} ${failed?.reason ?? ''}`, detail: failed?.detail });
    }
  }
  return { ran, passed: ran - failures.length, failures };
}
