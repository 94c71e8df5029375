import type { AbstractGraph } from 'graphology-types';
import type { Backend, EntropyTable } from '../engines/backend.js';
import { referenceBackend } from '../engines/reference.js';
import { DeviceError, ParameterError } from '../errors.js';
import { edgeCount, nodeIndex, type Csr } from '../graph/csr.js';
import { fromGraphology, type EdgeWeightGetter } from '../graph/from-graphology.js';
import { quoted } from '../graph/weights.js';
import { sampleWithoutReplacement } from '../random.js';
import { shannonOfWeights } from '../stats/entropy.js';
import { scaledToUnitMax } from '../stats/scale.js';
import { empiricalCdf, summarize, type Summary } from '../stats/summary.js';
import { transitionMatrix, WALK_MODELS, type TransitionMatrix, type WalkModel } from '../walks/index.js';
import { samplingThresholds, walkerRandom } from '../walks/walkers.js';

export interface InitiatorEntropyOptions {
  /** Walk model (default 'simple'). */
  walk?: WalkModel;
  /** Lazy walk: stay put with probability 1/2 at each hop. */
  lazy?: boolean;
  /** Walk length L; statistics come for every hop 1..L (default 10). */
  hops?: number;
  /** How many terminals to sample uniformly, or 'all' for the exact expectation (default 100, or all when n ≤ 100). */
  terminals?: number | 'all';
  /** Explicit terminal node keys; overrides `terminals`. */
  terminalIds?: readonly string[];
  /** Seed of the terminal sample (default 1). */
  seed?: number;
  /** Prior over initiators, by node key; nodes not listed get 0. Uniform when absent. */
  prior?: ReadonlyMap<string, number>;
  /** Compute backend (default: the float64 cpu backend). The caller owns and disposes it. */
  backend?: Backend;
  /** For graphology input: how to read edge weights (default 'weight'). */
  getEdgeWeight?: EdgeWeightGetter;
  /** Keep every terminal's entropies in the result (default false). */
  perTerminal?: boolean;
  /** Hop at which to report the CDF of entropies (default: the last hop). */
  cdfHop?: number;
  /**
   * Several independent rounds (Pisces eq. 18): the same initiator walks `rounds` times and
   * the adversary sees every terminus; report the entropy after 1..rounds rounds.
   */
  rounds?: number;
  /** Initiators sampled for the rounds (default 100). */
  roundsSamples?: number;
  /** Also the guessing entropy (expected guesses; needs the float64 cpu backend). */
  guessing?: boolean;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** Statistics of Shannon entropies over terminals (or samples), in bits, with the mean min-entropy. */
export interface EntropyStatistics extends Omit<Summary, 'count'> {
  minEntropyMean: number;
}

function entropyStatistics(shannon: Summary, minEntropy: Summary): EntropyStatistics {
  const { mean, ci95, min, p05, median, max } = shannon;
  return { mean, ci95, min, p05, median, max, minEntropyMean: minEntropy.mean };
}

export interface HopStatistics extends EntropyStatistics {
  hop: number;
  /** Mean expected number of guesses (Massey's guessing entropy), with `guessing`. */
  guessingMean?: number;
  /**
   * The expectation weighted by where walks end: Σ_j S_j H_j / Σ_j S_j with S_j = Σ_i q_i
   * (P^t)_ij. Exact with every node a terminal; a ratio estimator over a uniform sample.
   */
  terminusWeightedMean: number;
  /** Terminals left out of the statistics at this hop: no walk of this length from an initiator of non-zero prior ends there. */
  unreachable: number;
  /**
   * With a prior: how many of the `unreachable` terminals some walk does reach, but only
   * from zero-prior initiators (so unreachable − zeroPriorOnly are reached by no walk at all).
   */
  zeroPriorOnly?: number;
}

export interface RoundStatistics extends EntropyStatistics {
  round: number;
}

export interface InitiatorEntropyResult {
  graph: { nodes: number; edges: number; directed: boolean; danglingNodes: number };
  walk: WalkModel;
  lazy: boolean;
  backend: string;
  /** Where a GPU backend ran ('browser', 'node') and on which adapter. */
  runtime?: string;
  adapter?: { vendor: string; architecture: string; device: string; description: string };
  precision: 'float64' | 'float32';
  terminals: number;
  terminalSelection: 'sample' | 'all' | 'ids';
  seed?: number;
  prior: 'uniform' | 'given';
  /** Entropy before any observation: log2 n under the uniform prior, H(q) otherwise. */
  optimal: number;
  hops: HopStatistics[];
  cdf: { hop: number; entropy: number[]; probability: number[] };
  /** With `rounds`: the entropy after r rounds of walks of the last hop's length, r = 1..rounds. */
  rounds?: { hop: number; samples: number; rows: RoundStatistics[] };
  perTerminal?: { id: string; shannon: number[]; minEntropy: number[] }[];
}

export const DEFAULT_HOPS = 10;
export const DEFAULT_TERMINALS = 100;

function isCsr(graph: AbstractGraph | Csr): graph is Csr {
  return (graph as Csr).rowPtr instanceof Uint32Array;
}

/**
 * Initiator anonymity of l-hop random walks (Pisces §3): for each terminal j, the entropy of
 * p_i ∝ q_i (P^t)_ij for t = 1..L, summarized over terminals hop by hop.
 */
export async function initiatorEntropy(
  graph: AbstractGraph | Csr,
  options: InitiatorEntropyOptions = {},
): Promise<InitiatorEntropyResult> {
  const csr = isCsr(graph) ? graph : fromGraphology(graph, { getEdgeWeight: options.getEdgeWeight }).csr;
  const walkModel = options.walk ?? 'simple';
  const hops = options.hops ?? DEFAULT_HOPS;
  const where = 'anonscope/initiatorEntropy';
  if (!WALK_MODELS.includes(walkModel)) {
    throw new ParameterError(`${where}: unknown walk "${walkModel}" (expected ${WALK_MODELS.join(' or ')})`);
  }
  if (!Number.isInteger(hops) || hops < 1) throw new ParameterError(`${where}: hops must be an integer >= 1, got ${hops}`);
  const cdfHop = options.cdfHop ?? hops;
  if (!Number.isInteger(cdfHop) || cdfHop < 1 || cdfHop > hops) {
    throw new ParameterError(`${where}: cdf hop must be an integer in 1..${hops}, got ${cdfHop}`);
  }

  const rounds = options.rounds;
  const roundsSamples = options.roundsSamples ?? 100;
  if (rounds !== undefined && (!Number.isInteger(rounds) || rounds < 1 || rounds > 256)) {
    throw new ParameterError(`${where}: rounds must be an integer in 1..256, got ${rounds}`);
  }
  if (!Number.isInteger(roundsSamples) || roundsSamples < 1) {
    throw new ParameterError(`${where}: rounds samples must be an integer >= 1, got ${roundsSamples}`);
  }

  const selection = chooseTerminals(csr, options, where);
  const prior = options.prior ? priorVector(csr, options.prior, where) : undefined;
  const walk = transitionMatrix(csr, walkModel, options.lazy ?? false);
  const backend = options.backend ?? referenceBackend();
  if (options.guessing && backend.info.name !== 'cpu') {
    throw new DeviceError(`${where}: guessing entropy sorts every posterior column and runs on the cpu backend only (this is ${backend.info.name}); pass --backend cpu`);
  }
  let table: EntropyTable;
  let roundRows: RoundStatistics[] | undefined;
  try {
    table = await backend.terminalEntropies({
      walk,
      terminals: selection.terminals,
      hops,
      prior,
      onProgress: options.onProgress,
      signal: options.signal,
      guessing: options.guessing,
    });
    if (rounds !== undefined) roundRows = await roundStatistics(backend, walk, hops, rounds, roundsSamples, options.seed ?? 1, prior);
  } finally {
    if (!options.backend) await backend.dispose();
  }

  const T = selection.terminals.length;
  const exact = T === csr.n;
  const hopRow = (values: Float64Array, hop: number) => values.subarray((hop - 1) * T, hop * T);
  const hopStatistics: HopStatistics[] = [];
  for (let hop = 1; hop <= hops; hop++) {
    const shannon = hopRow(table.shannon, hop);
    const s = summarize(shannon, exact);
    const m = summarize(hopRow(table.minEntropy, hop), exact);
    const reached = table.reached.subarray((hop - 1) * T, hop * T);
    hopStatistics.push({
      hop,
      ...entropyStatistics(s, m),
      ...(table.guessing ? { guessingMean: summarize(hopRow(table.guessing, hop), exact).mean } : {}),
      terminusWeightedMean: terminusWeightedMean(shannon, hopRow(table.log2Mass, hop)),
      unreachable: T - s.count,
      ...(prior ? { zeroPriorOnly: shannon.reduce((count, h, k) => count + (Number.isNaN(h) && reached[k] ? 1 : 0), 0) } : {}),
    });
  }

  const result: InitiatorEntropyResult = {
    graph: { nodes: csr.n, edges: edgeCount(csr), directed: csr.directed, danglingNodes: walk.danglingNodes },
    walk: walkModel,
    lazy: walk.lazy,
    backend: backend.info.name,
    runtime: backend.info.runtime,
    adapter: backend.info.adapter,
    precision: backend.info.precision,
    terminals: T,
    terminalSelection: selection.kind,
    seed: selection.kind === 'sample' ? selection.seed : undefined,
    prior: prior ? 'given' : 'uniform',
    optimal: prior ? shannonOfWeights(prior) : Math.log2(csr.n),
    hops: hopStatistics,
    cdf: { hop: cdfHop, ...renameCdf(empiricalCdf(hopRow(table.shannon, cdfHop))) },
  };
  if (roundRows) result.rounds = { hop: hops, samples: roundsSamples, rows: roundRows };
  if (options.perTerminal) {
    result.perTerminal = Array.from(selection.terminals, (node, k) => ({
      id: csr.nodeKeys[node],
      shannon: Array.from({ length: hops }, (_, t) => table.shannon[t * T + k]),
      minEntropy: Array.from({ length: hops }, (_, t) => table.minEntropy[t * T + k]),
    }));
  }
  return result;
}

/**
 * Entropy after 1..rounds rounds: initiators drawn from the prior (uniform without one),
 * each with `rounds` independent walks from the walkers (the same on every backend), and
 * the posterior products on the backend.
 */
async function roundStatistics(
  backend: Backend,
  walk: TransitionMatrix,
  hops: number,
  rounds: number,
  samples: number,
  seed: number,
  prior: Float64Array | undefined,
): Promise<RoundStatistics[]> {
  const initiators = new Uint32Array(samples);
  const cumulative = prior ? Float64Array.from(prior) : undefined;
  if (cumulative) for (let i = 1; i < cumulative.length; i++) cumulative[i] += cumulative[i - 1];
  for (let g = 0; g < samples; g++) {
    const u = walkerRandom(seed, g, 0) / 2 ** 32;
    if (!cumulative) initiators[g] = Math.floor(u * walk.n);
    else {
      const target = u * cumulative[cumulative.length - 1];
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (target < cumulative[mid]) hi = mid;
        else lo = mid + 1;
      }
      initiators[g] = lo;
    }
  }
  const starts = Uint32Array.from({ length: samples * rounds }, (_, k) => initiators[Math.floor(k / rounds)]);
  const records = await backend.runWalkers({
    walk,
    thresholds: samplingThresholds(walk),
    compromised: new Uint8Array(walk.n),
    starts,
    hops,
    recordHop: 0,
    seed,
  });
  const table = await backend.roundEntropies({ walk, hops, rounds, termini: records.terminus, prior });
  return Array.from({ length: rounds }, (_, r) => {
    const pick = (values: Float64Array) => Float64Array.from({ length: samples }, (_, g) => values[g * rounds + r]);
    return { round: r + 1, ...entropyStatistics(summarize(pick(table.shannon), false), summarize(pick(table.minEntropy), false)) };
  });
}

