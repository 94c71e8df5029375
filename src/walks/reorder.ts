import type { SparseRows } from './transition.js';

/**
 * A relabelling of the nodes: node `order[r]` becomes node r, and `rank` is its inverse.
 * Entropies are sums over all initiators, so a walk on the relabelled matrix gives the same
 * numbers (to the order of additions) for the relabelled terminals and prior.
 */
export interface NodeOrder {
  readonly order: Uint32Array;
  readonly rank: Uint32Array;
}

/**
 * Nodes by decreasing row length (nonzeros of P), ties by id: a counting sort, O(n). On a
 * power-law graph most gathers of a pull step read the rows of a few hubs; numbering them
 * first packs those rows into a range that stays in the caches and the TLB, whatever the
 * ids of the input (random ids have no locality at all).
 */
export function degreeOrder(walk: SparseRows): NodeOrder {
  const { n, rowPtr } = walk;
  let maxLength = 0;
  for (let i = 0; i < n; i++) maxLength = Math.max(maxLength, rowPtr[i + 1] - rowPtr[i]);
  // start[maxLength - length]: where the nodes of that length begin in the order.
  const start = new Uint32Array(maxLength + 2);
  for (let i = 0; i < n; i++) start[maxLength - (rowPtr[i + 1] - rowPtr[i]) + 1]++;
  for (let k = 1; k < start.length; k++) start[k] += start[k - 1];
  const order = new Uint32Array(n);
  const rank = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const r = start[maxLength - (rowPtr[i + 1] - rowPtr[i])]++;
    order[r] = i;
    rank[i] = r;
  }
  return { order, rank };
}

/** Where relabelledWalk writes: arrays of the walk's sizes (values may be float32). */
export interface RelabelledArrays {
  rowPtr: Uint32Array;
  colIdx: Uint32Array;
  values: Float64Array | Float32Array;
}

/**
 * P' = Π P Πᵀ for the relabelling (P'_{rank i, rank j} = P_ij), written into `into`.
 * Columns within a row keep the input's order (no longer sorted): a pull step only sums them.
 */
export function relabelWalk(walk: SparseRows, { order, rank }: NodeOrder, into: RelabelledArrays): void {
  const { n, rowPtr, colIdx, values } = walk;
  into.rowPtr[0] = 0;
  let out = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r];
    for (let e = rowPtr[i]; e < rowPtr[i + 1]; e++) {
      into.colIdx[out] = rank[colIdx[e]];
      into.values[out++] = values[e];
    }
    into.rowPtr[r + 1] = out;
  }
}
