import { ParameterError } from '../errors.js';
import { type MixKernels, type PoolMeansJob } from '../engines/mix-kernels.js';
import { referenceMixKernels } from '../engines/reference.js';
import { expDelay, scaleDelay, type DelayLaw } from '../mix/delays.js';
import { expectedEvents, simulateMixnet, type MixnetEventLog, type MixnetTraffic } from '../mix/mixnet-simulator.js';
import { mixnetTopology, type MixnetTopology, type MixnetTopologyKind } from '../mix/mixnet-topology.js';
import { quantileSorted, summarize } from '../stats/summary.js';

/**
 * Anonymity of a Loopix-style mixnet, measured as in the Loopix evaluation (Piotrowska et al.,
 * USENIX Security 2017): a global passive observer follows the probability that each packet
 * is a given target message, each mix keeping the running mean of its pool's vectors (exact
 * for memoryless delays, where every pooled packet is equally likely to leave next; for other
 * laws it is the same estimator, no longer the exact posterior). Per target: the Shannon
 * entropy of its mass over the packets that leave the last layer; and the two-sender
 * unlinkability: at a target's own exit, ε = |ln(p_A / p_B)| between the probabilities that
 * A or B sent it, δ the share of targets where one of them is 0.
 *
 * The event logic runs on the CPU (src/mix/mixnet-simulator.ts), one seeded log per
 * replication; the vector algebra over every (replication, column) runs on the kernels.
 */
export interface MixnetOptions {
  topology?: MixnetTopologyKind;
  layers?: number;
  width?: number;
  /** Bandwidth weights of the layers · width mixes, layer by layer (uniform when absent). */
  weights?: number[];
  /** Share of corrupt mixes, chosen with the seed. */
  corrupt?: number;
  clients?: number;
  /** λ, the total rate of real messages. */
  rate?: number;
  loopRate?: number;
  dropRate?: number;
  mixLoopRate?: number;
  /** Per-hop delay law (exponential of rate 1 by default). */
  delay?: DelayLaw;
  /** Target messages per replication. */
  targets?: number;
  replications?: number;
  /**
   * Times of the three phases; each 10 · layers · E[delay] by default, the window at least
   * long enough for A and B to send 4 real messages per target (2 · 4 · targets · clients / λ).
   */
  burnIn?: number;
  window?: number;
  coolDown?: number;
  seed?: number;
  kernels?: MixKernels;
  onProgress?: (done: number, total: number) => void;
}

export const MIXNET_DEFAULTS = {
  topology: 'stratified' as MixnetTopologyKind,
  layers: 3,
  width: 3,
  corrupt: 0,
  clients: 100,
  rate: 100,
  loopRate: 0,
  dropRate: 0,
  mixLoopRate: 0,
  targets: 50,
  replications: 8,
  /** Each phase lasts this many mean end-to-end delays (layers · E[delay]) unless given. */
  phaseDelays: 10,
  /** The default window lets A and B each send about this many real messages per target of theirs. */
  targetSupply: 4,
  seed: 1,
};

export interface MixnetResult {
  topology: { kind: MixnetTopologyKind; layers: number; width: number; mixes: number; routing: 'uniform' | 'weighted' };
  rate: { real: number; clients: number; loopPerClient: number; dropPerClient: number; mixLoopPerMix: number; total: number };
  delay: { spec: string; kind: string; mean: number };
  corrupt: { fraction: number; mixes: number[] };
  targets: {
    perReplication: number;
    replications: number;
    total: number;
    /** Targets sent before the end (their sender had a real message after their time). */
    sent: number;
    /** Targets whose own packet left the last layer before the end. */
    exited: number;
    seed: number;
    burnIn: number;
    window: number;
    coolDown: number;
    /** Mean share of a target's mass still inside the mixes at the end (the cool-down is too short if this is not small). */
    unexitedMass: number;
  };
  /** Bits, over the targets with mass out: mean and 95% CI of the mean, and their spread. */
  entropy: { mean: number; ci95: [number, number]; sd: number; min: number; median: number; max: number };
  unlinkability: { epsilonMean: number; epsilonSd: number; delta: number };
  /** End-to-end delays of the real messages sent in the window. */
  latency: { count: number; mean: number; p50: number; p90: number; p99: number; max: number };
  /** Each sent target's entropy in bits (NaN where none of its mass got out), for the CDF. */
  perTarget: number[];
  kernels: string;
  precision: 'float64' | 'float32';
}

const WHERE = 'anonscope/mixnet';
/** Event words handed to one kernel call (replications are grouped up to this). */
const WORDS_PER_CALL = 1 << 24;

interface Resolved {
  topology: MixnetTopology;
  traffic: MixnetTraffic;
  replications: number;
  seed: number;
}

function integer(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new ParameterError(`${WHERE}: ${name} must be an integer in ${min}..${max}, got ${value}`);
  return value;
}

