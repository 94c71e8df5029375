/**
 * Host-side planning shared by the GPU implementations of MixKernels (WebGPU and gpu.js):
 * pure TypeScript, no device API. It cuts each job into chunks whose arrays fit a bound, does
 * the float64 work that keeps float32 kernels exact where the layouts allow (packet bins and
 * output − arrival differences are computed here, so no large time ever reaches a kernel), and
 * combines the kernels' per-chunk partials in float64.
 */
import { DeviceError } from '../../errors.js';
import { checkConvolveJob, checkMixEntropyJob, checkScoreJob, type ConvolveJob, type DensityDescriptor, type MixEntropyJob, type PoolMeansJob, type ScoreJob } from '../mix-kernels.js';
import { DENSITY_CODES } from '../mix-kernels.js';

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
