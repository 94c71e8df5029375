import { ParameterError } from '../errors.js';
import { expDelay, poissonCount, scaleDelay, sortedUniforms, type DelayLaw } from '../mix/delays.js';
import { mixedLink, packetWindow, packLinks, sortedFiniteTimes } from '../mix/streams.js';
import { binDensity, defaultStep, delayKernel, MAX_GRID, normalizeRows } from '../mix/time-grid.js';
import { SCORE_FLOOR, type MixKernels, type TimeGrid } from '../engines/mix-kernels.js';
import { referenceMixKernels } from '../engines/reference.js';
import { Pcg32 } from '../random.js';
import { wilson } from '../stats/proportion.js';
import { checkShardSpec, joinColumns, shardRange, shardsOfOneJob, type ShardSpec } from './shards.js';

/**
 * Tracing a stream through one continuous-time mix (Danezis, PET 2004, §3). The target's
 * input stream, binned on a time grid as a density f (∫ f = 1), is convolved with the delay
 * density d: C(t) = (d * f)(t) is where its packets leave. A link X carrying n packets over a
 * window of length T would, if it carried the target's N_f packets, show the mixture density
 * (eq. 23)
 *     C_X(t) = [N_f (d*f)(t) + (n − N_f) u] / n,  u = 1/T
 * (rates λ_f = N_f/T, λ_X = n/T), and otherwise the uniform u. The log-likelihood ratio of
 * "X carries the target, Y does not" against the converse (eq. 28) is
 *     LLR = Σ_i ln C_X(X_i) − Σ_j ln C_Y(Y_j) + (m − n) ln u = score(X) − score(Y),
 * score(L) = Σ_{t ∈ L} ln(C_L(t)/u), in nats. With the packets of a link i.i.d. given its
 * count, its mean and variance if X carries the target (eqs. 31–34) are
 *     E₀ = n KL(C_X‖u) + m KL(u‖C_Y),  V₀ = n Var_{C_X}[ln(C_X/u)] + m Var_u[ln(C_Y/u)],
 * and if Y does, E₁ = −n KL(u‖C_X) − m KL(C_Y‖u), V₁ = n Var_u[ln(C_X/u)] + m Var_{C_Y}[ln(C_Y/u)].
 * Deciding X when LLR > 0 errs, by Chebyshev (eq. 35), with probability at most V₀/E₀².
 */

/** Moments of the LLR (eqs. 31–34) on the grid, for densities C_X, C_Y built from one signal g. */
export interface LlrMoments {
  /** If X carries the target. */
  mean: number;
  variance: number;
  /** If Y carries the target. */
  meanIfY: number;
  varianceIfY: number;
}

export function llrMoments(
  g: Float64Array,
  offset: number,
  N: number,
  step: number,
  u: number,
  aX: number,
  aY: number,
  n: number,
  m: number,
): LlrMoments {
  // Per link: under its own density E_C[l], E_C[l²], and under u E_u[l], E_u[l²], l = ln(C/u).
  const moments = (a: number) => {
    let eC = 0, eC2 = 0, eU = 0, eU2 = 0;
    for (let k = 0; k < N; k++) {
      const c = Math.max(a * g[offset + k] + (1 - a) * u, SCORE_FLOOR * u);
      const l = Math.log(c / u);
      eC += c * l * step;
      eC2 += c * l * l * step;
      eU += u * l * step;
      eU2 += u * l * l * step;
    }
    return { eC, varC: Math.max(0, eC2 - eC * eC), eU, varU: Math.max(0, eU2 - eU * eU) };
  };
  const x = moments(aX);
  const y = moments(aY);
  return {
    mean: n * x.eC - m * y.eU,
    variance: n * x.varC + m * y.varU,
    meanIfY: n * x.eU - m * y.eC,
    varianceIfY: n * x.varU + m * y.varC,
  };
}

/** Chebyshev (eq. 35): P(LLR ≤ 0 | X carries the target) ≤ V₀/E₀², at most 1 (1 when E₀ ≤ 0). */
export function chebyshevBound(mean: number, variance: number): number {
  return mean > 0 ? Math.min(1, variance / (mean * mean)) : 1;
}

