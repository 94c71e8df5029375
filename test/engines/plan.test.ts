import { describe, expect, it } from 'vitest';
import { pullStep } from '../../src/walks/pull-step.js';
import { chooseBatch, dispatchSize, LONG_ROW, makePlan, type Plan, type PlanLimits } from '../../src/engines/gpu-plan/graph-plan.js';
import { transitionMatrix } from '../../src/walks/index.js';
import { powerLawGraph, randomGraph } from '../helpers/graphs.js';

/**
 * Run a plan on the CPU exactly as the WGSL kernels do (tiles, short rows, segments and
 * their sums, write-then-accumulate), in float64, so the tiling itself is checked.
 */
function emulatePullStep(plan: Plan, x: Float64Array[], B: number): Float64Array[] {
  const next = plan.slabs.map((s) => new Float64Array((s.end - s.start) * B).fill(NaN)); // NaN: never written
  for (const tile of plan.tiles) {
    const input = x[tile.columnSlab];
    const output = next[tile.rowSlab];
    const write = (row: number, b: number, value: number) => {
      output[row * B + b] = tile.writes ? value : output[row * B + b] + value;
    };
    for (const row of tile.shortRows) {
      for (let b = 0; b < B; b++) {
        let sum = 0;
        for (let e = tile.rowPtr[row]; e < tile.rowPtr[row + 1]; e++) sum += tile.values[e] * input[tile.colIdx[e] * B + b];
        write(row, b, sum);
      }
    }
    const partial = new Float64Array((tile.segments.length / 2) * B);
    for (let s = 0; s < tile.segments.length / 2; s++) {
      for (let b = 0; b < B; b++) {
        let sum = 0;
        for (let e = tile.segments[2 * s]; e < tile.segments[2 * s + 1]; e++) sum += tile.values[e] * input[tile.colIdx[e] * B + b];
        partial[s * B + b] = sum;
      }
    }
    tile.longRows.forEach((row, k) => {
      for (let b = 0; b < B; b++) {
        let sum = 0;
        for (let s = tile.segPtr[k]; s < tile.segPtr[k + 1]; s++) sum += partial[s * B + b];
        write(row, b, sum);
      }
    });
  }
  return next;
}

const roomy: PlanLimits = { maxStorageBufferBindingSize: 2 ** 27, maxBufferSize: 2 ** 28, maxBatch: 32 };

describe('webgpu plan', () => {
  it('batch size: a power of two, no more than asked, shrinking so one column block fits a binding', () => {
    expect(chooseBatch(1000, 100, roomy)).toBe(32);
    expect(chooseBatch(1000, 5, roomy)).toBe(8);
    expect(chooseBatch(1000, 1, roomy)).toBe(1);
    expect(chooseBatch(2_000_000, 100, roomy)).toBe(16); // 2M × 16 × 4 B = 128 MB
    expect(chooseBatch(100, 100, { ...roomy, maxBatch: 4 })).toBe(4);
  });

  it('splits workgroup counts over two dimensions within the limit', () => {
    expect(dispatchSize(100, 65535)).toEqual([100, 1]);
    const [x, y] = dispatchSize(200_000, 65535);
    expect(x).toBeLessThanOrEqual(65535);
    expect(x * y).toBeGreaterThanOrEqual(200_000);
  });

  const graphs = {
    'uniform random': randomGraph(500, 2000, 3, { weighted: true }),
    'power-law with a hub of degree 2,000': powerLawGraph(3000, 2, 2000, 4),
    directed: randomGraph(400, 1500, 5, { directed: true }),
  };
  const limitSets: Record<string, PlanLimits> = {
    'roomy limits (one slab, one tile)': roomy,
    'tiny bindings (many slabs and tiles)': { maxStorageBufferBindingSize: 4096, maxBufferSize: 4096, maxBatch: 4 },
    'bindings of 1 KiB': { maxStorageBufferBindingSize: 1024, maxBufferSize: 2048, maxBatch: 8 },
  };
  for (const [graphName, csr] of Object.entries(graphs)) {
    for (const [limitName, limits] of Object.entries(limitSets)) {
      it(`${graphName}, ${limitName}: tiled steps equal the reference pull step`, () => {
        const walk = transitionMatrix(csr, 'simple');
        const plan = makePlan(walk, 50, limits);
        const B = plan.batch;
        // Every binding fits.
        const maxElements = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize) / 4;
        for (const s of plan.slabs) expect((s.end - s.start) * B).toBeLessThanOrEqual(maxElements);
        for (const t of plan.tiles) expect(t.colIdx.length).toBeLessThanOrEqual(maxElements);
        if (limitName.startsWith('tiny')) expect(plan.slabs.length).toBeGreaterThan(1);
        // Each row slab has exactly one writing tile, listed first.
        plan.slabs.forEach((_, r) => {
          const tiles = plan.tiles.filter((t) => t.rowSlab === r);
          expect(tiles[0].writes).toBe(true);
          expect(tiles.filter((t) => t.writes)).toHaveLength(1);
        });
        // Rows over LONG_ROW nonzeros go to segments.
        for (const t of plan.tiles) for (const row of t.longRows) expect(t.rowPtr[row + 1] - t.rowPtr[row]).toBeGreaterThan(LONG_ROW);

        const rng = Array.from({ length: walk.n * B }, (_, i) => ((i * 2654435761) % 1000) / 1000);
        const x = Float64Array.from(rng);
        const expected = new Float64Array(walk.n * B);
        pullStep({ ...walk, values: Float64Array.from(Float32Array.from(walk.values)) }, x, expected, B);
        const slabsIn = plan.slabs.map((s) => x.slice(s.start * B, s.end * B));
        const result = emulatePullStep(plan, slabsIn, B);
        plan.slabs.forEach((s, r) => {
          for (let k = 0; k < (s.end - s.start) * B; k++) expect(result[r][k]).toBeCloseTo(expected[s.start * B + k], 10);
        });
      });
    }
  }

  it('says so when the device cannot hold even one row of the block', () => {
    const walk = transitionMatrix(randomGraph(100, 300, 1), 'simple');
    expect(() => makePlan(walk, 8, { maxStorageBufferBindingSize: 2, maxBufferSize: 2, maxBatch: 8 })).toThrow(
      /storage bindings too small for one row of the block/,
    );
  });

  it('the hub of a power-law graph is cut into segments', () => {
    const plan = makePlan(transitionMatrix(powerLawGraph(3000, 2, 2000, 4), 'simple'), 32, roomy);
    expect(plan.tiles[0].longRows.length).toBeGreaterThan(0);
    expect(plan.maxSegments).toBeGreaterThanOrEqual(Math.ceil(2000 / 64));
  });
});
