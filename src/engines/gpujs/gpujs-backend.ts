import { GPU, type IKernelRunShortcut, type Texture } from 'gpu.js';
import { DeviceError } from '../../errors.js';
import type { GpuJsMode } from './modes.js';
import { unpackWalkerRecords, walkerRandom, type WalkerJob, type WalkerRecords } from '../../walks/walkers.js';
import { entropiesFromSums } from '../../stats/entropy.js';
import {
  ColumnScales,
  createEntropyTable,
  storeEntropy,
  type Backend,
  type BackendInfo,
  type EntropyJob,
  type EntropyTable,
  type MixingJob,
  type MixingTable,
  type RoundsJob,
  type RoundsTable,
} from '../backend.js';
import type { SparseRows } from '../../walks/transition.js';
import { makePlan, type Plan, type PlanLimits, type Slab, type Tile } from '../gpu-plan/graph-plan.js';

/**
 * The gpu.js fallback: the same batched pull step and per-terminal entropy reductions as
 * the WGSL path, written as gpu.js kernels, for browsers without WebGPU (webgl2, webgl) and
 * Node without a GPU (webasm, cpu). gpu.js kernels address arrays through float texture
 * coordinates, so every array is kept under 2^23 elements (exact in float32) by the same
 * slab-and-tile plan the WebGPU backend uses; loops have a fixed cap, so rows are cut into
 * segments of SEGMENT nonzeros and the segment count per row sets the cap.
 */


/** Largest exact integer index in a float32 texture coordinate, with a factor 2 of margin. */
const MAX_ELEMENTS = 2 ** 23;
const SEGMENT = 64;
const CHUNK_ROWS = 256;

export interface GpuJsBackendOptions {
  /** gpu.js mode; 'gpu' lets gpu.js pick the best one that works here. */
  mode?: GpuJsMode;
  /** Tighter limits than gpu.js's (tests force tiling with these). */
  limits?: Partial<PlanLimits>;
  /** Where this runs, for the output: 'node' or 'browser'. */
  runtime?: string;
}

interface KernelThis {
  thread: { x: number };
  constants: { B: number; accumulate: number; rows: number; usePrior: number; loop: number; reduction: number };
}

// Kernel bodies are parsed by gpu.js from their source: plain functions, no closures. Loop
// counters are integers counting from 0 to a constant (gpu.js's WGSL and GLSL both need
// that); the data-dependent bound is an `if` inside.
// segmentSums multiplies by factors[b], the column's renormalisation (ColumnScales), so
// that the pull step's output is already renormalised.
function segmentSums(this: KernelThis, colIdx: Float32Array, values: Float32Array, segStart: Float32Array, segEnd: Float32Array, x: Float32Array, factors: Float32Array) {
  const s = Math.floor(this.thread.x / this.constants.B);
  const b = this.thread.x - s * this.constants.B;
  let sum = 0;
  const start = segStart[s];
  const length = segEnd[s] - start;
  for (let k = 0; k < this.constants.loop; k++) {
    if (k < length) {
      const e = start + k;
      sum += values[e] * x[colIdx[e] * this.constants.B + b];
    }
  }
  return sum * factors[b];
}

function rowSums(this: KernelThis, segPtr: Float32Array, partial: Float32Array, previous: Float32Array) {
  const row = Math.floor(this.thread.x / this.constants.B);
  const b = this.thread.x - row * this.constants.B;
  let sum = 0;
  const first = segPtr[row];
  const count = segPtr[row + 1] - first;
  for (let k = 0; k < this.constants.loop; k++) {
    if (k < count) {
      sum += partial[(first + k) * this.constants.B + b];
    }
  }
  if (this.constants.accumulate > 0) {
    sum += previous[this.thread.x];
  }
  return sum;
}

