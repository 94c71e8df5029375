import type { AbstractGraph } from 'graphology-types';
import type { Backend, BackendInfo } from '../engines/backend.js';
import { referenceBackend } from '../engines/reference.js';
import { ParameterError } from '../errors.js';
import { Checksum, csrChecksum } from '../graph/checksum.js';
import { chooseNodes } from '../graph/choose-nodes.js';
import { edgeCount, isCsr, type Csr } from '../graph/csr.js';
import { fromGraphology, type EdgeWeightGetter } from '../graph/from-graphology.js';
import { quantileSorted } from '../stats/summary.js';
import { transitionMatrix, WALK_MODELS, type TransitionMatrix, type WalkModel } from '../walks/index.js';
import { pushMatrix } from '../walks/push.js';
import { stationaryLaw, type StationaryLaw } from '../walks/stationary.js';
import { reversibleSpectrum, spectralBounds, type Spectrum } from './mixing-time-spectrum.js';

export type { Spectrum };
import { checkShardSpec, joinColumns, shardRange, shardsOfOneJob, type ShardSpec } from './shards.js';

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
const MERGE = 'anonscope/mergeMixingTimeShards';

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

/** The graph as a CSR, the options resolved against it, the walk and its stationary law. */
interface PreparedMixing {
  csr: Csr;
  o: ResolvedOptions;
  walk: TransitionMatrix;
  law: StationaryLaw;
}

/**
 * Everything of a result that does not depend on the sources' distances or on the spectrum,
 * and what ties it to its inputs: equal jobs give shards that merge.
 */
export interface MixingTimeJob {
  graph: MixingTimeResult['graph'];
  walk: WalkModel;
  lazy: boolean;
  reversible: boolean;
  stationary: MixingTimeResult['stationary'];
  backend: BackendInfo;
  sources: number;
  sourceSelection: 'sample' | 'all' | 'ids';
  /** The resolved seed (of a sample and of Lanczos). */
  seed: number;
  hops: number;
  epsilon: number;
  /** The smallest π_i, for the spectral bound. */
  piMin: number;
  /** Whether the spectral view is computed (a reversible walk, spectrum asked): by shard 0 of a sharded job. */
  spectrum: boolean;
  perSource: boolean;
  /** Of the graph (csrChecksum), of the source list in order. */
  checksums: { graph: string; sources: string };
}

/**
 * Sources first .. first + ids.length − 1 of a job: their ids, TV at hops 1..L (source-major,
 * k · L + t − 1) and distance at hop 0 (1 − π_s).
 */
export interface SourceRows {
  ids: string[];
  tv: Float64Array;
  startDistance: Float64Array;
}

/** Shard `shard` of the job the other options define: its slice of the sources (see shardRange). */
export interface MixingTimeShardOptions extends MixingTimeOptions {
  shard: ShardSpec;
}

/** Shard `shard` of a job: its sources' rows; shard 0 also holds the spectrum (null where there is none). */
export interface MixingTimeShard {
  job: MixingTimeJob;
  shard: ShardSpec;
  first: number;
  rows: SourceRows;
  spectrum?: Spectrum | null;
}

/**
 * How fast a walk forgets where it started: for K sources s, the total-variation distance
 * ‖P^t(s, ·) − π‖_TV after t = 1..L hops (each source against the law of its own component),
 * summarized over the sources hop by hop, τ(ε) per source, and for reversible walks the
 * spectral view (λ₂, λ_min, SLEM) with the bounds it gives.
 */
export async function mixingTime(graph: AbstractGraph | Csr, options: MixingTimeOptions = {}): Promise<MixingTimeResult> {
  const run = prepareMixing(graph, options);
  return onBackend(options, async (backend) => {
    const rows = await sourceRows(run, backend, [0, run.o.selection.sources.length], options);
    return mixingResult(mixingJob(run, backend), rows, spectrumOf(run));
  });
}

/**
 * Shard `options.shard` of the job: the TV rows of its slice of the sources. The spectrum
 * is one computation over the whole graph: shard 0 computes it, the others do not.
 */
