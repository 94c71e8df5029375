import type { AbstractGraph } from 'graphology-types';
import { createEntropyTable, type Backend, type EntropyTable, type RoundsTable } from '../engines/backend.js';
import { referenceBackend } from '../engines/reference.js';
import { DeviceError, ParameterError } from '../errors.js';
import { Checksum, csrChecksum } from '../graph/checksum.js';
import { chooseNodes } from '../graph/choose-nodes.js';
import { edgeCount, isCsr, nodeKey, type Csr } from '../graph/csr.js';
import { fromGraphology, type EdgeWeightGetter } from '../graph/from-graphology.js';
import { shannonOfWeights } from '../stats/entropy.js';
import { empiricalCdf, summarize, type Summary } from '../stats/summary.js';
import { transitionMatrix, WALK_MODELS, type TransitionMatrix, type WalkModel } from '../walks/index.js';
import { samplingThresholds, walkerRandom } from '../walks/walkers.js';
import {
  FILE_VERSION,
  recordsIntoTable,
  recordsTable,
  SHARD_FORMAT,
  tableRecords,
  type EntropyJobSummary,
  type EntropyShard,
  type InitiatorEntropyJob,
  type RoundSampleRecords,
  type TerminalRecords,
} from './initiator-entropy-shards.js';
import { priorVector } from './initiator-entropy-posterior.js';
import { checkShardSpec, shardRange, shardsOfOneJob, type ShardSpec } from './shards.js';

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
  /** Run the terminals in batches, skip those a checkpoint holds, report each as it finishes. */
  checkpoint?: InitiatorEntropyCheckpoint;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * A checkpointed run: the terminal list in batches of `batchTerminals` (from the first
 * terminal of the run, or of its shard), each terminal's column computed alone on every
 * engine, so the table is the one an unbatched run computes.
 */
export interface InitiatorEntropyCheckpoint {
  batchTerminals: number;
  /**
   * Called once the job is known, before any batch runs: the batches already finished, by
   * the index of their first terminal in the job's terminal list.
   */
  start?(job: InitiatorEntropyJob): Promise<ReadonlyMap<number, readonly TerminalRecords[]>> | ReadonlyMap<number, readonly TerminalRecords[]>;
  /** Called (and awaited) after each batch the run computes. */
  onBatch(first: number, records: TerminalRecords[]): Promise<void> | void;
}

