import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { degreeOrder, relabelWalk } from '../../walks/reorder.js';
import type { TransitionMatrix } from '../../walks/transition.js';
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
  type RoundsJob,
  type RoundsTable,
} from '../backend.js';
import { roundEntropiesReference } from './cpu-backend.js';

/**
 * The cpu backend on every core: worker threads share the CSR and the two n × B blocks
 * (SharedArrayBuffer), each owns a range of rows balanced by nonzeros, and each computes a
 * row's entropy sums as soon as its pull step has produced it, so a hop reads the block
 * once. The hop is bound by the latency of the gathers x[colIdx[e]], so by default:
 * - the blocks and P's values are float32 (sums in float64): half the bytes of float64;
 * - B = 16 terminals a batch, so a gathered row is one 64-byte cache line and the x block
 *   (64 MB for 1M nodes) stays nearer the caches and the TLB (a native pull step measured
 *   2× the terminals per second of B = 32 there; this one about the same per terminal at
 *   B = 8, 16 and 32, on a loaded machine); larger jobs run as batches in sequence;
 * - the nodes are numbered by decreasing degree (src/walks/reorder.ts), so the rows most
 *   gathers read, the hubs', sit together in the caches; the relabelling changes nothing
 *   but the order of additions.
 * `precision: 'float64'` keeps float64 blocks and values, equal to the reference to rounding.
 */

interface WorkerSetup {
  rowPtr: SharedArrayBuffer;
  colIdx: SharedArrayBuffer;
  values: SharedArrayBuffer;
  blocks: [SharedArrayBuffer, SharedArrayBuffer];
  prior: SharedArrayBuffer | null;
  partials: SharedArrayBuffer;
  /** B factors of ColumnScales, multiplied into each pull step's output. */
  factors: SharedArrayBuffer;
  /** Bytes per value of P and of the blocks: 8 (float64) or 4 (float32; sums stay float64). */
  bytesPerValue: 4 | 8;
  first: number;
  last: number;
  B: number;
  index: number;
}

/**
 * The worker's body. It runs from its source text (new Worker(..., { eval: true })), so
 * it may use nothing from this module; that also lets it run unbundled under vitest.
 * The hop is generated for the batch size B with one local accumulator per terminal (V8
 * keeps them in registers; an accumulator array measured 2-3x slower): each row's B sums,
 * scaled by the columns' renormalisation factors, are stored and added to the per-column
 * Σy, Σy log2 y, max y, max x of the worker's rows.
 */
function workerMain(parentPort: import('node:worker_threads').MessagePort, setup: WorkerSetup): void {
  const float = (buffer: SharedArrayBuffer) => (setup.bytesPerValue === 4 ? new Float32Array(buffer) : new Float64Array(buffer));
  const rowPtr = new Uint32Array(setup.rowPtr);
  const colIdx = new Uint32Array(setup.colIdx);
  const values = float(setup.values);
  const blocks = [float(setup.blocks[0]), float(setup.blocks[1])];
  const prior = setup.prior ? new Float64Array(setup.prior) : null;
  const partials = new Float64Array(setup.partials);
  const factors = new Float64Array(setup.factors);
  const { first, last, B, index } = setup;
  // Local sums: the shared partials are written once per hop, not once per row.
  const sums = new Float64Array(4 * B);
  const terms = Array.from({ length: B }, (_, b) => b);
  const hop = new Function(
    'rowPtr', 'colIdx', 'values', 'x', 'next', 'first', 'last', 'factors', 'prior', 'sums',
    `${terms.map((b) => `const f${b} = factors[${b}];`).join(' ')}
    sums.fill(0);
    for (let i = first; i < last; i++) {
      let ${terms.map((b) => `a${b} = 0`).join(', ')};
      const end = rowPtr[i + 1];
      for (let e = rowPtr[i]; e < end; e++) {
        const p = values[e];
        const k = colIdx[e] * ${B};
        ${terms.map((b) => `a${b} += p * x[k + ${b}];`).join(' ')}
      }
      const r = i * ${B};
      ${terms.map((b) => `a${b} *= f${b}; next[r + ${b}] = a${b};`).join(' ')}
      const q = prior === null ? 1 : prior[i];
      ${terms
          .map(
            (b) => `if (a${b} > 0) {
          if (a${b} > sums[${4 * b + 3}]) sums[${4 * b + 3}] = a${b};
          const y = q * a${b};
          if (y > 0) { sums[${4 * b}] += y; sums[${4 * b + 1}] += y * Math.log2(y); if (y > sums[${4 * b + 2}]) sums[${4 * b + 2}] = y; }
        }`,
          )
          .join('\n      ')}
    }`,
  ) as (
    rowPtr: Uint32Array, colIdx: Uint32Array, values: Float64Array | Float32Array, x: Float64Array | Float32Array, next: Float64Array | Float32Array,
    first: number, last: number, factors: Float64Array, prior: Float64Array | null, sums: Float64Array,
  ) => void;

  parentPort.on('message', (parity: number) => {
    hop(rowPtr, colIdx, values, blocks[parity], blocks[1 - parity], first, last, factors, prior, sums);
    partials.set(sums, index * B * 4);
    parentPort.postMessage(index);
  });
}