// ---------------------------------------------------------------------------------------
// Given data: which link carries the target?

export interface TraceInput {
  /** The target's input packet times. */
  target: ArrayLike<number>;
  /** The candidate output links and their packet times. */
  links: { name: string; times: ArrayLike<number> }[];
  /** Observation window; default [earliest, latest] time in the data. */
  window?: [number, number];
}

export interface TraceLinksOptions {
  delay: DelayLaw;
  /** Grid step; default a tenth of the mean delay (coarser if the grid would exceed 4M points). */
  step?: number;
  kernels?: MixKernels;
}

export interface TraceLinkScore {
  name: string;
  packets: number;
  /** Σ ln(C_L(t)/u) in nats: the LLR of "L carries the target" against "L carries noise". */
  score: number;
  rank: number;
  /** False when the link carried fewer packets than the target sent (it cannot carry it). */
  feasible: boolean;
}

export interface TraceLinksResult {
  mode: 'data';
  delay: string;
  window: [number, number];
  step: number;
  gridLength: number;
  targetPackets: number;
  links: TraceLinkScore[];
  /** The link the LLR points at, and the next best. */
  decision: string;
  runnerUp: string | null;
  /** score(decision) − score(runnerUp), nats (eq. 28). */
  llr: number | null;
  /** Eqs. 31–34 with X = decision, Y = runnerUp. */
  theory: LlrMoments | null;
  /** Eq. 35: an upper bound on the error of the decision if the model holds. */
  errorBound: number | null;
  kernels: string;
}

const WHERE = 'anonscope/trace';
const MERGE = 'anonscope/mergeTraceSimulationShards';

export async function traceLinks(input: TraceInput, options: TraceLinksOptions): Promise<TraceLinksResult> {
  const kernels = options.kernels ?? referenceMixKernels;
  const { target, links } = checkedStreams(input);
  const [start, end] = input.window ?? packetWindow([target, ...links.map((l) => l.times)]);
  if (!(end > start)) throw new ParameterError(`${WHERE}: the observation window [${start}, ${end}] is empty`);
  const length = end - start;
  const step = options.step ?? Math.max(defaultStep(options.delay), length / (MAX_GRID - 1));
  if (!(step > 0)) throw new ParameterError(`${WHERE}: the grid step must be positive, got ${step}`);
  const N = Math.ceil(length / step) + 1; // the last packet at `end` falls inside
  if (N > MAX_GRID) throw new ParameterError(`${WHERE}: a grid of ${N} points is too fine (at most ${MAX_GRID}); raise --step`);
  const grid: TimeGrid = { start, step, length: N };
  const u = 1 / (N * step);

  const f = new Float64Array(N);
  const Nf = binDensity(target, grid, f);
  if (Nf === 0) throw new ParameterError(`${WHERE}: no target packet falls inside the window`);
  const g = await kernels.convolve({ kernel: delayKernel(options.delay, step, N), signals: f, length: N, step });
  normalizeRows(g, N, step);

  const { offsets, packets } = packLinks(links.map((l) => l.times));
  const weights = Float64Array.from(links, (l) => Math.min(1, l.times.length > 0 ? Nf / l.times.length : 1));
  const scores = await kernels.scoreLinks({
    grid,
    signals: g,
    packets,
    linkOffsets: offsets,
    pairSignal: new Uint32Array(links.length),
    pairLink: Uint32Array.from(links, (_, i) => i),
    pairWeight: weights,
    pairNoise: new Float64Array(links.length).fill(u),
  });
  const { order, scored } = rankLinks(links, scores, Nf);
  const top = order[0];
  const second = order.length > 1 ? order[1] : undefined;
  const theory =
    second === undefined
      ? null
      : llrMoments(g, 0, N, step, u, weights[top], weights[second], links[top].times.length, links[second].times.length);
  return {
    mode: 'data',
    delay: options.delay.spec,
    window: [start, end],
    step,
    gridLength: N,
    targetPackets: Nf,
    links: scored,
    decision: links[top].name,
    runnerUp: second === undefined ? null : links[second].name,
    llr: second === undefined ? null : scores[top] - scores[second],
    theory,
    errorBound: theory ? chebyshevBound(theory.mean, theory.variance) : null,
    kernels: kernels.info.name,
  };
}

