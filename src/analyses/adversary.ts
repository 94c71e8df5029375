import type { AbstractGraph } from 'graphology-types';
import type { Backend, BackendInfo } from '../engines/backend.js';
import { referenceBackend } from '../engines/reference.js';
import { ParameterError } from '../errors.js';
import { Checksum, csrChecksum } from '../graph/checksum.js';
import { CsrBuilder } from '../graph/csr-builder.js';
import { edgeCount, isCsr, nodeIndex, type Csr } from '../graph/csr.js';
import { fromGraphology, type EdgeWeightGetter } from '../graph/from-graphology.js';
import { Pcg32 } from '../random.js';
import { summarize } from '../stats/summary.js';
import { transitionMatrix, WALK_MODELS, type TransitionMatrix, type WalkModel } from '../walks/index.js';
import { samplingThresholds, walkerStarts, type WalkerRecords } from '../walks/walkers.js';
import { checkShardSpec, shardRange, shardsOfOneJob, type ShardSpec } from './shards.js';

/**
 * The insider adversary of Pisces (§5): a Sybil region behind g attack edges (or a given
 * set of compromised nodes) sees the first compromised hop of a walk and its last hop.
 *
 * - M_i: the first compromised node is at hop i and the last hop is compromised. P(M_i)
 *   comes from Monte-Carlo walkers started at uniformly chosen honest nodes.
 * - H(I|M_i): the adversary sees A, the honest node just before hop i, and knows the walk
 *   stayed honest until then, so P(I = x | A) ∝ (P_HH^(i-1))_xA with P_HH the walk
 *   restricted to honest nodes (no renormalization: it conditions on staying honest). The
 *   same batched pull step computes it, terminals = the A seen by sampled walkers.
 * - H(I|O) = Σ_i P(M_i) H(I|M_i) + (1 - Σ_i P(M_i)) log2 n_honest.
 *
 * Two-hop optimisation (Pisces eq. 17), as computed here: the circuit uses only the k-th
 * and the last hop of the walk. Both compromised: the first relay sees the initiator
 * (0 bits). Only the last compromised: the adversary sees the first relay A = X_k, and
 * P(I = x | X_k = A) ∝ (P^k)_xA over honest x. Otherwise nothing is linked: log2 n.
 */

export const SYBIL_REGION_SHAPES = ['random', 'clique'] as const;
export type SybilRegionShape = (typeof SYBIL_REGION_SHAPES)[number];

export interface AdversaryOptions {
  /** Attack-edge counts g to evaluate (default [0, 10, 100, 1000]). Ignored with `compromised`. */
  attackEdges?: readonly number[];
  /** Sybils per attack edge (Pisces: 10). */
  sybilsPerEdge?: number;
  /** Topology of the Sybil region: random (each Sybil joined to `sybilDegree` random Sybils) or a clique. */
  sybilRegion?: SybilRegionShape;
  sybilDegree?: number;
  /** Compromised honest nodes by key, instead of a Sybil region. */
  compromised?: readonly string[];
  walk?: WalkModel;
  /** Walk length L (default 10). */
  hops?: number;
  /** Monte-Carlo walkers per row (default 100,000). */
  walkers?: number;
  /** Walkers per hop whose predecessor's posterior is computed, for H(I|M_i) (default 200). */
  posteriorSamples?: number;
  /** Two-hop optimisation: evaluate H(I|O) for these k (1 ≤ k < hops). */
  twoHop?: readonly number[];
  seed?: number;
  backend?: Backend;
  getEdgeWeight?: EdgeWeightGetter;
  /** Take finished rows from a checkpoint and report each row as it finishes. */
  checkpoint?: AdversaryCheckpoint;
  onProgress?: (done: number, total: number) => void;
}

/** Shard `shard` of the job the other options define: its slice of every row's walkers (see shardRange). */
export interface AdversaryShardOptions extends AdversaryOptions {
  shard: ShardSpec;
}

