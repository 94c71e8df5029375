import { availableParallelism } from 'node:os';
import { degreeOrder, relabelWalk } from '../../walks/reorder.js';
import type { SparseRows } from '../../walks/transition.js';
import { runWalkersReference, type WalkerJob, type WalkerRecords } from '../../walks/walkers.js';
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
import { roundEntropiesReference } from './cpu-backend.js';
import { evalWorker } from './eval-worker.js';
import { simdAvailable, simdPullModule } from './simd-pull.js';

/**
 * The cpu backend on every core: worker threads share the CSR, the two n × B blocks and
 * the sums (one SharedArrayBuffer, a WebAssembly memory's when SIMD runs), each takes
 * interleaved chunks of rows, and each adds a chunk's entropy sums right after its pull
 * step, while the chunk is in cache, so a hop reads the block once. By default:
 * - P's values and the blocks are float32 (entropy sums float64), and the pull step is
 *   WebAssembly SIMD (simd-pull.ts): the generated JavaScript loop was 5× slower, bound by
 *   its scalar instructions rather than by the memory;
 * - B = 32 terminals a batch (larger jobs run as batches in sequence; see DEFAULTS for
 *   the measurements);
 * - optionally (`order: 'degree'`), the nodes numbered by decreasing degree
 *   (src/walks/reorder.ts), so that the hubs' rows, which most gathers read, sit together
 *   in the caches; the relabelling changes nothing but the order of additions.
 * `precision: 'float64'` keeps float64 values and blocks (JavaScript step), equal to the
 * reference to rounding.
 */

/** Byte offsets of the arrays the workers share, in one buffer (a WebAssembly memory's, for SIMD). */
interface Layout {
  rowPtr: number;
  colIdx: number;
  values: number;
  blocks: [number, number];
  /** ColumnScales' factors, float64 for the JavaScript step and float32 for the SIMD one. */
  factors: number;
  factors32: number;
  prior: number;
  partials: number;
  bytes: number;
}

interface WorkerSetup {
  buffer: SharedArrayBuffer;
  layout: Layout;
  n: number;
  nnz: number;
  /** The SIMD module and the memory it runs on, when the job uses it. */
  simd: { module: Uint8Array<ArrayBuffer>; memory: WebAssembly.Memory } | null;
  hasPrior: boolean;
  /** Bytes per value of P and of the blocks: 8 (float64) or 4 (float32; sums stay float64). */
  bytesPerValue: 4 | 8;
  B: number;
  threads: number;
  index: number;
}

/**
 * The worker's body (run from its source text by evalWorker: it may use nothing from this module).
 * Worker w takes chunks w, w + threads, w + 2·threads… of CHUNK rows, so that every worker
 * gets its share of hubs and of leaves (in degree order a contiguous split was measured
 * lopsided). A hop runs chunk by chunk, small enough to stay in the caches: the pull step of the
 * chunk (WebAssembly SIMD, or JavaScript generated for B with one local accumulator per
 * terminal, which V8 keeps in registers), scaled by the columns' renormalisation factors,
 * then the chunk's entropy sums (Σy, Σy log2 y, max y, max x per column, float64) while
 * it is still in cache; or, for a mixing job (whose `prior` slot holds π), Σ (x − π)⁺.
 */
