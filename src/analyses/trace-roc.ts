import { ParameterError } from '../errors.js';
import { expDelay, sortedUniforms, type DelayLaw } from '../mix/delays.js';
import { mixedLink, packetWindow, packLinks, sortedFiniteTimes } from '../mix/streams.js';
import { binDensity, defaultStep, delayKernel, MAX_GRID, normalizeRows } from '../mix/time-grid.js';
import type { MixKernels, TimeGrid } from '../engines/mix-kernels.js';
import { referenceMixKernels } from '../engines/reference.js';
import { Pcg32 } from '../random.js';
import { DEFAULT_FPRS, rocCurve, type RocCurve } from '../stats/roc.js';
import { Checksum } from '../graph/checksum.js';
import { checkShardSpec, joinColumns, shardRange, shardsOfOneJob, type ShardSpec } from './shards.js';

/**
 * ROC curves of stream tracing through one continuous-time mix (the flow-correlation
 * attacker's view, as MixMatch and DeepCoFFEA report it). Every target stream is scored
 * against every output link with the likelihood-ratio score of stream-trace.ts,
 *     score(f, L) = Σ_{t ∈ L} ln(C_L(t)/u),  C_L = [N_f (d*f) + (n_L − N_f) u] / n_L,
 * the LLR of "L carries f" against "L carries other traffic". A pair is true when the link
 * carries that target; the decision "linked when score ≥ τ" gives, over all thresholds τ,
 * the ROC curve, its area, and the TPR at fixed FPRs (stats/roc.ts).
 *
 * Simulation: T targets, each k packets uniform over k/λ_f (Poisson conditioned on its
 * count), each sent through the mix onto its own link beside Poisson cover; every link has
 * the same law, so only timing tells them apart: T true pairs, T(T − 1) false ones. Data:
 * target streams and links by name, a target and the link of the same name forming the
 * true pair. All (target, link) pairs are scored in one batched kernel call per block.
 */

export interface RocStreams {
  /** The target streams' input packet times. */
  targets: { name: string; times: ArrayLike<number> }[];
  /** The output links' packet times; a link named like a target carries it. */
  links: { name: string; times: ArrayLike<number> }[];
  /** Observation window; default [earliest, latest] time in the data. */
  window?: [number, number];
}

export interface TraceRocOptions {
  /** Recorded streams; the simulation when absent. */
  input?: RocStreams;
  /** The mix's delay law (required with input; simulation: exponential, rate 30). */
  delay?: DelayLaw;
  /** Simulation: the targets' packet rate λ_f. */
  signalRate?: number;
  /** Simulation: Poisson cover beside each target on its link. */
  coverRate?: number;
  /** Simulation: number of target streams (and of links). */
  targets?: number;
  /** Observed packets per target (data: the first k of each; default all). */
  packets?: number;
  /** Several packet counts: one ROC per count (instead of `packets`). */
  sweepPackets?: number[];
  seed?: number;
  /** Grid step; default a tenth of the mean delay. */
  step?: number;
  /** FPRs at which the TPR is reported. */
  fprs?: number[];
  /** Keep every pair's score (targets × links, row-major) in the result: for your own statistics. */
  keepScores?: boolean;
  kernels?: MixKernels;
  onProgress?: (done: number, total: number) => void;
}

export const TRACE_ROC_DEFAULTS = { signalRate: 50, coverRate: 150, targets: 200, packets: 20, seed: 1, fprs: DEFAULT_FPRS } as const;

/** One ROC (stats/roc.ts) at one number of observed target packets. */
export interface TraceRocPoint extends RocCurve {
  /** Observed packets per target (null: all of them, data only). */
  packets: number | null;
  /** Mean packets per target inside the window (data: fewer than `packets` where a stream is shorter). */
  meanTargetPackets: number;
  step: number;
  gridLength: number;
  /** With keepScores: score of (target t, link l) at [t · links + l], nats. */
  pairScores?: Float64Array;
}

export interface TraceRocResult {
  mode: 'simulation' | 'data';
  delay: string;
  targets: number;
  links: number;
  /** Simulation settings (simulation only). */
  signalRate?: number;
  coverRate?: number;
  seed?: number;
  /** Observation window (data only). */
  window?: [number, number];
  fprs: number[];
  /** What the statistics are, for the reader of the JSON. */
  method: { score: string; ties: string; tprCi: string; aucCi: string };
  byPackets: TraceRocPoint[];
  kernels: string;
  precision: 'float64' | 'float32';
}

