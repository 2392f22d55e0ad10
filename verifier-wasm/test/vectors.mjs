// Golden vectors (test-vectors/src/lib.rs `Vector`) mapped onto verifyAttestation.
// Plain ES module with no Node APIs: the Node tests, the browser test page and
// the benchmark all import it.

/** Standard padded base64 → bytes. */
export function b64(s) {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * How a vector runs through the WASM API.
 * Returns { skip: reason } or { document, options }.
 * - batch vectors (`documents`): run through `verifyBatch` (`batch: true`);
 * - bundles with a non-`file` entry (symlink, special file): skipped, the
 *   browser API takes only files;
 * - `documentBase64`: passed as a Uint8Array (the API accepts bytes), so
 *   non-UTF-8 documents run too.
 */
export function plan(v, { heartbeat = false } = {}) {
  if (!heartbeat && isHeartbeat(v)) return { skip: 'heartbeat vector (run by the heartbeat module)' };
  if (v.logProof !== undefined) return { skip: 'log-inclusion vector (native: attest verify --log-proof)' };
  if (v.name.startsWith('attesto/')) return { skip: 'Attesto vector (native: attest verify --attesto-key; not in the WASM modules)' };
  if (v.expectClaims !== undefined) return { skip: 'expect vector (native: attest verify --expect)' };
  if (v.tee !== undefined) return { skip: 'TEE vector (native: attest verify --tee-binding; the core module has no DCAP verification)' };
  const entries = v.bundle && v.bundle.entries;
  if (entries && entries.some((e) => e.kind !== 'file')) return { skip: 'non-file bundle entry' };
  let document;
  if (v.documents && v.documents.length > 0) document = v.documents;
  else if (typeof v.document === 'string') document = v.document;
  else if (typeof v.documentBase64 === 'string') document = b64(v.documentBase64);
  else return { skip: 'no document' };
  const options = { trustRoots: v.trustRoots, rootKeys: v.rootKeys, now: v.now };
  if (v.signals !== undefined) options.signals = v.signals;
  if (v.outputBase64 !== undefined) options.output = b64(v.outputBase64);
  if (v.network !== undefined) options.network = v.network;
  if (v.allowHosts && v.allowHosts.length > 0) options.allowHosts = v.allowHosts;
  if (v.minTrustRootVersion !== undefined) options.minTrustRootVersion = v.minTrustRootVersion;
  if (v.heartbeatPolicy !== undefined) options.heartbeatPolicy = v.heartbeatPolicy;
  const heartbeats = Array.isArray(document) && ((v.expectStreams && v.expectStreams.length > 0) || v.windowStart !== undefined);
  if (heartbeats && v.windowStart !== undefined) options.windowStart = v.windowStart;
  if (v.bundle) {
    options.bundleManifest = v.bundle.manifest;
    if (entries) {
      options.bundleFiles = {};
      for (const e of entries) options.bundleFiles[e.path] = b64(e.base64 || '');
    }
  }
  return { document, options, batch: Array.isArray(document) && !heartbeats, heartbeats };
}

/** Whether a vector's documents are DSSE envelopes (heartbeats: the heartbeat module). */
export function isHeartbeat(v) {
  const docs = [v.document, ...(v.documents || [])];
  return docs.some((d) => typeof d === 'string' && d.includes('"payloadType"'));
}

/** The verdict of one report: `accept` or `reject:<first failed check>`. */
export function verdict(report) {
  const first = report.checks.find((c) => c.status === 'fail');
  return report.valid ? 'accept' : `reject:${first ? first.id : '(none failed)'}`;
}

/** Compares batch reports with `expectEach`; null when they match. */
export function checkBatch(v, reports) {
  const got = reports.map(verdict);
  const want = v.expectEach || [];
  return JSON.stringify(got) === JSON.stringify(want) ? null : `expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`;
}

/**
 * Compares an auditHeartbeats result with `expectEach`, `reasonEach` and
 * `expectStreams`; null when they match.
 */
export function checkAudit(v, audit) {
  const batch = checkBatch(v, audit.reports);
  if (batch) return batch;
  if (v.reasonEach && v.reasonEach.length > 0) {
    const got = audit.reports.map((r) => {
      const f = r.checks.find((c) => c.status === 'fail');
      return (f && f.reason) || '';
    });
    if (JSON.stringify(got) !== JSON.stringify(v.reasonEach)) return `expected reasons ${JSON.stringify(v.reasonEach)}, got ${JSON.stringify(got)}`;
  }
  const got = audit.streams.map((s) => {
    const f = s.report.checks.find((c) => c.status === 'fail');
    const e = { stream: s.stream, expect: verdict(s.report) };
    if (f && f.reason) e.reason = f.reason;
    e.health = s.health;
    return e;
  });
  const want = v.expectStreams || [];
  return JSON.stringify(got) === JSON.stringify(want) ? null : `expected streams ${JSON.stringify(want)}, got ${JSON.stringify(got)}`;
}

/** Ids of the failed checks, in report order. */
export function failedIds(report) {
  return report.checks.filter((c) => c.status === 'fail').map((c) => c.id);
}

/**
 * Compares a report with the vector's expectation; returns null when it
 * matches, else a message. `accept` ⇔ valid; `reject:<id>`: the first failed
 * check has that id and, when the vector has `reason`, that check's reason.
 */
export function check(v, report) {
  const failed = report.checks.filter((c) => c.status === 'fail');
  const first = failed[0];
  const got = report.valid ? 'accept' : `reject:${first ? first.id : '(none failed)'}`;
  if (v.expect === 'accept') {
    return report.valid ? null : `expected accept, got ${got}${first ? ` [${first.reason}] ${first.detail}` : ''}`;
  }
  if (!v.expect.startsWith('reject:')) return `unknown expectation ${v.expect}`;
  const id = v.expect.slice('reject:'.length);
  if (report.valid) return `expected ${v.expect}, got accept`;
  if (!first || first.id !== id) {
    return `expected ${v.expect}, got ${got}${first ? ` [${first.reason}] ${first.detail}` : ''}`;
  }
  if (v.reason !== undefined && v.reason !== null && first.reason !== v.reason) {
    return `expected ${v.expect} reason ${v.reason}, got reason ${first.reason}: ${first.detail}`;
  }
  return null;
}

/**
 * Runs every vector through `verifyAttestation`; never throws.
 * Returns { ran, passed, skipped: {reason: count}, failures: [{name, message}] }.
 */
export function runAll(vectors, verifyAttestation, verifyBatch, auditHeartbeats) {
  const out = { ran: 0, passed: 0, skipped: {}, failures: [] };
  for (const v of vectors) {
    const p = plan(v, { heartbeat: !!auditHeartbeats });
    if (p.skip) {
      out.skipped[p.skip] = (out.skipped[p.skip] || 0) + 1;
      continue;
    }
    out.ran++;
    let message;
    try {
      if (p.heartbeats) {
        if (!auditHeartbeats) throw new Error('no auditHeartbeats given');
        message = checkAudit(v, auditHeartbeats(p.document, p.options));
      } else if (p.batch) {
        if (!verifyBatch) throw new Error('no verifyBatch given');
        message = checkBatch(v, verifyBatch(p.document, p.options));
      } else {
        message = check(v, verifyAttestation(p.document, p.options));
      }
    } catch (e) {
      message = `threw ${e && e.code ? e.code + ': ' : ''}${e && e.message ? e.message : e}`;
    }
    if (message) out.failures.push({ name: v.name, message });
    else out.passed++;
  }
  return out;
}