/** The target stream and the links, each sorted, every time finite; at least one packet and one link. */
function checkedStreams(input: TraceInput): { target: Float64Array; links: { name: string; times: Float64Array }[] } {
  const target = sortedFiniteTimes(input.target, 'the target stream', WHERE);
  if (target.length === 0) throw new ParameterError(`${WHERE}: the target stream has no packets`);
  if (input.links.length === 0) throw new ParameterError(`${WHERE}: no output links to score`);
  return { target, links: input.links.map((l) => ({ name: l.name, times: sortedFiniteTimes(l.times, `link "${l.name}"`, WHERE) })) };
}

/** Links by score, the feasible ones (at least as many packets as the target sent) first. */
function rankLinks(links: { name: string; times: Float64Array }[], scores: Float64Array, Nf: number): { order: number[]; scored: TraceLinkScore[] } {
  const feasible = links.map((l) => l.times.length >= Nf);
  const order = links
    .map((_, i) => i)
    .sort((a, b) => Number(feasible[b]) - Number(feasible[a]) || scores[b] - scores[a]);
  const scored = links.map((l, i) => ({
    name: l.name,
    packets: l.times.length,
    score: scores[i],
    rank: order.indexOf(i) + 1,
    feasible: feasible[i],
  }));
  return { order, scored };
}

// ---------------------------------------------------------------------------------------
// Simulation: detection probability against the number of target packets.

export interface TraceSimulationOptions {
  /** λ_f: the target's packet rate (Danezis: 50). */
  signalRate?: number;
  /** Cover traffic on link X beside the target (Danezis: 150). */
  coverRate?: number;
  /** Padding on link Y, which does not carry the target (Danezis: 200). */
  paddingRate?: number;
  /** The mix's delay law (Danezis: exponential, departure rate 30). */
  delay?: DelayLaw;
  /** Target packet counts to evaluate. */
  packets?: number[];
  trials?: number;
  seed?: number;
  /** Grid step; default a tenth of the mean delay. */
  step?: number;
  /** Sweep axes: each cover rate c gives a curve with cover c on X and padding λ_f + c on Y (equal volumes). */
  coverRates?: number[];
  /** Each mean delay gives a curve with the delay law rescaled to that mean. */
  meanDelays?: number[];
  kernels?: MixKernels;
  onProgress?: (done: number, total: number) => void;
}

export interface DetectionPoint {
  packets: number;
  trials: number;
  /** P(LLR > 0 | X carries the target), ties counted half; Wilson 95% interval. */
  detection: { mean: number; ci95: [number, number] };
  /** 1 − mean over trials of min(1, V₀/E₀²): the Chebyshev lower bound on detection (eq. 35). */
  bound: number;
  /** The LLR over trials (nats): mean, its 95% CI, variance. */
  llr: { mean: number; ci95: [number, number]; variance: number };
  /** Eqs. 31–34 averaged over trials (each trial's own target stream and counts). */
  theory: { mean: number; variance: number };
}

export interface DetectionCurve {
  label: string;
  signalRate: number;
  coverRate: number;
  paddingRate: number;
  delay: string;
  meanDelay: number;
  points: DetectionPoint[];
}

export interface TraceSimulationResult {
  mode: 'simulation';
  trials: number;
  seed: number;
  packets: number[];
  curves: DetectionCurve[];
  kernels: string;
  precision: 'float64' | 'float32';
}

export const DEFAULT_TRACE_PACKETS = [1, 2, 3, 5, 8, 12, 20, 30, 50];

function positiveRate(name: string, v: number, allowZero = false): number {
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new ParameterError(`${WHERE}: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${v}`);
  }
  return v;
}

