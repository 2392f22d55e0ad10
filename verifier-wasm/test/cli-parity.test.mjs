// Parity with the CLI: for every vector the CLI can express, the object
// verifyAttestation returns deep-equals what `attest verify --format json`
// prints (valid, type, digest, and every check's id, status, detail, reason).
// The only normalisation: the CLI names trust-root files by path where the
// module names them by option (`trustRoots[i]`, `attestation`).
//
// The CLI binary: $ATTEST_CLI, else the newer of target/release/attest and
// target/debug/attest (build it with `cargo build -p attest-cli` from the same
// tree, or the comparison is against another version). Without one the test is
// skipped (scripts/ci.sh builds it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadNodeModule, loadVectors, repoRoot } from './load.mjs';
import { plan, b64 } from './vectors.mjs';

// $ATTEST_CLI, else the newer of target/{release,debug}/attest.
// Each vector runs in its own directory, and so does the CLI's remembered
// trust-root version (docs/spec.md §6): vectors with the same pinned keys and
// different chains must not see each other's rollback floor.
const stateIn = (dir) => ({ ...process.env, XDG_STATE_HOME: join(dir, '.attest-state') });
const cli = process.env.ATTEST_CLI || ['release', 'debug']
  .map((p) => join(repoRoot, 'target', p, 'attest'))
  .filter((p) => existsSync(p))
  .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];

