import { ParameterError } from '../errors.js';
import { lawsWithMean, poissonCount, uniform01, type DelayLaw } from '../mix/delays.js';
import { type MixKernels } from '../engines/mix-kernels.js';
import { referenceMixKernels } from '../engines/reference.js';
import { Pcg32 } from '../random.js';
import { summarize } from '../stats/summary.js';
import { checkShardSpec, shardRange, shardsOfOneJob, type ShardSpec } from './shards.js';

/**
 * Sender anonymity of one continuous-time mix (Danezis, PET 2004, §2). Messages arrive as a
 * Poisson process of rate λ and each leaves after an independent delay with density f. An
 * observer of a message leaving at β assigns p_i ∝ f(β − X_i) to the arrivals X_i; the
 * anonymity is the Shannon entropy of p, in bits. For large λ its expectation tends to
 * h(f) + log2 λ (h the differential entropy in bits); the exponential delay of rate μ gives
 * log2(λe/μ), the most for its mean, and the model breaks down when that is negative
 * (μ > λe: about one message or fewer in the mix).
 *
 * Monte Carlo: each trial puts the output at β = 0, draws the output message's own delay D
 * (its arrival is −D) and the other arrivals as a Poisson process of rate λ on [−W, 0),
 * W = the delay's (1 − tailMass) quantile (arrivals earlier than that carry almost no
 * weight). By Slivnyak's theorem the other arrivals, seen from a tagged message, are again
 * Poisson, so this is the stationary law of what the observer sees.
 */