interface WorkerPool {
  /** blocks[0], where each batch's x = e_j starts. */
  start: Float64Array | Float32Array;
  /** Per worker and terminal: Σy, Σy log2 y, max y, max x of its rows after the last step. */
  sums: Float64Array;
  /** The factors the next step multiplies its output columns by (ColumnScales). */
  factors: Float64Array;
  step(parity: number): Promise<void>;
  terminate(): Promise<void>;
}

/** Split rows into `parts` ranges of about equal nonzeros (rows cost by their length + 1). */
export function balancedRowRanges(walk: Pick<TransitionMatrix, 'n' | 'rowPtr'>, parts: number): [number, number][] {
  const total = walk.rowPtr[walk.n] + walk.n;
  const ranges: [number, number][] = [];
  let first = 0;
  for (let p = 1; p <= parts; p++) {
    const target = (total * p) / parts;
    let last = first;
    while (last < walk.n && (p === parts || walk.rowPtr[last] + last < target)) last++;
    ranges.push([first, last]);
    first = last;
  }
  return ranges;
}

export const NODE_ORDERS = ['degree', 'input'] as const;
export type NodeOrderName = (typeof NODE_ORDERS)[number];

export interface ParallelCpuBackendOptions {
  /** Worker threads (default: the machine's available parallelism). */
  threads?: number;
  /** Terminals per batch (default: a 64-byte row, 16 in float32 and 8 in float64). */
  batch?: number;
  /**
   * Storage of P's values and of the n × B blocks (sums are float64 either way): float32
   * (default; within 1e-4 bits of the reference, measured ~1e-6), or float64, equal to the
   * reference to rounding, at twice the memory traffic.
   */
  precision?: 'float64' | 'float32';
  /** Node numbering inside the engine: by decreasing degree (default) or the input's. */
  order?: NodeOrderName;
}

const DEFAULTS = { precision: 'float32', order: 'degree', cacheLine: 64 } as const;

/** The walk as the workers read it: relabelled (or not) into shared memory. */
interface SharedWalk {
  n: number;
  rowPtr: Uint32Array;
  colIdx: Uint32Array;
  values: Float64Array | Float32Array;
  /** Engine row of each input node. */
  rank: Uint32Array | null;
}

export class ParallelCpuBackend implements Backend {
  readonly info: BackendInfo;
  private readonly threads: number;
  private readonly batch: number;
  private readonly bytesPerValue: 4 | 8;
  private readonly order: NodeOrderName;

  constructor(options: ParallelCpuBackendOptions = {}) {
    const precision = options.precision ?? DEFAULTS.precision;
    this.threads = Math.max(1, options.threads ?? availableParallelism());
    this.bytesPerValue = precision === 'float32' ? 4 : 8;
    this.batch = Math.max(1, options.batch ?? DEFAULTS.cacheLine / this.bytesPerValue);
    this.order = options.order ?? DEFAULTS.order;
    this.info = { name: 'cpu-parallel', precision, runtime: `${this.threads} worker threads` };
  }