/** A checkpointed run: rows are its batches. */
export interface AdversaryCheckpoint {
  /** Called once the job is known, before any row runs: the rows already finished, by row index. */
  start?(job: AdversaryJob): Promise<ReadonlyMap<number, WalkerTally>> | ReadonlyMap<number, WalkerTally>;
  /** Called (and awaited) after each row the run computes. */
  onRow(row: number, tally: WalkerTally): Promise<void> | void;
}

/** Everything that defines an adversary job: equal jobs give equal rows, so their shards merge. */
export interface AdversaryJob {
  graph: { nodes: number; edges: number; directed: boolean; checksum: string };
  walk: WalkModel;
  hops: number;
  walkers: number;
  posteriorSamples: number;
  twoHop: number[];
  seed: number;
  sybils: { perEdge: number; region: SybilRegionShape; degree: number };
  /** Checksum of the given compromised node ids, in order. */
  compromisedNodes?: string;
  optimal: number;
  backend: BackendInfo;
  /** Each row's g; [null] for a given compromised set. */
  attackEdges: (number | null)[];
}

/**
 * What a slice of one row's walkers saw, all a row needs: how many walkers, how many saw
 * M_i at each hop i (index 0 unused), H(I | A) of the first `posteriorSamples` predecessors
 * per hop, and per two-hop k the same for X_k.
 */
export interface WalkerTally {
  /** The row's graph: its nodes, the compromised and the honest ones among them. */
  graph: { nodes: number; compromised: number; honest: number };
  walkers: number;
  counts: number[];
  samples: number[][];
  twoHop: TwoHopTally[];
}

export interface TwoHopTally {
  /** Walkers with X_k and X_L compromised; with X_L only. */
  both: number;
  lastOnly: number;
  /** H(I | X_k = A) of the first sampled honest relays A. */
  samples: number[];
}

/** Shard `shard` of a job: every row's tally over walkers first .. first + count - 1. */
export interface AdversaryShard {
  job: AdversaryJob;
  shard: ShardSpec;
  first: number;
  count: number;
  tallies: WalkerTally[];
}

export interface AdversaryRow {
  /** g, or null for a given compromised set. */
  attackEdges: number | null;
  sybils: number;
  compromised: number;
  /** H(I|O) in bits, and an approximate 95% CI (delta method over the Monte-Carlo estimates). */
  HIO: number;
  ci95: [number, number];
  /** P(M_i) for i = 1..L, and the 95% CI half-width of each. */
  pM: number[];
  pMHalfWidth: number[];
  /** H(I|M_i) for i = 1..L (null where no walker saw M_i). */
  HIM: (number | null)[];
  /** P(no M_i): the walk's last hop is honest, or it never met the adversary. */
  pNone: number;
  /** Two-hop optimisation, one entry per k asked for. */
  twoHop?: TwoHopRow[];
}

export interface TwoHopRow {
  k: number;
  HIO: number;
  ci95: [number, number];
  /** P(X_k and X_L compromised): the initiator is exposed. */
  pBoth: number;
  /** P(X_k honest, X_L compromised): the adversary sees the first relay. */
  pLastOnly: number;
  /** E[H(I | X_k = A)] over what the adversary sees (null where it never does). */
  HIA: number | null;
}

export interface AdversaryResult {
  graph: { nodes: number; edges: number; directed: boolean };
  walk: WalkModel;
  hops: number;
  walkers: number;
  seed: number;
  backend: string;
  /** log2 of the number of honest nodes: H(I|O) with no adversary. */
  optimal: number;
  rows: AdversaryRow[];
}

/**
 * The honest graph plus a Sybil region of `sybils` nodes joined to it by `g` attack edges
 * at random honest nodes. Honest nodes keep indices 0..n-1; Sybils follow.
 */