type TraceSetting = { signalRate: number; coverRate: number; paddingRate: number; delay: DelayLaw };

/** Each trial's LLR (nats) and its moments of eqs. 31–34 if X carries the target: what a point's statistics are made of, and what a shard holds. */
export interface TrialColumns {
  llr: Float64Array;
  mean: Float64Array;
  variance: Float64Array;
}

/**
 * Trials [from, to) of the point of k target packets. The trials are one random stream per
 * curve, so every trial of the point is drawn (those outside the slice, and the points
 * before, are drawn without being scored): each trial is the one the whole run draws.
 */
async function pointTrials(
  k: number,
  setting: TraceSetting,
  trials: number,
  [from, to]: [number, number],
  rng: Pcg32,
  stepOption: number | undefined,
  kernels: MixKernels,
): Promise<TrialColumns> {
  const { delay } = setting;
  const T = k / setting.signalRate;
  const tail = delay.quantile(1 - 1e-6);
  const step = stepOption ?? defaultStep(delay);
  const N = Math.ceil((T + tail) / step);
  if (N > MAX_GRID) throw new ParameterError(`${WHERE}: a grid of ${N} points is too fine (at most ${MAX_GRID}); raise --step`);
  const window = N * step;
  const u = 1 / window;
  const grid: TimeGrid = { start: 0, step, length: N };

  const count = to - from;
  const f = new Float64Array(count * N);
  const linkTimes: Float64Array[] = [];
  for (let t = 0; t < trials; t++) {
    const { target, links } = drawTrial(rng, k, T, window, setting);
    if (t < from || t >= to) continue;
    binDensity(target, grid, f, (t - from) * N);
    linkTimes.push(...links);
  }
  const columns: TrialColumns = { llr: new Float64Array(count), mean: new Float64Array(count), variance: new Float64Array(count) };
  if (count === 0) return columns;
  const g = await kernels.convolve({ kernel: delayKernel(delay, step, N), signals: f, length: N, step });
  normalizeRows(g, N, step);

  const { offsets, packets } = packLinks(linkTimes);
  const pairWeight = Float64Array.from(linkTimes, (times) => (times.length > 0 ? Math.min(1, k / times.length) : 1));
  const scores = await kernels.scoreLinks({
    grid,
    signals: g,
    packets,
    linkOffsets: offsets,
    pairSignal: Uint32Array.from({ length: 2 * count }, (_, p) => p >> 1),
    pairLink: Uint32Array.from({ length: 2 * count }, (_, p) => p),
    pairWeight,
    pairNoise: new Float64Array(2 * count).fill(u),
  });
  for (let t = 0; t < count; t++) {
    const m = llrMoments(g, t * N, N, step, u, pairWeight[2 * t], pairWeight[2 * t + 1], linkTimes[2 * t].length, linkTimes[2 * t + 1].length);
    columns.llr[t] = scores[2 * t] - scores[2 * t + 1];
    columns.mean[t] = m.mean;
    columns.variance[t] = m.variance;
  }
  return columns;
}

/**
 * One trial: k target packets uniform on [0, T), then link X (the target delayed by the
 * mix, beside Poisson cover) and link Y (Poisson padding), as seen in the window.
 */
function drawTrial(rng: Pcg32, k: number, T: number, window: number, setting: TraceSetting): { target: Float64Array; links: [Float64Array, Float64Array] } {
  const target = sortedUniforms(rng, k, 0, T);
  const linkX = mixedLink(rng, target, setting.delay, setting.coverRate, window);
  return { target, links: [linkX, sortedUniforms(rng, poissonCount(rng, setting.paddingRate * window), 0, window)] };
}