const METHOD = {
  score: 'sum over the link packets of ln(C_L(t)/u) (nats), Danezis eq. 23/28; linked when score >= threshold',
  ties: 'equal scores move FPR and TPR together; AUC counts ties half (Mann-Whitney)',
  tprCi: 'Wilson 95% over the true pairs, the threshold taken as fixed',
  aucCi: 'DeLong 95% (normal, clipped to [0, 1])',
};

const WHERE = 'anonscope/trace-roc';
const MERGE = 'anonscope/mergeTraceRocShards';
/** Signal rows × grid points held at once (128 MiB of float64), and (target, link) pairs scored. */
const MAX_SIGNAL_ELEMENTS = 2 ** 24;
const MAX_PAIRS = 2 ** 24;
/** Pairs per scoreLinks call: bounds one call's work and paces the progress. */
const PAIRS_PER_CALL = 2 ** 20;

interface Streams {
  names: string[];
  times: Float64Array[];
}

/** The settings, defaults filled in and each checked, before any work. */
function resolve(options: TraceRocOptions) {
  const d = TRACE_ROC_DEFAULTS;
  const positive = (name: string, v: number, allowZero = false) => {
    if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) throw new ParameterError(`${WHERE}: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${v}`);
    return v;
  };
  const count = (name: string, v: number, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max) throw new ParameterError(`${WHERE}: ${name} must be an integer in ${min}..${max}, got ${v}`);
    return v;
  };
  if (options.packets !== undefined && options.sweepPackets !== undefined) throw new ParameterError(`${WHERE}: give packets or sweepPackets, not both`);
  if (options.sweepPackets?.length === 0) throw new ParameterError(`${WHERE}: sweepPackets needs at least one count`);
  const counts = options.sweepPackets ?? (options.packets !== undefined ? [options.packets] : options.input ? [undefined] : [d.packets]);
  for (const k of counts) if (k !== undefined) count('a packet count', k, 1, 1_000_000);
  const fprs = [...(options.fprs ?? d.fprs)];
  if (fprs.length === 0 || fprs.some((a) => !(a > 0 && a < 1))) throw new ParameterError(`${WHERE}: the target FPRs must be in (0, 1), got ${fprs.join(',')}`);
  if (options.step !== undefined && !(options.step > 0)) throw new ParameterError(`${WHERE}: the grid step must be positive, got ${options.step}`);
  if (options.input && !options.delay) throw new ParameterError(`${WHERE}: recorded streams need the mix's delay law`);
  return {
    counts,
    fprs,
    step: options.step,
    delay: options.delay ?? expDelay(30),
    signalRate: positive('the signal rate', options.signalRate ?? d.signalRate),
    coverRate: positive('the cover rate', options.coverRate ?? d.coverRate, true),
    targets: count('the number of targets', options.targets ?? d.targets, 2, 100_000),
    seed: count('the seed', options.seed ?? d.seed, 0, Number.MAX_SAFE_INTEGER),
    keepScores: options.keepScores ?? false,
    kernels: options.kernels ?? referenceMixKernels,
  };
}

type Settings = ReturnType<typeof resolve>;

export async function traceRoc(options: TraceRocOptions = {}): Promise<TraceRocResult> {
  const job = rocJob(options);
  const rows = await jobRows(job, (T) => [0, T], options.onProgress);
  return rocResult(job.description, rows);
}

/** Every option checked as traceRoc checks it (recorded streams too), without scoring a pair: a caller checks before it starts the kernels. */
export function checkTraceRocOptions(options: TraceRocOptions): void {
  rocJob(options);
}

/** Shard `shard` of the ROC job the other options define: its slice of the target streams (see shardRange). */
export interface TraceRocShardOptions extends TraceRocOptions {
  shard: ShardSpec;
}

/**
 * Rows [first, first + count) of one ROC: each target's packets inside the window, the link
 * that carries it (−1: none), and its scores against every link (row-major, `links` each).
 */
export interface RocRows {
  counts: Float64Array;
  truth: Float64Array;
  scores: Float64Array;
}

/** Everything of a ROC result but its points' curves, each point's grid, and what ties a data run to its streams: equal jobs give shards that merge. */
export interface TraceRocJob {
  head: Omit<TraceRocResult, 'byPackets'>;
  points: { packets: number | null; step: number; gridLength: number }[];
  keepScores: boolean;
  /** Of the recorded streams' names and times ('simulation' for the simulation). */
  checksums: { input: string };
}