export function attachSybilRegion(
  honest: Csr,
  g: number,
  sybilsPerEdge: number,
  shape: SybilRegionShape,
  sybilDegree: number,
  seed: number,
): Csr {
  const rng = new Pcg32(seed, 77);
  const builder = new CsrBuilder(honest.directed);
  if (honest.weights) builder.enableWeights();
  for (const key of honest.nodeKeys) builder.node(key);
  const addBoth = (u: number, v: number, w = 1) => {
    builder.addEdge(u, v, w);
    if (honest.directed) builder.addEdge(v, u, w);
  };
  for (let i = 0; i < honest.n; i++) {
    for (let e = honest.rowPtr[i]; e < honest.rowPtr[i + 1]; e++) {
      const j = honest.colIdx[e];
      // Undirected graphs store each edge twice; add it once.
      if (honest.directed || i < j) builder.addEdge(i, j, honest.weights ? honest.weights[e] : 1);
    }
  }
  const sybils = g * sybilsPerEdge;
  const first = honest.n;
  for (let s = 0; s < sybils; s++) builder.node(`sybil:${s}`);
  if (shape === 'clique') {
    for (let a = 0; a < sybils; a++) for (let b = a + 1; b < sybils; b++) addBoth(first + a, first + b);
  } else if (sybils > 1) {
    // A ring keeps the region connected; random chords give it `sybilDegree` on average.
    for (let s = 0; s < sybils; s++) addBoth(first + s, first + ((s + 1) % sybils));
    const chords = Math.max(0, Math.round((sybils * (sybilDegree - 2)) / 2));
    for (let c = 0; c < chords; c++) addBoth(first + rng.below(sybils), first + rng.below(sybils));
  }
  for (let a = 0; a < g; a++) addBoth(rng.below(honest.n), first + rng.below(sybils));
  return builder.build().csr;
}

/** Where the adversary touches the honest graph in one row: the honest nodes at the ends of its edges. */
export interface AdversaryBorder {
  /** g, or null for a given compromised set. */
  attackEdges: number | null;
  /** The honest nodes (indices into the honest graph, ascending) joined to the adversary's, and how many of its edges each has. */
  ends: Uint32Array;
  edges: Uint32Array;
}

/**
 * Each row's honest ends of the attack edges (or, for a compromised set, the honest
 * neighbours of the compromised nodes), on the graph the walks of that row run on: the same
 * options give the same Sybil regions as adversaryEntropy.
 */
export function adversaryBorders(graph: AbstractGraph | Csr, options: AdversaryOptions = {}): AdversaryBorder[] {
  const honest = isCsr(graph) ? graph : fromGraphology(graph, { getEdgeWeight: options.getEdgeWeight }).csr;
  const o = resolveOptions(options);
  return o.attackEdges.map((g, r) => {
    const { combined, compromised } = adversaryGraph(honest, g, r, o);
    const touching = new Uint32Array(combined.n);
    for (let u = 0; u < combined.n; u++) {
      for (let e = combined.rowPtr[u]; e < combined.rowPtr[u + 1]; e++) {
        const v = combined.colIdx[e];
        // Each edge once: from the compromised end (an undirected edge is stored both ways; Sybil arcs go both ways).
        if (compromised[u] && !compromised[v]) touching[v]++;
        else if (combined.directed && !compromised[u] && compromised[v] && !hasArc(combined, v, u)) touching[u]++;
      }
    }
    const ends = Uint32Array.from({ length: combined.n }, (_, i) => i).filter((i) => touching[i] > 0);
    return { attackEdges: g, ends, edges: Uint32Array.from(ends, (i) => touching[i]) };
  });
}

function hasArc(csr: Csr, u: number, v: number): boolean {
  for (let e = csr.rowPtr[u]; e < csr.rowPtr[u + 1]; e++) if (csr.colIdx[e] === v) return true;
  return false;
}

/** P restricted to the kept nodes (re-indexed in order), without renormalizing. */
export function restrictTransition(walk: TransitionMatrix, keep: Uint8Array): { walk: TransitionMatrix; index: Int32Array } {
  const index = new Int32Array(walk.n).fill(-1);
  let kept = 0;
  for (let i = 0; i < walk.n; i++) if (keep[i]) index[i] = kept++;
  const rowPtr = new Uint32Array(kept + 1);
  const colIdx: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < walk.n; i++) {
    if (!keep[i]) continue;
    for (let e = walk.rowPtr[i]; e < walk.rowPtr[i + 1]; e++) {
      const j = walk.colIdx[e];
      if (keep[j]) {
        colIdx.push(index[j]);
        values.push(walk.values[e]);
      }
    }
    rowPtr[index[i] + 1] = colIdx.length;
  }
  return {
    walk: { ...walk, n: kept, rowPtr, colIdx: Uint32Array.from(colIdx), values: Float64Array.from(values) },
    index,
  };
}

