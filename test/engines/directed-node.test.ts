import { afterAll, describe } from 'vitest';
import { ParallelCpuBackend } from '../../src/engines/cpu/parallel-backend.js';
import { GpuJsBackend } from '../../src/engines/gpujs/gpujs-backend.js';
import { directedSuite } from '../helpers/directed-suite.js';

/** Issue 11 on the engines that run in Node: float64 to rounding, float32 to 1e-4 bits. */
describe('cpu-parallel, float64', () => {
  const backend = new ParallelCpuBackend({ threads: 2, batch: 16, precision: 'float64' });
  directedSuite(() => backend, 1e-9);
});

describe('cpu-parallel, float32 storage (the default)', () => {
  const backend = new ParallelCpuBackend({ threads: 2 });
  directedSuite(() => backend, 1e-4);
});

for (const mode of ['webasm', 'cpu'] as const) {
  describe(`gpujs in Node, ${mode}`, () => {
    const backend = new GpuJsBackend({ mode });
    afterAll(() => backend.dispose());
    directedSuite(() => backend, 1e-4);
  });
}
