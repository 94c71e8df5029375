import type { PosteriorEntropy } from '../stats/entropy.js';
import type { TransitionMatrix } from '../walks/transition.js';
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
 * terminal k at hop t. NaN where no walk of length t ends at the terminal.
 */
export interface EntropyTable {
  hops: number;
  terminals: number;
  shannon: Float64Array;
  minEntropy: Float64Array;
  /** Σ_i q_i (P^t)_ij per terminal and hop: weights for the expectation over where walks end. */
  mass: Float64Array;
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
  return { hops, terminals, shannon: new Float64Array(size), minEntropy: new Float64Array(size), mass: new Float64Array(size) };
}

/** Store terminal k's entropies at hop t (k counted over all terminals, hop-major). */
export function storeEntropy(table: EntropyTable, hop: number, terminal: number, entropy: PosteriorEntropy): void {
  const at = (hop - 1) * table.terminals + terminal;
  table.shannon[at] = entropy.shannon;
  table.minEntropy[at] = entropy.minEntropy;
  table.mass[at] = entropy.mass;
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
  /** Monte-Carlo walkers (src/walks/walkers.ts defines them; every backend draws the same walks). */
  runWalkers(job: WalkerJob): Promise<WalkerRecords>;
  /** Release what the backend owns (GPU device, browser); await it when it returns a promise. */
  dispose(): void | Promise<void>;
}