/** Shard `shard` of a ROC job: target rows first .. first + count − 1 at every packet count. */
export interface TraceRocShard {
  job: TraceRocJob;
  shard: ShardSpec;
  first: number;
  count: number;
  rows: RocRows[];
}

/**
 * Shard `options.shard` of the ROC job: its slice of the target streams, each scored against
 * every link. The simulation draws every stream (one generator per packet count) and scores
 * the rows of its slice.
 */
export async function traceRocShard(options: TraceRocShardOptions): Promise<TraceRocShard> {
  checkShardSpec(options.shard, WHERE);
  const job = rocJob(options);
  const [first, last] = shardRange(job.description.head.targets, options.shard);
  const rows = await jobRows(job, () => [first, last], options.onProgress);
  const { index, count } = options.shard;
  return { job: job.description, shard: { index, count }, first, count: last - first, rows };
}

/** The result of the ROC job the shards are slices of, from the shards alone. Refuses shards of different jobs, a shard missing or repeated. */
export function mergeTraceRocShards(shards: readonly TraceRocShard[], sources?: readonly string[]): TraceRocResult {
  const label = (i: number) => sources?.[i] ?? `shard #${i} (index ${shards[i].shard.index})`;
  if (shards.length === 0) throw new ParameterError(`${MERGE}: no shards to merge`);
  const { job } = shards[0];
  const ordered = shardsOfOneJob(shards, (s) => ({ job: s.job, shard: s.shard, first: s.first, count: s.count }), job.head.targets, label, MERGE);
  const rows = job.points.map((_, p) => ({
    counts: joinColumns(ordered.map((s) => s.rows[p].counts)),
    truth: joinColumns(ordered.map((s) => s.rows[p].truth)),
    scores: joinColumns(ordered.map((s) => s.rows[p].scores)),
  }));
  return rocResult(job, rows);
}

/** One packet count's streams on its grid: what its rows are computed from. */
interface RocInput {
  grid: TimeGrid;
  targets: Float64Array[];
  links: Float64Array[];
  truth: Int32Array;
}

/** The job: the settings checked, the result's head, each packet count's streams drawn (or read) on their grid. */
function rocJob(options: TraceRocOptions): { description: TraceRocJob; settings: Settings; inputs: () => Generator<RocInput> } {
  const settings = resolve(options);
  const { kernels } = settings;
  const common = { delay: settings.delay.spec, fprs: settings.fprs, method: METHOD, kernels: kernels.info.name, precision: kernels.info.precision };
  if (options.input) {
    const data = checkedStreams(options.input, settings);
    const { grid, truth } = data;
    const observed = (k: number | undefined) => data.targets.times.map((t) => (k === undefined ? t : t.subarray(0, k)));
    const input = new Checksum().strings(data.targets.names).strings(data.links.names).words(Uint32Array.of(...settings.counts.map((k) => k ?? 0)));
    for (const times of [...data.targets.times, ...data.links.times]) input.word(times.length).floats(times);
    return {
      description: {
        head: { mode: 'data', ...common, targets: data.targets.names.length, links: data.links.names.length, window: data.window },
        points: settings.counts.map((k) => ({ packets: k ?? null, step: grid.step, gridLength: grid.length })),
        keepScores: settings.keepScores,
        checksums: { input: input.hex() },
      },
      settings,
      inputs: function* () {
        for (const k of settings.counts) yield { grid, targets: observed(k), links: data.links.times, truth };
      },
    };
  }
  checkSimulationSize(settings);
  const counts = settings.counts as number[];
  return {
    description: {
      head: { mode: 'simulation', ...common, targets: settings.targets, links: settings.targets, signalRate: settings.signalRate, coverRate: settings.coverRate, seed: settings.seed },
      points: counts.map((k) => {
        const { grid } = simulationGrid(k, settings);
        return { packets: k, step: grid.step, gridLength: grid.length };
      }),
      keepScores: settings.keepScores,
      checksums: { input: 'simulation' },
    },
    settings,
    inputs: function* () {
      for (const k of counts) yield simulatedStreams(k, settings);
    },
  };
}

/** Each packet count's rows of the slice `range(T)` of its T targets, with progress over them. */
async function jobRows(job: ReturnType<typeof rocJob>, range: (T: number) => [number, number], onProgress?: (done: number, total: number) => void): Promise<RocRows[]> {
  const [from, to] = range(job.description.head.targets);
  const progress = progressOver(job.description.points.length * (to - from), onProgress);
  const rows: RocRows[] = [];
  for (const input of job.inputs()) rows.push(await rocRows(input, [from, to], job.settings, progress));
  return rows;
}