/** Shard `shard` of the job the other options define: its slice of the terminal list (see shardRange). */
export interface InitiatorEntropyShardOptions extends InitiatorEntropyOptions {
  shard: ShardSpec;
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

/** Every option's default, read by resolveOptions only. */
const DEFAULTS = { walk: 'simple', lazy: false, hops: DEFAULT_HOPS, seed: 1, roundsSamples: 100, perTerminal: false, guessing: false } as const;

const WHERE = 'anonscope/initiatorEntropy';
const MERGE = 'anonscope/mergeInitiatorEntropyShards';

type TerminalSelection = { kind: 'sample' | 'all' | 'ids'; terminals: Uint32Array; seed?: number };

/** The options checked against the graph, every default filled in. */
interface ResolvedOptions {
  walk: WalkModel;
  lazy: boolean;
  hops: number;
  cdfHop: number;
  rounds?: number;
  roundsSamples: number;
  seed: number;
  selection: TerminalSelection;
  prior?: Float64Array;
  perTerminal: boolean;
  guessing: boolean;
  batchTerminals?: number;
}

/** The graph as a CSR, the options resolved against it, the walk's transition matrix. */
interface PreparedRun {
  csr: Csr;
  resolved: ResolvedOptions;
  walk: TransitionMatrix;
}

/**
 * Initiator anonymity of l-hop random walks (Pisces §3): for each terminal j, the entropy of
 * p_i ∝ q_i (P^t)_ij for t = 1..L, summarized over terminals hop by hop.
 */
export async function initiatorEntropy(
  graph: AbstractGraph | Csr,
  options: InitiatorEntropyOptions = {},
): Promise<InitiatorEntropyResult> {
  const run = prepareRun(graph, options);
  const T = run.resolved.selection.terminals.length;
  return onBackend(run, options, async (backend) => {
    const job = describeJob(run, backend);
    const checkpointing = options.checkpoint && { checkpoint: options.checkpoint, job: { ...job, checksums: jobChecksums(run) } };
    const table = await computeTable(backend, run, [0, T], options, checkpointing);
    const { rounds, roundsSamples } = run.resolved;
    const roundsTable = rounds === undefined ? undefined : await roundEntropyTable(backend, run, [0, roundsSamples]);
    return assembleResult(job, table, terminalIds(run), roundsTable && { samples: roundsSamples, rows: roundStatistics(roundsTable, rounds!) });
  });
}

/**
 * Shard `options.shard` of the job: the per-terminal records of its slice of the terminal
 * list, with the job that defines them, for mergeInitiatorEntropyShards. With rounds, also
 * the same slice of the sampled initiators: their walkers are numbered by sample (see
 * roundEntropyTable), so a shard walks them exactly as the whole run does.
 */
export async function initiatorEntropyShard(graph: AbstractGraph | Csr, options: InitiatorEntropyShardOptions): Promise<EntropyShard> {
  checkShardSpec(options.shard, WHERE);
  const run = prepareRun(graph, options);
  const range = shardRange(run.resolved.selection.terminals.length, options.shard);
  return onBackend(run, options, async (backend) => {
    const job: InitiatorEntropyJob = { ...describeJob(run, backend), checksums: jobChecksums(run) };
    const table = await computeTable(backend, run, range, options, options.checkpoint && { checkpoint: options.checkpoint, job });
    const { index, count } = options.shard;
    const shard: EntropyShard = { format: SHARD_FORMAT, version: FILE_VERSION, job, shard: { index, count }, first: range[0], terminals: tableRecords(table, terminalIds(run).slice(...range)) };
    const { rounds, roundsSamples } = run.resolved;
    if (rounds !== undefined) {
      const samples = shardRange(roundsSamples, options.shard);
      shard.rounds = { first: samples[0], samples: roundSampleRecords(await roundEntropyTable(backend, run, samples), rounds) };
    }
    return shard;
  });
}

/**
 * The result of the job the shards are slices of: the same object initiatorEntropy returns
 * for it, from the shards alone. Refuses shards of different jobs, of different counts, a
 * shard missing or repeated, and a shard that does not hold its slice; `sources` name the
 * shards (their files) in the messages.
 */
export function mergeInitiatorEntropyShards(shards: readonly EntropyShard[], sources?: readonly string[]): InitiatorEntropyResult {
  const label = (i: number) => sources?.[i] ?? `shard #${i} (index ${shards[i].shard.index})`;
  if (shards.length === 0) throw new ParameterError(`${MERGE}: no shards to merge`);
  const { job } = shards[0];
  const part = (s: EntropyShard) => ({ job: s.job, shard: s.shard, first: s.first, count: s.terminals.length });
  const ordered = shardsOfOneJob(shards, part, job.terminals.count, label, MERGE);
  const records = ordered.flatMap((s) => s.terminals);
  return assembleResult(job, recordsTable(records, job.hops, job.guessing), records.map((r) => r.id), job.rounds && mergeRounds(shards, job.rounds, label));
}

/** The rounds' rows of the whole job from the shards' slices of the sampled initiators, each slice checked as the terminals' are. */
function mergeRounds(shards: readonly EntropyShard[], rounds: NonNullable<InitiatorEntropyJob['rounds']>, label: (i: number) => string): { samples: number; rows: RoundStatistics[] } {
  shards.forEach((s, i) => {
    if (!s.rounds) throw new ParameterError(`${MERGE}: ${label(i)} holds no rounds, but its job has rounds`);
  });
  const part = (s: EntropyShard) => ({ job: s.job, shard: s.shard, first: s.rounds!.first, count: s.rounds!.samples.length });
  const samples = shardsOfOneJob(shards, part, rounds.samples, (i) => `${label(i)} (its rounds' initiators)`, MERGE).flatMap((s) => s.rounds!.samples);
  const table: RoundsTable = {
    shannon: Float64Array.from(samples.flatMap((g) => g.shannon)),
    minEntropy: Float64Array.from(samples.flatMap((g) => g.minEntropy)),
  };
  return { samples: rounds.samples, rows: roundStatistics(table, rounds.count) };
}

/** The graph as a CSR, the options checked, the walk built. */
function prepareRun(graph: AbstractGraph | Csr, options: InitiatorEntropyOptions): PreparedRun {
  const csr = isCsr(graph) ? graph : fromGraphology(graph, { getEdgeWeight: options.getEdgeWeight }).csr;
  const resolved = resolveOptions(csr, options);
  return { csr, resolved, walk: transitionMatrix(csr, resolved.walk, resolved.lazy) };
}

/** Run `work` on the caller's backend, or on the float64 reference, disposed however it ends. */
async function onBackend<R>(run: PreparedRun, options: InitiatorEntropyOptions, work: (backend: Backend) => Promise<R>): Promise<R> {
  const backend = options.backend ?? referenceBackend();
  try {
    if (run.resolved.guessing && backend.info.name !== 'cpu') {
      throw new DeviceError(`${WHERE}: guessing entropy sorts every posterior column and runs on the cpu backend only (this is ${backend.info.name}); pass --backend cpu`);
    }
    return await work(backend);
  } finally {
    // A backend the caller passed is the caller's to dispose.
    if (!options.backend) await backend.dispose();
  }
}

/** What the job is, as the result reports it. */
function describeJob({ csr, walk, resolved: o }: PreparedRun, backend: Backend): EntropyJobSummary {
  const { selection, prior } = o;
  return {
    graph: { nodes: csr.n, edges: edgeCount(csr), directed: csr.directed, danglingNodes: walk.danglingNodes },
    walk: o.walk,
    lazy: walk.lazy,
    hops: o.hops,
    terminals: { selection: selection.kind, count: selection.terminals.length, ...(selection.kind === 'sample' ? { seed: selection.seed } : {}) },
    prior: prior ? 'given' : 'uniform',
    optimal: prior ? shannonOfWeights(prior) : Math.log2(csr.n),
    cdfHop: o.cdfHop,
    perTerminal: o.perTerminal,
    guessing: o.guessing,
    backend: { ...backend.info },
    ...(o.rounds === undefined ? {} : { rounds: { count: o.rounds, samples: o.roundsSamples, seed: o.seed } }),
  };
}

/** What ties a shard or a checkpoint to its inputs: the graph, the terminal list, the prior. */
function jobChecksums({ csr, resolved }: PreparedRun): InitiatorEntropyJob['checksums'] {
  return {
    graph: csrChecksum(csr),
    terminals: new Checksum().words(resolved.selection.terminals).hex(),
    prior: resolved.prior ? new Checksum().floats(resolved.prior).hex() : 'uniform',
  };
}

const terminalIds = ({ csr, resolved }: PreparedRun): string[] => Array.from(resolved.selection.terminals, (node) => nodeKey(csr, node));

/** Checks every option (those naming nodes against the graph) and fills in the defaults. */
function resolveOptions(csr: Csr, options: InitiatorEntropyOptions): ResolvedOptions {
  const walk = options.walk ?? DEFAULTS.walk;
  const hops = options.hops ?? DEFAULTS.hops;
  if (!WALK_MODELS.includes(walk)) {
    throw new ParameterError(`${WHERE}: unknown walk "${walk}" (expected ${WALK_MODELS.join(' or ')})`);
  }
  if (!Number.isInteger(hops) || hops < 1) throw new ParameterError(`${WHERE}: hops must be an integer >= 1, got ${hops}`);
  const cdfHop = options.cdfHop ?? hops;
  if (!Number.isInteger(cdfHop) || cdfHop < 1 || cdfHop > hops) {
    throw new ParameterError(`${WHERE}: cdf hop must be an integer in 1..${hops}, got ${cdfHop}`);
  }
  const { rounds } = options;
  const roundsSamples = options.roundsSamples ?? DEFAULTS.roundsSamples;
  if (rounds !== undefined && (!Number.isInteger(rounds) || rounds < 1 || rounds > 256)) {
    throw new ParameterError(`${WHERE}: rounds must be an integer in 1..256, got ${rounds}`);
  }
  if (!Number.isInteger(roundsSamples) || roundsSamples < 1) {
    throw new ParameterError(`${WHERE}: rounds samples must be an integer >= 1, got ${roundsSamples}`);
  }
  const seed = options.seed ?? DEFAULTS.seed;
  if (!Number.isInteger(seed) || seed < 0) throw new ParameterError(`${WHERE}: seed must be a non-negative integer, got ${seed}`);
  const batchTerminals = options.checkpoint?.batchTerminals;
  if (batchTerminals !== undefined && (!Number.isInteger(batchTerminals) || batchTerminals < 1)) {
    throw new ParameterError(`${WHERE}: checkpoint batchTerminals must be an integer >= 1, got ${batchTerminals}`);
  }
  return {
    walk,
    lazy: options.lazy ?? DEFAULTS.lazy,
    hops,
    cdfHop,
    rounds,
    roundsSamples,
    seed,
    selection: chooseTerminals(csr, options.terminalIds, options.terminals, seed),
    prior: options.prior ? priorVector(csr, options.prior) : undefined,
    perTerminal: options.perTerminal ?? DEFAULTS.perTerminal,
    guessing: options.guessing ?? DEFAULTS.guessing,
    batchTerminals,
  };
}

/**
 * The backend's work: the entropy table of terminals [from, to) of the list. Checkpointed, in
 * batches of batchTerminals from `from`: the finished ones taken from the checkpoint, each
 * other one reported as it finishes.
 */
async function computeTable(
  backend: Backend,
  run: PreparedRun,
  [from, to]: [number, number],
  options: InitiatorEntropyOptions,
  checkpointing?: { checkpoint: InitiatorEntropyCheckpoint; job: InitiatorEntropyJob },
): Promise<EntropyTable> {
  const { walk, resolved: o } = run;
  const terminals = o.selection.terminals;
  const job = { walk, hops: o.hops, prior: o.prior, signal: options.signal, guessing: o.guessing };
  if (!checkpointing) return backend.terminalEntropies({ ...job, terminals: terminals.subarray(from, to), onProgress: options.onProgress });

  const { checkpoint } = checkpointing;
  const B = o.batchTerminals!;
  const finished = (await checkpoint.start?.(checkpointing.job)) ?? new Map<number, readonly TerminalRecords[]>();
  const ids = terminalIds(run);
  for (const first of finished.keys()) {
    if (first < from || first >= to || (first - from) % B !== 0) {
      throw new ParameterError(`${WHERE}: the checkpoint holds a batch from terminal ${first}, which is no batch start of this run (terminals ${from}..${to - 1} in batches of ${B})`);
    }
  }
  const table = createEntropyTable(o.hops, to - from);
  if (o.guessing) table.guessing = new Float64Array(o.hops * (to - from));
  const total = o.hops * (to - from);
  for (let first = from; first < to; first += B) {
    const last = Math.min(first + B, to);
    const before = o.hops * (first - from);
    const taken = finished.get(first);
    if (taken) {
      checkBatch(taken, ids.slice(first, last), first);
      recordsIntoTable(table, first - from, taken);
    } else {
      const part = await backend.terminalEntropies({ ...job, terminals: terminals.subarray(first, last), onProgress: (done) => options.onProgress?.(before + done, total) });
      const records = tableRecords(part, ids.slice(first, last));
      recordsIntoTable(table, first - from, records);
      await checkpoint.onBatch(first, records);
    }
    options.onProgress?.(o.hops * (last - from), total);
  }
  return table;
}

/** A batch from a checkpoint must hold the very terminals of the batch it stands for. */
function checkBatch(records: readonly TerminalRecords[], ids: readonly string[], first: number): void {
  const refuse = (what: string) => new ParameterError(`${WHERE}: the checkpoint's batch from terminal ${first} holds ${what}`);
  if (records.length !== ids.length) throw refuse(`${records.length} terminals where the batch has ${ids.length}`);
  const k = records.findIndex((r, i) => r.id !== ids[i]);
  if (k >= 0) throw refuse(`terminal "${records[k].id}" where the job has "${ids[k]}"`);
}

/** The result: a table summarized over terminals, with the job that produced it. */
function assembleResult(
  job: EntropyJobSummary,
  table: EntropyTable,
  ids: readonly string[],
  rounds?: { samples: number; rows: RoundStatistics[] },
): InitiatorEntropyResult {
  const { hops } = job;
  const T = table.terminals;
  const result: InitiatorEntropyResult = {
    graph: { ...job.graph },
    walk: job.walk,
    lazy: job.lazy,
    backend: job.backend.name,
    runtime: job.backend.runtime,
    adapter: job.backend.adapter,
    precision: job.backend.precision,
    terminals: T,
    terminalSelection: job.terminals.selection,
    seed: job.terminals.seed,
    prior: job.prior,
    optimal: job.optimal,
    hops: hopStatistics(table, hops, T, T === job.graph.nodes, job.prior === 'given'),
    cdf: { hop: job.cdfHop, ...renameCdf(empiricalCdf(hopRow(table.shannon, job.cdfHop, T))) },
  };
  if (rounds) result.rounds = { hop: hops, ...rounds };
  if (job.perTerminal) {
    result.perTerminal = ids.map((id, k) => ({
      id,
      shannon: Array.from({ length: hops }, (_, t) => table.shannon[t * T + k]),
      minEntropy: Array.from({ length: hops }, (_, t) => table.minEntropy[t * T + k]),
    }));
  }
  return result;
}

/** Hop `hop`'s row of a hops × T table. */
const hopRow = <Row extends Float64Array | Uint8Array>(values: Row, hop: number, T: number): Row => values.subarray((hop - 1) * T, hop * T) as Row;

/** Statistics over the T terminals at each hop; `exact` when every node is a terminal. */
function hopStatistics(table: EntropyTable, hops: number, T: number, exact: boolean, withPrior: boolean): HopStatistics[] {
  return Array.from({ length: hops }, (_, t) => {
    const hop = t + 1;
    const shannon = hopRow(table.shannon, hop, T);
    const s = summarize(shannon, exact);
    const m = summarize(hopRow(table.minEntropy, hop, T), exact);
    const reached = hopRow(table.reached, hop, T);
    return {
      hop,
      ...entropyStatistics(s, m),
      ...(table.guessing ? { guessingMean: summarize(hopRow(table.guessing, hop, T), exact).mean } : {}),
      terminusWeightedMean: terminusWeightedMean(shannon, hopRow(table.log2Mass, hop, T)),
      unreachable: T - s.count,
      ...(withPrior ? { zeroPriorOnly: shannon.reduce((count, h, k) => count + (Number.isNaN(h) && reached[k] ? 1 : 0), 0) } : {}),
    };
  });
}

/**
 * The rounds' entropies of the sampled initiators [from, to) (sample g, round r at
 * g · rounds + r): initiator g drawn from the prior (uniform without one) by walker g's
 * first word, its `rounds` independent walks by walkers g · rounds .. g · rounds + rounds − 1
 * (the same on every backend and in every shard), the posterior products on the backend.
 */
async function roundEntropyTable(backend: Backend, { walk, resolved }: PreparedRun, [from, to]: [number, number]): Promise<RoundsTable> {
  const { hops, rounds, seed, prior } = resolved;
  const Z = rounds!;
  if (to === from) return { shannon: new Float64Array(0), minEntropy: new Float64Array(0) };
  const initiators = new Uint32Array(to - from);
  const cumulative = prior ? Float64Array.from(prior) : undefined;
  if (cumulative) for (let i = 1; i < cumulative.length; i++) cumulative[i] += cumulative[i - 1];
  for (let g = from; g < to; g++) {
    const u = walkerRandom(seed, g, 0) / 2 ** 32;
    if (!cumulative) initiators[g - from] = Math.floor(u * walk.n);
    else {
      const target = u * cumulative[cumulative.length - 1];
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (target < cumulative[mid]) hi = mid;
        else lo = mid + 1;
      }
      initiators[g - from] = lo;
    }
  }
  const starts = Uint32Array.from({ length: initiators.length * Z }, (_, k) => initiators[Math.floor(k / Z)]);
  const records = await backend.runWalkers({
    walk,
    thresholds: samplingThresholds(walk),
    compromised: new Uint8Array(walk.n),
    starts,
    hops,
    recordHop: 0,
    seed,
    firstWalker: from * Z,
  });
  return backend.roundEntropies({ walk, hops, rounds: Z, termini: records.terminus, prior });
}