/** Every option's default, read by resolveOptions only. */
const DEFAULTS = {
  attackEdges: [0, 10, 100, 1000],
  sybilsPerEdge: 10,
  sybilRegion: 'random',
  sybilDegree: 10,
  walk: 'simple',
  hops: 10,
  walkers: 100_000,
  posteriorSamples: 200,
  seed: 1,
} as const;

const WHERE = 'anonscope/adversaryEntropy';
const MERGE = 'anonscope/mergeAdversaryShards';

/** The options checked, every default filled in; attackEdges is [null] for a given compromised set. */
interface ResolvedOptions {
  attackEdges: readonly (number | null)[];
  sybilsPerEdge: number;
  sybilRegion: SybilRegionShape;
  sybilDegree: number;
  compromised?: readonly string[];
  walk: WalkModel;
  hops: number;
  walkers: number;
  posteriorSamples: number;
  twoHop: readonly number[];
  seed: number;
}

/**
 * H(I|O) of Pisces for each attack-edge count (or the given compromised set), from walkers
 * and the batched pull step on the honest-restricted walk.
 */
export async function adversaryEntropy(graph: AbstractGraph | Csr, options: AdversaryOptions = {}): Promise<AdversaryResult> {
  const honest = isCsr(graph) ? graph : fromGraphology(graph, { getEdgeWeight: options.getEdgeWeight }).csr;
  const o = resolveOptions(options);
  const { job, tallies } = await walkerTallies(honest, o, [0, o.walkers], options);
  return assembleResult(job, tallies);
}

/**
 * Shard `options.shard` of the job: what its slice of the walkers (see shardRange) saw, row
 * by row, for mergeAdversaryShards. Walker w walks as walker w of the whole run.
 */
export async function adversaryShard(graph: AbstractGraph | Csr, options: AdversaryShardOptions): Promise<AdversaryShard> {
  checkShardSpec(options.shard, WHERE);
  const honest = isCsr(graph) ? graph : fromGraphology(graph, { getEdgeWeight: options.getEdgeWeight }).csr;
  const o = resolveOptions(options);
  const range = shardRange(o.walkers, options.shard);
  const { job, tallies } = await walkerTallies(honest, o, range, options);
  const { index, count } = options.shard;
  return { job, shard: { index, count }, first: range[0], count: range[1] - range[0], tallies };
}

/**
 * The result of the job the shards are slices of: the object adversaryEntropy returns for
 * it, from the shards alone. Refuses shards of different jobs, a shard missing or repeated.
 */
export function mergeAdversaryShards(shards: readonly AdversaryShard[], sources?: readonly string[]): AdversaryResult {
  const label = (i: number) => sources?.[i] ?? `shard #${i} (index ${shards[i].shard.index})`;
  if (shards.length === 0) throw new ParameterError(`${MERGE}: no shards to merge`);
  const { job } = shards[0];
  const ordered = shardsOfOneJob(shards, (s) => s, job.walkers, label, MERGE);
  const tallies = job.attackEdges.map((_, r) => ordered.map((s) => s.tallies[r]).reduce((a, b) => joinTallies(a, b, job.posteriorSamples)));
  return assembleResult(job, tallies);
}

/** The job `options` define on `graph`, as its shards and checkpoints name it. */
export function adversaryJob(graph: Csr, options: AdversaryOptions & { backend: Backend }): AdversaryJob {
  return describeJob(graph, resolveOptions(options), options.backend);
}

