// Node-only helpers shared by the tests and the benchmark.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const pkgRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = resolve(pkgRoot, '..');
export const vectorsDir = process.env.ATTEST_VECTORS_DIR
  ? resolve(process.env.ATTEST_VECTORS_DIR)
  : join(repoRoot, 'test-vectors', 'vectors');

/** Every golden vector, sorted by file name. */
export function loadVectors() {
  if (!existsSync(vectorsDir)) return [];
  return readdirSync(vectorsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(vectorsDir, f), 'utf8')));
}

/** The Node (CommonJS) build, loaded with require() as a user would.
 * `module`: 'core' (pkg/node), 'heartbeat' (pkg/heartbeat/node) or 'tee' (pkg/tee/node). */
export function loadNodeModule(module = 'core') {
  const require = createRequire(import.meta.url);
  const dir = module === 'core' ? join(pkgRoot, 'pkg', 'node') : join(pkgRoot, 'pkg', module, 'node');
  if (!existsSync(join(dir, 'package.json'))) {
    throw new Error(`${dir} is missing: run \`npm run build\`${module === 'core' ? '' : ` -- --${module}`} in verifier-wasm/ first`);
  }
  return require(dir);
}
