/**
 * Host-side planning shared by the GPU implementations of MixKernels (WebGPU and gpu.js):
 * pure TypeScript, no device API. It cuts each job into chunks whose arrays fit a bound, does
 * the float64 work that keeps float32 kernels exact where the layouts allow (packet bins and
 * output − arrival differences are computed here, so no large time ever reaches a kernel), and
 * combines the kernels' per-chunk partials in float64.
 */
import { DeviceError, ParameterError } from '../../errors.js';
import {
  checkConvolveJob,
  checkMixEntropyJob,
  checkPoolMeansJob,
  checkScoreJob,
  DENSITY_CODES,
  NO_COLUMN,
  POOL_EVENT,
  type ConvolveJob,
  type DensityDescriptor,
  type MixEntropyJob,
  type PoolMeansJob,
  type ScoreJob,
} from '../mix-kernels.js';

/** Packets (scoring) or arrivals (entropy) one thread sums: one work item. */
export const ITEM_SPAN = 256;
/** Marks a packet outside the grid in the u32 bin array. */
export const OUTSIDE = 0xffffffff;

// ---------------------------------------------------------------------------------------
// Convolution.

export function convolveShape(job: ConvolveJob): { S: number; N: number; K: number } {
  const S = checkConvolveJob(job);
  // Taps beyond N never reach an output; an empty kernel convolves to 0.
  return { S, N: job.length, K: Math.min(job.kernel.length, job.length) };
}

/**
 * A piece of the S × N output: rows [r0, r1), columns [n0, n1). Its input is columns
 * [lo, n1) of the same rows (lo = max(0, n0 − K + 1)), flat, rows × (n1 − lo).
 */
export interface ConvolveChunk {
  r0: number;
  r1: number;
  n0: number;
  n1: number;
  lo: number;
}

/** Whole rows while a row fits `maxElements`, else column pieces of one row that overlap by K − 1. */
export function convolveChunks(S: number, N: number, K: number, maxElements: number, where: string): ConvolveChunk[] {
  const chunks: ConvolveChunk[] = [];
  if (N <= maxElements) {
    const rows = Math.max(1, Math.floor(maxElements / N));
    for (let r0 = 0; r0 < S; r0 += rows) chunks.push({ r0, r1: Math.min(S, r0 + rows), n0: 0, n1: N, lo: 0 });
    return chunks;
  }
  const width = maxElements - (K - 1);
  if (width < 1) throw new DeviceError(`${where}: a delay kernel of ${K} taps does not fit the ${maxElements}-element bound on one array`);
  for (let r = 0; r < S; r++) {
    for (let n0 = 0; n0 < N; n0 += width) chunks.push({ r0: r, r1: r + 1, n0, n1: Math.min(N, n0 + width), lo: Math.max(0, n0 - K + 1) });
  }
  return chunks;
}

/** The chunk's input columns as float32, rows × (n1 − lo). */
export function convolveChunkInput(job: ConvolveJob, N: number, c: ConvolveChunk): Float32Array {
  const width = c.n1 - c.lo;
  if (c.lo === 0 && c.n1 === N) return Float32Array.from(job.signals.subarray(c.r0 * N, c.r1 * N));
  const input = new Float32Array((c.r1 - c.r0) * width);
  for (let r = c.r0; r < c.r1; r++) input.set(job.signals.subarray(r * N + c.lo, r * N + c.n1), (r - c.r0) * width);
  return input;
}

/** Copy a chunk's outputs (rows × (n1 − n0), float32) into the S × N result. */
export function storeConvolveChunk(out: Float64Array, N: number, c: ConvolveChunk, values: ArrayLike<number>, accumulate = false): void {
  const width = c.n1 - c.n0;
  for (let r = c.r0; r < c.r1; r++) {
    const at = r * N + c.n0;
    const from = (r - c.r0) * width;
    if (accumulate) for (let i = 0; i < width; i++) out[at + i] += values[from + i];
    else for (let i = 0; i < width; i++) out[at + i] = values[from + i];
  }
}

// ---------------------------------------------------------------------------------------
// Scoring.