/** The walkers [from, to) of every row, on the caller's backend or the float64 reference; finished rows from the checkpoint. */
async function walkerTallies(honest: Csr, o: ResolvedOptions, range: [number, number], options: AdversaryOptions): Promise<{ job: AdversaryJob; tallies: WalkerTally[] }> {
  const backend = options.backend ?? referenceBackend();
  try {
    const job = describeJob(honest, o, backend);
    const finished = (await options.checkpoint?.start?.(job)) ?? new Map<number, WalkerTally>();
    const tallies: WalkerTally[] = [];
    for (const [r, g] of o.attackEdges.entries()) {
      let tally = finished.get(r);
      if (!tally) {
        tally = await rowTally(adversaryGraph(honest, g, r, o), range, o, backend);
        await options.checkpoint?.onRow(r, tally);
      }
      tallies.push(tally);
      options.onProgress?.(r + 1, o.attackEdges.length);
    }
    return { job, tallies };
  } finally {
    // A backend the caller passed is the caller's to dispose.
    if (!options.backend) await backend.dispose();
  }
}

/** What the job is: the options and the graph's checksum. */
function describeJob(honest: Csr, o: ResolvedOptions, backend: Backend): AdversaryJob {
  return {
    graph: { nodes: honest.n, edges: edgeCount(honest), directed: honest.directed, checksum: csrChecksum(honest) },
    walk: o.walk,
    hops: o.hops,
    walkers: o.walkers,
    posteriorSamples: o.posteriorSamples,
    twoHop: [...o.twoHop],
    seed: o.seed,
    sybils: { perEdge: o.sybilsPerEdge, region: o.sybilRegion, degree: o.sybilDegree },
    ...(o.compromised ? { compromisedNodes: new Checksum().strings(o.compromised).hex() } : {}),
    optimal: Math.log2(honest.n - (o.compromised ? new Set(o.compromised).size : 0)),
    backend: { ...backend.info },
    attackEdges: [...o.attackEdges],
  };
}

/** The result from the job and each row's tally over all its walkers. */
function assembleResult(job: AdversaryJob, tallies: readonly WalkerTally[]): AdversaryResult {
  return {
    graph: { nodes: job.graph.nodes, edges: job.graph.edges, directed: job.graph.directed },
    walk: job.walk,
    hops: job.hops,
    walkers: job.walkers,
    seed: job.seed,
    backend: job.backend.name,
    optimal: job.optimal,
    rows: job.attackEdges.map((g, r) => rowFromTally(tallies[r], g, job.hops, job.twoHop)),
  };
}

/** Checks every option and fills in the defaults. */
function resolveOptions(options: AdversaryOptions): ResolvedOptions {
  const walk = options.walk ?? DEFAULTS.walk;
  const hops = options.hops ?? DEFAULTS.hops;
  const walkers = options.walkers ?? DEFAULTS.walkers;
  const posteriorSamples = options.posteriorSamples ?? DEFAULTS.posteriorSamples;
  const seed = options.seed ?? DEFAULTS.seed;
  const sybilsPerEdge = options.sybilsPerEdge ?? DEFAULTS.sybilsPerEdge;
  const sybilRegion = options.sybilRegion ?? DEFAULTS.sybilRegion;
  const sybilDegree = options.sybilDegree ?? DEFAULTS.sybilDegree;
  if (!WALK_MODELS.includes(walk)) throw new ParameterError(`${WHERE}: unknown walk "${walk}"`);
  const integer = (name: string, value: number, min: number) => {
    if (!Number.isInteger(value) || value < min) throw new ParameterError(`${WHERE}: ${name} must be an integer >= ${min}, got ${value}`);
  };
  integer('hops', hops, 1);
  integer('walkers', walkers, 1);
  integer('posterior samples', posteriorSamples, 1);
  integer('sybils per edge', sybilsPerEdge, 1);
  integer('sybil degree', sybilDegree, 2);
  integer('seed', seed, 0);
  if (!SYBIL_REGION_SHAPES.includes(sybilRegion)) {
    throw new ParameterError(`${WHERE}: unknown Sybil region "${sybilRegion}" (expected ${SYBIL_REGION_SHAPES.join(' or ')})`);
  }
  const attackEdges = options.compromised ? [null] : (options.attackEdges ?? DEFAULTS.attackEdges);
  for (const g of attackEdges) if (g !== null) integer('attack edges', g, 0);
  const twoHop = options.twoHop ?? [];
  for (const k of twoHop) {
    if (!Number.isInteger(k) || k < 1 || k >= hops) throw new ParameterError(`${WHERE}: two-hop k must be an integer in 1..${hops - 1}, got ${k}`);
  }
  return { attackEdges, sybilsPerEdge, sybilRegion, sybilDegree, compromised: options.compromised, walk, hops, walkers, posteriorSamples, twoHop, seed };
}

