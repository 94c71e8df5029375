#!/usr/bin/env node
// `npm run serve`: serves the built page (dist/web, from `npm run build`) on
// http://127.0.0.1:PORT/ (default 8080; --port N, --host H). Plain node:http, no build
// step of its own; the page is static, so any static server (or a CDN) can host dist/web.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.css': 'text/css',
};

export const DEFAULT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/web');

/** Serve `root` on host:port (port 0: a free one). Resolves to { url, close() }. */
export async function startStaticServer({ root = DEFAULT_ROOT, port = 8080, host = '127.0.0.1' } = {}) {
  const base = resolve(root);
  const server = createServer((request, response) => {
    let path;
    try {
      path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    } catch {
      response.writeHead(400, { 'content-type': 'text/plain' }).end('bad path');
      return;
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(base, path));
    if (!(file === base || file.startsWith(base + sep)) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': statSync(file).size,
      'cache-control': 'no-store',
    });
    createReadStream(file).pipe(response);
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, ok);
  });
  const address = server.address();
  return {
    url: `http://${host}:${address.port}/`,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok(undefined));
      }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
  };
  const port = Number(option('port', process.env.PORT ?? '8080'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`anonscope serve: --port must be an integer in 0..65535`);
    process.exit(2);
  }
  if (!existsSync(join(DEFAULT_ROOT, 'index.html'))) {
    console.error(`anonscope serve: ${DEFAULT_ROOT}/index.html is missing; run \`npm run build\` first`);
    process.exit(2);
  }
  const { url } = await startStaticServer({ port, host: option('host', '127.0.0.1') });
  console.log(`anonscope page: ${url}`);
}