/** Each packet's bin on the grid, in float64 exactly as the reference computes it; OUTSIDE beyond the grid. */
export function packetBins(job: ScoreJob): Uint32Array {
  const { packets, grid } = job;
  const bins = new Uint32Array(packets.length);
  for (let i = 0; i < packets.length; i++) {
    const bin = Math.floor((packets[i] - grid.start) / grid.step);
    bins[i] = bin >= 0 && bin < grid.length ? bin : OUTSIDE;
  }
  return bins;
}

/**
 * One batch of scoring work: signal rows [s0, s1) and the work items of some pairs. Item i
 * sums items[4i+2] packets from bins[items[4i+1]] against local row items[4i]; coefs[2i],
 * coefs[2i+1] are A = a/u and C = 1 − a, so that C_L(t)/u = A·g(t) + C. itemPair[i] is the
 * pair whose score the item's partial adds to.
 */
export interface ScoreBatch {
  s0: number;
  s1: number;
  items: Uint32Array;
  coefs: Float32Array;
  itemPair: Uint32Array;
  /** The packet bins the items read (only the links of this batch, each once). */
  bins: Uint32Array;
  /** Longest item (≤ ITEM_SPAN). */
  longest: number;
}

export interface BatchLimits {
  /** Elements of the signal rows one batch binds. */
  maxSignalElements: number;
  /** Packet bins one batch binds. */
  maxBins: number;
  /** Work items (threads) one batch runs. */
  maxItems: number;
}

export function scoreBatches(job: ScoreJob, bins: Uint32Array, limits: BatchLimits, where: string): ScoreBatch[] {
  const P = checkScoreJob(job);
  const N = job.grid.length;
  if (N > limits.maxSignalElements) throw new DeviceError(`${where}: a grid of ${N} points exceeds the ${limits.maxSignalElements}-element bound on one array`);
  const order = Array.from({ length: P }, (_, p) => p).sort((a, b) => job.pairSignal[a] - job.pairSignal[b] || job.pairLink[a] - job.pairLink[b] || a - b);
  const batches: ScoreBatch[] = [];
  let s0 = -1;
  let items: number[] = [];
  let coefs: number[] = [];
  let itemPair: number[] = [];
  let links = new Map<number, number>();
  let binCount = 0;
  let longest = 0;
  const close = () => {
    if (items.length === 0) return;
    const local = new Uint32Array(binCount);
    for (const [link, at] of links) local.set(bins.subarray(job.linkOffsets[link], job.linkOffsets[link + 1]), at);
    const s1 = s0 + items[items.length - 4] + 1; // pairs come sorted by signal
    batches.push({ s0, s1, items: Uint32Array.from(items), coefs: Float32Array.from(coefs), itemPair: Uint32Array.from(itemPair), bins: local, longest });
    items = [];
    coefs = [];
    itemPair = [];
    links = new Map();
    binCount = 0;
    longest = 0;
    s0 = -1;
  };
  for (const p of order) {
    const link = job.pairLink[p];
    const first = job.linkOffsets[link];
    const count = job.linkOffsets[link + 1] - first;
    if (count === 0) continue;
    if (count > limits.maxBins) throw new DeviceError(`${where}: link ${link} has ${count} packets, more than the ${limits.maxBins} one batch can bind`);
    const signal = job.pairSignal[p];
    const pieces = Math.ceil(count / ITEM_SPAN);
    const newBins = links.has(link) ? 0 : count;
    if (
      s0 >= 0 &&
      ((signal - s0 + 1) * N > limits.maxSignalElements || binCount + newBins > limits.maxBins || items.length / 4 + pieces > limits.maxItems)
    ) {
      close();
    }
    if (s0 < 0) s0 = signal;
    let at = links.get(link);
    if (at === undefined) {
      at = binCount;
      links.set(link, at);
      binCount += count;
    }
    const a = job.pairWeight[p];
    const u = job.pairNoise[p];
    for (let k = 0; k < count; k += ITEM_SPAN) {
      const span = Math.min(ITEM_SPAN, count - k);
      items.push(signal - s0, at + k, span, 0);
      coefs.push(a / u, 1 - a);
      itemPair.push(p);
      longest = Math.max(longest, span);
    }
  }
  close();
  return batches;
}

// ---------------------------------------------------------------------------------------
// Entropies.

/** Sentinel of ln f outside the support in the kernels (far below any real log density). */
export const NO_LOG = -1e30;