/** The result: the job's head and each packet count's ROC of its rows. */
function rocResult(job: TraceRocJob, rows: RocRows[]): TraceRocResult {
  const { fprs } = job.head;
  return { ...job.head, byPackets: job.points.map((point, p) => rocPoint(point, rows[p], job.head.links, fprs, job.keepScores)) };
}

/** onProgress over `total` target rows, counted as blocks finish. */
function progressOver(total: number, onProgress?: (done: number, total: number) => void): (rows: number) => void {
  let done = 0;
  return (rows) => onProgress?.((done += rows), total);
}

/** The simulation's grid for k packets: the targets' span plus the delay's (1 − 1e-6) quantile. */
function simulationGrid(k: number, settings: Settings): { grid: TimeGrid; span: number } {
  const span = k / settings.signalRate;
  const step = settings.step ?? defaultStep(settings.delay);
  const N = Math.ceil((span + settings.delay.quantile(1 - 1e-6)) / step);
  return { grid: { start: 0, step, length: N }, span };
}

/** Every packet count's grid and the pairs fit the bounds: checked before the first one runs. */
function checkSimulationSize(settings: Settings): void {
  const T = settings.targets;
  if (T * T > MAX_PAIRS) throw new ParameterError(`${WHERE}: ${T} targets make ${T * T} pairs, more than ${MAX_PAIRS}; use fewer targets`);
  for (const k of settings.counts as number[]) checkGrid(simulationGrid(k, settings).grid.length, T);
}

function checkGrid(N: number, rows: number): void {
  if (N > MAX_GRID) throw new ParameterError(`${WHERE}: a grid of ${N} points is too fine (at most ${MAX_GRID}); raise the step`);
  if (N * rows > MAX_SIGNAL_ELEMENTS) {
    throw new ParameterError(`${WHERE}: ${rows} targets on a grid of ${N} points (${N * rows} values) exceed ${MAX_SIGNAL_ELEMENTS}; use fewer targets or packets, or a coarser step`);
  }
}

/**
 * k packets per target: each target's stream, then its link (the stream through the mix
 * beside cover). One generator per packet count, seeded by it: a count's ROC is the same
 * alone or in a sweep.
 */
function simulatedStreams(k: number, settings: Settings): RocInput {
  const { grid, span } = simulationGrid(k, settings);
  const window = grid.length * grid.step;
  const rng = new Pcg32(settings.seed, 1000 + k);
  const targets: Float64Array[] = [];
  const links: Float64Array[] = [];
  for (let t = 0; t < settings.targets; t++) {
    const target = sortedUniforms(rng, k, 0, span);
    targets.push(target);
    links.push(mixedLink(rng, target, settings.delay, settings.coverRate, window));
  }
  return { grid, targets, links, truth: Int32Array.from(targets, (_, t) => t) };
}

/**
 * Rows [from, to) of the targets on one grid: each row's target convolved with the delay
 * and scored against every link (each row alone, so a slice scores as in the whole).
 */
async function rocRows({ grid, targets, links, truth }: RocInput, [from, to]: [number, number], settings: Settings, progress: (rows: number) => void): Promise<RocRows> {
  const { kernels } = settings;
  const N = grid.length;
  const T = to - from;
  const L = links.length;
  const f = new Float64Array(T * N);
  const counts = Float64Array.from({ length: T }, (_, r) => binDensity(targets[from + r], grid, f, r * N));
  const rows: RocRows = { counts, truth: Float64Array.from(truth.subarray(from, to)), scores: new Float64Array(T * L) };
  if (T === 0) return rows;
  const g = await kernels.convolve({ kernel: delayKernel(settings.delay, grid.step, N), signals: f, length: N, step: grid.step });
  normalizeRows(g, N, grid.step);
  const u = 1 / (N * grid.step);
  const { offsets, packets: times } = packLinks(links);
  const rowsPerCall = Math.max(1, Math.floor(PAIRS_PER_CALL / L));
  for (let t0 = 0; t0 < T; t0 += rowsPerCall) {
    const block = Math.min(rowsPerCall, T - t0);
    const pairs = block * L;
    const pairSignal = new Uint32Array(pairs);
    const pairLink = new Uint32Array(pairs);
    const pairWeight = new Float64Array(pairs);
    for (let r = 0; r < block; r++) {
      for (let l = 0; l < L; l++) {
        const p = r * L + l;
        pairSignal[p] = r;
        pairLink[p] = l;
        pairWeight[p] = links[l].length > 0 ? Math.min(1, counts[t0 + r] / links[l].length) : 1;
      }
    }
    const scores = await kernels.scoreLinks({
      grid,
      signals: g.subarray(t0 * N, (t0 + block) * N),
      packets: times,
      linkOffsets: offsets,
      pairSignal,
      pairLink,
      pairWeight,
      pairNoise: new Float64Array(pairs).fill(u),
    });
    rows.scores.set(scores, t0 * L);
    progress(block);
  }
  return rows;
}

