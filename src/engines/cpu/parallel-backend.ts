import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
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
 * (SharedArrayBuffer), each owns a range of rows balanced by nonzeros, and each fuses the
 * pull step of its rows with their part of the entropy sums, so a hop reads the block once.
 * Float64 throughout: it agrees with the reference `cpu` backend to rounding.
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
  /** Bytes per block element: 8 (float64) or 4 (float32 storage, float64 sums). */
  bytesPerValue: 4 | 8;
  first: number;
  last: number;
  B: number;
  index: number;
}

/**
 * The worker's body. It runs from its source text (new Worker(..., { eval: true })), so
 * it may use nothing from this module; that also lets it run unbundled under vitest.
 * The pull step is generated for the batch size B with one local accumulator per
 * terminal (V8 keeps them in registers; an accumulator array measured 2-3x slower), and
 * scales each output column by its renormalisation factor.
 */
function workerMain(parentPort: import('node:worker_threads').MessagePort, setup: WorkerSetup): void {
  const rowPtr = new Uint32Array(setup.rowPtr);
  const colIdx = new Uint32Array(setup.colIdx);
  const values = new Float64Array(setup.values);
  const block = (buffer: SharedArrayBuffer) => (setup.bytesPerValue === 4 ? new Float32Array(buffer) : new Float64Array(buffer));
  const blocks = [block(setup.blocks[0]), block(setup.blocks[1])];
  const prior = setup.prior ? new Float64Array(setup.prior) : null;
  const partials = new Float64Array(setup.partials);
  const factors = new Float64Array(setup.factors);
  const { first, last, B, index } = setup;
  const terms = Array.from({ length: B }, (_, b) => b);
  const pull = new Function(
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
  ) as (rowPtr: Uint32Array, colIdx: Uint32Array, values: Float64Array, x: Float64Array | Float32Array, next: Float64Array | Float32Array, first: number, last: number, factors: Float64Array) => void;

  parentPort.on('message', (message: { parity: number; entropy: boolean }) => {
    const next = blocks[1 - message.parity];
    pull(rowPtr, colIdx, values, blocks[message.parity], next, first, last, factors);
    if (message.entropy) {
      const base = index * B * 4;
      for (let k = 0; k < B * 4; k++) partials[base + k] = 0;
      for (let i = first; i < last; i++) {
        const q = prior ? prior[i] : 1;
        const row = i * B;
        for (let b = 0; b < B; b++) {
          const x = next[row + b];
          const at = base + b * 4;
          if (x > partials[at + 3]) partials[at + 3] = x;
          const y = q * x;
          if (y > 0) {
            partials[at] += y;
            partials[at + 1] += y * Math.log2(y);
            if (y > partials[at + 2]) partials[at + 2] = y;
          }
        }
      }
    }
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
  step(parity: number, entropy: boolean): Promise<void>;
  terminate(): Promise<void>;
}

function shared<T extends Float64Array | Uint32Array>(source: T): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(Math.max(8, source.byteLength));
  new (source.constructor as { new (b: SharedArrayBuffer): T })(buffer).set(source);
  return buffer;
}

/** Split rows into `parts` ranges of about equal nonzeros (rows cost by their length + 1). */
export function balancedRowRanges(walk: TransitionMatrix, parts: number): [number, number][] {
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

export interface ParallelCpuBackendOptions {
  /** Worker threads (default: the machine's available parallelism). */
  threads?: number;
  /** Terminals per batch (default 32). */
  batch?: number;
  /**
   * Storage of the n × B blocks: float64 (default, equal to the reference to rounding) or
   * float32, which halves the memory traffic of the gathers; sums stay float64.
   */
  precision?: 'float64' | 'float32';
}

export class ParallelCpuBackend implements Backend {
  readonly info: BackendInfo;
  private readonly threads: number;
  private readonly batch: number;
  private readonly bytesPerValue: 4 | 8;

  constructor(options: ParallelCpuBackendOptions = {}) {
    this.threads = Math.max(1, options.threads ?? availableParallelism());
    this.batch = Math.max(1, options.batch ?? 32);
    const precision = options.precision ?? 'float64';
    this.bytesPerValue = precision === 'float32' ? 4 : 8;
    this.info = { name: 'cpu-parallel', precision, runtime: `${this.threads} worker threads` };
  }

  /** Start the workers for one walk and batch size; the caller terminates them. */
  private startWorkers(walk: TransitionMatrix, B: number, prior: Float64Array | undefined): WorkerPool {
    const blocks: [SharedArrayBuffer, SharedArrayBuffer] = [
      new SharedArrayBuffer(walk.n * B * this.bytesPerValue),
      new SharedArrayBuffer(walk.n * B * this.bytesPerValue),
    ];
    const partials = new SharedArrayBuffer(this.threads * B * 4 * 8);
    const factors = new SharedArrayBuffer(B * 8);
    new Float64Array(factors).fill(1);
    const common = {
      rowPtr: shared(walk.rowPtr),
      colIdx: shared(walk.colIdx),
      values: shared(walk.values),
      blocks,
      prior: prior ? shared(prior) : null,
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
      start: this.bytesPerValue === 4 ? new Float32Array(blocks[0]) : new Float64Array(blocks[0]),
      sums: new Float64Array(partials),
      factors: new Float64Array(factors),
      step: async (parity, entropy) => {
        await Promise.race([
          Promise.all(
            workers.map(
              (worker) =>
                new Promise((resolve) => {
                  worker.once('message', resolve);
                  worker.postMessage({ parity, entropy });
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

  /**
   * Benchmark hook: `hops` pull steps on a block of B random columns, without the entropy
   * reduction (what scipy's CSR @ dense does), and the milliseconds each took.
   */
  async timePullSteps(walk: TransitionMatrix, B: number, hops: number): Promise<number[]> {
    const pool = this.startWorkers(walk, B, undefined);
    try {
      for (let k = 0; k < pool.start.length; k++) pool.start[k] = Math.random();
      const times: number[] = [];
      for (let hop = 1; hop <= hops; hop++) {
        const started = performance.now();
        await pool.step((hop - 1) % 2, false);
        times.push(performance.now() - started);
      }
      return times;
    } finally {
      await pool.terminate();
    }
  }

  async terminalEntropies(job: EntropyJob): Promise<EntropyTable> {
    const { walk, terminals, hops } = job;
    const T = terminals.length;
    const B = Math.min(this.batch, T);
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
        for (let b = 0; b < count; b++) start[terminals[first + b] * B + b] = 1;
        scales.reset();
        for (let hop = 1; hop <= hops; hop++) {
          job.signal?.throwIfAborted();
          pool.factors.set(scales.factor);
          await pool.step((hop - 1) % 2, true);
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