/**
 * The density as the kernels read it: code, the four params, one derived constant `extra`
 * (exp: ln μ; uniform: −ln(b − a); erlang: ln μ, the value at 0 when k = 1), and for tables
 * the edges and ln density (NO_LOG where the density is 0), all float32.
 */
export interface KernelDensity {
  code: number;
  params: [number, number, number, number];
  extra: number;
  edges: Float32Array;
  logDensity: Float32Array;
  tableSize: number;
}

export function kernelDensity(d: DensityDescriptor): KernelDensity {
  const [p0, p1] = d.params;
  const extra = d.kind === 'exp' ? Math.log(p0) : d.kind === 'uniform' ? -Math.log(p1 - p0) : d.kind === 'erlang' ? Math.log(p1) : 0;
  if (d.kind === 'table') {
    const { edges, density } = d.table!;
    return {
      code: DENSITY_CODES.table,
      params: d.params,
      extra,
      edges: Float32Array.from(edges),
      logDensity: Float32Array.from(density, (f) => (f > 0 ? Math.log(f) : NO_LOG)),
      tableSize: density.length,
    };
  }
  return { code: DENSITY_CODES[d.kind], params: d.params, extra, edges: new Float32Array(1), logDensity: new Float32Array(1), tableSize: 0 };
}

/**
 * One batch of entropy work: xs[i] = outputs[t] − arrivals[i] (in float64, then float32) for
 * the arrivals [a0, a1); item i covers items[2i + 1] of them from xs[items[2i]] (local) and
 * belongs to trial itemTrial[i].
 */
export interface EntropyBatch {
  xs: Float32Array;
  items: Uint32Array;
  itemTrial: Uint32Array;
}

export function entropyBatches(job: MixEntropyJob, limits: { maxArrivals: number; maxItems: number }): EntropyBatch[] {
  const { arrivals, trialOffsets, outputs } = job;
  const T = checkMixEntropyJob(job);
  const span = Math.min(ITEM_SPAN, limits.maxArrivals);
  const batches: EntropyBatch[] = [];
  let a0 = -1;
  let a1 = 0;
  let items: number[] = [];
  let trials: number[] = [];
  const close = () => {
    if (trials.length === 0) return;
    const xs = new Float32Array(a1 - a0);
    for (let i = 0; i < trials.length; i++) {
      const t = trials[i];
      const start = items[2 * i];
      for (let k = 0; k < items[2 * i + 1]; k++) xs[start + k] = outputs[t] - arrivals[a0 + start + k];
    }
    batches.push({ xs, items: Uint32Array.from(items), itemTrial: Uint32Array.from(trials) });
    items = [];
    trials = [];
    a0 = -1;
  };
  for (let t = 0; t < T; t++) {
    for (let first = trialOffsets[t]; first < trialOffsets[t + 1]; first += span) {
      const count = Math.min(span, trialOffsets[t + 1] - first);
      if (a0 >= 0 && (first + count - a0 > limits.maxArrivals || trials.length >= limits.maxItems)) close();
      if (a0 < 0) a0 = first;
      items.push(first - a0, count);
      trials.push(t);
      a1 = first + count;
    }
  }
  close();
  return batches;
}

/**
 * Float64 combination of per-item partials (m, S, A) with S = Σ e^{l − m}, A = Σ e^{l − m}(l − m)
 * over the item's arrivals (S = 0: none in the support): H = ln S − A/S over the trial, in
 * bits, NaN where no arrival is in the support (as the reference).
 */
export class EntropyAccumulator {
  private readonly m: Float64Array;
  private readonly S: Float64Array;
  private readonly A: Float64Array;

  constructor(trials: number) {
    this.m = new Float64Array(trials).fill(-Infinity);
    this.S = new Float64Array(trials);
    this.A = new Float64Array(trials);
  }

  add(t: number, m: number, S: number, A: number): void {
    if (!(S > 0)) return;
    const M = this.m[t];
    if (m > M) {
      const scale = Math.exp(M - m); // 0 for the first
      this.A[t] = this.S[t] > 0 ? (this.A[t] + (M - m) * this.S[t]) * scale + A : A;
      this.S[t] = this.S[t] * scale + S;
      this.m[t] = m;
    } else {
      const scale = Math.exp(m - M);
      this.A[t] += (A + (m - M) * S) * scale;
      this.S[t] += S * scale;
    }
  }

