import { afterAll, describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engines/cpu/cpu-backend.js';
import { ParallelCpuBackend } from '../../src/engines/cpu/parallel-backend.js';
import { GpuJsBackend } from '../../src/engines/gpujs/gpujs-backend.js';
import type { Backend } from '../../src/engines/backend.js';
import { transitionMatrix } from '../../src/walks/index.js';
import { pushMatrix } from '../../src/walks/push.js';
import { stationaryLaw } from '../../src/walks/stationary.js';
import { randomGraph } from '../helpers/graphs.js';

/** float32 engines against the float64 reference, in TV. */
const TOLERANCE = 1e-5;

describe('mixingDistances: every engine equals the float64 reference', () => {
  const engines: [string, Backend][] = [
    ['cpu-parallel float32', new ParallelCpuBackend({ threads: 2 })],
    ['cpu-parallel float64', new ParallelCpuBackend({ threads: 2, precision: 'float64' })],
    ['gpujs cpu mode', new GpuJsBackend({ mode: 'cpu' })],
  ];
  afterAll(async () => {
    for (const [, engine] of engines) await engine.dispose();
  });
  const csr = randomGraph(400, 900, 12, { weighted: true }); // isolated nodes, several components
  const walk = transitionMatrix(csr, 'simple', true);
  const job = { push: pushMatrix(walk), sources: Uint32Array.from({ length: 40 }, (_, k) => k * 9), hops: 20, stationary: stationaryLaw(csr, walk).pi };
  for (const [name, engine] of engines) {
    it(`${name}: TV at every hop of 40 sources on a weighted random graph with several components`, async () => {
      const reference = await new CpuBackend().mixingDistances(job);
      const table = await engine.mixingDistances(job);
      expect(table.tv.length).toBe(reference.tv.length);
      reference.tv.forEach((d, k) => expect(Math.abs(table.tv[k] - d)).toBeLessThan(TOLERANCE));
      expect(Math.max(...reference.tv)).toBeGreaterThan(0.01);
    });
  }
});
