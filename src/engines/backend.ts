import type { PosteriorEntropy } from '../stats/entropy.js';
import type { SparseRows, TransitionMatrix } from '../walks/transition.js';
import type { WalkerJob, WalkerRecords } from '../walks/walkers.js';

/** One multi-terminal walk job: for each terminal j, column j of P^t for t = 1..hops. */
export interface EntropyJob {
  walk: TransitionMatrix;
  /** Dense indices of the terminals j. */
  terminals: Uint32Array;
  hops: number;
  /** Prior q over initiators (length n, non-negative); uniform when absent. */
  prior?: Float64Array;
  /** Called as work completes, with counts of terminal-hops done and in all. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Also the guessing entropy (a sort per column and hop: only the float64 cpu backend does it). */
  guessing?: boolean;
}

/**
 * Entropies of p_i ∝ q_i (P^t)_ij, in bits, hop-major: value[(t-1) * terminals + k] for
 * terminal k at hop t. NaN where no walk of length t from an initiator of non-zero prior
 * ends at the terminal.
 */
export interface EntropyTable {
  hops: number;
  terminals: number;
  shannon: Float64Array;
  minEntropy: Float64Array;
  /**
   * log2 Σ_i q_i (P^t)_ij per terminal and hop (−Infinity where that is 0): weights for the
   * expectation over where walks end, kept as a log because columns are renormalised as they
   * go and the mass itself underflows on long directed walks.
   */
  log2Mass: Float64Array;
  /** 1 where some walk of length t ends at the terminal, from any initiator (prior or not). */
  reached: Uint8Array;
  /** Expected number of guesses, when the job asked for it. */
  guessing?: Float64Array;
}

/**
 * Several independent rounds (Pisces eq. 18): sample g showed the adversary termini
 * termini[g*rounds + r], r = 0..rounds-1, each the end of an independent walk of `hops` hops
 * from the same initiator. After r + 1 rounds the posterior is p_i ∝ q_i Π_{s ≤ r} (P^hops)_{i, j_s}.
 */
export interface RoundsJob {
  walk: TransitionMatrix;
  hops: number;
  rounds: number;
  termini: Uint32Array;
  prior?: Float64Array;
  onProgress?: (done: number, total: number) => void;
}

/** Entropies after r + 1 rounds for sample g at [g*rounds + r]; NaN where no initiator fits every terminus. */
export interface RoundsTable {
  shannon: Float64Array;
  minEntropy: Float64Array;
}

export function createEntropyTable(hops: number, terminals: number): EntropyTable {
  const size = hops * terminals;
  return {
    hops,
    terminals,
    shannon: new Float64Array(size),
    minEntropy: new Float64Array(size),
    log2Mass: new Float64Array(size),
    reached: new Uint8Array(size),
  };
}

/**
 * Store terminal k's entropies at hop t (k counted over all terminals, hop-major), from sums
 * over its column as held: the true column times 2^shift (see ColumnScales), reached when
 * the held column's largest un-priored entry is positive.
 */
export function storeEntropy(table: EntropyTable, hop: number, terminal: number, entropy: PosteriorEntropy, shift: number, maxX: number): void {
  const at = (hop - 1) * table.terminals + terminal;
  table.shannon[at] = entropy.shannon;
  table.minEntropy[at] = entropy.minEntropy;
  table.log2Mass[at] = entropy.mass > 0 ? Math.log2(entropy.mass) - shift : -Infinity;
  table.reached[at] = maxX > 0 ? 1 : 0;
}

const exponentView = new DataView(new ArrayBuffer(8));

/** e with v = f · 2^e, f in [0.5, 1) (C's frexp, WGSL's frexp().exp), read off the bits: log2 can round across a power of two. */
export function binaryExponent(v: number): number {
  exponentView.setFloat64(0, v);
  const biased = (exponentView.getUint16(0) >> 4) & 0x7ff;
  return biased === 0 ? binaryExponent(v * 2 ** 64) - 64 : biased - 1022;
}

/**
 * The renormalisation every backend applies to each column after each hop, so that float32
 * columns never underflow (the posterior is scale-free): multiply by 2^−e, e the binary
 * exponent of the column's largest un-priored entry, which brings it into [0.5, 1). A power
 * of two scales exactly, so the float64 reference computes the very same numbers as
 * without it, and the engines agree on the factor bit for bit. `shift[b]` is log2 of
 * held / true for column b.
 */
export class ColumnScales {
  readonly shift: Float64Array;
  /** This hop's factors 2^−e per column (1 for a column with no mass). */
  readonly factor: Float64Array;

  constructor(columns: number) {
    this.shift = new Float64Array(columns);
    this.factor = new Float64Array(columns).fill(1);
  }

  /** Set column b's factor from its largest entry after this hop (scaled into the next hop's input). */
  renormalise(b: number, maxX: number): void {
    const e = maxX > 0 ? binaryExponent(maxX) : 0;
    this.factor[b] = 2 ** -e;
    this.shift[b] -= e;
  }

  /** A new batch: columns start at e_j, unscaled. */
  reset(): void {
    this.shift.fill(0);
    this.factor.fill(1);
  }
}

/**
 * Distributions pushed forward from sources: x_0 = e_s, x_t = Pᵀ x_{t−1} (the pull step on
 * the transposed matrix), each reduced at every hop t = 1..hops to its total-variation
 * distance to a stationary vector.
 */
export interface MixingJob {
  /** Pᵀ in CSR (row j holds P_ij for every i: src/walks/push.ts). */
  push: SparseRows;
  /** Dense indices of the sources s. */
  sources: Uint32Array;
  hops: number;
  /**
   * π, length n: on each component of the walk, that component's law, summing to 1 there.
   * Since x_t and the law of its component both sum to 1 on it, and x_t is 0 elsewhere,
   * ½‖x_t − π_C‖₁ = Σ_i (x_t,i − π_i)⁺ over every node: one vector serves every source.
   */
  stationary: Float64Array;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** Σ_i (x_t,i − π_i)⁺ for source k at hop t at tv[(t-1) * sources + k] (hop-major, as EntropyTable). */
export interface MixingTable {
  hops: number;
  sources: number;
  tv: Float64Array;
}

/** What ran the job, for the output. */
export interface BackendInfo {
  name: 'cpu' | 'cpu-parallel' | 'webgpu' | 'gpujs';
  /** Number format of the computation. */
  precision: 'float64' | 'float32';
  /** For GPU backends: the adapter (vendor, architecture, device, description). */
  adapter?: { vendor: string; architecture: string; device: string; description: string };
  /** Where it ran: 'node', 'browser', a gpu.js mode… */
  runtime?: string;
}

/**
 * The one interface every compute backend implements. An analysis talks only to this; a
 * backend never knows which analysis calls it. Whoever creates a backend disposes it.
 */
export interface Backend {
  readonly info: BackendInfo;
  terminalEntropies(job: EntropyJob): Promise<EntropyTable>;
  /** Entropy after 1..rounds independent rounds (Pisces eq. 18), for each sample. */
  roundEntropies(job: RoundsJob): Promise<RoundsTable>;
  /** TV distances to π of the distributions after 1..hops hops from each source. */
  mixingDistances(job: MixingJob): Promise<MixingTable>;
  /** Monte-Carlo walkers (src/walks/walkers.ts defines them; every backend draws the same walks). */
  runWalkers(job: WalkerJob): Promise<WalkerRecords>;
  /** Release what the backend owns (GPU device, browser); await it when it returns a promise. */
  dispose(): void | Promise<void>;
}
