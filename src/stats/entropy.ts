/**
 * Entropies of the posterior p_i ∝ y_i, in bits, read from a strided vector (one column of
 * the node-major n × B block: y[offset + i*stride]). NaN when the column has no mass (no walk
 * of that length ends at the terminal).
 */
export interface PosteriorEntropy {
  shannon: number;
  minEntropy: number;
  /**
   * S = Σ_i q_i y_i of the column as held: Σ_i q_i (P^t)_ij (how likely a walk of that length
   * ends at the terminal, under q) times the column's renormalisation (ColumnScales).
   */
  mass: number;
}

/**
 * Entropies from the three sums every backend reduces: S = Σy, Y = Σ y log2 y, M = max y.
 * H = log2 S − Y/S and H_min = log2(S/M), clamped at 0 (float32 rounding can leave a
 * concentrated posterior a hair below); NaN when there is no mass.
 */
export function entropiesFromSums(S: number, Y: number, M: number): PosteriorEntropy {
  if (!(S > 0)) return { shannon: NaN, minEntropy: NaN, mass: 0 };
  return { shannon: Math.max(0, Math.log2(S) - Y / S), minEntropy: Math.max(0, Math.log2(S / M)), mass: S };
}

export function posteriorEntropy(
  y: Float64Array,
  offset: number,
  stride: number,
  n: number,
  prior?: Float64Array,
): PosteriorEntropy {
  let sum = 0;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const v = prior ? prior[i] * y[offset + i * stride] : y[offset + i * stride];
    sum += v;
    if (v > max) max = v;
  }
  if (!(sum > 0)) return { shannon: NaN, minEntropy: NaN, mass: 0 };
  let shannon = 0;
  for (let i = 0; i < n; i++) {
    const v = prior ? prior[i] * y[offset + i * stride] : y[offset + i * stride];
    if (v > 0) {
      const p = v / sum;
      shannon -= p * Math.log2(p);
    }
  }
  return { shannon, minEntropy: Math.log2(sum / max), mass: sum };
}

/**
 * Guessing entropy (Massey 1994): the expected number of guesses G = Σ_k k p_(k) of an
 * adversary who tries initiators in order of decreasing posterior. Read from a strided
 * column like posteriorEntropy; NaN without mass. O(n log n): a sort per column.
 */
export function guessingEntropy(y: Float64Array, offset: number, stride: number, n: number, prior?: Float64Array): number {
  const values = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = prior ? prior[i] * y[offset + i * stride] : y[offset + i * stride];
    values[i] = v;
    sum += v;
  }
  if (!(sum > 0)) return NaN;
  values.sort();
  let guesses = 0;
  for (let k = 0; k < n; k++) guesses += (k + 1) * values[n - 1 - k];
  return guesses / sum;
}

/** Shannon entropy of a distribution given by non-negative weights, in bits. */
export function shannonOfWeights(weights: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += weights[i];
  let h = 0;
  for (let i = 0; i < weights.length; i++) {
    if (weights[i] > 0) {
      const p = weights[i] / sum;
      h -= p * Math.log2(p);
    }
  }
  return h;
}
