import { describe, expect, it } from 'vitest';
import { ParallelCpuBackend } from '../../src/engines/cpu/parallel-backend.js';
import { loadGraphFile } from '../../src/graph/load-file.js';
import { expectSameAsReference } from '../helpers/compare.js';
import { dataset, datasetsSkipReason, haveDatasets } from '../helpers/datasets.js';
import { expectDenseAnswer } from '../helpers/dense-reference.js';
import { csrFromEdges, powerLawGraph, randomGraph } from '../helpers/graphs.js';

/** Both are float64; only the order of additions differs. */
const TOLERANCE = 1e-9;
/** The default float32 storage (float64 sums). */
const FLOAT32_TOLERANCE = 1e-4;

describe('cpu-parallel backend (worker threads), float64, equals the float64 reference', () => {
  for (const threads of [1, 2, 3]) {
    it(`${threads} thread${threads > 1 ? 's' : ''}: both walks, a prior, batches that do not divide the terminals`, async () => {
      const backend = new ParallelCpuBackend({ threads, batch: 8, precision: 'float64', order: threads === 2 ? 'input' : 'degree' });
      const csr = randomGraph(3000, 12_000, 51 + threads, { weighted: true });
      await expectSameAsReference(backend, csr, { hops: 7, terminals: 21, seed: threads }, TOLERANCE);
      await expectSameAsReference(backend, csr, { walk: 'mh', lazy: true, hops: 5, terminals: 9 }, TOLERANCE);
      const prior = new Map(csr.nodeKeys.map((key, i) => [key, i % 3]));
      await expectSameAsReference(backend, csr, { hops: 3, terminals: 10, prior }, TOLERANCE);
      expect(backend.info).toMatchObject({ name: 'cpu-parallel', precision: 'float64', runtime: `${threads} worker threads` });
    });
  }

  it('directed graphs with unreachable terminals, and a hub', async () => {
    const backend = new ParallelCpuBackend({ threads: 2, precision: 'float64' });
    await expectSameAsReference(backend, randomGraph(600, 1000, 61, { directed: true }), { hops: 6, terminals: 'all' }, TOLERANCE);
    const csr = powerLawGraph(12_000, 2, 11_000, 62);
    await expectSameAsReference(backend, csr, { hops: 4, terminalIds: [csr.nodeKeys[csr.n - 1], '4', '8'] }, TOLERANCE);
  });

  it.skipIf(!haveDatasets)(`ego-Facebook, 25 hops of both walks${haveDatasets ? '' : ` (${datasetsSkipReason})`}`, async () => {
    const { csr } = await loadGraphFile(dataset('snap/facebook_combined.txt'));
    const backend = new ParallelCpuBackend({ precision: 'float64' });
    for (const walk of ['simple', 'mh'] as const) await expectSameAsReference(backend, csr, { walk, hops: 25, terminals: 40 }, TOLERANCE);
  });
});

describe('cpu-parallel default (float32 storage, SIMD, batches of 32) within 1e-4 bits', () => {
  it('is float32 with the SIMD step, 32 terminals a batch', () => {
    expect(new ParallelCpuBackend({ threads: 2 }).info).toMatchObject({ precision: 'float32', runtime: '2 worker threads, WebAssembly SIMD' });
    expect(new ParallelCpuBackend()['batch']).toBe(32);
    expect(new ParallelCpuBackend({ precision: 'float64' }).info.runtime).not.toMatch(/SIMD/);
  });

  it('the dense float64 answer: 40 terminals as batches of 16, 16, 8, a prior, both walks, both orders, SIMD or not', async () => {
    const csr = powerLawGraph(300, 2, 100, 71);
    const prior = new Map(csr.nodeKeys.map((key, i) => [key, i % 4 === 0 ? 0 : 1 + (i % 3)]));
    for (const [order, simd, batch] of [['degree', true, 16], ['input', true, 12], ['degree', false, 16], ['input', true, 5]] as const) {
      const backend = new ParallelCpuBackend({ threads: 2, order, simd, batch });
      await expectDenseAnswer(backend, csr, { hops: 12, terminals: 40, seed: 3 }, FLOAT32_TOLERANCE);
      await expectDenseAnswer(backend, csr, { walk: 'mh', lazy: true, hops: 6, terminals: 40, seed: 4, prior }, FLOAT32_TOLERANCE);
    }
  });

  it('fewer terminals than 4 columns or a multiple of them: the block is padded with zero columns for the SIMD step', async () => {
    const csr = powerLawGraph(400, 2, 150, 73);
    const backend = new ParallelCpuBackend({ threads: 2 });
    expect(backend['blockWidth'](6)).toBe(8);
    expect(backend['blockWidth'](1)).toBe(4);
    expect(new ParallelCpuBackend({ threads: 2, simd: false })['blockWidth'](6)).toBe(6);
    for (const terminals of [1, 6]) await expectDenseAnswer(backend, csr, { hops: 9, terminals, seed: terminals }, FLOAT32_TOLERANCE);
    await expectDenseAnswer(backend, randomGraph(120, 200, 74, { directed: true }), { hops: 12, terminals: 3 }, FLOAT32_TOLERANCE);
  });

  it('a directed graph with unreachable terminals, 100 hops (columns renormalised as they shrink)', async () => {
    const backend = new ParallelCpuBackend({ threads: 3 });
    await expectDenseAnswer(backend, randomGraph(90, 160, 72, { directed: true }), { hops: 100 }, FLOAT32_TOLERANCE);
  });

  it('a column that shrinks by more than 2^126 in one hop (its factor leaves float32): that hop runs in JavaScript', async () => {
    // c is reached only through a's arc of weight 1e-40 (against 1 to b): after hop 1 its
    // column's largest entry is P_ac ≈ 1e-40, and the factor that renormalises it 2^133.
    const csr = csrFromEdges([['a', 'b', 1], ['a', 'c', 1e-40], ['b', 'a', 1], ['c', 'd', 1], ['d', 'a', 1e-40], ['d', 'e', 1], ['e', 'd', 1], ['b', 'e', 1]], true);
    await expectDenseAnswer(new ParallelCpuBackend({ threads: 2, batch: 4 }), csr, { walk: 'simple', hops: 8 }, FLOAT32_TOLERANCE);
  });

  it('a power-law graph of 8000 nodes (chunks of rows shared by 2 and 3 workers), both walks, against the float64 reference', async () => {
    const csr = powerLawGraph(8000, 3, 3000, 64);
    await expectSameAsReference(new ParallelCpuBackend({ threads: 2 }), csr, { walk: 'mh', hops: 10, terminals: 40 }, FLOAT32_TOLERANCE);
    await expectSameAsReference(new ParallelCpuBackend({ threads: 3 }), csr, { hops: 25, terminals: 20, seed: 2 }, FLOAT32_TOLERANCE);
  });
});
