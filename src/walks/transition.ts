import type { Csr } from '../graph/csr.js';

export const WALK_MODELS = ['simple', 'mh'] as const;
export type WalkModel = (typeof WALK_MODELS)[number];

/**
 * The transition matrix P of a walk, in CSR: row i holds P_ij for every j the walk can step
 * to from i, columns sorted, and each row sums to 1 (within 1e-12). Its sparsity is the
 * graph's: a diagonal entry only at dangling nodes, where the model keeps a rest (MH) and
 * on lazy walks.
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

/** A sparse matrix in CSR: what the engines' batched step reads (P for pulling, Pᵀ for pushing). */
export type SparseRows = Pick<TransitionMatrix, 'n' | 'rowPtr' | 'colIdx' | 'values'>;

/**
 * A rest 1 − Σ_j P_ij below this is rounding residue, not a self-loop: rows are summed with
 * compensation, so residue is about 1e-16 whatever the degree, while a real MH rest is
 * w_ij (1/W_i − 1/W_j) for some neighbour, far above it unless two strengths agree to 12 digits.
 */
export const REST_TOLERANCE = 1e-12;

/** How a model fills the diagonal of a row that has out-edges. */
export type Diagonal = 'none' | 'rest';

/** Σ values with Neumaier's compensation: the residue of a row that sums to 1 stays ~1e-16. */
function compensatedSum(values: Float64Array, start: number, end: number): number {
  let sum = 0;
  let compensation = 0;
  for (let e = start; e < end; e++) {
    const v = values[e];
    const t = sum + v;
    compensation += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return sum + compensation;
}

/**
 * Build P from the off-diagonal probabilities `step(i, e)` of each graph edge e in row i.
 * Dangling rows get P_ii = 1; with `diagonal: 'rest'` the diagonal takes 1 − Σ when that
 * exceeds REST_TOLERANCE; `lazy` halves every entry and adds 1/2 to the diagonal.
 *
 * One pass over the graph: each row's probabilities go to a row-sized scratch, are summed,
 * and are written out with the diagonal slotted in. The arrays are sized for the most
 * entries P can have (one diagonal per row) and returned as views of what was filled.
 */
export function buildTransition(
  csr: Csr,
  model: WalkModel,
  lazy: boolean,
  diagonalKind: Diagonal,
  step: (row: number, edge: number) => number,
): TransitionMatrix {
  const { n, rowPtr: graphRowPtr, colIdx: graphColIdx } = csr;
  let longestRow = 0;
  for (let i = 0; i < n; i++) longestRow = Math.max(longestRow, graphRowPtr[i + 1] - graphRowPtr[i]);
  const row = new Float64Array(longestRow);
  const capacity = graphRowPtr[n] + n;
  const rowPtr = new Uint32Array(n + 1);
  const colIdx = new Uint32Array(capacity);
  const values = new Float64Array(capacity);
  let danglingNodes = 0;
  let out = 0;
  for (let i = 0; i < n; i++) {
    const start = graphRowPtr[i];
    const length = graphRowPtr[i + 1] - start;
    for (let k = 0; k < length; k++) row[k] = step(i, start + k);
    const sum = compensatedSum(row, 0, length);
    let stay = 0;
    if (sum === 0) {
      danglingNodes++;
      stay = 1;
    } else if (diagonalKind === 'rest' && 1 - sum > REST_TOLERANCE) {
      stay = 1 - sum;
    }
    if (lazy) stay = stay / 2 + 0.5;
    // The graph has no self-loops (Csr), so the diagonal slots in before the first j > i.
    let diagonalPending = stay > 0;
    for (let k = 0; k < length; k++) {
      const j = graphColIdx[start + k];
      if (diagonalPending && i < j) {
        colIdx[out] = i;
        values[out++] = stay;
        diagonalPending = false;
      }
      const p = lazy ? row[k] / 2 : row[k];
      if (p > 0) {
        colIdx[out] = j;
        values[out++] = p;
      }
    }
    if (diagonalPending) {
      colIdx[out] = i;
      values[out++] = stay;
    }
    rowPtr[i + 1] = out;
  }
  return { n, rowPtr, colIdx: colIdx.subarray(0, out), values: values.subarray(0, out), model, lazy, danglingNodes };
}
