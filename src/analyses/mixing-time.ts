import type { AbstractGraph } from 'graphology-types';
import type { Backend, MixingTable } from '../engines/backend.js';
import { referenceBackend } from '../engines/reference.js';
import { ParameterError } from '../errors.js';
import { chooseNodes } from '../graph/choose-nodes.js';
import { edgeCount, isCsr, type Csr } from '../graph/csr.js';
import { fromGraphology, type EdgeWeightGetter } from '../graph/from-graphology.js';
import { quantileSorted } from '../stats/summary.js';
import { transitionMatrix, WALK_MODELS, type WalkModel } from '../walks/index.js';
import { pushMatrix } from '../walks/push.js';
import { stationaryLaw, type StationaryLaw } from '../walks/stationary.js';
import { reversibleSpectrum, spectralBounds, type Spectrum } from './mixing-time-spectrum.js';

export interface MixingTimeOptions {
  /** Walk model (default 'simple'). */
  walk?: WalkModel;
  /** Lazy walk: stay put with probability 1/2 at each hop (aperiodic: a bipartite graph mixes). */
  lazy?: boolean;
  /** Longest walk L; the TV distance comes for every hop 1..L (default 50). */
  hops?: number;
  /** How many sources to sample uniformly, or 'all' (default 100, or all when n ≤ 100). */
  sources?: number | 'all';
  /** Explicit source node keys; overrides `sources`. */
  sourceIds?: readonly string[];
  /** Seed of the source sample and of Lanczos' start vector (default 1). */
  seed?: number;
  /** τ(ε) is the first hop with TV ≤ ε (default 1/4), in (0, 1). */
  epsilon?: number;
  /** The spectral view of a reversible walk (Lanczos; default true). */
  spectrum?: boolean;
  /** Keep every source's TV at every hop in the result (default false). */
  perSource?: boolean;
  /** Compute backend (default: the float64 cpu backend). The caller owns and disposes it. */
  backend?: Backend;
  /** For graphology input: how to read edge weights (default 'weight'). */
  getEdgeWeight?: EdgeWeightGetter;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** TV distances over the sources at one hop. */
export interface MixingHop {
  hop: number;
  tvMean: number;
  tvMedian: number;
  tvMax: number;
  tvMin: number;
  tvP05: number;
  tvP95: number;
}

export interface MixingTimeResult {
  graph: { nodes: number; edges: number; directed: boolean; danglingNodes: number; components: number };
  walk: WalkModel;
  lazy: boolean;
  /** π_i P_ij = π_j P_ji (walks on undirected graphs): only then do the spectral numbers apply. */
  reversible: boolean;
  /** How π was found (see StationaryLaw), and the power iterations for a directed walk. */
  stationary: { law: StationaryLaw['method']; iterations?: number };
  backend: string;
  runtime?: string;
  adapter?: { vendor: string; architecture: string; device: string; description: string };
  precision: 'float64' | 'float32';
  /** Second largest eigenvalue modulus of P, λ₂ and λ_min (the eigenvalue 1 of every component set aside); null for non-reversible walks. */
  slem: number | null;
  lambda2: number | null;
  lambdaMin: number | null;
  /** How Lanczos ended: residual bounds of λ₂ and λ_min, restarts, basis size. */
  spectrum: { converged: boolean; residual: [number, number]; restarts: number; basis: number } | null;
  sources: number;
  sourceSelection: 'sample' | 'all' | 'ids';
  seed?: number;
  hops: MixingHop[];
  mixingTime: {
    epsilon: number;
    /** Over the sources that mix within L hops. */
    mean: number | null;
    /** Over every source, an unmixed one counting as more than L: null when the median is unmixed. */
    median: number | null;
    /** null when some source is not mixed within L hops. */
    max: number | null;
    /** Sources whose TV stays above ε through hop L. */
    notMixed: number;
    /** From the SLEM (reversible walks): every source's τ(ε) ≤ upper; some start needs ≥ lower; null where λ* = 1 or not reversible. */
    bound: { relaxationTime: number; upper: number; lower: number } | null;
    /** τ(ε) per source: the first t in 0..L with TV ≤ ε (t = 0: 1 − π_s ≤ ε), null if none. */
    perSource: { id: string; tau: number | null }[];
  };
  /** With `perSource`: each source's TV at hops 1..L. */
  perSource?: { id: string; tv: number[] }[];
  notes: string[];
}

export const DEFAULT_MIXING_HOPS = 50;
export const DEFAULT_SOURCES = 100;

/** Every option's default, read by resolveOptions only. */
const DEFAULTS = { walk: 'simple', lazy: false, hops: DEFAULT_MIXING_HOPS, seed: 1, epsilon: 0.25, spectrum: true, perSource: false } as const;
const WHERE = 'anonscope/mixingTime';

type SourceSelection = { kind: 'sample' | 'all' | 'ids'; sources: Uint32Array; seed?: number };

interface ResolvedOptions {
  walk: WalkModel;
  lazy: boolean;
  hops: number;
  seed: number;
  epsilon: number;
  spectrum: boolean;
  perSource: boolean;
  selection: SourceSelection;
}

/**
 * How fast a walk forgets where it started: for K sources s, the total-variation distance
 * ‖P^t(s, ·) − π‖_TV after t = 1..L hops (each source against the law of its own component),
 * summarized over the sources hop by hop, τ(ε) per source, and for reversible walks the
 * spectral view (λ₂, λ_min, SLEM) with the bounds it gives.
 */
export async function mixingTime(graph: AbstractGraph | Csr, options: MixingTimeOptions = {}): Promise<MixingTimeResult> {
  const csr = isCsr(graph) ? graph : fromGraphology(graph, { getEdgeWeight: options.getEdgeWeight }).csr;
  const o = resolveOptions(csr, options);
  const walk = transitionMatrix(csr, o.walk, o.lazy);
  const law = stationaryLaw(csr, walk);
  const backend = options.backend ?? referenceBackend();
  let table: MixingTable;
  try {
    table = await backend.mixingDistances({
      push: pushMatrix(walk),
      sources: o.selection.sources,
      hops: o.hops,
      stationary: law.pi,
      onProgress: options.onProgress,
      signal: options.signal,
    });
  } finally {
    // A backend the caller passed is the caller's to dispose.
    if (!options.backend) await backend.dispose();
  }
  const spectrum = law.reversible && o.spectrum ? reversibleSpectrum(walk, law.pi, law.components, { seed: o.seed }) : null;
  const ids = Array.from(o.selection.sources, (s) => csr.nodeKeys[s]);
  const taus = Array.from(o.selection.sources, (s, k) => firstMixedHop(table, k, 1 - law.pi[s], o.epsilon));
  let piMin = Infinity;
  for (const p of law.pi) piMin = Math.min(piMin, p);
  const info = backend.info;
  return {
    graph: { nodes: csr.n, edges: edgeCount(csr), directed: csr.directed, danglingNodes: walk.danglingNodes, components: law.components.sizes.length },
    walk: o.walk,
    lazy: o.lazy,
    reversible: law.reversible,
    stationary: law.method === 'power' ? { law: law.method, iterations: law.iterations } : { law: law.method },
    backend: info.name,
    runtime: info.runtime,
    adapter: info.adapter,
    precision: info.precision,
    slem: spectrum?.slem ?? null,
    lambda2: spectrum?.lambda2 ?? null,
    lambdaMin: spectrum?.lambdaMin ?? null,
    spectrum: spectrum && { ...spectrum.lanczos },
    sources: ids.length,
    sourceSelection: o.selection.kind,
    ...(o.selection.kind === 'sample' ? { seed: o.selection.seed } : {}),
    hops: hopStatistics(table),
    mixingTime: {
      epsilon: o.epsilon,
      ...tauSummary(taus),
      bound: spectrum ? spectralBounds(spectrum.slem, piMin, o.epsilon) : null,
      perSource: ids.map((id, k) => ({ id, tau: taus[k] })),
    },
    ...(o.perSource ? { perSource: ids.map((id, k) => ({ id, tv: Array.from({ length: o.hops }, (_, t) => table.tv[t * table.sources + k]) })) } : {}),
    notes: mixingNotes(csr, law, spectrum, o),
  };
}

/** τ(ε) of source k: the first t in 0..L with TV ≤ ε (TV is non-increasing in t), null if none. */
function firstMixedHop(table: MixingTable, k: number, startDistance: number, epsilon: number): number | null {
  if (startDistance <= epsilon) return 0;
  for (let t = 1; t <= table.hops; t++) if (table.tv[(t - 1) * table.sources + k] <= epsilon) return t;
  return null;
}

function tauSummary(taus: (number | null)[]): { mean: number | null; median: number | null; max: number | null; notMixed: number } {
  const mixed = taus.filter((t): t is number => t !== null).sort((a, b) => a - b);
  const notMixed = taus.length - mixed.length;
  // Unmixed sources sort last, so the median is a mixed one's exactly when it falls among them.
  const middle = (taus.length - 1) / 2;
  const median = Math.ceil(middle) < mixed.length ? (mixed[Math.floor(middle)] + mixed[Math.ceil(middle)]) / 2 : null;
  return {
    mean: mixed.length ? mixed.reduce((a, b) => a + b, 0) / mixed.length : null,
    median,
    max: notMixed === 0 && mixed.length ? mixed[mixed.length - 1] : null,
    notMixed,
  };
}

function hopStatistics(table: MixingTable): MixingHop[] {
  const K = table.sources;
  return Array.from({ length: table.hops }, (_, t) => {
    const row = Float64Array.from(table.tv.subarray(t * K, (t + 1) * K)).sort();
    return {
      hop: t + 1,
      tvMean: row.reduce((a, b) => a + b, 0) / K,
      tvMedian: quantileSorted(row, 0.5),
      tvMax: row[K - 1],
      tvMin: row[0],
      tvP05: quantileSorted(row, 0.05),
      tvP95: quantileSorted(row, 0.95),
    };
  });
}

/** What a reader must know to read the numbers. */
function mixingNotes(csr: Csr, law: StationaryLaw, spectrum: Spectrum | null, o: ResolvedOptions): string[] {
  const notes: string[] = [];
  if (!law.reversible) {
    notes.push(`the walk on a directed graph is not reversible: the SLEM bound does not apply, so only the sampled TV distances are reported (π by ${law.iterations} power iterations of the lazy walk)`);
  }
  const components = law.components.sizes.length;
  if (components > 1) {
    notes.push(`${components} components: each source is measured against the stationary law of its own component${spectrum ? '; λ₂ and λ_min are the extremes over every component, the eigenvalue 1 of each set aside' : ''}`);
  }
  if (spectrum && spectrum.slem >= 1 - 1e-9) {
    notes.push(`SLEM = 1${spectrum.lambdaMin <= -1 + 1e-9 ? ' (λ_min = −1: a bipartite component makes the walk periodic)' : ''}: the walk never mixes from some start${o.lazy ? '' : '; a lazy walk (--lazy) is aperiodic'}`);
  }
  if (spectrum && !spectrum.lanczos.converged) {
    notes.push(`Lanczos did not converge after ${spectrum.lanczos.restarts} restarts: λ₂ and λ_min are within residuals ${spectrum.lanczos.residual.map((r) => r.toExponential(1)).join(' and ')} of eigenvalues, but maybe not the extreme ones`);
  }
  if (csr.n > 0 && o.selection.kind === 'sample') {
    notes.push(`${o.selection.sources.length} of ${csr.n} nodes sampled as sources (seed ${o.seed})`);
  }
  return notes;
}

function resolveOptions(csr: Csr, options: MixingTimeOptions): ResolvedOptions {
  const walk = options.walk ?? DEFAULTS.walk;
  if (!WALK_MODELS.includes(walk)) throw new ParameterError(`${WHERE}: unknown walk "${walk}" (expected ${WALK_MODELS.join(' or ')})`);
  const hops = options.hops ?? DEFAULTS.hops;
  if (!Number.isInteger(hops) || hops < 1) throw new ParameterError(`${WHERE}: hops must be an integer >= 1, got ${hops}`);
  const epsilon = options.epsilon ?? DEFAULTS.epsilon;
  if (!(epsilon > 0 && epsilon < 1)) throw new ParameterError(`${WHERE}: epsilon must be in (0, 1), got ${epsilon}`);
  const seed = options.seed ?? DEFAULTS.seed;
  if (!Number.isInteger(seed) || seed < 0) throw new ParameterError(`${WHERE}: seed must be a non-negative integer, got ${seed}`);
  if (csr.n === 0) throw new ParameterError(`${WHERE}: the graph has no nodes`);
  return {
    walk,
    lazy: options.lazy ?? DEFAULTS.lazy,
    hops,
    seed,
    epsilon,
    spectrum: options.spectrum ?? DEFAULTS.spectrum,
    perSource: options.perSource ?? DEFAULTS.perSource,
    selection: chooseSources(csr, options.sourceIds, options.sources, seed),
  };
}

function chooseSources(csr: Csr, sourceIds: readonly string[] | undefined, sources: number | 'all' | undefined, seed: number): SourceSelection {
  const { nodes, ...how } = chooseNodes(csr, { ids: sourceIds, count: sources, defaultCount: DEFAULT_SOURCES, seed, what: 'source', where: WHERE });
  return { ...how, sources: nodes };
}