/** A row's graph: the one the walks run on, its compromised nodes, its honest nodes in order. */
interface AdversaryGraph {
  combined: Csr;
  compromised: Uint8Array;
  honestNodes: Uint32Array;
}

/**
 * The graph the walks run on and its compromised nodes: the honest graph with the given
 * compromised set (g = null), or with a Sybil region behind g attack edges (row r's seed).
 */
function adversaryGraph(honest: Csr, g: number | null, r: number, o: ResolvedOptions): AdversaryGraph {
  const withHonest = (combined: Csr, compromised: Uint8Array) => ({ combined, compromised, honestNodes: Uint32Array.from({ length: combined.n }, (_, i) => i).filter((i) => !compromised[i]) });
  if (g === null) {
    const compromised = new Uint8Array(honest.n);
    const index = nodeIndex(honest);
    for (const key of o.compromised!) {
      const i = index.get(key);
      if (i === undefined) throw new ParameterError(`${WHERE}: compromised node "${key}" is not a node of the graph`);
      compromised[i] = 1;
    }
    if (compromised.every((c) => c === 1)) throw new ParameterError(`${WHERE}: every node is compromised`);
    return withHonest(honest, compromised);
  }
  const combined = g === 0 ? honest : attachSybilRegion(honest, g, o.sybilsPerEdge, o.sybilRegion, o.sybilDegree, o.seed + r);
  const compromised = new Uint8Array(combined.n);
  compromised.fill(1, honest.n);
  return withHonest(combined, compromised);
}

/** One row's walkers [from, to) on the adversary's graph, then the posteriors of what they saw. */
async function rowTally({ combined, compromised, honestNodes }: AdversaryGraph, [from, to]: [number, number], o: ResolvedOptions, backend: Backend): Promise<WalkerTally> {
  const walk = transitionMatrix(combined, o.walk);
  const walkerJob = {
    walk,
    thresholds: samplingThresholds(walk),
    compromised,
    starts: walkerStarts(honestNodes, to - from, o.seed, from),
    hops: o.hops,
    recordHop: 0,
    seed: o.seed,
    firstWalker: from,
  };
  const records = await backend.runWalkers(walkerJob);
  const { counts, predecessors } = firstCompromisedHops(records, o.hops, o.posteriorSamples);
  const graph = { nodes: combined.n, compromised: compromised.reduce((a, b) => a + b, 0), honest: honestNodes.length };
  const tally: WalkerTally = { graph, walkers: to - from, counts, samples: await predecessorEntropies(walk, compromised, predecessors, o.hops, backend), twoHop: [] };
  if (o.twoHop.length) {
    const recordsAt = [];
    for (const k of o.twoHop) recordsAt.push(await backend.runWalkers({ ...walkerJob, recordHop: k }));
    tally.twoHop = await twoHopTallies(recordsAt, o.twoHop, walk, compromised, o.posteriorSamples, backend);
  }
  return tally;
}

/**
 * Two tallies of consecutive walker slices as one: counts add, and each list of sampled
 * posteriors keeps its first `samples` (the first walkers of the joined slice).
 */
