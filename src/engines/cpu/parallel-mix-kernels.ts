import { availableParallelism } from 'node:os';
import type { MessagePort } from 'node:worker_threads';
import { checkPoolMeansJob, type MixKernels, type MixKernelsInfo, type PoolMeansJob, type PoolMeansResult } from '../mix-kernels.js';
import { evalWorker } from './eval-worker.js';
import { cpuMixKernels } from './mix-kernels.js';
import { POOL_CODES, scanPoolMeans, type PoolCodes } from './pool-means.js';

/**
 * The mix kernels on every core: the pool means of a job's (replication, column) pairs split
 * across worker threads, each running the reference's scan (scanPoolMeans) on its share, so
 * the numbers are the reference's to the bit. The other three kernels are the reference's
 * (one core): the analyses that use them spend their time elsewhere.
 */
export interface ParallelCpuMixKernelsOptions {
  /** Worker threads (default: the machine's available parallelism). */
  threads?: number;
}

/** Replications [r0, r1) × columns [c0, c1): one scan, on one worker. */
export interface PoolMeansUnit {
  r0: number;
  r1: number;
  c0: number;
  c1: number;
}

/**
 * Each worker's units, by the scan's cost (events × columns). With at least as many
 * replications as threads: contiguous runs of replications of about equal events. With
 * fewer: each replication gets threads in proportion to its events (one at least), and its
 * columns are cut in that many pieces, one per worker, so that one replication still keeps
 * every thread busy.
 */
export function poolMeansUnits(job: PoolMeansJob, threads: number): PoolMeansUnit[][] {
  const R = job.eventOffsets.length - 1;
  const C = job.columns;
  if (R === 0 || C === 0) return [];
  // +1: an empty replication still costs its zeroing.
  const cost = (r: number) => job.eventOffsets[r + 1] - job.eventOffsets[r] + 1;
  if (R < threads) {
    const given = new Array<number>(R).fill(1);
    for (let spare = threads - R; spare > 0; spare--) {
      let most = 0;
      for (let r = 1; r < R; r++) if (cost(r) / given[r] > cost(most) / given[most]) most = r;
      given[most]++;
    }
    return given.flatMap((t, r) => {
      const pieces = Math.min(C, t);
      return Array.from({ length: pieces }, (_, p) => [{ r0: r, r1: r + 1, c0: Math.floor((p * C) / pieces), c1: Math.floor(((p + 1) * C) / pieces) }]);
    });
  }
  let total = 0;
  for (let r = 0; r < R; r++) total += cost(r);
  const shares: PoolMeansUnit[][] = [];
  let done = 0;
  let r0 = 0;
  for (let r = 0; r < R; r++) {
    done += cost(r);
    if (done >= ((shares.length + 1) * total) / threads || r === R - 1) {
      shares.push([{ r0, r1: r + 1, c0: 0, c1: C }]);
      r0 = r + 1;
    }
  }
  return shares;
}

interface PoolWorkerData {
  job: PoolMeansJob;
  units: PoolMeansUnit[];
  /** mass, plogp, marked, back to back (float64), shared by every worker. */
  out: SharedArrayBuffer;
  codes: PoolCodes;
  scan: string;
}

/** A worker's body (run by evalWorker from its source): its units, then a message. */
function poolWorkerMain(parentPort: MessagePort, data: PoolWorkerData): void {
  const scan = new Function(`return (${data.scan});`)() as typeof scanPoolMeans;
  const R = data.job.eventOffsets.length - 1;
  const sums = R * data.job.columns;
  const out = {
    mass: new Float64Array(data.out, 0, sums),
    plogp: new Float64Array(data.out, sums * 8, sums),
    marked: new Float64Array(data.out, sums * 16, R * data.job.marks * data.job.columns),
  };
  for (const { r0, r1, c0, c1 } of data.units) scan(data.job, r0, r1, c0, c1, out, data.codes);
  parentPort.postMessage('done');
}

/** The job's arrays in shared memory, so that the workers read one copy. */
function shared<T extends Uint32Array>(array: T): Uint32Array {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const copy = new Uint32Array(new SharedArrayBuffer(array.byteLength));
  copy.set(array);
  return copy;
}

export class ParallelCpuMixKernels implements MixKernels {
  readonly info: MixKernelsInfo;
  private readonly threads: number;

  constructor(options: ParallelCpuMixKernelsOptions = {}) {
    this.threads = Math.max(1, options.threads ?? availableParallelism());
    this.info = { name: 'cpu-parallel', precision: 'float64', runtime: `${this.threads} worker threads for pool means` };
  }

  convolve = cpuMixKernels.convolve;
  scoreLinks = cpuMixKernels.scoreLinks;
  mixEntropies = cpuMixKernels.mixEntropies;

  async poolMeans(job: PoolMeansJob): Promise<PoolMeansResult> {
    const R = checkPoolMeansJob(job);
    const sums = R * job.columns;
    const buffer = new SharedArrayBuffer(8 * (2 * sums + R * job.marks * job.columns));
    const shares = poolMeansUnits(job, this.threads);
    const sharedJob = { ...job, events: shared(job.events), eventOffsets: shared(job.eventOffsets) };
    const workers = shares.map((units) => evalWorker(poolWorkerMain, { job: sharedJob, units, out: buffer, codes: POOL_CODES, scan: scanPoolMeans.toString() } satisfies PoolWorkerData));
    try {
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve, reject) => {
              worker.once('message', () => resolve());
              worker.once('error', reject);
              worker.once('exit', (code) => reject(new Error(`anonscope/cpu-parallel poolMeans: a worker exited with code ${code} before its share was done`)));
            }),
        ),
      );
    } finally {
      await Promise.all(workers.map((worker) => worker.terminate()));
    }
    return { mass: new Float64Array(buffer, 0, sums), plogp: new Float64Array(buffer, sums * 8, sums), marked: new Float64Array(buffer, sums * 16, R * job.marks * job.columns) };
  }

  dispose(): void {}
}