function workerMain(parentPort: import('node:worker_threads').MessagePort, setup: WorkerSetup): void {
  const { buffer, layout, n, nnz, B, index } = setup;
  const float = (offset: number, length: number) => (setup.bytesPerValue === 4 ? new Float32Array(buffer, offset, length) : new Float64Array(buffer, offset, length));
  const rowPtr = new Uint32Array(buffer, layout.rowPtr, n + 1);
  const colIdx = new Uint32Array(buffer, layout.colIdx, nnz);
  const values = float(layout.values, nnz);
  const blocks = [float(layout.blocks[0], n * B), float(layout.blocks[1], n * B)];
  const prior = setup.hasPrior ? new Float64Array(buffer, layout.prior, n) : null;
  const partials = new Float64Array(buffer, layout.partials, setup.threads * 4 * B);
  const factors = new Float64Array(buffer, layout.factors, B);
  const CHUNK = 1024;
  // Local sums: the shared partials are written once per hop, not once per row.
  const sums = new Float64Array(4 * B);
  const terms = Array.from({ length: B }, (_, b) => b);
  const pullRows = new Function(
    'rowPtr', 'colIdx', 'values', 'x', 'next', 'first', 'last', 'factors',
    `${terms.map((b) => `const f${b} = factors[${b}];`).join(' ')}
    for (let i = first; i < last; i++) {
      let ${terms.map((b) => `a${b} = 0`).join(', ')};
      const end = rowPtr[i + 1];
      for (let e = rowPtr[i]; e < end; e++) {
        const p = values[e];
        const k = colIdx[e] * ${B};
        ${terms.map((b) => `a${b} += p * x[k + ${b}];`).join(' ')}
      }
      const r = i * ${B};
      ${terms.map((b) => `next[r + ${b}] = a${b} * f${b};`).join(' ')}
    }`,
  ) as (rowPtr: Uint32Array, colIdx: Uint32Array, values: Float64Array | Float32Array, x: Float64Array | Float32Array, next: Float64Array | Float32Array, first: number, last: number, factors: Float64Array) => void;
  const entropyRows = new Function(
    'next', 'first', 'last', 'prior', 'sums',
    `for (let i = first; i < last; i++) {
      const q = prior === null ? 1 : prior[i];
      const r = i * ${B};
      ${terms
        .map(
          (b) => `{ const x = next[r + ${b}]; if (x > 0) {
        if (x > sums[${4 * b + 3}]) sums[${4 * b + 3}] = x;
        const y = q * x;
        if (y > 0) { sums[${4 * b}] += y; sums[${4 * b + 1}] += y * Math.log2(y); if (y > sums[${4 * b + 2}]) sums[${4 * b + 2}] = y; }
      } }`,
        )
        .join('\n      ')}
    }`,
  ) as (next: Float64Array | Float32Array, first: number, last: number, prior: Float64Array | null, sums: Float64Array) => void;
  const excessRows = new Function(
    'next', 'first', 'last', 'stationary', 'sums',
    `for (let i = first; i < last; i++) {
      const p = stationary[i];
      const r = i * ${B};
      ${terms.map((b) => `{ const d = next[r + ${b}] - p; if (d > 0) sums[${4 * b}] += d; }`).join('\n      ')}
    }`,
  ) as (next: Float64Array | Float32Array, first: number, last: number, stationary: Float64Array | null, sums: Float64Array) => void;
  type SimdPull = (first: number, last: number, rowPtr: number, colIdx: number, values: number, x: number, next: number, factors: number) => void;
  let simdPull: SimdPull | null = null;
  if (setup.simd) {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(setup.simd.module), { env: { memory: setup.simd.memory } });
    simdPull = instance.exports.pull as unknown as SimdPull;
  }

  parentPort.on('message', ({ parity, simd, reduction }: { parity: number; simd: boolean; reduction: Reduction }) => {
    const x = blocks[parity];
    const next = blocks[1 - parity];
    sums.fill(0);
    for (let chunk = index * CHUNK; chunk < n; chunk += setup.threads * CHUNK) {
      const end = Math.min(n, chunk + CHUNK);
      if (simd) simdPull!(chunk, end, layout.rowPtr, layout.colIdx, layout.values, layout.blocks[parity], layout.blocks[1 - parity], layout.factors32);
      else pullRows(rowPtr, colIdx, values, x, next, chunk, end, factors);
      (reduction === 'excess' ? excessRows : entropyRows)(next, chunk, end, prior, sums);
    }
    partials.set(sums, index * B * 4);
    parentPort.postMessage(index);
  });
}