function rate(name: string, value: number, positive = false): number {
  if (!Number.isFinite(value) || value < 0 || (positive && value === 0)) throw new ParameterError(`${WHERE}: ${name} must be a ${positive ? 'positive' : 'non-negative'} number, got ${value}`);
  return value;
}

/** Every option checked and defaulted, in one place, before any work. */
function resolve(options: MixnetOptions): Resolved {
  const d = MIXNET_DEFAULTS;
  const seed = integer('seed', options.seed ?? d.seed, 0, 2 ** 53 - 1);
  const topology = mixnetTopology({
    kind: options.topology ?? d.topology,
    layers: options.layers ?? d.layers,
    width: options.width ?? d.width,
    weights: options.weights,
    corrupt: options.corrupt ?? d.corrupt,
    seed,
  });
  const delay = options.delay ?? expDelay(1);
  const phase = d.phaseDelays * topology.layers * delay.mean;
  const time = (name: string, value: number | undefined, positive: boolean) => rate(name, value ?? phase, positive);
  const clients = integer('clients', options.clients ?? d.clients, 2, 1e9);
  const realRate = rate('rate (targets are real messages)', options.rate ?? d.rate, true);
  const targets = integer('targets', options.targets ?? d.targets, 1, 100_000);
  const traffic: MixnetTraffic = {
    clients,
    rate: realRate,
    loopRate: rate('loop rate', options.loopRate ?? d.loopRate),
    dropRate: rate('drop rate', options.dropRate ?? d.dropRate),
    mixLoopRate: rate('mix-loop rate', options.mixLoopRate ?? d.mixLoopRate),
    delay,
    targets,
    burnIn: time('burn-in', options.burnIn, false),
    window: rate('window', options.window ?? Math.max(phase, (d.targetSupply * targets * clients) / realRate), true),
    coolDown: time('cool-down', options.coolDown, false),
  };
  if (!Number.isFinite(phase) || !Number.isFinite(traffic.burnIn + traffic.window + traffic.coolDown)) {
    throw new ParameterError(`${WHERE}: the delay ${delay.spec} has no finite mean; give the burn-in, window and cool-down`);
  }
  expectedEvents(topology, traffic); // the simulator refuses a replication too large before it starts
  const replications = integer('replications', options.replications ?? d.replications, 1, 1_000_000);
  return { topology, traffic, replications, seed };
}

/** One pool-means job from a group of replications' logs. */
export function mixnetPoolMeansJob(logs: MixnetEventLog[], topology: MixnetTopology, targets: number): PoolMeansJob {
  const offsets = new Uint32Array(logs.length + 1);
  logs.forEach((log, r) => (offsets[r + 1] = offsets[r] + log.events.length / 4));
  const events = new Uint32Array(4 * offsets[logs.length]);
  logs.forEach((log, r) => events.set(log.events, 4 * offsets[r]));
  return { events, eventOffsets: offsets, columns: targets + 2, mixes: topology.mixes, slots: Math.max(1, ...logs.map((l) => l.slots)), marks: targets };
}

function meanAndSd(values: number[]): { mean: number; sd: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, sd: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n < 2 ? 0 : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  return { mean, sd };
}

