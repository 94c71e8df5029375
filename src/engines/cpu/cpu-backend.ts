import { guessingEntropy, posteriorEntropy } from '../../stats/entropy.js';
import { pullStep } from '../../walks/pull-step.js';
import { runWalkersReference, type WalkerJob, type WalkerRecords } from '../../walks/walkers.js';
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

/** Terminals per batch: the n × B block stays in cache-friendly node-major rows. */
const BATCH = 32;

/**
 * The reference for several rounds: per batch of whole samples, the columns of P^hops of
 * their termini, then for each sample the running product of its columns (each scaled by
 * its max, so nothing underflows) and the entropy of q ⊙ product after every round.
 */
export function roundEntropiesReference(job: RoundsJob): RoundsTable {
  const { walk, hops, rounds: Z, termini, prior } = job;
  const n = walk.n;
  const samples = termini.length / Z;
  const perBatch = Math.max(1, Math.floor(BATCH / Z));
  const shannon = new Float64Array(termini.length);
  const minEntropy = new Float64Array(termini.length);
  const product = new Float64Array(n);
  for (let firstSample = 0; firstSample < samples; firstSample += perBatch) {
    const count = Math.min(perBatch, samples - firstSample);
    const B = count * Z;
    let x = new Float64Array(n * B);
    let next = new Float64Array(n * B);
    for (let b = 0; b < B; b++) x[termini[firstSample * Z + b] * B + b] = 1;
    for (let hop = 1; hop <= hops; hop++) {
      pullStep(walk, x, next, B);
      [x, next] = [next, x];
    }
    const maxima = new Float64Array(B);
    for (let i = 0; i < n; i++) for (let b = 0; b < B; b++) maxima[b] = Math.max(maxima[b], x[i * B + b]);
    for (let g = 0; g < count; g++) {
      for (let i = 0; i < n; i++) product[i] = prior ? prior[i] : 1;
      for (let r = 0; r < Z; r++) {
        const b = g * Z + r;
        for (let i = 0; i < n; i++) product[i] *= maxima[b] > 0 ? x[i * B + b] / maxima[b] : 0;
        const e = posteriorEntropy(product, 0, 1, n);
        shannon[(firstSample + g) * Z + r] = e.shannon;
        minEntropy[(firstSample + g) * Z + r] = e.minEntropy;
      }
    }
    job.onProgress?.((firstSample + count) * Z * hops, samples * Z * hops);
  }
  return { shannon, minEntropy };
}

/** The largest entry of each column of a node-major n × B block. */
function columnMaxima(x: Float64Array, B: number): Float64Array {
  const maxima = new Float64Array(B);
  for (let k = 0; k < x.length; k++) if (x[k] > maxima[k % B]) maxima[k % B] = x[k];
  return maxima;
}

/** Σ_i (x_i − π_i)⁺ of each column of a node-major n × B block: its TV distance to π (MixingJob). */
function excessOverStationary(x: Float64Array, B: number, stationary: Float64Array): Float64Array {
  const excess = new Float64Array(B);
  for (let i = 0; i < stationary.length; i++) {
    for (let b = 0; b < B; b++) {
      const d = x[i * B + b] - stationary[i];
      if (d > 0) excess[b] += d;
    }
  }
  return excess;
}

/**
 * The float64 reference: plain TypeScript, one core. Every other backend is tested against
 * it. x ← P x on an n × B node-major block, then per-terminal entropies at every hop, then
 * each column renormalised by a power of two (ColumnScales) as the float32 engines do.
 */
export class CpuBackend implements Backend {
  readonly info: BackendInfo = { name: 'cpu', precision: 'float64' };

  async terminalEntropies(job: EntropyJob): Promise<EntropyTable> {
    const { walk, terminals, hops, prior } = job;
    const { n } = walk;
    const T = terminals.length;
    const table = createEntropyTable(hops, T);
    if (job.guessing) table.guessing = new Float64Array(hops * T);
    let done = 0;

    for (let first = 0; first < T; first += BATCH) {
      const B = Math.min(BATCH, T - first);
      let x = new Float64Array(n * B);
      let next = new Float64Array(n * B);
      for (let b = 0; b < B; b++) x[terminals[first + b] * B + b] = 1;
      const scales = new ColumnScales(B);

      for (let hop = 1; hop <= hops; hop++) {
        job.signal?.throwIfAborted();
        pullStep(walk, x, next, B, scales.factor);
        [x, next] = [next, x];
        const maxima = columnMaxima(x, B);
        for (let b = 0; b < B; b++) {
          storeEntropy(table, hop, first + b, posteriorEntropy(x, b, B, n, prior), scales.shift[b], maxima[b]);
          if (table.guessing) table.guessing[(hop - 1) * T + first + b] = guessingEntropy(x, b, B, n, prior);
          scales.renormalise(b, maxima[b]);
        }
        done += B;
        job.onProgress?.(done, hops * T);
      }
      // Let timers (progress spinners, abort signals) run between batches.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    return table;
  }

  async runWalkers(job: WalkerJob): Promise<WalkerRecords> {
    return runWalkersReference(job);
  }

  /** Batches of sources, each column pushed by the pull step on Pᵀ; no renormalisation (each column keeps mass 1). */
  async mixingDistances(job: MixingJob): Promise<MixingTable> {
    const { push, sources, hops, stationary } = job;
    const { n } = push;
    const K = sources.length;
    const tv = new Float64Array(hops * K);
    for (let first = 0; first < K; first += BATCH) {
      const B = Math.min(BATCH, K - first);
      let x = new Float64Array(n * B);
      let next = new Float64Array(n * B);
      for (let b = 0; b < B; b++) x[sources[first + b] * B + b] = 1;
      for (let hop = 1; hop <= hops; hop++) {
        job.signal?.throwIfAborted();
        pullStep(push, x, next, B);
        [x, next] = [next, x];
        excessOverStationary(x, B, stationary).forEach((d, b) => (tv[(hop - 1) * K + first + b] = d));
      }
      job.onProgress?.((first + B) * hops, K * hops);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    return { hops, sources: K, tv };
  }

  async roundEntropies(job: RoundsJob): Promise<RoundsTable> {
    return roundEntropiesReference(job);
  }

  dispose(): void {}
}