/** A point's detection, Chebyshev bound and LLR moments over its trials, in trial order. */
function detectionPoint(packets: number, { llr, mean: means, variance: variances }: TrialColumns): DetectionPoint {
  const trials = llr.length;
  let detected = 0;
  let sum = 0;
  let squares = 0;
  let theoryMean = 0;
  let theoryVariance = 0;
  let boundSum = 0;
  for (let t = 0; t < trials; t++) {
    detected += llr[t] > 0 ? 1 : llr[t] === 0 ? 0.5 : 0;
    sum += llr[t];
    squares += llr[t] * llr[t];
    theoryMean += means[t];
    theoryVariance += variances[t];
    boundSum += chebyshevBound(means[t], variances[t]);
  }
  const mean = sum / trials;
  const variance = Math.max(0, (squares - trials * mean * mean) / (trials - 1));
  const half = 1.959963984540054 * Math.sqrt(variance / trials);
  return {
    packets,
    trials,
    detection: { mean: detected / trials, ci95: wilson(detected, trials) },
    bound: 1 - boundSum / trials,
    llr: { mean, ci95: [mean - half, mean + half], variance },
    theory: { mean: theoryMean / trials, variance: theoryVariance / trials },
  };
}

/**
 * Detection probability against the number of target packets: each trial draws a Poisson
 * target stream of k packets (rate λ_f), sends it through the mix onto link X beside Poisson
 * cover, puts Poisson padding on link Y, and decides by the sign of the LLR. Defaults are
 * Danezis's example: signal 50, cover 150 on X, padding 200 on Y, exponential delay of rate 30.
 */
export async function traceSimulation(options: TraceSimulationOptions = {}): Promise<TraceSimulationResult> {
  const run = resolveSimulation(options);
  return simulationResult(simulationJob(run), await simulationColumns(run, [0, run.trials], options.onProgress));
}

/** Shard `shard` of the simulation the other options define: its slice of every point's trials (see shardRange). */
export interface TraceSimulationShardOptions extends TraceSimulationOptions {
  shard: ShardSpec;
}

/** Everything of a simulation's result but its points' statistics, and the grid step asked for: equal jobs give shards that merge. */
export interface TraceSimulationJob extends Omit<TraceSimulationResult, 'curves'> {
  step: number | null;
  curves: Omit<DetectionCurve, 'points'>[];
}

/** Shard `shard` of a simulation: trials first .. first + count − 1 of every point, by curve and packet count. */
export interface TraceSimulationShard {
  job: TraceSimulationJob;
  shard: ShardSpec;
  first: number;
  count: number;
  /** columns[curve][point]. */
  columns: TrialColumns[][];
}

/**
 * Shard `options.shard` of the simulation: the trials of its slice at every point. A curve's
 * trials are one random stream, so the shard draws every trial and scores those of its slice.
 */
export async function traceSimulationShard(options: TraceSimulationShardOptions): Promise<TraceSimulationShard> {
  checkShardSpec(options.shard, WHERE);
  const run = resolveSimulation(options);
  const [first, last] = shardRange(run.trials, options.shard);
  const columns = await simulationColumns(run, [first, last], options.onProgress);
  const { index, count } = options.shard;
  return { job: simulationJob(run), shard: { index, count }, first, count: last - first, columns };
}

/**
 * The result of the simulation the shards are slices of: the object traceSimulation returns
 * for it, from the shards alone. Refuses shards of different jobs, a shard missing or repeated.
 */
export function mergeTraceSimulationShards(shards: readonly TraceSimulationShard[], sources?: readonly string[]): TraceSimulationResult {
  const label = (i: number) => sources?.[i] ?? `shard #${i} (index ${shards[i].shard.index})`;
  if (shards.length === 0) throw new ParameterError(`${MERGE}: no shards to merge`);
  const { job } = shards[0];
  const ordered = shardsOfOneJob(shards, (s) => ({ job: s.job, shard: s.shard, first: s.first, count: s.count }), job.trials, label, MERGE);
  const joined = (curve: number, point: number, column: keyof TrialColumns) => joinColumns(ordered.map((s) => s.columns[curve][point][column]));
  const columns = job.curves.map((_, c) => job.packets.map((_, p) => ({ llr: joined(c, p, 'llr'), mean: joined(c, p, 'mean'), variance: joined(c, p, 'variance') })));
  return simulationResult(job, columns);
}

