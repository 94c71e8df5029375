import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserBackend } from '../../src/engines/browser/browser-backend.js';
import { GpuJsBackend } from '../../src/engines/gpujs/gpujs-backend.js';
import { makePlan } from '../../src/engines/gpu-plan/graph-plan.js';
import { loadGraphFile } from '../../src/graph/load-file.js';
import { transitionMatrix } from '../../src/walks/index.js';
import { expectSameAsReference } from '../helpers/compare.js';
import { dataset, datasetsSkipReason, haveDatasets } from '../helpers/datasets.js';
import { powerLawGraph, randomGraph } from '../helpers/graphs.js';

/** gpu.js computes in float32: the same bound as the WebGPU backend, in bits. */
const TOLERANCE = 1e-3;

describe('gpujs backend in Node equals the float64 reference', () => {
  for (const mode of ['webasm', 'cpu'] as const) {
    describe(`mode ${mode}`, () => {
      const backend = new GpuJsBackend({ mode });
      afterAll(() => backend.dispose());

      it('names the gpu.js mode that ran', async () => {
        await expectSameAsReference(backend, randomGraph(300, 900, 1, { weighted: true }), { hops: 3, terminals: 5 }, TOLERANCE);
        expect(backend.info).toMatchObject({ name: 'gpujs', precision: 'float32', runtime: `node ${mode}` });
      });

      it('random graphs, both walks, lazy, a prior, a directed graph', async () => {
        const csr = randomGraph(1500, 6000, 41, { weighted: true });
        await expectSameAsReference(backend, csr, { walk: 'simple', hops: 6, terminals: 20, seed: 2 }, TOLERANCE);
        await expectSameAsReference(backend, csr, { walk: 'mh', lazy: true, hops: 6, terminals: 20, seed: 3 }, TOLERANCE);
        const prior = new Map(csr.nodeKeys.map((key, i) => [key, 1 + (i % 5)]));
        await expectSameAsReference(backend, csr, { hops: 3, terminals: 8, prior }, TOLERANCE);
        await expectSameAsReference(backend, randomGraph(400, 700, 42, { directed: true }), { hops: 5, terminals: 'all' }, TOLERANCE);
      });

      it('a hub of degree > 10,000: its row is cut into segments, so no loop cap truncates it', async () => {
        const csr = powerLawGraph(15_000, 2, 11_000, 43);
        await expectSameAsReference(backend, csr, { hops: 4, terminalIds: [csr.nodeKeys[csr.n - 1], '0', '5', '77'] }, TOLERANCE);
      });
    });
  }

  it('a graph too large for one gpu.js array at 32 terminals is cut into smaller batches, with the same numbers', async () => {
    // 150,000 nodes × 32 terminals = 4.8M > 2^22 elements (gpu.js's own bound): batches of 16.
    const csr = randomGraph(150_000, 300_000, 44);
    const backend = new GpuJsBackend({ mode: 'webasm' });
    try {
      const plan = makePlan(transitionMatrix(csr, 'simple'), 32, (backend as unknown as { limits: Parameters<typeof makePlan>[2] }).limits);
      expect(plan.batch).toBe(16);
      expect(plan.batch * csr.n).toBeLessThanOrEqual(2 ** 22);
      await expectSameAsReference(backend, csr, { hops: 2, terminals: 40, seed: 5 }, TOLERANCE);
    } finally {
      backend.dispose();
    }
  });

  it('artificially small limits force batches and tiles too', async () => {
    const backend = new GpuJsBackend({ mode: 'cpu', limits: { maxStorageBufferBindingSize: 4096, maxBatch: 4 } });
    try {
      await expectSameAsReference(backend, powerLawGraph(2000, 2, 500, 45), { hops: 4, terminals: 9, seed: 6 }, TOLERANCE);
    } finally {
      backend.dispose();
    }
  });
});

describe('gpujs backend in headless Chromium equals the float64 reference', () => {
  for (const mode of ['webgl2', 'webgpu'] as const) {
    describe(`gpu.js mode ${mode}`, () => {
      let backend: BrowserBackend;
      beforeAll(async () => {
        backend = await BrowserBackend.start({ backend: 'gpujs', gpujsMode: mode });
      });
      afterAll(async () => {
        await backend?.dispose();
      });

      it('random and power-law graphs', async () => {
        await expectSameAsReference(backend, randomGraph(2000, 8000, 46, { weighted: true }), { walk: 'mh', hops: 6, terminals: 24 }, TOLERANCE);
        expect(backend.info.runtime).toBe(`browser ${mode}`);
        const csr = powerLawGraph(12_000, 2, 10_500, 47);
        await expectSameAsReference(backend, csr, { hops: 4, terminalIds: [csr.nodeKeys[csr.n - 1], '3', '9'] }, TOLERANCE);
      });

      it.skipIf(!haveDatasets)(`ego-Facebook, 10 hops${haveDatasets ? '' : ` (${datasetsSkipReason})`}`, async () => {
        const { csr } = await loadGraphFile(dataset('snap/facebook_combined.txt'));
        await expectSameAsReference(backend, csr, { hops: 10, terminals: 32, seed: 7 }, TOLERANCE);
      });
    });
  }
});
