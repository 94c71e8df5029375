import { outStrengths, type Csr } from '../graph/csr.js';
import { buildTransition, type TransitionMatrix } from './transition.js';

/** Simple random walk: P_ij = w_ij / sum_k w_ik (1 / deg(i) when unweighted); no diagonal but at dangling nodes. */
export function simpleWalk(csr: Csr, lazy = false): TransitionMatrix {
  const strength = outStrengths(csr);
  const weight = csr.weights;
  return buildTransition(csr, 'simple', lazy, 'none', (i, e) =>
    strength[i] > 0 ? (weight ? weight[e] : 1) / strength[i] : 0,
  );
}