/** The simulation's options checked, every default filled in, its curves laid out. */
function resolveSimulation(options: TraceSimulationOptions) {
  const signalRate = positiveRate('the signal rate', options.signalRate ?? 50);
  const coverRate = positiveRate('the cover rate', options.coverRate ?? 150, true);
  const paddingRate = positiveRate('the padding rate', options.paddingRate ?? 200, true);
  const delay = options.delay ?? expDelay(30);
  const packets = options.packets ?? DEFAULT_TRACE_PACKETS;
  if (packets.length === 0 || packets.some((k) => !Number.isInteger(k) || k < 1 || k > 1_000_000)) {
    throw new ParameterError(`${WHERE}: packet counts must be integers in 1..1000000, got ${packets.join(',')}`);
  }
  const trials = options.trials ?? 200;
  if (!Number.isInteger(trials) || trials < 2) throw new ParameterError(`${WHERE}: trials must be an integer >= 2, got ${trials}`);
  const seed = options.seed ?? 1;
  if (options.step !== undefined && !(options.step > 0)) throw new ParameterError(`${WHERE}: the grid step must be positive, got ${options.step}`);
  if (!Number.isFinite(delay.mean) && options.meanDelays?.length) {
    throw new ParameterError(`${WHERE}: a mean-delay sweep needs a delay law with a finite mean (${delay.spec})`);
  }
  const kernels = options.kernels ?? referenceMixKernels;

  const settings: (TraceSetting & { label: string })[] = [];
  for (const c of options.coverRates ?? []) {
    positiveRate('a swept cover rate', c, true);
    settings.push({ label: `cover ${c}`, signalRate, coverRate: c, paddingRate: signalRate + c, delay });
  }
  for (const md of options.meanDelays ?? []) {
    positiveRate('a swept mean delay', md);
    const scaled = scaleDelay(delay, md / delay.mean);
    settings.push({ label: `mean delay ${md}`, signalRate, coverRate, paddingRate, delay: scaled });
  }
  if (settings.length === 0) settings.push({ label: 'base', signalRate, coverRate, paddingRate, delay });
  return { trials, seed, packets, step: options.step, kernels, settings };
}

type SimulationRun = ReturnType<typeof resolveSimulation>;

/** Trials [from, to) of every point, columns[curve][point]. */
async function simulationColumns(run: SimulationRun, range: [number, number], onProgress?: (done: number, total: number) => void): Promise<TrialColumns[][]> {
  const columns: TrialColumns[][] = [];
  const total = run.settings.length * run.packets.length;
  let done = 0;
  for (const [index, setting] of run.settings.entries()) {
    // One generator per curve: adding a curve leaves the others' numbers unchanged.
    const rng = new Pcg32(run.seed, 54 + index);
    const points: TrialColumns[] = [];
    for (const k of run.packets) {
      points.push(await pointTrials(k, setting, run.trials, range, rng, run.step, run.kernels));
      onProgress?.(++done, total);
    }
    columns.push(points);
  }
  return columns;
}

function simulationJob({ trials, seed, packets, step, kernels, settings }: SimulationRun): TraceSimulationJob {
  return {
    mode: 'simulation',
    trials,
    seed,
    packets: [...packets],
    step: step ?? null,
    curves: settings.map((setting) => ({
      label: setting.label,
      signalRate: setting.signalRate,
      coverRate: setting.coverRate,
      paddingRate: setting.paddingRate,
      delay: setting.delay.spec,
      meanDelay: setting.delay.mean,
    })),
    kernels: kernels.info.name,
    precision: kernels.info.precision,
  };
}

/** The result: each point's trials summarized, in the job's order of curves and packet counts. */
function simulationResult(job: TraceSimulationJob, columns: TrialColumns[][]): TraceSimulationResult {
  const { mode, trials, seed, packets, kernels, precision } = job;
  const curves = job.curves.map((curve, c) => ({ ...curve, points: packets.map((k, p) => detectionPoint(k, columns[c][p])) }));
  return { mode, trials, seed, packets: [...packets], curves, kernels, precision };
}