  entropies(): Float64Array {
    return Float64Array.from(this.S, (S, t) => (S > 0 ? Math.max(0, (Math.log(S) - this.A[t] / S) / Math.LN2) : NaN));
  }
}

/** One batch of a pool-means job: replications r0..r1−1, columns c0..c1−1. */
export interface PoolMeansBatch {
  r0: number;
  r1: number;
  c0: number;
  c1: number;
}

/**
 * Batches of a pool-means job that keep each binding under `maxElements` words: the batch's
 * events (4 words each), its scratch (mixes + slots rows of its columns per replication) and
 * its output (2 sums and `marks` values per invocation). Columns are split only when one
 * replication with all of them would not fit.
 */
export function poolMeansBatches(job: PoolMeansJob, maxElements: number, where: string): PoolMeansBatch[] {
  const R = job.eventOffsets.length - 1;
  const C = job.columns;
  const stride = job.mixes + job.slots;
  const perColumn = Math.max(stride, job.marks + 2);
  const width = Math.min(C, Math.floor(maxElements / perColumn));
  if (width < 1) throw new DeviceError(`${where}: ${job.mixes} mixes + ${job.slots} slots per replication do not fit one binding of ${maxElements} words`);
  const batches: PoolMeansBatch[] = [];
  for (let c0 = 0; c0 < C; c0 += width) {
    const c1 = Math.min(C, c0 + width);
    let r0 = 0;
    while (r0 < R) {
      let r1 = r0;
      const fits = (r: number) => 4 * (job.eventOffsets[r + 1] - job.eventOffsets[r0]) <= maxElements && (r + 1 - r0) * (c1 - c0) * perColumn <= maxElements;
      while (r1 < R && fits(r1)) r1++;
      if (r1 === r0) throw new DeviceError(`${where}: replication ${r0} has ${job.eventOffsets[r0 + 1] - job.eventOffsets[r0]} events, more than one binding holds (${maxElements / 4})`);
      batches.push({ r0, r1, c0, c1 });
      r0 = r1;
    }
  }
  return batches;
}

// ---------------------------------------------------------------------------------------
// Pool means without per-thread memory (gpu.js): passes of gathers.

/** Arrivals one thread folds in a pass of the chain scan; longer runs are cut and carried on the host. */
export const POOL_SPAN = 16;

/** How many arrivals and exits each replication has (what its arrays will hold); checks every mix and slot named. */
export function poolEventCounts(job: PoolMeansJob, where: string): { arrivals: Uint32Array; exits: Uint32Array } {
  const R = checkPoolMeansJob(job);
  const { events, eventOffsets } = job;
  const arrivals = new Uint32Array(R);
  const exits = new Uint32Array(R);
  for (let r = 0; r < R; r++) {
    for (let e = eventOffsets[r]; e < eventOffsets[r + 1]; e++) {
      const code = events[4 * e];
      if (events[4 * e + 1] >= job.slots) throw new ParameterError(`${where}: event ${e - eventOffsets[r]} of replication ${r} names slot ${events[4 * e + 1]}, but the job has ${job.slots} slots`);
      if ((code === POOL_EVENT.arrive || code === POOL_EVENT.depart) && events[4 * e + 2] >= job.mixes) {
        throw new ParameterError(`${where}: event ${e - eventOffsets[r]} of replication ${r} names mix ${events[4 * e + 2]}, but the job has ${job.mixes} mixes`);
      }
      if (code === POOL_EVENT.arrive) arrivals[r]++;
      else if (code === POOL_EVENT.exit) exits[r]++;
    }
  }
  return { arrivals, exits };
}

/**
 * The column-independent structure of the pool-mean algebra of replications [r0, r1), for
 * kernels without per-thread memory. Arrivals are numbered by (replication, mix, time), so
 * that each mix's arrivals (its chain) are contiguous. Arrival a leaves its pool the mean
 *   M_a = (k_a · M_{a−1} + X_a) / (k_a + 1)        (k_a = 0: a fresh pool)
 * with M_{a−1} the chain's previous arrival (0 for its first) and X_a the value the packet
 * brings: M of its `source`, the arrival its last departure left after (departures do not
 * change a mean), or where there is none the indicator of its injected columns. Exits read
 * their packet's value the same way. level(a) counts the source links on the longest path
 * back from a: pass p computes the arrivals of level p, whose sources have lower levels and
 * are final (a stratified mixnet has one level per layer).
 */
