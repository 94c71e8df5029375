/**
 * The three data-parallel kernels of the continuous-time-mix analyses (Danezis, PET 2004),
 * behind one interface so that GPU implementations (WGSL, gpu.js) plug in beside the float64
 * reference `cpuMixKernels`:
 *
 *  1. convolve     — C = d * f on a uniform time grid, batched over S signals;
 *  2. scoreLinks   — Σ_i ln(C_L(t_i) / u_L) over the packets of a link, for many
 *                    (signal, link) pairs at once (the log-likelihood ratio of eq. 28 is the
 *                    difference of two such scores);
 *  3. mixEntropies — the Shannon entropy of p_i ∝ f(β − X_i) for many Monte-Carlo trials;
 *  4. poolMeans    — the pool-mean algebra of the Loopix evaluation over the event logs of
 *                    many replications of a mixnet, one independent scan per (replication,
 *                    column).
 *
 * Every array is a flat typed array (Float32Array-friendly: a float32 implementation reads
 * the same layout); counts and offsets are Uint32Array. Analyses never see how a kernel runs.
 */

import { ParameterError } from '../errors.js';

/** A flat array of reals: float64 for the reference, float32 is enough for a GPU. */
export type Reals = Float64Array | Float32Array;

/**
 * A delay density as a kernel evaluates it: a law code and up to four parameters, or a
 * piecewise-constant table. The meaning of params per kind (derived constants included so
 * that a kernel needs no special functions):
 *
 *   exp        [μ, −, −, −]                     ln f = ln μ − μx                     (x ≥ 0)
 *   uniform    [a, b, −, −]                     ln f = −ln(b − a)                    (a ≤ x < b)
 *   erlang     [k, μ, k ln μ − ln (k−1)!, −]    ln f = p2 + (k − 1) ln x − μx        (x > 0)
 *   lognormal  [m, s, ln(s √(2π)), −]           ln f = −(ln x − m)²/(2s²) − ln x − p2 (x > 0)
 *   pareto     [α, xm, ln α + α ln xm, −]       ln f = p2 − (α + 1) ln x             (x ≥ xm)
 *   table      edges[0..B], density[0..B−1]     f = density[b] on [edges[b], edges[b+1])
 *
 * Outside the support ln f = −∞ (the density is 0).
 */
export interface DensityDescriptor {
  kind: 'exp' | 'uniform' | 'erlang' | 'lognormal' | 'pareto' | 'table';
  params: [number, number, number, number];
  table?: { edges: Reals; density: Reals };
}

/** Numeric codes of the kinds, for kernels that switch on an integer (WGSL uniforms). */
export const DENSITY_CODES = { exp: 0, uniform: 1, erlang: 2, lognormal: 3, pareto: 4, table: 5 } as const;

/** ln f(x) for a descriptor; −Infinity outside the support. The reference for every kernel. */
export function logDensity(d: DensityDescriptor, x: number): number {
  const [p0, p1, p2] = d.params;
  switch (d.kind) {
    case 'exp':
      return x >= 0 ? Math.log(p0) - p0 * x : -Infinity;
    case 'uniform':
      return x >= p0 && x < p1 ? -Math.log(p1 - p0) : -Infinity;
    case 'erlang':
      if (x > 0) return p2 + (p0 - 1) * Math.log(x) - p1 * x;
      return x === 0 && p0 === 1 ? Math.log(p1) : -Infinity;
    case 'lognormal': {
      if (!(x > 0)) return -Infinity;
      const z = (Math.log(x) - p0) / p1;
      return -0.5 * z * z - Math.log(x) - p2;
    }
    case 'pareto':
      return x >= p1 ? p2 - (p0 + 1) * Math.log(x) : -Infinity;
    case 'table': {
      const { edges, density } = d.table!;
      const B = density.length;
      if (!(x >= edges[0] && x < edges[B])) return -Infinity;
      let lo = 0;
      let hi = B;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (x >= edges[mid]) lo = mid;
        else hi = mid;
      }
      return density[lo] > 0 ? Math.log(density[lo]) : -Infinity;
    }
  }
}

/** A uniform time grid: point k stands for the bin [start + k·step, start + (k+1)·step). */
export interface TimeGrid {
  start: number;
  step: number;
  length: number;
}

