/** `npm run serve` (src/web/serve.mjs): the static server of the built page. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const SERVE = join(ROOT, 'src/web/serve.mjs');

/** GET with the path sent as written (fetch would normalize "..") */
function rawGet(url: string, path: string): Promise<{ status: number; type: string; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    request({ hostname, port, path, method: 'GET' }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type'] ?? ''), body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('npm run serve', () => {
  let child: ReturnType<typeof spawn>;
  let url = '';
  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/web/index.html'))) spawnSync(process.execPath, ['esbuild.config.mjs'], { cwd: ROOT, stdio: 'inherit' });
    child = spawn(process.execPath, [SERVE, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /anonscope page: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (match) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
    });
  }, 60_000);
  afterAll(() => {
    child?.kill();
  });

  it('prints its URL and serves the page, its scripts and the example', async () => {
    const page = await rawGet(url, '/');
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/text\/html/);
    expect(page.body).toContain('<script type="module" src="./main.js">');
    for (const path of ['/main.js', '/worker.js']) {
      const script = await rawGet(url, path);
      expect(script.status).toBe(200);
      expect(script.type).toMatch(/text\/javascript/);
    }
    expect((await rawGet(url, '/examples/karate.txt')).body).toMatch(/^\S+\s+\S+/m);
  });

  it('serves nothing outside dist/web', async () => {
    expect((await rawGet(url, '/../package.json')).status).toBe(404);
    expect((await rawGet(url, '/%2e%2e/package.json')).status).toBe(404);
    expect((await rawGet(url, '/nope.html')).status).toBe(404);
    expect((await rawGet(url, '/%E0%A4%A')).status).toBe(400); // not UTF-8: refused, and the server lives on
    expect((await rawGet(url, '/')).status).toBe(200);
  });

  it('refuses a bad port', () => {
    const run = spawnSync(process.execPath, [SERVE, '--port', 'eighty'], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--port must be an integer/);
  });
});