export interface PoolChains {
  arrivals: number;
  /** Per arrival: k, its source arrival (−1: none), its injected columns (2 words, NO_COLUMN), whether it starts its chain, its level. */
  k: Uint32Array;
  source: Int32Array;
  injected: Uint32Array;
  chainFirst: Uint8Array;
  level: Uint32Array;
  levels: number;
  /** Per exit: its source, injected columns and mark; replication r (of the batch) holds exits exitOffsets[r − r0] .. exitOffsets[r − r0 + 1]. */
  exitSource: Int32Array;
  exitInjected: Uint32Array;
  exitMark: Uint32Array;
  exitOffsets: Uint32Array;
}

export function poolChains(job: PoolMeansJob, r0: number, r1: number, counts: { arrivals: Uint32Array; exits: Uint32Array }): PoolChains {
  const { events, eventOffsets, mixes } = job;
  let A = 0;
  let X = 0;
  for (let r = r0; r < r1; r++) {
    A += counts.arrivals[r];
    X += counts.exits[r];
  }
  const k = new Uint32Array(A);
  const source = new Int32Array(A);
  const injected = new Uint32Array(2 * A);
  const chainFirst = new Uint8Array(A);
  const level = new Uint32Array(A);
  const exitSource = new Int32Array(X);
  const exitInjected = new Uint32Array(2 * X);
  const exitMark = new Uint32Array(X);
  const exitOffsets = new Uint32Array(r1 - r0 + 1);
  // Each slot's value: an arrival's mean, or injected columns (source −1).
  const slotSource = new Int32Array(job.slots);
  const slotColumns = new Uint32Array(2 * job.slots);
  const chainNext = new Uint32Array(mixes);
  const lastArrival = new Int32Array(mixes);
  let levels = 0;
  let base = 0;
  let exit = 0;
  for (let r = r0; r < r1; r++) {
    // The chains' first positions: arrivals per mix, laid out mix by mix.
    chainNext.fill(0);
    for (let e = eventOffsets[r]; e < eventOffsets[r + 1]; e++) if (events[4 * e] === POOL_EVENT.arrive) chainNext[events[4 * e + 2]]++;
    for (let m = 0, at = base; m < mixes; m++) {
      const n = chainNext[m];
      chainNext[m] = at;
      if (n > 0) chainFirst[at] = 1;
      at += n;
    }
    slotSource.fill(-1);
    slotColumns.fill(NO_COLUMN);
    lastArrival.fill(-1);
    for (let e = eventOffsets[r]; e < eventOffsets[r + 1]; e++) {
      const code = events[4 * e];
      const slot = events[4 * e + 1];
      const b = events[4 * e + 2];
      const c = events[4 * e + 3];
      if (code === POOL_EVENT.inject) {
        slotSource[slot] = -1;
        slotColumns[2 * slot] = b;
        slotColumns[2 * slot + 1] = c;
      } else if (code === POOL_EVENT.arrive) {
        const a = chainNext[b]++;
        const from = slotSource[slot];
        k[a] = c;
        source[a] = from;
        injected[2 * a] = slotColumns[2 * slot];
        injected[2 * a + 1] = slotColumns[2 * slot + 1];
        const previous = lastArrival[b];
        level[a] = Math.max(from >= 0 ? level[from] + 1 : 0, c > 0 && previous >= 0 ? level[previous] : 0);
        levels = Math.max(levels, level[a] + 1);
        lastArrival[b] = a;
      } else if (code === POOL_EVENT.depart) {
        slotSource[slot] = lastArrival[b];
        slotColumns[2 * slot] = NO_COLUMN;
        slotColumns[2 * slot + 1] = NO_COLUMN;
      } else if (code === POOL_EVENT.exit) {
        exitSource[exit] = slotSource[slot];
        exitInjected[2 * exit] = slotColumns[2 * slot];
        exitInjected[2 * exit + 1] = slotColumns[2 * slot + 1];
        exitMark[exit] = b;
        exit++;
      }
    }
    base += counts.arrivals[r];
    exitOffsets[r - r0 + 1] = exit;
  }
  return { arrivals: A, k, source, injected, chainFirst, level, levels, exitSource, exitInjected, exitMark, exitOffsets };
}

