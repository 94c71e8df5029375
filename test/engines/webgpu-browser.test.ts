import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserBackend } from '../../src/engines/browser/browser-backend.js';
import { CsrBuilder } from '../../src/graph/csr-builder.js';
import { loadGraphFile } from '../../src/graph/load-file.js';
import { expectSameAsReference } from '../helpers/compare.js';
import { dataset, datasetsSkipReason, haveDatasets } from '../helpers/datasets.js';
import { powerLawGraph, randomGraph } from '../helpers/graphs.js';

/** float32 on the GPU against float64 on the CPU, in bits of entropy. */
const TOLERANCE = 1e-3;

describe('webgpu backend in headless Chromium equals the float64 reference', () => {
  let backend: BrowserBackend;
  beforeAll(async () => {
    backend = await BrowserBackend.start();
  });
  afterAll(async () => {
    await backend?.dispose();
  });

  it('reports the adapter it ran on', () => {
    expect(backend.info).toMatchObject({ name: 'webgpu', precision: 'float32', runtime: 'browser' });
    expect(backend.info.adapter!.vendor.length + backend.info.adapter!.architecture.length).toBeGreaterThan(0);
  });

  const uniform = randomGraph(2000, 8000, 21, { weighted: true });
  for (const walk of ['simple', 'mh'] as const) {
    for (const lazy of [false, true]) {
      it(`uniform random graph, ${walk}${lazy ? ' lazy' : ''} walk, 8 hops, 40 terminals`, async () => {
        await expectSameAsReference(backend, uniform, { walk, lazy, hops: 8, terminals: 40, seed: 3 }, TOLERANCE);
      });
    }
  }

  it('power-law graph with a hub of degree > 10,000 (segmented long rows)', async () => {
    const csr = powerLawGraph(20_000, 2, 12_000, 8);
    const hub = csr.n - 1;
    expect(csr.rowPtr[hub + 1] - csr.rowPtr[hub]).toBeGreaterThan(10_000);
    await expectSameAsReference(backend, csr, { hops: 6, terminalIds: [csr.nodeKeys[hub], '0', '1', '2', '17', '999'] }, TOLERANCE);
    await expectSameAsReference(backend, csr, { walk: 'mh', hops: 6, terminals: 24, seed: 9 }, TOLERANCE);
  });

  it('graph with isolated nodes (their mass stays put: 0 bits)', async () => {
    const builder = new CsrBuilder(false);
    for (let i = 0; i < 300; i++) builder.node(String(i));
    for (let i = 0; i < 200; i++) builder.addEdge(i, (i * 37 + 11) % 200);
    const { csr } = builder.build();
    await expectSameAsReference(backend, csr, { hops: 5, terminals: 'all' }, TOLERANCE);
  });

  it('directed graph with terminals no walk reaches (undefined entropies agree)', async () => {
    await expectSameAsReference(backend, randomGraph(500, 900, 31, { directed: true }), { hops: 6, terminals: 'all' }, TOLERANCE);
  });

  it('a non-uniform prior', async () => {
    const prior = new Map(uniform.nodeKeys.map((key, i) => [key, 1 + (i % 7)]));
    await expectSameAsReference(backend, uniform, { hops: 4, terminals: 16, prior }, TOLERANCE);
  });

  it.skipIf(!haveDatasets)(`ego-Facebook, 25 hops of both walks${haveDatasets ? '' : ` (${datasetsSkipReason})`}`, async () => {
    const { csr } = await loadGraphFile(dataset('snap/facebook_combined.txt'));
    for (const walk of ['simple', 'mh'] as const) {
      await expectSameAsReference(backend, csr, { walk, hops: 25, terminals: 48, seed: 1 }, TOLERANCE);
    }
  });
});

describe('webgpu backend with artificially small limits (batches of 4, row slabs, tiles)', () => {
  let backend: BrowserBackend;
  beforeAll(async () => {
    backend = await BrowserBackend.start({ limits: { maxStorageBufferBindingSize: 8192, maxBufferSize: 8192, maxBatch: 4 } });
  });
  afterAll(async () => {
    await backend?.dispose();
  });

  it('gives the same numbers as the reference', async () => {
    // 2000 nodes × 4 terminals × 4 bytes = 32 KiB > 8 KiB: at least 4 row slabs; 10 terminals: 3 batches.
    await expectSameAsReference(backend, uniform(), { hops: 6, terminals: 10, seed: 2 }, TOLERANCE);
    await expectSameAsReference(backend, powerLawGraph(3000, 2, 1500, 5), { walk: 'mh', hops: 5, terminals: 9, seed: 4 }, TOLERANCE);
  });

  function uniform() {
    return randomGraph(2000, 8000, 22, { weighted: true });
  }
});