/** Kernel 1: out[s·N + n] = step · Σ_{k=0}^{min(n, K−1)} kernel[k] · signals[s·N + n − k]. */
export interface ConvolveJob {
  /** The delay density sampled on the grid: kernel[k] ≈ d(k·step), K = kernel.length. */
  kernel: Reals;
  /** S signals of N = `length` samples each, row-major (signal s at signals[s·N .. s·N + N)). */
  signals: Reals;
  length: number;
  step: number;
  /** direct (O(N·K)) or fft (O(N log N)); auto picks the cheaper. Both give the same values. */
  method?: 'direct' | 'fft' | 'auto';
}

/**
 * Kernel 2: for each pair p = (signal s, link L) with signal fraction a and noise density u,
 *   score[p] = Σ_{t ∈ packets of L} ln( max(a·g_s(t) + (1 − a)·u, FLOOR·u) / u ),
 * where g_s(t) = signals[s·N + ⌊(t − start)/step⌋] inside the grid and 0 outside. This is
 * ln of the likelihood of L's packets under "L carries the target" (the mixture density
 * C_L of eq. 23) over "L carries only noise" (uniform u); the LLR of eq. 28 for links X, Y
 * is score(X) − score(Y).
 */
export interface ScoreJob {
  grid: TimeGrid;
  /** S densities on the grid, row-major, S × grid.length. */
  signals: Reals;
  /** Packet times of every link, grouped by link: link L holds packets[linkOffsets[L] .. linkOffsets[L+1]). */
  packets: Reals;
  linkOffsets: Uint32Array;
  /** The pairs to score (all four arrays have one entry per pair). */
  pairSignal: Uint32Array;
  pairLink: Uint32Array;
  /** a ∈ [0, 1]: the share of the link's traffic the target would be (λ_f / λ_L). */
  pairWeight: Reals;
  /** u > 0: the noise density (1 / observation window). */
  pairNoise: Reals;
}

/** The mixture density never falls below FLOOR·u: a packet no model explains costs ln(FLOOR) ≈ −27.6, not −∞. */
export const SCORE_FLOOR = 1e-12;

/** Kernel 3: entropy[t] = H(p) in bits with p_i ∝ f(outputs[t] − arrivals[i]) over trial t's arrivals. */
export interface MixEntropyJob {
  density: DensityDescriptor;
  /** Arrival times of every trial: trial t holds arrivals[trialOffsets[t] .. trialOffsets[t+1]). */
  arrivals: Reals;
  trialOffsets: Uint32Array;
  /** One output time per trial. Times near 0 keep float32 exact enough (the simulator puts β = 0). */
  outputs: Reals;
}

/**
 * Kernel 4 (Piotrowska et al., the Loopix evaluation): every packet carries a vector of
 * probabilities over C columns (column c: "this packet is target c", or "was sent by client
 * c"). A mix keeps the running mean of the vectors of the packets in its pool; a packet that
 * leaves carries the mix's mean at that moment (with memoryless delays every pooled packet
 * is equally likely to be the one leaving). Columns never mix, so each (replication, column)
 * is one independent scan of the replication's event log.
 *
 * Events are 4 u32 words [code, a, b, c], in time order:
 *   INJECT  [0, slot, x, y]   a new packet in `slot`, 1 in columns x and y, 0 elsewhere
 *                             (NO_COLUMN for none)
 *   ARRIVE  [1, slot, mix, k] the slot's packet enters `mix`, which held k packets:
 *                             mean ← (k·mean + v) / (k + 1); k = 0 starts the pool afresh
 *                             (an emptied pool resets)
 *   DEPART  [2, slot, mix, 0] a packet leaves `mix` by `slot`: v ← mean
 *   EXIT    [3, slot, mark, 0] the slot's packet leaves the network (the last layer):
 *                             its value counts in the column's sums; `mark` < marks stores
 *                             the value at marked[mark] (NO_MARK otherwise)
 * A corrupt mix reveals which input became which output: the simulator logs no ARRIVE or
 * DEPART for it, so the packet keeps its own vector. Slots are link-level packet names the
 * simulator reuses once a packet is out. Replications are independent: each starts with
 * every pool mean and slot value 0.
 */
export interface PoolMeansJob {
  /** Every replication's events, 4 words each: replication r holds events[4·eventOffsets[r] .. 4·eventOffsets[r+1]). */
  events: Uint32Array;
  eventOffsets: Uint32Array;
  /** C, the columns (targets and tracked senders). */
  columns: number;
  /** Mixes (pools) of a replication: every ARRIVE / DEPART names one below this. */
  mixes: number;
  /** Slots of a replication: every slot named is below this. */
  slots: number;
  /** Marked exits per replication. */
  marks: number;
}