export async function mixingTimeShard(graph: AbstractGraph | Csr, options: MixingTimeShardOptions): Promise<MixingTimeShard> {
  checkShardSpec(options.shard, WHERE);
  const run = prepareMixing(graph, options);
  const range = shardRange(run.o.selection.sources.length, options.shard);
  return onBackend(options, async (backend) => {
    const { index, count } = options.shard;
    const shard: MixingTimeShard = { job: mixingJob(run, backend), shard: { index, count }, first: range[0], rows: await sourceRows(run, backend, range, options) };
    if (index === 0) shard.spectrum = spectrumOf(run);
    return shard;
  });
}

/**
 * The result of the job the shards are slices of: the object mixingTime returns for it, from
 * the shards alone (the spectrum from shard 0). Refuses shards of different jobs, a shard
 * missing or repeated.
 */
export function mergeMixingTimeShards(shards: readonly MixingTimeShard[], sources?: readonly string[]): MixingTimeResult {
  const label = (i: number) => sources?.[i] ?? `shard #${i} (index ${shards[i].shard.index})`;
  if (shards.length === 0) throw new ParameterError(`${MERGE}: no shards to merge`);
  const { job } = shards[0];
  const ordered = shardsOfOneJob(shards, (s) => ({ job: s.job, shard: s.shard, first: s.first, count: s.rows.ids.length }), job.sources, label, MERGE);
  const rows: SourceRows = {
    ids: ordered.flatMap((s) => s.rows.ids),
    tv: joinColumns(ordered.map((s) => s.rows.tv)),
    startDistance: joinColumns(ordered.map((s) => s.rows.startDistance)),
  };
  const spectrum = ordered[0].spectrum;
  if (spectrum === undefined) throw new ParameterError(`${MERGE}: ${label(shards.indexOf(ordered[0]))} is shard 0 but holds no spectrum (shard 0 computes it)`);
  return mixingResult(job, rows, spectrum);
}

/** The graph as a CSR, the options checked, the walk and its stationary law. */
function prepareMixing(graph: AbstractGraph | Csr, options: MixingTimeOptions): PreparedMixing {
  const csr = isCsr(graph) ? graph : fromGraphology(graph, { getEdgeWeight: options.getEdgeWeight }).csr;
  const o = resolveOptions(csr, options);
  const walk = transitionMatrix(csr, o.walk, o.lazy);
  return { csr, o, walk, law: stationaryLaw(csr, walk) };
}

/** Run `work` on the caller's backend, or on the float64 reference, disposed however it ends. */
async function onBackend<R>(options: MixingTimeOptions, work: (backend: Backend) => Promise<R>): Promise<R> {
  const backend = options.backend ?? referenceBackend();
  try {
    return await work(backend);
  } finally {
    // A backend the caller passed is the caller's to dispose.
    if (!options.backend) await backend.dispose();
  }
}

/** The backend's work: the TV rows of sources [from, to) of the list. */
async function sourceRows({ csr, o, walk, law }: PreparedMixing, backend: Backend, [from, to]: [number, number], options: MixingTimeOptions): Promise<SourceRows> {
  const sources = o.selection.sources.subarray(from, to);
  const K = sources.length;
  const H = o.hops;
  const tv = new Float64Array(K * H);
  if (K > 0) {
    const table = await backend.mixingDistances({ push: pushMatrix(walk), sources, hops: H, stationary: law.pi, onProgress: options.onProgress, signal: options.signal });
    for (let k = 0; k < K; k++) for (let t = 0; t < H; t++) tv[k * H + t] = table.tv[t * K + k];
  }
  return { ids: Array.from(sources, (s) => csr.nodeKeys[s]), tv, startDistance: Float64Array.from(sources, (s) => 1 - law.pi[s]) };
}

function spectrumOf({ walk, law, o }: PreparedMixing): Spectrum | null {
  return law.reversible && o.spectrum ? reversibleSpectrum(walk, law.pi, law.components, { seed: o.seed }) : null;
}

function mixingJob({ csr, o, walk, law }: PreparedMixing, backend: Backend): MixingTimeJob {
  let piMin = Infinity;
  for (const p of law.pi) piMin = Math.min(piMin, p);
  return {
    graph: { nodes: csr.n, edges: edgeCount(csr), directed: csr.directed, danglingNodes: walk.danglingNodes, components: law.components.sizes.length },
    walk: o.walk,
    lazy: o.lazy,
    reversible: law.reversible,
    stationary: law.method === 'power' ? { law: law.method, iterations: law.iterations } : { law: law.method },
    backend: { ...backend.info },
    sources: o.selection.sources.length,
    sourceSelection: o.selection.kind,
    seed: o.seed,
    hops: o.hops,
    epsilon: o.epsilon,
    piMin,
    spectrum: law.reversible && o.spectrum,
    perSource: o.perSource,
    checksums: { graph: csrChecksum(csr), sources: new Checksum().words(o.selection.sources).hex() },
  };
}

