import { describe, expect, it } from 'vitest';
import { simdAvailable, simdPullModule } from '../../src/engines/cpu/simd-pull.js';

describe('the WebAssembly SIMD pull step', () => {
  it('validates here, and refuses a B that is not a multiple of 4', () => {
    expect(simdAvailable()).toBe(true);
    expect(() => simdPullModule(6, 1)).toThrow(/multiple of 4, got 6/);
  });

  for (const B of [4, 8, 16]) {
    it(`B = ${B}: next_i = f ⊙ Σ_e v_e x[col_e] over a row range, against float64 sums`, () => {
      // 5 rows, one empty; offsets in bytes, 64-aligned as the backend lays them out.
      const rowPtr = [0, 3, 3, 5, 9, 10];
      const colIdx = [1, 4, 2, 0, 3, 0, 1, 2, 4, 2];
      const values = [0.5, 0.25, 0.25, 0.75, 0.25, 0.1, 0.2, 0.3, 0.4, 1];
      const n = 5;
      const at = { rowPtr: 0, colIdx: 64, values: 128, x: 192, next: 192 + n * B * 4, factors: 192 + 2 * n * B * 4 };
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
      const buffer = memory.buffer as unknown as SharedArrayBuffer;
      new Uint32Array(buffer, at.rowPtr, n + 1).set(rowPtr);
      new Uint32Array(buffer, at.colIdx, colIdx.length).set(colIdx);
      new Float32Array(buffer, at.values, values.length).set(values);
      const x = new Float32Array(buffer, at.x, n * B);
      for (let k = 0; k < x.length; k++) x[k] = Math.fround(((k * 37) % 11) / 8);
      const factors = new Float32Array(buffer, at.factors, B);
      for (let b = 0; b < B; b++) factors[b] = 2 ** (b % 3);
      const next = new Float32Array(buffer, at.next, n * B).fill(-1);
      const { pull } = new WebAssembly.Instance(new WebAssembly.Module(simdPullModule(B, 1)), { env: { memory } }).exports as unknown as {
        pull: (...args: number[]) => void;
      };
      pull(1, 5, at.rowPtr, at.colIdx, at.values, at.x, at.next, at.factors);
      for (let b = 0; b < B; b++) expect(next[b]).toBe(-1); // row 0 is outside the range
      for (let i = 1; i < n; i++) {
        for (let b = 0; b < B; b++) {
          let sum = 0;
          for (let e = rowPtr[i]; e < rowPtr[i + 1]; e++) sum += Math.fround(values[e]) * x[colIdx[e] * B + b];
          expect(next[i * B + b]).toBeCloseTo(sum * factors[b], 6);
        }
      }
    });
  }
});
