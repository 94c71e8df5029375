import type { SparseRows } from './transition.js';

/**
 * One pull step on a node-major n × B block: next_i = f_b Σ_k P_ik x_k for every column b,
 * with f the factors of ColumnScales (1 when absent).
 */
export function pullStep(walk: SparseRows, x: Float64Array, next: Float64Array, B: number, factor?: Float64Array): void {
  const { n, rowPtr, colIdx, values } = walk;
  next.fill(0);
  for (let i = 0; i < n; i++) {
    const out = i * B;
    for (let e = rowPtr[i]; e < rowPtr[i + 1]; e++) {
      const p = values[e];
      const input = colIdx[e] * B;
      for (let b = 0; b < B; b++) next[out + b] += p * x[input + b];
    }
    if (factor) for (let b = 0; b < B; b++) next[out + b] *= factor[b];
  }
}