/** The result: the sources' rows summarized hop by hop and source by source, with the spectrum. */
function mixingResult(job: MixingTimeJob, rows: SourceRows, spectrum: Spectrum | null): MixingTimeResult {
  const H = job.hops;
  const { ids, tv } = rows;
  const taus = ids.map((_, k) => firstMixedHop(tv.subarray(k * H, (k + 1) * H), rows.startDistance[k], job.epsilon));
  const info = job.backend;
  return {
    graph: { ...job.graph },
    walk: job.walk,
    lazy: job.lazy,
    reversible: job.reversible,
    stationary: { ...job.stationary },
    backend: info.name,
    runtime: info.runtime,
    adapter: info.adapter,
    precision: info.precision,
    slem: spectrum?.slem ?? null,
    lambda2: spectrum?.lambda2 ?? null,
    lambdaMin: spectrum?.lambdaMin ?? null,
    spectrum: spectrum && { ...spectrum.lanczos },
    sources: ids.length,
    sourceSelection: job.sourceSelection,
    ...(job.sourceSelection === 'sample' ? { seed: job.seed } : {}),
    hops: hopStatistics(tv, ids.length, H),
    mixingTime: {
      epsilon: job.epsilon,
      ...tauSummary(taus),
      bound: spectrum ? spectralBounds(spectrum.slem, job.piMin, job.epsilon) : null,
      perSource: ids.map((id, k) => ({ id, tau: taus[k] })),
    },
    ...(job.perSource ? { perSource: ids.map((id, k) => ({ id, tv: Array.from(tv.subarray(k * H, (k + 1) * H)) })) } : {}),
    notes: mixingNotes(job, spectrum),
  };
}

/** τ(ε) of a source from its TV at hops 1..L: the first t in 0..L with TV ≤ ε (TV is non-increasing in t), null if none. */
function firstMixedHop(tv: Float64Array, startDistance: number, epsilon: number): number | null {
  if (startDistance <= epsilon) return 0;
  for (let t = 1; t <= tv.length; t++) if (tv[t - 1] <= epsilon) return t;
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

/** Statistics over the K sources at each hop, of source-major TV rows. */
function hopStatistics(tv: Float64Array, K: number, H: number): MixingHop[] {
  return Array.from({ length: H }, (_, t) => {
    const row = Float64Array.from({ length: K }, (_, k) => tv[k * H + t]).sort();
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
function mixingNotes(job: MixingTimeJob, spectrum: Spectrum | null): string[] {
  const notes: string[] = [];
  if (!job.reversible) {
    notes.push(`the walk on a directed graph is not reversible: the SLEM bound does not apply, so only the sampled TV distances are reported (π by ${job.stationary.iterations} power iterations of the lazy walk)`);
  }
  const { components } = job.graph;
  if (components > 1) {
    notes.push(`${components} components: each source is measured against the stationary law of its own component${spectrum ? '; λ₂ and λ_min are the extremes over every component, the eigenvalue 1 of each set aside' : ''}`);
  }
  if (spectrum && spectrum.slem >= 1 - 1e-9) {
    notes.push(`SLEM = 1${spectrum.lambdaMin <= -1 + 1e-9 ? ' (λ_min = −1: a bipartite component makes the walk periodic)' : ''}: the walk never mixes from some start${job.lazy ? '' : '; a lazy walk (--lazy) is aperiodic'}`);
  }
  if (spectrum && !spectrum.lanczos.converged) {
    notes.push(`Lanczos did not converge after ${spectrum.lanczos.restarts} restarts: λ₂ and λ_min are within residuals ${spectrum.lanczos.residual.map((r) => r.toExponential(1)).join(' and ')} of eigenvalues, but maybe not the extreme ones`);
  }
  if (job.graph.nodes > 0 && job.sourceSelection === 'sample') {
    notes.push(`${job.sources} of ${job.graph.nodes} nodes sampled as sources (seed ${job.seed})`);
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