export interface SingleMixOptions {
  /** Arrival rate λ (messages per time unit). */
  rate: number;
  delay: DelayLaw;
  /** Monte-Carlo trials (sampled output messages), default 1000. */
  trials?: number;
  /** Seed of PCG32, default 1. */
  seed?: number;
  /** Arrivals older than the (1 − tailMass) quantile of the delay are left out, default 1e-6. */
  tailMass?: number;
  kernels?: MixKernels;
  /** Keep every trial's entropy in the result (perTrial). */
  keepTrials?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface SingleMixResult {
  rate: number;
  delay: { spec: string; kind: string; params: Record<string, number>; mean: number; entropy: number; entropyMethod: string };
  /** λ · E[D]: the mean number of messages inside the mix. */
  load: number;
  trials: number;
  seed: number;
  tailMass: number;
  simulated: { mean: number; ci95: [number, number]; sd: number; min: number; median: number; max: number };
  /** h(f) + log2 λ, bits: the large-λ limit (Danezis). */
  theory: number;
  /**
   * The limit plus its first-order finite-λ term, h(f) + log2 λ + ∫f² / (2λ ln 2): expanding
   * ln S − (Σ f ln f)/S around S = λ, with the output message's own term included, gives
   * E[H] = ln λ + h + ∫f²/(2λ) + O(λ⁻²) nats. (Exponential: + μ/(4λ ln 2) bits.)
   */
  theoryFirstOrder: number;
  /** false where the closed form is negative (exponential: μ > λe), i.e. the model breaks down. */
  valid: boolean;
  warnings: string[];
  kernels: string;
  precision: 'float64' | 'float32';
  /** Each trial's entropy, bits (with keepTrials). */
  perTrial?: number[];
}

export const DEFAULT_MIX_TRIALS = 1000;
/** More arrivals than this in one trial is refused (it would take minutes); raise tailMass or lower λ. */
export const MAX_ARRIVALS_PER_TRIAL = 2_000_000;
/** Arrivals handed to one kernel call. */
const CHUNK_ARRIVALS = 1 << 22;

const WHERE = 'anonscope/singleMix';
const MERGE = 'anonscope/mergeSingleMixShards';

function checkOptions(options: SingleMixOptions): { trials: number; seed: number; tailMass: number; window: number } {
  const { rate, delay } = options;
  if (!Number.isFinite(rate) || rate <= 0) throw new ParameterError(`${WHERE}: --rate must be a positive number, got ${rate}`);
  const trials = options.trials ?? DEFAULT_MIX_TRIALS;
  if (!Number.isInteger(trials) || trials < 2) throw new ParameterError(`${WHERE}: --trials must be an integer >= 2, got ${trials}`);
  const seed = options.seed ?? 1;
  const tailMass = options.tailMass ?? 1e-6;
  if (!(tailMass > 0 && tailMass < 0.5)) throw new ParameterError(`${WHERE}: tail mass must be in (0, 0.5), got ${tailMass}`);
  const window = delay.quantile(1 - tailMass);
  const expected = rate * window;
  if (!Number.isFinite(expected) || expected > MAX_ARRIVALS_PER_TRIAL) {
    throw new ParameterError(
      `${WHERE}: λ × (the delay's ${1 - tailMass} quantile) = ${expected.toPrecision(3)} arrivals per trial is too many ` +
        `(at most ${MAX_ARRIVALS_PER_TRIAL}); use a lower rate, a lighter-tailed delay or a larger tail mass`,
    );
  }
  return { trials, seed, tailMass, window };
}

/** Closed form h(f) + log2 λ, in bits. */
export function singleMixTheory(rate: number, delay: DelayLaw): number {
  return delay.entropyBits + Math.log2(rate);
}

/** h(f) + log2 λ + ∫f² / (2λ ln 2), in bits (see SingleMixResult.theoryFirstOrder). */
export function singleMixFirstOrder(rate: number, delay: DelayLaw): number {
  return singleMixTheory(rate, delay) + delay.collision / (2 * rate * Math.LN2);
}

export async function singleMix(options: SingleMixOptions): Promise<SingleMixResult> {
  const { trials, seed, window } = checkOptions(options);
  const kernels = options.kernels ?? referenceMixKernels;
  const entropies = await trialEntropies(options, [0, trials], window, new Pcg32(seed), kernels);
  return mixResult(mixJob(options, kernels), entropies, options.keepTrials ?? false);
}

/** Shard `shard` of the job the other options define: its slice of the trials (see shardRange). */
export interface SingleMixShardOptions extends SingleMixOptions {
  shard: ShardSpec;
}

/** Everything of a result that does not depend on the trials' entropies: equal jobs give shards that merge. */
export type SingleMixJob = Omit<SingleMixResult, 'simulated' | 'perTrial'>;

/** Shard `shard` of a job: the entropies of trials first .. first + entropies.length - 1. */
export interface SingleMixShard {
  job: SingleMixJob;
  shard: ShardSpec;
  first: number;
  entropies: Float64Array;
}

/**
 * Shard `options.shard` of the job: the entropies of its slice of the trials. The trials are
 * one random stream, so the shard draws the trials before its slice too (without computing
 * their entropies): each trial is the one the unsharded run draws.
 */
export async function singleMixShard(options: SingleMixShardOptions): Promise<SingleMixShard> {
  checkShardSpec(options.shard, WHERE);
  const { trials, seed, window } = checkOptions(options);
  const kernels = options.kernels ?? referenceMixKernels;
  const range = shardRange(trials, options.shard);
  const entropies = await trialEntropies(options, range, window, new Pcg32(seed), kernels);
  const { index, count } = options.shard;
  return { job: mixJob(options, kernels), shard: { index, count }, first: range[0], entropies };
}

/**
 * The result of the job the shards are slices of: the object singleMix returns for it (with
 * keepTrials as asked), from the shards alone. Refuses shards of different jobs, a shard
 * missing or repeated.
 */
export function mergeSingleMixShards(shards: readonly SingleMixShard[], keepTrials = false, sources?: readonly string[]): SingleMixResult {
  const label = (i: number) => sources?.[i] ?? `shard #${i} (index ${shards[i].shard.index})`;
  if (shards.length === 0) throw new ParameterError(`${MERGE}: no shards to merge`);
  const part = (s: SingleMixShard) => ({ job: s.job, shard: s.shard, first: s.first, count: s.entropies.length });
  const ordered = shardsOfOneJob(shards, part, shards[0].job.trials, label, MERGE);
  const entropies = new Float64Array(shards[0].job.trials);
  for (const s of ordered) entropies.set(s.entropies, s.first);
  return mixResult(shards[0].job, entropies, keepTrials);
}

function mixJob(options: SingleMixOptions, kernels: MixKernels): SingleMixJob {
  const { rate, delay } = options;
  const { trials, seed, tailMass } = checkOptions(options);
  const theory = singleMixTheory(rate, delay);
  const load = rate * delay.mean;
  return {
    rate,
    delay: {
      spec: delay.spec,
      kind: delay.kind,
      params: { ...delay.params },
      mean: delay.mean,
      entropy: delay.entropyBits,
      entropyMethod: delay.entropyMethod,
    },
    load,
    trials,
    seed,
    tailMass,
    theory,
    theoryFirstOrder: singleMixFirstOrder(rate, delay),
    valid: theory >= 0,
    warnings: modelWarnings(rate, delay, theory, load),
    kernels: kernels.info.name,
    precision: kernels.info.precision,
  };
}

/** The result: the job with the trials' entropies summarized. */
function mixResult(job: SingleMixJob, entropies: Float64Array, keepTrials: boolean): SingleMixResult {
  const summary = summarize(entropies, false);
  let squares = 0;
  for (const h of entropies) squares += (h - summary.mean) ** 2;
  const { theory, theoryFirstOrder, valid, warnings, kernels, precision, ...head } = job;
  return {
    ...head,
    simulated: {
      mean: summary.mean,
      ci95: summary.ci95,
      sd: Math.sqrt(squares / (job.trials - 1)),
      min: summary.min,
      median: summary.median,
      max: summary.max,
    },
    theory,
    theoryFirstOrder,
    valid,
    warnings,
    kernels,
    precision,
    ...(keepTrials ? { perTrial: Array.from(entropies) } : {}),
  };
}

/**
 * The entropies of trials [from, to), drawn in chunks of about CHUNK_ARRIVALS arrivals, one
 * kernel call each; the trials before `from` are drawn and dropped, so that each trial is
 * the one of the whole stream.
 */
async function trialEntropies(options: SingleMixOptions, [from, to]: [number, number], window: number, rng: Pcg32, kernels: MixKernels): Promise<Float64Array> {
  for (let skipped = 0; skipped < from; ) skipped += drawTrials(rng, options.rate, options.delay, window, from - skipped).offsets.length - 1;
  const entropies = new Float64Array(to - from);
  let done = 0;
  while (done < to - from) {
    const { times, offsets } = drawTrials(rng, options.rate, options.delay, window, to - from - done);
    const count = offsets.length - 1;
    const result = await kernels.mixEntropies({
      density: options.delay.descriptor(),
      arrivals: Float64Array.from(times),
      trialOffsets: Uint32Array.from(offsets),
      outputs: new Float64Array(count),
    });
    entropies.set(result, done);
    done += count;
    options.onProgress?.(done, to - from);
  }
  return entropies;
}

/**
 * Up to `most` trials, until they hold about CHUNK_ARRIVALS arrivals: each the output
 * message's own arrival −D, then a Poisson number of arrivals uniform on [−window, 0).
 */
function drawTrials(rng: Pcg32, rate: number, delay: DelayLaw, window: number, most: number): { times: number[]; offsets: number[] } {
  const offsets: number[] = [0];
  const times: number[] = [];
  while (offsets.length - 1 < most && times.length < CHUNK_ARRIVALS) {
    times.push(-delay.sample(rng)); // the output message itself
    const n = poissonCount(rng, rate * window);
    for (let i = 0; i < n; i++) times.push(-window * uniform01(rng));
    offsets.push(times.length);
  }
  return { times, offsets };
}

/** Where the closed form misleads: negative (the model breaks down), or a load too light for a large-λ limit. */
function modelWarnings(rate: number, delay: DelayLaw, theory: number, load: number): string[] {
  if (!(theory >= 0)) {
    return [
      delay.kind === 'exp'
        ? `the model breaks down: μ = ${delay.params.mu} > λe = ${(rate * Math.E).toPrecision(4)} (log2(λe/μ) < 0)`
        : `the model breaks down: h(f) + log2 λ = ${theory.toFixed(3)} < 0`,
    ];
  }
  if (load < 10) return [`λ·E[D] = ${load.toPrecision(3)} < 10: h(f) + log2 λ is a large-λ limit, the simulated mean is the anonymity here`];
  return [];
}

export interface SingleMixSweepOptions {
  /** The delay law; its mean fixes the time unit. */
  delay: DelayLaw;
  /** Loads λ·E[D] to evaluate (λ/μ for the exponential); λ = load / E[D]. */
  loads?: number[];
  /** Also run the laws of the same mean (exp, uniform, Erlang-3, log-normal s = 1, Pareto α = 3). */
  compareLaws?: boolean;
  /** Compare `delay` with these laws (each of its mean), in this order, in place of the standard laws of its mean. */
  compareWith?: DelayLaw[];
  trials?: number;
  seed?: number;
  tailMass?: number;
  kernels?: MixKernels;
  onProgress?: (done: number, total: number) => void;
}

export interface SweepRow {
  law: string;
  kind: string;
  load: number;
  rate: number;
  meanDelay: number;
  simulated: { mean: number; ci95: [number, number] };
  theory: number;
  theoryFirstOrder: number;
  valid: boolean;
}

export interface SingleMixSweepResult {
  meanDelay: number;
  loads: number[];
  laws: { spec: string; kind: string; entropy: number }[];
  trials: number;
  seed: number;
  rows: SweepRow[];
  /** The law with the highest simulated mean at each load (the exponential, by theory). */
  best: { load: number; law: string }[];
  kernels: string;
  precision: 'float64' | 'float32';
}

export const DEFAULT_LOADS = [0.5, 1, 2, 5, 10, 20, 50, 100];

/** The sweep's loads and laws, each checked (loads positive, one mean, no law twice). */
function sweepSettings(options: SingleMixSweepOptions): { loads: number[]; meanDelay: number; laws: DelayLaw[] } {
  const loads = options.loads ?? DEFAULT_LOADS;
  if (loads.length === 0 || loads.some((r) => !(r > 0) || !Number.isFinite(r))) {
    throw new ParameterError(`${WHERE}: sweep loads must be positive numbers, got ${loads.join(',')}`);
  }
  const meanDelay = options.delay.mean;
  if (!Number.isFinite(meanDelay)) throw new ParameterError(`${WHERE}: a sweep needs a delay law with a finite mean (${options.delay.spec})`);
  const laws: DelayLaw[] = [options.delay];
  if (options.compareWith) {
    if (options.compareLaws === false) throw new ParameterError(`${WHERE}: compareLaws false runs the law alone, compareWith names laws to compare: give one of them`);
    for (const law of options.compareWith) {
      if (laws.some((l) => l.spec === law.spec)) throw new ParameterError(`${WHERE}: the delay law ${law.spec} is given twice`);
      // Every law at the same load λ·E[D] has the same λ: the laws are compared at equal traffic.
      if (!(Math.abs(law.mean - meanDelay) <= 1e-9 * meanDelay)) {
        throw new ParameterError(`${WHERE}: a sweep compares laws of one mean (at each load λ·E[D] they share λ): ${law.spec} has mean ${law.mean}, ${options.delay.spec} has ${meanDelay}`);
      }
      laws.push(law);
    }
  } else if (options.compareLaws ?? true) {
    for (const law of lawsWithMean(meanDelay)) if (!laws.some((l) => l.spec === law.spec)) laws.push(law);
  }
  return { loads, meanDelay, laws };
}

/** The sweep's loads and laws checked as singleMixSweep checks them, without running a cell (a CLI checks before it starts the kernels). */
export function checkSingleMixSweepOptions(options: SingleMixSweepOptions): void {
  sweepSettings(options);
}

/**
 * Simulated anonymity against the closed form over loads λ·E[D] (= λ/μ for the exponential),
 * for the given law and, with compareLaws, for the standard laws of the same mean (or the laws
 * of compareWith, of that mean too). Every cell uses the same seed (common random numbers
 * across laws).
 */
export async function singleMixSweep(options: SingleMixSweepOptions): Promise<SingleMixSweepResult> {
  const { loads, meanDelay, laws } = sweepSettings(options);
  const trials = options.trials ?? 400;
  const seed = options.seed ?? 1;
  const rows: SweepRow[] = [];
  const total = laws.length * loads.length;
  const kernels = options.kernels ?? referenceMixKernels;
  for (const law of laws) {
    for (const load of loads) {
      const rate = load / meanDelay;
      const r = await singleMix({ rate, delay: law, trials, seed, tailMass: options.tailMass, kernels });
      rows.push({
        law: law.spec,
        kind: law.kind,
        load,
        rate,
        meanDelay,
        simulated: { mean: r.simulated.mean, ci95: r.simulated.ci95 },
        theory: r.theory,
        theoryFirstOrder: r.theoryFirstOrder,
        valid: r.valid,
      });
      options.onProgress?.(rows.length, total);
    }
  }
  const best = loads.map((load) => {
    const atLoad = rows.filter((row) => row.load === load);
    const top = atLoad.reduce((a, b) => (b.simulated.mean > a.simulated.mean ? b : a));
    return { load, law: top.law };
  });
  return {
    meanDelay,
    loads,
    laws: laws.map((l) => ({ spec: l.spec, kind: l.kind, entropy: l.entropyBits })),
    trials,
    seed,
    rows,
    best,
    kernels: kernels.info.name,
    precision: kernels.info.precision,
  };
}
