import { GPU, type IKernelRunShortcut } from 'gpu.js';
import { modeOfKernelClass, type KernelClass } from './gpujs-backend.js';
import type { GpuJsMode } from './modes.js';
import { DeviceError } from '../../errors.js';
import {
  CARRY_ON,
  CARRY_ZERO,
  convolveChunkInput,
  convolveChunks,
  convolveShape,
  EntropyAccumulator,
  entropyBatches,
  ITEM_SPAN,
  kernelDensity,
  NO_LOG,
  OUTSIDE,
  packetBins,
  poolChains,
  poolEventCounts,
  poolPassBatches,
  poolSegments,
  POOL_SPAN,
  segmentChunks,
  scoreBatches,
  storeConvolveChunk,
  type PoolChains,
  type PoolSegments,
} from '../gpu-plan/mix-plan.js';
import {
  checkPoolMeansJob,
  NO_COLUMN,
  NO_MARK,
  SCORE_FLOOR,
  type ConvolveJob,
  type MixEntropyJob,
  type MixKernels,
  type MixKernelsInfo,
  type PoolMeansJob,
  type PoolMeansResult,
  type ScoreJob,
} from '../mix-kernels.js';

/**
 * gpu.js addresses arrays through float32 texture coordinates, exact below 2^24: every array
 * a kernel reads or writes is kept to 2^22 elements (a factor 4 of margin).
 */
const MAX_ELEMENTS = 2 ** 22;
/** A pool-means batch keeps its means on the host, up to this many bindings' worth: more replications a batch, fewer passes. */
const HOST_BATCHES = 8;
/** Taps one convolution pass loops over (gpu.js loops count to a constant); longer kernels run in several passes summed on the host. */
const TAP_CHUNK = 1024;
/** Compiled kernels kept for reuse (analyses call with the same shapes again and again). */
const CACHE_SIZE = 24;

export interface GpuJsMixKernelsOptions {
  /** gpu.js mode; 'gpu' lets gpu.js pick the best one that works here. */
  mode?: GpuJsMode;
  /** Where this runs, for the output: 'node' or 'browser'. */
  runtime?: string;
  /** A tighter element bound than 2^22 (tests force chunking with it). */
  maxElements?: number;
}

interface MixThis {
  thread: { x: number };
  constants: Record<string, number>;
}

// Kernel bodies are parsed by gpu.js from their source: plain functions, no closures. Loops
// count from 0 to a constant (`loop`) with the data-dependent bound as an `if` inside. Index
// arithmetic stays on integers below 2^24; a division that yields a row is corrected, since
// float division on a GPU need not be correctly rounded.

function mixConvolve(this: MixThis, kernel: Float32Array, signals: Float32Array) {
  const i = this.thread.x;
  let r = Math.floor((i + 0.5) / this.constants.widthOut);
  let c = i - r * this.constants.widthOut;
  if (c < 0) {
    r = r - 1;
    c = c + this.constants.widthOut;
  }
  if (c >= this.constants.widthOut) {
    r = r + 1;
    c = c - this.constants.widthOut;
  }
  const n = this.constants.n0 + c;
  const top = Math.min(n, this.constants.taps - 1);
  const base = r * this.constants.widthIn + n - this.constants.lo;
  let sum = 0;
  for (let j = 0; j < this.constants.loop; j++) {
    const k = this.constants.k0 + j;
    if (k <= top) {
      sum += kernel[j] * signals[base - k];
    }
  }
  return sum * this.constants.step;
}

function mixScore(this: MixThis, items: Float32Array, coefs: Float32Array, bins: Float32Array, signals: Float32Array) {
  const i = this.thread.x;
  const row = items[i * 4];
  const start = items[i * 4 + 1];
  const count = items[i * 4 + 2];
  const a = coefs[i * 2];
  const c = coefs[i * 2 + 1];
  let sum = 0;
  for (let j = 0; j < this.constants.loop; j++) {
    if (j < count) {
      const bin = bins[start + j];
      let g = 0;
      if (bin >= 0) {
        g = signals[row * this.constants.N + bin];
      }
      const r = a * g + c;
      if (r > this.constants.floor) {
        sum += Math.log(r);
      } else {
        sum += this.constants.logFloor;
      }
    }
  }
  return sum;
}