export const POOL_EVENT = { inject: 0, arrive: 1, depart: 2, exit: 3 } as const;
export const NO_COLUMN = 0xffffffff;
export const NO_MARK = 0xffffffff;

/**
 * Per replication r and column c, over the packets that left the network:
 * mass[r·C + c] = Σ v, plogp[r·C + c] = Σ v ln v (0 ln 0 = 0); and the value each marked
 * exit k carried, marked[(r·marks + k)·C + c] (0 where the mark never happened).
 */
export interface PoolMeansResult {
  mass: Float64Array;
  plogp: Float64Array;
  marked: Float64Array;
}

/** R, the replications; throws when the job's shape does not hold together. */
export function checkPoolMeansJob(job: PoolMeansJob): number {
  const where = 'anonscope/poolMeans';
  const R = job.eventOffsets.length - 1;
  if (R < 0) throw new ParameterError(`${where}: eventOffsets must have one entry per replication plus one`);
  if (job.events.length !== 4 * job.eventOffsets[R]) throw new ParameterError(`${where}: events must hold 4 words per event (${job.eventOffsets[R]} events, ${job.events.length} words)`);
  for (const [name, value] of [['columns', job.columns], ['mixes', job.mixes], ['slots', job.slots], ['marks', job.marks]] as const) {
    if (!Number.isInteger(value) || value < 0) throw new ParameterError(`${where}: ${name} must be a non-negative integer, got ${value}`);
  }
  return R;
}

/** The result as one array (mass, plogp, marked, back to back): how engines hand it across a page boundary. */
export function packPoolMeans(result: PoolMeansResult): Float64Array {
  const packed = new Float64Array(result.mass.length * 2 + result.marked.length);
  packed.set(result.mass, 0);
  packed.set(result.plogp, result.mass.length);
  packed.set(result.marked, result.mass.length * 2);
  return packed;
}

export function unpackPoolMeans(job: PoolMeansJob, packed: Float64Array): PoolMeansResult {
  const sums = (job.eventOffsets.length - 1) * job.columns;
  return { mass: packed.slice(0, sums), plogp: packed.slice(sums, 2 * sums), marked: packed.slice(2 * sums) };
}

export interface MixKernelsInfo {
  name: string;
  precision: 'float64' | 'float32';
  /** Where a GPU implementation runs, e.g. 'browser', 'node webasm', 'browser webgl2'. */
  runtime?: string;
  /** The WebGPU adapter, where there is one. */
  adapter?: { vendor: string; architecture: string; device: string; description: string };
}

/**
 * What a GPU implementation provides. Each method may run asynchronously (device work,
 * readback); results come back as Float64Array (a float32 implementation widens).
 * Tolerances against cpuMixKernels: see the README.
 */
export interface MixKernels {
  readonly info: MixKernelsInfo;
  convolve(job: ConvolveJob): Promise<Float64Array>;
  scoreLinks(job: ScoreJob): Promise<Float64Array>;
  mixEntropies(job: MixEntropyJob): Promise<Float64Array>;
  poolMeans(job: PoolMeansJob): Promise<PoolMeansResult>;
  dispose(): void | Promise<void>;
}

// The checks every implementation runs first (the job's shape is the caller's, not the engine's, to get right).

/** S, the number of signals; throws when `length` does not divide the signals. */
export function checkConvolveJob(job: ConvolveJob): number {
  const N = job.length;
  if (!Number.isInteger(N) || N < 1) throw new ParameterError(`anonscope/convolve: length must be a positive integer, got ${N}`);
  if (job.signals.length % N !== 0) throw new ParameterError(`anonscope/convolve: signals.length ${job.signals.length} is not a multiple of length ${N}`);
  return job.signals.length / N;
}

/** P, the number of pairs; throws when the pair arrays differ in length. */
export function checkScoreJob(job: ScoreJob): number {
  const P = job.pairSignal.length;
  if (job.pairLink.length !== P || job.pairWeight.length !== P || job.pairNoise.length !== P) {
    throw new ParameterError('anonscope/scoreLinks: the pair arrays must have the same length');
  }
  return P;
}

/** T, the number of trials; throws when trialOffsets is not T + 1 long. */
export function checkMixEntropyJob(job: MixEntropyJob): number {
  const T = job.outputs.length;
  if (job.trialOffsets.length !== T + 1) throw new ParameterError('anonscope/mixEntropies: trialOffsets must have one entry per trial plus one');
  return T;
}
