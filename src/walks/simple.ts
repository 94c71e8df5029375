import { outStrengths, type Csr } from '../graph/csr.js';
import { buildTransition, type TransitionMatrix } from './transition.js';

/** Simple random walk: P_ij = w_ij / sum_k w_ik (1 / deg(i) when unweighted); no diagonal but at dangling nodes. */
export function simpleWalk(csr: Csr, lazy = false): TransitionMatrix {
  const strength = outStrengths(csr);
  const weight = csr.weights;
  if (!lazy && !weight && strength.every((s) => s > 0)) return sharedStructureWalk(csr, strength);
  return buildTransition(csr, 'simple', lazy, 'none', (i, e) =>
    strength[i] > 0 ? (weight ? weight[e] : 1) / strength[i] : 0,
  );
}

/**
 * An unweighted graph without dangling nodes has P's sparsity exactly: no diagonal to slot in
 * and no zero to drop. P then shares the graph's rowPtr and colIdx (read-only everywhere) and
 * only fills 1/deg, which saves two arrays of the edge count on a million-node graph.
 */
function sharedStructureWalk(csr: Csr, degree: Float64Array): TransitionMatrix {
  const { n, rowPtr, colIdx } = csr;
  const values = new Float64Array(colIdx.length);
  for (let i = 0; i < n; i++) values.fill(1 / degree[i], rowPtr[i], rowPtr[i + 1]);
  return { n, rowPtr, colIdx, values, model: 'simple', lazy: false, danglingNodes: 0 };
}
