import type { Csr } from '../graph/csr.js';
import { metropolisHastingsWalk } from './metropolis-hastings.js';
import { simpleWalk } from './simple.js';
import type { TransitionMatrix, WalkModel } from './transition.js';

export { WALK_MODELS, type TransitionMatrix, type WalkModel } from './transition.js';

/** P for the named walk model. */
export function transitionMatrix(csr: Csr, model: WalkModel, lazy = false): TransitionMatrix {
  return model === 'mh' ? metropolisHastingsWalk(csr, lazy) : simpleWalk(csr, lazy);
}