/** Where a segment's scan starts from: the mean of an arrival (≥ 0), zero, or the previous segment's end (carried on the host). */
export const CARRY_ZERO = -1;
export const CARRY_ON = -2;

/**
 * The arrivals of one level cut into segments: runs of consecutive arrivals of the level in
 * one chain, at most POOL_SPAN long. A run starts from the mean its chain's previous arrival
 * left (a lower level's, final) unless it starts a pool (k = 0) or the chain; the segments
 * after the first carry on. product[s] = Π k/(k + 1) over the segment, in float64: the
 * factor its starting mean has at its end.
 */
export interface PoolSegments {
  first: Uint32Array;
  length: Uint32Array;
  carry: Int32Array;
  product: Float64Array;
}

export function poolSegments(chains: PoolChains, level: number): PoolSegments {
  const first: number[] = [];
  const length: number[] = [];
  const carry: number[] = [];
  const product: number[] = [];
  for (let a = 0; a < chains.arrivals; a++) {
    if (chains.level[a] !== level) continue;
    const s = first.length - 1;
    const runStart = chains.chainFirst[a] === 1 || chains.level[a - 1] !== level;
    if (runStart || length[s] === POOL_SPAN) {
      first.push(a);
      length.push(0);
      product.push(1);
      carry.push(!runStart ? CARRY_ON : chains.chainFirst[a] === 1 || chains.k[a] === 0 ? CARRY_ZERO : a - 1);
    }
    const t = first.length - 1;
    length[t]++;
    product[t] *= chains.k[a] / (chains.k[a] + 1);
  }
  return { first: Uint32Array.from(first), length: Uint32Array.from(length), carry: Int32Array.from(carry), product: Float64Array.from(product) };
}

/**
 * Batches of a pool-means job for passes of folds: replications r0..r1−1 and columns
 * c0..c1−1 whose means (arrivals × columns, kept on the host) stay under `hostElements`.
 * Every kernel call then takes as much of a level, or of the exits, as `maxElements` holds;
 * the columns are cut so that one segment's POOL_SPAN arrivals or one item's ITEM_SPAN exits,
 * of every column, fit a call, and as far as the largest replication's means need.
 */
export function poolPassBatches(job: PoolMeansJob, counts: { arrivals: Uint32Array }, maxElements: number, hostElements: number, where: string): PoolMeansBatch[] {
  const R = counts.arrivals.length;
  const C = job.columns;
  let widest = 1;
  for (let r = 0; r < R; r++) {
    const A = counts.arrivals[r];
    if (A > hostElements) throw new DeviceError(`${where}: replication ${r} has ${A} arrivals, more pool means than one batch of ${hostElements} holds`);
    widest = Math.max(widest, A);
  }
  const width = Math.max(1, Math.min(C, Math.floor(hostElements / widest), Math.floor(maxElements / Math.max(POOL_SPAN, 2 * ITEM_SPAN))));
  const batches: PoolMeansBatch[] = [];
  for (let c0 = 0; c0 < C; c0 += width) {
    const c1 = Math.min(C, c0 + width);
    let r0 = 0;
    while (r0 < R) {
      let A = 0;
      let r1 = r0;
      while (r1 < R && (r1 === r0 || (A + counts.arrivals[r1]) * (c1 - c0) <= hostElements)) A += counts.arrivals[r1++];
      batches.push({ r0, r1, c0, c1 });
      r0 = r1;
    }
  }
  return batches;
}

/** Runs [s0, s1) of consecutive segments whose arrivals number at most `perCall` (a segment holds at most POOL_SPAN). */
export function segmentChunks(lengths: ArrayLike<number>, perCall: number): [number, number][] {
  const chunks: [number, number][] = [];
  let s0 = 0;
  let held = 0;
  for (let s = 0; s < lengths.length; s++) {
    if (s > s0 && held + lengths[s] > perCall) {
      chunks.push([s0, s]);
      [s0, held] = [s, 0];
    }
    held += lengths[s];
  }
  if (lengths.length > s0) chunks.push([s0, lengths.length]);
  return chunks;
}