export function joinTallies(a: WalkerTally, b: WalkerTally, samples: number): WalkerTally {
  const join = (x: number[], y: number[]) => [...x, ...y].slice(0, samples);
  return {
    graph: a.graph,
    walkers: a.walkers + b.walkers,
    counts: a.counts.map((c, i) => c + b.counts[i]),
    samples: a.samples.map((x, i) => join(x, b.samples[i])),
    twoHop: a.twoHop.map((x, k) => ({ both: x.both + b.twoHop[k].both, lastOnly: x.lastOnly + b.twoHop[k].lastOnly, samples: join(x.samples, b.twoHop[k].samples) })),
  };
}

/**
 * For each k, from walkers that recorded X_k: how many had both X_k and X_L compromised,
 * how many only X_L, and H(I | X_k = A) of the first `samples` honest relays A. The
 * posteriors of all sampled relays come from one batched pull step over the whole walk,
 * with the prior restricted to honest initiators.
 */
async function twoHopTallies(
  recordsAt: WalkerRecords[],
  ks: readonly number[],
  walk: TransitionMatrix,
  compromised: Uint8Array,
  samples: number,
  backend: Backend,
): Promise<TwoHopTally[]> {
  const seen = recordsAt.map((records) => {
    let both = 0;
    let lastOnly = 0;
    const relays: number[] = [];
    for (let w = 0; w < records.terminus.length; w++) {
      if (!records.lastCompromised[w]) continue;
      if (compromised[records.recordedNode[w]]) both++;
      else {
        lastOnly++;
        if (relays.length < samples) relays.push(records.recordedNode[w]);
      }
    }
    return { both, lastOnly, relays };
  });
  const distinct = [...new Set(seen.flatMap((s) => s.relays))];
  const column = new Map(distinct.map((a, c) => [a, c]));
  const table =
    distinct.length > 0
      ? await backend.terminalEntropies({
          walk,
          terminals: Uint32Array.from(distinct),
          hops: ks.reduce((a, b) => Math.max(a, b)),
          prior: Float64Array.from(compromised, (c) => 1 - c),
        })
      : undefined;
  return ks.map((k, index) => {
    const { both, lastOnly, relays } = seen[index];
    return { both, lastOnly, samples: relays.map((a) => table!.shannon[(k - 1) * distinct.length + column.get(a)!]) };
  });
}

/** H(I|O) of the two-hop optimisation for k, from its tally over `W` walkers. */
function twoHopRow(k: number, { both, lastOnly, samples }: TwoHopTally, W: number, optimal: number): TwoHopRow {
  const pBoth = both / W;
  const pLastOnly = lastOnly / W;
  const s = samples.length > 0 ? summarize(samples, false) : undefined;
  const HIA = s ? s.mean : null;
  const HIO = pLastOnly * (HIA ?? 0) + (1 - pBoth - pLastOnly) * optimal;
  // Delta method over the multinomial (pBoth, pLastOnly, rest) and the sampled H(I|A).
  const dBoth = -optimal;
  const dLast = (HIA ?? 0) - optimal;
  const varianceH = s ? ((s.ci95[1] - s.ci95[0]) / 2 / 1.959963984540054) ** 2 : 0;
  const variance =
    (dBoth ** 2 * pBoth * (1 - pBoth) + dLast ** 2 * pLastOnly * (1 - pLastOnly) - 2 * dBoth * dLast * pBoth * pLastOnly) / W + pLastOnly ** 2 * varianceH;
  const half = 1.959963984540054 * Math.sqrt(Math.max(0, variance));
  return { k, HIO, ci95: [HIO - half, HIO + half], pBoth, pLastOnly, HIA };
}