function mixEntropy(this: MixThis, items: Float32Array, xs: Float32Array, edges: Float32Array, logd: Float32Array) {
  const t = this.thread.x;
  let i = Math.floor((t + 0.5) / 3);
  let part = t - i * 3;
  if (part < 0) {
    i = i - 1;
    part = part + 3;
  }
  if (part >= 3) {
    i = i + 1;
    part = part - 3;
  }
  const start = items[i * 2];
  const count = items[i * 2 + 1];
  const p0 = this.constants.p0;
  const p1 = this.constants.p1;
  const p2 = this.constants.p2;
  const code = this.constants.code;
  let m = -1e30;
  let S = 0;
  let A = 0;
  for (let j = 0; j < this.constants.loop; j++) {
    if (j < count) {
      const x = xs[start + j];
      let l = -1e30;
      if (code === 0) {
        if (x >= 0) l = this.constants.extra - p0 * x;
      } else if (code === 1) {
        if (x >= p0 && x < p1) l = this.constants.extra;
      } else if (code === 2) {
        if (x > 0) {
          l = p2 + (p0 - 1) * Math.log(x) - p1 * x;
        } else if (x === 0 && p0 === 1) {
          l = this.constants.extra;
        }
      } else if (code === 3) {
        if (x > 0) {
          const lx = Math.log(x);
          const z = (lx - p0) / p1;
          l = -0.5 * z * z - lx - p2;
        }
      } else if (code === 4) {
        if (x >= p1) l = p2 - (p0 + 1) * Math.log(x);
      } else {
        if (x >= edges[0] && x < edges[this.constants.tableSize]) {
          let lo = 0;
          let hi = this.constants.tableSize;
          for (let s = 0; s < 32; s++) {
            if (hi - lo > 1) {
              const mid = Math.floor((lo + hi) / 2);
              if (x >= edges[mid]) {
                lo = mid;
              } else {
                hi = mid;
              }
            }
          }
          l = logd[lo];
        }
      }
      if (l > -1e29) {
        if (l > m) {
          let scale = 0;
          if (S > 0) scale = Math.exp(m - l);
          A = (A + (m - l) * S) * scale;
          S = S * scale + 1;
          m = l;
        } else {
          const d = l - m;
          const w = Math.exp(d);
          S += w;
          A += w * d;
        }
      }
    }
  }
  if (part === 0) return m;
  if (part === 1) return S;
  return A;
}

/**
 * One arrival's pool mean per thread (item, column): from the segment's starting mean
 * (carries[seg·W + c]; 0 when seg < 0), fold the item's `count` arrivals of the level from
 * `first`: m ← (k·m + x) / (k + 1), with k = ks[a] and x = xs[a·W + c], the mean its source
 * left or 1 where the column is one it was injected with (laid out by the host per level).
 */
function poolScan(this: MixThis, items: Float32Array, ks: Float32Array, xs: Float32Array, carries: Float32Array) {
  const i = this.thread.x;
  const W = this.constants.W;
  let q = Math.floor((i + 0.5) / W);
  let c = i - q * W;
  if (c < 0) {
    q = q - 1;
    c = c + W;
  }
  if (c >= W) {
    q = q + 1;
    c = c - W;
  }
  const first = items[q * 3];
  const count = items[q * 3 + 1];
  const seg = items[q * 3 + 2];
  let m = 0;
  if (seg >= 0) m = carries[seg * W + c];
  for (let j = 0; j < this.constants.loop; j++) {
    if (j < count) {
      const a = first + j;
      const k = ks[a];
      m = (k * m + xs[a * W + c]) / (k + 1);
    }
  }
  return m;
}

/** Some segments' arrivals, consecutive segment after segment: k and the W-column vector x each folds in. */
interface LevelArrivals {
  count: number;
  /** Where segment s0 + s's arrivals start in ks and xs. */
  base: Int32Array;
  ks: Float32Array;
  xs: Float32Array;
}

/**
 * Segments s0..s1−1 of a level: their k and x, gathered on the host from the means of the
 * levels before. A pass then uploads its own arrivals' vectors, not every mean so far (free
 * routes chain thousands of levels through shared pools, and a copy of all the means per
 * pass cost more than the folds).
 */
