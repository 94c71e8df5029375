import { outStrengths, type Csr } from '../graph/csr.js';
import { buildTransition, type TransitionMatrix } from './transition.js';

/**
 * Metropolis-Hastings walk with a uniform stationary law (Pisces §4):
 * P_ij = w_ij · min(1/W_i, 1/W_j) for each neighbour j, with W the weighted degree, and the
 * self-loop P_ii takes the rest. Unweighted, this is min(1/d_i, 1/d_j). On directed graphs
 * W is the out-strength and the stationary law is no longer uniform in general.
 */
export function metropolisHastingsWalk(csr: Csr, lazy = false): TransitionMatrix {
  const strength = outStrengths(csr);
  const weight = csr.weights;
  return buildTransition(csr, 'mh', lazy, 'rest', (i, e) => {
    const j = csr.colIdx[e];
    const w = weight ? weight[e] : 1;
    return w === 0 ? 0 : w / Math.max(strength[i], strength[j]);
  });
}
