// Node tests of the CommonJS build: every golden vector through
// verifyAttestation, plus the API contract (errors with codes, inputs as text
// or bytes, verifyTrustRootChain, inspect, version).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadNodeModule, loadVectors, vectorsDir } from './load.mjs';
import { plan, check, checkBatch, checkAudit, isHeartbeat, runAll } from './vectors.mjs';

const wasm = loadNodeModule();
const hbWasm = loadNodeModule('heartbeat');
const vectors = loadVectors();
const byName = (n) => {
  const v = vectors.find((x) => x.name === n);
  assert.ok(v, `vector ${n} not found in ${vectorsDir}`);
  return v;
};

test('golden vectors', async (t) => {
  assert.ok(vectors.length > 0, `no vector in ${vectorsDir}`);
  const skipped = {};
  let ran = 0;
  for (const v of vectors) {
    const p = plan(v, { heartbeat: false });
    if (p.skip) {
      skipped[p.skip] = (skipped[p.skip] || 0) + 1;
      await t.test(v.name, { skip: p.skip }, () => {});
      continue;
    }
    ran++;
    await t.test(v.name, () => {
      const message = p.batch
        ? checkBatch(v, wasm.verifyBatch(p.document, p.options))
        : check(v, wasm.verifyAttestation(p.document, p.options));
      assert.equal(message, null, `${v.name}: ${message}`);
    });
  }
  t.diagnostic(`vectors: ${vectors.length}, ran ${ran}, skipped ${JSON.stringify(skipped)}`);
  assert.ok(ran > 0, 'zero vectors ran');
  // The summary runner used by the browser page agrees.
  const all = runAll(vectors, wasm.verifyAttestation, wasm.verifyBatch);
  assert.ok(vectors.filter((v) => v.documents && v.documents.length > 0).length >= 5, 'batch vectors ran');
  assert.deepEqual(all.failures, []);
  assert.equal(all.ran, ran);
});

test('golden vectors through the heartbeat module (every vector: it is a superset of the core module)', async (t) => {
  let ran = 0;
  let heartbeats = 0;
  for (const v of vectors) {
    const p = plan(v, { heartbeat: true });
    if (p.skip) continue;
    ran++;
    if (isHeartbeat(v)) heartbeats++;
    await t.test(v.name, () => {
      const message = p.heartbeats
        ? checkAudit(v, hbWasm.auditHeartbeats(p.document, p.options))
        : p.batch
          ? checkBatch(v, hbWasm.verifyBatch(p.document, p.options))
          : check(v, (isHeartbeat(v) ? hbWasm.verifyHeartbeat : hbWasm.verifyAttestation)(p.document, p.options));
      assert.equal(message, null, `${v.name}: ${message}`);
    });
  }
  t.diagnostic(`heartbeat module: ran ${ran}, of them ${heartbeats} heartbeat vectors`);
  assert.ok(heartbeats >= 50, `only ${heartbeats} heartbeat vectors ran`);
  const all = runAll(vectors, hbWasm.verifyAttestation, hbWasm.verifyBatch, hbWasm.auditHeartbeats);
  assert.deepEqual(all.failures, []);
  assert.equal(all.ran, ran);
});

test('the core module refuses heartbeat envelopes and options clearly', () => {
  const v = byName('accept/heartbeat');
  const r = wasm.verifyAttestation(v.document, { trustRoots: v.trustRoots, rootKeys: v.rootKeys, now: v.now });
  assert.equal(r.valid, false);
  assert.equal(r.checks[0].reason, 'unknown-type');
  assert.equal(typeof wasm.auditHeartbeats, 'undefined');
  assert.throws(
    () => wasm.verifyAttestation(v.document, { trustRoots: v.trustRoots, rootKeys: v.rootKeys, heartbeatPolicy: v.heartbeatPolicy }),
    (e) => e.code === 'ATTEST_INVALID_ARGUMENT',
  );
  // The heartbeat module: a malformed policy is a coded error naming the option.
  assert.throws(
    () => hbWasm.verifyHeartbeat(v.document, { trustRoots: v.trustRoots, rootKeys: v.rootKeys, heartbeatPolicy: '{"type":"attest.heartbeat-policy.v1"}' }),
    (e) => e.code === 'ATTEST_MALFORMED_DOCUMENT' && e.option === 'heartbeatPolicy',
  );
  assert.throws(
    () => hbWasm.auditHeartbeats([v.document], { trustRoots: v.trustRoots, rootKeys: v.rootKeys, windowStart: 'yesterday' }),
    (e) => e.code === 'ATTEST_INVALID_ARGUMENT' && e.option === 'windowStart',
  );
});