/**
 * Σ_j S_j H_j / Σ_j S_j from log2 S_j: the masses shifted by their largest log first, so that
 * masses far below float64's range (long directed walks) still weigh in.
 */
function terminusWeightedMean(shannon: Float64Array, log2Mass: Float64Array): number {
  let top = -Infinity;
  for (let k = 0; k < shannon.length; k++) if (!Number.isNaN(shannon[k])) top = Math.max(top, log2Mass[k]);
  let sum = 0;
  let weight = 0;
  for (let k = 0; k < shannon.length; k++) {
    if (Number.isNaN(shannon[k])) continue;
    const w = 2 ** (log2Mass[k] - top);
    sum += w * shannon[k];
    weight += w;
  }
  return weight > 0 ? sum / weight : NaN;
}

function renameCdf(cdf: { value: number[]; probability: number[] }) {
  return { entropy: cdf.value, probability: cdf.probability };
}

function chooseTerminals(
  csr: Csr,
  options: InitiatorEntropyOptions,
  where: string,
): { kind: 'sample' | 'all' | 'ids'; terminals: Uint32Array; seed?: number } {
  if (options.terminalIds) {
    if (options.terminalIds.length === 0) throw new ParameterError(`${where}: the list of terminal ids is empty`);
    const index = nodeIndex(csr);
    const terminals = Uint32Array.from(options.terminalIds, (id) => {
      const i = index.get(String(id));
      if (i === undefined) throw new ParameterError(`${where}: unknown terminal id "${id}" (not a node of the graph)`);
      return i;
    });
    return { kind: 'ids', terminals };
  }
  const requested = options.terminals ?? (csr.n <= DEFAULT_TERMINALS ? 'all' : DEFAULT_TERMINALS);
  if (requested === 'all') return { kind: 'all', terminals: Uint32Array.from({ length: csr.n }, (_, i) => i) };
  if (!Number.isInteger(requested) || requested < 1 || requested > csr.n) {
    throw new ParameterError(`${where}: terminals must be 'all' or an integer in 1..${csr.n} (the node count), got ${requested}`);
  }
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0) throw new ParameterError(`${where}: seed must be a non-negative integer, got ${seed}`);
  return { kind: 'sample', terminals: sampleWithoutReplacement(csr.n, requested, seed), seed };
}

function priorVector(csr: Csr, prior: ReadonlyMap<string, number>, where: string): Float64Array {
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

export interface AssignOptions extends InitiatorEntropyOptions {
  /** Node attribute to write (default 'initiatorEntropy'). */
  attribute?: string;
  /** Hop whose entropy is written (default: the last hop). */
  hop?: number;
}

/**
 * graphology's `.assign` convention: run the analysis (every node a terminal unless told
 * otherwise) and write each terminus node's Shannon entropy at the chosen hop as an attribute.
 */
initiatorEntropy.assign = async function assign(graph: AbstractGraph, options: AssignOptions = {}): Promise<void> {
  const result = await initiatorEntropy(graph, {
    terminals: 'all',
    ...options,
    perTerminal: true,
  });
  const hop = options.hop ?? result.hops.length;
  if (!Number.isInteger(hop) || hop < 1 || hop > result.hops.length) {
    throw new ParameterError(`anonscope/initiatorEntropy.assign: hop must be in 1..${result.hops.length}, got ${hop}`);
  }
  const attribute = options.attribute ?? 'initiatorEntropy';
  for (const terminal of result.perTerminal!) graph.setNodeAttribute(terminal.id, attribute, terminal.shannon[hop - 1]);
};
