import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

/**
 * Dawn for Node on a real GPU. It runs in a child process (Dawn keeps its own threads) and
 * skips, saying why, where Dawn has no hardware adapter: on CPU-only machines WebGPU is
 * tested in headless Chromium instead (webgpu-browser.test.ts).
 */
describe('webgpu backend in Node (Dawn), on a hardware adapter', () => {
  it('equals the float64 cpu backend on the karate club, 12 hops of both walks', (context) => {
    for (const walk of ['simple', 'mh']) {
      const run = (backend: string) =>
        spawnSync(
          process.execPath,
          ['dist/cli.js', 'entropy', 'graphs/karate.txt', '--walk', walk, '--hops', '12', '--format', 'json', '--quiet', '--backend', backend, '--runtime', 'node', '--require-hardware'],
          { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
        );
      const gpu = run('webgpu');
      if (gpu.status === 3) {
        context.skip(`no hardware WebGPU adapter in Node here: ${gpu.stderr.trim().split('\n').at(-1)}`);
        return;
      }
      expect(gpu.status, gpu.stderr).toBe(0);
      const gpuResult = JSON.parse(gpu.stdout);
      const cpuResult = JSON.parse(run('cpu').stdout);
      expect(gpuResult).toMatchObject({ backend: 'webgpu', runtime: 'node' });
      gpuResult.hops.forEach((hop: Record<string, number>, t: number) => {
        for (const key of ['mean', 'min', 'p05', 'median', 'max', 'minEntropyMean']) {
          expect(Math.abs(hop[key] - cpuResult.hops[t][key])).toBeLessThanOrEqual(1e-3);
        }
      });
    }
  });
});