function levelArrivals(chains: PoolChains, segments: PoolSegments, [s0, s1]: [number, number], means: Float32Array, W: number, local: (column: number) => number): LevelArrivals {
  const base = new Int32Array(s1 - s0);
  let count = 0;
  for (let s = s0; s < s1; s++) {
    base[s - s0] = count;
    count += segments.length[s];
  }
  const ks = new Float32Array(Math.max(1, count));
  const xs = new Float32Array(Math.max(1, count * W));
  for (let s = s0; s < s1; s++) {
    for (let j = 0; j < segments.length[s]; j++) {
      const a = segments.first[s] + j;
      const q = base[s - s0] + j;
      ks[q] = chains.k[a];
      const from = chains.source[a];
      if (from >= 0) xs.set(means.subarray(from * W, (from + 1) * W), q * W);
      else for (const column of [local(chains.injected[2 * a]), local(chains.injected[2 * a + 1])]) if (column >= 0) xs[q * W + column] = 1;
    }
  }
  return { count, base, ks, xs };
}

/**
 * The exits' sums per thread (item, column, part): Σ v (part 0) or Σ v ln v (part 1) over
 * the item's `count` exits from `first`, v = xs[e·W + c] (the vectors the exits carry, laid
 * out by the host).
 */
function poolExits(this: MixThis, items: Float32Array, xs: Float32Array) {
  const i = this.thread.x;
  const W = this.constants.W;
  const width = 2 * W;
  let q = Math.floor((i + 0.5) / width);
  let col = i - q * width;
  if (col < 0) {
    q = q - 1;
    col = col + width;
  }
  if (col >= width) {
    q = q + 1;
    col = col - width;
  }
  const c = Math.floor((col + 0.5) / 2);
  const part = col - 2 * c;
  const first = items[q * 2];
  const count = items[q * 2 + 1];
  let sum = 0;
  for (let j = 0; j < this.constants.loop; j++) {
    if (j < count) {
      const v = xs[(first + j) * W + c];
      if (v > 0) {
        if (part === 0) {
          sum += v;
        } else {
          sum += v * Math.log(v);
        }
      }
    }
  }
  return sum;
}

type Kernel = IKernelRunShortcut;

/**
 * The mix kernels as gpu.js kernels (webgl2/webgl/webgpu in a browser; headlessgl, webasm or
 * cpu in Node), float32 on the device and float64 on the host, with the same chunking as the
 * WebGPU kernels: each thread handles one output element or at most ITEM_SPAN packets or
 * arrivals, every array stays under 2^22 elements, and the host sums the partials in float64.
 */
export class GpuJsMixKernels implements MixKernels {
  info: MixKernelsInfo;
  private readonly gpu: GPU;
  private readonly cache = new Map<string, Kernel>();

  constructor(private readonly options: GpuJsMixKernelsOptions = {}) {
    try {
      this.gpu = new GPU({ mode: options.mode ?? 'gpu' } as ConstructorParameters<typeof GPU>[0]);
    } catch (error) {
      throw new DeviceError(`anonscope/gpujs mix: gpu.js mode "${options.mode}" is not available here: ${(error as Error).message}`, { cause: error });
    }
    this.info = { name: 'gpujs', precision: 'float32', runtime: `${options.runtime ?? 'node'} ${this.mode}` };
  }

  /** The gpu.js mode gpu.js chose (it may fall back from the one asked for). */
  get mode(): string {
    return modeOfKernelClass((this.gpu as unknown as { Kernel?: KernelClass }).Kernel) ?? this.options.mode ?? 'gpu';
  }

  private get maxElements(): number {
    const features = (this.gpu as unknown as { Kernel?: { features?: { maxTextureSize?: number } } }).Kernel?.features;
    const side = features?.maxTextureSize ?? Infinity;
    return Math.max(64, Math.min(MAX_ELEMENTS, (side * side) / 2, this.options.maxElements ?? Infinity));
  }

