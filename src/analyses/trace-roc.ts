import { ParameterError } from '../errors.js';
import { expDelay, sortedUniforms, type DelayLaw } from '../mix/delays.js';
import { mixedLink, packetWindow, packLinks, sortedFiniteTimes } from '../mix/streams.js';
import { binDensity, defaultStep, delayKernel, MAX_GRID, normalizeRows } from '../mix/time-grid.js';
import type { MixKernels, TimeGrid } from '../engines/mix-kernels.js';
import { referenceMixKernels } from '../engines/reference.js';
import { Pcg32 } from '../random.js';
import { DEFAULT_FPRS, rocCurve, type RocCurve } from '../stats/roc.js';

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
  const settings = resolve(options);
  const { kernels } = settings;
  const common = { delay: settings.delay.spec, fprs: settings.fprs, method: METHOD, kernels: kernels.info.name, precision: kernels.info.precision };
  if (options.input) {
    const data = checkedStreams(options.input, settings);
    const { grid } = data;
    const progress = progressOver(settings.counts.length * data.targets.names.length, options.onProgress);
    const byPackets: TraceRocPoint[] = [];
    for (const k of settings.counts) {
      const observed = data.targets.times.map((t) => (k === undefined ? t : t.subarray(0, k)));
      byPackets.push(await rocAt(k ?? null, grid, observed, data.links.times, data.truth, settings, progress));
    }
    return { mode: 'data', ...common, targets: data.targets.names.length, links: data.links.names.length, window: data.window, byPackets };
  }
  checkSimulationSize(settings);
  const progress = progressOver(settings.counts.length * settings.targets, options.onProgress);
  const byPackets: TraceRocPoint[] = [];
  for (const k of settings.counts as number[]) byPackets.push(await simulatedRoc(k, settings, progress));
  return {
    mode: 'simulation',
    ...common,
    targets: settings.targets,
    links: settings.targets,
    signalRate: settings.signalRate,
    coverRate: settings.coverRate,
    seed: settings.seed,
    byPackets,
  };
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
async function simulatedRoc(k: number, settings: Settings, progress: (rows: number) => void): Promise<TraceRocPoint> {
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
  return rocAt(k, grid, targets, links, Int32Array.from(targets, (_, t) => t), settings, progress);
}

/**
 * Scores of every (target, link) pair on one grid, split into true pairs (`truth[t]`, the
 * link carrying target t, or −1) and false ones, and their ROC.
 */
async function rocAt(
  packets: number | null,
  grid: TimeGrid,
  targets: Float64Array[],
  links: Float64Array[],
  truth: Int32Array,
  settings: Settings,
  progress: (rows: number) => void,
): Promise<TraceRocPoint> {
  const { kernels } = settings;
  const N = grid.length;
  const T = targets.length;
  const L = links.length;
  const f = new Float64Array(T * N);
  const counts = targets.map((times, t) => binDensity(times, grid, f, t * N));
  const g = await kernels.convolve({ kernel: delayKernel(settings.delay, grid.step, N), signals: f, length: N, step: grid.step });
  normalizeRows(g, N, grid.step);
  const u = 1 / (N * grid.step);
  const { offsets, packets: times } = packLinks(links);

  const positives: number[] = [];
  const negatives: number[] = [];
  const kept = settings.keepScores ? new Float64Array(T * L) : undefined;
  const rowsPerCall = Math.max(1, Math.floor(PAIRS_PER_CALL / L));
  for (let t0 = 0; t0 < T; t0 += rowsPerCall) {
    const rows = Math.min(rowsPerCall, T - t0);
    const pairs = rows * L;
    const pairSignal = new Uint32Array(pairs);
    const pairLink = new Uint32Array(pairs);
    const pairWeight = new Float64Array(pairs);
    for (let r = 0; r < rows; r++) {
      for (let l = 0; l < L; l++) {
        const p = r * L + l;
        pairSignal[p] = r;
        pairLink[p] = l;
        pairWeight[p] = links[l].length > 0 ? Math.min(1, counts[t0 + r] / links[l].length) : 1;
      }
    }
    const scores = await kernels.scoreLinks({
      grid,
      signals: g.subarray(t0 * N, (t0 + rows) * N),
      packets: times,
      linkOffsets: offsets,
      pairSignal,
      pairLink,
      pairWeight,
      pairNoise: new Float64Array(pairs).fill(u),
    });
    for (let r = 0; r < rows; r++) {
      for (let l = 0; l < L; l++) (truth[t0 + r] === l ? positives : negatives).push(scores[r * L + l]);
    }
    kept?.set(scores, t0 * L);
    progress(rows);
  }
  const meanTargetPackets = counts.reduce((a, b) => a + b, 0) / T;
  const roc = rocCurve(positives, negatives, settings.fprs);
  return { packets, meanTargetPackets, step: grid.step, gridLength: N, ...roc, ...(kept && { pairScores: kept }) };
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
