import type { SparseRows } from './transition.js';

/**
 * Pᵀ in CSR: row j lists every i with P_ij > 0 (ascending), so that the engines' pull step
 * on it, x'_j = Σ_i P_ij x_i, pushes a distribution one hop forward (x ← Pᵀ x): the
 * distribution after t hops from a source s is row s of P^t.
 */
export function pushMatrix(walk: SparseRows): SparseRows {
  const { n, rowPtr, colIdx, values } = walk;
  const nnz = rowPtr[n];
  const pushRowPtr = new Uint32Array(n + 1);
  for (let e = 0; e < nnz; e++) pushRowPtr[colIdx[e] + 1]++;
  for (let j = 0; j < n; j++) pushRowPtr[j + 1] += pushRowPtr[j];
  const cursor = pushRowPtr.slice(0, n);
  const pushColIdx = new Uint32Array(nnz);
  const pushValues = new Float64Array(nnz);
  // Rows i in increasing order: each row of Pᵀ comes out sorted.
  for (let i = 0; i < n; i++) {
    for (let e = rowPtr[i]; e < rowPtr[i + 1]; e++) {
      const at = cursor[colIdx[e]]++;
      pushColIdx[at] = i;
      pushValues[at] = values[e];
    }
  }
  return { n, rowPtr: pushRowPtr, colIdx: pushColIdx, values: pushValues };
}