  private kernel(source: (...args: never[]) => number, output: number, constants: Record<string, number>): Kernel {
    const key = `${source.name}/${output}/${JSON.stringify(constants)}`;
    let kernel = this.cache.get(key);
    if (kernel) {
      this.cache.delete(key); // most recently used last
      this.cache.set(key, kernel);
      return kernel;
    }
    try {
      kernel = this.gpu.createKernel(source as never, {
        output: [Math.max(1, output)],
        constants,
        loopMaxIterations: Math.max(32, constants.loop),
        precision: 'single',
        tactic: 'precision',
        asyncMode: true,
        dynamicArguments: true, // a cached kernel sees arrays of other lengths
      } as never) as Kernel;
    } catch (error) {
      throw new DeviceError(`anonscope/gpujs mix: could not build ${source.name}: ${(error as Error).message}`, { cause: error });
    }
    this.cache.set(key, kernel);
    if (this.cache.size > CACHE_SIZE) {
      const [oldest, evicted] = this.cache.entries().next().value as [string, Kernel];
      this.cache.delete(oldest);
      evicted.destroy();
    }
    return kernel;
  }

  private async call(kernel: Kernel, name: string, args: Float32Array[]): Promise<Float32Array> {
    let result: unknown;
    try {
      result = await (kernel as unknown as (...a: Float32Array[]) => Promise<unknown>)(...args);
    } catch (error) {
      throw new DeviceError(`anonscope/gpujs mix: ${name} failed: ${(error as Error).message}`, { cause: error });
    }
    const ran = modeOfKernelClass((kernel as unknown as { kernel?: { constructor?: KernelClass } }).kernel?.constructor) ?? this.mode;
    this.info = { ...this.info, runtime: `${this.options.runtime ?? 'node'} ${ran}` };
    return result as Float32Array;
  }

  async convolve(job: ConvolveJob): Promise<Float64Array> {
    const { S, N, K } = convolveShape(job);
    const out = new Float64Array(S * N);
    if (K === 0) return out;
    const max = this.maxElements;
    const chunks = convolveChunks(S, N, K, max, 'anonscope/gpujs mix convolve');
    const taps = Float32Array.from(job.kernel.subarray(0, K));
    for (const c of chunks) {
      const widthOut = c.n1 - c.n0;
      const count = (c.r1 - c.r0) * widthOut;
      const input = convolveChunkInput(job, N, c);
      // Only taps k ≤ n1 − 1 reach this chunk's outputs.
      const reach = Math.min(K, c.n1);
      for (let k0 = 0; k0 < reach; k0 += TAP_CHUNK) {
        const loop = Math.min(TAP_CHUNK, reach - k0);
        const constants = { widthOut, widthIn: c.n1 - c.lo, n0: c.n0, lo: c.lo, taps: K, k0, loop, step: job.step };
        const kernel = this.kernel(mixConvolve, count, constants);
        const values = await this.call(kernel, 'convolve', [taps.subarray(k0, k0 + loop), input]);
        storeConvolveChunk(out, N, c, values, k0 > 0);
      }
    }
    return out;
  }

  async scoreLinks(job: ScoreJob): Promise<Float64Array> {
    const N = job.grid.length;
    const max = this.maxElements;
    const batches = scoreBatches(job, packetBins(job), { maxSignalElements: max, maxBins: max, maxItems: Math.floor(max / 4) }, 'anonscope/gpujs mix scoreLinks');
    const scores = new Float64Array(job.pairSignal.length);
    for (const batch of batches) {
      const count = batch.itemPair.length;
      const bins = Float32Array.from(batch.bins, (b) => (b === OUTSIDE ? -1 : b));
      const signals = Float32Array.from(job.signals.subarray(batch.s0 * N, batch.s1 * N));
      const kernel = this.kernel(mixScore, count, { N, loop: ITEM_SPAN, floor: SCORE_FLOOR, logFloor: Math.log(SCORE_FLOOR) });
      const values = await this.call(kernel, 'scoreLinks', [Float32Array.from(batch.items), batch.coefs, bins, signals]);
      for (let i = 0; i < count; i++) scores[batch.itemPair[i]] += values[i];
    }
    return scores;
  }