test('report shape: the object attest verify --format json prints', () => {
  const v = byName('accept/direct-full');
  const { document, options } = plan(v);
  const r = wasm.verifyAttestation(document, options);
  assert.equal(r.valid, true);
  assert.equal(r.type, 'attest.execution-attestation.v1');
  assert.match(r.digest, /^[0-9a-f]{64}$/);
  assert.deepEqual(Object.keys(r), ['valid', 'type', 'checks', 'digest']);
  for (const c of r.checks) {
    assert.ok(['pass', 'fail', 'skip'].includes(c.status));
    assert.equal(typeof c.detail, 'string');
    assert.ok(!('reason' in c), 'no reason on a passing report');
  }
  assert.deepEqual(r.checks.slice(0, 5).map((c) => c.id), ['parse', 'trust-root', 'signer', 'delegation', 'signature']);
  // A plain object (JSON round-trip is identity).
  assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
  assert.equal(Object.getPrototypeOf(r), Object.prototype);
});

test('failing report carries reason', () => {
  const v = byName('trust-root/not-anchored');
  const { document, options } = plan(v);
  const r = wasm.verifyAttestation(document, options);
  assert.equal(r.valid, false);
  const f = r.checks.find((c) => c.status === 'fail');
  assert.equal(f.id, 'trust-root');
  assert.equal(f.reason, 'not-anchored');
});

test('documents as bytes equal documents as text; Buffer works', () => {
  const v = byName('accept/direct-full');
  const { document, options } = plan(v);
  const enc = new TextEncoder();
  const asText = wasm.verifyAttestation(document, options);
  const asBytes = wasm.verifyAttestation(enc.encode(document), {
    ...options,
    trustRoots: options.trustRoots.map((t) => Buffer.from(t)),
    signals: enc.encode(options.signals),
    bundleManifest: enc.encode(options.bundleManifest),
  });
  assert.deepEqual(asBytes, asText);
  // ArrayBuffer too.
  assert.deepEqual(wasm.verifyAttestation(enc.encode(document).buffer, options), asText);
});

test('malformed evidence is a report, not an exception', () => {
  const v = byName('accept/direct-minimal');
  const { options } = plan(v);
  let r = wasm.verifyAttestation('{"type": "attest.execution-attestation.v1",', options);
  assert.equal(r.valid, false);
  assert.equal(r.checks[0].id, 'parse');
  assert.equal(r.checks[0].status, 'fail');
  assert.equal(r.checks[0].reason, 'syntax');
  assert.equal(r.type, 'attest.execution-attestation.v1', 'the kind the bytes tell');
  // A broken trust root: trust-root check fails, naming the option.
  r = wasm.verifyAttestation(plan(v).document, { ...options, trustRoots: ['{not json'] });
  const f = r.checks.find((c) => c.status === 'fail');
  assert.equal(f.id, 'trust-root');
  assert.equal(f.reason, 'syntax');
  assert.match(f.detail, /trustRoots\[0\]/);
  // No trust root, no pinned key: reports as the core decides.
  r = wasm.verifyAttestation(plan(v).document, { ...options, trustRoots: [] });
  assert.equal(r.checks.find((c) => c.status === 'fail').reason, 'no-trust-root');
  r = wasm.verifyAttestation(plan(v).document, { ...options, rootKeys: [] });
  assert.equal(r.checks.find((c) => c.status === 'fail').reason, 'no-pinned-key');
  // Unknown document type.
  r = wasm.verifyAttestation('{"type":"something.else"}', options);
  assert.equal(r.valid, false);
  assert.equal(r.checks[0].reason, 'unknown-type');
});

test('a lone surrogate in a JS string is malformed, not silently repaired', () => {
  const v = byName('accept/direct-minimal');
  const { document, options } = plan(v);
  const broken = document.replace('"exec-', '"\ud800exec-');
  assert.notEqual(broken, document);
  const r = wasm.verifyAttestation(broken, options);
  assert.equal(r.valid, false);
  assert.equal(r.checks[0].id, 'parse');
  assert.equal(r.checks[0].status, 'fail');
});

function assertThrowsCode(fn, code, option) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof Error, 'an Error');
    assert.equal(e.code, code, e.message);
    if (option !== undefined) {
      assert.equal(e.option, option, e.message);
      assert.ok(e.message.includes(option), `message names the option: ${e.message}`);
    }
    return true;
  });
}

