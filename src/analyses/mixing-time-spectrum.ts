import type { Components } from '../graph/components.js';
import { Pcg32 } from '../random.js';
import { extremeEigenvalues, type ExtremeEigenvalues } from '../stats/lanczos.js';
import type { TransitionMatrix } from '../walks/transition.js';

/**
 * The spectral view of a reversible walk. With π the stationary law, S = D^{1/2} P D^{-1/2}
 * (D = diag π) is symmetric and has P's eigenvalues; each component of the walk contributes
 * the eigenvalue 1 with eigenvector √π on it, which is projected away, so Lanczos finds
 * λ₂ (the largest of the rest, over every component) and λ_min.
 */
export interface Spectrum {
  lambda2: number;
  lambdaMin: number;
  /** Second largest eigenvalue modulus, max(|λ₂|, |λ_min|). */
  slem: number;
  lanczos: Omit<ExtremeEigenvalues, 'largest' | 'smallest'>;
}

export interface SpectrumOptions {
  seed: number;
  basis?: number;
  maxRestarts?: number;
  tolerance?: number;
}

/** Basis vectors × nodes kept at most (2^25 float64 = 256 MiB). */
const BASIS_BUDGET = 2 ** 25;

/** λ₂, λ_min and the SLEM of a reversible walk with law π; null when every component is one node (nothing to mix). */
export function reversibleSpectrum(walk: TransitionMatrix, pi: Float64Array, components: Components, options: SpectrumOptions): Spectrum | null {
  const { n, rowPtr, colIdx, values } = walk;
  const dimension = n - components.sizes.length;
  if (dimension === 0) return null;
  const root = pi.map(Math.sqrt);
  const scaled = new Float64Array(n);
  const operator = {
    n,
    apply(x: Float64Array, y: Float64Array) {
      for (let j = 0; j < n; j++) scaled[j] = x[j] / root[j];
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let e = rowPtr[i]; e < rowPtr[i + 1]; e++) sum += values[e] * scaled[colIdx[e]];
        y[i] = root[i] * sum;
      }
    },
  };
  const { component } = components;
  const overlap = new Float64Array(components.sizes.length);
  // √π on each component is a unit eigenvector of eigenvalue 1 (π sums to 1 there).
  const project = (x: Float64Array) => {
    overlap.fill(0);
    for (let i = 0; i < n; i++) overlap[component[i]] += root[i] * x[i];
    for (let i = 0; i < n; i++) x[i] -= overlap[component[i]] * root[i];
  };
  const rng = new Pcg32(options.seed, 15);
  const start = Float64Array.from({ length: n }, () => rng.nextUint32() / 2 ** 32 - 0.5);
  const basis = Math.min(options.basis ?? 64, Math.max(8, Math.floor(BASIS_BUDGET / n)));
  const found = extremeEigenvalues(operator, { start, project, basis, dimension, maxRestarts: options.maxRestarts, tolerance: options.tolerance });
  const { largest, smallest, ...lanczos } = found;
  return { lambda2: largest, lambdaMin: smallest, slem: Math.max(Math.abs(largest), Math.abs(smallest)), lanczos };
}

/**
 * The bounds the SLEM λ* gives on the mixing time from the worst start of a reversible walk
 * (Levin, Peres and Wilmer, Markov Chains and Mixing Times, §12.2), with the relaxation
 * time t_rel = 1 / (1 − λ*): t_mix(ε) ≤ t_rel · ln(1 / (ε π_min)) (so every source's τ(ε)
 * is at most that) and t_mix(ε) ≥ (t_rel − 1) · ln(1 / (2ε)) (some start takes that long).
 * None when λ* = 1: a periodic part (bipartite, not lazy) never mixes.
 */
export function spectralBounds(slem: number, piMin: number, epsilon: number): { relaxationTime: number; upper: number; lower: number } | null {
  if (!(slem < 1)) return null;
  const relaxationTime = 1 / (1 - slem);
  return {
    relaxationTime,
    upper: relaxationTime * Math.log(1 / (epsilon * piMin)),
    lower: Math.max(0, (relaxationTime - 1) * Math.log(1 / (2 * epsilon))),
  };
}