/**
 * One of the per-chunk reductions of y = q ⊙ x for each terminal column, chosen by
 * constants.reduction (0: Σy, 1: Σ y log2 y, 2: max y, 3: max x without the prior, for the
 * renormalisation when there is a prior): gpu.js kernels return one number, so the backend
 * runs this kernel once per reduction.
 */
function chunkReduction(this: KernelThis, x: Float32Array, prior: Float32Array) {
  const chunk = Math.floor(this.thread.x / this.constants.B);
  const b = this.thread.x - chunk * this.constants.B;
  let total = 0;
  for (let k = 0; k < this.constants.loop; k++) {
    const i = chunk * this.constants.loop + k;
    if (i < this.constants.rows) {
      let y = x[i * this.constants.B + b];
      if (this.constants.usePrior > 0) y = y * prior[i];
      if (this.constants.reduction === 0) total += y;
      if (this.constants.reduction === 1 && y > 0) total += y * Math.log2(y);
      if (this.constants.reduction === 2) total = Math.max(total, y);
      if (this.constants.reduction === 3) total = Math.max(total, x[i * this.constants.B + b]);
    }
  }
  return total;
}

/** Per chunk of rows, Σ (x_i − π_i)⁺ of each column: the chunk's part of its TV distance to π (MixingJob). */
function chunkExcess(this: KernelThis, x: Float32Array, stationary: Float32Array) {
  const chunk = Math.floor(this.thread.x / this.constants.B);
  const b = this.thread.x - chunk * this.constants.B;
  let total = 0;
  for (let k = 0; k < this.constants.loop; k++) {
    const i = chunk * this.constants.loop + k;
    if (i < this.constants.rows) {
      total += Math.max(x[i * this.constants.B + b] - stationary[i], 0);
    }
  }
  return total;
}

interface WalkerThis {
  thread: { x: number };
  constants: { hops: number; recordHop: number };
}

/**
 * One thread per (walker, field): each replays its walker's walk (gpu.js kernels return one
 * number) and returns one of the five records. The random numbers come from the host: gpu.js
 * has no exact 32-bit integer arithmetic on WebGL, and the walks must equal the other
 * backends'. Every quantity stays below 2^24, exact in float32.
 */
