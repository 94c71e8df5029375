import { describe, expect, it } from 'vitest';
import { balancedRowRanges, ParallelCpuBackend } from '../../src/engines/cpu/parallel-backend.js';
import { loadGraphFile } from '../../src/graph/load-file.js';
import { transitionMatrix } from '../../src/walks/index.js';
import { expectSameAsReference } from '../helpers/compare.js';
import { dataset, datasetsSkipReason, haveDatasets } from '../helpers/datasets.js';
import { powerLawGraph, randomGraph } from '../helpers/graphs.js';

/** Both are float64; only the order of additions differs. */
const TOLERANCE = 1e-9;

describe('cpu-parallel backend (worker threads) equals the float64 reference', () => {
  it('splits rows into ranges of about equal work that cover every row once', () => {
    const walk = transitionMatrix(powerLawGraph(5000, 3, 2000, 1), 'simple');
    const ranges = balancedRowRanges(walk, 3);
    expect(ranges[0][0]).toBe(0);
    expect(ranges.at(-1)![1]).toBe(walk.n);
    for (let k = 1; k < ranges.length; k++) expect(ranges[k][0]).toBe(ranges[k - 1][1]);
    const work = ranges.map(([a, b]) => walk.rowPtr[b] - walk.rowPtr[a] + (b - a));
    const total = work.reduce((x, y) => x + y, 0);
    for (const w of work) expect(Math.abs(w - total / 3)).toBeLessThan(2000 + 10); // within one hub row
  });

  for (const threads of [1, 2, 3]) {
    it(`${threads} thread${threads > 1 ? 's' : ''}: both walks, a prior, batches that do not divide the terminals`, async () => {
      const backend = new ParallelCpuBackend({ threads, batch: 8 });
      const csr = randomGraph(3000, 12_000, 51 + threads, { weighted: true });
      await expectSameAsReference(backend, csr, { hops: 7, terminals: 21, seed: threads }, TOLERANCE);
      await expectSameAsReference(backend, csr, { walk: 'mh', lazy: true, hops: 5, terminals: 9 }, TOLERANCE);
      const prior = new Map(csr.nodeKeys.map((key, i) => [key, i % 3]));
      await expectSameAsReference(backend, csr, { hops: 3, terminals: 10, prior }, TOLERANCE);
      expect(backend.info).toMatchObject({ name: 'cpu-parallel', precision: 'float64', runtime: `${threads} worker threads` });
    });
  }

  it('float32 storage (float64 sums) stays within the float32 tolerance of 1e-4 bits', async () => {
    const backend = new ParallelCpuBackend({ threads: 2, precision: 'float32' });
    expect(backend.info.precision).toBe('float32');
    await expectSameAsReference(backend, powerLawGraph(8000, 3, 3000, 64), { walk: 'mh', hops: 10, terminals: 40 }, 1e-4);
  });

  it('directed graphs with unreachable terminals, and a hub', async () => {
    const backend = new ParallelCpuBackend({ threads: 2 });
    await expectSameAsReference(backend, randomGraph(600, 1000, 61, { directed: true }), { hops: 6, terminals: 'all' }, TOLERANCE);
    const csr = powerLawGraph(12_000, 2, 11_000, 62);
    await expectSameAsReference(backend, csr, { hops: 4, terminalIds: [csr.nodeKeys[csr.n - 1], '4', '8'] }, TOLERANCE);
  });

  it.skipIf(!haveDatasets)(`ego-Facebook, 25 hops of both walks${haveDatasets ? '' : ` (${datasetsSkipReason})`}`, async () => {
    const { csr } = await loadGraphFile(dataset('snap/facebook_combined.txt'));
    const backend = new ParallelCpuBackend();
    for (const walk of ['simple', 'mh'] as const) await expectSameAsReference(backend, csr, { walk, hops: 25, terminals: 40 }, TOLERANCE);
  });
});
