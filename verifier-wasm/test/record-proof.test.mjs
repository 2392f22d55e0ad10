// verifyRecordProof: inclusion proofs made by `attest network prove` verify in
// WASM against the summary and the root; tampered proofs do not; the verdicts
// equal `attest network verify-proof`'s exit codes. Needs the CLI binary
// (scripts/ci.sh builds it; $ATTEST_CLI overrides).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNodeModule, loadVectors, repoRoot } from './load.mjs';

const cli = process.env.ATTEST_CLI || ['release', 'debug']
  .map((p) => join(repoRoot, 'target', p, 'attest'))
  .filter((p) => existsSync(p))
  .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];

test('record proofs from the CLI verify in WASM with the same verdicts', { skip: cli ? false : 'no attest CLI binary' }, () => {
  const wasm = loadNodeModule();
  const v = loadVectors().find((x) => x.name === 'network/accept');
  assert.ok(v, 'network/accept vector');
  const dir = mkdtempSync(join(tmpdir(), 'attest-proof-'));
  try {
    const log = join(dir, 'network.jsonl');
    writeFileSync(log, v.network);
    const summaryPath = join(dir, 'summary.json');
    let r = spawnSync(cli, ['network', 'summarize', log, '--execution-id', 'exec-network', '--out', summaryPath]);
    assert.equal(r.status, 0, r.stderr.toString());
    const summary = readFileSync(summaryPath, 'utf8');
    const root = JSON.parse(summary).root;
    let checked = 0;
    for (const seq of [0, 1, 2]) {
      const proofPath = join(dir, `proof-${seq}.json`);
      r = spawnSync(cli, ['network', 'prove', log, '--seq', String(seq), '--execution-id', 'exec-network', '--out', proofPath]);
      assert.equal(r.status, 0, r.stderr.toString());
      const proof = readFileSync(proofPath, 'utf8');
      const bySummary = wasm.verifyRecordProof(proof, { summary });
      const byRoot = wasm.verifyRecordProof(proof, { root });
      assert.equal(bySummary.valid, true, JSON.stringify(bySummary));
      assert.equal(byRoot.valid, true, JSON.stringify(byRoot));
      // A report like verifyAttestation's: parse, then network.
      assert.equal(bySummary.type, 'attest.network-record-proof.v1');
      assert.deepEqual(bySummary.checks.map((c) => [c.id, c.status]), [['parse', 'pass'], ['network', 'pass']]);
      assert.match(bySummary.checks[1].detail, new RegExp(`^record ${seq} is included`));
      // Tampered: another root, and the record edited.
      const wrongRoot = root.replace(/^./, (c) => (c === '0' ? '1' : '0'));
      const wrong = wasm.verifyRecordProof(proof, { root: wrongRoot });
      assert.equal(wrong.valid, false);
      assert.deepEqual([wrong.checks[1].id, wrong.checks[1].status, wrong.checks[1].reason], ['network', 'fail', 'not-included']);
      const p = JSON.parse(proof);
      p.record.at = '2026-11-21T00:00:00Z';
      const tampered = JSON.stringify(p);
      assert.equal(wasm.verifyRecordProof(tampered, { summary }).valid, false);
      // Same verdicts as the CLI.
      writeFileSync(join(dir, 'tampered.json'), tampered);
      assert.equal(spawnSync(cli, ['network', 'verify-proof', proofPath, '--summary', summaryPath]).status, 0);
      assert.equal(spawnSync(cli, ['network', 'verify-proof', join(dir, 'tampered.json'), '--summary', summaryPath]).status, 1);
      checked += 1;
    }
    assert.equal(checked, 3);
    assert.throws(() => wasm.verifyRecordProof('{"type":', { root }), (e) => e.code === 'ATTEST_MALFORMED_DOCUMENT');
    assert.throws(() => wasm.verifyRecordProof(readFileSync(join(dir, 'proof-0.json'), 'utf8'), { root: 'xyz' }), (e) => e.code === 'ATTEST_INVALID_ARGUMENT');
    assert.throws(() => wasm.verifyRecordProof(readFileSync(join(dir, 'proof-0.json'), 'utf8'), {}), (e) => e.code === 'ATTEST_INVALID_ARGUMENT');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