function walkerField(
  this: WalkerThis,
  rowPtr: Float32Array,
  colIdx: Float32Array,
  thresholds: Float32Array,
  compromised: Float32Array,
  starts: Float32Array,
  randoms: Float32Array,
) {
  const w = Math.floor(this.thread.x / 5);
  const field = this.thread.x - w * 5;
  let node = starts[w];
  let first = 0;
  let predecessor = node;
  let recorded = node;
  for (let h = 0; h < this.constants.hops; h++) {
    const r = randoms[w * this.constants.hops + h];
    let lo = rowPtr[node];
    let hi = rowPtr[node + 1] - 1;
    for (let k = 0; k < 32; k++) {
      if (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        if (r < thresholds[mid]) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
    }
    const previous = node;
    node = colIdx[lo];
    if (first === 0 && compromised[node] > 0) {
      first = h + 1;
      predecessor = previous;
    }
    if (h + 1 === this.constants.recordHop) {
      recorded = node;
    }
  }
  if (field === 0) return first;
  if (field === 1) return predecessor;
  if (field === 2) return compromised[node];
  if (field === 3) return recorded;
  return node;
}

type Kernel = IKernelRunShortcut;
export type KernelClass = { mode?: string; name?: string };

/** gpu.js's GL kernel classes inherit a static `mode` of "gpu"; their class names say which. */
export function modeOfKernelClass(implementation: KernelClass | undefined): string | undefined {
  const byName: Record<string, string> = { WebGL2Kernel: 'webgl2', WebGLKernel: 'webgl', HeadlessGLKernel: 'headlessgl' };
  return byName[implementation?.name ?? ''] ?? implementation?.mode;
}
type Block = Float32Array | Texture;

interface TileKernels {
  rowSlab: number;
  columnSlab: number;
  accumulate: boolean;
  colIdx: Float32Array;
  values: Float32Array;
  segStart: Float32Array;
  segEnd: Float32Array;
  segPtr: Float32Array;
  segments: Kernel;
  rows: Kernel;
}

interface SlabReductions {
  prior: Float32Array;
  sum: Kernel;
  sumYLogY: Kernel;
  max: Kernel;
  maxX?: Kernel;
}

export class GpuJsBackend implements Backend {
  info: BackendInfo;
  private readonly gpu: GPU;

  constructor(private readonly options: GpuJsBackendOptions = {}) {
    try {
      this.gpu = new GPU({ mode: options.mode ?? 'gpu' } as ConstructorParameters<typeof GPU>[0]);
    } catch (error) {
      throw new DeviceError(`anonscope/gpujs: gpu.js mode "${options.mode}" is not available here: ${(error as Error).message}`, { cause: error });
    }
    this.info = { name: 'gpujs', precision: 'float32', runtime: `${options.runtime ?? 'node'} ${this.mode}` };
  }

  /** The gpu.js mode gpu.js chose (it may fall back from the one asked for). */
  get mode(): string {
    return modeOfKernelClass((this.gpu as unknown as { Kernel?: KernelClass }).Kernel) ?? this.options.mode ?? 'gpu';
  }

  /** Record the mode a kernel really ran in: gpu.js can degrade single kernels to cpu. */
  private noteModeThatRan(kernel: Kernel): void {
    const ran = modeOfKernelClass((kernel as unknown as { kernel?: { constructor?: KernelClass } }).kernel?.constructor) ?? this.mode;
    this.info = { ...this.info, runtime: `${this.options.runtime ?? 'node'} ${ran}` };
  }

  private get limits(): PlanLimits {
    const features = (this.gpu as unknown as { Kernel: { features?: { maxTextureSize?: number } } }).Kernel?.features;
    const textureSide = features?.maxTextureSize ?? Infinity;
    // Outputs of the segment kernel can be larger than their inputs; halve the bound for them.
    const elements = Math.min(MAX_ELEMENTS, textureSide * textureSide) / 2;
    const given = this.options.limits ?? {};
    return {
      maxStorageBufferBindingSize: Math.min(elements * 4, given.maxStorageBufferBindingSize ?? Infinity),
      maxBufferSize: Math.min(elements * 4, given.maxBufferSize ?? Infinity),
      maxBatch: Math.min(64, given.maxBatch ?? 32),
    };
  }

  private kernel(source: (...args: never[]) => number, output: number, constants: Omit<KernelThis['constants'], 'loop'>, loop: number, pipeline: boolean): Kernel {
    return this.gpu.createKernel(source as never, {
      output: [Math.max(1, output)],
      constants: { ...constants, loop: Math.max(1, loop) },
      loopMaxIterations: Math.max(1, loop),
      pipeline,
      immutable: pipeline,
      precision: 'single',
      tactic: 'precision',
      asyncMode: true,
    } as never) as Kernel;
  }

  async terminalEntropies(job: EntropyJob): Promise<EntropyTable> {
    const T = job.terminals.length;
    const plan = planWithinTextures(job.walk, T, this.limits);
    const B = plan.batch;
    const tiles = plan.tiles.map((tile) => this.tileKernels(tile, B));
    const reductions = plan.slabs.map((slab) => this.slabReductions(slab, B, job.prior));
    const textures = new LiveTextures();
    const table = createEntropyTable(job.hops, T);
    const scales = new ColumnScales(B);
    let done = 0;
    try {
      for (let first = 0; first < T; first += B) {
        const count = Math.min(B, T - first);
        let blocks = unitColumns(plan, job.terminals.subarray(first, first + count), B);
        scales.reset();
        for (let hop = 1; hop <= job.hops; hop++) {
          job.signal?.throwIfAborted();
          blocks = await pullHop(tiles, blocks, Float32Array.from(scales.factor), textures);
          const sums = await columnSums(reductions, blocks, B);
          for (let b = 0; b < count; b++) {
            storeEntropy(table, hop, first + b, entropiesFromSums(sums.S[b], sums.Y[b], sums.M[b]), scales.shift[b], sums.X[b]);
            scales.renormalise(b, sums.X[b]);
          }
          done += count;
          job.onProgress?.(done, job.hops * T);
          if (hop === 1 && first === 0) this.noteModeThatRan(tiles[0].segments);
        }
        blocks.forEach(textures.release);
      }
    } finally {
      textures.deleteAll();
      destroyKernels(tiles, reductions);
    }
    return table;
  }

  /** One tile's arrays and its two kernels: per-segment sums, then per-row sums of the segments. */
  private tileKernels(tile: Tile, B: number): TileKernels {
    const rowCount = tile.rowPtr.length - 1;
    const { segStart, segEnd, segPtr, mostSegments } = rowSegments(tile.rowPtr);
    const constants = { B, accumulate: tile.writes ? 0 : 1, rows: rowCount, usePrior: 0, reduction: 0 };
    return {
      rowSlab: tile.rowSlab,
      columnSlab: tile.columnSlab,
      accumulate: !tile.writes,
      colIdx: Float32Array.from(tile.colIdx),
      values: tile.values,
      segStart,
      segEnd,
      segPtr,
      segments: this.kernel(segmentSums, segStart.length * B, constants, SEGMENT, true),
      rows: this.kernel(rowSums, rowCount * B, constants, mostSegments, true),
    };
  }

  /** One slab's entropy reductions, one kernel each (gpu.js kernels return one number). */
  private slabReductions(slab: Slab, B: number, prior: Float64Array | undefined): SlabReductions {
    const rows = slab.end - slab.start;
    const chunks = Math.ceil(rows / CHUNK_ROWS);
    const constants = { B, accumulate: 0, rows, usePrior: prior ? 1 : 0, reduction: 0 };
    const reduction = (code: number) => this.kernel(chunkReduction, chunks * B, { ...constants, reduction: code }, CHUNK_ROWS, false);
    return {
      prior: prior ? Float32Array.from(prior.subarray(slab.start, slab.end)) : new Float32Array(1),
      sum: reduction(0),
      sumYLogY: reduction(1),
      max: reduction(2),
      // Without a prior, max y is max x.
      maxX: prior ? reduction(3) : undefined,
    };
  }

  /** The pull step on Pᵀ with every factor 1 (a distribution keeps mass 1), then chunkExcess per slab. */
  async mixingDistances(job: MixingJob): Promise<MixingTable> {
    const K = job.sources.length;
    const plan = planWithinTextures(job.push, K, this.limits);
    const B = plan.batch;
    const tiles = plan.tiles.map((tile) => this.tileKernels(tile, B));
    const excess = plan.slabs.map((slab) => {
      const rows = slab.end - slab.start;
      const constants = { B, accumulate: 0, rows, usePrior: 0, reduction: 0 };
      return {
        stationary: Float32Array.from(job.stationary.subarray(slab.start, slab.end)),
        kernel: this.kernel(chunkExcess, Math.ceil(rows / CHUNK_ROWS) * B, constants, CHUNK_ROWS, false),
      };
    });
    const textures = new LiveTextures();
    const tv = new Float64Array(job.hops * K);
    const unscaled = new Float32Array(B).fill(1);
    try {
      for (let first = 0; first < K; first += B) {
        const count = Math.min(B, K - first);
        let blocks = unitColumns(plan, job.sources.subarray(first, first + count), B);
        for (let hop = 1; hop <= job.hops; hop++) {
          job.signal?.throwIfAborted();
          blocks = await pullHop(tiles, blocks, unscaled, textures);
          for (let s = 0; s < excess.length; s++) {
            const sums = (await excess[s].kernel(blocks[s] as never, excess[s].stationary)) as Float32Array;
            for (let c = 0; c < sums.length / B; c++) for (let b = 0; b < count; b++) tv[(hop - 1) * K + first + b] += sums[c * B + b];
          }
          if (hop === 1 && first === 0) this.noteModeThatRan(tiles[0].segments);
        }
        job.onProgress?.((first + count) * job.hops, K * job.hops);
        blocks.forEach(textures.release);
      }
    } finally {
      textures.deleteAll();
      destroyKernels(tiles, []);
      for (const e of excess) e.kernel.destroy();
    }
    return { hops: job.hops, sources: K, tv };
  }

  async roundEntropies(_job: RoundsJob): Promise<RoundsTable> {
    throw new DeviceError('anonscope/gpujs: several rounds (--rounds) run on the webgpu, cpu and cpu-parallel backends, not on gpu.js yet');
  }

  async runWalkers(job: WalkerJob): Promise<WalkerRecords> {
    const exact = 2 ** 24;
    if (job.walk.rowPtr[job.walk.n] >= exact || job.walk.n >= exact) {
      throw new DeviceError(`anonscope/gpujs: walkers index the walk through float32, exact below 2^24; this walk has ${job.walk.rowPtr[job.walk.n]} nonzeros`);
    }
    const W = job.starts.length;
    const chunk = Math.max(1, Math.min(W, Math.floor(MAX_ELEMENTS / 2 / Math.max(5, job.hops))));
    const arrays = {
      rowPtr: Float32Array.from(job.walk.rowPtr),
      colIdx: Float32Array.from(job.walk.colIdx),
      thresholds: Float32Array.from(job.thresholds),
      compromised: Float32Array.from(job.compromised),
    };
    const records = new Float32Array(W * 5);
    for (let first = 0; first < W; first += chunk) {
      const count = Math.min(chunk, W - first);
      const randoms = new Float32Array(count * job.hops);
      for (let w = 0; w < count; w++) {
        for (let h = 0; h < job.hops; h++) randoms[w * job.hops + h] = walkerRandom(job.seed, (job.firstWalker ?? 0) + first + w, h + 1) >>> 8;
      }
      const kernel = this.gpu.createKernel(walkerField as never, {
        output: [count * 5],
        constants: { hops: job.hops, recordHop: job.recordHop },
        loopMaxIterations: Math.max(32, job.hops),
        precision: 'single',
        tactic: 'precision',
        asyncMode: true,
      } as never) as Kernel;
      try {
        const starts = Float32Array.from(job.starts.subarray(first, first + count));
        const out = (await kernel(arrays.rowPtr, arrays.colIdx, arrays.thresholds, arrays.compromised, starts as never, randoms as never)) as Float32Array;
        records.set(out, first * 5);
      } finally {
        kernel.destroy();
      }
    }
    return unpackWalkerRecords(records, W);
  }

  dispose(): void {
    this.gpu.destroy();
  }
}

/** The slab-and-tile plan, with every array under gpu.js's float32 index limit. */
function planWithinTextures(walk: SparseRows, terminals: number, limits: PlanLimits): Plan {
  try {
    return makePlan(walk, terminals, limits);
  } catch (error) {
    throw new DeviceError(`anonscope/gpujs: ${(error as Error).message} (gpu.js keeps every array under ${MAX_ELEMENTS / 2} elements)`, { cause: error });
  }
}

/** Rows cut into segments of at most SEGMENT nonzeros: gpu.js loops need a fixed cap. */
function rowSegments(rowPtr: ArrayLike<number>): { segStart: Float32Array; segEnd: Float32Array; segPtr: Float32Array; mostSegments: number } {
  const rowCount = rowPtr.length - 1;
  const segStart: number[] = [];
  const segEnd: number[] = [];
  const segPtr = new Float32Array(rowCount + 1);
  let mostSegments = 0;
  for (let k = 0; k < rowCount; k++) {
    const start = rowPtr[k];
    const end = rowPtr[k + 1];
    for (let e = start; e < end; e += SEGMENT) {
      segStart.push(e);
      segEnd.push(Math.min(end, e + SEGMENT));
    }
    segPtr[k + 1] = segStart.length;
    mostSegments = Math.max(mostSegments, segPtr[k + 1] - segPtr[k]);
  }
  return { segStart: Float32Array.from(segStart), segEnd: Float32Array.from(segEnd), segPtr, mostSegments };
}

/** The textures the kernels returned that are still in use; each is deleted once. */
class LiveTextures {
  private readonly live = new Set<Texture>();

  keep = (block: Block): Block => {
    if (!(block instanceof Float32Array)) this.live.add(block);
    return block;
  };

  release = (block: Block): void => {
    if (block instanceof Float32Array) return;
    if (this.live.delete(block)) block.delete();
  };

  deleteAll(): void {
    for (const texture of this.live) texture.delete();
  }
}

/** The first x of a batch: column b is the unit vector of terminals[b], laid out by slab. */
function unitColumns(plan: Plan, terminals: Uint32Array, B: number): Block[] {
  const blocks = plan.slabs.map((slab) => new Float32Array((slab.end - slab.start) * B));
  terminals.forEach((node, b) => {
    const s = plan.slabs.findIndex((slab) => node < slab.end);
    blocks[s][(node - plan.slabs[s].start) * B + b] = 1;
  });
  return blocks;
}

/** One hop of the pull step, tile by tile (each row slab's tiles add into its output); the input blocks are released. */
async function pullHop(tiles: TileKernels[], blocks: Block[], factors: Float32Array, textures: LiveTextures): Promise<Block[]> {
  const next: Block[] = new Array(blocks.length);
  for (const tile of tiles) {
    const partial = textures.keep(await tile.segments(tile.colIdx, tile.values, tile.segStart, tile.segEnd, blocks[tile.columnSlab] as never, factors) as Block);
    const previous = tile.accumulate ? next[tile.rowSlab] : new Float32Array(1);
    const output = textures.keep(await tile.rows(tile.segPtr, partial as never, previous as never) as Block);
    textures.release(partial);
    if (tile.accumulate) textures.release(previous);
    next[tile.rowSlab] = output;
  }
  blocks.forEach(textures.release);
  return next;
}

/** Per column over every slab: S = Σy, Y = Σ y log2 y, M = max y, X = max x. */
async function columnSums(reductions: SlabReductions[], blocks: Block[], B: number): Promise<{ S: Float64Array; Y: Float64Array; M: Float64Array; X: Float64Array }> {
  const S = new Float64Array(B);
  const Y = new Float64Array(B);
  const M = new Float64Array(B);
  const X = new Float64Array(B);
  for (let s = 0; s < reductions.length; s++) {
    const r = reductions[s];
    const sums = (await r.sum(blocks[s] as never, r.prior)) as Float32Array;
    const ylogy = (await r.sumYLogY(blocks[s] as never, r.prior)) as Float32Array;
    const maxima = (await r.max(blocks[s] as never, r.prior)) as Float32Array;
    const maximaX = r.maxX ? ((await r.maxX(blocks[s] as never, r.prior)) as Float32Array) : maxima;
    for (let c = 0; c < sums.length / B; c++) {
      for (let b = 0; b < B; b++) {
        S[b] += sums[c * B + b];
        Y[b] += ylogy[c * B + b];
        M[b] = Math.max(M[b], maxima[c * B + b]);
        X[b] = Math.max(X[b], maximaX[c * B + b]);
      }
    }
  }
  return { S, Y, M, X };
}

function destroyKernels(tiles: TileKernels[], reductions: SlabReductions[]): void {
  for (const tile of tiles) {
    tile.segments.destroy();
    tile.rows.destroy();
  }
  for (const r of reductions) for (const k of [r.sum, r.sumYLogY, r.max, r.maxX]) k?.destroy();
}