  async mixEntropies(job: MixEntropyJob): Promise<Float64Array> {
    const density = kernelDensity(job.density);
    if (density.tableSize + 1 > this.maxElements) throw new DeviceError(`anonscope/gpujs mix: a delay table of ${density.tableSize} bins exceeds gpu.js's ${this.maxElements}-element bound`);
    if (density.tableSize >= 2 ** 32) throw new DeviceError('anonscope/gpujs mix: the table search loop is capped at 32 halvings');
    const max = this.maxElements;
    const batches = entropyBatches(job, { maxArrivals: max, maxItems: Math.floor(max / 3) });
    const sums = new EntropyAccumulator(job.outputs.length);
    const [p0, p1, p2] = density.params;
    for (const batch of batches) {
      const count = batch.itemTrial.length;
      const constants = { code: density.code, p0, p1, p2, extra: density.extra, tableSize: density.tableSize, loop: ITEM_SPAN };
      const kernel = this.kernel(mixEntropy, count * 3, constants);
      const values = await this.call(kernel, 'mixEntropies', [Float32Array.from(batch.items), batch.xs, density.edges, density.logDensity]);
      for (let i = 0; i < count; i++) {
        const m = values[3 * i];
        sums.add(batch.itemTrial[i], m > NO_LOG / 10 ? m : -Infinity, values[3 * i + 1], values[3 * i + 2]);
      }
    }
    return sums.entropies();
  }