test('wrongly shaped options throw Error with code and option', () => {
  const v = byName('accept/direct-minimal');
  const { document, options } = plan(v);
  const I = 'ATTEST_INVALID_ARGUMENT';
  assertThrowsCode(() => wasm.verifyAttestation(document, { ...options, rootKeys: ['ABCD'] }), I, 'rootKeys[0]');
  assertThrowsCode(() => wasm.verifyAttestation(document, { ...options, rootKeys: [options.rootKeys[0].toUpperCase()] }), I, 'rootKeys[0]');
  assertThrowsCode(() => wasm.verifyAttestation(document, { ...options, rootKeys: [''] }), I, 'rootKeys[0]');
  assertThrowsCode(() => wasm.verifyAttestation(document, { ...options, rootKeys: 'abc' }), I, 'rootKeys');
  assertThrowsCode(() => wasm.verifyAttestation(document, { ...options, rootKeys: [42] }), I, 'rootKeys[0]');
  assertThrowsCode(() => wasm.verifyAttestation(document, { ...options, now: '2026-11-21 12:00' }), I, 'now');
  assertThrowsCode(() => wasm.verifyAttestation(document, { ...options, now: 1700000000 }), I, 'now');
  assertThrowsCode(() => wasm.verifyAttestation(document, { ...options, trustRoots: 'x' }), I, 'trustRoots');
  assertThrowsCode(() => wasm.verifyAttestation(document, { ...options, trustRoots: [{}] }), I, 'trustRoots[0]');
  assertThrowsCode(() => wasm.verifyAttestation(document, { rootKeys: options.rootKeys }), I, 'trustRoots');
  assertThrowsCode(() => wasm.verifyAttestation(document, { ...options, output: 'text' }), I, 'output');
  assertThrowsCode(() => wasm.verifyAttestation(document, { ...options, allowHosts: [1] }), I, 'allowHosts[0]');
  assertThrowsCode(() => wasm.verifyAttestation(document, { ...options, minTrustRootVersion: -1 }), I, 'minTrustRootVersion');
  assertThrowsCode(() => wasm.verifyAttestation(document, { ...options, minTrustRootVersion: 1.5 }), I, 'minTrustRootVersion');
  assertThrowsCode(() => wasm.verifyAttestation(document, { ...options, minTrustRootVersion: '2' }), I, 'minTrustRootVersion');
  assertThrowsCode(() => wasm.verifyAttestation(document, { ...options, bundleFiles: { 'a.json': new Uint8Array() } }), I, 'bundleFiles');
  assertThrowsCode(() => wasm.verifyAttestation(document, { ...options, bundleManifest: '{}', bundleFiles: { 'a.json': 5 } }), I, 'bundleFiles["a.json"]');
  assertThrowsCode(() => wasm.verifyAttestation(document, { ...options, trustRoot: options.trustRoots }), I, 'trustRoot');
  assertThrowsCode(() => wasm.verifyAttestation(document, null), I, 'options');
  assertThrowsCode(() => wasm.verifyAttestation(document), I, 'options');
  assertThrowsCode(() => wasm.verifyAttestation(42, options), I, 'attestation');
  assertThrowsCode(() => wasm.verifyAttestation(undefined, options), I, 'attestation');
  // The module still works after errors.
  assert.equal(wasm.verifyAttestation(document, options).valid, true);
});

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const failed = (r, id) => r.checks.find((c) => c.id === id && c.status === 'fail');