  private float(buffer: SharedArrayBuffer): Float64Array | Float32Array {
    return this.bytesPerValue === 4 ? new Float32Array(buffer) : new Float64Array(buffer);
  }

  /** P in shared memory, in the engine's precision and node order. */
  private shareWalk(walk: TransitionMatrix): SharedWalk {
    const nnz = walk.rowPtr[walk.n];
    const arrays = {
      rowPtr: new Uint32Array(new SharedArrayBuffer(Math.max(8, walk.rowPtr.byteLength))),
      colIdx: new Uint32Array(new SharedArrayBuffer(Math.max(8, nnz * 4))),
      values: this.float(new SharedArrayBuffer(Math.max(8, nnz * this.bytesPerValue))),
    };
    if (this.order === 'input') {
      arrays.rowPtr.set(walk.rowPtr);
      arrays.colIdx.set(walk.colIdx.subarray(0, nnz));
      arrays.values.set(walk.values.subarray(0, nnz));
      return { n: walk.n, ...arrays, rank: null };
    }
    const order = degreeOrder(walk);
    relabelWalk(walk, order, arrays);
    return { n: walk.n, ...arrays, rank: order.rank };
  }

  /** Start the workers for one walk and batch size; the caller terminates them. */
  private startWorkers(walk: SharedWalk, B: number, prior: Float64Array | undefined): WorkerPool {
    const blocks: [SharedArrayBuffer, SharedArrayBuffer] = [
      new SharedArrayBuffer(walk.n * B * this.bytesPerValue),
      new SharedArrayBuffer(walk.n * B * this.bytesPerValue),
    ];
    const partials = new SharedArrayBuffer(this.threads * B * 4 * 8);
    const factors = new SharedArrayBuffer(B * 8);
    new Float64Array(factors).fill(1);
    let sharedPrior: SharedArrayBuffer | null = null;
    if (prior) {
      sharedPrior = new SharedArrayBuffer(walk.n * 8);
      const relabelled = new Float64Array(sharedPrior);
      for (let i = 0; i < walk.n; i++) relabelled[walk.rank ? walk.rank[i] : i] = prior[i];
    }
    const common = {
      rowPtr: walk.rowPtr.buffer as SharedArrayBuffer,
      colIdx: walk.colIdx.buffer as SharedArrayBuffer,
      values: walk.values.buffer as SharedArrayBuffer,
      blocks,
      prior: sharedPrior,
      partials,
      factors,
      bytesPerValue: this.bytesPerValue,
      B,
    };
    const workers = balancedRowRanges(walk, this.threads).map(
      ([first, last], index) =>
        // `require` stays in the string: bundlers would rewrite it in code.
        new Worker(`const threads = require('node:worker_threads'); (${workerMain.toString()})(threads.parentPort, threads.workerData);`, {
          eval: true,
          workerData: { ...common, first, last, index } satisfies WorkerSetup,
        }),
    );
    const failure = new Promise<never>((_, reject) => {
      for (const worker of workers) worker.on('error', reject);
    });
    failure.catch(() => {});
    return {
      start: this.float(blocks[0]),
      sums: new Float64Array(partials),
      factors: new Float64Array(factors),
      step: async (parity) => {
        await Promise.race([
          Promise.all(
            workers.map(
              (worker) =>
                new Promise((resolve) => {
                  worker.once('message', resolve);
                  worker.postMessage(parity);
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
  }

  async terminalEntropies(job: EntropyJob): Promise<EntropyTable> {
    const { terminals, hops } = job;
    const T = terminals.length;
    const B = Math.min(this.batch, T);
    const walk = this.shareWalk(job.walk);
    const pool = this.startWorkers(walk, B, job.prior);
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
          start[(walk.rank ? walk.rank[terminal] : terminal) * B + b] = 1;
        }
        scales.reset();
        for (let hop = 1; hop <= hops; hop++) {
          job.signal?.throwIfAborted();
          pool.factors.set(scales.factor);
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