  /**
   * The pool means as passes of folds (gpu.js threads keep no pools): the host lays out
   * the column-independent structure (poolChains: each arrival's source and level) of as many
   * replications as HOST_BATCHES bindings of means hold, then per level gathers the level's
   * arrival vectors (levelArrivals) and kernels fold every arrival of the level from its
   * segment's starting mean (poolScan, in calls of whole segments), after first kernels have
   * scanned the segment ends whose successors carry on and the host has chained those carries
   * in float64; last kernels sum the vectors the exits carry (poolExits).
   */
  async poolMeans(job: PoolMeansJob): Promise<PoolMeansResult> {
    const where = 'anonscope/gpujs mix poolMeans';
    const R = checkPoolMeansJob(job);
    const { columns: C, marks } = job;
    const result: PoolMeansResult = { mass: new Float64Array(R * C), plogp: new Float64Array(R * C), marked: new Float64Array(R * marks * C) };
    const counts = poolEventCounts(job, where);
    const noCarries = new Float32Array(1);
    const max = this.maxElements;
    for (const { r0, r1, c0, c1 } of poolPassBatches(job, counts, max, HOST_BATCHES * max, where)) {
      const W = c1 - c0;
      const chains = poolChains(job, r0, r1, counts);
      const A = chains.arrivals;
      const local = (column: number) => (column !== NO_COLUMN && column >= c0 && column < c1 ? column - c0 : -1);
      const means = new Float32Array(Math.max(1, A * W));
      const scan = (items: Float32Array, arrivals: LevelArrivals, carries: Float32Array) => {
        // Calls hold any number of items: padded with empty ones (count 0, no carry) to a
        // power of two, so that a few cached kernels serve every level instead of one build each.
        const padded = new Float32Array(3 * 2 ** Math.ceil(Math.log2(items.length / 3)));
        padded.set(items);
        for (let q = items.length / 3; q < padded.length / 3; q++) padded[3 * q + 2] = -1;
        return this.call(this.kernel(poolScan, (padded.length / 3) * W, { W, loop: POOL_SPAN }), 'poolMeans', [padded, arrivals.ks, arrivals.xs, carries]);
      };
      for (let level = 0; level < chains.levels; level++) {
        const segments = poolSegments(chains, level);
        const S = segments.first.length;
        // The level in calls of whole segments whose vectors fit one binding.
        const chunks = segmentChunks(segments.length, Math.floor(max / W));
        const arrivals = chunks.map((chunk) => levelArrivals(chains, segments, chunk, means, W, local));
        // The ends of the segments the next one carries on from, scanned from 0.
        const endOf = new Int32Array(S).fill(-1);
        let endCount = 0;
        for (let s = 0; s + 1 < S; s++) if (segments.carry[s + 1] === CARRY_ON) endOf[s] = endCount++;
        const ends = new Float32Array(Math.max(1, endCount * W));
        for (const [k, [s0, s1]] of chunks.entries()) {
          const inChunk = Array.from({ length: s1 - s0 }, (_, i) => s0 + i).filter((s) => endOf[s] >= 0);
          if (inChunk.length === 0) continue;
          const endItems = Float32Array.from(inChunk.flatMap((s) => [arrivals[k].base[s - s0], segments.length[s], -1]));
          const values = await scan(endItems, arrivals[k], noCarries);
          inChunk.forEach((s, q) => ends.set(values.subarray(q * W, (q + 1) * W), endOf[s] * W));
        }
        const carries = new Float32Array(Math.max(1, S * W));
        const carry = new Float64Array(W);
        for (let s = 0; s < S; s++) {
          const from = segments.carry[s];
          if (from === CARRY_ON) for (let c = 0; c < W; c++) carry[c] = segments.product[s - 1] * carry[c] + ends[endOf[s - 1] * W + c];
          else if (from === CARRY_ZERO) carry.fill(0);
          else for (let c = 0; c < W; c++) carry[c] = means[from * W + c];
          carries.set(carry, s * W);
        }
        // One item per arrival of the chunk; a segment's items, like its arrivals, are consecutive.
        for (const [k, [s0, s1]] of chunks.entries()) {
          if (arrivals[k].count === 0) continue;
          const items = new Float32Array(3 * arrivals[k].count);
          for (let s = s0, q = 0; s < s1; s++) for (let j = 1; j <= segments.length[s]; j++, q++) items.set([arrivals[k].base[s - s0], j, s - s0], 3 * q);
          const values = await scan(items, arrivals[k], carries.subarray(s0 * W, s1 * W));
          for (let s = s0, q = 0; s < s1; q += segments.length[s], s++) means.set(values.subarray(q * W, (q + segments.length[s]) * W), segments.first[s] * W);
        }
      }
      const value = (x: number, c: number) => {
        const from = chains.exitSource[x];
        if (from >= 0) return means[from * W + c];
        return local(chains.exitInjected[2 * x]) === c || local(chains.exitInjected[2 * x + 1]) === c ? 1 : 0;
      };
      // The exits in items of up to ITEM_SPAN of one replication, in calls whose vectors fit one binding.
      const span = Math.max(1, Math.min(ITEM_SPAN, Math.floor(max / W)));
      const exitItems: { first: number; count: number; replication: number }[] = [];
      for (let r = r0; r < r1; r++) {
        const end = chains.exitOffsets[r - r0 + 1];
        for (let x = chains.exitOffsets[r - r0]; x < end; x += span) exitItems.push({ first: x, count: Math.min(span, end - x), replication: r });
      }
      for (const [i0, i1] of segmentChunks(exitItems.map((item) => item.count), Math.floor(max / W))) {
        const callItems = exitItems.slice(i0, i1);
        const exits = callItems.reduce((sum, item) => sum + item.count, 0);
        const xs = new Float32Array(exits * W);
        const items = new Float32Array(2 * callItems.length);
        let at = 0;
        callItems.forEach(({ first, count }, q) => {
          items.set([at, count], 2 * q);
          for (let x = first; x < first + count; x++, at++) {
            const from = chains.exitSource[x];
            if (from >= 0) xs.set(means.subarray(from * W, (from + 1) * W), at * W);
            else for (const column of [local(chains.exitInjected[2 * x]), local(chains.exitInjected[2 * x + 1])]) if (column >= 0) xs[at * W + column] = 1;
          }
        });
        const sums = await this.call(this.kernel(poolExits, callItems.length * 2 * W, { W, loop: span }), 'poolMeans', [items, xs]);
        callItems.forEach(({ replication: r }, q) => {
          for (let c = 0; c < W; c++) {
            result.mass[r * C + c0 + c] += sums[(q * W + c) * 2];
            result.plogp[r * C + c0 + c] += sums[(q * W + c) * 2 + 1];
          }
        });
      }
      // The marked exits' vectors, read on the host (a few per replication).
      for (let r = r0; r < r1; r++) {
        for (let x = chains.exitOffsets[r - r0]; x < chains.exitOffsets[r - r0 + 1]; x++) {
          const mark = chains.exitMark[x];
          if (mark === NO_MARK) continue;
          for (let c = 0; c < W; c++) result.marked[(r * marks + mark) * C + c0 + c] = value(x, c);
        }
      }
    }
    return result;
  }

  dispose(): void {
    for (const kernel of this.cache.values()) kernel.destroy();
    this.cache.clear();
    this.gpu.destroy();
  }
}