export async function mixnetAnonymity(options: MixnetOptions = {}): Promise<MixnetResult> {
  const { topology, traffic, replications, seed } = resolve(options);
  const kernels = options.kernels ?? referenceMixKernels;
  const T = traffic.targets;
  const C = T + 2;
  const perTarget: number[] = [];
  const epsilons: number[] = [];
  const latencies: number[] = [];
  let zeroEstimates = 0;
  let sent = 0;
  let exited = 0;
  let unexited = 0;
  let done = 0;
  while (done < replications) {
    const logs: MixnetEventLog[] = [];
    let words = 0;
    while (done + logs.length < replications && (logs.length === 0 || words < WORDS_PER_CALL)) {
      const log = simulateMixnet(topology, traffic, seed, done + logs.length);
      logs.push(log);
      words += log.events.length;
      for (const l of log.latencies) latencies.push(l);
    }
    const { mass, plogp, marked } = await kernels.poolMeans(mixnetPoolMeansJob(logs, topology, T));
    for (let r = 0; r < logs.length; r++) {
      for (let t = 0; t < T; t++) {
        if (!logs[r].targetsSent[t]) continue;
        sent++;
        const S = mass[r * C + t];
        unexited += Math.max(0, 1 - S);
        perTarget.push(S > 0 ? Math.max(0, Math.log(S) - plogp[r * C + t] / S) / Math.LN2 : NaN);
        const row = (r * T + t) * C;
        const pA = marked[row + T];
        const pB = marked[row + T + 1];
        if (pA === 0 && pB === 0) continue; // its own packet never got out
        exited++;
        if (pA === 0 || pB === 0) zeroEstimates++;
        else epsilons.push(Math.abs(Math.log(pA / pB)));
      }
    }
    done += logs.length;
    options.onProgress?.(done, replications);
  }
  const summary = summarize(perTarget, false);
  const { sd } = meanAndSd(perTarget.filter((h) => !Number.isNaN(h)));
  const epsilon = meanAndSd(epsilons);
  const sortedLatency = Float64Array.from(latencies).sort();
  const q = (p: number) => (sortedLatency.length ? quantileSorted(sortedLatency, p) : NaN);
  const { delay } = traffic;
  return {
    topology: { kind: topology.kind, layers: topology.layers, width: topology.width, mixes: topology.mixes, routing: topology.weighted ? 'weighted' : 'uniform' },
    rate: {
      real: traffic.rate,
      clients: traffic.clients,
      loopPerClient: traffic.loopRate,
      dropPerClient: traffic.dropRate,
      mixLoopPerMix: traffic.mixLoopRate,
      total: traffic.rate + traffic.clients * (traffic.loopRate + traffic.dropRate) + topology.mixes * traffic.mixLoopRate,
    },
    delay: { spec: delay.spec, kind: delay.kind, mean: delay.mean },
    corrupt: { fraction: topology.corruptFraction, mixes: [...topology.corrupt.keys()].filter((m) => topology.corrupt[m]) },
    targets: {
      perReplication: T,
      replications,
      total: T * replications,
      sent,
      exited,
      seed,
      burnIn: traffic.burnIn,
      window: traffic.window,
      coolDown: traffic.coolDown,
      unexitedMass: unexited / sent,
    },
    entropy: { mean: summary.mean, ci95: summary.ci95, sd, min: summary.min, median: summary.median, max: summary.max },
    unlinkability: { epsilonMean: epsilon.mean, epsilonSd: epsilon.sd, delta: exited > 0 ? zeroEstimates / exited : NaN },
    latency: { count: sortedLatency.length, mean: meanAndSd(latencies).mean, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: sortedLatency.length ? sortedLatency[sortedLatency.length - 1] : NaN },
    perTarget,
    kernels: kernels.info.name,
    precision: kernels.info.precision,
  };
}

/** The parameters a sweep may vary (CLI names). */
export const MIXNET_SWEEP_PARAMETERS = ['rate', 'mu', 'layers', 'width', 'corrupt', 'loop-rate', 'drop-rate', 'mix-loop-rate'] as const;
export type MixnetSweepParameter = (typeof MIXNET_SWEEP_PARAMETERS)[number];

export interface MixnetSweepOptions extends MixnetOptions {
  parameter: MixnetSweepParameter;
  values: number[];
}

export interface MixnetSweepResult {
  sweep: { parameter: MixnetSweepParameter; values: number[] };
  points: MixnetResult[];
}

/** The options of one sweep point: `mu` sets the delay's mean to 1/μ (same law, scaled). */
function sweepPoint(options: MixnetOptions, parameter: MixnetSweepParameter, value: number): MixnetOptions {
  switch (parameter) {
    case 'rate':
      return { ...options, rate: value };
    case 'mu': {
      if (!(value > 0 && Number.isFinite(value))) throw new ParameterError(`${WHERE}: sweep mu: μ must be positive, got ${value}`);
      const delay = options.delay ?? expDelay(1);
      return { ...options, delay: scaleDelay(delay, 1 / (value * delay.mean)) };
    }
    case 'layers':
      return { ...options, layers: value, weights: undefined };
    case 'width':
      return { ...options, width: value, weights: undefined };
    case 'corrupt':
      return { ...options, corrupt: value };
    case 'loop-rate':
      return { ...options, loopRate: value };
    case 'drop-rate':
      return { ...options, dropRate: value };
    case 'mix-loop-rate':
      return { ...options, mixLoopRate: value };
  }
}

/** mixnetAnonymity at each value of one parameter, every point checked before the first runs. */
export async function mixnetSweep(options: MixnetSweepOptions): Promise<MixnetSweepResult> {
  const { parameter, values, onProgress, ...base } = options;
  if (!MIXNET_SWEEP_PARAMETERS.includes(parameter)) throw new ParameterError(`${WHERE}: cannot sweep "${parameter}" (expected ${MIXNET_SWEEP_PARAMETERS.join(', ')})`);
  if (values.length === 0) throw new ParameterError(`${WHERE}: the sweep over ${parameter} has no values`);
  const points = values.map((v) => sweepPoint(base, parameter, v));
  points.forEach(resolve);
  const results: MixnetResult[] = [];
  for (const [i, point] of points.entries()) {
    results.push(await mixnetAnonymity({ ...point, onProgress: onProgress && ((done, total) => onProgress(i * total + done, values.length * total)) }));
  }
  return { sweep: { parameter, values }, points: results };
}