test('a document over 16 MiB is a report failing parse with too-large, as in the CLI (exit 1)', () => {
  const v = byName('accept/direct-minimal');
  const { document, options } = plan(v);
  for (const big of [new Uint8Array(16 * MiB + 1), new ArrayBuffer(16 * MiB + 5), Buffer.alloc(20 * MiB, 0x20), ' '.repeat(16 * MiB + 1), 'é'.repeat(8 * MiB + 1)]) {
    const r = wasm.verifyAttestation(big, options);
    assert.equal(r.valid, false);
    const parse = failed(r, 'parse');
    assert.ok(parse, JSON.stringify(r.checks));
    assert.equal(parse.reason, 'too-large');
    assert.match(parse.detail, /16 MiB/);
  }
  // At the limit: read and parsed (whitespace is not JSON, but not too large).
  const at = failed(wasm.verifyAttestation(new Uint8Array(16 * MiB).fill(0x20), options), 'parse');
  assert.notEqual(at.reason, 'too-large');
  // Trust roots, signals: the check that reads them fails (no exception).
  const tr = wasm.verifyAttestation(document, { ...options, trustRoots: [new Uint8Array(16 * MiB + 1)] });
  assert.equal(tr.valid, false);
  assert.equal(failed(tr, 'trust-root').reason, 'too-large');
  const full = plan(byName('accept/direct-full'));
  const sig = wasm.verifyAttestation(full.document, { ...full.options, signals: new Uint8Array(16 * MiB + 1) });
  assert.equal(sig.valid, false);
  // (the CLI's report: fingerprint fails with signals-malformed, naming the limit)
  assert.equal(failed(sig, 'fingerprint').reason, 'signals-malformed');
  assert.match(failed(sig, 'fingerprint').detail, /^signals: input is larger than the 16 MiB limit/);
  // verifyBatch and inspect read documents the same way.
  assert.equal(failed(wasm.verifyBatch([new Uint8Array(16 * MiB + 1)], options)[0], 'parse').reason, 'too-large');
  assertThrowsCode(() => wasm.inspect(new Uint8Array(16 * MiB + 1)), 'ATTEST_MALFORMED_DOCUMENT', 'document');
});

test('output or network over 1 GiB throws ATTEST_INPUT_TOO_LARGE (the CLI exit 2), before copying', () => {
  const { document, options } = plan(byName('accept/direct-minimal'));
  assertThrowsCode(() => wasm.verifyAttestation(document, { ...options, output: new Uint8Array(GiB + 1) }), 'ATTEST_INPUT_TOO_LARGE', 'output');
  assertThrowsCode(() => wasm.verifyAttestation(document, { ...options, network: new ArrayBuffer(GiB + 1) }), 'ATTEST_INPUT_TOO_LARGE', 'network');
});

test('bundle files over 1 GiB in all are not read: bundle-files fails with too-large, as the CLI (exit 1)', () => {
  const { document, options } = plan(byName('accept/direct-full'));
  assert.equal(wasm.verifyAttestation(document, options).valid, true);
  const r = wasm.verifyAttestation(document, { ...options, bundleFiles: { ...options.bundleFiles, 'zz-big.bin': new Uint8Array(GiB + 1) } });
  assert.equal(r.valid, false);
  const f = failed(r, 'bundle-files');
  assert.ok(f, JSON.stringify(r.checks));
  assert.equal(f.reason, 'too-large');
  assert.match(f.detail, /zz-big\.bin/);
});

test('every input that takes bytes takes an ArrayBuffer', () => {
  const { document, options } = plan(byName('accept/direct-full'));
  const enc = new TextEncoder();
  const ab = (x) => {
    const u = typeof x === 'string' ? enc.encode(x) : x;
    return u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength);
  };
  const asText = wasm.verifyAttestation(document, options);
  assert.equal(asText.valid, true);
  const files = Object.fromEntries(Object.entries(options.bundleFiles).map(([k, b]) => [k, ab(b)]));
  const asBuffers = wasm.verifyAttestation(ab(document), {
    ...options, trustRoots: options.trustRoots.map(ab), signals: ab(options.signals), output: ab(options.output),
    bundleManifest: ab(options.bundleManifest), bundleFiles: files,
  });
  assert.deepEqual(asBuffers, asText);
  assert.deepEqual(wasm.inspect(ab(document)), wasm.inspect(document));
  assert.deepEqual(wasm.verifyBatch([ab(document)], options), wasm.verifyBatch([document], options));
  const chain = wasm.verifyTrustRootChain(options.trustRoots.map(ab), { rootKeys: options.rootKeys, now: options.now });
  assert.equal(chain.valid, true);
});

