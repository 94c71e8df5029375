/** The float64 reference of the pool-mean kernel (see PoolMeansJob): every column of a replication at once, event by event. */
import { checkPoolMeansJob, NO_COLUMN, NO_MARK, POOL_EVENT, type PoolMeansJob, type PoolMeansResult } from '../mix-kernels.js';

export function poolMeansReference(job: PoolMeansJob): PoolMeansResult {
  const R = checkPoolMeansJob(job);
  const { events, eventOffsets, columns: C, mixes, slots, marks } = job;
  const mass = new Float64Array(R * C);
  const plogp = new Float64Array(R * C);
  const marked = new Float64Array(R * marks * C);
  // Row i of each table holds the C columns of pool i (means) or slot i (values).
  const means = new Float64Array(mixes * C);
  const values = new Float64Array(slots * C);
  for (let r = 0; r < R; r++) {
    for (let e = eventOffsets[r]; e < eventOffsets[r + 1]; e++) {
      const code = events[4 * e];
      const slot = events[4 * e + 1] * C;
      const b = events[4 * e + 2];
      const c = events[4 * e + 3];
      switch (code) {
        case POOL_EVENT.inject:
          values.fill(0, slot, slot + C);
          if (b !== NO_COLUMN) values[slot + b] = 1;
          if (c !== NO_COLUMN) values[slot + c] = 1;
          break;
        case POOL_EVENT.arrive: {
          const pool = b * C;
          if (c === 0) for (let j = 0; j < C; j++) means[pool + j] = values[slot + j];
          else for (let j = 0; j < C; j++) means[pool + j] = (c * means[pool + j] + values[slot + j]) / (c + 1);
          break;
        }
        case POOL_EVENT.depart: {
          const pool = b * C;
          for (let j = 0; j < C; j++) values[slot + j] = means[pool + j];
          break;
        }
        case POOL_EVENT.exit: {
          const at = r * C;
          for (let j = 0; j < C; j++) {
            const v = values[slot + j];
            if (v > 0) {
              mass[at + j] += v;
              plogp[at + j] += v * Math.log(v);
            }
          }
          if (b !== NO_MARK) marked.set(values.subarray(slot, slot + C), (r * marks + b) * C);
          break;
        }
      }
    }
  }
  return { mass, plogp, marked };
}