/** Row g from its tally over every walker. */
function rowFromTally(tally: WalkerTally, g: number | null, hops: number, ks: readonly number[]): AdversaryRow {
  const W = tally.walkers;
  const { counts } = tally;
  const pM = counts.slice(1).map((c) => c / W);
  const pMHalfWidth = pM.map((p) => 1.959963984540054 * Math.sqrt((p * (1 - p)) / W));
  const { HIM, HIMVariance } = predecessorStatistics(counts, tally.samples, hops);
  const optimal = Math.log2(tally.graph.honest);
  const pSeen = pM.reduce((a, b) => a + b, 0);
  const HIO = pM.reduce((sum, p, k) => sum + p * (HIM[k] ?? 0), 0) + (1 - pSeen) * optimal;
  // Delta method: H(I|O) = Σ p_i (H_i - log2 n) + log2 n; p from one multinomial, H_i independent.
  let variance = 0;
  for (let k = 0; k < hops; k++) {
    const d = (HIM[k] ?? 0) - optimal;
    variance += (d * d * pM[k] * (1 - pM[k])) / W + pM[k] ** 2 * HIMVariance[k];
    for (let m = k + 1; m < hops; m++) variance -= (2 * d * ((HIM[m] ?? 0) - optimal) * pM[k] * pM[m]) / W;
  }
  const half = 1.959963984540054 * Math.sqrt(Math.max(0, variance));
  const result: AdversaryRow = {
    attackEdges: g,
    sybils: g === null ? 0 : tally.graph.nodes - tally.graph.honest,
    compromised: tally.graph.compromised,
    HIO,
    ci95: [HIO - half, HIO + half],
    pM,
    pMHalfWidth,
    HIM,
    pNone: 1 - pSeen,
  };
  if (ks.length) result.twoHop = ks.map((k, index) => twoHopRow(k, tally.twoHop[index], W, optimal));
  return result;
}

/**
 * How many walkers saw M_i at each hop i, and the predecessors A of the first `samples` of
 * them (walkers are i.i.d., so the first ones are a uniform sample).
 */
function firstCompromisedHops(records: WalkerRecords, hops: number, samples: number): { counts: number[]; predecessors: number[][] } {
  const counts = new Array<number>(hops + 1).fill(0);
  const predecessors: number[][] = Array.from({ length: hops + 1 }, () => []);
  for (let w = 0; w < records.terminus.length; w++) {
    const i = records.firstCompromisedHop[w];
    if (i === 0 || !records.lastCompromised[w]) continue;
    counts[i]++;
    if (predecessors[i].length < samples) predecessors[i].push(records.predecessor[w]);
  }
  return { counts, predecessors };
}

/**
 * H(I | A) at hop i − 1 on the honest-restricted walk for each sampled predecessor A of hop
 * i, every A at once; hop 1's list is empty (its predecessor is the initiator: 0 bits).
 */
async function predecessorEntropies(walk: TransitionMatrix, compromised: Uint8Array, predecessors: number[][], hops: number, backend: Backend): Promise<number[][]> {
  const { walk: honestWalk, index } = restrictTransition(walk, Uint8Array.from(compromised, (c) => 1 - c));
  const distinct = [...new Set(predecessors.slice(2).flat())];
  const column = new Map(distinct.map((a, k) => [a, k]));
  const table =
    distinct.length > 0 && hops > 1
      ? await backend.terminalEntropies({ walk: honestWalk, terminals: Uint32Array.from(distinct, (a) => index[a]), hops: hops - 1 })
      : undefined;
  return predecessors.map((list, i) => (i < 2 ? [] : list.map((a) => table!.shannon[(i - 2) * distinct.length + column.get(a)!])));
}

/** H(I|M_i) for i = 1..hops and the variance of each estimate (null where no walker saw M_i). */
function predecessorStatistics(counts: number[], samples: number[][], hops: number): { HIM: (number | null)[]; HIMVariance: number[] } {
  const HIM: (number | null)[] = [];
  const HIMVariance: number[] = [];
  for (let i = 1; i <= hops; i++) {
    if (counts[i] === 0) {
      HIM.push(null);
      HIMVariance.push(0);
      continue;
    }
    if (i === 1) {
      // The first hop is compromised: its predecessor is the initiator.
      HIM.push(0);
      HIMVariance.push(0);
      continue;
    }
    const s = summarize(samples[i], false);
    HIM.push(s.mean);
    const half = (s.ci95[1] - s.ci95[0]) / 2;
    HIMVariance.push((half / 1.959963984540054) ** 2);
  }
  return { HIM, HIMVariance };
}
