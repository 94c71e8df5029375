/** The float64 reference of the pool-mean kernel (see PoolMeansJob): every column of a replication at once, event by event. */
import { checkPoolMeansJob, NO_COLUMN, NO_MARK, POOL_EVENT, type PoolMeansJob, type PoolMeansResult } from '../mix-kernels.js';

/** The event codes and sentinels, handed to scanPoolMeans as an argument (it runs from its source text in workers). */
export const POOL_CODES = { ...POOL_EVENT, noColumn: NO_COLUMN, noMark: NO_MARK };
export type PoolCodes = typeof POOL_CODES;

/**
 * Replications [r0, r1), columns [c0, c1) of the job into `out` (indexed as the whole
 * job's result). Every replication starts from zeroed pools and slots, so any split of the
 * (replication, column) pairs gives the same numbers as one scan of all. Self-contained
 * (no outer name but its arguments and Math): the cpu-parallel workers run its source.
 */
export function scanPoolMeans(job: PoolMeansJob, r0: number, r1: number, c0: number, c1: number, out: PoolMeansResult, codes: PoolCodes): void {
  const { events, eventOffsets, columns: C, marks } = job;
  const W = c1 - c0;
  // Row i of each table holds the W columns of pool i (means) or slot i (values).
  const means = new Float64Array(job.mixes * W);
  const values = new Float64Array(job.slots * W);
  for (let r = r0; r < r1; r++) {
    means.fill(0);
    values.fill(0);
    for (let e = eventOffsets[r]; e < eventOffsets[r + 1]; e++) {
      const code = events[4 * e];
      const slot = events[4 * e + 1] * W;
      const b = events[4 * e + 2];
      const c = events[4 * e + 3];
      switch (code) {
        case codes.inject:
          values.fill(0, slot, slot + W);
          if (b !== codes.noColumn && b >= c0 && b < c1) values[slot + b - c0] = 1;
          if (c !== codes.noColumn && c >= c0 && c < c1) values[slot + c - c0] = 1;
          break;
        case codes.arrive: {
          const pool = b * W;
          if (c === 0) for (let j = 0; j < W; j++) means[pool + j] = values[slot + j];
          else for (let j = 0; j < W; j++) means[pool + j] = (c * means[pool + j] + values[slot + j]) / (c + 1);
          break;
        }
        case codes.depart: {
          const pool = b * W;
          for (let j = 0; j < W; j++) values[slot + j] = means[pool + j];
          break;
        }
        case codes.exit: {
          const at = r * C + c0;
          for (let j = 0; j < W; j++) {
            const v = values[slot + j];
            if (v > 0) {
              out.mass[at + j] += v;
              out.plogp[at + j] += v * Math.log(v);
            }
          }
          if (b !== codes.noMark) out.marked.set(values.subarray(slot, slot + W), (r * marks + b) * C + c0);
          break;
        }
      }
    }
  }
}

export function poolMeansReference(job: PoolMeansJob): PoolMeansResult {
  const R = checkPoolMeansJob(job);
  const C = job.columns;
  const out = { mass: new Float64Array(R * C), plogp: new Float64Array(R * C), marked: new Float64Array(R * job.marks * C) };
  scanPoolMeans(job, 0, R, 0, C, out, POOL_CODES);
  return out;
}
