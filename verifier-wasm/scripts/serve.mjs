#!/usr/bin/env node
// A tiny static server bound to 127.0.0.1 for the verify page and the browser
// tests. Serves verifier-wasm/{www,pkg,test,bench}/ and, at /vectors.json, every
// golden vector as one JSON array. Nothing else is reachable.
//
//   node scripts/serve.mjs [PORT]     → http://127.0.0.1:PORT/www/
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, normalize, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadVectors, pkgRoot } from '../test/load.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ts': 'text/plain; charset=utf-8',
};
const ROOTS = ['www', 'pkg', 'test', 'bench'];

/** Starts the server on 127.0.0.1 (port 0: any free port). Resolves to { url, close() }. */
export function startServer({ port = 0 } = {}) {
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://127.0.0.1');
      let path = decodeURIComponent(url.pathname);
      if (path === '/') {
        res.writeHead(302, { location: '/www/' });
        return res.end();
      }
      if (path === '/vectors.json') {
        const body = JSON.stringify(loadVectors());
        res.writeHead(200, { 'content-type': TYPES['.json'], 'cache-control': 'no-store' });
        return res.end(body);
      }
      if (path.endsWith('/')) path += 'index.html';
      const file = resolve(pkgRoot, '.' + normalize(path));
      const top = file.slice(pkgRoot.length + 1).split(sep)[0];
      if (!file.startsWith(pkgRoot + sep) || !ROOTS.includes(top)) {
        res.writeHead(404);
        return res.end('not found');
      }
      const s = await stat(file);
      if (!s.isFile()) throw new Error('not a file');
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] || 'application/octet-stream',
        'cache-control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      const { port: p } = server.address();
      ok({ url: `http://127.0.0.1:${p}`, close: () => new Promise((c) => server.close(c)) });
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.argv[2] || 8177);
  const { url } = await startServer({ port });
  console.log(`verify page: ${url}/www/`);
}
