import type { AbstractGraph } from 'graphology-types';
import { ParameterError } from '../errors.js';
import { isCsr, nodeIndex, type Csr } from '../graph/csr.js';
import { fromGraphology } from '../graph/from-graphology.js';
import { quoted } from '../text.js';
import { pullStep } from '../walks/pull-step.js';
import { transitionMatrix, WALK_MODELS, type WalkModel } from '../walks/index.js';
import { scaledToUnitMax } from '../stats/scale.js';

export interface InitiatorPosteriorOptions {
  /** Walk model (default 'simple'). */
  walk?: WalkModel;
  lazy?: boolean;
  /** The hop t at which the terminus is seen (default 10, as initiatorEntropy's walk length). */
  hop?: number;
  /** Prior over initiators by node key (default uniform); unlisted nodes weigh 0. */
  prior?: ReadonlyMap<string, number>;
}

export interface InitiatorPosterior {
  terminal: string;
  hop: number;
  /** False when no t-hop walk with prior weight ends at the terminal: then `posterior` is all 0. */
  reachable: boolean;
  /** p_i = q_i (P^t)_ij / Σ_x q_x (P^t)_xj, indexed like the graph's nodes (Csr order). */
  posterior: Float64Array;
}

const DEFAULTS = { walk: 'simple', lazy: false, hop: 10 } as const;
const WHERE = 'anonscope/initiatorPosterior';


/**
 * The adversary's view of one terminus j (Pisces §3): the posterior over initiators of a
 * t-hop walk seen ending at j, the column j of P^t pulled from e_j in float64 and weighted by
 * the prior. Each hop is rescaled to a largest entry of 1 (the posterior is scale-free), so
 * long walks on large graphs do not underflow.
 */
export function initiatorPosterior(graph: AbstractGraph | Csr, terminal: string, options: InitiatorPosteriorOptions = {}): InitiatorPosterior {
  const csr = isCsr(graph) ? graph : fromGraphology(graph).csr;
  const walkModel = options.walk ?? DEFAULTS.walk;
  const hop = options.hop ?? DEFAULTS.hop;
  if (!WALK_MODELS.includes(walkModel)) throw new ParameterError(`${WHERE}: unknown walk "${walkModel}" (expected ${WALK_MODELS.join(' or ')})`);
  if (!Number.isInteger(hop) || hop < 1) throw new ParameterError(`${WHERE}: hop must be an integer >= 1, got ${hop}`);
  const j = nodeIndex(csr).get(terminal);
  if (j === undefined) throw new ParameterError(`${WHERE}: unknown terminal ${quoted(terminal)} (not a node of the graph)`);
  const prior = options.prior ? priorVector(csr, options.prior, WHERE) : undefined;

  const walk = transitionMatrix(csr, walkModel, options.lazy ?? DEFAULTS.lazy);
  let column = new Float64Array(csr.n);
  let next = new Float64Array(csr.n);
  column[j] = 1;
  for (let t = 0; t < hop; t++) {
    pullStep(walk, column, next, 1);
    [column, next] = [next, column];
    rescaleToUnitMax(column);
  }
  if (prior) for (let i = 0; i < csr.n; i++) column[i] *= prior[i];
  let sum = 0;
  for (let i = 0; i < csr.n; i++) sum += column[i];
  if (sum > 0) for (let i = 0; i < csr.n; i++) column[i] /= sum;
  return { terminal, hop, reachable: sum > 0, posterior: column };
}

/** The prior as a vector over the graph's nodes, checked, scaled to a largest weight of 1. */
export function priorVector(csr: Csr, prior: ReadonlyMap<string, number>, where = 'anonscope/initiatorEntropy'): Float64Array {
  const index = nodeIndex(csr);
  const q = new Float64Array(csr.n);
  for (const [key, weight] of prior) {
    const i = index.get(key);
    if (i === undefined) throw new ParameterError(`${where}: prior names unknown node ${quoted(key)}`);
    if (!Number.isFinite(weight) || weight < 0) {
      throw new ParameterError(`${where}: prior of node "${key}" is ${weight}; it must be a finite number >= 0`);
    }
    q[i] = weight;
  }
  if (!q.some((v) => v > 0)) throw new ParameterError(`${where}: the prior gives every node weight 0`);
  return scaledToUnitMax(q); // 1e308 twice, 5e-324: no overflow in sums, no float32 underflow
}

function rescaleToUnitMax(x: Float64Array): void {
  let max = 0;
  for (let i = 0; i < x.length; i++) if (x[i] > max) max = x[i];
  if (max > 0) for (let i = 0; i < x.length; i++) x[i] /= max;
}