/** Statistics over the samples of a rounds table, round by round. */
function roundStatistics(table: RoundsTable, rounds: number): RoundStatistics[] {
  const samples = table.shannon.length / rounds;
  return Array.from({ length: rounds }, (_, r) => {
    const pick = (values: Float64Array) => Float64Array.from({ length: samples }, (_, g) => values[g * rounds + r]);
    return { round: r + 1, ...entropyStatistics(summarize(pick(table.shannon), false), summarize(pick(table.minEntropy), false)) };
  });
}

/** Each sample's row of a rounds table, for a shard. */
function roundSampleRecords(table: RoundsTable, rounds: number): RoundSampleRecords[] {
  const row = (values: Float64Array, g: number) => Array.from(values.subarray(g * rounds, (g + 1) * rounds));
  return Array.from({ length: table.shannon.length / rounds }, (_, g) => ({ shannon: row(table.shannon, g), minEntropy: row(table.minEntropy, g) }));
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

function chooseTerminals(csr: Csr, terminalIds: readonly string[] | undefined, terminals: number | 'all' | undefined, seed: number): TerminalSelection {
  const { nodes, ...how } = chooseNodes(csr, { ids: terminalIds, count: terminals, defaultCount: DEFAULT_TERMINALS, seed, what: 'terminal', where: WHERE });
  return { ...how, terminals: nodes };
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
