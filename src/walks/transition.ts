import type { Csr } from '../graph/csr.js';

export const WALK_MODELS = ['simple', 'mh'] as const;
export type WalkModel = (typeof WALK_MODELS)[number];

/**
 * The transition matrix P of a walk, in CSR with explicit self-loops: row i holds P_ij for
 * every j the walk can step to from i, columns sorted, and each row sums to 1.
 */
export interface TransitionMatrix {
  readonly n: number;
  readonly rowPtr: Uint32Array;
  readonly colIdx: Uint32Array;
  readonly values: Float64Array;
  readonly model: WalkModel;
  readonly lazy: boolean;
  /** Nodes with no out-edge (or only zero-weight ones); they keep their mass (P_ii = 1). */
  readonly danglingNodes: number;
}

/**
 * Build P from the off-diagonal probabilities `step(i, e)` of each graph edge e in row i.
 * The diagonal takes what is left (1 - sum), so dangling nodes get P_ii = 1; `lazy` halves
 * every step and adds 1/2 to the diagonal.
 */
export function buildTransition(
  csr: Csr,
  model: WalkModel,
  lazy: boolean,
  step: (row: number, edge: number) => number,
): TransitionMatrix {
  const { n } = csr;
  const offDiagonal = new Float64Array(csr.colIdx.length);
  const diagonal = new Float64Array(n);
  let danglingNodes = 0;
  let nnz = 0;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let e = csr.rowPtr[i]; e < csr.rowPtr[i + 1]; e++) {
      const p = step(i, e);
      offDiagonal[e] = lazy ? p / 2 : p;
      sum += p;
      if (p > 0) nnz++;
    }
    if (sum === 0) danglingNodes++;
    // Clamp rounding: the rest can be a hair below zero when the row already sums to 1.
    const rest = Math.max(0, 1 - sum);
    diagonal[i] = lazy ? 0.5 + rest / 2 : rest;
    if (diagonal[i] > 0) nnz++;
  }

  const rowPtr = new Uint32Array(n + 1);
  const colIdx = new Uint32Array(nnz);
  const values = new Float64Array(nnz);
  let out = 0;
  for (let i = 0; i < n; i++) {
    let diagonalPending = diagonal[i] > 0;
    for (let e = csr.rowPtr[i]; e < csr.rowPtr[i + 1]; e++) {
      const j = csr.colIdx[e];
      if (diagonalPending && i < j) {
        colIdx[out] = i;
        values[out++] = diagonal[i];
        diagonalPending = false;
      }
      if (offDiagonal[e] > 0) {
        colIdx[out] = j;
        values[out++] = offDiagonal[e];
      }
    }
    if (diagonalPending) {
      colIdx[out] = i;
      values[out++] = diagonal[i];
    }
    rowPtr[i + 1] = out;
  }
  return { n, rowPtr, colIdx, values, model, lazy, danglingNodes };
}