/** What the workers sum after each step: entropy sums, or the excess over π of a mixing job. */
type Reduction = 'entropy' | 'excess';

interface WorkerPool {
  /** blocks[0], where each batch's x = e_j starts. */
  start: Float64Array | Float32Array;
  /** Per worker and terminal: Σy, Σy log2 y, max y, max x of its rows after the last step. */
  sums: Float64Array;
  /** Set the factors the next step multiplies its output columns by (ColumnScales). */
  setFactors(factors: Float64Array): void;
  step(parity: number, reduction?: Reduction): Promise<void>;
  terminate(): Promise<void>;
}

export const NODE_ORDERS = ['degree', 'input'] as const;
export type NodeOrderName = (typeof NODE_ORDERS)[number];

export interface ParallelCpuBackendOptions {
  /** Worker threads (default: the machine's available parallelism). */
  threads?: number;
  /** Terminals per batch (default 32 in float32, 8 in float64; the SIMD step's batch is a multiple of 4). */
  batch?: number;
  /**
   * Storage of P's values and of the n × B blocks (sums are float64 either way): float32
   * (default; within 1e-4 bits of the reference, measured ~1e-6), or float64, equal to the
   * reference to rounding, at twice the memory traffic.
   */
  precision?: 'float64' | 'float32';
  /** Node numbering inside the engine: the input's (default) or by decreasing degree. */
  order?: NodeOrderName;
  /** float32 only: the WebAssembly SIMD pull step where the runtime has it (default true). */
  simd?: boolean;
}

/**
 * Measured with the SIMD step on a 1M-node, 10M-edge Chung-Lu graph, quiet 2-core machine,
 * ms per terminal and hop: B = 8: 35, 16: 28, 32: 22, 64: 28; degree order against the
 * input's (random ids) at B = 16: 455 against 450 ms a hop, for 1.2 s more setup, so the
 * input order stays the default (the generated JavaScript step gained ~15% from it).
 */
const DEFAULTS = { precision: 'float32', order: 'input', batch32: 32, batch64: 8 } as const;

/** 64-byte aligned offsets for the job's arrays; `bytes` in all. */
function layoutFor(n: number, nnz: number, B: number, bytesPerValue: number, threads: number, hasPrior: boolean): Layout {
  let top = 0;
  const take = (bytes: number) => {
    const at = top;
    top += Math.ceil(bytes / 64) * 64;
    return at;
  };
  const rowPtr = take((n + 1) * 4);
  const colIdx = take(nnz * 4);
  const values = take(nnz * bytesPerValue);
  const blocks: [number, number] = [take(n * B * bytesPerValue), take(n * B * bytesPerValue)];
  const factors = take(B * 8);
  const factors32 = take(B * 4);
  const prior = take(hasPrior ? n * 8 : 0);
  const partials = take(threads * 4 * B * 8);
  return { rowPtr, colIdx, values, blocks, factors, factors32, prior, partials, bytes: top };
}

/** The most a WebAssembly memory holds (memory32: 65536 pages of 64 KiB). */
const WASM_PAGES = 65536;
const SIMD_AVAILABLE = simdAvailable();

export class ParallelCpuBackend implements Backend {
  readonly info: BackendInfo;
  private readonly threads: number;
  private readonly batch: number;
  private readonly bytesPerValue: 4 | 8;
  private readonly order: NodeOrderName;
  private readonly simd: boolean;

  constructor(options: ParallelCpuBackendOptions = {}) {
    const precision = options.precision ?? DEFAULTS.precision;
    this.threads = Math.max(1, options.threads ?? availableParallelism());
    this.bytesPerValue = precision === 'float32' ? 4 : 8;
    this.batch = Math.max(1, options.batch ?? (precision === 'float32' ? DEFAULTS.batch32 : DEFAULTS.batch64));
    this.order = options.order ?? DEFAULTS.order;
    this.simd = precision === 'float32' && (options.simd ?? true) && SIMD_AVAILABLE;
    this.info = { name: 'cpu-parallel', precision, runtime: `${this.threads} worker threads${this.simd ? ', WebAssembly SIMD' : ''}` };
  }