/** One packet count's ROC from its rows: the true pairs (a row and the link carrying its target) against the false ones. */
function rocPoint(point: TraceRocJob['points'][number], { counts, truth, scores }: RocRows, L: number, fprs: number[], keepScores: boolean): TraceRocPoint {
  const T = counts.length;
  const positives: number[] = [];
  const negatives: number[] = [];
  for (let r = 0; r < T; r++) {
    for (let l = 0; l < L; l++) (truth[r] === l ? positives : negatives).push(scores[r * L + l]);
  }
  const meanTargetPackets = counts.reduce((a, b) => a + b, 0) / T;
  const roc = rocCurve(positives, negatives, fprs);
  return { packets: point.packets, meanTargetPackets, step: point.step, gridLength: point.gridLength, ...roc, ...(keepScores && { pairScores: scores }) };
}

/**
 * Recorded streams checked: names unique, times finite, every target with a packet in the
 * window, at least one true pair and one false one; the grid over the window (default step
 * as traceLinks: a tenth of the mean delay, coarser if the grid would pass MAX_GRID).
 */
function checkedStreams(input: RocStreams, settings: Settings) {
  const read = (list: RocStreams['links'], what: string): Streams => {
    const names = list.map((s) => s.name);
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) throw new ParameterError(`${WHERE}: two ${what}s are named "${name}"`);
      seen.add(name);
    }
    return { names, times: list.map((s) => sortedFiniteTimes(s.times, `${what} "${s.name}"`, WHERE)) };
  };
  const targets = read(input.targets, 'target');
  const links = read(input.links, 'link');
  if (targets.names.length === 0) throw new ParameterError(`${WHERE}: no target streams`);
  if (links.names.length === 0) throw new ParameterError(`${WHERE}: no output links`);
  const linkIndex = new Map(links.names.map((name, l) => [name, l]));
  const truth = Int32Array.from(targets.names, (name) => linkIndex.get(name) ?? -1);
  const positives = truth.reduce((n, l) => n + (l >= 0 ? 1 : 0), 0);
  if (positives === 0) throw new ParameterError(`${WHERE}: no target has a link of its name, so there is no true pair (name a target's link like the target)`);
  const pairs = targets.names.length * links.names.length;
  if (pairs === positives) throw new ParameterError(`${WHERE}: every pair is a true pair (one target, one link): there is no false pair to set a threshold on`);
  if (pairs > MAX_PAIRS) throw new ParameterError(`${WHERE}: ${pairs} (target, link) pairs, more than ${MAX_PAIRS}`);

  const window = input.window ?? packetWindow([...targets.times, ...links.times]);
  const [start, end] = window;
  if (!(end > start)) throw new ParameterError(`${WHERE}: the observation window [${start}, ${end}] is empty`);
  const step = settings.step ?? Math.max(defaultStep(settings.delay), (end - start) / (MAX_GRID - 1));
  const grid: TimeGrid = { start, step, length: Math.ceil((end - start) / step) + 1 }; // the last packet at `end` falls inside
  checkGrid(grid.length, targets.names.length);
  return { targets: inWindow(targets, start, end), links, truth, window: [start, end] as [number, number], grid };
}

/** Each target's packets inside [start, end] (what the attacker compares); a target with none is refused. */
function inWindow(targets: Streams, start: number, end: number): Streams {
  const times = targets.times.map((t, i) => {
    const inside = t.filter((x) => x >= start && x <= end);
    if (inside.length === 0) throw new ParameterError(`${WHERE}: target "${targets.names[i]}" has no packet inside the window [${start}, ${end}]`);
    return inside;
  });
  return { names: targets.names, times };
}
