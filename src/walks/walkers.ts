import type { TransitionMatrix } from './transition.js';

/**
 * Monte-Carlo random walkers, defined once so that every backend draws the same walks for
 * the same seed: a counter-based generator (no state to carry between threads) and
 * integer sampling thresholds (no float rounding to disagree about).
 */

/** PCG hash (Jarzynski & Olano 2020): a 32-bit permutation, cheap in WGSL and JS alike. */
export function pcgHash(input: number): number {
  const state = (Math.imul(input >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** The random 32-bit word of (seed, walker, step): independent of evaluation order. */
export function walkerRandom(seed: number, walker: number, step: number): number {
  return pcgHash((pcgHash((pcgHash(seed >>> 0) + walker) >>> 0) + step) >>> 0);
}

/** Sampling resolution: a step is chosen by comparing a 24-bit random number with integer thresholds. */
export const THRESHOLD_BITS = 24;
const SCALE = 2 ** THRESHOLD_BITS;

/**
 * Cumulative thresholds of each row of P, scaled to integers in [0, 2^24]: the walk from
 * row i takes the first entry e with r < threshold[e], r = random >>> 8. The last entry
 * of a row is 2^24 exactly, so every r lands. Integers below 2^24 are exact in float32,
 * so gpu.js compares them exactly too.
 */
export function samplingThresholds(walk: TransitionMatrix): Uint32Array {
  const thresholds = new Uint32Array(walk.rowPtr[walk.n]);
  for (let i = 0; i < walk.n; i++) {
    const start = walk.rowPtr[i];
    const end = walk.rowPtr[i + 1];
    let cumulative = 0;
    for (let e = start; e < end; e++) {
      cumulative += walk.values[e];
      thresholds[e] = e === end - 1 ? SCALE : Math.min(SCALE, Math.round(cumulative * SCALE));
    }
  }
  return thresholds;
}

export interface WalkerJob {
  walk: TransitionMatrix;
  thresholds: Uint32Array;
  /** compromised[i] = 1 for nodes the adversary controls. */
  compromised: Uint8Array;
  /** Start node of each walker. */
  starts: Uint32Array;
  hops: number;
  /** Record the node at this hop (two-hop analyses); 0 for none. */
  recordHop: number;
  seed: number;
  /**
   * The id of the first walker (default 0): walker k of the job draws as walker
   * firstWalker + k, so a shard of walkers [from, to) walks exactly as in the whole run.
   */
  firstWalker?: number;
}

/**
 * What each walker saw, one entry per walker: the hop of the first compromised node (0 if
 * none), the node just before it (the honest predecessor A), whether the last hop is
 * compromised, the node at `recordHop`, and the terminus.
 */
export interface WalkerRecords {
  firstCompromisedHop: Uint32Array;
  predecessor: Uint32Array;
  lastCompromised: Uint8Array;
  recordedNode: Uint32Array;
  terminus: Uint32Array;
}

/** The next node from `node` for a 24-bit random number r: binary search over the row's thresholds. */
export function stepFrom(walk: TransitionMatrix, thresholds: Uint32Array, node: number, r: number): number {
  let lo = walk.rowPtr[node];
  let hi = walk.rowPtr[node + 1] - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (r < thresholds[mid]) hi = mid;
    else lo = mid + 1;
  }
  return walk.colIdx[lo];
}

/** Start nodes of walkers first .. first + walkers - 1: walker w starts at honest[hash(seed, w, 0) mod |honest|]. */
export function walkerStarts(honest: Uint32Array, walkers: number, seed: number, first = 0): Uint32Array {
  return Uint32Array.from({ length: walkers }, (_, k) => honest[walkerRandom(seed, first + k, 0) % honest.length]);
}

/** The reference walker loop (float-free, so it is the definition the GPU versions match). */
export function runWalkersReference(job: WalkerJob): WalkerRecords {
  const W = job.starts.length;
  const records: WalkerRecords = {
    firstCompromisedHop: new Uint32Array(W),
    predecessor: new Uint32Array(W),
    lastCompromised: new Uint8Array(W),
    recordedNode: new Uint32Array(W),
    terminus: new Uint32Array(W),
  };
  const firstWalker = job.firstWalker ?? 0;
  for (let w = 0; w < W; w++) {
    let node = job.starts[w];
    let first = 0;
    let predecessor = node;
    let recorded = node;
    for (let hop = 1; hop <= job.hops; hop++) {
      const previous = node;
      node = stepFrom(job.walk, job.thresholds, node, walkerRandom(job.seed, firstWalker + w, hop) >>> 8);
      if (first === 0 && job.compromised[node]) {
        first = hop;
        predecessor = previous;
      }
      if (hop === job.recordHop) recorded = node;
    }
    records.firstCompromisedHop[w] = first;
    records.predecessor[w] = predecessor;
    records.lastCompromised[w] = job.compromised[node];
    records.recordedNode[w] = recorded;
    records.terminus[w] = node;
  }
  return records;
}

/** Records packed five per walker (first hop, predecessor, last compromised, recorded, terminus), as GPU kernels write them. */
export function unpackWalkerRecords(packed: ArrayLike<number>, walkers: number): WalkerRecords {
  const field = (k: number) => Uint32Array.from({ length: walkers }, (_, w) => packed[w * 5 + k]);
  return {
    firstCompromisedHop: field(0),
    predecessor: field(1),
    lastCompromised: Uint8Array.from(field(2)),
    recordedNode: field(3),
    terminus: field(4),
  };
}

export function packWalkerRecords(records: WalkerRecords): Uint32Array {
  const W = records.terminus.length;
  const packed = new Uint32Array(W * 5);
  for (let w = 0; w < W; w++) {
    packed[w * 5] = records.firstCompromisedHop[w];
    packed[w * 5 + 1] = records.predecessor[w];
    packed[w * 5 + 2] = records.lastCompromised[w];
    packed[w * 5 + 3] = records.recordedNode[w];
    packed[w * 5 + 4] = records.terminus[w];
  }
  return packed;
}
