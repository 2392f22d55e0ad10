// TEE module timing in Node: verifyTeeBinding of the test-PKI binding
// (vector tee/accept-binding), interleaved rounds; compare with the native
// `cargo run --release -p attest-tee-verifier --example bench_tee`
// (docs/benchmarks.md §8). Run: node bench/tee.mjs [ROUNDS] [BATCH]
import { loadVectors, loadNodeModule } from '../test/load.mjs';
import { b64 } from '../test/vectors.mjs';

const [rounds = 7, batch = 50] = process.argv.slice(2).map(Number);
const tee = loadNodeModule('tee');
const v = loadVectors().find((x) => x.name === 'tee/accept-binding');
const o = { trustRoots: v.trustRoots, rootKeys: v.rootKeys, now: v.now, teeRootCa: b64(v.tee.rootCa) };
if (!tee.verifyTeeBinding(v.document, o).valid) throw new Error('binding does not verify');
for (let i = 0; i < batch; i++) tee.verifyTeeBinding(v.document, o);
const per = [];
for (let r = 0; r < rounds; r++) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < batch; i++) tee.verifyTeeBinding(v.document, o);
  per.push(Number(process.hrtime.bigint() - t0) / 1e6 / batch);
}
per.sort((a, b) => a - b);
console.log(`verifyTeeBinding (TEE module, Node ${process.version}): ${per[0].toFixed(2)} / ${per[per.length >> 1].toFixed(2)} / ${per[per.length - 1].toFixed(2)} ms (min / median / max of ${rounds} x ${batch})`);