  /**
   * Columns per block for `count` terminals or sources: the batch, or fewer when there are
   * fewer; rounded up to a multiple of 4 for the SIMD step, which takes 4 columns a lane
   * (the extra columns stay 0 and are never read back), so that 6 terminals, or a batch of
   * 5, do not fall back to the JavaScript step.
   */
  private blockWidth(count: number): number {
    const B = Math.min(this.batch, count);
    return this.simd ? Math.ceil(B / 4) * 4 : B;
  }

  /**
   * Lay P (in the engine's precision and node order), the blocks and the sums out in one
   * shared buffer, start the workers on it, and return the pool; the caller terminates it.
   */
  private startWorkers(walk: SparseRows, B: number, prior: Float64Array | undefined): { pool: WorkerPool; rank: Uint32Array | null } {
    const { n } = walk;
    const nnz = walk.rowPtr[n];
    const layout = layoutFor(n, nnz, B, this.bytesPerValue, this.threads, prior !== undefined);
    const pages = Math.ceil(layout.bytes / 65536) || 1;
    const simd = this.simd && B % 4 === 0 && pages <= WASM_PAGES;
    const memory = simd ? new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }) : null;
    const buffer = memory ? (memory.buffer as unknown as SharedArrayBuffer) : new SharedArrayBuffer(layout.bytes);
    const float = (offset: number, length: number) => (this.bytesPerValue === 4 ? new Float32Array(buffer, offset, length) : new Float64Array(buffer, offset, length));
    const arrays = { rowPtr: new Uint32Array(buffer, layout.rowPtr, n + 1), colIdx: new Uint32Array(buffer, layout.colIdx, nnz), values: float(layout.values, nnz) };
    let rank: Uint32Array | null = null;
    if (this.order === 'input') {
      arrays.rowPtr.set(walk.rowPtr);
      arrays.colIdx.set(walk.colIdx.subarray(0, nnz));
      arrays.values.set(walk.values.subarray(0, nnz));
    } else {
      const order = degreeOrder(walk);
      relabelWalk(walk, order, arrays);
      rank = order.rank;
    }
    if (prior) {
      const relabelled = new Float64Array(buffer, layout.prior, n);
      for (let i = 0; i < n; i++) relabelled[rank ? rank[i] : i] = prior[i];
    }
    const factors = new Float64Array(buffer, layout.factors, B);
    const factors32 = new Float32Array(buffer, layout.factors32, B);
    const common = {
      buffer,
      layout,
      n,
      nnz,
      simd: memory ? { module: simdPullModule(B, pages), memory } : null,
      hasPrior: prior !== undefined,
      bytesPerValue: this.bytesPerValue,
      B,
      threads: this.threads,
    };
    const workers = Array.from({ length: this.threads }, (_, index) => evalWorker(workerMain, { ...common, index } satisfies WorkerSetup));
    const failure = new Promise<never>((_, reject) => {
      for (const worker of workers) worker.on('error', reject);
    });
    failure.catch(() => {});
    // The SIMD step multiplies by float32 factors: a hop whose factors leave float32's
    // normal range (a column shrunk by more than 2^126 in one hop) runs in JavaScript.
    let factorsFit = true;
    const pool: WorkerPool = {
      start: float(layout.blocks[0], n * B),
      sums: new Float64Array(buffer, layout.partials, this.threads * 4 * B),
      setFactors: (values) => {
        factors.set(values);
        factors32.set(values);
        factorsFit = values.every((f) => f >= 2 ** -126 && f <= 2 ** 127);
      },
      step: async (parity, reduction = 'entropy') => {
        await Promise.race([
          Promise.all(
            workers.map(
              (worker) =>
                new Promise((resolve) => {
                  worker.once('message', resolve);
                  worker.postMessage({ parity, simd: simd && factorsFit, reduction });
                }),
            ),
          ),
          failure,
        ]);
      },
      terminate: async () => {
        await Promise.all(workers.map((worker) => worker.terminate()));
      },
    };
    return { pool, rank };
  }

  async terminalEntropies(job: EntropyJob): Promise<EntropyTable> {
    const { terminals, hops } = job;
    const T = terminals.length;
    const B = this.blockWidth(T);
    const { pool, rank } = this.startWorkers(job.walk, B, job.prior);
    const table = createEntropyTable(hops, T);
    const { start, sums } = pool;
    const scales = new ColumnScales(B);
    let done = 0;
    try {
      for (let first = 0; first < T; first += B) {
        const count = Math.min(B, T - first);
        // Every batch starts from blocks[0], whichever block the last batch ended in.
        start.fill(0);
        for (let b = 0; b < count; b++) {
          const terminal = terminals[first + b];
          start[(rank ? rank[terminal] : terminal) * B + b] = 1;
        }
        scales.reset();
        for (let hop = 1; hop <= hops; hop++) {
          job.signal?.throwIfAborted();
          pool.setFactors(scales.factor);
          await pool.step((hop - 1) % 2);
          for (let b = 0; b < count; b++) {
            let S = 0;
            let Y = 0;
            let M = 0;
            let X = 0;
            for (let w = 0; w < this.threads; w++) {
              const at = (w * B + b) * 4;
              S += sums[at];
              Y += sums[at + 1];
              M = Math.max(M, sums[at + 2]);
              X = Math.max(X, sums[at + 3]);
            }
            storeEntropy(table, hop, first + b, entropiesFromSums(S, Y, M), scales.shift[b], X);
            scales.renormalise(b, X);
          }
          done += count;
          job.onProgress?.(done, hops * T);
        }
      }
    } finally {
      await pool.terminate();
    }
    return table;
  }

  /**
   * The pull step on Pᵀ with every factor 1 (each column keeps mass 1), π in the prior's
   * slot (relabelled with the nodes), and each chunk's Σ (x − π)⁺ summed while in cache.
   */
  async mixingDistances(job: MixingJob): Promise<MixingTable> {
    const { sources, hops } = job;
    const K = sources.length;
    const B = this.blockWidth(K);
    const { pool, rank } = this.startWorkers(job.push, B, job.stationary);
    const tv = new Float64Array(hops * K);
    const unscaled = new Float64Array(B).fill(1);
    try {
      for (let first = 0; first < K; first += B) {
        const count = Math.min(B, K - first);
        pool.start.fill(0);
        for (let b = 0; b < count; b++) pool.start[(rank ? rank[sources[first + b]] : sources[first + b]) * B + b] = 1;
        pool.setFactors(unscaled);
        for (let hop = 1; hop <= hops; hop++) {
          job.signal?.throwIfAborted();
          await pool.step((hop - 1) % 2, 'excess');
          for (let b = 0; b < count; b++) {
            let excess = 0;
            for (let w = 0; w < this.threads; w++) excess += pool.sums[(w * B + b) * 4];
            tv[(hop - 1) * K + first + b] = excess;
          }
        }
        job.onProgress?.((first + count) * hops, K * hops);
      }
    } finally {
      await pool.terminate();
    }
    return { hops, sources: K, tv };
  }

  /** Rounds need each sample's columns side by side; the reference computes them. */
  async roundEntropies(job: RoundsJob): Promise<RoundsTable> {
    return roundEntropiesReference(job);
  }

  /** Walkers are cheap next to the SpMM work of an analysis: the reference loop runs them. */
  async runWalkers(job: WalkerJob): Promise<WalkerRecords> {
    return runWalkersReference(job);
  }

  dispose(): void {}
}
