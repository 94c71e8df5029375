import { expect } from 'vitest';
import { initiatorEntropy, type InitiatorEntropyOptions } from '../../src/analyses/initiator-entropy.js';
import type { Backend } from '../../src/engines/backend.js';
import type { Csr } from '../../src/graph/csr.js';

/**
 * The independent float64 reference the engines are tested against: a dense P built from
 * the graph's edges by the definitions in DESIGN.md (not by src/walks), and columns of P^t
 * by dense matrix-vector products. Small graphs only (n² entries).
 */

/** Dense weights W_ij of the graph's arcs (1 when unweighted). */
function denseWeights(csr: Csr): number[][] {
  const W = Array.from({ length: csr.n }, () => new Array<number>(csr.n).fill(0));
  for (let i = 0; i < csr.n; i++) {
    for (let e = csr.rowPtr[i]; e < csr.rowPtr[i + 1]; e++) W[i][csr.colIdx[e]] += csr.weights ? csr.weights[e] : 1;
  }
  return W;
}

/**
 * Dense P: simple P_ij = W_ij / W_i; MH P_ij = W_ij / max(W_i, W_j) with the rest
 * P_ii = Σ_{j: W_j > W_i} W_ij (1/W_i − 1/W_j), which is exactly 0 when no neighbour is
 * stronger; P_ii = 1 at dangling nodes; lazy (I + P) / 2.
 */
export function denseWalk(csr: Csr, model: 'simple' | 'mh', lazy = false): number[][] {
  const W = denseWeights(csr);
  const n = csr.n;
  const strength = W.map((row) => row.reduce((a, b) => a + b, 0));
  const P = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    if (strength[i] === 0) {
      P[i][i] = 1;
      continue;
    }
    for (let j = 0; j < n; j++) {
      if (W[i][j] === 0) continue;
      if (model === 'simple') P[i][j] = W[i][j] / strength[i];
      else {
        P[i][j] = W[i][j] / Math.max(strength[i], strength[j]);
        if (strength[j] > strength[i]) P[i][i] += W[i][j] * (1 / strength[i] - 1 / strength[j]);
      }
    }
  }
  if (lazy) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) P[i][j] = (P[i][j] + (i === j ? 1 : 0)) / 2;
  return P;
}

export interface DenseColumnStatistics {
  /** NaN where Σ q_i (P^t)_ij = 0. */
  shannon: number;
  minEntropy: number;
  /** Σ_i q_i (P^t)_ij. */
  mass: number;
  /** Some walk of length t ends at the terminal (from any initiator, prior or not). */
  reached: boolean;
}

/** Column j of P^t for t = 1..hops, as entropies of p_i ∝ q_i (P^t)_ij: result[t-1][k] for terminal k. */
export function denseEntropies(P: number[][], terminals: readonly number[], hops: number, prior?: ArrayLike<number>): DenseColumnStatistics[][] {
  const n = P.length;
  const result: DenseColumnStatistics[][] = Array.from({ length: hops }, () => []);
  for (const j of terminals) {
    let x = new Array<number>(n).fill(0);
    x[j] = 1;
    for (let t = 1; t <= hops; t++) {
      x = P.map((row) => row.reduce((sum, p, k) => sum + p * x[k], 0));
      const y = x.map((v, i) => (prior ? prior[i] : 1) * v);
      const mass = y.reduce((a, b) => a + b, 0);
      const shannon = mass > 0 ? -y.reduce((h, v) => (v > 0 ? h + (v / mass) * Math.log2(v / mass) : h), 0) : NaN;
      const minEntropy = mass > 0 ? -Math.log2(Math.max(...y) / mass) : NaN;
      result[t - 1].push({ shannon, minEntropy, mass, reached: x.some((v) => v > 0) });
    }
  }
  return result;
}

/** What the analysis reports per hop, from dense columns: the mean over reached terminals, the counts, the terminus-weighted mean. */
export function denseHopSummary(columns: DenseColumnStatistics[]): { mean: number; unreachable: number; zeroPriorOnly: number; terminusWeightedMean: number } {
  const defined = columns.filter((c) => c.mass > 0);
  const weight = defined.reduce((a, c) => a + c.mass, 0);
  return {
    mean: defined.reduce((a, c) => a + c.shannon, 0) / defined.length,
    unreachable: columns.length - defined.length,
    zeroPriorOnly: columns.filter((c) => c.reached && !(c.mass > 0)).length,
    terminusWeightedMean: defined.reduce((a, c) => a + c.mass * c.shannon, 0) / weight,
  };
}

/**
 * Run the analysis on `backend` (the float64 cpu reference when absent) and require the dense
 * answer: every terminal's Shannon and min-entropy at every hop within `tolerance` bits
 * (undefined where the dense column has no mass), the per-hop mean and terminus-weighted
 * mean, and the exact counts of unreachable and zero-prior-only terminals.
 */
export async function expectDenseAnswer(
  backend: Backend | undefined,
  csr: Csr,
  options: InitiatorEntropyOptions & { walk?: 'simple' | 'mh'; hops: number },
  tolerance: number,
): Promise<void> {
  const result = await initiatorEntropy(csr, { terminals: 'all', ...options, backend, perTerminal: true });
  const index = new Map(csr.nodeKeys.map((key, i) => [key, i]));
  const terminals = result.perTerminal!.map((t) => index.get(t.id)!);
  const prior = options.prior ? csr.nodeKeys.map((key) => options.prior!.get(key) ?? 0) : undefined;
  const dense = denseEntropies(denseWalk(csr, options.walk ?? 'simple', options.lazy ?? false), terminals, options.hops, prior);
  const close = (actual: number, expected: number, what: string) => {
    if (Number.isNaN(expected)) expect(actual, what).toBeNaN();
    else if (!(Math.abs(actual - expected) <= tolerance)) expect.fail(`${what}: ${actual} vs dense ${expected} (tolerance ${tolerance})`);
  };
  for (let t = 0; t < options.hops; t++) {
    result.perTerminal!.forEach((terminal, k) => {
      close(terminal.shannon[t], dense[t][k].shannon, `terminal ${terminal.id} hop ${t + 1} Shannon`);
      close(terminal.minEntropy[t], dense[t][k].minEntropy, `terminal ${terminal.id} hop ${t + 1} min-entropy`);
    });
    const expected = denseHopSummary(dense[t]);
    const hop = result.hops[t];
    expect(hop.unreachable, `hop ${t + 1} unreachable`).toBe(expected.unreachable);
    expect(hop.zeroPriorOnly, `hop ${t + 1} zero-prior only`).toBe(prior ? expected.zeroPriorOnly : undefined);
    close(hop.mean, expected.mean, `hop ${t + 1} mean`);
    close(hop.terminusWeightedMean, expected.terminusWeightedMean, `hop ${t + 1} terminus-weighted mean`);
  }
}