test('type errors name the JS type with the right article', () => {
  const { document, options } = plan(byName('accept/direct-minimal'));
  const message = (fn) => {
    try {
      fn();
    } catch (e) {
      return e.message;
    }
    return null;
  };
  const cases = [
    [() => wasm.verifyAttestation(document, { ...options, signals: {} }), 'signals: must be a string, a Uint8Array or an ArrayBuffer, got an object'],
    [() => wasm.verifyAttestation(undefined, options), 'attestation: must be a string, a Uint8Array or an ArrayBuffer, got undefined'],
    [() => wasm.verifyAttestation(document, { ...options, output: 'x' }), 'output: must be a Uint8Array or an ArrayBuffer, got a string'],
    [() => wasm.verifyAttestation(document, { ...options, now: 5 }), 'now: must be a string, got a number'],
    [() => wasm.verifyAttestation(document, { ...options, rootKeys: {} }), 'rootKeys: must be an array, got an object'],
    [() => wasm.verifyAttestation(document, { ...options, allowHosts: [null] }), 'allowHosts[0]: must be a string, got null'],
    [() => wasm.verifyAttestation(document, 'x'), 'options: must be an object, got a string'],
    [() => wasm.verifyAttestation(document, { ...options, rootKeys: [true] }), 'rootKeys[0]: must be a string, got a boolean'],
  ];
  for (const [fn, want] of cases) assert.equal(message(fn), want);
  for (const [fn] of cases) assert.doesNotMatch(message(fn), /\ba [aeiou]/);
});

test('now defaults to the clock', () => {
  const v = byName('accept/direct-minimal');
  const { document, options } = plan(v);
  const { now, ...rest } = options;
  const r = wasm.verifyAttestation(document, rest);
  // The vectors' trust roots expire in 2027: before that the report is the same as at `now`.
  const expected = wasm.verifyAttestation(document, options);
  if (Date.now() < Date.parse('2027-01-01T00:00:00Z')) assert.equal(r.valid, expected.valid);
  else assert.equal(typeof r.valid, 'boolean');
});

test('a trust-root document is verified as the newest link of the chain', () => {
  const v = byName('document/trust-root');
  const { document, options } = plan(v);
  const r = wasm.verifyAttestation(document, options);
  assert.equal(r.type, 'attest.trust-root.v1');
  assert.equal(check(v, r), null);
  // Given as the last trust root too: not appended twice.
  const again = wasm.verifyAttestation(options.trustRoots[options.trustRoots.length - 1], options);
  assert.equal(again.type, 'attest.trust-root.v1');
  assert.equal(again.valid, true);
});

test('verifyTrustRootChain', () => {
  const v = byName('accept/rotated-chain');
  const ok = wasm.verifyTrustRootChain(v.trustRoots, { rootKeys: v.rootKeys, now: v.now });
  assert.equal(ok.valid, true, ok.detail);
  assert.equal(ok.length, v.trustRoots.length);
  assert.match(ok.newest.digest, /^[0-9a-f]{64}$/);
  assert.equal(typeof ok.newest.version, 'number');
  const na = byName('trust-root/not-anchored');
  const bad = wasm.verifyTrustRootChain(na.trustRoots, { rootKeys: na.rootKeys, now: na.now });
  assert.equal(bad.valid, false);
  assert.equal(bad.reason, 'not-anchored');
  assert.ok(!('length' in bad));
  const rb = wasm.verifyTrustRootChain(v.trustRoots, { rootKeys: v.rootKeys, now: v.now, minTrustRootVersion: 99 });
  assert.equal(rb.reason, 'rollback');
  assertThrowsCode(() => wasm.verifyTrustRootChain(v.trustRoots, { rootKeys: ['zz'], now: v.now }), 'ATTEST_INVALID_ARGUMENT', 'rootKeys[0]');
  assertThrowsCode(() => wasm.verifyTrustRootChain(v.trustRoots, { rootKeys: v.rootKeys, signals: '{}' }), 'ATTEST_INVALID_ARGUMENT', 'signals');
});

test('inspect decodes and shows digests', () => {
  const v = byName('accept/direct-full');
  const out = wasm.inspect(v.document);
  assert.equal(out.decoded.type, 'attest.execution-attestation.v1');
  assert.match(out.decoded.digest, /^[0-9a-f]{64}$/);
  assert.equal(out.decoded.payloadHash, out.decoded.digest);
  const report = wasm.verifyAttestation(v.document, plan(v).options);
  assert.equal(out.decoded.digest, report.digest);
  assert.equal(out.document.type, 'attest.execution-attestation.v1');
  const root = wasm.inspect(v.trustRoots[0]);
  assert.equal(root.decoded.type, 'attest.trust-root.v1');
  assert.ok(Array.isArray(root.decoded.keys));
  assertThrowsCode(() => wasm.inspect('{"a":1,"a":2}'), 'ATTEST_MALFORMED_DOCUMENT', 'document');
  assertThrowsCode(() => wasm.inspect('{"type":"nope"}'), 'ATTEST_MALFORMED_DOCUMENT', 'document');
});

test('version', () => {
  assert.match(wasm.version(), /^\d+\.\d+\.\d+/);
});