test('reports equal `attest verify --format json`', { skip: cli ? false : 'no attest CLI binary (cargo build -p attest-cli, or set ATTEST_CLI)' }, async (t) => {
  // The heartbeat module: the same document kinds as the CLI (the core module
  // leaves heartbeats out, so its "known types" lists one fewer).
  const wasm = loadNodeModule('heartbeat');
  const vectors = loadVectors();
  assert.ok(vectors.length > 0, 'no vectors');
  // Oversized documents: files over the 16 MiB limit (the CLI reads one byte
  // past it, the module copies one byte past it; both report exit 1).
  const big = ' '.repeat(16 * 1024 * 1024 + 1);
  const minimal = vectors.find((x) => x.name === 'accept/direct-minimal');
  const full = vectors.find((x) => x.name === 'accept/direct-full');
  assert.ok(minimal && full, 'accept/direct-minimal and accept/direct-full');
  vectors.push(
    { ...minimal, name: 'synthetic/document-over-16-MiB', document: big },
    { ...minimal, name: 'synthetic/trust-root-over-16-MiB', trustRoots: [big] },
    { ...full, name: 'synthetic/signals-over-16-MiB', signals: big },
  );
  const base = mkdtempSync(join(tmpdir(), 'attest-parity-'));
  const skipped = {};
  let compared = 0;
  try {
    for (const [n, v] of vectors.entries()) {
      const p = plan(v, { heartbeat: true });
      let why = p.skip;
      if (!why && (p.batch || p.heartbeats)) why = 'batch vector (attest verify takes one document)';
      if (!why && v.trustRoots.length === 0) why = 'no trust root (the CLI requires --trust-root)';
      if (!why && v.rootKeys.length === 0) why = 'no root key (the CLI requires a non-empty --root-key file)';
      if (why) {
        skipped[why] = (skipped[why] || 0) + 1;
        continue;
      }
      const dir = join(base, String(n));
      mkdirSync(dir);
      const args = ['verify'];
      const docPath = join(dir, 'document.json');
      writeFileSync(docPath, typeof p.document === 'string' ? p.document : Buffer.from(p.document));
      args.push(docPath);
      const trustPaths = v.trustRoots.map((tr, i) => {
        const f = join(dir, `trust-root-${i}.json`);
        writeFileSync(f, tr);
        args.push('--trust-root', f);
        return f;
      });
      const keys = join(dir, 'root.pub');
      writeFileSync(keys, v.rootKeys.join('\n') + '\n');
      args.push('--root-key', keys, '--now', v.now, '--format', 'json');
      if (v.signals !== undefined) {
        writeFileSync(join(dir, 'signals.json'), v.signals);
        args.push('--signals', join(dir, 'signals.json'));
      }
      if (v.outputBase64 !== undefined) {
        writeFileSync(join(dir, 'output.bin'), b64(v.outputBase64));
        args.push('--output', join(dir, 'output.bin'));
      }
      if (v.network !== undefined) {
        writeFileSync(join(dir, 'network.jsonl'), v.network);
        args.push('--network', join(dir, 'network.jsonl'));
      }
      for (const h of v.allowHosts || []) args.push('--allow-host', h);
      if (v.heartbeatPolicy !== undefined) {
        writeFileSync(join(dir, 'policy.json'), v.heartbeatPolicy);
        args.push('--heartbeat-policy', join(dir, 'policy.json'));
      }
      if (v.minTrustRootVersion !== undefined) args.push('--min-trust-root-version', String(v.minTrustRootVersion));
      if (v.bundle) {
        if (v.bundle.entries) {
          const bdir = join(dir, 'bundle');
          mkdirSync(bdir);
          writeFileSync(join(bdir, 'manifest.json'), v.bundle.manifest);
          for (const e of v.bundle.entries) {
            const f = join(bdir, e.path);
            mkdirSync(dirname(f), { recursive: true });
            writeFileSync(f, b64(e.base64 || ''));
          }
          args.push('--bundle', bdir);
        } else {
          writeFileSync(join(dir, 'manifest.json'), v.bundle.manifest);
          args.push('--bundle', join(dir, 'manifest.json'));
        }
      }
      const r = spawnSync(cli, args, { encoding: 'utf8', env: stateIn(dir) });
      await t.test(v.name, () => {
        assert.ok(r.status === 0 || r.status === 1, `CLI exit ${r.status}: ${r.stderr}`);
        let text = r.stdout;
        trustPaths.forEach((f, i) => { text = text.split(f).join(`trustRoots[${i}]`); });
        text = text.split(docPath).join('attestation');
        // The CLI also knows the native-only kinds — Attesto documents
        // (docs/spec.md §12) and TEE bindings (§13) — which the core and
        // heartbeat modules leave out: an unknown type's detail lists them
        // there and only there.
        for (const kind of ['attesto.v2.witness', 'attesto.v2.fork', 'attest.attesto-relay-request.v1', 'attest.tee-binding.v1']) {
          text = text.split(`, ${kind}`).join('');
        }
        const expected = JSON.parse(text);
        const got = wasm.verifyAttestation(p.document, p.options);
        assert.deepEqual(got, expected);
        assert.equal(r.status === 0, got.valid);
      });
      compared++;
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
  t.diagnostic(`CLI ${cli}: compared ${compared}, skipped ${JSON.stringify(skipped)}`);
  assert.ok(compared > 0, 'zero vectors compared');
});

test('auditHeartbeats equals `attest audit --format json` (reports and streams)', { skip: cli ? false : 'no attest CLI binary' }, async (t) => {
  const wasm = loadNodeModule('heartbeat');
  const vectors = loadVectors().filter((v) => v.expectStreams && v.expectStreams.length > 0 && v.windowStart === undefined);
  assert.ok(vectors.length >= 10, `only ${vectors.length} stream vectors`);
  const base = mkdtempSync(join(tmpdir(), 'attest-parity-audit-'));
  try {
    for (const [n, v] of vectors.entries()) {
      const p = plan(v, { heartbeat: true });
      const dir = join(base, String(n));
      mkdirSync(dir);
      const jsonl = join(dir, 'heartbeats.jsonl');
      writeFileSync(jsonl, v.documents.map((d) => JSON.stringify(JSON.parse(d)) + '\n').join(''));
      const args = ['audit', jsonl, '--root-key', join(dir, 'root.pub'), '--now', v.now, '--format', 'json'];
      writeFileSync(join(dir, 'root.pub'), v.rootKeys.join('\n') + '\n');
      v.trustRoots.forEach((tr, i) => {
        writeFileSync(join(dir, `trust-root-${i}.json`), tr);
        args.push('--trust-root', join(dir, `trust-root-${i}.json`));
      });
      if (v.heartbeatPolicy !== undefined) {
        writeFileSync(join(dir, 'policy.json'), v.heartbeatPolicy);
        args.push('--heartbeat-policy', join(dir, 'policy.json'));
      }
      const r = spawnSync(cli, args, { encoding: 'utf8', env: stateIn(dir) });
      await t.test(v.name, () => {
        assert.ok(r.status === 0 || r.status === 1, `CLI exit ${r.status}: ${r.stderr}`);
        const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
        const reports = lines.filter((l) => l.report).map((l) => l.report);
        const streams = lines.filter((l) => l.stream).map((l) => l.stream);
        const got = wasm.auditHeartbeats(p.document, p.options);
        // Replay details name the earlier item by file and line in the CLI, by index in the module.
        const norm = (rs) => rs.map((rep) => ({ ...rep, checks: rep.checks.map((c) => (c.id === 'replay' && c.status === 'fail' ? { ...c, detail: '' } : c)) }));
        assert.deepEqual(norm(got.reports), norm(reports));
        assert.deepEqual(got.streams, streams);
      });
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
